/*
 * test_lease: the lease of NM_ALARM_SYNC_LEASE (lease.c) against a real
 * SQLite file through the sqliteodbc driver, with two connections
 * standing for two hosts: first take, renewal, standby, takeover after
 * expiry (epoch + 1 only when the holder changes), the fence of the
 * bookkeeping transaction and the check before pushes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "dbstmt.h"
#include "dialect.h"
#include "lease.h"
#include "syncstate.h"
#include "util.h"
#include "t.h"

static char dbpath[64];
static char *connstr;
static struct config ca, cb;	/* two instances */
static struct db *da, *db2;	/* their connections */

static void
conf_init(struct config *c, const char *id, int seconds)
{
	memset(c, 0, sizeof(*c));
	c->db_connection = connstr;
	c->db_dsn = "";
	c->db_username = "";
	c->db_password = "";
	c->db_dialect = "auto";
	c->db_timezone = "UTC";
	c->db_charset = "";
	c->db_timeout = 10;
	c->db_host = "";
	c->db_service_name = "";
	c->db_driver = "";
	c->zmc_source = "NM_ALARM_SYNC_SOURCE";
	c->sync_instance_id = (char *)id;
	c->sync_lease_seconds = seconds;
}

static long long
count(struct db *d, const char *sql)
{
	struct db_stmt *st = db_prepare(d, sql);
	int64_t v = -1;

	if (st != NULL && db_execute(st) == 0 && db_fetch(st) == 1)
		db_col_int64(st, 0, &v);
	db_stmt_free(st);
	return v;
}

static int
setup(void)
{
	char *err = NULL, *s, **v;
	size_t n, i;

	if ((da = db_open(&ca, &err)) == NULL || (db2 = db_open(&cb, &err)) == NULL) {
		fprintf(stderr, "db_open: %s\n", err);
		free(err);
		return -1;
	}
	s = dialect_init_script(DIALECT_SQLITE, 0);
	v = dialect_split_script(DIALECT_SQLITE, s, &n);
	for (i = 0; i < n; i++)
		if (db_exec(da, v[i]) != 0) {
			fprintf(stderr, "init: %s\n", db_error(da));
			break;
		}
	strv_free(v, n);
	free(s);
	return i == n ? 0 : -1;
}

/* Makes the lease expire now, as if its holder had stopped renewing it. */
static void
expire(void)
{
	CHECK(db_exec(da, "UPDATE NM_ALARM_SYNC_LEASE SET EXPIRES_AT = "
	    "datetime('now', '-5 seconds')") == 0);
}

TEST(take_renew_standby)
{
	struct lease_guard ga, gb;
	struct lease l = { 0 };
	time_t t0 = time(NULL);

	/* No row yet: the first run inserts it. */
	CHECK_INT(lease_read(da, &l), 1);
	CHECK(l.holder == NULL);
	CHECK_INT(lease_take(&ga, da, &ca), 1);
	CHECK_INT(ga.epoch, 1);
	CHECK_STR(ga.row.holder, "host-a");
	CHECK(!ga.row.expired);
	/* EXPIRES_AT is UTC from the database's clock: now + lease_seconds */
	CHECK(ga.row.expires >= t0 + 30 - 2 && ga.row.expires <= time(NULL) + 30 + 1);
	CHECK(ga.row.acquired >= t0 - 1 && ga.row.acquired <= time(NULL) + 1);
	lease_guard_free(&ga);

	/* Another instance stands by and learns who holds it. */
	CHECK_INT(lease_take(&gb, db2, &cb), 0);
	CHECK_STR(gb.row.holder, "host-a");
	CHECK_INT(gb.row.epoch, 1);
	lease_guard_free(&gb);

	/* The holder renews: same epoch, nothing else changes hands. */
	CHECK_INT(lease_take(&ga, da, &ca), 1);
	CHECK_INT(ga.epoch, 1);
	lease_guard_free(&ga);
	CHECK_INT(count(da, "SELECT COUNT(*) FROM NM_ALARM_SYNC_LEASE"), 1);
	CHECK_INT(lease_read(db2, &l), 0);
	CHECK_STR(l.holder, "host-a");
	lease_clear(&l);
}

TEST(takeover_after_expiry)
{
	struct lease_guard ga, gb;
	struct lease l = { 0 };

	expire();
	CHECK_INT(lease_read(db2, &l), 0);
	CHECK(l.expired);
	lease_clear(&l);
	CHECK_INT(lease_take(&gb, db2, &cb), 1);
	CHECK_INT(gb.epoch, 2);
	CHECK_STR(gb.row.holder, "host-b");
	lease_guard_free(&gb);
	CHECK_INT(lease_take(&ga, da, &ca), 0);
	CHECK_STR(ga.row.holder, "host-b");
	lease_guard_free(&ga);

	/* The holder's own expired lease: renewed, the epoch stays. */
	expire();
	CHECK_INT(lease_take(&gb, db2, &cb), 1);
	CHECK_INT(gb.epoch, 2);
	lease_guard_free(&gb);
}

