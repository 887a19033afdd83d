/* test_eigh.c - the small Hermitian eigensolver (pg_eigh.h) against LAPACK zheevd (an
 * independent implementation) and against exact spectra: random Hermitian matrices, exactly
 * and nearly degenerate spectra built as V diag(λ) V^H, zero and diagonal matrices, extreme
 * scales, the packed entry point, NaN input. Every REAL symmetric test matrix also goes through
 * the real solver pg_eigh_small_real with the same checks. Eigenvectors are compared as
 * projectors onto (nearly) degenerate subspaces, which is what is well defined. */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_eigh.h"
#include "phonograph/pg_linalg.h"
#include "phonograph/pg_tridiag.h"

#define NMAX 40

static double urand(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return ((*s >> 8) & 0xffffff) / (double)0x1000000 - 0.5;
}

/* random Hermitian, row-major */
static void rand_herm(int n, unsigned seed, double complex *a)
{
    for (int r = 0; r < n; r++)
        for (int c = 0; c <= r; c++) {
            double x = urand(&seed), y = c < r ? urand(&seed) : 0;
            a[r * n + c] = x + I * y;
            a[c * n + r] = x - I * y;
        }
}

/* random real symmetric, row-major */
static void rand_sym(int n, unsigned seed, double complex *a)
{
    for (int r = 0; r < n; r++)
        for (int c = 0; c <= r; c++) a[r * n + c] = a[c * n + r] = urand(&seed);
}

/* a = V diag(lam) V^T with V real orthogonal (Gram-Schmidt, twice, of a random matrix) */
static void with_spectrum_real(int n, unsigned seed, const double *lam, double complex *a)
{
    double v[NMAX][NMAX];
    for (int s = 0; s < n; s++) {
        for (int r = 0; r < n; r++) v[s][r] = urand(&seed);
        for (int pass = 0; pass < 2; pass++)
            for (int u = 0; u < s; u++) {
                double d = 0;
                for (int r = 0; r < n; r++) d += v[u][r] * v[s][r];
                for (int r = 0; r < n; r++) v[s][r] -= d * v[u][r];
            }
        double nr = 0;
        for (int r = 0; r < n; r++) nr += v[s][r] * v[s][r];
        for (int r = 0; r < n; r++) v[s][r] /= sqrt(nr);
    }
    for (int r = 0; r < n; r++)
        for (int c = 0; c <= r; c++) {
            double x = 0;
            for (int s = 0; s < n; s++) x += v[s][r] * lam[s] * v[s][c];
            a[r * n + c] = a[c * n + r] = x;
        }
}

/* a = V diag(lam) V^H with V the (unitary) eigenvectors of a random Hermitian matrix */
static void with_spectrum(int n, unsigned seed, const double *lam, double complex *a)
{
    double complex v[NMAX * NMAX];
    double w[NMAX];
    pg_zheevd_ws_t zw;
    rand_herm(n, seed, v);
    assert_int_equal(pg_zheevd_ws_init(&zw, n), PG_OK);
    assert_int_equal(pg_zheevd(&zw, n, v, w), PG_OK); /* column-major vectors: v[s*n + r] */
    pg_zheevd_ws_free(&zw);
    for (int r = 0; r < n; r++)
        for (int c = 0; c < n; c++) {
            double complex x = 0;
            for (int s = 0; s < n; s++) x += v[s * n + r] * lam[s] * conj(v[s * n + c]);
            a[r * n + c] = x;
        }
    for (int r = 0; r < n; r++) { /* exactly Hermitian */
        a[r * n + r] = creal(a[r * n + r]);
        for (int c = 0; c < r; c++) a[c * n + r] = conj(a[r * n + c]);
    }
}

static double max_abs(int n, const double complex *a)
{
    double m = 0;
    for (int t = 0; t < n * n; t++) m = fmax(m, cabs(a[t]));
    return m;
}

/* worst difference of the projectors onto groups of eigenvalues closer than gap (relative
 * to scale), z1 row-major z1[r*n+s], z2 likewise */
