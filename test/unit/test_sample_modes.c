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

/* The q-space sampler (pg_sampler_create_qspace: small products per q + DFT over the cells,
 * here for NaCl's non-diagonal S = [[-2,2,2],[2,-2,2],[2,2,-2]], so the Smith relabelling is
 * exercised) against the supercell-Gamma sampler: the exact covariances agree to 1e-10 of the
 * largest element (an identity, quantum and classical, each imaginary-mode policy) and with
 * phonopy's uu_analytic; and configuration by configuration, the q-space draw equals the draw
 * of a Gamma sampler fed with pg_modes_from_commensurate's real modes (same flat mode order,
 * same normals) to 1e-12 Å, with strain and disorder on. */
static void test_qspace_equals_gamma(void **state)
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
    assert_true(pm.n_pair > 0 && pm.n_ii > 0);
    pg_modes_t mq, mg;
    assert_int_equal(pg_modes_from_commensurate(&pm, &mq), PG_OK);
    assert_int_equal(pg_modes_from_fc(64, (const double(*)[3][3])s.fc.phi, s.super.mass, &mg), PG_OK);
    const int n = 192;
    double *uu = malloc(sizeof(double) * n * n), *cq = malloc(sizeof(double) * n * n),
           *cg = malloc(sizeof(double) * n * n);
    const char *groups[2] = {"quantum", "classical"};
    for (int g = 0; g < 2; g++) {
        char path[64];
        snprintf(path, sizeof path, "/%s/uu_analytic", groups[g]);
        assert_int_equal(pg_h5_open(nacl_file("random_disp_300K.h5"), PG_H5_READ, MPI_COMM_NULL, &h), PG_OK);
        assert_int_equal(pg_h5_read(h, path, PG_H5_F64, uu), PG_OK);
        pg_h5_close(&h);
        for (int policy = 0; policy < 3; policy++) {
            const double temps[2] = {300, 600};
            pg_sample_opts_t o;
            pg_sample_opts_default(&o);
            o.stats = g == 0 ? PG_STATS_QUANTUM : PG_STATS_CLASSICAL;
            o.imag = (pg_imag_policy_t)policy;
            o.condition = temps;
            o.n_condition = 2;
            o.n_per_condition = 3;
            o.seed = 77;
            pg_sampler_t *sq = NULL, *sg = NULL;
            assert_int_equal(pg_sampler_create_qspace(&s.super, &pm, (const int(*)[3])S, &o, &sq), PG_OK);
            assert_true(pg_sampler_is_qspace(sq));
            assert_int_equal(pg_sampler_create(&s.super, &mg, &o, &sg), PG_OK);
            assert_false(pg_sampler_is_qspace(sg));
            assert_int_equal(pg_sampler_covariance(sq, 0, cq), PG_OK);
            assert_int_equal(pg_sampler_covariance(sg, 0, cg), PG_OK);
            double amax = 0;
            for (int i = 0; i < n * n; i++) amax = fmax(amax, fabs(cg[i]));
            assert_close(cq, cg, n * n, 0, 1e-10 * amax, "q-space vs supercell-Gamma covariance");
            if (policy == 0) assert_close(cq, uu, n * n, 0, 1e-10 * amax, "q-space covariance vs phonopy");
            pg_mode_stats_t a, b;
            pg_sampler_mode_stats(sq, &a);
            pg_sampler_mode_stats(sg, &b);
            assert_true(a.n_sampled == b.n_sampled && a.n_excluded == b.n_excluded &&
                        a.n_imaginary == b.n_imaginary && a.n_shifted == b.n_shifted);
            assert_true(fabs(a.min_used_thz - b.min_used_thz) < 1e-6);
            pg_sampler_destroy(&sq);
            pg_sampler_destroy(&sg);
        }
    }
    /* draws: q-space vs Gamma sampler on the commensurate real modes */
    const double temp = 450;
    pg_sample_opts_t o;
    pg_sample_opts_default(&o);
    o.condition = &temp;
    o.n_condition = 1;
    o.n_per_condition = 5;
    o.seed = 5;
    o.strain_max = 0.02;
    o.disorder_from_z = 17; /* Cl -> Br */
    o.disorder_to_z = 35;
    o.disorder_x = 0.25;
    for (int k = 0; k < 64; k++) s.super.z[k] = s.super.mass[k] < 30 ? 11 : 17; /* Na, Cl */
    pg_sampler_t *sq = NULL, *sg = NULL;
    assert_int_equal(pg_sampler_create_qspace(&s.super, &pm, (const int(*)[3])S, &o, &sq), PG_OK);
    assert_int_equal(pg_sampler_create(&s.super, &mq, &o, &sg), PG_OK);
    pg_sample_t xq, xg;
    assert_int_equal(pg_sample_init(&xq, sq), PG_OK);
    assert_int_equal(pg_sample_init(&xg, sg), PG_OK);
    for (int64_t c = 0; c < 5; c++) {
        assert_int_equal(pg_sampler_draw(sq, c, &xq), PG_OK);
        assert_int_equal(pg_sampler_draw(sg, c, &xg), PG_OK);
        assert_close(&xq.disp[0][0], &xg.disp[0][0], n, 0, 1e-12, "q-space vs Gamma draw (Å)");
        assert_close(&xq.cell.pos[0][0], &xg.cell.pos[0][0], n, 0, 1e-12, "positions (Å)");
        assert_memory_equal(xq.cell.z, xg.cell.z, sizeof(int) * 64);
        double rms = 0;
        for (int i = 0; i < n; i++) rms += (&xq.disp[0][0])[i] * (&xq.disp[0][0])[i];
        assert_true(rms > 0);
    }
    pg_sample_free(&xq);
    pg_sample_free(&xg);
    pg_sampler_destroy(&sq);
    pg_sampler_destroy(&sg);
    /* a supercell matrix that does not match the modes is refused */
    int bad[3][3] = {{2, 0, 0}, {0, 2, 0}, {0, 0, 2}};
    assert_int_equal(pg_sampler_create_qspace(&s.super, &pm, (const int(*)[3])bad, &o, &sq), PG_ERR_INPUT);
    assert_null(sq);
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
        cmocka_unit_test(test_qspace_equals_gamma),
    };
    return cmocka_run_group_tests_name("sample_modes", tests, NULL, NULL);
}
