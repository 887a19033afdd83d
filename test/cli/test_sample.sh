#!/usr/bin/env bash
# test_sample.sh - `phonograph sample` end to end on Ag3SBr 2x2x2 (phonon sampler, embedded
# potential labels): identical values at np 1, 2, 4; a run killed with SIGKILL after writing
# data but before its completion flags, then restarted, equals the uninterrupted run; a file
# from another seed is refused; h5py reads the file and independent checks pass.
# Runs from the repo root with $PG_BIN; ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
PG_BIN=${PG_BIN:-$PWD/build/phonograph}
MPIRUN=${MPIRUN:-mpirun --oversubscribe}
SHARED=${PG_SHARED:-$(cd .. && pwd)/shared}
PY=/usr/bin/python3
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pgsample.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
pass=0; fail=0
ok()  { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     | /' "$2" | tail -20; }

deck() { # deck NAME SEED -> $TMP/NAME/sample.deck writing into $TMP/NAME/out/ (same text)
    mkdir -p "$TMP/$1"
    cat > "$TMP/$1/sample.deck" <<DECK
[run]
output_dir = out
seed = $2
[structure]
unitcell = $ROOT/inputs/Ag3SBr/POSCAR
supercell = 2 2 2
[sample]
sampler = phonon
force_constants = $SHARED/physics/phonopy/Ag3SBr_2x2x2_force_constants.hdf5
temperatures = 150 600
configurations = 7
strain = 0.01
min_distance = 1.6
max_displacement = 1.2
batch = 2
batches_per_rank = 1
DECK
}
run() { # run NAME NP DECK [env...]
    local name=$1 np=$2 d=$3; shift 3
    env "$@" timeout 120 $MPIRUN -np "$np" "$PG_BIN" sample "$TMP/$d/sample.deck" > "$TMP/$name.out" 2>&1
    echo $? > "$TMP/$name.rc"
}
rc() { cat "$TMP/$1.rc"; }

for np in 1 2 4; do
    deck np$np 11
    run np$np $np np$np
    if [ "$(rc np$np)" = 0 ] && [ -f "$TMP/np$np/out/dataset.h5" ] && grep -q "phonon sampler (q-space)" "$TMP/np$np.out"
    then ok "sample np$np (q-space phonon sampler)"
    else bad "sample np$np" "$TMP/np$np.out"; fi
done
for np in 2 4; do
    if $PY test/data/dataset/compare_datasets.py "$TMP/np1/out/dataset.h5" "$TMP/np$np/out/dataset.h5" > "$TMP/cmp$np.out" 2>&1
    then ok "np$np values identical to np1"; else bad "np$np values identical to np1" "$TMP/cmp$np.out"; fi
done
if $PY test/data/dataset/check_values.py "$TMP/np1/out/dataset.h5" 14 40 > "$TMP/check.out" 2>&1
then ok "h5py value checks"; else bad "h5py value checks" "$TMP/check.out"; fi

# export: one POSCAR per configuration; ASE reads them back equal to the dataset rows
env timeout 60 $MPIRUN -np 2 "$PG_BIN" export "$TMP/np1/sample.deck" > "$TMP/export.out" 2>&1; erc=$?
if [ $erc = 0 ] && grep -q "exported 14 configurations" "$TMP/export.out" && grep -q "dft_array.slurm" "$TMP/export.out" &&
   $PY - "$TMP/np1/out" > "$TMP/export_chk.out" 2>&1 <<'PY'
import sys, h5py, numpy as np
from ase.io import read
d = sys.argv[1]
f = h5py.File(d + "/dataset.h5", "r")
for c in range(14):
    a = read(f"{d}/export/config_{c:06d}/POSCAR", format="vasp")
    assert np.allclose(a.cell[:], f["configs/cell"][c], atol=1e-12)
    assert np.allclose(a.get_positions(), f["configs/positions"][c], atol=1e-9)
    assert list(a.numbers) == list(f["configs/species"][c])
print("ok")
PY
then ok "export: 14 POSCARs equal to the dataset rows (ASE)"; else bad "export" "$TMP/export.out"; cat "$TMP/export_chk.out" 2>/dev/null | tail -3; fi
if grep -qF -- "--array=0-13%50 jobscripts/dft_array.slurm" "$TMP/export.out"; then ok "export: job array over the 14 configurations"
else bad "export: job array over the 14 configurations" "$TMP/export.out"; fi
# a partly completed dataset: only completed rows are exported, and the array names exactly them
cp -r "$TMP/np1" "$TMP/part" && rm -rf "$TMP/part/out/export"
$PY -c "
import h5py, sys
f = h5py.File(sys.argv[1], 'a'); c = f['completed'][:]; c[[3, 7, 8, 9, 13]] = 0; f['completed'][:] = c" "$TMP/part/out/dataset.h5"
env timeout 60 $MPIRUN -np 2 "$PG_BIN" export "$TMP/part/sample.deck" > "$TMP/export_part.out" 2>&1; erc=$?
if [ $erc = 0 ] && grep -qF -- "--array=0-2,4-6,10-12%50 " "$TMP/export_part.out" \
   && grep -q "exported 9 configurations" "$TMP/export_part.out" \
   && [ ! -e "$TMP/part/out/export/config_000003" ] && [ -e "$TMP/part/out/export/config_000004/POSCAR" ]; then
    ok "export of a partly completed dataset: 9 POSCARs, array 0-2,4-6,10-12"
else bad "export of a partly completed dataset" "$TMP/export_part.out"; fi

# SIGKILL after the data of epoch 2 is written but before its completion flags, at np 2 and 1
for np in 2 1; do
    deck kill$np 11
    run kill${np}a $np kill$np PG_FARM_KILL_AFTER_EPOCH=2
    [ "$(rc kill${np}a)" != 0 ] && ok "np$np killed with SIGKILL" || bad "np$np killed with SIGKILL" "$TMP/kill${np}a.out"
    done_rows=$($PY -c "import h5py,sys; print(int(h5py.File(sys.argv[1],'r')['completed'][:].sum()))" "$TMP/kill$np/out/dataset.h5" 2>/dev/null)
    if [ -n "$done_rows" ] && [ "$done_rows" -gt 0 ] && [ "$done_rows" -lt 14 ]; then ok "np$np partial file after kill ($done_rows/14 rows)"
    else bad "np$np partial file after kill (got '$done_rows')"; fi
    run kill${np}b $np kill$np
    if [ "$(rc kill${np}b)" = 0 ] && grep -q "resuming" "$TMP/kill${np}b.out"; then ok "np$np restart resumes"
    else bad "np$np restart resumes" "$TMP/kill${np}b.out"; fi
    if $PY test/data/dataset/compare_datasets.py "$TMP/np1/out/dataset.h5" "$TMP/kill$np/out/dataset.h5" > "$TMP/cmpk$np.out" 2>&1
    then ok "np$np killed+resumed equals uninterrupted"; else bad "np$np killed+resumed equals uninterrupted" "$TMP/cmpk$np.out"; fi
done

# physics of sampler + embedded labeler vs LABELER.md section 7 (200 configurations, 300 K)
mkdir -p "$TMP/phys"
cat > "$TMP/phys/sample.deck" <<DECK
[run]
output_dir = out
seed = 5
[structure]
unitcell = $ROOT/inputs/Ag3SBr/POSCAR
supercell = 2 2 2
[sample]
force_constants = $SHARED/physics/phonopy/Ag3SBr_2x2x2_force_constants.hdf5
temperatures = 300
configurations = 200
DECK
run phys 2 phys
if [ "$(rc phys)" = 0 ] && $PY test/data/dataset/check_physics.py "$TMP/phys/out/dataset.h5" "$SHARED/physics/reference.h5" > "$TMP/physchk.out" 2>&1
then ok "physics vs LABELER.md section 7"; cat "$TMP/physchk.out" | sed 's/^/     /'
else bad "physics vs LABELER.md section 7" "$TMP/physchk.out"; cat "$TMP/phys.out" | tail -3; fi

# graphs stored by the stage: one per configuration, edge lengths = periodic distances (ASE)
if $PY - "$TMP/np1/out/dataset.h5" > "$TMP/graphs_chk.out" 2>&1 <<'PY'
import sys, h5py, numpy as np
from ase import Atoms
from ase.neighborlist import neighbor_list
f = h5py.File(sys.argv[1], "r")
g = f["graphs"]
no, eo = g["node_offsets"][:], g["edge_offsets"][:]
assert len(no) == 15 and len(eo) == 15 and no[-1] == 14 * 40 and eo[-1] > 0, (no[-1], eo[-1])
cut = float(g.attrs["cutoff_ang"])
for c in (0, 13):
    a = Atoms(numbers=f["configs/species"][c], positions=f["configs/positions"][c],
              cell=f["configs/cell"][c], pbc=True)
    d = g["edge_dist"][eo[c]:eo[c + 1]]
    src, dst = g["edge_src"][eo[c]:eo[c + 1]], g["edge_dst"][eo[c]:eo[c + 1]]
    sh = g["edge_shift"][eo[c]:eo[c + 1]]
    pos, cell = a.get_positions(), a.cell[:]
    r = np.linalg.norm(pos[src] + sh @ cell - pos[dst], axis=1)
    assert np.allclose(r, d, atol=1e-9), np.abs(r - d).max()
    if "max_neighbors" not in g.attrs or int(g.attrs["max_neighbors"]) <= 0:
        i, j = neighbor_list("ij", a, cut)
        assert len(i) == len(d), (len(i), len(d))
    assert d.max() <= cut + 1e-12
print("ok", eo[-1], "edges")
PY
then ok "graphs in the dataset ($(tail -1 "$TMP/graphs_chk.out"))"; else bad "graphs in the dataset" "$TMP/graphs_chk.out"; fi
mkdir -p "$TMP/nog"
sed -e 's/^batch = 2$/batch = 2\ngraphs = false/' -e 's/^configurations = 7$/configurations = 2/' "$TMP/np1/sample.deck" > "$TMP/nog/sample.deck"
run nog 1 nog
if [ "$(rc nog)" = 0 ] && $PY -c "import h5py,sys; sys.exit('graphs' in h5py.File(sys.argv[1],'r'))" "$TMP/nog/out/dataset.h5"
then ok "graphs = false stores no graphs"; else bad "graphs = false stores no graphs" "$TMP/nog.out"; fi

# phonograph run: the sample stage takes the force constants of the phonons stage
mkdir -p "$TMP/run"
sed -e '/^force_constants = /d' -e 's/^seed = 11$/seed = 11\nstages = structure phonons sample/' "$TMP/np1/sample.deck" > "$TMP/run/sample.deck"
cat >> "$TMP/run/sample.deck" <<DECK
[phonons]
fc_source = file
force_constants = $SHARED/physics/phonopy/Ag3SBr_2x2x2_force_constants.hdf5
mesh = 2 2 2
band_path = 0 0 0  1/2 0 0
band_points = 3
band_labels = G X
temperatures = 300
DECK
(cd "$TMP/run" && timeout 120 $MPIRUN -np 2 "$PG_BIN" run sample.deck > "$TMP/runfc.out" 2>&1); echo $? > "$TMP/runfc.rc"
if [ "$(rc runfc)" = 0 ] && grep -q "force constants from phonons stage" "$TMP/runfc.out" &&
   $PY - "$TMP/np1/out/dataset.h5" "$TMP/run/out/dataset.h5" > "$TMP/runfc_chk.out" 2>&1 <<'PY'
import sys, h5py, numpy as np
a, b = (h5py.File(p, "r") for p in sys.argv[1:3])
for k in ("configs/positions", "configs/cell", "configs/species", "labels/energy", "provenance/modes/frequencies_used_thz"):
    assert a[k][()].tobytes() == b[k][()].tobytes(), k
src = b["provenance/force_constants"][()]
src = src.decode() if isinstance(src, bytes) else str(src)
assert "phonons stage" in src, src
print("ok")
PY
then ok "run: sample stage uses the phonons stage's force constants (identical configurations)"
else bad "run: sample stage uses the phonons stage's force constants" "$TMP/runfc.out"; cat "$TMP/runfc_chk.out" 2>/dev/null | tail -3; fi
mkdir -p "$TMP/nofc"
sed -e '/^force_constants = /d' "$TMP/np1/sample.deck" > "$TMP/nofc/sample.deck"
run nofc 1 nofc
if [ "$(rc nofc)" != 0 ] && grep -q "needs force constants" "$TMP/nofc.out"; then ok "no force constants: clear error"
else bad "no force constants: clear error" "$TMP/nofc.out"; fi

# another seed into the same output directory is refused
deck np1 12
run refuse 2 np1
if [ "$(rc refuse)" != 0 ] && grep -q "different deck or seed" "$TMP/refuse.out"; then ok "other seed refused"
else bad "other seed refused" "$TMP/refuse.out"; fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
