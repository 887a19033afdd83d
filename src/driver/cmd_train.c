/* cmd_train.c - `phonograph train DECK` and `phonograph predict MODEL DATASET...`. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "phonograph/pg_cli.h"
#include "phonograph/pg_deck.h"
#include "phonograph/pg_gnn.h"
#include "phonograph/pg_h5.h"
#include "phonograph/pg_log.h"
#include "phonograph/pg_par.h"
#include "phonograph/pg_poscar.h"
#include "phonograph/pg_stop.h"

static const char *const train_help =
    "usage: phonograph train DECK\n\n"
    "Train the GNN of the deck's [train] section on its dataset, data-parallel over all\n"
    "ranks. Writes into [run] output_dir: gnn_checkpoint.h5 (every checkpoint_every epochs,\n"
    "atomically), gnn_model.h5 (the best model), gnn_metrics.json and gnn_metrics.csv (MAE,\n"
    "RMSE, R2 per target and split). An existing checkpoint of the same deck is resumed.\n"
    "SIGTERM/SIGINT or the [run] wall_time stop after the current epoch with a checkpoint.\n";

static const char *const predict_help =
    "usage: phonograph predict MODEL DATASET.h5|POSCAR... [-o FILE.csv]\n\n"
    "Predict every configuration of each dataset file (HDF5 with /graphs) and each POSCAR\n"
    "(its graph built with the cutoff and feature normalisation stored in the model) with a\n"
    "trained model (gnn_model.h5), in physical units, as CSV: file,configuration,<target>,...\n"
    "(stdout or FILE.csv). Incomplete configurations of a dataset are predicted as nan.\n";

/* mkdir -p */
static pg_status_t make_dirs(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return PG_ERR(PG_ERR_IO, "cannot create directory '%s': %s", buf,
                              strerror(errno));
            *p = '/';
        }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return PG_ERR(PG_ERR_IO, "cannot create directory '%s': %s", buf, strerror(errno));
    return PG_OK;
}

pg_status_t pg_cmd_train(MPI_Comm comm, int argc, char **argv)
{
    pg_status_t st = PG_OK;
    int rank = pg_par_rank(comm);
    pg_deck_t *d = NULL;
    pg_log_t *log = NULL;
    pg_gnn_train_result_t res;
    memset(&res, 0, sizeof res);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        if (rank == 0) fputs(train_help, stdout);
        return PG_OK;
    }
    PG_REQUIRE(argc == 2, PG_ERR_INPUT, "train: expected one deck file (phonograph train --help)");
    PG_CHECK(pg_deck_read(comm, argv[1], &d));
    pg_gnn_train_opts_t o;
    const char *out_dir = NULL;
    double wall = 0;
    char ck[4096], model[4096], metrics[4096], logp[4096];
    st = pg_gnn_train_opts_from_deck(d, &o);
    if (st == PG_OK && !o.dataset)
        st = PG_ERR(PG_ERR_INPUT, "%s: `phonograph train` needs [train] dataset = <file.h5>",
                    pg_deck_path(d));
    if (st == PG_OK) st = pg_deck_get_string(d, "run", "output_dir", &out_dir);
    if (st == PG_OK) st = pg_deck_get_real(d, "run", "wall_time", &wall);
    if (st == PG_OK && rank == 0) st = make_dirs(out_dir);
    {
        pg_status_t a = pg_par_agree(comm, &st);
        if (a != PG_OK) st = a;
    }
    if (st != PG_OK) goto cleanup;
    snprintf(ck, sizeof ck, "%s/gnn_checkpoint.h5", out_dir);
    snprintf(model, sizeof model, "%s/gnn_model.h5", out_dir);
    snprintf(metrics, sizeof metrics, "%s/gnn_metrics", out_dir);
    snprintf(logp, sizeof logp, "%s/phonograph.log", out_dir);
    o.checkpoint = ck;
    o.model_out = model;
    o.metrics_prefix = metrics;
    PG_TRY(pg_log_create(comm, PG_LOG_INFO, rank == 0 ? logp : NULL, &log));
    o.log = log;
    pg_stop_install(wall, 0);
    PG_TRY(pg_gnn_train(comm, &o, NULL, &res));
    pg_log_info(log, "wrote %s, %s.json, %s.csv", model, metrics, metrics);
cleanup:
    pg_gnn_train_result_free(&res);
    pg_log_destroy(&log);
    pg_deck_destroy(&d);
    return st;
}


static pg_status_t predict_rank0(int argc, char **argv)
{
    pg_status_t st = PG_OK;
    pg_gnn_t *m = NULL;
    pg_gnn_norm_t norm;
    const char *out_path = NULL;
    FILE *out = stdout;
    double *pred = NULL;
    PG_CHECK(pg_gnn_model_read(argv[1], &m, &norm));
    for (int k = 2; k < argc; k++)
        if (strcmp(argv[k], "-o") == 0 && k + 1 < argc) out_path = argv[k + 1];
    if (out_path) {
        out = fopen(out_path, "w");
        PG_TRY_REQUIRE(out, PG_ERR_IO, "cannot write '%s': %s", out_path, strerror(errno));
    }
    fprintf(out, "file,configuration");
    for (int t = 0; t < norm.T; t++) fprintf(out, ",%s", norm.names[t]);
    fprintf(out, "\n");
    for (int k = 2; k < argc; k++) {
        if (strcmp(argv[k], "-o") == 0) {
            k++;
            continue;
        }
        if (!pg_h5_is_hdf5(argv[k])) { /* a POSCAR: its graph is built with the model's recipe */
            pg_cell_t cell;
            double p[PG_GNN_MAX_TARGETS];
            memset(&cell, 0, sizeof cell);
            st = pg_poscar_read(MPI_COMM_SELF, argv[k], &cell);
            if (st == PG_OK) st = pg_gnn_predict_cell(m, &norm, &cell, p);
            pg_cell_free(&cell);
            if (st != PG_OK) {
                pg_err_frame(__FILE__, __LINE__, __func__);
                goto cleanup;
            }
            fprintf(out, "%s,0", argv[k]);
            for (int t = 0; t < norm.T; t++) fprintf(out, ",%.10g", p[t]);
            fprintf(out, "\n");
            continue;
        }
        int64_t n = 0;
        PG_TRY(pg_gnn_predict_dataset(m, &norm, argv[k], 64, &pred, &n));
        for (int64_t c = 0; c < n; c++) {
            fprintf(out, "%s,%lld", argv[k], (long long)c);
            for (int t = 0; t < norm.T; t++) fprintf(out, ",%.10g", pred[c * norm.T + t]);
            fprintf(out, "\n");
        }
        free(pred);
        pred = NULL;
    }
cleanup:
    free(pred);
    if (out && out != stdout && fclose(out) != 0 && st == PG_OK)
        st = PG_ERR(PG_ERR_IO, "error writing '%s'", out_path);
    pg_gnn_destroy(&m);
    return st;
}

pg_status_t pg_cmd_predict(MPI_Comm comm, int argc, char **argv)
{
    int rank = pg_par_rank(comm);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        if (rank == 0) fputs(predict_help, stdout);
        return PG_OK;
    }
    PG_REQUIRE(argc >= 3, PG_ERR_INPUT,
               "predict: expected MODEL and at least one dataset (phonograph predict --help)");
    pg_status_t st = PG_OK;
    if (rank == 0) st = predict_rank0(argc, argv);
    PG_CHECK(pg_par_agree(comm, &st));
    return st;
}
