#!/usr/bin/env bash
# test_gnn_train.sh - `phonograph train` and `phonograph predict` end to end on 2 ranks:
# a run killed with SIGKILL in the middle of an epoch (PG_GNN_TEST_KILL=epoch:step makes the
# trainer raise SIGKILL on itself at that step: a real kill -9, no cleanup) and restarted
# with the same deck ends with the same model as an uninterrupted run (bitwise); predictions
# CSV; a NaN label and a bad deck give clear errors.
set -u
cd "$(dirname "$0")/../.."
BIN=${PG_BIN:-build/phonograph}
PY=/usr/bin/python3
MPIRUN=${MPIRUN:-mpirun --oversubscribe}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0
check() { # name, condition (exit status of the rest)
    local name=$1; shift
    if "$@"; then pass=$((pass + 1)); echo "ok   $name"; else fail=$((fail + 1)); echo "FAIL $name"; fi
}

$PY test/data/gnn/make_dataset.py pairsum "$T/data.h5" 240 --seed 3 >/dev/null
$PY test/data/gnn/make_dataset.py pairsum "$T/nan.h5" 30 --seed 4 --nan 11 >/dev/null

deck() { # dir, dataset, extra
    cat <<DECK
[run]
output_dir = $1
seed = 5

[train]
dataset = $2
targets = energy_per_atom band_gap
target_weights = 1 0.5
epochs = 8
batch_size = 16
lr = 5e-3
hidden = 16
conv_layers = 2
head_hidden = 16
gaussians = 12
dmax = 5
shards = 4
precision = float64
patience = 0
$3
DECK
}
deck "$T/a" "$T/data.h5" "" > "$T/a.deck"
deck "$T/b" "$T/data.h5" "" > "$T/b.deck"

$MPIRUN -np 2 "$BIN" train "$T/a.deck" > "$T/a.log" 2>&1
check "uninterrupted training" test $? -eq 0
check "model, metrics, checkpoint written" test -s "$T/a/gnn_model.h5" -a -s "$T/a/gnn_metrics.json" -a -s "$T/a/gnn_metrics.csv" -a -s "$T/a/gnn_checkpoint.h5"
check "progress per epoch printed" grep -q "epoch    8" "$T/a.log"

PG_GNN_TEST_KILL=5:3 $MPIRUN -np 2 "$BIN" train "$T/b.deck" > "$T/b1.log" 2>&1
rc=$?
check "SIGKILL in epoch 5 kills the run" test $rc -ne 0
check "checkpoint of epoch 4 survives the kill" $PY -c "
import h5py, sys; f = h5py.File('$T/b/gnn_checkpoint.h5'); sys.exit(0 if f['/state/epoch'][0] == 4 else 1)"
$MPIRUN -np 2 "$BIN" train "$T/b.deck" > "$T/b2.log" 2>&1
check "restart completes" test $? -eq 0
check "restart resumed from epoch 4" grep -q "resuming from .* at epoch 4" "$T/b2.log"
check "resumed model == uninterrupted model (bitwise)" $PY -c "
import h5py, numpy as np, sys
a = h5py.File('$T/a/gnn_model.h5')['/params'][...]; b = h5py.File('$T/b/gnn_model.h5')['/params'][...]
c = h5py.File('$T/a/gnn_checkpoint.h5')['/state/adam_m'][...]; d = h5py.File('$T/b/gnn_checkpoint.h5')['/state/adam_m'][...]
sys.exit(0 if np.array_equal(a, b) and np.array_equal(c, d) else 1)"
check "no temporary checkpoint left" bash -c "! ls '$T/b' | grep -q tmp"

