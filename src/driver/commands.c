/* commands.c - the table of subcommands (one row per subcommand; implementations live in
 * the driver module of their stage). */
#include "phonograph/pg_cli.h"

const pg_cli_command_t pg_cli_commands[] = {
    {NULL, NULL, NULL},
};
