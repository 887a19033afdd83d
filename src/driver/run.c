/* run.c - `phonograph run DECK`: the pipeline driver (see pg_run.h).
 *
 * Rank 0 orchestrates: it reads the deck (broadcast, every rank parses the same bytes), owns
 * the output directory (creates it, checks the deck fingerprint, reads and writes the stage
 * markers, writes deck.resolved and run_summary.json) and tells the others its decisions
 * by broadcast. Every stage is collective; after each one the status is agreed, so a failure
 * on any rank ends the run on every rank with one message and a non-zero exit.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "phonograph/pg_par.h"
#include "phonograph/pg_run.h"
#include "phonograph/pg_stop.h"
#include "phonograph/pg_study.h"
#include "phonograph/pg_version.h"

/* stage functions (one file each) */
pg_status_t pg_stage_structure(pg_run_t *run);
pg_status_t pg_stage_structure_resume(pg_run_t *run);
pg_status_t pg_stage_phonons(pg_run_t *run); /* src/driver/stage_phonons_run.c */
pg_status_t pg_stage_phonons_resume(pg_run_t *run);
pg_status_t pg_stage_sample(pg_run_t *run); /* stage_sample.c */
pg_status_t pg_stage_relax(pg_run_t *run); /* stage_relax.c */
pg_status_t pg_stage_relax_resume(pg_run_t *run);
int pg_stage_relax_feeds_later(const pg_run_t *run);

/* The pipeline, in order: one function + one row per stage. relax is optional: when it is
 * part of the run (selected, or completed earlier in output_dir and then resumed), every later
 * stage works on the relaxed cell (pg_run.h, field `relaxed`). */
const pg_stage_t pg_run_stages[] = {
    {"structure", pg_stage_structure, pg_stage_structure_resume,
     "read the unit cell, report its symmetry, build the supercell and the primitive cell", NULL,
     NULL},
    {"relax", pg_stage_relax, pg_stage_relax_resume,
     "relax the unit cell with PRV-CAP-1 (FIRE, space group kept) -> relax/POSCAR; later "
     "stages use it",
     "structure", pg_stage_relax_feeds_later},
    {"phonons", pg_stage_phonons, pg_stage_phonons_resume,
     "force constants -> modes, DOS, thermal properties and displacements, bands (phonons.h5)",
     "structure", NULL},
    {"sample", pg_stage_sample, NULL,
     "sample and label configurations into <output_dir>/dataset.h5 (task farm, resumable)",
     "structure phonons", NULL},
    {"study", pg_stage_study, NULL,
     "phonon-informed vs random training pools, MD test ensemble, GNN learning curves, "
     "explainability by bond (pg_study.h)",
     "structure", NULL},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};

/* Keys that steer the run but not its results: they may change between restarts without
 * invalidating the output directory. Everything else of the deck is in the fingerprint. */
static const char *const run_control_keys[] = {"run.output_dir", "run.log_level", "run.stages",
                                               "run.restart",    "run.wall_time", "run.np",
                                               NULL};

#define MARKER_DIR "stages"

/* results recorded for run_summary.json */
struct pg_run_record {
    char *stage, *name, *value;
    struct pg_run_record *next;
};

typedef enum { ST_NOT_SELECTED, ST_DONE, ST_SKIPPED, ST_FAILED, ST_NOT_REACHED } stage_state_t;
static const char *const state_name[] = {"not selected", "done", "skipped (completed earlier)",
                                         "failed", "not reached"};

int pg_run_stage_index(const char *name)
{
    for (int k = 0; pg_run_stages[k].name; k++)
        if (strcasecmp(pg_run_stages[k].name, name) == 0) return k;
    return -1;
}

void pg_run_stage_names(char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; pg_run_stages[k].name; k++) {
        int w = snprintf(buf + used, cap - used, "%s%s", k ? ", " : "", pg_run_stages[k].name);
        if (w < 0 || (size_t)w >= cap - used) break;
        used += (size_t)w;
    }
}

/* [run] stages: every name must be a stage of the pipeline (or `all`); a deck check so the
 * error joins the deck's other errors with file:line. */
