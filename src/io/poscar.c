/* poscar.c - VASP POSCAR reader (VASP 4 and 5) and writer. Format notes in pg_poscar.h. */
#include "phonograph/pg_poscar.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "phonograph/pg_element.h"
#include "phonograph/pg_par.h"
#include "io/textio.h"

/* The lines of the text (textio_reader_t: no line is ever truncated, so a species line with
 * hundreds of groups, as ASE writes supercells with sort=False, is read completely) plus a
 * scratch copy of the current line, of the same capacity, where it is split into tokens. */
typedef struct {
    textio_reader_t r;
    const char *path; /* = r.path */
    char *buf;        /* = r.buf, the current line */
    char *scratch;    /* [r.cap] */
    size_t scratch_cap;
    int line;         /* = r.line */
} cursor_t;

static void cursor_free(cursor_t *c)
{
    textio_reader_free(&c->r);
    free(c->scratch);
    c->buf = c->scratch = NULL;
    c->scratch_cap = 0;
}

/* Advance to the next line: *more = 0 at end of text. */
static pg_status_t next_line(cursor_t *c, int *more)
{
    PG_CHECK(textio_next_line(&c->r, more));
    c->buf = c->r.buf;
    c->line = c->r.line;
    if (*more && c->scratch_cap < c->r.cap) {
        char *s = realloc(c->scratch, c->r.cap);
        PG_REQUIRE(s, PG_ERR_NOMEM, "%s:%d: copy of a line of %zu characters", c->path, c->line,
                   strlen(c->buf));
        c->scratch = s;
        c->scratch_cap = c->r.cap;
    }
    return PG_OK;
}

/* All tokens of the current line (a copy in c->scratch): *tok is malloc'ed [*n], caller frees. */
static pg_status_t line_tokens(cursor_t *c, char ***tok, int *n)
{
    *tok = NULL;
    *n = textio_count_tokens(c->buf);
    memcpy(c->scratch, c->buf, strlen(c->buf) + 1);
    if (*n == 0) return PG_OK;
    *tok = malloc(sizeof(char *) * (size_t)*n);
    PG_REQUIRE(*tok, PG_ERR_NOMEM, "%s:%d: %d words", c->path, c->line, *n);
    textio_split(c->scratch, *tok, *n);
    return PG_OK;
}

/* Short quoted excerpt of a line for messages. */
static const char *excerpt(const char *s, char *out, size_t n)
{
    snprintf(out, n, "%.60s%s", s, strlen(s) > 60 ? "..." : "");
    return out;
}

/* Next line, or a "missing line" error naming what was expected. */
static pg_status_t need_line(cursor_t *c, const char *what)
{
    int more;
    PG_CHECK(next_line(c, &more));
    if (!more)
        return PG_ERR(PG_ERR_INPUT, "%s:%d: expected %s, found end of file", c->path, c->line + 1,
                      what);
    return PG_OK;
}

/* Read n <= 3 numbers from the current line (extra tokens allowed when allow_extra). */
static pg_status_t line_numbers(cursor_t *c, int n, double *x, const char *what, int allow_extra)
{
    char ex[80];
    char *tok[3];
    memcpy(c->scratch, c->buf, strlen(c->buf) + 1);
    int nt = textio_count_tokens(c->buf);
    if (nt < n || (!allow_extra && nt > n))
        return PG_ERR(PG_ERR_INPUT, "%s:%d: expected %s (%d number%s), found \"%s\"", c->path,
                      c->line, what, n, n == 1 ? "" : "s", excerpt(c->buf, ex, sizeof ex));
    textio_split(c->scratch, tok, n);
    for (int k = 0; k < n; k++)
        if (!textio_parse_double(tok[k], &x[k]))
            return PG_ERR(PG_ERR_INPUT, "%s:%d: expected a number in %s, found \"%s\"", c->path,
                          c->line, what, tok[k]);
    return PG_OK;
}

/* Species symbol of a POSCAR/POTCAR label: "Ag", "Ag_pv", "Ag_pv/abcd" -> "Ag". */
static pg_status_t species_z(const char *label, int *z)
{
    char sym[16];
    size_t k = 0;
    while (label[k] && label[k] != '_' && label[k] != '/' && label[k] != ':' && k < sizeof sym - 1) {
        sym[k] = label[k];
        k++;
    }
    sym[k] = '\0';
    pg_status_t st = pg_element_from_symbol(sym, z);
    if (st != PG_OK) pg_err_clear();
    return st;
}

