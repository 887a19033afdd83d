/* vasprun.c - reader for the label-bearing parts of VASP's vasprun.xml (pg_vasprun.h).
 *
 * One pass over the text with a stack of open elements. Each element contributes one path
 * component, "tag" or "tag:name" when it has a name attribute ("/modeling/calculation/
 * varray:forces/v"); the handlers act on end tags by exact path, so look-alikes elsewhere in
 * the file (projected/eigenvalues, incar/i:NELM, the scstep energies) are not confused with the
 * values we want. Leaf text is the bytes between a start tag and its end tag. */
#include "phonograph/pg_vasprun.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phonograph/pg_element.h"
#include "phonograph/pg_par.h"
#include "phonograph/pg_units.h"

#define MAX_DEPTH 64
#define MAX_PATH 1024

typedef struct {
    char tag[32];
    char name[48];
    char comment[32];
    int line;
    const char *text; /* first byte after the start tag */
    size_t path_len;  /* length of the path before this element */
} elem_t;

typedef struct {
    const char *path;
    const char *s, *end;
    int line;
    elem_t st[MAX_DEPTH];
    int depth;
    char xpath[MAX_PATH];
    size_t xlen;
    pg_vasprun_t *v;
    /* counters */
    int complete;
    int c_in_rc, n_rc, n_basis0, n_pos0, n_basis, n_pos, n_force, n_stress;
    int have_atoms;
    int n_block_band, n_spin_kpt;   /* rows in the current k-point set / k sets in the spin */
    int64_t n_eig, cap_eig;
    double sc_efr_last, sc_efr_prev, sc_e0_last;
    int sc_have_efr, sc_have_e0;
    double e_fr_calc;
} parser_t;

void pg_vasprun_free(pg_vasprun_t *v)
{
    if (!v) return;
    free(v->z);
    free(v->frac0);
    free(v->frac);
    free(v->forces);
    free(v->eig);
    free(v->occ);
    memset(v, 0, sizeof *v);
}

/* ---- values ----------------------------------------------------------------------------- */

/* Parse up to max numbers of the leaf text [a, b); *n gets the count. */
static pg_status_t numbers(parser_t *p, const char *a, const char *b, double *x, int max, int *n,
                           const char *what)
{
    char buf[512];
    size_t len = (size_t)(b - a);
    PG_REQUIRE(len < sizeof buf, PG_ERR_INPUT, "%s:%d: %s: expected at most %d numbers, found %zu bytes of text",
               p->path, p->line, what, max, len);
    memcpy(buf, a, len);
    buf[len] = '\0';
    *n = 0;
    char *s = buf;
    for (;;) {
        while (isspace((unsigned char)*s)) s++;
        if (!*s) break;
        char *e = NULL;
        errno = 0;
        double val = strtod(s, &e);
        if (e == s || (*e && !isspace((unsigned char)*e)) || errno == ERANGE || !isfinite(val)) {
            char tok[40];
            size_t k = 0;
            while (s[k] && !isspace((unsigned char)s[k]) && k + 1 < sizeof tok) { tok[k] = s[k]; k++; }
            tok[k] = '\0';
            return PG_ERR(PG_ERR_INPUT, "%s:%d: %s: expected a number, found \"%s\"%s", p->path, p->line,
                          what, tok, tok[0] == '*' ? " (VASP's Fortran overflow marker)" : "");
        }
        PG_REQUIRE(*n < max, PG_ERR_INPUT, "%s:%d: %s: expected %d numbers, found more", p->path, p->line,
                   what, max);
        x[(*n)++] = val;
        s = e;
    }
    return PG_OK;
}

static pg_status_t exact(parser_t *p, const char *a, const char *b, double *x, int want, const char *what)
{
    int n = 0;
    PG_CHECK(numbers(p, a, b, x, want, &n, what));
    PG_REQUIRE(n == want, PG_ERR_INPUT, "%s:%d: %s: expected %d number%s, found %d", p->path, p->line, what,
               want, want == 1 ? "" : "s", n);
    return PG_OK;
}

