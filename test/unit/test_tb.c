/* test_tb.c - tight-binding model TB-CAP-1 (LABELER.md §5) against the specification's
 * reference data: Slater–Koster blocks, gap/VBM/CBM of the 12 reference configurations
 * (reference.h5, tolerance §8), band-edge character (§5.5 and test/data/tb/character.txt
 * from the prototype), invariances, solver agreement and error paths. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "pg_test_config.h"
#include "phonograph/pg_deck.h"
#include "phonograph/pg_element.h"
#include "phonograph/pg_h5.h"
#include "phonograph/pg_linalg.h"
#include "phonograph/pg_neighbor.h"
#include "phonograph/pg_par.h"
#include "phonograph/pg_tb.h"
#include "tb_sk_reference.h"

#define TOL_BLOCK 1e-12 /* LABELER.md §8 */
#define TOL_EDGE 1e-8   /* LABELER.md §8 */

static const char *compounds[4][3] = {
    {"Ag3SBr", "S", "Br"}, {"Ag3SI", "S", "I"}, {"Ag3SeBr", "Se", "Br"}, {"Ag3SeI", "Se", "I"}};

static int zof(const char *sym)
{
    int z = 0;
    assert_int_equal(pg_element_from_symbol(sym, &z), PG_OK);
    return z;
}

/* ---- Slater–Koster blocks vs reference.h5:/tb_blocks ---------------------------------- */
static void test_sk_blocks_reference(void **state)
{
    (void)state;
    pg_h5_t *f = NULL;
    assert_int_equal(pg_h5_open(pg_test_physics_h5(), PG_H5_READ, MPI_COMM_NULL, &f), PG_OK);
    double dvec[3];
    assert_int_equal(pg_h5_attr_read(f, "/tb_blocks", "dvec", PG_H5_F64, 3, dvec), PG_OK);
    const char *pairs[6][2] = {{"Ag", "S"}, {"S", "Ag"}, {"Ag", "Br"},
                               {"Ag", "Ag"}, {"Ag", "I"}, {"Ag", "Se"}};
    for (int p = 0; p < 6; p++) {
        char path[64];
        snprintf(path, sizeof path, "/tb_blocks/%s-%s", pairs[p][0], pairs[p][1]);
        double *ref = NULL;
        int rank = 0;
        int64_t dims[4];
        assert_int_equal(pg_h5_read_alloc(f, path, PG_H5_F64, (void **)&ref, &rank, dims), PG_OK);
        double blk[PG_TB_MAX_ORB][PG_TB_MAX_ORB];
        int na = 0, nb = 0;
        assert_int_equal(pg_tb_sk_block(zof(pairs[p][0]), zof(pairs[p][1]), dvec, blk, &na, &nb),
                         PG_OK);
        assert_int_equal(rank, 2);
        assert_int_equal(dims[0], na);
        assert_int_equal(dims[1], nb);
        double got[36];
        for (int a = 0; a < na; a++)
            for (int b = 0; b < nb; b++) got[a * nb + b] = blk[a][b];
        assert_close(got, ref, na * nb, 0.0, TOL_BLOCK, path);
        /* the block is not trivially small: the test can fail */
        double mx = 0.0;
        for (int k = 0; k < na * nb; k++) mx = fmax(mx, fabs(ref[k]));
        assert_true(mx > 0.1);
        free(ref);
    }
    pg_h5_close(&f);
}

/* M_AB(d) = M_BA(-d)^T exactly for every species pair and random directions; anion–anion
 * pairs and |d| >= 4.5 Å give zero blocks; the cutoff is continuous at 4.0 and 4.5 Å. */
