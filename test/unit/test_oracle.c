/*
 * test_oracle: what the Oracle path can prove without an Oracle server --
 * the DSN-less connection string built from the reference guide's
 * ZMC_ORACLE_* settings (and its masked form), NLS_LANG, dialect
 * detection from SQL_DBMS_NAME, the ROWNUM paging arithmetic, the 11g
 * subset of every statement (test/oracle-subset-check, run from the top
 * of the tree as test/run does), the init script's shape, and the
 * decimal integer binds Oracle gets, driven through the sqliteodbc driver.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "dbstmt.h"
#include "dialect.h"
#include "log.h"
#include "util.h"
#include "t.h"

#define CHECKER "test/oracle-subset-check"
#define SECRET "Sm4rt;Pw}x"

/* Environment the tests set; cleared before and after each use. */
static const char *const env_names[] = {
	"ZMC_ORACLE_HOST", "ZMC_ORACLE_PORT", "ZMC_ORACLE_SERVICE_NAME",
	"ZMC_ORACLE_USERNAME", "ZMC_ORACLE_PASSWORD", "DATABASE_HOST",
	"DATABASE_PORT", "DATABASE_SERVICE_NAME", "DATABASE_USERNAME",
	"DATABASE_PASSWORD", "DATABASE_DSN", "DATABASE_CONNECTION",
	"DATABASE_DRIVER", "DATABASE_DIALECT", "DATABASE_CHARSET",
	"DATABASE_PASSWORD_FILE",
};

static void
env_clear(void)
{
	size_t i;

	for (i = 0; i < sizeof(env_names) / sizeof(env_names[0]); i++)
		unsetenv(env_names[i]);
}

/*
 * Loads a configuration from a file holding ini (may be "") plus the
 * current environment; returns the loader (config_free) and sets *out.
 */
static struct config_raw *
load(const char *ini, const struct config **out)
{
	char path[] = "/tmp/test_oracle_conf_XXXXXX";
	struct config_raw *c;
	FILE *f;
	int fd;

	*out = NULL;
	if ((fd = mkstemp(path)) == -1)
		return NULL;
	f = fdopen(fd, "w");
	fputs(ini, f);
	fclose(f);
	c = config_load(path, 1);
	unlink(path);
	if (c != NULL && (*out = config_resolve(c)) == NULL) {
		config_free(c);
		return NULL;
	}
	return c;
}

/* A zeroed configuration with every string set, for direct cases. */
static void
conf_blank(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->db_dsn = c->db_connection = c->db_username = c->db_password = "";
	c->db_dialect = "auto";
	c->db_timezone = c->db_charset = c->db_host = "";
	c->db_service_name = c->db_driver = "";
	c->db_port = 1521;
	c->db_timeout = 5;
}

/* The reference guide's environment names build the DSN-less string. */
TEST(connection_string_from_guide_env)
{
	const struct config *conf;
	struct config_raw *c;
	char *cs, *masked, *err;

	env_clear();
	setenv("ZMC_ORACLE_HOST", "10.101.1.42", 1);
	setenv("ZMC_ORACLE_PORT", "1522", 1);
	setenv("ZMC_ORACLE_SERVICE_NAME", "rb", 1);
	setenv("ZMC_ORACLE_USERNAME", "zmc", 1);
	setenv("ZMC_ORACLE_PASSWORD", SECRET, 1);
	c = load("[database]\ndriver = Oracle 19 ODBC driver\n", &conf);
	CHECK(c != NULL);
	if (c == NULL) {
		env_clear();
		return;
	}
	cs = db_connection_string(conf, 0, NULL);
	CHECK_STR(cs, "DRIVER={Oracle 19 ODBC driver};DBQ=//10.101.1.42:1522/rb;"
	    "UID=zmc;PWD={Sm4rt;Pw}}x};");
	free(cs);
	masked = db_connection_string(conf, 1, &err);
	CHECK_STR(masked, "DRIVER={Oracle 19 ODBC driver};"
	    "DBQ=//10.101.1.42:1522/rb;UID=zmc;PWD=********;");
	CHECK(masked != NULL && strstr(masked, "Sm4rt") == NULL &&
	    strstr(masked, "Pw") == NULL && strstr(masked, "}x") == NULL);
	free(masked);
	config_free(c);

	/* the port defaults to 1521; a plain password needs no braces */
	unsetenv("ZMC_ORACLE_PORT");
	setenv("ZMC_ORACLE_PASSWORD", "smart", 1);
	c = load("[database]\ndriver = Oracle\n", &conf);
	CHECK(c != NULL);
	if (c != NULL) {
		cs = db_connection_string(conf, 0, NULL);
		CHECK_STR(cs, "DRIVER={Oracle};DBQ=//10.101.1.42:1521/rb;"
		    "UID=zmc;PWD=smart;");
		free(cs);
		cs = db_connection_string(conf, 1, NULL);
		CHECK_STR(cs, "DRIVER={Oracle};DBQ=//10.101.1.42:1521/rb;"
		    "UID=zmc;PWD=********;");
		free(cs);
		config_free(c);
	}

	/* the file's [database] keys work the same way */
	env_clear();
	c = load("[database]\nhost = db.example\nport = 1600\n"
	    "service_name = ZMC\nusername = zmc\ndriver = Oracle 11g\n", &conf);
	CHECK(c != NULL);
	if (c != NULL) {
		cs = db_connection_string(conf, 1, NULL);
		CHECK_STR(cs, "DRIVER={Oracle 11g};DBQ=//db.example:1600/ZMC;UID=zmc;");
		free(cs);
		config_free(c);
	}
	env_clear();
}

