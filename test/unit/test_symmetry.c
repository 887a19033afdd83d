/* test_symmetry.c - space groups, Wyckoff positions, atom permutations and irreducible q meshes.
 *
 * References (test/data/symmetry, made by gen_symmetry.py): spglib 2.0.2's Python API for the
 * datasets, phonopy 2.17's compute_all_sg_permutations for the atom maps, spglib's
 * get_ir_reciprocal_mesh for the 8x8x8 mesh and phonopy's own irreducible 20^3 MP mesh of NaCl
 * (reference.h5). Counts quoted in the brief (225/192 ops, 227, 221, 29 points) are also
 * asserted literally.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_poscar.h"
#include "phonograph/pg_supercell.h"
#include "phonograph/pg_symmetry.h"

#define MAXL 8192

typedef struct {
    int number, hall_number, n_ops;
    char international[32], schoenflies[16], pointgroup[16], wyckoffs[512];
    char site[512][8];
    int equivalent[512];
    int n_atom;
    int n_perm;
    int *perm; /* [n_perm][n_atom] */
} symref_t;

static void read_symref(const char *name, symref_t *r)
{
    char path[256];
    snprintf(path, sizeof path, "test/data/symmetry/%s.txt", name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    memset(r, 0, sizeof *r);
    static char line[MAXL];
    while (fgets(line, sizeof line, f)) {
        char key[32];
        int off;
        if (line[0] == '#' || sscanf(line, "%31s%n", key, &off) != 1) continue;
        char *p = line + off;
        int k;
        if (!strcmp(key, "number")) sscanf(p, "%d", &r->number);
        else if (!strcmp(key, "hall_number")) sscanf(p, "%d", &r->hall_number);
        else if (!strcmp(key, "n_ops")) sscanf(p, "%d", &r->n_ops);
        else if (!strcmp(key, "international")) sscanf(p, "%31s", r->international);
        else if (!strcmp(key, "schoenflies")) sscanf(p, "%15s", r->schoenflies);
        else if (!strcmp(key, "pointgroup")) sscanf(p, "%15s", r->pointgroup);
        else if (!strcmp(key, "wyckoffs")) {
            sscanf(p, "%511s", r->wyckoffs);
            r->n_atom = (int)strlen(r->wyckoffs);
        } else if (!strcmp(key, "site_symmetry")) {
            for (int i = 0; i < r->n_atom && sscanf(p, "%7s%n", r->site[i], &k) == 1; i++) p += k;
        } else if (!strcmp(key, "equivalent")) {
            for (int i = 0; i < r->n_atom && sscanf(p, "%d%n", &r->equivalent[i], &k) == 1; i++) p += k;
        } else if (!strcmp(key, "perm")) {
            int o;
            sscanf(p, "%d%n", &o, &k);
            p += k;
            assert_int_equal(o, r->n_perm);
            r->perm = realloc(r->perm, (size_t)(r->n_perm + 1) * r->n_atom * sizeof(int));
            assert_non_null(r->perm);
            for (int i = 0; i < r->n_atom; i++) {
                assert_int_equal(sscanf(p, "%d%n", &r->perm[r->n_perm * r->n_atom + i], &k), 1);
                p += k;
            }
            r->n_perm++;
        }
    }
    fclose(f);
    assert_true(r->n_atom > 0 && r->n_ops > 0);
}

static void si_diamond(pg_cell_t *c)
{
    assert_int_equal(pg_cell_init(c, 8), PG_OK);
    const double a = 5.43;
    const double base[4][3] = {{0, 0, 0}, {0, .5, .5}, {.5, 0, .5}, {.5, .5, 0}};
    for (int i = 0; i < 3; i++) c->lattice[i][i] = a;
    for (int i = 0; i < 8; i++) {
        double f[3];
        for (int x = 0; x < 3; x++) f[x] = (base[i % 4][x] + (i >= 4 ? 0.25 : 0.0)) * a;
        memcpy(c->pos[i], f, sizeof f); /* cubic: Cartesian = a * fractional */
        c->z[i] = 14;
    }
    pg_cell_set_default_masses(c);
}

static void load(const char *name, pg_cell_t *c)
{
    const char *sh = pg_test_shared_dir();
    if (!strcmp(name, "si_diamond")) {
        si_diamond(c);
    } else if (!strcmp(name, "nacl_conv")) {
        assert_int_equal(pg_poscar_read(MPI_COMM_SELF, pg_test_path(sh, "reference/phonopy/NaCl/POSCAR-unitcell"), c), PG_OK);
    } else if (!strcmp(name, "ag3sbr")) {
        assert_int_equal(pg_poscar_read(MPI_COMM_SELF, pg_test_path(sh, "physics/structures/POSCAR_Ag3SBr"), c), PG_OK);
    } else if (!strcmp(name, "ag3sbr_displaced")) {
        assert_int_equal(pg_poscar_read(MPI_COMM_SELF, pg_test_path(sh, "physics/structures/POSCAR_Ag3SBr_2x2x2_displaced"), c), PG_OK);
    } else if (!strcmp(name, "ag3sbr_222")) {
        pg_cell_t u;
        pg_supercell_t sc;
        assert_int_equal(pg_poscar_read(MPI_COMM_SELF, pg_test_path(sh, "physics/structures/POSCAR_Ag3SBr"), &u), PG_OK);
        assert_int_equal(pg_supercell_build_diag(&u, (int[3]){2, 2, 2}, 1e-5, &sc), PG_OK);
        assert_int_equal(pg_cell_copy(c, &sc.cell), PG_OK);
        pg_supercell_free(&sc);
        pg_cell_free(&u);
    } else {
        fail_msg("unknown case %s", name);
    }
}

/* dataset fields vs spglib-Python, atom maps vs phonopy, and operation sanity */
static void check_case(const char *name, int number, int n_ops)
{
    symref_t r;
    read_symref(name, &r);
    assert_int_equal(r.number, number); /* the reference itself says what the brief says */
    assert_int_equal(r.n_ops, n_ops);
    pg_cell_t c;
    load(name, &c);
    pg_symmetry_t s;
    assert_int_equal(pg_symmetry_find(&c, 1e-5, &s), PG_OK);
    assert_int_equal(s.spacegroup_number, number);
    assert_int_equal(s.n_ops, n_ops);
    assert_int_equal(s.hall_number, r.hall_number);
    assert_string_equal(s.international, r.international);
    assert_string_equal(s.schoenflies, r.schoenflies);
    assert_string_equal(s.pointgroup, r.pointgroup);
    assert_int_equal(s.n_atom, r.n_atom);
    for (int i = 0; i < r.n_atom; i++) {
        assert_int_equal(s.wyckoffs[i], r.wyckoffs[i]);
        assert_string_equal(s.site_symmetry[i], r.site[i]);
        assert_int_equal(s.equivalent_atoms[i], r.equivalent[i]);
    }
    int64_t *map = malloc((size_t)s.n_ops * (size_t)c.n_atom * sizeof *map);
    assert_non_null(map);
    assert_int_equal(pg_symmetry_atom_map(&c, &s, 1e-5, map), PG_OK);
    if (r.n_perm) {
        assert_int_equal(r.n_perm, s.n_ops);
        for (int64_t k = 0; k < (int64_t)s.n_ops * c.n_atom; k++) assert_int_equal(map[k], r.perm[k]);
    }
    /* each map is a permutation; the Cartesian rotation is orthogonal and moves atom i onto
     * the position of map[i] up to a lattice vector */
    int *hit = calloc((size_t)c.n_atom, sizeof *hit);
    double inv[3][3];
    assert_int_equal(pg_mat3_inverse(c.lattice, inv), PG_OK);
    double worst = 0.0, worst_dist = 0.0;
    for (int o = 0; o < s.n_ops; o++) {
        memset(hit, 0, (size_t)c.n_atom * sizeof *hit);
        double R[3][3], tc[3];
        assert_int_equal(pg_symmetry_cart_rotation(c.lattice, s.rotations[o], R), PG_OK);
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) {
                double d = R[a][0] * R[b][0] + R[a][1] * R[b][1] + R[a][2] * R[b][2];
                worst = fmax(worst, fabs(d - (a == b)));
            }
        pg_cell_frac_to_cart(c.lattice, s.translations[o], tc);
        for (int64_t i = 0; i < c.n_atom; i++) {
            int64_t j = map[(int64_t)o * c.n_atom + i];
            hit[j]++;
            double r2[3], d[3], f[3];
            for (int a = 0; a < 3; a++)
                r2[a] = R[a][0] * c.pos[i][0] + R[a][1] * c.pos[i][1] + R[a][2] * c.pos[i][2] + tc[a] - c.pos[j][a];
            pg_cell_cart_to_frac(inv, r2, f);
            for (int a = 0; a < 3; a++) f[a] -= rint(f[a]);
            pg_cell_frac_to_cart(c.lattice, f, d);
            worst_dist = fmax(worst_dist, sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]));
        }
        for (int64_t i = 0; i < c.n_atom; i++) assert_int_equal(hit[i], 1);
    }
    assert_true(worst < 1e-12);     /* R R^T = I */
    assert_true(worst_dist < 1e-5); /* symprec: the displaced cell's P1 identity maps exactly */
    free(hit);
    free(map);
    free(r.perm);
    pg_symmetry_free(&s);
    pg_cell_free(&c);
}

