/* pg_cli.h - subcommands of the phonograph executable.
 *
 * Each subcommand is collective on `comm` (the run's duplicate of MPI_COMM_WORLD) and
 * returns the same status on every rank (errors agreed with pg_par_agree); main prints the
 * message from rank 0 and exits with the status. argv[0] is the subcommand name.
 */
#ifndef PG_CLI_H
#define PG_CLI_H

#include <mpi.h>

#include "phonograph/pg_status.h"

typedef pg_status_t (*pg_cli_fn)(MPI_Comm comm, int argc, char **argv);

typedef struct {
    const char *name;
    pg_cli_fn fn;
    const char *summary; /* one line for `phonograph --help` */
} pg_cli_command_t;

/* The table of subcommands, terminated by a {NULL} row (src/driver/commands.c). */
extern const pg_cli_command_t pg_cli_commands[];

#endif
