#!/usr/bin/env bash
# graphs.sh - neighbour lists: phonograph's pg_neighbor_build vs ASE's
# ase.neighborlist.neighbor_list('ijSd') on the same Ag3SBr supercells (40 to ~11,000 atoms,
# Gaussian displacements 0.1 Å), side by side in one invocation. Reports edges per second of
# each, the ratio, and the time per atom (linear scaling = constant). Also the full crystal
# graph (pg_graph_build: neighbour list + node features + bond types).
# Needs /usr/bin/python3 with ASE (Debian python3-ase); skips with a message without it.
# Env: BUILD (build dir), PG_BENCH_REPS (supercell sizes, default "2 3 4 6 8 10 13"),
#      PG_BENCH_MIN_S (minimum seconds per timing, default 0.3).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PY=${PYTHON:-/usr/bin/python3}
BIN=$BUILD/bench/neighbor_bench
REPS=${PG_BENCH_REPS:-2 3 4 6 8 10 13}
MIN_S=${PG_BENCH_MIN_S:-0.3}
if ! "$PY" -c 'import ase' 2>/dev/null; then echo "graphs.sh: skipped (no ASE for $PY)"; exit 0; fi
[ -x "$BIN" ] || make -s "$BIN" >/dev/null || exit 1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pgbench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
mkdir -p bench/results
OUT=bench/results/graphs.txt

{
echo "# neighbour lists, phonograph vs ASE $("$PY" -c 'import ase; print(ase.__version__)'), $(date -u), $(nproc) cores, host load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%7s %6s %10s | %12s %12s %7s | %10s %10s | %12s\n' atoms cutoff edges \
    "ASE edges/s" "pg edges/s" ratio "ASE us/at" "pg us/at" "graph edg/s"
for rc in 5.5 10; do
  for r in $REPS; do
    # the potential's 10 Å cutoff only up to its cell sizes (~1,100 atoms)
    if [ "$rc" = 10 ] && [ "$r" -gt 6 ]; then continue; fi
    s=$TMP/s$r.txt
    ase_line=$("$PY" - "$r" "$rc" "$s" "$MIN_S" <<'PYEOF'
import sys, time
import numpy as np
from ase import Atoms
from ase.neighborlist import neighbor_list
r, rc, path, min_s = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], float(sys.argv[4])
frac = [[0, 0, 0], [.5, .5, .5], [.5, .5, 0], [.5, 0, .5], [0, .5, .5]]
a = Atoms(numbers=[35, 16, 47, 47, 47], scaled_positions=frac, cell=np.eye(3) * 4.87, pbc=True)
a = a.repeat((r, r, r))
a.positions += np.random.default_rng(r).normal(0, 0.1, a.positions.shape)
with open(path, 'w') as f:
    f.write('%d\n' % len(a))
    f.write(' '.join('%.17g' % x for x in a.cell.array.ravel()) + '\n')
    for z, p in zip(a.numbers, a.positions):
        f.write('%d %.17g %.17g %.17g\n' % (z, p[0], p[1], p[2]))
best, total, n = 1e30, 0.0, 0
while n < 3 or total < min_s:
    t0 = time.perf_counter()
    i, j, S, d = neighbor_list('ijSd', a, rc)
    t = time.perf_counter() - t0
    best, total, n = min(best, t), total + t, n + 1
    if total > 30:
        break
print(len(a), len(i), best)
PYEOF
)
    read -r n_ase e_ase t_ase <<< "$ase_line"
    read -r n_pg rc_pg e_pg t_pg t_graph <<< "$("$BIN" "$s" "$rc" "$MIN_S")"
    if [ "$e_ase" != "$e_pg" ]; then echo "EDGE COUNT MISMATCH: ASE $e_ase, phonograph $e_pg"; fi
    awk -v n="$n_pg" -v rc="$rc" -v e="$e_pg" -v ta="$t_ase" -v tp="$t_pg" -v tg="$t_graph" 'BEGIN {
        printf "%7d %6.1f %10d | %12.3e %12.3e %6.1fx | %10.3f %10.3f | %12.3e\n",
               n, rc, e, e / ta, e / tp, ta / tp, 1e6 * ta / n, 1e6 * tp / n, e / tg }'
  done
done
} | tee "$OUT"
echo "(raw: $OUT)"
