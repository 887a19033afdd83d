/* sampler.c - sampler object, configuration assembly (disorder, displacement, strain) and
 * guards, shared by the phonon and random samplers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "phonograph/pg_element.h"
#include "sample/sample_internal.h"

static const char *const kind_names[] = {"phonon", "random", "md"};
static const char *const stats_names[] = {"quantum", "classical"};
static const char *const imag_names[] = {"shift", "abs", "skip"};
static const char *const dist_names[] = {"gaussian", "uniform", "paper"};

const char *pg_sample_kind_name(pg_sample_kind_t k) { return kind_names[k]; }
const char *pg_stats_name(pg_stats_t s) { return stats_names[s]; }
const char *pg_imag_policy_name(pg_imag_policy_t p) { return imag_names[p]; }
const char *pg_random_dist_name(pg_random_dist_t d) { return dist_names[d]; }

static pg_status_t parse_word(const char *what, const char *word, const char *const *names,
                              int n, int *out)
{
    for (int i = 0; i < n; i++)
        if (word && strcasecmp(word, names[i]) == 0) {
            *out = i;
            return PG_OK;
        }
    char allowed[128] = "";
    for (int i = 0; i < n; i++) {
        strncat(allowed, names[i], sizeof allowed - strlen(allowed) - 1);
        if (i + 1 < n) strncat(allowed, " | ", sizeof allowed - strlen(allowed) - 1);
    }
    return PG_ERR(PG_ERR_INPUT, "%s expects one of %s, found \"%s\"", what, allowed,
                  word ? word : "");
}
pg_status_t pg_stats_parse(const char *word, pg_stats_t *out)
{
    int v = 0;
    PG_CHECK(parse_word("statistics", word, stats_names, 2, &v));
    *out = (pg_stats_t)v;
    return PG_OK;
}
pg_status_t pg_imag_policy_parse(const char *word, pg_imag_policy_t *out)
{
    int v = 0;
    PG_CHECK(parse_word("imaginary_modes", word, imag_names, 3, &v));
    *out = (pg_imag_policy_t)v;
    return PG_OK;
}
pg_status_t pg_random_dist_parse(const char *word, pg_random_dist_t *out)
{
    int v = 0;
    PG_CHECK(parse_word("distribution", word, dist_names, 3, &v));
    *out = (pg_random_dist_t)v;
    return PG_OK;
}

void pg_sample_opts_default(pg_sample_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->kind = PG_SAMPLE_PHONON;
    o->stats = PG_STATS_QUANTUM;
    o->imag = PG_IMAG_SHIFT;
    o->cutoff_thz = 0.01;
    o->dist = PG_RANDOM_GAUSSIAN;
    o->max_attempts = 100;
    o->lattice_scale = 1.0;
    o->n_per_condition = 1;
    o->md_dt_fs = 2.0;
    o->md_friction_ps = 5.0;
    o->md_equil_steps = 1000;
    o->md_stride = 200;
    o->md_frames = 1;
}

void pg_sampler_destroy(pg_sampler_t **sp)
{
    if (!sp || !*sp) return;
    pg_sampler_t *s = *sp;
    free(s->cond);
    pg_cell_free(&s->ref);
    free(s->freq);
    free(s->nu_used);
    free(s->vec);
    free(s->sigma);
    free(s->inv_sqrt_mass);
    sampler_qspace_free(&s->q);
    free(s);
    *sp = NULL;
}

/* Shared by both constructors: exactly one of modes / pm is used for the phonon sampler. */
static pg_status_t sampler_create(const pg_cell_t *ref, const pg_modes_t *modes,
                                  const pg_phonon_modes_t *pm, const int (*smat)[3],
                                  const pg_sample_opts_t *opts, pg_sampler_t **out)
{
    pg_status_t st = PG_OK;
    pg_sampler_t *s = NULL;
    *out = NULL;
    const pg_sample_opts_t *o = opts;
    PG_REQUIRE(ref && ref->n_atom >= 1, PG_ERR_INPUT, "sampler: empty reference cell");
    PG_REQUIRE(o->n_condition >= 1 && o->condition, PG_ERR_INPUT,
               "sampler: need at least one %s",
               o->kind == PG_SAMPLE_RANDOM ? "amplitude" : "temperature");
    PG_REQUIRE(o->n_per_condition >= 1, PG_ERR_INPUT,
               "sampler: configurations per condition must be >= 1, found %lld",
               (long long)o->n_per_condition);
    PG_REQUIRE(o->max_attempts >= 1, PG_ERR_INPUT, "sampler: max_attempts must be >= 1");
    PG_REQUIRE(o->strain_max >= 0 && o->strain_max < 0.5, PG_ERR_INPUT,
               "sampler: strain_max must be in [0, 0.5), found %g", o->strain_max);
    PG_REQUIRE(o->min_distance_ang >= 0 && o->max_displacement_ang >= 0, PG_ERR_INPUT,
               "sampler: guard distances must be >= 0");
    PG_REQUIRE(o->disorder_x >= 0 && o->disorder_x <= 1, PG_ERR_INPUT,
               "sampler: disorder concentration must be in [0, 1], found %g", o->disorder_x);
    PG_REQUIRE(o->lattice_scale >= 0 && o->lattice_scale < 10, PG_ERR_INPUT,
               "sampler: lattice_scale must be in (0, 10), found %g", o->lattice_scale);
    if (o->kind == PG_SAMPLE_MD) PG_CHECK(sampler_md_check(o));
    if (o->kind == PG_SAMPLE_RANDOM)
        for (int64_t t = 0; t < o->n_condition; t++)
            PG_REQUIRE(o->condition[t] >= 0 && isfinite(o->condition[t]), PG_ERR_INPUT,
                       "random sampler: amplitude %g Å must be >= 0", o->condition[t]);
    if (o->disorder_from_z || o->disorder_to_z) {
        PG_REQUIRE(o->disorder_from_z >= 1 && o->disorder_from_z <= 118 &&
                       o->disorder_to_z >= 1 && o->disorder_to_z <= 118,
                   PG_ERR_INPUT, "sampler: disorder needs both species");
        int found = 0;
        for (int64_t k = 0; k < ref->n_atom; k++) found |= ref->z[k] == o->disorder_from_z;
        PG_REQUIRE(found, PG_ERR_INPUT, "sampler: disorder species %s is not in the structure",
                   pg_element_symbol(o->disorder_from_z));
    }
    PG_TRY_CALLOC(s, 1, "sampler");
    s->o = *o;
    PG_TRY_CALLOC(s->cond, o->n_condition, "conditions");
    memcpy(s->cond, o->condition, sizeof(double) * (size_t)o->n_condition);
    s->o.condition = s->cond;
    if (s->o.lattice_scale == 0) s->o.lattice_scale = 1.0;
    s->n_atom = ref->n_atom;
    s->n_mode = 3 * ref->n_atom;
    PG_TRY(pg_cell_copy(&s->ref, ref));
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) s->ref.lattice[a][b] *= s->o.lattice_scale;
    for (int64_t k = 0; k < s->n_atom; k++)
        for (int a = 0; a < 3; a++) s->ref.pos[k][a] *= s->o.lattice_scale;
    s->tag_phonon = pg_rng_tag("sample.phonon");
    s->tag_random = pg_rng_tag("sample.random");
    s->tag_strain = pg_rng_tag("sample.strain");
    s->tag_disorder = pg_rng_tag("sample.disorder");
    if (o->kind == PG_SAMPLE_PHONON && pm) PG_TRY(sampler_qspace_setup(s, pm, smat));
    else if (o->kind == PG_SAMPLE_PHONON) PG_TRY(sampler_phonon_setup(s, modes));
    *out = s;
    return PG_OK;
