/* supercell.c - supercells and primitive cells in phonopy 2.17's conventions and atom order.
 *
 * phonopy's Supercell (is_old_style=True) builds the diagonal "surrounding frame" supercell
 * diag(F) that contains the target lattice M, lists every unit atom u with the lattice points
 * l of the frame (a fastest, then b, then c), maps each candidate to fractional coordinates of
 * the target supercell, x = M^-1 (l + f_u), wraps x to [0,1) and keeps the first candidate of
 * each set of coinciding ones. Two candidates of the same atom coincide exactly when
 * M^-1 (l1 - l2) is an integer vector, i.e. adj(M) l1 = adj(M) l2 (mod det M); we use that
 * exact integer test instead of phonopy's distance test (same result: distinct lattice points
 * are a full lattice spacing apart), so the kept lattice points are the same for every u.
 * The primitive cell (phonopy's Primitive / TrimmedCell) is trimmed with phonopy's distance
 * test since positions there are not integers.
 */
#include "phonograph/pg_supercell.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int64_t pg_imat3_det(const int m[3][3])
{
    return (int64_t)m[0][0] * ((int64_t)m[1][1] * m[2][2] - (int64_t)m[1][2] * m[2][1]) -
           (int64_t)m[0][1] * ((int64_t)m[1][0] * m[2][2] - (int64_t)m[1][2] * m[2][0]) +
           (int64_t)m[0][2] * ((int64_t)m[1][0] * m[2][1] - (int64_t)m[1][1] * m[2][0]);
}

/* adjugate: adj(M) M = det(M) I */
static void imat3_adj(const int m[3][3], int64_t adj[3][3])
{
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            /* cofactor C[j][i] of the transpose position */
            int r0 = (j + 1) % 3, r1 = (j + 2) % 3, c0 = (i + 1) % 3, c1 = (i + 2) % 3;
            adj[i][j] = (int64_t)m[r0][c0] * m[r1][c1] - (int64_t)m[r0][c1] * m[r1][c0];
        }
}

/* wrap to [0,1); x - floor(x) can round to 1.0 for tiny negative x */
static double wrap01(double x, double *shift)
{
    double fl = floor(x);
    double w = x - fl;
    if (w >= 1.0) {
        w = 0.0;
        fl += 1.0;
    }
    if (shift) *shift = fl;
    return w;
}

void pg_supercell_free(pg_supercell_t *sc)
{
    if (!sc) return;
    pg_cell_free(&sc->cell);
    free(sc->s2u);
    free(sc->u2s);
    free(sc->translation);
    memset(sc, 0, sizeof *sc);
}

pg_status_t pg_supercell_build_diag(const pg_cell_t *unit, const int n[3], double symprec,
                                    pg_supercell_t *sc)
{
    int m[3][3] = {{n[0], 0, 0}, {0, n[1], 0}, {0, 0, n[2]}};
    PG_CHECK(pg_supercell_build(unit, m, symprec, sc));
    return PG_OK;
}

