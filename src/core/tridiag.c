/* tridiag.c - eigenvalues and eigenvectors of many small real symmetric tridiagonal matrices at
 * once (see pg_tridiag.h).
 *
 * Lockstep SIMD implicit QL with Wilkinson shifts: SIMD lane q = matrix q. All lanes sweep the
 * same row index i at the same time; a lane whose active window [l, m) does not contain i gets an
 * exact identity rotation (its d, e are kept through blends), so a lane's arithmetic never depends
 * on the other lanes and a result does not depend on which matrices share its batch. The
 * recurrences are the classic QL ones (tql2: Bowdler, Martin, Reinsch, Wilkinson 1968; Golub & Van
 * Loan §8.3). The rotations (c, s) of one sweep are stored and applied to the eigenvector block
 * during the NEXT sweep, in slices of components, with the row carried from step to step kept in
 * registers (as LAPACK's dlasr does), so the vector work overlaps the square-root/division chain
 * of the rotations, which is what bounds a single small QL. Each matrix is scaled by an exact power
 * of two first.
 *
 * The file includes itself once per instruction set to generate the kernels: AVX-512 (8 lanes),
 * AVX2+FMA (2 x 4 lanes) and SSE2 (2 x 2 lanes, no FMA), chosen at run time with
 * __builtin_cpu_supports. The single-matrix entry point is a scalar QL with exactly the same
 * operation sequence, so on AVX2/AVX-512 machines every path gives the same bits for a matrix
 * (test/unit/test_eigh checks it); the SSE2 kernel differs in the last bits (no FMA). x86-64 with
 * GCC or Clang only; elsewhere pg_tridiag_available() is 0 and callers use their scalar QL. */
#if !defined(TRI_KERNEL_PASS) && !(defined(__x86_64__) && defined(__GNUC__))
#include "phonograph/pg_tridiag.h"
/* not x86-64 with GCC/Clang: no kernels; callers use their scalar QL */
size_t pg_tridiag_ws_size(int n)
{
    return (size_t)(n > 0 ? n : 1);
}
int pg_tridiag_available(int n)
{
    (void)n;
    return 0;
}
int pg_tridiag_eig_batch_isa(int isa, int k, int n, const double *d, const double *e, double *w,
                             double *zt, int ld, double *ws)
{
    return -2;
}
int pg_tridiag_eig_batch(int k, int n, const double *d, const double *e, double *w, double *zt,
                         int ld, double *ws)
{
    return -2;
}
int pg_tridiag_eig(int n, const double *d, const double *e, double *w, double *zt, int ld,
                   double *ws)
{
    return -2;
}
#elif !defined(TRI_KERNEL_PASS)
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <immintrin.h>
#include "phonograph/pg_tridiag.h"

#define KCAT2(a, b) a##b
#define KCAT(a, b) KCAT2(a, b)
#define NMAX PG_TRIDIAG_MAX_N
#define MAXIT 60
#ifndef V4H
#define V4H                                                                                        \
    1 /* zmm chains interleaved per AVX-512 block (1 was fastest once Z updates are deferred) */
#endif
#ifndef V3H
#define V3H 2
#endif
#define WMAX                                                                                       \
    (8 * V4H > 4 * V3H ? 8 * V4H : 4 * V3H) /* lanes per block, upper bound over all paths */
typedef double vd8 __attribute__((vector_size(64)));
typedef long long vl8 __attribute__((vector_size(64)));
typedef double vd4 __attribute__((vector_size(32)));
typedef long long vl4 __attribute__((vector_size(32)));
typedef double vd2 __attribute__((vector_size(16)));
typedef long long vl2 __attribute__((vector_size(16)));

/* The exact power-of-two scaling of one matrix (max |d|, |e| near 1; none for 0 or non-finite):
 * multiply by *scl before, by *uns after. */
static void pow2_scale(int n, const double *d, const double *e, double *scl, double *uns)
{
    double a = 0;
    for (int i = 0; i < n; i++) a = fabs(d[i]) > a ? fabs(d[i]) : a;
    for (int i = 0; i < n - 1; i++) a = fabs(e[i]) > a ? fabs(e[i]) : a;
    int ex = 0;
    if (a > 0 && a <= DBL_MAX) {
        (void)frexp(a, &ex);
        if (ex > 1000) ex = 1000;
        if (ex < -1000) ex = -1000;
    }
    *scl = ldexp(1.0, -ex);
    *uns = ldexp(1.0, ex);
}

