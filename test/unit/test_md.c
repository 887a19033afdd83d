/* test_md.c - molecular dynamics on an analytic force field with known answers:
 * a harmonic (Einstein) crystal, where NVE must conserve energy to O(dt^2) with no drift and
 * Langevin must reach equipartition <KE> = (3N-3)/2 kT and <PE> = 3N/2 kT. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_md.h"
#include "phonograph/pg_units.h"

typedef struct {
    double k;          /* eV/Å^2 */
    double (*r0)[3];   /* lattice sites */
} einstein_t;

static pg_status_t einstein(void *ctx, const pg_cell_t *c, double *e, double (*f)[3])
{
    einstein_t *m = ctx;
    *e = 0;
    for (int64_t i = 0; i < c->n_atom; i++)
        for (int a = 0; a < 3; a++) {
            double u = c->pos[i][a] - m->r0[i][a];
            *e += 0.5 * m->k * u * u;
            f[i][a] = -m->k * u;
        }
    return PG_OK;
}

static void make_crystal(pg_cell_t *c, einstein_t *m, int n)
{
    assert_int_equal(pg_cell_init(c, n), PG_OK);
    m->k = 2.0;
    m->r0 = calloc((size_t)n, sizeof *m->r0);
    for (int i = 0; i < n; i++) {
        for (int a = 0; a < 3; a++) c->pos[i][a] = m->r0[i][a] = 3.0 * (i + a);
        c->z[i] = i % 2 ? 47 : 16;
    }
    pg_cell_set_default_masses(c);
    c->lattice[0][0] = c->lattice[1][1] = c->lattice[2][2] = 100.0;
}

static void test_nve_conserves_energy(void **state)
{
    (void)state;
    pg_cell_t c;
    einstein_t m;
    make_crystal(&c, &m, 8);
    pg_md_options_t o = {PG_MD_NVE, 1.0, 300.0, 0.0, 42, 0};
    pg_md_t md;
    assert_int_equal(pg_md_init(&md, &c, &o, einstein, &m), PG_OK);
    double e0 = md.e_pot + pg_md_kinetic(&md), max_dev = 0, sum_dev = 0;
    int n_check = 2000;
    for (int s = 0; s < n_check; s++) {
        assert_int_equal(pg_md_run(&md, 1), PG_OK);
        double d = md.e_pot + pg_md_kinetic(&md) - e0;
        max_dev = fmax(max_dev, fabs(d));
        sum_dev += d;
    }
    /* Verlet's shadow Hamiltonian: fluctuation ~ (omega dt)^2 E / 8, no secular drift.
     * omega = sqrt(k/m) ~ 0.25 /fs for S (eV/amu units), so (omega dt)^2/8 ~ 0.8 % */
    assert_true(max_dev < 0.01 * e0);
    assert_true(fabs(sum_dev / n_check) < 0.005 * e0);
    /* halving dt reduces the fluctuation about fourfold (second-order integrator) */
    pg_md_free(&md);
    o.dt_fs = 0.5;
    assert_int_equal(pg_md_init(&md, &c, &o, einstein, &m), PG_OK);
    double max_dev2 = 0;
    for (int s = 0; s < 2 * n_check; s++) {
        assert_int_equal(pg_md_run(&md, 1), PG_OK);
        max_dev2 = fmax(max_dev2, fabs(md.e_pot + pg_md_kinetic(&md) - e0));
    }
    double ratio = max_dev / max_dev2;
    assert_true(ratio > 3.0 && ratio < 5.0);
    pg_md_free(&md);
    pg_cell_free(&c);
    free(m.r0);
}

static void test_langevin_equipartition(void **state)
{
    (void)state;
    pg_cell_t c;
    einstein_t m;
    make_crystal(&c, &m, 64);
    double T = 500.0;
    pg_md_options_t o = {PG_MD_LANGEVIN, 2.0, T, 10.0, 7, 3};
    pg_md_t md;
    assert_int_equal(pg_md_init(&md, &c, &o, einstein, &m), PG_OK);
    assert_int_equal(pg_md_run(&md, 500), PG_OK); /* 1 ps, 10 friction times */
    double sk = 0, sp = 0;
    int n = 0;
    for (int s = 0; s < 400; s++) {
        assert_int_equal(pg_md_run(&md, 10), PG_OK);
        sk += pg_md_kinetic(&md);
        sp += md.e_pot;
        n++;
    }
    double kt = PG_KB_EV * T, nat = 64;
    double ke = sk / n / (0.5 * (3 * nat) * kt), pe = sp / n / (0.5 * 3 * nat * kt);
    /* 400 samples every 20 fs (~2 friction times apart) of a 192-dof sum: relative standard
     * error ~ sqrt(2/192/400) = 0.5 %; BAOAB's configurational bias is O(dt^2) and tiny here.
     * The 4 % window is > 8 standard errors. */
    assert_true(fabs(ke - 1.0) < 0.04);
    assert_true(fabs(pe - 1.0) < 0.04);
    /* reproducible bit for bit */
    pg_md_t md2;
    assert_int_equal(pg_md_init(&md2, &c, &o, einstein, &m), PG_OK);
    assert_int_equal(pg_md_run(&md2, 4500), PG_OK);
    assert_memory_equal(md2.cell.pos, md.cell.pos, sizeof(double) * 3 * 64);
    pg_md_free(&md2);
    pg_md_free(&md);
    pg_cell_free(&c);
    free(m.r0);
}

static void test_bad_options(void **state)
{
    (void)state;
    pg_cell_t c;
    einstein_t m;
    make_crystal(&c, &m, 2);
    pg_md_options_t o = {PG_MD_NVE, 0.0, 300.0, 0.0, 1, 0};
    pg_md_t md;
    assert_int_equal(pg_md_init(&md, &c, &o, einstein, &m), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "time step"));
    pg_cell_free(&c);
    free(m.r0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nve_conserves_energy),
        cmocka_unit_test(test_langevin_equipartition),
        cmocka_unit_test(test_bad_options),
    };
    return cmocka_run_group_tests_name("md", tests, NULL, NULL);
}
