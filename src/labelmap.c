/*
 * labelmap: the rules for NM_ALARM_LABEL_MAPPING rows.  A mapping may
 * add labels and annotations, never replace a label zmcsync sets itself:
 * alertname and alarm_id are the alert's identity (a change would orphan
 * the alert behind the sync table's back), and the others would make
 * the same alarm look different depending on a view column.
 */
#include <stdlib.h>
#include <string.h>

#include "labelmap.h"
#include "util.h"

/* SPEC 2's built-in labels. */
static const char *const builtin[] = {
	"alertname", "severity", "instance", "host", "alarm_id", "alarm_code",
	"application", "domain", "env", "source", "cluster", "datacenter"
};

int
label_name_valid(const char *s)
{
	const char	*p;

	if (s == NULL || *s == '\0')
		return 0;
	for (p = s; *p != '\0'; p++) {
		int c = (unsigned char)*p;
		int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    c == '_';
		if (!alpha && (p == s || c < '0' || c > '9'))
			return 0;
	}
	return 1;
}

int
label_reserved(const char *name)
{
	size_t	 i;

	if (strncmp(name, "__", 2) == 0)
		return 1;
	for (i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if (strcmp(name, builtin[i]) == 0)
			return 1;
	return 0;
}

char *
labelmap_problem(const char *src, const char *target, const char *type,
    char *const *cols, size_t ncols)
{
	size_t	 i;
	int	 annotation;

	if (src == NULL || *src == '\0' || target == NULL || *target == '\0')
		return xstrdup("empty field");
	if (type != NULL && !str_eq_ci(type, "label") &&
	    !str_eq_ci(type, "annotation"))
		return xstrdup("TARGET_TYPE is not label or annotation");
	annotation = type != NULL && str_eq_ci(type, "annotation");
	if (!label_name_valid(target))
		return xstrdup("not a valid label name");
	if (strncmp(target, "__", 2) == 0)
		return xstrdup("names starting with __ are reserved");
	if (!annotation && label_reserved(target))
		return xasprintf("%s is a built-in label", target);
	if (cols == NULL)
		return NULL;
	for (i = 0; i < ncols; i++)
		if (cols[i] != NULL && str_eq_ci(cols[i], src))
			return NULL;
	return xasprintf("the source view has no column %s", src);
}
