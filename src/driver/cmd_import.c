/* cmd_import.c - `phonograph import DATASET.h5|DECK SOURCE`: external DFT labels back into the
 * dataset, from the directory tree of `phonograph export` (config_NNNNNN/vasprun.xml) or from an
 * extxyz file (frames carrying a config_index info key). Policy (docs/dataset.md, "import"):
 * everything is parsed and validated first; a file that does not match its configuration
 * (atom count, species order, lattice, positions) or cannot be read refuses the whole import
 * and nothing is written; electronically unconverged calculations and configurations without
 * results are skipped with a reason and keep "no label". Labels are written into a copy of the
 * dataset that is renamed over the original, so a crash leaves either the old or the new file.
 * Every rank lists the source and reads the files k % size == rank (plus the matching dataset
 * rows); rank 0 gathers the results, validates the whole set, prints the summary and writes. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "phonograph/pg_cli.h"
#include "phonograph/pg_dataset.h"
#include "phonograph/pg_deck.h"
#include "phonograph/pg_element.h"
#include "phonograph/pg_extxyz.h"
#include "phonograph/pg_h5.h"
#include "phonograph/pg_par.h"
#include "phonograph/pg_vasprun.h"
#include "phonograph/pg_version.h"

static const char *const import_help =
    "usage: phonograph import DATASET.h5|DECK SOURCE [--tolerance ANG] [--skip-broken]\n"
    "                         [--replace] [--dry-run] [--verbose]\n\n"
    "Read external DFT labels into the dataset (DECK: <[run] output_dir>/<[sample] output>).\n"
    "SOURCE is either\n"
    "  a directory written by `phonograph export` with one config_NNNNNN/ per configuration\n"
    "  (NNNNNN = configuration index) holding VASP's vasprun.xml, or\n"
    "  an extxyz file (ASE's format) whose frames carry the info key config_index=N.\n"
    "Labels: energy = e_fr_energy of the last ionic step (free energy, consistent with forces\n"
    "and stress; extxyz: free_energy if present, else energy), forces, stress (vasprun: kBar with\n"
    "VASP's sign -> GPa with ASE's sign, tensile positive), hydrostatic stress tr/3, band gap and\n"
    "VBM from eigenvalues and occupations over all spins and k-points (occupied: occupation >= 0.5;\n"
    "a band occupied at one k-point and empty at another is a metal: gap 0; extxyz: info keys gap,\n"
    "vbm in eV, else NaN).\n"
    "Checks: every file must match its configuration (atom count, species in order, lattice and\n"
    "positions within the tolerance, default 1e-4 Å, positions modulo lattice vectors) and be a\n"
    "complete file; otherwise the whole import is refused and the dataset is not touched.\n"
    "Skipped with a reason (the configuration keeps no label): electronically unconverged runs\n"
    "(electronic steps = NELM, or last energy change > EDIFF; extxyz: info converged=F),\n"
    "directories without vasprun.xml, and with --skip-broken truncated or unreadable files.\n"
    "Options:\n"
    "  --tolerance ANG  largest accepted difference of lattice vectors and positions (Å)\n"
    "  --skip-broken    skip truncated/unreadable files instead of refusing the import\n"
    "  --replace        allow importing into a dataset labelled by the embedded labeler or the\n"
    "                   potential: every configuration not imported now loses its labels\n"
    "  --dry-run        parse, validate and print the summary; write nothing\n"
    "  --verbose        list every configuration in the summary (default: at most 20 imported)\n"
    "The file is updated atomically (a copy is written, synced and renamed over it); the labels\n"
    "of imported configurations are marked in /labels/imported, and /provenance/import records\n"
    "the source file per configuration, the sigma->0 energy and a log line per import.\n";

enum { ST_IMPORTED, ST_SKIPPED, ST_REFUSED };
static const char *const status_name[] = {"imported", "skipped", "refused"};

typedef struct {
    int64_t c;          /* configuration index (-1 unknown) */
    int status;
    char source[512];   /* file (and frame) the labels come from */
    char note[512];     /* reason, or a short note on imported rows */
    double energy, energy_sigma0, gap, vbm, hydro;
    double stress[9];
    double *forces;     /* [n_atom*3] */
} item_t;

