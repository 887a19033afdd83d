/* test_forceconst.c - phonopy FORCE_CONSTANTS / force_constants.hdf5 readers and writers
 * against phonopy 2.17's NaCl files, layout conversions, symmetrisation, malformed input. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_forceconst.h"
#include "phonograph/pg_h5.h"

static const char *nacl(const char *f)
{
    return pg_test_path(pg_test_path(pg_test_shared_dir(), "reference/phonopy/NaCl"), f);
}

static double max_diff(const pg_fc_t *a, const pg_fc_t *b)
{
    double m = 0;
    for (int64_t t = 0; t < a->n_row * a->n_super; t++)
        for (int x = 0; x < 3; x++)
            for (int y = 0; y < 3; y++) m = fmax(m, fabs(a->phi[t][x][y] - b->phi[t][x][y]));
    return m;
}

static void test_read_formats(void **state)
{
    (void)state;
    pg_fc_t ft = {0}, fh = {0}, ct = {0}, ch = {0}, cf = {0};
    assert_int_equal(pg_fc_read(nacl("FORCE_CONSTANTS"), "text", 64, &ft), PG_OK);
    assert_int_equal(pg_fc_read(nacl("force_constants.hdf5"), "auto", 64, &fh), PG_OK);
    assert_int_equal(pg_fc_read(nacl("FORCE_CONSTANTS_compact"), "auto", 64, &ct), PG_OK);
    assert_int_equal(pg_fc_read(nacl("force_constants_compact.hdf5"), "hdf5", 64, &ch), PG_OK);
    assert_true(pg_fc_is_full(&ft) && pg_fc_is_full(&fh));
    assert_int_equal(ct.n_row, 2);
    assert_int_equal(ch.n_row, 2);
    assert_true(ct.p2s[0] == 0 && ct.p2s[1] == 32 && ch.p2s[0] == 0 && ch.p2s[1] == 32);
    /* text has 15 decimals */
    assert_true(max_diff(&ft, &fh) <= 6e-16);
    assert_true(max_diff(&ct, &ch) <= 6e-16);
    /* compact (phonopy CLI) vs full[p2s] (phonopy API): README says <= 1e-15 */
    int64_t p2s[2] = {0, 32};
    assert_int_equal(pg_fc_to_compact(&fh, 2, p2s, &cf), PG_OK);
    double d = max_diff(&cf, &ch);
    assert_true(d <= 1.5e-15);
    assert_true(d > 0); /* they really are different computations */
    /* value spot check: first element from the file header */
    assert_true(fabs(ft.phi[0][0][0] - 1.806821304687502) < 1e-15);
    pg_fc_free(&ft);
    pg_fc_free(&fh);
    pg_fc_free(&ct);
    pg_fc_free(&ch);
    pg_fc_free(&cf);
}

static void test_roundtrip_and_full(void **state)
{
    (void)state;
    pg_fc_t fh = {0}, ch = {0}, r = {0}, full = {0};
    assert_int_equal(pg_fc_read_hdf5(nacl("force_constants.hdf5"), 64, &fh), PG_OK);
    assert_int_equal(pg_fc_read_hdf5(nacl("force_constants_compact.hdf5"), 64, &ch), PG_OK);
    const char *p = pg_test_path(pg_test_tmpdir(), "fc_c.hdf5");
    assert_int_equal(pg_fc_write_hdf5(p, &ch), PG_OK);
    assert_int_equal(pg_fc_read_hdf5(p, 64, &r), PG_OK);
    assert_true(max_diff(&r, &ch) == 0 && r.p2s[1] == 32);
    pg_fc_free(&r);
    p = pg_test_path(pg_test_tmpdir(), "FORCE_CONSTANTS_c");
    assert_int_equal(pg_fc_write_text(p, &ch), PG_OK);
    assert_int_equal(pg_fc_read_text(p, 64, &r), PG_OK);
    assert_true(max_diff(&r, &ch) <= 6e-16 && r.n_row == 2 && r.p2s[1] == 32);
    pg_fc_free(&r);
    /* our text file is byte-identical to phonopy's for the same numbers */
    p = pg_test_path(pg_test_tmpdir(), "FORCE_CONSTANTS_full");
    pg_fc_t ft = {0};
    assert_int_equal(pg_fc_read_text(nacl("FORCE_CONSTANTS"), 64, &ft), PG_OK);
    assert_int_equal(pg_fc_write_text(p, &ft), PG_OK);
    FILE *a = fopen(p, "r"), *b = fopen(nacl("FORCE_CONSTANTS"), "r");
    assert_non_null(a);
    assert_non_null(b);
    int same = 1, ca, cb;
    long nbytes = 0;
    do {
        ca = fgetc(a);
        cb = fgetc(b);
        if (ca != cb) same = 0;
        nbytes++;
    } while (ca != EOF && cb != EOF && same);
    fclose(a);
    fclose(b);
    assert_true(same);
    assert_true(nbytes > 1000);
    pg_fc_free(&ft);

    /* compact -> full by lattice translations equals phonopy's full FC */
    pg_h5_t *h = NULL;
    double(*frac)[3] = malloc(sizeof(double[64][3]));
    int32_t s2p32[64];
    int64_t s2p[64];
    assert_int_equal(pg_h5_open(nacl("reference.h5"), PG_H5_READ, MPI_COMM_NULL, &h), PG_OK);
    assert_int_equal(pg_h5_read(h, "/structure/supercell_scaled_positions", PG_H5_F64, frac),
                     PG_OK);
    assert_int_equal(pg_h5_read(h, "/structure/s2p_map", PG_H5_I32, s2p32), PG_OK);
    pg_h5_close(&h);
    for (int k = 0; k < 64; k++) s2p[k] = s2p32[k];
    assert_int_equal(pg_fc_to_full(&fh, frac, s2p, 1e-5, &full), PG_OK); /* full -> full */
    assert_true(max_diff(&full, &fh) <= 1e-14);
    pg_fc_free(&full);
    assert_int_equal(pg_fc_to_full(&ch, frac, s2p, 1e-5, &full), PG_OK);
    assert_true(max_diff(&full, &fh) <= 5e-15); /* fh itself is translation-invariant to ~1e-15 */
    free(frac);
    pg_fc_free(&full);
    pg_fc_free(&fh);
    pg_fc_free(&ch);
}

