/* test_deck.c - the input deck: the table of bad decks in test/decks/bad/ (each file states
 * its expected status and message substrings, file:line:col included), defaults, units,
 * paths, case-insensitivity, fingerprints, the echo round trip, getters and the tables. */
#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pg_test.h"
#include "phonograph/pg_deck.h"
#include "phonograph/pg_status.h"

#define BAD_DIR "test/decks/bad"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) n = 0;
    if (s) s[n] = '\0';
    fclose(f);
    return s;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every .deck file in test/decks/bad/ fails with its "# expect-status:" code and a message holding
 * each "# expect:" substring. */
static void test_bad_decks(void **state)
{
    (void)state;
    DIR *dir = opendir(BAD_DIR);
    assert_non_null(dir);
    char *names[128];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(dir)) && n < 128) {
        size_t l = strlen(de->d_name);
        if (l > 5 && strcmp(de->d_name + l - 5, ".deck") == 0) names[n++] = strdup(de->d_name);
    }
    closedir(dir);
    qsort(names, (size_t)n, sizeof names[0], cmp_str);
    assert_true(n >= 15);
    int n_fail = 0;
    for (int k = 0; k < n; k++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", BAD_DIR, names[k]);
        char *text = slurp(path);
        assert_non_null(text);
        int want_status = -1, n_expect = 0;
        pg_deck_t *d = NULL;
        pg_err_clear();
        pg_status_t st = pg_deck_parse(path, text, &d);
        const char *msg = pg_err_message();
        for (char *line = text; line && *line;) {
            char *nl = strchr(line, '\n');
            if (nl) *nl = '\0';
            if (strncmp(line, "# expect-status:", 16) == 0) want_status = atoi(line + 16);
            else if (strncmp(line, "# expect: ", 10) == 0) {
                n_expect++;
                if (!strstr(msg, line + 10)) {
                    fprintf(stderr, "%s: message lacks \"%s\"; message was:\n%s\n", path,
                            line + 10, msg);
                    n_fail++;
                }
            }
            line = nl ? nl + 1 : NULL;
        }
        if (want_status < 0 || n_expect == 0) {
            fprintf(stderr, "%s: no '# expect-status:' or '# expect:' line\n", path);
            n_fail++;
        }
        if ((int)st != want_status || d != NULL) {
            fprintf(stderr, "%s: status %d, expected %d\n", path, (int)st, want_status);
            n_fail++;
        }
        pg_deck_destroy(&d);
        free(text);
        free(names[k]);
    }
    assert_int_equal(n_fail, 0);
}

static pg_deck_t *parse_ok(const char *path, const char *text)
{
    pg_deck_t *d = NULL;
    pg_status_t st = pg_deck_parse(path, text, &d);
    if (st != PG_OK) fprintf(stderr, "unexpected failure:\n%s\n", pg_err_message());
    assert_int_equal(st, PG_OK);
    assert_non_null(d);
    return d;
}

