/* test_phonons.c - meshes, DOS, thermal properties, thermal displacements and the sampler's
 * commensurate modes against phonopy 2.17 (NaCl reference.h5, random_disp_300K.h5). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_phonons.h"
#include "phonograph/pg_units.h"
#include "test_phonon_common.h"

static void read_ds(const char *file, const char *path, void *buf, pg_h5_type_t type)
{
    pg_h5_t *h = NULL;
    assert_int_equal(pg_h5_open(file, PG_H5_READ, MPI_COMM_NULL, &h), PG_OK);
    assert_int_equal(pg_h5_read(h, path, type, buf), PG_OK);
    pg_h5_close(&h);
}

/* frequencies (and optionally msd) on a q set */
static double *solve_set(const pg_dynmat_t *dm, const pg_qset_t *qs, double fmin, int n_t,
                         const double *temps, double *msd)
{
    int n = pg_dynmat_n_band(dm);
    double *f = calloc((size_t)(qs->n_q * n), sizeof(double));
    double complex *e = calloc((size_t)(n * n), sizeof(double complex));
    pg_dynmat_ws_t ws;
    assert_int_equal(pg_dynmat_ws_init(&ws, dm), PG_OK);
    if (msd) memset(msd, 0, sizeof(double) * (size_t)(n_t * n / 3 * 9));
    for (int64_t iq = 0; iq < qs->n_q; iq++) {
        assert_int_equal(pg_dynmat_solve(dm, &ws, qs->q[iq], f + iq * n, e, NULL), PG_OK);
        if (msd)
            pg_phonon_msd_accumulate(n / 3, pg_dynmat_masses(dm), f + iq * n, e, qs->weight[iq],
                                     fmin, 0, n_t, temps, msd);
    }
    if (msd) {
        double wsum = 0;
        for (int64_t iq = 0; iq < qs->n_q; iq++) wsum += qs->weight[iq];
        for (int t = 0; t < n_t * n / 3 * 9; t++) msd[t] /= wsum;
    }
    pg_dynmat_ws_free(&ws);
    free(e);
    return f;
}

static void test_mesh_dos_thermal(void **state)
{
    (void)state;
    nacl_t s;
    nacl_load(&s, "force_constants.hdf5");
    const char *ref = nacl_file("reference.h5");
    int mesh[3] = {20, 20, 20}, shift[3];
    pg_phonon_mp_shift(mesh, 0, shift);
    assert_true(shift[0] == 1 && shift[1] == 1 && shift[2] == 1);
    pg_qset_t full = {0}, ir = {0};
    assert_int_equal(pg_phonon_mesh(mesh, shift, &full), PG_OK);
    assert_int_equal(full.n_q, 8000);
    /* irreducible mesh with the primitive cell's 48 rotations + time reversal: phonopy has 770 */
    int rot[48][3][3];
    read_ds(PHONON_TEST_DATA, "/nacl/primitive_rotations", rot, PG_H5_I32);
    assert_int_equal(pg_phonon_mesh_ir(mesh, shift, 48, (const int(*)[3][3])rot, 1, &ir), PG_OK);
    assert_int_equal(ir.n_q, 770);
    double wsum = 0;
    for (int64_t t = 0; t < ir.n_q; t++) wsum += ir.weight[t];
    assert_true(wsum == 8000);
    int64_t refw[770];
    read_ds(ref, "/dos/ir_weights", refw, PG_H5_I64);
    /* same multiset of weights as phonopy's */
    int hist[49] = {0}, hist_ref[49] = {0};
    for (int t = 0; t < 770; t++) {
        hist[(int)ir.weight[t]]++;
        hist_ref[refw[t]]++;
    }
    assert_memory_equal(hist, hist_ref, sizeof hist);

    double *f_ir = solve_set(s.dm, &ir, 0, 0, NULL, NULL);
    double *f_full = solve_set(s.dm, &full, 0, 0, NULL, NULL);
    /* Gaussian DOS on phonopy's grid: 1e-8 relative */
    double fp[951], dref[951], dos[951];
    read_ds(ref, "/dos/frequency_points", fp, PG_H5_F64);
    read_ds(ref, "/dos/dos_gaussian", dref, PG_H5_F64);
    pg_phonon_dos_gaussian(ir.n_q, 6, f_ir, ir.weight, 0.1, 951, fp, dos);
    double dmax = 0;
    for (int t = 0; t < 951; t++) dmax = fmax(dmax, dref[t]);
    assert_close(dos, dref, 951, 1e-8, 1e-12 * dmax, "DOS (ir mesh)");
    /* thermal properties, both full and irreducible: 1e-10 relative */
    double T[4], Fr[4], Sr[4], Cr[4], F[4], S[4], C[4];
    read_ds(ref, "/thermal_properties/temperatures", T, PG_H5_F64);
    read_ds(ref, "/thermal_properties/free_energy", Fr, PG_H5_F64);
    read_ds(ref, "/thermal_properties/entropy", Sr, PG_H5_F64);
    read_ds(ref, "/thermal_properties/heat_capacity", Cr, PG_H5_F64);
    for (int pass = 0; pass < 2; pass++) {
        const pg_qset_t *qs = pass ? &full : &ir;
        pg_phonon_thermal(qs->n_q, 6, pass ? f_full : f_ir, qs->weight, 0, 4, T, F, S, C);
        assert_close(F, Fr, 4, 1e-10, 0, "free energy");
        assert_close(S, Sr, 4, 1e-10, 1e-300, "entropy");
        assert_close(C, Cr, 4, 1e-10, 1e-300, "heat capacity");
    }
    assert_true(S[0] == 0 && C[0] == 0); /* T = 0 */
    free(f_ir);
    free(f_full);
    pg_qset_free(&ir);
    pg_qset_free(&full);
    nacl_free(&s);
}

