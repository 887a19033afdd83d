/* ewald.c - Ewald summation of periodic point charges (LABELER.md §4).
 *
 *   E_real  = ½ Σ_i Σ'_{j,R} k_e q_i q_j erfc(α r)/r             (r < r_c)
 *   E_recip = (2π k_e / V) Σ_{k≠0, |k|<k_c} e^{-k²/4α²}/k² |S(k)|²,   S(k) = Σ_j q_j e^{ik·r_j}
 *   E_self  = -k_e α/√π Σ_i q_i²
 * Tin-foil boundary conditions; the cell must be neutral (no background term).
 *
 * Reciprocal sum: k = 2π (h b1 + k b2 + l b3) over the half space (h > 0, or h = 0 and k > 0,
 * or h = k = 0 and l > 0), each term counted twice (S(-k) = S(k)*). The phase factors are
 * built from per-atom tables e^{i2πh f1}, e^{i2πk f2}, e^{i2πl f3} (f: fractional
 * coordinates; one sin/cos per atom and index, not per k-vector and atom): for each (h, k)
 * row u_j = q_j e^{i2π(h f1 + k f2)} is formed once and multiplied by the l table, so the
 * inner loop is two complex multiply-adds per atom and k-vector. Forces of a row are
 * accumulated as two scalars per atom (Σ_l A_l Im(..) and Σ_l l A_l Im(..)) and turned into
 * vectors once per row, since k = k_row + l·2π b3. All sums run in a fixed order.
 */
#include "label/ewald.h"

#include <math.h>
#include <stdlib.h>

#include "phonograph/pg_cell.h"
#include "phonograph/pg_neighbor.h"
#include "phonograph/pg_potential.h"
#include "phonograph/pg_units.h"

void pg_ewald_params(double accuracy, double rc_ang, double *alpha, double *kc)
{
    const double s = sqrt(-log(accuracy));
    *alpha = s / rc_ang;
    *kc = 2.0 * (*alpha) * s;
}

void ewald_real_pair(double qq, double alpha, double r, double *phi, double *dphi)
{
    const double ec = erfc(alpha * r);
    const double a = PG_COULOMB_EV_ANG * qq / r;
    *phi = a * ec;
    *dphi = -a * (ec / r + (2.0 * alpha / sqrt(PG_PI)) * exp(-alpha * alpha * r * r));
}

void ewald_ws_free(ewald_ws_t *ws)
{
    double **arrays[] = {&ws->e1r, &ws->e1i, &ws->e2r, &ws->e2i, &ws->e3r, &ws->e3i, &ws->ur,
                         &ws->ui,  &ws->pr,  &ws->pi,  &ws->g0,  &ws->g1};
    for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++) free(*arrays[k]);
    *ws = (ewald_ws_t){0};
}

static pg_status_t ws_reserve(ewald_ws_t *ws, int64_t n_atom, int64_t n_table)
{
    if (n_atom <= ws->cap_atom && n_table <= ws->cap_table) return PG_OK;
    ewald_ws_free(ws);
    const size_t na = (size_t)n_atom, nt = (size_t)n_table * (size_t)n_atom;
    double **tables[] = {&ws->e1r, &ws->e1i, &ws->e2r, &ws->e2i, &ws->e3r, &ws->e3i};
    double **vectors[] = {&ws->ur, &ws->ui, &ws->pr, &ws->pi, &ws->g0, &ws->g1};
    for (size_t k = 0; k < 6; k++) {
        *tables[k] = malloc(sizeof(double) * (nt ? nt : 1));
        *vectors[k] = malloc(sizeof(double) * (na ? na : 1));
        if (!*tables[k] || !*vectors[k]) {
            ewald_ws_free(ws);
            return PG_ERR(PG_ERR_NOMEM, "Ewald tables for %lld atoms x %lld indices",
                          (long long)n_atom, (long long)n_table);
        }
    }
    ws->cap_atom = n_atom;
    ws->cap_table = n_table;
    return PG_OK;
}

/* table[m][j] = e^{i 2π (m + m0) f_j} for m = 0..n_m-1 */
static void phase_table(int64_t n, const double *f, int m0, int n_m, double *re, double *im)
{
    for (int m = 0; m < n_m; m++) {
        const double t = 2.0 * PG_PI * (double)(m + m0);
        for (int64_t j = 0; j < n; j++) {
            re[(int64_t)m * n + j] = cos(t * f[j]);
            im[(int64_t)m * n + j] = sin(t * f[j]);
        }
    }
}

