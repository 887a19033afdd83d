/* deck.c - the input deck: parse `key = value` lines in [sections] against the key tables
 * listed in deck_keys.c, validate, fill defaults, echo, fingerprint, print the reference.
 *
 * Parsing never stops at the first problem: every error of the deck is formatted compiler
 * style (file:line:col, the line, a caret under the offending token) into one report, and
 * the report becomes the single PG_ERR_INPUT message (capped to what the error record holds).
 */
#include "phonograph/pg_deck.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "phonograph/pg_par.h"

/* one resolved key */
typedef struct {
    const pg_deck_key_t *key;
    int set;             /* given in the deck */
    int valid;           /* holds a value (given and parsed, or defaulted) */
    int line, col, len;  /* value position in the deck (1-based line, 0-based byte col) */
    char *where;         /* "file:line" or "file" */
    char *canon;         /* canonical value text ("" when unset) */
    char *word;          /* STRING/CHOICE/PATH value, or a list's standalone word */
    int64_t i;           /* INT */
    double r;            /* REAL */
    int b;               /* BOOL */
    int n;               /* list length */
    int64_t *ints;       /* [n] INTS */
    double *reals;       /* [n] REALS */
    char **words;        /* [n] WORDS (each malloc'ed) */
} entry_t;

struct pg_deck {
    char *path;
    char *text;
    char *dir;          /* absolute directory of the deck, for PATH values */
    int n;              /* number of keys over all tables */
    entry_t *e;         /* [n] in table order */
    int n_sec;
    const char **sec;   /* [n_sec] distinct section names in table order */
    int *sec_line;      /* [n_sec] line of the first [sec] header, 0 if absent */
    int *sec_col;       /* [n_sec] its byte column */
    int n_lines;
    const char **line;  /* [n_lines] start of each line in text */
    int *line_len;      /* [n_lines] length without the newline (and without a '\r') */
};

/* ------------------------------------------------------------------------------------ */
/* small string helpers                                                                  */

static char *xstrndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* growable string */
typedef struct {
    char *s;
    size_t len, cap;
    int oom;
} sbuf_t;

static void sb_vadd(sbuf_t *b, const char *fmt, va_list ap)
{
    if (b->oom) return;
    va_list aq;
    va_copy(aq, ap);
    int k = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (k < 0) return;
    if (b->len + (size_t)k + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + (size_t)k + 1) cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    b->len += (size_t)k;
}

__attribute__((format(printf, 2, 3))) static void sb_add(sbuf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vadd(b, fmt, ap);
    va_end(ap);
}

static int is_blank(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
    return *a == *b;
}

static int ieqn(const char *a, size_t n, const char *b)
{
    return strlen(b) == n && strncasecmp(a, b, n) == 0;
}

/* optimal string alignment distance (Damerau-Levenshtein without repeated edits),
 * case-insensitive; enough to catch a typo, a missing letter or swapped letters */
static int edit_distance(const char *a, const char *b)
{
    int la = (int)strlen(a), lb = (int)strlen(b);
    if (la > 63 || lb > 63) return 99;
    int d[64][64];
    for (int i = 0; i <= la; i++) d[i][0] = i;
    for (int j = 0; j <= lb; j++) d[0][j] = j;
    for (int i = 1; i <= la; i++)
        for (int j = 1; j <= lb; j++) {
            int cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v) v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1]) &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[la][lb];
}

/* how far a typo may be from the intended name and still be suggested */
static int typo_limit(const char *name)
{
    size_t n = strlen(name);
    return n <= 4 ? 1 : n <= 8 ? 2 : 3;
}

/* shortest %g text that reads back as the same double */
static void fmt_real(char *buf, size_t cap, double v)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, cap, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) return;
    }
}

static const char *type_name(pg_deck_type_t t)
{
    switch (t) {
    case PG_DECK_INT: return "integer";
    case PG_DECK_REAL: return "real";
    case PG_DECK_BOOL: return "bool";
    case PG_DECK_STRING: return "string";
    case PG_DECK_CHOICE: return "choice";
    case PG_DECK_PATH: return "path";
    case PG_DECK_INTS: return "integers";
    case PG_DECK_REALS: return "reals";
    case PG_DECK_WORDS: return "words";
    }
    return "?";
}

static int is_list(pg_deck_type_t t)
{
    return t == PG_DECK_INTS || t == PG_DECK_REALS || t == PG_DECK_WORDS;
}

/* For list types, `choices` holds allowed lengths (digits) and standalone words. */
static int choice_lengths(const pg_deck_key_t *k, int *len, int cap)
{
    int n = 0;
    if (!k->choices || !is_list(k->type)) return 0;
    const char *p = k->choices;
    while (*p) {
        const char *q = strchr(p, '|');
        size_t m = q ? (size_t)(q - p) : strlen(p);
        if (m > 0 && isdigit((unsigned char)p[0]) && n < cap) len[n++] = atoi(p);
        p += m + (q ? 1 : 0);
    }
    return n;
}

/* Is word (n bytes) one of the '|'-separated non-numeric alternatives in choices?
 * Returns the alternative's start (and its length in *m) or NULL. */
static const char *choice_match(const char *choices, const char *word, size_t n, size_t *m)
{
    if (!choices) return NULL;
    const char *p = choices;
    while (*p) {
        const char *q = strchr(p, '|');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        if (len > 0 && !isdigit((unsigned char)p[0]) && len == n && strncasecmp(p, word, n) == 0) {
            *m = len;
            return p;
        }
        p += len + (q ? 1 : 0);
    }
    return NULL;
}

static int has_choice_words(const char *choices)
{
    if (!choices) return 0;
    const char *p = choices;
    while (*p) {
        if (!isdigit((unsigned char)*p) && *p != '|') return 1;
        const char *q = strchr(p, '|');
        if (!q) break;
        p = q + 1;
    }
    return 0;
}

/* nearest alternative of choices to word, or NULL */
static const char *choice_nearest(const char *choices, const char *word, char *buf, size_t cap)
{
    const char *best = NULL;
    int best_d = 1 << 20;
    const char *p = choices;
    while (p && *p) {
        const char *q = strchr(p, '|');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        if (len < cap && !isdigit((unsigned char)p[0])) {
            char alt[64];
            snprintf(alt, sizeof alt, "%.*s", (int)len, p);
            int dd = edit_distance(word, alt);
            if (dd < best_d) {
                best_d = dd;
                snprintf(buf, cap, "%s", alt);
                best = buf;
            }
        }
        p += len + (q ? 1 : 0);
    }
    if (best && best_d <= typo_limit(buf)) return best;
    return NULL;
}

/* "a|b|c" -> "a, b or c" */
static void choices_pretty(const char *choices, char *buf, size_t cap)
{
    buf[0] = '\0';
    size_t used = 0;
    int n = 0, total = 0;
    for (const char *p = choices; p && *p; p++) total += *p == '|';
    total++;
    const char *p = choices;
    while (p && *p) {
        const char *q = strchr(p, '|');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        const char *sep = n == 0 ? "" : n == total - 1 ? " or " : ", ";
        int k = snprintf(buf + used, cap > used ? cap - used : 0, "%s%.*s", sep, (int)len, p);
        if (k > 0) used += (size_t)k;
        if (used >= cap) break;
        n++;
        p += len + (q ? 1 : 0);
    }
}

