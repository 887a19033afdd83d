/* pg_fdfc.h - force constants by finite displacements with the PRV-CAP-1 potential.
 *
 * What phonopy 2.17 does with DFT forces (generate_displacements + produce_force_constants +
 * symmetrize_force_constants), done here with the embedded potential (LABELER.md §7):
 *  1. symmetry of the supercell (spglib, found on rank 0 and broadcast); independent atoms are
 *     the lowest index of each symmetry orbit;
 *  2. for each independent atom, phonopy's least displacement set: the first direction of
 *     phonopy's list (lattice basis: [100] [010] [001] [110] [101] [011] [1-10] [10-1] [01-1]
 *     [111] [11-1] [1-11] [-111]) whose site-symmetry images span 3-D, else a pair, else the
 *     three axes; a minus displacement is added when no site operation maps d to -d; each
 *     displacement has Cartesian length `amplitude` (phonopy's default 0.01 Å);
 *  3. one force evaluation per displacement, dealt round-robin to the ranks of comm (each one
 *     independent; forces combined by a sum in which every other rank adds zeros, so the
 *     result is bitwise the same at any rank count);
 *  4. per independent atom a, the displacements and forces rotated by its (distinct) site
 *     operations give the least-squares rows Φ(a, j) = -pinv(U) F_j;
 *  5. every other row from the first supercell operation that maps the atom onto its
 *     independent representative, Φ(i, j) = Rᵀ Φ(a, p(j)) R;
 *  6. phonopy's level-1 symmetrisation (translational sum rule, index permutation:
 *     pg_fc_symmetrize).
 * The result is a full pg_fc_t (n_super × n_super) in the supercell's atom order; write it with
 * pg_fc_write_text / pg_fc_write_hdf5 (compact: pg_fc_to_compact with the primitive's p2s).
 */
#ifndef PG_FDFC_H
#define PG_FDFC_H

#include <mpi.h>
#include <stdint.h>

#include "phonograph/pg_cell.h"
#include "phonograph/pg_forceconst.h"
#include "phonograph/pg_potential.h"
#include "phonograph/pg_status.h"
#include "phonograph/pg_symmetry.h"

typedef struct {
    int64_t atom;   /* displaced supercell atom */
    double u[3];    /* Cartesian displacement (Å) */
} pg_fd_disp_t;

/* phonopy's symmetry-reduced displacement set of `super` for its symmetry sym and atom map
 * (pg_symmetry_atom_map of super). *disp is malloc'ed [*n_disp] (caller frees), ordered by
 * independent atom, then direction, plus before minus (phonopy's order).
 * Not collective. Errors: PG_ERR_INPUT (amplitude <= 0), PG_ERR_NOMEM. */
pg_status_t pg_fdfc_displacements(const pg_cell_t *super, const pg_symmetry_t *sym,
                                  const int64_t *atom_map, double amplitude,
                                  pg_fd_disp_t **disp, int64_t *n_disp);

typedef struct {
    int spacegroup_number;  /* of the supercell */
    int n_indep;            /* independent atoms */
    int64_t n_disp;         /* displacements = force evaluations */
    double max_ideal_force; /* max |F| of the undisplaced supercell (eV/Å; ~0 by symmetry) */
    double max_sym_change;  /* largest |ΔΦ| of the final symmetrisation (eV/Å²) */
} pg_fdfc_info_t;

/* Full force constants of supercell `super` (the phonon stage's supercell, phonopy order) by
 * finite displacements of `amplitude` Å with pot. symprec: spglib tolerance (Å).
 * *fc is initialised here (n_super × n_super). info may be NULL.
 * Collective on comm; every rank returns the same fc and status.
 * Errors: PG_ERR_INPUT (bad amplitude, symmetry search failure, potential input errors),
 * PG_ERR_NUMERIC (singular displacement set), PG_ERR_NOMEM, PG_ERR_MPI. */
pg_status_t pg_fdfc_compute(MPI_Comm comm, pg_potential_t *pot, const pg_cell_t *super,
                            double amplitude, double symprec, pg_fc_t *fc, pg_fdfc_info_t *info);

#endif
