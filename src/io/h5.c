/* h5.c - the only file that calls H5* (see pg_h5.h).
 *
 * Serial files use the default driver; parallel files use MPI-IO with collective metadata
 * operations and collective transfers (H5FD_MPIO_COLLECTIVE). HDF5's automatic error stack
 * printing is switched off; failures become PG_ERR_IO naming the file, the object and the
 * innermost HDF5 error description.
 */
#include "phonograph/pg_h5.h"
#include "phonograph/pg_par.h"

#include <hdf5.h>
#include <stdlib.h>
#include <string.h>

#ifndef H5_HAVE_PARALLEL
#error "phonograph needs the parallel (openmpi) flavour of HDF5: pkg-config hdf5-openmpi"
#endif

struct pg_h5 {
    hid_t fid;
    int parallel;
    hid_t dxpl; /* transfer property list: collective for parallel files */
    int last_collective;
    int rank; /* rank in the file's communicator (0 for serial files) */
    char path[1024];
};

/* ---- error translation --------------------------------------------------------------- */

static herr_t walk_cb(unsigned n, const H5E_error2_t *err, void *data)
{
    /* keep the innermost (first) description */
    if (n == 0 && err->desc) snprintf((char *)data, 256, "%s", err->desc);
    return 0;
}

static pg_status_t h5_fail(const pg_h5_t *f, const char *what, const char *obj, const char *file,
                           int line)
{
    char desc[256] = "";
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, walk_cb, desc);
    H5Eclear2(H5E_DEFAULT);
    return pg_err_set(PG_ERR_IO, file, line, "HDF5: cannot %s '%s' in '%s'%s%s", what,
                      obj ? obj : "", f ? f->path : "?", desc[0] ? ": " : "", desc);
}
#define H5FAIL(what, obj) h5_fail(f, (what), (obj), __FILE__, __LINE__)

static void quiet_hdf5(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

static hid_t mem_type(pg_h5_type_t t)
{
    switch (t) {
    case PG_H5_F64: return H5T_NATIVE_DOUBLE;
    case PG_H5_F32: return H5T_NATIVE_FLOAT;
    case PG_H5_I64: return H5T_NATIVE_INT64;
    case PG_H5_I32: return H5T_NATIVE_INT32;
    case PG_H5_U8: return H5T_NATIVE_UINT8;
    }
    return H5T_NATIVE_DOUBLE;
}

static hid_t file_type(pg_h5_type_t t)
{
    switch (t) {
    case PG_H5_F64: return H5T_IEEE_F64LE;
    case PG_H5_F32: return H5T_IEEE_F32LE;
    case PG_H5_I64: return H5T_STD_I64LE;
    case PG_H5_I32: return H5T_STD_I32LE;
    case PG_H5_U8: return H5T_STD_U8LE;
    }
    return H5T_IEEE_F64LE;
}

static size_t type_size(pg_h5_type_t t)
{
    switch (t) {
    case PG_H5_F64:
    case PG_H5_I64: return 8;
    case PG_H5_F32:
    case PG_H5_I32: return 4;
    case PG_H5_U8: return 1;
    }
    return 8;
}

/* ---- files ------------------------------------------------------------------------------ */

pg_status_t pg_h5_open(const char *path, pg_h5_mode_t mode, MPI_Comm comm, pg_h5_t **out)
{
    quiet_hdf5();
    *out = NULL;
    pg_h5_t *f = calloc(1, sizeof *f);
    PG_REQUIRE(f, PG_ERR_NOMEM, "out of memory opening '%s'", path);
    snprintf(f->path, sizeof f->path, "%s", path);
    f->fid = -1;
    f->parallel = comm != MPI_COMM_NULL && comm != MPI_COMM_SELF;
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    f->dxpl = H5Pcreate(H5P_DATASET_XFER);
    if (f->parallel) {
        f->rank = pg_par_rank(comm);
        H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL);
        H5Pset_all_coll_metadata_ops(fapl, 1);
        H5Pset_coll_metadata_write(fapl, 1);
        H5Pset_dxpl_mpio(f->dxpl, H5FD_MPIO_COLLECTIVE);
    }
    switch (mode) {
    case PG_H5_READ: f->fid = H5Fopen(path, H5F_ACC_RDONLY, fapl); break;
    case PG_H5_RDWR: f->fid = H5Fopen(path, H5F_ACC_RDWR, fapl); break;
    case PG_H5_CREATE: f->fid = H5Fcreate(path, H5F_ACC_EXCL, H5P_DEFAULT, fapl); break;
    case PG_H5_TRUNCATE: f->fid = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl); break;
    }
    H5Pclose(fapl);
    if (f->fid < 0) {
        static const char *verbs[] = {"open for reading", "open for writing", "create",
                                      "create"};
        pg_status_t st = h5_fail(f, verbs[mode], "/", __FILE__, __LINE__);
        H5Pclose(f->dxpl);
        free(f);
        return st;
    }
    *out = f;
    return PG_OK;
}

