/* test_poscar.c - POSCAR reader/writer: round trips, VASP 4/5, scale factors, selective
 * dynamics, and a table of malformed files with their path:line messages.
 * Expected values are analytic (from the file text) or phonopy's own files (SPOSCAR). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_element.h"
#include "phonograph/pg_poscar.h"


static const char *NACL_VASP5 = "NaCl rock salt\n"
                                "   1.0\n"
                                "  5.69 0.0 0.0\n"
                                "  0.0 5.69 0.0\n"
                                "  0.0 0.0 5.69\n"
                                " Na Cl\n"
                                " 1 1\n"
                                "Direct\n"
                                " 0.0 0.0 0.0\n"
                                " 0.5 0.5 0.5\n";

static void assert_same_cell(const pg_cell_t *a, const pg_cell_t *b, double tol)
{
    assert_int_equal(a->n_atom, b->n_atom);
    assert_close(&a->lattice[0][0], &b->lattice[0][0], 9, 0, tol, "lattice");
    assert_close(&a->pos[0][0], &b->pos[0][0], 3 * a->n_atom, 0, tol, "positions");
    for (int64_t i = 0; i < a->n_atom; i++) {
        assert_int_equal(a->z[i], b->z[i]);
        assert_true(a->mass[i] == b->mass[i]);
    }
}

static void test_parse_vasp5(void **state)
{
    (void)state;
    pg_cell_t c;
    pg_poscar_info_t info;
    assert_int_equal(pg_poscar_parse_ex("nacl", NACL_VASP5, &c, &info), PG_OK);
    assert_int_equal(c.n_atom, 2);
    assert_int_equal(c.z[0], 11);
    assert_int_equal(c.z[1], 17);
    assert_true(c.mass[0] == pg_element_mass(11));
    assert_true(fabs(c.mass[0] - 22.98976928) < 1e-12); /* phonopy's table */
    assert_true(fabs(c.pos[1][0] - 2.845) < 1e-14 && fabs(c.pos[1][2] - 2.845) < 1e-14);
    assert_int_equal(info.vasp4, 0);
    assert_int_equal(info.selective_dynamics, 0);
    assert_int_equal(info.cartesian, 0);
    assert_string_equal(info.comment, "NaCl rock salt");
    pg_cell_free(&c);
}

/* phonopy-style VASP 4: no species line, symbols from the comment; same cell as VASP 5 */
static void test_vasp4(void **state)
{
    (void)state;
    const char *v4 = "Na Cl written by VASP 4\n1.0\n5.69 0 0\n0 5.69 0\n0 0 5.69\n1 1\nD\n"
                     "0 0 0\n0.5 0.5 0.5\n";
    pg_cell_t a, b;
    pg_poscar_info_t info;
    assert_int_equal(pg_poscar_parse_ex("v4", v4, &a, &info), PG_OK);
    assert_int_equal(info.vasp4, 1);
    assert_int_equal(pg_poscar_parse("v5", NACL_VASP5, &b), PG_OK);
    assert_same_cell(&a, &b, 0);
    pg_cell_free(&a);
    pg_cell_free(&b);
}

/* scale factor s > 0 multiplies lattice and Cartesian positions; s < 0 is the volume */
static void test_scale(void **state)
{
    (void)state;
    const char *scaled = "x\n2.0\n2.845 0 0\n0 2.845 0\n0 0 2.845\nNa Cl\n1 1\nCartesian\n"
                         "0 0 0\n1.4225 1.4225 1.4225\n";
    const char *volume = "x\n-184.220009\n1 0 0\n0 1 0\n0 0 1\nNa Cl\n1 1\nDirect\n"
                         "0 0 0\n0.5 0.5 0.5\n"; /* 5.69^3 = 184.220009 */
    pg_cell_t ref, a, b;
    pg_poscar_info_t info;
    assert_int_equal(pg_poscar_parse("ref", NACL_VASP5, &ref), PG_OK);
    assert_int_equal(pg_poscar_parse_ex("scaled", scaled, &a, &info), PG_OK);
    assert_int_equal(info.cartesian, 1);
    assert_true(info.scale == 2.0);
    assert_same_cell(&a, &ref, 1e-14);
    assert_int_equal(pg_poscar_parse_ex("volume", volume, &b, &info), PG_OK);
    assert_true(info.scale < 0);
    assert_same_cell(&b, &ref, 1e-12);
    assert_true(fabs(pg_cell_volume(&b) - 184.220009) < 1e-9);
    pg_cell_free(&ref);
    pg_cell_free(&a);
    pg_cell_free(&b);
}