static void test_sk_symmetry_and_cutoff(void **state)
{
    (void)state;
    const int zs[5] = {47, 16, 34, 35, 53};
    srand48(7);
    for (int t = 0; t < 40; t++) {
        double d[3], md[3];
        for (int a = 0; a < 3; a++) d[a] = 4.0 * (drand48() - 0.5);
        for (int a = 0; a < 3; a++) md[a] = -d[a];
        for (int p = 0; p < 5; p++)
            for (int q = 0; q < 5; q++) {
                double m1[6][6], m2[6][6];
                int na, nb, nb2, na2;
                assert_int_equal(pg_tb_sk_block(zs[p], zs[q], d, m1, &na, &nb), PG_OK);
                assert_int_equal(pg_tb_sk_block(zs[q], zs[p], md, m2, &nb2, &na2), PG_OK);
                double mx = 0.0;
                for (int a = 0; a < na; a++)
                    for (int b = 0; b < nb; b++) {
                        assert_true(fabs(m1[a][b] - m2[b][a]) <= 1e-15 * (1 + fabs(m1[a][b])));
                        mx = fmax(mx, fabs(m1[a][b]));
                    }
                const int hop = p == 0 || q == 0;
                assert_true(hop ? mx > 0.0 : mx == 0.0);
            }
    }
    /* smooth cutoff along a fixed direction */
    const double u[3] = {0.48, -0.6, 0.64}; /* unit vector */
    double blk[6][6], b2[6][6];
    int na, nb;
    double d[3];
    for (int a = 0; a < 3; a++) d[a] = 4.5 * u[a];
    assert_int_equal(pg_tb_sk_block(47, 16, d, blk, &na, &nb), PG_OK);
    for (int a = 0; a < 6; a++)
        for (int b = 0; b < 6; b++) assert_true(blk[a][b] == 0.0);
    for (int a = 0; a < 3; a++) d[a] = (4.5 - 1e-7) * u[a];
    assert_int_equal(pg_tb_sk_block(47, 16, d, blk, &na, &nb), PG_OK);
    for (int a = 0; a < na; a++)
        for (int b = 0; b < nb; b++) assert_true(fabs(blk[a][b]) < 1e-12);
    for (int a = 0; a < 3; a++) d[a] = 4.0 * u[a];
    assert_int_equal(pg_tb_sk_block(47, 16, d, blk, &na, &nb), PG_OK);
    for (int a = 0; a < 3; a++) d[a] = (4.0 + 1e-9) * u[a];
    assert_int_equal(pg_tb_sk_block(47, 16, d, b2, &na, &nb), PG_OK);
    for (int a = 0; a < na; a++)
        for (int b = 0; b < nb; b++) assert_true(fabs(blk[a][b] - b2[a][b]) < 1e-8);
    /* Harrison scaling at a special direction (d along z): s–s = s_AB η_ssσ ħ²/m / d²,
     * s–p_z = η_spσ ..., d_3z²−r²–d_3z²−r² = η_ddσ ħ²/m r_d³/d⁵ (Ag–Ag, s_AB = 0.5) */
    const double dz[3] = {0.0, 0.0, 2.5};
    assert_int_equal(pg_tb_sk_block(47, 16, dz, blk, &na, &nb), PG_OK);
    assert_true(fabs(blk[0][0] - (-1.40 * 7.62 / 6.25)) < 1e-14);
    assert_true(fabs(blk[0][3] - (1.84 * 7.62 / 6.25)) < 1e-14);
    assert_true(fabs(blk[0][1]) < 1e-15 && fabs(blk[0][2]) < 1e-15);
    assert_int_equal(pg_tb_sk_block(47, 47, dz, blk, &na, &nb), PG_OK);
    assert_true(fabs(blk[5][5] - 0.5 * -16.2 * 7.62 * pow(0.89, 3) / pow(2.5, 5)) < 1e-14);
    assert_true(fabs(blk[2][2] - 0.5 * 8.75 * 7.62 * pow(0.89, 3) / pow(2.5, 5)) < 1e-14);
    assert_true(fabs(blk[1][1]) < 1e-15 && fabs(blk[4][4]) < 1e-15); /* δ: η = 0 */
    /* species outside the model */
    assert_int_equal(pg_tb_sk_block(11, 17, dz, blk, &na, &nb), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "Na"));
}

/* the blocked kernel equals the plain element-by-element reference (tb_sk_reference.h) for
 * every species pair and random bond vectors, including the cutoff taper 4.0–4.5 Å */
static void test_sk_blocked_vs_reference(void **state)
{
    (void)state;
    const int zs[5] = {47, 16, 34, 35, 53};
    srand48(5);
    for (int t = 0; t < 200; t++) {
        double d[3];
        for (int a = 0; a < 3; a++) d[a] = 5.2 * (drand48() - 0.5);
        for (int p = 0; p < 5; p++)
            for (int q = 0; q < 5; q++) {
                double m1[6][6], m2[6][6];
                int na, nb;
                assert_int_equal(pg_tb_sk_block(zs[p], zs[q], d, m1, &na, &nb), PG_OK);
                ref_sk_block(zs[p], zs[q], d, m2);
                for (int a = 0; a < 6; a++)
                    for (int b = 0; b < 6; b++)
                        assert_true(fabs(m1[a][b] - m2[a][b]) <= 1e-14 * (1.0 + fabs(m2[a][b])));
            }
    }
}

