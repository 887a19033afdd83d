/* train_keys.c - the [train] deck section (GNN model, optimiser, data parallel training) and
 * its reader. Listed in src/core/deck_keys.c. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "phonograph/pg_deck.h"
#include "phonograph/pg_gnn.h"

#define NOLIMIT 1.0, 0.0

const pg_deck_key_t pg_deck_keys_train[] = {
    {"train", "dataset", PG_DECK_PATH, "", NOLIMIT, 0, 0, NULL, NULL,
     "HDF5 dataset with graphs and labels to train on"},
    {"train", "targets", PG_DECK_WORDS, "energy_per_atom gap vbm hydrostatic_stress",
     NOLIMIT, 1, PG_GNN_MAX_TARGETS, NULL, NULL,
     "labels to learn (names under /labels/ of the dataset)"},
    {"train", "target_weights", PG_DECK_REALS, "", 0, 1e6, 1, PG_GNN_MAX_TARGETS, NULL, NULL,
     "loss weight per target (one per target; unset = all 1)"},
    {"train", "split", PG_DECK_REALS, "0.8 0.1 0.1", 0, 1, 3, 3, NULL, NULL,
     "train / validation / test fractions of the configurations (seeded by [run] seed)"},
    {"train", "epochs", PG_DECK_INT, "200", 1, 1e9, 0, 0, NULL, NULL, "maximum epochs"},
    {"train", "batch_size", PG_DECK_INT, "32", 1, 1e9, 0, 0, NULL, NULL,
     "graphs per global mini-batch (split over the ranks; independent of the rank count)"},
    {"train", "lr", PG_DECK_REAL, "1e-3", 1e-12, 10, 0, 0, NULL, NULL, "Adam learning rate"},
    {"train", "lr_schedule", PG_DECK_CHOICE, "cosine", NOLIMIT, 0, 0, NULL,
     "constant|cosine|step", "learning-rate schedule over the epochs"},
    {"train", "lr_min", PG_DECK_REAL, "1e-5", 0, 10, 0, 0, NULL, NULL,
     "final learning rate of the cosine schedule"},
    {"train", "lr_gamma", PG_DECK_REAL, "0.5", 1e-6, 1, 0, 0, NULL, NULL,
     "factor of the step schedule"},
    {"train", "lr_step_epochs", PG_DECK_INT, "50", 1, 1e9, 0, 0, NULL, NULL,
     "epochs between steps of the step schedule"},
    {"train", "warmup_epochs", PG_DECK_INT, "0", 0, 1e9, 0, 0, NULL, NULL,
     "linear learning-rate warm-up epochs"},
    {"train", "patience", PG_DECK_INT, "30", 0, 1e9, 0, 0, NULL, NULL,
     "early stopping: epochs without a better validation loss (0 = off)"},
    {"train", "checkpoint_every", PG_DECK_INT, "1", 0, 1e9, 0, 0, NULL, NULL,
     "epochs between checkpoints (<output_dir>/gnn_checkpoint.h5; 0 = only at the end)"},
    {"train", "shards", PG_DECK_INT, "12", 1, 1e6, 0, 0, NULL, NULL,
     "fixed shards of the training set; ranks own whole shards (use a multiple of the rank "
     "counts you run, e.g. 12 for 1, 2, 3, 4, 6, 12 ranks)"},
    {"train", "precision", PG_DECK_CHOICE, "float32", NOLIMIT, 0, 0, NULL, "float32|float64",
     "arithmetic of the model"},
    {"train", "hidden", PG_DECK_INT, "64", 1, 4096, 0, 0, NULL, NULL, "node width H"},
    {"train", "conv_layers", PG_DECK_INT, "3", 1, 64, 0, 0, NULL, NULL,
     "gated graph convolutions K"},
    {"train", "head_hidden", PG_DECK_INT, "32", 1, 4096, 0, 0, NULL, NULL, "head width Hh"},
    {"train", "gaussians", PG_DECK_INT, "40", 2, 4096, 0, 0, NULL, NULL,
     "Gaussians G of the distance expansion"},
    {"train", "dmin", PG_DECK_REAL, "0", 0, 100, 0, 0, "Å", NULL, "first Gaussian centre"},
    {"train", "dmax", PG_DECK_REAL, "6", 0.1, 100, 0, 0, "Å", NULL,
     "last Gaussian centre (about the graph cutoff)"},
    {"train", "memory_budget", PG_DECK_REAL, "1024", 0, 1e9, 0, 0, "MiB", NULL,
     "per rank: a larger training shard is streamed from the dataset file step by step"},
    {"train", "diverge_loss", PG_DECK_REAL, "1e6", 0, 1e300, 0, 0, NULL, NULL,
     "a batch loss above this (normalised units) stops training as diverged"},
    PG_DECK_KEYS_END,
};

/* [train]: as many weights as targets; dmax > dmin; split sums to > 0 with a training share */
void pg_gnn_check_train(const pg_deck_t *d, pg_deck_report_t *r)
{
    const char *const *w = NULL;
    const double *v = NULL;
    int nw = 0, nv = 0;
    if (pg_deck_get_words(d, "train", "targets", &w, &nw) == PG_OK &&
        pg_deck_is_set(d, "train", "target_weights") &&
        pg_deck_get_reals(d, "train", "target_weights", &v, &nv) == PG_OK && nv != nw)
        pg_deck_report(r, "train", "target_weights",
                       "target_weights: %d weights for %d targets", nv, nw);
    double a = 0, b = 0;
    if (pg_deck_get_real(d, "train", "dmin", &a) == PG_OK &&
        pg_deck_get_real(d, "train", "dmax", &b) == PG_OK && !(b > a))
        pg_deck_report(r, "train", "dmax", "dmax (%g Å) must be larger than dmin (%g Å)", b, a);
    if (pg_deck_get_reals(d, "train", "split", &v, &nv) == PG_OK && nv == 3 && !(v[0] > 0))
        pg_deck_report(r, "train", "split", "split needs a training fraction > 0");
}