size_t pg_tridiag_ws_size(int n)
{
    if (n < 1) n = 1;
    return (size_t)WMAX * ((size_t)n * n + 8 * (size_t)n) + 8;
}

/* ---- AVX-512: 8 lanes per zmm, V4H zmm chains interleaved ---- */
#define TRI_KERNEL_PASS 1
#define VW 8
#define H V4H
#define vd vd8
#define vl vl8
#define KNAME block_v4
#define KATTR __attribute__((target("arch=x86-64-v4")))
#define VSQRT(x) ((vd)_mm512_sqrt_pd((__m512d)(x)))
#define VFMA(a, b, c) ((vd)_mm512_fmadd_pd((__m512d)(a), (__m512d)(b), (__m512d)(c)))
#include "tridiag.c" /* this file again, next kernel */
/* ---- AVX2 + FMA: 4 lanes per ymm, V3H chains ---- */
#define VW 4
#define H V3H
#define vd vd4
#define vl vl4
#define KNAME block_v3
#define KATTR __attribute__((target("arch=x86-64-v3")))
#define VSQRT(x) ((vd)_mm256_sqrt_pd((__m256d)(x)))
#define VFMA(a, b, c) ((vd)_mm256_fmadd_pd((__m256d)(a), (__m256d)(b), (__m256d)(c)))
#include "tridiag.c" /* this file again, next kernel */
/* ---- baseline SSE2, no FMA (results differ in last bits from the FMA paths): 2 lanes x 2 ---- */
#define VW 2
#define H 2
#define vd vd2
#define vl vl2
#define KNAME block_v1
#define KATTR
#define VSQRT(x) ((vd)_mm_sqrt_pd((__m128d)(x)))
#define VFMA(a, b, c) ((a) * (b) + (c))
#include "tridiag.c" /* this file again, next kernel */

/* ---- single matrix: plain scalar QL, same operation sequence as the lane kernels (=> same bits as
   the AVX2/AVX-512 batch paths), rotations applied to the eigenvector rows immediately (vectorised
   over components).  Z row-major: Z[i*n + u] = component u of vector i. ---- */
