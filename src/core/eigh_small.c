/* eigh_small.c - dense Hermitian eigensolver for small orders (see pg_eigh.h).
 *
 * 1. Householder tridiagonalisation, top-down (the scheme of LAPACK's zhetd2, lower case):
 *    for column k the reflector H = I − τ v v^H (v_0 = 1) maps x = A[k+1:, k] to β e_1 with β
 *    REAL (zlarfg's choice β = −sign(Re α)·‖x‖, τ = (β − α)/β), so T comes out real. The
 *    trailing block is updated as H^H A H = A − v w^H − w v^H with p = τ A v and
 *    w = p − ½ τ̄ (v^H p) v (τ̄ v^H p is real). A is kept in full (both triangles) so every
 *    inner loop runs over a contiguous row.
 * 2. Implicit QL with Wilkinson shifts on the real tridiagonal (the classic tql2 scheme,
 *    Golub & Van Loan §8.3), rotations accumulated into the real vectors, stored one vector
 *    per row so a rotation touches two contiguous rows.
 * 3. Back-transformation y = H_0 H_1 ⋯ H_{n−2} z with the vectors stored component-major, so
 *    each reflector is a length-n axpy per component (vectorises over the n vectors).
 * Complex numbers are split into real and imaginary arrays throughout (no complex-multiply
 * library calls, loops the compiler can vectorise). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "phonograph/pg_eigh.h"
#include "phonograph/pg_tridiag.h"

/* doubles of the main part of the workspace (Hermitian: 7 arrays [n][ld], 4 [n], 4 [ld]; real:
 * fewer); the lockstep kernel's scratch follows */
static size_t eigh_ws_main(int n)
{
    return (size_t)(8 * n * (n + 3) + 8 * n + 4 * (n + 3));
}

pg_status_t pg_eigh_ws_init(pg_eigh_ws_t *ws, int n)
{
    memset(ws, 0, sizeof(*ws));
    PG_REQUIRE(n >= 1 && n <= 4096, PG_ERR_INPUT, "small eigensolver: order %d out of range", n);
    ws->buf = calloc(eigh_ws_main(n) + pg_tridiag_ws_size(n) + 8, sizeof(double));
    PG_REQUIRE(ws->buf, PG_ERR_NOMEM, "out of memory for the eigensolver workspace (order %d)", n);
    ws->n = n;
    return PG_OK;
}

void pg_eigh_ws_free(pg_eigh_ws_t *ws)
{
    if (!ws) return;
    free(ws->buf);
    memset(ws, 0, sizeof(*ws));
}

/* four doubles as one GCC vector (an AVX2 register in the x86-64-v3 clone, two SSE2 registers in
 * the baseline one; ISO C mode does not contract a*b + c into an FMA, so both clones give the same
 * bits) */
typedef double v4d_t __attribute__((vector_size(32)));
typedef double v4d_u_t __attribute__((vector_size(32), aligned(8))); /* unaligned access */
#define V4D(p) (*(v4d_u_t *)(p))

/* (cr + i ci)[s0:ld) = Σ_{j in [j0, j1)} conj(x_j) Y_j[s0:ld) for complex rows Y = Yr + i Yi
 * (stride ld; s0, ld multiples of 4), 8 columns at a time in register accumulators. */
static inline __attribute__((always_inline)) void rows_combine_c(
    int ld, int s0, int j0, int j1, const double *restrict xr, const double *restrict xi,
    const double *restrict Yr, const double *restrict Yi, double *restrict cr,
    double *restrict ci)
{
    for (int s = s0; s < ld; s += 8) {
        const int two = ld - s >= 8;
        v4d_t r0 = {0}, r1 = {0}, i0 = {0}, i1 = {0};
        for (int j = j0; j < j1; j++) {
            const double *yr = Yr + (size_t)j * ld + s, *yi = Yi + (size_t)j * ld + s;
            const double a = xr[j], b = xi[j];
            r0 += a * V4D(yr) + b * V4D(yi);
            i0 += a * V4D(yi) - b * V4D(yr);
            if (two) {
                r1 += a * V4D(yr + 4) + b * V4D(yi + 4);
                i1 += a * V4D(yi + 4) - b * V4D(yr + 4);
            }
        }
        V4D(cr + s) = r0;
        V4D(ci + s) = i0;
        if (two) {
            V4D(cr + s + 4) = r1;
            V4D(ci + s + 4) = i1;
        }
    }
}

/* Step 1. ar/ai: full Hermitian matrix [n][ld] (row stride ld = n rounded up to a multiple of 4,
 * padding zero; overwritten). On return d[n], e[n] (real tridiagonal; e[k] couples k and k+1,
 * e[n-1] = 0), reflector k in vr/vi row k ([ld], zero outside k+1..n-1, entry k+1 is 1), tau in
 * tr/ti. p*, w* scratch [ld]. As in the real reduction, the inner loops run over whole 4-vectors
 * from the multiple of 4 at or below k+1; the extra lanes only touch entries of the already
 * reduced part, never read again. */