static void test_symmetrize(void **state)
{
    (void)state;
    pg_fc_t f = {0}, g = {0};
    assert_int_equal(pg_fc_read_hdf5(nacl("force_constants.hdf5"), 64, &f), PG_OK);
    assert_int_equal(pg_fc_copy(&g, &f), PG_OK);
    double mc = 1;
    /* phonopy's FCs are already symmetrised: the correction is at rounding level */
    assert_int_equal(pg_fc_symmetrize(&g, 1, &mc), PG_OK);
    assert_true(mc < 1e-14);
    /* break ASR and permutation: the correction reports the size and restores both */
    srand(7);
    for (int64_t t = 0; t < 64 * 64; t++)
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) g.phi[t][a][b] += 1e-3 * ((double)rand() / RAND_MAX - 0.5);
    assert_int_equal(pg_fc_symmetrize(&g, 3, &mc), PG_OK);
    assert_true(mc > 1e-5 && mc < 1e-3);
    double asr = 0, perm = 0;
    for (int64_t i = 0; i < 64; i++) {
        double s[3][3] = {{0}};
        for (int64_t k = 0; k < 64; k++)
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++) {
                    s[a][b] += g.phi[i * 64 + k][a][b];
                    perm = fmax(perm, fabs(g.phi[i * 64 + k][a][b] - g.phi[k * 64 + i][b][a]));
                }
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) asr = fmax(asr, fabs(s[a][b]));
    }
    assert_true(perm == 0);  /* permutation applied last: exact */
    assert_true(asr < 1e-6); /* ASR after 3 alternating passes: converging */
    /* compact FCs cannot be permutation-symmetrised */
    pg_fc_t c = {0};
    int64_t p2s[2] = {0, 32};
    assert_int_equal(pg_fc_to_compact(&f, 2, p2s, &c), PG_OK);
    assert_int_equal(pg_fc_symmetrize_permutation(&c, &mc), PG_ERR_INPUT);
    /* space-group average with the identity op is a no-op */
    double I[1][3][3] = {{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}};
    int64_t idp[64];
    for (int k = 0; k < 64; k++) idp[k] = k;
    assert_int_equal(pg_fc_symmetrize_spacegroup(&f, 1, I, idp, &mc), PG_OK);
    assert_true(mc == 0);
    pg_fc_free(&c);
    pg_fc_free(&f);
    pg_fc_free(&g);
}

static pg_status_t parse(const char *text, int64_t n)
{
    pg_fc_t f = {0};
    pg_status_t st = pg_fc_parse_text("bad/FORCE_CONSTANTS", text, n, &f);
    pg_fc_free(&f);
    return st;
}

static void expect_msg(const char *needle)
{
    const char *m = pg_err_message();
    if (!strstr(m, needle)) fprintf(stderr, "message '%s' lacks '%s'\n", m, needle);
    assert_non_null(strstr(m, needle));
    assert_non_null(strstr(m, "bad/FORCE_CONSTANTS"));
}

