/* stage_relax.c - the relax stage: relax the unit cell of [structure] with the embedded
 * PRV-CAP-1 potential before the phonons, so that the force constants, the samples and the
 * study are built on the model's own equilibrium structure (issue #4 item 2).
 *
 * FIRE on positions and (by default) the cell, with the forces and the stress averaged over
 * the space group of the input cell (pg_relax.h, [relax] symmetry = true): the cubic Pm-3m
 * cell of Ag3SBr is a saddle point of the potential (LABELER.md §7), so an unconstrained
 * relaxation may leave it; the constrained one keeps the space group and the Wyckoff
 * positions and only finds the lattice constant (and any free coordinates the group allows).
 *
 * Writes <output_dir>/relax/POSCAR (the relaxed unit cell, fractional coordinates, 16
 * decimals) and relax/results.txt (the results recorded in run_summary.json, read back on
 * resume). Replaces run->unitcell, run->symmetry, run->supercell and run->primitive by those
 * of the relaxed cell (same supercell and primitive matrices) and sets run->relaxed, so every
 * later stage of the run uses the relaxed structure. Every rank relaxes the same cell with the
 * same deterministic code and obtains the same bits (no broadcast needed).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "phonograph/pg_labeler.h"
#include "phonograph/pg_par.h"
#include "phonograph/pg_poscar.h"
#include "phonograph/pg_relax.h"
#include "phonograph/pg_run.h"
#include "phonograph/pg_units.h"

#define NOLIMIT 1.0, 0.0

const pg_deck_key_t pg_deck_keys_relax[] = {
    {"relax", "cell", PG_DECK_BOOL, "true", NOLIMIT, 0, 0, NULL, NULL,
     "relax the lattice vectors too (false: atomic positions only, cell fixed)"},
    {"relax", "symmetry", PG_DECK_BOOL, "true", NOLIMIT, 0, 0, NULL, NULL,
     "keep the space group of [structure] unitcell (forces and stress averaged over its "
     "operations: a cubic cell stays cubic, atoms stay on their Wyckoff positions)"},
    {"relax", "fmax", PG_DECK_REAL, "1e-4", 1e-9, 10.0, 0, 0, "eV/Å", NULL,
     "force tolerance: converged when every |F_i| is below it"},
    {"relax", "smax", PG_DECK_REAL, "1e-6", 1e-12, 10.0, 0, 0, "GPa", NULL,
     "stress tolerance (cell = true): converged when every |sigma_ab| is below it"},
    {"relax", "max_steps", PG_DECK_INT, "2000", 1, 10000000, 0, 0, NULL, NULL,
     "maximum FIRE steps; not converging within them is an error"},
    PG_DECK_KEYS_END,
};

typedef struct {
    int converged, n_steps, sg_before, sg_after, symmetry, cell;
    double epa, sigma_h_gpa, max_force, max_stress_gpa, abc[3], angles[3], volume, volume0;
    char sg_symbol[32];
} relax_result_t;

static void lattice_params(const double l[3][3], double abc[3], double ang[3])
{
    for (int i = 0; i < 3; i++) abc[i] = sqrt(l[i][0] * l[i][0] + l[i][1] * l[i][1] + l[i][2] * l[i][2]);
    for (int i = 0; i < 3; i++) {
        const int a = (i + 1) % 3, b = (i + 2) % 3;
        const double dot = l[a][0] * l[b][0] + l[a][1] * l[b][1] + l[a][2] * l[b][2];
        ang[i] = acos(dot / (abc[a] * abc[b])) * 180.0 / M_PI;
    }
}

/* progress: first step, then every 10 % of max_steps or 60 s, whichever comes first */
typedef struct {
    pg_log_t *log;
    int64_t n_atom;
    int every, last_step;
    double t_last;
} progress_t;

static void progress(void *ctx, const pg_relax_info_t *info)
{
    progress_t *p = ctx;
    const double now = pg_par_wtime();
    if (info->n_steps != 0 && info->n_steps - p->last_step < p->every && now - p->t_last < 60.0)
        return;
    p->last_step = info->n_steps;
    p->t_last = now;
    if (p->log)
        pg_log_info(p->log, "relax: step %5d  E/atom %.9f eV  max|F| %.3e eV/Å  max|sigma| %.3e GPa",
                    info->n_steps, info->energy / (double)p->n_atom, info->max_force,
                    info->max_stress_gpa);
}

