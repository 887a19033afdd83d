/* dynmat.c - dynamical matrices with phonopy's conventions (see pg_dynmat.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "phonograph/pg_dynmat.h"
#include "phonograph/pg_units.h"

struct pg_dynmat {
    int n_p, n_band;
    int64_t n_s;
    double *mass;        /* [n_p] amu */
    double (*xp)[3];     /* [n_p] primitive fractional positions of the p2s atoms, [0,1) */
    double (*xs)[3];     /* [n_s] supercell atoms in primitive fractional coordinates */
    double lat[3][3];    /* primitive lattice rows (Å) */
    int64_t *s2pp;       /* [n_s] */
    double (*phi)[3][3]; /* [n_p * n_s] Φ(p2s(i), k) / sqrt(m_i m_s2pp(k)) */
    int64_t *voff;       /* [n_p * n_s + 1] offsets into rvec */
    int (*rvec)[3];      /* image lattice vectors R: v = x_j - x_i + R (primitive frac) */
    int r_max;           /* max |R component| */
    int max_mult;
    /* Translation tables for the fast build (see build_tilde): the n_rh lattice vectors R of
     * a half set (R = 0 first, then R with the first non-zero component > 0), and per R the
     * packed lower triangle of A(R) = S(R) + S(R)^T and the strict lower triangle of
     * B(R) = S(R) - S(R)^T, S(R) = (C(R) + C(-R)^T)/2, C(R)_{3i+a,3j+b} = Σ Φ_ab/(M sqrt(m_i m_j))
     * over the images with that R (R = 0: A = S(0), B = 0). */
    int n_rh;
    int (*rh)[3];  /* [n_rh] */
    double *tab_a; /* [n_rh][n(n+1)/2], (r,c) c<=r at r(r+1)/2 + c */
    double *tab_b; /* [n_rh][n(n-1)/2], (r,c) c<r at r(r-1)/2 + c */
    /* Real gauge (build_real_tables): when every primitive atom sits on an inversion centre of
     * the crystal (2(x_i − x_0) integer) and the Hermitised force constants are even under
     * v -> −v, D(q) of the position-phase convention is real:
     * D_ij = Σ_t K_t cos 2πq·v_t over one term per ± pair of image vectors v = x_j − x_i + R
     * of the lower block (i, j <= i). Terms are grouped by block (b = i(i+1)/2 + j); rr holds
     * the distinct R, term_r the index of each term's R. */
    int real;            /* 1: the real gauge applies */
    double real_odd;     /* max |odd part| / max |even part| found (diagnostic) */
    int n_rr, rr_max;    /* distinct R, max |component| */
    int (*rr)[3];        /* [n_rr] */
    int64_t *blk_off;    /* [n_p(n_p+1)/2 + 1] */
    int *term_r;         /* [n_terms] */
    double (*term_k)[9]; /* [n_terms] K_t row-major 3x3 (creation only) */
    double *term_kt;     /* [n_terms][12]: K_t row-major, padded with 3 zeros (3 AVX2 vectors) */
};

static void mat3_inv_rows(const double L[3][3], double inv[3][3])
{
    pg_mat3_inverse(L, inv); /* checked by the caller through the volume */
}

static void wrap01(double x[3])
{
    for (int c = 0; c < 3; c++) {
        x[c] -= floor(x[c]);
        if (x[c] >= 1.0 - 1e-12) x[c] = 0.0; /* phonopy-like wrapping, avoid 0.9999999 */
    }
}

/* Index of R in a dense cube [-rm, rm]^3. */
static int64_t cube_index(int rm, const int R[3])
{
    const int64_t w = 2 * rm + 1;
    return ((int64_t)(R[0] + rm) * w + (R[1] + rm)) * w + (R[2] + rm);
}

/* The per-translation tables of the fast build (struct comment). */
static pg_status_t build_tables(pg_dynmat_t *dm)
{
    pg_status_t st = PG_OK;
    const int n = dm->n_band, n_p = dm->n_p, rm = dm->r_max;
    const int64_t n_s = dm->n_s, w = 2 * rm + 1, n_cube = w * w * w, nn = (int64_t)n * n;
    const int64_t n_lo = (int64_t)n * (n + 1) / 2, n_sl = (int64_t)n * (n - 1) / 2;
    int64_t *slot = NULL; /* [n_cube] index into C of each R, -1 = absent */
    double *c = NULL;     /* [n_full][n][n] C(R) */
    int(*rl)[3] = NULL;   /* [n_full] */
    int64_t n_full = 0;
    PG_TRY_CALLOC(slot, n_cube, "translation index");
    for (int64_t t = 0; t < n_cube; t++) slot[t] = -1;
    /* the distinct R, closed under R -> -R, with R = 0 always present */
    const int64_t n_vec = dm->voff[(int64_t)n_p * n_s];
    PG_TRY_CALLOC(rl, 2 * n_vec + 1, "translations");
    for (int64_t v = -1; v < n_vec; v++) {
        int R[3] = {0, 0, 0};
        if (v >= 0) memcpy(R, dm->rvec[v], sizeof R);
        for (int sgn = 1; sgn >= -1; sgn -= 2) {
            int Rs[3] = {sgn * R[0], sgn * R[1], sgn * R[2]};
            int64_t ci = cube_index(rm, Rs);
            if (slot[ci] >= 0) continue;
            slot[ci] = n_full;
            memcpy(rl[n_full], Rs, sizeof Rs);
            n_full++;
        }
    }
    PG_TRY_CALLOC(c, n_full * nn, "translation blocks");
    for (int i = 0; i < n_p; i++)
        for (int64_t k = 0; k < n_s; k++) {
            const int j = (int)dm->s2pp[k];
            const int64_t ik = (int64_t)i * n_s + k, v0 = dm->voff[ik], v1 = dm->voff[ik + 1];
            const double inv_m = 1.0 / (double)(v1 - v0);
            for (int64_t v = v0; v < v1; v++) {
                double *cr = c + slot[cube_index(rm, dm->rvec[v])] * nn;
                for (int a = 0; a < 3; a++)
                    for (int b = 0; b < 3; b++)
                        cr[(int64_t)(3 * i + a) * n + 3 * j + b] += dm->phi[ik][a][b] * inv_m;
            }
        }
    /* half set: R = 0 (entry 0) and R with the first non-zero component positive */
    int n_rh = 0;
    for (int64_t t = 0; t < n_full; t++) {
        const int *R = rl[t];
        int f = R[0] ? R[0] : R[1] ? R[1] : R[2];
        if (f >= 0) n_rh++;
    }
    PG_TRY_CALLOC(dm->rh, n_rh, "half translations");
    PG_TRY_CALLOC(dm->tab_a, (int64_t)n_rh * n_lo, "translation tables");
    PG_TRY_CALLOC(dm->tab_b, (int64_t)n_rh * n_sl + 1, "translation tables");
    dm->n_rh = n_rh;
    int h = 0;
    for (int64_t t = 0; t < n_full; t++) { /* rl[0] is R = 0 */
        const int *R = rl[t];
        int f = R[0] ? R[0] : R[1] ? R[1] : R[2];
        if (f < 0) continue;
        const int Rm[3] = {-R[0], -R[1], -R[2]};
        const double *cp = c + t * nn, *cm = c + slot[cube_index(rm, Rm)] * nn;
        double *ta = dm->tab_a + (int64_t)h * n_lo, *tb = dm->tab_b + (int64_t)h * n_sl;
        memcpy(dm->rh[h], R, sizeof dm->rh[h]);
        for (int r = 0; r < n; r++)
            for (int q = 0; q <= r; q++) {
                /* S(R)_{rq} = (C(R)_{rq} + C(-R)_{qr})/2, S(R)^T_{rq} = S(R)_{qr} */
                const double s_rq = 0.5 * (cp[(int64_t)r * n + q] + cm[(int64_t)q * n + r]);
                const double s_qr = 0.5 * (cp[(int64_t)q * n + r] + cm[(int64_t)r * n + q]);
                if (f == 0) { /* R = 0: S(0) is symmetric */
                    ta[(int64_t)r * (r + 1) / 2 + q] = 0.5 * (s_rq + s_qr);
                } else {
                    ta[(int64_t)r * (r + 1) / 2 + q] = s_rq + s_qr;
                    if (q < r) tb[(int64_t)r * (r - 1) / 2 + q] = s_rq - s_qr;
                }
            }
        h++;
    }
cleanup:
    free(slot);
    free(c);
    free(rl);
    return st;
}

