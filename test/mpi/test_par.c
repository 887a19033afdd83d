/* test_par.c - error agreement, file broadcast and reductions at any rank count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_par.h"

int main(int argc, char **argv)
{
    MPI_Comm comm;
    if (pg_par_init(&argc, &argv, &comm) != PG_OK) return 1;
    pg_mpitest_t t;
    pg_mpitest_begin(&t, comm);
    int rank = pg_par_rank(comm), size = pg_par_size(comm);

    /* the last rank fails; everyone gets its code and message */
    pg_status_t st = PG_OK;
    pg_err_clear();
    if (rank == size - 1) st = PG_ERR(PG_ERR_INPUT, "bad thing on the last rank");
    pg_status_t rc = pg_par_agree(comm, &st);
    pg_mpitest_check(&t, rc == PG_OK && st == PG_ERR_INPUT, "agree: code reaches all ranks",
                     "st=%d", (int)st);
    pg_mpitest_check(&t, strstr(pg_err_message(), "bad thing on the last rank") != NULL,
                     "agree: message reaches all ranks", "message '%s'", pg_err_message());
    st = PG_OK;
    rc = pg_par_agree(comm, &st);
    pg_mpitest_check(&t, rc == PG_OK && st == PG_OK, "agree: success stays success", NULL);

    /* reductions */
    double v[3] = {1.0 * rank, 2.0, -1.0 * rank};
    pg_par_sum_double(comm, v, 3);
    double s = 0.5 * size * (size - 1);
    pg_mpitest_check(&t, v[0] == s && v[1] == 2.0 * size && v[2] == -s, "sum_double", NULL);
    int64_t pre = -1;
    pg_par_exscan_int64(comm, rank + 1, &pre);
    pg_mpitest_check(&t, pre == (int64_t)rank * (rank + 1) / 2, "exscan", "got %lld",
                     (long long)pre);

    /* a missing file gives the same error on every rank, naming the path */
    char *data = NULL;
    size_t n = 0;
    st = pg_par_read_file(comm, "/nonexistent/deck.txt", &data, &n);
    pg_mpitest_check(&t, st == PG_ERR_IO && strstr(pg_err_message(), "/nonexistent/deck.txt"),
                     "read_file: missing file agreed", "st=%d msg=%s", (int)st, pg_err_message());
    free(data);
    st = pg_par_read_file(comm, "Makefile", &data, &n);
    pg_mpitest_check(&t, st == PG_OK && n > 100 && strncmp(data, "# phonograph", 12) == 0,
                     "read_file: bytes broadcast", NULL);
    free(data);

    int code = pg_mpitest_end(&t);
    pg_par_finalize(&comm);
    return code;
}
