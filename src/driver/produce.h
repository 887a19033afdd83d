/* produce.h - shared inside src/driver: dataset production (create or resume the file, run the
 * task farm, optionally build the graphs), used by the sample stage and the study's pools. */
#ifndef PG_DRIVER_PRODUCE_H
#define PG_DRIVER_PRODUCE_H

#include "phonograph/pg_dataset.h"
#include "phonograph/pg_farm.h"
#include "phonograph/pg_features.h"
#include "phonograph/pg_graph.h"

/* Graphs to store in the file after sampling (pg_graph_build_file). */
typedef struct {
    pg_graph_opts_t opts;
    pg_feat_kind_t kinds[PG_FEAT_N_KINDS];
    int n_kind, one_hot;
} produce_graphs_t;

/* Produce the dataset file `path` for meta->sampler: if the file exists and `resume` is set it
 * is reopened (pg_dataset_open_resume: a file of another deck, seed or sampler construction is
 * refused) and only missing configurations are computed, else it is created (overwritten);
 * then the task farm (fo) and, if graphs != NULL and every configuration is done, the graphs
 * into /graphs (rebuilt from the file, so a resumed file gets the same graphs). fs and
 * graph_totals[3] (graphs, nodes, edges; may be NULL) receive the statistics. Collective on
 * comm; errors agreed. */
pg_status_t produce_dataset(MPI_Comm comm, const char *path, int resume,
                            const pg_dataset_meta_t *meta, const pg_farm_opts_t *fo,
                            const produce_graphs_t *graphs, pg_log_t *log, pg_farm_stats_t *fs,
                            int64_t graph_totals[3]);

#endif
