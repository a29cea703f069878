/*
 * source: parses rows of the source view from a statement the caller
 * runs (merge.c decides which rows a run reads).  Known columns are
 * parsed; every column is also kept as text for NM_ALARM_LABEL_MAPPING.
 * A value that cannot be parsed is warned about and cleared: the alarm
 * itself is never dropped.  Only a row without a usable ALARM_INST_ID is
 * skipped, reported with its raw value.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "dbstmt.h"
#include "dialect.h"
#include "log.h"
#include "query.h"
#include "source.h"
#include "util.h"

/* The view columns zmcsync understands (SPEC 1.2). */
enum col {
	C_ALARM_INST_ID = 0, C_EVENT_INST_ID, C_ALARM_STATE, C_ALARM_LEVEL,
	C_ALARM_CODE, C_ALARM_NAME, C_HOST_NAME, C_HOST_IP, C_APP_NAME,
	C_BUSINESS_DOMAIN, C_ENVIRONMENT, C_RES_INST_TYPE, C_EVENT_TIME,
	C_STATE_TIME, C_CREATE_DATE, C_DETAIL_INFO, C_FAULT_REASON,
	C_DEAL_SUGGEST, C_CLEAR_REASON, C_TOTAL_ALARM, C__COUNT
};

_Static_assert(C__COUNT <= sizeof(((struct source_page *)0)->ix) / sizeof(int),
    "source_page.ix too small");

static const char *const colnames[C__COUNT] = {
	"ALARM_INST_ID", "EVENT_INST_ID", "ALARM_STATE", "ALARM_LEVEL",
	"ALARM_CODE", "ALARM_NAME", "HOST_NAME", "HOST_IP", "APP_NAME",
	"BUSINESS_DOMAIN", "ENVIRONMENT", "RES_INST_TYPE", "EVENT_TIME",
	"STATE_TIME", "CREATE_DATE", "DETAIL_INFO", "FAULT_REASON",
	"DEAL_SUGGEST", "CLEAR_REASON", "TOTAL_ALARM"
};

/* A short, printable excerpt of a bad value for a warning. */
static char *
excerpt(const char *s)
{
	if (s == NULL)
		return xstrdup("NULL");
	if (strlen(s) > 40)
		return xasprintf("%.40s...", s);
	return xstrdup(s);
}

/* Warns about a value of column col of alarm id that could not be parsed. */
static void
warn_bad(const char *view, long long id, const char *col, const char *what,
    const char *val)
{
	char *e = excerpt(val);

	log_warn("source %s: alarm %lld: %s: %s \"%s\", ignored", view, id,
	    col, what, e);
	free(e);
}

/* Counts a bad value of alarm id in pg's notes; 0 when there are none (warn instead). */
static int
note(const struct source_page *pg, enum source_note k, int64_t id)
{
	struct source_notes *n = pg->notes;

	if (n == NULL)
		return 0;
	if (n->n[k] < SOURCE_NOTE_IDS)
		n->ids[k][n->n[k]] = id;
	n->n[k]++;
	return 1;
}

void
source_notes_report(struct source_notes *notes, const char *view)
{
	static const char *const what[NOTE__COUNT] = {
		[NOTE_LEVEL] = "ALARM_LEVEL NULL or not 0-4, treated as level 0",
		[NOTE_STATE] = ("ALARM_STATE NULL or not one of U, A, C, M "
		    "(a firing alert is kept, nothing new is pushed)"),
		[NOTE_TIME] = "a time column that is not a time, ignored",
	};
	struct buf b = { 0 };
	size_t i, k;

	for (k = 0; k < NOTE__COUNT; k++) {
		if (notes->n[k] == 0)
			continue;
		for (i = 0; i < notes->n[k] && i < SOURCE_NOTE_IDS; i++)
			buf_printf(&b, "%s%lld", i ? ", " : "",
			    (long long)notes->ids[k][i]);
		log_warn("source %s: %s on %zu alarm%s: %s%s", view, what[k],
		    notes->n[k], notes->n[k] == 1 ? "" : "s", b.s,
		    notes->n[k] > SOURCE_NOTE_IDS ? ", ..." : "");
		buf_free(&b);
	}
	memset(notes, 0, sizeof(*notes));
}

