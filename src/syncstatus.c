/*
 * syncstatus: enum sync_status <-> SYNC_STATUS text.
 */
#include <stddef.h>

#include "syncstatus.h"
#include "util.h"

static const char *const status_names[] = {
	"", "PENDING", "FIRING", "RESOLVED", "SILENCED"
};

const char *
sync_status_name(enum sync_status s)
{
	if ((int)s < 0 || s > SS_SILENCED)
		return "";
	return status_names[s];
}

int
sync_status_parse(const char *s)
{
	int i;

	if (s == NULL)
		return -1;
	for (i = SS_PENDING; i <= SS_SILENCED; i++)
		if (str_eq_ci(s, status_names[i]))
			return i;
	return -1;
}
