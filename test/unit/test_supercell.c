/* test_supercell.c - supercell atom order and primitive maps against phonopy 2.17.
 *
 * References: test/data/supercell/<case>.txt written by gen_supercell.py (phonopy's own
 * get_supercell / get_primitive), and phonopy's SPOSCAR / PPOSCAR for NaCl in
 * ../shared/reference/phonopy/NaCl. Tolerance 1e-12 on fractional coordinates: both sides
 * compute x = M^-1 (l + f) in double precision from the same inputs (a few ulps apart).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_h5.h"
#include "phonograph/pg_poscar.h"
#include "phonograph/pg_supercell.h"

#define MAXA 256

typedef struct {
    int matrix[3][3];
    double pmat[3][3];
    double unit_lat[3][3], super_lat[3][3], prim_lat[3][3];
    int n_unit, n_super, n_prim, n_s2p;
    double unit_x[MAXA][3], super_x[MAXA][3], prim_x[MAXA][3];
    int unit_z[MAXA], super_z[MAXA], super_s2u[MAXA], prim_z[MAXA], prim_p2s[MAXA];
    int s2p[MAXA];
    int smat[3][3];
} ref_t;

static void read_ref(const char *name, ref_t *r)
{
    char path[512];
    snprintf(path, sizeof path, "test/data/supercell/%s.txt", name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    memset(r, 0, sizeof *r);
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        char key[32];
        int off = 0;
        if (line[0] == '#' || sscanf(line, "%31s%n", key, &off) != 1) continue;
        char *p = line + off;
        double v[12];
        int n = 0, k = 0;
        if (!strcmp(key, "s2p")) {
            while (sscanf(p, "%d%n", &r->s2p[r->n_s2p], &k) == 1 && r->n_s2p < MAXA) {
                r->n_s2p++;
                p += k;
            }
            continue;
        }
        while (n < 12 && sscanf(p, "%lf%n", &v[n], &k) == 1) {
            n++;
            p += k;
        }
        if (!strcmp(key, "matrix") || !strcmp(key, "smat")) {
            assert_int_equal(n, 9);
            for (int i = 0; i < 9; i++) {
                if (key[0] == 'm') r->matrix[i / 3][i % 3] = (int)v[i];
                else r->smat[i / 3][i % 3] = (int)v[i];
            }
        } else if (!strcmp(key, "pmat") || strstr(key, "_lattice")) {
            assert_int_equal(n, 9);
            double(*m)[3] = key[0] == 'p' && key[1] == 'm' ? r->pmat
                            : key[0] == 'u'                ? r->unit_lat
                            : key[0] == 's'                ? r->super_lat
                                                           : r->prim_lat;
            for (int i = 0; i < 9; i++) m[i / 3][i % 3] = v[i];
        } else if (!strcmp(key, "unit")) {
            assert_int_equal(n, 4);
            memcpy(r->unit_x[r->n_unit], v, sizeof(double[3]));
            r->unit_z[r->n_unit++] = (int)v[3];
        } else if (!strcmp(key, "super")) {
            assert_int_equal(n, 5);
            memcpy(r->super_x[r->n_super], v, sizeof(double[3]));
            r->super_z[r->n_super] = (int)v[3];
            r->super_s2u[r->n_super++] = (int)v[4];
        } else if (!strcmp(key, "prim")) {
            assert_int_equal(n, 5);
            memcpy(r->prim_x[r->n_prim], v, sizeof(double[3]));
            r->prim_z[r->n_prim] = (int)v[3];
            r->prim_p2s[r->n_prim++] = (int)v[4];
        }
    }
    fclose(f);
    assert_true(r->n_unit > 0 && r->n_super > 0 && r->n_prim > 0 && r->n_s2p == r->n_super);
}

/* max over atoms of the periodic distance between fractional coordinates */
static double frac_err(const pg_cell_t *c, double (*x_ref)[3])
{
    double inv[3][3], worst = 0.0;
    assert_int_equal(pg_mat3_inverse(c->lattice, inv), PG_OK);
    for (int64_t i = 0; i < c->n_atom; i++) {
        double x[3];
        pg_cell_cart_to_frac(inv, c->pos[i], x);
        for (int a = 0; a < 3; a++) {
            double d = fabs(x[a] - x_ref[i][a]);
            d = fmin(d, fabs(d - 1.0)); /* 0 vs 1-1e-17 */
            worst = fmax(worst, d);
        }
    }
    return worst;
}

