/* phonons.c - q-point sets, DOS, thermal properties, thermal displacements, commensurate
 * modes (see pg_phonons.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "phonograph/pg_phonons.h"
#include "phonograph/pg_units.h"

void pg_qset_free(pg_qset_t *qs)
{
    if (!qs) return;
    free(qs->q);
    free(qs->weight);
    memset(qs, 0, sizeof(*qs));
}

static pg_status_t qset_alloc(pg_qset_t *qs, int64_t n)
{
    pg_status_t st = PG_OK;
    memset(qs, 0, sizeof(*qs));
    PG_TRY_CALLOC(qs->q, n, "q-points");
    PG_TRY_CALLOC(qs->weight, n, "q weights");
    qs->n_q = n;
    return PG_OK;
cleanup:
    pg_qset_free(qs);
    return st;
}

void pg_phonon_mp_shift(const int mesh[3], int gamma_centred, int shift[3])
{
    for (int c = 0; c < 3; c++) shift[c] = (!gamma_centred && mesh[c] % 2 == 0) ? 1 : 0;
}

pg_status_t pg_phonon_mesh(const int mesh[3], const int shift[3], pg_qset_t *out)
{
    PG_REQUIRE(mesh[0] > 0 && mesh[1] > 0 && mesh[2] > 0, PG_ERR_INPUT,
               "mesh must be positive, got %d %d %d", mesh[0], mesh[1], mesh[2]);
    int64_t n = (int64_t)mesh[0] * mesh[1] * mesh[2];
    PG_CHECK(qset_alloc(out, n));
    int64_t t = 0;
    for (int g2 = 0; g2 < mesh[2]; g2++)
        for (int g1 = 0; g1 < mesh[1]; g1++)
            for (int g0 = 0; g0 < mesh[0]; g0++, t++) {
                int g[3] = {g0, g1, g2};
                for (int c = 0; c < 3; c++) out->q[t][c] = (g[c] + 0.5 * shift[c]) / mesh[c];
                out->weight[t] = 1.0;
            }
    return PG_OK;
}

static int64_t wrapi(int64_t x, int m) { return ((x % m) + m) % m; }

pg_status_t pg_phonon_mesh_ir(const int mesh[3], const int shift[3], int n_rot,
                              const int (*rot)[3][3], int time_reversal, pg_qset_t *out)
{
    pg_status_t st = PG_OK;
    int64_t *map = NULL, *cnt = NULL;
    PG_REQUIRE(mesh[0] > 0 && mesh[1] > 0 && mesh[2] > 0, PG_ERR_INPUT,
               "mesh must be positive, got %d %d %d", mesh[0], mesh[1], mesh[2]);
    int64_t n = (int64_t)mesh[0] * mesh[1] * mesh[2];
    PG_TRY_CALLOC(map, n, "mesh map");
    PG_TRY_CALLOC(cnt, n, "mesh weights");
    for (int64_t t = 0; t < n; t++) {
        int64_t g[3] = {t % mesh[0], (t / mesh[0]) % mesh[1], t / ((int64_t)mesh[0] * mesh[1])};
        int64_t D[3];
        for (int c = 0; c < 3; c++) D[c] = 2 * g[c] + shift[c];
        int64_t best = t;
        for (int r = 0; r < n_rot; r++) {
            int64_t Dp[3];
            for (int c = 0; c < 3; c++) /* q' = Wᵀ q on the doubled grid */
                Dp[c] = rot[r][0][c] * D[0] + rot[r][1][c] * D[1] + rot[r][2][c] * D[2];
            for (int tr = 0; tr < (time_reversal ? 2 : 1); tr++) {
                int ok = 1;
                int64_t idx = 0, stride = 1;
                for (int c = 0; c < 3; c++) {
                    int64_t d = tr ? -Dp[c] : Dp[c];
                    if (((d - shift[c]) % 2 + 2) % 2) { ok = 0; break; }
                    idx += wrapi((d - shift[c]) / 2, mesh[c]) * stride;
                    stride *= mesh[c];
                }
                if (ok && idx < best) best = idx;
            }
        }
        /* orbits: follow to the smallest member (the representative of a smaller index is
         * already final) */
        map[t] = best < t ? map[best] : best;
        cnt[map[t]]++;
    }
    int64_t n_ir = 0;
    for (int64_t t = 0; t < n; t++) n_ir += map[t] == t;
    PG_TRY(qset_alloc(out, n_ir));
    int64_t s = 0;
    for (int64_t t = 0; t < n; t++) {
        if (map[t] != t) continue;
        int64_t g[3] = {t % mesh[0], (t / mesh[0]) % mesh[1], t / ((int64_t)mesh[0] * mesh[1])};
        for (int c = 0; c < 3; c++) out->q[s][c] = (g[c] + 0.5 * shift[c]) / mesh[c];
        out->weight[s] = (double)cnt[t];
        s++;
    }
