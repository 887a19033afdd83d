/* pg_run.h - the run context and the pipeline of stages behind `phonograph run DECK`.
 *
 * A run is an ordered list of stages (src/driver/run.c, table `stages`). Each stage is one
 * function `pg_status_t stage_x(pg_run_t *run)`, collective on run->comm, that reads its
 * deck section, does its work (rank 0 orchestrates; workers follow), writes its files into
 * run->output_dir, stores what later stages need in the run context, and records results
 * for run_summary.json with pg_run_result. The driver around it:
 *   - parses the deck on rank 0 and broadcasts it (pg_deck_read), echoes the resolved deck,
 *     creates output_dir and writes <output_dir>/deck.resolved;
 *   - refuses an output_dir produced by a different deck (its deck.resolved, read with this
 *     version's tables, resolves to other values; run-control keys may differ);
 *   - skips a stage completed earlier (marker <output_dir>/stages/<stage>.done holding the
 *     output directory's deck fingerprint); a skipped stage's `resume` function (may be
 *     NULL) restores what later stages need, without redoing the work;
 *   - times every stage (timer named after the stage), agrees on errors after every stage
 *     (pg_par_agree: one message, non-zero exit on every rank, no hang), and writes
 *     <output_dir>/run_summary.json at the end, also after a failure.
 *
 * Adding a stage = one function (in its own src/driver/stage_<name>.c) + one row in the
 * `stages` table of run.c + fields in pg_run_t for what it hands to later stages + its deck
 * table in deck_keys.c. Stages run in table order.
 */
#ifndef PG_RUN_H
#define PG_RUN_H

#include <mpi.h>
#include <stdint.h>

#include "phonograph/pg_cell.h"
#include "phonograph/pg_deck.h"
#include "phonograph/pg_log.h"
#include "phonograph/pg_status.h"
#include "phonograph/pg_supercell.h"
#include "phonograph/pg_symmetry.h"

typedef struct pg_run pg_run_t;

typedef pg_status_t (*pg_stage_fn)(pg_run_t *run);

typedef struct {
    const char *name;    /* lower case, also the timer name and the marker file name */
    pg_stage_fn run;     /* do the work, write the files, fill the context */
    pg_stage_fn resume;  /* completed earlier: restore the context cheaply (NULL = nothing) */
    const char *summary; /* one line for `phonograph run --help` */
    const char *needs;   /* space-separated earlier stages whose results it uses; NULL = every
                            earlier stage (a stage may not run while one it needs is neither
                            selected nor completed) */
    int (*feeds_later)(const struct pg_run *run);
                         /* NULL, or returns 1 when this run of the stage changes what every
                            later stage works on (relax with something to relax): it may then
                            not run for the first time in an output_dir where a later stage has
                            already completed without it. */
} pg_stage_t;

/* The run context. Fields below "stage results" are filled by the stages in order. */
struct pg_run {
    MPI_Comm comm;         /* the run's communicator (main's duplicate of MPI_COMM_WORLD) */
    int rank, size;
    pg_deck_t *deck;       /* parsed on rank 0, same bytes parsed on every rank */
    pg_log_t *log;         /* rank-0 log: terminal + <output_dir>/phonograph.log */
    pg_timers_t *timers;   /* one timer per stage, named after it */
    const char *output_dir; /* absolute, owned by the deck */
    uint64_t fingerprint;  /* deck fingerprint without run-control keys (see run.c) */
    uint64_t output_id;    /* rank 0: fingerprint of the deck that created output_dir (markers) */
    double t_start;        /* pg_par_wtime() at the start */
    double wall_time_s;    /* budget in s (0 = unlimited) */
    struct pg_run_record *records; /* results for run_summary.json (run.c) */
    const char *stage;     /* name of the stage running now (records are filed under it) */
    const char *stages_override; /* the command's stage selection (pg_cmd_run_stages) or NULL:
                                    the deck's [run] stages */

    /* ---- stage results (each stage documents what it fills) ---- */
    /* structure (src/driver/stage_structure.c), identical on every rank */
    pg_cell_t unitcell;       /* as read from [structure] unitcell */
    pg_symmetry_t symmetry;   /* of the unit cell (found on rank 0, broadcast) */
    pg_supercell_t supercell; /* unit cell x M ([structure] supercell), phonopy atom order */
    pg_primitive_t primitive; /* primitive cell in the supercell ([structure] primitive) */
    /* relax (src/driver/stage_relax.c), when it ran or resumed: the four fields above are
     * replaced by those of the relaxed unit cell (same supercell and primitive matrices) and
     * `relaxed` is 1. Later stages then use them instead of [structure] unitcell. */
    int relaxed;
};

/* The pipeline in order; terminated by a {NULL} row (src/driver/run.c). */
extern const pg_stage_t pg_run_stages[];
/* Index of a stage by name (case-insensitive), or -1. */
int pg_run_stage_index(const char *name);
/* "structure, phonons, ..." into buf. */
void pg_run_stage_names(char *buf, size_t cap);

/* Record a result of the current stage for run_summary.json. value_json is a JSON value
 * (a number, "\"text\"", [..]); printf-style. Not collective: only rank 0's records are
 * written, so every rank may call it. */
void pg_run_result(pg_run_t *run, const char *name, const char *value_json_fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* `phonograph run DECK [--help]`: the whole pipeline. Collective on comm. */
pg_status_t pg_cmd_run(MPI_Comm comm, int argc, char **argv);
/* The same with the stage selection `stages` (space-separated names) instead of the deck's
 * [run] stages (NULL: the deck's); used by single-stage commands (`phonograph relax`). */
pg_status_t pg_cmd_run_stages(MPI_Comm comm, int argc, char **argv, const char *stages);

#endif
