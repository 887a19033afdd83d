#!/usr/bin/env bash
# test_supercell_matrix.sh - [structure] supercell / primitive with non-symmetric 9-number
# matrices mean what phonopy's --dim / --pa mean: the structure stage's supercell.vasp and
# primitive.vasp equal phonopy 2.17's SPOSCAR / primitive cell for the same strings
# (test/data/supercell_deck, made by the phonopy CLI), and the transposed matrices do not.
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
PG_BIN=${PG_BIN:-$PWD/build/phonograph}
MPIRUN=${MPIRUN:-mpirun --oversubscribe}
SHARED=${PG_SHARED:-$(cd .. && pwd)/shared}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pgscm.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
pass=0; fail=0
ok()  { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     | /' "$2" | head -30; }
DATA=$PWD/test/data/supercell_deck
UNIT=$SHARED/reference/phonopy/NaCl/POSCAR-unitcell
DIM="2 1 0 0 1 1 1 0 2"; PA="0 1/2 1 1/2 0 1 1/2 1/2 1"
DIM_T="2 0 1 1 1 0 0 1 2"; PA_T="0 1/2 1/2 1/2 0 1/2 1 1 1"

# compare two POSCARs: same species sequence, lattice to 1e-10 Å, fractional positions mod 1
# to 1e-10; exit 0 if equal
same_poscar() {
    /usr/bin/python3 - "$1" "$2" <<'PY'
import sys
import numpy as np
def read(path):
    lines = open(path).read().split("\n")
    scale = float(lines[1])
    lat = np.array([[float(x) for x in lines[i].split()] for i in (2, 3, 4)]) * scale
    names, counts = lines[5].split(), [int(x) for x in lines[6].split()]
    assert lines[7].strip()[0] in "Dd", lines[7]
    n = sum(counts)
    pos = np.array([[float(x) for x in lines[8 + i].split()[:3]] for i in range(n)])
    sym = [s for s, c in zip(names, counts) for _ in range(c)]
    return lat, sym, pos
la, sa, pa = read(sys.argv[1])
lb, sb, pb = read(sys.argv[2])
assert sa == sb, "species order differs"
assert np.abs(la - lb).max() < 1e-10, ("lattice", la, lb)
d = pa - pb
d -= np.rint(d)
assert np.abs(d).max() < 1e-10, ("positions", np.abs(d).max(), np.argmax(np.abs(d).max(axis=1)))
PY
}
run_deck() { # name dim pa np
    mkdir -p "$TMP/$1"
    printf '[run]\noutput_dir = %s\n[structure]\nunitcell = %s\nsupercell = %s\nprimitive = %s\n' \
        "$TMP/$1/out" "$UNIT" "$2" "$3" > "$TMP/$1/deck"
    timeout 60 $MPIRUN -np "$4" "$PG_BIN" run "$TMP/$1/deck" > "$TMP/$1/log" 2>&1
    echo $? > "$TMP/$1/rc"
}

[ "$(sed -n 2p "$DATA/matrices.txt")" = "supercell_matrix $DIM" ] && ok "reference made for --dim \"$DIM\"" \
    || bad "reference matrices.txt does not match this test's --dim" "$DATA/matrices.txt"
for np in 1 2; do
    run_deck pa$np "$DIM" "$PA" $np
    out=$TMP/pa$np/out/structure
    if [ "$(cat "$TMP/pa$np/rc")" = 0 ] && same_poscar "$out/supercell.vasp" "$DATA/SPOSCAR" > "$TMP/sc$np.err" 2>&1; then
        ok "np$np: supercell = $DIM equals phonopy --dim (lattice M^T L, atom order, positions)"
    else bad "np$np: supercell vs phonopy SPOSCAR" "$TMP/sc$np.err"; cat "$TMP/pa$np/log" | head -20; fi
    if [ "$(cat "$TMP/pa$np/rc")" = 0 ] && same_poscar "$out/primitive.vasp" "$DATA/PPOSCAR-pa" > "$TMP/pc$np.err" 2>&1; then
        ok "np$np: primitive = $PA equals phonopy --pa (lattice P^T L, atom order, positions)"
    else bad "np$np: primitive vs phonopy" "$TMP/pc$np.err"; fi
done
if /usr/bin/python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
r = d['stages'][0]['results']
sys.exit(0 if r['supercell_matrix'] == [[2, 1, 0], [0, 1, 1], [1, 0, 2]] and r['n_atom_supercell'] == 40 else 1)
" "$TMP/pa1/out/run_summary.json"; then ok "run_summary.json: supercell_matrix rows as given (phonopy_disp.yaml's)"
else bad "run_summary.json supercell_matrix" "$TMP/pa1/out/run_summary.json"; fi
# the transposed matrices are other cells (the comparisons above can fail): M^T builds another
# 40-atom supercell; P^T is not a lattice of NaCl at all (its cell would hold Na and Cl at
# translation-equivalent sites), which the primitive-cell builder refuses
run_deck tr "$DIM_T" "F" 1
if [ "$(cat "$TMP/tr/rc")" = 0 ] && ! same_poscar "$TMP/tr/out/structure/supercell.vasp" "$DATA/SPOSCAR" > /dev/null 2>&1; then
    ok "transposed M gives a supercell different from phonopy's --dim \"$DIM\""
else bad "transposed M" "$TMP/tr/log"; fi
run_deck trp "$DIM" "$PA_T" 1
if [ "$(cat "$TMP/trp/rc")" != 0 ] && grep -q "primitive: supercell atoms .* are translation-equivalent but of different species" "$TMP/trp/log"; then
    ok "transposed P is refused with a clear message (not a lattice of NaCl)"
else bad "transposed P" "$TMP/trp/log"; fi

# the phonons stage reads the same keys the same way: phonopy's force constants for a
# non-symmetric M (made by gen_phonons_skew.py in phonopy's atom order for that M) and a
# non-symmetric P give phonopy's frequencies, and phonons.h5 records phonopy's lattice M^T L
for np in 1 2; do
    mkdir -p "$TMP/ph$np"
    cat > "$TMP/ph$np/deck" <<DECK
[run]
output_dir = $TMP/ph$np/out
stages = structure phonons
[structure]
unitcell = $UNIT
supercell = 2 2 0  0 2 0  0 0 2
primitive = 0 1/2 1  1/2 0 1  1/2 1/2 1
[phonons]
force_constants = $DATA/force_constants_skew.hdf5
mesh = 4 4 4
temperatures = 300
band_path = 0 0 0  1/2 0 1/2
band_labels = G X
band_points = 5
DECK
    timeout 120 $MPIRUN -np $np "$PG_BIN" run "$TMP/ph$np/deck" > "$TMP/ph$np/log" 2>&1
    if [ $? = 0 ] && /usr/bin/python3 - "$TMP/ph$np/out/phonons.h5" "$DATA" > "$TMP/ph$np/cmp" 2>&1 <<'PY'
import sys
import h5py
import numpy as np
f = h5py.File(sys.argv[1], "r")
ref = np.loadtxt(sys.argv[2] + "/frequencies_skew.txt")
lat = np.loadtxt(sys.argv[2] + "/lattice_skew.txt")
q, fr = f["band/qpoints"][()], f["band/frequencies"][()]
assert fr.shape == (5, 6), fr.shape
assert np.abs(q - ref[:, :3]).max() < 1e-12, (q, ref[:, :3])
assert np.abs(fr - ref[:, 3:]).max() < 1e-6, np.abs(fr - ref[:, 3:]).max()
assert np.abs(f["structure/supercell_lattice"][()] - lat).max() < 1e-10, f["structure/supercell_lattice"][()]
PY
    then ok "np$np: phonons stage, M = 2 2 0 0 2 0 0 0 2 and P = $PA: phonopy's frequencies (1e-6 THz) and supercell lattice"
    else bad "np$np: phonons stage with non-symmetric M and P" "$TMP/ph$np/cmp"; tail -5 "$TMP/ph$np/log"; fi
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