/* ---- real gauge (struct comment) ---- */

#define REAL_GAUGE_POS_TOL 1e-8  /* |2(x_i − x_0) − integer| (fractional) for an inversion centre */
#define REAL_GAUGE_ODD_TOL 1e-10 /* max |odd part| / max |even part| for D(q) to count as real */

typedef struct { /* merged image coefficient C_ij(R) */
    int i, j, R[3];
    double c[9];
} img_term_t;

static int key_cmp(int i1, int j1, const int *R1, int i2, int j2, const int *R2)
{
    if (i1 != i2) return i1 < i2 ? -1 : 1;
    if (j1 != j2) return j1 < j2 ? -1 : 1;
    for (int c = 0; c < 3; c++)
        if (R1[c] != R2[c]) return R1[c] < R2[c] ? -1 : 1;
    return 0;
}

static int img_cmp(const void *a, const void *b)
{
    const img_term_t *x = a, *y = b;
    return key_cmp(x->i, x->j, x->R, y->i, y->j, y->R);
}

static int r3_cmp(const void *a, const void *b)
{
    return key_cmp(0, 0, a, 0, 0, b);
}

/* C_ij(R), or NULL if absent */
static const double *img_find(const img_term_t *t, int64_t n, int i, int j, const int R[3])
{
    int64_t lo = 0, hi = n - 1;
    while (lo <= hi) {
        const int64_t mid = lo + (hi - lo) / 2;
        const int c = key_cmp(t[mid].i, t[mid].j, t[mid].R, i, j, R);
        if (c == 0) return t[mid].c;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

/* K(R) = (C_ij(R) + C_ji(−R)^T)/2: the Hermitised coefficient of v = x_j − x_i + R */
static void herm_coef(const img_term_t *t, int64_t n, int i, int j, const int R[3], double k[9])
{
    const int Rm[3] = {-R[0], -R[1], -R[2]};
    const double *a = img_find(t, n, i, j, R), *b = img_find(t, n, j, i, Rm);
    for (int x = 0; x < 3; x++)
        for (int y = 0; y < 3; y++)
            k[3 * x + y] = 0.5 * ((a ? a[3 * x + y] : 0) + (b ? b[3 * y + x] : 0));
}

static pg_status_t build_real_tables(pg_dynmat_t *dm)
{
    pg_status_t st = PG_OK;
    const int n_p = dm->n_p;
    const int64_t n_s = dm->n_s, n_vec = dm->voff[(int64_t)n_p * n_s];
    int(*dint)[3] = NULL;     /* 2(x_i − x_0), integer */
    img_term_t *im = NULL;    /* merged C_ij(R) */
    int(*cand)[3] = NULL;     /* R candidates of one block */
    int(*tr)[3] = NULL;       /* R of each emitted term */
    int(*rr)[3] = NULL;
    int64_t *pair_off = NULL; /* [n_p n_p + 1] start of the merged terms of pair (i, j) */
    int64_t n_m = 0, n_t = 0, cap_t = 0;
    dm->real = 0;
    PG_TRY_CALLOC(dint, n_p, "inversion offsets");
    for (int i = 0; i < n_p; i++)
        for (int c = 0; c < 3; c++) {
            const double x = 2.0 * (dm->xp[i][c] - dm->xp[0][c]), r = nearbyint(x);
            if (fabs(x - r) > REAL_GAUGE_POS_TOL) goto cleanup; /* not all on inversion centres */
            dint[i][c] = (int)r;
        }
    PG_TRY_CALLOC(im, n_vec + 1, "image terms");
    for (int i = 0; i < n_p; i++)
        for (int64_t k = 0; k < n_s; k++) {
            const int64_t ik = (int64_t)i * n_s + k, v0 = dm->voff[ik], v1 = dm->voff[ik + 1];
            for (int64_t v = v0; v < v1; v++) {
                img_term_t *t = im + n_m++;
                t->i = i;
                t->j = (int)dm->s2pp[k];
                memcpy(t->R, dm->rvec[v], sizeof t->R);
                for (int a = 0; a < 3; a++)
                    for (int b = 0; b < 3; b++)
                        t->c[3 * a + b] = dm->phi[ik][a][b] / (double)(v1 - v0);
            }
        }
    qsort(im, (size_t)n_m, sizeof *im, img_cmp);
    int64_t w = 0; /* merge equal (i, j, R) */
    for (int64_t t = 0; t < n_m; t++) {
        if (w > 0 && img_cmp(im + w - 1, im + t) == 0) {
            for (int x = 0; x < 9; x++) im[w - 1].c[x] += im[t].c[x];
        } else {
            im[w++] = im[t];
        }
    }
    n_m = w;
    PG_TRY_CALLOC(pair_off, (int64_t)n_p * n_p + 1, "image pair offsets");
    for (int64_t t = 0; t < n_m; t++) pair_off[im[t].i * n_p + im[t].j + 1] = t + 1;
    for (int64_t t = 1; t <= (int64_t)n_p * n_p; t++)
        if (pair_off[t] < pair_off[t - 1]) pair_off[t] = pair_off[t - 1];
    const int n_blk = n_p * (n_p + 1) / 2;
    PG_TRY_CALLOC(dm->blk_off, n_blk + 1, "real-gauge blocks");
    PG_TRY_CALLOC(cand, 4 * n_m + 4, "real-gauge candidates");
    double emax = 0, omax = 0;
    for (int i = 0; i < n_p; i++)
        for (int j = 0; j <= i; j++) {
            const int b = i * (i + 1) / 2 + j;
            const int del[3] = {dint[j][0] - dint[i][0], dint[j][1] - dint[i][1],
                                dint[j][2] - dint[i][2]}; /* 2(x_j − x_i) */
            int64_t nc = 0;
            for (int pass = 0; pass < 2; pass++) { /* keys R of C_ij, and −R for keys of C_ji */
                const int a = pass ? j : i, bb = pass ? i : j, sg = pass ? -1 : 1;
                for (int64_t t = pair_off[a * n_p + bb]; t < pair_off[a * n_p + bb + 1]; t++) {
                    for (int c = 0; c < 3; c++) {
                        cand[nc][c] = sg * im[t].R[c];
                        cand[nc + 1][c] = -sg * im[t].R[c] - del[c]; /* partner: −v */
                    }
                    nc += 2;
                }
            }
            qsort(cand, (size_t)nc, sizeof *cand, r3_cmp);
            for (int64_t u = 0; u < nc; u++) {
                if (u > 0 && r3_cmp(cand[u - 1], cand[u]) == 0) continue;
                const int *R = cand[u];
                const int Rp[3] = {-R[0] - del[0], -R[1] - del[1], -R[2] - del[2]};
                const int cmp = r3_cmp(Rp, R);
                if (cmp < 0) continue; /* the partner carries the pair */
                double kr[9], kp[9], ev[9];
                herm_coef(im, n_m, i, j, R, kr);
                herm_coef(im, n_m, i, j, Rp, kp);
                int nz = 0;
                for (int x = 0; x < 9; x++) {
                    ev[x] = 0.5 * (kr[x] + kp[x]);
                    emax = fmax(emax, fabs(ev[x]));
                    omax = fmax(omax, fabs(0.5 * (kr[x] - kp[x])));
                    nz |= ev[x] != 0;
                    if (cmp > 0) ev[x] *= 2; /* K(R) cos θ + K(R') cos(−θ) */
                }
                if (!nz) continue;
                if (n_t == cap_t) {
                    cap_t = cap_t ? 2 * cap_t : 256;
                    double(*nk)[9] = realloc(dm->term_k, sizeof(double[9]) * (size_t)cap_t);
                    PG_TRY_REQUIRE(nk, PG_ERR_NOMEM, "out of memory for real-gauge terms");
                    dm->term_k = nk;
                    int(*nr)[3] = realloc(tr, sizeof(int[3]) * (size_t)cap_t);
                    PG_TRY_REQUIRE(nr, PG_ERR_NOMEM, "out of memory for real-gauge terms");
                    tr = nr;
                }
                memcpy(dm->term_k[n_t], ev, sizeof ev);
                memcpy(tr[n_t], R, sizeof tr[n_t]);
                n_t++;
            }
            dm->blk_off[b + 1] = n_t;
        }
    dm->real_odd = emax > 0 ? omax / emax : 0;
    if (omax > REAL_GAUGE_ODD_TOL * emax) goto cleanup; /* force constants break inversion */
    /* distinct R of the terms */
    PG_TRY_CALLOC(rr, n_t + 1, "real-gauge translations");
    memcpy(rr, tr, sizeof(int[3]) * (size_t)n_t);
    qsort(rr, (size_t)n_t, sizeof *rr, r3_cmp);
    int n_rr = 0;
    for (int64_t t = 0; t < n_t; t++)
        if (n_rr == 0 || r3_cmp(rr[n_rr - 1], rr[t]) != 0) memmove(rr[n_rr++], rr[t], sizeof *rr);
    PG_TRY_CALLOC(dm->term_r, n_t + 1, "real-gauge terms");
    dm->rr_max = 0;
    for (int h = 0; h < n_rr; h++)
        for (int c = 0; c < 3; c++) dm->rr_max = abs(rr[h][c]) > dm->rr_max ? abs(rr[h][c]) : dm->rr_max;
    for (int64_t t = 0; t < n_t; t++) {
        const int(*f)[3] = bsearch(tr[t], rr, (size_t)n_rr, sizeof *rr, r3_cmp);
        dm->term_r[t] = (int)(f - (const int(*)[3])rr);
    }
    PG_TRY_CALLOC(dm->term_kt, 12 * n_t + 1, "real-gauge terms");
    for (int64_t t = 0; t < n_t; t++) memcpy(dm->term_kt + 12 * t, dm->term_k[t], sizeof(double[9]));
    free(dm->term_k);
    dm->term_k = NULL;
    dm->rr = rr;
    rr = NULL;
    dm->n_rr = n_rr;
    dm->real = 1;
cleanup:
    if (!dm->real) { /* not applicable (or failed): keep nothing */
        free(dm->blk_off);
        free(dm->term_k);
        free(dm->term_r);
        free(dm->term_kt);
        dm->term_kt = NULL;
        dm->blk_off = NULL;
        dm->term_k = NULL;
        dm->term_r = NULL;
    }
    free(dint);
    free(im);
    free(cand);
    free(tr);
    free(rr);
    free(pair_off);
    return st;
}

pg_status_t pg_dynmat_create(const pg_cell_t *prim, const pg_cell_t *super, const int64_t *p2s,
                             const int64_t *s2pp, const pg_fc_t *fc, double symprec_ang,
                             pg_dynmat_t **out)
{
    pg_status_t st = PG_OK;
    pg_dynmat_t *dm = NULL;
    double(*fs)[3] = NULL;
    int64_t *rowidx = NULL;
    int64_t n_vec_cap = 0, n_vec = 0;
    *out = NULL;
    int n_p = (int)prim->n_atom;
    int64_t n_s = super->n_atom;
    PG_REQUIRE(n_p > 0 && n_s > 0 && n_s % n_p == 0, PG_ERR_INPUT,
               "supercell has %lld atoms, not a multiple of the primitive cell's %d",
               (long long)n_s, n_p);
    PG_REQUIRE(fc->n_super == n_s, PG_ERR_INPUT,
               "force constants are for %lld supercell atoms, the supercell has %lld",
               (long long)fc->n_super, (long long)n_s);
    double vp = fabs(pg_cell_volume(prim)), vs = fabs(pg_cell_volume(super));
    PG_REQUIRE(vp > 1e-8 && fabs(vs / vp - (double)(n_s / n_p)) < 1e-6 * (double)(n_s / n_p),
               PG_ERR_INPUT, "supercell volume %.6f Å³ is not %lld x the primitive volume %.6f Å³",
               vs, (long long)(n_s / n_p), vp);
    PG_TRY_CALLOC(dm, 1, "dynamical matrix");
    dm->n_p = n_p;
    dm->n_band = 3 * n_p;
    dm->n_s = n_s;
    PG_TRY_CALLOC(dm->mass, n_p, "masses");
    PG_TRY_CALLOC(dm->xp, n_p, "primitive positions");
    PG_TRY_CALLOC(dm->s2pp, n_s, "s2pp");
    PG_TRY_CALLOC(dm->xs, n_s, "supercell positions");
    memcpy(dm->lat, prim->lattice, sizeof dm->lat);
    PG_TRY_CALLOC(dm->phi, (int64_t)n_p * n_s, "mass-weighted force constants");
    PG_TRY_CALLOC(dm->voff, (int64_t)n_p * n_s + 1, "image offsets");
    PG_TRY_CALLOC(fs, n_s, "supercell fractional positions");
    PG_TRY_CALLOC(rowidx, n_p, "FC rows");
    double inv_s[3][3], inv_p[3][3];
    mat3_inv_rows(super->lattice, inv_s);
    mat3_inv_rows(prim->lattice, inv_p);
    for (int64_t k = 0; k < n_s; k++) {
        pg_cell_cart_to_frac(inv_s, super->pos[k], fs[k]);
        pg_cell_cart_to_frac(inv_p, super->pos[k], dm->xs[k]);
        PG_TRY_REQUIRE(s2pp[k] >= 0 && s2pp[k] < n_p, PG_ERR_INPUT,
                       "s2pp[%lld] = %lld out of range", (long long)k, (long long)s2pp[k]);
        dm->s2pp[k] = s2pp[k];
    }
    for (int i = 0; i < n_p; i++) {
        PG_TRY_REQUIRE(p2s[i] >= 0 && p2s[i] < n_s && s2pp[p2s[i]] == i, PG_ERR_INPUT,
                       "p2s[%d] = %lld inconsistent with s2pp", i, (long long)p2s[i]);
        dm->mass[i] = prim->mass[i];
        PG_TRY_REQUIRE(dm->mass[i] > 0, PG_ERR_INPUT, "primitive atom %d has mass %g amu", i,
                       dm->mass[i]);
        pg_cell_cart_to_frac(inv_p, super->pos[p2s[i]], dm->xp[i]);
        wrap01(dm->xp[i]);
        rowidx[i] = pg_fc_row_of_atom(fc, p2s[i]);
        PG_TRY_REQUIRE(rowidx[i] >= 0, PG_ERR_INPUT,
                       "force constants lack the row of primitive atom %d (supercell atom %lld)", i,
                       (long long)(p2s[i] + 1));
    }
    const int TR = 3; /* brute-force range of supercell translations after wrapping */
    for (int i = 0; i < n_p; i++) {
        const double *x0 = fs[p2s[i]];
        for (int64_t k = 0; k < n_s; k++) {
            int j = (int)s2pp[k];
            double inv_mm = 1.0 / sqrt(dm->mass[i] * dm->mass[j]);
            const double(*F)[3] = fc->phi[rowidx[i] * n_s + k];
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++) dm->phi[(int64_t)i * n_s + k][a][b] = F[a][b] * inv_mm;
            double d[3];
            for (int c = 0; c < 3; c++) d[c] = fs[k][c] - x0[c] - nearbyint(fs[k][c] - x0[c]);
            double len[7 * 7 * 7], vc[7 * 7 * 7][3];
            double lmin = INFINITY;
            int t = 0;
            for (int t0 = -TR; t0 <= TR; t0++)
                for (int t1 = -TR; t1 <= TR; t1++)
                    for (int t2 = -TR; t2 <= TR; t2++, t++) {
                        double f[3] = {d[0] + t0, d[1] + t1, d[2] + t2};
                        pg_cell_frac_to_cart(super->lattice, f, vc[t]);
                        len[t] =
                            sqrt(vc[t][0] * vc[t][0] + vc[t][1] * vc[t][1] + vc[t][2] * vc[t][2]);
                        if (len[t] < lmin) lmin = len[t];
                    }
            int m = 0;
            for (t = 0; t < 343; t++) {
                if (len[t] > lmin + symprec_ang) continue;
                if (n_vec == n_vec_cap) {
                    n_vec_cap = n_vec_cap ? 2 * n_vec_cap : 1024;
                    int(*nr)[3] = realloc(dm->rvec, sizeof(int[3]) * (size_t)n_vec_cap);
                    PG_TRY_REQUIRE(nr, PG_ERR_NOMEM, "out of memory for image vectors");
                    dm->rvec = nr;
                }
                double vpf[3];
                pg_cell_cart_to_frac(inv_p, vc[t], vpf);
                for (int c = 0; c < 3; c++) {
                    double r = vpf[c] - (dm->xp[j][c] - dm->xp[i][c]);
                    double rr = nearbyint(r);
                    PG_TRY_REQUIRE(fabs(r - rr) < 1e-4, PG_ERR_INPUT,
                                   "supercell atom %lld is not a lattice translate of primitive "
                                   "atom %d (offset %.6f in primitive coordinates): primitive "
                                   "cell and supercell do not match",
                                   (long long)(k + 1), j, r);
                    dm->rvec[n_vec][c] = (int)rr;
                    if (abs((int)rr) > dm->r_max) dm->r_max = abs((int)rr);
                }
                n_vec++;
                m++;
            }
            if (m > dm->max_mult) dm->max_mult = m;
            dm->voff[(int64_t)i * n_s + k + 1] = n_vec;
        }
    }
    PG_TRY(build_tables(dm));
    PG_TRY(build_real_tables(dm));
    *out = dm;
    dm = NULL;
cleanup:
    free(fs);
    free(rowidx);
    pg_dynmat_destroy(&dm);
    return st;
}

void pg_dynmat_destroy(pg_dynmat_t **dmp)
{
    if (!dmp || !*dmp) return;
    pg_dynmat_t *dm = *dmp;
    free(dm->rr);
    free(dm->blk_off);
    free(dm->term_r);
    free(dm->term_k);
    free(dm->term_kt);
    free(dm->mass);
    free(dm->xp);
    free(dm->s2pp);
    free(dm->xs);
    free(dm->phi);
    free(dm->voff);
    free(dm->rvec);
    free(dm->rh);
    free(dm->tab_a);
    free(dm->tab_b);
    free(dm);
    *dmp = NULL;
}

int pg_dynmat_n_band(const pg_dynmat_t *dm)
{
    return dm->n_band;
}

void pg_dynmat_image_stats(const pg_dynmat_t *dm, int *max_mult, int64_t *n_vectors)
{
    if (max_mult) *max_mult = dm->max_mult;
    if (n_vectors) *n_vectors = dm->voff[(int64_t)dm->n_p * dm->n_s];
}

void pg_dynmat_prim_frac(const pg_dynmat_t *dm, int i, double x[3])
{
    for (int c = 0; c < 3; c++) x[c] = dm->xp[i][c];
}

void pg_dynmat_super_frac(const pg_dynmat_t *dm, int64_t k, double x[3])
{
    for (int c = 0; c < 3; c++) x[c] = dm->xs[k][c];
}
int pg_dynmat_n_prim(const pg_dynmat_t *dm)
{
    return dm->n_p;
}
int64_t pg_dynmat_n_super(const pg_dynmat_t *dm)
{
    return dm->n_s;
}
const double *pg_dynmat_masses(const pg_dynmat_t *dm)
{
    return dm->mass;
}
const int64_t *pg_dynmat_s2pp(const pg_dynmat_t *dm)
{
    return dm->s2pp;
}
void pg_dynmat_prim_lattice(const pg_dynmat_t *dm, double lattice[3][3])
{
    memcpy(lattice, dm->lat, sizeof dm->lat);
}

#define RMAX_STACK 16

/* four doubles as one GCC vector (an AVX2 register in the x86-64-v3 clone, two SSE2 registers
 * in the baseline one; no FMA contraction in ISO C mode, so both give the same bits) */
typedef double v4d_t __attribute__((vector_size(32)));
typedef double v4d_u_t __attribute__((vector_size(32), aligned(8))); /* unaligned access */
#define v4d_load(p) (*(const v4d_u_t *)(p))

/* Hermitised D̃(q) = Σ_R S(R) exp(2πi q·R) (the dynamical matrix without the atom-position
 * phases: D_ij = conj(u_i) D̃_ij u_j, u_i = exp(2πi q·x_i)), from the half-set tables:
 * Re D̃ = A(0) + Σ_{R>0} A(R) cos 2πq·R, Im D̃ = Σ_{R>0} B(R) sin 2πq·R. re: packed lower
 * triangle [n(n+1)/2], im: strict lower [n(n-1)/2]. Depends only on q (same bits on any rank,
 * in any batch). No allocation. Compiled for AVX2+FMA and the baseline, chosen at load time. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define PG_DYNMAT_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define PG_DYNMAT_CLONES
#endif
PG_DYNMAT_CLONES static void build_tilde(const pg_dynmat_t *dm, const double q[3],
                                         double *restrict re, double *restrict im)
{
    const int n = dm->n_band, rm = dm->r_max;
    const int64_t n_lo = (int64_t)n * (n + 1) / 2, n_sl = (int64_t)n * (n - 1) / 2;
    /* Ec[c][r + rm], Es: cos and sin of 2π q_c r (per-axis tables: 6 products per R) */
    double Ec[3][2 * RMAX_STACK + 1], Es[3][2 * RMAX_STACK + 1];
    const int tables = rm <= RMAX_STACK;
    for (int c = 0; c < 3 && tables; c++)
        for (int r = -rm; r <= rm; r++) {
            const double ph = 2.0 * PG_PI * q[c] * r;
            Ec[c][r + rm] = cos(ph);
            Es[c][r + rm] = sin(ph);
        }
    memcpy(re, dm->tab_a, sizeof(double) * (size_t)n_lo);
    memset(im, 0, sizeof(double) * (size_t)n_sl);
    for (int h = 1; h < dm->n_rh; h++) {
        const int *R = dm->rh[h];
        double cs, sn;
        if (tables) {
            const double c0 = Ec[0][R[0] + rm], s0 = Es[0][R[0] + rm];
            const double c1 = Ec[1][R[1] + rm], s1 = Es[1][R[1] + rm];
            const double c2 = Ec[2][R[2] + rm], s2 = Es[2][R[2] + rm];
            const double c01 = c0 * c1 - s0 * s1, s01 = s0 * c1 + c0 * s1;
            cs = c01 * c2 - s01 * s2;
            sn = s01 * c2 + c01 * s2;
        } else { /* huge cells (|R| > RMAX_STACK): direct */
            const double ph = 2.0 * PG_PI * (q[0] * R[0] + q[1] * R[1] + q[2] * R[2]);
            cs = cos(ph);
            sn = sin(ph);
        }
        const double *restrict ta = dm->tab_a + (int64_t)h * n_lo;
        const double *restrict tb = dm->tab_b + (int64_t)h * n_sl;
        for (int64_t t = 0; t < n_lo; t++) re[t] += cs * ta[t];
        for (int64_t t = 0; t < n_sl; t++) im[t] += sn * tb[t];
    }
}