static pg_status_t integer(parser_t *p, const char *a, const char *b, int *out, const char *what)
{
    double x;
    PG_CHECK(exact(p, a, b, &x, 1, what));
    PG_REQUIRE(x == floor(x) && fabs(x) < 1e9, PG_ERR_INPUT, "%s:%d: %s: expected an integer, found %g",
               p->path, p->line, what, x);
    *out = (int)x;
    return PG_OK;
}

/* ---- handlers --------------------------------------------------------------------------- */

static pg_status_t need_atoms(parser_t *p, const char *what)
{
    PG_REQUIRE(p->have_atoms, PG_ERR_INPUT, "%s:%d: expected <atominfo> with the atom count before %s",
               p->path, p->line, what);
    return PG_OK;
}

static pg_status_t start_element(parser_t *p, const elem_t *e)
{
    pg_vasprun_t *v = p->v;
    const char *x = p->xpath;
    if (!strcmp(x, "/modeling/calculation")) {
        v->n_calc++;
        p->n_basis = p->n_pos = p->n_force = p->n_stress = 0;
        v->has_forces = v->has_stress = v->has_energy = 0;
        v->n_scstep = 0;
        p->sc_have_efr = p->sc_have_e0 = 0;
        p->sc_efr_last = p->sc_efr_prev = p->sc_e0_last = NAN;
        v->n_spin = v->n_kpt = v->n_band = 0;
        p->n_eig = 0;
        v->efermi = NAN;
    } else if (!strcmp(x, "/modeling/atominfo/array:atoms/set/rc")) {
        p->c_in_rc = 0;
    } else if (!strcmp(x, "/modeling/calculation/eigenvalues/array/set/set")) {
        p->n_spin_kpt = 0;
    } else if (!strcmp(x, "/modeling/calculation/eigenvalues/array/set/set/set")) {
        p->n_block_band = 0;
    }
    (void)e;
    return PG_OK;
}

static pg_status_t grow_eig(parser_t *p)
{
    if (p->n_eig < p->cap_eig) return PG_OK;
    int64_t cap = p->cap_eig ? 2 * p->cap_eig : 1024;
    double *a = realloc(p->v->eig, sizeof(double) * (size_t)cap);
    PG_REQUIRE(a, PG_ERR_NOMEM, "out of memory for eigenvalues of %s", p->path);
    p->v->eig = a;
    double *b = realloc(p->v->occ, sizeof(double) * (size_t)cap);
    PG_REQUIRE(b, PG_ERR_NOMEM, "out of memory for occupations of %s", p->path);
    p->v->occ = b;
    p->cap_eig = cap;
    return PG_OK;
}

