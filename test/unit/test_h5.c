/* test_h5.c - HDF5 wrappers: round trips, strings, attributes, rows, and reading files
 * written by h5py (the shared reference data). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_h5.h"

static void test_roundtrip(void **state)
{
    (void)state;
    const char *path = pg_test_path(pg_test_tmpdir(), "rt.h5");
    pg_h5_t *f = NULL;
    assert_int_equal(pg_h5_open(path, PG_H5_TRUNCATE, MPI_COMM_NULL, &f), PG_OK);
    double a[2][3] = {{1.5, -2.0, 3.25}, {1e-300, 4.0, NAN}};
    int64_t dims[2] = {2, 3};
    assert_int_equal(pg_h5_write(f, "/g/sub/a", PG_H5_F64, 2, dims, a), PG_OK);
    int64_t iv[4] = {1, -2, 3, 1LL << 40};
    int64_t d1 = 4;
    assert_int_equal(pg_h5_write(f, "/ints", PG_H5_I64, 1, &d1, iv), PG_OK);
    const char *names[3] = {"Ag", "S", "Br"};
    assert_int_equal(pg_h5_write_strings(f, "/species", 3, names), PG_OK);
    assert_int_equal(pg_h5_attr_write_string(f, "/", "format", "phonograph-test"), PG_OK);
    int32_t ver[2] = {1, 2};
    assert_int_equal(pg_h5_attr_write(f, "/g", "version", PG_H5_I32, 2, ver), PG_OK);
    /* overwrite with another shape */
    double b[5] = {1, 2, 3, 4, 5};
    int64_t d5 = 5;
    assert_int_equal(pg_h5_write(f, "/ints", PG_H5_F64, 1, &d5, b), PG_OK);
    assert_int_equal(pg_h5_close(&f), PG_OK);
    assert_null(f);

    assert_int_equal(pg_h5_open(path, PG_H5_READ, MPI_COMM_NULL, &f), PG_OK);
    assert_true(pg_h5_exists(f, "/g/sub/a"));
    assert_false(pg_h5_exists(f, "/g/nothing/here"));
    double r[2][3];
    assert_int_equal(pg_h5_read(f, "/g/sub/a", PG_H5_F64, r), PG_OK);
    assert_true(r[0][0] == 1.5 && r[1][0] == 1e-300 && isnan(r[1][2]));
    float rf[5];
    assert_int_equal(pg_h5_read(f, "/ints", PG_H5_F32, rf), PG_OK); /* converted */
    assert_true(rf[4] == 5.0f);
    char **s = NULL;
    int64_t n = 0;
    assert_int_equal(pg_h5_read_strings(f, "/species", &s, &n), PG_OK);
    assert_int_equal(n, 3);
    assert_string_equal(s[0], "Ag");
    assert_string_equal(s[2], "Br");
    pg_h5_free_strings(s, n);
    char *fmt = NULL;
    assert_int_equal(pg_h5_attr_read_string(f, "/", "format", &fmt), PG_OK);
    assert_string_equal(fmt, "phonograph-test");
    free(fmt);
    int32_t vr[2];
    assert_int_equal(pg_h5_attr_read(f, "/g", "version", PG_H5_I32, 2, vr), PG_OK);
    assert_true(vr[0] == 1 && vr[1] == 2);
    assert_int_equal(pg_h5_attr_read(f, "/g", "version", PG_H5_I32, 3, vr), PG_ERR_IO);
    /* errors name the file and the object */
    assert_int_equal(pg_h5_read(f, "/missing", PG_H5_F64, r), PG_ERR_IO);
    assert_non_null(strstr(pg_err_message(), "/missing"));
    assert_non_null(strstr(pg_err_message(), "rt.h5"));
    assert_int_equal(pg_h5_close(&f), PG_OK);
    assert_int_equal(pg_h5_open("/nonexistent/x.h5", PG_H5_READ, MPI_COMM_NULL, &f), PG_ERR_IO);
    assert_non_null(strstr(pg_err_message(), "/nonexistent/x.h5"));
}

