/* sampler_qspace.c - the phonon sampler in q-space: small D(q) eigenvectors at the commensurate
 * points of the supercell, and per configuration one small product per q and one discrete
 * Fourier transform over the cells.
 *
 * Construction (pg_phonons.h, ALGORITHMS.md section 6 of ../shared/reference/phonopy): with
 * N cells, primitive atom j of supercell atom k, L_k its cell (integer, primitive basis) and
 * y = sigma xi in the flat mode order of pg_modes_from_commensurate,
 *   u_k = (N m_j)^-1/2 sum_{all commensurate q} F_q(j) exp(2 pi i q.L_k)
 * with F_q(ja) = sum_s e~_s(ja) y_s at ii points (q = -q, real gauge), and for a pair
 * representative F_q(ja) = 2^-1/2 sum_s e_s(ja) exp(2 pi i q.x_j) (y_s1 + i y_s2),
 * F_-q = conj(F_q), so that F_q e^{iqL} + c.c. = sqrt(2) Re[(y1 + i y2) e exp(2 pi i q.r_k)]:
 * phonopy's q/-q pairing (real displacements, variance sigma^2 of each real coordinate).
 * The cells form the group Z^3 / S Z^3 (S the supercell matrix w.r.t. the cell, columns =
 * supercell vectors); a Smith normal form U S V = diag(d) maps L -> g = U L mod d and
 * q -> m = d (U^-T q) mod d with q.L = sum_i m_i g_i / d_i mod 1 (U, V unimodular), so the
 * sum over q is a d0 x d1 x d2 DFT done axis by axis (O(N (d0 + d1 + d2) 3 n_p) per
 * configuration, against O((3 N n_p)^2) for the supercell modes). The set-up checks every
 * phase of the relabelling against exp(2 pi i q.L) directly.
 * Every configuration is a fixed sequence of operations on its own normals, so its values do
 * not depend on the rank, the batch or the draw order. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "phonograph/pg_units.h"
#include "sample/sample_internal.h"

void sampler_qspace_free(sampler_q_t *q)
{
    free(q->is_ii);
    free(q->mode0);
    free(q->grid_q);
    free(q->grid_mq);
    free(q->coef);
    free(q->cell_of);
    free(q->prim_of);
    free(q->scale);
    for (int a = 0; a < 3; a++) free(q->tw[a]);
    memset(q, 0, sizeof *q);
}

/* Diagonalise the integer matrix a by unimodular row (recorded in u) and column operations:
 * u a v = diag(d), d > 0. Divisibility d0 | d1 | d2 is not needed: any diagonal form gives
 * Z^3 / a Z^3 = Z_d0 x Z_d1 x Z_d2. */
static pg_status_t smith_rows(const int smat[3][3], int64_t u[3][3], int d[3])
{
    int64_t a[3][3];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            a[i][j] = smat[i][j];
            u[i][j] = i == j;
        }
    for (int t = 0; t < 3; t++) {
        for (int iter = 0; iter < 1000; iter++) {
            int pi = -1, pj = -1;
            for (int i = t; i < 3; i++)
                for (int j = t; j < 3; j++)
                    if (a[i][j] && (pi < 0 || llabs(a[i][j]) < llabs(a[pi][pj]))) pi = i, pj = j;
            PG_REQUIRE(pi >= 0, PG_ERR_INPUT, "q-space sampler: singular supercell matrix");
            for (int j = 0; j < 3; j++) {
                int64_t x = a[t][j];
                a[t][j] = a[pi][j], a[pi][j] = x;
                x = u[t][j];
                u[t][j] = u[pi][j], u[pi][j] = x;
            }
            for (int i = 0; i < 3; i++) {
                const int64_t x = a[i][t];
                a[i][t] = a[i][pj], a[i][pj] = x;
            }
            int clean = 1;
            for (int i = t + 1; i < 3; i++) {
                const int64_t f = a[i][t] / a[t][t];
                for (int j = 0; j < 3; j++) a[i][j] -= f * a[t][j], u[i][j] -= f * u[t][j];
                clean &= a[i][t] == 0;
            }
            for (int j = t + 1; j < 3; j++) {
                const int64_t f = a[t][j] / a[t][t];
                for (int i = 0; i < 3; i++) a[i][j] -= f * a[i][t];
                clean &= a[t][j] == 0;
            }
            if (clean) break;
        }
        PG_REQUIRE(a[t][t] != 0, PG_ERR_INTERNAL, "q-space sampler: Smith form did not converge");
        if (a[t][t] < 0)
            for (int j = 0; j < 3; j++) a[t][j] = -a[t][j], u[t][j] = -u[t][j];
        PG_REQUIRE(a[t][t] <= (1 << 20), PG_ERR_INPUT, "q-space sampler: supercell too large");
        d[t] = (int)a[t][t];
    }
    return PG_OK;
}