static inline __attribute__((always_inline)) void tridiagonalise(
    int n, int ld, double *restrict ar, double *restrict ai, double *restrict d,
    double *restrict e, double *restrict vr, double *restrict vi, double *restrict tr,
    double *restrict ti, double *restrict pr, double *restrict pi, double *restrict wr,
    double *restrict wi)
{
    for (int k = 0; k < n - 1; k++) {
        const int o = k + 1, cs = o & ~3;
        double *restrict vkr = vr + (size_t)k * ld, *restrict vki = vi + (size_t)k * ld;
        /* x_j = A[j][k] = conj(A[k][j]), j > k (row k is contiguous) */
        const double *rowr = ar + (size_t)k * ld, *rowi = ai + (size_t)k * ld;
        const double alr = rowr[o], ali = -rowi[o];
        double xmax = 0;
        for (int j = o + 1; j < n; j++) {
            const double x = fabs(rowr[j]) > fabs(rowi[j]) ? fabs(rowr[j]) : fabs(rowi[j]);
            xmax = x > xmax ? x : xmax;
        }
        double xnorm = 0;
        if (xmax > 0) {
            double s2 = 0, inv = 1.0 / xmax;
            for (int j = o + 1; j < n; j++) {
                double a = rowr[j] * inv, b = rowi[j] * inv;
                s2 += a * a + b * b;
            }
            xnorm = xmax * sqrt(s2);
        }
        d[k] = rowr[k];
        for (int j = 0; j < ld; j++) vkr[j] = vki[j] = 0;
        if (xnorm == 0 && ali == 0) { /* already reduced: H = I */
            tr[k] = ti[k] = 0;
            e[k] = alr;
            continue;
        }
        double big = fmax(fabs(alr), fmax(fabs(ali), xnorm));
        double beta = big * sqrt((alr / big) * (alr / big) + (ali / big) * (ali / big) +
                                 (xnorm / big) * (xnorm / big));
        if (alr >= 0) beta = -beta;
        const double taur = (beta - alr) / beta, taui = -ali / beta;
        tr[k] = taur;
        ti[k] = taui;
        e[k] = beta;
        /* v_j = x_j / (α − β), j > o */
        const double gr = alr - beta, gi = ali, g2 = gr * gr + gi * gi;
        const double sr = gr / g2, si = -gi / g2; /* 1/(α − β) */
        vkr[o] = 1;
        for (int j = o + 1; j < n; j++) {
            const double xr = rowr[j], xi = -rowi[j];
            vkr[j] = xr * sr - xi * si;
            vki[j] = xr * si + xi * sr;
        }
        /* p = τ A22 v with (A v)_r = Σ_c conj(A[c][r]) v_c = conj(Σ_c conj(v_c) A[c][r]) */
        rows_combine_c(ld, cs, o, n, vkr, vki, ar, ai, wr, wi);
        for (int r = cs; r < ld; r++) {
            const double xr = wr[r], xi = -wi[r];
            pr[r] = taur * xr - taui * xi;
            pi[r] = taur * xi + taui * xr;
        }
        /* γ = −½ τ̄ (v^H p), real by construction: keep the real part */
        double hr = 0, hi = 0;
        for (int r = o; r < n; r++) {
            hr += vkr[r] * pr[r] + vki[r] * pi[r];
            hi += vkr[r] * pi[r] - vki[r] * pr[r];
        }
        const double gam = -0.5 * (taur * hr + taui * hi);
        for (int r = cs; r < ld; r++) {
            wr[r] = pr[r] + gam * vkr[r];
            wi[r] = pi[r] + gam * vki[r];
        }
        /* A22 −= v w^H + w v^H */
        for (int r = o; r < n; r++) {
            double *restrict a_r = ar + (size_t)r * ld, *restrict a_i = ai + (size_t)r * ld;
            const double v_r = vkr[r], v_i = vki[r], w_r = wr[r], w_i = wi[r];
            for (int c = cs; c < ld; c++) {
                /* v_r conj(w_c) + w_r conj(v_c) */
                a_r[c] -= v_r * wr[c] + v_i * wi[c] + w_r * vkr[c] + w_i * vki[c];
                a_i[c] -= v_i * wr[c] - v_r * wi[c] + w_i * vkr[c] - w_r * vki[c];
            }
        }
    }
    d[n - 1] = ar[(size_t)(n - 1) * ld + n - 1];
    e[n - 1] = 0;
}

/* Step 2. Implicit QL on (d, e); zt [n][ld] rows = vectors (start: identity; ld = n rounded up
 * to a multiple of 4, the padding columns stay zero, so a rotation is whole SIMD vectors with
 * no remainder loop). Returns 0 on success, -1 if some eigenvalue needs more than 60
 * iterations. */
