/*
 * test_syncstate: the view reader and the bookkeeping tables against a
 * real SQLite file through the sqliteodbc driver, with the demo alarms
 * of sql/sqlite/ and database.timezone Asia/Shanghai.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "dbstmt.h"
#include "dialect.h"
#include "log.h"
#include "merge.h"
#include "query.h"
#include "source.h"
#include "syncconf.h"
#include "synclog.h"
#include "syncmap.h"
#include "syncprobe.h"
#include "syncstate.h"
#include "util.h"
#include "t.h"

static char dbpath[64];
static char *connstr;
static struct config conf;
static struct db *db;
static time_t now;

static void
conf_init(void)
{
	memset(&conf, 0, sizeof(conf));
	conf.db_connection = connstr;
	conf.db_dsn = "";
	conf.db_username = "";
	conf.db_password = "";
	conf.db_dialect = "auto";
	conf.db_timezone = "Asia/Shanghai";
	conf.db_charset = "";
	conf.db_timeout = 10;
	conf.db_host = "";
	conf.db_service_name = "";
	conf.db_driver = "";
	conf.zmc_source = "NM_ALARM_SYNC_SOURCE";
}

static long long
count(const char *sql)
{
	struct db_stmt *st = db_prepare(db, sql);
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

	conf_init();
	if ((db = db_open(&conf, &err)) == NULL) {
		fprintf(stderr, "db_open: %s\n", err);
		free(err);
		return -1;
	}
	s = dialect_init_script(DIALECT_SQLITE, 1);
	v = dialect_split_script(DIALECT_SQLITE, s, &n);
	for (i = 0; i < n; i++)
		if (db_exec(db, v[i]) != 0) {
			fprintf(stderr, "init: %s\n", db_error(db));
			break;
		}
	strv_free(v, n);
	free(s);
	return i == n ? 0 : -1;
}

/* Reads the view through the run's merge in batches of limit; returns the number of view rows. */
static size_t
read_all(size_t limit, int64_t *ids, size_t idcap, size_t *pages)
{
	struct merge *m = merge_new(db, &conf, limit, limit);
	const struct pair *pv;
	size_t total = 0, i, n;
	int rc;

	*pages = 0;
	while ((rc = merge_next(m, &pv, &n)) == 1 && *pages < 100) {
		(*pages)++;
		CHECK(n <= limit);
		for (i = 0; i < n; i++) {
			if (pv[i].row == NULL)
				continue;
			if (total < idcap)
				ids[total] = pv[i].row->alarm_id;
			total++;
		}
	}
	if (rc < 0)
		fprintf(stderr, "merge_next: %s\n", db_error(db));
	merge_free(m);
	return total;
}

TEST(source_paging)
{
	int64_t ids[64];
	size_t n, pages, i;

	/* 22 U alarms, pages of 5: 5 batches, the last one short */
	n = read_all(5, ids, 64, &pages);
	CHECK_INT(n, 22);
	CHECK_INT(pages, 5);
	for (i = 1; i < n && i < 64; i++)
		CHECK(ids[i] > ids[i - 1]);
	/* an exact multiple: the third page is empty and gives no batch */
	n = read_all(11, ids, 64, &pages);
	CHECK_INT(n, 22);
	CHECK_INT(pages, 2);
	n = read_all(1000, ids, 64, &pages);
	CHECK_INT(n, 22);
	CHECK_INT(pages, 1);
}

/* The first batch of the merge over conf's view, in pages of limit, as a page. */
static int
first_batch(size_t limit, struct merge **mp, struct source_page *p)
{
	const struct pair *pv;
	size_t n, i;
	int rc;

	memset(p, 0, sizeof(*p));
	*mp = merge_new(db, &conf, limit, limit);
	if ((rc = merge_next(*mp, &pv, &n)) != 1)
		return rc == 0 ? 0 : -1;
	/* a shallow view of the rows: freed by merge_free, not source_page_free */
	p->rows = xcalloc(n + 1, sizeof(*p->rows));
	for (i = 0; i < n; i++)
		if (pv[i].row != NULL)
			p->rows[p->rowsz++] = *pv[i].row;
	if (p->rowsz > 0) {
		p->names = (char **)p->rows[0].names;
		p->ncols = p->rows[0].ncols;
	}
	return 0;
}

static void
first_batch_free(struct merge *m, struct source_page *p)
{
	free(p->rows);
	merge_free(m);
	memset(p, 0, sizeof(*p));
}

