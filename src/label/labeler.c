/* labeler.c - the embedded labeler (LABELER.md §6): PRV-CAP-1 energy/forces/stress and, when
 * built in, TB-CAP-1 band edges; the [labeler] deck section. */
#include "phonograph/pg_labeler.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "phonograph/pg_units.h"

#define NOLIMIT 1.0, 0.0 /* min > max: no range check */

const pg_deck_key_t pg_deck_keys_labeler[] = {
    {"labeler", "labels", PG_DECK_WORDS, "energy stress gap", NOLIMIT, 1, 4, NULL, NULL,
     "labels to compute: energy (E/atom), forces, stress (tensor and sigma_h), gap (TB gap, VBM, "
     "CBM)"},
    {"labeler", "ewald_accuracy", PG_DECK_REAL, "1e-10", 1e-16, 1e-3, 0, 0, NULL, NULL,
     "Ewald accuracy eps: alpha = sqrt(-ln eps)/cutoff_ewald, k_c = 2 alpha sqrt(-ln eps)"},
    {"labeler", "cutoff_sr", PG_DECK_REAL, "10", 2.0, 50.0, 0, 0, "Å", NULL,
     "shifted-force cutoff of the PRV short-range pairs (the spec's model uses 10 Å)"},
    {"labeler", "cutoff_ewald", PG_DECK_REAL, "10", 2.0, 50.0, 0, 0, "Å", NULL,
     "real-space cutoff of the Ewald sum (sets alpha with ewald_accuracy)"},
    {"labeler", "coulomb", PG_DECK_CHOICE, "auto", NOLIMIT, 0, 0, NULL, "auto|ewald|pme",
     "reciprocal Coulomb sum: ewald (plain, O(N^2)), pme (smooth particle-mesh, O(N log N)), "
     "auto (ewald below 250 atoms, pme from 250 on); both honour ewald_accuracy"},
    {"labeler", "tb_group_size", PG_DECK_INT, "1", 1, 4096, 0, 0, NULL, NULL,
     "ranks per tight-binding eigen-solve (1: LAPACK per rank; >1: ScaLAPACK on a group)"},
    {"labeler", "relax", PG_DECK_CHOICE, "cubic", NOLIMIT, 0, 0, NULL,
     "none|cubic|positions|full",
     "relaxation done by `phonograph fc --deck` (cubic: lattice constant only); the relax stage "
     "of a run uses [relax]"},
    {"labeler", "relax_fmax", PG_DECK_REAL, "1e-4", 1e-9, 10.0, 0, 0, "eV/Å", NULL,
     "force tolerance of the relaxation (positions, full)"},
    {"labeler", "relax_smax", PG_DECK_REAL, "1e-6", 1e-12, 10.0, 0, 0, "GPa", NULL,
     "stress tolerance of the relaxation: |sigma_h| (cubic) or max |sigma_ab| (full)"},
    {"labeler", "relax_max_steps", PG_DECK_INT, "2000", 1, 10000000, 0, 0, NULL, NULL,
     "maximum FIRE steps or root-finder evaluations"},
    {"labeler", "fc_displacement", PG_DECK_REAL, "0.01", 1e-4, 0.2, 0, 0, "Å", NULL,
     "finite-displacement amplitude of the force constants (phonopy's default 0.01 Å)"},
    PG_DECK_KEYS_END,
};

static const char *const label_words[] = {"energy", "forces", "stress", "gap"};

static int label_bit(const char *w)
{
    for (int k = 0; k < 4; k++)
        if (!strcasecmp(w, label_words[k])) return 1 << k;
    return 0;
}

/* cross-key check (listed in src/core/deck_keys.c): every word of labels is known */
void pg_labeler_check_deck(const pg_deck_t *d, pg_deck_report_t *r)
{
    const char *const *w = NULL;
    int n = 0;
    if (pg_deck_get_words(d, "labeler", "labels", &w, &n) != PG_OK) {
        pg_err_clear();
        return;
    }
    for (int k = 0; k < n; k++)
        if (!label_bit(w[k]))
            pg_deck_report(r, "labeler", "labels",
                           "labels expects words out of energy, forces, stress, gap, found \"%s\"",
                           w[k]);
}