/* Real-gauge D(q) (struct comment), full row-major m [n][n]. ph: scratch [2 n_rr + 2 n_p].
 * The phases of the lattice vectors come from per-axis powers of exp(2πi q_c) (one sincos per
 * axis), those of the atoms from one sincos each; per block, Σ_t cos(2π q·v_t) K_t with K_t
 * padded to 12 (three AVX2 vectors per term). Depends only on q. */
PG_DYNMAT_CLONES static void build_real(const pg_dynmat_t *dm, const double q[3],
                                        double *restrict ph, double *restrict m)
{
    const int n = dm->n_band, n_p = dm->n_p, rm = dm->rr_max;
    double *restrict cu = ph + 2 * (int64_t)dm->n_rr, *restrict su = cu + n_p;
    double Ec[3][2 * RMAX_STACK + 1], Es[3][2 * RMAX_STACK + 1];
    const int tables = rm <= RMAX_STACK;
    for (int c = 0; c < 3 && tables; c++) { /* exp(2πi q_c r) = exp(2πi q_c)^r, |r| <= rm */
        double c1, s1;
        sincos(2.0 * PG_PI * q[c], &s1, &c1);
        double *ec = Ec[c] + rm, *es = Es[c] + rm;
        ec[0] = 1;
        es[0] = 0;
        for (int r = 1; r <= rm; r++) {
            ec[r] = ec[r - 1] * c1 - es[r - 1] * s1;
            es[r] = es[r - 1] * c1 + ec[r - 1] * s1;
            ec[-r] = ec[r];
            es[-r] = -es[r];
        }
    }
    for (int h = 0; h < dm->n_rr; h++) { /* cos, sin of 2π q·R */
        const int *R = dm->rr[h];
        if (tables) {
            const double c0 = Ec[0][R[0] + rm], s0 = Es[0][R[0] + rm];
            const double c1 = Ec[1][R[1] + rm], s1 = Es[1][R[1] + rm];
            const double c2 = Ec[2][R[2] + rm], s2 = Es[2][R[2] + rm];
            const double c01 = c0 * c1 - s0 * s1, s01 = s0 * c1 + c0 * s1;
            ph[2 * h] = c01 * c2 - s01 * s2;
            ph[2 * h + 1] = s01 * c2 + c01 * s2;
        } else {
            sincos(2.0 * PG_PI * (q[0] * R[0] + q[1] * R[1] + q[2] * R[2]), &ph[2 * h + 1],
                   &ph[2 * h]);
        }
    }
    for (int i = 0; i < n_p; i++)
        sincos(2.0 * PG_PI * (q[0] * dm->xp[i][0] + q[1] * dm->xp[i][1] + q[2] * dm->xp[i][2]),
               &su[i], &cu[i]);
    for (int i = 0; i < n_p; i++)
        for (int j = 0; j <= i; j++) {
            const int b = i * (i + 1) / 2 + j;
            const int64_t t0 = dm->blk_off[b], nb = dm->blk_off[b + 1] - t0;
            /* exp(2πi q·(x_j − x_i)) = conj(u_i) u_j; cos 2π q·v_t = Re(w exp(2πi q·R_t)) */
            const double wr = cu[i] * cu[j] + su[i] * su[j], wi = cu[i] * su[j] - su[i] * cu[j];
            const int *restrict tr = dm->term_r + t0;
            const double *restrict kt = dm->term_kt + 12 * t0;
            v4d_t a0 = {0}, a1 = {0}, a2 = {0}, b0 = {0}, b1 = {0}, b2 = {0}; /* two sets */
            int64_t t = 0;
            for (; t + 1 < nb; t += 2) {
                const double *p0 = ph + 2 * (int64_t)tr[t], *p1 = ph + 2 * (int64_t)tr[t + 1];
                const double c0 = wr * p0[0] - wi * p0[1], c1 = wr * p1[0] - wi * p1[1];
                a0 += c0 * v4d_load(kt + 12 * t);
                a1 += c0 * v4d_load(kt + 12 * t + 4);
                a2 += c0 * v4d_load(kt + 12 * t + 8);
                b0 += c1 * v4d_load(kt + 12 * t + 12);
                b1 += c1 * v4d_load(kt + 12 * t + 16);
                b2 += c1 * v4d_load(kt + 12 * t + 20);
            }
            if (t < nb) {
                const double *p0 = ph + 2 * (int64_t)tr[t];
                const double c0 = wr * p0[0] - wi * p0[1];
                a0 += c0 * v4d_load(kt + 12 * t);
                a1 += c0 * v4d_load(kt + 12 * t + 4);
                a2 += c0 * v4d_load(kt + 12 * t + 8);
            }
            a0 += b0;
            a1 += b1;
            a2 += b2;
            const double acc[9] = {a0[0], a0[1], a0[2], a0[3], a1[0], a1[1], a1[2], a1[3], a2[0]};
            for (int a = 0; a < 3; a++)
                for (int bb = 0; bb < 3; bb++) {
                    if (i == j && bb > a) continue;
                    const double x = i == j ? 0.5 * (acc[3 * a + bb] + acc[3 * bb + a])
                                            : acc[3 * a + bb];
                    m[(int64_t)(3 * i + a) * n + 3 * j + bb] = x;
                    m[(int64_t)(3 * j + bb) * n + 3 * i + a] = x;
                }
        }
}

