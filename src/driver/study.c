/* study.c - the paper's experiment (pg_study.h): three datasets (phonon-informed, random,
 * MD test ensemble), graphs, a grid of GNN trainings, evaluation on the MD ensemble and
 * explainability by bond type. Rank 0 writes the tables; every step is collective. */
#include "phonograph/pg_study.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "phonograph/pg_dataset.h"
#include "phonograph/pg_element.h"
#include "phonograph/pg_explain.h"
#include "phonograph/pg_farm.h"
#include "phonograph/pg_fdfc.h"
#include "phonograph/pg_forceconst.h"
#include "phonograph/pg_gnn.h"
#include "phonograph/pg_graph.h"
#include "phonograph/pg_graph_h5.h"
#include "phonograph/pg_h5.h"
#include "phonograph/pg_labeler.h"
#include "phonograph/pg_par.h"
#include "phonograph/pg_potential.h"
#include "phonograph/pg_sample.h"
#include "driver/produce.h"
#include "driver/stage_sample.h"

#define NOLIMIT 1, 0

const pg_deck_key_t pg_deck_keys_study[] = {
    {"study", "samplers", PG_DECK_WORDS, "phonon random", NOLIMIT, 1, 2, NULL, NULL,
     "training pools compared: phonon (phonon-informed) and/or random"},
    {"study", "train_sizes", PG_DECK_INTS, "50 100 200", 2, 1e9, 1, 64, NULL, NULL,
     "training-set sizes (configurations drawn from a pool, nested; 10 % of each go to "
     "validation by default)"},
    {"study", "seeds", PG_DECK_INT, "2", 1, 1000, 0, 0, NULL, NULL,
     "trainings per sampler and size (seed k uses [run] seed + k: subset, split, init)"},
    {"study", "validation_fraction", PG_DECK_REAL, "0.1", 0.01, 0.5, 0, 0, NULL, NULL,
     "fraction of each training set used for validation (early stopping)"},
    {"study", "test_temperatures", PG_DECK_REALS, "150 300 450 600", 1, 1e5, 1, 0, "K", NULL,
     "temperatures of the molecular-dynamics test ensemble"},
    {"study", "test_configurations", PG_DECK_INT, "25", 1, 1e9, 0, 0, NULL, NULL,
     "test configurations per test temperature"},
    {"study", "md_timestep", PG_DECK_REAL, "2", 0.01, 20, 0, 0, "fs", NULL,
     "MD time step of the test ensemble (Langevin BAOAB)"},
    {"study", "md_friction", PG_DECK_REAL, "5", 0.01, 1e4, 0, 0, "1/ps", NULL,
     "Langevin friction of the test ensemble"},
    {"study", "md_equilibration", PG_DECK_INT, "1000", 0, 1e9, 0, 0, NULL, NULL,
     "MD steps from the ideal supercell before the first frame of a trajectory"},
    {"study", "md_stride", PG_DECK_INT, "100", 1, 1e9, 0, 0, NULL, NULL,
     "MD steps between frames of one trajectory (decorrelation)"},
    {"study", "md_frames", PG_DECK_INT, "5", 1, 1e9, 0, 0, NULL, NULL,
     "frames taken from one trajectory"},
    {"study", "explain_steps", PG_DECK_INT, "32", 1, 1024, 0, 0, NULL, NULL,
     "Gauss-Legendre points of the integrated gradients"},
    {"study", "explain_configurations", PG_DECK_INT, "0", 0, 1e9, 0, 0, NULL, NULL,
     "test configurations explained (0 = all)"},
    PG_DECK_KEYS_END,
};

enum { POOL_PHONON = 0, POOL_RANDOM = 1, POOL_TEST = 2, N_POOLS = 3 };
static const char *const pool_name[N_POOLS] = {"phonon", "random", "md_test"};

typedef struct {
    pg_run_t *run;
    const pg_deck_t *d;
    char dir[1024];
    char path[N_POOLS][1200];
    int64_t seed;
} study_t;

static pg_status_t agreed(MPI_Comm comm, pg_status_t st)
{
    pg_status_t a = st;
    PG_CHECK(pg_par_agree(comm, &a));
    return a;
}

static pg_status_t mkdir_one(const char *p)
{
    if (mkdir(p, 0755) != 0 && errno != EEXIST)
        return PG_ERR(PG_ERR_IO, "cannot create directory '%s': %s", p, strerror(errno));
    return PG_OK;
}

/* ---- labelling and the MD force field ------------------------------------------------ */

typedef struct {
    pg_labeler_t *lab;
    double (*forces)[3];
    int64_t n_atom;
} label_ctx_t;

static pg_status_t label_one(void *ctx, const pg_cell_t *cell, pg_dataset_batch_t *b, int64_t j)
{
    label_ctx_t *c = ctx;
    pg_labels_t L;
    double(*f)[3] = (double(*)[3])(b->forces + 3 * b->n_atom * j);
    PG_CHECK(pg_labeler_label(c->lab, cell, MPI_COMM_SELF, &L, f));
    b->energy[j] = L.energy_ev;
    b->energy_per_atom[j] = L.energy_per_atom_ev;
    b->gap[j] = (L.labels & PG_LABEL_GAP) ? L.gap_ev : NAN;
    b->vbm[j] = (L.labels & PG_LABEL_GAP) ? L.vbm_ev : NAN;
    for (int a = 0; a < 3; a++)
        for (int k = 0; k < 3; k++) b->stress[9 * j + 3 * a + k] = L.stress_gpa[a][k];
    b->hydrostatic[j] = L.sigma_h_gpa;
    return PG_OK;
}

