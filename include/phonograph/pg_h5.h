/* pg_h5.h - every HDF5 call of phonograph lives in src/io/h5.c behind these wrappers.
 *
 * Files are opened serially (comm == MPI_COMM_NULL or MPI_COMM_SELF) or in parallel with
 * MPI-IO (collective metadata, collective transfers). Datasets are addressed by path
 * ("/group/name"); missing parent groups are created on write. Errors come back as
 * PG_ERR_IO naming the file and the dataset; HDF5's automatic stack printing is off.
 * Shapes: rank <= 4, dims as int64_t. Arrays are C order (row-major).
 */
#ifndef PG_H5_H
#define PG_H5_H

#include <mpi.h>
#include <stdint.h>

#include "phonograph/pg_status.h"

typedef enum { PG_H5_F64, PG_H5_F32, PG_H5_I64, PG_H5_I32, PG_H5_U8 } pg_h5_type_t;

typedef struct pg_h5 pg_h5_t;

typedef enum {
    PG_H5_READ,      /* existing file, read only */
    PG_H5_RDWR,      /* existing file, read/write */
    PG_H5_CREATE,    /* create, fail if it exists */
    PG_H5_TRUNCATE   /* create or overwrite */
} pg_h5_mode_t;

/* Open a file. comm == MPI_COMM_NULL: serial (this rank only). Otherwise collective on comm
 * with the MPI-IO driver. */
pg_status_t pg_h5_open(const char *path, pg_h5_mode_t mode, MPI_Comm comm, pg_h5_t **out);
/* Flush and close; collective if opened in parallel. Accepts NULL. */
pg_status_t pg_h5_close(pg_h5_t **f);
/* Flush buffers to disk (H5Fflush, global scope). Collective if parallel. */
pg_status_t pg_h5_flush(pg_h5_t *f);
const char *pg_h5_filename(const pg_h5_t *f);
/* Version of the HDF5 library linked in, "major.minor.release" (H5get_libversion). Not
 * collective; writes into buf[n] and returns buf. */
const char *pg_h5_library_version(char *buf, size_t n);
/* 1 if path is an HDF5 file (H5Fis_hdf5: the signature, also behind a user block), 0 if it is
 * not or cannot be read. Not collective; no error record. */
int pg_h5_is_hdf5(const char *path);

/* 1 if the object (group or dataset) exists. */
int pg_h5_exists(pg_h5_t *f, const char *path);
/* Shape of a dataset: *rank and dims[0..rank-1]. */
pg_status_t pg_h5_shape(pg_h5_t *f, const char *path, int *rank, int64_t dims[4]);

/* Whole-dataset write (create or overwrite) and read. In a parallel file every rank calls
 * with the same arguments; rank 0's data is written. read: buf must hold the whole dataset;
 * the stored type is converted to `type`. */
pg_status_t pg_h5_write(pg_h5_t *f, const char *path, pg_h5_type_t type, int rank,
                        const int64_t *dims, const void *buf);
pg_status_t pg_h5_read(pg_h5_t *f, const char *path, pg_h5_type_t type, void *buf);
/* Read into a newly malloc'ed buffer (caller frees); also returns the shape. */
pg_status_t pg_h5_read_alloc(pg_h5_t *f, const char *path, pg_h5_type_t type, void **buf,
                             int *rank, int64_t dims[4]);

/* Strings: a fixed-length-string array (n strings) and a single string. */
pg_status_t pg_h5_write_strings(pg_h5_t *f, const char *path, int64_t n,
                                const char *const *strings);
pg_status_t pg_h5_write_string(pg_h5_t *f, const char *path, const char *s);
/* Read a scalar or 1-element string dataset (fixed or variable length) into a malloc'ed
 * NUL-terminated string. */
pg_status_t pg_h5_read_string(pg_h5_t *f, const char *path, char **s);
/* Read an array of n strings (fixed or variable length) as malloc'ed strings (free each with
 * pg_h5_free_strings). */
pg_status_t pg_h5_read_strings(pg_h5_t *f, const char *path, char ***strings, int64_t *n);
void pg_h5_free_strings(char **strings, int64_t n);

/* Attributes on an object (path "/" = the file's root group). */
pg_status_t pg_h5_attr_write_string(pg_h5_t *f, const char *obj, const char *name,
                                    const char *value);
pg_status_t pg_h5_attr_write(pg_h5_t *f, const char *obj, const char *name, pg_h5_type_t type,
                             int64_t n, const void *values);
pg_status_t pg_h5_attr_read_string(pg_h5_t *f, const char *obj, const char *name, char **value);
pg_status_t pg_h5_attr_read(pg_h5_t *f, const char *obj, const char *name, pg_h5_type_t type,
                            int64_t n, void *values);
int pg_h5_attr_exists(pg_h5_t *f, const char *obj, const char *name);

/* ---- row-partitioned datasets (parallel shards) ----------------------------------------
 * A dataset of shape [n_rows, row_dims...] (rank 1..4), chunked along rows, optionally
 * extendible. Each rank writes its own contiguous block of rows collectively; ranks with
 * nothing to write still call with n = 0 (H5Sselect_none). */
/* Create with fixed total rows (max_rows = rows) or extendible (max_rows = -1).
 * chunk_rows <= 0 picks a chunk of ~1 MiB. Collective if parallel. */
pg_status_t pg_h5_create_rows(pg_h5_t *f, const char *path, pg_h5_type_t type, int rank,
                              const int64_t *dims, int64_t max_rows, int64_t chunk_rows);
/* Extend an extendible dataset to n_rows. Collective if parallel. */
pg_status_t pg_h5_extend_rows(pg_h5_t *f, const char *path, int64_t n_rows);
/* Write rows [first, first+n) from buf (collective transfer if parallel). */
pg_status_t pg_h5_write_rows(pg_h5_t *f, const char *path, pg_h5_type_t type, int64_t first,
                             int64_t n, const void *buf);
/* Read rows [first, first+n) into buf (collective if parallel; n may be 0). */
pg_status_t pg_h5_read_rows(pg_h5_t *f, const char *path, pg_h5_type_t type, int64_t first,
                            int64_t n, void *buf);
/* 1 if the last collective transfer of this file was really collective (for tests). */
int pg_h5_last_io_was_collective(pg_h5_t *f);

#endif
