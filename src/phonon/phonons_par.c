/* phonons_par.c - distributing eigen-solves over the ranks of a communicator (see
 * pg_phonons.h). All MPI goes through pg_par. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "phonograph/pg_par.h"
#include "phonograph/pg_phonons.h"
#include "phonograph/pg_units.h"

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

/* Large result arrays (the eigenvectors of a 40^3 mesh are 230 MB): NOT zero-filled (every
 * element is written once), 2 MiB aligned and marked for transparent huge pages, so the first
 * touch by the writing rank costs one page fault per 2 MiB instead of per 4 KiB (where the
 * kernel allows THP; otherwise madvise is a no-op). Freed with free(). */
#define BIG_ALLOC_MIN ((size_t)4 << 20)
static void *alloc_big(size_t n_bytes)
{
    if (n_bytes < BIG_ALLOC_MIN) return malloc(n_bytes);
    void *p = NULL;
    if (posix_memalign(&p, (size_t)2 << 20, n_bytes) != 0) return NULL;
#ifdef MADV_HUGEPAGE
    (void)madvise(p, n_bytes, MADV_HUGEPAGE); /* advice only: failure changes nothing */
#endif
    return p;
}
#define ALLOC_BIG_OR(ptr, n, what)                                                                 \
    do {                                                                                           \
        if (st == PG_OK) {                                                                         \
            (ptr) = alloc_big((size_t)(n) * sizeof(*(ptr)));                                       \
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

/* ---- ±q pairs: D(−q + G) = W^H conj(D(q)) W with W = diag(exp(2πi G·x_j)) ----
 * so ν(−q + G) = ν(q) and e(−q + G)_{3j+a,s} = exp(−2πi G·x_j) conj(e(q)_{3j+a,s}). A point
 * whose partner comes EARLIER in the list is derived from it instead of being solved. */

/* q mod 1 quantised to 1e-8 (a lookup key only: matches are verified exactly below) */
static void q_key(const double q[3], int sign, int64_t key[3])
{
    for (int c = 0; c < 3; c++) {
        double x = sign * q[c];
        x -= floor(x);
        int64_t k = llround(x * 1e8);
        key[c] = k >= 100000000 ? k - 100000000 : k;
    }
}

static uint64_t key_hash(const int64_t key[3])
{
    uint64_t h = 1469598103934665603ull;
    for (int c = 0; c < 3; c++) h = (h ^ (uint64_t)key[c]) * 1099511628211ull;
    return h ^ (h >> 29);
}

/* partner[iq] = jq < iq if q[iq] ≡ −q[jq] (|q_iq + q_jq − G| < 1e-9 for an integer G), iq is
 * the first point with its own key and jq the first with the key of −q[iq]; else −1. Then jq
 * itself is never derived, and the choice depends only on the list (not on ranks). */
static pg_status_t find_partners(const pg_qset_t *qs, int64_t *partner)
{
    pg_status_t st = PG_OK;
    const int64_t n_q = qs->n_q;
    int64_t cap = 16;
    while (cap < 2 * n_q) cap *= 2;
    int64_t *slot = NULL; /* first index with each key, −1 = empty */
    PG_TRY_CALLOC(slot, cap, "q-point hash");
    for (int64_t t = 0; t < cap; t++) slot[t] = -1;
    for (int64_t iq = 0; iq < n_q; iq++) {
        int64_t key[3], kj[3], self = -1, jq = -1;
        q_key(qs->q[iq], 1, key);
        for (uint64_t h = key_hash(key) & (uint64_t)(cap - 1);; h = (h + 1) & (uint64_t)(cap - 1)) {
            if (slot[h] < 0) {
                slot[h] = iq;
                self = iq;
                break;
            }
            q_key(qs->q[slot[h]], 1, kj);
            if (kj[0] == key[0] && kj[1] == key[1] && kj[2] == key[2]) {
                self = slot[h];
                break;
            }
        }
        partner[iq] = -1;
        if (self != iq) continue; /* a repeated point: solved directly */
        q_key(qs->q[iq], -1, key);
        for (uint64_t h = key_hash(key) & (uint64_t)(cap - 1); slot[h] >= 0;
             h = (h + 1) & (uint64_t)(cap - 1)) {
            q_key(qs->q[slot[h]], 1, kj);
            if (kj[0] == key[0] && kj[1] == key[1] && kj[2] == key[2]) {
                jq = slot[h];
                break;
            }
        }
        if (jq < 0 || jq >= iq) continue;
        int ok = 1;
        for (int c = 0; c < 3; c++) {
            const double g = qs->q[iq][c] + qs->q[jq][c];
            ok &= fabs(g - nearbyint(g)) < 1e-9;
        }
        if (ok) partner[iq] = jq;
    }
cleanup:
    free(slot);
    return st;
}

/* ν, e at q[iq] from those at its partner q[jq] (find_partners) */
static void derive_from_partner(const pg_dynmat_t *dm, const double qi[3], const double qj[3],
                                const double *fj, const double complex *ej, double *f,
                                double complex *e)
{
    const int n = pg_dynmat_n_band(dm), n_p = n / 3;
    memcpy(f, fj, sizeof(double) * (size_t)n);
    if (!e) return;
    double G[3];
    for (int c = 0; c < 3; c++) G[c] = nearbyint(qi[c] + qj[c]);
    for (int i = 0; i < n_p; i++) {
        double x[3];
        pg_dynmat_prim_frac(dm, i, x);
        const double ph = -2.0 * PG_PI * (G[0] * x[0] + G[1] * x[1] + G[2] * x[2]);
        const double complex w = (G[0] == 0 && G[1] == 0 && G[2] == 0) ? 1.0 : CMPLX(cos(ph), sin(ph));
        for (int r = 3 * i; r < 3 * i + 3; r++)
            for (int s = 0; s < n; s++) e[(int64_t)r * n + s] = w * conj(ej[(int64_t)r * n + s]);
    }
}

static pg_dynmat_eig_t eig_kind(const pg_phonon_solve_opts_t *o)
{
    return o->solver == PG_EIGEN_LAPACK  ? PG_DYNMAT_EIG_LAPACK
           : o->solver == PG_EIGEN_SMALL ? PG_DYNMAT_EIG_SMALL
                                         : PG_DYNMAT_EIG_AUTO;
}

/* Solve q in [q0, q1) (small solver or zheevd per o->solver); msd block sums into blk (block b
 * at (b - q0/B) * n_msd). */
static pg_status_t solve_local(const pg_dynmat_t *dm, const pg_qset_t *qs, int64_t q0, int64_t q1,
                               const pg_phonon_solve_opts_t *o, double *f_loc,
                               double complex *e_loc, double *blk)
{
    pg_status_t st = PG_OK;
    const int n = pg_dynmat_n_band(dm), n_p = n / 3;
    const int64_t n_msd = (int64_t)o->n_t * n_p * 9;
    pg_dynmat_ws_t ws = {0};
    double complex *e1 = NULL;
    PG_TRY(pg_dynmat_ws_init_solver(&ws, dm, eig_kind(o)));
    PG_TRY_CALLOC(e1, (int64_t)PG_DYNMAT_BATCH * n * n, "eigenvectors");
    for (int64_t i0 = q0; i0 < q1; i0 += PG_DYNMAT_BATCH) { /* batches (pg_dynmat_solve_many) */
        const int k = (int)(q1 - i0 < PG_DYNMAT_BATCH ? q1 - i0 : PG_DYNMAT_BATCH);
        const double *qp[PG_DYNMAT_BATCH];
        double *fp[PG_DYNMAT_BATCH];
        double complex *ep[PG_DYNMAT_BATCH];
        for (int j = 0; j < k; j++) {
            qp[j] = qs->q[i0 + j];
            fp[j] = f_loc + (i0 + j - q0) * n;
            ep[j] = e_loc ? e_loc + (i0 + j - q0) * n * n : e1 + (int64_t)j * n * n;
        }
        PG_TRY(pg_dynmat_solve_many(dm, &ws, k, qp, fp, (e_loc || n_msd) ? ep : NULL));
        for (int j = 0; j < k && n_msd > 0; j++) { /* in q order, as before */
            const int64_t iq = i0 + j;
            pg_phonon_msd_accumulate(n_p, pg_dynmat_masses(dm), fp[j], ep[j], qs->weight[iq],
                                     o->msd_fmin_thz, 0, o->n_t, o->temp_k,
                                     blk + (iq / PG_PHONON_BLOCK - q0 / PG_PHONON_BLOCK) * n_msd);
        }
    }
cleanup:
    free(e1);
    pg_dynmat_ws_free(&ws);
    return st;
}

/* Solve the primaries prim[k0..k1) (q indices) into f_loc, e_loc (may be NULL): at slot k - k0,
 * or, if in_place, at slot prim[k] (rank 0 writing straight into the q-ordered arrays). */
static pg_status_t solve_list(const pg_dynmat_t *dm, const pg_qset_t *qs, const int64_t *prim,
                              int64_t k0, int64_t k1, int in_place,
                              const pg_phonon_solve_opts_t *o, double *f_loc,
                              double complex *e_loc)
{
    pg_status_t st = PG_OK;
    const int n = pg_dynmat_n_band(dm);
    pg_dynmat_ws_t ws = {0};
    PG_TRY(pg_dynmat_ws_init_solver(&ws, dm, eig_kind(o)));
    for (int64_t b0 = k0; b0 < k1; b0 += PG_DYNMAT_BATCH) { /* batches (pg_dynmat_solve_many) */
        const int nb = (int)(k1 - b0 < PG_DYNMAT_BATCH ? k1 - b0 : PG_DYNMAT_BATCH);
        const double *qp[PG_DYNMAT_BATCH];
        double *fp[PG_DYNMAT_BATCH];
        double complex *ep[PG_DYNMAT_BATCH];
        for (int j = 0; j < nb; j++) {
            const int64_t slot = in_place ? prim[b0 + j] : b0 + j - k0;
            qp[j] = qs->q[prim[b0 + j]];
            fp[j] = f_loc + slot * n;
            ep[j] = e_loc ? e_loc + slot * n * n : NULL;
        }
        PG_TRY(pg_dynmat_solve_many(dm, &ws, nb, qp, fp, e_loc ? ep : NULL));
    }
cleanup:
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
    double *f_loc = NULL, *f_own = NULL, *f_all = NULL, *blk = NULL, *blk_all = NULL;
    double complex *e_loc = NULL, *e_own = NULL, *e_all = NULL;
    int64_t *counts = NULL, *displs = NULL, *partner = NULL, *prim = NULL;
    int64_t *pos = NULL, *owner = NULL, *slot_buf = NULL, **slots = NULL, *n_items = NULL;
    int64_t n_der = 0, *der = NULL; /* this rank's derived points (their primaries are its own) */
    if (freq) *freq = NULL;
    PG_CHECK(bcast_qset(comm, qs));
    const int64_t n_q = qs->n_q;
    const int64_t n_blk = (n_q + PG_PHONON_BLOCK - 1) / PG_PHONON_BLOCK;
    const int scal =
        o->solver == PG_EIGEN_SCALAPACK ||
        (o->solver == PG_EIGEN_AUTO && o->scalapack_min_band > 0 && n >= o->scalapack_min_band);
    if (used_scalapack) *used_scalapack = scal;
    /* ±q pairs (without msd, whose block sums need every q on its block's rank): every rank
     * finds the same partners; the primaries (points not derived) are split evenly, solved,
     * gathered to rank 0 in primary order, and rank 0 expands them in place to q order,
     * deriving each paired point from its primary (results independent of the rank count) */
    const int pairs = !scal && !o->no_q_pairs && n_msd == 0;
    int64_t n_prim = 0;
    if (pairs) {
        ALLOC_OR(partner, n_q + 1, "q partners");
        ALLOC_OR(prim, n_q + 1, "q partners");
        if (st == PG_OK) st = find_partners(qs, partner);
        for (int64_t iq = 0; iq < n_q && st == PG_OK; iq++)
            if (partner[iq] < 0) prim[n_prim++] = iq;
    }
    int64_t q0 = 0, q1 = 0;
    if (pairs) {
        q0 = part(n_prim, rank, size);
        q1 = part(n_prim, rank + 1, size);
        /* the rank owning a primary also derives its partners: derived point iq goes with
         * the rank of its primary partner[iq] */
        ALLOC_OR(pos, n_q + 1, "q partners");
        ALLOC_OR(der, n_q + 1, "q partners");
        for (int64_t k = 0; k < n_prim && st == PG_OK; k++) pos[prim[k]] = k;
        for (int64_t iq = 0; iq < n_q && st == PG_OK; iq++)
            if (partner[iq] >= 0 && pos[partner[iq]] >= q0 && pos[partner[iq]] < q1) der[n_der++] = iq;
    } else {
        q_range(n_q, rank, size, &q0, &q1);
    }
    const int64_t nloc = q1 - q0, nbloc = (q1 - q0 + PG_PHONON_BLOCK - 1) / PG_PHONON_BLOCK;
    /* allocations (rank 0 holds the gathered arrays) */
    if (rank == 0) {
        ALLOC_OR(counts, size, "gather counts");
        ALLOC_OR(displs, size, "gather offsets");
        ALLOC_BIG_OR(f_all, n_q * n + 1, "frequencies");
        if (o->want_evec) ALLOC_BIG_OR(e_all, n_q * n * n + 1, "eigenvectors");
        if (pairs && size > 1) { /* where every other rank's items go: its primaries, then
                                  * the points it derived */
            ALLOC_OR(owner, n_q + 1, "q owners");
            ALLOC_OR(n_items, size, "gather counts");
            ALLOC_OR(slots, size, "gather slots");
            ALLOC_OR(slot_buf, n_q + 1, "gather slots");
            for (int r = 0; r < size && st == PG_OK; r++)
                for (int64_t k = part(n_prim, r, size); k < part(n_prim, r + 1, size); k++)
                    owner[prim[k]] = r;
            for (int64_t iq = 0; iq < n_q && st == PG_OK; iq++)
                if (partner[iq] >= 0) owner[iq] = owner[partner[iq]];
            for (int64_t iq = 0; iq < n_q && st == PG_OK; iq++) n_items[owner[iq]]++;
            int64_t off = 0;
            for (int r = 0; r < size && st == PG_OK; r++) {
                slots[r] = slot_buf + off;
                off += n_items[r];
                n_items[r] = 0;
            }
            for (int r = 0; r < size && st == PG_OK; r++) /* primaries in order */
                for (int64_t k = part(n_prim, r, size); k < part(n_prim, r + 1, size); k++)
                    slots[r][n_items[r]++] = prim[k];
            for (int64_t iq = 0; iq < n_q && st == PG_OK; iq++) /* then derived, in q order */
                if (partner[iq] >= 0) slots[owner[iq]][n_items[owner[iq]]++] = iq;
        }
    }
    if (rank == 0 || scal) ALLOC_OR(blk_all, n_blk * n_msd + 1, "msd blocks");
    if (!scal) {
        if (rank == 0) { /* rank 0's range starts at 0: solve straight into the gathered arrays */
            f_loc = f_all;
            e_loc = e_all;
        } else { /* primaries, then (pairs) the derived points */
            ALLOC_BIG_OR(f_own, (nloc + n_der) * n + 1, "local frequencies");
            if (o->want_evec) ALLOC_BIG_OR(e_own, (nloc + n_der) * n * n + 1, "local eigenvectors");
            f_loc = f_own;
            e_loc = e_own;
        }
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
        double t_solve = pg_par_wtime();
        st = pairs ? solve_list(dm, qs, prim, q0, q1, rank == 0, o, f_loc, e_loc)
                   : solve_local(dm, qs, q0, q1, o, f_loc, e_loc, blk);
        /* pairs: each rank derives the partners of its own primaries (rank 0 straight into
         * the q-ordered arrays), then every item goes to its q slot on rank 0 */
        for (int64_t t = 0; pairs && st == PG_OK && t < n_der; t++) {
            const int64_t iq = der[t], jq = partner[iq];
            const int64_t sj = rank == 0 ? jq : pos[jq] - q0, si = rank == 0 ? iq : nloc + t;
            derive_from_partner(dm, qs->q[iq], qs->q[jq], f_loc + sj * n,
                                e_loc ? e_loc + sj * n * n : NULL, f_loc + si * n,
                                e_loc ? e_loc + si * n * n : NULL);
        }
        t_solve = pg_par_wtime() - t_solve;
        PG_TRY(pg_par_agree(comm, &st));
        if (st != PG_OK) goto cleanup;
        const double t_asm = pg_par_wtime();
        if (pairs) {
            if (size > 1) {
                PG_TRY(pg_par_gather_slots(comm, 0, f_loc, nloc + n_der, sizeof(double) * n, f_all,
                                           (const int64_t *const *)slots, n_items));
                if (o->want_evec)
                    PG_TRY(pg_par_gather_slots(comm, 0, e_loc, nloc + n_der,
                                               sizeof(double complex) * n * n, e_all,
                                               (const int64_t *const *)slots, n_items));
            }
        } else {
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
                void *recv = pass == 0   ? (void *)f_all
                             : pass == 1 ? (void *)e_all
                                         : (void *)blk_all;
                int64_t n_send = (pass < 2 ? nloc : nbloc) * unit;
                PG_TRY(pg_par_gatherv_bytes(comm, 0, send, n_send, recv, counts, displs));
            }
        }
        if (o->times) {
            o->times->solve_s = t_solve;
            PG_TRY(pg_par_max_double(comm, &o->times->solve_s, 1));
            o->times->assemble_s = pg_par_wtime() - t_asm;
            PG_TRY(pg_par_max_double(comm, &o->times->assemble_s, 1)); /* rank 0 receives last */
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
    free(f_own);
    free(e_own);
    free(blk);
    free(pos);
    free(der);
    free(owner);
    free(slot_buf);
    free(slots);
    free(n_items);
    free(blk_all);
    free(counts);
    free(displs);
    free(partner);
    free(prim);
    return st;
}