/* The word alternatives of choices ("1|2|auto|none" -> "auto, none" style via choices_pretty):
 * numbers dropped, then prettified into buf[cap]. */
static void choice_words_pretty(const char *choices, char *buf, size_t cap)
{
    char only[256] = "";
    size_t used = 0;
    const char *p = choices;
    while (p && *p) {
        const char *q = strchr(p, '|');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        if (len && !isdigit((unsigned char)*p)) {
            int w = snprintf(only + used, sizeof only - used, "%s%.*s", used ? "|" : "", (int)len, p);
            if (w > 0 && (size_t)w < sizeof only - used) used += (size_t)w;
        }
        p += len + (q ? 1 : 0);
    }
    choices_pretty(only, buf, cap);
}

/* ------------------------------------------------------------------------------------ */
/* the error report                                                                      */

/* The error record holds ~2 KB; beyond this the report says how many errors it dropped. */
#define REPORT_CAP 1400

struct pg_deck_report {
    const pg_deck_t *d;
    sbuf_t buf;
    int n_err, n_dropped;
};

/* number of UTF-8 code points in s[0..n) */
static int n_codepoints(const char *s, int n)
{
    int c = 0;
    for (int k = 0; k < n; k++)
        if (((unsigned char)s[k] & 0xC0) != 0x80) c++;
    return c;
}

/* One compiler-style error. line = 0: file level. col/len in bytes within the line. */
__attribute__((format(printf, 5, 6))) static void report_at(pg_deck_report_t *r, int line,
                                                            int col, int len, const char *fmt,
                                                            ...)
{
    r->n_err++;
    if (r->buf.len > REPORT_CAP) {
        r->n_dropped++;
        return;
    }
    const pg_deck_t *d = r->d;
    if (line > 0 && line <= d->n_lines) {
        const char *s = d->line[line - 1];
        int n = d->line_len[line - 1];
        if (col > n) col = n;
        if (len < 1) len = 1;
        if (col + len > n) len = n - col > 0 ? n - col : 1;
        sb_add(&r->buf, "%s:%d:%d: error: ", d->path, line, n_codepoints(s, col) + 1);
        va_list ap;
        va_start(ap, fmt);
        sb_vadd(&r->buf, fmt, ap);
        va_end(ap);
        sb_add(&r->buf, "\n%5d | %.*s\n      | ", line, n, s);
        for (int k = 0; k < col; k++)
            if (s[k] == '\t') sb_add(&r->buf, "\t");
            else if (((unsigned char)s[k] & 0xC0) != 0x80) sb_add(&r->buf, " ");
        sb_add(&r->buf, "^");
        int w = col < n ? n_codepoints(s + col, len) : 1;
        for (int k = 1; k < w; k++) sb_add(&r->buf, "~");
        sb_add(&r->buf, "\n");
    } else {
        sb_add(&r->buf, "%s: error: ", d->path);
        va_list ap;
        va_start(ap, fmt);
        sb_vadd(&r->buf, fmt, ap);
        va_end(ap);
        sb_add(&r->buf, "\n");
    }
}

/* ------------------------------------------------------------------------------------ */
/* table lookup                                                                          */

static entry_t *find_entry(const pg_deck_t *d, const char *sec, const char *key)
{
    for (int k = 0; k < d->n; k++)
        if (ieq(d->e[k].key->section, sec) && ieq(d->e[k].key->name, key)) return &d->e[k];
    return NULL;
}

static int find_section(const pg_deck_t *d, const char *sec)
{
    for (int s = 0; s < d->n_sec; s++)
        if (ieq(d->sec[s], sec)) return s;
    return -1;
}

static int section_has_required(const pg_deck_t *d, const char *sec)
{
    for (int k = 0; k < d->n; k++)
        if (ieq(d->e[k].key->section, sec) && d->e[k].key->def == NULL) return 1;
    return 0;
}

/* ------------------------------------------------------------------------------------ */
/* values                                                                                */

/* the result of parsing one value: error text and where in the value it points */
typedef struct {
    char msg[400];
    int off, len; /* offset/length within the value text */
} verr_t;

__attribute__((format(printf, 4, 5))) static int verr(verr_t *e, int off, int len,
                                                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    e->off = off;
    e->len = len;
    return -1;
}

typedef struct {
    int off, len;
} tok_t;

/* split on blanks (and commas when `commas`) */
static int tokenize(const char *v, int n, int commas, tok_t *tok, int cap)
{
    int nt = 0, k = 0;
    while (k < n) {
        while (k < n && (is_blank(v[k]) || (commas && v[k] == ','))) k++;
        if (k >= n) break;
        int s = k;
        while (k < n && !is_blank(v[k]) && !(commas && v[k] == ',')) k++;
        if (nt < cap) tok[nt] = (tok_t){s, k - s};
        nt++;
    }
    return nt;
}

/* unit words accepted after a number: the key's own unit, a few ASCII spellings of Å, and
 * min/h for keys in seconds; *scale converts to the key's unit */
static int unit_accepts(const char *unit, const char *t, int n, double *scale)
{
    *scale = 1.0;
    if (!unit) return 0;
    if (ieqn(t, (size_t)n, unit)) return 1;
    if (strcmp(unit, "Å") == 0 && (ieqn(t, (size_t)n, "A") || ieqn(t, (size_t)n, "Ang") ||
                                   ieqn(t, (size_t)n, "Angstrom")))
        return 1;
    if (strcmp(unit, "s") == 0) {
        if (ieqn(t, (size_t)n, "sec")) return 1;
        if (ieqn(t, (size_t)n, "min")) return *scale = 60.0, 1;
        if (ieqn(t, (size_t)n, "h")) return *scale = 3600.0, 1;
    }
    return 0;
}

static const char *in_unit(const pg_deck_key_t *k, char *buf, size_t cap)
{
    if (k->unit) snprintf(buf, cap, " in %s", k->unit);
    else buf[0] = '\0';
    return buf;
}

static int range_ok(const pg_deck_key_t *k, double v)
{
    return k->min > k->max || (v >= k->min && v <= k->max);
}

static void range_text(const pg_deck_key_t *k, char *buf, size_t cap)
{
    char a[40], b[40];
    fmt_real(a, sizeof a, k->min);
    fmt_real(b, sizeof b, k->max);
    if (k->max >= 1e300) snprintf(buf, cap, ">= %s", a);
    else if (k->min <= -1e300) snprintf(buf, cap, "<= %s", b);
    else snprintf(buf, cap, "between %s and %s", a, b);
}