/* Direct cases: precedence, IPv6, what is missing, masking of given strings. */
TEST(connection_string_cases)
{
	struct config c;
	char *cs, *err;

	conf_blank(&c);
	c.db_host = "10.1.1.1";
	c.db_service_name = "zmc";
	c.db_driver = "Oracle 19 ODBC driver";
	c.db_username = "zmc";
	c.db_password = SECRET;
	/* a DSN wins over host */
	c.db_dsn = "ZMC";
	cs = db_connection_string(&c, 1, NULL);
	CHECK_STR(cs, "DSN=ZMC;UID=zmc;PWD=********;");
	free(cs);
	/* a full connection string wins over both, and keeps its own PWD */
	c.db_connection = "DRIVER={Oracle};DBQ=ZMCDB;PWD=inline;";
	cs = db_connection_string(&c, 0, NULL);
	CHECK_STR(cs, "DRIVER={Oracle};DBQ=ZMCDB;PWD=inline;UID=zmc;");
	free(cs);
	cs = db_connection_string(&c, 1, NULL);
	CHECK_STR(cs, "DRIVER={Oracle};DBQ=ZMCDB;PWD=********;UID=zmc;");
	free(cs);
	c.db_connection = "";
	c.db_dsn = "";
	/* IPv6 literal gets brackets */
	c.db_host = "fd00::42";
	cs = db_connection_string(&c, 1, NULL);
	CHECK_STR(cs, "DRIVER={Oracle 19 ODBC driver};DBQ=//[fd00::42]:1521/zmc;"
	    "UID=zmc;PWD=********;");
	free(cs);
	c.db_host = "10.1.1.1";
	/* a driver name holding a brace stays one value */
	c.db_driver = "Odd}Name";
	cs = db_connection_string(&c, 0, NULL);
	CHECK(cs != NULL && strncmp(cs, "DRIVER={Odd}}Name};", 19) == 0);
	free(cs);
	c.db_driver = "Oracle";
	/* missing service name, driver, everything: NULL and a reason */
	c.db_service_name = "";
	err = NULL;
	CHECK(db_connection_string(&c, 1, &err) == NULL);
	CHECK(err != NULL && strstr(err, "database.service_name") != NULL &&
	    strstr(err, "ZMC_ORACLE_SERVICE_NAME") != NULL);
	free(err);
	c.db_service_name = "zmc";
	c.db_driver = "";
	err = NULL;
	CHECK(db_connection_string(&c, 1, &err) == NULL);
	CHECK(err != NULL && strstr(err, "database.driver") != NULL);
	free(err);
	c.db_host = "";
	err = NULL;
	CHECK(db_connection_string(&c, 0, &err) == NULL);
	CHECK(err != NULL && strstr(err, "database.host") != NULL);
	free(err);
	CHECK(db_connection_string(&c, 0, NULL) == NULL);	/* err optional */
}

/* Messages captured from the log while a hook is set. */
static struct buf logged;

static void
hook(void *arg, enum log_level l, const char *msg)
{
	buf_printf(&logged, "%s\n", msg);
}

