/* sampler_phonon.c - harmonic modes of a supercell and the phonon-informed displacements.
 *
 * Reference: ../shared/reference/phonopy/ALGORITHMS.md section 6 (phonopy 2.17
 * RandomDisplacements) and ../shared/physics/LABELER.md section 7 (imaginary modes). Why the
 * supercell Gamma-point diagonalisation reproduces phonopy's commensurate-q construction is
 * explained in pg_sample.h; the covariance test against phonopy's uu_analytic checks it. */
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "phonograph/pg_linalg.h"
#include "phonograph/pg_par.h"
#include "phonograph/pg_units.h"
#include "sample/sample_internal.h"

void pg_modes_free(pg_modes_t *m)
{
    if (!m) return;
    free(m->freq_thz);
    free(m->vec);
    free(m->mass);
    memset(m, 0, sizeof *m);
}

static pg_status_t modes_alloc(pg_modes_t *m, int64_t n_atom)
{
    pg_status_t st = PG_OK;
    memset(m, 0, sizeof *m);
    m->n_atom = n_atom;
    m->n_mode = 3 * n_atom;
    PG_TRY_CALLOC(m->freq_thz, m->n_mode, "mode frequencies");
    PG_TRY_CALLOC(m->vec, m->n_mode * m->n_mode, "mode eigenvectors");
    PG_TRY_CALLOC(m->mass, n_atom, "mode masses");
    return PG_OK;
cleanup:
    pg_modes_free(m);
    return st;
}

pg_status_t pg_modes_from_fc(int64_t n_atom, const double (*phi)[3][3], const double *mass,
                             pg_modes_t *m)
{
    pg_status_t st = PG_OK;
    PG_REQUIRE(n_atom >= 1, PG_ERR_INPUT, "modes: need at least one atom, found %lld",
               (long long)n_atom);
    for (int64_t k = 0; k < n_atom; k++)
        PG_REQUIRE(mass[k] > 0 && isfinite(mass[k]), PG_ERR_INPUT,
                   "modes: mass of atom %lld is %g amu (must be positive)", (long long)k, mass[k]);
    PG_CHECK(modes_alloc(m, n_atom));
    const int64_t n = m->n_mode;
    memcpy(m->mass, mass, sizeof(double) * (size_t)n_atom);
    /* D = M^-1/2 Phi M^-1/2, symmetrised ((D + D^T)/2, phonopy's hermitisation); a real
     * symmetric matrix is the same in row- and column-major order. */
    double *d = m->vec;
    for (int64_t k = 0; k < n_atom; k++)
        for (int64_t l = 0; l < n_atom; l++) {
            const double w = 1.0 / sqrt(mass[k] * mass[l]);
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++) {
                    const double v = phi[k * n_atom + l][a][b];
                    PG_TRY_REQUIRE(isfinite(v), PG_ERR_INPUT,
                                   "modes: force constant (%lld,%lld)[%d][%d] is not finite",
                                   (long long)k, (long long)l, a, b);
                    d[(3 * k + a) * n + 3 * l + b] = v * w;
                }
        }
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = i + 1; j < n; j++) {
            const double s = 0.5 * (d[i * n + j] + d[j * n + i]);
            d[i * n + j] = d[j * n + i] = s;
        }
    PG_TRY_REQUIRE(n <= 46340, PG_ERR_INPUT, "modes: %lld atoms is too many for a dense eigensolver", (long long)n_atom);
    PG_TRY(pg_linalg_dsyevd(n, d, n, 1, m->freq_thz));
    /* eigenvalues (eV/(Å^2 amu)) -> signed frequencies; column-major eigenvectors are
     * already mode-major rows of vec */
    for (int64_t s = 0; s < n; s++) {
        const double lam = m->freq_thz[s];
        m->freq_thz[s] = (lam < 0 ? -1.0 : 1.0) * sqrt(fabs(lam)) * PG_VASP_TO_THZ;
    }
    return PG_OK;
cleanup:
    pg_modes_free(m);
    return st;
}

