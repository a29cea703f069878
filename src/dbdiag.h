/*
 * dbdiag: the diagnostics of a failed ODBC call, for the db modules
 * only (it speaks ODBC types).
 */
#ifndef ZMCSYNC_DBDIAG_H
#define ZMCSYNC_DBDIAG_H

#include <sql.h>

/*
 * All diagnostic records of handle h as one line, "[STATE] message;
 * [STATE] message" (or "unknown error (no diagnostics)"), as the driver
 * gave it: secrets not masked, not converted to UTF-8.  *lost set to 1
 * if a record means the connection is gone (SQLSTATE class 08,
 * psqlODBC's lost-connection states, Oracle's session errors), *busy if
 * one means a lock wait ran out; else 0.  Allocated, caller frees.
 */
char	*dbdiag_collect(SQLSMALLINT type, SQLHANDLE h, int *lost, int *busy);

#endif
