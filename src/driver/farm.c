/* farm.c - rank-0-orchestrated task farm writing the dataset (protocol in pg_farm.h). */
#include "phonograph/pg_farm.h"

#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "phonograph/pg_par.h"
#include "phonograph/pg_stop.h"

enum { TAG_REQUEST = 7101, TAG_REPLY = 7102 };

typedef struct {
    int64_t first, n;
} span_t;

typedef struct {
    MPI_Comm comm;
    int rank, size;
    const pg_sampler_t *s;
    const pg_farm_opts_t *o;
    const span_t *spans;  /* [n_batch] */
    int64_t next, end;    /* rank 0: next batch to hand out in this epoch, epoch end */
    int n_ended;          /* rank 0: workers told the epoch is over */
    int pool_cap, n_pool; /* batches this rank holds in the epoch */
    pg_dataset_batch_t *pool;
    pg_sample_t x;
    int64_t n_redrawn;
    pg_status_t local;    /* first local failure of this epoch */
} farm_t;

/* rank 0: answer every waiting request (blocking = wait for at least one) */
static pg_status_t serve(farm_t *F, int blocking)
{
    for (;;) {
        int flag = 1, from = 0;
        size_t nb = 0;
        if (blocking)
            PG_CHECK(pg_par_probe(F->comm, PG_PAR_ANY_SOURCE, TAG_REQUEST, &from, &nb));
        else
            PG_CHECK(pg_par_iprobe(F->comm, PG_PAR_ANY_SOURCE, TAG_REQUEST, &flag, &from, &nb));
        if (!flag) return PG_OK;
        int64_t want = 0, reply = -1;
        PG_CHECK(pg_par_recv(F->comm, from, TAG_REQUEST, &want, sizeof want, NULL, NULL));
        if (want && F->next < F->end && F->local == PG_OK) reply = F->next++;
        if (reply < 0) F->n_ended++;
        PG_CHECK(pg_par_send(F->comm, from, TAG_REPLY, &reply, sizeof reply));
        if (blocking) return PG_OK;
    }
}

/* sample and label batch `id` into the next pool slot; rank 0 serves requests between
 * configurations so that nobody waits longer than one configuration */
static pg_status_t process(farm_t *F, int64_t id)
{
    pg_dataset_batch_t *b = &F->pool[F->n_pool];
    b->first = F->spans[id].first;
    b->n = F->spans[id].n;
    for (int64_t j = 0; j < b->n; j++) {
        PG_CHECK(pg_sampler_draw(F->s, b->first + j, &F->x));
        F->n_redrawn += F->x.attempts > 1;
        pg_dataset_batch_set_sample(b, j, &F->x);
        if (F->o->label) {
            PG_CHECK(F->o->label(F->o->label_ctx, &F->x.cell, b, j));
        } else {
            b->energy[j] = b->energy_per_atom[j] = b->gap[j] = b->vbm[j] = b->hydrostatic[j] = NAN;
            for (int k = 0; k < 9; k++) b->stress[9 * j + k] = NAN;
            for (int64_t k = 0; k < 3 * b->n_atom; k++) b->forces[3 * b->n_atom * j + k] = NAN;
        }
        if (F->rank == 0 && F->size > 1) PG_CHECK(serve(F, 0));
    }
    F->n_pool++;
    return PG_OK;
}

static pg_status_t run_epoch_rank0(farm_t *F)
{
    F->n_ended = 0;
    for (;;) {
        if (F->size > 1) PG_CHECK(serve(F, 0));
        if (F->local == PG_OK && F->n_pool < F->pool_cap && F->next < F->end) {
            const int64_t id = F->next++;
            F->local = process(F, id);
            if (F->local != PG_OK) F->next = F->end; /* stop handing out work */
        } else if (F->n_ended < F->size - 1) {
            PG_CHECK(serve(F, 1));
        } else {
            return PG_OK;
        }
    }
}

static pg_status_t run_epoch_worker(farm_t *F)
{
    for (;;) {
        int64_t want = F->local == PG_OK && F->n_pool < F->pool_cap, id = -1;
        PG_CHECK(pg_par_send(F->comm, 0, TAG_REQUEST, &want, sizeof want));
        PG_CHECK(pg_par_recv(F->comm, 0, TAG_REPLY, &id, sizeof id, NULL, NULL));
        if (id < 0) return PG_OK;
        F->local = process(F, id);
    }
}

