#!/usr/bin/env bash
# test_slurm.sh - phonograph's jobscripts against a real SLURM (`make check-slurm`, CI).
#
# Brings up a one-node SLURM 22.05 cluster on localhost (cluster-up.sh: munge, slurmctld, slurmd,
# slurmdbd + MariaDB for sacct, no systemd), installing slurm-wlm, munge, slurmdbd and
# mariadb-server from Debian when missing, then submits the jobscripts on the decks of
# test/decks/slurm/ (2 tasks, seconds each) and checks outputs and sacct states:
#   run.slurm      COMPLETED, run_summary.json status ok
#   produce.slurm  [run] wall_time = 1e-9 s: every attempt does one task-farm epoch and exits 7,
#                  the script requeues the job; sacct shows REQUEUED attempts, then COMPLETED;
#                  the dataset equals the one of an uninterrupted produce.slurm job (every
#                  dataset's values bitwise and every attribute, compare_h5.py; not the file
#                  bytes, which differ in HDF5 metadata layout; the provenance copy of the deck
#                  file's path and text is left out: the decks differ in wall_time and output_dir)
#   train.slurm    COMPLETED; the model file equals an mpirun run of the same deck outside SLURM
#                  (all values bitwise; the stored deck text, which names the output_dir, aside);
#                  a long training job sent SIGTERM by `scancel --signal=TERM` (what --signal
#                  does before the time limit) stops at a safe point, exits 7, is REQUEUED
#   restart cap    run.slurm on a deck that stops at once ([run] wall_time = 1e-9 s, exit 7 on
#                  every attempt) with PG_MAX_RESTARTS=2: requeued exactly twice, then FAILED with
#                  exit code 7 and the cap message (before the cap it requeued forever); and a job
#                  whose --time is shorter than PG_END_MARGIN is refused at start (FAILED, exit
#                  2, message, no requeue, phonograph not started)
#   dft_array.slurm  array of 3 tasks (%2) over an export directory with a stand-in DFT command
#                  that writes vasprun.xml: all COMPLETED; a resubmission skips finished ones
# The cluster is torn down (only its own daemons) on every exit, failure included.
# Ends with "N passed, N failed". Needs root; skips loudly when the packages cannot be installed.
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
BUILD=${BUILD:-build}
export PHONOGRAPH=${PHONOGRAPH:-$ROOT/$BUILD/phonograph}
SHARED=${PG_SHARED:-$(cd "$ROOT/.." && pwd)/shared}
PY=/usr/bin/python3
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
export PG_SLURM_DIR=${PG_SLURM_DIR:-/tmp/pg-slurm}
export SLURM_CONF=$PG_SLURM_DIR/etc/slurm.conf
JOB_TIMEOUT=${PG_SLURM_JOB_TIMEOUT:-150} # s per job before it is cancelled and counted failed
T0=$(date +%s)
pass=0; fail=0
ok()  { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && [ -f "$2" ] && sed 's/^/     | /' "$2" | tail -25; }
skip() {
    echo "#####################################################################################"
    echo "## SKIPPED: the SLURM tests did not run: $*"
    echo "#####################################################################################"
    echo "0 passed, 0 failed (SKIPPED)"
    exit 0
}

