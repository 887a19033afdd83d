/* neighbor.c - periodic neighbour lists by cell lists (binning) over all images.
 *
 * Method. Atoms are wrapped into the cell (fractional f in [0,1), remembering the integer
 * part n_i) and sorted into nb_0 x nb_1 x nb_2 bins that slice the cell along its lattice
 * planes. Along direction c the distance between lattice planes is h_c = 1/|b_c| (b_c the
 * reciprocal row), so a bin is w_c = h_c/nb_c thick. Two points closer than the cutoff rc
 * differ in fractional coordinate c by less than rc/h_c, i.e. by fewer than rc/w_c bins, so
 * their bin indices differ by at most r_c = ceil(rc/w_c) (see the bound in search_range).
 * Scanning bin offsets -r_c..r_c, where an offset past the edge of the cell is a periodic
 * image (bin k = kb + s*nb_c), visits every image of every neighbour exactly once, however
 * small the cell is compared with the cutoff. Bins target a thickness of rc/2 (125 bins
 * scanned per atom in a large cell), the better trade-off between empty bins and wasted
 * candidates at the densities we see (~0.03-0.05 atoms/Å^3).
 *
 * Exactness. Candidates are filtered with a small margin on wrapped coordinates; the
 * stored vector is then recomputed from the caller's positions in the same way as ASE
 * (d = (r_j - r_i) + S·L) and the strict test |d| < rc decides, so edge sets agree with
 * ase.neighborlist.neighbor_list bit for bit except for pairs within ~1 ulp of the cutoff.
 *
 * Cost. Two passes over the same candidates: the first counts (no allocation beyond the
 * O(N) bin tables), the second fills exactly-sized arrays; each atom's row is sorted by
 * (j, shift). O(N) for a fixed density and cutoff.
 */
#include "phonograph/pg_neighbor.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Limit on bin offsets scanned per atom; beyond it the cutoff is absurd for the cell. */
#define NB_MAX_OFFSETS 2000000LL

typedef struct {
    uint64_t key; /* (j, shift) packed so that integer order = (j, shift) order; see pack */
    int64_t j;
    int32_t s[3];
    double vec[3];
    double dist;
} nb_edge_t;

/* Shifts within +-NB_SHIFT_HALF pack into 8 bits each below j; rows with larger shifts (atoms
 * given far outside the cell) fall back to a comparison sort. */
#define NB_SHIFT_HALF 127

typedef struct {
    const pg_cell_t *cell;
    double cutoff, cut2_margin;
    int nb[3];          /* bins per direction */
    int r[3];           /* bin offsets scanned per direction */
    int64_t *bin_start; /* [n_bins+1] */
    int64_t *bin_atom;  /* [n_atom] atoms sorted by bin (stable: ascending index) */
    int *atom_bin;      /* [n_atom][3] bin of each atom, flattened */
    int64_t *wrap;      /* [n_atom][3] integer part n_i of the fractional coordinates */
    double (*pw)[3];    /* [n_atom][3] wrapped Cartesian positions pos - n·L */
    double (*fw)[3];    /* [n_atom][3] wrapped fractional coordinates in [0, 1) */
    double (*bpos)[3];  /* [n_atom][3] wrapped positions in bin order (bpos[p] = pw[bin_atom[p]]) */
    double reach[3];    /* rc/w_c in bins, with a rounding margin */
    int *kmod[3];       /* [nb_c + 2 r_c] bin index of k - r_c modulo nb_c */
    int *kimg[3];       /* [nb_c + 2 r_c] image of bin k - r_c: floor((k - r_c) / nb_c) */
} nb_ctx_t;

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

