/* pg_labeler.h - the embedded labeler: labels of one configuration (LABELER.md §6).
 *
 * Stands in for DFT. For a periodic cell of Ag, S, Se, Br, I it returns
 *   energy per atom (eV/atom; total energy incl. Coulomb on the model's absolute scale, not
 *     referenced to the ideal crystal), forces (eV/Å), the stress tensor and
 *     σ_h = tr(σ)/3 (GPa, σ = (1/V) ∂E/∂ε: tensile positive, pressure P = -σ_h)
 *   from the PRV-CAP-1 potential (pg_potential.h), and
 *   band gap, VBM, CBM (eV) from the TB-CAP-1 tight-binding model when the TB module is built
 *     in (pg_labeler_has_tb() reports it; requesting `gap` without it is an input error).
 * Nothing is clipped or renormalised.
 *
 * Configured from the deck section [labeler] (table pg_deck_keys_labeler, documented in
 * docs/deck.md) or directly with pg_labeler_opts_t.
 */
#ifndef PG_LABELER_H
#define PG_LABELER_H

#include <mpi.h>
#include <stdint.h>

#include "phonograph/pg_cell.h"
#include "phonograph/pg_deck.h"
#include "phonograph/pg_fdfc.h"
#include "phonograph/pg_potential.h"
#include "phonograph/pg_relax.h"
#include "phonograph/pg_status.h"
#include "phonograph/pg_tb.h"

/* which labels to compute (bit mask) */
enum {
    PG_LABEL_ENERGY = 1 << 0, /* energy, energy per atom */
    PG_LABEL_FORCES = 1 << 1, /* forces */
    PG_LABEL_STRESS = 1 << 2, /* stress tensor and σ_h */
    PG_LABEL_GAP = 1 << 3     /* TB gap, VBM, CBM */
};

typedef struct {
    pg_potential_opts_t potential; /* Ewald accuracy and cutoffs */
    unsigned labels;               /* PG_LABEL_* mask */
    int tb_group_size;             /* ranks per TB eigen-solve (ScaLAPACK when > 1) */
    pg_tb_options_t tb;            /* TB solver options ([tightbinding] section, pg_tb.h) */
    pg_relax_opts_t relax;         /* relaxation by `phonograph fc` ([labeler] relax*) */
    double fc_displacement_ang;    /* finite-displacement amplitude (Å) */
} pg_labeler_opts_t;

/* Defaults (those of the deck table): ε 1e-10, cutoffs 10 Å, labels energy+stress+gap,
 * group size 1, relax cubic to |σ_h| < 1e-6 GPa, displacement 0.01 Å. (Whether force
 * constants are computed or read is [phonons] fc_source, not a labeler option.) */
void pg_labeler_opts_default(pg_labeler_opts_t *opts);
/* Read the [labeler] section. Errors: PG_ERR_INPUT naming deck file:line for an unknown label
 * word; deck getter errors. */
pg_status_t pg_labeler_opts_from_deck(const pg_deck_t *deck, pg_labeler_opts_t *opts);

/* 1 if this build carries the tight-binding model (gap, VBM, CBM). */
int pg_labeler_has_tb(void);

typedef struct pg_labeler pg_labeler_t;

/* Errors: PG_ERR_INPUT (bad options, gap requested without TB), PG_ERR_NOMEM. Not collective. */
pg_status_t pg_labeler_create(const pg_labeler_opts_t *opts, pg_labeler_t **out);
void pg_labeler_destroy(pg_labeler_t **lab);
const pg_labeler_opts_t *pg_labeler_opts(const pg_labeler_t *lab);
/* The potential evaluator inside (for relaxation and force constants). */
pg_potential_t *pg_labeler_potential(pg_labeler_t *lab);

typedef struct {
    int64_t n_atom;
    unsigned labels;            /* which of the fields below were computed (PG_LABEL_*) */
    double energy_ev;           /* total energy (eV) */
    double energy_per_atom_ev;  /* label: energy per atom (eV/atom) */
    double energy_sr_ev;        /* short-range part (eV) */
    double energy_coulomb_ev;   /* Coulomb part (eV) */
    double stress_gpa[3][3];    /* σ_ab (GPa, ASE sign) */
    double sigma_h_gpa;         /* label: hydrostatic stress (GPa, spec sign) */
    double max_force_ev_ang;    /* max_i |F_i| (eV/Å) */
    double gap_ev, vbm_ev, cbm_ev; /* TB labels (eV) */
    int near_metallic;          /* TB gap < 1e-6 eV (labels still reported, not clipped) */
} pg_labels_t;

/* Label one configuration. forces: optional caller-owned [n_atom][3] (eV/Å; computed whenever
 * given). group: the communicator of the TB eigen-solve (MPI_COMM_SELF: this rank alone);
 * collective on group when `gap` is requested (every rank of group passes the same cell and
 * gets the same labels), otherwise not collective. Errors: those of pg_potential_compute and
 * of the TB module. */
pg_status_t pg_labeler_label(pg_labeler_t *lab, const pg_cell_t *cell, MPI_Comm group,
                             pg_labels_t *out, double (*forces)[3]);

/* ---- phonon helpers ([labeler] relax*, fc_displacement) ---- */

/* Relax `unit` in place with the labeler's potential and opts.relax (cubic by default: the
 * lattice constant of a cubic cell; `none` only evaluates). Deterministic, so every rank of a
 * run may call it on the same cell and obtain the same bits. Not collective.
 * Errors: those of pg_relax; PG_ERR_NUMERIC if the tolerances were not met. */
pg_status_t pg_labeler_relax(pg_labeler_t *lab, pg_cell_t *unit, pg_relax_info_t *info);

/* Finite-displacement force constants of `supercell` (phonopy atom order) with the labeler's
 * potential and opts.fc_displacement_ang (pg_fdfc.h). Collective on comm. */
pg_status_t pg_labeler_force_constants(pg_labeler_t *lab, MPI_Comm comm,
                                       const pg_cell_t *supercell, double symprec, pg_fc_t *fc,
                                       pg_fdfc_info_t *info);

/* Deck keys of section [labeler]. */
extern const pg_deck_key_t pg_deck_keys_labeler[];

#endif
