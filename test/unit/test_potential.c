/* test_potential.c - PRV-CAP-1 energy, forces, stress (LABELER.md §3, §4, §8).
 *
 * References: the spec's reference.h5 configurations (copied to test/data/potential/ by
 * make_refs.py), two extra prototype cases (sheared 1x1x1, mixed-species triclinic),
 * analytic Madelung constants, central finite differences and invariances. */
#include <math.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_potential.h"
#include "phonograph/pg_units.h"
#include "refcase.h"

static const char *const ref_names[] = {
    "Ag3SBr_2x2x2_ideal",          "Ag3SBr_2x2x2_displaced",  "Ag3SBr_2x2x2_displaced_strained",
    "Ag3SI_2x2x2_ideal",           "Ag3SI_2x2x2_displaced",   "Ag3SI_2x2x2_displaced_strained",
    "Ag3SeBr_2x2x2_ideal",         "Ag3SeBr_2x2x2_displaced", "Ag3SeBr_2x2x2_displaced_strained",
    "Ag3SeI_2x2x2_ideal",          "Ag3SeI_2x2x2_displaced",  "Ag3SeI_2x2x2_displaced_strained",
    "Ag3SBr_1x1x1_triclinic",      "mixed_2x1x1_triclinic",
};

static pg_potential_t *new_pot(double eps)
{
    pg_potential_opts_t o;
    pg_potential_opts_default(&o);
    o.ewald_accuracy = eps;
    pg_potential_t *pot = NULL;
    assert_int_equal(pg_potential_create(&o, &pot), PG_OK);
    return pot;
}

static double energy_of(pg_potential_t *pot, const pg_cell_t *cell)
{
    pg_potential_result_t r;
    pg_status_t st = pg_potential_compute(pot, cell, &r, NULL);
    if (st != PG_OK) pg_err_print(stderr, "");
    assert_int_equal(st, PG_OK);
    return r.energy;
}

/* spec §8 tolerances: E/atom 1e-7 eV, forces 1e-6 eV/Å, stress 1e-5 GPa */
static void test_reference_configs(void **state)
{
    (void)state;
    pg_potential_t *pot = new_pot(1e-10);
    for (size_t c = 0; c < sizeof ref_names / sizeof ref_names[0]; c++) {
        refcase_t rc;
        assert_int_equal(refcase_read(ref_names[c], &rc), 0);
        const int64_t n = rc.cell.n_atom;
        double(*f)[3] = calloc((size_t)n, sizeof *f);
        pg_potential_result_t r;
        assert_int_equal(pg_potential_compute(pot, &rc.cell, &r, f), PG_OK);
        char label[200];
        const double epa = r.energy / (double)n;
        snprintf(label, sizeof label, "%s E/atom", rc.name);
        assert_close(&epa, &rc.energy_per_atom, 1, 0, 1e-7, label);
        if (rc.has_parts) {
            const double got[2] = {r.energy_sr / n, r.energy_coulomb / n};
            const double want[2] = {rc.energy_sr / n, rc.energy_coulomb / n};
            snprintf(label, sizeof label, "%s E_sr, E_coulomb per atom", rc.name);
            assert_close(got, want, 2, 0, 1e-7, label);
        }
        if (rc.has_forces) {
            snprintf(label, sizeof label, "%s forces", rc.name);
            assert_close(&f[0][0], &rc.forces[0][0], 3 * n, 0, 1e-6, label);
        }
        double sum[3] = {0, 0, 0}, zero[3] = {0, 0, 0};
        for (int64_t i = 0; i < n; i++)
            for (int a = 0; a < 3; a++) sum[a] += f[i][a];
        snprintf(label, sizeof label, "%s sum of forces", rc.name);
        assert_close(sum, zero, 3, 0, 1e-11, label);
        if (rc.has_stress) {
            double s_gpa[3][3], sh, sh_ref = 0;
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++) s_gpa[a][b] = r.stress[a][b] * PG_EV_ANG3_TO_GPA;
            snprintf(label, sizeof label, "%s stress (GPa)", rc.name);
            assert_close(&s_gpa[0][0], &rc.stress_gpa[0][0], 9, 0, 1e-5, label);
            sh = (s_gpa[0][0] + s_gpa[1][1] + s_gpa[2][2]) / 3.0;
            for (int a = 0; a < 3; a++) sh_ref += rc.stress_gpa[a][a] / 3.0;
            snprintf(label, sizeof label, "%s sigma_h (GPa)", rc.name);
            assert_close(&sh, &sh_ref, 1, 0, 1e-5, label);
        }
        free(f);
        refcase_free(&rc);
    }
    pg_potential_destroy(&pot);
    assert_null(pot);
}

