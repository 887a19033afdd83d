/* pg_potential.h - the PRV-CAP-1 interatomic potential (../shared/physics/LABELER.md §3, §4).
 *
 * Rigid-ion pair potential of Parrinello-Rahman-Vashishta form for Ag-(S,Se)-(Br,I):
 *     E = Σ_{i<j, images} φ^SF_ij(r)  +  E_Coulomb
 *     φ_ij(r) = H_ij / r^η_ij - P_ij / r^4        (W_ij = 0 for every pair of the model)
 * The short-range part is shifted-force truncated at cutoff_sr_ang (default 10 Å):
 *     φ^SF(r) = φ(r) - φ(r_c) - (r - r_c) φ'(r_c)   for r < r_c
 * and summed over ALL periodic images (cells smaller than 2 r_c are exact). The Coulomb part
 * (charges Z_i, k_e = PG_COULOMB_EV_ANG) is an Ewald sum with tin-foil boundary conditions,
 * α = sqrt(-ln ε)/r_c from the requested accuracy ε; its reciprocal part is either the plain
 * sum over |k| < k_c = 2 α sqrt(-ln ε) (O(N²) at fixed r_c) or smooth particle-mesh Ewald
 * (B-splines + own 3D FFT, O(N log N), mesh and order chosen from ε; src/label/pme.c). The
 * choice is opts.coulomb; auto takes PME from PG_COULOMB_PME_MIN_ATOMS atoms on.
 *
 * Outputs: total energy (eV), forces F = -∂E/∂r (eV/Å) and the full stress tensor with ASE's
 * sign, σ_ab = (1/V) ∂E/∂ε_ab (eV/Å³; tensile positive; see pg_units.h), for any periodic
 * cell shape. Summation order is fixed (by atom, then neighbour-list order, then k-vector or
 * mesh point), so
 * results are bitwise reproducible for a given input.
 *
 * Rejected input (PG_ERR_INPUT): species other than Ag, S, Se, Br, I; a non-neutral cell;
 * two atoms (or an atom and its own image) closer than PG_POTENTIAL_MIN_DIST_ANG.
 */
#ifndef PG_POTENTIAL_H
#define PG_POTENTIAL_H

#include <stdint.h>

#include "phonograph/pg_cell.h"
#include "phonograph/pg_status.h"

#define PG_POTENTIAL_MIN_DIST_ANG 1.0 /* spec §6.1: closer atoms are rejected */

/* Reciprocal-space method of the Coulomb sum (deck key [labeler] coulomb). */
typedef enum {
    PG_COULOMB_AUTO = 0, /* Ewald below PG_COULOMB_PME_MIN_ATOMS atoms, PME from there on */
    PG_COULOMB_EWALD = 1,
    PG_COULOMB_PME = 2,
} pg_coulomb_t;

/* Atom count from which coulomb = auto uses PME (measured: bench/potential.sh, the crossover of
 * the two at the default ε = 1e-10 and cutoff 10 Å; docs/performance.md "## Potential"). */
#define PG_COULOMB_PME_MIN_ATOMS 250

/* Parse "auto", "ewald", "pme" (case-insensitive). Errors: PG_ERR_INPUT. */
pg_status_t pg_coulomb_parse(const char *word, pg_coulomb_t *out);

/* Evaluation settings (deck section [labeler], table pg_deck_keys_labeler). */
typedef struct {
    double ewald_accuracy;   /* ε of spec §4 (dimensionless, default 1e-10) */
    double cutoff_sr_ang;    /* shifted-force cutoff of the short-range part (Å, default 10) */
    double cutoff_ewald_ang; /* real-space cutoff r_c of the Ewald sum (Å, default 10) */
    int64_t max_edges;       /* memory cap for the neighbour list (0 = none) */
    pg_coulomb_t coulomb;    /* reciprocal method (default auto) */
} pg_potential_opts_t;

/* The spec defaults: ε = 1e-10, both cutoffs 10 Å, no edge cap, coulomb auto. */
void pg_potential_opts_default(pg_potential_opts_t *opts);