TEST(source_fields)
{
	struct source_page p;
	struct merge *m;
	const struct zmc_row *r = NULL;
	size_t i;

	CHECK_INT(first_batch(100, &m, &p), 0);
	CHECK(p.ncols >= 20);
	CHECK_STR(p.names[0], "ALARM_INST_ID");
	for (i = 0; i < p.rowsz; i++) {
		CHECK(p.rows[i].state == 'U');
		CHECK(p.rows[i].level >= 1 && p.rows[i].level <= 4);
		/* demo events are at most a few hours old; the zone round trip holds */
		CHECK(p.rows[i].event_time > now - 8 * 3600);
		CHECK(p.rows[i].event_time <= now + 60);
		CHECK(p.rows[i].create_date != 0);
		CHECK(p.rows[i].state_time == 0);	/* NULL for U */
		CHECK(p.rows[i].event_id != 0);
		if (p.rows[i].alarm_code != NULL && strcmp(p.rows[i].alarm_code, "10004") == 0)
			r = &p.rows[i];
	}
	CHECK(r != NULL);
	if (r != NULL) {
		CHECK_STR(r->alarm_name, "数据库连接池耗尽");
		CHECK_STR(r->fault_reason, "慢SQL或连接未释放");
		CHECK(r->host_ip != NULL && strncmp(r->host_ip, "10.", 3) == 0);
		CHECK(r->environment != NULL);
		CHECK(r->clear_reason == NULL);
		CHECK_STR(zmc_row_field(r, "alarm_name"), "数据库连接池耗尽");
		CHECK_STR(zmc_row_field(r, "ALARM_CODE"), "10004");
		CHECK(zmc_row_field(r, "NO_SUCH_COLUMN") == NULL);
		CHECK(zmc_row_field(r, "CLEAR_REASON") == NULL);
	}
	first_batch_free(m, &p);
}

/* A bad value in one row is cleared and warned about; the alarm stays. */
TEST(source_bad_values)
{
	struct source_page p;
	struct merge *m;
	size_t i;
	int found = 0;

	CHECK_INT(db_exec(db, "CREATE VIEW BAD_SOURCE AS SELECT ALARM_INST_ID, "
	    "ALARM_STATE, 'x9' AS ALARM_LEVEL, 'yesterday' AS EVENT_TIME, "
	    "'12abc' AS EVENT_INST_ID, ALARM_NAME, 'extra' AS MY_COLUMN "
	    "FROM NM_ALARM_SYNC_SOURCE"), 0);
	conf.zmc_source = "BAD_SOURCE";
	CHECK_INT(first_batch(2, &m, &p), 0);
	CHECK_INT(p.rowsz, 2);
	for (i = 0; i < p.rowsz; i++) {
		CHECK(p.rows[i].alarm_id > 0);
		CHECK_INT(p.rows[i].level, -1);
		CHECK_INT(p.rows[i].event_time, 0);
		CHECK_INT(p.rows[i].event_id, 0);
		CHECK(p.rows[i].alarm_name != NULL);
		if (zmc_row_field(&p.rows[i], "my_column") != NULL)
			found++;
	}
	CHECK_INT(found, 2);
	first_batch_free(m, &p);
	conf.zmc_source = "BAD SOURCE;";
	CHECK(first_batch(100, &m, &p) != 0);
	CHECK(strstr(db_error(db), "not a valid view name") != NULL);
	first_batch_free(m, &p);
	/* a view without a column a run needs fails before anything is decided */
	CHECK_INT(db_exec(db, "CREATE VIEW NOLEVEL_SOURCE AS SELECT ALARM_INST_ID, "
	    "ALARM_STATE, ALARM_NAME FROM NM_ALARM_SYNC_SOURCE"), 0);
	conf.zmc_source = "NOLEVEL_SOURCE";
	CHECK(first_batch(100, &m, &p) != 0);
	CHECK(strstr(db_error(db), "no ALARM_LEVEL column") != NULL);
	first_batch_free(m, &p);
	conf.zmc_source = "NM_ALARM_SYNC_SOURCE";
}

/* Alarm ids of the demo in a given state. */
static int64_t
alarm_in_state(char state, int nth)
{
	char *sql = xasprintf("SELECT ALARM_INST_ID FROM NM_ALARM_SYNC_SOURCE "
	    "WHERE ALARM_STATE = '%c' ORDER BY ALARM_INST_ID LIMIT 1 OFFSET %d",
	    state, nth);
	long long v = count(sql);

	free(sql);
	return v;
}

/* The status row the run's merge pairs with alarm (deep copy): 1 found, 0 not, -1 error. */
static int
find_status(int64_t alarm, struct sync_row *out)
{
	struct merge *m = merge_new(db, &conf, 7, 7);
	const struct pair *pv;
	size_t i, n;
	int rc, found = 0;

	memset(out, 0, sizeof(*out));
	while ((rc = merge_next(m, &pv, &n)) == 1)
		for (i = 0; i < n; i++)
			if (pv[i].sync != NULL && pv[i].sync->alarm_id == alarm) {
				*out = *pv[i].sync;
				out->silence_id = xstrdup(out->silence_id);
				out->labels = xstrdup(out->labels);
				out->last_error = xstrdup(out->last_error);
				found++;
			}
	merge_free(m);
	if (rc < 0)
		return -1;
	return found;
}

