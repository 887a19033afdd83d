/* pg_relax.h - structure relaxation with the PRV-CAP-1 potential, and its bulk modulus.
 *
 * Modes:
 *   cubic      isotropic scaling of the cell with fractional coordinates fixed: a 1-D root
 *              find of σ_h(s) = 0 (bracketing + Brent). For a cubic Pm-3m cell this is the
 *              complete relaxation (every internal coordinate is fixed by symmetry), and it
 *              reaches |σ_h| below 1e-6 GPa in ~10 evaluations.
 *   positions  FIRE (Bitzek et al., PRL 97, 170201 (2006)) on the atomic positions, cell fixed.
 *   full       FIRE on positions and cell together: degrees of freedom are positions u in the
 *              reference frame and the deformation gradient D (cell = cell0·D, r = u·D,
 *              row vectors), generalised forces F·Dᵀ and -V D⁻ᵀ σ / N (ASE's UnitCellFilter
 *              construction with cell factor N).
 * Converged when max_i |F_i| < fmax_ev_ang (positions, full) and max_ab |σ_ab| < smax_gpa
 * (full) or |σ_h| < smax_gpa (cubic). Stress sign: σ = (1/V) ∂E/∂ε (pg_units.h).
 *
 * Symmetry constraint (positions, full): with opts.sym set, the forces and the stress are
 * averaged over the space group before every FIRE step,
 *     F'_j = (1/|G|) Σ_g R_g F_{g⁻¹(j)},    σ' = (1/|G|) Σ_g R_g σ R_gᵀ,
 * so a symmetric start stays symmetric: atoms keep their Wyckoff positions and the cell keeps
 * its lattice system (a cubic cell stays cubic even where the unconstrained minimum is
 * distorted: the cubic phase of Ag3SBr is a saddle point, LABELER.md §7). The Cartesian
 * rotations stay valid because the deformation gradient commutes with them. Convergence is
 * judged on the symmetrised forces and stress.
 * Not collective; deterministic.
 */
#ifndef PG_RELAX_H
#define PG_RELAX_H

#include "phonograph/pg_cell.h"
#include "phonograph/pg_potential.h"
#include "phonograph/pg_status.h"

typedef enum { PG_RELAX_NONE = 0, PG_RELAX_CUBIC, PG_RELAX_POSITIONS, PG_RELAX_FULL } pg_relax_mode_t;

/* Space-group constraint for FIRE (plain arrays, caller-owned; build it from pg_symmetry_t
 * with pg_symmetry_atom_map and pg_symmetry_cart_rotation). */
typedef struct {
    int n_op;                       /* operations of the cell's space group */
    int64_t n_atom;                 /* atoms of the cell it was built for */
    const double (*rot_cart)[3][3]; /* [n_op] Cartesian rotations R (r' = R r, column vectors) */
    const int64_t *atom_map;        /* [n_op * n_atom] operation g maps atom i to atom_map[g n + i] */
} pg_relax_sym_t;

struct pg_relax_info;
/* Progress callback: called after every evaluation with the state so far. */
typedef void (*pg_relax_progress_fn)(void *ctx, const struct pg_relax_info *info);

typedef struct {
    pg_relax_mode_t mode;
    double fmax_ev_ang; /* force tolerance (eV/Å), positions and full modes */
    double smax_gpa;    /* stress tolerance (GPa): |σ_h| (cubic) or max |σ_ab| (full) */
    int max_steps;      /* FIRE steps or root-finder evaluations */
    const pg_relax_sym_t *sym;     /* NULL: unconstrained; else symmetrise (positions, full) */
    pg_relax_progress_fn progress; /* NULL or called after each evaluation */
    void *progress_ctx;
} pg_relax_opts_t;

typedef struct pg_relax_info {
    int converged;         /* 1 if the tolerances were met */
    int n_steps;           /* FIRE steps / root-finder evaluations done */
    double energy;         /* final total energy (eV) */
    double max_force;      /* final max |F_i| (eV/Å) */
    double max_stress_gpa; /* final max |σ_ab| (GPa) */
    double sigma_h_gpa;    /* final σ_h (GPa) */
} pg_relax_info_t;

/* Defaults: full mode, fmax 1e-4 eV/Å, smax 1e-6 GPa, 2000 steps, no symmetry constraint,
 * no progress callback. */
void pg_relax_opts_default(pg_relax_opts_t *opts);
/* Parse "none|cubic|positions|full". Errors: PG_ERR_INPUT. */
pg_status_t pg_relax_mode_parse(const char *word, pg_relax_mode_t *mode);

/* Relax cell in place. Not reaching the tolerances within max_steps is NOT an error: check
 * info->converged (callers decide). Errors: those of pg_potential_compute, PG_ERR_NUMERIC
 * (no bracket of σ_h = 0 found in cubic mode, non-finite state), PG_ERR_INPUT (opts.sym built
 * for another number of atoms, an atom map out of range), PG_ERR_NOMEM. */
pg_status_t pg_relax(pg_potential_t *pot, const pg_relax_opts_t *opts, pg_cell_t *cell,
                     pg_relax_info_t *info);

/* Bulk modulus by the spec's finite-difference definition (LABELER.md §3.4): pressures
 * P = -σ_h at isotropic linear strains ±h (h = 0.002) of cell, B = -V0 (P₊ - P₋)/(V₊ - V₋)
 * in GPa. cell should be relaxed first. Errors: those of pg_potential_compute. */
pg_status_t pg_relax_bulk_modulus(pg_potential_t *pot, const pg_cell_t *cell, double *b_gpa);

#endif
