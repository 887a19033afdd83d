/* tightbinding.c - TB-CAP-1: Slater–Koster Γ-point Hamiltonian, band edges, edge character.
 *
 * Equations: ../shared/physics/LABELER.md §5 (onsite energies §5.2, Harrison hopping laws
 * and the smooth cutoff §5.3, the Slater–Koster table with the (−1)^(l_a+l_b) rule §5.4).
 * Eigenvalues come from src/core/linalg.c (LAPACK / ScaLAPACK). */
#include "phonograph/pg_tb.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "phonograph/pg_element.h"
#include "phonograph/pg_linalg.h"
#include "phonograph/pg_par.h"
#include "phonograph/pg_units.h"

/* ---- model parameters (LABELER.md §5; normative) -------------------------------------- */

/* orbital labels: 0 s, 1 p_x, 2 p_y, 3 p_z, 4 d_xy, 5 d_yz, 6 d_zx, 7 d_x²−y², 8 d_3z²−r² */
enum { O_S = 0, O_PX, O_PY, O_PZ, O_XY, O_YZ, O_ZX, O_X2Y2, O_Z2 };
static const int orb_l[9] = {0, 1, 1, 1, 2, 2, 2, 2, 2};
static const int ag_orbs[PG_TB_MAX_ORB] = {O_S, O_XY, O_YZ, O_ZX, O_X2Y2, O_Z2};
static const int anion_orbs[4] = {O_S, O_PX, O_PY, O_PZ};

static const int species_z[PG_TB_N_SPECIES] = {47, 16, 34, 35, 53}; /* Ag S Se Br I */
static const int species_electrons[PG_TB_N_SPECIES] = {11, 6, 6, 7, 7};
/* onsite energies (eV) by species and l (s, p, d); unused entries 0 */
static const double onsite_ev[PG_TB_N_SPECIES][PG_TB_N_L] = {
    {-9.40, 0.0, -10.50},  /* Ag */
    {-20.80, -10.27, 0.0}, /* S */
    {-20.32, -9.90, 0.0},  /* Se */
    {-24.00, -12.40, 0.0}, /* Br */
    {-19.40, -10.90, 0.0}, /* I */
};
/* Harrison (1980) dimensionless coefficients */
#define ETA_SS_S (-1.40)
#define ETA_SP_S 1.84
#define ETA_PP_S 3.24
#define ETA_PP_P (-0.81)
#define ETA_SD_S (-3.16)
#define ETA_PD_S (-2.95)
#define ETA_PD_P 1.36
#define ETA_DD_S (-16.2)
#define ETA_DD_P 8.75
#define ETA_DD_D 0.0
static const double r_d_ang[PG_TB_N_SPECIES] = {0.89, 0.0, 0.0, 0.0, 0.0}; /* Ag 4d radius */
/* per-pair hopping scale s_AB (0: no hopping, every anion–anion pair) */
static const double pair_scale[PG_TB_N_SPECIES][PG_TB_N_SPECIES] = {
    {0.5, 1.0, 1.0, 0.6, 0.6},
    {1.0, 0.0, 0.0, 0.0, 0.0},
    {1.0, 0.0, 0.0, 0.0, 0.0},
    {0.6, 0.0, 0.0, 0.0, 0.0},
    {0.6, 0.0, 0.0, 0.0, 0.0},
};
#define R1_ANG 4.0
#define R2_ANG PG_TB_CUTOFF_ANG
#define S3 1.7320508075688772935

int pg_tb_species(int z)
{
    for (int s = 0; s < PG_TB_N_SPECIES; s++)
        if (species_z[s] == z) return s;
    return -1;
}

int pg_tb_n_orbitals(int z)
{
    int s = pg_tb_species(z);
    return s < 0 ? 0 : (s == PG_TB_AG ? 6 : 4);
}

static const int *species_orbs(int s) { return s == PG_TB_AG ? ag_orbs : anion_orbs; }

static pg_status_t species_of(int z, int *s)
{
    *s = pg_tb_species(z);
    PG_REQUIRE(*s >= 0, PG_ERR_INPUT,
               "element %s (Z=%d) is outside the tight-binding model TB-CAP-1 "
               "(expected one of Ag, S, Se, Br, I)",
               pg_element_symbol(z), z);
    return PG_OK;
}

pg_status_t pg_tb_onsite(int z, double eps[PG_TB_MAX_ORB], int *n_orb)
{
    int s = 0;
    PG_CHECK(species_of(z, &s));
    *n_orb = pg_tb_n_orbitals(z);
    const int *orbs = species_orbs(s);
    for (int a = 0; a < PG_TB_MAX_ORB; a++)
        eps[a] = a < *n_orb ? onsite_ev[s][orb_l[orbs[a]]] : 0.0;
    return PG_OK;
}