static void test_defaults_and_getters(void **state)
{
    (void)state;
    char cwd[1024];
    assert_non_null(getcwd(cwd, sizeof cwd));
    pg_deck_t *d = parse_ok("x.deck", "[structure]\nunitcell = POSCAR\n");
    int64_t seed = 0;
    assert_int_equal(pg_deck_get_int(d, "run", "seed", &seed), PG_OK);
    assert_int_equal(seed, 20251115);
    double symprec = 0;
    assert_int_equal(pg_deck_get_real(d, "STRUCTURE", "SymPrec", &symprec), PG_OK);
    assert_true(symprec == 1e-5);
    const int64_t *sc = NULL;
    int n = 0;
    assert_int_equal(pg_deck_get_ints(d, "structure", "supercell", &sc, &n), PG_OK);
    assert_int_equal(n, 3);
    assert_true(sc[0] == 1 && sc[1] == 1 && sc[2] == 1);
    /* a standalone word instead of a list */
    const double *pa = NULL;
    const char *word = NULL;
    assert_int_equal(pg_deck_get_reals(d, "structure", "primitive", &pa, &n), PG_OK);
    assert_int_equal(n, 0);
    assert_int_equal(pg_deck_get_string(d, "structure", "primitive", &word), PG_OK);
    assert_string_equal(word, "auto");
    int restart = -1;
    assert_int_equal(pg_deck_get_bool(d, "run", "restart", &restart), PG_OK);
    assert_int_equal(restart, 1);
    const char *lvl = NULL;
    assert_int_equal(pg_deck_get_string(d, "run", "log_level", &lvl), PG_OK);
    assert_string_equal(lvl, "info");
    /* set vs defaulted, where */
    assert_int_equal(pg_deck_is_set(d, "structure", "unitcell"), 1);
    assert_int_equal(pg_deck_is_set(d, "structure", "supercell"), 0);
    assert_string_equal(pg_deck_where(d, "structure", "unitcell"), "x.deck:2");
    assert_string_equal(pg_deck_where(d, "structure", "supercell"), "x.deck");
    assert_int_equal(pg_deck_has_section(d, "structure"), 1);
    assert_int_equal(pg_deck_has_section(d, "run"), 0);
    /* wrong getter or unknown key: a bug, not an input error */
    assert_int_equal(pg_deck_get_real(d, "run", "seed", &symprec), PG_ERR_INTERNAL);
    assert_int_equal(pg_deck_get_int(d, "run", "no_such_key", &seed), PG_ERR_INTERNAL);
    assert_non_null(strstr(pg_err_message(), "not declared"));
    pg_deck_destroy(&d);
    assert_null(d);
    pg_deck_destroy(&d); /* NULL accepted */

    /* required key of an absent section: an input error naming the section */
    d = parse_ok("y.deck", "[run]\nseed = 3\n");
    const char *p = NULL;
    assert_int_equal(pg_deck_get_string(d, "structure", "unitcell", &p), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "no [structure] section"));
    pg_deck_destroy(&d);
}

static void test_syntax_units_case(void **state)
{
    (void)state;
    const char *text = "# a comment line\n"
                       "  [ RUN ]   # trailing comment\n"
                       "Seed=42\n"
                       "\twall_time = 2 h\n"
                       "log_level = DEBUG\r\n"
                       "stages = structure\n"
                       "restart = off\n"
                       "[Structure]\n"
                       "unitcell = ../cells/POSCAR x   # path with a blank\n"
                       "supercell = 2, 0, 0,  0, 2, 0,  0, 0, 2\n"
                       "primitive = 0 1/2 0.5  0.5 0 1/2  1/2 0.5 0\n"
                       "symprec = 1e-3 Å\n";
    pg_deck_t *d = parse_ok("/abs/decks/./here/d.deck", text);
    int64_t seed = 0;
    double wt = 0, sp = 0;
    assert_int_equal(pg_deck_get_int(d, "run", "seed", &seed), PG_OK);
    assert_int_equal(seed, 42);
    assert_int_equal(pg_deck_get_real(d, "run", "wall_time", &wt), PG_OK);
    assert_true(wt == 7200.0);
    assert_int_equal(pg_deck_get_real(d, "structure", "symprec", &sp), PG_OK);
    assert_true(sp == 1e-3);
    const char *s = NULL;
    assert_int_equal(pg_deck_get_string(d, "run", "log_level", &s), PG_OK);
    assert_string_equal(s, "debug");
    int b = 1;
    assert_int_equal(pg_deck_get_bool(d, "run", "restart", &b), PG_OK);
    assert_int_equal(b, 0);
    assert_int_equal(pg_deck_get_string(d, "structure", "unitcell", &s), PG_OK);
    assert_string_equal(s, "/abs/decks/cells/POSCAR x");
    assert_int_equal(pg_deck_get_string(d, "run", "output_dir", &s), PG_OK);
    assert_string_equal(s, "/abs/decks/here/output");
    const int64_t *sc = NULL;
    int n = 0;
    assert_int_equal(pg_deck_get_ints(d, "structure", "supercell", &sc, &n), PG_OK);
    assert_int_equal(n, 9);
    assert_true(sc[0] == 2 && sc[4] == 2 && sc[8] == 2 && sc[1] == 0);
    const double *pa = NULL;
    assert_int_equal(pg_deck_get_reals(d, "structure", "primitive", &pa, &n), PG_OK);
    assert_int_equal(n, 9);
    assert_true(pa[1] == 0.5 && pa[0] == 0.0 && pa[5] == 0.5 && pa[6] == 0.5);
    const char *const *w = NULL;
    assert_int_equal(pg_deck_get_words(d, "run", "stages", &w, &n), PG_OK);
    assert_int_equal(n, 1);
    assert_string_equal(w[0], "structure");
    pg_deck_destroy(&d);

    /* a UTF-8 byte-order mark; 300 values where one is expected */
    d = parse_ok("bom.deck", "\xEF\xBB\xBF[run]\nseed = 9\n");
    assert_int_equal(pg_deck_get_int(d, "run", "seed", &seed), PG_OK);
    assert_int_equal(seed, 9);
    pg_deck_destroy(&d);
    char many[2000] = "[run]\nseed =";
    for (int k = 0; k < 300; k++) strcat(many, " 1");
    assert_int_equal(pg_deck_parse("many.deck", many, &d), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "seed expects one number, found 300 values"));

    /* other spellings of units; minutes */
    d = parse_ok("d.deck", "[run]\nwall_time = 90 min\n[structure]\nunitcell=P\nsymprec = 0.01 A\n");
    assert_int_equal(pg_deck_get_real(d, "run", "wall_time", &wt), PG_OK);
    assert_true(wt == 5400.0);
    pg_deck_destroy(&d);
}