static void test_nacl(void **state)
{
    (void)state;
    check_case("nacl_conv", 225, 192);
    pg_cell_t c;
    load("nacl_conv", &c);
    pg_symmetry_t s;
    assert_int_equal(pg_symmetry_find(&c, 1e-5, &s), PG_OK);
    assert_string_equal(s.international, "Fm-3m");
    for (int i = 0; i < 4; i++) assert_int_equal(s.wyckoffs[i], 'a');
    for (int i = 4; i < 8; i++) assert_int_equal(s.wyckoffs[i], 'b');
    assert_int_equal(s.primitive.n_atom, 2);
    assert_int_equal(s.conventional.n_atom, 8);
    assert_true(fabs(fabs(pg_cell_volume(&s.primitive)) * 4 - fabs(pg_cell_volume(&c))) < 1e-9);
    /* site symmetry m-3m (order 48): each Na and each Cl is fixed by 48 of the 192 operations */
    int64_t *map = malloc(192 * 8 * sizeof *map);
    int ops[192], n_site;
    assert_int_equal(pg_symmetry_atom_map(&c, &s, 1e-5, map), PG_OK);
    pg_symmetry_site_ops(&s, map, 8, 0, ops, &n_site);
    assert_int_equal(n_site, 48);
    pg_symmetry_site_ops(&s, map, 8, 5, ops, &n_site);
    assert_int_equal(n_site, 48);
    /* the report names the group and the Wyckoff positions */
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    pg_symmetry_print(m, &c, &s);
    fclose(m);
    assert_non_null(strstr(buf, "Fm-3m (No. 225)"));
    assert_non_null(strstr(buf, "4a"));
    assert_non_null(strstr(buf, "4b"));
    assert_non_null(strstr(buf, "192"));
    free(buf);
    /* copy is deep and equal */
    pg_symmetry_t t;
    assert_int_equal(pg_symmetry_copy(&t, &s), PG_OK);
    assert_int_equal(t.n_ops, 192);
    assert_memory_equal(t.rotations, s.rotations, 192 * sizeof *s.rotations);
    assert_true(t.rotations != s.rotations);
    pg_symmetry_free(&t);
    free(map);
    pg_symmetry_free(&s);
    pg_cell_free(&c);
}