void pg_run_check_run(const pg_deck_t *d, pg_deck_report_t *r)
{
    const char *const *w = NULL;
    int n = 0;
    if (pg_deck_get_words(d, "run", "stages", &w, &n) != PG_OK) return;
    for (int k = 0; k < n; k++) {
        if (strcasecmp(w[k], "all") == 0) {
            if (n > 1) pg_deck_report_item(r, "run", "stages", k, "`all` must stand alone");
            continue;
        }
        if (pg_run_stage_index(w[k]) < 0) {
            char names[400];
            pg_run_stage_names(names, sizeof names);
            pg_deck_report_item(r, "run", "stages", k, "unknown stage \"%s\" (stages: %s)", w[k],
                                names);
        }
    }
}

void pg_run_result(pg_run_t *run, const char *name, const char *fmt, ...)
{
    if (run->rank != 0) return;
    struct pg_run_record *r = calloc(1, sizeof *r);
    char *v = NULL;
    va_list ap;
    va_start(ap, fmt);
    int k = vasprintf(&v, fmt, ap);
    va_end(ap);
    if (!r || k < 0) {
        free(r);
        if (k >= 0) free(v);
        return; /* provenance loses one entry; not worth failing a run for */
    }
    r->stage = strdup(run->stage ? run->stage : "run");
    r->name = strdup(name);
    r->value = v;
    struct pg_run_record **tail = &run->records;
    while (*tail) tail = &(*tail)->next;
    *tail = r;
}

static void free_records(struct pg_run_record *r)
{
    while (r) {
        struct pg_run_record *n = r->next;
        free(r->stage);
        free(r->name);
        free(r->value);
        free(r);
        r = n;
    }
}

/* ---- files of the output directory (rank 0) ----------------------------------------- */

static pg_status_t mkdir_p(const char *path)
{
    char buf[4096];
    PG_REQUIRE(strlen(path) < sizeof buf, PG_ERR_INPUT, "path too long: %s", path);
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return PG_ERR(PG_ERR_IO, "cannot create directory '%s': %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return PG_ERR(PG_ERR_IO, "cannot create directory '%s': %s", buf, strerror(errno));
    struct stat sb;
    PG_REQUIRE(stat(buf, &sb) == 0 && S_ISDIR(sb.st_mode), PG_ERR_IO,
               "output_dir '%s' exists and is not a directory", buf);
    return PG_OK;
}

static void join(char *buf, size_t cap, const char *dir, const char *name)
{
    snprintf(buf, cap, "%s/%s", dir, name);
}

/* read a marker / fingerprint file: "fingerprint <16 hex>" on its first line; 0 if absent */
static int read_fingerprint(const char *path, uint64_t *fp)
{
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    unsigned long long v = 0;
    int ok = fscanf(f, "fingerprint %llx", &v) == 1;
    fclose(f);
    *fp = v;
    return ok;
}

static pg_status_t write_text_atomic(const char *path, const char *text)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    PG_REQUIRE(f, PG_ERR_IO, "cannot write '%s': %s", tmp, strerror(errno));
    int bad = fputs(text, f) < 0;
    bad |= fclose(f) != 0;
    PG_REQUIRE(!bad, PG_ERR_IO, "cannot write '%s': %s", tmp, strerror(errno));
    PG_REQUIRE(rename(tmp, path) == 0, PG_ERR_IO, "cannot rename '%s': %s", tmp, strerror(errno));
    return PG_OK;
}

static void utc_now(char *buf, size_t cap)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Read back the deck that made output_dir (its deck.resolved) with this version's key
 * tables, so that keys added to the tables since then (with their defaults) do not count as a
 * difference. Returns 1 with its fingerprint in *fp and the differing keys listed in diff, or
 * 0 with the reason in why. */
