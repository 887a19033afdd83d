/* forceconst.c - force constants: layouts, phonopy file formats, symmetrisation. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "phonograph/pg_forceconst.h"
#include "phonograph/pg_h5.h"

pg_status_t pg_fc_init(pg_fc_t *fc, int64_t n_row, int64_t n_super)
{
    pg_status_t st = PG_OK;
    memset(fc, 0, sizeof(*fc));
    PG_REQUIRE(n_row > 0 && n_super > 0 && n_row <= n_super, PG_ERR_INPUT,
               "force constants need 0 < rows <= columns, got %lld x %lld", (long long)n_row,
               (long long)n_super);
    PG_TRY_CALLOC(fc->p2s, n_row, "force-constant p2s map");
    PG_TRY_CALLOC(fc->phi, n_row * n_super, "force constants");
    for (int64_t r = 0; r < n_row; r++) fc->p2s[r] = r;
    fc->n_row = n_row;
    fc->n_super = n_super;
    return PG_OK;
cleanup:
    pg_fc_free(fc);
    return st;
}

void pg_fc_free(pg_fc_t *fc)
{
    if (!fc) return;
    free(fc->p2s);
    free(fc->phi);
    memset(fc, 0, sizeof(*fc));
}

pg_status_t pg_fc_copy(pg_fc_t *dst, const pg_fc_t *src)
{
    PG_CHECK(pg_fc_init(dst, src->n_row, src->n_super));
    memcpy(dst->p2s, src->p2s, sizeof(int64_t) * (size_t)src->n_row);
    memcpy(dst->phi, src->phi, sizeof(double[3][3]) * (size_t)(src->n_row * src->n_super));
    return PG_OK;
}

int64_t pg_fc_row_of_atom(const pg_fc_t *fc, int64_t k)
{
    if (pg_fc_is_full(fc)) return (k >= 0 && k < fc->n_super) ? k : -1;
    for (int64_t r = 0; r < fc->n_row; r++)
        if (fc->p2s[r] == k) return r;
    return -1;
}

pg_status_t pg_fc_check_finite(const pg_fc_t *fc, const char *path)
{
    const double *p = &fc->phi[0][0][0];
    int64_t n = fc->n_row * fc->n_super * 9;
    for (int64_t t = 0; t < n; t++) {
        if (!isfinite(p[t])) {
            int64_t blk = t / 9, r = blk / fc->n_super, k = blk % fc->n_super;
            return PG_ERR(PG_ERR_INPUT,
                          "%s: force constant Φ(%lld,%lld)[%lld][%lld] is not finite (%g)", path,
                          (long long)(fc->p2s[r] + 1), (long long)(k + 1), (long long)(t % 9 / 3),
                          (long long)(t % 3), p[t]);
        }
    }
    return PG_OK;
}

/* ---- FORCE_CONSTANTS text ---- */

typedef struct {
    const char *path;
    const char *p;
    int64_t line;
} text_cursor_t;

/* Next non-empty line into buf (NUL-terminated, trimmed of newline). Returns 0 at EOF. */
static int next_line(text_cursor_t *c, char *buf, size_t cap)
{
    while (*c->p) {
        const char *e = strchr(c->p, '\n');
        size_t len = e ? (size_t)(e - c->p) : strlen(c->p);
        c->line++;
        const char *s = c->p;
        c->p = e ? e + 1 : s + len;
        size_t n = len < cap - 1 ? len : cap - 1;
        memcpy(buf, s, n);
        buf[n] = '\0';
        if (n && buf[n - 1] == '\r') buf[--n] = '\0';
        for (size_t t = 0; t < n; t++)
            if (buf[t] != ' ' && buf[t] != '\t') return 1;
    }
    return 0;
}

/* Parse exactly n integers (n_max > n allowed: count returned). */
static int parse_ints(const char *s, int64_t *v, int n_max)
{
    int n = 0;
    char *end;
    while (1) {
        while (*s == ' ' || *s == '\t') s++;
        if (!*s) break;
        if (n == n_max) return -1;
        errno = 0;
        long long x = strtoll(s, &end, 10);
        if (end == s || errno || (*end && *end != ' ' && *end != '\t')) return -1;
        v[n++] = x;
        s = end;
    }
    return n;
}

static int parse_reals(const char *s, double *v, int n_max)
{
    int n = 0;
    char *end;
    while (1) {
        while (*s == ' ' || *s == '\t') s++;
        if (!*s) break;
        if (n == n_max) return -1;
        double x = strtod(s, &end);
        if (end == s || (*end && *end != ' ' && *end != '\t')) return -1;
        v[n++] = x;
        s = end;
    }
    return n;
}

