/* test_pme.c - smooth particle-mesh Ewald (src/label/pme.c) and its FFT (src/label/fft.c).
 *
 * References: a naive O(M²) DFT for the FFT; the plain Ewald sum (coulomb = ewald, itself
 * checked against Madelung constants and the spec's reference values in test_potential) for
 * PME energies, forces and stress on Ag3SBr 2x2x2, 4x4x4 and strained/sheared triclinic cells;
 * central finite differences of the PME energy itself (forces, stress); translation. */
#include <math.h>
#include <string.h>

#include "label/fft.h"
#include "label/pme.h"
#include "pg_test.h"
#include "phonograph/pg_potential.h"
#include "phonograph/pg_units.h"
#include "refcase.h"

/* deterministic uniform numbers in [-1, 1) (64-bit LCG, Knuth's MMIX constants) */
static double lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 4503599627370496.0 - 1.0;
}

static void test_fft_vs_dft(void **state)
{
    (void)state;
    const int dims[][3] = {{6, 10, 15}, {8, 4, 5}, {16, 9, 1}, {1, 32, 3}, {25, 2, 12}};
    uint64_t seed = 7;
    for (size_t c = 0; c < sizeof dims / sizeof dims[0]; c++) {
        const int *n = dims[c];
        const int64_t m = (int64_t)n[0] * n[1] * n[2];
        double *x = malloc(sizeof(double) * 2 * m), *y = malloc(sizeof(double) * 2 * m),
               *ref = malloc(sizeof(double) * 2 * m);
        for (int64_t k = 0; k < 2 * m; k++) x[k] = lcg(&seed);
        fft3_plan_t *plan = NULL;
        assert_int_equal(fft3_plan_create(n, &plan), PG_OK);
        for (int sign = -1; sign <= 1; sign += 2) {
            memcpy(y, x, sizeof(double) * 2 * m);
            fft3_execute(plan, y, sign);
            double scale = 0.0;
            for (int k0 = 0; k0 < n[0]; k0++)
                for (int k1 = 0; k1 < n[1]; k1++)
                    for (int k2 = 0; k2 < n[2]; k2++) {
                        long double sr = 0, si = 0;
                        for (int j0 = 0; j0 < n[0]; j0++)
                            for (int j1 = 0; j1 < n[1]; j1++)
                                for (int j2 = 0; j2 < n[2]; j2++) {
                                    const double ph =
                                        sign * 2.0 * PG_PI *
                                        ((double)(j0 * k0 % n[0]) / n[0] +
                                         (double)(j1 * k1 % n[1]) / n[1] +
                                         (double)(j2 * k2 % n[2]) / n[2]);
                                    const int64_t j = ((int64_t)j0 * n[1] + j1) * n[2] + j2;
                                    sr += x[2 * j] * cos(ph) - x[2 * j + 1] * sin(ph);
                                    si += x[2 * j] * sin(ph) + x[2 * j + 1] * cos(ph);
                                }
                        const int64_t k = ((int64_t)k0 * n[1] + k1) * n[2] + k2;
                        ref[2 * k] = (double)sr;
                        ref[2 * k + 1] = (double)si;
                        if (fabs(ref[2 * k]) > scale) scale = fabs(ref[2 * k]);
                    }
            char label[64];
            snprintf(label, sizeof label, "FFT %dx%dx%d sign %d", n[0], n[1], n[2], sign);
            assert_close(y, ref, 2 * m, 0, 1e-13 * scale, label);
        }
        fft3_plan_destroy(&plan);
        free(x);
        free(y);
        free(ref);
    }
    assert_int_equal(fft_good_size(7), 8);
    assert_int_equal(fft_good_size(49), 50);
    assert_int_equal(fft_good_size(61), 64);
    fft3_plan_t *plan = NULL;
    const int bad[3] = {7, 8, 8};
    assert_int_equal(fft3_plan_create(bad, &plan), PG_ERR_INPUT);
    pg_err_clear();
}

/* replicate a cell n0 x n1 x n2 and rattle every atom by up to amp Å (deterministic) */
static void replicate(const pg_cell_t *u, int n0, int n1, int n2, double amp, pg_cell_t *s)
{
    assert_int_equal(pg_cell_init(s, u->n_atom * n0 * n1 * n2), PG_OK);
    uint64_t seed = 11;
    int64_t k = 0;
    for (int i0 = 0; i0 < n0; i0++)
        for (int i1 = 0; i1 < n1; i1++)
            for (int i2 = 0; i2 < n2; i2++)
                for (int64_t i = 0; i < u->n_atom; i++, k++) {
                    for (int c = 0; c < 3; c++)
                        s->pos[k][c] = u->pos[i][c] + i0 * u->lattice[0][c] +
                                       i1 * u->lattice[1][c] + i2 * u->lattice[2][c] +
                                       amp * lcg(&seed);
                    s->z[k] = u->z[i];
                }
    for (int c = 0; c < 3; c++) {
        s->lattice[0][c] = n0 * u->lattice[0][c];
        s->lattice[1][c] = n1 * u->lattice[1][c];
        s->lattice[2][c] = n2 * u->lattice[2][c];
    }
}