TEST(apply_and_read_back)
{
	int64_t u1 = alarm_in_state('U', 0), u2 = alarm_in_state('U', 1);
	int64_t a1 = alarm_in_state('A', 0);
	struct sync_update up[3];
	struct sync_log lg[2];
	struct sync_row r;
	char bid[32];

	CHECK(u1 > 0 && u2 > 0 && a1 > 0);
	synclog_batch_id(now, bid);
	CHECK_INT(strlen(bid), 23);
	CHECK(bid[14] == '_');
	memset(up, 0, sizeof(up));
	up[0].alarm_id = u1;
	up[0].status = SS_FIRING;
	up[0].event_id = 700001;
	up[0].zmc_state = 'U';
	up[0].last_push = now;
	up[0].event_time = now - 600;
	up[0].labels = "{\"alertname\":\"数据库连接池耗尽\",\"alarm_id\":\"1\"}";
	up[0].pushed = 1;
	up[1] = up[0];
	up[1].alarm_id = u2;
	up[2] = up[0];
	up[2].alarm_id = a1;	/* tracked although not U: the view must show it */
	up[2].zmc_state = 'A';
	memset(lg, 0, sizeof(lg));
	lg[0].operation = "PUSH_FIRING";
	lg[0].alarm_id = u1;
	lg[0].event_id = 700001;
	lg[0].batch_id = bid;
	lg[0].new_status = "FIRING";
	lg[0].request_url = "http://127.0.0.1:9093/api/v2/alerts";
	lg[0].request_method = "POST";
	lg[0].response_code = 200;
	lg[0].duration_ms = 12;
	lg[0].alarm_count = 1;
	lg[1] = lg[0];
	lg[1].operation = "HEARTBEAT";
	lg[1].alarm_id = 0;
	lg[1].event_id = 0;
	lg[1].response_code = 0;
	lg[1].error = "alertmanager http://127.0.0.1:9093: connection refused";
	CHECK_INT(syncstate_apply(db, up, 3, lg, 2), 0);
	CHECK_INT(count("SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS"), 3);
	CHECK_INT(count("SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG"), 2);
	CHECK_INT(count("SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG WHERE ALARM_INST_ID IS NULL "
	    "AND RESPONSE_CODE IS NULL AND ERROR_MESSAGE LIKE '%refused'"), 1);

	CHECK_INT(find_status(u1, &r), 1);
	CHECK(r.status == SS_FIRING);
	CHECK_INT(r.event_id, 700001);
	CHECK(r.zmc_state == 'U');
	CHECK_INT(r.last_push, now);
	CHECK_INT(r.event_time, now - 600);
	CHECK_STR(r.labels, up[0].labels);
	CHECK_INT(r.push_count, 1);
	CHECK_INT(r.error_count, 0);
	CHECK(r.silence_id == NULL);
	/* stamped by syncstate_apply's own clock, which may be a second on */
	CHECK(r.update_time >= now && r.update_time <= now + 2);
	sync_row_clear(&r);
	/* stored as Shanghai wall clock */
	{
		char want[32], *sql;
		tz_from_utc("Asia/Shanghai", now, want);
		sql = xasprintf("SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE "
		    "LAST_PUSH_TIME = '%s'", want);
		CHECK_INT(count(sql), 3);
		free(sql);
	}
	/* the A alarm is read with the U ones while tracked */
	{
		struct merge *m = merge_new(db, &conf, 100, 100);
		const struct pair *pv;
		size_t i, n, rows = 0;
		int seen = 0;
		while (merge_next(m, &pv, &n) == 1)
			for (i = 0; i < n; i++) {
				rows += pv[i].row != NULL;
				if (pv[i].row != NULL && pv[i].row->alarm_id == a1) {
					seen = 1;
					CHECK(pv[i].row->state == 'A');
					CHECK(pv[i].row->state_time != 0);
					CHECK(pv[i].sync != NULL);
				}
			}
		CHECK_INT(rows, 23);
		CHECK(seen);
		merge_free(m);
	}

	/* silence, then resolve: RESOLVED rows of non-U alarms leave the status pages */
	memset(up, 0, sizeof(up));
	up[0].alarm_id = a1;
	up[0].exists = 1;
	up[0].status = SS_SILENCED;
	up[0].zmc_state = 'M';
	up[0].silence_id = "5b3c-silence";
	up[0].silence_end = now + 86400;
	CHECK_INT(syncstate_apply(db, up, 1, NULL, 0), 0);
	CHECK_INT(find_status(a1, &r), 1);
	CHECK(r.status == SS_SILENCED);
	CHECK_STR(r.silence_id, "5b3c-silence");
	CHECK_INT(r.silence_end, now + 86400);
	CHECK_INT(r.last_push, now);	/* 0 kept the old value */
	CHECK_STR(r.labels, "{\"alertname\":\"数据库连接池耗尽\",\"alarm_id\":\"1\"}");
	CHECK_INT(r.event_id, 700001);
	sync_row_clear(&r);
	up[0].status = SS_RESOLVED;
	up[0].silence_id = NULL;
	up[0].silence_end = 0;
	CHECK_INT(syncstate_apply(db, up, 1, NULL, 0), 0);
	CHECK_INT(find_status(a1, &r), 0);
	/* but a RESOLVED row of an alarm that is U again is read */
	up[0].alarm_id = u2;
	CHECK_INT(syncstate_apply(db, up, 1, NULL, 0), 0);
	CHECK_INT(find_status(u2, &r), 1);
	CHECK(r.status == SS_RESOLVED);
	CHECK(r.silence_id == NULL);
	sync_row_clear(&r);
}

