/* cmd_fc.c - `phonograph fc`: relax a unit cell with PRV-CAP-1 and compute its force constants
 * by finite displacements (phonopy's procedure, pg_fdfc.h), written in phonopy's formats. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phonograph/pg_cli.h"
#include "phonograph/pg_deck.h"
#include "phonograph/pg_labeler.h"
#include "phonograph/pg_par.h"
#include "phonograph/pg_poscar.h"
#include "phonograph/pg_supercell.h"
#include "phonograph/pg_symmetry.h"

static const char *const fc_help =
    "usage: phonograph fc [--deck DECK] [--dim N1 N2 N3] [--relax MODE] [--compact]\n"
    "                     [--out FILE] [--relaxed-poscar FILE] [POSCAR]\n\n"
    "Relax the unit cell with the PRV-CAP-1 potential (MODE none|cubic|positions|full; default\n"
    "the deck's [labeler] relax, i.e. cubic: lattice constant only), build the N1xN2xN3\n"
    "supercell (phonopy atom order) and compute force constants by finite displacements\n"
    "([labeler] fc_displacement, 0.01 Å), symmetry-reduced as phonopy does, one force evaluation\n"
    "per displacement shared among the MPI ranks. FILE (default FORCE_CONSTANTS) is phonopy's\n"
    "text format, or force_constants.hdf5 when it ends in .hdf5/.h5; --compact writes only the\n"
    "rows of the unit-cell atoms (phonopy's compact form when the unit cell is primitive).\n"
    "With --deck, the unit cell and supercell come from [structure] unitcell / supercell unless\n"
    "given on the command line. The result does not depend on the number of ranks.\n";

pg_status_t pg_cmd_fc(MPI_Comm comm, int argc, char **argv)
{
    const int rank = pg_par_rank(comm);
    const char *deck_path = NULL, *poscar = NULL, *out = "FORCE_CONSTANTS", *relax = NULL,
               *relaxed_out = NULL;
    int dim[3] = {0, 0, 0}, compact = 0, matrix[3][3] = {{0}};
    pg_status_t st = PG_OK;
    pg_deck_t *deck = NULL;
    pg_labeler_t *lab = NULL;
    pg_cell_t unit = {0};
    pg_supercell_t sc = {0};
    pg_fc_t fc = {0}, cfc = {0};
    double symprec = PG_SYMPREC_DEFAULT;
    for (int k = 1; k < argc; k++) {
        if (!strcmp(argv[k], "--help") || !strcmp(argv[k], "-h")) {
            if (rank == 0) fputs(fc_help, stdout);
            return PG_OK;
        } else if (!strcmp(argv[k], "--deck") && k + 1 < argc) deck_path = argv[++k];
        else if (!strcmp(argv[k], "--out") && k + 1 < argc) out = argv[++k];
        else if (!strcmp(argv[k], "--relax") && k + 1 < argc) relax = argv[++k];
        else if (!strcmp(argv[k], "--relaxed-poscar") && k + 1 < argc) relaxed_out = argv[++k];
        else if (!strcmp(argv[k], "--compact")) compact = 1;
        else if (!strcmp(argv[k], "--dim") && k + 3 < argc) {
            for (int c = 0; c < 3; c++) {
                char *end = NULL;
                long v = strtol(argv[k + 1 + c], &end, 10);
                PG_REQUIRE(end && *end == '\0' && v >= 1 && v <= 100, PG_ERR_INPUT,
                           "fc: --dim expects three integers >= 1, found '%s'", argv[k + 1 + c]);
                dim[c] = (int)v;
            }
            k += 3;
        } else if (argv[k][0] == '-' && argv[k][1] != '\0')
            return PG_ERR(PG_ERR_INPUT, "fc: unexpected option '%s' (see phonograph fc --help)", argv[k]);
        else if (!poscar) poscar = argv[k];
        else return PG_ERR(PG_ERR_INPUT, "fc: more than one POSCAR given ('%s', '%s')", poscar, argv[k]);
    }
    pg_labeler_opts_t opts;
    if (deck_path) {
        PG_TRY(pg_deck_read(comm, deck_path, &deck));
        PG_TRY(pg_labeler_opts_from_deck(deck, &opts));
        if (!poscar) PG_TRY(pg_deck_get_string(deck, "structure", "unitcell", &poscar));
        PG_TRY(pg_deck_get_real(deck, "structure", "symprec", &symprec));
        if (!dim[0]) {
            const int64_t *s = NULL;
            int n = 0;
            PG_TRY(pg_deck_get_ints(deck, "structure", "supercell", &s, &n));
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++) matrix[a][b] = n == 9 ? (int)s[3 * a + b] : (a == b ? (int)s[a] : 0);
        }
    } else {
        pg_labeler_opts_default(&opts);
    }
    if (dim[0])
        for (int a = 0; a < 3; a++) matrix[a][a] = dim[a];
    PG_TRY_REQUIRE(poscar, PG_ERR_INPUT, "fc: no unit cell (give a POSCAR or --deck)");
    PG_TRY_REQUIRE(matrix[0][0] || matrix[0][1] || matrix[0][2], PG_ERR_INPUT,
                   "fc: no supercell (give --dim N1 N2 N3 or --deck with [structure] supercell)");
    if (relax) PG_TRY(pg_relax_mode_parse(relax, &opts.relax.mode));
    opts.labels = PG_LABEL_ENERGY | PG_LABEL_FORCES | PG_LABEL_STRESS; /* no TB needed here */
    PG_TRY(pg_labeler_create(&opts, &lab));
    PG_TRY(pg_poscar_read(comm, poscar, &unit));
    pg_relax_info_t info;
    PG_TRY(pg_labeler_relax(lab, &unit, &info)); /* deterministic: same bits on every rank */
    if (rank == 0)
        printf("relaxed unit cell: E/atom %.10f eV, sigma_h %.3g GPa, a = %.7f %.7f %.7f Å (%d steps)\n",
               info.energy / (double)unit.n_atom, info.sigma_h_gpa, unit.lattice[0][0],
               unit.lattice[1][1], unit.lattice[2][2], info.n_steps);
    pg_status_t pst = PG_OK;
    if (relaxed_out && rank == 0) pst = pg_poscar_write(relaxed_out, &unit, "relaxed with PRV-CAP-1", 1);
    PG_TRY(pg_par_agree(comm, &pst));
    if (pst != PG_OK) {
        st = pst;
        goto cleanup;
    }
    PG_TRY(pg_supercell_build(&unit, matrix, symprec, &sc));
    pg_fdfc_info_t fi;
    PG_TRY(pg_labeler_force_constants(lab, comm, &sc.cell, symprec, &fc, &fi));
    pg_status_t wst = PG_OK;
    if (rank == 0) {
        const pg_fc_t *w = &fc;
        if (compact) {
            wst = pg_fc_to_compact(&fc, sc.n_unit_atom, sc.u2s, &cfc);
            w = &cfc;
        }
        const size_t len = strlen(out);
        const int h5 = (len > 5 && !strcmp(out + len - 5, ".hdf5")) || (len > 3 && !strcmp(out + len - 3, ".h5"));
        if (wst == PG_OK) wst = h5 ? pg_fc_write_hdf5(out, w) : pg_fc_write_text(out, w);
        if (wst == PG_OK)
            printf("force constants: %lld atoms, space group %d, %d independent atoms, %lld displacements, "
                   "symmetrisation change %.2e eV/Å^2 -> %s\n",
                   (long long)sc.cell.n_atom, fi.spacegroup_number, fi.n_indep, (long long)fi.n_disp,
                   fi.max_sym_change, out);
    }
    PG_TRY(pg_par_agree(comm, &wst));
    st = wst;
cleanup:
    pg_fc_free(&cfc);
    pg_fc_free(&fc);
    pg_supercell_free(&sc);
    pg_cell_free(&unit);
    pg_labeler_destroy(&lab);
    pg_deck_destroy(&deck);
    return st;
}