/* the human-readable note of an item; a note longer than the buffer ends in "..." */
static void set_note(item_t *it, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_note(item_t *it, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(it->note, sizeof it->note, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof it->note) memcpy(it->note + sizeof it->note - 4, "...", 4);
}

typedef struct {
    pg_h5_t *f;         /* open read-only (serial) on every rank */
    int64_t n_config, n_atom;
    char *labeler;
    uint8_t *done;      /* [n_config] */
    int64_t row;        /* configuration held in cell/pos/species (-1 none) */
    double *cell;       /* [9] */
    double *pos;        /* [n_atom][3] */
    int32_t *species;   /* [n_atom] */
} ds_t;

typedef struct {
    double tol;
    int skip_broken, replace, dry_run, verbose;
} opts_t;

static void ds_free(ds_t *d)
{
    pg_h5_close(&d->f);
    free(d->labeler);
    free(d->done);
    free(d->cell);
    free(d->pos);
    free(d->species);
    memset(d, 0, sizeof *d);
}

static pg_status_t ds_read(const char *path, ds_t *d)
{
    pg_status_t st = PG_OK;
    PG_TRY(pg_dataset_check_format(path));
    PG_TRY(pg_h5_open(path, PG_H5_READ, MPI_COMM_NULL, &d->f));
    PG_TRY(pg_h5_attr_read(d->f, "/", "n_config", PG_H5_I64, 1, &d->n_config));
    PG_TRY(pg_h5_attr_read(d->f, "/", "n_atom", PG_H5_I64, 1, &d->n_atom));
    PG_TRY(pg_h5_attr_read_string(d->f, "/", "labeler", &d->labeler));
    PG_TRY_CALLOC(d->done, d->n_config, "completion mask");
    PG_TRY_CALLOC(d->cell, 9, "cell");
    PG_TRY_CALLOC(d->pos, d->n_atom * 3, "positions");
    PG_TRY_CALLOC(d->species, d->n_atom, "species");
    PG_TRY(pg_h5_read(d->f, "/completed", PG_H5_U8, d->done));
    d->row = -1;
cleanup:
    return st;
}

/* Load configuration c (completed, in range) into d->cell/pos/species. */
static pg_status_t ds_row(ds_t *d, int64_t c)
{
    if (d->row == c) return PG_OK;
    d->row = -1;
    PG_CHECK(pg_h5_read_rows(d->f, "/configs/cell", PG_H5_F64, c, 1, d->cell));
    PG_CHECK(pg_h5_read_rows(d->f, "/configs/positions", PG_H5_F64, c, 1, d->pos));
    PG_CHECK(pg_h5_read_rows(d->f, "/configs/species", PG_H5_I32, c, 1, d->species));
    d->row = c;
    return PG_OK;
}

/* ---- validation ---------------------------------------------------------------------- */

static void inv3(const double m[3][3], double inv[3][3])
{
    const double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
                       m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
                       m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            const int i1 = (j + 1) % 3, i2 = (j + 2) % 3, j1 = (i + 1) % 3, j2 = (i + 2) % 3;
            inv[i][j] = (m[i1][j1] * m[i2][j2] - m[i1][j2] * m[i2][j1]) / det;
        }
}

/* 1 if the structure (lattice rows, Cartesian positions, atomic numbers) is configuration c
 * of the dataset; otherwise 0 and a reason. */
static int same_structure(ds_t *d, int64_t c, int64_t n_atom, const int *z,
                          const double lat[3][3], const double (*pos)[3], double tol, char *why,
                          size_t nwhy)
{
    if (ds_row(d, c) != PG_OK) {
        snprintf(why, nwhy, "cannot read configuration %lld from the dataset: %s", (long long)c, pg_err_message());
        pg_err_clear();
        return 0;
    }
    if (n_atom != d->n_atom) {
        snprintf(why, nwhy, "%lld atoms, configuration %lld has %lld", (long long)n_atom, (long long)c,
                 (long long)d->n_atom);
        return 0;
    }
    const int32_t *zs = d->species;
    for (int64_t i = 0; i < n_atom; i++)
        if (z[i] != zs[i]) {
            snprintf(why, nwhy, "atom %lld is %s, configuration %lld has %s there (species order must "
                     "be the exported POSCAR's)", (long long)i + 1, pg_element_symbol(z[i]), (long long)c,
                     pg_element_symbol(zs[i]));
            return 0;
        }
    const double *L = d->cell;
    double worst = 0;
    for (int k = 0; k < 9; k++) worst = fmax(worst, fabs(lat[k / 3][k % 3] - L[k]));
    if (!(worst <= tol)) {
        snprintf(why, nwhy, "lattice differs from configuration %lld's by %.3g Å (tolerance %.3g Å)",
                 (long long)c, worst, tol);
        return 0;
    }
    double Lm[3][3], Li[3][3];
    memcpy(Lm, L, sizeof Lm);
    inv3(Lm, Li);
    const double *P = d->pos;
    int64_t at = -1;
    worst = 0;
    for (int64_t i = 0; i < n_atom; i++) {
        double df[3], dr[3] = {0, 0, 0};
        for (int b = 0; b < 3; b++) {
            double s = 0;
            for (int a = 0; a < 3; a++) s += (pos[i][a] - P[3 * i + a]) * Li[a][b];
            df[b] = s - nearbyint(s);
        }
        for (int b = 0; b < 3; b++)
            for (int a = 0; a < 3; a++) dr[a] += df[b] * Lm[b][a];
        const double e = sqrt(dr[0] * dr[0] + dr[1] * dr[1] + dr[2] * dr[2]);
        if (!(e <= worst)) { worst = e; at = i; }
    }
    if (!(worst <= tol)) {
        snprintf(why, nwhy, "atom %lld (%s) is %.3g Å away from its position in configuration %lld "
                 "(tolerance %.3g Å): another structure", (long long)at + 1, pg_element_symbol(z[at]), worst,
                 (long long)c, tol);
        return 0;
    }
    return 1;
}

