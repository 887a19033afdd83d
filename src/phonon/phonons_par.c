/* phonons_par.c - distributing eigen-solves over the ranks of a communicator (see
 * pg_phonons.h). All MPI goes through pg_par. */
#include <stdlib.h>
#include <string.h>

#include "phonograph/pg_par.h"
#include "phonograph/pg_phonons.h"

static pg_status_t bcast_qset(MPI_Comm comm, pg_qset_t *qs)
{
    pg_status_t st = PG_OK;
    int64_t n = qs->n_q;
    int root = pg_par_rank(comm) == 0;
    PG_CHECK(pg_par_bcast(comm, 0, &n, sizeof n));
    if (!root) {
        memset(qs, 0, sizeof(*qs));
        PG_TRY_CALLOC(qs->q, n, "q-points");
        PG_TRY_CALLOC(qs->weight, n, "q weights");
        qs->n_q = n;
    }
cleanup:
    PG_CHECK(pg_par_agree(comm, &st));
    if (st != PG_OK) return st;
    PG_CHECK(pg_par_bcast(comm, 0, qs->q, sizeof(double[3]) * (size_t)n));
    PG_CHECK(pg_par_bcast(comm, 0, qs->weight, sizeof(double) * (size_t)n));
    return PG_OK;
}

/* allocate without jumping, so a failing rank still reaches the agreement point */
#define ALLOC_OR(ptr, n, what)                                                                     \
    do {                                                                                           \
        if (st == PG_OK) {                                                                         \
            (ptr) = calloc((size_t)(n), sizeof(*(ptr)));                                           \
            if (!(ptr)) st = PG_ERR(PG_ERR_NOMEM, "out of memory for %s", (what));                 \
        }                                                                                          \
    } while (0)

static int64_t part(int64_t n, int r, int p)
{
    return n * r / p;
}

/* q range of rank r: whole blocks */
static void q_range(int64_t n_q, int r, int p, int64_t *q0, int64_t *q1)
{
    int64_t n_blk = (n_q + PG_PHONON_BLOCK - 1) / PG_PHONON_BLOCK;
    *q0 = part(n_blk, r, p) * PG_PHONON_BLOCK;
    *q1 = part(n_blk, r + 1, p) * PG_PHONON_BLOCK;
    if (*q0 > n_q) *q0 = n_q;
    if (*q1 > n_q) *q1 = n_q;
}

/* Solve q in [q0, q1) with LAPACK; msd block sums into blk (block b at (b - q0/B) * n_msd). */
static pg_status_t solve_local(const pg_dynmat_t *dm, const pg_qset_t *qs, int64_t q0, int64_t q1,
                               const pg_phonon_solve_opts_t *o, double *f_loc,
                               double complex *e_loc, double *blk)
{
    pg_status_t st = PG_OK;
    const int n = pg_dynmat_n_band(dm), n_p = n / 3;
    const int64_t n_msd = (int64_t)o->n_t * n_p * 9;
    pg_dynmat_ws_t ws = {0};
    double complex *e1 = NULL;
    const pg_dynmat_eig_t ev = o->solver == PG_EIGEN_LAPACK  ? PG_DYNMAT_EIG_LAPACK
                               : o->solver == PG_EIGEN_SMALL ? PG_DYNMAT_EIG_SMALL
                                                             : PG_DYNMAT_EIG_AUTO;
    PG_TRY(pg_dynmat_ws_init_solver(&ws, dm, ev));
    PG_TRY_CALLOC(e1, (int64_t)n * n, "eigenvectors");
    for (int64_t iq = q0; iq < q1; iq++) {
        double complex *e = e_loc ? e_loc + (iq - q0) * n * n : e1;
        double *f = f_loc + (iq - q0) * n;
        PG_TRY(pg_dynmat_solve(dm, &ws, qs->q[iq], f, (e_loc || n_msd) ? e : NULL, NULL));
        if (n_msd > 0)
            pg_phonon_msd_accumulate(n_p, pg_dynmat_masses(dm), f, e, qs->weight[iq],
                                     o->msd_fmin_thz, 0, o->n_t, o->temp_k,
                                     blk + (iq / PG_PHONON_BLOCK - q0 / PG_PHONON_BLOCK) * n_msd);
    }
cleanup:
    free(e1);
    pg_dynmat_ws_free(&ws);
    return st;
}

