/*
 * domain: the functions on the plain domain types of types.h: the names
 * of enum sync_status as NM_ALARM_SYNC_STATUS stores them, a view row's
 * columns by name.  Pure, so the core and the table modules share them.
 */
#ifndef ZMCSYNC_DOMAIN_H
#define ZMCSYNC_DOMAIN_H

#include "types.h"

/* "PENDING", "FIRING", ...; "" for SS_NONE.  Static storage. */
const char	*sync_status_name(enum sync_status);
/* Parses a status name (any case); -1 if unknown. */
int		 sync_status_parse(const char *);

/*
 * Value of any view column of row by (case-insensitive) name; NULL if
 * NULL or unknown.  Valid as long as the row.
 */
const char	*zmc_row_field(const struct zmc_row *, const char *name);

#endif
