/* pg_version.h - version and build information (generated build_info.h behind it). */
#ifndef PG_VERSION_H
#define PG_VERSION_H

#include <stdio.h>

/* "git describe" of the build, e.g. "v0.1-12-gabc1234". */
const char *pg_version(void);
/* Full git hash of the build. */
const char *pg_git_hash(void);
/* Print a JSON object with version, git hash, compiler, flags, MPI, HDF5, spglib, OpenBLAS
 * versions (no trailing newline). */
void pg_version_json(FILE *f);
/* Print a human-readable multi-line version block. */
void pg_version_print(FILE *f);

#endif
