/* phonons_kernels.c - per-q costs of the phonon kernels (CPU time of this thread, so other
 * processes on a shared machine disturb it less than wall time), for bench/phonons.sh.
 * usage: build/bench/phonons_kernels POSCAR FC.hdf5 N (supercell N x N x N, primitive = unit
 * cell). Prints, in µs per q-point or per matrix:
 *   build <complex D(q) full> solve_small <build + small solver + eigenvectors, one q per call,
 *   real gauge when pg_dynmat_is_real> solve_many <the same through pg_dynmat_solve_many in
 *   blocks of 64 q (batched solver, what the distributed solve uses)> solve_small_hermitian
 *   <one q per call on the complex D(q)> solve_many_hermitian <the same in blocks of 64>
 *   solve_lapack <same, zheevd>
 * then for n = 6 ... 120: "eigh n <small solver> <zheevd>" on random
 * Hermitian matrices (eigenvectors wanted) - the crossover that sets PG_DYNMAT_SMALL_MAX_BANDS. */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "phonograph/pg_dynmat.h"
#include "phonograph/pg_eigh.h"
#include "phonograph/pg_forceconst.h"
#include "phonograph/pg_linalg.h"
#include "phonograph/pg_par.h"
#include "phonograph/pg_poscar.h"
#include "phonograph/pg_supercell.h"

static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

#define NQ 4000