/* Reads a time column; bad values are warned about and cleared. */
static time_t
timecol(const struct source_page *pg, struct db_stmt *st, int i, const char *view,
    long long id)
{
	time_t t;

	if (i < 0)
		return 0;
	switch (db_col_time(st, i, &t)) {
	case 0:
		return t;
	case 1:
		return 0;
	default:
		if (note(pg, NOTE_TIME, id))
			log_debug("source %s: alarm %lld: %s: not a time \"%s\"",
			    view, id, db_col_name(st, i), db_col_text(st, i));
		else
			warn_bad(view, id, db_col_name(st, i), "not a time",
			    db_col_text(st, i));
		return 0;
	}
}

/* Fills r from the current row; 0 ok, -1 row has no usable ALARM_INST_ID. */
static int
row_read(struct db_stmt *st, const struct source_page *pg, struct zmc_row *r)
{
	const int *ix = pg->ix;
	const char *view = pg->view;
	const char *s;
	int64_t v;
	size_t i;
	int rc;

	memset(r, 0, sizeof(*r));
	if (db_col_int64(st, ix[C_ALARM_INST_ID], &v) != 0) {
		char *e = excerpt(db_col_text(st, ix[C_ALARM_INST_ID]));
		log_warn("source %s: row with ALARM_INST_ID \"%s\": not an id, "
		    "row skipped", view, e);
		free(e);
		return -1;
	}
	r->alarm_id = v;
	if (ix[C_EVENT_INST_ID] >= 0) {
		rc = db_col_int64(st, ix[C_EVENT_INST_ID], &v);
		if (rc == 0)
			r->event_id = v;
		else if (rc < 0)
			warn_bad(view, (long long)r->alarm_id, "EVENT_INST_ID",
			    "not a number", db_col_text(st, ix[C_EVENT_INST_ID]));
	}
	r->state = '?';
	s = ix[C_ALARM_STATE] >= 0 ? db_col_text(st, ix[C_ALARM_STATE]) : NULL;
	if (s != NULL) {
		while (isspace((unsigned char)*s))
			s++;
		char c = (char)toupper((unsigned char)*s);
		if (c == 'U' || c == 'A' || c == 'C' || c == 'M')
			r->state = c;
	}
	if (r->state == '?' && !note(pg, NOTE_STATE, r->alarm_id))
		warn_bad(view, (long long)r->alarm_id, "ALARM_STATE",
		    "not one of U, A, C, M", s);
	r->level = -1;
	rc = db_col_int64(st, ix[C_ALARM_LEVEL], &v);
	if (rc == 0 && v >= 0 && v <= 4)
		r->level = (int)v;
	else if (!note(pg, NOTE_LEVEL, r->alarm_id))
		warn_bad(view, (long long)r->alarm_id, "ALARM_LEVEL",
		    "not a level 0-4", db_col_text(st, ix[C_ALARM_LEVEL]));
	r->alarm_code = query_text(st, ix[C_ALARM_CODE]);
	r->alarm_name = query_text(st, ix[C_ALARM_NAME]);
	r->host_name = query_text(st, ix[C_HOST_NAME]);
	r->host_ip = query_text(st, ix[C_HOST_IP]);
	r->app_name = query_text(st, ix[C_APP_NAME]);
	r->business_domain = query_text(st, ix[C_BUSINESS_DOMAIN]);
	r->environment = query_text(st, ix[C_ENVIRONMENT]);
	r->res_inst_type = query_text(st, ix[C_RES_INST_TYPE]);
	r->event_time = timecol(pg, st, ix[C_EVENT_TIME], view, (long long)r->alarm_id);
	r->state_time = timecol(pg, st, ix[C_STATE_TIME], view, (long long)r->alarm_id);
	r->create_date = timecol(pg, st, ix[C_CREATE_DATE], view, (long long)r->alarm_id);
	r->detail_info = query_text(st, ix[C_DETAIL_INFO]);
	r->fault_reason = query_text(st, ix[C_FAULT_REASON]);
	r->deal_suggest = query_text(st, ix[C_DEAL_SUGGEST]);
	r->clear_reason = query_text(st, ix[C_CLEAR_REASON]);
	r->total_alarm = query_text(st, ix[C_TOTAL_ALARM]);
	r->ncols = pg->ncols;
	r->names = (const char *const *)pg->names;
	r->vals = xcalloc(pg->ncols ? pg->ncols : 1, sizeof(*r->vals));
	for (i = 0; i < pg->ncols; i++)
		r->vals[i] = query_text(st, pg->off + (int)i);
	return 0;
}

