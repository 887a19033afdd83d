/* test_neighbor.c - periodic neighbour lists against ASE, a brute-force reference,
 * invariances, the k-nearest cap and the error paths. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_cell.h"
#include "phonograph/pg_neighbor.h"

/* ---- reference files (test/data/neighbors/make_neighbors.py) ---------------------------- */
typedef struct {
    double cutoff;
    pg_cell_t cell;
    int64_t n_edge;
    int64_t *i, *j;
    int (*s)[3];
    double *d;
} ref_t;

static void ref_free(ref_t *r)
{
    pg_cell_free(&r->cell);
    free(r->i);
    free(r->j);
    free(r->s);
    free(r->d);
    memset(r, 0, sizeof *r);
}

static int ref_read(const char *path, ref_t *r)
{
    memset(r, 0, sizeof *r);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return 0;
    }
    char line[512];
    long long n = 0, ne = 0;
    int ok = fgets(line, sizeof line, f) != NULL && line[0] == '#';
    ok = ok && fscanf(f, " cutoff %lf lattice", &r->cutoff) == 1;
    double lat[3][3];
    for (int a = 0; ok && a < 3; a++)
        ok = fscanf(f, "%lf %lf %lf", &lat[a][0], &lat[a][1], &lat[a][2]) == 3;
    ok = ok && fscanf(f, " atoms %lld", &n) == 1 && pg_cell_init(&r->cell, n) == PG_OK;
    if (ok) memcpy(r->cell.lattice, lat, sizeof lat);
    for (long long k = 0; ok && k < n; k++)
        ok = fscanf(f, "%d %lf %lf %lf", &r->cell.z[k], &r->cell.pos[k][0], &r->cell.pos[k][1],
                    &r->cell.pos[k][2]) == 4;
    ok = ok && fscanf(f, " edges %lld", &ne) == 1;
    if (ok) {
        r->n_edge = ne;
        r->i = calloc((size_t)ne + 1, sizeof *r->i);
        r->j = calloc((size_t)ne + 1, sizeof *r->j);
        r->s = calloc((size_t)ne + 1, sizeof *r->s);
        r->d = calloc((size_t)ne + 1, sizeof *r->d);
        ok = r->i && r->j && r->s && r->d;
    }
    for (long long e = 0; ok && e < ne; e++) {
        long long ii, jj;
        ok = fscanf(f, "%lld %lld %d %d %d %lf", &ii, &jj, &r->s[e][0], &r->s[e][1], &r->s[e][2],
                    &r->d[e]) == 6;
        r->i[e] = ii;
        r->j[e] = jj;
    }
    fclose(f);
    if (!ok) fprintf(stderr, "%s: malformed reference file\n", path);
    return ok;
}

/* ---- brute force: every atom pair, every image in a box that bounds the cutoff sphere ---- */
typedef struct {
    int64_t i, j;
    int s[3];
    double d;
} bf_edge_t;

static int bf_cmp(const void *pa, const void *pb)
{
    const bf_edge_t *a = pa, *b = pb;
    if (a->i != b->i) return a->i < b->i ? -1 : 1;
    if (a->j != b->j) return a->j < b->j ? -1 : 1;
    for (int k = 0; k < 3; k++)
        if (a->s[k] != b->s[k]) return a->s[k] < b->s[k] ? -1 : 1;
    return 0;
}

/* Edges (sorted) of cell within rc, found without binning: for the pair (i, j) the image S
 * must satisfy |(r_j - r_i)·b_c + S_c| < rc |b_c| for each reciprocal row b_c. */