static double projector_diff(int n, const double *w, const double complex *z1,
                             const double complex *z2, double gap)
{
    double worst = 0;
    int s0 = 0;
    while (s0 < n) {
        int s1 = s0 + 1;
        while (s1 < n && w[s1] - w[s1 - 1] < gap) s1++;
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++) {
                double complex p1 = 0, p2 = 0;
                for (int s = s0; s < s1; s++) {
                    p1 += z1[r * n + s] * conj(z1[c * n + s]);
                    p2 += z2[r * n + s] * conj(z2[c * n + s]);
                }
                worst = fmax(worst, cabs(p1 - p2));
            }
        s0 = s1;
    }
    return worst;
}

/* Solve with pg_eigh_small and zheevd; check eigenvalues (vs zheevd and vs lam_exact if
 * given), ascending order, orthonormality, residual, projectors on clusters (gap_rel). */
static void check_matrix(int n, const double complex *a, const double *lam_exact,
                         double gap_rel, const char *what)
{
    pg_eigh_ws_t ws;
    pg_zheevd_ws_t zw;
    double w[NMAX], wl[NMAX], ar[NMAX * NMAX];
    double complex z[NMAX * NMAX], al[NMAX * NMAX], zl[NMAX * NMAX];
    int is_real = 1;
    for (int t = 0; t < n * n; t++) {
        ar[t] = creal(a[t]);
        is_real &= cimag(a[t]) == 0;
    }
    assert_int_equal(pg_eigh_ws_init(&ws, n), PG_OK);
    assert_int_equal(pg_zheevd_ws_init(&zw, n), PG_OK);
    /* zheevd reads column-major: pass the transpose so it sees a itself */
    for (int r = 0; r < n; r++)
        for (int c = 0; c < n; c++) al[c * n + r] = a[r * n + c];
    assert_int_equal(pg_zheevd(&zw, n, al, wl), PG_OK);
    for (int r = 0; r < n; r++)
        for (int s = 0; s < n; s++) zl[r * n + s] = al[s * n + r];
    const double an = fmax(max_abs(n, a), 1e-300);
    for (int variant = 0; variant <= is_real; variant++) {
        if (variant == 0)
            assert_int_equal(pg_eigh_small(&ws, n, a, w, z), PG_OK);
        else
            assert_int_equal(pg_eigh_small_real(&ws, n, ar, w, z), PG_OK);
        double dw = 0, dx = 0, orth = 0, res = 0;
        for (int s = 0; s < n; s++) {
            dw = fmax(dw, fabs(w[s] - wl[s]));
            if (lam_exact) dx = fmax(dx, fabs(w[s] - lam_exact[s]));
            if (s > 0) assert_true(w[s] >= w[s - 1]);
        }
        for (int s = 0; s < n; s++)
            for (int u = 0; u < n; u++) {
                double complex x = 0;
                for (int r = 0; r < n; r++) x += conj(z[r * n + s]) * z[r * n + u];
                orth = fmax(orth, cabs(x - (s == u ? 1.0 : 0.0)));
            }
        for (int s = 0; s < n; s++)
            for (int r = 0; r < n; r++) {
                double complex x = 0;
                for (int c = 0; c < n; c++) x += a[r * n + c] * z[c * n + s];
                res = fmax(res, cabs(x - w[s] * z[r * n + s]));
            }
        double pd = projector_diff(n, wl, z, zl, gap_rel * an);
        printf("%-28s %s n=%2d |Δλ| %.1e (exact %.1e) orth %.1e res %.1e proj %.1e (×‖A‖ %.1e)\n",
               what, variant ? "real" : "herm", n, dw / an, dx / an, orth, res / an, pd, an);
        assert_true(dw <= 1e-12 * an);
        assert_true(dx <= 1e-12 * an);
        assert_true(orth <= 1e-12);
        assert_true(res <= 1e-12 * an);
        assert_true(pd <= 1e-9);
        if (variant) /* real solver: imaginary parts exactly zero */
            for (int t = 0; t < n * n; t++) assert_true(cimag(z[t]) == 0);
    }
    { /* the batched Hermitian solver (packed, with phases): the same bits, in slot 3 of 8 */
        const int nlo = n * (n + 1) / 2, nsl = n * (n - 1) / 2;
        pg_eigh_batch_ws_t bw;
        double *re = calloc((size_t)8 * nlo, sizeof(double)), *im = calloc((size_t)8 * nsl + 1, sizeof(double));
        double ph[2][8 * NMAX], wb[8 * NMAX], w1[NMAX];
        double complex *zb = calloc((size_t)8 * n * n, sizeof(double complex)), z1[NMAX * NMAX];
        double complex *zp[8];
        unsigned sd = 4242u + (unsigned)n;
        for (int j = 0; j < 8; j++) {
            zp[j] = zb + (size_t)j * n * n;
            for (int t = 0; t < nlo; t++) re[j * nlo + t] = urand(&sd);
            for (int t = 0; t < nsl; t++) im[j * nsl + t] = urand(&sd);
            for (int r = 0; r < n; r++) {
                const double th = 6.283185307179586 * urand(&sd);
                ph[0][j * n + r] = cos(th);
                ph[1][j * n + r] = sin(th);
            }
        }
        for (int r = 0; r < n; r++)
            for (int c = 0; c <= r; c++) {
                re[3 * nlo + r * (r + 1) / 2 + c] = creal(a[r * n + c]);
                if (c < r) im[3 * nsl + r * (r - 1) / 2 + c] = cimag(a[r * n + c]);
            }
        assert_int_equal(pg_eigh_batch_ws_init(&bw, n, 8), PG_OK);
        assert_int_equal(pg_eigh_small_packed_phased_batch(&bw, 8, n, re, im, ph[0], ph[1], wb, zp),
                         PG_OK);
        assert_int_equal(pg_eigh_small_packed_phased(&ws, n, re + 3 * nlo, im + 3 * nsl, ph[0] + 3 * n,
                                                     ph[1] + 3 * n, w1, z1),
                         PG_OK);
        assert_memory_equal(wb + 3 * n, w1, sizeof(double) * (size_t)n);
        assert_memory_equal(zp[3], z1, sizeof(double complex) * (size_t)(n * n));
        pg_eigh_batch_ws_free(&bw);
        free(re);
        free(im);
        free(zb);
    }
    if (is_real) { /* the batched real solver: the same bits, here in slot 3 of 8 */
        pg_eigh_batch_ws_t bw;
        double *ab = calloc((size_t)8 * n * n, sizeof(double)), wb[8 * NMAX];
        double complex *zb = calloc((size_t)8 * n * n, sizeof(double complex));
        double complex *zp[8];
        for (int j = 0; j < 8; j++) {
            zp[j] = zb + (size_t)j * n * n;
            unsigned sd = 977u * (unsigned)j + (unsigned)n;
            for (int r = 0; r < n; r++)
                for (int c = 0; c <= r; c++)
                    ab[(size_t)j * n * n + r * n + c] = ab[(size_t)j * n * n + c * n + r] = urand(&sd);
        }
        memcpy(ab + 3 * n * n, ar, sizeof(double) * (size_t)(n * n));
        assert_int_equal(pg_eigh_batch_ws_init(&bw, n, 8), PG_OK);
        assert_int_equal(pg_eigh_small_real_batch(&bw, 8, n, ab, wb, zp), PG_OK);
        assert_memory_equal(wb + 3 * n, w, sizeof(double) * (size_t)n);
        assert_memory_equal(zp[3], z, sizeof(double complex) * (size_t)(n * n));
        pg_eigh_batch_ws_free(&bw);
        free(ab);
        free(zb);
    }
    pg_eigh_ws_free(&ws);
    pg_zheevd_ws_free(&zw);
}

