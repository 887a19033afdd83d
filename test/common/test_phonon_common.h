/* test_phonon_common.h - loaders shared by the phonon tests (header-only, static).
 * NaCl structure and force constants from ../shared/reference/phonopy/NaCl; PRV-CAP-1
 * structures from test/data/phonopy_complex/data.h5 (made by its make_data.py). */
#ifndef TEST_PHONON_COMMON_H
#define TEST_PHONON_COMMON_H

#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_dynmat.h"
#include "phonograph/pg_h5.h"

#define PHONON_TEST_DATA "test/data/phonopy_complex/data.h5"

static inline const char *nacl_file(const char *f)
{
    return pg_test_path(pg_test_path(pg_test_shared_dir(), "reference/phonopy/NaCl"), f);
}

typedef struct {
    pg_cell_t prim, super;
    int64_t *p2s, *s2pp;
    pg_fc_t fc;
    pg_dynmat_t *dm;
} phonon_case_t;
typedef phonon_case_t nacl_t;
typedef phonon_case_t perov_t;

static inline void frac_to_cart_all(pg_cell_t *c, double (*frac)[3])
{
    for (int64_t k = 0; k < c->n_atom; k++) pg_cell_frac_to_cart(c->lattice, frac[k], c->pos[k]);
}

/* Load a structure group (prefix "/structure/" style names given explicitly). */
static inline void case_load(phonon_case_t *s, const char *h5path, const char *grp,
                             const char *fcfile, int64_t n_p, int64_t n_s)
{
    memset(s, 0, sizeof(*s));
    pg_h5_t *h = NULL;
    char p[256];
    assert_int_equal(pg_h5_open(h5path, PG_H5_READ, MPI_COMM_NULL, &h), PG_OK);
    assert_int_equal(pg_cell_init(&s->prim, n_p), PG_OK);
    assert_int_equal(pg_cell_init(&s->super, n_s), PG_OK);
    double(*frac)[3] = calloc((size_t)n_s, sizeof(double[3]));
    s->p2s = calloc((size_t)n_p, sizeof(int64_t));
    s->s2pp = calloc((size_t)n_s, sizeof(int64_t));
    snprintf(p, sizeof p, "%s/primitive_lattice", grp);
    assert_int_equal(pg_h5_read(h, p, PG_H5_F64, s->prim.lattice), PG_OK);
    snprintf(p, sizeof p, "%s/primitive_masses", grp);
    assert_int_equal(pg_h5_read(h, p, PG_H5_F64, s->prim.mass), PG_OK);
    snprintf(p, sizeof p, "%s/supercell_lattice", grp);
    assert_int_equal(pg_h5_read(h, p, PG_H5_F64, s->super.lattice), PG_OK);
    snprintf(p, sizeof p, "%s/supercell_scaled_positions", grp);
    assert_int_equal(pg_h5_read(h, p, PG_H5_F64, frac), PG_OK);
    snprintf(p, sizeof p, "%s/p2s_map", grp);
    assert_int_equal(pg_h5_read(h, p, PG_H5_I64, s->p2s), PG_OK);
    snprintf(p, sizeof p, "%s/s2pp_map", grp);
    assert_int_equal(pg_h5_read(h, p, PG_H5_I64, s->s2pp), PG_OK);
    pg_h5_close(&h);
    frac_to_cart_all(&s->super, frac);
    for (int64_t k = 0; k < n_s; k++) s->super.mass[k] = s->prim.mass[s->s2pp[k]];
    for (int64_t i = 0; i < n_p; i++) {
        for (int c = 0; c < 3; c++) s->prim.pos[i][c] = s->super.pos[s->p2s[i]][c];
    }
    free(frac);
    assert_int_equal(pg_fc_read(fcfile, "auto", n_s, &s->fc), PG_OK);
    assert_int_equal(pg_dynmat_create(&s->prim, &s->super, s->p2s, s->s2pp, &s->fc, 1e-5, &s->dm),
                     PG_OK);
}

static inline void nacl_load(nacl_t *s, const char *fcname)
{
    case_load(s, nacl_file("reference.h5"), "/structure", nacl_file(fcname), 2, 64);
}

static inline void perov_load(perov_t *s, const char *name, int n)
{
    char grp[128], fc[128];
    snprintf(grp, sizeof grp, "/prv_cap/%s_%dx%dx%d", name, n, n, n);
    snprintf(fc, sizeof fc, "physics/phonopy/%s_%dx%dx%d_force_constants.hdf5", name, n, n, n);
    case_load(s, PHONON_TEST_DATA, grp, pg_test_path(pg_test_shared_dir(), fc), 5,
              5 * n * n * n);
}

static inline void case_free(phonon_case_t *s)
{
    pg_dynmat_destroy(&s->dm);
    pg_fc_free(&s->fc);
    pg_cell_free(&s->prim);
    pg_cell_free(&s->super);
    free(s->p2s);
    free(s->s2pp);
    memset(s, 0, sizeof(*s));
}
#define nacl_free case_free
#define perov_free case_free

/* The complex NaCl datasets from data.h5 ("/qpoints/x" -> "/nacl/x"). */
static inline void read_complex(pg_h5_t *h_unused, const char *path, double complex *z, int64_t n)
{
    (void)h_unused;
    const char *name = strrchr(path, '/') + 1;
    char p[128];
    snprintf(p, sizeof p, "/nacl/%s", name);
    pg_h5_t *h = NULL;
    assert_int_equal(pg_h5_open(PHONON_TEST_DATA, PG_H5_READ, MPI_COMM_NULL, &h), PG_OK);
    double *ri = calloc((size_t)(2 * n), sizeof(double));
    assert_int_equal(pg_h5_read(h, p, PG_H5_F64, ri), PG_OK);
    for (int64_t t = 0; t < n; t++) z[t] = ri[2 * t] + I * ri[2 * t + 1];
    free(ri);
    pg_h5_close(&h);
}

/* Max |P - P_ref| over degenerate subspaces (bands with |Δν| < 1e-4 THz grouped),
 * P = Σ_s e_s e_s†; e[r*n + s] layout. */
static inline double projector_diff(int n, const double *f, const double complex *e,
                                    const double complex *eref)
{
    double worst = 0;
    int s0 = 0;
    while (s0 < n) {
        int s1 = s0 + 1;
        while (s1 < n && fabs(f[s1] - f[s1 - 1]) < 1e-4) s1++;
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++) {
                double complex p = 0, pr = 0;
                for (int s = s0; s < s1; s++) {
                    p += e[r * n + s] * conj(e[c * n + s]);
                    pr += eref[r * n + s] * conj(eref[c * n + s]);
                }
                worst = fmax(worst, cabs(p - pr));
            }
        s0 = s1;
    }
    return worst;
}

static inline int load_reference_json(const char *name, const char *size, double ref[4][15])
{
    pg_h5_t *h = NULL;
    char p[128];
    snprintf(p, sizeof p, "/prv_cap/%s_%s/ref_freqs", name, size);
    if (pg_h5_open(PHONON_TEST_DATA, PG_H5_READ, MPI_COMM_NULL, &h) != PG_OK) return 0;
    int ok = pg_h5_read(h, p, PG_H5_F64, ref) == PG_OK;
    pg_h5_close(&h);
    return ok;
}

#endif
