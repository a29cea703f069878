/*
 * db: the ODBC connection (unixODBC): connecting, the last error,
 * transactions, statements without parameters.  Its statements are in
 * dbstmt.c, the connection string in dbconn.c, the reading of driver
 * diagnostics in dbdiag.c.  Diagnostics never contain the password or
 * the connection string.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sql.h>
#include <sqlext.h>

#include "config.h"
#include "db.h"
#include "dbconn.h"
#include "dbdiag.h"
#include "dbpriv.h"
#include "dialect.h"
#include "log.h"
#include "secret.h"
#include "text.h"
#include "util.h"

/*
 * Removes every trace of a secret from a driver message or connection
 * string: connection-string passwords and registered secrets
 * (secret_redact), and this connection's password even when no
 * configuration registered it.  Returns a new string.
 */
static char *
mask_secrets(const char *msg, const char *password)
{
	return secret_redact_with(msg, password);
}

void
db_seterr(struct db *db, SQLSMALLINT type, SQLHANDLE h, const char *what)
{
	char *raw, *clean, *d;

	raw = dbdiag_collect(type, h, &db->lost, &db->busy);
	clean = mask_secrets(raw, db->password);
	free(raw);
	/* Drivers may answer in the database charset. */
	if ((d = text_to_utf8(clean, strlen(clean), NULL, 0)) == NULL)
		d = clean;
	else
		free(clean);
	free(db->err);
	if (what != NULL)
		db->err = xasprintf("database %s: %s: %s", db->name, what, d);
	else
		db->err = xasprintf("database %s: %s", db->name, d);
	free(d);
}

/* Sets a plain message as the last error. */
void
db_set_error(struct db *db, const char *fmt, ...)
{
	va_list ap;
	char m[1024];

	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	free(db->err);
	db->err = xasprintf("database %s: %s", db->name, m);
	db->lost = 0;
	db->busy = 0;
}

char *
db_connection_string(const struct config *cfg, int mask, char **err)
{
	char *cs, *name = NULL, *e = NULL, *masked;

	if (err != NULL)
		*err = NULL;
	cs = dbconn_build(cfg, &name, &e);
	free(name);
	if (cs == NULL) {
		if (err != NULL)
			*err = e;
		else
			free(e);
		return NULL;
	}
	if (!mask)
		return cs;
	masked = mask_secrets(cs, cfg->db_password);
	explicit_bzero(cs, strlen(cs));
	free(cs);
	return masked;
}

/*
 * database.charset (iconv or Oracle name) -> the NLS_LANG that makes the
 * Oracle client hand over text in exactly that character set.
 */
static const struct {
	const char	*charset;
	const char	*nls_lang;
} nls_langs[] = {
	{ "UTF-8",		"AMERICAN_AMERICA.AL32UTF8" },
	{ "UTF8",		"AMERICAN_AMERICA.AL32UTF8" },
	{ "AL32UTF8",		"AMERICAN_AMERICA.AL32UTF8" },
	{ "GBK",		"AMERICAN_AMERICA.ZHS16GBK" },
	{ "CP936",		"AMERICAN_AMERICA.ZHS16GBK" },
	{ "ZHS16GBK",		"AMERICAN_AMERICA.ZHS16GBK" },
	{ "GB18030",		"AMERICAN_AMERICA.ZHS32GB18030" },
	{ "ZHS32GB18030",	"AMERICAN_AMERICA.ZHS32GB18030" },
	{ "GB2312",		"AMERICAN_AMERICA.ZHS16CGB231280" },
	{ "EUC-CN",		"AMERICAN_AMERICA.ZHS16CGB231280" },
	{ "ZHS16CGB231280",	"AMERICAN_AMERICA.ZHS16CGB231280" },
	{ "BIG5",		"AMERICAN_AMERICA.ZHT16BIG5" },
	{ "ZHT16BIG5",		"AMERICAN_AMERICA.ZHT16BIG5" },
	{ "CP950",		"AMERICAN_AMERICA.ZHT16MSWIN950" },
	{ "ZHT16MSWIN950",	"AMERICAN_AMERICA.ZHT16MSWIN950" },
	{ "ISO-8859-1",		"AMERICAN_AMERICA.WE8ISO8859P1" },
	{ "LATIN1",		"AMERICAN_AMERICA.WE8ISO8859P1" },
	{ "WE8ISO8859P1",	"AMERICAN_AMERICA.WE8ISO8859P1" },
	{ "CP1252",		"AMERICAN_AMERICA.WE8MSWIN1252" },
	{ "WE8MSWIN1252",	"AMERICAN_AMERICA.WE8MSWIN1252" },
	{ "ASCII",		"AMERICAN_AMERICA.US7ASCII" },
	{ "US7ASCII",		"AMERICAN_AMERICA.US7ASCII" },
};

