/* test_sample.c - phonon-informed and random samplers.
 *
 * Phonon sampler against phonopy 2.17 (../shared/reference/phonopy/NaCl, 64-atom supercell,
 * force_constants.hdf5, random_disp_300K.h5 from generate_displacements):
 *  - frequencies equal phonopy's commensurate-q frequencies (1e-6 THz);
 *  - the exact displacement covariance equals phonopy's uu_analytic (quantum and classical,
 *    300 K) and msd_analytic_vs_T (0, 100, 600 K) to 1e-10 relative to the largest element;
 *  - 2,000 sampled configurations: every per-atom, per-component MSD is within 5 standard
 *    errors of msd_analytic (false-failure rate of the whole check <= 192 x 5.7e-7 = 1.1e-4
 *    for Gaussian z-scores), and the MSD averaged over each primitive atom's 32 images within
 *    3 % (README's tolerance; images are correlated);
 *  - mean harmonic energy 1/2 u.Phi.u per sampled mode (raw force constants, not the modes)
 *    is k_B T/2 (classical) or 1/2 h nu (n + 1/2) averaged over modes (quantum) within 5
 *    standard errors (false-failure 5.7e-7 each).
 * Random sampler: moments of the three distributions (5 sigma each), condition mapping,
 * strain, disorder, guards, and draw-order independence.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_element.h"
#include "phonograph/pg_h5.h"
#include "phonograph/pg_sample.h"
#include "phonograph/pg_units.h"
#include "test_phonon_common.h"

typedef struct {
    pg_cell_t cell;
    double (*phi)[3][3];
    pg_modes_t modes;
} nacl_ref_t;

static nacl_ref_t g_nacl;
/* the q-space sampler's inputs: commensurate modes of the same supercell (phonopy's
 * primitive cell and S = supercell_matrix_wrt_primitive) */
static phonon_case_t g_case;
static pg_phonon_modes_t g_pm;
static int g_smat[3][3];

static void load_nacl(void)
{
    const char *dir = pg_test_path(pg_test_shared_dir(), "reference/phonopy/NaCl");
    pg_h5_t *f = NULL;
    assert_int_equal(pg_h5_open(pg_test_path(dir, "reference.h5"), PG_H5_READ, MPI_COMM_NULL, &f),
                     PG_OK);
    int rank;
    int64_t dims[4];
    assert_int_equal(pg_h5_shape(f, "/structure/supercell_masses", &rank, dims), PG_OK);
    const int64_t n = dims[0];
    assert_int_equal(pg_cell_init(&g_nacl.cell, n), PG_OK);
    double frac[64][3];
    assert_true(n == 64);
    assert_int_equal(pg_h5_read(f, "/structure/supercell_lattice", PG_H5_F64, g_nacl.cell.lattice),
                     PG_OK);
    assert_int_equal(pg_h5_read(f, "/structure/supercell_scaled_positions", PG_H5_F64, frac), PG_OK);
    assert_int_equal(pg_h5_read(f, "/structure/supercell_masses", PG_H5_F64, g_nacl.cell.mass),
                     PG_OK);
    assert_int_equal(pg_h5_read(f, "/structure/supercell_numbers", PG_H5_I32, g_nacl.cell.z), PG_OK);
    for (int64_t k = 0; k < n; k++) pg_cell_frac_to_cart(g_nacl.cell.lattice, frac[k], g_nacl.cell.pos[k]);
    pg_h5_close(&f);
    assert_int_equal(
        pg_h5_open(pg_test_path(dir, "force_constants.hdf5"), PG_H5_READ, MPI_COMM_NULL, &f), PG_OK);
    void *buf = NULL;
    assert_int_equal(pg_h5_read_alloc(f, "/force_constants", PG_H5_F64, &buf, &rank, dims), PG_OK);
    assert_true(rank == 4 && dims[0] == n && dims[1] == n);
    g_nacl.phi = buf;
    pg_h5_close(&f);
    assert_int_equal(pg_modes_from_fc(n, (const double(*)[3][3])g_nacl.phi, g_nacl.cell.mass,
                                      &g_nacl.modes),
                     PG_OK);
}

