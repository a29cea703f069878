/*
 * syncstatus: the names of enum sync_status as NM_ALARM_SYNC_STATUS
 * stores them.  Pure, so the core and the table modules share them.
 */
#ifndef ZMCSYNC_SYNCSTATUS_H
#define ZMCSYNC_SYNCSTATUS_H

#include "types.h"

/* "PENDING", "FIRING", ...; "" for SS_NONE.  Static storage. */
const char	*sync_status_name(enum sync_status);
/* Parses a status name (any case); -1 if unknown. */
int		 sync_status_parse(const char *);

#endif