static void test_selective_dynamics(void **state)
{
    (void)state;
    const char *sd = "NaCl\n1.0\n5.69 0 0\n0 5.69 0\n0 0 5.69\nNa Cl\n1 1\nSelective dynamics\n"
                     "Direct\n0 0 0 F F F\n0.5 0.5 0.5 T T T\n\n";
    pg_cell_t a, ref;
    pg_poscar_info_t info;
    assert_int_equal(pg_poscar_parse_ex("sd", sd, &a, &info), PG_OK);
    assert_int_equal(info.selective_dynamics, 1);
    assert_int_equal(pg_poscar_parse("ref", NACL_VASP5, &ref), PG_OK);
    assert_same_cell(&a, &ref, 0);
    pg_cell_free(&a);
    pg_cell_free(&ref);
}

/* read(write(x)) == x to 1e-12, Direct and Cartesian, on a displaced low-symmetry cell */
static void test_round_trip(void **state)
{
    (void)state;
    const char *src = pg_test_path(pg_test_shared_dir(),
                                   "physics/structures/POSCAR_Ag3SBr_2x2x2_displaced_strained");
    pg_cell_t a;
    assert_int_equal(pg_poscar_read(MPI_COMM_SELF, src, &a), PG_OK);
    assert_int_equal(a.n_atom, 40);
    for (int direct = 0; direct <= 1; direct++) {
        const char *p = pg_test_path(pg_test_tmpdir(), direct ? "rt_direct.vasp" : "rt_cart.vasp");
        assert_int_equal(pg_poscar_write(p, &a, "round trip\nwith newline", direct), PG_OK);
        pg_cell_t b;
        pg_poscar_info_t info;
        assert_int_equal(pg_poscar_read_ex(MPI_COMM_SELF, p, &b, &info), PG_OK);
        assert_int_equal(info.cartesian, !direct);
        assert_string_equal(info.comment, "round trip with newline");
        assert_same_cell(&a, &b, 1e-12);
        pg_cell_free(&b);
    }
    /* interleaved species keep their order (repeated symbols on the species line) */
    pg_cell_t m;
    assert_int_equal(pg_cell_init(&m, 3), PG_OK);
    m.lattice[0][0] = 3;
    m.lattice[1][1] = 4;
    m.lattice[2][2] = 5;
    m.lattice[1][0] = 0.3;
    const int z[3] = {11, 17, 11};
    for (int i = 0; i < 3; i++) {
        m.z[i] = z[i];
        m.pos[i][0] = 0.1 * i + 1.0 / 3.0;
        m.pos[i][1] = 0.7 - 0.2 * i;
        m.pos[i][2] = 1e-3 * i;
    }
    pg_cell_set_default_masses(&m);
    const char *p = pg_test_path(pg_test_tmpdir(), "mixed.vasp");
    assert_int_equal(pg_poscar_write(p, &m, NULL, 1), PG_OK);
    pg_cell_t b;
    assert_int_equal(pg_poscar_read(MPI_COMM_SELF, p, &b), PG_OK);
    assert_same_cell(&m, &b, 1e-12);
    pg_cell_free(&b);
    pg_cell_free(&m);
    pg_cell_free(&a);
}

