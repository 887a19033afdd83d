/* pg_explain.h - explainability of the GNN by bond: integrated gradients over edge gates.
 *
 * Method (Sundararajan, Taly & Yan, ICML 2017, "Axiomatic attribution for deep networks"):
 * every edge e carries a gate γ_e that multiplies its Gaussian distance features
 * (pg_gnn_batch_t.edge_gate). The model itself is γ = 1; the baseline γ = 0 removes the
 * distance information of every edge while keeping the graph's topology and node features.
 * The attribution of edge e to target t of its graph is
 *     A_e = ∫_0^1 ∂out_t/∂γ_e (γ = α·1) dα,
 * evaluated with n-point Gauss–Legendre quadrature (the integrand is analytic: softplus and
 * sigmoid only). Completeness: Σ_{e in graph b} A_e = out_t(γ=1) − out_t(γ=0) up to the
 * quadrature error, which the caller can check with the returned deltas.
 * Why integrated gradients and not gradient × input: the latter is a first-order Taylor term
 * whose sum over edges has no meaning for a non-linear model; integrated gradients add up to
 * the change of the prediction, so per-bond sums are shares of something defined.
 * Attributions are in normalised output units; multiply by the target's std for physical units.
 */
#ifndef PG_EXPLAIN_H
#define PG_EXPLAIN_H

#include "phonograph/pg_gnn.h"
#include "phonograph/pg_status.h"

/* n-point Gauss–Legendre nodes x[n] and weights w[n] on [0, 1] (n >= 1). */
void pg_gauss_legendre01(int n, double *x, double *w);

/* Integrated-gradient attributions attr[n_edges] of target `target` for every edge of the
 * batch (edge_gate of `batch` is ignored), with n_steps quadrature points; delta[n_graphs]
 * (optional) receives out(γ=1) − out(γ=0) per graph. The model must be float64.
 * Not collective. Errors: PG_ERR_INPUT (n_steps < 1), PG_ERR_INTERNAL, PG_ERR_NOMEM. */
pg_status_t pg_explain_integrated_gradients(pg_gnn_t *model, const pg_gnn_batch_t *batch,
                                            int target, int n_steps, double *attr,
                                            double *delta);

#endif