const char *
db_nls_lang(const char *charset)
{
	size_t i;

	if (charset == NULL || *charset == '\0')
		return "AMERICAN_AMERICA.AL32UTF8";
	for (i = 0; i < sizeof(nls_langs) / sizeof(nls_langs[0]); i++)
		if (str_eq_ci(charset, nls_langs[i].charset))
			return nls_langs[i].nls_lang;
	return NULL;
}

/*
 * The Oracle client reads NLS_LANG when it connects; unset, it talks
 * 7-bit ASCII and every Chinese character arrives as '?'.  Sets it to
 * match database.charset when cron left it unset.  Before connecting,
 * so whatever the dialect turns out to be (other drivers ignore it).
 */
static void
nls_lang_setup(const struct config *cfg)
{
	const char *have = getenv("NLS_LANG"), *want;

	want = db_nls_lang(cfg->db_charset);
	if ((have == NULL || *have == '\0') && want != NULL) {
		setenv("NLS_LANG", want, 1);
		log_debug("database: NLS_LANG unset, using %s", want);
	}
}

/* On Oracle: warns when NLS_LANG is missing or disagrees with database.charset. */
static void
nls_lang_check(const struct db *db, const struct config *cfg)
{
	const char *have = getenv("NLS_LANG"), *want, *hc, *wc;
	const char *cs = cfg->db_charset ? cfg->db_charset : "";

	if (db->dialect != DIALECT_ORACLE)
		return;
	want = db_nls_lang(cs);
	if (have == NULL || *have == '\0') {
		log_warn("database %s: NLS_LANG is not set and database.charset "
		    "\"%s\" has no known Oracle name: set NLS_LANG, or "
		    "non-ASCII text arrives as '?'", db->name, cs);
		return;
	}
	if (want == NULL)
		return;
	hc = strrchr(have, '.');
	wc = strrchr(want, '.');
	if (hc == NULL || !str_eq_ci(hc, wc))
		log_warn("database %s: NLS_LANG=%s does not match "
		    "database.charset \"%s\" (expected %s): text would be "
		    "garbled", db->name, have, cs, want);
}

struct db *
db_open(const struct config *cfg, char **err)
{
	return db_open_wait(cfg, 0, err);
}

