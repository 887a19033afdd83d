/* pg_tridiag.h - eigen-decomposition of many small real symmetric tridiagonal matrices at once:
 * lockstep implicit QL with one matrix per SIMD lane (src/core/tridiag.c). Used by the real
 * small eigensolver (pg_eigh.h) for batches of dynamical matrices: the implicit QL of one small
 * matrix is bound by the latency of its rotation chain; a batch of 8 turns that into throughput
 * (docs/performance.md ## Phonons).
 *
 * Conventions: T has diagonal d[0..n-1] and off-diagonal e[0..n-2] (e[i] couples i and i+1),
 * 1 <= n <= PG_TRIDIAG_MAX_N. Outputs: w[0..n-1] eigenvalues ascending; zt[s*ld + r] (r < n) =
 * component r of the unit eigenvector s (one vector per row), ld >= n a multiple of 4, entries
 * r >= n of each row set to 0. ws: scratch of pg_tridiag_ws_size(n) doubles (any 8-byte
 * alignment). No allocation, no global state. Return 0; -1 if some matrix did not converge in 60
 * iterations for one eigenvalue (the others are still solved) or on a bad argument; -2 if there
 * is no kernel for this CPU or build (pg_tridiag_available() is 0).
 *
 * Bits: a matrix's result does not depend on which other matrices share its batch, and on
 * AVX2/AVX-512 machines the batched and the single-matrix calls give the same bits. */
#ifndef PG_TRIDIAG_H
#define PG_TRIDIAG_H

#include <stddef.h>

#define PG_TRIDIAG_MAX_N 64

/* 1 if the kernels exist in this build and handle order n. */
int pg_tridiag_available(int n);
size_t pg_tridiag_ws_size(int n);
/* k matrices: matrix j uses d + j*n, e + j*(n-1), w + j*n, zt + j*n*ld. */
int pg_tridiag_eig_batch(int k, int n, const double *d, const double *e, double *w, double *zt,
                         int ld, double *ws);
/* One matrix (a scalar QL with the kernels' operation sequence; no faster than any other QL:
 * use the batch for many). */
int pg_tridiag_eig(int n, const double *d, const double *e, double *w, double *zt, int ld,
                   double *ws);
/* For tests: the batch with a given kernel, isa = 4 (AVX-512), 3 (AVX2+FMA), 1 (SSE2) or 0
 * (the best available); -2 if this CPU lacks it. */
int pg_tridiag_eig_batch_isa(int isa, int k, int n, const double *d, const double *e, double *w,
                             double *zt, int ld, double *ws);

#endif
