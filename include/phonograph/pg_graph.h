/* pg_graph.h - crystal graphs (atoms = nodes, neighbour pairs = directed edges) and batches.
 *
 * Contract with the GNN (../shared/reference/gnn/SPEC.md §1): node features x [N, F] per atom
 * (pg_features.h), directed edges src -> dst with LOCAL node indices in a graph, edge_dist in Å.
 * Messages flow src -> dst and are averaged at dst.
 *
 * Direction convention. The neighbour list gives, for each centre atom i, its neighbours j
 * (j + image S within the cutoff of i; pg_neighbor.h). The graph edge is
 *     src = j (the neighbour, sender),  dst = i (the centre, receiver),
 * so node i aggregates messages from its own neighbour list, as in CGCNN. The edge vector is
 * r_src + shift·L - r_dst (from the receiver to the sender's image). Because the full
 * neighbour list is symmetric ((i, j, S) present iff (j, i, -S) is), the set of edges is the
 * same with either convention; the convention fixes the ORDER and the k-nearest cap, which
 * keeps the k nearest INCOMING edges of each node.
 *
 * Storage order: edges are grouped by dst (CSR: the in-edges of node i are
 * in_offsets[i] .. in_offsets[i+1]-1), within a node by (src, shift): the neighbour list's
 * order. Periodic images are ordinary edges: a self-image gives src == dst; several images of
 * one neighbour give repeated (src, dst) pairs with different shift and distance.
 *
 * Each edge also carries its image shift and a bond type (unordered species pair, see
 * pg_features.h), so explainability can aggregate by bond. Edge features other than the
 * distance are not stored (the model expands the distance into Gaussians).
 * Not collective; thread-safe (no shared state).
 */
#ifndef PG_GRAPH_H
#define PG_GRAPH_H

#include <stdint.h>

#include "phonograph/pg_cell.h"
#include "phonograph/pg_deck.h"
#include "phonograph/pg_features.h"
#include "phonograph/pg_status.h"

#define PG_GRAPH_DEFAULT_CUTOFF_ANG 5.5 /* the paper group's graph cutoff */

typedef struct {
    double cutoff_ang;  /* neighbour cutoff (Å), default 5.5 */
    int max_neighbors;  /* keep the k nearest in-edges per node (CGCNN cap); 0 = all */
    int64_t max_edges;  /* memory cap on the edges of one graph, checked before allocating;
                           0 = none */
} pg_graph_opts_t;

/* cutoff 5.5 Å, no k cap, max_edges 0. */
pg_graph_opts_t pg_graph_opts_default(void);

/* The [graph] deck section (src/graph/graph_keys.c): options, node-feature kinds
 * (kinds[*n_kind]) and the one-hot flag. Errors: PG_ERR_INPUT naming the deck line. */
pg_status_t pg_graph_opts_from_deck(const pg_deck_t *d, pg_graph_opts_t *o,
                                    pg_feat_kind_t kinds[PG_FEAT_N_KINDS], int *n_kind,
                                    int *one_hot);

/* One graph (value struct: pg_graph_free releases it). */
typedef struct {
    int64_t n_node;
    int64_t n_edge;
    int n_feat;
    double cutoff_ang;
    double *node_features;     /* [n_node][n_feat] normalised (pg_features_row) */
    int32_t *node_species;     /* [n_node] species index into pg_features_t.z */
    int64_t *in_offsets;       /* [n_node+1] CSR over dst */
    int64_t *edge_src;         /* [n_edge] local node index of the sender (neighbour j) */
    int64_t *edge_dst;         /* [n_edge] local node index of the receiver (centre i) */
    double *edge_dist;         /* [n_edge] |r_src + shift·L - r_dst| (Å) */
    int32_t (*edge_shift)[3];  /* [n_edge][3] integer image of src */
    int32_t *edge_bond;        /* [n_edge] bond type (pg_features_bond_type) */
} pg_graph_t;

/* Build the graph of `cell` with the features of `feat` (every atom's z must be one of its
 * species). On success *g owns its arrays. Errors: PG_ERR_INPUT (bad cutoff, edge cap, unknown
 * species: message names the atom), PG_ERR_NOMEM. */
pg_status_t pg_graph_build(const pg_cell_t *cell, const pg_features_t *feat,
                           const pg_graph_opts_t *opts, pg_graph_t *g);
/* Release members and zero the struct; accepts a zeroed struct. */
void pg_graph_free(pg_graph_t *g);

/* A batch of whole graphs, concatenated (value struct: pg_graph_batch_free).
 * Graph g has nodes node_offsets[g] .. node_offsets[g+1]-1 and edges
 * edge_offsets[g] .. edge_offsets[g+1]-1. In memory edge_src / edge_dst are BATCHED node
 * indices (local + node_offsets[g]), ready for pg_gnn_batch_t; in files they are local
 * (SPEC §1), and the readers/writers convert. */
typedef struct {
    int64_t n_graphs, n_nodes, n_edges;
    int n_feat;
    int64_t *node_offsets;    /* [n_graphs+1], node_offsets[0] = 0 */
    int64_t *edge_offsets;    /* [n_graphs+1], edge_offsets[0] = 0 */
    double *node_features;    /* [n_nodes][n_feat] */
    int32_t *node_species;    /* [n_nodes] */
    int64_t *edge_src;        /* [n_edges] batched sender */
    int64_t *edge_dst;        /* [n_edges] batched receiver */
    double *edge_dist;        /* [n_edges] Å */
    int32_t (*edge_shift)[3]; /* [n_edges][3] */
    int32_t *edge_bond;       /* [n_edges] */
} pg_graph_batch_t;

/* Allocate a batch of the given sizes (offsets zeroed). Errors: PG_ERR_INPUT, PG_ERR_NOMEM. */
pg_status_t pg_graph_batch_alloc(pg_graph_batch_t *b, int64_t n_graphs, int64_t n_nodes,
                                 int64_t n_edges, int n_feat);
/* Concatenate graphs[0..n-1] (equal n_feat) into a new batch. */
pg_status_t pg_graph_batch_concat(const pg_graph_t *graphs, int64_t n, pg_graph_batch_t *b);
/* Release members and zero the struct; accepts a zeroed struct. */
void pg_graph_batch_free(pg_graph_batch_t *b);

#endif