pg_status_t pg_fc_parse_text(const char *path, const char *text, int64_t n_super_expected,
                             pg_fc_t *fc)
{
    pg_status_t st = PG_OK;
    pg_fc_t tmp = {0};
    text_cursor_t c = {path, text, 0};
    char line[512];
    int64_t hdr[3];
    memset(fc, 0, sizeof(*fc));
    PG_TRY_REQUIRE(next_line(&c, line, sizeof line), PG_ERR_INPUT,
                   "%s: empty file, expected a FORCE_CONSTANTS header \"n_rows n_atoms\"", path);
    int nh = parse_ints(line, hdr, 3);
    if (nh == 1) { /* very old phonopy files: one number, full */
        hdr[1] = hdr[0];
        nh = 2;
    }
    PG_TRY_REQUIRE(nh == 2 && hdr[0] > 0 && hdr[1] > 0 && hdr[0] <= hdr[1], PG_ERR_INPUT,
                   "%s:%lld: expected a header \"n_rows n_atoms\" with 0 < n_rows <= n_atoms, "
                   "found \"%s\"",
                   path, (long long)c.line, line);
    PG_TRY_REQUIRE(n_super_expected <= 0 || hdr[1] == n_super_expected, PG_ERR_INPUT,
                   "%s:%lld: force constants are for %lld supercell atoms, but the supercell "
                   "has %lld",
                   path, (long long)c.line, (long long)hdr[1], (long long)n_super_expected);
    PG_TRY(pg_fc_init(&tmp, hdr[0], hdr[1]));
    for (int64_t r = 0; r < tmp.n_row; r++) {
        for (int64_t k = 0; k < tmp.n_super; k++) {
            int64_t ij[3];
            PG_TRY_REQUIRE(next_line(&c, line, sizeof line), PG_ERR_INPUT,
                           "%s:%lld: file ends early: expected the index line of block (%lld,%lld) "
                           "of %lld x %lld",
                           path, (long long)c.line, (long long)(r + 1), (long long)(k + 1),
                           (long long)tmp.n_row, (long long)tmp.n_super);
            PG_TRY_REQUIRE(parse_ints(line, ij, 3) == 2, PG_ERR_INPUT,
                           "%s:%lld: expected two atom indices \"i j\", found \"%s\"", path,
                           (long long)c.line, line);
            if (k == 0) {
                PG_TRY_REQUIRE(ij[0] >= 1 && ij[0] <= tmp.n_super, PG_ERR_INPUT,
                               "%s:%lld: row atom %lld out of range 1..%lld", path,
                               (long long)c.line, (long long)ij[0], (long long)tmp.n_super);
                if (pg_fc_is_full(&tmp))
                    PG_TRY_REQUIRE(ij[0] == r + 1, PG_ERR_INPUT,
                                   "%s:%lld: full force constants: expected row atom %lld, found "
                                   "%lld",
                                   path, (long long)c.line, (long long)(r + 1), (long long)ij[0]);
                tmp.p2s[r] = ij[0] - 1;
            }
            PG_TRY_REQUIRE(ij[0] - 1 == tmp.p2s[r] && ij[1] == k + 1, PG_ERR_INPUT,
                           "%s:%lld: expected block indices \"%lld %lld\", found \"%s\"", path,
                           (long long)c.line, (long long)(tmp.p2s[r] + 1), (long long)(k + 1),
                           line);
            double(*b)[3] = tmp.phi[r * tmp.n_super + k];
            for (int a = 0; a < 3; a++) {
                PG_TRY_REQUIRE(next_line(&c, line, sizeof line), PG_ERR_INPUT,
                               "%s:%lld: file ends inside block (%lld,%lld)", path,
                               (long long)c.line, (long long)(tmp.p2s[r] + 1),
                               (long long)(k + 1));
                PG_TRY_REQUIRE(parse_reals(line, b[a], 3) == 3, PG_ERR_INPUT,
                               "%s:%lld: expected 3 numbers (eV/Å²), found \"%s\"", path,
                               (long long)c.line, line);
                for (int bb = 0; bb < 3; bb++)
                    PG_TRY_REQUIRE(isfinite(b[a][bb]), PG_ERR_INPUT,
                                   "%s:%lld: force constant is not finite: \"%s\"", path,
                                   (long long)c.line, line);
            }
        }
    }
    PG_TRY_REQUIRE(!next_line(&c, line, sizeof line), PG_ERR_INPUT,
                   "%s:%lld: unexpected content after %lld x %lld blocks: \"%s\"", path,
                   (long long)c.line, (long long)tmp.n_row, (long long)tmp.n_super, line);
    for (int64_t r = 1; r < tmp.n_row; r++)
        for (int64_t s = 0; s < r; s++)
            PG_TRY_REQUIRE(tmp.p2s[r] != tmp.p2s[s], PG_ERR_INPUT,
                           "%s: row atom %lld appears twice", path, (long long)(tmp.p2s[r] + 1));
    *fc = tmp;
    return PG_OK;
cleanup:
    pg_fc_free(&tmp);
    return st;
}

