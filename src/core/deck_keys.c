/* deck_keys.c - the list of every module's deck key table (see pg_deck.h). Adding a
 * module's table = one extern line and one row below. */
#include "phonograph/pg_deck.h"

const pg_deck_key_t *const pg_deck_key_tables[] = {
    NULL,
};
