/* test_relax.c - relaxation and bulk modulus against reference.json (LABELER.md §3.4, §8):
 * a0 within 1e-5 Å (|σ_h| < 1e-6 GPa), E/atom within 1e-7 eV, B within 0.05 GPa; FIRE with a
 * free cell returns a strained, rattled cubic Ag3SI cell to the cubic minimum; FIRE with the
 * space-group constraint of the relax stage finds a0 of the unstable Pm-3m cells and stays in
 * P4mm for a tetragonal start. */
#include <math.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_relax.h"
#include "phonograph/pg_symmetry.h"
#include "phonograph/pg_units.h"
#include "refcase.h"

typedef struct {
    char name[16];
    int zx, zy;
    double a0, epa, bulk;
} cubic_ref_t;

static int read_cubic(cubic_ref_t refs[4])
{
    FILE *f = fopen(REFCASE_DIR "cubic.txt", "r");
    if (!f) return 0;
    char line[512];
    int n = 0;
    while (n < 4 && fgets(line, sizeof line, f)) {
        cubic_ref_t *r = &refs[n];
        if (sscanf(line, "cubic %15s %lf %lf %lf", r->name, &r->a0, &r->epa, &r->bulk) != 4) continue;
        r->zx = strstr(r->name, "Se") ? 34 : 16;
        r->zy = r->name[strlen(r->name) - 1] == 'I' ? 53 : 35;
        n++;
    }
    fclose(f);
    return n;
}

static pg_potential_t *new_pot(void)
{
    pg_potential_opts_t o;
    pg_potential_opts_default(&o);
    pg_potential_t *pot = NULL;
    assert_int_equal(pg_potential_create(&o, &pot), PG_OK);
    return pot;
}

static void test_cubic_a0_and_bulk_modulus(void **state)
{
    (void)state;
    cubic_ref_t refs[4];
    assert_int_equal(read_cubic(refs), 4);
    pg_potential_t *pot = new_pot();
    for (int c = 0; c < 4; c++) {
        for (int start = 0; start < 2; start++) { /* from a compressed and a stretched cell */
            pg_cell_t cell = {0};
            assert_int_equal(refcase_cubic(refs[c].zx, refs[c].zy, start ? 5.2 : 4.6, &cell), 0);
            pg_relax_opts_t o;
            pg_relax_opts_default(&o);
            o.mode = PG_RELAX_CUBIC;
            o.smax_gpa = 1e-6;
            o.max_steps = 100;
            pg_relax_info_t info;
            assert_int_equal(pg_relax(pot, &o, &cell, &info), PG_OK);
            assert_true(info.converged);
            assert_true(fabs(info.sigma_h_gpa) < 1e-6);
            char label[256];
            snprintf(label, sizeof label, "%s a0", refs[c].name);
            assert_close(&cell.lattice[0][0], &refs[c].a0, 1, 0, 1e-5, label);
            assert_true(cell.lattice[0][1] == 0.0 && cell.lattice[1][1] == cell.lattice[0][0]);
            const double epa = info.energy / 5.0;
            snprintf(label, sizeof label, "%s E/atom", refs[c].name);
            assert_close(&epa, &refs[c].epa, 1, 0, 1e-7, label);
            double b;
            assert_int_equal(pg_relax_bulk_modulus(pot, &cell, &b), PG_OK);
            snprintf(label, sizeof label, "%s bulk modulus", refs[c].name);
            assert_close(&b, &refs[c].bulk, 1, 0, 0.05, label);
            if (start == 0) printf("%s: a0 %.7f B %.4f GPa (%d evaluations)\n", refs[c].name,
                                   cell.lattice[0][0], b, info.n_steps);
            pg_cell_free(&cell);
        }
    }
    pg_potential_destroy(&pot);
}

/* Ag3SI has no imaginary Γ mode (spec §3.4), so the 1x1x1 cubic cell is a local minimum:
 * FIRE with the cell free must bring a sheared, rattled cell back to it. */