int pg_dynmat_is_real(const pg_dynmat_t *dm)
{
    return dm->real;
}

double pg_dynmat_real_odd(const pg_dynmat_t *dm)
{
    return dm->real_odd;
}

/* u_i = exp(2πi q·x_i) for the primitive atoms */
static void atom_phases(const pg_dynmat_t *dm, const double q[3], double complex *u)
{
    for (int i = 0; i < dm->n_p; i++) {
        const double ph =
            2.0 * PG_PI * (q[0] * dm->xp[i][0] + q[1] * dm->xp[i][1] + q[2] * dm->xp[i][2]);
        u[i] = CMPLX(cos(ph), sin(ph));
    }
}

/* D from packed D̃: D_rc = conj(u_i) D̃_rc u_j (i, j the atoms of rows r, c) */
static void expand_full(const pg_dynmat_t *dm, const double *re, const double *im,
                        const double complex *u, double complex *d)
{
    const int n = dm->n_band;
    for (int r = 0; r < n; r++) {
        d[(int64_t)r * n + r] = re[(int64_t)r * (r + 1) / 2 + r];
        for (int c = 0; c < r; c++) {
            const double complex x =
                CMPLX(re[(int64_t)r * (r + 1) / 2 + c], im[(int64_t)r * (r - 1) / 2 + c]) *
                conj(u[r / 3]) * u[c / 3];
            d[(int64_t)r * n + c] = x;
            d[(int64_t)c * n + r] = conj(x);
        }
    }
}

