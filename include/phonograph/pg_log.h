/* pg_log.h - rank-0 logging with levels, a warning counter, progress lines and timers.
 *
 * One sink writes the terminal (stdout) and, optionally, a log file. Only rank 0 of the
 * log's communicator writes; other ranks are silent unless debug_ranks is set.
 * Warnings are counted (the count appears in the run summary) and capped in print.
 */
#ifndef PG_LOG_H
#define PG_LOG_H

#include <mpi.h>
#include <stdint.h>
#include <stdio.h>

#include "phonograph/pg_status.h"

typedef enum { PG_LOG_ERROR = 0, PG_LOG_WARN = 1, PG_LOG_INFO = 2, PG_LOG_DEBUG = 3 } pg_log_level_t;

typedef struct pg_log pg_log_t;

/* Create a logger on comm (borrowed; must outlive the logger). path may be NULL (terminal
 * only); an existing file is appended to. Not collective. */
pg_status_t pg_log_create(MPI_Comm comm, pg_log_level_t level, const char *path, pg_log_t **out);
void pg_log_destroy(pg_log_t **log);
void pg_log_set_level(pg_log_t *log, pg_log_level_t level);
/* Let every rank print (prefixed "[rank r]"), for debugging. */
void pg_log_set_debug_ranks(pg_log_t *log, int on);
/* Silence the terminal (file only); used by tests. */
void pg_log_set_quiet(pg_log_t *log, int quiet);

void pg_log_error(pg_log_t *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pg_log_warn(pg_log_t *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pg_log_info(pg_log_t *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pg_log_debug(pg_log_t *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Number of warnings logged so far on this rank. */
int64_t pg_log_warning_count(const pg_log_t *log);
/* Whether this rank prints (rank 0 or debug_ranks). */
int pg_log_is_root(const pg_log_t *log);

/* Progress of long work, from rank 0: a bar with rate and ETA on a TTY, otherwise a plain
 * line every 10 % or 60 s (SLURM logs). Never per-item lines. */
typedef struct {
    const char *what;
    int64_t total;
    int64_t done;
    double t_start, t_last_print;
    int last_decile;
    int tty;
} pg_progress_t;
void pg_progress_begin(pg_log_t *log, pg_progress_t *p, const char *what, int64_t total);
void pg_progress_update(pg_log_t *log, pg_progress_t *p, int64_t done);
void pg_progress_end(pg_log_t *log, pg_progress_t *p);

/* Wall-clock timers by name (a stage or a dominant kernel). Up to 64 names. */
typedef struct pg_timers pg_timers_t;
pg_status_t pg_timers_create(pg_timers_t **out);
void pg_timers_destroy(pg_timers_t **t);
void pg_timer_start(pg_timers_t *t, const char *name);
void pg_timer_stop(pg_timers_t *t, const char *name);
/* Accumulated seconds of a timer on this rank (0 if unknown). */
double pg_timer_seconds(const pg_timers_t *t, const char *name);
/* Table of min/avg/max over the ranks of comm, and imbalance (max/avg); printed by rank 0
 * through log. If json is non-NULL (rank 0), also writes a JSON object {"name": {"min":..}}.
 * Collective on comm: every rank must have started the same timers in the same order. */
pg_status_t pg_timers_report(pg_timers_t *t, MPI_Comm comm, pg_log_t *log, FILE *json);

#endif
