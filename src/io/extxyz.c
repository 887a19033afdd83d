/* extxyz.c - extended XYZ (ASE's dialect) writer and reader. Format notes in pg_extxyz.h. */
#include "phonograph/pg_extxyz.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "phonograph/pg_element.h"
#include "phonograph/pg_par.h"
#include "phonograph/pg_units.h"
#include "io/textio.h"

/* ---- frames ------------------------------------------------------------------------------ */

void pg_extxyz_frame_init(pg_extxyz_frame_t *fr)
{
    memset(fr, 0, sizeof *fr);
    fr->pbc[0] = fr->pbc[1] = fr->pbc[2] = 1;
}

void pg_extxyz_frame_free(pg_extxyz_frame_t *fr)
{
    if (!fr) return;
    pg_cell_free(&fr->cell);
    free(fr->forces);
    for (int k = 0; k < fr->n_info; k++) {
        free(fr->info[k].key);
        free(fr->info[k].value);
    }
    free(fr->info);
    memset(fr, 0, sizeof *fr);
}

void pg_extxyz_frames_free(pg_extxyz_frame_t **frames, int64_t n_frames)
{
    if (!frames || !*frames) return;
    for (int64_t k = 0; k < n_frames; k++) pg_extxyz_frame_free(&(*frames)[k]);
    free(*frames);
    *frames = NULL;
}

pg_status_t pg_extxyz_frame_add_info(pg_extxyz_frame_t *fr, const char *key, const char *value)
{
    PG_REQUIRE(key && *key && value, PG_ERR_INPUT, "extxyz info needs a non-empty key and a value");
    for (const char *s = key; *s; s++)
        PG_REQUIRE(!isspace((unsigned char)*s) && *s != '=' && *s != '"', PG_ERR_INPUT,
                   "extxyz info key \"%s\" may not contain blanks, '=' or '\"'", key);
    pg_extxyz_info_t *grown = realloc(fr->info, (size_t)(fr->n_info + 1) * sizeof *grown);
    PG_REQUIRE(grown, PG_ERR_NOMEM, "out of memory growing extxyz info");
    fr->info = grown;
    char *k = strdup(key), *v = strdup(value);
    if (!k || !v) {
        free(k);
        free(v);
        return PG_ERR(PG_ERR_NOMEM, "out of memory copying extxyz info");
    }
    fr->info[fr->n_info].key = k;
    fr->info[fr->n_info].value = v;
    fr->n_info++;
    return PG_OK;
}

/* ---- writer ------------------------------------------------------------------------------ */

static void write_value(FILE *f, const char *v)
{
    int quote = *v == '\0';
    for (const char *s = v; *s; s++)
        if (isspace((unsigned char)*s) || *s == '=' || *s == '"' || *s == '\\') quote = 1;
    if (!quote) {
        fputs(v, f);
        return;
    }
    fputc('"', f);
    for (const char *s = v; *s; s++) {
        if (*s == '"' || *s == '\\') fputc('\\', f);
        fputc(*s == '\n' ? ' ' : *s, f);
    }
    fputc('"', f);
}

