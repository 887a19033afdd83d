/* pg_linalg.h - dense eigen-solvers: the only place Fortran LAPACK/ScaLAPACK symbols are
 * declared and called (src/core/linalg.c). Matrices here are COLUMN-MAJOR (Fortran order):
 * a row-major Hermitian matrix passed as-is is read as its complex conjugate (callers that
 * hold row-major data must handle that; pg_dynmat does, in one place).
 * gfortran hidden CHARACTER lengths are passed as size_t. LAPACK `info` != 0 becomes
 * PG_ERR_NUMERIC naming the routine. Integers passed to Fortran are 32-bit (LP64
 * OpenBLAS/ScaLAPACK): sizes above INT_MAX are rejected with PG_ERR_INPUT.
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
/* (The real symmetric counterpart is pg_linalg_dsyevd below.) */

/* ScaLAPACK pzheevd on a BLACS grid made from comm with Csys2blacs_handle (never the default
 * system context); the most square nprow x npcol grid, block size nb (<= 0: 64).
 * a_full: the whole n x n column-major Hermitian matrix, identical on every rank (each rank
 * copies its own block-cyclic part); on return every rank holds w[n] (ascending) and, if
 * z_full != NULL, all eigenvectors z_full[n*n] (column-major; assembled with one sum
 * reduction). Collective on comm; errors agreed. */
pg_status_t pg_pzheevd(MPI_Comm comm, int n, int nb, const double complex *a_full, double *w,
                       double complex *z_full);

/* ---- serial LAPACK ------------------------------------------------------------------- */

/* All eigenvalues (ascending) of the real symmetric n×n matrix a (column-major, leading
 * dimension lda >= n, lower triangle referenced) with dsyevd. want_vectors != 0: on return
 * a holds the orthonormal eigenvectors as columns; otherwise a is destroyed.
 * w: [n] caller-owned. Not collective. Errors: PG_ERR_INPUT, PG_ERR_NOMEM, PG_ERR_NUMERIC. */
pg_status_t pg_linalg_dsyevd(int64_t n, double *a, int64_t lda, int want_vectors, double *w);

/* Eigenvalues il..iu (1-based, ascending order of the whole spectrum, 1 <= il <= iu <= n)
 * of the real symmetric matrix a (column-major, lda >= n, lower triangle referenced,
 * destroyed) with dsyevr (RANGE='I', ABSTOL = 2·safe minimum for the most accurate
 * bisection). w: [iu-il+1] caller-owned. z == NULL: eigenvalues only; otherwise z receives
 * the eigenvectors as columns, [iu-il+1] columns of leading dimension ldz >= n.
 * Not collective. Errors: PG_ERR_INPUT, PG_ERR_NOMEM, PG_ERR_NUMERIC. */
pg_status_t pg_linalg_dsyevr_range(int64_t n, double *a, int64_t lda, int64_t il, int64_t iu,
                                   double *w, double *z, int64_t ldz);

/* ---- ScaLAPACK on a BLACS grid made from an explicit communicator ----------------------- */

/* A BLACS process grid over all ranks of comm (the most square nprow × npcol with
 * nprow <= npcol, row-major order), built from Csys2blacs_handle(comm), never the default
 * system context. */
typedef struct {
    int handle;  /* BLACS system handle of comm (Csys2blacs_handle) */
    int ctxt;    /* BLACS context of the grid */
    int nprow, npcol, myrow, mycol;
} pg_linalg_grid_t;

/* Create the grid. Collective on comm. Release with pg_linalg_grid_free (collective). */
pg_status_t pg_linalg_grid_create(MPI_Comm comm, pg_linalg_grid_t *g);
void pg_linalg_grid_free(pg_linalg_grid_t *g);

/* A square n×n matrix distributed 2D block-cyclically over a grid with square blocks nb,
 * source process (0,0). Local storage is column-major [n_local_col][lld]. */
typedef struct {
    int64_t n, nb;
    int64_t n_local_row, n_local_col, lld;
    int desc[9]; /* ScaLAPACK array descriptor */
} pg_linalg_dist_t;

/* Fill *d for an n×n matrix with block size nb on grid g. Not collective. */
pg_status_t pg_linalg_dist_init(const pg_linalg_grid_t *g, int64_t n, int64_t nb,
                                pg_linalg_dist_t *d);
/* Owner and local index of global row/column i (0-based) for block size nb over np
 * processes: returns the owning process coordinate, *local = local 0-based index. */
static inline int pg_linalg_bc_owner(int64_t i, int64_t nb, int np, int64_t *local)
{
    int64_t blk = i / nb;
    *local = (blk / np) * nb + i % nb;
    return (int)(blk % np);
}

/* Eigenvalues il..iu (1-based) of the distributed real symmetric matrix a_local (layout d,
 * lower triangle referenced, destroyed) with pdsyevr (RANGE='I'). w: [iu-il+1] on every
 * rank (identical). z_local == NULL: eigenvalues only; otherwise z_local (layout d) receives
 * the eigenvectors as the first iu-il+1 global columns; then iu-il+1 must be >= nb (or n):
 * pdsyevr's internal workspace is too small for fewer (see linalg.c). Collective on the grid's
 * comm.
 * Errors: PG_ERR_INPUT, PG_ERR_NOMEM, PG_ERR_NUMERIC (same on every rank). */
pg_status_t pg_linalg_pdsyevr_range(const pg_linalg_grid_t *g, const pg_linalg_dist_t *d,
                                    double *a_local, int64_t il, int64_t iu, double *w,
                                    double *z_local);

#endif