pg_status_t pg_h5_close(pg_h5_t **fp)
{
    if (!fp || !*fp) return PG_OK;
    pg_h5_t *f = *fp;
    pg_status_t st = PG_OK;
    if (f->dxpl >= 0) H5Pclose(f->dxpl);
    if (f->fid >= 0 && H5Fclose(f->fid) < 0) st = H5FAIL("close", "/");
    free(f);
    *fp = NULL;
    return st;
}

pg_status_t pg_h5_flush(pg_h5_t *f)
{
    if (H5Fflush(f->fid, H5F_SCOPE_GLOBAL) < 0) return H5FAIL("flush", "/");
    return PG_OK;
}

const char *pg_h5_filename(const pg_h5_t *f) { return f->path; }

const char *pg_h5_library_version(char *buf, size_t n)
{
    unsigned maj = 0, min = 0, rel = 0;
    if (H5get_libversion(&maj, &min, &rel) < 0) snprintf(buf, n, "unknown");
    else snprintf(buf, n, "%u.%u.%u", maj, min, rel);
    return buf;
}

int pg_h5_is_hdf5(const char *path)
{
    quiet_hdf5();
    int yes = path && H5Fis_hdf5(path) > 0;
    H5Eclear2(H5E_DEFAULT); /* a missing file leaves an error stack */
    return yes;
}

/* H5Lexists on each component, so missing intermediate groups are not errors */
int pg_h5_exists(pg_h5_t *f, const char *path)
{
    if (!path || strcmp(path, "/") == 0) return 1;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (H5Lexists(f->fid, buf, H5P_DEFAULT) <= 0) {
                H5Eclear2(H5E_DEFAULT);
                return 0;
            }
            if (c == '\0') break;
            *p = c;
        }
    }
    return 1;
}

pg_status_t pg_h5_shape(pg_h5_t *f, const char *path, int *rank, int64_t dims[4])
{
    hid_t d = H5Dopen2(f->fid, path, H5P_DEFAULT);
    if (d < 0) return H5FAIL("open dataset", path);
    hid_t s = H5Dget_space(d);
    int r = H5Sget_simple_extent_ndims(s);
    hsize_t h[8] = {0};
    pg_status_t st = PG_OK;
    if (r < 0 || r > 4) st = PG_ERR(PG_ERR_IO, "dataset '%s' in '%s' has rank %d (max 4)", path,
                                    f->path, r);
    else {
        H5Sget_simple_extent_dims(s, h, NULL);
        *rank = r;
        for (int k = 0; k < 4; k++) dims[k] = k < r ? (int64_t)h[k] : 1;
    }
    H5Sclose(s);
    H5Dclose(d);
    return st;
}

static hid_t lcpl_intermediate(void)
{
    hid_t l = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(l, 1);
    return l;
}

/* remove an existing dataset so that it can be recreated with another shape */
static pg_status_t unlink_if_exists(pg_h5_t *f, const char *path)
{
    if (pg_h5_exists(f, path) && H5Ldelete(f->fid, path, H5P_DEFAULT) < 0)
        return H5FAIL("replace", path);
    return PG_OK;
}

/* rank 0 of a parallel file writes, the others select nothing (collective transfer) */
static int writes_data(const pg_h5_t *f) { return !f->parallel || f->rank == 0; }

/* Create dataset path (intermediate groups too) of file type ft over space and write buf
 * (memory type mt); in a parallel file only rank 0 transfers data, the others join with an
 * empty selection. */