pg_status_t pg_extxyz_fwrite(FILE *f, const char *path, const pg_extxyz_frame_t *frames,
                             int64_t n_frames)
{
    const char *p = path ? path : "<stream>";
    for (int64_t k = 0; k < n_frames; k++) {
        const pg_extxyz_frame_t *fr = &frames[k];
        const pg_cell_t *c = &fr->cell;
        PG_REQUIRE(!fr->has_forces || fr->forces, PG_ERR_INTERNAL, "frame %lld: has_forces without forces",
                   (long long)k);
        fprintf(f, "%lld\n", (long long)c->n_atom);
        fprintf(f, "Lattice=\"");
        for (int i = 0; i < 9; i++) fprintf(f, "%s%.17g", i ? " " : "", c->lattice[i / 3][i % 3]);
        fprintf(f, "\" Properties=species:S:1:pos:R:3%s", fr->has_forces ? ":forces:R:3" : "");
        if (fr->has_energy) fprintf(f, " energy=%.17g", fr->energy_ev);
        if (fr->has_stress) {
            fprintf(f, " stress=\"");
            for (int i = 0; i < 9; i++)
                fprintf(f, "%s%.17g", i ? " " : "", fr->stress_gpa[i / 3][i % 3] / PG_EV_ANG3_TO_GPA);
            fputc('"', f);
        }
        for (int i = 0; i < fr->n_info; i++) {
            fprintf(f, " %s=", fr->info[i].key);
            write_value(f, fr->info[i].value);
        }
        fprintf(f, " pbc=\"%c %c %c\"\n", fr->pbc[0] ? 'T' : 'F', fr->pbc[1] ? 'T' : 'F',
                fr->pbc[2] ? 'T' : 'F');
        for (int64_t i = 0; i < c->n_atom; i++) {
            fprintf(f, "%-2s %24.17g %24.17g %24.17g", pg_element_symbol(c->z[i]), c->pos[i][0],
                    c->pos[i][1], c->pos[i][2]);
            if (fr->has_forces)
                fprintf(f, " %24.17g %24.17g %24.17g", fr->forces[i][0], fr->forces[i][1],
                        fr->forces[i][2]);
            fputc('\n', f);
        }
    }
    if (ferror(f)) return PG_ERR(PG_ERR_IO, "writing extxyz %s failed", p);
    return PG_OK;
}

pg_status_t pg_extxyz_write(const char *path, const pg_extxyz_frame_t *frames, int64_t n_frames,
                            int append)
{
    FILE *f = fopen(path, append ? "a" : "w");
    PG_REQUIRE(f, PG_ERR_IO, "cannot open %s for writing: %s", path, strerror(errno));
    pg_status_t st = pg_extxyz_fwrite(f, path, frames, n_frames);
    if (fclose(f) != 0 && st == PG_OK)
        st = PG_ERR(PG_ERR_IO, "closing %s failed: %s", path, strerror(errno));
    if (st != PG_OK) pg_err_frame(__FILE__, __LINE__, __func__);
    return st;
}

/* ---- reader ------------------------------------------------------------------------------ */

typedef textio_reader_t reader_t;

static int parse_numbers(const char *v, double *x, int max)
{
    char *copy = strdup(v);
    if (!copy) return -1;
    char *tok[16];
    int n = textio_split(copy, tok, 16);
    int ok = n <= max;
    for (int k = 0; ok && k < n; k++) ok = textio_parse_double(tok[k], &x[k]);
    free(copy);
    return ok ? n : -1;
}

typedef struct {
    int n_cols;      /* total columns per atom line */
    int species_col; /* column index of the symbol */
    int pos_col;     /* first of 3 */
    int forces_col;  /* first of 3, or -1 */
} props_t;

