/*
 * test_db: the ODBC layer against a real SQLite file through the real
 * sqliteodbc driver ("SQLite3" in odbcinst.ini): scripts, binds, time
 * zones, Chinese and long text, transactions, masked diagnostics.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "dbconn.h"
#include "dbstmt.h"
#include "dialect.h"
#include "util.h"
#include "t.h"

static char dbpath[64];
static char *connstr;
static struct config conf;

/* A config for the temp database; tz is database.timezone. */
static void
conf_init(const char *tz)
{
	memset(&conf, 0, sizeof(conf));
	conf.db_connection = connstr;
	conf.db_dsn = "";
	conf.db_username = "";
	conf.db_password = "";
	conf.db_dialect = "auto";
	conf.db_timezone = (char *)tz;
	conf.db_charset = "";
	conf.db_timeout = 10;
	conf.db_host = "";
	conf.db_service_name = "";
	conf.db_driver = "";
	conf.zmc_source = "NM_ALARM_SYNC_SOURCE";
}

static struct db *
open_db(void)
{
	char *err = NULL;
	struct db *db = db_open(&conf, &err);

	if (db == NULL) {
		fprintf(stderr, "db_open: %s\n", err ? err : "?");
		free(err);
	}
	return db;
}

/* Runs the sqlite init script (demo: with ZMC tables and samples). */
static int
run_init(struct db *db, int demo)
{
	char *s = dialect_init_script(DIALECT_SQLITE, demo), **v;
	size_t n, i;
	int r = 0;

	if (s == NULL)
		return -1;
	v = dialect_split_script(DIALECT_SQLITE, s, &n);
	for (i = 0; i < n && r == 0; i++)
		if (db_exec(db, v[i]) != 0) {
			fprintf(stderr, "statement %zu: %s\n", i + 1, db_error(db));
			r = -1;
		}
	strv_free(v, n);
	free(s);
	return r;
}

/* One value of a one-row query. */
static char *
query1(struct db *db, const char *sql)
{
	struct db_stmt *st = db_prepare(db, sql);
	char *r = NULL;

	if (st == NULL)
		return NULL;
	if (db_execute(st) == 0 && db_fetch(st) == 1)
		r = xstrdup(db_col_text(st, 0));
	db_stmt_free(st);
	return r;
}

TEST(open_and_scripts)
{
	struct db *db;
	char *s;

	conf_init("");
	db = open_db();
	CHECK(db != NULL);
	if (db == NULL)
		return;
	CHECK_STR(db_dbms_name(db), "SQLite");
	CHECK(db_dialect(db) == DIALECT_SQLITE);
	CHECK(strlen(db_dbms_version(db)) > 0);
	CHECK_INT(run_init(db, 1), 0);
	/* init-db is idempotent */
	CHECK_INT(run_init(db, 0), 0);
	s = query1(db, "SELECT COUNT(*) FROM NM_ALARM_SYNC_SOURCE");
	CHECK_STR(s, "36");
	free(s);
	s = query1(db, "SELECT COUNT(*) FROM NM_ALARM_SYNC_SOURCE WHERE ALARM_STATE = 'U'");
	CHECK_STR(s, "22");
	free(s);
	/* The view's EVENT_INST_ID is the latest raise event, never a recovery. */
	s = query1(db, "SELECT COUNT(*) FROM NM_ALARM_SYNC_SOURCE v JOIN "
	    "NM_ALARM_EVENT e ON e.EVENT_INST_ID = v.EVENT_INST_ID "
	    "WHERE e.RESET_FLAG <> '1'");
	CHECK_STR(s, "0");
	free(s);
	s = query1(db, "SELECT COUNT(*) FROM NM_ALARM_SYNC_SOURCE WHERE "
	    "ALARM_STATE <> 'U' AND STATE_TIME IS NULL");
	CHECK_STR(s, "0");
	free(s);
	s = query1(db, "SELECT ALARM_NAME FROM NM_ALARM_SYNC_SOURCE WHERE ALARM_CODE = 10004 LIMIT 1");
	CHECK_STR(s, "数据库连接池耗尽");
	free(s);
	db_close(db);
}