typedef struct {
    double e, f, s; /* max |ΔE|/atom (eV), max |ΔF| (eV/Å), max |Δσ| (GPa) */
} diff_t;

static diff_t pme_vs_ewald(const pg_cell_t *cell, double eps, int *used_pme)
{
    const int64_t n = cell->n_atom;
    pg_potential_result_t r[2];
    double(*f)[3] = calloc((size_t)(2 * n), sizeof *f);
    for (int k = 0; k < 2; k++) {
        pg_potential_opts_t o;
        pg_potential_opts_default(&o);
        o.ewald_accuracy = eps;
        o.coulomb = k ? PG_COULOMB_PME : PG_COULOMB_EWALD;
        pg_potential_t *pot = NULL;
        assert_int_equal(pg_potential_create(&o, &pot), PG_OK);
        pg_status_t st = pg_potential_compute(pot, cell, &r[k], f + k * n);
        if (st != PG_OK) pg_err_print(stderr, "");
        assert_int_equal(st, PG_OK);
        pg_potential_destroy(&pot);
    }
    *used_pme = r[1].coulomb == PG_COULOMB_PME && r[0].coulomb == PG_COULOMB_EWALD;
    diff_t d = {fabs(r[1].energy - r[0].energy) / n, 0, 0};
    const double *fe = &f[0][0], *fp = &f[n][0];
    for (int64_t i = 0; i < 3 * n; i++) d.f = fmax(d.f, fabs(fp[i] - fe[i]));
    for (int a = 0; a < 3; a++)
        for (int c = 0; c < 3; c++)
            d.s = fmax(d.s, fabs(r[1].stress[a][c] - r[0].stress[a][c]) * PG_EV_ANG3_TO_GPA);
    free(f);
    return d;
}

/* PME agrees with Ewald to the requested accuracy, and closer as it tightens */
static void test_pme_vs_ewald(void **state)
{
    (void)state;
    refcase_t disp, strained, tric;
    assert_int_equal(refcase_read("Ag3SBr_2x2x2_displaced", &disp), 0);
    assert_int_equal(refcase_read("Ag3SBr_2x2x2_displaced_strained", &strained), 0);
    assert_int_equal(refcase_read("Ag3SBr_1x1x1_triclinic", &tric), 0);
    pg_cell_t big = {0}, tric8 = {0};
    replicate(&disp.cell, 2, 2, 2, 0.03, &big);   /* 4x4x4 Ag3SBr, 320 atoms */
    replicate(&tric.cell, 2, 2, 2, 0.03, &tric8); /* sheared triclinic 2x2x2, 40 atoms */
    const pg_cell_t *cells[] = {&disp.cell, &strained.cell, &tric8, &big};
    const char *names[] = {"2x2x2 displaced", "2x2x2 strained", "triclinic 2x2x2", "4x4x4"};
    const double eps[] = {1e-6, 1e-8, 1e-10};
    for (int c = 0; c < 4; c++) {
        diff_t first = {0};
        for (int k = 0; k < 3; k++) {
            int used = 0;
            const diff_t d = pme_vs_ewald(cells[c], eps[k], &used);
            print_message("pme vs ewald %-16s eps %.0e: dE/atom %.2e eV  dF %.2e eV/A  dsigma %.2e GPa\n",
                          names[c], eps[k], d.e, d.f, d.s);
            assert_true(used);
            /* tolerance: ε in units of the Coulomb scale (k_e q²/Å ≈ 5 eV, per Å for forces,
             * per Å³ for stress: 5 eV/Å³ ≈ 800 GPa) */
            assert_true(d.e <= 5.0 * eps[k]);
            assert_true(d.f <= 5.0 * eps[k]);
            assert_true(d.s <= 800.0 * eps[k]);
            if (k == 0) first = d;
            if (k == 2) { /* four orders of magnitude tighter: at least 100x closer */
                assert_true(d.e <= fmax(first.e * 0.01, 1e-12));
                assert_true(d.f <= fmax(first.f * 0.01, 1e-12));
                assert_true(d.s <= fmax(first.s * 0.01, 1e-10));
            }
        }
    }
    pg_cell_free(&big);
    pg_cell_free(&tric8);
    refcase_free(&disp);
    refcase_free(&strained);
    refcase_free(&tric);
}