/* Opens a fresh SQLite file through sqliteodbc with c's other settings. */
static struct db *
open_sqlite(struct config *c, char path[], char **cs)
{
	struct db *db;
	char *err = NULL;
	int fd;

	*cs = NULL;
	if ((fd = mkstemp(path)) == -1)
		return NULL;
	close(fd);
	*cs = xasprintf("Driver=SQLite3;Database=%s;Timeout=5000;StepAPI=1", path);
	c->db_connection = *cs;
	if ((db = db_open(c, &err)) == NULL)
		fprintf(stderr, "db_open: %s\n", err ? err : "?");
	free(err);
	return db;
}

/* NLS_LANG follows database.charset and is set when cron left it unset. */
TEST(nls_lang)
{
	char path[] = "/tmp/test_oracle_nls_XXXXXX";
	struct config c;
	struct db *db;
	char *err = NULL, *cs = NULL;

	CHECK_STR(db_nls_lang(NULL), "AMERICAN_AMERICA.AL32UTF8");
	CHECK_STR(db_nls_lang(""), "AMERICAN_AMERICA.AL32UTF8");
	CHECK_STR(db_nls_lang("UTF-8"), "AMERICAN_AMERICA.AL32UTF8");
	CHECK_STR(db_nls_lang("GBK"), "AMERICAN_AMERICA.ZHS16GBK");
	CHECK_STR(db_nls_lang("zhs16gbk"), "AMERICAN_AMERICA.ZHS16GBK");
	CHECK_STR(db_nls_lang("GB18030"), "AMERICAN_AMERICA.ZHS32GB18030");
	CHECK(db_nls_lang("KOI8-R") == NULL);

	/* db_open sets it before connecting, even when the connect fails */
	conf_blank(&c);
	c.db_dsn = "zmcsync_no_such_dsn";
	c.db_charset = "ZHS16GBK";
	unsetenv("NLS_LANG");
	CHECK(db_open(&c, &err) == NULL);
	free(err);
	CHECK_STR(getenv("NLS_LANG"), "AMERICAN_AMERICA.ZHS16GBK");

	/*
	 * An inherited NLS_LANG is kept; on an Oracle connection (sqliteodbc
	 * with the dialect forced) a mismatch is warned about.
	 */
	setenv("NLS_LANG", "SIMPLIFIED CHINESE_CHINA.AL32UTF8", 1);
	conf_blank(&c);
	c.db_dialect = "oracle";
	c.db_charset = "GBK";
	log_set_hook(hook, NULL);
	db = open_sqlite(&c, path, &cs);
	log_set_hook(NULL, NULL);
	CHECK(db != NULL);
	CHECK_STR(getenv("NLS_LANG"), "SIMPLIFIED CHINESE_CHINA.AL32UTF8");
	CHECK(logged.s != NULL && strstr(logged.s, "NLS_LANG=SIMPLIFIED "
	    "CHINESE_CHINA.AL32UTF8 does not match database.charset \"GBK\"") != NULL &&
	    strstr(logged.s, "ZHS16GBK") != NULL);
	buf_free(&logged);
	db_close(db);
	unlink(path);
	free(cs);
	/* a matching one is silent */
	c.db_charset = "UTF-8";
	strcpy(path + strlen(path) - 6, "XXXXXX");
	log_set_hook(hook, NULL);
	db = open_sqlite(&c, path, &cs);
	log_set_hook(NULL, NULL);
	CHECK(db != NULL);
	CHECK(logged.s == NULL || strstr(logged.s, "NLS_LANG") == NULL);
	buf_free(&logged);
	db_close(db);
	unlink(path);
	free(cs);
	/* so is a mismatch on a database that is not Oracle */
	c.db_dialect = "auto";
	c.db_charset = "GBK";
	strcpy(path + strlen(path) - 6, "XXXXXX");
	log_set_hook(hook, NULL);
	db = open_sqlite(&c, path, &cs);
	log_set_hook(NULL, NULL);
	CHECK(db != NULL && db_dialect(db) == DIALECT_SQLITE);
	CHECK(logged.s == NULL || strstr(logged.s, "NLS_LANG") == NULL);
	buf_free(&logged);
	db_close(db);
	unlink(path);
	free(cs);
	/* Oracle with a charset that has no Oracle name and no NLS_LANG */
	unsetenv("NLS_LANG");
	c.db_dialect = "oracle";
	c.db_charset = "KOI8-R";
	strcpy(path + strlen(path) - 6, "XXXXXX");
	log_set_hook(hook, NULL);
	db = open_sqlite(&c, path, &cs);
	log_set_hook(NULL, NULL);
	CHECK(db != NULL);
	CHECK(getenv("NLS_LANG") == NULL);
	CHECK(logged.s != NULL && strstr(logged.s, "NLS_LANG is not set") != NULL);
	buf_free(&logged);
	db_close(db);
	unlink(path);
	free(cs);
}