static char *echo_text(const pg_deck_t *d, int json)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    if (json) pg_deck_echo_json(d, f);
    else pg_deck_echo(d, f);
    fclose(f);
    return buf;
}

static void test_fingerprint_and_echo(void **state)
{
    (void)state;
    const char *a = "[structure]\nunitcell = POSCAR\nsupercell = 2 2 2\n[run]\nseed = 5\n";
    /* same content: other order, case, comments, blanks, defaults written out */
    const char *b = "[RUN]\n  SEED = 5   # same\nlog_level = info\n\n[structure]\n"
                    "supercell = 2  2 2\nUnitCell = ./POSCAR\nsymprec = 1e-5\n";
    const char *c = "[structure]\nunitcell = POSCAR\nsupercell = 2 2 3\n[run]\nseed = 5\n";
    const char *e = "[structure]\nunitcell = POSCAR\nsupercell = 2 2 2\n[run]\nseed = 5\n"
                    "log_level = warn\nwall_time = 1 h\n";
    pg_deck_t *da = parse_ok("dir/a.deck", a), *db = parse_ok("dir/b.deck", b),
              *dc = parse_ok("dir/c.deck", c), *de = parse_ok("dir/e.deck", e);
    assert_true(pg_deck_fingerprint(da, NULL) == pg_deck_fingerprint(db, NULL));
    assert_true(pg_deck_fingerprint(da, NULL) != pg_deck_fingerprint(dc, NULL));
    const char *const run_only[] = {"run", NULL};
    assert_true(pg_deck_fingerprint(da, run_only) == pg_deck_fingerprint(dc, run_only));
    /* run-control keys may be skipped */
    assert_true(pg_deck_fingerprint(da, NULL) != pg_deck_fingerprint(de, NULL));
    const char *const skip[] = {"run.log_level", "run.wall_time", NULL};
    assert_true(pg_deck_fingerprint_except(da, skip) == pg_deck_fingerprint_except(de, skip));
    assert_true(pg_deck_fingerprint_except(da, skip) != pg_deck_fingerprint_except(dc, skip));
    /* a deck in another directory names another unit cell */
    pg_deck_t *dx = parse_ok("elsewhere/a.deck", a);
    assert_true(pg_deck_fingerprint(da, NULL) != pg_deck_fingerprint(dx, NULL));

    /* echo round trip: the echoed deck, parsed from another directory, resolves the same */
    char *echo = echo_text(dc, 0);
    assert_non_null(strstr(echo, "supercell = 2 2 3"));
    assert_non_null(strstr(echo, "default"));
    pg_deck_t *dr = parse_ok("/tmp/other/place/deck.resolved", echo);
    assert_true(pg_deck_fingerprint(dr, NULL) == pg_deck_fingerprint(dc, NULL));
    /* and echoing is a fixed point from then on (except the comment naming the source) */
    char *echo2 = echo_text(dr, 0);
    pg_deck_t *dr2 = parse_ok("/elsewhere/deck.resolved", echo2);
    char *echo3 = echo_text(dr2, 0);
    assert_string_equal(strchr(echo2, '\n'), strchr(echo3, '\n'));
    assert_true(pg_deck_fingerprint(dr2, NULL) == pg_deck_fingerprint(dc, NULL));
    free(echo3);
    pg_deck_destroy(&dr2);
    char *json = echo_text(dc, 1);
    assert_non_null(strstr(json, "\"supercell\": [2, 2, 3]"));
    assert_non_null(strstr(json, "\"seed\": 5"));
    assert_non_null(strstr(json, "\"primitive\": \"auto\""));
    assert_non_null(strstr(json, "\"restart\": true"));
    free(json);
    free(echo);
    free(echo2);
    pg_deck_destroy(&dr);
    pg_deck_destroy(&dx);
    pg_deck_destroy(&da);
    pg_deck_destroy(&db);
    pg_deck_destroy(&dc);
    pg_deck_destroy(&de);
}