static void test_random(void **state)
{
    (void)state;
    const int ns[] = {1, 2, 3, 4, 6, 9, 15, 24, 36};
    double complex a[NMAX * NMAX];
    for (unsigned k = 0; k < sizeof ns / sizeof ns[0]; k++)
        for (unsigned seed = 1; seed <= 5; seed++) {
            rand_herm(ns[k], seed * 7919u + k, a);
            check_matrix(ns[k], a, NULL, 1e-6, "random Hermitian");
            rand_sym(ns[k], seed * 104729u + k, a);
            check_matrix(ns[k], a, NULL, 1e-6, "random symmetric");
        }
}

static void test_degenerate(void **state)
{
    (void)state;
    double complex a[NMAX * NMAX];
    double lam[NMAX];
    /* cubic-crystal-like: triply and doubly degenerate levels, a zero triplet (Γ acoustic) */
    const int n = 15;
    const double lev[15] = {0, 0, 0, 1.5, 1.5, 1.5, 2, 2, 3.25, 3.25, 3.25, 4, 5, 5, 7};
    for (unsigned seed = 1; seed <= 6; seed++) {
        memcpy(lam, lev, sizeof lev);
        with_spectrum(n, seed, lam, a);
        check_matrix(n, a, lam, 1e-6, "exactly degenerate");
        /* nearly degenerate: splittings of 1e-9 and 1e-13 */
        for (int s = 0; s < n; s++) lam[s] = lev[s] + (s % 3) * (seed % 2 ? 1e-9 : 1e-13);
        for (int s = 1; s < n; s++) /* ascending, as the solvers return them */
            for (int u = s; u > 0 && lam[u] < lam[u - 1]; u--) {
                double x = lam[u];
                lam[u] = lam[u - 1];
                lam[u - 1] = x;
            }
        with_spectrum(n, seed + 100, lam, a);
        check_matrix(n, a, lam, 1e-6, "nearly degenerate");
        with_spectrum_real(n, seed + 200, lam, a);
        check_matrix(n, a, lam, 1e-6, "nearly degenerate, real");
        memcpy(lam, lev, sizeof lev);
        with_spectrum_real(n, seed + 300, lam, a);
        check_matrix(n, a, lam, 1e-6, "exactly degenerate, real");
    }
    /* all eigenvalues equal: a multiple of the identity after rounding */
    for (int s = 0; s < 6; s++) lam[s] = -2.5;
    with_spectrum(6, 3, lam, a);
    check_matrix(6, a, lam, 1e-6, "fully degenerate");
    with_spectrum_real(6, 4, lam, a);
    check_matrix(6, a, lam, 1e-6, "fully degenerate, real");
}