static bf_edge_t *brute_force(const pg_cell_t *c, double rc, int64_t *n_out)
{
    double inv[3][3];
    assert_int_equal(pg_mat3_inverse(c->lattice, inv), PG_OK);
    double bn[3];
    for (int a = 0; a < 3; a++)
        bn[a] = sqrt(inv[0][a] * inv[0][a] + inv[1][a] * inv[1][a] + inv[2][a] * inv[2][a]);
    int64_t cap = 1024, n = 0;
    bf_edge_t *e = malloc((size_t)cap * sizeof *e);
    for (int64_t i = 0; i < c->n_atom; i++)
        for (int64_t j = 0; j < c->n_atom; j++) {
            double dr[3], fd[3];
            for (int a = 0; a < 3; a++) dr[a] = c->pos[j][a] - c->pos[i][a];
            pg_cell_cart_to_frac(inv, dr, fd);
            int lo[3], hi[3];
            for (int a = 0; a < 3; a++) {
                lo[a] = (int)floor(-fd[a] - rc * bn[a]) - 1;
                hi[a] = (int)ceil(-fd[a] + rc * bn[a]) + 1;
            }
            for (int s0 = lo[0]; s0 <= hi[0]; s0++)
                for (int s1 = lo[1]; s1 <= hi[1]; s1++)
                    for (int s2 = lo[2]; s2 <= hi[2]; s2++) {
                        if (i == j && s0 == 0 && s1 == 0 && s2 == 0) continue;
                        double v[3];
                        for (int a = 0; a < 3; a++)
                            v[a] = dr[a] + (s0 * c->lattice[0][a] + s1 * c->lattice[1][a] +
                                            s2 * c->lattice[2][a]);
                        double d = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
                        if (!(d < rc)) continue;
                        if (n == cap) {
                            cap *= 2;
                            e = realloc(e, (size_t)cap * sizeof *e);
                        }
                        e[n++] = (bf_edge_t){i, j, {s0, s1, s2}, d};
                    }
        }
    qsort(e, (size_t)n, sizeof *e, bf_cmp);
    *n_out = n;
    return e;
}

/* Compare nl with a sorted edge array: (i, j, S) exactly, distances to tol, and the stored
 * vector against its definition d = r_j + S·L - r_i. Returns 1 if equal. */
static int same_edges(const pg_cell_t *c, const pg_neighbor_t *nl, const bf_edge_t *e,
                      int64_t n, double tol, const char *label)
{
    if (nl->n_edge != n || nl->n_atom != c->n_atom || nl->offsets[c->n_atom] != n) {
        fprintf(stderr, "%s: %lld edges, expected %lld\n", label, (long long)nl->n_edge,
                (long long)n);
        return 0;
    }
    int64_t k = 0;
    for (int64_t i = 0; i < c->n_atom; i++)
        for (int64_t p = nl->offsets[i]; p < nl->offsets[i + 1]; p++, k++) {
            const bf_edge_t *x = &e[k];
            if (x->i != i || x->j != nl->j[p] || x->s[0] != nl->shift[p][0] ||
                x->s[1] != nl->shift[p][1] || x->s[2] != nl->shift[p][2] ||
                !(fabs(x->d - nl->dist[p]) <= tol)) {
                fprintf(stderr,
                        "%s: edge %lld is (%lld %lld %d %d %d %.17g), expected (%lld %lld %d %d "
                        "%d %.17g)\n",
                        label, (long long)k, (long long)i, (long long)nl->j[p], nl->shift[p][0],
                        nl->shift[p][1], nl->shift[p][2], nl->dist[p], (long long)x->i,
                        (long long)x->j, x->s[0], x->s[1], x->s[2], x->d);
                return 0;
            }
            double v2 = 0.0;
            for (int a = 0; a < 3; a++) {
                int64_t j = nl->j[p];
                double v = c->pos[j][a] - c->pos[i][a] +
                           (nl->shift[p][0] * c->lattice[0][a] + nl->shift[p][1] * c->lattice[1][a] +
                            nl->shift[p][2] * c->lattice[2][a]);
                if (!(fabs(v - nl->vec[p][a]) <= 1e-12)) {
                    fprintf(stderr, "%s: edge %lld vector component %d %.17g, expected %.17g\n",
                            label, (long long)k, a, nl->vec[p][a], v);
                    return 0;
                }
                v2 += nl->vec[p][a] * nl->vec[p][a];
            }
            if (!(fabs(sqrt(v2) - nl->dist[p]) <= 1e-12)) return 0;
        }
    return 1;
}