/* ScaLAPACK path: every rank takes part in every solve; rank 0 keeps the results. */
static pg_status_t solve_scalapack(MPI_Comm comm, const pg_dynmat_t *dm, const pg_qset_t *qs,
                                   const pg_phonon_solve_opts_t *o, double *f_all,
                                   double complex *e_all, double *blk_all)
{
    pg_status_t st = PG_OK;
    const int rank = pg_par_rank(comm);
    const int n = pg_dynmat_n_band(dm), n_p = n / 3;
    const int64_t n_msd = (int64_t)o->n_t * n_p * 9;
    double complex *d = NULL, *e1 = NULL;
    double *f1 = NULL, *blk = NULL;
    PG_TRY_CALLOC(d, (int64_t)n * n, "D(q)");
    PG_TRY_CALLOC(e1, (int64_t)n * n, "eigenvectors");
    PG_TRY_CALLOC(f1, n, "frequencies");
    PG_TRY_CALLOC(blk, n_msd + 1, "msd block");
    for (int64_t iq = 0; iq < qs->n_q; iq++) {
        pg_dynmat_build(dm, qs->q[iq], d);
        /* every rank must ask for vectors alike (collective assembly inside) */
        st = pg_dynmat_solve_matrix_scalapack(comm, o->scalapack_nb, n, d, f1,
                                              (o->want_evec || n_msd) ? e1 : NULL);
        if (st != PG_OK) { /* already agreed inside pzheevd: every rank leaves together */
            pg_err_frame(__FILE__, __LINE__, __func__);
            goto cleanup;
        }
        if (n_msd > 0)
            pg_phonon_msd_accumulate(n_p, pg_dynmat_masses(dm), f1, e1, qs->weight[iq],
                                     o->msd_fmin_thz, 0, o->n_t, o->temp_k,
                                     blk_all ? blk_all + (iq / PG_PHONON_BLOCK) * n_msd : blk);
        if (rank == 0) {
            memcpy(f_all + iq * n, f1, sizeof(double) * (size_t)n);
            if (e_all) memcpy(e_all + iq * n * n, e1, sizeof(double complex) * (size_t)n * n);
        }
    }
cleanup:
    free(d);
    free(e1);
    free(f1);
    free(blk);
    return st;
}

