/* crystal_graph.c - a configuration as a graph: node features per atom, directed edges from
 * the periodic neighbour list (src = neighbour j, dst = centre i; see pg_graph.h), batches. */
#include "phonograph/pg_graph.h"

#include <stdlib.h>
#include <string.h>

#include "phonograph/pg_element.h"
#include "phonograph/pg_neighbor.h"

pg_graph_opts_t pg_graph_opts_default(void)
{
    pg_graph_opts_t o = {PG_GRAPH_DEFAULT_CUTOFF_ANG, 0, 0};
    return o;
}

void pg_graph_free(pg_graph_t *g)
{
    if (!g) return;
    free(g->node_features);
    free(g->node_species);
    free(g->in_offsets);
    free(g->edge_src);
    free(g->edge_dst);
    free(g->edge_dist);
    free(g->edge_shift);
    free(g->edge_bond);
    memset(g, 0, sizeof *g);
}

pg_status_t pg_graph_build(const pg_cell_t *cell, const pg_features_t *feat,
                           const pg_graph_opts_t *opts, pg_graph_t *g)
{
    pg_status_t st = PG_OK;
    pg_neighbor_t nl;
    memset(&nl, 0, sizeof nl);
    memset(g, 0, sizeof *g);
    const pg_graph_opts_t o = opts ? *opts : pg_graph_opts_default();
    PG_REQUIRE(o.max_neighbors >= 0, PG_ERR_INPUT,
               "max_neighbors must be >= 0 (0 = no cap), found %d", o.max_neighbors);
    const int64_t n = cell->n_atom;
    /* species first: a wrong element is reported before any neighbour search */
    for (int64_t i = 0; i < n; i++)
        PG_REQUIRE(pg_features_species(feat, cell->z[i]) >= 0, PG_ERR_INPUT,
                   "atom %lld is %s (Z=%d), not one of the %d species of the feature table",
                   (long long)i, pg_element_symbol(cell->z[i]), cell->z[i], feat->n_species);
    PG_TRY(pg_neighbor_build(cell, o.cutoff_ang, o.max_edges, &nl));
    if (o.max_neighbors > 0) PG_TRY(pg_neighbor_keep_nearest(&nl, o.max_neighbors));

    const int64_t ne = nl.n_edge;
    g->n_node = n;
    g->n_feat = feat->n_feat;
    g->cutoff_ang = o.cutoff_ang;
    PG_TRY_CALLOC(g->node_features, n * feat->n_feat, "graph node features");
    PG_TRY_CALLOC(g->node_species, n, "graph node species");
    PG_TRY_CALLOC(g->in_offsets, n + 1, "graph offsets");
    PG_TRY_CALLOC(g->edge_src, ne, "graph edge sources");
    PG_TRY_CALLOC(g->edge_dst, ne, "graph edge destinations");
    PG_TRY_CALLOC(g->edge_dist, ne, "graph edge distances");
    PG_TRY_CALLOC(g->edge_shift, ne, "graph edge shifts");
    PG_TRY_CALLOC(g->edge_bond, ne, "graph bond types");
    for (int64_t i = 0; i < n; i++) {
        g->node_species[i] = pg_features_species(feat, cell->z[i]);
        PG_TRY(pg_features_row(feat, cell->z[i], g->node_features + i * feat->n_feat));
    }
    memcpy(g->in_offsets, nl.offsets, (size_t)(n + 1) * sizeof *g->in_offsets);
    for (int64_t i = 0; i < n; i++)
        for (int64_t e = nl.offsets[i]; e < nl.offsets[i + 1]; e++) {
            int64_t j = nl.j[e];
            g->edge_src[e] = j;
            g->edge_dst[e] = i;
            g->edge_dist[e] = nl.dist[e];
            memcpy(g->edge_shift[e], nl.shift[e], sizeof g->edge_shift[e]);
            g->edge_bond[e] =
                pg_features_bond_type(feat, g->node_species[j], g->node_species[i]);
        }
    g->n_edge = ne;
cleanup:
    pg_neighbor_free(&nl);
    if (st != PG_OK) pg_graph_free(g);
    return st;
}