pg_status_t pg_supercell_build(const pg_cell_t *unit, const int matrix[3][3], double symprec,
                               pg_supercell_t *sc)
{
    pg_status_t st = PG_OK;
    int64_t (*key)[3] = NULL;  /* adj(M) l mod det of kept points */
    int (*kept)[3] = NULL;     /* kept lattice points, in order */
    memset(sc, 0, sizeof *sc);
    const int64_t det = pg_imat3_det(matrix);
    PG_REQUIRE(det > 0, PG_ERR_INPUT,
               "supercell matrix [[%d,%d,%d],[%d,%d,%d],[%d,%d,%d]] has determinant %lld; "
               "expected a positive determinant (as phonopy)",
               matrix[0][0], matrix[0][1], matrix[0][2], matrix[1][0], matrix[1][1],
               matrix[1][2], matrix[2][0], matrix[2][1], matrix[2][2], (long long)det);
    const int64_t n_u = unit->n_atom;
    PG_REQUIRE(det <= INT32_MAX && n_u * det <= ((int64_t)1 << 40), PG_ERR_INPUT,
               "supercell of %lld cells x %lld atoms is too large", (long long)det,
               (long long)n_u);
    double inv_u[3][3];
    PG_CHECK(pg_mat3_inverse(unit->lattice, inv_u));

    /* overlapping atoms in the unit cell would make phonopy's trimming fail too */
    for (int64_t i = 0; i < n_u; i++)
        for (int64_t j = 0; j < i; j++) {
            double d[3], fd[3], c[3];
            for (int a = 0; a < 3; a++) d[a] = unit->pos[i][a] - unit->pos[j][a];
            pg_cell_cart_to_frac(inv_u, d, fd);
            for (int a = 0; a < 3; a++) fd[a] -= rint(fd[a]);
            pg_cell_frac_to_cart(unit->lattice, fd, c);
            double dist = sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]);
            PG_REQUIRE(dist >= symprec, PG_ERR_INPUT,
                       "unit-cell atoms %lld and %lld overlap (distance %.3g Å < %g Å)",
                       (long long)j + 1, (long long)i + 1, dist, symprec);
        }

    /* surrounding frame: extent of the 8 corners spanned by M's columns along each axis */
    int frame[3];
    for (int i = 0; i < 3; i++) {
        int lo = 0, hi = 0;
        for (int corner = 1; corner < 8; corner++) {
            int v = 0;
            for (int j = 0; j < 3; j++)
                if (corner & (1 << j)) v += matrix[i][j];
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        frame[i] = hi - lo;
    }
    int64_t adj[3][3];
    imat3_adj(matrix, adj);

    PG_TRY_CALLOC(key, det, "supercell lattice keys");
    PG_TRY_CALLOC(kept, det, "supercell lattice points");
    int64_t n_l = 0;
    for (int c = 0, k = 0; c < frame[2]; c++)
        for (int b = 0; b < frame[1]; b++)
            for (int a = 0; a < frame[0]; a++, k++) {
                const int l[3] = {a, b, c};
                int64_t kk[3];
                for (int i = 0; i < 3; i++) {
                    int64_t v = adj[i][0] * l[0] + adj[i][1] * l[1] + adj[i][2] * l[2];
                    kk[i] = ((v % det) + det) % det;
                }
                int seen = 0;
                for (int64_t q = 0; q < n_l && !seen; q++)
                    seen = key[q][0] == kk[0] && key[q][1] == kk[1] && key[q][2] == kk[2];
                if (seen) continue;
                PG_TRY_REQUIRE(n_l < det, PG_ERR_INTERNAL, "supercell trimming found too many points");
                memcpy(key[n_l], kk, sizeof kk);
                memcpy(kept[n_l], l, sizeof l);
                n_l++;
            }
    PG_TRY_REQUIRE(n_l == det, PG_ERR_INTERNAL,
                   "supercell trimming kept %lld lattice points, expected det M = %lld",
                   (long long)n_l, (long long)det);

    const int64_t n_s = n_u * det;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) sc->matrix[i][j] = matrix[i][j];
    sc->n_cell = det;
    sc->n_unit_atom = n_u;
    PG_TRY(pg_cell_init(&sc->cell, n_s));
    PG_TRY_CALLOC(sc->s2u, n_s, "supercell s2u map");
    PG_TRY_CALLOC(sc->u2s, n_u, "supercell u2s map");
    PG_TRY_CALLOC(sc->translation, n_s, "supercell translations");
    for (int i = 0; i < 3; i++) /* L_super = M^T L_unit */
        for (int b = 0; b < 3; b++) {
            double s = 0.0;
            for (int k = 0; k < 3; k++) s += matrix[k][i] * unit->lattice[k][b];
            sc->cell.lattice[i][b] = s;
        }
    for (int64_t u = 0, s = 0; u < n_u; u++) {
        double fu[3];
        pg_cell_cart_to_frac(inv_u, unit->pos[u], fu);
        sc->u2s[u] = u * det;
        for (int64_t q = 0; q < n_l; q++, s++) {
            double y[3], x[3], nshift[3];
            for (int a = 0; a < 3; a++) y[a] = kept[q][a] + fu[a];
            /* x = M^-1 y = adj(M) y / det */
            for (int i = 0; i < 3; i++)
                x[i] = wrap01((adj[i][0] * y[0] + adj[i][1] * y[1] + adj[i][2] * y[2]) / (double)det,
                              &nshift[i]);
            /* translation of the wrapped image: t = l - M n */
            for (int a = 0; a < 3; a++) {
                double t = kept[q][a];
                for (int i = 0; i < 3; i++) t -= matrix[a][i] * nshift[i];
                sc->translation[s][a] = (int)lrint(t);
            }
            pg_cell_frac_to_cart(sc->cell.lattice, x, sc->cell.pos[s]);
            sc->cell.z[s] = unit->z[u];
            sc->cell.mass[s] = unit->mass[u];
            sc->s2u[s] = u;
        }
    }
cleanup:
    free(key);
    free(kept);
    if (st != PG_OK) pg_supercell_free(sc);
    return st;
}

/* ---- primitive cell ------------------------------------------------------------------- */

void pg_primitive_free(pg_primitive_t *prim)
{
    if (!prim) return;
    pg_cell_free(&prim->cell);
    free(prim->p2s);
    free(prim->s2p);
    free(prim->s2pp);
    memset(prim, 0, sizeof *prim);
}

static void mat3_mul(const double a[3][3], const double b[3][3], double c[3][3])
{
    double t[3][3];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) t[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j];
    memcpy(c, t, sizeof t);
}

