/* model.c - the CGCNN-style GNN of SPEC.md (../shared/reference/gnn/): flat parameter
 * layout, workspace, and the float64 / float32 instantiations of the layers in
 * model_tmpl.h. */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gnn/gnn_internal.h"
#include "phonograph/pg_gnn.h"
#include "phonograph/pg_rng.h"

/* ---- configuration and layout ---------------------------------------------------------- */

pg_gnn_config_t pg_gnn_config_default(void)
{
    pg_gnn_config_t c = {.F = 4, .G = 40, .H = 64, .K = 3, .Hh = 32, .T = 4,
                         .dmin_ang = 0.0, .dmax_ang = 6.0};
    return c;
}

pg_status_t pg_gnn_config_check(const pg_gnn_config_t *c)
{
    PG_REQUIRE(c->F >= 1 && c->H >= 1 && c->K >= 1 && c->Hh >= 1 && c->T >= 1, PG_ERR_INPUT,
               "GNN sizes must be >= 1 (F=%d H=%d K=%d Hh=%d T=%d)", c->F, c->H, c->K, c->Hh,
               c->T);
    PG_REQUIRE(c->G >= 2, PG_ERR_INPUT, "GNN needs at least 2 Gaussians, found G=%d", c->G);
    PG_REQUIRE(c->K <= 64 && c->H <= 65536 && c->G <= 65536 && c->F <= 65536, PG_ERR_INPUT,
               "GNN sizes out of range (K=%d H=%d G=%d F=%d)", c->K, c->H, c->G, c->F);
    PG_REQUIRE(isfinite(c->dmin_ang) && isfinite(c->dmax_ang) && c->dmax_ang > c->dmin_ang,
               PG_ERR_INPUT, "GNN Gaussian range needs dmax > dmin, found dmin=%g dmax=%g Å",
               c->dmin_ang, c->dmax_ang);
    return PG_OK;
}

int pg_gnn_n_tensors(const pg_gnn_config_t *cfg) { return 2 * cfg->K + 6; }

static void put_tensor(pg_gnn_tensor_t *t, const char *name, int64_t *off, int64_t rows,
                       int64_t cols)
{
    snprintf(t->name, sizeof t->name, "%s", name);
    t->offset = *off;
    t->rows = rows;
    t->cols = cols;
    *off += rows * cols;
}

int64_t pg_gnn_layout(const pg_gnn_config_t *c, pg_gnn_tensor_t *t)
{
    int64_t off = 0;
    int k = 0;
    put_tensor(&t[k++], "emb.W", &off, c->F, c->H);
    put_tensor(&t[k++], "emb.b", &off, c->H, 1);
    for (int l = 0; l < c->K; l++) {
        char nw[24], nb[24];
        snprintf(nw, sizeof nw, "conv%d.W", l);
        snprintf(nb, sizeof nb, "conv%d.b", l);
        put_tensor(&t[k++], nw, &off, 2 * c->H + c->G, 2 * c->H);
        put_tensor(&t[k++], nb, &off, 2 * c->H, 1);
    }
    put_tensor(&t[k++], "head.W1", &off, c->H, c->Hh);
    put_tensor(&t[k++], "head.b1", &off, c->Hh, 1);
    put_tensor(&t[k++], "head.W2", &off, c->Hh, c->T);
    put_tensor(&t[k++], "head.b2", &off, c->T, 1);
    return off;
}

/* ---- workspace ------------------------------------------------------------------------- */

enum {
    WS_X, WS_GAUSS, WS_INVDEG, WS_H, WS_PRE, WS_COEF, WS_AGG, WS_AB, WS_POOL, WS_U, WS_A,
    WS_OUT, WS_DOUT, WS_DH, WS_DT, WS_DPRE, WS_S, WS_DPOOL, WS_DU, WS_DA, WS_COUNT
};