static void test_ase_reference(void **state)
{
    (void)state;
    static const char *cases[] = {
        "nacl_cubic_c5.5",      "ag3sbr_c5.5",           "ag3sbr_c10",
        "ag3sbr_222_disp_c5.5", "ag3sbr_333_disp_c4.5",  "triclinic_c5.5",
        "triclinic_random60_c6", "small_cell_c7",        "one_atom_fcc_c5.5",
        "one_atom_triclinic_c10", "thin_skewed_c4.5",
    };
    for (size_t t = 0; t < sizeof cases / sizeof *cases; t++) {
        char path[256];
        snprintf(path, sizeof path, "test/data/neighbors/%s.txt", cases[t]);
        ref_t r;
        assert_true(ref_read(path, &r));
        assert_true(r.n_edge > 0);
        bf_edge_t *e = calloc((size_t)r.n_edge, sizeof *e);
        for (int64_t k = 0; k < r.n_edge; k++)
            e[k] = (bf_edge_t){r.i[k], r.j[k], {r.s[k][0], r.s[k][1], r.s[k][2]}, r.d[k]};
        pg_neighbor_t nl;
        assert_int_equal(pg_neighbor_build(&r.cell, r.cutoff, 0, &nl), PG_OK);
        assert_true(same_edges(&r.cell, &nl, e, r.n_edge, 1e-12, cases[t]));
        pg_neighbor_free(&nl);
        /* the same list through the brute-force reference (checks the reference too) */
        int64_t nb = 0;
        bf_edge_t *b = brute_force(&r.cell, r.cutoff, &nb);
        assert_int_equal(nb, r.n_edge);
        for (int64_t k = 0; k < nb; k++) assert_int_equal(bf_cmp(&b[k], &e[k]), 0);
        free(b);
        free(e);
        ref_free(&r);
    }
}

/* ---- random cells ----------------------------------------------------------------------- */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static double urand(void) /* splitmix64 -> [0,1) */
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}

static void random_cell(pg_cell_t *c, int64_t n, double skew, double spread)
{
    assert_int_equal(pg_cell_init(c, n), PG_OK);
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
            c->lattice[a][b] = (a == b ? 2.5 + 4.0 * urand() : 0.0) + skew * (urand() - 0.5);
    if (pg_cell_volume(c) < 0) /* keep right-handed (either is fine for the code) */
        for (int b = 0; b < 3; b++) c->lattice[0][b] = -c->lattice[0][b];
    for (int64_t i = 0; i < n; i++) {
        double f[3];
        for (int a = 0; a < 3; a++) f[a] = (urand() * (1.0 + 2.0 * spread)) - spread;
        pg_cell_frac_to_cart(c->lattice, f, c->pos[i]);
        c->z[i] = 1 + (int)(urand() * 83);
    }
}

static void test_brute_force_random(void **state)
{
    (void)state;
    for (int t = 0; t < 60; t++) {
        pg_cell_t c;
        int64_t n = 1 + (int64_t)(urand() * 24);
        random_cell(&c, n, t % 3 == 0 ? 0.0 : 5.0 * urand(), t % 2 ? 1.5 : 0.0);
        double rc = 0.5 + 8.0 * urand();
        int64_t nb = 0;
        bf_edge_t *b = brute_force(&c, rc, &nb);
        pg_neighbor_t nl;
        assert_int_equal(pg_neighbor_build(&c, rc, 0, &nl), PG_OK);
        char label[64];
        snprintf(label, sizeof label, "random cell %d (n=%lld, rc=%.3f)", t, (long long)n, rc);
        assert_true(same_edges(&c, &nl, b, nb, 1e-12, label));
        /* k-nearest cap against the brute-force edges sorted by (dist, j, S) */
        int k = 1 + (int)(urand() * 12);
        assert_int_equal(pg_neighbor_keep_nearest(&nl, k), PG_OK);
        for (int64_t i = 0, start = 0; i < n; i++) {
            int64_t end = start;
            while (end < nb && b[end].i == i) end++;
            int64_t m = end - start, keep = m < k ? m : k;
            /* selection of the k nearest by (d, j, S) on the reference row */
            bf_edge_t *row = malloc((size_t)(m + 1) * sizeof *row);
            memcpy(row, b + start, (size_t)m * sizeof *row);
            for (int64_t x = 0; x < m; x++)
                for (int64_t y = x + 1; y < m; y++) {
                    int less = row[y].d < row[x].d ||
                               (row[y].d == row[x].d && bf_cmp(&row[y], &row[x]) < 0);
                    if (less) {
                        bf_edge_t tmp = row[x];
                        row[x] = row[y];
                        row[y] = tmp;
                    }
                }
            qsort(row, (size_t)keep, sizeof *row, bf_cmp);
            assert_int_equal(nl.offsets[i + 1] - nl.offsets[i], keep);
            for (int64_t x = 0; x < keep; x++) {
                int64_t p = nl.offsets[i] + x;
                assert_int_equal(nl.j[p], row[x].j);
                assert_memory_equal(nl.shift[p], row[x].s, sizeof row[x].s);
                assert_true(nl.dist[p] == row[x].d || fabs(nl.dist[p] - row[x].d) < 1e-12);
            }
            free(row);
            start = end;
        }
        pg_neighbor_free(&nl);
        free(b);
        pg_cell_free(&c);
    }
}

