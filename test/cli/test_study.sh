#!/usr/bin/env bash
# test_study.sh - `phonograph study` end to end on a toy deck: the three pools (phonon, random,
# MD test ensemble) are written, identical at 1 and 2 ranks (values, not file bytes); every
# training of the grid has a result table; learning_curves.csv, results.json (valid JSON),
# bonds.csv and predictions_*.csv are produced; integrated gradients are complete to 1e-6;
# a rerun skips the finished work. Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
BIN=${PG_BIN:-build/phonograph}
PY=/usr/bin/python3
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
MPIRUN=${MPIRUN:-mpirun --oversubscribe}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0; fail=0
check() { if eval "$2"; then echo "ok   $1"; pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi; }
for np in 1 2; do
    mkdir -p "$work/np$np"
    sed "s|^unitcell = .*|unitcell = $PWD/inputs/Ag3SBr/POSCAR|" test/decks/study/tiny.deck > "$work/np$np/tiny.deck"
    timeout 300 $MPIRUN -np $np "$BIN" study "$work/np$np/tiny.deck" > "$work/np$np.log" 2>&1
    check "study runs at np $np" "[ $? -eq 0 ]"
done
S1=$work/np1/out/study; S2=$work/np2/out/study
for p in phonon random md_test; do
    check "$p pool identical at np 1 and 2" "$PY test/data/dataset/compare_datasets.py $S1/$p.h5 $S2/$p.h5 >/dev/null"
done
check "MD pool is an md sampler with 6 configurations" \
    "$PY -c \"import h5py,sys; f=h5py.File('$S1/md_test.h5'); sys.exit(not (f.attrs['sampler'] in (b'md','md') and f['completed'][()].sum()==6))\""
check "8 trainings with result tables" "[ \$(ls $S1/models/*.csv | wc -l) -eq 8 ]"
check "learning curves: 2 samplers x 2 sizes x 4 targets x 3 scopes" \
    "[ \$(tail -n +2 $S1/learning_curves.csv | wc -l) -eq 48 ]"
check "results.json is valid JSON with 8 jobs" \
    "$PY -c \"import json,sys; d=json.load(open('$S1/results.json')); sys.exit(len(d['jobs'])!=8)\""
check "bonds.csv covers Ag-S and Ag-Br for both samplers" \
    "grep -q '^phonon,gap,Ag-S,' $S1/bonds.csv && grep -q '^random,gap,Ag-Br,' $S1/bonds.csv"
check "bond shares sum to 1 per sampler and target" \
    "$PY -c \"
import csv,sys,collections
s=collections.defaultdict(float)
for r in csv.DictReader(open('$S1/bonds.csv')): s[(r['sampler'],r['target'])]+=float(r['share_of_abs'])
sys.exit(not all(abs(v-1)<1e-6 for v in s.values()) or len(s)!=8)\""
check "parity data for both samplers" "[ -s $S1/predictions_phonon.csv ] && [ -s $S1/predictions_random.csv ]"
check "integrated gradients complete to 1e-6" \
    "$PY -c \"
import json,sys
d=json.load(open('$work/np1/out/run_summary.json'))
vals=[]
def walk(x):
    if isinstance(x,dict):
        for k,v in x.items():
            if k=='explain_completeness_error': vals.append(float(v))
            else: walk(v)
    elif isinstance(x,list):
        for v in x: walk(v)
walk(d); sys.exit(not vals or max(vals)>1e-6)\""
check "phonons stage with fc_source = compute: Γ frequencies match LABELER.md reference (0.005 THz)" \
    "$PY -c \"
import h5py,json,sys,numpy as np
f=h5py.File('$work/np1/out/phonons.h5'); q=f['commensurate/qpoints'][()]
i=[k for k in range(len(q)) if np.allclose(q[k],0)][0]
nu=np.sort(f['commensurate/frequencies'][()][i])
ref=np.sort(json.load(open('$PG_SHARED/physics/reference.json'))['cubic']['Ag3SBr']['phonons_THz']['2x2x2']['G'])
sys.exit(not np.allclose(nu,ref,atol=0.005))\""
# a rerun finds everything done: the stage is skipped as completed
timeout 120 $MPIRUN -np 1 "$BIN" study "$work/np1/tiny.deck" > "$work/rerun.log" 2>&1
check "rerun succeeds and skips the completed stage" "[ $? -eq 0 ] && grep -qi 'skipped\|completed earlier' $work/rerun.log"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