/* The Ag3SBr unit cell: what the file says, checked value by value */
static void test_ag3sbr(void **state)
{
    (void)state;
    const char *src = pg_test_path(pg_test_shared_dir(), "physics/structures/POSCAR_Ag3SBr");
    pg_cell_t a;
    assert_int_equal(pg_poscar_read(MPI_COMM_SELF, src, &a), PG_OK);
    assert_int_equal(a.n_atom, 5);
    const int z[5] = {47, 47, 47, 16, 35};
    for (int i = 0; i < 5; i++) assert_int_equal(a.z[i], z[i]);
    const double l = 4.8065449987155100;
    assert_true(fabs(a.lattice[0][0] - l) < 1e-15 && a.lattice[0][1] == 0.0);
    assert_true(fabs(a.pos[3][0] - 0.5 * l) < 1e-15 && a.pos[4][2] == 0.0);
    pg_cell_free(&a);
}

/* A POSCAR written by ASE with sort=False: 625 atoms in 350 species groups (species repeat),
 * species and count lines of more than 1024 characters. Compared atom by atom with what
 * ase.io.read returns (test/data/poscar_groups/, made by gen_poscar_groups.py). The VASP 4
 * variant (symbols on the comment line) must give the same cell; a write/read round trip
 * keeps the groups. */
static void test_many_groups(void **state)
{
    (void)state;
    FILE *f = fopen("test/data/poscar_groups/ase_read.txt", "r");
    assert_non_null(f);
    int n = 0, n_groups = 0;
    assert_int_equal(fscanf(f, "%d %d", &n, &n_groups), 2);
    assert_true(n_groups > 64 && n > n_groups);
    pg_cell_t ref;
    assert_int_equal(pg_cell_init(&ref, n), PG_OK);
    for (int a = 0; a < 3; a++)
        assert_int_equal(fscanf(f, "%lf %lf %lf", &ref.lattice[a][0], &ref.lattice[a][1],
                                &ref.lattice[a][2]),
                         3);
    for (int i = 0; i < n; i++) {
        assert_int_equal(fscanf(f, "%d %lf %lf %lf", &ref.z[i], &ref.pos[i][0], &ref.pos[i][1],
                                &ref.pos[i][2]),
                         4);
        ref.mass[i] = pg_element_mass(ref.z[i]);
    }
    fclose(f);

    const char *files[] = {"test/data/poscar_groups/POSCAR_groups_vasp5",
                           "test/data/poscar_groups/POSCAR_groups_vasp4"};
    for (int k = 0; k < 2; k++) {
        pg_cell_t c;
        pg_poscar_info_t info;
        assert_int_equal(pg_poscar_read_ex(MPI_COMM_SELF, files[k], &c, &info), PG_OK);
        assert_int_equal(info.vasp4, k);
        assert_same_cell(&c, &ref, 1e-10);
        int runs = 1;
        for (int64_t i = 1; i < c.n_atom; i++) runs += c.z[i] != c.z[i - 1];
        assert_int_equal(runs, n_groups);
        if (k == 0) {
            char path[512];
            snprintf(path, sizeof path, "%s/groups_round_trip.vasp", pg_test_tmpdir());
            assert_int_equal(pg_poscar_write(path, &c, NULL, 1), PG_OK);
            pg_cell_t b;
            assert_int_equal(pg_poscar_read(MPI_COMM_SELF, path, &b), PG_OK);
            assert_same_cell(&b, &ref, 1e-10);
            pg_cell_free(&b);
        }
        pg_cell_free(&c);
    }
    /* a count line one group short of the species line is still an error naming the line */
    pg_cell_t c;
    char *text = NULL;
    {
        FILE *g = fopen(files[0], "r");
        assert_non_null(g);
        fseek(g, 0, SEEK_END);
        long len = ftell(g);
        rewind(g);
        text = calloc((size_t)len + 1, 1);
        assert_non_null(text);
        assert_int_equal(fread(text, 1, (size_t)len, g), (size_t)len);
        fclose(g);
    }
    char *l7 = text;
    for (int line = 1; line < 7; line++) l7 = strchr(l7, '\n') + 1;
    char *end7 = strchr(l7, '\n');
    char *last = end7;
    while (last > l7 && last[-1] == ' ') last--;
    while (last > l7 && last[-1] != ' ') last--; /* start of the last count */
    memset(last, ' ', (size_t)(end7 - last));
    assert_int_equal(pg_poscar_parse("groups", text, &c), PG_ERR_INPUT);
    char want[128];
    snprintf(want, sizeof want, "groups:7: expected %d atom counts (one per species on line 6), found %d",
             n_groups, n_groups - 1);
    assert_non_null(strstr(pg_err_message(), want));
    assert_null(c.pos);
    pg_err_clear();
    free(text);
    pg_cell_free(&ref);
}