static pg_status_t create_and_write(pg_h5_t *f, const char *path, hid_t ft, hid_t mt, hid_t space,
                                    const void *buf)
{
    hid_t lcpl = lcpl_intermediate();
    hid_t d = H5Dcreate2(f->fid, path, ft, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    H5Pclose(lcpl);
    if (d < 0) return H5FAIL("create dataset", path);
    pg_status_t st = PG_OK;
    hid_t ms = H5Scopy(space), fs = H5Scopy(space);
    if (!writes_data(f)) {
        H5Sselect_none(ms);
        H5Sselect_none(fs);
    }
    if (H5Dwrite(d, mt, ms, fs, f->dxpl, buf) < 0) st = H5FAIL("write", path);
    H5Sclose(ms);
    H5Sclose(fs);
    H5Dclose(d);
    return st;
}

pg_status_t pg_h5_write(pg_h5_t *f, const char *path, pg_h5_type_t type, int rank,
                        const int64_t *dims, const void *buf)
{
    PG_REQUIRE(rank >= 0 && rank <= 4, PG_ERR_INTERNAL, "rank %d dataset '%s'", rank, path);
    PG_CHECK(unlink_if_exists(f, path));
    hsize_t h[4];
    for (int k = 0; k < rank; k++) h[k] = (hsize_t)dims[k];
    hid_t space = rank ? H5Screate_simple(rank, h, NULL) : H5Screate(H5S_SCALAR);
    pg_status_t st = create_and_write(f, path, file_type(type), mem_type(type), space, buf);
    H5Sclose(space);
    return st;
}

pg_status_t pg_h5_read(pg_h5_t *f, const char *path, pg_h5_type_t type, void *buf)
{
    hid_t d = H5Dopen2(f->fid, path, H5P_DEFAULT);
    if (d < 0) return H5FAIL("open dataset", path);
    pg_status_t st = PG_OK;
    if (H5Dread(d, mem_type(type), H5S_ALL, H5S_ALL, f->dxpl, buf) < 0) st = H5FAIL("read", path);
    H5Dclose(d);
    return st;
}

pg_status_t pg_h5_read_alloc(pg_h5_t *f, const char *path, pg_h5_type_t type, void **buf,
                             int *rank, int64_t dims[4])
{
    *buf = NULL;
    PG_CHECK(pg_h5_shape(f, path, rank, dims));
    int64_t n = 1;
    for (int k = 0; k < *rank; k++) n *= dims[k];
    void *p = malloc((size_t)(n ? n : 1) * type_size(type));
    PG_REQUIRE(p, PG_ERR_NOMEM, "out of memory reading '%s' (%lld elements)", path, (long long)n);
    pg_status_t st = pg_h5_read(f, path, type, p);
    if (st != PG_OK) {
        free(p);
        pg_err_frame(__FILE__, __LINE__, __func__);
        return st;
    }
    *buf = p;
    return PG_OK;
}

/* ---- strings ---------------------------------------------------------------------------- */

pg_status_t pg_h5_write_strings(pg_h5_t *f, const char *path, int64_t n,
                                const char *const *strings)
{
    PG_REQUIRE(n >= 0, PG_ERR_INTERNAL, "negative string count for '%s'", path);
    size_t len = 1;
    for (int64_t k = 0; k < n; k++) {
        size_t l = strlen(strings[k]);
        if (l > len) len = l;
    }
    char *buf = calloc(n ? (size_t)n : 1u, len);
    PG_REQUIRE(buf, PG_ERR_NOMEM, "out of memory writing strings '%s'", path);
    for (int64_t k = 0; k < n; k++) memcpy(buf + (size_t)k * len, strings[k], strlen(strings[k]));
    pg_status_t st = unlink_if_exists(f, path);
    if (st != PG_OK) {
        free(buf);
        return st;
    }
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, len);
    H5Tset_strpad(t, H5T_STR_NULLPAD);
    hsize_t h = (hsize_t)n;
    hid_t space = H5Screate_simple(1, &h, NULL);
    st = create_and_write(f, path, t, t, space, buf);
    H5Sclose(space);
    H5Tclose(t);
    free(buf);
    return st;
}

pg_status_t pg_h5_write_string(pg_h5_t *f, const char *path, const char *s)
{
    const char *one[1] = {s};
    return pg_h5_write_strings(f, path, 1, one);
}