static pg_status_t end_element(parser_t *p, const elem_t *e, const char *text_end)
{
    pg_vasprun_t *v = p->v;
    const char *x = p->xpath;
    const char *a = e->text, *b = text_end;
    double r[3];

    if (!strcmp(x, "/modeling")) {
        p->complete = 1;
    } else if (!strncmp(x, "/modeling/parameters/", 21) && !strcmp(e->tag, "i")) {
        if (!strcmp(e->name, "NELM")) PG_CHECK(integer(p, a, b, &v->nelm, "NELM"));
        else if (!strcmp(e->name, "ISPIN")) PG_CHECK(integer(p, a, b, &v->ispin, "ISPIN"));
        else if (!strcmp(e->name, "NSW")) PG_CHECK(integer(p, a, b, &v->nsw, "NSW"));
        else if (!strcmp(e->name, "IBRION")) PG_CHECK(integer(p, a, b, &v->ibrion, "IBRION"));
        else if (!strcmp(e->name, "EDIFF")) PG_CHECK(exact(p, a, b, &v->ediff, 1, "EDIFF"));
    } else if (!strcmp(x, "/modeling/atominfo/atoms")) {
        int n = 0;
        PG_CHECK(integer(p, a, b, &n, "atominfo/atoms"));
        PG_REQUIRE(n > 0 && !p->have_atoms, PG_ERR_INPUT, "%s:%d: expected one positive atom count, found %d",
                   p->path, p->line, n);
        v->n_atom = n;
        v->z = calloc((size_t)n, sizeof *v->z);
        v->frac0 = calloc((size_t)n, sizeof *v->frac0);
        v->frac = calloc((size_t)n, sizeof *v->frac);
        v->forces = calloc((size_t)n, sizeof *v->forces);
        PG_REQUIRE(v->z && v->frac0 && v->frac && v->forces, PG_ERR_NOMEM, "out of memory for %d atoms", n);
        p->have_atoms = 1;
    } else if (!strcmp(x, "/modeling/atominfo/array:atoms/set/rc/c")) {
        if (p->c_in_rc++ == 0) {
            PG_CHECK(need_atoms(p, "the atom list"));
            PG_REQUIRE(p->n_rc < v->n_atom, PG_ERR_INPUT, "%s:%d: expected %lld atoms in atominfo, found more",
                       p->path, p->line, (long long)v->n_atom);
            char sym[8] = {0};
            while (a < b && isspace((unsigned char)*a)) a++;
            size_t k = 0;
            while (a < b && !isspace((unsigned char)*a) && *a != '_' && k + 1 < sizeof sym) sym[k++] = *a++;
            int z = 0;
            if (pg_element_from_symbol(sym, &z) != PG_OK) {
                pg_err_clear();
                return PG_ERR(PG_ERR_INPUT, "%s:%d: expected an element symbol for atom %d, found \"%s\"",
                              p->path, p->line, p->n_rc + 1, sym);
            }
            v->z[p->n_rc++] = z;
        }
    } else if (!strcmp(x, "/modeling/structure:initialpos/crystal/varray:basis/v")) {
        PG_REQUIRE(p->n_basis0 < 3, PG_ERR_INPUT, "%s:%d: expected 3 lattice vectors, found more", p->path, p->line);
        PG_CHECK(exact(p, a, b, v->lattice0[p->n_basis0++], 3, "initial lattice vector"));
    } else if (!strcmp(x, "/modeling/structure:initialpos/varray:positions/v")) {
        PG_CHECK(need_atoms(p, "positions"));
        PG_REQUIRE(p->n_pos0 < v->n_atom, PG_ERR_INPUT, "%s:%d: expected %lld initial positions, found more",
                   p->path, p->line, (long long)v->n_atom);
        PG_CHECK(exact(p, a, b, v->frac0[p->n_pos0++], 3, "initial position"));
    } else if (!strncmp(x, "/modeling/calculation/", 22)) {
        const char *c = x + 21; /* "/..." below calculation */
        if (!strcmp(c, "/scstep")) {
            v->n_scstep++;
        } else if (!strcmp(c, "/scstep/energy/i:e_fr_energy")) {
            double val;
            PG_CHECK(exact(p, a, b, &val, 1, "scstep e_fr_energy"));
            p->sc_efr_prev = p->sc_have_efr ? p->sc_efr_last : NAN;
            p->sc_efr_last = val;
            p->sc_have_efr++;
        } else if (!strcmp(c, "/scstep/energy/i:e_0_energy")) {
            PG_CHECK(exact(p, a, b, &p->sc_e0_last, 1, "scstep e_0_energy"));
            p->sc_have_e0 = 1;
        } else if (!strcmp(c, "/structure/crystal/varray:basis/v")) {
            PG_REQUIRE(p->n_basis < 3, PG_ERR_INPUT, "%s:%d: expected 3 lattice vectors, found more", p->path, p->line);
            PG_CHECK(exact(p, a, b, v->lattice[p->n_basis++], 3, "lattice vector"));
        } else if (!strcmp(c, "/structure/varray:positions/v")) {
            PG_CHECK(need_atoms(p, "positions"));
            PG_REQUIRE(p->n_pos < v->n_atom, PG_ERR_INPUT, "%s:%d: expected %lld positions, found more",
                       p->path, p->line, (long long)v->n_atom);
            PG_CHECK(exact(p, a, b, v->frac[p->n_pos++], 3, "position"));
        } else if (!strcmp(c, "/varray:forces/v")) {
            PG_CHECK(need_atoms(p, "forces"));
            PG_REQUIRE(p->n_force < v->n_atom, PG_ERR_INPUT, "%s:%d: expected %lld force rows, found more",
                       p->path, p->line, (long long)v->n_atom);
            PG_CHECK(exact(p, a, b, v->forces[p->n_force++], 3, "force"));
        } else if (!strcmp(c, "/varray:forces")) {
            PG_REQUIRE(p->n_force == v->n_atom, PG_ERR_INPUT, "%s:%d: expected %lld force rows, found %d",
                       p->path, p->line, (long long)v->n_atom, p->n_force);
            v->has_forces = 1;
        } else if (!strcmp(c, "/varray:stress/v")) {
            PG_REQUIRE(p->n_stress < 3, PG_ERR_INPUT, "%s:%d: expected 3 stress rows, found more", p->path, p->line);
            PG_CHECK(exact(p, a, b, r, 3, "stress row"));
            for (int k = 0; k < 3; k++) v->stress_gpa[p->n_stress][k] = -PG_KBAR_TO_GPA * r[k];
            p->n_stress++;
        } else if (!strcmp(c, "/varray:stress")) {
            PG_REQUIRE(p->n_stress == 3, PG_ERR_INPUT, "%s:%d: expected 3 stress rows, found %d", p->path,
                       p->line, p->n_stress);
            v->has_stress = 1;
        } else if (!strcmp(c, "/energy/i:e_fr_energy")) {
            PG_CHECK(exact(p, a, b, &v->energy_free_ev, 1, "e_fr_energy"));
            v->has_energy = 1;
        } else if (!strcmp(c, "/dos/i:efermi")) {
            PG_CHECK(exact(p, a, b, &v->efermi, 1, "efermi"));
        } else if (!strcmp(c, "/eigenvalues/array/set/set/set/r")) {
            PG_CHECK(exact(p, a, b, r, 2, "eigenvalue and occupation"));
            PG_CHECK(grow_eig(p));
            v->eig[p->n_eig] = r[0];
            v->occ[p->n_eig] = r[1];
            p->n_eig++;
            p->n_block_band++;
        } else if (!strcmp(c, "/eigenvalues/array/set/set/set")) {
            if (v->n_band == 0) v->n_band = p->n_block_band;
            PG_REQUIRE(p->n_block_band == v->n_band && v->n_band > 0, PG_ERR_INPUT,
                       "%s:%d: expected %d bands in every k-point block (%s), found %d", p->path, p->line,
                       v->n_band, e->comment, p->n_block_band);
            p->n_spin_kpt++;
        } else if (!strcmp(c, "/eigenvalues/array/set/set")) {
            if (v->n_spin == 0) v->n_kpt = p->n_spin_kpt;
            PG_REQUIRE(p->n_spin_kpt == v->n_kpt, PG_ERR_INPUT,
                       "%s:%d: expected %d k-point blocks in every spin block (%s), found %d", p->path,
                       p->line, v->n_kpt, e->comment, p->n_spin_kpt);
            v->n_spin++;
        }
    }
    return PG_OK;
}

