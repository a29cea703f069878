/*
 * lease: the lease row of NM_ALARM_SYNC_LEASE (see lease.h).
 *
 * Why one conditional UPDATE: taking a free or expired lease and
 * renewing our own are the same statement, and the database serialises
 * concurrent UPDATEs of one row, so of several instances starting
 * together exactly one sees its row count 1.  The row is inserted by the
 * first run (a concurrent insert fails on the primary key; the loser
 * tries the UPDATE again and stands by).
 *
 * Fencing: after the acquire, the run carries the epoch it read.  Each
 * batch checks the lease before its pushes (lease_check, which also
 * requires it unexpired), and each bookkeeping transaction starts with
 * the fence (lease_fence: holder and epoch only).  The fence's UPDATE
 * locks the row until the transaction ends, so a takeover is ordered
 * either before the fence (which then fails: nothing is written) or
 * after the commit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "db.h"
#include "dbstmt.h"
#include "dialect.h"
#include "lease.h"
#include "log.h"
#include "query.h"
#include "util.h"

/* Parses a UTC "YYYY-MM-DD HH:MM:SS" (or with T, fraction); 0 when unreadable. */
static time_t
utc_col(struct db_stmt *st, int col)
{
	const char *s = db_col_text(st, col);
	struct tm tm;
	int y, mo, d, h, mi, se;

	if (s == NULL || sscanf(s, "%d-%d-%d%*c%d:%d:%d", &y, &mo, &d, &h,
	    &mi, &se) != 6)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	return timegm(&tm);
}

char *
lease_time(time_t t, char out[32])
{
	struct tm tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%d %H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "-");
	return out;
}

void
lease_clear(struct lease *l)
{
	free(l->holder);
	memset(l, 0, sizeof(*l));
}

int
lease_read(struct db *db, struct lease *l)
{
	struct db_stmt *st;
	int64_t x;
	int rc;

	lease_clear(l);
	if ((st = query_prepare(db, SQL_LEASE_GET, NULL)) == NULL)
		return -1;
	if (db_bind_text(st, 1, LEASE_NAME) != 0 || db_execute(st) != 0) {
		db_stmt_free(st);
		return -1;
	}
	if ((rc = db_fetch(st)) == 1) {
		l->holder = xstrdup(db_col_text(st, 0));
		if (l->holder == NULL)
			l->holder = xstrdup("");
		if (db_col_int64(st, 1, &x) == 0)
			l->epoch = x;
		l->expires = utc_col(st, 2);
		l->acquired = utc_col(st, 3);
		l->renewed = utc_col(st, 4);
		l->expired = db_col_int64(st, 5, &x) == 0 && x != 0;
		rc = 0;
	} else if (rc == 0)
		rc = 1;
	db_stmt_free(st);
	return rc;
}

/* Runs the acquire UPDATE; its row count (0 or 1), or -1. */
static long long
acquire(struct lease_guard *g)
{
	struct db_stmt *st;
	long long n = -1;

	if ((st = query_prepare(g->db, SQL_LEASE_ACQUIRE, NULL)) == NULL)
		return -1;
	if (db_bind_text(st, 1, g->me) == 0 && db_bind_text(st, 2, g->me) == 0 &&
	    db_bind_text(st, 3, g->me) == 0 && db_bind_int64(st, 4, g->seconds) == 0 &&
	    db_bind_text(st, 5, LEASE_NAME) == 0 && db_bind_text(st, 6, g->me) == 0 &&
	    db_execute(st) == 0)
		n = db_rowcount(st);
	db_stmt_free(st);
	return n;
}

/* Inserts the lease row held by us; 0/-1 (another instance may have won). */
static int
insert(struct lease_guard *g)
{
	struct db_stmt *st;
	int rc = -1;

	if ((st = query_prepare(g->db, SQL_LEASE_INSERT, NULL)) == NULL)
		return -1;
	if (db_bind_text(st, 1, LEASE_NAME) == 0 && db_bind_text(st, 2, g->me) == 0 &&
	    db_bind_int64(st, 3, g->seconds) == 0 && db_execute(st) == 0)
		rc = 0;
	db_stmt_free(st);
	return rc;
}