TEST(binds_and_types)
{
	struct db *db;
	struct db_stmt *st;
	char big[20001];
	int64_t v;
	size_t i;
	const char *zh = "告警：CPU使用率过高 (主机 bill-app-01)";

	conf_init("");
	if ((db = open_db()) == NULL) {
		CHECK(0);
		return;
	}
	CHECK_INT(db_exec(db, "CREATE TABLE T1 (ID INTEGER, NAME VARCHAR(100), "
	    "BODY VARCHAR(30000), N INTEGER)"), 0);
	/* more than one GetData chunk, with multi-byte characters across chunk ends */
	for (i = 0; i + 3 <= 20000; i += 3)
		memcpy(big + i, "警", 3);
	big[i] = '\0';
	st = db_prepare(db, "INSERT INTO T1 (ID, NAME, BODY, N) VALUES (?, ?, ?, ?)");
	CHECK(st != NULL);
	if (st == NULL)
		goto out;
	CHECK_INT(db_bind_int64(st, 1, 2024000000001LL), 0);
	CHECK_INT(db_bind_text(st, 2, zh), 0);
	CHECK_INT(db_bind_text(st, 3, big), 0);
	CHECK_INT(db_bind_null_int(st, 4), 0);
	CHECK_INT(db_execute(st), 0);
	CHECK_INT(db_rowcount(st), 1);
	/* reuse after reset */
	CHECK_INT(db_stmt_reset(st), 0);
	CHECK_INT(db_bind_int64(st, 1, -5), 0);
	CHECK_INT(db_bind_text(st, 2, NULL), 0);
	CHECK_INT(db_bind_text(st, 3, "x"), 0);
	CHECK_INT(db_bind_int64(st, 4, 7), 0);
	CHECK_INT(db_execute(st), 0);
	/* an unbound parameter is an error, not a silent value */
	CHECK_INT(db_stmt_reset(st), 0);
	CHECK_INT(db_bind_int64(st, 1, 1), 0);
	CHECK_INT(db_bind_int64(st, 4, 1), 0);
	CHECK(db_execute(st) != 0);
	CHECK(strstr(db_error(db), "parameter 2 not bound") != NULL);
	db_stmt_free(st);

	st = db_prepare(db, "SELECT ID, NAME, BODY, N FROM T1 ORDER BY ID DESC");
	CHECK(st != NULL);
	if (st == NULL)
		goto out;
	CHECK_INT(db_execute(st), 0);
	CHECK_INT(db_col_count(st), 4);
	CHECK_STR(db_col_name(st, 1), "NAME");
	CHECK_INT(db_fetch(st), 1);
	CHECK_INT(db_col_int64(st, 0, &v), 0);
	CHECK_INT(v, 2024000000001LL);
	CHECK_STR(db_col_text(st, 1), zh);
	CHECK(db_col_text(st, 2) != NULL && strcmp(db_col_text(st, 2), big) == 0);
	CHECK_INT(db_col_int64(st, 3, &v), 1);	/* NULL */
	CHECK_INT(db_col_int64(st, 1, &v), -1);	/* not a number */
	CHECK_INT(db_fetch(st), 1);
	CHECK_INT(db_col_int64(st, 0, &v), 0);
	CHECK_INT(v, -5);
	CHECK(db_col_text(st, 1) == NULL);
	CHECK_INT(db_fetch(st), 0);
	db_stmt_free(st);
out:
	db_close(db);
}

/* Times are wall clock in database.timezone, converted to and from UTC. */
static void
time_roundtrip(const char *tz, const char *want)
{
	struct db *db;
	struct db_stmt *st;
	time_t t0 = 1700000000, t;	/* 2023-11-14 22:13:20 UTC */

	conf_init(tz);
	if ((db = open_db()) == NULL) {
		CHECK(0);
		return;
	}
	db_exec(db, "DROP TABLE IF EXISTS T2");
	CHECK_INT(db_exec(db, "CREATE TABLE T2 (ID INTEGER, T TIMESTAMP, S VARCHAR(40))"), 0);
	st = db_prepare(db, "INSERT INTO T2 (ID, T, S) VALUES (?, ?, ?)");
	CHECK_INT(db_bind_int64(st, 1, 1), 0);
	CHECK_INT(db_bind_time(st, 2, t0), 0);
	CHECK_INT(db_bind_time(st, 3, t0), 0);
	CHECK_INT(db_execute(st), 0);
	CHECK_INT(db_stmt_reset(st), 0);
	db_bind_int64(st, 1, 2);
	db_bind_time(st, 2, 0);		/* NULL */
	db_bind_text(st, 3, "not a time");
	CHECK_INT(db_execute(st), 0);
	db_stmt_reset(st);
	db_bind_int64(st, 1, 3);
	db_bind_text(st, 2, "garbage");	/* a bad value in a TIMESTAMP column */
	db_bind_text(st, 3, NULL);
	CHECK_INT(db_execute(st), 0);
	db_stmt_free(st);

	st = db_prepare(db, "SELECT T, S FROM T2 ORDER BY ID");
	CHECK_INT(db_execute(st), 0);
	CHECK_INT(db_fetch(st), 1);
	CHECK_STR(db_col_text(st, 0), want);	/* read via SQL_C_TYPE_TIMESTAMP */
	CHECK_STR(db_col_text(st, 1), want);	/* read as text */
	CHECK_INT(db_col_time(st, 0, &t), 0);
	CHECK_INT(t, t0);
	CHECK_INT(db_col_time(st, 1, &t), 0);
	CHECK_INT(t, t0);
	CHECK_INT(db_fetch(st), 1);
	CHECK_INT(db_col_time(st, 0, &t), 1);
	CHECK_INT(db_col_time(st, 1, &t), -1);
	CHECK_INT(db_fetch(st), 1);	/* the bad row still reads */
	CHECK(db_col_time(st, 0, &t) != 0);
	CHECK_INT(db_fetch(st), 0);
	db_stmt_free(st);
	db_close(db);
}