/* ---- tokenizer -------------------------------------------------------------------------- */

static void advance(parser_t *p, const char *to)
{
    for (const char *q = p->s; q < to; q++)
        if (*q == '\n') p->line++;
    p->s = to;
}

static const char *find(const char *s, const char *end, const char *needle)
{
    const size_t m = strlen(needle);
    for (const char *q = s; q + m <= end; q++)
        if (*q == needle[0] && memcmp(q, needle, m) == 0) return q;
    return NULL;
}

static void copy_attr(char *dst, size_t cap, const char *a, const char *b)
{
    size_t k = 0;
    while (a < b && k + 1 < cap) dst[k++] = *a++;
    dst[k] = '\0';
}

static pg_status_t open_tag(parser_t *p, const char *close)
{
    /* p->s points at '<', close at the matching '>' */
    const char *q = p->s + 1, *lim = close;
    PG_REQUIRE(p->depth < MAX_DEPTH, PG_ERR_INPUT, "%s:%d: elements nested deeper than %d", p->path, p->line,
               MAX_DEPTH);
    elem_t *e = &p->st[p->depth];
    memset(e, 0, sizeof *e);
    const char *t0 = q;
    while (q < lim && !isspace((unsigned char)*q) && *q != '/') q++;
    PG_REQUIRE(q > t0, PG_ERR_INPUT, "%s:%d: expected an element name after '<'", p->path, p->line);
    copy_attr(e->tag, sizeof e->tag, t0, q);
    const int self_closing = close[-1] == '/';
    if (self_closing) lim--;
    while (q < lim) {
        while (q < lim && isspace((unsigned char)*q)) q++;
        if (q >= lim) break;
        const char *k0 = q;
        while (q < lim && *q != '=' && !isspace((unsigned char)*q)) q++;
        const char *k1 = q;
        while (q < lim && isspace((unsigned char)*q)) q++;
        PG_REQUIRE(q < lim && *q == '=', PG_ERR_INPUT, "%s:%d: expected attribute=\"value\" in <%s>", p->path,
                   p->line, e->tag);
        q++;
        while (q < lim && isspace((unsigned char)*q)) q++;
        PG_REQUIRE(q < lim && (*q == '"' || *q == '\''), PG_ERR_INPUT,
                   "%s:%d: expected a quoted attribute value in <%s>", p->path, p->line, e->tag);
        const char quote = *q++;
        const char *v0 = q;
        while (q < lim && *q != quote) q++;
        PG_REQUIRE(q < lim, PG_ERR_INPUT, "%s:%d: expected a closing quote in <%s>", p->path, p->line, e->tag);
        if (k1 - k0 == 4 && !memcmp(k0, "name", 4)) copy_attr(e->name, sizeof e->name, v0, q);
        else if (k1 - k0 == 7 && !memcmp(k0, "comment", 7)) copy_attr(e->comment, sizeof e->comment, v0, q);
        q++;
    }
    e->line = p->line;
    e->path_len = p->xlen;
    int w = snprintf(p->xpath + p->xlen, MAX_PATH - p->xlen, "/%s%s%s", e->tag, e->name[0] ? ":" : "", e->name);
    PG_REQUIRE(w > 0 && (size_t)w < MAX_PATH - p->xlen, PG_ERR_INPUT, "%s:%d: element path too long", p->path,
               p->line);
    p->xlen += (size_t)w;
    p->depth++;
    e->text = close + 1;
    PG_CHECK(start_element(p, e));
    if (self_closing) {
        PG_CHECK(end_element(p, e, e->text));
        p->depth--;
        p->xlen = e->path_len;
        p->xpath[p->xlen] = '\0';
    }
    return PG_OK;
}