static void set_hydro(item_t *it)
{
    it->hydro = (it->stress[0] + it->stress[4] + it->stress[8]) / 3.0;
}

/* ---- sources ------------------------------------------------------------------------- */

static int parse_config_dir(const char *name, int64_t *c)
{
    if (strncmp(name, "config_", 7) != 0 || !name[7]) return 0;
    for (const char *s = name + 7; *s; s++)
        if (!isdigit((unsigned char)*s)) return 0;
    *c = strtoll(name + 7, NULL, 10);
    return 1;
}

static int cmp_item(const void *a, const void *b)
{
    const item_t *x = a, *y = b;
    if (x->c != y->c) return (x->c > y->c) - (x->c < y->c);
    return strcmp(x->source, y->source);
}

static pg_status_t grow(item_t **items, int64_t *cap, int64_t n, int64_t n_atom)
{
    if (n < *cap) return PG_OK;
    int64_t nc = *cap ? 2 * *cap : 16;
    item_t *g = realloc(*items, sizeof(item_t) * (size_t)nc);
    PG_REQUIRE(g, PG_ERR_NOMEM, "out of memory for the import list");
    for (int64_t k = *cap; k < nc; k++) {
        memset(&g[k], 0, sizeof g[k]);
        g[k].forces = calloc((size_t)(3 * n_atom), sizeof(double));
        if (!g[k].forces) {
            *items = g;
            *cap = k;
            return PG_ERR(PG_ERR_NOMEM, "out of memory for forces");
        }
    }
    *items = g;
    *cap = nc;
    return PG_OK;
}

static void fill_vasprun(item_t *it, ds_t *d, const opts_t *o, const char *file)
{
    pg_vasprun_t v;
    if (pg_vasprun_read(file, &v) != PG_OK) {
        it->status = o->skip_broken ? ST_SKIPPED : ST_REFUSED;
        set_note(it, "%s", pg_err_message());
        pg_err_clear();
        return;
    }
    double(*pos)[3] = calloc((size_t)v.n_atom, sizeof *pos);
    if (!pos) {
        it->status = ST_REFUSED;
        set_note(it, "out of memory");
        pg_vasprun_free(&v);
        return;
    }
    for (int64_t i = 0; i < v.n_atom; i++)
        for (int a = 0; a < 3; a++)
            pos[i][a] = v.frac0[i][0] * v.lattice0[0][a] + v.frac0[i][1] * v.lattice0[1][a] +
                        v.frac0[i][2] * v.lattice0[2][a];
    char why[400];
    if (v.n_calc > 1) {
        it->status = ST_REFUSED;
        set_note(it, "%s: %d ionic steps (NSW %d, IBRION %d): labels need a "
                 "single-point calculation of the exported structure (NSW = 0)", file, v.n_calc, v.nsw,
                 v.ibrion);
    } else if (!same_structure(d, it->c, v.n_atom, v.z, (const double(*)[3])v.lattice0,
                               (const double(*)[3])pos, o->tol, why, sizeof why)) {
        it->status = ST_REFUSED;
        set_note(it, "%s does not match configuration %lld: %s", file,
                 (long long)it->c, why);
    } else if (!v.converged) {
        it->status = ST_SKIPPED;
        set_note(it, "%s", v.why);
    } else {
        it->status = ST_IMPORTED;
        it->energy = v.energy_free_ev;
        it->energy_sigma0 = v.energy_sigma0_ev;
        for (int k = 0; k < 9; k++) it->stress[k] = v.has_stress ? v.stress_gpa[k / 3][k % 3] : NAN;
        set_hydro(it);
        for (int64_t k = 0; k < 3 * v.n_atom; k++) it->forces[k] = v.has_forces ? v.forces[k / 3][k % 3] : NAN;
        it->gap = it->vbm = NAN;
        int metal = 0;
        double cbm;
        if (v.eig && pg_vasprun_band_edges(v.n_spin, v.n_kpt, v.n_band, v.eig, v.occ, PG_VASPRUN_OCC_THRESHOLD,
                                           &it->vbm, &cbm, &it->gap, &metal) != PG_OK)
            pg_err_clear();
        set_note(it, "E %.6f eV, gap %.4f eV%s%s%s%s", it->energy, it->gap,
                 metal ? " (metal)" : "", v.has_stress ? "" : ", no stress", v.has_forces ? "" : ", no forces",
                 v.eig ? "" : ", no eigenvalues");
    }
    free(pos);
    pg_vasprun_free(&v);
}

/* List config_NNNNNN/ of dir (every rank, same sorted list); check and read the items
 * k % size == rank. */
