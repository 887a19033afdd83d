/* pg_element.h - periodic table: symbol, atomic number, standard atomic mass.
 *
 * Masses (amu) are phonopy 2.17's default table, so that force constants read from phonopy
 * give the same frequencies without a mass override. Not collective; thread-safe.
 */
#ifndef PG_ELEMENT_H
#define PG_ELEMENT_H

#include "phonograph/pg_status.h"

#define PG_ELEMENT_MAX_Z 103

/* Atomic number for a symbol ("Ag", case-sensitive first letter upper, rest lower also
 * accepted in any case). Errors: PG_ERR_INPUT for an unknown symbol. */
pg_status_t pg_element_from_symbol(const char *symbol, int *z);
/* Symbol of z (1..PG_ELEMENT_MAX_Z), "X" otherwise. */
const char *pg_element_symbol(int z);
/* Standard atomic mass in amu (phonopy 2.17 table), 0 for unknown z. */
double pg_element_mass(int z);

#endif