static void test_thermal_displacements(void **state)
{
    (void)state;
    nacl_t s;
    nacl_load(&s, "force_constants.hdf5");
    const char *ref = nacl_file("reference.h5");
    int mesh[3] = {20, 20, 20};
    for (int gc = 0; gc < 2; gc++) {
        int shift[3];
        pg_phonon_mp_shift(mesh, gc, shift);
        pg_qset_t full = {0};
        assert_int_equal(pg_phonon_mesh(mesh, shift, &full), PG_OK);
        double T[4], mref[4][2][3][3], msd[4][2][3][3];
        const char *g = gc ? "/thermal_displacements_gamma_centre" : "/thermal_displacements";
        char p[128];
        snprintf(p, sizeof p, "%s/temperatures", g);
        read_ds(ref, p, T, PG_H5_F64);
        snprintf(p, sizeof p, "%s/msd_matrices", g);
        read_ds(ref, p, mref, PG_H5_F64);
        free(solve_set(s.dm, &full, 0.01, 4, T, &msd[0][0][0][0]));
        /* off-diagonal elements are ~0 (cubic): absolute floor 1e-10 x the diagonal */
        assert_close(&msd[0][0][0][0], &mref[0][0][0][0], 72, 1e-10, 1e-10 * mref[3][0][0][0],
                     gc ? "msd (Γ-centred)" : "msd (MP)");
        pg_qset_free(&full);
    }
    nacl_free(&s);
}