struct pg_gnn_ws {
    void *buf[WS_COUNT];
    int64_t cap[WS_COUNT]; /* elements */
    pg_gnn_batch_t batch;  /* the batch of the last forward (borrowed arrays) */
    int have_fwd, have_loss, have_bwd;
};

/* Elements of each buffer per graph, per node and per edge. */
static void ws_coeffs(const pg_gnn_config_t *c, int64_t per_b[WS_COUNT],
                      int64_t per_n[WS_COUNT], int64_t per_e[WS_COUNT])
{
    const int64_t F = c->F, G = c->G, H = c->H, K = c->K, Hh = c->Hh, T = c->T;
    for (int i = 0; i < WS_COUNT; i++) per_b[i] = per_n[i] = per_e[i] = 0;
    per_n[WS_X] = F;
    per_e[WS_GAUSS] = G;
    per_n[WS_INVDEG] = 1;
    per_n[WS_H] = (K + 1) * H;
    per_e[WS_PRE] = K * 2 * H;
    per_e[WS_COEF] = K * 2 * H;
    per_n[WS_AGG] = K * H;
    per_n[WS_AB] = 4 * H;
    per_b[WS_POOL] = H;
    per_b[WS_U] = Hh;
    per_b[WS_A] = Hh;
    per_b[WS_OUT] = T;
    per_b[WS_DOUT] = T;
    per_n[WS_DH] = (K + 1) * H;
    per_n[WS_DT] = H;
    per_e[WS_DPRE] = 2 * H;
    per_n[WS_S] = 4 * H;
    per_b[WS_DPOOL] = H;
    per_b[WS_DU] = Hh;
    per_b[WS_DA] = Hh;
}

void pg_gnn_ws_bytes(const pg_gnn_config_t *cfg, pg_gnn_prec_t prec, int64_t *per_graph,
                     int64_t *per_node, int64_t *per_edge)
{
    int64_t pb[WS_COUNT], pn[WS_COUNT], pe[WS_COUNT];
    ws_coeffs(cfg, pb, pn, pe);
    int64_t sz = prec == PG_GNN_F64 ? 8 : 4, b = 0, n = 0, e = 0;
    for (int i = 0; i < WS_COUNT; i++) {
        b += pb[i];
        n += pn[i];
        e += pe[i];
    }
    *per_graph = b * sz;
    *per_node = n * sz;
    *per_edge = e * sz;
}

pg_status_t pg_gnn_reserve(pg_gnn_t *m, int64_t n_graphs, int64_t n_nodes, int64_t n_edges)
{
    int64_t pb[WS_COUNT], pn[WS_COUNT], pe[WS_COUNT];
    ws_coeffs(&m->cfg, pb, pn, pe);
    size_t sz = m->prec == PG_GNN_F64 ? sizeof(double) : sizeof(float);
    pg_gnn_ws_t *ws = m->ws;
    for (int i = 0; i < WS_COUNT; i++) {
        int64_t need = pb[i] * n_graphs + pn[i] * n_nodes + pe[i] * n_edges;
        if (need <= ws->cap[i]) continue;
        int64_t cap = need + need / 4; /* grow with slack: few reallocations */
        void *p = malloc((size_t)cap * sz);
        if (!p)
            return PG_ERR(PG_ERR_NOMEM, "GNN workspace: out of memory for %lld values (batch "
                                        "of %lld graphs, %lld nodes, %lld edges)",
                          (long long)cap, (long long)n_graphs, (long long)n_nodes,
                          (long long)n_edges);
        free(ws->buf[i]);
        ws->buf[i] = p;
        ws->cap[i] = cap;
    }
    return PG_OK;
}

/* ---- the two instantiations ------------------------------------------------------------ */

/* log1p(e) for e in [0, 1] (softplus only needs these: e = exp(−|x|)), float32:
 * log1p(e) = 2 atanh(u), u = e/(2+e) in [0, 1/3], by its series to u^13: the first omitted
 * term is below 1.4e-8 relative (< half an ulp of float), and small e stay accurate (2u ≈ e),
 * unlike logf(1 + e). glibc's log1pf was a third of the training time. */
