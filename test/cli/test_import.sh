#!/usr/bin/env bash
# test_import.sh - `phonograph import` on the fixtures of test/data/import (README there): a
# vasprun.xml tree and an extxyz file give the labels ASE 3.22 reads from the same files
# (check_import.py); unconverged runs and directories without results are skipped with a
# reason; truncated files, species or position mismatches refuse the whole import and leave the
# dataset byte-identical (md5); --skip-broken, --replace, --dry-run; np 2 gives the same.
# Runs from the repo root with $PG_BIN; ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
PG_BIN=${PG_BIN:-$PWD/build/phonograph}
MPIRUN=${MPIRUN:-mpirun --oversubscribe}
PY=/usr/bin/python3
D=test/data/import
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pgimport.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
pass=0; fail=0
ok()  { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     | /' "$2" | tail -20; }
fresh() { $PY $D/make_dataset.py "$TMP/$1.h5" "${2:-none}"; }
imp() { # imp NAME DATASET SOURCE [options]: output in $TMP/NAME.out, status in $TMP/NAME.rc
    local name=$1; shift
    timeout 60 "$PG_BIN" import "$@" > "$TMP/$name.out" 2>&1; echo $? > "$TMP/$name.rc"
}
rc() { cat "$TMP/$1.rc"; }
has() { grep -qF -- "$2" "$TMP/$1.out"; }

# 1. vasprun.xml tree: 2 imported (ISPIN 1 and ISPIN 2), 1 unconverged, 1 not run
fresh good
imp good "$TMP/good.h5" $D/export
if [ "$(rc good)" = 0 ] && has good "imported 2, skipped 2, refused 0" &&
   has good "60 steps = NELM 60" && has good "no vasprun.xml"; then ok "vasprun tree: summary (2 imported, 2 skipped with reasons)"
else bad "vasprun tree: summary" "$TMP/good.out"; fi
if $PY $D/check_import.py "$TMP/good.h5" vasprun 0,1 > "$TMP/good.chk" 2>&1; then ok "vasprun labels equal ASE's (energy, forces, stress, gap, VBM, sigma0)"
else bad "vasprun labels equal ASE's" "$TMP/good.chk"; fi
# the checker itself fails on a wrong expectation (config 1 must not be NaN)
if ! $PY $D/check_import.py "$TMP/good.h5" vasprun 0 > "$TMP/neg.chk" 2>&1 && grep -q "config 1" "$TMP/neg.chk"; then
    ok "check_import.py detects a wrong expectation"; else bad "check_import.py detects a wrong expectation" "$TMP/neg.chk"; fi

# 2. extxyz written by ASE (free_energy preferred, gap/vbm info keys)
fresh xyz
imp xyz "$TMP/xyz.h5" $D/labels.extxyz
if [ "$(rc xyz)" = 0 ] && has xyz "imported 3, skipped 0, refused 0" &&
   $PY $D/check_import.py "$TMP/xyz.h5" extxyz 0,1,4 > "$TMP/xyz.chk" 2>&1; then ok "extxyz labels equal ASE's"
else bad "extxyz labels equal ASE's" "$TMP/xyz.out"; cat "$TMP/xyz.chk" 2>/dev/null; fi

# 3. refusals: nothing written, file byte-identical, no temporary left behind
fresh ref
sum0=$(md5sum < "$TMP/ref.h5")
refuse() { # refuse NAME SOURCE MESSAGE
    imp "$1" "$TMP/ref.h5" "$2"
    if [ "$(rc "$1")" != 0 ] && has "$1" "$3" &&
       [ "$(md5sum < "$TMP/ref.h5")" = "$sum0" ] && [ ! -e "$TMP/ref.h5.import-tmp" ]; then ok "refused, file unchanged: $1"
    else bad "refused, file unchanged: $1" "$TMP/$1.out"; fi
}
refuse truncated $D/bad/truncated "config_000001/vasprun.xml:$(wc -l < $D/bad/truncated/config_000001/vasprun.xml): truncated vasprun.xml"
refuse species $D/bad/species "atom 5 is Br, configuration 1 has I there"
refuse positions $D/bad/positions "Å away from its position in configuration 0"
refuse xyz_truncated $D/bad/labels_truncated.extxyz "labels_truncated.extxyz:20: expected atom 4 of 5"
refuse xyz_species $D/bad/labels_species.extxyz "frame 1 does not match configuration 1"
imp dryrun "$TMP/ref.h5" $D/export --dry-run
if [ "$(rc dryrun)" = 0 ] && has dryrun "dry run: nothing written" && [ "$(md5sum < "$TMP/ref.h5")" = "$sum0" ]; then
    ok "--dry-run writes nothing"; else bad "--dry-run writes nothing" "$TMP/dryrun.out"; fi

# 4. --skip-broken: the truncated file is skipped, the complete one imported
fresh skip
imp skip "$TMP/skip.h5" $D/bad/truncated --skip-broken
if [ "$(rc skip)" = 0 ] && has skip "imported 1, skipped 1, refused 0" && has skip "truncated vasprun.xml" &&
   $PY $D/check_import.py "$TMP/skip.h5" vasprun 0 > "$TMP/skip.chk" 2>&1; then ok "--skip-broken imports the rest"
else bad "--skip-broken imports the rest" "$TMP/skip.out"; cat "$TMP/skip.chk" 2>/dev/null; fi

# 5. a dataset labelled by the embedded labeler: refused without --replace, wiped with it
fresh emb embedded
sum1=$(md5sum < "$TMP/emb.h5")
imp emb "$TMP/emb.h5" $D/export
if [ "$(rc emb)" != 0 ] && has emb "use --replace" && [ "$(md5sum < "$TMP/emb.h5")" = "$sum1" ]; then
    ok "labelled dataset: refused without --replace"; else bad "labelled dataset: refused without --replace" "$TMP/emb.out"; fi
imp emb2 "$TMP/emb.h5" $D/export --replace
if [ "$(rc emb2)" = 0 ] && $PY $D/check_import.py "$TMP/emb.h5" vasprun 0,1 > "$TMP/emb.chk" 2>&1; then
    ok "--replace: imported rows labelled, the others NaN"; else bad "--replace" "$TMP/emb2.out"; cat "$TMP/emb.chk" 2>/dev/null; fi

# 6. two ranks: same labels
fresh np2
timeout 60 $MPIRUN -np 2 "$PG_BIN" import "$TMP/np2.h5" $D/export > "$TMP/np2.out" 2>&1; r=$?
if [ $r = 0 ] && [ "$(grep -c 'imported 2, skipped 2' "$TMP/np2.out")" = 1 ] &&
   grep -q "60 steps = NELM 60" "$TMP/np2.out" && grep -q "no vasprun.xml" "$TMP/np2.out" &&
   $PY $D/check_import.py "$TMP/np2.h5" vasprun 0,1 > "$TMP/np2.chk" 2>&1; then ok "np 2: same labels, one summary"
else bad "np 2" "$TMP/np2.out"; fi
timeout 60 $MPIRUN -np 2 "$PG_BIN" import "$TMP/ref.h5" $D/bad/species > "$TMP/np2bad.out" 2>&1; r=$?
if [ $r != 0 ] && [ "$(md5sum < "$TMP/ref.h5")" = "$sum0" ]; then ok "np 2: refusal agreed, file unchanged"
else bad "np 2: refusal" "$TMP/np2bad.out"; fi

# the same configuration in two frames (split over the ranks at np 2 and 4): refused
cat $D/labels.extxyz $D/labels.extxyz > "$TMP/dup.extxyz"
for np in 1 2 4; do
    timeout 60 $MPIRUN -np $np "$PG_BIN" import "$TMP/ref.h5" "$TMP/dup.extxyz" > "$TMP/dup$np.out" 2>&1; r=$?
    if [ $r != 0 ] && grep -q "configuration 4 appears in two frames" "$TMP/dup$np.out" &&
       grep -q "imported 3, skipped 0, refused 3" "$TMP/dup$np.out" && [ "$(md5sum < "$TMP/ref.h5")" = "$sum0" ]; then
        ok "np $np: duplicate frames refused, file unchanged"; else bad "np $np: duplicate frames" "$TMP/dup$np.out"; fi
done

# 7. end to end: sample (labeler none) -> export -> jobscripts/dft_array.slurm running a fake
# VASP (fake_vasp.py) per array index -> import DECK EXPORT_DIR -> graphs -> train
ROOT=$PWD
mkdir -p "$TMP/e2e"
cat > "$TMP/e2e/sample.deck" <<DECK
[run]
output_dir = out
seed = 5
[structure]
unitcell = $ROOT/inputs/Ag3SBr/POSCAR
supercell = 1 1 1
[sample]
sampler = random
distribution = gaussian
amplitudes = 0.05 0.1
configurations = 3
labeler = none
[train]
dataset = out/dataset.h5
targets = energy_per_atom gap
epochs = 2
batch_size = 2
hidden = 8
conv_layers = 1
head_hidden = 8
gaussians = 8
dmax = 5
precision = float64
patience = 0
DECK
(
    cd "$TMP/e2e" || exit 1
    timeout 60 "$PG_BIN" sample sample.deck > sample.out 2>&1 || exit 1
    timeout 60 "$PG_BIN" export sample.deck > export.out 2>&1 || exit 1
    cp out/dataset.h5 out/dataset_xyz.h5
    for i in 0 1 2 3 4 5; do
        SLURM_ARRAY_TASK_ID=$i DFT_COMMAND="$PY $ROOT/$D/fake_vasp.py" \
            bash "$ROOT/jobscripts/dft_array.slurm" out/export > dft.out 2>&1 || exit 1
    done
    timeout 60 "$PG_BIN" import sample.deck out/export > import.out 2>&1
) > "$TMP/e2e.log" 2>&1; r=$?
if [ $r = 0 ] && grep -q "imported 5, skipped 1, refused 0" "$TMP/e2e/import.out" &&
   $PY $D/check_e2e.py "$TMP/e2e/out/dataset.h5" "$TMP/e2e/out/export" > "$TMP/e2e.chk" 2>&1; then
    ok "end to end: sample, export, job array, import DECK: labels equal ASE's"
else bad "end to end: sample, export, job array, import DECK" "$TMP/e2e/import.out"; cat "$TMP/e2e.log" "$TMP/e2e.chk" 2>/dev/null | tail -5; fi
# the ASE route: configs.extxyz from export (config_index on every frame) -> labels attached by
# an ASE script (here from the same vasprun.xml files) -> extxyz -> import: the same labels
(
    cd "$TMP/e2e" || exit 1
    $PY - "$ROOT/$D" <<'PYEOF' || exit 1
import sys
sys.path.insert(0, sys.argv[1])
import make_fixtures as mf
from ase.io import read, write
from ase.calculators.singlepoint import SinglePointCalculator
out = []
for a in read("out/export/configs.extxyz", index=":", format="extxyz"):
    c = a.info["config_index"]
    if c % 5 == 2:
        continue
    path = "out/export/config_%06d/vasprun.xml" % c
    r = read(path, format="vasp-xml")
    e = mf.expected_from_ase_vasprun(path)
    a.calc = SinglePointCalculator(a, energy=r.get_potential_energy(), free_energy=e["energy"],
                                   stress=r.get_stress(), forces=r.get_forces())
    a.info["gap"], a.info["vbm"] = e["gap"], e["vbm"]
    out.append(a)
write("labels.extxyz", out, format="extxyz")
PYEOF
    timeout 60 "$PG_BIN" import out/dataset_xyz.h5 labels.extxyz > import_xyz.out 2>&1
) > "$TMP/e2e_xyz.log" 2>&1; r=$?
if [ $r = 0 ] && grep -q "imported 5, skipped 0, refused 0" "$TMP/e2e/import_xyz.out" &&
   $PY $D/check_e2e.py "$TMP/e2e/out/dataset_xyz.h5" "$TMP/e2e/out/export" > "$TMP/e2e_xyz.chk" 2>&1; then
    ok "end to end, ASE route: export configs.extxyz -> ASE labels -> import extxyz"
else bad "end to end, ASE route" "$TMP/e2e/import_xyz.out"; cat "$TMP/e2e_xyz.log" "$TMP/e2e_xyz.chk" 2>/dev/null | tail -5; fi
(
    cd "$TMP/e2e" && timeout 60 "$PG_BIN" graphs out/dataset.h5 && timeout 60 "$PG_BIN" train sample.deck
) > "$TMP/e2e_train.out" 2>&1; r=$?
if [ $r = 0 ] && [ -s "$TMP/e2e/out/gnn_model.h5" ]; then ok "training skips the configuration without a label (/labels/imported = 0)"
else bad "training after a partial import" "$TMP/e2e_train.out"; fi

# 8. help
if "$PG_BIN" import --help | grep -q -- "--skip-broken" && "$PG_BIN" --help 2>&1 | grep -q "import"; then ok "import --help"
else bad "import --help"; fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