/* ---- invariances ------------------------------------------------------------------------ */
/* Edges of nl as a sorted array after relabelling atoms k -> perm[k] and adding
 * dn[j] - dn[i] to each shift. If atom k of a cell was moved by the lattice vector dn[k]·L,
 * the moved cell's edge (i, j, S') is the original's (i, j, S' + dn_j - dn_i). */
static bf_edge_t *relabel(const pg_neighbor_t *nl, const int64_t *perm_new, const int (*dn)[3])
{
    bf_edge_t *e = malloc((size_t)(nl->n_edge + 1) * sizeof *e);
    for (int64_t i = 0, k = 0; i < nl->n_atom; i++)
        for (int64_t p = nl->offsets[i]; p < nl->offsets[i + 1]; p++, k++) {
            int64_t j = nl->j[p];
            e[k].i = perm_new ? perm_new[i] : i;
            e[k].j = perm_new ? perm_new[j] : j;
            for (int a = 0; a < 3; a++)
                e[k].s[a] = nl->shift[p][a] + (dn ? dn[j][a] - dn[i][a] : 0);
            e[k].d = nl->dist[p];
        }
    qsort(e, (size_t)nl->n_edge, sizeof *e, bf_cmp);
    return e;
}

/* the smallest gap |d - rc| over all candidate pairs, so rounding cannot move an edge */
static double cutoff_gap(const pg_cell_t *c, double rc)
{
    pg_neighbor_t nl;
    assert_int_equal(pg_neighbor_build(c, rc + 0.01, 0, &nl), PG_OK);
    double gap = 1.0;
    for (int64_t p = 0; p < nl.n_edge; p++) gap = fmin(gap, fabs(nl.dist[p] - rc));
    pg_neighbor_free(&nl);
    return gap;
}

