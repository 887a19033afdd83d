/* pg_gnn.h - the CGCNN-style graph neural network of ../shared/reference/gnn/SPEC.md.
 *
 * llm.c style: every parameter lives in ONE flat buffer (layout of SPEC §8, weights [in, out]
 * row-major), gradients in a second buffer and the Adam moments m, v in two more, all of the
 * same layout, so a data-parallel gradient reduction is a single allreduce. The model runs in
 * float64 (gradient checks, conformance with vectors.h5) or float32 (training); the buffers
 * are of the model's precision (double or float) and are accessed through the typed pointers
 * of pg_gnn_t.
 *
 * A batch is a set of whole graphs in CSR form (SPEC §1). Forward stores the activations of
 * the batch in the model's workspace; backward uses them and ACCUMULATES into the gradient
 * buffer (pg_gnn_zero_grad is explicit). Functions here are not collective and not
 * thread-safe for one model.
 */
#ifndef PG_GNN_H
#define PG_GNN_H

#include <mpi.h>
#include <stdint.h>

#include "phonograph/pg_deck.h"
#include "phonograph/pg_graph.h"
#include "phonograph/pg_log.h"
#include "phonograph/pg_status.h"

/* Hyperparameters (SPEC §2). dmin, dmax: first and last Gaussian centre in Å; σ = step. */
typedef struct {
    int F;  /* node features */
    int G;  /* Gaussians */
    int H;  /* hidden width */
    int K;  /* conv layers */
    int Hh; /* head width */
    int T;  /* targets */
    double dmin_ang, dmax_ang;
} pg_gnn_config_t;

/* SPEC §2 defaults: F=4, G=40, H=64, K=3, Hh=32, T=4, dmin=0, dmax=6 Å. */
pg_gnn_config_t pg_gnn_config_default(void);
/* PG_ERR_INPUT if a size is < 1 (G < 2) or dmax <= dmin. */
pg_status_t pg_gnn_config_check(const pg_gnn_config_t *cfg);

/* One tensor of the flat layout (SPEC §8): name ("emb.W", "conv0.b", ...), offset in the flat
 * buffer, rows x cols (cols = 1 for biases). */
typedef struct {
    char name[24];
    int64_t offset;
    int64_t rows, cols;
} pg_gnn_tensor_t;

/* Number of tensors: 2K + 6. */
int pg_gnn_n_tensors(const pg_gnn_config_t *cfg);
/* Fill table[pg_gnn_n_tensors(cfg)]; returns the total number of parameters P. */
int64_t pg_gnn_layout(const pg_gnn_config_t *cfg, pg_gnn_tensor_t *table);

typedef enum { PG_GNN_F64 = 0, PG_GNN_F32 = 1 } pg_gnn_prec_t;

/* A batch of B whole graphs (SPEC §1), a borrowed view over plain arrays.
 * Node i of the batch belongs to the graph g with node_offsets[g] <= i < node_offsets[g+1].
 * edge_src/edge_dst are BATCHED node indices (0..n_nodes-1); message src -> dst. */
typedef struct {
    int64_t n_graphs, n_nodes, n_edges;
    const int64_t *node_offsets;  /* [n_graphs+1], node_offsets[0] = 0 */
    const int64_t *edge_src;      /* [n_edges] */
    const int64_t *edge_dst;      /* [n_edges] */
    const double *edge_dist;      /* [n_edges] Å */
    const double *edge_gate;      /* [n_edges] or NULL: multiplies each edge's Gaussian
                                     features (explainability; NULL = 1, the model itself) */
    const double *node_features;  /* [n_nodes][F] */
} pg_gnn_batch_t;

typedef struct pg_gnn_ws pg_gnn_ws_t; /* activation workspace (opaque) */

