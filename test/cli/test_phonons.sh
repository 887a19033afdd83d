#!/usr/bin/env bash
# test_phonons.sh - `phonograph phonons DECK` end to end on phonopy's NaCl: phonons.h5 vs
# phonopy 2.17 (DOS, thermal properties, thermal displacements, band path; check_phonons_h5.py),
# bitwise identical output at 1, 2 and 4 ranks, the ScaLAPACK path vs LAPACK, and clear errors
# for force constants that do not fit. Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
PG_BIN=${PG_BIN:-$PWD/build/phonograph}
MPIRUN=${MPIRUN:-mpirun --oversubscribe}
SHARED=${PG_SHARED:-$(cd .. && pwd)/shared}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pgphon.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
pass=0; fail=0
ok()  { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     | /' "$2" | head -30; }
NACL=$SHARED/reference/phonopy/NaCl
deck() { # name fcfile extra-lines...
    local name=$1 fc=$2; shift 2
    mkdir -p "$TMP/$name"
    {
        echo "[run]"; echo "output_dir = $TMP/$name/out"
        echo "[structure]"; echo "unitcell = $NACL/POSCAR-unitcell"; echo "supercell = 2 2 2"
        echo "primitive = 0 1/2 1/2 1/2 0 1/2 1/2 1/2 0" | sed 's#1/2#0.5#g'
        echo "[phonons]"; echo "force_constants = $fc"; echo "mesh = ${MESH:-20 20 20}"
        echo "temperatures = 0 100 300 600"; echo "dos_range = -0.5 9.0 0.01"
        echo "band_path = 0 0 0  1/2 0 1/2  1/2 1/4 3/4, 0 0 0  1/2 1/2 1/2"
        echo "band_labels = G X W G L"
        for l in "$@"; do echo "$l"; done
    } > "$TMP/$name/deck"
}
run() { # name np
    timeout 120 $MPIRUN -np "$2" "$PG_BIN" phonons "$TMP/$1/deck" > "$TMP/$1/log" 2>&1
    echo $? > "$TMP/$1/rc"
}

for np in 1 2 4; do
    deck np$np "$NACL/force_constants.hdf5"
    run np$np $np
    if [ "$(cat "$TMP/np$np/rc")" = 0 ] && [ -f "$TMP/np$np/out/phonons.h5" ]; then ok "NaCl np$np runs"
    else bad "NaCl np$np runs" "$TMP/np$np/log"; fi
done
if /usr/bin/python3 test/cli/check_phonons_h5.py "$TMP/np1/out/phonons.h5" "$NACL/reference.h5" > "$TMP/chk1" 2>&1
then ok "np1 phonons.h5 matches phonopy ($(grep -c '^ok' "$TMP/chk1") checks)"; else bad "np1 vs phonopy" "$TMP/chk1"; fi
for np in 2 4; do
    if /usr/bin/python3 test/cli/check_phonons_h5.py "$TMP/np$np/out/phonons.h5" "$NACL/reference.h5" \
        "$TMP/np1/out/phonons.h5" > "$TMP/chk$np" 2>&1
    then ok "np$np phonons.h5 bitwise identical to np1 and matches phonopy"; else bad "np$np identical" "$TMP/chk$np"; fi
done
# compact text FCs (phonopy CLI) give the same physics
deck compact "$NACL/FORCE_CONSTANTS_compact"
run compact 2
if [ "$(cat "$TMP/compact/rc")" = 0 ] && /usr/bin/python3 test/cli/check_phonons_h5.py \
    "$TMP/compact/out/phonons.h5" "$NACL/reference.h5" > "$TMP/chkc" 2>&1; then ok "compact FORCE_CONSTANTS"
else bad "compact FORCE_CONSTANTS" "$TMP/chkc"; cat "$TMP/compact/log" | head; fi
# irreducible mesh (spglib) when thermal displacements are off: phonopy's 770 points, same thermal properties
deck irr "$NACL/force_constants.hdf5" "thermal_displacements = false"
run irr 2
if [ "$(cat "$TMP/irr/rc")" = 0 ] && /usr/bin/python3 - "$TMP/irr/out/phonons.h5" "$NACL/reference.h5" <<'PY'
import sys, h5py, numpy as np
o, r = h5py.File(sys.argv[1]), h5py.File(sys.argv[2])
ok = o["mesh/qpoints"].shape[0] == 770 and o["mesh/weights"][()].sum() == 8000
for k in ["free_energy", "entropy", "heat_capacity"]:
    a, b = o["thermal_properties/" + k][()], r["thermal_properties/" + k][()]
    ok &= bool(np.all(np.abs(a - b) <= 1e-10 * np.abs(b)))
ok &= bool(np.max(np.abs(o["dos/dos_gaussian"][()] - r["dos/dos_gaussian"][()])) <= 1e-8 * r["dos/dos_gaussian"][()].max())
sys.exit(0 if ok else 1)
PY
then ok "irreducible mesh: 770 points, thermal 1e-10, DOS 1e-8"; else bad "irreducible mesh" "$TMP/irr/log"; fi
# ScaLAPACK path (forced) agrees with LAPACK
MESH="4 4 4" deck scal "$NACL/force_constants.hdf5" "eigensolver = scalapack" "scalapack_block = 3"
MESH="4 4 4" deck lap "$NACL/force_constants.hdf5" "eigensolver = lapack"
run scal 2; run lap 1
if [ "$(cat "$TMP/scal/rc")" = 0 ] && grep -q "ScaLAPACK pzheevd" "$TMP/scal/log" && /usr/bin/python3 - "$TMP" <<'PY'
import sys, h5py, numpy as np
a = h5py.File(sys.argv[1] + "/scal/out/phonons.h5")["mesh/frequencies"][()]
b = h5py.File(sys.argv[1] + "/lap/out/phonons.h5")["mesh/frequencies"][()]
sys.exit(0 if np.max(np.abs(a - b)) <= 1e-10 * np.max(np.abs(b)) else 1)
PY
then ok "ScaLAPACK vs LAPACK mesh frequencies 1e-10"; else bad "ScaLAPACK vs LAPACK" "$TMP/scal/log"; fi
# errors: FCs for another supercell, NaN, missing file; the message names the file
deck wrong "$SHARED/physics/phonopy/Ag3SBr_2x2x2_force_constants.hdf5"
run wrong 2
if [ "$(cat "$TMP/wrong/rc")" != 0 ] && grep -q "Ag3SBr_2x2x2_force_constants.hdf5" "$TMP/wrong/log" \
    && grep -q "supercell has 64" "$TMP/wrong/log"; then ok "FC atom count mismatch names the file"
else bad "FC atom count mismatch" "$TMP/wrong/log"; fi
sed '5s/.*/    nan 0.0 0.0/' "$NACL/FORCE_CONSTANTS_compact" > "$TMP/FC_nan"
deck nan "$TMP/FC_nan"
run nan 2
if [ "$(cat "$TMP/nan/rc")" != 0 ] && grep -q "FC_nan:5" "$TMP/nan/log" && grep -q "not finite" "$TMP/nan/log"
then ok "NaN in FORCE_CONSTANTS: file:line"; else bad "NaN FC" "$TMP/nan/log"; fi
head -100 "$NACL/FORCE_CONSTANTS" > "$TMP/FC_short"
deck short "$TMP/FC_short"
run short 1
if [ "$(cat "$TMP/short/rc")" != 0 ] && grep -q "FC_short:100: file ends inside block" "$TMP/short/log"
then ok "truncated FORCE_CONSTANTS: file:line"; else bad "truncated FC" "$TMP/short/log"; fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
