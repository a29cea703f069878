/*
 * syncstate: NM_ALARM_SYNC_STATUS, one row per alarm: reading rows for a
 * run and for the listings, writing a batch's bookkeeping (with its log
 * rows, synclog.c) in one transaction, and the counts of the stats
 * command and the run's metrics.  All SQL comes from dialect.c;
 * parameters are bound by position as documented there.  A failed
 * batch is rolled back whole, so the next run repeats the idempotent
 * pushes.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "dbstmt.h"
#include "dialect.h"
#include "domain.h"
#include "log.h"
#include "query.h"
#include "source.h"
#include "synclog.h"
#include "syncstate.h"
#include "util.h"

/* Column sizes of the table (sql/README.md), in bytes. */
#define LAST_ERROR_MAX		1000
#define ALERT_LABELS_MAX	4000

void
sync_row_clear(struct sync_row *r)
{
	free(r->silence_id);
	free(r->labels);
	free(r->last_error);
	memset(r, 0, sizeof(*r));
}

int
sync_row_read_at(struct db_stmt *st, int off, struct sync_row *r)
{
	const char *s;
	int k;

	memset(r, 0, sizeof(*r));
	if (db_col_text(st, off + 1) == NULL)
		return 1;
	r->sync_id = query_int(st, off + 0);
	r->alarm_id = query_int(st, off + 1);
	r->event_id = query_int(st, off + 2);
	s = db_col_text(st, off + 3);
	if ((k = sync_status_parse(s)) < 0) {
		/* FIRING gets it resolved or re-pushed: a clean state again. */
		log_warn("NM_ALARM_SYNC_STATUS: alarm %lld: SYNC_STATUS \"%s\" "
		    "unknown, treated as FIRING", (long long)r->alarm_id,
		    s ? s : "NULL");
		k = SS_FIRING;
	}
	r->status = (enum sync_status)k;
	s = db_col_text(st, off + 4);
	r->zmc_state = s != NULL && *s != '\0' ?
	    (char)toupper((unsigned char)*s) : 0;
	r->silence_id = query_text(st, off + 5);
	r->silence_end = query_time(st, off + 6);
	r->last_push = query_time(st, off + 7);
	r->event_time = query_time(st, off + 8);
	r->labels = query_text(st, off + 9);
	r->error_count = (int)query_int(st, off + 10);
	r->last_error = query_text(st, off + 11);
	r->push_count = (int)query_int(st, off + 12);
	r->create_time = query_time(st, off + 13);
	r->update_time = query_time(st, off + 14);
	return 0;
}

/* query_rows callbacks for STATUS_COLS rows. */
static int
status_row_read(struct db_stmt *st, void *r)
{
	sync_row_read_at(st, 0, r);
	return 0;
}

static void
status_row_clear(void *r)
{
	sync_row_clear(r);
}

void
syncstate_rows_free(struct sync_row *v, size_t n)
{
	query_rows_free(v, n, sizeof(*v), status_row_clear);
}

int
syncstate_rows_by_ids(struct db *db, const int64_t *ids, size_t n,
    struct sync_row **out, size_t *outsz, size_t *outcap)
{
	struct db_stmt *st;
	int rc;

	if (n == 0)
		return 0;
	if (n > DIALECT_IN_MAX) {
		db_set_error(db, "NM_ALARM_SYNC_STATUS: %zu ids in one IN list", n);
		return -1;
	}
	if ((st = query_prepare(db, SQL_STATUS_BY_IDS, NULL)) == NULL)
		return -1;
	if (query_bind_ids(st, 1, ids, n) != 0 || db_execute(st) != 0) {
		db_stmt_free(st);
		return -1;
	}
	rc = query_rows(st, out, outsz, outcap, sizeof(**out), status_row_read,
	    status_row_clear);
	db_stmt_free(st);
	return rc;
}

int
syncstate_resolved_between(struct db *db, time_t from, time_t to,
    size_t limit, struct sync_row **out, size_t *outsz, size_t *outcap)
{
	struct db_stmt *st;
	int rc;

	if ((st = query_prepare(db, SQL_STATUS_RESOLVED_BETWEEN, NULL)) == NULL)
		return -1;
	if (db_bind_time(st, 1, from) != 0 || db_bind_time(st, 2, to) != 0 ||
	    db_bind_int64(st, 3, (int64_t)limit) != 0 || db_execute(st) != 0) {
		db_stmt_free(st);
		return -1;
	}
	rc = query_rows(st, out, outsz, outcap, sizeof(**out), status_row_read,
	    status_row_clear);
	db_stmt_free(st);
	return rc;
}

