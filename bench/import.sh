#!/usr/bin/env bash
# import.sh - reading DFT results back: `phonograph import --dry-run` (parse every
# vasprun.xml, validate against the dataset, band edges; nothing written) vs ASE 3.22's
# ase.io.read(format="vasp-xml") of the same files, side by side in one invocation.
# Synthetic VASP 6-layout files (test/data/import/make_fixtures.py) of a 3x3x3 Ag3SBr
# supercell (135 atoms), ISPIN 2, PG_BENCH_KPTS k-points x 420 bands, PG_BENCH_FILES files.
# Reports MB/s and files/s of each and the ratio. Needs /usr/bin/python3 with ASE and h5py.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PY=${PYTHON:-/usr/bin/python3}
NF=${PG_BENCH_FILES:-12}
NK=${PG_BENCH_KPTS:-60}
if ! "$PY" -c 'import ase, h5py' 2>/dev/null; then echo "import.sh: skipped (no ASE/h5py for $PY)"; exit 0; fi
[ -x "$BUILD/phonograph" ] || make -s build >/dev/null || exit 1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pgbench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
mkdir -p bench/results
OUT=bench/results/import.txt
"$PY" - "$TMP" "$NF" "$NK" <<'PYEOF'
import os, sys
import h5py
import numpy as np
sys.path.insert(0, "test/data/import")
import make_fixtures as mf
tmp, nf, nk = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(7)
a0 = mf.A0
frac1 = mf.FRAC
sym1 = ["Ag", "Ag", "Ag", "S", "Br"]
n = 135
cells, poss, syms = [], [], []
for c in range(nf):
    cell = 3 * a0 * np.eye(3)
    frac = np.array([(f + np.array([i, j, k])) / 3.0 for i in range(3) for j in range(3) for k in range(3) for f in frac1])
    sym = [s for i in range(27) for s in sym1]
    pos = frac @ cell + rng.normal(0, 0.05, (n, 3))
    cfg = {"symbols": sym, "cell": cell.tolist(), "positions": pos.tolist()}
    d = os.path.join(tmp, "export", "config_%06d" % c)
    os.makedirs(d)
    up = mf.bands(rng, nk, 420, 310, 2.0, 1.0)
    dn = mf.bands(rng, nk, 420, 310, 1.9, 1.1)
    text = mf.vasprun(cfg, e_free=-2.65 * n, forces=mf.random_forces(rng, n),
                      stress_kb=mf.random_stress_kb(rng, 1.0), eigs=np.stack([up, dn]), efermi=2.5, ispin=2)
    open(os.path.join(d, "vasprun.xml"), "w").write(text)
    cells.append(cell); poss.append(pos); syms.append([{"Ag": 47, "S": 16, "Br": 35}[s] for s in sym])
with h5py.File(os.path.join(tmp, "ds.h5"), "w") as f:
    f.attrs["format"] = np.bytes_("phonograph-dataset")
    f.attrs["format_version"] = np.int64(1)
    f.attrs["n_config"] = np.int64(nf)
    f.attrs["n_atom"] = np.int64(n)
    f.attrs["labeler"] = np.bytes_("none")
    f["configs/cell"] = np.array(cells)
    f["configs/positions"] = np.array(poss)
    f["configs/species"] = np.array(syms, dtype="i4")
    f["completed"] = np.ones(nf, dtype="u1")
PYEOF
mb=$(du -sm "$TMP/export" | cut -f1)
t0=$(date +%s.%N)
"$BUILD/phonograph" import --help > /dev/null   # process + MPI start-up alone
ts=$(date +%s.%N)
# first run: correctness check and warm page cache for both readers
"$BUILD/phonograph" import "$TMP/ds.h5" "$TMP/export" --dry-run > "$TMP/pg.out" 2>&1 || { cat "$TMP/pg.out"; exit 1; }
t1=$(date +%s.%N)
grep -q "imported $NF," "$TMP/pg.out" || { cat "$TMP/pg.out"; exit 1; }
t_ase=$("$PY" - "$TMP/export" <<'PYEOF'
import os, sys, time
from ase.io import read
d = sys.argv[1]
t = time.perf_counter()
for e in sorted(os.listdir(d)):
    a = read(os.path.join(d, e, "vasprun.xml"), format="vasp-xml")
    a.get_potential_energy(); a.get_stress(); a.calc.kpts
print(time.perf_counter() - t)
PYEOF
)
t_start=$(echo "$ts - $t0" | bc -l)
t0=$(date +%s.%N)
"$BUILD/phonograph" import "$TMP/ds.h5" "$TMP/export" --dry-run > "$TMP/pg.out" 2>&1 || { cat "$TMP/pg.out"; exit 1; }
t1=$(date +%s.%N)
t_pg=$(echo "$t1 - $t0" | bc -l)
t_net=$(echo "$t_pg - $t_start" | bc -l)
# two ranks share the files (k % size == rank); start-up of mpirun -np 2 measured the same way
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
t0=$(date +%s.%N)
mpirun -np 2 "$BUILD/phonograph" import --help > /dev/null
ts=$(date +%s.%N)
mpirun -np 2 "$BUILD/phonograph" import "$TMP/ds.h5" "$TMP/export" --dry-run > "$TMP/pg2.out" 2>&1 || { cat "$TMP/pg2.out"; exit 1; }
t1=$(date +%s.%N)
t_start2=$(echo "$ts - $t0" | bc -l)
t_pg2=$(echo "$t1 - $ts" | bc -l)
t_net2=$(echo "$t_pg2 - $t_start2" | bc -l)
{
echo "# vasprun.xml import, phonograph vs ASE $("$PY" -c 'import ase; print(ase.__version__)'), $(date -u), host load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $NF files, $mb MB in total (135 atoms, ISPIN 2, $NK k-points x 420 bands each)"
printf '%-34s %10s %10s %10s\n' "" "seconds" "MB/s" "files/s"
printf '%-34s %10.3f %10.1f %10.1f\n' "phonograph import --dry-run" "$t_pg" "$(echo "$mb / $t_pg" | bc -l)" "$(echo "$NF / $t_pg" | bc -l)"
printf '%-34s %10.3f %10.1f %10.1f\n' "  same without start-up ($(printf %.2f "$t_start") s)" "$t_net" "$(echo "$mb / $t_net" | bc -l)" "$(echo "$NF / $t_net" | bc -l)"
printf '%-34s %10.3f %10.1f %10.1f\n' "same, mpirun -np 2, without start-up" "$t_net2" "$(echo "$mb / $t_net2" | bc -l)" "$(echo "$NF / $t_net2" | bc -l)"
printf '%-34s %10.3f %10.1f %10.1f\n' "ASE read(format=vasp-xml)" "$t_ase" "$(echo "$mb / $t_ase" | bc -l)" "$(echo "$NF / $t_ase" | bc -l)"
printf 'ratio ASE/phonograph: %.1fx whole command, %.1fx without start-up (phonograph also validates\nagainst the dataset and computes band edges; ASE parses in C with expat)\n' "$(echo "$t_ase / $t_pg" | bc -l)" "$(echo "$t_ase / $t_net" | bc -l)"
} | tee -a "$OUT"
