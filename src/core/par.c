/* par.c - the only file that calls MPI_* (CoMD style): named wrappers that turn MPI error
 * codes into pg_status_t and hide MPI noise from physics code. */
#include "phonograph/pg_par.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pg_status_t mpi_fail(int rc, const char *what, const char *file, int line)
{
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(rc, msg, &len) != MPI_SUCCESS) snprintf(msg, sizeof msg, "code %d", rc);
    return pg_err_set(PG_ERR_MPI, file, line, "%s failed: %s", what, msg);
}
#define MPI_CALL(call)                                                                             \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        if (rc_ != MPI_SUCCESS) return mpi_fail(rc_, #call, __FILE__, __LINE__);                  \
    } while (0)

/* MPI counts are int: split long transfers into chunks of at most CHUNK elements */
#define CHUNK ((int64_t)1 << 28)

pg_status_t pg_par_init(int *argc, char ***argv, MPI_Comm *world)
{
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return PG_ERR(PG_ERR_MPI, "MPI_Init_thread failed");
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_CALL(MPI_Comm_dup(MPI_COMM_WORLD, world));
    MPI_CALL(MPI_Comm_set_errhandler(*world, MPI_ERRORS_RETURN));
    return PG_OK;
}

void pg_par_finalize(MPI_Comm *world)
{
    if (world && *world != MPI_COMM_NULL) MPI_Comm_free(world);
    int fin = 0;
    MPI_Finalized(&fin);
    if (!fin) MPI_Finalize();
}

void pg_par_abort(MPI_Comm comm, int code)
{
    fflush(stdout);
    fflush(stderr);
    MPI_Abort(comm == MPI_COMM_NULL ? MPI_COMM_WORLD : comm, code);
}

int pg_par_rank(MPI_Comm comm)
{
    int r = 0;
    MPI_Comm_rank(comm, &r);
    return r;
}

int pg_par_size(MPI_Comm comm)
{
    int s = 1;
    MPI_Comm_size(comm, &s);
    return s;
}

double pg_par_wtime(void) { return MPI_Wtime(); }

pg_status_t pg_par_agree(MPI_Comm comm, pg_status_t *st)
{
    int mine = (int)*st, worst = 0;
    MPI_CALL(MPI_Allreduce(&mine, &worst, 1, MPI_INT, MPI_MAX, comm));
    if (worst == 0) return PG_OK;
    int rank = pg_par_rank(comm), size = pg_par_size(comm);
    int cand = mine != 0 ? rank : size, first = size;
    MPI_CALL(MPI_Allreduce(&cand, &first, 1, MPI_INT, MPI_MIN, comm));
    char msg[1800];
    memset(msg, 0, sizeof msg);
    if (rank == first) snprintf(msg, sizeof msg, "%s", pg_err_message());
    MPI_CALL(MPI_Bcast(msg, (int)sizeof msg, MPI_CHAR, first, comm));
    if (mine == 0) {
        if (size > 1)
            pg_err_set((pg_status_t)worst, __FILE__, __LINE__, "[rank %d] %s", first, msg);
        else
            pg_err_set((pg_status_t)worst, __FILE__, __LINE__, "%s", msg);
    }
    *st = (pg_status_t)worst;
    return PG_OK;
}

pg_status_t pg_par_barrier(MPI_Comm comm)
{
    MPI_CALL(MPI_Barrier(comm));
    return PG_OK;
}

pg_status_t pg_par_comm_dup(MPI_Comm comm, MPI_Comm *out)
{
    MPI_CALL(MPI_Comm_dup(comm, out));
    MPI_CALL(MPI_Comm_set_errhandler(*out, MPI_ERRORS_RETURN));
    return PG_OK;
}

pg_status_t pg_par_comm_split(MPI_Comm comm, int color, int key, MPI_Comm *out)
{
    MPI_CALL(MPI_Comm_split(comm, color < 0 ? MPI_UNDEFINED : color, key, out));
    if (*out != MPI_COMM_NULL) MPI_CALL(MPI_Comm_set_errhandler(*out, MPI_ERRORS_RETURN));
    return PG_OK;
}

