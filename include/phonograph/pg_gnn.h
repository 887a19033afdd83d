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

#include <stdint.h>

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

#endif