static pg_status_t parse_properties(const reader_t *r, const char *v, props_t *pr)
{
    char *copy = strdup(v);
    PG_REQUIRE(copy, PG_ERR_NOMEM, "out of memory");
    pr->n_cols = 0;
    pr->species_col = pr->pos_col = pr->forces_col = -1;
    pg_status_t st = PG_OK;
    char *save = NULL;
    char *name = strtok_r(copy, ":", &save);
    while (name) {
        char *type = strtok_r(NULL, ":", &save);
        char *cnt = strtok_r(NULL, ":", &save);
        long n = cnt ? strtol(cnt, NULL, 10) : 0;
        if (!type || !cnt || n <= 0 || n > 64 || strlen(type) != 1 || !strchr("SRIL", type[0])) {
            st = PG_ERR(PG_ERR_INPUT,
                        "%s:%d: expected Properties as name:type:count triples (type S, R, I or L), "
                        "found \"%s\"",
                        r->path, r->line, v);
            break;
        }
        if (!strcmp(name, "species")) {
            if (type[0] != 'S' || n != 1) {
                st = PG_ERR(PG_ERR_INPUT, "%s:%d: expected species:S:1, found species:%s:%ld", r->path, r->line, type, n);
                break;
            }
            pr->species_col = pr->n_cols;
        } else if (!strcmp(name, "pos")) {
            if (type[0] != 'R' || n != 3) {
                st = PG_ERR(PG_ERR_INPUT, "%s:%d: expected pos:R:3, found pos:%s:%ld", r->path, r->line, type, n);
                break;
            }
            pr->pos_col = pr->n_cols;
        } else if (!strcmp(name, "forces") || !strcmp(name, "force")) {
            if (type[0] != 'R' || n != 3) {
                st = PG_ERR(PG_ERR_INPUT, "%s:%d: expected forces:R:3, found %s:%s:%ld", r->path, r->line, name, type, n);
                break;
            }
            pr->forces_col = pr->n_cols;
        }
        pr->n_cols += (int)n;
        name = strtok_r(NULL, ":", &save);
    }
    free(copy);
    if (st == PG_OK && (pr->species_col < 0 || pr->pos_col < 0))
        st = PG_ERR(PG_ERR_INPUT, "%s:%d: expected Properties with species:S:1 and pos:R:3, found \"%s\"",
                    r->path, r->line, v);
    return st;
}

/* Parse the comment line into the frame; fills props. */
static pg_status_t parse_comment(reader_t *r, pg_extxyz_frame_t *fr, props_t *pr)
{
    pg_status_t st = PG_OK;
    char *s = r->buf;
    char *key = NULL, *val = NULL;
    int have_lattice = 0, have_props = 0;
    const size_t len = strlen(s);
    PG_TRY_CALLOC(key, len + 1, "extxyz key");
    PG_TRY_CALLOC(val, len + 2, "extxyz value");
    while (*s) {
        while (isspace((unsigned char)*s)) s++;
        if (!*s) break;
        size_t nk = 0;
        while (*s && !isspace((unsigned char)*s) && *s != '=') key[nk++] = *s++;
        key[nk] = '\0';
        while (isspace((unsigned char)*s)) s++;
        size_t nv = 0;
        if (*s == '=') {
            s++;
            while (isspace((unsigned char)*s)) s++;
            if (*s == '"') {
                s++;
                while (*s && *s != '"') {
                    if (*s == '\\' && s[1]) s++;
                    val[nv++] = *s++;
                }
                PG_TRY_REQUIRE(*s == '"', PG_ERR_INPUT, "%s:%d: expected a closing '\"' for key %s, found end of line",
                               r->path, r->line, key);
                s++;
            } else if (*s == '{') {
                s++;
                while (*s && *s != '}') val[nv++] = *s++;
                PG_TRY_REQUIRE(*s == '}', PG_ERR_INPUT, "%s:%d: expected a closing '}' for key %s, found end of line",
                               r->path, r->line, key);
                s++;
                for (size_t i = 0; i < nv; i++)
                    if (val[i] == ',') val[i] = ' ';
            } else {
                while (*s && !isspace((unsigned char)*s)) val[nv++] = *s++;
            }
            val[nv] = '\0';
        } else {
            strcpy(val, "T"); /* bare key: ASE stores True */
        }
        PG_TRY_REQUIRE(nk > 0, PG_ERR_INPUT, "%s:%d: expected key=value, found \"=%s\"", r->path, r->line, val);
        if (!strcasecmp(key, "Lattice")) {
            double x[9];
            PG_TRY_REQUIRE(parse_numbers(val, x, 9) == 9, PG_ERR_INPUT,
                           "%s:%d: expected Lattice=\"9 numbers\" (rows a1 a2 a3, Å), found \"%s\"",
                           r->path, r->line, val);
            for (int i = 0; i < 9; i++) fr->cell.lattice[i / 3][i % 3] = x[i];
            have_lattice = 1;
        } else if (!strcasecmp(key, "Properties")) {
            PG_TRY(parse_properties(r, val, pr));
            have_props = 1;
        } else if (!strcasecmp(key, "pbc")) {
            char *tok[4];
            int n = textio_split(val, tok, 4);
            PG_TRY_REQUIRE(n == 3, PG_ERR_INPUT, "%s:%d: expected pbc=\"T T T\" (3 flags), found %d flags",
                           r->path, r->line, n);
            for (int a = 0; a < 3; a++) {
                char ch = (char)toupper((unsigned char)tok[a][0]);
                PG_TRY_REQUIRE(ch == 'T' || ch == 'F', PG_ERR_INPUT,
                               "%s:%d: expected T or F in pbc, found \"%s\"", r->path, r->line, tok[a]);
                fr->pbc[a] = ch == 'T';
            }
        } else if (!strcmp(key, "energy")) {
            PG_TRY_REQUIRE(textio_parse_double(val, &fr->energy_ev), PG_ERR_INPUT,
                           "%s:%d: expected energy=<number in eV>, found \"%s\"", r->path, r->line, val);
            fr->has_energy = 1;
        } else if (!strcmp(key, "stress")) {
            double x[9];
            int n = parse_numbers(val, x, 9);
            PG_TRY_REQUIRE(n == 9 || n == 6, PG_ERR_INPUT,
                           "%s:%d: expected stress=\"9 or 6 numbers\" (eV/Å^3), found \"%s\"",
                           r->path, r->line, val);
            if (n == 9) {
                for (int i = 0; i < 9; i++) fr->stress_gpa[i / 3][i % 3] = x[i] * PG_EV_ANG3_TO_GPA;
            } else { /* Voigt xx yy zz yz xz xy */
                const int ij[6][2] = {{0, 0}, {1, 1}, {2, 2}, {1, 2}, {0, 2}, {0, 1}};
                for (int v = 0; v < 6; v++) {
                    fr->stress_gpa[ij[v][0]][ij[v][1]] = x[v] * PG_EV_ANG3_TO_GPA;
                    fr->stress_gpa[ij[v][1]][ij[v][0]] = x[v] * PG_EV_ANG3_TO_GPA;
                }
            }
            fr->has_stress = 1;
        } else {
            PG_TRY(pg_extxyz_frame_add_info(fr, key, val));
        }
    }
    PG_TRY_REQUIRE(have_lattice, PG_ERR_INPUT, "%s:%d: expected Lattice=\"...\" on the comment line, found none",
                   r->path, r->line);
    PG_TRY_REQUIRE(have_props, PG_ERR_INPUT, "%s:%d: expected Properties=... on the comment line, found none",
                   r->path, r->line);
cleanup:
    free(key);
    free(val);
    return st;
}