pg_status_t pg_fc_read_text(const char *path, int64_t n_super_expected, pg_fc_t *fc)
{
    pg_status_t st = PG_OK;
    char *buf = NULL;
    FILE *f = fopen(path, "rb");
    PG_TRY_REQUIRE(f, PG_ERR_IO, "cannot open force constants '%s': %s", path, strerror(errno));
    PG_TRY_REQUIRE(fseek(f, 0, SEEK_END) == 0, PG_ERR_IO, "cannot seek in '%s'", path);
    long n = ftell(f);
    PG_TRY_REQUIRE(n >= 0, PG_ERR_IO, "cannot size '%s'", path);
    rewind(f);
    PG_TRY_CALLOC(buf, (size_t)n + 1, "FORCE_CONSTANTS text");
    PG_TRY_REQUIRE(fread(buf, 1, (size_t)n, f) == (size_t)n, PG_ERR_IO, "cannot read '%s'", path);
    PG_TRY_REQUIRE(memchr(buf, '\0', (size_t)n) == NULL, PG_ERR_INPUT,
                   "%s: binary data in a FORCE_CONSTANTS text file (HDF5? use format hdf5)",
                   path);
    PG_TRY(pg_fc_parse_text(path, buf, n_super_expected, fc));
cleanup:
    free(buf);
    if (f) fclose(f);
    return st;
}

pg_status_t pg_fc_write_text(const char *path, const pg_fc_t *fc)
{
    pg_status_t st = PG_OK;
    FILE *f = fopen(path, "w");
    PG_TRY_REQUIRE(f, PG_ERR_IO, "cannot create '%s': %s", path, strerror(errno));
    fprintf(f, "%4lld %4lld\n", (long long)fc->n_row, (long long)fc->n_super);
    for (int64_t r = 0; r < fc->n_row; r++)
        for (int64_t k = 0; k < fc->n_super; k++) {
            fprintf(f, "%lld %lld\n", (long long)(fc->p2s[r] + 1), (long long)(k + 1));
            const double(*b)[3] = fc->phi[r * fc->n_super + k];
            for (int a = 0; a < 3; a++) {
                int last = r == fc->n_row - 1 && k == fc->n_super - 1 && a == 2;
                /* phonopy's file has no newline after the last line */
                fprintf(f, "%22.15f%22.15f%22.15f%s", b[a][0], b[a][1], b[a][2], last ? "" : "\n");
            }
        }
    PG_TRY_REQUIRE(!ferror(f), PG_ERR_IO, "write error on '%s'", path);
cleanup:
    if (f && fclose(f) != 0 && st == PG_OK) st = PG_ERR(PG_ERR_IO, "cannot close '%s'", path);
    return st;
}

/* ---- force_constants.hdf5 ---- */