/* read n strings from an open dataset or attribute of string type t */
static pg_status_t read_string_array(pg_h5_t *f, const char *what, hid_t obj, int is_attr,
                                     hid_t ftype, int64_t n, char ***out)
{
    char **res = calloc((size_t)(n ? n : 1), sizeof(char *));
    PG_REQUIRE(res, PG_ERR_NOMEM, "out of memory reading strings '%s'", what);
    pg_status_t st = PG_OK;
    if (H5Tis_variable_str(ftype) > 0) {
        char **tmp = calloc((size_t)(n ? n : 1), sizeof(char *));
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, H5T_VARIABLE);
        herr_t rc = is_attr ? H5Aread(obj, mt, tmp) : H5Dread(obj, mt, H5S_ALL, H5S_ALL,
                                                              f->dxpl, tmp);
        if (rc < 0) st = H5FAIL("read strings", what);
        for (int64_t k = 0; k < n && st == PG_OK; k++) res[k] = strdup(tmp[k] ? tmp[k] : "");
        if (rc >= 0) {
            hsize_t h = (hsize_t)n;
            hid_t sp = n ? H5Screate_simple(1, &h, NULL) : H5Screate(H5S_SCALAR);
            H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, tmp);
            H5Sclose(sp);
        }
        H5Tclose(mt);
        free(tmp);
    } else {
        size_t len = H5Tget_size(ftype);
        char *buf = calloc((size_t)(n ? n : 1), len + 1);
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, len);
        H5Tset_strpad(mt, H5T_STR_NULLPAD); /* NULLTERM would drop the last character */
        herr_t rc = is_attr ? H5Aread(obj, mt, buf)
                            : H5Dread(obj, mt, H5S_ALL, H5S_ALL, f->dxpl, buf);
        if (rc < 0) st = H5FAIL("read strings", what);
        for (int64_t k = 0; k < n && st == PG_OK; k++) {
            res[k] = calloc(len + 1, 1);
            if (res[k]) memcpy(res[k], buf + (size_t)k * len, len);
        }
        H5Tclose(mt);
        free(buf);
    }
    if (st != PG_OK) {
        pg_h5_free_strings(res, n);
        return st;
    }
    *out = res;
    return PG_OK;
}

void pg_h5_free_strings(char **strings, int64_t n)
{
    if (!strings) return;
    for (int64_t k = 0; k < n; k++) free(strings[k]);
    free(strings);
}

pg_status_t pg_h5_read_strings(pg_h5_t *f, const char *path, char ***strings, int64_t *n)
{
    hid_t d = H5Dopen2(f->fid, path, H5P_DEFAULT);
    if (d < 0) return H5FAIL("open dataset", path);
    hid_t t = H5Dget_type(d), s = H5Dget_space(d);
    pg_status_t st = PG_OK;
    if (H5Tget_class(t) != H5T_STRING) st = PG_ERR(PG_ERR_IO, "dataset '%s' in '%s' is not a string dataset", path, f->path);
    else {
        hssize_t m = H5Sget_simple_extent_npoints(s);
        *n = (int64_t)m;
        st = read_string_array(f, path, d, 0, t, (int64_t)m, strings);
    }
    H5Sclose(s);
    H5Tclose(t);
    H5Dclose(d);
    return st;
}

pg_status_t pg_h5_read_string(pg_h5_t *f, const char *path, char **s)
{
    char **arr = NULL;
    int64_t n = 0;
    PG_CHECK(pg_h5_read_strings(f, path, &arr, &n));
    if (n < 1) {
        pg_h5_free_strings(arr, n);
        return PG_ERR(PG_ERR_IO, "string dataset '%s' in '%s' is empty", path, f->path);
    }
    *s = arr[0];
    arr[0] = NULL;
    pg_h5_free_strings(arr, n);
    return PG_OK;
}

/* ---- attributes ----------------------------------------------------------------------- */

