/* potential.c - PRV-CAP-1: shifted-force PRV short-range pairs + Ewald Coulomb (LABELER.md §3-4).
 *
 * One neighbour list (all images within max(r_c^SR, r_c^Ewald)) serves both the short-range
 * pairs and the real-space Ewald term. Every directed edge i -> j+R contributes
 *     E += ½ φ(r),  F_i += φ'(r) d/r,  σ_ab += (1/2V) φ'(r) d_a d_b / r      (d = r_j + R - r_i)
 * so each unordered pair is counted twice with weight ½ (spec §4), forces are exact
 * derivatives of the shifted-force energy, and σ = (1/V) ∂E/∂ε (ASE sign).
 */
#include "phonograph/pg_potential.h"

#include <math.h>
#include <stdlib.h>
#include <strings.h>

#include "label/ewald.h"
#include "label/pme.h"
#include "phonograph/pg_neighbor.h"
#include "phonograph/pg_par.h"
#include "phonograph/pg_units.h"

enum { N_SPECIES = 5 };
/* species index: Ag, S, Se, Br, I */
static const int species_z[N_SPECIES] = {47, 16, 34, 35, 53};
static const char *const species_name[N_SPECIES] = {"Ag", "S", "Se", "Br", "I"};
/* LABELER.md §3.2 charges (e) */
static const double species_q[N_SPECIES] = {0.6, -1.2, -1.2, -0.6, -0.6};

/* Normative pair table (LABELER.md §3.2) at the full precision stored in
 * reference.h5:/parameters/potential (it rounds to the spec's 1e-6 table; test_potential
 * checks that). Upper triangle in species order Ag, S, Se, Br, I: {H (eV Å^η), η, P (eV Å^4)}. */
static const struct {
    int a, b;
    double h;
    int eta;
    double p;
} pair_table[] = {
    {0, 0, 0.20159503000000001, 11, 0.0},
    {0, 1, 984.38230863314789, 9, 15.29242299},
    {0, 2, 1269.9284723587848, 9, 18.143552700000001},
    {0, 3, 593.35874227749741, 9, 10.782454176},
    {0, 4, 1648.4713595999999, 9, 16.899423371999998},
    {1, 1, 3896.3709847726509, 7, 0.0},
    {1, 2, 4416.6506605260711, 7, 0.0},
    {1, 3, 3049.0607659008956, 7, 0.0},
    {1, 4, 5028.4278301071763, 7, 0.0},
    {2, 2, 4995.3772476960039, 7, 0.0},
    {2, 3, 3471.5349071634464, 7, 0.0},
    {2, 4, 5674.5836534405071, 7, 0.0},
    {3, 3, 2364.8602736710072, 7, 0.0},
    {3, 4, 3970.2109681205211, 7, 0.0},
    {4, 4, 6431.4574427999996, 7, 0.0},
};

static int species_index(int z)
{
    for (int s = 0; s < N_SPECIES; s++)
        if (species_z[s] == z) return s;
    return -1;
}

pg_status_t pg_potential_charge(int z, double *charge_e)
{
    const int s = species_index(z);
    PG_REQUIRE(s >= 0, PG_ERR_INPUT,
               "species with Z = %d is not part of PRV-CAP-1 (expected Ag, S, Se, Br or I)", z);
    *charge_e = species_q[s];
    return PG_OK;
}

pg_status_t pg_potential_pair(int zi, int zj, pg_potential_pair_t *pair)
{
    int a = species_index(zi), b = species_index(zj);
    PG_REQUIRE(a >= 0 && b >= 0, PG_ERR_INPUT,
               "pair Z = %d, %d is not part of PRV-CAP-1 (expected Ag, S, Se, Br or I)", zi, zj);
    if (a > b) {
        const int t = a;
        a = b;
        b = t;
    }
    for (size_t k = 0; k < sizeof pair_table / sizeof pair_table[0]; k++)
        if (pair_table[k].a == a && pair_table[k].b == b) {
            *pair = (pg_potential_pair_t){pair_table[k].h, pair_table[k].eta, pair_table[k].p, 0.0};
            return PG_OK;
        }
    return PG_ERR(PG_ERR_INTERNAL, "pair table misses %s-%s", species_name[a], species_name[b]);
}

void pg_potential_opts_default(pg_potential_opts_t *opts)
{
    *opts = (pg_potential_opts_t){.ewald_accuracy = 1e-10,
                                  .cutoff_sr_ang = 10.0,
                                  .cutoff_ewald_ang = 10.0,
                                  .max_edges = 0,
                                  .coulomb = PG_COULOMB_AUTO};
}

