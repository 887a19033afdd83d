/* test_fdfc_ranks.c - finite-displacement force constants distributed over the ranks of comm
 * are bitwise identical to the same computation on one rank (MPI_COMM_SELF), hence identical at
 * np 1, 2, 4; they also match phonopy's file (../shared/physics/phonopy) to 1e-7 relative.
 * A potential input error on the displaced supercells reaches every rank. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_fdfc.h"
#include "phonograph/pg_par.h"
#include "phonograph/pg_poscar.h"
#include "phonograph/pg_supercell.h"

int main(int argc, char **argv)
{
    MPI_Comm comm;
    if (pg_par_init(&argc, &argv, &comm) != PG_OK) return 1;
    pg_mpitest_t t;
    pg_mpitest_begin(&t, comm);
    pg_cell_t unit = {0};
    pg_supercell_t sc = {0};
    pg_fc_t fc = {0}, serial = {0}, ref = {0};
    pg_potential_t *pot = NULL;
    pg_potential_opts_t o;
    pg_potential_opts_default(&o);
    pg_status_t st = pg_potential_create(&o, &pot);
    pg_mpitest_check(&t, st == PG_OK, "potential", NULL);
    st = pg_poscar_read(comm, pg_test_path(pg_test_shared_dir(), "physics/structures/POSCAR_Ag3SeBr"), &unit);
    pg_mpitest_check(&t, st == PG_OK, "read POSCAR", "%s", pg_err_message());
    const int dim[3] = {2, 2, 2};
    if (st == PG_OK) st = pg_supercell_build_diag(&unit, dim, 1e-5, &sc);
    pg_mpitest_check(&t, st == PG_OK, "supercell", NULL);

    pg_fdfc_info_t info = {0};
    st = pg_fdfc_compute(comm, pot, &sc.cell, 0.01, 1e-5, &fc, &info);
    pg_mpitest_check(&t, st == PG_OK, "distributed FD force constants", "%s", pg_err_message());
    pg_status_t st1 = pg_fdfc_compute(MPI_COMM_SELF, pot, &sc.cell, 0.01, 1e-5, &serial, NULL);
    pg_mpitest_check(&t, st1 == PG_OK, "serial FD force constants", "%s", pg_err_message());
    const size_t bytes = sizeof(double[3][3]) * (size_t)(sc.cell.n_atom * sc.cell.n_atom);
    pg_mpitest_check(&t, st == PG_OK && st1 == PG_OK && memcmp(fc.phi, serial.phi, bytes) == 0,
                     "bitwise equal to the one-rank result", NULL);
    pg_mpitest_check(&t, info.n_disp == 3 && info.n_indep == 3, "3 displacements", "n_disp %lld",
                     (long long)info.n_disp);

    st = pg_fc_read_hdf5(pg_test_path(pg_test_shared_dir(), "physics/phonopy/Ag3SeBr_2x2x2_force_constants.hdf5"),
                         sc.cell.n_atom, &ref);
    int ok = st == PG_OK && fc.phi;
    double maxd = 0, scale = 0;
    for (int64_t r = 0; ok && r < ref.n_row; r++)
        for (int64_t j = 0; j < ref.n_super; j++)
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++) {
                    maxd = fmax(maxd, fabs(pg_fc_block(&fc, ref.p2s[r], j)[a][b] - pg_fc_block(&ref, r, j)[a][b]));
                    scale = fmax(scale, fabs(pg_fc_block(&ref, r, j)[a][b]));
                }
    pg_mpitest_check(&t, ok && maxd < 1e-7 * scale, "matches phonopy's force constants",
                     "max |dPhi| %.3g (scale %.3g)", maxd, scale);

    /* an atom pushed onto another in the supercell: every rank reports the potential's error */
    pg_cell_t bad = {0};
    pg_cell_copy(&bad, &sc.cell);
    for (int b = 0; b < 3; b++) bad.pos[1][b] = bad.pos[0][b] + (b == 0 ? 0.5 : 0.0);
    pg_fc_t none = {0};
    st = pg_fdfc_compute(comm, pot, &bad, 0.01, 1e-3, &none, NULL);
    pg_mpitest_check(&t, st == PG_ERR_INPUT && strstr(pg_err_message(), "apart") && !none.phi,
                     "input error agreed on every rank", "st %d: %s", (int)st, pg_err_message());
    pg_err_clear();
    pg_cell_free(&bad);

    pg_fc_free(&fc);
    pg_fc_free(&serial);
    pg_fc_free(&ref);
    pg_supercell_free(&sc);
    pg_cell_free(&unit);
    pg_potential_destroy(&pot);
    int rc = pg_mpitest_end(&t);
    pg_par_finalize(&comm);
    return rc;
}
