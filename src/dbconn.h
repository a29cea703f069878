/*
 * dbconn: the ODBC connection string of the database.* keys.  Strings
 * here carry the password: callers mask them before showing them and
 * wipe them when done.
 */
#ifndef ZMCSYNC_DBCONN_H
#define ZMCSYNC_DBCONN_H

struct config;

/*
 * The connection string: database.connection (with UID/PWD added when
 * missing), else DSN=..., else the DSN-less Oracle form
 * DRIVER={database.driver};DBQ=//host:port/service_name;UID=..;PWD=..
 * *name gets the display name for messages (the DSN, the driver, or
 * "odbc").  Both allocated (caller frees); NULL when nothing usable is
 * configured, with *err set to an allocated reason and *name NULL.
 */
char	*dbconn_build(const struct config *cfg, char **name, char **err);
/* Value of KEY= in connection string cs (braces removed), or NULL.  Allocated. */
char	*dbconn_get(const char *cs, const char *key);
/* 1 if cs's DRIVER or database.dialect names SQLite, else 0. */
int	 dbconn_is_sqlite(const struct config *cfg, const char *cs);
/*
 * cs with sqliteodbc's Timeout= (its busy wait, ms, also spent while
 * connecting) set to ms, replacing the one given.  Takes cs over (wiped
 * and freed); the result is allocated.
 */
char	*dbconn_set_timeout(char *cs, int ms);

#endif
