/* linalg.c - LAPACK / ScaLAPACK wrappers (the only file declaring Fortran symbols). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "phonograph/pg_linalg.h"
#include "phonograph/pg_par.h"

/* ---- Fortran LAPACK (OpenBLAS) ---- */
void zheevd_(const char *jobz, const char *uplo, const int *n, double complex *a, const int *lda,
             double *w, double complex *work, const int *lwork, double *rwork, const int *lrwork,
             int *iwork, const int *liwork, int *info, size_t ljobz, size_t luplo);
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
             double *w, double *work, const int *lwork, int *iwork, const int *liwork, int *info,
             size_t ljobz, size_t luplo);

/* ---- BLACS (C interface inside libscalapack-openmpi) and ScaLAPACK ---- */
int Csys2blacs_handle(MPI_Comm comm);
void Cfree_blacs_system_handle(int handle);
void Cblacs_gridinit(int *ictxt, const char *order, int nprow, int npcol);
void Cblacs_gridinfo(int ictxt, int *nprow, int *npcol, int *myrow, int *mycol);
void Cblacs_gridexit(int ictxt);
int numroc_(const int *n, const int *nb, const int *iproc, const int *isrcproc,
            const int *nprocs);
void descinit_(int *desc, const int *m, const int *n, const int *mb, const int *nb,
               const int *irsrc, const int *icsrc, const int *ictxt, const int *lld, int *info);
void pzheevd_(const char *jobz, const char *uplo, const int *n, double complex *a, const int *ia,
              const int *ja, const int *desca, double *w, double complex *z, const int *iz,
              const int *jz, const int *descz, double complex *work, const int *lwork,
              double *rwork, const int *lrwork, int *iwork, const int *liwork, int *info,
              size_t ljobz, size_t luplo);

pg_status_t pg_zheevd_ws_init(pg_zheevd_ws_t *ws, int n)
{
    pg_status_t st = PG_OK;
    memset(ws, 0, sizeof(*ws));
    PG_REQUIRE(n > 0, PG_ERR_INTERNAL, "zheevd workspace for order %d", n);
    double complex wq = 0;
    double rq = 0, wdummy = 0;
    int iq = 0, m1 = -1, info = 0;
    double complex adummy = 0;
    zheevd_("V", "U", &n, &adummy, &n, &wdummy, &wq, &m1, &rq, &m1, &iq, &m1, &info, 1, 1);
    PG_REQUIRE(info == 0, PG_ERR_NUMERIC, "zheevd workspace query failed (info %d)", info);
    ws->n = n;
    ws->lwork = (int)creal(wq) + 1;
    ws->lrwork = (int)rq + 1;
    ws->liwork = iq > 0 ? iq : 1;
    PG_TRY_CALLOC(ws->work, ws->lwork, "zheevd work");
    PG_TRY_CALLOC(ws->rwork, ws->lrwork, "zheevd rwork");
    PG_TRY_CALLOC(ws->iwork, ws->liwork, "zheevd iwork");
    return PG_OK;
cleanup:
    pg_zheevd_ws_free(ws);
    return st;
}

void pg_zheevd_ws_free(pg_zheevd_ws_t *ws)
{
    if (!ws) return;
    free(ws->work);
    free(ws->rwork);
    free(ws->iwork);
    memset(ws, 0, sizeof(*ws));
}

pg_status_t pg_zheevd(pg_zheevd_ws_t *ws, int n, double complex *a, double *w)
{
    PG_REQUIRE(ws->n == n, PG_ERR_INTERNAL, "zheevd workspace for order %d used for %d", ws->n,
               n);
    int info = 0;
    zheevd_("V", "U", &n, a, &n, w, ws->work, &ws->lwork, ws->rwork, &ws->lrwork, ws->iwork,
            &ws->liwork, &info, 1, 1);
    PG_REQUIRE(info == 0, PG_ERR_NUMERIC, "LAPACK zheevd failed for order %d (info %d)", n, info);
    return PG_OK;
}

pg_status_t pg_dsyevd(int n, double *a, double *w)
{
    pg_status_t st = PG_OK;
    double *work = NULL;
    int *iwork = NULL;
    double wq = 0;
    int iq = 0, m1 = -1, info = 0;
    dsyevd_("V", "U", &n, a, &n, w, &wq, &m1, &iq, &m1, &info, 1, 1);
    PG_REQUIRE(info == 0, PG_ERR_NUMERIC, "dsyevd workspace query failed (info %d)", info);
    int lwork = (int)wq + 1, liwork = iq > 0 ? iq : 1;
    PG_TRY_CALLOC(work, lwork, "dsyevd work");
    PG_TRY_CALLOC(iwork, liwork, "dsyevd iwork");
    dsyevd_("V", "U", &n, a, &n, w, work, &lwork, iwork, &liwork, &info, 1, 1);
    PG_TRY_REQUIRE(info == 0, PG_ERR_NUMERIC, "LAPACK dsyevd failed for order %d (info %d)", n,
                   info);
cleanup:
    free(work);
    free(iwork);
    return st;
}