/* Inverse of a unimodular integer matrix (adjugate / det, det = +-1). */
static pg_status_t inverse_unimodular(const int64_t u[3][3], int64_t inv[3][3])
{
    const int64_t det = u[0][0] * (u[1][1] * u[2][2] - u[1][2] * u[2][1]) -
                        u[0][1] * (u[1][0] * u[2][2] - u[1][2] * u[2][0]) +
                        u[0][2] * (u[1][0] * u[2][1] - u[1][1] * u[2][0]);
    PG_REQUIRE(det == 1 || det == -1, PG_ERR_INTERNAL, "q-space sampler: det U = %lld",
               (long long)det);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            const int r0 = (j + 1) % 3, r1 = (j + 2) % 3, c0 = (i + 1) % 3, c1 = (i + 2) % 3;
            inv[i][j] = (u[r0][c0] * u[r1][c1] - u[r0][c1] * u[r1][c0]) * det;
        }
    return PG_OK;
}

static int64_t mod64(int64_t x, int64_t m)
{
    return ((x % m) + m) % m;
}

/* exp(2 pi i k / d), exact at the quarter points so that ii phases are exactly +-1 */
static void twiddle(int k, int d, double w[2])
{
    const int k4 = 4 * k;
    if (k4 % d == 0) {
        static const double re[4] = {1, 0, -1, 0}, im[4] = {0, 1, 0, -1};
        w[0] = re[(k4 / d) % 4];
        w[1] = im[(k4 / d) % 4];
        return;
    }
    const double ph = 2.0 * PG_PI * (double)k / (double)d;
    w[0] = cos(ph);
    w[1] = sin(ph);
}

