/*
 * query: the shared reading and binding of zmcsync's table modules.
 */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "dbstmt.h"
#include "dialect.h"
#include "query.h"
#include "secret.h"
#include "util.h"

struct db_stmt *
query_prepare(struct db *db, enum sql_id id, const char *view)
{
	struct db_stmt *st;
	char *sql;

	if ((sql = dialect_sql(db_dialect(db), id, view)) == NULL) {
		if (view != NULL && !dialect_ident_valid(view))
			db_set_error(db, "%s: not a valid view name", view);
		else
			db_set_error(db, "%s: no such statement",
			    dialect_sql_name(id));
		return NULL;
	}
	st = db_prepare(db, sql);
	free(sql);
	return st;
}

struct db_stmt *
query_run(struct db *db, enum sql_id id, const char *view)
{
	struct db_stmt *st;

	if ((st = query_prepare(db, id, view)) != NULL && db_execute(st) != 0) {
		db_stmt_free(st);
		st = NULL;
	}
	return st;
}

int
query_rows(struct db_stmt *st, void *outp, size_t *n, size_t *cap,
    size_t sz, int (*read)(struct db_stmt *, void *),
    void (*clear)(void *))
{
	/* outp points to a pointer of some element type: copied, not cast. */
	char *v;
	size_t first = *n;
	int rc;

	memcpy(&v, outp, sizeof(v));
	while ((rc = db_fetch(st)) == 1) {
		v = xreallocarray_grow(v, cap, *n + 1, sz);
		memset(v + *n * sz, 0, sz);
		if (read(st, v + *n * sz) == 0)
			(*n)++;
	}
	if (rc < 0) {
		while (*n > first) {
			(*n)--;
			if (clear != NULL)
				clear(v + *n * sz);
		}
		if (*n == 0) {
			free(v);
			v = NULL;
			*cap = 0;
		}
	}
	memcpy(outp, &v, sizeof(v));
	return rc < 0 ? -1 : 0;
}

void
query_rows_free(void *v, size_t n, size_t sz, void (*clear)(void *))
{
	size_t i;

	for (i = 0; i < n; i++)
		clear((char *)v + i * sz);
	free(v);
}

int
query_count(struct db *db, enum sql_id id, const char *view, int with_time,
    time_t t, long long *n)
{
	struct db_stmt *st;
	int rc;

	*n = 0;
	if ((st = query_prepare(db, id, view)) == NULL)
		return -1;
	if ((with_time && db_bind_time(st, 1, t) != 0) ||
	    db_execute(st) != 0 || (rc = db_fetch(st)) < 0) {
		db_stmt_free(st);
		return -1;
	}
	if (rc == 1)
		*n = (long long)query_int(st, 0);
	db_stmt_free(st);
	return 0;
}

char *
query_text(struct db_stmt *st, int i)
{
	const char *s = db_col_text(st, i);

	return s != NULL && *s != '\0' ? xstrdup(s) : NULL;
}

int64_t
query_int(struct db_stmt *st, int i)
{
	int64_t v;

	return db_col_int64(st, i, &v) == 0 ? v : 0;
}

time_t
query_time(struct db_stmt *st, int i)
{
	time_t t;

	return db_col_time(st, i, &t) == 0 ? t : 0;
}

int
query_bind_id(struct db_stmt *st, int idx, int64_t v)
{
	return v != 0 ? db_bind_int64(st, idx, v) : db_bind_null_int(st, idx);
}

int
query_bind_ids(struct db_stmt *st, int idx, const int64_t *ids, size_t n)
{
	size_t i;

	for (i = 0; i < DIALECT_IN_MAX; i++)
		if (db_bind_int64(st, idx + (int)i, ids[i < n ? i : 0]) != 0)
			return -1;
	return 0;
}

int
query_bind_page(struct db *db, struct db_stmt *st, int idx, size_t limit,
    size_t offset)
{
	long long v[2];

	dialect_page_values(db_dialect(db), (long long)limit,
	    (long long)offset, v);
	if (db_bind_int64(st, idx, v[0]) != 0 ||
	    db_bind_int64(st, idx + 1, v[1]) != 0)
		return -1;
	return 0;
}

/* Copy of s cut to at most max bytes on a UTF-8 character boundary. */
static char *
utf8_cut(const char *s, size_t max)
{
	size_t n;

	if (s == NULL)
		return NULL;
	if ((n = strlen(s)) <= max)
		return xstrdup(s);
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return xstrndup(s, n);
}

int
query_bind_cut(struct db_stmt *st, int idx, const char *s, size_t max)
{
	char *clean = secret_redact(s);
	char *c = utf8_cut(clean, max);
	int r = db_bind_text(st, idx, c);

	free(c);
	free(clean);
	return r;
}
