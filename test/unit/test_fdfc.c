/* test_fdfc.c - finite-displacement force constants with PRV-CAP-1 against phonopy 2.17:
 * the displacement set equals phonopy's generate_displacements(distance=0.01) (made with
 * /usr/bin/python3 phonopy 2.17.1, values below), the force constants equal the spec's phonopy
 * files (../shared/physics/phonopy/<compound>_force_constants.hdf5, made by phonopy from the prototype's
 * forces), and the Γ frequencies equal reference.json (LABELER.md §8: 0.005 THz). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_dynmat.h"
#include "phonograph/pg_element.h"
#include "phonograph/pg_fdfc.h"
#include "phonograph/pg_poscar.h"
#include "phonograph/pg_supercell.h"
#include "phonograph/pg_units.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (fread(b, 1, (size_t)n, f) != (size_t)n) n = 0;
    b[n] = 0;
    fclose(f);
    return b;
}

static void load_supercell(const char *compound, int n, pg_supercell_t *sc, pg_cell_t *unit_out)
{
    char rel[128];
    snprintf(rel, sizeof rel, "physics/structures/POSCAR_%s", compound);
    const char *path = pg_test_path(pg_test_shared_dir(), rel);
    char *text = slurp(path);
    assert_non_null(text);
    pg_cell_t unit = {0};
    assert_int_equal(pg_poscar_parse(path, text, &unit), PG_OK);
    free(text);
    const int dim[3] = {n, n, n};
    assert_int_equal(pg_supercell_build_diag(&unit, dim, 1e-5, sc), PG_OK);
    if (unit_out) {
        pg_cell_set_default_masses(&unit);
        *unit_out = unit;
    } else {
        pg_cell_free(&unit);
    }
}

/* Jacobi eigenvalues of a symmetric matrix a[n][n] (destroyed), ascending in w */
static void jacobi_eigenvalues(int n, double *a, double *w)
{
    for (int sweep = 0; sweep < 100; sweep++) {
        double off = 0;
        for (int p = 0; p < n; p++)
            for (int q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
        if (off < 1e-30) break;
        for (int p = 0; p < n; p++)
            for (int q = p + 1; q < n; q++) {
                const double apq = a[p * n + q];
                if (fabs(apq) < 1e-300) continue;
                const double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                const double t = (theta >= 0 ? 1 : -1) / (fabs(theta) + sqrt(theta * theta + 1));
                const double c = 1 / sqrt(t * t + 1), s = t * c;
                for (int k = 0; k < n; k++) {
                    const double akp = a[k * n + p], akq = a[k * n + q];
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for (int k = 0; k < n; k++) {
                    const double apk = a[p * n + k], aqk = a[q * n + k];
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
            }
    }
    for (int i = 0; i < n; i++) w[i] = a[i * n + i];
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (w[j] < w[i]) {
                double t = w[i];
                w[i] = w[j];
                w[j] = t;
            }
}

/* Γ-point frequencies (THz, imaginary negative) of a full FC of supercell sc (unit = primitive) */
static void gamma_freqs(const pg_supercell_t *sc, const pg_fc_t *fc, double *freq)
{
    const int np = (int)sc->n_unit_atom, n = 3 * np;
    double *d = calloc((size_t)n * n, sizeof *d);
    for (int p = 0; p < np; p++)
        for (int64_t j = 0; j < sc->cell.n_atom; j++) {
            const int q = (int)sc->s2u[j];
            const double(*phi)[3] = pg_fc_block(fc, sc->u2s[p], j);
            const double m = sqrt(sc->cell.mass[sc->u2s[p]] * sc->cell.mass[sc->u2s[q]]);
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++) d[(3 * p + a) * n + 3 * q + b] += phi[a][b] / m;
        }
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) d[i * n + j] = d[j * n + i] = 0.5 * (d[i * n + j] + d[j * n + i]);
    jacobi_eigenvalues(n, d, freq);
    for (int i = 0; i < n; i++) freq[i] = (freq[i] < 0 ? -1 : 1) * sqrt(fabs(freq[i])) * PG_VASP_TO_THZ;
    free(d);
}

static int read_freq_ref(const char *compound, const char *sc, const char *qlabel, double *f15)
{
    FILE *f = fopen("test/data/potential/phonons.txt", "r");
    if (!f) return 0;
    char line[1024], name[32], dim[16], q[8];
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        int off = 0;
        if (sscanf(line, "freq %31s %15s %7s%n", name, dim, q, &off) != 3) continue;
        if (strcmp(name, compound) || strcmp(dim, sc) || strcmp(q, qlabel)) continue;
        char *p = line + off;
        for (int k = 0; k < 15; k++) f15[k] = strtod(p, &p);
        found = 1;
    }
    fclose(f);
    return found;
}