/* Text of a ZMC state char, or NULL. */
static void
state_text(char c, char out[2])
{
	out[0] = c;
	out[1] = '\0';
}

/* Labels as stored: warns when they exceed the column (kept whole otherwise). */
static const char *
labels_checked(const struct sync_update *u)
{
	if (u->labels != NULL && strlen(u->labels) > ALERT_LABELS_MAX)
		log_warn("NM_ALARM_SYNC_STATUS: alarm %lld: label set of %zu "
		    "bytes exceeds ALERT_LABELS (%d)", (long long)u->alarm_id,
		    strlen(u->labels), ALERT_LABELS_MAX);
	return u->labels;
}

/*
 * Binds the values of a new status row for u (PENDING with the error when
 * failed) to markers base+1 .. base+14; 0/-1.
 */
static int
status_bind(struct db_stmt *st, int base, const struct sync_update *u,
    time_t now)
{
	char zs[2];
	int failed = u->failed;

	state_text(u->zmc_state, zs);
	if (query_bind_id(st, base + 1, u->event_id) != 0 ||
	    db_bind_int64(st, base + 2, u->alarm_id) != 0 ||
	    db_bind_text(st, base + 3, sync_status_name(failed ? SS_PENDING :
	    u->status)) != 0 ||
	    db_bind_text(st, base + 4, u->zmc_state ? zs : NULL) != 0 ||
	    db_bind_text(st, base + 5, failed ? NULL : u->silence_id) != 0 ||
	    db_bind_time(st, base + 6, failed ? 0 : u->silence_end) != 0 ||
	    db_bind_time(st, base + 7, failed ? 0 : u->last_push) != 0 ||
	    db_bind_time(st, base + 8, u->event_time) != 0 ||
	    db_bind_text(st, base + 9, failed ? NULL : labels_checked(u)) != 0 ||
	    db_bind_int64(st, base + 10, !failed && u->pushed ? 1 : 0) != 0 ||
	    db_bind_int64(st, base + 11, failed || u->error != NULL ? 1 : 0) != 0 ||
	    query_bind_cut(st, base + 12, failed ? (u->error ? u->error : "failed") :
	    u->error, LAST_ERROR_MAX) != 0 ||
	    db_bind_time(st, base + 13, now) != 0 ||
	    db_bind_time(st, base + 14, now) != 0)
		return -1;
	return 0;
}

/* INSERT of a new status row for u; 0/-1. */
static int
status_insert(struct db_stmt *st, const struct sync_update *u, time_t now)
{
	if (status_bind(st, 0, u, now) != 0)
		return -1;
	return db_execute(st);
}

/* Applies one update with the prepared statements; 0/-1. */
static int
apply_one(struct db *db, struct db_stmt **stv, const struct sync_update *u,
    time_t now)
{
	struct db_stmt *st;
	char zs[2];

	if (u->exists && (u->failed || u->error != NULL)) {
		/*
		 * A success that keeps an error (a resolve some member missed)
		 * writes the row first; the error then counts like a failure's.
		 */
		if (!u->failed) {
			struct sync_update w = *u;

			w.error = NULL;
			if (apply_one(db, stv, &w, now) != 0)
				return -1;
		}
		st = stv[SQL_STATUS_ERROR];
		if (query_bind_cut(st, 1, u->error ? u->error : "failed",
		    LAST_ERROR_MAX) != 0 || db_bind_time(st, 2, now) != 0 ||
		    db_bind_int64(st, 3, u->alarm_id) != 0 ||
		    db_execute(st) != 0)
			return -1;
		return db_stmt_reset(st);
	}
	if (u->exists) {
		st = stv[SQL_STATUS_UPDATE];
		state_text(u->zmc_state, zs);
		if (query_bind_id(st, 1, u->event_id) != 0 ||
		    db_bind_text(st, 2, sync_status_name(u->status)) != 0 ||
		    db_bind_text(st, 3, u->zmc_state ? zs : NULL) != 0 ||
		    db_bind_text(st, 4, u->silence_id) != 0 ||
		    db_bind_time(st, 5, u->silence_end) != 0 ||
		    db_bind_time(st, 6, u->last_push) != 0 ||
		    db_bind_time(st, 7, u->event_time) != 0 ||
		    db_bind_text(st, 8, labels_checked(u)) != 0 ||
		    db_bind_int64(st, 9, u->pushed ? 1 : 0) != 0 ||
		    db_bind_time(st, 10, now) != 0 ||
		    db_bind_int64(st, 11, u->alarm_id) != 0 ||
		    db_execute(st) != 0)
			return -1;
		if (db_rowcount(st) != 0) {
			db_stmt_reset(st);
			return 0;
		}
		/* The row vanished (deleted by hand or by cleanup): recreate it. */
		db_stmt_reset(st);
	}
	st = stv[SQL_STATUS_INSERT];
	if (status_insert(st, u, now) != 0)
		return -1;
	return db_stmt_reset(st);
}