TEST(time_zones)
{
	time_roundtrip("Asia/Shanghai", "2023-11-15 06:13:20");
	time_roundtrip("America/New_York", "2023-11-14 17:13:20");
	time_roundtrip("UTC", "2023-11-14 22:13:20");
}

TEST(transactions)
{
	struct db *db;
	char *s;

	conf_init("");
	if ((db = open_db()) == NULL) {
		CHECK(0);
		return;
	}
	db_exec(db, "CREATE TABLE T3 (X INTEGER)");
	CHECK_INT(db_begin(db), 0);
	CHECK_INT(db_exec(db, "INSERT INTO T3 VALUES (1)"), 0);
	CHECK_INT(db_rollback(db), 0);
	s = query1(db, "SELECT COUNT(*) FROM T3");
	CHECK_STR(s, "0");
	free(s);
	CHECK_INT(db_begin(db), 0);
	CHECK(db_begin(db) != 0);	/* no nesting */
	CHECK_INT(db_exec(db, "INSERT INTO T3 VALUES (1)"), 0);
	CHECK_INT(db_commit(db), 0);
	s = query1(db, "SELECT COUNT(*) FROM T3");
	CHECK_STR(s, "1");
	free(s);
	/* autocommit is back on: a second connection sees the row */
	CHECK_INT(db_exec(db, "INSERT INTO T3 VALUES (2)"), 0);
	{
		struct db *db2 = open_db();
		s = db2 ? query1(db2, "SELECT COUNT(*) FROM T3") : NULL;
		CHECK_STR(s, "2");
		free(s);
		db_close(db2);
	}
	db_close(db);
}

