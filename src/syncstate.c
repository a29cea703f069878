/*
 * syncstate: zmcsync's bookkeeping in the ZMC database.  All SQL comes
 * from dialect.c; parameters are bound by position as documented there.
 * Writes of one batch happen in one transaction, rolled back on any
 * failure, so the next run repeats the idempotent pushes.
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "dbstmt.h"
#include "dialect.h"
#include "labelmap.h"
#include "log.h"
#include "secret.h"
#include "source.h"
#include "syncstate.h"
#include "syncstatus.h"
#include "util.h"

/* Column sizes of the tables (sql/README.md), in bytes. */
#define LAST_ERROR_MAX		1000
#define ERROR_MESSAGE_MAX	2000
#define REQUEST_URL_MAX		500
#define ALERT_LABELS_MAX	4000
#define CLEANUP_BATCH		10000

/* Prepares statement id for db's dialect; NULL on error (db_error). */
static struct db_stmt *
prep(struct db *db, enum sql_id id, const char *view)
{
	struct db_stmt *st;
	char *sql;

	if (view != NULL && !dialect_ident_valid(view)) {
		db_set_error(db, "%s: not a valid table or view name", view);
		return NULL;
	}
	sql = dialect_sql(db_dialect(db), id, view);
	st = db_prepare(db, sql);
	free(sql);
	return st;
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

/*
 * Binds text cut to max bytes.  Every error text and URL stored in the
 * sync tables passes here, so a secret echoed in an error is removed
 * before it is cut.
 */
static int
bind_cut(struct db_stmt *st, int idx, const char *s, size_t max)
{
	char *clean = secret_redact(s);
	char *c = utf8_cut(clean, max);
	int r = db_bind_text(st, idx, c);

	free(c);
	free(clean);
	return r;
}

/* Binds v, or NULL when v is 0. */
static int
bind_id(struct db_stmt *st, int idx, int64_t v)
{
	return v != 0 ? db_bind_int64(st, idx, v) : db_bind_null_int(st, idx);
}

/* Copy of a text column ("" and NULL both absent). */
static char *
coltext(struct db_stmt *st, int i)
{
	const char *s = db_col_text(st, i);

	return s != NULL && *s != '\0' ? xstrdup(s) : NULL;
}

/* Integer column, 0 when NULL or bad. */
static int64_t
colint(struct db_stmt *st, int i)
{
	int64_t v;

	return db_col_int64(st, i, &v) == 0 ? v : 0;
}

/* Time column, 0 when NULL or bad. */
static time_t
coltime(struct db_stmt *st, int i)
{
	time_t t;

	return db_col_time(st, i, &t) == 0 ? t : 0;
}

void
sync_row_clear(struct sync_row *r)
{
	free(r->silence_id);
	free(r->labels);
	free(r->last_error);
	memset(r, 0, sizeof(*r));
}

int
sync_row_read_at(struct db_stmt *st, int off, struct sync_row *r)
{
	const char *s;
	int k;

	memset(r, 0, sizeof(*r));
	if (db_col_text(st, off + 1) == NULL)
		return 1;
	r->sync_id = colint(st, off + 0);
	r->alarm_id = colint(st, off + 1);
	r->event_id = colint(st, off + 2);
	s = db_col_text(st, off + 3);
	if ((k = sync_status_parse(s)) < 0) {
		/* FIRING gets it resolved or re-pushed: a clean state again. */
		log_warn("NM_ALARM_SYNC_STATUS: alarm %lld: SYNC_STATUS \"%s\" "
		    "unknown, treated as FIRING", (long long)r->alarm_id,
		    s ? s : "NULL");
		k = SS_FIRING;
	}
	r->status = (enum sync_status)k;
	s = db_col_text(st, off + 4);
	r->zmc_state = s != NULL && *s != '\0' ?
	    (char)toupper((unsigned char)*s) : 0;
	r->silence_id = coltext(st, off + 5);
	r->silence_end = coltime(st, off + 6);
	r->last_push = coltime(st, off + 7);
	r->event_time = coltime(st, off + 8);
	r->labels = coltext(st, off + 9);
	r->error_count = (int)colint(st, off + 10);
	r->last_error = coltext(st, off + 11);
	r->push_count = (int)colint(st, off + 12);
	r->create_time = coltime(st, off + 13);
	r->update_time = coltime(st, off + 14);
	return 0;
}

/* Reads all rows of an executed STATUS_COLS query; 0/-1. */
static int
sync_rows_fetch(struct db_stmt *st, struct sync_row **out, size_t *outsz)
{
	size_t cap = 0;
	int rc;

	*out = NULL;
	*outsz = 0;
	while ((rc = db_fetch(st)) == 1) {
		*out = xreallocarray_grow(*out, &cap, *outsz + 1, sizeof(**out));
		sync_row_read_at(st, 0, &(*out)[(*outsz)++]);
	}
	if (rc < 0) {
		syncstate_rows_free(*out, *outsz);
		*out = NULL;
		*outsz = 0;
		return -1;
	}
	return 0;
}

void
syncstate_rows_free(struct sync_row *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sync_row_clear(&v[i]);
	free(v);
}

int
syncstate_rows_by_ids(struct db *db, const int64_t *ids, size_t n,
    struct sync_row **out, size_t *outsz, size_t *outcap)
{
	struct db_stmt *st;
	size_t i;
	int rc;

	if (n == 0)
		return 0;
	if (n > DIALECT_IN_MAX) {
		db_set_error(db, "NM_ALARM_SYNC_STATUS: %zu ids in one IN list", n);
		return -1;
	}
	if ((st = prep(db, SQL_STATUS_BY_IDS, NULL)) == NULL)
		return -1;
	for (i = 0; i < DIALECT_IN_MAX; i++)
		if (db_bind_int64(st, (int)i + 1, ids[i < n ? i : 0]) != 0) {
			db_stmt_free(st);
			return -1;
		}
	if (db_execute(st) != 0) {
		db_stmt_free(st);
		return -1;
	}
	while ((rc = db_fetch(st)) == 1) {
		*out = xreallocarray_grow(*out, outcap, *outsz + 1, sizeof(**out));
		sync_row_read_at(st, 0, &(*out)[(*outsz)++]);
	}
	db_stmt_free(st);
	return rc < 0 ? -1 : 0;
}

/* Text of a ZMC state char, or NULL. */
static void
state_text(char c, char out[2])
{
	out[0] = c;
	out[1] = '\0';
}

/* Labels as stored: warns when they exceed the column (kept whole otherwise). */
static const char *
labels_checked(const struct sync_update *u)
{
	if (u->labels != NULL && strlen(u->labels) > ALERT_LABELS_MAX)
		log_warn("NM_ALARM_SYNC_STATUS: alarm %lld: label set of %zu "
		    "bytes exceeds ALERT_LABELS (%d)", (long long)u->alarm_id,
		    strlen(u->labels), ALERT_LABELS_MAX);
	return u->labels;
}

/*
 * Binds the values of a new status row for u (PENDING with the error when
 * failed) to markers base+1 .. base+14; 0/-1.
 */
static int
status_bind(struct db_stmt *st, int base, const struct sync_update *u,
    time_t now)
{
	char zs[2];
	int failed = u->failed;

	state_text(u->zmc_state, zs);
	if (bind_id(st, base + 1, u->event_id) != 0 ||
	    db_bind_int64(st, base + 2, u->alarm_id) != 0 ||
	    db_bind_text(st, base + 3, sync_status_name(failed ? SS_PENDING :
	    u->status)) != 0 ||
	    db_bind_text(st, base + 4, u->zmc_state ? zs : NULL) != 0 ||
	    db_bind_text(st, base + 5, failed ? NULL : u->silence_id) != 0 ||
	    db_bind_time(st, base + 6, failed ? 0 : u->silence_end) != 0 ||
	    db_bind_time(st, base + 7, failed ? 0 : u->last_push) != 0 ||
	    db_bind_time(st, base + 8, u->event_time) != 0 ||
	    db_bind_text(st, base + 9, failed ? NULL : labels_checked(u)) != 0 ||
	    db_bind_int64(st, base + 10, !failed && u->pushed ? 1 : 0) != 0 ||
	    db_bind_int64(st, base + 11, failed ? 1 : 0) != 0 ||
	    bind_cut(st, base + 12, failed ? (u->error ? u->error : "failed") :
	    NULL, LAST_ERROR_MAX) != 0 ||
	    db_bind_time(st, base + 13, now) != 0 ||
	    db_bind_time(st, base + 14, now) != 0)
		return -1;
	return 0;
}

/* INSERT of a new status row for u; 0/-1. */
static int
status_insert(struct db_stmt *st, const struct sync_update *u, time_t now)
{
	if (status_bind(st, 0, u, now) != 0)
		return -1;
	return db_execute(st);
}

/* Applies one update with the prepared statements; 0/-1. */
static int
apply_one(struct db *db, struct db_stmt **stv, const struct sync_update *u,
    time_t now)
{
	struct db_stmt *st;
	char zs[2];

	if (u->exists && u->failed) {
		st = stv[SQL_STATUS_ERROR];
		if (bind_cut(st, 1, u->error ? u->error : "failed",
		    LAST_ERROR_MAX) != 0 || db_bind_time(st, 2, now) != 0 ||
		    db_bind_int64(st, 3, u->alarm_id) != 0 ||
		    db_execute(st) != 0)
			return -1;
		return db_stmt_reset(st);
	}
	if (u->exists) {
		st = stv[SQL_STATUS_UPDATE];
		state_text(u->zmc_state, zs);
		if (bind_id(st, 1, u->event_id) != 0 ||
		    db_bind_text(st, 2, sync_status_name(u->status)) != 0 ||
		    db_bind_text(st, 3, u->zmc_state ? zs : NULL) != 0 ||
		    db_bind_text(st, 4, u->silence_id) != 0 ||
		    db_bind_time(st, 5, u->silence_end) != 0 ||
		    db_bind_time(st, 6, u->last_push) != 0 ||
		    db_bind_time(st, 7, u->event_time) != 0 ||
		    db_bind_text(st, 8, labels_checked(u)) != 0 ||
		    db_bind_int64(st, 9, u->pushed ? 1 : 0) != 0 ||
		    db_bind_time(st, 10, now) != 0 ||
		    db_bind_int64(st, 11, u->alarm_id) != 0 ||
		    db_execute(st) != 0)
			return -1;
		if (db_rowcount(st) != 0) {
			db_stmt_reset(st);
			return 0;
		}
		/* The row vanished (deleted by hand or by cleanup): recreate it. */
		db_stmt_reset(st);
	}
	st = stv[SQL_STATUS_INSERT];
	if (status_insert(st, u, now) != 0)
		return -1;
	return db_stmt_reset(st);
}

/* Binds one log row to markers base+1 .. base+13; 0/-1. */
static int
log_bind(struct db_stmt *st, int base, const struct sync_log *l, time_t now)
{
	if (db_bind_text(st, base + 1, l->operation ? l->operation : "UNKNOWN") != 0 ||
	    bind_id(st, base + 2, l->event_id) != 0 ||
	    bind_id(st, base + 3, l->alarm_id) != 0 ||
	    db_bind_text(st, base + 4, l->batch_id) != 0 ||
	    db_bind_text(st, base + 5, l->old_status && *l->old_status ?
	    l->old_status : NULL) != 0 ||
	    db_bind_text(st, base + 6, l->new_status && *l->new_status ?
	    l->new_status : NULL) != 0 ||
	    bind_cut(st, base + 7, l->request_url, REQUEST_URL_MAX) != 0 ||
	    db_bind_text(st, base + 8, l->request_method) != 0 ||
	    bind_id(st, base + 9, l->response_code) != 0 ||
	    db_bind_int64(st, base + 10, l->duration_ms) != 0 ||
	    db_bind_int64(st, base + 11, l->alarm_count) != 0 ||
	    bind_cut(st, base + 12, l->error, ERROR_MESSAGE_MAX) != 0 ||
	    db_bind_time(st, base + 13, now) != 0)
		return -1;
	return 0;
}

/* Writes one log row; 0/-1. */
static int
log_one(struct db_stmt *st, const struct sync_log *l, time_t now)
{
	if (log_bind(st, 0, l, now) != 0 || db_execute(st) != 0)
		return -1;
	return db_stmt_reset(st);
}

/*
 * Writes the accepted heartbeats of ups in one UPDATE per DIALECT_IN_MAX
 * ids (the rows differ only by id); 0/-1.
 */
static int
apply_touches(struct db_stmt *st, const struct sync_update *ups, size_t upsz,
    time_t now)
{
	int64_t ids[DIALECT_IN_MAX];
	time_t last_push = 0;
	size_t i, n = 0, k;

	for (i = 0; i <= upsz; i++) {
		if (i < upsz && !ups[i].touch)
			continue;
		if (i < upsz) {
			ids[n++] = ups[i].alarm_id;
			last_push = ups[i].last_push;
		}
		if (n == 0 || (n < DIALECT_IN_MAX && i < upsz))
			continue;
		/* The push time is the run's, as for every other update. */
		if (db_bind_time(st, 1, last_push ? last_push : now) != 0 ||
		    db_bind_time(st, 2, now) != 0)
			return -1;
		for (k = 0; k < DIALECT_IN_MAX; k++)
			if (db_bind_int64(st, (int)k + 3, ids[k < n ? k : 0]) != 0)
				return -1;
		if (db_execute(st) != 0 || db_stmt_reset(st) != 0)
			return -1;
		n = 0;
	}
	return 0;
}

/* The fence of syncstate_set_fence, or NULL. */
static int	(*fence_fn)(struct db *, void *);
static void	*fence_arg;

void
syncstate_set_fence(int (*fn)(struct db *, void *), void *arg)
{
	fence_fn = fn;
	fence_arg = arg;
}

int
syncstate_apply(struct db *db, const struct sync_update *ups, size_t upsz,
    const struct sync_log *logs, size_t logsz)
{
	static const enum sql_id ids[] = {
		SQL_STATUS_INSERT, SQL_STATUS_UPDATE, SQL_STATUS_ERROR,
		SQL_LOG_INSERT, SQL_STATUS_TOUCH, SQL_STATUS_INSERT_BULK,
		SQL_LOG_INSERT_BULK
	};
	struct db_stmt *stv[SQL__COUNT] = { 0 };
	time_t now = time(NULL);
	size_t i, j, k, touches = 0, others = 0, news = 0;
	int r = -1;

	if (upsz == 0 && logsz == 0)
		return 0;
	for (i = 0; i < upsz; i++) {
		if (ups[i].touch)
			touches++;
		else
			others++;
		news += !ups[i].touch && !ups[i].exists;
	}
	/* Prepare only what the batch needs: a steady run is mostly touches. */
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		if (ids[i] == SQL_STATUS_INSERT_BULK || ids[i] == SQL_LOG_INSERT_BULK)
			continue;	/* prepared when a full chunk comes */
		if (ids[i] == SQL_STATUS_TOUCH ? touches == 0 :
		    ids[i] == SQL_LOG_INSERT ? logsz == 0 : others == 0)
			continue;
		if ((stv[ids[i]] = prep(db, ids[i], NULL)) == NULL)
			goto out;
	}
	if (db_begin(db) != 0)
		goto out;
	if (fence_fn != NULL && fence_fn(db, fence_arg) != 0)
		goto rollback;
	/* New rows in statements of DIALECT_BULK_ROWS, the rest one by one. */
	/* k: new rows written or bound; j: rows bound to the open bulk statement */
	for (i = 0, k = 0, j = 0; i < upsz; i++) {
		if (ups[i].touch || ups[i].exists)
			continue;
		if (j > 0 || news - k >= DIALECT_BULK_ROWS) {
			if (stv[SQL_STATUS_INSERT_BULK] == NULL &&
			    (stv[SQL_STATUS_INSERT_BULK] = prep(db,
			    SQL_STATUS_INSERT_BULK, NULL)) == NULL)
				goto rollback;
			if (status_bind(stv[SQL_STATUS_INSERT_BULK], (int)j * 14,
			    &ups[i], now) != 0)
				goto rollback;
			k++;
			if (++j == DIALECT_BULK_ROWS) {
				j = 0;
				if (db_execute(stv[SQL_STATUS_INSERT_BULK]) != 0 ||
				    db_stmt_reset(stv[SQL_STATUS_INSERT_BULK]) != 0)
					goto rollback;
			}
		} else {
			if (status_insert(stv[SQL_STATUS_INSERT], &ups[i], now) != 0 ||
			    db_stmt_reset(stv[SQL_STATUS_INSERT]) != 0)
				goto rollback;
			k++;
		}
	}
	for (i = 0; i < upsz; i++)
		if (!ups[i].touch && ups[i].exists &&
		    apply_one(db, stv, &ups[i], now) != 0)
			goto rollback;
	if (touches > 0 && apply_touches(stv[SQL_STATUS_TOUCH], ups, upsz, now) != 0)
		goto rollback;
	for (i = 0; i < logsz; i++) {
		if (logsz - i >= DIALECT_BULK_ROWS) {
			if (stv[SQL_LOG_INSERT_BULK] == NULL &&
			    (stv[SQL_LOG_INSERT_BULK] = prep(db,
			    SQL_LOG_INSERT_BULK, NULL)) == NULL)
				goto rollback;
			for (k = 0; k < DIALECT_BULK_ROWS; k++)
				if (log_bind(stv[SQL_LOG_INSERT_BULK], (int)k * 13,
				    &logs[i + k], now) != 0)
					goto rollback;
			if (db_execute(stv[SQL_LOG_INSERT_BULK]) != 0 ||
			    db_stmt_reset(stv[SQL_LOG_INSERT_BULK]) != 0)
				goto rollback;
			i += DIALECT_BULK_ROWS - 1;
		} else if (log_one(stv[SQL_LOG_INSERT], &logs[i], now) != 0)
			goto rollback;
	}
	if (db_commit(db) != 0)
		goto out;
	r = 0;
	goto out;
rollback:
	db_rollback(db);
out:
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		db_stmt_free(stv[ids[i]]);
	return r;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
syncstate_silenced_ids(struct db *db, char ***ids, size_t *n)
{
	struct db_stmt *st;
	size_t cap = 0;
	char *v;
	int rc;

	*ids = NULL;
	*n = 0;
	if ((st = prep(db, SQL_SILENCED_IDS, NULL)) == NULL)
		return -1;
	if (db_execute(st) != 0) {
		db_stmt_free(st);
		return -1;
	}
	while ((rc = db_fetch(st)) == 1) {
		if ((v = coltext(st, 0)) == NULL)
			continue;
		*ids = xreallocarray_grow(*ids, &cap, *n + 1, sizeof(**ids));
		(*ids)[(*n)++] = v;
	}
	db_stmt_free(st);
	if (*n > 1)
		qsort(*ids, *n, sizeof(**ids), str_cmp);
	return rc < 0 ? -1 : 0;
}

void
syncstate_batch_id(time_t now, char out[32])
{
	unsigned char rnd[4] = { 0 };
	struct tm tm;
	int fd, got = 0;

	if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) != -1) {
		got = read(fd, rnd, sizeof(rnd)) == (ssize_t)sizeof(rnd);
		close(fd);
	}
	if (!got) {
		/* No urandom: time and pid still tell concurrent runs apart. */
		unsigned long x = (unsigned long)now * 2654435761UL ^
		    (unsigned long)getpid() ^ (unsigned long)clock();
		memcpy(rnd, &x, sizeof(rnd));
	}
	gmtime_r(&now, &tm);
	if (tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0 ||
	    strftime(out, 32, "%Y%m%d%H%M%S", &tm) != 14)
		memcpy(out, "00000000000000", 15);
	snprintf(out + 14, 32 - 14, "_%02x%02x%02x%02x", (unsigned)rnd[0],
	    (unsigned)rnd[1], (unsigned)rnd[2], (unsigned)rnd[3]);
}

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
	if ((st = prep(db, SQL_PROBE_SOURCE, source_view(cfg))) == NULL)
		return NULL;
	if (db_execute(st) == 0 && (k = db_col_count(st)) > 0) {
		v = xcalloc((size_t)k, sizeof(*v));
		for (i = 0; i < k; i++)
			v[i] = xstrdup(db_col_name(st, i));
		*n = (size_t)k;
	}
	db_stmt_free(st);
	return v;
}