void pg_par_comm_free(MPI_Comm *comm)
{
    if (comm && *comm != MPI_COMM_NULL) MPI_Comm_free(comm);
    if (comm) *comm = MPI_COMM_NULL;
}

pg_status_t pg_par_bcast(MPI_Comm comm, int root, void *buf, size_t n_bytes)
{
    char *p = buf;
    for (size_t off = 0; off < n_bytes; off += (size_t)CHUNK) {
        size_t n = n_bytes - off < (size_t)CHUNK ? n_bytes - off : (size_t)CHUNK;
        MPI_CALL(MPI_Bcast(p + off, (int)n, MPI_BYTE, root, comm));
    }
    return PG_OK;
}

pg_status_t pg_par_read_file(MPI_Comm comm, const char *path, char **data, size_t *n_bytes)
{
    pg_status_t st = PG_OK;
    int64_t len = -1;
    char *buf = NULL;
    *data = NULL;
    *n_bytes = 0;
    if (pg_par_rank(comm) == 0) {
        FILE *f = fopen(path, "rb");
        if (!f) {
            st = PG_ERR(PG_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
        } else {
            if (fseek(f, 0, SEEK_END) == 0) len = ftell(f);
            if (len < 0 || fseek(f, 0, SEEK_SET) != 0) {
                st = PG_ERR(PG_ERR_IO, "cannot determine the size of '%s'", path);
                len = -1;
            } else {
                buf = malloc((size_t)len + 1);
                if (!buf) {
                    st = PG_ERR(PG_ERR_NOMEM, "cannot hold '%s' (%lld bytes)", path,
                                (long long)len);
                    len = -1;
                } else if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
                    st = PG_ERR(PG_ERR_IO, "short read of '%s'", path);
                    len = -1;
                }
            }
            fclose(f);
        }
    }
    PG_CHECK(pg_par_agree(comm, &st));
    if (st != PG_OK) {
        free(buf);
        return st;
    }
    PG_CHECK(pg_par_bcast(comm, 0, &len, sizeof len));
    if (pg_par_rank(comm) != 0) {
        buf = malloc((size_t)len + 1);
        if (!buf) st = PG_ERR(PG_ERR_NOMEM, "cannot hold '%s' (%lld bytes)", path, (long long)len);
    }
    PG_CHECK(pg_par_agree(comm, &st));
    if (st != PG_OK) {
        free(buf);
        return st;
    }
    st = pg_par_bcast(comm, 0, buf, (size_t)len);
    if (st != PG_OK) {
        free(buf);
        return st;
    }
    buf[len] = '\0';
    *data = buf;
    *n_bytes = (size_t)len;
    return PG_OK;
}

static pg_status_t reduce_inplace(MPI_Comm comm, void *buf, int64_t n, MPI_Datatype type,
                                  size_t elem, MPI_Op op)
{
    char *p = buf;
    for (int64_t off = 0; off < n; off += CHUNK) {
        int64_t m = n - off < CHUNK ? n - off : CHUNK;
        MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, p + (size_t)off * elem, (int)m, type, op, comm));
    }
    return PG_OK;
}