/* [relax] options, a symmetry constraint from sym (NULL: none). */
static pg_status_t read_opts(const pg_deck_t *d, pg_relax_opts_t *o, int *with_sym)
{
    int cell = 1;
    int64_t steps = 0;
    pg_relax_opts_default(o);
    PG_CHECK(pg_deck_get_bool(d, "relax", "cell", &cell));
    PG_CHECK(pg_deck_get_bool(d, "relax", "symmetry", with_sym));
    PG_CHECK(pg_deck_get_real(d, "relax", "fmax", &o->fmax_ev_ang));
    PG_CHECK(pg_deck_get_real(d, "relax", "smax", &o->smax_gpa));
    PG_CHECK(pg_deck_get_int(d, "relax", "max_steps", &steps));
    o->max_steps = (int)steps;
    o->mode = cell ? PG_RELAX_FULL : PG_RELAX_POSITIONS;
    return PG_OK;
}

/* Relax `cell` in place (every rank, same bits). sym: the space group of cell (found with
 * symprec). On return *sym_out holds the space group of the relaxed cell (rank 0 found,
 * broadcast). Collective on comm (the final symmetry search). */
static pg_status_t relax_cell(MPI_Comm comm, const pg_deck_t *deck, pg_log_t *log,
                              pg_cell_t *cell, const pg_symmetry_t *sym, double symprec,
                              pg_symmetry_t *sym_out, relax_result_t *res)
{
    pg_status_t st = PG_OK;
    pg_labeler_t *lab = NULL;
    int64_t *map = NULL;
    double(*rot)[3][3] = NULL;
    pg_relax_opts_t o;
    pg_relax_sym_t rs = {0};
    pg_labeler_opts_t lo;
    memset(res, 0, sizeof *res);
    PG_CHECK(read_opts(deck, &o, &res->symmetry));
    res->cell = o.mode == PG_RELAX_FULL;
    PG_CHECK(pg_labeler_opts_from_deck(deck, &lo));
    lo.labels = PG_LABEL_ENERGY | PG_LABEL_FORCES | PG_LABEL_STRESS; /* no TB needed */
    PG_TRY(pg_labeler_create(&lo, &lab));
    res->sg_before = sym->spacegroup_number;
    res->volume0 = fabs(pg_cell_volume(cell));
    if (res->symmetry) {
        const int64_t n = cell->n_atom;
        PG_TRY_CALLOC(map, (int64_t)sym->n_ops * n, "symmetry atom map");
        PG_TRY_CALLOC(rot, sym->n_ops, "Cartesian rotations");
        PG_TRY(pg_symmetry_atom_map(cell, sym, symprec, map));
        for (int g = 0; g < sym->n_ops; g++)
            PG_TRY(pg_symmetry_cart_rotation(cell->lattice, (const int(*)[3])sym->rotations[g], rot[g]));
        rs = (pg_relax_sym_t){.n_op = sym->n_ops, .n_atom = n,
                              .rot_cart = (const double(*)[3][3])rot, .atom_map = map};
        o.sym = &rs;
    }
    progress_t pr = {.log = log, .n_atom = cell->n_atom, .every = o.max_steps / 10 > 0 ? o.max_steps / 10 : 1,
                     .t_last = pg_par_wtime()};
    o.progress = progress;
    o.progress_ctx = &pr;
    if (log)
        pg_log_info(log, "relax: FIRE on %s, %s symmetry constraint (%s, %d operations); "
                         "force tolerance max|F| < %g eV/Å, at most %d steps",
                    res->cell ? "positions and cell" : "positions (cell fixed)",
                    res->symmetry ? "with" : "without", sym->international, sym->n_ops,
                    o.fmax_ev_ang, o.max_steps);
    if (log && res->cell) pg_log_info(log, "relax: stress tolerance max|sigma_ab| < %g GPa", o.smax_gpa);
    pg_relax_info_t info;
    PG_TRY(pg_relax(pg_labeler_potential(lab), &o, cell, &info));
    if (info.n_steps != pr.last_step) progress(&pr, &info);
    PG_TRY_REQUIRE(info.converged, PG_ERR_NUMERIC,
                   "%s: relax stage: FIRE did not converge in %d steps (max|F| %.3e eV/Å, "
                   "tolerance %g; max|sigma| %.3e GPa, tolerance %g): raise [relax] max_steps or "
                   "loosen fmax/smax",
                   pg_deck_where(deck, "relax", "max_steps"), info.n_steps, info.max_force,
                   o.fmax_ev_ang, info.max_stress_gpa, o.smax_gpa);
    res->converged = 1;
    res->n_steps = info.n_steps;
    res->epa = info.energy / (double)cell->n_atom;
    res->sigma_h_gpa = info.sigma_h_gpa;
    res->max_force = info.max_force;
    res->max_stress_gpa = info.max_stress_gpa;
    res->volume = fabs(pg_cell_volume(cell));
    lattice_params(cell->lattice, res->abc, res->angles);
    /* the space group of the result */
    if (pg_par_rank(comm) == 0) st = pg_symmetry_find(cell, symprec, sym_out);
    PG_TRY(pg_par_agree(comm, &st));
    if (st != PG_OK) goto cleanup;
    PG_TRY(pg_symmetry_bcast(comm, 0, sym_out));
    res->sg_after = sym_out->spacegroup_number;
    snprintf(res->sg_symbol, sizeof res->sg_symbol, "%s", sym_out->international);
    PG_TRY_REQUIRE(!res->symmetry || res->sg_after == res->sg_before, PG_ERR_NUMERIC,
                   "relax stage: the symmetry-constrained relaxation changed the space group "
                   "from %d to %d (symprec %g Å): a bug, or a start not symmetric within symprec",
                   res->sg_before, res->sg_after, symprec);
    if (log && res->sg_after != res->sg_before)
        pg_log_warn(log, "relax: space group changed from %s (%d) to %s (%d) ([relax] symmetry = "
                         "false)",
                    sym->international, res->sg_before, sym_out->international, res->sg_after);
cleanup:
    free(map);
    free(rot);
    pg_labeler_destroy(&lab);
    return st;
}

