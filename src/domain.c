/*
 * domain: enum sync_status <-> SYNC_STATUS text, view row fields.
 */
#include <stddef.h>

#include "domain.h"
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

const char *
zmc_row_field(const struct zmc_row *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->ncols; i++)
		if (str_eq_ci(r->names[i], name))
			return r->vals[i];
	return NULL;
}
