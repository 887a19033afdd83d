/* data.c - graphs in memory, the one reader of the dataset file the GNN uses, and batches.
 *
 * Dataset schema read here (docs/dataset.md is the authority; the paths are in one place
 * below so that wiring to the final schema is a local edit):
 *   /graphs/node_offsets  [n_conf+1] int   nodes of configuration c: [off[c], off[c+1])
 *   /graphs/edge_offsets  [n_conf+1] int
 *   /graphs/node_features [n_nodes, F] real
 *   /graphs/edge_src, /graphs/edge_dst [n_edges] int   LOCAL node index (SPEC §1)
 *   /graphs/edge_dist     [n_edges] real Å
 *   /labels/<target>      [n_conf] real  (energy_per_atom, gap, vbm, hydrostatic_stress)
 *   /completed            [n_conf] uint8 (optional) 0 = incomplete: skipped, like empty graphs
 *   /labels/imported      [n_conf] uint8 (optional, written by phonograph import) 0 = no
 *                         external label: skipped too
 */
#include <stdlib.h>
#include <string.h>

#include "gnn/gnn_internal.h"

#define DS_NODE_OFF "/graphs/node_offsets"
#define DS_EDGE_OFF "/graphs/edge_offsets"
#define DS_X "/graphs/node_features"
#define DS_SRC "/graphs/edge_src"
#define DS_DST "/graphs/edge_dst"
#define DS_DIST "/graphs/edge_dist"
#define DS_LABELS "/labels/"
#define DS_COMPLETED "/completed"
#define DS_IMPORTED "/labels/imported" /* phonograph import: 1 = row labelled */

/* ---- graphs ---------------------------------------------------------------------------- */

void gnn_graphs_free(gnn_graphs_t *g)
{
    free(g->conf);
    free(g->node_off);
    free(g->edge_off);
    free(g->x);
    free(g->src);
    free(g->dst);
    free(g->dist);
    int F = g->F;
    memset(g, 0, sizeof *g);
    g->F = F;
}

void gnn_graphs_clear(gnn_graphs_t *g)
{
    g->n = g->n_nodes = g->n_edges = 0;
    if (g->node_off) g->node_off[0] = g->edge_off[0] = 0;
}

/* Realloc *p to cap elements of elem bytes. */
static pg_status_t regrow(void **p, int64_t cap, size_t elem, const char *what)
{
    void *q = realloc(*p, (size_t)(cap > 0 ? cap : 1) * elem);
    PG_REQUIRE(q, PG_ERR_NOMEM, "out of memory for %lld %s", (long long)cap, what);
    *p = q;
    return PG_OK;
}
static int64_t newcap(int64_t need) { return need + need / 2 + 16; }

pg_status_t gnn_graphs_append(gnn_graphs_t *g, int64_t conf, int64_t n_nodes, int64_t n_edges,
                              const double *x, const int64_t *src, const int64_t *dst,
                              const double *dist)
{
    if (g->n + 2 > g->cap_n || !g->conf) {
        int64_t c = newcap(g->n + 2);
        PG_CHECK(regrow((void **)&g->conf, c, sizeof(int64_t), "graph indices"));
        PG_CHECK(regrow((void **)&g->node_off, c, sizeof(int64_t), "graph offsets"));
        PG_CHECK(regrow((void **)&g->edge_off, c, sizeof(int64_t), "graph offsets"));
        g->cap_n = c;
    }
    if (g->n_nodes + n_nodes > g->cap_nodes || !g->x) {
        int64_t c = newcap(g->n_nodes + n_nodes);
        PG_CHECK(regrow((void **)&g->x, c * g->F, sizeof(double), "node features"));
        g->cap_nodes = c;
    }
    if (g->n_edges + n_edges > g->cap_edges || !g->src) {
        int64_t c = newcap(g->n_edges + n_edges);
        PG_CHECK(regrow((void **)&g->src, c, sizeof(int64_t), "edges"));
        PG_CHECK(regrow((void **)&g->dst, c, sizeof(int64_t), "edges"));
        PG_CHECK(regrow((void **)&g->dist, c, sizeof(double), "edges"));
        g->cap_edges = c;
    }
    if (g->n == 0) g->node_off[0] = g->edge_off[0] = 0;
    g->conf[g->n] = conf;
    memcpy(g->x + g->n_nodes * g->F, x, sizeof(double) * (size_t)(n_nodes * g->F));
    memcpy(g->src + g->n_edges, src, sizeof(int64_t) * (size_t)n_edges);
    memcpy(g->dst + g->n_edges, dst, sizeof(int64_t) * (size_t)n_edges);
    memcpy(g->dist + g->n_edges, dist, sizeof(double) * (size_t)n_edges);
    g->n_nodes += n_nodes;
    g->n_edges += n_edges;
    g->n++;
    g->node_off[g->n] = g->n_nodes;
    g->edge_off[g->n] = g->n_edges;
    return PG_OK;
}