/* SQL_DBMS_NAME as Oracle's and other drivers report it. */
TEST(dialect_detection)
{
	CHECK_INT(dialect_from_dbms("Oracle"), DIALECT_ORACLE);
	CHECK_INT(dialect_from_dbms("ORACLE"), DIALECT_ORACLE);
	CHECK_INT(dialect_from_dbms("Oracle Database 11g Enterprise Edition"),
	    DIALECT_ORACLE);
	CHECK_INT(dialect_from_dbms("PostgreSQL"), DIALECT_POSTGRESQL);
	CHECK_INT(dialect_from_dbms("SQLite"), DIALECT_SQLITE);
	CHECK_INT(dialect_from_dbms("Microsoft SQL Server"), -1);
	CHECK_INT(dialect_from_dbms(""), -1);
	CHECK_INT(dialect_from_dbms(NULL), -1);
	CHECK_INT(dialect_parse("oracle"), DIALECT_ORACLE);
	CHECK_INT(dialect_parse("ORACLE"), DIALECT_ORACLE);
}

/*
 * The ROWNUM window: rows numbered 1..n by the inner ORDER BY; the page
 * keeps ROWNUM <= out[0] and then rn > out[1].  It must be exactly rows
 * offset+1 .. offset+limit, like LIMIT/OFFSET.
 */
TEST(paging_arithmetic)
{
	static const long long cases[][2] = {
		{ 10, 0 }, { 10, 30 }, { 1, 0 }, { 1, 99 }, { 100, 0 },
		{ 25, 90 }, { 7, 200 }, { 0, 5 },
	};
	long long v[2], w[2], r, n = 100, first, count;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long long limit = cases[i][0], offset = cases[i][1];

		dialect_page_values(DIALECT_ORACLE, limit, offset, v);
		first = 0;
		count = 0;
		for (r = 1; r <= n; r++)
			if (r <= v[0] && r > v[1]) {
				if (count++ == 0)
					first = r;
			}
		CHECK_INT(count, offset >= n ? 0 :
		    (limit < n - offset ? limit : n - offset));
		if (count > 0)
			CHECK_INT(first, offset + 1);
		dialect_page_values(DIALECT_SQLITE, limit, offset, w);
		CHECK(w[0] == limit && w[1] == offset);
		dialect_page_values(DIALECT_POSTGRESQL, limit, offset, w);
		CHECK(w[0] == limit && w[1] == offset);
	}
	dialect_page_values(DIALECT_ORACLE, 10, 30, v);
	CHECK(v[0] == 40 && v[1] == 30);
	/* never wraps */
	dialect_page_values(DIALECT_ORACLE, LLONG_MAX, 5, v);
	CHECK(v[0] == LLONG_MAX && v[1] == 5);
	dialect_page_values(DIALECT_ORACLE, -3, -4, v);
	CHECK(v[0] == 0 && v[1] == 0);
}

/* Runs the checker on text; its exit status (0 clean). */
static int
run_checker(const char *text)
{
	char path[] = "/tmp/test_oracle_sql_XXXXXX";
	char *cmd;
	FILE *f;
	int fd, rc;

	if ((fd = mkstemp(path)) == -1)
		return -1;
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	cmd = xasprintf("%s %s 2>&1", CHECKER, path);
	rc = system(cmd);
	free(cmd);
	unlink(path);
	return rc;
}

/* Upper-case copy of s with string literals blanked ('...' -> '   '). */
static char *
code_only(const char *s)
{
	char *u = xstrdup(s), *p;
	int inq = 0;

	for (p = u; *p != '\0'; p++) {
		if (*p == '\'') {
			inq = !inq;
			continue;
		}
		*p = inq ? ' ' : (char)toupper((unsigned char)*p);
	}
	return u;
}

