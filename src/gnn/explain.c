/* explain.c - integrated gradients over edge gates (see pg_explain.h). */
#include "phonograph/pg_explain.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void pg_gauss_legendre01(int n, double *x, double *w)
{
    /* roots of P_n by Newton's method from Chebyshev-like guesses, then map [-1,1] -> [0,1] */
    for (int i = 0; i < (n + 1) / 2; i++) {
        double z = cos(M_PI * (i + 0.75) / (n + 0.5)), dp = 1.0;
        for (int it = 0; it < 100; it++) {
            double p0 = 1.0, p1 = z; /* P_0, P_1 */
            for (int k = 2; k <= n; k++) {
                double pk = ((2.0 * k - 1.0) * z * p1 - (k - 1.0) * p0) / k;
                p0 = p1;
                p1 = pk;
            }
            dp = n * (z * p1 - p0) / (z * z - 1.0); /* P_n'(z) */
            double dz = p1 / dp;
            z -= dz;
            if (fabs(dz) < 1e-16) break;
        }
        double wi = 2.0 / ((1.0 - z * z) * dp * dp);
        x[i] = 0.5 * (1.0 - z);
        x[n - 1 - i] = 0.5 * (1.0 + z);
        w[i] = w[n - 1 - i] = 0.5 * wi;
    }
}

pg_status_t pg_explain_integrated_gradients(pg_gnn_t *m, const pg_gnn_batch_t *batch,
                                            int target, int n_steps, double *attr,
                                            double *delta)
{
    pg_status_t st = PG_OK;
    double *gate = NULL, *dgate = NULL, *xq = NULL, *wq = NULL, *out0 = NULL, *out1 = NULL;
    PG_REQUIRE(n_steps >= 1, PG_ERR_INPUT, "integrated gradients need >= 1 step, found %d",
               n_steps);
    const int64_t E = batch->n_edges, B = batch->n_graphs;
    const int T = m->cfg.T;
    PG_TRY_CALLOC(gate, E, "edge gates");
    PG_TRY_CALLOC(dgate, E, "edge gradients");
    PG_TRY_CALLOC(xq, n_steps, "quadrature");
    PG_TRY_CALLOC(wq, n_steps, "quadrature");
    PG_TRY_CALLOC(out0, B * T, "outputs");
    PG_TRY_CALLOC(out1, B * T, "outputs");
    pg_gauss_legendre01(n_steps, xq, wq);
    pg_gnn_batch_t b = *batch;
    b.edge_gate = gate;
    memset(attr, 0, sizeof(double) * (size_t)E);
    for (int j = 0; j < n_steps; j++) {
        for (int64_t e = 0; e < E; e++) gate[e] = xq[j];
        PG_TRY(pg_gnn_forward(m, &b, NULL));
        PG_TRY(pg_gnn_edge_gate_gradient(m, target, dgate));
        for (int64_t e = 0; e < E; e++) attr[e] += wq[j] * dgate[e];
    }
    if (delta) {
        for (int64_t e = 0; e < E; e++) gate[e] = 0.0;
        PG_TRY(pg_gnn_forward(m, &b, out0));
        for (int64_t e = 0; e < E; e++) gate[e] = 1.0;
        PG_TRY(pg_gnn_forward(m, &b, out1));
        for (int64_t g = 0; g < B; g++) delta[g] = out1[g * T + target] - out0[g * T + target];
    }
cleanup:
    free(gate);
    free(dgate);
    free(xq);
    free(wq);
    free(out0);
    free(out1);
    return st;
}
