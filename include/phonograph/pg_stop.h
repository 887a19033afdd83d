/* pg_stop.h - graceful stops: signals (SIGTERM from SLURM's --signal or scancel, SIGINT,
 * SIGUSR1/2) and a wall-time budget, checked by long stages at safe points.
 *
 * The signal flag is process-wide state by nature (a handler can only set a
 * sig_atomic_t); it is the second and last global of phonograph besides the error record.
 * Stages poll pg_stop_check() between work items; rank 0 of a task farm decides and tells
 * the workers, or every rank calls the collective pg_stop_agree() at the same points.
 * A stage that stops returns PG_ERR_INTERRUPTED after flushing, and the run is resumable.
 */
#ifndef PG_STOP_H
#define PG_STOP_H

#include <mpi.h>

#include "phonograph/pg_status.h"

/* Install the handlers and set the deadline: the earliest of
 *   now + wall_budget_s (if > 0; deck [run] wall_time),
 *   $PG_END_TIME or $SLURM_JOB_END_TIME (epoch seconds, if set; the jobscripts export it),
 * minus margin_s (time needed to flush and exit cleanly). Not collective. */
void pg_stop_install(double wall_budget_s, double margin_s);
/* Seconds left before the deadline (+inf without one). */
double pg_stop_seconds_left(void);
/* Local check: 1 if a signal arrived or the deadline passed; *why (optional) says which. */
int pg_stop_check(const char **why);
/* Collective on comm: every rank returns 1 if any rank's pg_stop_check() is true. */
pg_status_t pg_stop_agree(MPI_Comm comm, int *stop);
/* For tests: request a stop as if a signal had arrived, or clear the request. */
void pg_stop_request(void);
void pg_stop_reset(void);

#endif