typedef struct {
    pg_gnn_config_t cfg;
    pg_gnn_prec_t prec;
    int64_t n_params;            /* P */
    int n_tensors;
    pg_gnn_tensor_t *layout;     /* [n_tensors] */
    /* flat buffers [P] of the model's precision; exactly one of each pair is non-NULL.
     * grads has one extra trailing slot [P] in which the trainer reduces the batch loss
     * together with the gradient (one allreduce per step). */
    double *params_d, *grads_d, *m_d, *v_d;
    float *params_f, *grads_f, *m_f, *v_f;
    int64_t adam_t;              /* Adam steps taken (t of SPEC §7) */
    pg_gnn_ws_t *ws;
} pg_gnn_t;

/* Create a model with zeroed parameters, gradients and moments.
 * Errors: PG_ERR_INPUT (bad config), PG_ERR_NOMEM. */
pg_status_t pg_gnn_create(const pg_gnn_config_t *cfg, pg_gnn_prec_t prec, pg_gnn_t **out);
void pg_gnn_destroy(pg_gnn_t **model);

/* SPEC §9 initialisation: each W [in, out] and its b ~ U(-1/sqrt(in), 1/sqrt(in)), drawn from
 * the Philox stream (seed, "gnn.init"), draw k for parameter k (pg_rng.h). */
void pg_gnn_init_params(pg_gnn_t *model, uint64_t seed);
/* Copy parameters in/out as double (converting for a float32 model). */
void pg_gnn_set_params(pg_gnn_t *model, const double *params /* [P] */);
void pg_gnn_get_params(const pg_gnn_t *model, double *params /* [P] */);
void pg_gnn_get_grads(const pg_gnn_t *model, double *grads /* [P] */);
void pg_gnn_zero_grad(pg_gnn_t *model);

/* Make sure the workspace holds a batch of this size (allocates only when growing).
 * Errors: PG_ERR_NOMEM. */
pg_status_t pg_gnn_reserve(pg_gnn_t *model, int64_t n_graphs, int64_t n_nodes, int64_t n_edges);

/* Forward pass (SPEC §4) of a batch; out [n_graphs][T] in normalised units (may be NULL).
 * Validates index ranges of the batch. Errors: PG_ERR_INPUT (bad batch), PG_ERR_NOMEM. */
pg_status_t pg_gnn_forward(pg_gnn_t *model, const pg_gnn_batch_t *batch, double *out);

/* Loss of the last forward (SPEC §5): L = 1/(n_total T) Σ_b Σ_t w_t (out_bt − yn_bt)², with
 * yn the NORMALISED targets [n_graphs][T], w [T] (NULL = all 1), n_total the number of
 * graphs of the global mini-batch. Also stores dL/dout for pg_gnn_backward. */
pg_status_t pg_gnn_loss(pg_gnn_t *model, const double *yn, const double *w, int64_t n_total,
                        double *loss);

/* Backward of the last forward/loss: accumulates dL/dθ into the gradient buffer. */
pg_status_t pg_gnn_backward(pg_gnn_t *model);
/* Explainability: after pg_gnn_forward on a float64 model, dgate[e] = d out[b(e), target] /
 * d edge_gate[e] for every edge e of the batch (normalised output units; the gate of an edge
 * scales its Gaussian distance features, so dgate is the sensitivity of the prediction of the
 * edge's own graph to that edge's distance information). Clobbers the parameter gradients
 * (zeroed on return). Errors: PG_ERR_INTERNAL (no forward, float32 model, bad target). */
pg_status_t pg_gnn_edge_gate_gradient(pg_gnn_t *model, int target, double *dgate);

/* Copy an activation of the last forward/backward as double, by its vectors.h5 name:
 * "gauss", "deg", "h0".."hK", "conv{l}.pre", "conv{l}.msg", "conv{l}.agg", "pool",
 * "head.pre", "head.act", "out", and after backward "d_h0".."d_hK", "d_pool".
 * *n gets the number of elements; out may be NULL to query it.
 * Errors: PG_ERR_INPUT for an unknown name. */
pg_status_t pg_gnn_activation(const pg_gnn_t *model, const char *name, double *out, int64_t *n);

/* Bytes of workspace per (graph, node, edge) of a batch, for memory reports. */
void pg_gnn_ws_bytes(const pg_gnn_config_t *cfg, pg_gnn_prec_t prec, int64_t *per_graph,
                     int64_t *per_node, int64_t *per_edge);