struct db *
db_open_wait(const struct config *cfg, int lock_wait_ms, char **err)
{
	struct db *db;
	char *cs, *name;
	SQLCHAR out[1024];
	SQLSMALLINT outlen;
	SQLRETURN rc;
	int d;

	*err = NULL;
	if ((cs = dbconn_build(cfg, &name, err)) == NULL)
		return NULL;
	if (lock_wait_ms > 0 && dbconn_is_sqlite(cfg, cs))
		cs = dbconn_set_timeout(cs, lock_wait_ms);
	db = xcalloc(1, sizeof(*db));
	db->name = name;
	db->password = xstrdup(cfg->db_password ? cfg->db_password : "");
	db->tz = xstrdup(cfg->db_timezone ? cfg->db_timezone : "");
	db->charset = xstrdup(cfg->db_charset ? cfg->db_charset : "");
	db->timeout = cfg->db_timeout;

	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &db->env)) ||
	    !SQL_SUCCEEDED(SQLSetEnvAttr(db->env, SQL_ATTR_ODBC_VERSION,
	    (SQLPOINTER)SQL_OV_ODBC3, 0)) ||
	    !SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, db->env, &db->dbc))) {
		*err = xasprintf("database %s: cannot allocate ODBC handles", name);
		goto fail;
	}
	if (db->timeout > 0) {
		SQLSetConnectAttr(db->dbc, SQL_ATTR_LOGIN_TIMEOUT,
		    (SQLPOINTER)(SQLULEN)db->timeout, 0);
		SQLSetConnectAttr(db->dbc, SQL_ATTR_CONNECTION_TIMEOUT,
		    (SQLPOINTER)(SQLULEN)db->timeout, 0);
	}
	nls_lang_setup(cfg);
	{
		char *shown = mask_secrets(cs, cfg->db_password);

		log_debug("database %s: connecting with %s", name, shown);
		free(shown);
	}
	rc = SQLDriverConnect(db->dbc, NULL, (SQLCHAR *)cs, SQL_NTS, out,
	    sizeof(out), &outlen, SQL_DRIVER_NOPROMPT);
	explicit_bzero(out, sizeof(out));
	if (!SQL_SUCCEEDED(rc)) {
		db_seterr(db, SQL_HANDLE_DBC, db->dbc, "connect");
		*err = db->err;
		db->err = NULL;
		goto fail;
	}
	db->connected = 1;
	explicit_bzero(cs, strlen(cs));
	free(cs);
	cs = NULL;

	if (!SQL_SUCCEEDED(SQLGetInfo(db->dbc, SQL_DBMS_NAME, db->dbms,
	    sizeof(db->dbms), NULL)))
		db->dbms[0] = '\0';
	if (!SQL_SUCCEEDED(SQLGetInfo(db->dbc, SQL_DBMS_VER, db->dbms_ver,
	    sizeof(db->dbms_ver), NULL)))
		db->dbms_ver[0] = '\0';
	if (cfg->db_dialect != NULL && cfg->db_dialect[0] != '\0' &&
	    !str_eq_ci(cfg->db_dialect, "auto")) {
		if ((d = dialect_parse(cfg->db_dialect)) < 0) {
			*err = xasprintf("database %s: database.dialect: %s: "
			    "not one of sqlite, postgresql, oracle", name,
			    cfg->db_dialect);
			goto fail;
		}
	} else if ((d = dialect_from_dbms(db->dbms)) < 0) {
		*err = xasprintf("database %s: unknown DBMS \"%s\" "
		    "(set database.dialect)", name, db->dbms);
		goto fail;
	}
	db->dialect = (enum dialect)d;
	nls_lang_check(db, cfg);
	db->err = xasprintf("database %s: no error", name);
	/*
	 * SQLite's page cache (2 MB by default) is the one part of a run's
	 * memory that grows with the database; a run reads each page once,
	 * in key order, so a small cache costs nothing.
	 */
	if (db->dialect == DIALECT_SQLITE && db_exec(db, "PRAGMA cache_size = -256") != 0)
		log_debug("%s", db->err);
	/*
	 * A run executes its page statements hundreds of times; after five
	 * executions PostgreSQL may switch a prepared statement to a generic
	 * plan that cannot see the page's key and limit and scans the whole
	 * view per page.  Custom plans keep each page an index range (the
	 * setting exists from PostgreSQL 12 on; older servers plan per
	 * execution anyway for these statements, so a failure is harmless).
	 */
	if (db->dialect == DIALECT_POSTGRESQL &&
	    db_exec(db, "SET plan_cache_mode = force_custom_plan") != 0)
		log_debug("%s", db->err);
	if (lock_wait_ms > 0 && db_set_lock_wait(db, lock_wait_ms) != 0)
		log_debug("%s", db->err);
	return db;
fail:
	if (cs != NULL) {
		explicit_bzero(cs, strlen(cs));
		free(cs);
	}
	db_close(db);
	return NULL;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	if (db->connected) {
		if (db->in_txn)
			SQLEndTran(SQL_HANDLE_DBC, db->dbc, SQL_ROLLBACK);
		SQLDisconnect(db->dbc);
	}
	if (db->dbc != NULL)
		SQLFreeHandle(SQL_HANDLE_DBC, db->dbc);
	if (db->env != NULL)
		SQLFreeHandle(SQL_HANDLE_ENV, db->env);
	if (db->password != NULL) {
		explicit_bzero(db->password, strlen(db->password));
		free(db->password);
	}
	free(db->name);
	free(db->tz);
	free(db->charset);
	free(db->err);
	free(db);
}

enum dialect
db_dialect(const struct db *db)
{
	return db->dialect;
}

const char *
db_dbms_name(const struct db *db)
{
	return db->dbms;
}

const char *
db_dbms_version(const struct db *db)
{
	return db->dbms_ver;
}

const char *
db_error(const struct db *db)
{
	if (db == NULL)
		return "database: not connected";
	return db->err ? db->err : "database: no error";
}

