/* model_tmpl.h - the GNN layers of SPEC §4-5 and their exact backward, written once for a
 * real type. model.c includes this file twice: REAL = double (suffix _d, cblas_dgemm) and
 * REAL = float (suffix _f, cblas_sgemm). Not a public header.
 *
 * Every layer is a *_forward / *_backward pair over contiguous row-major arrays (llm.c).
 * Shapes: N nodes, E edges, B graphs of the batch; weights are [in, out] (y = x W + b).
 * Backward functions ACCUMULATE parameter gradients (+=) and WRITE activation gradients.
 */
#ifndef REAL
#error "model_tmpl.h needs REAL, SUF, GEMM, EXP, LOG1P01 defined"
#endif

#define TCAT_(a, b) a##_##b
#define TCAT(a, b) TCAT_(a, b)
#define FN(name) TCAT(name, SUF)

/* σ and softplus of SPEC §3 from e = exp(−|x|), which both share. */
static inline REAL FN(sigmoid_e)(REAL x, REAL e) { return x >= 0 ? 1 / (1 + e) : e / (1 + e); }
static inline REAL FN(sigmoid)(REAL x) { return FN(sigmoid_e)(x, EXP(-(x < 0 ? -x : x))); }
static inline REAL FN(softplus)(REAL x)
{
    return (x > 0 ? x : 0) + LOG1P01(EXP(-(x < 0 ? -x : x)));
}

/* g_ek = exp(−((d_e − μ_k)/σ)²), μ_k = dmin + k·step, σ = step.  g: [E, G] */
static void FN(gauss_forward)(int64_t E, int G, double dmin, double step, const double *d,
                              REAL *restrict g)
{
    for (int64_t e = 0; e < E; e++)
        for (int k = 0; k < G; k++) {
            double z = (d[e] - (dmin + k * step)) / step;
            /* below GAUSS_CUT the value underflows (float: < FLT_MIN); skip libm's slow path */
            g[e * G + k] = z * z < GAUSS_CUT ? EXP((REAL)(-z * z)) : 0;
        }
}

/* y[n, out] = x[n, in] W[in, out] + b[out] */
static void FN(linear_forward)(int64_t n, int in, int out_, const REAL *x, const REAL *W,
                               const REAL *b, REAL *restrict y)
{
    for (int64_t i = 0; i < n; i++) memcpy(y + i * out_, b, sizeof(REAL) * (size_t)out_);
    if (n > 0)
        GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, out_, in, 1, x, in, W, out_, 1, y,
             out_);
}

/* dW += x^T dy; db += Σ_rows dy; dx = dy W^T (if dx != NULL) */
static void FN(linear_backward)(int64_t n, int in, int out_, const REAL *x, const REAL *W,
                                const REAL *dy, REAL *dW, REAL *db, REAL *dx)
{
    if (n == 0) return;
    GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, in, out_, (int)n, 1, x, in, dy, out_, 1, dW,
         out_);
    for (int64_t i = 0; i < n; i++)
        for (int k = 0; k < out_; k++) db[k] += dy[i * out_ + k];
    if (dx)
        GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, in, out_, 1, dy, out_, W, out_, 0, dx,
             in);
}

/* y = softplus(x) elementwise, n values */
static void FN(softplus_forward)(int64_t n, const REAL *x, REAL *restrict y)
{
    for (int64_t i = 0; i < n; i++) y[i] = FN(softplus)(x[i]);
}

/* dx = dy · σ(x) */
static void FN(softplus_backward)(int64_t n, const REAL *x, const REAL *dy, REAL *restrict dx)
{
    for (int64_t i = 0; i < n; i++) dx[i] = dy[i] * FN(sigmoid)(x[i]);
}

/* One gated convolution (SPEC §4), split-GEMM form:
 *   pre_e = (h W[0:H])_dst(e) + (h W[H:2H])_src(e) + g_e W[2H:] + b        [E, 2H]
 *   msg_e = σ(pre_e[0:H]) ⊙ softplus(pre_e[H:2H])
 *   agg_i = c_i Σ_{dst(e)=i} msg_e,   h_out = softplus(h + agg)
 * Stores pre (for inspection), coef = [∂msg/∂f, ∂msg/∂s] per edge [E, 2H] (so the backward
 * needs no transcendental per edge), agg [N, H]. AB: scratch [N, 4H]. */