pg_status_t pg_h5_attr_write_string(pg_h5_t *f, const char *obj, const char *name,
                                    const char *value)
{
    hid_t o = H5Oopen(f->fid, obj, H5P_DEFAULT);
    if (o < 0) return H5FAIL("open object", obj);
    if (H5Aexists(o, name) > 0) H5Adelete(o, name);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, strlen(value) ? strlen(value) : 1);
    H5Tset_strpad(t, H5T_STR_NULLPAD);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(o, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
    pg_status_t st = PG_OK;
    if (a < 0 || H5Awrite(a, t, strlen(value) ? value : "") < 0) st = H5FAIL("write attribute", name);
    if (a >= 0) H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(t);
    H5Oclose(o);
    return st;
}

pg_status_t pg_h5_attr_write(pg_h5_t *f, const char *obj, const char *name, pg_h5_type_t type,
                             int64_t n, const void *values)
{
    hid_t o = H5Oopen(f->fid, obj, H5P_DEFAULT);
    if (o < 0) return H5FAIL("open object", obj);
    if (H5Aexists(o, name) > 0) H5Adelete(o, name);
    hsize_t h = (hsize_t)n;
    hid_t sp = n == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &h, NULL);
    hid_t a = H5Acreate2(o, name, file_type(type), sp, H5P_DEFAULT, H5P_DEFAULT);
    pg_status_t st = PG_OK;
    if (a < 0 || H5Awrite(a, mem_type(type), values) < 0) st = H5FAIL("write attribute", name);
    if (a >= 0) H5Aclose(a);
    H5Sclose(sp);
    H5Oclose(o);
    return st;
}

int pg_h5_attr_exists(pg_h5_t *f, const char *obj, const char *name)
{
    if (!pg_h5_exists(f, obj)) return 0;
    htri_t r = H5Aexists_by_name(f->fid, obj, name, H5P_DEFAULT);
    H5Eclear2(H5E_DEFAULT);
    return r > 0;
}

pg_status_t pg_h5_attr_read_string(pg_h5_t *f, const char *obj, const char *name, char **value)
{
    hid_t a = H5Aopen_by_name(f->fid, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) return H5FAIL("open attribute", name);
    hid_t t = H5Aget_type(a), s = H5Aget_space(a);
    pg_status_t st = PG_OK;
    if (H5Tget_class(t) != H5T_STRING)
        st = PG_ERR(PG_ERR_IO, "attribute '%s' of '%s' in '%s' is not a string", name, obj,
                    f->path);
    else {
        char **arr = NULL;
        hssize_t m = H5Sget_simple_extent_npoints(s);
        st = read_string_array(f, name, a, 1, t, (int64_t)m, &arr);
        if (st == PG_OK) {
            *value = arr[0];
            arr[0] = NULL;
            pg_h5_free_strings(arr, (int64_t)m);
        }
    }
    H5Sclose(s);
    H5Tclose(t);
    H5Aclose(a);
    return st;
}

pg_status_t pg_h5_attr_read(pg_h5_t *f, const char *obj, const char *name, pg_h5_type_t type,
                            int64_t n, void *values)
{
    hid_t a = H5Aopen_by_name(f->fid, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) return H5FAIL("open attribute", name);
    hid_t s = H5Aget_space(a);
    hssize_t m = H5Sget_simple_extent_npoints(s);
    pg_status_t st = PG_OK;
    if (m != n)
        st = PG_ERR(PG_ERR_IO, "attribute '%s' of '%s' in '%s' has %lld values, expected %lld",
                    name, obj, f->path, (long long)m, (long long)n);
    else if (H5Aread(a, mem_type(type), values) < 0)
        st = H5FAIL("read attribute", name);
    H5Sclose(s);
    H5Aclose(a);
    return st;
}

/* ---- row-partitioned datasets --------------------------------------------------------- */