static void test_commensurate_modes(void **state)
{
    (void)state;
    nacl_t s;
    nacl_load(&s, "force_constants.hdf5");
    int64_t S64[3][3];
    int S[3][3];
    read_ds(nacl_file("reference.h5"), "/structure/supercell_matrix_wrt_primitive", S64,
            PG_H5_I64);
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) S[a][b] = (int)S64[a][b];
    pg_phonon_modes_t m;
    assert_int_equal(pg_phonon_commensurate_modes(s.dm, (const int(*)[3])S, &m), PG_OK);
    assert_int_equal(m.n_q, 32);
    assert_int_equal(m.n_ii, 8);
    assert_int_equal(m.n_pair, 12);
    assert_int_equal(m.n_rep, 20);
    /* frequencies vs phonopy's representatives (ours may be the -q partner) */
    const char *rd = nacl_file("random_disp_300K.h5");
    double cq[20][3], cf[20][6];
    read_ds(rd, "/quantum/commensurate_qpoints", cq, PG_H5_F64);
    read_ds(rd, "/quantum/commensurate_frequencies", cf, PG_H5_F64);
    double worst = 0;
    for (int r = 0; r < 20; r++) {
        int found = -1;
        for (int t = 0; t < 20 && found < 0; t++) {
            int eq = 1, eqm = 1;
            for (int c = 0; c < 3; c++) {
                double d = m.q[r][c] - cq[t][c], dm_ = m.q[r][c] + cq[t][c];
                eq &= fabs(d - nearbyint(d)) < 1e-9;
                eqm &= fabs(dm_ - nearbyint(dm_)) < 1e-9;
            }
            if (eq || eqm) found = t;
        }
        assert_true(found >= 0);
        for (int b = 0; b < 6; b++) worst = fmax(worst, fabs(m.freq_thz[r * 6 + b] - cf[found][b]));
    }
    assert_true(worst < 1e-6);
    /* real gauge at ii points: eigenvectors real, orthonormal */
    for (int r = 0; r < 20; r++) {
        if (!m.is_ii[r]) continue;
        for (int t = 0; t < 36; t++) assert_true(cimag(m.evec[r * 36 + t]) == 0);
    }
    /* analytic sampler variance ⟨u_ka²⟩ (ALGORITHMS.md §6.4, diagonal) vs phonopy at 300 K */
    double ua[64][3], u[64][3];
    read_ds(rd, "/quantum/msd_analytic", ua, PG_H5_F64);
    memset(u, 0, sizeof u);
    const double T = 300;
    for (int r = 0; r < 20; r++) {
        double mult = m.is_ii[r] ? 1.0 : 2.0; /* q and -q */
        for (int sb = 0; sb < 6; sb++) {
            double nu = fabs(m.freq_thz[r * 6 + sb]);
            if (nu <= 0.01) continue;
            double sig2 = PG_HBAR_EVS * PG_EV_SI / (2 * PG_PI * nu * 1e12) *
                          (pg_phonon_occupation(nu, T) + 0.5) / (PG_AMU_SI * 1e-20);
            for (int k = 0; k < 64; k++) {
                int j = (int)m.s2pp[k];
                for (int a = 0; a < 3; a++) {
                    double complex e = m.evec[r * 36 + (3 * j + a) * 6 + sb];
                    u[k][a] += mult * sig2 * creal(e * conj(e)) / (32.0 * m.mass[j]);
                }
            }
        }
    }
    assert_close(&u[0][0], &ua[0][0], 192, 1e-10, 0, "sampler msd_analytic");
    /* lattice vectors are integers and r_k = x_j + L_k */
    for (int k = 0; k < 64; k++) {
        double xj[3];
        pg_dynmat_prim_frac(s.dm, (int)m.s2pp[k], xj);
        for (int c = 0; c < 3; c++) assert_true(fabs(m.pos_frac[k][c] - xj[c] - m.lat_frac[k][c]) < 1e-8);
    }
    pg_phonon_modes_free(&m);
    nacl_free(&s);
}