/* ---- Slater–Koster elements ------------------------------------------------------------ */

/* Two-centre integrals of one bond. sd/pd come in two versions: the d orbital on the second
 * atom (B) or on the first (A), each with the r_d of the atom that carries it. */
typedef struct {
    double ss, sp, pp_s, pp_p;
    double sd[2], pd_s[2], pd_p[2]; /* [0]: d on B, [1]: d on A */
    double dd_s, dd_p, dd_d;
} bond_t;

/* f_c(d): 1 below r1, cosine taper to 0 at r2 (LABELER.md §5.3) */
static double cutoff_fn(double d)
{
    if (d <= R1_ANG) return 1.0;
    if (d >= R2_ANG) return 0.0;
    return 0.5 * (1.0 + cos(PG_PI * (d - R1_ANG) / (R2_ANG - R1_ANG)));
}

/* Harrison's universal laws times s_AB f_c(d); returns 0 if the bond has no hopping */
static int bond_integrals(int sa, int sb, double d, bond_t *v)
{
    const double scale = pair_scale[sa][sb] * cutoff_fn(d);
    if (scale == 0.0) return 0;
    const double c = scale * PG_HBAR2_OVER_ME;
    const double d2 = d * d, d35 = d2 * d * sqrt(d), d5 = d2 * d2 * d;
    v->ss = c * ETA_SS_S / d2;
    v->sp = c * ETA_SP_S / d2;
    v->pp_s = c * ETA_PP_S / d2;
    v->pp_p = c * ETA_PP_P / d2;
    const double rd[2] = {r_d_ang[sb], r_d_ang[sa]};
    for (int k = 0; k < 2; k++) {
        const double f = c * rd[k] * sqrt(rd[k]) / d35;
        v->sd[k] = ETA_SD_S * f;
        v->pd_s[k] = ETA_PD_S * f;
        v->pd_p[k] = ETA_PD_P * f;
    }
    const double rdd = sqrt(r_d_ang[sa] * r_d_ang[sb]);
    const double fdd = c * rdd * rdd * rdd / d5;
    v->dd_s = ETA_DD_S * fdd;
    v->dd_p = ETA_DD_P * fdd;
    v->dd_d = ETA_DD_D * fdd;
    return 1;
}

/* Sub-blocks of the Slater–Koster table for direction cosines c = (l, m, n); d orbitals in
 * the order xy, yz, zx, x²−y², 3z²−r². Each fills whole rows/columns at once (no per-element
 * dispatch); test/unit/tb_sk_reference.h keeps the plain element-by-element version. */

/* s – d (5) */
static void sk_sd(const double c[3], double v, double out[5])
{
    const double l = c[0], m = c[1], n = c[2];
    out[0] = S3 * l * m * v;
    out[1] = S3 * m * n * v;
    out[2] = S3 * n * l * v;
    out[3] = 0.5 * S3 * (l * l - m * m) * v;
    out[4] = (n * n - 0.5 * (l * l + m * m)) * v;
}

/* p – d (3 x 5) */
static void sk_pd(const double c[3], double vs, double vp, double out[3][5])
{
    const double l = c[0], m = c[1], n = c[2];
    const double lm = l * l - m * m, q = n * n - 0.5 * (l * l + m * m), lmn = l * m * n;
    /* t2g: p_u–d_uv = √3 c_u² c_v σ + c_v (1 − 2c_u²) π; p_v–d_uv likewise with u <-> v;
     * p_w–d_uv = √3 lmn σ − 2 lmn π   (d_xy: u=x,v=y; d_yz: y,z; d_zx: z,x) */
    static const int uv[3][2] = {{0, 1}, {1, 2}, {2, 0}};
    for (int k = 0; k < 3; k++) {
        const int u = uv[k][0], w = uv[k][1], o = 3 - u - w;
        out[u][k] = S3 * c[u] * c[u] * c[w] * vs + c[w] * (1.0 - 2.0 * c[u] * c[u]) * vp;
        out[w][k] = S3 * c[w] * c[w] * c[u] * vs + c[u] * (1.0 - 2.0 * c[w] * c[w]) * vp;
        out[o][k] = S3 * lmn * vs - 2.0 * lmn * vp;
    }
    out[0][3] = 0.5 * S3 * l * lm * vs + l * (1.0 - lm) * vp;
    out[1][3] = 0.5 * S3 * m * lm * vs - m * (1.0 + lm) * vp;
    out[2][3] = 0.5 * S3 * n * lm * vs - n * lm * vp;
    out[0][4] = l * q * vs - S3 * l * n * n * vp;
    out[1][4] = m * q * vs - S3 * m * n * n * vp;
    out[2][4] = n * q * vs + S3 * n * (l * l + m * m) * vp;
}