/* parse one number token; *is_int selects strtoll */
static int parse_number(const pg_deck_key_t *k, const char *v, tok_t t, int want_int,
                        double scale, int64_t *iv, double *rv, verr_t *e)
{
    char tmp[80], u[40];
    if (t.len >= (int)sizeof tmp)
        return verr(e, t.off, t.len, "%s expects %s%s, found a %d-character token", k->name,
                    want_int ? "an integer" : "a number", in_unit(k, u, sizeof u), t.len);
    memcpy(tmp, v + t.off, (size_t)t.len);
    tmp[t.len] = '\0';
    char *end = NULL;
    errno = 0;
    if (want_int) {
        long long x = strtoll(tmp, &end, 10);
        if (end == tmp || *end != '\0')
            return verr(e, t.off, t.len, "%s expects an integer%s, found \"%s\"", k->name,
                        in_unit(k, u, sizeof u), tmp);
        if (errno == ERANGE || (scale != 1.0 && fabs((double)x * scale) > 9e18))
            return verr(e, t.off, t.len, "%s: integer \"%s\" is out of range", k->name, tmp);
        x = (long long)llround((double)x * scale);
        if (!range_ok(k, (double)x)) {
            char rt[100];
            range_text(k, rt, sizeof rt);
            return verr(e, t.off, t.len, "%s must be %s%s, found %s", k->name, rt,
                        k->unit ? (snprintf(u, sizeof u, " %s", k->unit), u) : "", tmp);
        }
        *iv = x;
    } else {
        double x = strtod(tmp, &end);
        if (end != tmp && *end == '/' && end[1] && !is_blank(end[1])) {
            /* a fraction p/q (phonopy writes primitive axes as 1/2) */
            char *end2 = NULL;
            double q = strtod(end + 1, &end2);
            if (end2 != end + 1 && *end2 == '\0' && q != 0.0) x /= q, end = end2;
        }
        if (end == tmp || *end != '\0')
            return verr(e, t.off, t.len, "%s expects a number%s, found \"%s\"", k->name,
                        in_unit(k, u, sizeof u), tmp);
        x *= scale;
        if (!isfinite(x) || errno == ERANGE)
            return verr(e, t.off, t.len, "%s expects a finite number%s, found \"%s\"", k->name,
                        in_unit(k, u, sizeof u), tmp);
        if (!range_ok(k, x)) {
            char rt[100];
            range_text(k, rt, sizeof rt);
            return verr(e, t.off, t.len, "%s must be %s%s, found %s", k->name, rt,
                        k->unit ? (snprintf(u, sizeof u, " %s", k->unit), u) : "", tmp);
        }
        *rv = x;
    }
    return 0;
}

/* does the token look like the start of a number? (for telling units from bad numbers) */
static int looks_numeric(const char *s, int n)
{
    return n > 0 && (isdigit((unsigned char)s[0]) || s[0] == '-' || s[0] == '+' || s[0] == '.');
}

static void lexical_normalise(char *p)
{
    /* collapse "//", "/./" and "x/../" in an absolute path, in place */
    char *out = p;
    const char *in = p;
    char *seg_start[256];
    int depth = 0;
    int absolute = *in == '/';
    if (absolute) *out++ = '/', in++;
    while (*in) {
        while (*in == '/') in++;
        if (!*in) break;
        const char *s = in;
        while (*in && *in != '/') in++;
        size_t n = (size_t)(in - s);
        if (n == 1 && s[0] == '.') continue;
        if (n == 2 && s[0] == '.' && s[1] == '.' && depth > 0) {
            out = seg_start[--depth];
            continue;
        }
        if (depth < 256) seg_start[depth++] = out;
        if (out > p + absolute) *out++ = '/';
        memmove(out, s, n);
        out += n;
    }
    if (out == p) *out++ = absolute ? '/' : '.';
    *out = '\0';
    /* a segment start recorded after the first one includes its leading '/'; fix a trailing
     * slash left by popping */
    size_t len = strlen(p);
    if (len > 1 && p[len - 1] == '/') p[len - 1] = '\0';
}

static void free_value(entry_t *x)
{
    free(x->canon);
    free(x->word);
    free(x->ints);
    free(x->reals);
    if (x->words)
        for (int k = 0; k < x->n; k++) free(x->words[k]);
    free(x->words);
    x->canon = x->word = NULL;
    x->ints = NULL;
    x->reals = NULL;
    x->words = NULL;
    x->n = 0;
    x->valid = 0;
}

/* Parse value text v[0..n) (trimmed) into x. Returns 0, -1 with *e filled, or -2 for
 * out of memory. */