cleanup:
    free(map);
    free(cnt);
    return st;
}

static int cmp_q(const void *a, const void *b)
{
    const double *x = a, *y = b;
    for (int c = 0; c < 3; c++) {
        if (x[c] < y[c] - 1e-9) return -1;
        if (x[c] > y[c] + 1e-9) return 1;
    }
    return 0;
}

pg_status_t pg_phonon_commensurate(const int smat[3][3], pg_qset_t *out)
{
    pg_status_t st = PG_OK;
    double(*q)[3] = NULL;
    double S[3][3], SinvT[3][3], inv[3][3];
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) S[a][b] = smat[a][b];
    PG_CHECK(pg_mat3_inverse(S, inv));
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) SinvT[a][b] = inv[b][a];
    double det = S[0][0] * (S[1][1] * S[2][2] - S[1][2] * S[2][1]) -
                 S[0][1] * (S[1][0] * S[2][2] - S[1][2] * S[2][0]) +
                 S[0][2] * (S[1][0] * S[2][1] - S[1][1] * S[2][0]);
    int64_t N = (int64_t)llround(fabs(det));
    PG_REQUIRE(N > 0, PG_ERR_INPUT, "singular supercell matrix");
    int B[3];
    for (int c = 0; c < 3; c++) /* n = Sᵀq with q in [0,1)³: |n_c| <= Σ_a |S_ac| */
        B[c] = abs(smat[0][c]) + abs(smat[1][c]) + abs(smat[2][c]);
    PG_TRY_CALLOC(q, N, "commensurate points");
    int64_t n = 0;
    for (int n0 = -B[0]; n0 <= B[0]; n0++)
        for (int n1 = -B[1]; n1 <= B[1]; n1++)
            for (int n2 = -B[2]; n2 <= B[2]; n2++) {
                double nv[3] = {n0, n1, n2}, x[3];
                for (int a = 0; a < 3; a++) {
                    x[a] = SinvT[a][0] * nv[0] + SinvT[a][1] * nv[1] + SinvT[a][2] * nv[2];
                    x[a] -= floor(x[a]);
                    if (x[a] > 1 - 1e-9) x[a] = 0;
                    x[a] = (double)llround(x[a] * (double)N) / (double)N; /* exact multiples of 1/N */
                }
                int dup = 0;
                for (int64_t t = 0; t < n && !dup; t++) dup = cmp_q(q[t], x) == 0;
                if (!dup) {
                    PG_TRY_REQUIRE(n < N, PG_ERR_INTERNAL, "more than |det S| commensurate points");
                    memcpy(q[n++], x, sizeof x);
                }
            }
    PG_TRY_REQUIRE(n == N, PG_ERR_INTERNAL, "found %lld of %lld commensurate points",
                   (long long)n, (long long)N);
    qsort(q, (size_t)N, sizeof(double[3]), cmp_q);
    PG_TRY(qset_alloc(out, N));
    memcpy(out->q, q, sizeof(double[3]) * (size_t)N);
    for (int64_t t = 0; t < N; t++) out->weight[t] = 1.0;
cleanup:
    free(q);
    return st;
}