__attribute__((target("arch=x86-64-v3"))) static int
single_v3(int n, const double *d0, const double *e0, double *w, double *zt, int ld, double *ws)
{
    double *restrict D = ws, *restrict E = ws + n, *restrict Z = ws + 2 * n;
    double scl, uns;
    pow2_scale(n, d0, e0, &scl, &uns);
    for (int i = 0; i < n; i++) {
        D[i] = d0[i] * scl;
        E[i] = i < n - 1 ? e0[i] * scl : 0.0;
    }
    memset(Z, 0, sizeof(double) * n * n);
    for (int i = 0; i < n; i++) Z[i * n + i] = 1.0;
    const double eps = DBL_EPSILON;
    int L = 0, it = 0, failed = 0;
    for (;;) {
        int l = L, m;
        while (l < n - 1 && fabs(E[l]) <= eps * (fabs(D[l]) + fabs(D[l + 1]))) l++;
        if (l >= n - 1) break;
        for (m = l + 1; m < n - 1; m++)
            if (fabs(E[m]) <= eps * (fabs(D[m]) + fabs(D[m + 1]))) break;
        if (l != L) it = 0;
        L = l;
        if (++it > MAXIT) {
            failed = 1;
            break;
        }
        const double dl = D[l], dl1 = D[l + 1], el = E[l];
        const double gs = (dl1 - dl) / (2.0 * el);
        const double r = _mm_cvtsd_f64(_mm_sqrt_pd(_mm_set_sd(__builtin_fma(gs, gs, 1.0))));
        const double sig = dl - el / (gs + copysign(r, gs));
        double sv = 1.0, c = 1.0, p = 0.0, g = D[m] - sig;
        for (int i = m - 1; i >= l; i--) {
            const double ei = E[i], di = D[i], dn = D[i + 1];
            const double f = sv * ei, b = c * ei, b2 = b + b;
            const double r2 = __builtin_fma(f, f, g * g);
            const double rr = _mm_cvtsd_f64(_mm_sqrt_pd(_mm_set_sd(r2)));
            const double ri = rr * (1.0 / r2);
            if (r2 == 0.0) {
                sv = 0.0;
                c = 1.0;
            } else {
                sv = f * ri;
                c = g * ri;
            }
            E[i + 1] = i == m - 1 ? 0.0 : rr;
            const double gg = dn - p;
            const double t = __builtin_fma(di - gg, sv, c * b2);
            p = sv * t;
            D[i + 1] = gg + p;
            g = __builtin_fma(c, t, -b);
            if (i == l) {
                D[l] = di - p;
                E[l] = g;
            }
            double *restrict z0 = Z + (size_t)i * n, *restrict z1 = z0 + n;
            const double cc = c, ss = sv;
            for (int u = 0; u < n; u++) {
                const double y = z0[u], x = z1[u];
                z1[u] = __builtin_fma(ss, y, cc * x);
                z0[u] = __builtin_fma(cc, y, -(ss * x));
            }
        }
    }
    for (int i = 0; i < n; i++) {
        const double di = D[i];
        int rk = 0;
        for (int j = 0; j < i; j++) rk += D[j] <= di;
        for (int j = i + 1; j < n; j++) rk += D[j] < di;
        rk = rk > n - 1 ? n - 1 : rk;
        w[rk] = di * uns;
        double *dst = zt + (size_t)rk * ld;
        for (int r = 0; r < n; r++) dst[r] = Z[(size_t)i * n + r] + 0.0;
        for (int r = n; r < ld; r++) dst[r] = 0.0;
    }
    return failed ? -1 : 0;
}

int pg_tridiag_available(int n)
{
    return n >= 1 && n <= NMAX;
}

typedef int (*kern_t)(int, int, const double *, const double *, double *, double *, int,
                      void *restrict);

int pg_tridiag_eig_batch_isa(int isa, int k, int n, const double *d, const double *e, double *w,
                             double *zt, int ld, double *ws)
{
    if (n < 1 || n > NMAX || ld < n || k < 0) return -1;
    kern_t kern;
    int W;
    __builtin_cpu_init();
    if (isa == 0)
        isa = __builtin_cpu_supports("x86-64-v4") ? 4 : __builtin_cpu_supports("x86-64-v3") ? 3 : 1;
    if (isa == 4 && __builtin_cpu_supports("x86-64-v4")) {
        kern = block_v4;
        W = 8 * V4H;
    } else if (isa == 3 && __builtin_cpu_supports("x86-64-v3")) {
        kern = block_v3;
        W = 4 * V3H;
    } else if (isa == 1) {
        kern = block_v1;
        W = 4;
    } else
        return -2; /* this CPU lacks the requested instruction set */
    void *wsa = (void *)(((uintptr_t)ws + 63) & ~(uintptr_t)63);
    int ret = 0;
    const int es = n - 1;
    for (int j = 0; j < k; j += W) {
        const int nb = k - j < W ? k - j : W;
        if (kern(nb, n, d + (size_t)j * n, e + (size_t)j * es, w + (size_t)j * n,
                 zt + (size_t)j * n * ld, ld, wsa))
            ret = -1;
    }
    return ret;
}

int pg_tridiag_eig_batch(int k, int n, const double *d, const double *e, double *w, double *zt,
                         int ld, double *ws)
{
    return pg_tridiag_eig_batch_isa(0, k, n, d, e, w, zt, ld, ws);
}

int pg_tridiag_eig(int n, const double *d, const double *e, double *w, double *zt, int ld,
                   double *ws)
{
    if (n < 1 || n > NMAX || ld < n) return -1;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("x86-64-v3")) return single_v3(n, d, e, w, zt, ld, ws);
    return pg_tridiag_eig_batch_isa(1, 1, n, d, e, w, zt, ld, ws);
}

#else /* ================= kernel pass (VW lanes per vector, H vectors interleaved, vd, vl, KNAME, \
         KATTR, VSQRT, VFMA) ================= */
