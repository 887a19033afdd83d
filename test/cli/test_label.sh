#!/usr/bin/env bash
# test_label.sh - `phonograph label` end to end: the spec's reference configurations
# (../shared/physics/structures) give the reference E/atom and sigma_h (LABELER.md §8), the table
# is identical at 1, 2 and 4 ranks, [labeler] deck settings are used, bad input fails with a
# message naming the file. Runs from the repo root with $PG_BIN; ends "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
PG_BIN=${PG_BIN:-$PWD/build/phonograph}
MPIRUN=${MPIRUN:-mpirun --oversubscribe}
PG_SHARED=${PG_SHARED:-$(cd .. && pwd)/shared}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pglabel.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
pass=0; fail=0
ok()  { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     | /' "$2" | head -30; }
run() { local name=$1 np=$2; shift 2
        timeout 300 $MPIRUN -np "$np" "$PG_BIN" "$@" > "$TMP/$name.out" 2>&1; echo $? > "$TMP/$name.rc"; }
rc()  { cat "$TMP/$1.rc"; }
has() { grep -qF -- "$2" "$TMP/$1.out"; }

S=$PG_SHARED/physics/structures
files=()
for c in Ag3SBr Ag3SI Ag3SeBr Ag3SeI; do
    files+=("$S/POSCAR_$c" "$S/POSCAR_${c}_2x2x2_displaced" "$S/POSCAR_${c}_2x2x2_displaced_strained")
done
for np in 1 2 4; do
    run np$np $np label --labels energy,forces,stress --out "$TMP/table$np.txt" "${files[@]}"
    if [ "$(rc np$np)" = 0 ] && [ "$(grep -c POSCAR_ "$TMP/table$np.txt")" = 12 ]; then
        ok "label 12 structures np$np"; else bad "label 12 structures np$np" "$TMP/np$np.out"; fi
done
cmp -s "$TMP/table1.txt" "$TMP/table2.txt" && cmp -s "$TMP/table1.txt" "$TMP/table4.txt" \
    && ok "table identical at 1, 2, 4 ranks" || bad "table identical at 1, 2, 4 ranks" "$TMP/table4.txt"

# reference values (reference.json, printed with 10 / 7 decimals): E/atom within 1e-7 eV/atom,
# sigma_h within 1e-5 GPa
check() { # name E_ref sh_ref
    awk -v n="POSCAR_$1" -v e="$2" -v s="$3" '
        $NF ~ n"$" { found=1; de=$2-e; ds=$3-s; if (de<0) de=-de; if (ds<0) ds=-ds;
                     if (de > 1e-7 || ds > 1e-5) { print "mismatch", $0; exit 1 } }
        END { if (!found) { print "missing", n; exit 1 } }' "$TMP/np1.out"
}
if check Ag3SBr_2x2x2_displaced -2.71891942 -0.172320 > "$TMP/chk.out" &&
   check Ag3SI_2x2x2_displaced_strained -2.60741246 -0.357126 >> "$TMP/chk.out" &&
   check Ag3SeI_2x2x2_displaced -2.56734624 -0.717869 >> "$TMP/chk.out" &&
   check Ag3SBr -2.7520588493 0.0 >> "$TMP/chk.out"; then
    ok "reference E/atom and sigma_h"; else bad "reference E/atom and sigma_h" "$TMP/chk.out"; fi

# extended XYZ input (ASE 3.22 writes two frames): names FILE#k, same reference values
PY=${PYTHON:-/usr/bin/python3}
"$PY" - "$S" "$TMP/two.xyz" <<'PYEOF'
import sys
from ase.io import read, write
S, out = sys.argv[1:]
write(out, [read(S + "/POSCAR_Ag3SBr_2x2x2_displaced"), read(S + "/POSCAR_Ag3SI_2x2x2_displaced_strained")],
      format="extxyz")
PYEOF
run xyz 2 label --labels energy,stress "$TMP/two.xyz"
if [ "$(rc xyz)" = 0 ] && awk '
    $NF ~ /two.xyz#0$/ { a = ($2 - -2.71891942)^2 < 1e-14 && ($3 - -0.172320)^2 < 1e-10 }
    $NF ~ /two.xyz#1$/ { b = ($2 - -2.60741246)^2 < 1e-14 && ($3 - -0.357126)^2 < 1e-10 }
    END { exit (a && b) ? 0 : 1 }' "$TMP/xyz.out"; then
    ok "extxyz frames labelled (FILE#k)"; else bad "extxyz frames labelled" "$TMP/xyz.out"; fi

# deck: [labeler] labels used (no forces column), an unknown word is a file:line error
cat > "$TMP/l.deck" <<DECK
[structure]
unitcell = $S/POSCAR_Ag3SBr
[labeler]
labels = energy stress
ewald_accuracy = 1e-12
DECK
run deck 2 label --deck "$TMP/l.deck" "$S/POSCAR_Ag3SBr"
if [ "$(rc deck)" = 0 ] && grep -q -- "-2.752058849" "$TMP/deck.out" &&
   awk '$NF ~ /POSCAR_Ag3SBr$/ { exit ($4 == "-") ? 0 : 1 }' "$TMP/deck.out"; then
    ok "deck [labeler] settings"; else bad "deck [labeler] settings" "$TMP/deck.out"; fi
printf '[structure]\nunitcell = %s\n[labeler]\nlabels = energy bandgap\n' "$S/POSCAR_Ag3SBr" > "$TMP/b.deck"
run baddeck 2 label --deck "$TMP/b.deck" "$S/POSCAR_Ag3SBr"
[ "$(rc baddeck)" != 0 ] && has baddeck "b.deck:4" && has baddeck "bandgap" \
    && ok "bad label word names deck:line" || bad "bad label word names deck:line" "$TMP/baddeck.out"

# bad input
run missing 2 label --labels energy "$TMP/nope/POSCAR"
[ "$(rc missing)" != 0 ] && has missing "nope/POSCAR" && ok "missing file fails naming it" \
    || bad "missing file fails naming it" "$TMP/missing.out"
sed '6,7c\ Ag  S   Br\n   3   1   2' "$S/POSCAR_Ag3SBr" > "$TMP/POSCAR_charged"
echo "  0.25 0.25 0.25" >> "$TMP/POSCAR_charged"
run charged 2 label --labels energy "$S/POSCAR_Ag3SI" "$TMP/POSCAR_charged"
[ "$(rc charged)" != 0 ] && has charged "POSCAR_charged" && has charged "not neutral" \
    && ok "non-neutral cell rejected naming the file" || bad "non-neutral cell rejected" "$TMP/charged.out"
run badopt 1 label --frobnicate "$S/POSCAR_Ag3SBr"
[ "$(rc badopt)" != 0 ] && has badopt "--frobnicate" && ok "unknown option" || bad "unknown option" "$TMP/badopt.out"
run nofile 1 label
[ "$(rc nofile)" != 0 ] && has nofile "no structure files" && ok "no files" || bad "no files" "$TMP/nofile.out"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
