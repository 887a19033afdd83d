/* main.c - argv, MPI start-up, subcommand dispatch, the one place that prints errors and
 * chooses the exit code. */
#include <stdio.h>
#include <string.h>

#include "phonograph/pg_cli.h"
#include "phonograph/pg_par.h"
#include "phonograph/pg_status.h"
#include "phonograph/pg_version.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: phonograph <command> [options]   (phonograph <command> --help)\n\n"
               "commands:\n");
    for (const pg_cli_command_t *c = pg_cli_commands; c->name; c++)
        fprintf(f, "  %-10s %s\n", c->name, c->summary);
    fprintf(f, "\n  --version  print version and build information\n"
               "  --help     this text\n");
}

int main(int argc, char **argv)
{
    MPI_Comm world = MPI_COMM_NULL;
    pg_status_t st = pg_par_init(&argc, &argv, &world);
    if (st != PG_OK) {
        pg_err_print(stderr, "phonograph: ");
        return (int)st;
    }
    int rank = pg_par_rank(world);
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        if (rank == 0) usage(stdout);
        pg_par_finalize(&world);
        return argc < 2 ? (int)PG_ERR_INPUT : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        if (rank == 0) pg_version_print(stdout);
        pg_par_finalize(&world);
        return 0;
    }
    const pg_cli_command_t *cmd = NULL;
    for (const pg_cli_command_t *c = pg_cli_commands; c->name; c++)
        if (strcmp(c->name, argv[1]) == 0) cmd = c;
    if (!cmd) {
        if (rank == 0) {
            fprintf(stderr, "phonograph: unknown command '%s'\n\n", argv[1]);
            usage(stderr);
        }
        pg_par_finalize(&world);
        return (int)PG_ERR_INPUT;
    }
    st = cmd->fn(world, argc - 1, argv + 1);
    if (st != PG_OK) {
        /* the status is agreed by the command: rank 0 prints the agreed message; a rank whose
         * own chain differs prints it too, prefixed with its rank */
        if (rank == 0) pg_err_print(stderr, "phonograph: ");
        else if (strncmp(pg_err_message(), "[rank", 5) != 0) {
            char prefix[32];
            snprintf(prefix, sizeof prefix, "[rank %d] ", rank);
            pg_err_print(stderr, prefix);
        }
    }
    pg_par_finalize(&world);
    return (int)st;
}
