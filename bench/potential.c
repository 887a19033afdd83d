/* potential.c - time one PRV-CAP-1 evaluation (energy, forces, stress) and its parts.
 * Usage: potential <POSCAR> <reps> [cutoff_ewald_ang|-] [auto|ewald|pme] [accuracy]
 * Prints: n_atom n_edge n_kvec E/atom  t_total t_neighbor t_pairs t_recip (seconds) of the
 * fastest of reps evaluations; the parts come from the same evaluation (pg_potential_result_t
 * timers): neighbour list, pair loop (short range + real-space Ewald), reciprocal sum (Ewald or
 * PME; n_kvec = mesh points for PME), then method, PME order and mesh.
 * Peer and table: bench/potential.sh. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "phonograph/pg_par.h"
#include "phonograph/pg_poscar.h"
#include "phonograph/pg_potential.h"

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s POSCAR reps [cutoff_ewald]\n", argv[0]);
        return 2;
    }
    MPI_Comm comm;
    if (pg_par_init(&argc, &argv, &comm) != PG_OK) return 1;
    const int reps = atoi(argv[2]);
    pg_cell_t cell = {0};
    pg_potential_opts_t o;
    pg_potential_opts_default(&o);
    if (argc > 3 && argv[3][0] != '-') o.cutoff_ewald_ang = atof(argv[3]);
    if (argc > 4 && pg_coulomb_parse(argv[4], &o.coulomb) != PG_OK) {
        pg_err_print(stderr, "");
        return 2;
    }
    if (argc > 5) o.ewald_accuracy = atof(argv[5]);
    pg_potential_t *pot = NULL;
    if (pg_poscar_read(comm, argv[1], &cell) != PG_OK || pg_potential_create(&o, &pot) != PG_OK) {
        pg_err_print(stderr, "");
        return 1;
    }
    const int64_t n = cell.n_atom;
    double(*f)[3] = calloc((size_t)n, sizeof *f), best = 1e30;
    pg_potential_result_t r, rb = {0};
    for (int rep = 0; rep < reps; rep++) {
        const double t0 = pg_par_wtime();
        if (pg_potential_compute(pot, &cell, &r, f) != PG_OK) {
            pg_err_print(stderr, "");
            return 1;
        }
        const double t = pg_par_wtime() - t0;
        if (t < best) best = t, rb = r;
    }
    printf("%lld %lld %lld %.12f %.4e %.4e %.4e %.4e %s %d %dx%dx%d\n", (long long)n,
           (long long)rb.n_edge, (long long)rb.n_kvec, rb.energy / n, best, rb.t_neighbor_s,
           rb.t_pairs_s, rb.t_recip_s, rb.coulomb == PG_COULOMB_PME ? "pme" : "ewald",
           rb.pme_order, rb.pme_mesh[0], rb.pme_mesh[1], rb.pme_mesh[2]);
    free(f);
    pg_cell_free(&cell);
    pg_potential_destroy(&pot);
    pg_par_finalize(&comm);
    return 0;
}
