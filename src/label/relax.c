/* relax.c - cubic (isotropic) root find, FIRE for positions and cell, bulk modulus. */
#include "phonograph/pg_relax.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "phonograph/pg_units.h"

void pg_relax_opts_default(pg_relax_opts_t *opts)
{
    *opts = (pg_relax_opts_t){
        .mode = PG_RELAX_FULL, .fmax_ev_ang = 1e-4, .smax_gpa = 1e-6, .max_steps = 2000};
}

pg_status_t pg_relax_mode_parse(const char *word, pg_relax_mode_t *mode)
{
    static const char *const names[] = {"none", "cubic", "positions", "full"};
    for (int k = 0; k < 4; k++)
        if (!strcasecmp(word, names[k])) {
            *mode = (pg_relax_mode_t)k;
            return PG_OK;
        }
    return PG_ERR(PG_ERR_INPUT, "relax mode must be none, cubic, positions or full, found \"%s\"",
                  word);
}

static double sigma_h_gpa(const double s[3][3])
{
    return (s[0][0] + s[1][1] + s[2][2]) / 3.0 * PG_EV_ANG3_TO_GPA;
}

static double max_abs_stress_gpa(const double s[3][3])
{
    double m = 0.0;
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) m = fmax(m, fabs(s[a][b]));
    return m * PG_EV_ANG3_TO_GPA;
}

static double max_force(int64_t n, const double (*f)[3])
{
    double m = 0.0;
    for (int64_t i = 0; i < n; i++) m = fmax(m, sqrt(f[i][0] * f[i][0] + f[i][1] * f[i][1] + f[i][2] * f[i][2]));
    return m;
}

/* dst = src scaled isotropically by s about the origin (fractional coordinates unchanged) */
static void scale_cell(const pg_cell_t *src, double s, pg_cell_t *dst)
{
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) dst->lattice[a][b] = s * src->lattice[a][b];
    for (int64_t i = 0; i < src->n_atom; i++)
        for (int b = 0; b < 3; b++) dst->pos[i][b] = s * src->pos[i][b];
}

typedef struct {
    pg_potential_t *pot;
    const pg_cell_t *ref;
    pg_cell_t *work;
    int n_eval;
    pg_potential_result_t last;
} cubic_ctx_t;

static pg_status_t cubic_eval(cubic_ctx_t *c, double s, double *f)
{
    scale_cell(c->ref, s, c->work);
    PG_CHECK(pg_potential_compute(c->pot, c->work, &c->last, NULL));
    c->n_eval++;
    *f = sigma_h_gpa(c->last.stress);
    return PG_OK;
}

/* σ_h(s) = 0 by bracketing then Brent's method (Brent 1973, "zero"): inverse quadratic
 * interpolation / secant steps, bisection whenever they would not shrink the bracket fast. */
