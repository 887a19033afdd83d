/* test_phonons_mpi.c - distributed phonon solves: results bitwise identical to the serial
 * computation at any rank count (frequencies, eigenvectors, thermal displacements), the
 * thermal displacements still match phonopy (NaCl, 1e-10), and ScaLAPACK pzheevd agrees with
 * LAPACK zheevd to 1e-10 relative (NaCl D(q) and a 192x192 Hermitian matrix). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_par.h"
#include "phonograph/pg_phonons.h"
#include "test_phonon_common.h"

int main(int argc, char **argv)
{
    MPI_Comm comm;
    if (pg_par_init(&argc, &argv, &comm) != PG_OK) return 1;
    pg_mpitest_t t;
    pg_mpitest_begin(&t, comm);
    int rank = pg_par_rank(comm);
    nacl_t s;
    nacl_load(&s, "force_constants.hdf5");

    /* 1. MP 20x20x20 mesh, eigenvectors and msd at 4 temperatures */
    int mesh[3] = {20, 20, 20}, shift[3] = {1, 1, 1};
    double T[4] = {0, 100, 300, 600};
    pg_phonon_solve_opts_t o = {.want_evec = 1, .n_t = 4, .temp_k = T, .msd_fmin_thz = 0.01};
    double *f = NULL, msd[4 * 2 * 9];
    double complex *e = NULL;
    int used = -1;
    pg_status_t st = PG_OK;
    /* pass 0: zheevd, pass 1: small solver, each with every q solved directly (bitwise equal
     * to a serial recomputation); pass 2: small solver with ±q pairs (the default): every point
     * of this MP mesh has its partner (G = (1,1,1)), so half are derived */
    for (int pass = 0; pass < 3; pass++) {
        pg_qset_t qs = {0};
        if (rank == 0) pg_phonon_mesh(mesh, shift, &qs);
        o.solver = pass ? PG_EIGEN_SMALL : PG_EIGEN_LAPACK;
        o.no_q_pairs = pass < 2;
        o.n_t = pass < 2 ? 4 : 0; /* pairs are used only without thermal displacements */
        st = pg_phonon_solve_distributed(comm, s.dm, &qs, &o, &f, &e, msd, &used);
        pg_mpitest_check(&t, st == PG_OK && used == 0, "distributed solve", "pass %d st=%d %s",
                         pass, (int)st, pg_err_message());
        pg_mpitest_check(&t, qs.n_q == 8000, "q list broadcast", "n_q=%lld", (long long)qs.n_q);
        if (rank == 0 && st == PG_OK) {
            /* serial recomputation with the same block order */
            pg_dynmat_ws_t ws;
            pg_dynmat_ws_init_solver(&ws, s.dm, pass ? PG_DYNMAT_EIG_SMALL : PG_DYNMAT_EIG_LAPACK);
            double f1[6], acc[72], blk[72], df = 0, dp = 0;
            double complex e1[36];
            int same_f = 1, same_e = 1, n_derived = 0, derived_ok = 1, same_prim = 1;
            memset(acc, 0, sizeof acc);
            for (int64_t b = 0; b < 8000 / PG_PHONON_BLOCK + (8000 % PG_PHONON_BLOCK != 0); b++) {
                memset(blk, 0, sizeof blk);
                for (int64_t iq = b * PG_PHONON_BLOCK; iq < 8000 && iq < (b + 1) * PG_PHONON_BLOCK;
                     iq++) {
                    pg_dynmat_solve(s.dm, &ws, qs.q[iq], f1, e1, NULL);
                    same_f &= memcmp(f1, f + iq * 6, sizeof f1) == 0;
                    same_e &= memcmp(e1, e + iq * 36, sizeof e1) == 0;
                    if (7999 - iq >= iq) /* a primary (solved, not derived) */
                        same_prim &= memcmp(f1, f + iq * 6, sizeof f1) == 0 &&
                                     memcmp(e1, e + iq * 36, sizeof e1) == 0;
                    for (int k = 0; k < 6; k++) df = fmax(df, fabs(f1[k] - f[iq * 6 + k]));
                    dp = fmax(dp, projector_diff(6, f1, e + iq * 36, e1));
                    /* the partner of (n+1/2)/20 is (19-n+1/2)/20 = index 7999 - iq */
                    const int64_t jq = 7999 - iq;
                    if (pass == 2 && jq < iq) {
                        int same = memcmp(f + jq * 6, f + iq * 6, sizeof f1) == 0;
                        for (int a = 0; a < 2; a++) {
                            double x[3];
                            pg_dynmat_prim_frac(s.dm, a, x);
                            double complex w = cexp(-2.0 * I * M_PI * (x[0] + x[1] + x[2]));
                            for (int r = 3 * a; r < 3 * a + 3; r++)
                                for (int k = 0; k < 6; k++)
                                    same &= cabs(e[iq * 36 + r * 6 + k] -
                                                 w * conj(e[jq * 36 + r * 6 + k])) < 1e-15;
                        }
                        derived_ok &= same;
                        n_derived++;
                    }
                    pg_phonon_msd_accumulate(2, pg_dynmat_masses(s.dm), f1, e1, 1.0, 0.01, 0, 4, T,
                                             blk);
                }
                for (int k = 0; k < 72; k++) acc[k] += blk[k];
            }
            for (int k = 0; k < 72; k++) acc[k] /= 8000;
            if (pass < 2) {
                pg_mpitest_check(&t, same_f, "frequencies bitwise equal to serial", NULL);
                pg_mpitest_check(&t, same_e, "eigenvectors bitwise equal to serial", NULL);
                pg_mpitest_check(&t, memcmp(acc, msd, sizeof acc) == 0,
                                 "msd bitwise equal to serial", NULL);
            } else {
                pg_mpitest_check(&t, df < 1e-11 && dp < 1e-10,
                                 "±q pairs: frequencies and eigenvector projectors vs direct",
                                 "|Δν| %.1e THz, |ΔP| %.1e", df, dp);
                pg_mpitest_check(&t, n_derived == 4000 && derived_ok,
                                 "±q pairs: half the mesh derived as exp(-2πiG·x) conj(e)",
                                 "%d derived, formula %s", n_derived, derived_ok ? "ok" : "wrong");
                pg_mpitest_check(&t, same_prim,
                                 "±q pairs: solved points bitwise equal to serial, in q order",
                                 NULL);
            }
            if (pass < 2) {
                double mref[72];
                pg_h5_t *h = NULL;
                pg_h5_open(nacl_file("reference.h5"), PG_H5_READ, MPI_COMM_NULL, &h);
                pg_h5_read(h, "/thermal_displacements/msd_matrices", PG_H5_F64, mref);
                pg_h5_close(&h);
                pg_mpitest_check(&t, pg_test_close(msd, mref, 72, 1e-10, 1e-10 * mref[54], "msd"),
                                 "msd vs phonopy 1e-10", NULL);
            }
            pg_dynmat_ws_free(&ws);
        } else {
            for (int k = 0; k < (pass < 2 ? 4 : 3); k++)
                pg_mpitest_check(&t, 1, "rank-0 checks", NULL);
        }
        free(f);
        free(e);
        f = NULL;
        e = NULL;
        pg_qset_free(&qs);
    }
    o.no_q_pairs = 0;
    o.n_t = 4;

    /* 2. ScaLAPACK path on a few q (nb = 2 spreads the 6x6 matrix over the grid) */
    pg_qset_t q2 = {0};
    if (rank == 0) {
        pg_phonon_mesh((int[3]){2, 2, 3}, (int[3]){0, 1, 0}, &q2);
    }
    o.solver = PG_EIGEN_SCALAPACK;
    o.scalapack_nb = 2;
    st = pg_phonon_solve_distributed(comm, s.dm, &q2, &o, &f, &e, msd, &used);
    pg_mpitest_check(&t, st == PG_OK && used == 1, "distributed solve (ScaLAPACK)", "st=%d %s",
                     (int)st, pg_err_message());
    if (rank == 0 && st == PG_OK) {
        pg_dynmat_ws_t ws;
        pg_dynmat_ws_init(&ws, s.dm);
        double worst = 0, pw = 0;
        for (int64_t iq = 0; iq < q2.n_q; iq++) {
            double f1[6];
            double complex e1[36];
            pg_dynmat_solve(s.dm, &ws, q2.q[iq], f1, e1, NULL);
            for (int b = 0; b < 6; b++) worst = fmax(worst, fabs(f1[b] - f[iq * 6 + b]) / 6.0);
            pw = fmax(pw, projector_diff(6, f1, e + iq * 36, e1));
        }
        pg_mpitest_check(&t, worst < 1e-10, "ScaLAPACK vs LAPACK frequencies 1e-10 rel",
                         "%.2e", worst);
        pg_mpitest_check(&t, pw < 1e-10, "ScaLAPACK vs LAPACK eigenvector projectors", "%.2e", pw);
        pg_dynmat_ws_free(&ws);
    } else {
        for (int k = 0; k < 2; k++) pg_mpitest_check(&t, 1, "rank-0 checks", NULL);
    }
    free(f);
    free(e);

    /* 3. pzheevd vs zheevd on a 192x192 complex Hermitian matrix (every rank builds it) */
    const int n = 192;
    double complex *a = malloc(sizeof(double complex) * n * n);
    double complex *z = malloc(sizeof(double complex) * n * n);
    double complex *a2 = malloc(sizeof(double complex) * n * n);
    double *w = malloc(sizeof(double) * n), *w2 = malloc(sizeof(double) * n);
    for (int i = 0; i < 64; i++)
        for (int k = 0; k < 64; k++)
            for (int x = 0; x < 3; x++)
                for (int y = 0; y < 3; y++) {
                    int r = 3 * i + x, c = 3 * k + y;
                    double im = sin(0.37 * r + 1.3 * c) - sin(0.37 * c + 1.3 * r); /* antisymmetric */
                    a[(int64_t)c * n + r] =
                        s.fc.phi[i * 64 + k][x][y] / sqrt(s.super.mass[i] * s.super.mass[k]) + 0.01 * I * im;
                }
    for (int r = 0; r < n; r++) /* exact Hermitian (column-major) */
        for (int c = r; c < n; c++) {
            double complex v = 0.5 * (a[(int64_t)c * n + r] + conj(a[(int64_t)r * n + c]));
            a[(int64_t)c * n + r] = v;
            a[(int64_t)r * n + c] = conj(v);
        }
    memcpy(a2, a, sizeof(double complex) * n * n);
    st = pg_pzheevd(comm, n, 32, a, w, z);
    pg_mpitest_check(&t, st == PG_OK, "pzheevd 192", "%s", pg_err_message());
    pg_zheevd_ws_t zw;
    pg_zheevd_ws_init(&zw, n);
    pg_zheevd(&zw, n, a2, w2);
    double wmax = 0, dw = 0, ov = 0;
    for (int k = 0; k < n; k++) {
        wmax = fmax(wmax, fabs(w2[k]));
        dw = fmax(dw, fabs(w[k] - w2[k]));
    }
    for (int k = 0; k < n; k++) {
        if ((k > 0 && w2[k] - w2[k - 1] < 1e-6 * wmax) || (k < n - 1 && w2[k + 1] - w2[k] < 1e-6 * wmax))
            continue; /* degenerate: vectors not unique */
        double complex p = 0;
        for (int r = 0; r < n; r++) p += conj(z[(int64_t)k * n + r]) * a2[(int64_t)k * n + r];
        ov = fmax(ov, fabs(1.0 - cabs(p)));
    }
    pg_mpitest_check(&t, dw / wmax < 1e-10, "pzheevd eigenvalues vs zheevd 1e-10 rel", "%.2e",
                     dw / wmax);
    pg_mpitest_check(&t, ov < 1e-10, "pzheevd eigenvectors vs zheevd", "%.2e", ov);
    pg_zheevd_ws_free(&zw);
    free(a);
    free(a2);
    free(z);
    free(w);
    free(w2);
    pg_qset_free(&q2);
    nacl_free(&s);
    int rc = pg_mpitest_end(&t);
    pg_par_finalize(&comm);
    return rc;
}
