/* pg_status.h - status codes and the error record (PETSc-style traceback).
 *
 * Every function that can fail returns pg_status_t (PG_OK = 0). The first failure
 * records one message with its origin (PG_ERR); each caller passing it up adds a frame
 * (PG_CHECK / PG_TRY). The record is thread-local: the one piece of process-wide state
 * the project allows (like errno). Library code never prints or exits; main does.
 */
#ifndef PG_STATUS_H
#define PG_STATUS_H

#include <stdio.h>

typedef enum {
    PG_OK = 0,
    PG_ERR_INPUT = 1,    /* the user can fix it: bad deck, bad file content */
    PG_ERR_IO = 2,       /* file system, HDF5 */
    PG_ERR_NOMEM = 3,    /* allocation failed or a memory cap was hit */
    PG_ERR_NUMERIC = 4,  /* LAPACK info, NaN, no convergence */
    PG_ERR_MPI = 5,      /* an MPI call failed */
    PG_ERR_INTERNAL = 6, /* a bug */
    PG_ERR_INTERRUPTED = 7 /* stopped at a safe point (signal, wall-time budget); resumable */
} pg_status_t;

/* Record a new error (replacing any previous record) and return `code`.
 * printf-style message, without trailing newline. */
pg_status_t pg_err_set(pg_status_t code, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Add a traceback frame to the current record. */
void pg_err_frame(const char *file, int line, const char *func);
/* The message of the current record ("" if none). */
const char *pg_err_message(void);
/* The code of the current record (PG_OK if none). */
pg_status_t pg_err_code(void);
/* Forget the current record. */
void pg_err_clear(void);
/* Print "error: <message>" and the traceback frames to f, each line prefixed by prefix. */
void pg_err_print(FILE *f, const char *prefix);
/* Short name of a status code ("input", "io", ...). */
const char *pg_status_name(pg_status_t st);
/* snprintf into buf[cap] that fails instead of truncating: PG_ERR_INPUT "text of N characters
 * does not fit in cap-1: \"<start>...\"" when the result would not fit (buf then holds the
 * truncated text), PG_ERR_INTERNAL on an encoding error. Use it for paths and anything else
 * that must not be cut silently; callers add context with PG_CHECK / PG_TRY frames. */
pg_status_t pg_snprintf(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define PG_ERR(code, ...) pg_err_set((code), __FILE__, __LINE__, __VA_ARGS__)

/* Return at once on failure (functions without resources). */
#define PG_CHECK(call)                                                                             \
    do {                                                                                           \
        pg_status_t s_ = (call);                                                                   \
        if (s_ != PG_OK) {                                                                         \
            pg_err_frame(__FILE__, __LINE__, __func__);                                            \
            return s_;                                                                             \
        }                                                                                          \
    } while (0)

/* Jump to `cleanup:` on failure; needs a local `pg_status_t st`. */
#define PG_TRY(call)                                                                               \
    do {                                                                                           \
        st = (call);                                                                               \
        if (st != PG_OK) {                                                                         \
            pg_err_frame(__FILE__, __LINE__, __func__);                                            \
            goto cleanup;                                                                          \
        }                                                                                          \
    } while (0)

/* Always-on check of anything input can cause; returns the error. */
#define PG_REQUIRE(cond, code, ...)                                                                \
    do {                                                                                           \
        if (!(cond)) return PG_ERR((code), __VA_ARGS__);                                           \
    } while (0)

/* Same, for functions with a cleanup label. */
#define PG_TRY_REQUIRE(cond, code, ...)                                                            \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            st = PG_ERR((code), __VA_ARGS__);                                                      \
            goto cleanup;                                                                          \
        }                                                                                          \
    } while (0)

/* Allocate n elements of *ptr's type (zeroed) or fail with PG_ERR_NOMEM naming `what`. */
#define PG_TRY_CALLOC(ptr, n, what)                                                                \
    do {                                                                                           \
        size_t n_ = (size_t)(n);                                                                   \
        (ptr) = calloc(n_ ? n_ : 1, sizeof(*(ptr)));                                               \
        if (!(ptr)) {                                                                              \
            st = PG_ERR(PG_ERR_NOMEM, "out of memory allocating %zu x %zu bytes for %s", n_,      \
                        sizeof(*(ptr)), (what));                                                   \
            goto cleanup;                                                                          \
        }                                                                                          \
    } while (0)

/* Internal invariant, off under NDEBUG (hot loops only). */
#ifdef NDEBUG
#define PG_ASSERT(cond) ((void)0)
#else
#define PG_ASSERT(cond)                                                                            \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: internal assertion failed: %s\n", __FILE__, __LINE__, #cond);  \
            __builtin_trap();                                                                      \
        }                                                                                          \
    } while (0)
#endif

#endif