static void check_case(const char *name)
{
    ref_t *r = malloc(sizeof *r);
    assert_non_null(r);
    read_ref(name, r);
    pg_cell_t unit;
    assert_int_equal(pg_cell_init(&unit, r->n_unit), PG_OK);
    memcpy(unit.lattice, r->unit_lat, sizeof unit.lattice);
    for (int i = 0; i < r->n_unit; i++) {
        pg_cell_frac_to_cart(unit.lattice, r->unit_x[i], unit.pos[i]);
        unit.z[i] = r->unit_z[i];
    }
    pg_cell_set_default_masses(&unit);

    pg_supercell_t sc;
    assert_int_equal(pg_supercell_build(&unit, r->matrix, PG_SUPERCELL_SYMPREC, &sc), PG_OK);
    assert_int_equal(sc.cell.n_atom, r->n_super);
    assert_close(&sc.cell.lattice[0][0], &r->super_lat[0][0], 9, 0, 1e-12, "supercell lattice");
    double err = frac_err(&sc.cell, r->super_x);
    if (err > 1e-12) fprintf(stderr, "%s: supercell positions differ by %g\n", name, err);
    assert_true(err <= 1e-12);
    for (int i = 0; i < r->n_super; i++) {
        assert_int_equal(sc.cell.z[i], r->super_z[i]);
        assert_int_equal(sc.s2u[i], r->super_s2u[i]);
        assert_true(sc.cell.mass[i] == unit.mass[sc.s2u[i]]);
        /* translation: pos = (f_u + t) L_unit, up to rounding */
        double f[3], c[3];
        for (int a = 0; a < 3; a++) f[a] = r->unit_x[sc.s2u[i]][a] + sc.translation[i][a];
        pg_cell_frac_to_cart(unit.lattice, f, c);
        assert_close(c, sc.cell.pos[i], 3, 0, 1e-10, "pos = (f_u + t) L_unit");
    }
    for (int u = 0; u < r->n_unit; u++) assert_int_equal(sc.u2s[u], (int64_t)u * sc.n_cell);

    pg_primitive_t prim;
    assert_int_equal(pg_primitive_build(&sc, r->pmat, 1e-5, &prim), PG_OK);
    assert_int_equal(prim.cell.n_atom, r->n_prim);
    assert_close(&prim.cell.lattice[0][0], &r->prim_lat[0][0], 9, 0, 1e-12, "primitive lattice");
    err = frac_err(&prim.cell, r->prim_x);
    assert_true(err <= 1e-12);
    for (int i = 0; i < r->n_prim; i++) {
        assert_int_equal(prim.p2s[i], r->prim_p2s[i]);
        assert_int_equal(prim.cell.z[i], r->prim_z[i]);
    }
    for (int i = 0; i < r->n_super; i++) {
        assert_int_equal(prim.s2p[i], r->s2p[i]);
        assert_int_equal(prim.p2s[prim.s2pp[i]], prim.s2p[i]);
    }
    for (int i = 0; i < 9; i++) assert_int_equal(prim.smat[i / 3][i % 3], r->smat[i / 3][i % 3]);
    assert_int_equal(prim.n_cell * prim.cell.n_atom, sc.cell.n_atom);

    pg_primitive_free(&prim);
    pg_supercell_free(&sc);
    pg_cell_free(&unit);
    free(r);
}