/* results as "name json" lines (relax/results.txt) and into run_summary.json */
static void format_results(const relax_result_t *r, const char *poscar, char *buf, size_t cap)
{
    snprintf(buf, cap,
             "relaxed true\nposcar \"%s\"\nconverged %s\nsteps %d\ncell_relaxed %s\nsymmetry_constrained %s\n"
             "energy_per_atom_eV %.12g\nsigma_h_GPa %.6e\nmax_force_eV_A %.6e\n"
             "max_stress_GPa %.6e\nlattice_abc_A [%.10f, %.10f, %.10f]\n"
             "lattice_angles_deg [%.8f, %.8f, %.8f]\nvolume_A3 %.10g\nvolume_change_rel %.6e\n"
             "spacegroup_number %d\nspacegroup_symbol \"%s\"\n",
             poscar, r->converged ? "true" : "false", r->n_steps, r->cell ? "true" : "false",
             r->symmetry ? "true" : "false", r->epa, r->sigma_h_gpa, r->max_force,
             r->max_stress_gpa, r->abc[0], r->abc[1], r->abc[2], r->angles[0], r->angles[1],
             r->angles[2], r->volume, r->volume / r->volume0 - 1.0, r->sg_after, r->sg_symbol);
}

static void record_text(pg_run_t *run, char *text)
{
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char *sp = strchr(line, ' ');
        if (!sp) continue;
        *sp = '\0';
        pg_run_result(run, line, "%s", sp + 1);
    }
}

