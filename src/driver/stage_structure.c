/* stage_structure.c - the first stage: read the unit cell, find its symmetry, build the
 * supercell and the primitive cell, report them, write them to <output_dir>/structure/.
 *
 * Fills run->unitcell, run->symmetry, run->supercell, run->primitive (identical on every
 * rank: rank 0 reads the POSCAR and broadcasts the bytes, symmetry is found on rank 0 and
 * broadcast, supercell and primitive are built by every rank from the same input).
 * Files: structure/unitcell.vasp, supercell.vasp, primitive.vasp (VASP 5), supercell.extxyz
 * (ASE-readable), symmetry.txt (the report also printed to the log).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "phonograph/pg_element.h"
#include "phonograph/pg_extxyz.h"
#include "phonograph/pg_par.h"
#include "phonograph/pg_poscar.h"
#include "phonograph/pg_run.h"

/* The deck's [structure] values, resolved into matrices (phonopy conventions: --dim M and
 * --pa P with (a_s b_s c_s) = (a b c) M, rows of the deck text = rows of the matrix). */
typedef struct {
    const char *unitcell;
    int matrix[3][3];
    int prim_mode; /* 0 auto, 1 none (unit cell), 2 explicit, 3 centring letter */
    double pmat[3][3];
    double symprec;
} structure_input_t;

static pg_status_t read_input(const pg_deck_t *d, structure_input_t *in)
{
    memset(in, 0, sizeof *in);
    PG_CHECK(pg_deck_get_string(d, "structure", "unitcell", &in->unitcell));
    PG_CHECK(pg_deck_get_real(d, "structure", "symprec", &in->symprec));
    const int64_t *s = NULL;
    int n = 0;
    PG_CHECK(pg_deck_get_ints(d, "structure", "supercell", &s, &n));
    PG_REQUIRE(n == 3 || n == 9, PG_ERR_INTERNAL, "supercell with %d integers passed the deck", n);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            in->matrix[i][j] = n == 3 ? (i == j ? (int)s[i] : 0) : (int)s[3 * i + j];
    const double *p = NULL;
    double pm[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    PG_CHECK(pg_deck_get_reals(d, "structure", "primitive", &p, &n));
    if (n == 9) {
        in->prim_mode = 2;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) pm[i][j] = p[3 * i + j];
    } else {
        const char *w = NULL;
        PG_CHECK(pg_deck_get_string(d, "structure", "primitive", &w));
        in->prim_mode = strcmp(w, "none") == 0 ? 1 : strcmp(w, "auto") == 0 ? 0 : 3;
        if (in->prim_mode == 3) PG_CHECK(pg_primitive_matrix_parse(w, pm)); /* centring */
    }
    memcpy(in->pmat, pm, sizeof pm);
    return PG_OK;
}

/* phonopy's primitive_axes = "auto": P = T^-1 · P_centring, with T spglib's transformation
 * matrix and P_centring the centring matrix of the first letter of the space-group symbol
 * (phonopy 2.17 guess_primitive_matrix). */
static pg_status_t auto_primitive(const pg_symmetry_t *sym, double pmat[3][3])
{
    double pc[3][3], tinv[3][3];
    char letter[2] = {sym->international[0], '\0'};
    PG_CHECK(pg_primitive_matrix_parse(letter, pc));
    PG_CHECK(pg_mat3_inverse(sym->transformation_matrix, tinv));
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double v = 0;
            for (int k = 0; k < 3; k++) v += tinv[i][k] * pc[k][j];
            pmat[i][j] = fabs(v - round(v * 12) / 12) < 1e-10 ? round(v * 12) / 12 : v;
        }
    return PG_OK;
}

/* Read, find symmetry, build. Collective; `quiet` = resume (no report). */
static pg_status_t build_structure(pg_run_t *run, structure_input_t *in)
{
    pg_status_t st = PG_OK;
    PG_CHECK(read_input(run->deck, in));
    st = pg_poscar_read(run->comm, in->unitcell, &run->unitcell);
    if (st != PG_OK) {
        char msg[1800];
        snprintf(msg, sizeof msg, "%s", pg_err_message());
        return PG_ERR(st, "%s: [structure] unitcell: %s",
                      pg_deck_where(run->deck, "structure", "unitcell"), msg);
    }
    if (run->rank == 0) st = pg_symmetry_find(&run->unitcell, in->symprec, &run->symmetry);
    PG_CHECK(pg_par_agree(run->comm, &st));
    if (st != PG_OK) {
        pg_err_frame(__FILE__, __LINE__, __func__);
        return st;
    }
    PG_CHECK(pg_symmetry_bcast(run->comm, 0, &run->symmetry));
    st = pg_supercell_build(&run->unitcell, (const int(*)[3])in->matrix, in->symprec,
                            &run->supercell);
    if (st != PG_OK) {
        char msg[1800];
        snprintf(msg, sizeof msg, "%s", pg_err_message());
        return PG_ERR(st, "%s: [structure] supercell: %s",
                      pg_deck_where(run->deck, "structure", "supercell"), msg);
    }
    if (in->prim_mode == 0) PG_CHECK(auto_primitive(&run->symmetry, in->pmat));
    st = pg_primitive_build(&run->supercell, (const double(*)[3])in->pmat, in->symprec,
                            &run->primitive);
    if (st != PG_OK) {
        char msg[1800];
        snprintf(msg, sizeof msg, "%s", pg_err_message());
        return PG_ERR(st, "%s: [structure] primitive: %s",
                      pg_deck_where(run->deck, "structure", "primitive"), msg);
    }
    return PG_OK;
}