#define BUILD_STACK 48 /* bands up to which pg_dynmat_build needs no heap scratch */

void pg_dynmat_build(const pg_dynmat_t *dm, const double q[3], double complex *d)
{
    const int n = dm->n_band;
    double stk[BUILD_STACK * BUILD_STACK];
    double complex ustk[BUILD_STACK / 3], *u = ustk;
    double *re = stk, *heap = NULL;
    if (n > BUILD_STACK) { /* large primitive cells: the heap (not a hot path there) */
        heap = malloc(sizeof(double) * (size_t)n * (size_t)n +
                      sizeof(double complex) * (size_t)dm->n_p);
        if (!heap) { /* cannot report from a void function: leave D as NaN */
            for (int64_t t = 0; t < (int64_t)n * n; t++) d[t] = NAN;
            return;
        }
        re = heap;
        u = (double complex *)(heap + (size_t)n * (size_t)n);
    }
    double *im = re + (int64_t)n * (n + 1) / 2;
    build_tilde(dm, q, re, im);
    atom_phases(dm, q, u);
    expand_full(dm, re, im, u, d);
    free(heap);
}

pg_status_t pg_dynmat_build_real_gauge(const pg_dynmat_t *dm, const double q[3], double *d_real)
{
    const int n = dm->n_band;
    double complex *d = malloc(sizeof(double complex) * (size_t)n * (size_t)n);
    PG_REQUIRE(d, PG_ERR_NOMEM, "out of memory for D(q) of order %d", n);
    pg_dynmat_build(dm, q, d);
    for (int i = 0; i < dm->n_p; i++)
        for (int j = 0; j < dm->n_p; j++) {
            double phi =
                2.0 * PG_PI * (q[0] * dm->xp[i][0] + q[1] * dm->xp[i][1] + q[2] * dm->xp[i][2]);
            double phj =
                2.0 * PG_PI * (q[0] * dm->xp[j][0] + q[1] * dm->xp[j][1] + q[2] * dm->xp[j][2]);
            double complex c = (cos(phi) + I * sin(phi)) * (cos(phj) - I * sin(phj));
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++) {
                    int64_t t = (int64_t)(3 * i + a) * n + 3 * j + b;
                    d_real[t] = creal(c * d[t]);
                }
        }
    /* symmetrise exactly */
    for (int r = 0; r < n; r++)
        for (int s = r + 1; s < n; s++) {
            double x = 0.5 * (d_real[(int64_t)r * n + s] + d_real[(int64_t)s * n + r]);
            d_real[(int64_t)r * n + s] = d_real[(int64_t)s * n + r] = x;
        }
    free(d);
    return PG_OK;
}

