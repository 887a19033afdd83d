/* structure_input.h - the [structure] supercell / primitive keys as phonopy matrices, read the
 * same way by every stage that builds cells (structure stage, phonons stage). Internal to
 * src/driver. phonopy's meaning (--dim / --pa, supercell_matrix / primitive_matrix): the 9
 * numbers are the matrix row by row and (a_s b_s c_s) = (a b c) M, (a_p b_p c_p) = (a b c) P.
 */
#ifndef PG_DRIVER_STRUCTURE_INPUT_H
#define PG_DRIVER_STRUCTURE_INPUT_H

#include "phonograph/pg_deck.h"
#include "phonograph/pg_status.h"
#include "phonograph/pg_symmetry.h"

/* M from [structure] supercell (3 integers = diagonal, 9 = rows). Not collective. */
pg_status_t pg_structure_supercell_matrix(const pg_deck_t *d, int m[3][3]);
/* 1 if [structure] primitive = auto (P then needs the unit cell's symmetry). */
int pg_structure_primitive_is_auto(const pg_deck_t *d);
/* P from [structure] primitive: 9 numbers (rows), none (identity), a centring letter, or auto
 * (phonopy 2.17 guess_primitive_matrix: P = T^-1 · P_centring with spglib's transformation
 * matrix T; unit_sym is required then and may be NULL otherwise). Not collective. */
pg_status_t pg_structure_primitive_matrix(const pg_deck_t *d, const pg_symmetry_t *unit_sym,
                                          double p[3][3]);

#endif
