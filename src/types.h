/*
 * types: the plain domain types every layer shares: an alarm as the view
 * shows it, a status row, what to write back, a log row, a label
 * mapping.  Only types: no functions, nothing of the project included,
 * so the pure core (reconcile, alert, merge) needs no edge module's
 * header for them.  The functions on them live with their tables
 * (source, syncstate, synclog, syncmap) and in domain.h.
 */
#ifndef ZMCSYNC_TYPES_H
#define ZMCSYNC_TYPES_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* One alarm as the view shows it now.  Text is UTF-8, "" never stored: absent is NULL. */
struct zmc_row {
	int64_t	 alarm_id;	/* ALARM_INST_ID, the sync key */
	int64_t	 event_id;	/* EVENT_INST_ID, 0 if NULL */
	char	 state;		/* ALARM_STATE: 'U', 'A', 'C', 'M' (other: '?') */
	int	 level;		/* ALARM_LEVEL 0-4, -1 if NULL or out of range */
	char	*alarm_code;
	char	*alarm_name;
	char	*host_name;
	char	*host_ip;
	char	*app_name;
	char	*business_domain;
	char	*environment;
	char	*res_inst_type;
	time_t	 event_time;	/* UTC; 0 if NULL */
	time_t	 state_time;	/* UTC; 0 if NULL */
	time_t	 create_date;	/* UTC; 0 if NULL */
	char	*detail_info;
	char	*fault_reason;
	char	*deal_suggest;
	char	*clear_reason;
	char	*total_alarm;	/* as text */
	/* Every column of the view as text, for NM_ALARM_LABEL_MAPPING. */
	char	**vals;		/* vals[i] is column names[i] of the page; NULL = SQL NULL */
	const char *const *names; /* column names, owned by the page */
	size_t	 ncols;
};

/* SYNC_STATUS of a status row (domain.h names them). */
enum sync_status {
	SS_NONE = 0,	/* no row: never pushed */
	SS_PENDING,	/* first push failed; retried next run */
	SS_FIRING,
	SS_RESOLVED,
	SS_SILENCED
};

/* One NM_ALARM_SYNC_STATUS row. */
struct sync_row {
	int64_t		 sync_id;	/* SYNC_ID */
	int64_t		 alarm_id;	/* ALARM_INST_ID */
	int64_t		 event_id;	/* EVENT_INST_ID last pushed, 0 if NULL */
	enum sync_status status;
	char		 zmc_state;	/* ZMC_ALARM_STATE last seen, 0 if NULL */
	char		*silence_id;	/* SILENCE_ID or NULL */
	time_t		 silence_end;	/* SILENCE_END (UTC) or 0 */
	time_t		 last_push;	/* LAST_PUSH_TIME (UTC) or 0 */
	time_t		 event_time;	/* LAST_EVENT_TIME: startsAt last pushed, or 0 */
	char		*labels;	/* ALERT_LABELS: canonical JSON label set last pushed */
	int		 error_count;
	char		*last_error;
	int		 push_count;
	time_t		 create_time;
	time_t		 update_time;
};

/* What to write for one alarm after its Alertmanager calls. */
struct sync_update {
	int64_t		 alarm_id;
	int		 exists;	/* 1: UPDATE the existing row, 0: INSERT */
	int		 failed;	/* 1: only bump ERROR_COUNT / set LAST_ERROR (and insert PENDING if !exists) */
	enum sync_status status;	/* new status (ignored when failed && exists) */
	int64_t		 event_id;
	char		 zmc_state;
	const char	*silence_id;	/* NULL clears */
	time_t		 silence_end;
	time_t		 last_push;	/* 0 keeps the old value */
	time_t		 event_time;
	const char	*labels;	/* NULL keeps the old value */
	int		 pushed;	/* 1: PUSH_COUNT + 1 */
	int		 touch;		/* only FIRING, the push time and count change (an
					   accepted heartbeat, or a first push over its
					   PENDING row): written with the other touches of
					   the batch, one statement per DIALECT_IN_MAX ids */
	const char	*error;		/* failed: LAST_ERROR; success clears ERROR_COUNT/LAST_ERROR,
					   unless error is set (a resolve some member missed):
					   then ERROR_COUNT + 1 and LAST_ERROR as for a failure */
};

/* One NM_ALARM_SYNC_LOG row to write. */
struct sync_log {
	const char	*operation;	/* PUSH_FIRING, HEARTBEAT, PUSH_RESOLVED, RELABEL, CREATE_SILENCE, EXPIRE_SILENCE, SILENCE_ENDED, ... */
	int64_t		 alarm_id;	/* 0 for per-request rows (heartbeat batches) */
	int64_t		 event_id;	/* 0 -> NULL */
	const char	*batch_id;
	const char	*old_status;	/* NULL -> NULL */
	const char	*new_status;
	const char	*request_url;
	const char	*request_method;
	long		 response_code;	/* 0 -> NULL */
	long		 duration_ms;
	const char	*error;		/* NULL on success */
	int		 alarm_count;	/* alerts covered by this row (heartbeats: per request) */
};

/* NM_ALARM_LABEL_MAPPING active row. */
struct label_map {
	char	*source_field;	/* view column (upper case) */
	char	*target_name;	/* label or annotation name */
	int	 annotation;	/* TARGET_TYPE 'annotation' (else label) */
};

#endif