static void test_ag3sbr_222(void **state) { (void)state; check_case("ag3sbr_222"); }
static void test_ag3sbr_123(void **state) { (void)state; check_case("ag3sbr_123"); }
static void test_ag3sbr_fcc(void **state) { (void)state; check_case("ag3sbr_fcc"); }
static void test_ag3sbr_skew(void **state) { (void)state; check_case("ag3sbr_skew"); }
static void test_nacl_222(void **state) { (void)state; check_case("nacl_222"); }
static void test_naclprim_s(void **state) { (void)state; check_case("naclprim_s"); }
static void test_shift_fcc(void **state) { (void)state; check_case("ag3sbr_shift_fcc"); }

/* From the POSCAR files phonopy itself wrote: SPOSCAR (supercell) and PPOSCAR (primitive). */
static void test_nacl_sposcar(void **state)
{
    (void)state;
    const char *dir = pg_test_path(pg_test_shared_dir(), "reference/phonopy/NaCl");
    char up[512], sp[512], pp[512];
    snprintf(up, sizeof up, "%s/POSCAR-unitcell", dir);
    snprintf(sp, sizeof sp, "%s/SPOSCAR", dir);
    snprintf(pp, sizeof pp, "%s/PPOSCAR", dir);
    pg_cell_t unit, sref, pref;
    assert_int_equal(pg_poscar_read(MPI_COMM_SELF, up, &unit), PG_OK);
    assert_int_equal(pg_poscar_read(MPI_COMM_SELF, sp, &sref), PG_OK);
    assert_int_equal(pg_poscar_read(MPI_COMM_SELF, pp, &pref), PG_OK);
    pg_supercell_t sc;
    assert_int_equal(pg_supercell_build_diag(&unit, (int[3]){2, 2, 2}, 1e-5, &sc), PG_OK);
    assert_int_equal(sc.cell.n_atom, sref.n_atom);
    assert_close(&sc.cell.lattice[0][0], &sref.lattice[0][0], 9, 0, 1e-12, "SPOSCAR lattice");
    assert_close(&sc.cell.pos[0][0], &sref.pos[0][0], 3 * sref.n_atom, 0, 1e-12, "SPOSCAR positions");
    for (int64_t i = 0; i < sref.n_atom; i++) assert_int_equal(sc.cell.z[i], sref.z[i]);
    double pmat[3][3];
    assert_int_equal(pg_primitive_matrix_parse("0 1/2 1/2 1/2 0 1/2 1/2 1/2 0", pmat), PG_OK);
    pg_primitive_t prim;
    assert_int_equal(pg_primitive_build(&sc, pmat, 1e-5, &prim), PG_OK);
    assert_close(&prim.cell.lattice[0][0], &pref.lattice[0][0], 9, 0, 1e-12, "PPOSCAR lattice");
    assert_close(&prim.cell.pos[0][0], &pref.pos[0][0], 3 * pref.n_atom, 0, 1e-12, "PPOSCAR positions");
    const int smat_ref[3][3] = {{-2, 2, 2}, {2, -2, 2}, {2, 2, -2}};
    for (int i = 0; i < 9; i++) assert_int_equal(prim.smat[i / 3][i % 3], smat_ref[i / 3][i % 3]);
    assert_int_equal(prim.n_cell, 32);
    assert_int_equal(prim.p2s[0], 0);
    assert_int_equal(prim.p2s[1], 32);
    /* the F centring letter gives the same matrix */
    double pf[3][3];
    assert_int_equal(pg_primitive_matrix_parse("F", pf), PG_OK);
    assert_close(&pf[0][0], &pmat[0][0], 9, 0, 0, "F centring");
    pg_primitive_free(&prim);
    pg_supercell_free(&sc);
    pg_cell_free(&unit);
    pg_cell_free(&sref);
    pg_cell_free(&pref);
}

