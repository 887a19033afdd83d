/* stage_phonons.c - the phonons stage (see pg_phonons_stage.h): deck keys, structure set-up,
 * force constants, distributed solves, phonons.h5. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "phonograph/pg_dynmat.h"
#include "phonograph/pg_forceconst.h"
#include "phonograph/pg_h5.h"
#include "phonograph/pg_par.h"
#include "phonograph/pg_labeler.h"
#include "phonograph/pg_phonons.h"
#include "phonograph/pg_phonons_stage.h"
#include "phonograph/pg_poscar.h"
#include "phonograph/pg_supercell.h"
#include "phonograph/pg_symmetry.h"
#include "phonograph/pg_units.h"
#include "driver/fc_load.h"
#include "driver/structure_input.h"

#define NOLIMIT 1.0, 0.0

const pg_deck_key_t pg_deck_keys_phonons[] = {
    {"phonons", "fc_source", PG_DECK_CHOICE, "file", NOLIMIT, 0, 0, NULL, "file|compute",
     "force constants from `force_constants` (file) or by finite displacements with the labeler "
     "(compute)"},
    {"phonons", "force_constants", PG_DECK_PATH, "", NOLIMIT, 0, 0, NULL, NULL,
     "phonopy FORCE_CONSTANTS (full or compact) or force_constants.hdf5, supercell order of "
     "[structure]"},
    {"phonons", "fc_format", PG_DECK_CHOICE, "auto", NOLIMIT, 0, 0, NULL, "auto|text|hdf5",
     "format of force_constants (auto: .hdf5/.h5 = HDF5, else text)"},
    {"phonons", "fc_symmetrize", PG_DECK_CHOICE, "none", NOLIMIT, 0, 0, NULL,
     "none|asr|level1|spacegroup",
     "symmetrise the FCs: asr = translational sum rule; level1 = phonopy --sym-fc (ASR + index "
     "permutation); spacegroup = level1 + average over the supercell's space group"},
    {"phonons", "fc_warn", PG_DECK_REAL, "1e-3", 0, 1e9, 0, 0, "eV/Å²", NULL,
     "warn when a symmetrisation changes any FC element by more than this (bad input)"},
    {"phonons", "mesh", PG_DECK_INTS, "20 20 20", 1, 1000, 3, 3, NULL, NULL,
     "q mesh for DOS, thermal properties and thermal displacements"},
    {"phonons", "mesh_centre", PG_DECK_CHOICE, "mp", NOLIMIT, 0, 0, NULL, "mp|gamma",
     "mp = Monkhorst-Pack (phonopy default: even axes shifted by 1/2), gamma = Γ-centred"},
    {"phonons", "mesh_symmetry", PG_DECK_BOOL, "true", NOLIMIT, 0, 0, NULL, NULL,
     "reduce the mesh to irreducible points (spglib) when thermal displacements are off"},
    {"phonons", "mesh_eigenvectors", PG_DECK_BOOL, "false", NOLIMIT, 0, 0, NULL, NULL,
     "also write the mesh eigenvectors to phonons.h5 (large)"},
    {"phonons", "band_path", PG_DECK_STRING, "", NOLIMIT, 0, 0, NULL, NULL,
     "band path as phonopy BAND: reduced q points (fractions allowed), `,` starts a new path; "
     "empty = no band structure"},
    {"phonons", "band_labels", PG_DECK_WORDS, "", NOLIMIT, 0, 0, NULL, NULL,
     "labels of the band_path points (e.g. G X M G R)"},
    {"phonons", "band_points", PG_DECK_INT, "51", 2, 100000, 0, 0, NULL, NULL,
     "points per band segment, both ends included"},
    {"phonons", "dos_sigma", PG_DECK_REAL, "0.1", 1e-6, 100, 0, 0, "THz", NULL,
     "Gaussian smearing width of the DOS"},
    {"phonons", "dos_method", PG_DECK_CHOICE, "gaussian", NOLIMIT, 0, 0, NULL, "gaussian|tetrahedron",
     "DOS method: gaussian (dos_sigma) or tetrahedron (linear tetrahedron method, Blöchl 1994, "
     "phonopy's tetrahedra; the Gaussian DOS is written too)"},
    {"phonons", "dos_range", PG_DECK_REALS, "auto", -1000, 1000, 3, 3, "THz", "3|auto",
     "DOS grid `fmin fmax step`; auto = min-10σ .. max+10σ in 200 steps (phonopy)"},
    {"phonons", "temperatures", PG_DECK_REALS, "0 100 200 300 400 500 600", 0, 1e5, 1, 10000,
     "K", NULL, "temperatures of thermal properties and thermal displacements"},
    {"phonons", "thermal_displacements", PG_DECK_BOOL, "true", NOLIMIT, 0, 0, NULL, NULL,
     "compute per-atom mean-square displacements (needs the full mesh)"},
    {"phonons", "msd_fmin", PG_DECK_REAL, "0.01", 0, 1e3, 0, 0, "THz", NULL,
     "thermal displacements use modes with ν > msd_fmin (phonopy freq_min)"},
    {"phonons", "cutoff_frequency", PG_DECK_REAL, "0", 0, 1e3, 0, 0, "THz", NULL,
     "thermal properties use modes with ν > cutoff (phonopy cutoff_frequency)"},
    {"phonons", "imaginary_tolerance", PG_DECK_REAL, "0.01", 0, 1e3, 0, 0, "THz", NULL,
     "modes with ν < -tolerance are counted (and warned about) as imaginary"},
    {"phonons", "eigensolver", PG_DECK_CHOICE, "auto", NOLIMIT, 0, 0, NULL,
     "auto|lapack|small|scalapack",
     "auto: per rank the small C solver up to 72 bands, else LAPACK zheevd; ScaLAPACK pzheevd "
     "over all ranks from scalapack_min_bands"},
    {"phonons", "scalapack_min_bands", PG_DECK_INT, "2000", 1, 1e9, 0, 0, NULL, NULL,
     "auto eigensolver: matrices with at least this many bands (3 n_prim) use ScaLAPACK"},
    {"phonons", "scalapack_block", PG_DECK_INT, "64", 1, 4096, 0, 0, NULL, NULL,
     "ScaLAPACK block size"},
    PG_DECK_KEYS_END,
};

/* ---- helpers ---- */

