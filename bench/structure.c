/* structure.c - time supercell construction, symmetry search and atom maps (permutations).
 * Usage: structure <POSCAR> <n> <reps>  (n x n x n supercell). Prints one line of seconds per
 * repetition (best of reps): supercell, symmetry, atom_map. Peer: bench/structure.sh. */
#include <stdio.h>
#include <stdlib.h>

#include "phonograph/pg_par.h"
#include "phonograph/pg_poscar.h"
#include "phonograph/pg_supercell.h"
#include "phonograph/pg_symmetry.h"

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s POSCAR n reps\n", argv[0]);
        return 2;
    }
    MPI_Comm comm;
    if (pg_par_init(&argc, &argv, &comm) != PG_OK) return 1;
    const int n = atoi(argv[2]), reps = atoi(argv[3]);
    pg_cell_t unit;
    if (pg_poscar_read(comm, argv[1], &unit) != PG_OK) {
        pg_err_print(stderr, "");
        return 1;
    }
    double best[3] = {1e30, 1e30, 1e30};
    int64_t n_atom = 0;
    int n_ops = 0;
    for (int r = 0; r < reps; r++) {
        pg_supercell_t sc;
        pg_symmetry_t sym;
        double t0 = pg_par_wtime();
        if (pg_supercell_build_diag(&unit, (int[3]){n, n, n}, 1e-5, &sc) != PG_OK) return 1;
        double t1 = pg_par_wtime();
        if (pg_symmetry_find(&sc.cell, 1e-5, &sym) != PG_OK) return 1;
        double t2 = pg_par_wtime();
        int64_t *map = malloc(sizeof *map * (size_t)sym.n_ops * (size_t)sc.cell.n_atom);
        if (!map || pg_symmetry_atom_map(&sc.cell, &sym, 1e-5, map) != PG_OK) return 1;
        double t3 = pg_par_wtime();
        const double t[3] = {t1 - t0, t2 - t1, t3 - t2};
        for (int k = 0; k < 3; k++) best[k] = t[k] < best[k] ? t[k] : best[k];
        n_atom = sc.cell.n_atom;
        n_ops = sym.n_ops;
        free(map);
        pg_symmetry_free(&sym);
        pg_supercell_free(&sc);
    }
    printf("%lld %d %.3e %.3e %.3e\n", (long long)n_atom, n_ops, best[0], best[1], best[2]);
    pg_cell_free(&unit);
    pg_par_finalize(&comm);
    return 0;
}