static inline float log1p01f(float e)
{
    float u = e / (2.0f + e), u2 = u * u;
    float p = 1.0f / 13;
    p = p * u2 + 1.0f / 11;
    p = p * u2 + 1.0f / 9;
    p = p * u2 + 1.0f / 7;
    p = p * u2 + 1.0f / 5;
    p = p * u2 + 1.0f / 3;
    p = p * u2 + 1.0f;
    return 2.0f * u * p;
}

#define REAL double
#define SUF d
#define GEMM cblas_dgemm
#define EXP exp
#define LOG1P01 log1p
#define GAUSS_CUT 745.2 /* exp(-745.2) rounds to 0 in double */
#include "gnn/model_tmpl.h"
#undef REAL
#undef SUF
#undef GEMM
#undef EXP
#undef LOG1P01
#undef GAUSS_CUT

#define REAL float
#define SUF f
#define GEMM cblas_sgemm
#define EXP expf
#define LOG1P01 log1p01f
#define GAUSS_CUT 87.3 /* exp(-87.3) < FLT_MIN */
#include "gnn/model_tmpl.h"
#undef REAL
#undef SUF
#undef GEMM
#undef EXP
#undef LOG1P01
#undef GAUSS_CUT

/* ---- public API ------------------------------------------------------------------------ */

pg_status_t pg_gnn_create(const pg_gnn_config_t *cfg, pg_gnn_prec_t prec, pg_gnn_t **out)
{
    pg_status_t st = PG_OK;
    pg_gnn_t *m = NULL;
    *out = NULL;
    PG_CHECK(pg_gnn_config_check(cfg));
    PG_TRY_CALLOC(m, 1, "GNN model");
    m->cfg = *cfg;
    m->prec = prec;
    m->n_tensors = pg_gnn_n_tensors(cfg);
    PG_TRY_CALLOC(m->layout, m->n_tensors, "GNN layout");
    m->n_params = pg_gnn_layout(cfg, m->layout);
    if (prec == PG_GNN_F64) {
        PG_TRY_CALLOC(m->params_d, m->n_params, "GNN parameters");
        PG_TRY_CALLOC(m->grads_d, m->n_params + 1, "GNN gradients");
        PG_TRY_CALLOC(m->m_d, m->n_params, "GNN Adam m");
        PG_TRY_CALLOC(m->v_d, m->n_params, "GNN Adam v");
    } else {
        PG_TRY_CALLOC(m->params_f, m->n_params, "GNN parameters");
        PG_TRY_CALLOC(m->grads_f, m->n_params + 1, "GNN gradients");
        PG_TRY_CALLOC(m->m_f, m->n_params, "GNN Adam m");
        PG_TRY_CALLOC(m->v_f, m->n_params, "GNN Adam v");
    }
    PG_TRY_CALLOC(m->ws, 1, "GNN workspace");
    *out = m;
    m = NULL;
cleanup:
    pg_gnn_destroy(&m);
    return st;
}

void pg_gnn_destroy(pg_gnn_t **mp)
{
    if (!mp || !*mp) return;
    pg_gnn_t *m = *mp;
    if (m->ws)
        for (int i = 0; i < WS_COUNT; i++) free(m->ws->buf[i]);
    free(m->ws);
    free(m->layout);
    free(m->params_d);
    free(m->grads_d);
    free(m->m_d);
    free(m->v_d);
    free(m->params_f);
    free(m->grads_f);
    free(m->m_f);
    free(m->v_f);
    free(m);
    *mp = NULL;
}

