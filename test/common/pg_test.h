/* pg_test.h - helpers shared by phonograph's tests.
 *
 * Unit tests use cmocka 1.1.5 (whose assert_float_equal casts to float: do not use it).
 * pg_test_close compares arrays with a relative and an absolute tolerance and reports the
 * worst element; MPI tests collect local verdicts with pg_mpitest_* and agree on them.
 */
#ifndef PG_TEST_H
#define PG_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four headers above first */
#include <cmocka.h>
#include <mpi.h>

/* 1 if |a_k - e_k| <= atol + rtol*|e_k| for all k; otherwise prints label, the worst index,
 * max abs and rel error, and returns 0. NaN anywhere fails. */
int pg_test_close(const double *actual, const double *expected, int64_t n, double rtol,
                  double atol, const char *label);
/* cmocka assertion wrapper */
#define assert_close(actual, expected, n, rtol, atol, label)                                       \
    assert_true(pg_test_close((actual), (expected), (n), (rtol), (atol), (label)))

/* Path of ../shared (env PG_SHARED, default "../shared" relative to the repo root). */
const char *pg_test_shared_dir(void);
/* Join dir and rel into a static buffer (one of 8 rotating buffers). */
const char *pg_test_path(const char *dir, const char *rel);
/* A fresh temporary directory for this test process (created once, under $TMPDIR). */
const char *pg_test_tmpdir(void);

/* ---- MPI tests: local verdicts, agreed at the end (never assert between collectives) ---- */
typedef struct {
    MPI_Comm comm;
    int rank;
    int n_pass, n_fail;
} pg_mpitest_t;
void pg_mpitest_begin(pg_mpitest_t *t, MPI_Comm comm);
/* Record one check on this rank; prints "[rank r] FAIL name: why" when it fails. */
void pg_mpitest_check(pg_mpitest_t *t, int ok, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Agree: a check counts as passed only if it passed on every rank. Rank 0 prints
 * "N passed, N failed". Returns the process exit code (non-zero on every rank on failure).
 * Checks must be recorded in the same order/number on every rank. */
int pg_mpitest_end(pg_mpitest_t *t);

#endif
