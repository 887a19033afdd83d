/* gnn_internal.h - internals shared by src/gnn/ (not installed). */
#ifndef GNN_INTERNAL_H
#define GNN_INTERNAL_H

#include <stdint.h>

/* The one place the GNN draws random numbers: a uniform double in [0, 1) from Philox4x32-10
 * (Random123) keyed by seed, counter (stream, index). Counter-based, so the value depends
 * only on (seed, stream, index), never on ranks or call order. Stream tags below.
 * TODO(issue 8): switch to include/phonograph/pg_rng.h when the dataset helper lands it. */
double gnn_rng_uniform(uint64_t seed, uint32_t stream, uint64_t index);

enum {
    GNN_RNG_INIT = 1,    /* parameter initialisation, index = parameter */
    GNN_RNG_SPLIT = 2,   /* train/val/test split, index = configuration */
    GNN_RNG_SHUFFLE = 3  /* per-epoch shuffle, index = epoch * 2^32 + position */
};

#endif
