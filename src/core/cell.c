/* cell.c - periodic cell container and lattice helpers. */
#include "phonograph/pg_cell.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "phonograph/pg_element.h"

pg_status_t pg_cell_init(pg_cell_t *cell, int64_t n_atom)
{
    pg_status_t st = PG_OK;
    memset(cell, 0, sizeof *cell);
    PG_REQUIRE(n_atom >= 0, PG_ERR_INPUT, "negative atom count %lld", (long long)n_atom);
    cell->n_atom = n_atom;
    PG_TRY_CALLOC(cell->pos, n_atom, "atom positions");
    PG_TRY_CALLOC(cell->z, n_atom, "atomic numbers");
    PG_TRY_CALLOC(cell->mass, n_atom, "atomic masses");
    return PG_OK;
cleanup:
    pg_cell_free(cell);
    return st;
}

void pg_cell_free(pg_cell_t *cell)
{
    if (!cell) return;
    free(cell->pos);
    free(cell->z);
    free(cell->mass);
    memset(cell, 0, sizeof *cell);
}

pg_status_t pg_cell_copy(pg_cell_t *dst, const pg_cell_t *src)
{
    PG_CHECK(pg_cell_init(dst, src->n_atom));
    memcpy(dst->lattice, src->lattice, sizeof dst->lattice);
    size_t n = (size_t)src->n_atom;
    if (n) {
        memcpy(dst->pos, src->pos, n * sizeof *dst->pos);
        memcpy(dst->z, src->z, n * sizeof *dst->z);
        memcpy(dst->mass, src->mass, n * sizeof *dst->mass);
    }
    return PG_OK;
}

void pg_cell_set_default_masses(pg_cell_t *cell)
{
    for (int64_t i = 0; i < cell->n_atom; i++) cell->mass[i] = pg_element_mass(cell->z[i]);
}

static double det3(const double m[3][3])
{
    return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
           m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
           m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

double pg_cell_volume(const pg_cell_t *cell) { return det3(cell->lattice); }

double pg_mat3_det(const double m[3][3]) { return det3(m); }

pg_status_t pg_mat3_inverse(const double m[3][3], double inv[3][3])
{
    double scale = 0.0;
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) scale = fmax(scale, fabs(m[a][b]));
    double d = det3(m);
    PG_REQUIRE(scale > 0.0 && fabs(d) > 1e-12 * scale * scale * scale, PG_ERR_INPUT,
               "singular 3x3 matrix (determinant %g)", d);
    inv[0][0] = (m[1][1] * m[2][2] - m[1][2] * m[2][1]) / d;
    inv[0][1] = (m[0][2] * m[2][1] - m[0][1] * m[2][2]) / d;
    inv[0][2] = (m[0][1] * m[1][2] - m[0][2] * m[1][1]) / d;
    inv[1][0] = (m[1][2] * m[2][0] - m[1][0] * m[2][2]) / d;
    inv[1][1] = (m[0][0] * m[2][2] - m[0][2] * m[2][0]) / d;
    inv[1][2] = (m[0][2] * m[1][0] - m[0][0] * m[1][2]) / d;
    inv[2][0] = (m[1][0] * m[2][1] - m[1][1] * m[2][0]) / d;
    inv[2][1] = (m[0][1] * m[2][0] - m[0][0] * m[2][1]) / d;
    inv[2][2] = (m[0][0] * m[1][1] - m[0][1] * m[1][0]) / d;
    return PG_OK;
}

pg_status_t pg_cell_reciprocal(const pg_cell_t *cell, double recip[3][3])
{
    double inv[3][3];
    PG_CHECK(pg_mat3_inverse(cell->lattice, inv));
    /* a_i · b_j = delta_ij  =>  B = (L^-1)^T, rows b_j */
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) recip[a][b] = inv[b][a];
    return PG_OK;
}

void pg_cell_cart_to_frac(const double inv_lattice[3][3], const double r[3], double f[3])
{
    for (int b = 0; b < 3; b++)
        f[b] = r[0] * inv_lattice[0][b] + r[1] * inv_lattice[1][b] + r[2] * inv_lattice[2][b];
}

void pg_cell_frac_to_cart(const double lattice[3][3], const double f[3], double r[3])
{
    for (int b = 0; b < 3; b++)
        r[b] = f[0] * lattice[0][b] + f[1] * lattice[1][b] + f[2] * lattice[2][b];
}

pg_status_t pg_cell_wrap(pg_cell_t *cell)
{
    double inv[3][3];
    PG_CHECK(pg_mat3_inverse(cell->lattice, inv));
    for (int64_t i = 0; i < cell->n_atom; i++) {
        double f[3];
        pg_cell_cart_to_frac(inv, cell->pos[i], f);
        for (int a = 0; a < 3; a++) {
            f[a] -= floor(f[a]);
            if (f[a] >= 1.0) f[a] = 0.0; /* -1e-17 - floor() rounds to 1.0 */
        }
        pg_cell_frac_to_cart(cell->lattice, f, cell->pos[i]);
    }
    return PG_OK;
}

static int cmp_int(const void *x, const void *y)
{
    int a = *(const int *)x, b = *(const int *)y;
    return (a > b) - (a < b);
}

int pg_cell_species(const pg_cell_t *cell, int *z_sorted)
{
    int n = 0;
    for (int64_t i = 0; i < cell->n_atom; i++) {
        int found = 0;
        for (int k = 0; k < n; k++)
            if (z_sorted[k] == cell->z[i]) found = 1;
        if (!found) z_sorted[n++] = cell->z[i];
    }
    qsort(z_sorted, (size_t)n, sizeof(int), cmp_int);
    return n;
}