pg_status_t pg_phonon_band_path(int n_seg, const double (*ends)[3], int n_per,
                                const double recip[3][3], pg_qset_t *out, double **distance)
{
    pg_status_t st = PG_OK;
    double *dist = NULL;
    PG_REQUIRE(n_seg > 0 && n_per >= 2, PG_ERR_INPUT,
               "band path needs >= 1 segment and >= 2 points per segment (have %d, %d)", n_seg,
               n_per);
    PG_TRY(qset_alloc(out, (int64_t)n_seg * n_per));
    PG_TRY_CALLOC(dist, (int64_t)n_seg * n_per, "band distances");
    double total = 0;
    int64_t t = 0;
    for (int s = 0; s < n_seg; s++) {
        const double *a = ends[2 * s], *b = ends[2 * s + 1];
        for (int p = 0; p < n_per; p++, t++) {
            double f = (double)p / (n_per - 1);
            for (int c = 0; c < 3; c++) out->q[t][c] = a[c] + f * (b[c] - a[c]);
            out->weight[t] = 1.0;
            if (t > 0 && p > 0) {
                double dq[3], dc[3] = {0, 0, 0};
                for (int c = 0; c < 3; c++) dq[c] = out->q[t][c] - out->q[t - 1][c];
                for (int c = 0; c < 3; c++)
                    for (int r = 0; r < 3; r++) dc[c] += dq[r] * recip[r][c];
                total += sqrt(dc[0] * dc[0] + dc[1] * dc[1] + dc[2] * dc[2]);
            }
            dist[t] = total;
        }
    }
    *distance = dist;
    return PG_OK;
cleanup:
    free(dist);
    pg_qset_free(out);
    return st;
}

void pg_phonon_dos_gaussian(int64_t n_q, int n_band, const double *freq, const double *weight,
                            double sigma_thz, int64_t n_f, const double *f_thz, double *dos)
{
    double wsum = 0;
    for (int64_t iq = 0; iq < n_q; iq++) wsum += weight[iq];
    const double norm = 1.0 / (sqrt(2.0 * PG_PI) * sigma_thz);
    for (int64_t t = 0; t < n_f; t++) {
        double g = 0;
        for (int64_t iq = 0; iq < n_q; iq++) {
            double gq = 0;
            for (int s = 0; s < n_band; s++) {
                double x = (f_thz[t] - freq[iq * n_band + s]) / sigma_thz;
                gq += exp(-0.5 * x * x);
            }
            g += weight[iq] * gq;
        }
        dos[t] = g * norm / wsum;
    }
}

/* ---- linear tetrahedron DOS ----
 * Blöchl, Jepsen, Andersen, PRB 49, 16223 (1994): the frequencies are interpolated linearly in
 * each tetrahedron; the DOS of one tetrahedron with sorted corner values e1 <= e2 <= e3 <= e4,
 * normalised to ∫ g dν = 1, is
 *   e1 <= ν < e2:  3 (ν-e1)² / ((e2-e1)(e3-e1)(e4-e1))
 *   e2 <= ν < e3:  [3 (e2-e1) + 6 (ν-e2) - 3 (e3-e1+e4-e2)(ν-e2)² / ((e3-e2)(e4-e2))] / ((e3-e1)(e4-e1))
 *   e3 <= ν < e4:  3 (e4-ν)² / ((e4-e1)(e4-e2)(e4-e3))
 * (half-open intervals: an empty interval never divides by its zero width). Each grid cell
 * (parallelepiped of the mesh) is cut into 6 tetrahedra sharing its shortest main diagonal,
 * phonopy's choice (the shortest of |±b1/m1 + b2/m2 + b3/m3|-type diagonals, first of
 * (1,1,1), (-1,1,1), (1,-1,1), (1,1,-1) on ties); the DOS per primitive cell is
 * Σ_tetrahedra Σ_bands g / (6 n_grid), so ∫ DOS = n_band. */
static double tetra_g(const double e[4], double f)
{
    if (f < e[0] || f >= e[3]) return 0.0;
    if (f < e[1]) {
        double x = f - e[0];
        return 3.0 * x * x / ((e[1] - e[0]) * (e[2] - e[0]) * (e[3] - e[0]));
    }
    if (f < e[2]) {
        double x = f - e[1];
        return (3.0 * (e[1] - e[0]) + 6.0 * x -
                3.0 * (e[2] - e[0] + e[3] - e[1]) * x * x / ((e[2] - e[1]) * (e[3] - e[1]))) /
               ((e[2] - e[0]) * (e[3] - e[0]));
    }
    double x = e[3] - f;
    return 3.0 * x * x / ((e[3] - e[0]) * (e[3] - e[1]) * (e[3] - e[2]));
}