/* ---- optimiser (src/gnn/optim.c) ------------------------------------------------------- */

typedef struct {
    double lr;      /* base learning rate */
    double beta1, beta2, eps;
} pg_adam_t;

/* torch.optim.Adam defaults with the given lr. */
pg_adam_t pg_adam_default(double lr);

/* One Adam step (SPEC §7, exactly torch.optim.Adam, weight_decay 0, amsgrad off) on the
 * model's flat buffers with learning rate lr; increments model->adam_t first (t from 1). */
void pg_gnn_adam_step(pg_gnn_t *model, const pg_adam_t *adam, double lr);

/* Learning-rate schedules. */
typedef enum {
    PG_LR_CONSTANT = 0, /* lr */
    PG_LR_COSINE = 1,   /* lr_min + (lr − lr_min)(1 + cos(π e/E))/2 over E epochs */
    PG_LR_STEP = 2      /* lr · gamma^floor(e / step_epochs) */
} pg_lr_kind_t;

typedef struct {
    pg_lr_kind_t kind;
    double lr, lr_min, gamma;
    int64_t warmup_epochs;  /* linear warm-up from lr/(warmup+1) (0 = none) */
    int64_t step_epochs;
    int64_t n_epochs;
} pg_lr_schedule_t;

/* Learning rate for epoch (0-based). */
double pg_lr_at(const pg_lr_schedule_t *s, int64_t epoch);

/* ---- training (src/gnn/trainer.c) ------------------------------------------------------ */

#define PG_GNN_MAX_TARGETS 16

typedef struct {
    const char *dataset;                          /* HDF5 dataset file (schema: src/gnn/data.c) */
    int n_targets;                                /* T */
    const char *targets[PG_GNN_MAX_TARGETS];      /* label names (/labels/<name>) */
    double target_weights[PG_GNN_MAX_TARGETS];    /* w_t of the loss */
    pg_gnn_config_t model;                        /* F and T are taken from the dataset/targets */
    pg_gnn_prec_t prec;
    uint64_t seed;                                /* split, shuffles, initialisation */
    double split[3];                              /* train, validation, test fractions */
    int64_t max_configs;                          /* use only the first max_configs of the
                                                     seeded shuffle of usable configurations
                                                     before splitting (0 = all): learning
                                                     curves with nested training sets */
    int64_t epochs, batch_size;                   /* batch_size: graphs per GLOBAL batch */
    int64_t patience;                             /* early stopping on validation loss; 0 = off */
    int64_t checkpoint_every;                     /* epochs; 0 = only at the end */
    int64_t n_shards;                             /* S: fixed shards of the training set */
    pg_lr_schedule_t lr;                          /* n_epochs is set from epochs */
    pg_adam_t adam;
    double memory_budget_mb;                      /* per rank; larger shards are streamed */
    double diverge_loss;                          /* a batch loss above this stops training */
    const char *checkpoint;                       /* path; NULL = no checkpoints */
    const char *model_out;                        /* path of the trained model; NULL = none */
    const char *metrics_prefix;                   /* <prefix>.json and <prefix>.csv; NULL = none */
    const char *deck_text;                        /* stored in checkpoints and the model */
    int64_t stop_after_epoch;                     /* tests: return PG_ERR_INTERRUPTED after the
                                                     checkpoint of this epoch (1-based; 0 = off) */
    pg_log_t *log;                                /* progress (rank 0); may be NULL */
} pg_gnn_train_opts_t;

/* Defaults of the [train] deck section. */
void pg_gnn_train_opts_default(pg_gnn_train_opts_t *o);
/* Fill o from the deck's [train] section and [run] seed (src/gnn/train_keys.c). Strings
 * point into the deck (keep it alive). Paths of outputs are left NULL for the caller.
 * Errors: PG_ERR_INPUT naming the deck line. */
pg_status_t pg_gnn_train_opts_from_deck(const pg_deck_t *d, pg_gnn_train_opts_t *o);

enum { PG_GNN_TRAIN = 0, PG_GNN_VAL = 1, PG_GNN_TEST = 2 };

