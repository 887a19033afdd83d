#!/usr/bin/env bash
# bench/gnn.sh - GNN training throughput: phonograph (C, OpenBLAS) vs PyTorch 1.13
# (../shared/reference/gnn/torch_ref.py + torch.optim.Adam), same SPEC model (F=4, G=40, H=64,
# K=3, Hh=32, T=2), same graphs (Ag3SBr-like 2x2x2 supercells, 40 atoms, ~1060 edges at
# 5.5 Å; test/data/gnn/make_dataset.py crystal), same global batch, float32, 1 thread per
# process: 1 rank vs 1 process, and 2 MPI ranks vs 2 DDP processes (gloo).
# Each configuration runs REPS times alternating with its peer; the best run counts
# (the machine is shared and noisy). Prints ratios; record them in docs/performance.md.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PY=/usr/bin/python3
N_GRAPH=${N_GRAPH:-128}; B=${B:-32}; STEPS=${STEPS:-8}; REPS=${REPS:-3}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
export PG_GNN_REF=${PG_SHARED:-$(cd .. && pwd)/shared}/reference/gnn
[ -x "$BUILD/bench/gnn_bench" ] || make -j2 "$BUILD/bench/gnn_bench" >/dev/null
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
$PY test/data/gnn/make_dataset.py crystal "$T/data.h5" "$N_GRAPH" --seed 1 >/dev/null
rate() { sed -n 's/.*graphs_per_s=\([0-9.]*\).*/\1/p' | head -1; }
best() { printf '%s\n' "$@" | sort -g | tail -1; }
c1=(); t1=(); c2=(); t2=()
for r in $(seq "$REPS"); do
    c1+=("$(mpirun -np 1 "$BUILD/bench/gnn_bench" "$T/data.h5" "$B" "$STEPS" | tee -a "$T/c.log" | rate)")
    t1+=("$($PY bench/gnn_torch.py "$T/data.h5" "$B" "$STEPS" | rate)")
    c2+=("$(mpirun -np 2 "$BUILD/bench/gnn_bench" "$T/data.h5" "$B" "$STEPS" | tee -a "$T/c2.log" | rate)")
    port=$((29500 + RANDOM % 1000))
    $PY bench/gnn_torch.py "$T/data.h5" "$B" "$STEPS" --ddp 1 2 $port > /dev/null &
    t2+=("$($PY bench/gnn_torch.py "$T/data.h5" "$B" "$STEPS" --ddp 0 2 $port | rate)")
    wait
done
C1=$(best "${c1[@]}"); T1=$(best "${t1[@]}"); C2=$(best "${c2[@]}"); T2=$(best "${t2[@]}")
echo "GNN training, graphs/s (best of $REPS; runs: phonograph 1r ${c1[*]} | torch 1p ${t1[*]} | phonograph 2r ${c2[*]} | torch DDP 2p ${t2[*]})"
printf '  1 rank  : phonograph %8.1f   torch %8.1f   ratio %.2f\n' "$C1" "$T1" "$(echo "$C1 / $T1" | bc -l)"
printf '  2 ranks : phonograph %8.1f   torch %8.1f   ratio %.2f\n' "$C2" "$T2" "$(echo "$C2 / $T2" | bc -l)"
printf '  data-parallel efficiency 1->2: phonograph %.2f   torch DDP %.2f\n' \
    "$(echo "$C2 / (2 * $C1)" | bc -l)" "$(echo "$T2 / (2 * $T1)" | bc -l)"
grep memory_per_graph "$T/c.log" | head -1
echo "per-step breakdown, 1 rank then 2 ranks (last run):"
grep "per step" "$T/c.log" | tail -1
grep "per step" "$T/c2.log" | tail -1
