/* pg_test_config.h - load a reference configuration of ../shared/physics/reference.h5
 * (/configs/<name>/{cell, positions, symbols}) into a pg_cell_t, for the labeler tests. */
#ifndef PG_TEST_CONFIG_H
#define PG_TEST_CONFIG_H

#include "phonograph/pg_cell.h"
#include "phonograph/pg_status.h"

/* Path of ../shared/physics/reference.h5. */
const char *pg_test_physics_h5(void);
/* Read configuration `name` (e.g. "Ag3SBr_2x2x2_displaced") into cell (initialised here,
 * masses from the element table). */
pg_status_t pg_test_load_config(const char *name, pg_cell_t *cell);
/* Read a scalar double dataset /configs/<name>/<what> (e.g. "gap"). */
pg_status_t pg_test_config_scalar(const char *name, const char *what, double *v);

#endif
