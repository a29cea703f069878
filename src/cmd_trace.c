/*
 * cmd_trace: why one alarm is or is not in Alertmanager (SPEC 4).  It
 * gathers, into one struct trace, what a run would see of the alarm --
 * its view row (read by id, as the run's tracked side reads it), each
 * filter's verdict, the labels it would push, its status row and log
 * rows -- and what each Alertmanager member holds for it now (active,
 * suppressed by which silence, or absent); then prints that as text or
 * JSON.  Read only: nothing is pushed or written.
 *
 * Exit 0 when the alarm is known (in the view or the status table), 1
 * when it is in neither, 4 when the database cannot be read.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json.h>

#include "alert.h"
#include "alertmanager.h"
#include "cmd.h"
#include "config.h"
#include "db.h"
#include "dbstmt.h"
#include "dialect.h"
#include "log.h"
#include "out.h"
#include "shape.h"
#include "source.h"
#include "synclog.h"
#include "syncmap.h"
#include "syncstate.h"
#include "util.h"

/* How many log rows a trace shows, newest first. */
#define TRACE_LOGS	10

/* One filter's verdict. */
struct trace_filter {
	const char	*name;		/* "state", "alarm_levels", ... (static) */
	int		 pass;
	char		*detail;
};

/* What one Alertmanager member holds for the alarm. */
struct trace_am {
	const char		*url;		/* the client's */
	char			*error;		/* NULL: the member answered */
	struct am_alert_info	*alerts;	/* its alerts with the alarm's labels */
	size_t			 n;
};

struct trace {
	int64_t			 id;
	const char		*view;
	struct source_page	 pg;		/* the view row, if any: pg.rows[0] */
	const struct zmc_row	*row;		/* NULL: not in the view */
	struct trace_filter	 f[4];
	size_t			 nf;
	int			 pushable;	/* every filter passes */
	struct alert		*alert;		/* labels it would push; NULL without a row */
	struct sync_row		*st;		/* status row, NULL none */
	size_t			 stsz, stcap;
	struct sync_log_row	*logs;
	size_t			 nlogs;
	struct trace_am		*ams;
	size_t			 nams;
	char			*am_error;	/* the Alertmanager client could not be made */
	char			*verdict;
};

static void
filter_add(struct trace *t, const char *name, int pass, char *detail)
{
	t->f[t->nf].name = name;
	t->f[t->nf].pass = pass;
	t->f[t->nf].detail = detail;
	t->nf++;
}

/* Value in force of group.key, for the filters' details; never NULL. */
static const char *
setting(struct ctx *ctx, const char *dotted)
{
	const struct cfg_key *k = config_key_find(dotted);

	return k != NULL ? config_value(ctx->raw, k, 1, NULL, NULL) : "";
}

/* Reads the alarm's view row by id into t (none: t->row NULL).  0/-1. */
static int
read_view(struct ctx *ctx, struct trace *t)
{
	struct db_stmt *st;
	char *sql;
	int i, rc;

	if ((sql = dialect_sql(db_dialect(ctx->db), SQL_SOURCE_BY_IDS, t->view)) == NULL) {
		db_set_error(ctx->db, "zmc.source %s: not a valid view name", t->view);
		return -1;
	}
	st = db_prepare(ctx->db, sql);
	free(sql);
	if (st == NULL)
		return -1;
	/* The statement takes DIALECT_IN_MAX ids: the one id fills them all. */
	for (i = 0; i < DIALECT_IN_MAX; i++)
		if (db_bind_int64(st, i + 1, t->id) != 0) {
			db_stmt_free(st);
			return -1;
		}
	if (db_execute(st) != 0 ||
	    source_page_begin(&t->pg, ctx->db, st, 0, t->view) != 0) {
		db_stmt_free(st);
		return -1;
	}
	while ((rc = db_fetch(st)) == 1 && t->pg.rowsz == 0)
		source_page_add(&t->pg, st);
	db_stmt_free(st);
	if (rc < 0)
		return -1;
	if (t->pg.rowsz > 0)
		t->row = &t->pg.rows[0];
	return 0;
}