pg_status_t pg_gnn_train_opts_from_deck(const pg_deck_t *d, pg_gnn_train_opts_t *o)
{
    pg_gnn_train_opts_default(o);
    const char *s = NULL;
    const char *const *w = NULL;
    const double *v = NULL;
    int n = 0;
    int64_t i = 0;
    double x = 0;
    o->dataset = NULL; /* optional: `phonograph train` needs it, the study sets its own */
    if (pg_deck_is_set(d, "train", "dataset"))
        PG_CHECK(pg_deck_get_string(d, "train", "dataset", &o->dataset));
    PG_CHECK(pg_deck_get_words(d, "train", "targets", &w, &n));
    o->n_targets = n;
    for (int t = 0; t < n; t++) {
        o->targets[t] = w[t];
        o->target_weights[t] = 1.0;
    }
    if (pg_deck_is_set(d, "train", "target_weights")) {
        int nv = 0;
        PG_CHECK(pg_deck_get_reals(d, "train", "target_weights", &v, &nv));
        PG_REQUIRE(nv == n, PG_ERR_INPUT, "%s: target_weights: %d weights for %d targets",
                   pg_deck_where(d, "train", "target_weights"), nv, n);
        for (int t = 0; t < n; t++) o->target_weights[t] = v[t];
    }
    PG_CHECK(pg_deck_get_reals(d, "train", "split", &v, &n));
    for (int k = 0; k < 3; k++) o->split[k] = v[k];
    PG_CHECK(pg_deck_get_int(d, "train", "epochs", &o->epochs));
    PG_CHECK(pg_deck_get_int(d, "train", "batch_size", &o->batch_size));
    PG_CHECK(pg_deck_get_real(d, "train", "lr", &o->lr.lr));
    o->adam = pg_adam_default(o->lr.lr);
    PG_CHECK(pg_deck_get_string(d, "train", "lr_schedule", &s));
    o->lr.kind = strcmp(s, "constant") == 0 ? PG_LR_CONSTANT
                 : strcmp(s, "step") == 0   ? PG_LR_STEP
                                            : PG_LR_COSINE;
    PG_CHECK(pg_deck_get_real(d, "train", "lr_min", &o->lr.lr_min));
    PG_CHECK(pg_deck_get_real(d, "train", "lr_gamma", &o->lr.gamma));
    PG_CHECK(pg_deck_get_int(d, "train", "lr_step_epochs", &o->lr.step_epochs));
    PG_CHECK(pg_deck_get_int(d, "train", "warmup_epochs", &o->lr.warmup_epochs));
    PG_CHECK(pg_deck_get_int(d, "train", "patience", &o->patience));
    PG_CHECK(pg_deck_get_int(d, "train", "checkpoint_every", &o->checkpoint_every));
    PG_CHECK(pg_deck_get_int(d, "train", "shards", &o->n_shards));
    PG_CHECK(pg_deck_get_string(d, "train", "precision", &s));
    o->prec = strcmp(s, "float64") == 0 ? PG_GNN_F64 : PG_GNN_F32;
    PG_CHECK(pg_deck_get_int(d, "train", "hidden", &i));
    o->model.H = (int)i;
    PG_CHECK(pg_deck_get_int(d, "train", "conv_layers", &i));
    o->model.K = (int)i;
    PG_CHECK(pg_deck_get_int(d, "train", "head_hidden", &i));
    o->model.Hh = (int)i;
    PG_CHECK(pg_deck_get_int(d, "train", "gaussians", &i));
    o->model.G = (int)i;
    PG_CHECK(pg_deck_get_real(d, "train", "dmin", &o->model.dmin_ang));
    PG_CHECK(pg_deck_get_real(d, "train", "dmax", &o->model.dmax_ang));
    PG_CHECK(pg_deck_get_real(d, "train", "memory_budget", &o->memory_budget_mb));
    PG_CHECK(pg_deck_get_real(d, "train", "diverge_loss", &x));
    o->diverge_loss = x;
    PG_CHECK(pg_deck_get_int(d, "run", "seed", &i));
    o->seed = (uint64_t)i;
    o->deck_text = pg_deck_text(d);
    return PG_OK;
}