/* Per direction: plane spacing h_c, bins nb_c, scan range r_c. */
static pg_status_t search_range(nb_ctx_t *c, const double recip[3][3], int64_t n_atom)
{
    double h[3];
    for (int a = 0; a < 3; a++) {
        double b2 = recip[a][0] * recip[a][0] + recip[a][1] * recip[a][1] +
                    recip[a][2] * recip[a][2];
        h[a] = 1.0 / sqrt(b2);
    }
    /* bins about rc/2 thick; never more bins than ~4 per atom (sparse/small cells) */
    double nbd[3];
    for (int a = 0; a < 3; a++) nbd[a] = fmax(1.0, floor(h[a] / (0.5 * c->cutoff)));
    double limit = fmax(8.0, 4.0 * (double)n_atom);
    while (nbd[0] * nbd[1] * nbd[2] > limit) {
        for (int a = 0; a < 3; a++) nbd[a] = fmax(1.0, floor(nbd[a] / 2.0));
    }
    double n_offsets = 1.0;
    for (int a = 0; a < 3; a++) {
        c->nb[a] = (int)nbd[a];
        /* bin-index difference k_j - k_i < 1 + rc/w, an integer, hence <= ceil(rc/w); the
         * relative 1e-9 margin covers rounding in the fractional coordinates */
        double x = c->cutoff * nbd[a] / h[a] * (1.0 + 1e-9) + 1e-9;
        PG_REQUIRE(x < 1e6, PG_ERR_INPUT,
                   "cutoff %g Å is too large for this cell (lattice plane spacing %g Å)",
                   c->cutoff, h[a]);
        c->r[a] = (int)ceil(x);
        c->reach[a] = x;
        n_offsets *= 2.0 * c->r[a] + 1.0;
    }
    PG_REQUIRE(n_offsets <= (double)NB_MAX_OFFSETS, PG_ERR_INPUT,
               "cutoff %g Å is too large for this cell: %.3g periodic images per atom to scan "
               "(plane spacings %g, %g, %g Å)",
               c->cutoff, n_offsets, h[0], h[1], h[2]);
    return PG_OK;
}

/* Scan the neighbours of atom i into row (row == NULL: only count). Along each lattice
 * direction only the bins within reach of the atom itself are visited: a neighbour image's
 * bin coordinate lies in (u - x, u + x), u = f_i nb the atom's own, x = rc/w. Returns the
 * count; *big is set if a shift does not fit the packed sort key. */
