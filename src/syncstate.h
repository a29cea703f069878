/*
 * syncstate: zmcsync's bookkeeping tables in the ZMC database,
 * NM_ALARM_SYNC_STATUS (one row per alarm) and NM_ALARM_SYNC_LOG (one row
 * per operation), plus the config and label-mapping tables.  Alertmanager
 * writes come first and bookkeeping second, so a crash in between only
 * repeats an idempotent push.
 */
#ifndef ZMCSYNC_SYNCSTATE_H
#define ZMCSYNC_SYNCSTATE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct db;
struct config;
struct cfg;

enum sync_status {
	SS_NONE = 0,	/* no row: never pushed */
	SS_PENDING,	/* first push failed; retried next run */
	SS_FIRING,
	SS_RESOLVED,
	SS_SILENCED
};

/* "PENDING", "FIRING", ...; "" for SS_NONE. */
const char	*sync_status_name(enum sync_status);
/* Parses a status name (any case); -1 if unknown. */
int		 sync_status_parse(const char *);

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

struct sync_page {
	struct sync_row	*rows;
	size_t		 rowsz;
};

/*
 * Reads status rows with ALARM_INST_ID > after, ordered, at most limit,
 * leaving out RESOLVED rows whose alarm is not in state U in the view
 * (they cannot lead to an action).  0 ok, -1 error.
 */
int	syncstate_page_read(struct db *, const struct config *, int64_t after,
	    size_t limit, struct sync_page *out);
void	syncstate_page_free(struct sync_page *);
void	sync_row_clear(struct sync_row *);

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
	const char	*error;		/* failed: LAST_ERROR; success clears ERROR_COUNT/LAST_ERROR */
};

/* One NM_ALARM_SYNC_LOG row. */
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

/*
 * Writes updates and log rows in one transaction (one per batch).  On
 * failure everything is rolled back and -1 returned; the next run
 * repeats the idempotent pushes.
 */
int	syncstate_apply(struct db *, const struct sync_update *, size_t,
	    const struct sync_log *, size_t);

/* Generates a batch id "YYYYMMDDHHMMSS_xxxxxxxx" (UTC, random hex). */
void	syncstate_batch_id(time_t now, char out[32]);

/* NM_ALARM_LABEL_MAPPING active row. */
struct label_map {
	char	*source_field;	/* view column (upper case) */
	char	*target_name;	/* label or annotation name */
	int	 annotation;	/* TARGET_TYPE 'annotation' (else label) */
};

/* Loads active mapping rows; rows with an invalid label name are skipped with a warning.  0/-1. */
int	syncstate_mappings(struct db *, const struct config *,
	    struct label_map **out, size_t *outsz);
void	syncstate_mappings_free(struct label_map *, size_t);

/* Applies active NM_ALARM_SYNC_CONFIG rows to cfg via config_apply_table.  0 ok, -1 db error, -2 invalid value. */
int	syncstate_config_load(struct db *, struct cfg *);

#endif