void pg_gnn_init_params(pg_gnn_t *m, uint64_t seed)
{
    double bound = 1.0;
    pg_rng_t rng;
    pg_rng_init(&rng, seed, pg_rng_tag("gnn.init"), 0, 0); /* draw k = parameter k */
    for (int t = 0; t < m->n_tensors; t++) {
        const pg_gnn_tensor_t *L = &m->layout[t];
        if (L->cols > 1 || strstr(L->name, ".W")) bound = 1.0 / sqrt((double)L->rows);
        for (int64_t k = L->offset; k < L->offset + L->rows * L->cols; k++) {
            double v = (2 * pg_rng_uniform(&rng) - 1) * bound;
            if (m->params_d) m->params_d[k] = v;
            else m->params_f[k] = (float)v;
        }
    }
}

void pg_gnn_set_params(pg_gnn_t *m, const double *p)
{
    for (int64_t k = 0; k < m->n_params; k++) {
        if (m->params_d) m->params_d[k] = p[k];
        else m->params_f[k] = (float)p[k];
    }
}

void pg_gnn_get_params(const pg_gnn_t *m, double *p)
{
    for (int64_t k = 0; k < m->n_params; k++)
        p[k] = m->params_d ? m->params_d[k] : (double)m->params_f[k];
}

void pg_gnn_get_grads(const pg_gnn_t *m, double *g)
{
    for (int64_t k = 0; k < m->n_params; k++)
        g[k] = m->grads_d ? m->grads_d[k] : (double)m->grads_f[k];
}

void pg_gnn_zero_grad(pg_gnn_t *m)
{
    if (m->grads_d) memset(m->grads_d, 0, sizeof(double) * (size_t)(m->n_params + 1));
    else memset(m->grads_f, 0, sizeof(float) * (size_t)(m->n_params + 1));
}

/* Index ranges and finiteness of a batch (cheap: O(N + E)). */
static pg_status_t check_batch(const pg_gnn_config_t *c, const pg_gnn_batch_t *b)
{
    PG_REQUIRE(b->n_graphs >= 1 && b->n_nodes >= 0 && b->n_edges >= 0, PG_ERR_INPUT,
               "GNN batch: bad sizes (%lld graphs, %lld nodes, %lld edges)",
               (long long)b->n_graphs, (long long)b->n_nodes, (long long)b->n_edges);
    PG_REQUIRE(b->node_offsets[0] == 0 && b->node_offsets[b->n_graphs] == b->n_nodes,
               PG_ERR_INPUT, "GNN batch: node_offsets must run from 0 to %lld",
               (long long)b->n_nodes);
    for (int64_t g = 0; g < b->n_graphs; g++)
        PG_REQUIRE(b->node_offsets[g + 1] > b->node_offsets[g], PG_ERR_INPUT,
                   "GNN batch: graph %lld has no nodes", (long long)g);
    for (int64_t e = 0; e < b->n_edges; e++) {
        PG_REQUIRE(b->edge_src[e] >= 0 && b->edge_src[e] < b->n_nodes && b->edge_dst[e] >= 0 &&
                       b->edge_dst[e] < b->n_nodes,
                   PG_ERR_INPUT, "GNN batch: edge %lld (%lld -> %lld) outside 0..%lld",
                   (long long)e, (long long)b->edge_src[e], (long long)b->edge_dst[e],
                   (long long)b->n_nodes - 1);
        PG_REQUIRE(isfinite(b->edge_dist[e]) && b->edge_dist[e] >= 0, PG_ERR_INPUT,
                   "GNN batch: edge %lld has distance %g Å", (long long)e, b->edge_dist[e]);
    }
    for (int64_t i = 0; i < b->n_nodes * c->F; i++)
        PG_REQUIRE(isfinite(b->node_features[i]), PG_ERR_INPUT,
                   "GNN batch: node %lld has a non-finite feature", (long long)(i / c->F));
    return PG_OK;
}

