/* test_graph_h5.c - `phonograph graphs` in library form (pg_graph_build_file) at any rank count:
 * graphs of test/data/graphs/mini_dataset.h5 written collectively into its /graphs group, read
 * back and compared with ASE's neighbour lists stored in the same file (edges exactly, distances
 * to 1e-12) and bitwise with graphs built serially in this process (so the file is the same for
 * 1, 2 and 4 ranks); parallel reads of graph ranges; error agreement. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_graph.h"
#include "phonograph/pg_graph_h5.h"
#include "phonograph/pg_h5.h"
#include "phonograph/pg_par.h"

#define N_CONFIG 5
#define N_ATOM 40

static int copy_file(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb"), *b = a ? fopen(to, "wb") : NULL;
    int ok = a && b;
    char buf[65536];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, a)) > 0) ok = fwrite(buf, 1, n, b) == n;
    if (a) fclose(a);
    if (b) fclose(b);
    return ok;
}

/* Rank 0's checks of the written file; returns the number of failed checks (messages on
 * stderr). */
static int check_file(const char *path)
{
    int fails = 0;
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fails++;                                                                               \
            fprintf(stderr, "[rank 0] FAIL: " __VA_ARGS__);                                       \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)
    pg_h5_t *f = NULL;
    if (pg_h5_open(path, PG_H5_READ, MPI_COMM_NULL, &f) != PG_OK) return 1;
    int64_t ng = 0;
    CHECK(pg_graph_h5_check(f, &ng) == PG_OK && ng == N_CONFIG, "check: %lld graphs",
          (long long)ng);
    pg_features_t feat;
    CHECK(pg_graph_h5_read_features(f, &feat) == PG_OK, "read features: %s", pg_err_message());
    CHECK(feat.n_species == 4 && feat.z[0] == 16 && feat.z[1] == 35 && feat.z[2] == 47 &&
              feat.z[3] == 53 && feat.n_feat == 4,
          "species of the completed configurations S Br Ag I, 4 features");
    /* the serial reference: same features from scratch */
    pg_feat_kind_t kinds[4];
    int nk = pg_features_default_kinds(kinds);
    const int zs[4] = {16, 35, 47, 53};
    pg_features_t ref;
    CHECK(pg_features_setup(&ref, zs, 4, kinds, nk, 0) == PG_OK, "features setup");
    CHECK(memcmp(ref.vmin, feat.vmin, sizeof ref.vmin) == 0 &&
              memcmp(ref.vmax, feat.vmax, sizeof ref.vmax) == 0,
          "stored normalisation = recomputed");

    pg_graph_batch_t b;
    CHECK(pg_graph_h5_read(f, 0, N_CONFIG, &b) == PG_OK, "read all graphs: %s", pg_err_message());
    double *cells = NULL, *pos = NULL;
    int32_t *spec = NULL;
    int rk;
    int64_t dims[4];
    pg_h5_read_alloc(f, "/configs/cell", PG_H5_F64, (void **)&cells, &rk, dims);
    pg_h5_read_alloc(f, "/configs/positions", PG_H5_F64, (void **)&pos, &rk, dims);
    pg_h5_read_alloc(f, "/configs/species", PG_H5_I32, (void **)&spec, &rk, dims);
    for (int c = 0; c < N_CONFIG && cells && pos && spec; c++) {
        int64_t n0 = b.node_offsets[c], e0 = b.edge_offsets[c];
        int64_t nn = b.node_offsets[c + 1] - n0, ne = b.edge_offsets[c + 1] - e0;
        if (c == 2) { /* not completed */
            CHECK(nn == 0 && ne == 0, "config 2 (not completed) has an empty graph");
            continue;
        }
        CHECK(nn == N_ATOM, "config %d: %lld nodes", c, (long long)nn);
        /* ASE's edges, in order: dst = i (centre), src = j, shift S, distance d */
        char p[64];
        int64_t *ri = NULL, *rj = NULL, rdims[4];
        int32_t *rS = NULL;
        double *rd = NULL;
        snprintf(p, sizeof p, "/reference/c%d/i", c);
        pg_h5_read_alloc(f, p, PG_H5_I64, (void **)&ri, &rk, rdims);
        int64_t n_ref = rdims[0];
        snprintf(p, sizeof p, "/reference/c%d/j", c);
        pg_h5_read_alloc(f, p, PG_H5_I64, (void **)&rj, &rk, rdims);
        snprintf(p, sizeof p, "/reference/c%d/S", c);
        pg_h5_read_alloc(f, p, PG_H5_I32, (void **)&rS, &rk, rdims);
        snprintf(p, sizeof p, "/reference/c%d/d", c);
        pg_h5_read_alloc(f, p, PG_H5_F64, (void **)&rd, &rk, rdims);
        CHECK(ri && rj && rS && rd && ne == n_ref, "config %d: %lld edges, ASE %lld", c,
              (long long)ne, (long long)n_ref);
        int bad = 0;
        for (int64_t e = 0; ri && rj && rS && rd && e < ne && e < n_ref; e++) {
            int64_t k = e0 + e;
            if (b.edge_dst[k] - n0 != ri[e] || b.edge_src[k] - n0 != rj[e] ||
                b.edge_shift[k][0] != rS[3 * e] || b.edge_shift[k][1] != rS[3 * e + 1] ||
                b.edge_shift[k][2] != rS[3 * e + 2] || !(fabs(b.edge_dist[k] - rd[e]) <= 1e-12))
                bad++;
        }
        CHECK(bad == 0, "config %d: %d edges differ from ASE", c, bad);
        free(ri);
        free(rj);
        free(rS);
        free(rd);
        /* bitwise equal to a serial build in this process */
        pg_cell_t cell;
        pg_cell_init(&cell, N_ATOM);
        memcpy(cell.lattice, cells + 9 * c, sizeof cell.lattice);
        memcpy(cell.pos, pos + 3 * N_ATOM * c, sizeof(double) * 3 * N_ATOM);
        for (int i = 0; i < N_ATOM; i++) cell.z[i] = spec[N_ATOM * c + i];
        pg_graph_t g;
        pg_graph_opts_t o = pg_graph_opts_default();
        o.max_edges = 20000000;
        CHECK(pg_graph_build(&cell, &ref, &o, &g) == PG_OK, "serial build");
        CHECK(g.n_edge == ne && g.n_node == nn, "serial build sizes");
        if (g.n_edge == ne && g.n_node == nn) {
            CHECK(memcmp(g.node_features, b.node_features + 4 * n0, sizeof(double) * 4 * nn) == 0,
                  "config %d: node features bitwise", c);
            CHECK(memcmp(g.edge_dist, b.edge_dist + e0, sizeof(double) * ne) == 0,
                  "config %d: distances bitwise", c);
            CHECK(memcmp(g.edge_bond, b.edge_bond + e0, sizeof(int32_t) * ne) == 0,
                  "config %d: bond types", c);
            CHECK(memcmp(g.node_species, b.node_species + n0, sizeof(int32_t) * nn) == 0,
                  "config %d: species", c);
        }
        pg_graph_free(&g);
        pg_cell_free(&cell);
    }
    free(cells);
    free(pos);
    free(spec);
    pg_graph_batch_free(&b);
    /* attributes a reader needs */
    double cut = 0;
    CHECK(pg_h5_attr_read(f, "/graphs", "cutoff_ang", PG_H5_F64, 1, &cut) == PG_OK && cut == 5.5,
          "cutoff attribute");
    char **bonds = NULL;
    int64_t n_bonds = 0;
    CHECK(pg_h5_read_strings(f, "/graphs/bond_types", &bonds, &n_bonds) == PG_OK && n_bonds == 10 &&
              strcmp(bonds[pg_features_bond_type(&ref, 0, 2)], "S-Ag") == 0,
          "bond type names");
    if (bonds) pg_h5_free_strings(bonds, n_bonds);
    pg_h5_close(&f);
    return fails;