pg_status_t ewald_recip(ewald_ws_t *ws, const double lattice[3][3], int64_t n,
                        const double (*pos)[3], const double *q, double alpha, double kc,
                        double *energy, double (*forces)[3], double stress[3][3],
                        int64_t *n_kvec)
{
    double inv[3][3];
    PG_CHECK(pg_mat3_inverse(lattice, inv));
    const double vol = fabs(pg_mat3_det(lattice));
    /* reciprocal rows including 2π: kb_i = 2π b_i, b_i = column i of L^-1 */
    double kb[3][3];
    int nmax[3];
    for (int i = 0; i < 3; i++) {
        for (int c = 0; c < 3; c++) kb[i][c] = 2.0 * PG_PI * inv[c][i];
        const double len = sqrt(lattice[i][0] * lattice[i][0] + lattice[i][1] * lattice[i][1] +
                                lattice[i][2] * lattice[i][2]);
        nmax[i] = (int)ceil(kc * len / (2.0 * PG_PI));
    }
    const int n1 = nmax[0] + 1, n2 = 2 * nmax[1] + 1, n3 = 2 * nmax[2] + 1;
    int64_t n_table = n1;
    if (n2 > n_table) n_table = n2;
    if (n3 > n_table) n_table = n3;
    PG_CHECK(ws_reserve(ws, n, n_table));

    /* fractional coordinates, one component at a time (reuse ur/ui/pr as scratch) */
    double *f = ws->pr;
    for (int c = 0; c < 3; c++) {
        for (int64_t j = 0; j < n; j++)
            f[j] = pos[j][0] * inv[0][c] + pos[j][1] * inv[1][c] + pos[j][2] * inv[2][c];
        if (c == 0) phase_table(n, f, 0, n1, ws->e1r, ws->e1i);
        if (c == 1) phase_table(n, f, -nmax[1], n2, ws->e2r, ws->e2i);
        if (c == 2) phase_table(n, f, -nmax[2], n3, ws->e3r, ws->e3i);
    }

    const double c_pref = 2.0 * PG_PI * PG_COULOMB_EV_ANG / vol; /* 2π k_e / V */
    const double kc2 = kc * kc, inv4a2 = 1.0 / (4.0 * alpha * alpha);
    double e_sum = 0.0, s_sum[3][3] = {{0}};
    int64_t count = 0;
    double *restrict ur = ws->ur, *restrict ui = ws->ui;
    double *restrict pr = ws->pr, *restrict pi = ws->pi;
    double *restrict g0 = ws->g0, *restrict g1 = ws->g1;

    for (int h = 0; h <= nmax[0]; h++) {
        for (int k = -nmax[1]; k <= nmax[1]; k++) {
            if (h == 0 && k < 0) continue;
            const int l_first = (h == 0 && k == 0) ? 1 : -nmax[2];
            double kr[3];
            for (int c = 0; c < 3; c++) kr[c] = h * kb[0][c] + k * kb[1][c];
            /* does any l of this row fall inside the sphere? */
            int any = 0;
            for (int l = l_first; l <= nmax[2] && !any; l++) {
                const double kx = kr[0] + l * kb[2][0], ky = kr[1] + l * kb[2][1],
                             kz = kr[2] + l * kb[2][2];
                any = kx * kx + ky * ky + kz * kz < kc2;
            }
            if (!any) continue;
            const double *e1r = ws->e1r + (int64_t)h * n, *e1i = ws->e1i + (int64_t)h * n;
            const double *e2r = ws->e2r + (int64_t)(k + nmax[1]) * n,
                         *e2i = ws->e2i + (int64_t)(k + nmax[1]) * n;
            for (int64_t j = 0; j < n; j++) {
                const double ar = e1r[j] * e2r[j] - e1i[j] * e2i[j];
                const double ai = e1r[j] * e2i[j] + e1i[j] * e2r[j];
                ur[j] = q[j] * ar;
                ui[j] = q[j] * ai;
            }
            if (forces)
                for (int64_t j = 0; j < n; j++) g0[j] = g1[j] = 0.0;
            for (int l = l_first; l <= nmax[2]; l++) {
                double kv[3];
                for (int c = 0; c < 3; c++) kv[c] = kr[c] + l * kb[2][c];
                const double k2 = kv[0] * kv[0] + kv[1] * kv[1] + kv[2] * kv[2];
                if (k2 >= kc2) continue;
                count++;
                const double *e3r = ws->e3r + (int64_t)(l + nmax[2]) * n,
                             *e3i = ws->e3i + (int64_t)(l + nmax[2]) * n;
                double sr = 0.0, si = 0.0;
                for (int64_t j = 0; j < n; j++) {
                    pr[j] = ur[j] * e3r[j] - ui[j] * e3i[j];
                    pi[j] = ur[j] * e3i[j] + ui[j] * e3r[j];
                    sr += pr[j];
                    si += pi[j];
                }
                const double fk = exp(-k2 * inv4a2) / k2;
                const double w = 2.0 * c_pref * fk * (sr * sr + si * si); /* ±k together */
                e_sum += w;
                const double b = 2.0 * (1.0 / k2 + inv4a2);
                for (int a = 0; a < 3; a++)
                    for (int c = 0; c < 3; c++)
                        s_sum[a][c] += w * ((a == c ? -1.0 : 0.0) + b * kv[a] * kv[c]);
                if (forces) {
                    const double amp = 4.0 * c_pref * fk, ampl = amp * l;
                    for (int64_t j = 0; j < n; j++) {
                        const double im = pi[j] * sr - pr[j] * si;
                        g0[j] += amp * im;
                        g1[j] += ampl * im;
                    }
                }
            }
            if (forces)
                for (int64_t j = 0; j < n; j++)
                    for (int c = 0; c < 3; c++) forces[j][c] += g0[j] * kr[c] + g1[j] * kb[2][c];
        }
    }
    *energy += e_sum;
    if (stress)
        for (int a = 0; a < 3; a++)
            for (int c = 0; c < 3; c++) stress[a][c] += s_sum[a][c] / vol;
    if (n_kvec) *n_kvec = count;
    return PG_OK;
}