/* d – d (5 x 5, symmetric) */
static void sk_dd(const double c[3], double vs, double vp, double vd, double out[5][5])
{
    const double l = c[0], m = c[1], n = c[2];
    const double l2 = l * l, m2 = m * m, n2 = n * n;
    const double lm = l2 - m2, q = n2 - 0.5 * (l2 + m2);
    out[0][0] = 3 * l2 * m2 * vs + (l2 + m2 - 4 * l2 * m2) * vp + (n2 + l2 * m2) * vd;
    out[1][1] = 3 * m2 * n2 * vs + (m2 + n2 - 4 * m2 * n2) * vp + (l2 + m2 * n2) * vd;
    out[2][2] = 3 * n2 * l2 * vs + (n2 + l2 - 4 * n2 * l2) * vp + (m2 + n2 * l2) * vd;
    out[0][1] = 3 * l * m2 * n * vs + l * n * (1 - 4 * m2) * vp + l * n * (m2 - 1) * vd;
    out[1][2] = 3 * m * n2 * l * vs + m * l * (1 - 4 * n2) * vp + m * l * (n2 - 1) * vd;
    out[0][2] = 3 * n * l2 * m * vs + n * m * (1 - 4 * l2) * vp + n * m * (l2 - 1) * vd;
    out[0][3] = 1.5 * l * m * lm * vs - 2 * l * m * lm * vp + 0.5 * l * m * lm * vd;
    out[1][3] = 1.5 * m * n * lm * vs - m * n * (1 + 2 * lm) * vp + m * n * (1 + 0.5 * lm) * vd;
    out[2][3] = 1.5 * n * l * lm * vs + n * l * (1 - 2 * lm) * vp - n * l * (1 - 0.5 * lm) * vd;
    out[0][4] = S3 * l * m * q * vs - 2 * S3 * l * m * n2 * vp + 0.5 * S3 * l * m * (1 + n2) * vd;
    out[1][4] = S3 * m * n * q * vs + S3 * m * n * (l2 + m2 - n2) * vp -
                0.5 * S3 * m * n * (l2 + m2) * vd;
    out[2][4] = S3 * l * n * q * vs + S3 * l * n * (l2 + m2 - n2) * vp -
                0.5 * S3 * l * n * (l2 + m2) * vd;
    out[3][3] = 0.75 * lm * lm * vs + (l2 + m2 - lm * lm) * vp + (n2 + 0.25 * lm * lm) * vd;
    out[3][4] = 0.5 * S3 * lm * q * vs + S3 * n2 * (m2 - l2) * vp + 0.25 * S3 * (1 + n2) * lm * vd;
    out[4][4] = q * q * vs + 3 * n2 * (l2 + m2) * vp + 0.75 * (l2 + m2) * (l2 + m2) * vd;
    for (int a = 1; a < 5; a++)
        for (int b = 0; b < a; b++) out[a][b] = out[b][a];
}

/* Block M_AB(d) for model species sa (rows), sb (columns); returns 0 (block untouched) if
 * the bond has no hopping. Entries with l_a > l_b use E_ab(d) = (−1)^(l_a+l_b) E_ba(d) with
 * the d-carrying atom's r_d (LABELER.md §5.4): d–s keeps the sign of s–d, d–p and p–s flip. */
static int sk_block_species(int sa, int sb, const double d[3], double dist,
                            double block[PG_TB_MAX_ORB][PG_TB_MAX_ORB])
{
    bond_t v;
    if (!bond_integrals(sa, sb, dist, &v)) return 0;
    const double c[3] = {d[0] / dist, d[1] / dist, d[2] / dist};
    const int ag_a = sa == PG_TB_AG, ag_b = sb == PG_TB_AG;
    double sd[5], pd[3][5];
    block[0][0] = v.ss;
    if (ag_b) { /* s_A – d_B, and p_A – d_B for an anion A */
        sk_sd(c, v.sd[0], sd);
        for (int k = 0; k < 5; k++) block[0][1 + k] = sd[k];
    } else { /* s_A – p_B */
        for (int i = 0; i < 3; i++) block[0][1 + i] = c[i] * v.sp;
    }
    if (ag_a) { /* d_A – s_B = + s–d with r_d of A */
        sk_sd(c, v.sd[1], sd);
        for (int k = 0; k < 5; k++) block[1 + k][0] = sd[k];
    } else { /* p_A – s_B = − s–p */
        for (int i = 0; i < 3; i++) block[1 + i][0] = -c[i] * v.sp;
    }
    if (ag_a && ag_b) {
        double dd[5][5];
        sk_dd(c, v.dd_s, v.dd_p, v.dd_d, dd);
        for (int a = 0; a < 5; a++)
            for (int b = 0; b < 5; b++) block[1 + a][1 + b] = dd[a][b];
    } else if (ag_a) { /* d_A – p_B = − (p–d with r_d of A)ᵀ */
        sk_pd(c, v.pd_s[1], v.pd_p[1], pd);
        for (int k = 0; k < 5; k++)
            for (int i = 0; i < 3; i++) block[1 + k][1 + i] = -pd[i][k];
    } else if (ag_b) { /* p_A – d_B */
        sk_pd(c, v.pd_s[0], v.pd_p[0], pd);
        for (int i = 0; i < 3; i++)
            for (int k = 0; k < 5; k++) block[1 + i][1 + k] = pd[i][k];
    } else { /* p_A – p_B (no model pair reaches this: anion–anion has no hopping) */
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                block[1 + i][1 + j] = c[i] * c[j] * (v.pp_s - v.pp_p) + (i == j ? v.pp_p : 0.0);
    }
    return 1;
}