static pg_status_t close_tag(parser_t *p, const char *close)
{
    const char *q = p->s + 2;
    const char *t1 = close;
    while (t1 > q && isspace((unsigned char)t1[-1])) t1--;
    char tag[32];
    copy_attr(tag, sizeof tag, q, t1);
    PG_REQUIRE(p->depth > 0, PG_ERR_INPUT, "%s:%d: expected no more elements, found </%s>", p->path, p->line, tag);
    elem_t *e = &p->st[p->depth - 1];
    PG_REQUIRE(!strcmp(tag, e->tag), PG_ERR_INPUT, "%s:%d: expected </%s> (opened at line %d), found </%s>",
               p->path, p->line, e->tag, e->line, tag);
    PG_CHECK(end_element(p, e, p->s));
    p->depth--;
    p->xlen = e->path_len;
    p->xpath[p->xlen] = '\0';
    return PG_OK;
}

static pg_status_t scan(parser_t *p)
{
    while (p->s < p->end) {
        const char *lt = memchr(p->s, '<', (size_t)(p->end - p->s));
        if (!lt) {
            advance(p, p->end);
            break;
        }
        advance(p, lt);
        const char *rest = p->s;
        if (p->end - rest >= 4 && !memcmp(rest, "<!--", 4)) {
            const char *c = find(rest + 4, p->end, "-->");
            PG_REQUIRE(c, PG_ERR_INPUT, "%s:%d: comment not closed (truncated file?)", p->path, p->line);
            advance(p, c + 3);
            continue;
        }
        const char *gt = memchr(rest, '>', (size_t)(p->end - rest));
        if (!gt) break; /* cut inside a tag: reported as truncation below */
        if (rest[1] == '?' || rest[1] == '!') {
            advance(p, gt + 1);
            continue;
        }
        if (rest[1] == '/') PG_CHECK(close_tag(p, gt));
        else PG_CHECK(open_tag(p, gt));
        advance(p, gt + 1);
    }
    if (p->depth > 0) {
        const int last = p->line - (p->end[-1] == '\n'); /* the last line that has text */
        char open[256] = "";
        size_t k = 0;
        for (int d = 0; d < p->depth && k + 40 < sizeof open; d++)
            k += (size_t)snprintf(open + k, sizeof open - k, "%s<%s> (line %d)", d ? ", " : "", p->st[d].tag,
                                  p->st[d].line);
        return PG_ERR(PG_ERR_INPUT,
                      "%s:%d: truncated vasprun.xml: the file ends with %d element%s still open: %s "
                      "(VASP killed, disk full or still running?)",
                      p->path, last, p->depth, p->depth == 1 ? "" : "s", open);
    }
    PG_REQUIRE(p->complete, PG_ERR_INPUT, "%s:%d: expected a <modeling> document (vasprun.xml), found none",
               p->path, p->line);
    return PG_OK;
}