/* a number or a fraction "1/2" */
static int parse_frac(const char *s, size_t n, double *v)
{
    char buf[64];
    if (n == 0 || n >= sizeof buf) return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *slash = strchr(buf, '/'), *end;
    if (slash) {
        *slash = '\0';
        double a = strtod(buf, &end);
        if (*end || end == buf) return 0;
        double b = strtod(slash + 1, &end);
        if (*end || end == slash + 1 || b == 0) return 0;
        *v = a / b;
    } else {
        *v = strtod(buf, &end);
        if (*end || end == buf) return 0;
    }
    return isfinite(*v);
}

/* BAND syntax -> segment ends (pairs). */
static pg_status_t parse_band_path(const char *where, const char *text, int *n_seg,
                                   double (**ends)[3])
{
    pg_status_t st = PG_OK;
    double(*pts)[3] = NULL;
    int *brk = NULL;
    int n_pt = 0, cap = 0, n_num = 0;
    double cur[3];
    *n_seg = 0;
    *ends = NULL;
    size_t L = strlen(text);
    PG_TRY_CALLOC(brk, L + 2, "band path");
    for (size_t p = 0; p <= L;) {
        while (p < L && (text[p] == ' ' || text[p] == '\t')) p++;
        if (p >= L) break;
        if (text[p] == ',') {
            PG_TRY_REQUIRE(n_num == 0, PG_ERR_INPUT,
                           "%s: band_path: a point needs 3 numbers before ','", where);
            if (n_pt > 0) brk[n_pt] = 1;
            p++;
            continue;
        }
        size_t q = p;
        while (q < L && text[q] != ' ' && text[q] != '\t' && text[q] != ',') q++;
        double v;
        PG_TRY_REQUIRE(parse_frac(text + p, q - p, &v), PG_ERR_INPUT,
                       "%s: band_path expects numbers or fractions like 1/2, found \"%.*s\"",
                       where, (int)(q - p), text + p);
        cur[n_num++] = v;
        if (n_num == 3) {
            if (n_pt == cap) {
                cap = cap ? 2 * cap : 16;
                double(*np_)[3] = realloc(pts, sizeof(double[3]) * (size_t)cap);
                PG_TRY_REQUIRE(np_, PG_ERR_NOMEM, "out of memory for band path");
                pts = np_;
            }
            memcpy(pts[n_pt++], cur, sizeof cur);
            n_num = 0;
        }
        p = q;
    }
    PG_TRY_REQUIRE(n_num == 0, PG_ERR_INPUT,
                   "%s: band_path has %d numbers left over (points need 3 each)", where, n_num);
    int n = 0;
    for (int k = 1; k < n_pt; k++)
        if (!brk[k]) n++;
    PG_TRY_REQUIRE(n > 0, PG_ERR_INPUT, "%s: band_path needs at least two points", where);
    PG_TRY_CALLOC(*ends, 2 * n, "band segments");
    n = 0;
    for (int k = 1; k < n_pt; k++) {
        if (brk[k]) continue;
        memcpy((*ends)[2 * n], pts[k - 1], sizeof(double[3]));
        memcpy((*ends)[2 * n + 1], pts[k], sizeof(double[3]));
        n++;
    }
    *n_seg = n;
cleanup:
    free(pts);
    free(brk);
    return st;
}

/* Space-group average of a full FC with the supercell's operations (rank 0 only). */
static pg_status_t fc_spacegroup(const pg_supercell_t *sc, double symprec, pg_fc_t *fc,
                                 double *max_change, int *n_ops)
{
    pg_status_t st = PG_OK;
    pg_symmetry_t sym = {0};
    int64_t *map = NULL;
    double(*rc)[3][3] = NULL;
    PG_TRY(pg_symmetry_find(&sc->cell, symprec, &sym));
    PG_TRY_CALLOC(map, (int64_t)sym.n_ops * sc->cell.n_atom, "atom map");
    PG_TRY_CALLOC(rc, sym.n_ops, "Cartesian rotations");
    PG_TRY(pg_symmetry_atom_map(&sc->cell, &sym, symprec, map));
    for (int op = 0; op < sym.n_ops; op++)
        PG_TRY(pg_symmetry_cart_rotation(sc->cell.lattice, sym.rotations[op], rc[op]));
    PG_TRY(pg_fc_symmetrize_spacegroup(fc, sym.n_ops, (const double(*)[3][3])rc, map, max_change));
    *n_ops = sym.n_ops;
cleanup:
    free(map);
    free(rc);
    pg_symmetry_free(&sym);
    return st;
}