static int parse_value(const pg_deck_t *d, entry_t *x, const char *v, int n, verr_t *e)
{
    const pg_deck_key_t *k = x->key;
    char u[40];
    sbuf_t canon = {0};
    tok_t tok[256];
    int rc = 0;
    free_value(x);
    if (n == 0)
        return verr(e, 0, 1, "%s expects %s%s, found nothing (remove the line to use the default)",
                    k->name,
                    k->type == PG_DECK_INT    ? "an integer"
                    : k->type == PG_DECK_REAL ? "a number"
                    : k->type == PG_DECK_BOOL ? "true or false"
                                              : "a value",
                    in_unit(k, u, sizeof u));
    switch (k->type) {
    case PG_DECK_INT:
    case PG_DECK_REAL: {
        int nt = tokenize(v, n, 0, tok, 256);
        if (nt > 256) return verr(e, 0, n, "%s expects one number, found %d values", k->name, nt);
        double scale = 1.0;
        if (nt >= 2 && !looks_numeric(v + tok[nt - 1].off, tok[nt - 1].len)) {
            if (!unit_accepts(k->unit, v + tok[nt - 1].off, tok[nt - 1].len, &scale))
                return k->unit ? verr(e, tok[nt - 1].off, tok[nt - 1].len,
                                      "%s: unit \"%.*s\" not accepted (expected %s)", k->name,
                                      tok[nt - 1].len, v + tok[nt - 1].off, k->unit)
                               : verr(e, tok[1].off, n - tok[1].off,
                                      "%s expects one number, found extra text \"%.*s\"",
                                      k->name, n - tok[1].off, v + tok[1].off);
            nt--;
        }
        if (nt > 1)
            return verr(e, tok[1].off, tok[nt - 1].off + tok[nt - 1].len - tok[1].off,
                        "%s expects one %s%s, found %d values", k->name,
                        k->type == PG_DECK_INT ? "integer" : "number", in_unit(k, u, sizeof u), nt);
        if (parse_number(k, v, tok[0], k->type == PG_DECK_INT, scale, &x->i, &x->r, e)) return -1;
        char b[40];
        if (k->type == PG_DECK_INT) snprintf(b, sizeof b, "%lld", (long long)x->i);
        else fmt_real(b, sizeof b, x->r);
        sb_add(&canon, "%s", b);
        break;
    }
    case PG_DECK_BOOL: {
        static const char *const yes[] = {"true", "yes", "on", "1"}, *const no[] = {"false", "no", "off", "0"};
        int val = -1;
        for (int j = 0; j < 4; j++) {
            if (ieqn(v, (size_t)n, yes[j])) val = 1;
            if (ieqn(v, (size_t)n, no[j])) val = 0;
        }
        if (val < 0)
            return verr(e, 0, n, "%s expects true or false (yes/no, on/off, 1/0), found \"%.*s\"",
                        k->name, n, v);
        x->b = val;
        sb_add(&canon, "%s", val ? "true" : "false");
        break;
    }
    case PG_DECK_CHOICE: {
        size_t m = 0;
        const char *c = choice_match(k->choices, v, (size_t)n, &m);
        if (!c) {
            char pretty[300], near[64], word[64];
            choices_pretty(k->choices, pretty, sizeof pretty);
            snprintf(word, sizeof word, "%.*s", n, v);
            const char *sug = choice_nearest(k->choices, word, near, sizeof near);
            if (sug)
                return verr(e, 0, n, "%s expects %s, found \"%.*s\" (did you mean %s?)", k->name,
                            pretty, n, v, sug);
            return verr(e, 0, n, "%s expects %s, found \"%.*s\"", k->name, pretty, n, v);
        }
        x->word = xstrndup(c, m);
        if (!x->word) return -2;
        sb_add(&canon, "%s", x->word);
        break;
    }
    case PG_DECK_STRING:
        x->word = xstrndup(v, (size_t)n);
        if (!x->word) return -2;
        sb_add(&canon, "%s", x->word);
        break;
    case PG_DECK_PATH: {
        sbuf_t p = {0};
        if (v[0] == '/') sb_add(&p, "%.*s", n, v);
        else sb_add(&p, "%s/%.*s", d->dir, n, v);
        if (p.oom) {
            free(p.s);
            return -2;
        }
        lexical_normalise(p.s);
        x->word = p.s;
        sb_add(&canon, "%s", x->word);
        break;
    }
    case PG_DECK_INTS:
    case PG_DECK_REALS:
    case PG_DECK_WORDS: {
        int commas = k->type != PG_DECK_WORDS;
        int nt = tokenize(v, n, commas, tok, 256);
        if (nt > 256) return verr(e, 0, n, "%s: more than 256 values", k->name);
        size_t m = 0;
        const char *c;
        if (nt == 1 && k->type != PG_DECK_WORDS &&
            (c = choice_match(k->choices, v + tok[0].off, (size_t)tok[0].len, &m))) {
            x->word = xstrndup(c, m);
            if (!x->word) return -2;
            sb_add(&canon, "%s", x->word);
            break;
        }
        double scale = 1.0;
        if (k->type != PG_DECK_WORDS && nt >= 2 &&
            !looks_numeric(v + tok[nt - 1].off, tok[nt - 1].len) &&
            unit_accepts(k->unit, v + tok[nt - 1].off, tok[nt - 1].len, &scale))
            nt--;
        int lens[16];
        int n_lens = choice_lengths(k, lens, 16);
        int ok_len = 1;
        char want[120];
        const char *what = k->type == PG_DECK_INTS    ? "integers"
                           : k->type == PG_DECK_REALS ? "numbers"
                                                      : "words";
        if (n_lens > 0) {
            ok_len = 0;
            size_t used = 0;
            for (int j = 0; j < n_lens; j++) {
                if (nt == lens[j]) ok_len = 1;
                int w = snprintf(want + used, sizeof want - used, "%s%d",
                                 j == 0 ? "" : j == n_lens - 1 ? " or " : ", ", lens[j]);
                if (w > 0 && (size_t)w < sizeof want - used) used += (size_t)w;
            }
        } else {
            if (nt < k->n_min || (k->n_max > 0 && nt > k->n_max)) ok_len = 0;
            if (k->n_max > 0 && k->n_min == k->n_max) snprintf(want, sizeof want, "%d", k->n_min);
            else if (k->n_max > 0) snprintf(want, sizeof want, "%d to %d", k->n_min, k->n_max);
            else snprintf(want, sizeof want, "at least %d", k->n_min);
        }
        if (!ok_len) {
            char alt[200] = "";
            if (k->type != PG_DECK_WORDS && has_choice_words(k->choices)) {
                char pretty[160];
                choice_words_pretty(k->choices, pretty, sizeof pretty); /* only the words */
                snprintf(alt, sizeof alt, " or %s", pretty);
            }
            return verr(e, 0, n, "%s expects %s %s%s%s, found %d", k->name, want, what,
                        in_unit(k, u, sizeof u), alt, nt);
        }
        x->n = nt;
        if (k->type == PG_DECK_INTS) x->ints = calloc((size_t)nt + 1, sizeof *x->ints);
        if (k->type == PG_DECK_REALS) x->reals = calloc((size_t)nt + 1, sizeof *x->reals);
        if (k->type == PG_DECK_WORDS) x->words = calloc((size_t)nt + 1, sizeof *x->words);
        if (!x->ints && !x->reals && !x->words) return -2;
        for (int j = 0; j < nt; j++) {
            const char *t = v + tok[j].off;
            if (k->type == PG_DECK_WORDS) {
                size_t mm = 0;
                if (k->choices && has_choice_words(k->choices) &&
                    !choice_match(k->choices, t, (size_t)tok[j].len, &mm)) {
                    char pretty[300];
                    choices_pretty(k->choices, pretty, sizeof pretty);
                    rc = verr(e, tok[j].off, tok[j].len, "%s: each word must be %s, found \"%.*s\"",
                              k->name, pretty, tok[j].len, t);
                    break;
                }
                x->words[j] = xstrndup(t, (size_t)tok[j].len);
                if (!x->words[j]) return -2;
                sb_add(&canon, "%s%s", j ? " " : "", x->words[j]);
            } else {
                int64_t iv = 0;
                double rv = 0;
                if (parse_number(k, v, tok[j], k->type == PG_DECK_INTS, scale, &iv, &rv, e)) {
                    rc = -1;
                    break;
                }
                char b[40];
                if (k->type == PG_DECK_INTS) {
                    x->ints[j] = iv;
                    snprintf(b, sizeof b, "%lld", (long long)iv);
                } else {
                    x->reals[j] = rv;
                    fmt_real(b, sizeof b, rv);
                }
                sb_add(&canon, "%s%s", j ? " " : "", b);
            }
        }
        break;
    }
    }
    if (rc) {
        free(canon.s);
        return rc;
    }
    if (canon.oom) {
        free(canon.s);
        return -2;
    }
    x->canon = canon.s ? canon.s : xstrndup("", 0);
    if (!x->canon) return -2;
    x->valid = 1;
    return 0;
}

/* ------------------------------------------------------------------------------------ */
/* parse                                                                                 */

void pg_deck_destroy(pg_deck_t **deck)
{
    if (!deck || !*deck) return;
    pg_deck_t *d = *deck;
    for (int k = 0; k < d->n; k++) {
        free_value(&d->e[k]);
        free(d->e[k].where);
    }
    free(d->e);
    free(d->sec);
    free(d->sec_line);
    free(d->sec_col);
    free(d->line);
    free(d->line_len);
    free(d->path);
    free(d->text);
    free(d->dir);
    free(d);
    *deck = NULL;
}

static pg_status_t make_dir(const char *path, char **out)
{
    sbuf_t b = {0};
    const char *slash = strrchr(path, '/');
    if (path[0] != '/') {
        char cwd[4096];
        if (!getcwd(cwd, sizeof cwd)) return PG_ERR(PG_ERR_IO, "getcwd failed: %s", strerror(errno));
        sb_add(&b, "%s/", cwd);
    }
    if (slash) sb_add(&b, "%.*s", (int)(slash - path), path);
    else sb_add(&b, ".");
    if (b.oom || !b.s) {
        free(b.s);
        return PG_ERR(PG_ERR_NOMEM, "deck directory");
    }
    if (b.s[0] == '\0') sb_add(&b, "/");
    lexical_normalise(b.s);
    *out = b.s;
    return PG_OK;
}