/* spectrum of an isolated dimer (onsite + both hopping blocks) under random rotations */
static void dimer_spectrum(int za, int zb, const double d[3], double *w, int *n)
{
    double ea[6], eb[6], m1[6][6], m2[6][6], h[144];
    int na, nb, t1, t2;
    double md[3] = {-d[0], -d[1], -d[2]};
    assert_int_equal(pg_tb_onsite(za, ea, &na), PG_OK);
    assert_int_equal(pg_tb_onsite(zb, eb, &nb), PG_OK);
    assert_int_equal(pg_tb_sk_block(za, zb, d, m1, &t1, &t2), PG_OK);
    assert_int_equal(pg_tb_sk_block(zb, za, md, m2, &t2, &t1), PG_OK);
    *n = na + nb;
    memset(h, 0, sizeof h);
    for (int a = 0; a < na; a++) h[a * *n + a] = ea[a];
    for (int b = 0; b < nb; b++) h[(na + b) * *n + na + b] = eb[b];
    for (int a = 0; a < na; a++)
        for (int b = 0; b < nb; b++) {
            h[a * *n + na + b] = m1[a][b];
            h[(na + b) * *n + a] = m2[b][a];
        }
    assert_int_equal(pg_linalg_dsyevd(*n, h, *n, 0, w), PG_OK);
}

static void random_rotation(double r[3][3])
{
    /* uniform random unit quaternion (Shoemake) */
    double u1 = drand48(), u2 = 2 * M_PI * drand48(), u3 = 2 * M_PI * drand48();
    double q0 = sqrt(1 - u1) * sin(u2), q1 = sqrt(1 - u1) * cos(u2), q2 = sqrt(u1) * sin(u3),
           q3 = sqrt(u1) * cos(u3);
    r[0][0] = 1 - 2 * (q2 * q2 + q3 * q3); r[0][1] = 2 * (q1 * q2 - q0 * q3); r[0][2] = 2 * (q1 * q3 + q0 * q2);
    r[1][0] = 2 * (q1 * q2 + q0 * q3); r[1][1] = 1 - 2 * (q1 * q1 + q3 * q3); r[1][2] = 2 * (q2 * q3 - q0 * q1);
    r[2][0] = 2 * (q1 * q3 - q0 * q2); r[2][1] = 2 * (q2 * q3 + q0 * q1); r[2][2] = 1 - 2 * (q1 * q1 + q2 * q2);
}

static void test_dimer_rotation_invariance(void **state)
{
    (void)state;
    const int pairs[5][2] = {{47, 16}, {16, 47}, {47, 47}, {47, 53}, {47, 34}};
    srand48(11);
    for (int p = 0; p < 5; p++) {
        const double d0[3] = {0.0, 0.0, 2.5};
        double w0[12], w[12];
        int n0, n;
        dimer_spectrum(pairs[p][0], pairs[p][1], d0, w0, &n0);
        /* hopping really mixes the states: the lowest level lies below the lowest onsite
         * energy by more than 0.1 eV */
        double e[12];
        int k;
        assert_int_equal(pg_tb_onsite(pairs[p][0], e, &k), PG_OK);
        assert_int_equal(pg_tb_onsite(pairs[p][1], e + k, &n), PG_OK);
        double emin = e[0];
        for (int q = 0; q < n0; q++) emin = fmin(emin, e[q]);
        assert_true(w0[0] < emin - 0.1);
        for (int t = 0; t < 50; t++) {
            double r[3][3], d[3];
            random_rotation(r);
            for (int a = 0; a < 3; a++) d[a] = r[a][0] * d0[0] + r[a][1] * d0[1] + r[a][2] * d0[2];
            dimer_spectrum(pairs[p][0], pairs[p][1], d, w, &n);
            assert_int_equal(n, n0);
            assert_close(w, w0, n, 0.0, 1e-12, "dimer spectrum under rotation");
        }
    }
}

/* ---- band edges of the reference configurations ------------------------------------- */
static void check_config(const char *name, const pg_tb_options_t *opt)
{
    pg_cell_t cell;
    assert_int_equal(pg_test_load_config(name, &cell), PG_OK);
    pg_tb_result_t r;
    pg_status_t st = pg_tb_band_edges(&cell, MPI_COMM_SELF, opt, &r);
    if (st != PG_OK) pg_err_print(stderr, "");
    assert_int_equal(st, PG_OK);
    double ref[3], got[3] = {r.gap_ev, r.vbm_ev, r.cbm_ev};
    assert_int_equal(pg_test_config_scalar(name, "gap", &ref[0]), PG_OK);
    assert_int_equal(pg_test_config_scalar(name, "vbm", &ref[1]), PG_OK);
    assert_int_equal(pg_test_config_scalar(name, "cbm", &ref[2]), PG_OK);
    char label[128];
    snprintf(label, sizeof label, "%s gap/vbm/cbm (%s)", name, r.solver);
    assert_close(got, ref, 3, 0.0, TOL_EDGE, label);
    assert_int_equal(r.n_orb, 26 * cell.n_atom / 5);
    assert_int_equal(r.n_occ, 23 * cell.n_atom / 5);
    assert_int_equal(r.near_metallic, 0);
    pg_cell_free(&cell);
}

