/* stage_sample.c - `phonograph sample DECK` and the sample stage: [sample] deck keys, sampler
 * set-up from the supercell and force constants, labeler, task farm into the dataset file. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver/structure_input.h"
#include "phonograph/pg_cli.h"
#include "phonograph/pg_dataset.h"
#include "phonograph/pg_deck.h"
#include "phonograph/pg_element.h"
#include "phonograph/pg_farm.h"
#include "phonograph/pg_forceconst.h"
#include "phonograph/pg_labeler.h"
#include "phonograph/pg_log.h"
#include "phonograph/pg_par.h"
#include "phonograph/pg_poscar.h"
#include "phonograph/pg_potential.h"
#include "phonograph/pg_run.h"
#include "phonograph/pg_sample.h"
#include "driver/fc_load.h"
#include "driver/produce.h"
#include "driver/stage_sample.h"
#include "phonograph/pg_stop.h"
#include "phonograph/pg_supercell.h"
#include "phonograph/pg_units.h"

#define NOLIMIT 1.0, 0.0

const pg_deck_key_t pg_deck_keys_sample[] = {
    {"sample", "sampler", PG_DECK_CHOICE, "phonon", NOLIMIT, 0, 0, NULL, "phonon|random",
     "phonon-informed (harmonic modes at temperature) or random displacements (baseline)"},
    {"sample", "force_constants", PG_DECK_PATH, "", NOLIMIT, 0, 0, NULL, NULL,
     "supercell force constants (phonopy force_constants.hdf5 or FORCE_CONSTANTS, full or "
     "compact) for the phonon sampler; if unset, those the phonons stage used "
     "(<output_dir>/force_constants.hdf5)"},
    {"sample", "temperatures", PG_DECK_REALS, "150 300 450 600", 0, 1e5, 1, 0, "K", NULL,
     "temperatures of the phonon sampler (the paper group: 150 300 450 600)"},
    {"sample", "configurations", PG_DECK_INT, "150", 1, 1e9, 0, 0, NULL, NULL,
     "configurations per temperature (phonon) or per amplitude (random)"},
    {"sample", "statistics", PG_DECK_CHOICE, "quantum", NOLIMIT, 0, 0, NULL, "quantum|classical",
     "mode variance hbar/omega (n+1/2) (quantum, phonopy's default) or k_B T/omega^2"},
    {"sample", "imaginary_modes", PG_DECK_CHOICE, "shift", NOLIMIT, 0, 0, NULL, "shift|abs|skip",
     "imaginary modes: |nu| then +1 THz below 0.5 THz (phonopy's rule) | |nu| | not sampled"},
    {"sample", "cutoff_frequency", PG_DECK_REAL, "0.01", 1e-6, 10, 0, 0, "THz", NULL,
     "modes with |nu| at or below this are not sampled (the acoustic translations)"},
    {"sample", "distribution", PG_DECK_CHOICE, "gaussian", NOLIMIT, 0, 0, NULL,
     "gaussian|uniform|paper",
     "random sampler: N(0,A^2) per component | uniform in a ball of radius A | U(0,A) per "
     "component (the paper group's scripts)"},
    {"sample", "amplitudes", PG_DECK_REALS, "0.2 0.4 0.6 0.8", 0, 10, 1, 0, "Å", NULL,
     "amplitudes A of the random sampler (docs/dataset.md defines A per distribution)"},
    {"sample", "strain", PG_DECK_REAL, "0", 0, 0.2, 0, 0, NULL, NULL,
     "maximum homogeneous strain: each of the 6 components ~ U(-strain, strain); 0 = none"},
    {"sample", "min_distance", PG_DECK_REAL, "0", 0, 10, 0, 0, "Å", NULL,
     "guard: redraw configurations with two atoms closer than this (0 = off)"},
    {"sample", "max_displacement", PG_DECK_REAL, "0", 0, 10, 0, 0, "Å", NULL,
     "guard: redraw configurations with an atom displaced further than this (0 = off)"},
    {"sample", "max_attempts", PG_DECK_INT, "100", 1, 1e6, 0, 0, NULL, NULL,
     "draws per configuration before the run stops with an error"},
    {"sample", "disorder", PG_DECK_WORDS, "", NOLIMIT, 2, 2, NULL, NULL,
     "chemical disorder: `From To` (e.g. `Br I`) substitutes species From by To"},
    {"sample", "disorder_x", PG_DECK_REAL, "0", 0, 1, 0, 0, NULL, NULL,
     "fraction of the From sites substituted in every configuration"},
    {"sample", "vegard", PG_DECK_REALS, "", 0.1, 100, 2, 2, "Å", NULL,
     "lattice constants of the pure From and To end members: the cell is scaled by "
     "((1-x) a_From + x a_To) / a_From (Vegard)"},
    {"sample", "lattice_scale", PG_DECK_REAL, "1", 0.5, 2, 0, 0, NULL, NULL,
     "isotropic scale of the reference cell (ignored when vegard is given)"},
    {"sample", "labeler", PG_DECK_CHOICE, "embedded", NOLIMIT, 0, 0, NULL,
     "embedded|potential|none",
     "labels: the embedded labeler ([labeler] section: PRV-CAP-1 energy/forces/stress + TB gap "
     "and VBM), the potential alone (gap/VBM NaN), or none (all NaN)"},
    {"sample", "output", PG_DECK_STRING, "dataset.h5", NOLIMIT, 0, 0, NULL, NULL,
     "dataset file name inside [run] output_dir"},
    {"sample", "graphs", PG_DECK_BOOL, "true", NOLIMIT, 0, 0, NULL, NULL,
     "store the crystal graphs ([graph] section, its defaults if absent) in the dataset's "
     "/graphs once every configuration is done"},
    {"sample", "batch", PG_DECK_INT, "4", 1, 1e6, 0, 0, NULL, NULL,
     "configurations per task-farm batch"},
    {"sample", "batches_per_rank", PG_DECK_INT, "4", 1, 1e6, 0, 0, NULL, NULL,
     "batches per rank between collective writes (flush interval)"},
    PG_DECK_KEYS_END,
};

/* ---- labelers ------------------------------------------------------------------------- */
static pg_status_t label_potential(void *ctx, const pg_cell_t *cell, pg_dataset_batch_t *b,
                                   int64_t j)
{
    pg_potential_t *pot = ctx;
    pg_potential_result_t r;
    double(*f)[3] = (double(*)[3])(b->forces + 3 * b->n_atom * j);
    PG_CHECK(pg_potential_compute(pot, cell, &r, f));
    b->energy[j] = r.energy;
    b->energy_per_atom[j] = r.energy / (double)cell->n_atom;
    b->gap[j] = NAN; /* the tight-binding labeler is not wired in yet */
    b->vbm[j] = NAN;
    double tr = 0;
    for (int a = 0; a < 3; a++)
        for (int c = 0; c < 3; c++) {
            b->stress[9 * j + 3 * a + c] = r.stress[a][c] * PG_EV_ANG3_TO_GPA;
            if (a == c) tr += r.stress[a][c] * PG_EV_ANG3_TO_GPA;
        }
    b->hydrostatic[j] = tr / 3.0;
    return PG_OK;
}