int64_t gnn_graphs_bytes(const gnn_graphs_t *g)
{
    return g->n * 24 + g->n_nodes * g->F * 8 + g->n_edges * 24;
}

/* ---- dataset --------------------------------------------------------------------------- */

void gnn_dataset_close(gnn_dataset_t *ds)
{
    pg_h5_close(&ds->f);
    free(ds->path);
    free(ds->node_off);
    free(ds->edge_off);
    free(ds->labels);
    free(ds->usable);
    if (ds->target_names)
        for (int t = 0; t < ds->T; t++) free(ds->target_names[t]);
    free(ds->target_names);
    memset(ds, 0, sizeof *ds);
}

pg_status_t gnn_dataset_open(const char *path, int T, const char *const *targets,
                             gnn_dataset_t *ds)
{
    pg_status_t st = PG_OK;
    double *col = NULL;
    memset(ds, 0, sizeof *ds);
    ds->T = T;
    ds->path = strdup(path);
    PG_TRY_REQUIRE(ds->path, PG_ERR_NOMEM, "path");
    PG_TRY(pg_h5_open(path, PG_H5_READ, MPI_COMM_NULL, &ds->f));
    int rank = 0;
    int64_t dims[4], dn[4];
    PG_TRY(pg_h5_read_alloc(ds->f, DS_NODE_OFF, PG_H5_I64, (void **)&ds->node_off, &rank, dims));
    PG_TRY_REQUIRE(rank == 1 && dims[0] >= 2, PG_ERR_INPUT,
                   "%s: %s must be a list of n_conf+1 >= 2 offsets", path, DS_NODE_OFF);
    ds->n_conf = dims[0] - 1;
    PG_TRY(pg_h5_read_alloc(ds->f, DS_EDGE_OFF, PG_H5_I64, (void **)&ds->edge_off, &rank, dims));
    PG_TRY_REQUIRE(rank == 1 && dims[0] == ds->n_conf + 1, PG_ERR_INPUT,
                   "%s: %s has %lld entries, expected %lld", path, DS_EDGE_OFF,
                   (long long)dims[0], (long long)ds->n_conf + 1);
    PG_TRY(pg_h5_shape(ds->f, DS_X, &rank, dn));
    PG_TRY_REQUIRE(rank == 2 && dn[0] == ds->node_off[ds->n_conf], PG_ERR_INPUT,
                   "%s: %s must be [%lld, F]", path, DS_X, (long long)ds->node_off[ds->n_conf]);
    ds->F = (int)dn[1];
    PG_TRY(pg_h5_shape(ds->f, DS_DIST, &rank, dn));
    PG_TRY_REQUIRE(rank == 1 && dn[0] == ds->edge_off[ds->n_conf], PG_ERR_INPUT,
                   "%s: %s must have %lld entries", path, DS_DIST,
                   (long long)ds->edge_off[ds->n_conf]);
    PG_TRY_CALLOC(ds->usable, ds->n_conf, "completion mask");
    if (pg_h5_exists(ds->f, DS_COMPLETED)) {
        PG_TRY(pg_h5_shape(ds->f, DS_COMPLETED, &rank, dn));
        PG_TRY_REQUIRE(rank == 1 && dn[0] == ds->n_conf, PG_ERR_INPUT,
                       "%s: %s has %lld entries, expected %lld", path, DS_COMPLETED,
                       (long long)dn[0], (long long)ds->n_conf);
        PG_TRY(pg_h5_read(ds->f, DS_COMPLETED, PG_H5_U8, ds->usable));
    } else {
        memset(ds->usable, 1, (size_t)ds->n_conf);
    }
    if (pg_h5_exists(ds->f, DS_IMPORTED)) { /* external labels: rows not imported have none */
        uint8_t *imp = NULL;
        PG_TRY(pg_h5_shape(ds->f, DS_IMPORTED, &rank, dn));
        PG_TRY_REQUIRE(rank == 1 && dn[0] == ds->n_conf, PG_ERR_INPUT,
                       "%s: %s has %lld entries, expected %lld", path, DS_IMPORTED,
                       (long long)dn[0], (long long)ds->n_conf);
        PG_TRY_CALLOC(imp, ds->n_conf, "import mask");
        st = pg_h5_read(ds->f, DS_IMPORTED, PG_H5_U8, imp);
        for (int64_t c = 0; c < ds->n_conf && st == PG_OK; c++) ds->usable[c] &= imp[c];
        free(imp);
        PG_TRY(st);
    }
    for (int64_t c = 0; c < ds->n_conf; c++) {
        PG_TRY_REQUIRE(ds->node_off[c + 1] >= ds->node_off[c] &&
                           ds->edge_off[c + 1] >= ds->edge_off[c],
                       PG_ERR_INPUT, "%s: offsets of configuration %lld decrease", path,
                       (long long)c);
        /* incomplete configurations have empty graphs (docs/dataset.md): skipped */
        if (ds->node_off[c + 1] == ds->node_off[c]) ds->usable[c] = 0;
    }
    PG_TRY_CALLOC(ds->labels, ds->n_conf * T, "labels");
    PG_TRY_CALLOC(ds->target_names, T, "target names");
    for (int t = 0; t < T; t++) {
        char p[256];
        snprintf(p, sizeof p, DS_LABELS "%s", targets[t]);
        ds->target_names[t] = strdup(targets[t]);
        PG_TRY_REQUIRE(ds->target_names[t], PG_ERR_NOMEM, "target name");
        PG_TRY_REQUIRE(pg_h5_exists(ds->f, p), PG_ERR_INPUT,
                       "%s: no labels for target '%s' (dataset %s missing)", path, targets[t], p);
        PG_TRY(pg_h5_read_alloc(ds->f, p, PG_H5_F64, (void **)&col, &rank, dims));
        PG_TRY_REQUIRE(rank == 1 && dims[0] == ds->n_conf, PG_ERR_INPUT,
                       "%s: %s has %lld values, expected one per configuration (%lld)", path, p,
                       (long long)dims[0], (long long)ds->n_conf);
        for (int64_t c = 0; c < ds->n_conf; c++) ds->labels[c * T + t] = col[c];
        free(col);
        col = NULL;
    }
cleanup:
    free(col);
    if (st != PG_OK) gnn_dataset_close(ds);
    return st;
}