int
db_lost(const struct db *db)
{
	return db != NULL && db->lost;
}

int
db_busy(const struct db *db)
{
	return db != NULL && db->busy;
}

int
db_set_lock_wait(struct db *db, int ms)
{
	char sql[64];

	switch (db->dialect) {
	case DIALECT_SQLITE:
		/* Replaces the wait of the driver's Timeout= option. */
		snprintf(sql, sizeof(sql), "PRAGMA busy_timeout = %d", ms);
		break;
	case DIALECT_POSTGRESQL:
		snprintf(sql, sizeof(sql), "SET lock_timeout = %d", ms);
		break;
	default:
		/* Oracle: readers never wait for writers. */
		return 0;
	}
	return db_exec(db, sql);
}

char *
db_to_charset(struct db *db, const char *s)
{
	char *t;

	if (db->charset[0] == '\0' || str_eq_ci(db->charset, "UTF-8") ||
	    str_eq_ci(db->charset, "UTF8"))
		return xstrdup(s);
	if ((t = text_from_utf8(s, db->charset)) == NULL)
		return xstrdup(s);
	return t;
}

int
db_exec(struct db *db, const char *sql)
{
	SQLHSTMT h;
	SQLRETURN rc;
	char *t;

	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, db->dbc, &h))) {
		db_seterr(db, SQL_HANDLE_DBC, db->dbc, NULL);
		return -1;
	}
	if (db->timeout > 0)
		SQLSetStmtAttr(h, SQL_ATTR_QUERY_TIMEOUT,
		    (SQLPOINTER)(SQLULEN)db->timeout, 0);
	t = db_to_charset(db, sql);
	db->nexec++;
	rc = SQLExecDirect(h, (SQLCHAR *)t, SQL_NTS);
	free(t);
	if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA) {
		db_seterr(db, SQL_HANDLE_STMT, h, NULL);
		SQLFreeHandle(SQL_HANDLE_STMT, h);
		return -1;
	}
	SQLFreeHandle(SQL_HANDLE_STMT, h);
	return 0;
}

int
db_begin(struct db *db)
{
	if (db->in_txn) {
		db_set_error(db, "transaction already open");
		return -1;
	}
	if (!SQL_SUCCEEDED(SQLSetConnectAttr(db->dbc, SQL_ATTR_AUTOCOMMIT,
	    (SQLPOINTER)SQL_AUTOCOMMIT_OFF, 0))) {
		db_seterr(db, SQL_HANDLE_DBC, db->dbc, "begin");
		return -1;
	}
	db->in_txn = 1;
	return 0;
}

/* Ends the transaction with how (SQL_COMMIT / SQL_ROLLBACK); 0/-1. */
static int
db_end(struct db *db, SQLSMALLINT how)
{
	int r = 0;

	if (!db->in_txn)
		return 0;
	if (!SQL_SUCCEEDED(SQLEndTran(SQL_HANDLE_DBC, db->dbc, how))) {
		db_seterr(db, SQL_HANDLE_DBC, db->dbc,
		    how == SQL_COMMIT ? "commit" : "rollback");
		r = -1;
		if (how == SQL_COMMIT)
			SQLEndTran(SQL_HANDLE_DBC, db->dbc, SQL_ROLLBACK);
	}
	db->in_txn = 0;
	if (!SQL_SUCCEEDED(SQLSetConnectAttr(db->dbc, SQL_ATTR_AUTOCOMMIT,
	    (SQLPOINTER)SQL_AUTOCOMMIT_ON, 0)) && r == 0) {
		db_seterr(db, SQL_HANDLE_DBC, db->dbc, "autocommit");
		r = -1;
	}
	return r;
}

int
db_commit(struct db *db)
{
	return db_end(db, SQL_COMMIT);
}

int
db_rollback(struct db *db)
{
	/* Keep the error that made the caller roll back. */
	char *keep = db->err ? xstrdup(db->err) : NULL;
	int lost = db->lost, r;

	r = db_end(db, SQL_ROLLBACK);
	if (r == 0 && keep != NULL) {
		free(db->err);
		db->err = keep;
		db->lost = lost;
	} else
		free(keep);
	return r;
}

unsigned long
db_statements(const struct db *db)
{
	return db != NULL ? db->nexec : 0;
}