static pg_status_t relax_cubic(pg_potential_t *pot, const pg_relax_opts_t *opts, pg_cell_t *cell,
                               pg_relax_info_t *info)
{
    pg_status_t st = PG_OK;
    pg_cell_t ref = {0}, work = {0};
    PG_TRY(pg_cell_copy(&ref, cell));
    PG_TRY(pg_cell_copy(&work, cell));
    cubic_ctx_t c = {.pot = pot, .ref = &ref, .work = &work};
    const double tol = opts->smax_gpa;
    double a = 1.0, fa, b, fb, s_best = 1.0;
    PG_TRY(cubic_eval(&c, a, &fa));
    int done = fabs(fa) < tol;
    if (!done) {
        /* bracket: Newton-like first step with B ~ 30 GPa (dσ_h/ds ~ 3B), doubling outward */
        double ds = -fa / 90.0;
        if (fabs(ds) > 0.02) ds = copysign(0.02, ds);
        if (fabs(ds) < 1e-7) ds = copysign(1e-7, ds);
        b = a + ds;
        PG_TRY(cubic_eval(&c, b, &fb));
        while (fb * fa > 0.0 && fabs(fb) >= tol) {
            PG_TRY_REQUIRE(c.n_eval < opts->max_steps && b > 0.5 && b < 2.0, PG_ERR_NUMERIC,
                           "cubic relaxation: no sign change of sigma_h found (last scale %.6f, "
                           "sigma_h %.6g GPa)",
                           b, fb);
            a = b;
            fa = fb;
            ds *= 2.0;
            b = a + ds;
            PG_TRY(cubic_eval(&c, b, &fb));
        }
        s_best = b;
        done = fabs(fb) < tol;
        /* Brent on [a, b] with f(a) f(b) < 0 */
        double cc = a, fc = fa, d = b - a, e = d;
        while (!done && c.n_eval < opts->max_steps) {
            if (fb * fc > 0.0) {
                cc = a;
                fc = fa;
                d = e = b - a;
            }
            if (fabs(fc) < fabs(fb)) {
                a = b, b = cc, cc = a;
                fa = fb, fb = fc, fc = fa;
            }
            const double xtol = 2.0 * 1e-16 * fabs(b) + 1e-15, m = 0.5 * (cc - b);
            if (fabs(m) <= xtol) break; /* bracket at machine precision */
            if (fabs(e) >= xtol && fabs(fa) > fabs(fb)) {
                double p, q, r, s = fb / fa;
                if (a == cc) {
                    p = 2.0 * m * s;
                    q = 1.0 - s;
                } else {
                    q = fa / fc;
                    r = fb / fc;
                    p = s * (2.0 * m * q * (q - r) - (b - a) * (r - 1.0));
                    q = (q - 1.0) * (r - 1.0) * (s - 1.0);
                }
                if (p > 0.0) q = -q;
                else p = -p;
                if (2.0 * p < fmin(3.0 * m * q - fabs(xtol * q), fabs(e * q))) {
                    e = d;
                    d = p / q;
                } else {
                    d = m;
                    e = m;
                }
            } else {
                d = m;
                e = m;
            }
            a = b;
            fa = fb;
            b += fabs(d) > xtol ? d : copysign(xtol, m);
            PG_TRY(cubic_eval(&c, b, &fb));
            s_best = b;
            done = fabs(fb) < tol;
        }
    }
    /* leave the cell at the last evaluated scale (the best one) */
    PG_TRY(cubic_eval(&c, s_best, &fb));
    scale_cell(&ref, s_best, cell);
    info->converged = fabs(fb) < tol;
    info->n_steps = c.n_eval;
    info->energy = c.last.energy;
    info->sigma_h_gpa = fb;
    info->max_stress_gpa = max_abs_stress_gpa(c.last.stress);
    info->max_force = NAN; /* not computed in cubic mode: symmetry fixes the positions */
cleanup:
    pg_cell_free(&ref);
    pg_cell_free(&work);
    return st;
}

/* Average the forces [n][3] and the stress over the space group (pg_relax.h):
 * F'_{g(i)} += R_g F_i / |G|,  σ' = Σ_g R_g σ R_gᵀ / |G|.  work: [n][3] scratch. */
static void symmetrize(const pg_relax_sym_t *sym, int64_t n, double (*f)[3], double s[3][3],
                       double (*work)[3])
{
    const double w = 1.0 / sym->n_op;
    double t[3][3] = {{0}};
    memset(work, 0, sizeof(double[3]) * (size_t)n);
    for (int g = 0; g < sym->n_op; g++) {
        const double(*r)[3] = sym->rot_cart[g];
        const int64_t *map = sym->atom_map + (int64_t)g * n;
        for (int64_t i = 0; i < n; i++)
            for (int a = 0; a < 3; a++)
                work[map[i]][a] += r[a][0] * f[i][0] + r[a][1] * f[i][1] + r[a][2] * f[i][2];
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) {
                double v = 0.0;
                for (int k = 0; k < 3; k++)
                    for (int l = 0; l < 3; l++) v += r[a][k] * s[k][l] * r[b][l];
                t[a][b] += v;
            }
    }
    for (int64_t i = 0; i < n; i++)
        for (int a = 0; a < 3; a++) f[i][a] = work[i][a] * w;
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) s[a][b] = t[a][b] * w;
}

/* 3x3 helpers (row-vector convention) */
static void mat3_mul(const double a[3][3], const double b[3][3], double c[3][3])
{
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) c[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j];
}