static void FN(conv_forward)(int64_t N, int64_t E, int H, int G, const REAL *h, const REAL *g,
                             const int64_t *src, const int64_t *dst, const REAL *inv_deg,
                             const REAL *W, const REAL *b, REAL *restrict AB,
                             REAL *restrict pre, REAL *restrict coef, REAL *restrict agg,
                             REAL *restrict h_out)
{
    const int H2 = 2 * H;
    REAL *A = AB, *Bm = AB + N * H2;
    if (N > 0) {
        GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)N, H2, H, 1, h, H, W, H2, 0, A, H2);
        GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)N, H2, H, 1, h, H, W + H * H2, H2, 0,
             Bm, H2);
    }
    if (E > 0)
        GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)E, H2, G, 1, g, G, W + 2 * H * H2, H2,
             0, pre, H2);
    memset(agg, 0, sizeof(REAL) * (size_t)(N * H));
    for (int64_t e = 0; e < E; e++) {
        REAL *p = pre + e * H2, *c = coef + e * H2;
        const REAL *a = A + dst[e] * H2, *bb = Bm + src[e] * H2;
        REAL *ag = agg + dst[e] * H;
        for (int k = 0; k < H2; k++) p[k] += a[k] + bb[k] + b[k];
        for (int k = 0; k < H; k++) {
            REAL f = p[k], s = p[H + k];
            REAL ef = EXP(-(f < 0 ? -f : f)), es = EXP(-(s < 0 ? -s : s));
            REAL sf = FN(sigmoid_e)(f, ef), ss = FN(sigmoid_e)(s, es);
            REAL sps = (s > 0 ? s : 0) + LOG1P01(es);
            ag[k] += sf * sps;
            c[k] = sps * sf * (1 - sf); /* ∂msg/∂f */
            c[H + k] = sf * ss;         /* ∂msg/∂s */
        }
    }
    for (int64_t i = 0; i < N; i++)
        for (int k = 0; k < H; k++) {
            agg[i * H + k] *= inv_deg[i];
            h_out[i * H + k] = FN(softplus)(h[i * H + k] + agg[i * H + k]);
        }
}

/* Backward of conv_forward. In: dh_out [N, H]. Out: dh [N, H] (total gradient w.r.t. h).
 * Accumulates dW [2H+G, 2H], db [2H]. Scratch: dt [N, H], dpre [E, 2H], S [N, 4H]. */
static void FN(conv_backward)(int64_t N, int64_t E, int H, int G, const REAL *h, const REAL *g,
                              const int64_t *src, const int64_t *dst, const REAL *inv_deg,
                              const REAL *W, const REAL *coef, const REAL *agg,
                              const REAL *dh_out, REAL *restrict dt, REAL *restrict dpre,
                              REAL *restrict S, REAL *dW, REAL *db, REAL *restrict dh,
                              REAL *dg)
{
    const int H2 = 2 * H;
    REAL *Sd = S, *Ss = S + N * H2;
    /* h_out = softplus(t), t = h + agg: dt = dh_out σ(t) */
    for (int64_t i = 0; i < N * H; i++) dt[i] = dh_out[i] * FN(sigmoid)(h[i] + agg[i]);
    memset(S, 0, sizeof(REAL) * (size_t)(2 * N * H2));
    for (int64_t e = 0; e < E; e++) {
        const REAL *dtd = dt + dst[e] * H, *c = coef + e * H2;
        const REAL cd = inv_deg[dst[e]];
        REAL *dp = dpre + e * H2;
        for (int k = 0; k < H; k++) {
            REAL dm = cd * dtd[k];
            dp[k] = dm * c[k];
            dp[H + k] = dm * c[H + k];
        }
        REAL *sd = Sd + dst[e] * H2, *ss = Ss + src[e] * H2;
        for (int k = 0; k < H2; k++) {
            sd[k] += dp[k];
            ss[k] += dp[k];
        }
    }
    if (N > 0) {
        GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, H, H2, (int)N, 1, h, H, Sd, H2, 1, dW, H2);
        GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, H, H2, (int)N, 1, h, H, Ss, H2, 1,
             dW + H * H2, H2);
    }
    if (E > 0)
        GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, G, H2, (int)E, 1, g, G, dpre, H2, 1,
             dW + 2 * H * H2, H2);
    /* gradient w.r.t. the Gaussian features (explainability only): dg += dpre W[2H:]^T */
    if (dg && E > 0)
        GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, (int)E, G, H2, 1, dpre, H2, W + 2 * H * H2,
             H2, 1, dg, G);
    /* Σ_e dpre_e = Σ_i Sd_i (every edge has one dst): N rows instead of E */
    for (int64_t i = 0; i < N; i++)
        for (int k = 0; k < H2; k++) db[k] += Sd[i * H2 + k];
    memcpy(dh, dt, sizeof(REAL) * (size_t)(N * H));
    if (N > 0) {
        GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, (int)N, H, H2, 1, Sd, H2, W, H2, 1, dh, H);
        GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, (int)N, H, H2, 1, Ss, H2, W + H * H2, H2, 1,
             dh, H);
    }
}

