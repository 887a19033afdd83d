#!/usr/bin/env bash
# PRV-CAP-1 evaluation (energy + forces + stress) vs atom count: phonograph (bench/potential.c)
# vs the spec's numpy prototype (../shared/physics/prototype/prv.py, ASE calculator), same
# rattled Ag3SBr n x n x n cells (ASE rattle 0.02 Å, seed 1), best of 3 (prototype: best of 2).
# The prototype is O(N^2) in memory (it materialises every k-vector x atom phase); it is run up
# to 320 atoms only. Run: PG_BENCH_FILTER=potential make bench
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SHARED=${PG_SHARED:-$(cd .. && pwd)/shared}
PY=${PYTHON:-/usr/bin/python3}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pgbenchpot.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
mkdir -p bench/results
out=bench/results/potential.txt
"$PY" - "$SHARED/physics/structures/POSCAR_Ag3SBr" "$TMP" <<'PYEOF'
import sys
from ase.io import read, write
at = read(sys.argv[1])
for n in (2, 4, 8):
    s = at.repeat(n); s.rattle(0.02, seed=1)
    write("%s/POSCAR_%d" % (sys.argv[2], n), s, format="vasp", direct=True, sort=True)
PYEOF
peer() { # n -> "seconds E/atom"
    PYTHONPATH="$SHARED/physics/prototype" "$PY" - "$TMP/POSCAR_$1" <<'PYEOF'
import sys, time
from ase.io import read
from params import PP
from prv import PRVCalculator
s = read(sys.argv[1]); best = 1e30
for _ in range(2):
    s.calc = PRVCalculator(PP)
    t = time.perf_counter(); e = s.get_potential_energy(); s.get_forces(); s.get_stress()
    best = min(best, time.perf_counter() - t)
print("%.4e %.10f" % (best, e / len(s)))
PYEOF
}
{
printf '%-6s %6s %9s %7s | %10s %10s %10s %10s %9s | %10s %8s | %s\n' cell atoms edges kvecs \
    pg_total pg_nlist pg_pairs pg_recip us/atom proto_s ratio "|dE/atom| vs proto"
for n in 2 4 8; do
    read -r na ne nk e tt tn tp tr < <("$BUILD"/bench/potential "$TMP/POSCAR_$n" 5)
    if [ "$n" -le 4 ]; then read -r pt pe < <(peer "$n"); else pt=-; pe=; fi
    ratio=$([ "$pt" = - ] && echo - || awk -v p="$pt" -v q="$tt" 'BEGIN{printf "%.1f", p/q}')
    de=$([ -z "$pe" ] && echo - || awk -v a="$e" -v b="$pe" 'BEGIN{d=a-b; if (d<0) d=-d; printf "%.1e", d}')
    printf '%-6s %6s %9s %7s | %10s %10s %10s %10s %9.1f | %10s %8s | %s\n' "${n}x${n}x${n}" "$na" "$ne" "$nk" \
        "$tt" "$tn" "$tp" "$tr" "$(awk -v t="$tt" -v n="$na" 'BEGIN{print 1e6*t/n}')" "$pt" "$ratio" "$de"
done
echo "# balance: 2560 atoms with the Ewald real-space cutoff raised (same accuracy 1e-10)"
for rc in 10 12 14 16; do
    read -r na ne nk e tt tn tp tr < <("$BUILD"/bench/potential "$TMP/POSCAR_8" 3 $rc)
    printf '%-6s %6s %9s %7s | %10s %10s %10s %10s %9.1f | rc_ewald=%s E/atom=%s\n' "8x8x8" "$na" "$ne" "$nk" \
        "$tt" "$tn" "$tp" "$tr" "$(awk -v t="$tt" -v n="$na" 'BEGIN{print 1e6*t/n}')" "$rc" "$e"
done
} | tee "$out"
