/*
 * dbpriv: the inside of a db connection, shared by db.c (which owns it)
 * and dbstmt.c (its statements) and by no other module.
 */
#ifndef ZMCSYNC_DBPRIV_H
#define ZMCSYNC_DBPRIV_H

#include <sql.h>

#include "dialect.h"

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


/*
 * Records the diagnostics of a failed call on handle h as db's last
 * error, "database NAME: what: [STATE] message", secrets masked (what
 * may be NULL).
 */
void	 db_seterr(struct db *db, SQLSMALLINT type, SQLHANDLE h,
	    const char *what);
/* UTF-8 s converted to database.charset, to send.  Allocated, caller frees. */
char	*db_to_charset(struct db *db, const char *s);

#endif