static inline __attribute__((always_inline)) int tridiag_ql(int n, int ld, double *restrict d, double *restrict e, double *restrict zt)
{
    for (int l = 0; l < n; l++) {
        int iter = 0, m;
        do {
            for (m = l; m < n - 1; m++) {
                const double dd = fabs(d[m]) + fabs(d[m + 1]);
                if (fabs(e[m]) <= DBL_EPSILON * dd) break;
            }
            if (m == l) break;
            if (iter++ == 60) return -1;
            /* Wilkinson shift from the leading 2x2 block */
            double g = (d[l + 1] - d[l]) / (2.0 * e[l]);
            double r = sqrt(g * g + 1.0);
            g = d[m] - d[l] + e[l] / (g + copysign(r, g));
            double s = 1, c = 1, p = 0;
            int i;
            for (i = m - 1; i >= l; i--) {
                double f = s * e[i], b = c * e[i];
                const double r2 = f * f + g * g;
                double rinv;
                if (r2 >= 0x1p-1000) { /* 1/r = √r² · (1/r²): square root and division run
                                        * in parallel instead of one after the other */
                    r = sqrt(r2);
                    rinv = r * (1.0 / r2);
                } else { /* tiny (or zero: split here and restart) */
                    r = sqrt(r2);
                    if (r == 0) {
                        e[i + 1] = r;
                        d[i + 1] -= p;
                        e[m] = 0;
                        break;
                    }
                    rinv = 1.0 / r;
                }
                e[i + 1] = r;
                s = f * rinv;
                c = g * rinv;
                g = d[i + 1] - p;
                r = (d[i] - g) * s + 2.0 * c * b;
                p = s * r;
                d[i + 1] = g + p;
                g = c * r - b;
                double *restrict z0 = zt + (size_t)i * ld, *restrict z1 = zt + (size_t)(i + 1) * ld;
                for (int t4 = 0; t4 < ld; t4 += 4)
                    for (int t = t4; t < t4 + 4; t++) {
                        const double f1 = z1[t], f0 = z0[t];
                        z1[t] = s * f0 + c * f1;
                        z0[t] = c * f0 - s * f1;
                    }
            }
            if (r == 0 && i >= l) continue;
            d[l] -= p;
            e[l] = g;
            e[m] = 0;
        } while (m != l);
    }
    return 0;
}

/* Eigen-decomposition of the tridiagonal (d, e): w ascending (unscaled), zt [n][ld] one vector per
 * row. The lockstep kernel's single-matrix entry when it exists (same bits as a batch), else the
 * QL above with a selection sort. d, e are overwritten. tws: pg_tridiag_ws_size(n). */
static inline __attribute__((always_inline)) int real_tridiag(int n, int ld, double *d, double *e,
                                                              double *w, double *zt, double *tws)
{
    if (pg_tridiag_available(n)) return pg_tridiag_eig(n, d, e, w, zt, ld, tws) == 0 ? 0 : -1;
    memset(zt, 0, sizeof(double) * (size_t)n * ld);
    for (int t = 0; t < n; t++) zt[(size_t)t * ld + t] = 1;
    if (tridiag_ql(n, ld, d, e, zt) != 0) return -1;
    for (int s = 0; s < n - 1; s++) { /* ascending (selection sort, swapping vector rows) */
        int k = s;
        for (int t = s + 1; t < n; t++)
            if (d[t] < d[k]) k = t;
        if (k != s) {
            double x = d[s];
            d[s] = d[k];
            d[k] = x;
            double *z0 = zt + (size_t)s * ld, *z1 = zt + (size_t)k * ld;
            for (int t = 0; t < n; t++) {
                x = z0[t];
                z0[t] = z1[t];
                z1[t] = x;
            }
        }
    }
    memcpy(w, d, sizeof(double) * (size_t)n);
    return 0;
}

/* Packed lower triangle (re, im as pg_eigh_small_packed takes them) to the full Hermitian
 * (ar, ai) [n][ld] with zero padding; returns max |entry|. */
static double packed_to_full(int n, int ld, const double *re, const double *im, double *ar,
                             double *ai)
{
    double amax = 0;
    for (int r = 0; r < n; r++) {
        const double *rr = re + (size_t)r * (r + 1) / 2, *ri = im + (size_t)r * (r - 1) / 2;
        for (int c = 0; c < r; c++) {
            const double x = rr[c], y = ri[c];
            const double ax = fabs(x) > fabs(y) ? fabs(x) : fabs(y);
            amax = ax > amax ? ax : amax;
            ar[(size_t)r * ld + c] = ar[(size_t)c * ld + r] = x;
            ai[(size_t)r * ld + c] = y;
            ai[(size_t)c * ld + r] = -y;
        }
        ar[(size_t)r * ld + r] = rr[r];
        ai[(size_t)r * ld + r] = 0;
        amax = fabs(rr[r]) > amax ? fabs(rr[r]) : amax;
        for (int c = n; c < ld; c++) ar[(size_t)r * ld + c] = ai[(size_t)r * ld + c] = 0;
    }
    return amax;
}

/* Steps 1-3 on the full Hermitian copy already in ws (ar, ai); amax = max |entry|. */
static pg_status_t solve_core(pg_eigh_ws_t *ws, int n, double amax, const double *phr,
                              const double *phi, double *w, double complex *z);