static void test_fire_full(void **state)
{
    (void)state;
    cubic_ref_t refs[4];
    assert_int_equal(read_cubic(refs), 4);
    const cubic_ref_t *r = &refs[1];
    assert_string_equal(r->name, "Ag3SI");
    pg_potential_t *pot = new_pot();
    pg_cell_t cell = {0};
    assert_int_equal(refcase_cubic(r->zx, r->zy, r->a0 * 1.02, &cell), 0);
    const double def[3][3] = {{1.0, 0.01, -0.005}, {0.0, 0.99, 0.008}, {0.004, 0.0, 1.01}};
    const double kick[5][3] = {
        {0.03, -0.02, 0.01}, {-0.01, 0.02, 0.0}, {0.02, 0.01, -0.03}, {0.0, -0.01, 0.02}, {-0.02, 0.0, 0.01}};
    double lat[3][3];
    for (int i = 0; i < 3; i++)
        for (int b = 0; b < 3; b++)
            lat[i][b] = cell.lattice[i][0] * def[0][b] + cell.lattice[i][1] * def[1][b] + cell.lattice[i][2] * def[2][b];
    memcpy(cell.lattice, lat, sizeof lat);
    for (int i = 0; i < 5; i++) {
        double p[3];
        for (int b = 0; b < 3; b++) p[b] = cell.pos[i][0] * def[0][b] + cell.pos[i][1] * def[1][b] + cell.pos[i][2] * def[2][b];
        for (int b = 0; b < 3; b++) cell.pos[i][b] = p[b] + kick[i][b];
    }
    pg_relax_opts_t o;
    pg_relax_opts_default(&o);
    o.mode = PG_RELAX_FULL;
    o.fmax_ev_ang = 1e-5;
    o.smax_gpa = 1e-4;
    o.max_steps = 3000;
    pg_relax_info_t info;
    assert_int_equal(pg_relax(pot, &o, &cell, &info), PG_OK);
    printf("FIRE full: %d steps, E/atom %.9f, max |F| %.2e, max |sigma| %.2e GPa\n", info.n_steps,
           info.energy / 5, info.max_force, info.max_stress_gpa);
    assert_true(info.converged);
    const double epa = info.energy / 5;
    assert_close(&epa, &r->epa, 1, 0, 1e-8, "FIRE E/atom vs cubic minimum");
    for (int i = 0; i < 3; i++) {
        const double len = sqrt(cell.lattice[i][0] * cell.lattice[i][0] + cell.lattice[i][1] * cell.lattice[i][1] +
                                cell.lattice[i][2] * cell.lattice[i][2]);
        assert_close(&len, &r->a0, 1, 0, 2e-4, "FIRE lattice vector length");
    }
    pg_cell_free(&cell);

    /* positions only: the displaced 2x2x2 snapshot goes downhill and meets the force tolerance */
    refcase_t rc;
    assert_int_equal(refcase_read("Ag3SI_2x2x2_displaced", &rc), 0);
    o.mode = PG_RELAX_POSITIONS;
    o.fmax_ev_ang = 1e-3;
    assert_int_equal(pg_relax(pot, &o, &rc.cell, &info), PG_OK);
    printf("FIRE positions: %d steps, E/atom %.9f (start %.9f)\n", info.n_steps, info.energy / 40,
           rc.energy_per_atom);
    assert_true(info.converged && info.max_force < 1e-3);
    assert_true(info.energy / 40 < rc.energy_per_atom - 1e-3);
    refcase_free(&rc);
    pg_potential_destroy(&pot);
}

/* The space-group constraint of the relax stage, built the way stage_relax.c builds it.
 * Returns the space-group number of cell (symprec 1e-5). */
typedef struct {
    pg_symmetry_t sym;
    int64_t *map;
    double (*rot)[3][3];
    pg_relax_sym_t rs;
} symc_t;

static int symc_build(const pg_cell_t *cell, symc_t *c)
{
    memset(c, 0, sizeof *c);
    assert_int_equal(pg_symmetry_find(cell, 1e-5, &c->sym), PG_OK);
    c->map = calloc((size_t)(c->sym.n_ops * cell->n_atom), sizeof *c->map);
    c->rot = calloc((size_t)c->sym.n_ops, sizeof *c->rot);
    assert_non_null(c->map);
    assert_non_null(c->rot);
    assert_int_equal(pg_symmetry_atom_map(cell, &c->sym, 1e-5, c->map), PG_OK);
    for (int g = 0; g < c->sym.n_ops; g++)
        assert_int_equal(pg_symmetry_cart_rotation(cell->lattice, (const int(*)[3])c->sym.rotations[g], c->rot[g]), PG_OK);
    c->rs = (pg_relax_sym_t){.n_op = c->sym.n_ops, .n_atom = cell->n_atom,
                             .rot_cart = (const double(*)[3][3])c->rot, .atom_map = c->map};
    return c->sym.spacegroup_number;
}

