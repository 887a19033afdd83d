#!/usr/bin/env bash
# test_fc.sh - `phonograph fc`: PRV-CAP-1 finite-displacement force constants written in
# phonopy's formats. phonopy 2.17 (/usr/bin/python3) loads our force_constants.hdf5 with the
# spec's phonopy.yaml and must give reference.json's G/X/M/R frequencies (1e-4 THz; the
# reference is rounded to 1e-4, the spec allows 0.005); the FCs equal the spec's phonopy files;
# FORCE_CONSTANTS is byte-identical at 1, 2 and 4 ranks. Ends "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
PG_BIN=${PG_BIN:-$PWD/build/phonograph}
MPIRUN=${MPIRUN:-mpirun --oversubscribe}
PG_SHARED=${PG_SHARED:-$(cd .. && pwd)/shared}
PY=${PYTHON:-/usr/bin/python3}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pgfc.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
pass=0; fail=0
ok()  { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     | /' "$2" | head -30; }
run() { local name=$1 np=$2; shift 2
        (cd "$TMP" && timeout 300 $MPIRUN -np "$np" "$PG_BIN" "$@" > "$TMP/$name.out" 2>&1); echo $? > "$TMP/$name.rc"; }
rc()  { cat "$TMP/$1.rc"; }
has() { grep -qF -- "$2" "$TMP/$1.out"; }
P=$PG_SHARED/physics

for c in Ag3SBr Ag3SeI; do
    run h5_$c 2 fc --dim 2 2 2 --compact --out "$TMP/$c.hdf5" "$P/structures/POSCAR_$c"
    if [ "$(rc h5_$c)" = 0 ] && has h5_$c "3 displacements"; then ok "fc $c 2x2x2 (np 2)"; else bad "fc $c" "$TMP/h5_$c.out"; fi
    "$PY" - "$P" "$c" "$TMP/$c.hdf5" > "$TMP/py_$c.out" 2>&1 <<'PYEOF'
import json, sys
import h5py, numpy as np, phonopy
P, c, ours = sys.argv[1:]
ref = h5py.File("%s/phonopy/%s_2x2x2_force_constants.hdf5" % (P, c), "r")["force_constants"][:]
mine = h5py.File(ours, "r")["force_constants"][:]
d = np.abs(mine - ref).max(); scale = np.abs(ref).max()
print("max |dPhi| %.3e of %.3e" % (d, scale))
ph = phonopy.load("%s/phonopy/%s_2x2x2_phonopy.yaml" % (P, c), force_constants_filename=ours, log_level=0)
want = json.load(open("%s/reference.json" % P))["cubic"][c]["phonons_THz"]["2x2x2"]
worst = 0.0
for lab, q in [("G", [0, 0, 0]), ("X", [0, .5, 0]), ("M", [.5, .5, 0]), ("R", [.5, .5, .5])]:
    worst = max(worst, np.abs(ph.get_frequencies(q) - np.array(want[lab])).max())
print("max |dnu| %.3e THz" % worst)
sys.exit(0 if d < 1e-7 * scale and worst < 1e-4 else 1)
PYEOF
    if [ $? = 0 ]; then ok "phonopy reads our $c FCs: phonopy's FCs and G/X/M/R frequencies"
    else bad "phonopy reads our $c FCs" "$TMP/py_$c.out"; fi
done

for np in 1 2 4; do
    run text$np $np fc --dim 2 2 2 --out "$TMP/FC$np" "$P/structures/POSCAR_Ag3SI"
    [ "$(rc text$np)" = 0 ] && [ "$(head -1 "$TMP/FC$np" | tr -s ' ')" = " 40 40" ] \
        && ok "FORCE_CONSTANTS full 40x40 np$np" || bad "FORCE_CONSTANTS np$np" "$TMP/text$np.out"
done
cmp -s "$TMP/FC1" "$TMP/FC2" && cmp -s "$TMP/FC1" "$TMP/FC4" && ok "FORCE_CONSTANTS identical at 1, 2, 4 ranks" \
    || bad "FORCE_CONSTANTS identical at 1, 2, 4 ranks"

# the cubic relaxation is part of the command: a strained start gives the same a0
sed '3,5s/4.80654499871551/4.9/g' "$P/structures/POSCAR_Ag3SBr" > "$TMP/POSCAR_strained"
run relax 1 fc --dim 1 1 1 --out "$TMP/FC_relax" --relaxed-poscar "$TMP/POSCAR_relaxed" "$TMP/POSCAR_strained"
[ "$(rc relax)" = 0 ] && has relax "a = 4.80654" && ok "cubic relaxation from a = 4.9" || bad "cubic relaxation" "$TMP/relax.out"

# the phonon stage with [phonons] fc_source = compute (this module) vs the spec's phonopy file
for src in compute file; do
    printf '[run]\noutput_dir = %s\n[structure]\nunitcell = %s\nsupercell = 2 2 2\nprimitive = none\n[phonons]\nfc_source = %s\nforce_constants = %s\nmesh = 4 4 4\nband_path = 0 0 0  0 1/2 0  1/2 1/2 0  1/2 1/2 1/2\nband_labels = G X M R\n' \
        "$TMP/ph_$src" "$P/structures/POSCAR_Ag3SBr" "$src" "$P/phonopy/Ag3SBr_2x2x2_force_constants.hdf5" > "$TMP/ph_$src.deck"
    run ph_$src 2 phonons "$TMP/ph_$src.deck"
done
if [ "$(rc ph_compute)" = 0 ] && [ "$(rc ph_file)" = 0 ] && has ph_compute "finite displacements with PRV-CAP-1" &&
   "$PY" -c "
import sys, h5py, numpy as np
a = h5py.File(sys.argv[1], 'r'); b = h5py.File(sys.argv[2], 'r')
d = max(np.abs(a[k][()] - b[k][()]).max() for k in ('band/frequencies', 'mesh/frequencies', 'commensurate/frequencies'))
print('max |dnu| %.2e THz' % d); sys.exit(0 if d < 1e-5 else 1)" "$TMP/ph_compute/phonons.h5" "$TMP/ph_file/phonons.h5" > "$TMP/ph_cmp.out" 2>&1; then
    ok "phonons stage fc_source = compute matches phonopy's FCs (frequencies 1e-5 THz)"
else bad "phonons stage fc_source = compute" "$TMP/ph_compute.out"; cat "$TMP/ph_cmp.out" 2>/dev/null; fi

run nodim 1 fc "$P/structures/POSCAR_Ag3SBr"
[ "$(rc nodim)" != 0 ] && has nodim "no supercell" && ok "missing --dim" || bad "missing --dim" "$TMP/nodim.out"
run badrelax 1 fc --dim 2 2 2 --relax bfgs "$P/structures/POSCAR_Ag3SBr"
[ "$(rc badrelax)" != 0 ] && has badrelax "bfgs" && ok "bad relax mode" || bad "bad relax mode" "$TMP/badrelax.out"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