static pg_status_t md_force(void *ctx, const pg_cell_t *cell, double *energy, double (*f)[3])
{
    pg_potential_result_t r;
    PG_CHECK(pg_potential_compute(ctx, cell, &r, f));
    *energy = r.energy;
    return PG_OK;
}

/* ---- datasets ------------------------------------------------------------------------ */

/* Sampler options of one pool: the [sample] section (pg_sample_opts_from_deck) with the pool's
 * kind and conditions; the MD test ensemble takes [study] test_* and md_* and no strain. */
static pg_status_t pool_opts(const study_t *S, int pool, pg_sample_opts_t *o)
{
    const pg_deck_t *d = S->d;
    const double *v = NULL;
    int n = 0;
    PG_CHECK(pg_sample_opts_from_deck(d, &S->run->supercell.cell, o));
    o->seed = (uint64_t)S->seed;
    if (pool == POOL_PHONON) {
        o->kind = PG_SAMPLE_PHONON;
        PG_CHECK(pg_deck_get_reals(d, "sample", "temperatures", &v, &n));
    } else if (pool == POOL_RANDOM) {
        o->kind = PG_SAMPLE_RANDOM;
        PG_CHECK(pg_deck_get_reals(d, "sample", "amplitudes", &v, &n));
    } else {
        o->kind = PG_SAMPLE_MD;
        o->seed = (uint64_t)S->seed ^ 0x5eedf00dULL; /* a stream no training pool uses */
        o->strain_max = 0;
        PG_CHECK(pg_deck_get_reals(d, "study", "test_temperatures", &v, &n));
        PG_CHECK(pg_deck_get_int(d, "study", "test_configurations", &o->n_per_condition));
        PG_CHECK(pg_deck_get_real(d, "study", "md_timestep", &o->md_dt_fs));
        PG_CHECK(pg_deck_get_real(d, "study", "md_friction", &o->md_friction_ps));
        PG_CHECK(pg_deck_get_int(d, "study", "md_equilibration", &o->md_equil_steps));
        PG_CHECK(pg_deck_get_int(d, "study", "md_stride", &o->md_stride));
        PG_CHECK(pg_deck_get_int(d, "study", "md_frames", &o->md_frames));
        o->md_force = md_force;
    }
    o->condition = v;
    o->n_condition = n;
    return PG_OK;
}

/* Produce (or resume) one pool's dataset file with the task farm and the embedded labeler. */
static pg_status_t produce_pool(study_t *S, int pool, const pg_fc_t *fc,
                                const char *fc_source, const produce_graphs_t *graphs)
{
    pg_run_t *run = S->run;
    MPI_Comm comm = run->comm;
    pg_status_t st = PG_OK;
    pg_sampler_t *s = NULL;
    pg_labeler_t *lab = NULL;
    pg_potential_t *pot = NULL;
    pg_sample_opts_t o;
    label_ctx_t lc = {0};
    int64_t batch = 4, bpr = 4;
    st = pool_opts(S, pool, &o);
    pg_labeler_opts_t lo;
    if (st == PG_OK) st = pg_labeler_opts_from_deck(S->d, &lo);
    if (st == PG_OK) {
        lo.labels = PG_LABEL_ENERGY | PG_LABEL_FORCES | PG_LABEL_STRESS |
                    (pg_labeler_has_tb() ? PG_LABEL_GAP : 0);
        st = pg_labeler_create(&lo, &lab);
    }
    if (st == PG_OK && pool == POOL_TEST) {
        st = pg_potential_create(&lo.potential, &pot);
        o.md_force_ctx = pot;
    }
    if (st == PG_OK && pool != POOL_PHONON) st = pg_sampler_create(&run->supercell.cell, NULL, &o, &s);
    PG_TRY(agreed(comm, st));
    if (pool == POOL_PHONON) {
        char note[512];
        PG_TRY(pg_sampler_create_phonon(comm, &run->supercell, fc, &o, note, sizeof note, &s));
        if (note[0])
            pg_log_warn(run->log, "study: q-space phonon sampler unavailable (%s); using the "
                        "supercell-Gamma diagonalisation", note);
    }
    PG_TRY(pg_deck_get_int(S->d, "sample", "batch", &batch));
    PG_TRY(pg_deck_get_int(S->d, "sample", "batches_per_rank", &bpr));
    if (pool == POOL_TEST) batch = o.md_frames; /* one trajectory per batch: no recomputation */
    pg_dataset_meta_t meta = {.n_config = pg_sampler_n_config(s),
                              .n_atom = run->supercell.cell.n_atom,
                              .fingerprint = run->fingerprint, .seed = o.seed,
                              .deck_path = pg_deck_path(S->d), .deck_text = pg_deck_text(S->d),
                              .fc_source = pool == POOL_PHONON ? fc_source : "",
                              .labeler = "embedded", .sampler = s,
                              .reference = &run->supercell.cell};
    lc.lab = lab;
    pg_farm_opts_t fo = {.batch = batch, .batches_per_rank = bpr, .label = label_one,
                         .label_ctx = &lc, .log = run->log};
    pg_farm_stats_t fs;
    int64_t tot[3];
    pg_log_info(run->log, "study: %s pool: %lld configurations -> %s", pool_name[pool],
                (long long)meta.n_config, S->path[pool]);
    PG_TRY(produce_dataset(comm, S->path[pool], 1, &meta, &fo, graphs, run->log, &fs, tot));
    pg_log_info(run->log, "study: graphs of %s: %lld graphs, %lld edges", pool_name[pool],
                (long long)tot[0], (long long)tot[2]);
    pg_run_result(run, pool_name[pool], "{\"configurations\": %lld, \"seconds\": %.3f}",
                  (long long)meta.n_config, fs.seconds);
cleanup:
    pg_sampler_destroy(&s);
    pg_labeler_destroy(&lab);
    pg_potential_destroy(&pot);
    return st;
}