pg_status_t pg_tb_sk_block(int z_a, int z_b, const double d[3],
                           double block[PG_TB_MAX_ORB][PG_TB_MAX_ORB], int *n_a, int *n_b)
{
    int sa = 0, sb = 0;
    PG_CHECK(species_of(z_a, &sa));
    PG_CHECK(species_of(z_b, &sb));
    const double dist = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
    PG_REQUIRE(dist > 0.0 && isfinite(dist), PG_ERR_INPUT,
               "Slater-Koster block needs a finite non-zero bond vector");
    memset(block, 0, sizeof(double[PG_TB_MAX_ORB][PG_TB_MAX_ORB]));
    *n_a = pg_tb_n_orbitals(z_a);
    *n_b = pg_tb_n_orbitals(z_b);
    sk_block_species(sa, sb, d, dist, block);
    return PG_OK;
}

/* ---- Hamiltonian assembly ----------------------------------------------------------------- */

pg_status_t pg_tb_count(const pg_cell_t *cell, int64_t *n_orb, int64_t *n_electron)
{
    int64_t no = 0, ne = 0;
    for (int64_t i = 0; i < cell->n_atom; i++) {
        int s = pg_tb_species(cell->z[i]);
        PG_REQUIRE(s >= 0, PG_ERR_INPUT,
                   "atom %lld is %s (Z=%d), outside the tight-binding model TB-CAP-1 "
                   "(expected one of Ag, S, Se, Br, I)",
                   (long long)i, pg_element_symbol(cell->z[i]), cell->z[i]);
        no += s == PG_TB_AG ? 6 : 4;
        ne += species_electrons[s];
    }
    *n_orb = no;
    *n_electron = ne;
    return PG_OK;
}

/* Where matrix elements go: the dense matrix, or this rank's part of a block-cyclic one. */
typedef struct {
    int64_t n;
    double *a;                     /* dense [n][n], or local [n_local_col][lld] */
    const pg_linalg_dist_t *dist;  /* NULL: dense */
    int nprow, npcol, myrow, mycol;
} sink_t;

static void sink_add_block(const sink_t *s, int64_t r0, int64_t c0, int nr, int nc,
                           double blk[PG_TB_MAX_ORB][PG_TB_MAX_ORB])
{
    if (!s->dist) {
        for (int a = 0; a < nr; a++) {
            double *row = s->a + (r0 + a) * s->n + c0;
            for (int b = 0; b < nc; b++) row[b] += blk[a][b];
        }
        return;
    }
    const int64_t nb = s->dist->nb;
    for (int a = 0; a < nr; a++) {
        int64_t lr = 0;
        if (pg_linalg_bc_owner(r0 + a, nb, s->nprow, &lr) != s->myrow) continue;
        for (int b = 0; b < nc; b++) {
            int64_t lc = 0;
            if (pg_linalg_bc_owner(c0 + b, nb, s->npcol, &lc) != s->mycol) continue;
            s->a[lc * s->dist->lld + lr] += blk[a][b];
        }
    }
}

