/* h5_rows_bench.c - parallel HDF5 write bandwidth through pg_h5's collective row API (the
 * dataset writer's path): a [rows][8192] float64 dataset of MIB MiB, every rank writes its
 * contiguous share in 4 collective calls. Prints MB/s until H5Fclose and until fsync.
 * usage: mpirun -np P h5_rows_bench FILE MIB */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "phonograph/pg_h5.h"
#include "phonograph/pg_par.h"

int main(int argc, char **argv)
{
    MPI_Comm comm;
    if (pg_par_init(&argc, &argv, &comm) != PG_OK) return 1;
    if (argc != 3) {
        fprintf(stderr, "usage: h5_rows_bench FILE MIB\n");
        pg_par_finalize(&comm);
        return 1;
    }
    const int rank = pg_par_rank(comm), size = pg_par_size(comm);
    const int64_t cols = 8192, rows = (int64_t)atoll(argv[2]) * 16; /* 64 KiB rows */
    const int64_t first = rows * rank / size, last = rows * (rank + 1) / size, mine = last - first;
    double *buf = malloc(sizeof(double) * (size_t)(mine * cols));
    for (int64_t i = 0; i < mine * cols; i++) buf[i] = (double)(first * cols + i);
    pg_h5_t *f = NULL;
    int64_t dims[2] = {rows, cols};
    pg_status_t st = pg_h5_open(argv[1], PG_H5_TRUNCATE, comm, &f);
    if (st == PG_OK) st = pg_h5_create_rows(f, "/rows", PG_H5_F64, 2, dims, rows, 16);
    pg_par_barrier(comm);
    const double t0 = pg_par_wtime();
    const int n_call = 4;
    for (int k = 0; k < n_call && st == PG_OK; k++) {
        const int64_t a = mine * k / n_call, b = mine * (k + 1) / n_call;
        st = pg_h5_write_rows(f, "/rows", PG_H5_F64, first + a, b - a, buf + a * cols);
    }
    const int collective = f ? pg_h5_last_io_was_collective(f) : 0;
    if (st == PG_OK) st = pg_h5_close(&f);
    pg_par_barrier(comm);
    const double t1 = pg_par_wtime();
    if (rank == 0) {
        int fd = open(argv[1], O_RDONLY);
        if (fd >= 0) {
            fsync(fd);
            close(fd);
        }
    }
    pg_par_barrier(comm);
    const double t2 = pg_par_wtime();
    const double mb = (double)(rows * cols * 8) / 1e6;
    if (rank == 0) {
        if (st != PG_OK) pg_err_print(stderr, "");
        printf("pg_h5 rows, %d ranks, %.0f MB, collective=%d\n", size, mb, collective);
        printf("until H5Fclose: %.3f s = %.0f MB/s\n", t1 - t0, mb / (t1 - t0));
        printf("until fsync:    %.3f s = %.0f MB/s\n", t2 - t0, mb / (t2 - t0));
    }
    free(buf);
    pg_par_finalize(&comm);
    return st == PG_OK ? 0 : 1;
}