/*
 * Writes the accepted heartbeats of ups in one UPDATE per DIALECT_IN_MAX
 * ids (the rows differ only by id); 0/-1.
 */
static int
apply_touches(struct db_stmt *st, const struct sync_update *ups, size_t upsz,
    time_t now)
{
	int64_t ids[DIALECT_IN_MAX];
	time_t last_push = 0;
	size_t i, n = 0;

	for (i = 0; i <= upsz; i++) {
		if (i < upsz && !ups[i].touch)
			continue;
		if (i < upsz) {
			ids[n++] = ups[i].alarm_id;
			last_push = ups[i].last_push;
		}
		if (n == 0 || (n < DIALECT_IN_MAX && i < upsz))
			continue;
		/* The push time is the run's, as for every other update. */
		if (db_bind_time(st, 1, last_push ? last_push : now) != 0 ||
		    db_bind_time(st, 2, now) != 0 ||
		    query_bind_ids(st, 3, ids, n) != 0)
			return -1;
		if (db_execute(st) != 0 || db_stmt_reset(st) != 0)
			return -1;
		n = 0;
	}
	return 0;
}

/* The fence of syncstate_set_fence, or NULL. */
static int	(*fence_fn)(struct db *, void *);
static void	*fence_arg;

void
syncstate_set_fence(int (*fn)(struct db *, void *), void *arg)
{
	fence_fn = fn;
	fence_arg = arg;
}

int
syncstate_apply(struct db *db, const struct sync_update *ups, size_t upsz,
    const struct sync_log *logs, size_t logsz)
{
	static const enum sql_id ids[] = {
		SQL_STATUS_INSERT, SQL_STATUS_UPDATE, SQL_STATUS_ERROR,
		SQL_STATUS_TOUCH, SQL_STATUS_INSERT_BULK
	};
	struct db_stmt *stv[SQL__COUNT] = { 0 };
	time_t now = time(NULL);
	size_t i, j, k, touches = 0, others = 0, news = 0;
	int r = -1;

	if (upsz == 0 && logsz == 0)
		return 0;
	for (i = 0; i < upsz; i++) {
		if (ups[i].touch)
			touches++;
		else
			others++;
		news += !ups[i].touch && !ups[i].exists;
	}
	/* Prepare only what the batch needs: a steady run is mostly touches. */
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		if (ids[i] == SQL_STATUS_INSERT_BULK)
			continue;	/* prepared when a full chunk comes */
		if (ids[i] == SQL_STATUS_TOUCH ? touches == 0 : others == 0)
			continue;
		if ((stv[ids[i]] = query_prepare(db, ids[i], NULL)) == NULL)
			goto out;
	}
	if (db_begin(db) != 0)
		goto out;
	if (fence_fn != NULL && fence_fn(db, fence_arg) != 0)
		goto rollback;
	/* New rows in statements of DIALECT_BULK_ROWS, the rest one by one. */
	/* k: new rows written or bound; j: rows bound to the open bulk statement */
	for (i = 0, k = 0, j = 0; i < upsz; i++) {
		if (ups[i].touch || ups[i].exists)
			continue;
		if (j > 0 || news - k >= DIALECT_BULK_ROWS) {
			if (stv[SQL_STATUS_INSERT_BULK] == NULL &&
			    (stv[SQL_STATUS_INSERT_BULK] = query_prepare(db,
			    SQL_STATUS_INSERT_BULK, NULL)) == NULL)
				goto rollback;
			if (status_bind(stv[SQL_STATUS_INSERT_BULK], (int)j * 14,
			    &ups[i], now) != 0)
				goto rollback;
			k++;
			if (++j == DIALECT_BULK_ROWS) {
				j = 0;
				if (db_execute(stv[SQL_STATUS_INSERT_BULK]) != 0 ||
				    db_stmt_reset(stv[SQL_STATUS_INSERT_BULK]) != 0)
					goto rollback;
			}
		} else {
			if (status_insert(stv[SQL_STATUS_INSERT], &ups[i], now) != 0 ||
			    db_stmt_reset(stv[SQL_STATUS_INSERT]) != 0)
				goto rollback;
			k++;
		}
	}
	for (i = 0; i < upsz; i++)
		if (!ups[i].touch && ups[i].exists &&
		    apply_one(db, stv, &ups[i], now) != 0)
			goto rollback;
	if (touches > 0 && apply_touches(stv[SQL_STATUS_TOUCH], ups, upsz, now) != 0)
		goto rollback;
	if (synclog_write(db, logs, logsz, now) != 0)
		goto rollback;
	if (db_commit(db) != 0)
		goto out;
	r = 0;
	goto out;