static int setup(void **state)
{
    (void)state;
    load_nacl();
    nacl_load(&g_case, "force_constants.hdf5");
    int64_t S64[3][3];
    pg_h5_t *h = NULL;
    assert_int_equal(pg_h5_open(nacl_file("reference.h5"), PG_H5_READ, MPI_COMM_NULL, &h), PG_OK);
    assert_int_equal(pg_h5_read(h, "/structure/supercell_matrix_wrt_primitive", PG_H5_I64, S64), PG_OK);
    pg_h5_close(&h);
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) g_smat[a][b] = (int)S64[a][b];
    assert_int_equal(pg_phonon_commensurate_modes(g_case.dm, (const int(*)[3])g_smat, &g_pm), PG_OK);
    return 0;
}
static int teardown(void **state)
{
    (void)state;
    pg_cell_free(&g_nacl.cell);
    free(g_nacl.phi);
    pg_modes_free(&g_nacl.modes);
    pg_phonon_modes_free(&g_pm);
    case_free(&g_case);
    return 0;
}

static double *read_ref(const char *group, const char *name, int64_t *n_out)
{
    const char *dir = pg_test_path(pg_test_shared_dir(), "reference/phonopy/NaCl");
    pg_h5_t *f = NULL;
    assert_int_equal(
        pg_h5_open(pg_test_path(dir, "random_disp_300K.h5"), PG_H5_READ, MPI_COMM_NULL, &f), PG_OK);
    char path[128];
    snprintf(path, sizeof path, "/%s/%s", group, name);
    void *buf = NULL;
    int rank;
    int64_t dims[4];
    assert_int_equal(pg_h5_read_alloc(f, path, PG_H5_F64, &buf, &rank, dims), PG_OK);
    int64_t n = 1;
    for (int r = 0; r < rank; r++) n *= dims[r];
    if (n_out) *n_out = n;
    pg_h5_close(&f);
    return buf;
}