static int64_t scan_atom(const nb_ctx_t *c, int64_t i, nb_edge_t *row, int *big)
{
    const pg_cell_t *cell = c->cell;
    const double(*L)[3] = cell->lattice;
    const double *pi = c->pw[i];
    const double *ri = cell->pos[i];
    const double rc = c->cutoff, cut2 = c->cut2_margin;
    int lo[3], hi[3];
    for (int a = 0; a < 3; a++) {
        double u = c->fw[i][a] * c->nb[a];
        int k = c->atom_bin[3 * i + a];
        lo[a] = (int)floor(u - c->reach[a]);
        hi[a] = (int)floor(u + c->reach[a]);
        if (lo[a] < k - c->r[a]) lo[a] = k - c->r[a];
        if (hi[a] > k + c->r[a]) hi[a] = k + c->r[a];
    }
    const int64_t *wi = &c->wrap[3 * i];
    const int nbx = c->nb[0];
    int64_t count = 0;
    for (int kz = lo[2]; kz <= hi[2]; kz++) {
        const int bz = c->kmod[2][kz + c->r[2]], sz = c->kimg[2][kz + c->r[2]];
        for (int ky = lo[1]; ky <= hi[1]; ky++) {
            const int by = c->kmod[1][ky + c->r[1]], sy = c->kimg[1][ky + c->r[1]];
            const int64_t row0 = (int64_t)nbx * (by + (int64_t)c->nb[1] * bz);
            double base_yz[3];
            for (int a = 0; a < 3; a++)
                base_yz[a] = (double)sy * L[1][a] + (double)sz * L[2][a] - pi[a];
            /* bins kx = lo..hi of this row: runs of one image sx are contiguous bins, hence
             * one contiguous stretch of atoms in bin order */
            for (int kx = lo[0]; kx <= hi[0];) {
                const int sx = c->kimg[0][kx + c->r[0]], bx0 = c->kmod[0][kx + c->r[0]];
                int run = nbx - bx0; /* bins until the row wraps */
                if (run > hi[0] - kx + 1) run = hi[0] - kx + 1;
                kx += run;
                const int64_t p0 = c->bin_start[row0 + bx0], p1 = c->bin_start[row0 + bx0 + run];
                if (p0 == p1) continue;
                double base[3];
                for (int a = 0; a < 3; a++) base[a] = (double)sx * L[0][a] + base_yz[a];
                for (int64_t p = p0; p < p1; p++) {
                    const double *pj = c->bpos[p];
                    const double d0 = pj[0] + base[0], d1 = pj[1] + base[1], d2 = pj[2] + base[2];
                    if (d0 * d0 + d1 * d1 + d2 * d2 >= cut2) continue;
                    /* shift relative to the caller's (unwrapped) positions */
                    const int64_t j = c->bin_atom[p];
                    const int64_t *wj = &c->wrap[3 * j];
                    const int64_t S[3] = {sx + wi[0] - wj[0], sy + wi[1] - wj[1], sz + wi[2] - wj[2]};
                    if (j == i && S[0] == 0 && S[1] == 0 && S[2] == 0) continue;
                    const double *rj = cell->pos[j];
                    double v[3];
                    for (int a = 0; a < 3; a++) /* as ASE: (r_j - r_i) + S·L */
                        v[a] = (rj[a] - ri[a]) + ((double)S[0] * L[0][a] + (double)S[1] * L[1][a] +
                                                  (double)S[2] * L[2][a]);
                    const double dist = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
                    if (!(dist < rc)) continue;
                    if (row) {
                        nb_edge_t *e = &row[count];
                        e->j = j;
                        uint64_t key = (uint64_t)j;
                        for (int a = 0; a < 3; a++) {
                            e->s[a] = (int32_t)S[a];
                            e->vec[a] = v[a];
                            if (S[a] < -NB_SHIFT_HALF || S[a] > NB_SHIFT_HALF) *big = 1;
                            key = (key << 8) | (uint64_t)((S[a] + NB_SHIFT_HALF) & 0xff);
                        }
                        e->key = key;
                        e->dist = dist;
                    }
                    count++;
                }
            }
        }
    }
    return count;
}

static int cmp_key(const void *pa, const void *pb)
{
    const nb_edge_t *a = pa, *b = pb;
    return a->key < b->key ? -1 : a->key > b->key;
}

static int cmp_j_shift(const void *pa, const void *pb)
{
    const nb_edge_t *a = pa, *b = pb;
    if (a->j != b->j) return a->j < b->j ? -1 : 1;
    for (int k = 0; k < 3; k++)
        if (a->s[k] != b->s[k]) return a->s[k] < b->s[k] ? -1 : 1;
    return 0;
}

static int cmp_dist_j_shift(const void *pa, const void *pb)
{
    const nb_edge_t *a = pa, *b = pb;
    if (a->dist != b->dist) return a->dist < b->dist ? -1 : 1;
    return cmp_j_shift(pa, pb);
}

/* Sort a row by (j, shift): insertion sort on the packed keys for the short rows typical of
 * graphs, qsort otherwise, and a full comparison when a shift did not fit the key. */
static void sort_row(nb_edge_t *row, int64_t k, int big)
{
    if (big) {
        qsort(row, (size_t)k, sizeof *row, cmp_j_shift);
    } else if (k <= 48) {
        for (int64_t a = 1; a < k; a++) {
            nb_edge_t x = row[a];
            int64_t b = a;
            while (b > 0 && row[b - 1].key > x.key) {
                row[b] = row[b - 1];
                b--;
            }
            row[b] = x;
        }
    } else {
        qsort(row, (size_t)k, sizeof *row, cmp_key);
    }
}