pg_status_t pg_eigh_small(pg_eigh_ws_t *ws, int n, const double complex *a, double *w,
                          double complex *z)
{
    PG_REQUIRE(ws->buf && n == ws->n, PG_ERR_INTERNAL,
               "small eigensolver: workspace for order %d used for order %d", ws->n, n);
    const int ld = (n + 3) & ~3;
    double *ar = ws->buf, *ai = ar + (size_t)n * ld;
    double amax = 0;
    for (int r = 0; r < n; r++) {
        for (int c = 0; c <= r; c++) {
            const double x = creal(a[(size_t)r * n + c]);
            const double y = c < r ? cimag(a[(size_t)r * n + c]) : 0;
            amax = fmax(amax, fmax(fabs(x), fabs(y)));
            ar[(size_t)r * ld + c] = ar[(size_t)c * ld + r] = x;
            ai[(size_t)r * ld + c] = y;
            ai[(size_t)c * ld + r] = -y;
        }
        for (int c = n; c < ld; c++) ar[(size_t)r * ld + c] = ai[(size_t)r * ld + c] = 0;
    }
    return solve_core(ws, n, amax, NULL, NULL, w, z);
}

pg_status_t pg_eigh_small_packed(pg_eigh_ws_t *ws, int n, const double *re, const double *im,
                                 double *w, double complex *z)
{
    return pg_eigh_small_packed_phased(ws, n, re, im, NULL, NULL, w, z);
}

pg_status_t pg_eigh_small_packed_phased(pg_eigh_ws_t *ws, int n, const double *re,
                                        const double *im, const double *phr, const double *phi,
                                        double *w, double complex *z)
{
    PG_REQUIRE(ws->buf && n == ws->n, PG_ERR_INTERNAL,
               "small eigensolver: workspace for order %d used for order %d", ws->n, n);
    const int ld = (n + 3) & ~3;
    double *ar = ws->buf, *ai = ar + (size_t)n * ld;
    double amax = packed_to_full(n, ld, re, im, ar, ai);
    return solve_core(ws, n, amax, phr, phi, w, z);
}

/* Compiled twice (x86-64-v3 = AVX2+FMA, and the baseline) and picked at load time by the CPU,
 * so no -march flag is needed and the binary runs anywhere; the file is built with -O3
 * (Makefile) so the short inner loops are vectorised. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define PG_EIGH_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define PG_EIGH_CLONES
#endif
/* Step 3 and the output: z = diag(ph) H_0 ⋯ H_{n-2} (vectors of zt); yr, yi [n][ld], cr, ci [ld]
 * scratch. */
static inline __attribute__((always_inline)) void herm_back(
    int n, int ld, const double *vr, const double *vi, const double *tr, const double *ti,
    const double *zt, double *restrict yr, double *restrict yi, double *restrict cr,
    double *restrict ci, const double *phr, const double *phi, double complex *z)
{
    for (int r = 0; r < n; r++) { /* component-major y[r][s] = zt[s][r], padding zero */
        for (int s = 0; s < n; s++) yr[(size_t)r * ld + s] = zt[(size_t)s * ld + r];
        for (int s = n; s < ld; s++) yr[(size_t)r * ld + s] = 0;
        for (int s = 0; s < ld; s++) yi[(size_t)r * ld + s] = 0;
    }
    /* y ← H_k y for k = n-2 … 0: y[o:] −= τ v (v^H y[o:]), for all vectors at once */
    for (int k = n - 2; k >= 0; k--) {
        const double taur = tr[k], taui = ti[k];
        if (taur == 0 && taui == 0) continue;
        const double *vkr = vr + (size_t)k * ld, *vki = vi + (size_t)k * ld;
        rows_combine_c(ld, 0, k + 1, n, vkr, vki, yr, yi, cr, ci); /* v^H y */
        for (int s = 0; s < ld; s++) {
            const double x = cr[s], y = ci[s];
            cr[s] = taur * x - taui * y;
            ci[s] = taur * y + taui * x;
        }
        for (int j = k + 1; j < n; j++) {
            double *restrict y_r = yr + (size_t)j * ld, *restrict y_i = yi + (size_t)j * ld;
            const double v_r = vkr[j], v_i = vki[j];
            for (int s = 0; s < ld; s++) {
                y_r[s] -= v_r * cr[s] - v_i * ci[s];
                y_i[s] -= v_r * ci[s] + v_i * cr[s];
            }
        }
    }
    double *zd = (double *)z; /* C17 6.2.5: double complex = double[2] (re, im) */
    for (int r = 0; r < n; r++) { /* row r times the phase ph_r, written once */
        const double pcr = phr ? phr[r] : 1, pci = phr ? phi[r] : 0;
        const double *restrict y_r = yr + (size_t)r * ld, *restrict y_i = yi + (size_t)r * ld;
        double *restrict zr = zd + 2 * (size_t)r * n;
        if (!phr) {
            for (int s = 0; s < n; s++) {
                zr[2 * s] = y_r[s];
                zr[2 * s + 1] = y_i[s];
            }
            continue;
        }
        for (int s = 0; s < n; s++) {
            zr[2 * s] = y_r[s] * pcr - y_i[s] * pci;
            zr[2 * s + 1] = y_r[s] * pci + y_i[s] * pcr;
        }
    }
}