pg_status_t pg_ewald_compute(const double lattice[3][3], int64_t n, const double (*pos)[3],
                             const double *q, double alpha, double rc_ang, double kc,
                             double *energy, double (*forces)[3], double stress[3][3])
{
    pg_status_t st = PG_OK;
    pg_cell_t cell = {0};
    pg_neighbor_t nl = {0};
    ewald_ws_t ws = {0};
    PG_TRY_REQUIRE(n > 0, PG_ERR_INPUT, "Ewald sum of %lld charges", (long long)n);
    PG_TRY_REQUIRE(alpha > 0.0 && kc > 0.0 && rc_ang > 0.0, PG_ERR_INPUT,
                   "Ewald parameters must be positive (alpha %g, kc %g, rc %g)", alpha, kc,
                   rc_ang);
    double qsum = 0.0, qabs = 0.0, self = 0.0;
    for (int64_t j = 0; j < n; j++) {
        qsum += q[j];
        qabs += fabs(q[j]);
        self += q[j] * q[j];
    }
    PG_TRY_REQUIRE(fabs(qsum) <= 1e-9 * (qabs > 1.0 ? qabs : 1.0), PG_ERR_INPUT,
                   "Ewald sum needs a neutral cell, total charge is %.6g e", qsum);
    PG_TRY(pg_cell_init(&cell, n));
    for (int a = 0; a < 3; a++)
        for (int c = 0; c < 3; c++) cell.lattice[a][c] = lattice[a][c];
    for (int64_t j = 0; j < n; j++)
        for (int c = 0; c < 3; c++) cell.pos[j][c] = pos[j][c];
    PG_TRY(pg_neighbor_build(&cell, rc_ang, 0, &nl));
    const double vol = fabs(pg_cell_volume(&cell));

    double e_real = 0.0, s_real[3][3] = {{0}};
    if (forces)
        for (int64_t j = 0; j < n; j++) forces[j][0] = forces[j][1] = forces[j][2] = 0.0;
    for (int64_t i = 0; i < n; i++) {
        double fi[3] = {0.0, 0.0, 0.0};
        for (int64_t e = nl.offsets[i]; e < nl.offsets[i + 1]; e++) {
            const double r = nl.dist[e];
            const double *d = nl.vec[e];
            double phi, dphi;
            ewald_real_pair(q[i] * q[nl.j[e]], alpha, r, &phi, &dphi);
            e_real += 0.5 * phi;
            const double g = dphi / r;
            for (int a = 0; a < 3; a++) {
                fi[a] += g * d[a];
                for (int c = 0; c < 3; c++) s_real[a][c] += 0.5 * g * d[a] * d[c];
            }
        }
        if (forces)
            for (int a = 0; a < 3; a++) forces[i][a] += fi[a];
    }
    double e_tot = e_real - PG_COULOMB_EV_ANG * alpha / sqrt(PG_PI) * self;
    double s_tot[3][3];
    for (int a = 0; a < 3; a++)
        for (int c = 0; c < 3; c++) s_tot[a][c] = s_real[a][c] / vol;
    PG_TRY(ewald_recip(&ws, lattice, n, pos, q, alpha, kc, &e_tot, forces, s_tot, NULL));
    *energy = e_tot;
    if (stress)
        for (int a = 0; a < 3; a++)
            for (int c = 0; c < 3; c++) stress[a][c] = s_tot[a][c];
cleanup:
    ewald_ws_free(&ws);
    pg_neighbor_free(&nl);
    pg_cell_free(&cell);
    return st;
}
