/*
 * db: the ODBC edge (unixODBC).  Every value is a bound parameter; text
 * is converted between database.charset and UTF-8 here, and DATE /
 * TIMESTAMP values are read as ODBC timestamp structs (never as the
 * driver's character form, which depends on NLS settings) and carried as
 * canonical "YYYY-MM-DD HH:MM:SS" wall-clock text of database.timezone.
 * Diagnostics never contain the password or the connection string.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sql.h>
#include <sqlext.h>

#include "config.h"
#include "db.h"
#include "dialect.h"
#include "log.h"
#include "secret.h"
#include "text.h"
#include "util.h"

struct db {
	SQLHENV		 env;
	SQLHDBC		 dbc;
	int		 connected;	/* SQLDriverConnect succeeded */
	int		 in_txn;	/* autocommit off */
	enum dialect	 dialect;
	char		*name;		/* "dsn" or driver name, for messages */
	char		*password;	/* to mask it in driver messages */
	char		*tz;		/* database.timezone ("" system) */
	char		*charset;	/* database.charset ("" UTF-8) */
	int		 timeout;	/* query timeout, seconds */
	unsigned long	 nexec;		/* statements executed (db_statements) */
	char		 dbms[128];	/* SQL_DBMS_NAME */
	char		 dbms_ver[128];	/* SQL_DBMS_VER */
	char		*err;		/* last error, "database NAME: ..." */
	int		 lost;		/* last error means the connection is gone */
	int		 busy;		/* last error is a lock wait that ran out */
};

/* One bound parameter; bound to the driver only at execute time. */
struct db_param {
	enum {
		P_UNSET = 0,	/* never bound: execute fails */
		P_TEXT,		/* text (database charset) */
		P_INT,		/* 64-bit integer */
		P_DECIMAL,	/* integer as decimal text (oracle) */
		P_NULLTEXT,	/* NULL of a text/time parameter */
		P_NULLINT	/* NULL of an integer parameter */
	}		 kind;
	char		*text;		/* P_TEXT, P_DECIMAL */
	SQLBIGINT	 i;		/* P_INT */
	SQLLEN		 ind;		/* length indicator / SQL_NULL_DATA */
};

struct db_stmt {
	struct db	*db;
	SQLHSTMT	 h;
	struct db_param	*params;	/* 1-based index - 1 */
	size_t		 paramsz;
	size_t		 paramcap;
	int		 ncols;		/* columns of the result, 0 if none */
	char		**colnames;
	SQLSMALLINT	*coltypes;	/* SQL data type per column */
	char		**vals;		/* current row, UTF-8 text, NULL = SQL NULL */
	int		 open;		/* a cursor may be open */
};

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

/*
 * Oracle errors that mean the session is gone, whatever SQLSTATE the
 * driver puts on them (Oracle's driver often says HY000).
 */
static const char *const ora_lost_codes[] = {
	"ORA-00028",	/* your session has been killed */
	"ORA-01012",	/* not logged on */
	"ORA-01033",	/* initialization or shutdown in progress */
	"ORA-01034",	/* ORACLE not available */
	"ORA-01089",	/* immediate shutdown in progress */
	"ORA-02396",	/* exceeded maximum idle time */
	"ORA-03113",	/* end-of-file on communication channel */
	"ORA-03114",	/* not connected to ORACLE */
	"ORA-03135",	/* connection lost contact */
	"ORA-12537",	/* TNS:connection closed */
	"ORA-12541",	/* TNS:no listener */
	"ORA-12547",	/* TNS:lost contact */
	"ORA-12571",	/* TNS:packet writer failure */
};

/* 1 if msg carries one of ora_lost_codes. */
static int
ora_lost(const char *msg)
{
	size_t i;

	for (i = 0; i < sizeof(ora_lost_codes) / sizeof(ora_lost_codes[0]); i++)
		if (strstr(msg, ora_lost_codes[i]) != NULL)
			return 1;
	return 0;
}