TEST(apply_failures)
{
	int64_t u3 = alarm_in_state('U', 2), u1 = alarm_in_state('U', 0);
	struct sync_update up[2];
	struct sync_log lg;
	struct sync_row r;
	long long logs = count("SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG");

	/* a failed first push: PENDING with the error */
	memset(up, 0, sizeof(up));
	up[0].alarm_id = u3;
	up[0].failed = 1;
	up[0].status = SS_FIRING;
	up[0].event_id = 5;
	up[0].zmc_state = 'U';
	up[0].error = "alertmanager: 503 service unavailable";
	CHECK_INT(syncstate_apply(db, up, 1, NULL, 0), 0);
	CHECK_INT(find_status(u3, &r), 1);
	CHECK(r.status == SS_PENDING);
	CHECK_INT(r.error_count, 1);
	CHECK_STR(r.last_error, "alertmanager: 503 service unavailable");
	CHECK_INT(r.push_count, 0);
	sync_row_clear(&r);
	/* failing again bumps the count and keeps the status */
	up[0].exists = 1;
	up[0].error = "超时";
	CHECK_INT(syncstate_apply(db, up, 1, NULL, 0), 0);
	CHECK_INT(find_status(u3, &r), 1);
	CHECK(r.status == SS_PENDING);
	CHECK_INT(r.error_count, 2);
	CHECK_STR(r.last_error, "超时");
	sync_row_clear(&r);
	/* success clears the error */
	up[0].failed = 0;
	up[0].error = NULL;
	up[0].pushed = 1;
	up[0].last_push = now;
	CHECK_INT(syncstate_apply(db, up, 1, NULL, 0), 0);
	CHECK_INT(find_status(u3, &r), 1);
	CHECK(r.status == SS_FIRING);
	CHECK_INT(r.error_count, 0);
	CHECK(r.last_error == NULL);
	CHECK_INT(r.push_count, 1);
	sync_row_clear(&r);

	/* rollback: the second write violates ALARM_INST_ID's uniqueness */
	memset(up, 0, sizeof(up));
	up[0].alarm_id = u3;
	up[0].exists = 1;
	up[0].status = SS_RESOLVED;
	up[1].alarm_id = u1;
	up[1].exists = 0;	/* wrong: the row exists */
	up[1].status = SS_FIRING;
	memset(&lg, 0, sizeof(lg));
	lg.operation = "PUSH_RESOLVED";
	lg.alarm_id = u3;
	CHECK(syncstate_apply(db, up, 2, &lg, 1) != 0);
	CHECK(strstr(db_error(db), "UNIQUE") != NULL || strstr(db_error(db), "unique") != NULL);
	CHECK_INT(find_status(u3, &r), 1);
	CHECK(r.status == SS_FIRING);	/* first update rolled back */
	sync_row_clear(&r);
	CHECK_INT(count("SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG"), logs);
	/* the connection is usable and in autocommit afterwards */
	CHECK_INT(syncstate_apply(db, NULL, 0, &lg, 1), 0);
	CHECK_INT(count("SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG"), logs + 1);

	/* an update of a row deleted meanwhile recreates it */
	CHECK_INT(db_exec(db, "DELETE FROM NM_ALARM_SYNC_STATUS WHERE SYNC_STATUS = 'FIRING' "
	    "AND ALARM_INST_ID = (SELECT MAX(ALARM_INST_ID) FROM NM_ALARM_SYNC_STATUS "
	    "WHERE SYNC_STATUS = 'FIRING')"), 0);
	memset(up, 0, sizeof(up));
	up[0].alarm_id = u3;
	up[0].exists = 1;
	up[0].status = SS_FIRING;
	up[0].labels = "{}";
	up[0].last_push = now;
	CHECK_INT(syncstate_apply(db, up, 1, NULL, 0), 0);
	CHECK_INT(find_status(u3, &r), 1);
	CHECK(r.status == SS_FIRING);
	sync_row_clear(&r);
}

/* Warnings of the code under test, collected. */
static struct buf warned;

static void
warn_hook(void *arg, enum log_level l, const char *msg)
{
	if (l == LOGL_WARN) {
		buf_puts(&warned, msg);
		buf_puts(&warned, "\n");
	}
}