/* The filters a run applies to the row, in its order. */
static void
judge(struct ctx *ctx, struct trace *t, time_t now)
{
	const struct config *c = ctx->conf;
	const struct zmc_row *r = t->row;
	char tb[32];
	time_t raised;
	int level, pass;

	filter_add(t, "state", r->state == 'U', r->state == 'U' ?
	    xstrdup("U: the alarm is active in ZMC") :
	    xasprintf("%c: not active in ZMC (only state U is pushed; a pushed "
	    "alarm is resolved)", r->state));
	level = r->level < 0 || r->level > 4 ? 0 : r->level;
	filter_add(t, "alarm_levels", c->sync_levels[level] != 0,
	    xasprintf("level %d%s %s sync.alarm_levels %s", level,
	    r->level < 0 ? " (ALARM_LEVEL NULL or out of range)" : "",
	    c->sync_levels[level] ? "is in" : "is not in",
	    setting(ctx, "sync.alarm_levels")));
	if (c->sync_severity_filtersz == 0)
		filter_add(t, "severity_filter", 1, xasprintf("severity %s; "
		    "sync.severity_filter empty: every severity passes",
		    alert_severity(c, r->level)));
	else {
		/* alert_passes_filters is both: the level passed, so it decides here. */
		pass = !c->sync_levels[level] ? -1 : alert_passes_filters(c, r);
		filter_add(t, "severity_filter", pass != 0, xasprintf("severity %s "
		    "%s sync.severity_filter %s", alert_severity(c, r->level),
		    pass == 0 ? "is not in" : pass > 0 ? "is in" : "(level already "
		    "filtered out) vs", setting(ctx, "sync.severity_filter")));
	}
	raised = r->event_time != 0 ? r->event_time : r->create_date;
	pass = alert_in_window(c, r, now);
	filter_add(t, "history_window", pass, raised == 0 ?
	    xstrdup("no EVENT_TIME nor CREATE_DATE: in the window") :
	    xasprintf("raised %s, %s the last sync.history_hours %d hours "
	    "(a first push only; a tracked alarm stays)", out_time(raised, tb),
	    pass ? "within" : "before", c->sync_history_hours));
	t->pushable = t->f[0].pass && t->f[1].pass && t->f[2].pass &&
	    (t->f[3].pass || t->st != NULL);
}

/* Asks every member what it holds with the alarm's identity. */
static void
ask_ams(struct ctx *ctx, struct trace *t)
{
	struct label ms[2];
	struct am *am;
	char idbuf[24], *err = NULL;
	const char *src;
	size_t i, n = 0;

	if ((am = cmd_am(ctx, &err)) == NULL) {
		t->am_error = err;
		return;
	}
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)t->id);
	ms[n].name = "alarm_id";
	ms[n++].value = idbuf;
	/* Another source's alarm may have the same id: narrow by ours. */
	if (t->alert != NULL && (src = alert_label(t->alert, "source")) != NULL) {
		ms[n].name = "source";
		ms[n++].value = (char *)src;
	}
	t->nams = am_count(am);
	t->ams = xcalloc(t->nams, sizeof(*t->ams));
	for (i = 0; i < t->nams; i++) {
		t->ams[i].url = xstrdup(am_url(am, i));
		err = NULL;
		if (am_alerts_find(am, i, ms, n, &t->ams[i].alerts, &t->ams[i].n,
		    &err) != 0)
			t->ams[i].error = err != NULL ? err : xstrdup("no answer");
	}
	am_free(am);
}

/* "active", "suppressed by silence X", "absent" or the error of member a. */
static char *
am_text(const struct trace_am *a)
{
	struct buf b = { 0 };
	size_t i, j;

	if (a->error != NULL)
		return xstrdup(a->error);
	if (a->n == 0)
		return xstrdup("absent (never pushed, resolved, or expired)");
	for (i = 0; i < a->n; i++) {
		const struct am_alert_info *x = &a->alerts[i];

		buf_printf(&b, "%s%s", i ? "; " : "", x->state);
		for (j = 0; j < x->nsilenced; j++)
			buf_printf(&b, "%s%s", j ? ", " : " by silence ",
			    x->silenced_by[j]);
		for (j = 0; j < x->ninhibited; j++)
			buf_printf(&b, "%s%s", j ? ", " : " inhibited by alert ",
			    x->inhibited_by[j]);
		if (x->ends != 0) {
			char tb[32];

			buf_printf(&b, ", ends %s", out_time(x->ends, tb));
		}
	}
	return buf_release(&b);
}