static pg_status_t parse_frame(reader_t *r, int64_t n_atom, pg_extxyz_frame_t *fr)
{
    pg_status_t st = PG_OK;
    props_t pr = {0, -1, -1, -1};
    char **tok = NULL;
    int got;
    PG_TRY(textio_next_line(r, &got));
    PG_TRY_REQUIRE(got, PG_ERR_INPUT, "%s:%d: expected the extxyz comment line, found end of file",
                   r->path, r->line + 1);
    PG_TRY(pg_cell_init(&fr->cell, n_atom));
    PG_TRY(parse_comment(r, fr, &pr));
    if (pr.forces_col >= 0) {
        PG_TRY_CALLOC(fr->forces, n_atom, "extxyz forces");
        fr->has_forces = 1;
    }
    PG_TRY_CALLOC(tok, pr.n_cols + 1, "extxyz columns");
    for (int64_t i = 0; i < n_atom; i++) {
        PG_TRY(textio_next_line(r, &got));
        PG_TRY_REQUIRE(got, PG_ERR_INPUT, "%s:%d: expected atom %lld of %lld (%d columns), found end of file",
                       r->path, r->line + 1, (long long)i + 1, (long long)n_atom, pr.n_cols);
        char *copy = strdup(r->buf);
        PG_TRY_REQUIRE(copy, PG_ERR_NOMEM, "out of memory");
        int n = textio_split(copy, tok, pr.n_cols + 1);
        if (n != pr.n_cols) {
            st = PG_ERR(PG_ERR_INPUT, "%s:%d: expected %d columns for atom %lld (Properties), found %d",
                        r->path, r->line, pr.n_cols, (long long)i + 1, n);
            free(copy);
            goto cleanup;
        }
        int z = 0;
        if (pg_element_from_symbol(tok[pr.species_col], &z) != PG_OK) {
            pg_err_clear();
            st = PG_ERR(PG_ERR_INPUT, "%s:%d: expected an element symbol, found \"%s\"", r->path,
                        r->line, tok[pr.species_col]);
            free(copy);
            goto cleanup;
        }
        fr->cell.z[i] = z;
        fr->cell.mass[i] = pg_element_mass(z);
        for (int a = 0; a < 3; a++) {
            int ok = textio_parse_double(tok[pr.pos_col + a], &fr->cell.pos[i][a]);
            if (ok && pr.forces_col >= 0) ok = textio_parse_double(tok[pr.forces_col + a], &fr->forces[i][a]);
            if (!ok) {
                st = PG_ERR(PG_ERR_INPUT, "%s:%d: expected numbers for atom %lld, found \"%s\"",
                            r->path, r->line, (long long)i + 1, r->buf);
                free(copy);
                goto cleanup;
            }
        }
        free(copy);
    }
cleanup:
    free(tok);
    return st;
}

