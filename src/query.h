/*
 * query: what every module reading or writing zmcsync's tables does the
 * same way: prepare a statement of dialect.c's table, read all rows of a
 * result into an array, count, and bind or read values with the tables'
 * conventions (0 for NULL ids, text cut to its column).  Errors are the
 * connection's: db_error().
 */
#ifndef ZMCSYNC_QUERY_H
#define ZMCSYNC_QUERY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "dialect.h"

struct db;
struct db_stmt;

/*
 * Prepares statement id for db's dialect, with view for its {V} token
 * (NULL: the default view).  NULL on error, with db_error set (a view
 * that is not a valid name is named).  Free with db_stmt_free.
 */
struct db_stmt	*query_prepare(struct db *, enum sql_id id, const char *view);
/* query_prepare, then executed without parameters.  NULL on error. */
struct db_stmt	*query_run(struct db *, enum sql_id id, const char *view);
/*
 * Reads every remaining row of executed st into an array of elements of
 * size sz: outp is the address of the array pointer (of any element
 * type), *n the elements in use, *cap those allocated (0 with a NULL
 * array); rows are appended.  Each row gets a zeroed element that read
 * fills, returning 0 to keep it or 1 to drop it (read must then leave
 * nothing allocated in it).  On a fetch error the elements this call
 * appended are passed to clear (if not NULL) and dropped, the array is
 * freed (NULL, *cap 0) if that leaves it empty, and -1 is returned.  0
 * otherwise.  The array is the caller's to free.
 */
int		 query_rows(struct db_stmt *st, void *outp, size_t *n,
		    size_t *cap, size_t sz,
		    int (*read)(struct db_stmt *, void *elem),
		    void (*clear)(void *elem));
/* Passes each of the n elements (of size sz) of v to clear, then frees v. */
void		 query_rows_free(void *v, size_t n, size_t sz,
		    void (*clear)(void *elem));
/*
 * Runs a one-value COUNT statement (with view as query_prepare; with_time:
 * t bound as its one parameter) into *n (0 when it returns no row).  0/-1.
 */
int		 query_count(struct db *, enum sql_id id, const char *view,
		    int with_time, time_t t, long long *n);

/* Copy of a text column, NULL when NULL or "".  Allocated, caller frees. */
char		*query_text(struct db_stmt *, int col);
/* Integer column, 0 when NULL or not a number. */
int64_t		 query_int(struct db_stmt *, int col);
/* Time column (UTC), 0 when NULL or unparsable. */
time_t		 query_time(struct db_stmt *, int col);

/* Binds v, or NULL when v is 0; 0/-1. */
int		 query_bind_id(struct db_stmt *, int idx, int64_t v);
/*
 * Binds the DIALECT_IN_MAX markers of an {IN} list from idx on: the n
 * ids (1 <= n <= DIALECT_IN_MAX), the rest repeating ids[0].  0/-1.
 */
int		 query_bind_ids(struct db_stmt *, int idx, const int64_t *ids,
		    size_t n);
/*
 * Binds the two paging markers at idx, idx + 1 of a PG_OFFSET statement
 * (dialect_page_values); 0/-1.
 */
int		 query_bind_page(struct db *, struct db_stmt *, int idx,
		    size_t limit, size_t offset);
/*
 * Binds s with every secret removed (secret_redact) and cut to max bytes
 * on a UTF-8 character boundary (NULL binds NULL).  Every error text
 * and URL stored in the sync tables passes here.  0/-1.
 */
int		 query_bind_cut(struct db_stmt *, int idx, const char *s,
		    size_t max);

#endif