static void ctx_free(nb_ctx_t *c)
{
    free(c->bin_start);
    free(c->bin_atom);
    free(c->atom_bin);
    free(c->wrap);
    free(c->pw);
    free(c->fw);
    free(c->bpos);
    for (int a = 0; a < 3; a++) {
        free(c->kmod[a]);
        free(c->kimg[a]);
    }
    memset(c, 0, sizeof *c);
}

/* Wrap atoms, fill bins. */
static pg_status_t ctx_setup(nb_ctx_t *c, const double inv[3][3])
{
    pg_status_t st = PG_OK;
    const pg_cell_t *cell = c->cell;
    int64_t n = cell->n_atom;
    int64_t n_bins = (int64_t)c->nb[0] * c->nb[1] * c->nb[2];
    int64_t *fill = NULL;
    PG_TRY_CALLOC(c->bin_start, n_bins + 1, "neighbour bins");
    PG_TRY_CALLOC(c->bin_atom, n, "neighbour bin atoms");
    PG_TRY_CALLOC(c->atom_bin, 3 * n, "neighbour atom bins");
    PG_TRY_CALLOC(c->wrap, 3 * n, "neighbour wrap shifts");
    PG_TRY_CALLOC(c->pw, n, "wrapped positions");
    PG_TRY_CALLOC(c->fw, n, "wrapped fractional positions");
    PG_TRY_CALLOC(c->bpos, n, "binned positions");
    PG_TRY_CALLOC(fill, n_bins, "neighbour bin fill");
    for (int a = 0; a < 3; a++) {
        int len = c->nb[a] + 2 * c->r[a];
        PG_TRY_CALLOC(c->kmod[a], len, "bin tables");
        PG_TRY_CALLOC(c->kimg[a], len, "bin tables");
        for (int t = 0; t < len; t++) {
            int k = t - c->r[a];
            int q = (int)floor_div(k, c->nb[a]);
            c->kimg[a][t] = q;
            c->kmod[a][t] = k - q * c->nb[a];
        }
    }
    for (int64_t i = 0; i < n; i++) {
        double f[3];
        pg_cell_cart_to_frac(inv, cell->pos[i], f);
        for (int a = 0; a < 3; a++) {
            PG_TRY_REQUIRE(isfinite(f[a]) && fabs(f[a]) < 1e9, PG_ERR_INPUT,
                           "atom %lld: position (%g, %g, %g) Å is not finite or is far outside "
                           "the cell",
                           (long long)i, cell->pos[i][0], cell->pos[i][1], cell->pos[i][2]);
            double fl = floor(f[a]);
            double fw = f[a] - fl;
            if (fw >= 1.0) { /* f a hair below an integer */
                fw = 0.0;
                fl += 1.0;
            }
            c->wrap[3 * i + a] = (int64_t)fl;
            c->fw[i][a] = fw;
            int k = (int)(fw * c->nb[a]);
            if (k >= c->nb[a]) k = c->nb[a] - 1;
            if (k < 0) k = 0;
            c->atom_bin[3 * i + a] = k;
        }
        for (int a = 0; a < 3; a++)
            c->pw[i][a] = cell->pos[i][a] - ((double)c->wrap[3 * i] * cell->lattice[0][a] +
                                             (double)c->wrap[3 * i + 1] * cell->lattice[1][a] +
                                             (double)c->wrap[3 * i + 2] * cell->lattice[2][a]);
        int64_t b = c->atom_bin[3 * i] +
                    (int64_t)c->nb[0] * (c->atom_bin[3 * i + 1] +
                                         (int64_t)c->nb[1] * c->atom_bin[3 * i + 2]);
        c->bin_start[b + 1]++;
    }
    for (int64_t b = 0; b < n_bins; b++) c->bin_start[b + 1] += c->bin_start[b];
    for (int64_t i = 0; i < n; i++) {
        int64_t b = c->atom_bin[3 * i] +
                    (int64_t)c->nb[0] * (c->atom_bin[3 * i + 1] +
                                         (int64_t)c->nb[1] * c->atom_bin[3 * i + 2]);
        int64_t p = c->bin_start[b] + fill[b]++;
        c->bin_atom[p] = i;
        memcpy(c->bpos[p], c->pw[i], sizeof c->bpos[p]);
    }
cleanup:
    free(fill);
    return st;
}

