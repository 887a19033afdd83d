/* pme.h - smooth particle-mesh Ewald reciprocal sum (Essmann et al., J. Chem. Phys. 103, 8577
 * (1995)) shared by potential.c and the tests (internal, not installed). */
#ifndef PG_LABEL_PME_H
#define PG_LABEL_PME_H

#include <stdint.h>

#include "label/fft.h"
#include "phonograph/pg_status.h"

enum { PME_MAX_ORDER = 16 };

/* Scratch and plan of the mesh sum; reused while the mesh and order stay the same (rebuilt on
 * change). Zero-initialise, release with pme_ws_free. */
typedef struct {
    int mesh[3], order;
    fft3_plan_t *plan;
    double *grid;              /* [K0][K1][K2][2] complex mesh: F[Q], then G F[Q], then φ */
    double *rgrid;             /* [K0][K1][K2] real mesh: Q, then φ = ∂E/∂Q */
    double *bmod[3];           /* [K_a] 1/|b_a(m)|^2 ... stored as the B-spline modulus factor */
    int64_t cap_atom;
    double *theta, *dtheta;    /* [n_atom][3][PME_MAX_ORDER] spline weights, derivatives (w.r.t. u) */
    int *base;                 /* [n_atom][3] mesh line of weight 0, in [-(order-1), K_a - order] */
    int64_t *perm;             /* [n_atom] atoms ordered by mesh row: cache locality */
    int64_t *bucket;           /* [K0 K1 + 1] counting-sort offsets */
} pme_ws_t;

void pme_ws_free(pme_ws_t *ws);

/* y[p] = the largest α h (h: mesh spacing, Å) for which B-splines of even order p meet accuracy
 * ε in the bound of pme_choose (0 if none); y[odd] = 0. Depends on ε only: compute once. */
void pme_spacing_table(double accuracy, double y[PME_MAX_ORDER + 1]);

/* B-spline order p (even, 4..PME_MAX_ORDER) and mesh K_a (2^a 3^b 5^c, >= p) for the spacing
 * table y of accuracy ε (pme_spacing_table),
 * Ewald α (Å⁻¹), cell lattice (rows, Å) and n_atom: the cheapest (order, spacing) pair, by a
 * cost model N p³ + M log M, for which every mesh wavevector k satisfies
 *     e^{-k²/4α²} · 2 (t/(1-t))^p <= ε,   t = |k| h / 2π  (h: mesh spacing along a lattice vector),
 * the leading aliasing error of the interpolated structure factor relative to |S(k)|² weighted
 * like the Ewald term (see docs/labeler.md). Not collective.
 * Errors: PG_ERR_INPUT when no order up to PME_MAX_ORDER reaches ε with a mesh of at most
 * 1024 points per axis. */
pg_status_t pme_choose(const double y[PME_MAX_ORDER + 1], double alpha, const double lattice[3][3], int64_t n_atom,
                       int *order, int mesh[3]);

/* Reciprocal part of the Ewald sum by smooth PME with B-spline order `order` on mesh `mesh`:
 * adds E_recip (eV) to *energy, the reciprocal forces (eV/Å) to forces (if not NULL) and the
 * reciprocal stress σ = (1/V) ∂E/∂ε (eV/Å³, ASE sign) to stress (if not NULL). Forces and
 * stress are the exact derivatives of the PME energy. Positions Cartesian (Å), q in e.
 * Not collective. Errors: PG_ERR_INPUT (odd order, mesh < order, singular cell), PG_ERR_NOMEM. */
pg_status_t pme_recip(pme_ws_t *ws, const double lattice[3][3], int64_t n, const double (*pos)[3],
                      const double *q, double alpha, int order, const int mesh[3],
                      double *energy, double (*forces)[3], double stress[3][3]);

#endif