/*
 * Active mapping rows, each checked by labelmap_problem against the
 * view's columns; a row with a problem is passed to bad (arg, source,
 * target, type, reason) and left out.  0/-1 (database error).
 */
static int
mappings_read(struct db *db, const struct config *cfg,
    struct label_map **out, size_t *outsz,
    void (*bad)(void *, const char *, const char *, const char *,
    const char *), void *arg)
{
	struct db_stmt *st;
	size_t cap = 0, rowsz = 0, rowcap = 0, ncols = 0, i;
	char *(*rows)[3] = NULL, **cols = NULL, *why, *p;
	int rc;

	*out = NULL;
	*outsz = 0;
	if ((st = prep(db, SQL_MAPPING_ACTIVE, NULL)) == NULL)
		return -1;
	if (db_execute(st) != 0) {
		db_stmt_free(st);
		return -1;
	}
	while ((rc = db_fetch(st)) == 1) {
		rows = xreallocarray_grow(rows, &rowcap, rowsz + 1,
		    sizeof(*rows));
		rows[rowsz][0] = coltext(st, 0);
		rows[rowsz][1] = coltext(st, 1);
		rows[rowsz][2] = coltext(st, 2);
		rowsz++;
	}
	db_stmt_free(st);
	/* Only a configured mapping costs the one-row read of the view. */
	if (rc == 0 && rowsz > 0)
		cols = view_columns(db, cfg, &ncols);
	for (i = 0; i < rowsz; i++) {
		char *src = rows[i][0], *name = rows[i][1], *type = rows[i][2];

		why = rc < 0 ? NULL : labelmap_problem(src, name, type, cols,
		    ncols);
		if (rc < 0 || why != NULL) {
			if (why != NULL && bad != NULL)
				bad(arg, src ? src : "NULL", name ? name :
				    "NULL", type ? type : "label", why);
			free(why);
			free(src);
			free(name);
			free(type);
			continue;
		}
		for (p = src; *p != '\0'; p++)
			*p = (char)toupper((unsigned char)*p);
		*out = xreallocarray_grow(*out, &cap, *outsz + 1, sizeof(**out));
		(*out)[*outsz].source_field = src;
		(*out)[*outsz].target_name = name;
		(*out)[*outsz].annotation = type != NULL &&
		    str_eq_ci(type, "annotation");
		(*outsz)++;
		free(type);
	}
	free(rows);
	strv_free(cols, ncols);
	if (rc < 0) {
		syncstate_mappings_free(*out, *outsz);
		*out = NULL;
		*outsz = 0;
		return -1;
	}
	return 0;
}

