/* gnn_internal.h - internals shared by src/gnn/ (not installed). */
#ifndef GNN_INTERNAL_H
#define GNN_INTERNAL_H

#include <stdint.h>

#include "phonograph/pg_gnn.h"
#include "phonograph/pg_h5.h"

/* ---- graphs in memory (CSR, SPEC §1: local node indices per graph) ---------------------- */
typedef struct {
    int F;
    int64_t n, cap_n;            /* graphs */
    int64_t n_nodes, cap_nodes;
    int64_t n_edges, cap_edges;
    int64_t *conf;               /* [n] configuration index in the dataset */
    int64_t *node_off, *edge_off;/* [n+1] */
    double *x;                   /* [n_nodes][F] */
    int64_t *src, *dst;          /* [n_edges] local to the graph */
    double *dist;                /* [n_edges] Å */
} gnn_graphs_t;

void gnn_graphs_free(gnn_graphs_t *g);
void gnn_graphs_clear(gnn_graphs_t *g);
/* Append one graph (grows the arrays). */
pg_status_t gnn_graphs_append(gnn_graphs_t *g, int64_t conf, int64_t n_nodes, int64_t n_edges,
                              const double *x, const int64_t *src, const int64_t *dst,
                              const double *dist);
int64_t gnn_graphs_bytes(const gnn_graphs_t *g);

/* ---- the dataset file (one small reader; the schema lives in data.c) -------------------- */
typedef struct {
    char *path;
    pg_h5_t *f;                  /* serial handle of this rank */
    int64_t n_conf;
    int F, T;
    int64_t *node_off, *edge_off;/* [n_conf+1] */
    double *labels;              /* [n_conf][T] raw, physical units */
    uint8_t *usable;             /* [n_conf] 1 = complete (/completed) with a non-empty graph */
    char **target_names;         /* [T] */
} gnn_dataset_t;

/* Open the file serially on this rank and read offsets and the labels of the T named
 * targets. Not collective. Errors: PG_ERR_IO, PG_ERR_INPUT (missing target, bad offsets). */
pg_status_t gnn_dataset_open(const char *path, int T, const char *const *targets,
                             gnn_dataset_t *ds);
void gnn_dataset_close(gnn_dataset_t *ds);
/* Bytes the graphs of confs[0..n) need in memory. */
int64_t gnn_dataset_bytes(const gnn_dataset_t *ds, const int64_t *confs, int64_t n);
/* Read the graphs of confs[0..n) (any order; contiguous runs read at once) and APPEND them to
 * g in that order. */
pg_status_t gnn_dataset_load(gnn_dataset_t *ds, const int64_t *confs, int64_t n,
                             gnn_graphs_t *g);

/* ---- batches --------------------------------------------------------------------------- */
typedef struct {
    int64_t cap_b, cap_n, cap_e;
    int64_t *node_off, *src, *dst;
    double *dist, *x;
    pg_gnn_batch_t b;
} gnn_batchbuf_t;

/* Batch of the graphs idx[0..n) of g (edge indices shifted to batch numbering). */
pg_status_t gnn_batch_build(const gnn_graphs_t *g, const int64_t *idx, int64_t n,
                            gnn_batchbuf_t *bb);
void gnn_batchbuf_free(gnn_batchbuf_t *bb);

#endif
