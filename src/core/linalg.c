/* linalg.c - LAPACK / ScaLAPACK wrappers (the only file declaring Fortran symbols). */
#include <float.h>
#include <limits.h>
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

void dsyevr_(const char *jobz, const char *range, const char *uplo, const int *n,
                    double *a, const int *lda, const double *vl, const double *vu, const int *il,
                    const int *iu, const double *abstol, int *m, double *w, double *z,
                    const int *ldz, int *isuppz, double *work, const int *lwork, int *iwork,
                    const int *liwork, int *info, size_t l_jobz, size_t l_range, size_t l_uplo);

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
void pdsyevr_(const char *jobz, const char *range, const char *uplo, const int *n,
                     double *a, const int *ia, const int *ja, const int *desca, const double *vl,
                     const double *vu, const int *il, const int *iu, int *m, int *nz, double *w,
                     double *z, const int *iz, const int *jz, const int *descz, double *work,
                     const int *lwork, int *iwork, const int *liwork, int *info, size_t l_jobz,
                     size_t l_range, size_t l_uplo);

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
    /* Workspaces: the query returns pzheevd's documented minima (LWORK = N + (NP0+MQ0+NB)·NB,
     * LRWORK = 1 + 9N + 3·NP·NQ, LIWORK = 7N + 8·NPCOL + 2); the padding below is kept as a
     * margin, it is not what the nb = 2 fault was. That fault (SEGV in zgemv under pzhemv,
     * only under ASan, only sometimes) is a read of one complex past the end of PBLAS's own
     * vector buffer (PB_CInV, malloc'd inside pzhemv): OpenBLAS 0.3.21's zgemv_n kernels of the
     * Haswell family (Haswell, SkylakeX, Cooperlake, Zen; not Nehalem/Core2) read x[n] when
     * m % 4 == 2 and m >= 6 (checked with zgemv alone and guard pages; valgrind names the
     * PB_CInV buffer). n = 6 bands on a 1 x P grid gives m = 6. The value read is not used
     * (results match LAPACK to 1e-13), and with glibc malloc the byte after a small chunk is
     * always mapped; ASan's allocator can put the 96-byte buffer at the end of a mapping,
     * hence the random SEGV. Nothing in our descriptors or workspaces causes it and nothing
     * here can pad a buffer PBLAS allocates; test/mpi/test_pzheevd_blocks.c covers nb = 2 and
     * faults under SANITIZE=1 every time in one configuration, so tools/run_tests.sh selects
     * OpenBLAS's Nehalem kernels (no over-read) for sanitizer runs. Outside ASan a read past a
     * small glibc chunk lands in the next chunk header; for x buffers of >= 128 KiB (mmap'ed,
     * local m >= 8192) it could in principle cross a page end. */
    int lwork = 2 * (int)creal(wq) + n * n + 64, lrwork = 2 * (int)rq + 2 * n * n + 64;
    int liwork = 2 * (iq > 0 ? iq : 1) + 8 * n + 64;
    PG_TRY_CALLOC(work, lwork, "pzheevd work");
    PG_TRY_CALLOC(rwork, lrwork, "pzheevd rwork");
    PG_TRY_CALLOC(iwork, liwork, "pzheevd iwork");
    pzheevd_("V", "U", &n, A, &ione, &ione, desc, w, Z, &ione, &ione, desc, work, &lwork, rwork,
             &lrwork, iwork, &liwork, &info, 1, 1);
    PG_TRY_REQUIRE(info == 0, PG_ERR_NUMERIC, "ScaLAPACK pzheevd failed for order %d (info %d)",
                   n, info);
    /* W is complete only on the ranks that own part of the matrix: with one block (nb >= n)
     * the other ranks got wrong eigenvalues (seen: 1.3 relative at n = 6 on 1x2 and 2x2). The
     * grid's process (0,0) = rank 0 of comm always holds the first block: W is taken from it
     * (broadcast after the agreement below, so a failed rank cannot leave the others waiting). */
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
    if (st == PG_OK) PG_CHECK(pg_par_bcast(comm, 0, w, sizeof(double) * (size_t)n));
    if (st == PG_OK && z_full) PG_CHECK(pg_par_sum_double(comm, (double *)z_full, 2 * (int64_t)n * n));
    return st;
}