/* The full-precision table in potential.c must round to the spec's 1e-6 table (§3.2). */
static void test_parameter_table(void **state)
{
    (void)state;
    static const struct {
        int za, zb, eta;
        double h, p;
    } spec[] = {
        {47, 47, 11, 0.201595, 0},        {47, 16, 9, 984.382309, 15.292423},
        {47, 34, 9, 1269.928472, 18.143553}, {47, 35, 9, 593.358742, 10.782454},
        {47, 53, 9, 1648.471360, 16.899423}, {16, 16, 7, 3896.370985, 0},
        {16, 34, 7, 4416.650661, 0},      {16, 35, 7, 3049.060766, 0},
        {16, 53, 7, 5028.427830, 0},      {34, 34, 7, 4995.377248, 0},
        {34, 35, 7, 3471.534907, 0},      {34, 53, 7, 5674.583653, 0},
        {35, 35, 7, 2364.860274, 0},      {35, 53, 7, 3970.210968, 0},
        {53, 53, 7, 6431.457443, 0},
    };
    for (size_t k = 0; k < sizeof spec / sizeof spec[0]; k++) {
        pg_potential_pair_t a, b;
        assert_int_equal(pg_potential_pair(spec[k].za, spec[k].zb, &a), PG_OK);
        assert_int_equal(pg_potential_pair(spec[k].zb, spec[k].za, &b), PG_OK);
        assert_int_equal(a.eta, spec[k].eta);
        assert_true(fabs(a.h - spec[k].h) <= 5.0001e-7 && fabs(a.p - spec[k].p) <= 5.0001e-7);
        assert_true(a.h == b.h && a.p == b.p && a.w == 0.0);
    }
    double q;
    assert_int_equal(pg_potential_charge(47, &q), PG_OK);
    assert_true(q == 0.6);
    assert_int_equal(pg_potential_charge(11, &q), PG_ERR_INPUT);
}

/* Madelung constants: NaCl 1.747564594633182, CsCl 1.762674773070988 (exact to 15 digits). */
static double madelung(int kind, double eps)
{
    double lat[3][3] = {{0}}, pos[2][3] = {{0}}, q[2] = {1.0, -1.0}, r0, e, alpha, kc;
    if (kind == 0) { /* rock salt, fcc primitive cell, a = 5.64 */
        const double a = 5.64;
        const double l[3][3] = {{0, a / 2, a / 2}, {a / 2, 0, a / 2}, {a / 2, a / 2, 0}};
        memcpy(lat, l, sizeof lat);
        pos[1][0] = a / 2;
        r0 = a / 2;
    } else { /* CsCl, a = 4.11 */
        const double a = 4.11;
        for (int c = 0; c < 3; c++) lat[c][c] = a, pos[1][c] = a / 2;
        r0 = a * sqrt(3.0) / 2;
    }
    pg_ewald_params(eps, 10.0, &alpha, &kc);
    double f[2][3], s[3][3];
    assert_int_equal(pg_ewald_compute(lat, 2, (const double(*)[3])pos, q, alpha, 10.0, kc, &e, f, s),
                     PG_OK);
    for (int i = 0; i < 2; i++)
        for (int c = 0; c < 3; c++) assert_true(fabs(f[i][c]) < 1e-10);
    return -e * r0 / PG_COULOMB_EV_ANG;
}

static void test_madelung(void **state)
{
    (void)state;
    const double nacl = 1.747564594633182, cscl = 1.762674773070988;
    double m;
    m = madelung(0, 1e-12);
    assert_close(&m, &nacl, 1, 1e-10, 0, "NaCl Madelung eps=1e-12");
    m = madelung(1, 1e-12);
    assert_close(&m, &cscl, 1, 1e-10, 0, "CsCl Madelung eps=1e-12");
    m = madelung(0, 1e-10);
    assert_close(&m, &nacl, 1, 1e-8, 0, "NaCl Madelung eps=1e-10");
    m = madelung(1, 1e-10);
    assert_close(&m, &cscl, 1, 1e-8, 0, "CsCl Madelung eps=1e-10");
}