/* Onsite diagonal plus every directed edge's block, in the list's order (deterministic). */
static pg_status_t assemble(const pg_cell_t *cell, const pg_neighbor_t *nl, const int64_t *off,
                            const sink_t *s, int64_t *n_hop)
{
    PG_REQUIRE(nl->n_atom == cell->n_atom, PG_ERR_INPUT,
               "neighbour list has %lld atoms, the cell %lld", (long long)nl->n_atom,
               (long long)cell->n_atom);
    PG_REQUIRE(nl->cutoff_ang >= PG_TB_CUTOFF_ANG * (1.0 - 1e-12), PG_ERR_INPUT,
               "tight binding needs a neighbour list with cutoff >= %.2f Å, got %.4f Å",
               PG_TB_CUTOFF_ANG, nl->cutoff_ang);
    double blk[PG_TB_MAX_ORB][PG_TB_MAX_ORB];
    int64_t hops = 0;
    for (int64_t i = 0; i < cell->n_atom; i++) {
        const int si = pg_tb_species(cell->z[i]);
        const int ni = si == PG_TB_AG ? 6 : 4;
        memset(blk, 0, sizeof blk);
        const int *oi = species_orbs(si);
        for (int a = 0; a < ni; a++) blk[a][a] = onsite_ev[si][orb_l[oi[a]]];
        sink_add_block(s, off[i], off[i], ni, ni, blk);
        for (int64_t e = nl->offsets[i]; e < nl->offsets[i + 1]; e++) {
            const int64_t j = nl->j[e];
            const double dist = nl->dist[e];
            PG_REQUIRE(dist >= PG_TB_MIN_DIST_ANG, PG_ERR_INPUT,
                       "atoms %lld (%s) and %lld (%s, image %d %d %d) are %.4f Å apart; "
                       "the labeler rejects distances below %.1f Å",
                       (long long)i, pg_element_symbol(cell->z[i]), (long long)j,
                       pg_element_symbol(cell->z[j]), nl->shift[e][0], nl->shift[e][1],
                       nl->shift[e][2], dist, PG_TB_MIN_DIST_ANG);
            if (dist >= R2_ANG) continue;
            const int sj = pg_tb_species(cell->z[j]);
            if (!sk_block_species(si, sj, nl->vec[e], dist, blk)) continue;
            sink_add_block(s, off[i], off[j], ni, sj == PG_TB_AG ? 6 : 4, blk);
            hops++;
        }
    }
    if (n_hop) *n_hop = hops;
    return PG_OK;
}

static void orbital_offsets(const pg_cell_t *cell, int64_t *off)
{
    off[0] = 0;
    for (int64_t i = 0; i < cell->n_atom; i++) off[i + 1] = off[i] + pg_tb_n_orbitals(cell->z[i]);
}

pg_status_t pg_tb_hamiltonian(const pg_cell_t *cell, const pg_neighbor_t *nl, double *h,
                              int64_t *offsets)
{
    pg_status_t st = PG_OK;
    int64_t n = 0, ne = 0, *off = NULL;
    PG_CHECK(pg_tb_count(cell, &n, &ne));
    PG_TRY_CALLOC(off, cell->n_atom + 1, "orbital offsets");
    orbital_offsets(cell, off);
    memset(h, 0, sizeof(double) * (size_t)(n * n));
    sink_t s = {.n = n, .a = h};
    PG_TRY(assemble(cell, nl, off, &s, NULL));
    if (offsets) memcpy(offsets, off, sizeof(int64_t) * (size_t)(cell->n_atom + 1));
cleanup:
    free(off);
    return st;
}

/* ---- band edges -------------------------------------------------------------------------- */

void pg_tb_options_default(pg_tb_options_t *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->solver = PG_TB_SOLVER_AUTO;
    opt->evr_min_dim = PG_TB_EVR_MIN_DIM;
    opt->block_size = 64;
    opt->force_scalapack = 0;
    opt->want_character = 0;
    opt->degen_tol_ev = PG_TB_METALLIC_EV;
}

#define NOLIMIT 1.0, 0.0 /* min > max: no range check */
const pg_deck_key_t pg_deck_keys_tightbinding[] = {
    {"tightbinding", "solver", PG_DECK_CHOICE, "auto", NOLIMIT, 0, 0, NULL, "auto|dsyevr|dsyevd",
     "LAPACK driver on one rank: dsyevr (eigenvalues N_occ, N_occ+1 only), dsyevd (all), or "
     "auto (dsyevr from evr_min_dim on)"},
    {"tightbinding", "evr_min_dim", PG_DECK_INT, "40", 1, 1e9, 0, 0, NULL, NULL,
     "matrix dimension from which solver = auto uses dsyevr (measured crossover, "
     "docs/performance.md)"},
    {"tightbinding", "block_size", PG_DECK_INT, "64", 1, 4096, 0, 0, NULL, NULL,
     "ScaLAPACK block size nb of the 2D block-cyclic Hamiltonian ([labeler] tb_group_size > 1)"},
    {"tightbinding", "character", PG_DECK_BOOL, "false", NOLIMIT, 0, 0, NULL, NULL,
     "also compute the orbital character (species x s/p/d weights) of the VBM and CBM (in "
     "pg_tb_result_t; `phonograph label` does not print it yet)"},
    PG_DECK_KEYS_END,
};