/* Scale (max|a| outside [1e-140, 1e140]) and reduce the full Hermitian (ar, ai) [n][ld];
 * *scale: the factor for the eigenvalues. */
static inline __attribute__((always_inline)) void herm_reduce(
    int n, int ld, double amax, double *restrict ar, double *restrict ai, double *restrict d,
    double *restrict e, double *restrict vr, double *restrict vi, double *restrict tr,
    double *restrict ti, double *restrict pr, double *restrict pi, double *restrict wr,
    double *restrict wi, double *scale)
{
    *scale = 1;
    if (amax > 0 && (amax < 1e-140 || amax > 1e140)) {
        *scale = amax;
        for (size_t t = 0; t < (size_t)n * ld; t++) {
            ar[t] /= amax;
            ai[t] /= amax;
        }
    }
    tridiagonalise(n, ld, ar, ai, d, e, vr, vi, tr, ti, pr, pi, wr, wi);
}

PG_EIGH_CLONES static pg_status_t solve_core(pg_eigh_ws_t *ws, int n, double amax,
                                             const double *phr, const double *phi, double *w,
                                             double complex *z)
{
    const int ld = (n + 3) & ~3; /* row stride of every array */
    const size_t nl = (size_t)n * ld;
    double *ar = ws->buf, *ai = ar + nl, *vr = ai + nl, *vi = vr + nl, *zt = vi + nl;
    double *yr = zt + nl, *yi = yr + nl;
    double *d = yi + nl, *e = d + n, *tr = e + n, *ti = tr + n, *pr = ti + n, *pi = pr + ld;
    double *wr = pi + ld, *wi = wr + ld;
    double *tws = ws->buf + eigh_ws_main(n);
    PG_REQUIRE(isfinite(amax), PG_ERR_NUMERIC, "small eigensolver: matrix has NaN or Inf");
    double scale;
    herm_reduce(n, ld, amax, ar, ai, d, e, vr, vi, tr, ti, pr, pi, wr, wi, &scale);
    PG_REQUIRE(real_tridiag(n, ld, d, e, w, zt, tws) == 0, PG_ERR_NUMERIC,
               "small eigensolver: QL iteration did not converge (order %d)", n);
    for (int s = 0; s < n; s++) w[s] *= scale;
    if (z) herm_back(n, ld, vr, vi, tr, ti, zt, yr, yi, pr, pi, phr, phi, z);
    return PG_OK;
}

/* ---- real symmetric matrices (pg_eigh_small_real) ---- */


/* c[s0:ld) = f · Σ_{j in [j0, j1)} x[j] Y[j][s0:ld) (Y row stride ld; s0, ld multiples of 4):
 * up to 16 columns at a time held in four vector accumulators, so the sum over j is a chain of
 * register adds, not of stores and reloads. */
static inline __attribute__((always_inline)) void rows_combine(int ld, int s0, int j0, int j1,
                                                               double f, const double *restrict x,
                                                               const double *restrict Y,
                                                               double *restrict c)
{
    for (int s = s0; s < ld; s += 16) {
        const int w = ld - s >= 16 ? 4 : (ld - s) / 4;
        v4d_t a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
        for (int j = j0; j < j1; j++) {
            const double *y = Y + (size_t)j * ld + s;
            const double xj = x[j];
            a0 += xj * V4D(y);
            if (w > 1) a1 += xj * V4D(y + 4);
            if (w > 2) a2 += xj * V4D(y + 8);
            if (w > 3) a3 += xj * V4D(y + 12);
        }
        V4D(c + s) = f * a0;
        if (w > 1) V4D(c + s + 4) = f * a1;
        if (w > 2) V4D(c + s + 8) = f * a2;
        if (w > 3) V4D(c + s + 12) = f * a3;
    }
}

/* Householder tridiagonalisation of the full real symmetric a [n][ld] (row stride ld = n rounded
 * up to a multiple of 4, padding columns zero; overwritten), top-down as in step 1 with
 * everything real: reflector k in v row k ([ld], zero outside k+1..n-1, entry k+1 is 1), τ_k in
 * tau (0: H_k = I), d[n], e[n] (e[n-1] = 0). p scratch [ld]. Every inner loop runs over whole
 * 4-vectors, from the multiple of 4 at or below k+1 to ld: v is zero below k+1 and the padding
 * stays zero, so the extra lanes only touch entries left of the active block (already
 * reduced, never read again as matrix entries). */