/* Force constants (file or finite displacements), full, on rank 0 (at least). Collective. */
static pg_status_t phonon_fc(study_t *S, pg_fc_t *fc, char *fc_source, size_t cap)
{
    pg_run_t *run = S->run;
    pg_status_t st = PG_OK;
    pg_potential_t *pot = NULL;
    const pg_cell_t *sc = &run->supercell.cell;
    if (pg_deck_is_set(S->d, "sample", "force_constants")) {
        const char *p = NULL;
        PG_CHECK(pg_deck_get_string(S->d, "sample", "force_constants", &p));
        snprintf(fc_source, cap, "%s", p);
        if (run->rank == 0) st = pg_fc_read(p, "auto", sc->n_atom, fc);
        if (st == PG_OK && run->rank == 0 && !pg_fc_is_full(fc)) /* agreed below */
            st = PG_ERR(PG_ERR_INPUT, "%s: the study needs full (N x N) force constants; write "
                        "them with phonopy --full-fc or let phonograph compute them", p);
    } else {
        pg_labeler_opts_t lo;
        PG_TRY(pg_labeler_opts_from_deck(S->d, &lo));
        st = pg_potential_create(&lo.potential, &pot);
        PG_TRY(agreed(run->comm, st));
        pg_fdfc_info_t info;
        PG_TRY(pg_fdfc_compute(run->comm, pot, sc, lo.fc_displacement_ang, 1e-5, fc, &info));
        char fc_path[1200];
        snprintf(fc_path, sizeof fc_path, "%s/FORCE_CONSTANTS", S->dir);
        /* provenance names the method and the file relative to the output directory, so
         * that identical runs in different directories store identical datasets */
        snprintf(fc_source, cap, "computed: PRV-CAP-1 finite displacements of %g Å "
                 "(study/FORCE_CONSTANTS)", lo.fc_displacement_ang);
        if (run->rank == 0) st = pg_fc_write_text(fc_path, fc);
        pg_log_info(run->log, "study: force constants by %lld finite displacements -> %s",
                    (long long)info.n_disp, fc_path);
    }
    PG_TRY(agreed(run->comm, st));
cleanup:
    pg_potential_destroy(&pot);
    return st;
}

/* ---- evaluation on the test ensemble (rank 0) ----------------------------------------- */

typedef struct {
    int64_t n;          /* test configurations */
    int T;
    double *y;          /* [n][T] labels */
    double *temp;       /* [n] K */
    uint8_t *done;      /* [n] */
    int n_temp;
    double temps[64];   /* distinct temperatures, in file order */
} testset_t;

static void testset_free(testset_t *t)
{
    free(t->y);
    free(t->temp);
    free(t->done);
    memset(t, 0, sizeof *t);
}

static pg_status_t testset_read(const char *path, const pg_gnn_train_opts_t *o, testset_t *t)
{
    pg_status_t st = PG_OK;
    pg_h5_t *f = NULL;
    double *col = NULL;
    memset(t, 0, sizeof *t);
    int rank = 0;
    int64_t dims[4];
    PG_TRY(pg_h5_open(path, PG_H5_READ, MPI_COMM_NULL, &f));
    PG_TRY(pg_h5_shape(f, "/configs/condition", &rank, dims));
    t->n = dims[0];
    t->T = o->n_targets;
    PG_TRY_CALLOC(t->y, t->n * t->T, "test labels");
    PG_TRY_CALLOC(t->temp, t->n, "test temperatures");
    PG_TRY_CALLOC(t->done, t->n, "test mask");
    PG_TRY_CALLOC(col, t->n, "test labels");
    PG_TRY(pg_h5_read(f, "/configs/condition", PG_H5_F64, t->temp));
    PG_TRY(pg_h5_read(f, "/completed", PG_H5_U8, t->done));
    for (int k = 0; k < t->T; k++) {
        char p[256];
        snprintf(p, sizeof p, "/labels/%s", o->targets[k]);
        PG_TRY(pg_h5_read(f, p, PG_H5_F64, col));
        for (int64_t c = 0; c < t->n; c++) t->y[c * t->T + k] = col[c];
    }
    for (int64_t c = 0; c < t->n; c++) {
        int seen = 0;
        for (int j = 0; j < t->n_temp; j++) seen |= t->temps[j] == t->temp[c];
        if (!seen && t->n_temp < 64) t->temps[t->n_temp++] = t->temp[c];
    }
cleanup:
    free(col);
    pg_h5_close(&f);
    if (st != PG_OK) testset_free(t);
    return st;
}

