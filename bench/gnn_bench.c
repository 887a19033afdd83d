/* gnn_bench.c - GNN training throughput (graphs/s) on the graphs of a dataset file, the same
 * loop as bench/gnn_torch.py: global batch k = graphs (kB .. kB+B-1) mod n, each rank its
 * contiguous part, forward + loss + backward, ONE allreduce of the flat gradient, Adam.
 * SPEC default model (G=40, H=64, K=3, Hh=32), T=2, float32 unless "f64" is given.
 *   mpirun -np P build/bench/gnn_bench DATASET BATCH STEPS [f64]
 * Prints "phonograph graphs_per_s=... ranks=P steps=..." and the memory per graph. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gnn/gnn_internal.h"
#include "phonograph/pg_gnn.h"
#include "phonograph/pg_par.h"

static int run(MPI_Comm comm, int argc, char **argv)
{
    int rank = pg_par_rank(comm), size = pg_par_size(comm);
    const char *path = argv[1];
    int64_t B = atoll(argv[2]), steps = atoll(argv[3]);
    pg_gnn_prec_t prec = argc > 4 && strcmp(argv[4], "f64") == 0 ? PG_GNN_F64 : PG_GNN_F32;
    static const char *const targets[2] = {"energy_per_atom", "band_gap"};
    gnn_dataset_t ds;
    gnn_graphs_t g;
    gnn_batchbuf_t bb;
    memset(&g, 0, sizeof g);
    memset(&bb, 0, sizeof bb);
    if (gnn_dataset_open(path, 2, targets, &ds) != PG_OK) return 1;
    int64_t *all = malloc(sizeof(int64_t) * (size_t)ds.n_conf);
    for (int64_t c = 0; c < ds.n_conf; c++) all[c] = c;
    if (gnn_dataset_load(&ds, all, ds.n_conf, &g) != PG_OK) return 1;
    pg_gnn_config_t cfg = pg_gnn_config_default();
    cfg.F = ds.F;
    cfg.T = 2;
    pg_gnn_t *m = NULL;
    if (pg_gnn_create(&cfg, prec, &m) != PG_OK) return 1;
    pg_gnn_init_params(m, 1);
    pg_adam_t adam = pg_adam_default(1e-3);
    const int64_t n = ds.n_conf, P = m->n_params;
    int64_t *idx = malloc(sizeof(int64_t) * (size_t)B);
    double *yn = malloc(sizeof(double) * (size_t)(2 * B)), w[2] = {1, 1};
    double t0 = 0, t_comp = 0, t_comm = 0, t_adam = 0, ta;
    for (int64_t k = 0; k < steps + 2; k++) {
        if (k == 2) {
            pg_par_barrier(comm);
            t0 = pg_par_wtime();
        }
        int64_t lo = rank * B / size, hi = (rank + 1) * B / size, nl = hi - lo;
        for (int64_t j = 0; j < nl; j++) {
            idx[j] = (k * B + lo + j) % n;
            for (int t = 0; t < 2; t++) yn[2 * j + t] = ds.labels[idx[j] * 2 + t];
        }
        ta = pg_par_wtime();
        pg_gnn_zero_grad(m);
        double loss = 0;
        if (gnn_batch_build(&g, idx, nl, &bb) != PG_OK ||
            pg_gnn_forward(m, &bb.b, NULL) != PG_OK || pg_gnn_loss(m, yn, w, B, &loss) != PG_OK ||
            pg_gnn_backward(m) != PG_OK)
            return 1;
        double tb = pg_par_wtime();
        if (prec == PG_GNN_F64) pg_par_sum_double(comm, m->grads_d, P + 1);
        else pg_par_sum_float(comm, m->grads_f, P + 1);
        double tc = pg_par_wtime();
        pg_gnn_adam_step(m, &adam, 1e-3);
        if (k >= 2) {
            t_comp += tb - ta;
            t_comm += tc - tb;
            t_adam += pg_par_wtime() - tc;
        }
    }
    pg_par_barrier(comm);
    double dt = pg_par_wtime() - t0;
    if (rank == 0) {
        int64_t pb, pn, pe;
        pg_gnn_ws_bytes(&cfg, prec, &pb, &pn, &pe);
        double nodes = (double)g.n_nodes / (double)n, edges = (double)g.n_edges / (double)n;
        double act = (double)pb + nodes * (double)pn + edges * (double)pe;
        double store = (double)gnn_graphs_bytes(&g) / (double)n;
        printf("phonograph graphs_per_s=%.2f ranks=%d steps=%lld\n", (double)(steps * B) / dt,
               size, (long long)steps);
        printf("phonograph per step (rank 0): local forward+backward %.2f ms, allreduce "
               "(incl. waiting for the slower rank) %.2f ms, Adam %.2f ms, %lld parameters\n",
               1e3 * t_comp / steps, 1e3 * t_comm / steps, 1e3 * t_adam / steps, (long long)P);
        printf("phonograph memory_per_graph: activations+gradients %.0f KiB, stored graph %.1f "
               "KiB (%.1f nodes, %.1f edges per graph; %s)\n",
               act / 1024, store / 1024, nodes, edges, prec == PG_GNN_F64 ? "float64" : "float32");
    }
    pg_gnn_destroy(&m);
    gnn_graphs_free(&g);
    gnn_batchbuf_free(&bb);
    gnn_dataset_close(&ds);
    free(all);
    free(idx);
    free(yn);
    return 0;
}

int main(int argc, char **argv)
{
    MPI_Comm comm;
    if (pg_par_init(&argc, &argv, &comm) != PG_OK) return 1;
    int rc = argc >= 4 ? run(comm, argc, argv) : 2;
    if (rc) {
        if (rc == 2) fprintf(stderr, "usage: gnn_bench DATASET BATCH STEPS [f64]\n");
        else pg_err_print(stderr, "gnn_bench: ");
    }
    pg_par_finalize(&comm);
    return rc;
}