pg_status_t sampler_qspace_setup(struct pg_sampler *s, const pg_phonon_modes_t *pm,
                                 const int smat[3][3])
{
    pg_status_t st = PG_OK;
    sampler_q_t *q = &s->q;
    int64_t *first = NULL;
    int8_t *seen = NULL;
    PG_REQUIRE(pm && pm->n_s == s->n_atom && pm->n_band == 3 * pm->n_p && pm->n_q >= 1 &&
                   pm->n_ii + 2 * pm->n_pair == pm->n_q && pm->n_rep == pm->n_ii + pm->n_pair,
               PG_ERR_INPUT,
               "q-space sampler: commensurate modes for %lld atoms do not match the "
               "supercell (%lld atoms)",
               pm ? (long long)pm->n_s : -1LL, (long long)s->n_atom);
    int64_t u[3][3], ui[3][3];
    int d[3];
    PG_CHECK(smith_rows(smat, u, d));
    PG_CHECK(inverse_unimodular(u, ui));
    PG_REQUIRE((int64_t)d[0] * d[1] * d[2] == pm->n_q, PG_ERR_INPUT,
               "q-space sampler: supercell matrix has %lld cells, the modes %lld",
               (long long)d[0] * d[1] * d[2], (long long)pm->n_q);
    const int nb = pm->n_band, np = pm->n_p;
    const int64_t N = pm->n_q, n = s->n_mode;
    PG_REQUIRE(N * np == s->n_atom, PG_ERR_INPUT,
               "q-space sampler: %lld cells x %d atoms != %lld "
               "supercell atoms",
               (long long)N, np, (long long)s->n_atom);
    q->n_p = np;
    q->n_band = nb;
    q->n_rep = pm->n_rep;
    memcpy(q->d, d, sizeof d);
    q->n_cell = N; /* from here on pg_sampler_destroy releases q */
    PG_TRY_CALLOC(q->is_ii, q->n_rep, "ii flags");
    PG_TRY_CALLOC(q->mode0, q->n_rep, "mode offsets");
    PG_TRY_CALLOC(q->grid_q, q->n_rep, "q grid");
    PG_TRY_CALLOC(q->grid_mq, q->n_rep, "-q grid");
    PG_TRY_CALLOC(q->coef, q->n_rep * nb * nb * 2, "q coefficients");
    PG_TRY_CALLOC(q->cell_of, s->n_atom, "cells");
    PG_TRY_CALLOC(q->prim_of, s->n_atom, "primitive atoms");
    PG_TRY_CALLOC(q->scale, s->n_atom, "mass scale");
    for (int a = 0; a < 3; a++) {
        PG_TRY_CALLOC(q->tw[a], 2 * d[a], "twiddles");
        for (int k = 0; k < d[a]; k++) twiddle(k, d[a], q->tw[a] + 2 * k);
    }
    PG_TRY_CALLOC(s->freq, n, "frequencies");
    /* cells: g = U L mod d, each (cell, primitive atom) exactly once */
    PG_TRY_CALLOC(first, np, "first atoms");
    PG_TRY_CALLOC(seen, N * np, "cell map");
    for (int j = 0; j < np; j++) first[j] = -1;
    for (int64_t k = 0; k < s->n_atom; k++) {
        const int64_t j = pm->s2pp[k];
        PG_TRY_REQUIRE(j >= 0 && j < np, PG_ERR_INPUT,
                       "q-space sampler: atom %lld has primitive "
                       "index %lld",
                       (long long)k, (long long)j);
        int64_t g[3];
        for (int i = 0; i < 3; i++) {
            int64_t x = 0;
            for (int c = 0; c < 3; c++) x += u[i][c] * (int64_t)llround(pm->lat_frac[k][c]);
            g[i] = mod64(x, d[i]);
        }
        const int64_t cell = g[0] + (int64_t)d[0] * (g[1] + (int64_t)d[1] * g[2]);
        PG_TRY_REQUIRE(!seen[cell * np + j], PG_ERR_INPUT,
                       "q-space sampler: two images of "
                       "primitive atom %lld in one cell",
                       (long long)j);
        seen[cell * np + j] = 1;
        q->cell_of[k] = cell;
        q->prim_of[k] = (int)j;
        PG_TRY_REQUIRE(pm->mass[j] > 0, PG_ERR_INPUT, "q-space sampler: mass <= 0");
        q->scale[k] = 1.0 / sqrt((double)N * pm->mass[j]);
        if (first[j] < 0) first[j] = k;
    }
    /* representatives: grid indices, coefficients with the phase of x_j, flat modes */
    int64_t mode = 0;
    for (int64_t r = 0; r < q->n_rep; r++) {
        const double *qv = pm->q[r];
        int64_t m[3], mm[3];
        for (int i = 0; i < 3; i++) {
            /* h = U^-T q, m = d h (an integer for a commensurate q) */
            double h = 0;
            for (int c = 0; c < 3; c++) h += (double)ui[c][i] * qv[c];
            const double x = h * d[i];
            PG_TRY_REQUIRE(fabs(x - nearbyint(x)) < 1e-6, PG_ERR_INPUT,
                           "q-space sampler: q = (%g %g %g) is not commensurate", qv[0], qv[1],
                           qv[2]);
            m[i] = mod64((int64_t)llround(x), d[i]);
            mm[i] = mod64(-m[i], d[i]);
        }
        q->grid_q[r] = m[0] + (int64_t)d[0] * (m[1] + (int64_t)d[1] * m[2]);
        q->grid_mq[r] = mm[0] + (int64_t)d[0] * (mm[1] + (int64_t)d[1] * mm[2]);
        q->is_ii[r] = pm->is_ii[r];
        PG_TRY_REQUIRE(q->is_ii[r] == (q->grid_q[r] == q->grid_mq[r]), PG_ERR_INTERNAL,
                       "q-space sampler: q = (%g %g %g) ii flag disagrees with its grid point",
                       qv[0], qv[1], qv[2]);
        /* check the relabelled phase of every atom against exp(2 pi i q.L) */
        for (int64_t k = 0; k < s->n_atom; k++) {
            const int64_t cell = q->cell_of[k];
            const int64_t g[3] = {cell % d[0], (cell / d[0]) % d[1], cell / ((int64_t)d[0] * d[1])};
            double ph = 0, phg = 0;
            for (int c = 0; c < 3; c++) {
                ph += qv[c] * pm->lat_frac[k][c];
                phg += (double)(m[c] * g[c] % d[c]) / d[c];
            }
            const double dr = cos(2 * PG_PI * ph) - cos(2 * PG_PI * phg),
                         di = sin(2 * PG_PI * ph) - sin(2 * PG_PI * phg);
            PG_TRY_REQUIRE(fabs(dr) + fabs(di) < 1e-8, PG_ERR_INTERNAL,
                           "q-space sampler: Smith relabelling gives a wrong phase for atom %lld",
                           (long long)k);
        }
        const double *f = pm->freq_thz + r * nb;
        const double complex *e = pm->evec + r * nb * nb;
        double *C = q->coef + r * nb * nb * 2;
        for (int j = 0; j < np; j++) {
            double cr = 1, ci = 0;
            if (!q->is_ii[r]) {
                const int64_t k = first[j];
                PG_TRY_REQUIRE(k >= 0, PG_ERR_INPUT,
                               "q-space sampler: primitive atom %d has no "
                               "image",
                               j);
                double ph = 0;
                for (int c = 0; c < 3; c++) ph += qv[c] * (pm->pos_frac[k][c] - pm->lat_frac[k][c]);
                cr = cos(2 * PG_PI * ph) * sqrt(0.5);
                ci = sin(2 * PG_PI * ph) * sqrt(0.5);
            }
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < nb; b++) {
                    const double complex z = e[(3 * j + a) * nb + b];
                    double *out = C + 2 * ((3 * j + a) * nb + b);
                    out[0] = creal(z) * cr - cimag(z) * ci;
                    out[1] = q->is_ii[r] ? 0.0 : creal(z) * ci + cimag(z) * cr;
                }
        }
        q->mode0[r] = mode;
        for (int b = 0; b < nb; b++) {
            s->freq[mode++] = f[b];
            if (!q->is_ii[r]) s->freq[mode++] = f[b];
        }
    }
    PG_TRY_REQUIRE(mode == n, PG_ERR_INTERNAL, "q-space sampler: %lld of %lld modes",
                   (long long)mode, (long long)n);
    PG_TRY(sampler_mode_policy(s));