double pg_dynmat_eig_to_thz(double lambda)
{
    double v = sqrt(fabs(lambda)) * PG_VASP_TO_THZ;
    return lambda < 0 ? -v : v;
}

pg_status_t pg_dynmat_ws_init_solver(pg_dynmat_ws_t *ws, const pg_dynmat_t *dm,
                                     pg_dynmat_eig_t solver)
{
    pg_status_t st = PG_OK;
    memset(ws, 0, sizeof(*ws));
    ws->n = dm->n_band;
    ws->small = solver == PG_DYNMAT_EIG_SMALL || solver == PG_DYNMAT_EIG_SMALL_HERMITIAN ||
                (solver == PG_DYNMAT_EIG_AUTO && ws->n <= PG_DYNMAT_SMALL_MAX_BANDS);
    ws->real = ws->small && dm->real && solver != PG_DYNMAT_EIG_SMALL_HERMITIAN;
    if (ws->small)
        PG_TRY(pg_eigh_ws_init(&ws->eh, ws->n));
    else
        PG_TRY(pg_zheevd_ws_init(&ws->ev, ws->n));
    PG_TRY_CALLOC(ws->a, 2 * (int64_t)ws->n * ws->n, "dynamical-matrix scratch");
    PG_TRY_CALLOC(ws->tre, (int64_t)ws->n * ws->n, "dynamical-matrix scratch");
    PG_TRY_CALLOC(ws->u, dm->n_p, "atom phases");
    if (ws->real) PG_TRY_CALLOC(ws->rph, 2 * (int64_t)(dm->n_rr + dm->n_p), "real-gauge phases");
    if (ws->small) {
        PG_TRY(pg_eigh_batch_ws_init(&ws->eb, ws->n, PG_DYNMAT_BATCH));
        PG_TRY_CALLOC(ws->mb, (int64_t)PG_DYNMAT_BATCH * ws->n * ws->n, "batch of D(q)");
        PG_TRY_CALLOC(ws->wb, (int64_t)PG_DYNMAT_BATCH * ws->n * 3, "batch of eigenvalues");
    }
    return PG_OK;
cleanup:
    pg_dynmat_ws_free(ws);
    return st;
}