static pg_status_t write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    PG_REQUIRE(f, PG_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    int bad = fputs(text, f) < 0;
    bad |= fclose(f) != 0;
    PG_REQUIRE(!bad, PG_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    return PG_OK;
}

/* The run context on the relaxed cell: symmetry, supercell and primitive cell rebuilt with
 * the matrices the structure stage used. Takes ownership of *cell and *sym. */
static pg_status_t adopt(pg_run_t *run, pg_cell_t *cell, pg_symmetry_t *sym)
{
    pg_status_t st = PG_OK;
    pg_supercell_t sc = {0};
    pg_primitive_t prim = {0};
    double symprec = 1e-5;
    int m[3][3];
    double p[3][3];
    memcpy(m, run->supercell.matrix, sizeof m);
    memcpy(p, run->primitive.matrix, sizeof p);
    PG_TRY(pg_deck_get_real(run->deck, "structure", "symprec", &symprec));
    PG_TRY(pg_supercell_build(cell, (const int(*)[3])m, symprec, &sc));
    PG_TRY(pg_primitive_build(&sc, (const double(*)[3])p, symprec, &prim));
    pg_cell_free(&run->unitcell);
    pg_symmetry_free(&run->symmetry);
    pg_supercell_free(&run->supercell);
    pg_primitive_free(&run->primitive);
    run->unitcell = *cell;
    run->symmetry = *sym;
    run->supercell = sc;
    run->primitive = prim;
    memset(cell, 0, sizeof *cell);
    memset(sym, 0, sizeof *sym);
    memset(&sc, 0, sizeof sc);
    memset(&prim, 0, sizeof prim);
    run->relaxed = 1;
cleanup:
    pg_supercell_free(&sc);
    pg_primitive_free(&prim);
    return st;
}

static void paths(const pg_run_t *run, char *dir, char *poscar, char *results, size_t cap)
{
    snprintf(dir, cap, "%s/relax", run->output_dir);
    snprintf(poscar, cap, "%s/relax/POSCAR", run->output_dir);
    snprintf(results, cap, "%s/relax/results.txt", run->output_dir);
}

/* Whether the stage relaxes: the deck has a [relax] section, or the stage is named in the
 * stage selection (not only implied by `all`, so that decks of other materials, which the
 * potential does not describe, keep running with the default `stages = all`). */
static int wanted(const pg_run_t *run)
{
    if (pg_deck_has_section(run->deck, "relax")) return 1;
    if (run->stages_override) return strstr(run->stages_override, "relax") != NULL;
    const char *const *w = NULL;
    int n = 0;
    if (pg_deck_get_words(run->deck, "run", "stages", &w, &n) != PG_OK) {
        pg_err_clear();
        return 0;
    }
    for (int k = 0; k < n; k++)
        if (strcasecmp(w[k], "relax") == 0) return 1;
    return 0;
}

/* for the run driver's guard (pg_stage_t.feeds_later) */
int pg_stage_relax_feeds_later(const pg_run_t *run)
{
    return wanted(run);
}

pg_status_t pg_stage_relax(pg_run_t *run)
{
    pg_status_t st = PG_OK;
    pg_cell_t cell = {0};
    pg_symmetry_t sym = {0};
    relax_result_t res;
    double symprec = 1e-5;
    char dir[4200], poscar[4200], results[4200], text[6000];
    paths(run, dir, poscar, results, sizeof dir);
    if (!wanted(run)) {
        pg_log_info(run->log, "relax: selected by `all` and the deck has no [relax] section: "
                              "nothing to relax, later stages use [structure] unitcell as given");
        if (run->rank == 0) unlink(results); /* a resume then adopts nothing */
        pg_run_result(run, "relaxed", "false");
        return PG_OK;
    }
    PG_TRY(pg_deck_get_real(run->deck, "structure", "symprec", &symprec));
    PG_TRY(pg_cell_copy(&cell, &run->unitcell));
    PG_TRY(relax_cell(run->comm, run->deck, run->log, &cell, &run->symmetry, symprec, &sym, &res));
    pg_log_info(run->log, "relax: converged in %d steps: a b c = %.7f %.7f %.7f Å, angles %.4f "
                          "%.4f %.4f deg, V = %.5f Å^3 (%+.4f %%), E/atom %.9f eV, sigma_h %.2e GPa, "
                          "space group %s (%d)",
                res.n_steps, res.abc[0], res.abc[1], res.abc[2], res.angles[0], res.angles[1],
                res.angles[2], res.volume, 100.0 * (res.volume / res.volume0 - 1.0), res.epa,
                res.sigma_h_gpa, res.sg_symbol, res.sg_after);
    /* exact zeros instead of rounding noise (-0.0, 1e-17) in the file and the context */
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
            if (fabs(cell.lattice[a][b]) < 1e-14) cell.lattice[a][b] = 0.0;
    for (int64_t i = 0; i < cell.n_atom; i++)
        for (int b = 0; b < 3; b++)
            if (fabs(cell.pos[i][b]) < 1e-14) cell.pos[i][b] = 0.0;
    format_results(&res, poscar, text, sizeof text);
    if (run->rank == 0) {
        if (mkdir(dir, 0777) != 0 && errno != EEXIST)
            st = PG_ERR(PG_ERR_IO, "cannot create '%s': %s", dir, strerror(errno));
        char comment[200];
        snprintf(comment, sizeof comment, "relaxed with PRV-CAP-1 (relax stage), %s (%d)",
                 res.sg_symbol, res.sg_after);
        if (st == PG_OK) st = pg_poscar_write(poscar, &cell, comment, 1);
        if (st == PG_OK) st = write_file(results, text);
    }
    PG_TRY(pg_par_agree(run->comm, &st));
    if (st != PG_OK) goto cleanup;
    pg_log_info(run->log, "relax: wrote %s; later stages use the relaxed cell", poscar);
    PG_TRY(adopt(run, &cell, &sym));
    record_text(run, text);
cleanup:
    pg_cell_free(&cell);
    pg_symmetry_free(&sym);
    return st;
}

/* Completed earlier: read the relaxed cell back (no relaxation), rebuild the structures. A
 * completed stage that relaxed nothing left no relax/results.txt: then nothing is adopted. */
pg_status_t pg_stage_relax_resume(pg_run_t *run)
{
    pg_status_t st = PG_OK;
    pg_cell_t cell = {0};
    pg_symmetry_t sym = {0};
    char *text = NULL;
    double symprec = 1e-5;
    char dir[4200], poscar[4200], results[4200];
    paths(run, dir, poscar, results, sizeof dir);
    int present = run->rank == 0 ? access(results, F_OK) == 0 : 0;
    PG_CHECK(pg_par_bcast(run->comm, 0, &present, sizeof present));
    if (!present) {
        pg_run_result(run, "relaxed", "false");
        return PG_OK;
    }
    PG_TRY(pg_deck_get_real(run->deck, "structure", "symprec", &symprec));
    PG_TRY(pg_poscar_read(run->comm, poscar, &cell));
    int same = cell.n_atom == run->unitcell.n_atom;
    for (int64_t i = 0; same && i < cell.n_atom; i++) same = cell.z[i] == run->unitcell.z[i];
    PG_TRY_REQUIRE(same, PG_ERR_INPUT,
                   "relax stage: %s does not hold the atoms of [structure] unitcell (%lld atoms); "
                   "remove the output directory to start over",
                   poscar, (long long)run->unitcell.n_atom);
    if (run->rank == 0) st = pg_symmetry_find(&cell, symprec, &sym);
    PG_TRY(pg_par_agree(run->comm, &st));
    if (st != PG_OK) goto cleanup;
    PG_TRY(pg_symmetry_bcast(run->comm, 0, &sym));
    size_t n = 0;
    PG_TRY(pg_par_read_file(run->comm, results, &text, &n));
    PG_TRY(adopt(run, &cell, &sym));
    pg_log_info(run->log, "relax: relaxed cell from %s (%s, %d)", poscar,
                run->symmetry.international, run->symmetry.spacegroup_number);
    record_text(run, text);
cleanup:
    free(text);
    pg_cell_free(&cell);
    pg_symmetry_free(&sym);
    return st;
}

/* ---- phonograph relax DECK ------------------------------------------------------------ */

static const char *const relax_help =
    "usage: phonograph relax DECK\n\n"
    "The structure and relax stages of `phonograph run DECK`: relax [structure] unitcell with\n"
    "the PRV-CAP-1 potential (FIRE; [relax] cell, symmetry, fmax, smax, max_steps) and write\n"
    "<output_dir>/relax/POSCAR (results in run_summary.json). The relaxation is then part of\n"
    "the run in that output directory: a later `phonograph run DECK` skips it and its phonons,\n"
    "sample and study stages use the relaxed cell (docs/labeler.md, \"Relax stage\").\n";

pg_status_t pg_cmd_relax(MPI_Comm comm, int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        if (pg_par_rank(comm) == 0) fputs(relax_help, stdout);
        return PG_OK;
    }
    return pg_cmd_run_stages(comm, argc, argv, "structure relax");
}