/* 1 if word w occurs in u as a whole word. */
static int
has_word(const char *u, const char *w)
{
	size_t n = strlen(w);
	const char *p;

	for (p = u; (p = strstr(p, w)) != NULL; p += n) {
		int before = p > u && (isalnum((unsigned char)p[-1]) ||
		    p[-1] == '_');
		int after = isalnum((unsigned char)p[n]) || p[n] == '_';

		if (!before && !after)
			return 1;
	}
	return 0;
}

/* Counts "?" outside string literals. */
static int
markers(const char *s)
{
	int n = 0, inq = 0;

	for (; *s != '\0'; s++) {
		if (*s == '\'')
			inq = !inq;
		else if (*s == '?' && !inq)
			n++;
	}
	return n;
}

/* Every statement: subset checker, banned constructs, one clock, binds. */
TEST(statements)
{
	static const char *const banned[] = {
		"SYSDATE", "SYSTIMESTAMP", "CURRENT_DATE", "CURRENT_TIMESTAMP",
		"LOCALTIMESTAMP", "NOW", "DATETIME", "LIMIT", "OFFSET", "FETCH",
		"TRUE", "FALSE", "IDENTITY", "AUTOINCREMENT", "SERIAL", "CLOB",
		"NCLOB", "BOOLEAN", "RETURNING", "ILIKE", "TIMESTAMP",
		"INTERVAL",
	};
	static const char *const tfmt = "TO_DATE(?, 'YYYY-MM-DD HH24:MI:SS')";
	struct buf all = { 0 };
	const char *p;
	char *s, *u;
	size_t k;
	int id;

	for (id = 0; id < SQL__COUNT; id++) {
		const char *name = dialect_sql_name((enum sql_id)id);

		s = dialect_sql(DIALECT_ORACLE, (enum sql_id)id, NULL);
		CHECK(s != NULL);
		if (s == NULL)
			continue;
		buf_printf(&all, "-- %s\n%s\n/\n", name, s);
		u = code_only(s);
		/*
		 * The lease alone runs on the database's clock, in UTC, so
		 * that hosts with skewed clocks agree on its expiry: only
		 * in this one form, and only in the LEASE_ statements.
		 */
		if (strncmp(name, "LEASE_", 6) == 0) {
			static const char clock[] =
			    "CAST(SYS_EXTRACT_UTC(SYSTIMESTAMP) AS DATE)";
			char *c;

			CHECK(strstr(u, clock) != NULL);
			while ((c = strstr(u, clock)) != NULL)
				memset(c, ' ', sizeof(clock) - 1);
		}
		for (k = 0; k < sizeof(banned) / sizeof(banned[0]); k++)
			if (has_word(u, banned[k])) {
				fprintf(stderr, "%s: uses %s\n", name, banned[k]);
				CHECK(!has_word(u, banned[k]));
			}
		/* '' is NULL in Oracle: no statement may spell it */
		CHECK(strstr(s, "''") == NULL);
		CHECK(strchr(s, ';') == NULL && strchr(s, '"') == NULL);
		CHECK(strchr(s, ':') == NULL || strstr(s, "HH24:MI:SS") != NULL);
		/* every DATE parameter goes through the one fixed format */
		for (p = s; (p = strstr(p, "TO_DATE(")) != NULL; p++)
			CHECK(strncmp(p, tfmt, strlen(tfmt)) == 0);
		CHECK_INT(markers(s), dialect_sql_nparams((enum sql_id)id));
		/* 11g identifiers: at most 30 characters */
		for (p = u; *p != '\0'; ) {
			size_t n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$#");

			CHECK(n <= 30);
			p += n ? n : 1;
		}
		free(u);
		free(s);
	}
	CHECK_INT(run_checker(all.s), 0);
	buf_free(&all);
}

