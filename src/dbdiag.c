/*
 * dbdiag: reads an ODBC handle's diagnostic records and tells what they
 * mean (the connection is gone, another session's lock ran out).  The
 * text it returns is raw: db.c masks secrets and converts it to UTF-8.
 */
#include <stdlib.h>
#include <string.h>

#include "dbdiag.h"
#include "util.h"

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

char *
dbdiag_collect(SQLSMALLINT type, SQLHANDLE h, int *lost, int *busy)
{
	struct buf b = { 0 };
	SQLCHAR state[6], msg[1024];
	SQLINTEGER native;
	SQLSMALLINT len;
	SQLSMALLINT i;

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
	return buf_release(&b);
}