/* ---- band edges ------------------------------------------------------------------------- */

pg_status_t pg_vasprun_band_edges(int n_spin, int n_kpt, int n_band, const double *eig,
                                  const double *occ, double threshold, double *vbm, double *cbm,
                                  double *gap, int *metal)
{
    double hi = -INFINITY, lo = INFINITY;
    int crossing = 0;
    for (int s = 0; s < n_spin; s++)
        for (int n = 0; n < n_band; n++) {
            int any_occ = 0, any_empty = 0;
            for (int k = 0; k < n_kpt; k++) {
                const int64_t i = ((int64_t)s * n_kpt + k) * n_band + n;
                if (occ[i] >= threshold) {
                    any_occ = 1;
                    if (eig[i] > hi) hi = eig[i];
                } else {
                    any_empty = 1;
                    if (eig[i] < lo) lo = eig[i];
                }
            }
            if (any_occ && any_empty) crossing = 1;
        }
    PG_REQUIRE(isfinite(hi), PG_ERR_INPUT, "no occupied state among %d eigenvalues (occupation >= %g)",
               n_spin * n_kpt * n_band, threshold);
    *vbm = hi;
    *cbm = isfinite(lo) ? lo : NAN;
    *metal = crossing || (isfinite(lo) && lo <= hi);
    *gap = *metal ? 0.0 : isfinite(lo) ? lo - hi : NAN;
    return PG_OK;
}

/* ---- entry points ----------------------------------------------------------------------- */

