/* ewald.h - internals of the Ewald sum shared by potential.c and ewald.c (not installed). */
#ifndef PG_LABEL_EWALD_H
#define PG_LABEL_EWALD_H

#include <stdint.h>

#include "phonograph/pg_status.h"

/* Scratch of the reciprocal sum; grows on demand, zero-initialise, release with
 * ewald_ws_free. */
typedef struct {
    int64_t cap_atom, cap_table;
    double *e1r, *e1i;   /* [n1][n_atom]  e^{i 2π h f1}, h = 0..nh */
    double *e2r, *e2i;   /* [n2][n_atom]  e^{i 2π k f2}, k = -nk..nk */
    double *e3r, *e3i;   /* [n3][n_atom]  e^{i 2π l f3}, l = -nl..nl */
    double *ur, *ui;     /* [n_atom] q_j e^{i(h b1 + k b2)·r_j} */
    double *pr, *pi;     /* [n_atom] q_j e^{i k·r_j} of the current k */
    double *g0, *g1;     /* [n_atom] force accumulators of one (h, k) row */
} ewald_ws_t;

void ewald_ws_free(ewald_ws_t *ws);

/* Reciprocal-space part of spec §4 with the half-space sum: adds E_recip to *energy, the
 * reciprocal forces to forces (if not NULL) and V·σ_recip·(1/V) to stress (if not NULL).
 * Positions Cartesian (Å), q in e. *n_kvec receives the number of half-space k-vectors. */
pg_status_t ewald_recip(ewald_ws_t *ws, const double lattice[3][3], int64_t n,
                        const double (*pos)[3], const double *q, double alpha, double kc,
                        double *energy, double (*forces)[3], double stress[3][3],
                        int64_t *n_kvec);

/* Real-space pair term of one directed edge: φ = k_e qq erfc(αr)/r and φ'(r). */
void ewald_real_pair(double qq, double alpha, double r, double *phi, double *dphi);

#endif