pg_status_t pg_fc_read_hdf5(const char *path, int64_t n_super_expected, pg_fc_t *fc)
{
    pg_status_t st = PG_OK;
    pg_h5_t *h = NULL;
    pg_fc_t tmp = {0};
    int rank = 0;
    int64_t dims[4] = {0};
    memset(fc, 0, sizeof(*fc));
    PG_TRY(pg_h5_open(path, PG_H5_READ, MPI_COMM_NULL, &h));
    PG_TRY_REQUIRE(pg_h5_exists(h, "/force_constants"), PG_ERR_INPUT,
                   "%s: no dataset 'force_constants' (not a phonopy force_constants.hdf5?)",
                   path);
    PG_TRY(pg_h5_shape(h, "/force_constants", &rank, dims));
    PG_TRY_REQUIRE(rank == 4 && dims[2] == 3 && dims[3] == 3 && dims[0] > 0 &&
                       dims[0] <= dims[1],
                   PG_ERR_INPUT,
                   "%s: force_constants must have shape [n_rows][n_atoms][3][3] with n_rows <= "
                   "n_atoms, found rank %d [%lld,%lld,%lld,%lld]",
                   path, rank, (long long)dims[0], (long long)dims[1],
                   (long long)(rank > 2 ? dims[2] : 0), (long long)(rank > 3 ? dims[3] : 0));
    PG_TRY_REQUIRE(n_super_expected <= 0 || dims[1] == n_super_expected, PG_ERR_INPUT,
                   "%s: force constants are for %lld supercell atoms, but the supercell has %lld",
                   path, (long long)dims[1], (long long)n_super_expected);
    PG_TRY(pg_fc_init(&tmp, dims[0], dims[1]));
    PG_TRY(pg_h5_read(h, "/force_constants", PG_H5_F64, tmp.phi));
    if (pg_h5_exists(h, "/p2s_map")) {
        int prank = 0;
        int64_t pd[4] = {0};
        PG_TRY(pg_h5_shape(h, "/p2s_map", &prank, pd));
        PG_TRY_REQUIRE(prank == 1 && pd[0] == tmp.n_row, PG_ERR_INPUT,
                       "%s: p2s_map has %lld entries, force_constants has %lld rows", path,
                       (long long)(prank == 1 ? pd[0] : -1), (long long)tmp.n_row);
        PG_TRY(pg_h5_read(h, "/p2s_map", PG_H5_I64, tmp.p2s));
        for (int64_t r = 0; r < tmp.n_row; r++)
            PG_TRY_REQUIRE(tmp.p2s[r] >= 0 && tmp.p2s[r] < tmp.n_super, PG_ERR_INPUT,
                           "%s: p2s_map[%lld] = %lld out of range 0..%lld", path, (long long)r,
                           (long long)tmp.p2s[r], (long long)(tmp.n_super - 1));
        if (pg_fc_is_full(&tmp))
            for (int64_t r = 0; r < tmp.n_row; r++)
                PG_TRY_REQUIRE(tmp.p2s[r] == r, PG_ERR_INPUT,
                               "%s: full force constants with a non-identity p2s_map", path);
    } else {
        PG_TRY_REQUIRE(pg_fc_is_full(&tmp), PG_ERR_INPUT,
                       "%s: compact force constants (%lld x %lld) need a p2s_map dataset", path,
                       (long long)tmp.n_row, (long long)tmp.n_super);
    }
    PG_TRY(pg_fc_check_finite(&tmp, path));
    *fc = tmp;
    memset(&tmp, 0, sizeof tmp);
cleanup:
    pg_fc_free(&tmp);
    if (h) {
        pg_status_t s2 = pg_h5_close(&h);
        if (st == PG_OK) st = s2;
    }
    return st;
}

pg_status_t pg_fc_write_hdf5(const char *path, const pg_fc_t *fc)
{
    pg_status_t st = PG_OK;
    pg_h5_t *h = NULL;
    int32_t *p2s = NULL;
    PG_TRY(pg_h5_open(path, PG_H5_TRUNCATE, MPI_COMM_NULL, &h));
    int64_t dims[4] = {fc->n_row, fc->n_super, 3, 3};
    PG_TRY(pg_h5_write(h, "/force_constants", PG_H5_F64, 4, dims, fc->phi));
    if (!pg_fc_is_full(fc)) {
        PG_TRY_CALLOC(p2s, fc->n_row, "p2s_map");
        for (int64_t r = 0; r < fc->n_row; r++) p2s[r] = (int32_t)fc->p2s[r];
        PG_TRY(pg_h5_write(h, "/p2s_map", PG_H5_I32, 1, dims, p2s));
    }
    const char *unit[1] = {"eV/angstrom^2"};
    PG_TRY(pg_h5_write_strings(h, "/physical_unit", 1, unit));
cleanup:
    free(p2s);
    if (h) {
        pg_status_t s2 = pg_h5_close(&h);
        if (st == PG_OK) st = s2;
    }
    return st;
}

