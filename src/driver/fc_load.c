/* fc_load.c - force constants for a supercell from a file: one reader for the phonons and the
 * sample stages (compact rows checked against the cell's atoms, optional expansion to full). */
#include "driver/fc_load.h"

#include <stdlib.h>
#include <string.h>

#include "phonograph/pg_par.h"

pg_status_t fc_load_supercell_frac(const pg_supercell_t *sc, double (*frac)[3])
{
    double inv[3][3];
    PG_CHECK(pg_mat3_inverse(sc->cell.lattice, inv));
    for (int64_t k = 0; k < sc->cell.n_atom; k++)
        pg_cell_cart_to_frac(inv, sc->cell.pos[k], frac[k]);
    return PG_OK;
}

pg_status_t fc_load_file(const char *path, const char *fmt, const pg_supercell_t *sc, int64_t n_p,
                         const int64_t *p2s, const char *what, const int64_t *s2p, pg_fc_t *fc)
{
    pg_status_t st = PG_OK;
    pg_fc_t raw = {0};
    double(*frac)[3] = NULL;
    const int64_t ns = sc->cell.n_atom;
    memset(fc, 0, sizeof *fc);
    PG_TRY(pg_fc_read(path, fmt, ns, &raw));
    if (!pg_fc_is_full(&raw)) {
        int ok = raw.n_row == n_p;
        for (int64_t r = 0; ok && r < n_p; r++) ok = raw.p2s[r] == p2s[r];
        PG_TRY_REQUIRE(ok, PG_ERR_INPUT,
                       "%s: compact force constants with %lld rows (first row atom %lld) do not "
                       "match the %s (%lld atoms, first %lld; phonopy order): give full force "
                       "constants or the matching cell",
                       path, (long long)raw.n_row, (long long)(raw.n_row ? raw.p2s[0] + 1 : 0),
                       what, (long long)n_p, (long long)(n_p ? p2s[0] + 1 : 0));
        if (s2p) {
            PG_TRY_CALLOC(frac, ns, "fractional positions");
            PG_TRY(fc_load_supercell_frac(sc, frac));
            PG_TRY(pg_fc_to_full(&raw, (const double(*)[3])frac, s2p, 1e-5, fc));
            goto cleanup;
        }
    }
    *fc = raw;
    memset(&raw, 0, sizeof raw);
cleanup:
    pg_fc_free(&raw);
    free(frac);
    return st;
}

pg_status_t fc_load_bcast(MPI_Comm comm, pg_fc_t *fc)
{
    int64_t dims[2] = {fc->n_row, fc->n_super};
    PG_CHECK(pg_par_bcast(comm, 0, dims, sizeof dims));
    pg_status_t st = PG_OK;
    if (pg_par_rank(comm) != 0) st = pg_fc_init(fc, dims[0], dims[1]);
    PG_CHECK(pg_par_agree(comm, &st));
    if (st != PG_OK) return st;
    PG_CHECK(pg_par_bcast(comm, 0, fc->p2s, sizeof(int64_t) * (size_t)dims[0]));
    PG_CHECK(pg_par_bcast(comm, 0, fc->phi, sizeof(double[3][3]) * (size_t)(dims[0] * dims[1])));
    return PG_OK;
}

pg_status_t fc_load_write_run_file(MPI_Comm comm, const char *out_dir, const pg_supercell_t *sc,
                                   const int64_t *s2p, const pg_fc_t *fc, char *path, size_t cap)
{
    pg_status_t st = PG_OK;
    pg_fc_t full = {0};
    double(*frac)[3] = NULL;
    const int n = snprintf(path, cap, "%s/%s", out_dir, PG_RUN_FC_FILE);
    PG_REQUIRE(n > 0 && (size_t)n < cap, PG_ERR_INPUT, "output path too long: %s", out_dir);
    if (pg_par_rank(comm) == 0) {
        const pg_fc_t *w = fc;
        if (!pg_fc_is_full(fc)) {
            PG_TRY_CALLOC(frac, sc->cell.n_atom, "fractional positions");
            PG_TRY(fc_load_supercell_frac(sc, frac));
            PG_TRY(pg_fc_to_full(fc, (const double(*)[3])frac, s2p, 1e-5, &full));
            w = &full;
        }
        PG_TRY(pg_fc_write_hdf5(path, w));
    }
cleanup:
    pg_fc_free(&full);
    free(frac);
    PG_CHECK(pg_par_agree(comm, &st));
    return st;
}