/* The one-line answer. */
static char *
verdict(const struct trace *t)
{
	size_t i, j, active = 0, muted = 0, absent = 0, err = 0;
	const char *sil = NULL;

	for (i = 0; i < t->nams; i++) {
		if (t->ams[i].error != NULL) {
			err++;
			continue;
		}
		if (t->ams[i].n == 0)
			absent++;
		for (j = 0; j < t->ams[i].n; j++) {
			if (t->ams[i].alerts[j].nsilenced > 0) {
				muted++;
				sil = t->ams[i].alerts[j].silenced_by[0];
			} else
				active++;
		}
	}
	if (t->row == NULL && t->st == NULL)
		return xasprintf("alarm %lld is neither in the view %s nor in "
		    "NM_ALARM_SYNC_STATUS", (long long)t->id, t->view);
	if (muted > 0 && active == 0)
		return xasprintf("in Alertmanager, muted by silence %s", sil);
	if (t->st != NULL && t->st->status == SS_SILENCED) {
		char tb[32];

		return xasprintf("masked in ZMC: resolved in Alertmanager, silence "
		    "%s until %s", t->st->silence_id ? t->st->silence_id : "-",
		    out_time(t->st->silence_end, tb));
	}
	if (t->row == NULL)
		return xasprintf("gone from the view %s; its status row is %s",
		    t->view, sync_status_name(t->st->status));
	for (i = 0; i < t->nf; i++)
		if (!t->f[i].pass && !(t->st != NULL && strcmp(t->f[i].name,
		    "history_window") == 0)) {
			if (active > 0)
				return xasprintf("filtered out by %s (%s), still in "
				    "Alertmanager until the next run resolves it",
				    t->f[i].name, t->f[i].detail);
			return xasprintf("filtered out by %s: %s", t->f[i].name,
			    t->f[i].detail);
		}
	if (active > 0)
		return xstrdup("in Alertmanager, active");
	if (t->st != NULL && t->st->status == SS_PENDING)
		return xasprintf("to be pushed: the last push failed (%s)",
		    t->st->last_error != NULL ? t->st->last_error : "no reason kept");
	if (err > 0 && absent == 0)
		return xstrdup("passes every filter; no Alertmanager answered");
	if (t->st == NULL)
		return xstrdup("passes every filter, not pushed yet: the next run pushes it");
	return xasprintf("passes every filter, status %s, but no Alertmanager "
	    "holds it: the next run pushes it again", sync_status_name(t->st->status));
}

static void
trace_free(struct trace *t)
{
	size_t i;

	source_page_free(&t->pg);
	for (i = 0; i < t->nf; i++)
		free(t->f[i].detail);
	alert_free(t->alert);
	for (i = 0; i < t->stsz; i++)
		sync_row_clear(&t->st[i]);
	free(t->st);
	synclog_rows_free(t->logs, t->nlogs);
	for (i = 0; i < t->nams; i++) {
		free((char *)t->ams[i].url);
		free(t->ams[i].error);
		am_alert_info_free(t->ams[i].alerts, t->ams[i].n);
	}
	free(t->ams);
	free(t->am_error);
	free(t->verdict);
}

/* Gathers everything; 0, or -1 on a database error (logged). */
static int
trace_gather(struct ctx *ctx, struct trace *t)
{
	struct label_map *maps = NULL;
	struct sync_log_filter lf;
	size_t nmaps = 0;
	time_t now = time(NULL);

	if (syncstate_rows_by_ids(ctx->db, &t->id, 1, &t->st, &t->stsz,
	    &t->stcap) != 0 || read_view(ctx, t) != 0) {
		log_error("%s", db_error(ctx->db));
		return -1;
	}
	if (t->stsz == 0) {
		free(t->st);
		t->st = NULL;
	}
	if (t->row != NULL) {
		judge(ctx, t, now);
		if (syncmap_load(ctx->db, ctx->conf, &maps, &nmaps) != 0) {
			log_warn("%s (labels shown without NM_ALARM_LABEL_MAPPING)",
			    db_error(ctx->db));
			maps = NULL;
			nmaps = 0;
		}
		t->alert = alert_build(ctx->conf, maps, nmaps, t->row, now);
		syncmap_free(maps, nmaps);
	} else if (t->st != NULL && t->st->labels != NULL)
		t->alert = alert_from_labels_json(t->st->labels);
	memset(&lf, 0, sizeof(lf));
	lf.alarm_id = t->id;
	lf.limit = TRACE_LOGS;
	if (synclog_list(ctx->db, &lf, &t->logs, &t->nlogs) != 0) {
		log_error("%s", db_error(ctx->db));
		return -1;
	}
	ask_ams(ctx, t);
	t->verdict = verdict(t);
	return 0;
}