/* pool_b = (1/n_b) Σ_{i in b} h_i.  pool [B, H] */
static void FN(pool_forward)(int64_t B, int H, const int64_t *node_offsets, const REAL *h,
                             REAL *restrict pool)
{
    for (int64_t b = 0; b < B; b++) {
        REAL *p = pool + b * H;
        memset(p, 0, sizeof(REAL) * (size_t)H);
        for (int64_t i = node_offsets[b]; i < node_offsets[b + 1]; i++)
            for (int k = 0; k < H; k++) p[k] += h[i * H + k];
        REAL inv = (REAL)1 / (REAL)(node_offsets[b + 1] - node_offsets[b]);
        for (int k = 0; k < H; k++) p[k] *= inv;
    }
}

static void FN(pool_backward)(int64_t B, int H, const int64_t *node_offsets, const REAL *dpool,
                              REAL *restrict dh)
{
    for (int64_t b = 0; b < B; b++) {
        REAL inv = (REAL)1 / (REAL)(node_offsets[b + 1] - node_offsets[b]);
        for (int64_t i = node_offsets[b]; i < node_offsets[b + 1]; i++)
            for (int k = 0; k < H; k++) dh[i * H + k] = dpool[b * H + k] * inv;
    }
}

/* ---- whole model ----------------------------------------------------------------------- */

/* Activation pointers of the workspace for the current batch. */
typedef struct {
    REAL *x, *gauss, *inv_deg, *h, *pre, *coef, *agg, *AB, *pool, *u, *a, *out, *dout;
    REAL *dh, *dt, *dpre, *S, *dpool, *du, *da;
} FN(acts_t);

static FN(acts_t) FN(acts)(pg_gnn_ws_t *ws)
{
    FN(acts_t) A;
    A.x = ws->buf[WS_X]; A.gauss = ws->buf[WS_GAUSS]; A.inv_deg = ws->buf[WS_INVDEG];
    A.h = ws->buf[WS_H]; A.pre = ws->buf[WS_PRE]; A.coef = ws->buf[WS_COEF];
    A.agg = ws->buf[WS_AGG]; A.AB = ws->buf[WS_AB]; A.pool = ws->buf[WS_POOL];
    A.u = ws->buf[WS_U]; A.a = ws->buf[WS_A]; A.out = ws->buf[WS_OUT]; A.dout = ws->buf[WS_DOUT];
    A.dh = ws->buf[WS_DH]; A.dt = ws->buf[WS_DT]; A.dpre = ws->buf[WS_DPRE]; A.S = ws->buf[WS_S];
    A.dpool = ws->buf[WS_DPOOL]; A.du = ws->buf[WS_DU]; A.da = ws->buf[WS_DA];
    return A;
}

static void FN(model_forward)(pg_gnn_t *m, const pg_gnn_batch_t *bt, const REAL *theta)
{
    const pg_gnn_config_t *c = &m->cfg;
    const int F = c->F, G = c->G, H = c->H, K = c->K, Hh = c->Hh, T = c->T;
    const int64_t N = bt->n_nodes, E = bt->n_edges, B = bt->n_graphs;
    const pg_gnn_tensor_t *L = m->layout;
    FN(acts_t) A = FN(acts)(m->ws);
    double step = (c->dmax_ang - c->dmin_ang) / (G - 1);

    for (int64_t i = 0; i < N * F; i++) A.x[i] = (REAL)bt->node_features[i];
    FN(gauss_forward)(E, G, c->dmin_ang, step, bt->edge_dist, A.gauss);
    if (bt->edge_gate) /* explainability: scale each edge's distance features */
        for (int64_t e = 0; e < E; e++)
            for (int k = 0; k < G; k++) A.gauss[e * G + k] *= (REAL)bt->edge_gate[e];
    for (int64_t i = 0; i < N; i++) A.inv_deg[i] = 0;
    for (int64_t e = 0; e < E; e++) A.inv_deg[bt->edge_dst[e]] += 1;
    for (int64_t i = 0; i < N; i++) A.inv_deg[i] = A.inv_deg[i] > 0 ? 1 / A.inv_deg[i] : 0;

    FN(linear_forward)(N, F, H, A.x, theta + L[0].offset, theta + L[1].offset, A.h);
    for (int l = 0; l < K; l++)
        FN(conv_forward)(N, E, H, G, A.h + l * N * H, A.gauss, bt->edge_src, bt->edge_dst,
                         A.inv_deg, theta + L[2 + 2 * l].offset, theta + L[3 + 2 * l].offset, A.AB,
                         A.pre + l * E * 2 * H, A.coef + l * E * 2 * H, A.agg + l * N * H,
                         A.h + (l + 1) * N * H);
    const int i0 = 2 + 2 * K;
    FN(pool_forward)(B, H, bt->node_offsets, A.h + K * N * H, A.pool);
    FN(linear_forward)(B, H, Hh, A.pool, theta + L[i0].offset, theta + L[i0 + 1].offset, A.u);
    FN(softplus_forward)(B * Hh, A.u, A.a);
    FN(linear_forward)(B, Hh, T, A.a, theta + L[i0 + 2].offset, theta + L[i0 + 3].offset, A.out);
}

