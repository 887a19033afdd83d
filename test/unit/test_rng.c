/* test_rng.c - Philox known-answer vectors and statistical sanity of pg_rng.
 *
 * Known answers: Random123's published tests/kat_vectors (DEShawResearch/random123, the
 * "philox4x32 10" and "philox4x64 10" lines), and the FNV-1a 64 reference values from the
 * FNV authors' test suite ("", "a", "foobar").
 *
 * Statistical checks use fixed seeds, so they are deterministic; the thresholds are chosen
 * so that a *correct* generator with a random seed fails each check with probability
 * 1e-6 (two-sided normal |z| > 4.8916 for means and variances, the chi-square upper 1e-6
 * quantile for goodness-of-fit; quantiles from scipy.stats 1.10.1). With 10 such checks the
 * false-failure rate of the whole file is about 1e-5.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_rng.h"

#define Z_1E6 4.891638475698591 /* norm.isf(0.5e-6) */

static void test_kat_philox4x64(void **state)
{
    (void)state;
    static const uint64_t v[3][10] = {
        {0, 0, 0, 0, 0, 0, 0x16554d9eca36314cULL, 0xdb20fe9d672d0fdcULL, 0xd7e772cee186176bULL,
         0x7e68b68aec7ba23bULL},
        {~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL, 0x87b092c3013fe90bULL, 0x438c3c67be8d0224ULL,
         0x9cc7d7c69cd777b6ULL, 0xa09caebf594f0ba0ULL},
        {0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL, 0xa4093822299f31d0ULL,
         0x082efa98ec4e6c89ULL, 0x452821e638d01377ULL, 0xbe5466cf34e90c6cULL,
         0xa528f45403e61d95ULL, 0x38c72dbd566e9788ULL, 0xa5a1610e72fd18b5ULL,
         0x57bd43b5e52b7fe6ULL},
    };
    for (int t = 0; t < 3; t++) {
        uint64_t out[4];
        pg_rng_philox4x64(&v[t][0], &v[t][4], out);
        for (int i = 0; i < 4; i++) assert_true(out[i] == v[t][6 + i]);
    }
}