/* MAE, RMSE, R² of target k over configurations with temperature T (T < 0: all). */
static void metrics(const testset_t *t, const double *pred, int k, double T, double *mae,
                    double *rmse, double *r2, int64_t *n_out)
{
    double sa = 0, s2 = 0, sy = 0, syy = 0;
    int64_t n = 0;
    for (int64_t c = 0; c < t->n; c++) {
        if (!t->done[c] || (T >= 0 && t->temp[c] != T)) continue;
        double y = t->y[c * t->T + k], p = pred[c * t->T + k];
        if (!isfinite(y) || !isfinite(p)) continue;
        sa += fabs(p - y);
        s2 += (p - y) * (p - y);
        sy += y;
        syy += y * y;
        n++;
    }
    double var = n ? syy - sy * sy / (double)n : 0;
    *mae = n ? sa / (double)n : NAN;
    *rmse = n ? sqrt(s2 / (double)n) : NAN;
    *r2 = var > 0 ? 1.0 - s2 / var : NAN;
    *n_out = n;
}

/* ---- explainability (all ranks) ------------------------------------------------------- */

#define MAX_BONDS 64

typedef struct {
    int n_bond;
    char name[MAX_BONDS][16];
    int species_order[PG_FEATURES_MAX_SPECIES]; /* rank of species index in the formula */
} bonds_t;

/* bond index of an unordered species pair (a, b) (feature species indices), named in the
 * order the elements first appear in the reference cell (Ag-S, Ag-Br, S-Br, ...) */
static int bond_index(bonds_t *B, const pg_features_t *feat, int a, int b)
{
    if (B->species_order[a] > B->species_order[b]) {
        int t = a;
        a = b;
        b = t;
    }
    char nm[16];
    snprintf(nm, sizeof nm, "%s-%s", pg_element_symbol(feat->z[a]), pg_element_symbol(feat->z[b]));
    for (int k = 0; k < B->n_bond; k++)
        if (strcmp(B->name[k], nm) == 0) return k;
    if (B->n_bond >= MAX_BONDS) return MAX_BONDS - 1;
    snprintf(B->name[B->n_bond], sizeof B->name[0], "%s", nm);
    return B->n_bond++;
}

/* Attributions of the model in `model_path` on the test graphs, summed per bond type.
 * acc[T][MAX_BONDS][3] (rank 0): sum |A|, sum A, number of edges; physical units.
 * Per-graph sums are reduced in graph order, so the table does not depend on the rank count. */
static pg_status_t explain_model(study_t *S, const char *model_path, int n_steps,
                                 int64_t n_explain, bonds_t *B, double *acc, double *max_incomp)
{
    pg_run_t *run = S->run;
    pg_status_t st = PG_OK;
    pg_gnn_t *m32 = NULL, *m = NULL;
    pg_h5_t *f = NULL;
    pg_graph_batch_t gb = {0};
    pg_features_t feat;
    pg_gnn_norm_t norm;
    double *params = NULL, *per_graph = NULL, *attr = NULL, *delta = NULL;
    int64_t n_graphs = 0;
    memset(&feat, 0, sizeof feat);
    st = pg_gnn_model_read(model_path, &m32, &norm);
    if (st == PG_OK) st = pg_gnn_create(&m32->cfg, PG_GNN_F64, &m);
    if (st == PG_OK) {
        params = malloc(sizeof(double) * (size_t)m32->n_params);
        if (!params) st = PG_ERR(PG_ERR_NOMEM, "out of memory");
    }
    if (st == PG_OK) {
        pg_gnn_get_params(m32, params);
        pg_gnn_set_params(m, params);
        st = pg_h5_open(S->path[POOL_TEST], PG_H5_READ, MPI_COMM_NULL, &f);
    }
    if (st == PG_OK) st = pg_graph_h5_check(f, &n_graphs);
    if (st == PG_OK) st = pg_graph_h5_read_features(f, &feat);
    PG_TRY(agreed(run->comm, st));
    if (n_explain > 0 && n_explain < n_graphs) n_graphs = n_explain;
    /* species order of first appearance in the reference supercell */
    for (int a = 0; a < feat.n_species; a++) B->species_order[a] = 1000 + a;
    {
        int next = 0;
        for (int64_t i = 0; i < run->supercell.cell.n_atom; i++) {
            int a = pg_features_species(&feat, run->supercell.cell.z[i]);
            if (a >= 0 && B->species_order[a] >= 1000) B->species_order[a] = next++;
        }
        for (int a = 0; a < feat.n_species; a++)
            for (int b = a; b < feat.n_species; b++) bond_index(B, &feat, a, b);
    }
    const int T = m->cfg.T;
    const int64_t per = (int64_t)T * MAX_BONDS * 3;
    PG_TRY_CALLOC(per_graph, n_graphs * per + 1, "attributions per graph");
    const int size = run->size, r = run->rank;
    const int64_t g0 = n_graphs * r / size, g1 = n_graphs * (r + 1) / size;
    double incomp = 0;
    for (int64_t g = g0; g < g1 && st == PG_OK; g += 8) {
        int64_t ng = g1 - g < 8 ? g1 - g : 8;
        pg_graph_batch_free(&gb);
        st = pg_graph_h5_read(f, g, ng, &gb);
        if (st != PG_OK) break;
        pg_gnn_batch_t b = {.n_graphs = gb.n_graphs, .n_nodes = gb.n_nodes,
                            .n_edges = gb.n_edges, .node_offsets = gb.node_offsets,
                            .edge_src = gb.edge_src, .edge_dst = gb.edge_dst,
                            .edge_dist = gb.edge_dist, .node_features = gb.node_features};
        free(attr);
        free(delta);
        attr = calloc((size_t)(gb.n_edges + 1), sizeof(double));
        delta = calloc((size_t)(ng + 1), sizeof(double));
        if (!attr || !delta) {
            st = PG_ERR(PG_ERR_NOMEM, "out of memory for attributions");
            break;
        }
        for (int t = 0; t < T && st == PG_OK; t++) {
            st = pg_explain_integrated_gradients(m, &b, t, n_steps, attr, delta);
            for (int64_t k = 0; k < ng && st == PG_OK; k++) {
                double sum = 0;
                double *acc_g = per_graph + (g + k) * per + (int64_t)t * MAX_BONDS * 3;
                for (int64_t e = gb.edge_offsets[k]; e < gb.edge_offsets[k + 1]; e++) {
                    int bi = bond_index(B, &feat, gb.node_species[gb.edge_src[e]],
                                        gb.node_species[gb.edge_dst[e]]);
                    double a = attr[e] * norm.std[t];
                    acc_g[3 * bi] += fabs(a);
                    acc_g[3 * bi + 1] += a;
                    acc_g[3 * bi + 2] += 1;
                    sum += attr[e];
                }
                double den = fabs(delta[k]) > 1e-12 ? fabs(delta[k]) : 1e-12;
                incomp = fmax(incomp, fabs(sum - delta[k]) / den);
            }
        }
    }
    PG_TRY(agreed(run->comm, st));
    PG_TRY(pg_par_sum_double(run->comm, per_graph, n_graphs * per));
    PG_TRY(pg_par_max_double(run->comm, &incomp, 1));
    memset(acc, 0, sizeof(double) * (size_t)per);
    for (int64_t g = 0; g < n_graphs; g++)
        for (int64_t k = 0; k < per; k++) acc[k] += per_graph[g * per + k];
    *max_incomp = incomp;
cleanup:
    pg_graph_batch_free(&gb);
    pg_h5_close(&f);
    pg_gnn_destroy(&m);
    pg_gnn_destroy(&m32);
    free(params);
    free(per_graph);
    free(attr);
    free(delta);
    return st;
}