/* 1 if a SQLSTATE / message pair means the connection is gone. */
static int
state_lost(const char *state, const char *msg)
{
	if (strncmp(state, "08", 2) == 0)
		return 1;
	/* PostgreSQL: admin shutdown, crash shutdown, cannot connect now. */
	if (strncmp(state, "57P0", 4) == 0)
		return 1;
	/* psqlODBC reports a dropped session as HY000 "The connection has been lost". */
	if (strcmp(state, "HY000") == 0 &&
	    (strstr(msg, "no connection") != NULL ||
	    strstr(msg, "could not send") != NULL ||
	    strstr(msg, "server closed the connection") != NULL ||
	    strstr(msg, "connection to the server was lost") != NULL ||
	    strstr(msg, "connection has been lost") != NULL))
		return 1;
	return ora_lost(msg);
}

/*
 * 1 if a SQLSTATE / message pair says a lock held by another session
 * made the statement give up: SQLite's "database is locked" (SQLITE_BUSY,
 * after the driver's Timeout) and "database table is locked", ODBC's
 * timeout states, PostgreSQL's lock_not_available and statement timeout,
 * Oracle's "resource busy".
 */
static int
state_busy(const char *state, const char *msg)
{
	return strcmp(state, "HYT00") == 0 || strcmp(state, "HYT01") == 0 ||
	    strcmp(state, "55P03") == 0 || strcmp(state, "57014") == 0 ||
	    strstr(msg, "database is locked") != NULL ||
	    strstr(msg, "database table is locked") != NULL ||
	    strstr(msg, "ORA-00054") != NULL || strstr(msg, "ORA-30006") != NULL;
}

/*
 * Makes a driver message one line: psqlODBC joins its messages with
 * ";\n" and the server's DETAIL/HINT lines end in newlines.
 */
static void
flatten(SQLCHAR *msg)
{
	char *s = (char *)msg, *w = s;
	size_t n;

	for (; *s != '\0'; s++) {
		if (*s == '\n' || *s == '\r' || *s == '\t') {
			if (w > (char *)msg && w[-1] != ' ')
				*w++ = ' ';
		} else
			*w++ = *s;
	}
	*w = '\0';
	n = strlen((char *)msg);
	while (n > 0 && msg[n - 1] == ' ')
		msg[--n] = '\0';
}

/*
 * Collects all diagnostic records of handle into an allocated
 * "[STATE] message; [STATE] message" string (secrets masked) and tells
 * whether one means a lost connection.
 */
static char *
diag_text(SQLSMALLINT type, SQLHANDLE h, const char *password, int *lost,
    int *busy)
{
	struct buf b = { 0 };
	SQLCHAR state[6], msg[1024];
	SQLINTEGER native;
	SQLSMALLINT len;
	SQLSMALLINT i;
	char *clean, *out;

	*lost = 0;
	*busy = 0;
	for (i = 1; i < 20; i++) {
		SQLRETURN rc = SQLGetDiagRec(type, h, i, state, &native, msg,
		    sizeof(msg), &len);
		if (!SQL_SUCCEEDED(rc))
			break;
		if (state_lost((char *)state, (char *)msg))
			*lost = 1;
		if (state_busy((char *)state, (char *)msg))
			*busy = 1;
		flatten(msg);
		if (b.len > 0)
			buf_puts(&b, "; ");
		buf_printf(&b, "[%s] %s", (char *)state, (char *)msg);
	}
	if (b.s == NULL)
		buf_puts(&b, "unknown error (no diagnostics)");
	clean = mask_secrets(b.s, password);
	buf_free(&b);
	/* Drivers may answer in the database charset. */
	out = text_to_utf8(clean, strlen(clean), NULL, 0);
	if (out == NULL)
		return clean;
	free(clean);
	return out;
}

