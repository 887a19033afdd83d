/* test_dynmat.c - dynamical matrices, frequencies and eigenvectors against phonopy 2.17
 * (NaCl, ../shared/reference/phonopy/NaCl/reference.h5) and against the PRV-CAP-1
 * phonopy force constants (../shared/physics: Γ, X, M, R frequencies of reference.json). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_dynmat.h"
#include "phonograph/pg_h5.h"
#include "phonograph/pg_units.h"
#include "test_phonon_common.h"

static void check_nacl_qpoints_with(const char *fcfile, pg_dynmat_eig_t solver)
{
    nacl_t s;
    nacl_load(&s, fcfile);
    pg_h5_t *h = NULL;
    double qs[11][3], fref[11][6];
    double complex dref[11][36], eref[11][36];
    assert_int_equal(pg_h5_open(nacl_file("reference.h5"), PG_H5_READ, MPI_COMM_NULL, &h), PG_OK);
    assert_int_equal(pg_h5_read(h, "/qpoints/qpoints", PG_H5_F64, qs), PG_OK);
    assert_int_equal(pg_h5_read(h, "/qpoints/frequencies", PG_H5_F64, fref), PG_OK);
    read_complex(h, "/qpoints/dynamical_matrices", &dref[0][0], 11 * 36);
    read_complex(h, "/qpoints/eigenvectors", &eref[0][0], 11 * 36);
    pg_h5_close(&h);
    pg_dynmat_ws_t ws;
    assert_int_equal(pg_dynmat_ws_init_solver(&ws, s.dm, solver), PG_OK);
    double dmax = 0, fmax_ = 0, pmax = 0;
    for (int iq = 0; iq < 11; iq++) {
        double f[6];
        double complex e[36], d[36];
        assert_int_equal(pg_dynmat_solve(s.dm, &ws, qs[iq], f, e, d), PG_OK);
        for (int t = 0; t < 36; t++) dmax = fmax(dmax, cabs(d[t] - dref[iq][t]));
        for (int b = 0; b < 6; b++) fmax_ = fmax(fmax_, fabs(f[b] - fref[iq][b]));
        pmax = fmax(pmax, projector_diff(6, f, e, eref[iq]));
    }
    printf("%s (%s): max |ΔD| %.2e, max |Δν| %.2e THz, max |ΔP| %.2e\n", fcfile,
           solver == PG_DYNMAT_EIG_LAPACK ? "zheevd"
           : ws.real                      ? "small solver, real gauge"
                                          : "small solver, Hermitian",
           dmax, fmax_, pmax);
    assert_true(dmax < 1e-12);
    assert_true(fmax_ < 1e-6);
    assert_true(pmax < 1e-8);
    pg_dynmat_ws_free(&ws);
    nacl_free(&s);
}

/* the eigensolvers against phonopy (SMALL: the real gauge, NaCl qualifies) */
static void check_nacl_qpoints(const char *fcfile)
{
    check_nacl_qpoints_with(fcfile, PG_DYNMAT_EIG_SMALL);
    check_nacl_qpoints_with(fcfile, PG_DYNMAT_EIG_SMALL_HERMITIAN);
    check_nacl_qpoints_with(fcfile, PG_DYNMAT_EIG_LAPACK);
}

static void test_nacl_full(void **state)
{
    (void)state;
    check_nacl_qpoints("force_constants.hdf5");
}

static void test_nacl_compact(void **state)
{
    (void)state;
    check_nacl_qpoints("force_constants_compact.hdf5");
    check_nacl_qpoints("FORCE_CONSTANTS_compact");
}

static void test_nacl_images(void **state)
{
    (void)state;
    nacl_t s;
    nacl_load(&s, "force_constants.hdf5");
    int mm = 0;
    int64_t nv = 0;
    pg_dynmat_image_stats(s.dm, &mm, &nv);
    assert_int_equal(mm, 8);   /* ALGORITHMS.md §2 */
    assert_int_equal(nv, 250); /* phonopy's shortest_vectors has 250 rows */
    nacl_free(&s);
}

/* LAPACK reads a row-major Hermitian matrix as its conjugate: the solver must return vectors
 * of D itself. Residual test on a random complex Hermitian matrix. */
