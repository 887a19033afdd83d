#!/usr/bin/env bash
# test_graphs.sh - `phonograph graphs` end to end on test/data/graphs/mini_dataset.h5 at 1 and
# 2 ranks (file input and deck input), and its argument errors. Content checks of the written
# graphs (against ASE, bitwise against a serial build) are in test/mpi/test_graph_h5.c.
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
PG_BIN=${PG_BIN:-$PWD/build/phonograph}
MPIRUN=${MPIRUN:-mpirun --oversubscribe}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pggraphs.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
pass=0; fail=0
ok()  { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     | /' "$2" | head -30; }
run() { local name=$1 np=$2; shift 2
        timeout 120 $MPIRUN -np "$np" "$PG_BIN" "$@" > "$TMP/$name.out" 2>&1; echo $? > "$TMP/$name.rc"; }
rc()  { cat "$TMP/$1.rc"; }
has() { grep -qF -- "$2" "$TMP/$1.out"; }

for np in 1 2; do
    cp test/data/graphs/mini_dataset.h5 "$TMP/d$np.h5"
    run file$np $np graphs "$TMP/d$np.h5"
    if [ "$(rc file$np)" = 0 ] && has file$np "graphs: 5 configurations, 160 nodes, 4332 edges (cutoff 5.5 Å)" \
        && [ "$(grep -c '^graphs:' "$TMP/file$np.out")" = 1 ]; then
        ok "graphs DATASET np$np"; else bad "graphs DATASET np$np" "$TMP/file$np.out"; fi
done
# options: a smaller cutoff and a k cap give fewer edges (k = 6 -> 4 x 40 x 6 = 960)
cp test/data/graphs/mini_dataset.h5 "$TMP/k.h5"
run kcap 2 graphs --cutoff 4.0 --max-neighbors 6 --features Z,group,period --one-hot "$TMP/k.h5"
[ "$(rc kcap)" = 0 ] && has kcap "160 nodes, 960 edges (cutoff 4 Å)" && ok "options --cutoff --max-neighbors" \
    || bad "options --cutoff --max-neighbors" "$TMP/kcap.out"
# a deck gives the [graph] options; --dataset names the file
mkdir -p "$TMP/deck"
cp test/data/graphs/mini_dataset.h5 "$TMP/deck/dataset.h5"
printf '[run]\noutput_dir = .\n[graph]\ncutoff = 5.0\nmax_neighbors = 8\n' > "$TMP/deck/g.deck"
run deck 2 graphs "$TMP/deck/g.deck"
[ "$(rc deck)" = 0 ] && has deck "160 nodes, 1280 edges (cutoff 5 Å)" && has deck "/deck/dataset.h5:/graphs" \
    && ok "graphs DECK" || bad "graphs DECK" "$TMP/deck.out"
# errors: exit 1 on every rank with a clear message, no hang
run noarg 2 graphs
[ "$(rc noarg)" = 1 ] && has noarg "give a dataset file or a deck" && ok "no argument" || bad "no argument" "$TMP/noarg.out"
run badcut 2 graphs --cutoff -1 "$TMP/d1.h5"
[ "$(rc badcut)" = 1 ] && has badcut "--cutoff expects a number" && ok "bad --cutoff" || bad "bad --cutoff" "$TMP/badcut.out"
run badfeat 1 graphs --features Z,colour "$TMP/d1.h5"
[ "$(rc badfeat)" = 1 ] && has badfeat 'unknown node feature "colour"' && ok "bad --features" || bad "bad --features" "$TMP/badfeat.out"
run cap 2 graphs --max-edges 500 "$TMP/d1.h5"
[ "$(rc cap)" = 1 ] && has cap "above the cap of 500 edges" && has cap "graph of configuration" \
    && ok "edge cap error names the configuration" || bad "edge cap error" "$TMP/cap.out"
printf 'x' > "$TMP/notdata.h5"
run notdata 2 graphs "$TMP/notdata.h5"
[ "$(rc notdata)" != 0 ] && has notdata "notdata.h5" && ok "not an HDF5 file" || bad "not an HDF5 file" "$TMP/notdata.out"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
