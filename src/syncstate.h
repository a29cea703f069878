/*
 * syncstate: NM_ALARM_SYNC_STATUS, zmcsync's bookkeeping of one row per
 * alarm in the ZMC database.  Alertmanager writes come first and
 * bookkeeping second, so a crash in between only repeats an idempotent
 * push.  The log rows of a batch are written with it (synclog.h).
 */
#ifndef ZMCSYNC_SYNCSTATE_H
#define ZMCSYNC_SYNCSTATE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "domain.h"
#include "types.h"

struct db;
struct db_stmt;
struct config;

/*
 * Fills r from the current row of st, whose STATUS_COLS start at column
 * off.  Returns 1 when the status part is NULL (no status row: LEFT JOIN
 * without a match; r is zeroed), else 0.  Free with sync_row_clear.
 */
int	sync_row_read_at(struct db_stmt *st, int off, struct sync_row *r);
void	sync_row_clear(struct sync_row *);
/* Frees an array of status rows (syncstate_rows_by_ids, syncstate_alarms). */
void	syncstate_rows_free(struct sync_row *, size_t);

/*
 * Status rows of the n ids (any order, n <= DIALECT_IN_MAX), appended to
 * *out / *outsz (grown with *outcap).  0/-1.
 */
int	syncstate_rows_by_ids(struct db *, const int64_t *ids, size_t n,
	    struct sync_row **out, size_t *outsz, size_t *outcap);

/*
 * The RESOLVED and SILENCED status rows whose resolve was pushed between
 * from and to (inclusive), the latest first, at most limit, appended as
 * syncstate_rows_by_ids does.  0/-1.
 */
int	syncstate_resolved_between(struct db *, time_t from, time_t to,
	    size_t limit, struct sync_row **out, size_t *outsz,
	    size_t *outcap);

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

/* zmc_active_alarms{severity}: FIRING rows per view ALARM_LEVEL (by_level[0]
 * also takes NULL and out-of-range levels) and rows with ERROR_COUNT > 0.  0/-1. */
int	syncstate_active_by_level(struct db *, const struct config *,
	    long by_level[5], long *in_error);

/* ---- operator commands ---- */

/*
 * Status rows, newest UPDATE_TIME first; status NULL for all (a status
 * name, any case).  *out allocated (syncstate_rows_free).  0/-1.
 */
int	syncstate_alarms(struct db *, const char *status, size_t limit,
	    size_t offset, struct sync_row **out, size_t *outsz);

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
/* Fills *s (zeroed first).  0/-1. */
int	syncstate_stats(struct db *, time_t now, struct sync_stats *s);

#endif