pg_status_t pg_fc_read(const char *path, const char *format, int64_t n_super_expected,
                       pg_fc_t *fc)
{
    int hdf5 = 0;
    if (!format || !strcmp(format, "auto")) {
        size_t n = strlen(path);
        hdf5 = (n > 5 && !strcmp(path + n - 5, ".hdf5")) || (n > 3 && !strcmp(path + n - 3, ".h5"));
    } else if (!strcmp(format, "hdf5")) {
        hdf5 = 1;
    } else if (strcmp(format, "text")) {
        return PG_ERR(PG_ERR_INPUT, "unknown force-constant format '%s' (text|hdf5|auto)", format);
    }
    if (hdf5) PG_CHECK(pg_fc_read_hdf5(path, n_super_expected, fc));
    else PG_CHECK(pg_fc_read_text(path, n_super_expected, fc));
    return PG_OK;
}

/* ---- conversions ---- */

pg_status_t pg_fc_to_compact(const pg_fc_t *fc, int64_t n_p, const int64_t *p2s, pg_fc_t *out)
{
    pg_status_t st = PG_OK;
    pg_fc_t tmp = {0};
    PG_TRY(pg_fc_init(&tmp, n_p, fc->n_super));
    for (int64_t i = 0; i < n_p; i++) {
        int64_t r = pg_fc_row_of_atom(fc, p2s[i]);
        PG_TRY_REQUIRE(r >= 0, PG_ERR_INPUT,
                       "force constants do not hold the row of primitive atom %lld (supercell "
                       "atom %lld)",
                       (long long)i, (long long)(p2s[i] + 1));
        tmp.p2s[i] = p2s[i];
        memcpy(tmp.phi[i * fc->n_super], fc->phi[r * fc->n_super],
               sizeof(double[3][3]) * (size_t)fc->n_super);
    }
    *out = tmp;
    return PG_OK;
cleanup:
    pg_fc_free(&tmp);
    return st;
}

static double frac_dist(const double a[3], const double b[3])
{
    double m = 0;
    for (int c = 0; c < 3; c++) {
        double d = a[c] - b[c];
        d -= nearbyint(d);
        if (fabs(d) > m) m = fabs(d);
    }
    return m;
}

pg_status_t pg_fc_to_full(const pg_fc_t *fc, const double (*frac_pos)[3], const int64_t *s2p,
                          double symprec, pg_fc_t *out)
{
    pg_status_t st = PG_OK;
    pg_fc_t tmp = {0};
    int64_t *perm = NULL;
    int64_t n = fc->n_super;
    PG_TRY(pg_fc_init(&tmp, n, n));
    PG_TRY_CALLOC(perm, n, "translation permutation");
    for (int64_t k = 0; k < n; k++) {
        int64_t p = s2p[k];
        int64_t r = pg_fc_row_of_atom(fc, p);
        PG_TRY_REQUIRE(r >= 0, PG_ERR_INPUT,
                       "force constants do not hold the row of supercell atom %lld (s2p)",
                       (long long)(p + 1));
        /* translation t = x_k - x_p maps atom j to the atom at x_j + t */
        double t[3];
        for (int c = 0; c < 3; c++) t[c] = frac_pos[k][c] - frac_pos[p][c];
        for (int64_t j = 0; j < n; j++) {
            double x[3] = {frac_pos[j][0] + t[0], frac_pos[j][1] + t[1], frac_pos[j][2] + t[2]};
            int64_t found = -1;
            for (int64_t m = 0; m < n && found < 0; m++) {
                int64_t mm = (j + m) % n;
                if (frac_dist(x, frac_pos[mm]) < symprec) found = mm;
            }
            PG_TRY_REQUIRE(found >= 0, PG_ERR_INPUT,
                           "supercell atom %lld translated by atom %lld's lattice vector hits no "
                           "atom (not a supercell of the primitive cell?)",
                           (long long)(j + 1), (long long)(k + 1));
            perm[j] = found;
        }
        /* Φ(k, perm[j]) = Φ(p, j) */
        for (int64_t j = 0; j < n; j++)
            memcpy(tmp.phi[k * n + perm[j]], fc->phi[r * n + j], sizeof(double[3][3]));
    }
    *out = tmp;
    memset(&tmp, 0, sizeof tmp);
cleanup:
    free(perm);
    pg_fc_free(&tmp);
    return st;
}

/* ---- symmetrisation ---- */

