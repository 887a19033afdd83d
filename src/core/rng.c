/* rng.c - Philox4x64-10 streams (Random123) and the distributions built on them.
 * See pg_rng.h for the stream layout and the reproducibility guarantee. */
#include "phonograph/pg_rng.h"

#include <math.h>
#include <string.h>

#include <Random123/philox.h>

uint64_t pg_rng_tag(const char *name)
{
    /* FNV-1a, 64 bit: offset basis 14695981039346656037, prime 1099511628211 */
    uint64_t h = 14695981039346656037ULL;
    for (const unsigned char *p = (const unsigned char *)name; p && *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    return h;
}

void pg_rng_init(pg_rng_t *rng, uint64_t seed, uint64_t tag, uint64_t i0, uint64_t i1)
{
    memset(rng, 0, sizeof *rng);
    rng->key[0] = seed;
    rng->key[1] = tag;
    rng->ctr[0] = i0;
    rng->ctr[1] = i1;
    rng->ctr[2] = 0;
    rng->ctr[3] = 0;
    rng->n_used = 4;
}

void pg_rng_philox4x64(const uint64_t ctr[4], const uint64_t key[2], uint64_t out[4])
{
    philox4x64_ctr_t c = {{ctr[0], ctr[1], ctr[2], ctr[3]}};
    philox4x64_key_t k = {{key[0], key[1]}};
    philox4x64_ctr_t r = philox4x64(c, k); /* 10 rounds, Random123's default */
    for (int i = 0; i < 4; i++) out[i] = r.v[i];
}

void pg_rng_philox4x32(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4])
{
    philox4x32_ctr_t c = {{ctr[0], ctr[1], ctr[2], ctr[3]}};
    philox4x32_key_t k = {{key[0], key[1]}};
    philox4x32_ctr_t r = philox4x32(c, k);
    for (int i = 0; i < 4; i++) out[i] = r.v[i];
}

uint64_t pg_rng_u64(pg_rng_t *rng)
{
    if (rng->n_used >= 4) {
        pg_rng_philox4x64(rng->ctr, rng->key, rng->buf);
        rng->ctr[2]++; /* 2^64 blocks per (i0, i1): cannot wrap in practice */
        rng->n_used = 0;
    }
    return rng->buf[rng->n_used++];
}

double pg_rng_uniform(pg_rng_t *rng)
{
    return (double)(pg_rng_u64(rng) >> 11) * 0x1.0p-53;
}

double pg_rng_uniform_open(pg_rng_t *rng)
{
    /* 52 bits: (2^53 - 1) + 0.5 would need 54 bits and round up to 1.0 */
    return ((double)(pg_rng_u64(rng) >> 12) + 0.5) * 0x1.0p-52;
}

double pg_rng_normal(pg_rng_t *rng)
{
    if (rng->has_spare) {
        rng->has_spare = 0;
        return rng->spare;
    }
    const double u1 = pg_rng_uniform_open(rng);
    const double u2 = pg_rng_uniform(rng);
    const double r = sqrt(-2.0 * log(u1));
    const double t = 6.283185307179586 * u2; /* 2 pi */
    rng->spare = r * sin(t);
    rng->has_spare = 1;
    return r * cos(t);
}

void pg_rng_fill_normal(pg_rng_t *rng, double *out, int64_t n)
{
    for (int64_t k = 0; k < n; k++) out[k] = pg_rng_normal(rng);
}

uint64_t pg_rng_below(pg_rng_t *rng, uint64_t n)
{
    if (n <= 1) return 0;
    /* values below 2^64 mod n would make the low residues more likely: reject them */
    const uint64_t threshold = (0 - n) % n;
    uint64_t w;
    do {
        w = pg_rng_u64(rng);
    } while (w < threshold);
    return w % n;
}

int64_t pg_rng_range(pg_rng_t *rng, int64_t lo, int64_t hi)
{
    if (lo >= hi) return lo;
    const uint64_t span = (uint64_t)hi - (uint64_t)lo; /* exact in modular arithmetic */
    if (span == UINT64_MAX) return (int64_t)((uint64_t)lo + pg_rng_u64(rng));
    return (int64_t)((uint64_t)lo + pg_rng_below(rng, span + 1));
}

void pg_rng_shuffle_int64(pg_rng_t *rng, int64_t *a, int64_t n)
{
    for (int64_t k = n - 1; k > 0; k--) {
        const int64_t j = (int64_t)pg_rng_below(rng, (uint64_t)k + 1);
        const int64_t t = a[k];
        a[k] = a[j];
        a[j] = t;
    }
}

void pg_rng_shuffle(pg_rng_t *rng, void *base, int64_t n, size_t size)
{
    unsigned char *b = base;
    for (int64_t k = n - 1; k > 0; k--) {
        const int64_t j = (int64_t)pg_rng_below(rng, (uint64_t)k + 1);
        if (j == k) continue;
        unsigned char *x = b + (size_t)k * size, *y = b + (size_t)j * size;
        for (size_t s = 0; s < size; s++) {
            const unsigned char t = x[s];
            x[s] = y[s];
            y[s] = t;
        }
    }
}
