/* test_dataset.c - task farm + parallel dataset file at 1, 2, 4 ranks.
 *
 * NaCl 64-atom supercell (phonopy reference force constants), phonon sampler at 300 and
 * 600 K with strain and guards, a harmonic labeler (E = 1/2 u.Phi.u, F = -Phi u, from the
 * same force constants). The run is interrupted after its first epoch (graceful stop),
 * resumed from the file, and then every value in the file is compared bitwise with a direct
 * serial draw + label of the same configuration index on rank 0. Since that reference does
 * not depend on the rank count, files written at np 1, 2 and 4 hold identical values.
 * Also: a different deck fingerprint is refused, the completion mask is complete, and the
 * transfers were collective.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_dataset.h"
#include "phonograph/pg_farm.h"
#include "phonograph/pg_h5.h"
#include "phonograph/pg_par.h"
#include "phonograph/pg_sample.h"
#include "phonograph/pg_stop.h"

typedef struct {
    pg_cell_t ref;
    double (*phi)[3][3];
} harm_t;

static pg_status_t harmonic_label(void *ctx, const pg_cell_t *cell, pg_dataset_batch_t *b,
                                  int64_t j)
{
    const harm_t *h = ctx;
    const int64_t n = cell->n_atom;
    double inv_ref[3][3], inv[3][3];
    PG_CHECK(pg_mat3_inverse(h->ref.lattice, inv_ref));
    PG_CHECK(pg_mat3_inverse(cell->lattice, inv));
    double *u = malloc(sizeof(double) * 3 * (size_t)n);
    PG_REQUIRE(u, PG_ERR_NOMEM, "oom");
    for (int64_t k = 0; k < n; k++) { /* u in the strained frame, minimum image */
        double f[3], f0[3], d[3];
        pg_cell_cart_to_frac(inv, cell->pos[k], f);
        pg_cell_cart_to_frac(inv_ref, h->ref.pos[k], f0);
        for (int a = 0; a < 3; a++) d[a] = f[a] - f0[a] - nearbyint(f[a] - f0[a]);
        pg_cell_frac_to_cart(cell->lattice, d, u + 3 * k);
    }
    double e = 0;
    double *F = b->forces + 3 * n * j;
    for (int64_t k = 0; k < n; k++)
        for (int a = 0; a < 3; a++) {
            double g = 0;
            for (int64_t l = 0; l < n; l++)
                for (int c = 0; c < 3; c++) g += h->phi[k * n + l][a][c] * u[3 * l + c];
            F[3 * k + a] = -g;
            e += 0.5 * u[3 * k + a] * g;
        }
    free(u);
    b->energy[j] = e;
    b->energy_per_atom[j] = e / (double)n;
    b->gap[j] = NAN;
    b->vbm[j] = NAN;
    b->hydrostatic[j] = 0;
    memset(b->stress + 9 * j, 0, sizeof(double) * 9);
    return PG_OK;
}

static int load(harm_t *h, pg_modes_t *modes, MPI_Comm comm)
{
    const char *dir = pg_test_path(pg_test_shared_dir(), "reference/phonopy/NaCl");
    pg_h5_t *f = NULL;
    double frac[64][3];
    if (pg_cell_init(&h->ref, 64) != PG_OK) return 0;
    if (pg_h5_open(pg_test_path(dir, "reference.h5"), PG_H5_READ, MPI_COMM_NULL, &f) != PG_OK) return 0;
    int ok = pg_h5_read(f, "/structure/supercell_lattice", PG_H5_F64, h->ref.lattice) == PG_OK &&
             pg_h5_read(f, "/structure/supercell_scaled_positions", PG_H5_F64, frac) == PG_OK &&
             pg_h5_read(f, "/structure/supercell_masses", PG_H5_F64, h->ref.mass) == PG_OK &&
             pg_h5_read(f, "/structure/supercell_numbers", PG_H5_I32, h->ref.z) == PG_OK;
    pg_h5_close(&f);
    for (int k = 0; k < 64; k++) pg_cell_frac_to_cart(h->ref.lattice, frac[k], h->ref.pos[k]);
    void *buf = NULL;
    int rank;
    int64_t dims[4];
    ok = ok && pg_h5_open(pg_test_path(dir, "force_constants.hdf5"), PG_H5_READ, MPI_COMM_NULL, &f) == PG_OK &&
         pg_h5_read_alloc(f, "/force_constants", PG_H5_F64, &buf, &rank, dims) == PG_OK;
    pg_h5_close(&f);
    h->phi = buf;
    memset(modes, 0, sizeof *modes);
    pg_status_t st = PG_OK;
    if (pg_par_rank(comm) == 0)
        st = pg_modes_from_fc(64, (const double(*)[3][3])h->phi, h->ref.mass, modes);
    pg_par_agree(comm, &st);
    return ok && st == PG_OK && pg_modes_bcast(comm, 0, modes) == PG_OK;
}

