/*
 * test_dialect: every statement of every dialect exists, has the
 * documented number of markers, substitutes only a valid view name, and
 * the Oracle set passes test/oracle-subset-check (run from the top of
 * the tree, as test/run does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dialect.h"
#include "util.h"
#include "t.h"

#define CHECKER "test/oracle-subset-check"

/* Markers outside string literals. */
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

/* Runs the checker on text; returns its exit status (0 clean). */
static int
run_checker(const char *text, int quiet)
{
	char path[] = "/tmp/test_dialect_XXXXXX";
	char *cmd;
	FILE *f;
	int fd, rc;

	if ((fd = mkstemp(path)) == -1)
		return -1;
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	cmd = xasprintf("%s %s%s", CHECKER, path, quiet ? " 2>/dev/null" : " 2>&1");
	rc = system(cmd);
	free(cmd);
	unlink(path);
	return rc;
}

TEST(names_and_parse)
{
	CHECK_STR(dialect_name(DIALECT_SQLITE), "sqlite");
	CHECK_STR(dialect_name(DIALECT_POSTGRESQL), "postgresql");
	CHECK_STR(dialect_name(DIALECT_ORACLE), "oracle");
	CHECK_INT(dialect_parse("Oracle"), DIALECT_ORACLE);
	CHECK_INT(dialect_parse("postgresql"), DIALECT_POSTGRESQL);
	CHECK_INT(dialect_parse("mysql"), -1);
	CHECK_INT(dialect_from_dbms("SQLite"), DIALECT_SQLITE);
	CHECK_INT(dialect_from_dbms("PostgreSQL"), DIALECT_POSTGRESQL);
	CHECK_INT(dialect_from_dbms("Oracle"), DIALECT_ORACLE);
	CHECK_INT(dialect_from_dbms("Microsoft SQL Server"), -1);
	CHECK_STR(dialect_sql_name(SQL_ACTIVE_PAGE), "ACTIVE_PAGE");
	CHECK_STR(dialect_sql_name(SQL_PROBE_SOURCE), "PROBE_SOURCE");
	CHECK_STR(dialect_sql_name(SQL__COUNT), "UNKNOWN");
}

TEST(ident_valid)
{
	CHECK(dialect_ident_valid("NM_ALARM_SYNC_SOURCE"));
	CHECK(dialect_ident_valid("zmc.NM_ALARM_SYNC_SOURCE"));
	CHECK(dialect_ident_valid("V$X#1"));
	CHECK(!dialect_ident_valid(""));
	CHECK(!dialect_ident_valid("1abc"));
	CHECK(!dialect_ident_valid("a.b.c"));
	CHECK(!dialect_ident_valid("v; DROP TABLE x"));
	CHECK(!dialect_ident_valid("v--"));
	CHECK(!dialect_ident_valid("a."));
	CHECK(!dialect_ident_valid(NULL));
	CHECK(dialect_sql(DIALECT_SQLITE, SQL_ACTIVE_PAGE, "x y") == NULL);
}

/* Every statement of every dialect: present, marker count, unique names. */
TEST(all_statements)
{
	int d, id, id2;
	char *s;

	for (id = 0; id < SQL__COUNT; id++) {
		CHECK(dialect_sql_nparams((enum sql_id)id) >= 0);
		for (id2 = 0; id2 < id; id2++)
			CHECK(strcmp(dialect_sql_name((enum sql_id)id),
			    dialect_sql_name((enum sql_id)id2)) != 0);
		for (d = 0; d < DIALECT__COUNT; d++) {
			s = dialect_sql((enum dialect)d, (enum sql_id)id, "MY_VIEW");
			CHECK(s != NULL && strlen(s) > 10);
			if (s == NULL)
				continue;
			if (markers(s) != dialect_sql_nparams((enum sql_id)id))
				fprintf(stderr, "%s %s: %d markers, want %d: %s\n",
				    dialect_name((enum dialect)d),
				    dialect_sql_name((enum sql_id)id), markers(s),
				    dialect_sql_nparams((enum sql_id)id), s);
			CHECK_INT(markers(s), dialect_sql_nparams((enum sql_id)id));
			CHECK(strchr(s, '{') == NULL);	/* every token expanded */
			free(s);
		}
	}
	s = dialect_sql(DIALECT_SQLITE, SQL_ACTIVE_PAGE, "MY_VIEW");
	CHECK(strstr(s, "FROM MY_VIEW v") != NULL);
	CHECK(strstr(s, "LIMIT ?") != NULL);
	free(s);
	s = dialect_sql(DIALECT_ORACLE, SQL_ACTIVE_PAGE, NULL);
	CHECK(strstr(s, "FROM NM_ALARM_SYNC_SOURCE v") != NULL);
	CHECK(strstr(s, "ROWNUM <= ?") != NULL);
	free(s);
	s = dialect_sql(DIALECT_ORACLE, SQL_LOG_INSERT, NULL);
	CHECK(strstr(s, "NM_ALARM_SYNC_LOG_SEQ.NEXTVAL") != NULL);
	CHECK(strstr(s, "TO_DATE(?, 'YYYY-MM-DD HH24:MI:SS')") != NULL);
	free(s);
	s = dialect_sql(DIALECT_POSTGRESQL, SQL_LOGS_LIST, NULL);
	CHECK(strstr(s, "CAST(? AS BIGINT) IS NULL") != NULL);
	CHECK(strstr(s, "CAST(? AS TIMESTAMP) IS NULL") != NULL);
	free(s);
	s = dialect_sql(DIALECT_SQLITE, SQL_STATUS_INSERT, NULL);
	CHECK(strstr(s, "SYNC_ID") == NULL);	/* INTEGER PRIMARY KEY assigns it */
	free(s);
}