static pg_status_t label_embedded(void *ctx, const pg_cell_t *cell, pg_dataset_batch_t *b,
                                  int64_t j)
{
    pg_labeler_t *lab = ctx;
    pg_labels_t r;
    double(*f)[3] = (double(*)[3])(b->forces + 3 * b->n_atom * j);
    PG_CHECK(pg_labeler_label(lab, cell, MPI_COMM_SELF, &r, f));
    b->energy[j] = (r.labels & PG_LABEL_ENERGY) ? r.energy_ev : NAN;
    b->energy_per_atom[j] = (r.labels & PG_LABEL_ENERGY) ? r.energy_per_atom_ev : NAN;
    b->gap[j] = (r.labels & PG_LABEL_GAP) ? r.gap_ev : NAN;
    b->vbm[j] = (r.labels & PG_LABEL_GAP) ? r.vbm_ev : NAN;
    const int has_stress = (r.labels & PG_LABEL_STRESS) != 0;
    b->hydrostatic[j] = has_stress ? r.sigma_h_gpa : NAN;
    for (int a = 0; a < 3; a++)
        for (int c = 0; c < 3; c++) b->stress[9 * j + 3 * a + c] = has_stress ? r.stress_gpa[a][c] : NAN;
    return PG_OK;
}

/* ---- set-up ---------------------------------------------------------------------------- */
static pg_status_t mkdir_p(const char *path)
{
    char buf[4096];
    PG_REQUIRE(strlen(path) < sizeof buf, PG_ERR_INPUT, "path too long: %s", path);
    strcpy(buf, path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return PG_ERR(PG_ERR_IO, "cannot create directory %s: %s", buf, strerror(errno));
            *p = '/';
        }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return PG_ERR(PG_ERR_IO, "cannot create directory %s: %s", buf, strerror(errno));
    return PG_OK;
}