static pg_sampler_t *phonon_sampler(pg_stats_t stats, const double *temps, int64_t nt,
                                    int64_t n_per)
{
    pg_sample_opts_t o;
    pg_sample_opts_default(&o);
    o.kind = PG_SAMPLE_PHONON;
    o.seed = 1234;
    o.stats = stats;
    o.condition = temps;
    o.n_condition = nt;
    o.n_per_condition = n_per;
    pg_sampler_t *s = NULL;
    assert_int_equal(pg_sampler_create_qspace(&g_nacl.cell, &g_pm, (const int(*)[3])g_smat, &o, &s),
                     PG_OK); /* the production path (pg_sampler_create_phonon) */
    return s;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_modes_vs_phonopy(void **state)
{
    (void)state;
    int64_t n;
    double *cf = read_ref("quantum", "commensurate_frequencies", &n);
    assert_true(n == 120);
    /* phonopy stores one representative per q/-q pair: the 8 ii points (rows 0-7) count once,
     * the 12 pairs (rows 8-19) twice (N = 8 + 2*12 = 32) */
    double ref[192];
    int64_t k = 0;
    for (int r = 0; r < 20; r++)
        for (int s = 0; s < 6; s++) {
            ref[k++] = cf[r * 6 + s];
            if (r >= 8) ref[k++] = cf[r * 6 + s];
        }
    assert_true(k == 192);
    qsort(ref, 192, sizeof(double), cmp_double);
    double ours[192];
    memcpy(ours, g_nacl.modes.freq_thz, sizeof ours);
    for (int i = 0; i < 3; i++) ref[i] = ours[i] = 0; /* acoustic noise at Gamma */
    assert_close(ours, ref, 192, 0, 1e-6, "supercell frequencies vs commensurate q (THz)");
    free(cf);
    /* orthonormal eigenvectors */
    const double *v = g_nacl.modes.vec;
    double worst = 0;
    for (int a = 0; a < 192; a += 7)
        for (int b = 0; b < 192; b++) {
            double d = 0;
            for (int i = 0; i < 192; i++) d += v[a * 192 + i] * v[b * 192 + i];
            worst = fmax(worst, fabs(d - (a == b)));
        }
    assert_true(worst < 1e-12);
}

static void check_cov(pg_stats_t stats, const char *group)
{
    const double temps[4] = {0, 100, 300, 600};
    pg_sampler_t *s = phonon_sampler(stats, temps, 4, 1);
    pg_mode_stats_t ms;
    pg_sampler_mode_stats(s, &ms);
    assert_true(ms.n_sampled == 189 && ms.n_excluded == 3 && ms.n_imaginary == 0 &&
                ms.n_shifted == 0);
    double *cov = malloc(sizeof(double) * 192 * 192);
    int64_t n;
    double *uu = read_ref(group, "uu_analytic", &n);
    assert_int_equal(pg_sampler_covariance(s, 2, cov), PG_OK);
    double amax = 0;
    for (int64_t i = 0; i < n; i++) amax = fmax(amax, fabs(uu[i]));
    assert_close(cov, uu, n, 0, 1e-10 * amax, "covariance vs phonopy uu_analytic (300 K)");
    double *msd_t = read_ref(group, "msd_analytic_vs_T", &n);
    for (int t = 0; t < 4; t++) {
        if (stats == PG_STATS_CLASSICAL && t == 0) continue; /* classical T=0: all zero */
        assert_int_equal(pg_sampler_covariance(s, t, cov), PG_OK);
        double diag[192];
        for (int i = 0; i < 192; i++) diag[i] = cov[i * 192 + i];
        amax = 0;
        for (int i = 0; i < 192; i++) amax = fmax(amax, fabs(msd_t[t * 192 + i]));
        assert_close(diag, msd_t + t * 192, 192, 0, 1e-10 * amax, "msd vs T");
    }
    free(msd_t);
    free(uu);
    free(cov);
    pg_sampler_destroy(&s);
}
static void test_covariance_quantum(void **state)
{
    (void)state;
    check_cov(PG_STATS_QUANTUM, "quantum");
}
static void test_covariance_classical(void **state)
{
    (void)state;
    check_cov(PG_STATS_CLASSICAL, "classical");
}

static void check_sampling(pg_stats_t stats, const char *group)
{
    const int64_t n_cfg = 2000, n = 64;
    const double temp = 300;
    pg_sampler_t *s = phonon_sampler(stats, &temp, 1, n_cfg);
    pg_sample_t x;
    assert_int_equal(pg_sample_init(&x, s), PG_OK);
    double *s1 = calloc(192, sizeof(double)), *s2 = calloc(192, sizeof(double));
    double e_sum = 0;
    for (int64_t c = 0; c < n_cfg; c++) {
        assert_int_equal(pg_sampler_draw(s, c, &x), PG_OK);
        const double *u = &x.disp[0][0];
        for (int i = 0; i < 192; i++) {
            s1[i] += u[i] * u[i];
            s2[i] += u[i] * u[i] * u[i] * u[i];
        }
        /* harmonic energy from the raw force constants: 1/2 sum u_i Phi_ij u_j */
        double e = 0;
        for (int64_t k = 0; k < n; k++)
            for (int64_t l = 0; l < n; l++)
                for (int a = 0; a < 3; a++)
                    for (int b = 0; b < 3; b++)
                        e += x.disp[k][a] * g_nacl.phi[k * n + l][a][b] * x.disp[l][b];
        e_sum += 0.5 * e;
    }
    int64_t m;
    double *ana = read_ref(group, "msd_analytic", &m);
    double zmax = 0;
    for (int i = 0; i < 192; i++) {
        const double mean = s1[i] / n_cfg, var = s2[i] / n_cfg - mean * mean;
        const double se = sqrt(var * n_cfg / (n_cfg - 1) / n_cfg);
        zmax = fmax(zmax, fabs(mean - ana[i]) / se);
    }
    print_message("%s: max |z| of 192 sampled MSD components vs phonopy analytic: %.2f\n", group,
                  zmax);
    assert_true(zmax < 5.0);
    for (int p = 0; p < 2; p++) { /* Na = atoms 0-31, Cl = 32-63 in SPOSCAR order */
        double a = 0, b = 0;
        for (int i = p * 96; i < (p + 1) * 96; i++) {
            a += s1[i] / n_cfg;
            b += ana[i];
        }
        print_message("%s: primitive atom %d MSD sampled %.6f analytic %.6f Å^2\n", group, p,
                      a / 96, b / 96);
        assert_true(fabs(a / b - 1) < 0.03);
    }
    /* mean harmonic energy per sampled mode */
    double nu[192], sig[192], e_exp = 0, var_e = 0;
    int64_t n_s = 0;
    assert_int_equal(pg_sampler_mode_sigma(s, 0, nu, sig), PG_OK);
    for (int i = 0; i < 192; i++) {
        if (nu[i] <= 0) continue;
        n_s++;
        double em; /* expected potential energy of the mode, eV */
        if (stats == PG_STATS_CLASSICAL) {
            em = 0.5 * PG_KB_EV * temp;
        } else {
            const double hnu = PG_THZ_TO_EV * nu[i];
            em = 0.5 * hnu * (1.0 / expm1(hnu / (PG_KB_EV * temp)) + 0.5);
        }
        e_exp += em;
        var_e += 2 * em * em; /* E_m = em * chi^2_1 */
    }
    const double e_mean = e_sum / n_cfg, se_e = sqrt(var_e / n_cfg);
    print_message("%s: <E_harm>/mode %.6f eV, expected %.6f eV (k_B T/2 = %.6f), z = %.2f\n", group,
                  e_mean / n_s, e_exp / n_s, 0.5 * PG_KB_EV * temp, (e_mean - e_exp) / se_e);
    assert_true(fabs(e_mean - e_exp) < 5 * se_e);
    free(ana);
    free(s1);
    free(s2);
    pg_sample_free(&x);
    pg_sampler_destroy(&s);
}
static void test_sampling_quantum(void **state)
{
    (void)state;
    check_sampling(PG_STATS_QUANTUM, "quantum");
}
static void test_sampling_classical(void **state)
{
    (void)state;
    check_sampling(PG_STATS_CLASSICAL, "classical");
}

/* a synthetic spectrum exercises the imaginary-mode policies (LABELER.md section 7) */
static void test_imaginary_policies(void **state)
{
    (void)state;
    pg_modes_t md = g_nacl.modes; /* borrow vectors; replace frequencies */
    double f[192];
    memcpy(f, g_nacl.modes.freq_thz, sizeof f);
    f[0] = -2.0;   /* imaginary, large */
    f[1] = -0.3;   /* imaginary, small: shift makes it 1.3 */
    f[2] = -0.005; /* acoustic noise: excluded */
    f[3] = 0.2;    /* real but soft: shift makes it 1.2 (phonopy shifts every |nu| in range) */
    f[4] = 0.004;  /* excluded */
    md.freq_thz = f;
    const double temp = 300;
    struct {
        pg_imag_policy_t p;
        double used[5];
        int64_t n_sampled_low, n_shifted;
        double min_used;
    } cases[3] = {
        {PG_IMAG_SHIFT, {2.0, 1.3, 0, 1.2, 0}, 3, 2, 0},
        {PG_IMAG_ABS, {2.0, 0.3, 0, 0.2, 0}, 3, 0, 0.2},
        {PG_IMAG_SKIP, {0, 0, 0, 0.2, 0}, 1, 0, 0.2},
    };
    for (int k = 0; k < 3; k++) {
        pg_sample_opts_t o;
        pg_sample_opts_default(&o);
        o.imag = cases[k].p;
        o.condition = &temp;
        o.n_condition = 1;
        pg_sampler_t *s = NULL;
        assert_int_equal(pg_sampler_create(&g_nacl.cell, &md, &o, &s), PG_OK);
        double nu[192];
        assert_int_equal(pg_sampler_mode_sigma(s, 0, nu, NULL), PG_OK);
        for (int i = 0; i < 5; i++) assert_true(fabs(nu[i] - cases[k].used[i]) < 1e-15);
        pg_mode_stats_t ms;
        pg_sampler_mode_stats(s, &ms);
        assert_true(ms.n_imaginary == 2);
        assert_true(ms.n_shifted == cases[k].n_shifted);
        assert_true(ms.n_sampled == 187 + cases[k].n_sampled_low);
        if (cases[k].min_used > 0) assert_true(fabs(ms.min_used_thz - cases[k].min_used) < 1e-15);
        pg_sampler_destroy(&s);
    }
}

static void test_phonon_reproducible(void **state)
{
    (void)state;
    const double temps[2] = {150, 600};
    pg_sampler_t *s = phonon_sampler(PG_STATS_QUANTUM, temps, 2, 10);
    pg_sample_t a, b;
    assert_int_equal(pg_sample_init(&a, s), PG_OK);
    assert_int_equal(pg_sample_init(&b, s), PG_OK);
    for (int64_t c = 0; c < 20; c++) assert_int_equal(pg_sampler_draw(s, c, &a), PG_OK);
    assert_int_equal(pg_sampler_draw(s, 19, &b), PG_OK); /* fresh object, out of order */
    assert_memory_equal(a.cell.pos, b.cell.pos, sizeof(double) * 3 * 64);
    assert_true(a.condition == 600 && pg_sampler_condition_of(s, 9) == 150);
    assert_int_equal(pg_sampler_draw(s, 20, &b), PG_ERR_INPUT);
    pg_sample_free(&a);
    pg_sample_free(&b);
    pg_sampler_destroy(&s);
}

static pg_sampler_t *random_sampler(pg_random_dist_t dist, const double *amps, int64_t na,
                                    int64_t n_per, pg_sample_opts_t *extra)
{
    pg_sample_opts_t o;
    if (extra)
        o = *extra;
    else
        pg_sample_opts_default(&o);
    o.kind = PG_SAMPLE_RANDOM;
    o.dist = dist;
    o.seed = 42;
    o.condition = amps;
    o.n_condition = na;
    o.n_per_condition = n_per;
    pg_sampler_t *s = NULL;
    assert_int_equal(pg_sampler_create(&g_nacl.cell, NULL, &o, &s), PG_OK);
    return s;
}

static void test_random_distributions(void **state)
{
    (void)state;
    const double amps[2] = {0.1, 0.4};
    const int64_t n_per = 200, n_val = n_per * 64; /* atoms per amplitude */
    for (int d = 0; d < 3; d++) {
        pg_sampler_t *s = random_sampler((pg_random_dist_t)d, amps, 2, n_per, NULL);
        pg_sample_t x;
        assert_int_equal(pg_sample_init(&x, s), PG_OK);
        for (int t = 0; t < 2; t++) {
            const double A = amps[t];
            double m1[3] = {0}, m2[3] = {0}, r2 = 0, rmax = 0, cmin = INFINITY;
            for (int64_t c = t * n_per; c < (t + 1) * n_per; c++) {
                assert_int_equal(pg_sampler_draw(s, c, &x), PG_OK);
                assert_true(x.condition == A && x.attempts == 1);
                for (int64_t k = 0; k < 64; k++) {
                    const double *u = x.disp[k];
                    double l2 = 0;
                    for (int a = 0; a < 3; a++) {
                        m1[a] += u[a];
                        m2[a] += u[a] * u[a];
                        l2 += u[a] * u[a];
                        cmin = fmin(cmin, u[a]);
                    }
                    r2 += l2;
                    rmax = fmax(rmax, sqrt(l2));
                }
            }
            const double nv = (double)n_val;
            if (d == PG_RANDOM_GAUSSIAN) { /* N(0, A^2) per component: Var(u^2) = 2 A^4 */
                for (int a = 0; a < 3; a++) {
                    assert_true(fabs(m1[a] / nv) < 5 * A / sqrt(nv));
                    assert_true(fabs(m2[a] / nv - A * A) < 5 * sqrt(2.0) * A * A / sqrt(nv));
                }
            } else if (d == PG_RANDOM_UNIFORM) { /* ball: <|u|^2> = 3A^2/5, Var = 12 A^4/175 */
                assert_true(rmax <= A);
                assert_true(fabs(r2 / nv - 0.6 * A * A) < 5 * sqrt(12.0 / 175) * A * A / sqrt(nv));
                for (int a = 0; a < 3; a++) assert_true(fabs(m1[a] / nv) < 5 * A / sqrt(5 * nv) * 1.3);
            } else { /* paper: U(0, A) per component: mean A/2, variance A^2/12 */
                assert_true(cmin >= 0);
                for (int a = 0; a < 3; a++) {
                    assert_true(fabs(m1[a] / nv - A / 2) < 5 * A / sqrt(12 * nv));
                    const double var = m2[a] / nv - (m1[a] / nv) * (m1[a] / nv);
                    assert_true(fabs(var - A * A / 12) < 5 * A * A * sqrt(1.0 / 180) / sqrt(nv));
                }
            }
        }
        pg_sample_free(&x);
        pg_sampler_destroy(&s);
    }
}

static void test_strain_disorder(void **state)
{
    (void)state;
    pg_sample_opts_t o;
    pg_sample_opts_default(&o);
    o.strain_max = 0.02;
    o.disorder_from_z = 17; /* Cl -> Br on the anion sublattice */
    o.disorder_to_z = 35;
    o.disorder_x = 0.3;
    o.lattice_scale = 1.01;
    const double amp = 0.05;
    pg_sampler_t *s = random_sampler(PG_RANDOM_GAUSSIAN, &amp, 1, 20, &o);
    pg_sample_t x;
    assert_int_equal(pg_sample_init(&x, s), PG_OK);
    int differs = 0;
    int prev_z[64] = {0};
    for (int64_t c = 0; c < 20; c++) {
        assert_int_equal(pg_sampler_draw(s, c, &x), PG_OK);
        assert_true(x.n_substituted == 10); /* round(0.3 * 32) */
        int n_br = 0, n_cl = 0, n_na = 0;
        for (int k = 0; k < 64; k++) {
            n_br += x.cell.z[k] == 35;
            n_cl += x.cell.z[k] == 17;
            n_na += x.cell.z[k] == 11;
            if (x.cell.z[k] == 35) assert_true(x.cell.mass[k] == pg_element_mass(35));
            if (c > 0 && x.cell.z[k] != prev_z[k]) differs = 1;
            prev_z[k] = x.cell.z[k];
        }
        assert_true(n_br == 10 && n_cl == 22 && n_na == 32);
        /* strain: symmetric, bounded; lattice = 1.01 L0 (I + eps) */
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) {
                assert_true(x.strain[a][b] == x.strain[b][a] && fabs(x.strain[a][b]) <= 0.02);
                double l = 0;
                for (int k = 0; k < 3; k++)
                    l += 1.01 * g_nacl.cell.lattice[a][k] * ((k == b) + x.strain[k][b]);
                assert_true(fabs(l - x.cell.lattice[a][b]) < 1e-12);
            }
        /* positions: reference scaled, displaced, strained; disp is the strained displacement */
        for (int k = 0; k < 64; k++)
            for (int b = 0; b < 3; b++) {
                double r = 0;
                for (int a = 0; a < 3; a++)
                    r += 1.01 * g_nacl.cell.pos[k][a] * ((a == b) + x.strain[a][b]);
                assert_true(fabs(r + x.disp[k][b] - x.cell.pos[k][b]) < 1e-12);
            }
    }
    assert_true(differs);
    pg_sample_free(&x);
    pg_sampler_destroy(&s);
}