TEST(mappings)
{
	struct label_map *m;
	size_t n;

	CHECK_INT(db_exec(db, "INSERT INTO NM_ALARM_LABEL_MAPPING (SOURCE_FIELD, TARGET_NAME, "
	    "TARGET_TYPE, IS_ACTIVE) VALUES ('res_inst_type', 'resource_type', 'label', 1)"), 0);
	CHECK_INT(db_exec(db, "INSERT INTO NM_ALARM_LABEL_MAPPING (SOURCE_FIELD, TARGET_NAME, "
	    "TARGET_TYPE, IS_ACTIVE) VALUES ('DETAIL_INFO', 'detail', 'ANNOTATION', 1)"), 0);
	CHECK_INT(db_exec(db, "INSERT INTO NM_ALARM_LABEL_MAPPING (SOURCE_FIELD, TARGET_NAME, "
	    "TARGET_TYPE, IS_ACTIVE) VALUES ('APP_NAME', 'bad-name', 'label', 1)"), 0);
	CHECK_INT(db_exec(db, "INSERT INTO NM_ALARM_LABEL_MAPPING (SOURCE_FIELD, TARGET_NAME, "
	    "TARGET_TYPE, IS_ACTIVE) VALUES ('APP_NAME', 'app', 'tag', 1)"), 0);
	/* reserved or built-in label names, and a column the view lacks */
	CHECK_INT(db_exec(db, "INSERT INTO NM_ALARM_LABEL_MAPPING (SOURCE_FIELD, TARGET_NAME, "
	    "TARGET_TYPE, IS_ACTIVE) VALUES ('APP_NAME', '__name__', 'label', 1), "
	    "('APP_NAME', 'alertname', 'label', 1), ('HOST_NAME', 'alarm_id', 'label', 1), "
	    "('HOST_NAME', 'severity', 'label', 1), ('HOST_NAME', '__meta', 'annotation', 1), "
	    "('NO_SUCH_COLUMN', 'extra', 'label', 1), "
	    "('HOST_NAME', 'severity', 'annotation', 1)"), 0);
	buf_free(&warned);
	log_set_hook(warn_hook, NULL);
	CHECK_INT(syncmap_load(db, &conf, &m, &n), 0);
	log_set_hook(NULL, NULL);
	/* inactive example, bad name, bad type, reserved names, no column: skipped */
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(m[0].source_field, "RES_INST_TYPE");
		CHECK_STR(m[0].target_name, "resource_type");
		CHECK(!m[0].annotation);
		CHECK_STR(m[1].source_field, "DETAIL_INFO");
		CHECK(m[1].annotation);
		/* an annotation may take a built-in label's name */
		CHECK_STR(m[2].target_name, "severity");
		CHECK(m[2].annotation);
	}
	syncmap_free(m, n);
	CHECK(strstr(warned.s ? warned.s : "", "APP_NAME -> __name__ (label): "
	    "names starting with __ are reserved, row ignored") != NULL);
	CHECK(strstr(warned.s ? warned.s : "", "APP_NAME -> alertname (label): "
	    "alertname is a built-in label, row ignored") != NULL);
	CHECK(strstr(warned.s ? warned.s : "", "HOST_NAME -> alarm_id (label): "
	    "alarm_id is a built-in label") != NULL);
	CHECK(strstr(warned.s ? warned.s : "", "HOST_NAME -> severity (label): "
	    "severity is a built-in label") != NULL);
	CHECK(strstr(warned.s ? warned.s : "", "HOST_NAME -> __meta (annotation): "
	    "names starting with __ are reserved") != NULL);
	CHECK(strstr(warned.s ? warned.s : "", "NO_SUCH_COLUMN -> extra (label): "
	    "the source view has no column NO_SUCH_COLUMN, row ignored") != NULL);
	buf_free(&warned);
	/* the probes below start from usable rows only */
	CHECK_INT(db_exec(db, "UPDATE NM_ALARM_LABEL_MAPPING SET IS_ACTIVE = 0 "
	    "WHERE TARGET_NAME NOT IN ('resource_type', 'detail')"), 0);
}

TEST(config_table)
{
	struct config_row r, *v;
	size_t n;
	struct config_raw *raw;
	const struct config *c;
	char path[] = "/tmp/test_syncstate_conf_XXXXXX";
	int fd;

	CHECK_INT(syncconf_set(db, "sync", "heartbeat_interval", "300",
	    "心跳间隔", now), 0);
	CHECK_INT(syncconf_set(db, "SYNC", "HEARTBEAT_INTERVAL", "240",
	    NULL, now), 0);	/* update, not a second row */
	CHECK_INT(syncconf_set(db, "silence", "default_duration_hours", "12",
	    NULL, now), 0);
	CHECK_INT(count("SELECT COUNT(*) FROM NM_ALARM_SYNC_CONFIG"), 2);
	CHECK_INT(syncconf_get(db, "Sync", "Heartbeat_Interval", &r), 1);
	CHECK_STR(r.group, "SYNC");
	CHECK_STR(r.key, "HEARTBEAT_INTERVAL");
	CHECK_STR(r.value, "240");
	CHECK_STR(r.description, "心跳间隔");
	CHECK(r.active);
	CHECK_INT(r.update_time, now);
	syncconf_row_clear(&r);
	CHECK_INT(syncconf_get(db, "SYNC", "NOPE", &r), 0);
	CHECK_INT(syncconf_list(db, NULL, &v, &n), 0);
	CHECK_INT(n, 2);
	syncconf_rows_free(v, n);
	CHECK_INT(syncconf_list(db, "silence", &v, &n), 0);
	CHECK_INT(n, 1);
	if (n == 1)
		CHECK_STR(v[0].key, "DEFAULT_DURATION_HOURS");
	syncconf_rows_free(v, n);

	/* the rows reach the effective configuration */
	if ((fd = mkstemp(path)) == -1) {
		CHECK(0);
		return;
	}
	write(fd, "[sync]\nheartbeat_interval = 60\n", 31);
	close(fd);
	raw = config_load(path, 1);
	CHECK(raw != NULL);
	if (raw != NULL) {
		CHECK_INT(syncconf_load(db, raw), 0);
		c = config_resolve(raw);
		CHECK(c != NULL && c->sync_heartbeat_interval == 240);
		CHECK(c != NULL && c->silence_duration_hours == 12);
		/* an invalid table value is reported as such */
		CHECK_INT(syncconf_set(db, "SYNC", "BATCH_SIZE", "lots", NULL, now), 0);
		CHECK_INT(syncconf_load(db, raw), -2);
		config_free(raw);
	}
	unlink(path);
	CHECK_INT(syncconf_unset(db, "sync", "batch_size"), 1);
	CHECK_INT(syncconf_unset(db, "sync", "batch_size"), 0);
	CHECK_INT(syncconf_unset(db, "SYNC", "HEARTBEAT_INTERVAL"), 1);
	CHECK_INT(syncconf_unset(db, "SILENCE", "DEFAULT_DURATION_HOURS"), 1);
}