/* forces = -∇E by central differences, h = 1e-4 Å (spec §8: max rel. error 3.6e-7) */
static void test_forces_fd(void **state)
{
    (void)state;
    pg_potential_t *pot = new_pot(1e-10);
    const char *cases[] = {"mixed_2x1x1_triclinic", "Ag3SBr_1x1x1_triclinic"};
    for (int c = 0; c < 2; c++) {
        refcase_t rc;
        assert_int_equal(refcase_read(cases[c], &rc), 0);
        const int64_t n = rc.cell.n_atom;
        double(*f)[3] = calloc((size_t)n, sizeof *f), (*fd)[3] = calloc((size_t)n, sizeof *fd);
        pg_potential_result_t r;
        assert_int_equal(pg_potential_compute(pot, &rc.cell, &r, f), PG_OK);
        const double h = 1e-4;
        for (int64_t i = 0; i < n; i++)
            for (int a = 0; a < 3; a++) {
                const double x0 = rc.cell.pos[i][a];
                rc.cell.pos[i][a] = x0 + h;
                const double ep = energy_of(pot, &rc.cell);
                rc.cell.pos[i][a] = x0 - h;
                const double em = energy_of(pot, &rc.cell);
                rc.cell.pos[i][a] = x0;
                fd[i][a] = -(ep - em) / (2 * h);
            }
        assert_close(&f[0][0], &fd[0][0], 3 * n, 1e-6, 2e-8, cases[c]);
        free(f);
        free(fd);
        refcase_free(&rc);
    }
    pg_potential_destroy(&pot);
}

/* apply r -> r (I + eps) to lattice rows and positions */
static void strain_cell(const pg_cell_t *src, const double eps[3][3], pg_cell_t *dst)
{
    double m[3][3];
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) m[a][b] = (a == b) + eps[a][b];
    for (int i = 0; i < 3; i++)
        for (int b = 0; b < 3; b++)
            dst->lattice[i][b] = src->lattice[i][0] * m[0][b] + src->lattice[i][1] * m[1][b] +
                                 src->lattice[i][2] * m[2][b];
    for (int64_t i = 0; i < src->n_atom; i++)
        for (int b = 0; b < 3; b++)
            dst->pos[i][b] = src->pos[i][0] * m[0][b] + src->pos[i][1] * m[1][b] +
                             src->pos[i][2] * m[2][b];
}

/* σ_ab = (1/V) ∂E/∂ε_ab by central differences of symmetric strains (1e-5 relative) */
static void test_stress_fd(void **state)
{
    (void)state;
    pg_potential_t *pot = new_pot(1e-10);
    const char *cases[] = {"mixed_2x1x1_triclinic", "Ag3SBr_1x1x1_triclinic"};
    for (int c = 0; c < 2; c++) {
        refcase_t rc;
        pg_cell_t work = {0};
        assert_int_equal(refcase_read(cases[c], &rc), 0);
        assert_int_equal(pg_cell_copy(&work, &rc.cell), PG_OK);
        pg_potential_result_t r;
        assert_int_equal(pg_potential_compute(pot, &rc.cell, &r, NULL), PG_OK);
        const double vol = fabs(pg_cell_volume(&rc.cell)), h = 1e-5;
        double fd[3][3], smax = 0;
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) {
                double eps[3][3] = {{0}};
                eps[a][b] += h / 2;
                eps[b][a] += h / 2;
                strain_cell(&rc.cell, eps, &work);
                const double ep = energy_of(pot, &work);
                eps[a][b] -= h;
                eps[b][a] -= h;
                strain_cell(&rc.cell, eps, &work);
                const double em = energy_of(pot, &work);
                fd[a][b] = (ep - em) / (2 * h) / vol;
                if (fabs(r.stress[a][b]) > smax) smax = fabs(r.stress[a][b]);
            }
        assert_close(&r.stress[0][0], &fd[0][0], 9, 0, 1e-5 * smax, cases[c]);
        pg_cell_free(&work);
        refcase_free(&rc);
    }
    pg_potential_destroy(&pot);
}