pg_status_t pg_h5_create_rows(pg_h5_t *f, const char *path, pg_h5_type_t type, int rank,
                              const int64_t *dims, int64_t max_rows, int64_t chunk_rows)
{
    PG_REQUIRE(rank >= 1 && rank <= 4, PG_ERR_INTERNAL, "rank %d rows dataset '%s'", rank, path);
    hsize_t h[4], mx[4], ch[4];
    size_t row_bytes = type_size(type);
    for (int k = 0; k < rank; k++) {
        h[k] = (hsize_t)dims[k];
        mx[k] = h[k];
        ch[k] = h[k];
        if (k) row_bytes *= (size_t)dims[k];
    }
    if (max_rows < 0) mx[0] = H5S_UNLIMITED;
    if (chunk_rows <= 0) chunk_rows = (int64_t)((1u << 20) / (row_bytes ? row_bytes : 1));
    if (chunk_rows < 1) chunk_rows = 1;
    if (max_rows >= 0 && chunk_rows > dims[0] && dims[0] > 0) chunk_rows = dims[0];
    ch[0] = (hsize_t)chunk_rows;
    hid_t space = H5Screate_simple(rank, h, mx);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, rank, ch);
    if (f->parallel) H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY);
    hid_t lcpl = lcpl_intermediate();
    pg_status_t st = unlink_if_exists(f, path);
    if (st == PG_OK) {
        hid_t d = H5Dcreate2(f->fid, path, file_type(type), space, lcpl, dcpl, H5P_DEFAULT);
        if (d < 0) st = H5FAIL("create dataset", path);
        else H5Dclose(d);
    }
    H5Pclose(lcpl);
    H5Pclose(dcpl);
    H5Sclose(space);
    return st;
}

pg_status_t pg_h5_extend_rows(pg_h5_t *f, const char *path, int64_t n_rows)
{
    hid_t d = H5Dopen2(f->fid, path, H5P_DEFAULT);
    if (d < 0) return H5FAIL("open dataset", path);
    hid_t s = H5Dget_space(d);
    hsize_t h[4];
    int r = H5Sget_simple_extent_dims(s, h, NULL);
    H5Sclose(s);
    h[0] = (hsize_t)n_rows;
    pg_status_t st = PG_OK;
    if (r < 1 || H5Dset_extent(d, h) < 0) st = H5FAIL("extend", path);
    H5Dclose(d);
    return st;
}

static pg_status_t rows_io(pg_h5_t *f, const char *path, pg_h5_type_t type, int64_t first,
                           int64_t n, void *buf, int writing)
{
    hid_t d = H5Dopen2(f->fid, path, H5P_DEFAULT);
    if (d < 0) return H5FAIL("open dataset", path);
    hid_t fs = H5Dget_space(d);
    hsize_t h[4], start[4] = {0}, count[4];
    int r = H5Sget_simple_extent_dims(fs, h, NULL);
    pg_status_t st = PG_OK;
    if (n > 0 && (first < 0 || (hsize_t)(first + n) > h[0])) {
        st = PG_ERR(PG_ERR_INTERNAL, "rows [%lld, %lld) outside dataset '%s' of %llu rows in '%s'",
                    (long long)first, (long long)(first + n), path, (unsigned long long)h[0],
                    f->path);
        H5Sclose(fs);
        H5Dclose(d);
        return st;
    }
    for (int k = 0; k < r; k++) count[k] = h[k];
    count[0] = (hsize_t)(n > 0 ? n : 1);
    start[0] = (hsize_t)(n > 0 ? first : 0);
    hid_t ms = H5Screate_simple(r, count, NULL);
    if (n > 0) H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
    else {
        H5Sselect_none(fs);
        H5Sselect_none(ms);
    }
    herr_t rc = writing ? H5Dwrite(d, mem_type(type), ms, fs, f->dxpl, buf)
                        : H5Dread(d, mem_type(type), ms, fs, f->dxpl, buf);
    if (rc < 0) st = H5FAIL(writing ? "write rows of" : "read rows of", path);
    if (f->parallel) {
        H5D_mpio_actual_io_mode_t mode = H5D_MPIO_NO_COLLECTIVE;
        H5Pget_mpio_actual_io_mode(f->dxpl, &mode);
        f->last_collective = mode != H5D_MPIO_NO_COLLECTIVE;
    }
    H5Sclose(ms);
    H5Sclose(fs);
    H5Dclose(d);
    return st;
}

pg_status_t pg_h5_write_rows(pg_h5_t *f, const char *path, pg_h5_type_t type, int64_t first,
                             int64_t n, const void *buf)
{
    return rows_io(f, path, type, first, n, (void *)buf, 1);
}

pg_status_t pg_h5_read_rows(pg_h5_t *f, const char *path, pg_h5_type_t type, int64_t first,
                            int64_t n, void *buf)
{
    return rows_io(f, path, type, first, n, buf, 0);
}

int pg_h5_last_io_was_collective(pg_h5_t *f) { return f->last_collective; }