/* A status row and a log row for alarm id, as a batch writes them. */
static int
apply(struct db *d, int64_t id)
{
	struct sync_update up;
	struct sync_log lg;

	memset(&up, 0, sizeof(up));
	up.alarm_id = id;
	up.status = SS_FIRING;
	up.zmc_state = 'U';
	up.last_push = time(NULL);
	up.event_time = time(NULL);
	up.labels = "{}";
	up.pushed = 1;
	memset(&lg, 0, sizeof(lg));
	lg.operation = "PUSH_FIRING";
	lg.alarm_id = id;
	lg.batch_id = "20260101000000_00000000";
	lg.new_status = "FIRING";
	return syncstate_apply(d, &up, 1, &lg, 1);
}

TEST(fence)
{
	struct lease_guard ga, gb, stale;

	/* b holds (epoch 2); a stalls with its old epoch 1 */
	CHECK_INT(lease_take(&gb, db2, &cb), 1);
	memset(&stale, 0, sizeof(stale));
	stale.db = da;
	stale.me = "host-a";
	stale.seconds = 30;
	stale.epoch = 1;

	syncstate_set_fence(lease_fence, &stale);
	CHECK_INT(apply(da, 501), -1);
	CHECK(stale.lost);
	CHECK(strstr(db_error(da), "lease: taken over") != NULL);
	CHECK(strstr(db_error(da), "host-b") != NULL);
	CHECK_INT(count(da, "SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID = 501"), 0);
	CHECK_INT(count(da, "SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG WHERE ALARM_INST_ID = 501"), 0);

	/* The same instance name with the right epoch is the holder: written. */
	syncstate_set_fence(lease_fence, &gb);
	CHECK_INT(apply(db2, 502), 0);
	CHECK(!gb.lost);
	CHECK_INT(count(da, "SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID = 502"), 1);

	/* a's epoch is gone even after it takes the lease back: only the new one passes. */
	expire();
	CHECK_INT(lease_take(&ga, da, &ca), 1);
	CHECK_INT(ga.epoch, 3);
	stale.lost = 0;
	syncstate_set_fence(lease_fence, &stale);
	CHECK_INT(apply(da, 503), -1);
	CHECK(stale.lost);
	syncstate_set_fence(lease_fence, &gb);
	CHECK_INT(apply(db2, 504), -1);
	CHECK(gb.lost);
	syncstate_set_fence(lease_fence, &ga);
	CHECK_INT(apply(da, 505), 0);
	CHECK_INT(count(da, "SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID IN (503, 504, 505)"), 1);
	syncstate_set_fence(NULL, NULL);
	CHECK_INT(apply(db2, 506), 0);	/* no fence set: no check */
	lease_guard_free(&ga);
	lease_guard_free(&gb);
}

TEST(check_before_push)
{
	struct lease_guard ga;
	struct lease l = { 0 };
	time_t before;

	CHECK_INT(lease_take(&ga, da, &ca), 1);
	CHECK_INT(lease_read(da, &l), 0);
	before = l.expires;
	lease_clear(&l);
	/* Still ours and unexpired: renewed. */
	sleep(1);
	CHECK_INT(lease_check(&ga), 0);
	CHECK(!ga.lost);
	CHECK_INT(lease_read(da, &l), 0);
	CHECK(l.expires > before);
	lease_clear(&l);
	/* Expired, even with nobody else there: no more pushes this run. */
	expire();
	CHECK_INT(lease_check(&ga), -1);
	CHECK(ga.lost);
	lease_guard_free(&ga);
}

/* The database's clock, for real: a lease of one second runs out. */
TEST(real_expiry)
{
	struct config a1 = ca, b1 = cb;
	struct lease_guard ga, gb;

	a1.sync_lease_seconds = 1;
	b1.sync_lease_seconds = 1;
	CHECK_INT(lease_take(&ga, da, &a1), 1);
	lease_guard_free(&ga);
	CHECK_INT(lease_take(&gb, db2, &b1), 0);
	lease_guard_free(&gb);
	sleep(2);
	usleep(300 * 1000);
	CHECK_INT(lease_take(&gb, db2, &b1), 1);
	CHECK_STR(gb.row.holder, "host-b");
	lease_guard_free(&gb);
}

TEST(no_table)
{
	struct lease_guard ga;

	CHECK(db_exec(da, "DROP TABLE NM_ALARM_SYNC_LEASE") == 0);
	CHECK_INT(lease_take(&ga, da, &ca), -1);
	CHECK(strstr(db_error(da), "NM_ALARM_SYNC_LEASE") != NULL);
	lease_guard_free(&ga);
}

int
main(void)
{
	char tb[32];
	int fd;

	snprintf(dbpath, sizeof(dbpath), "/tmp/test_lease_XXXXXX");
	if ((fd = mkstemp(dbpath)) == -1) {
		perror("mkstemp");
		return 1;
	}
	close(fd);
	connstr = xasprintf("Driver=SQLite3;Database=%s;Timeout=5000;StepAPI=1", dbpath);
	conf_init(&ca, "host-a", 30);
	conf_init(&cb, "host-b", 30);
	if (setup() != 0) {
		unlink(dbpath);
		printf("0 passed, 1 failed\n");
		return 1;
	}
	CHECK_STR(lease_time(0, tb), "-");
	CHECK_STR(lease_time(1767225600, tb), "2026-01-01 00:00:00Z");
	RUN(take_renew_standby);
	RUN(takeover_after_expiry);
	RUN(fence);
	RUN(check_before_push);
	RUN(real_expiry);
	RUN(no_table);
	db_close(da);
	db_close(db2);
	free(connstr);
	unlink(dbpath);
	return DONE();
}