#undef CHECK
}

int main(int argc, char **argv)
{
    MPI_Comm comm;
    if (pg_par_init(&argc, &argv, &comm) != PG_OK) return 1;
    pg_mpitest_t t;
    pg_mpitest_begin(&t, comm);
    const int rank = pg_par_rank(comm), size = pg_par_size(comm);
    char path[512] = {0}, bad_path[512] = {0};
    int ok = 1;
    if (rank == 0) {
        snprintf(path, sizeof path, "%s/mini.h5", pg_test_tmpdir());
        snprintf(bad_path, sizeof bad_path, "%s/bad.h5", pg_test_tmpdir());
        ok = copy_file("test/data/graphs/mini_dataset.h5", path) &&
             copy_file("test/data/graphs/mini_dataset.h5", bad_path);
    }
    pg_par_bcast(comm, 0, path, sizeof path);
    pg_par_bcast(comm, 0, bad_path, sizeof bad_path);
    pg_par_bcast(comm, 0, &ok, sizeof ok);
    pg_mpitest_check(&t, ok, "copy the mini dataset", NULL);

    pg_graph_opts_t o = pg_graph_opts_default();
    o.max_edges = 20000000;
    pg_feat_kind_t kinds[4];
    int nk = pg_features_default_kinds(kinds);
    int64_t totals[3] = {0};
    pg_status_t st = pg_graph_build_file(comm, path, &o, kinds, nk, 0, totals);
    pg_mpitest_check(&t, st == PG_OK, "build graphs of the file", "%s", pg_err_message());
    pg_mpitest_check(&t, totals[0] == N_CONFIG && totals[1] == 4 * N_ATOM &&
                             totals[2] == 1102 + 1078 + 1048 + 1104,
                     "totals", "%lld %lld %lld", (long long)totals[0], (long long)totals[1],
                     (long long)totals[2]);
    pg_par_barrier(comm);

    int fails = rank == 0 ? check_file(path) : 0;
    pg_par_bcast(comm, 0, &fails, sizeof fails);
    pg_mpitest_check(&t, fails == 0, "file content vs ASE and serial build", "%d failures", fails);

    /* parallel read: each rank reads its own range, the ranges' offsets are consistent */
    pg_h5_t *f = NULL;
    st = pg_h5_open(path, PG_H5_READ, comm, &f);
    int64_t first = N_CONFIG * rank / size, n = N_CONFIG * (rank + 1) / size - first;
    pg_graph_batch_t b;
    memset(&b, 0, sizeof b);
    if (st == PG_OK) st = pg_graph_h5_read(f, first, n, &b);
    int good = st == PG_OK && b.n_graphs == n;
    for (int64_t g = 0; good && g < n; g++) {
        int64_t nn = b.node_offsets[g + 1] - b.node_offsets[g];
        good = nn == ((first + g) == 2 ? 0 : N_ATOM);
        for (int64_t e = b.edge_offsets[g]; good && e < b.edge_offsets[g + 1]; e++)
            good = b.edge_src[e] >= b.node_offsets[g] && b.edge_src[e] < b.node_offsets[g + 1] &&
                   b.edge_dst[e] >= b.node_offsets[g] && b.edge_dst[e] < b.node_offsets[g + 1] &&
                   b.edge_dist[e] > 0 && b.edge_dist[e] < 5.5;
    }
    pg_mpitest_check(&t, good, "parallel read of this rank's graphs", "%s", pg_err_message());
    pg_graph_batch_free(&b);
    pg_h5_close(&f);

    /* a memory cap hit on some rank's configuration: the same error on every rank, no hang */
    o.max_edges = 1090; /* configs 0 and 4 exceed it, 1 and 3 do not */
    pg_err_clear();
    st = pg_graph_build_file(comm, bad_path, &o, kinds, nk, 0, NULL);
    pg_mpitest_check(&t, st == PG_ERR_INPUT && strstr(pg_err_message(), "above the cap"),
                     "edge cap error agreed", "st=%d '%s'", (int)st, pg_err_message());
    pg_err_clear();
    st = pg_graph_build_file(comm, "/nonexistent/x.h5", &o, kinds, nk, 0, NULL);
    pg_mpitest_check(&t, st != PG_OK, "missing file fails on every rank", NULL);

    int rc = pg_mpitest_end(&t);
    pg_par_finalize(&comm);
    return rc;
}