int main(int argc, char **argv)
{
    MPI_Comm comm;
    if (pg_par_init(&argc, &argv, &comm) != PG_OK) return 1;
    pg_mpitest_t t;
    pg_mpitest_begin(&t, comm);
    const int rank = pg_par_rank(comm);
    harm_t h = {0};
    pg_modes_t modes;
    int ok = load(&h, &modes, comm);
    pg_mpitest_check(&t, ok, "load NaCl reference and broadcast modes", "%s", pg_err_message());

    const double temps[2] = {300, 600};
    pg_sample_opts_t o;
    pg_sample_opts_default(&o);
    o.seed = 99;
    o.condition = temps;
    o.n_condition = 2;
    o.n_per_condition = 13; /* 26 configurations: batches of 3 leave a partial one */
    o.strain_max = 0.01;
    o.max_displacement_ang = 0.6; /* some 600 K draws are redrawn */
    pg_sampler_t *s = NULL;
    pg_status_t st = pg_sampler_create(&h.ref, &modes, &o, &s);
    pg_mpitest_check(&t, st == PG_OK, "sampler", "%s", pg_err_message());

    /* one file name for all ranks */
    char path[600] = "";
    if (rank == 0) snprintf(path, sizeof path, "%s/dataset.h5", pg_test_tmpdir());
    pg_par_bcast(comm, 0, path, sizeof path);
    pg_dataset_meta_t meta = {.n_config = 26, .n_atom = 64, .fingerprint = 0x1234abcdULL,
                              .seed = 99, .deck_text = "[sample]\n", .fc_source = "NaCl",
                              .labeler = "harmonic", .sampler = s, .reference = &h.ref};
    pg_dataset_t *ds = NULL;
    st = pg_dataset_create(path, comm, &meta, &ds);
    pg_mpitest_check(&t, st == PG_OK, "create dataset", "%s", pg_err_message());
    pg_farm_opts_t fo = {.batch = 3, .batches_per_rank = 1, .label = harmonic_label,
                         .label_ctx = &h};
    pg_farm_stats_t fs;
    /* interrupted after the first epoch */
    pg_stop_request();
    st = pg_farm_run(comm, s, ds, &fo, &fs);
    pg_stop_reset();
    pg_mpitest_check(&t, st == PG_ERR_INTERRUPTED && fs.n_done_now > 0 && fs.n_done_now < 26,
                     "graceful stop after one epoch", "st=%d done=%lld", (int)st,
                     (long long)fs.n_done_now);
    pg_dataset_close(&ds);
    /* a file from another deck is refused */
    pg_dataset_meta_t other = meta;
    other.fingerprint = 0x999;
    st = pg_dataset_open_resume(path, comm, &other, &ds);
    pg_mpitest_check(&t, st == PG_ERR_INPUT && strstr(pg_err_message(), "different deck"),
                     "other deck refused", "st=%d %s", (int)st, pg_err_message());
    /* resume */
    st = pg_dataset_open_resume(path, comm, &meta, &ds);
    pg_mpitest_check(&t, st == PG_OK, "resume open", "%s", pg_err_message());
    const int64_t before = fs.n_done_now;
    st = pg_farm_run(comm, s, ds, &fo, &fs);
    pg_mpitest_check(&t, st == PG_OK && fs.n_done_before == before && fs.n_done_now == 26 - before,
                     "resume completes the rest only", "st=%d before=%lld now=%lld %s", (int)st,
                     (long long)fs.n_done_before, (long long)fs.n_done_now, pg_err_message());
    pg_mpitest_check(&t, fs.n_redrawn > 0, "guards redrew some configurations", "%lld",
                     (long long)fs.n_redrawn);
    pg_dataset_close(&ds);
    pg_par_barrier(comm);

    /* rank 0: every value equals a direct serial draw + label */
    int n_bad = 0;
    if (rank == 0) {
        pg_h5_t *f = NULL;
        pg_dataset_batch_t ref, got;
        pg_sample_t x;
        pg_dataset_batch_init(&ref, 1, 64);
        pg_dataset_batch_init(&got, 26, 64);
        pg_sample_init(&x, s);
        n_bad += pg_dataset_check_format(path) != PG_OK;
        n_bad += pg_h5_open(path, PG_H5_READ, MPI_COMM_NULL, &f) != PG_OK;
        uint8_t done[26];
        n_bad += pg_h5_read(f, "/completed", PG_H5_U8, done) != PG_OK;
        for (int c = 0; c < 26; c++) n_bad += done[c] != 1;
        n_bad += pg_h5_read(f, "/configs/positions", PG_H5_F64, got.positions) != PG_OK;
        n_bad += pg_h5_read(f, "/configs/cell", PG_H5_F64, got.cell) != PG_OK;
        n_bad += pg_h5_read(f, "/configs/species", PG_H5_I32, got.species) != PG_OK;
        n_bad += pg_h5_read(f, "/configs/attempts", PG_H5_I32, got.attempts) != PG_OK;
        n_bad += pg_h5_read(f, "/configs/condition", PG_H5_F64, got.condition) != PG_OK;
        n_bad += pg_h5_read(f, "/labels/energy", PG_H5_F64, got.energy) != PG_OK;
        n_bad += pg_h5_read(f, "/labels/forces", PG_H5_F64, got.forces) != PG_OK;
        n_bad += pg_h5_read(f, "/labels/gap", PG_H5_F64, got.gap) != PG_OK;
        pg_h5_close(&f);
        for (int64_t c = 0; c < 26; c++) {
            int bad = pg_sampler_draw(s, c, &x) != PG_OK;
            pg_dataset_batch_set_sample(&ref, 0, &x);
            bad |= harmonic_label(&h, &x.cell, &ref, 0) != PG_OK;
            bad |= memcmp(ref.positions, got.positions + c * 192, 192 * sizeof(double)) != 0;
            bad |= memcmp(ref.cell, got.cell + c * 9, 9 * sizeof(double)) != 0;
            bad |= memcmp(ref.species, got.species + c * 64, 64 * sizeof(int32_t)) != 0;
            bad |= ref.attempts[0] != got.attempts[c] || ref.condition[0] != got.condition[c];
            bad |= memcmp(ref.energy, got.energy + c, sizeof(double)) != 0;
            bad |= memcmp(ref.forces, got.forces + c * 192, 192 * sizeof(double)) != 0;
            bad |= !isnan(got.gap[c]);
            if (bad) fprintf(stderr, "[rank 0] configuration %lld differs from a direct draw\n",
                             (long long)c);
            n_bad += bad;
        }
        pg_sample_free(&x);
        pg_dataset_batch_free(&ref);
        pg_dataset_batch_free(&got);
    }
    pg_par_bcast(comm, 0, &n_bad, sizeof n_bad);
    pg_mpitest_check(&t, n_bad == 0, "file values bitwise equal to direct serial draws",
                     "%d mismatches", n_bad);

    pg_sampler_destroy(&s);
    pg_modes_free(&modes);
    pg_cell_free(&h.ref);
    free(h.phi);
    int code = pg_mpitest_end(&t);
    pg_par_finalize(&comm);
    return code;
}
