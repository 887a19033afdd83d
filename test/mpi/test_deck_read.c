/* test_deck_read.c - pg_deck_read at any rank count: rank 0 reads and broadcasts, every rank
 * ends with the same deck (same fingerprint) or the same error (file:line in the message,
 * same status everywhere, nobody hangs). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_test.h"
#include "phonograph/pg_deck.h"
#include "phonograph/pg_par.h"

int main(int argc, char **argv)
{
    MPI_Comm comm;
    if (pg_par_init(&argc, &argv, &comm) != PG_OK) return 1;
    pg_mpitest_t t;
    pg_mpitest_begin(&t, comm);

    /* a good deck: identical resolved deck on every rank */
    pg_deck_t *d = NULL;
    pg_status_t st = pg_deck_read(comm, "inputs/Ag3SBr/Ag3SBr.deck", &d);
    pg_mpitest_check(&t, st == PG_OK && d, "read good deck", "st=%d %s", (int)st, pg_err_message());
    if (st == PG_OK) {
        int64_t fp[2];
        uint64_t h = pg_deck_fingerprint(d, NULL);
        memcpy(&fp[0], &h, sizeof h);
        fp[1] = fp[0];
        pg_par_max_int64(comm, &fp[0], 1);
        pg_par_min_int64(comm, &fp[1], 1);
        pg_mpitest_check(&t, fp[0] == fp[1], "same fingerprint on every rank", NULL);
        const int64_t *sc = NULL;
        int n = 0;
        st = pg_deck_get_ints(d, "structure", "supercell", &sc, &n);
        pg_mpitest_check(&t, st == PG_OK && n == 3 && sc[0] == 2 && sc[1] == 2 && sc[2] == 2,
                         "default deck: 2x2x2 supercell", NULL);
    }
    pg_deck_destroy(&d);

    /* a bad deck: the same status on every rank, file:line and the suggestion in the message */
    pg_err_clear();
    st = pg_deck_read(comm, "test/decks/bad/typo_key.deck", &d);
    pg_mpitest_check(&t, st == PG_ERR_INPUT && d == NULL, "bad deck: PG_ERR_INPUT everywhere",
                     "st=%d", (int)st);
    pg_mpitest_check(&t, strstr(pg_err_message(), "typo_key.deck:6:1:") &&
                             strstr(pg_err_message(), "did you mean supercell?"),
                     "bad deck: message on every rank", "'%s'", pg_err_message());

    /* a missing deck */
    st = pg_deck_read(comm, "test/decks/no_such.deck", &d);
    pg_mpitest_check(&t, st == PG_ERR_IO && strstr(pg_err_message(), "no_such.deck"),
                     "missing deck: PG_ERR_IO naming it", "st=%d '%s'", (int)st, pg_err_message());

    int rc = pg_mpitest_end(&t);
    pg_par_finalize(&comm);
    return rc;
}
