/*
 * record: the bookkeeping half of the functional core (see reconcile.h
 * for the deciding half): the status row and log row each action leaves,
 * as pure functions table-tested in test/unit/test_reconcile.c.
 */
#ifndef ZMCSYNC_RECORD_H
#define ZMCSYNC_RECORD_H

#include <time.h>

#include "reconcile.h"

/*
 * 1 if a resolve (an action's alert, a relabel's old label set, or one
 * owed from an earlier run) that took of members Alertmanager members
 * accepted is done at now: every member took it, or the members that did
 * not can no longer hold the alert (held_until, an action's held_until,
 * passed: Alertmanager has ended it itself).  Otherwise it is sent again
 * next run: in a cluster each member notifies from its own alerts, so a
 * member that missed a resolve would keep the alert firing, or a
 * relabel's old label set beside the new one, until its lease ran out.
 */
int	record_resolve_done(time_t held_until, int took, int members,
	    time_t now);

/* What carrying out one action gave (filled by the executor). */
struct outcome {
	int		 ok;		/* every Alertmanager call of the action succeeded */
	int		 rejected;	/* its alert was refused as invalid (400), not unreached */
	int		 deferred;	/* ok, but a resolve did not reach every member
					   (see record_resolve_done); error says why */
	const char	*error;		/* first failure, redacted; NULL when ok */
	const char	*silence_id;	/* ACT_SILENCE: the silence created or reused */
	time_t		 silence_end;
	const char	*url;		/* the request that describes it, for the log row */
	const char	*method;
	long		 code;
	long		 ms;
};

/*
 * 1 if a's push must be preceded by a PENDING status row that carries its
 * label set: a first push, or the push of a re-raised RESOLVED or SILENCED
 * alarm (an UPDATE then).  Should the run die between push and
 * bookkeeping, that row lets a later run find and resolve what it pushed.
 * Fills u with the row (pointing into a).
 */
int	record_intent(const struct action *a, struct sync_update *u);

/*
 * The bookkeeping of one action after it was carried out: the status row
 * to write (u) and the log row (lg).  Returns 1 when lg is to be written,
 * 0 when the action is logged otherwise (accepted heartbeats are logged
 * per request).  Pure: u and lg point into a, o and batch_id (no
 * allocation), so they live as long as those.
 *
 * On success the status becomes a->new_status; on failure the row stays
 * as it was with ERROR_COUNT + 1 and LAST_ERROR, or is inserted PENDING
 * when the alarm had no row, so the next run decides the same again.
 * A deferred outcome (a resolve some member missed) is written like a
 * failure, so the resolve or relabel is done again next run, except for
 * SILENCE: the silence it made is kept (SILENCED) with the error and the
 * push time of the firing alert, and reconcile() retries the resolve
 * while that alert's lease lasts.  Neither fails the run.
 */
int	record_result(const struct action *a, const struct outcome *o,
	    time_t now, const char *batch_id, struct sync_update *u,
	    struct sync_log *lg);

#endif
