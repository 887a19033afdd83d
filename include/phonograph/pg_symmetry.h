/* pg_symmetry.h - crystal symmetry via spglib 2.0.2 (the only module calling spg_*).
 *
 * Conventions: rotations W and translations w act on FRACTIONAL coordinates of the cell they
 * were found for (row-vector lattice L, r_cart = f · L): an operation maps f -> W f + w
 * (f a column vector), exactly spglib's dataset->rotations/translations. Cartesian rotation
 * R = L^T W L^-T (pg_symmetry_cart_rotation). Symmetry is found once on rank 0 and broadcast
 * (pg_symmetry_bcast), per CONVENTIONS §5. spglib errors are translated with
 * spg_get_error_message into PG_ERR_INPUT ("symmetry search failed: ...").
 */
#ifndef PG_SYMMETRY_H
#define PG_SYMMETRY_H

#include <mpi.h>
#include <stdint.h>
#include <stdio.h>

#include "phonograph/pg_cell.h"
#include "phonograph/pg_status.h"

/* phonopy's default symprec (Å). */
#define PG_SYMPREC_DEFAULT 1e-5

typedef struct {
    double symprec;            /* tolerance used (Å) */
    int spacegroup_number;     /* 1..230 */
    int hall_number;           /* 1..530 */
    char international[32];    /* short Hermann-Mauguin symbol, e.g. "Fm-3m" */
    char hall_symbol[32];      /* e.g. "-F 4 2 3" */
    char choice[8];            /* setting choice, e.g. "1", "2", "H" or "" */
    char schoenflies[16];      /* e.g. "Oh^5" */
    char pointgroup[8];        /* point-group symbol, e.g. "m-3m" */
    int n_ops;                 /* number of space-group operations of THIS cell (a supercell
                                  includes its pure translations: NaCl conv. cell 192) */
    int (*rotations)[3][3];    /* [n_ops] W (fractional) */
    double (*translations)[3]; /* [n_ops] w (fractional) */
    int64_t n_atom;            /* atoms of the input cell */
    char *wyckoffs;            /* [n_atom] Wyckoff letter of each atom ('a'...) */
    char (*site_symmetry)[8];  /* [n_atom] site-symmetry symbol (spglib, e.g. "m-3m") */
    int *equivalent_atoms;     /* [n_atom] lowest index of the symmetry-equivalent orbit */
    int *crystallographic_orbits; /* [n_atom] same, orbits in the standardised cell sense */
    double transformation_matrix[3][3]; /* spglib's P: (a_s b_s c_s) = (a b c) P^-1 (columns),
                                  x_s = P x + p (fractional, standardised <- input) */
    double origin_shift[3];    /* p above (fractional, standardised setting) */
    double std_rotation_matrix[3][3]; /* rigid rotation applied by standardisation */
    pg_cell_t primitive;       /* spglib's primitive cell of the input (dataset
                                  primitive_lattice, same orientation as the input, not
                                  standardised); atom p sits where the first input atom with
                                  mapping_to_primitive == p sits, wrapped to [0,1) */
    pg_cell_t conventional;    /* standardised conventional cell (spglib dataset std_lattice,
                                  std_positions, std_types; may be rigidly rotated by
                                  std_rotation_matrix and have a shifted origin) */
    int *mapping_to_primitive; /* [n_atom] index of the atom of `primitive` each atom maps to */
} pg_symmetry_t;

/* Find the symmetry of cell with tolerance symprec (Å; angle tolerance: spglib default).
 * *sym is initialised here (old content not freed). Not collective (call on rank 0 and
 * broadcast). Errors: PG_ERR_INPUT (spglib failure with its message, e.g. too close atoms),
 * PG_ERR_NOMEM. */