/* set up tables, entries and line index */
static pg_status_t deck_alloc(const char *path, const char *text, pg_deck_t **out)
{
    pg_status_t st = PG_OK;
    pg_deck_t *d = NULL;
    PG_TRY_CALLOC(d, 1, "deck");
    d->path = xstrndup(path, strlen(path));
    d->text = xstrndup(text, strlen(text));
    PG_TRY_REQUIRE(d->path && d->text, PG_ERR_NOMEM, "deck text");
    PG_TRY(make_dir(path, &d->dir));
    int n = 0;
    for (int t = 0; pg_deck_key_tables[t]; t++)
        for (const pg_deck_key_t *k = pg_deck_key_tables[t]; k->section; k++) n++;
    d->n = n;
    PG_TRY_CALLOC(d->e, n, "deck entries");
    PG_TRY_CALLOC(d->sec, n, "deck sections");
    PG_TRY_CALLOC(d->sec_line, n, "deck sections");
    PG_TRY_CALLOC(d->sec_col, n, "deck sections");
    int i = 0;
    d->n = 0; /* grows with the rows checked so far (duplicate detection) */
    for (int t = 0; pg_deck_key_tables[t]; t++)
        for (const pg_deck_key_t *k = pg_deck_key_tables[t]; k->section; k++) {
            PG_TRY_REQUIRE(k->name, PG_ERR_INTERNAL, "deck table row without a name in [%s]",
                           k->section);
            PG_TRY_REQUIRE(!find_entry(d, k->section, k->name), PG_ERR_INTERNAL,
                           "deck key [%s] %s is declared twice", k->section, k->name);
            d->e[i++].key = k;
            d->n = i;

            if (find_section(d, k->section) < 0) d->sec[d->n_sec++] = k->section;
        }
    d->n = n;
    /* line index */
    int n_lines = 1;
    for (const char *p = d->text; *p; p++) n_lines += *p == '\n';
    PG_TRY_CALLOC(d->line, n_lines, "deck lines");
    PG_TRY_CALLOC(d->line_len, n_lines, "deck lines");
    const char *p = d->text;
    for (int l = 0; l < n_lines; l++) {
        const char *q = strchr(p, '\n');
        int len = q ? (int)(q - p) : (int)strlen(p);
        d->line[l] = p;
        d->line_len[l] = len > 0 && p[len - 1] == '\r' ? len - 1 : len;
        p = q ? q + 1 : p + len;
    }
    d->n_lines = n_lines;
    *out = d;
    d = NULL;
cleanup:
    pg_deck_destroy(&d);
    return st;
}

/* Keys that existed once and were removed: the message says what replaced them (instead of
 * an edit-distance guess, which could point to a same-named key with another meaning). */
static const struct {
    const char *section, *key, *hint;
} retired_keys[] = {
    {"labeler", "force_constants",
     "was removed: whether force constants are computed with PRV-CAP-1 or read from phonopy's "
     "files is [phonons] fc_source = compute|file"},
    {NULL, NULL, NULL},
};

static void suggest_key(const pg_deck_t *d, int cur, const char *key, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (int k = 0; cur >= 0 && retired_keys[k].section; k++)
        if (ieq(retired_keys[k].section, d->sec[cur]) && ieq(retired_keys[k].key, key)) {
            snprintf(buf, cap, ": %s %s", key, retired_keys[k].hint);
            return;
        }
    /* the exact key in another section */
    for (int k = 0; k < d->n; k++)
        if (ieq(d->e[k].key->name, key) && (cur < 0 || !ieq(d->e[k].key->section, d->sec[cur]))) {
            snprintf(buf, cap, " (%s belongs in section [%s])", d->e[k].key->name,
                     d->e[k].key->section);
            return;
        }
    int best = -1, best_d = 1 << 20, best_here = -1, best_here_d = 1 << 20;
    for (int k = 0; k < d->n; k++) {
        int dd = edit_distance(key, d->e[k].key->name);
        if (dd < best_d) best_d = dd, best = k;
        if (cur >= 0 && ieq(d->e[k].key->section, d->sec[cur]) && dd < best_here_d)
            best_here_d = dd, best_here = k;
    }
    if (best_here >= 0 && best_here_d <= typo_limit(d->e[best_here].key->name) &&
        best_here_d <= best_d)
        snprintf(buf, cap, " (did you mean %s?)", d->e[best_here].key->name);
    else if (best >= 0 && best_d <= typo_limit(d->e[best].key->name))
        snprintf(buf, cap, " (did you mean %s in section [%s]?)", d->e[best].key->name,
                 d->e[best].key->section);
}

static void report_verr(pg_deck_report_t *r, int line, int vcol, const verr_t *e)
{
    report_at(r, line, vcol + e->off, e->len, "%s", e->msg);
}

