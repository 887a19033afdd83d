/* version.c - build information for --version and run_summary.json. */
#include "phonograph/pg_version.h"

#include <hdf5.h>
#include <spglib.h>

#include "build_info.h"

/* OpenBLAS reports its configuration through this (declared in its cblas.h) */
char *openblas_get_config(void);

const char *pg_version(void) { return PG_BUILD_VERSION; }
const char *pg_git_hash(void) { return PG_BUILD_GIT_HASH; }

void pg_version_json(FILE *f)
{
    unsigned maj = 0, min = 0, rel = 0;
    H5get_libversion(&maj, &min, &rel);
    fprintf(f,
            "{\"version\": \"%s\", \"git_hash\": \"%s\", \"compiler\": \"%s\", \"cflags\": \"%s\", "
            "\"mpi\": \"%s\", \"hdf5\": \"%u.%u.%u\", \"spglib\": \"%d.%d.%d\", "
            "\"openblas\": \"%s\"}",
            PG_BUILD_VERSION, PG_BUILD_GIT_HASH, PG_BUILD_CC, PG_BUILD_CFLAGS, PG_BUILD_MPI, maj,
            min, rel, spg_get_major_version(), spg_get_minor_version(), spg_get_micro_version(),
            openblas_get_config());
}

void pg_version_print(FILE *f)
{
    unsigned maj = 0, min = 0, rel = 0;
    H5get_libversion(&maj, &min, &rel);
    fprintf(f, "phonograph %s (git %s)\n", PG_BUILD_VERSION, PG_BUILD_GIT_HASH);
    fprintf(f, "  compiler: %s\n  flags:    %s\n  MPI:      %s\n", PG_BUILD_CC, PG_BUILD_CFLAGS,
            PG_BUILD_MPI);
    fprintf(f, "  HDF5 %u.%u.%u, spglib %d.%d.%d, OpenBLAS %s\n", maj, min, rel,
            spg_get_major_version(), spg_get_minor_version(), spg_get_micro_version(),
            openblas_get_config());
}
