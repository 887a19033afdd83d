/* test_gnn.c - the GNN model (src/gnn/model.c, optim.c) against the PyTorch test vectors of
 * ../shared/reference/gnn/vectors.h5 (forward activations, loss, every parameter gradient,
 * activation gradients, two Adam steps), float32 against float64, and central finite
 * differences of every parameter tensor in float64. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_gnn.h"
#include "phonograph/pg_h5.h"

/* ---- the test vectors: ../shared/reference/gnn/vectors.h5 read through pg_h5 ---------- */

#define MAX_ARR 96
typedef struct {
    pg_h5_t *f;
    int n;
    char name[MAX_ARR][64];
    int64_t len[MAX_ARR];
    double *val[MAX_ARR];
} vec_t;

static vec_t V;

/* Dataset "/name" of vectors.h5 as float64, or the attribute "config/<key>" (cached). */
static const double *vget(const char *name, int64_t *len)
{
    for (int i = 0; i < V.n; i++)
        if (strcmp(V.name[i], name) == 0) {
            if (len) *len = V.len[i];
            return V.val[i];
        }
    assert_true(V.n < MAX_ARR);
    int i = V.n;
    if (strncmp(name, "config/", 7) == 0) {
        V.val[i] = malloc(sizeof(double));
        V.len[i] = 1;
        if (pg_h5_attr_read(V.f, "/config", name + 7, PG_H5_F64, 1, V.val[i]) != PG_OK)
            fail_msg("vectors.h5: %s", pg_err_message());
    } else {
        char path[80];
        int rank = 0;
        int64_t dims[4];
        void *buf = NULL;
        snprintf(path, sizeof path, "/%s", name);
        if (pg_h5_read_alloc(V.f, path, PG_H5_F64, &buf, &rank, dims) != PG_OK)
            fail_msg("vectors.h5: %s", pg_err_message());
        V.val[i] = buf;
        V.len[i] = 1;
        for (int k = 0; k < rank; k++) V.len[i] *= dims[k];
    }
    snprintf(V.name[i], sizeof V.name[0], "%s", name);
    V.n++;
    if (len) *len = V.len[i];
    return V.val[i];
}

static int load_vectors(void **state)
{
    (void)state;
    const char *path = pg_test_path(pg_test_shared_dir(), "reference/gnn/vectors.h5");
    if (pg_h5_open(path, PG_H5_READ, MPI_COMM_NULL, &V.f) != PG_OK) {
        pg_err_print(stderr, "test_gnn: ");
        return -1;
    }
    return 0;
}

static int free_vectors(void **state)
{
    (void)state;
    for (int i = 0; i < V.n; i++) free(V.val[i]);
    pg_h5_close(&V.f);
    return 0;
}

/* the vectors.h5 batch as a pg_gnn_batch_t (arrays converted to int64) */
typedef struct {
    pg_gnn_config_t cfg;
    int64_t node_off[4], *src, *dst;
    pg_gnn_batch_t b;
    double yn[6], w[2];
} vbatch_t;

static void vbatch_make(vbatch_t *vb)
{
    int64_t nE = 0, nN = 0, nB = 0;
    vb->cfg.F = (int)vget("config/F", NULL)[0];
    vb->cfg.G = (int)vget("config/G", NULL)[0];
    vb->cfg.H = (int)vget("config/H", NULL)[0];
    vb->cfg.K = (int)vget("config/K", NULL)[0];
    vb->cfg.Hh = (int)vget("config/Hh", NULL)[0];
    vb->cfg.T = (int)vget("config/T", NULL)[0];
    vb->cfg.dmin_ang = vget("config/dmin", NULL)[0];
    vb->cfg.dmax_ang = vget("config/dmax", NULL)[0];
    const double *no = vget("input/node_offsets", &nB);
    const double *s = vget("input/edge_src_batched", &nE);
    const double *d = vget("input/edge_dst_batched", NULL);
    vget("input/node_graph", &nN);
    vb->src = malloc(sizeof(int64_t) * (size_t)nE);
    vb->dst = malloc(sizeof(int64_t) * (size_t)nE);
    for (int64_t e = 0; e < nE; e++) {
        vb->src[e] = (int64_t)s[e];
        vb->dst[e] = (int64_t)d[e];
    }
    for (int64_t g = 0; g < nB; g++) vb->node_off[g] = (int64_t)no[g];
    vb->b = (pg_gnn_batch_t){.n_graphs = nB - 1, .n_nodes = nN, .n_edges = nE,
                             .node_offsets = vb->node_off, .edge_src = vb->src,
                             .edge_dst = vb->dst, .edge_dist = vget("input/edge_dist", NULL),
                             .node_features = vget("input/node_features", NULL)};
    memcpy(vb->yn, vget("input/targets_normalised", NULL), sizeof vb->yn);
    memcpy(vb->w, vget("input/target_weight", NULL), sizeof vb->w);
}

