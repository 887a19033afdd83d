/* neighbor_bench.c - time pg_neighbor_build (and pg_graph_build) on a structure file.
 * usage: neighbor_bench STRUCTURE CUTOFF [MIN_SECONDS]
 * STRUCTURE: text, line 1 n_atom, line 2 the lattice (9 numbers, rows), then "Z x y z" lines.
 * Repeats the build until MIN_SECONDS (default 0.3) have passed and prints one line:
 *   n_atom cutoff n_edge best_seconds_neighbor best_seconds_graph
 */
#include <stdio.h>
#include <stdlib.h>

#include "phonograph/pg_cell.h"
#include "phonograph/pg_graph.h"
#include "phonograph/pg_neighbor.h"
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static int read_structure(const char *path, pg_cell_t *c)
{
    FILE *f = fopen(path, "r");
    long long n = 0;
    int ok = f && fscanf(f, "%lld", &n) == 1 && pg_cell_init(c, n) == PG_OK;
    for (int a = 0; ok && a < 9; a++) ok = fscanf(f, "%lf", &c->lattice[a / 3][a % 3]) == 1;
    for (long long i = 0; ok && i < n; i++)
        ok = fscanf(f, "%d %lf %lf %lf", &c->z[i], &c->pos[i][0], &c->pos[i][1],
                    &c->pos[i][2]) == 4;
    if (f) fclose(f);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s STRUCTURE CUTOFF [MIN_SECONDS]\n", argv[0]);
        return 2;
    }
    pg_cell_t c;
    if (!read_structure(argv[1], &c)) {
        fprintf(stderr, "%s: cannot read structure\n", argv[1]);
        return 1;
    }
    double rc = atof(argv[2]), min_s = argc > 3 ? atof(argv[3]) : 0.3;
    double best_nl = 1e30, best_g = 1e30, t_total = 0;
    int64_t n_edge = 0;
    for (int rep = 0; rep < 3 || t_total < min_s; rep++) {
        pg_neighbor_t nl;
        double t0 = now();
        if (pg_neighbor_build(&c, rc, 0, &nl) != PG_OK) {
            pg_err_print(stderr, "");
            return 1;
        }
        double t1 = now();
        n_edge = nl.n_edge;
        pg_neighbor_free(&nl);
        if (t1 - t0 < best_nl) best_nl = t1 - t0;
        t_total += t1 - t0;
    }
    /* the full graph (neighbour list + features + bond types) */
    pg_feat_kind_t kinds[PG_FEAT_N_KINDS];
    int nk = pg_features_default_kinds(kinds);
    pg_features_t feat;
    if (pg_features_setup(&feat, c.z, c.n_atom, kinds, nk, 0) != PG_OK) {
        pg_err_print(stderr, "");
        return 1;
    }
    pg_graph_opts_t o = pg_graph_opts_default();
    o.cutoff_ang = rc;
    t_total = 0;
    for (int rep = 0; rep < 3 || t_total < min_s; rep++) {
        pg_graph_t g;
        double t0 = now();
        if (pg_graph_build(&c, &feat, &o, &g) != PG_OK) {
            pg_err_print(stderr, "");
            return 1;
        }
        double t1 = now();
        pg_graph_free(&g);
        if (t1 - t0 < best_g) best_g = t1 - t0;
        t_total += t1 - t0;
    }
    printf("%lld %g %lld %.6e %.6e\n", (long long)c.n_atom, rc, (long long)n_edge, best_nl,
           best_g);
    pg_cell_free(&c);
    return 0;
}