pg_status_t pg_vasprun_parse(const char *path, const char *text, size_t n, pg_vasprun_t *v)
{
    pg_status_t st = PG_OK;
    parser_t *p = NULL;
    memset(v, 0, sizeof *v);
    v->nelm = 60;
    v->ediff = 1e-4;
    v->ispin = 1;
    v->ibrion = -1;
    v->efermi = NAN;
    v->energy_sigma0_ev = NAN;
    v->last_de_ev = NAN;
    PG_TRY_CALLOC(p, 1, "vasprun parser");
    p->path = path ? path : "<vasprun.xml>";
    p->s = text;
    p->end = text + n;
    p->line = 1;
    p->v = v;
    PG_TRY(scan(p));
    /* completeness of what the labels need */
    PG_TRY_REQUIRE(p->have_atoms && p->n_rc == v->n_atom, PG_ERR_INPUT,
                   "%s: expected %lld atoms in atominfo/array[atoms], found %d", p->path, (long long)v->n_atom,
                   p->n_rc);
    PG_TRY_REQUIRE(p->n_basis0 == 3 && p->n_pos0 == v->n_atom, PG_ERR_INPUT,
                   "%s: expected structure \"initialpos\" with 3 lattice vectors and %lld positions, found %d "
                   "and %d", p->path, (long long)v->n_atom, p->n_basis0, p->n_pos0);
    PG_TRY_REQUIRE(v->n_calc > 0, PG_ERR_INPUT, "%s:%d: expected at least one <calculation> (ionic step), found none",
                   p->path, p->line);
    PG_TRY_REQUIRE(v->has_energy, PG_ERR_INPUT, "%s: expected calculation/energy/i[e_fr_energy] in the last "
                   "ionic step (%d), found none", p->path, v->n_calc);
    PG_TRY_REQUIRE(p->n_basis == 3 && p->n_pos == v->n_atom, PG_ERR_INPUT,
                   "%s: expected the last ionic step's structure with 3 lattice vectors and %lld positions, "
                   "found %d and %d", p->path, (long long)v->n_atom, p->n_basis, p->n_pos);
    if (p->n_eig > 0) {
        PG_TRY_REQUIRE(p->n_eig == (int64_t)v->n_spin * v->n_kpt * v->n_band, PG_ERR_INPUT,
                       "%s: expected %d x %d x %d eigenvalues, found %lld", p->path, v->n_spin, v->n_kpt,
                       v->n_band, (long long)p->n_eig);
    } else {
        free(v->eig);
        free(v->occ);
        v->eig = v->occ = NULL;
        v->n_spin = v->n_kpt = v->n_band = 0;
    }
    if (p->sc_have_efr && p->sc_have_e0) v->energy_sigma0_ev = v->energy_free_ev + (p->sc_e0_last - p->sc_efr_last);
    if (p->sc_have_efr >= 2) v->last_de_ev = fabs(p->sc_efr_last - p->sc_efr_prev);
    /* electronic convergence of the last ionic step */
    v->converged = 1;
    if (v->n_scstep == 0) {
        v->converged = 0;
        snprintf(v->why, sizeof v->why, "no electronic steps (scstep) recorded in the last ionic step");
    } else if (v->n_scstep >= v->nelm) {
        v->converged = 0;
        snprintf(v->why, sizeof v->why,
                 "electronic SCF not converged: %d steps = NELM %d (VASP stopped at its limit)", v->n_scstep,
                 v->nelm);
    } else if (isfinite(v->last_de_ev) && v->last_de_ev > v->ediff + 1e-8) {
        v->converged = 0;
        snprintf(v->why, sizeof v->why,
                 "electronic SCF not converged: last energy change %.3g eV > EDIFF %.3g eV after %d steps",
                 v->last_de_ev, v->ediff, v->n_scstep);
    }
cleanup:
    free(p);
    if (st != PG_OK) pg_vasprun_free(v);
    return st;
}

pg_status_t pg_vasprun_read(const char *path, pg_vasprun_t *v)
{
    char *text = NULL;
    size_t n = 0;
    memset(v, 0, sizeof *v);
    PG_CHECK(pg_par_read_file(MPI_COMM_SELF, path, &text, &n));
    pg_status_t st = pg_vasprun_parse(path, text, n, v);
    free(text);
    if (st != PG_OK) pg_err_frame(__FILE__, __LINE__, __func__);
    return st;
}