static double det3(const double m[3][3])
{
    return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
           m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
           m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

pg_status_t pg_poscar_parse(const char *path, const char *text, pg_cell_t *cell)
{
    return pg_poscar_parse_ex(path, text, cell, NULL);
}

/* Species and counts are read per group: a POSCAR may name one species in several groups
 * ("Ag S Br Ag S Br ...", as ASE writes with sort=False); every group of every line is used
 * and atoms keep file order, so a repeated species simply gets its atoms where they are. */
pg_status_t pg_poscar_parse_ex(const char *path, const char *text, pg_cell_t *cell,
                               pg_poscar_info_t *info)
{
    pg_status_t st = PG_OK;
    cursor_t c = {.r = {.path = path ? path : "<poscar>", .p = text}};
    c.path = c.r.path;
    pg_poscar_info_t inf;
    memset(&inf, 0, sizeof inf);
    memset(cell, 0, sizeof *cell);
    char ex[80];
    char *comment = NULL;        /* copy of line 1 (VASP 4: species symbols) */
    char **tok = NULL;           /* tokens of the species (or count) line */
    char **ctok = NULL;          /* tokens of the count line or the comment */
    int *z_species = NULL;       /* [n_groups] */
    long long *count = NULL;     /* [n_groups] */
    int n_groups = 0, nt = 0, nc = 0;
    double lat[3][3];
    PG_REQUIRE(text, PG_ERR_INTERNAL, "pg_poscar_parse: NULL text for %s", c.path);

    /* line 1: comment */
    PG_TRY(need_line(&c, "a comment line"));
    comment = strdup(c.buf);
    PG_TRY_REQUIRE(comment, PG_ERR_NOMEM, "%s:1: copy of the comment line", c.path);
    snprintf(inf.comment, sizeof inf.comment, "%.255s", c.buf);

    /* line 2: scale factor (negative: volume) */
    PG_TRY(need_line(&c, "the scale factor"));
    double scale;
    PG_TRY(line_numbers(&c, 1, &scale, "the scale factor", 1));
    {
        /* VASP 6 allows three per-axis factors; we do not, and must not silently use one */
        char *t2[2];
        double x;
        memcpy(c.scratch, c.buf, strlen(c.buf) + 1);
        int n2 = textio_split(c.scratch, t2, 2);
        PG_TRY_REQUIRE(n2 < 2 || !textio_parse_double(t2[1], &x), PG_ERR_INPUT,
                       "%s:%d: expected one scale factor, found \"%s\" (per-axis scale factors "
                       "are not supported)",
                       c.path, c.line, excerpt(c.buf, ex, sizeof ex));
    }
    PG_TRY_REQUIRE(scale != 0.0, PG_ERR_INPUT, "%s:%d: expected a non-zero scale factor, found \"%s\"",
                   c.path, c.line, excerpt(c.buf, ex, sizeof ex));
    inf.scale = scale;

    /* lines 3-5: lattice rows */
    for (int i = 0; i < 3; i++) {
        char what[32];
        snprintf(what, sizeof what, "lattice vector a%d", i + 1);
        PG_TRY(need_line(&c, what));
        PG_TRY(line_numbers(&c, 3, lat[i], what, 1));
    }
    double det = det3(lat);
    PG_TRY_REQUIRE(fabs(det) > 1e-10, PG_ERR_INPUT,
                   "%s:%d-%d: expected three linearly independent lattice vectors, found a "
                   "singular lattice (det = %g)",
                   c.path, c.line - 2, c.line, det);
    double f = scale;
    if (scale < 0) f = cbrt(-scale / fabs(det));

    /* line 6: species (VASP 5) or counts (VASP 4) */
    PG_TRY(need_line(&c, "species symbols or atom counts"));
    PG_TRY(line_tokens(&c, &tok, &nt));
    long long dummy;
    PG_TRY_REQUIRE(nt > 0, PG_ERR_INPUT, "%s:%d: expected species symbols or atom counts, found an empty line",
                   c.path, c.line);
    if (textio_parse_int(tok[0], &dummy)) {
        inf.vasp4 = 1;
    } else {
        n_groups = nt;
        z_species = malloc(sizeof *z_species * (size_t)n_groups);
        PG_TRY_REQUIRE(z_species, PG_ERR_NOMEM, "%s:%d: %d species groups", c.path, c.line, nt);
        for (int k = 0; k < nt; k++)
            PG_TRY_REQUIRE(species_z(tok[k], &z_species[k]) == PG_OK, PG_ERR_INPUT,
                           "%s:%d: expected an element symbol, found \"%s\"", c.path, c.line, tok[k]);
        PG_TRY(need_line(&c, "atom counts per species"));
    }
    int count_line = c.line;
    PG_TRY(line_tokens(&c, &ctok, &nc));
    PG_TRY_REQUIRE(nc > 0, PG_ERR_INPUT, "%s:%d: expected atom counts per species, found \"%s\"",
                   c.path, c.line, excerpt(c.buf, ex, sizeof ex));
    count = malloc(sizeof *count * (size_t)nc);
    PG_TRY_REQUIRE(count, PG_ERR_NOMEM, "%s:%d: %d atom counts", c.path, c.line, nc);
    long long n_atom = 0;
    for (int k = 0; k < nc; k++) {
        PG_TRY_REQUIRE(textio_parse_int(ctok[k], &count[k]) && count[k] > 0, PG_ERR_INPUT,
                       "%s:%d: expected a positive integer atom count, found \"%s\"", c.path,
                       c.line, ctok[k]);
        PG_TRY_REQUIRE(count[k] <= INT32_MAX && n_atom <= INT32_MAX - count[k], PG_ERR_INPUT,
                       "%s:%d: expected atom counts summing to at most %d, found \"%s\" after %lld atoms",
                       c.path, c.line, INT32_MAX, ctok[k], n_atom);
        n_atom += count[k];
    }
    if (inf.vasp4) {
        /* phonopy: symbols are the first words of the comment line */
        int ncw = textio_count_tokens(comment);
        PG_TRY_REQUIRE(ncw >= nc, PG_ERR_INPUT,
                       "%s:1: expected %d species symbols on the comment line (VASP 4 file "
                       "without a species line), found \"%s\"",
                       c.path, nc, excerpt(inf.comment, ex, sizeof ex));
        free(tok);
        tok = malloc(sizeof(char *) * (size_t)nc);
        z_species = malloc(sizeof *z_species * (size_t)nc);
        PG_TRY_REQUIRE(tok && z_species, PG_ERR_NOMEM, "%s:1: %d species symbols", c.path, nc);
        textio_split(comment, tok, nc);
        for (int k = 0; k < nc; k++)
            PG_TRY_REQUIRE(species_z(tok[k], &z_species[k]) == PG_OK, PG_ERR_INPUT,
                           "%s:1: expected an element symbol as word %d of the comment line "
                           "(VASP 4 file without a species line), found \"%s\"",
                           c.path, k + 1, tok[k]);
        n_groups = nc;
    } else {
        PG_TRY_REQUIRE(nc == n_groups, PG_ERR_INPUT,
                       "%s:%d: expected %d atom counts (one per species on line %d), found %d",
                       c.path, c.line, n_groups, c.line - 1, nc);
    }

    /* optional selective dynamics, then the coordinate mode */
    PG_TRY(need_line(&c, "\"Direct\" or \"Cartesian\""));
    {
        const char *s = c.buf;
        while (isspace((unsigned char)*s)) s++;
        if (*s == 'S' || *s == 's') {
            inf.selective_dynamics = 1;
            PG_TRY(need_line(&c, "\"Direct\" or \"Cartesian\""));
            s = c.buf;
            while (isspace((unsigned char)*s)) s++;
        }
        if (*s == 'D' || *s == 'd') inf.cartesian = 0;
        else if (*s == 'C' || *s == 'c' || *s == 'K' || *s == 'k') inf.cartesian = 1;
        else {
            st = PG_ERR(PG_ERR_INPUT, "%s:%d: expected \"Direct\" or \"Cartesian\", found \"%s\"",
                        c.path, c.line, excerpt(c.buf, ex, sizeof ex));
            goto cleanup;
        }
    }

    PG_TRY(pg_cell_init(cell, n_atom));
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) cell->lattice[a][b] = lat[a][b] * f;
    {
        int64_t i = 0;
        for (int k = 0; k < n_groups; k++)
            for (long long m = 0; m < count[k]; m++, i++) {
                cell->z[i] = z_species[k];
                cell->mass[i] = pg_element_mass(z_species[k]);
            }
    }
    for (int64_t i = 0; i < n_atom; i++) {
        char what[64];
        snprintf(what, sizeof what, "the position of atom %lld of %lld", (long long)i + 1, n_atom);
        int more;
        PG_TRY(next_line(&c, &more));
        if (!more) {
            st = PG_ERR(PG_ERR_INPUT,
                        "%s:%d: expected %s (counts on line %d sum to %lld), found end of file",
                        c.path, c.line + 1, what, count_line, n_atom);
            goto cleanup;
        }
        double x[3];
        PG_TRY(line_numbers(&c, 3, x, what, 1));
        if (inf.cartesian) {
            for (int a = 0; a < 3; a++) cell->pos[i][a] = x[a] * f;
        } else {
            pg_cell_frac_to_cart(cell->lattice, x, cell->pos[i]);
        }
    }
    if (info) *info = inf;
cleanup:
    if (st != PG_OK) pg_cell_free(cell);
    cursor_free(&c);
    free(comment);
    free(tok);
    free(ctok);
    free(z_species);
    free(count);
    return st;
}

