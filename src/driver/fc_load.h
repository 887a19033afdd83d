/* fc_load.h - shared inside src/driver: reading force constants for a supercell (the phonons
 * stage and the sample stage use the same reader and the same compact-row checks). */
#ifndef PG_DRIVER_FC_LOAD_H
#define PG_DRIVER_FC_LOAD_H

#include <stddef.h>

#include <mpi.h>

#include "phonograph/pg_forceconst.h"
#include "phonograph/pg_supercell.h"

/* Fractional coordinates (of the supercell) of every supercell atom, frac[sc->cell.n_atom][3]
 * (caller-owned). Errors: PG_ERR_INPUT (singular lattice). */
pg_status_t fc_load_supercell_frac(const pg_supercell_t *sc, double (*frac)[3]);

/* Read the force constants file `path` (fmt "auto" | "text" | "hdf5") of supercell sc. A
 * compact file must hold exactly the rows p2s[0 .. n_p) in that order (the primitive cell's
 * atoms, or the unit cell's sc->u2s); `what` names that cell in the message. With s2p != NULL
 * ([n_atom]: the row atom each supercell atom is a translation image of) a compact file is
 * expanded to full. Not collective (rank 0 reads). Errors: PG_ERR_IO, PG_ERR_INPUT naming the
 * file and what was expected vs found, PG_ERR_NOMEM. */
pg_status_t fc_load_file(const char *path, const char *fmt, const pg_supercell_t *sc, int64_t n_p,
                         const int64_t *p2s, const char *what, const int64_t *s2p, pg_fc_t *fc);

/* Broadcast fc from rank 0 (the others allocate). Collective on comm; errors agreed. */
pg_status_t fc_load_bcast(MPI_Comm comm, pg_fc_t *fc);

/* Where the phonons stage leaves the force constants it used (full, phonopy HDF5), for the
 * sample stage: <output_dir>/force_constants.hdf5. */
#define PG_RUN_FC_FILE "force_constants.hdf5"

/* Write fc (expanded to full with s2p [n_atom] if compact) as phonopy force_constants.hdf5 to
 * <out_dir>/PG_RUN_FC_FILE (its path into path[cap]) from rank 0. Collective; errors agreed. */
pg_status_t fc_load_write_run_file(MPI_Comm comm, const char *out_dir, const pg_supercell_t *sc,
                                   const int64_t *s2p, const pg_fc_t *fc, char *path, size_t cap);

#endif