/* Records the diagnostics of a failed call as the last error. */
static void
db_seterr(struct db *db, SQLSMALLINT type, SQLHANDLE h, const char *what)
{
	char *d = diag_text(type, h, db->password, &db->lost, &db->busy);

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

/* Appends KEY=value; to b, brace-quoting values that need it. */
static void
connstr_add(struct buf *b, const char *key, const char *val)
{
	const char *p;

	if (val == NULL || *val == '\0')
		return;
	if (strpbrk(val, ";{}= ") == NULL && !isspace((unsigned char)val[0])) {
		buf_printf(b, "%s=%s;", key, val);
		return;
	}
	buf_printf(b, "%s={", key);
	for (p = val; *p != '\0'; p++) {
		if (*p == '}')
			buf_puts(b, "}}");
		else
			buf_add(b, p, 1);
	}
	buf_puts(b, "};");
}

/* Appends KEY={value}; always brace-quoted (DRIVER={Oracle 19 ODBC driver}). */
static void
connstr_add_braced(struct buf *b, const char *key, const char *val)
{
	const char *p;

	buf_printf(b, "%s={", key);
	for (p = val; *p != '\0'; p++) {
		if (*p == '}')
			buf_puts(b, "}}");
		else
			buf_add(b, p, 1);
	}
	buf_puts(b, "};");
}

/* Value of KEY= in a connection string (braces removed), or NULL; caller frees. */
static char *
connstr_get(const char *cs, const char *key)
{
	size_t klen = strlen(key);
	const char *p = cs, *e;

	while (*p != '\0') {
		while (*p == ';' || *p == ' ')
			p++;
		if (strncasecmp(p, key, klen) == 0 && p[klen] == '=') {
			p += klen + 1;
			if (*p == '{') {
				p++;
				e = strchr(p, '}');
			} else
				e = strchr(p, ';');
			if (e == NULL)
				e = p + strlen(p);
			return xstrndup(p, (size_t)(e - p));
		}
		if ((e = strchr(p, ';')) == NULL)
			break;
		p = e + 1;
	}
	return NULL;
}

/* Builds the connection string and the display name; NULL + *err if not configured. */
static char *
build_connstr(const struct config *cfg, char **name, char **err)
{
	struct buf b = { 0 };
	char *v;

	*name = NULL;
	if (cfg->db_connection != NULL && cfg->db_connection[0] != '\0') {
		buf_puts(&b, cfg->db_connection);
		if (b.len > 0 && b.s[b.len - 1] != ';')
			buf_puts(&b, ";");
		if ((v = connstr_get(cfg->db_connection, "DSN")) != NULL)
			*name = v;
		else if ((v = connstr_get(cfg->db_connection, "DRIVER")) != NULL)
			*name = v;
		else
			*name = xstrdup("odbc");
		if ((v = connstr_get(cfg->db_connection, "UID")) == NULL)
			connstr_add(&b, "UID", cfg->db_username);
		free(v);
		if ((v = connstr_get(cfg->db_connection, "PWD")) == NULL)
			connstr_add(&b, "PWD", cfg->db_password);
		free(v);
		return buf_release(&b);
	}
	if (cfg->db_dsn != NULL && cfg->db_dsn[0] != '\0') {
		connstr_add(&b, "DSN", cfg->db_dsn);
		*name = xstrdup(cfg->db_dsn);
	} else if (cfg->db_host != NULL && cfg->db_host[0] != '\0') {
		char *dbq;
		int v6;

		/* Oracle without a DSN: EZConnect //host:port/service_name. */
		if (cfg->db_driver == NULL || cfg->db_driver[0] == '\0') {
			*err = xstrdup("database: database.host is set but "
			    "database.driver (the ODBC driver name) is empty");
			return NULL;
		}
		if (cfg->db_service_name == NULL ||
		    cfg->db_service_name[0] == '\0') {
			*err = xstrdup("database: database.host is set but "
			    "database.service_name (ZMC_ORACLE_SERVICE_NAME) "
			    "is empty");
			return NULL;
		}
		/* An IPv6 address needs brackets before the port. */
		v6 = strchr(cfg->db_host, ':') != NULL && cfg->db_host[0] != '[';
		dbq = xasprintf("//%s%s%s:%d/%s", v6 ? "[" : "", cfg->db_host,
		    v6 ? "]" : "", cfg->db_port > 0 ? cfg->db_port : 1521,
		    cfg->db_service_name);
		connstr_add_braced(&b, "DRIVER", cfg->db_driver);
		connstr_add(&b, "DBQ", dbq);
		*name = xasprintf("%s %s", cfg->db_driver, dbq);
		free(dbq);
	} else {
		*err = xstrdup("database: none configured (set database.dsn, "
		    "database.connection or database.host)");
		return NULL;
	}
	connstr_add(&b, "UID", cfg->db_username);
	connstr_add(&b, "PWD", cfg->db_password);
	return buf_release(&b);
}

char *
db_connection_string(const struct config *cfg, int mask, char **err)
{
	char *cs, *name = NULL, *e = NULL, *masked;

	if (err != NULL)
		*err = NULL;
	cs = build_connstr(cfg, &name, &e);
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

/* 1 if the connection string or database.dialect names SQLite. */
static int
is_sqlite(const struct config *cfg, const char *cs)
{
	char *drv = connstr_get(cs, "DRIVER"), *p;
	int yes;

	if (cfg->db_dialect != NULL && str_eq_ci(cfg->db_dialect, "sqlite"))
		yes = 1;
	else if (drv == NULL)
		yes = 0;
	else {
		for (p = drv; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		yes = strstr(drv, "sqlite") != NULL;
	}
	free(drv);
	return yes;
}

/*
 * cs with sqliteodbc's Timeout= (its busy wait, ms, also spent while
 * connecting) set to ms, replacing the one given.  Takes cs over.
 */
static char *
connstr_timeout(char *cs, int ms)
{
	struct buf b = { 0 };
	const char *p = cs, *e;

	while (*p != '\0') {
		e = p + strcspn(p, ";");
		if (*e == ';')
			e++;
		while (*p == ' ')
			p++;
		if (strncasecmp(p, "Timeout", 7) != 0 ||
		    p[7 + strspn(p + 7, " ")] != '=')
			buf_add(&b, p, (size_t)(e - p));
		p = e;
	}
	if (b.len > 0 && b.s[b.len - 1] != ';')
		buf_puts(&b, ";");
	buf_printf(&b, "Timeout=%d;", ms);
	explicit_bzero(cs, strlen(cs));
	free(cs);
	return buf_release(&b);
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
	if ((cs = build_connstr(cfg, &name, err)) == NULL)
		return NULL;
	if (lock_wait_ms > 0 && is_sqlite(cfg, cs))
		cs = connstr_timeout(cs, lock_wait_ms);
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

/* The text to send for UTF-8 s: converted to database.charset; caller frees. */
static char *
to_db_charset(struct db *db, const char *s)
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
	t = to_db_charset(db, sql);
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

struct db_stmt *
db_prepare(struct db *db, const char *sql)
{
	struct db_stmt *st;
	char *t;
	SQLRETURN rc;

	st = xcalloc(1, sizeof(*st));
	st->db = db;
	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, db->dbc, &st->h))) {
		db_seterr(db, SQL_HANDLE_DBC, db->dbc, NULL);
		free(st);
		return NULL;
	}
	if (db->timeout > 0)
		SQLSetStmtAttr(st->h, SQL_ATTR_QUERY_TIMEOUT,
		    (SQLPOINTER)(SQLULEN)db->timeout, 0);
	t = to_db_charset(db, sql);
	rc = SQLPrepare(st->h, (SQLCHAR *)t, SQL_NTS);
	free(t);
	if (!SQL_SUCCEEDED(rc)) {
		db_seterr(db, SQL_HANDLE_STMT, st->h, NULL);
		SQLFreeHandle(SQL_HANDLE_STMT, st->h);
		free(st);
		return NULL;
	}
	return st;
}

/* Frees the current row's values. */
static void
row_clear(struct db_stmt *st)
{
	int i;

	if (st->vals == NULL)
		return;
	for (i = 0; i < st->ncols; i++) {
		free(st->vals[i]);
		st->vals[i] = NULL;
	}
}

/* Forgets the result set description. */
static void
cols_clear(struct db_stmt *st)
{
	int i;

	row_clear(st);
	for (i = 0; i < st->ncols && st->colnames != NULL; i++)
		free(st->colnames[i]);
	free(st->colnames);
	free(st->coltypes);
	free(st->vals);
	st->colnames = NULL;
	st->coltypes = NULL;
	st->vals = NULL;
	st->ncols = 0;
}

/* Frees parameter buffers (after SQL_RESET_PARAMS). */
static void
params_clear(struct db_stmt *st)
{
	size_t i;

	for (i = 0; i < st->paramsz; i++)
		free(st->params[i].text);
	free(st->params);
	st->params = NULL;
	st->paramsz = st->paramcap = 0;
}

void
db_stmt_free(struct db_stmt *st)
{
	if (st == NULL)
		return;
	SQLFreeStmt(st->h, SQL_CLOSE);
	SQLFreeHandle(SQL_HANDLE_STMT, st->h);
	cols_clear(st);
	params_clear(st);
	free(st);
}

/* The cleared slot of 1-based parameter idx; NULL if idx < 1. */
static struct db_param *
param_slot(struct db_stmt *st, int idx)
{
	struct db_param *p;
	size_t i, old;

	if (idx < 1) {
		db_set_error(st->db, "bad parameter index %d", idx);
		return NULL;
	}
	if ((size_t)idx > st->paramsz) {
		old = st->paramcap;
		st->params = xreallocarray_grow(st->params, &st->paramcap,
		    (size_t)idx, sizeof(*st->params));
		for (i = old; i < st->paramcap; i++)
			memset(&st->params[i], 0, sizeof(st->params[i]));
		st->paramsz = (size_t)idx;
	}
	p = &st->params[idx - 1];
	free(p->text);
	memset(p, 0, sizeof(*p));
	return p;
}

/* Binds every parameter to the driver (buffers are stable now); 0/-1. */
static int
bind_all(struct db_stmt *st)
{
	struct db_param *p;
	SQLRETURN rc = SQL_SUCCESS;
	SQLUSMALLINT n;
	size_t i, len;
	static char empty[1];

	for (i = 0; i < st->paramsz; i++) {
		p = &st->params[i];
		n = (SQLUSMALLINT)(i + 1);
		switch (p->kind) {
		case P_UNSET:
			db_set_error(st->db, "parameter %zu not bound", i + 1);
			return -1;
		case P_TEXT:
		case P_DECIMAL:
			len = strlen(p->text);
			p->ind = (SQLLEN)len;
			rc = SQLBindParameter(st->h, n, SQL_PARAM_INPUT,
			    SQL_C_CHAR, p->kind == P_DECIMAL ? SQL_DECIMAL :
			    SQL_VARCHAR, p->kind == P_DECIMAL ? 20 :
			    (len > 0 ? len : 1), 0, p->text, (SQLLEN)len + 1,
			    &p->ind);
			break;
		case P_INT:
			p->ind = 0;
			rc = SQLBindParameter(st->h, n, SQL_PARAM_INPUT,
			    SQL_C_SBIGINT, SQL_BIGINT, 0, 0, &p->i, 0, &p->ind);
			break;
		case P_NULLTEXT:
			p->ind = SQL_NULL_DATA;
			rc = SQLBindParameter(st->h, n, SQL_PARAM_INPUT,
			    SQL_C_CHAR, SQL_VARCHAR, 1, 0, empty, 1, &p->ind);
			break;
		case P_NULLINT:
			p->ind = SQL_NULL_DATA;
			if (st->db->dialect == DIALECT_ORACLE)
				rc = SQLBindParameter(st->h, n, SQL_PARAM_INPUT,
				    SQL_C_CHAR, SQL_DECIMAL, 20, 0, empty, 1,
				    &p->ind);
			else
				rc = SQLBindParameter(st->h, n, SQL_PARAM_INPUT,
				    SQL_C_SBIGINT, SQL_BIGINT, 0, 0, &p->i, 0,
				    &p->ind);
			break;
		}
		if (!SQL_SUCCEEDED(rc)) {
			db_seterr(st->db, SQL_HANDLE_STMT, st->h, "bind");
			return -1;
		}
	}
	return 0;
}

int
db_bind_text(struct db_stmt *st, int idx, const char *s)
{
	struct db_param *p;

	if ((p = param_slot(st, idx)) == NULL)
		return -1;
	if (s == NULL)
		p->kind = P_NULLTEXT;
	else {
		p->kind = P_TEXT;
		p->text = to_db_charset(st->db, s);
	}
	return 0;
}

int
db_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
	struct db_param *p;

	if ((p = param_slot(st, idx)) == NULL)
		return -1;
	if (st->db->dialect == DIALECT_ORACLE) {
		/* Numbers as decimal text: every Oracle driver converts those. */
		p->kind = P_DECIMAL;
		p->text = xasprintf("%lld", (long long)v);
	} else {
		p->kind = P_INT;
		p->i = (SQLBIGINT)v;
	}
	return 0;
}

