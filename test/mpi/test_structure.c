/* test_structure.c - POSCAR read (rank 0 reads, all parse) and symmetry broadcast at any rank
 * count: every rank must hold exactly what a local search gives. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_par.h"
#include "phonograph/pg_extxyz.h"
#include "phonograph/pg_poscar.h"
#include "phonograph/pg_symmetry.h"

static int same_cell(const pg_cell_t *a, const pg_cell_t *b)
{
    size_t n = (size_t)a->n_atom;
    return a->n_atom == b->n_atom && !memcmp(a->lattice, b->lattice, sizeof a->lattice) &&
           !memcmp(a->pos, b->pos, n * sizeof *a->pos) && !memcmp(a->z, b->z, n * sizeof *a->z) &&
           !memcmp(a->mass, b->mass, n * sizeof *a->mass);
}

int main(int argc, char **argv)
{
    MPI_Comm comm;
    if (pg_par_init(&argc, &argv, &comm) != PG_OK) return 1;
    pg_mpitest_t t;
    pg_mpitest_begin(&t, comm);
    const int rank = pg_par_rank(comm);
    const char *path = pg_test_path(pg_test_shared_dir(), "reference/phonopy/NaCl/POSCAR-unitcell");

    pg_cell_t cell;
    pg_status_t st = pg_poscar_read(comm, path, &cell);
    pg_mpitest_check(&t, st == PG_OK && cell.n_atom == 8, "poscar_read on every rank", "st=%d %s",
                     (int)st, pg_err_message());

    /* a malformed file fails identically everywhere (no hang, same path:line message) */
    pg_cell_t bad;
    st = pg_poscar_read(comm, "test/data/poscar_bad/unknown_species.vasp", &bad);
    pg_mpitest_check(&t, st == PG_ERR_INPUT && strstr(pg_err_message(), "unknown_species.vasp:6:"),
                     "poscar_read error on every rank", "st=%d '%s'", (int)st, pg_err_message());
    pg_err_clear();

    pg_symmetry_t sym, local;
    memset(&sym, 0, sizeof sym);
    st = PG_OK;
    if (rank == 0) st = pg_symmetry_find(&cell, 1e-5, &sym);
    pg_par_agree(comm, &st);
    if (st == PG_OK) st = pg_symmetry_bcast(comm, 0, &sym);
    pg_mpitest_check(&t, st == PG_OK && sym.n_ops == 192 && sym.spacegroup_number == 225,
                     "bcast: Fm-3m with 192 ops", "st=%d n_ops=%d", (int)st, sym.n_ops);
    int ok = pg_symmetry_find(&cell, 1e-5, &local) == PG_OK && local.n_ops == sym.n_ops &&
             local.n_atom == sym.n_atom;
    if (ok) {
        size_t no = (size_t)sym.n_ops, na = (size_t)sym.n_atom;
        ok = !memcmp(local.rotations, sym.rotations, no * sizeof *sym.rotations) &&
             !memcmp(local.translations, sym.translations, no * sizeof *sym.translations) &&
             !memcmp(local.wyckoffs, sym.wyckoffs, na) &&
             !memcmp(local.site_symmetry, sym.site_symmetry, na * sizeof *sym.site_symmetry) &&
             !memcmp(local.equivalent_atoms, sym.equivalent_atoms, na * sizeof(int)) &&
             !memcmp(local.mapping_to_primitive, sym.mapping_to_primitive, na * sizeof(int)) &&
             !strcmp(local.international, sym.international) &&
             !strcmp(local.schoenflies, sym.schoenflies) &&
             same_cell(&local.primitive, &sym.primitive) &&
             same_cell(&local.conventional, &sym.conventional);
    }
    pg_mpitest_check(&t, ok, "bcast equals a local search bitwise", NULL);

    /* extxyz: rank 0 reads, all parse; every rank holds the same numbers (sum over ranks of
     * checksum is the same: min == max over ranks) */
    pg_extxyz_frame_t *fr = NULL;
    int64_t nf = 0;
    st = pg_extxyz_read(comm, "test/data/extxyz/ase_written.xyz", &fr, &nf);
    double sum = 0.0;
    for (int64_t k = 0; st == PG_OK && k < nf; k++) {
        sum += fr[k].energy_ev + fr[k].stress_gpa[0][1];
        for (int64_t i = 0; i < fr[k].cell.n_atom; i++) sum += fr[k].cell.pos[i][0] + fr[k].forces[i][2] * (double)(i + 1);
    }
    double lo = sum, hi = sum;
    pg_par_min_double(comm, &lo, 1);
    pg_par_max_double(comm, &hi, 1);
    pg_mpitest_check(&t, st == PG_OK && nf == 2 && lo == hi, "extxyz_read: same frames on every rank",
                     "st=%d n=%lld min %.17g max %.17g", (int)st, (long long)nf, lo, hi);
    pg_extxyz_frames_free(&fr, nf);

    pg_symmetry_free(&local);
    pg_symmetry_free(&sym);
    pg_cell_free(&cell);
    int rc = pg_mpitest_end(&t);
    pg_par_finalize(&comm);
    return rc;
}
