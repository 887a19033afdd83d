/* tb_sk_reference.h - plain element-by-element Slater–Koster evaluation (LABELER.md §5.3,
 * §5.4), kept as the reference for the blocked kernel in src/label/tightbinding.c (the first
 * implementation of that file, one switch per matrix element). Test-only: included by
 * test_tb.c. */
#ifndef TB_SK_REFERENCE_H
#define TB_SK_REFERENCE_H

#include <math.h>
#include <string.h>

#include "phonograph/pg_tb.h"
#include "phonograph/pg_units.h"


/* orbital labels: 0 s, 1 p_x, 2 p_y, 3 p_z, 4 d_xy, 5 d_yz, 6 d_zx, 7 d_x²−y², 8 d_3z²−r² */
enum { O_S = 0, O_PX, O_PY, O_PZ, O_XY, O_YZ, O_ZX, O_X2Y2, O_Z2 };
static const int orb_l[9] = {0, 1, 1, 1, 2, 2, 2, 2, 2};
static const int ag_orbs[PG_TB_MAX_ORB] = {O_S, O_XY, O_YZ, O_ZX, O_X2Y2, O_Z2};
static const int anion_orbs[4] = {O_S, O_PX, O_PY, O_PZ};

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
static const int *species_orbs(int s) { return s == PG_TB_AG ? ag_orbs : anion_orbs; }
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

/* p_i – d_uv for the three t2g orbitals (d_xy: u=x,v=y; d_yz: y,z; d_zx: z,x) */
static double pd_t2g(int i, int u, int v, const double c[3], double vs, double vp)
{
    if (i == u) return S3 * c[u] * c[u] * c[v] * vs + c[v] * (1.0 - 2.0 * c[u] * c[u]) * vp;
    if (i == v) return S3 * c[v] * c[v] * c[u] * vs + c[u] * (1.0 - 2.0 * c[v] * c[v]) * vp;
    const double lmn = c[0] * c[1] * c[2];
    return S3 * lmn * vs - 2.0 * lmn * vp;
}

/* d–d element for a <= b (both d labels); the d–d block is symmetric */
static double dd_elem(int a, int b, double l, double m, double n, double vs, double vp,
                      double vd)
{
    const double l2 = l * l, m2 = m * m, n2 = n * n;
    const double lm = l2 - m2, q = n2 - 0.5 * (l2 + m2);
    switch (a * 16 + b) {
    case O_XY * 16 + O_XY: return 3 * l2 * m2 * vs + (l2 + m2 - 4 * l2 * m2) * vp + (n2 + l2 * m2) * vd;
    case O_YZ * 16 + O_YZ: return 3 * m2 * n2 * vs + (m2 + n2 - 4 * m2 * n2) * vp + (l2 + m2 * n2) * vd;
    case O_ZX * 16 + O_ZX: return 3 * n2 * l2 * vs + (n2 + l2 - 4 * n2 * l2) * vp + (m2 + n2 * l2) * vd;
    case O_XY * 16 + O_YZ: return 3 * l * m2 * n * vs + l * n * (1 - 4 * m2) * vp + l * n * (m2 - 1) * vd;
    case O_YZ * 16 + O_ZX: return 3 * m * n2 * l * vs + m * l * (1 - 4 * n2) * vp + m * l * (n2 - 1) * vd;
    case O_XY * 16 + O_ZX: return 3 * n * l2 * m * vs + n * m * (1 - 4 * l2) * vp + n * m * (l2 - 1) * vd;
    case O_XY * 16 + O_X2Y2: return 1.5 * l * m * lm * vs - 2 * l * m * lm * vp + 0.5 * l * m * lm * vd;
    case O_YZ * 16 + O_X2Y2:
        return 1.5 * m * n * lm * vs - m * n * (1 + 2 * lm) * vp + m * n * (1 + 0.5 * lm) * vd;
    case O_ZX * 16 + O_X2Y2:
        return 1.5 * n * l * lm * vs + n * l * (1 - 2 * lm) * vp - n * l * (1 - 0.5 * lm) * vd;
    case O_XY * 16 + O_Z2:
        return S3 * l * m * q * vs - 2 * S3 * l * m * n2 * vp + 0.5 * S3 * l * m * (1 + n2) * vd;
    case O_YZ * 16 + O_Z2:
        return S3 * m * n * q * vs + S3 * m * n * (l2 + m2 - n2) * vp - 0.5 * S3 * m * n * (l2 + m2) * vd;
    case O_ZX * 16 + O_Z2:
        return S3 * l * n * q * vs + S3 * l * n * (l2 + m2 - n2) * vp - 0.5 * S3 * l * n * (l2 + m2) * vd;
    case O_X2Y2 * 16 + O_X2Y2:
        return 0.75 * lm * lm * vs + (l2 + m2 - lm * lm) * vp + (n2 + 0.25 * lm * lm) * vd;
    case O_X2Y2 * 16 + O_Z2:
        return 0.5 * S3 * lm * q * vs + S3 * n2 * (m2 - l2) * vp + 0.25 * S3 * (1 + n2) * lm * vd;
    case O_Z2 * 16 + O_Z2: return q * q * vs + 3 * n2 * (l2 + m2) * vp + 0.75 * (l2 + m2) * (l2 + m2) * vd;
    default: return 0.0; /* unreachable for a <= b, both d */
    }
}