int
db_bind_null_int(struct db_stmt *st, int idx)
{
	struct db_param *p;

	if ((p = param_slot(st, idx)) == NULL)
		return -1;
	p->kind = P_NULLINT;
	return 0;
}

int
db_bind_time(struct db_stmt *st, int idx, time_t t)
{
	char s[32];

	if (t == 0)
		return db_bind_text(st, idx, NULL);
	if (tz_from_utc(st->db->tz, t, s) != 0) {
		if (param_slot(st, idx) != NULL)
			db_set_error(st->db, "database.timezone %s: unknown zone",
			    st->db->tz);
		return -1;
	}
	return db_bind_text(st, idx, s);
}

/* 1 if the SQL type is read as a timestamp struct. */
static int
type_is_time(SQLSMALLINT t)
{
	return t == SQL_TYPE_TIMESTAMP || t == SQL_TYPE_DATE ||
	    t == SQL_TIMESTAMP || t == SQL_DATE;
}

/* Reads the result set description after execute. */
static int
cols_describe(struct db_stmt *st)
{
	SQLSMALLINT n, namelen, type, digits, nullable, i;
	SQLULEN size;
	SQLCHAR name[256];

	cols_clear(st);
	if (!SQL_SUCCEEDED(SQLNumResultCols(st->h, &n))) {
		db_seterr(st->db, SQL_HANDLE_STMT, st->h, NULL);
		return -1;
	}
	if (n <= 0)
		return 0;
	st->ncols = n;
	st->colnames = xcalloc((size_t)n, sizeof(*st->colnames));
	st->coltypes = xcalloc((size_t)n, sizeof(*st->coltypes));
	st->vals = xcalloc((size_t)n, sizeof(*st->vals));
	for (i = 0; i < n; i++) {
		if (!SQL_SUCCEEDED(SQLDescribeCol(st->h, (SQLUSMALLINT)(i + 1),
		    name, sizeof(name), &namelen, &type, &size, &digits,
		    &nullable))) {
			db_seterr(st->db, SQL_HANDLE_STMT, st->h, NULL);
			return -1;
		}
		st->colnames[i] = xstrdup((char *)name);
		st->coltypes[i] = type;
	}
	return 0;
}