# ---- packages (idempotent, like tools/deps.sh) ------------------------------------------
[ "$(id -u)" = 0 ] || skip "they need root (slurmd runs as root and the packages may need installing)"
PKGS=(slurm-wlm munge slurmdbd mariadb-server)
missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
for t in slurmctld slurmd munged slurmdbd mariadbd sacct; do command -v $t >/dev/null || missing+=("$t"); done
if [ ${#missing[@]} -gt 0 ]; then
    echo "check-slurm: installing ${PKGS[*]} (missing: ${missing[*]})"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get install -y -q --no-install-recommends "${PKGS[@]}" \
        || { apt-get update -q && apt-get install -y -q --no-install-recommends "${PKGS[@]}"; }; } \
        > /tmp/pg-check-slurm-apt.log 2>&1 \
        || skip "apt-get install ${PKGS[*]} failed (log /tmp/pg-check-slurm-apt.log)"
fi
for t in slurmctld slurmd munged sbatch sacct; do
    command -v $t >/dev/null || skip "$t still missing after installing ${PKGS[*]}"
done
[ -x "$PHONOGRAPH" ] || { echo "FAIL no phonograph at $PHONOGRAPH (make build)"; echo "0 passed, 1 failed"; exit 1; }
[ -f "$SHARED/physics/phonopy/Ag3SBr_2x2x2_force_constants.hdf5" ] \
    || { echo "FAIL shared data not found at $SHARED (set PG_SHARED)"; echo "0 passed, 1 failed"; exit 1; }

TMP=$(mktemp -d /tmp/pg-slurm-test.XXXXXX)
chmod 0755 "$TMP"
cleanup() {
    test/slurm/cluster-down.sh > "$TMP/cluster-down.log" 2>&1 || cat "$TMP/cluster-down.log"
    [ "${PG_SLURM_KEEP:-0}" = 1 ] && echo "scratch kept in $TMP" || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if test/slurm/cluster-up.sh > "$TMP/cluster-up.log" 2>&1; then ok "cluster up ($(tail -n 1 "$TMP/cluster-up.log"))"
else bad "cluster up" "$TMP/cluster-up.log"; echo "$pass passed, $fail failed"; exit 1; fi
ACCT=0; grep -q "accounting=1" "$TMP/cluster-up.log" && ACCT=1

# ---- helpers ------------------------------------------------------------------------------
deck() { # template name -> $TMP/name.deck
    sed -e "s|@ROOT@|$ROOT|g" -e "s|@SHARED@|$SHARED|g" -e "s|@DATA@|$TMP|g" \
        "test/decks/slurm/$1.deck.in" > "$TMP/$1.deck"
}
submit() { # name [sbatch options] jobscript args... -> job id on stdout (submitted from the repo root)
    local name=$1; shift
    sbatch --parsable --job-name="pgt-$name" --output="$TMP/$name-%j.out" --mem-per-cpu=512M \
        --time=00:10:00 "$@" 2> "$TMP/$name.sbatch.err"
}
wait_gone() { # job id: wait until it has left the queue (requeues included); 1 on timeout
    local j=$1 t=$(( $(date +%s) + JOB_TIMEOUT ))
    while [ -n "$(squeue -h -j "$j" -o %i 2>/dev/null)" ]; do
        if [ "$(date +%s)" -gt "$t" ]; then scancel "$j"; return 1; fi
        sleep 1
    done
}
states() { # job id -> every attempt's state, one per line (sacct -D lists requeued attempts)
    local j=$1 s=""
    for _ in $(seq 30); do # accounting records arrive shortly after the job ends
        s=$(sacct -n -X -D -P -j "$j" -o State 2>/dev/null)
        case $s in *COMPLETED*|*FAILED*|*CANCELLED*|*TIMEOUT*) break ;; esac
        sleep 0.5
    done
    echo "$s"
}
final_state() { # final job state: from sacct with accounting, else from the job completion log
    if [ "$ACCT" = 1 ]; then states "$1" | tail -n 1
    else sed -n "s/.*JobId=$1 .*JobState=\([A-Z_]*\).*/\1/p" "$PG_SLURM_DIR/log/jobcomp.txt" | tail -n 1; fi
}

# ---- submit everything; SLURM runs the 2-task jobs one after the other on the 2 cores ------
deck run; deck produce; deck produce_ref; deck train
$PY test/data/gnn/make_dataset.py pairsum "$TMP/train_data.h5" 64 --seed 3 > /dev/null
sed -e "s|$TMP/train\$|$TMP/train_sig|" -e 's/^epochs = .*/epochs = 100000/' "$TMP/train.deck" > "$TMP/train_sig.deck"
mkdir -p "$TMP/export"
for c in 0 1 2; do
    d=$TMP/export/config_$(printf '%06d' $c); mkdir -p "$d"
    cp inputs/Ag3SBr/POSCAR "$d/POSCAR"
done
# stand-in for a DFT code: records the task and writes a finished vasprun.xml
cat > "$TMP/fake_dft.sh" <<'EOF'
#!/bin/bash
echo "task $SLURM_ARRAY_TASK_ID in $PWD" >> ../ran.txt
printf '<?xml version="1.0"?>\n<modeling>\n <generator/>\n</modeling>\n' > vasprun.xml
EOF
chmod +x "$TMP/fake_dft.sh"

HAVE_SAMPLE=1
"$PHONOGRAPH" sample --help > /dev/null 2>&1 || HAVE_SAMPLE=0
J_PROD=""; J_REF=""
[ "$HAVE_SAMPLE" = 1 ] && J_PROD=$(submit produce jobscripts/produce.slurm "$TMP/produce.deck")
J_RUN=$(submit run jobscripts/run.slurm "$TMP/run.deck")
[ "$HAVE_SAMPLE" = 1 ] && J_REF=$(submit produce_ref jobscripts/produce.slurm "$TMP/produce_ref.deck")
J_TRAIN=$(submit train jobscripts/train.slurm "$TMP/train.deck")
export DFT_COMMAND="$TMP/fake_dft.sh"
J_DFT=$(submit dft --array=0-2%2 jobscripts/dft_array.slurm "$TMP/export")
# restart cap: a run that stops before its first stage on every attempt
sed -e "s|$TMP/run\$|$TMP/run_cap|" -e 's/^\[run\]$/[run]\nwall_time = 1e-9 s/' "$TMP/run.deck" > "$TMP/run_cap.deck"
J_CAP=$(submit run_cap --export=ALL,PG_MAX_RESTARTS=2 jobscripts/run.slurm "$TMP/run_cap.deck")
sed -e "s|$TMP/run\$|$TMP/run_margin|" "$TMP/run.deck" > "$TMP/run_margin.deck"
J_MARGIN=$(submit run_margin --time=00:02:00 --export=ALL,PG_END_MARGIN=600 jobscripts/run.slurm "$TMP/run_margin.deck")
for v in J_RUN J_TRAIN J_DFT J_CAP J_MARGIN $([ "$HAVE_SAMPLE" = 1 ] && echo J_PROD J_REF); do
    [ -n "${!v}" ] || { bad "sbatch ($v)" "$TMP/$(tr 'A-Z' 'a-z' <<<"${v#J_}").sbatch.err"; }
done
echo "     submitted: produce $J_PROD, run $J_RUN, produce_ref $J_REF, train $J_TRAIN, dft array $J_DFT," \
     "restart cap $J_CAP, margin $J_MARGIN"

# the reference training outside SLURM (same deck, other output directory) while jobs run
sed -e "s|$TMP/train\$|$TMP/train_mpirun|" "$TMP/train.deck" > "$TMP/train_mpirun.deck"
timeout 120 mpirun --oversubscribe -np 2 "$PHONOGRAPH" train "$TMP/train_mpirun.deck" > "$TMP/train_mpirun.out" 2>&1 \
    || bad "training outside SLURM (reference)" "$TMP/train_mpirun.out"

# ---- run.slurm ----------------------------------------------------------------------------
if [ -n "$J_RUN" ] && wait_gone "$J_RUN"; then
    s=$(final_state "$J_RUN")
    [ "$s" = COMPLETED ] && ok "run.slurm job $J_RUN COMPLETED" || bad "run.slurm job $J_RUN state '$s'" "$TMP/run-$J_RUN.out"
    grep -q "^  \"status\": \"ok\"" "$TMP/run/run_summary.json" 2>/dev/null \
        && ok "run.slurm: run_summary.json status ok" || bad "run.slurm: run_summary.json" "$TMP/run-$J_RUN.out"
    grep -q "srun\|tasks" "$TMP/run-$J_RUN.out" && grep -q "on 2 ranks" "$TMP/run-$J_RUN.out" \
        && ok "run.slurm: phonograph ran on 2 ranks" || bad "run.slurm: not on 2 ranks" "$TMP/run-$J_RUN.out"
else bad "run.slurm job ${J_RUN:-?} did not finish in ${JOB_TIMEOUT}s" "$TMP/run-$J_RUN.out"; fi

# ---- restart cap (PG_MAX_RESTARTS) and a time limit inside the margin ------------------------
if [ -n "$J_CAP" ] && wait_gone "$J_CAP"; then
    out=$TMP/run_cap-$J_CAP.out
    n_start=$(grep -c "^job $J_CAP (restart" "$out")
    n_rq=$(grep -c "stopped at a safe point: requeueing job $J_CAP" "$out")
    [ "$n_start" = 3 ] && [ "$n_rq" = 2 ] && grep -q "already requeued 2 times (PG_MAX_RESTARTS=2): not requeueing" "$out" \
        && ok "restart cap: 3 attempts, 2 requeues, then stopped with the PG_MAX_RESTARTS message" \
        || bad "restart cap: $n_start attempts, $n_rq requeues" "$out"
    s=$(final_state "$J_CAP")
    [ "$s" = FAILED ] && ok "restart cap: job $J_CAP ends FAILED" || bad "restart cap: final state '$s'" "$out"
    if [ "$ACCT" = 1 ]; then
        all=$(states "$J_CAP" | tr '\n' ' ')
        ec=$(sacct -n -X -P -j "$J_CAP" -o ExitCode 2>/dev/null | tail -n 1)
        [ "$(grep -o REQUEUED <<<"$all" | wc -l)" = 2 ] && [ "$ec" = 7:0 ] \
            && ok "restart cap: sacct REQUEUED twice, then exit code 7 ($all)" || bad "restart cap: sacct '$all' exit '$ec'" "$out"
    fi
else bad "restart cap: job ${J_CAP:-?} did not end in ${JOB_TIMEOUT}s (requeueing forever?)" "$TMP/run_cap-$J_CAP.out"; fi
if [ -n "$J_MARGIN" ] && wait_gone "$J_MARGIN"; then
    out=$TMP/run_margin-$J_MARGIN.out
    s=$(final_state "$J_MARGIN")
    [ "$s" = FAILED ] && grep -q "less than PG_END_MARGIN=600 s" "$out" && [ ! -e "$TMP/run_margin" ] \
        && [ "$(grep -c "^job $J_MARGIN (restart" "$out")" = 1 ] \
        && ok "time limit inside PG_END_MARGIN: refused at start (FAILED, message, not requeued, phonograph not run)" \
        || bad "time limit inside PG_END_MARGIN: state '$s'" "$out"
else bad "margin job ${J_MARGIN:-?} did not end in ${JOB_TIMEOUT}s" "$TMP/run_margin-$J_MARGIN.out"; fi

# ---- produce.slurm: uninterrupted reference, then the requeued one ----------------------------
if [ "$HAVE_SAMPLE" = 0 ]; then
    echo "#####################################################################################"
    echo "## SKIPPED: produce.slurm not tested: $PHONOGRAPH has no 'sample' subcommand"
    echo "#####################################################################################"
elif [ -n "$J_REF" ] && wait_gone "$J_REF"; then
    s=$(final_state "$J_REF")
    [ "$s" = COMPLETED ] && ok "produce.slurm (no budget) job $J_REF COMPLETED" || bad "produce.slurm reference job state '$s'" "$TMP/produce_ref-$J_REF.out"
else bad "produce.slurm reference job did not finish" "$TMP/produce_ref-$J_REF.out"; fi
if [ "$HAVE_SAMPLE" = 0 ]; then :
elif [ -n "$J_PROD" ] && wait_gone "$J_PROD"; then
    all=$(states "$J_PROD" | tr '\n' ' ')
    n_rq=$(grep -o REQUEUED <<<"$all" | wc -l)
    last=$(final_state "$J_PROD")
    if [ "$ACCT" = 1 ]; then
        [ "$n_rq" -ge 1 ] && [ "$last" = COMPLETED ] \
            && ok "produce.slurm job $J_PROD: REQUEUED $n_rq times, then COMPLETED (sacct: $all)" \
            || bad "produce.slurm job $J_PROD states: $all" "$TMP/produce-$J_PROD.out"
    else
        [ "$last" = COMPLETED ] && ok "produce.slurm job $J_PROD COMPLETED (no sacct: requeues from the log)" \
            || bad "produce.slurm job $J_PROD state '$last'" "$TMP/produce-$J_PROD.out"
    fi
    n_stop=$(grep -c "stopped at a safe point: requeueing" "$TMP/produce-$J_PROD.out")
    n_start=$(grep -c "^job $J_PROD (restart" "$TMP/produce-$J_PROD.out")
    # 3 task-farm epochs: one per attempt, and a last attempt that finds everything done
    [ "$n_stop" -ge 1 ] && [ "$n_start" = $((n_stop + 1)) ] && grep -q "phonograph finished" "$TMP/produce-$J_PROD.out" \
        && ok "produce.slurm: $n_stop stops with exit 7 + requeue, $n_start attempts, then finished" \
        || bad "produce.slurm: $n_stop stops, $n_start attempts" "$TMP/produce-$J_PROD.out"
    if $PY test/slurm/compare_h5.py "$TMP/produce_ref/dataset.h5" "$TMP/produce/dataset.h5" \
    --ignore /provenance/deck_path /provenance/deck_text > "$TMP/cmp_prod.out" 2>&1
    then ok "requeued dataset equals the uninterrupted one ($(tail -n 1 "$TMP/cmp_prod.out"))"
    else bad "requeued dataset differs from the uninterrupted one" "$TMP/cmp_prod.out"; fi
    $PY - "$TMP/produce/dataset.h5" > "$TMP/mask.out" 2>&1 <<'EOF'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
done = np.asarray(f["completed"][()]).astype(bool)
e = np.asarray(f["labels/energy"][()])
print(f"{done.sum()}/{done.size} completed, energies finite: {np.isfinite(e).all()}")
sys.exit(0 if done.all() and done.size == 6 and np.isfinite(e).all() else 1)
EOF
    [ $? = 0 ] && ok "requeued dataset complete: $(cat "$TMP/mask.out")" || bad "requeued dataset incomplete" "$TMP/mask.out"
else bad "produce.slurm job ${J_PROD:-?} did not finish in ${JOB_TIMEOUT}s" "$TMP/produce-$J_PROD.out"; fi

# ---- train.slurm ----------------------------------------------------------------------------
if [ -n "$J_TRAIN" ] && wait_gone "$J_TRAIN"; then
    s=$(final_state "$J_TRAIN")
    [ "$s" = COMPLETED ] && ok "train.slurm job $J_TRAIN COMPLETED" || bad "train.slurm job state '$s'" "$TMP/train-$J_TRAIN.out"
    if $PY test/slurm/compare_h5.py "$TMP/train_mpirun/gnn_model.h5" "$TMP/train/gnn_model.h5" --ignore /deck > "$TMP/cmp_train.out" 2>&1
    then ok "train.slurm model equals mpirun's ($(tail -n 1 "$TMP/cmp_train.out"))"
    else bad "train.slurm model differs from mpirun's" "$TMP/cmp_train.out"; fi
else bad "train.slurm job ${J_TRAIN:-?} did not finish" "$TMP/train-$J_TRAIN.out"; fi

# SIGTERM while training (as --signal=TERM@120 sends before the limit): stop at an epoch end,
# exit 7, requeue. The job is long (100000 epochs), so the signal surely lands mid-run.
J_SIG=$(submit train_sig jobscripts/train.slurm "$TMP/train_sig.deck")
t=$(( $(date +%s) + 120 ))
until grep -q "epoch *2 " "$TMP/train_sig/phonograph.log" 2>/dev/null || [ "$(date +%s)" -gt "$t" ]; do sleep 0.5; done
scancel --signal=TERM "$J_SIG"
t=$(( $(date +%s) + 60 ))
until grep -q "requeueing\|failed" "$TMP/train_sig-$J_SIG.out" 2>/dev/null || [ "$(date +%s)" -gt "$t" ]; do sleep 0.5; done
sleep 2
grep -q "stopped at a safe point: requeueing" "$TMP/train_sig-$J_SIG.out" && grep -q "training stopped after epoch" "$TMP/train_sig-$J_SIG.out" \
    && ok "scancel --signal=TERM: training stopped at an epoch end, exit 7, job requeued" \
    || bad "SIGTERM to a training job" "$TMP/train_sig-$J_SIG.out"
if [ "$ACCT" = 1 ]; then
    s=$(sacct -n -X -D -P -j "$J_SIG" -o State | head -n 1)
    [ "$s" = REQUEUED ] && ok "sacct: signalled training attempt REQUEUED" || bad "sacct state of the signalled attempt: '$s'"
fi
scancel "$J_SIG"

# ---- dft_array.slurm ------------------------------------------------------------------------
if [ -n "$J_DFT" ] && wait_gone "$J_DFT"; then
    if [ "$ACCT" = 1 ]; then
        s=$(sacct -n -X -P -j "$J_DFT" -o JobID,State | sort | tr '\n' ' ')
        [ "$(grep -o COMPLETED <<<"$s" | wc -l)" = 3 ] && ok "dft_array.slurm: 3 array tasks COMPLETED ($s)" \
            || bad "dft_array.slurm states: $s" "$TMP/dft-${J_DFT}_0.out"
    fi
    n=$(ls "$TMP"/export/config_*/vasprun.xml 2>/dev/null | wc -l)
    [ "$n" = 3 ] && [ "$(wc -l < "$TMP/export/ran.txt")" = 3 ] && ok "dft_array.slurm: each configuration computed once" \
        || bad "dft_array.slurm: $n vasprun.xml" "$TMP/export/ran.txt"
    J2=$(submit dft2 --array=0-2 jobscripts/dft_array.slurm "$TMP/export")
    if wait_gone "$J2" && [ "$(wc -l < "$TMP/export/ran.txt")" = 3 ] && grep -q "skipping" "$TMP"/dft2-*.out 2>/dev/null; then
        ok "dft_array.slurm resubmitted: finished configurations skipped"
    else bad "dft_array.slurm resubmission" "$TMP/export/ran.txt"; fi
else bad "dft_array.slurm job ${J_DFT:-?} did not finish"; fi

echo "     check-slurm took $(( $(date +%s) - T0 )) s"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