static pg_status_t build_supercell(MPI_Comm comm, const pg_deck_t *d, pg_cell_t *unit,
                                   pg_supercell_t *sc)
{
    const char *path = NULL;
    double symprec = 1e-5;
    PG_CHECK(pg_deck_get_string(d, "structure", "unitcell", &path));
    PG_CHECK(pg_deck_get_real(d, "structure", "symprec", &symprec));
    PG_CHECK(pg_poscar_read(comm, path, unit));
    int m[3][3]; /* phonopy's --dim meaning, as the structure stage reads it */
    PG_CHECK(pg_structure_supercell_matrix(d, m));
    PG_CHECK(pg_supercell_build(unit, (const int(*)[3])m, symprec, sc));
    return PG_OK;
}

/* The phonon sampler's force constants, full, on rank 0, and their provenance. Precedence:
 * [sample] force_constants if set; else the file the phonons stage wrote into output_dir (the
 * FCs it used, after symmetrisation; in `phonograph run` the phonons stage comes first).
 * Compact files must hold the unit cell's atoms (sc->u2s) and are expanded. Collective. */
static pg_status_t sample_fc(MPI_Comm comm, const pg_deck_t *d, const char *output_dir,
                             const pg_supercell_t *sc, pg_fc_t *fc, char *source, size_t cap)
{
    pg_status_t st = PG_OK;
    int64_t *s2p = NULL;
    const char *path = NULL;
    char run_fc[4096];
    snprintf(run_fc, sizeof run_fc, "%s/%s", output_dir, PG_RUN_FC_FILE);
    if (pg_deck_is_set(d, "sample", "force_constants")) {
        PG_CHECK(pg_deck_get_string(d, "sample", "force_constants", &path));
        snprintf(source, cap, "%s", path);
    } else {
        int exists = 0;
        if (pg_par_rank(comm) == 0) exists = access(run_fc, R_OK) == 0;
        PG_CHECK(pg_par_bcast(comm, 0, &exists, sizeof exists));
        PG_REQUIRE(exists, PG_ERR_INPUT,
                   "%s: the phonon sampler needs force constants: set [sample] force_constants = "
                   "<file>, or add a [phonons] section so that the phonons stage of `phonograph "
                   "run` writes them to %s first",
                   pg_deck_path(d), run_fc);
        path = run_fc;
        /* provenance relative to the output directory, as the study's */
        snprintf(source, cap, "phonons stage (%s)", PG_RUN_FC_FILE);
    }
    if (pg_par_rank(comm) == 0) {
        PG_TRY_CALLOC(s2p, sc->cell.n_atom, "s2p");
        for (int64_t k = 0; k < sc->cell.n_atom; k++) s2p[k] = sc->u2s[sc->s2u[k]];
        PG_TRY(fc_load_file(path, "auto", sc, sc->n_unit_atom, sc->u2s, "unit cell", s2p, fc));
    }
cleanup:
    free(s2p);
    PG_CHECK(pg_par_agree(comm, &st));
    return st;
}