TEST(page_values)
{
	long long v[2];

	dialect_page_values(DIALECT_SQLITE, 10, 30, v);
	CHECK_INT(v[0], 10);
	CHECK_INT(v[1], 30);
	dialect_page_values(DIALECT_ORACLE, 10, 30, v);
	CHECK_INT(v[0], 40);
	CHECK_INT(v[1], 30);
}

/* The checker itself: it must reject each rule's bad snippet. */
TEST(checker_self_test)
{
	CHECK_INT(system(CHECKER " --self-test >/dev/null 2>&1"), 0);
	CHECK(run_checker("SELECT * FROM t LIMIT 1\n", 1) != 0);
	CHECK(run_checker("SELECT a FROM t AS x\n", 1) != 0);
	CHECK(run_checker("SELECT a FROM t WHERE b = ''\n", 1) != 0);
	CHECK(run_checker("SELECT a FROM t WHERE b = :x\n", 1) != 0);
	CHECK(run_checker("SELECT a FROM t x WHERE b = ?\n", 0) == 0);
}

/* Every Oracle statement passes the 11g subset rules. */
TEST(oracle_subset)
{
	struct buf b = { 0 };
	char *s;
	int id;

	for (id = 0; id < SQL__COUNT; id++) {
		s = dialect_sql(DIALECT_ORACLE, (enum sql_id)id, NULL);
		buf_printf(&b, "-- %s\n%s\n/\n", dialect_sql_name((enum sql_id)id), s);
		CHECK_INT(run_checker(s, 0), 0);
		free(s);
	}
	CHECK_INT(run_checker(b.s, 0), 0);
	buf_free(&b);
	/* The non-Oracle dialects do page with LIMIT: the checker sees it. */
	s = dialect_sql(DIALECT_SQLITE, SQL_ACTIVE_PAGE, NULL);
	CHECK(run_checker(s, 1) != 0);
	free(s);
}

TEST(split_script)
{
	char **v;
	size_t n;

	v = dialect_split_script(DIALECT_SQLITE,
	    "-- header\n\nCREATE TABLE a (x INT);\n-- note\nINSERT INTO a\n"
	    "VALUES (1);\n\n", &n);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(v[0], "CREATE TABLE a (x INT)");
		CHECK_STR(v[1], "INSERT INTO a\nVALUES (1)");
	}
	strv_free(v, n);
	v = dialect_split_script(DIALECT_ORACLE,
	    "CREATE SEQUENCE S\n/\nBEGIN\n  x;\nEND;\n/\n-- done\n", &n);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(v[0], "CREATE SEQUENCE S");
		CHECK_STR(v[1], "BEGIN\n  x;\nEND;");
	}
	strv_free(v, n);
	v = dialect_split_script(DIALECT_POSTGRESQL,
	    "CREATE FUNCTION f() RETURNS int AS $$\nBEGIN\n RETURN 1;\nEND;\n"
	    "$$ LANGUAGE plpgsql;\nSELECT 1;\n", &n);
	CHECK_INT(n, 2);
	if (n == 2)
		CHECK(strstr(v[0], "RETURN 1;") != NULL);
	strv_free(v, n);
}

TEST(init_scripts)
{
	char *s, **v;
	size_t n, i;
	int seen_view = 0, seen_zmc = 0;

	s = dialect_init_script(DIALECT_SQLITE, 0);
	CHECK(s != NULL);
	if (s == NULL)
		return;
	v = dialect_split_script(DIALECT_SQLITE, s, &n);
	CHECK(n >= 9);
	for (i = 0; i < n; i++) {
		if (strstr(v[i], "CREATE VIEW IF NOT EXISTS NM_ALARM_SYNC_SOURCE"))
			seen_view = 1;
		if (strstr(v[i], "NM_ALARM_CDR (") && strstr(v[i], "CREATE TABLE"))
			seen_zmc = 1;
	}
	CHECK(seen_view);
	CHECK(!seen_zmc);	/* ZMC tables only with --demo */
	strv_free(v, n);
	free(s);
	s = dialect_init_script(DIALECT_SQLITE, 1);
	CHECK(s != NULL && strstr(s, "CREATE TABLE IF NOT EXISTS NM_ALARM_CDR") != NULL &&
	    strstr(s, "CPU使用率过高") != NULL);
	/* zmc tables come before the view that reads them */
	CHECK(s != NULL && strstr(s, "NM_ALARM_CDR (") < strstr(s, "CREATE VIEW"));
	free(s);
}

int
main(void)
{
	RUN(names_and_parse);
	RUN(ident_valid);
	RUN(all_statements);
	RUN(page_values);
	RUN(checker_self_test);
	RUN(oracle_subset);
	RUN(split_script);
	RUN(init_scripts);
	return DONE();
}