static void test_malformed(void **state)
{
    (void)state;
    const char *blk = "1 1\n1 0 0\n0 1 0\n0 0 1\n";
    char ok[256];
    snprintf(ok, sizeof ok, "1 1\n%s", blk);
    assert_int_equal(parse(ok, 1), PG_OK);
    assert_int_equal(parse(ok, 2), PG_ERR_INPUT); /* supercell has 2 atoms */
    expect_msg("supercell has 2");
    assert_int_equal(parse("", 0), PG_ERR_INPUT);
    expect_msg("empty");
    assert_int_equal(parse("2 1\n", 0), PG_ERR_INPUT); /* rows > atoms */
    expect_msg(":1:");
    assert_int_equal(parse("1 1\n1 1\n1 0 0\n0 1\n0 0 1\n", 0), PG_ERR_INPUT);
    expect_msg(":4: expected 3 numbers");
    assert_int_equal(parse("1 1\n1 1\n1 0 0\n0 nan 0\n0 0 1\n", 0), PG_ERR_INPUT);
    expect_msg("not finite");
    assert_int_equal(parse("1 1\n1 1\n1 0 0\n0 1 0\n", 0), PG_ERR_INPUT);
    expect_msg("ends inside");
    assert_int_equal(parse("1 2\n1 1\n1 0 0\n0 1 0\n0 0 1\n", 0), PG_ERR_INPUT);
    expect_msg("ends early");
    assert_int_equal(parse("1 2\n1 1\n1 0 0\n0 1 0\n0 0 1\n1 3\n1 0 0\n0 1 0\n0 0 1\n", 0),
                     PG_ERR_INPUT);
    expect_msg(":6: expected block indices");
    snprintf(ok, sizeof ok, "1 1\n%s1 1\n", blk);
    assert_int_equal(parse(ok, 0), PG_ERR_INPUT);
    expect_msg("unexpected content");
    /* missing file names the path */
    pg_fc_t f = {0};
    assert_int_equal(pg_fc_read_text("/nonexistent/FC", 0, &f), PG_ERR_IO);
    assert_non_null(strstr(pg_err_message(), "/nonexistent/FC"));
    /* HDF5: wrong atom count, compact without p2s_map, NaN */
    assert_int_equal(pg_fc_read_hdf5(nacl("force_constants.hdf5"), 40, &f), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "force_constants.hdf5"));
    assert_non_null(strstr(pg_err_message(), "supercell has 40"));
    const char *p = pg_test_path(pg_test_tmpdir(), "bad.hdf5");
    pg_h5_t *h = NULL;
    double v[2][4][3][3];
    memset(v, 0, sizeof v);
    int64_t dims[4] = {2, 4, 3, 3};
    assert_int_equal(pg_h5_open(p, PG_H5_TRUNCATE, MPI_COMM_NULL, &h), PG_OK);
    assert_int_equal(pg_h5_write(h, "/force_constants", PG_H5_F64, 4, dims, v), PG_OK);
    pg_h5_close(&h);
    assert_int_equal(pg_fc_read_hdf5(p, 4, &f), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "p2s_map"));
    v[1][2][0][1] = NAN;
    int32_t p2s[2] = {0, 2};
    assert_int_equal(pg_h5_open(p, PG_H5_TRUNCATE, MPI_COMM_NULL, &h), PG_OK);
    assert_int_equal(pg_h5_write(h, "/force_constants", PG_H5_F64, 4, dims, v), PG_OK);
    assert_int_equal(pg_h5_write(h, "/p2s_map", PG_H5_I32, 1, dims, p2s), PG_OK);
    pg_h5_close(&h);
    assert_int_equal(pg_fc_read_hdf5(p, 4, &f), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "not finite"));
    assert_non_null(strstr(pg_err_message(), "bad.hdf5"));
    int64_t d3[3] = {2, 4, 9};
    assert_int_equal(pg_h5_open(p, PG_H5_TRUNCATE, MPI_COMM_NULL, &h), PG_OK);
    assert_int_equal(pg_h5_write(h, "/force_constants", PG_H5_F64, 3, d3, v), PG_OK);
    pg_h5_close(&h);
    assert_int_equal(pg_fc_read_hdf5(p, 4, &f), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "shape"));
    pg_err_clear();
}

int main(void)
{

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_formats),
        cmocka_unit_test(test_roundtrip_and_full),
        cmocka_unit_test(test_symmetrize),
        cmocka_unit_test(test_malformed),
    };
    int rc = cmocka_run_group_tests_name("forceconst", tests, NULL, NULL);

    return rc;
}
