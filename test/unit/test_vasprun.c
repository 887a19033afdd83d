/* test_vasprun.c - the vasprun.xml reader (pg_vasprun.h).
 *
 * A hand-written minimal vasprun.xml (VASP 6 layout) with numbers chosen so every label is
 * known exactly: stress rows in kBar -> GPa with the sign flipped, the sigma->0 energy
 * correction, eigenvalue blocks over two spins. Every prefix of it (a file cut at any byte)
 * must be refused, never half-read. Look-alikes (incar NELM, projected eigenvalues) must not
 * be taken. Band edges against hand-made semiconductor / metal / spin cases. The generated
 * fixture (test/data/import, compared with ASE in test/cli/test_import.sh) is read for the
 * counts its generator put in.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_status.h"
#include "phonograph/pg_vasprun.h"

/* %d: NELM in parameters; %s: the stress rows */
static const char *const tmpl =
    "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
    "<modeling>\n"
    " <!-- a comment with <tags> inside -->\n"
    " <incar>\n"
    "  <i type=\"int\" name=\"NELM\">      3</i>\n"
    " </incar>\n"
    " <parameters>\n"
    "  <separator name=\"electronic\" >\n"
    "   <i type=\"int\" name=\"ISPIN\">     2</i>\n"
    "   <separator name=\"electronic convergence\" >\n"
    "    <i type=\"int\" name=\"NELM\">     %d</i>\n"
    "    <i name=\"EDIFF\">      0.00010000</i>\n"
    "   </separator>\n"
    "  </separator>\n"
    " </parameters>\n"
    " <atominfo>\n"
    "  <atoms>       2 </atoms>\n"
    "  <array name=\"atoms\" >\n"
    "   <set>\n"
    "    <rc><c>Ag</c><c>   1</c></rc>\n"
    "    <rc><c>Br</c><c>   2</c></rc>\n"
    "   </set>\n"
    "  </array>\n"
    " </atominfo>\n"
    " <structure name=\"initialpos\" >\n"
    "  <crystal>\n"
    "   <varray name=\"basis\" >\n"
    "    <v>       4.00000000       0.00000000       0.00000000 </v>\n"
    "    <v>       0.00000000       4.00000000       0.00000000 </v>\n"
    "    <v>       0.00000000       0.00000000       5.00000000 </v>\n"
    "   </varray>\n"
    "  </crystal>\n"
    "  <varray name=\"positions\" >\n"
    "   <v>       0.00000000       0.00000000       0.00000000 </v>\n"
    "   <v>       0.50000000       0.50000000       0.50000000 </v>\n"
    "  </varray>\n"
    " </structure>\n"
    " <calculation>\n"
    "  <scstep>\n"
    "   <energy>\n"
    "    <i name=\"e_fr_energy\">     -9.00000000 </i>\n"
    "    <i name=\"e_0_energy\">     -9.00000000 </i>\n"
    "   </energy>\n"
    "  </scstep>\n"
    "  <scstep>\n"
    "   <energy>\n"
    "    <i name=\"e_fr_energy\">    -10.00005000 </i>\n"
    "    <i name=\"e_0_energy\">     -9.99995000 </i>\n"
    "   </energy>\n"
    "  </scstep>\n"
    "  <structure >\n"
    "   <crystal>\n"
    "    <varray name=\"basis\" >\n"
    "     <v>       4.00000000       0.00000000       0.00000000 </v>\n"
    "     <v>       0.00000000       4.00000000       0.00000000 </v>\n"
    "     <v>       0.00000000       0.00000000       5.00000000 </v>\n"
    "    </varray>\n"
    "   </crystal>\n"
    "   <varray name=\"positions\" >\n"
    "    <v>       0.00000000       0.00000000       0.00000000 </v>\n"
    "    <v>       0.50000000       0.50000000       0.50000000 </v>\n"
    "   </varray>\n"
    "  </structure>\n"
    "  <varray name=\"forces\" >\n"
    "   <v>       0.10000000      -0.20000000       0.30000000 </v>\n"
    "   <v>      -0.10000000       0.20000000      -0.30000000 </v>\n"
    "  </varray>\n"
    "  <varray name=\"stress\" >\n%s"
    "  </varray>\n"
    "  <energy>\n"
    "   <i name=\"e_fr_energy\">    -10.00010000 </i>\n"
    "   <i name=\"e_0_energy\">    -10.00010000 </i>\n"
    "  </energy>\n"
    "  <eigenvalues>\n"
    "   <array>\n"
    "    <set>\n"
    "     <set comment=\"spin 1\">\n"
    "      <set comment=\"kpoint 1\">\n"
    "       <r>   -1.0000   1.0000 </r>\n"
    "       <r>    1.5000   0.0000 </r>\n"
    "      </set>\n"
    "      <set comment=\"kpoint 2\">\n"
    "       <r>   -0.5000   1.0000 </r>\n"
    "       <r>    2.0000   0.0000 </r>\n"
    "      </set>\n"
    "     </set>\n"
    "     <set comment=\"spin 2\">\n"
    "      <set comment=\"kpoint 1\">\n"
    "       <r>   -0.8000   1.0000 </r>\n"
    "       <r>    1.2000   0.0000 </r>\n"
    "      </set>\n"
    "      <set comment=\"kpoint 2\">\n"
    "       <r>   -0.7000   1.0000 </r>\n"
    "       <r>    1.3000   0.0000 </r>\n"
    "      </set>\n"
    "     </set>\n"
    "    </set>\n"
    "   </array>\n"
    "  </eigenvalues>\n"
    "  <projected>\n"
    "   <eigenvalues>\n"
    "    <array><set><set comment=\"spin 1\"><set comment=\"kpoint 1\">\n"
    "     <r>  99.0000   1.0000 </r>\n"
    "    </set></set></set></array>\n"
    "   </eigenvalues>\n"
    "  </projected>\n"
    "  <dos>\n"
    "   <i name=\"efermi\">      0.25000000 </i>\n"
    "  </dos>\n"
    " </calculation>\n"
    "</modeling>\n";