pg_status_t pg_dynmat_ws_init(pg_dynmat_ws_t *ws, const pg_dynmat_t *dm)
{
    return pg_dynmat_ws_init_solver(ws, dm, PG_DYNMAT_EIG_AUTO);
}

void pg_dynmat_ws_free(pg_dynmat_ws_t *ws)
{
    if (!ws) return;
    pg_zheevd_ws_free(&ws->ev);
    pg_eigh_ws_free(&ws->eh);
    free(ws->a);
    free(ws->tre);
    free(ws->u);
    free(ws->rph);
    pg_eigh_batch_ws_free(&ws->eb);
    free(ws->mb);
    free(ws->wb);
    memset(ws, 0, sizeof(*ws));
}

/* LAPACK/ScaLAPACK return the column-major eigenvectors z of conj(d) (they read our row-major
 * d as column-major); the eigenvectors of d are their conjugates: e[r*n + s] = conj(z[s*n + r]).
 * The one place the convention is handled. */
static void evec_from_colmajor_conj(int n, const double complex *z, double complex *evec)
{
    for (int r = 0; r < n; r++)
        for (int s = 0; s < n; s++) evec[(int64_t)r * n + s] = conj(z[(int64_t)s * n + r]);
}

pg_status_t pg_dynmat_solve_matrix_scalapack(MPI_Comm comm, int nb, int n, const double complex *d,
                                             double *freq_thz, double complex *evec)
{
    pg_status_t st = PG_OK;
    double *w = NULL;
    double complex *z = NULL;
    PG_TRY_CALLOC(w, n, "eigenvalues");
    if (evec) PG_TRY_CALLOC(z, (int64_t)n * n, "eigenvectors");
    PG_TRY(pg_pzheevd(comm, n, nb, d, w, z));
    for (int s = 0; s < n; s++) freq_thz[s] = pg_dynmat_eig_to_thz(w[s]);
    if (evec) evec_from_colmajor_conj(n, z, evec);
cleanup:
    free(w);
    free(z);
    return st;
}

pg_status_t pg_dynmat_solve_matrix(pg_dynmat_ws_t *ws, const double complex *d, double *freq_thz,
                                   double complex *evec)
{
    const int n = ws->n;
    double w[3 * 256], *wh = NULL, *wp = w;
    if (n > 3 * 256) {
        wh = malloc(sizeof(double) * (size_t)n);
        PG_REQUIRE(wh, PG_ERR_NOMEM, "out of memory for %d eigenvalues", n);
        wp = wh;
    }
    pg_status_t st;
    if (ws->small) { /* our own solver reads row-major d as it is */
        st = pg_eigh_small(&ws->eh, n, d, wp, evec);
        if (st == PG_OK)
            for (int s = 0; s < n; s++) freq_thz[s] = pg_dynmat_eig_to_thz(wp[s]);
        else
            pg_err_frame(__FILE__, __LINE__, __func__);
        free(wh);
        return st;
    }
    /* LAPACK reads the row-major d as column-major, i.e. as conj(d) (same eigenvalues). */
    memcpy(ws->a, d, sizeof(double complex) * (size_t)n * (size_t)n);
    st = pg_zheevd(&ws->ev, n, ws->a, wp);
    if (st == PG_OK) {
        for (int s = 0; s < n; s++) freq_thz[s] = pg_dynmat_eig_to_thz(wp[s]);
        if (evec) evec_from_colmajor_conj(n, ws->a, evec);
    } else {
        pg_err_frame(__FILE__, __LINE__, __func__);
    }
    free(wh);
    return st;
}

