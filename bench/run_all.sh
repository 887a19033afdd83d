#!/usr/bin/env bash
# Run every benchmark script bench/*.sh (each prints its own table and appends raw results
# under bench/results/). Env: BUILD (build dir). Benchmarks compare against peer codes run
# side by side in the same invocation and report ratios; they are never part of make check.
set -u
cd "$(dirname "$0")/.."
export BUILD=${BUILD:-build}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
mkdir -p bench/results
rc=0
for b in bench/*.sh; do
    [ "$(basename "$b")" = run_all.sh ] && continue
    if [ -n "${PG_BENCH_FILTER:-}" ] && [[ "$b" != *"$PG_BENCH_FILTER"* ]]; then continue; fi
    echo "== $b"
    bash "$b" || { echo "benchmark $b failed"; rc=1; }
done
exit $rc
