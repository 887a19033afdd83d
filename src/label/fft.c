/* fft.c - complex 3D FFT for the particle-mesh Ewald sum (fft.h).
 *
 * One length-n transform is a sequence of Stockham autosort passes (decimation in frequency).
 * A pass of radix r on sub-transforms of length L = r m, with s interleaved sub-problems
 * (stride s, s grows by r each pass), computes for p < m, t < r, q < s
 *     y[q + s (r p + t)] = W_L^{p t} Σ_j x[q + s (p + j m)] ω_r^{j t}
 * (W_L = e^{σ2πi/L}, ω_r = e^{σ2πi/r}); after the last pass the result is in natural order.
 * A batch of B transforms stored with the batch index innermost (x[l B + b]) is the same
 * recursion started with s = B, so the two outer axes of the 3D grid are transformed as
 * batches without transposes (contiguous inner loops over q); the inner axis is gathered in
 * blocks of 16 lines into the same batch-innermost layout.
 * Twiddles are tabulated once per plan from exact angles 2π((p t) mod L)/L.
 */
#include "label/fft.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "phonograph/pg_units.h"

enum { FFT_MAX_STAGES = 64, FFT_LINES = 16 };

typedef struct {
    int n, n_stage;
    int radix[FFT_MAX_STAGES];
    double *tw[FFT_MAX_STAGES]; /* [m][r][2]: W_L^{p t} for σ = -1 (cos, sin) */
} fft1_t;

struct fft3_plan {
    int n[3];
    fft1_t f[3];
    double *scratch; /* [n0 n1 n2][2] */
};

int fft_good_size(int n)
{
    if (n < 1) n = 1;
    for (;; n++) {
        int m = n;
        while (m % 2 == 0) m /= 2;
        while (m % 3 == 0) m /= 3;
        while (m % 5 == 0) m /= 5;
        if (m == 1) return n;
    }
}

static void fft1_free(fft1_t *f)
{
    for (int s = 0; s < f->n_stage; s++) free(f->tw[s]);
    *f = (fft1_t){0};
}

static pg_status_t fft1_init(fft1_t *f, int n)
{
    *f = (fft1_t){.n = n};
    int m = n;
    while (m % 4 == 0) f->radix[f->n_stage++] = 4, m /= 4;
    while (m % 2 == 0) f->radix[f->n_stage++] = 2, m /= 2;
    while (m % 3 == 0) f->radix[f->n_stage++] = 3, m /= 3;
    while (m % 5 == 0) f->radix[f->n_stage++] = 5, m /= 5;
    PG_REQUIRE(m == 1, PG_ERR_INPUT, "FFT length %d has a prime factor other than 2, 3, 5", n);
    int L = n;
    for (int s = 0; s < f->n_stage; s++) {
        const int r = f->radix[s], mm = L / r;
        f->tw[s] = malloc(sizeof(double) * 2 * (size_t)L);
        if (!f->tw[s]) {
            fft1_free(f);
            return PG_ERR(PG_ERR_NOMEM, "FFT twiddles of length %d", n);
        }
        for (int p = 0; p < mm; p++)
            for (int t = 0; t < r; t++) {
                const double ang = -2.0 * PG_PI * (double)(((int64_t)p * t) % L) / (double)L;
                f->tw[s][2 * (p * r + t)] = cos(ang);
                f->tw[s][2 * (p * r + t) + 1] = sin(ang);
            }
        L = mm;
    }
    return PG_OK;
}