pg_status_t pg_sample_opts_from_deck(const pg_deck_t *d, const pg_cell_t *ref,
                                          pg_sample_opts_t *o)
{
    const char *w = NULL;
    int n = 0;
    int64_t iv = 0;
    pg_sample_opts_default(o);
    PG_CHECK(pg_deck_get_string(d, "sample", "sampler", &w));
    o->kind = strcasecmp(w, "random") == 0 ? PG_SAMPLE_RANDOM : PG_SAMPLE_PHONON;
    const double *v = NULL;
    PG_CHECK(pg_deck_get_reals(d, "sample", o->kind == PG_SAMPLE_PHONON ? "temperatures"
                                                                        : "amplitudes",
                               &v, &n));
    o->condition = v;
    o->n_condition = n;
    PG_CHECK(pg_deck_get_int(d, "sample", "configurations", &iv));
    o->n_per_condition = iv;
    PG_CHECK(pg_deck_get_string(d, "sample", "statistics", &w));
    PG_CHECK(pg_stats_parse(w, &o->stats));
    PG_CHECK(pg_deck_get_string(d, "sample", "imaginary_modes", &w));
    PG_CHECK(pg_imag_policy_parse(w, &o->imag));
    PG_CHECK(pg_deck_get_real(d, "sample", "cutoff_frequency", &o->cutoff_thz));
    PG_CHECK(pg_deck_get_string(d, "sample", "distribution", &w));
    PG_CHECK(pg_random_dist_parse(w, &o->dist));
    PG_CHECK(pg_deck_get_real(d, "sample", "strain", &o->strain_max));
    PG_CHECK(pg_deck_get_real(d, "sample", "min_distance", &o->min_distance_ang));
    PG_CHECK(pg_deck_get_real(d, "sample", "max_displacement", &o->max_displacement_ang));
    PG_CHECK(pg_deck_get_int(d, "sample", "max_attempts", &iv));
    o->max_attempts = (int)iv;
    PG_CHECK(pg_deck_get_real(d, "sample", "lattice_scale", &o->lattice_scale));
    PG_CHECK(pg_deck_get_real(d, "sample", "disorder_x", &o->disorder_x));
    if (pg_deck_is_set(d, "sample", "disorder")) {
        const char *const *sp = NULL;
        PG_CHECK(pg_deck_get_words(d, "sample", "disorder", &sp, &n));
        PG_CHECK(pg_element_from_symbol(sp[0], &o->disorder_from_z));
        PG_CHECK(pg_element_from_symbol(sp[1], &o->disorder_to_z));
        int found = 0;
        for (int64_t k = 0; k < ref->n_atom; k++) found |= ref->z[k] == o->disorder_from_z;
        PG_REQUIRE(found, PG_ERR_INPUT, "%s: disorder species %s is not in the structure",
                   pg_deck_where(d, "sample", "disorder"), sp[0]);
        if (pg_deck_is_set(d, "sample", "vegard")) {
            const double *a = NULL;
            PG_CHECK(pg_deck_get_reals(d, "sample", "vegard", &a, &n));
            o->lattice_scale = ((1 - o->disorder_x) * a[0] + o->disorder_x * a[1]) / a[0];
        }
    }
    return PG_OK;
}

/* The whole stage. Collective on comm; errors agreed. sc: reference supercell (every rank),
 * output_dir: where the phonons stage leaves its force constants, out_path: dataset file. */