static void test_kat_philox4x32(void **state)
{
    (void)state;
    static const uint32_t v[3][10] = {
        {0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
        {~0U, ~0U, ~0U, ~0U, ~0U, ~0U, 0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
        {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, 0xd16cfe09,
         0x94fdcceb, 0x5001e420, 0x24126ea1},
    };
    for (int t = 0; t < 3; t++) {
        uint32_t out[4];
        pg_rng_philox4x32(&v[t][0], &v[t][4], out);
        for (int i = 0; i < 4; i++) assert_true(out[i] == v[t][6 + i]);
    }
}

static void test_tag_fnv1a(void **state)
{
    (void)state;
    assert_true(pg_rng_tag("") == 0xcbf29ce484222325ULL);
    assert_true(pg_rng_tag("a") == 0xaf63dc4c8601ec8cULL);
    assert_true(pg_rng_tag("foobar") == 0x85944171f73967e8ULL);
}

/* draw k of stream (seed, tag, i0, i1) is word k%4 of Philox({i0, i1, k/4, 0}, {seed, tag}) */
static void test_stream_layout(void **state)
{
    (void)state;
    const uint64_t seed = 20251115, tag = pg_rng_tag("test.layout");
    pg_rng_t r;
    pg_rng_init(&r, seed, tag, 17, 3);
    for (uint64_t k = 0; k < 13; k++) {
        uint64_t ctr[4] = {17, 3, k / 4, 0}, key[2] = {seed, tag}, out[4];
        pg_rng_philox4x64(ctr, key, out);
        assert_true(pg_rng_u64(&r) == out[k % 4]);
    }
    /* order independence: config 7 drawn after configs 0..6 equals config 7 drawn fresh */
    double a[20], b[20];
    for (uint64_t c = 0; c <= 7; c++) {
        pg_rng_init(&r, seed, tag, c, 0);
        for (int k = 0; k < 20; k++) a[k] = pg_rng_normal(&r);
    }
    pg_rng_init(&r, seed, tag, 7, 0);
    pg_rng_fill_normal(&r, b, 20);
    assert_memory_equal(a, b, sizeof a);
    /* different index, tag or seed: different stream */
    pg_rng_t r2;
    pg_rng_init(&r, seed, tag, 7, 0);
    pg_rng_init(&r2, seed, tag, 8, 0);
    assert_true(pg_rng_u64(&r) != pg_rng_u64(&r2));
    pg_rng_init(&r2, seed, pg_rng_tag("test.other"), 7, 0);
    assert_true(pg_rng_u64(&r) != pg_rng_u64(&r2));
    pg_rng_init(&r2, seed + 1, tag, 7, 0);
    pg_rng_init(&r, seed, tag, 7, 0);
    assert_true(pg_rng_u64(&r) != pg_rng_u64(&r2));
}

static void test_uniform_exact(void **state)
{
    (void)state;
    pg_rng_t r, c;
    pg_rng_init(&r, 1, 2, 3, 4);
    for (int k = 0; k < 100; k++) {
        c = r;
        const uint64_t w = pg_rng_u64(&c);
        assert_true(pg_rng_uniform(&r) == (double)(w >> 11) / 9007199254740992.0);
        c = r;
        const uint64_t w2 = pg_rng_u64(&c);
        const double u = pg_rng_uniform_open(&r);
        assert_true(u == ((double)(w2 >> 12) + 0.5) / 4503599627370496.0);
        assert_true(u > 0.0 && u < 1.0);
    }
    /* the extremes of the mapping */
    assert_true((double)(0 >> 11) * 0x1.0p-53 == 0.0);
    assert_true((double)(UINT64_MAX >> 11) * 0x1.0p-53 < 1.0);
    assert_true(((double)(UINT64_MAX >> 12) + 0.5) * 0x1.0p-52 == 1.0 - 0x1.0p-53);
    assert_true(((double)(0 >> 12) + 0.5) * 0x1.0p-52 == 0x1.0p-53);
    /* the 53-bit variant would round its top value up to exactly 1 (why 52 bits are used) */
    assert_true(((double)(UINT64_MAX >> 11) + 0.5) * 0x1.0p-53 == 1.0);
}

static void test_uniform_stats(void **state)
{
    (void)state;
    const int64_t n = 1000000;
    enum { NB = 100 };
    int64_t bins[NB] = {0};
    double s1 = 0, s2 = 0;
    pg_rng_t r;
    pg_rng_init(&r, 12345, pg_rng_tag("test.uniform"), 0, 0);
    for (int64_t k = 0; k < n; k++) {
        const double u = pg_rng_uniform(&r);
        assert_true(u >= 0.0 && u < 1.0);
        s1 += u;
        s2 += (u - 0.5) * (u - 0.5);
        bins[(int)(u * NB)]++;
    }
    const double mean = s1 / (double)n, var = s2 / (double)n;
    /* mean: sd = sqrt(1/12 / n); variance about the known mean: sd of (u-1/2)^2 is
     * sqrt(1/80 - 1/144) / sqrt(n) */
    assert_true(fabs(mean - 0.5) < Z_1E6 * sqrt(1.0 / 12.0 / (double)n));
    assert_true(fabs(var - 1.0 / 12.0) < Z_1E6 * sqrt((1.0 / 80 - 1.0 / 144) / (double)n));
    double chi2 = 0, e = (double)n / NB;
    for (int b = 0; b < NB; b++) chi2 += (bins[b] - e) * (bins[b] - e) / e;
    print_message("uniform: mean %.6f var %.6f chi2(99) %.1f (1e-6 quantile 180.79)\n", mean, var,
                  chi2);
    assert_true(chi2 < 180.79201532589974);
}

static void test_normal_stats(void **state)
{
    (void)state;
    const int64_t n = 1000000;
    enum { NB = 42 }; /* (-inf,-4), 40 bins of 0.2 over [-4,4), [4,inf) */
    int64_t bins[NB] = {0};
    double s1 = 0, s2 = 0;
    pg_rng_t r;
    pg_rng_init(&r, 777, pg_rng_tag("test.normal"), 5, 0);
    for (int64_t k = 0; k < n; k++) {
        const double x = pg_rng_normal(&r);
        assert_true(isfinite(x));
        s1 += x;
        s2 += x * x;
        int b = x < -4 ? 0 : x >= 4 ? NB - 1 : 1 + (int)floor((x + 4.0) / 0.2);
        if (b > NB - 2 && x < 4) b = NB - 2; /* rounding at the top edge */
        bins[b]++;
    }
    const double mean = s1 / (double)n, var = s2 / (double)n;
    assert_true(fabs(mean) < Z_1E6 * sqrt(1.0 / (double)n));
    assert_true(fabs(var - 1.0) < Z_1E6 * sqrt(2.0 / (double)n)); /* Var(x^2) = 2 */
    double chi2 = 0;
    for (int b = 0; b < NB; b++) {
        const double lo = b == 0 ? -INFINITY : -4.0 + 0.2 * (b - 1);
        const double hi = b == NB - 1 ? INFINITY : -4.0 + 0.2 * b;
        const double p = 0.5 * (erfc(lo / sqrt(2.0)) - erfc(hi / sqrt(2.0)));
        const double e = p * (double)n;
        chi2 += (bins[b] - e) * (bins[b] - e) / e;
    }
    print_message("normal: mean %.6f var %.6f chi2(41) %.1f (1e-6 quantile 99.17)\n", mean, var,
                  chi2);
    assert_true(chi2 < 99.17393756981505);
}

static void test_integers_and_shuffle(void **state)
{
    (void)state;
    pg_rng_t r;
    pg_rng_init(&r, 99, pg_rng_tag("test.int"), 0, 0);
    /* below(7): 700,000 draws, chi-square with 6 dof */
    int64_t cnt[7] = {0};
    for (int k = 0; k < 700000; k++) {
        const uint64_t v = pg_rng_below(&r, 7);
        assert_true(v < 7);
        cnt[v]++;
    }
    double chi2 = 0;
    for (int b = 0; b < 7; b++) chi2 += (cnt[b] - 1e5) * (cnt[b] - 1e5) / 1e5;
    assert_true(chi2 < 38.25833637720969);
    assert_true(pg_rng_below(&r, 1) == 0 && pg_rng_below(&r, 0) == 0);
    /* range is inclusive and covers both ends */
    int seen_lo = 0, seen_hi = 0;
    for (int k = 0; k < 1000; k++) {
        const int64_t v = pg_rng_range(&r, -3, 3);
        assert_true(v >= -3 && v <= 3);
        seen_lo |= v == -3;
        seen_hi |= v == 3;
    }
    assert_true(seen_lo && seen_hi);
    assert_true(pg_rng_range(&r, 5, 5) == 5);
    /* shuffle of 3 items: all 6 permutations equally likely (60,000 streams, 5 dof) */
    int64_t perm_cnt[6] = {0};
    for (uint64_t c = 0; c < 60000; c++) {
        int64_t a[3] = {0, 1, 2};
        pg_rng_init(&r, 99, pg_rng_tag("test.shuffle"), c, 0);
        pg_rng_shuffle_int64(&r, a, 3);
        assert_true(a[0] + a[1] + a[2] == 3 && a[0] != a[1] && a[1] != a[2] && a[0] != a[2]);
        perm_cnt[a[0] * 2 + (a[1] > a[2])]++;
    }
    chi2 = 0;
    for (int b = 0; b < 6; b++) chi2 += (perm_cnt[b] - 1e4) * (perm_cnt[b] - 1e4) / 1e4;
    assert_true(chi2 < 35.888186879672865);
    /* the generic shuffle applies the same permutation as the int64 one */
    int64_t a[50];
    struct {
        int64_t v;
        char pad[9];
    } s[50];
    for (int k = 0; k < 50; k++) {
        a[k] = k;
        s[k].v = k;
    }
    pg_rng_t r1, r2;
    pg_rng_init(&r1, 3, 4, 5, 6);
    r2 = r1;
    pg_rng_shuffle_int64(&r1, a, 50);
    pg_rng_shuffle(&r2, s, 50, sizeof s[0]);
    for (int k = 0; k < 50; k++) assert_true(a[k] == s[k].v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kat_philox4x64),  cmocka_unit_test(test_kat_philox4x32),
        cmocka_unit_test(test_tag_fnv1a),       cmocka_unit_test(test_stream_layout),
        cmocka_unit_test(test_uniform_exact),   cmocka_unit_test(test_uniform_stats),
        cmocka_unit_test(test_normal_stats),    cmocka_unit_test(test_integers_and_shuffle),
    };
    return cmocka_run_group_tests_name("rng", tests, NULL, NULL);
}