/* Rank 0: read + symmetrise the force constants; then broadcast. Collective. */
static pg_status_t load_fc(MPI_Comm comm, const pg_deck_t *deck, pg_log_t *log,
                           const pg_supercell_t *sc, const pg_primitive_t *prim, double symprec,
                           pg_fc_t *fc)
{
    pg_status_t st = PG_OK;
    pg_fc_t full = {0}, tmp = {0};
    const char *src = NULL, *path = NULL, *fmt = NULL, *sym = NULL;
    double warn = 0;
    PG_CHECK(pg_deck_get_string(deck, "phonons", "fc_source", &src));
    PG_CHECK(pg_deck_get_string(deck, "phonons", "fc_format", &fmt));
    PG_CHECK(pg_deck_get_string(deck, "phonons", "fc_symmetrize", &sym));
    PG_CHECK(pg_deck_get_real(deck, "phonons", "fc_warn", &warn));
    if (!strcmp(src, "compute")) {
        /* finite displacements with PRV-CAP-1 ([labeler] fc_displacement, accuracy, cutoffs)
         * on the supercell as given; every rank returns the same full FC (pg_fdfc.h) */
        pg_labeler_opts_t lo;
        pg_labeler_t *lab = NULL;
        pg_fdfc_info_t fi;
        PG_CHECK(pg_labeler_opts_from_deck(deck, &lo));
        lo.labels = PG_LABEL_ENERGY; /* the potential only */
        PG_CHECK(pg_labeler_create(&lo, &lab));
        st = pg_labeler_force_constants(lab, comm, &sc->cell, symprec, fc, &fi);
        pg_labeler_destroy(&lab);
        PG_CHECK(st);
        pg_log_info(log, "force constants: finite displacements with PRV-CAP-1 (%.3g Å, %lld displacements, "
             "%d independent atoms, space group %d; level-1 symmetrisation change %.2e eV/Å²)",
             lo.fc_displacement_ang, (long long)fi.n_disp, fi.n_indep, fi.spacegroup_number,
             fi.max_sym_change);
        return PG_OK;
    }
    if (!pg_deck_is_set(deck, "phonons", "force_constants"))
        return PG_ERR(PG_ERR_INPUT, "%s: [phonons] force_constants is required with fc_source = file",
                      pg_deck_where(deck, "phonons", "force_constants"));
    PG_CHECK(pg_deck_get_string(deck, "phonons", "force_constants", &path));
    if (pg_par_rank(comm) == 0) {
        int64_t n_s = sc->cell.n_atom;
        PG_TRY(fc_load_file(path, fmt, sc, prim->cell.n_atom, prim->p2s,
                            "primitive cell of [structure]", NULL, fc));
        pg_log_info(log, "force constants: %s (%s, %lld x %lld)", path,
             pg_fc_is_full(fc) ? "full" : "compact", (long long)fc->n_row, (long long)fc->n_super);
        if (strcmp(sym, "none")) {
            double c1 = 0, c2 = 0;
            int n_ops = 0;
            if (!strcmp(sym, "spacegroup")) {
                double(*frac)[3] = NULL;
                PG_TRY_CALLOC(frac, n_s, "fractional positions");
                st = fc_load_supercell_frac(sc, frac);
                if (st == PG_OK) st = pg_fc_to_full(fc, (const double(*)[3])frac, prim->s2p, 1e-5, &full);
                free(frac);
                PG_TRY(st);
                PG_TRY(fc_spacegroup(sc, symprec, &full, &c2, &n_ops));
                pg_log_info(log, "FC space-group symmetrisation (%d operations): max change %.3e eV/Å²",
                     n_ops, c2);
                if (c2 > warn)
                    pg_log_warn(log, "space-group symmetrisation changed FCs by %.3e eV/Å² (> fc_warn "
                              "%.1e): force constants and structure may not match",
                         c2, warn);
                if (!pg_fc_is_full(fc)) {
                    PG_TRY(pg_fc_to_compact(&full, fc->n_row, fc->p2s, &tmp));
                    pg_fc_free(fc);
                    *fc = tmp;
                    memset(&tmp, 0, sizeof tmp);
                } else {
                    pg_fc_free(fc);
                    *fc = full;
                    memset(&full, 0, sizeof full);
                }
            }
            if (!strcmp(sym, "asr")) pg_fc_asr(fc, &c1);
            else PG_TRY(pg_fc_symmetrize(fc, 1, &c1));
            pg_log_info(log, "FC %s symmetrisation: max change %.3e eV/Å²%s",
                 !strcmp(sym, "asr") ? "translational (ASR)" : "ASR + permutation", c1,
                 pg_fc_is_full(fc) || !strcmp(sym, "asr") ? "" : " (compact: ASR only)");
            if (c1 > warn)
                pg_log_warn(log, "FC symmetrisation changed elements by %.3e eV/Å² (> fc_warn %.1e): "
                          "check the force constants",
                     c1, warn);
        }
    }
cleanup:
    pg_fc_free(&full);
    pg_fc_free(&tmp);
    PG_CHECK(pg_par_agree(comm, &st));
    if (st != PG_OK) return st;
    PG_CHECK(fc_load_bcast(comm, fc));
    return PG_OK;
}

/* [structure] -> supercell + primitive (every rank; symmetry for `auto` from rank 0). */
static pg_status_t build_structure(MPI_Comm comm, const pg_deck_t *deck, pg_log_t *log,
                                   const pg_cell_t *given, pg_cell_t *unit, pg_supercell_t *sc,
                                   pg_primitive_t *prim, pg_symmetry_t *psym, double *symprec_out)
{
    pg_status_t st = PG_OK;
    const char *path = NULL;
    double symprec = 1e-5;
    pg_symmetry_t usym = {0};
    PG_CHECK(pg_deck_get_string(deck, "structure", "unitcell", &path));
    PG_CHECK(pg_deck_get_real(deck, "structure", "symprec", &symprec));
    *symprec_out = symprec;
    if (given) PG_CHECK(pg_cell_copy(unit, given)); /* the run's relaxed cell */
    else PG_CHECK(pg_poscar_read(comm, path, unit));
    /* the same reading as the structure stage (phonopy's --dim / --pa meaning) */
    int M[3][3];
    double P[3][3];
    PG_CHECK(pg_structure_supercell_matrix(deck, M));
    const int is_auto = pg_structure_primitive_is_auto(deck);
    if (is_auto) {
        if (pg_par_rank(comm) == 0) st = pg_symmetry_find(unit, symprec, &usym);
        PG_CHECK(pg_par_agree(comm, &st));
        if (st != PG_OK) return st;
        PG_TRY(pg_symmetry_bcast(comm, 0, &usym));
    }
    PG_TRY(pg_structure_primitive_matrix(deck, is_auto ? &usym : NULL, P));
    if (is_auto)
        pg_log_info(log, "primitive = auto: space group %s (%d), P = [%.4g %.4g %.4g; %.4g %.4g %.4g; %.4g %.4g %.4g]",
             usym.international, usym.spacegroup_number, P[0][0], P[0][1], P[0][2], P[1][0],
             P[1][1], P[1][2], P[2][0], P[2][1], P[2][2]);
    PG_TRY(pg_supercell_build(unit, (const int(*)[3])M, PG_SUPERCELL_SYMPREC, sc));
    PG_TRY(pg_primitive_build(sc, (const double(*)[3])P, symprec, prim));
    if (pg_par_rank(comm) == 0) st = pg_symmetry_find(&prim->cell, symprec, psym);
    PG_TRY(pg_par_agree(comm, &st));
    if (st != PG_OK) goto cleanup;
    PG_TRY(pg_symmetry_bcast(comm, 0, psym));
    pg_log_info(log, "structure: %lld atoms in the unit cell, supercell %lld atoms, primitive cell %lld "
              "atoms (%s), %lld primitive cells",
         (long long)unit->n_atom, (long long)sc->cell.n_atom, (long long)prim->cell.n_atom,
         psym->international, (long long)prim->n_cell);
cleanup:
    pg_symmetry_free(&usym);
    return st;
}

static pg_status_t h5_complex(pg_h5_t *h, const char *path, int rank, const int64_t *dims,
                              const double complex *z)
{
    int64_t d[4];
    for (int k = 0; k < rank; k++) d[k] = dims[k];
    d[rank] = 2;
    PG_CHECK(pg_h5_write(h, path, PG_H5_F64, rank + 1, d, z));
    PG_CHECK(pg_h5_attr_write_string(h, path, "layout", "last axis = (real, imaginary)"));
    return PG_OK;
}

static int64_t count_imag(int64_t n, const double *f, double tol, double *fmin, double *fmax)
{
    int64_t c = 0;
    for (int64_t t = 0; t < n; t++) {
        if (f[t] < -tol) c++;
        if (f[t] < *fmin) *fmin = f[t];
        if (f[t] > *fmax) *fmax = f[t];
    }
    return c;
}

