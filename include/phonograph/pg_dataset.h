/* pg_dataset.h - the dataset file: sampled configurations and their labels in parallel HDF5.
 *
 * Schema (format "phonograph-dataset", version 1): docs/dataset.md. Every per-configuration
 * dataset has n_config rows, created at full size with early allocation, so that writing a row
 * never changes HDF5 metadata: a process killed (kill -9) in the middle of a write can damage
 * only rows whose completion flag is still 0. Rows are written collectively (MPI-IO); the
 * completion mask /completed is written after the data of the same rows and after a flush, and
 * is flushed itself. Values depend only on the configuration index, so files written by any
 * number of ranks hold identical values (tested value-by-value, bitwise).
 *
 * Opaque writer object; collective on the communicator it was opened with.
 */
#ifndef PG_DATASET_H
#define PG_DATASET_H

#include <mpi.h>
#include <stdint.h>

#include "phonograph/pg_cell.h"
#include "phonograph/pg_sample.h"
#include "phonograph/pg_status.h"

#define PG_DATASET_FORMAT "phonograph-dataset"
#define PG_DATASET_VERSION 1

/* What identifies and documents a dataset (all borrowed). */
typedef struct {
    int64_t n_config, n_atom;
    uint64_t fingerprint;       /* deck fingerprint: a file with another one is refused */
    uint64_t seed;
    const char *deck_path;      /* may be NULL */
    const char *deck_text;      /* may be NULL */
    const char *fc_source;      /* force-constant file (phonon sampler) or "" */
    const char *labeler;        /* "potential", "none", "external" ... */
    const pg_sampler_t *sampler; /* options, conditions, modes, reference cell */
    const pg_cell_t *reference; /* reference supercell */
} pg_dataset_meta_t;

/* A block of consecutive configurations [first, first + n) with everything stored per row.
 * Arrays are sized for `cap` configurations of n_atom atoms by pg_dataset_batch_init. */
typedef struct {
    int64_t first, n, cap, n_atom;
    double *condition;        /* [cap] K or Å */
    int32_t *attempts;        /* [cap] */
    int32_t *n_substituted;   /* [cap] */
    double *cell;             /* [cap][3][3] Å, rows = lattice vectors */
    double *positions;        /* [cap][n_atom][3] Å */
    int32_t *species;         /* [cap][n_atom] atomic numbers */
    double *strain;           /* [cap][3][3] */
    double *max_displacement; /* [cap] Å */
    double *min_distance;     /* [cap] Å (NaN unless the guard was on) */
    double *energy;           /* [cap] eV */
    double *energy_per_atom;  /* [cap] eV/atom */
    double *gap, *vbm;        /* [cap] eV (NaN if the labeler has none) */
    double *hydrostatic;      /* [cap] GPa, tr(sigma)/3 with ASE's sign (pg_units.h) */
    double *stress;           /* [cap][3][3] GPa */
    double *forces;           /* [cap][n_atom][3] eV/Å */
} pg_dataset_batch_t;

pg_status_t pg_dataset_batch_init(pg_dataset_batch_t *b, int64_t cap, int64_t n_atom);
void pg_dataset_batch_free(pg_dataset_batch_t *b);
/* Copy a drawn configuration into slot j of the batch (labels left untouched). */
void pg_dataset_batch_set_sample(pg_dataset_batch_t *b, int64_t j, const pg_sample_t *x);

typedef struct pg_dataset pg_dataset_t;

/* Create (overwrite) path with the full schema, provenance and an all-zero completion mask.
 * Collective on comm (MPI_COMM_NULL: serial). */
pg_status_t pg_dataset_create(const char *path, MPI_Comm comm, const pg_dataset_meta_t *meta,
                              pg_dataset_t **out);
/* Reopen an existing file to continue it. Refused (PG_ERR_INPUT, message naming both
 * fingerprints) if format/version, fingerprint, seed, n_config or n_atom differ. Collective. */
pg_status_t pg_dataset_open_resume(const char *path, MPI_Comm comm, const pg_dataset_meta_t *meta,
                                   pg_dataset_t **out);
/* Write one batch per rank (b == NULL or b->n == 0: nothing from this rank). Collective: every
 * rank calls the same number of times. Does not touch the completion mask. */
pg_status_t pg_dataset_write_batch(pg_dataset_t *ds, const pg_dataset_batch_t *b);
/* Mark [first, first + n) completed (n may be 0). Collective. */
pg_status_t pg_dataset_mark_done(pg_dataset_t *ds, int64_t first, int64_t n);
/* Flush to the file system. Collective. */
pg_status_t pg_dataset_flush(pg_dataset_t *ds);
/* The completion mask, done[n_config] (caller-owned). Collective (all ranks receive it). */
pg_status_t pg_dataset_read_done(pg_dataset_t *ds, uint8_t *done);
/* Write run statistics as root attributes (guard redraws etc.). Collective, same values. */
pg_status_t pg_dataset_set_stat(pg_dataset_t *ds, const char *name, int64_t value);
pg_status_t pg_dataset_close(pg_dataset_t **ds);

/* Check format name and version of a file opened elsewhere (serial). PG_ERR_INPUT if not a
 * phonograph dataset or another version. */
pg_status_t pg_dataset_check_format(const char *path);

#endif
