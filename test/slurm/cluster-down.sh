#!/usr/bin/env bash
# Stop the test cluster of cluster-up.sh: cancel jobs, stop only the daemons whose pid files are
# under $PG_SLURM_DIR (checking /proc/<pid>/comm against pid reuse), remove the directory and our
# /etc/slurm/slurm.conf symlink. Idempotent.
set -uo pipefail
DIR=${PG_SLURM_DIR:-/tmp/pg-slurm}
export SLURM_CONF=$DIR/etc/slurm.conf
pid_of() { local p; [ -s "$1" ] && p=$(cat "$1") && [ -d /proc/$p ] && [ "$(cat /proc/$p/comm 2>/dev/null)" = "$2" ] && echo "$p"; }
stop_all() {
    local pids=() p spec
    for spec in "$@"; do set -- $spec; p=$(pid_of "$DIR/run/$1.pid" "$1") && { kill -TERM "$p"; pids+=("$p"); }; done
    for p in "${pids[@]}"; do
        for _ in $(seq 100); do [ -d /proc/$p ] || break; sleep 0.05; done
        [ -d /proc/$p ] && kill -KILL "$p"
    done
}
if [ -d "$DIR" ]; then
    if pid_of "$DIR/run/slurmctld.pid" slurmctld >/dev/null; then
        scancel --full --quiet --user=root 2>/dev/null || true
        for _ in $(seq 50); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.2; done
    fi
    stop_all slurmd slurmctld
    stop_all slurmdbd mariadbd munged
    for p in $(pgrep -x slurmstepd 2>/dev/null); do
        ls -l /proc/$p/fd 2>/dev/null | grep -q "$DIR/" && kill -KILL "$p"
    done
    rm -rf /tmp/spmix_appdir_0_* 2>/dev/null
    rm -rf "$DIR"
fi
if [ -L /etc/slurm/slurm.conf ] && [ "$(readlink /etc/slurm/slurm.conf)" = "$DIR/etc/slurm.conf" ]; then
    rm -f /etc/slurm/slurm.conf
fi
echo "[cluster-down] done"