pg_status_t pg_modes_from_commensurate(const pg_phonon_modes_t *pm, pg_modes_t *m)
{
    PG_REQUIRE(pm && pm->n_s >= 1 && pm->n_q >= 1 && pm->n_band == 3 * pm->n_p, PG_ERR_INPUT,
               "modes: empty or inconsistent commensurate modes");
    PG_REQUIRE(pm->n_ii + 2 * pm->n_pair == pm->n_q, PG_ERR_INPUT,
               "modes: %lld ii points + 2 x %lld pairs != %lld commensurate points",
               (long long)pm->n_ii, (long long)pm->n_pair, (long long)pm->n_q);
    PG_CHECK(modes_alloc(m, pm->n_s));
    const int64_t ns = pm->n_s, n = 3 * ns, nb = pm->n_band;
    const double inv_n = 1.0 / (double)pm->n_q, two_pi = 2.0 * PG_PI;
    for (int64_t k = 0; k < ns; k++) m->mass[k] = pm->mass[pm->s2pp[k]];
    int64_t mode = 0;
    for (int64_t r = 0; r < pm->n_rep; r++) {
        const double *q = pm->q[r];
        const double complex *e = pm->evec + r * nb * nb;
        for (int64_t s = 0; s < nb; s++) {
            const double f = pm->freq_thz[r * nb + s];
            double *v1 = m->vec + mode * n, *v2 = pm->is_ii[r] ? NULL : m->vec + (mode + 1) * n;
            for (int64_t k = 0; k < ns; k++) {
                const int64_t j = pm->s2pp[k];
                if (pm->is_ii[r]) {
                    const double *L = pm->lat_frac[k];
                    const double c = cos(two_pi * (q[0] * L[0] + q[1] * L[1] + q[2] * L[2]));
                    for (int a = 0; a < 3; a++)
                        v1[3 * k + a] = creal(e[(3 * j + a) * nb + s]) * c * sqrt(inv_n);
                } else {
                    const double *x = pm->pos_frac[k];
                    const double ph = two_pi * (q[0] * x[0] + q[1] * x[1] + q[2] * x[2]);
                    const double complex z = cos(ph) + I * sin(ph);
                    for (int a = 0; a < 3; a++) {
                        const double complex w = e[(3 * j + a) * nb + s] * z;
                        v1[3 * k + a] = sqrt(2.0 * inv_n) * creal(w);
                        v2[3 * k + a] = -sqrt(2.0 * inv_n) * cimag(w);
                    }
                }
            }
            m->freq_thz[mode++] = f;
            if (!pm->is_ii[r]) m->freq_thz[mode++] = f;
        }
    }
    PG_REQUIRE(mode == n, PG_ERR_INTERNAL, "modes: built %lld of %lld vectors", (long long)mode,
               (long long)n);
    return PG_OK;
}

pg_status_t pg_modes_bcast(MPI_Comm comm, int root, pg_modes_t *m)
{
    pg_status_t st = PG_OK;
    int64_t n_atom = m->n_atom;
    PG_CHECK(pg_par_bcast(comm, root, &n_atom, sizeof n_atom));
    if (pg_par_rank(comm) != root) {
        st = modes_alloc(m, n_atom);
    }
    PG_CHECK(pg_par_agree(comm, &st));
    if (st != PG_OK) return st;
    const int64_t n = 3 * n_atom;
    PG_CHECK(pg_par_bcast(comm, root, m->freq_thz, sizeof(double) * (size_t)n));
    PG_CHECK(pg_par_bcast(comm, root, m->vec, sizeof(double) * (size_t)(n * n)));
    PG_CHECK(pg_par_bcast(comm, root, m->mass, sizeof(double) * (size_t)n_atom));
    return PG_OK;
}

/* Variance of a normal coordinate, amu Å^2, in phonopy 2.17's SI constants (ALGORITHMS.md
 * sections 6.3 and 7): quantum hbar/omega (n + 1/2), classical k_B T / omega^2. */
static double mode_variance(double nu_thz, double temp_k, pg_stats_t stats)
{
    const double omega = 2.0 * PG_PI * nu_thz * 1e12; /* rad/s */
    const double amu_ang2 = PG_AMU_SI * PG_ANGSTROM_SI * PG_ANGSTROM_SI;
    if (stats == PG_STATS_CLASSICAL) return PG_KB_SI * temp_k / (omega * omega) / amu_ang2;
    const double hbar_si = PG_PLANCK_EVS * PG_EV_SI / (2.0 * PG_PI);
    const double n_be = temp_k > 0 ? 1.0 / expm1(nu_thz * PG_THZ_TO_EV / (PG_KB_EV * temp_k)) : 0.0;
    return hbar_si / omega * (n_be + 0.5) / amu_ang2;
}

