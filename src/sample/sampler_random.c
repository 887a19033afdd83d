/* sampler_random.c - the random baseline: independent displacements of every atom.
 * Definitions of the amplitude A for each distribution are in pg_sample.h and docs/dataset.md. */
#include <math.h>
#include <string.h>

#include "sample/sample_internal.h"

/* u (Å, [3 n_atom]) of configuration c, attempt `attempt`. Stream (seed, "sample.random", c,
 * attempt); per atom, in atom order: GAUSSIAN 3 normals; UNIFORM 3 normals (direction) then 1
 * uniform (radius); PAPER 3 uniforms. */
void sampler_random_displace(const struct pg_sampler *s, int64_t c, int attempt, double *u)
{
    const double amp = s->cond[c / s->o.n_per_condition];
    pg_rng_t rng;
    pg_rng_init(&rng, s->o.seed, s->tag_random, (uint64_t)c, (uint64_t)attempt);
    for (int64_t k = 0; k < s->n_atom; k++) {
        double *v = u + 3 * k;
        switch (s->o.dist) {
        case PG_RANDOM_GAUSSIAN:
            for (int a = 0; a < 3; a++) v[a] = amp * pg_rng_normal(&rng);
            break;
        case PG_RANDOM_UNIFORM: {
            /* isotropic direction from a normal triple; radius A U^(1/3) fills the ball */
            double g[3], norm = 0;
            for (int a = 0; a < 3; a++) {
                g[a] = pg_rng_normal(&rng);
                norm += g[a] * g[a];
            }
            const double r = amp * cbrt(pg_rng_uniform(&rng));
            norm = sqrt(norm);
            for (int a = 0; a < 3; a++) v[a] = norm > 0 ? r * g[a] / norm : (a == 0 ? r : 0.0);
            break;
        }
        case PG_RANDOM_PAPER:
            for (int a = 0; a < 3; a++) v[a] = amp * pg_rng_uniform(&rng);
            break;
        }
    }
}