/* L = 1/(n_total T) Σ w_t (out − yn)²; dout = 2 w (out − yn)/(n_total T) */
static double FN(model_loss)(pg_gnn_t *m, const double *yn, const double *w, int64_t n_total)
{
    FN(acts_t) A = FN(acts)(m->ws);
    const int T = m->cfg.T;
    const int64_t B = m->ws->batch.n_graphs;
    const double scale = 1.0 / ((double)n_total * T);
    double loss = 0;
    for (int64_t b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            double wt = w ? w[t] : 1.0;
            double r = (double)A.out[b * T + t] - yn[b * T + t];
            loss += wt * r * r;
            A.dout[b * T + t] = (REAL)(2 * wt * r * scale);
        }
    return loss * scale;
}

static void FN(model_backward)(pg_gnn_t *m, const REAL *theta, REAL *grad, REAL *dg)
{
    const pg_gnn_config_t *c = &m->cfg;
    const int F = c->F, G = c->G, H = c->H, K = c->K, Hh = c->Hh, T = c->T;
    const pg_gnn_batch_t *bt = &m->ws->batch;
    const int64_t N = bt->n_nodes, E = bt->n_edges, B = bt->n_graphs;
    const pg_gnn_tensor_t *L = m->layout;
    FN(acts_t) A = FN(acts)(m->ws);
    const int i0 = 2 + 2 * K;

    FN(linear_backward)(B, Hh, T, A.a, theta + L[i0 + 2].offset, A.dout, grad + L[i0 + 2].offset,
                        grad + L[i0 + 3].offset, A.da);
    FN(softplus_backward)(B * Hh, A.u, A.da, A.du);
    FN(linear_backward)(B, H, Hh, A.pool, theta + L[i0].offset, A.du, grad + L[i0].offset,
                        grad + L[i0 + 1].offset, A.dpool);
    FN(pool_backward)(B, H, bt->node_offsets, A.dpool, A.dh + K * N * H);
    for (int l = K - 1; l >= 0; l--)
        FN(conv_backward)(N, E, H, G, A.h + l * N * H, A.gauss, bt->edge_src, bt->edge_dst,
                          A.inv_deg, theta + L[2 + 2 * l].offset, A.coef + l * E * 2 * H,
                          A.agg + l * N * H, A.dh + (l + 1) * N * H, A.dt, A.dpre, A.S,
                          grad + L[2 + 2 * l].offset, grad + L[3 + 2 * l].offset,
                          A.dh + l * N * H, dg);
    FN(linear_backward)(N, F, H, A.x, theta + L[0].offset, A.dh, grad + L[0].offset,
                        grad + L[1].offset, NULL);
}

/* msg of layer l recomputed from the stored pre (inspection only) */
static void FN(model_msg)(pg_gnn_t *m, int l, double *out)
{
    FN(acts_t) A = FN(acts)(m->ws);
    const int H = m->cfg.H;
    const int64_t E = m->ws->batch.n_edges;
    const REAL *pre = A.pre + l * E * 2 * H;
    for (int64_t e = 0; e < E; e++)
        for (int k = 0; k < H; k++) {
            REAL f = pre[e * 2 * H + k], s = pre[e * 2 * H + H + k];
            out[e * H + k] = (double)(FN(sigmoid)(f) * FN(softplus)(s));
        }
}

#undef FN
#undef TCAT
#undef TCAT_