/* energy of pme_recip alone (fixed order and mesh) */
static double pme_energy(const pg_cell_t *cell, const double *q, double alpha, int p,
                         const int mesh[3], double (*f)[3], double s[3][3])
{
    pme_ws_t ws = {0};
    double e = 0.0;
    if (f) memset(f, 0, sizeof(double[3]) * (size_t)cell->n_atom);
    if (s) memset(s, 0, sizeof(double[3][3]));
    assert_int_equal(pme_recip(&ws, cell->lattice, cell->n_atom, (const double(*)[3])cell->pos, q,
                               alpha, p, mesh, &e, f, s),
                     PG_OK);
    pme_ws_free(&ws);
    return e;
}

/* forces = -∇E_pme and σ = (1/V) ∂E_pme/∂ε by central differences at fixed mesh/order;
 * momentum: Σ F is not zero in PME, but small at the requested accuracy */
static void test_pme_fd(void **state)
{
    (void)state;
    refcase_t rc;
    assert_int_equal(refcase_read("Ag3SBr_2x2x2_displaced_strained", &rc), 0);
    pg_cell_t *cell = &rc.cell;
    const int64_t n = cell->n_atom;
    double *q = malloc(sizeof(double) * (size_t)n);
    for (int64_t i = 0; i < n; i++) assert_int_equal(pg_potential_charge(cell->z[i], &q[i]), PG_OK);
    /* a coarse mesh and low order on purpose: the derivatives must be exact for any mesh */
    const int p = 6, mesh[3] = {12, 10, 15};
    const double alpha = 0.45;
    double(*f)[3] = calloc((size_t)n, sizeof *f), (*fd)[3] = calloc((size_t)n, sizeof *fd),
    s[3][3];
    pme_energy(cell, q, alpha, p, mesh, f, s);
    const double h = 1e-4;
    for (int64_t i = 0; i < n; i += 7)
        for (int a = 0; a < 3; a++) {
            const double x0 = cell->pos[i][a];
            cell->pos[i][a] = x0 + h;
            const double ep = pme_energy(cell, q, alpha, p, mesh, NULL, NULL);
            cell->pos[i][a] = x0 - h;
            const double em = pme_energy(cell, q, alpha, p, mesh, NULL, NULL);
            cell->pos[i][a] = x0;
            fd[i][a] = -(ep - em) / (2 * h);
            char label[64];
            snprintf(label, sizeof label, "PME force atom %lld axis %d", (long long)i, a);
            assert_close(&f[i][a], &fd[i][a], 1, 1e-6, 1e-8, label);
        }
    /* stress */
    pg_cell_t work = {0};
    assert_int_equal(pg_cell_copy(&work, cell), PG_OK);
    const double vol = fabs(pg_cell_volume(cell)), hs = 1e-5;
    double sfd[3][3], smax = 0.0;
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            double e2[2];
            for (int sgn = 0; sgn < 2; sgn++) {
                double m[3][3];
                for (int x = 0; x < 3; x++)
                    for (int y = 0; y < 3; y++) m[x][y] = (x == y);
                const double d = sgn ? -hs / 2 : hs / 2;
                m[a][b] += d;
                m[b][a] += d;
                for (int r = 0; r < 3; r++)
                    for (int y = 0; y < 3; y++)
                        work.lattice[r][y] = cell->lattice[r][0] * m[0][y] +
                                             cell->lattice[r][1] * m[1][y] +
                                             cell->lattice[r][2] * m[2][y];
                for (int64_t i = 0; i < n; i++)
                    for (int y = 0; y < 3; y++)
                        work.pos[i][y] = cell->pos[i][0] * m[0][y] + cell->pos[i][1] * m[1][y] +
                                         cell->pos[i][2] * m[2][y];
                e2[sgn] = pme_energy(&work, q, alpha, p, mesh, NULL, NULL);
            }
            sfd[a][b] = (e2[0] - e2[1]) / (2 * hs) / vol;
            smax = fmax(smax, fabs(s[a][b]));
        }
    assert_close(&s[0][0], &sfd[0][0], 9, 0, 1e-6 * smax, "PME stress vs FD strain derivative");
    pg_cell_free(&work);
    free(f);
    free(fd);
    free(q);
    refcase_free(&rc);
}

