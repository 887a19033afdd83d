/* cmd_label.c - `phonograph label FILE...`: label POSCAR files with the embedded labeler.
 *
 * Configurations are dealt round-robin to groups of tb_group_size ranks (configuration c goes
 * to group c mod n_groups); each label row is filled by one group and combined with a sum
 * over ranks in which every other rank contributes zeros, so the table does not depend on the
 * rank count. Rank 0 prints the table and optionally writes it to a file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "phonograph/pg_cli.h"
#include "phonograph/pg_deck.h"
#include "phonograph/pg_extxyz.h"
#include "phonograph/pg_labeler.h"
#include "phonograph/pg_par.h"
#include "phonograph/pg_poscar.h"

static const char *const label_help =
    "usage: phonograph label [--deck DECK] [--labels LIST] [--out FILE] FILE...\n\n"
    "FILE is a POSCAR, or an extended XYZ file (name ending .xyz or .extxyz; every frame is a\n"
    "structure, named FILE#k with k counted from 0 as in ASE).\n"
    "Label each structure with the embedded labeler (PRV-CAP-1 potential; TB-CAP-1 band\n"
    "edges when built in) and print one row per structure: atoms, energy per atom (eV/atom),\n"
    "hydrostatic stress sigma_h (GPa, tensile positive, P = -sigma_h), max |F| (eV/Å), gap,\n"
    "VBM, CBM (eV). Settings come from the [labeler] section of DECK (defaults otherwise);\n"
    "--labels overrides its `labels` key with a comma-separated list out of\n"
    "energy,forces,stress,gap. --out FILE also writes the table (with the full stress tensor)\n"
    "to FILE. Structures are shared among MPI ranks; results do not depend on the rank count.\n";

enum { COL_NATOM, COL_E, COL_EPA, COL_SH, COL_FMAX, COL_GAP, COL_VBM, COL_CBM, COL_S0, N_COL = COL_S0 + 9 };

static pg_status_t parse_labels(const char *list, unsigned *mask)
{
    static const char *const words[] = {"energy", "forces", "stress", "gap"};
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    *mask = 0;
    for (char *save = NULL, *w = strtok_r(buf, ", ", &save); w; w = strtok_r(NULL, ", ", &save)) {
        int bit = 0;
        for (int k = 0; k < 4; k++)
            if (!strcasecmp(w, words[k])) bit = 1 << k;
        PG_REQUIRE(bit, PG_ERR_INPUT,
                   "label: --labels expects words out of energy,forces,stress,gap, found \"%s\"", w);
        *mask |= (unsigned)bit;
    }
    PG_REQUIRE(*mask, PG_ERR_INPUT, "label: --labels is empty");
    return PG_OK;
}

static void fmt_val(char *buf, size_t n, unsigned have, unsigned bit, const char *fmt, double v)
{
    if (have & bit) snprintf(buf, n, fmt, v);
    else snprintf(buf, n, "-");
}

static void print_table(FILE *f, int n_file, char **files, const double *rows, const unsigned *have,
                        int full)
{
    fprintf(f, "# %5s %16s %13s %12s %12s %12s %12s  %s", "atoms", "E/atom(eV)", "sigma_h(GPa)",
            "max|F|(eV/A)", "gap(eV)", "VBM(eV)", "CBM(eV)", "structure");
    if (full) fprintf(f, " %s", "stress_GPa(xx xy xz yx yy yz zx zy zz)");
    fputc('\n', f);
    for (int c = 0; c < n_file; c++) {
        const double *r = rows + (size_t)c * N_COL;
        char e[32], sh[32], fm[32], g[32], v[32], cb[32];
        fmt_val(e, sizeof e, have[c], PG_LABEL_ENERGY, "%.10f", r[COL_EPA]);
        fmt_val(sh, sizeof sh, have[c], PG_LABEL_STRESS, "%.7f", r[COL_SH]);
        fmt_val(fm, sizeof fm, have[c], PG_LABEL_FORCES, "%.7f", r[COL_FMAX]);
        fmt_val(g, sizeof g, have[c], PG_LABEL_GAP, "%.8f", r[COL_GAP]);
        fmt_val(v, sizeof v, have[c], PG_LABEL_GAP, "%.8f", r[COL_VBM]);
        fmt_val(cb, sizeof cb, have[c], PG_LABEL_GAP, "%.8f", r[COL_CBM]);
        fprintf(f, "  %5.0f %16s %13s %12s %12s %12s %12s  %s", r[COL_NATOM], e, sh, fm, g, v, cb,
                files[c]);
        if (full && (have[c] & PG_LABEL_STRESS))
            for (int k = 0; k < 9; k++) fprintf(f, " %.9g", r[COL_S0 + k]);
        fputc('\n', f);
    }
}

pg_status_t pg_cmd_label(MPI_Comm comm, int argc, char **argv)
{
    const int rank = pg_par_rank(comm), size = pg_par_size(comm);
    const char *deck_path = NULL, *labels = NULL, *out_path = NULL;
    char **files = NULL;
    int n_file = 0;
    pg_status_t st = PG_OK;
    pg_deck_t *deck = NULL;
    pg_labeler_t *lab = NULL;
    pg_cell_t *cells = NULL;   /* [n_struct] */
    char **names = NULL;       /* [n_struct] owned strings */
    int n_struct = 0;
    pg_extxyz_frame_t *frames = NULL;
    int64_t n_frames = 0;
    MPI_Comm group = MPI_COMM_NULL;
    double *rows = NULL;
    unsigned *have = NULL;
    PG_TRY_CALLOC(files, argc, "file list");
    for (int k = 1; k < argc; k++) {
        if (!strcmp(argv[k], "--help") || !strcmp(argv[k], "-h")) {
            if (rank == 0) fputs(label_help, stdout);
            goto cleanup;
        } else if (!strcmp(argv[k], "--deck") && k + 1 < argc) deck_path = argv[++k];
        else if (!strcmp(argv[k], "--labels") && k + 1 < argc) labels = argv[++k];
        else if ((!strcmp(argv[k], "--out") || !strcmp(argv[k], "-o")) && k + 1 < argc) out_path = argv[++k];
        else if (argv[k][0] == '-' && argv[k][1] != '\0')
            PG_TRY_REQUIRE(0, PG_ERR_INPUT, "label: unexpected option '%s' (see phonograph label --help)",
                           argv[k]);
        else files[n_file++] = argv[k];
    }
    PG_TRY_REQUIRE(n_file > 0, PG_ERR_INPUT, "label: no structure files given (see phonograph label --help)");

    pg_labeler_opts_t opts;
    if (deck_path) {
        PG_TRY(pg_deck_read(comm, deck_path, &deck));
        PG_TRY(pg_labeler_opts_from_deck(deck, &opts));
    } else {
        pg_labeler_opts_default(&opts);
        if (!pg_labeler_has_tb()) opts.labels &= ~(unsigned)PG_LABEL_GAP;
    }
    if (labels) PG_TRY(parse_labels(labels, &opts.labels));
    const int g = opts.tb_group_size;
    PG_TRY_REQUIRE(g <= size && size % g == 0, PG_ERR_INPUT,
                   "label: tb_group_size %d must divide the number of ranks %d", g, size);
    const int n_groups = size / g, my_group = rank / g;
    PG_TRY(pg_par_comm_split(comm, my_group, rank, &group));
    PG_TRY(pg_labeler_create(&opts, &lab));
    /* every rank reads every file (collective): the list of structures */
    for (int k = 0; k < n_file; k++) {
        const size_t len = strlen(files[k]);
        const int xyz = (len > 4 && !strcmp(files[k] + len - 4, ".xyz")) ||
                        (len > 7 && !strcmp(files[k] + len - 7, ".extxyz"));
        int64_t n_new = 1;
        if (xyz) {
            PG_TRY(pg_extxyz_read(comm, files[k], &frames, &n_frames));
            n_new = n_frames;
        }
        pg_cell_t *nc = realloc(cells, sizeof *cells * (size_t)(n_struct + n_new));
        char **nn = realloc(names, sizeof *names * (size_t)(n_struct + n_new));
        if (nc) cells = nc;
        if (nn) names = nn;
        PG_TRY_REQUIRE(nc && nn, PG_ERR_NOMEM, "label: structure list");
        for (int64_t f = 0; f < n_new; f++) {
            memset(&cells[n_struct], 0, sizeof *cells);
            names[n_struct] = malloc(len + 24);
            PG_TRY_REQUIRE(names[n_struct], PG_ERR_NOMEM, "label: structure name");
            if (xyz) snprintf(names[n_struct], len + 24, "%s#%lld", files[k], (long long)f);
            else snprintf(names[n_struct], len + 24, "%s", files[k]);
            n_struct++;
            if (xyz) PG_TRY(pg_cell_copy(&cells[n_struct - 1], &frames[f].cell));
            else PG_TRY(pg_poscar_read(comm, files[k], &cells[n_struct - 1]));
        }
        pg_extxyz_frames_free(&frames, n_frames);
        n_frames = 0;
    }
    PG_TRY_CALLOC(rows, (size_t)n_struct * N_COL, "label table");
    PG_TRY_CALLOC(have, n_struct, "label flags");

    /* a group labels its share */
    pg_status_t local = PG_OK;
    for (int c = 0; c < n_struct; c++) {
        if (c % n_groups != my_group || local != PG_OK) continue;
        pg_labels_t l;
        local = pg_labeler_label(lab, &cells[c], group, &l, NULL);
        if (local != PG_OK) {
            char msg[1024];
            snprintf(msg, sizeof msg, "%s", pg_err_message());
            pg_err_set(local, __FILE__, __LINE__, "label: %s: %s", names[c], msg);
            continue;
        }
        if (rank % g == 0) {
            double *r = rows + (size_t)c * N_COL;
            r[COL_NATOM] = (double)l.n_atom;
            r[COL_E] = l.energy_ev;
            r[COL_EPA] = l.energy_per_atom_ev;
            r[COL_SH] = l.sigma_h_gpa;
            r[COL_FMAX] = l.max_force_ev_ang;
            r[COL_GAP] = l.gap_ev;
            r[COL_VBM] = l.vbm_ev;
            r[COL_CBM] = l.cbm_ev;
            for (int k = 0; k < 9; k++) r[COL_S0 + k] = l.stress_gpa[k / 3][k % 3];
            have[c] = l.labels;
        }
    }
    PG_TRY(pg_par_agree(comm, &local));
    if (local != PG_OK) { /* the agreed record holds the failing rank's message */
        st = local;
        pg_err_frame(__FILE__, __LINE__, __func__);
        goto cleanup;
    }
    PG_TRY(pg_par_sum_double(comm, rows, (int64_t)n_struct * N_COL));
    {
        int64_t *h64 = NULL;
        PG_TRY_CALLOC(h64, n_struct, "label flags");
        for (int c = 0; c < n_struct; c++) h64[c] = have[c];
        st = pg_par_sum_int64(comm, h64, n_struct);
        for (int c = 0; c < n_struct; c++) have[c] = (unsigned)h64[c];
        free(h64);
        if (st != PG_OK) goto cleanup;
    }
    if (rank == 0) {
        print_table(stdout, n_struct, names, rows, have, 0);
        if (out_path) {
            FILE *f = fopen(out_path, "w");
            if (!f) st = PG_ERR(PG_ERR_IO, "label: cannot write '%s'", out_path);
            else {
                print_table(f, n_struct, names, rows, have, 1);
                if (fclose(f) != 0) st = PG_ERR(PG_ERR_IO, "label: error closing '%s'", out_path);
            }
        }
    }
    pg_status_t wrote = st;
    PG_TRY(pg_par_agree(comm, &wrote));
    st = wrote;
cleanup:
    free(files);
    free(rows);
    free(have);
    for (int c = 0; c < n_struct; c++) {
        pg_cell_free(&cells[c]);
        free(names[c]);
    }
    free(cells);
    free(names);
    pg_extxyz_frames_free(&frames, n_frames);
    pg_labeler_destroy(&lab);
    pg_deck_destroy(&deck);
    if (group != MPI_COMM_NULL) pg_par_comm_free(&group);
    return st;
}