pg_status_t pg_farm_run(MPI_Comm comm, const pg_sampler_t *s, pg_dataset_t *ds,
                        const pg_farm_opts_t *o, pg_farm_stats_t *stats)
{
    pg_status_t st = PG_OK;
    farm_t F = {0};
    uint8_t *done = NULL;
    span_t *spans = NULL;
    const double t0 = pg_par_wtime();
    memset(stats, 0, sizeof *stats);
    F.comm = comm;
    F.rank = pg_par_rank(comm);
    F.size = pg_par_size(comm);
    F.s = s;
    F.o = o;
    const int64_t n = pg_sampler_n_config(s), B = o->batch > 0 ? o->batch : 1;
    stats->n_total = n;
    PG_TRY_CALLOC(done, n, "completion mask");
    PG_TRY_CALLOC(spans, n, "batches");
    st = pg_dataset_read_done(ds, done);
    PG_TRY(st);
    /* batches: runs of missing configurations, cut every B; identical on every rank */
    int64_t n_batch = 0;
    for (int64_t c = 0; c < n;) {
        if (done[c]) {
            stats->n_done_before++;
            c++;
            continue;
        }
        int64_t e = c;
        while (e < n && !done[e] && e - c < B) e++;
        spans[n_batch].first = c;
        spans[n_batch].n = e - c;
        n_batch++;
        c = e;
    }
    F.spans = spans;
    F.pool_cap = (int)(o->batches_per_rank > 0 ? 2 * o->batches_per_rank : 2);
    PG_TRY_CALLOC(F.pool, F.pool_cap, "batch pool");
    for (int k = 0; k < F.pool_cap; k++)
        PG_TRY(pg_dataset_batch_init(&F.pool[k], B, pg_sampler_n_atom(s)));
    PG_TRY(pg_sample_init(&F.x, s));
    pg_progress_t prog;
    if (o->log) pg_progress_begin(o->log, &prog, "configurations", n);
    int64_t done_total = stats->n_done_before;
    const int64_t per_epoch = (o->batches_per_rank > 0 ? o->batches_per_rank : 1) * F.size;
    for (int64_t e0 = 0; e0 < n_batch; e0 += per_epoch) {
        F.next = e0;
        F.end = e0 + per_epoch < n_batch ? e0 + per_epoch : n_batch;
        F.n_pool = 0;
        F.local = PG_OK;
        if (F.rank == 0)
            st = run_epoch_rank0(&F);
        else
            st = run_epoch_worker(&F);
        pg_status_t agreed = st == PG_OK ? F.local : st;
        PG_TRY(pg_par_agree(comm, &agreed)); /* PG_TRY assigns st: agree on a copy */
        st = agreed;
        if (st != PG_OK) goto cleanup;
        /* collective writes: data of every held batch, flush, then the flags, flush */
        int64_t m = F.n_pool, got = 0;
        PG_TRY(pg_par_max_int64(comm, &m, 1));
        for (int64_t k = 0; k < m; k++)
            PG_TRY(pg_dataset_write_batch(ds, k < F.n_pool ? &F.pool[k] : NULL));
        PG_TRY(pg_dataset_flush(ds));
        stats->n_epochs++;
        if (o->kill_after_epochs > 0 && stats->n_epochs == o->kill_after_epochs) raise(SIGKILL);
        for (int64_t k = 0; k < m; k++) {
            const int mine = k < F.n_pool;
            PG_TRY(pg_dataset_mark_done(ds, mine ? F.pool[k].first : 0, mine ? F.pool[k].n : 0));
            if (mine) got += F.pool[k].n;
        }
        PG_TRY(pg_dataset_flush(ds));
        PG_TRY(pg_par_sum_int64(comm, &got, 1));
        done_total += got;
        stats->n_done_now += got;
        if (o->log) pg_progress_update(o->log, &prog, done_total);
        int stop = 0;
        PG_TRY(pg_stop_agree(comm, &stop));
        if (stop) {
            const char *why = "stop requested";
            pg_stop_check(&why);
            st = PG_ERR(PG_ERR_INTERRUPTED,
                        "sampling stopped at a safe point (%s) after %lld of %lld configurations; "
                        "run the same deck again to continue",
                        why, (long long)done_total, (long long)n);
            goto cleanup;
        }
    }
    if (o->log) pg_progress_end(o->log, &prog);
    stats->n_redrawn = F.n_redrawn;
    PG_TRY(pg_par_sum_int64(comm, &stats->n_redrawn, 1));
cleanup:
    stats->seconds = pg_par_wtime() - t0;
    if (F.pool)
        for (int k = 0; k < F.pool_cap; k++) pg_dataset_batch_free(&F.pool[k]);
    free(F.pool);
    pg_sample_free(&F.x);
    free(spans);
    free(done);
    return st;
}