static void symc_free(symc_t *c)
{
    pg_symmetry_free(&c->sym);
    free(c->map);
    free(c->rot);
}

static int spacegroup(const pg_cell_t *cell)
{
    pg_symmetry_t s = {0};
    assert_int_equal(pg_symmetry_find(cell, 1e-5, &s), PG_OK);
    const int n = s.spacegroup_number;
    pg_symmetry_free(&s);
    return n;
}

/* The relax stage's relaxation: FIRE on positions and cell with forces and stress averaged
 * over the space group. From a compressed and a stretched Pm-3m cell it must find the spec's
 * lattice constant (§8: 1e-5 Å) for a compound whose cubic phase is unstable (Ag3SBr,
 * Ag3SeBr: imaginary Γ modes) and one where it is stable (Ag3SI), keep Pm-3m, the angles and
 * every fractional coordinate. */
static void test_symmetric_fire_cubic(void **state)
{
    (void)state;
    cubic_ref_t refs[4];
    assert_int_equal(read_cubic(refs), 4);
    pg_potential_t *pot = new_pot();
    const int which[3] = {0, 1, 2};
    for (int w = 0; w < 3; w++) {
        const cubic_ref_t *r = &refs[which[w]];
        for (int start = 0; start < 2; start++) {
            pg_cell_t cell = {0};
            assert_int_equal(refcase_cubic(r->zx, r->zy, start ? 5.0 : 4.6, &cell), 0);
            symc_t c;
            assert_int_equal(symc_build(&cell, &c), 221);
            assert_int_equal(c.sym.n_ops, 48);
            pg_relax_opts_t o;
            pg_relax_opts_default(&o);
            o.mode = PG_RELAX_FULL;
            o.sym = &c.rs;
            pg_relax_info_t info;
            assert_int_equal(pg_relax(pot, &o, &cell, &info), PG_OK);
            assert_true(info.converged && info.max_stress_gpa < 1e-6 && info.max_force < 1e-4);
            char label[128];
            snprintf(label, sizeof label, "%s symmetric FIRE a0 (from %s)", r->name, start ? "5.0" : "4.6");
            for (int a = 0; a < 3; a++) {
                assert_close(&cell.lattice[a][a], &r->a0, 1, 0, 1e-5, label);
                for (int b = 0; b < 3; b++)
                    if (a != b) assert_true(fabs(cell.lattice[a][b]) < 1e-12);
            }
            const double epa = info.energy / 5.0;
            assert_close(&epa, &r->epa, 1, 0, 1e-7, "symmetric FIRE E/atom");
            const double half[5][3] = {{0, .5, .5}, {.5, 0, .5}, {.5, .5, 0}, {.5, .5, .5}, {0, 0, 0}};
            for (int i = 0; i < 5; i++)
                for (int b = 0; b < 3; b++)
                    assert_true(fabs(cell.pos[i][b] / cell.lattice[b][b] - half[i][b]) < 1e-12);
            assert_int_equal(spacegroup(&cell), 221);
            if (start == 0)
                printf("%s symmetric FIRE: a0 %.8f (reference %.6f), %d steps\n", r->name,
                       cell.lattice[0][0], r->a0, info.n_steps);
            symc_free(&c);
            pg_cell_free(&cell);
        }
    }
    pg_potential_destroy(&pot);
}

/* A lower symmetry with free coordinates: Br moved off its site along z makes the cell P4mm
 * (No. 99), where every atom has a free z and the cell a free c/a. The constrained relaxation
 * must converge inside P4mm (same space group, x and y of every atom unchanged, cell still
 * tetragonal with a = b) and lower the energy. The forces of a P4mm cell are P4mm-symmetric
 * already, so the averaged forces must equal the raw ones (a check of the averaging). */
