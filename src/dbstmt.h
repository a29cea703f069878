/*
 * dbstmt: prepared statements on a db connection (db.h).  Every value
 * travels as a bound parameter; no value is ever spliced into SQL text.
 * Errors are the connection's: db_error().
 */
#ifndef ZMCSYNC_DBSTMT_H
#define ZMCSYNC_DBSTMT_H

#include <stdint.h>
#include <time.h>

struct db;
struct db_stmt;

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