static int old_deck_compare(const pg_deck_t *now, const char *old_path, uint64_t *fp, char *diff,
                            size_t cap, char *why, size_t wcap)
{
    diff[0] = why[0] = '\0';
    FILE *f = fopen(old_path, "r");
    if (!f) {
        snprintf(why, wcap, "cannot read %s: %s", old_path, strerror(errno));
        return 0;
    }
    char *text = NULL;
    size_t n = 0;
    ssize_t got = getdelim(&text, &n, '\0', f);
    fclose(f);
    pg_deck_t *old = NULL;
    int ok = 0;
    if (got <= 0) snprintf(why, wcap, "%s is empty", old_path);
    else if (pg_deck_parse(old_path, text, &old) != PG_OK) {
        /* first line of the parse error is enough to say why */
        snprintf(why, wcap, "%s does not parse with this version: %.*s", old_path,
                 (int)strcspn(pg_err_message(), "\n"), pg_err_message());
        char *nl = strchr(pg_err_message(), '\n');
        if (nl) snprintf(why + strlen(why), wcap - strlen(why), " %.*s", (int)strcspn(nl + 1, "\n"), nl + 1);
    } else {
        ok = 1;
        *fp = pg_deck_fingerprint_except(old, run_control_keys);
        size_t used = 0;
        int shown = 0;
        for (int t = 0; pg_deck_key_tables[t]; t++)
            for (const pg_deck_key_t *k = pg_deck_key_tables[t]; k->section; k++) {
                char full[160];
                snprintf(full, sizeof full, "%s.%s", k->section, k->name);
                int control = 0;
                for (int c = 0; run_control_keys[c]; c++) control |= strcmp(full, run_control_keys[c]) == 0;
                const char *a = pg_deck_value_text(old, k->section, k->name);
                const char *b = pg_deck_value_text(now, k->section, k->name);
                if (control || strcmp(a, b) == 0 || shown >= 6) continue;
                int w = snprintf(diff + used, cap - used, "\n  [%s] %s: was \"%s\", now \"%s\"",
                                 k->section, k->name, a, b);
                if (w < 0 || (size_t)w >= cap - used) break;
                used += (size_t)w;
                shown++;
            }
    }
    pg_err_clear();
    pg_deck_destroy(&old);
    free(text);
    return ok;
}

/* rank 0: create output_dir, refuse one made by another deck, write deck.resolved.
 * stages/fingerprint holds the id of the output directory: the fingerprint of the deck that
 * created it, which every stage marker repeats. A later run is accepted when its deck
 * resolves to the same values as the recorded deck.resolved (read with this version). */
static pg_status_t prepare_output(pg_run_t *run)
{
    char path[4200], resolved[4200], diff[1000], why[9000];
    PG_CHECK(mkdir_p(run->output_dir));
    join(path, sizeof path, run->output_dir, MARKER_DIR);
    PG_CHECK(mkdir_p(path));
    join(path, sizeof path, run->output_dir, MARKER_DIR "/fingerprint");
    join(resolved, sizeof resolved, run->output_dir, "deck.resolved");
    uint64_t id = 0, old_fp = 0;
    if (read_fingerprint(path, &id)) {
        int readable = old_deck_compare(run->deck, resolved, &old_fp, diff, sizeof diff, why,
                                        sizeof why);
        if (readable ? old_fp != run->fingerprint : id != run->fingerprint)
            return PG_ERR(PG_ERR_INPUT,
                          "%s: output_dir %s holds the results of a different deck; set another "
                          "[run] output_dir, or remove the directory to start over.%s%s%s",
                          pg_deck_where(run->deck, "run", "output_dir"), run->output_dir,
                          diff[0] ? " Differences:" : "", diff, readable ? "" : why);
    } else {
        id = run->fingerprint;
        char text[64];
        snprintf(text, sizeof text, "fingerprint %016llx\n", (unsigned long long)id);
        PG_CHECK(write_text_atomic(path, text));
    }
    run->output_id = id;
    /* the resolved deck, re-parseable (paths absolute) */
    char *echo = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&echo, &n);
    PG_REQUIRE(m, PG_ERR_NOMEM, "deck echo");
    pg_deck_echo(run->deck, m);
    fclose(m);
    join(path, sizeof path, run->output_dir, "deck.resolved");
    pg_status_t st = write_text_atomic(path, echo);
    free(echo);
    return st;
}

static int marker_done(const pg_run_t *run, const char *stage)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/" MARKER_DIR "/%s.done", run->output_dir, stage);
    uint64_t fp = 0;
    return read_fingerprint(path, &fp) && fp == run->output_id;
}