static void test_special(void **state)
{
    (void)state;
    double complex a[NMAX * NMAX];
    double w[NMAX];
    double complex z[NMAX * NMAX];
    pg_eigh_ws_t ws;
    /* zero matrix: eigenvalues 0, eigenvectors orthonormal */
    memset(a, 0, sizeof a);
    check_matrix(7, a, (double[7]){0}, 1e-6, "zero");
    /* diagonal, unsorted: sorted eigenvalues, unit vectors */
    const double dg[6] = {3, -1, 2, 0.5, -7, 2};
    const double ds[6] = {-7, -1, 0.5, 2, 2, 3};
    memset(a, 0, sizeof a);
    for (int r = 0; r < 6; r++) a[r * 6 + r] = dg[r];
    check_matrix(6, a, ds, 1e-6, "diagonal");
    /* already tridiagonal with complex off-diagonal */
    memset(a, 0, sizeof a);
    for (int r = 0; r < 8; r++) {
        a[r * 8 + r] = r;
        if (r) {
            a[r * 8 + r - 1] = 0.3 + 0.4 * I;
            a[(r - 1) * 8 + r] = 0.3 - 0.4 * I;
        }
    }
    check_matrix(8, a, NULL, 1e-6, "complex tridiagonal");
    memset(a, 0, sizeof a); /* real tridiagonal with a zero off-diagonal (split) */
    for (int r = 0; r < 9; r++) {
        a[r * 9 + r] = 1.0 + (r % 4);
        if (r && r != 5) a[r * 9 + r - 1] = a[(r - 1) * 9 + r] = 0.25 * r;
    }
    check_matrix(9, a, NULL, 1e-6, "real tridiagonal, split");
    /* extreme scales: scaled internally, results scale exactly */
    for (int k = 0; k < 2; k++) {
        const double sc = k ? 1e-200 : 1e200;
        double complex b[NMAX * NMAX];
        rand_herm(9, 77, a);
        for (int t = 0; t < 81; t++) b[t] = a[t] * sc;
        double w1[NMAX], w2[NMAX];
        assert_int_equal(pg_eigh_ws_init(&ws, 9), PG_OK);
        assert_int_equal(pg_eigh_small(&ws, 9, a, w1, z), PG_OK);
        assert_int_equal(pg_eigh_small(&ws, 9, b, w2, z), PG_OK);
        for (int s = 0; s < 9; s++) assert_true(fabs(w2[s] / sc - w1[s]) <= 1e-13);
        double r1[81], r2[81];
        rand_sym(9, 78, a);
        for (int t = 0; t < 81; t++) {
            r1[t] = creal(a[t]);
            r2[t] = r1[t] * sc;
        }
        assert_int_equal(pg_eigh_small_real(&ws, 9, r1, w1, z), PG_OK);
        assert_int_equal(pg_eigh_small_real(&ws, 9, r2, w2, NULL), PG_OK);
        for (int s = 0; s < 9; s++) assert_true(fabs(w2[s] / sc - w1[s]) <= 1e-13);
        pg_eigh_ws_free(&ws);
    }
    /* eigenvalues only; packed input gives the same bits; NaN is an error */
    rand_herm(15, 5, a);
    assert_int_equal(pg_eigh_ws_init(&ws, 15), PG_OK);
    double wv[NMAX], wp[NMAX], re[15 * 16 / 2], im[15 * 14 / 2];
    double complex zp[NMAX * NMAX];
    assert_int_equal(pg_eigh_small(&ws, 15, a, wv, z), PG_OK);
    assert_int_equal(pg_eigh_small(&ws, 15, a, w, NULL), PG_OK);
    assert_memory_equal(w, wv, sizeof(double) * 15);
    for (int r = 0; r < 15; r++)
        for (int c = 0; c <= r; c++) {
            re[r * (r + 1) / 2 + c] = creal(a[r * 15 + c]);
            if (c < r) im[r * (r - 1) / 2 + c] = cimag(a[r * 15 + c]);
        }
    assert_int_equal(pg_eigh_small_packed(&ws, 15, re, im, wp, zp), PG_OK);
    assert_memory_equal(wp, wv, sizeof(double) * 15);
    assert_memory_equal(zp, z, sizeof(double complex) * 225);
    double ra[225];
    for (int t = 0; t < 225; t++) ra[t] = creal(a[t]);
    ra[3 * 15 + 1] = NAN;
    assert_int_equal(pg_eigh_small_real(&ws, 15, ra, w, z), PG_ERR_NUMERIC);
    assert_int_equal(pg_eigh_small_real(&ws, 14, ra, w, z), PG_ERR_INTERNAL);
    a[3 * 15 + 1] = NAN;
    assert_int_equal(pg_eigh_small(&ws, 15, a, w, z), PG_ERR_NUMERIC);
    assert_int_equal(pg_eigh_small(&ws, 14, a, w, z), PG_ERR_INTERNAL);
    pg_eigh_ws_free(&ws);
    assert_int_equal(pg_eigh_ws_init(&ws, 0), PG_ERR_INPUT);
}

