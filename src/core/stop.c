/* stop.c - signal flag and wall-time deadline behind pg_stop.h. */
#include "phonograph/pg_stop.h"

#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "phonograph/pg_par.h"

static volatile sig_atomic_t g_signal = 0; /* last signal number received, 0 if none */
static double g_deadline = INFINITY;        /* epoch seconds */

static void on_signal(int sig) { g_signal = sig; }

static double now_epoch(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double env_epoch(const char *name)
{
    const char *v = getenv(name);
    if (!v || !v[0]) return INFINITY;
    char *end = NULL;
    double t = strtod(v, &end);
    return (end && *end == '\0' && t > 0) ? t : INFINITY;
}

void pg_stop_install(double wall_budget_s, double margin_s)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    double t = INFINITY;
    if (wall_budget_s > 0) t = now_epoch() + wall_budget_s;
    t = fmin(t, env_epoch("PG_END_TIME"));
    t = fmin(t, env_epoch("SLURM_JOB_END_TIME"));
    g_deadline = isfinite(t) ? t - (margin_s > 0 ? margin_s : 0) : INFINITY;
}

double pg_stop_seconds_left(void) { return g_deadline - now_epoch(); }

int pg_stop_check(const char **why)
{
    if (g_signal) {
        if (why) *why = g_signal == SIGTERM ? "SIGTERM received"
                        : g_signal == SIGINT ? "SIGINT received"
                                             : "SIGUSR received";
        return 1;
    }
    if (isfinite(g_deadline) && now_epoch() >= g_deadline) {
        if (why) *why = "wall-time budget reached";
        return 1;
    }
    return 0;
}

pg_status_t pg_stop_agree(MPI_Comm comm, int *stop)
{
    int64_t s = pg_stop_check(NULL);
    PG_CHECK(pg_par_max_int64(comm, &s, 1));
    *stop = (int)s;
    return PG_OK;
}

void pg_stop_request(void) { g_signal = SIGUSR2; }
void pg_stop_reset(void)
{
    g_signal = 0;
    g_deadline = INFINITY;
}