/* Parameters of one pair (symmetric in the two species). */
typedef struct {
    double h;   /* H (eV Å^η) */
    int eta;    /* η */
    double p;   /* P (eV Å^4) */
    double w;   /* W (eV Å^6), 0 for PRV-CAP-1 */
} pg_potential_pair_t;

/* Charge (e) of atomic number z. Errors: PG_ERR_INPUT for a species outside the model. */
pg_status_t pg_potential_charge(int z, double *charge_e);
/* Pair parameters of atomic numbers zi, zj. Errors: PG_ERR_INPUT as above. */
pg_status_t pg_potential_pair(int zi, int zj, pg_potential_pair_t *pair);

/* Energy split and stress of one evaluation. */
typedef struct {
    double energy;          /* total (eV) */
    double energy_sr;       /* shifted-force short-range part (eV) */
    double energy_coulomb;  /* Ewald: real + reciprocal + self (eV) */
    double stress[3][3];    /* σ_ab = (1/V) ∂E/∂ε_ab (eV/Å³, ASE sign) */
    int64_t n_edge;         /* directed neighbour edges used (diagnostic) */
    int64_t n_kvec;         /* half-space k-vectors (Ewald) or mesh points (PME) used */
    pg_coulomb_t coulomb;   /* the method used: PG_COULOMB_EWALD or PG_COULOMB_PME */
    int pme_order;          /* PME B-spline order p (0 for Ewald) */
    int pme_mesh[3];        /* PME mesh K_1, K_2, K_3 (0 for Ewald) */
    double t_neighbor_s;    /* wall time of the neighbour list (s, diagnostic) */
    double t_pairs_s;       /* wall time of the pair loop: short range + real-space Ewald (s) */
    double t_recip_s;       /* wall time of the reciprocal sum, Ewald or PME (s) */
} pg_potential_result_t;

/* Evaluator with reusable scratch (grows on demand). Not thread-safe: one per thread. */
typedef struct pg_potential pg_potential_t;

/* Errors: PG_ERR_INPUT (ε outside (0, 1), cutoffs <= 0), PG_ERR_NOMEM. */
pg_status_t pg_potential_create(const pg_potential_opts_t *opts, pg_potential_t **out);
void pg_potential_destroy(pg_potential_t **pot);
const pg_potential_opts_t *pg_potential_opts(const pg_potential_t *pot);

/* Energy, forces (if forces != NULL; caller-owned [n_atom][3], eV/Å) and stress of cell.
 * Not collective. Errors: PG_ERR_INPUT (species, charge neutrality, close atoms, singular
 * cell, non-finite coordinates; the message names the atoms), PG_ERR_NOMEM. */
pg_status_t pg_potential_compute(pg_potential_t *pot, const pg_cell_t *cell,
                                 pg_potential_result_t *res, double (*forces)[3]);

/* ---- Ewald sum of arbitrary point charges (used by the potential; public for tests) ---- */

/* α (Å⁻¹) and k_c (Å⁻¹) of spec §4 for accuracy ε and real-space cutoff r_c (Å). */
void pg_ewald_params(double accuracy, double rc_ang, double *alpha, double *kc);

/* Coulomb energy k_e Σ_{i<j,images} q_i q_j / r (eV) of a neutral periodic cell of point
 * charges q (e) at Cartesian positions pos (Å), by Ewald summation with parameters alpha, kc
 * (real space: every pair image closer than rc_ang). Forces (optional, [n][3], eV/Å) and
 * stress (optional, eV/Å³, ASE sign). Not collective.
 * Errors: PG_ERR_INPUT (singular cell, non-neutral charges), PG_ERR_NOMEM. */
pg_status_t pg_ewald_compute(const double lattice[3][3], int64_t n, const double (*pos)[3],
                             const double *q, double alpha, double rc_ang, double kc,
                             double *energy, double (*forces)[3], double stress[3][3]);

#endif