static pg_status_t sample_run(MPI_Comm comm, const pg_deck_t *d, pg_log_t *log,
                              const pg_supercell_t *sc, const char *output_dir,
                              const char *out_path, uint64_t fingerprint, int restart,
                              pg_farm_stats_t *fs, int64_t graph_totals[3])
{
    pg_status_t st = PG_OK;
    pg_fc_t fc = {0};
    pg_sampler_t *s = NULL;
    pg_potential_t *pot = NULL;
    pg_labeler_t *lab = NULL;
    pg_sample_opts_t o;
    const char *labeler = "none";
    char fc_source[4200] = "";
    int64_t seed = 0, batch = 4, bpr = 4;
    int want_graphs = 1;
    produce_graphs_t graphs;
    st = pg_sample_opts_from_deck(d, &sc->cell, &o);
    PG_TRY(pg_par_agree(comm, &st) == PG_OK ? st : PG_ERR_MPI);
    PG_TRY(pg_deck_get_int(d, "run", "seed", &seed));
    o.seed = (uint64_t)seed;
    PG_TRY(pg_deck_get_string(d, "sample", "labeler", &labeler));
    PG_TRY(pg_deck_get_int(d, "sample", "batch", &batch));
    PG_TRY(pg_deck_get_int(d, "sample", "batches_per_rank", &bpr));
    PG_TRY(pg_deck_get_bool(d, "sample", "graphs", &want_graphs));
    if (want_graphs)
        PG_TRY(pg_graph_opts_from_deck(d, &graphs.opts, graphs.kinds, &graphs.n_kind,
                                       &graphs.one_hot));
    if (o.kind == PG_SAMPLE_PHONON) {
        PG_TRY(sample_fc(comm, d, output_dir, sc, &fc, fc_source, sizeof fc_source));
        if (log) pg_log_info(log, "phonon sampler: force constants from %s", fc_source);
        char note[512];
        PG_TRY(pg_sampler_create_phonon(comm, sc, &fc, &o, note, sizeof note, &s));
        if (note[0] && log)
            pg_log_warn(log, "phonon sampler: q-space construction unavailable (%s); using the "
                        "supercell-Gamma diagonalisation", note);
    } else {
        st = pg_sampler_create(&sc->cell, NULL, &o, &s);
        pg_status_t agreed = st;
        PG_TRY(pg_par_agree(comm, &agreed));
        PG_TRY(agreed);
    }
    if (o.kind == PG_SAMPLE_PHONON && log) {
        pg_mode_stats_t ms;
        pg_sampler_mode_stats(s, &ms);
        pg_log_info(log, "phonon sampler (%s): %lld modes sampled, %lld excluded (|nu| <= %g "
                    "THz), %lld imaginary (policy %s, %lld shifted), smallest |nu| used %.4f THz",
                    pg_sampler_is_qspace(s) ? "q-space" : "supercell-Gamma",
                    (long long)ms.n_sampled, (long long)ms.n_excluded, o.cutoff_thz,
                    (long long)ms.n_imaginary, pg_imag_policy_name(o.imag),
                    (long long)ms.n_shifted, ms.min_used_thz);
        if (ms.n_imaginary > 0)
            pg_log_warn(log, "%lld imaginary modes in the force constants (smallest |nu| used "
                        "%.4f THz)", (long long)ms.n_imaginary, ms.min_used_thz);
    }
    pg_dataset_meta_t meta = {.n_config = pg_sampler_n_config(s), .n_atom = sc->cell.n_atom,
                              .fingerprint = fingerprint, .seed = (uint64_t)seed,
                              .deck_path = pg_deck_path(d), .deck_text = pg_deck_text(d),
                              .fc_source = fc_source, .labeler = labeler, .sampler = s,
                              .reference = &sc->cell};
    pg_farm_opts_t fo = {.batch = batch, .batches_per_rank = bpr, .log = log};
    if (strcmp(labeler, "potential") == 0) {
        pg_potential_opts_t po;
        pg_potential_opts_default(&po);
        st = pg_potential_create(&po, &pot);
        pg_status_t agreed = st;
        PG_TRY(pg_par_agree(comm, &agreed));
        PG_TRY(agreed);
        fo.label = label_potential;
        fo.label_ctx = pot;
    } else if (strcmp(labeler, "embedded") == 0) {
        pg_labeler_opts_t lo;
        st = pg_labeler_opts_from_deck(d, &lo);
        if (st == PG_OK) {
            lo.tb_group_size = 1; /* one configuration per rank: the farm is the parallelism */
            st = pg_labeler_create(&lo, &lab);
        }
        pg_status_t agreed = st;
        PG_TRY(pg_par_agree(comm, &agreed));
        PG_TRY(agreed);
        fo.label = label_embedded;
        fo.label_ctx = lab;
    }
    const char *kill_env = getenv("PG_FARM_KILL_AFTER_EPOCH"); /* restart tests only */
    if (kill_env) fo.kill_after_epochs = atoll(kill_env);
    PG_TRY(produce_dataset(comm, out_path, restart, &meta, &fo, want_graphs ? &graphs : NULL,
                           log, fs, graph_totals));
    if (log)
        pg_log_info(log, "sampled %lld configurations (%lld were already done) in %.2f s, %lld "
                    "redrawn by the guards -> %s",
                    (long long)fs->n_done_now, (long long)fs->n_done_before, fs->seconds,
                    (long long)fs->n_redrawn, out_path);
    if (log && want_graphs)
        pg_log_info(log, "graphs: %lld graphs, %lld nodes, %lld edges -> %s:/graphs",
                    (long long)graph_totals[0], (long long)graph_totals[1],
                    (long long)graph_totals[2], out_path);
cleanup:
    pg_potential_destroy(&pot);
    pg_labeler_destroy(&lab);
    pg_sampler_destroy(&s);
    pg_fc_free(&fc);
    return st;
}