static pg_status_t collect_dir(const char *dir, ds_t *d, const opts_t *o, item_t **items,
                               int64_t *n, int64_t *cap, int rank, int size)
{
    DIR *dp = opendir(dir);
    PG_REQUIRE(dp, PG_ERR_IO, "cannot open directory %s: %s", dir, strerror(errno));
    pg_status_t st = PG_OK;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL) {
        int64_t c;
        if (!parse_config_dir(de->d_name, &c)) continue;
        PG_TRY(grow(items, cap, *n, d->n_atom));
        item_t *it = &(*items)[(*n)++];
        it->c = c;
        snprintf(it->source, sizeof it->source, "%s/%s/vasprun.xml", dir, de->d_name);
    }
    PG_TRY_REQUIRE(*n > 0, PG_ERR_INPUT, "%s: expected config_NNNNNN/ directories (phonograph export), found none",
                   dir);
    qsort(*items, (size_t)*n, sizeof(item_t), cmp_item);
    for (int64_t k = rank; k < *n; k += size) {
        item_t *it = &(*items)[k];
        struct stat sb;
        if (it->c >= d->n_config || !d->done[it->c]) {
            it->status = ST_REFUSED;
            set_note(it, "configuration %lld is not %s the dataset", (long long)it->c,
                     it->c >= d->n_config ? "in" : "completed in");
        } else if (k > 0 && (*items)[k - 1].c == it->c) {
            it->status = ST_REFUSED;
            set_note(it, "configuration %lld appears twice", (long long)it->c);
        } else if (stat(it->source, &sb) != 0) {
            it->status = ST_SKIPPED;
            set_note(it, "no vasprun.xml (DFT not run yet?)");
        } else {
            fill_vasprun(it, d, o, it->source);
        }
    }
cleanup:
    closedir(dp);
    return st;
}

static const char *info_value(const pg_extxyz_frame_t *fr, const char *key)
{
    for (int k = 0; k < fr->n_info; k++)
        if (!strcmp(fr->info[k].key, key)) return fr->info[k].value;
    return NULL;
}

static int info_double(const pg_extxyz_frame_t *fr, const char *key, double *x)
{
    const char *v = info_value(fr, key);
    if (!v) return 0;
    char *end = NULL;
    double val = strtod(v, &end);
    if (end == v || *end) return -1;
    *x = val;
    return 1;
}

/* One item per frame (every rank parses the file); frames k % size == rank are checked here,
 * duplicates after the gather (check_duplicates). */
static pg_status_t collect_extxyz(const char *file, ds_t *d, const opts_t *o, item_t **items,
                                  int64_t *n, int64_t *cap, int rank, int size)
{
    pg_extxyz_frame_t *fr = NULL;
    int64_t nf = 0;
    pg_status_t st = PG_OK;
    char *text = NULL;
    size_t len = 0;
    PG_CHECK(pg_par_read_file(MPI_COMM_SELF, file, &text, &len));
    st = pg_extxyz_parse(file, text, &fr, &nf);
    free(text);
    if (st != PG_OK) { /* one file: nothing of it can be trusted, even with --skip-broken */
        pg_err_frame(__FILE__, __LINE__, __func__);
        return st;
    }
    for (int64_t k = 0; k < nf; k++) {
        PG_TRY(grow(items, cap, *n, d->n_atom));
        item_t *it = &(*items)[(*n)++];
        const pg_extxyz_frame_t *f = &fr[k];
        snprintf(it->source, sizeof it->source, "%s#frame%lld", file, (long long)k);
        double ci = -1;
        it->c = -1;
        if (k % size != rank) continue;
        if (info_double(f, "config_index", &ci) != 1 || ci < 0 || ci != floor(ci)) {
            it->status = ST_REFUSED;
            set_note(it, "%s frame %lld: expected an info key config_index=<integer>, "
                     "found %s", file, (long long)k, info_value(f, "config_index") ? info_value(f, "config_index") : "none");
            continue;
        }
        it->c = (int64_t)ci;
        char why[400];
        const char *conv = info_value(f, "converged");
        if (it->c >= d->n_config || !d->done[it->c]) {
            it->status = ST_REFUSED;
            set_note(it, "%s frame %lld: configuration %lld is not %s the dataset", file,
                     (long long)k, (long long)it->c, it->c >= d->n_config ? "in" : "completed in");
        } else if (!same_structure(d, it->c, f->cell.n_atom, f->cell.z, (const double(*)[3])f->cell.lattice,
                                   (const double(*)[3])f->cell.pos, o->tol, why, sizeof why)) {
            it->status = ST_REFUSED;
            set_note(it, "%s frame %lld does not match configuration %lld: %s", file,
                     (long long)k, (long long)it->c, why);
        } else if (conv && (toupper((unsigned char)conv[0]) == 'F')) {
            it->status = ST_SKIPPED;
            set_note(it, "info converged=%s (not converged electronically)", conv);
        } else {
            double e = NAN;
            int has_free = info_double(f, "free_energy", &e);
            if (has_free != 1 && f->has_energy) e = f->energy_ev;
            if (!isfinite(e) || has_free < 0) {
                it->status = ST_REFUSED;
                set_note(it, "%s frame %lld: expected energy= or free_energy= (eV), found %s",
                         file, (long long)k, has_free < 0 ? "a non-number free_energy" : "none");
                continue;
            }
            it->status = ST_IMPORTED;
            it->energy = e;
            it->energy_sigma0 = f->has_energy ? f->energy_ev : NAN;
            for (int q = 0; q < 9; q++) it->stress[q] = f->has_stress ? f->stress_gpa[q / 3][q % 3] : NAN;
            set_hydro(it);
            for (int64_t q = 0; q < 3 * d->n_atom; q++) it->forces[q] = f->has_forces ? f->forces[q / 3][q % 3] : NAN;
            it->gap = it->vbm = NAN;
            if (info_double(f, "gap", &it->gap) < 0 || info_double(f, "vbm", &it->vbm) < 0) {
                it->status = ST_REFUSED;
                set_note(it, "%s frame %lld: gap/vbm info keys must be numbers (eV)", file,
                         (long long)k);
                continue;
            }
            set_note(it, "E %.6f eV (%s), gap %.4f eV", it->energy,
                     has_free == 1 ? "free_energy" : "energy", it->gap);
        }
    }
    PG_TRY_REQUIRE(*n > 0, PG_ERR_INPUT, "%s: no frames", file);
cleanup:
    pg_extxyz_frames_free(&fr, nf);
    return st;
}