/* ---- the stage ---- */

/* FNV-1a of a file's bytes folded into h; an unreadable file folds in a fixed marker (the
 * stage itself then fails on reading it with a proper message) */
static uint64_t hash_file(uint64_t h, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return (h ^ 0x6d697373696e67ULL) * 0x100000001b3ULL;
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        for (size_t i = 0; i < n; i++) h = (h ^ buf[i]) * 0x100000001b3ULL;
    fclose(f);
    return h;
}

/* The phonons of a run depend on the deck's [structure], [relax], [phonons] and [labeler]
 * values and on the contents of the input files they name: the unit-cell POSCAR and, with
 * fc_source = file, the force-constant file. An edited input file therefore invalidates
 * phonons.h5 even when the deck text is unchanged. */
uint64_t pg_phonons_fingerprint(const pg_deck_t *deck)
{
    static const char *const sections[] = {"structure", "relax", "phonons", "labeler", NULL};
    uint64_t h = pg_deck_fingerprint(deck, sections);
    const char *path = NULL, *src = NULL;
    if (pg_deck_get_string(deck, "structure", "unitcell", &path) == PG_OK && path)
        h = hash_file(h, path);
    if (pg_deck_get_string(deck, "phonons", "fc_source", &src) == PG_OK && src &&
        !strcmp(src, "file") && pg_deck_is_set(deck, "phonons", "force_constants") &&
        pg_deck_get_string(deck, "phonons", "force_constants", &path) == PG_OK && path)
        h = hash_file(h, path);
    pg_err_clear();
    return h;
}

/* rank 0: is <out_dir>/phonons.h5 complete and made from this deck? */
static pg_status_t check_output_local(const pg_deck_t *deck, const char *out_dir, int *ok,
                                      pg_phonons_summary_t *sum, char *why, size_t cap)
{
    pg_status_t st = PG_OK;
    pg_h5_t *h = NULL;
    char *format = NULL, *fp = NULL;
    char path[4096], want[32];
    *ok = 0;
    snprintf(path, sizeof path, "%s/phonons.h5", out_dir);
    snprintf(want, sizeof want, "%016llx", (unsigned long long)pg_phonons_fingerprint(deck));
    struct stat sb;
    if (stat(path, &sb) != 0) {
        snprintf(why, cap, "%s is missing", path);
        return PG_OK;
    }
    if (pg_h5_open(path, PG_H5_READ, MPI_COMM_NULL, &h) != PG_OK) {
        pg_err_clear();
        snprintf(why, cap, "%s is not a readable HDF5 file (truncated?)", path);
        return PG_OK;
    }
    int32_t complete = 0;
    if (!pg_h5_attr_exists(h, "/", "format") || pg_h5_attr_read_string(h, "/", "format", &format) != PG_OK ||
        strcmp(format, "phonograph-phonons") != 0) {
        snprintf(why, cap, "%s is not a phonograph phonons file", path);
    } else if (!pg_h5_attr_exists(h, "/", "complete") ||
               pg_h5_attr_read(h, "/", "complete", PG_H5_I32, 1, &complete) != PG_OK || complete != 1) {
        snprintf(why, cap, "%s is incomplete (no completion mark; written by an interrupted run or "
                           "an older version)", path);
    } else if (!pg_h5_attr_exists(h, "/", "deck_fingerprint") ||
               pg_h5_attr_read_string(h, "/", "deck_fingerprint", &fp) != PG_OK) {
        snprintf(why, cap, "%s has no deck fingerprint", path);
    } else if (strcmp(fp, want) != 0) {
        snprintf(why, cap, "%s was made from other [structure]/[relax]/[phonons]/[labeler] values "
                           "or input files (fingerprint %s, this deck and its input files %s)", path, fp, want);
    } else {
        int64_t counts[4];
        double range[2];
        PG_TRY(pg_h5_attr_read(h, "/", "summary_counts", PG_H5_I64, 4, counts));
        PG_TRY(pg_h5_attr_read(h, "/", "summary_freq_range_THz", PG_H5_F64, 2, range));
        sum->n_band = (int)counts[0];
        sum->n_mesh_q = counts[1];
        sum->n_imaginary_mesh = counts[2];
        sum->n_imaginary_commensurate = counts[3];
        sum->min_freq_thz = range[0];
        sum->max_freq_thz = range[1];
        *ok = 1;
    }
    pg_err_clear();
cleanup:
    free(format);
    free(fp);
    if (h) pg_h5_close(&h);
    return st;
}

pg_status_t pg_phonons_check_output(MPI_Comm comm, const pg_deck_t *deck, const char *out_dir,
                                    int *ok, pg_phonons_summary_t *summary, char *why, size_t cap)
{
    pg_status_t st = PG_OK;
    pg_phonons_summary_t sum = {0};
    int good = 0;
    why[0] = '\0';
    if (pg_par_rank(comm) == 0) st = check_output_local(deck, out_dir, &good, &sum, why, cap);
    PG_CHECK(pg_par_agree(comm, &st));
    if (st != PG_OK) return st;
    PG_CHECK(pg_par_bcast(comm, 0, &good, sizeof good));
    PG_CHECK(pg_par_bcast(comm, 0, &sum, sizeof sum));
    PG_CHECK(pg_par_bcast(comm, 0, why, cap));
    *ok = good;
    if (summary) *summary = sum;
    return PG_OK;
}

pg_status_t pg_phonons_run(MPI_Comm comm, const pg_deck_t *deck, pg_log_t *log,
                           const char *out_dir, pg_phonons_summary_t *summary)
{
    return pg_phonons_run_cell(comm, deck, log, out_dir, NULL, summary);
}