/* Straight against phonopy's stored reference.h5 structure/ group (NaCl, --dim 2 2 2, F) */
static void test_nacl_reference_h5(void **state)
{
    (void)state;
    const char *dir = pg_test_path(pg_test_shared_dir(), "reference/phonopy/NaCl");
    char up[512], hp[512];
    snprintf(up, sizeof up, "%s/POSCAR-unitcell", dir);
    snprintf(hp, sizeof hp, "%s/reference.h5", dir);
    pg_h5_t *h = NULL;
    assert_int_equal(pg_h5_open(hp, PG_H5_READ, MPI_COMM_NULL, &h), PG_OK);
    int64_t smat[9], super_m[9], p2s[2], s2p[64], s2pp[64];
    int32_t p2s32[2], s2p32[64], zs[64];
    double slat[9], plat[9], spos[64 * 3], ppos[2 * 3], smass[64], pmass[2], pmat[3][3];
    assert_int_equal(pg_h5_read(h, "structure/supercell_matrix", PG_H5_I64, super_m), PG_OK);
    assert_int_equal(pg_h5_read(h, "structure/supercell_matrix_wrt_primitive", PG_H5_I64, smat), PG_OK);
    assert_int_equal(pg_h5_read(h, "structure/primitive_matrix", PG_H5_F64, &pmat[0][0]), PG_OK);
    assert_int_equal(pg_h5_read(h, "structure/p2s_map", PG_H5_I32, p2s32), PG_OK);
    assert_int_equal(pg_h5_read(h, "structure/s2p_map", PG_H5_I32, s2p32), PG_OK);
    assert_int_equal(pg_h5_read(h, "structure/s2pp_map", PG_H5_I64, s2pp), PG_OK);
    assert_int_equal(pg_h5_read(h, "structure/supercell_numbers", PG_H5_I32, zs), PG_OK);
    assert_int_equal(pg_h5_read(h, "structure/supercell_lattice", PG_H5_F64, slat), PG_OK);
    assert_int_equal(pg_h5_read(h, "structure/primitive_lattice", PG_H5_F64, plat), PG_OK);
    assert_int_equal(pg_h5_read(h, "structure/supercell_scaled_positions", PG_H5_F64, spos), PG_OK);
    assert_int_equal(pg_h5_read(h, "structure/primitive_scaled_positions", PG_H5_F64, ppos), PG_OK);
    assert_int_equal(pg_h5_read(h, "structure/supercell_masses", PG_H5_F64, smass), PG_OK);
    assert_int_equal(pg_h5_read(h, "structure/primitive_masses", PG_H5_F64, pmass), PG_OK);
    assert_int_equal(pg_h5_close(&h), PG_OK);
    for (int i = 0; i < 2; i++) p2s[i] = p2s32[i];
    for (int i = 0; i < 64; i++) s2p[i] = s2p32[i];

    pg_cell_t unit;
    assert_int_equal(pg_poscar_read(MPI_COMM_SELF, up, &unit), PG_OK);
    int m[3][3];
    for (int i = 0; i < 9; i++) m[i / 3][i % 3] = (int)super_m[i];
    pg_supercell_t sc;
    assert_int_equal(pg_supercell_build(&unit, m, 1e-5, &sc), PG_OK);
    assert_int_equal(sc.cell.n_atom, 64);
    assert_close(&sc.cell.lattice[0][0], slat, 9, 0, 1e-12, "reference.h5 supercell_lattice");
    assert_true(frac_err(&sc.cell, (double(*)[3])spos) <= 1e-12);
    assert_close(sc.cell.mass, smass, 64, 0, 0, "reference.h5 supercell_masses (phonopy table)");
    for (int i = 0; i < 64; i++) assert_int_equal(sc.cell.z[i], zs[i]);
    pg_primitive_t prim;
    assert_int_equal(pg_primitive_build(&sc, pmat, 1e-5, &prim), PG_OK);
    assert_close(&prim.cell.lattice[0][0], plat, 9, 0, 1e-12, "reference.h5 primitive_lattice");
    assert_true(frac_err(&prim.cell, (double(*)[3])ppos) <= 1e-12);
    assert_close(prim.cell.mass, pmass, 2, 0, 0, "reference.h5 primitive_masses");
    for (int i = 0; i < 9; i++) assert_int_equal(prim.smat[i / 3][i % 3], smat[i]);
    for (int i = 0; i < 2; i++) assert_int_equal(prim.p2s[i], p2s[i]);
    for (int i = 0; i < 64; i++) {
        assert_int_equal(prim.s2p[i], s2p[i]);
        assert_int_equal(prim.s2pp[i], s2pp[i]);
    }
    pg_primitive_free(&prim);
    pg_supercell_free(&sc);
    pg_cell_free(&unit);
}

