/*
 * syncmap: NM_ALARM_LABEL_MAPPING, the operator's extra labels and
 * annotations from view columns.
 */
#ifndef ZMCSYNC_SYNCMAP_H
#define ZMCSYNC_SYNCMAP_H

#include <stddef.h>

#include "types.h"

struct db;
struct config;

/*
 * Loads active mapping rows.  A row that cannot be used (labelmap_problem:
 * invalid or built-in target label, unknown TARGET_TYPE, SOURCE_FIELD not
 * a column of the view) is skipped with a warning naming it.  *out
 * allocated (syncmap_free).  0/-1.
 */
int	syncmap_load(struct db *, const struct config *,
	    struct label_map **out, size_t *outsz);
/*
 * syncmap_load with the unusable rows passed to bad (arg, source,
 * target, type, reason; NULL fields given as "NULL", a NULL type as
 * "label") instead of warned about.  0/-1 (database error).
 */
int	syncmap_read(struct db *, const struct config *,
	    struct label_map **out, size_t *outsz,
	    void (*bad)(void *arg, const char *src, const char *target,
	    const char *type, const char *why), void *arg);
void	syncmap_free(struct label_map *, size_t);

#endif
