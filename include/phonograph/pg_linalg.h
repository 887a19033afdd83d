/* pg_linalg.h - dense eigen-solvers: the only place Fortran LAPACK/ScaLAPACK symbols are
 * declared and called (src/core/linalg.c). Matrices here are COLUMN-MAJOR (Fortran order):
 * a row-major Hermitian matrix passed as-is is read as its complex conjugate (callers that
 * hold row-major data must handle that; pg_dynmat does, in one place).
 * gfortran hidden CHARACTER lengths are passed as size_t.
 */
#ifndef PG_LINALG_H
#define PG_LINALG_H

#include <complex.h>
#include <mpi.h>
#include <stdint.h>

#include "phonograph/pg_status.h"

/* Workspace of zheevd for one matrix order (query once per stage, reuse in the loop). */
typedef struct {
    int n;
    int lwork, lrwork, liwork;
    double complex *work;
    double *rwork;
    int *iwork;
} pg_zheevd_ws_t;

/* Query and allocate the workspace for order n (eigenvectors wanted). */
pg_status_t pg_zheevd_ws_init(pg_zheevd_ws_t *ws, int n);
void pg_zheevd_ws_free(pg_zheevd_ws_t *ws);
/* Eigen-decomposition of the Hermitian n x n column-major a (upper triangle read): w ascending,
 * a overwritten by the orthonormal eigenvectors (column s = vector s). LAPACK zheevd.
 * Errors: PG_ERR_NUMERIC naming zheevd and info. Not collective. */
pg_status_t pg_zheevd(pg_zheevd_ws_t *ws, int n, double complex *a, double *w);
/* Real symmetric counterpart (dsyevd), allocating its workspace per call. */
pg_status_t pg_dsyevd(int n, double *a, double *w);

/* ScaLAPACK pzheevd on a BLACS grid made from comm with Csys2blacs_handle (never the default
 * system context); the most square nprow x npcol grid, block size nb (<= 0: 64).
 * a_full: the whole n x n column-major Hermitian matrix, identical on every rank (each rank
 * copies its own block-cyclic part); on return every rank holds w[n] (ascending) and, if
 * z_full != NULL, all eigenvectors z_full[n*n] (column-major; assembled with one sum
 * reduction). Collective on comm; errors agreed. */
pg_status_t pg_pzheevd(MPI_Comm comm, int n, int nb, const double complex *a_full, double *w,
                       double complex *z_full);

#endif