pg_status_t pg_gnn_forward(pg_gnn_t *m, const pg_gnn_batch_t *batch, double *out)
{
    PG_CHECK(check_batch(&m->cfg, batch));
    PG_CHECK(pg_gnn_reserve(m, batch->n_graphs, batch->n_nodes, batch->n_edges));
    m->ws->batch = *batch;
    if (m->prec == PG_GNN_F64) model_forward_d(m, batch, m->params_d);
    else model_forward_f(m, batch, m->params_f);
    m->ws->have_fwd = 1;
    m->ws->have_loss = m->ws->have_bwd = 0;
    if (out) {
        int64_t n = batch->n_graphs * m->cfg.T;
        for (int64_t k = 0; k < n; k++)
            out[k] = m->prec == PG_GNN_F64 ? ((double *)m->ws->buf[WS_OUT])[k]
                                           : (double)((float *)m->ws->buf[WS_OUT])[k];
    }
    return PG_OK;
}

pg_status_t pg_gnn_loss(pg_gnn_t *m, const double *yn, const double *w, int64_t n_total,
                        double *loss)
{
    PG_REQUIRE(m->ws->have_fwd, PG_ERR_INTERNAL, "pg_gnn_loss before pg_gnn_forward");
    PG_REQUIRE(n_total >= m->ws->batch.n_graphs, PG_ERR_INTERNAL,
               "global batch %lld smaller than the local batch %lld", (long long)n_total,
               (long long)m->ws->batch.n_graphs);
    *loss = m->prec == PG_GNN_F64 ? model_loss_d(m, yn, w, n_total)
                                  : model_loss_f(m, yn, w, n_total);
    m->ws->have_loss = 1;
    return PG_OK;
}

pg_status_t pg_gnn_backward(pg_gnn_t *m)
{
    PG_REQUIRE(m->ws->have_loss, PG_ERR_INTERNAL, "pg_gnn_backward before pg_gnn_loss");
    if (m->prec == PG_GNN_F64) model_backward_d(m, m->params_d, m->grads_d, NULL);
    else model_backward_f(m, m->params_f, m->grads_f, NULL);
    m->ws->have_bwd = 1;
    return PG_OK;
}

pg_status_t pg_gnn_edge_gate_gradient(pg_gnn_t *m, int target, double *dgate)
{
    pg_status_t st = PG_OK;
    double *dg = NULL, *g0 = NULL;
    PG_REQUIRE(m->ws && m->ws->have_fwd, PG_ERR_INTERNAL, "edge gradients before a forward pass");
    PG_REQUIRE(m->prec == PG_GNN_F64, PG_ERR_INTERNAL, "edge gradients need a float64 model");
    PG_REQUIRE(target >= 0 && target < m->cfg.T, PG_ERR_INTERNAL, "target %d of %d", target,
               m->cfg.T);
    const pg_gnn_batch_t *bt = &m->ws->batch;
    const int64_t E = bt->n_edges, B = bt->n_graphs;
    const int G = m->cfg.G, T = m->cfg.T;
    PG_TRY_CALLOC(dg, E * G, "edge feature gradients");
    PG_TRY_CALLOC(g0, E * G, "edge features");
    /* d out[b, target] for every graph at once: graphs are independent, so each edge's
     * gradient is that of its own graph's output */
    double *dout = m->ws->buf[WS_DOUT];
    for (int64_t b = 0; b < B; b++)
        for (int t = 0; t < T; t++) dout[b * T + t] = t == target ? 1.0 : 0.0;
    model_backward_d(m, m->params_d, m->grads_d, dg);
    pg_gnn_zero_grad(m); /* parameter gradients of this pass are meaningless */
    /* d out / d gate_e = Σ_k (d out / d g_ek) g0_ek with the unscaled features g0 */
    const double step = (m->cfg.dmax_ang - m->cfg.dmin_ang) / (G - 1);
    gauss_forward_d(E, G, m->cfg.dmin_ang, step, bt->edge_dist, g0);
    for (int64_t e = 0; e < E; e++) {
        double s = 0;
        for (int k = 0; k < G; k++) s += dg[e * G + k] * g0[e * G + k];
        dgate[e] = s;
    }
cleanup:
    free(dg);
    free(g0);
    return st;
}

