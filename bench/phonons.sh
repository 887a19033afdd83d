#!/usr/bin/env bash
# Phonons: phonograph vs phonopy 2.17 (Debian python3-phonopy, /usr/bin/python3) on the same force
# constants (PRV-CAP-1 Ag3SBr, 3x3x3 supercell, compact phonopy force_constants.hdf5, 15 bands):
# frequencies + eigenvectors on full 20^3 and 40^3 meshes and at 10,000 arbitrary q-points.
# phonopy: run_mesh(is_mesh_symmetry=False, with_eigenvectors=True), run_qpoints(with_eigenvectors=True),
# OMP_NUM_THREADS=1. phonograph: pg_phonon_solve_distributed (build D(q), zheevd, gather to rank 0)
# at 1 and 2 ranks, OPENBLAS_NUM_THREADS=1. Best of 2 each. Ratio = phonopy time / phonograph time.
# Run: PG_BENCH_FILTER=phonons make bench   (or bench/phonons.sh after make build build/bench/phonons)
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SHARED=${PG_SHARED:-../shared}
PY=${PYTHON:-/usr/bin/python3}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
POSCAR=$SHARED/physics/structures/POSCAR_Ag3SBr
FC=$SHARED/physics/phonopy/Ag3SBr_3x3x3_force_constants.hdf5
YAML=$SHARED/physics/phonopy/Ag3SBr_3x3x3_phonopy.yaml
[ -x "$BUILD/bench/phonons" ] || make --no-print-directory "$BUILD/bench/phonons" > /dev/null
mkdir -p bench/results
QF=$(mktemp); trap 'rm -f "$QF"' EXIT
"$PY" -c "
import numpy as np
np.savetxt('$QF', np.random.RandomState(12345).uniform(-0.5, 0.5, (10000, 3)), fmt='%.17g')"
read -r py20 py40 pyr < <("$PY" - "$YAML" "$FC" "$QF" <<'PYEOF'
import sys, time
import numpy as np
import phonopy
from phonopy.file_IO import read_force_constants_hdf5
ph = phonopy.load(sys.argv[1], produce_fc=False, log_level=0)
fc = read_force_constants_hdf5(sys.argv[2])
ph.force_constants = fc
q = np.loadtxt(sys.argv[3])
def best(f):
    t = 1e30
    for _ in range(2):
        t0 = time.perf_counter(); f(); t = min(t, time.perf_counter() - t0)
    return t
a = best(lambda: ph.run_mesh([20, 20, 20], is_mesh_symmetry=False, with_eigenvectors=True, is_gamma_center=True))
b = best(lambda: ph.run_mesh([40, 40, 40], is_mesh_symmetry=False, with_eigenvectors=True, is_gamma_center=True))
c = best(lambda: ph.run_qpoints(q, with_eigenvectors=True))
print("%.4e %.4e %.4e" % (a, b, c))
PYEOF
)
read -r a1 b1 c1 < <(mpirun -np 1 "$BUILD/bench/phonons" "$POSCAR" "$FC" 3 "$QF")
read -r a2 b2 c2 < <(mpirun -np 2 "$BUILD/bench/phonons" "$POSCAR" "$FC" 3 "$QF")
out=bench/results/phonons.txt
{
printf '# %s, Ag3SBr 3x3x3 (15 bands), seconds (best of 2)\n' "$(date -u +%Y-%m-%dT%H:%MZ)"
printf '%-14s %10s %10s %10s %12s %12s\n' case phonopy pg_np1 pg_np2 "ratio/core" "speedup1->2"
for row in "mesh 20^3:$py20:$a1:$a2" "mesh 40^3:$py40:$b1:$b2" "10000 q:$pyr:$c1:$c2"; do
    IFS=: read -r name p x y <<< "$row"
    printf '%-14s %10s %10s %10s %12.1f %12.2f\n' "$name" "$p" "$x" "$y" \
        "$(awk -v p="$p" -v q="$x" 'BEGIN{print p/q}')" "$(awk -v p="$x" -v q="$y" 'BEGIN{print p/q}')"
done
} | tee -a "$out"