pg_status_t pg_par_sum_double(MPI_Comm comm, double *buf, int64_t n)
{
    return reduce_inplace(comm, buf, n, MPI_DOUBLE, sizeof(double), MPI_SUM);
}
pg_status_t pg_par_sum_float(MPI_Comm comm, float *buf, int64_t n)
{
    return reduce_inplace(comm, buf, n, MPI_FLOAT, sizeof(float), MPI_SUM);
}
pg_status_t pg_par_sum_int64(MPI_Comm comm, int64_t *buf, int64_t n)
{
    return reduce_inplace(comm, buf, n, MPI_INT64_T, sizeof(int64_t), MPI_SUM);
}
pg_status_t pg_par_max_double(MPI_Comm comm, double *buf, int64_t n)
{
    return reduce_inplace(comm, buf, n, MPI_DOUBLE, sizeof(double), MPI_MAX);
}
pg_status_t pg_par_min_double(MPI_Comm comm, double *buf, int64_t n)
{
    return reduce_inplace(comm, buf, n, MPI_DOUBLE, sizeof(double), MPI_MIN);
}
pg_status_t pg_par_max_int64(MPI_Comm comm, int64_t *buf, int64_t n)
{
    return reduce_inplace(comm, buf, n, MPI_INT64_T, sizeof(int64_t), MPI_MAX);
}
pg_status_t pg_par_min_int64(MPI_Comm comm, int64_t *buf, int64_t n)
{
    return reduce_inplace(comm, buf, n, MPI_INT64_T, sizeof(int64_t), MPI_MIN);
}

pg_status_t pg_par_exscan_int64(MPI_Comm comm, int64_t value, int64_t *prefix)
{
    int64_t out = 0;
    MPI_CALL(MPI_Exscan(&value, &out, 1, MPI_INT64_T, MPI_SUM, comm));
    if (pg_par_rank(comm) == 0) out = 0; /* undefined on rank 0 by the standard */
    *prefix = out;
    return PG_OK;
}

pg_status_t pg_par_allgather_int64(MPI_Comm comm, int64_t value, int64_t *out)
{
    MPI_CALL(MPI_Allgather(&value, 1, MPI_INT64_T, out, 1, MPI_INT64_T, comm));
    return PG_OK;
}

pg_status_t pg_par_gatherv_bytes(MPI_Comm comm, int root, const void *send, int64_t n_send,
                                 void *recv, const int64_t *counts, const int64_t *displs)
{
    int rank = pg_par_rank(comm), size = pg_par_size(comm);
    /* point-to-point so that 64-bit sizes work; root copies its own block (unless it is already
     * in place: send == recv + displs[root]) */
    if (rank == root) {
        for (int r = 0; r < size; r++) {
            char *dst = (char *)recv + displs[r];
            if (r == root) {
                if (counts[r] && dst != (const char *)send) memcpy(dst, send, (size_t)counts[r]);
                continue;
            }
            for (int64_t off = 0; off < counts[r]; off += CHUNK) {
                int64_t m = counts[r] - off < CHUNK ? counts[r] - off : CHUNK;
                MPI_CALL(MPI_Recv(dst + off, (int)m, MPI_BYTE, r, 7001, comm, MPI_STATUS_IGNORE));
            }
        }
    } else {
        for (int64_t off = 0; off < n_send; off += CHUNK) {
            int64_t m = n_send - off < CHUNK ? n_send - off : CHUNK;
            MPI_CALL(MPI_Send((const char *)send + off, (int)m, MPI_BYTE, root, 7001, comm));
        }
    }
    return PG_OK;
}