pg_status_t pg_dynmat_solve(const pg_dynmat_t *dm, pg_dynmat_ws_t *ws, const double q[3],
                            double *freq_thz, double complex *evec, double complex *d_out)
{
    const int n = dm->n_band;
    pg_status_t st = PG_OK;
    if (ws->real) { /* real symmetric D(q) (position-phase convention): real eigenvectors */
        double *m = (double *)ws->a, w[3 * 256];
        PG_REQUIRE(n <= 3 * 256, PG_ERR_INTERNAL, "small eigensolver used for %d bands", n);
        build_real(dm, q, ws->rph, m);
        if (d_out)
            for (int64_t t = 0; t < (int64_t)n * n; t++) d_out[t] = m[t];
        st = pg_eigh_small_real(&ws->eh, n, m, w, evec);
        if (st == PG_OK)
            for (int s = 0; s < n; s++) freq_thz[s] = pg_dynmat_eig_to_thz(w[s]);
    } else if (ws->small) {
        /* diagonalise D̃ = U D U^H (U = diag(u)), then e = U^H z */
        double *re = ws->tre, *im = ws->tre + (int64_t)n * (n + 1) / 2;
        double w[3 * 256];
        PG_REQUIRE(n <= 3 * 256, PG_ERR_INTERNAL, "small eigensolver used for %d bands", n);
        build_tilde(dm, q, re, im);
        atom_phases(dm, q, ws->u);
        if (d_out) expand_full(dm, re, im, ws->u, d_out);
        double phr[3 * 256], phi[3 * 256]; /* row phases conj(u_i) of e = U^H z */
        for (int r = 0; r < n; r++) {
            phr[r] = creal(ws->u[r / 3]);
            phi[r] = -cimag(ws->u[r / 3]);
        }
        st = pg_eigh_small_packed_phased(&ws->eh, n, re, im, phr, phi, w, evec);
        if (st == PG_OK)
            for (int s = 0; s < n; s++) freq_thz[s] = pg_dynmat_eig_to_thz(w[s]);
    } else {
        double complex *d = d_out ? d_out : ws->a + (int64_t)n * n; /* 2nd half: scratch */
        pg_dynmat_build(dm, q, d);
        st = pg_dynmat_solve_matrix(ws, d, freq_thz, evec);
    }
    if (st != PG_OK)
        return PG_ERR(st, "eigen-solve failed at q = (%.6f, %.6f, %.6f): %s", q[0], q[1], q[2],
                      pg_err_message());
    return PG_OK;
}

pg_status_t pg_dynmat_solve_many(const pg_dynmat_t *dm, pg_dynmat_ws_t *ws, int n_q,
                                 const double *const *q, double *const *freq_thz,
                                 double complex *const *evec)
{
    const int n = dm->n_band;
    const int64_t n_lo = (int64_t)n * (n + 1) / 2, n_sl = (int64_t)n * (n - 1) / 2;
    if (!ws->small) { /* zheevd: one at a time */
        for (int t = 0; t < n_q; t++)
            PG_CHECK(pg_dynmat_solve(dm, ws, q[t], freq_thz[t], evec ? evec[t] : NULL, NULL));
        return PG_OK;
    }
    double *w = ws->wb, *phr = ws->wb + (int64_t)PG_DYNMAT_BATCH * n, *phi = phr + (int64_t)PG_DYNMAT_BATCH * n;
    for (int t0 = 0; t0 < n_q; t0 += PG_DYNMAT_BATCH) {
        const int k = n_q - t0 < PG_DYNMAT_BATCH ? n_q - t0 : PG_DYNMAT_BATCH;
        pg_status_t st;
        if (ws->real) {
            for (int j = 0; j < k; j++) build_real(dm, q[t0 + j], ws->rph, ws->mb + (int64_t)j * n * n);
            st = pg_eigh_small_real_batch(&ws->eb, k, n, ws->mb, w, evec ? evec + t0 : NULL);
        } else { /* D̃ packed (re of all k, then im of all k) and the row phases conj(u_i) */
            double *re = ws->mb, *im = ws->mb + (int64_t)PG_DYNMAT_BATCH * n_lo;
            for (int j = 0; j < k; j++) {
                build_tilde(dm, q[t0 + j], re + j * n_lo, im + j * n_sl);
                atom_phases(dm, q[t0 + j], ws->u);
                for (int r = 0; r < n; r++) {
                    phr[(int64_t)j * n + r] = creal(ws->u[r / 3]);
                    phi[(int64_t)j * n + r] = -cimag(ws->u[r / 3]);
                }
            }
            st = pg_eigh_small_packed_phased_batch(&ws->eb, k, n, re, im, phr, phi, w,
                                                   evec ? evec + t0 : NULL);
        }
        if (st != PG_OK) { /* name the point: solve them one by one */
            for (int j = 0; j < k; j++)
                PG_CHECK(pg_dynmat_solve(dm, ws, q[t0 + j], freq_thz[t0 + j],
                                         evec ? evec[t0 + j] : NULL, NULL));
            continue;
        }
        for (int j = 0; j < k; j++)
            for (int s = 0; s < n; s++)
                freq_thz[t0 + j][s] = pg_dynmat_eig_to_thz(w[(int64_t)j * n + s]);
    }
    return PG_OK;
}

pg_status_t pg_dynmat_solve_batch(const pg_dynmat_t *dm, int64_t n_q, const double (*q)[3],
                                  double *freq_thz, double complex *evec)
{
    pg_status_t st = PG_OK;
    pg_dynmat_ws_t ws = {0};
    double complex *d = NULL;
    const int n = dm->n_band;
    PG_TRY(pg_dynmat_ws_init(&ws, dm));
    PG_TRY_CALLOC(d, (int64_t)n * n, "D(q)");
    for (int64_t iq = 0; iq < n_q; iq++)
        PG_TRY(pg_dynmat_solve(dm, &ws, q[iq], freq_thz + iq * n,
                               evec ? evec + iq * (int64_t)n * n : NULL, d));
cleanup:
    free(d);
    pg_dynmat_ws_free(&ws);
    return st;
}
