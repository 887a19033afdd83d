/* test_sample_md.c - the MD sampler (test ensemble): configurations are a pure function of
 * (seed, index) whatever order they are drawn in, and with an Einstein force field the sampled
 * mean-square displacement equals the classical equipartition value kT/k (with the exact
 * correction for the removed centre-of-mass drift). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_sample.h"
#include "phonograph/pg_units.h"

typedef struct {
    double k;         /* eV/Å^2 */
    const pg_cell_t *ref;
} einstein_t;

static pg_status_t einstein(void *ctx, const pg_cell_t *c, double *e, double (*f)[3])
{
    const einstein_t *m = ctx;
    *e = 0;
    for (int64_t i = 0; i < c->n_atom; i++)
        for (int a = 0; a < 3; a++) {
            const double u = c->pos[i][a] - m->ref->pos[i][a];
            *e += 0.5 * m->k * u * u;
            f[i][a] = -m->k * u;
        }
    return PG_OK;
}

static void make_ref(pg_cell_t *c)
{
    assert_int_equal(pg_cell_init(c, 8), PG_OK);
    for (int i = 0; i < 8; i++) {
        c->pos[i][0] = 2.0 * (i & 1);
        c->pos[i][1] = 2.0 * ((i >> 1) & 1);
        c->pos[i][2] = 2.0 * ((i >> 2) & 1);
        c->z[i] = (i % 2) ? 47 : 35;
    }
    pg_cell_set_default_masses(c);
    c->lattice[0][0] = c->lattice[1][1] = c->lattice[2][2] = 4.0;
}

static void opts_for(pg_sample_opts_t *o, einstein_t *ff, const double *temps, int n_t, int n_per)
{
    pg_sample_opts_default(o);
    o->kind = PG_SAMPLE_MD;
    o->seed = 99;
    o->n_condition = n_t;
    o->condition = temps;
    o->n_per_condition = n_per;
    o->md_dt_fs = 1.0;
    o->md_friction_ps = 20.0;
    o->md_equil_steps = 300;
    o->md_stride = 60;
    o->md_frames = 8;
    o->md_force = einstein;
    o->md_force_ctx = ff;
}

static void test_order_independent(void **state)
{
    (void)state;
    pg_cell_t ref;
    make_ref(&ref);
    einstein_t ff = {1.5, &ref};
    const double temps[2] = {150.0, 300.0};
    pg_sample_opts_t o;
    opts_for(&o, &ff, temps, 2, 16);
    pg_sampler_t *s = NULL;
    assert_int_equal(pg_sampler_create(&ref, NULL, &o, &s), PG_OK);
    const int64_t n = pg_sampler_n_config(s);
    pg_sample_t a, b;
    assert_int_equal(pg_sample_init(&a, s), PG_OK);
    assert_int_equal(pg_sample_init(&b, s), PG_OK);
    double *fwd = calloc((size_t)n * 24, sizeof(double));
    for (int64_t c = 0; c < n; c++) {
        assert_int_equal(pg_sampler_draw(s, c, &a), PG_OK);
        memcpy(fwd + 24 * c, a.cell.pos, 24 * sizeof(double));
        assert_true(a.condition == temps[c / 16]);
    }
    for (int64_t c = n - 1; c >= 0; c -= 3) { /* reverse, skipping: no cache reuse */
        assert_int_equal(pg_sampler_draw(s, c, &b), PG_OK);
        assert_memory_equal(b.cell.pos, fwd + 24 * c, 24 * sizeof(double));
    }
    /* different frames of one trajectory and different trajectories differ */
    assert_true(memcmp(fwd, fwd + 24, 24 * sizeof(double)) != 0);
    assert_true(memcmp(fwd, fwd + 24 * 8, 24 * sizeof(double)) != 0);
    pg_sample_free(&a);
    pg_sample_free(&b);
    pg_sampler_destroy(&s);
    free(fwd);
    pg_cell_free(&ref);
}

static void test_equipartition(void **state)
{
    (void)state;
    pg_cell_t ref;
    make_ref(&ref);
    einstein_t ff = {1.5, &ref};
    const double temps[1] = {400.0};
    pg_sample_opts_t o;
    opts_for(&o, &ff, temps, 1, 160);
    pg_sampler_t *s = NULL;
    assert_int_equal(pg_sampler_create(&ref, NULL, &o, &s), PG_OK);
    pg_sample_t x;
    assert_int_equal(pg_sample_init(&x, s), PG_OK);
    double mtot = 0, w2 = 0;
    for (int i = 0; i < 8; i++) mtot += ref.mass[i];
    for (int i = 0; i < 8; i++) w2 += (ref.mass[i] / mtot) * (ref.mass[i] / mtot);
    double sum = 0, expect = 0;
    const double s2 = PG_KB_EV * 400.0 / ff.k;
    for (int i = 0; i < 8; i++) expect += 3 * s2 * (1 - 2 * ref.mass[i] / mtot + w2);
    for (int64_t c = 0; c < 160; c++) {
        assert_int_equal(pg_sampler_draw(s, c, &x), PG_OK);
        for (int i = 0; i < 8; i++)
            for (int a = 0; a < 3; a++) sum += x.disp[i][a] * x.disp[i][a];
    }
    /* 160 frames (20 trajectories x 8 frames 60 fs apart, friction time 50 fs) of a sum of
     * 24 squared Gaussians: relative standard error <= sqrt(2/24/160 * 2) ~ 3.3 %; the
     * BAOAB configurational bias for omega dt ~ 0.1 is < 0.1 %. 15 % is > 4.5 standard errors. */
    const double ratio = sum / 160 / expect;
    assert_true(fabs(ratio - 1.0) < 0.15);
    pg_sample_free(&x);
    pg_sampler_destroy(&s);
    pg_cell_free(&ref);
}

static void test_bad_options(void **state)
{
    (void)state;
    pg_cell_t ref;
    make_ref(&ref);
    einstein_t ff = {1.5, &ref};
    const double temps[1] = {300.0};
    pg_sample_opts_t o;
    opts_for(&o, &ff, temps, 1, 4);
    o.md_force = NULL;
    pg_sampler_t *s = NULL;
    assert_int_equal(pg_sampler_create(&ref, NULL, &o, &s), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "no force field"));
    opts_for(&o, &ff, temps, 1, 4);
    o.md_stride = 0;
    assert_int_equal(pg_sampler_create(&ref, NULL, &o, &s), PG_ERR_INPUT);
    pg_cell_free(&ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_independent),
        cmocka_unit_test(test_equipartition),
        cmocka_unit_test(test_bad_options),
    };
    return cmocka_run_group_tests_name("sample_md", tests, NULL, NULL);
}