static struct json_object *
trace_json(const struct trace *t)
{
	struct json_object *o, *x, *a, *m, *al;
	size_t i, j, k;

	o = json_object_new_object();
	json_object_object_add(o, "alarm_id", json_object_new_int64(t->id));
	json_object_object_add(o, "verdict", json_object_new_string(t->verdict));
	x = json_object_new_object();
	json_object_object_add(x, "name", json_object_new_string(t->view));
	json_object_object_add(x, "found", json_object_new_boolean(t->row != NULL));
	if (t->row != NULL) {
		a = json_object_new_object();
		for (i = 0; i < t->row->ncols; i++)
			json_object_object_add(a, t->row->names[i],
			    out_json_str(t->row->vals[i]));
		json_object_object_add(x, "row", a);
	} else
		json_object_object_add(x, "row", NULL);
	json_object_object_add(o, "view", x);
	a = json_object_new_array();
	for (i = 0; i < t->nf; i++) {
		x = json_object_new_object();
		json_object_object_add(x, "filter", json_object_new_string(t->f[i].name));
		json_object_object_add(x, "pass", json_object_new_boolean(t->f[i].pass));
		json_object_object_add(x, "detail", json_object_new_string(t->f[i].detail));
		json_object_array_add(a, x);
	}
	json_object_object_add(o, "filters", a);
	x = NULL;
	if (t->alert != NULL) {
		x = json_object_new_object();
		for (i = 0; i < t->alert->labelsz; i++)
			json_object_object_add(x, t->alert->labels[i].name,
			    json_object_new_string(t->alert->labels[i].value));
	}
	json_object_object_add(o, "labels", x);
	json_object_object_add(o, "status", t->st != NULL ?
	    shape_status_row(t->st, SHAPE_TRACE) : NULL);
	json_object_object_add(o, "logs", shape_log_rows(t->logs, t->nlogs, SHAPE_TRACE));
	a = json_object_new_array();
	for (i = 0; i < t->nams; i++) {
		const struct trace_am *ta = &t->ams[i];

		x = json_object_new_object();
		json_object_object_add(x, "url", json_object_new_string(ta->url));
		json_object_object_add(x, "state", json_object_new_string(
		    ta->error != NULL ? "unknown" : ta->n == 0 ? "absent" :
		    ta->alerts[0].state));
		json_object_object_add(x, "error", out_json_str(ta->error));
		al = json_object_new_array();
		for (j = 0; j < ta->n; j++) {
			const struct am_alert_info *ai = &ta->alerts[j];

			m = json_object_new_object();
			json_object_object_add(m, "fingerprint", out_json_str(ai->fingerprint));
			json_object_object_add(m, "state", json_object_new_string(ai->state));
			json_object_object_add(m, "silenced_by", json_object_new_array());
			for (k = 0; k < ai->nsilenced; k++)
				json_object_array_add(json_object_object_get(m, "silenced_by"),
				    json_object_new_string(ai->silenced_by[k]));
			json_object_object_add(m, "inhibited_by", json_object_new_array());
			for (k = 0; k < ai->ninhibited; k++)
				json_object_array_add(json_object_object_get(m, "inhibited_by"),
				    json_object_new_string(ai->inhibited_by[k]));
			json_object_object_add(m, "starts_at", out_json_time(ai->starts));
			json_object_object_add(m, "ends_at", out_json_time(ai->ends));
			json_object_array_add(al, m);
		}
		json_object_object_add(x, "alerts", al);
		json_object_array_add(a, x);
	}
	json_object_object_add(o, "alertmanager", a);
	json_object_object_add(o, "alertmanager_error", out_json_str(t->am_error));
	return o;
}