/* The lockstep tridiagonal kernels (pg_tridiag.h): on random tridiagonals of orders 1..64, with
 * exact zeros and tiny couplings, every kernel this CPU has (AVX-512, AVX2) and the automatic
 * choice give the same bits as the single-matrix entry, whatever the batch neighbours; the SSE2
 * kernel (no FMA) agrees to rounding: eigenvalues 1e-13 of ‖T‖, vectors via projectors 1e-9.
 * A matrix with NaN fails (-1) without changing the others' results. */
static void test_tridiag_kernels(void **state)
{
    (void)state;
    if (!pg_tridiag_available(15)) skip();
    const int ns[] = {1, 2, 3, 5, 15, 16, 17, 33, 64};
    for (unsigned kn = 0; kn < sizeof ns / sizeof ns[0]; kn++) {
        const int n = ns[kn], ld = (n + 3) & ~3, K = 11;
        double *d = calloc((size_t)K * n, sizeof(double)), *e = calloc((size_t)K * n, sizeof(double));
        double *w1 = calloc((size_t)K * n, sizeof(double)), *wb = calloc((size_t)K * n, sizeof(double));
        double *z1 = calloc((size_t)K * n * ld, sizeof(double)), *zb = calloc((size_t)K * n * ld, sizeof(double));
        double *ws = calloc(pg_tridiag_ws_size(n), sizeof(double));
        unsigned sd = 31u + (unsigned)n;
        for (int j = 0; j < K; j++)
            for (int i = 0; i < n; i++) {
                d[j * n + i] = urand(&sd) * (j == 4 ? 1e-150 : 1.0);
                if (i < n - 1) {
                    double x = urand(&sd);
                    if (j == 2 && i % 3 == 1) x = 0;          /* splits */
                    if (j == 5 && i % 4 == 2) x = 1e-300;     /* negligible couplings */
                    if (j == 6) d[j * n + i] = 0.25;          /* many equal diagonal entries */
                    e[j * (n - 1) + i] = x;
                }
            }
        for (int j = 0; j < K; j++) /* single-matrix reference */
            assert_int_equal(pg_tridiag_eig(n, d + j * n, e + j * (n - 1), w1 + j * n,
                                            z1 + (size_t)j * n * ld, ld, ws), 0);
        const int isas[] = {0, 3, 4};
        for (int k = 0; k < 3; k++) {
            memset(wb, 0, sizeof(double) * (size_t)K * n);
            int rc = pg_tridiag_eig_batch_isa(isas[k], K, n, d, e, wb, zb, ld, ws);
            if (rc == -2) continue; /* this CPU lacks the kernel */
            assert_int_equal(rc, 0);
            assert_memory_equal(wb, w1, sizeof(double) * (size_t)K * n);
            assert_memory_equal(zb, z1, sizeof(double) * (size_t)K * n * ld);
            /* batch independence: matrices 3.. alone */
            assert_int_equal(pg_tridiag_eig_batch_isa(isas[k], K - 3, n, d + 3 * n,
                                                      e + 3 * (n - 1), wb, zb, ld, ws), 0);
            assert_memory_equal(wb, w1 + 3 * n, sizeof(double) * (size_t)(K - 3) * n);
            assert_memory_equal(zb, z1 + (size_t)3 * n * ld, sizeof(double) * (size_t)(K - 3) * n * ld);
        }
        /* SSE2 kernel: to rounding */
        assert_int_equal(pg_tridiag_eig_batch_isa(1, K, n, d, e, wb, zb, ld, ws), 0);
        double dw = 0, dp = 0;
        for (int j = 0; j < K; j++) {
            double tn = 0;
            for (int i = 0; i < n; i++) tn = fmax(tn, fabs(d[j * n + i]) + 2 * (i < n - 1 ? fabs(e[j * (n - 1) + i]) : 0));
            for (int s2 = 0; s2 < n; s2++) dw = fmax(dw, fabs(wb[j * n + s2] - w1[j * n + s2]) / fmax(tn, 1e-300));
            double complex za[NMAX * NMAX], zc[NMAX * NMAX];
            if (n > NMAX) continue;
            for (int r = 0; r < n; r++)
                for (int s2 = 0; s2 < n; s2++) {
                    za[r * n + s2] = z1[(size_t)j * n * ld + s2 * ld + r];
                    zc[r * n + s2] = zb[(size_t)j * n * ld + s2 * ld + r];
                }
            dp = fmax(dp, projector_diff(n, w1 + j * n, za, zc, 1e-6 * fmax(tn, 1e-300)));
        }
        assert_true(dw <= 1e-13);
        if (n <= NMAX) assert_true(dp <= 1e-9);
        if (n >= 2) { /* NaN in matrix 1 (n = 1 has nothing to iterate): -1, the others unchanged */
            d[1 * n + 0] = NAN;
            assert_int_equal(pg_tridiag_eig_batch(K, n, d, e, wb, zb, ld, ws), -1);
            for (int j = 0; j < K; j++)
                if (j != 1) assert_memory_equal(wb + j * n, w1 + j * n, sizeof(double) * (size_t)n);
        }
        printf("tridiag kernels n=%2d: bitwise equal to the single entry; SSE2 |Δλ| %.1e, proj %.1e\n", n, dw, dp);
        free(d); free(e); free(w1); free(wb); free(z1); free(zb); free(ws);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_degenerate),
        cmocka_unit_test(test_special),
        cmocka_unit_test(test_tridiag_kernels),
    };
    return cmocka_run_group_tests_name("eigh", tests, NULL, NULL);
}