pg_status_t sampler_phonon_setup(struct pg_sampler *s, const pg_modes_t *modes)
{
    pg_status_t st = PG_OK;
    PG_REQUIRE(modes && modes->n_atom == s->n_atom, PG_ERR_INPUT,
               "phonon sampler: modes are for %lld atoms, the supercell has %lld",
               modes ? (long long)modes->n_atom : -1LL, (long long)s->n_atom);
    const int64_t n = s->n_mode;
    PG_TRY_CALLOC(s->freq, n, "frequencies");
    PG_TRY_CALLOC(s->vec, n * n, "eigenvectors");
    PG_TRY_CALLOC(s->inv_sqrt_mass, s->n_atom, "masses");
    memcpy(s->freq, modes->freq_thz, sizeof(double) * (size_t)n);
    memcpy(s->vec, modes->vec, sizeof(double) * (size_t)(n * n));
    for (int64_t k = 0; k < s->n_atom; k++) s->inv_sqrt_mass[k] = 1.0 / sqrt(modes->mass[k]);
    PG_TRY(sampler_mode_policy(s));
    return PG_OK;
cleanup:
    return st; /* partial arrays are released by pg_sampler_destroy */
}

/* Frequencies used (imaginary-mode policy, acoustic exclusion), mode statistics and the
 * sigma table from s->freq[n_mode]; shared by the Gamma and the q-space set-up. */
pg_status_t sampler_mode_policy(struct pg_sampler *s)
{
    pg_status_t st = PG_OK;
    const int64_t n = s->n_mode, nc = s->o.n_condition;
    PG_TRY_CALLOC(s->nu_used, n, "frequencies used");
    PG_TRY_CALLOC(s->sigma, nc * n, "mode sigmas");
    const double cut = s->o.cutoff_thz > 0 ? s->o.cutoff_thz : 0.01;
    pg_mode_stats_t *ms = &s->mst;
    memset(ms, 0, sizeof *ms);
    ms->min_used_thz = INFINITY;
    ms->max_used_thz = 0;
    for (int64_t m = 0; m < n; m++) {
        const double nu = s->freq[m];
        double used = fabs(nu);
        const int imaginary = nu < -cut;
        ms->n_imaginary += imaginary;
        if (s->o.imag == PG_IMAG_SKIP && imaginary) used = 0;
        /* phonopy's treat_imaginary_modes(0.01, 0.5, 1.0): every |nu| in (0.01, 0.5) + 1 THz */
        if (s->o.imag == PG_IMAG_SHIFT && used > 0.01 && used < 0.5) {
            used += 1.0;
            ms->n_shifted++;
        }
        if (used <= cut) used = 0; /* acoustic translations (and skipped modes) */
        s->nu_used[m] = used;
        if (used > 0) {
            ms->n_sampled++;
            if (used < ms->min_used_thz) ms->min_used_thz = used;
            if (used > ms->max_used_thz) ms->max_used_thz = used;
        } else {
            ms->n_excluded++;
        }
    }
    if (ms->n_sampled == 0) ms->min_used_thz = 0;
    for (int64_t t = 0; t < nc; t++) {
        const double temp = s->cond[t];
        PG_TRY_REQUIRE(temp >= 0 && isfinite(temp), PG_ERR_INPUT,
                       "phonon sampler: temperature %g K must be >= 0", temp);
        for (int64_t m = 0; m < n; m++)
            s->sigma[t * n + m] =
                s->nu_used[m] > 0 ? sqrt(mode_variance(s->nu_used[m], temp, s->o.stats)) : 0.0;
    }
    return PG_OK;
cleanup:
    return st; /* partial arrays are released by pg_sampler_destroy */
}

