#!/usr/bin/env bash
# Tight-binding labelling (TB-CAP-1) vs the bare LAPACK eigen-solve of the same matrix, the
# dsyevr/dsyevd crossover, ScaLAPACK groups of 2 ranks vs one rank, and the Python prototype
# (../shared/physics/prototype/tb.py, numpy eigvalsh) on the same cells as the peer.
# Usage: bench/tb.sh  (BUILD=build; run by `make bench`). Raw output: bench/results/tb.txt
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
PG_SHARED=${PG_SHARED:-$(cd .. && pwd)/shared}
B=$BUILD/bench/tb_bench
[ -x "$B" ] || { echo "build $B first (make bench)"; exit 1; }
mkdir -p bench/results
out=bench/results/tb.txt
{
    echo "# bench/tb.sh $(date -u +%Y-%m-%dT%H:%M:%SZ) $(git rev-parse --short HEAD 2>/dev/null) load: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "## labelling time vs bare LAPACK solve (1 rank, OPENBLAS_NUM_THREADS=1)"
    "$B" label
    echo "## dsyevd (all eigenvalues) vs dsyevr (N_occ, N_occ+1) on the TB matrices"
    "$B" cross
    echo "## ScaLAPACK pdsyevr on a group of 2 ranks vs LAPACK dsyevr on one rank"
    for r in 4 5; do mpirun -np 2 "$B" group $r 64; done
    echo "## peer: Python prototype tb.gap (numpy eigvalsh, all eigenvalues) on the same cells"
    /usr/bin/python3 - "$PG_SHARED" <<'PY'
import sys, time, numpy as np
sys.path.insert(0, sys.argv[1] + "/physics/prototype")
import tb
from ase import Atoms
a0 = 4.806545
frac = [[0, .5, .5], [.5, 0, .5], [.5, .5, 0], [.5, .5, .5], [0, 0, 0]]
for r in (2, 3, 4):
    at = Atoms(["Ag", "Ag", "Ag", "S", "Br"], scaled_positions=frac, cell=np.eye(3) * a0, pbc=True).repeat(r)
    best = 1e30
    for rep in range(3 if r < 4 else 1):
        t0 = time.perf_counter(); g = tb.gap(at); best = min(best, time.perf_counter() - t0)
    print("%dx%dx%d n=%d prototype %.4f s (gap %.6f, ideal cell)" % (r, r, r, 26 * r ** 3 // 1, best, g[0]))
PY
} 2>&1 | tee "$out"
