/* status.c - the thread-local error record behind pg_status.h. */
#include "phonograph/pg_status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define PG_ERR_MSG_MAX 2048
#define PG_ERR_FRAMES_MAX 32

typedef struct {
    pg_status_t code;
    char message[PG_ERR_MSG_MAX];
    char origin[256];
    int n_frames;
    char frames[PG_ERR_FRAMES_MAX][160];
} err_record_t;

static _Thread_local err_record_t g_err;

pg_status_t pg_err_set(pg_status_t code, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g_err.message, sizeof g_err.message, fmt, ap);
    va_end(ap);
    g_err.code = code;
    snprintf(g_err.origin, sizeof g_err.origin, "%s:%d", file, line);
    g_err.n_frames = 0;
    return code;
}

pg_status_t pg_snprintf(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    if (n < 0) return PG_ERR(PG_ERR_INTERNAL, "formatting \"%.60s\" failed", fmt);
    if ((size_t)n >= cap)
        return PG_ERR(PG_ERR_INPUT, "text of %d characters does not fit in %zu: \"%.60s...\"", n,
                      cap ? cap - 1 : 0, cap ? buf : "");
    return PG_OK;
}

void pg_err_frame(const char *file, int line, const char *func)
{
    if (g_err.n_frames >= PG_ERR_FRAMES_MAX) return;
    snprintf(g_err.frames[g_err.n_frames], sizeof g_err.frames[0], "%s() at %s:%d", func, file,
             line);
    g_err.n_frames++;
}

const char *pg_err_message(void) { return g_err.message; }

pg_status_t pg_err_code(void) { return g_err.code; }

void pg_err_clear(void) { memset(&g_err, 0, sizeof g_err); }

void pg_err_print(FILE *f, const char *prefix)
{
    if (!prefix) prefix = "";
    fprintf(f, "%serror: %s\n", prefix, g_err.message[0] ? g_err.message : "(no message)");
    if (g_err.origin[0]) fprintf(f, "%s  raised at %s (%s)\n", prefix, g_err.origin,
                                 pg_status_name(g_err.code));
    for (int k = 0; k < g_err.n_frames; k++) fprintf(f, "%s  from %s\n", prefix, g_err.frames[k]);
}

const char *pg_status_name(pg_status_t st)
{
    switch (st) {
    case PG_OK: return "ok";
    case PG_ERR_INPUT: return "input error";
    case PG_ERR_IO: return "I/O error";
    case PG_ERR_NOMEM: return "out of memory";
    case PG_ERR_NUMERIC: return "numerical error";
    case PG_ERR_MPI: return "MPI error";
    case PG_ERR_INTERNAL: return "internal error";
    case PG_ERR_INTERRUPTED: return "interrupted";
    }
    return "unknown error";
}
