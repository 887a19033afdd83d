/* fdfc.c - finite-displacement force constants with PRV-CAP-1 (phonopy's procedure; see
 * pg_fdfc.h for the steps). The displacement directions follow phonopy 2.17
 * (harmonic/displacement.py: get_least_displacements with is_diagonal, is_plusminus="auto") so
 * the same supercells are evaluated; the least-squares rows use the site operations of the
 * displaced atom as in phonopy's _solve_force_constants_svd (normal equations instead of an SVD:
 * U has full column rank by construction). */
#include "phonograph/pg_fdfc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "phonograph/pg_par.h"

/* phonopy's directions_diag, lattice basis */
static const int k_dirs[13][3] = {{1, 0, 0},  {0, 1, 0},  {0, 0, 1},  {1, 1, 0},  {1, 0, 1},
                                  {0, 1, 1},  {1, -1, 0}, {1, 0, -1}, {0, 1, -1}, {1, 1, 1},
                                  {1, 1, -1}, {1, -1, 1}, {-1, 1, 1}};

static void rot_dir(const int w[3][3], const int d[3], int out[3])
{
    for (int a = 0; a < 3; a++) out[a] = w[a][0] * d[0] + w[a][1] * d[1] + w[a][2] * d[2];
}

static int det3i(const int a[3], const int b[3], const int c[3])
{
    return a[0] * b[1] * c[2] - a[0] * b[2] * c[1] + a[1] * b[2] * c[0] - a[1] * b[0] * c[2] +
           a[2] * b[0] * c[1] - a[2] * b[1] * c[0];
}

/* phonopy get_displacement: indices into k_dirs of the chosen directions (1, 2 or 3) */
static int choose_directions(const pg_symmetry_t *sym, const int *ops, int n_ops, int chosen[3])
{
    int rd[192][3], rd_n = n_ops < 192 ? n_ops : 192;
    for (int k = 0; k < 13; k++) { /* one direction and two of its images */
        for (int s = 0; s < rd_n; s++) rot_dir((const int(*)[3])sym->rotations[ops[s]], k_dirs[k], rd[s]);
        for (int i = 0; i < rd_n; i++)
            for (int j = i + 1; j < rd_n; j++)
                if (det3i(k_dirs[k], rd[i], rd[j]) != 0) {
                    chosen[0] = k;
                    return 1;
                }
    }
    for (int k = 0; k < 13; k++) { /* a direction, one image and a second direction */
        for (int s = 0; s < rd_n; s++) rot_dir((const int(*)[3])sym->rotations[ops[s]], k_dirs[k], rd[s]);
        for (int i = 0; i < rd_n; i++)
            for (int k2 = 0; k2 < 13; k2++)
                if (det3i(k_dirs[k], rd[i], k_dirs[k2]) != 0) {
                    chosen[0] = k;
                    chosen[1] = k2;
                    return 2;
                }
    }
    chosen[0] = 0, chosen[1] = 1, chosen[2] = 2;
    return 3;
}

/* phonopy is_minus_displacement: minus needed unless a site operation maps d to -d */
static int needs_minus(const pg_symmetry_t *sym, const int *ops, int n_ops, const int d[3])
{
    for (int s = 0; s < n_ops; s++) {
        int r[3];
        rot_dir((const int(*)[3])sym->rotations[ops[s]], d, r);
        if (r[0] + d[0] == 0 && r[1] + d[1] == 0 && r[2] + d[2] == 0) return 0;
    }
    return 1;
}

pg_status_t pg_fdfc_displacements(const pg_cell_t *super, const pg_symmetry_t *sym,
                                  const int64_t *atom_map, double amplitude,
                                  pg_fd_disp_t **disp, int64_t *n_disp)
{
    pg_status_t st = PG_OK;
    const int64_t n = super->n_atom;
    int *ops = NULL;
    pg_fd_disp_t *out = NULL;
    int64_t count = 0;
    *disp = NULL;
    *n_disp = 0;
    PG_REQUIRE(amplitude > 0.0, PG_ERR_INPUT, "displacement amplitude must be positive, found %g Å",
               amplitude);
    PG_TRY_CALLOC(ops, sym->n_ops, "site operations");
    PG_TRY_CALLOC(out, 6 * n, "displacements"); /* at most 3 directions x 2 signs per atom */
    for (int64_t a = 0; a < n; a++) {
        if (sym->equivalent_atoms[a] != a) continue;
        int n_site = 0, chosen[3];
        pg_symmetry_site_ops(sym, atom_map, n, a, ops, &n_site);
        const int n_dir = choose_directions(sym, ops, n_site, chosen);
        for (int k = 0; k < n_dir; k++) {
            const int *d = k_dirs[chosen[k]];
            double c[3], len = 0.0;
            for (int b = 0; b < 3; b++) {
                c[b] = d[0] * super->lattice[0][b] + d[1] * super->lattice[1][b] + d[2] * super->lattice[2][b];
                len += c[b] * c[b];
            }
            len = sqrt(len);
            pg_fd_disp_t *p = &out[count++];
            p->atom = a;
            for (int b = 0; b < 3; b++) p->u[b] = amplitude * c[b] / len;
            if (needs_minus(sym, ops, n_site, d)) {
                pg_fd_disp_t *m = &out[count++];
                m->atom = a;
                for (int b = 0; b < 3; b++) m->u[b] = -p->u[b];
            }
        }
    }
    *disp = out;
    *n_disp = count;
    out = NULL;
cleanup:
    free(ops);
    free(out);
    return st;
}