int main(int argc, char **argv)
{
    MPI_Comm comm;
    if (pg_par_init(&argc, &argv, &comm) != PG_OK) return 1;
    if (argc < 4) {
        fprintf(stderr, "usage: phonons_kernels POSCAR FC.hdf5 N\n");
        return 2;
    }
    int nc = atoi(argv[3]);
    pg_cell_t unit = {0};
    pg_supercell_t sc = {0};
    pg_primitive_t prim = {0};
    pg_fc_t fc = {0};
    pg_dynmat_t *dm = NULL;
    double P[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    int dims[3] = {nc, nc, nc};
    if (pg_poscar_read(comm, argv[1], &unit) || pg_supercell_build_diag(&unit, dims, 1e-5, &sc) ||
        pg_primitive_build(&sc, (const double(*)[3])P, 1e-5, &prim) ||
        pg_fc_read_hdf5(argv[2], sc.cell.n_atom, &fc) ||
        pg_dynmat_create(&prim.cell, &sc.cell, prim.p2s, prim.s2pp, &fc, 1e-5, &dm)) {
        pg_err_print(stderr, "bench");
        return 1;
    }
    const int n = pg_dynmat_n_band(dm);
    double(*q)[3] = malloc(sizeof(double[3]) * NQ);
    double complex *d = malloc(sizeof(double complex) * (size_t)(n * n));
    double complex *e = malloc(sizeof(double complex) * (size_t)(n * n));
    double *f = malloc(sizeof(double) * (size_t)n);
    srand(7);
    for (int t = 0; t < NQ; t++)
        for (int c = 0; c < 3; c++) q[t][c] = (double)rand() / RAND_MAX - 0.5;
    pg_dynmat_ws_t wss, wsh, wsl;
    pg_dynmat_ws_init_solver(&wss, dm, PG_DYNMAT_EIG_SMALL);
    pg_dynmat_ws_init_solver(&wsh, dm, PG_DYNMAT_EIG_SMALL_HERMITIAN);
    pg_dynmat_ws_init_solver(&wsl, dm, PG_DYNMAT_EIG_LAPACK);
    double best[6] = {1e30, 1e30, 1e30, 1e30, 1e30, 1e30};
    double complex *eb = malloc(sizeof(double complex) * (size_t)(NQ * n * n));
    double *fb = malloc(sizeof(double) * (size_t)(NQ * n));
    const double *qp[NQ];
    double *fp[NQ];
    double complex *ep[NQ];
    for (int t = 0; t < NQ; t++) {
        qp[t] = q[t];
        fp[t] = fb + (size_t)t * n;
        ep[t] = eb + (size_t)t * n * n;
    }
    for (int rep = 0; rep < 3; rep++) {
        double t0 = cpu_s();
        for (int t = 0; t < NQ; t++) pg_dynmat_build(dm, q[t], d);
        double t1 = cpu_s();
        for (int t = 0; t < NQ; t++) pg_dynmat_solve(dm, &wss, q[t], f, e, NULL);
        double t2 = cpu_s();
        for (int t = 0; t < NQ; t++) pg_dynmat_solve(dm, &wsl, q[t], f, e, NULL);
        double t3 = cpu_s();
        for (int t = 0; t < NQ; t++) pg_dynmat_solve(dm, &wsh, q[t], f, e, NULL);
        double t4 = cpu_s();
        best[3] = fmin(best[3], (t4 - t3) / NQ);
        for (int t = 0; t < NQ; t += 64) /* blocks of 64 points, as phonons_par.c hands them over */
            pg_dynmat_solve_many(dm, &wss, NQ - t < 64 ? NQ - t : 64, qp + t, fp + t, ep + t);
        double t5 = cpu_s();
        best[4] = fmin(best[4], (t5 - t4) / NQ);
        for (int t = 0; t < NQ; t += 64)
            pg_dynmat_solve_many(dm, &wsh, NQ - t < 64 ? NQ - t : 64, qp + t, fp + t, ep + t);
        best[5] = fmin(best[5], (cpu_s() - t5) / NQ);
        best[0] = fmin(best[0], (t1 - t0) / NQ);
        best[1] = fmin(best[1], (t2 - t1) / NQ);
        best[2] = fmin(best[2], (t3 - t2) / NQ);
    }
    int max_mult;
    int64_t n_vec;
    pg_dynmat_image_stats(dm, &max_mult, &n_vec);
    printf("# %d bands, %lld image vectors; us per q (thread CPU time, best of 3)\n", n,
           (long long)n_vec);
    printf("# real gauge: %s (odd part %.1e)\n", pg_dynmat_is_real(dm) ? "yes" : "no",
           pg_dynmat_real_odd(dm));
    printf("build %.2f solve_small %.2f solve_many %.2f solve_small_hermitian %.2f "
           "solve_many_hermitian %.2f solve_lapack %.2f\n",
           1e6 * best[0], 1e6 * best[1], 1e6 * best[4], 1e6 * best[3], 1e6 * best[5],
           1e6 * best[2]);
    const int ns[] = {6, 12, 15, 24, 36, 48, 60, 72, 96, 120};
    for (unsigned k = 0; k < sizeof ns / sizeof ns[0]; k++) {
        const int m = ns[k], reps = 200000 / (m * m) + 10;
        double complex *a = malloc(sizeof(double complex) * (size_t)(m * m));
        double complex *b = malloc(sizeof(double complex) * (size_t)(m * m));
        double complex *z = malloc(sizeof(double complex) * (size_t)(m * m));
        double *w = malloc(sizeof(double) * (size_t)m);
        for (int r = 0; r < m; r++)
            for (int c = 0; c <= r; c++) {
                double x = (double)rand() / RAND_MAX - 0.5;
                double y = c < r ? (double)rand() / RAND_MAX - 0.5 : 0;
                a[r * m + c] = x + I * y;
                a[c * m + r] = x - I * y;
            }
        pg_eigh_ws_t eh;
        pg_zheevd_ws_t zw;
        pg_eigh_ws_init(&eh, m);
        pg_zheevd_ws_init(&zw, m);
        double bs = 1e30, bl = 1e30;
        for (int rep = 0; rep < 3; rep++) {
            double t0 = cpu_s();
            for (int t = 0; t < reps; t++) pg_eigh_small(&eh, m, a, w, z);
            double t1 = cpu_s();
            for (int t = 0; t < reps; t++) {
                for (int u = 0; u < m * m; u++) b[u] = a[u];
                pg_zheevd(&zw, m, b, w);
            }
            double t2 = cpu_s();
            bs = fmin(bs, (t1 - t0) / reps);
            bl = fmin(bl, (t2 - t1) / reps);
        }
        printf("eigh %d %.2f %.2f\n", m, 1e6 * bs, 1e6 * bl);
        pg_eigh_ws_free(&eh);
        pg_zheevd_ws_free(&zw);
        free(a);
        free(b);
        free(z);
        free(w);
    }
    pg_dynmat_ws_free(&wss);
    pg_dynmat_ws_free(&wsh);
    pg_dynmat_ws_free(&wsl);
    free(eb);
    free(fb);
    free(q);
    free(d);
    free(e);
    free(f);
    pg_dynmat_destroy(&dm);
    pg_fc_free(&fc);
    pg_primitive_free(&prim);
    pg_supercell_free(&sc);
    pg_cell_free(&unit);
    pg_par_finalize(&comm);
    return 0;
}
