# Sourced by phonograph's SLURM jobscripts: environment, launcher and wall-time hand-off.
#   PHONOGRAPH   the executable (default: build/phonograph of the submit directory)
#   PG_LAUNCH    how to start MPI ranks (default: srun --mpi=pmix inside SLURM, else mpirun)
#   PG_END_TIME  exported for phonograph: the job's end time (epoch seconds) minus PG_END_MARGIN
#                (default 180 s), so that phonograph stops at a safe point before SLURM kills
#                it even without --signal; the farm and the trainer check between epochs, so
#                the margin should exceed one epoch (one task-farm epoch, one training epoch)
#   PG_ROOT      the phonograph checkout holding jobscripts/ and build/ (default: the submit
#                directory, i.e. submit from the repository root or set PG_ROOT)
# Exit code 7 from phonograph means "stopped at a safe point, resumable" (PG_ERR_INTERRUPTED).
export OPENBLAS_NUM_THREADS=1          # one BLAS thread per rank: ranks fill the cores
export OMP_NUM_THREADS=1
cd "${SLURM_SUBMIT_DIR:-.}"
PHONOGRAPH=${PHONOGRAPH:-${PG_ROOT:-$PWD}/build/phonograph}
[ -x "$PHONOGRAPH" ] || { echo "phonograph not found at $PHONOGRAPH (run make first)" >&2; exit 2; }
if [ -n "${SLURM_JOB_ID:-}" ]; then
    PG_LAUNCH=${PG_LAUNCH:-srun --mpi=pmix --cpu-bind=cores}
    end=$(squeue -h -j "$SLURM_JOB_ID" -o %e 2>/dev/null)
    if [ -n "$end" ] && [ "$end" != "N/A" ] && [ "$end" != "NONE" ]; then
        PG_END_TIME=$(date -d "$end" +%s 2>/dev/null) \
            && PG_END_TIME=$((PG_END_TIME - ${PG_END_MARGIN:-180})) && export PG_END_TIME
    fi
    echo "job ${SLURM_JOB_ID} (restart ${SLURM_RESTART_COUNT:-0}) on ${SLURM_JOB_NODELIST:-?}:" \
         "${SLURM_NTASKS:-1} tasks, ends ${end:-?}"
else
    PG_LAUNCH=${PG_LAUNCH:-mpirun -np ${NP:-2}}
fi
# run_phonograph ARGS...: launch, forward SIGTERM from the batch shell to the ranks, return rc
run_phonograph() {
    $PG_LAUNCH "$PHONOGRAPH" "$@" &
    local pid=$!
    trap 'kill -TERM $pid 2>/dev/null' TERM USR1
    wait $pid; local rc=$?
    # a trapped signal interrupts wait: wait again for the real exit status
    while kill -0 $pid 2>/dev/null; do wait $pid; rc=$?; done
    trap - TERM USR1
    return $rc
}
# requeue_or_finish RC: 0 -> done; 7 -> requeue this job (it resumes where it stopped); else fail
requeue_or_finish() {
    case $1 in
    0) echo "phonograph finished"; exit 0 ;;
    7) if [ -n "${SLURM_JOB_ID:-}" ]; then
           echo "phonograph stopped at a safe point: requeueing job $SLURM_JOB_ID"
           scontrol requeue "$SLURM_JOB_ID"; exit 0
       fi
       echo "phonograph stopped at a safe point: run the same command again to resume"; exit 7 ;;
    *) echo "phonograph failed with exit code $1" >&2; exit "$1" ;;
    esac
}