int64_t gnn_dataset_bytes(const gnn_dataset_t *ds, const int64_t *confs, int64_t n)
{
    int64_t b = 0;
    for (int64_t k = 0; k < n; k++) {
        int64_t c = confs[k];
        b += 24 + (ds->node_off[c + 1] - ds->node_off[c]) * ds->F * 8 +
             (ds->edge_off[c + 1] - ds->edge_off[c]) * 24;
    }
    return b;
}

pg_status_t gnn_dataset_load(gnn_dataset_t *ds, const int64_t *confs, int64_t n,
                             gnn_graphs_t *g)
{
    pg_status_t st = PG_OK;
    double *x = NULL, *dist = NULL;
    int64_t *src = NULL, *dst = NULL;
    g->F = ds->F;
    for (int64_t k = 0; k < n;) {
        /* a run of consecutive configurations is read at once */
        int64_t k1 = k + 1;
        while (k1 < n && confs[k1] == confs[k1 - 1] + 1) k1++;
        int64_t c0 = confs[k], c1 = confs[k1 - 1] + 1;
        PG_TRY_REQUIRE(c0 >= 0 && c1 <= ds->n_conf, PG_ERR_INTERNAL,
                       "configuration %lld outside the dataset", (long long)c0);
        int64_t n0 = ds->node_off[c0], nn = ds->node_off[c1] - n0;
        int64_t e0 = ds->edge_off[c0], ne = ds->edge_off[c1] - e0;
        PG_TRY_CALLOC(x, nn * ds->F, "node features");
        PG_TRY_CALLOC(dist, ne, "edge distances");
        PG_TRY_CALLOC(src, ne, "edge sources");
        PG_TRY_CALLOC(dst, ne, "edge destinations");
        PG_TRY(pg_h5_read_rows(ds->f, DS_X, PG_H5_F64, n0, nn, x));
        PG_TRY(pg_h5_read_rows(ds->f, DS_SRC, PG_H5_I64, e0, ne, src));
        PG_TRY(pg_h5_read_rows(ds->f, DS_DST, PG_H5_I64, e0, ne, dst));
        PG_TRY(pg_h5_read_rows(ds->f, DS_DIST, PG_H5_F64, e0, ne, dist));
        for (int64_t c = c0; c < c1; c++) {
            int64_t a = ds->node_off[c] - n0, e = ds->edge_off[c] - e0;
            int64_t nv = ds->node_off[c + 1] - ds->node_off[c];
            int64_t nev = ds->edge_off[c + 1] - ds->edge_off[c];
            for (int64_t j = e; j < e + nev; j++)
                PG_TRY_REQUIRE(src[j] >= 0 && src[j] < nv && dst[j] >= 0 && dst[j] < nv,
                               PG_ERR_INPUT,
                               "%s: configuration %lld: edge %lld (%lld -> %lld) outside its "
                               "%lld nodes",
                               ds->path, (long long)c, (long long)(j - e), (long long)src[j],
                               (long long)dst[j], (long long)nv);
            PG_TRY(gnn_graphs_append(g, c, nv, nev, x + a * ds->F, src + e, dst + e, dist + e));
        }
        free(x);
        free(dist);
        free(src);
        free(dst);
        x = dist = NULL;
        src = dst = NULL;
        k = k1;
    }
cleanup:
    free(x);
    free(dist);
    free(src);
    free(dst);
    return st;
}