rollback:
	db_rollback(db);
out:
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		db_stmt_free(stv[ids[i]]);
	return r;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* query_rows callback of syncstate_silenced_ids: a SILENCE_ID, if any. */
static int
silence_id_read(struct db_stmt *st, void *v)
{
	return (*(char **)v = query_text(st, 0)) == NULL;
}

static void
silence_id_clear(void *v)
{
	free(*(char **)v);
}

int
syncstate_silenced_ids(struct db *db, char ***ids, size_t *n)
{
	struct db_stmt *st;
	size_t cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	if ((st = query_run(db, SQL_SILENCED_IDS, NULL)) == NULL)
		return -1;
	rc = query_rows(st, ids, n, &cap, sizeof(**ids), silence_id_read,
	    silence_id_clear);
	db_stmt_free(st);
	if (*n > 1)
		qsort(*ids, *n, sizeof(**ids), str_cmp);
	return rc;
}

int
syncstate_alarms(struct db *db, const char *status, size_t limit,
    size_t offset, struct sync_row **out, size_t *outsz)
{
	struct db_stmt *st;
	const char *sname = NULL;
	size_t cap = 0;
	int k, r;

	*out = NULL;
	*outsz = 0;
	if (status != NULL && *status != '\0') {
		if ((k = sync_status_parse(status)) < 0) {
			db_set_error(db, "status %s: not one of PENDING, FIRING, "
			    "RESOLVED, SILENCED", status);
			return -1;
		}
		sname = sync_status_name((enum sync_status)k);
	}
	if ((st = query_prepare(db, SQL_ALARMS_LIST, NULL)) == NULL)
		return -1;
	if (db_bind_text(st, 1, sname) != 0 || db_bind_text(st, 2, sname) != 0 ||
	    query_bind_page(db, st, 3, limit ? limit : 100, offset) != 0 ||
	    db_execute(st) != 0) {
		db_stmt_free(st);
		return -1;
	}
	r = query_rows(st, out, outsz, &cap, sizeof(**out), status_row_read,
	    status_row_clear);
	db_stmt_free(st);
	return r;
}

int
syncstate_stats(struct db *db, time_t now, struct sync_stats *s)
{
	struct db_stmt *st;
	long long n;
	long cnt;
	int rc;

	memset(s, 0, sizeof(*s));
	if ((st = query_run(db, SQL_STATS_BY_STATUS, NULL)) == NULL)
		return -1;
	while ((rc = db_fetch(st)) == 1) {
		cnt = (long)query_int(st, 1);
		s->total += cnt;
		switch (sync_status_parse(db_col_text(st, 0))) {
		case SS_PENDING:
			s->pending += cnt;
			break;
		case SS_FIRING:
			s->firing += cnt;
			break;
		case SS_RESOLVED:
			s->resolved += cnt;
			break;
		case SS_SILENCED:
			s->silenced += cnt;
			break;
		default:
			s->other += cnt;
			break;
		}
	}
	db_stmt_free(st);
	if (rc < 0)
		return -1;
	if (query_count(db, SQL_STATS_ERRORS, NULL, 0, 0, &n) != 0)
		return -1;
	s->errors = (long)n;
	if (query_count(db, SQL_STATS_LOG_SINCE, NULL, 1, now - 86400, &n) != 0)
		return -1;
	s->last_24h = (long)n;
	return 0;
}

int
syncstate_active_by_level(struct db *db, const struct config *cfg,
    long by_level[5], long *in_error)
{
	struct db_stmt *st;
	int64_t lvl, n;
	long long errors;
	int rc, i;

	for (i = 0; i < 5; i++)
		by_level[i] = 0;
	*in_error = 0;
	if ((st = query_run(db, SQL_ACTIVE_BY_LEVEL, source_view(cfg))) == NULL)
		return -1;
	while ((rc = db_fetch(st)) == 1) {
		if (db_col_int64(st, 0, &lvl) != 0 || lvl < 0 || lvl > 4)
			lvl = 0;
		n = query_int(st, 1);
		by_level[lvl] += (long)n;
	}
	db_stmt_free(st);
	if (rc < 0)
		return -1;
	if (query_count(db, SQL_STATS_ERRORS, NULL, 0, 0, &errors) != 0)
		return -1;
	*in_error = (long)errors;
	return 0;
}
