#!/usr/bin/env bash
# bench/sample.sh - sampling and dataset writing, side by side with the peers:
#  1. 1,000 configurations of a 432-atom supercell (NaCl 3x3x6 conventional, model FCs from
#     bench/sample_fc.py) at 300 K, quantum, vs phonopy 2.17 generate_displacements
#     (/usr/bin/python3; its clock covers set-up incl. its commensurate-q diagonalisation +
#     snapshots, not the FC read). Ratio = phonopy / phonograph, three ways:
#     - sampling only: build/bench/sample_bench (in-process, no mpirun/HDF5): set-up of the
#       q-space sampler (54 commensurate D(q), 24x24) + 1000 draws; it also times the old
#       supercell-Gamma construction (1296x1296 dsyevd + O(n_mode^2) per draw) for reference;
#     - farm: phonograph sample's task farm (sampling + collective HDF5 writes);
#     - whole command: mpirun -np 1 phonograph sample (mpirun start-up ~0.4 s, deck, POSCAR and
#       FC read, sampler set-up, farm, HDF5 file, run summary; graphs = false: phonopy builds
#       none either).
#  2. Parallel HDF5 write bandwidth (bench/h5_rows_bench.c: 2 ranks, collective row writes through
#     pg_h5, 1 GiB, until H5Fclose and until fsync) vs dd (1 GiB, bs=1M, with conv=fdatasync and
#     without) into the same directory.
#  3. Whole-stage throughput (sample + embedded labeler PRV-CAP-1 + TB) on Ag3SBr 2x2x2,
#     400 configurations at 300 K, at 1 and 2 ranks (configurations/s of the task farm).
# Numbers go to stdout; docs/performance.md "## Sampling and dataset" records a run.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build}
PG_BIN=$ROOT/$BUILD/phonograph
PY=/usr/bin/python3
SHARED=${PG_SHARED:-$(cd .. && pwd)/shared}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
MPIRUN=${MPIRUN:-mpirun --oversubscribe}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pgbench_sample.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
now() { date +%s.%N; }

echo "== 1. sampling 1000 configurations of 432 atoms at 300 K =="
$PY bench/sample_fc.py "$TMP/fc" > /dev/null
cat > "$TMP/s432.deck" <<DECK
[run]
output_dir = $TMP/out432
seed = 1
[structure]
unitcell = $TMP/fc/POSCAR
supercell = 3 3 6
[sample]
force_constants = $TMP/fc/force_constants.hdf5
temperatures = 300
configurations = 1000
labeler = none
graphs = false
batch = 25
DECK
best_pg=1e9; best_farm=1e9; best_py=1e9; best_sq=1e9; best_sg=1e9
for rep in 1 2 3; do
    if [ -x "$BUILD/bench/sample_bench" ]; then
        "$BUILD/bench/sample_bench" "$TMP/fc/POSCAR" "$TMP/fc/force_constants.hdf5" 3 3 6 1000 300 > "$TMP/sb.out" || { cat "$TMP/sb.out"; exit 1; }
        sq=$(awk '/^qspace_setup_s/{a=$2} /^qspace_draw_s/{b=$2} END{print a + b}' "$TMP/sb.out")
        sg=$(awk '/^gamma_setup_s/{a=$2} /^gamma_draw_s/{b=$2} END{print a + b}' "$TMP/sb.out")
        printf 'rep %d: sampling only: q-space %.3f s (%s), supercell-Gamma %.3f s (%s)\n' $rep "$sq" \
            "$(awk '/^qspace/{printf "%s %s ", $1, $2}' "$TMP/sb.out")" "$sg" "$(awk '/^gamma/{printf "%s %s ", $1, $2}' "$TMP/sb.out")"
        best_sq=$(awk -v a="$sq" -v b="$best_sq" 'BEGIN{print (a < b ? a : b)}')
        best_sg=$(awk -v a="$sg" -v b="$best_sg" 'BEGIN{print (a < b ? a : b)}')
    fi
    rm -rf "$TMP/out432"
    t0=$(now); $MPIRUN -np 1 "$PG_BIN" sample "$TMP/s432.deck" > "$TMP/pg.out" 2>&1 || { cat "$TMP/pg.out"; exit 1; }; t1=$(now)
    t=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}'); farm=$(sed -n 's/.*configurations: .* done in \([0-9.]*\) s.*/\1/p' "$TMP/pg.out" | tail -1)
    py=$($PY bench/sample_phonopy.py "$TMP/fc" 1000 300 2>/dev/null | sed -n 's/phonopy_seconds //p')
    printf 'rep %d: phonograph %.3f s (farm %.3f s), phonopy %.3f s\n' $rep "$t" "$farm" "$py"
    best_pg=$(awk -v a="$t" -v b="$best_pg" 'BEGIN{print (a < b ? a : b)}')
    best_farm=$(awk -v a="$farm" -v b="$best_farm" 'BEGIN{print (a < b ? a : b)}')
    best_py=$(awk -v a="$py" -v b="$best_py" 'BEGIN{print (a < b ? a : b)}')
done
printf 'best of 3: phonograph %.3f s (command, incl. mpirun start-up), farm %.3f s, sampling only %.3f s (supercell-Gamma %.3f s); phonopy %.3f s\n' "$best_pg" "$best_farm" "$best_sq" "$best_sg" "$best_py"
awk -v py="$best_py" -v pg="$best_pg" -v fa="$best_farm" -v sq="$best_sq" -v sg="$best_sg" \
    'BEGIN{printf "ratio phonopy/phonograph: %.1fx (sampling only, q-space), %.1fx (sampling only, old supercell-Gamma), %.2fx (farm: sampling+writing), %.2fx (whole command)\n", py/sq, py/sg, py/fa, py/pg}'

echo "== 2. parallel HDF5 write vs dd (same directory, 1 GiB) =="
if [ -x "$BUILD/bench/h5_rows_bench" ]; then
    $MPIRUN -np 2 "$BUILD/bench/h5_rows_bench" "$TMP/rows.h5" 1024 | tail -3
    rm -f "$TMP/rows.h5"
fi
dd if=/dev/zero of="$TMP/dd.bin" bs=1M count=1024 2>&1 | tail -1 | sed 's/^/dd (page cache): /'
rm -f "$TMP/dd.bin"
dd if=/dev/zero of="$TMP/dd.bin" bs=1M count=1024 conv=fdatasync 2>&1 | tail -1 | sed 's/^/dd conv=fdatasync: /'
rm -f "$TMP/dd.bin"

echo "== 3. whole stage (sample + embedded labeler), Ag3SBr 2x2x2, 400 configurations =="
for np in 1 2; do
    cat > "$TMP/st$np.deck" <<DECK
[run]
output_dir = $TMP/st$np
seed = 1
[structure]
unitcell = $ROOT/inputs/Ag3SBr/POSCAR
supercell = 2 2 2
[sample]
force_constants = $SHARED/physics/phonopy/Ag3SBr_2x2x2_force_constants.hdf5
temperatures = 300
configurations = 400
DECK
    $MPIRUN -np $np "$PG_BIN" sample "$TMP/st$np.deck" > "$TMP/st$np.out" 2>&1 || { cat "$TMP/st$np.out"; exit 1; }
    sed -n 's/.*configurations: \([0-9]*\) done in \([0-9.]*\) s.*/\1 \2/p' "$TMP/st$np.out" | tail -1 |
        awk -v np=$np '{printf "np %d: %d configurations in %.3f s = %.1f configurations/s\n", np, $1, $2, $1/$2}'
done
