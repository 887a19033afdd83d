/* sampler_setup.c - the phonon sampler from a supercell and its force constants, on every rank:
 * the q-space construction (commensurate points of the supercell matrix w.r.t. the unit cell,
 * computed on rank 0 and broadcast) with the supercell-Gamma diagonalisation as the fallback. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phonograph/pg_dynmat.h"
#include "phonograph/pg_par.h"
#include "sample/sample_internal.h"

/* Broadcast the commensurate modes from root; the others allocate. Collective on comm. */
static pg_status_t qmodes_bcast(MPI_Comm comm, int root, pg_phonon_modes_t *m)
{
    pg_status_t st = PG_OK;
    int64_t dims[7] = {m->n_q, m->n_rep, m->n_ii, m->n_pair, m->n_p, m->n_band, m->n_s};
    PG_CHECK(pg_par_bcast(comm, root, dims, sizeof dims));
    const int64_t nr = dims[1], np = dims[4], nb = dims[5], ns = dims[6];
    if (pg_par_rank(comm) != root) {
        memset(m, 0, sizeof *m);
        m->n_q = dims[0], m->n_rep = nr, m->n_ii = dims[2], m->n_pair = dims[3];
        m->n_p = (int)np, m->n_band = (int)nb, m->n_s = ns;
        if (st == PG_OK) st = (m->q = calloc((size_t)nr, sizeof *m->q)) ? PG_OK : PG_ERR_NOMEM;
        if (st == PG_OK)
            st = (m->is_ii = calloc((size_t)nr, sizeof *m->is_ii)) ? PG_OK : PG_ERR_NOMEM;
        if (st == PG_OK)
            st = (m->freq_thz = calloc((size_t)(nr * nb), sizeof *m->freq_thz)) ? PG_OK
                                                                                : PG_ERR_NOMEM;
        if (st == PG_OK)
            st = (m->evec = calloc((size_t)(nr * nb * nb), sizeof *m->evec)) ? PG_OK : PG_ERR_NOMEM;
        if (st == PG_OK)
            st = (m->mass = calloc((size_t)np, sizeof *m->mass)) ? PG_OK : PG_ERR_NOMEM;
        if (st == PG_OK)
            st = (m->s2pp = calloc((size_t)ns, sizeof *m->s2pp)) ? PG_OK : PG_ERR_NOMEM;
        if (st == PG_OK)
            st = (m->pos_frac = calloc((size_t)ns, sizeof *m->pos_frac)) ? PG_OK : PG_ERR_NOMEM;
        if (st == PG_OK)
            st = (m->lat_frac = calloc((size_t)ns, sizeof *m->lat_frac)) ? PG_OK : PG_ERR_NOMEM;
        if (st != PG_OK)
            st = PG_ERR(PG_ERR_NOMEM, "commensurate modes of %lld atoms", (long long)ns);
    }
    PG_CHECK(pg_par_agree(comm, &st));
    if (st != PG_OK) return st;
    PG_CHECK(pg_par_bcast(comm, root, m->q, sizeof *m->q * (size_t)nr));
    PG_CHECK(pg_par_bcast(comm, root, m->is_ii, sizeof *m->is_ii * (size_t)nr));
    PG_CHECK(pg_par_bcast(comm, root, m->freq_thz, sizeof *m->freq_thz * (size_t)(nr * nb)));
    PG_CHECK(pg_par_bcast(comm, root, m->evec, sizeof *m->evec * (size_t)(nr * nb * nb)));
    PG_CHECK(pg_par_bcast(comm, root, m->mass, sizeof *m->mass * (size_t)np));
    PG_CHECK(pg_par_bcast(comm, root, m->s2pp, sizeof *m->s2pp * (size_t)ns));
    PG_CHECK(pg_par_bcast(comm, root, m->pos_frac, sizeof *m->pos_frac * (size_t)ns));
    PG_CHECK(pg_par_bcast(comm, root, m->lat_frac, sizeof *m->lat_frac * (size_t)ns));
    return PG_OK;
}

/* Rank 0: commensurate modes of the supercell w.r.t. its unit cell. */
static pg_status_t qmodes_compute(const pg_supercell_t *sc, const pg_fc_t *fc,
                                  pg_phonon_modes_t *pm, int smat[3][3])
{
    pg_status_t st = PG_OK;
    pg_primitive_t prim = {0};
    pg_dynmat_t *dm = NULL;
    const double ident[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    PG_TRY(pg_primitive_build(sc, ident, PG_SUPERCELL_SYMPREC, &prim));
    PG_TRY(pg_dynmat_create(&prim.cell, &sc->cell, prim.p2s, prim.s2pp, fc, PG_SUPERCELL_SYMPREC,
                            &dm));
    PG_TRY(pg_phonon_commensurate_modes(dm, (const int(*)[3])prim.smat, pm));
    memcpy(smat, prim.smat, sizeof(int[3][3]));
cleanup:
    pg_dynmat_destroy(&dm);
    pg_primitive_free(&prim);
    return st;
}

pg_status_t pg_sampler_create_phonon(MPI_Comm comm, const pg_supercell_t *sc, const pg_fc_t *fc,
                                     const pg_sample_opts_t *o, char *note, size_t note_cap,
                                     pg_sampler_t **out)
{
    pg_status_t st = PG_OK;
    pg_phonon_modes_t pm = {0};
    pg_modes_t modes = {0};
    int smat[3][3] = {{0}};
    const int rank = pg_par_rank(comm);
    *out = NULL;
    if (note && note_cap) note[0] = 0;
    if (rank == 0) st = qmodes_compute(sc, fc, &pm, smat);
    pg_status_t q_ok = st;
    PG_CHECK(pg_par_bcast(comm, 0, &q_ok, sizeof q_ok));
    if (q_ok == PG_OK) {
        PG_TRY(pg_par_bcast(comm, 0, smat, sizeof smat));
        PG_TRY(qmodes_bcast(comm, 0, &pm));
        st = pg_sampler_create_qspace(&sc->cell, &pm, (const int(*)[3])smat, o, out);
        pg_status_t agreed = st;
        PG_TRY(pg_par_agree(comm, &agreed));
        q_ok = agreed;
        if (q_ok == PG_OK) goto cleanup;
    }
    /* fallback: the supercell-Gamma diagonalisation, with the reason */
    if (note && note_cap) {
        const char *why = pg_err_message();
        snprintf(note, note_cap, "%s", why && why[0] ? why : "q-space construction failed");
        for (char *p = note; *p; p++)
            if (*p == '\n') *p = ' ';
    }
    pg_err_clear();
    pg_sampler_destroy(out);
    st = PG_OK;
    if (rank == 0) {
        if (!pg_fc_is_full(fc))
            st = PG_ERR(PG_ERR_INPUT,
                        "the supercell-Gamma phonon sampler needs full force "
                        "constants (the q-space path failed: %s)",
                        note ? note : "");
        else
            st = pg_modes_from_fc(sc->cell.n_atom, (const double(*)[3][3])fc->phi, sc->cell.mass,
                                  &modes);
    }
    pg_status_t agreed = st;
    PG_TRY(pg_par_agree(comm, &agreed));
    PG_TRY(agreed);
    PG_TRY(pg_modes_bcast(comm, 0, &modes));
    st = pg_sampler_create(&sc->cell, &modes, o, out);
    agreed = st;
    PG_TRY(pg_par_agree(comm, &agreed));
    PG_TRY(agreed);
cleanup:
    pg_phonon_modes_free(&pm);
    pg_modes_free(&modes);
    if (st != PG_OK) pg_sampler_destroy(out);
    return st;
}