static void test_symmetric_fire_tetragonal(void **state)
{
    (void)state;
    cubic_ref_t refs[4];
    assert_int_equal(read_cubic(refs), 4);
    pg_potential_t *pot = new_pot();
    pg_cell_t cell = {0};
    assert_int_equal(refcase_cubic(refs[0].zx, refs[0].zy, refs[0].a0, &cell), 0);
    cell.pos[4][2] += 0.08; /* Br along z */
    cell.pos[3][2] -= 0.03; /* S along z */
    symc_t c;
    assert_int_equal(symc_build(&cell, &c), 99);
    /* raw forces are symmetric already: the averaged ones agree to rounding */
    pg_potential_result_t r0;
    double f[5][3];
    assert_int_equal(pg_potential_compute(pot, &cell, &r0, f), PG_OK);
    pg_cell_t probe = {0};
    assert_int_equal(pg_cell_copy(&probe, &cell), PG_OK);
    pg_relax_opts_t o;
    pg_relax_opts_default(&o);
    o.mode = PG_RELAX_POSITIONS;
    o.max_steps = 0; /* evaluate only: info.max_force is that of the symmetrised forces */
    o.sym = &c.rs;
    pg_relax_info_t info;
    assert_int_equal(pg_relax(pot, &o, &probe, &info), PG_OK);
    double fmax_raw = 0;
    for (int i = 0; i < 5; i++) {
        fmax_raw = fmax(fmax_raw, sqrt(f[i][0] * f[i][0] + f[i][1] * f[i][1] + f[i][2] * f[i][2]));
    }
    assert_true(fmax_raw > 1e-2);
    assert_close(&info.max_force, &fmax_raw, 1, 1e-12, 1e-12, "symmetrised = raw forces (P4mm)");
    pg_cell_free(&probe);

    double xy[5][2];
    for (int i = 0; i < 5; i++) xy[i][0] = cell.pos[i][0], xy[i][1] = cell.pos[i][1];
    o.mode = PG_RELAX_FULL;
    o.max_steps = 5000;
    o.fmax_ev_ang = 1e-4;
    o.smax_gpa = 1e-5;
    assert_int_equal(pg_relax(pot, &o, &cell, &info), PG_OK);
    printf("P4mm symmetric FIRE: %d steps, E/atom %.9f (start %.9f), a %.6f c %.6f\n",
           info.n_steps, info.energy / 5, r0.energy / 5, cell.lattice[0][0], cell.lattice[2][2]);
    assert_true(info.converged);
    assert_true(info.energy < r0.energy);
    assert_int_equal(spacegroup(&cell), 99);
    assert_true(fabs(cell.lattice[0][0] - cell.lattice[1][1]) < 1e-10);
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
            if (a != b) assert_true(fabs(cell.lattice[a][b]) < 1e-12);
    /* fractional x, y fixed by the mirror planes of P4mm */
    for (int i = 0; i < 5; i++)
        for (int b = 0; b < 2; b++) {
            const double f0 = xy[i][b] / refs[0].a0, f1 = cell.pos[i][b] / cell.lattice[b][b];
            assert_true(fabs(f0 - f1) < 1e-12);
        }
    /* a constraint built for another cell is refused */
    pg_relax_sym_t bad = c.rs;
    bad.n_atom = 40;
    o.sym = &bad;
    assert_int_equal(pg_relax(pot, &o, &cell, &info), PG_ERR_INPUT);
    pg_err_clear();
    symc_free(&c);
    pg_cell_free(&cell);
    pg_potential_destroy(&pot);
}

static void test_modes(void **state)
{
    (void)state;
    pg_relax_mode_t m;
    assert_int_equal(pg_relax_mode_parse("Cubic", &m), PG_OK);
    assert_int_equal(m, PG_RELAX_CUBIC);
    assert_int_equal(pg_relax_mode_parse("none", &m), PG_OK);
    assert_int_equal(m, PG_RELAX_NONE);
    assert_int_equal(pg_relax_mode_parse("bfgs", &m), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "bfgs"));
    pg_err_clear();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cubic_a0_and_bulk_modulus),
        cmocka_unit_test(test_fire_full),
        cmocka_unit_test(test_symmetric_fire_cubic),
        cmocka_unit_test(test_symmetric_fire_tetragonal),
        cmocka_unit_test(test_modes),
    };
    return cmocka_run_group_tests_name("relax", tests, NULL, NULL);
}
