/* sampler_md.c - molecular-dynamics "sampler": configurations that no harmonic or random sampler
 * produced, for the independent test ensemble of the study (pg_sample.h, PG_SAMPLE_MD).
 *
 * Configuration c is a pure function of (seed, c): frame f of trajectory j of its temperature,
 * with the trajectory's random streams keyed by the index of its first configuration and the
 * guard attempt. A per-rank cache in pg_sample_t keeps the trajectory last advanced, so drawing
 * the frames of one trajectory in order costs md_equil_steps + md_frames * md_stride steps in
 * all; any other order gives the same configurations, only slower. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sample/sample_internal.h"

typedef struct {
    int valid;
    int64_t traj_first; /* index of the trajectory's first configuration */
    int attempt;
    int64_t frame;      /* frame the state is at */
    pg_md_t md;
} md_cache_t;

pg_status_t sampler_md_check(const pg_sample_opts_t *o)
{
    PG_REQUIRE(o->md_force, PG_ERR_INPUT, "MD sampler: no force field given");
    PG_REQUIRE(o->md_dt_fs > 0 && o->md_dt_fs <= 20, PG_ERR_INPUT,
               "MD sampler: time step must be in (0, 20] fs, found %g", o->md_dt_fs);
    PG_REQUIRE(o->md_friction_ps > 0, PG_ERR_INPUT,
               "MD sampler: Langevin friction must be > 0 /ps, found %g", o->md_friction_ps);
    PG_REQUIRE(o->md_equil_steps >= 0 && o->md_stride >= 1 && o->md_frames >= 1, PG_ERR_INPUT,
               "MD sampler: need equilibration >= 0, stride >= 1 and frames >= 1 "
               "(found %lld, %lld, %lld)", (long long)o->md_equil_steps,
               (long long)o->md_stride, (long long)o->md_frames);
    for (int64_t t = 0; t < o->n_condition; t++)
        PG_REQUIRE(o->condition[t] > 0 && isfinite(o->condition[t]), PG_ERR_INPUT,
                   "MD sampler: temperature %g K must be > 0", o->condition[t]);
    return PG_OK;
}

void sampler_md_free_cache(pg_sample_t *x)
{
    md_cache_t *m = x->md;
    if (!m) return;
    pg_md_free(&m->md);
    free(m);
    x->md = NULL;
}

pg_status_t sampler_md_displace(const struct pg_sampler *s, int64_t c, int attempt,
                                pg_sample_t *x, double *u)
{
    const pg_sample_opts_t *o = &s->o;
    const int64_t k = c % o->n_per_condition;
    const int64_t frame = k % o->md_frames;
    const int64_t first = c - frame;
    if (!x->md) {
        x->md = calloc(1, sizeof(md_cache_t));
        PG_REQUIRE(x->md, PG_ERR_NOMEM, "out of memory for the MD sampler");
    }
    md_cache_t *m = x->md;
    int64_t steps;
    if (m->valid && m->traj_first == first && m->attempt == attempt && m->frame <= frame) {
        steps = (frame - m->frame) * o->md_stride;
    } else {
        pg_md_free(&m->md);
        m->valid = 0;
        pg_md_options_t mo = {PG_MD_LANGEVIN, o->md_dt_fs, pg_sampler_condition_of(s, c),
                              o->md_friction_ps, o->seed,
                              /* stream: trajectory and guard attempt (attempt < 2^16) */
                              ((uint64_t)first << 16) | (uint64_t)attempt};
        /* x->cell holds the reference after disorder: the trajectory starts there */
        PG_CHECK(pg_md_init(&m->md, &x->cell, &mo, o->md_force, o->md_force_ctx));
        m->traj_first = first;
        m->attempt = attempt;
        m->frame = 0;
        m->valid = 1;
        steps = o->md_equil_steps + frame * o->md_stride;
    }
    pg_status_t st = pg_md_run(&m->md, steps);
    if (st != PG_OK) {
        m->valid = 0;
        pg_err_frame(__FILE__, __LINE__, __func__);
        return st;
    }
    m->frame = frame;
    /* displacement from the reference with the centre-of-mass drift of the Langevin
     * trajectory removed (a rigid translation carries no information) */
    double com[3] = {0, 0, 0}, mtot = 0;
    for (int64_t i = 0; i < s->n_atom; i++) {
        for (int a = 0; a < 3; a++) {
            u[3 * i + a] = m->md.cell.pos[i][a] - s->ref.pos[i][a];
            com[a] += m->md.cell.mass[i] * u[3 * i + a];
        }
        mtot += m->md.cell.mass[i];
    }
    for (int64_t i = 0; i < s->n_atom; i++)
        for (int a = 0; a < 3; a++) u[3 * i + a] -= com[a] / mtot;
    return PG_OK;
}
