#!/usr/bin/env bash
# test_cli.sh - the phonograph executable end to end: subcommands, --help, --version, deck
# errors (file:line + suggestion, non-zero exit on every rank, no hang), docs/deck.md up to
# date. Runs from the repo root with $PG_BIN; ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
PG_BIN=${PG_BIN:-$PWD/build/phonograph}
MPIRUN=${MPIRUN:-mpirun --oversubscribe}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pgcli.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
pass=0; fail=0
ok()   { pass=$((pass + 1)); echo "ok   $1"; }
bad()  { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     | /' "$2" | head -40; }
# run NAME NP ARGS... : runs phonograph under mpirun with a timeout; output in $TMP/NAME.out
run() {
    local name=$1 np=$2; shift 2
    timeout 120 $MPIRUN -np "$np" "$PG_BIN" "$@" > "$TMP/$name.out" 2>&1
    echo $? > "$TMP/$name.rc"
}
rc() { cat "$TMP/$1.rc"; }
has() { grep -qF -- "$2" "$TMP/$1.out"; }

# --version, --help
for np in 1 2; do
    run version$np $np --version
    if [ "$(rc version$np)" = 0 ] && has version$np "phonograph " && has version$np "git"; then
        ok "--version np$np"; else bad "--version np$np" "$TMP/version$np.out"; fi
    [ "$(grep -c '^phonograph ' "$TMP/version$np.out")" = 1 ] && ok "--version printed once np$np" \
        || bad "--version printed once np$np" "$TMP/version$np.out"
done
# library versions in --version come from the libraries themselves (via symmetry.c / h5.c):
# they must be the versions of the installed Debian packages
spg_pkg=$(dpkg-query -W -f='${Version}' libsymspg-dev 2>/dev/null | sed 's/-.*//')
h5_pkg=$(dpkg-query -W -f='${Version}' libhdf5-openmpi-dev 2>/dev/null | sed 's/[+-].*//')
if [ -n "$spg_pkg" ] && [ -n "$h5_pkg" ] && has version1 "HDF5 $h5_pkg, spglib $spg_pkg,"; then
    ok "--version names HDF5 $h5_pkg and spglib $spg_pkg (dpkg)"
else bad "--version library versions (dpkg: HDF5 '$h5_pkg', spglib '$spg_pkg')" "$TMP/version1.out"; fi
run help 1 --help
if [ "$(rc help)" = 0 ] && has help "deck"; then ok "--help lists commands"; else bad "--help" "$TMP/help.out"; fi
for cmd in $(sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' "$TMP/help.out" | grep -v -- '^--'); do
    run "help_$cmd" 1 "$cmd" --help
    if [ "$(rc "help_$cmd")" = 0 ] && has "help_$cmd" "usage: phonograph $cmd"; then
        ok "$cmd --help"; else bad "$cmd --help" "$TMP/help_$cmd.out"; fi
done
run nocmd 1 frobnicate
[ "$(rc nocmd)" != 0 ] && has nocmd "unknown command" && ok "unknown command fails" \
    || bad "unknown command fails" "$TMP/nocmd.out"

# deck reference; docs/deck.md is generated from it
run ref 1 deck
[ "$(rc ref)" = 0 ] && has ref "[structure]" && has ref "supercell" && ok "deck reference" \
    || bad "deck reference" "$TMP/ref.out"
run refmd 1 deck --markdown
if [ "$(rc refmd)" = 0 ] && cmp -s "$TMP/refmd.out" docs/deck.md; then ok "docs/deck.md is up to date"
else bad "docs/deck.md is up to date (run: make docs)" "$TMP/refmd.out"; diff docs/deck.md "$TMP/refmd.out" | head; fi

# deck --check: the default deck resolves; a typo'd deck fails on every rank with file:line
for np in 1 2; do
    run check$np $np deck --check inputs/Ag3SBr/Ag3SBr.deck
    [ "$(rc check$np)" = 0 ] && has check$np "supercell = 2 2 2" && has check$np "# fingerprint" \
        && ok "deck --check default deck np$np" || bad "deck --check default deck np$np" "$TMP/check$np.out"
    run typo$np $np deck --check test/decks/bad/typo_key.deck
    r=$(rc typo$np)
    if [ "$r" = 1 ] && has typo$np "test/decks/bad/typo_key.deck:6:1: error: unknown key supercel in [structure] (did you mean supercell?)" \
        && [ "$(grep -c 'did you mean' "$TMP/typo$np.out")" = 1 ]; then
        ok "typo'd deck: exit 1, file:line + suggestion, reported once np$np"
    else bad "typo'd deck np$np (rc=$r)" "$TMP/typo$np.out"; fi
done

# info: the symmetry report of the default unit cell, at 1 and 2 ranks
for np in 1 2; do
    run info$np $np info inputs/Ag3SBr/POSCAR
    [ "$(rc info$np)" = 0 ] && has info$np "Pm-3m (No. 221)" && has info$np "Wyckoff" \
        && [ "$(grep -c 'Pm-3m (No. 221)' "$TMP/info$np.out")" = 1 ] \
        && ok "info POSCAR np$np" || bad "info POSCAR np$np" "$TMP/info$np.out"
done
run infomissing 2 info "$TMP/no_such_POSCAR"
[ "$(rc infomissing)" != 0 ] && has infomissing "no_such_POSCAR" && ok "info: missing file fails on all ranks" \
    || bad "info: missing file fails" "$TMP/infomissing.out"

# run: a copy of the default deck writing into $TMP
mkdeck() { # file output_dir supercell
    printf '[run]\noutput_dir = %s\n\n[structure]\nunitcell = %s/inputs/Ag3SBr/POSCAR\nsupercell = %s\n' \
        "$2" "$PWD" "$3" > "$1"
}
json() { # file python-expression over d -> exit status
    /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1" 2>/dev/null
}
for np in 1 2; do
    mkdeck "$TMP/a$np.deck" "out$np" "2 2 2"
    run run$np $np run "$TMP/a$np.deck"
    out=$TMP/out$np
    if [ "$(rc run$np)" = 0 ] && has run$np "Pm-3m (221)" && has run$np "40 atoms" && has run$np "timings (s, over $np rank"; then
        ok "run np$np: symmetry report, supercell, timing table"; else bad "run np$np" "$TMP/run$np.out"; fi
    if json "$out/run_summary.json" "d['status']=='ok' and d['ranks']==$np and d['stages'][0]['status']=='done' and d['stages'][0]['results']['n_atom_supercell']==40 and d['stages'][0]['results']['spacegroup_number']==221 and d['deck']['structure']['supercell']==[2,2,2] and 'structure' in d['timings_s'] and d['build']['git_hash']"; then
        ok "run np$np: run_summary.json is valid JSON with provenance and results"
    else bad "run np$np: run_summary.json" "$out/run_summary.json"; fi
    for f in deck.resolved phonograph.log stages/structure.done structure/supercell.vasp structure/symmetry.txt; do
        [ -s "$out/$f" ] || { bad "run np$np: $f written"; continue; }
    done
    [ "$(sed -n 7p "$out/structure/supercell.vasp" | awk '{s=0; for(i=1;i<=NF;i++) s+=$i; print s}')" = 40 ] \
        && ok "run np$np: supercell.vasp has 40 atoms" || bad "run np$np: supercell.vasp" "$out/structure/supercell.vasp"
    if [ $np = 1 ]; then  # ASE reads the supercell as phonopy builds it (same order, positions)
        if /usr/bin/python3 - "$out/structure/supercell.extxyz" "$out/structure/unitcell.vasp" <<'PY' > "$TMP/ase.out" 2>&1
import sys
import numpy as np
from ase.io import read
from phonopy.interface.vasp import read_vasp
from phonopy.structure.cells import get_supercell
at = read(sys.argv[1])
sc = get_supercell(read_vasp(sys.argv[2]), np.diag([2, 2, 2]))
assert at.get_chemical_symbols() == sc.symbols, "species order"
d = at.get_scaled_positions() - sc.scaled_positions
d -= np.rint(d)
assert np.abs(d).max() < 1e-10, np.abs(d).max()
assert np.allclose(at.cell[:], sc.cell, atol=1e-10)
PY
        then ok "run: supercell.extxyz (ASE) equals phonopy's 2x2x2 supercell"; else bad "supercell vs phonopy" "$TMP/ase.out"; fi
    fi
    # rerun: the completed stage is skipped
    run rerun$np $np run "$TMP/a$np.deck"
    if [ "$(rc rerun$np)" = 0 ] && has rerun$np "stage structure: completed earlier with this deck, skipped" \
        && json "$out/run_summary.json" "d['stages'][0]['status'].startswith('skipped') and d['stages'][0]['results']['n_atom_supercell']==40"; then
        ok "rerun np$np skips the completed stage"; else bad "rerun np$np" "$TMP/rerun$np.out"; fi
done
# the echoed deck re-parses to the same deck (same fingerprint over every key)
run fp_a 1 deck --check "$TMP/a1.deck"
run fp_r 1 deck --check "$TMP/out1/deck.resolved"
fa=$(grep '^# fingerprint' "$TMP/fp_a.out"); fr=$(grep '^# fingerprint' "$TMP/fp_r.out")
[ -n "$fa" ] && [ "$fa" = "$fr" ] && ok "deck.resolved re-parses to the same fingerprint" \
    || bad "deck.resolved fingerprint ($fa vs $fr)" "$TMP/fp_r.out"
# an output_dir made by an older version (fewer keys in the tables, so another fingerprint)
# is still the same deck: its deck.resolved is re-read with the current tables
sed -i '/^np = /d' "$TMP/out1/deck.resolved"
sed -i 's/^fingerprint .*/fingerprint 0123456789abcdef/' "$TMP/out1/stages/fingerprint" "$TMP/out1/stages/structure.done"
run older 1 run "$TMP/a1.deck"
[ "$(rc older)" = 0 ] && has older "skipped" && ok "output_dir of an older version (fewer keys) accepted, stage skipped" \
    || bad "output_dir of an older version" "$TMP/older.out"
# a log level change is not a different deck; a supercell change is, and is refused
mkdeck "$TMP/b.deck" out1 "2 2 2"; echo "log_level = warn" >> "$TMP/b.deck"
sed -i 's/^\[structure\]/log_level = warn\n\n[structure]/; $d' "$TMP/b.deck"
run quiet 2 run "$TMP/b.deck"
[ "$(rc quiet)" = 0 ] && ! has quiet "== stage" && ok "run-control key change reuses output_dir" \
    || bad "run-control key change" "$TMP/quiet.out"
mkdeck "$TMP/c.deck" out1 "3 3 3"
run refuse 2 run "$TMP/c.deck"
[ "$(rc refuse)" = 1 ] && has refuse "holds the results of a different deck" \
    && has refuse 'supercell: was "2 2 2", now "3 3 3"' && ok "different deck in the same output_dir refused" \
    || bad "different deck refused" "$TMP/refuse.out"
# restart = false redoes the stage
mkdeck "$TMP/d.deck" out2 "2 2 2"; sed -i 's/^\[structure\]/restart = false\n\n[structure]/' "$TMP/d.deck"
run redo 1 run "$TMP/d.deck"
[ "$(rc redo)" = 0 ] && has redo "== stage structure" && ! has redo "skipped" && ok "restart = false redoes stages" \
    || bad "restart = false" "$TMP/redo.out"
# primitive cells of conventional NaCl (Fm-3m): auto (spglib, as phonopy's "auto"), the
# centring letter F and explicit fractions give phonopy's 2-atom primitive cell
cat > "$TMP/NaCl.vasp" <<'POS'
NaCl conventional
1.0
5.69 0 0
0 5.69 0
0 0 5.69
Na Cl
4 4
Direct
0 0 0
0 0.5 0.5
0.5 0 0.5
0.5 0.5 0
0.5 0 0
0.5 0.5 0.5
0 0 0.5
0 0.5 0
POS
for pa in auto F "0 1/2 1/2  1/2 0 1/2  1/2 1/2 0"; do
    tag=$(echo "$pa" | tr -cd 'a-zA-Z0-9' | head -c 8)
    printf '[run]\noutput_dir = nacl_%s\n[structure]\nunitcell = NaCl.vasp\nsupercell = 2 2 2\nprimitive = %s\n' "$tag" "$pa" > "$TMP/nacl_$tag.deck"
    run "nacl_$tag" 1 run "$TMP/nacl_$tag.deck"
    if [ "$(rc "nacl_$tag")" = 0 ] && has "nacl_$tag" "Fm-3m (225)" && /usr/bin/python3 - "$TMP/NaCl.vasp" "$TMP/nacl_$tag/structure/primitive.vasp" <<'PY' > "$TMP/nacl_py.out" 2>&1
import sys
import numpy as np
from phonopy.interface.vasp import read_vasp
from phonopy.structure.cells import get_primitive, guess_primitive_matrix
unit = read_vasp(sys.argv[1])
ref = get_primitive(unit, guess_primitive_matrix(unit))
ours = read_vasp(sys.argv[2])
assert len(ours) == len(ref) == 2, (len(ours), len(ref))
assert np.allclose(ours.cell, ref.cell, atol=1e-10), (ours.cell, ref.cell)
assert ours.symbols == ref.symbols
PY
    then ok "primitive = $pa: phonopy's primitive cell of NaCl"; else bad "primitive = $pa" "$TMP/nacl_$tag.out"; cat "$TMP/nacl_py.out"; fi
done

# a wall-time budget that is used up stops the run between stages (exit 7, resumable)
mkdeck "$TMP/w.deck" out4 "2 2 2"; sed -i 's/^\[structure\]/wall_time = 1e-9 s\n\n[structure]/' "$TMP/w.deck"
run walltime 2 run "$TMP/w.deck"
[ "$(rc walltime)" = 7 ] && has walltime "stopped before stage structure" \
    && json "$TMP/out4/run_summary.json" "d['status']=='interrupted' and d['stages'][0]['status']=='not reached'" \
    && ok "wall_time used up: exit 7 before the stage, summary says interrupted" || bad "wall_time" "$TMP/walltime.out"
sed -i 's/^wall_time = .*/wall_time = 0/' "$TMP/w.deck"
run wallrerun 2 run "$TMP/w.deck"
[ "$(rc wallrerun)" = 0 ] && has wallrerun "== stage structure" && ok "rerun after the stop completes" \
    || bad "rerun after the stop" "$TMP/wallrerun.out"
# a typo'd deck through run: file:line + suggestion once, exit 1 on every rank, no hang
for np in 1 2; do
    cp test/decks/bad/typo_key.deck "$TMP/typo.deck"
    run runtypo$np $np run "$TMP/typo.deck"
    [ "$(rc runtypo$np)" = 1 ] && has runtypo$np "typo.deck:6:1: error: unknown key supercel in [structure] (did you mean supercell?)" \
        && [ "$(grep -c 'did you mean' "$TMP/runtypo$np.out")" = 1 ] && ok "run typo'd deck np$np: exit 1, one message" \
        || bad "run typo'd deck np$np (rc=$(rc runtypo$np))" "$TMP/runtypo$np.out"
done
# a missing unit cell names the deck line
printf '[run]\noutput_dir = out3\n[structure]\nunitcell = NOPE\n' > "$TMP/e.deck"
run nocell 2 run "$TMP/e.deck"
[ "$(rc nocell)" = 2 ] && has nocell "e.deck:4: [structure] unitcell: cannot open" \
    && json "$TMP/out3/run_summary.json" "d['status']=='failed' and 'NOPE' in d['error']" \
    && ok "missing unit cell: deck line named, failure recorded in run_summary.json" || bad "missing unit cell" "$TMP/nocell.out"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
