#!/usr/bin/env bash
# PRV-CAP-1 evaluation (energy + forces + stress) vs atom count: phonograph (bench/potential.c)
# with the Coulomb reciprocal sum by plain Ewald and by smooth PME (and what coulomb = auto
# picks), vs the spec's numpy prototype (../shared/physics/prototype/prv.py, ASE calculator),
# same rattled Ag3SBr n x n x n cells (ASE rattle 0.02 Å, seed 1), best of 5 (2,560 atoms: 3,
# 20,480 atoms: 2; prototype: best of 2). The prototype is O(N^2) in memory (it materialises every
# k-vector x atom phase); it is run up to 320 atoms only, Ewald up to 2,560 atoms.
# Scaling exponents d ln t / d ln N are printed from the same run.
# Run: PG_BENCH_FILTER=potential make bench
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
for n in (2, 3, 4, 8, 16):
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
slope() { awk -v a="$1" -v b="$2" -v n="$3" -v m="$4" 'BEGIN{printf "%.2f", log(b/a)/log(m/n)}'; }
declare -A T
{
printf '%-8s %6s %-6s %9s %8s %-9s | %10s %10s %10s %10s %9s | %10s %8s | %s\n' cell atoms method \
    edges kvec/mesh "p,K" total nlist pairs recip us/atom proto_s ratio "|dE/atom| vs ewald|proto"
for n in 2 3 4 8 16; do
    pe=; pt=-
    if [ "$n" -le 4 ]; then read -r pt pe < <(peer "$n"); fi
    ew=
    for m in ewald pme auto; do
        [ "$n" -ge 16 ] && [ "$m" = ewald ] && continue
        reps=5; [ "$n" -ge 8 ] && reps=3; [ "$n" -ge 16 ] && reps=2
        read -r na ne nk e tt tn tp tr used po mesh < <("$BUILD"/bench/potential "$TMP/POSCAR_$n" $reps - $m)
        T[$m,$n]=$tt; [ "$m" = ewald ] && ew=$e
        ratio=$([ "$pt" = - ] && echo - || awk -v p="$pt" -v q="$tt" 'BEGIN{printf "%.1f", p/q}')
        ref=${ew:-$pe}
        de=$([ -z "$ref" ] && echo - || awk -v a="$e" -v b="$ref" 'BEGIN{d=a-b; if (d<0) d=-d; printf "%.1e", d}')
        de2=$([ -z "$pe" ] && echo - || awk -v a="$e" -v b="$pe" 'BEGIN{d=a-b; if (d<0) d=-d; printf "%.1e", d}')
        pk=$([ "$used" = pme ] && echo "$po,$mesh" || echo -)
        printf '%-8s %6s %-6s %9s %8s %-9s | %10s %10s %10s %10s %9.1f | %10s %8s | %s | %s\n' "${n}x${n}x${n}" \
            "$na" "$m($used)" "$ne" "$nk" "$pk" "$tt" "$tn" "$tp" "$tr" \
            "$(awk -v t="$tt" -v n="$na" 'BEGIN{print 1e6*t/n}')" "$pt" "$ratio" "$de" "$de2"
    done
done
echo "# scaling exponents of the total time (d ln t / d ln N)"
echo "ewald 40->320 $(slope "${T[ewald,2]}" "${T[ewald,4]}" 40 320)  320->2560 $(slope "${T[ewald,4]}" "${T[ewald,8]}" 320 2560)"
echo "pme   40->320 $(slope "${T[pme,2]}" "${T[pme,4]}" 40 320)  320->2560 $(slope "${T[pme,4]}" "${T[pme,8]}" 320 2560)  2560->20480 $(slope "${T[pme,8]}" "${T[pme,16]}" 2560 20480)"
echo "auto  40->320 $(slope "${T[auto,2]}" "${T[auto,4]}" 40 320)  320->2560 $(slope "${T[auto,4]}" "${T[auto,8]}" 320 2560)  2560->20480 $(slope "${T[auto,8]}" "${T[auto,16]}" 2560 20480)"
echo "# balance: 2560 atoms, plain Ewald with the real-space cutoff raised (same accuracy 1e-10)"
for rc in 10 12 14 16; do
    read -r na ne nk e tt tn tp tr used po mesh < <("$BUILD"/bench/potential "$TMP/POSCAR_8" 3 $rc ewald)
    printf '%-8s %6s %9s %7s | %10s %10s %10s %10s %9.1f | rc_ewald=%s E/atom=%s\n' "8x8x8" "$na" "$ne" "$nk" \
        "$tt" "$tn" "$tp" "$tr" "$(awk -v t="$tt" -v n="$na" 'BEGIN{print 1e6*t/n}')" "$rc" "$e"
done
} | tee "$out"
