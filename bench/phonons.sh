#!/usr/bin/env bash
# Phonons: phonograph vs phonopy 2.17 (Debian python3-phonopy, /usr/bin/python3) on the same force
# constants (PRV-CAP-1 Ag3SBr, 3x3x3 supercell, compact phonopy force_constants.hdf5, 15 bands):
# frequencies + eigenvectors on full 20^3 and 40^3 meshes and at 10,000 arbitrary q-points, and
# frequencies alone on the 40^3 mesh (the 1->2 rank speed-up without the eigenvector gather).
# phonopy: run_mesh(is_mesh_symmetry=False, with_eigenvectors=True), run_qpoints(with_eigenvectors=True),
# OMP_NUM_THREADS=1. phonograph: pg_phonon_solve_distributed with its defaults (Ag3SBr qualifies for
# the real gauge: D(q) real symmetric from per-block cosine terms, the small real-symmetric solver; on
# meshes each -q derived from q; gather of frequencies AND
# eigenvectors to rank 0) at 1 and 2 ranks, OPENBLAS_NUM_THREADS=1. Best of 3 each (shared machine).
# Per-core ratio = phonopy CPU time / phonograph 1-rank CPU time (process CPU time: the machine is
# shared, and CPU time is what other load disturbs least); wall times are listed too; the 1->2
# rank speed-up is from wall time (needs the second core free, check the load). Then
# build/bench/phonons_kernels: per-q CPU time of the complex D(q) build and of build + solve with the
# default path (real gauge), the small Hermitian solver and zheevd, and small solver vs zheevd for
# n = 6..120 (the PG_DYNMAT_SMALL_MAX_BANDS crossover).
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
make --no-print-directory "$BUILD/bench/phonons" "$BUILD/bench/phonons_kernels" > /dev/null
mkdir -p bench/results
QF=$(mktemp); trap 'rm -f "$QF"' EXIT
"$PY" -c "
import numpy as np
np.savetxt('$QF', np.random.RandomState(12345).uniform(-0.5, 0.5, (10000, 3)), fmt='%.17g')"
read -r py20 py40 pyr pc20 pc40 pcr py40f pc40f < <("$PY" - "$YAML" "$FC" "$QF" <<'PYEOF'
import sys, time
import numpy as np
import phonopy
from phonopy.file_IO import read_force_constants_hdf5
ph = phonopy.load(sys.argv[1], produce_fc=False, log_level=0)
fc = read_force_constants_hdf5(sys.argv[2])
ph.force_constants = fc
q = np.loadtxt(sys.argv[3])
def best(f):
    t, c = 1e30, 1e30
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time(); f()
        t, c = min(t, time.perf_counter() - t0), min(c, time.process_time() - c0)
    return t, c
a, ac = best(lambda: ph.run_mesh([20, 20, 20], is_mesh_symmetry=False, with_eigenvectors=True, is_gamma_center=True))
b, bc = best(lambda: ph.run_mesh([40, 40, 40], is_mesh_symmetry=False, with_eigenvectors=True, is_gamma_center=True))
c, cc = best(lambda: ph.run_qpoints(q, with_eigenvectors=True))
d, dc = best(lambda: ph.run_mesh([40, 40, 40], is_mesh_symmetry=False, with_eigenvectors=False, is_gamma_center=True))
print("%.4e %.4e %.4e %.4e %.4e %.4e %.4e %.4e" % (a, b, c, ac, bc, cc, d, dc))
PYEOF
)
PH=$(mktemp); trap 'rm -f "$QF" "$PH"' EXIT
read -r a1 b1 c1 ac1 bc1 cc1 d1 dc1 < <(mpirun -np 1 "$BUILD/bench/phonons" "$POSCAR" "$FC" 3 "$QF" 2>>"$PH")
read -r a2 b2 c2 ac2 bc2 cc2 d2 dc2 < <(mpirun -np 2 "$BUILD/bench/phonons" "$POSCAR" "$FC" 3 "$QF" 2>>"$PH")
out=bench/results/phonons.txt
{
printf '# %s, Ag3SBr 3x3x3 (15 bands), seconds (best of 3), load %s\n' "$(date -u +%Y-%m-%dT%H:%MZ)" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %9s %9s %9s %9s %9s %9s %10s %10s %10s\n' case py_cpu pg1_cpu pg2_cpu py_wall pg1_wall \
    pg2_wall "cpu_ratio" "wall_ratio" "speedup1->2"
for row in "mesh 20^3:$pc20:$ac1:$ac2:$py20:$a1:$a2" "mesh 40^3:$pc40:$bc1:$bc2:$py40:$b1:$b2" \
           "10000 q:$pcr:$cc1:$cc2:$pyr:$c1:$c2" "40^3 freq:$pc40f:$dc1:$dc2:$py40f:$d1:$d2"; do
    IFS=: read -r name pc x1 x2 pw w1 w2 <<< "$row"
    printf '%-10s %9.4f %9.4f %9.4f %9.4f %9.4f %9.4f %10.1f %10.1f %10.2f\n' "$name" "$pc" "$x1" "$x2" \
        "$pw" "$w1" "$w2" "$(awk -v p="$pc" -v q="$x1" 'BEGIN{print p/q}')" \
        "$(awk -v p="$pw" -v q="$w1" 'BEGIN{print p/q}')" "$(awk -v p="$w1" -v q="$w2" 'BEGIN{print p/q}')"
done
cat "$PH"
} | tee -a "$out"
mpirun -np 1 "$BUILD/bench/phonons_kernels" "$POSCAR" "$FC" 3 | tee -a "$out"
