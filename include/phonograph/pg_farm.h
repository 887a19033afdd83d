/* pg_farm.h - the dataset task farm: rank 0 hands batches of configuration indices to the
 * ranks on demand, every rank samples and labels its batches, and all ranks write their
 * results collectively into the dataset file.
 *
 * Work is cut into epochs of (batches_per_rank x ranks) batches. Inside an epoch, assignment is
 * dynamic: a rank asks rank 0 for the next batch when it has finished one (rank 0 works too and
 * answers requests between configurations). At the end of an epoch every rank writes the
 * batches it computed (collective row writes; ranks with fewer batches join with empty writes),
 * the file is flushed, the completion flags of those rows are written and flushed. A run killed
 * at any moment loses at most the current epoch; a restart (pg_dataset_open_resume) reads the
 * completion mask and computes only the missing configurations. Since every configuration is a
 * pure function of (deck, index) (pg_rng counters, fixed summation orders), the final file holds
 * the same values whatever the rank count, batch assignment or restarts.
 */
#ifndef PG_FARM_H
#define PG_FARM_H

#include <mpi.h>
#include <stdint.h>

#include "phonograph/pg_dataset.h"
#include "phonograph/pg_log.h"
#include "phonograph/pg_sample.h"
#include "phonograph/pg_status.h"

/* Label configuration `cell` into slot j of batch b (energy, energy_per_atom, gap, vbm,
 * hydrostatic, stress, forces). ctx is per rank. Not collective. */
typedef pg_status_t (*pg_farm_label_fn)(void *ctx, const pg_cell_t *cell, pg_dataset_batch_t *b,
                                        int64_t j);

typedef struct {
    int64_t batch;             /* configurations per batch (>= 1) */
    int64_t batches_per_rank;  /* epoch length in batches per rank (>= 1) */
    pg_farm_label_fn label;    /* NULL: labels are NaN */
    void *label_ctx;
    pg_log_t *log;             /* may be NULL */
    int64_t kill_after_epochs; /* test hook: > 0 = SIGKILL this process after writing the data
                                * (not the flags) of that many epochs; 0 = off */
} pg_farm_opts_t;

typedef struct {
    int64_t n_total, n_done_before, n_done_now; /* configurations */
    int64_t n_redrawn;         /* configurations redrawn by the guards in this run */
    int64_t n_epochs;
    double seconds;            /* wall time of pg_farm_run */
} pg_farm_stats_t;

/* Produce every configuration not yet completed in ds. Collective on comm (the communicator
 * ds was opened with). Errors are agreed: every rank returns the same status; rows completed
 * before the failure stay completed. PG_ERR_INTERRUPTED if a graceful stop (pg_stop) was
 * requested; the file is then consistent and resumable. */
pg_status_t pg_farm_run(MPI_Comm comm, const pg_sampler_t *s, pg_dataset_t *ds,
                        const pg_farm_opts_t *opts, pg_farm_stats_t *stats);

#endif
