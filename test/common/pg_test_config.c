/* pg_test_config.c - reference configurations from ../shared/physics/reference.h5. */
#include "pg_test_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_element.h"
#include "phonograph/pg_h5.h"

const char *pg_test_physics_h5(void)
{
    return pg_test_path(pg_test_shared_dir(), "physics/reference.h5");
}

pg_status_t pg_test_load_config(const char *name, pg_cell_t *cell)
{
    pg_status_t st = PG_OK;
    pg_h5_t *f = NULL;
    char path[256], **sym = NULL;
    int64_t n = 0, dims[4];
    int rank = 0;
    double *pos = NULL;
    memset(cell, 0, sizeof *cell);
    PG_TRY(pg_h5_open(pg_test_physics_h5(), PG_H5_READ, MPI_COMM_NULL, &f));
    snprintf(path, sizeof path, "/configs/%s/symbols", name);
    PG_TRY(pg_h5_read_strings(f, path, &sym, &n));
    PG_TRY(pg_cell_init(cell, n));
    for (int64_t i = 0; i < n; i++) PG_TRY(pg_element_from_symbol(sym[i], &cell->z[i]));
    snprintf(path, sizeof path, "/configs/%s/cell", name);
    PG_TRY(pg_h5_read(f, path, PG_H5_F64, cell->lattice));
    snprintf(path, sizeof path, "/configs/%s/positions", name);
    PG_TRY(pg_h5_read_alloc(f, path, PG_H5_F64, (void **)&pos, &rank, dims));
    PG_TRY_REQUIRE(rank == 2 && dims[0] == n && dims[1] == 3, PG_ERR_IO, "%s: shape", path);
    memcpy(cell->pos, pos, sizeof(double[3]) * (size_t)n);
    pg_cell_set_default_masses(cell);
cleanup:
    free(pos);
    if (sym) pg_h5_free_strings(sym, n);
    pg_h5_close(&f);
    if (st != PG_OK) pg_cell_free(cell);
    return st;
}

pg_status_t pg_test_config_scalar(const char *name, const char *what, double *v)
{
    pg_status_t st = PG_OK;
    pg_h5_t *f = NULL;
    char path[256];
    PG_TRY(pg_h5_open(pg_test_physics_h5(), PG_H5_READ, MPI_COMM_NULL, &f));
    snprintf(path, sizeof path, "/configs/%s/%s", name, what);
    PG_TRY(pg_h5_read(f, path, PG_H5_F64, v));
cleanup:
    pg_h5_close(&f);
    return st;
}