/* mappings_read callback of a run: one warning naming the row. */
static void
mapping_warn(void *arg, const char *src, const char *name, const char *type,
    const char *why)
{
	log_warn("NM_ALARM_LABEL_MAPPING: %s -> %s (%s): %s, row ignored",
	    src, name, type, why);
}

int
syncstate_mappings(struct db *db, const struct config *cfg,
    struct label_map **out, size_t *outsz)
{
	return mappings_read(db, cfg, out, outsz, mapping_warn, NULL);
}

void
syncstate_mappings_free(struct label_map *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].source_field);
		free(v[i].target_name);
	}
	free(v);
}

int
syncstate_config_load(struct db *db, struct cfg *cfg)
{
	struct db_stmt *st;
	const char *g, *k, *v;
	int rc, bad = 0;

	if ((st = prep(db, SQL_CONFIG_ACTIVE, NULL)) == NULL)
		return -1;
	if (db_execute(st) != 0) {
		db_stmt_free(st);
		return -1;
	}
	while ((rc = db_fetch(st)) == 1) {
		g = db_col_text(st, 0);
		k = db_col_text(st, 1);
		v = db_col_text(st, 2);
		if (g == NULL || k == NULL)
			continue;
		/* Keep going: every bad row is reported at once. */
		if (config_apply_table(cfg, g, k, v ? v : "") != 0)
			bad = 1;
	}
	db_stmt_free(st);
	if (rc < 0)
		return -1;
	return bad ? -2 : 0;
}

