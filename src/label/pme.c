/* pme.c - smooth particle-mesh Ewald reciprocal sum (pme.h; Essmann et al. 1995).
 *
 * With scaled fractional coordinates u_a = K_a f_a (f = r L⁻¹) the structure factor is
 * interpolated by cardinal B-splines M_p of even order p:
 *     Q(g) = Σ_i q_i Π_a M_p(u_ia - g_a - n_a K_a)          (charge grid, periodic in g)
 *     S(m) ≈ b_0(m_0) b_1(m_1) b_2(m_2) F[Q](m),   |b_a(m)|² = 1/|Σ_{k=0}^{p-2} M_p(k+1) e^{2πimk/K_a}|²
 *     E    = ½ Σ_{m≠0} G(m) |F[Q](m)|²,  G(m) = k_e e^{-π²|m̃|²/α²} / (π V |m̃|²) · Π_a |b_a(m_a)|²
 * where m̃ = Σ_a m_a b_a (reciprocal vectors without 2π, m_a in (-K_a/2, K_a/2]). Forces
 * F_i = -q_i Σ_g (G ⋆ Q)(g) ∇_i Π_a M_p(...) use the analytic derivative
 * M_p'(x) = M_{p-1}(x) - M_{p-1}(x-1) and the convolution G ⋆ Q = F⁻¹[G F[Q]]; the stress is
 * σ_ab = (1/V) Σ_m E_m [-δ_ab + 2 m̃_a m̃_b (1/|m̃|² + π²/α²)] with E_m = ½ G |F[Q]|² (Q is fixed
 * under a homogeneous strain, so this is the exact strain derivative of E). All sums run in a
 * fixed order (atoms, then grid points), so the result is reproducible bit for bit.
 */
#include "label/pme.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "phonograph/pg_cell.h"
#include "phonograph/pg_units.h"

void pme_ws_free(pme_ws_t *ws)
{
    fft3_plan_destroy(&ws->plan);
    free(ws->grid);
    free(ws->rgrid);
    for (int a = 0; a < 3; a++) free(ws->bmod[a]);
    free(ws->theta);
    free(ws->dtheta);
    free(ws->base);
    free(ws->perm);
    free(ws->bucket);
    *ws = (pme_ws_t){0};
}

/* c[j] = M_p(w + j), d[j] = M_p'(w + j), j = 0..p-1, w in [0, 1) (recursion on the order) */
static void bspline(int p, double w, double *c, double *d)
{
    double prev[PME_MAX_ORDER + 1];
    c[0] = 1.0;
    for (int j = 1; j < p; j++) c[j] = 0.0;
    for (int n = 2; n <= p; n++) {
        if (n == p && d) {
            d[0] = c[0];
            for (int j = 1; j < p; j++) d[j] = c[j] - c[j - 1];
        }
        for (int j = 0; j < n; j++) prev[j] = c[j];
        const double inv = 1.0 / (n - 1);
        for (int j = 0; j < n; j++) {
            const double x = w + j;
            const double lo = j > 0 ? prev[j - 1] : 0.0, hi = j < n - 1 ? prev[j] : 0.0;
            c[j] = (x * hi + (n - x) * lo) * inv;
        }
    }
}

/* largest y = α h passing the aliasing bound of pme_choose for order p */
static double max_alpha_h(double eps, int p)
{
    double lo = 0.0, hi = 4.0;
    for (int it = 0; it < 60; it++) {
        const double y = 0.5 * (lo + hi);
        double worst = 0.0;
        for (int s = 1; s <= 400; s++) {
            const double t = 0.5 * s / 400.0;
            const double v = exp(-PG_PI * PG_PI * t * t / (y * y)) * 2.0 * pow(t / (1.0 - t), p);
            if (v > worst) worst = v;
        }
        if (worst <= eps)
            lo = y;
        else
            hi = y;
    }
    return lo;
}

void pme_spacing_table(double accuracy, double y[PME_MAX_ORDER + 1])
{
    for (int p = 0; p <= PME_MAX_ORDER; p++)
        y[p] = (p >= 4 && p % 2 == 0 && accuracy > 0.0 && accuracy < 1.0) ? max_alpha_h(accuracy, p)
                                                                         : 0.0;
}

