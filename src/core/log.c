/* log.c - rank-0 logger, progress reporting and named wall-clock timers. */
#include "phonograph/pg_log.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "phonograph/pg_par.h"

struct pg_log {
    int rank;
    pg_log_level_t level;
    FILE *file;
    int debug_ranks;
    int quiet;
    int64_t n_warn;
};

#define PG_LOG_WARN_PRINT_CAP 50

pg_status_t pg_log_create(MPI_Comm comm, pg_log_level_t level, const char *path, pg_log_t **out)
{
    pg_log_t *log = calloc(1, sizeof *log);
    PG_REQUIRE(log, PG_ERR_NOMEM, "out of memory creating the logger");
    log->rank = pg_par_rank(comm);
    log->level = level;
    if (path && log->rank == 0) {
        log->file = fopen(path, "a");
        if (!log->file) {
            free(log);
            return PG_ERR(PG_ERR_IO, "cannot open log file '%s'", path);
        }
    }
    *out = log;
    return PG_OK;
}

void pg_log_destroy(pg_log_t **log)
{
    if (!log || !*log) return;
    if ((*log)->file) fclose((*log)->file);
    free(*log);
    *log = NULL;
}

void pg_log_set_level(pg_log_t *log, pg_log_level_t level) { log->level = level; }
void pg_log_set_debug_ranks(pg_log_t *log, int on) { log->debug_ranks = on; }
void pg_log_set_quiet(pg_log_t *log, int quiet) { log->quiet = quiet; }
int64_t pg_log_warning_count(const pg_log_t *log) { return log ? log->n_warn : 0; }
int pg_log_is_root(const pg_log_t *log) { return log && (log->rank == 0 || log->debug_ranks); }

static void emit(pg_log_t *log, pg_log_level_t level, const char *fmt, va_list ap)
{
    if (!log) return;
    if (level == PG_LOG_WARN) {
        log->n_warn++;
        if (log->n_warn > PG_LOG_WARN_PRINT_CAP) {
            if (log->n_warn == PG_LOG_WARN_PRINT_CAP + 1 && pg_log_is_root(log) && !log->quiet)
                fprintf(stdout, "warning: further warnings are counted but not printed\n");
            return;
        }
    }
    if (level > log->level || !pg_log_is_root(log)) return;
    char line[4096];
    vsnprintf(line, sizeof line, fmt, ap);
    const char *tag = level == PG_LOG_ERROR  ? "error: "
                      : level == PG_LOG_WARN ? "warning: "
                      : level == PG_LOG_DEBUG ? "debug: "
                                              : "";
    char prefix[32] = "";
    if (log->debug_ranks) snprintf(prefix, sizeof prefix, "[rank %d] ", log->rank);
    if (!log->quiet) {
        FILE *out = level <= PG_LOG_WARN ? stderr : stdout;
        fprintf(out, "%s%s%s\n", prefix, tag, line);
        fflush(out);
    }
    if (log->file) {
        fprintf(log->file, "%s%s%s\n", prefix, tag, line);
        fflush(log->file);
    }
}

#define DEFINE_LOG_FN(fn, lvl)                                                                     \
    void fn(pg_log_t *log, const char *fmt, ...)                                                   \
    {                                                                                              \
        va_list ap;                                                                                \
        va_start(ap, fmt);                                                                         \
        emit(log, lvl, fmt, ap);                                                                   \
        va_end(ap);                                                                                \
    }
DEFINE_LOG_FN(pg_log_error, PG_LOG_ERROR)
DEFINE_LOG_FN(pg_log_warn, PG_LOG_WARN)
DEFINE_LOG_FN(pg_log_info, PG_LOG_INFO)
DEFINE_LOG_FN(pg_log_debug, PG_LOG_DEBUG)