/* The sample stage of `phonograph run` (row "sample" in run.c): same work as the subcommand,
 * with the run's communicator, log, output directory and deck fingerprint. */
pg_status_t pg_stage_sample(pg_run_t *run)
{
    pg_status_t st = PG_OK;
    char *out_path = NULL;
    const char *name = NULL;
    int restart = 1, configured = 0;
    for (const pg_deck_key_t *k = pg_deck_keys_sample; k->section; k++)
        configured |= pg_deck_is_set(run->deck, "sample", k->name);
    if (!configured) { /* no [sample] section: nothing to sample (e.g. a structure-only run) */
        if (run->log) pg_log_info(run->log, "sample: no [sample] section in the deck, nothing to do");
        pg_run_result(run, "configured", "false");
        return PG_OK;
    }
    PG_TRY(pg_deck_get_string(run->deck, "sample", "output", &name));
    PG_TRY(pg_deck_get_bool(run->deck, "run", "restart", &restart));
    out_path = malloc(strlen(run->output_dir) + strlen(name) + 2);
    PG_TRY_REQUIRE(out_path, PG_ERR_NOMEM, "out of memory");
    sprintf(out_path, "%s/%s", run->output_dir, name);
    /* the structure stage's supercell (relaxed when the relax stage is part of the run; its
     * unit-cell maps expand compact FCs) */
    pg_farm_stats_t fs;
    int64_t gt[3] = {0, 0, 0};
    PG_TRY(sample_run(run->comm, run->deck, run->log, &run->supercell, run->output_dir, out_path,
                      run->fingerprint, restart, &fs, gt));
    pg_run_result(run, "dataset", "\"%s\"", out_path);
    pg_run_result(run, "configurations", "%lld", (long long)fs.n_total);
    pg_run_result(run, "configurations_per_second", "%.3f",
                  fs.seconds > 0 ? (double)fs.n_done_now / fs.seconds : 0.0);
    pg_run_result(run, "guard_redraws", "%lld", (long long)fs.n_redrawn);
    pg_run_result(run, "graph_edges", "%lld", (long long)gt[2]);
cleanup:
    free(out_path);
    return st;
}