pg_status_t pg_primitive_build(const pg_supercell_t *sc, const double pmat[3][3],
                               double symprec, pg_primitive_t *prim)
{
    pg_status_t st = PG_OK;
    double (*xp)[3] = NULL; /* [n_s] supercell atoms in primitive fractional coordinates */
    int64_t *p2s = NULL;
    memset(prim, 0, sizeof *prim);
    const int64_t n_s = sc->cell.n_atom;
    double pinv[3][3], mdbl[3][3], smat_d[3][3], inv_s[3][3];
    PG_CHECK(pg_mat3_inverse(pmat, pinv));
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) mdbl[i][j] = sc->matrix[i][j];
    mat3_mul(pinv, mdbl, smat_d); /* S = P^-1 M */
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double r = rint(smat_d[i][j]);
            PG_REQUIRE(fabs(smat_d[i][j] - r) < 1e-6, PG_ERR_INPUT,
                       "primitive matrix is not commensurate with the supercell: P^-1 M has "
                       "element [%d][%d] = %.8g, expected an integer",
                       i, j, smat_d[i][j]);
            prim->smat[i][j] = (int)r;
            prim->matrix[i][j] = pmat[i][j];
        }
    const int64_t n_cell = pg_imat3_det(prim->smat);
    PG_REQUIRE(n_cell > 0 && n_s % n_cell == 0, PG_ERR_INPUT,
               "supercell of %lld atoms is not a whole number of primitive cells (det S = %lld)",
               (long long)n_s, (long long)n_cell);
    const int64_t n_p = n_s / n_cell;
    PG_CHECK(pg_mat3_inverse(sc->cell.lattice, inv_s));

    /* L_prim = P^T L_unit = S^-T L_super; supercell fractional x_s -> primitive x_p = S x_s */
    double lat_p[3][3];
    {
        double unit_lat[3][3], minv[3][3];
        PG_CHECK(pg_mat3_inverse(mdbl, minv));
        /* L_unit = M^-T L_super */
        for (int i = 0; i < 3; i++)
            for (int b = 0; b < 3; b++) {
                double s = 0.0;
                for (int k = 0; k < 3; k++) s += minv[k][i] * sc->cell.lattice[k][b];
                unit_lat[i][b] = s;
            }
        for (int i = 0; i < 3; i++)
            for (int b = 0; b < 3; b++) {
                double s = 0.0;
                for (int k = 0; k < 3; k++) s += pmat[k][i] * unit_lat[k][b];
                lat_p[i][b] = s;
            }
    }
    PG_TRY_CALLOC(xp, n_s, "primitive fractional positions");
    PG_TRY_CALLOC(p2s, n_s, "p2s map");
    for (int64_t s = 0; s < n_s; s++) {
        double fs[3];
        pg_cell_cart_to_frac(inv_s, sc->cell.pos[s], fs);
        for (int i = 0; i < 3; i++)
            xp[s][i] = prim->smat[i][0] * fs[0] + prim->smat[i][1] * fs[1] + prim->smat[i][2] * fs[2];
    }

    /* trim: first atom of each translation orbit, in supercell order (phonopy TrimmedCell) */
    PG_TRY_CALLOC(prim->s2p, n_s, "s2p map");
    PG_TRY_CALLOC(prim->s2pp, n_s, "s2pp map");
    int64_t n_found = 0;
    for (int64_t s = 0; s < n_s; s++) {
        int64_t match = -1;
        for (int64_t q = 0; q < n_found; q++) {
            double d[3], c[3];
            for (int i = 0; i < 3; i++) {
                d[i] = xp[p2s[q]][i] - xp[s][i];
                d[i] -= rint(d[i]);
            }
            pg_cell_frac_to_cart(lat_p, d, c);
            if (sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]) < symprec) {
                PG_TRY_REQUIRE(match < 0, PG_ERR_INPUT,
                               "supercell atom %lld coincides with two primitive atoms within "
                               "symprec %g Å",
                               (long long)s, symprec);
                match = q;
            }
        }
        if (match < 0) {
            PG_TRY_REQUIRE(n_found < n_p, PG_ERR_INPUT,
                           "primitive matrix does not describe a primitive cell of this "
                           "structure: more than %lld inequivalent atoms (is the structure "
                           "really centred as P says? symprec %g Å)",
                           (long long)n_p, symprec);
            p2s[n_found] = s;
            match = n_found++;
        } else {
            PG_TRY_REQUIRE(sc->cell.z[s] == sc->cell.z[p2s[match]], PG_ERR_INPUT,
                           "supercell atoms %lld and %lld are translation-equivalent but of "
                           "different species",
                           (long long)p2s[match], (long long)s);
        }
        prim->s2p[s] = p2s[match];
        prim->s2pp[s] = match;
    }
    PG_TRY_REQUIRE(n_found == n_p, PG_ERR_INPUT,
                   "primitive cell has %lld atoms, expected %lld (= %lld supercell atoms / %lld "
                   "cells)",
                   (long long)n_found, (long long)n_p, (long long)n_s, (long long)n_cell);
    prim->n_cell = n_cell;
    prim->n_super_atom = n_s;
    PG_TRY(pg_cell_init(&prim->cell, n_p));
    memcpy(prim->cell.lattice, lat_p, sizeof lat_p);
    PG_TRY_CALLOC(prim->p2s, n_p, "p2s map");
    for (int64_t i = 0; i < n_p; i++) {
        double x[3];
        for (int a = 0; a < 3; a++) x[a] = wrap01(xp[p2s[i]][a], NULL);
        pg_cell_frac_to_cart(lat_p, x, prim->cell.pos[i]);
        prim->cell.z[i] = sc->cell.z[p2s[i]];
        prim->cell.mass[i] = sc->cell.mass[p2s[i]];
        prim->p2s[i] = p2s[i];
    }