pg_status_t pg_tb_options_from_deck(const pg_deck_t *deck, pg_tb_options_t *opt)
{
    const char *solver = NULL;
    pg_tb_options_default(opt);
    PG_CHECK(pg_deck_get_string(deck, "tightbinding", "solver", &solver));
    opt->solver = !strcmp(solver, "dsyevr")   ? PG_TB_SOLVER_EVR
                  : !strcmp(solver, "dsyevd") ? PG_TB_SOLVER_EVD
                                              : PG_TB_SOLVER_AUTO;
    PG_CHECK(pg_deck_get_int(deck, "tightbinding", "evr_min_dim", &opt->evr_min_dim));
    PG_CHECK(pg_deck_get_int(deck, "tightbinding", "block_size", &opt->block_size));
    PG_CHECK(pg_deck_get_bool(deck, "tightbinding", "character", &opt->want_character));
    return PG_OK;
}

/* species and l of every orbital (for the character) */
static pg_status_t orbital_labels(const pg_cell_t *cell, int64_t n, unsigned char *lab)
{
    int64_t k = 0;
    for (int64_t i = 0; i < cell->n_atom; i++) {
        const int s = pg_tb_species(cell->z[i]);
        const int *o = species_orbs(s);
        for (int a = 0; a < (s == PG_TB_AG ? 6 : 4); a++)
            lab[k++] = (unsigned char)(s * PG_TB_N_L + orb_l[o[a]]);
    }
    PG_REQUIRE(k == n, PG_ERR_INTERNAL, "orbital count %lld != %lld", (long long)k, (long long)n);
    return PG_OK;
}

/* Eigenvector window [lo, hi] (1-based) of `width` states centred on the gap, shifted to
 * stay inside [1, n]. */
static void window(int64_t n, int64_t n_occ, int64_t width, int64_t *lo, int64_t *hi)
{
    if (width > n) width = n;
    *lo = n_occ - width / 2 + 1;
    if (*lo < 1) *lo = 1;
    *hi = *lo + width - 1;
    if (*hi > n) {
        *hi = n;
        *lo = n - width + 1;
    }
}

/* From eigenvalues ev[lo..hi] and per-column weights cw[col][species*3+l], the multiplet
 * averages; returns 0 if a multiplet may extend beyond the window (caller widens it). */
static int finish_character(int64_t n, int64_t n_occ, int64_t lo, int64_t hi, const double *ev,
                            const double *cw, double tol, pg_tb_result_t *out)
{
    const double vbm = ev[n_occ - lo], cbm = ev[n_occ + 1 - lo];
    if (lo > 1 && ev[0] > vbm - tol) return 0;
    if (hi < n && ev[hi - lo] < cbm + tol) return 0;
    memset(out->vbm_character, 0, sizeof out->vbm_character);
    memset(out->cbm_character, 0, sizeof out->cbm_character);
    int nv = 0, nc = 0;
    for (int64_t k = lo; k <= hi; k++) {
        const double *w = cw + (k - lo) * PG_TB_N_SPECIES * PG_TB_N_L;
        double *dst = NULL;
        if (k <= n_occ && ev[k - lo] > vbm - tol) {
            dst = &out->vbm_character[0][0];
            nv++;
        } else if (k > n_occ && ev[k - lo] < cbm + tol) {
            dst = &out->cbm_character[0][0];
            nc++;
        }
        if (dst)
            for (int q = 0; q < PG_TB_N_SPECIES * PG_TB_N_L; q++) dst[q] += w[q];
    }
    for (int q = 0; q < PG_TB_N_SPECIES * PG_TB_N_L; q++) {
        (&out->vbm_character[0][0])[q] /= nv;
        (&out->cbm_character[0][0])[q] /= nc;
    }
    out->vbm_multiplicity = nv;
    out->cbm_multiplicity = nc;
    out->has_character = 1;
    return 1;
}

static void set_edges(pg_tb_result_t *out, double vbm, double cbm)
{
    out->vbm_ev = vbm;
    out->cbm_ev = cbm;
    out->gap_ev = cbm - vbm;
    out->near_metallic = out->gap_ev < PG_TB_METALLIC_EV;
}