pg_status_t pg_par_gather_slots(MPI_Comm comm, int root, const void *send, int64_t n_send,
                                size_t unit, void *recv, const int64_t *const *slots,
                                const int64_t *counts)
{
    PG_REQUIRE(unit > 0 && unit <= (size_t)INT_MAX, PG_ERR_INTERNAL, "item of %zu bytes", unit);
    const int rank = pg_par_rank(comm), size = pg_par_size(comm);
    const int64_t ch = (int64_t)1 << 16; /* items per message (both sides cut alike) */
    MPI_Datatype item;
    MPI_CALL(MPI_Type_contiguous((int)unit, MPI_BYTE, &item));
    MPI_CALL(MPI_Type_commit(&item));
    pg_status_t st = PG_OK;
    if (rank == root) {
        MPI_Aint *disp = malloc(sizeof(MPI_Aint) * (size_t)ch);
        if (!disp) st = PG_ERR(PG_ERR_NOMEM, "out of memory for gather offsets");
        for (int r = 0; r < size && st == PG_OK; r++) {
            if (r == root) continue;
            for (int64_t c0 = 0; c0 < counts[r] && st == PG_OK; c0 += ch) {
                const int64_t m = counts[r] - c0 < ch ? counts[r] - c0 : ch;
                for (int64_t t = 0; t < m; t++) disp[t] = (MPI_Aint)(slots[r][c0 + t] * (int64_t)unit);
                MPI_Datatype scatter;
                int rc = MPI_Type_create_hindexed_block((int)m, 1, disp, item, &scatter);
                if (rc == MPI_SUCCESS) rc = MPI_Type_commit(&scatter);
                if (rc == MPI_SUCCESS) {
                    rc = MPI_Recv(recv, 1, scatter, r, 7002, comm, MPI_STATUS_IGNORE);
                    MPI_Type_free(&scatter);
                }
                if (rc != MPI_SUCCESS) st = PG_ERR(PG_ERR_MPI, "gather to slots from rank %d failed", r);
            }
        }
        free(disp);
    } else {
        for (int64_t c0 = 0; c0 < n_send && st == PG_OK; c0 += ch) {
            const int64_t m = n_send - c0 < ch ? n_send - c0 : ch;
            if (MPI_Send((const char *)send + c0 * (int64_t)unit, (int)m, item, root, 7002, comm) !=
                MPI_SUCCESS)
                st = PG_ERR(PG_ERR_MPI, "gather to slots: send to rank %d failed", root);
        }
    }
    MPI_Type_free(&item);
    return st;
}

pg_status_t pg_par_send(MPI_Comm comm, int dest, int tag, const void *buf, size_t n_bytes)
{
    PG_REQUIRE(n_bytes <= (size_t)INT_MAX, PG_ERR_INTERNAL, "message of %zu bytes too large",
               n_bytes);
    MPI_CALL(MPI_Send(buf, (int)n_bytes, MPI_BYTE, dest, tag, comm));
    return PG_OK;
}

pg_status_t pg_par_recv(MPI_Comm comm, int source, int tag, void *buf, size_t cap, int *from,
                        size_t *n_bytes)
{
    MPI_Status status;
    int src = source == PG_PAR_ANY_SOURCE ? MPI_ANY_SOURCE : source;
    int icap = cap > (size_t)INT_MAX ? INT_MAX : (int)cap;
    MPI_CALL(MPI_Recv(buf, icap, MPI_BYTE, src, tag, comm, &status));
    int count = 0;
    MPI_CALL(MPI_Get_count(&status, MPI_BYTE, &count));
    if (from) *from = status.MPI_SOURCE;
    if (n_bytes) *n_bytes = (size_t)count;
    return PG_OK;
}

pg_status_t pg_par_probe(MPI_Comm comm, int source, int tag, int *from, size_t *n_bytes)
{
    MPI_Status status;
    int src = source == PG_PAR_ANY_SOURCE ? MPI_ANY_SOURCE : source;
    MPI_CALL(MPI_Probe(src, tag, comm, &status));
    int count = 0;
    MPI_CALL(MPI_Get_count(&status, MPI_BYTE, &count));
    if (from) *from = status.MPI_SOURCE;
    if (n_bytes) *n_bytes = (size_t)count;
    return PG_OK;
}

pg_status_t pg_par_iprobe(MPI_Comm comm, int source, int tag, int *flag, int *from,
                          size_t *n_bytes)
{
    MPI_Status status;
    int src = source == PG_PAR_ANY_SOURCE ? MPI_ANY_SOURCE : source;
    *flag = 0;
    MPI_CALL(MPI_Iprobe(src, tag, comm, flag, &status));
    if (!*flag) return PG_OK;
    int count = 0;
    MPI_CALL(MPI_Get_count(&status, MPI_BYTE, &count));
    if (from) *from = status.MPI_SOURCE;
    if (n_bytes) *n_bytes = (size_t)count;
    return PG_OK;
}