static pg_status_t relax_fire(pg_potential_t *pot, const pg_relax_opts_t *opts, pg_cell_t *cell,
                              pg_relax_info_t *info)
{
    pg_status_t st = PG_OK;
    const int with_cell = opts->mode == PG_RELAX_FULL;
    const int64_t n = cell->n_atom, ndof = 3 * n + (with_cell ? 9 : 0);
    pg_cell_t ref = {0};
    double *x = NULL, *v = NULL, *g = NULL, (*f)[3] = NULL, (*work)[3] = NULL;
    const pg_relax_sym_t *sym = opts->sym;
    if (sym) {
        PG_TRY_REQUIRE(sym->n_atom == n && sym->n_op >= 1 && sym->rot_cart && sym->atom_map,
                       PG_ERR_INPUT, "symmetry constraint built for %lld atoms, the cell has %lld",
                       (long long)sym->n_atom, (long long)n);
        for (int64_t k = 0; k < (int64_t)sym->n_op * n; k++)
            PG_TRY_REQUIRE(sym->atom_map[k] >= 0 && sym->atom_map[k] < n, PG_ERR_INPUT,
                           "symmetry constraint: atom map entry %lld = %lld out of range",
                           (long long)k, (long long)sym->atom_map[k]);
        PG_TRY_CALLOC(work, n, "symmetrised forces");
    }
    PG_TRY(pg_cell_copy(&ref, cell));
    PG_TRY_CALLOC(x, ndof, "FIRE coordinates");
    PG_TRY_CALLOC(v, ndof, "FIRE velocities");
    PG_TRY_CALLOC(g, ndof, "FIRE forces");
    PG_TRY_CALLOC(f, n, "forces");
    for (int64_t i = 0; i < n; i++)
        for (int a = 0; a < 3; a++) x[3 * i + a] = ref.pos[i][a];
    /* FIRE parameters (Bitzek et al. 2006; ASE defaults) */
    const double dt_max = 1.0, f_inc = 1.1, f_dec = 0.5, a_start = 0.1, f_a = 0.99, max_move = 0.2;
    const int n_min = 5;
    const double cell_factor = (double)n;
    double dt = 0.1, alpha = a_start;
    int n_pos = 0, step = 0, first = 1;
    pg_potential_result_t r;
    for (;;) {
        /* current deformation D = I + c / N and the cell it gives */
        double dmat[3][3], dinv[3][3];
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++)
                dmat[a][b] = (a == b) + (with_cell ? x[3 * n + 3 * a + b] / cell_factor : 0.0);
        PG_TRY(pg_mat3_inverse(dmat, dinv));
        mat3_mul(ref.lattice, dmat, cell->lattice);
        for (int64_t i = 0; i < n; i++)
            for (int b = 0; b < 3; b++)
                cell->pos[i][b] = x[3 * i] * dmat[0][b] + x[3 * i + 1] * dmat[1][b] + x[3 * i + 2] * dmat[2][b];
        PG_TRY(pg_potential_compute(pot, cell, &r, f));
        if (sym) symmetrize(sym, n, f, r.stress, work);
        info->energy = r.energy;
        info->max_force = max_force(n, (const double(*)[3])f);
        info->max_stress_gpa = max_abs_stress_gpa(r.stress);
        info->sigma_h_gpa = sigma_h_gpa(r.stress);
        info->n_steps = step;
        info->converged = info->max_force < opts->fmax_ev_ang &&
                          (!with_cell || info->max_stress_gpa < opts->smax_gpa);
        if (opts->progress) opts->progress(opts->progress_ctx, info);
        if (info->converged || step >= opts->max_steps) break;
        /* generalised forces: F·Dᵀ on u, -V D⁻ᵀ σ / N on c */
        for (int64_t i = 0; i < n; i++)
            for (int a = 0; a < 3; a++)
                g[3 * i + a] = f[i][0] * dmat[a][0] + f[i][1] * dmat[a][1] + f[i][2] * dmat[a][2];
        if (with_cell) {
            const double vol = fabs(pg_cell_volume(cell));
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++) {
                    double t = 0.0;
                    for (int k = 0; k < 3; k++) t += dinv[k][a] * r.stress[k][b];
                    g[3 * n + 3 * a + b] = -vol * t / cell_factor;
                }
        }
        /* FIRE velocity update */
        if (!first) {
            double vf = 0.0, vv = 0.0, ff = 0.0;
            for (int64_t k = 0; k < ndof; k++) {
                vf += v[k] * g[k];
                vv += v[k] * v[k];
                ff += g[k] * g[k];
            }
            if (vf > 0.0) {
                const double scale = ff > 0.0 ? sqrt(vv / ff) : 0.0;
                for (int64_t k = 0; k < ndof; k++) v[k] = (1.0 - alpha) * v[k] + alpha * scale * g[k];
                if (n_pos > n_min) {
                    dt = fmin(dt * f_inc, dt_max);
                    alpha *= f_a;
                }
                n_pos++;
            } else {
                for (int64_t k = 0; k < ndof; k++) v[k] = 0.0;
                alpha = a_start;
                dt *= f_dec;
                n_pos = 0;
            }
        }
        first = 0;
        double norm = 0.0;
        for (int64_t k = 0; k < ndof; k++) {
            v[k] += dt * g[k];
            norm += (dt * v[k]) * (dt * v[k]);
        }
        norm = sqrt(norm);
        const double shrink = norm > max_move ? max_move / norm : 1.0;
        for (int64_t k = 0; k < ndof; k++) x[k] += shrink * dt * v[k];
        step++;
    }
    PG_TRY_REQUIRE(isfinite(info->energy), PG_ERR_NUMERIC, "FIRE relaxation diverged");