static void test_reference_configs(void **state)
{
    (void)state;
    const char *tags[3] = {"ideal", "displaced", "displaced_strained"};
    for (int c = 0; c < 4; c++)
        for (int t = 0; t < 3; t++) {
            char name[64];
            snprintf(name, sizeof name, "%s_2x2x2_%s", compounds[c][0], tags[t]);
            check_config(name, NULL);
        }
}

/* dsyevr (index range) and dsyevd (all eigenvalues) and ScaLAPACK on one rank agree */
static void test_solvers_agree(void **state)
{
    (void)state;
    pg_cell_t cell;
    assert_int_equal(pg_test_load_config("Ag3SeI_2x2x2_displaced_strained", &cell), PG_OK);
    pg_tb_options_t opt;
    pg_tb_result_t r[3];
    const pg_tb_solver_t s[2] = {PG_TB_SOLVER_EVR, PG_TB_SOLVER_EVD};
    for (int k = 0; k < 3; k++) {
        pg_tb_options_default(&opt);
        if (k < 2) opt.solver = s[k];
        else opt.force_scalapack = 1;
        assert_int_equal(pg_tb_band_edges(&cell, MPI_COMM_SELF, &opt, &r[k]), PG_OK);
    }
    assert_string_equal(r[0].solver, "dsyevr");
    assert_string_equal(r[1].solver, "dsyevd");
    assert_string_equal(r[2].solver, "pdsyevr");
    for (int k = 1; k < 3; k++) {
        double a[3] = {r[0].gap_ev, r[0].vbm_ev, r[0].cbm_ev};
        double b[3] = {r[k].gap_ev, r[k].vbm_ev, r[k].cbm_ev};
        assert_close(b, a, 3, 0.0, 1e-11, r[k].solver);
    }
    pg_cell_free(&cell);
}

/* H is symmetric, has the onsite energies on its diagonal blocks' diagonal in ideal
 * cells... and its eigenvalues from dsyevd contain VBM and CBM at N_occ, N_occ+1. */
static void test_hamiltonian(void **state)
{
    (void)state;
    pg_cell_t cell;
    assert_int_equal(pg_test_load_config("Ag3SBr_2x2x2_displaced", &cell), PG_OK);
    pg_neighbor_t nl;
    assert_int_equal(pg_neighbor_build(&cell, PG_TB_CUTOFF_ANG, 0, &nl), PG_OK);
    int64_t n = 0, ne = 0;
    assert_int_equal(pg_tb_count(&cell, &n, &ne), PG_OK);
    assert_int_equal(n, 208);
    assert_int_equal(ne, 368);
    double *h = calloc((size_t)(n * n), sizeof *h);
    int64_t *off = calloc((size_t)cell.n_atom + 1, sizeof *off);
    assert_int_equal(pg_tb_hamiltonian(&cell, &nl, h, off), PG_OK);
    assert_int_equal(off[cell.n_atom], n);
    double asym = 0.0, hmax = 0.0;
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < n; j++) {
            asym = fmax(asym, fabs(h[i * n + j] - h[j * n + i]));
            hmax = fmax(hmax, fabs(h[i * n + j]));
        }
    assert_true(asym <= 1e-14 * hmax);
    /* the reference VBM/CBM from the full spectrum */
    double *w = calloc((size_t)n, sizeof *w), ref[2];
    assert_int_equal(pg_linalg_dsyevd(n, h, n, 0, w), PG_OK);
    assert_int_equal(pg_test_config_scalar("Ag3SBr_2x2x2_displaced", "vbm", &ref[0]), PG_OK);
    assert_int_equal(pg_test_config_scalar("Ag3SBr_2x2x2_displaced", "cbm", &ref[1]), PG_OK);
    assert_close(&w[ne / 2 - 1], ref, 2, 0.0, TOL_EDGE, "eigenvalues N_occ, N_occ+1");
    /* a list with too small a cutoff is refused */
    pg_neighbor_t small;
    assert_int_equal(pg_neighbor_build(&cell, 4.0, 0, &small), PG_OK);
    assert_int_equal(pg_tb_hamiltonian(&cell, &small, h, NULL), PG_ERR_INPUT);
    pg_neighbor_free(&small);
    free(w);
    free(h);
    free(off);
    pg_neighbor_free(&nl);
    pg_cell_free(&cell);
}