static void test_invariance(void **state)
{
    (void)state;
    for (int t = 0; t < 12; t++) {
        pg_cell_t c, c2;
        int64_t n = 2 + (int64_t)(urand() * 30);
        random_cell(&c, n, 4.0 * urand(), 0.0);
        double rc = 3.0 + 4.0 * urand();
        if (cutoff_gap(&c, rc) < 1e-9) rc += 1e-3;
        assert_true(cutoff_gap(&c, rc) > 1e-9);
        pg_neighbor_t ref, nl;
        assert_int_equal(pg_neighbor_build(&c, rc, 0, &ref), PG_OK);
        bf_edge_t *e0 = relabel(&ref, NULL, NULL);

        /* translation by an arbitrary vector: identical list */
        assert_int_equal(pg_cell_copy(&c2, &c), PG_OK);
        double tr[3] = {17.3 * urand() - 8, 17.3 * urand() - 8, 17.3 * urand() - 8};
        for (int64_t i = 0; i < n; i++)
            for (int a = 0; a < 3; a++) c2.pos[i][a] += tr[a];
        assert_int_equal(pg_neighbor_build(&c2, rc, 0, &nl), PG_OK);
        assert_true(same_edges(&c2, &nl, e0, ref.n_edge, 1e-11, "translated"));
        pg_neighbor_free(&nl);

        /* atoms moved by whole lattice vectors dn_i: the same physical edges, shifts
         * relabelled; then pg_cell_wrap, whose moves are read back from the positions */
        int(*dn)[3] = calloc((size_t)n, sizeof *dn);
        double inv_l[3][3];
        assert_int_equal(pg_mat3_inverse(c.lattice, inv_l), PG_OK);
        for (int pass = 0; pass < 2; pass++) {
            for (int64_t i = 0; i < n; i++) {
                for (int a = 0; a < 3; a++) {
                    if (pass == 0) dn[i][a] = (int)(urand() * 7) - 3;
                    c2.pos[i][a] = c.pos[i][a];
                }
                for (int a = 0; a < 3; a++)
                    c2.pos[i][a] += dn[i][0] * c.lattice[0][a] + dn[i][1] * c.lattice[1][a] +
                                    dn[i][2] * c.lattice[2][a];
            }
            if (pass == 1) {
                assert_int_equal(pg_cell_wrap(&c2), PG_OK);
                for (int64_t i = 0; i < n; i++) {
                    double dr[3], f[3];
                    for (int a = 0; a < 3; a++) dr[a] = c2.pos[i][a] - c.pos[i][a];
                    pg_cell_cart_to_frac(inv_l, dr, f);
                    for (int a = 0; a < 3; a++) dn[i][a] = (int)lround(f[a]);
                }
            }
            assert_int_equal(pg_neighbor_build(&c2, rc, 0, &nl), PG_OK);
            bf_edge_t *e1 = relabel(&nl, NULL, (const int(*)[3])dn);
            assert_int_equal(nl.n_edge, ref.n_edge);
            for (int64_t k = 0; k < nl.n_edge; k++) {
                assert_int_equal(bf_cmp(&e1[k], &e0[k]), 0);
                assert_true(fabs(e1[k].d - e0[k].d) <= 1e-11);
            }
            free(e1);
            pg_neighbor_free(&nl);
        }
        free(dn);

        /* reordering: new atom k is old atom perm[k] */
        int64_t *perm = malloc((size_t)n * sizeof *perm);
        for (int64_t i = 0; i < n; i++) perm[i] = i;
        for (int64_t i = n - 1; i > 0; i--) {
            int64_t r = (int64_t)(urand() * (double)(i + 1));
            int64_t tmp = perm[i];
            perm[i] = perm[r];
            perm[r] = tmp;
        }
        for (int64_t k = 0; k < n; k++) {
            memcpy(c2.pos[k], c.pos[perm[k]], sizeof c2.pos[k]);
        }
        assert_int_equal(pg_neighbor_build(&c2, rc, 0, &nl), PG_OK);
        bf_edge_t *e2 = relabel(&nl, perm, NULL); /* new labels -> old labels */
        assert_int_equal(nl.n_edge, ref.n_edge);
        for (int64_t k = 0; k < nl.n_edge; k++) {
            assert_int_equal(bf_cmp(&e2[k], &e0[k]), 0);
            assert_true(fabs(e2[k].d - e0[k].d) <= 1e-12);
        }
        free(e2);
        free(perm);
        pg_neighbor_free(&nl);
        pg_neighbor_free(&ref);
        free(e0);
        pg_cell_free(&c2);
        pg_cell_free(&c);
    }
}

/* ---- k-nearest tie-break on exactly equal distances ------------------------------------ */
static void test_keep_nearest_ties(void **state)
{
    (void)state;
    pg_cell_t c;
    assert_int_equal(pg_cell_init(&c, 1), PG_OK);
    for (int a = 0; a < 3; a++) c.lattice[a][a] = 3.0; /* six neighbours at exactly 3 Å */
    pg_neighbor_t nl;
    assert_int_equal(pg_neighbor_build(&c, 3.5, 0, &nl), PG_OK);
    assert_int_equal(nl.n_edge, 6);
    assert_int_equal(pg_neighbor_keep_nearest(&nl, 4), PG_OK);
    assert_int_equal(nl.n_edge, 4);
    assert_int_equal(nl.offsets[1], 4);
    const int32_t expect[4][3] = {{-1, 0, 0}, {0, -1, 0}, {0, 0, -1}, {0, 0, 1}};
    for (int e = 0; e < 4; e++) {
        assert_memory_equal(nl.shift[e], expect[e], sizeof expect[e]);
        assert_true(nl.dist[e] == 3.0);
    }
    assert_int_equal(pg_neighbor_keep_nearest(&nl, 0), PG_OK); /* no-op */
    assert_int_equal(nl.n_edge, 4);
    pg_neighbor_free(&nl);
    pg_cell_free(&c);

    /* ties across different j: a=b=3, c=6 with atom 1 at c/2; atom 0 sees four images of
     * itself and two of atom 1, all at exactly 3 Å; k = 5 drops the last by (j, shift) */
    assert_int_equal(pg_cell_init(&c, 2), PG_OK);
    c.lattice[0][0] = c.lattice[1][1] = 3.0;
    c.lattice[2][2] = 6.0;
    c.pos[1][2] = 3.0;
    assert_int_equal(pg_neighbor_build(&c, 3.5, 0, &nl), PG_OK);
    assert_int_equal(nl.offsets[1], 6);
    assert_int_equal(pg_neighbor_keep_nearest(&nl, 5), PG_OK);
    assert_int_equal(nl.offsets[1], 5);
    const int64_t expect_j[5] = {0, 0, 0, 0, 1};
    const int32_t expect_s[5][3] = {{-1, 0, 0}, {0, -1, 0}, {0, 1, 0}, {1, 0, 0}, {0, 0, -1}};
    for (int e = 0; e < 5; e++) {
        assert_int_equal(nl.j[e], expect_j[e]);
        assert_memory_equal(nl.shift[e], expect_s[e], sizeof expect_s[e]);
        assert_true(nl.dist[e] == 3.0);
    }
    pg_neighbor_free(&nl);
    pg_cell_free(&c);
}

