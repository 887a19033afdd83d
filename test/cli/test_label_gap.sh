#!/usr/bin/env bash
# test_label_gap.sh - `phonograph label --labels gap` end to end with the TB-CAP-1 module: the
# 8 displaced / displaced+strained reference configurations (../shared/physics/structures)
# give reference.json's gap, VBM and CBM (LABELER.md §8: 1e-8 eV; the table prints 8
# decimals, so the check allows 1e-8 + half a unit of the last digit), at np 1 (LAPACK) and at
# np 2 and 4 with [labeler] tb_group_size = 2 (ScaLAPACK groups of two ranks, configurations
# dealt to groups), and the tables agree across rank counts. Ends "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
PG_BIN=${PG_BIN:-$PWD/build/phonograph}
MPIRUN=${MPIRUN:-mpirun --oversubscribe}
PG_SHARED=${PG_SHARED:-$(cd .. && pwd)/shared}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pggap.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
pass=0; fail=0
ok()  { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     | /' "$2" | head -30; }

S=$PG_SHARED/physics/structures
files=()
for c in Ag3SBr Ag3SI Ag3SeBr Ag3SeI; do
    files+=("$S/POSCAR_${c}_2x2x2_displaced" "$S/POSCAR_${c}_2x2x2_displaced_strained")
done
# reference values, straight from the spec's reference.json
/usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["configs"]
for k, v in sorted(r.items()):
    print("POSCAR_" + k, repr(v["gap"]), repr(v["vbm"]), repr(v["cbm"]))
' "$PG_SHARED/physics/reference.json" > "$TMP/ref.txt" || { bad "read reference.json"; }

printf '[structure]\nunitcell = %s\n[labeler]\ntb_group_size = 2\n' "$S/POSCAR_Ag3SBr" > "$TMP/g2.deck"
for np in 1 2 4; do
    deck=(); [ "$np" -gt 1 ] && deck=(--deck "$TMP/g2.deck")
    timeout 300 $MPIRUN -np "$np" "$PG_BIN" label --labels gap "${deck[@]}" "${files[@]}" \
        > "$TMP/np$np.out" 2>&1
    rc=$?
    # columns: atoms E sigma_h maxF gap VBM CBM structure
    if [ $rc = 0 ] && awk -v ref="$TMP/ref.txt" '
        BEGIN { while ((getline l < ref) > 0) { split(l, f, " "); g[f[1]] = f[2]; v[f[1]] = f[3]; c[f[1]] = f[4] } }
        function ab(x) { return x < 0 ? -x : x }
        $NF ~ /POSCAR_/ { n = $NF; sub(/.*\//, "", n); seen++
            if (!(n in g)) { print "no reference for", n; bad = 1; next }
            if (ab($5 - g[n]) > 1.5e-8 || ab($6 - v[n]) > 1.5e-8 || ab($7 - c[n]) > 1.5e-8) {
                print "mismatch", n, $5, $6, $7, "ref", g[n], v[n], c[n]; bad = 1 } }
        END { if (seen != 8) { print "expected 8 rows, found", seen; bad = 1 } exit bad }' \
        "$TMP/np$np.out" > "$TMP/chk$np.out"; then
        ok "gap/VBM/CBM vs reference.json np$np"
    else
        cat "$TMP/np$np.out" >> "$TMP/chk$np.out"; bad "gap/VBM/CBM vs reference.json np$np" "$TMP/chk$np.out"
    fi
done
grep POSCAR_ "$TMP/np1.out" > "$TMP/t1"; grep POSCAR_ "$TMP/np2.out" > "$TMP/t2"; grep POSCAR_ "$TMP/np4.out" > "$TMP/t4"
cmp -s "$TMP/t1" "$TMP/t2" && cmp -s "$TMP/t1" "$TMP/t4" \
    && ok "tables identical at np 1 (LAPACK) and np 2, 4 (ScaLAPACK groups of 2)" \
    || bad "tables identical at np 1 and np 2, 4" "$TMP/t4"

# a structure with an element outside the model fails naming the element
printf 'NaCl\n1.0\n5.64 0 0\n0 5.64 0\n0 0 5.64\nNa Cl\n1 1\nDirect\n0 0 0\n0.5 0.5 0.5\n' > "$TMP/POSCAR_NaCl"
timeout 120 $MPIRUN -np 2 "$PG_BIN" label --labels gap "$TMP/POSCAR_NaCl" > "$TMP/nacl.out" 2>&1
if [ $? != 0 ] && grep -q "outside the tight-binding model" "$TMP/nacl.out"; then
    ok "foreign species rejected"; else bad "foreign species rejected" "$TMP/nacl.out"; fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