pg_status_t pg_phonons_run_cell(MPI_Comm comm, const pg_deck_t *deck, pg_log_t *log,
                                const char *out_dir, const pg_cell_t *unitcell,
                                pg_phonons_summary_t *summary)
{
    pg_status_t st = PG_OK;
    const int rank = pg_par_rank(comm);
    pg_cell_t unit = {0};
    pg_supercell_t sc = {0};
    pg_primitive_t prim = {0};
    pg_symmetry_t psym = {0};
    pg_fc_t fc = {0};
    pg_dynmat_t *dm = NULL;
    pg_phonon_modes_t cm = {0};
    pg_qset_t mq = {0}, bq = {0};
    pg_irmesh_t ir = {0};
    double *mf = NULL, *bf = NULL, *bdist = NULL, *msd = NULL, *dos = NULL, *fgrid = NULL;
    double *dos_t = NULL;
    int64_t *grid_row = NULL, *row_of = NULL;
    double complex *me = NULL, *be = NULL;
    double(*ends)[3] = NULL;
    pg_h5_t *h = NULL;
    int n_seg = 0;
    double symprec = 1e-5;
    pg_phonons_summary_t sum = {0};
    sum.min_freq_thz = INFINITY;
    sum.max_freq_thz = -INFINITY;

    /* deck */
    const int64_t *mesh64 = NULL;
    const double *temps = NULL, *drange = NULL;
    const char *centre = NULL, *solver = NULL, *band = NULL;
    const char *const *labels = NULL;
    int n3 = 0, n_t = 0, n_dr = 0, n_lab = 0, do_msd = 0, mesh_sym = 0, mesh_ev = 0;
    int64_t band_pts = 51, scal_min = 0, scal_nb = 64;
    double sigma = 0.1, msd_fmin = 0.01, cutoff = 0, imag_tol = 0.01;
    PG_CHECK(pg_deck_get_ints(deck, "phonons", "mesh", &mesh64, &n3));
    PG_CHECK(pg_deck_get_string(deck, "phonons", "mesh_centre", &centre));
    PG_CHECK(pg_deck_get_bool(deck, "phonons", "mesh_symmetry", &mesh_sym));
    PG_CHECK(pg_deck_get_bool(deck, "phonons", "mesh_eigenvectors", &mesh_ev));
    /* an empty default reads as "not set": no band path, no labels */
    if (pg_deck_is_set(deck, "phonons", "band_path"))
        PG_CHECK(pg_deck_get_string(deck, "phonons", "band_path", &band));
    if (pg_deck_is_set(deck, "phonons", "band_labels"))
        PG_CHECK(pg_deck_get_words(deck, "phonons", "band_labels", &labels, &n_lab));
    PG_CHECK(pg_deck_get_int(deck, "phonons", "band_points", &band_pts));
    PG_CHECK(pg_deck_get_real(deck, "phonons", "dos_sigma", &sigma));
    const char *dos_method = NULL;
    PG_CHECK(pg_deck_get_string(deck, "phonons", "dos_method", &dos_method));
    const int tetra = !strcmp(dos_method, "tetrahedron");
    PG_CHECK(pg_deck_get_reals(deck, "phonons", "dos_range", &drange, &n_dr));
    PG_CHECK(pg_deck_get_reals(deck, "phonons", "temperatures", &temps, &n_t));
    PG_CHECK(pg_deck_get_bool(deck, "phonons", "thermal_displacements", &do_msd));
    PG_CHECK(pg_deck_get_real(deck, "phonons", "msd_fmin", &msd_fmin));
    PG_CHECK(pg_deck_get_real(deck, "phonons", "cutoff_frequency", &cutoff));
    PG_CHECK(pg_deck_get_real(deck, "phonons", "imaginary_tolerance", &imag_tol));
    PG_CHECK(pg_deck_get_string(deck, "phonons", "eigensolver", &solver));
    PG_CHECK(pg_deck_get_int(deck, "phonons", "scalapack_min_bands", &scal_min));
    PG_CHECK(pg_deck_get_int(deck, "phonons", "scalapack_block", &scal_nb));
    if (band && *band)
        PG_CHECK(parse_band_path(pg_deck_where(deck, "phonons", "band_path"), band, &n_seg, &ends));

    /* structure and force constants */
    PG_TRY(build_structure(comm, deck, log, unitcell, &unit, &sc, &prim, &psym, &symprec));
    PG_TRY(load_fc(comm, deck, log, &sc, &prim, symprec, &fc));
    st = pg_dynmat_create(&prim.cell, &sc.cell, prim.p2s, prim.s2pp, &fc, PG_SUPERCELL_SYMPREC, &dm);
    PG_TRY(pg_par_agree(comm, &st));
    if (st != PG_OK) goto cleanup;
    {
        /* the force constants as used (after symmetrisation), for the sample stage */
        char fc_path[4096];
        PG_TRY(fc_load_write_run_file(comm, out_dir, &sc, prim.s2p, &fc, fc_path, sizeof fc_path));
        pg_log_info(log, "force constants used -> %s (full, phonopy format)", fc_path);
    }
    const int nb = pg_dynmat_n_band(dm), n_p = nb / 3;
    sum.n_band = nb;
    {
        int mm = 0;
        int64_t nv = 0;
        pg_dynmat_image_stats(dm, &mm, &nv);
        pg_log_info(log, "dynamical matrix: %d bands, %lld image vectors, max multiplicity %d%s", nb,
             (long long)nv, mm,
             pg_dynmat_is_real(dm) ? "; real for every q (all atoms on inversion centres)" : "");
    }

    /* commensurate modes (rank 0; cheap) */
    if (rank == 0) {
        st = pg_phonon_commensurate_modes(dm, (const int(*)[3])prim.smat, &cm);
        if (st == PG_OK)
            sum.n_imaginary_commensurate =
                count_imag(cm.n_rep * nb, cm.freq_thz, imag_tol, &sum.min_freq_thz, &sum.max_freq_thz);
    }
    PG_TRY(pg_par_agree(comm, &st));
    if (st != PG_OK) goto cleanup;

    /* mesh (rank 0 builds the list) */
    int mesh[3] = {(int)mesh64[0], (int)mesh64[1], (int)mesh64[2]}, shift[3];
    pg_phonon_mp_shift(mesh, !strcmp(centre, "gamma"), shift);
    int use_ir = mesh_sym && !(do_msd && n_t > 0) && !mesh_ev;
    if (rank == 0) {
        if (use_ir) {
            st = pg_symmetry_ir_mesh(&psym, mesh, shift, 1, &ir);
            if (st == PG_OK) {
                mq.n_q = ir.n_ir;
                mq.q = calloc((size_t)ir.n_ir, sizeof(double[3]));
                mq.weight = calloc((size_t)ir.n_ir, sizeof(double));
                if (!mq.q || !mq.weight) st = PG_ERR(PG_ERR_NOMEM, "irreducible q-points");
                else
                    for (int64_t t = 0; t < ir.n_ir; t++) {
                        memcpy(mq.q[t], ir.qpoints[t], sizeof(double[3]));
                        mq.weight[t] = (double)ir.weights[t];
                    }
            }
        } else {
            st = pg_phonon_mesh(mesh, shift, &mq);
        }
    }
    PG_TRY(pg_par_agree(comm, &st));
    if (st != PG_OK) goto cleanup;
    pg_phonon_solve_opts_t o = {0};
    o.want_evec = mesh_ev;
    o.solver = !strcmp(solver, "lapack")      ? PG_EIGEN_LAPACK
               : !strcmp(solver, "small")     ? PG_EIGEN_SMALL
               : !strcmp(solver, "scalapack") ? PG_EIGEN_SCALAPACK
                                              : PG_EIGEN_AUTO;
    o.scalapack_min_band = (int)scal_min;
    o.scalapack_nb = (int)scal_nb;
    o.n_t = do_msd ? n_t : 0;
    o.temp_k = temps;
    o.msd_fmin_thz = msd_fmin;
    if (rank == 0) PG_TRY_CALLOC(msd, (int64_t)n_t * n_p * 9 + 1, "thermal displacements");
    double t0 = pg_par_wtime();
    PG_TRY(pg_phonon_solve_distributed(comm, dm, &mq, &o, &mf, &me, msd, &sum.used_scalapack));
    sum.seconds_solve = pg_par_wtime() - t0;
    sum.n_mesh_q = mq.n_q;
    pg_log_info(log, "mesh %d x %d x %d (%s%s): %lld q-points solved on %d rank(s) with %s in %.3f s",
         mesh[0], mesh[1], mesh[2], !strcmp(centre, "gamma") ? "Γ-centred" : "Monkhorst-Pack",
         use_ir ? ", irreducible" : "", (long long)mq.n_q, pg_par_size(comm),
         sum.used_scalapack ? "ScaLAPACK pzheevd"
         : o.solver == PG_EIGEN_LAPACK || (o.solver == PG_EIGEN_AUTO && nb > PG_DYNMAT_SMALL_MAX_BANDS)
             ? "LAPACK zheevd"
         : pg_dynmat_is_real(dm) ? "the small real-symmetric solver"
                                 : "the small Hermitian solver",
         sum.seconds_solve);

    /* band path */
    if (n_seg > 0) {
        double recip[3][3];
        if (rank == 0) st = pg_cell_reciprocal(&prim.cell, recip);
        if (rank == 0 && st == PG_OK)
            st = pg_phonon_band_path(n_seg, (const double(*)[3])ends, (int)band_pts, recip, &bq, &bdist);
        PG_TRY(pg_par_agree(comm, &st));
        if (st != PG_OK) goto cleanup;
        pg_phonon_solve_opts_t ob = o;
        ob.want_evec = 1;
        ob.n_t = 0;
        PG_TRY(pg_phonon_solve_distributed(comm, dm, &bq, &ob, &bf, &be, NULL, NULL));
    }

    /* rank 0: DOS, thermal properties, output */
    if (rank == 0) {
        sum.n_imaginary_mesh = count_imag(mq.n_q * nb, mf, imag_tol, &sum.min_freq_thz, &sum.max_freq_thz);
        if (sum.n_imaginary_mesh || sum.n_imaginary_commensurate)
            pg_log_warn(log, "imaginary modes (ν < -%.3g THz): %lld on the mesh, %lld at commensurate "
                      "points; lowest ν = %.4f THz (dynamically unstable structure?)",
                 imag_tol, (long long)sum.n_imaginary_mesh,
                 (long long)sum.n_imaginary_commensurate, sum.min_freq_thz);
        double f0, f1, df;
        if (n_dr == 3) {
            f0 = drange[0];
            f1 = drange[1];
            df = drange[2];
        } else {
            f0 = sum.min_freq_thz - 10 * sigma;
            f1 = sum.max_freq_thz + 10 * sigma;
            df = (f1 - f0) / 200;
        }
        PG_TRY_REQUIRE(df > 0 && f1 > f0, PG_ERR_INPUT, "%s: dos_range needs fmin < fmax, step > 0",
                       pg_deck_where(deck, "phonons", "dos_range"));
        int64_t n_f = (int64_t)floor((f1 - f0) / df + 1e-9) + 1;
        PG_TRY_CALLOC(fgrid, n_f, "DOS grid");
        PG_TRY_CALLOC(dos, n_f, "DOS");
        for (int64_t t = 0; t < n_f; t++) fgrid[t] = f0 + df * (double)t;
        pg_phonon_dos_gaussian(mq.n_q, nb, mf, mq.weight, sigma, n_f, fgrid, dos);
        if (tetra) {
            PG_TRY_CALLOC(dos_t, n_f, "tetrahedron DOS");
            const int64_t n_grid = (int64_t)mesh[0] * mesh[1] * mesh[2];
            if (use_ir) { /* each grid point -> the row of its irreducible representative */
                PG_TRY_CALLOC(grid_row, n_grid, "grid -> irreducible row");
                PG_TRY_CALLOC(row_of, n_grid, "irreducible rows");
                for (int64_t r = 0; r < ir.n_ir; r++) row_of[ir.ir_grid[r]] = r;
                for (int64_t g = 0; g < n_grid; g++) {
                    const int *a = ir.grid_address[g];
                    int64_t gi = 0;
                    for (int c = 2; c >= 0; c--) gi = gi * mesh[c] + ((a[c] % mesh[c]) + mesh[c]) % mesh[c];
                    PG_TRY_REQUIRE(gi == g, PG_ERR_INTERNAL,
                                   "spglib grid index %lld has address (%d %d %d), not in g0-fastest order",
                                   (long long)g, a[0], a[1], a[2]);
                    grid_row[g] = row_of[ir.map[g]];
                }
            }
            double recip[3][3];
            PG_TRY(pg_cell_reciprocal(&prim.cell, recip));
            PG_TRY(pg_phonon_dos_tetrahedron(mesh, (const double(*)[3])recip, grid_row, nb, mf, n_f,
                                             fgrid, dos_t));
        }
        double F[n_t > 0 ? n_t : 1], S[n_t > 0 ? n_t : 1], C[n_t > 0 ? n_t : 1];
        pg_phonon_thermal(mq.n_q, nb, mf, mq.weight, cutoff, n_t, temps, F, S, C);

        char path[4096], final_path[4096];
        snprintf(final_path, sizeof final_path, "%s/phonons.h5", out_dir);
        snprintf(path, sizeof path, "%s/phonons.h5.partial", out_dir);
        PG_TRY(pg_h5_open(path, PG_H5_TRUNCATE, MPI_COMM_NULL, &h));
        PG_TRY(pg_h5_attr_write_string(h, "/", "format", "phonograph-phonons"));
        int32_t ver = 1;
        PG_TRY(pg_h5_attr_write(h, "/", "version", PG_H5_I32, 1, &ver));
        PG_TRY(pg_h5_attr_write_string(h, "/", "units",
                                       "frequencies THz (negative = imaginary), q reduced in the "
                                       "primitive reciprocal basis without 2pi, Å, amu, K"));
        /* structure */
        int64_t d33[2] = {3, 3}, dn[2] = {n_p, 3};
        PG_TRY(pg_h5_write(h, "/structure/primitive_lattice", PG_H5_F64, 2, d33, prim.cell.lattice));
        PG_TRY(pg_h5_write(h, "/structure/primitive_positions", PG_H5_F64, 2, dn, prim.cell.pos));
        PG_TRY(pg_h5_write(h, "/structure/primitive_masses", PG_H5_F64, 1, dn, prim.cell.mass));
        PG_TRY(pg_h5_write(h, "/structure/primitive_numbers", PG_H5_I32, 1, dn, prim.cell.z));
        PG_TRY(pg_h5_write(h, "/structure/p2s_map", PG_H5_I64, 1, dn, prim.p2s));
        int64_t ns = sc.cell.n_atom;
        PG_TRY(pg_h5_write(h, "/structure/s2pp_map", PG_H5_I64, 1, &ns, prim.s2pp));
        PG_TRY(pg_h5_write(h, "/structure/supercell_matrix_wrt_primitive", PG_H5_I32, 2, d33, prim.smat));
        PG_TRY(pg_h5_write(h, "/structure/supercell_lattice", PG_H5_F64, 2, d33, sc.cell.lattice));
        PG_TRY(pg_h5_attr_write_string(h, "/structure", "space_group", psym.international));
        /* commensurate */
        int64_t dr[3] = {cm.n_rep, nb, nb}, dq[2] = {cm.n_rep, 3};
        PG_TRY(pg_h5_write(h, "/commensurate/qpoints", PG_H5_F64, 2, dq, cm.q));
        PG_TRY(pg_h5_write(h, "/commensurate/is_ii", PG_H5_I32, 1, dr, cm.is_ii));
        PG_TRY(pg_h5_write(h, "/commensurate/frequencies", PG_H5_F64, 2, dr, cm.freq_thz));
        PG_TRY(h5_complex(h, "/commensurate/eigenvectors", 3, dr, cm.evec));
        PG_TRY(pg_h5_attr_write(h, "/commensurate", "n_q", PG_H5_I64, 1, &cm.n_q));
        /* mesh */
        int64_t dm2[2] = {mq.n_q, 3}, dmf[3] = {mq.n_q, nb, nb};
        PG_TRY(pg_h5_write(h, "/mesh/qpoints", PG_H5_F64, 2, dm2, mq.q));
        PG_TRY(pg_h5_write(h, "/mesh/weights", PG_H5_F64, 1, dm2, mq.weight));
        PG_TRY(pg_h5_write(h, "/mesh/frequencies", PG_H5_F64, 2, dmf, mf));
        if (mesh_ev) PG_TRY(h5_complex(h, "/mesh/eigenvectors", 3, dmf, me));
        int32_t m32[3] = {mesh[0], mesh[1], mesh[2]}, s32[3] = {shift[0], shift[1], shift[2]};
        int32_t irr = use_ir;
        PG_TRY(pg_h5_attr_write(h, "/mesh", "mesh", PG_H5_I32, 3, m32));
        PG_TRY(pg_h5_attr_write(h, "/mesh", "shift", PG_H5_I32, 3, s32));
        PG_TRY(pg_h5_attr_write(h, "/mesh", "irreducible", PG_H5_I32, 1, &irr));
        int64_t nimag = sum.n_imaginary_mesh;
        PG_TRY(pg_h5_attr_write(h, "/mesh", "n_imaginary", PG_H5_I64, 1, &nimag));
        /* DOS */
        PG_TRY(pg_h5_write(h, "/dos/frequency_points", PG_H5_F64, 1, &n_f, fgrid));
        PG_TRY(pg_h5_write(h, "/dos/dos_gaussian", PG_H5_F64, 1, &n_f, dos));
        PG_TRY(pg_h5_attr_write(h, "/dos", "sigma_THz", PG_H5_F64, 1, &sigma));
        PG_TRY(pg_h5_attr_write_string(h, "/dos", "method", dos_method));
        if (tetra) PG_TRY(pg_h5_write(h, "/dos/dos_tetrahedron", PG_H5_F64, 1, &n_f, dos_t));
        /* thermal */
        int64_t dt = n_t;
        if (n_t > 0) {
            PG_TRY(pg_h5_write(h, "/thermal_properties/temperatures", PG_H5_F64, 1, &dt, temps));
            PG_TRY(pg_h5_write(h, "/thermal_properties/free_energy", PG_H5_F64, 1, &dt, F));
            PG_TRY(pg_h5_write(h, "/thermal_properties/entropy", PG_H5_F64, 1, &dt, S));
            PG_TRY(pg_h5_write(h, "/thermal_properties/heat_capacity", PG_H5_F64, 1, &dt, C));
            PG_TRY(pg_h5_attr_write_string(h, "/thermal_properties", "units",
                                           "free_energy kJ/mol, entropy and heat_capacity J/K/mol "
                                           "(mol of primitive cells)"));
            PG_TRY(pg_h5_attr_write(h, "/thermal_properties", "cutoff_frequency_THz", PG_H5_F64, 1,
                                    &cutoff));
        }
        if (do_msd && n_t > 0) {
            int64_t dmm[4] = {n_t, n_p, 3, 3}, dd[3] = {n_t, n_p, 3};
            double *diag = calloc((size_t)(n_t * n_p * 3), sizeof(double));
            PG_TRY_REQUIRE(diag, PG_ERR_NOMEM, "msd");
            for (int64_t t = 0; t < (int64_t)n_t * n_p; t++)
                for (int a = 0; a < 3; a++) diag[t * 3 + a] = msd[t * 9 + 4 * a];
            st = pg_h5_write(h, "/thermal_displacements/msd", PG_H5_F64, 3, dd, diag);
            free(diag);
            PG_TRY(st);
            PG_TRY(pg_h5_write(h, "/thermal_displacements/msd_matrices", PG_H5_F64, 4, dmm, msd));
            PG_TRY(pg_h5_write(h, "/thermal_displacements/temperatures", PG_H5_F64, 1, &dt, temps));
            PG_TRY(pg_h5_attr_write(h, "/thermal_displacements", "freq_min_THz", PG_H5_F64, 1,
                                    &msd_fmin));
        }
        if (n_seg > 0) {
            int64_t db[2] = {bq.n_q, 3}, dbf[3] = {bq.n_q, nb, nb}, de[3] = {n_seg, 2, 3};
            PG_TRY(pg_h5_write(h, "/band/qpoints", PG_H5_F64, 2, db, bq.q));
            PG_TRY(pg_h5_write(h, "/band/distances", PG_H5_F64, 1, db, bdist));
            PG_TRY(pg_h5_write(h, "/band/frequencies", PG_H5_F64, 2, dbf, bf));
            PG_TRY(h5_complex(h, "/band/eigenvectors", 3, dbf, be));
            PG_TRY(pg_h5_write(h, "/band/segment_ends", PG_H5_F64, 3, de, ends));
            int32_t npts = (int32_t)band_pts;
            PG_TRY(pg_h5_attr_write(h, "/band", "points_per_segment", PG_H5_I32, 1, &npts));
            if (n_lab > 0) PG_TRY(pg_h5_write_strings(h, "/band/labels", n_lab, (const char *const *)labels));
        }
        /* last: what a resumed run needs to trust the file (docs/phonons.md "Resume") */
        {
            char fp_hex[32];
            snprintf(fp_hex, sizeof fp_hex, "%016llx", (unsigned long long)pg_phonons_fingerprint(deck));
            PG_TRY(pg_h5_attr_write_string(h, "/", "deck_fingerprint", fp_hex));
            int64_t counts[4] = {nb, sum.n_mesh_q, sum.n_imaginary_mesh, sum.n_imaginary_commensurate};
            double range[2] = {sum.min_freq_thz, sum.max_freq_thz};
            PG_TRY(pg_h5_attr_write(h, "/", "summary_counts", PG_H5_I64, 4, counts));
            PG_TRY(pg_h5_attr_write(h, "/", "summary_freq_range_THz", PG_H5_F64, 2, range));
            int32_t complete = 1;
            PG_TRY(pg_h5_attr_write(h, "/", "complete", PG_H5_I32, 1, &complete));
        }
        PG_TRY(pg_h5_close(&h));
        /* a run killed before this point leaves only phonons.h5.partial (and any older
         * phonons.h5 stays whole); rename is atomic within the directory */
        PG_TRY_REQUIRE(rename(path, final_path) == 0, PG_ERR_IO, "cannot rename %s to %s: %s", path,
                       final_path, strerror(errno));
        pg_log_info(log, "wrote %s: %d bands, ν from %.4f to %.4f THz", final_path, nb, sum.min_freq_thz,
             sum.max_freq_thz);
    }
cleanup:
    if (h) pg_h5_close(&h);
    {
        pg_status_t sa = pg_par_agree(comm, &st);
        if (sa != PG_OK && st == PG_OK) st = sa;
    }
    if (st == PG_OK) {
        double mm[2] = {sum.min_freq_thz, sum.max_freq_thz};
        int64_t ci[3] = {sum.n_imaginary_mesh, sum.n_imaginary_commensurate, sum.n_mesh_q};
        pg_par_bcast(comm, 0, mm, sizeof mm);
        pg_par_bcast(comm, 0, ci, sizeof ci);
        sum.min_freq_thz = mm[0];
        sum.max_freq_thz = mm[1];
        sum.n_imaginary_mesh = ci[0];
        sum.n_imaginary_commensurate = ci[1];
        sum.n_mesh_q = ci[2];
        if (summary) *summary = sum;
    }
    free(mf);
    free(me);
    free(bf);
    free(be);
    free(bdist);
    free(msd);
    free(dos);
    free(dos_t);
    free(grid_row);
    free(row_of);
    free(fgrid);
    free(ends);
    pg_qset_free(&mq);
    pg_qset_free(&bq);
    pg_irmesh_free(&ir);
    pg_phonon_modes_free(&cm);
    pg_dynmat_destroy(&dm);
    pg_fc_free(&fc);
    pg_symmetry_free(&psym);
    pg_primitive_free(&prim);
    pg_supercell_free(&sc);
    pg_cell_free(&unit);
    return st;
}