void pg_labeler_opts_default(pg_labeler_opts_t *opts)
{
    memset(opts, 0, sizeof *opts);
    pg_potential_opts_default(&opts->potential);
    opts->labels = PG_LABEL_ENERGY | PG_LABEL_STRESS | PG_LABEL_GAP;
    opts->tb_group_size = 1;
    pg_tb_options_default(&opts->tb);
    pg_relax_opts_default(&opts->relax);
    opts->relax.mode = PG_RELAX_CUBIC;
    opts->fc_displacement_ang = 0.01;
}

pg_status_t pg_labeler_opts_from_deck(const pg_deck_t *deck, pg_labeler_opts_t *opts)
{
    pg_labeler_opts_default(opts);
    const char *const *w = NULL;
    const char *s = NULL;
    int n = 0;
    int64_t v = 0;
    PG_CHECK(pg_deck_get_words(deck, "labeler", "labels", &w, &n));
    opts->labels = 0;
    for (int k = 0; k < n; k++) {
        const int bit = label_bit(w[k]);
        PG_REQUIRE(bit, PG_ERR_INPUT,
                   "%s: labels expects words out of energy, forces, stress, gap, found \"%s\"",
                   pg_deck_where(deck, "labeler", "labels"), w[k]);
        opts->labels |= (unsigned)bit;
    }
    PG_CHECK(pg_deck_get_real(deck, "labeler", "ewald_accuracy", &opts->potential.ewald_accuracy));
    PG_CHECK(pg_deck_get_real(deck, "labeler", "cutoff_sr", &opts->potential.cutoff_sr_ang));
    PG_CHECK(pg_deck_get_real(deck, "labeler", "cutoff_ewald", &opts->potential.cutoff_ewald_ang));
    PG_CHECK(pg_deck_get_string(deck, "labeler", "coulomb", &s));
    PG_CHECK(pg_coulomb_parse(s, &opts->potential.coulomb));
    PG_CHECK(pg_deck_get_int(deck, "labeler", "tb_group_size", &v));
    opts->tb_group_size = (int)v;
    PG_CHECK(pg_tb_options_from_deck(deck, &opts->tb));
    PG_CHECK(pg_deck_get_string(deck, "labeler", "relax", &s));
    PG_CHECK(pg_relax_mode_parse(s, &opts->relax.mode));
    PG_CHECK(pg_deck_get_real(deck, "labeler", "relax_fmax", &opts->relax.fmax_ev_ang));
    PG_CHECK(pg_deck_get_real(deck, "labeler", "relax_smax", &opts->relax.smax_gpa));
    PG_CHECK(pg_deck_get_int(deck, "labeler", "relax_max_steps", &v));
    opts->relax.max_steps = (int)v;
    PG_CHECK(pg_deck_get_real(deck, "labeler", "fc_displacement", &opts->fc_displacement_ang));
    return PG_OK;
}

int pg_labeler_has_tb(void) { return 1; }

struct pg_labeler {
    pg_labeler_opts_t opts;
    pg_potential_t *pot;
    int64_t cap_atom;
    double (*scratch)[3]; /* [cap_atom] forces when the caller gives no buffer */
};

pg_status_t pg_labeler_create(const pg_labeler_opts_t *opts, pg_labeler_t **out)
{
    *out = NULL;
    PG_REQUIRE(opts->labels != 0, PG_ERR_INPUT, "no labels requested");
    PG_REQUIRE(!(opts->labels & PG_LABEL_GAP) || pg_labeler_has_tb(), PG_ERR_INPUT,
               "the gap label needs the TB-CAP-1 tight-binding module, which this build lacks; "
               "drop `gap` from [labeler] labels");
    PG_REQUIRE(opts->tb_group_size >= 1, PG_ERR_INPUT, "tb_group_size must be >= 1, found %d",
               opts->tb_group_size);
    pg_labeler_t *lab = calloc(1, sizeof *lab);
    PG_REQUIRE(lab, PG_ERR_NOMEM, "labeler");
    lab->opts = *opts;
    pg_status_t st = pg_potential_create(&opts->potential, &lab->pot);
    if (st != PG_OK) {
        free(lab);
        pg_err_frame(__FILE__, __LINE__, __func__);
        return st;
    }
    *out = lab;
    return PG_OK;
}

