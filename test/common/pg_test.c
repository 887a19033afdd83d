/* pg_test.c - shared test helpers (see pg_test.h). */
#include "pg_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int pg_test_close(const double *actual, const double *expected, int64_t n, double rtol,
                  double atol, const char *label)
{
    double max_abs = 0.0, max_rel = 0.0;
    int64_t worst = -1;
    double worst_excess = 0.0;
    for (int64_t k = 0; k < n; k++) {
        double a = actual[k], e = expected[k];
        double d = fabs(a - e);
        if (isnan(a) || isnan(e)) d = INFINITY;
        double rel = e != 0.0 ? d / fabs(e) : d;
        if (d > max_abs) max_abs = d;
        if (rel > max_rel) max_rel = rel;
        double excess = d - (atol + rtol * fabs(e));
        if (excess > 0 && (worst < 0 || excess > worst_excess)) {
            worst = k;
            worst_excess = excess;
        }
    }
    if (worst >= 0) {
        fprintf(stderr,
                "%s: %lld elements, max abs err %.3e, max rel err %.3e; worst at [%lld]: "
                "actual %.15g expected %.15g (rtol %.1e atol %.1e)\n",
                label, (long long)n, max_abs, max_rel, (long long)worst, actual[worst],
                expected[worst], rtol, atol);
        return 0;
    }
    return 1;
}

const char *pg_test_shared_dir(void)
{
    const char *s = getenv("PG_SHARED");
    return s && s[0] ? s : "../shared";
}

const char *pg_test_path(const char *dir, const char *rel)
{
    static char bufs[8][1024];
    static int k = 0;
    char *b = bufs[k++ % 8];
    snprintf(b, sizeof bufs[0], "%s/%s", dir, rel);
    return b;
}

const char *pg_test_tmpdir(void)
{
    static char dir[512];
    if (!dir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/pgtest.XXXXXX", t && t[0] ? t : "/tmp");
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            abort();
        }
    }
    return dir;
}

void pg_mpitest_begin(pg_mpitest_t *t, MPI_Comm comm)
{
    memset(t, 0, sizeof *t);
    t->comm = comm;
    MPI_Comm_rank(comm, &t->rank);
}

void pg_mpitest_check(pg_mpitest_t *t, int ok, const char *name, const char *fmt, ...)
{
    int all_ok = ok ? 1 : 0;
    MPI_Allreduce(MPI_IN_PLACE, &all_ok, 1, MPI_INT, MPI_MIN, t->comm);
    if (!ok) {
        char why[1024] = "";
        if (fmt) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(why, sizeof why, fmt, ap);
            va_end(ap);
        }
        fprintf(stderr, "[rank %d] FAIL %s: %s\n", t->rank, name, why);
    }
    if (all_ok) t->n_pass++;
    else t->n_fail++;
    if (t->rank == 0) fprintf(stdout, "%s %s\n", all_ok ? "ok  " : "FAIL", name);
}

int pg_mpitest_end(pg_mpitest_t *t)
{
    fflush(stderr);
    MPI_Barrier(t->comm);
    if (t->rank == 0) {
        fprintf(stdout, "%d passed, %d failed\n", t->n_pass, t->n_fail);
        fflush(stdout);
    }
    return t->n_fail ? 1 : 0;
}