pg_status_t pg_neighbor_build(const pg_cell_t *cell, double cutoff_ang, int64_t max_edges,
                              pg_neighbor_t *nl)
{
    pg_status_t st = PG_OK;
    nb_ctx_t c;
    memset(&c, 0, sizeof c);
    memset(nl, 0, sizeof *nl);
    nb_edge_t *row = NULL;
    PG_REQUIRE(cell && cell->n_atom >= 0, PG_ERR_INPUT, "neighbour list: no cell");
    PG_REQUIRE(isfinite(cutoff_ang) && cutoff_ang > 0.0, PG_ERR_INPUT,
               "neighbour cutoff must be a positive number of Å, found %g", cutoff_ang);
    PG_REQUIRE(max_edges >= 0, PG_ERR_INPUT, "neighbour edge cap must be >= 0, found %lld",
               (long long)max_edges);
    double inv[3][3], recip[3][3];
    PG_REQUIRE(pg_mat3_inverse(cell->lattice, inv) == PG_OK, PG_ERR_INPUT,
               "neighbour list: singular lattice (volume %g Å^3)", pg_cell_volume(cell));
    for (int a = 0; a < 3; a++) /* reciprocal rows b_a are the columns of L^-1 */
        for (int b = 0; b < 3; b++) recip[a][b] = inv[b][a];
    const int64_t n = cell->n_atom;

    /* Memory cap, before anything scales with the edge count: the expected count for a
     * uniform density, N * (N/V) * 4/3 pi rc^3. It is only an estimate (exact for large
     * cutoffs, noisy for small ones), so it is allowed twice the cap plus a few edges per
     * atom; the exact count is checked again before the edge arrays are allocated. */
    double vol = fabs(pg_cell_volume(cell));
    double est = (double)n * (double)n / vol * (4.0 / 3.0) * M_PI * cutoff_ang * cutoff_ang *
                 cutoff_ang;
    if (max_edges > 0)
        PG_REQUIRE(est <= 2.0 * (double)max_edges + 64.0 * (double)n, PG_ERR_INPUT,
                   "cutoff %g Å would give about %.3g edges for %lld atoms, above the cap of "
                   "%lld edges (lower the cutoff or raise the cap)",
                   cutoff_ang, est, (long long)n, (long long)max_edges);

    nl->n_atom = n;
    nl->cutoff_ang = cutoff_ang;
    PG_TRY_CALLOC(nl->offsets, n + 1, "neighbour offsets");
    if (n == 0) return PG_OK;

    c.cell = cell;
    c.cutoff = cutoff_ang;
    c.cut2_margin = cutoff_ang * cutoff_ang * (1.0 + 1e-9) + 1e-12;
    PG_TRY(search_range(&c, recip, n));
    PG_TRY(ctx_setup(&c, inv));

    /* pass 1: count */
    int64_t max_row = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t k = scan_atom(&c, i, NULL, NULL);
        nl->offsets[i + 1] = nl->offsets[i] + k;
        if (k > max_row) max_row = k;
    }
    int64_t n_edge = nl->offsets[n];
    PG_TRY_REQUIRE(max_edges == 0 || n_edge <= max_edges, PG_ERR_INPUT,
                   "cutoff %g Å gives %lld edges for %lld atoms, above the cap of %lld edges "
                   "(lower the cutoff or raise the cap)",
                   cutoff_ang, (long long)n_edge, (long long)n, (long long)max_edges);
    PG_TRY_REQUIRE(max_row <= INT32_MAX && n_edge < INT64_MAX / 64, PG_ERR_INPUT,
                   "neighbour list too large (%lld edges)", (long long)n_edge);

    /* pass 2: fill, each row sorted by (j, shift) */
    PG_TRY_CALLOC(nl->j, n_edge, "neighbour indices");
    PG_TRY_CALLOC(nl->shift, n_edge, "neighbour shifts");
    PG_TRY_CALLOC(nl->vec, n_edge, "neighbour vectors");
    PG_TRY_CALLOC(nl->dist, n_edge, "neighbour distances");
    PG_TRY_CALLOC(row, max_row, "neighbour row");
    for (int64_t i = 0; i < n; i++) {
        int big = 0;
        int64_t k = scan_atom(&c, i, row, &big);
        PG_TRY_REQUIRE(k == nl->offsets[i + 1] - nl->offsets[i], PG_ERR_INTERNAL,
                       "neighbour count changed between passes for atom %lld", (long long)i);
        sort_row(row, k, big);
        int64_t o = nl->offsets[i];
        for (int64_t e = 0; e < k; e++) {
            nl->j[o + e] = row[e].j;
            memcpy(nl->shift[o + e], row[e].s, sizeof row[e].s);
            memcpy(nl->vec[o + e], row[e].vec, sizeof row[e].vec);
            nl->dist[o + e] = row[e].dist;
        }
    }
    nl->n_edge = n_edge;

