/*
 * state: the local state file <state dir>/state.db (libsqlite3), which
 * keeps metric series across runs and a history of recent runs, readable
 * when the ZMC database is down, and the run lock file beside it.
 */
#ifndef ZMCSYNC_STATE_H
#define ZMCSYNC_STATE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct state;

/*
 * Opens (creating dir and file, migrating the schema) dir/state.db.
 * NULL + *err when corrupt or unwritable; callers carry on without it.
 */
struct state	*state_open(const char *dir, char **err);
void		 state_close(struct state *);

/*
 * Takes the non-blocking run lock dir/zmcsync.lock (flock), writing our
 * pid into it.  Returns a descriptor (>= 0), -1 on error (*err), or -2
 * when another process holds it (*holder set to its pid or 0).
 */
int		 state_lock(const char *dir, long *holder, char **err);
/* Reads the holder pid of dir/zmcsync.lock if it is held, else 0. */
long		 state_lock_holder(const char *dir);
void		 state_unlock(int fd);

/* Persisted metric series: key is family + rendered labels. */
int		 state_metric_get_all(struct state *,
		    void (*fn)(void *arg, const char *key, double v), void *arg);
int		 state_metric_put(struct state *, const char *key, double v);
int		 state_begin(struct state *);
int		 state_commit(struct state *);
/* Abandons the transaction opened by state_begin (after a failed step). */
void		 state_rollback(struct state *);

/* How many runs the history keeps. */
#define STATE_RUNS_KEEP	1000

/* One run of the history. */
struct run_record {
	char	 batch_id[32];
	time_t	 started;
	double	 duration;	/* seconds */
	int	 exit_code;
	char	*command;	/* "run", "run --dry-run" */
	long	 counts[8];	/* per action kind (reconcile.h order, up to ACT__COUNT) */
	long	 errors;	/* failed operations */
	char	*error;		/* first error text or NULL */
	char	*result;	/* "success", "partial", "failed", "disabled",
				   "skipped" (lock held), "standby", "lease_lost";
				   NULL in rows of older versions */
	time_t	 am_started;	/* latest start of an Alertmanager member the
				   run saw (its clock); 0 none (not written) */
};
/* r's result, derived from its exit status for a row without one (never NULL). */
const char	*state_run_result(const struct run_record *r);
/* Appends a run and keeps the last 1000.  0/-1. */
int		 state_run_add(struct state *, const struct run_record *);
/* Newest first, at most limit; caller frees with state_runs_free.  0/-1. */
int		 state_runs(struct state *, size_t limit, struct run_record **out, size_t *n);
void		 state_runs_free(struct run_record *, size_t);
/*
 * The latest Alertmanager member start a recorded run saw (its clock),
 * or 0 when none did.  0/-1 (logged; *out 0).
 */
int		 state_last_am_started(struct state *, time_t *out);

/*
 * A resolve owed to the Alertmanager members that missed it: the old
 * label set of a relabelled alarm, whose status row has moved on to the
 * new set.  Kept here until every member took it or until passed.
 */
struct owed_resolve {
	int64_t	 alarm_id;
	char	*labels;	/* canonical label-set JSON */
	time_t	 starts, ends;	/* of the resolved alert (Alertmanager's clock) */
	time_t	 until;		/* no member holds the alert after this */
};
/* Adds (or replaces) o.  0/-1 (logged). */
int		 state_owed_put(struct state *, const struct owed_resolve *o);
/* Removes the entry of alarm_id and labels.  0/-1 (logged). */
int		 state_owed_del(struct state *, int64_t alarm_id, const char *labels);
/* At most limit entries, soonest until first; state_owed_free.  0/-1. */
int		 state_owed_list(struct state *, size_t limit,
		    struct owed_resolve **out, size_t *n);
void		 state_owed_free(struct owed_resolve *, size_t);
/* How many resolves are owed, or -1 (logged). */
long		 state_owed_count(struct state *);

#endif