cleanup:
    free(xp);
    free(p2s);
    if (st != PG_OK) pg_primitive_free(prim);
    return st;
}

/* "1/2", "-0.5", "1" -> double */
static int parse_fraction(const char *s, double *x)
{
    char *end = NULL;
    errno = 0;
    double num = strtod(s, &end);
    if (end == s || errno == ERANGE || !isfinite(num)) return 0;
    if (*end == '\0') {
        *x = num;
        return 1;
    }
    if (*end != '/') return 0;
    const char *d = end + 1;
    double den = strtod(d, &end);
    if (end == d || *end != '\0' || den == 0.0 || !isfinite(den)) return 0;
    *x = num / den;
    return 1;
}

pg_status_t pg_primitive_matrix_parse(const char *text, double pmat[3][3])
{
    static const double c2 = 0.5, t1 = 1.0 / 3.0, t2 = 2.0 / 3.0;
    char buf[512];
    PG_REQUIRE(text, PG_ERR_INPUT, "primitive matrix: expected 9 numbers or P/F/I/A/C/R, found nothing");
    snprintf(buf, sizeof buf, "%s", text);
    char *tok[16], *save = NULL;
    int n = 0;
    for (char *t = strtok_r(buf, " \t,;\n", &save); t && n < 16; t = strtok_r(NULL, " \t,;\n", &save))
        tok[n++] = t;
    if (n == 1 && strlen(tok[0]) == 1) {
        const double P[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        const double F[3][3] = {{0, c2, c2}, {c2, 0, c2}, {c2, c2, 0}};
        const double I[3][3] = {{-c2, c2, c2}, {c2, -c2, c2}, {c2, c2, -c2}};
        const double A[3][3] = {{1, 0, 0}, {0, c2, -c2}, {0, c2, c2}};
        const double C[3][3] = {{c2, c2, 0}, {-c2, c2, 0}, {0, 0, 1}};
        const double R[3][3] = {{t2, -t1, -t1}, {t1, t1, -t2}, {t1, t1, t1}};
        const double(*m)[3] = NULL;
        switch (toupper((unsigned char)tok[0][0])) {
        case 'P': m = P; break;
        case 'F': m = F; break;
        case 'I': m = I; break;
        case 'A': m = A; break;
        case 'C': m = C; break;
        case 'R': m = R; break;
        default: break;
        }
        if (m) {
            memcpy(pmat, m, sizeof(double[3][3]));
            return PG_OK;
        }
    }
    PG_REQUIRE(n == 9, PG_ERR_INPUT,
               "primitive matrix: expected 9 numbers (fractions like 1/2 allowed) or one of "
               "P F I A C R, found \"%s\"",
               text);
    for (int k = 0; k < 9; k++)
        PG_REQUIRE(parse_fraction(tok[k], &pmat[k / 3][k % 3]), PG_ERR_INPUT,
                   "primitive matrix: expected a number or fraction, found \"%s\"", tok[k]);
    double inv[3][3];
    double det = pmat[0][0] * (pmat[1][1] * pmat[2][2] - pmat[1][2] * pmat[2][1]) -
                 pmat[0][1] * (pmat[1][0] * pmat[2][2] - pmat[1][2] * pmat[2][0]) +
                 pmat[0][2] * (pmat[1][0] * pmat[2][1] - pmat[1][1] * pmat[2][0]);
    PG_REQUIRE(det > 1e-5 && det < 1 + 1e-5, PG_ERR_INPUT,
               "primitive matrix \"%s\" has determinant %g; expected 0 < det <= 1 (as phonopy)",
               text, det);
    PG_CHECK(pg_mat3_inverse(pmat, inv));
    return PG_OK;
}