pg_status_t pg_symmetry_find(const pg_cell_t *cell, double symprec, pg_symmetry_t *sym);
/* Release members and zero the struct; accepts a zeroed struct. */
void pg_symmetry_free(pg_symmetry_t *sym);
/* Root's *sym is copied to every rank (others: *sym initialised here, old content not freed;
 * root's is left unchanged). Collective on comm. Errors: PG_ERR_MPI, PG_ERR_NOMEM. */
pg_status_t pg_symmetry_bcast(MPI_Comm comm, int root, pg_symmetry_t *sym);
/* Deep copy. */
pg_status_t pg_symmetry_copy(pg_symmetry_t *dst, const pg_symmetry_t *src);

/* Human-readable report (space group, operations count, atoms with Wyckoff letters and site
 * symmetry, equivalent atoms, lattice parameters). Not collective: call on rank 0. */
void pg_symmetry_print(FILE *f, const pg_cell_t *cell, const pg_symmetry_t *sym);

/* ---- irreducible q mesh ------------------------------------------------------------------ */

typedef struct {
    int mesh[3];               /* grid size */
    int is_shift[3];           /* 0: Γ-centred along this axis, 1: half-grid shift */
    int64_t n_grid;            /* mesh[0]*mesh[1]*mesh[2] */
    int (*grid_address)[3];    /* [n_grid] integer address g; q = (g + is_shift/2) / mesh */
    int64_t *map;              /* [n_grid] grid index of the irreducible representative */
    int64_t n_ir;              /* irreducible points */
    int64_t *ir_grid;          /* [n_ir] grid index of each irreducible point (ascending) */
    int64_t *weights;          /* [n_ir] number of grid points it represents (sum = n_grid) */
    double (*qpoints)[3];      /* [n_ir] reduced q (reciprocal basis of the cell, no 2π) */
} pg_irmesh_t;

/* Irreducible points of the mesh under the point group of sym (found for the cell whose
 * reciprocal basis q is expressed in: for phonons, the primitive cell) plus time reversal if
 * time_reversal != 0 (spglib spg_get_dense_stabilized_reciprocal_mesh; phonopy's choice).
 * is_shift may be NULL (Γ-centred). Monkhorst-Pack as phonopy: shift 1 on even axes.
 * *ir is initialised here. Not collective. Errors: PG_ERR_INPUT (mesh <= 0), PG_ERR_NOMEM. */
pg_status_t pg_symmetry_ir_mesh(const pg_symmetry_t *sym, const int mesh[3], const int *is_shift,
                                int time_reversal, pg_irmesh_t *ir);
void pg_irmesh_free(pg_irmesh_t *ir);

/* ---- operations on atoms (finite-displacement force constants) --------------------------- */

/* atom_map[op * n_atom + i] = j such that W f_i + w = f_j modulo the lattice of `cell`
 * (periodicity of the cell sym was found for, e.g. the supercell), within symprec (Å,
 * Cartesian). atom_map is caller-owned [sym->n_ops * cell->n_atom]. Not collective.
 * Errors: PG_ERR_INPUT (an image not found: sym does not belong to cell), PG_ERR_INTERNAL. */
pg_status_t pg_symmetry_atom_map(const pg_cell_t *cell, const pg_symmetry_t *sym, double symprec,
                                 int64_t *atom_map);
/* Indices of the operations leaving atom i fixed (site symmetry; atom_map from above).
 * ops is caller-owned [sym->n_ops]; *n_ops_out receives the count. Not collective. */
void pg_symmetry_site_ops(const pg_symmetry_t *sym, const int64_t *atom_map, int64_t n_atom,
                          int64_t atom, int *ops, int *n_ops_out);
/* Cartesian rotation R = L^T W L^-T of fractional rotation W for the row-vector lattice L
 * (so that r' = R r for Cartesian column vectors). Errors: PG_ERR_INPUT (singular lattice). */
pg_status_t pg_symmetry_cart_rotation(const double lattice[3][3], const int rot[3][3],
                                      double rcart[3][3]);

/* spglib version string "major.minor.micro" (static storage). */
const char *pg_symmetry_spglib_version(void);

#endif