pg_status_t pg_coulomb_parse(const char *word, pg_coulomb_t *out)
{
    static const char *const names[] = {"auto", "ewald", "pme"};
    for (int k = 0; k < 3; k++)
        if (!strcasecmp(word, names[k])) {
            *out = (pg_coulomb_t)k;
            return PG_OK;
        }
    return PG_ERR(PG_ERR_INPUT, "coulomb expects auto, ewald or pme, found \"%s\"", word);
}

/* per species pair: parameters and the shifted-force constants φ(r_c), φ'(r_c) */
typedef struct {
    double h, p, w;
    int eta;
    double phi_c, dphi_c;
} sr_pair_t;

struct pg_potential {
    pg_potential_opts_t opts;
    double alpha, kc; /* Ewald parameters */
    double pme_y[PME_MAX_ORDER + 1]; /* PME spacing table of ε (pme_spacing_table) */
    sr_pair_t pair[N_SPECIES][N_SPECIES];
    int64_t cap_atom;
    int *spec;  /* [cap_atom] species index */
    double *q;  /* [cap_atom] charges (e) */
    ewald_ws_t ews;
    pme_ws_t pws;
};

/* r^-n for a small non-negative integer n by repeated multiplication (deterministic) */
static inline double inv_pow(double rinv, int n)
{
    double v = 1.0;
    for (int k = 0; k < n; k++) v *= rinv;
    return v;
}

/* φ(r) = H r^-η - P r^-4 - W r^-6 and φ'(r) */
static inline void sr_phi(const sr_pair_t *pp, double r, double *phi, double *dphi)
{
    const double rinv = 1.0 / r, r2i = rinv * rinv, r4i = r2i * r2i, r6i = r4i * r2i;
    const double he = pp->h * inv_pow(rinv, pp->eta);
    *phi = he - pp->p * r4i - pp->w * r6i;
    *dphi = (-pp->eta * he + 4.0 * pp->p * r4i + 6.0 * pp->w * r6i) * rinv;
}

pg_status_t pg_potential_create(const pg_potential_opts_t *opts, pg_potential_t **out)
{
    *out = NULL;
    PG_REQUIRE(opts->ewald_accuracy > 0.0 && opts->ewald_accuracy < 1.0, PG_ERR_INPUT,
               "ewald_accuracy must lie in (0, 1), found %g", opts->ewald_accuracy);
    PG_REQUIRE(opts->coulomb >= PG_COULOMB_AUTO && opts->coulomb <= PG_COULOMB_PME, PG_ERR_INPUT,
               "coulomb method %d is not auto, ewald or pme", (int)opts->coulomb);
    PG_REQUIRE(opts->cutoff_sr_ang > 0.0 && opts->cutoff_ewald_ang > 0.0, PG_ERR_INPUT,
               "cutoffs must be positive (short range %g Å, Ewald %g Å)", opts->cutoff_sr_ang,
               opts->cutoff_ewald_ang);
    pg_potential_t *pot = calloc(1, sizeof *pot);
    PG_REQUIRE(pot, PG_ERR_NOMEM, "potential object");
    pot->opts = *opts;
    pg_ewald_params(opts->ewald_accuracy, opts->cutoff_ewald_ang, &pot->alpha, &pot->kc);
    pme_spacing_table(opts->ewald_accuracy, pot->pme_y);
    for (int a = 0; a < N_SPECIES; a++)
        for (int b = 0; b < N_SPECIES; b++) {
            pg_potential_pair_t pp;
            pg_status_t st = pg_potential_pair(species_z[a], species_z[b], &pp);
            if (st != PG_OK) {
                free(pot);
                return st;
            }
            sr_pair_t *s = &pot->pair[a][b];
            *s = (sr_pair_t){.h = pp.h, .p = pp.p, .w = pp.w, .eta = pp.eta};
            sr_phi(s, opts->cutoff_sr_ang, &s->phi_c, &s->dphi_c);
        }
    *out = pot;
    return PG_OK;
}

void pg_potential_destroy(pg_potential_t **pot)
{
    if (!pot || !*pot) return;
    free((*pot)->spec);
    free((*pot)->q);
    ewald_ws_free(&(*pot)->ews);
    pme_ws_free(&(*pot)->pws);
    free(*pot);
    *pot = NULL;
}

const pg_potential_opts_t *pg_potential_opts(const pg_potential_t *pot) { return &pot->opts; }

static pg_status_t reserve_atoms(pg_potential_t *pot, int64_t n)
{
    if (n <= pot->cap_atom) return PG_OK;
    free(pot->spec);
    free(pot->q);
    pot->spec = malloc(sizeof(int) * (size_t)n);
    pot->q = malloc(sizeof(double) * (size_t)n);
    pot->cap_atom = 0;
    PG_REQUIRE(pot->spec && pot->q, PG_ERR_NOMEM, "species arrays for %lld atoms", (long long)n);
    pot->cap_atom = n;
    return PG_OK;
}