pg_status_t pg_sampler_mode_sigma(const pg_sampler_t *s, int64_t t, double *nu_used,
                                  double *sigma)
{
    PG_REQUIRE(t >= 0 && t < s->o.n_condition, PG_ERR_INPUT, "condition %lld out of range",
               (long long)t);
    const int64_t n = s->n_mode;
    if (s->o.kind != PG_SAMPLE_PHONON) {
        if (nu_used) memset(nu_used, 0, sizeof(double) * (size_t)n);
        if (sigma) memset(sigma, 0, sizeof(double) * (size_t)n);
        return PG_OK;
    }
    if (nu_used) memcpy(nu_used, s->nu_used, sizeof(double) * (size_t)n);
    if (sigma) memcpy(sigma, s->sigma + t * n, sizeof(double) * (size_t)n);
    return PG_OK;
}

pg_status_t pg_sampler_covariance(const pg_sampler_t *s, int64_t t, double *cov)
{
    PG_REQUIRE(s->o.kind == PG_SAMPLE_PHONON, PG_ERR_INPUT,
               "covariance is defined for the phonon sampler only");
    PG_REQUIRE(t >= 0 && t < s->o.n_condition, PG_ERR_INPUT, "condition %lld out of range",
               (long long)t);
    const int64_t n = s->n_mode;
    const double *sig = s->sigma + t * n;
    memset(cov, 0, sizeof(double) * (size_t)(n * n));
    if (s->q.n_cell > 0) {
        /* q-space: the kernel is linear in y = sigma xi, so <u u^T> = sum_m a_m a_m^T with
         * a_m = kernel(sigma_m e_m): the covariance of exactly the code that draws */
        pg_status_t st = PG_OK;
        double *y = NULL, *a = NULL, *work = NULL;
        PG_TRY_CALLOC(y, n, "covariance scratch");
        PG_TRY_CALLOC(a, n, "covariance scratch");
        PG_TRY_CALLOC(work, 4 * n, "covariance scratch");
        for (int64_t m = 0; m < n; m++) {
            if (sig[m] == 0) continue;
            y[m] = sig[m];
            sampler_qspace_apply(s, y, a, work);
            y[m] = 0;
            for (int64_t i = 0; i < n; i++) {
                double *row = cov + i * n;
                for (int64_t j = 0; j < n; j++) row[j] += a[i] * a[j];
            }
        }
    cleanup:
        free(y);
        free(a);
        free(work);
        return st;
    }
    /* <u_i u_j> = m_i^-1/2 m_j^-1/2 sum_m sigma_m^2 v_m(i) v_m(j) */
    for (int64_t m = 0; m < n; m++) {
        const double s2 = sig[m] * sig[m];
        if (s2 == 0) continue;
        const double *v = s->vec + m * n;
        for (int64_t i = 0; i < n; i++) {
            const double a = s2 * v[i];
            double *row = cov + i * n;
            for (int64_t j = 0; j < n; j++) row[j] += a * v[j];
        }
    }
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < n; j++)
            cov[i * n + j] *= s->inv_sqrt_mass[i / 3] * s->inv_sqrt_mass[j / 3];
    return PG_OK;
}

/* u (Å, [n_mode]) of configuration c, attempt `attempt`: one standard normal per mode, in mode
 * order, for every mode (excluded ones too, so the stream layout does not depend on the
 * policy); u = M^-1/2 sum_m sigma_m xi_m v_m, accumulated mode by mode so that every element
 * is summed in the same order whatever else is computed (bit-reproducible). */
void sampler_phonon_displace(const struct pg_sampler *s, int64_t c, int attempt, double *u,
                             double *work)
{
    const int64_t n = s->n_mode, t = c / s->o.n_per_condition;
    const double *sig = s->sigma + t * n;
    pg_rng_t rng;
    pg_rng_init(&rng, s->o.seed, s->tag_phonon, (uint64_t)c, (uint64_t)attempt);
    for (int64_t m = 0; m < n; m++) work[m] = sig[m] * pg_rng_normal(&rng);
    memset(u, 0, sizeof(double) * (size_t)n);
    for (int64_t m = 0; m < n; m++) {
        const double y = work[m];
        if (y == 0) continue;
        const double *restrict v = s->vec + m * n;
        for (int64_t i = 0; i < n; i++) u[i] += y * v[i];
    }
    for (int64_t i = 0; i < n; i++) u[i] *= s->inv_sqrt_mass[i / 3];
}
