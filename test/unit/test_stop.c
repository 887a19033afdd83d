/* test_stop.c - signals and wall-time deadline set the stop flag. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pg_test.h"
#include "phonograph/pg_stop.h"

static void test_signal(void **state)
{
    (void)state;
    pg_stop_reset();
    pg_stop_install(0, 0);
    assert_false(pg_stop_check(NULL));
    raise(SIGTERM); /* handled: sets the flag instead of killing us */
    const char *why = NULL;
    assert_true(pg_stop_check(&why));
    assert_string_equal(why, "SIGTERM received");
    pg_stop_reset();
    assert_false(pg_stop_check(NULL));
}

static void test_deadline(void **state)
{
    (void)state;
    pg_stop_reset();
    pg_stop_install(0.05, 0.0);
    assert_false(pg_stop_check(NULL));
    usleep(100000);
    const char *why = NULL;
    assert_true(pg_stop_check(&why));
    assert_string_equal(why, "wall-time budget reached");
    /* SLURM-style end time in the past, with a margin */
    pg_stop_reset();
    char buf[64];
    snprintf(buf, sizeof buf, "%ld", (long)time(NULL) + 30);
    setenv("PG_END_TIME", buf, 1);
    pg_stop_install(0, 10.0);
    assert_false(pg_stop_check(NULL));
    assert_true(pg_stop_seconds_left() > 15 && pg_stop_seconds_left() < 21);
    pg_stop_install(0, 40.0);
    assert_true(pg_stop_check(NULL));
    unsetenv("PG_END_TIME");
    pg_stop_reset();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signal),
        cmocka_unit_test(test_deadline),
    };
    return cmocka_run_group_tests_name("stop", tests, NULL, NULL);
}