/* Every table row: lower-case names, a help line, a sensible list spec; every default
 * parses (checked by any parse: a bad default is PG_ERR_INTERNAL). The reference names
 * every key. */
static void test_tables_and_reference(void **state)
{
    (void)state;
    char *md = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&md, &len);
    pg_deck_print_reference(f, 1);
    fclose(f);
    int n_keys = 0;
    for (int t = 0; pg_deck_key_tables[t]; t++)
        for (const pg_deck_key_t *k = pg_deck_key_tables[t]; k->section; k++) {
            n_keys++;
            for (const char *p = k->name; *p; p++) assert_false(isupper((unsigned char)*p));
            for (const char *p = k->section; *p; p++) assert_false(isupper((unsigned char)*p));
            assert_true(k->help && k->help[0]);
            if (k->type == PG_DECK_CHOICE) assert_non_null(k->choices);
            char row[160];
            snprintf(row, sizeof row, "| `%s` |", k->name);
            assert_non_null(strstr(md, row));
        }
    assert_true(n_keys >= 11);
    free(md);
    pg_deck_t *d = parse_ok("t.deck", "");
    pg_deck_destroy(&d);
}

/* Messages: the caret sits under the offending token; the count and truncation. */
static void test_message_format(void **state)
{
    (void)state;
    pg_deck_t *d = NULL;
    assert_int_equal(pg_deck_parse("m.deck", "[run]\nseed   =   12x\n", &d), PG_ERR_INPUT);
    const char *m = pg_err_message();
    assert_non_null(strstr(m, "m.deck:2:12: error: seed expects an integer, found \"12x\"\n"
                              "    2 | seed   =   12x\n"
                              "      |            ^~~"));
    /* a tab before the value is kept in the caret line so the caret lines up */
    assert_int_equal(pg_deck_parse("m.deck", "[run]\nseed =\t1e\n", &d), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "      |       \t^~"));
    /* many errors: the message stays within the error record and says what it dropped */
    char big[8192] = "[run]\n";
    for (int k = 0; k < 60; k++) strcat(big, "bogus_key_name = 1\n");
    assert_int_equal(pg_deck_parse("big.deck", big, &d), PG_ERR_INPUT);
    assert_non_null(strstr(pg_err_message(), "(60 errors)"));
    assert_non_null(strstr(pg_err_message(), "more errors not shown"));
    assert_null(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_decks),
        cmocka_unit_test(test_defaults_and_getters),
        cmocka_unit_test(test_syntax_units_case),
        cmocka_unit_test(test_fingerprint_and_echo),
        cmocka_unit_test(test_tables_and_reference),
        cmocka_unit_test(test_message_format),
    };
    return cmocka_run_group_tests_name("deck", tests, NULL, NULL);
}