/* Formula of c into buf[cap]; PG_ERR_INPUT if it does not fit (FORMULA_CAP always fits:
 * at most 128 species of "Xx" + a 64-bit count). Not collective. */
#define FORMULA_CAP (128 * 24)
static pg_status_t formula(const pg_cell_t *c, char *buf, size_t cap)
{
    /* species in order of first appearance, with counts */
    int seen[128] = {0}, order[128], n_order = 0;
    for (int64_t i = 0; i < c->n_atom; i++) {
        int z = c->z[i] > 0 && c->z[i] < 128 ? c->z[i] : 0;
        if (!seen[z]++) order[n_order++] = z;
    }
    size_t used = 0;
    PG_REQUIRE(cap > 0, PG_ERR_INTERNAL, "formula: no room");
    buf[0] = '\0';
    for (int k = 0; k < n_order; k++) {
        if (seen[order[k]] > 1)
            PG_CHECK(pg_snprintf(buf + used, cap - used, "%s%d", pg_element_symbol(order[k]),
                                 seen[order[k]]));
        else PG_CHECK(pg_snprintf(buf + used, cap - used, "%s", pg_element_symbol(order[k])));
        used += strlen(buf + used);
    }
    return PG_OK;
}

static void lattice_params(const double l[3][3], double abc[3], double ang[3])
{
    for (int i = 0; i < 3; i++) abc[i] = sqrt(l[i][0] * l[i][0] + l[i][1] * l[i][1] + l[i][2] * l[i][2]);
    for (int i = 0; i < 3; i++) {
        int a = (i + 1) % 3, b = (i + 2) % 3;
        double dot = l[a][0] * l[b][0] + l[a][1] * l[b][1] + l[a][2] * l[b][2];
        ang[i] = acos(dot / (abc[a] * abc[b])) * 180.0 / M_PI;
    }
}