/* mkdir -p on rank 0 */
static pg_status_t mkdir_p(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    PG_REQUIRE(n < sizeof buf, PG_ERR_INPUT, "output path too long");
    memcpy(buf, path, n + 1);
    for (size_t k = 1; k <= n; k++) {
        if (buf[k] == '/' || buf[k] == '\0') {
            char c = buf[k];
            buf[k] = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return PG_ERR(PG_ERR_IO, "cannot create directory '%s': %s", buf, strerror(errno));
            buf[k] = c;
        }
    }
    return PG_OK;
}

static const char *const phonons_help =
    "usage: phonograph phonons DECK\n\n"
    "Run the phonons stage alone: [structure] + [phonons] of DECK -> <output_dir>/phonons.h5\n"
    "(commensurate modes, mesh frequencies, DOS, thermal properties, thermal displacements,\n"
    "band structure; schema in docs/phonons.md). Keys: phonograph deck.\n";

pg_status_t pg_cmd_phonons(MPI_Comm comm, int argc, char **argv)
{
    pg_status_t st = PG_OK;
    int rank = pg_par_rank(comm);
    const char *deck_path = NULL;
    for (int k = 1; k < argc; k++) {
        if (!strcmp(argv[k], "--help") || !strcmp(argv[k], "-h")) {
            if (rank == 0) fputs(phonons_help, stdout);
            return PG_OK;
        }
        if (deck_path)
            return PG_ERR(PG_ERR_INPUT, "phonons: unexpected argument '%s' (see phonograph phonons --help)",
                          argv[k]);
        deck_path = argv[k];
    }
    if (!deck_path) return PG_ERR(PG_ERR_INPUT, "phonons: missing DECK (see phonograph phonons --help)");
    pg_deck_t *deck = NULL;
    pg_log_t *log = NULL;
    PG_CHECK(pg_deck_read(comm, deck_path, &deck));
    const char *out = NULL, *level = NULL;
    PG_TRY(pg_deck_get_string(deck, "run", "output_dir", &out));
    PG_TRY(pg_deck_get_string(deck, "run", "log_level", &level));
    if (rank == 0) st = mkdir_p(out);
    PG_TRY(pg_par_agree(comm, &st));
    if (st != PG_OK) goto cleanup;
    pg_log_level_t lv = !strcmp(level, "error") ? PG_LOG_ERROR
                        : !strcmp(level, "warn") ? PG_LOG_WARN
                        : !strcmp(level, "debug") ? PG_LOG_DEBUG : PG_LOG_INFO;
    PG_TRY(pg_log_create(comm, lv, NULL, &log));
    PG_TRY(pg_phonons_run(comm, deck, log, out, NULL));
cleanup:
    pg_log_destroy(&log);
    pg_deck_destroy(&deck);
    return st;
}