static void test_guards(void **state)
{
    (void)state;
    /* ideal NaCl supercell: nearest neighbours at a/2 */
    const double a0 = g_nacl.cell.lattice[0][0] / 2; /* conventional cube edge, 2x2x2 */
    assert_true(fabs(pg_sample_min_distance(&g_nacl.cell) - a0 / 2) < 1e-12);
    pg_sample_opts_t o;
    pg_sample_opts_default(&o);
    o.max_displacement_ang = 0.35; /* Gaussian A = 0.1: P(|u| > 0.35) = P(chi2_3 > 12.25) = 0.66 %
                                    * per atom, so ~35 % of 64-atom draws are redrawn */
    o.min_distance_ang = 2.3;
    const double amp = 0.1;
    pg_sampler_t *s = random_sampler(PG_RANDOM_GAUSSIAN, &amp, 1, 60, &o);
    pg_sample_t x, y;
    assert_int_equal(pg_sample_init(&x, s), PG_OK);
    assert_int_equal(pg_sample_init(&y, s), PG_OK);
    int redrawn = 0;
    for (int64_t c = 0; c < 60; c++) {
        assert_int_equal(pg_sampler_draw(s, c, &x), PG_OK);
        redrawn += x.attempts > 1;
        assert_true(x.max_displacement_ang <= 0.35 && x.min_distance_ang >= 2.3);
        assert_true(fabs(x.min_distance_ang - pg_sample_min_distance(&x.cell)) == 0);
    }
    print_message("guards: %d of 60 configurations redrawn\n", redrawn);
    assert_true(redrawn >= 8); /* binomial(60, 0.35): mean 21, sd 3.7 */
    /* a redrawn configuration is reproducible out of order */
    assert_int_equal(pg_sampler_draw(s, 59, &y), PG_OK);
    assert_memory_equal(x.cell.pos, y.cell.pos, sizeof(double) * 3 * 64);
    assert_true(x.attempts == y.attempts);
    pg_sampler_destroy(&s);
    /* impossible guard: clear error after max_attempts */
    o.max_displacement_ang = 1e-4;
    o.max_attempts = 5;
    s = random_sampler(PG_RANDOM_GAUSSIAN, &amp, 1, 3, &o);
    assert_int_equal(pg_sampler_draw(s, 1, &x), PG_ERR_NUMERIC);
    assert_non_null(strstr(pg_err_message(), "in all 5 attempts"));
    pg_sampler_destroy(&s);
    pg_sample_free(&x);
    pg_sample_free(&y);
    /* bad options */
    o.disorder_from_z = 53;
    o.disorder_to_z = 35;
    pg_sampler_t *bad = NULL;
    o.kind = PG_SAMPLE_RANDOM;
    o.condition = &amp;
    o.n_condition = 1;
    assert_int_equal(pg_sampler_create(&g_nacl.cell, NULL, &o, &bad), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "not in the structure"));
    pg_imag_policy_t p;
    assert_int_equal(pg_imag_policy_parse("Abs", &p), PG_OK);
    assert_true(p == PG_IMAG_ABS);
    assert_int_equal(pg_imag_policy_parse("clip", &p), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "shift | abs | skip"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_modes_vs_phonopy),    cmocka_unit_test(test_covariance_quantum),
        cmocka_unit_test(test_covariance_classical), cmocka_unit_test(test_sampling_quantum),
        cmocka_unit_test(test_sampling_classical),  cmocka_unit_test(test_imaginary_policies),
        cmocka_unit_test(test_phonon_reproducible), cmocka_unit_test(test_random_distributions),
        cmocka_unit_test(test_strain_disorder),     cmocka_unit_test(test_guards),
    };
    return cmocka_run_group_tests_name("sample", tests, setup, teardown);
}