void pg_graph_batch_free(pg_graph_batch_t *b)
{
    if (!b) return;
    free(b->node_offsets);
    free(b->edge_offsets);
    free(b->node_features);
    free(b->node_species);
    free(b->edge_src);
    free(b->edge_dst);
    free(b->edge_dist);
    free(b->edge_shift);
    free(b->edge_bond);
    memset(b, 0, sizeof *b);
}

pg_status_t pg_graph_batch_alloc(pg_graph_batch_t *b, int64_t n_graphs, int64_t n_nodes,
                                 int64_t n_edges, int n_feat)
{
    pg_status_t st = PG_OK;
    memset(b, 0, sizeof *b);
    PG_REQUIRE(n_graphs >= 0 && n_nodes >= 0 && n_edges >= 0 && n_feat >= 0, PG_ERR_INPUT,
               "negative graph batch size (%lld graphs, %lld nodes, %lld edges, %d features)",
               (long long)n_graphs, (long long)n_nodes, (long long)n_edges, n_feat);
    b->n_graphs = n_graphs;
    b->n_nodes = n_nodes;
    b->n_edges = n_edges;
    b->n_feat = n_feat;
    PG_TRY_CALLOC(b->node_offsets, n_graphs + 1, "batch node offsets");
    PG_TRY_CALLOC(b->edge_offsets, n_graphs + 1, "batch edge offsets");
    PG_TRY_CALLOC(b->node_features, n_nodes * n_feat, "batch node features");
    PG_TRY_CALLOC(b->node_species, n_nodes, "batch node species");
    PG_TRY_CALLOC(b->edge_src, n_edges, "batch edge sources");
    PG_TRY_CALLOC(b->edge_dst, n_edges, "batch edge destinations");
    PG_TRY_CALLOC(b->edge_dist, n_edges, "batch edge distances");
    PG_TRY_CALLOC(b->edge_shift, n_edges, "batch edge shifts");
    PG_TRY_CALLOC(b->edge_bond, n_edges, "batch bond types");
    return PG_OK;
cleanup:
    pg_graph_batch_free(b);
    return st;
}

pg_status_t pg_graph_batch_concat(const pg_graph_t *graphs, int64_t n, pg_graph_batch_t *b)
{
    memset(b, 0, sizeof *b);
    PG_REQUIRE(n >= 0, PG_ERR_INPUT, "negative number of graphs %lld", (long long)n);
    int64_t nn = 0, ne = 0;
    int nf = n > 0 ? graphs[0].n_feat : 0;
    for (int64_t g = 0; g < n; g++) {
        PG_REQUIRE(graphs[g].n_feat == nf, PG_ERR_INPUT,
                   "graph %lld has %d node features, graph 0 has %d", (long long)g,
                   graphs[g].n_feat, nf);
        nn += graphs[g].n_node;
        ne += graphs[g].n_edge;
    }
    PG_CHECK(pg_graph_batch_alloc(b, n, nn, ne, nf));
    for (int64_t g = 0; g < n; g++) {
        const pg_graph_t *x = &graphs[g];
        int64_t n0 = b->node_offsets[g], e0 = b->edge_offsets[g];
        b->node_offsets[g + 1] = n0 + x->n_node;
        b->edge_offsets[g + 1] = e0 + x->n_edge;
        if (x->n_node) {
            memcpy(b->node_features + n0 * nf, x->node_features,
                   (size_t)(x->n_node * nf) * sizeof(double));
            memcpy(b->node_species + n0, x->node_species,
                   (size_t)x->n_node * sizeof *b->node_species);
        }
        for (int64_t e = 0; e < x->n_edge; e++) {
            b->edge_src[e0 + e] = x->edge_src[e] + n0;
            b->edge_dst[e0 + e] = x->edge_dst[e] + n0;
            b->edge_dist[e0 + e] = x->edge_dist[e];
            memcpy(b->edge_shift[e0 + e], x->edge_shift[e], sizeof b->edge_shift[e0 + e]);
            b->edge_bond[e0 + e] = x->edge_bond[e];
        }
    }
    return PG_OK;
}