/* ---- errors ----------------------------------------------------------------------------- */
static void test_bad_cutoff(void **state)
{
    (void)state;
    pg_cell_t c;
    rng_state = 42;
    random_cell(&c, 200, 1.0, 0.0);
    pg_neighbor_t nl;
    const double bad[] = {0.0, -1.0, NAN, INFINITY};
    for (int k = 0; k < 4; k++) {
        pg_err_clear();
        assert_int_equal(pg_neighbor_build(&c, bad[k], 0, &nl), PG_ERR_INPUT);
        assert_non_null(strstr(pg_err_message(), "cutoff must be a positive"));
        assert_null(nl.offsets);
        assert_null(nl.j);
    }
    /* estimated explosion: refused before scanning or allocating (a scan of this size would
     * take hours; the test would time out) */
    pg_err_clear();
    assert_int_equal(pg_neighbor_build(&c, 500.0, 1000000, &nl), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "above the cap"));
    assert_null(nl.offsets);
    /* without a cap an absurd cutoff is still refused by the image limit */
    pg_err_clear();
    assert_int_equal(pg_neighbor_build(&c, 5000.0, 0, &nl), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "too large for this cell"));
    /* exact cap: at the count it passes, one below it fails */
    assert_int_equal(pg_neighbor_build(&c, 4.0, 0, &nl), PG_OK);
    int64_t n_edge = nl.n_edge;
    pg_neighbor_free(&nl);
    assert_true(n_edge > 100);
    assert_int_equal(pg_neighbor_build(&c, 4.0, n_edge, &nl), PG_OK);
    assert_int_equal(nl.n_edge, n_edge);
    pg_neighbor_free(&nl);
    pg_err_clear();
    assert_int_equal(pg_neighbor_build(&c, 4.0, n_edge - 1, &nl), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "above the cap"));
    assert_null(nl.j);
    /* singular cell */
    memset(c.lattice, 0, sizeof c.lattice);
    c.lattice[0][0] = c.lattice[1][1] = 3.0;
    pg_err_clear();
    assert_int_equal(pg_neighbor_build(&c, 4.0, 0, &nl), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "singular"));
    pg_cell_free(&c);
    /* empty cell: valid, no edges */
    assert_int_equal(pg_cell_init(&c, 0), PG_OK);
    c.lattice[0][0] = c.lattice[1][1] = c.lattice[2][2] = 3.0;
    assert_int_equal(pg_neighbor_build(&c, 4.0, 0, &nl), PG_OK);
    assert_int_equal(nl.n_edge, 0);
    assert_int_equal(nl.offsets[0], 0);
    pg_neighbor_free(&nl);
    pg_cell_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ase_reference),     cmocka_unit_test(test_brute_force_random),
        cmocka_unit_test(test_invariance),        cmocka_unit_test(test_keep_nearest_ties),
        cmocka_unit_test(test_bad_cutoff),
    };
    return cmocka_run_group_tests_name("neighbor", tests, NULL, NULL);
}