/* ---- progress ---------------------------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void pg_progress_begin(pg_log_t *log, pg_progress_t *p, const char *what, int64_t total)
{
    memset(p, 0, sizeof *p);
    p->what = what;
    p->total = total;
    p->t_start = p->t_last_print = now_s();
    p->tty = isatty(STDOUT_FILENO) && log && !log->quiet;
}

static void fmt_eta(double s, char *buf, size_t n)
{
    if (s < 0 || s > 1e7) {
        snprintf(buf, n, "--:--");
        return;
    }
    int h = (int)(s / 3600), m = (int)(s / 60) % 60, sec = (int)s % 60;
    if (h) snprintf(buf, n, "%d:%02d:%02d", h, m, sec);
    else snprintf(buf, n, "%02d:%02d", m, sec);
}

void pg_progress_update(pg_log_t *log, pg_progress_t *p, int64_t done)
{
    p->done = done;
    if (!log || log->rank != 0 || log->level < PG_LOG_INFO || p->total <= 0) return;
    double t = now_s(), el = t - p->t_start;
    double rate = el > 0 ? (double)done / el : 0.0;
    double eta = rate > 0 ? (double)(p->total - done) / rate : -1.0;
    char eta_s[32];
    fmt_eta(eta, eta_s, sizeof eta_s);
    int decile = (int)(10 * done / p->total);
    if (p->tty) {
        if (t - p->t_last_print < 0.2 && done < p->total) return;
        int width = 30, fill = (int)(width * done / p->total);
        char bar[64];
        for (int k = 0; k < width; k++) bar[k] = k < fill ? '#' : '.';
        bar[width] = '\0';
        fprintf(stdout, "\r%s [%s] %lld/%lld  %.1f/s  ETA %s ", p->what, bar, (long long)done,
                (long long)p->total, rate, eta_s);
        fflush(stdout);
        p->t_last_print = t;
    } else if (decile > p->last_decile || t - p->t_last_print >= 60.0) {
        pg_log_info(log, "%s: %lld/%lld (%d%%), %.2f/s, ETA %s", p->what, (long long)done,
                    (long long)p->total, (int)(100 * done / p->total), rate, eta_s);
        p->last_decile = decile;
        p->t_last_print = t;
    }
}

void pg_progress_end(pg_log_t *log, pg_progress_t *p)
{
    if (!log || log->rank != 0) return;
    double el = now_s() - p->t_start;
    if (p->tty) fprintf(stdout, "\n");
    pg_log_info(log, "%s: %lld done in %.2f s", p->what, (long long)p->done, el);
}

/* ---- timers ------------------------------------------------------------------------------ */

#define PG_TIMERS_MAX 64

struct pg_timers {
    int n;
    char name[PG_TIMERS_MAX][48];
    double total[PG_TIMERS_MAX];
    double started[PG_TIMERS_MAX];
    int running[PG_TIMERS_MAX];
};

pg_status_t pg_timers_create(pg_timers_t **out)
{
    *out = calloc(1, sizeof **out);
    PG_REQUIRE(*out, PG_ERR_NOMEM, "out of memory creating timers");
    return PG_OK;
}

void pg_timers_destroy(pg_timers_t **t)
{
    if (!t) return;
    free(*t);
    *t = NULL;
}

static int timer_index(pg_timers_t *t, const char *name, int create)
{
    for (int k = 0; k < t->n; k++)
        if (strcmp(t->name[k], name) == 0) return k;
    if (!create || t->n >= PG_TIMERS_MAX) return -1;
    snprintf(t->name[t->n], sizeof t->name[0], "%s", name);
    return t->n++;
}

void pg_timer_start(pg_timers_t *t, const char *name)
{
    if (!t) return;
    int k = timer_index(t, name, 1);
    if (k < 0) return;
    t->started[k] = now_s();
    t->running[k] = 1;
}

void pg_timer_stop(pg_timers_t *t, const char *name)
{
    if (!t) return;
    int k = timer_index(t, name, 0);
    if (k < 0 || !t->running[k]) return;
    t->total[k] += now_s() - t->started[k];
    t->running[k] = 0;
}

double pg_timer_seconds(const pg_timers_t *t, const char *name)
{
    if (!t) return 0.0;
    for (int k = 0; k < t->n; k++)
        if (strcmp(t->name[k], name) == 0) return t->total[k];
    return 0.0;
}

pg_status_t pg_timers_report(pg_timers_t *t, MPI_Comm comm, pg_log_t *log, FILE *json)
{
    int n = t->n;
    int64_t n_all = n;
    PG_CHECK(pg_par_max_int64(comm, &n_all, 1));
    PG_REQUIRE(n_all == n, PG_ERR_INTERNAL, "timers differ between ranks");
    double mn[PG_TIMERS_MAX], mx[PG_TIMERS_MAX], sum[PG_TIMERS_MAX];
    for (int k = 0; k < n; k++) mn[k] = mx[k] = sum[k] = t->total[k];
    if (n) {
        PG_CHECK(pg_par_min_double(comm, mn, n));
        PG_CHECK(pg_par_max_double(comm, mx, n));
        PG_CHECK(pg_par_sum_double(comm, sum, n));
    }
    int size = pg_par_size(comm);
    pg_log_info(log, "timings (s, over %d rank%s):", size, size > 1 ? "s" : "");
    pg_log_info(log, "  %-28s %10s %10s %10s %9s", "stage", "min", "avg", "max", "imbalance");
    for (int k = 0; k < n; k++) {
        double avg = sum[k] / size;
        pg_log_info(log, "  %-28s %10.3f %10.3f %10.3f %9.2f", t->name[k], mn[k], avg, mx[k],
                    avg > 0 ? mx[k] / avg : 1.0);
    }
    if (json) {
        fprintf(json, "{");
        for (int k = 0; k < n; k++)
            fprintf(json, "%s\"%s\": {\"min\": %.6f, \"avg\": %.6f, \"max\": %.6f}",
                    k ? ", " : "", t->name[k], mn[k], sum[k] / size, mx[k]);
        fprintf(json, "}");
    }
    return PG_OK;
}
