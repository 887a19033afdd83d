/* pg_rng.h - counter-based random numbers (Philox4x64-10 from Random123).
 *
 * Why counter-based: results must not depend on the number of ranks or on which rank
 * samples what. A Philox stream is a pure function
 *
 *     block(k) = Philox4x64-10(counter = {i0, i1, k, 0}, key = {seed, tag})
 *
 * of the deck seed, a stream tag naming *what* is drawn (pg_rng_tag("sample.phonon"),
 * "gnn.shuffle", ...), and up to two indices naming *which* item is drawn for (i0 =
 * configuration index, i1 = a sub-index such as a retry number or an epoch). Draw k of a
 * stream is block k/4, word k%4, so the j-th number drawn for configuration c is the same
 * whatever rank draws it, in whatever order configurations are processed. Never put a
 * rank number into a key or counter.
 *
 * Reproducibility (documented guarantee, tested in test/unit/test_rng.c):
 *  - pg_rng_u64, pg_rng_uniform, pg_rng_uniform_open, pg_rng_below, pg_rng_range and
 *    pg_rng_shuffle_* use only integer arithmetic and exact binary scaling: bit-for-bit
 *    identical on every platform and compiler.
 *  - pg_rng_normal uses the Box-Muller transform (log, sqrt, cos, sin from libm): bit-for-bit
 *    identical for the same binary and libm (what a dataset run uses), equal to within a
 *    few ulp across libm implementations.
 *  - Consumption is documented per function, so a caller can reason about which words a
 *    draw uses: u64/uniform/uniform_open: 1 word; normal: 2 words per pair (the second
 *    value of the pair is cached and returned by the next pg_rng_normal call); below/range:
 *    1 word, plus 1 more per rejection (probability < n/2^64 each); shuffle of n items:
 *    n-1 calls of pg_rng_below.
 *
 * The generator is a plain value struct (no allocation, nothing to free); copying it forks
 * an identical stream. Not thread-safe per object; distinct objects are independent.
 * Nothing here is collective and nothing can fail (no pg_status_t).
 */
#ifndef PG_RNG_H
#define PG_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t key[2]; /* {seed, tag} */
    uint64_t ctr[4]; /* {i0, i1, next block, 0} */
    uint64_t buf[4]; /* current block */
    int n_used;      /* words of buf already consumed (4 = need a new block) */
    int has_spare;   /* a cached second Box-Muller normal */
    double spare;
} pg_rng_t;

/* Stream tag from a name: 64-bit FNV-1a of the bytes of `name` (stable, documented, so
 * tags can be recomputed by other tools). */
uint64_t pg_rng_tag(const char *name);

/* Start the stream (seed, tag, i0, i1) at draw 0. */
void pg_rng_init(pg_rng_t *rng, uint64_t seed, uint64_t tag, uint64_t i0, uint64_t i1);

/* Raw Philox bijections (10 rounds), exactly Random123's philox4x64 / philox4x32, exposed
 * for known-answer tests and for callers that want stateless access. */
void pg_rng_philox4x64(const uint64_t ctr[4], const uint64_t key[2], uint64_t out[4]);
void pg_rng_philox4x32(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

/* Next 64 random bits (1 word). */
uint64_t pg_rng_u64(pg_rng_t *rng);
/* Uniform double in [0, 1): (w >> 11) * 2^-53, i.e. every multiple of 2^-53 equally likely. */
double pg_rng_uniform(pg_rng_t *rng);
/* Uniform double in (0, 1): ((w >> 12) + 0.5) * 2^-52, from 2^-53 to 1 - 2^-53; never 0 or 1
 * (safe for log). 52 bits, because (2^53 - 1) + 0.5 is not a double and would round to 1. */
double pg_rng_uniform_open(pg_rng_t *rng);
/* Standard normal N(0,1), Box-Muller on (u1 in (0,1), u2 in [0,1)):
 * r = sqrt(-2 ln u1), values r cos(2 pi u2) then r sin(2 pi u2). */
double pg_rng_normal(pg_rng_t *rng);
/* Fill out[n] with standard normals (same sequence as n calls of pg_rng_normal). */
void pg_rng_fill_normal(pg_rng_t *rng, double *out, int64_t n);
/* Unbiased integer in [0, n) for n >= 1 (n == 0 returns 0 and draws nothing): rejection of
 * the lowest 2^64 mod n values, then w mod n. */
uint64_t pg_rng_below(pg_rng_t *rng, uint64_t n);
/* Unbiased integer in [lo, hi] (lo <= hi; lo > hi returns lo and draws nothing). */
int64_t pg_rng_range(pg_rng_t *rng, int64_t lo, int64_t hi);
/* Fisher-Yates shuffle in place, from the last element down: for k = n-1 .. 1 swap a[k]
 * with a[pg_rng_below(k+1)]. Every permutation equally likely. */
void pg_rng_shuffle_int64(pg_rng_t *rng, int64_t *a, int64_t n);
/* Same permutation sequence for an array of n items of `size` bytes each. */
void pg_rng_shuffle(pg_rng_t *rng, void *base, int64_t n, size_t size);

#endif
