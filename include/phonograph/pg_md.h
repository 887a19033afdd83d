/* pg_md.h - molecular dynamics: velocity Verlet (NVE) and Langevin (BAOAB) integration of a
 * periodic cell with any force field given as a callback. Used to draw the independent test
 * ensemble of the study (configurations no sampler produced).
 *
 * Units: positions Å, velocities Å/fs, time fs, masses amu, energies eV, forces eV/Å.
 * Langevin BAOAB splitting (Leimkuhler & Matthews, Appl. Math. Res. Express 2013, 34):
 *   B: v += (dt/2) F/m;  A: x += (dt/2) v;  O: v = c v + sqrt((1 - c^2) kT/m) xi, c = exp(-gamma dt);
 *   A: x += (dt/2) v;  F = F(x);  B: v += (dt/2) F/m.
 * Random numbers are Philox streams keyed by (seed, "md") with counter (step, atom), so a
 * trajectory is reproducible bit for bit. Not collective (one trajectory per rank).
 */
#ifndef PG_MD_H
#define PG_MD_H

#include <stdint.h>

#include "phonograph/pg_cell.h"
#include "phonograph/pg_status.h"
#include "phonograph/pg_units.h"

/* eV/amu in (Å/fs)^2, from phonopy 2.17's EV and AMU (pg_units.h) */
#define PG_EV_PER_AMU_ANG2_FS2 (PG_EV_SI / PG_AMU_SI * 1e-10)

/* Energy (eV) and forces (eV/Å, [n_atom][3]) of `cell`; ctx is the caller's. */
typedef pg_status_t (*pg_md_force_fn)(void *ctx, const pg_cell_t *cell, double *energy,
                                      double (*forces)[3]);

typedef enum { PG_MD_NVE = 0, PG_MD_LANGEVIN = 1 } pg_md_ensemble_t;

typedef struct {
    pg_md_ensemble_t ensemble;
    double dt_fs;          /* time step (fs) */
    double temp_k;         /* thermostat and initial-velocity temperature (K) */
    double friction_ps;    /* Langevin friction gamma (1/ps) */
    uint64_t seed;         /* random seed (velocities, thermostat noise) */
    uint64_t stream;       /* extra key, e.g. the trajectory index, so trajectories differ */
} pg_md_options_t;

typedef struct {
    pg_md_options_t opt;
    pg_cell_t cell;        /* current positions (owned copy; unwrapped) */
    double (*vel)[3];      /* [n_atom][3] Å/fs */
    double (*force)[3];    /* [n_atom][3] eV/Å at the current positions */
    double e_pot;          /* eV */
    int64_t step;
    pg_md_force_fn fn;
    void *ctx;
} pg_md_t;

/* Copy the cell, draw Maxwell-Boltzmann velocities at opt->temp_k (zero total momentum),
 * evaluate the initial forces. Errors: PG_ERR_INPUT (dt <= 0, T < 0, gamma < 0), force errors. */
pg_status_t pg_md_init(pg_md_t *md, const pg_cell_t *cell, const pg_md_options_t *opt,
                       pg_md_force_fn fn, void *ctx);
void pg_md_free(pg_md_t *md);
/* Advance n steps. Errors from the force callback; PG_ERR_NUMERIC on non-finite energy. */
pg_status_t pg_md_run(pg_md_t *md, int64_t n);
/* Kinetic energy (eV) and instantaneous temperature (K, 3N-3 degrees of freedom). */
double pg_md_kinetic(const pg_md_t *md);
double pg_md_temperature(const pg_md_t *md);

#endif