int
db_execute(struct db_stmt *st)
{
	SQLRETURN rc;

	if (st->open) {
		SQLFreeStmt(st->h, SQL_CLOSE);
		st->open = 0;
	}
	if (bind_all(st) != 0)
		return -1;
	st->db->nexec++;
	rc = SQLExecute(st->h);
	if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA) {
		db_seterr(st->db, SQL_HANDLE_STMT, st->h, NULL);
		return -1;
	}
	st->open = 1;
	return cols_describe(st);
}

unsigned long
db_statements(const struct db *db)
{
	return db != NULL ? db->nexec : 0;
}

long long
db_rowcount(struct db_stmt *st)
{
	SQLLEN n;

	if (!SQL_SUCCEEDED(SQLRowCount(st->h, &n)))
		return -1;
	return (long long)n;
}

int
db_stmt_reset(struct db_stmt *st)
{
	SQLFreeStmt(st->h, SQL_CLOSE);
	SQLFreeStmt(st->h, SQL_RESET_PARAMS);
	st->open = 0;
	cols_clear(st);
	params_clear(st);
	return 0;
}

/* Reads column i (0-based) as text into st->vals[i]; 0/-1. */
static int
get_text(struct db_stmt *st, int i)
{
	struct buf b = { 0 };
	char chunk[4096];
	SQLLEN ind;
	SQLRETURN rc;
	int isnull = 0;

	for (;;) {
		rc = SQLGetData(st->h, (SQLUSMALLINT)(i + 1), SQL_C_CHAR, chunk,
		    sizeof(chunk), &ind);
		if (rc == SQL_NO_DATA)
			break;
		if (!SQL_SUCCEEDED(rc)) {
			db_seterr(st->db, SQL_HANDLE_STMT, st->h, st->colnames[i]);
			buf_free(&b);
			return -1;
		}
		if (ind == SQL_NULL_DATA) {
			isnull = 1;
			break;
		}
		if (rc == SQL_SUCCESS_WITH_INFO &&
		    (ind == SQL_NO_TOTAL || ind >= (SQLLEN)sizeof(chunk))) {
			/* truncated: a full chunk minus its NUL, more follows */
			buf_add(&b, chunk, sizeof(chunk) - 1);
			continue;
		}
		buf_add(&b, chunk, (size_t)ind);
		break;
	}
	if (isnull) {
		buf_free(&b);
		st->vals[i] = NULL;
		return 0;
	}
	if (b.s == NULL)
		buf_puts(&b, "");
	st->vals[i] = text_to_utf8(b.s, b.len,
	    st->db->charset[0] ? st->db->charset : NULL, 0);
	if (st->vals[i] == NULL)	/* unknown charset: repair as UTF-8 */
		st->vals[i] = text_to_utf8(b.s, b.len, NULL, 0);
	buf_free(&b);
	return 0;
}