/* Ids come from the sequences init.sql creates; pages use ROWNUM. */
TEST(sequences_and_paging)
{
	static const struct {
		enum sql_id	 id;
		const char	*col, *seq, *table;
	} ins[] = {
		{ SQL_STATUS_INSERT, "SYNC_ID", "NM_ALARM_SYNC_STATUS_SEQ",
		    "NM_ALARM_SYNC_STATUS" },
		{ SQL_LOG_INSERT, "LOG_ID", "NM_ALARM_SYNC_LOG_SEQ",
		    "NM_ALARM_SYNC_LOG" },
		{ SQL_CONFIG_INSERT, "CONFIG_ID", "NM_ALARM_SYNC_CONFIG_SEQ",
		    "NM_ALARM_SYNC_CONFIG" },
	};
	char *init, *s, *want;
	size_t i;

	init = dialect_init_script(DIALECT_ORACLE, 0);
	CHECK(init != NULL);
	if (init == NULL)
		return;
	for (i = 0; i < sizeof(ins) / sizeof(ins[0]); i++) {
		s = dialect_sql(DIALECT_ORACLE, ins[i].id, NULL);
		want = xasprintf("INSERT INTO %s (%s, ", ins[i].table, ins[i].col);
		CHECK(s != NULL && strncmp(s, want, strlen(want)) == 0);
		free(want);
		want = xasprintf("VALUES (%s.NEXTVAL, ", ins[i].seq);
		CHECK(s != NULL && strstr(s, want) != NULL);
		free(want);
		/* init.sql creates that sequence for that table and id column */
		want = xasprintf("seq('%s', '%s', '%s');", ins[i].seq,
		    ins[i].table, ins[i].col);
		CHECK(strstr(init, want) != NULL);
		free(want);
		free(s);
	}
	CHECK(strstr(init, "seq('NM_ALARM_SYNC_MAPPING_SEQ', "
	    "'NM_ALARM_LABEL_MAPPING', 'MAPPING_ID');") != NULL);
	CHECK(strstr(init, "'CREATE SEQUENCE ' || s || ' START WITH ' || start_id") != NULL);
	free(init);

	s = dialect_sql(DIALECT_ORACLE, SQL_ACTIVE_PAGE, "ZMC.MY_VIEW");
	CHECK(s != NULL && strncmp(s, "SELECT * FROM (SELECT s.SYNC_ID AS ZS_SYNC_ID, ", 47) == 0);
	CHECK(s != NULL && strstr(s, " FROM ZMC.MY_VIEW v LEFT JOIN NM_ALARM_SYNC_STATUS s ") != NULL);
	CHECK(s != NULL && strstr(s, "ORDER BY v.ALARM_INST_ID) WHERE ROWNUM <= ?") != NULL);
	free(s);
	s = dialect_sql(DIALECT_ORACLE, SQL_ALARMS_LIST, NULL);
	CHECK(s != NULL && strncmp(s, "SELECT * FROM (SELECT q.*, ROWNUM rn FROM (", 43) == 0);
	CHECK(s != NULL && strstr(s, "DESC) q WHERE ROWNUM <= ?) WHERE rn > ?") != NULL);
	free(s);
	s = dialect_sql(DIALECT_ORACLE, SQL_PROBE_SOURCE, NULL);
	CHECK_STR(s, "SELECT * FROM (SELECT v.* FROM NM_ALARM_SYNC_SOURCE v) "
	    "WHERE ROWNUM <= 1");
	free(s);
	/* a view name that is not an identifier is refused, never spliced */
	CHECK(dialect_sql(DIALECT_ORACLE, SQL_ACTIVE_PAGE, "V; DROP TABLE X") == NULL);
	CHECK(dialect_sql(DIALECT_ORACLE, SQL_ACTIVE_PAGE, "a.b.c") == NULL);
}

/* The init script splits into SQL*Plus-style statements. */
TEST(init_script_shape)
{
	char *s, **v;
	size_t n, i, slashes = 0;
	const char *p;

	s = dialect_init_script(DIALECT_ORACLE, 0);
	CHECK(s != NULL);
	if (s == NULL)
		return;
	for (p = s; (p = strstr(p, "\n/\n")) != NULL; p += 2)
		slashes++;
	v = dialect_split_script(DIALECT_ORACLE, s, &n);
	CHECK(n > 10);
	CHECK_INT(n, slashes);
	for (i = 0; i < n; i++) {
		size_t len = strlen(v[i]);
		int plsql = strncmp(v[i], "DECLARE", 7) == 0 ||
		    strncmp(v[i], "BEGIN", 5) == 0;

		if (plsql)
			CHECK(len >= 4 && strcmp(v[i] + len - 4, "END;") == 0);
		else
			CHECK(len > 0 && v[i][len - 1] != ';');
		CHECK(strstr(v[i], "\n\n") == NULL);	/* SQL*Plus ends at a blank line */
	}
	CHECK(strstr(s, "CREATE VIEW NM_ALARM_SYNC_SOURCE AS") != NULL);
	/* SQL*Plus stops at the first error; init-db skips that command */
	CHECK(strstr(s, "\nWHENEVER SQLERROR EXIT FAILURE\n") != NULL);
	for (i = 0; i < n; i++)
		CHECK(strstr(v[i], "WHENEVER") == NULL);
	strv_free(v, n);
	free(s);
	v = dialect_split_script(DIALECT_ORACLE, "whenever sqlerror exit 1\n"
	    "CREATE SEQUENCE S\n/\nBEGIN\n  NULL;\nEND;\n/\n", &n);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(v[0], "CREATE SEQUENCE S");
		CHECK_STR(v[1], "BEGIN\n  NULL;\nEND;");
	}
	strv_free(v, n);
	/* no demo on oracle: there is no sample ZMC to create */
	log_set_hook(hook, NULL);
	s = dialect_init_script(DIALECT_ORACLE, 1);
	log_set_hook(NULL, NULL);
	CHECK(s == NULL);
	free(s);
	CHECK(logged.s != NULL && strstr(logged.s, "oracle/zmc.sql") != NULL);
	buf_free(&logged);
}

