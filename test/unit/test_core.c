/* test_core.c - status records, element table, cell geometry. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_cell.h"
#include "phonograph/pg_element.h"
#include "phonograph/pg_status.h"

static pg_status_t inner(int x)
{
    PG_REQUIRE(x > 0, PG_ERR_INPUT, "x must be positive, found %d", x);
    return PG_OK;
}
static pg_status_t outer(int x)
{
    PG_CHECK(inner(x));
    return PG_OK;
}

static void test_status_chain(void **state)
{
    (void)state;
    pg_err_clear();
    assert_int_equal(outer(1), PG_OK);
    assert_int_equal(outer(-3), PG_ERR_INPUT);
    assert_string_equal(pg_err_message(), "x must be positive, found -3");
    assert_int_equal(pg_err_code(), PG_ERR_INPUT);
    assert_string_equal(pg_status_name(PG_ERR_NUMERIC), "numerical error");
}

/* pg_snprintf: exact fit is fine, one character more is an error (never a silent cut) */
static void test_snprintf_bounded(void **state)
{
    (void)state;
    char buf[8];
    pg_err_clear();
    assert_int_equal(pg_snprintf(buf, sizeof buf, "%s/%s", "abc", "xyz"), PG_OK);
    assert_string_equal(buf, "abc/xyz");
    assert_int_equal(pg_snprintf(buf, sizeof buf, "%s/%s", "abc", "wxyz"), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "text of 8 characters does not fit in 7"));
    assert_non_null(strstr(pg_err_message(), "\"abc/wxy...\""));
    assert_int_equal(strlen(buf), 7);
    pg_err_clear();
    assert_int_equal(pg_snprintf(buf, 0, "x"), PG_ERR_INPUT);
    pg_err_clear();
}

static void test_elements(void **state)
{
    (void)state;
    int z = 0;
    assert_int_equal(pg_element_from_symbol("Ag", &z), PG_OK);
    assert_int_equal(z, 47);
    assert_int_equal(pg_element_from_symbol("br", &z), PG_OK);
    assert_int_equal(z, 35);
    assert_string_equal(pg_element_symbol(16), "S");
    /* phonopy 2.17 masses (LABELER.md section 1) */
    assert_true(pg_element_mass(47) == 107.8682);
    assert_true(pg_element_mass(16) == 32.065);
    assert_true(pg_element_mass(34) == 78.96);
    assert_true(pg_element_mass(35) == 79.904);
    assert_true(pg_element_mass(53) == 126.90447);
    assert_true(pg_element_mass(11) == 22.98976928);
    assert_true(pg_element_mass(17) == 35.453);
    assert_int_equal(pg_element_from_symbol("Xx", &z), PG_ERR_INPUT);
}

static void test_cell_geometry(void **state)
{
    (void)state;
    pg_cell_t c;
    assert_int_equal(pg_cell_init(&c, 2), PG_OK);
    double lat[3][3] = {{3.0, 0.2, 0.0}, {0.5, 4.0, 0.1}, {0.3, -0.2, 5.0}};
    memcpy(c.lattice, lat, sizeof lat);
    /* volume = det */
    double det = 3.0 * (4.0 * 5.0 - 0.1 * -0.2) - 0.2 * (0.5 * 5.0 - 0.1 * 0.3) +
                 0.0 * (0.5 * -0.2 - 4.0 * 0.3);
    assert_true(fabs(pg_cell_volume(&c) - det) < 1e-12);
    double b[3][3];
    assert_int_equal(pg_cell_reciprocal(&c, b), PG_OK);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double d = lat[i][0] * b[j][0] + lat[i][1] * b[j][1] + lat[i][2] * b[j][2];
            assert_true(fabs(d - (i == j)) < 1e-14);
        }
    /* wrap: a point outside maps to fractional [0,1) with the same image */
    double f[3] = {1.25, -0.5, 2.999}, inv[3][3];
    pg_cell_frac_to_cart(c.lattice, f, c.pos[0]);
    assert_int_equal(pg_cell_wrap(&c), PG_OK);
    assert_int_equal(pg_mat3_inverse(c.lattice, inv), PG_OK);
    double g[3];
    pg_cell_cart_to_frac(inv, c.pos[0], g);
    double expect[3] = {0.25, 0.5, 0.999};
    assert_close(g, expect, 3, 0, 1e-12, "wrapped fractional");
    double sing[3][3] = {{1, 0, 0}, {2, 0, 0}, {0, 0, 1}};
    assert_int_equal(pg_mat3_inverse(sing, inv), PG_ERR_INPUT);
    pg_cell_free(&c);
    pg_cell_free(&c); /* a zeroed struct is accepted */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_chain),
        cmocka_unit_test(test_snprintf_bounded),
        cmocka_unit_test(test_elements),
        cmocka_unit_test(test_cell_geometry),
    };
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