/* E_ab for l_a <= l_b (orbital a on the first atom, b on the second, direction cosines c of
 * second − first); k selects the sd/pd integrals (0: d on the second atom, 1: d on the
 * first, used for the reversed evaluation) */
static double sk_canonical(int a, int b, const double c[3], const bond_t *v, int k)
{
    const double l = c[0], m = c[1], n = c[2];
    const int la = orb_l[a], lb = orb_l[b];
    if (la == 0) {
        switch (b) {
        case O_S: return v->ss;
        case O_PX: case O_PY: case O_PZ: return c[b - O_PX] * v->sp;
        case O_XY: return S3 * l * m * v->sd[k];
        case O_YZ: return S3 * m * n * v->sd[k];
        case O_ZX: return S3 * n * l * v->sd[k];
        case O_X2Y2: return 0.5 * S3 * (l * l - m * m) * v->sd[k];
        default: return (n * n - 0.5 * (l * l + m * m)) * v->sd[k];
        }
    }
    if (la == 1 && lb == 1) {
        const double ca = c[a - O_PX], cb = c[b - O_PX];
        return ca * cb * (v->pp_s - v->pp_p) + (a == b ? v->pp_p : 0.0);
    }
    if (la == 1) { /* p–d */
        const int i = a - O_PX;
        const double vs = v->pd_s[k], vp = v->pd_p[k];
        const double lm = l * l - m * m, q = n * n - 0.5 * (l * l + m * m);
        switch (b) {
        case O_XY: return pd_t2g(i, 0, 1, c, vs, vp);
        case O_YZ: return pd_t2g(i, 1, 2, c, vs, vp);
        case O_ZX: return pd_t2g(i, 2, 0, c, vs, vp);
        case O_X2Y2:
            if (i == 0) return 0.5 * S3 * l * lm * vs + l * (1.0 - lm) * vp;
            if (i == 1) return 0.5 * S3 * m * lm * vs - m * (1.0 + lm) * vp;
            return 0.5 * S3 * n * lm * vs - n * lm * vp;
        default: /* d_3z²−r² */
            if (i == 0) return l * q * vs - S3 * l * n * n * vp;
            if (i == 1) return m * q * vs - S3 * m * n * n * vp;
            return n * q * vs + S3 * n * (l * l + m * m) * vp;
        }
    }
    return a <= b ? dd_elem(a, b, l, m, n, v->dd_s, v->dd_p, v->dd_d)
                  : dd_elem(b, a, l, m, n, v->dd_s, v->dd_p, v->dd_d);
}

/* E_ab(d) for any pair of labels: the table for l_a <= l_b, otherwise
 * (−1)^(l_a+l_b) E_ba(d) with the d-carrying atom being the first one (LABELER.md §5.4) */
static double sk_elem(int a, int b, const double c[3], const bond_t *v)
{
    if (orb_l[a] <= orb_l[b]) return sk_canonical(a, b, c, v, 0);
    const double e = sk_canonical(b, a, c, v, 1);
    return ((orb_l[a] + orb_l[b]) & 1) ? -e : e;
}

/* block for model species sa, sb; returns 0 (block untouched) if the bond has no hopping */
static int sk_block_species(int sa, int sb, const double d[3], double dist,
                            double block[PG_TB_MAX_ORB][PG_TB_MAX_ORB])
{
    bond_t v;
    if (!bond_integrals(sa, sb, dist, &v)) return 0;
    const double c[3] = {d[0] / dist, d[1] / dist, d[2] / dist};
    const int *oa = species_orbs(sa), *ob = species_orbs(sb);
    const int na = sa == PG_TB_AG ? 6 : 4, nb = sb == PG_TB_AG ? 6 : 4;
    for (int a = 0; a < na; a++)
        for (int b = 0; b < nb; b++) block[a][b] = sk_elem(oa[a], ob[b], c, &v);
    return 1;
}

static int ref_species_index(int z)
{
    const int zs[PG_TB_N_SPECIES] = {47, 16, 34, 35, 53};
    for (int s = 0; s < PG_TB_N_SPECIES; s++)
        if (zs[s] == z) return s;
    return -1;
}

/* reference block M_AB(d) for atomic numbers z_a, z_b (zero block if no hopping) */
static void ref_sk_block(int z_a, int z_b, const double d[3],
                         double block[PG_TB_MAX_ORB][PG_TB_MAX_ORB])
{
    memset(block, 0, sizeof(double[PG_TB_MAX_ORB][PG_TB_MAX_ORB]));
    const double dist = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
    sk_block_species(ref_species_index(z_a), ref_species_index(z_b), d, dist, block);
}

#endif
