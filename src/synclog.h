/*
 * synclog: NM_ALARM_SYNC_LOG, one row per operation zmcsync did: what
 * was pushed, silenced or expired, with the request and its outcome.
 */
#ifndef ZMCSYNC_SYNCLOG_H
#define ZMCSYNC_SYNCLOG_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "types.h"

struct db;

/*
 * Writes n log rows created at now, inside the caller's transaction
 * (syncstate_apply): one statement per DIALECT_BULK_ROWS rows, the rest
 * one by one.  0/-1 (the caller rolls back).
 */
int	synclog_write(struct db *, const struct sync_log *, size_t n,
	    time_t now);

/* Generates a batch id "YYYYMMDDHHMMSS_xxxxxxxx" (UTC, random hex). */
void	synclog_batch_id(time_t now, char out[32]);

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

/* Filters of synclog_list; zero means "any". */
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

/* Log rows, newest first.  *out allocated (synclog_rows_free).  0/-1. */
int	synclog_list(struct db *, const struct sync_log_filter *,
	    struct sync_log_row **out, size_t *outsz);
void	synclog_rows_free(struct sync_log_row *, size_t);

/* Rows deleted (or, dry run, that would be) by synclog_cleanup. */
struct cleanup_result {
	long long	log_rows;
	long long	status_rows;
};
/*
 * The retention sweep: deletes log rows with CREATE_TIME < before, then
 * RESOLVED status rows last updated before it, in transactions of at
 * most batch rows (0: 10000), so locks stay short on a busy ZMC.
 * dry_run only counts.  Rows deleted before a failure stay deleted
 * (counted in *res).  0/-1.
 */
int	synclog_cleanup(struct db *, time_t before, size_t batch,
	    int dry_run, struct cleanup_result *res);

#endif