static inline __attribute__((always_inline)) void tridiagonalise_real(
    int n, int ld, double *restrict a, double *restrict d, double *restrict e,
    double *restrict v, double *restrict tau, double *restrict p)
{
    for (int k = 0; k < n - 1; k++) {
        const int o = k + 1, cs = o & ~3;
        double *restrict vk = v + (size_t)k * ld;
        const double *row = a + (size_t)k * ld; /* x_j = A[j][k] = A[k][j], j > k */
        d[k] = row[k];
        const double alpha = row[o];
        double xmax = 0;
        for (int j = o + 1; j < n; j++) xmax = fabs(row[j]) > xmax ? fabs(row[j]) : xmax;
        for (int j = 0; j < ld; j++) vk[j] = 0;
        if (xmax == 0) { /* already reduced: H = I */
            tau[k] = 0;
            e[k] = alpha;
            continue;
        }
        double s2 = 0;
        const double inv = 1.0 / xmax;
        for (int j = o + 1; j < n; j++) s2 += (row[j] * inv) * (row[j] * inv);
        const double big = fmax(fabs(alpha), xmax);
        double beta = big * sqrt((alpha / big) * (alpha / big) + (xmax / big) * (xmax / big) * s2);
        if (alpha >= 0) beta = -beta;
        const double t = (beta - alpha) / beta, sc = 1.0 / (alpha - beta);
        tau[k] = t;
        e[k] = beta;
        vk[o] = 1;
        for (int j = o + 1; j < n; j++) vk[j] = row[j] * sc;
        /* p = τ A22 v (sum of rows: A symmetric), w = p − ½ τ (v·p) v, A22 −= v w^T + w v^T */
        rows_combine(ld, cs, o, n, t, vk, a, p);
        double h = 0;
        for (int r = o; r < n; r++) h += vk[r] * p[r];
        const double g = -0.5 * t * h;
        for (int r = cs; r < ld; r++) p[r] += g * vk[r];
        for (int r = o; r < n; r++) {
            double *restrict ar = a + (size_t)r * ld;
            const double vr = vk[r], wr = p[r];
            for (int c = cs; c < ld; c++) ar[c] -= vr * p[c] + wr * vk[c];
        }
    }
    d[n - 1] = a[(size_t)(n - 1) * ld + n - 1];
    e[n - 1] = 0;
}

/* The lower triangle of the row-major a [n][n] to the full symmetric ar [n][ld] with zero padding;
 * returns max |entry|. */
static double lower_to_full(int n, int ld, const double *a, double *ar)
{
    double amax = 0;
    for (int r = 0; r < n; r++) {
        for (int c = 0; c <= r; c++) {
            const double x = a[(size_t)r * n + c];
            amax = fabs(x) > amax ? fabs(x) : amax;
            ar[(size_t)r * ld + c] = ar[(size_t)c * ld + r] = x;
        }
        for (int c = n; c < ld; c++) ar[(size_t)r * ld + c] = 0;
    }
    return amax;
}

static pg_status_t solve_real_core(pg_eigh_ws_t *ws, int n, double amax, double *w,
                                   double complex *z);

pg_status_t pg_eigh_small_real(pg_eigh_ws_t *ws, int n, const double *a, double *w,
                               double complex *z)
{
    PG_REQUIRE(ws->buf && n == ws->n, PG_ERR_INTERNAL,
               "small eigensolver: workspace for order %d used for order %d", ws->n, n);
    const double amax = lower_to_full(n, (n + 3) & ~3, a, ws->buf);
    return solve_real_core(ws, n, amax, w, z);
}

/* Scale (when max|a| is outside [1e-140, 1e140]) and reduce a [n][ld] to (d, e) with reflectors
 * (v, tau); *scale receives the factor to multiply the eigenvalues with. */
static inline __attribute__((always_inline)) void real_reduce(int n, int ld, double amax, double *a,
                                                              double *d, double *e, double *v,
                                                              double *tau, double *p,
                                                              double *scale)
{
    *scale = 1;
    if (amax > 0 && (amax < 1e-140 || amax > 1e140)) {
        *scale = amax;
        for (size_t t = 0; t < (size_t)n * ld; t++) a[t] /= amax;
    }
    tridiagonalise_real(n, ld, a, d, e, v, tau, p);
}

/* z = H_0 ⋯ H_{n-2} (vectors of zt), written as complex numbers with zero imaginary part,
 * z[r*n + s] = component r of vector s. y [n][ld], p [ld] scratch. */
static inline __attribute__((always_inline)) void real_back(int n, int ld, const double *v,
                                                            const double *tau, const double *zt,
                                                            double *restrict y, double *p,
                                                            double complex *z)
{
    for (int r = 0; r < n; r++) { /* component-major y[r][s] = zt[s][r], padding zero */
        for (int s = 0; s < n; s++) y[(size_t)r * ld + s] = zt[(size_t)s * ld + r];
        for (int s = n; s < ld; s++) y[(size_t)r * ld + s] = 0;
    }
    for (int k = n - 2; k >= 0; k--) { /* y ← H_k y (all vectors at once, whole 4-vectors) */
        const double t = tau[k];
        if (t == 0) continue;
        const double *vk = v + (size_t)k * ld;
        double *restrict c = p;
        rows_combine(ld, 0, k + 1, n, t, vk, y, c);
        for (int j = k + 1; j < n; j++) {
            double *restrict yr = y + (size_t)j * ld;
            const double vj = vk[j];
            for (int s = 0; s < ld; s++) yr[s] -= vj * c[s];
        }
    }
    double *zd = (double *)z; /* C17 6.2.5: double complex = double[2] (re, im) */
    for (int r = 0; r < n; r++)
        for (int s = 0; s < n; s++) {
            zd[2 * ((size_t)r * n + s)] = y[(size_t)r * ld + s];
            zd[2 * ((size_t)r * n + s) + 1] = 0;
        }
}

