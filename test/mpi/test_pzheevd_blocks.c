/* test_pzheevd_blocks.c - ScaLAPACK pzheevd (pg_pzheevd) against LAPACK zheevd (pg_zheevd) for
 * small orders and small or odd block sizes, where ScaLAPACK's workspace formulas and block
 * constraints bite: n = 6 (the NaCl dynamical matrix) and 7, 13, 30 with nb = 1, 2, 3, 5, 64,
 * on the np 1 (1x1), 2 (1x2), 4 (2x2) grids. Eigenvalues to 1e-10 relative to the largest,
 * eigenvectors as projectors onto each eigenspace (degeneracies allowed) to 1e-10. Run under
 * SANITIZE=1 this is also the memory check of the ScaLAPACK path (see src/core/linalg.c for the
 * one-element over-read inside PBLAS/OpenBLAS zgemv that can still fault there). */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_linalg.h"
#include "phonograph/pg_par.h"

/* a Hermitian n x n (column-major), with a two-fold degenerate pair for n >= 6 */
static void make_matrix(int n, unsigned seed, double complex *a)
{
    /* A = U diag(lam) U^H with U from a Gram-Schmidt of a deterministic complex matrix */
    double complex *u = malloc(sizeof *u * (size_t)n * n);
    for (int c = 0; c < n; c++)
        for (int r = 0; r < n; r++)
            u[(size_t)c * n + r] = sin(0.7 * r + 1.9 * c + seed) + I * cos(1.3 * r - 0.4 * c * c + seed);
    for (int c = 0; c < n; c++) {
        for (int p = 0; p < c; p++) {
            double complex d = 0;
            for (int r = 0; r < n; r++) d += conj(u[(size_t)p * n + r]) * u[(size_t)c * n + r];
            for (int r = 0; r < n; r++) u[(size_t)c * n + r] -= d * u[(size_t)p * n + r];
        }
        double nn = 0;
        for (int r = 0; r < n; r++) nn += creal(conj(u[(size_t)c * n + r]) * u[(size_t)c * n + r]);
        for (int r = 0; r < n; r++) u[(size_t)c * n + r] /= sqrt(nn);
    }
    double lam[64];
    for (int k = 0; k < n; k++) lam[k] = -3.0 + 0.8 * k + 0.05 * k * k;
    if (n >= 6) lam[4] = lam[3]; /* a degenerate pair */
    for (int c = 0; c < n; c++)
        for (int r = 0; r < n; r++) {
            double complex s = 0;
            for (int k = 0; k < n; k++) s += u[(size_t)k * n + r] * lam[k] * conj(u[(size_t)k * n + c]);
            a[(size_t)c * n + r] = s;
        }
    for (int c = 0; c < n; c++) /* exactly Hermitian */
        for (int r = 0; r <= c; r++) {
            double complex v = 0.5 * (a[(size_t)c * n + r] + conj(a[(size_t)r * n + c]));
            a[(size_t)c * n + r] = v;
            a[(size_t)r * n + c] = conj(v);
        }
    free(u);
}

/* max over eigenspaces (eigenvalues closer than tol grouped) of |P_z - P_ref|, P = sum v v^H */
static double projector_diff(int n, const double *w, const double complex *z,
                             const double complex *zr)
{
    double worst = 0;
    for (int k0 = 0; k0 < n;) {
        int k1 = k0 + 1;
        while (k1 < n && w[k1] - w[k1 - 1] < 1e-8) k1++;
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++) {
                double complex p = 0, q = 0;
                for (int k = k0; k < k1; k++) {
                    p += z[(size_t)k * n + r] * conj(z[(size_t)k * n + c]);
                    q += zr[(size_t)k * n + r] * conj(zr[(size_t)k * n + c]);
                }
                worst = fmax(worst, cabs(p - q));
            }
        k0 = k1;
    }
    return worst;
}

int main(int argc, char **argv)
{
    MPI_Comm comm;
    if (pg_par_init(&argc, &argv, &comm) != PG_OK) return 1;
    pg_mpitest_t t;
    pg_mpitest_begin(&t, comm);
    const int orders[] = {6, 7, 13, 30};
    const int blocks[] = {1, 2, 3, 5, 64};
    for (size_t io = 0; io < sizeof orders / sizeof *orders; io++)
        for (size_t ib = 0; ib < sizeof blocks / sizeof *blocks; ib++) {
            const int n = orders[io], nb = blocks[ib];
            double complex *a = malloc(sizeof *a * (size_t)n * n);
            double complex *ar = malloc(sizeof *a * (size_t)n * n);
            double complex *z = malloc(sizeof *a * (size_t)n * n);
            double w[64], wr[64];
            make_matrix(n, (unsigned)(io + 3 * ib), a);
            memcpy(ar, a, sizeof *a * (size_t)n * n);
            pg_status_t st = pg_pzheevd(comm, n, nb, a, w, z);
            char name[64];
            snprintf(name, sizeof name, "pzheevd n=%d nb=%d runs", n, nb);
            pg_mpitest_check(&t, st == PG_OK, name, "%s", st == PG_OK ? "" : pg_err_message());
            pg_zheevd_ws_t ws;
            int ok_ref = pg_zheevd_ws_init(&ws, n) == PG_OK && pg_zheevd(&ws, n, ar, wr) == PG_OK;
            pg_zheevd_ws_free(&ws);
            double wmax = 0, dw = 0;
            for (int k = 0; k < n; k++) {
                wmax = fmax(wmax, fabs(wr[k]));
                dw = fmax(dw, fabs(w[k] - wr[k]));
            }
            snprintf(name, sizeof name, "n=%d nb=%d eigenvalues vs zheevd 1e-10", n, nb);
            pg_mpitest_check(&t, ok_ref && st == PG_OK && dw <= 1e-10 * wmax, name, "%.2e", dw / wmax);
            double pd = st == PG_OK ? projector_diff(n, wr, z, ar) : INFINITY;
            snprintf(name, sizeof name, "n=%d nb=%d eigenspace projectors vs zheevd 1e-10", n, nb);
            pg_mpitest_check(&t, pd <= 1e-10, name, "%.2e", pd);
            free(a);
            free(ar);
            free(z);
        }
    int rc = pg_mpitest_end(&t);
    pg_par_finalize(&comm);
    return rc;
}
