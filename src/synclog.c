/*
 * synclog: NM_ALARM_SYNC_LOG, one row per operation: writing a batch's
 * rows (inside syncstate_apply's transaction), reading them for the
 * logs and trace commands, and the retention cleanup.  Every error text
 * and URL written passes secret redaction (query_bind_cut).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "dbstmt.h"
#include "dialect.h"
#include "query.h"
#include "synclog.h"
#include "util.h"

/* Column sizes of the table (sql/README.md), in bytes. */
#define ERROR_MESSAGE_MAX	2000
#define REQUEST_URL_MAX		500
#define CLEANUP_BATCH		10000

/* Binds one log row to markers base+1 .. base+13; 0/-1. */
static int
log_bind(struct db_stmt *st, int base, const struct sync_log *l, time_t now)
{
	if (db_bind_text(st, base + 1, l->operation ? l->operation : "UNKNOWN") != 0 ||
	    query_bind_id(st, base + 2, l->event_id) != 0 ||
	    query_bind_id(st, base + 3, l->alarm_id) != 0 ||
	    db_bind_text(st, base + 4, l->batch_id) != 0 ||
	    db_bind_text(st, base + 5, l->old_status && *l->old_status ?
	    l->old_status : NULL) != 0 ||
	    db_bind_text(st, base + 6, l->new_status && *l->new_status ?
	    l->new_status : NULL) != 0 ||
	    query_bind_cut(st, base + 7, l->request_url, REQUEST_URL_MAX) != 0 ||
	    db_bind_text(st, base + 8, l->request_method) != 0 ||
	    query_bind_id(st, base + 9, l->response_code) != 0 ||
	    db_bind_int64(st, base + 10, l->duration_ms) != 0 ||
	    db_bind_int64(st, base + 11, l->alarm_count) != 0 ||
	    query_bind_cut(st, base + 12, l->error, ERROR_MESSAGE_MAX) != 0 ||
	    db_bind_time(st, base + 13, now) != 0)
		return -1;
	return 0;
}

/* Writes one log row; 0/-1. */
static int
log_one(struct db_stmt *st, const struct sync_log *l, time_t now)
{
	if (log_bind(st, 0, l, now) != 0 || db_execute(st) != 0)
		return -1;
	return db_stmt_reset(st);
}

int
synclog_write(struct db *db, const struct sync_log *logs, size_t n,
    time_t now)
{
	struct db_stmt *one = NULL, *bulk = NULL;
	size_t i, k;
	int r = -1;

	for (i = 0; i < n; i++) {
		if (n - i >= DIALECT_BULK_ROWS) {
			if (bulk == NULL && (bulk = query_prepare(db,
			    SQL_LOG_INSERT_BULK, NULL)) == NULL)
				goto out;
			for (k = 0; k < DIALECT_BULK_ROWS; k++)
				if (log_bind(bulk, (int)k * 13, &logs[i + k],
				    now) != 0)
					goto out;
			if (db_execute(bulk) != 0 || db_stmt_reset(bulk) != 0)
				goto out;
			i += DIALECT_BULK_ROWS - 1;
		} else {
			if (one == NULL && (one = query_prepare(db,
			    SQL_LOG_INSERT, NULL)) == NULL)
				goto out;
			if (log_one(one, &logs[i], now) != 0)
				goto out;
		}
	}
	r = 0;
out:
	db_stmt_free(one);
	db_stmt_free(bulk);
	return r;
}

void
synclog_batch_id(time_t now, char out[32])
{
	unsigned char rnd[4] = { 0 };
	struct tm tm;
	int fd, got = 0;

	if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) != -1) {
		got = read(fd, rnd, sizeof(rnd)) == (ssize_t)sizeof(rnd);
		close(fd);
	}
	if (!got) {
		/* No urandom: time and pid still tell concurrent runs apart. */
		unsigned long x = (unsigned long)now * 2654435761UL ^
		    (unsigned long)getpid() ^ (unsigned long)clock();
		memcpy(rnd, &x, sizeof(rnd));
	}
	gmtime_r(&now, &tm);
	if (tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0 ||
	    strftime(out, 32, "%Y%m%d%H%M%S", &tm) != 14)
		memcpy(out, "00000000000000", 15);
	snprintf(out + 14, 32 - 14, "_%02x%02x%02x%02x", (unsigned)rnd[0],
	    (unsigned)rnd[1], (unsigned)rnd[2], (unsigned)rnd[3]);
}

/* Frees the members of one log row (a query_rows callback). */
static void
log_row_clear(void *v)
{
	struct sync_log_row *l = v;

	free(l->operation);
	free(l->batch_id);
	free(l->old_status);
	free(l->new_status);
	free(l->request_url);
	free(l->request_method);
	free(l->error);
	memset(l, 0, sizeof(*l));
}

void
synclog_rows_free(struct sync_log_row *v, size_t n)
{
	query_rows_free(v, n, sizeof(*v), log_row_clear);
}