/* ---- the training grid ----------------------------------------------------------------- */

typedef struct {
    int pool;
    int64_t size;
    int seed_k;
    char name[96];
    char model[1300];
    char result[1300];
} job_t;

/* One training + evaluation; writes the job's result table (rank 0). Skipped when the table
 * exists (restart). */
static pg_status_t run_job(study_t *S, const job_t *J, int write_predictions)
{
    pg_run_t *run = S->run;
    pg_status_t st = PG_OK;
    pg_gnn_t *model = NULL;
    pg_gnn_train_result_t res;
    testset_t ts;
    double *pred = NULL;
    FILE *out = NULL;
    memset(&res, 0, sizeof res);
    memset(&ts, 0, sizeof ts);
    int exists = 0;
    if (run->rank == 0) exists = access(J->result, F_OK) == 0;
    PG_CHECK(pg_par_bcast(run->comm, 0, &exists, sizeof exists));
    if (exists) {
        pg_log_info(run->log, "study: %s done earlier (%s)", J->name, J->result);
        return PG_OK;
    }
    pg_gnn_train_opts_t o;
    double vf = 0.1;
    PG_CHECK(pg_gnn_train_opts_from_deck(S->d, &o));
    PG_CHECK(pg_deck_get_real(S->d, "study", "validation_fraction", &vf));
    o.dataset = S->path[J->pool];
    o.max_configs = J->size;
    o.split[0] = 1.0 - vf;
    o.split[1] = vf;
    o.split[2] = 0.0;
    o.seed = (uint64_t)(S->seed + J->seed_k);
    o.model_out = J->model;
    o.checkpoint = NULL;
    o.metrics_prefix = NULL;
    o.log = run->log;
    pg_log_info(run->log, "study: training %s (%lld configurations of the %s pool, seed %lld)",
                J->name, (long long)J->size, pool_name[J->pool], (long long)o.seed);
    PG_TRY(pg_gnn_train(run->comm, &o, &model, &res));
    if (run->rank == 0) {
        pg_gnn_norm_t norm;
        memset(&norm, 0, sizeof norm);
        norm.T = o.n_targets;
        for (int t = 0; t < o.n_targets; t++) {
            snprintf(norm.names[t], sizeof norm.names[0], "%s", o.targets[t]);
            norm.mean[t] = res.mean[t];
            norm.std[t] = res.std[t];
        }
        int64_t n_conf = 0;
        st = testset_read(S->path[POOL_TEST], &o, &ts);
        if (st == PG_OK)
            st = pg_gnn_predict_dataset(model, &norm, S->path[POOL_TEST], 64, &pred, &n_conf);
        if (st == PG_OK && n_conf != ts.n)
            st = PG_ERR(PG_ERR_INTERNAL, "predictions for %lld of %lld test configurations",
                        (long long)n_conf, (long long)ts.n);
        char tmp[1400];
        snprintf(tmp, sizeof tmp, "%s.tmp", J->result);
        if (st == PG_OK && !(out = fopen(tmp, "w")))
            st = PG_ERR(PG_ERR_IO, "cannot write '%s': %s", tmp, strerror(errno));
        if (st == PG_OK) {
            fprintf(out, "# %s: sampler %s, size %lld, seed %lld, n_train %lld, n_val %lld, "
                         "epochs %lld, best_epoch %lld\n",
                    J->name, pool_name[J->pool], (long long)J->size, (long long)o.seed,
                    (long long)res.n_split[0], (long long)res.n_split[1],
                    (long long)res.epochs_run, (long long)res.best_epoch);
            fprintf(out, "target,temperature_K,n,mae,rmse,r2\n");
            for (int t = 0; t < o.n_targets; t++)
                for (int j = -1; j < ts.n_temp; j++) {
                    double mae, rmse, r2;
                    int64_t n;
                    double T = j < 0 ? -1.0 : ts.temps[j];
                    metrics(&ts, pred, t, T, &mae, &rmse, &r2, &n);
                    char Ts[32] = "all";
                    if (T >= 0) snprintf(Ts, sizeof Ts, "%g", T);
                    fprintf(out, "%s,%s,%lld,%.9g,%.9g,%.9g\n", o.targets[t], Ts, (long long)n,
                            mae, rmse, r2);
                }
            if (fclose(out) != 0) st = PG_ERR(PG_ERR_IO, "cannot write '%s'", tmp);
            out = NULL;
            if (st == PG_OK && rename(tmp, J->result) != 0)
                st = PG_ERR(PG_ERR_IO, "cannot rename '%s': %s", tmp, strerror(errno));
        }
        if (st == PG_OK && write_predictions) {
            char pp[1200];
            snprintf(pp, sizeof pp, "%s/predictions_%s.csv", S->dir, pool_name[J->pool]);
            FILE *pf = fopen(pp, "w");
            if (!pf) st = PG_ERR(PG_ERR_IO, "cannot write '%s': %s", pp, strerror(errno));
            else {
                fprintf(pf, "config,temperature_K");
                for (int t = 0; t < o.n_targets; t++)
                    fprintf(pf, ",%s_true,%s_pred", o.targets[t], o.targets[t]);
                fprintf(pf, "\n");
                for (int64_t c = 0; c < ts.n; c++) {
                    if (!ts.done[c]) continue;
                    fprintf(pf, "%lld,%g", (long long)c, ts.temp[c]);
                    for (int t = 0; t < o.n_targets; t++)
                        fprintf(pf, ",%.9g,%.9g", ts.y[c * ts.T + t], pred[c * ts.T + t]);
                    fprintf(pf, "\n");
                }
                fclose(pf);
            }
        }
    }
    PG_TRY(agreed(run->comm, st));
cleanup:
    if (out) fclose(out);
    free(pred);
    testset_free(&ts);
    pg_gnn_train_result_free(&res);
    pg_gnn_destroy(&model);
    return st;
}