/* One rank: LAPACK on the dense matrix. */
static pg_status_t solve_serial(const pg_cell_t *cell, const pg_neighbor_t *nl,
                                const pg_tb_options_t *opt, const int64_t *off, pg_tb_result_t *out)
{
    pg_status_t st = PG_OK;
    const int64_t n = out->n_orb, n_occ = out->n_occ;
    double *h = NULL, *w = NULL, *z = NULL, *cw = NULL;
    unsigned char *lab = NULL;
    PG_TRY_CALLOC(h, n * n, "tight-binding Hamiltonian");
    sink_t s = {.n = n, .a = h};
    if (!opt->want_character) {
        PG_TRY(assemble(cell, nl, off, &s, &out->n_hop));
        const int use_evr = opt->solver == PG_TB_SOLVER_EVR ||
                            (opt->solver == PG_TB_SOLVER_AUTO && n >= opt->evr_min_dim);
        if (use_evr) {
            double e2[2];
            PG_TRY(pg_linalg_dsyevr_range(n, h, n, n_occ, n_occ + 1, e2, NULL, 0));
            set_edges(out, e2[0], e2[1]);
            out->solver = "dsyevr";
        } else {
            PG_TRY_CALLOC(w, n, "eigenvalues");
            PG_TRY(pg_linalg_dsyevd(n, h, n, 0, w));
            set_edges(out, w[n_occ - 1], w[n_occ]);
            out->solver = "dsyevd";
        }
        goto cleanup;
    }
    /* character: eigenvectors of a window around the gap (dsyevr), widened until both edge
     * multiplets lie strictly inside it */
    PG_TRY_CALLOC(lab, n, "orbital labels");
    PG_TRY(orbital_labels(cell, n, lab));
    for (int64_t width = 8;; width *= 2) {
        int64_t lo = 0, hi = 0;
        window(n, n_occ, width, &lo, &hi);
        const int64_t m = hi - lo + 1;
        free(w);
        free(z);
        free(cw);
        w = z = cw = NULL;
        PG_TRY_CALLOC(w, m, "eigenvalues");
        PG_TRY_CALLOC(z, n * m, "eigenvectors");
        PG_TRY_CALLOC(cw, m * PG_TB_N_SPECIES * PG_TB_N_L, "character weights");
        memset(h, 0, sizeof(double) * (size_t)(n * n));
        PG_TRY(assemble(cell, nl, off, &s, &out->n_hop));
        PG_TRY(pg_linalg_dsyevr_range(n, h, n, lo, hi, w, z, n));
        for (int64_t k = 0; k < m; k++)
            for (int64_t r = 0; r < n; r++) cw[k * PG_TB_N_SPECIES * PG_TB_N_L + lab[r]] += z[k * n + r] * z[k * n + r];
        set_edges(out, w[n_occ - lo], w[n_occ + 1 - lo]);
        out->solver = "dsyevr";
        if (finish_character(n, n_occ, lo, hi, w, cw, opt->degen_tol_ev, out)) break;
        PG_TRY_REQUIRE(lo > 1 || hi < n, PG_ERR_INTERNAL, "character window covers everything");
    }
cleanup:
    free(h);
    free(w);
    free(z);
    free(cw);
    free(lab);
    return st;
}

/* Several ranks (or forced): ScaLAPACK pdsyevr on a grid over group. Every rank assembles
 * only the elements it owns (no communication). */