/* ---- writing ------------------------------------------------------------------------- */

static pg_status_t copy_file(const char *src, const char *dst)
{
    pg_status_t st = PG_OK;
    char *buf = NULL;
    int in = open(src, O_RDONLY), out = -1;
    struct stat sb;
    PG_TRY_REQUIRE(in >= 0 && fstat(in, &sb) == 0, PG_ERR_IO, "cannot open %s: %s", src, strerror(errno));
    out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, sb.st_mode & 0777);
    PG_TRY_REQUIRE(out >= 0, PG_ERR_IO, "cannot create %s: %s", dst, strerror(errno));
    PG_TRY_CALLOC(buf, 1 << 20, "copy buffer");
    for (;;) {
        ssize_t r = read(in, buf, 1 << 20);
        PG_TRY_REQUIRE(r >= 0, PG_ERR_IO, "reading %s: %s", src, strerror(errno));
        if (r == 0) break;
        for (ssize_t off = 0; off < r;) {
            ssize_t w = write(out, buf + off, (size_t)(r - off));
            PG_TRY_REQUIRE(w > 0, PG_ERR_IO, "writing %s: %s", dst, strerror(errno));
            off += w;
        }
    }
cleanup:
    free(buf);
    if (in >= 0) close(in);
    if (out >= 0 && close(out) != 0 && st == PG_OK)
        st = PG_ERR(PG_ERR_IO, "closing %s: %s", dst, strerror(errno));
    return st;
}

static pg_status_t sync_path(const char *path, int dir)
{
    int fd = open(path, dir ? O_RDONLY | O_DIRECTORY : O_RDWR);
    PG_REQUIRE(fd >= 0, PG_ERR_IO, "cannot open %s to sync it: %s", path, strerror(errno));
    int r = fsync(fd);
    close(fd);
    PG_REQUIRE(r == 0 || dir, PG_ERR_IO, "fsync %s: %s", path, strerror(errno));
    return PG_OK;
}

static const char *label_paths[] = {"/labels/energy", "/labels/energy_per_atom", "/labels/gap", "/labels/vbm",
                                    "/labels/hydrostatic_stress", "/labels/stress", "/labels/forces"};

static pg_status_t write_row(pg_h5_t *f, int64_t c, int64_t n_atom, const item_t *it, double *nan_row)
{
    double e = it ? it->energy : NAN;
    double epa = it ? it->energy / (double)n_atom : NAN;
    const double *vals[7] = {&e, &epa, it ? &it->gap : nan_row, it ? &it->vbm : nan_row,
                             it ? &it->hydro : nan_row, it ? it->stress : nan_row, it ? it->forces : nan_row};
    for (int k = 0; k < 7; k++) PG_CHECK(pg_h5_write_rows(f, label_paths[k], PG_H5_F64, c, 1, vals[k]));
    return PG_OK;
}

