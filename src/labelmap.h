/*
 * labelmap: which NM_ALARM_LABEL_MAPPING rows can be used (SPEC 1.3, 2).
 * Pure: no I/O, no database; the callers read the rows and the view's
 * columns and report what this says.
 */
#ifndef ZMCSYNC_LABELMAP_H
#define ZMCSYNC_LABELMAP_H

#include <stddef.h>

/* 1 if s is a label name of SPEC 2: [a-zA-Z_][a-zA-Z0-9_]*. */
int	 label_name_valid(const char *s);
/*
 * 1 if name is a label zmcsync sets itself (SPEC 2: alertname, severity,
 * instance, host, alarm_id, alarm_code, application, domain, env, source,
 * cluster, datacenter) or reserved by Prometheus (leading "__").
 */
int	 label_reserved(const char *name);
/*
 * Why a mapping row (SOURCE_FIELD src, TARGET_NAME target, TARGET_TYPE
 * type; NULL type is "label") cannot be used, or NULL when it can.  cols
 * (ncols names, compared without case) are the view's columns; NULL
 * cols skips that check.  Allocated, caller frees.
 */
char	*labelmap_problem(const char *src, const char *target,
	    const char *type, char *const *cols, size_t ncols);

#endif