#define W (VW * H)
#define vabs(x) ((vd)((vl)(x)&0x7fffffffffffffffLL))
#define vsel(m, a, b) ((vd)(((m) & (vl)(a)) | (~(m) & (vl)(b))))
#define lsel(m, a, b) (((m) & (a)) | (~(m) & (b)))
#define vcopysign(mag, sgn)                                                                        \
    ((vd)(((vl)(mag)&0x7fffffffffffffffLL) | ((vl)(sgn) & (long long)0x8000000000000000ULL)))
#define FORH for (int h = 0; h < H; h++)
/* apply rotations (rc, rs) = CS[i], i = pmax..pmin (descending) to rows pmin..pmax+1 of Z,
   components [ub, ue); dlasr-style: the row carried from step to step stays in registers */
static inline KATTR __attribute__((always_inline)) void
KCAT(zapply_, KNAME)(vd *restrict Z, const vd *restrict CS, int n, int pmax, int pmin, int ub,
                     int ue)
{
    int u = ub;
    for (; u + 2 <= ue; u += 2)
        for (int h = 0; h < H; h++) {
            vd x0 = Z[((pmax + 1) * n + u) * H + h], x1 = Z[((pmax + 1) * n + u + 1) * H + h];
            for (int i = pmax; i >= pmin; i--) {
                const vd cc = CS[2 * (i * H + h)], ss = CS[2 * (i * H + h) + 1];
                vd *zr = Z + ((size_t)i * n + u) * H + h;
                const vd y0 = zr[0], y1 = zr[H];
                zr[n * H] = VFMA(ss, y0, cc * x0);
                zr[n * H + H] = VFMA(ss, y1, cc * x1);
                x0 = VFMA(cc, y0, -(ss * x0));
                x1 = VFMA(cc, y1, -(ss * x1));
            }
            Z[(pmin * n + u) * H + h] = x0;
            Z[(pmin * n + u + 1) * H + h] = x1;
        }
    for (; u < ue; u++)
        for (int h = 0; h < H; h++) {
            vd x0 = Z[((pmax + 1) * n + u) * H + h];
            for (int i = pmax; i >= pmin; i--) {
                const vd cc = CS[2 * (i * H + h)], ss = CS[2 * (i * H + h) + 1];
                vd *zr = Z + ((size_t)i * n + u) * H + h;
                const vd y0 = zr[0];
                zr[n * H] = VFMA(ss, y0, cc * x0);
                x0 = VFMA(cc, y0, -(ss * x0));
            }
            Z[(pmin * n + u) * H + h] = x0;
        }
}
#define zapply KCAT(zapply_, KNAME)
/* one block of up to W = VW*H matrices (nb of them valid); lane q -> vector h = q / VW, element q %
 * VW */