/* Frees what row_read allocated. */
static void
row_free(struct zmc_row *r)
{
	size_t i;

	free(r->alarm_code);
	free(r->alarm_name);
	free(r->host_name);
	free(r->host_ip);
	free(r->app_name);
	free(r->business_domain);
	free(r->environment);
	free(r->res_inst_type);
	free(r->detail_info);
	free(r->fault_reason);
	free(r->deal_suggest);
	free(r->clear_reason);
	free(r->total_alarm);
	for (i = 0; i < r->ncols && r->vals != NULL; i++)
		free(r->vals[i]);
	free(r->vals);
	memset(r, 0, sizeof(*r));
}

const char *
source_view(const struct config *cfg)
{
	if (cfg == NULL || cfg->zmc_source == NULL || cfg->zmc_source[0] == '\0')
		return DIALECT_DEFAULT_VIEW;
	return cfg->zmc_source;
}

int
source_page_begin(struct source_page *pg, struct db *db, struct db_stmt *st,
    int off, const char *view)
{
	static const enum col required[] = {
		C_ALARM_INST_ID, C_ALARM_STATE, C_ALARM_LEVEL
	};
	int n = db_col_count(st), k;
	size_t i;

	pg->off = off;
	pg->view = view;
	pg->ncols = n > off ? (size_t)(n - off) : 0;
	pg->names = xcalloc(pg->ncols ? pg->ncols : 1, sizeof(*pg->names));
	for (i = 0; i < pg->ncols; i++) {
		pg->names[i] = str_upper(xstrdup(db_col_name(st, off + (int)i)));
	}
	for (k = 0; k < C__COUNT; k++) {
		pg->ix[k] = -1;
		for (i = 0; i < pg->ncols; i++)
			if (strcmp(pg->names[i], colnames[k]) == 0) {
				pg->ix[k] = off + (int)i;
				break;
			}
	}
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (pg->ix[required[i]] < 0) {
			db_set_error(db, "source %s: no %s column", view,
			    colnames[required[i]]);
			return -1;
		}
	return 0;
}

int
source_page_add(struct source_page *pg, struct db_stmt *st)
{
	pg->fetched++;
	pg->rows = xreallocarray_grow(pg->rows, &pg->rowcap, pg->rowsz + 1,
	    sizeof(*pg->rows));
	if (row_read(st, pg, &pg->rows[pg->rowsz]) != 0) {
		pg->bad++;
		return -1;
	}
	if (pg->rows[pg->rowsz].alarm_id > pg->last_key)
		pg->last_key = pg->rows[pg->rowsz].alarm_id;
	pg->rowsz++;
	return 0;
}

void
source_page_drop_last(struct source_page *pg)
{
	if (pg->rowsz > 0)
		row_free(&pg->rows[--pg->rowsz]);
}

static int
row_cmp(const void *a, const void *b)
{
	const struct zmc_row *x = a, *y = b;

	return x->alarm_id < y->alarm_id ? -1 : x->alarm_id > y->alarm_id;
}

void
source_page_sort(struct source_page *pg)
{
	if (pg->rowsz > 1)
		qsort(pg->rows, pg->rowsz, sizeof(*pg->rows), row_cmp);
}

void
source_page_free(struct source_page *pg)
{
	size_t i;

	for (i = 0; i < pg->rowsz; i++)
		row_free(&pg->rows[i]);
	free(pg->rows);
	for (i = 0; i < pg->ncols && pg->names != NULL; i++)
		free(pg->names[i]);
	free(pg->names);
	memset(pg, 0, sizeof(*pg));
}
