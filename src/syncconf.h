/*
 * syncconf: NM_ALARM_SYNC_CONFIG, configuration kept in the ZMC
 * database (GROUP.KEY = value rows, stored upper case).
 */
#ifndef ZMCSYNC_SYNCCONF_H
#define ZMCSYNC_SYNCCONF_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct db;
struct config_raw;

/*
 * Applies the active rows to raw via config_apply_table, reporting every
 * bad row.  0 ok, -1 database error, -2 invalid value.
 */
int	syncconf_load(struct db *, struct config_raw *);

/* One NM_ALARM_SYNC_CONFIG row. */
struct config_row {
	int64_t	 id;
	char	*group;
	char	*key;
	char	*value;		/* NULL if NULL */
	char	*description;
	int	 active;
	time_t	 create_time;
	time_t	 update_time;
};
void	syncconf_row_clear(struct config_row *);
void	syncconf_rows_free(struct config_row *, size_t);
/*
 * All rows (group NULL) or those of a group (any case).  *out allocated
 * (syncconf_rows_free).  0/-1.
 */
int	syncconf_list(struct db *, const char *group,
	    struct config_row **out, size_t *outsz);
/*
 * One row: 1 found (*out filled; syncconf_row_clear), 0 no such row, -1
 * error (as db_fetch: 1 means a row).
 */
int	syncconf_get(struct db *, const char *group, const char *key,
	    struct config_row *out);
/*
 * Inserts or updates GROUP.KEY (stored upper case) with value, active;
 * description only used for a new row (may be NULL).  One transaction.  0/-1.
 */
int	syncconf_set(struct db *, const char *group, const char *key,
	    const char *value, const char *description, time_t now);
/* Deletes GROUP.KEY: 1 deleted, 0 no such row, -1 error. */
int	syncconf_unset(struct db *, const char *group, const char *key);

#endif