static void test_conjugation(void **state)
{
    (void)state;
    nacl_t s;
    nacl_load(&s, "force_constants.hdf5");
    pg_dynmat_ws_t ws;
    assert_int_equal(pg_dynmat_ws_init(&ws, s.dm), PG_OK);
    double complex d[36], e[36];
    srand(3);
    for (int r = 0; r < 6; r++)
        for (int c = r; c < 6; c++) {
            double x = (double)rand() / RAND_MAX - 0.5, y = (double)rand() / RAND_MAX - 0.5;
            d[r * 6 + c] = x + I * (r == c ? 0 : y);
            d[c * 6 + r] = conj(d[r * 6 + c]);
        }
    double f[6];
    assert_int_equal(pg_dynmat_solve_matrix(&ws, d, f, e), PG_OK);
    double res = 0, res_conj = 0;
    for (int sb = 0; sb < 6; sb++) {
        double lam = (f[sb] < 0 ? -1 : 1) * pow(f[sb] / PG_VASP_TO_THZ, 2);
        for (int r = 0; r < 6; r++) {
            double complex de = 0, dce = 0;
            for (int c = 0; c < 6; c++) {
                de += d[r * 6 + c] * e[c * 6 + sb];
                dce += d[r * 6 + c] * conj(e[c * 6 + sb]);
            }
            res = fmax(res, cabs(de - lam * e[r * 6 + sb]));
            res_conj = fmax(res_conj, cabs(dce - lam * conj(e[r * 6 + sb])));
        }
    }
    assert_true(res < 1e-13);
    assert_true(res_conj > 1e-3); /* the un-conjugated vectors would be wrong */
    pg_dynmat_ws_free(&ws);
    nacl_free(&s);
}

/* C-type phase: D(q+G)_ij = D(q)_ij exp(2πi G·(x_j - x_i)); real gauge at q ≡ -q is real
 * and has the same eigenvalues. */
static void test_phase_and_gauge(void **state)
{
    (void)state;
    nacl_t s;
    nacl_load(&s, "force_constants.hdf5");
    double q[3] = {0.1, 0.2, 0.3}, qg[3] = {1.1, 0.2, 0.3};
    double complex d1[36], d2[36];
    pg_dynmat_build(s.dm, q, d1);
    pg_dynmat_build(s.dm, qg, d2);
    double xi[3], xj[3], m = 0;
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            pg_dynmat_prim_frac(s.dm, i, xi);
            pg_dynmat_prim_frac(s.dm, j, xj);
            double complex c = cexp(2 * PG_PI * I * (xj[0] - xi[0]));
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++) {
                    int t = (3 * i + a) * 6 + 3 * j + b;
                    m = fmax(m, cabs(d2[t] - d1[t] * c));
                }
        }
    assert_true(m < 1e-12);
    double qx[3] = {0.5, 0.0, 0.5}, dr[36], w[6], f[6];
    assert_int_equal(pg_dynmat_build_real_gauge(s.dm, qx, dr), PG_OK);
    assert_int_equal(pg_linalg_dsyevd(6, dr, 6, 1, w), PG_OK);
    pg_dynmat_ws_t ws;
    assert_int_equal(pg_dynmat_ws_init(&ws, s.dm), PG_OK);
    assert_int_equal(pg_dynmat_solve(s.dm, &ws, qx, f, NULL, NULL), PG_OK);
    for (int b = 0; b < 6; b++) assert_true(fabs(pg_dynmat_eig_to_thz(w[b]) - f[b]) < 1e-10);
    pg_dynmat_ws_free(&ws);
    nacl_free(&s);
}

/* PRV-CAP-1 force constants (phonopy, compact with p2s_map) reproduce reference.json's
 * Γ, X, M, R frequencies (4 decimals) within 0.005 THz, imaginary modes included. */
static void test_prv_cap(void **state)
{
    (void)state;
    const char *names[4] = {"Ag3SBr", "Ag3SI", "Ag3SeBr", "Ag3SeI"};
    const char *sizes[2] = {"2x2x2", "3x3x3"};
    double worst = 0;
    int n_checked = 0, n_imag = 0;
    for (int c = 0; c < 4; c++)
        for (int z = 0; z < 2; z++) {
            double ref[4][15];
            if (!load_reference_json(names[c], sizes[z], ref)) fail_msg("reference.json parse");
            perov_t p;
            perov_load(&p, names[c], z == 0 ? 2 : 3);
            pg_dynmat_ws_t ws;
            assert_int_equal(pg_dynmat_ws_init(&ws, p.dm), PG_OK);
            const double qq[4][3] = {{0, 0, 0}, {0, 0.5, 0}, {0.5, 0.5, 0}, {0.5, 0.5, 0.5}};
            for (int iq = 0; iq < 4; iq++) {
                double f[15];
                assert_int_equal(pg_dynmat_solve(p.dm, &ws, qq[iq], f, NULL, NULL), PG_OK);
                for (int b = 0; b < 15; b++) {
                    worst = fmax(worst, fabs(f[b] - ref[iq][b]));
                    if (ref[iq][b] < -0.01) n_imag += f[b] < 0;
                    n_checked++;
                }
            }
            pg_dynmat_ws_free(&ws);
            perov_free(&p);
        }
    printf("PRV-CAP-1: %d frequencies, worst |Δν| %.2e THz, %d imaginary reproduced\n",
           n_checked, worst, n_imag);
    assert_true(worst < 0.005);
    assert_true(n_imag > 20);
}