pg_status_t pg_deck_parse(const char *path, const char *text, pg_deck_t **out)
{
    pg_status_t st = PG_OK;
    pg_deck_t *d = NULL;
    pg_deck_report_t rep = {0};
    *out = NULL;
    PG_TRY_REQUIRE(path && text, PG_ERR_INTERNAL, "pg_deck_parse: NULL argument");
    PG_TRY(deck_alloc(path, text, &d));
    rep.d = d;

    int cur = -1, skip = 0;
    for (int l = 0; l < d->n_lines; l++) {
        const char *s = d->line[l];
        int n = d->line_len[l];
        const char *hash = memchr(s, '#', (size_t)n);
        if (hash) n = (int)(hash - s);
        int a = 0;
        if (l == 0 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) a = 3; /* UTF-8 byte-order mark */
        while (a < n && is_blank(s[a])) a++;
        while (n > a && is_blank(s[n - 1])) n--;
        if (a >= n) continue;
        int line = l + 1;
        if (s[a] == '[') {
            if (s[n - 1] != ']') {
                report_at(&rep, line, a, n - a, "expected a section header like [structure]");
                cur = -1, skip = 1;
                continue;
            }
            int b = a + 1, c = n - 1;
            while (b < c && is_blank(s[b])) b++;
            while (c > b && is_blank(s[c - 1])) c--;
            char name[64];
            snprintf(name, sizeof name, "%.*s", c - b, s + b);
            int sec = c > b && c - b < 64 ? find_section(d, name) : -1;
            if (sec < 0) {
                char sug[120] = "";
                int best = -1, best_d = 1 << 20;
                for (int j = 0; j < d->n_sec; j++) {
                    int dd = edit_distance(name, d->sec[j]);
                    if (dd < best_d) best_d = dd, best = j;
                }
                if (best >= 0 && best_d <= typo_limit(d->sec[best]))
                    snprintf(sug, sizeof sug, " (did you mean [%s]?)", d->sec[best]);
                report_at(&rep, line, b, c > b ? c - b : 1, "unknown section [%s]%s", name, sug);
                cur = -1, skip = 1; /* its keys would only repeat the error */
                continue;
            }
            cur = sec, skip = 0;
            if (!d->sec_line[sec]) d->sec_line[sec] = line, d->sec_col[sec] = a;
            continue;
        }
        const char *eq = memchr(s + a, '=', (size_t)(n - a));
        if (!eq) {
            report_at(&rep, line, a, n - a, "expected `key = value`, found \"%.*s\"", n - a, s + a);
            continue;
        }
        int ke = (int)(eq - s);
        while (ke > a && is_blank(s[ke - 1])) ke--;
        int vb = (int)(eq - s) + 1;
        while (vb < n && is_blank(s[vb])) vb++;
        if (ke == a) {
            report_at(&rep, line, a, 1, "expected a key name before '='");
            continue;
        }
        int bad = 0;
        for (int j = a; j < ke; j++)
            if (is_blank(s[j])) bad = 1;
        char key[64];
        if (bad || ke - a >= 64) {
            report_at(&rep, line, a, ke - a, "expected one key name before '=', found \"%.*s\"",
                      ke - a, s + a);
            continue;
        }
        snprintf(key, sizeof key, "%.*s", ke - a, s + a);
        for (char *p = key; *p; p++) *p = (char)tolower((unsigned char)*p);
        if (skip) continue;
        if (cur < 0) {
            char sug[320];
            suggest_key(d, -1, key, sug, sizeof sug);
            report_at(&rep, line, a, ke - a, "key %s appears before any [section] header%s", key,
                      sug);
            continue;
        }
        entry_t *x = find_entry(d, d->sec[cur], key);
        if (!x) {
            char sug[320];
            suggest_key(d, cur, key, sug, sizeof sug);
            report_at(&rep, line, a, ke - a, "unknown key %s in [%s]%s", key, d->sec[cur], sug);
            continue;
        }
        if (x->set) {
            report_at(&rep, line, a, ke - a, "duplicate key %s in [%s] (first given on line %d)",
                      key, d->sec[cur], x->line);
            continue;
        }
        x->set = 1;
        x->line = line;
        x->col = vb;
        x->len = n - vb;
        verr_t e;
        int rc = parse_value(d, x, s + vb, n - vb, &e);
        if (rc == -2) PG_TRY_REQUIRE(0, PG_ERR_NOMEM, "deck value");
        if (rc) report_verr(&rep, line, vb, &e);
    }

    /* defaults, missing required keys (listed together per section), where-strings */
    for (int sec = 0; sec < d->n_sec; sec++) {
        sbuf_t missing = {0};
        int n_missing = 0;
        for (int k = 0; k < d->n; k++) {
            entry_t *x = &d->e[k];
            if (!ieq(x->key->section, d->sec[sec])) continue;
            sbuf_t w = {0};
            if (x->set) sb_add(&w, "%s:%d", d->path, x->line);
            else sb_add(&w, "%s", d->path);
            PG_TRY_REQUIRE(!w.oom, PG_ERR_NOMEM, "deck");
            x->where = w.s;
            if (x->set) continue;
            if (x->key->def == NULL) {
                if (d->sec_line[sec]) {
                    sb_add(&missing, "%s%s", n_missing ? ", " : "", x->key->name);
                    n_missing++;
                }
                continue;
            }
            if (x->key->def[0] == '\0') continue; /* optional, no default */
            verr_t e;
            int rc = parse_value(d, x, x->key->def, (int)strlen(x->key->def), &e);
            if (rc == -2) PG_TRY_REQUIRE(0, PG_ERR_NOMEM, "deck value");
            PG_TRY_REQUIRE(rc == 0, PG_ERR_INTERNAL, "default of [%s] %s does not parse: %s",
                           x->key->section, x->key->name, e.msg);
        }
        if (n_missing)
            report_at(&rep, d->sec_line[sec], d->sec_col[sec], (int)strlen(d->sec[sec]) + 2,
                      "[%s] is missing required key%s: %s", d->sec[sec], n_missing > 1 ? "s" : "",
                      missing.s ? missing.s : "?");
        free(missing.s);
    }

    /* cross-key checks of the modules */
    for (int c = 0; pg_deck_checks[c]; c++) pg_deck_checks[c](d, &rep);

    PG_TRY_REQUIRE(!rep.buf.oom, PG_ERR_NOMEM, "deck error report");
    if (rep.n_err) {
        if (rep.n_dropped)
            sb_add(&rep.buf, "(%d more error%s not shown)\n", rep.n_dropped,
                   rep.n_dropped > 1 ? "s" : "");
        if (rep.buf.len && rep.buf.s[rep.buf.len - 1] == '\n') rep.buf.s[--rep.buf.len] = '\0';
        st = PG_ERR(PG_ERR_INPUT, "invalid deck %s (%d error%s):\n%s", d->path, rep.n_err,
                    rep.n_err > 1 ? "s" : "", rep.buf.s);
        goto cleanup;
    }
    *out = d;
    d = NULL;
cleanup:
    free(rep.buf.s);
    pg_deck_destroy(&d);
    return st;
}

void pg_deck_report(pg_deck_report_t *r, const char *sec, const char *key, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    entry_t *x = find_entry(r->d, sec, key);
    if (x && x->set) report_at(r, x->line, x->col, x->len, "%s", msg);
    else report_at(r, 0, 0, 0, "[%s] %s (default %s): %s", sec, key,
                   x && x->canon ? x->canon : "unset", msg);
}

void pg_deck_report_item(pg_deck_report_t *r, const char *sec, const char *key, int item,
                         const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    entry_t *x = find_entry(r->d, sec, key);
    if (!x || !x->set) {
        pg_deck_report(r, sec, key, "%s", msg);
        return;
    }
    tok_t tok[256];
    const char *v = r->d->line[x->line - 1] + x->col;
    int nt = tokenize(v, x->len, x->key->type != PG_DECK_WORDS, tok, 256);
    if (item >= 0 && item < nt && item < 256)
        report_at(r, x->line, x->col + tok[item].off, tok[item].len, "%s", msg);
    else report_at(r, x->line, x->col, x->len, "%s", msg);
}

pg_status_t pg_deck_read(MPI_Comm comm, const char *path, pg_deck_t **out)
{
    char *text = NULL;
    size_t n = 0;
    *out = NULL;
    PG_CHECK(pg_par_read_file(comm, path, &text, &n));
    pg_status_t st = PG_OK;
    if (strlen(text) != n)
        st = PG_ERR(PG_ERR_INPUT, "%s: deck contains a NUL byte (not a text file?)", path);
    /* rank 0 parses first so a bad deck is reported once, not once per rank; the others
     * parse the same bytes afterwards (deterministic, so they succeed too) */
    if (st == PG_OK && pg_par_rank(comm) == 0) st = pg_deck_parse(path, text, out);
    pg_status_t st2 = pg_par_agree(comm, &st);
    if (st2 == PG_OK && st == PG_OK && pg_par_rank(comm) != 0) st = pg_deck_parse(path, text, out);
    free(text);
    if (st2 != PG_OK) {
        pg_deck_destroy(out);
        return st2;
    }
    st2 = pg_par_agree(comm, &st);
    if (st != PG_OK || st2 != PG_OK) pg_deck_destroy(out);
    if (st2 != PG_OK) return st2;
    if (st != PG_OK) pg_err_frame(__FILE__, __LINE__, __func__);
    return st;
}

/* ------------------------------------------------------------------------------------ */
/* getters                                                                               */