/* Atoms at the same place modulo the lattice have no edge (the list keeps 0 < |d|), so they are
 * caught here: fractional coordinates wrapped to [-1e-9, 1 - 1e-9), sorted by the first one,
 * and pairs within 1e-8 in it compared in all three (periodic differences). O(N log N). */
typedef struct {
    double w[3];
    int64_t i;
} wrapped_t;

static int cmp_wrapped(const void *a, const void *b)
{
    const wrapped_t *x = a, *y = b;
    if (x->w[0] != y->w[0]) return x->w[0] < y->w[0] ? -1 : 1;
    return x->i < y->i ? -1 : (x->i > y->i);
}

static pg_status_t check_coincident(const pg_cell_t *cell, const double inv[3][3])
{
    pg_status_t st = PG_OK;
    const int64_t n = cell->n_atom;
    wrapped_t *w = NULL;
    PG_TRY_CALLOC(w, n, "coincidence check");
    for (int64_t i = 0; i < n; i++) {
        pg_cell_cart_to_frac(inv, cell->pos[i], w[i].w);
        for (int c = 0; c < 3; c++) {
            w[i].w[c] -= floor(w[i].w[c]);
            if (w[i].w[c] >= 1.0 - 1e-9) w[i].w[c] -= 1.0;
        }
        w[i].i = i;
    }
    qsort(w, (size_t)n, sizeof *w, cmp_wrapped);
    for (int64_t a = 0; a < n; a++)
        for (int64_t b = a + 1; b < n && w[b].w[0] - w[a].w[0] < 1e-8; b++) {
            int same = 1;
            for (int c = 1; c < 3 && same; c++) {
                const double df = w[b].w[c] - w[a].w[c];
                same = fabs(df - nearbyint(df)) < 1e-8;
            }
            const int64_t i = w[a].i < w[b].i ? w[a].i : w[b].i, j = w[a].i ^ w[b].i ^ i;
            PG_TRY_REQUIRE(!same, PG_ERR_INPUT,
                           "atoms %lld and %lld sit on the same site (modulo the lattice); "
                           "PRV-CAP-1 needs every distance >= %.1f Å",
                           (long long)i, (long long)j, PG_POTENTIAL_MIN_DIST_ANG);
        }
cleanup:
    free(w);
    return st;
}

