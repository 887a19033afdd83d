# Sourced by phonograph's SLURM jobscripts: environment, launcher and wall-time hand-off.
#   PHONOGRAPH   the executable (default: build/phonograph of the submit directory)
#   PG_LAUNCH    how to start MPI ranks (default: srun --mpi=pmix inside SLURM, else mpirun)
#   PG_END_TIME  exported for phonograph: the job's end time (epoch seconds) minus PG_END_MARGIN
#                (default 180 s), so that phonograph stops at a safe point before SLURM kills
#                it even without --signal; the farm and the trainer check between epochs, so
#                the margin should exceed one epoch (one task-farm epoch, one training epoch)
#   PG_ROOT      the phonograph checkout holding jobscripts/ and build/ (default: the submit
#                directory, i.e. submit from the repository root or set PG_ROOT)
#   PG_MAX_RESTARTS  requeue after a stop (exit 7) only while SLURM_RESTART_COUNT is below this
#                (default 50): a job that keeps stopping without finishing ends, FAILED with exit
#                code 7 and a message, instead of requeueing forever; resubmit to continue
# A job whose time limit is not longer than PG_END_MARGIN would stop at once on every attempt:
# it is refused at start (exit 2) with a message naming both numbers.
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
    if [ -n "${PG_END_TIME:-}" ] && [ "$PG_END_TIME" -le "$(date +%s)" ]; then
        echo "error: job ${SLURM_JOB_ID} ends at $end, less than PG_END_MARGIN=${PG_END_MARGIN:-180} s" \
             "after it started: phonograph would stop at once on every attempt; give the job" \
             "more --time than the margin (or a smaller PG_END_MARGIN)" >&2
        exit 2
    fi
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
# requeue_or_finish RC: 0 -> done; 7 -> requeue this job (it resumes where it stopped) unless
# PG_MAX_RESTARTS requeues were done already (then exit 7: FAILED, resumable); else fail
requeue_or_finish() {
    case $1 in
    0) echo "phonograph finished"; exit 0 ;;
    7) if [ -n "${SLURM_JOB_ID:-}" ]; then
           local n=${SLURM_RESTART_COUNT:-0} max=${PG_MAX_RESTARTS:-50}
           if [ "$n" -ge "$max" ]; then
               echo "error: phonograph stopped at a safe point again, and job $SLURM_JOB_ID was" \
                    "already requeued $n times (PG_MAX_RESTARTS=$max): not requeueing; resubmit" \
                    "the same command to continue (completed work is kept), or raise PG_MAX_RESTARTS" >&2
               exit 7
           fi
           echo "phonograph stopped at a safe point: requeueing job $SLURM_JOB_ID (restart $((n + 1)) of at most $max)"
           scontrol requeue "$SLURM_JOB_ID" && exit 0
           echo "error: scontrol requeue $SLURM_JOB_ID failed; resubmit the same command to continue" >&2
           exit 7
       fi
       echo "phonograph stopped at a safe point: run the same command again to resume"; exit 7 ;;
    *) echo "phonograph failed with exit code $1" >&2; exit "$1" ;;
    esac
}