TEST(listings_and_stats)
{
	struct sync_row *rows;
	struct sync_log_row *logs;
	struct sync_log_filter f;
	struct sync_stats s;
	long by_level[5], in_error;
	size_t n, total, i;
	long long firing = count("SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE SYNC_STATUS = 'FIRING'");

	CHECK_INT(syncstate_alarms(db, NULL, 100, 0, &rows, &n), 0);
	total = n;
	CHECK_INT(total, count("SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS"));
	syncstate_rows_free(rows, n);
	CHECK_INT(syncstate_alarms(db, "firing", 100, 0, &rows, &n), 0);
	CHECK_INT(n, firing);
	for (i = 0; i < n; i++)
		CHECK(rows[i].status == SS_FIRING);
	syncstate_rows_free(rows, n);
	CHECK_INT(syncstate_alarms(db, NULL, 2, 1, &rows, &n), 0);
	CHECK_INT(n, 2);
	syncstate_rows_free(rows, n);
	CHECK(syncstate_alarms(db, "BOGUS", 2, 0, &rows, &n) != 0);

	memset(&f, 0, sizeof(f));
	CHECK_INT(synclog_list(db, &f, &logs, &n), 0);
	CHECK_INT(n, count("SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG"));
	for (i = 1; i < n; i++)
		CHECK(logs[i - 1].log_id > logs[i].log_id);	/* newest first */
	synclog_rows_free(logs, n);
	f.operation = "push_firing";
	CHECK_INT(synclog_list(db, &f, &logs, &n), 0);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(logs[0].operation, "PUSH_FIRING");
		CHECK_INT(logs[0].response_code, 200);
		CHECK_INT(logs[0].duration_ms, 12);
		CHECK_STR(logs[0].request_method, "POST");
		CHECK(logs[0].create_time >= now - 2 && logs[0].create_time <= now + 2);
		CHECK(logs[0].create_time >= now - 120);
		CHECK_INT(logs[0].event_id, 700001);
	}
	synclog_rows_free(logs, n);
	memset(&f, 0, sizeof(f));
	f.errors_only = 1;
	CHECK_INT(synclog_list(db, &f, &logs, &n), 0);
	CHECK_INT(n, 1);
	if (n == 1)
		CHECK(strstr(logs[0].error, "refused") != NULL);
	synclog_rows_free(logs, n);
	memset(&f, 0, sizeof(f));
	f.alarm_id = alarm_in_state('U', 0);
	CHECK_INT(synclog_list(db, &f, &logs, &n), 0);
	CHECK_INT(n, 1);
	synclog_rows_free(logs, n);
	memset(&f, 0, sizeof(f));
	f.since = now + 3600;
	CHECK_INT(synclog_list(db, &f, &logs, &n), 0);
	CHECK_INT(n, 0);
	synclog_rows_free(logs, n);
	memset(&f, 0, sizeof(f));
	f.limit = 1;
	f.offset = 1;
	CHECK_INT(synclog_list(db, &f, &logs, &n), 0);
	CHECK_INT(n, 1);
	synclog_rows_free(logs, n);

	CHECK_INT(syncstate_stats(db, now, &s), 0);
	CHECK_INT(s.total, (long)total);
	CHECK_INT(s.firing, firing);
	CHECK_INT(s.total, s.pending + s.firing + s.resolved + s.silenced + s.other);
	CHECK(s.resolved >= 1);
	CHECK_INT(s.last_24h, count("SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG"));

	CHECK_INT(syncstate_active_by_level(db, &conf, by_level, &in_error), 0);
	CHECK_INT(by_level[0] + by_level[1] + by_level[2] + by_level[3] + by_level[4],
	    count("SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS s JOIN NM_ALARM_SYNC_SOURCE v "
	    "ON v.ALARM_INST_ID = s.ALARM_INST_ID WHERE s.SYNC_STATUS = 'FIRING'"));
	CHECK(by_level[1] + by_level[2] + by_level[3] + by_level[4] > 0);
	CHECK_INT(in_error, count("SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE ERROR_COUNT > 0"));
}

TEST(cleanup)
{
	struct cleanup_result res;
	long long logs = count("SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG");
	long long status = count("SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS");

	/* 2500 old log rows, 3 old RESOLVED and 1 old FIRING status rows */
	CHECK_INT(db_exec(db, "INSERT INTO NM_ALARM_SYNC_LOG (OPERATION, CREATE_TIME) "
	    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2500) "
	    "SELECT 'HEARTBEAT', '2020-01-01 00:00:00' FROM c"), 0);
	CHECK_INT(db_exec(db, "INSERT INTO NM_ALARM_SYNC_STATUS (ALARM_INST_ID, SYNC_STATUS, "
	    "UPDATE_TIME) VALUES (1, 'RESOLVED', '2020-01-01 00:00:00'), "
	    "(2, 'RESOLVED', '2020-01-01 00:00:00'), (3, 'RESOLVED', '2020-01-02 00:00:00'), "
	    "(4, 'FIRING', '2020-01-01 00:00:00')"), 0);
	CHECK_INT(synclog_cleanup(db, now - 30 * 86400, 1000, 1, &res), 0);
	CHECK_INT(res.log_rows, 2500);
	CHECK_INT(res.status_rows, 3);
	CHECK_INT(count("SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG"), logs + 2500);
	CHECK_INT(synclog_cleanup(db, now - 30 * 86400, 1000, 0, &res), 0);
	CHECK_INT(res.log_rows, 2500);
	CHECK_INT(res.status_rows, 3);
	CHECK_INT(count("SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG"), logs);
	CHECK_INT(count("SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS"), status + 1);
	/* nothing left: a second run deletes nothing */
	CHECK_INT(synclog_cleanup(db, now - 30 * 86400, 7, 0, &res), 0);
	CHECK_INT(res.log_rows, 0);
	CHECK_INT(res.status_rows, 0);
	/* small batches reach every row too */
	CHECK_INT(db_exec(db, "INSERT INTO NM_ALARM_SYNC_LOG (OPERATION, CREATE_TIME) "
	    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20) "
	    "SELECT 'HEARTBEAT', '2020-01-01 00:00:00' FROM c"), 0);
	CHECK_INT(synclog_cleanup(db, now - 30 * 86400, 7, 0, &res), 0);
	CHECK_INT(res.log_rows, 20);
	CHECK_INT(db_exec(db, "DELETE FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID = 4"), 0);
}