typedef struct {
    int T;
    int64_t n_split[3];             /* configurations per split */
    int64_t epochs_run;             /* epochs completed, including those before a resume */
    int64_t resumed_at;             /* first epoch run in this call (0 = fresh start) */
    int64_t best_epoch;             /* 1-based epoch of the best validation loss */
    double best_val_loss;
    int early_stopped;
    double *train_loss, *val_loss;  /* [epochs_run] history (normalised units), owned */
    double mean[PG_GNN_MAX_TARGETS], std[PG_GNN_MAX_TARGETS]; /* normalisation (train split) */
    /* metrics in physical units of the final (best) model, per split and target */
    double mae[3][PG_GNN_MAX_TARGETS], rmse[3][PG_GNN_MAX_TARGETS], r2[3][PG_GNN_MAX_TARGETS];
    double graphs_per_s;            /* training throughput of this call (all ranks together) */
    int64_t bytes_resident;         /* training graphs held in memory on this rank */
    int streamed;                   /* 1 if this rank streamed its shard from the file */
} pg_gnn_train_result_t;

void pg_gnn_train_result_free(pg_gnn_train_result_t *r);

/* Data-parallel training (SPEC §5-7). Collective on comm; errors agreed (same status on
 * every rank).
 * - Split by configuration with the Philox stream (seed, "gnn.split"); normalisation from the
 *   training split only.
 * - The training set is cut into n_shards fixed shards; rank r of p owns shards
 *   [r S/p, (r+1) S/p) and reads only those (in memory if they fit memory_budget_mb, else
 *   streamed from the file step by step). Each epoch every shard is shuffled with the stream
 *   (seed, "gnn.shuffle", epoch, shard) and global batch k takes the k-th slice of every
 *   shard, so the global batch (and the trajectory) does not depend on the number of ranks.
 * - Per step: local forward/backward with the loss divided by the GLOBAL batch size, ONE
 *   allreduce of the flat gradient (plus the loss slot), the same Adam step everywhere.
 * - Checkpoint (atomic: temp file + rename) every checkpoint_every epochs; an existing
 *   checkpoint of the same configuration is resumed, reaching the same final parameters.
 * - NaN/Inf labels: PG_ERR_INPUT naming the configuration; a non-finite or diverging loss:
 *   PG_ERR_NUMERIC naming epoch and step (the last good checkpoint is kept).
 * On success *model_out (if not NULL) receives the best model (caller destroys). */
pg_status_t pg_gnn_train(MPI_Comm comm, const pg_gnn_train_opts_t *o, pg_gnn_t **model_out,
                         pg_gnn_train_result_t *res);

/* Model files (written by pg_gnn_train as model_out; same format as checkpoints). */
typedef struct {
    int T;
    char names[PG_GNN_MAX_TARGETS][64];
    double mean[PG_GNN_MAX_TARGETS], std[PG_GNN_MAX_TARGETS];
    /* how the training graphs were built (if the dataset had /graphs/features): the feature
     * table with its normalisation and the graph options, to build graphs of new structures */
    int has_graph;
    pg_features_t feat;
    pg_graph_opts_t graph;
} pg_gnn_norm_t;

/* Read a model or checkpoint file (its best parameters). Not collective. */
pg_status_t pg_gnn_model_read(const char *path, pg_gnn_t **model, pg_gnn_norm_t *norm);

/* Prediction for one structure (physical units, pred[T]): its graph is built with the
 * model's stored recipe (norm->has_graph). Not collective. Errors: PG_ERR_INPUT (no recipe
 * in the model, a species the model never saw). */
pg_status_t pg_gnn_predict_cell(pg_gnn_t *model, const pg_gnn_norm_t *norm,
                                const pg_cell_t *cell, double *pred);

/* Predictions in physical units for every configuration of a dataset file:
 * pred [n_conf][T] (malloc'ed, caller frees). Not collective. */
pg_status_t pg_gnn_predict_dataset(pg_gnn_t *model, const pg_gnn_norm_t *norm,
                                   const char *dataset, int64_t batch_size, double **pred,
                                   int64_t *n_conf);

#endif