static void
trace_print(const struct trace *t)
{
	static const char *const khead[] = { "WHAT", "RESULT", "DETAIL" };
	static const char *const lhead[] = { "TIME", "OPERATION", "STATUS",
	    "CODE", "ERROR" };
	struct table *tb;
	struct buf b = { 0 };
	const char *cells[5];
	char tm[32], tm2[32], st[48], code[24], *s;
	size_t i;

	printf("alarm %lld: %s\n\n", (long long)t->id, t->verdict);
	tb = table_new(3, khead);
	if (t->row != NULL) {
		const struct zmc_row *r = t->row;

		buf_printf(&b, "state %c, level %d, event %lld, raised %s", r->state,
		    r->level, (long long)r->event_id, out_time(r->event_time ?
		    r->event_time : r->create_date, tm));
		if (r->alarm_name != NULL)
			buf_printf(&b, ", %s", r->alarm_name);
		if (r->host_name != NULL)
			buf_printf(&b, " on %s", r->host_name);
	}
	s = buf_release(&b);
	cells[0] = "view";
	cells[1] = t->row != NULL ? "found" : "absent";
	cells[2] = t->row != NULL ? s : t->view;
	table_add(tb, cells);
	free(s);
	for (i = 0; i < t->nf; i++) {
		cells[0] = t->f[i].name;
		cells[1] = t->f[i].pass ? "pass" : "FILTERED";
		cells[2] = t->f[i].detail;
		table_add(tb, cells);
	}
	if (t->alert != NULL) {
		for (i = 0; i < t->alert->labelsz; i++)
			buf_printf(&b, "%s%s=%s", i ? " " : "", t->alert->labels[i].name,
			    t->alert->labels[i].value);
		s = buf_release(&b);
		cells[0] = "labels";
		cells[1] = t->row != NULL ? "would push" : "last pushed";
		cells[2] = s;
		table_add(tb, cells);
		free(s);
	}
	if (t->st != NULL) {
		const struct sync_row *r = t->st;

		buf_printf(&b, "event %lld, pushed %d times, last %s, errors %d",
		    (long long)r->event_id, r->push_count, out_time(r->last_push, tm),
		    r->error_count);
		if (r->silence_id != NULL)
			buf_printf(&b, ", silence %s until %s", r->silence_id,
			    out_time(r->silence_end, tm2));
		if (r->last_error != NULL)
			buf_printf(&b, ", last error: %s", r->last_error);
		s = buf_release(&b);
		cells[0] = "status row";
		cells[1] = sync_status_name(r->status);
		cells[2] = s;
		table_add(tb, cells);
		free(s);
	} else {
		cells[0] = "status row";
		cells[1] = "none";
		cells[2] = "never pushed";
		table_add(tb, cells);
	}
	if (t->am_error != NULL) {
		cells[0] = "alertmanager";
		cells[1] = "unknown";
		cells[2] = t->am_error;
		table_add(tb, cells);
	}
	for (i = 0; i < t->nams; i++) {
		s = am_text(&t->ams[i]);
		b.len = 0;
		buf_printf(&b, "alertmanager %s", t->ams[i].url);
		cells[0] = b.s;
		cells[1] = t->ams[i].error != NULL ? "unknown" : t->ams[i].n == 0 ?
		    "absent" : t->ams[i].alerts[0].nsilenced > 0 ? "silenced" :
		    t->ams[i].alerts[0].state;
		cells[2] = s;
		table_add(tb, cells);
		free(s);
	}
	buf_free(&b);
	table_print(tb, stdout, "");
	table_free(tb);

	printf("\nlog (newest %d):\n", TRACE_LOGS);
	tb = table_new(5, lhead);
	for (i = 0; i < t->nlogs; i++) {
		const struct sync_log_row *l = &t->logs[i];

		cells[0] = out_time(l->create_time, tm);
		cells[1] = l->operation;
		cells[2] = shape_log_transition(l, st);
		cells[3] = out_id(l->response_code, code);
		cells[4] = l->error;
		table_add(tb, cells);
	}
	table_print(tb, stdout, "no log rows");
	table_free(tb);
}

int
cmd_trace(int argc, char **argv, struct ctx *ctx)
{
	struct trace t;
	long long id;
	int fmt = OUT_TEXT, r;

	if (cmd_outonly(ctx, argc, argv, &fmt, 1) != EXIT_OK)
		return EXIT_USAGE;
	if (argc - optind != 1)
		return cmd_badarg(ctx, "%s", argc - optind < 1 ?
		    "ALARM_ID missing" : "one ALARM_ID expected");
	if (str_to_int(argv[optind], 1, INT64_MAX, &id) != 0)
		return cmd_badarg(ctx, "%s: not an alarm id (ALARM_INST_ID, "
		    "a positive integer)", argv[optind]);
	CMD_PARSED(ctx);

	if (ctx->db == NULL) {
		log_error("%s", ctx->db_err ? ctx->db_err : "database: not connected");
		return EXIT_DB;
	}
	memset(&t, 0, sizeof(t));
	t.id = id;
	t.view = source_view(ctx->conf);
	if (trace_gather(ctx, &t) != 0) {
		trace_free(&t);
		return EXIT_DB;
	}
	if (fmt == OUT_JSON)
		out_json(trace_json(&t));
	else
		trace_print(&t);
	r = t.row == NULL && t.st == NULL ? EXIT_PARTIAL : EXIT_OK;
	trace_free(&t);
	return r;
}
