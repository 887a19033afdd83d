/* pg_phonons_stage.h - the phonons stage: `phonograph phonons DECK` and the `phonons` stage
 * of `phonograph run`. Reads [structure] and [phonons] (key table pg_deck_keys_phonons),
 * builds supercell/primitive cell (phonopy conventions), reads (and optionally symmetrises)
 * force constants, computes commensurate modes, a q mesh (DOS, thermal properties, thermal
 * displacements) and a band path, distributed over comm, and writes <output_dir>/phonons.h5
 * (schema: docs/phonons.md). Collective on comm; errors agreed.
 */
#ifndef PG_PHONONS_STAGE_H
#define PG_PHONONS_STAGE_H

#include <mpi.h>

#include "phonograph/pg_deck.h"
#include "phonograph/pg_log.h"
#include "phonograph/pg_status.h"

struct pg_run;

typedef struct {
    int n_band;
    int64_t n_mesh_q;         /* q-points solved on the mesh */
    int64_t n_imaginary_mesh; /* modes with ν < -imaginary_tolerance on the mesh */
    int64_t n_imaginary_commensurate;
    double min_freq_thz, max_freq_thz;
    int used_scalapack;
    double seconds_solve;
} pg_phonons_summary_t;

/* The whole stage from a parsed deck. out_dir must exist. log may be NULL. */
pg_status_t pg_phonons_run(MPI_Comm comm, const pg_deck_t *deck, pg_log_t *log,
                           const char *out_dir, pg_phonons_summary_t *summary);
/* Stage function for the run driver (pg_run.h). */
pg_status_t pg_stage_phonons(struct pg_run *run);
/* `phonograph phonons DECK` (pg_cli.h). */
pg_status_t pg_cmd_phonons(MPI_Comm comm, int argc, char **argv);

#endif
