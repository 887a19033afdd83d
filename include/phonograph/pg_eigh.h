/* pg_eigh.h - a dense Hermitian eigensolver for small matrices (phonon dynamical matrices of
 * a few tens of bands), in plain C without LAPACK call overhead.
 *
 * Method (src/core/eigh_small.c): Householder reduction of the Hermitian matrix to a REAL
 * symmetric tridiagonal T = Q^H A Q (reflectors chosen as LAPACK's zlarfg does, so the
 * off-diagonal comes out real), implicit QL with Wilkinson shifts on T accumulating the real
 * eigenvectors, back-transformation by the reflectors. All arrays are contiguous, the workspace
 * is allocated once; a solve does not allocate. Eigenvalues ascending (like LAPACK); each
 * eigenvector has unit norm; their phase is whatever the method gives (as with LAPACK, any
 * phase is a valid answer).
 *
 * Accuracy (test/unit/test_eigh.c, against zheevd): eigenvalues within ~1e-14·‖A‖, vectors
 * orthonormal to ~1e-14, residuals ‖Av − λv‖ ~1e-14·‖A‖, the same invariant subspaces on
 * exactly and nearly degenerate spectra. Matrices with max|a_ij| outside [1e-140, 1e140] are
 * scaled first so the rotations cannot over/underflow.
 */
#ifndef PG_EIGH_H
#define PG_EIGH_H

#include <complex.h>

#include "phonograph/pg_status.h"

/* Workspace for order n (allocated once; not shared between threads). */
typedef struct {
    int n;
    double *buf; /* carved up inside (src/core/eigh_small.c) */
} pg_eigh_ws_t;

/* Errors: PG_ERR_INPUT (n < 1), PG_ERR_NOMEM. */
pg_status_t pg_eigh_ws_init(pg_eigh_ws_t *ws, int n);
void pg_eigh_ws_free(pg_eigh_ws_t *ws);

/* Eigen-decomposition of the Hermitian n × n matrix a, ROW-MAJOR a[r*n + c]; only the lower
 * triangle (c <= r) is read, the imaginary parts of the diagonal are ignored; a is not
 * modified. w [n]: eigenvalues ascending. z [n*n] (may be NULL: eigenvalues only, cheaper):
 * z[r*n + s] = component r of eigenvector s (phonopy's layout). n must equal ws->n.
 * Errors: PG_ERR_NUMERIC if the QL iteration does not converge in 60 sweeps for some
 * eigenvalue (or the input has NaN/Inf); PG_ERR_INTERNAL on a wrong n. Not collective. */
pg_status_t pg_eigh_small(pg_eigh_ws_t *ws, int n, const double complex *a, double *w,
                          double complex *z);

/* Same with the matrix given as a packed lower triangle split into real and imaginary parts:
 * re [n(n+1)/2] holds (r, c), c <= r, at r(r+1)/2 + c; im [n(n-1)/2] holds the strictly lower
 * (r, c), c < r, at r(r-1)/2 + c (the diagonal is real). Same outputs and errors. */
pg_status_t pg_eigh_small_packed(pg_eigh_ws_t *ws, int n, const double *re, const double *im,
                                 double *w, double complex *z);

/* pg_eigh_small_packed, then row r of z multiplied by the phase ph_r = phr[r] + i phi[r] (both
 * [n]), fused into the one write of z: the eigenvectors of P A P^H for P = diag(ph) (unitary
 * when |ph_r| = 1). z may be NULL (eigenvalues only, phases unused). Same errors. */
pg_status_t pg_eigh_small_packed_phased(pg_eigh_ws_t *ws, int n, const double *re,
                                        const double *im, const double *phr, const double *phi,
                                        double *w, double complex *z);

/* Real symmetric a (row-major n × n; only the lower triangle c <= r is read; not modified):
 * Householder reduction with real reflectors, QL on the tridiagonal (pg_tridiag.h's single-
 * matrix entry for n <= 64 on x86-64, else the QL above), back-transformation — about a quarter
 * of the Hermitian solver's arithmetic outside the QL. w [n] ascending; z (may be NULL) [n*n] as
 * for pg_eigh_small, the (real) eigenvectors written as complex numbers with zero imaginary
 * part. Same errors. */
pg_status_t pg_eigh_small_real(pg_eigh_ws_t *ws, int n, const double *a, double *w,
                               double complex *z);

/* Batches: the tridiagonal stage of k matrices runs in SIMD lanes (pg_tridiag.h), which is what
 * pays for small n; each result has the same bits as the one-matrix call on that matrix, whatever
 * else is in the batch. */
typedef struct {
    int n, kmax;
    double *buf;
    pg_eigh_ws_t one; /* the one-by-one fallback */
} pg_eigh_batch_ws_t;
/* Errors: PG_ERR_INPUT, PG_ERR_NOMEM. */
pg_status_t pg_eigh_batch_ws_init(pg_eigh_batch_ws_t *ws, int n, int kmax);
void pg_eigh_batch_ws_free(pg_eigh_batch_ws_t *ws);
/* a [k][n][n] (row-major, lower triangles read), w [k][n] ascending, z: NULL or k pointers (each
 * NULL or [n*n] as for pg_eigh_small_real). k <= kmax. Errors as pg_eigh_small_real (for any
 * matrix of the batch). */
pg_status_t pg_eigh_small_real_batch(pg_eigh_batch_ws_t *ws, int k, int n, const double *a,
                                     double *w, double complex *const *z);
/* The same for Hermitian matrices given as pg_eigh_small_packed_phased takes them: re [k][n(n+1)/2],
 * im [k][n(n-1)/2], phr, phi [k][n] (both NULL: no phases). Same bits per matrix as
 * pg_eigh_small_packed_phased. */
pg_status_t pg_eigh_small_packed_phased_batch(pg_eigh_batch_ws_t *ws, int k, int n,
                                              const double *re, const double *im,
                                              const double *phr, const double *phi, double *w,
                                              double complex *const *z);

#endif