cleanup:
    free(first);
    free(seen);
    return st; /* partial arrays are released by pg_sampler_destroy */
}

/* One axis of the DFT: out[.., x, ..] = sum_m in[.., m, ..] w^(m x), ja innermost. */
static void dft_axis(const sampler_q_t *q, int axis, const double *restrict in,
                     double *restrict out)
{
    const int L = q->d[axis], nb = q->n_band;
    const int64_t stride = axis == 0 ? 1 : axis == 1 ? q->d[0] : (int64_t)q->d[0] * q->d[1];
    const double *tw = q->tw[axis];
    for (int64_t base = 0; base < q->n_cell; base++) {
        if ((base / stride) % L) continue;
        for (int x = 0; x < L; x++) {
            double *restrict o = out + 2 * (base + x * stride) * nb;
            memset(o, 0, sizeof(double) * 2 * (size_t)nb);
            for (int m = 0; m < L; m++) {
                const double wr = tw[2 * ((m * x) % L)], wi = tw[2 * ((m * x) % L) + 1];
                const double *restrict v = in + 2 * (base + m * stride) * nb;
                for (int c = 0; c < nb; c++) {
                    o[2 * c] += wr * v[2 * c] - wi * v[2 * c + 1];
                    o[2 * c + 1] += wr * v[2 * c + 1] + wi * v[2 * c];
                }
            }
        }
    }
}

void sampler_qspace_apply(const struct pg_sampler *s, const double *y, double *u, double *work)
{
    const sampler_q_t *q = &s->q;
    const int nb = q->n_band;
    double *F = work, *T = work + 2 * s->n_mode;
    /* F_q for every commensurate q (all grid points are filled: each q is a representative or
     * the -q of one) */
    for (int64_t r = 0; r < q->n_rep; r++) {
        const double *C = q->coef + r * nb * nb * 2, *yr = y + q->mode0[r];
        double *Fq = F + 2 * q->grid_q[r] * nb;
        if (q->is_ii[r]) {
            for (int i = 0; i < nb; i++) {
                const double *row = C + 2 * i * nb;
                double acc = 0;
                for (int b = 0; b < nb; b++) acc += row[2 * b] * yr[b];
                Fq[2 * i] = acc;
                Fq[2 * i + 1] = 0;
            }
        } else {
            double *Fm = F + 2 * q->grid_mq[r] * nb;
            for (int i = 0; i < nb; i++) {
                const double *row = C + 2 * i * nb;
                double re = 0, im = 0;
                for (int b = 0; b < nb; b++) {
                    const double y1 = yr[2 * b], y2 = yr[2 * b + 1];
                    re += row[2 * b] * y1 - row[2 * b + 1] * y2;
                    im += row[2 * b] * y2 + row[2 * b + 1] * y1;
                }
                Fq[2 * i] = re;
                Fq[2 * i + 1] = im;
                Fm[2 * i] = re;
                Fm[2 * i + 1] = -im;
            }
        }
    }
    double *in = F, *out = T;
    for (int axis = 0; axis < 3; axis++) {
        if (q->d[axis] == 1) continue;
        dft_axis(q, axis, in, out);
        double *t = in;
        in = out;
        out = t;
    }
    for (int64_t k = 0; k < s->n_atom; k++) {
        const double *v = in + 2 * (q->cell_of[k] * nb + 3 * q->prim_of[k]);
        for (int a = 0; a < 3; a++) u[3 * k + a] = v[2 * a] * q->scale[k];
    }
}

/* One standard normal per mode in flat mode order (excluded modes too, so that the stream
 * layout does not depend on the policy), y = sigma xi, then the linear map. */
void sampler_qspace_displace(const struct pg_sampler *s, int64_t c, int attempt, double *u,
                             double *work)
{
    const int64_t n = s->n_mode, t = c / s->o.n_per_condition;
    const double *sig = s->sigma + t * n;
    double *y = work + 4 * n;
    pg_rng_t rng;
    pg_rng_init(&rng, s->o.seed, s->tag_phonon, (uint64_t)c, (uint64_t)attempt);
    pg_rng_fill_normal(&rng, y, n);
    for (int64_t m = 0; m < n; m++) y[m] *= sig[m];
    sampler_qspace_apply(s, y, u, work);
}