cleanup:
    free(x);
    free(v);
    free(g);
    free(f);
    free(work);
    pg_cell_free(&ref);
    return st;
}

pg_status_t pg_relax(pg_potential_t *pot, const pg_relax_opts_t *opts, pg_cell_t *cell,
                     pg_relax_info_t *info)
{
    *info = (pg_relax_info_t){0};
    PG_REQUIRE(opts->max_steps >= 0 && opts->fmax_ev_ang > 0.0 && opts->smax_gpa > 0.0,
               PG_ERR_INPUT, "relaxation tolerances must be positive (fmax %g eV/Å, smax %g GPa)",
               opts->fmax_ev_ang, opts->smax_gpa);
    switch (opts->mode) {
    case PG_RELAX_NONE: {
        pg_potential_result_t r;
        PG_CHECK(pg_potential_compute(pot, cell, &r, NULL));
        *info = (pg_relax_info_t){.converged = 1, .energy = r.energy, .max_force = NAN,
                                  .max_stress_gpa = max_abs_stress_gpa(r.stress),
                                  .sigma_h_gpa = sigma_h_gpa(r.stress)};
        return PG_OK;
    }
    case PG_RELAX_CUBIC: PG_CHECK(relax_cubic(pot, opts, cell, info)); return PG_OK;
    case PG_RELAX_POSITIONS:
    case PG_RELAX_FULL: PG_CHECK(relax_fire(pot, opts, cell, info)); return PG_OK;
    }
    return PG_ERR(PG_ERR_INTERNAL, "unknown relax mode %d", (int)opts->mode);
}

pg_status_t pg_relax_bulk_modulus(pg_potential_t *pot, const pg_cell_t *cell, double *b_gpa)
{
    pg_status_t st = PG_OK;
    pg_cell_t work = {0};
    PG_TRY(pg_cell_copy(&work, cell));
    const double h = 0.002, v0 = fabs(pg_cell_volume(cell));
    double p[2], v[2];
    for (int k = 0; k < 2; k++) {
        const double s = k ? 1.0 + h : 1.0 - h;
        pg_potential_result_t r;
        scale_cell(cell, s, &work);
        PG_TRY(pg_potential_compute(pot, &work, &r, NULL));
        p[k] = -(r.stress[0][0] + r.stress[1][1] + r.stress[2][2]) / 3.0; /* eV/Å³ */
        v[k] = v0 * s * s * s;
    }
    *b_gpa = -v0 * (p[1] - p[0]) / (v[1] - v[0]) * PG_EV_ANG3_TO_GPA;
cleanup:
    pg_cell_free(&work);
    return st;
}
