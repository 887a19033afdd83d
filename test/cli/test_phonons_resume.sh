#!/usr/bin/env bash
# test_phonons_resume.sh - the phonons stage of `phonograph run` resumes safely: a re-run after
# completion reuses phonons.h5 only when it is complete and made from the same deck sections
# (otherwise says why and computes it again), a run killed (kill -9) during the stage leaves
# no phonons.h5 that could pass for complete, and the re-run redoes the stage and writes the
# same file as an uninterrupted run (every dataset bitwise). Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
PG_BIN=${PG_BIN:-$PWD/build/phonograph}
SHARED=${PG_SHARED:-$(cd .. && pwd)/shared}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pgphres.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
pass=0; fail=0
ok()  { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     | /' "$2" | tail -25; }
NACL=$SHARED/reference/phonopy/NaCl
deck() { # file output_dir mesh [force_constants]
    cat > "$1" <<DECK
[run]
output_dir = $2
stages = structure phonons
[structure]
unitcell = $NACL/POSCAR-unitcell
supercell = 2 2 2
primitive = F
[phonons]
force_constants = ${4:-$NACL/force_constants.hdf5}
mesh = $3
mesh_symmetry = false
temperatures = 0 300
band_path = 0 0 0  1/2 0 1/2
band_labels = G X
DECK
}
run() { # name deck  (singleton MPI run: one process, its pid is $!)
    timeout 120 "$PG_BIN" run "$2" > "$TMP/$1.out" 2>&1
    echo $? > "$TMP/$1.rc"
}
rc() { cat "$TMP/$1.rc"; }
has() { grep -qF -- "$2" "$TMP/$1.out"; }
h5same() { # a.h5 b.h5: same datasets, bitwise
    /usr/bin/python3 - "$1" "$2" <<'PY'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
names = []
a.visit(lambda n: names.append(n) if isinstance(a[n], h5py.Dataset) else None)
other = []
b.visit(lambda n: other.append(n) if isinstance(b[n], h5py.Dataset) else None)
assert sorted(names) == sorted(other), (names, other)
for n in names:
    x, y = a[n][()], b[n][()]
    assert x.shape == y.shape and x.tobytes() == y.tobytes(), n
assert a.attrs["complete"] == 1 and b.attrs["complete"] == 1
assert a.attrs["deck_fingerprint"] == b.attrs["deck_fingerprint"]
PY
}
attr() { # file name -> the root attribute as text ("absent" if missing)
    /usr/bin/python3 -c "
import h5py, sys
v = h5py.File(sys.argv[1], 'r').attrs.get(sys.argv[2], 'absent')
print(v.decode() if isinstance(v, bytes) else v)" "$1" "$2" 2>/dev/null
}

# 1. reference run, completion attributes, no partial file left
deck "$TMP/ref.deck" "$TMP/ref" "8 8 8"
run ref "$TMP/ref.deck"
R=$TMP/ref/phonons.h5
if [ "$(rc ref)" = 0 ] && [ -f "$R" ] && [ ! -e "$R.partial" ] && [ "$(attr "$R" complete)" = 1 ] \
    && [ "$(attr "$R" deck_fingerprint | tr -d '\n' | wc -c)" = 16 ]; then
    ok "phonons.h5 written via phonons.h5.partial, complete = 1 and deck_fingerprint set last"
else bad "reference run" "$TMP/ref.out"; fi

# 2. rerun: skipped, file reused untouched, results in run_summary.json
cp "$R" "$TMP/ref_copy.h5"
run rerun "$TMP/ref.deck"
if [ "$(rc rerun)" = 0 ] && has rerun "stage phonons: completed earlier with this deck, skipped" \
    && has rerun "phonons.h5 is complete and made from this deck; reused" && cmp -s "$R" "$TMP/ref_copy.h5" \
    && /usr/bin/python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
s = [x for x in d['stages'] if x['name'] == 'phonons'][0]
sys.exit(0 if s['status'].startswith('skipped') and s['results']['phonons_n_band'] == 6 and s['results']['phonons_mesh_q'] == 512 else 1)
" "$TMP/ref/run_summary.json"; then
    ok "rerun skips the phonons stage, reuses phonons.h5 and reports its results"
else bad "rerun" "$TMP/rerun.out"; fi

# 3. a truncated phonons.h5 (stage marker present) is not taken as complete
head -c 3000 "$TMP/ref_copy.h5" > "$R"
run trunc "$TMP/ref.deck"
if [ "$(rc trunc)" = 0 ] && has trunc "is not a readable HDF5 file" && has trunc "computing the stage again" \
    && h5same "$R" "$TMP/ref_copy.h5" > "$TMP/trunc.cmp" 2>&1; then
    ok "truncated phonons.h5: said so, recomputed, same file as before (bitwise datasets)"
else bad "truncated phonons.h5" "$TMP/trunc.out"; cat "$TMP/trunc.cmp" 2>/dev/null; fi

# 4. a file without the completion mark (as an interrupted writer leaves it) is redone
/usr/bin/python3 -c "import h5py,sys; f=h5py.File(sys.argv[1],'a'); del f.attrs['complete']" "$R"
run nomark "$TMP/ref.deck"
if [ "$(rc nomark)" = 0 ] && has nomark "is incomplete (no completion mark" && [ "$(attr "$R" complete)" = 1 ]; then
    ok "phonons.h5 without complete = 1: said so and recomputed"
else bad "no completion mark" "$TMP/nomark.out"; fi

# 5. a phonons.h5 of other [phonons] values (copied in by hand) is redone, not reused
deck "$TMP/other.deck" "$TMP/other" "4 4 4"
run other "$TMP/other.deck"
cp "$TMP/other/phonons.h5" "$R"
run swapped "$TMP/ref.deck"
if [ "$(rc other)" = 0 ] && [ "$(rc swapped)" = 0 ] && has swapped "was made from other [structure]/[relax]/[phonons]/[labeler] values" \
    && h5same "$R" "$TMP/ref_copy.h5" > "$TMP/swapped.cmp" 2>&1; then
    ok "phonons.h5 of another deck: refused as output of this one, recomputed"
else bad "phonons.h5 of another deck" "$TMP/swapped.out"; cat "$TMP/swapped.cmp" 2>/dev/null; fi

# 5b. the deck is unchanged but its force-constant file was edited in place: not reused
cp "$NACL/force_constants.hdf5" "$TMP/fc.hdf5"
deck "$TMP/edit.deck" "$TMP/edit" "4 4 4" "$TMP/fc.hdf5"
run edit1 "$TMP/edit.deck"
cp "$TMP/edit/phonons.h5" "$TMP/edit_before.h5"
/usr/bin/python3 -c "
import h5py, sys
f = h5py.File(sys.argv[1], 'a'); d = f['force_constants']; d[...] = 1.01 * d[()]" "$TMP/fc.hdf5"
run edit2 "$TMP/edit.deck"
if [ "$(rc edit1)" = 0 ] && [ "$(rc edit2)" = 0 ] && has edit2 "or input files" \
    && has edit2 "computing the stage again" \
    && ! h5same "$TMP/edit/phonons.h5" "$TMP/edit_before.h5" > /dev/null 2>&1 \
    && [ "$(attr "$TMP/edit/phonons.h5" complete)" = 1 ]; then
    ok "force-constant file edited in place (same deck text): said so and recomputed"
else bad "edited force-constant file" "$TMP/edit2.out"; fi

# 6. kill -9 during the phonons stage (a mesh large enough to be caught in it), then rerun
deck "$TMP/kill.deck" "$TMP/kill" "${KILL_MESH:-36 36 36}"
"$PG_BIN" run "$TMP/kill.deck" > "$TMP/kill.out" 2>&1 &
pid=$!
for _ in $(seq 1 1200); do
    grep -q "== stage phonons" "$TMP/kill.out" 2>/dev/null && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.05
done
alive=0; kill -0 $pid 2>/dev/null && alive=1
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
K=$TMP/kill/phonons.h5
if [ $alive = 1 ] && grep -q "== stage phonons" "$TMP/kill.out" && [ ! -e "$TMP/kill/stages/phonons.done" ]; then
    ok "killed during the phonons stage (no stages/phonons.done)"
    if [ ! -e "$K" ] || [ "$(attr "$K" complete)" = 1 ]; then
        ok "after kill -9 no phonons.h5 that lacks the completion mark"
    else bad "half-written phonons.h5 after kill -9"; fi
else bad "kill -9 did not land in the phonons stage (finished first?)" "$TMP/kill.out"; fi
run killrerun "$TMP/kill.deck"
deck "$TMP/clean.deck" "$TMP/clean" "${KILL_MESH:-36 36 36}"
run clean "$TMP/clean.deck"
if [ "$(rc killrerun)" = 0 ] && has killrerun "== stage phonons" && ! has killrerun "stage phonons: completed earlier" \
    && [ ! -e "$K.partial" ] && h5same "$K" "$TMP/clean/phonons.h5" > "$TMP/kill.cmp" 2>&1; then
    ok "rerun after kill -9 redoes the stage; phonons.h5 equals an uninterrupted run's (bitwise datasets)"
else bad "rerun after kill -9" "$TMP/killrerun.out"; cat "$TMP/kill.cmp" 2>/dev/null; fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