pg_status_t pme_choose(const double y[PME_MAX_ORDER + 1], double alpha,
                       const double lattice[3][3], int64_t n_atom, int *order, int mesh[3])
{
    PG_REQUIRE(alpha > 0.0, PG_ERR_INPUT, "PME needs alpha > 0 (found %g)", alpha);
    double best = HUGE_VAL;
    *order = 0;
    for (int p = 4; p <= PME_MAX_ORDER; p += 2) {
        const double h = y[p] / alpha;
        if (h <= 0.0) continue;
        int k[3];
        double m_total = 1.0;
        int ok = 1;
        for (int a = 0; a < 3; a++) {
            const double len = sqrt(lattice[a][0] * lattice[a][0] + lattice[a][1] * lattice[a][1] +
                                    lattice[a][2] * lattice[a][2]);
            const double want = ceil(len / h);
            if (want > 1024.0) ok = 0;
            k[a] = fft_good_size((int)(want < p ? p : want));
            m_total *= k[a];
        }
        if (!ok) continue;
        /* spreading + gathering ~ 2 N p³, two complex FFTs ~ 50 M log2 M (weights from timing
         * this code at 320 and 2,560 atoms, ε = 1e-10: the FFT dominates, p = 16 wins there) */
        const double cost = 2.0 * (double)n_atom * p * p * p + 50.0 * m_total * log2(m_total);
        if (cost < best) {
            best = cost;
            *order = p;
            for (int a = 0; a < 3; a++) mesh[a] = k[a];
        }
    }
    PG_REQUIRE(*order > 0, PG_ERR_INPUT,
               "PME cannot reach the requested accuracy with B-splines up to order %d and 1024 "
               "mesh points per axis; use coulomb = ewald",
               PME_MAX_ORDER);
    return PG_OK;
}

static pg_status_t ws_setup(pme_ws_t *ws, int64_t n, int p, const int mesh[3])
{
    if (!ws->plan || ws->order != p || ws->mesh[0] != mesh[0] || ws->mesh[1] != mesh[1] ||
        ws->mesh[2] != mesh[2]) {
        fft3_plan_destroy(&ws->plan);
        free(ws->grid);
        free(ws->rgrid);
        ws->grid = ws->rgrid = NULL;
        for (int a = 0; a < 3; a++) free(ws->bmod[a]), ws->bmod[a] = NULL;
        free(ws->bucket);
        ws->order = 0;
        ws->bucket = malloc(sizeof(int64_t) * ((size_t)mesh[0] * (size_t)mesh[1] + 1));
        PG_REQUIRE(ws->bucket, PG_ERR_NOMEM, "PME atom buckets");
        PG_CHECK(fft3_plan_create(mesh, &ws->plan));
        const size_t total = (size_t)mesh[0] * (size_t)mesh[1] * (size_t)mesh[2];
        ws->grid = malloc(sizeof(double) * 2 * total);
        ws->rgrid = malloc(sizeof(double) * total);
        PG_REQUIRE(ws->grid && ws->rgrid, PG_ERR_NOMEM, "PME grid %d x %d x %d", mesh[0], mesh[1], mesh[2]);
        double c[PME_MAX_ORDER];
        bspline(p, 0.0, c, NULL); /* c[j] = M_p(j) */
        for (int a = 0; a < 3; a++) {
            const int K = mesh[a];
            ws->bmod[a] = malloc(sizeof(double) * (size_t)K);
            PG_REQUIRE(ws->bmod[a], PG_ERR_NOMEM, "PME B-spline moduli");
            for (int m = 0; m < K; m++) {
                double sr = 0.0, si = 0.0;
                for (int k = 0; k <= p - 2; k++) {
                    const double ang = 2.0 * PG_PI * (double)(((int64_t)m * k) % K) / K;
                    sr += c[k + 1] * cos(ang);
                    si += c[k + 1] * sin(ang);
                }
                const double den = sr * sr + si * si;
                PG_REQUIRE(den > 1e-300, PG_ERR_INTERNAL, "B-spline modulus vanishes at m = %d", m);
                ws->bmod[a][m] = 1.0 / den;
            }
            ws->mesh[a] = mesh[a];
        }
        ws->order = p;
    }
    if (n > ws->cap_atom) {
        free(ws->theta);
        free(ws->dtheta);
        free(ws->base);
        free(ws->perm);
        ws->cap_atom = 0;
        ws->perm = malloc(sizeof(int64_t) * (size_t)n);
        ws->theta = malloc(sizeof(double) * 3 * PME_MAX_ORDER * (size_t)n);
        ws->dtheta = malloc(sizeof(double) * 3 * PME_MAX_ORDER * (size_t)n);
        ws->base = malloc(sizeof(int) * 3 * (size_t)n);
        PG_REQUIRE(ws->theta && ws->dtheta && ws->base && ws->perm, PG_ERR_NOMEM,
                   "PME spline tables for %lld atoms", (long long)n);
        ws->cap_atom = n;
    }
    return PG_OK;
}