/* Learning curves (mean and spread over seeds) from the job tables (rank 0). */
static pg_status_t write_tables(study_t *S, const job_t *jobs, int n_jobs)
{
    char p1[1200], p2[1200];
    snprintf(p1, sizeof p1, "%s/learning_curves.csv", S->dir);
    snprintf(p2, sizeof p2, "%s/results.json", S->dir);
    FILE *lc = fopen(p1, "w"), *js = fopen(p2, "w");
    if (!lc || !js) {
        if (lc) fclose(lc);
        if (js) fclose(js);
        return PG_ERR(PG_ERR_IO, "cannot write the study tables in '%s'", S->dir);
    }
    fprintf(lc, "sampler,size,target,temperature_K,n_seeds,mae_mean,mae_std,rmse_mean,"
                "rmse_std,r2_mean,r2_std\n");
    fprintf(js, "{\"jobs\": [");
    /* group jobs by (pool, size): seeds are consecutive in the job list */
    int first_json = 1;
    for (int j0 = 0; j0 < n_jobs;) {
        int j1 = j0;
        while (j1 < n_jobs && jobs[j1].pool == jobs[j0].pool && jobs[j1].size == jobs[j0].size)
            j1++;
        /* rows: target,T -> arrays over seeds */
        enum { MAXR = 512 };
        char(*key)[96] = calloc(MAXR, sizeof *key);
        double(*v)[3][64] = calloc(MAXR, sizeof *v);
        if (!key || !v) {
            free(key);
            free(v);
            fclose(lc);
            fclose(js);
            return PG_ERR(PG_ERR_NOMEM, "out of memory for the study tables");
        }
        int64_t nrow = 0;
        int nseed = 0;
        for (int j = j0; j < j1; j++, nseed++) {
            FILE *f = fopen(jobs[j].result, "r");
            if (!f) continue;
            char line[512];
            fprintf(js, "%s\n  {\"name\": \"%s\", \"sampler\": \"%s\", \"size\": %lld, "
                        "\"seed\": %d, \"metrics\": [",
                    first_json ? "" : ",", jobs[j].name, pool_name[jobs[j].pool],
                    (long long)jobs[j].size, jobs[j].seed_k);
            first_json = 0;
            int first_m = 1;
            while (fgets(line, sizeof line, f)) {
                char tgt[64], Ts[32];
                double mae, rmse, r2;
                long long n;
                if (line[0] == '#' || sscanf(line, "%63[^,],%31[^,],%lld,%lf,%lf,%lf", tgt, Ts, &n,
                                             &mae, &rmse, &r2) != 6)
                    continue;
                /* JSON has no NaN: undefined R² (fewer than two test values) is null */
                char r2s[32] = "null";
                if (isfinite(r2)) snprintf(r2s, sizeof r2s, "%.9g", r2);
                fprintf(js, "%s{\"target\": \"%s\", \"temperature_K\": \"%s\", \"n\": %lld, "
                            "\"mae\": %.9g, \"rmse\": %.9g, \"r2\": %s}",
                        first_m ? "" : ", ", tgt, Ts, n, mae, rmse, r2s);
                first_m = 0;
                char k[96];
                snprintf(k, sizeof k, "%s,%s", tgt, Ts);
                int64_t r = 0;
                while (r < nrow && strcmp(key[r], k) != 0) r++;
                if (r == nrow && nrow < MAXR) snprintf(key[nrow++], sizeof key[0], "%s", k);
                if (r < MAXR && nseed < 64) {
                    v[r][0][nseed] = mae;
                    v[r][1][nseed] = rmse;
                    v[r][2][nseed] = r2;
                }
            }
            fprintf(js, "]}");
            fclose(f);
        }
        for (int64_t r = 0; r < nrow; r++) {
            fprintf(lc, "%s,%lld,%s,%d", pool_name[jobs[j0].pool], (long long)jobs[j0].size,
                    key[r], nseed);
            for (int q = 0; q < 3; q++) {
                double m = 0, s2 = 0;
                for (int k = 0; k < nseed; k++) m += v[r][q][k];
                m /= nseed;
                for (int k = 0; k < nseed; k++) s2 += (v[r][q][k] - m) * (v[r][q][k] - m);
                fprintf(lc, ",%.9g,%.9g", m, nseed > 1 ? sqrt(s2 / (nseed - 1)) : 0.0);
            }
            fprintf(lc, "\n");
        }
        free(key);
        free(v);
        j0 = j1;
    }
    fprintf(js, "\n]}\n");
    fclose(lc);
    fclose(js);
    return PG_OK;
}

