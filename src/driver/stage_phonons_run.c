/* stage_phonons_run.c - the phonons stage as the run driver calls it (pg_run.h). Separate
 * from stage_phonons.c so `phonograph phonons` links without the run driver. */
#include <string.h>

#include "phonograph/pg_phonons_stage.h"
#include "phonograph/pg_log.h"
#include "phonograph/pg_run.h"

static void record(struct pg_run *run, const pg_phonons_summary_t *sp);

pg_status_t pg_stage_phonons(struct pg_run *run)
{
    pg_phonons_summary_t s = {0};
    if (!pg_deck_has_section(run->deck, "phonons")) {
        pg_log_info(run->log, "phonons: the deck has no [phonons] section; nothing to compute");
        pg_run_result(run, "phonons_computed", "false");
        return PG_OK;
    }
    if (run->relaxed) {
        const char *src = "";
        PG_CHECK(pg_deck_get_string(run->deck, "phonons", "fc_source", &src));
        if (strcmp(src, "file") == 0)
            pg_log_warn(run->log, "phonons: the run relaxed the unit cell, but fc_source = file "
                                  "reads force constants computed elsewhere; they are used with "
                                  "the relaxed cell as they are");
    }
    /* the run's unit cell: relaxed when the relax stage is part of the run */
    PG_CHECK(pg_phonons_run_cell(run->comm, run->deck, run->log, run->output_dir,
                                 run->relaxed ? &run->unitcell : NULL, &s));
    pg_run_result(run, "phonons_unitcell", "\"%s\"",
                  run->relaxed ? "relaxed (relax stage)" : "[structure] unitcell");
    record(run, &s);
    return PG_OK;
}

/* The run driver found stages/phonons.done for this deck: trust phonons.h5 only if it is
 * complete and made from the same [structure]/[phonons]/[labeler]; otherwise compute again. */
pg_status_t pg_stage_phonons_resume(struct pg_run *run)
{
    pg_phonons_summary_t s = {0};
    if (!pg_deck_has_section(run->deck, "phonons")) {
        pg_run_result(run, "phonons_computed", "false");
        return PG_OK;
    }
    int ok = 0;
    char why[4400];
    PG_CHECK(pg_phonons_check_output(run->comm, run->deck, run->output_dir, &ok, &s, why, sizeof why));
    if (!ok) {
        pg_log_warn(run->log, "phonons: %s; computing the stage again", why);
        PG_CHECK(pg_stage_phonons(run));
        return PG_OK;
    }
    pg_log_info(run->log, "phonons: %s/phonons.h5 is complete and made from this deck; reused",
                run->output_dir);
    record(run, &s);
    return PG_OK;
}

static void record(struct pg_run *run, const pg_phonons_summary_t *sp)
{
    const pg_phonons_summary_t s = *sp;
#include <string.h>
    pg_run_result(run, "phonons_n_band", "%d", s.n_band);
    pg_run_result(run, "phonons_mesh_q", "%lld", (long long)s.n_mesh_q);
    pg_run_result(run, "phonons_imaginary_mesh", "%lld", (long long)s.n_imaginary_mesh);
    pg_run_result(run, "phonons_imaginary_commensurate", "%lld",
                  (long long)s.n_imaginary_commensurate);
    pg_run_result(run, "phonons_min_freq_THz", "%.6f", s.min_freq_thz);
    pg_run_result(run, "phonons_max_freq_THz", "%.6f", s.max_freq_thz);
}
