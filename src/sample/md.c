/* md.c - velocity Verlet / Langevin BAOAB molecular dynamics (see pg_md.h). */
#include "phonograph/pg_md.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "phonograph/pg_rng.h"
#include "phonograph/pg_units.h"

pg_status_t pg_md_init(pg_md_t *md, const pg_cell_t *cell, const pg_md_options_t *opt,
                       pg_md_force_fn fn, void *ctx)
{
    pg_status_t st = PG_OK;
    memset(md, 0, sizeof *md);
    PG_REQUIRE(opt->dt_fs > 0 && isfinite(opt->dt_fs), PG_ERR_INPUT,
               "MD time step must be positive, found %g fs", opt->dt_fs);
    PG_REQUIRE(opt->temp_k >= 0, PG_ERR_INPUT, "MD temperature must be >= 0, found %g K",
               opt->temp_k);
    PG_REQUIRE(opt->friction_ps >= 0, PG_ERR_INPUT,
               "Langevin friction must be >= 0, found %g /ps", opt->friction_ps);
    md->opt = *opt;
    md->fn = fn;
    md->ctx = ctx;
    PG_TRY(pg_cell_copy(&md->cell, cell));
    int64_t n = cell->n_atom;
    for (int64_t i = 0; i < n; i++)
        PG_TRY_REQUIRE(cell->mass[i] > 0, PG_ERR_INPUT, "atom %lld has no mass", (long long)i);
    PG_TRY_CALLOC(md->vel, n, "MD velocities");
    PG_TRY_CALLOC(md->force, n, "MD forces");
    /* Maxwell-Boltzmann velocities: each component N(0, kT/m), then remove the drift */
    pg_rng_t rng;
    pg_rng_init(&rng, opt->seed, pg_rng_tag("md-velocities"), opt->stream, 0);
    double p[3] = {0, 0, 0}, mtot = 0;
    for (int64_t i = 0; i < n; i++) {
        double s = sqrt(PG_KB_EV * opt->temp_k / cell->mass[i] * PG_EV_PER_AMU_ANG2_FS2);
        for (int a = 0; a < 3; a++) {
            md->vel[i][a] = s * pg_rng_normal(&rng);
            p[a] += cell->mass[i] * md->vel[i][a];
        }
        mtot += cell->mass[i];
    }
    for (int64_t i = 0; i < n; i++)
        for (int a = 0; a < 3; a++) md->vel[i][a] -= p[a] / mtot;
    PG_TRY(fn(ctx, &md->cell, &md->e_pot, md->force));
    PG_TRY_REQUIRE(isfinite(md->e_pot), PG_ERR_NUMERIC, "non-finite initial MD energy");
    return PG_OK;
cleanup:
    pg_md_free(md);
    return st;
}

void pg_md_free(pg_md_t *md)
{
    if (!md) return;
    pg_cell_free(&md->cell);
    free(md->vel);
    free(md->force);
    memset(md, 0, sizeof *md);
}

double pg_md_kinetic(const pg_md_t *md)
{
    double k = 0;
    for (int64_t i = 0; i < md->cell.n_atom; i++)
        for (int a = 0; a < 3; a++) k += md->cell.mass[i] * md->vel[i][a] * md->vel[i][a];
    return 0.5 * k / PG_EV_PER_AMU_ANG2_FS2;
}

double pg_md_temperature(const pg_md_t *md)
{
    int64_t dof = 3 * md->cell.n_atom - 3;
    return dof > 0 ? 2.0 * pg_md_kinetic(md) / ((double)dof * PG_KB_EV) : 0.0;
}

static void kick(pg_md_t *md, double h)
{
    for (int64_t i = 0; i < md->cell.n_atom; i++) {
        double s = h * PG_EV_PER_AMU_ANG2_FS2 / md->cell.mass[i];
        for (int a = 0; a < 3; a++) md->vel[i][a] += s * md->force[i][a];
    }
}

static void drift(pg_md_t *md, double h)
{
    for (int64_t i = 0; i < md->cell.n_atom; i++)
        for (int a = 0; a < 3; a++) md->cell.pos[i][a] += h * md->vel[i][a];
}

/* O step: exact Ornstein-Uhlenbeck update of the velocities over dt */
static void thermostat(pg_md_t *md, double dt)
{
    double c = exp(-md->opt.friction_ps * 1e-3 * dt);
    double s2 = 1.0 - c * c;
    pg_rng_t rng;
    pg_rng_init(&rng, md->opt.seed, pg_rng_tag("md-langevin"), md->opt.stream,
                (uint64_t)md->step);
    for (int64_t i = 0; i < md->cell.n_atom; i++) {
        double s =
            sqrt(s2 * PG_KB_EV * md->opt.temp_k / md->cell.mass[i] * PG_EV_PER_AMU_ANG2_FS2);
        for (int a = 0; a < 3; a++) md->vel[i][a] = c * md->vel[i][a] + s * pg_rng_normal(&rng);
    }
}

pg_status_t pg_md_run(pg_md_t *md, int64_t n)
{
    double dt = md->opt.dt_fs;
    for (int64_t k = 0; k < n; k++) {
        kick(md, 0.5 * dt);
        if (md->opt.ensemble == PG_MD_LANGEVIN) {
            drift(md, 0.5 * dt);
            thermostat(md, dt);
            drift(md, 0.5 * dt);
        } else {
            drift(md, dt);
        }
        PG_CHECK(md->fn(md->ctx, &md->cell, &md->e_pot, md->force));
        PG_REQUIRE(isfinite(md->e_pot), PG_ERR_NUMERIC,
                   "MD energy became non-finite at step %lld", (long long)md->step + 1);
        kick(md, 0.5 * dt);
        md->step++;
    }
    return PG_OK;
}
