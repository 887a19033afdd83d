/* commands.c - the table of subcommands (one row per subcommand; implementations live in
 * the driver module of their stage). */
#include "phonograph/pg_cli.h"

pg_status_t pg_cmd_deck(MPI_Comm comm, int argc, char **argv);
pg_status_t pg_cmd_label(MPI_Comm comm, int argc, char **argv);
pg_status_t pg_cmd_graphs(MPI_Comm comm, int argc, char **argv);

const pg_cli_command_t pg_cli_commands[] = {
    {"deck", pg_cmd_deck, "input-deck reference (--markdown for docs/deck.md); --check DECK"},
    {"label", pg_cmd_label, "label POSCAR files with the embedded labeler (energy, stress, gap)"},
    {"graphs", pg_cmd_graphs, "build crystal graphs of a dataset file into its /graphs group"},
    {NULL, NULL, NULL},
};
