#!/usr/bin/env bash
# Supercell + symmetry + atom permutations: phonograph vs phonopy 2.17 (get_supercell,
# spglib dataset of the supercell, compute_all_sg_permutations), Ag3SBr n x n x n, best of 3.
# Run: PG_BENCH_FILTER=structure make bench
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
POSCAR=${PG_SHARED:-../shared}/physics/structures/POSCAR_Ag3SBr
PY=${PYTHON:-/usr/bin/python3}
mkdir -p bench/results
out=bench/results/structure.txt
printf '%-6s %6s %6s | %10s %10s %10s | %10s %10s %10s | %s\n' n atoms ops \
    pg_super pg_sym pg_perm py_super py_sym py_perm "ratio (py/pg) super sym perm" | tee "$out"
for n in 2 3 4; do
    read -r na nops a b c < <("$BUILD"/bench/structure "$POSCAR" $n 3)
    read -r pa pb pc < <("$PY" - "$POSCAR" $n <<'PYEOF'
import sys, time
import numpy as np
import spglib
from phonopy.interface.vasp import read_vasp
from phonopy.structure.cells import get_supercell, compute_all_sg_permutations
unit = read_vasp(sys.argv[1]); n = int(sys.argv[2])
best = [1e30] * 3
for _ in range(3):
    t0 = time.perf_counter(); sc = get_supercell(unit, np.diag([n, n, n]))
    t1 = time.perf_counter(); ds = spglib.get_symmetry_dataset((sc.cell, sc.scaled_positions, sc.numbers), symprec=1e-5)
    t2 = time.perf_counter()
    compute_all_sg_permutations(sc.scaled_positions, ds["rotations"], ds["translations"],
                                np.array(sc.cell.T, dtype="double", order="C"), 1e-5)
    t3 = time.perf_counter()
    best = [min(x, y) for x, y in zip(best, [t1 - t0, t2 - t1, t3 - t2])]
print(*("%.3e" % x for x in best))
PYEOF
)
    printf '%-6s %6s %6s | %10s %10s %10s | %10s %10s %10s | %.1f %.1f %.1f\n' "${n}x${n}x${n}" "$na" "$nops" \
        "$a" "$b" "$c" "$pa" "$pb" "$pc" \
        "$(awk -v p="$pa" -v q="$a" 'BEGIN{print p/q}')" "$(awk -v p="$pb" -v q="$b" 'BEGIN{print p/q}')" \
        "$(awk -v p="$pc" -v q="$c" 'BEGIN{print p/q}')" | tee -a "$out"
done
