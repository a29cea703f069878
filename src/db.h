/*
 * db: the ODBC connection.  Errors carry SQLGetDiagRec diagnostics and
 * are available from db_error().  Text read from the database is
 * converted from database.charset to UTF-8; DATE/TIMESTAMP values are
 * wall-clock times in database.timezone and are converted to UTC here.
 * Statements are in dbstmt.h.
 */
#ifndef ZMCSYNC_DB_H
#define ZMCSYNC_DB_H

#include <stdint.h>
#include <time.h>

#include "config.h"
#include "dialect.h"

struct db;

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

/* Statements executed on this connection so far (for the run's metrics). */
unsigned long	 db_statements(const struct db *);
/* Runs SQL with no parameters and no result (DDL); 0/-1. */
int		 db_exec(struct db *, const char *sql);
/* Transactions (autocommit off between begin and commit/rollback); 0/-1. */
int		 db_begin(struct db *);
int		 db_commit(struct db *);
int		 db_rollback(struct db *);

#endif