static pg_status_t write_bonds(study_t *S, FILE *f, int pool, const pg_gnn_train_opts_t *o,
                               const bonds_t *B, const double *acc)
{
    for (int t = 0; t < o->n_targets; t++) {
        const double *a = acc + (int64_t)t * MAX_BONDS * 3;
        double tot = 0;
        for (int b = 0; b < B->n_bond; b++) tot += a[3 * b];
        for (int b = 0; b < B->n_bond; b++) {
            if (a[3 * b + 2] == 0) continue;
            fprintf(f, "%s,%s,%s,%.0f,%.9g,%.9g,%.9g\n", pool_name[pool], o->targets[t],
                    B->name[b], a[3 * b + 2], a[3 * b] / a[3 * b + 2], tot > 0 ? a[3 * b] / tot : 0,
                    a[3 * b + 1] / a[3 * b + 2]);
        }
    }
    (void)S;
    return PG_OK;
}

pg_status_t pg_stage_study(pg_run_t *run)
{
    pg_status_t st = PG_OK;
    study_t S;
    pg_fc_t fc = {0};
    job_t *jobs = NULL;
    double *acc = NULL;
    FILE *bf = NULL;
    memset(&S, 0, sizeof S);
    if (!pg_deck_has_section(run->deck, "study")) {
        pg_log_info(run->log, "study: the deck has no [study] section; nothing to do");
        return PG_OK;
    }
    S.run = run;
    S.d = run->deck;
    PG_CHECK(pg_deck_get_int(S.d, "run", "seed", &S.seed));
    snprintf(S.dir, sizeof S.dir, "%s/study", run->output_dir);
    for (int p = 0; p < N_POOLS; p++)
        snprintf(S.path[p], sizeof S.path[0], "%s/%s.h5", S.dir, pool_name[p]);
    char mdir[1100];
    snprintf(mdir, sizeof mdir, "%s/models", S.dir);
    if (run->rank == 0) {
        st = mkdir_one(S.dir);
        if (st == PG_OK) st = mkdir_one(mdir);
    }
    PG_TRY(agreed(run->comm, st));

    /* 1-2. modes and the three pools (the random pool needs no modes, the MD pool a force
     * field; all three go through the same farm, file schema and restart logic) */
    const char *const *samplers = NULL;
    int n_samplers = 0;
    PG_TRY(pg_deck_get_words(S.d, "study", "samplers", &samplers, &n_samplers));
    int want[2] = {0, 0};
    for (int k = 0; k < n_samplers; k++) {
        if (strcasecmp(samplers[k], "phonon") == 0) want[POOL_PHONON] = 1;
        else if (strcasecmp(samplers[k], "random") == 0) want[POOL_RANDOM] = 1;
        else
            PG_TRY_REQUIRE(0, PG_ERR_INPUT, "%s: [study] samplers: unknown sampler '%s' "
                           "(expected phonon or random)", pg_deck_where(S.d, "study", "samplers"),
                           samplers[k]);
    }
    char fc_source[1200] = "";
    if (want[POOL_PHONON]) PG_TRY(phonon_fc(&S, &fc, fc_source, sizeof fc_source));
    /* 3. graphs of each pool, stored into its file once the pool is complete */
    produce_graphs_t graphs;
    PG_TRY(pg_graph_opts_from_deck(S.d, &graphs.opts, graphs.kinds, &graphs.n_kind,
                                   &graphs.one_hot));
    for (int p = 0; p < N_POOLS; p++)
        if (p == POOL_TEST || want[p]) PG_TRY(produce_pool(&S, p, &fc, fc_source, &graphs));

    /* 4. training grid */
    const int64_t *sizes = NULL;
    int n_sizes = 0;
    int64_t n_seeds = 1, n_steps = 32, n_explain = 0;
    PG_TRY(pg_deck_get_ints(S.d, "study", "train_sizes", &sizes, &n_sizes));
    PG_TRY(pg_deck_get_int(S.d, "study", "seeds", &n_seeds));
    PG_TRY(pg_deck_get_int(S.d, "study", "explain_steps", &n_steps));
    PG_TRY(pg_deck_get_int(S.d, "study", "explain_configurations", &n_explain));
    int n_jobs = 0;
    PG_TRY_CALLOC(jobs, 2 * n_sizes * n_seeds, "study jobs");
    int64_t max_size = 0;
    for (int k = 0; k < n_sizes; k++) max_size = sizes[k] > max_size ? sizes[k] : max_size;
    for (int p = 0; p < 2; p++) {
        if (!want[p]) continue;
        for (int k = 0; k < n_sizes; k++)
            for (int s = 0; s < n_seeds; s++) {
                job_t *J = &jobs[n_jobs++];
                J->pool = p;
                J->size = sizes[k];
                J->seed_k = s;
                snprintf(J->name, sizeof J->name, "%s_n%lld_s%d", pool_name[p],
                         (long long)sizes[k], s);
                snprintf(J->model, sizeof J->model, "%s/%s.h5", mdir, J->name);
                snprintf(J->result, sizeof J->result, "%s/%s.csv", mdir, J->name);
            }
    }
    for (int j = 0; j < n_jobs; j++)
        PG_TRY(run_job(&S, &jobs[j], jobs[j].size == max_size && jobs[j].seed_k == 0));
    if (run->rank == 0) st = write_tables(&S, jobs, n_jobs);
    PG_TRY(agreed(run->comm, st));

    /* 5. explainability of the largest model of each sampler (first seed) */
    pg_gnn_train_opts_t o;
    PG_TRY(pg_gnn_train_opts_from_deck(S.d, &o));
    PG_TRY_CALLOC(acc, (int64_t)o.n_targets * MAX_BONDS * 3, "bond attributions");
    char bp[1200];
    snprintf(bp, sizeof bp, "%s/bonds.csv", S.dir);
    if (run->rank == 0 && !(bf = fopen(bp, "w")))
        st = PG_ERR(PG_ERR_IO, "cannot write '%s': %s", bp, strerror(errno));
    PG_TRY(agreed(run->comm, st));
    if (bf)
        fprintf(bf, "sampler,target,bond,n_edges,mean_abs_attribution,share_of_abs,"
                    "mean_signed_attribution\n");
    for (int j = 0; j < n_jobs; j++) {
        if (jobs[j].size != max_size || jobs[j].seed_k != 0) continue;
        bonds_t B;
        memset(&B, 0, sizeof B);
        double incomp = 0;
        PG_TRY(explain_model(&S, jobs[j].model, (int)n_steps, n_explain, &B, acc, &incomp));
        if (bf) write_bonds(&S, bf, jobs[j].pool, &o, &B, acc);
        pg_log_info(run->log, "study: explained %s (integrated gradients, %lld points; largest "
                    "completeness error %.2e relative)", jobs[j].name, (long long)n_steps, incomp);
        pg_run_result(run, "explain_completeness_error", "%.3e", incomp);
    }
    pg_log_info(run->log, "study: tables in %s (learning_curves.csv, results.json, bonds.csv, "
                "predictions_*.csv); figures: make figures", S.dir);
cleanup:
    if (bf) fclose(bf);
    free(acc);
    free(jobs);
    pg_fc_free(&fc);
    return st;
}

static const char *const study_help =
    "usage: phonograph study DECK\n\n"
    "The paper's experiment (docs/study.md): the pipeline of `phonograph run DECK`, whose\n"
    "study stage (deck section [study]) samples and labels a phonon-informed, a random and an\n"
    "MD test pool, builds their graphs, trains the GNN for every sampler, training-set size and\n"
    "seed, evaluates on the MD ensemble, explains the largest models by bond type and writes\n"
    "<output_dir>/study/{learning_curves.csv,results.json,bonds.csv,predictions_*.csv}.\n"
    "Completed stages and trainings are skipped on rerun. Figures: make figures.\n";

pg_status_t pg_cmd_study(MPI_Comm comm, int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        if (pg_par_rank(comm) == 0) fputs(study_help, stdout);
        return PG_OK;
    }
    return pg_cmd_run(comm, argc, argv);
}