static const char *const good_stress =
    "   <v>      10.00000000       1.00000000       0.00000000 </v>\n"
    "   <v>       1.00000000      20.00000000       0.00000000 </v>\n"
    "   <v>       0.00000000       0.00000000     -30.00000000 </v>\n";

static char *make(int nelm, const char *stress)
{
    size_t n = strlen(tmpl) + strlen(stress) + 32;
    char *s = malloc(n);
    assert_non_null(s);
    snprintf(s, n, tmpl, nelm, stress);
    return s;
}

static void test_parse_minimal(void **state)
{
    (void)state;
    char *x = make(60, good_stress);
    pg_vasprun_t v;
    assert_int_equal(pg_vasprun_parse("mini.xml", x, strlen(x), &v), PG_OK);
    assert_int_equal(v.n_atom, 2);
    assert_int_equal(v.z[0], 47);
    assert_int_equal(v.z[1], 35);
    assert_int_equal(v.nelm, 60); /* parameters, not incar */
    assert_int_equal(v.ispin, 2);
    assert_int_equal(v.n_calc, 1);
    assert_int_equal(v.n_scstep, 2);
    assert_true(v.converged == 0); /* |dE| = 1.00005 eV > EDIFF */
    assert_non_null(strstr(v.why, "EDIFF"));
    assert_true(v.energy_free_ev == -10.0001);
    /* sigma->0: e_fr(calc) + (e_0 - e_fr)(last scstep) = -10.0001 + 0.0001 */
    assert_true(fabs(v.energy_sigma0_ev - (-10.0)) < 1e-12);
    /* kBar, VASP sign -> GPa, ASE sign: -0.1 x */
    const double s_exp[9] = {-1.0, -0.1, 0, -0.1, -2.0, 0, 0, 0, 3.0};
    assert_close(&v.stress_gpa[0][0], s_exp, 9, 1e-15, 1e-15, "stress GPa");
    assert_true(v.forces[0][2] == 0.3 && v.forces[1][1] == 0.2);
    assert_true(v.lattice[2][2] == 5.0 && v.frac0[1][0] == 0.5);
    assert_int_equal(v.n_spin, 2);
    assert_int_equal(v.n_kpt, 2);
    assert_int_equal(v.n_band, 2); /* the projected block (99 eV) is not taken */
    assert_true(v.efermi == 0.25);
    double vbm, cbm, gap;
    int metal;
    assert_int_equal(pg_vasprun_band_edges(v.n_spin, v.n_kpt, v.n_band, v.eig, v.occ, 0.5, &vbm, &cbm, &gap,
                                           &metal), PG_OK);
    assert_true(vbm == -0.5 && cbm == 1.2 && metal == 0); /* VBM spin 1 k 2, CBM spin 2 k 1 */
    assert_true(fabs(gap - 1.7) < 1e-15);
    pg_vasprun_free(&v);
    free(x);
}

