/* pg_supercell.h - supercells and primitive cells with phonopy's conventions.
 *
 * Matrices follow phonopy's column convention: (a_s b_s c_s) = (a_u b_u c_u) · M, where the
 * columns are lattice vectors; with our row-vector lattices L_super = M^T · L_unit. The
 * primitive matrix P is likewise w.r.t. the unit cell: L_prim = P^T · L_unit. The supercell
 * matrix w.r.t. the primitive cell is S = P^-1 · M (integer; NaCl: [[-2,2,2],[2,-2,2],[2,2,-2]]).
 *
 * Atom order is phonopy 2.17's (Supercell with is_old_style=True, the default):
 *  - diagonal M: for each unit-cell atom in order, its N = det M images with the
 *    a-translation fastest, then b, then c;
 *  - general M: phonopy builds the diagonal "surrounding frame" supercell (extent of M's
 *    columns along each axis), then keeps, in that order, the first atom of each set of
 *    atoms that coincide modulo the target lattice. We reproduce that procedure, so atoms of
 *    one unit-cell atom are still contiguous but their translations are not a simple loop.
 * Positions of the supercell atoms are wrapped to fractional [0,1) of the supercell (as
 * phonopy's). All functions here are serial and thread-safe (no MPI): every rank can build
 * the same supercell from the same unit cell and get identical results.
 */
#ifndef PG_SUPERCELL_H
#define PG_SUPERCELL_H

#include <stdint.h>

#include "phonograph/pg_cell.h"
#include "phonograph/pg_status.h"

/* phonopy's default tolerance for overlapping atoms when trimming (Å). */
#define PG_SUPERCELL_SYMPREC 1e-5

typedef struct {
    int matrix[3][3];     /* M, phonopy column convention (L_super = M^T L_unit) */
    int64_t n_cell;       /* N = |det M|, number of unit cells in the supercell */
    int64_t n_unit_atom;  /* atoms in the unit cell */
    pg_cell_t cell;       /* the supercell: n_atom = N * n_unit_atom, masses copied from unit */
    int64_t *s2u;         /* [n_atom] index of the unit-cell atom each supercell atom images */
    int64_t *u2s;         /* [n_unit_atom] supercell index of unit atom u's first image
                             (= u * N, phonopy's u2s_map) */
    int (*translation)[3]; /* [n_atom] integer lattice translation t (unit-cell fractional
                             coordinates): frac_unit(atom) = frac_unit(s2u atom) + t, before the
                             supercell wrapping; i.e. the image's unit cell */
} pg_supercell_t;

/* Build the supercell of `unit` for the integer matrix M (det M != 0; det < 0 is an error as
 * in phonopy, since it flips handedness). symprec (Å) is the tolerance used to detect
 * coinciding atoms when trimming (use PG_SUPERCELL_SYMPREC). *sc is initialised here.
 * Errors: PG_ERR_INPUT (det M <= 0, atom count mismatch after trimming: overlapping atoms),
 * PG_ERR_NOMEM. */
pg_status_t pg_supercell_build(const pg_cell_t *unit, const int matrix[3][3], double symprec,
                               pg_supercell_t *sc);
/* Convenience: diagonal M = diag(n[0], n[1], n[2]). */
pg_status_t pg_supercell_build_diag(const pg_cell_t *unit, const int n[3], double symprec,
                                    pg_supercell_t *sc);
/* Release members and zero the struct; accepts a zeroed struct. */
void pg_supercell_free(pg_supercell_t *sc);

/* The primitive cell inside a supercell (phonopy's Primitive), and the maps phonons need. */
typedef struct {
    double matrix[3][3];       /* P w.r.t. the unit cell (L_prim = P^T L_unit) */
    int smat[3][3];            /* S = P^-1 M, supercell matrix w.r.t. the primitive cell */
    int64_t n_cell;            /* number of primitive cells in the supercell (= |det S|) */
    pg_cell_t cell;            /* primitive cell: lattice P^T L_unit, atoms = p2s atoms in
                                  order, positions wrapped to [0,1) of the primitive cell */
    int64_t n_super_atom;      /* atoms of the supercell */
    int64_t *p2s;              /* [cell.n_atom] supercell index of primitive atom i (first atom
                                  of its translation orbit, in supercell order) */
    int64_t *s2p;              /* [n_super_atom] supercell index of the representative
                                  (phonopy s2p_map: values are p2s entries) */
    int64_t *s2pp;             /* [n_super_atom] primitive index (0..n_p-1) of each atom */
} pg_primitive_t;

/* Primitive cell of the supercell sc for the primitive matrix P (w.r.t. the unit cell; use
 * the identity for "primitive = unit cell"). symprec (Å) as phonopy (1e-5 default).
 * *prim is initialised here. Errors: PG_ERR_INPUT (P singular, S = P^-1 M not integer within
 * 1e-6, the supercell is not a whole number of primitive cells, atoms not found),
 * PG_ERR_NOMEM. */
pg_status_t pg_primitive_build(const pg_supercell_t *sc, const double pmat[3][3],
                               double symprec, pg_primitive_t *prim);
void pg_primitive_free(pg_primitive_t *prim);

/* Parse phonopy's --pa/PRIMITIVE_AXES text: "auto" is NOT handled here; accepts 9 numbers,
 * each a decimal or a fraction "1/2" (e.g. "0 1/2 1/2 1/2 0 1/2 1/2 1/2 0"), or the
 * centring letters P F I A C R as phonopy's get_primitive_matrix_by_centring. Rows of the
 * text are rows of P. Errors: PG_ERR_INPUT naming what was found. */
pg_status_t pg_primitive_matrix_parse(const char *text, double pmat[3][3]);

/* Integer 3x3 helpers (exact). */
int64_t pg_imat3_det(const int m[3][3]);

#endif