/* Reads column i as a timestamp struct, formatted canonically; 0/-1. */
static int
get_time(struct db_stmt *st, int i)
{
	SQL_TIMESTAMP_STRUCT ts;
	SQLLEN ind;
	SQLRETURN rc;

	rc = SQLGetData(st->h, (SQLUSMALLINT)(i + 1), SQL_C_TYPE_TIMESTAMP,
	    &ts, sizeof(ts), &ind);
	if (!SQL_SUCCEEDED(rc))
		return get_text(st, i);	/* unparsable: keep the raw text */
	if (ind == SQL_NULL_DATA) {
		st->vals[i] = NULL;
		return 0;
	}
	st->vals[i] = xasprintf("%04d-%02u-%02u %02u:%02u:%02u", (int)ts.year,
	    (unsigned)ts.month, (unsigned)ts.day, (unsigned)ts.hour,
	    (unsigned)ts.minute, (unsigned)ts.second);
	return 0;
}

int
db_fetch(struct db_stmt *st)
{
	SQLRETURN rc;
	int i;

	row_clear(st);
	if (st->ncols == 0)
		return 0;
	rc = SQLFetch(st->h);
	if (rc == SQL_NO_DATA)
		return 0;
	if (!SQL_SUCCEEDED(rc)) {
		db_seterr(st->db, SQL_HANDLE_STMT, st->h, NULL);
		return -1;
	}
	for (i = 0; i < st->ncols; i++) {
		/*
		 * SQLite keeps times as text and sqliteodbc turns any text
		 * into some timestamp ("yesterday", month 13): read the text
		 * and let our stricter parser judge it.
		 */
		if ((type_is_time(st->coltypes[i]) &&
		    st->db->dialect != DIALECT_SQLITE ? get_time(st, i) :
		    get_text(st, i)) != 0) {
			row_clear(st);
			return -1;
		}
	}
	return 1;
}