/* one Stockham pass, see the file comment; x, y: [s L][2] */
static void pass(int L, int r, int64_t s, const double *tw, int sign, const double *restrict x,
                 double *restrict y)
{
    const int m = L / r;
    const double sg = sign < 0 ? -1.0 : 1.0;
    double cr[5], ci[5]; /* ω_r^k */
    for (int k = 0; k < r; k++) {
        cr[k] = cos(2.0 * PG_PI * k / r);
        ci[k] = sg * sin(2.0 * PG_PI * k / r);
    }
    for (int p = 0; p < m; p++) {
        double wr[5], wi[5];
        for (int t = 0; t < r; t++) {
            wr[t] = tw[2 * (p * r + t)];
            wi[t] = -sg * tw[2 * (p * r + t) + 1]; /* table holds σ = -1 */
        }
        const double *xp = x + 2 * s * p;
        double *yp = y + 2 * s * (int64_t)r * p;
        if (r == 2) {
            const double *x1 = xp + 2 * s * m;
            double *y1 = yp + 2 * s;
            for (int64_t q = 0; q < s; q++) {
                const double ar = xp[2 * q], ai = xp[2 * q + 1];
                const double br = x1[2 * q], bi = x1[2 * q + 1];
                yp[2 * q] = ar + br;
                yp[2 * q + 1] = ai + bi;
                const double dr = ar - br, di = ai - bi;
                y1[2 * q] = dr * wr[1] - di * wi[1];
                y1[2 * q + 1] = dr * wi[1] + di * wr[1];
            }
        } else if (r == 4) {
            const double *x1 = xp + 2 * s * m, *x2 = x1 + 2 * s * m, *x3 = x2 + 2 * s * m;
            double *y1 = yp + 2 * s, *y2 = y1 + 2 * s, *y3 = y2 + 2 * s;
            for (int64_t q = 0; q < s; q++) {
                const double a0r = xp[2 * q], a0i = xp[2 * q + 1], a1r = x1[2 * q],
                             a1i = x1[2 * q + 1], a2r = x2[2 * q], a2i = x2[2 * q + 1],
                             a3r = x3[2 * q], a3i = x3[2 * q + 1];
                const double s02r = a0r + a2r, s02i = a0i + a2i, d02r = a0r - a2r,
                             d02i = a0i - a2i;
                const double s13r = a1r + a3r, s13i = a1i + a3i, d13r = a1r - a3r,
                             d13i = a1i - a3i;
                /* ω d13 with ω = σ i */
                const double ur = -sg * d13i, ui = sg * d13r;
                yp[2 * q] = s02r + s13r;
                yp[2 * q + 1] = s02i + s13i;
                double br = d02r + ur, bi = d02i + ui;
                y1[2 * q] = br * wr[1] - bi * wi[1];
                y1[2 * q + 1] = br * wi[1] + bi * wr[1];
                br = s02r - s13r, bi = s02i - s13i;
                y2[2 * q] = br * wr[2] - bi * wi[2];
                y2[2 * q + 1] = br * wi[2] + bi * wr[2];
                br = d02r - ur, bi = d02i - ui;
                y3[2 * q] = br * wr[3] - bi * wi[3];
                y3[2 * q + 1] = br * wi[3] + bi * wr[3];
            }
        } else {
            for (int64_t q = 0; q < s; q++) {
                double ar[5], ai[5];
                for (int j = 0; j < r; j++) {
                    ar[j] = xp[2 * (q + s * (int64_t)j * m)];
                    ai[j] = xp[2 * (q + s * (int64_t)j * m) + 1];
                }
                for (int t = 0; t < r; t++) {
                    double br = 0.0, bi = 0.0;
                    for (int j = 0; j < r; j++) {
                        const int k = (j * t) % r;
                        br += ar[j] * cr[k] - ai[j] * ci[k];
                        bi += ar[j] * ci[k] + ai[j] * cr[k];
                    }
                    yp[2 * (q + s * t)] = br * wr[t] - bi * wi[t];
                    yp[2 * (q + s * t) + 1] = br * wi[t] + bi * wr[t];
                }
            }
        }
    }
}