$MPIRUN -np 2 "$BIN" predict "$T/a/gnn_model.h5" "$T/data.h5" -o "$T/pred.csv" > "$T/p.log" 2>&1
check "predict writes one row per configuration" test "$(wc -l < "$T/pred.csv")" -eq 241
check "predictions match the metrics (test MAE recomputed)" $PY -c "
import csv, json, h5py, numpy as np, sys
rows = list(csv.DictReader(open('$T/pred.csv')))
p = np.array([float(r['energy_per_atom']) for r in rows])
f = h5py.File('$T/b/gnn_checkpoint.h5'); test = f['/split/test'][...]
y = h5py.File('$T/data.h5')['/labels/energy_per_atom'][...]
mae = np.mean(np.abs(p[test] - y[test]))
m = json.load(open('$T/a/gnn_metrics.json'))['targets']['energy_per_atom']['test']['mae']
sys.exit(0 if abs(mae - m) <= 1e-8 * max(1, abs(m)) else 1)"

deck "$T/c" "$T/nan.h5" "" > "$T/c.deck"
$MPIRUN -np 2 "$BIN" train "$T/c.deck" > "$T/c.log" 2>&1
rc=$?
check "NaN label: input error" test $rc -eq 1
check "NaN label: message names the configuration" grep -q "label band_gap of configuration 11 is nan" "$T/c.log"

deck "$T/d" "$T/data.h5" "epochz = 3" > "$T/d.deck"
"$BIN" train "$T/d.deck" > "$T/d.log" 2>&1
check "bad deck key: error with file:line" grep -q "d.deck:20:1: error: unknown key epochz" "$T/d.log"

# the whole path: configurations -> `phonograph graphs` -> train -> predict a POSCAR with the
# graph recipe stored in the model; the POSCAR of configuration 7 must give the prediction of
# row 7 of the dataset (same graph builder, positions round-tripped through POSCAR text)
$PY test/data/gnn/make_dataset.py configs "$T/cfg.h5" 60 --seed 6 >/dev/null
# configuration 12 is incomplete (labels NaN, no graph): skipped by train, nan in predict
$PY -c "
import h5py, numpy as np
f = h5py.File('$T/cfg.h5', 'r+'); f['/completed'][12] = 0; f['/labels/band_gap'][12] = np.nan"
"$BIN" graphs --cutoff 5.0 "$T/cfg.h5" > "$T/g.log" 2>&1
check "phonograph graphs builds /graphs" test $? -eq 0
deck "$T/e" "$T/cfg.h5" "" | sed 's/^epochs = 8/epochs = 3/' > "$T/e.deck"
$MPIRUN -np 2 "$BIN" train "$T/e.deck" > "$T/e.log" 2>&1
check "train on phonograph graphs" test $? -eq 0
$PY -c "
import h5py
from ase import Atoms
from ase.io import write
f = h5py.File('$T/cfg.h5')
a = Atoms(numbers=f['/configs/species'][7], positions=f['/configs/positions'][7], cell=f['/configs/cell'][7], pbc=True)
write('$T/POSCAR_7', a, format='vasp', direct=False)"
"$BIN" predict "$T/e/gnn_model.h5" "$T/POSCAR_7" "$T/cfg.h5" -o "$T/pe.csv" > "$T/pe.log" 2>&1
check "predict a POSCAR" test $? -eq 0
check "POSCAR prediction == dataset row prediction" $PY -c "
import csv, sys
r = list(csv.DictReader(open('$T/pe.csv')))
p = [float(r[0][k]) for k in ('energy_per_atom', 'band_gap')]
q = [float(r[1 + 7][k]) for k in ('energy_per_atom', 'band_gap')]
assert r[1 + 7]['configuration'] == '7'
sys.exit(0 if all(abs(x - y) <= 1e-7 * max(1, abs(y)) for x, y in zip(p, q)) else 1)"
"$BIN" predict "$T/a/gnn_model.h5" "$T/POSCAR_7" > "$T/pf.log" 2>&1
check "incomplete configuration predicted as nan" grep -q "cfg.h5,12,nan,nan" "$T/pe.csv"
check "incomplete configuration skipped by the split" $PY -c "
import h5py, numpy as np, sys
f = h5py.File('$T/e/gnn_checkpoint.h5'); s = np.concatenate([f['/split/' + k][...] for k in ('train', 'val', 'test') if '/split/' + k in f])
sys.exit(0 if len(s) == 59 and 12 not in s else 1)"
check "POSCAR with a model without graph recipe: clear error" grep -q "no graph recipe" "$T/pf.log"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