pg_status_t pg_potential_compute(pg_potential_t *pot, const pg_cell_t *cell,
                                 pg_potential_result_t *res, double (*forces)[3])
{
    pg_status_t st = PG_OK;
    pg_neighbor_t nl = {0};
    const int64_t n = cell->n_atom;
    *res = (pg_potential_result_t){0};
    PG_TRY_REQUIRE(n > 0, PG_ERR_INPUT, "the cell has no atoms");
    double inv[3][3];
    PG_TRY(pg_mat3_inverse(cell->lattice, inv));
    const double vol = fabs(pg_cell_volume(cell));
    for (int64_t i = 0; i < n; i++)
        PG_TRY_REQUIRE(isfinite(cell->pos[i][0]) && isfinite(cell->pos[i][1]) &&
                           isfinite(cell->pos[i][2]),
                       PG_ERR_INPUT, "atom %lld has a non-finite position", (long long)i);
    PG_TRY(reserve_atoms(pot, n));
    double qsum = 0.0, qabs = 0.0, q2 = 0.0;
    for (int64_t i = 0; i < n; i++) {
        const int s = species_index(cell->z[i]);
        PG_TRY_REQUIRE(s >= 0, PG_ERR_INPUT,
                       "atom %lld has Z = %d, not part of PRV-CAP-1 (expected Ag, S, Se, Br, I)",
                       (long long)i, cell->z[i]);
        pot->spec[i] = s;
        pot->q[i] = species_q[s];
        qsum += pot->q[i];
        qabs += fabs(pot->q[i]);
        q2 += pot->q[i] * pot->q[i];
    }
    PG_TRY_REQUIRE(fabs(qsum) <= 1e-9 * qabs, PG_ERR_INPUT,
                   "the cell is not neutral: total charge %.4g e (charges Ag +0.6, S/Se -1.2, "
                   "Br/I -0.6)",
                   qsum);
    PG_TRY(check_coincident(cell, inv));

    const double rc_sr = pot->opts.cutoff_sr_ang, rc_ew = pot->opts.cutoff_ewald_ang;
    double t0 = pg_par_wtime();
    PG_TRY(pg_neighbor_build(cell, rc_sr > rc_ew ? rc_sr : rc_ew, pot->opts.max_edges, &nl));
    res->n_edge = nl.n_edge;
    double t1 = pg_par_wtime();
    res->t_neighbor_s = t1 - t0;

    double e_sr = 0.0, e_real = 0.0, s_acc[3][3] = {{0}};
    for (int64_t i = 0; i < n; i++) {
        const int si = pot->spec[i];
        const double qi = pot->q[i];
        double fi[3] = {0.0, 0.0, 0.0}, si_acc[3][3] = {{0}};
        for (int64_t e = nl.offsets[i]; e < nl.offsets[i + 1]; e++) {
            const double r = nl.dist[e];
            const int64_t j = nl.j[e];
            if (r < PG_POTENTIAL_MIN_DIST_ANG) {
                st = PG_ERR(PG_ERR_INPUT,
                            "atoms %lld (%s) and %lld (%s, image %d %d %d) are %.4f Å apart; "
                            "PRV-CAP-1 rejects distances below %.1f Å",
                            (long long)i, species_name[si], (long long)j,
                            species_name[pot->spec[j]], nl.shift[e][0], nl.shift[e][1],
                            nl.shift[e][2], r, PG_POTENTIAL_MIN_DIST_ANG);
                goto cleanup;
            }
            double dphi = 0.0;
            if (r < rc_sr) {
                const sr_pair_t *pp = &pot->pair[si][pot->spec[j]];
                double phi, dp;
                sr_phi(pp, r, &phi, &dp);
                e_sr += 0.5 * (phi - pp->phi_c - (r - rc_sr) * pp->dphi_c);
                dphi += dp - pp->dphi_c;
            }
            if (r < rc_ew) {
                double phi, dp;
                ewald_real_pair(qi * pot->q[j], pot->alpha, r, &phi, &dp);
                e_real += 0.5 * phi;
                dphi += dp;
            }
            const double g = dphi / r;
            const double *d = nl.vec[e];
            for (int a = 0; a < 3; a++) {
                fi[a] += g * d[a];
                for (int c = a; c < 3; c++) si_acc[a][c] += 0.5 * g * d[a] * d[c];
            }
        }
        if (forces)
            for (int a = 0; a < 3; a++) forces[i][a] = fi[a];
        for (int a = 0; a < 3; a++)
            for (int c = a; c < 3; c++) s_acc[a][c] += si_acc[a][c];
    }
    for (int a = 0; a < 3; a++)
        for (int c = 0; c < 3; c++) res->stress[a][c] = (c >= a ? s_acc[a][c] : s_acc[c][a]) / vol;

    double t2 = pg_par_wtime();
    res->t_pairs_s = t2 - t1;
    double e_coul = e_real - PG_COULOMB_EV_ANG * pot->alpha / sqrt(PG_PI) * q2;
    pg_coulomb_t method = pot->opts.coulomb;
    if (method == PG_COULOMB_AUTO) {
        method = PG_COULOMB_EWALD;
        /* PME from the threshold on, unless no mesh reaches ε (then plain Ewald, always exact) */
        if (n >= PG_COULOMB_PME_MIN_ATOMS) {
            if (pme_choose(pot->pme_y, pot->alpha, cell->lattice, n, &res->pme_order,
                           res->pme_mesh) == PG_OK)
                method = PG_COULOMB_PME;
            else
                pg_err_clear();
        }
    } else if (method == PG_COULOMB_PME) {
        PG_TRY(pme_choose(pot->pme_y, pot->alpha, cell->lattice, n, &res->pme_order,
                          res->pme_mesh));
    }
    res->coulomb = method;
    if (method == PG_COULOMB_PME) {
        res->n_kvec = (int64_t)res->pme_mesh[0] * res->pme_mesh[1] * res->pme_mesh[2];
        PG_TRY(pme_recip(&pot->pws, cell->lattice, n, (const double(*)[3])cell->pos, pot->q,
                         pot->alpha, res->pme_order, res->pme_mesh, &e_coul, forces,
                         res->stress));
    } else {
        PG_TRY(ewald_recip(&pot->ews, cell->lattice, n, (const double(*)[3])cell->pos, pot->q,
                           pot->alpha, pot->kc, &e_coul, forces, res->stress, &res->n_kvec));
    }
    res->t_recip_s = pg_par_wtime() - t2;
    res->energy_sr = e_sr;
    res->energy_coulomb = e_coul;
    res->energy = e_sr + e_coul;
    PG_TRY_REQUIRE(isfinite(res->energy), PG_ERR_NUMERIC, "PRV-CAP-1 energy is not finite");
cleanup:
    pg_neighbor_free(&nl);
    return st;
}