static double thz_to_eig(double f)
{
    const double x = f / PG_VASP_TO_THZ;
    return f < 0 ? -x * x : x * x;
}

/* Real gauge vs the Hermitian small solver and zheevd at 300 q-points (frequencies, projectors,
 * D itself), on dm; expect_real: whether pg_dynmat_create should have detected it. */
static void compare_gauges(pg_dynmat_t *dm, int expect_real, const char *what)
{
    const int n = pg_dynmat_n_band(dm);
    assert_int_equal(pg_dynmat_is_real(dm), expect_real);
    pg_dynmat_ws_t wa, wh, wl;
    assert_int_equal(pg_dynmat_ws_init(&wa, dm), PG_OK);
    assert_int_equal(wa.real, expect_real);
    assert_int_equal(pg_dynmat_ws_init_solver(&wh, dm, PG_DYNMAT_EIG_SMALL_HERMITIAN), PG_OK);
    assert_int_equal(pg_dynmat_ws_init_solver(&wl, dm, PG_DYNMAT_EIG_LAPACK), PG_OK);
    assert_false(wh.real);
    double df = 0, dfl = 0, dp = 0, dd = 0, im = 0, dmax = 0;
    unsigned seed = 17;
    for (int iq = 0; iq < 300; iq++) {
        double q[3], fa[15], fh[15], fl[15];
        double complex ea[225], eh[225], el[225], da[225], dh[225];
        for (int c = 0; c < 3; c++) {
            seed = seed * 1103515245u + 12345u;
            q[c] = iq < 20 ? 0.125 * (iq % 5) * (c == 0 || iq % 2) /* Γ, lines, faces */
                           : ((seed >> 8) & 0xffffff) / (double)0x1000000 - 0.5;
        }
        assert_int_equal(pg_dynmat_solve(dm, &wa, q, fa, ea, da), PG_OK);
        assert_int_equal(pg_dynmat_solve(dm, &wh, q, fh, eh, dh), PG_OK);
        assert_int_equal(pg_dynmat_solve(dm, &wl, q, fl, el, NULL), PG_OK);
        for (int t = 0; t < n * n; t++) {
            dd = fmax(dd, cabs(da[t] - dh[t]));
            dmax = fmax(dmax, cabs(dh[t]));
            if (expect_real) im = fmax(im, fabs(cimag(ea[t])) + fabs(cimag(da[t])));
        }
        for (int b = 0; b < n; b++) { /* in eigenvalues: ν = √λ magnifies rounding near 0 */
            df = fmax(df, fabs(thz_to_eig(fa[b]) - thz_to_eig(fh[b])));
            dfl = fmax(dfl, fabs(thz_to_eig(fa[b]) - thz_to_eig(fl[b])));
        }
        dp = fmax(dp, projector_diff(n, fh, ea, eh));
        dp = fmax(dp, projector_diff(n, fh, ea, el));
    }
    printf("%s: real gauge %s (odd part %.1e): max |ΔD| %.1e of %.1e, |Δλ| %.1e (zheevd "
           "%.1e), |ΔP| %.1e\n",
           what, expect_real ? "on" : "off", pg_dynmat_real_odd(dm), dd, dmax, df, dfl, dp);
    assert_true(dd <= 1e-14 * dmax);
    assert_true(df <= 1e-13 * dmax && dfl <= 1e-13 * dmax);
    assert_true(dp <= 1e-9);
    assert_true(im == 0); /* real eigenvectors and D in the real gauge */
    pg_dynmat_ws_free(&wa);
    pg_dynmat_ws_free(&wh);
    pg_dynmat_ws_free(&wl);
}