cleanup:
    pg_sampler_destroy(&s);
    return st;
}

pg_status_t pg_sampler_create(const pg_cell_t *ref, const pg_modes_t *modes,
                              const pg_sample_opts_t *opts, pg_sampler_t **out)
{
    return sampler_create(ref, modes, NULL, NULL, opts, out);
}

pg_status_t pg_sampler_create_qspace(const pg_cell_t *ref, const pg_phonon_modes_t *pm,
                                     const int smat[3][3], const pg_sample_opts_t *opts,
                                     pg_sampler_t **out)
{
    *out = NULL;
    PG_REQUIRE(pm && smat, PG_ERR_INPUT, "q-space sampler: no commensurate modes");
    return sampler_create(ref, NULL, pm, smat, opts, out);
}

int pg_sampler_is_qspace(const pg_sampler_t *s) { return s->q.n_cell > 0; }

int64_t pg_sampler_n_config(const pg_sampler_t *s)
{
    return s->o.n_condition * s->o.n_per_condition;
}
int64_t pg_sampler_n_atom(const pg_sampler_t *s) { return s->n_atom; }
const pg_sample_opts_t *pg_sampler_opts(const pg_sampler_t *s) { return &s->o; }
double pg_sampler_condition_of(const pg_sampler_t *s, int64_t c)
{
    return s->cond[c / s->o.n_per_condition];
}
void pg_sampler_mode_stats(const pg_sampler_t *s, pg_mode_stats_t *st)
{
    if (s->o.kind == PG_SAMPLE_PHONON)
        *st = s->mst;
    else
        memset(st, 0, sizeof *st);
}