pg_status_t pg_extxyz_parse(const char *path, const char *text, pg_extxyz_frame_t **frames,
                            int64_t *n_frames)
{
    pg_status_t st = PG_OK;
    reader_t r = {.path = path ? path : "<extxyz>", .p = text};
    pg_extxyz_frame_t *out = NULL;
    int64_t n = 0, cap = 0;
    *frames = NULL;
    *n_frames = 0;
    PG_REQUIRE(text, PG_ERR_INTERNAL, "pg_extxyz_parse: NULL text");
    for (;;) {
        int got;
        PG_TRY(textio_next_line(&r, &got));
        if (!got) break;
        char *s = r.buf;
        while (isspace((unsigned char)*s)) s++;
        if (!*s) continue; /* blank lines between/after frames */
        char *end = NULL;
        errno = 0;
        long long na = strtoll(s, &end, 10);
        while (end && isspace((unsigned char)*end)) end++;
        PG_TRY_REQUIRE(end != s && *end == '\0' && errno == 0 && na >= 0, PG_ERR_INPUT,
                       "%s:%d: expected the number of atoms of a frame, found \"%.60s\"", r.path, r.line, r.buf);
        if (n == cap) {
            int64_t nc = cap ? 2 * cap : 4;
            pg_extxyz_frame_t *g = realloc(out, (size_t)nc * sizeof *g);
            PG_TRY_REQUIRE(g, PG_ERR_NOMEM, "out of memory reading %s", r.path);
            out = g;
            cap = nc;
        }
        pg_extxyz_frame_init(&out[n]);
        n++;
        PG_TRY(parse_frame(&r, na, &out[n - 1]));
    }
    *frames = out;
    *n_frames = n;
    out = NULL;
cleanup:
    textio_reader_free(&r);
    if (out) pg_extxyz_frames_free(&out, n);
    return st;
}

pg_status_t pg_extxyz_read(MPI_Comm comm, const char *path, pg_extxyz_frame_t **frames,
                           int64_t *n_frames)
{
    char *text = NULL;
    size_t n = 0;
    *frames = NULL;
    *n_frames = 0;
    PG_CHECK(pg_par_read_file(comm, path, &text, &n));
    /* same bytes on every rank -> same outcome and message everywhere */
    pg_status_t st = pg_extxyz_parse(path, text, frames, n_frames);
    free(text);
    if (st != PG_OK) pg_err_frame(__FILE__, __LINE__, __func__);
    return st;
}
