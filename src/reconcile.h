/*
 * reconcile: the functional core.  Decides, for a batch of alarms, what
 * to do (SPEC 3) as a pure function of the ZMC rows, the sync rows, the
 * configuration and the time.  Nothing here touches the network, the
 * database or the clock; cmd_run.c carries the actions out.
 */
#ifndef ZMCSYNC_RECONCILE_H
#define ZMCSYNC_RECONCILE_H

#include <stddef.h>
#include <time.h>

#include "action.h"
#include "types.h"

struct config;
struct zmc_row;
struct label_map;
struct alert;

/* One alarm as seen from both sides; either pointer may be NULL, not both. */
struct pair {
	const struct zmc_row	*row;	/* view row, NULL if gone from the view */
	const struct sync_row	*sync;	/* status row, NULL if never synced */
};

struct action {
	enum action_kind	 kind;
	int64_t			 alarm_id;
	const struct zmc_row	*row;		/* NULL if the row is gone; an owned copy of what
					   the execution needs (ids, state, times,
					   CLEAR_REASON, OPERATOR), so actions outlive the
					   pages they were decided from */
	const struct sync_row	*sync;		/* NULL if never synced; an owned copy */
	struct alert		*alert;		/* to push: firing (lease) or resolved (endsAt); owned; NULL for
					   ACT_EXPIRE_SILENCE / ACT_SILENCE_ENDED, and for an ACT_RESOLVE of a gone
					   row whose label set was never stored (nothing to address: bookkeeping only) */
	struct alert		*old_alert;	/* ACT_RELABEL: old label set, resolved; owned */
	char			*labels;	/* FIRE/HEARTBEAT/RELABEL: canonical label-set JSON
					   of alert, stored on success; owned */
	int			 intent;	/* set by the executor: a PENDING row carrying the
					   label set was written before the push */
	time_t			 held_until;	/* RESOLVE, SILENCE, RELABEL of an alarm believed
					   firing: until then a member that missed the
					   resolve may still hold the alert (last push +
					   alert_ttl); 0 otherwise */
	enum sync_status	 new_status;	/* status after success */
	const char		*reason;	/* static: "new", "retry", "re-raised", "back", "heartbeat", "labels changed",
					   "state A", "state C", "state M", "gone", "filtered", "silence ended" */
};

struct action_list {
	struct action	*v;
	size_t		 n;
	size_t		 cap;
};

/* Ids of our silences active in Alertmanager, sorted (strcmp). */
struct silence_set {
	const char *const	*ids;
	size_t			 n;
};

/* What the run saw of Alertmanager before the pass. */
struct am_view {
	const struct silence_set *live;	/* our active silences; NULL: not had */
	time_t			 started;	/* latest start of a member; 0 unknown */
	time_t			 skew;		/* Alertmanager's clock minus ours: the times
						   an alert carries are in its clock */
};

/* 1 if id is in set (NULL set: unknown, counts as present). */
int	silence_set_has(const struct silence_set *set, const char *id);

/*
 * Appends to out the actions for pairs (in order), following the table
 * at the top of reconcile.c.  view (may be NULL) is what the run saw of
 * Alertmanager: a SILENCED row of a masked alarm whose silence is not
 * among the live ones gets it back, and a FIRING alarm last pushed
 * before a member started is pushed again now.  Pairs needing
 * nothing add nothing.  Never fails (allocation aborts).  out must be
 * zeroed or hold earlier actions; free with action_list_free.
 */
void	reconcile(const struct config *, const struct label_map *maps, size_t mapsz,
	    const struct pair *pairs, size_t pairsz, time_t now,
	    const struct am_view *view, struct action_list *out);

/* One active silence of ours, as the orphan sweep sees it. */
struct live_silence {
	const char	*id;
	const char	*alarm_id;	/* its alarm_id= matcher, NULL none */
	const char	*source;	/* its source= matcher, NULL none */
};

/*
 * The silences to expire after a complete pass: ours (source matcher
 * equal to source, so another deployment's silences are never touched),
 * active, and not the silence of any SILENCED status row (kept: sorted
 * ids).  Sets out[i] to 1 for each of live[0..n) to expire; returns how
 * many.
 */
size_t	reconcile_orphans(const struct live_silence *live, size_t n,
	    const char *source, const struct silence_set *kept, int *out);
void	action_list_free(struct action_list *);
/* Moves every action of from to the end of to; from is left empty. */
void	action_list_move(struct action_list *to, struct action_list *from);
/* Alerts the actions of l will push (old and new label sets). */
size_t	action_list_alerts(const struct action_list *l);

/*
 * 1 if a FIRING alarm last pushed at last_push is due for a heartbeat at
 * now.  Due times are spread by alarm id over the second half of
 * heartbeat_interval, so alarms fired together do not all come due in
 * the same later run; a push time in the future (clock went back) or
 * unknown is due at once.
 */
int	reconcile_heartbeat_due(int64_t alarm_id, time_t last_push, time_t now,
	    int heartbeat_interval);

/*
 * How far before a member's start the resolves it may still owe a
 * notification for reach: a member notifies within its group_interval
 * plus its cluster wait (minutes), but push times are in our clock,
 * which may have stepped back since; an hour covers both.
 */
#define RECONCILE_RESEND_BEFORE	3600
/* How far in our future a push time may lie (a clock that ran ahead). */
#define RECONCILE_RESEND_FUTURE	(366 * 86400)
/* How long a resolve sent again is retried on members that miss it. */
#define RECONCILE_RESEND_HOLD	600

/*
 * Whether resolves are sent again after a member started at started
 * (its clock; skew is its clock minus ours; 0: unknown).  A member that
 * notified an alert firing just before it was stopped, too late to learn
 * of the resolve, or that was stopped between taking a resolve and
 * notifying it, never sends that "resolved": the notification log keeps
 * the alert firing while no member holds it, and a re-raise is then not
 * notified either.  A resolve sent again lets any member clear it, and
 * is silent where nothing was owed.  Once per start: prev is the latest
 * start a recorded run handled (0: none, when only a start within
 * RECONCILE_RESEND_BEFORE of now counts).  Returns 1 with [*from, *to]
 * (our clock, inclusive) the push times of the resolves to send again:
 * from the window before the start on, and any dated in our future (a
 * push made while the clock ran ahead); else 0.
 */
int	reconcile_resend_window(time_t started, time_t skew, time_t prev,
	    time_t now, time_t *from, time_t *to);

/*
 * When a firing alert pushed at pushed ends by itself in Alertmanager:
 * pushed + sync.alert_ttl, or Alertmanager's default resolve_timeout
 * (5 minutes) when alerts carry no endsAt.
 */
time_t	reconcile_lease_end(const struct config *, time_t pushed);

#endif