static void test_rows_serial(void **state)
{
    (void)state;
    const char *path = pg_test_path(pg_test_tmpdir(), "rows.h5");
    pg_h5_t *f = NULL;
    assert_int_equal(pg_h5_open(path, PG_H5_TRUNCATE, MPI_COMM_NULL, &f), PG_OK);
    int64_t dims[2] = {0, 3};
    assert_int_equal(pg_h5_create_rows(f, "/pos", PG_H5_F64, 2, dims, -1, 4), PG_OK);
    double rows[5][3];
    for (int i = 0; i < 5; i++)
        for (int a = 0; a < 3; a++) rows[i][a] = 10 * i + a;
    assert_int_equal(pg_h5_extend_rows(f, "/pos", 5), PG_OK);
    assert_int_equal(pg_h5_write_rows(f, "/pos", PG_H5_F64, 0, 2, rows[0]), PG_OK);
    assert_int_equal(pg_h5_write_rows(f, "/pos", PG_H5_F64, 2, 3, rows[2]), PG_OK);
    assert_int_equal(pg_h5_write_rows(f, "/pos", PG_H5_F64, 4, 3, rows[2]), PG_ERR_INTERNAL);
    double back[3][3];
    assert_int_equal(pg_h5_read_rows(f, "/pos", PG_H5_F64, 1, 3, back), PG_OK);
    assert_close(&back[0][0], &rows[1][0], 9, 0, 0, "rows read back");
    int rank;
    int64_t sh[4];
    assert_int_equal(pg_h5_shape(f, "/pos", &rank, sh), PG_OK);
    assert_true(rank == 2 && sh[0] == 5 && sh[1] == 3);
    assert_int_equal(pg_h5_close(&f), PG_OK);
}

/* files written by h5py: fixed-length byte strings, group attributes, float64 arrays */
/* pg_h5_is_hdf5: our file and an h5py file yes; a text file, an empty file, a missing file no */
static void test_is_hdf5(void **state)
{
    (void)state;
    const char *ours = pg_test_path(pg_test_tmpdir(), "is.h5");
    pg_h5_t *f = NULL;
    assert_int_equal(pg_h5_open(ours, PG_H5_TRUNCATE, MPI_COMM_NULL, &f), PG_OK);
    assert_int_equal(pg_h5_close(&f), PG_OK);
    assert_int_equal(pg_h5_is_hdf5(ours), 1);
    assert_int_equal(pg_h5_is_hdf5(pg_test_path(pg_test_shared_dir(), "reference/gnn/vectors.h5")), 1);
    assert_int_equal(pg_h5_is_hdf5(pg_test_path(pg_test_shared_dir(), "physics/structures/POSCAR_Ag3SBr")), 0);
    const char *empty = pg_test_path(pg_test_tmpdir(), "empty.h5");
    FILE *e = fopen(empty, "w");
    assert_non_null(e);
    fclose(e);
    assert_int_equal(pg_h5_is_hdf5(empty), 0);
    assert_int_equal(pg_h5_is_hdf5(pg_test_path(pg_test_tmpdir(), "missing.h5")), 0);
    assert_int_equal(pg_h5_is_hdf5(NULL), 0);
}

static void test_read_h5py_files(void **state)
{
    (void)state;
    pg_h5_t *f = NULL;
    const char *vec = pg_test_path(pg_test_shared_dir(), "reference/gnn/vectors.h5");
    assert_int_equal(pg_h5_open(vec, PG_H5_READ, MPI_COMM_NULL, &f), PG_OK);
    int64_t np = 0;
    assert_int_equal(pg_h5_attr_read(f, "/config", "n_params", PG_H5_I64, 1, &np), PG_OK);
    assert_int_equal(np, 866);
    char **names = NULL;
    int64_t n = 0;
    assert_int_equal(pg_h5_read_strings(f, "/layout/names", &names, &n), PG_OK);
    assert_int_equal(n, 10);
    assert_string_equal(names[0], "emb.W");
    assert_string_equal(names[9], "head.b2");
    pg_h5_free_strings(names, n);
    int64_t off[10];
    assert_int_equal(pg_h5_read(f, "/layout/offsets", PG_H5_I64, off), PG_OK);
    assert_true(off[1] == 32 && off[9] == 864); /* README: 0 32 40 392 ... 864 */
    assert_int_equal(pg_h5_close(&f), PG_OK);

    const char *ref = pg_test_path(pg_test_shared_dir(), "physics/reference.h5");
    assert_int_equal(pg_h5_open(ref, PG_H5_READ, MPI_COMM_NULL, &f), PG_OK);
    double e = 0;
    assert_int_equal(pg_h5_read(f, "/configs/Ag3SBr_2x2x2_displaced/energy_per_atom", PG_H5_F64, &e),
                     PG_OK);
    assert_true(fabs(e - -2.71891942) < 5e-9); /* LABELER.md section 8 table */
    char **sym = NULL;
    assert_int_equal(pg_h5_read_strings(f, "/configs/Ag3SBr_2x2x2_displaced/symbols", &sym, &n),
                     PG_OK);
    assert_int_equal(n, 40);
    assert_string_equal(sym[0], "Ag");
    pg_h5_free_strings(sym, n);
    assert_int_equal(pg_h5_close(&f), PG_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_rows_serial),
        cmocka_unit_test(test_read_h5py_files),
        cmocka_unit_test(test_is_hdf5),
    };
    return cmocka_run_group_tests_name("h5", tests, NULL, NULL);
}
