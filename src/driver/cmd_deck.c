/* cmd_deck.c - `phonograph deck`: the key reference (text or Markdown, docs/deck.md is
 * generated from it) and `--check DECK` (validate a deck and print it resolved). */
#include <stdio.h>
#include <string.h>

#include "phonograph/pg_cli.h"
#include "phonograph/pg_deck.h"
#include "phonograph/pg_par.h"

static const char *const deck_help =
    "usage: phonograph deck [--markdown]\n"
    "       phonograph deck --check DECK\n\n"
    "Print the reference of every input-deck key (section, type, default, allowed values,\n"
    "unit, meaning), as plain text or as Markdown (docs/deck.md is generated this way:\n"
    "`make docs`). With --check, read DECK, report every error in it, or print the resolved\n"
    "deck (defaults filled, paths absolute) and its fingerprint.\n";

pg_status_t pg_cmd_deck(MPI_Comm comm, int argc, char **argv)
{
    int rank = pg_par_rank(comm);
    int markdown = 0;
    const char *check = NULL;
    pg_status_t st = PG_OK;
    for (int k = 1; k < argc && st == PG_OK; k++) {
        if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
            if (rank == 0) fputs(deck_help, stdout);
            return PG_OK;
        } else if (strcmp(argv[k], "--markdown") == 0) markdown = 1;
        else if (strcmp(argv[k], "--check") == 0 && k + 1 < argc) check = argv[++k];
        else st = PG_ERR(PG_ERR_INPUT, "deck: unexpected argument '%s' (see phonograph deck --help)",
                         argv[k]);
    }
    if (st != PG_OK) return st;
    if (!check) {
        if (rank == 0) pg_deck_print_reference(stdout, markdown);
        return PG_OK;
    }
    pg_deck_t *d = NULL;
    PG_CHECK(pg_deck_read(comm, check, &d));
    if (rank == 0) {
        pg_deck_echo(d, stdout);
        printf("# fingerprint %016llx\n", (unsigned long long)pg_deck_fingerprint(d, NULL));
    }
    pg_deck_destroy(&d);
    return PG_OK;
}