static pg_status_t marker_write(const pg_run_t *run, const char *stage, double seconds)
{
    char path[4200], now[32], text[200];
    snprintf(path, sizeof path, "%s/" MARKER_DIR "/%s.done", run->output_dir, stage);
    utc_now(now, sizeof now);
    snprintf(text, sizeof text, "fingerprint %016llx\ncompleted %s\nseconds %.3f\n",
             (unsigned long long)run->output_id, now, seconds);
    return write_text_atomic(path, text);
}

static void marker_remove(const pg_run_t *run, const char *stage)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/" MARKER_DIR "/%s.done", run->output_dir, stage);
    unlink(path);
}

/* ---- run_summary.json ----------------------------------------------------------------- */

typedef struct {
    stage_state_t state;
    double seconds;
} stage_report_t;

static void write_summary_head(pg_run_t *run, FILE *f, int argc, char **argv, const char *started)
{
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    fprintf(f, "{\n  \"program\": \"phonograph\",\n  \"format_version\": 1,\n  \"build\": ");
    pg_version_json(f);
    fprintf(f, ",\n  \"command\": [\"phonograph\"");
    for (int k = 0; k < argc; k++) {
        fputs(", ", f);
        pg_json_string(f, argv[k]);
    }
    fprintf(f, "],\n  \"host\": ");
    pg_json_string(f, host);
    fprintf(f, ",\n  \"ranks\": %d,\n  \"openblas_threads\": ", run->size);
    const char *obt = getenv("OPENBLAS_NUM_THREADS");
    if (obt && obt[0]) pg_json_string(f, obt);
    else fputs("null", f);
    fprintf(f, ",\n  \"started_utc\": \"%s\",\n  \"deck_path\": ", started);
    pg_json_string(f, pg_deck_path(run->deck));
    fprintf(f, ",\n  \"deck_fingerprint\": \"%016llx\",\n  \"deck\": ",
            (unsigned long long)run->fingerprint);
    pg_deck_echo_json(run->deck, f);
    fprintf(f, ",\n  \"timings_s\": ");
}

static void write_summary_tail(pg_run_t *run, FILE *f, const stage_report_t *rep,
                               pg_status_t st, const char *error)
{
    char now[32];
    utc_now(now, sizeof now);
    fprintf(f, ",\n  \"stages\": [");
    for (int k = 0; pg_run_stages[k].name; k++) {
        fprintf(f, "%s\n    {\"name\": \"%s\", \"status\": \"%s\", \"seconds\": %.6f, \"results\": {",
                k ? "," : "", pg_run_stages[k].name, state_name[rep[k].state], rep[k].seconds);
        int first = 1;
        for (struct pg_run_record *r = run->records; r; r = r->next) {
            if (strcmp(r->stage, pg_run_stages[k].name) != 0) continue;
            fprintf(f, "%s", first ? "" : ", ");
            first = 0;
            pg_json_string(f, r->name);
            fprintf(f, ": %s", r->value);
        }
        fprintf(f, "}}");
    }
    fprintf(f, "\n  ],\n  \"warnings\": %lld,\n  \"finished_utc\": \"%s\",\n  \"wall_s\": %.6f,\n",
            (long long)(run->log ? pg_log_warning_count(run->log) : 0), now,
            pg_par_wtime() - run->t_start);
    fprintf(f, "  \"status\": \"%s\",\n  \"error\": ",
            st == PG_OK ? "ok" : st == PG_ERR_INTERRUPTED ? "interrupted" : "failed");
    if (st == PG_OK) fputs("null", f);
    else pg_json_string(f, error);
    fprintf(f, "\n}\n");
}

/* the agreed status of st over comm (PG_TRY-friendly) */
static pg_status_t agree(MPI_Comm comm, pg_status_t st)
{
    PG_CHECK(pg_par_agree(comm, &st));
    return st;
}

/* ---- the command ---------------------------------------------------------------------- */

static const char *const run_help =
    "usage: phonograph run DECK [--debug-ranks]\n\n"
    "Run the pipeline on the input deck DECK (see `phonograph deck` for every key). Stages,\n"
    "in order (select with [run] stages = ...):\n";