static pg_status_t inverse_sym3(const double m[3][3], double inv[3][3])
{
    PG_CHECK(pg_mat3_inverse(m, inv));
    return PG_OK;
}

pg_status_t pg_fdfc_compute(MPI_Comm comm, pg_potential_t *pot, const pg_cell_t *super,
                            double amplitude, double symprec, pg_fc_t *fc, pg_fdfc_info_t *info)
{
    pg_status_t st = PG_OK, local = PG_OK;
    const int rank = pg_par_rank(comm), size = pg_par_size(comm);
    const int64_t n = super->n_atom;
    pg_symmetry_t sym = {0};
    int64_t *atom_map = NULL, n_disp = 0;
    pg_fd_disp_t *disp = NULL;
    double *forces = NULL;          /* [n_disp + 1][n][3]; the last block: ideal supercell */
    double(*rot)[3][3] = NULL;      /* [n_ops] Cartesian rotations */
    int *ops = NULL;
    int64_t *pinv = NULL;           /* [n_site][n] inverse permutations of the site operations */
    pg_cell_t work = {0};
    pg_fdfc_info_t inf = {0};
    memset(fc, 0, sizeof *fc);

    PG_TRY_REQUIRE(amplitude > 0.0, PG_ERR_INPUT, "displacement amplitude must be positive, found %g Å",
                   amplitude);
    /* symmetry once on rank 0, broadcast (CONVENTIONS §5) */
    if (rank == 0) local = pg_symmetry_find(super, symprec, &sym);
    PG_TRY(pg_par_agree(comm, &local));
    if (local != PG_OK) { /* the agreed record holds rank 0's message */
        st = local;
        pg_err_frame(__FILE__, __LINE__, __func__);
        goto cleanup;
    }
    PG_TRY(pg_symmetry_bcast(comm, 0, &sym));
    inf.spacegroup_number = sym.spacegroup_number;
    PG_TRY_CALLOC(atom_map, (int64_t)sym.n_ops * n, "atom map");
    PG_TRY(pg_symmetry_atom_map(super, &sym, symprec, atom_map));
    PG_TRY(pg_fdfc_displacements(super, &sym, atom_map, amplitude, &disp, &n_disp));
    inf.n_disp = n_disp;
    for (int64_t a = 0; a < n; a++) inf.n_indep += sym.equivalent_atoms[a] == a;

    /* force evaluations, round-robin over ranks */
    PG_TRY_CALLOC(forces, (n_disp + 1) * n * 3, "displaced forces");
    PG_TRY(pg_cell_copy(&work, super));
    for (int64_t k = 0; k <= n_disp && local == PG_OK; k++) {
        if (k % size != rank) continue;
        memcpy(work.pos, super->pos, sizeof(double[3]) * (size_t)n);
        if (k < n_disp)
            for (int b = 0; b < 3; b++) work.pos[disp[k].atom][b] += disp[k].u[b];
        pg_potential_result_t r;
        local = pg_potential_compute(pot, &work, &r, (double(*)[3])(forces + k * n * 3));
    }
    PG_TRY(pg_par_agree(comm, &local));
    if (local != PG_OK) {
        st = local;
        pg_err_frame(__FILE__, __LINE__, __func__);
        goto cleanup;
    }
    PG_TRY(pg_par_sum_double(comm, forces, (n_disp + 1) * n * 3));
    for (int64_t i = 0; i < n; i++) {
        const double *f = forces + (n_disp * n + i) * 3;
        inf.max_ideal_force = fmax(inf.max_ideal_force, sqrt(f[0] * f[0] + f[1] * f[1] + f[2] * f[2]));
    }

    PG_TRY_CALLOC(rot, sym.n_ops, "Cartesian rotations");
    for (int s = 0; s < sym.n_ops; s++)
        PG_TRY(pg_symmetry_cart_rotation(super->lattice, (const int(*)[3])sym.rotations[s], rot[s]));
    PG_TRY(pg_fc_init(fc, n, n));
    PG_TRY_CALLOC(ops, sym.n_ops, "site operations");

    /* rows of the independent atoms: least squares over displacements x site operations */
    for (int64_t a = 0; a < n; a++) {
        if (sym.equivalent_atoms[a] != a) continue;
        int n_site = 0;
        pg_symmetry_site_ops(&sym, atom_map, n, a, ops, &n_site);
        free(pinv);
        pinv = NULL;
        PG_TRY_CALLOC(pinv, (int64_t)n_site * n, "site permutations");
        for (int s = 0; s < n_site; s++)
            for (int64_t i = 0; i < n; i++) pinv[(int64_t)s * n + atom_map[(int64_t)ops[s] * n + i]] = i;
        double utu[3][3] = {{0}}, utu_inv[3][3];
        int n_rows = 0;
        for (int64_t k = 0; k < n_disp; k++) {
            if (disp[k].atom != a) continue;
            for (int s = 0; s < n_site; s++) {
                const double(*R)[3] = rot[ops[s]];
                double u[3];
                for (int b = 0; b < 3; b++) u[b] = R[b][0] * disp[k].u[0] + R[b][1] * disp[k].u[1] + R[b][2] * disp[k].u[2];
                for (int b = 0; b < 3; b++)
                    for (int c = 0; c < 3; c++) utu[b][c] += u[b] * u[c];
                n_rows++;
            }
        }
        PG_TRY_REQUIRE(n_rows >= 3, PG_ERR_INTERNAL, "atom %lld: %d displacement rows", (long long)a, n_rows);
        st = inverse_sym3(utu, utu_inv);
        PG_TRY_REQUIRE(st == PG_OK, PG_ERR_NUMERIC,
                       "displacements of atom %lld do not span 3-D (singular U^T U)", (long long)a);
        for (int64_t j = 0; j < n; j++) {
            double g[3][3] = {{0}}; /* Σ_rows u ⊗ f_j */
            for (int64_t k = 0; k < n_disp; k++) {
                if (disp[k].atom != a) continue;
                for (int s = 0; s < n_site; s++) {
                    const double(*R)[3] = rot[ops[s]];
                    const double *f = forces + (k * n + pinv[(int64_t)s * n + j]) * 3;
                    double u[3], rf[3];
                    for (int b = 0; b < 3; b++) {
                        u[b] = R[b][0] * disp[k].u[0] + R[b][1] * disp[k].u[1] + R[b][2] * disp[k].u[2];
                        rf[b] = R[b][0] * f[0] + R[b][1] * f[1] + R[b][2] * f[2];
                    }
                    for (int b = 0; b < 3; b++)
                        for (int c = 0; c < 3; c++) g[b][c] += u[b] * rf[c];
                }
            }
            double(*phi)[3] = pg_fc_block(fc, a, j);
            for (int b = 0; b < 3; b++)
                for (int c = 0; c < 3; c++)
                    phi[b][c] = -(utu_inv[b][0] * g[0][c] + utu_inv[b][1] * g[1][c] + utu_inv[b][2] * g[2][c]);
        }
    }
    /* other rows by symmetry: op s maps i -> a = its representative, Φ(i,j) = Rᵀ Φ(a, s(j)) R */
    for (int64_t i = 0; i < n; i++) {
        const int64_t a = sym.equivalent_atoms[i];
        if (a == i) continue;
        int s = 0;
        while (s < sym.n_ops && atom_map[(int64_t)s * n + i] != a) s++;
        PG_TRY_REQUIRE(s < sym.n_ops, PG_ERR_INTERNAL, "no operation maps atom %lld to %lld",
                       (long long)i, (long long)a);
        const double(*R)[3] = rot[s];
        for (int64_t j = 0; j < n; j++) {
            const double(*src)[3] = pg_fc_block(fc, a, atom_map[(int64_t)s * n + j]);
            double t[3][3], (*dst)[3] = pg_fc_block(fc, i, j);
            for (int b = 0; b < 3; b++)
                for (int c = 0; c < 3; c++) t[b][c] = src[b][0] * R[0][c] + src[b][1] * R[1][c] + src[b][2] * R[2][c];
            for (int b = 0; b < 3; b++)
                for (int c = 0; c < 3; c++) dst[b][c] = R[0][b] * t[0][c] + R[1][b] * t[1][c] + R[2][b] * t[2][c];
        }
    }
    PG_TRY(pg_fc_symmetrize(fc, 1, &inf.max_sym_change));
    PG_TRY(pg_fc_check_finite(fc, "finite-displacement force constants"));
    if (info) *info = inf;
cleanup:
    if (st != PG_OK) pg_fc_free(fc);
    pg_symmetry_free(&sym);
    pg_cell_free(&work);
    free(atom_map);
    free(disp);
    free(forces);
    free(rot);
    free(ops);
    free(pinv);
    return st;
}
