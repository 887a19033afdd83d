/* version.c - build information for --version and run_summary.json. */
#include "phonograph/pg_version.h"

#include "build_info.h"
#include "phonograph/pg_h5.h"
#include "phonograph/pg_symmetry.h"

/* OpenBLAS reports its configuration through this (declared in its cblas.h) */
char *openblas_get_config(void);

const char *pg_version(void) { return PG_BUILD_VERSION; }
const char *pg_git_hash(void) { return PG_BUILD_GIT_HASH; }

void pg_version_json(FILE *f)
{
    char h5[32];
    fprintf(f,
            "{\"version\": \"%s\", \"git_hash\": \"%s\", \"compiler\": \"%s\", \"cflags\": \"%s\", "
            "\"mpi\": \"%s\", \"hdf5\": \"%s\", \"spglib\": \"%s\", \"openblas\": \"%s\"}",
            PG_BUILD_VERSION, PG_BUILD_GIT_HASH, PG_BUILD_CC, PG_BUILD_CFLAGS, PG_BUILD_MPI,
            pg_h5_library_version(h5, sizeof h5), pg_symmetry_spglib_version(),
            openblas_get_config());
}

void pg_version_print(FILE *f)
{
    char h5[32];
    fprintf(f, "phonograph %s (git %s)\n", PG_BUILD_VERSION, PG_BUILD_GIT_HASH);
    fprintf(f, "  compiler: %s\n  flags:    %s\n  MPI:      %s\n", PG_BUILD_CC, PG_BUILD_CFLAGS,
            PG_BUILD_MPI);
    fprintf(f, "  HDF5 %s, spglib %s, OpenBLAS %s\n", pg_h5_library_version(h5, sizeof h5),
            pg_symmetry_spglib_version(), openblas_get_config());
}
