/* pg_par.h - every MPI call of phonograph lives behind these wrappers (CoMD's parallel.c).
 *
 * Communicators are always explicit; nothing below main uses MPI_COMM_WORLD. Wrappers set
 * MPI_ERRORS_RETURN on communicators they create and translate MPI error codes into
 * PG_ERR_MPI with MPI_Error_string. "Collective on comm" means every rank of comm must call.
 */
#ifndef PG_PAR_H
#define PG_PAR_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "phonograph/pg_status.h"

/* main only: MPI_Init, then dup MPI_COMM_WORLD into *world (errors return). */
pg_status_t pg_par_init(int *argc, char ***argv, MPI_Comm *world);
/* main only: free *world and MPI_Finalize. */
void pg_par_finalize(MPI_Comm *world);
/* main only: last resort when a rank cannot reach an agreement point. */
void pg_par_abort(MPI_Comm comm, int code);

int pg_par_rank(MPI_Comm comm);
int pg_par_size(MPI_Comm comm);
double pg_par_wtime(void);

/* Errors are local until agreed. Collective on comm. On return every rank holds the same
 * *st (the maximum code over ranks); if any rank failed, the message of the lowest failing
 * rank becomes the current error record on every rank that did not fail itself, prefixed
 * "[rank r]". Returns PG_OK unless the agreement itself failed (then PG_ERR_MPI). */
pg_status_t pg_par_agree(MPI_Comm comm, pg_status_t *st);

pg_status_t pg_par_barrier(MPI_Comm comm);
pg_status_t pg_par_comm_dup(MPI_Comm comm, MPI_Comm *out);
pg_status_t pg_par_comm_split(MPI_Comm comm, int color, int key, MPI_Comm *out);
void pg_par_comm_free(MPI_Comm *comm);

/* Broadcast n bytes from root. Collective. */
pg_status_t pg_par_bcast(MPI_Comm comm, int root, void *buf, size_t n_bytes);
/* Rank 0 reads the whole file at path and broadcasts its bytes (NUL-terminated copy).
 * *data is malloc'ed on every rank (caller frees). Collective; errors agreed (all ranks
 * return the same status, the message names the path). */
pg_status_t pg_par_read_file(MPI_Comm comm, const char *path, char **data, size_t *n_bytes);

/* In-place reductions over comm (MPI_IN_PLACE). Collective. Counts may exceed INT_MAX. */
pg_status_t pg_par_sum_double(MPI_Comm comm, double *buf, int64_t n);
pg_status_t pg_par_sum_float(MPI_Comm comm, float *buf, int64_t n);
pg_status_t pg_par_sum_int64(MPI_Comm comm, int64_t *buf, int64_t n);
pg_status_t pg_par_max_double(MPI_Comm comm, double *buf, int64_t n);
pg_status_t pg_par_min_double(MPI_Comm comm, double *buf, int64_t n);
pg_status_t pg_par_max_int64(MPI_Comm comm, int64_t *buf, int64_t n);
pg_status_t pg_par_min_int64(MPI_Comm comm, int64_t *buf, int64_t n);
/* Exclusive prefix sum of one value (rank 0 gets 0). Collective. */
pg_status_t pg_par_exscan_int64(MPI_Comm comm, int64_t value, int64_t *prefix);
/* Gather variable-length byte blocks to root (recv/recv_counts/displs only on root). */
pg_status_t pg_par_gatherv_bytes(MPI_Comm comm, int root, const void *send, int64_t n_send,
                                 void *recv, const int64_t *counts, const int64_t *displs);
/* Gather fixed-size items to root, each straight into its own slot (an MPI indexed datatype on
 * root, no staging copy): rank r != root sends n_send items of `unit` bytes, contiguous; root
 * places item t of rank r at recv + slots[r][t] * unit (slots[r] has counts[r] entries; slots and
 * counts only on root; root's own items are not touched: already in place). Collective. */
pg_status_t pg_par_gather_slots(MPI_Comm comm, int root, const void *send, int64_t n_send,
                                size_t unit, void *recv, const int64_t *const *slots,
                                const int64_t *counts);
/* Allgather one int64 per rank into out[size]. */
pg_status_t pg_par_allgather_int64(MPI_Comm comm, int64_t value, int64_t *out);

/* Point-to-point bytes for the task farm. tag >= 0. PG_PAR_ANY_SOURCE for any sender.
 * pg_par_recv reports the sender and the received length (<= cap). */
#define PG_PAR_ANY_SOURCE (-1)
pg_status_t pg_par_send(MPI_Comm comm, int dest, int tag, const void *buf, size_t n_bytes);
pg_status_t pg_par_recv(MPI_Comm comm, int source, int tag, void *buf, size_t cap,
                        int *from, size_t *n_bytes);
/* Blocking probe: size in bytes and sender of the next message with tag (any source if
 * source == PG_PAR_ANY_SOURCE). */
pg_status_t pg_par_probe(MPI_Comm comm, int source, int tag, int *from, size_t *n_bytes);
/* Non-blocking probe: *flag = 1 and sender/size filled if a message with tag is waiting. */
pg_status_t pg_par_iprobe(MPI_Comm comm, int source, int tag, int *flag, int *from,
                          size_t *n_bytes);

#endif