PG_EIGH_CLONES static pg_status_t solve_real_core(pg_eigh_ws_t *ws, int n, double amax, double *w,
                                                  double complex *z)
{
    const int ld = (n + 3) & ~3;
    const size_t nl = (size_t)n * ld;
    double *a = ws->buf, *v = a + nl, *zt = v + nl, *y = zt + nl, *d = y + nl;
    double *e = d + n, *tau = e + n, *p = tau + n;
    double *tws = ws->buf + eigh_ws_main(n);
    PG_REQUIRE(isfinite(amax), PG_ERR_NUMERIC, "small eigensolver: matrix has NaN or Inf");
    double scale;
    real_reduce(n, ld, amax, a, d, e, v, tau, p, &scale);
    PG_REQUIRE(real_tridiag(n, ld, d, e, w, zt, tws) == 0, PG_ERR_NUMERIC,
               "small eigensolver: QL iteration did not converge (order %d)", n);
    for (int s = 0; s < n; s++) w[s] *= scale;
    if (z) real_back(n, ld, v, tau, zt, y, p, z);
    return PG_OK;
}

/* ---- batches of real symmetric matrices ---- */

/* Batch workspace, per matrix: real: v [n][ld], zt [n][ld], tau [n], d [n], e [n-1], scale;
 * Hermitian: vr, vi [n][n], zt [n][ld], tr, ti [n], d [n], e [n-1], scale. Shared: real: a [n][ld],
 * y [n][ld], p [ld], e_full [n]; Hermitian: ar, ai, yr, yi [n][n], 4 vectors [n]; then the
 * lockstep kernel's scratch. */
static size_t batch_per(int n, int ld)
{
    return 3 * (size_t)n * ld + 5 * (size_t)n + 1;
}
static size_t batch_shared(int n, int ld)
{
    return 4 * (size_t)n * ld + 5 * (size_t)ld + (size_t)n;
}

pg_status_t pg_eigh_batch_ws_init(pg_eigh_batch_ws_t *ws, int n, int kmax)
{
    memset(ws, 0, sizeof(*ws));
    PG_REQUIRE(n >= 1 && n <= 4096 && kmax >= 1, PG_ERR_INPUT,
               "small eigensolver: batch of %d matrices of order %d out of range", kmax, n);
    const int ld = (n + 3) & ~3;
    const size_t sz = (size_t)kmax * batch_per(n, ld) + batch_shared(n, ld) +
                      pg_tridiag_ws_size(n) + 8;
    ws->buf = calloc(sz, sizeof(double));
    PG_REQUIRE(ws->buf, PG_ERR_NOMEM, "out of memory for the batched eigensolver workspace");
    const pg_status_t st = pg_eigh_ws_init(&ws->one, n);
    if (st != PG_OK) {
        free(ws->buf);
        ws->buf = NULL;
        return PG_ERR(st, "%s", pg_err_message());
    }
    ws->n = n;
    ws->kmax = kmax;
    return PG_OK;
}

void pg_eigh_batch_ws_free(pg_eigh_batch_ws_t *ws)
{
    if (!ws) return;
    free(ws->buf);
    pg_eigh_ws_free(&ws->one);
    memset(ws, 0, sizeof(*ws));
}

/* The tridiagonal stage of a batch (lockstep kernels) and the eigenvalue scales SC [k]. */
static pg_status_t batch_tridiag(int k, int n, int ld, const double *D, const double *E,
                                 const double *SC, double *w, double *ZT, double *tws)
{
    PG_REQUIRE(pg_tridiag_eig_batch(k, n, D, E, w, ZT, ld, tws) == 0, PG_ERR_NUMERIC,
               "small eigensolver: QL iteration did not converge for a matrix of the batch "
               "(order %d)", n);
    for (int j = 0; j < k; j++)
        for (int s = 0; s < n; s++) w[(size_t)j * n + s] *= SC[j];
    return PG_OK;
}

PG_EIGH_CLONES static pg_status_t batch_core(pg_eigh_batch_ws_t *ws, int k, int n,
                                             const double *amat, double *w,
                                             double complex *const *z)
{
    const int ld = (n + 3) & ~3;
    const size_t nl = (size_t)n * ld;
    double *V = ws->buf, *ZT = V + (size_t)k * nl, *TAU = ZT + (size_t)k * nl;
    double *D = TAU + (size_t)k * n, *E = D + (size_t)k * n, *SC = E + (size_t)k * (n - 1);
    double *a = ws->buf + (size_t)ws->kmax * batch_per(n, ld), *y = a + nl, *p = y + nl;
    double *ef = p + ld, *tws = a + batch_shared(n, ld);
    for (int j = 0; j < k; j++) {
        const double amax = lower_to_full(n, ld, amat + (size_t)j * n * n, a);
        PG_REQUIRE(isfinite(amax), PG_ERR_NUMERIC,
                   "small eigensolver: matrix %d of the batch has NaN or Inf", j);
        real_reduce(n, ld, amax, a, D + (size_t)j * n, ef, V + (size_t)j * nl,
                    TAU + (size_t)j * n, p, SC + j);
        memcpy(E + (size_t)j * (n - 1), ef, sizeof(double) * (size_t)(n - 1));
    }
    PG_CHECK(batch_tridiag(k, n, ld, D, E, SC, w, ZT, tws));
    for (int j = 0; j < k; j++) {
        if (z && z[j])
            real_back(n, ld, V + (size_t)j * nl, TAU + (size_t)j * n, ZT + (size_t)j * nl, y, p,
                      z[j]);
    }
    return PG_OK;
}