static void test_nelm_reached(void **state)
{
    (void)state;
    char *x = make(2, good_stress);
    pg_vasprun_t v;
    assert_int_equal(pg_vasprun_parse("nelm.xml", x, strlen(x), &v), PG_OK);
    assert_int_equal(v.converged, 0);
    assert_non_null(strstr(v.why, "NELM 2"));
    pg_vasprun_free(&v);
    free(x);
}

/* A file cut at any byte before </modeling> ends is refused (and never read past its end:
 * the parser gets exactly `cut` bytes, ASan watches). */
static void test_every_truncation(void **state)
{
    (void)state;
    char *x = make(60, good_stress);
    const size_t n = strlen(x);
    const size_t end = (size_t)(strstr(x, "</modeling>") - x) + strlen("</modeling>");
    for (size_t cut = 0; cut < end; cut++) {
        char *part = malloc(cut ? cut : 1);
        assert_non_null(part);
        memcpy(part, x, cut);
        pg_vasprun_t v;
        pg_status_t st = pg_vasprun_parse("cut.xml", part, cut, &v);
        if (st == PG_OK) fprintf(stderr, "cut at %zu of %zu accepted\n", cut, n);
        assert_int_equal(st, PG_ERR_INPUT);
        assert_null(v.z);
        pg_err_clear();
        free(part);
    }
    free(x);
}

static void test_bad_numbers_and_tags(void **state)
{
    (void)state;
    pg_vasprun_t v;
    /* VASP's overflow marker in the stress block */
    char *x = make(60, "   <v> ********** 0 0 </v>\n   <v> 0 1 0 </v>\n   <v> 0 0 1 </v>\n");
    assert_int_equal(pg_vasprun_parse("ovf.xml", x, strlen(x), &v), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "ovf.xml:"));
    assert_non_null(strstr(pg_err_message(), "overflow"));
    pg_err_clear();
    free(x);
    /* two stress rows */
    x = make(60, "   <v> 1 0 0 </v>\n   <v> 0 1 0 </v>\n");
    assert_int_equal(pg_vasprun_parse("rows.xml", x, strlen(x), &v), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "expected 3 stress rows, found 2"));
    pg_err_clear();
    free(x);
    /* mismatched end tag names the opening line */
    const char *bad = "<modeling>\n <calculation>\n </energy>\n</modeling>\n";
    assert_int_equal(pg_vasprun_parse("tag.xml", bad, strlen(bad), &v), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "tag.xml:3: expected </calculation> (opened at line 2), found </energy>"));
    pg_err_clear();
    /* unknown element symbol */
    x = make(60, good_stress);
    char *br = strstr(x, "<c>Br</c>");
    memcpy(br + 3, "Xx", 2);
    assert_int_equal(pg_vasprun_parse("sym.xml", x, strlen(x), &v), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "expected an element symbol for atom 2"));
    pg_err_clear();
    free(x);
}