/* global index of local index l in a block-cyclic distribution */
static int64_t l2g(int l, int nb, int p, int np) { return (int64_t)(l / nb) * nb * np + (int64_t)p * nb + l % nb; }

pg_status_t pg_pzheevd(MPI_Comm comm, int n, int nb, const double complex *a_full, double *w,
                       double complex *z_full)
{
    pg_status_t st = PG_OK;
    int size = pg_par_size(comm);
    int handle = -1, ctxt = -1;
    double complex *A = NULL, *Z = NULL, *work = NULL;
    double *rwork = NULL;
    int *iwork = NULL;
    if (nb <= 0) nb = 64;
    if (nb > n) nb = n;
    int nprow = (int)sqrt((double)size);
    while (nprow > 1 && size % nprow) nprow--;
    int npcol = size / nprow;
    handle = Csys2blacs_handle(comm);
    ctxt = handle;
    Cblacs_gridinit(&ctxt, "Row", nprow, npcol);
    int myrow = -1, mycol = -1, pr = 0, pc = 0;
    Cblacs_gridinfo(ctxt, &pr, &pc, &myrow, &mycol);
    PG_TRY_REQUIRE(myrow >= 0 && mycol >= 0, PG_ERR_MPI,
                   "BLACS grid %dx%d from the communicator was not created", nprow, npcol);
    int izero = 0, ione = 1, info = 0;
    int mloc = numroc_(&n, &nb, &myrow, &izero, &nprow);
    int nloc = numroc_(&n, &nb, &mycol, &izero, &npcol);
    int lld = mloc > 1 ? mloc : 1;
    int desc[9];
    descinit_(desc, &n, &n, &nb, &nb, &izero, &izero, &ctxt, &lld, &info);
    PG_TRY_REQUIRE(info == 0, PG_ERR_NUMERIC, "ScaLAPACK descinit failed (info %d)", info);
    PG_TRY_CALLOC(A, (int64_t)lld * (nloc > 0 ? nloc : 1), "pzheevd local matrix");
    PG_TRY_CALLOC(Z, (int64_t)lld * (nloc > 0 ? nloc : 1), "pzheevd local eigenvectors");
    for (int lj = 0; lj < nloc; lj++) {
        int64_t gj = l2g(lj, nb, mycol, npcol);
        for (int li = 0; li < mloc; li++)
            A[(int64_t)lj * lld + li] = a_full[gj * n + l2g(li, nb, myrow, nprow)];
    }
    double complex wq = 0;
    double rq = 0;
    int iq = 0, m1 = -1;
    pzheevd_("V", "U", &n, A, &ione, &ione, desc, w, Z, &ione, &ione, desc, &wq, &m1, &rq, &m1,
             &iq, &m1, &info, 1, 1);
    PG_TRY_REQUIRE(info == 0, PG_ERR_NUMERIC, "pzheevd workspace query failed (info %d)", info);
    int lwork = (int)creal(wq) + 1, lrwork = (int)rq + 1, liwork = iq > 0 ? iq : 1;
    PG_TRY_CALLOC(work, lwork, "pzheevd work");
    PG_TRY_CALLOC(rwork, lrwork, "pzheevd rwork");
    PG_TRY_CALLOC(iwork, liwork, "pzheevd iwork");
    pzheevd_("V", "U", &n, A, &ione, &ione, desc, w, Z, &ione, &ione, desc, work, &lwork, rwork,
             &lrwork, iwork, &liwork, &info, 1, 1);
    PG_TRY_REQUIRE(info == 0, PG_ERR_NUMERIC, "ScaLAPACK pzheevd failed for order %d (info %d)",
                   n, info);
    if (z_full) {
        memset(z_full, 0, sizeof(double complex) * (size_t)n * (size_t)n);
        for (int lj = 0; lj < nloc; lj++) {
            int64_t gj = l2g(lj, nb, mycol, npcol);
            for (int li = 0; li < mloc; li++)
                z_full[gj * n + l2g(li, nb, myrow, nprow)] = Z[(int64_t)lj * lld + li];
        }
    }
cleanup:
    free(A);
    free(Z);
    free(work);
    free(rwork);
    free(iwork);
    if (ctxt >= 0 && myrow >= 0) Cblacs_gridexit(ctxt);
    if (handle >= 0) Cfree_blacs_system_handle(handle);
    PG_CHECK(pg_par_agree(comm, &st));
    if (st == PG_OK && z_full) PG_CHECK(pg_par_sum_double(comm, (double *)z_full, 2 * (int64_t)n * n));
    return st;
}
