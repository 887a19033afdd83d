/* trainer.c - data-parallel training of the GNN (see pg_gnn_train in pg_gnn.h): seeded
 * split, normalisation, sharded global batches independent of the rank count, one gradient
 * allreduce per step, Adam, early stopping, atomic checkpoints and resume, metrics. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gnn/gnn_internal.h"
#include "phonograph/pg_gnn.h"
#include "phonograph/pg_graph_h5.h"
#include "phonograph/pg_par.h"
#include "phonograph/pg_rng.h"
#include "phonograph/pg_stop.h"

#define CKPT_FORMAT "phonograph-gnn-checkpoint"
#define CKPT_VERSION 1

void pg_gnn_train_opts_default(pg_gnn_train_opts_t *o)
{
    memset(o, 0, sizeof *o);
    static const char *const def_targets[] = {"energy_per_atom", "gap", "vbm",
                                              "hydrostatic_stress"};
    o->n_targets = 4;
    for (int t = 0; t < 4; t++) {
        o->targets[t] = def_targets[t];
        o->target_weights[t] = 1.0;
    }
    o->model = pg_gnn_config_default();
    o->prec = PG_GNN_F32;
    o->seed = 1;
    o->split[0] = 0.8;
    o->split[1] = 0.1;
    o->split[2] = 0.1;
    o->epochs = 100;
    o->batch_size = 32;
    o->patience = 20;
    o->checkpoint_every = 1;
    o->n_shards = 12;
    o->lr = (pg_lr_schedule_t){.kind = PG_LR_COSINE, .lr = 1e-3, .lr_min = 1e-5, .gamma = 0.5,
                               .step_epochs = 30};
    o->adam = pg_adam_default(1e-3);
    o->memory_budget_mb = 1024;
    o->diverge_loss = 1e6;
}

void pg_gnn_train_result_free(pg_gnn_train_result_t *r)
{
    free(r->train_loss);
    free(r->val_loss);
    memset(r, 0, sizeof *r);
}

/* ---- state ----------------------------------------------------------------------------- */

typedef struct {
    const pg_gnn_train_opts_t *o;
    MPI_Comm comm;
    int rank, size;
    gnn_dataset_t ds;
    int T;
    int64_t *split[3], n_split[3]; /* sorted configuration indices */
    double mean[PG_GNN_MAX_TARGETS], std[PG_GNN_MAX_TARGETS], w[PG_GNN_MAX_TARGETS];
    double *yn;                    /* [n_conf][T] normalised labels */
    /* shards of the training split */
    int64_t S, *shard_off;         /* [S+1] positions in split[TRAIN] */
    int64_t s_lo, s_hi;            /* owned shards [s_lo, s_hi) */
    int64_t n_steps;
    int streamed;
    gnn_graphs_t mem;              /* owned training graphs (if not streamed), in owned order */
    gnn_graphs_t tmp;              /* streamed graphs of one step / evaluation chunk */
    gnn_batchbuf_t bb;
    int64_t *idx, *confs, *perm;   /* scratch */
    double *ynb;                   /* [batch][T] normalised labels of a local batch */
    double *out;                   /* [batch][T] */
    pg_gnn_t *model;
    double *best;                  /* [P] best parameters (double) */
    double best_val;
    int64_t best_epoch, bad_epochs, epoch, step, finished;
    double *hist_train, *hist_val; /* [epochs] */
    char fingerprint[1024];
} trainer_t;