static void test_invariance(void **state)
{
    (void)state;
    pg_potential_t *pot = new_pot(1e-10);
    refcase_t rc;
    pg_cell_t work = {0};
    assert_int_equal(refcase_read("mixed_2x1x1_triclinic", &rc), 0);
    assert_int_equal(pg_cell_copy(&work, &rc.cell), PG_OK);
    const double e0 = energy_of(pot, &rc.cell);
    /* translation */
    for (int64_t i = 0; i < work.n_atom; i++) {
        work.pos[i][0] += 0.37, work.pos[i][1] -= 1.2, work.pos[i][2] += 2.2;
    }
    double e = energy_of(pot, &work);
    assert_close(&e, &e0, 1, 1e-12, 0, "translation");
    /* rotation R (Euler angles 0.3, -0.7, 1.1): rows r -> r R^T */
    const double ax = 0.3, ay = -0.7, az = 1.1;
    const double rx[3][3] = {{1, 0, 0}, {0, cos(ax), -sin(ax)}, {0, sin(ax), cos(ax)}};
    const double ry[3][3] = {{cos(ay), 0, sin(ay)}, {0, 1, 0}, {-sin(ay), 0, cos(ay)}};
    const double rz[3][3] = {{cos(az), -sin(az), 0}, {sin(az), cos(az), 0}, {0, 0, 1}};
    double t[3][3], rot[3][3], rt[3][3];
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            t[a][b] = 0;
            for (int k = 0; k < 3; k++) t[a][b] += ry[a][k] * rx[k][b];
        }
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            rot[a][b] = 0;
            for (int k = 0; k < 3; k++) rot[a][b] += rz[a][k] * t[k][b];
        }
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) rt[a][b] = rot[b][a] - (a == b);
    strain_cell(&rc.cell, rt, &work); /* r (I + (R^T - I)) = r R^T */
    e = energy_of(pot, &work);
    assert_close(&e, &e0, 1, 1e-12, 0, "rotation");
    pg_cell_free(&work);
    refcase_free(&rc);

    /* 1x1x1 vs 2x2x2 description of cubic Ag3SBr: same energy per atom and stress */
    pg_cell_t u = {0}, s = {0};
    const double a0 = 4.806545;
    assert_int_equal(refcase_cubic(16, 35, a0, &u), 0);
    assert_int_equal(pg_cell_init(&s, 40), PG_OK);
    int64_t k = 0;
    for (int i0 = 0; i0 < 2; i0++)
        for (int i1 = 0; i1 < 2; i1++)
            for (int i2 = 0; i2 < 2; i2++)
                for (int i = 0; i < 5; i++, k++) {
                    s.pos[k][0] = u.pos[i][0] + i0 * a0;
                    s.pos[k][1] = u.pos[i][1] + i1 * a0;
                    s.pos[k][2] = u.pos[i][2] + i2 * a0;
                    s.z[k] = u.z[i];
                }
    for (int c = 0; c < 3; c++) s.lattice[c][c] = 2 * a0;
    pg_potential_result_t r1, r2;
    assert_int_equal(pg_potential_compute(pot, &u, &r1, NULL), PG_OK);
    assert_int_equal(pg_potential_compute(pot, &s, &r2, NULL), PG_OK);
    const double e1 = r1.energy / 5, e2 = r2.energy / 40;
    assert_close(&e2, &e1, 1, 1e-12, 0, "1x1x1 vs 2x2x2 E/atom");
    assert_close(&r2.stress[0][0], &r1.stress[0][0], 9, 0, 1e-12, "1x1x1 vs 2x2x2 stress");
    pg_cell_free(&u);
    pg_cell_free(&s);
    pg_potential_destroy(&pot);
}

static void expect_error(pg_potential_t *pot, const pg_cell_t *cell, const char *substring)
{
    pg_potential_result_t r;
    assert_int_equal(pg_potential_compute(pot, cell, &r, NULL), PG_ERR_INPUT);
    if (!strstr(pg_err_message(), substring))
        fprintf(stderr, "message '%s' lacks '%s'\n", pg_err_message(), substring);
    assert_non_null(strstr(pg_err_message(), substring));
    pg_err_clear();
}

static void test_bad_input(void **state)
{
    (void)state;
    pg_potential_t *pot = new_pot(1e-10);
    pg_cell_t c = {0};
    assert_int_equal(refcase_cubic(16, 35, 4.8, &c), 0);
    c.pos[0][0] = c.pos[4][0] + 0.9; /* Ag 0.9 Å from Br */
    c.pos[0][1] = c.pos[4][1];
    c.pos[0][2] = c.pos[4][2];
    expect_error(pot, &c, "apart");
    c.pos[0][0] = c.pos[4][0] + 4.8; /* on Br's image */
    expect_error(pot, &c, "same site");
    pg_cell_free(&c);
    assert_int_equal(refcase_cubic(16, 35, 4.8, &c), 0);
    c.z[4] = 17; /* Cl */
    expect_error(pot, &c, "Z = 17");
    c.z[4] = 47; /* Ag instead of Br: charge +1.2 */
    expect_error(pot, &c, "not neutral");
    pg_cell_free(&c);
    assert_int_equal(refcase_cubic(16, 35, 0.9, &c), 0); /* self-image closer than 1 Å */
    expect_error(pot, &c, "apart");
    pg_cell_free(&c);
    pg_potential_opts_t o;
    pg_potential_opts_default(&o);
    o.ewald_accuracy = 2.0;
    pg_potential_t *bad = NULL;
    assert_int_equal(pg_potential_create(&o, &bad), PG_ERR_INPUT);
    assert_null(bad);
    pg_err_clear();
    pg_potential_destroy(&pot);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_configs), cmocka_unit_test(test_parameter_table),
        cmocka_unit_test(test_madelung),          cmocka_unit_test(test_forces_fd),
        cmocka_unit_test(test_stress_fd),         cmocka_unit_test(test_invariance),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests_name("potential", tests, NULL, NULL);
}