static void vbatch_free(vbatch_t *vb)
{
    free(vb->src);
    free(vb->dst);
}

/* SPEC §10 / README tolerance for float64: |a − b| <= 1e-12 + 1e-10 |b| */
#define RTOL 1e-10
#define ATOL 1e-12

static void check_act(pg_gnn_t *m, const char *act, const char *ref, double rtol, double atol)
{
    int64_t n = 0, nref = 0;
    assert_int_equal(pg_gnn_activation(m, act, NULL, &n), PG_OK);
    const double *r = vget(ref, &nref);
    assert_int_equal(n, nref);
    double *a = malloc(sizeof(double) * (size_t)n);
    assert_int_equal(pg_gnn_activation(m, act, a, &n), PG_OK);
    int ok = pg_test_close(a, r, n, rtol, atol, ref);
    free(a);
    assert_true(ok);
}

static void test_layout(void **state)
{
    (void)state;
    vbatch_t vb;
    vbatch_make(&vb);
    pg_gnn_tensor_t t[16];
    int64_t P = pg_gnn_layout(&vb.cfg, t);
    assert_int_equal(P, (int64_t)vget("config/n_params", NULL)[0]);
    assert_int_equal(pg_gnn_n_tensors(&vb.cfg), 10);
    const double *off = vget("layout/offsets", NULL), *rows = vget("layout/rows", NULL),
                 *cols = vget("layout/cols", NULL);
    for (int k = 0; k < 10; k++) {
        assert_int_equal(t[k].offset, (int64_t)off[k]);
        assert_int_equal(t[k].rows, (int64_t)rows[k]);
        assert_int_equal(t[k].cols, (int64_t)cols[k]);
    }
    vbatch_free(&vb);
}