static pg_status_t write_labels(const char *path, ds_t *d, const item_t *items, int64_t n, const opts_t *o,
                                const char *source, int64_t n_imp, int64_t n_skip)
{
    pg_status_t st = PG_OK;
    pg_h5_t *f = NULL;
    char tmp[4200];
    uint8_t *mask = NULL;
    double *e0 = NULL, *nan_row = NULL;
    char **src = NULL, *log = NULL, *newlog = NULL;
    int64_t n_src = 0;
    const char **srcp = NULL;
    const int64_t nc = d->n_config;
    snprintf(tmp, sizeof tmp, "%s.import-tmp", path);
    PG_TRY(copy_file(path, tmp));
    PG_TRY(pg_h5_open(tmp, PG_H5_RDWR, MPI_COMM_NULL, &f));
    PG_TRY_CALLOC(mask, nc, "import mask");
    PG_TRY_CALLOC(e0, nc, "sigma0 energies");
    PG_TRY_CALLOC(nan_row, 3 * d->n_atom + 9, "NaN row");
    for (int64_t k = 0; k < 3 * d->n_atom + 9; k++) nan_row[k] = NAN;
    if (pg_h5_exists(f, "/labels/imported")) PG_TRY(pg_h5_read(f, "/labels/imported", PG_H5_U8, mask));
    else {
        const int64_t dims[1] = {nc};
        PG_TRY(pg_h5_create_rows(f, "/labels/imported", PG_H5_U8, 1, dims, nc, 0));
        PG_TRY(pg_h5_attr_write_string(f, "/labels/imported", "units", "1"));
    }
    if (pg_h5_exists(f, "/provenance/import/energy_sigma0")) {
        PG_TRY(pg_h5_read(f, "/provenance/import/energy_sigma0", PG_H5_F64, e0));
    } else {
        for (int64_t c = 0; c < nc; c++) e0[c] = NAN;
    }
    if (pg_h5_exists(f, "/provenance/import/source")) PG_TRY(pg_h5_read_strings(f, "/provenance/import/source", &src, &n_src));
    PG_TRY_CALLOC(srcp, nc, "source list");
    for (int64_t c = 0; c < nc; c++) srcp[c] = (src && c < n_src) ? src[c] : "";
    /* --replace on a labeller-labelled dataset: rows not imported now lose their labels */
    const int wipe = strcmp(d->labeler, "none") != 0 && strcmp(d->labeler, "external") != 0;
    if (wipe)
        for (int64_t c = 0; c < nc; c++) {
            int imported = 0;
            for (int64_t k = 0; k < n; k++) imported |= items[k].c == c && items[k].status == ST_IMPORTED;
            if (!imported) {
                PG_TRY(write_row(f, c, d->n_atom, NULL, nan_row));
                mask[c] = 0;
                srcp[c] = "";
                e0[c] = NAN;
            }
        }
    for (int64_t k = 0; k < n; k++) {
        if (items[k].status != ST_IMPORTED) continue;
        const int64_t c = items[k].c;
        PG_TRY(write_row(f, c, d->n_atom, &items[k], nan_row));
        mask[c] = 1;
        srcp[c] = items[k].source;
        e0[c] = items[k].energy_sigma0;
    }
    PG_TRY(pg_h5_write_rows(f, "/labels/imported", PG_H5_U8, 0, nc, mask));
    const int64_t dims[1] = {nc};
    PG_TRY(pg_h5_write(f, "/provenance/import/energy_sigma0", PG_H5_F64, 1, dims, e0));
    PG_TRY(pg_h5_attr_write_string(f, "/provenance/import/energy_sigma0", "units", "eV"));
    PG_TRY(pg_h5_write_strings(f, "/provenance/import/source", nc, srcp));
    {
        char line[1200], when[64];
        time_t now = time(NULL);
        struct tm tmv;
        gmtime_r(&now, &tmv);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tmv);
        snprintf(line, sizeof line, "%s phonograph %s import from %s: %lld imported, %lld skipped%s%s\n", when,
                 pg_version(), source, (long long)n_imp, (long long)n_skip, wipe ? ", labels of the " : "",
                 wipe ? d->labeler : "");
        if (pg_h5_exists(f, "/provenance/import/log")) PG_TRY(pg_h5_read_string(f, "/provenance/import/log", &log));
        const size_t nl = (log ? strlen(log) : 0) + strlen(line) + 64;
        PG_TRY_CALLOC(newlog, nl, "import log");
        snprintf(newlog, nl, "%s%s%s", log ? log : "", wipe ? "(labels of other rows removed: --replace)\n" : "",
                 line);
        PG_TRY(pg_h5_write_string(f, "/provenance/import/log", newlog));
    }
    PG_TRY(pg_h5_attr_write_string(f, "/", "labeler", "external"));
    PG_TRY(pg_h5_close(&f));
    PG_TRY(sync_path(tmp, 0));
    PG_TRY_REQUIRE(rename(tmp, path) == 0, PG_ERR_IO, "renaming %s to %s: %s", tmp, path, strerror(errno));
    {
        char dir[4200];
        snprintf(dir, sizeof dir, "%s", path);
        char *slash = strrchr(dir, '/');
        if (slash) *slash = '\0';
        else snprintf(dir, sizeof dir, ".");
        PG_TRY(sync_path(dir, 1));
    }
    (void)o;
cleanup:
    if (f) {
        pg_h5_close(&f);
    }
    if (st != PG_OK) unlink(tmp);
    free(mask);
    free(e0);
    free(nan_row);
    free(srcp);
    pg_h5_free_strings(src, n_src);
    free(log);
    free(newlog);
    return st;
}

/* ---- command ------------------------------------------------------------------------- */


static void print_summary(const char *path, const char *source, const item_t *items, int64_t n,
                          const opts_t *o, int64_t cnt[3])
{
    printf("phonograph import: %s <- %s\n", path, source);
    printf("  %-8s %-9s %-s\n", "config", "status", "source / reason");
    int64_t shown_imp = 0;
    for (int64_t k = 0; k < n; k++) {
        const item_t *it = &items[k];
        if (it->status == ST_IMPORTED && !o->verbose && ++shown_imp > 20) continue;
        char idx[32];
        if (it->c >= 0) snprintf(idx, sizeof idx, "%06lld", (long long)it->c);
        else snprintf(idx, sizeof idx, "?");
        printf("  %-8s %-9s %s\n", idx, status_name[it->status], it->source);
        printf("  %-8s %-9s   %s\n", "", "", it->note);
    }
    if (shown_imp > 20) printf("  ... %lld more imported (--verbose lists them)\n", (long long)(shown_imp - 20));
    printf("imported %lld, skipped %lld, refused %lld\n", (long long)cnt[ST_IMPORTED], (long long)cnt[ST_SKIPPED],
           (long long)cnt[ST_REFUSED]);
}

