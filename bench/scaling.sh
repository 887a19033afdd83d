#!/usr/bin/env bash
# bench/scaling.sh - strong and weak scaling of each stage at 1 and 2 ranks, correctness at 4
# (oversubscribed on 2 cores: outputs must equal the 1-rank ones; its times mean nothing), and
# the measured per-stage costs and communication volumes that docs/scaling.md extrapolates from.
#
# Stages, each through its own subcommand (Ag3SBr 2x2x2, 40 atoms):
#   phonons   `phonograph fc --dim 4 4 4` (320 atoms): relaxation + finite-displacement force
#             constants (3 displacements dealt over ranks); strong only (work fixed by symmetry)
#   sample    `phonograph sample`: phonon sampler + PRV-CAP-1 labels through the task farm
#   hdf5      the same with `labeler = none`: sampling + the collective HDF5 writes only
#   graphs    `phonograph graphs DATASET` on the hdf5 stage's file: neighbour lists + collective
#             graph writes
#   train     `phonograph train`: data-parallel GNN (crystal graphs of make_dataset.py)
# Strong: fixed problem (N_S / N_H configurations, N_T training graphs). Weak: half of it per rank.
# The peer of a p-rank run is the 1-rank run of the same script invocation: the table reports
# efficiencies (ratios), never bare times as verdicts. Times are wall times of the whole
# command minus the launch time of `phonograph --version` at the same rank count.
# Output: a table on stdout, bench/results/scaling.txt (same) and bench/results/scaling.json.
# Env: BUILD, PHONOGRAPH, PG_SHARED, REPEAT (default 3: best of REPEAT rounds per point),
# N_S, N_H, N_T, N_E (problem sizes below).
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
PG=${PHONOGRAPH:-$ROOT/${BUILD:-build}/phonograph}
SHARED=${PG_SHARED:-$(cd .. && pwd)/shared}
PY=/usr/bin/python3
REPEAT=${REPEAT:-3}
N_S=${N_S:-1024}   # configurations, strong scaling of sample (PRV-CAP-1 labels)
N_H=${N_H:-4096}   # configurations, strong scaling of sample without labels (hdf5) and graphs
N_T=${N_T:-192}    # training graphs, strong scaling (3 epochs)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
MPIRUN=${MPIRUN:-mpirun --oversubscribe}
TMP=$(mktemp -d /tmp/pg-scaling.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
mkdir -p bench/results
OUT=bench/results/scaling.txt
JS=bench/results/scaling.json
"$PG" sample --help > /dev/null 2>&1 || { echo "scaling: $PG has no 'sample' subcommand" >&2; exit 1; }

now() { date +%s.%N; }
# timed NAME NP CMD...: one run; $TMP/NAME.t keeps the best wall time (s) over the repetitions,
# which alternate between rank counts (load from other processes hits 1 and 2 ranks alike)
timed() {
    local name=$1 np=$2; shift 2
    local t0 t1 prev=""
    [ -n "${PRE:-}" ] && eval "$PRE"
    t0=$(now)
    $MPIRUN -np "$np" "$PG" "$@" > "$TMP/$name.out" 2>&1 || { echo "FAILED: $name ($*)" >&2; sed 's/^/  | /' "$TMP/$name.out" | tail -20 >&2; return 1; }
    t1=$(now)
    [ -f "$TMP/$name.t" ] && prev=$(cat "$TMP/$name.t")
    $PY -c "import sys; a=float(sys.argv[1]); b=sys.argv[2]; print(a if b=='' else min(a, float(b)))" "$(echo "$t1 - $t0" | bc)" "$prev" > "$TMP/$name.t"
}
launch() { # launch overhead at np
    local best="" t0 t1
    for _ in 1 2 3; do
        t0=$(now); $MPIRUN -np "$1" "$PG" --version > /dev/null 2>&1; t1=$(now)
        best=$($PY -c "import sys; a=float(sys.argv[1]); b=sys.argv[2]; print(a if b=='' else min(a, float(b)))" "$(echo "$t1 - $t0" | bc)" "$best")
    done
    echo "$best"
}

sample_deck() { # dir n_per_temperature labeler [batch batches_per_rank]
    mkdir -p "$1"
    cat > "$1/deck" <<EOF
[run]
output_dir = $1/out
seed = 20251115
[structure]
unitcell = $ROOT/inputs/Ag3SBr/POSCAR
supercell = 2 2 2
[sample]
sampler = phonon
force_constants = $SHARED/physics/phonopy/Ag3SBr_2x2x2_force_constants.hdf5
temperatures = 300 600
configurations = $2
labeler = $3
min_distance = 1.6
max_displacement = 1.2
batch = ${4:-$BATCH}
batches_per_rank = ${5:-$BPR}
EOF
}
train_deck() { # dir dataset
    mkdir -p "$1"
    cat > "$1/deck" <<EOF
[run]
output_dir = $1/out
seed = 5
[train]
dataset = $2
targets = energy_per_atom
epochs = 3
batch_size = 32
shards = 8
precision = float32
patience = 0
EOF
}

BATCH=4; BPR=4   # the deck defaults: an epoch = 16 configurations per rank
L1=$(launch 1); L2=$(launch 2)
echo "launch overhead (mpirun + MPI_Init + finalize): np1 ${L1}s, np2 ${L2}s (subtracted)"
$PY test/data/gnn/make_dataset.py crystal "$TMP/train_s.h5" "$N_T" --seed 1 > /dev/null
for np in 1 2; do $PY test/data/gnn/make_dataset.py crystal "$TMP/train_w$np.h5" $((N_T / 2 * np)) --seed 1 > /dev/null; done

# ---- runs (REPEAT rounds; in each round 1, 2 and 4 ranks one after the other) ------------------
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
for rep in $(seq "$REPEAT"); do
for np in 1 2 4; do
    d=$TMP/fc$np; mkdir -p "$d"
    timed fc_s$np $np fc --dim 4 4 4 --out "$d/FORCE_CONSTANTS" inputs/Ag3SBr/POSCAR || exit 1
    for lab in potential none; do
        st=$([ $lab = potential ] && echo sample || echo hdf5)
        n=$([ $lab = potential ] && echo $N_S || echo $N_H)
        sample_deck "$TMP/${st}_s$np" $((n / 2)) $lab
        PRE="rm -rf $TMP/${st}_s$np/out" timed ${st}_s$np $np sample "$TMP/${st}_s$np/deck" || exit 1
        if [ $np -le 2 ]; then
            sample_deck "$TMP/${st}_w$np" $((n / 4 * np)) $lab
            PRE="rm -rf $TMP/${st}_w$np/out" timed ${st}_w$np $np sample "$TMP/${st}_w$np/deck" || exit 1
        fi
    done
    # graphs of the strong-scaling sample dataset, written into a copy each time
    PRE="cp $TMP/hdf5_s$np/out/dataset.h5 $TMP/graphs_s$np.h5" timed graphs_s$np $np graphs "$TMP/graphs_s$np.h5" || exit 1
    if [ $np -le 2 ]; then
        PRE="cp $TMP/hdf5_w$np/out/dataset.h5 $TMP/graphs_w$np.h5" timed graphs_w$np $np graphs "$TMP/graphs_w$np.h5" || exit 1
    fi
    train_deck "$TMP/train_s$np" "$TMP/train_s.h5"
    PRE="rm -rf $TMP/train_s$np/out" timed train_s$np $np train "$TMP/train_s$np/deck" || exit 1
    if [ $np -le 2 ]; then
        train_deck "$TMP/train_w$np" "$TMP/train_w$np.h5"
        PRE="rm -rf $TMP/train_w$np/out" timed train_w$np $np train "$TMP/train_w$np/deck" || exit 1
    fi
done
done

# ---- cost of one task-farm epoch (collective writes + 2 flushes + agreement), 1 and 2 ranks:
# N_E unlabelled configurations as N_E/2 epochs of 2 (batch 1 x 1 per rank at np 2, batch 2 at
# np 1) against one epoch (batch N_E); the difference / (N_E/2 - 1) is the per-epoch cost
N_E=${N_E:-512}
for rep in $(seq "$REPEAT"); do
for np in 1 2; do
    sample_deck "$TMP/ep_many$np" $((N_E / 2)) none $((2 / np)) 1
    PRE="rm -rf $TMP/ep_many$np/out" timed ep_many$np $np sample "$TMP/ep_many$np/deck" || exit 1
    sample_deck "$TMP/ep_one$np" $((N_E / 2)) none $((N_E / np)) 1
    PRE="rm -rf $TMP/ep_one$np/out" timed ep_one$np $np sample "$TMP/ep_one$np/deck" || exit 1
done
done
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- correctness at 4 (and 2) ranks: outputs equal the 1-rank ones ----------------------------
same() { $PY test/slurm/compare_h5.py "$@" > "$TMP/cmp.out" 2>&1 && echo identical || echo "DIFFERENT: $(head -n 3 "$TMP/cmp.out" | tr '\n' ';')"; }
declare -A CORR
for np in 2 4; do
    CORR[fc$np]=$(cmp -s "$TMP/fc1/FORCE_CONSTANTS" "$TMP/fc$np/FORCE_CONSTANTS" && echo identical || echo DIFFERENT)
    CORR[sample$np]=$(same "$TMP/sample_s1/out/dataset.h5" "$TMP/sample_s$np/out/dataset.h5" --ignore /provenance/deck_path /provenance/deck_text)
    CORR[hdf5$np]=$(same "$TMP/hdf5_s1/out/dataset.h5" "$TMP/hdf5_s$np/out/dataset.h5" --ignore /provenance/deck_path /provenance/deck_text)
    CORR[graphs$np]=$(same "$TMP/graphs_s1.h5" "$TMP/graphs_s$np.h5" --ignore /provenance/deck_path /provenance/deck_text)
    CORR[train$np]=$(same "$TMP/train_s1/out/gnn_model.h5" "$TMP/train_s$np/out/gnn_model.h5" --ignore /deck \
        | sed -E 's/.*max \|diff\| ([^;]*);.*/parameters agree to \1 (float32 sums in rank-dependent order)/')
done

# ---- communication volumes and per-item costs -------------------------------------------------
PARAMS=$(sed -nE 's/.* ([0-9]+) parameters \((float[0-9]+)\).*/\1 \2/p' "$TMP/train_s1.out" | head -n 1)
STEPS=$(sed -nE 's/.* ([0-9]+) steps\/epoch.*/\1/p' "$TMP/train_s1.out" | head -n 1)

$PY - "$TMP" "$L1" "$L2" "$N_E" "$N_S" "$N_H" "$N_T" "$PARAMS" "$STEPS" "$BATCH" "$BPR" \
    "${CORR[fc2]}" "${CORR[fc4]}" "${CORR[sample2]}" "${CORR[sample4]}" "${CORR[hdf52]}" "${CORR[hdf54]}" \
    "${CORR[graphs2]}" "${CORR[graphs4]}" "${CORR[train2]}" "${CORR[train4]}" "$OUT" "$JS" \
    "$LOAD0" "$LOAD1" "$REPEAT" <<'EOF'
import json, os, sys, h5py, numpy as np
(tmp, l1, l2, n_e, n_s, n_h, n_t, params, steps, batch, bpr, *rest) = sys.argv[1:]
corr = dict(zip(["fc2", "fc4", "sample2", "sample4", "hdf52", "hdf54", "graphs2", "graphs4",
                 "train2", "train4"], rest[:10]))
out_txt, out_json, load0, load1, repeat = rest[10], rest[11], rest[12], rest[13], rest[14]
L = {1: float(l1), 2: float(l2), 4: float(l2)}
n_s, n_h, n_t, batch, bpr = int(n_s), int(n_h), int(n_t), int(batch), int(bpr)
def t(name, np_):
    return max(float(open(f"{tmp}/{name}.t").read()) - L[min(np_, 2)], 1e-3)
lines = []
def p(s=""):
    lines.append(s); print(s)
p(f"{os.uname().nodename}, {os.cpu_count()} cores, best of {repeat} alternating rounds; load average "
  f"before {load0}, after {load1}")
res = {"load_before": load0, "load_after": load1, "repeat": int(repeat), "n_configurations_strong": n_s, "n_configurations_strong_unlabelled": n_h, "n_train_graphs_strong": n_t, "launch_s": L, "stages": {}}
p(f"strong scaling (fixed problem: {n_s} labelled / {n_h} unlabelled configurations, {n_t} training")
p(f"graphs x 3 epochs) and weak scaling (half of that per rank); np4 is oversubscribed on 2 cores")
p(f"{'stage':<8} {'T1 s':>8} {'T2 s':>8} {'E_strong':>9} {'T1w s':>8} {'T2w s':>8} {'E_weak':>7}   np4 (oversubscribed) vs np1")
for st, label in [("fc", "phonons"), ("sample", "sample+label"), ("hdf5", "sample+hdf5"),
                  ("graphs", "graphs"), ("train", "train")]:
    t1, t2 = t(f"{st}_s1", 1), t(f"{st}_s2", 2)
    es = t1 / (2 * t2)
    row = {"T1_s": t1, "T2_s": t2, "E_strong": es, "np2_output": corr[f"{st}2"], "np4_output": corr[f"{st}4"]}
    if os.path.exists(f"{tmp}/{st}_w1.t"):
        w1, w2 = t(f"{st}_w1", 1), t(f"{st}_w2", 2)
        row.update({"T1_weak_s": w1, "T2_weak_s": w2, "E_weak": w1 / w2})
        p(f"{label:<12.12} {t1:8.3f} {t2:8.3f} {es:9.2f} {w1:8.3f} {w2:8.3f} {w1 / w2:7.2f}   {corr[st + '4']}")
    else:
        p(f"{label:<12.12} {t1:8.3f} {t2:8.3f} {es:9.2f} {'-':>8} {'-':>8} {'-':>7}   {corr[st + '4']}")
    res["stages"][label] = row
# per-item costs (1 rank, strong runs)
f = h5py.File(f"{tmp}/hdf5_s1/out/dataset.h5", "r")
n_atom = int(f.attrs["n_atom"]); nc = int(f.attrs["n_config"])
data_bytes = 0
def acc(name, obj):
    global data_bytes
    if isinstance(obj, h5py.Dataset) and not name.startswith("provenance"):
        data_bytes += obj.size * obj.dtype.itemsize
f.visititems(acc)
fs = os.path.getsize(f"{tmp}/hdf5_s1/out/dataset.h5")
g = h5py.File(f"{tmp}/graphs_s1.h5", "r")
gbytes = 0
def accg(name, obj):
    global gbytes
    if isinstance(obj, h5py.Dataset) and name.startswith("graphs"):
        gbytes += obj.size * obj.dtype.itemsize
g.visititems(accg)
n_edges = int(g["graphs/n_edges"][()].sum()) if "graphs/n_edges" in g else None
n_param, prec = params.split()
bytes_per = 4 if prec == "float32" else 8
cost = {
    "label_s_per_config": t("sample_s1", 1) / n_s - t("hdf5_s1", 1) / n_h,
    "sample_write_s_per_config": t("hdf5_s1", 1) / n_h,
    "graphs_s_per_config": t("graphs_s1", 1) / n_h,
    "train_s_per_graph_epoch": t("train_s1", 1) / (3 * n_t),
    "fc_s": t("fc_s1", 1),
    "hdf5_data_bytes_per_config": data_bytes / nc,
    "hdf5_file_bytes_per_config": fs / nc,
    "graph_bytes_per_config": gbytes / nc,
    "edges_per_config": (n_edges / nc) if n_edges else None,
    "n_atom": n_atom,
    "gnn_parameters": int(n_param),
    "allreduce_bytes_per_step": int(n_param) * bytes_per,
    "train_steps_per_epoch": int(steps),
    "farm_epoch_s_np1": (t("ep_many1", 1) - t("ep_one1", 1)) / (int(n_e) / 2 - 1),
    "farm_epoch_s_np2": (t("ep_many2", 2) - t("ep_one2", 2)) / (int(n_e) / 2 - 1),
    "farm_messages_per_config": 2.0 / batch,
    "farm_epoch_end_messages_per_worker": 2,
    "farm_batch": batch, "farm_batches_per_rank": bpr,
}
res["per_item"] = cost
p()
p("measured per-item costs (1 rank) and communication volumes")
p(f"  labels (PRV-CAP-1, {n_atom} atoms)        {cost['label_s_per_config'] * 1e3:9.2f} ms / configuration")
p(f"  sampling + HDF5 write                {cost['sample_write_s_per_config'] * 1e3:9.3f} ms / configuration (incl. mode set-up share)")
p(f"  graphs (neighbour list + write)      {cost['graphs_s_per_config'] * 1e3:9.2f} ms / configuration")
p(f"  training                             {cost['train_s_per_graph_epoch'] * 1e3:9.3f} ms / graph / epoch")
p(f"  force constants (fc, 4x4x4, 3 disp.) {cost['fc_s']:9.2f} s")
p(f"  HDF5 dataset bytes / configuration   {cost['hdf5_data_bytes_per_config']:9.0f} (data), {cost['hdf5_file_bytes_per_config']:.0f} (file size / n)")
p(f"  HDF5 graph bytes / configuration     {cost['graph_bytes_per_config']:9.0f}")
p(f"  allreduce bytes / training step      {cost['allreduce_bytes_per_step']:9d} ({n_param} {prec} parameters, {steps} steps/epoch)")
p(f"  task-farm messages / configuration   {cost['farm_messages_per_config']:9.2f} (request + reply per batch of {batch}; + 2 per worker per epoch)")
p(f"  task-farm epoch overhead             {cost['farm_epoch_s_np1'] * 1e3:9.2f} ms at np1, {cost['farm_epoch_s_np2'] * 1e3:.2f} ms at np2 (writes + flushes + agreement)")
open(out_txt, "w").write("\n".join(lines) + "\n")
json.dump(res, open(out_json, "w"), indent=1)
EOF
echo "wrote $OUT and $JS"