static void test_vectors_f64(void **state)
{
    (void)state;
    vbatch_t vb;
    vbatch_make(&vb);
    pg_gnn_t *m = NULL;
    assert_int_equal(pg_gnn_create(&vb.cfg, PG_GNN_F64, &m), PG_OK);
    int64_t P = 0;
    const double *p0 = vget("params", &P);
    assert_int_equal(P, m->n_params);
    pg_gnn_set_params(m, p0);
    double out[6], loss = 0;
    assert_int_equal(pg_gnn_forward(m, &vb.b, out), PG_OK);
    const char *fw[] = {"gauss", "deg", "h0", "conv0.pre", "conv0.msg", "conv0.agg", "h1",
                        "conv1.pre", "conv1.msg", "conv1.agg", "h2", "pool", "head.pre",
                        "head.act", "out"};
    char ref[64];
    for (size_t k = 0; k < sizeof fw / sizeof fw[0]; k++) {
        snprintf(ref, sizeof ref, "forward/%s", fw[k]);
        check_act(m, fw[k], ref, RTOL, ATOL);
    }
    /* physical units: out·std + mean */
    const double *mean = vget("input/target_mean", NULL), *sd = vget("input/target_std", NULL);
    double pred[6];
    for (int k = 0; k < 6; k++) pred[k] = out[k] * sd[k % 2] + mean[k % 2];
    assert_close(pred, vget("forward/pred", NULL), 6, RTOL, ATOL, "forward/pred");

    pg_gnn_zero_grad(m);
    assert_int_equal(pg_gnn_loss(m, vb.yn, vb.w, 3, &loss), PG_OK);
    assert_close(&loss, vget("loss", NULL), 1, RTOL, ATOL, "loss");
    assert_int_equal(pg_gnn_backward(m), PG_OK);
    double *g = malloc(sizeof(double) * (size_t)P);
    pg_gnn_get_grads(m, g);
    /* per tensor, so a failure names the layer */
    for (int t = 0; t < m->n_tensors; t++) {
        const pg_gnn_tensor_t *L = &m->layout[t];
        char lab[64];
        snprintf(lab, sizeof lab, "grad %s", L->name);
        assert_close(g + L->offset, vget("grad", NULL) + L->offset, L->rows * L->cols, RTOL,
                     ATOL, lab);
    }
    check_act(m, "d_h0", "backward/d_h0", RTOL, ATOL);
    check_act(m, "d_h1", "backward/d_h1", RTOL, ATOL);
    check_act(m, "d_h2", "backward/d_h2", RTOL, ATOL);
    check_act(m, "d_pool", "backward/d_pool", RTOL, ATOL);

    /* two Adam steps on the same batch, lr from the file */
    pg_gnn_set_params(m, p0);
    pg_adam_t adam = pg_adam_default(vget("config/adam_lr", NULL)[0]);
    adam.beta1 = vget("config/adam_beta1", NULL)[0];
    adam.beta2 = vget("config/adam_beta2", NULL)[0];
    adam.eps = vget("config/adam_eps", NULL)[0];
    double *buf = malloc(sizeof(double) * (size_t)P);
    for (int s = 1; s <= 2; s++) {
        char nm[64];
        pg_gnn_zero_grad(m);
        assert_int_equal(pg_gnn_forward(m, &vb.b, NULL), PG_OK);
        assert_int_equal(pg_gnn_loss(m, vb.yn, vb.w, 3, &loss), PG_OK);
        assert_int_equal(pg_gnn_backward(m), PG_OK);
        snprintf(nm, sizeof nm, "adam/step%d/loss", s);
        assert_close(&loss, vget(nm, NULL), 1, RTOL, ATOL, nm);
        pg_gnn_get_grads(m, buf);
        snprintf(nm, sizeof nm, "adam/step%d/grad", s);
        assert_close(buf, vget(nm, NULL), P, RTOL, ATOL, nm);
        pg_gnn_adam_step(m, &adam, adam.lr);
        snprintf(nm, sizeof nm, "adam/step%d/params", s);
        assert_close(m->params_d, vget(nm, NULL), P, RTOL, ATOL, nm);
        snprintf(nm, sizeof nm, "adam/step%d/m", s);
        assert_close(m->m_d, vget(nm, NULL), P, RTOL, ATOL, nm);
        snprintf(nm, sizeof nm, "adam/step%d/v", s);
        assert_close(m->v_d, vget(nm, NULL), P, RTOL, ATOL, nm);
    }
    assert_int_equal(m->adam_t, 2);
    free(buf);
    free(g);
    pg_gnn_destroy(&m);
    assert_null(m);
    vbatch_free(&vb);
}

/* float32 path against the float64 reference. Tolerances: activations are O(1) and pass
 * through ~10 layers of float32 rounding (eps 6e-8) with GEMM sums of ≤ 2H+G terms, so
 * 1e-5 relative + 1e-6 absolute; gradients are relative to the largest gradient entry
 * (small entries are differences of larger terms): 2e-5 of max |g|. */
static void test_vectors_f32(void **state)
{
    (void)state;
    vbatch_t vb;
    vbatch_make(&vb);
    pg_gnn_t *m = NULL;
    assert_int_equal(pg_gnn_create(&vb.cfg, PG_GNN_F32, &m), PG_OK);
    int64_t P = 0;
    const double *p0 = vget("params", &P);
    pg_gnn_set_params(m, p0);
    double loss = 0;
    assert_int_equal(pg_gnn_forward(m, &vb.b, NULL), PG_OK);
    check_act(m, "h2", "forward/h2", 1e-5, 1e-6);
    check_act(m, "out", "forward/out", 1e-5, 1e-6);
    pg_gnn_zero_grad(m);
    assert_int_equal(pg_gnn_loss(m, vb.yn, vb.w, 3, &loss), PG_OK);
    assert_close(&loss, vget("loss", NULL), 1, 1e-5, 0, "loss f32");
    assert_int_equal(pg_gnn_backward(m), PG_OK);
    double *g = malloc(sizeof(double) * (size_t)P);
    pg_gnn_get_grads(m, g);
    const double *gr = vget("grad", NULL);
    double gmax = 0;
    for (int64_t k = 0; k < P; k++) gmax = fmax(gmax, fabs(gr[k]));
    assert_close(g, gr, P, 0, 2e-5 * gmax, "grad f32");
    free(g);
    pg_gnn_destroy(&m);
    vbatch_free(&vb);
}