pg_status_t pg_sample_init(pg_sample_t *x, const pg_sampler_t *s)
{
    pg_status_t st = PG_OK;
    memset(x, 0, sizeof *x);
    PG_TRY(pg_cell_init(&x->cell, s->n_atom));
    PG_TRY_CALLOC(x->disp, s->n_atom, "displacements");
    PG_TRY_CALLOC(x->work, 5 * s->n_mode, "sample scratch"); /* q-space: 5 n_mode */
    PG_TRY_CALLOC(x->iwork, s->n_atom, "sample scratch");
    return PG_OK;
cleanup:
    pg_sample_free(x);
    return st;
}

void pg_sample_free(pg_sample_t *x)
{
    if (!x) return;
    sampler_md_free_cache(x);
    pg_cell_free(&x->cell);
    free(x->disp);
    free(x->work);
    free(x->iwork);
    memset(x, 0, sizeof *x);
}

double pg_sample_min_distance(const pg_cell_t *cell)
{
    double inv[3][3];
    if (pg_mat3_inverse(cell->lattice, inv) != PG_OK) return 0.0;
    const double(*L)[3] = cell->lattice;
    double best2 = INFINITY;
    for (int64_t i = 0; i < cell->n_atom; i++) {
        double fi[3];
        pg_cell_cart_to_frac(inv, cell->pos[i], fi);
        for (int64_t j = i; j < cell->n_atom; j++) {
            double fj[3], f[3];
            pg_cell_cart_to_frac(inv, cell->pos[j], fj);
            for (int a = 0; a < 3; a++) f[a] = fj[a] - fi[a] - nearbyint(fj[a] - fi[a]);
            /* the shortest image is among the 27 neighbours of the wrapped difference for
             * cells that are not extremely skewed */
            for (int s0 = -1; s0 <= 1; s0++)
                for (int s1 = -1; s1 <= 1; s1++)
                    for (int s2 = -1; s2 <= 1; s2++) {
                        if (i == j && s0 == 0 && s1 == 0 && s2 == 0) continue;
                        const double g[3] = {f[0] + s0, f[1] + s1, f[2] + s2};
                        double d2 = 0;
                        for (int b = 0; b < 3; b++) {
                            const double r = g[0] * L[0][b] + g[1] * L[1][b] + g[2] * L[2][b];
                            d2 += r * r;
                        }
                        if (d2 < best2) best2 = d2;
                    }
        }
    }
    return sqrt(best2);
}

/* Substitute exactly round(x n_from) of the `from` atoms, chosen by a partial Fisher-Yates
 * shuffle of their indices (stream "sample.disorder", counter (c, attempt)). */
static int64_t apply_disorder(const pg_sampler_t *s, int64_t c, int attempt, pg_sample_t *x)
{
    const int zf = s->o.disorder_from_z, zt = s->o.disorder_to_z;
    if (!zf || !zt) return 0;
    int64_t n_from = 0;
    for (int64_t k = 0; k < s->n_atom; k++)
        if (x->cell.z[k] == zf) x->iwork[n_from++] = k;
    const int64_t n_sub = llround(s->o.disorder_x * (double)n_from);
    pg_rng_t rng;
    pg_rng_init(&rng, s->o.seed, s->tag_disorder, (uint64_t)c, (uint64_t)attempt);
    for (int64_t j = 0; j < n_sub; j++) {
        const int64_t r = j + (int64_t)pg_rng_below(&rng, (uint64_t)(n_from - j));
        const int64_t t = x->iwork[j];
        x->iwork[j] = x->iwork[r];
        x->iwork[r] = t;
        x->cell.z[x->iwork[j]] = zt;
        x->cell.mass[x->iwork[j]] = pg_element_mass(zt);
    }
    return n_sub;
}

/* Symmetric strain, 6 components ~ U(-strain_max, strain_max) in the order xx yy zz yz xz xy
 * (stream "sample.strain", counter (c, attempt)). */