static void test_band_path(void **state)
{
    (void)state;
    double ends[4][3] = {{0, 0, 0}, {0.5, 0, 0.5}, {0.5, 0, 0.5}, {0.5, 0.5, 0.5}};
    double recip[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    pg_qset_t qs = {0};
    double *d = NULL;
    assert_int_equal(pg_phonon_band_path(2, (const double(*)[3])ends, 11, recip, &qs, &d), PG_OK);
    assert_int_equal(qs.n_q, 22);
    assert_true(fabs(d[10] - sqrt(0.5)) < 1e-14 && d[11] == d[10]);
    assert_true(fabs(d[21] - sqrt(0.5) - 0.5) < 1e-14);
    assert_true(qs.q[5][0] == 0.25 && qs.q[5][2] == 0.25);
    free(d);
    pg_qset_free(&qs);
    /* commensurate set of a diagonal 3x3x3 supercell */
    int S[3][3] = {{3, 0, 0}, {0, 3, 0}, {0, 0, 3}};
    assert_int_equal(pg_phonon_commensurate((const int(*)[3])S, &qs), PG_OK);
    assert_int_equal(qs.n_q, 27);
    assert_true(fabs(qs.q[1][2] - 1.0 / 3) < 1e-15);
    pg_qset_free(&qs);
}

/* Tetrahedron DOS: ∫ DOS dν = n_band for arbitrary frequencies; a free-electron-like band
 * ν = c|q|² (cubic cell, q in the first zone) gives the analytic √ν DOS away from the zone
 * boundary; an irreducible-style grid_row (rows shared by points with equal frequencies) gives
 * the full-grid result; the diagonal choice is phonopy's shortest. */
static double rnd01(unsigned *s) { *s = *s * 1103515245u + 12345u; return ((*s >> 8) & 0xffffff) / 16777216.0; }
static void test_dos_tetrahedron(void **state)
{
    (void)state;
    const int mesh[3] = {6, 5, 4};
    const int n_grid = 120, nb = 2;
    const double recip[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    double *freq = malloc(sizeof(double) * n_grid * nb);
    unsigned seed = 7;
    for (int k = 0; k < n_grid * nb; k++) freq[k] = 1.0 + 4.0 * rnd01(&seed);
    const int64_t n_f = 80001;
    double *f = malloc(sizeof(double) * n_f), *dos = malloc(sizeof(double) * n_f);
    for (int64_t t = 0; t < n_f; t++) f[t] = 0.5 + 5.0 * t / (n_f - 1);
    assert_int_equal(pg_phonon_dos_tetrahedron(mesh, recip, NULL, nb, freq, n_f, f, dos), PG_OK);
    double integral = 0;
    for (int64_t t = 1; t < n_f; t++) integral += 0.5 * (dos[t] + dos[t - 1]) * (f[t] - f[t - 1]);
    assert_true(fabs(integral - nb) < 1e-6);
    /* free-electron band on a fine cubic grid: DOS = 2π √ν / c^{3/2} per unit q-volume */
    const int m = 24, mm[3] = {24, 24, 24};
    double *fe = malloc(sizeof(double) * m * m * m);
    for (int g2 = 0; g2 < m; g2++)
        for (int g1 = 0; g1 < m; g1++)
            for (int g0 = 0; g0 < m; g0++) {
                int g[3] = {g0, g1, g2};
                double q2 = 0;
                for (int c = 0; c < 3; c++) {
                    double q = (double)(g[c] > m / 2 ? g[c] - m : g[c]) / m;
                    q2 += q * q;
                }
                fe[g0 + m * (g1 + m * g2)] = q2; /* c = 1 */
            }
    double fv[3] = {0.04, 0.09, 0.16}, dv[3];
    assert_int_equal(pg_phonon_dos_tetrahedron(mm, recip, NULL, 1, fe, 3, fv, dv), PG_OK);
    for (int k = 0; k < 3; k++) /* linear interpolation error of q² over a cell: a few % */
        assert_true(fabs(dv[k] / (2 * M_PI * sqrt(fv[k])) - 1) < 0.03);
    /* mirror-symmetric frequencies: rows of the mirror images give the same DOS */
    double *fs = malloc(sizeof(double) * n_grid * nb);
    int64_t *row = malloc(sizeof(int64_t) * n_grid);
    for (int g2 = 0; g2 < 4; g2++)
        for (int g1 = 0; g1 < 5; g1++)
            for (int g0 = 0; g0 < 6; g0++) {
                int r0 = (6 - g0) % 6, gi = g0 + 6 * (g1 + 5 * g2), ri = r0 + 6 * (g1 + 5 * g2);
                int lo = gi < ri ? gi : ri;
                row[gi] = lo;
                for (int s = 0; s < nb; s++) fs[gi * nb + s] = freq[lo * nb + s];
            }
    double *d1 = malloc(sizeof(double) * 1001), *d2 = malloc(sizeof(double) * 1001);
    assert_int_equal(pg_phonon_dos_tetrahedron(mesh, recip, NULL, nb, fs, 1001, f, d1), PG_OK);
    assert_int_equal(pg_phonon_dos_tetrahedron(mesh, recip, row, nb, freq, 1001, f, d2), PG_OK);
    assert_true(memcmp(d1, d2, sizeof(double) * 1001) == 0);
    /* diagonal: a sheared reciprocal cell makes (-1,1,1) the shortest */
    int sg[3];
    const double sh[3][3] = {{1, 0, 0}, {0.9, 1, 0}, {0.9, 0, 1}};
    pg_phonon_tetra_diagonal((const int[3]){1, 1, 1}, sh, sg);
    assert_true(sg[0] == -1 && sg[1] == 1 && sg[2] == 1);
    pg_phonon_tetra_diagonal((const int[3]){1, 1, 1}, recip, sg);
    assert_true(sg[0] == 1 && sg[1] == 1 && sg[2] == 1);
    free(freq);
    free(f);
    free(dos);
    free(fe);
    free(fs);
    free(row);
    free(d1);
    free(d2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mesh_dos_thermal),
        cmocka_unit_test(test_thermal_displacements),
        cmocka_unit_test(test_commensurate_modes),
        cmocka_unit_test(test_band_path),
        cmocka_unit_test(test_dos_tetrahedron),
    };
    return cmocka_run_group_tests_name("phonons", tests, NULL, NULL);
}
