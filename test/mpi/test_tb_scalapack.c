/* test_tb_scalapack.c - tight-binding band edges on ScaLAPACK groups (run at np 1, 2, 4).
 *
 * The world is split into groups of 2 ranks (pg_par_comm_split, as the driver does; an odd
 * rank out forms a group of one and is forced onto ScaLAPACK too); groups label different
 * configurations (round robin), results are summed over the world and compared on every
 * rank with (a) the serial LAPACK result of the same rank, to 1e-10 (gap, VBM, CBM and the
 * band-edge character), and (b) reference.h5 (LABELER.md §8, 1e-8 eV). One configuration is
 * also solved by the whole world as one group (a 2x2 grid at np 4). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "pg_test_config.h"
#include "phonograph/pg_par.h"
#include "phonograph/pg_tb.h"

#define N_CFG 4
#define N_VAL (3 + 2 * PG_TB_N_SPECIES * PG_TB_N_L)
static const char *cfgs[N_CFG] = {"Ag3SBr_2x2x2_displaced", "Ag3SeI_2x2x2_displaced_strained",
                                  "Ag3SI_2x2x2_ideal", "Ag3SeBr_2x2x2_displaced"};

static pg_status_t label(const char *name, MPI_Comm group, int force, double out[N_VAL])
{
    pg_status_t st = PG_OK;
    pg_cell_t cell;
    pg_tb_options_t opt;
    pg_tb_result_t r;
    memset(&cell, 0, sizeof cell);
    PG_TRY(pg_test_load_config(name, &cell));
    pg_tb_options_default(&opt);
    opt.want_character = 1;
    opt.force_scalapack = force;
    opt.block_size = 32; /* several blocks per rank for n = 208 */
    PG_TRY(pg_tb_band_edges(&cell, group, &opt, &r));
    out[0] = r.gap_ev;
    out[1] = r.vbm_ev;
    out[2] = r.cbm_ev;
    memcpy(out + 3, r.vbm_character, sizeof r.vbm_character);
    memcpy(out + 3 + PG_TB_N_SPECIES * PG_TB_N_L, r.cbm_character, sizeof r.cbm_character);
cleanup:
    pg_cell_free(&cell);
    return st;
}

static double maxdiff(const double *a, const double *b, int n)
{
    double m = 0.0;
    for (int k = 0; k < n; k++) m = fmax(m, fabs(a[k] - b[k]));
    return isnan(m) ? INFINITY : m;
}

int main(int argc, char **argv)
{
    MPI_Comm world;
    if (pg_par_init(&argc, &argv, &world) != PG_OK) return 1;
    pg_mpitest_t t;
    pg_mpitest_begin(&t, world);
    const int rank = pg_par_rank(world), size = pg_par_size(world);

    /* serial LAPACK on every rank: the baseline */
    double serial[N_CFG][N_VAL];
    pg_status_t st = PG_OK;
    for (int c = 0; c < N_CFG && st == PG_OK; c++) st = label(cfgs[c], MPI_COMM_SELF, 0, serial[c]);
    if (st != PG_OK) pg_err_print(stderr, "serial: ");
    pg_mpitest_check(&t, st == PG_OK, "serial LAPACK labels", "%s", pg_err_message());

    /* reference values */
    int ref_ok = 1;
    double worst = 0.0;
    for (int c = 0; c < N_CFG; c++) {
        double ref[3];
        const char *w[3] = {"gap", "vbm", "cbm"};
        for (int k = 0; k < 3; k++) ref_ok &= pg_test_config_scalar(cfgs[c], w[k], &ref[k]) == PG_OK;
        worst = fmax(worst, maxdiff(serial[c], ref, 3));
    }
    pg_mpitest_check(&t, ref_ok && worst <= 1e-8, "serial vs reference.h5 (1e-8 eV)",
                     "max deviation %.3e", worst);

    /* groups of two ranks, round robin over configurations */
    MPI_Comm group = MPI_COMM_NULL;
    const int color = rank / 2, n_groups = (size + 1) / 2;
    st = pg_par_comm_split(world, color, rank, &group);
    pg_mpitest_check(&t, st == PG_OK, "comm split", NULL);
    const int gsize = pg_par_size(group), grank = pg_par_rank(group);
    double grouped[N_CFG][N_VAL];
    memset(grouped, 0, sizeof grouped);
    st = PG_OK;
    for (int c = color; c < N_CFG && st == PG_OK; c += n_groups) {
        double v[N_VAL];
        st = label(cfgs[c], group, 1, v);
        if (st == PG_OK && grank == 0) memcpy(grouped[c], v, sizeof v);
    }
    if (st != PG_OK) pg_err_print(stderr, "group: ");
    pg_par_agree(world, &st);
    pg_mpitest_check(&t, st == PG_OK, "ScaLAPACK group labels", "%s", pg_err_message());
    pg_par_sum_double(world, &grouped[0][0], N_CFG * N_VAL);
    for (int c = 0; c < N_CFG; c++) {
        double d = maxdiff(grouped[c], serial[c], N_VAL);
        char name[96];
        snprintf(name, sizeof name, "group size %d vs LAPACK: %s", size > 1 ? 2 : 1, cfgs[c]);
        pg_mpitest_check(&t, d <= 1e-10, name, "max deviation %.3e (group of %d)", d, gsize);
    }

    /* the whole world as one ScaLAPACK group */
    double all[N_VAL];
    st = label(cfgs[0], world, 1, all);
    pg_mpitest_check(&t, st == PG_OK && maxdiff(all, serial[0], N_VAL) <= 1e-10,
                     "world group vs LAPACK", "st=%d deviation %.3e", (int)st,
                     maxdiff(all, serial[0], N_VAL));
    /* every rank of the group returned bitwise the same numbers */
    double mn[N_VAL], mx[N_VAL];
    memcpy(mn, all, sizeof all);
    memcpy(mx, all, sizeof all);
    pg_par_min_double(world, mn, N_VAL);
    pg_par_max_double(world, mx, N_VAL);
    pg_mpitest_check(&t, memcmp(mn, mx, sizeof mn) == 0, "identical on every rank", NULL);

    /* input errors come back identically on every rank of a group (no hang) */
    pg_cell_t bad;
    pg_cell_init(&bad, 2);
    for (int k = 0; k < 3; k++) bad.lattice[k][k] = 10.0;
    bad.z[0] = 47;
    bad.z[1] = 9; /* F */
    bad.pos[1][0] = 2.4;
    pg_tb_result_t r;
    pg_tb_options_t opt;
    pg_tb_options_default(&opt);
    opt.force_scalapack = 1;
    st = pg_tb_band_edges(&bad, group, &opt, &r);
    pg_par_agree(world, &st);
    pg_mpitest_check(&t, st == PG_ERR_INPUT, "bad species agreed", "st=%d", (int)st);
    pg_cell_free(&bad);

    pg_par_comm_free(&group);
    int rc = pg_mpitest_end(&t);
    pg_par_finalize(&world);
    return rc;
}
