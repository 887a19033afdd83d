/* test_labeler.c - the labeler API and its [labeler] deck section: labels equal the spec's
 * reference values (LABELER.md §8) through pg_labeler_label; deck values reach the options;
 * bad label words are reported with file:line. */
#include <math.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_labeler.h"
#include "phonograph/pg_units.h"
#include "refcase.h"

static void test_labels_match_reference(void **state)
{
    (void)state;
    pg_labeler_opts_t o;
    pg_labeler_opts_default(&o);
    o.labels = PG_LABEL_ENERGY | PG_LABEL_FORCES | PG_LABEL_STRESS;
    pg_labeler_t *lab = NULL;
    assert_int_equal(pg_labeler_create(&o, &lab), PG_OK);
    const char *names[] = {"Ag3SeBr_2x2x2_displaced_strained", "Ag3SI_2x2x2_displaced"};
    for (int c = 0; c < 2; c++) {
        refcase_t rc;
        assert_int_equal(refcase_read(names[c], &rc), 0);
        pg_labels_t l;
        assert_int_equal(pg_labeler_label(lab, &rc.cell, MPI_COMM_SELF, &l, NULL), PG_OK);
        assert_int_equal(l.labels, PG_LABEL_ENERGY | PG_LABEL_FORCES | PG_LABEL_STRESS);
        assert_int_equal(l.n_atom, 40);
        assert_close(&l.energy_per_atom_ev, &rc.energy_per_atom, 1, 0, 1e-7, "E/atom");
        assert_close(&l.stress_gpa[0][0], &rc.stress_gpa[0][0], 9, 0, 1e-5, "stress GPa");
        double sh = (rc.stress_gpa[0][0] + rc.stress_gpa[1][1] + rc.stress_gpa[2][2]) / 3;
        assert_close(&l.sigma_h_gpa, &sh, 1, 0, 1e-5, "sigma_h");
        double fm = 0;
        for (int64_t i = 0; i < rc.cell.n_atom; i++)
            fm = fmax(fm, sqrt(rc.forces[i][0] * rc.forces[i][0] + rc.forces[i][1] * rc.forces[i][1] +
                                   rc.forces[i][2] * rc.forces[i][2]));
        assert_close(&l.max_force_ev_ang, &fm, 1, 0, 2e-6, "max |F|");
        /* caller-provided force buffer */
        double(*f)[3] = calloc((size_t)rc.cell.n_atom, sizeof *f);
        assert_int_equal(pg_labeler_label(lab, &rc.cell, MPI_COMM_SELF, &l, f), PG_OK);
        assert_close(&f[0][0], &rc.forces[0][0], 3 * rc.cell.n_atom, 0, 1e-6, "forces");
        free(f);
        refcase_free(&rc);
    }
    pg_labeler_destroy(&lab);
    assert_null(lab);
}

static void test_gap_needs_tb(void **state)
{
    (void)state;
    pg_labeler_opts_t o;
    pg_labeler_opts_default(&o);
    assert_true(o.labels & PG_LABEL_GAP);
    pg_labeler_t *lab = NULL;
    pg_status_t st = pg_labeler_create(&o, &lab);
    if (pg_labeler_has_tb()) {
        assert_int_equal(st, PG_OK);
    } else {
        assert_int_equal(st, PG_ERR_INPUT);
        assert_non_null(strstr(pg_err_message(), "TB-CAP-1"));
        pg_err_clear();
    }
    pg_labeler_destroy(&lab);
}

static void test_deck(void **state)
{
    (void)state;
    const char *text = "[structure]\nunitcell = POSCAR\n\n[labeler]\nlabels = energy forces\n"
                       "ewald_accuracy = 1e-12\ncutoff_sr = 9.5\ntb_group_size = 2\n"
                       "relax = full\nrelax_smax = 1e-5\ncoulomb = PME\n";
    pg_deck_t *d = NULL;
    pg_status_t st = pg_deck_parse("mem.deck", text, &d);
    if (st != PG_OK) pg_err_print(stderr, "");
    assert_int_equal(st, PG_OK);
    pg_labeler_opts_t o;
    assert_int_equal(pg_labeler_opts_from_deck(d, &o), PG_OK);
    assert_int_equal(o.labels, PG_LABEL_ENERGY | PG_LABEL_FORCES);
    assert_true(o.potential.ewald_accuracy == 1e-12 && o.potential.cutoff_sr_ang == 9.5);
    assert_true(o.potential.cutoff_ewald_ang == 10.0);
    assert_int_equal(o.potential.coulomb, PG_COULOMB_PME);
    assert_int_equal(o.tb_group_size, 2);
    assert_int_equal(o.relax.mode, PG_RELAX_FULL);
    assert_true(o.relax.smax_gpa == 1e-5 && o.relax.fmax_ev_ang == 1e-4);
    assert_true(o.fc_displacement_ang == 0.01);
    pg_deck_destroy(&d);

    /* an unknown label word is a deck error naming file:line */
    st = pg_deck_parse("bad.deck", "[structure]\nunitcell = POSCAR\n[labeler]\nlabels = energy bandgap\n", &d);
    assert_int_equal(st, PG_ERR_INPUT);
    if (!strstr(pg_err_message(), "bad.deck:4")) fprintf(stderr, "%s\n", pg_err_message());
    assert_non_null(strstr(pg_err_message(), "bad.deck:4"));
    assert_non_null(strstr(pg_err_message(), "bandgap"));
    pg_err_clear();
    pg_deck_destroy(&d);
    st = pg_deck_parse("bad.deck", "[structure]\nunitcell = POSCAR\n[labeler]\nrelax = bfgs\n", &d);
    assert_int_equal(st, PG_ERR_INPUT);
    pg_err_clear();
    pg_deck_destroy(&d);
    /* the removed key [labeler] force_constants points to [phonons] fc_source */
    st = pg_deck_parse("old.deck", "[structure]\nunitcell = POSCAR\n[labeler]\nforce_constants = read\n", &d);
    assert_int_equal(st, PG_ERR_INPUT);
    if (!strstr(pg_err_message(), "[phonons] fc_source")) fprintf(stderr, "%s\n", pg_err_message());
    assert_non_null(strstr(pg_err_message(), "old.deck:4"));
    assert_non_null(strstr(pg_err_message(), "[phonons] fc_source"));
    assert_null(strstr(pg_err_message(), "belongs in section [phonons]"));
    pg_err_clear();
    pg_deck_destroy(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_labels_match_reference),
        cmocka_unit_test(test_gap_needs_tb),
        cmocka_unit_test(test_deck),
    };
    return cmocka_run_group_tests_name("labeler", tests, NULL, NULL);
}