/* The per-item results a rank sends to rank 0 (followed by 3 n_atom forces). */
typedef struct {
    int64_t k, c;
    int32_t status, pad;
    double energy, energy_sigma0, gap, vbm, hydro, stress[9];
    char note[512];
} rec_t;

/* Items k % size == rank were filled on this rank: send them to rank 0. Collective. */
static pg_status_t gather_items(MPI_Comm comm, item_t *items, int64_t n, int64_t n_atom)
{
    pg_status_t st = PG_OK;
    const int rank = pg_par_rank(comm), size = pg_par_size(comm);
    const size_t rec = sizeof(rec_t) + sizeof(double) * 3 * (size_t)n_atom;
    char *send = NULL, *recv = NULL;
    int64_t *per = NULL, *counts = NULL, *displs = NULL;
    int64_t mine = 0;
    for (int64_t k = rank; k < n; k += size) mine++;
    PG_TRY_CALLOC(send, (size_t)mine * rec, "import records");
    PG_TRY_CALLOC(per, size, "record counts");
    PG_TRY_CALLOC(counts, size, "record counts");
    PG_TRY_CALLOC(displs, size, "record offsets");
    int64_t j = 0;
    for (int64_t k = rank; k < n; k += size, j++) {
        rec_t r;
        memset(&r, 0, sizeof r);
        const item_t *it = &items[k];
        r.k = k;
        r.c = it->c;
        r.status = it->status;
        r.energy = it->energy;
        r.energy_sigma0 = it->energy_sigma0;
        r.gap = it->gap;
        r.vbm = it->vbm;
        r.hydro = it->hydro;
        memcpy(r.stress, it->stress, sizeof r.stress);
        snprintf(r.note, sizeof r.note, "%s", it->note);
        memcpy(send + (size_t)j * rec, &r, sizeof r);
        memcpy(send + (size_t)j * rec + sizeof r, it->forces, sizeof(double) * 3 * (size_t)n_atom);
    }
    PG_TRY(pg_par_allgather_int64(comm, mine, per));
    for (int q = 0; q < size; q++) {
        counts[q] = per[q] * (int64_t)rec;
        displs[q] = q ? displs[q - 1] + counts[q - 1] : 0;
    }
    if (rank == 0) PG_TRY_CALLOC(recv, (size_t)n * rec, "import records");
    PG_TRY(pg_par_gatherv_bytes(comm, 0, send, mine * (int64_t)rec, recv, counts, displs));
    if (rank == 0)
        for (int64_t q = 0; q < n; q++) {
            rec_t r;
            memcpy(&r, recv + (size_t)q * rec, sizeof r);
            PG_TRY_REQUIRE(r.k >= 0 && r.k < n, PG_ERR_INTERNAL, "import record %lld out of range", (long long)r.k);
            item_t *it = &items[r.k];
            it->c = r.c;
            it->status = r.status;
            it->energy = r.energy;
            it->energy_sigma0 = r.energy_sigma0;
            it->gap = r.gap;
            it->vbm = r.vbm;
            it->hydro = r.hydro;
            memcpy(it->stress, r.stress, sizeof r.stress);
            set_note(it, "%s", r.note);
            memcpy(it->forces, recv + (size_t)q * rec + sizeof r, sizeof(double) * 3 * (size_t)n_atom);
        }
cleanup:
    free(send);
    free(recv);
    free(per);
    free(counts);
    free(displs);
    return st;
}

/* Collective on comm: every rank lists the source and reads its share of the files; rank 0
 * gathers the results, prints the summary and writes. Same status on every rank. */