static void draw_strain(const pg_sampler_t *s, int64_t c, int attempt, double eps[3][3])
{
    memset(eps, 0, sizeof(double[3][3]));
    if (s->o.strain_max <= 0) return;
    pg_rng_t rng;
    pg_rng_init(&rng, s->o.seed, s->tag_strain, (uint64_t)c, (uint64_t)attempt);
    static const int ia[6] = {0, 1, 2, 1, 0, 0}, ib[6] = {0, 1, 2, 2, 2, 1};
    for (int v = 0; v < 6; v++) {
        const double e = s->o.strain_max * (2.0 * pg_rng_uniform(&rng) - 1.0);
        eps[ia[v]][ib[v]] = eps[ib[v]][ia[v]] = e;
    }
}

/* r -> r (I + eps) for a row vector r */
static void strain_vec(const double eps[3][3], const double r[3], double out[3])
{
    for (int b = 0; b < 3; b++)
        out[b] = r[b] + r[0] * eps[0][b] + r[1] * eps[1][b] + r[2] * eps[2][b];
}

pg_status_t pg_sampler_draw(const pg_sampler_t *s, int64_t c, pg_sample_t *x)
{
    PG_REQUIRE(c >= 0 && c < pg_sampler_n_config(s), PG_ERR_INPUT,
               "configuration %lld out of range [0, %lld)", (long long)c,
               (long long)pg_sampler_n_config(s));
    PG_REQUIRE(x->cell.n_atom == s->n_atom, PG_ERR_INTERNAL, "sample buffers not initialised");
    double *u = &x->disp[0][0];
    for (int attempt = 0; attempt < s->o.max_attempts; attempt++) {
        /* reference -> disorder -> displacement -> strain */
        memcpy(x->cell.lattice, s->ref.lattice, sizeof x->cell.lattice);
        memcpy(x->cell.pos, s->ref.pos, sizeof(double[3]) * (size_t)s->n_atom);
        memcpy(x->cell.z, s->ref.z, sizeof(int) * (size_t)s->n_atom);
        memcpy(x->cell.mass, s->ref.mass, sizeof(double) * (size_t)s->n_atom);
        x->n_substituted = apply_disorder(s, c, attempt, x);
        if (s->o.kind == PG_SAMPLE_PHONON && s->q.n_cell > 0)
            sampler_qspace_displace(s, c, attempt, u, x->work);
        else if (s->o.kind == PG_SAMPLE_PHONON)
            sampler_phonon_displace(s, c, attempt, u, x->work);
        else if (s->o.kind == PG_SAMPLE_MD)
            PG_CHECK(sampler_md_displace(s, c, attempt, x, u));
        else
            sampler_random_displace(s, c, attempt, u);
        double max_u2 = 0;
        for (int64_t k = 0; k < s->n_atom; k++) {
            const double *v = x->disp[k];
            const double u2 = v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
            if (u2 > max_u2) max_u2 = u2;
        }
        draw_strain(s, c, attempt, x->strain);
        for (int a = 0; a < 3; a++) strain_vec(x->strain, s->ref.lattice[a], x->cell.lattice[a]);
        for (int64_t k = 0; k < s->n_atom; k++) {
            double r[3], d[3];
            for (int a = 0; a < 3; a++) r[a] = s->ref.pos[k][a] + x->disp[k][a];
            strain_vec(x->strain, r, x->cell.pos[k]);
            strain_vec(x->strain, x->disp[k], d);
            memcpy(x->disp[k], d, sizeof d);
        }
        x->index = c;
        x->condition = pg_sampler_condition_of(s, c);
        x->attempts = attempt + 1;
        x->max_displacement_ang = sqrt(max_u2);
        x->min_distance_ang = NAN;
        int ok = !(s->o.max_displacement_ang > 0 && x->max_displacement_ang > s->o.max_displacement_ang);
        if (ok && s->o.min_distance_ang > 0) {
            x->min_distance_ang = pg_sample_min_distance(&x->cell);
            ok = x->min_distance_ang >= s->o.min_distance_ang;
        }
        if (ok) return PG_OK;
    }
    return PG_ERR(PG_ERR_NUMERIC,
                  "configuration %lld violated the guards (min_distance %g Å, max_displacement "
                  "%g Å) in all %d attempts; relax the guards or lower the temperature/amplitude",
                  (long long)c, s->o.min_distance_ang, s->o.max_displacement_ang,
                  s->o.max_attempts);
}
