/* fft.h - complex 3D FFT on 2^a 3^b 5^c grids for the particle-mesh Ewald sum (internal, not
 * installed). Own code: mixed-radix (2, 3, 4, 5) Stockham autosort passes; a plan holds the
 * twiddle factors and a scratch grid and is reused across calls. */
#ifndef PG_LABEL_FFT_H
#define PG_LABEL_FFT_H

#include <stdint.h>

#include "phonograph/pg_status.h"

typedef struct fft3_plan fft3_plan_t;

/* Smallest m >= n whose only prime factors are 2, 3 and 5. */
int fft_good_size(int n);

/* Plan for a grid [n[0]][n[1]][n[2]] of complex numbers (interleaved re, im doubles, row-major).
 * Errors: PG_ERR_INPUT (a size < 1 or with a prime factor other than 2, 3, 5), PG_ERR_NOMEM. */
pg_status_t fft3_plan_create(const int n[3], fft3_plan_t **out);
void fft3_plan_destroy(fft3_plan_t **plan);
/* the grid size of the plan */
void fft3_plan_dims(const fft3_plan_t *plan, int n[3]);

/* In-place unnormalised transform X[k] = Σ_j x[j] e^{sign 2πi j·k/n} (sign = -1 or +1) of
 * data [n0][n1][n2][2]. Deterministic (fixed operation order). */
void fft3_execute(fft3_plan_t *plan, double *data, int sign);

#endif
