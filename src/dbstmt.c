/*
 * dbstmt: prepared statements on a db connection.  Parameters are kept
 * here and bound to the driver only at execute time (their buffers are
 * stable then); every column is read as text, converted from
 * database.charset to UTF-8, and DATE / TIMESTAMP values are read as
 * ODBC timestamp structs (never as the driver's character form, which
 * depends on NLS settings) and carried as canonical "YYYY-MM-DD
 * HH:MM:SS" wall-clock text of database.timezone.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <sql.h>
#include <sqlext.h>

#include "db.h"
#include "dbpriv.h"
#include "dbstmt.h"
#include "text.h"
#include "util.h"

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
	t = db_to_charset(db, sql);
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
		p->text = db_to_charset(st->db, s);
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