static void test_errors(void **state)
{
    (void)state;
    pg_cell_t unit;
    assert_int_equal(pg_cell_init(&unit, 1), PG_OK);
    unit.lattice[0][0] = unit.lattice[1][1] = unit.lattice[2][2] = 3.0;
    unit.z[0] = 11;
    pg_supercell_t sc;
    int bad[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, -1}};
    assert_int_equal(pg_supercell_build(&unit, bad, 1e-5, &sc), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "determinant -1"));
    int sing[3][3] = {{1, 1, 0}, {1, 1, 0}, {0, 0, 1}};
    assert_int_equal(pg_supercell_build(&unit, sing, 1e-5, &sc), PG_ERR_INPUT);
    /* P not commensurate with M = 1 */
    int one[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    assert_int_equal(pg_supercell_build(&unit, one, 1e-5, &sc), PG_OK);
    double pmat[3][3];
    assert_int_equal(pg_primitive_matrix_parse("F", pmat), PG_OK);
    pg_primitive_t prim;
    assert_int_equal(pg_primitive_build(&sc, pmat, 1e-5, &prim), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "not a whole number of primitive cells"));
    double skew[3][3];
    assert_int_equal(pg_primitive_matrix_parse("1 1/2 0 0 1 0 0 0 1", skew), PG_OK);
    assert_int_equal(pg_primitive_build(&sc, skew, 1e-5, &prim), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "not commensurate"));
    pg_supercell_free(&sc);
    /* four atoms on a cubic lattice that are not an F-centred arrangement */
    pg_cell_t four;
    assert_int_equal(pg_cell_init(&four, 4), PG_OK);
    four.lattice[0][0] = four.lattice[1][1] = four.lattice[2][2] = 3.0;
    const double xf[4][3] = {{0, 0, 0}, {.5, .5, 0}, {.5, 0, .5}, {0, .5, .6}};
    for (int i = 0; i < 4; i++) {
        pg_cell_frac_to_cart(four.lattice, xf[i], four.pos[i]);
        four.z[i] = 11;
    }
    assert_int_equal(pg_supercell_build(&four, one, 1e-5, &sc), PG_OK);
    assert_int_equal(pg_primitive_build(&sc, pmat, 1e-5, &prim), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "does not describe a primitive cell"));
    pg_supercell_free(&sc);
    /* overlapping unit-cell atoms */
    memcpy(four.pos[3], (double[3]){3.0 + 1e-7, 0, 0}, sizeof(double[3]));
    assert_int_equal(pg_supercell_build(&four, one, 1e-5, &sc), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "overlap"));
    pg_cell_free(&four);
    assert_int_equal(pg_primitive_matrix_parse("0 1/2 x 1 1 1 1 1 1", pmat), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "found \"x\""));
    assert_int_equal(pg_primitive_matrix_parse("1 0 0 0 1 0", pmat), PG_ERR_INPUT);
    pg_cell_free(&unit);
}

int main(void)
{
    MPI_Init(NULL, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ag3sbr_222), cmocka_unit_test(test_ag3sbr_123),
        cmocka_unit_test(test_ag3sbr_fcc), cmocka_unit_test(test_ag3sbr_skew),
        cmocka_unit_test(test_nacl_222),   cmocka_unit_test(test_naclprim_s),
        cmocka_unit_test(test_shift_fcc),
        cmocka_unit_test(test_nacl_sposcar), cmocka_unit_test(test_nacl_reference_h5),
        cmocka_unit_test(test_errors),
    };
    int rc = cmocka_run_group_tests_name("supercell", tests, NULL, NULL);
    MPI_Finalize();
    return rc;
}