typedef struct {
    const char *file;
    const char *expect; /* after "<path>" */
} bad_case_t;

static void test_bad_files(void **state)
{
    (void)state;
    static const bad_case_t cases[] = {
        {"counts_mismatch.vasp", ":7: expected 2 atom counts (one per species on line 6), found 1"},
        {"too_few_positions.vasp", ":10: expected the position of atom 2 of 2"},
        {"nonnumber_lattice.vasp", ":3: expected a number in lattice vector a1, found \"abc\""},
        {"missing_lattice.vasp", ":4: expected lattice vector a2, found end of file"},
        {"unknown_species.vasp", ":6: expected an element symbol, found \"Xx\""},
        {"singular.vasp", ":3-5: expected three linearly independent lattice vectors"},
        {"bad_mode.vasp", ":8: expected \"Direct\" or \"Cartesian\", found \"Fractional\""},
        {"bad_count.vasp", ":7: expected a positive integer atom count, found \"-2\""},
        {"vasp4_bad_comment.vasp", ":1: expected an element symbol as word 1 of the comment"},
        {"short_position.vasp", ":9: expected the position of atom 1 of 2 (3 numbers), found \"0.0 0.5\""},
        {"nan_position.vasp", ":10: expected a number in the position of atom 2 of 2, found \"nan\""},
        {"zero_scale.vasp", ":2: expected a non-zero scale factor"},
        {"three_scales.vasp", ":2: expected one scale factor, found \"1.0 1.0 2.0\""},
        {"empty.vasp", ":1: expected a comment line, found end of file"},
        {"missing_mode.vasp", ":9: expected \"Direct\" or \"Cartesian\", found end of file"},
    };
    int n_bad = 0;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char path[256], want[512];
        snprintf(path, sizeof path, "test/data/poscar_bad/%s", cases[k].file);
        snprintf(want, sizeof want, "%s%s", path, cases[k].expect);
        pg_cell_t c;
        pg_status_t st = pg_poscar_read(MPI_COMM_SELF, path, &c);
        int ok = st == PG_ERR_INPUT && strstr(pg_err_message(), want) != NULL && c.pos == NULL;
        if (!ok) {
            fprintf(stderr, "%s: status %d, message \"%s\", wanted \"%s\"\n", cases[k].file, st,
                    pg_err_message(), want);
            n_bad++;
        }
        pg_cell_free(&c);
        pg_err_clear();
    }
    assert_int_equal(n_bad, 0);
    /* a missing file is an I/O error naming the path */
    pg_cell_t c;
    assert_int_equal(pg_poscar_read(MPI_COMM_SELF, "test/data/poscar_bad/nonexistent", &c), PG_ERR_IO);
    assert_non_null(strstr(pg_err_message(), "nonexistent"));
}

int main(void)
{
    MPI_Init(NULL, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_vasp5),       cmocka_unit_test(test_vasp4),
        cmocka_unit_test(test_scale),             cmocka_unit_test(test_selective_dynamics),
        cmocka_unit_test(test_round_trip),        cmocka_unit_test(test_ag3sbr),
        cmocka_unit_test(test_bad_files),         cmocka_unit_test(test_many_groups),
    };
    int rc = cmocka_run_group_tests_name("poscar", tests, NULL, NULL);
    MPI_Finalize();
    return rc;
}