static void copy_out(const pg_gnn_t *m, int buf, int64_t off, int64_t n, double *out)
{
    if (!out) return;
    for (int64_t k = 0; k < n; k++)
        out[k] = m->prec == PG_GNN_F64 ? ((double *)m->ws->buf[buf])[off + k]
                                       : (double)((float *)m->ws->buf[buf])[off + k];
}

pg_status_t pg_gnn_activation(const pg_gnn_t *m, const char *name, double *out, int64_t *n)
{
    const pg_gnn_batch_t *b = &m->ws->batch;
    const int64_t N = b->n_nodes, E = b->n_edges, B = b->n_graphs;
    const int H = m->cfg.H, K = m->cfg.K;
    int l = -1;
    char tail[16] = "";
    PG_REQUIRE(m->ws->have_fwd, PG_ERR_INTERNAL, "no forward pass yet");
    if (strcmp(name, "gauss") == 0) {
        *n = E * m->cfg.G;
        copy_out(m, WS_GAUSS, 0, *n, out);
    } else if (strcmp(name, "deg") == 0) {
        *n = N;
        if (out) {
            for (int64_t i = 0; i < N; i++) out[i] = 0;
            for (int64_t e = 0; e < E; e++) out[b->edge_dst[e]] += 1;
        }
    } else if (strcmp(name, "pool") == 0) {
        *n = B * H;
        copy_out(m, WS_POOL, 0, *n, out);
    } else if (strcmp(name, "head.pre") == 0) {
        *n = B * m->cfg.Hh;
        copy_out(m, WS_U, 0, *n, out);
    } else if (strcmp(name, "head.act") == 0) {
        *n = B * m->cfg.Hh;
        copy_out(m, WS_A, 0, *n, out);
    } else if (strcmp(name, "out") == 0) {
        *n = B * m->cfg.T;
        copy_out(m, WS_OUT, 0, *n, out);
    } else if (strcmp(name, "d_pool") == 0) {
        PG_REQUIRE(m->ws->have_bwd, PG_ERR_INTERNAL, "no backward pass yet");
        *n = B * H;
        copy_out(m, WS_DPOOL, 0, *n, out);
    } else if (sscanf(name, "h%d", &l) == 1 && l >= 0 && l <= K) {
        *n = N * H;
        copy_out(m, WS_H, l * N * H, *n, out);
    } else if (sscanf(name, "d_h%d", &l) == 1 && l >= 0 && l <= K) {
        PG_REQUIRE(m->ws->have_bwd, PG_ERR_INTERNAL, "no backward pass yet");
        *n = N * H;
        copy_out(m, WS_DH, l * N * H, *n, out);
    } else if (sscanf(name, "conv%d.%15s", &l, tail) == 2 && l >= 0 && l < K) {
        if (strcmp(tail, "pre") == 0) {
            *n = E * 2 * H;
            copy_out(m, WS_PRE, l * E * 2 * H, *n, out);
        } else if (strcmp(tail, "agg") == 0) {
            *n = N * H;
            copy_out(m, WS_AGG, l * N * H, *n, out);
        } else if (strcmp(tail, "msg") == 0) {
            *n = E * H;
            if (out) {
                if (m->prec == PG_GNN_F64) model_msg_d((pg_gnn_t *)m, l, out);
                else model_msg_f((pg_gnn_t *)m, l, out);
            }
        } else {
            return PG_ERR(PG_ERR_INPUT, "unknown GNN activation '%s'", name);
        }
    } else {
        return PG_ERR(PG_ERR_INPUT, "unknown GNN activation '%s'", name);
    }
    return PG_OK;
}
