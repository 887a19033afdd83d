/* stage_sample.h - shared inside src/driver: the [sample] section as sampler options. */
#ifndef PG_DRIVER_STAGE_SAMPLE_H
#define PG_DRIVER_STAGE_SAMPLE_H

#include "phonograph/pg_deck.h"
#include "phonograph/pg_sample.h"

/* Sampler options from [sample] (kind, conditions, statistics, imaginary modes, distribution,
 * strain, guards, disorder with Vegard scaling) for the reference supercell `ref`; o->seed is
 * left 0. Used by the sample stage and by the study's pools. Errors: PG_ERR_INPUT naming the
 * deck line. */
pg_status_t pg_sample_opts_from_deck(const pg_deck_t *d, const pg_cell_t *ref,
                                     pg_sample_opts_t *o);

#endif