static pg_status_t solve_scalapack(const pg_cell_t *cell, const pg_neighbor_t *nl, MPI_Comm group,
                                   const pg_tb_options_t *opt, const int64_t *off,
                                   pg_tb_result_t *out)
{
    pg_status_t st = PG_OK, st_collective = PG_OK;
    const int64_t n = out->n_orb, n_occ = out->n_occ;
    pg_linalg_grid_t g = {.nprow = 0};
    pg_linalg_dist_t d;
    double *a = NULL, *z = NULL, *w = NULL, *cw = NULL;
    unsigned char *lab = NULL;
    PG_TRY(pg_linalg_grid_create(group, &g));
    int64_t nb = opt->block_size > 0 ? opt->block_size : 64;
    if (nb > n) nb = n;
    PG_TRY(pg_linalg_dist_init(&g, n, nb, &d));
    const int64_t n_local = d.lld * (d.n_local_col > 0 ? d.n_local_col : 1);
    sink_t s = {.n = n, .dist = &d, .nprow = g.nprow, .npcol = g.npcol, .myrow = g.myrow,
                .mycol = g.mycol};
    if (opt->want_character) {
        PG_TRY_CALLOC(lab, n, "orbital labels");
        PG_TRY(orbital_labels(cell, n, lab));
    }
    /* with vectors, pdsyevr needs at least nb of them (pg_linalg.h) */
    for (int64_t width = nb > 8 ? nb : 8;; width *= 2) {
        int64_t lo = n_occ, hi = n_occ + 1;
        if (opt->want_character) window(n, n_occ, width, &lo, &hi);
        const int64_t m = hi - lo + 1;
        free(a);
        free(z);
        free(w);
        free(cw);
        a = z = w = cw = NULL;
        a = calloc((size_t)n_local, sizeof *a);
        w = calloc((size_t)m, sizeof *w);
        if (opt->want_character) {
            z = calloc((size_t)n_local, sizeof *z);
            cw = calloc((size_t)(m * PG_TB_N_SPECIES * PG_TB_N_L), sizeof *cw);
        }
        st = (!a || !w || (opt->want_character && (!z || !cw)))
                 ? PG_ERR(PG_ERR_NOMEM, "ScaLAPACK matrices (%lld local elements)", (long long)n_local)
                 : PG_OK;
        s.a = a;
        if (st == PG_OK) st = assemble(cell, nl, off, &s, &out->n_hop);
        /* nobody enters the collective solver unless everybody is ready */
        PG_TRY(pg_par_agree(group, &st));
        PG_TRY(st);
        st_collective = pg_linalg_pdsyevr_range(&g, &d, a, lo, hi, w, z);
        PG_TRY(pg_par_agree(group, &st_collective));
        PG_TRY(st_collective);
        /* W is replicated by pdsyevr; take rank 0's copy so every rank is bitwise equal */
        PG_TRY(pg_par_bcast(group, 0, w, sizeof(double) * (size_t)m));
        set_edges(out, w[n_occ - lo], w[n_occ + 1 - lo]);
        out->solver = "pdsyevr";
        if (!opt->want_character) break;
        for (int64_t lc = 0; lc < d.n_local_col; lc++) {
            /* global column of local column lc */
            const int64_t gc = ((lc / nb) * g.npcol + g.mycol) * nb + lc % nb;
            if (gc >= m) continue;
            double *dst = cw + gc * PG_TB_N_SPECIES * PG_TB_N_L;
            for (int64_t lr = 0; lr < d.n_local_row; lr++) {
                const int64_t gr = ((lr / nb) * g.nprow + g.myrow) * nb + lr % nb;
                const double v = z[lc * d.lld + lr];
                dst[lab[gr]] += v * v;
            }
        }
        PG_TRY(pg_par_sum_double(group, cw, m * PG_TB_N_SPECIES * PG_TB_N_L));
        if (finish_character(n, n_occ, lo, hi, w, cw, opt->degen_tol_ev, out)) break;
        PG_TRY_REQUIRE(lo > 1 || hi < n, PG_ERR_INTERNAL, "character window covers everything");
    }
cleanup:
    free(a);
    free(z);
    free(w);
    free(cw);
    free(lab);
    pg_linalg_grid_free(&g);
    return st;
}

pg_status_t pg_tb_band_edges_nl(const pg_cell_t *cell, const pg_neighbor_t *nl, MPI_Comm group,
                                const pg_tb_options_t *opt_in, pg_tb_result_t *out)
{
    pg_status_t st = PG_OK;
    int64_t *off = NULL;
    pg_tb_options_t opt;
    if (opt_in) opt = *opt_in;
    else pg_tb_options_default(&opt);
    memset(out, 0, sizeof *out);
    out->n_atom = cell->n_atom;
    /* input checks are deterministic (same cell on every rank): no agreement needed yet */
    PG_CHECK(pg_tb_count(cell, &out->n_orb, &out->n_electron));
    PG_REQUIRE(out->n_electron % 2 == 0, PG_ERR_INPUT,
               "the cell has %lld valence electrons (Ag 11, S/Se 6, Br/I 7): an odd count "
               "gives a non-integer number of doubly occupied states",
               (long long)out->n_electron);
    out->n_occ = out->n_electron / 2;
    PG_REQUIRE(out->n_occ >= 1 && out->n_occ + 1 <= out->n_orb, PG_ERR_INPUT,
               "%lld occupied states in %lld orbitals: no band gap to report",
               (long long)out->n_occ, (long long)out->n_orb);
    PG_TRY_CALLOC(off, cell->n_atom + 1, "orbital offsets");
    orbital_offsets(cell, off);
    if (pg_par_size(group) == 1 && !opt.force_scalapack)
        st = solve_serial(cell, nl, &opt, off, out);
    else
        st = solve_scalapack(cell, nl, group, &opt, off, out);
    if (st != PG_OK) pg_err_frame(__FILE__, __LINE__, __func__);
cleanup:
    free(off);
    return st;
}

pg_status_t pg_tb_band_edges(const pg_cell_t *cell, MPI_Comm group, const pg_tb_options_t *opt,
                             pg_tb_result_t *out)
{
    pg_status_t st = PG_OK;
    pg_neighbor_t nl;
    memset(&nl, 0, sizeof nl);
    PG_TRY(pg_neighbor_build(cell, PG_TB_CUTOFF_ANG, 0, &nl));
    PG_TRY(pg_tb_band_edges_nl(cell, &nl, group, opt, out));
cleanup:
    pg_neighbor_free(&nl);
    return st;
}