/* ---- real symmetric eigenvalues near a gap (tight binding), index ranges ---------------- */

static pg_status_t to_int(int64_t v, const char *what, int *out)
{
    PG_REQUIRE(v >= 0 && v <= INT_MAX, PG_ERR_INPUT,
               "%s = %lld does not fit the 32-bit LAPACK integer", what, (long long)v);
    *out = (int)v;
    return PG_OK;
}

/* LAPACK returns the optimal lwork as a double; round up and cap at INT_MAX */
static int work_size(double w)
{
    if (!(w < (double)INT_MAX)) return INT_MAX;
    return (int)ceil(w);
}

pg_status_t pg_linalg_dsyevd(int64_t n, double *a, int64_t lda, int want_vectors, double *w)
{
    pg_status_t st = PG_OK;
    double *work = NULL;
    int *iwork = NULL;
    int ni = 0, ldai = 0;
    PG_CHECK(to_int(n, "matrix dimension", &ni));
    PG_CHECK(to_int(lda, "leading dimension", &ldai));
    PG_REQUIRE(ldai >= (ni > 1 ? ni : 1), PG_ERR_INPUT, "dsyevd: lda %d < n %d", ldai, ni);
    if (ni == 0) return PG_OK;
    const char jobz = want_vectors ? 'V' : 'N', uplo = 'L';
    int info = 0, lwork = -1, liwork = -1, iw_query = 0;
    double w_query = 0.0;
    dsyevd_(&jobz, &uplo, &ni, a, &ldai, w, &w_query, &lwork, &iw_query, &liwork, &info, 1, 1);
    PG_TRY_REQUIRE(info == 0, PG_ERR_NUMERIC, "dsyevd workspace query failed (info %d)", info);
    lwork = work_size(w_query);
    liwork = iw_query > 1 ? iw_query : 1;
    PG_TRY_CALLOC(work, lwork, "dsyevd work");
    PG_TRY_CALLOC(iwork, liwork, "dsyevd iwork");
    dsyevd_(&jobz, &uplo, &ni, a, &ldai, w, work, &lwork, iwork, &liwork, &info, 1, 1);
    PG_TRY_REQUIRE(info == 0, PG_ERR_NUMERIC,
                   "dsyevd failed on a %dx%d matrix (info %d: %s)", ni, ni, info,
                   info < 0 ? "illegal argument" : "no convergence");
cleanup:
    free(work);
    free(iwork);
    return st;
}

