/* optim.c - Adam on the flat parameter buffer (SPEC §7) and learning-rate schedules. */
#include <math.h>

#include "phonograph/pg_gnn.h"

pg_adam_t pg_adam_default(double lr)
{
    pg_adam_t a = {.lr = lr, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8};
    return a;
}

/* torch.optim.Adam (single tensor, foreach off): m ← β1 m + (1−β1) g; v ← β2 v + (1−β2) g²;
 * θ ← θ − (lr/bc1) m / (√v/√bc2 + ε), bc_i = 1 − β_i^t. The update is evaluated in the
 * buffer's precision, like torch does for float32 parameters. */
#define ADAM_LOOP(T, p, g, m, v)                                                                   \
    do {                                                                                           \
        const T b1 = (T)a->beta1, b2 = (T)a->beta2, ob1 = (T)(1 - a->beta1),                       \
                ob2 = (T)(1 - a->beta2), eps = (T)a->eps;                                          \
        const T sbc2 = (T)sqrt(bc2), step = (T)(lr / bc1);                                         \
        for (int64_t k = 0; k < n; k++) {                                                          \
            T gk = g[k];                                                                           \
            m[k] = b1 * m[k] + ob1 * gk;                                                           \
            v[k] = b2 * v[k] + ob2 * gk * gk;                                                      \
            T denom = sqrt##T##_(v[k]) / sbc2 + eps;                                               \
            p[k] -= (step * m[k]) / denom;                                                              \
        }                                                                                          \
    } while (0)

static inline double sqrtdouble_(double x) { return sqrt(x); }
static inline float sqrtfloat_(float x) { return sqrtf(x); }

void pg_gnn_adam_step(pg_gnn_t *model, const pg_adam_t *a, double lr)
{
    model->adam_t++;
    const double t = (double)model->adam_t;
    const double bc1 = 1 - pow(a->beta1, t), bc2 = 1 - pow(a->beta2, t);
    const int64_t n = model->n_params;
    if (model->params_d) {
        double *p = model->params_d, *g = model->grads_d, *m = model->m_d, *v = model->v_d;
        ADAM_LOOP(double, p, g, m, v);
    } else {
        float *p = model->params_f, *g = model->grads_f, *m = model->m_f, *v = model->v_f;
        ADAM_LOOP(float, p, g, m, v);
    }
}

double pg_lr_at(const pg_lr_schedule_t *s, int64_t epoch)
{
    double lr = s->lr;
    switch (s->kind) {
    case PG_LR_CONSTANT:
        break;
    case PG_LR_COSINE: {
        double E = s->n_epochs > 1 ? (double)s->n_epochs : 1.0;
        double x = (double)epoch / E;
        if (x > 1) x = 1;
        lr = s->lr_min + (s->lr - s->lr_min) * 0.5 * (1 + cos(M_PI * x));
        break;
    }
    case PG_LR_STEP:
        lr = s->lr * pow(s->gamma, (double)(s->step_epochs > 0 ? epoch / s->step_epochs : 0));
        break;
    }
    if (s->warmup_epochs > 0 && epoch < s->warmup_epochs)
        lr *= (double)(epoch + 1) / (double)(s->warmup_epochs + 1);
    return lr;
}