/* ---- finite differences ---------------------------------------------------------------- */

static double loss_at(pg_gnn_t *m, const pg_gnn_batch_t *b, const double *yn, const double *w,
                      int64_t n_total)
{
    double L = 0;
    assert_int_equal(pg_gnn_forward(m, b, NULL), PG_OK);
    assert_int_equal(pg_gnn_loss(m, yn, w, n_total, &L), PG_OK);
    return L;
}

/* Central differences of every parameter (every layer's W and b) in float64: the error of
 * (L(θ+h) − L(θ−h))/2h is O(h² L''') + O(eps L / h) ≈ 1e-10 for h = 1e-5, so
 * |fd − g| <= 1e-7 + 1e-6 |g| separates a wrong derivative (O(|g|)) from rounding. */
static void fd_check(pg_gnn_t *m, const pg_gnn_batch_t *b, const double *yn, const double *w,
                     int64_t n_total)
{
    const int64_t P = m->n_params;
    double *g = malloc(sizeof(double) * (size_t)P), *fd = malloc(sizeof(double) * (size_t)P);
    pg_gnn_zero_grad(m);
    loss_at(m, b, yn, w, n_total);
    assert_int_equal(pg_gnn_backward(m), PG_OK);
    pg_gnn_get_grads(m, g);
    const double h = 1e-5;
    for (int64_t k = 0; k < P; k++) {
        double p = m->params_d[k];
        m->params_d[k] = p + h;
        double Lp = loss_at(m, b, yn, w, n_total);
        m->params_d[k] = p - h;
        double Lm = loss_at(m, b, yn, w, n_total);
        m->params_d[k] = p;
        fd[k] = (Lp - Lm) / (2 * h);
    }
    for (int t = 0; t < m->n_tensors; t++) {
        const pg_gnn_tensor_t *L = &m->layout[t];
        char lab[64];
        snprintf(lab, sizeof lab, "finite differences %s", L->name);
        assert_close(g + L->offset, fd + L->offset, L->rows * L->cols, 1e-6, 1e-7, lab);
    }
    free(g);
    free(fd);
}

static void test_fd_vectors(void **state)
{
    (void)state;
    vbatch_t vb;
    vbatch_make(&vb);
    pg_gnn_t *m = NULL;
    assert_int_equal(pg_gnn_create(&vb.cfg, PG_GNN_F64, &m), PG_OK);
    pg_gnn_set_params(m, vget("params", NULL));
    fd_check(m, &vb.b, vb.yn, vb.w, 3);
    pg_gnn_destroy(&m);
    vbatch_free(&vb);
}

/* A second geometry: K = 3, T = 3, G = 5, own Philox init, two random graphs with
 * self-images, duplicate pairs and an isolated node; n_total larger than the batch (a rank's
 * share of a global batch). */
