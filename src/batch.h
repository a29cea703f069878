/*
 * batch: carries out the actions reconcile() decided for one batch:
 * Alertmanager first (alerts in POSTs of batch_size, then silences), the
 * bookkeeping second, in one transaction per batch.  What to record after
 * each outcome is record_result()'s decision, not this module's.
 */
#ifndef ZMCSYNC_BATCH_H
#define ZMCSYNC_BATCH_H

#include <stddef.h>
#include <time.h>

#include "reconcile.h"

struct am;
struct db;
struct config;
struct state;

/* What a batch needs, and nothing more. */
struct batch_env {
	struct db		*db;
	struct am		*am;
	const struct config	*c;
	time_t			 now;		/* the run's clock */
	const char		*batch_id;
	time_t			 skew;		/* Alertmanager's clock minus ours */
	struct state		*st;		/* the local state file (owed resolves);
						   NULL when it cannot be had */
};

/* Tally over the batches of a run. */
struct batch_tally {
	long	 counts[ACT__COUNT];	/* successful actions by kind */
	long	 failed;		/* failed actions (retried next run) */
	long	 deferred;		/* resolves some member missed (sent again next
					   run; not failures: one member suffices) */
	int	 owed;		/* the state file holds owed resolves (a label set
					   fired again is taken off the list) */
	long	 requests;		/* HTTP requests made */
	int	 am_down;		/* no member reachable: later batches push nothing */
	int	 db_failed;		/* bookkeeping not written */
	char	*first_error;		/* allocated; for the run history */
};

/*
 * Carries out al (from reconcile) and writes its bookkeeping.  Updates t.
 * Returns 0, or -1 when the bookkeeping could not be written (t->db_failed
 * set; the pushes repeat next run, which is harmless).
 */
int	batch_run(const struct batch_env *, struct action_list *al,
	    struct batch_tally *t);
/*
 * Expires silences of ours that no status row stands for (the orphan
 * sweep: reconcile_orphans decided which), logging each as
 * EXPIRE_SILENCE of its alarm.  ids and alarm_ids (may hold NULL) have n
 * entries.  Returns 0, or -1 when the log rows could not be written.
 */
int	batch_expire_orphans(const struct batch_env *, const char *const *ids,
	    const char *const *alarm_ids, size_t n, struct batch_tally *t);
/*
 * Sends again the resolves owed to Alertmanager members that missed them
 * (relabelled alarms' old label sets, kept in the state file), in POSTs
 * of batch_size, and forgets each once every member took it or no member
 * can hold it any more.  Returns 0, or -1 when the state file could not
 * be read or written (logged; an entry not forgotten is sent again).
 */
int	batch_owed(const struct batch_env *, struct batch_tally *t);
void	batch_tally_free(struct batch_tally *);

#endif