void pg_fc_asr(pg_fc_t *fc, double *max_change)
{
    int64_t n = fc->n_super;
    double mc = 0;
    for (int64_t r = 0; r < fc->n_row; r++) {
        double s[3][3] = {{0}};
        for (int64_t k = 0; k < n; k++)
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++) s[a][b] += fc->phi[r * n + k][a][b];
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) {
                double d = s[a][b] / (double)n;
                if (fabs(d) > mc) mc = fabs(d);
                for (int64_t k = 0; k < n; k++) fc->phi[r * n + k][a][b] -= d;
            }
    }
    if (pg_fc_is_full(fc)) {
        for (int64_t k = 0; k < n; k++) {
            double s[3][3] = {{0}};
            for (int64_t r = 0; r < n; r++)
                for (int a = 0; a < 3; a++)
                    for (int b = 0; b < 3; b++) s[a][b] += fc->phi[r * n + k][a][b];
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++) {
                    double d = s[a][b] / (double)n;
                    if (fabs(d) > mc) mc = fabs(d);
                    for (int64_t r = 0; r < n; r++) fc->phi[r * n + k][a][b] -= d;
                }
        }
    }
    if (max_change) *max_change = mc;
}

pg_status_t pg_fc_symmetrize_permutation(pg_fc_t *fc, double *max_change)
{
    PG_REQUIRE(pg_fc_is_full(fc), PG_ERR_INPUT,
               "index-permutation symmetrisation needs full force constants (have %lld x %lld)",
               (long long)fc->n_row, (long long)fc->n_super);
    int64_t n = fc->n_super;
    double mc = 0;
    for (int64_t i = 0; i < n; i++)
        for (int64_t k = i; k < n; k++) {
            double(*x)[3] = fc->phi[i * n + k];
            double(*y)[3] = fc->phi[k * n + i];
            for (int a = 0; a < 3; a++)
                for (int b = (i == k ? a : 0); b < 3; b++) {
                    double m = 0.5 * (x[a][b] + y[b][a]);
                    double d = fabs(m - x[a][b]);
                    if (d > mc) mc = d;
                    x[a][b] = m;
                    y[b][a] = m;
                }
        }
    if (max_change) *max_change = mc;
    return PG_OK;
}

pg_status_t pg_fc_symmetrize(pg_fc_t *fc, int n_iter, double *max_change)
{
    double mc = 0, d = 0;
    for (int it = 0; it < n_iter; it++) {
        pg_fc_asr(fc, &d);
        if (d > mc) mc = d;
        if (pg_fc_is_full(fc)) {
            PG_CHECK(pg_fc_symmetrize_permutation(fc, &d));
            if (d > mc) mc = d;
        }
    }
    if (max_change) *max_change = mc;
    return PG_OK;
}

pg_status_t pg_fc_symmetrize_spacegroup(pg_fc_t *fc, int n_op, const double (*rot_cart)[3][3],
                                        const int64_t *perm, double *max_change)
{
    pg_status_t st = PG_OK;
    double(*acc)[3][3] = NULL;
    PG_REQUIRE(pg_fc_is_full(fc), PG_ERR_INPUT,
               "space-group symmetrisation needs full force constants (have %lld x %lld)",
               (long long)fc->n_row, (long long)fc->n_super);
    PG_REQUIRE(n_op > 0, PG_ERR_INPUT, "space-group symmetrisation needs operations");
    int64_t n = fc->n_super;
    PG_TRY_CALLOC(acc, n * n, "symmetrised force constants");
    for (int op = 0; op < n_op; op++) {
        const int64_t *pm = perm + (int64_t)op * n;
        const double(*R)[3] = rot_cart[op];
        for (int64_t i = 0; i < n; i++)
            for (int64_t k = 0; k < n; k++) {
                /* acc(R i, R k) += R Φ(i,k) Rᵀ */
                const double(*F)[3] = fc->phi[i * n + k];
                double RF[3][3];
                for (int a = 0; a < 3; a++)
                    for (int b = 0; b < 3; b++)
                        RF[a][b] = R[a][0] * F[0][b] + R[a][1] * F[1][b] + R[a][2] * F[2][b];
                double(*A)[3] = acc[pm[i] * n + pm[k]];
                for (int a = 0; a < 3; a++)
                    for (int b = 0; b < 3; b++)
                        A[a][b] += RF[a][0] * R[b][0] + RF[a][1] * R[b][1] + RF[a][2] * R[b][2];
            }
    }
    double mc = 0;
    for (int64_t t = 0; t < n * n; t++)
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) {
                double v = acc[t][a][b] / n_op;
                if (fabs(v - fc->phi[t][a][b]) > mc) mc = fabs(v - fc->phi[t][a][b]);
                fc->phi[t][a][b] = v;
            }
    if (max_change) *max_change = mc;
cleanup:
    free(acc);
    return st;
}
