/* pg_deck.h - the input deck: `key = value` lines in [sections], # comments.
 *
 * One table per module declares every key it reads (section, name, type, default, range,
 * unit, one-line help). The tables are listed in src/core/deck_keys.c; the same tables
 * parse, validate, fill defaults, print `phonograph deck --help`, generate docs/deck.md and
 * echo the resolved deck into the run's provenance, so the docs cannot drift.
 *
 * Errors are compiler style, all collected before returning:
 *   inputs/x.deck:14:15: error: temperatures expects a number in K, found "300K"
 *      14 | temperatures = 300K
 *         |                ^~~~
 *   inputs/x.deck:9:1: error: unknown key supercel in [structure] (did you mean supercell?)
 * Keys and section names are case-insensitive; each key may appear once.
 */
#ifndef PG_DECK_H
#define PG_DECK_H

#include <mpi.h>
#include <stdint.h>
#include <stdio.h>

#include "phonograph/pg_status.h"

typedef enum {
    PG_DECK_INT,     /* one integer (strtoll, full consumption) */
    PG_DECK_REAL,    /* one finite real (strtod, full consumption) */
    PG_DECK_BOOL,    /* true/false, yes/no, on/off, 1/0 */
    PG_DECK_STRING,  /* free text (rest of the line, trimmed) */
    PG_DECK_CHOICE,  /* one word out of `choices` ("shift|abs|skip") */
    PG_DECK_PATH,    /* a file path, resolved relative to the deck's directory */
    PG_DECK_INTS,    /* whitespace-separated integers, n_min..n_max of them */
    PG_DECK_REALS,   /* whitespace-separated reals, n_min..n_max of them */
    PG_DECK_WORDS    /* whitespace-separated words, n_min..n_max of them */
} pg_deck_type_t;

typedef struct {
    const char *section; /* lower case, e.g. "structure" */
    const char *name;    /* lower case, e.g. "supercell" */
    pg_deck_type_t type;
    const char *def;     /* default as deck text; NULL = required; "" = optional, no default */
    double min, max;     /* allowed range of each number; ignored when min > max */
    int n_min, n_max;    /* allowed list length (list types); n_max 0 = unbounded */
    const char *unit;    /* "K", "Å", "THz", ... or NULL */
    const char *choices; /* PG_DECK_CHOICE: "a|b|c" */
    const char *help;    /* one line */
} pg_deck_key_t;

/* A key table ends with a row whose section is NULL. */
#define PG_DECK_KEYS_END {NULL, NULL, PG_DECK_INT, NULL, 0, 0, 0, 0, NULL, NULL, NULL}
/* NULL-terminated list of every module's key table (src/core/deck_keys.c). */
extern const pg_deck_key_t *const pg_deck_key_tables[];

typedef struct pg_deck pg_deck_t;

/* Parse and validate deck text (not collective: every rank parses the same bytes).
 * path is used for messages and to resolve PG_DECK_PATH values.
 * Errors: PG_ERR_INPUT with every problem of the deck in one message. */
pg_status_t pg_deck_parse(const char *path, const char *text, pg_deck_t **out);
/* Rank 0 reads path, broadcasts the bytes, every rank parses. Collective; errors agreed. */
pg_status_t pg_deck_read(MPI_Comm comm, const char *path, pg_deck_t **out);
void pg_deck_destroy(pg_deck_t **deck);

/* Getters (defaults filled). Errors: PG_ERR_INTERNAL if the key is not in any table or the
 * type does not match; PG_ERR_INPUT if the key is optional without default and unset. */
pg_status_t pg_deck_get_int(const pg_deck_t *d, const char *sec, const char *key, int64_t *v);
pg_status_t pg_deck_get_real(const pg_deck_t *d, const char *sec, const char *key, double *v);
pg_status_t pg_deck_get_bool(const pg_deck_t *d, const char *sec, const char *key, int *v);
/* STRING, CHOICE and PATH (PATH: resolved). The string is owned by the deck. */
pg_status_t pg_deck_get_string(const pg_deck_t *d, const char *sec, const char *key,
                               const char **v);
/* Lists: arrays owned by the deck. */
pg_status_t pg_deck_get_ints(const pg_deck_t *d, const char *sec, const char *key,
                             const int64_t **v, int *n);