static pg_status_t get_entry(const pg_deck_t *d, const char *sec, const char *key, int ok_types,
                             const entry_t **out)
{
    const entry_t *x = find_entry(d, sec, key);
    PG_REQUIRE(x, PG_ERR_INTERNAL, "deck key [%s] %s is not declared in any key table", sec, key);
    PG_REQUIRE(ok_types & (1 << x->key->type), PG_ERR_INTERNAL,
               "deck key [%s] %s is of type %s, read with the wrong getter", sec, key,
               type_name(x->key->type));
    if (!x->valid) {
        if (x->key->def == NULL)
            return PG_ERR(PG_ERR_INPUT, "%s: key %s is required (the deck has no [%s] section)",
                          d->path, x->key->name, x->key->section);
        return PG_ERR(PG_ERR_INPUT, "%s: [%s] %s is not set (it has no default)", d->path,
                      x->key->section, x->key->name);
    }
    *out = x;
    return PG_OK;
}

#define T(t) (1 << (t))

pg_status_t pg_deck_get_int(const pg_deck_t *d, const char *sec, const char *key, int64_t *v)
{
    const entry_t *x;
    PG_CHECK(get_entry(d, sec, key, T(PG_DECK_INT), &x));
    *v = x->i;
    return PG_OK;
}

pg_status_t pg_deck_get_real(const pg_deck_t *d, const char *sec, const char *key, double *v)
{
    const entry_t *x;
    PG_CHECK(get_entry(d, sec, key, T(PG_DECK_REAL), &x));
    *v = x->r;
    return PG_OK;
}

pg_status_t pg_deck_get_bool(const pg_deck_t *d, const char *sec, const char *key, int *v)
{
    const entry_t *x;
    PG_CHECK(get_entry(d, sec, key, T(PG_DECK_BOOL), &x));
    *v = x->b;
    return PG_OK;
}

pg_status_t pg_deck_get_string(const pg_deck_t *d, const char *sec, const char *key,
                               const char **v)
{
    const entry_t *x;
    PG_CHECK(get_entry(d, sec, key, ~0, &x));
    *v = x->word ? x->word : x->canon;
    return PG_OK;
}

pg_status_t pg_deck_get_ints(const pg_deck_t *d, const char *sec, const char *key,
                             const int64_t **v, int *n)
{
    const entry_t *x;
    PG_CHECK(get_entry(d, sec, key, T(PG_DECK_INTS), &x));
    *v = x->ints;
    *n = x->ints ? x->n : 0;
    return PG_OK;
}

pg_status_t pg_deck_get_reals(const pg_deck_t *d, const char *sec, const char *key,
                              const double **v, int *n)
{
    const entry_t *x;
    PG_CHECK(get_entry(d, sec, key, T(PG_DECK_REALS), &x));
    *v = x->reals;
    *n = x->reals ? x->n : 0;
    return PG_OK;
}

pg_status_t pg_deck_get_words(const pg_deck_t *d, const char *sec, const char *key,
                              const char *const **v, int *n)
{
    const entry_t *x;
    PG_CHECK(get_entry(d, sec, key, T(PG_DECK_WORDS), &x));
    *v = (const char *const *)x->words;
    *n = x->words ? x->n : 0;
    return PG_OK;
}

int pg_deck_is_set(const pg_deck_t *d, const char *sec, const char *key)
{
    const entry_t *x = find_entry(d, sec, key);
    return x ? x->set : 0;
}

const char *pg_deck_where(const pg_deck_t *d, const char *sec, const char *key)
{
    const entry_t *x = find_entry(d, sec, key);
    return x && x->where ? x->where : d->path;
}

const char *pg_deck_path(const pg_deck_t *d) { return d->path; }
const char *pg_deck_text(const pg_deck_t *d) { return d->text; }

int pg_deck_has_section(const pg_deck_t *d, const char *sec)
{
    int s = find_section(d, sec);
    return s >= 0 && d->sec_line[s] > 0;
}

const char *pg_deck_value_text(const pg_deck_t *d, const char *sec, const char *key)
{
    const entry_t *x = find_entry(d, sec, key);
    return x && x->valid && x->canon ? x->canon : "";
}

/* ------------------------------------------------------------------------------------ */
/* echo, JSON, fingerprint                                                               */

/* sections the echo shows: those in the deck, and those resolvable from defaults alone */
static int echo_section(const pg_deck_t *d, int s)
{
    return d->sec_line[s] > 0 || !section_has_required(d, d->sec[s]);
}

void pg_deck_echo(const pg_deck_t *d, FILE *f)
{
    fprintf(f, "# resolved deck from %s (defaults filled, paths absolute)\n", d->path);
    for (int s = 0; s < d->n_sec; s++) {
        if (!echo_section(d, s)) {
            fprintf(f, "\n# [%s] not given\n", d->sec[s]);
            continue;
        }
        fprintf(f, "\n[%s]\n", d->sec[s]);
        for (int k = 0; k < d->n; k++) {
            const entry_t *x = &d->e[k];
            if (!ieq(x->key->section, d->sec[s])) continue;
            if (!x->valid) {
                fprintf(f, "# %s =   (unset, optional)\n", x->key->name);
                continue;
            }
            int w = fprintf(f, "%s = %s", x->key->name, x->canon);
            const char *unit = x->key->unit;
            if (!x->set || unit) {
                fprintf(f, "%*s#", w < 40 ? 40 - w : 1, "");
                if (unit) fprintf(f, " %s", unit);
                if (!x->set) fprintf(f, "%s default", unit ? "," : "");
            }
            fprintf(f, "\n");
        }
    }
}

void pg_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
        else if (*p == '\n') fputs("\\n", f);
        else if (*p == '\t') fputs("\\t", f);
        else if (*p == '\r') fputs("\\r", f);
        else if (*p < 0x20) fprintf(f, "\\u%04x", *p);
        else fputc(*p, f);
    }
    fputc('"', f);
}

static void json_value(FILE *f, const entry_t *x)
{
    char b[40];
    if (!x->valid) {
        fputs("null", f);
        return;
    }
    switch (x->key->type) {
    case PG_DECK_INT: fprintf(f, "%lld", (long long)x->i); return;
    case PG_DECK_REAL: fmt_real(b, sizeof b, x->r), fputs(b, f); return;
    case PG_DECK_BOOL: fputs(x->b ? "true" : "false", f); return;
    case PG_DECK_STRING:
    case PG_DECK_CHOICE:
    case PG_DECK_PATH: pg_json_string(f, x->word); return;
    case PG_DECK_INTS:
    case PG_DECK_REALS:
    case PG_DECK_WORDS:
        if (x->word) {
            pg_json_string(f, x->word);
            return;
        }
        fputc('[', f);
        for (int j = 0; j < x->n; j++) {
            if (j) fputs(", ", f);
            if (x->ints) fprintf(f, "%lld", (long long)x->ints[j]);
            else if (x->reals) fmt_real(b, sizeof b, x->reals[j]), fputs(b, f);
            else pg_json_string(f, x->words[j]);
        }
        fputc(']', f);
        return;
    }
}

void pg_deck_echo_json(const pg_deck_t *d, FILE *f)
{
    fputc('{', f);
    int first_s = 1;
    for (int s = 0; s < d->n_sec; s++) {
        if (!echo_section(d, s)) continue;
        fprintf(f, "%s", first_s ? "" : ", ");
        first_s = 0;
        pg_json_string(f, d->sec[s]);
        fputs(": {", f);
        int first = 1;
        for (int k = 0; k < d->n; k++) {
            const entry_t *x = &d->e[k];
            if (!ieq(x->key->section, d->sec[s])) continue;
            fprintf(f, "%s", first ? "" : ", ");
            first = 0;
            pg_json_string(f, x->key->name);
            fputs(": ", f);
            json_value(f, x);
        }
        fputc('}', f);
    }
    fputc('}', f);
}

