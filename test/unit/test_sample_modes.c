/* test_sample_modes.c - the phonon sampler fed by the commensurate-q modes of pg_phonons.h
 * (phonopy's construction, ALGORITHMS.md section 6) equals the sampler fed by the supercell's
 * own diagonalisation: orthonormal real vectors, same spectrum, and both covariances equal
 * phonopy's uu_analytic (NaCl, 300 K, quantum and classical) to 1e-10 relative. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_phonons.h"
#include "phonograph/pg_sample.h"
#include "test_phonon_common.h"

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_commensurate_equals_supercell(void **state)
{
    (void)state;
    nacl_t s;
    nacl_load(&s, "force_constants.hdf5");
    int64_t S64[3][3];
    int S[3][3];
    pg_h5_t *h = NULL;
    assert_int_equal(pg_h5_open(nacl_file("reference.h5"), PG_H5_READ, MPI_COMM_NULL, &h), PG_OK);
    assert_int_equal(pg_h5_read(h, "/structure/supercell_matrix_wrt_primitive", PG_H5_I64, S64), PG_OK);
    pg_h5_close(&h);
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) S[a][b] = (int)S64[a][b];
    pg_phonon_modes_t pm;
    assert_int_equal(pg_phonon_commensurate_modes(s.dm, (const int(*)[3])S, &pm), PG_OK);
    pg_modes_t mq, mg;
    assert_int_equal(pg_modes_from_commensurate(&pm, &mq), PG_OK);
    assert_true(s.fc.n_row == 64);
    assert_int_equal(pg_modes_from_fc(64, (const double(*)[3][3])s.fc.phi, s.super.mass, &mg), PG_OK);
    /* orthonormal */
    double worst = 0;
    for (int a = 0; a < 192; a++)
        for (int b = a; b < 192; b++) {
            double d = 0;
            for (int i = 0; i < 192; i++) d += mq.vec[a * 192 + i] * mq.vec[b * 192 + i];
            worst = fmax(worst, fabs(d - (a == b)));
        }
    print_message("commensurate real modes: max |V V^T - I| = %.2e\n", worst);
    assert_true(worst < 1e-12);
    /* same spectrum */
    double fq[192], fg[192];
    memcpy(fq, mq.freq_thz, sizeof fq);
    memcpy(fg, mg.freq_thz, sizeof fg);
    qsort(fq, 192, sizeof(double), cmp_double);
    for (int i = 0; i < 3; i++) fq[i] = fg[i] = 0; /* acoustic noise */
    assert_close(fq, fg, 192, 0, 1e-6, "commensurate vs supercell spectrum (THz)");
    assert_true(mq.mass[0] == s.super.mass[0] && mq.mass[63] == s.super.mass[63]);
    /* covariances */
    const char *groups[2] = {"quantum", "classical"};
    double *uu = malloc(sizeof(double) * 192 * 192), *cq = malloc(sizeof(double) * 192 * 192),
           *cg = malloc(sizeof(double) * 192 * 192);
    for (int g = 0; g < 2; g++) {
        char path[64];
        snprintf(path, sizeof path, "/%s/uu_analytic", groups[g]);
        assert_int_equal(pg_h5_open(nacl_file("random_disp_300K.h5"), PG_H5_READ, MPI_COMM_NULL, &h), PG_OK);
        assert_int_equal(pg_h5_read(h, path, PG_H5_F64, uu), PG_OK);
        pg_h5_close(&h);
        const double temp = 300;
        pg_sample_opts_t o;
        pg_sample_opts_default(&o);
        o.stats = g == 0 ? PG_STATS_QUANTUM : PG_STATS_CLASSICAL;
        o.condition = &temp;
        o.n_condition = 1;
        pg_sampler_t *sq = NULL, *sg = NULL;
        assert_int_equal(pg_sampler_create(&s.super, &mq, &o, &sq), PG_OK);
        assert_int_equal(pg_sampler_create(&s.super, &mg, &o, &sg), PG_OK);
        assert_int_equal(pg_sampler_covariance(sq, 0, cq), PG_OK);
        assert_int_equal(pg_sampler_covariance(sg, 0, cg), PG_OK);
        double amax = 0;
        for (int i = 0; i < 192 * 192; i++) amax = fmax(amax, fabs(uu[i]));
        assert_close(cq, uu, 192 * 192, 0, 1e-10 * amax, "commensurate-mode covariance vs phonopy");
        assert_close(cg, uu, 192 * 192, 0, 1e-10 * amax, "supercell-mode covariance vs phonopy");
        pg_mode_stats_t ms;
        pg_sampler_mode_stats(sq, &ms);
        assert_true(ms.n_sampled == 189 && ms.n_excluded == 3);
        pg_sampler_destroy(&sq);
        pg_sampler_destroy(&sg);
    }
    free(uu);
    free(cq);
    free(cg);
    pg_modes_free(&mq);
    pg_modes_free(&mg);
    pg_phonon_modes_free(&pm);
    case_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commensurate_equals_supercell),
    };
    return cmocka_run_group_tests_name("sample_modes", tests, NULL, NULL);
}