/* query_rows callback of synclog_list: one LOGS_LIST row. */
static int
log_row_read(struct db_stmt *st, void *v)
{
	struct sync_log_row *l = v;

	l->log_id = query_int(st, 0);
	l->operation = query_text(st, 1);
	l->event_id = query_int(st, 2);
	l->alarm_id = query_int(st, 3);
	l->batch_id = query_text(st, 4);
	l->old_status = query_text(st, 5);
	l->new_status = query_text(st, 6);
	l->request_url = query_text(st, 7);
	l->request_method = query_text(st, 8);
	l->response_code = (long)query_int(st, 9);
	l->duration_ms = (long)query_int(st, 10);
	l->alarm_count = (long)query_int(st, 11);
	l->error = query_text(st, 12);
	l->create_time = query_time(st, 13);
	return 0;
}

int
synclog_list(struct db *db, const struct sync_log_filter *f,
    struct sync_log_row **out, size_t *outsz)
{
	struct db_stmt *st;
	char *op = NULL;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*outsz = 0;
	if (f->operation != NULL && *f->operation != '\0')
		op = str_upper(xstrdup(f->operation));
	if ((st = query_prepare(db, SQL_LOGS_LIST, NULL)) == NULL) {
		free(op);
		return -1;
	}
	rc = db_bind_text(st, 1, op) | db_bind_text(st, 2, op) |
	    query_bind_id(st, 3, f->alarm_id) | query_bind_id(st, 4, f->alarm_id) |
	    query_bind_id(st, 5, f->event_id) | query_bind_id(st, 6, f->event_id) |
	    db_bind_int64(st, 7, f->errors_only ? 1 : 0) |
	    db_bind_time(st, 8, f->since) | db_bind_time(st, 9, f->since) |
	    db_bind_time(st, 10, f->until) | db_bind_time(st, 11, f->until) |
	    query_bind_page(db, st, 12, f->limit ? f->limit : 100, f->offset);
	free(op);
	if (rc != 0 || db_execute(st) != 0) {
		db_stmt_free(st);
		return -1;
	}
	rc = query_rows(st, out, outsz, &cap, sizeof(**out), log_row_read,
	    log_row_clear);
	db_stmt_free(st);
	return rc;
}

/*
 * Deletes rows older than before in batches: ids picks at most batch of
 * the oldest ids, del removes the rows between the lowest and the highest
 * of them still older than before, one transaction per batch.  Adds
 * deleted rows to *done.  0/-1.
 */
static int
cleanup_table(struct db *db, enum sql_id ids, enum sql_id del, time_t before,
    size_t batch, long long *done)
{
	struct db_stmt *sel = NULL, *rm = NULL;
	int64_t id, first, last;
	size_t n;
	long long k;
	int rc, r = -1;
	size_t rounds;

	if ((sel = query_prepare(db, ids, NULL)) == NULL ||
	    (rm = query_prepare(db, del, NULL)) == NULL)
		goto out;
	/* Bounded: every round deletes rows or ends the loop. */
	for (rounds = 0; rounds < 10000000; rounds++) {
		if (db_bind_time(sel, 1, before) != 0 ||
		    db_bind_int64(sel, 2, (int64_t)batch) != 0 ||
		    db_execute(sel) != 0)
			goto out;
		n = 0;
		first = last = 0;
		while ((rc = db_fetch(sel)) == 1) {
			if (db_col_int64(sel, 0, &id) != 0)
				continue;
			if (n == 0 || id < first)
				first = id;
			if (n == 0 || id > last)
				last = id;
			n++;
		}
		db_stmt_reset(sel);
		if (rc < 0)
			goto out;
		if (n == 0)
			break;
		if (db_begin(db) != 0)
			goto out;
		if (db_bind_int64(rm, 1, first) != 0 ||
		    db_bind_int64(rm, 2, last) != 0 ||
		    db_bind_time(rm, 3, before) != 0 || db_execute(rm) != 0) {
			db_rollback(db);
			goto out;
		}
		k = db_rowcount(rm);
		db_stmt_reset(rm);
		if (db_commit(db) != 0)
			goto out;
		if (k > 0)
			*done += k;
		if (n < batch || k <= 0)
			break;
	}
	r = 0;
out:
	db_stmt_free(sel);
	db_stmt_free(rm);
	return r;
}

int
synclog_cleanup(struct db *db, time_t before, size_t batch, int dry_run,
    struct cleanup_result *res)
{
	memset(res, 0, sizeof(*res));
	if (batch == 0)
		batch = CLEANUP_BATCH;
	if (dry_run) {
		if (query_count(db, SQL_CLEANUP_COUNT_LOG, NULL, 1, before,
		    &res->log_rows) != 0 ||
		    query_count(db, SQL_CLEANUP_COUNT_STATUS, NULL, 1, before,
		    &res->status_rows) != 0)
			return -1;
		return 0;
	}
	if (cleanup_table(db, SQL_CLEANUP_LOG_IDS, SQL_CLEANUP_LOG_DELETE,
	    before, batch, &res->log_rows) != 0)
		return -1;
	return cleanup_table(db, SQL_CLEANUP_STATUS_IDS,
	    SQL_CLEANUP_STATUS_DELETE, before, batch, &res->status_rows);
}