static void test_fd_random(void **state)
{
    (void)state;
    pg_gnn_config_t c = {.F = 3, .G = 5, .H = 6, .K = 3, .Hh = 4, .T = 3,
                         .dmin_ang = 1.0, .dmax_ang = 4.0};
    int64_t off[3] = {0, 4, 9};
    int64_t src[] = {0, 1, 1, 2, 3, 0, 2, 2, 4, 5, 6, 7, 8, 5, 4, 6};
    int64_t dst[] = {1, 0, 2, 1, 0, 1, 2, 3, 5, 4, 7, 6, 5, 8, 6, 4};
    const int64_t E = (int64_t)(sizeof src / sizeof src[0]);
    double d[16], x[9 * 3], yn[2 * 3] = {0.3, -1.2, 0.7, 1.5, 0.1, -0.4}, w[3] = {1, 0.5, 2};
    for (int64_t e = 0; e < E; e++) d[e] = 1.2 + 0.19 * (double)((e * 7) % 16);
    for (int k = 0; k < 27; k++) x[k] = sin(1.0 + k);
    pg_gnn_batch_t b = {.n_graphs = 2, .n_nodes = 9, .n_edges = E, .node_offsets = off,
                        .edge_src = src, .edge_dst = dst, .edge_dist = d, .node_features = x};
    pg_gnn_t *m = NULL;
    assert_int_equal(pg_gnn_create(&c, PG_GNN_F64, &m), PG_OK);
    pg_gnn_init_params(m, 42);
    /* the init follows SPEC §9: |W| <= 1/sqrt(in) */
    for (int t = 0; t < m->n_tensors; t++) {
        const pg_gnn_tensor_t *L = &m->layout[t];
        double bound = 1 / sqrt((double)(L->cols > 1 ? L->rows : m->layout[t - 1].rows));
        for (int64_t k = L->offset; k < L->offset + L->rows * L->cols; k++)
            assert_true(fabs(m->params_d[k]) <= bound);
    }
    fd_check(m, &b, yn, w, 5);
    pg_gnn_destroy(&m);
}

static void test_bad_batch(void **state)
{
    (void)state;
    pg_gnn_config_t c = pg_gnn_config_default();
    c.F = 1;
    int64_t off[2] = {0, 2}, src[1] = {0}, dst[1] = {2};
    double d[1] = {1.0}, x[2] = {1, 2};
    pg_gnn_batch_t b = {.n_graphs = 1, .n_nodes = 2, .n_edges = 1, .node_offsets = off,
                        .edge_src = src, .edge_dst = dst, .edge_dist = d, .node_features = x};
    pg_gnn_t *m = NULL;
    assert_int_equal(pg_gnn_create(&c, PG_GNN_F32, &m), PG_OK);
    assert_int_equal(pg_gnn_forward(m, &b, NULL), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "edge 0"));
    dst[0] = 1;
    d[0] = NAN;
    assert_int_equal(pg_gnn_forward(m, &b, NULL), PG_ERR_INPUT);
    d[0] = 1.0;
    assert_int_equal(pg_gnn_forward(m, &b, NULL), PG_OK);
    pg_gnn_destroy(&m);
    c.G = 1;
    assert_int_equal(pg_gnn_create(&c, PG_GNN_F32, &m), PG_ERR_INPUT);
    assert_null(m);
}

static void test_lr_schedule(void **state)
{
    (void)state;
    pg_lr_schedule_t s = {.kind = PG_LR_COSINE, .lr = 1e-3, .lr_min = 1e-5, .n_epochs = 100};
    assert_true(fabs(pg_lr_at(&s, 0) - 1e-3) < 1e-18);
    assert_true(fabs(pg_lr_at(&s, 50) - (1e-5 + 0.5 * (1e-3 - 1e-5))) < 1e-15);
    assert_true(fabs(pg_lr_at(&s, 100) - 1e-5) < 1e-18);
    s.kind = PG_LR_STEP;
    s.gamma = 0.5;
    s.step_epochs = 10;
    assert_true(fabs(pg_lr_at(&s, 25) - 0.25e-3) < 1e-18);
    s.kind = PG_LR_CONSTANT;
    s.warmup_epochs = 3;
    assert_true(fabs(pg_lr_at(&s, 0) - 0.25e-3) < 1e-18);
    assert_true(fabs(pg_lr_at(&s, 3) - 1e-3) < 1e-18);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),        cmocka_unit_test(test_vectors_f64),
        cmocka_unit_test(test_vectors_f32),   cmocka_unit_test(test_fd_vectors),
        cmocka_unit_test(test_fd_random),     cmocka_unit_test(test_bad_batch),
        cmocka_unit_test(test_lr_schedule),
    };
    return cmocka_run_group_tests_name("gnn_model", tests, load_vectors, free_vectors);
}