static void print_run_help(void)
{
    fputs(run_help, stdout);
    for (int k = 0; pg_run_stages[k].name; k++)
        printf("  %-12s %s\n", pg_run_stages[k].name, pg_run_stages[k].summary);
    printf("\n--debug-ranks: every rank logs (prefixed [rank r]), not only rank 0.\n");
    printf("\nOutputs go to [run] output_dir (relative to the deck): deck.resolved (the deck\n"
           "with defaults filled), phonograph.log, run_summary.json (provenance: version,\n"
           "build, ranks, resolved deck, per-stage timings and results), one subdirectory per\n"
           "stage, and stages/<stage>.done markers. Rerunning the same deck skips completed\n"
           "stages (restart = false redoes them); a different deck in the same output_dir is\n"
           "refused.\n");
}

/* deck selection -> which stages run; a stage that runs needs every earlier stage either to
 * run too or to have completed before (then it is resumed) */
static pg_status_t select_stages(const pg_deck_t *deck, const char *override, int *selected)
{
    const char *const *w = NULL;
    const char *ow[64];
    char obuf[512];
    int n = 0;
    if (override) {
        snprintf(obuf, sizeof obuf, "%s", override);
        for (char *t = strtok(obuf, " "); t && n < 64; t = strtok(NULL, " ")) ow[n++] = t;
        w = ow;
    } else {
        PG_CHECK(pg_deck_get_words(deck, "run", "stages", &w, &n));
    }
    for (int k = 0; pg_run_stages[k].name; k++) selected[k] = 0;
    for (int j = 0; j < n; j++) {
        if (strcasecmp(w[j], "all") == 0)
            for (int k = 0; pg_run_stages[k].name; k++) selected[k] = 1;
        else {
            int k = pg_run_stage_index(w[j]);
            PG_REQUIRE(k >= 0, PG_ERR_INPUT, "unknown stage %s", w[j]);
            selected[k] = 1;
        }
    }
    return PG_OK;
}

/* 1 if stage s uses the results of stage `name` (needs == NULL: every earlier stage) */
static int stage_needs(const pg_stage_t *s, const char *name)
{
    if (!s->needs) return 1;
    size_t n = strlen(name);
    for (const char *p = s->needs; (p = strstr(p, name)) != NULL; p += n)
        if ((p == s->needs || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' ')) return 1;
    return 0;
}

static pg_status_t run_stages(pg_run_t *run, stage_report_t *rep, const char *override)
{
    pg_status_t st = PG_OK;
    int n_stages = 0;
    while (pg_run_stages[n_stages].name) n_stages++;
    int selected[64] = {0};
    PG_CHECK(select_stages(run->deck, override, selected));
    int restart = 1;
    PG_CHECK(pg_deck_get_bool(run->deck, "run", "restart", &restart));
    int last = -1;
    for (int k = 0; k < n_stages; k++)
        if (selected[k]) last = k;
    for (int k = 0; k < n_stages; k++) rep[k].state = selected[k] ? ST_NOT_REACHED : ST_NOT_SELECTED;

    for (int k = 0; k <= last && st == PG_OK; k++) {
        const pg_stage_t *s = &pg_run_stages[k];
        run->stage = s->name;
        /* rank 0 looks at the marker and decides; everyone follows */
        int done = run->rank == 0 ? marker_done(run, s->name) : 0;
        PG_CHECK(pg_par_bcast(run->comm, 0, &done, sizeof done));
        if (!selected[k] && !done) {
            int needer = -1; /* a selected later stage that needs this one */
            for (int j = k + 1; j <= last && needer < 0; j++)
                if (selected[j] && stage_needs(&pg_run_stages[j], s->name)) needer = j;
            if (needer < 0) {
                rep[k].state = ST_NOT_SELECTED;
                continue;
            }
            st = PG_ERR(PG_ERR_INPUT,
                        "%s: stage %s needs stage %s, which has not completed in %s; add %s to "
                        "[run] stages",
                        pg_deck_where(run->deck, "run", "stages"), pg_run_stages[needer].name,
                        s->name, run->output_dir, s->name);
            break;
        }
        int stop = 0;
        PG_CHECK(pg_stop_agree(run->comm, &stop));
        if (stop) {
            const char *why = "stop requested";
            pg_stop_check(&why);
            st = PG_ERR(PG_ERR_INTERRUPTED,
                        "stopped before stage %s (%s); rerun the same deck to continue", s->name,
                        why);
            break;
        }
        if (!done && s->feeds_later && s->feeds_later(run)) {
            /* first run of a stage that changes the input of every later stage: a later stage
             * completed here without it would silently keep results of the other input */
            int later = -1;
            if (run->rank == 0)
                for (int j = k + 1; j < n_stages && later < 0; j++)
                    if (marker_done(run, pg_run_stages[j].name)) later = j;
            PG_CHECK(pg_par_bcast(run->comm, 0, &later, sizeof later));
            if (later >= 0) {
                st = PG_ERR(PG_ERR_INPUT,
                            "%s: stage %s completed in %s before stage %s was part of the run, "
                            "so it used other input than %s would give it; run in a new [run] "
                            "output_dir (or remove %s to start over)",
                            pg_deck_where(run->deck, "run", "stages"), pg_run_stages[later].name,
                            run->output_dir, s->name, s->name, run->output_dir);
                break;
            }
        }
        double t0 = pg_par_wtime();
        pg_timer_start(run->timers, s->name);
        if (done && (restart || !selected[k])) {
            pg_log_info(run->log, "== stage %s: completed earlier with this deck, skipped", s->name);
            st = s->resume ? s->resume(run) : PG_OK;
            rep[k].state = ST_SKIPPED;
        } else {
            pg_log_info(run->log, "== stage %s", s->name);
            if (run->rank == 0) marker_remove(run, s->name);
            st = s->run(run);
            rep[k].state = ST_DONE;
        }
        pg_timer_stop(run->timers, s->name);
        rep[k].seconds = pg_par_wtime() - t0;
        PG_CHECK(pg_par_agree(run->comm, &st));
        if (st != PG_OK) {
            rep[k].state = ST_FAILED;
            pg_err_frame(__FILE__, __LINE__, __func__);
            break;
        }
        if (rep[k].state == ST_DONE) {
            if (run->rank == 0) st = marker_write(run, s->name, rep[k].seconds);
            PG_CHECK(pg_par_agree(run->comm, &st));
            pg_log_info(run->log, "   stage %s done in %.3f s", s->name, rep[k].seconds);
        }
    }
    run->stage = NULL;
    return st;
}

