/*
 * db: the ODBC edge.  Every value travels as a bound parameter; no value
 * is ever spliced into SQL text.  Errors carry SQLGetDiagRec diagnostics
 * and are available from db_error().  Text read from the database is
 * converted from database.charset to UTF-8; DATE/TIMESTAMP values are
 * wall-clock times in database.timezone and are converted to UTC here.
 */
#ifndef ZMCSYNC_DB_H
#define ZMCSYNC_DB_H

#include <stdint.h>
#include <time.h>

#include "config.h"
#include "dialect.h"

struct db;
struct db_stmt;

/*
 * Connects with cfg (connection string, DSN, or Oracle host/port/service),
 * login timeout db_timeout, autocommit on.  Detects the dialect from
 * SQL_DBMS_NAME unless db_dialect is set.  Returns NULL on error and sets
 * *err to an allocated message (caller frees) that never contains the password.
 */
struct db	*db_open(const struct config *cfg, char **err);
/*
 * db_open for a quick look: no statement, the connect included, waits
 * more than lock_wait_ms for another session's lock (SQLite: the
 * driver's Timeout= is replaced; then db_set_lock_wait).  0: as db_open.
 */
struct db	*db_open_wait(const struct config *cfg, int lock_wait_ms,
		    char **err);
/*
 * The ODBC connection string db_open would use: database.connection (with
 * UID/PWD added when missing), else DSN=..., else the DSN-less Oracle form
 * DRIVER={database.driver};DBQ=//host:port/service_name;UID=..;PWD=..
 * With mask, every password is replaced by SECRET_MASK (for messages).
 * Allocated (caller frees); NULL when nothing is configured, with *err
 * (if err is not NULL) set to an allocated reason.
 */
char		*db_connection_string(const struct config *cfg, int mask,
		    char **err);
/*
 * The NLS_LANG ("AMERICAN_AMERICA.ZHS16GBK") under which the Oracle client
 * delivers text in charset (database.charset; NULL or "" is UTF-8, i.e.
 * AL32UTF8); NULL for a charset without a known Oracle name.  db_open sets
 * it when the environment has no NLS_LANG.  Static storage.
 */
const char	*db_nls_lang(const char *charset);
void		 db_close(struct db *);
enum dialect	 db_dialect(const struct db *);
/* DBMS name and version as reported by the driver. */
const char	*db_dbms_name(const struct db *);
const char	*db_dbms_version(const struct db *);
/* Last error, "database NAME: [SQLSTATE] message" form; never NULL. */
const char	*db_error(const struct db *);
/*
 * Records a message as the last error, "database NAME: message", for
 * callers that fail before reaching the driver (bad view name, ...).
 */
void		 db_set_error(struct db *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
/* 1 if the last error means the connection is gone (SQLSTATE class 08,
 * psqlODBC's lost-connection states, HY000 "no connection"). */
int		 db_lost(const struct db *);
/*
 * 1 if the last error means another session's lock made the statement
 * give up waiting ("database is locked", lock or statement timeout).
 */
int		 db_busy(const struct db *);
/*
 * Bounds how long a statement waits for another session's lock, in
 * milliseconds (SQLite's busy timeout, PostgreSQL's lock_timeout; a
 * no-op on Oracle, whose readers never wait).  0/-1.
 */
int		 db_set_lock_wait(struct db *, int ms);

/* Runs SQL with no parameters and no result (DDL); 0/-1. */
int		 db_exec(struct db *, const char *sql);
/* Transactions (autocommit off between begin and commit/rollback); 0/-1. */
int		 db_begin(struct db *);
int		 db_commit(struct db *);
int		 db_rollback(struct db *);

/* Prepares sql ("?" markers); NULL on error.  Free with db_stmt_free. */
struct db_stmt	*db_prepare(struct db *, const char *sql);
void		 db_stmt_free(struct db_stmt *);
/* Parameters are 1-based and copied; valid until the next db_stmt_reset. */
int		 db_bind_text(struct db_stmt *, int, const char *); /* NULL -> SQL NULL */
int		 db_bind_int64(struct db_stmt *, int, int64_t);
int		 db_bind_null_int(struct db_stmt *, int);
/* Binds a UTC time as the database-local wall-clock DATE; 0 -> SQL NULL. */
int		 db_bind_time(struct db_stmt *, int, time_t);
/* Executes; 0/-1.  Afterwards db_fetch for queries. */
int		 db_execute(struct db_stmt *);
/* Statements executed on this connection so far (for the run's metrics). */
unsigned long	 db_statements(const struct db *);
/* Rows affected by the last execute, or -1. */
long long	 db_rowcount(struct db_stmt *);
/* Closes the cursor and clears parameters, keeping the statement prepared. */
int		 db_stmt_reset(struct db_stmt *);
/* Next row: 1 row, 0 no more, -1 error. */
int		 db_fetch(struct db_stmt *);
int		 db_col_count(struct db_stmt *);
/* Column name (upper case as the driver reports it; 0-based column). */
const char	*db_col_name(struct db_stmt *, int);
/* Text of a column of the current row, UTF-8; NULL for SQL NULL.  Valid until next fetch. */
const char	*db_col_text(struct db_stmt *, int);
/* Integer column: 0 value, 1 NULL, -1 not a number. */
int		 db_col_int64(struct db_stmt *, int, int64_t *);
/* Date/time column as UTC: 0 value, 1 NULL, -1 unparsable. */
int		 db_col_time(struct db_stmt *, int, time_t *);

#endif