/* translating every atom by a non-mesh vector changes E only at the interpolation error */
static void test_pme_translation(void **state)
{
    (void)state;
    refcase_t rc;
    assert_int_equal(refcase_read("Ag3SBr_2x2x2_displaced", &rc), 0);
    const double eps[] = {1e-6, 1e-10};
    for (int k = 0; k < 2; k++) {
        pg_potential_opts_t o;
        pg_potential_opts_default(&o);
        o.ewald_accuracy = eps[k];
        o.coulomb = PG_COULOMB_PME;
        pg_potential_t *pot = NULL;
        assert_int_equal(pg_potential_create(&o, &pot), PG_OK);
        pg_potential_result_t r0, r1;
        const int64_t n = rc.cell.n_atom;
        double(*f0)[3] = calloc((size_t)n, sizeof *f0), (*f1)[3] = calloc((size_t)n, sizeof *f1);
        assert_int_equal(pg_potential_compute(pot, &rc.cell, &r0, f0), PG_OK);
        pg_cell_t work = {0};
        assert_int_equal(pg_cell_copy(&work, &rc.cell), PG_OK);
        for (int64_t i = 0; i < n; i++)
            work.pos[i][0] += 0.1234, work.pos[i][1] -= 0.377, work.pos[i][2] += 1.0311;
        assert_int_equal(pg_potential_compute(pot, &work, &r1, f1), PG_OK);
        const double de = fabs(r1.energy - r0.energy) / n;
        double df = 0.0, fsum[3] = {0};
        for (int64_t i = 0; i < n; i++)
            for (int a = 0; a < 3; a++) {
                df = fmax(df, fabs(f1[i][a] - f0[i][a]));
                fsum[a] += f0[i][a];
            }
        print_message("translation eps %.0e: dE/atom %.2e dF %.2e |sum F| %.2e %.2e %.2e\n",
                      eps[k], de, df, fsum[0], fsum[1], fsum[2]);
        assert_true(de <= 5.0 * eps[k]);
        assert_true(df <= 5.0 * eps[k]);
        for (int a = 0; a < 3; a++) assert_true(fabs(fsum[a]) <= 5.0 * eps[k] * n);
        pg_cell_free(&work);
        free(f0);
        free(f1);
        pg_potential_destroy(&pot);
    }
    refcase_free(&rc);
}

/* coulomb = auto picks Ewald below PG_COULOMB_PME_MIN_ATOMS and PME from there on */
static void test_auto_and_input(void **state)
{
    (void)state;
    refcase_t rc;
    assert_int_equal(refcase_read("Ag3SBr_2x2x2_ideal", &rc), 0);
    pg_cell_t big = {0};
    replicate(&rc.cell, 4, 2, 2, 0.0, &big); /* 640 atoms */
    pg_potential_opts_t o;
    pg_potential_opts_default(&o);
    assert_int_equal(o.coulomb, PG_COULOMB_AUTO);
    pg_potential_t *pot = NULL;
    assert_int_equal(pg_potential_create(&o, &pot), PG_OK);
    pg_potential_result_t r;
    assert_int_equal(pg_potential_compute(pot, &rc.cell, &r, NULL), PG_OK);
    assert_int_equal(r.coulomb, PG_COULOMB_EWALD);
    assert_true(rc.cell.n_atom < PG_COULOMB_PME_MIN_ATOMS && big.n_atom >= PG_COULOMB_PME_MIN_ATOMS);
    const double e_small = r.energy / rc.cell.n_atom;
    assert_int_equal(pg_potential_compute(pot, &big, &r, NULL), PG_OK);
    assert_int_equal(r.coulomb, PG_COULOMB_PME);
    assert_true(r.pme_order >= 4 && r.pme_mesh[0] >= r.pme_order);
    const double e_big = r.energy / big.n_atom; /* same crystal: same E/atom */
    assert_close(&e_big, &e_small, 1, 0, 1e-9, "ideal 2x2x2 (Ewald) vs 8x4x4 (PME) E/atom");
    pg_potential_destroy(&pot);

    pg_coulomb_t c;
    assert_int_equal(pg_coulomb_parse("PME", &c), PG_OK);
    assert_int_equal(c, PG_COULOMB_PME);
    assert_int_equal(pg_coulomb_parse("pppm", &c), PG_ERR_INPUT);
    pg_err_clear();
    pme_ws_t ws = {0};
    double e = 0.0;
    const int mesh[3] = {8, 8, 8}, small[3] = {8, 4, 8};
    assert_int_equal(pme_recip(&ws, rc.cell.lattice, 1, (const double(*)[3])rc.cell.pos, &e, 0.4,
                               5, mesh, &e, NULL, NULL),
                     PG_ERR_INPUT);
    pg_err_clear();
    assert_int_equal(pme_recip(&ws, rc.cell.lattice, 1, (const double(*)[3])rc.cell.pos, &e, 0.4,
                               6, small, &e, NULL, NULL),
                     PG_ERR_INPUT);
    pg_err_clear();
    pme_ws_free(&ws);
    pg_cell_free(&big);
    refcase_free(&rc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fft_vs_dft),      cmocka_unit_test(test_pme_vs_ewald),
        cmocka_unit_test(test_pme_fd),          cmocka_unit_test(test_pme_translation),
        cmocka_unit_test(test_auto_and_input),
    };
    return cmocka_run_group_tests_name("pme", tests, NULL, NULL);
}
