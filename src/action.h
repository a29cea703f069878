/*
 * action: the kinds of action a run takes on an alarm (SPEC 3) and their
 * two names, kept in one list: the label value of
 * zmc_alarms_processed_total{action} and the OPERATION of
 * NM_ALARM_SYNC_LOG.  Plain data, so the edges (metrics) can list the
 * kinds without depending on the core that decides them (reconcile).
 */
#ifndef ZMCSYNC_ACTION_H
#define ZMCSYNC_ACTION_H

enum action_kind {
	ACT_FIRE = 0,		/* first push or re-raise: push firing */
	ACT_HEARTBEAT,		/* push firing again with a new lease */
	ACT_RELABEL,		/* resolve old label set, fire the new one */
	ACT_RESOLVE,		/* push resolved */
	ACT_SILENCE,		/* push resolved, then create a silence */
	ACT_EXPIRE_SILENCE,	/* expire our silence */
	ACT_SILENCE_ENDED,	/* silence end passed: bookkeeping only */
	ACT__COUNT
};

/* "fire", "heartbeat", ... (metrics label); "unknown" for a bad kind. */
const char	*action_name(enum action_kind);
/* "PUSH_FIRING", ... (log operation); "UNKNOWN" for a bad kind. */
const char	*action_operation(enum action_kind);

#endif