void pg_phonon_tetra_diagonal(const int mesh[3], const double recip[3][3], int sign[3])
{
    static const int diag[4][3] = {{1, 1, 1}, {-1, 1, 1}, {1, -1, 1}, {1, 1, -1}};
    double best = INFINITY;
    for (int k = 0; k < 4; k++) {
        double v[3] = {0, 0, 0};
        for (int c = 0; c < 3; c++)
            for (int a = 0; a < 3; a++) v[a] += diag[k][c] * recip[c][a] / mesh[c];
        double len = v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
        if (k == 0 || len < best * (1.0 - 1e-12)) {
            best = len;
            memcpy(sign, diag[k], sizeof diag[k]);
        }
    }
}

pg_status_t pg_phonon_dos_tetrahedron(const int mesh[3], const double recip[3][3],
                                      const int64_t *grid_row, int n_band, const double *freq,
                                      int64_t n_f, const double *f_thz, double *dos)
{
    PG_REQUIRE(mesh[0] > 0 && mesh[1] > 0 && mesh[2] > 0, PG_ERR_INPUT,
               "tetrahedron DOS: mesh must be positive, got %d %d %d", mesh[0], mesh[1], mesh[2]);
    for (int64_t t = 1; t < n_f; t++)
        PG_REQUIRE(f_thz[t] > f_thz[t - 1], PG_ERR_INTERNAL, "tetrahedron DOS: frequency points not ascending");
    int sign[3];
    pg_phonon_tetra_diagonal(mesh, recip, sign);
    /* the 6 tetrahedra of a cell: corner 0, then one step along axis a, then along b, then the
     * far corner (steps along all three axes, each with the diagonal's sign) */
    static const int perm[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    const int64_t n_grid = (int64_t)mesh[0] * mesh[1] * mesh[2];
    for (int64_t t = 0; t < n_f; t++) dos[t] = 0.0;
    for (int g2 = 0; g2 < mesh[2]; g2++)
        for (int g1 = 0; g1 < mesh[1]; g1++)
            for (int g0 = 0; g0 < mesh[0]; g0++)
                for (int k = 0; k < 6; k++) {
                    int64_t row[4];
                    int d[3] = {0, 0, 0};
                    for (int v = 0; v < 4; v++) {
                        if (v > 0) {
                            const int a = perm[k][v - 1];
                            d[a] = sign[a];
                        }
                        int a0 = ((g0 + d[0]) % mesh[0] + mesh[0]) % mesh[0];
                        int a1 = ((g1 + d[1]) % mesh[1] + mesh[1]) % mesh[1];
                        int a2 = ((g2 + d[2]) % mesh[2] + mesh[2]) % mesh[2];
                        int64_t gi = a0 + (int64_t)mesh[0] * (a1 + (int64_t)mesh[1] * a2);
                        row[v] = grid_row ? grid_row[gi] : gi;
                    }
                    for (int s = 0; s < n_band; s++) {
                        double e[4];
                        for (int v = 0; v < 4; v++) e[v] = freq[row[v] * n_band + s];
                        for (int i = 1; i < 4; i++) /* sort the 4 corners */
                            for (int j = i; j > 0 && e[j] < e[j - 1]; j--) {
                                double tmp = e[j];
                                e[j] = e[j - 1];
                                e[j - 1] = tmp;
                            }
                        /* first frequency point >= e1 */
                        int64_t lo = 0, hi = n_f;
                        while (lo < hi) {
                            int64_t mid = lo + (hi - lo) / 2;
                            if (f_thz[mid] < e[0]) lo = mid + 1;
                            else hi = mid;
                        }
                        for (int64_t t = lo; t < n_f && f_thz[t] < e[3]; t++) dos[t] += tetra_g(e, f_thz[t]);
                    }
                }
    for (int64_t t = 0; t < n_f; t++) dos[t] /= 6.0 * (double)n_grid;
    return PG_OK;
}

double pg_phonon_occupation(double freq_thz, double temp_k)
{
    if (temp_k <= 0) return 0.0;
    return 1.0 / (exp(freq_thz * PG_THZ_TO_EV / (PG_KB_EV * temp_k)) - 1.0);
}

void pg_phonon_thermal(int64_t n_q, int n_band, const double *freq, const double *weight,
                       double cutoff_thz, int n_t, const double *temp_k, double *free_kjmol,
                       double *entropy_jkmol, double *cv_jkmol)
{
    double wsum = 0;
    for (int64_t iq = 0; iq < n_q; iq++) wsum += weight[iq];
    for (int it = 0; it < n_t; it++) {
        const double T = temp_k[it], kT = PG_KB_EV * T;
        double F = 0, S = 0, C = 0;
        for (int64_t iq = 0; iq < n_q; iq++) {
            double fq = 0, sq = 0, cq = 0;
            for (int s = 0; s < n_band; s++) {
                double nu = freq[iq * n_band + s];
                if (nu <= 0) continue;
                double E = nu * PG_THZ_TO_EV;
                fq += 0.5 * E; /* zero-point energy: every ν > 0 */
                if (nu <= cutoff_thz || T <= 0) continue;
                double x = E / kT;
                fq += kT * log(1.0 - exp(-x));
                double h = 0.5 * x;
                sq += PG_KB_EV * (h * cosh(h) / sinh(h) - log(2.0 * sinh(h)));
                double ex = exp(x);
                cq += PG_KB_EV * x * x * ex / ((ex - 1.0) * (ex - 1.0));
            }
            F += weight[iq] * fq;
            S += weight[iq] * sq;
            C += weight[iq] * cq;
        }
        if (free_kjmol) free_kjmol[it] = F / wsum * PG_EV_TO_KJMOL;
        if (entropy_jkmol) entropy_jkmol[it] = S / wsum * PG_EV_TO_KJMOL * 1000.0;
        if (cv_jkmol) cv_jkmol[it] = C / wsum * PG_EV_TO_KJMOL * 1000.0;
    }
}

void pg_phonon_msd_accumulate(int n_p, const double *mass, const double *freq,
                              const double complex *evec, double w, double fmin_thz,
                              double fmax_thz, int n_t, const double *temp_k, double *acc)
{
    const int n = 3 * n_p;
    /* ħ[J s] / Å² / (2π ν 1e12 Hz) / (m AMU) -> Å² */
    const double c0 = PG_HBAR_EVS * PG_EV_SI / (PG_ANGSTROM_SI * PG_ANGSTROM_SI);
    for (int s = 0; s < n; s++) {
        double nu = freq[s];
        if (!(nu > fmin_thz)) continue;
        if (fmax_thz > 0 && !(nu < fmax_thz)) continue;
        for (int it = 0; it < n_t; it++) {
            double occ = temp_k[it] > 1.0 ? pg_phonon_occupation(nu, temp_k[it]) : 0.0;
            double q2 = c0 * (occ + 0.5) / (nu * 1e12 * 2.0 * PG_PI);
            for (int i = 0; i < n_p; i++) {
                double f = w * q2 / (mass[i] * PG_AMU_SI);
                double *A = acc + ((int64_t)it * n_p + i) * 9;
                for (int a = 0; a < 3; a++)
                    for (int b = 0; b < 3; b++)
                        A[3 * a + b] +=
                            f * creal(evec[(3 * i + a) * n + s] * conj(evec[(3 * i + b) * n + s]));
            }
        }
    }
}

void pg_phonon_modes_free(pg_phonon_modes_t *m)
{
    if (!m) return;
    free(m->q);
    free(m->is_ii);
    free(m->freq_thz);
    free(m->evec);
    free(m->mass);
    free(m->s2pp);
    free(m->pos_frac);
    free(m->lat_frac);
    memset(m, 0, sizeof(*m));
}

static int is_half_integer_vec(const double q[3])
{
    for (int c = 0; c < 3; c++) {
        double x = 2 * q[c];
        if (fabs(x - nearbyint(x)) > 1e-8) return 0;
    }
    return 1;
}

pg_status_t pg_phonon_commensurate_modes(const pg_dynmat_t *dm, const int smat[3][3],
                                         pg_phonon_modes_t *out)
{
    pg_status_t st = PG_OK;
    pg_qset_t cq = {0};
    pg_phonon_modes_t m = {0};
    int *used = NULL;
    double *dr = NULL, *w = NULL;
    pg_dynmat_ws_t ws = {0};
    memset(out, 0, sizeof(*out));
    PG_TRY(pg_phonon_commensurate(smat, &cq));
    m.n_p = pg_dynmat_n_prim(dm);
    m.n_band = 3 * m.n_p;
    m.n_s = pg_dynmat_n_super(dm);
    m.n_q = cq.n_q;
    PG_TRY_REQUIRE(m.n_q * m.n_p == m.n_s, PG_ERR_INPUT,
                   "supercell matrix has |det| %lld but the supercell holds %lld primitive cells",
                   (long long)m.n_q, (long long)(m.n_s / m.n_p));
    const int n = m.n_band;
    PG_TRY_CALLOC(used, m.n_q, "commensurate flags");
    PG_TRY_CALLOC(m.q, m.n_q, "representatives");
    PG_TRY_CALLOC(m.is_ii, m.n_q, "ii flags");
    /* ii points first, then one representative per pair */
    for (int64_t t = 0; t < m.n_q; t++)
        if (is_half_integer_vec(cq.q[t])) {
            memcpy(m.q[m.n_rep], cq.q[t], sizeof(double[3]));
            m.is_ii[m.n_rep++] = 1;
            used[t] = 1;
            m.n_ii++;
        }
    for (int64_t t = 0; t < m.n_q; t++) {
        if (used[t]) continue;
        double mq[3];
        for (int c = 0; c < 3; c++) {
            mq[c] = -cq.q[t][c] - floor(-cq.q[t][c]);
            if (mq[c] > 1 - 1e-9) mq[c] = 0;
        }
        int64_t partner = -1;
        for (int64_t u = t + 1; u < m.n_q && partner < 0; u++)
            if (!used[u] && cmp_q(cq.q[u], mq) == 0) partner = u;
        PG_TRY_REQUIRE(partner >= 0, PG_ERR_INTERNAL, "commensurate point without its -q");
        used[t] = used[partner] = 1;
        memcpy(m.q[m.n_rep], cq.q[t], sizeof(double[3]));
        m.is_ii[m.n_rep++] = 0;
        m.n_pair++;
    }
    PG_TRY_REQUIRE(m.n_ii + 2 * m.n_pair == m.n_q, PG_ERR_INTERNAL, "commensurate split");
    PG_TRY_CALLOC(m.freq_thz, m.n_rep * n, "commensurate frequencies");
    PG_TRY_CALLOC(m.evec, m.n_rep * n * n, "commensurate eigenvectors");
    PG_TRY_CALLOC(dr, (int64_t)n * n, "real-gauge D");
    PG_TRY_CALLOC(w, n, "eigenvalues");
    PG_TRY(pg_dynmat_ws_init(&ws, dm));
    for (int64_t r = 0; r < m.n_rep; r++) {
        double *f = m.freq_thz + r * n;
        double complex *e = m.evec + r * (int64_t)n * n;
        if (m.is_ii[r]) {
            PG_TRY(pg_dynmat_build_real_gauge(dm, m.q[r], dr));
            PG_TRY(pg_linalg_dsyevd(n, dr, n, 1, w)); /* symmetric: row/column-major identical */
            for (int s = 0; s < n; s++) {
                f[s] = pg_dynmat_eig_to_thz(w[s]);
                for (int row = 0; row < n; row++) e[row * n + s] = dr[(int64_t)s * n + row];
            }
        } else {
            PG_TRY(pg_dynmat_solve(dm, &ws, m.q[r], f, e, NULL));
        }
    }
    PG_TRY_CALLOC(m.mass, m.n_p, "masses");
    memcpy(m.mass, pg_dynmat_masses(dm), sizeof(double) * (size_t)m.n_p);
    PG_TRY_CALLOC(m.s2pp, m.n_s, "s2pp");
    memcpy(m.s2pp, pg_dynmat_s2pp(dm), sizeof(int64_t) * (size_t)m.n_s);
    PG_TRY_CALLOC(m.pos_frac, m.n_s, "positions");
    PG_TRY_CALLOC(m.lat_frac, m.n_s, "lattice vectors");
    for (int64_t k = 0; k < m.n_s; k++) {
        double xj[3];
        pg_dynmat_super_frac(dm, k, m.pos_frac[k]);
        pg_dynmat_prim_frac(dm, (int)m.s2pp[k], xj);
        for (int c = 0; c < 3; c++) m.lat_frac[k][c] = nearbyint(m.pos_frac[k][c] - xj[c]);
    }
    *out = m;
    memset(&m, 0, sizeof m);
cleanup:
    pg_dynmat_ws_free(&ws);
    pg_qset_free(&cq);
    pg_phonon_modes_free(&m);
    free(used);
    free(dr);
    free(w);
    return st;
}