/* cubic n×n×n cell of compound c with lattice constant a (atom order Ag Ag Ag X Y per cell) */
static void cubic_cell(int c, double a, int rep, pg_cell_t *cell)
{
    const double frac[5][3] = {{0, .5, .5}, {.5, 0, .5}, {.5, .5, 0}, {.5, .5, .5}, {0, 0, 0}};
    const int z[5] = {47, 47, 47, zof(compounds[c][1]), zof(compounds[c][2])};
    assert_int_equal(pg_cell_init(cell, 5 * rep * rep * rep), PG_OK);
    memset(cell->lattice, 0, sizeof cell->lattice);
    for (int k = 0; k < 3; k++) cell->lattice[k][k] = rep * a;
    int64_t i = 0;
    for (int x = 0; x < rep; x++)
        for (int y = 0; y < rep; y++)
            for (int zz = 0; zz < rep; zz++)
                for (int s = 0; s < 5; s++, i++) {
                    cell->z[i] = z[s];
                    cell->pos[i][0] = (x + frac[s][0]) * a;
                    cell->pos[i][1] = (y + frac[s][1]) * a;
                    cell->pos[i][2] = (zz + frac[s][2]) * a;
                }
}

/* one line of test/data/tb/character.txt */
typedef struct {
    char name[64];
    double gap, vbm, cbm;
    int nv, nc;
    double wv[15], wc[15];
} charref_t;

static int read_charref(const char *name, charref_t *r)
{
    FILE *f = fopen("test/data/tb/character.txt", "r");
    assert_non_null(f);
    char line[4096];
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        if (line[0] == '#') continue;
        char *p = line;
        int used = 0;
        if (sscanf(p, "%63s %lf %lf %lf %d %d%n", r->name, &r->gap, &r->vbm, &r->cbm, &r->nv,
                   &r->nc, &used) != 6)
            continue;
        if (strcmp(r->name, name)) continue;
        p += used;
        for (int k = 0; k < 30; k++) {
            double *dst = k < 15 ? &r->wv[k] : &r->wc[k - 15];
            assert_int_equal(sscanf(p, "%lf%n", dst, &used), 1);
            p += used;
        }
        found = 1;
    }
    fclose(f);
    return found;
}

static void check_character(const pg_cell_t *cell, const char *refname)
{
    charref_t ref;
    assert_true(read_charref(refname, &ref));
    pg_tb_options_t opt;
    pg_tb_options_default(&opt);
    opt.want_character = 1;
    pg_tb_result_t r;
    assert_int_equal(pg_tb_band_edges(cell, MPI_COMM_SELF, &opt, &r), PG_OK);
    assert_int_equal(r.has_character, 1);
    double got[3] = {r.gap_ev, r.vbm_ev, r.cbm_ev}, exp[3] = {ref.gap, ref.vbm, ref.cbm};
    assert_close(got, exp, 3, 0.0, TOL_EDGE, refname);
    assert_int_equal(r.vbm_multiplicity, ref.nv);
    assert_int_equal(r.cbm_multiplicity, ref.nc);
    assert_close(&r.vbm_character[0][0], ref.wv, 15, 0.0, 1e-8, "VBM character");
    assert_close(&r.cbm_character[0][0], ref.wc, 15, 0.0, 1e-8, "CBM character");
}