/* Per-atom kernels with the order P a compile-time constant in each instance (dispatched by
 * for_order), so the p-long row loops are fixed-length and vectorise. Rows that wrap around the
 * cell go through a local copy. Sums use two interleaved partial sums in a fixed order. */
static inline void spread_atom(const int P, double *restrict rg, int64_t k12, int K0, int K1,
                               int K2, const int *b, double qi, const double *restrict th)
{
    const double *restrict t1 = th + PME_MAX_ORDER, *restrict t2 = th + 2 * PME_MAX_ORDER;
    for (int j0 = 0; j0 < P; j0++) {
        const int g0 = b[0] + j0 < 0 ? b[0] + j0 + K0 : b[0] + j0;
        const double t0 = qi * th[j0];
        for (int j1 = 0; j1 < P; j1++) {
            const int g1 = b[1] + j1 < 0 ? b[1] + j1 + K1 : b[1] + j1;
            const double t01 = t0 * t1[j1];
            double *restrict row = rg + g0 * k12 + (int64_t)g1 * K2;
            if (b[2] >= 0) {
                double *restrict r = row + b[2];
                for (int j2 = 0; j2 < P; j2++) r[j2] += t01 * t2[j2];
            } else {
                for (int j2 = 0; j2 < P; j2++) {
                    const int g2 = b[2] + j2 < 0 ? b[2] + j2 + K2 : b[2] + j2;
                    row[g2] += t01 * t2[j2];
                }
            }
        }
    }
}

/* gu[a] = Σ_g φ(g) ∂(θ0 θ1 θ2)/∂u_a over the atom's p³ mesh points */
static inline void gather_atom(const int P, const double *restrict rg, int64_t k12, int K0, int K1,
                               int K2, const int *b, const double *restrict th,
                               const double *restrict dth, double gu[3])
{
    const double *restrict t1 = th + PME_MAX_ORDER, *restrict t2 = th + 2 * PME_MAX_ORDER;
    const double *restrict d1 = dth + PME_MAX_ORDER, *restrict d2 = dth + 2 * PME_MAX_ORDER;
    double v[PME_MAX_ORDER];
    gu[0] = gu[1] = gu[2] = 0.0;
    for (int j0 = 0; j0 < P; j0++) {
        const int g0 = b[0] + j0 < 0 ? b[0] + j0 + K0 : b[0] + j0;
        double a_t = 0.0, a_d1 = 0.0, a_d2 = 0.0; /* sums over j1 of this plane */
        for (int j1 = 0; j1 < P; j1++) {
            const int g1 = b[1] + j1 < 0 ? b[1] + j1 + K1 : b[1] + j1;
            const double *row = rg + g0 * k12 + (int64_t)g1 * K2;
            const double *r = row + b[2];
            if (b[2] < 0) {
                for (int j2 = 0; j2 < P; j2++) v[j2] = row[b[2] + j2 < 0 ? b[2] + j2 + K2 : b[2] + j2];
                r = v;
            }
            double st[2] = {0.0, 0.0}, sd[2] = {0.0, 0.0};
            for (int j2 = 0; j2 < P; j2 += 2)
                for (int l = 0; l < 2; l++) {
                    st[l] += r[j2 + l] * t2[j2 + l];
                    sd[l] += r[j2 + l] * d2[j2 + l];
                }
            const double s_t = st[0] + st[1], s_d = sd[0] + sd[1];
            a_t += t1[j1] * s_t;
            a_d1 += d1[j1] * s_t;
            a_d2 += t1[j1] * s_d;
        }
        gu[0] += dth[j0] * a_t;
        gu[1] += th[j0] * a_d1;
        gu[2] += th[j0] * a_d2;
    }
}