/* rank 0: files of the stage */
static pg_status_t write_files(pg_run_t *run, const char *report)
{
    char dir[4200], path[4300];
    PG_CHECK(pg_snprintf(dir, sizeof dir, "%s/structure", run->output_dir));
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return PG_ERR(PG_ERR_IO, "cannot create '%s': %s", dir, strerror(errno));
    char fu[FORMULA_CAP];
    PG_CHECK(formula(&run->unitcell, fu, sizeof fu));
    PG_CHECK(pg_snprintf(path, sizeof path, "%s/unitcell.vasp", dir));
    PG_CHECK(pg_poscar_write(path, &run->unitcell, fu, 1));
    char comment[FORMULA_CAP + 256];
    const int(*m)[3] = run->supercell.matrix;
    PG_CHECK(pg_snprintf(comment, sizeof comment,
                         "%s supercell M = %d %d %d  %d %d %d  %d %d %d (phonopy order)", fu,
                         m[0][0], m[0][1], m[0][2], m[1][0], m[1][1], m[1][2], m[2][0], m[2][1],
                         m[2][2]));
    PG_CHECK(pg_snprintf(path, sizeof path, "%s/supercell.vasp", dir));
    PG_CHECK(pg_poscar_write(path, &run->supercell.cell, comment, 1));
    PG_CHECK(pg_snprintf(path, sizeof path, "%s/primitive.vasp", dir));
    PG_CHECK(pg_poscar_write(path, &run->primitive.cell, "primitive cell", 1));
    pg_extxyz_frame_t fr;
    pg_extxyz_frame_init(&fr);
    fr.cell = run->supercell.cell; /* borrowed for writing; detached before the free */
    fr.pbc[0] = fr.pbc[1] = fr.pbc[2] = 1;
    PG_CHECK(pg_snprintf(path, sizeof path, "%s/supercell.extxyz", dir));
    pg_status_t st = pg_extxyz_write(path, &fr, 1, 0);
    memset(&fr.cell, 0, sizeof fr.cell);
    pg_extxyz_frame_free(&fr);
    PG_CHECK(st);
    PG_CHECK(pg_snprintf(path, sizeof path, "%s/symmetry.txt", dir));
    FILE *f = fopen(path, "w");
    PG_REQUIRE(f, PG_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    fputs(report, f);
    PG_REQUIRE(fclose(f) == 0, PG_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    return PG_OK;
}

/* results for run_summary.json (also after a resume, so every summary has them) */
static pg_status_t record_results(pg_run_t *run)
{
    const pg_symmetry_t *sym = &run->symmetry;
    const pg_cell_t *uc = &run->unitcell, *sc = &run->supercell.cell, *pc = &run->primitive.cell;
    const int(*m)[3] = run->supercell.matrix;
    char fu[FORMULA_CAP];
    PG_CHECK(formula(uc, fu, sizeof fu));
    pg_run_result(run, "formula", "\"%s\"", fu);
    pg_run_result(run, "n_atom_unitcell", "%lld", (long long)uc->n_atom);
    pg_run_result(run, "n_atom_supercell", "%lld", (long long)sc->n_atom);
    pg_run_result(run, "n_atom_primitive", "%lld", (long long)pc->n_atom);
    pg_run_result(run, "volume_unitcell_A3", "%.10g", fabs(pg_cell_volume(uc)));
    pg_run_result(run, "spacegroup_number", "%d", sym->spacegroup_number);
    pg_run_result(run, "spacegroup_symbol", "\"%s\"", sym->international);
    pg_run_result(run, "n_operations", "%d", sym->n_ops);
    pg_run_result(run, "supercell_matrix", "[[%d, %d, %d], [%d, %d, %d], [%d, %d, %d]]", m[0][0],
                  m[0][1], m[0][2], m[1][0], m[1][1], m[1][2], m[2][0], m[2][1], m[2][2]);
    return PG_OK;
}

pg_status_t pg_stage_structure(pg_run_t *run)
{
    structure_input_t in;
    PG_CHECK(build_structure(run, &in));
    pg_status_t st = PG_OK;
    const pg_symmetry_t *sym = &run->symmetry;
    const pg_cell_t *uc = &run->unitcell, *sc = &run->supercell.cell, *pc = &run->primitive.cell;
    char fu[FORMULA_CAP];
    PG_CHECK(formula(uc, fu, sizeof fu));
    double abc[3], ang[3];
    lattice_params(uc->lattice, abc, ang);
    pg_log_info(run->log, "unit cell %s: %s, %lld atoms, V = %.4f Å^3", in.unitcell, fu,
                (long long)uc->n_atom, fabs(pg_cell_volume(uc)));
    pg_log_info(run->log, "  a b c = %.6f %.6f %.6f Å, alpha beta gamma = %.4f %.4f %.4f deg",
                abc[0], abc[1], abc[2], ang[0], ang[1], ang[2]);
    pg_log_info(run->log, "space group %s (%d), point group %s, %d operations (symprec %g Å)",
                sym->international, sym->spacegroup_number, sym->pointgroup, sym->n_ops,
                in.symprec);
    const int(*m)[3] = run->supercell.matrix;
    pg_log_info(run->log, "supercell M = [%d %d %d; %d %d %d; %d %d %d]: %lld unit cells, %lld atoms",
                m[0][0], m[0][1], m[0][2], m[1][0], m[1][1], m[1][2], m[2][0], m[2][1], m[2][2],
                (long long)run->supercell.n_cell, (long long)sc->n_atom);
    const double(*p)[3] = run->primitive.matrix;
    pg_log_info(run->log,
                "primitive cell (%s) P = [%.4g %.4g %.4g; %.4g %.4g %.4g; %.4g %.4g %.4g]: %lld atoms, "
                "%lld per supercell",
                in.prim_mode == 0 ? "auto" : in.prim_mode == 1 ? "none" : in.prim_mode == 3 ? "centring" : "deck", p[0][0], p[0][1],
                p[0][2], p[1][0], p[1][1], p[1][2], p[2][0], p[2][1], p[2][2],
                (long long)pc->n_atom, (long long)run->primitive.n_cell);

    /* the full report: log (rank 0) and structure/symmetry.txt */
    if (run->rank == 0) {
        char *report = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&report, &n);
        if (!f) st = PG_ERR(PG_ERR_NOMEM, "symmetry report");
        else {
            pg_symmetry_print(f, uc, sym);
            fclose(f);
            char *copy = strdup(report);
            if (copy) {
                char *save = NULL;
                for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
                    pg_log_info(run->log, "  %s", line);
                free(copy);
            }
            st = write_files(run, report);
            free(report);
        }
    }
    PG_CHECK(pg_par_agree(run->comm, &st));
    if (st != PG_OK) return st;
    if (run->rank == 0) pg_log_info(run->log, "wrote %s/structure/{unitcell,supercell,primitive}.vasp, "
                                              "supercell.extxyz, symmetry.txt", run->output_dir);

    PG_CHECK(record_results(run));
    return PG_OK;
}

/* Completed earlier: rebuild the same in-memory structure (cheap and deterministic) for
 * later stages, without reporting or writing. */
pg_status_t pg_stage_structure_resume(pg_run_t *run)
{
    structure_input_t in;
    PG_CHECK(build_structure(run, &in));
    PG_CHECK(record_results(run));
    return PG_OK;
}