/* LABELER.md §5.5 table (2 decimals) and the prototype's full-precision character */
static void test_band_edge_character(void **state)
{
    (void)state;
    pg_cell_t cell;
    assert_int_equal(pg_test_load_config("Ag3SBr_2x2x2_ideal", &cell), PG_OK);
    pg_tb_options_t opt;
    pg_tb_options_default(&opt);
    opt.want_character = 1;
    pg_tb_result_t r;
    assert_int_equal(pg_tb_band_edges(&cell, MPI_COMM_SELF, &opt, &r), PG_OK);
    /* §5.5: VBM S-p 0.57, Ag-d 0.43; CBM Ag-s 0.85, S-s 0.09, Ag-d 0.06 */
    const double h = 0.005 + 1e-9;
    assert_true(fabs(r.vbm_character[PG_TB_S][PG_TB_L_P] - 0.57) <= h);
    assert_true(fabs(r.vbm_character[PG_TB_AG][PG_TB_L_D] - 0.43) <= h);
    assert_true(fabs(r.cbm_character[PG_TB_AG][PG_TB_L_S] - 0.85) <= h);
    assert_true(fabs(r.cbm_character[PG_TB_S][PG_TB_L_S] - 0.09) <= h);
    assert_true(fabs(r.cbm_character[PG_TB_AG][PG_TB_L_D] - 0.06) <= h);
    double sv = 0, sc = 0;
    for (int s = 0; s < PG_TB_N_SPECIES; s++)
        for (int l = 0; l < PG_TB_N_L; l++) {
            sv += r.vbm_character[s][l];
            sc += r.cbm_character[s][l];
        }
    assert_true(fabs(sv - 1.0) < 1e-12 && fabs(sc - 1.0) < 1e-12);
    assert_int_equal(r.vbm_multiplicity, 3); /* the three M points fold onto Γ */
    check_character(&cell, "Ag3SBr_2x2x2_ideal");
    pg_cell_free(&cell);
    const char *more[3] = {"Ag3SeI_2x2x2_ideal", "Ag3SI_2x2x2_displaced",
                           "Ag3SeBr_2x2x2_displaced_strained"};
    for (int k = 0; k < 3; k++) {
        assert_int_equal(pg_test_load_config(more[k], &cell), PG_OK);
        check_character(&cell, more[k]);
        pg_cell_free(&cell);
    }
}

/* the 1×1×1 cell (every hopping is to an image, incl. images of the same atom) and the odd
 * 3×3×3 cell (12-fold VBM multiplet) against the prototype; §5.5 numbers 2.080 / 1.2813 */
static void test_supercell_folding(void **state)
{
    (void)state;
    pg_cell_t c2;
    assert_int_equal(pg_test_load_config("Ag3SBr_2x2x2_ideal", &c2), PG_OK);
    const double a = c2.lattice[0][0] / 2;
    pg_cell_free(&c2);
    for (int c = 0; c < 4; c++) {
        pg_cell_t cell;
        char name[64];
        pg_test_load_config(strcat(strcpy(name, compounds[c][0]), "_2x2x2_ideal"), &c2);
        const double ac = c2.lattice[0][0] / 2;
        pg_cell_free(&c2);
        cubic_cell(c, ac, 1, &cell);
        snprintf(name, sizeof name, "%s_1x1x1_ideal", compounds[c][0]);
        check_character(&cell, name);
        pg_cell_free(&cell);
    }
    pg_cell_t cell;
    cubic_cell(0, a, 3, &cell);
    /* §5.5 quotes 1.2813 eV; the prototype on the POSCAR lattice gives 1.281107 eV (the
     * value checked here to 1e-8), see test/data/tb/README.md */
    check_character(&cell, "Ag3SBr_3x3x3_ideal");
    pg_cell_free(&cell);
}

/* the labels of a crystal do not depend on its description: rigid rotation of cell and
 * positions, translation, atom order, and (for the ideal crystal, whose band edges at M fold
 * onto Γ in both cells) the 2×2×2 vs 2×2×4 supercell */
static void edges_of(const pg_cell_t *cell, double e[3])
{
    pg_tb_result_t r;
    assert_int_equal(pg_tb_band_edges(cell, MPI_COMM_SELF, NULL, &r), PG_OK);
    e[0] = r.gap_ev;
    e[1] = r.vbm_ev;
    e[2] = r.cbm_ev;
}