void pg_labeler_destroy(pg_labeler_t **lab)
{
    if (!lab || !*lab) return;
    pg_potential_destroy(&(*lab)->pot);
    free((*lab)->scratch);
    free(*lab);
    *lab = NULL;
}

const pg_labeler_opts_t *pg_labeler_opts(const pg_labeler_t *lab) { return &lab->opts; }
pg_potential_t *pg_labeler_potential(pg_labeler_t *lab) { return lab->pot; }

pg_status_t pg_labeler_label(pg_labeler_t *lab, const pg_cell_t *cell, MPI_Comm group,
                             pg_labels_t *out, double (*forces)[3])
{
    memset(out, 0, sizeof *out);
    out->n_atom = cell->n_atom;
    const unsigned want = lab->opts.labels;
    if (want & (PG_LABEL_ENERGY | PG_LABEL_FORCES | PG_LABEL_STRESS) || forces) {
        double(*f)[3] = forces;
        if (!f && (want & PG_LABEL_FORCES)) {
            if (cell->n_atom > lab->cap_atom) {
                free(lab->scratch);
                lab->cap_atom = 0;
                lab->scratch = malloc(sizeof *lab->scratch * (size_t)cell->n_atom);
                PG_REQUIRE(lab->scratch, PG_ERR_NOMEM, "forces of %lld atoms",
                           (long long)cell->n_atom);
                lab->cap_atom = cell->n_atom;
            }
            f = lab->scratch;
        }
        pg_potential_result_t r;
        PG_CHECK(pg_potential_compute(lab->pot, cell, &r, f));
        out->energy_ev = r.energy;
        out->energy_per_atom_ev = r.energy / (double)cell->n_atom;
        out->energy_sr_ev = r.energy_sr;
        out->energy_coulomb_ev = r.energy_coulomb;
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) out->stress_gpa[a][b] = r.stress[a][b] * PG_EV_ANG3_TO_GPA;
        out->sigma_h_gpa = (out->stress_gpa[0][0] + out->stress_gpa[1][1] + out->stress_gpa[2][2]) / 3.0;
        out->labels |= want & (PG_LABEL_ENERGY | PG_LABEL_STRESS);
        if (f) {
            double m = 0.0;
            for (int64_t i = 0; i < cell->n_atom; i++)
                m = fmax(m, sqrt(f[i][0] * f[i][0] + f[i][1] * f[i][1] + f[i][2] * f[i][2]));
            out->max_force_ev_ang = m;
            out->labels |= PG_LABEL_FORCES;
        }
    }
    if (want & PG_LABEL_GAP) { /* TB-CAP-1, collective on group (pg_tb.h) */
        pg_tb_result_t tb;
        PG_CHECK(pg_tb_band_edges(cell, group, &lab->opts.tb, &tb));
        out->gap_ev = tb.gap_ev;
        out->vbm_ev = tb.vbm_ev;
        out->cbm_ev = tb.cbm_ev;
        out->near_metallic = tb.near_metallic;
        out->labels |= PG_LABEL_GAP;
    }
    return PG_OK;
}

pg_status_t pg_labeler_relax(pg_labeler_t *lab, pg_cell_t *unit, pg_relax_info_t *info)
{
    PG_CHECK(pg_relax(lab->pot, &lab->opts.relax, unit, info));
    PG_REQUIRE(info->converged, PG_ERR_NUMERIC,
               "relaxation (%s) did not converge in %d steps: max |F| %.3g eV/Å, sigma_h %.3g GPa, "
               "max |sigma| %.3g GPa",
               lab->opts.relax.mode == PG_RELAX_CUBIC ? "cubic" : "FIRE", info->n_steps,
               info->max_force, info->sigma_h_gpa, info->max_stress_gpa);
    return PG_OK;
}

pg_status_t pg_labeler_force_constants(pg_labeler_t *lab, MPI_Comm comm,
                                       const pg_cell_t *supercell, double symprec, pg_fc_t *fc,
                                       pg_fdfc_info_t *info)
{
    PG_CHECK(pg_fdfc_compute(comm, lab->pot, supercell, lab->opts.fc_displacement_ang, symprec, fc,
                             info));
    return PG_OK;
}
