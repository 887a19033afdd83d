/* textio.c - line reading and number parsing for the text readers (textio.h). */
#include "io/textio.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define WS " \t\r\v\f"

pg_status_t textio_next_line(textio_reader_t *r, int *got)
{
    *got = 0;
    if (!r->p || *r->p == '\0') return PG_OK;
    const char *e = strchr(r->p, '\n');
    size_t n = e ? (size_t)(e - r->p) : strlen(r->p);
    if (n + 1 > r->cap) {
        size_t cap = n + 1 > 256 ? n + 1 : 256;
        char *b = realloc(r->buf, cap);
        PG_REQUIRE(b, PG_ERR_NOMEM, "%s:%d: cannot hold a line of %zu characters", r->path,
                   r->line + 1, n);
        r->buf = b;
        r->cap = cap;
    }
    memcpy(r->buf, r->p, n);
    r->buf[n] = '\0';
    if (n && r->buf[n - 1] == '\r') r->buf[n - 1] = '\0';
    r->p = e ? e + 1 : r->p + n;
    r->line++;
    *got = 1;
    return PG_OK;
}

void textio_reader_free(textio_reader_t *r)
{
    free(r->buf);
    r->buf = NULL;
    r->cap = 0;
}

int textio_count_tokens(const char *s)
{
    int n = 0;
    while (*s) {
        s += strspn(s, WS);
        if (!*s) break;
        n++;
        s += strcspn(s, WS);
    }
    return n;
}

int textio_split(char *s, char **tok, int max)
{
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(s, WS, &save); t && n < max; t = strtok_r(NULL, WS, &save))
        tok[n++] = t;
    return n;
}

int textio_parse_double(const char *s, double *x)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v)) return 0;
    *x = v;
    return 1;
}

int textio_parse_int(const char *s, long long *x)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE) return 0;
    *x = v;
    return 1;
}