pg_status_t pg_poscar_read(MPI_Comm comm, const char *path, pg_cell_t *cell)
{
    return pg_poscar_read_ex(comm, path, cell, NULL);
}

pg_status_t pg_poscar_read_ex(MPI_Comm comm, const char *path, pg_cell_t *cell,
                              pg_poscar_info_t *info)
{
    char *text = NULL;
    size_t n = 0;
    memset(cell, 0, sizeof *cell);
    PG_CHECK(pg_par_read_file(comm, path, &text, &n));
    /* every rank parses the same bytes, so the outcome (and message) is the same everywhere */
    pg_status_t st = pg_poscar_parse_ex(path, text, cell, info);
    free(text);
    if (st != PG_OK) pg_err_frame(__FILE__, __LINE__, __func__);
    return st;
}

pg_status_t pg_poscar_fwrite(FILE *f, const char *path, const pg_cell_t *cell,
                             const char *comment, int direct)
{
    const char *p = path ? path : "<stream>";
    int64_t n = cell->n_atom;
    double inv[3][3];
    if (direct) PG_CHECK(pg_mat3_inverse(cell->lattice, inv));

    if (comment) {
        for (const char *s = comment; *s; s++) fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
    } else {
        for (int64_t i = 0; i < n; i++)
            if (i == 0 || cell->z[i] != cell->z[i - 1])
                fprintf(f, "%s%s", i ? " " : "", pg_element_symbol(cell->z[i]));
    }
    fputc('\n', f);
    fprintf(f, "   1.0\n");
    for (int a = 0; a < 3; a++)
        fprintf(f, " %22.16f %22.16f %22.16f\n", cell->lattice[a][0], cell->lattice[a][1],
                cell->lattice[a][2]);
    for (int64_t i = 0; i < n; i++)
        if (i == 0 || cell->z[i] != cell->z[i - 1]) fprintf(f, " %4s", pg_element_symbol(cell->z[i]));
    fputc('\n', f);
    for (int64_t i = 0, run = 0; i < n; i++) {
        run++;
        if (i == n - 1 || cell->z[i + 1] != cell->z[i]) {
            fprintf(f, " %4lld", (long long)run);
            run = 0;
        }
    }
    fputc('\n', f);
    fprintf(f, direct ? "Direct\n" : "Cartesian\n");
    for (int64_t i = 0; i < n; i++) {
        double x[3];
        if (direct) pg_cell_cart_to_frac(inv, cell->pos[i], x);
        else memcpy(x, cell->pos[i], sizeof x);
        /* 16 decimals: <= 5e-17 absolute rounding, far below the 1e-12 round-trip promise */
        fprintf(f, " %21.16f %21.16f %21.16f\n", x[0], x[1], x[2]);
    }
    if (ferror(f)) return PG_ERR(PG_ERR_IO, "writing POSCAR %s failed", p);
    return PG_OK;
}

pg_status_t pg_poscar_write(const char *path, const pg_cell_t *cell, const char *comment,
                            int direct)
{
    FILE *f = fopen(path, "w");
    PG_REQUIRE(f, PG_ERR_IO, "cannot open %s for writing: %s", path, strerror(errno));
    pg_status_t st = pg_poscar_fwrite(f, path, cell, comment, direct);
    if (fclose(f) != 0 && st == PG_OK)
        st = PG_ERR(PG_ERR_IO, "closing %s failed: %s", path, strerror(errno));
    if (st != PG_OK) pg_err_frame(__FILE__, __LINE__, __func__);
    return st;
}
