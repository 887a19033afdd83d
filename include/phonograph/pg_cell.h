/* pg_cell.h - a periodic cell: lattice, atoms, species, masses.
 *
 * Plain value struct with pg_cell_init / pg_cell_free. Positions are Cartesian (Å);
 * lattice rows are the lattice vectors a1, a2, a3 (Å), as in POSCAR:
 *     r_cart = f · L   (row vector f of fractional coordinates times the matrix L).
 */
#ifndef PG_CELL_H
#define PG_CELL_H

#include <stdint.h>

#include "phonograph/pg_status.h"

typedef struct {
    int64_t n_atom;
    double lattice[3][3]; /* rows = lattice vectors (Å) */
    double (*pos)[3];     /* [n_atom][3] Cartesian positions (Å) */
    int *z;               /* [n_atom] atomic numbers */
    double *mass;         /* [n_atom] masses (amu) */
} pg_cell_t;

/* Allocate arrays for n_atom atoms (zeroed; masses 0). Any previous content is NOT freed.
 * Errors: PG_ERR_INPUT (n_atom < 0), PG_ERR_NOMEM. */
pg_status_t pg_cell_init(pg_cell_t *cell, int64_t n_atom);
/* Release members and zero the struct; accepts a zeroed struct. */
void pg_cell_free(pg_cell_t *cell);
/* Deep copy (dst is initialised here; its old content is not freed). */
pg_status_t pg_cell_copy(pg_cell_t *dst, const pg_cell_t *src);
/* Fill mass[i] from the element table for every atom. */
void pg_cell_set_default_masses(pg_cell_t *cell);

/* Cell volume (Å^3), signed by handedness of the lattice rows. */
double pg_cell_volume(const pg_cell_t *cell);
/* Determinant of a 3x3 matrix (for lattice rows: the signed cell volume, Å^3). */
double pg_mat3_det(const double m[3][3]);
/* Inverse of a 3x3 matrix; returns PG_ERR_INPUT if |det| < 1e-12 * scale^3. */
pg_status_t pg_mat3_inverse(const double m[3][3], double inv[3][3]);
/* Reciprocal lattice rows b_i with a_i · b_j = delta_ij (no 2π). */
pg_status_t pg_cell_reciprocal(const pg_cell_t *cell, double recip[3][3]);
/* Fractional coordinates of a Cartesian point: f = r · L^-1. */
void pg_cell_cart_to_frac(const double inv_lattice[3][3], const double r[3], double f[3]);
/* Cartesian point of fractional coordinates: r = f · L. */
void pg_cell_frac_to_cart(const double lattice[3][3], const double f[3], double r[3]);
/* Wrap all positions into the cell, fractional coordinates in [0, 1). */
pg_status_t pg_cell_wrap(pg_cell_t *cell);
/* Number of distinct species (by z) and their sorted list (caller array of >= n_atom ints). */
int pg_cell_species(const pg_cell_t *cell, int *z_sorted);

#endif