static void test_si(void **state) { (void)state; check_case("si_diamond", 227, 192); }
static void test_ag3sbr(void **state) { (void)state; check_case("ag3sbr", 221, 48); }
static void test_ag3sbr_222(void **state) { (void)state; check_case("ag3sbr_222", 221, 384); }
static void test_displaced(void **state) { (void)state; check_case("ag3sbr_displaced", 1, 1); }

static void test_mesh_8g(void **state)
{
    (void)state;
    pg_cell_t c;
    assert_int_equal(pg_poscar_read(MPI_COMM_SELF, pg_test_path(pg_test_shared_dir(), "reference/phonopy/NaCl/PPOSCAR"), &c), PG_OK);
    pg_symmetry_t s;
    assert_int_equal(pg_symmetry_find(&c, 1e-5, &s), PG_OK);
    assert_int_equal(s.n_ops, 48);
    {   /* Wyckoff multiplicities refer to the conventional cell, also for a primitive input */
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        pg_symmetry_print(m, &c, &s);
        fclose(m);
        assert_non_null(strstr(buf, " 4a "));
        assert_non_null(strstr(buf, " 4b "));
        free(buf);
    }
    pg_irmesh_t ir;
    assert_int_equal(pg_symmetry_ir_mesh(&s, (int[3]){8, 8, 8}, NULL, 1, &ir), PG_OK);
    assert_int_equal(ir.n_ir, 29);
    int64_t wsum = 0;
    for (int64_t k = 0; k < ir.n_ir; k++) wsum += ir.weights[k];
    assert_int_equal(wsum, 512);
    FILE *f = fopen("test/data/symmetry/mesh_nacl_8g.txt", "r");
    assert_non_null(f);
    char line[256];
    int64_t k = 0;
    while (fgets(line, sizeof line, f)) {
        long long g, w;
        double q[3];
        if (sscanf(line, "ir %lld %lld %lf %lf %lf", &g, &w, &q[0], &q[1], &q[2]) != 5) continue;
        assert_true(k < ir.n_ir);
        assert_int_equal(ir.ir_grid[k], g);
        assert_int_equal(ir.weights[k], w);
        assert_close(ir.qpoints[k], q, 3, 0, 1e-15, "8x8x8 q");
        k++;
    }
    fclose(f);
    assert_int_equal(k, 29);
    /* every grid point maps to a representative that maps to itself */
    for (int64_t g = 0; g < ir.n_grid; g++) assert_int_equal(ir.map[ir.map[g]], ir.map[g]);
    pg_irmesh_free(&ir);
    pg_symmetry_free(&s);
    pg_cell_free(&c);
}

