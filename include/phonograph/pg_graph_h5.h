/* pg_graph_h5.h - crystal graphs stored in an HDF5 file (normally the dataset file) as ragged
 * arrays with offsets, in the group /graphs (layout: docs/dataset.md, "## graphs"):
 *   node_offsets [C+1] i64, edge_offsets [C+1] i64        graph c = rows off[c] .. off[c+1]-1
 *   node_features [N, F] f64, node_species [N] i32         (species index into features/species)
 *   edge_src, edge_dst [E] i32  LOCAL node indices (SPEC §1), edge_dist [E] f64 Å,
 *   edge_shift [E, 3] i32, edge_bond [E] i32
 *   features/{species [S] i32 (Z), kinds [K] str, min [K], max [K]} + attr one_hot,
 *   bond_types [S(S+1)/2] str;  attributes format, version, cutoff_ang, max_neighbors,
 *   max_edges, direction.
 * A configuration without a graph (not completed in the dataset) has 0 nodes and 0 edges.
 */
#ifndef PG_GRAPH_H5_H
#define PG_GRAPH_H5_H

#include <mpi.h>
#include <stdint.h>

#include "phonograph/pg_graph.h"
#include "phonograph/pg_h5.h"

#define PG_GRAPH_H5_GROUP "/graphs"
#define PG_GRAPH_H5_FORMAT "phonograph-graphs"
#define PG_GRAPH_H5_VERSION 1

/* Write (create or overwrite) /graphs. Collective on comm (the file's communicator; a serial
 * file: MPI_COMM_SELF). Each rank passes the graphs of configurations [first, first + b->n_graphs)
 * with batched node indices (pg_graph_batch_t); the blocks must tile [0, n_total) in rank
 * order. feat and opts must be the same on every rank. Errors agreed across ranks. */
pg_status_t pg_graph_h5_write(pg_h5_t *f, MPI_Comm comm, int64_t n_total, int64_t first,
                              const pg_graph_batch_t *b, const pg_features_t *feat,
                              const pg_graph_opts_t *opts);
/* Check format/version of /graphs and return the number of graphs. Errors: PG_ERR_INPUT. */
pg_status_t pg_graph_h5_check(pg_h5_t *f, int64_t *n_graphs);
/* The stored feature table and its normalisation. */
pg_status_t pg_graph_h5_read_features(pg_h5_t *f, pg_features_t *feat);
/* Read graphs [first, first+n) into a new batch (batched node indices). Collective if the
 * file was opened in parallel (every rank calls; n may differ, may be 0). */
pg_status_t pg_graph_h5_read(pg_h5_t *f, int64_t first, int64_t n, pg_graph_batch_t *b);

/* Where the configurations of a dataset file are found: the first of /configs/<name> and
 * /<name> that exists, for cell [C][3][3] (Å, rows = lattice vectors), positions [C][n][3] (Å),
 * species [C][n] (Z) and the optional completion mask completed [C] (u8; configurations
 * with 0 get an empty graph). */
/* Build the graphs of every configuration of the dataset file `path` and write them into
 * /graphs of the same file. Collective on comm: each rank reads and builds a contiguous block
 * of configurations, the writes are collective; the file is identical for any number of
 * ranks. Node features: kinds[n_kind] + one_hot, normalised over the species of all completed
 * configurations. Returns the totals (may be NULL). Errors agreed across ranks. */
pg_status_t pg_graph_build_file(MPI_Comm comm, const char *path, const pg_graph_opts_t *opts,
                                const pg_feat_kind_t *kinds, int n_kind, int one_hot,
                                int64_t totals[3]);

#endif