static pg_potential_t *new_pot(void)
{
    pg_potential_opts_t o;
    pg_potential_opts_default(&o);
    pg_potential_t *pot = NULL;
    assert_int_equal(pg_potential_create(&o, &pot), PG_OK);
    return pot;
}

static void test_displacements_like_phonopy(void **state)
{
    (void)state;
    for (int n = 2; n <= 3; n++) {
        pg_supercell_t sc = {0};
        load_supercell("Ag3SBr", n, &sc, NULL);
        pg_symmetry_t sym = {0};
        assert_int_equal(pg_symmetry_find(&sc.cell, 1e-5, &sym), PG_OK);
        int64_t *map = calloc((size_t)sym.n_ops * sc.cell.n_atom, sizeof *map);
        assert_int_equal(pg_symmetry_atom_map(&sc.cell, &sym, 1e-5, map), PG_OK);
        pg_fd_disp_t *d = NULL;
        int64_t nd = 0;
        assert_int_equal(pg_fdfc_displacements(&sc.cell, &sym, map, 0.01, &d, &nd), PG_OK);
        /* phonopy 2.17: atom 0 [0.00707107, 0.00707107, 0], atom 3N [0.01,0,0], atom 4N [0.01,0,0] */
        const int64_t nc = n * n * n;
        assert_int_equal(nd, 3);
        const double h = 0.01 / sqrt(2.0);
        const double want[3][3] = {{h, h, 0}, {0.01, 0, 0}, {0.01, 0, 0}};
        const int64_t atoms[3] = {0, 3 * nc, 4 * nc};
        for (int k = 0; k < 3; k++) {
            assert_int_equal(d[k].atom, atoms[k]);
            assert_close(d[k].u, want[k], 3, 0, 1e-15, "displacement vector");
        }
        free(d);
        free(map);
        pg_symmetry_free(&sym);
        pg_supercell_free(&sc);
    }
}