TEST(errors_mask_secrets)
{
	struct db *db;
	char *err = NULL, *cs;

	conf_init("");
	conf.db_password = "Sup3rSecretPw";
	if ((db = open_db()) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(db_exec(db, "SELECT * FROM NO_SUCH_TABLE") != 0);
	CHECK(strncmp(db_error(db), "database SQLite3: [", 19) == 0);
	CHECK(strstr(db_error(db), "NO_SUCH_TABLE") != NULL);
	CHECK(!db_lost(db));
	{
		/* drivers may defer the syntax check from prepare to execute */
		struct db_stmt *st = db_prepare(db, "SELEKT 'Sup3rSecretPw'");
		CHECK(st == NULL || db_execute(st) != 0);
		db_stmt_free(st);
	}
	CHECK(strstr(db_error(db), "SELEKT") != NULL);
	/* a driver message echoing the password gets it masked */
	CHECK(db_exec(db, "SELECT * FROM Sup3rSecretPw") != 0);
	CHECK(strstr(db_error(db), "no such table: ********") != NULL);
	CHECK(db_exec(db, "SELECT 'PWD=abc;x' FROM nothere") != 0);
	CHECK(strstr(db_error(db), "Sup3rSecretPw") == NULL);
	CHECK(strstr(db_error(db), "Sup3rSecretPw") == NULL);
	db_close(db);

	/* unknown driver: the message names it, never the password */
	cs = xstrdup("Driver=NoSuchDriverX;Database=/nonexistent;PWD=Sup3rSecretPw");
	conf.db_connection = cs;
	CHECK(db_open(&conf, &err) == NULL);
	CHECK(err != NULL && strstr(err, "NoSuchDriverX") != NULL);
	CHECK(err != NULL && strstr(err, "Sup3rSecretPw") == NULL);
	CHECK(err != NULL && strncmp(err, "database NoSuchDriverX: ", 24) == 0);
	free(err);
	free(cs);
	/* DSN form */
	conf.db_connection = "";
	conf.db_dsn = "zmcsync_no_such_dsn";
	conf.db_username = "zmc";
	err = NULL;
	CHECK(db_open(&conf, &err) == NULL);
	CHECK(err != NULL && strncmp(err, "database zmcsync_no_such_dsn: ", 30) == 0);
	CHECK(err != NULL && strstr(err, "Sup3rSecretPw") == NULL);
	free(err);
	/* nothing configured */
	conf.db_dsn = "";
	err = NULL;
	CHECK(db_open(&conf, &err) == NULL);
	CHECK(err != NULL && strstr(err, "database.dsn") != NULL);
	free(err);
	/* Oracle DSN-less needs a driver name */
	conf.db_host = "10.1.1.1";
	conf.db_port = 1521;
	conf.db_service_name = "zmc";
	err = NULL;
	CHECK(db_open(&conf, &err) == NULL);
	CHECK(err != NULL && strstr(err, "database.driver") != NULL);
	free(err);
	conf.db_driver = "NoSuchOracleDriver";
	err = NULL;
	CHECK(db_open(&conf, &err) == NULL);
	CHECK(err != NULL && strstr(err, "NoSuchOracleDriver //10.1.1.1:1521/zmc") != NULL);
	CHECK(err != NULL && strstr(err, "Sup3rSecretPw") == NULL);
	free(err);
}

TEST(dialect_override)
{
	struct db *db;
	char *err = NULL;

	conf_init("");
	conf.db_dialect = "postgresql";
	db = db_open(&conf, &err);
	CHECK(db != NULL && db_dialect(db) == DIALECT_POSTGRESQL);
	db_close(db);
	free(err);
	conf.db_dialect = "db2";
	err = NULL;
	CHECK(db_open(&conf, &err) == NULL);
	CHECK(err != NULL && strstr(err, "db2") != NULL);
	free(err);
}

TEST(connection_strings)
{
	char *v, *name = NULL, *err = NULL;

	v = dbconn_get("DSN=zmc; UID={a;b}};PWD=x", "uid");
	CHECK_STR(v, "a;b");
	free(v);
	CHECK(dbconn_get("DSN=zmc;UID=u", "PWD") == NULL);
	v = dbconn_set_timeout(xstrdup("Driver=SQLite3;Timeout = 5000;Database=x"),
	    250);
	CHECK_STR(v, "Driver=SQLite3;Database=x;Timeout=250;");
	free(v);
	conf_init("");
	conf.db_connection = "DSN=zmc";
	conf.db_username = "me";
	conf.db_password = "p w";
	v = dbconn_build(&conf, &name, &err);
	CHECK_STR(v, "DSN=zmc;UID=me;PWD={p w};");
	CHECK_STR(name, "zmc");
	CHECK(err == NULL);
	CHECK(!dbconn_is_sqlite(&conf, v));
	free(v);
	free(name);
	conf.db_dialect = "SQLite";
	CHECK(dbconn_is_sqlite(&conf, "DSN=zmc"));
	conf.db_dialect = "";
	CHECK(dbconn_is_sqlite(&conf, "Driver=SQLite3;Database=x"));
	conf.db_connection = "";
	conf.db_dsn = "";
	conf.db_host = "";
	CHECK(dbconn_build(&conf, &name, &err) == NULL);
	CHECK(name == NULL && err != NULL && strstr(err, "none configured") != NULL);
	free(err);
}

int
main(void)
{
	int fd;

	snprintf(dbpath, sizeof(dbpath), "/tmp/test_db_XXXXXX");
	if ((fd = mkstemp(dbpath)) == -1) {
		perror("mkstemp");
		return 1;
	}
	close(fd);
	connstr = xasprintf("Driver=SQLite3;Database=%s;Timeout=5000;StepAPI=1", dbpath);
	RUN(open_and_scripts);
	RUN(binds_and_types);
	RUN(time_zones);
	RUN(transactions);
	RUN(errors_mask_secrets);
	RUN(dialect_override);
	RUN(connection_strings);
	unlink(dbpath);
	free(connstr);
	return DONE();
}