static void test_band_edges(void **state)
{
    (void)state;
    double vbm, cbm, gap;
    int metal;
    /* metal: band 2 occupied at k1, empty at k2 (1 spin, 2 k, 3 bands) */
    const double e1[6] = {-2, 0.1, 3, -2, 0.3, 3}, o1[6] = {1, 0.9, 0, 1, 0.2, 0};
    assert_int_equal(pg_vasprun_band_edges(1, 2, 3, e1, o1, 0.5, &vbm, &cbm, &gap, &metal), PG_OK);
    assert_true(metal == 1 && gap == 0.0 && vbm == 0.1 && cbm == 0.3);
    /* smeared semiconductor: tails of 1e-3 at the edges do not matter */
    const double e2[4] = {-1, 0.5, -1.2, 0.7}, o2[4] = {0.999, 0.001, 0.9995, 0.0005};
    assert_int_equal(pg_vasprun_band_edges(1, 2, 2, e2, o2, 0.5, &vbm, &cbm, &gap, &metal), PG_OK);
    assert_true(metal == 0 && vbm == -1 && cbm == 0.5 && fabs(gap - 1.5) < 1e-15);
    /* overlapping edges in different k without a crossing band (semimetal): gap 0 */
    const double e3[4] = {0.6, 2, -1, 0.4}, o3[4] = {1, 0, 1, 0};
    assert_int_equal(pg_vasprun_band_edges(1, 2, 2, e3, o3, 0.5, &vbm, &cbm, &gap, &metal), PG_OK);
    assert_true(metal == 1 && gap == 0.0);
    /* no empty state: CBM and gap undefined */
    const double o4[4] = {1, 1, 1, 1};
    assert_int_equal(pg_vasprun_band_edges(1, 2, 2, e3, o4, 0.5, &vbm, &cbm, &gap, &metal), PG_OK);
    assert_true(isnan(cbm) && isnan(gap) && vbm == 2);
    /* nothing occupied: error */
    const double o5[4] = {0, 0, 0, 0};
    assert_int_equal(pg_vasprun_band_edges(1, 2, 2, e3, o5, 0.5, &vbm, &cbm, &gap, &metal), PG_ERR_INPUT);
    pg_err_clear();
}

static void test_fixture(void **state)
{
    (void)state;
    pg_vasprun_t v;
    assert_int_equal(pg_vasprun_read("test/data/import/export/config_000001/vasprun.xml", &v), PG_OK);
    /* what make_fixtures.py put in: Ag3SI, ISPIN 2, 4 k-points, 28 bands, 19 steps, NELM 60 */
    assert_int_equal(v.n_atom, 5);
    assert_int_equal(v.z[4], 53);
    assert_int_equal(v.n_spin, 2);
    assert_int_equal(v.n_kpt, 4);
    assert_int_equal(v.n_band, 28);
    assert_int_equal(v.n_scstep, 19);
    assert_int_equal(v.nelm, 60);
    assert_int_equal(v.converged, 1);
    assert_true(v.has_forces && v.has_stress);
    pg_vasprun_free(&v);
    assert_int_equal(pg_vasprun_read("test/data/import/export/config_000002/vasprun.xml", &v), PG_OK);
    assert_int_equal(v.converged, 0);
    assert_int_equal(v.n_scstep, 60);
    pg_vasprun_free(&v);
    assert_int_equal(pg_vasprun_read("test/data/import/export/config_000003/vasprun.xml", &v), PG_ERR_IO);
    pg_err_clear();
}

int main(void)
{
    MPI_Init(NULL, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_minimal),
        cmocka_unit_test(test_nelm_reached),
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_bad_numbers_and_tags),
        cmocka_unit_test(test_band_edges),
        cmocka_unit_test(test_fixture),
    };
    int rc = cmocka_run_group_tests_name("vasprun", tests, NULL, NULL);
    MPI_Finalize();
    return rc;
}