static void check_compound(const char *compound, int n, pg_potential_t *pot)
{
    pg_supercell_t sc = {0};
    pg_cell_t unit = {0};
    load_supercell(compound, n, &sc, &unit);
    pg_fc_t fc = {0}, ref = {0};
    pg_fdfc_info_t info;
    assert_int_equal(pg_fdfc_compute(MPI_COMM_SELF, pot, &sc.cell, 0.01, 1e-5, &fc, &info), PG_OK);
    assert_int_equal(info.spacegroup_number, 221);
    assert_int_equal(info.n_indep, 3);
    assert_int_equal(info.n_disp, 3);
    assert_true(info.max_ideal_force < 1e-10);
    /* phonopy's compact FC from the prototype's forces */
    char rel[128];
    snprintf(rel, sizeof rel, "physics/phonopy/%s_%dx%dx%d_force_constants.hdf5", compound, n, n, n);
    assert_int_equal(pg_fc_read_hdf5(pg_test_path(pg_test_shared_dir(), rel), sc.cell.n_atom, &ref), PG_OK);
    double scale = 0;
    for (int64_t k = 0; k < ref.n_row * ref.n_super; k++)
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) scale = fmax(scale, fabs(ref.phi[k][a][b]));
    for (int64_t r = 0; r < ref.n_row; r++) {
        char label[128];
        snprintf(label, sizeof label, "%s %dx%dx%d FC row of atom %lld vs phonopy", compound, n, n, n,
                 (long long)ref.p2s[r]);
        assert_close(&pg_fc_block(&fc, ref.p2s[r], 0)[0][0], &pg_fc_block(&ref, r, 0)[0][0],
                     9 * ref.n_super, 0, 1e-7 * scale, label);
    }
    /* acoustic sum rule and permutation symmetry of the full FC */
    double worst = 0;
    for (int64_t i = 0; i < fc.n_super; i++)
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) {
                double s = 0;
                for (int64_t j = 0; j < fc.n_super; j++) {
                    s += pg_fc_block(&fc, i, j)[a][b];
                    worst = fmax(worst, fabs(pg_fc_block(&fc, i, j)[a][b] - pg_fc_block(&fc, j, i)[b][a]));
                }
                worst = fmax(worst, fabs(s));
            }
    assert_true(worst < 1e-12 * fmax(scale, 1));
    double w[15], wref[15];
    char dim[16];
    snprintf(dim, sizeof dim, "%dx%dx%d", n, n, n);
    assert_true(read_freq_ref(compound, dim, "G", wref));
    gamma_freqs(&sc, &fc, w);
    char label[64];
    snprintf(label, sizeof label, "%s %s Gamma frequencies (THz)", compound, dim);
    assert_close(w, wref, 15, 0, 1e-4, label); /* spec: 0.005; the reference is rounded to 1e-4 */
    /* the phonon stage's dynamical matrix (phonopy conventions) at G, X, M, R */
    pg_dynmat_t *dm = NULL;
    pg_dynmat_ws_t ws = {0};
    assert_int_equal(pg_dynmat_create(&unit, &sc.cell, sc.u2s, sc.s2u, &fc, 1e-5, &dm), PG_OK);
    assert_int_equal(pg_dynmat_ws_init(&ws, dm), PG_OK);
    static const char *const qlab[4] = {"G", "X", "M", "R"};
    static const double qv[4][3] = {{0, 0, 0}, {0, 0.5, 0}, {0.5, 0.5, 0}, {0.5, 0.5, 0.5}};
    for (int iq = 0; iq < 4; iq++) {
        assert_true(read_freq_ref(compound, dim, qlab[iq], wref));
        assert_int_equal(pg_dynmat_solve(dm, &ws, qv[iq], w, NULL, NULL), PG_OK);
        snprintf(label, sizeof label, "%s %s %s frequencies via pg_dynmat (THz)", compound, dim, qlab[iq]);
        assert_close(w, wref, 15, 0, 1e-4, label);
    }
    pg_dynmat_ws_free(&ws);
    pg_dynmat_destroy(&dm);
    pg_cell_free(&unit);
    printf("%s %s: FC scale %.3g eV/A^2; G, X, M, R match; R: %.4f %.4f %.4f %.4f %.4f THz\n", compound, dim,
           scale, w[0], w[3], w[6], w[9], w[12]);
    pg_fc_free(&fc);
    pg_fc_free(&ref);
    pg_supercell_free(&sc);
}

static void test_force_constants_vs_phonopy(void **state)
{
    (void)state;
    pg_potential_t *pot = new_pot();
    check_compound("Ag3SBr", 2, pot);
    check_compound("Ag3SI", 2, pot);
    check_compound("Ag3SeBr", 2, pot);
    check_compound("Ag3SeI", 2, pot);
    check_compound("Ag3SBr", 3, pot);
    pg_potential_destroy(&pot);
}

static void test_bad_amplitude(void **state)
{
    (void)state;
    pg_potential_t *pot = new_pot();
    pg_supercell_t sc = {0};
    load_supercell("Ag3SBr", 2, &sc, NULL);
    pg_fc_t fc = {0};
    assert_int_equal(pg_fdfc_compute(MPI_COMM_SELF, pot, &sc.cell, 0.0, 1e-5, &fc, NULL), PG_ERR_INPUT);
    assert_null(fc.phi);
    pg_err_clear();
    pg_supercell_free(&sc);
    pg_potential_destroy(&pot);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_displacements_like_phonopy),
        cmocka_unit_test(test_force_constants_vs_phonopy),
        cmocka_unit_test(test_bad_amplitude),
    };
    int rc = cmocka_run_group_tests_name("fdfc", tests, NULL, NULL);
    MPI_Finalize();
    return rc;
}