static const char *const sample_help =
    "usage: phonograph sample DECK\n\n"
    "Sample configurations ([sample] section: phonon-informed at the deck's temperatures or\n"
    "random displacements), label them ([sample] labeler) and write <output_dir>/<output>\n"
    "(schema: docs/dataset.md) with all ranks. Rank 0 hands batches to the ranks on demand.\n"
    "Then the crystal graphs ([graph] section) go into /graphs ([sample] graphs = false: not).\n"
    "Force constants: [sample] force_constants, else <output_dir>/force_constants.hdf5 as the\n"
    "phonons stage of `phonograph run` wrote it.\n"
    "A run stopped or killed at any point continues when started again with the same deck\n"
    "([run] restart = true); a file from another deck or seed is refused.\n"
    "SIGTERM/SIGINT/SIGUSR1, [run] wall_time or $PG_END_TIME (epoch s; the SLURM jobscripts\n"
    "set it) stop it after the current epoch is written, with exit code 7 (resumable).\n";

pg_status_t pg_cmd_sample(MPI_Comm comm, int argc, char **argv)
{
    pg_status_t st = PG_OK;
    const int rank = pg_par_rank(comm);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        if (rank == 0) fputs(sample_help, stdout);
        return PG_OK;
    }
    PG_REQUIRE(argc == 2, PG_ERR_INPUT, "usage: phonograph sample DECK (see --help)");
    pg_deck_t *d = NULL;
    pg_log_t *log = NULL;
    pg_cell_t unit = {0};
    pg_supercell_t sc = {0};
    char *out_path = NULL, *log_path = NULL;
    PG_CHECK(pg_deck_read(comm, argv[1], &d));
    const char *dir = NULL, *name = NULL;
    int restart = 1;
    PG_TRY(pg_deck_get_string(d, "run", "output_dir", &dir));
    PG_TRY(pg_deck_get_string(d, "sample", "output", &name));
    PG_TRY(pg_deck_get_bool(d, "run", "restart", &restart));
    if (rank == 0) st = mkdir_p(dir);
    {
        pg_status_t agreed = st;
        PG_TRY(pg_par_agree(comm, &agreed));
        PG_TRY(agreed);
    }
    out_path = malloc(strlen(dir) + strlen(name) + 2);
    log_path = malloc(strlen(dir) + 32);
    PG_TRY_REQUIRE(out_path && log_path, PG_ERR_NOMEM, "out of memory");
    sprintf(out_path, "%s/%s", dir, name);
    sprintf(log_path, "%s/phonograph.log", dir);
    PG_TRY(pg_log_create(comm, PG_LOG_INFO, rank == 0 ? log_path : NULL, &log));
    st = build_supercell(comm, d, &unit, &sc);
    PG_TRY(st);
    /* [run] wall_time as for `phonograph run` (SLURM jobs also pass $PG_END_TIME); the farm
     * checks after each epoch, so every attempt writes at least one epoch */
    double wall_s = 0;
    PG_TRY(pg_deck_get_real(d, "run", "wall_time", &wall_s));
    pg_stop_install(wall_s, 5.0);
    static const char *const fp_sections[] = {"structure", "sample", NULL};
    pg_farm_stats_t fs;
    int64_t gt[3];
    PG_TRY(sample_run(comm, d, log, &sc, dir, out_path, pg_deck_fingerprint(d, fp_sections),
                      restart, &fs, gt));
cleanup:
    pg_supercell_free(&sc);
    pg_cell_free(&unit);
    pg_log_destroy(&log);
    pg_deck_destroy(&d);
    free(out_path);
    free(log_path);
    return st;
}