static pg_status_t import_all(MPI_Comm comm, const char *path, const char *source, const opts_t *o)
{
    pg_status_t st = PG_OK;
    const int rank = pg_par_rank(comm), size = pg_par_size(comm);
    ds_t d = {0};
    item_t *items = NULL;
    int64_t n = 0, cap = 0, cnt[3] = {0, 0, 0};
    struct stat sb;
    int is_dir = 0;
    st = ds_read(path, &d);
    if (st == PG_OK && stat(source, &sb) != 0) st = PG_ERR(PG_ERR_IO, "cannot read %s: %s", source, strerror(errno));
    if (st == PG_OK) {
        is_dir = S_ISDIR(sb.st_mode);
        st = is_dir ? collect_dir(source, &d, o, &items, &n, &cap, rank, size)
                    : collect_extxyz(source, &d, o, &items, &n, &cap, rank, size);
    }
    {
        pg_status_t agreed = st;
        PG_TRY(pg_par_agree(comm, &agreed));
        PG_TRY(agreed);
    }
    PG_TRY(gather_items(comm, items, n, d.n_atom));
    pg_h5_close(&d.f); /* the file is replaced below */
    if (rank != 0) goto cleanup;
    if (!is_dir) { /* frames naming the same configuration */
        qsort(items, (size_t)n, sizeof(item_t), cmp_item);
        for (int64_t k = 1; k < n; k++)
            if (items[k].c >= 0 && items[k].c == items[k - 1].c) {
                items[k].status = ST_REFUSED;
                snprintf(items[k].note, sizeof items[k].note, "configuration %lld appears in two frames",
                         (long long)items[k].c);
            }
    }
    for (int64_t k = 0; k < n; k++) cnt[items[k].status]++;
    print_summary(path, source, items, n, o, cnt);
    fflush(stdout);
    const char *first = "";
    for (int64_t k = 0; k < n && !*first; k++)
        if (items[k].status == ST_REFUSED) first = items[k].note;
    PG_TRY_REQUIRE(cnt[ST_REFUSED] == 0, PG_ERR_INPUT,
                   "import refused: %lld of %lld configurations do not match the dataset or could not be read "
                   "(first: %s); nothing was written to %s",
                   (long long)cnt[ST_REFUSED], (long long)n, first, path);
    const int labelled = strcmp(d.labeler, "none") != 0 && strcmp(d.labeler, "external") != 0;
    PG_TRY_REQUIRE(!labelled || o->replace || o->dry_run, PG_ERR_INPUT,
                   "%s holds labels of the '%s' labeler: importing DFT labels would mix two label sources; "
                   "use --replace to import and remove the labels of every configuration not imported, or "
                   "sample with [sample] labeler = none", path, d.labeler);
    if (o->dry_run) {
        printf("dry run: nothing written\n");
    } else if (cnt[ST_IMPORTED] == 0) {
        printf("nothing to import: %s unchanged\n", path);
    } else {
        PG_TRY(write_labels(path, &d, items, n, o, source, cnt[ST_IMPORTED], cnt[ST_SKIPPED]));
        printf("wrote %lld labelled configurations to %s (/labels/imported marks them)\n",
               (long long)cnt[ST_IMPORTED], path);
    }
cleanup:
    for (int64_t k = 0; k < cap; k++) free(items[k].forces);
    free(items);
    ds_free(&d);
    {
        pg_status_t agreed = st;
        pg_status_t ast = pg_par_agree(comm, &agreed);
        if (st == PG_OK) st = ast != PG_OK ? ast : agreed;
    }
    return st;
}

pg_status_t pg_cmd_import(MPI_Comm comm, int argc, char **argv)
{
    const int rank = pg_par_rank(comm);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        if (rank == 0) fputs(import_help, stdout);
        return PG_OK;
    }
    opts_t o = {.tol = 1e-4};
    const char *pos[2] = {NULL, NULL};
    int n_pos = 0;
    for (int k = 1; k < argc; k++) {
        if (!strcmp(argv[k], "--skip-broken")) o.skip_broken = 1;
        else if (!strcmp(argv[k], "--replace")) o.replace = 1;
        else if (!strcmp(argv[k], "--dry-run")) o.dry_run = 1;
        else if (!strcmp(argv[k], "--verbose")) o.verbose = 1;
        else if (!strcmp(argv[k], "--tolerance")) {
            char *end = NULL;
            PG_REQUIRE(k + 1 < argc, PG_ERR_INPUT, "--tolerance expects a length in Å");
            o.tol = strtod(argv[++k], &end);
            PG_REQUIRE(end != argv[k] && !*end && o.tol > 0 && isfinite(o.tol), PG_ERR_INPUT,
                       "--tolerance expects a positive length in Å, found \"%s\"", argv[k]);
        } else if (argv[k][0] == '-' && argv[k][1]) {
            return PG_ERR(PG_ERR_INPUT, "import: unknown option %s (see phonograph import --help)", argv[k]);
        } else {
            PG_REQUIRE(n_pos < 2, PG_ERR_INPUT, "usage: phonograph import DATASET.h5|DECK SOURCE (see --help)");
            pos[n_pos++] = argv[k];
        }
    }
    PG_REQUIRE(n_pos == 2, PG_ERR_INPUT, "usage: phonograph import DATASET.h5|DECK SOURCE (see --help)");
    pg_status_t st = PG_OK;
    pg_deck_t *d = NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s", pos[0]);
    if (!pg_h5_is_hdf5(pos[0])) { /* a deck: the dataset it writes */
        const char *out = NULL, *name = NULL;
        PG_CHECK(pg_deck_read(comm, pos[0], &d));
        PG_TRY(pg_deck_get_string(d, "run", "output_dir", &out));
        PG_TRY(pg_deck_get_string(d, "sample", "output", &name));
        snprintf(path, sizeof path, "%s/%s", out, name);
    }
    PG_TRY(import_all(comm, path, pos[1], &o));
cleanup:
    pg_deck_destroy(&d);
    return st;
}