static void run_free(pg_run_t *run)
{
    pg_cell_free(&run->unitcell);
    pg_symmetry_free(&run->symmetry);
    pg_supercell_free(&run->supercell);
    pg_primitive_free(&run->primitive);
    free_records(run->records);
    run->records = NULL;
    pg_timers_destroy(&run->timers);
    pg_log_destroy(&run->log);
    pg_deck_destroy(&run->deck);
}

pg_status_t pg_cmd_run(MPI_Comm comm, int argc, char **argv)
{
    return pg_cmd_run_stages(comm, argc, argv, NULL);
}

pg_status_t pg_cmd_run_stages(MPI_Comm comm, int argc, char **argv, const char *stages)
{
    pg_status_t st = PG_OK, st_sum = PG_OK;
    pg_run_t run;
    memset(&run, 0, sizeof run);
    run.comm = comm;
    run.rank = pg_par_rank(comm);
    run.size = pg_par_size(comm);
    run.t_start = pg_par_wtime();
    stage_report_t rep[64];
    memset(rep, 0, sizeof rep);
    char started[32];
    utc_now(started, sizeof started);

    const char *deck_path = NULL;
    int debug_ranks = 0;
    for (int k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
            if (run.rank == 0) print_run_help();
            return PG_OK;
        }
        if (strcmp(argv[k], "--debug-ranks") == 0) {
            debug_ranks = 1;
            continue;
        }
        if (argv[k][0] == '-' || deck_path)
            return PG_ERR(PG_ERR_INPUT, "%s: unexpected argument '%s' (usage: phonograph %s DECK)",
                          argv[0], argv[k], argv[0]);
        deck_path = argv[k];
    }
    if (!deck_path)
        return PG_ERR(PG_ERR_INPUT, "%s: no deck given (usage: phonograph %s DECK)", argv[0], argv[0]);

    /* the deck, the output directory, the log: errors here are agreed before anything runs */
    PG_TRY(pg_deck_read(comm, deck_path, &run.deck));
    PG_TRY(pg_deck_get_string(run.deck, "run", "output_dir", &run.output_dir));
    PG_TRY(pg_deck_get_real(run.deck, "run", "wall_time", &run.wall_time_s));
    run.fingerprint = pg_deck_fingerprint_except(run.deck, run_control_keys);
    if (run.rank == 0) st = prepare_output(&run);
    PG_TRY(agree(comm, st));
    const char *level_name = "info";
    PG_TRY(pg_deck_get_string(run.deck, "run", "log_level", &level_name));
    pg_log_level_t level = strcmp(level_name, "error") == 0  ? PG_LOG_ERROR
                           : strcmp(level_name, "warn") == 0 ? PG_LOG_WARN
                           : strcmp(level_name, "debug") == 0 ? PG_LOG_DEBUG
                                                              : PG_LOG_INFO;
    char log_path[4200];
    join(log_path, sizeof log_path, run.output_dir, "phonograph.log");
    st = pg_log_create(comm, level, run.rank == 0 ? log_path : NULL, &run.log);
    PG_TRY(agree(comm, st));
    pg_log_set_debug_ranks(run.log, debug_ranks);
    PG_TRY(pg_timers_create(&run.timers));
    pg_stop_install(run.wall_time_s, 0.0);

    pg_log_info(run.log, "phonograph %s (git %s) on %d rank%s, %s", pg_version(), pg_git_hash(),
                run.size, run.size > 1 ? "s" : "", started);
    pg_log_info(run.log, "deck %s (fingerprint %016llx); output in %s", deck_path,
                (unsigned long long)run.fingerprint, run.output_dir);
    int64_t np_hint = 0;
    PG_TRY(pg_deck_get_int(run.deck, "run", "np", &np_hint));
    if (np_hint > 0 && np_hint != run.size)
        pg_log_warn(run.log, "%s: the deck is sized for np = %lld ranks, running on %d",
                    pg_deck_where(run.deck, "run", "np"), (long long)np_hint, run.size);
    if (pg_log_is_root(run.log)) {
        /* echo the resolved deck into the log (it is also in deck.resolved) */
        char *echo = NULL;
        size_t n = 0;
        FILE *m = open_memstream(&echo, &n);
        if (m) {
            pg_deck_echo(run.deck, m);
            fclose(m);
            for (char *line = strtok(echo, "\n"); line; line = strtok(NULL, "\n"))
                pg_log_info(run.log, "  | %s", line);
            free(echo);
        }
    }

    run.stages_override = stages;
    if (stages) pg_log_info(run.log, "stages: %s (this command; [run] stages is not used)", stages);
    st = run_stages(&run, rep, stages);