/* B transforms of f->n points stored x[l B + b]; y: scratch of the same size; result in x */
static void fft1_batch(const fft1_t *f, int64_t B, double *x, double *y, int sign)
{
    double *a = x, *b = y;
    int64_t s = B;
    int L = f->n;
    for (int st = 0; st < f->n_stage; st++) {
        pass(L, f->radix[st], s, f->tw[st], sign, a, b);
        double *t = a;
        a = b;
        b = t;
        s *= f->radix[st];
        L /= f->radix[st];
    }
    if (a != x) memcpy(x, a, sizeof(double) * 2 * (size_t)(B * f->n));
}

pg_status_t fft3_plan_create(const int n[3], fft3_plan_t **out)
{
    pg_status_t st = PG_OK;
    *out = NULL;
    fft3_plan_t *p = calloc(1, sizeof *p);
    PG_REQUIRE(p, PG_ERR_NOMEM, "FFT plan");
    for (int a = 0; a < 3; a++) {
        PG_TRY_REQUIRE(n[a] >= 1, PG_ERR_INPUT, "FFT grid dimension %d is %d", a, n[a]);
        PG_TRY(fft1_init(&p->f[a], n[a]));
        p->n[a] = n[a];
    }
    size_t total = (size_t)n[0] * (size_t)n[1] * (size_t)n[2];
    if (total < (size_t)(2 * FFT_LINES) * (size_t)n[2]) total = (size_t)(2 * FFT_LINES) * (size_t)n[2];
    p->scratch = malloc(sizeof(double) * 2 * total); /* the grid, or two line blocks */
    PG_TRY_REQUIRE(p->scratch, PG_ERR_NOMEM, "FFT scratch grid %d x %d x %d", n[0], n[1], n[2]);
    *out = p;
    p = NULL;
cleanup:
    if (p) fft3_plan_destroy(&p);
    return st;
}

void fft3_plan_destroy(fft3_plan_t **plan)
{
    if (!plan || !*plan) return;
    for (int a = 0; a < 3; a++) fft1_free(&(*plan)->f[a]);
    free((*plan)->scratch);
    free(*plan);
    *plan = NULL;
}

void fft3_plan_dims(const fft3_plan_t *plan, int n[3])
{
    for (int a = 0; a < 3; a++) n[a] = plan->n[a];
}

void fft3_execute(fft3_plan_t *plan, double *data, int sign)
{
    const int64_t n0 = plan->n[0], n1 = plan->n[1], n2 = plan->n[2];
    /* innermost axis: blocks of FFT_LINES lines gathered into batch-innermost layout
     * (blk[j][b] = line b, point j), transformed as a batch, scattered back */
    const int64_t n_line = n0 * n1;
    double *blk = plan->scratch, *tmp = plan->scratch + 2 * FFT_LINES * n2;
    for (int64_t l0 = 0; l0 < n_line; l0 += FFT_LINES) {
        const int64_t nb = n_line - l0 < FFT_LINES ? n_line - l0 : FFT_LINES;
        for (int64_t b = 0; b < nb; b++) {
            const double *src = data + 2 * (l0 + b) * n2;
            for (int64_t j = 0; j < n2; j++) {
                blk[2 * (j * nb + b)] = src[2 * j];
                blk[2 * (j * nb + b) + 1] = src[2 * j + 1];
            }
        }
        fft1_batch(&plan->f[2], nb, blk, tmp, sign);
        for (int64_t b = 0; b < nb; b++) {
            double *dst = data + 2 * (l0 + b) * n2;
            for (int64_t j = 0; j < n2; j++) {
                dst[2 * j] = blk[2 * (j * nb + b)];
                dst[2 * j + 1] = blk[2 * (j * nb + b) + 1];
            }
        }
    }
    /* middle axis: per slab, a batch of n2 interleaved transforms */
    for (int64_t i = 0; i < n0; i++)
        fft1_batch(&plan->f[1], n2, data + 2 * i * n1 * n2, plan->scratch, sign);
    /* outer axis: one batch of n1 n2 transforms */
    fft1_batch(&plan->f[0], n1 * n2, data, plan->scratch, sign);
}