int
db_col_count(struct db_stmt *st)
{
	return st->ncols;
}

const char *
db_col_name(struct db_stmt *st, int i)
{
	if (i < 0 || i >= st->ncols)
		return NULL;
	return st->colnames[i];
}

const char *
db_col_text(struct db_stmt *st, int i)
{
	if (i < 0 || i >= st->ncols || st->vals == NULL)
		return NULL;
	return st->vals[i];
}

int
db_col_int64(struct db_stmt *st, int i, int64_t *out)
{
	const char *s = db_col_text(st, i), *p;
	long long v;

	*out = 0;
	if (s == NULL)
		return 1;
	while (isspace((unsigned char)*s))
		s++;
	/* Drivers may render integral NUMBERs as "12.0" or with blanks. */
	p = s;
	if (*p == '-' || *p == '+')
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.') {
		const char *q = p + 1;
		while (*q == '0')
			q++;
		while (isspace((unsigned char)*q))
			q++;
		if (*q != '\0')
			return -1;
	} else {
		const char *q = p;
		while (isspace((unsigned char)*q))
			q++;
		if (*q != '\0')
			return -1;
	}
	{
		char *num = xstrndup(s, (size_t)(p - s));
		int r = str_to_int(num, INT64_MIN, INT64_MAX, &v);
		free(num);
		if (r != 0)
			return -1;
	}
	*out = (int64_t)v;
	return 0;
}

int
db_col_time(struct db_stmt *st, int i, time_t *out)
{
	const char *s = db_col_text(st, i);

	*out = 0;
	if (s == NULL)
		return 1;
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0')
		return 1;
	if (tz_parse_local(st->db->tz, s, out) != 0) {
		*out = 0;
		return -1;
	}
	return 0;
}