/* pg_dynmat_solve_many (batched solver) = pg_dynmat_solve bit for bit, in any grouping */
static void check_many(pg_dynmat_t *dm, pg_dynmat_eig_t solver)
{
    pg_dynmat_ws_t ws;
    assert_int_equal(pg_dynmat_ws_init_solver(&ws, dm, solver), PG_OK);
    enum { NQ = 37 };
    static double qv[NQ][3], f1[NQ][15], fm[NQ][15];
    static double complex e1[NQ][225], em[NQ][225];
    unsigned seed = 5;
    for (int t = 0; t < NQ; t++)
        for (int c = 0; c < 3; c++) {
            seed = seed * 1103515245u + 12345u;
            qv[t][c] = t < 4 ? 0.5 * (t >> c & 1) : ((seed >> 8) & 0xffffff) / (double)0x1000000 - 0.5;
        }
    for (int t = 0; t < NQ; t++)
        assert_int_equal(pg_dynmat_solve(dm, &ws, qv[t], f1[t], e1[t], NULL), PG_OK);
    const int groups[3] = {1, 5, NQ};
    for (int g = 0; g < 3; g++) {
        memset(fm, 0, sizeof fm);
        memset(em, 0, sizeof em);
        for (int t0 = 0; t0 < NQ; t0 += groups[g]) {
            const double *qp[NQ];
            double *fp[NQ];
            double complex *ep[NQ];
            const int k = NQ - t0 < groups[g] ? NQ - t0 : groups[g];
            for (int j = 0; j < k; j++) {
                qp[j] = qv[t0 + j];
                fp[j] = fm[t0 + j];
                ep[j] = em[t0 + j];
            }
            assert_int_equal(pg_dynmat_solve_many(dm, &ws, k, qp, fp, ep), PG_OK);
        }
        assert_memory_equal(fm, f1, sizeof f1);
        assert_memory_equal(em, e1, sizeof e1);
    }
    pg_dynmat_ws_free(&ws);
}

/* The real gauge: detected for NaCl and the anti-perovskites (every atom on an inversion
 * centre), agrees with the Hermitian path; NOT used when the force constants break inversion
 * (one FC block perturbed by 1e-6 eV/Å²) or when the atoms are not on common inversion
 * centres (Cl moved off them), where the Hermitian path still gives the same answers as zheevd. */
static void test_real_gauge(void **state)
{
    (void)state;
    nacl_t s;
    nacl_load(&s, "force_constants.hdf5");
    compare_gauges(s.dm, 1, "NaCl");
    assert_true(pg_dynmat_real_odd(s.dm) < 1e-12);
    /* inversion-odd perturbation of one block of the first primitive row: the strongest
     * off-site block (a nearest neighbour, one image, so its inversion partner is another atom) */
    const int64_t row = pg_fc_row_of_atom(&s.fc, s.p2s[0]);
    int64_t kmax = -1;
    for (int64_t k = 0; k < s.fc.n_super; k++)
        if (k != s.p2s[0] &&
            (kmax < 0 || fabs(s.fc.phi[row * s.fc.n_super + k][0][0]) >
                             fabs(s.fc.phi[row * s.fc.n_super + kmax][0][0])))
            kmax = k;
    s.fc.phi[row * s.fc.n_super + kmax][0][1] += 1e-6;
    pg_dynmat_destroy(&s.dm);
    assert_int_equal(pg_dynmat_create(&s.prim, &s.super, s.p2s, s.s2pp, &s.fc, 1e-5, &s.dm), PG_OK);
    assert_true(pg_dynmat_real_odd(s.dm) > 1e-10);
    compare_gauges(s.dm, 0, "NaCl, FC with an odd part");
    check_many(s.dm, PG_DYNMAT_EIG_AUTO); /* the Hermitian batch */
    nacl_free(&s);
    /* Cl atoms shifted by 0.1 a1 (same FCs): 2(x_Cl - x_Na) is no lattice vector */
    nacl_load(&s, "force_constants.hdf5");
    for (int64_t k = 0; k < s.super.n_atom; k++)
        if (s.s2pp[k] == 1)
            for (int c = 0; c < 3; c++) s.super.pos[k][c] += 0.1 * s.prim.lattice[0][c];
    pg_dynmat_destroy(&s.dm);
    assert_int_equal(pg_dynmat_create(&s.prim, &s.super, s.p2s, s.s2pp, &s.fc, 1e-5, &s.dm), PG_OK);
    compare_gauges(s.dm, 0, "NaCl, Cl off the inversion centres");
    nacl_free(&s);
    perov_t p;
    perov_load(&p, "Ag3SBr", 3);
    compare_gauges(p.dm, 1, "Ag3SBr 3x3x3");
    check_many(p.dm, PG_DYNMAT_EIG_AUTO);
    check_many(p.dm, PG_DYNMAT_EIG_SMALL_HERMITIAN);
    perov_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nacl_full),     cmocka_unit_test(test_nacl_compact),
        cmocka_unit_test(test_nacl_images),   cmocka_unit_test(test_conjugation),
        cmocka_unit_test(test_phase_and_gauge), cmocka_unit_test(test_prv_cap),
        cmocka_unit_test(test_real_gauge),
    };
    return cmocka_run_group_tests_name("dynmat", tests, NULL, NULL);
}
