/*
 * syncmap: NM_ALARM_LABEL_MAPPING, the operator's extra labels and
 * annotations: the active rows a run applies, each checked by
 * labelmap_problem against the view's columns first.
 */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "dbstmt.h"
#include "dialect.h"
#include "labelmap.h"
#include "log.h"
#include "query.h"
#include "source.h"
#include "syncmap.h"
#include "util.h"

/*
 * The view's column names (allocated, caller frees with strv_free), read
 * from one row of it; NULL with *n 0 when the view cannot be read (the
 * run reports that itself).
 */
static char **
view_columns(struct db *db, const struct config *cfg, size_t *n)
{
	struct db_stmt *st;
	char **v = NULL;
	int i, k;

	*n = 0;
	if ((st = query_run(db, SQL_PROBE_SOURCE, source_view(cfg))) == NULL)
		return NULL;
	if ((k = db_col_count(st)) > 0) {
		v = xcalloc((size_t)k, sizeof(*v));
		for (i = 0; i < k; i++)
			v[i] = xstrdup(db_col_name(st, i));
		*n = (size_t)k;
	}
	db_stmt_free(st);
	return v;
}

/* query_rows callback: SOURCE_FIELD, TARGET_NAME, TARGET_TYPE of one row. */
static int
map_row_read(struct db_stmt *st, void *v)
{
	char **row = v;

	row[0] = query_text(st, 0);
	row[1] = query_text(st, 1);
	row[2] = query_text(st, 2);
	return 0;
}

static void
map_row_clear(void *v)
{
	char **row = v;

	free(row[0]);
	free(row[1]);
	free(row[2]);
}

int
syncmap_read(struct db *db, const struct config *cfg,
    struct label_map **out, size_t *outsz,
    void (*bad)(void *, const char *, const char *, const char *,
    const char *), void *arg)
{
	struct db_stmt *st;
	size_t cap = 0, rowsz = 0, rowcap = 0, ncols = 0, i;
	char *(*rows)[3] = NULL, **cols = NULL, *why;
	int rc;

	*out = NULL;
	*outsz = 0;
	if ((st = query_run(db, SQL_MAPPING_ACTIVE, NULL)) == NULL)
		return -1;
	rc = query_rows(st, &rows, &rowsz, &rowcap, sizeof(*rows),
	    map_row_read, map_row_clear);
	db_stmt_free(st);
	if (rc != 0)
		return -1;
	/* Only a configured mapping costs the one-row read of the view. */
	if (rowsz > 0)
		cols = view_columns(db, cfg, &ncols);
	for (i = 0; i < rowsz; i++) {
		char *src = rows[i][0], *name = rows[i][1], *type = rows[i][2];

		if ((why = labelmap_problem(src, name, type, cols, ncols)) !=
		    NULL) {
			if (bad != NULL)
				bad(arg, src ? src : "NULL", name ? name :
				    "NULL", type ? type : "label", why);
			free(why);
			map_row_clear(rows[i]);
			continue;
		}
		*out = xreallocarray_grow(*out, &cap, *outsz + 1, sizeof(**out));
		(*out)[*outsz].source_field = str_upper(src);
		(*out)[*outsz].target_name = name;
		(*out)[*outsz].annotation = type != NULL &&
		    str_eq_ci(type, "annotation");
		(*outsz)++;
		free(type);
	}
	free(rows);
	strv_free(cols, ncols);
	return 0;
}

/* syncmap_read callback of a run: one warning naming the row. */
static void
mapping_warn(void *arg, const char *src, const char *name, const char *type,
    const char *why)
{
	log_warn("NM_ALARM_LABEL_MAPPING: %s -> %s (%s): %s, row ignored",
	    src, name, type, why);
}

int
syncmap_load(struct db *db, const struct config *cfg,
    struct label_map **out, size_t *outsz)
{
	return syncmap_read(db, cfg, out, outsz, mapping_warn, NULL);
}

/* query_rows_free callback: the members of one label_map. */
static void
map_clear(void *v)
{
	struct label_map *m = v;

	free(m->source_field);
	free(m->target_name);
}

void
syncmap_free(struct label_map *v, size_t n)
{
	query_rows_free(v, n, sizeof(*v), map_clear);
}