pg_status_t pg_phonon_solve_distributed(MPI_Comm comm, const pg_dynmat_t *dm, pg_qset_t *qs,
                                        const pg_phonon_solve_opts_t *o, double **freq,
                                        double complex **evec, double *msd, int *used_scalapack)
{
    pg_status_t st = PG_OK;
    const int rank = pg_par_rank(comm), size = pg_par_size(comm);
    const int n = pg_dynmat_n_band(dm), n_p = n / 3;
    const int64_t n_msd = (int64_t)o->n_t * n_p * 9;
    double *f_loc = NULL, *f_all = NULL, *blk = NULL, *blk_all = NULL;
    double complex *e_loc = NULL, *e_all = NULL;
    int64_t *counts = NULL, *displs = NULL;
    if (freq) *freq = NULL;
    PG_CHECK(bcast_qset(comm, qs));
    const int64_t n_q = qs->n_q;
    const int64_t n_blk = (n_q + PG_PHONON_BLOCK - 1) / PG_PHONON_BLOCK;
    const int scal =
        o->solver == PG_EIGEN_SCALAPACK ||
        (o->solver == PG_EIGEN_AUTO && o->scalapack_min_band > 0 && n >= o->scalapack_min_band);
    if (used_scalapack) *used_scalapack = scal;
    int64_t q0 = 0, q1 = 0;
    q_range(n_q, rank, size, &q0, &q1);
    const int64_t nloc = q1 - q0, nbloc = (q1 - q0 + PG_PHONON_BLOCK - 1) / PG_PHONON_BLOCK;
    /* allocations (rank 0 holds the gathered arrays) */
    if (rank == 0) {
        ALLOC_OR(counts, size, "gather counts");
        ALLOC_OR(displs, size, "gather offsets");
        ALLOC_OR(f_all, n_q * n + 1, "frequencies");
        if (o->want_evec) ALLOC_OR(e_all, n_q * n * n + 1, "eigenvectors");
    }
    if (rank == 0 || scal) ALLOC_OR(blk_all, n_blk * n_msd + 1, "msd blocks");
    if (!scal) {
        ALLOC_OR(f_loc, nloc * n + 1, "local frequencies");
        if (o->want_evec) ALLOC_OR(e_loc, nloc * n * n + 1, "local eigenvectors");
        ALLOC_OR(blk, nbloc * n_msd + 1, "local msd blocks");
    }
    {
        pg_status_t sa = pg_par_agree(comm, &st);
        if (sa != PG_OK) st = sa;
        if (st != PG_OK) goto cleanup;
    }
    if (scal) {
        PG_TRY(solve_scalapack(comm, dm, qs, o, f_all, rank == 0 ? e_all : NULL, blk_all));
    } else {
        st = solve_local(dm, qs, q0, q1, o, f_loc, e_loc, blk);
        PG_TRY(pg_par_agree(comm, &st));
        if (st != PG_OK) goto cleanup;
        /* gather in q order (frequencies, eigenvectors) and block order (msd sums) */
        for (int pass = 0; pass < 3; pass++) {
            if ((pass == 1 && !o->want_evec) || (pass == 2 && n_msd == 0)) continue;
            int64_t unit = pass == 0   ? (int64_t)sizeof(double) * n
                           : pass == 1 ? (int64_t)sizeof(double complex) * n * n
                                       : (int64_t)sizeof(double) * n_msd;
            if (rank == 0)
                for (int r = 0; r < size; r++) {
                    int64_t a, z;
                    q_range(n_q, r, size, &a, &z);
                    if (pass == 2) { /* blocks */
                        a /= PG_PHONON_BLOCK;
                        z = (z + PG_PHONON_BLOCK - 1) / PG_PHONON_BLOCK;
                    }
                    counts[r] = (z - a) * unit;
                    displs[r] = a * unit;
                }
            const void *send = pass == 0   ? (const void *)f_loc
                               : pass == 1 ? (const void *)e_loc
                                           : (const void *)blk;
            void *recv = pass == 0 ? (void *)f_all : pass == 1 ? (void *)e_all : (void *)blk_all;
            int64_t n_send = (pass < 2 ? nloc : nbloc) * unit;
            PG_TRY(pg_par_gatherv_bytes(comm, 0, send, n_send, recv, counts, displs));
        }
    }
    if (rank == 0 && n_msd > 0) {
        double wsum = 0;
        for (int64_t iq = 0; iq < n_q; iq++) wsum += qs->weight[iq];
        memset(msd, 0, sizeof(double) * (size_t)n_msd);
        for (int64_t b = 0; b < n_blk; b++)
            for (int64_t t = 0; t < n_msd; t++) msd[t] += blk_all[b * n_msd + t];
        for (int64_t t = 0; t < n_msd; t++) msd[t] /= wsum;
    }
    if (rank == 0) {
        if (freq)
            *freq = f_all;
        else
            free(f_all);
        if (o->want_evec && evec)
            *evec = e_all;
        else
            free(e_all);
        f_all = NULL;
        e_all = NULL;
    }
cleanup:
    free(f_all);
    free(e_all);
    free(f_loc);
    free(e_loc);
    free(blk);
    free(blk_all);
    free(counts);
    free(displs);
    return st;
}