/* ---- batches --------------------------------------------------------------------------- */

void gnn_batchbuf_free(gnn_batchbuf_t *bb)
{
    free(bb->node_off);
    free(bb->src);
    free(bb->dst);
    free(bb->dist);
    free(bb->x);
    memset(bb, 0, sizeof *bb);
}

pg_status_t gnn_batch_build(const gnn_graphs_t *g, const int64_t *idx, int64_t n,
                            gnn_batchbuf_t *bb)
{
    int64_t nn = 0, ne = 0;
    for (int64_t k = 0; k < n; k++) {
        nn += g->node_off[idx[k] + 1] - g->node_off[idx[k]];
        ne += g->edge_off[idx[k] + 1] - g->edge_off[idx[k]];
    }
    if (n + 1 > bb->cap_b || !bb->node_off) {
        int64_t c = newcap(n + 1);
        PG_CHECK(regrow((void **)&bb->node_off, c, sizeof(int64_t), "batch offsets"));
        bb->cap_b = c;
    }
    if (ne > bb->cap_e || !bb->src) {
        int64_t c = newcap(ne);
        PG_CHECK(regrow((void **)&bb->src, c, sizeof(int64_t), "batch edges"));
        PG_CHECK(regrow((void **)&bb->dst, c, sizeof(int64_t), "batch edges"));
        PG_CHECK(regrow((void **)&bb->dist, c, sizeof(double), "batch edges"));
        bb->cap_e = c;
    }
    if (nn > bb->cap_n || !bb->x) {
        int64_t c = newcap(nn);
        PG_CHECK(regrow((void **)&bb->x, c * g->F, sizeof(double), "batch features"));
        bb->cap_n = c;
    }
    int64_t in = 0, ie = 0;
    bb->node_off[0] = 0;
    for (int64_t k = 0; k < n; k++) {
        int64_t gi = idx[k];
        int64_t a = g->node_off[gi], nv = g->node_off[gi + 1] - a;
        int64_t e = g->edge_off[gi], nev = g->edge_off[gi + 1] - e;
        memcpy(bb->x + in * g->F, g->x + a * g->F, sizeof(double) * (size_t)(nv * g->F));
        for (int64_t j = 0; j < nev; j++) {
            bb->src[ie + j] = g->src[e + j] + in;
            bb->dst[ie + j] = g->dst[e + j] + in;
        }
        memcpy(bb->dist + ie, g->dist + e, sizeof(double) * (size_t)nev);
        in += nv;
        ie += nev;
        bb->node_off[k + 1] = in;
    }
    bb->b = (pg_gnn_batch_t){.n_graphs = n, .n_nodes = nn, .n_edges = ne,
                             .node_offsets = bb->node_off, .edge_src = bb->src,
                             .edge_dst = bb->dst, .edge_dist = bb->dist, .node_features = bb->x};
    return PG_OK;
}