/* The resolves sent again after a member's start: by push time, RESOLVED and SILENCED. */
TEST(resolved_between)
{
	static const struct {
		int64_t		 id;
		enum sync_status st;
		time_t		 ago;
	} rows[] = {
		{ 9101, SS_RESOLVED, 700 },	/* before the window */
		{ 9102, SS_RESOLVED, 300 },
		{ 9103, SS_FIRING, 300 },	/* not a resolve */
		{ 9104, SS_SILENCED, 200 },
		{ 9105, SS_RESOLVED, 10 },
		{ 9106, SS_RESOLVED, 0 },	/* the window's end, inclusive */
	};
	struct sync_update up[6];
	struct sync_row *v = NULL;
	size_t i, n = 0, cap = 0;

	memset(up, 0, sizeof(up));
	for (i = 0; i < 6; i++) {
		up[i].alarm_id = rows[i].id;
		up[i].status = rows[i].st;
		up[i].zmc_state = 'A';
		up[i].last_push = now - rows[i].ago;
		up[i].event_time = now - 3600;
		up[i].labels = "{\"alertname\":\"磁盘空间不足\",\"alarm_id\":\"9\"}";
		up[i].pushed = 1;
	}
	CHECK_INT(syncstate_apply(db, up, 6, NULL, 0), 0);
	/* Earlier tests left rows of their own: only ours count. */
	CHECK_INT(db_exec(db, "UPDATE NM_ALARM_SYNC_STATUS SET SYNC_STATUS = "
	    "'ARCHIVED' || SYNC_STATUS WHERE SYNC_STATUS IN ('RESOLVED', "
	    "'SILENCED') AND ALARM_INST_ID NOT BETWEEN 9101 AND 9106"), 0);
	CHECK_INT(syncstate_resolved_between(db, now - 600, now, 100, &v, &n, &cap), 0);
	CHECK_INT(n, 4);
	if (n == 4) {
		CHECK_INT(v[0].alarm_id, 9106);
		CHECK_INT(v[1].alarm_id, 9105);
		CHECK_INT(v[2].alarm_id, 9104);	/* a masked alarm's resolve */
		CHECK_INT(v[3].alarm_id, 9102);
		CHECK_INT(v[3].last_push, now - 300);
		CHECK_INT(v[3].event_time, now - 3600);
		CHECK_STR(v[3].labels, up[1].labels);
	}
	syncstate_rows_free(v, n);
	v = NULL;
	n = cap = 0;
	/* bounded: the latest resolve first */
	CHECK_INT(syncstate_resolved_between(db, now - 600, now, 1, &v, &n, &cap), 0);
	CHECK_INT(n, 1);
	if (n == 1)
		CHECK_INT(v[0].alarm_id, 9106);
	syncstate_rows_free(v, n);
	CHECK_INT(db_exec(db, "UPDATE NM_ALARM_SYNC_STATUS SET SYNC_STATUS = "
	    "SUBSTR(SYNC_STATUS, 9) WHERE SYNC_STATUS LIKE 'ARCHIVED%'"), 0);
	CHECK_INT(db_exec(db, "DELETE FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID "
	    "BETWEEN 9101 AND 9106"), 0);
}

struct probe_seen {
	int	 ok;
	int	 bad;
	char	 names[512];
};

static void
probe_cb(void *arg, const char *name, int ok, const char *detail)
{
	struct probe_seen *p = arg;

	if (ok)
		p->ok++;
	else
		p->bad++;
	strncat(p->names, name, sizeof(p->names) - strlen(p->names) - 2);
	strcat(p->names, " ");
	(void)detail;
}

