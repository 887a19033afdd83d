/* phonons.c - timing of phonon solves (frequencies + eigenvectors) for bench/phonons.sh.
 * usage: mpirun -np P build/bench/phonons POSCAR FC.hdf5 N (supercell N x N x N, primitive =
 *        unit cell) [QFILE] -> prints on rank 0 the wall seconds of mesh 20^3, mesh 40^3,
 *        10,000 q (frequencies and eigenvectors), their CPU seconds (largest over ranks), then
 *        wall and CPU of mesh 40^3 frequencies only (pg_phonon_solve_distributed including the
 *        gather to rank 0, best of 3); on stderr the two phases of those runs (solving and
 *        deriving, largest over ranks / gathering to rank 0). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "phonograph/pg_dynmat.h"
#include "phonograph/pg_forceconst.h"
#include "phonograph/pg_par.h"
#include "phonograph/pg_phonons.h"
#include "phonograph/pg_poscar.h"
#include "phonograph/pg_supercell.h"

static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double run(MPI_Comm comm, const pg_dynmat_t *dm, const pg_qset_t *src, int want_evec,
                  double *best_cpu, pg_phonon_solve_times_t *best_times)
{
    double best = 1e30;
    *best_cpu = 1e30;
    for (int rep = 0; rep < 3; rep++) {
        pg_qset_t qs = {0};
        if (pg_par_rank(comm) == 0) {
            qs.n_q = src->n_q;
            qs.q = malloc(sizeof(double[3]) * (size_t)src->n_q);
            qs.weight = malloc(sizeof(double) * (size_t)src->n_q);
            for (int64_t t = 0; t < src->n_q; t++) {
                for (int c = 0; c < 3; c++) qs.q[t][c] = src->q[t][c];
                qs.weight[t] = 1;
            }
        }
        pg_phonon_solve_times_t tm = {0};
        pg_phonon_solve_opts_t o = {.want_evec = want_evec, .solver = PG_EIGEN_AUTO, .times = &tm};
        double *f = NULL;
        double complex *e = NULL;
        pg_par_barrier(comm);
        double t0 = pg_par_wtime(), c0 = cpu_s();
        if (pg_phonon_solve_distributed(comm, dm, &qs, &o, &f, &e, NULL, NULL) != PG_OK) {
            pg_err_print(stderr, "bench");
            return -1;
        }
        double t = pg_par_wtime() - t0, c = cpu_s() - c0;
        pg_par_max_double(comm, &c, 1);
        if (t < best) {
            best = t;
            *best_times = tm;
        }
        if (c < *best_cpu) *best_cpu = c;
        free(f);
        free(e);
        pg_qset_free(&qs);
    }
    return best;
}

int main(int argc, char **argv)
{
    MPI_Comm comm;
    if (pg_par_init(&argc, &argv, &comm) != PG_OK) return 1;
    if (argc < 4) {
        fprintf(stderr, "usage: phonons POSCAR FC.hdf5 N\n");
        return 2;
    }
    int n = atoi(argv[3]);
    pg_cell_t unit = {0};
    pg_supercell_t sc = {0};
    pg_primitive_t prim = {0};
    pg_fc_t fc = {0};
    pg_dynmat_t *dm = NULL;
    double P[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    int dims[3] = {n, n, n};
    if (pg_poscar_read(comm, argv[1], &unit) || pg_supercell_build_diag(&unit, dims, 1e-5, &sc) ||
        pg_primitive_build(&sc, (const double(*)[3])P, 1e-5, &prim) ||
        pg_fc_read_hdf5(argv[2], sc.cell.n_atom, &fc) ||
        pg_dynmat_create(&prim.cell, &sc.cell, prim.p2s, prim.s2pp, &fc, 1e-5, &dm)) {
        pg_err_print(stderr, "bench");
        return 1;
    }
    pg_qset_t m20 = {0}, m40 = {0}, rnd = {0};
    int s0[3] = {0, 0, 0};
    pg_phonon_mesh((int[3]){20, 20, 20}, s0, &m20);
    pg_phonon_mesh((int[3]){40, 40, 40}, s0, &m40);
    pg_phonon_mesh((int[3]){10000, 1, 1}, s0, &rnd);
    srand(12345); /* arbitrary q: the same list as the Python side reads from bench_q.txt */
    FILE *qf = fopen(argc > 4 ? argv[4] : "/dev/null", "r");
    for (int64_t t = 0; t < rnd.n_q; t++) {
        if (qf && fscanf(qf, "%lf %lf %lf", &rnd.q[t][0], &rnd.q[t][1], &rnd.q[t][2]) == 3) continue;
        for (int c = 0; c < 3; c++) rnd.q[t][c] = (double)rand() / RAND_MAX - 0.5;
    }
    if (qf) fclose(qf);
    double ca, cb, cc, cd;
    pg_phonon_solve_times_t ta, tb, tc, td;
    double a = run(comm, dm, &m20, 1, &ca, &ta), b = run(comm, dm, &m40, 1, &cb, &tb);
    double c = run(comm, dm, &rnd, 1, &cc, &tc), d = run(comm, dm, &m40, 0, &cd, &td);
    if (pg_par_rank(comm) == 0) {
        printf("%.4e %.4e %.4e %.4e %.4e %.4e %.4e %.4e\n", a, b, c, ca, cb, cc, d, cd);
        fprintf(stderr, "# %d rank(s), phases of the best runs (s): solve+derive / gather to rank 0: "
                "20^3 %.4f / %.4f, 40^3 %.4f / %.4f, 10000 q %.4f / %.4f, 40^3 freq %.4f / %.4f\n",
                pg_par_size(comm), ta.solve_s, ta.assemble_s, tb.solve_s, tb.assemble_s,
                tc.solve_s, tc.assemble_s, td.solve_s, td.assemble_s);
    }
    pg_qset_free(&m20);
    pg_qset_free(&m40);
    pg_qset_free(&rnd);
    pg_dynmat_destroy(&dm);
    pg_fc_free(&fc);
    pg_primitive_free(&prim);
    pg_supercell_free(&sc);
    pg_cell_free(&unit);
    pg_par_finalize(&comm);
    return 0;
}
