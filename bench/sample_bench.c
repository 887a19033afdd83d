/* sample_bench.c - sampling only (no mpirun, no HDF5, no labels), in-process timings of the
 * phonon sampler for bench/sample.sh: set-up (commensurate D(q) eigenproblems for the q-space
 * sampler; 3N x 3N dsyevd for the supercell-Gamma one) and N_CONFIG draws at TEMP K, for both
 * constructions, on one process. FC reading is not timed (phonopy's side reads its file before
 * its clock starts too).
 * usage: sample_bench POSCAR FC N0 N1 N2 N_CONFIG TEMP
 * prints: qspace_setup_s, qspace_draw_s, gamma_setup_s, gamma_draw_s, msd (Å^2, both) */
#include <stdio.h>
#include <stdlib.h>

#include "phonograph/pg_par.h"
#include "phonograph/pg_poscar.h"
#include "phonograph/pg_sample.h"

static double draw_all(const pg_sampler_t *s, int64_t n_config, double *msd)
{
    pg_sample_t x;
    if (pg_sample_init(&x, s) != PG_OK) return -1;
    const int64_t n = pg_sampler_n_atom(s);
    double acc = 0;
    const double t0 = pg_par_wtime();
    for (int64_t c = 0; c < n_config; c++) {
        if (pg_sampler_draw(s, c, &x) != PG_OK) return -1;
        acc += x.disp[n / 2][0] * x.disp[n / 2][0]; /* keep the work observable */
    }
    const double t = pg_par_wtime() - t0;
    acc = 0;
    for (int64_t k = 0; k < n; k++)
        for (int a = 0; a < 3; a++) acc += x.disp[k][a] * x.disp[k][a];
    *msd = acc / (double)(3 * n);
    pg_sample_free(&x);
    return t;
}

int main(int argc, char **argv)
{
    MPI_Comm comm;
    if (pg_par_init(&argc, &argv, &comm) != PG_OK) return 1;
    if (argc != 8) {
        fprintf(stderr, "usage: sample_bench POSCAR FC N0 N1 N2 N_CONFIG TEMP\n");
        pg_par_finalize(&comm);
        return 1;
    }
    pg_cell_t unit = {0};
    pg_supercell_t sc = {0};
    pg_fc_t fc = {0};
    pg_modes_t modes = {0};
    pg_sampler_t *sq = NULL, *sg = NULL;
    const int dim[3] = {atoi(argv[3]), atoi(argv[4]), atoi(argv[5])};
    const int64_t n_config = atoll(argv[6]);
    const double temp = atof(argv[7]);
    pg_sample_opts_t o;
    pg_sample_opts_default(&o);
    o.seed = 1;
    o.condition = &temp;
    o.n_condition = 1;
    o.n_per_condition = n_config;
    double msd_q = 0, msd_g = 0, tq_draw = 0, tg_draw = 0;
    char note[256];
    pg_status_t st = pg_poscar_read(MPI_COMM_SELF, argv[1], &unit);
    if (st == PG_OK) st = pg_supercell_build_diag(&unit, dim, PG_SUPERCELL_SYMPREC, &sc);
    if (st == PG_OK) st = pg_fc_read(argv[2], "auto", sc.cell.n_atom, &fc);
    double t0 = pg_par_wtime();
    if (st == PG_OK)
        st = pg_sampler_create_phonon(MPI_COMM_SELF, &sc, &fc, &o, note, sizeof note, &sq);
    const double tq_setup = pg_par_wtime() - t0;
    if (st == PG_OK && !pg_sampler_is_qspace(sq))
        fprintf(stderr, "q-space path not taken: %s\n", note);
    if (st == PG_OK) tq_draw = draw_all(sq, n_config, &msd_q);
    t0 = pg_par_wtime();
    if (st == PG_OK)
        st = pg_modes_from_fc(sc.cell.n_atom, (const double(*)[3][3])fc.phi, sc.cell.mass, &modes);
    if (st == PG_OK) st = pg_sampler_create(&sc.cell, &modes, &o, &sg);
    const double tg_setup = pg_par_wtime() - t0;
    if (st == PG_OK) tg_draw = draw_all(sg, n_config, &msd_g);
    if (st != PG_OK || tq_draw < 0 || tg_draw < 0) {
        pg_err_print(stderr, "sample_bench: ");
        st = st ? st : PG_ERR_INTERNAL;
    } else {
        printf("qspace_setup_s %.4f\nqspace_draw_s %.4f\ngamma_setup_s %.4f\ngamma_draw_s %.4f\n"
               "msd_last_config_qspace %.6e\nmsd_last_config_gamma %.6e\n",
               tq_setup, tq_draw, tg_setup, tg_draw, msd_q, msd_g);
    }
    pg_sampler_destroy(&sq);
    pg_sampler_destroy(&sg);
    pg_modes_free(&modes);
    pg_fc_free(&fc);
    pg_supercell_free(&sc);
    pg_cell_free(&unit);
    pg_par_finalize(&comm);
    return st == PG_OK ? 0 : 1;
}