TEST(probes)
{
	struct probe_seen p;

	memset(&p, 0, sizeof(p));
	CHECK_INT(syncprobe_run(db, &conf, probe_cb, &p), 0);
	CHECK_INT(p.ok, 6);
	CHECK_INT(p.bad, 0);
	CHECK(strstr(p.names, "NM_ALARM_SYNC_SOURCE") != NULL);
	CHECK(strstr(p.names, "NM_ALARM_LABEL_MAPPING") != NULL);
	CHECK(strstr(p.names, "label mapping ") != NULL);
	/* an unusable mapping row is a failed probe naming it */
	CHECK_INT(db_exec(db, "INSERT INTO NM_ALARM_LABEL_MAPPING (SOURCE_FIELD, "
	    "TARGET_NAME, TARGET_TYPE, IS_ACTIVE) VALUES ('NOPE', 'x', 'label', 1)"), 0);
	memset(&p, 0, sizeof(p));
	CHECK(syncprobe_run(db, &conf, probe_cb, &p) != 0);
	CHECK_INT(p.ok, 5);
	CHECK_INT(p.bad, 1);
	CHECK(strstr(p.names, "label mapping NOPE -> x ") != NULL);
	CHECK_INT(db_exec(db, "DELETE FROM NM_ALARM_LABEL_MAPPING WHERE SOURCE_FIELD = 'NOPE'"), 0);
	memset(&p, 0, sizeof(p));
	conf.zmc_source = "NO_SUCH_VIEW";
	CHECK(syncprobe_run(db, &conf, probe_cb, &p) != 0);
	CHECK_INT(p.ok, 5);
	CHECK_INT(p.bad, 1);
	conf.zmc_source = "NM_ALARM_SYNC_SOURCE";
}

/* query_rows callback of query_helpers: a text column, rows with NULL dropped. */
static int
text_read(struct db_stmt *st, void *v)
{
	return (*(char **)v = query_text(st, 0)) == NULL;
}

static void
text_clear(void *v)
{
	free(*(char **)v);
}

TEST(query_helpers)
{
	struct db_stmt *st;
	char **v = NULL;
	size_t n = 0, cap = 0;
	long long k;

	/* rows appended, a row the callback drops left out */
	st = db_prepare(db, "SELECT 'a' UNION ALL SELECT NULL UNION ALL SELECT 'b'");
	CHECK(st != NULL && db_execute(st) == 0);
	CHECK_INT(query_rows(st, &v, &n, &cap, sizeof(*v), text_read,
	    text_clear), 0);
	CHECK_INT(n, 2);
	db_stmt_free(st);
	st = db_prepare(db, "SELECT 'c'");
	CHECK(st != NULL && db_execute(st) == 0);
	CHECK_INT(query_rows(st, &v, &n, &cap, sizeof(*v), text_read,
	    text_clear), 0);
	db_stmt_free(st);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(v[0], "a");
		CHECK_STR(v[1], "b");
		CHECK_STR(v[2], "c");
	}
	/* a fetch error drops what that call appended, nothing before */
	st = db_prepare(db, "SELECT CASE WHEN x = 1 THEN 'd' ELSE "
	    "CAST(abs(x) AS TEXT) END FROM (SELECT 1 AS x UNION ALL "
	    "SELECT -9223372036854775807 - 1)");
	CHECK(st != NULL && db_execute(st) == 0);
	CHECK_INT(query_rows(st, &v, &n, &cap, sizeof(*v), text_read,
	    text_clear), -1);
	CHECK_INT(n, 3);
	db_stmt_free(st);
	query_rows_free(v, n, sizeof(*v), text_clear);
	/* into an empty array: the array is freed */
	v = NULL;
	n = cap = 0;
	st = db_prepare(db, "SELECT CASE WHEN x = 1 THEN 'd' ELSE "
	    "CAST(abs(x) AS TEXT) END FROM (SELECT 1 AS x UNION ALL "
	    "SELECT -9223372036854775807 - 1)");
	CHECK(st != NULL && db_execute(st) == 0);
	CHECK_INT(query_rows(st, &v, &n, &cap, sizeof(*v), text_read,
	    text_clear), -1);
	CHECK(v == NULL && n == 0 && cap == 0);
	db_stmt_free(st);

	CHECK(query_prepare(db, SQL_PROBE_SOURCE, "BAD VIEW;") == NULL);
	CHECK(strstr(db_error(db), "BAD VIEW;: not a valid view name") != NULL);
	CHECK_INT(query_count(db, SQL_PROBE_TABLE, "NM_ALARM_SYNC_STATUS", 0, 0,
	    &k), 0);
	CHECK_INT(k, count("SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS"));
	st = query_run(db, SQL_PROBE_SOURCE, NULL);
	CHECK(st != NULL);
	db_stmt_free(st);
}

int
main(void)
{
	int fd;

	/* the demo's datetime('now', 'localtime') then matches database.timezone */
	setenv("TZ", "Asia/Shanghai", 1);
	now = time(NULL);
	snprintf(dbpath, sizeof(dbpath), "/tmp/test_syncstate_XXXXXX");
	if ((fd = mkstemp(dbpath)) == -1) {
		perror("mkstemp");
		return 1;
	}
	close(fd);
	connstr = xasprintf("Driver=SQLite3;Database=%s;Timeout=5000;StepAPI=1", dbpath);
	if (setup() != 0) {
		fprintf(stderr, "test_syncstate: cannot set up the SQLite database via ODBC\n");
		t_failed++;
	} else {
		RUN(source_paging);
		RUN(source_fields);
		RUN(source_bad_values);
		RUN(apply_and_read_back);
		RUN(apply_failures);
		RUN(mappings);
		RUN(config_table);
		RUN(listings_and_stats);
		RUN(cleanup);
		RUN(resolved_between);
		RUN(probes);
		RUN(query_helpers);
	}
	db_close(db);
	unlink(dbpath);
	free(connstr);
	return DONE();
}