pg_status_t pg_linalg_dsyevr_range(int64_t n, double *a, int64_t lda, int64_t il, int64_t iu,
                                   double *w, double *z, int64_t ldz)
{
    pg_status_t st = PG_OK;
    double *work = NULL, *wfull = NULL, zdummy = 0.0;
    int *iwork = NULL, *isuppz = NULL;
    int ni = 0, ldai = 0, ili = 0, iui = 0, ldzi = 1;
    PG_CHECK(to_int(n, "matrix dimension", &ni));
    PG_CHECK(to_int(lda, "leading dimension", &ldai));
    PG_CHECK(to_int(il, "first eigenvalue index", &ili));
    PG_CHECK(to_int(iu, "last eigenvalue index", &iui));
    if (z) PG_CHECK(to_int(ldz, "eigenvector leading dimension", &ldzi));
    PG_REQUIRE(ni >= 1 && ldai >= ni && 1 <= ili && ili <= iui && iui <= ni &&
                   ldzi >= (z ? ni : 1),
               PG_ERR_INPUT, "dsyevr: bad arguments n=%d lda=%d il=%d iu=%d ldz=%d", ni, ldai,
               ili, iui, ldzi);
    const char jobz = z ? 'V' : 'N', range = 'I', uplo = 'L';
    const double vl = 0.0, vu = 0.0, abstol = 2.0 * DBL_MIN; /* most accurate bisection */
    const int n_want = iui - ili + 1;
    int m = 0, info = 0, lwork = -1, liwork = -1, iw_query = 0;
    double w_query = 0.0;
    PG_TRY_CALLOC(isuppz, 2 * (size_t)n_want, "dsyevr isuppz");
    PG_TRY_CALLOC(wfull, ni, "dsyevr eigenvalues"); /* LAPACK documents W as dimension N */
    dsyevr_(&jobz, &range, &uplo, &ni, a, &ldai, &vl, &vu, &ili, &iui, &abstol, &m, wfull,
            z ? z : &zdummy, &ldzi, isuppz, &w_query, &lwork, &iw_query, &liwork, &info, 1, 1, 1);
    PG_TRY_REQUIRE(info == 0, PG_ERR_NUMERIC, "dsyevr workspace query failed (info %d)", info);
    lwork = work_size(w_query);
    liwork = iw_query > 1 ? iw_query : 1;
    PG_TRY_CALLOC(work, lwork, "dsyevr work");
    PG_TRY_CALLOC(iwork, liwork, "dsyevr iwork");
    dsyevr_(&jobz, &range, &uplo, &ni, a, &ldai, &vl, &vu, &ili, &iui, &abstol, &m, wfull,
            z ? z : &zdummy, &ldzi, isuppz, work, &lwork, iwork, &liwork, &info, 1, 1, 1);
    PG_TRY_REQUIRE(info == 0, PG_ERR_NUMERIC, "dsyevr failed on a %dx%d matrix (info %d: %s)",
                   ni, ni, info, info < 0 ? "illegal argument" : "internal error");
    PG_TRY_REQUIRE(m == n_want, PG_ERR_NUMERIC, "dsyevr returned %d eigenvalues, asked for %d",
                   m, n_want);
    for (int k = 0; k < n_want; k++) w[k] = wfull[k];
cleanup:
    free(work);
    free(iwork);
    free(isuppz);
    free(wfull);
    return st;
}

pg_status_t pg_linalg_grid_create(MPI_Comm comm, pg_linalg_grid_t *g)
{
    PG_REQUIRE(comm != MPI_COMM_NULL, PG_ERR_INPUT, "BLACS grid needs a communicator");
    int size = pg_par_size(comm);
    PG_REQUIRE(size >= 1, PG_ERR_MPI, "cannot query the size of the ScaLAPACK communicator");
    /* most square grid with nprow <= npcol (1x2 beat 2x1 on this machine, platform.md) */
    int nprow = (int)floor(sqrt((double)size));
    while (size % nprow) nprow--;
    g->handle = Csys2blacs_handle(comm);
    g->ctxt = g->handle;
    Cblacs_gridinit(&g->ctxt, "Row", nprow, size / nprow);
    Cblacs_gridinfo(g->ctxt, &g->nprow, &g->npcol, &g->myrow, &g->mycol);
    if (g->myrow < 0 || g->mycol < 0 || g->nprow != nprow || g->npcol != size / nprow) {
        Cfree_blacs_system_handle(g->handle);
        return PG_ERR(PG_ERR_MPI, "BLACS grid %dx%d could not be created", nprow, size / nprow);
    }
    return PG_OK;
}

void pg_linalg_grid_free(pg_linalg_grid_t *g)
{
    if (!g || g->nprow <= 0) return;
    Cblacs_gridexit(g->ctxt);
    Cfree_blacs_system_handle(g->handle);
    g->nprow = g->npcol = 0;
    g->myrow = g->mycol = -1;
}

pg_status_t pg_linalg_dist_init(const pg_linalg_grid_t *g, int64_t n, int64_t nb,
                                pg_linalg_dist_t *d)
{
    int ni = 0, nbi = 0, info = 0;
    const int zero = 0;
    PG_CHECK(to_int(n, "matrix dimension", &ni));
    PG_CHECK(to_int(nb, "block size", &nbi));
    PG_REQUIRE(ni >= 1 && nbi >= 1, PG_ERR_INPUT, "distributed matrix: n=%d nb=%d", ni, nbi);
    int nr = numroc_(&ni, &nbi, &g->myrow, &zero, &g->nprow);
    int nc = numroc_(&ni, &nbi, &g->mycol, &zero, &g->npcol);
    int lld = nr > 1 ? nr : 1;
    descinit_(d->desc, &ni, &ni, &nbi, &nbi, &zero, &zero, &g->ctxt, &lld, &info);
    PG_REQUIRE(info == 0, PG_ERR_INPUT, "descinit failed (info %d) for n=%d nb=%d", info, ni, nbi);
    d->n = n;
    d->nb = nb;
    d->n_local_row = nr;
    d->n_local_col = nc;
    d->lld = lld;
    return PG_OK;
}

