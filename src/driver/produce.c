/* produce.c - dataset production shared by the sample stage and the study (produce.h). */
#include "driver/produce.h"

#include <unistd.h>

#include "phonograph/pg_graph_h5.h"
#include "phonograph/pg_par.h"

pg_status_t produce_dataset(MPI_Comm comm, const char *path, int resume,
                            const pg_dataset_meta_t *meta, const pg_farm_opts_t *fo,
                            const produce_graphs_t *graphs, pg_log_t *log, pg_farm_stats_t *fs,
                            int64_t graph_totals[3])
{
    pg_status_t st = PG_OK;
    pg_dataset_t *ds = NULL;
    int exists = 0;
    if (graph_totals) graph_totals[0] = graph_totals[1] = graph_totals[2] = 0;
    if (pg_par_rank(comm) == 0) exists = access(path, F_OK) == 0;
    PG_TRY(pg_par_bcast(comm, 0, &exists, sizeof exists));
    if (exists && resume) {
        PG_TRY(pg_dataset_open_resume(path, comm, meta, &ds));
        if (log) pg_log_info(log, "resuming %s", path);
    } else {
        PG_TRY(pg_dataset_create(path, comm, meta, &ds));
    }
    PG_TRY(pg_farm_run(comm, meta->sampler, ds, fo, fs));
    st = pg_dataset_close(&ds);
    PG_TRY(st);
    /* graphs: a deterministic function of the finished file (node features are normalised
     * over all its configurations, so they are built once the farm is done), each rank a
     * contiguous block, collective writes (pg_graph_build_file) */
    if (graphs) {
        int64_t tot[3] = {0, 0, 0};
        PG_TRY(pg_graph_build_file(comm, path, &graphs->opts, graphs->kinds, graphs->n_kind,
                                   graphs->one_hot, tot));
        if (graph_totals)
            for (int i = 0; i < 3; i++) graph_totals[i] = tot[i];
    }
cleanup:
    if (ds) {
        pg_status_t c = pg_dataset_close(&ds);
        if (st == PG_OK) st = c;
    }
    return st;
}
