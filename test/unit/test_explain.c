/* test_explain.c - explainability: edge-gate gradients against central finite differences,
 * Gauss-Legendre quadrature against exact integrals, and the completeness of integrated
 * gradients (sum over a graph's edges = out(gate 1) - out(gate 0)) to 1e-6. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_explain.h"
#include "phonograph/pg_gnn.h"
#include "phonograph/pg_rng.h"

typedef struct {
    int64_t node_off[3], n_nodes, n_edges;
    int64_t src[40], dst[40];
    double dist[40], x[12 * 4];
} toy_t;

/* two graphs (5 and 7 nodes), random edges incl. a self-image, random features */
static void make_toy(toy_t *t, pg_gnn_batch_t *b)
{
    pg_rng_t r;
    pg_rng_init(&r, 5, pg_rng_tag("test.explain"), 0, 0);
    t->node_off[0] = 0;
    t->node_off[1] = 5;
    t->node_off[2] = 12;
    t->n_nodes = 12;
    t->n_edges = 0;
    for (int g = 0; g < 2; g++) {
        int64_t n0 = t->node_off[g], nn = t->node_off[g + 1] - n0;
        for (int k = 0; k < 18; k++) {
            int64_t s = n0 + (int64_t)pg_rng_below(&r, (uint64_t)nn);
            int64_t d = k == 0 ? s : n0 + (int64_t)pg_rng_below(&r, (uint64_t)nn);
            t->src[t->n_edges] = s;
            t->dst[t->n_edges] = d;
            t->dist[t->n_edges] = 1.5 + 4.0 * pg_rng_uniform(&r);
            t->n_edges++;
        }
    }
    for (int i = 0; i < 48; i++) t->x[i] = pg_rng_uniform(&r);
    memset(b, 0, sizeof *b);
    b->n_graphs = 2;
    b->n_nodes = t->n_nodes;
    b->n_edges = t->n_edges;
    b->node_offsets = t->node_off;
    b->edge_src = t->src;
    b->edge_dst = t->dst;
    b->edge_dist = t->dist;
    b->node_features = t->x;
}

static pg_gnn_t *make_model(void)
{
    pg_gnn_config_t c = {4, 12, 8, 2, 8, 3, 0.0, 6.0};
    pg_gnn_t *m = NULL;
    assert_int_equal(pg_gnn_create(&c, PG_GNN_F64, &m), PG_OK);
    pg_gnn_init_params(m, 77);
    return m;
}

static void test_quadrature(void **state)
{
    (void)state;
    double x[16], w[16];
    for (int n = 1; n <= 16; n++) {
        pg_gauss_legendre01(n, x, w);
        /* exact for polynomials of degree 2n-1: ∫_0^1 t^k dt = 1/(k+1) */
        for (int k = 0; k <= 2 * n - 1; k++) {
            double s = 0;
            for (int j = 0; j < n; j++) s += w[j] * pow(x[j], k);
            assert_true(fabs(s - 1.0 / (k + 1)) < 1e-13);
        }
    }
}

static void test_gate_gradient_fd(void **state)
{
    (void)state;
    toy_t t;
    pg_gnn_batch_t b;
    make_toy(&t, &b);
    pg_gnn_t *m = make_model();
    double gate[40], dgate[40], out0[6], outp[6], outm[6];
    for (int64_t e = 0; e < b.n_edges; e++) gate[e] = 0.3 + 0.02 * (double)e;
    /* NULL gate = the model itself = all-ones gate, bit for bit */
    assert_int_equal(pg_gnn_forward(m, &b, out0), PG_OK);
    double ones[40];
    for (int e = 0; e < 40; e++) ones[e] = 1.0;
    pg_gnn_batch_t b1 = b;
    b1.edge_gate = ones;
    assert_int_equal(pg_gnn_forward(m, &b1, outp), PG_OK);
    assert_memory_equal(out0, outp, sizeof out0);
    pg_gnn_batch_t bg = b;
    bg.edge_gate = gate;
    for (int target = 0; target < 3; target++) {
        assert_int_equal(pg_gnn_forward(m, &bg, NULL), PG_OK);
        assert_int_equal(pg_gnn_edge_gate_gradient(m, target, dgate), PG_OK);
        double fd[40];
        const double h = 1e-5;
        for (int64_t e = 0; e < b.n_edges; e++) {
            double keep = gate[e];
            gate[e] = keep + h;
            assert_int_equal(pg_gnn_forward(m, &bg, outp), PG_OK);
            gate[e] = keep - h;
            assert_int_equal(pg_gnn_forward(m, &bg, outm), PG_OK);
            gate[e] = keep;
            int g = t.dst[e] < 5 ? 0 : 1;
            fd[e] = (outp[g * 3 + target] - outm[g * 3 + target]) / (2 * h);
        }
        assert_close(dgate, fd, b.n_edges, 1e-6, 1e-9, "d out / d gate vs central differences");
    }
    pg_gnn_destroy(&m);
}

static void test_completeness(void **state)
{
    (void)state;
    toy_t t;
    pg_gnn_batch_t b;
    make_toy(&t, &b);
    pg_gnn_t *m = make_model();
    double attr[40], delta[2];
    for (int target = 0; target < 3; target++) {
        assert_int_equal(pg_explain_integrated_gradients(m, &b, target, 24, attr, delta),
                         PG_OK);
        double sum[2] = {0, 0};
        for (int64_t e = 0; e < b.n_edges; e++) sum[t.dst[e] < 5 ? 0 : 1] += attr[e];
        for (int g = 0; g < 2; g++) {
            assert_true(fabs(delta[g]) > 1e-4); /* a non-trivial check */
            assert_true(fabs(sum[g] - delta[g]) <= 1e-6 * fabs(delta[g]));
        }
    }
    /* too few steps is an input error */
    assert_int_equal(pg_explain_integrated_gradients(m, &b, 0, 0, attr, delta), PG_ERR_INPUT);
    pg_gnn_destroy(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quadrature),
        cmocka_unit_test(test_gate_gradient_fd),
        cmocka_unit_test(test_completeness),
    };
    return cmocka_run_group_tests_name("explain", tests, NULL, NULL);
}