static void trainer_free(trainer_t *tr)
{
    gnn_dataset_close(&tr->ds);
    for (int s = 0; s < 3; s++) free(tr->split[s]);
    free(tr->yn);
    free(tr->shard_off);
    gnn_graphs_free(&tr->mem);
    gnn_graphs_free(&tr->tmp);
    gnn_batchbuf_free(&tr->bb);
    free(tr->idx);
    free(tr->confs);
    free(tr->perm);
    free(tr->ynb);
    free(tr->out);
    pg_gnn_destroy(&tr->model);
    free(tr->best);
    free(tr->hist_train);
    free(tr->hist_val);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Configuration → split, seeded (stream "gnn.split"), each split sorted. */
static pg_status_t make_split(trainer_t *tr)
{
    pg_status_t st = PG_OK;
    int64_t n = 0;
    int64_t *all = NULL;
    PG_TRY_CALLOC(all, tr->ds.n_conf, "split");
    for (int64_t c = 0; c < tr->ds.n_conf; c++)
        if (tr->ds.usable[c]) all[n++] = c; /* complete configurations with a graph */
    pg_rng_t rng;
    pg_rng_init(&rng, tr->o->seed, pg_rng_tag("gnn.split"), 0, 0);
    pg_rng_shuffle_int64(&rng, all, n);
    if (tr->o->max_configs > 0 && n > tr->o->max_configs) n = tr->o->max_configs;
    double fsum = tr->o->split[0] + tr->o->split[1] + tr->o->split[2];
    int64_t n_tr = (int64_t)llround(n * tr->o->split[0] / fsum);
    int64_t n_va = (int64_t)llround(n * tr->o->split[1] / fsum);
    if (n_tr + n_va > n) n_va = n - n_tr;
    tr->n_split[0] = n_tr;
    tr->n_split[1] = n_va;
    tr->n_split[2] = n - n_tr - n_va;
    PG_TRY_REQUIRE(n_tr >= 1, PG_ERR_INPUT,
                   "%s: %lld configurations leave no training data with split %g %g %g",
                   tr->o->dataset, (long long)n, tr->o->split[0], tr->o->split[1],
                   tr->o->split[2]);
    int64_t off = 0;
    for (int s = 0; s < 3; s++) {
        PG_TRY_CALLOC(tr->split[s], tr->n_split[s], "split");
        memcpy(tr->split[s], all + off, sizeof(int64_t) * (size_t)tr->n_split[s]);
        qsort(tr->split[s], (size_t)tr->n_split[s], sizeof(int64_t), cmp_i64);
        off += tr->n_split[s];
    }
cleanup:
    free(all);
    return st;
}

/* Labels finite (all splits), normalisation from the training split, normalised labels. */
static pg_status_t make_labels(trainer_t *tr)
{
    pg_status_t st = PG_OK;
    const int T = tr->T;
    for (int s = 0; s < 3; s++)
        for (int64_t k = 0; k < tr->n_split[s]; k++) {
            int64_t c = tr->split[s][k];
            for (int t = 0; t < T; t++)
                PG_REQUIRE(isfinite(tr->ds.labels[c * T + t]), PG_ERR_INPUT,
                           "%s: label %s of configuration %lld is %g (labels must be finite)",
                           tr->o->dataset, tr->ds.target_names[t], (long long)c,
                           tr->ds.labels[c * T + t]);
        }
    const int64_t n = tr->n_split[0];
    for (int t = 0; t < T; t++) {
        double m = 0, v = 0;
        for (int64_t k = 0; k < n; k++) m += tr->ds.labels[tr->split[0][k] * T + t];
        m /= (double)n;
        for (int64_t k = 0; k < n; k++) {
            double d = tr->ds.labels[tr->split[0][k] * T + t] - m;
            v += d * d;
        }
        double sd = sqrt(v / (double)n);
        tr->mean[t] = m;
        tr->std[t] = sd > 0 ? sd : 1.0; /* a constant target: only centred */
        if (!(sd > 0) && tr->o->log)
            pg_log_warn(tr->o->log, "target %s is constant on the training split; std set to 1",
                        tr->ds.target_names[t]);
        tr->w[t] = tr->o->target_weights[t];
    }
    PG_TRY_CALLOC(tr->yn, tr->ds.n_conf * T, "normalised labels");
    for (int64_t c = 0; c < tr->ds.n_conf; c++)
        for (int t = 0; t < T; t++)
            tr->yn[c * T + t] = (tr->ds.labels[c * T + t] - tr->mean[t]) / tr->std[t];
cleanup:
    return st;
}

/* count of shard s in global step k: positions [lo, hi) of its shuffled list */
static void shard_slice(const trainer_t *tr, int64_t s, int64_t k, int64_t *lo, int64_t *hi)
{
    int64_t ns = tr->shard_off[s + 1] - tr->shard_off[s];
    *lo = k * ns / tr->n_steps;
    *hi = (k + 1) * ns / tr->n_steps;
}

static pg_status_t make_shards(trainer_t *tr)
{
    pg_status_t st = PG_OK;
    const int64_t n = tr->n_split[0];
    tr->S = tr->o->n_shards < n ? tr->o->n_shards : n;
    PG_TRY_CALLOC(tr->shard_off, tr->S + 1, "shards");
    for (int64_t s = 0; s <= tr->S; s++) tr->shard_off[s] = s * n / tr->S;
    tr->s_lo = (int64_t)tr->rank * tr->S / tr->size;
    tr->s_hi = (int64_t)(tr->rank + 1) * tr->S / tr->size;
    tr->n_steps = (n + tr->o->batch_size - 1) / tr->o->batch_size;
    const int64_t *own = tr->split[0] + tr->shard_off[tr->s_lo];
    int64_t n_own = tr->shard_off[tr->s_hi] - tr->shard_off[tr->s_lo];
    int64_t bytes = gnn_dataset_bytes(&tr->ds, own, n_own);
    tr->streamed = (double)bytes > tr->o->memory_budget_mb * 1048576.0;
    tr->mem.F = tr->tmp.F = tr->ds.F;
    if (!tr->streamed) PG_TRY(gnn_dataset_load(&tr->ds, own, n_own, &tr->mem));
    int64_t cap = tr->o->batch_size + tr->S + 1;
    int64_t max_shard = 0;
    for (int64_t s = 0; s < tr->S; s++)
        if (tr->shard_off[s + 1] - tr->shard_off[s] > max_shard)
            max_shard = tr->shard_off[s + 1] - tr->shard_off[s];
    PG_TRY_CALLOC(tr->idx, cap, "batch indices");
    PG_TRY_CALLOC(tr->confs, cap, "batch configurations");
    PG_TRY_CALLOC(tr->perm, n_own + max_shard + 1, "shuffles");
    PG_TRY_CALLOC(tr->ynb, cap * tr->T, "batch labels");
    PG_TRY_CALLOC(tr->out, cap * tr->T, "batch outputs");
cleanup:
    return st;
}

/* ---- evaluation ------------------------------------------------------------------------ */

/* Sums over this rank's share of split sp (contiguous block of the sorted list):
 * acc[0] = Σ_b Σ_t w_t (out − yn)², acc[1 + 5t + {0..4}] = Σ|e|, Σe², Σy, Σy², n (physical). */
static pg_status_t eval_split(trainer_t *tr, int sp, double *acc)
{
    const int T = tr->T;
    const int64_t n = tr->n_split[sp];
    const int64_t lo = (int64_t)tr->rank * n / tr->size, hi = (int64_t)(tr->rank + 1) * n / tr->size;
    memset(acc, 0, sizeof(double) * (size_t)(1 + 5 * T));
    for (int64_t k = lo; k < hi; k += tr->o->batch_size) {
        int64_t nb = hi - k < tr->o->batch_size ? hi - k : tr->o->batch_size;
        gnn_graphs_clear(&tr->tmp);
        PG_CHECK(gnn_dataset_load(&tr->ds, tr->split[sp] + k, nb, &tr->tmp));
        for (int64_t j = 0; j < nb; j++) tr->idx[j] = j;
        PG_CHECK(gnn_batch_build(&tr->tmp, tr->idx, nb, &tr->bb));
        PG_CHECK(pg_gnn_forward(tr->model, &tr->bb.b, tr->out));
        for (int64_t j = 0; j < nb; j++) {
            int64_t c = tr->split[sp][k + j];
            for (int t = 0; t < T; t++) {
                double r = tr->out[j * T + t] - tr->yn[c * T + t];
                acc[0] += tr->w[t] * r * r;
                double y = tr->ds.labels[c * T + t];
                double e = (tr->out[j * T + t] * tr->std[t] + tr->mean[t]) - y;
                double *a = acc + 1 + 5 * t;
                a[0] += fabs(e);
                a[1] += e * e;
                a[2] += y;
                a[3] += y * y;
                a[4] += 1;
            }
        }
    }
    return PG_OK;
}

/* Validation loss (normalised units, the training loss definition) over all ranks. */
static pg_status_t val_loss(trainer_t *tr, double *loss)
{
    double acc[1 + 5 * PG_GNN_MAX_TARGETS];
    pg_status_t st = eval_split(tr, PG_GNN_VAL, acc);
    PG_CHECK(pg_par_agree(tr->comm, &st));
    if (st != PG_OK) return st;
    PG_CHECK(pg_par_sum_double(tr->comm, acc, 1));
    *loss = tr->n_split[1] > 0 ? acc[0] / ((double)tr->n_split[1] * tr->T) : NAN;
    return PG_OK;
}

static pg_status_t metrics(trainer_t *tr, pg_gnn_train_result_t *res)
{
    const int T = tr->T;
    for (int sp = 0; sp < 3; sp++) {
        double acc[1 + 5 * PG_GNN_MAX_TARGETS];
        pg_status_t st = eval_split(tr, sp, acc);
        PG_CHECK(pg_par_agree(tr->comm, &st));
        if (st != PG_OK) return st;
        PG_CHECK(pg_par_sum_double(tr->comm, acc, 1 + 5 * T));
        for (int t = 0; t < T; t++) {
            const double *a = acc + 1 + 5 * t;
            double nn = a[4];
            res->mae[sp][t] = nn > 0 ? a[0] / nn : NAN;
            res->rmse[sp][t] = nn > 0 ? sqrt(a[1] / nn) : NAN;
            double sst = a[3] - a[2] * a[2] / (nn > 0 ? nn : 1);
            res->r2[sp][t] = nn > 1 && sst > 0 ? 1 - a[1] / sst : NAN;
        }
    }
    return PG_OK;
}

/* ---- checkpoints ----------------------------------------------------------------------- */

static void make_fingerprint(trainer_t *tr)
{
    const pg_gnn_train_opts_t *o = tr->o;
    const pg_gnn_config_t *c = &tr->model->cfg;
    int n = snprintf(tr->fingerprint, sizeof tr->fingerprint,
                     "F=%d G=%d H=%d K=%d Hh=%d T=%d dmin=%.17g dmax=%.17g prec=%s seed=%llu "
                     "split=%.17g,%.17g,%.17g epochs=%lld batch=%lld patience=%lld shards=%lld "
                     "lr=%d,%.17g,%.17g,%.17g,%lld,%lld adam=%.17g,%.17g,%.17g n_conf=%lld "
                     "targets=",
                     c->F, c->G, c->H, c->K, c->Hh, c->T, c->dmin_ang, c->dmax_ang,
                     o->prec == PG_GNN_F64 ? "float64" : "float32", (unsigned long long)o->seed,
                     o->split[0], o->split[1], o->split[2], (long long)o->epochs,
                     (long long)o->batch_size, (long long)o->patience, (long long)o->n_shards,
                     (int)o->lr.kind, o->lr.lr, o->lr.lr_min, o->lr.gamma,
                     (long long)o->lr.warmup_epochs, (long long)o->lr.step_epochs, o->adam.beta1,
                     o->adam.beta2, o->adam.eps, (long long)tr->ds.n_conf);
    for (int t = 0; t < tr->T && n > 0 && n < (int)sizeof tr->fingerprint; t++)
        n += snprintf(tr->fingerprint + n, sizeof tr->fingerprint - (size_t)n, "%s:%.17g,",
                      o->targets[t], o->target_weights[t]);
}

static pg_status_t write_i64(pg_h5_t *f, const char *path, int64_t v)
{
    int64_t d = 1;
    return pg_h5_write(f, path, PG_H5_I64, 1, &d, &v);
}
static pg_status_t write_f64s(pg_h5_t *f, const char *path, const double *v, int64_t n)
{
    if (n == 0) return PG_OK;
    return pg_h5_write(f, path, PG_H5_F64, 1, &n, v);
}

/* How the dataset's graphs were built (feature table + normalisation, cutoff, k cap), copied
 * into the model file so `predict` can build graphs of new structures the same way. Written
 * only if the dataset has them (/graphs/features, docs/dataset.md). */
static pg_status_t write_graph_recipe(trainer_t *tr, pg_h5_t *f)
{
    if (!pg_h5_exists(tr->ds.f, "/graphs/features")) return PG_OK;
    pg_features_t feat;
    double cutoff = 0;
    int64_t kmax = 0, one_hot = 0, z[PG_FEATURES_MAX_SPECIES];
    const char *kinds[PG_FEAT_N_KINDS];
    PG_CHECK(pg_graph_h5_read_features(tr->ds.f, &feat));
    PG_CHECK(pg_h5_attr_read(tr->ds.f, "/graphs", "cutoff_ang", PG_H5_F64, 1, &cutoff));
    if (pg_h5_attr_exists(tr->ds.f, "/graphs", "max_neighbors"))
        PG_CHECK(pg_h5_attr_read(tr->ds.f, "/graphs", "max_neighbors", PG_H5_I64, 1, &kmax));
    PG_REQUIRE(feat.n_feat == tr->ds.F, PG_ERR_INPUT,
               "%s: /graphs/features describes %d features, node_features has %d",
               tr->ds.path, feat.n_feat, tr->ds.F);
    for (int k = 0; k < feat.n_species; k++) z[k] = feat.z[k];
    for (int k = 0; k < feat.n_kind; k++) kinds[k] = pg_features_kind_name(feat.kind[k]);
    int64_t ns = feat.n_species, nk = feat.n_kind;
    one_hot = feat.one_hot;
    PG_CHECK(pg_h5_write(f, "/graph/species", PG_H5_I64, 1, &ns, z));
    PG_CHECK(pg_h5_attr_write(f, "/graph/species", "one_hot", PG_H5_I64, 1, &one_hot));
    PG_CHECK(pg_h5_attr_write(f, "/graph/species", "cutoff_ang", PG_H5_F64, 1, &cutoff));
    PG_CHECK(pg_h5_attr_write(f, "/graph/species", "max_neighbors", PG_H5_I64, 1, &kmax));
    if (nk > 0) {
        PG_CHECK(pg_h5_write_strings(f, "/graph/kinds", nk, kinds));
        PG_CHECK(pg_h5_write(f, "/graph/min", PG_H5_F64, 1, &nk, feat.vmin));
        PG_CHECK(pg_h5_write(f, "/graph/max", PG_H5_F64, 1, &nk, feat.vmax));
    }
    return PG_OK;
}

/* Write the training state (kind "checkpoint") or the best model (kind "model") to path,
 * atomically: a temporary file in the same directory, fsync, rename. Rank 0 only. */
static pg_status_t write_state(trainer_t *tr, const char *path, const char *kind)
{
    pg_status_t st = PG_OK;
    pg_h5_t *f = NULL;
    char tmp[4096];
    const pg_gnn_t *m = tr->model;
    const int64_t P = m->n_params;
    int is_model = strcmp(kind, "model") == 0;
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    PG_TRY(pg_h5_open(tmp, PG_H5_TRUNCATE, MPI_COMM_NULL, &f));
    PG_TRY(pg_h5_attr_write_string(f, "/", "format", CKPT_FORMAT));
    int64_t ver = CKPT_VERSION;
    PG_TRY(pg_h5_attr_write(f, "/", "format_version", PG_H5_I64, 1, &ver));
    PG_TRY(pg_h5_attr_write_string(f, "/", "kind", kind));
    PG_TRY(pg_h5_attr_write_string(f, "/", "fingerprint", tr->fingerprint));
    int64_t cfg[6] = {m->cfg.F, m->cfg.G, m->cfg.H, m->cfg.K, m->cfg.Hh, m->cfg.T};
    double dr[2] = {m->cfg.dmin_ang, m->cfg.dmax_ang};
    PG_TRY(write_i64(f, "/config/precision_bits", m->prec == PG_GNN_F64 ? 64 : 32));
    PG_TRY(pg_h5_attr_write(f, "/config/precision_bits", "F_G_H_K_Hh_T", PG_H5_I64, 6, cfg));
    PG_TRY(pg_h5_attr_write(f, "/config/precision_bits", "dmin_dmax_ang", PG_H5_F64, 2, dr));
    {
        char **names = NULL;
        int64_t *off = NULL, *shape = NULL;
        PG_TRY_CALLOC(names, m->n_tensors, "layout names");
        PG_TRY_CALLOC(off, 3 * m->n_tensors, "layout");
        for (int t = 0; t < m->n_tensors; t++) {
            names[t] = m->layout[t].name;
            off[3 * t] = m->layout[t].offset;
            off[3 * t + 1] = m->layout[t].rows;
            off[3 * t + 2] = m->layout[t].cols;
        }
        int64_t d2[2] = {m->n_tensors, 3};
        st = pg_h5_write_strings(f, "/layout/names", m->n_tensors, (const char *const *)names);
        if (st == PG_OK) st = pg_h5_write(f, "/layout/offset_rows_cols", PG_H5_I64, 2, d2, off);
        free(names);
        free(off);
        (void)shape;
        if (st != PG_OK) goto cleanup;
    }
    /* parameters in the model's precision; best parameters as float64 */
    double *params = NULL;
    PG_TRY_CALLOC(params, P, "parameters");
    pg_gnn_get_params(m, params);
    st = pg_h5_write(f, "/params", PG_H5_F64, 1, &P, is_model ? tr->best : params);
    free(params);
    if (st != PG_OK) goto cleanup;
    if (!is_model) {
        pg_h5_type_t ty = m->prec == PG_GNN_F64 ? PG_H5_F64 : PG_H5_F32;
        /* exact bits of the model's own buffers, so a resume is bitwise */
        PG_TRY(pg_h5_write(f, "/state/params", ty, 1, &P,
                           m->prec == PG_GNN_F64 ? (void *)m->params_d : (void *)m->params_f));
        PG_TRY(pg_h5_write(f, "/state/adam_m", ty, 1, &P,
                           m->prec == PG_GNN_F64 ? (void *)m->m_d : (void *)m->m_f));
        PG_TRY(pg_h5_write(f, "/state/adam_v", ty, 1, &P,
                           m->prec == PG_GNN_F64 ? (void *)m->v_d : (void *)m->v_f));
        PG_TRY(write_i64(f, "/state/adam_t", m->adam_t));
        PG_TRY(write_i64(f, "/state/epoch", tr->epoch));
        PG_TRY(write_i64(f, "/state/step", tr->step));
        PG_TRY(write_i64(f, "/state/finished", tr->finished));
        PG_TRY(write_i64(f, "/state/best_epoch", tr->best_epoch));
        PG_TRY(write_i64(f, "/state/bad_epochs", tr->bad_epochs));
        PG_TRY(write_f64s(f, "/state/best_val_loss", &tr->best_val, 1));
        PG_TRY(pg_h5_write(f, "/state/best_params", PG_H5_F64, 1, &P, tr->best));
        PG_TRY(write_f64s(f, "/history/train_loss", tr->hist_train, tr->epoch));
        PG_TRY(write_f64s(f, "/history/val_loss", tr->hist_val, tr->epoch));
        /* the random state: every stream is counter-based, keyed by the seed and indexed by
         * epoch/shard, so (seed, epoch) is the whole RNG state */
        PG_TRY(write_i64(f, "/rng/seed", (int64_t)tr->o->seed));
        PG_TRY(pg_h5_attr_write_string(f, "/rng/seed", "streams",
                                       "Philox4x64-10 (pg_rng): gnn.split (0,0), gnn.init (0,0), "
                                       "gnn.shuffle (epoch, shard)"));
        for (int s = 0; s < 3; s++) {
            static const char *nm[3] = {"/split/train", "/split/val", "/split/test"};
            if (tr->n_split[s] > 0)
                PG_TRY(pg_h5_write(f, nm[s], PG_H5_I64, 1, &tr->n_split[s], tr->split[s]));
        }
    }
    {
        const char *names[PG_GNN_MAX_TARGETS];
        for (int t = 0; t < tr->T; t++) names[t] = tr->ds.target_names[t];
        PG_TRY(pg_h5_write_strings(f, "/norm/targets", tr->T, names));
        PG_TRY(write_f64s(f, "/norm/mean", tr->mean, tr->T));
        PG_TRY(write_f64s(f, "/norm/std", tr->std, tr->T));
        PG_TRY(write_f64s(f, "/norm/weights", tr->w, tr->T));
    }
    if (is_model) PG_TRY(write_graph_recipe(tr, f));
    PG_TRY(pg_h5_write_string(f, "/deck", tr->o->deck_text ? tr->o->deck_text : ""));
    PG_TRY(pg_h5_close(&f));
    {
        int fd = open(tmp, O_RDONLY);
        PG_TRY_REQUIRE(fd >= 0, PG_ERR_IO, "cannot reopen '%s': %s", tmp, strerror(errno));
        int rc = fsync(fd);
        close(fd);
        PG_TRY_REQUIRE(rc == 0, PG_ERR_IO, "fsync '%s': %s", tmp, strerror(errno));
    }
    PG_TRY_REQUIRE(rename(tmp, path) == 0, PG_ERR_IO, "cannot rename '%s' to '%s': %s", tmp,
                   path, strerror(errno));
cleanup:
    if (f) {
        pg_h5_close(&f);
    }
    if (st != PG_OK) unlink(tmp);
    return st;
}

static pg_status_t read_i64(pg_h5_t *f, const char *path, int64_t *v)
{
    return pg_h5_read(f, path, PG_H5_I64, v);
}

/* Every rank reads the checkpoint (serially) and restores the state. */
static pg_status_t read_state(trainer_t *tr, const char *path)
{
    pg_status_t st = PG_OK;
    pg_h5_t *f = NULL;
    char *s = NULL;
    pg_gnn_t *m = tr->model;
    const int64_t P = m->n_params;
    int rank = 0;
    int64_t dims[4];
    PG_TRY(pg_h5_open(path, PG_H5_READ, MPI_COMM_NULL, &f));
    PG_TRY(pg_h5_attr_read_string(f, "/", "format", &s));
    PG_TRY_REQUIRE(strcmp(s, CKPT_FORMAT) == 0, PG_ERR_INPUT,
                   "%s: not a GNN checkpoint (format '%s')", path, s);
    free(s);
    s = NULL;
    PG_TRY(pg_h5_attr_read_string(f, "/", "kind", &s));
    PG_TRY_REQUIRE(strcmp(s, "checkpoint") == 0, PG_ERR_INPUT,
                   "%s: is a %s file, not a checkpoint", path, s);
    free(s);
    s = NULL;
    PG_TRY(pg_h5_attr_read_string(f, "/", "fingerprint", &s));
    PG_TRY_REQUIRE(strcmp(s, tr->fingerprint) == 0, PG_ERR_INPUT,
                   "checkpoint %s was written by a different training configuration; remove it "
                   "or restore the deck.\n  checkpoint: %s\n  this run:   %s",
                   path, s, tr->fingerprint);
    PG_TRY(pg_h5_shape(f, "/state/params", &rank, dims));
    PG_TRY_REQUIRE(rank == 1 && dims[0] == P, PG_ERR_INPUT, "%s: /state/params has %lld values, "
                   "expected %lld", path, (long long)dims[0], (long long)P);
    pg_h5_type_t ty = m->prec == PG_GNN_F64 ? PG_H5_F64 : PG_H5_F32;
    PG_TRY(pg_h5_read(f, "/state/params", ty,
                      m->prec == PG_GNN_F64 ? (void *)m->params_d : (void *)m->params_f));
    PG_TRY(pg_h5_read(f, "/state/adam_m", ty,
                      m->prec == PG_GNN_F64 ? (void *)m->m_d : (void *)m->m_f));
    PG_TRY(pg_h5_read(f, "/state/adam_v", ty,
                      m->prec == PG_GNN_F64 ? (void *)m->v_d : (void *)m->v_f));
    PG_TRY(read_i64(f, "/state/adam_t", &m->adam_t));
    PG_TRY(read_i64(f, "/state/epoch", &tr->epoch));
    PG_TRY(read_i64(f, "/state/step", &tr->step));
    PG_TRY(read_i64(f, "/state/finished", &tr->finished));
    PG_TRY(read_i64(f, "/state/best_epoch", &tr->best_epoch));
    PG_TRY(read_i64(f, "/state/bad_epochs", &tr->bad_epochs));
    PG_TRY(pg_h5_read(f, "/state/best_val_loss", PG_H5_F64, &tr->best_val));
    PG_TRY(pg_h5_read(f, "/state/best_params", PG_H5_F64, tr->best));
    PG_TRY_REQUIRE(tr->epoch >= 0 && tr->epoch <= tr->o->epochs, PG_ERR_INPUT,
                   "%s: epoch %lld outside 0..%lld", path, (long long)tr->epoch,
                   (long long)tr->o->epochs);
    if (tr->epoch > 0) {
        PG_TRY(pg_h5_read(f, "/history/train_loss", PG_H5_F64, tr->hist_train));
        PG_TRY(pg_h5_read(f, "/history/val_loss", PG_H5_F64, tr->hist_val));
    }
cleanup:
    free(s);
    pg_h5_close(&f);
    return st;
}

/* Collective: rank 0 writes, everyone agrees. */
static pg_status_t checkpoint(trainer_t *tr, const char *path, const char *kind)
{
    pg_status_t st = PG_OK;
    if (tr->rank == 0) st = write_state(tr, path, kind);
    PG_CHECK(pg_par_agree(tr->comm, &st));
    return st;
}

/* ---- one epoch ------------------------------------------------------------------------- */

/* Test hook: PG_GNN_TEST_KILL="epoch:step" sends SIGKILL to this process at that step
 * (1-based epoch, 0-based step), the same as an external kill -9 at that moment. */
static void test_kill_hook(int64_t epoch, int64_t step)
{
    const char *s = getenv("PG_GNN_TEST_KILL");
    long long e = -1, k = -1;
    if (s && sscanf(s, "%lld:%lld", &e, &k) == 2 && e == epoch + 1 && k == step)
        raise(SIGKILL);
}

static pg_status_t train_epoch(trainer_t *tr, double lr, double *train_loss, double *seconds)
{
    pg_status_t st = PG_OK;
    pg_gnn_t *m = tr->model;
    const int T = tr->T;
    const int64_t P = m->n_params;
    double t0 = pg_par_wtime(), sum = 0;
    /* shuffle every owned shard (positions within the shard) */
    int64_t base = 0;
    for (int64_t s = tr->s_lo; s < tr->s_hi; s++) {
        int64_t ns = tr->shard_off[s + 1] - tr->shard_off[s];
        for (int64_t j = 0; j < ns; j++) tr->perm[base + j] = base + j;
        pg_rng_t rng;
        pg_rng_init(&rng, tr->o->seed, pg_rng_tag("gnn.shuffle"), (uint64_t)tr->epoch,
                    (uint64_t)s);
        pg_rng_shuffle_int64(&rng, tr->perm + base, ns);
        base += ns;
    }
    const int64_t own0 = tr->shard_off[tr->s_lo];
    for (int64_t k = 0; k < tr->n_steps; k++) {
        test_kill_hook(tr->epoch, k);
        int64_t n_total = 0, nl = 0;
        base = 0;
        for (int64_t s = 0; s < tr->S; s++) {
            int64_t lo, hi;
            shard_slice(tr, s, k, &lo, &hi);
            n_total += hi - lo;
            if (s >= tr->s_lo && s < tr->s_hi) {
                int64_t sb = tr->shard_off[s] - own0;
                for (int64_t j = lo; j < hi; j++) tr->idx[nl++] = tr->perm[sb + j];
            }
        }
        for (int64_t j = 0; j < nl; j++) {
            tr->confs[j] = tr->split[0][own0 + tr->idx[j]];
            memcpy(tr->ynb + j * T, tr->yn + tr->confs[j] * T, sizeof(double) * (size_t)T);
        }
        const gnn_graphs_t *g = &tr->mem;
        if (tr->streamed) {
            gnn_graphs_clear(&tr->tmp);
            PG_TRY(gnn_dataset_load(&tr->ds, tr->confs, nl, &tr->tmp));
            for (int64_t j = 0; j < nl; j++) tr->idx[j] = j;
            g = &tr->tmp;
        }
        pg_gnn_zero_grad(m);
        double loss = 0;
        if (nl > 0) {
            PG_TRY(gnn_batch_build(g, tr->idx, nl, &tr->bb));
            PG_TRY(pg_gnn_forward(m, &tr->bb.b, NULL));
            PG_TRY(pg_gnn_loss(m, tr->ynb, tr->w, n_total, &loss));
            PG_TRY(pg_gnn_backward(m));
        }
        /* ONE allreduce: the flat gradient and, in its trailing slot, the loss */
        if (m->prec == PG_GNN_F64) {
            m->grads_d[P] = loss;
            PG_TRY(pg_par_sum_double(tr->comm, m->grads_d, P + 1));
            loss = m->grads_d[P];
        } else {
            m->grads_f[P] = (float)loss;
            PG_TRY(pg_par_sum_float(tr->comm, m->grads_f, P + 1));
            loss = m->grads_f[P];
        }
        /* identical on every rank after the reduction: no agreement needed */
        int finite = isfinite(loss);
        for (int64_t j = 0; j < P && finite; j++)
            finite = m->prec == PG_GNN_F64 ? isfinite(m->grads_d[j]) : isfinite(m->grads_f[j]);
        PG_TRY_REQUIRE(finite && loss <= tr->o->diverge_loss, PG_ERR_NUMERIC,
                       "training diverged at epoch %lld, step %lld (global step %lld): batch "
                       "loss %g%s (limit diverge_loss = %g); lower lr (now %g)%s%s",
                       (long long)tr->epoch + 1, (long long)k, (long long)tr->step, loss,
                       finite ? "" : " or a non-finite gradient", tr->o->diverge_loss, lr,
                       tr->o->checkpoint ? "; the last good checkpoint is kept: " : "",
                       tr->o->checkpoint ? tr->o->checkpoint : "");
        pg_gnn_adam_step(m, &tr->o->adam, lr);
        sum += loss * (double)n_total;
        tr->step++;
    }
    *train_loss = sum / (double)tr->n_split[0];
    *seconds = pg_par_wtime() - t0;
cleanup:
    return st;
}

/* Agree on st over comm (PG_TRY would overwrite st with the agreement's own status); on
 * failure add a frame and go to cleanup. */
#define AGREE_OR_CLEANUP(comm, st)                                                                 \
    do {                                                                                           \
        pg_status_t a_ = pg_par_agree((comm), &(st));                                              \
        if (a_ != PG_OK) (st) = a_;                                                                \
        if ((st) != PG_OK) {                                                                       \
            pg_err_frame(__FILE__, __LINE__, __func__);                                            \
            goto cleanup;                                                                          \
        }                                                                                          \
    } while (0)

/* ---- driver ---------------------------------------------------------------------------- */

static pg_status_t check_opts(const pg_gnn_train_opts_t *o)
{
    PG_REQUIRE(o->dataset, PG_ERR_INPUT, "[train] dataset is required");
    PG_REQUIRE(o->n_targets >= 1 && o->n_targets <= PG_GNN_MAX_TARGETS, PG_ERR_INPUT,
               "[train] targets: between 1 and %d names, found %d", PG_GNN_MAX_TARGETS,
               o->n_targets);
    for (int t = 0; t < o->n_targets; t++)
        PG_REQUIRE(isfinite(o->target_weights[t]) && o->target_weights[t] >= 0, PG_ERR_INPUT,
                   "[train] target weight %d must be >= 0, found %g", t, o->target_weights[t]);
    PG_REQUIRE(o->split[0] > 0 && o->split[1] >= 0 && o->split[2] >= 0, PG_ERR_INPUT,
               "[train] split: fractions must be >= 0 with a training share > 0");
    PG_REQUIRE(o->epochs >= 1 && o->batch_size >= 1 && o->n_shards >= 1, PG_ERR_INPUT,
               "[train] epochs, batch_size and shards must be >= 1");
    PG_REQUIRE(o->lr.lr > 0 && isfinite(o->lr.lr), PG_ERR_INPUT, "[train] lr must be > 0");
    return PG_OK;
}

static pg_status_t write_metrics(trainer_t *tr, const pg_gnn_train_result_t *r,
                                 const char *prefix)
{
    static const char *sp_name[3] = {"train", "val", "test"};
    char path[4096];
    snprintf(path, sizeof path, "%s.json", prefix);
    FILE *f = fopen(path, "w");
    PG_REQUIRE(f, PG_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    fprintf(f, "{\n  \"format\": \"phonograph-gnn-metrics\",\n  \"version\": 1,\n");
    fprintf(f, "  \"epochs_run\": %lld,\n  \"best_epoch\": %lld,\n  \"early_stopped\": %s,\n",
            (long long)r->epochs_run, (long long)r->best_epoch,
            r->early_stopped ? "true" : "false");
    fprintf(f, "  \"seed\": %llu,\n  \"n\": {\"train\": %lld, \"val\": %lld, \"test\": %lld},\n",
            (unsigned long long)tr->o->seed, (long long)r->n_split[0], (long long)r->n_split[1],
            (long long)r->n_split[2]);
    fprintf(f, "  \"targets\": {\n");
    for (int t = 0; t < r->T; t++) {
        fprintf(f, "    \"%s\": {\"mean\": %.17g, \"std\": %.17g", tr->ds.target_names[t],
                r->mean[t], r->std[t]);
        for (int sp = 0; sp < 3; sp++)
            if (r->n_split[sp] > 0)
                fprintf(f, ", \"%s\": {\"mae\": %.10g, \"rmse\": %.10g, \"r2\": %.10g}",
                        sp_name[sp], r->mae[sp][t], r->rmse[sp][t],
                        isfinite(r->r2[sp][t]) ? r->r2[sp][t] : 0.0);
        fprintf(f, "}%s\n", t + 1 < r->T ? "," : "");
    }
    fprintf(f, "  },\n  \"history\": {\"train_loss\": [");
    for (int64_t e = 0; e < r->epochs_run; e++)
        fprintf(f, "%s%.10g", e ? ", " : "", r->train_loss[e]);
    fprintf(f, "], \"val_loss\": [");
    for (int64_t e = 0; e < r->epochs_run; e++)
        fprintf(f, "%s%.10g", e ? ", " : "", isfinite(r->val_loss[e]) ? r->val_loss[e] : -1.0);
    fprintf(f, "]}\n}\n");
    int bad = fclose(f) != 0;
    PG_REQUIRE(!bad, PG_ERR_IO, "error writing '%s'", path);
    snprintf(path, sizeof path, "%s.csv", prefix);
    f = fopen(path, "w");
    PG_REQUIRE(f, PG_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    fprintf(f, "split,target,n,mae,rmse,r2\n");
    for (int sp = 0; sp < 3; sp++)
        for (int t = 0; t < r->T; t++)
            if (r->n_split[sp] > 0)
                fprintf(f, "%s,%s,%lld,%.10g,%.10g,%.10g\n", sp_name[sp],
                        tr->ds.target_names[t], (long long)r->n_split[sp], r->mae[sp][t],
                        r->rmse[sp][t], r->r2[sp][t]);
    bad = fclose(f) != 0;
    PG_REQUIRE(!bad, PG_ERR_IO, "error writing '%s'", path);
    return PG_OK;
}

pg_status_t pg_gnn_train(MPI_Comm comm, const pg_gnn_train_opts_t *o, pg_gnn_t **model_out,
                         pg_gnn_train_result_t *res)
{
    pg_status_t st = PG_OK;
    trainer_t tr;
    memset(&tr, 0, sizeof tr);
    memset(res, 0, sizeof *res);
    if (model_out) *model_out = NULL;
    tr.o = o;
    tr.comm = comm;
    tr.rank = pg_par_rank(comm);
    tr.size = pg_par_size(comm);
    tr.T = o->n_targets;
    pg_log_t *log = o->log;

    /* setup: local errors, agreed once */
    st = check_opts(o);
    if (st == PG_OK) st = gnn_dataset_open(o->dataset, tr.T, o->targets, &tr.ds);
    if (st == PG_OK) st = make_split(&tr);
    if (st == PG_OK) st = make_labels(&tr);
    if (st == PG_OK) st = make_shards(&tr);
    if (st == PG_OK) {
        pg_gnn_config_t c = o->model;
        c.F = tr.ds.F;
        c.T = tr.T;
        st = pg_gnn_create(&c, o->prec, &tr.model);
    }
    if (st == PG_OK) {
        pg_gnn_init_params(tr.model, o->seed);
        make_fingerprint(&tr);
        tr.best = calloc((size_t)tr.model->n_params, sizeof(double));
        tr.hist_train = calloc((size_t)o->epochs, sizeof(double));
        tr.hist_val = calloc((size_t)o->epochs, sizeof(double));
        if (!tr.best || !tr.hist_train || !tr.hist_val)
            st = PG_ERR(PG_ERR_NOMEM, "training state");
        else pg_gnn_get_params(tr.model, tr.best);
        tr.best_val = INFINITY;
    }
    AGREE_OR_CLEANUP(comm, st);

    /* resume */
    {
        int64_t exists = 0;
        if (tr.rank == 0 && o->checkpoint) exists = access(o->checkpoint, F_OK) == 0;
        PG_TRY(pg_par_max_int64(comm, &exists, 1));
        if (exists) {
            st = read_state(&tr, o->checkpoint);
            AGREE_OR_CLEANUP(comm, st);
            if (log)
                pg_log_info(log, "resuming from %s at epoch %lld (step %lld)", o->checkpoint,
                            (long long)tr.epoch, (long long)tr.step);
        }
    }
    res->resumed_at = tr.epoch;
    if (log && tr.epoch == 0) {
        int64_t pg_, pn, pe;
        pg_gnn_ws_bytes(&tr.model->cfg, o->prec, &pg_, &pn, &pe);
        pg_log_info(log,
                    "GNN training: %lld configurations (train %lld, val %lld, test %lld), "
                    "%lld parameters (%s), %lld shards on %d ranks, %lld steps/epoch, "
                    "training graphs %s on rank 0",
                    (long long)tr.ds.n_conf, (long long)tr.n_split[0], (long long)tr.n_split[1],
                    (long long)tr.n_split[2], (long long)tr.model->n_params,
                    o->prec == PG_GNN_F64 ? "float64" : "float32", (long long)tr.S, tr.size,
                    (long long)tr.n_steps, tr.streamed ? "streamed from the file" : "in memory");
    }

    double t_train = 0;
    int64_t graphs_done = 0;
    while (!tr.finished && tr.epoch < o->epochs) {
        pg_lr_schedule_t sched = o->lr;
        sched.n_epochs = o->epochs;
        double lr = pg_lr_at(&sched, tr.epoch), tl = 0, secs = 0, vl = NAN;
        st = train_epoch(&tr, lr, &tl, &secs);
        AGREE_OR_CLEANUP(comm, st);
        t_train += secs;
        graphs_done += tr.n_split[0];
        if (tr.n_split[1] > 0) PG_TRY(val_loss(&tr, &vl));
        tr.hist_train[tr.epoch] = tl;
        tr.hist_val[tr.epoch] = vl;
        double crit = tr.n_split[1] > 0 ? vl : tl;
        if (crit < tr.best_val) {
            tr.best_val = crit;
            tr.best_epoch = tr.epoch + 1;
            tr.bad_epochs = 0;
            pg_gnn_get_params(tr.model, tr.best);
        } else {
            tr.bad_epochs++;
        }
        tr.epoch++;
        if (o->patience > 0 && tr.bad_epochs >= o->patience) {
            tr.finished = 1;
            res->early_stopped = 1;
        }
        if (tr.epoch == o->epochs) tr.finished = 1;
        if (log)
            pg_log_info(log,
                        "epoch %4lld  lr %.3e  train loss %.6e  val loss %.6e  %8.1f graphs/s%s",
                        (long long)tr.epoch, lr, tl, vl, (double)tr.n_split[0] / secs,
                        tr.best_epoch == tr.epoch ? "  *" : "");
        int stop = 0;
        PG_TRY(pg_stop_agree(comm, &stop));
        int due = o->checkpoint_every > 0 && tr.epoch % o->checkpoint_every == 0;
        if (o->checkpoint && (due || tr.finished || stop ||
                              (o->stop_after_epoch > 0 && tr.epoch == o->stop_after_epoch)))
            PG_TRY(checkpoint(&tr, o->checkpoint, "checkpoint"));
        if (stop || (o->stop_after_epoch > 0 && tr.epoch == o->stop_after_epoch && !tr.finished)) {
            st = PG_ERR(PG_ERR_INTERRUPTED, "training stopped after epoch %lld%s%s",
                        (long long)tr.epoch, o->checkpoint ? "; resume from " : "",
                        o->checkpoint ? o->checkpoint : "");
            goto cleanup;
        }
    }
    /* the final model is the best one (validation loss; training loss without validation) */
    pg_gnn_set_params(tr.model, tr.best);
    res->T = tr.T;
    for (int sp = 0; sp < 3; sp++) res->n_split[sp] = tr.n_split[sp];
    res->epochs_run = tr.epoch;
    res->best_epoch = tr.best_epoch;
    res->best_val_loss = tr.best_val;
    res->early_stopped = tr.epoch < o->epochs;
    res->streamed = tr.streamed;
    res->bytes_resident = gnn_graphs_bytes(&tr.mem);
    res->graphs_per_s = t_train > 0 ? (double)graphs_done / t_train : 0;
    for (int t = 0; t < tr.T; t++) {
        res->mean[t] = tr.mean[t];
        res->std[t] = tr.std[t];
    }
    res->train_loss = malloc(sizeof(double) * (size_t)(tr.epoch + 1));
    res->val_loss = malloc(sizeof(double) * (size_t)(tr.epoch + 1));
    PG_TRY_REQUIRE(res->train_loss && res->val_loss, PG_ERR_NOMEM, "loss history");
    memcpy(res->train_loss, tr.hist_train, sizeof(double) * (size_t)tr.epoch);
    memcpy(res->val_loss, tr.hist_val, sizeof(double) * (size_t)tr.epoch);
    PG_TRY(metrics(&tr, res));
    if (o->model_out) PG_TRY(checkpoint(&tr, o->model_out, "model"));
    if (o->metrics_prefix) {
        if (tr.rank == 0) st = write_metrics(&tr, res, o->metrics_prefix);
        AGREE_OR_CLEANUP(comm, st);
    }
    if (log) {
        static const char *sp_name[3] = {"train", "val", "test"};
        pg_log_info(log, "best epoch %lld (loss %.6e), %s; %.1f training graphs/s",
                    (long long)tr.best_epoch, tr.best_val,
                    res->early_stopped ? "stopped early" : "all epochs run", res->graphs_per_s);
        for (int sp = 0; sp < 3; sp++)
            for (int t = 0; t < tr.T && tr.n_split[sp] > 0; t++)
                pg_log_info(log, "  %-5s %-20s MAE %.6g  RMSE %.6g  R2 %.6f", sp_name[sp],
                            tr.ds.target_names[t], res->mae[sp][t], res->rmse[sp][t],
                            res->r2[sp][t]);
    }
    if (model_out) {
        *model_out = tr.model;
        tr.model = NULL;
    }
cleanup:
    trainer_free(&tr);
    if (st != PG_OK) pg_gnn_train_result_free(res);
    return st;
}

/* ---- model files and prediction -------------------------------------------------------- */

pg_status_t pg_gnn_model_read(const char *path, pg_gnn_t **model, pg_gnn_norm_t *norm)
{
    pg_status_t st = PG_OK;
    pg_h5_t *f = NULL;
    char *s = NULL, **names = NULL, **kinds = NULL;
    int64_t n_names = 0, n_kinds = 0, bits = 0, cfg[6];
    double dr[2], *p = NULL;
    pg_gnn_t *m = NULL;
    *model = NULL;
    memset(norm, 0, sizeof *norm);
    PG_TRY(pg_h5_open(path, PG_H5_READ, MPI_COMM_NULL, &f));
    PG_TRY(pg_h5_attr_read_string(f, "/", "format", &s));
    PG_TRY_REQUIRE(strcmp(s, CKPT_FORMAT) == 0, PG_ERR_INPUT,
                   "%s: not a phonograph GNN model (format '%s', expected '%s')", path, s,
                   CKPT_FORMAT);
    PG_TRY(pg_h5_read(f, "/config/precision_bits", PG_H5_I64, &bits));
    PG_TRY(pg_h5_attr_read(f, "/config/precision_bits", "F_G_H_K_Hh_T", PG_H5_I64, 6, cfg));
    PG_TRY(pg_h5_attr_read(f, "/config/precision_bits", "dmin_dmax_ang", PG_H5_F64, 2, dr));
    pg_gnn_config_t c = {.F = (int)cfg[0], .G = (int)cfg[1], .H = (int)cfg[2], .K = (int)cfg[3],
                         .Hh = (int)cfg[4], .T = (int)cfg[5], .dmin_ang = dr[0],
                         .dmax_ang = dr[1]};
    PG_TRY_REQUIRE(c.T >= 1 && c.T <= PG_GNN_MAX_TARGETS, PG_ERR_INPUT, "%s: %d targets", path,
                   c.T);
    PG_TRY(pg_gnn_create(&c, bits == 64 ? PG_GNN_F64 : PG_GNN_F32, &m));
    int rank = 0;
    int64_t dims[4];
    PG_TRY(pg_h5_read_alloc(f, "/params", PG_H5_F64, (void **)&p, &rank, dims));
    PG_TRY_REQUIRE(rank == 1 && dims[0] == m->n_params, PG_ERR_INPUT,
                   "%s: /params has %lld values, the model needs %lld", path, (long long)dims[0],
                   (long long)m->n_params);
    pg_gnn_set_params(m, p);
    PG_TRY(pg_h5_read_strings(f, "/norm/targets", &names, &n_names));
    PG_TRY_REQUIRE(n_names == c.T, PG_ERR_INPUT, "%s: %lld target names for %d targets", path,
                   (long long)n_names, c.T);
    norm->T = c.T;
    for (int t = 0; t < c.T; t++) snprintf(norm->names[t], sizeof norm->names[t], "%s", names[t]);
    PG_TRY(pg_h5_read(f, "/norm/mean", PG_H5_F64, norm->mean));
    PG_TRY(pg_h5_read(f, "/norm/std", PG_H5_F64, norm->std));
    if (pg_h5_exists(f, "/graph/species")) {
        pg_features_t *ft = &norm->feat;
        int64_t z[PG_FEATURES_MAX_SPECIES], oh = 0, kmax = 0;
        PG_TRY(pg_h5_shape(f, "/graph/species", &rank, dims));
        PG_TRY_REQUIRE(rank == 1 && dims[0] >= 1 && dims[0] <= PG_FEATURES_MAX_SPECIES,
                       PG_ERR_INPUT, "%s: /graph/species has a bad shape", path);
        PG_TRY(pg_h5_read(f, "/graph/species", PG_H5_I64, z));
        PG_TRY(pg_h5_attr_read(f, "/graph/species", "one_hot", PG_H5_I64, 1, &oh));
        PG_TRY(pg_h5_attr_read(f, "/graph/species", "cutoff_ang", PG_H5_F64, 1,
                               &norm->graph.cutoff_ang));
        PG_TRY(pg_h5_attr_read(f, "/graph/species", "max_neighbors", PG_H5_I64, 1, &kmax));
        norm->graph.max_neighbors = (int)kmax;
        ft->n_species = (int)dims[0];
        for (int k = 0; k < ft->n_species; k++) ft->z[k] = (int)z[k];
        ft->one_hot = (int)oh;
        ft->n_kind = 0;
        if (pg_h5_exists(f, "/graph/kinds")) {
            PG_TRY(pg_h5_read_strings(f, "/graph/kinds", &kinds, &n_kinds));
            PG_TRY_REQUIRE(n_kinds <= PG_FEAT_N_KINDS, PG_ERR_INPUT, "%s: too many kinds", path);
            for (int64_t k = 0; k < n_kinds; k++)
                PG_TRY(pg_features_kind_from_name(kinds[k], &ft->kind[k]));
            ft->n_kind = (int)n_kinds;
            PG_TRY(pg_h5_read(f, "/graph/min", PG_H5_F64, ft->vmin));
            PG_TRY(pg_h5_read(f, "/graph/max", PG_H5_F64, ft->vmax));
        }
        ft->n_feat = ft->n_kind + (ft->one_hot ? ft->n_species : 0);
        PG_TRY_REQUIRE(ft->n_feat == c.F, PG_ERR_INPUT,
                       "%s: the stored feature table gives %d features, the model has %d", path,
                       ft->n_feat, c.F);
        norm->has_graph = 1;
    }
    *model = m;
    m = NULL;
cleanup:
    if (names) pg_h5_free_strings(names, n_names);
    if (kinds) pg_h5_free_strings(kinds, n_kinds);
    free(s);
    free(p);
    pg_gnn_destroy(&m);
    pg_h5_close(&f);
    return st;
}

pg_status_t pg_gnn_predict_dataset(pg_gnn_t *model, const pg_gnn_norm_t *norm,
                                   const char *dataset, int64_t batch_size, double **pred,
                                   int64_t *n_conf)
{
    pg_status_t st = PG_OK;
    gnn_dataset_t ds;
    gnn_graphs_t g;
    gnn_batchbuf_t bb;
    int64_t *idx = NULL, *confs = NULL;
    double *out = NULL, *res = NULL;
    const int T = model->cfg.T;
    memset(&g, 0, sizeof g);
    memset(&bb, 0, sizeof bb);
    *pred = NULL;
    *n_conf = 0;
    if (batch_size < 1) batch_size = 32;
    PG_CHECK(gnn_dataset_open(dataset, 0, NULL, &ds));
    PG_TRY_REQUIRE(ds.F == model->cfg.F, PG_ERR_INPUT,
                   "%s has %d node features per atom, the model was trained with %d", dataset,
                   ds.F, model->cfg.F);
    g.F = ds.F;
    PG_TRY_CALLOC(idx, batch_size, "indices");
    PG_TRY_CALLOC(confs, batch_size, "indices");
    PG_TRY_CALLOC(out, batch_size * T, "outputs");
    PG_TRY_CALLOC(res, ds.n_conf * T, "predictions");
    for (int64_t c = 0; c < ds.n_conf * T; c++) res[c] = NAN; /* incomplete: no prediction */
    for (int64_t c0 = 0; c0 < ds.n_conf;) {
        int64_t nb = 0;
        for (; c0 < ds.n_conf && nb < batch_size; c0++)
            if (ds.usable[c0]) {
                confs[nb] = c0;
                idx[nb] = nb;
                nb++;
            }
        if (nb == 0) break;
        gnn_graphs_clear(&g);
        PG_TRY(gnn_dataset_load(&ds, confs, nb, &g));
        PG_TRY(gnn_batch_build(&g, idx, nb, &bb));
        PG_TRY(pg_gnn_forward(model, &bb.b, out));
        for (int64_t j = 0; j < nb; j++)
            for (int t = 0; t < T; t++)
                res[confs[j] * T + t] = out[j * T + t] * norm->std[t] + norm->mean[t];
    }
    *pred = res;
    *n_conf = ds.n_conf;
    res = NULL;
cleanup:
    free(idx);
    free(confs);
    free(out);
    free(res);
    gnn_graphs_free(&g);
    gnn_batchbuf_free(&bb);
    gnn_dataset_close(&ds);
    return st;
}

pg_status_t pg_gnn_predict_cell(pg_gnn_t *model, const pg_gnn_norm_t *norm,
                                const pg_cell_t *cell, double *pred)
{
    pg_status_t st = PG_OK;
    pg_graph_t g;
    pg_graph_batch_t b;
    memset(&g, 0, sizeof g);
    memset(&b, 0, sizeof b);
    double out[PG_GNN_MAX_TARGETS];
    PG_REQUIRE(norm->has_graph, PG_ERR_INPUT,
               "the model file has no graph recipe (its training dataset had no "
               "/graphs/features), so structures cannot be turned into graphs the same way");
    PG_TRY(pg_graph_build(cell, &norm->feat, &norm->graph, &g));
    PG_TRY(pg_graph_batch_concat(&g, 1, &b));
    pg_gnn_batch_t v = {.n_graphs = 1, .n_nodes = b.n_nodes, .n_edges = b.n_edges,
                        .node_offsets = b.node_offsets, .edge_src = b.edge_src,
                        .edge_dst = b.edge_dst, .edge_dist = b.edge_dist,
                        .node_features = b.node_features};
    PG_TRY(pg_gnn_forward(model, &v, out));
    for (int t = 0; t < model->cfg.T; t++) pred[t] = out[t] * norm->std[t] + norm->mean[t];
cleanup:
    pg_graph_batch_free(&b);
    pg_graph_free(&g);
    return st;
}