static void test_invariances(void **state)
{
    (void)state;
    pg_cell_t cell, other;
    double e0[3], e[3];
    assert_int_equal(pg_test_load_config("Ag3SeBr_2x2x2_displaced_strained", &cell), PG_OK);
    edges_of(&cell, e0);
    srand48(17);
    /* rotation: lattice rows and positions rotated alike (r -> R r) */
    double rot[3][3];
    random_rotation(rot);
    assert_int_equal(pg_cell_copy(&other, &cell), PG_OK);
    for (int k = 0; k < 3; k++)
        for (int a = 0; a < 3; a++) {
            other.lattice[k][a] = 0.0;
            for (int b = 0; b < 3; b++) other.lattice[k][a] += rot[a][b] * cell.lattice[k][b];
        }
    for (int64_t i = 0; i < cell.n_atom; i++)
        for (int a = 0; a < 3; a++) {
            other.pos[i][a] = 0.0;
            for (int b = 0; b < 3; b++) other.pos[i][a] += rot[a][b] * cell.pos[i][b];
        }
    edges_of(&other, e);
    assert_close(e, e0, 3, 0.0, 1e-10, "rotated crystal");
    /* translation by a fixed vector, and the reversed atom order */
    memcpy(other.lattice, cell.lattice, sizeof cell.lattice);
    for (int64_t i = 0; i < cell.n_atom; i++) {
        const int64_t j = cell.n_atom - 1 - i;
        other.z[i] = cell.z[j];
        for (int a = 0; a < 3; a++) other.pos[i][a] = cell.pos[j][a] + 3.7 * (a + 1) - 1.3;
    }
    edges_of(&other, e);
    assert_close(e, e0, 3, 0.0, 1e-10, "translated, reordered crystal");
    pg_cell_free(&other);
    pg_cell_free(&cell);
    /* 2×2×2 vs 2×2×4 of the ideal crystal */
    assert_int_equal(pg_test_load_config("Ag3SBr_2x2x2_ideal", &cell), PG_OK);
    edges_of(&cell, e0);
    assert_int_equal(pg_cell_init(&other, 2 * cell.n_atom), PG_OK);
    memcpy(other.lattice, cell.lattice, sizeof cell.lattice);
    for (int a = 0; a < 3; a++) other.lattice[2][a] *= 2.0;
    for (int64_t i = 0; i < 2 * cell.n_atom; i++) {
        const int64_t j = i % cell.n_atom;
        other.z[i] = cell.z[j];
        for (int a = 0; a < 3; a++)
            other.pos[i][a] = cell.pos[j][a] + (i >= cell.n_atom ? cell.lattice[2][a] : 0.0);
    }
    edges_of(&other, e);
    assert_close(e, e0, 3, 0.0, 1e-10, "2x2x2 vs 2x2x4 ideal");
    pg_cell_free(&other);
    pg_cell_free(&cell);
}

/* isolated atoms: no hopping, so the spectrum is the onsite table (analytic) */
static void test_isolated_atoms(void **state)
{
    (void)state;
    pg_cell_t cell;
    /* Ag + Br 6 Å apart in a 12 Å box: 18 electrons, N_occ = 9 -> VBM = Ag d, CBM = Ag s */
    assert_int_equal(pg_cell_init(&cell, 2), PG_OK);
    memset(cell.lattice, 0, sizeof cell.lattice);
    for (int k = 0; k < 3; k++) cell.lattice[k][k] = 12.0;
    cell.z[0] = 47;
    cell.z[1] = 35;
    cell.pos[1][0] = 6.0;
    pg_tb_result_t r;
    assert_int_equal(pg_tb_band_edges(&cell, MPI_COMM_SELF, NULL, &r), PG_OK);
    assert_true(r.vbm_ev == -10.50 && r.cbm_ev == -9.40);
    assert_int_equal(r.near_metallic, 0);
    assert_int_equal(r.n_hop, 0);
    /* S + S: no anion–anion hopping even at 2.5 Å; 12 electrons, N_occ = 6 falls inside the
     * 6-fold S p level: gap 0, flagged near-metallic, numbers reported */
    cell.z[0] = cell.z[1] = 16;
    cell.pos[1][0] = 2.5;
    assert_int_equal(pg_tb_band_edges(&cell, MPI_COMM_SELF, NULL, &r), PG_OK);
    assert_true(fabs(r.vbm_ev - -10.27) < 1e-13 && fabs(r.cbm_ev - -10.27) < 1e-13);
    assert_true(fabs(r.gap_ev) < 1e-13);
    assert_int_equal(r.near_metallic, 1);
    pg_cell_free(&cell);
}

static void test_errors(void **state)
{
    (void)state;
    pg_cell_t cell;
    assert_int_equal(pg_cell_init(&cell, 2), PG_OK);
    memset(cell.lattice, 0, sizeof cell.lattice);
    for (int k = 0; k < 3; k++) cell.lattice[k][k] = 10.0;
    cell.z[0] = 47;
    cell.z[1] = 17; /* Cl: not in the model */
    cell.pos[1][0] = 2.5;
    pg_tb_result_t r;
    assert_int_equal(pg_tb_band_edges(&cell, MPI_COMM_SELF, NULL, &r), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "Cl"));
    assert_non_null(strstr(pg_err_message(), "atom 1"));
    /* Ag + S: 17 electrons, odd */
    cell.z[1] = 16;
    assert_int_equal(pg_tb_band_edges(&cell, MPI_COMM_SELF, NULL, &r), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "17 valence electrons"));
    /* Ag + Br closer than 1 Å */
    cell.z[1] = 35;
    cell.pos[1][0] = 0.9;
    assert_int_equal(pg_tb_band_edges(&cell, MPI_COMM_SELF, NULL, &r), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "0.9000"));
    pg_cell_free(&cell);
}