cleanup:
    /* provenance, also after a failure once the output directory exists (collective: the
     * timer table needs every rank) */
    if (run.timers && run.log) {
        char msg[2100];
        snprintf(msg, sizeof msg, "%s", st == PG_OK ? "" : pg_err_message());
        pg_status_t st_saved = st;
        FILE *f = NULL;
        char path[4200], tmp[4300];
        if (run.rank == 0) {
            join(path, sizeof path, run.output_dir, "run_summary.json");
            snprintf(tmp, sizeof tmp, "%s.tmp", path);
            f = fopen(tmp, "w");
            if (!f) st_sum = PG_ERR(PG_ERR_IO, "cannot write '%s': %s", tmp, strerror(errno));
            else write_summary_head(&run, f, argc, argv, started);
        }
        pg_status_t rt = pg_timers_report(run.timers, comm, run.log, f);
        if (st_sum == PG_OK && rt != PG_OK) st_sum = rt;
        if (f) {
            if (rt != PG_OK) fputs("null", f);
            write_summary_tail(&run, f, rep, st_saved, msg);
            if (fclose(f) != 0 || rename(tmp, path) != 0)
                st_sum = PG_ERR(PG_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
            else pg_log_info(run.log, "provenance: %s", path);
        }
        if (st_saved != PG_OK) {
            /* the run's own error is the one to report: restore its record */
            pg_err_set(st_saved, __FILE__, __LINE__, "%s", msg);
            st_sum = PG_OK;
        }
        pg_status_t ag = pg_par_agree(comm, &st_sum);
        if (st == PG_OK) st = ag != PG_OK ? ag : st_sum;
        if (st == PG_OK) pg_log_info(run.log, "run finished");
    }
    run_free(&run);
    return st;
}