pg_status_t pg_deck_get_reals(const pg_deck_t *d, const char *sec, const char *key,
                              const double **v, int *n);
pg_status_t pg_deck_get_words(const pg_deck_t *d, const char *sec, const char *key,
                              const char *const **v, int *n);
/* 1 if the key was given in the deck (not defaulted). */
int pg_deck_is_set(const pg_deck_t *d, const char *sec, const char *key);
/* "file:line" of a key given in the deck, or "file" if defaulted (for cross-key errors). */
const char *pg_deck_where(const pg_deck_t *d, const char *sec, const char *key);

/* The deck file's path and its original text. */
const char *pg_deck_path(const pg_deck_t *d);
const char *pg_deck_text(const pg_deck_t *d);
/* Write the resolved deck (every key of the sections used, defaults filled) as deck text. */
void pg_deck_echo(const pg_deck_t *d, FILE *f);
/* 64-bit FNV-1a fingerprint of the resolved deck restricted to the given sections
 * (NULL-terminated list; NULL = all), to refuse mixing files from different decks. */
uint64_t pg_deck_fingerprint(const pg_deck_t *d, const char *const *sections);
/* Print the key reference: plain text (help) or Markdown (docs/deck.md). */
void pg_deck_print_reference(FILE *f, int markdown);

/* ---- extensions (added with the implementation) ----
 *
 * Syntax details the parser implements (also printed by pg_deck_print_reference):
 *  - `#` starts a comment anywhere on a line (there is no quoting).
 *  - numbers: strtoll / strtod over the whole token, finite; an INT/REAL/INTS/REALS key
 *    with a unit accepts the unit as an optional separate last token ("symprec = 1e-5 Å",
 *    "temperatures = 100 300 K"); keys in seconds also accept "min" and "h" (converted).
 *    "300K" (glued) is an error. Reals may be fractions "1/2". Commas between list items
 *    are accepted as blanks.
 *  - list types: `choices` may hold '|'-separated allowed lengths ("3|9") and/or words
 *    that may stand alone instead of the list ("auto"); for such a word pg_deck_get_string
 *    returns it and the list getters return n = 0.
 *  - PATH values are made absolute (deck directory + value, lexically normalised), so the
 *    echoed deck re-parses to the same paths from any directory.
 *  - required keys (def == NULL) are required when their section appears in the deck; a
 *    stage that needs a section checks pg_deck_has_section (absent section: defaults only).
 */

/* 1 if the deck contains a [sec] header. */
int pg_deck_has_section(const pg_deck_t *d, const char *sec);
/* Resolved value of any key as deck text ("" when unset; lists blank-separated). */
const char *pg_deck_value_text(const pg_deck_t *d, const char *sec, const char *key);
/* Fingerprint of every section except the keys named in skip ("section.key", NULL-terminated);
 * used to let run-control keys (log level, stages, wall time) change between restarts. */
uint64_t pg_deck_fingerprint_except(const pg_deck_t *d, const char *const *skip);
/* The resolved deck as one JSON object {"section": {"key": value, ...}, ...} with the same
 * sections as pg_deck_echo; numbers as numbers, lists as arrays, unset keys as null. */
void pg_deck_echo_json(const pg_deck_t *d, FILE *f);
/* Write s as a JSON string literal (quotes and escapes), for other JSON writers. */
void pg_json_string(FILE *f, const char *s);

/* Cross-key checks run after parsing, so their errors join the one collected message.
 * A check reports with pg_deck_report, which formats file:line:col + caret at the value of
 * (sec, key) (or at the file when the key was defaulted). Checks are listed NULL-terminated
 * in pg_deck_checks (src/core/deck_keys.c); a check must tolerate unset or invalid keys
 * (getters then fail: just skip). */
typedef struct pg_deck_report pg_deck_report_t;
typedef void (*pg_deck_check_fn)(const pg_deck_t *d, pg_deck_report_t *r);
extern const pg_deck_check_fn pg_deck_checks[];
void pg_deck_report(pg_deck_report_t *r, const char *sec, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Same, with the caret under item `item` (0-based) of a list value. */
void pg_deck_report_item(pg_deck_report_t *r, const char *sec, const char *key, int item,
                         const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