int
lease_take(struct lease_guard *g, struct db *db, const struct config *c)
{
	long long n;
	int attempt, r;

	memset(g, 0, sizeof(*g));
	g->db = db;
	g->me = c->sync_instance_id;
	g->seconds = c->sync_lease_seconds;
	for (attempt = 0; attempt < 2; attempt++) {
		if ((n = acquire(g)) < 0)
			return -1;
		if ((r = lease_read(db, &g->row)) < 0)
			return -1;
		if (r == 1) {
			/* No row yet: the first run creates it; a lost race retries. */
			if (insert(g) != 0 && attempt == 1)
				return -1;
			continue;
		}
		if (n > 0 && strcmp(g->row.holder, g->me) == 0) {
			g->epoch = g->row.epoch;
			return 1;
		}
		if (n == 0)
			return 0;
		/* Taken in between (only with a lease of a second or so). */
		return 0;
	}
	/* The insert above succeeded (or lost a race): read who holds it. */
	if (lease_read(db, &g->row) != 0) {
		if (g->row.holder == NULL)
			db_set_error(db, "lease: no row in NM_ALARM_SYNC_LEASE after insert");
		return -1;
	}
	if (strcmp(g->row.holder, g->me) == 0) {
		g->epoch = g->row.epoch;
		return 1;
	}
	return 0;
}

void
lease_guard_free(struct lease_guard *g)
{
	lease_clear(&g->row);
}

/* Renews with statement id (FENCE or CHECK) if still ours; its row count, or -1. */
static long long
renew(struct lease_guard *g, struct db *db, enum sql_id id)
{
	struct db_stmt *st;
	long long n = -1;

	if ((st = query_prepare(db, id, NULL)) == NULL)
		return -1;
	if (db_bind_int64(st, 1, g->seconds) == 0 &&
	    db_bind_text(st, 2, LEASE_NAME) == 0 && db_bind_text(st, 3, g->me) == 0 &&
	    db_bind_int64(st, 4, g->epoch) == 0 && db_execute(st) == 0)
		n = db_rowcount(st);
	db_stmt_free(st);
	return n;
}

/* "held by X (epoch N) until T" of the row as it is now; caller frees. */
static char *
now_held(struct db *db)
{
	struct lease l = { 0 };
	char tb[32], *s;

	if (lease_read(db, &l) != 0)
		s = xstrdup("gone");
	else if (l.expired)
		s = xasprintf("expired (last holder %s, epoch %lld)", l.holder,
		    (long long)l.epoch);
	else
		s = xasprintf("held by %s (epoch %lld) until %s", l.holder,
		    (long long)l.epoch, lease_time(l.expires, tb));
	lease_clear(&l);
	return s;
}

int
lease_check(struct lease_guard *g)
{
	long long n;
	char *who;

	if ((n = renew(g, g->db, SQL_LEASE_CHECK)) < 0) {
		log_error("database: renewing the lease: %s", db_error(g->db));
		return -1;
	}
	if (n > 0)
		return 0;
	g->lost = 1;
	who = now_held(g->db);
	log_warn("lease: this instance's lease (epoch %lld) ran out during the "
	    "run and is now %s; stopped before pushing, the rest is left to "
	    "the holder", (long long)g->epoch, who);
	free(who);
	return -1;
}

int
lease_fence(struct db *db, void *arg)
{
	struct lease_guard *g = arg;
	long long n;
	char *who;

	if ((n = renew(g, db, SQL_LEASE_FENCE)) < 0)
		return -1;
	if (n > 0)
		return 0;
	g->lost = 1;
	who = now_held(db);
	db_set_error(db, "lease: taken over while this run stalled (now %s; "
	    "ours was epoch %lld): this batch's bookkeeping is rolled back "
	    "and the run stops", who, (long long)g->epoch);
	free(who);
	return -1;
}