/*
 * The binds Oracle gets -- integers as decimal text, NULL integers as
 * NULL DECIMAL, times as wall-clock text -- through a real driver
 * (sqliteodbc with the dialect forced to oracle): values above 2^53
 * survive exactly, NULLs stay NULL.
 */
TEST(decimal_binds)
{
	char path[] = "/tmp/test_oracle_db_XXXXXX";
	struct config c;
	struct db *db;
	struct db_stmt *st;
	char *err = NULL, *cs;
	int64_t big = INT64_C(9007199254740993), v;
	time_t t = 1700000000, got;
	int fd;

	if ((fd = mkstemp(path)) == -1) {
		CHECK(fd != -1);
		return;
	}
	close(fd);
	cs = xasprintf("Driver=SQLite3;Database=%s;Timeout=5000;StepAPI=1", path);
	conf_blank(&c);
	c.db_connection = cs;
	c.db_dialect = "oracle";
	c.db_timezone = "Asia/Shanghai";
	db = db_open(&c, &err);
	CHECK(db != NULL);
	if (db == NULL) {
		fprintf(stderr, "db_open: %s\n", err ? err : "?");
		free(err);
		goto out;
	}
	free(err);
	CHECK(db_dialect(db) == DIALECT_ORACLE);
	CHECK(db_exec(db, "CREATE TABLE t (id INTEGER, n INTEGER, d TIMESTAMP)") == 0);
	st = db_prepare(db, "INSERT INTO t (id, n, d) VALUES (?, ?, ?)");
	CHECK(st != NULL);
	if (st != NULL) {
		CHECK(db_bind_int64(st, 1, big) == 0 &&
		    db_bind_null_int(st, 2) == 0 && db_bind_time(st, 3, t) == 0 &&
		    db_execute(st) == 0);
		CHECK_INT(db_rowcount(st), 1);
		db_stmt_reset(st);
		CHECK(db_bind_int64(st, 1, -42) == 0 &&
		    db_bind_int64(st, 2, 0) == 0 && db_bind_time(st, 3, 0) == 0 &&
		    db_execute(st) == 0);
		db_stmt_free(st);
	}
	st = db_prepare(db, "SELECT id, n, d FROM t WHERE id = ? OR ? IS NULL "
	    "ORDER BY id DESC");
	CHECK(st != NULL);
	if (st != NULL) {
		CHECK(db_bind_int64(st, 1, big) == 0 &&
		    db_bind_int64(st, 2, 1) == 0 && db_execute(st) == 0);
		CHECK_INT(db_fetch(st), 1);
		CHECK(db_col_int64(st, 0, &v) == 0 && v == big);
		CHECK_INT(db_col_int64(st, 1, &v), 1);		/* NULL */
		CHECK(db_col_time(st, 2, &got) == 0 && got == t);
		CHECK_STR(db_col_text(st, 2), "2023-11-15 06:13:20");	/* Shanghai wall clock */
		CHECK_INT(db_fetch(st), 0);
		db_stmt_free(st);
	}
	db_close(db);
out:
	unlink(path);
	free(cs);
}

int
main(void)
{
	RUN(connection_string_from_guide_env);
	RUN(connection_string_cases);
	RUN(nls_lang);
	RUN(dialect_detection);
	RUN(paging_arithmetic);
	RUN(statements);
	RUN(sequences_and_paging);
	RUN(init_script_shape);
	RUN(decimal_binds);
	return DONE();
}
