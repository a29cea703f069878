/*
 * syncconf: NM_ALARM_SYNC_CONFIG, configuration kept in the database:
 * the active rows a run applies over the file, and the rows the config
 * command lists, sets and unsets.  Groups and keys are stored upper
 * case.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "dbstmt.h"
#include "dialect.h"
#include "query.h"
#include "syncconf.h"
#include "util.h"

/* Upper-case copy of s (NULL for NULL).  Allocated. */
static char *
upper_dup(const char *s)
{
	return str_upper(xstrdup(s));
}

void
syncconf_row_clear(struct config_row *r)
{
	free(r->group);
	free(r->key);
	free(r->value);
	free(r->description);
	memset(r, 0, sizeof(*r));
}

static void
config_row_free(void *r)
{
	syncconf_row_clear(r);
}

void
syncconf_rows_free(struct config_row *v, size_t n)
{
	query_rows_free(v, n, sizeof(*v), config_row_free);
}

/* query_rows callback: fills r from the current row of a CONFIG_COLS query. */
static int
config_row_read(struct db_stmt *st, void *v)
{
	struct config_row *r = v;

	r->id = query_int(st, 0);
	r->group = query_text(st, 1);
	r->key = query_text(st, 2);
	r->value = query_text(st, 3);
	r->description = query_text(st, 4);
	r->active = query_int(st, 5) != 0;
	r->create_time = query_time(st, 6);
	r->update_time = query_time(st, 7);
	return 0;
}

int
syncconf_list(struct db *db, const char *group,
    struct config_row **out, size_t *outsz)
{
	struct db_stmt *st;
	char *g = group && *group ? upper_dup(group) : NULL;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*outsz = 0;
	if ((st = query_prepare(db, SQL_CONFIG_LIST, NULL)) == NULL) {
		free(g);
		return -1;
	}
	rc = db_bind_text(st, 1, g) | db_bind_text(st, 2, g);
	free(g);
	if (rc != 0 || db_execute(st) != 0) {
		db_stmt_free(st);
		return -1;
	}
	rc = query_rows(st, out, outsz, &cap, sizeof(**out), config_row_read,
	    config_row_free);
	db_stmt_free(st);
	return rc;
}

/*
 * Statement id with GROUP and KEY (upper-cased) bound to its first two
 * markers, executed.  NULL on error.  Free with db_stmt_free.
 */
static struct db_stmt *
key_execute(struct db *db, enum sql_id id, const char *group, const char *key)
{
	struct db_stmt *st;
	char *g, *k;
	int rc;

	if ((st = query_prepare(db, id, NULL)) == NULL)
		return NULL;
	g = upper_dup(group);
	k = upper_dup(key);
	rc = db_bind_text(st, 1, g) | db_bind_text(st, 2, k);
	free(g);
	free(k);
	if (rc != 0 || db_execute(st) != 0) {
		db_stmt_free(st);
		return NULL;
	}
	return st;
}

int
syncconf_get(struct db *db, const char *group, const char *key,
    struct config_row *out)
{
	struct db_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((st = key_execute(db, SQL_CONFIG_GET, group, key)) == NULL)
		return -1;
	if ((rc = db_fetch(st)) < 0) {
		db_stmt_free(st);
		return -1;
	}
	if (rc == 1)
		config_row_read(st, out);
	db_stmt_free(st);
	return rc == 1 ? 1 : 0;
}

int
syncconf_set(struct db *db, const char *group, const char *key,
    const char *value, const char *description, time_t now)
{
	struct db_stmt *st = NULL;
	char *g = upper_dup(group), *k = upper_dup(key);
	long long n;
	int r = -1;

	if (db_begin(db) != 0)
		goto out;
	if ((st = query_prepare(db, SQL_CONFIG_UPDATE, NULL)) == NULL)
		goto rollback;
	if (db_bind_text(st, 1, value) != 0 || db_bind_time(st, 2, now) != 0 ||
	    db_bind_text(st, 3, g) != 0 || db_bind_text(st, 4, k) != 0 ||
	    db_execute(st) != 0)
		goto rollback;
	n = db_rowcount(st);
	db_stmt_free(st);
	st = NULL;
	if (n == 0) {
		if ((st = query_prepare(db, SQL_CONFIG_INSERT, NULL)) == NULL)
			goto rollback;
		if (db_bind_text(st, 1, g) != 0 || db_bind_text(st, 2, k) != 0 ||
		    db_bind_text(st, 3, value) != 0 ||
		    db_bind_text(st, 4, description) != 0 ||
		    db_bind_time(st, 5, now) != 0 ||
		    db_bind_time(st, 6, now) != 0 || db_execute(st) != 0)
			goto rollback;
	}
	if (db_commit(db) == 0)
		r = 0;
	goto out;
rollback:
	db_rollback(db);
out:
	db_stmt_free(st);
	free(g);
	free(k);
	return r;
}

int
syncconf_unset(struct db *db, const char *group, const char *key)
{
	struct db_stmt *st;
	long long n;

	if ((st = key_execute(db, SQL_CONFIG_DELETE, group, key)) == NULL)
		return -1;
	n = db_rowcount(st);
	db_stmt_free(st);
	return n > 0 ? 1 : 0;
}

int
syncconf_load(struct db *db, struct config_raw *raw)
{
	struct db_stmt *st;
	const char *g, *k, *v;
	int rc, bad = 0;

	if ((st = query_run(db, SQL_CONFIG_ACTIVE, NULL)) == NULL)
		return -1;
	while ((rc = db_fetch(st)) == 1) {
		g = db_col_text(st, 0);
		k = db_col_text(st, 1);
		v = db_col_text(st, 2);
		if (g == NULL || k == NULL)
			continue;
		/* Keep going: every bad row is reported at once. */
		if (config_apply_table(raw, g, k, v ? v : "") != 0)
			bad = 1;
	}
	db_stmt_free(st);
	if (rc < 0)
		return -1;
	return bad ? -2 : 0;
}