pg_status_t pg_eigh_small_real_batch(pg_eigh_batch_ws_t *ws, int k, int n, const double *a,
                                     double *w, double complex *const *z)
{
    PG_REQUIRE(ws->buf && n == ws->n && k >= 0 && k <= ws->kmax, PG_ERR_INTERNAL,
               "small eigensolver: batch workspace (order %d, %d matrices) used for %d of order %d",
               ws->n, ws->kmax, k, n);
    if (!pg_tridiag_available(n)) { /* one by one */
        for (int j = 0; j < k; j++)
            PG_CHECK(pg_eigh_small_real(&ws->one, n, a + (size_t)j * n * n, w + (size_t)j * n,
                                        z ? z[j] : NULL));
        return PG_OK;
    }
    return batch_core(ws, k, n, a, w, z);
}

PG_EIGH_CLONES static pg_status_t herm_batch_core(pg_eigh_batch_ws_t *ws, int k, int n,
                                                  const double *re, const double *im,
                                                  const double *phr, const double *phi,
                                                  double *w, double complex *const *z)
{
    const int ld = (n + 3) & ~3;
    const size_t nl = (size_t)n * ld;
    const size_t n_lo = (size_t)n * (n + 1) / 2, n_sl = (size_t)n * (n - 1) / 2;
    double *VR = ws->buf, *VI = VR + (size_t)k * nl, *ZT = VI + (size_t)k * nl;
    double *TR = ZT + (size_t)k * nl, *TI = TR + (size_t)k * n, *D = TI + (size_t)k * n;
    double *E = D + (size_t)k * n, *SC = E + (size_t)k * (n - 1);
    double *ar = ws->buf + (size_t)ws->kmax * batch_per(n, ld), *ai = ar + nl, *yr = ai + nl;
    double *yi = yr + nl, *pr = yi + nl, *pi = pr + ld, *wr = pi + ld, *wi = wr + ld;
    double *ef = wi + ld, *tws = ar + batch_shared(n, ld);
    for (int j = 0; j < k; j++) {
        const double amax = packed_to_full(n, ld, re + (size_t)j * n_lo, im + (size_t)j * n_sl, ar, ai);
        PG_REQUIRE(isfinite(amax), PG_ERR_NUMERIC,
                   "small eigensolver: matrix %d of the batch has NaN or Inf", j);
        herm_reduce(n, ld, amax, ar, ai, D + (size_t)j * n, ef, VR + (size_t)j * nl,
                    VI + (size_t)j * nl, TR + (size_t)j * n, TI + (size_t)j * n, pr, pi, wr, wi,
                    SC + j);
        memcpy(E + (size_t)j * (n - 1), ef, sizeof(double) * (size_t)(n - 1));
    }
    PG_CHECK(batch_tridiag(k, n, ld, D, E, SC, w, ZT, tws));
    for (int j = 0; j < k; j++) {
        if (z && z[j])
            herm_back(n, ld, VR + (size_t)j * nl, VI + (size_t)j * nl, TR + (size_t)j * n,
                      TI + (size_t)j * n, ZT + (size_t)j * nl, yr, yi, pr, pi,
                      phr ? phr + (size_t)j * n : NULL, phi ? phi + (size_t)j * n : NULL, z[j]);
    }
    return PG_OK;
}

pg_status_t pg_eigh_small_packed_phased_batch(pg_eigh_batch_ws_t *ws, int k, int n,
                                              const double *re, const double *im,
                                              const double *phr, const double *phi, double *w,
                                              double complex *const *z)
{
    PG_REQUIRE(ws->buf && n == ws->n && k >= 0 && k <= ws->kmax, PG_ERR_INTERNAL,
               "small eigensolver: batch workspace (order %d, %d matrices) used for %d of order %d",
               ws->n, ws->kmax, k, n);
    const size_t n_lo = (size_t)n * (n + 1) / 2, n_sl = (size_t)n * (n - 1) / 2;
    if (!pg_tridiag_available(n)) { /* one by one */
        for (int j = 0; j < k; j++)
            PG_CHECK(pg_eigh_small_packed_phased(
                &ws->one, n, re + (size_t)j * n_lo, im + (size_t)j * n_sl,
                phr ? phr + (size_t)j * n : NULL, phi ? phi + (size_t)j * n : NULL,
                w + (size_t)j * n, z ? z[j] : NULL));
        return PG_OK;
    }
    return herm_batch_core(ws, k, n, re, im, phr, phi, w, z);
}
