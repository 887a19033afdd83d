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
#include <stddef.h>
#include <stdint.h>

#include "phonograph/pg_cell.h"
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
/* The same on the unit cell `unitcell` (identical on every rank; NULL: read [structure]
 * unitcell) instead of the deck's POSCAR: the run passes its relaxed cell (relax stage). */
pg_status_t pg_phonons_run_cell(MPI_Comm comm, const pg_deck_t *deck, pg_log_t *log,
                                const char *out_dir, const pg_cell_t *unitcell,
                                pg_phonons_summary_t *summary);
/* Fingerprint of what phonons.h5 depends on: the resolved [structure], [relax], [phonons]
 * and [labeler] sections, and the contents of the unit-cell file and (fc_source = file) of
 * the force-constant file, so an input file edited in place is noticed. */
uint64_t pg_phonons_fingerprint(const pg_deck_t *deck);
/* Is <out_dir>/phonons.h5 complete (attribute complete = 1, written last before the file is
 * renamed from phonons.h5.partial) and made from this deck (attribute deck_fingerprint)?
 * *ok = 1 and *summary filled from the file's summary attributes if so; else *ok = 0 and
 * why[cap] says what is wrong (missing, unreadable, incomplete, other deck). Rank 0 reads,
 * everyone gets the same answer. Collective on comm; errors agreed. */
pg_status_t pg_phonons_check_output(MPI_Comm comm, const pg_deck_t *deck, const char *out_dir,
                                    int *ok, pg_phonons_summary_t *summary, char *why, size_t cap);
/* Stage functions for the run driver (pg_run.h): run, and resume (a completed stage: reuse a
 * complete phonons.h5 of this deck, otherwise say why and compute it again). */
pg_status_t pg_stage_phonons(struct pg_run *run);
pg_status_t pg_stage_phonons_resume(struct pg_run *run);
/* `phonograph phonons DECK` (pg_cli.h). */
pg_status_t pg_cmd_phonons(MPI_Comm comm, int argc, char **argv);

#endif