/* phonopy's irreducible 20^3 Monkhorst-Pack mesh (shift on even axes) of NaCl */
static void test_mesh_20mp(void **state)
{
    (void)state;
    pg_cell_t c;
    assert_int_equal(pg_poscar_read(MPI_COMM_SELF, pg_test_path(pg_test_shared_dir(), "reference/phonopy/NaCl/PPOSCAR"), &c), PG_OK);
    pg_symmetry_t s;
    assert_int_equal(pg_symmetry_find(&c, 1e-5, &s), PG_OK);
    pg_irmesh_t ir;
    assert_int_equal(pg_symmetry_ir_mesh(&s, (int[3]){20, 20, 20}, (int[3]){1, 1, 1}, 1, &ir), PG_OK);
    assert_int_equal(ir.n_ir, 770);
    FILE *f = fopen("test/data/symmetry/mesh_nacl_20mp.txt", "r");
    assert_non_null(f);
    char line[256];
    int64_t k = 0;
    int bad = 0;
    while (fgets(line, sizeof line, f)) {
        long long w;
        double q[3];
        if (sscanf(line, "ir %lld %lf %lf %lf", &w, &q[0], &q[1], &q[2]) != 4) continue;
        assert_true(k < ir.n_ir);
        /* phonopy may move q into the Brillouin zone: compare modulo reciprocal vectors */
        double d = 0.0;
        for (int a = 0; a < 3; a++) {
            double x = ir.qpoints[k][a] - q[a];
            d = fmax(d, fabs(x - rint(x)));
        }
        if (d > 1e-12 || ir.weights[k] != w) bad++;
        k++;
    }
    fclose(f);
    assert_int_equal(k, 770);
    assert_int_equal(bad, 0);
    pg_irmesh_free(&ir);
    pg_symmetry_free(&s);
    pg_cell_free(&c);
}

static void test_errors(void **state)
{
    (void)state;
    pg_cell_t c;
    assert_int_equal(pg_cell_init(&c, 2), PG_OK);
    for (int i = 0; i < 3; i++) c.lattice[i][i] = 4.0;
    c.z[0] = c.z[1] = 11;
    c.pos[1][0] = 1e-7; /* two atoms on top of each other */
    pg_symmetry_t s;
    assert_int_equal(pg_symmetry_find(&c, 1e-5, &s), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "spglib"));
    assert_null(s.rotations);
    assert_int_equal(pg_symmetry_find(&c, -1.0, &s), PG_ERR_INPUT);
    pg_irmesh_t ir;
    c.pos[1][0] = 2.0;
    assert_int_equal(pg_symmetry_find(&c, 1e-5, &s), PG_OK);
    assert_int_equal(pg_symmetry_ir_mesh(&s, (int[3]){0, 4, 4}, NULL, 1, &ir), PG_ERR_INPUT);
    /* symmetry of another cell: the map must fail, not invent atoms */
    pg_cell_t other;
    assert_int_equal(pg_cell_copy(&other, &c), PG_OK);
    other.pos[1][0] = 1.3;
    int64_t *map = malloc((size_t)s.n_ops * 2 * sizeof *map);
    assert_int_equal(pg_symmetry_atom_map(&other, &s, 1e-5, map), PG_ERR_INPUT);
    free(map);
    pg_cell_free(&other);
    pg_symmetry_free(&s);
    pg_cell_free(&c);
}

int main(void)
{
    MPI_Init(NULL, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nacl),      cmocka_unit_test(test_si),
        cmocka_unit_test(test_ag3sbr),    cmocka_unit_test(test_ag3sbr_222),
        cmocka_unit_test(test_displaced), cmocka_unit_test(test_mesh_8g),
        cmocka_unit_test(test_mesh_20mp), cmocka_unit_test(test_errors),
    };
    int rc = cmocka_run_group_tests_name("symmetry", tests, NULL, NULL);
    MPI_Finalize();
    return rc;
}
