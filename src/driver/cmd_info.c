/* cmd_info.c - `phonograph info STRUCTURE`: read a POSCAR and print its symmetry report
 * (space group, operations, Wyckoff positions, site symmetries, standardised cells). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phonograph/pg_cli.h"
#include "phonograph/pg_par.h"
#include "phonograph/pg_poscar.h"
#include "phonograph/pg_symmetry.h"

static const char *const info_help =
    "usage: phonograph info STRUCTURE [--symprec TOL]\n\n"
    "Read the VASP POSCAR file STRUCTURE and print its symmetry: space group (number,\n"
    "international and Hall symbols), point group, the operations, every atom with its\n"
    "Wyckoff letter and site symmetry, equivalent atoms, and the standardised cells\n"
    "(spglib). TOL is the distance tolerance in Å (default 1e-5, as phonopy).\n";

pg_status_t pg_cmd_info(MPI_Comm comm, int argc, char **argv)
{
    int rank = pg_par_rank(comm);
    const char *path = NULL;
    double symprec = PG_SYMPREC_DEFAULT;
    for (int k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
            if (rank == 0) fputs(info_help, stdout);
            return PG_OK;
        } else if (strcmp(argv[k], "--symprec") == 0 && k + 1 < argc) {
            char *end = NULL;
            symprec = strtod(argv[++k], &end);
            PG_REQUIRE(end != argv[k] && *end == '\0' && symprec > 0 && symprec < 1, PG_ERR_INPUT,
                       "info: --symprec expects a number in Å between 0 and 1, found \"%s\"",
                       argv[k]);
        } else if (argv[k][0] == '-' || path) {
            return PG_ERR(PG_ERR_INPUT, "info: unexpected argument '%s' (see phonograph info --help)",
                          argv[k]);
        } else path = argv[k];
    }
    PG_REQUIRE(path, PG_ERR_INPUT, "info: no structure file given (usage: phonograph info POSCAR)");
    pg_cell_t cell;
    memset(&cell, 0, sizeof cell);
    PG_CHECK(pg_poscar_read(comm, path, &cell));
    pg_symmetry_t sym;
    memset(&sym, 0, sizeof sym);
    pg_status_t st = PG_OK;
    /* spglib runs once, on rank 0 (it also prints its own warnings) */
    if (rank == 0) {
        st = pg_symmetry_find(&cell, symprec, &sym);
        if (st == PG_OK) {
            printf("%s\n", path);
            pg_symmetry_print(stdout, &cell, &sym);
            fflush(stdout);
        }
    }
    pg_symmetry_free(&sym);
    pg_cell_free(&cell);
    PG_CHECK(pg_par_agree(comm, &st));
    if (st != PG_OK) pg_err_frame(__FILE__, __LINE__, __func__);
    return st;
}
