#!/usr/bin/env bash
# test_conventions.sh - the library boundaries of CONVENTIONS.md §1/§3, checked on the source:
# spg_* only in src/phonon/symmetry.c, H5* only in src/io/h5.c, MPI_* calls only in
# src/core/par.c, Fortran LAPACK/ScaLAPACK/BLACS symbols only in src/core/linalg.c, and no
# exit/abort outside src/main.c (MPI_Abort only in par.c's pg_par_abort). Comment lines are
# skipped. Runs from the repo root; ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
pass=0; fail=0
ok()  { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; printf '%s\n' "$2" | sed 's/^/     | /' | head -20; }
# hits REGEX ALLOWED_FILE... : code lines of src/ and include/ matching REGEX outside the allowed files
hits() {
    local re=$1; shift
    local excl=()
    for f in "$@"; do excl+=(-e "^$f:"); done
    grep -rnE --include='*.c' --include='*.h' -- "$re" src include \
        | grep -vE '^[^:]+:[0-9]+:\s*(\*|/\*|//)' \
        | { if [ ${#excl[@]} -gt 0 ]; then grep -v "${excl[@]}"; else cat; fi; } || true
}
check() { # name regex allowed...
    local name=$1 re=$2; shift 2
    local h; h=$(hits "$re" "$@")
    if [ -z "$h" ]; then ok "$name"; else bad "$name" "$h"; fi
}
check "spglib only in src/phonon/symmetry.c" '\bspg_[a-z_]+\s*\(|#\s*include\s*<spglib\.h>' src/phonon/symmetry.c
check "HDF5 only in src/io/h5.c" '\bH5[A-Za-z0-9_]*\s*\(|#\s*include\s*<hdf5\.h>' src/io/h5.c
check "MPI calls only in src/core/par.c" '\bP?MPI_[A-Z][a-z_]*\s*\(' src/core/par.c
check "LAPACK/ScaLAPACK/BLACS symbols only in src/core/linalg.c" \
    '\b(p?[sdcz][a-z]{3,6}|descinit|numroc|indxg2[lp]|blacs_[a-z]+)_\s*\(|\bC(blacs_[a-z]+|sys2blacs_handle|free_blacs_system_handle)\s*\(' \
    src/core/linalg.c
check "no exit/abort in library code" '(^|[^_a-zA-Z.>])(exit|_Exit|abort)\s*\(' src/main.c
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