/* [tightbinding] deck keys: defaults, values, and a range error naming file:line */
static void test_deck_options(void **state)
{
    (void)state;
    pg_deck_t *d = NULL;
    pg_tb_options_t o;
    assert_int_equal(pg_deck_parse("tb.deck", "[run]\nseed = 1\n", &d), PG_OK);
    assert_int_equal(pg_tb_options_from_deck(d, &o), PG_OK);
    assert_int_equal(o.solver, PG_TB_SOLVER_AUTO);
    assert_int_equal(o.evr_min_dim, PG_TB_EVR_MIN_DIM);
    assert_int_equal(o.want_character, 0);
    pg_deck_destroy(&d);
    assert_int_equal(pg_deck_parse("tb.deck",
                                   "[tightbinding]\nsolver = dsyevd\n"
                                   "block_size = 32\ncharacter = yes\n",
                                   &d),
                     PG_OK);
    assert_int_equal(pg_tb_options_from_deck(d, &o), PG_OK);
    assert_int_equal(o.solver, PG_TB_SOLVER_EVD);
    assert_int_equal(o.block_size, 32);
    assert_int_equal(o.want_character, 1);
    pg_deck_destroy(&d);
    assert_int_equal(pg_deck_parse("tb.deck", "[tightbinding]\n\nblock_size = 0\n", &d),
                     PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "tb.deck:3"));
    assert_int_equal(pg_deck_parse("tb.deck", "[tightbinding]\nsolver = zheev\n", &d),
                     PG_ERR_INPUT);
    pg_deck_destroy(&d);
}

/* LAPACK wrappers on a random symmetric matrix: dsyevr's index range equals the slice of
 * dsyevd's spectrum, and its vectors satisfy A v = λ v */
static void test_linalg_random(void **state)
{
    (void)state;
    const int n = 60, il = 20, iu = 27, m = iu - il + 1;
    double *a = malloc(sizeof(double) * n * n), *b = malloc(sizeof(double) * n * n);
    double *z = malloc(sizeof(double) * n * m), w[60], wr[8];
    srand48(3);
    for (int i = 0; i < n; i++)
        for (int j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = drand48() - 0.5;
    memcpy(b, a, sizeof(double) * n * n);
    assert_int_equal(pg_linalg_dsyevd(n, b, n, 0, w), PG_OK);
    memcpy(b, a, sizeof(double) * n * n);
    assert_int_equal(pg_linalg_dsyevr_range(n, b, n, il, iu, wr, z, n), PG_OK);
    assert_close(wr, &w[il - 1], m, 0.0, 1e-13, "dsyevr range vs dsyevd");
    double res = 0.0;
    for (int k = 0; k < m; k++)
        for (int i = 0; i < n; i++) {
            double av = 0.0;
            for (int j = 0; j < n; j++) av += a[i * n + j] * z[k * n + j];
            res = fmax(res, fabs(av - wr[k] * z[k * n + i]));
        }
    assert_true(res < 1e-12);
    assert_int_equal(pg_linalg_dsyevr_range(n, b, n, 5, 4, wr, NULL, 0), PG_ERR_INPUT);
    free(a);
    free(b);
    free(z);
}

static int setup(void **state)
{
    (void)state;
    return 0;
}

int main(int argc, char **argv)
{
    MPI_Comm world;
    if (pg_par_init(&argc, &argv, &world) != PG_OK) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sk_blocks_reference),
        cmocka_unit_test(test_sk_symmetry_and_cutoff),
        cmocka_unit_test(test_sk_blocked_vs_reference),
        cmocka_unit_test(test_dimer_rotation_invariance),
        cmocka_unit_test(test_reference_configs),
        cmocka_unit_test(test_solvers_agree),
        cmocka_unit_test(test_hamiltonian),
        cmocka_unit_test(test_band_edge_character),
        cmocka_unit_test(test_supercell_folding),
        cmocka_unit_test(test_invariances),
        cmocka_unit_test(test_isolated_atoms),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_deck_options),
        cmocka_unit_test(test_linalg_random),
    };
    int rc = cmocka_run_group_tests_name("tb", tests, setup, NULL);
    pg_par_finalize(&world);
    return rc;
}