cleanup:
    free(row);
    ctx_free(&c);
    if (st != PG_OK) pg_neighbor_free(nl);
    return st;
}

pg_status_t pg_neighbor_keep_nearest(pg_neighbor_t *nl, int k)
{
    pg_status_t st = PG_OK;
    nb_edge_t *row = NULL;
    if (k <= 0 || nl->n_atom == 0) return PG_OK;
    int64_t max_row = 0;
    for (int64_t i = 0; i < nl->n_atom; i++)
        if (nl->offsets[i + 1] - nl->offsets[i] > max_row)
            max_row = nl->offsets[i + 1] - nl->offsets[i];
    if (max_row <= k) return PG_OK;
    PG_TRY_CALLOC(row, max_row, "neighbour row");
    int64_t out = 0;
    for (int64_t i = 0; i < nl->n_atom; i++) {
        int64_t o = nl->offsets[i], m = nl->offsets[i + 1] - o;
        for (int64_t e = 0; e < m; e++) {
            row[e].j = nl->j[o + e];
            memcpy(row[e].s, nl->shift[o + e], sizeof row[e].s);
            memcpy(row[e].vec, nl->vec[o + e], sizeof row[e].vec);
            row[e].dist = nl->dist[o + e];
        }
        int64_t keep = m;
        if (m > k) {
            /* nearest first (ties by j, then shift), then back to the (j, shift) order */
            qsort(row, (size_t)m, sizeof *row, cmp_dist_j_shift);
            keep = k;
            qsort(row, (size_t)keep, sizeof *row, cmp_j_shift);
        }
        nl->offsets[i] = out; /* row i starts at out <= o, already read */
        for (int64_t e = 0; e < keep; e++, out++) {
            nl->j[out] = row[e].j;
            memcpy(nl->shift[out], row[e].s, sizeof row[e].s);
            memcpy(nl->vec[out], row[e].vec, sizeof row[e].vec);
            nl->dist[out] = row[e].dist;
        }
    }
    nl->offsets[nl->n_atom] = out;
    nl->n_edge = out;
    /* arrays keep their capacity; shrinking is an optimisation not worth a failure path */
cleanup:
    free(row);
    return st;
}

void pg_neighbor_free(pg_neighbor_t *nl)
{
    if (!nl) return;
    free(nl->offsets);
    free(nl->j);
    free(nl->shift);
    free(nl->vec);
    free(nl->dist);
    memset(nl, 0, sizeof *nl);
}
