/* stage_phonons_run.c - the phonons stage as the run driver calls it (pg_run.h). Separate
 * from stage_phonons.c so `phonograph phonons` links without the run driver. */
#include "phonograph/pg_phonons_stage.h"
#include "phonograph/pg_log.h"
#include "phonograph/pg_run.h"

pg_status_t pg_stage_phonons(struct pg_run *run)
{
    pg_phonons_summary_t s = {0};
    if (!pg_deck_has_section(run->deck, "phonons")) {
        pg_log_info(run->log, "phonons: the deck has no [phonons] section; nothing to compute");
        pg_run_result(run, "phonons_computed", "false");
        return PG_OK;
    }
    PG_CHECK(pg_phonons_run(run->comm, run->deck, run->log, run->output_dir, &s));
    pg_run_result(run, "phonons_n_band", "%d", s.n_band);
    pg_run_result(run, "phonons_mesh_q", "%lld", (long long)s.n_mesh_q);
    pg_run_result(run, "phonons_imaginary_mesh", "%lld", (long long)s.n_imaginary_mesh);
    pg_run_result(run, "phonons_imaginary_commensurate", "%lld",
                  (long long)s.n_imaginary_commensurate);
    pg_run_result(run, "phonons_min_freq_THz", "%.6f", s.min_freq_thz);
    pg_run_result(run, "phonons_max_freq_THz", "%.6f", s.max_freq_thz);
    return PG_OK;
}