static uint64_t fnv1a(uint64_t h, const char *s, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        h ^= (unsigned char)s[k];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint64_t fingerprint(const pg_deck_t *d, const char *const *sections,
                            const char *const *skip)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (int k = 0; k < d->n; k++) {
        const entry_t *x = &d->e[k];
        if (sections) {
            int in = 0;
            for (int s = 0; sections[s]; s++) in |= ieq(sections[s], x->key->section);
            if (!in) continue;
        }
        if (skip) {
            int out = 0;
            char full[160];
            snprintf(full, sizeof full, "%s.%s", x->key->section, x->key->name);
            for (int s = 0; skip[s]; s++) out |= ieq(skip[s], full);
            if (out) continue;
        }
        const char *v = x->valid ? x->canon : "\x01unset";
        h = fnv1a(h, x->key->section, strlen(x->key->section) + 1);
        h = fnv1a(h, x->key->name, strlen(x->key->name) + 1);
        h = fnv1a(h, v, strlen(v) + 1);
    }
    return h;
}

uint64_t pg_deck_fingerprint(const pg_deck_t *d, const char *const *sections)
{
    return fingerprint(d, sections, NULL);
}

uint64_t pg_deck_fingerprint_except(const pg_deck_t *d, const char *const *skip)
{
    return fingerprint(d, NULL, skip);
}

/* ------------------------------------------------------------------------------------ */
/* reference (help text and docs/deck.md)                                                */

/* text for a Markdown table cell: '|' escaped, '<' '>' as entities (not HTML tags) */
static void md_cell(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|') fputs("\\|", f);
        else if (*s == '<') fputs("&lt;", f);
        else if (*s == '>') fputs("&gt;", f);
        else fputc(*s, f);
    }
}

static void allowed_text(const pg_deck_key_t *k, char *buf, size_t cap)
{
    char r[100] = "", c[300] = "";
    if (k->min <= k->max) range_text(k, r, sizeof r);
    if (k->type == PG_DECK_CHOICE) choices_pretty(k->choices, c, sizeof c);
    if (is_list(k->type)) {
        int lens[16], nl = choice_lengths(k, lens, 16);
        char l[100] = "";
        if (nl) {
            size_t used = 0;
            for (int j = 0; j < nl; j++) {
                int w = snprintf(l + used, sizeof l - used, "%s%d",
                                 j == 0 ? "" : j == nl - 1 ? " or " : ", ", lens[j]);
                if (w > 0 && (size_t)w < sizeof l - used) used += (size_t)w;
            }
        } else if (k->n_max > 0 && k->n_min == k->n_max) snprintf(l, sizeof l, "%d", k->n_min);
        else if (k->n_max > 0) snprintf(l, sizeof l, "%d..%d", k->n_min, k->n_max);
        else snprintf(l, sizeof l, "%d or more", k->n_min);
        char words[200] = "";
        if (has_choice_words(k->choices)) choice_words_pretty(k->choices, words, sizeof words);
        if (k->type == PG_DECK_WORDS && words[0])
            snprintf(c, sizeof c, "%s item%s, each %s", l, strcmp(l, "1") ? "s" : "", words);
        else if (words[0]) snprintf(c, sizeof c, "%s item%s, or %s", l, strcmp(l, "1") ? "s" : "", words);
        else snprintf(c, sizeof c, "%s item%s", l, strcmp(l, "1") ? "s" : "");
    }
    snprintf(buf, cap, "%s%s%s", c, c[0] && r[0] ? "; each " : "", r);
}

void pg_deck_print_reference(FILE *f, int markdown)
{
    /* distinct sections in table order */
    const char *secs[256];
    int n_sec = 0;
    for (int t = 0; pg_deck_key_tables[t]; t++)
        for (const pg_deck_key_t *k = pg_deck_key_tables[t]; k->section; k++) {
            int seen = 0;
            for (int s = 0; s < n_sec; s++) seen |= strcmp(secs[s], k->section) == 0;
            if (!seen && n_sec < 256) secs[n_sec++] = k->section;
        }
    if (markdown) {
        fprintf(f, "# Input deck reference\n\n"
                   "<!-- generated by `phonograph deck --markdown` (make docs); do not edit -->\n\n");
    } else {
        fprintf(f, "phonograph input deck reference\n\n");
    }
    const char *syntax =
        "A deck is plain text: `key = value` lines grouped in `[section]`s. `#` starts a comment\n"
        "anywhere on a line (there is no quoting). Keys and section names are case-insensitive;\n"
        "each key may appear once. Unknown keys and sections are errors (with a suggestion), and\n"
        "every error of a deck is reported at once as `file:line:col: error: ...`.\n\n"
        "Numbers are read whole (`300K` is an error); reals may be written as fractions (`1/2`).\n"
        "A key with a unit accepts the unit as an\n"
        "optional separate last word (`symprec = 1e-5 Å`, also `A`/`Ang`; keys in seconds accept\n"
        "`s`, `min` or `h`, converted to seconds). List items are separated by blanks (commas are\n"
        "accepted between numbers). Paths are relative to the deck's directory. Keys marked\n"
        "*required* must be given when their section is present; a section that is not given\n"
        "keeps its defaults (stages that need it say so).\n";
    if (markdown) fprintf(f, "%s", syntax);
    else
        for (const char *p = syntax; *p; p++)
            if (*p != '`') fputc(*p, f);
    for (int s = 0; s < n_sec; s++) {
        if (markdown)
            fprintf(f, "\n## [%s]\n\n| key | type | default | allowed | unit | meaning |\n"
                       "|---|---|---|---|---|---|\n",
                    secs[s]);
        else fprintf(f, "\n[%s]\n", secs[s]);
        for (int t = 0; pg_deck_key_tables[t]; t++)
            for (const pg_deck_key_t *k = pg_deck_key_tables[t]; k->section; k++) {
                if (strcmp(k->section, secs[s]) != 0) continue;
                char allowed[400], def[200];
                allowed_text(k, allowed, sizeof allowed);
                if (!k->def) snprintf(def, sizeof def, "%s", markdown ? "*required*" : "(required)");
                else if (!k->def[0]) snprintf(def, sizeof def, "%s", markdown ? "*unset*" : "(unset)");
                else snprintf(def, sizeof def, markdown ? "`%s`" : "%s", k->def);
                if (markdown) {
                    fprintf(f, "| `%s` | %s | ", k->name, type_name(k->type));
                    md_cell(f, def);
                    fputs(" | ", f);
                    md_cell(f, allowed);
                    fprintf(f, " | %s | ", k->unit ? k->unit : "");
                    md_cell(f, k->help);
                    fputs(" |\n", f);
                }
                else {
                    fprintf(f, "  %-18s %-8s default %s%s%s\n", k->name, type_name(k->type), def,
                            k->unit ? " " : "", k->unit && k->def && k->def[0] ? k->unit : "");
                    if (allowed[0]) fprintf(f, "  %-18s allowed: %s\n", "", allowed);
                    fprintf(f, "  %-18s %s\n", "", k->help ? k->help : "");
                }
            }
    }
}