pg_status_t pg_linalg_pdsyevr_range(const pg_linalg_grid_t *g, const pg_linalg_dist_t *d,
                                    double *a_local, int64_t il, int64_t iu, double *w,
                                    double *z_local)
{
    pg_status_t st = PG_OK;
    double *work = NULL, *wfull = NULL;
    int *iwork = NULL;
    int ni = (int)d->n, ili = 0, iui = 0;
    PG_CHECK(to_int(il, "first eigenvalue index", &ili));
    PG_CHECK(to_int(iu, "last eigenvalue index", &iui));
    PG_REQUIRE(1 <= ili && ili <= iui && iui <= ni, PG_ERR_INPUT,
               "pdsyevr: bad index range %d..%d for n=%d", ili, iui, ni);
    /* pdsyevr sizes the workspace of its back-transformation (PDORMTR, LWORK = SIZE1) from
     * the number of wanted vectors; with fewer than nb of them it is too small (ScaLAPACK
     * 2.2.1 prints "PDORMTR parameter number 16 had an illegal value", returns info = 0 and
     * wrong vectors). (NP0 − NB)(MQ0 − NB) >= 0 makes it large enough: ask for >= nb. */
    PG_REQUIRE(!z_local || iui - ili + 1 >= (int)d->nb || iui - ili + 1 == ni, PG_ERR_INPUT,
               "pdsyevr with eigenvectors needs at least nb = %d of them (asked for %d)",
               (int)d->nb, iui - ili + 1);
    const char jobz = z_local ? 'V' : 'N', range = 'I', uplo = 'L';
    const double vl = 0.0, vu = 0.0;
    const int one = 1;
    int m = 0, nz = 0, info = 0, lwork = -1, liwork = -1, iw_query = 0;
    double w_query = 0.0;
    /* Z is not referenced for JOBZ='N' but its descriptor is checked: pass A's */
    double *z = z_local ? z_local : a_local;
    PG_TRY_CALLOC(wfull, ni, "pdsyevr eigenvalues");
    pdsyevr_(&jobz, &range, &uplo, &ni, a_local, &one, &one, d->desc, &vl, &vu, &ili, &iui, &m,
             &nz, wfull, z, &one, &one, d->desc, &w_query, &lwork, &iw_query, &liwork, &info, 1,
             1, 1);
    PG_TRY_REQUIRE(info == 0, PG_ERR_NUMERIC, "pdsyevr workspace query failed (info %d)", info);
    lwork = work_size(w_query);
    liwork = iw_query > 1 ? iw_query : 1;
    PG_TRY_CALLOC(work, lwork, "pdsyevr work");
    PG_TRY_CALLOC(iwork, liwork, "pdsyevr iwork");
    pdsyevr_(&jobz, &range, &uplo, &ni, a_local, &one, &one, d->desc, &vl, &vu, &ili, &iui, &m,
             &nz, wfull, z, &one, &one, d->desc, work, &lwork, iwork, &liwork, &info, 1, 1, 1);
    PG_TRY_REQUIRE(info == 0, PG_ERR_NUMERIC, "pdsyevr failed on a %dx%d matrix (info %d)", ni,
                   ni, info);
    PG_TRY_REQUIRE(m == iui - ili + 1, PG_ERR_NUMERIC,
                   "pdsyevr returned %d eigenvalues, asked for %d", m, iui - ili + 1);
    for (int k = 0; k < m; k++) w[k] = wfull[k];
cleanup:
    free(work);
    free(iwork);
    free(wfull);
    return st;
}