static KATTR int KNAME(int nb, int n, const double *d, const double *e, double *w, double *zt,
                       int ld, void *restrict wsv)
{
    vd *restrict ws = (vd *)wsv;
    /* D[i*H+h], E[i*H+h], Z[(row*n+t)*H+h] */
    vd *restrict D = ws, *restrict E = ws + n * H, *CS = ws + 2 * n * H,
                 *CSp = ws + 4 * n * H, *restrict Z = ws + 6 * n * H;
    int pmax = 0, pmin = 0, havep = 0;
    const int es = n - 1;
    double scl[W], uns[W];
    /* load + exact power-of-two scaling to max|T| ~ 1 (per matrix, exact) */
    for (int q = 0; q < W; q++) {
        scl[q] = uns[q] = 1;
        if (q < nb) pow2_scale(n, d + (size_t)q * n, e + (size_t)q * es, &scl[q], &uns[q]);
    }
    for (int i = 0; i < n; i++) FORH
        {
            vd x, y;
            for (int r = 0; r < VW; r++) {
                const int q = h * VW + r;
                x[r] = q < nb ? d[(size_t)q * n + i] * scl[q] : 0.0;
                y[r] = (q < nb && i < n - 1) ? e[(size_t)q * es + i] * scl[q] : 0.0;
            }
            D[i * H + h] = x;
            E[i * H + h] = y;
        }
    const vd vz = {0}, v1 = vz + 1.0;
    for (int i = 0; i < n * n * H; i++) Z[i] = vz;
    for (int i = 0; i < n; i++) FORH Z[(i * n + i) * H + h] = v1;

    const vl jv0 = {0}, nm1 = jv0 + (n - 1);
    vl L[H], it[H], failed[H], M[H], act[H];
    FORH
    {
        L[h] = jv0;
        it[h] = jv0;
        failed[h] = jv0;
    }
    const double eps = DBL_EPSILON;

    int j0 = 0;
    for (;;) {
        /* deflation scan: per lane, l = first j >= L with e[j] not negligible;
           m = first j > l with e[j] negligible (or n-1) */
        vl fl[H], fm[H], nl[H], mm[H];
        FORH
        {
            fl[h] = jv0;
            fm[h] = jv0;
            nl[h] = nm1;
            mm[h] = nm1;
        }
        for (int j = j0; j < n; j++) {
            const vl jv = jv0 + j;
            FORH
            {
                vl sm;
                if (j < n - 1)
                    sm = (vl)(vabs(E[j * H + h]) <=
                              eps * (vabs(D[j * H + h]) + vabs(D[(j + 1) * H + h])));
                else
                    sm = jv0 - 1;
                const vl setl = (jv >= L[h]) & ~fl[h] & ~sm;
                nl[h] = lsel(setl, jv, nl[h]);
                fl[h] |= setl;
                const vl setm = fl[h] & ~fm[h] & sm;
                mm[h] = lsel(setm, jv, mm[h]);
                fm[h] |= setm;
            }
        }
        vl anyv = jv0, bad = jv0, mx = jv0, mn = nm1;
        FORH
        {
            it[h] = lsel(nl[h] != L[h], jv0, it[h]);
            L[h] = nl[h];
            act[h] = fl[h];
            it[h] = lsel(act[h], it[h] + 1, it[h]);
            const vl b = act[h] & (it[h] > MAXIT);
            failed[h] |= b;
            act[h] &= ~b;
            bad |= b;
            L[h] = lsel(b, nm1, L[h]);
            M[h] = lsel(act[h], mm[h], jv0);
            anyv |= act[h];
            mx = lsel(mx > M[h], mx, M[h]);
            const vl la = lsel(act[h], L[h], nm1);
            mn = lsel(mn < la, mn, la);
        }
        long long anys = 0, imx = 0, imn = n - 1;
        for (int r = 0; r < VW; r++) {
            anys |= anyv[r];
            imx = mx[r] > imx ? mx[r] : imx;
            imn = mn[r] < imn ? mn[r] : imn;
        }
        if (!anys) {
            if (havep) zapply(Z, CSp, n, pmax, pmin, 0, n);
            break;
        }
        const int imax = (int)imx - 1, imin = (int)imn;
        j0 = imin;
        /* Wilkinson-type shift from the 2x2 at l (as in tql2) */
        vd sig[H], s[H], c[H], p[H], g[H], dn[H], en[H];
        FORH
        {
            vd dl = vz, dl1 = vz, el = v1;
            for (int j = imin; j <= imax; j++) {
                const vl hm = (jv0 + j) == L[h];
                dl = vsel(hm, D[j * H + h], dl);
                dl1 = vsel(hm, D[(j + 1) * H + h], dl1);
                el = vsel(hm, E[j * H + h], el);
            }
            el = vsel(act[h], el, v1);
            const vd gs = (dl1 - dl) / (2.0 * el);
            const vd r = VSQRT(VFMA(gs, gs, v1));
            sig[h] = dl - el / (gs + vcopysign(r, gs));
            s[h] = v1;
            c[h] = v1;
            p[h] = vz;
            g[h] = vz;
            /* dn, en: current D[i+1], E[i+1] carried in registers (keeps memory off the chain) */
            dn[h] = D[(imax + 1) * H + h];
            en[h] = E[(imax + 1) * H + h];
        }
        const int S = imax - imin + 1;
        for (int i = imax; i >= imin; i--) {
            if (havep) {
                const int k = imax - i;
                zapply(Z, CSp, n, pmax, pmin, (k * n) / S, ((k + 1) * n) / S);
            }
            const vl iv = jv0 + i;
            vd rs[H], rc[H];
            FORH
            {
                const vl a = act[h] & (iv >= L[h]) & (iv < M[h]);
                const vl st = iv == (M[h] - 1);
                const vl fin = a & (iv == L[h]);
                const vd ei = E[i * H + h], di = D[i * H + h];
                vd sh = vsel(st, v1, s[h]), ch = vsel(st, v1, c[h]), ph = vsel(st, vz, p[h]);
                const vd gh = vsel(st, dn[h] - sig[h], g[h]);
                const vd f = sh * ei, b = ch * ei, b2 = b + b;
                const vd r2 = VFMA(f, f, gh * gh);
                const vd rr = VSQRT(r2);
                const vd ri = rr * (1.0 / r2);
                const vl z = r2 == 0.0;
                sh = vsel(z, vz, f * ri);
                ch = vsel(z, v1, gh * ri);
                E[(i + 1) * H + h] = vsel(a, vsel(st, vz, rr), en[h]);
                const vd gg = dn[h] - ph;
                const vd t = VFMA(di - gg, sh, ch * b2); /* == (2c)*b exactly */
                ph = sh * t;
                D[(i + 1) * H + h] = vsel(a, gg + ph, dn[h]);
                g[h] = VFMA(ch, t, -b);
                dn[h] = vsel(fin, di - ph, di);
                en[h] = vsel(fin, g[h], ei);
                s[h] = sh;
                c[h] = ch;
                p[h] = ph;
                rs[h] = vsel(a, sh, vz);
                rc[h] = vsel(a, ch, v1);
            }
            FORH
            {
                CS[2 * (i * H + h)] = rc[h];
                CS[2 * (i * H + h) + 1] = rs[h];
            }
        }
        /* this sweep's rotations are applied to Z during the next sweep (or after the last one) */
        {
            vd *t_ = CSp;
            CSp = CS;
            CS = t_;
        }
        pmax = imax;
        pmin = imin;
        havep = 1;
        FORH
        {
            D[imin * H + h] = dn[h];
            E[imin * H + h] = en[h];
        }
    }
    /* output: rank of each eigenvalue (ascending, ties by index) computed branch-free across lanes
     */
    {
        vl *restrict R = (vl *)CS; /* reuse: n*H rank vectors */
        for (int i = 0; i < n; i++) FORH
            {
                const vd di = D[i * H + h];
                vl rk = jv0;
                for (int j = 0; j < i; j++) rk -= (vl)(D[j * H + h] <= di);
                for (int j = i + 1; j < n; j++) rk -= (vl)(D[j * H + h] < di);
                R[i * H + h] = rk;
            }
        const long long *Rl = (const long long *)R;
        const double *Dd = (const double *)D, *Zd = (const double *)Z;
        for (int q = 0; q < nb; q++) {
            const int h = q / VW, r0 = q % VW;
            double *wq = w + (size_t)q * n, *zq = zt + (size_t)q * n * ld;
            for (int i = 0; i < n; i++) {
                long long rk = Rl[((size_t)i * H + h) * VW + r0];
                rk = rk < 0 ? 0 : rk > n - 1 ? n - 1 : rk; /* only matters for NaN (failed) lanes */
                wq[rk] = Dd[((size_t)i * H + h) * VW + r0] * uns[q];
                const double *src = Zd + ((size_t)i * n * H + h) * VW + r0;
                double *dst = zq + (size_t)rk * ld;
                for (int r = 0; r < n; r++)
                    dst[r] =
                        src[(size_t)r * H * VW] + 0.0; /* +0.0: -0 -> +0 (batch independence) */
                for (int r = n; r < ld; r++) dst[r] = 0.0;
            }
        }
    }
    long long fl_ = 0;
    FORH for (int r = 0; r < VW; r++) fl_ |= failed[h][r];
    return fl_ ? -1 : 0;
}
#undef W
#undef vabs
#undef vsel
#undef lsel
#undef vcopysign
#undef FORH
#undef zapply
/* the parameters of this pass, so the next one can set them */
#undef VW
#undef H
#undef vd
#undef vl
#undef KNAME
#undef KATTR
#undef VSQRT
#undef VFMA
#endif
