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

#include "syncstatus.h"
#include "types.h"

struct db;
struct config;
struct cfg;

struct db_stmt;

/*
 * Fills r from the current row of st, whose STATUS_COLS start at column
 * off.  Returns 1 when the status part is NULL (no status row: LEFT JOIN
 * without a match; r is zeroed), else 0.
 */
int	sync_row_read_at(struct db_stmt *st, int off, struct sync_row *r);
void	sync_row_clear(struct sync_row *);

/*
 * Status rows of the n ids (any order, n <= DIALECT_IN_MAX), appended to
 * *out / *outsz (grown with *outcap).  0/-1.
 */
int	syncstate_rows_by_ids(struct db *, const int64_t *ids, size_t n,
	    struct sync_row **out, size_t *outsz, size_t *outcap);

/*
 * Writes updates and log rows in one transaction (one per batch).  On
 * failure everything is rolled back and -1 returned; the next run
 * repeats the idempotent pushes.
 */
int	syncstate_apply(struct db *, const struct sync_update *, size_t,
	    const struct sync_log *, size_t);
/*
 * A check syncstate_apply runs first in each transaction (the lease's
 * fence, lease.c): nonzero rolls the transaction back and makes
 * syncstate_apply fail, with the reason as db_error.  NULL: none.
 */
void	syncstate_set_fence(int (*fn)(struct db *, void *), void *arg);

/*
 * SILENCE_ID of every SILENCED status row, sorted (strcmp): *ids
 * allocated (strv_free-style: each string and the array).  0/-1.
 */
int	syncstate_silenced_ids(struct db *, char ***ids, size_t *n);

/* Generates a batch id "YYYYMMDDHHMMSS_xxxxxxxx" (UTC, random hex). */
void	syncstate_batch_id(time_t now, char out[32]);

/*
 * Loads active mapping rows.  A row that cannot be used (labelmap_problem:
 * invalid or built-in target label, unknown TARGET_TYPE, SOURCE_FIELD not
 * a column of the view) is skipped with a warning naming it.  0/-1.
 */
int	syncstate_mappings(struct db *, const struct config *,
	    struct label_map **out, size_t *outsz);
void	syncstate_mappings_free(struct label_map *, size_t);

/* Applies active NM_ALARM_SYNC_CONFIG rows to cfg via config_apply_table.  0 ok, -1 db error, -2 invalid value. */
int	syncstate_config_load(struct db *, struct cfg *);

/* zmc_active_alarms{severity}: FIRING rows per view ALARM_LEVEL (by_level[0]
 * also takes NULL and out-of-range levels) and rows with ERROR_COUNT > 0.  0/-1. */
int	syncstate_active_by_level(struct db *, const struct config *,
	    long by_level[5], long *in_error);

/* ---- operator commands: listings and maintenance ---- */

/* Frees an array of status rows (syncstate_alarms). */
void	syncstate_rows_free(struct sync_row *, size_t);
/*
 * Status rows, newest UPDATE_TIME first; status NULL for all (a status
 * name, any case).  *out allocated (syncstate_rows_free).  0/-1.
 */
int	syncstate_alarms(struct db *, const char *status, size_t limit,
	    size_t offset, struct sync_row **out, size_t *outsz);

/* One NM_ALARM_SYNC_LOG row read back. */
struct sync_log_row {
	int64_t	 log_id;	/* LOG_ID */
	char	*operation;
	int64_t	 event_id;	/* 0 if NULL */
	int64_t	 alarm_id;	/* 0 if NULL */
	char	*batch_id;	/* NULL if NULL, like every text member */
	char	*old_status;
	char	*new_status;
	char	*request_url;
	char	*request_method;
	long	 response_code;	/* 0 if NULL */
	long	 duration_ms;
	long	 alarm_count;
	char	*error;		/* ERROR_MESSAGE */
	time_t	 create_time;	/* UTC */
};

/* Filters of syncstate_logs; zero means "any". */
struct sync_log_filter {
	const char	*operation;	/* exact OPERATION (upper-cased here) */
	int64_t		 alarm_id;
	int64_t		 event_id;
	int		 errors_only;	/* only rows with ERROR_MESSAGE */
	time_t		 since;		/* CREATE_TIME >= since (UTC) */
	time_t		 until;		/* CREATE_TIME < until (UTC) */
	size_t		 limit;		/* 0: 100 */
	size_t		 offset;
};

/* Log rows, newest first.  *out allocated (syncstate_logs_free).  0/-1. */
int	syncstate_logs(struct db *, const struct sync_log_filter *,
	    struct sync_log_row **out, size_t *outsz);
void	syncstate_logs_free(struct sync_log_row *, size_t);

/* The stats command (reference guide 7: /api/v1/sync/statistics). */
struct sync_stats {
	long	total;		/* status rows */
	long	pending;
	long	firing;
	long	resolved;
	long	silenced;
	long	other;		/* rows with an unknown SYNC_STATUS */
	long	errors;		/* rows with ERROR_COUNT > 0 */
	long	last_24h;	/* log rows created since now - 24 h */
};
int	syncstate_stats(struct db *, time_t now, struct sync_stats *);

/* One NM_ALARM_SYNC_CONFIG row. */
struct config_row {
	int64_t	 id;
	char	*group;
	char	*key;
	char	*value;		/* NULL if NULL */
	char	*description;
	int	 active;
	time_t	 create_time;
	time_t	 update_time;
};
void	config_row_clear(struct config_row *);
void	syncstate_config_rows_free(struct config_row *, size_t);
/* All rows (group NULL) or those of a group (any case).  0/-1. */
int	syncstate_config_list(struct db *, const char *group,
	    struct config_row **out, size_t *outsz);
/* One row: 0 found (*out filled; config_row_clear), 1 no such row, -1 error. */
int	syncstate_config_get(struct db *, const char *group, const char *key,
	    struct config_row *out);
/*
 * Inserts or updates GROUP.KEY (stored upper case) with value, active;
 * description only used for a new row (may be NULL).  One transaction.  0/-1.
 */
int	syncstate_config_set(struct db *, const char *group, const char *key,
	    const char *value, const char *description, time_t now);
/* Deletes GROUP.KEY: 0 deleted, 1 no such row, -1 error. */
int	syncstate_config_unset(struct db *, const char *group, const char *key);

/* Rows deleted (or, dry run, that would be) by syncstate_cleanup. */
struct cleanup_result {
	long long	log_rows;
	long long	status_rows;
};
/*
 * Deletes log rows with CREATE_TIME < before and RESOLVED status rows
 * last updated before it, in transactions of at most batch rows (0:
 * 10000), so locks stay short on a busy ZMC.  dry_run only counts.
 * Rows deleted before a failure stay deleted (counted in *res).  0/-1.
 */
int	syncstate_cleanup(struct db *, time_t before, size_t batch,
	    int dry_run, struct cleanup_result *res);

/*
 * Probes each sync table and the source view (one row), then checks the
 * active mapping rows as syncstate_mappings does.  fn, if not NULL, gets
 * each object's name, ok flag and detail ("N rows", or the error); a
 * mapping row that would be ignored is a failed "label mapping SRC ->
 * TARGET", else one "label mapping" line passes.  0 if all are readable
 * and usable, -1 otherwise.
 */
int	syncstate_probe(struct db *, const struct config *,
	    void (*fn)(void *arg, const char *name, int ok, const char *detail),
	    void *arg);

#endif