#define FOR_ORDER(p, CALL)                                                                         \
    switch (p) {                                                                                   \
    case 4: CALL(4); break;                                                                        \
    case 6: CALL(6); break;                                                                        \
    case 8: CALL(8); break;                                                                        \
    case 10: CALL(10); break;                                                                      \
    case 12: CALL(12); break;                                                                      \
    case 14: CALL(14); break;                                                                      \
    default: CALL(16); break;                                                                      \
    }

pg_status_t pme_recip(pme_ws_t *ws, const double lattice[3][3], int64_t n, const double (*pos)[3],
                      const double *q, double alpha, int order, const int mesh[3],
                      double *energy, double (*forces)[3], double stress[3][3])
{
    const int p = order;
    PG_REQUIRE(p >= 4 && p <= PME_MAX_ORDER && p % 2 == 0, PG_ERR_INPUT,
               "PME B-spline order must be even and in [4, %d], found %d", PME_MAX_ORDER, p);
    for (int a = 0; a < 3; a++)
        PG_REQUIRE(mesh[a] >= p, PG_ERR_INPUT, "PME mesh %d along axis %d is smaller than the order %d",
                   mesh[a], a, p);
    double inv[3][3];
    PG_CHECK(pg_mat3_inverse(lattice, inv));
    const double vol = fabs(pg_mat3_det(lattice));
    PG_CHECK(ws_setup(ws, n, p, mesh));
    const int K0 = mesh[0], K1 = mesh[1], K2 = mesh[2];
    const int64_t k12 = (int64_t)K1 * K2, total = (int64_t)K0 * k12;
    double *restrict grid = ws->grid;

    /* spline weights per atom and axis, stored reversed so that weight jj belongs to mesh
     * line start_a + jj (start_a = floor(u_a) - p + 1, wrapped): the p lines an atom touches
     * along the inner axis are then one contiguous run unless it wraps around the cell */
    for (int64_t i = 0; i < n; i++) {
        double *th = ws->theta + i * 3 * PME_MAX_ORDER, *dth = ws->dtheta + i * 3 * PME_MAX_ORDER;
        int *b = ws->base + 3 * i;
        for (int a = 0; a < 3; a++) {
            double f = pos[i][0] * inv[0][a] + pos[i][1] * inv[1][a] + pos[i][2] * inv[2][a];
            f -= floor(f);
            const double u = f * mesh[a];
            int iu = (int)floor(u);
            const double w = u - iu;
            if (iu >= mesh[a]) iu -= mesh[a];
            double c[PME_MAX_ORDER], d[PME_MAX_ORDER];
            bspline(p, w, c, d);
            for (int jj = 0; jj < p; jj++) {
                th[a * PME_MAX_ORDER + jj] = c[p - 1 - jj];
                dth[a * PME_MAX_ORDER + jj] = d[p - 1 - jj];
            }
            b[a] = iu - p + 1; /* in [-(p-1), K_a - p] */
        }
    }
    /* visit atoms by mesh row (counting sort on start0 K1 + start1): neighbouring atoms touch
     * the same lines, which keeps large meshes in cache; the order depends only on the input */
    {
        int64_t *bucket = ws->bucket;
        const int64_t nb = (int64_t)K0 * K1;
        memset(bucket, 0, sizeof(int64_t) * (size_t)(nb + 1));
        for (int64_t i = 0; i < n; i++) {
            const int *b = ws->base + 3 * i;
            bucket[(int64_t)(b[0] + p - 1) * K1 + (b[1] + p - 1) + 1]++;
        }
        for (int64_t k = 0; k < nb; k++) bucket[k + 1] += bucket[k];
        for (int64_t i = 0; i < n; i++) {
            const int *b = ws->base + 3 * i;
            ws->perm[bucket[(int64_t)(b[0] + p - 1) * K1 + (b[1] + p - 1)]++] = i;
        }
    }
    /* charge spreading into the real mesh */
    double *restrict rg = ws->rgrid;
    memset(rg, 0, sizeof(double) * (size_t)total);
    for (int64_t ii = 0; ii < n; ii++) {
        const int64_t i = ws->perm[ii];
#define SPREAD(P) spread_atom(P, rg, k12, K0, K1, K2, ws->base + 3 * i, q[i], \
                              ws->theta + i * 3 * PME_MAX_ORDER)
        FOR_ORDER(p, SPREAD)
#undef SPREAD
    }
    for (int64_t g = 0; g < total; g++) {
        grid[2 * g] = rg[g];
        grid[2 * g + 1] = 0.0;
    }

    fft3_execute(ws->plan, grid, -1);

    /* influence function, energy, stress; grid <- G F[Q] */
    const double pref = PG_COULOMB_EV_ANG / (PG_PI * vol), pa2 = PG_PI * PG_PI / (alpha * alpha);
    double e_sum = 0.0, s_sum[3][3] = {{0}};
    for (int m0 = 0; m0 < K0; m0++) {
        const int s0 = m0 <= K0 / 2 ? m0 : m0 - K0;
        for (int m1 = 0; m1 < K1; m1++) {
            const int s1 = m1 <= K1 / 2 ? m1 : m1 - K1;
            const double b01 = ws->bmod[0][m0] * ws->bmod[1][m1];
            double mr[3];
            for (int c = 0; c < 3; c++) mr[c] = s0 * inv[c][0] + s1 * inv[c][1];
            double *row = grid + 2 * ((int64_t)m0 * k12 + (int64_t)m1 * K2);
            for (int m2 = 0; m2 < K2; m2++) {
                const int s2 = m2 <= K2 / 2 ? m2 : m2 - K2;
                if (s0 == 0 && s1 == 0 && s2 == 0) {
                    row[0] = row[1] = 0.0;
                    continue;
                }
                const double mx = mr[0] + s2 * inv[0][2], my = mr[1] + s2 * inv[1][2],
                             mz = mr[2] + s2 * inv[2][2];
                const double m2n = mx * mx + my * my + mz * mz;
                const double g = pref * exp(-pa2 * m2n) / m2n * b01 * ws->bmod[2][m2];
                const double fr = row[2 * m2], fi = row[2 * m2 + 1];
                const double em = 0.5 * g * (fr * fr + fi * fi);
                e_sum += em;
                if (stress) {
                    const double bb = 2.0 * (1.0 / m2n + pa2);
                    const double mv[3] = {mx, my, mz};
                    for (int a = 0; a < 3; a++)
                        for (int c = a; c < 3; c++)
                            s_sum[a][c] += em * ((a == c ? -1.0 : 0.0) + bb * mv[a] * mv[c]);
                }
                row[2 * m2] = g * fr;
                row[2 * m2 + 1] = g * fi;
            }
        }
    }
    *energy += e_sum;
    if (stress)
        for (int a = 0; a < 3; a++)
            for (int c = 0; c < 3; c++) stress[a][c] += (c >= a ? s_sum[a][c] : s_sum[c][a]) / vol;
    if (!forces) return PG_OK;

    fft3_execute(ws->plan, grid, +1); /* real part: φ = ∂E/∂Q */
    for (int64_t g = 0; g < total; g++) rg[g] = grid[2 * g];

    for (int64_t ii = 0; ii < n; ii++) {
        const int64_t i = ws->perm[ii];
        double gu[3]; /* ∂E/∂u_a / q_i */
#define GATHER(P) gather_atom(P, rg, k12, K0, K1, K2, ws->base + 3 * i, \
                              ws->theta + i * 3 * PME_MAX_ORDER, ws->dtheta + i * 3 * PME_MAX_ORDER, gu)
        FOR_ORDER(p, GATHER)
#undef GATHER
        for (int c = 0; c < 3; c++) {
            double d = 0.0;
            for (int a = 0; a < 3; a++) d += gu[a] * mesh[a] * inv[c][a];
            forces[i][c] -= q[i] * d;
        }
    }
    return PG_OK;
}
