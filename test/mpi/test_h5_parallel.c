/* test_h5_parallel.c - collective row writes from every rank, whole-dataset writes from a
 * parallel file, and read-back; checks the transfer really was collective. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_h5.h"
#include "phonograph/pg_par.h"

int main(int argc, char **argv)
{
    MPI_Comm comm;
    if (pg_par_init(&argc, &argv, &comm) != PG_OK) return 1;
    pg_mpitest_t t;
    pg_mpitest_begin(&t, comm);
    int rank = pg_par_rank(comm), size = pg_par_size(comm);
    char path[600];
    if (rank == 0) snprintf(path, sizeof path, "%s/par.h5", pg_test_tmpdir());
    pg_par_bcast(comm, 0, path, sizeof path);

    /* rank r owns r+1 rows (rank 3 owns none when size == 4 to exercise empty selections) */
    int64_t mine = (size == 4 && rank == 3) ? 0 : rank + 1, first = 0, total = mine;
    pg_par_exscan_int64(comm, mine, &first);
    pg_par_sum_int64(comm, &total, 1);
    double *rows = calloc((size_t)(mine ? mine : 1) * 2, sizeof(double));
    for (int64_t i = 0; i < mine; i++) {
        rows[2 * i] = (double)(first + i);
        rows[2 * i + 1] = -(double)(first + i);
    }
    pg_h5_t *f = NULL;
    pg_status_t st = pg_h5_open(path, PG_H5_TRUNCATE, comm, &f);
    int64_t dims[2] = {total, 2};
    if (st == PG_OK) st = pg_h5_create_rows(f, "/data/x", PG_H5_F64, 2, dims, total, 0);
    if (st == PG_OK) st = pg_h5_write_rows(f, "/data/x", PG_H5_F64, first, mine, rows);
    int coll = st == PG_OK && pg_h5_last_io_was_collective(f);
    double meta[2] = {3.0, 4.0};
    int64_t d2 = 2;
    if (st == PG_OK) st = pg_h5_write(f, "/meta", PG_H5_F64, 1, &d2, meta);
    if (st == PG_OK) st = pg_h5_attr_write_string(f, "/", "format", "par-test");
    pg_status_t st2 = pg_h5_close(&f);
    pg_mpitest_check(&t, st == PG_OK && st2 == PG_OK, "parallel write", "%s", pg_err_message());
    pg_mpitest_check(&t, size == 1 || coll, "transfer was collective", NULL);

    /* read back everything on every rank */
    double *all = calloc((size_t)total * 2, sizeof(double));
    double m2[2] = {0, 0};
    st = pg_h5_open(path, PG_H5_READ, comm, &f);
    if (st == PG_OK) st = pg_h5_read_rows(f, "/data/x", PG_H5_F64, 0, total, all);
    if (st == PG_OK) st = pg_h5_read(f, "/meta", PG_H5_F64, m2);
    pg_h5_close(&f);
    int ok = st == PG_OK && m2[0] == 3.0 && m2[1] == 4.0;
    for (int64_t i = 0; i < total && ok; i++) ok = all[2 * i] == (double)i && all[2 * i + 1] == -(double)i;
    pg_mpitest_check(&t, ok, "read back rows from every rank", "%s", pg_err_message());
    free(all);
    free(rows);
    if (rank == 0) remove(path);
    int code = pg_mpitest_end(&t);
    pg_par_finalize(&comm);
    return code;
}