int
syncstate_active_by_level(struct db *db, const struct config *cfg,
    long by_level[5], long *in_error)
{
	struct db_stmt *st;
	int64_t lvl, n;
	int rc, i;

	for (i = 0; i < 5; i++)
		by_level[i] = 0;
	*in_error = 0;
	if ((st = prep(db, SQL_ACTIVE_BY_LEVEL, source_view(cfg))) == NULL)
		return -1;
	if (db_execute(st) != 0) {
		db_stmt_free(st);
		return -1;
	}
	while ((rc = db_fetch(st)) == 1) {
		if (db_col_int64(st, 0, &lvl) != 0 || lvl < 0 || lvl > 4)
			lvl = 0;
		n = colint(st, 1);
		by_level[lvl] += (long)n;
	}
	db_stmt_free(st);
	if (rc < 0)
		return -1;
	if ((st = prep(db, SQL_STATS_ERRORS, NULL)) == NULL)
		return -1;
	if (db_execute(st) != 0 || (rc = db_fetch(st)) < 0) {
		db_stmt_free(st);
		return -1;
	}
	*in_error = rc == 1 ? (long)colint(st, 0) : 0;
	db_stmt_free(st);
	return 0;
}

/* Binds the two trailing paging markers starting at idx. */
static int
bind_page(struct db *db, struct db_stmt *st, int idx, size_t limit,
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

int
syncstate_alarms(struct db *db, const char *status, size_t limit,
    size_t offset, struct sync_row **out, size_t *outsz)
{
	struct db_stmt *st;
	const char *sname = NULL;
	int k, r;

	*out = NULL;
	*outsz = 0;
	if (status != NULL && *status != '\0') {
		if ((k = sync_status_parse(status)) < 0) {
			db_set_error(db, "status %s: not one of PENDING, FIRING, "
			    "RESOLVED, SILENCED", status);
			return -1;
		}
		sname = sync_status_name((enum sync_status)k);
	}
	if ((st = prep(db, SQL_ALARMS_LIST, NULL)) == NULL)
		return -1;
	if (db_bind_text(st, 1, sname) != 0 || db_bind_text(st, 2, sname) != 0 ||
	    bind_page(db, st, 3, limit ? limit : 100, offset) != 0 ||
	    db_execute(st) != 0) {
		db_stmt_free(st);
		return -1;
	}
	r = sync_rows_fetch(st, out, outsz);
	db_stmt_free(st);
	return r;
}

/* Frees the members of one log row. */
static void
log_row_clear(struct sync_log_row *l)
{
	free(l->operation);
	free(l->batch_id);
	free(l->old_status);
	free(l->new_status);
	free(l->request_url);
	free(l->request_method);
	free(l->error);
	memset(l, 0, sizeof(*l));
}

void
syncstate_logs_free(struct sync_log_row *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		log_row_clear(&v[i]);
	free(v);
}

int
syncstate_logs(struct db *db, const struct sync_log_filter *f,
    struct sync_log_row **out, size_t *outsz)
{
	struct db_stmt *st;
	struct sync_log_row *l;
	char *op = NULL, *p;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*outsz = 0;
	if (f->operation != NULL && *f->operation != '\0') {
		op = xstrdup(f->operation);
		for (p = op; *p != '\0'; p++)
			*p = (char)toupper((unsigned char)*p);
	}
	if ((st = prep(db, SQL_LOGS_LIST, NULL)) == NULL) {
		free(op);
		return -1;
	}
	rc = db_bind_text(st, 1, op) | db_bind_text(st, 2, op) |
	    bind_id(st, 3, f->alarm_id) | bind_id(st, 4, f->alarm_id) |
	    bind_id(st, 5, f->event_id) | bind_id(st, 6, f->event_id) |
	    db_bind_int64(st, 7, f->errors_only ? 1 : 0) |
	    db_bind_time(st, 8, f->since) | db_bind_time(st, 9, f->since) |
	    db_bind_time(st, 10, f->until) | db_bind_time(st, 11, f->until) |
	    bind_page(db, st, 12, f->limit ? f->limit : 100, f->offset);
	free(op);
	if (rc != 0 || db_execute(st) != 0) {
		db_stmt_free(st);
		return -1;
	}
	while ((rc = db_fetch(st)) == 1) {
		*out = xreallocarray_grow(*out, &cap, *outsz + 1, sizeof(**out));
		l = &(*out)[(*outsz)++];
		memset(l, 0, sizeof(*l));
		l->log_id = colint(st, 0);
		l->operation = coltext(st, 1);
		l->event_id = colint(st, 2);
		l->alarm_id = colint(st, 3);
		l->batch_id = coltext(st, 4);
		l->old_status = coltext(st, 5);
		l->new_status = coltext(st, 6);
		l->request_url = coltext(st, 7);
		l->request_method = coltext(st, 8);
		l->response_code = (long)colint(st, 9);
		l->duration_ms = (long)colint(st, 10);
		l->alarm_count = (long)colint(st, 11);
		l->error = coltext(st, 12);
		l->create_time = coltime(st, 13);
	}
	db_stmt_free(st);
	if (rc < 0) {
		syncstate_logs_free(*out, *outsz);
		*out = NULL;
		*outsz = 0;
		return -1;
	}
	return 0;
}

/* Runs a one-value COUNT statement with an optional time parameter; 0/-1. */
static int
count_query(struct db *db, enum sql_id id, const char *view, int with_time,
    time_t t, long long *n)
{
	struct db_stmt *st;
	int rc;

	*n = 0;
	if ((st = prep(db, id, view)) == NULL)
		return -1;
	if ((with_time && db_bind_time(st, 1, t) != 0) ||
	    db_execute(st) != 0 || (rc = db_fetch(st)) < 0) {
		db_stmt_free(st);
		return -1;
	}
	if (rc == 1)
		*n = (long long)colint(st, 0);
	db_stmt_free(st);
	return 0;
}

int
syncstate_stats(struct db *db, time_t now, struct sync_stats *s)
{
	struct db_stmt *st;
	long long n;
	long cnt;
	int rc;

	memset(s, 0, sizeof(*s));
	if ((st = prep(db, SQL_STATS_BY_STATUS, NULL)) == NULL)
		return -1;
	if (db_execute(st) != 0) {
		db_stmt_free(st);
		return -1;
	}
	while ((rc = db_fetch(st)) == 1) {
		cnt = (long)colint(st, 1);
		s->total += cnt;
		switch (sync_status_parse(db_col_text(st, 0))) {
		case SS_PENDING:
			s->pending += cnt;
			break;
		case SS_FIRING:
			s->firing += cnt;
			break;
		case SS_RESOLVED:
			s->resolved += cnt;
			break;
		case SS_SILENCED:
			s->silenced += cnt;
			break;
		default:
			s->other += cnt;
			break;
		}
	}
	db_stmt_free(st);
	if (rc < 0)
		return -1;
	if (count_query(db, SQL_STATS_ERRORS, NULL, 0, 0, &n) != 0)
		return -1;
	s->errors = (long)n;
	if (count_query(db, SQL_STATS_LOG_SINCE, NULL, 1, now - 86400, &n) != 0)
		return -1;
	s->last_24h = (long)n;
	return 0;
}

void
config_row_clear(struct config_row *r)
{
	free(r->group);
	free(r->key);
	free(r->value);
	free(r->description);
	memset(r, 0, sizeof(*r));
}

void
syncstate_config_rows_free(struct config_row *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		config_row_clear(&v[i]);
	free(v);
}

/* Fills r from the current row of a CONFIG_COLS query. */
static void
config_row_read(struct db_stmt *st, struct config_row *r)
{
	r->id = colint(st, 0);
	r->group = coltext(st, 1);
	r->key = coltext(st, 2);
	r->value = coltext(st, 3);
	r->description = coltext(st, 4);
	r->active = colint(st, 5) != 0;
	r->create_time = coltime(st, 6);
	r->update_time = coltime(st, 7);
}

/* Upper-case copy (config table names are stored upper case). */
static char *
upper(const char *s)
{
	char *u, *p;

	if (s == NULL)
		return NULL;
	u = xstrdup(s);
	for (p = u; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	return u;
}

int
syncstate_config_list(struct db *db, const char *group,
    struct config_row **out, size_t *outsz)
{
	struct db_stmt *st;
	char *g = group && *group ? upper(group) : NULL;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*outsz = 0;
	if ((st = prep(db, SQL_CONFIG_LIST, NULL)) == NULL) {
		free(g);
		return -1;
	}
	rc = db_bind_text(st, 1, g) | db_bind_text(st, 2, g);
	free(g);
	if (rc != 0 || db_execute(st) != 0) {
		db_stmt_free(st);
		return -1;
	}
	while ((rc = db_fetch(st)) == 1) {
		*out = xreallocarray_grow(*out, &cap, *outsz + 1, sizeof(**out));
		memset(&(*out)[*outsz], 0, sizeof(**out));
		config_row_read(st, &(*out)[(*outsz)++]);
	}
	db_stmt_free(st);
	if (rc < 0) {
		syncstate_config_rows_free(*out, *outsz);
		*out = NULL;
		*outsz = 0;
		return -1;
	}
	return 0;
}

int
syncstate_config_get(struct db *db, const char *group, const char *key,
    struct config_row *out)
{
	struct db_stmt *st;
	char *g = upper(group), *k = upper(key);
	int rc;

	memset(out, 0, sizeof(*out));
	if ((st = prep(db, SQL_CONFIG_GET, NULL)) == NULL) {
		free(g);
		free(k);
		return -1;
	}
	rc = db_bind_text(st, 1, g) | db_bind_text(st, 2, k);
	free(g);
	free(k);
	if (rc != 0 || db_execute(st) != 0 || (rc = db_fetch(st)) < 0) {
		db_stmt_free(st);
		return -1;
	}
	if (rc == 1)
		config_row_read(st, out);
	db_stmt_free(st);
	return rc == 1 ? 0 : 1;
}

int
syncstate_config_set(struct db *db, const char *group, const char *key,
    const char *value, const char *description, time_t now)
{
	struct db_stmt *st = NULL;
	char *g = upper(group), *k = upper(key);
	long long n;
	int r = -1;

	if (db_begin(db) != 0)
		goto out;
	if ((st = prep(db, SQL_CONFIG_UPDATE, NULL)) == NULL)
		goto rollback;
	if (db_bind_text(st, 1, value) != 0 || db_bind_time(st, 2, now) != 0 ||
	    db_bind_text(st, 3, g) != 0 || db_bind_text(st, 4, k) != 0 ||
	    db_execute(st) != 0)
		goto rollback;
	n = db_rowcount(st);
	db_stmt_free(st);
	st = NULL;
	if (n == 0) {
		if ((st = prep(db, SQL_CONFIG_INSERT, NULL)) == NULL)
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
syncstate_config_unset(struct db *db, const char *group, const char *key)
{
	struct db_stmt *st;
	char *g = upper(group), *k = upper(key);
	long long n;
	int rc;

	if ((st = prep(db, SQL_CONFIG_DELETE, NULL)) == NULL) {
		free(g);
		free(k);
		return -1;
	}
	rc = db_bind_text(st, 1, g) | db_bind_text(st, 2, k);
	free(g);
	free(k);
	if (rc != 0 || db_execute(st) != 0) {
		db_stmt_free(st);
		return -1;
	}
	n = db_rowcount(st);
	db_stmt_free(st);
	return n > 0 ? 0 : 1;
}

/*
 * Deletes rows older than before in batches: ids picks at most batch of
 * the oldest ids, del removes the rows between the lowest and the highest
 * of them still older than before, one transaction per batch.  Adds
 * deleted rows to *done.  0/-1.
 */
static int
cleanup_table(struct db *db, enum sql_id ids, enum sql_id del, time_t before,
    size_t batch, long long *done)
{
	struct db_stmt *sel = NULL, *rm = NULL;
	int64_t id, first, last;
	size_t n;
	long long k;
	int rc, r = -1;
	size_t rounds;

	if ((sel = prep(db, ids, NULL)) == NULL ||
	    (rm = prep(db, del, NULL)) == NULL)
		goto out;
	/* Bounded: every round deletes rows or ends the loop. */
	for (rounds = 0; rounds < 10000000; rounds++) {
		if (db_bind_time(sel, 1, before) != 0 ||
		    db_bind_int64(sel, 2, (int64_t)batch) != 0 ||
		    db_execute(sel) != 0)
			goto out;
		n = 0;
		first = last = 0;
		while ((rc = db_fetch(sel)) == 1) {
			if (db_col_int64(sel, 0, &id) != 0)
				continue;
			if (n == 0 || id < first)
				first = id;
			if (n == 0 || id > last)
				last = id;
			n++;
		}
		db_stmt_reset(sel);
		if (rc < 0)
			goto out;
		if (n == 0)
			break;
		if (db_begin(db) != 0)
			goto out;
		if (db_bind_int64(rm, 1, first) != 0 ||
		    db_bind_int64(rm, 2, last) != 0 ||
		    db_bind_time(rm, 3, before) != 0 || db_execute(rm) != 0) {
			db_rollback(db);
			goto out;
		}
		k = db_rowcount(rm);
		db_stmt_reset(rm);
		if (db_commit(db) != 0)
			goto out;
		if (k > 0)
			*done += k;
		if (n < batch || k <= 0)
			break;
	}
	r = 0;
out:
	db_stmt_free(sel);
	db_stmt_free(rm);
	return r;
}

int
syncstate_cleanup(struct db *db, time_t before, size_t batch, int dry_run,
    struct cleanup_result *res)
{
	memset(res, 0, sizeof(*res));
	if (batch == 0)
		batch = CLEANUP_BATCH;
	if (dry_run) {
		if (count_query(db, SQL_CLEANUP_COUNT_LOG, NULL, 1, before,
		    &res->log_rows) != 0 ||
		    count_query(db, SQL_CLEANUP_COUNT_STATUS, NULL, 1, before,
		    &res->status_rows) != 0)
			return -1;
		return 0;
	}
	if (cleanup_table(db, SQL_CLEANUP_LOG_IDS, SQL_CLEANUP_LOG_DELETE,
	    before, batch, &res->log_rows) != 0)
		return -1;
	return cleanup_table(db, SQL_CLEANUP_STATUS_IDS,
	    SQL_CLEANUP_STATUS_DELETE, before, batch, &res->status_rows);
}

#define BUSY_SKIP	"skipped: the database is locked or busy"

/*
 * The reason a probe failed, saying plainly when another session's lock
 * is the cause (*busy then set).  Allocated.
 */
static char *
probe_error(struct db *db, int *busy)
{
	if (!db_busy(db))
		return xstrdup(db_error(db));
	*busy = 1;
	return xasprintf("the database is locked or busy (another session "
	    "holds a lock): %s", db_error(db));
}

/* What syncstate_probe's mapping check reports through. */
struct mapping_probe_ctx {
	void	(*fn)(void *, const char *, int, const char *);
	void	*arg;
	int	 bad;
};

/* mappings_read callback of a probe: one failed line per unusable row. */
static void
mapping_probe(void *arg, const char *src, const char *name, const char *type,
    const char *why)
{
	struct mapping_probe_ctx *mp = arg;
	char *what, *detail;

	mp->bad++;
	if (mp->fn == NULL)
		return;
	what = xasprintf("label mapping %s -> %s", src, name);
	detail = xasprintf("%s (%s): %s, row ignored", what + 14, type, why);
	mp->fn(mp->arg, what, 0, detail);
	free(detail);
	free(what);
}

int
syncstate_probe(struct db *db, const struct config *cfg,
    void (*fn)(void *, const char *, int, const char *), void *arg)
{
	static const char *const tables[] = {
		"NM_ALARM_SYNC_CONFIG", "NM_ALARM_SYNC_STATUS",
		"NM_ALARM_SYNC_LOG", "NM_ALARM_LABEL_MAPPING"
	};
	const char *view = source_view(cfg);
	struct db_stmt *st;
	struct mapping_probe_ctx mp;
	struct label_map *maps;
	long long n;
	char *detail;
	size_t i, mapsz;
	int ok, all = 0, rc, busy = 0;

	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		if (busy) {
			/* Each probe would wait out the same lock again. */
			if (fn != NULL)
				fn(arg, tables[i], 0, BUSY_SKIP);
			continue;
		}
		ok = count_query(db, SQL_PROBE_TABLE, tables[i], 0, 0, &n) == 0;
		detail = ok ? xasprintf("%lld rows", n) :
		    probe_error(db, &busy);
		if (fn != NULL)
			fn(arg, tables[i], ok, detail);
		free(detail);
		if (!ok)
			all = -1;
	}
	if (busy) {
		if (fn != NULL)
			fn(arg, view, 0, BUSY_SKIP);
		return -1;
	}
	ok = 0;
	if ((st = prep(db, SQL_PROBE_SOURCE, view)) != NULL) {
		struct source_page pg;

		/* The columns a run needs, checked as a run checks them. */
		memset(&pg, 0, sizeof(pg));
		if (db_execute(st) == 0 &&
		    source_page_begin(&pg, db, st, 0, view) == 0 &&
		    (rc = db_fetch(st)) >= 0) {
			ok = 1;
			detail = db_col_count(st) > 0 && rc == 1 ?
			    xasprintf("readable, %d columns", db_col_count(st)) :
			    xstrdup("readable, empty");
		}
		source_page_free(&pg);
		db_stmt_free(st);
	}
	if (!ok)
		detail = probe_error(db, &busy);
	if (fn != NULL)
		fn(arg, view, ok, detail);
	free(detail);
	if (!ok)
		all = -1;
	if (busy)
		return -1;
	/* The mapping rows, checked as a run checks them. */
	memset(&mp, 0, sizeof(mp));
	mp.fn = fn;
	mp.arg = arg;
	if (mappings_read(db, cfg, &maps, &mapsz, mapping_probe, &mp) == 0) {
		if (mp.bad == 0 && fn != NULL) {
			detail = xasprintf("%zu active rows usable", mapsz);
			fn(arg, "label mapping", 1, detail);
			free(detail);
		}
		syncstate_mappings_free(maps, mapsz);
	}
	if (mp.bad > 0)
		all = -1;
	return all;
}
