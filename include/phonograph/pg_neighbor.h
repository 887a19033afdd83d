/* pg_neighbor.h - periodic neighbour lists for any triclinic cell, all images included.
 *
 * Directed edges i -> j + image within cutoff_ang, found by O(N) cell lists (binning) over
 * all periodic images, so cells smaller than twice the cutoff are handled exactly (an atom
 * may see several images of one neighbour, and images of itself; j == i with a non-zero
 * shift is a self-image edge). Storage is CSR: edges of atom i are
 * offsets[i] .. offsets[i+1]-1. The vector of an edge is
 *     d = pos[j] + shift · lattice - pos[i]        (shift: integer image, row vector)
 * Order is deterministic: by i, then j, then shift (lexicographic). Not collective.
 */
#ifndef PG_NEIGHBOR_H
#define PG_NEIGHBOR_H

#include <stdint.h>

#include "phonograph/pg_cell.h"
#include "phonograph/pg_status.h"

typedef struct {
    int64_t n_atom;
    int64_t n_edge;
    double cutoff_ang;
    int64_t *offsets;   /* [n_atom+1] CSR offsets */
    int64_t *j;         /* [n_edge] neighbour atom index */
    int32_t (*shift)[3];/* [n_edge][3] integer image of j */
    double (*vec)[3];   /* [n_edge][3] d = r_j + shift·L - r_i (Å) */
    double *dist;       /* [n_edge] |d| (Å) */
} pg_neighbor_t;

/* Build the list of all pairs with |d| < cutoff_ang (strictly inside, as ASE), except an
 * atom with itself in the same image (i == j, shift 0), which is never an edge; this is
 * ase.neighborlist.neighbor_list('ijSd', atoms, cutoff) with self_interaction=False.
 * Positions need not be wrapped into the cell: shift refers to the positions as given.
 * Thread-safe (no shared state).
 * max_edges caps memory: if the estimated or actual edge count exceeds it, PG_ERR_INPUT
 * before allocating (0 = no cap). On success *nl owns its arrays (release with
 * pg_neighbor_free). Errors: PG_ERR_INPUT (cutoff <= 0, singular cell, cap), PG_ERR_NOMEM. */
pg_status_t pg_neighbor_build(const pg_cell_t *cell, double cutoff_ang, int64_t max_edges,
                              pg_neighbor_t *nl);
/* Keep at most k nearest edges per atom (CGCNN-style cap; ties of equal distance broken by
 * smaller j, then lexicographically smaller shift); the kept edges stay in (j, shift) order.
 * k <= 0: no-op. The arrays keep their capacity. Errors: PG_ERR_NOMEM. */
pg_status_t pg_neighbor_keep_nearest(pg_neighbor_t *nl, int k);
void pg_neighbor_free(pg_neighbor_t *nl);

#endif
