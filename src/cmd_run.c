/*
 * cmd_run: one sync cycle, the cron job (SPEC 3).
 *
 * The run walks the source view and the status table together in keyset
 * pages ordered by ALARM_INST_ID (a merge join, so memory stays bounded),
 * hands each batch of pairs to the pure reconcile() and carries out its
 * actions: Alertmanager first, bookkeeping second, one transaction per
 * batch.  A failure is recorded on the alarm and retried next run.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
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
#include "log.h"
#include "metrics.h"
#include "out.h"
#include "reconcile.h"
#include "source.h"
#include "state.h"
#include "syncstate.h"
#include "util.h"

/* Set by SIGTERM/SIGINT: finish the current batch's bookkeeping, then stop. */
static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* One HTTP request seen by the observer during the current push. */
struct req_seen {
	char	*endpoint;	/* full URL */
	char	*method;
	long	 code;
	long	 ms;
	char	*error;		/* NULL on success */
	size_t	 alerts;
};

/* Everything one run carries between batches. */
struct run {
	struct ctx		*ctx;
	const struct config	*c;
	struct am		*am;
	int			 dry_run;
	time_t			 now;		/* wall clock at the start of the run */
	time_t			 deadline;	/* no new batch after this (0: none) */
	char			 batch_id[32];
	struct label_map	*maps;		/* NM_ALARM_LABEL_MAPPING rows */
	size_t			 mapsz;
	long			 counts[ACT__COUNT]; /* successful actions */
	long			 planned;	/* dry run: actions printed */
	long			 failed;	/* failed actions */
	int			 am_down;	/* a push found no member reachable */
	int			 db_failed;	/* bookkeeping or reading failed */
	int			 stopped;	/* deadline or signal */
	char			*first_error;	/* for the run history */
	/* Requests of the push in progress (observer), for log rows. */
	struct req_seen		*reqs;
	size_t			 reqsz, reqcap;
	/* Bookkeeping of the batch in progress. */
	struct sync_update	*ups;
	size_t			 upsz, upcap;
	struct sync_log		*logs;
	size_t			 logsz, logcap;
	char			**strs;		/* strings the batch's rows point to */
	size_t			 strsz, strcap;
};

/* Keeps s alive until the batch is written; returns s. */
static char *
keep(struct run *r, char *s)
{
	if (s == NULL)
		return NULL;
	r->strs = xreallocarray_grow(r->strs, &r->strcap, r->strsz + 1, sizeof(char *));
	r->strs[r->strsz++] = s;
	return s;
}

static void
note_error(struct run *r, const char *e)
{
	if (r->first_error == NULL && e != NULL)
		r->first_error = xstrdup(e);
}

static void
reqs_clear(struct run *r)
{
	size_t i;

	for (i = 0; i < r->reqsz; i++) {
		free(r->reqs[i].endpoint);
		free(r->reqs[i].method);
		free(r->reqs[i].error);
	}
	r->reqsz = 0;
}

/* Alertmanager observer: metrics for every request, and a copy for the log. */
static void
observe(void *arg, const struct am_request *q)
{
	struct run *r = arg;
	struct req_seen *s;

	metrics_observe("zmc_alertmanager_request_duration_seconds", "url", q->url, q->seconds);
	metrics_add("zmc_alertmanager_requests_total", "url", q->url, 1);
	if (q->error != NULL) {
		metrics_add("zmc_alertmanager_request_errors_total", "url", q->url, 1);
		/* Diagnostics name the object first; the client's text may not. */
		if (strncmp(q->error, "alertmanager ", 13) == 0)
			log_warn("%s", q->error);
		else
			log_warn("alertmanager %s: %s %s: %s", q->url, q->method,
			    q->endpoint, q->error);
	} else
		log_debug("alertmanager %s: %s %s: %ld in %.3fs", q->url, q->method,
		    q->endpoint, q->code, q->seconds);
	r->reqs = xreallocarray_grow(r->reqs, &r->reqcap, r->reqsz + 1, sizeof(*r->reqs));
	s = &r->reqs[r->reqsz++];
	s->endpoint = xstrdup(q->endpoint);
	s->method = xstrdup(q->method);
	s->code = q->code;
	s->ms = (long)(q->seconds * 1000 + 0.5);
	s->error = xstrdup(q->error);
	s->alerts = q->alerts;
}

/* The request that best describes a push for a per-alarm log row: the last success, else the last one. */
static const struct req_seen *
req_summary(const struct run *r)
{
	size_t i;

	for (i = r->reqsz; i > 0; i--)
		if (r->reqs[i - 1].error == NULL)
			return &r->reqs[i - 1];
	return r->reqsz ? &r->reqs[r->reqsz - 1] : NULL;
}

static long
reqs_ms(const struct run *r)
{
	size_t i;
	long ms = 0;

	for (i = 0; i < r->reqsz; i++)
		ms += r->reqs[i].ms;
	return ms;
}

/* Per-action outcome while a batch is carried out. */
struct outcome {
	int	 ok;		/* every Alertmanager call of the action succeeded */
	char	*error;		/* first failure, allocated */
	char	*silence_id;	/* ACT_SILENCE: the silence created or reused */
	time_t	 silence_end;
	const char *url;	/* request URL for the log row */
	const char *method;
	long	 code;
	long	 ms;
};

static void
fail_outcome(struct outcome *o, const char *e)
{
	o->ok = 0;
	if (o->error == NULL)
		o->error = xstrdup(e);
}

/*
 * Pushes the alerts of the actions selected by want (1 = heartbeats only,
 * 0 = everything but heartbeats) in chunks of batch_size, and records per
 * action whether every alert it needed was accepted.
 */
static void
push_actions(struct run *r, struct action_list *al, struct outcome *out, int heartbeats)
{
	struct alert **alerts;
	size_t *owner, n = 0, cap, i, start, chunk, bs = (size_t)r->c->sync_batch_size;
	int *accepted;
	char **errors;
	int got;

	cap = al->n * 2 + 1;
	alerts = xcalloc(cap, sizeof(*alerts));
	owner = xcalloc(cap, sizeof(*owner));
	for (i = 0; i < al->n; i++) {
		struct action *a = &al->v[i];
		if ((a->kind == ACT_HEARTBEAT) != heartbeats || a->alert == NULL)
			continue;
		if (a->old_alert != NULL) {
			alerts[n] = a->old_alert;
			owner[n++] = i;
		}
		alerts[n] = a->alert;
		owner[n++] = i;
	}
	for (start = 0; start < n && !r->am_down; start += chunk) {
		chunk = n - start < bs ? n - start : bs;
		accepted = xcalloc(chunk, sizeof(int));
		errors = xcalloc(chunk, sizeof(char *));
		reqs_clear(r);
		got = am_push(r->am, alerts + start, chunk, accepted, errors);
		if (got < 0) {
			r->am_down = 1;
			metrics_add("zmc_errors_total", "type", "alertmanager", 1);
		}
		for (i = 0; i < chunk; i++) {
			struct outcome *o = &out[owner[start + i]];
			const struct req_seen *q = req_summary(r);
			if (q != NULL) {
				o->url = keep(r, xstrdup(q->endpoint));
				o->method = "POST";
				o->code = q->code;
			}
			o->ms = reqs_ms(r);
			if (!accepted[i])
				fail_outcome(o, errors[i] ? errors[i] :
				    "alertmanager: alert not accepted by any member");
			free(errors[i]);
		}
		if (heartbeats && !r->dry_run) {
			/* Heartbeats are logged per request, not per alert. */
			size_t k;
			for (k = 0; k < r->reqsz; k++) {
				struct sync_log *lg;
				r->logs = xreallocarray_grow(r->logs, &r->logcap,
				    r->logsz + 1, sizeof(*r->logs));
				lg = &r->logs[r->logsz++];
				memset(lg, 0, sizeof(*lg));
				lg->operation = "HEARTBEAT";
				lg->batch_id = r->batch_id;
				lg->old_status = "FIRING";
				lg->new_status = "FIRING";
				lg->request_url = keep(r, xstrdup(r->reqs[k].endpoint));
				lg->request_method = "POST";
				lg->response_code = r->reqs[k].code;
				lg->duration_ms = r->reqs[k].ms;
				lg->error = keep(r, xstrdup(r->reqs[k].error));
				lg->alarm_count = (int)r->reqs[k].alerts;
			}
		}
		free(accepted);
		free(errors);
	}
	/* Anything not attempted because Alertmanager is down stays for the next run. */
	for (i = start; i < n; i++)
		fail_outcome(&out[owner[i]], "alertmanager: no member reachable; retried next run");
	reqs_clear(r);
	free(alerts);
	free(owner);
}

/* Expands comment_template: {time}, {operator}, {alarm_id}, {reason}. */
static char *
silence_comment(const struct run *r, const struct action *a)
{
	struct buf b = { 0 };
	const char *t = r->c->silence_comment, *p;
	char ts[32];

	time_rfc3339(r->now, ts);
	for (p = t; *p != '\0'; p++) {
		if (strncmp(p, "{time}", 6) == 0) {
			buf_puts(&b, ts);
			p += 5;
		} else if (strncmp(p, "{operator}", 10) == 0) {
			/* ZMC does not say who cleared the alarm; the source view may. */
			const char *op = a->row ? zmc_row_field(a->row, "OPERATOR") : NULL;
			buf_puts(&b, op ? op : "ZMC");
			p += 9;
		} else if (strncmp(p, "{alarm_id}", 10) == 0) {
			buf_printf(&b, "%lld", (long long)a->alarm_id);
			p += 9;
		} else if (strncmp(p, "{reason}", 8) == 0) {
			buf_puts(&b, a->row && a->row->clear_reason ? a->row->clear_reason : "");
			p += 7;
		} else
			buf_add(&b, p, 1);
	}
	if (b.s == NULL)
		buf_puts(&b, "");
	return buf_release(&b);
}

/* Creates the silence of an ACT_SILENCE action whose resolve was accepted. */
static void
silence_action(struct run *r, const struct action *a, struct outcome *o)
{
	struct label *m;
	size_t i, n = 0;
	char *comment, *id = NULL, *err = NULL;
	time_t end = r->now + (time_t)r->c->silence_duration_hours * 3600;

	m = xcalloc(r->c->silence_matchsz + 1, sizeof(*m));
	for (i = 0; i < r->c->silence_matchsz; i++) {
		const char *v = alert_label(a->alert, r->c->silence_match[i]);
		if (v == NULL)
			continue;	/* an omitted empty label cannot be matched */
		m[n].name = r->c->silence_match[i];
		m[n].value = (char *)v;
		n++;
	}
	if (n == 0) {
		/* Never create a silence that would match everything. */
		m[0].name = "alarm_id";
		m[0].value = (char *)alert_label(a->alert, "alarm_id");
		n = m[0].value ? 1 : 0;
	}
	if (n == 0) {
		fail_outcome(o, "silence: alert has none of silence.match_labels");
		free(m);
		return;
	}
	comment = silence_comment(r, a);
	reqs_clear(r);
	if (am_silence_create(r->am, m, n, r->now, end, comment, &id, &err) == 0) {
		o->silence_id = id;
		o->silence_end = end;
	} else {
		fail_outcome(o, err ? err : "silence: not created");
		metrics_add("zmc_errors_total", "type", "alertmanager", 1);
	}
	if (r->reqsz > 0) {
		o->url = keep(r, xstrdup(r->reqs[r->reqsz - 1].endpoint));
		o->method = keep(r, xstrdup(r->reqs[r->reqsz - 1].method));
		o->code = r->reqs[r->reqsz - 1].code;
		o->ms += reqs_ms(r);
	}
	reqs_clear(r);
	free(err);
	free(comment);
	free(m);
}

static void
expire_action(struct run *r, const struct action *a, struct outcome *o)
{
	char *err = NULL;

	reqs_clear(r);
	if (am_silence_expire(r->am, a->sync->silence_id, &err) != 0) {
		fail_outcome(o, err ? err : "silence: not expired");
		metrics_add("zmc_errors_total", "type", "alertmanager", 1);
	}
	if (r->reqsz > 0) {
		o->url = keep(r, xstrdup(r->reqs[r->reqsz - 1].endpoint));
		o->method = "DELETE";
		o->code = r->reqs[r->reqsz - 1].code;
		o->ms = reqs_ms(r);
	}
	reqs_clear(r);
	free(err);
}

/* Prints the planned action (dry run). */
static void
print_action(const struct action *a)
{
	const struct alert *al = a->alert;

	printf("%-14s alarm %lld (%s)", action_operation(a->kind),
	    (long long)a->alarm_id, a->reason);
	if (al != NULL) {
		const char *n = alert_label(al, "alertname"), *s = alert_label(al, "severity"),
		    *i = alert_label(al, "instance");
		printf(" %s", n ? n : "");
		if (s)
			printf(" severity=%s", s);
		if (i)
			printf(" instance=%s", i);
	}
	if (a->kind == ACT_EXPIRE_SILENCE && a->sync && a->sync->silence_id)
		printf(" silence=%s", a->sync->silence_id);
	printf(" -> %s\n", sync_status_name(a->new_status));
}

/* Adds the status update and log row of one action's outcome. */
static void
record(struct run *r, const struct action *a, const struct outcome *o)
{
	struct sync_update *u;
	struct sync_log *lg;
	const struct sync_row *s = a->sync;
	const char *old = s ? sync_status_name(s->status) : NULL;
	int push = a->alert != NULL;

	r->ups = xreallocarray_grow(r->ups, &r->upcap, r->upsz + 1, sizeof(*r->ups));
	u = &r->ups[r->upsz++];
	memset(u, 0, sizeof(*u));
	u->alarm_id = a->alarm_id;
	u->exists = s != NULL;
	u->failed = !o->ok;
	u->status = o->ok ? a->new_status : (s ? s->status : SS_PENDING);
	u->event_id = a->row ? a->row->event_id : (s ? s->event_id : 0);
	u->zmc_state = a->row ? a->row->state : (s ? s->zmc_state : 0);
	if (a->kind == ACT_SILENCE) {
		u->silence_id = o->silence_id;
		u->silence_end = o->silence_end;
	} else if (a->new_status == SS_FIRING || a->kind == ACT_EXPIRE_SILENCE ||
	    a->kind == ACT_SILENCE_ENDED || a->kind == ACT_RESOLVE) {
		u->silence_id = NULL;	/* no silence of ours stands for this alarm any more */
		u->silence_end = 0;
	} else if (s != NULL) {
		u->silence_id = s->silence_id;
		u->silence_end = s->silence_end;
	}
	u->last_push = push ? r->now : 0;
	u->pushed = push && o->ok;
	if (a->kind == ACT_FIRE || a->kind == ACT_HEARTBEAT || a->kind == ACT_RELABEL) {
		u->event_time = a->alert->starts_at;
		u->labels = keep(r, alert_labels_json(a->alert));
	} else
		u->event_time = s ? s->event_time : 0;
	u->error = o->error ? keep(r, xstrdup(o->error)) : NULL;

	if (a->kind == ACT_HEARTBEAT && o->ok)
		return;		/* logged per request */
	r->logs = xreallocarray_grow(r->logs, &r->logcap, r->logsz + 1, sizeof(*r->logs));
	lg = &r->logs[r->logsz++];
	memset(lg, 0, sizeof(*lg));
	lg->operation = action_operation(a->kind);
	lg->alarm_id = a->alarm_id;
	lg->event_id = u->event_id;
	lg->batch_id = r->batch_id;
	lg->old_status = old;
	lg->new_status = sync_status_name(u->status);
	lg->request_url = o->url;
	lg->request_method = o->method;
	lg->response_code = o->code;
	lg->duration_ms = o->ms;
	lg->error = u->error;
	lg->alarm_count = 1;
}

static void
batch_reset(struct run *r)
{
	size_t i;

	for (i = 0; i < r->strsz; i++)
		free(r->strs[i]);
	r->strsz = 0;
	r->upsz = 0;
	r->logsz = 0;
}

/*
 * Decides and carries out one batch of pairs.  Returns 0, or -1 when the
 * bookkeeping could not be written (the run stops: database error).
 */
static int
run_batch(struct run *r, const struct pair *pairs, size_t n)
{
	struct action_list al = { 0 };
	struct outcome *out;
	size_t i;
	int rc = 0;

	if (n == 0)
		return 0;
	reconcile(r->c, r->maps, r->mapsz, pairs, n, r->now, &al);
	if (al.n == 0) {
		action_list_free(&al);
		return 0;
	}
	if (r->dry_run) {
		for (i = 0; i < al.n; i++)
			print_action(&al.v[i]);
		r->planned += (long)al.n;
		action_list_free(&al);
		return 0;
	}
	out = xcalloc(al.n, sizeof(*out));
	for (i = 0; i < al.n; i++)
		out[i].ok = 1;

	/* Alertmanager first ... */
	push_actions(r, &al, out, 0);
	for (i = 0; i < al.n; i++) {
		struct action *a = &al.v[i];
		if (a->kind == ACT_SILENCE && out[i].ok)
			silence_action(r, a, &out[i]);
		else if (a->kind == ACT_EXPIRE_SILENCE) {
			if (r->am_down)
				fail_outcome(&out[i], "alertmanager: no member reachable; retried next run");
			else
				expire_action(r, a, &out[i]);
		}
	}
	push_actions(r, &al, out, 1);

	/* ... bookkeeping second. */
	for (i = 0; i < al.n; i++) {
		struct action *a = &al.v[i];
		record(r, a, &out[i]);
		if (out[i].ok) {
			r->counts[a->kind]++;
			metrics_add("zmc_alarms_processed_total", "action", action_name(a->kind), 1);
			log_info("alarm %lld: %s (%s) -> %s", (long long)a->alarm_id,
			    action_name(a->kind), a->reason, sync_status_name(a->new_status));
		} else {
			r->failed++;
			note_error(r, out[i].error);
			metrics_add("zmc_errors_total", "type", "alarm", 1);
			/* Per alarm to the log file; cron mail gets one summary line. */
			log_info("alarm %lld: %s failed, retried next run: %s",
			    (long long)a->alarm_id, action_name(a->kind), out[i].error);
		}
	}
	if (syncstate_apply(r->ctx->db, r->ups, r->upsz, r->logs, r->logsz) != 0) {
		log_error("database: sync bookkeeping not written (alerts will be re-pushed next run): %s",
		    db_error(r->ctx->db));
		note_error(r, db_error(r->ctx->db));
		metrics_add("zmc_errors_total", "type", "db", 1);
		r->db_failed = 1;
		rc = -1;
	}
	for (i = 0; i < al.n; i++) {
		free(out[i].error);
		free(out[i].silence_id);
	}
	free(out);
	batch_reset(r);
	action_list_free(&al);
	return rc;
}

/* 1 when no new batch may start. */
static int
must_stop(struct run *r)
{
	if (stop_requested) {
		if (!r->stopped)
			log_warn("run: signal received; stopped after the current batch, the rest next run");
		r->stopped = 1;
	} else if (r->deadline && time(NULL) >= r->deadline) {
		if (!r->stopped)
			log_warn("run: --timeout reached; stopped, the rest next run");
		r->stopped = 1;
	}
	return r->stopped || r->am_down || r->db_failed;
}

/* Timed page reads, for zmc_db_query_duration_seconds. */
static int
read_source(struct run *r, int64_t after, struct source_page *p)
{
	double t0 = now_monotonic();
	int rc = source_page_read(r->ctx->db, r->c, after, (size_t)r->c->sync_batch_size, p);

	metrics_observe("zmc_db_query_duration_seconds", NULL, NULL, now_monotonic() - t0);
	return rc;
}

static int
read_status(struct run *r, int64_t after, struct sync_page *p)
{
	double t0 = now_monotonic();
	int rc = syncstate_page_read(r->ctx->db, r->c, after, (size_t)r->c->sync_batch_size, p);

	metrics_observe("zmc_db_query_duration_seconds", NULL, NULL, now_monotonic() - t0);
	return rc;
}

/*
 * The merge join of view rows and status rows, both ordered by alarm id.
 * A batch is cut when either page runs out, so pairs never outlive the
 * pages they point into.  Returns 0, or -1 on a database error.
 */
static int
run_pages(struct run *r)
{
	struct source_page sp = { 0 };
	struct sync_page yp = { 0 };
	struct pair *pairs;
	size_t si = 0, yi = 0, np = 0, bs = (size_t)r->c->sync_batch_size;
	int64_t safter = 0, yafter = 0;
	int sdone = 0, ydone = 0, rc = 0, sload = 1, yload = 1;

	pairs = xcalloc(bs * 2, sizeof(*pairs));
	for (;;) {
		if (sload) {
			if (must_stop(r))
				break;
			source_page_free(&sp);
			memset(&sp, 0, sizeof(sp));
			if (read_source(r, safter, &sp) != 0) {
				log_error("database: reading %s: %s", r->c->zmc_source,
				    db_error(r->ctx->db));
				rc = -1;
				break;
			}
			si = 0;
			sdone = sp.rowsz < bs;
			if (sp.rowsz > 0)
				safter = sp.rows[sp.rowsz - 1].alarm_id;
			sload = 0;
		}
		if (yload) {
			if (must_stop(r))
				break;
			syncstate_page_free(&yp);
			memset(&yp, 0, sizeof(yp));
			if (read_status(r, yafter, &yp) != 0) {
				log_error("database: reading NM_ALARM_SYNC_STATUS: %s",
				    db_error(r->ctx->db));
				rc = -1;
				break;
			}
			yi = 0;
			ydone = yp.rowsz < bs;
			if (yp.rowsz > 0)
				yafter = yp.rows[yp.rowsz - 1].alarm_id;
			yload = 0;
		}
		/* Pair up while both sides can decide. */
		while (np < bs) {
			int hs = si < sp.rowsz, hy = yi < yp.rowsz;
			if ((!hs && !sdone) || (!hy && !ydone) || (!hs && !hy))
				break;
			if (hs && (!hy || sp.rows[si].alarm_id < yp.rows[yi].alarm_id)) {
				pairs[np].row = &sp.rows[si++];
				pairs[np++].sync = NULL;
			} else if (hy && (!hs || yp.rows[yi].alarm_id < sp.rows[si].alarm_id)) {
				pairs[np].row = NULL;
				pairs[np++].sync = &yp.rows[yi++];
			} else {
				pairs[np].row = &sp.rows[si++];
				pairs[np++].sync = &yp.rows[yi++];
			}
		}
		if (np > 0) {
			if (run_batch(r, pairs, np) != 0) {
				rc = -1;
				break;
			}
			np = 0;
		}
		if (si >= sp.rowsz && yi >= yp.rowsz && sdone && ydone)
			break;
		if (si >= sp.rowsz && !sdone)
			sload = 1;
		if (yi >= yp.rowsz && !ydone)
			yload = 1;
		if (must_stop(r))
			break;
	}
	source_page_free(&sp);
	syncstate_page_free(&yp);
	free(pairs);
	return rc;
}

struct json_object *
cmd_run_json(const struct run_record *r)
{
	struct json_object *o, *c;
	size_t i;

	o = json_object_new_object();
	json_object_object_add(o, "batch_id", json_object_new_string(r->batch_id));
	json_object_object_add(o, "started", out_json_time(r->started));
	json_object_object_add(o, "duration_seconds", json_object_new_double(r->duration));
	json_object_object_add(o, "exit_code", json_object_new_int(r->exit_code));
	json_object_object_add(o, "command", out_json_str(r->command));
	c = json_object_new_object();
	for (i = 0; i < ACT__COUNT && i < 8; i++)
		json_object_object_add(c, action_name((enum action_kind)i),
		    json_object_new_int64(r->counts[i]));
	json_object_object_add(o, "actions", c);
	json_object_object_add(o, "errors", json_object_new_int64(r->errors));
	json_object_object_add(o, "error", out_json_str(r->error));
	return o;
}

/* zmc_active_alarms{severity} and zmc_alarms_in_error from the status table after the run. */
static void
gauges_from_db(struct run *r)
{
	long by_level[5] = { 0 }, in_error = 0;
	int l;

	if (syncstate_active_by_level(r->ctx->db, r->c, by_level, &in_error) != 0) {
		log_warn("database: counting active alarms: %s", db_error(r->ctx->db));
		return;
	}
	metrics_reset("zmc_active_alarms");
	for (l = 0; l < 5; l++) {
		const char *sev = r->c->severity[l];
		/* Several levels may share a severity: add them up. */
		long sum = 0;
		int k;
		for (k = 0; k < 5; k++)
			if (strcmp(r->c->severity[k], sev) == 0)
				sum += by_level[k];
		metrics_set("zmc_active_alarms", "severity", sev, (double)sum);
	}
	metrics_set("zmc_alarms_in_error", NULL, NULL, (double)in_error);
}

/* Writes metrics, state history and the closing log line; returns rc. */
static int
finish(struct run *r, int rc, double t0, const char *result)
{
	struct run_record rec;
	double dur = now_monotonic() - t0;
	time_t end = time(NULL);
	size_t i;

	if (r->dry_run)
		return rc;
	metrics_add("zmc_sync_total", "result", result, 1);
	metrics_observe("zmc_sync_duration_seconds", NULL, NULL, dur);
	metrics_set("zmc_last_sync_timestamp_seconds", NULL, NULL, (double)end);
	if (rc == EXIT_OK)
		metrics_set("zmc_last_success_timestamp_seconds", NULL, NULL, (double)end);
	metrics_set("zmc_sync_service_up", NULL, NULL,
	    strcmp(result, "disabled") == 0 || rc == EXIT_DB || rc == EXIT_CONFIG ? 0 : 1);
	if (r->ctx->st != NULL) {
		if (metrics_save(r->ctx->st) != 0)
			metrics_add("zmc_errors_total", "type", "state", 1);
		memset(&rec, 0, sizeof(rec));
		snprintf(rec.batch_id, sizeof(rec.batch_id), "%s", r->batch_id);
		rec.started = r->now;
		rec.duration = dur;
		rec.exit_code = rc;
		rec.command = "run";
		for (i = 0; i < ACT__COUNT && i < 8; i++)
			rec.counts[i] = r->counts[i];
		rec.errors = r->failed;
		rec.error = r->first_error;
		if (state_run_add(r->ctx->st, &rec) != 0)
			log_warn("state: run history not recorded");
	}
	if (r->c->metrics_textfile[0] != '\0')
		metrics_write(r->c->metrics_textfile);
	if (r->failed > 0)
		log_warn("run %s: %ld alarm action%s failed and will be retried next run; "
		    "first error: %s", r->batch_id, r->failed, r->failed == 1 ? "" : "s",
		    r->first_error ? r->first_error : "unknown");
	log_info("run %s: %s in %.2fs: fire %ld, heartbeat %ld, relabel %ld, resolve %ld, "
	    "silence %ld, expire %ld, silence ended %ld, failed %ld", r->batch_id, result, dur,
	    r->counts[ACT_FIRE], r->counts[ACT_HEARTBEAT], r->counts[ACT_RELABEL],
	    r->counts[ACT_RESOLVE], r->counts[ACT_SILENCE], r->counts[ACT_EXPIRE_SILENCE],
	    r->counts[ACT_SILENCE_ENDED], r->failed);
	return rc;
}

int
cmd_run(int argc, char **argv, struct ctx *ctx)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	struct run r;
	struct sigaction sa;
	long long timeout = -1;
	char *err = NULL;
	double t0 = now_monotonic();
	int ch, rc = EXIT_OK;
	const char *result;

	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.c = ctx->conf;
	while ((ch = getopt_long(argc, argv, "nt:", opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			r.dry_run = 1;
			break;
		case 't':
			if (cmd_number("run", "--timeout", optarg, 1, 86400, &timeout) != 0)
				return EXIT_USAGE;
			break;
		default:
			return cmd_usage(cmd_find("run"));
		}
	}
	if (optind < argc)
		return cmd_badarg("run", "unexpected argument %s", argv[optind]);

	r.now = time(NULL);
	syncstate_batch_id(r.now, r.batch_id);
	log_set_context("batch", r.batch_id);
	metrics_init(ctx->st);
	/* Counters stay monotonic even when state.db was lost: the last textfile is a floor. */
	if (r.c->metrics_textfile[0] != '\0')
		metrics_load_textfile(r.c->metrics_textfile);
	metrics_set("zmc_state_file_ok", NULL, NULL, ctx->st != NULL);
	if (ctx->st == NULL)
		metrics_add("zmc_errors_total", "type", "state", 1);

	if (!r.c->sync_enabled) {
		log_info("run: sync.enabled is false; nothing done");
		rc = finish(&r, EXIT_OK, t0, "disabled");
		goto out;
	}
	if (ctx->db == NULL || ctx->db_err != NULL) {
		log_error("%s", ctx->db_err ? ctx->db_err : "database: not connected");
		metrics_add("zmc_errors_total", "type", "db", 1);
		rc = finish(&r, EXIT_DB, t0, "failed");
		goto out;
	}
	/* A run must end before cron starts the next one: default deadline is the scan interval. */
	if (timeout < 0)
		timeout = r.c->sync_scan_interval;
	r.deadline = r.now + (time_t)timeout;

	if ((r.am = am_new(r.c, &err)) == NULL) {
		log_error("%s", err);
		free(err);
		metrics_add("zmc_errors_total", "type", "config", 1);
		rc = finish(&r, EXIT_CONFIG, t0, "failed");
		goto out;
	}
	am_set_observer(r.am, observe, &r);
	am_set_deadline(r.am, r.deadline);
	if (syncstate_mappings(ctx->db, r.c, &r.maps, &r.mapsz) != 0) {
		log_error("database: reading NM_ALARM_LABEL_MAPPING: %s", db_error(ctx->db));
		metrics_add("zmc_errors_total", "type", "db", 1);
		rc = finish(&r, EXIT_DB, t0, "failed");
		goto out;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	if (run_pages(&r) != 0 || r.db_failed)
		rc = EXIT_DB;
	else if (r.am_down)
		rc = EXIT_NOAM;
	else if (r.failed > 0 || r.stopped)
		rc = EXIT_PARTIAL;

	if (r.dry_run) {
		printf("dry run: %ld action%s planned; nothing was changed\n",
		    r.planned, r.planned == 1 ? "" : "s");
		goto out;
	}
	if (rc != EXIT_DB)
		gauges_from_db(&r);
	if (rc == EXIT_DB && db_lost(ctx->db))
		log_error("database: connection lost: %s", db_error(ctx->db));
	switch (rc) {
	case EXIT_OK:
		result = "success";
		break;
	case EXIT_PARTIAL:
		result = "partial";
		break;
	default:
		result = "failed";
		break;
	}
	rc = finish(&r, rc, t0, result);
out:
	metrics_free();
	syncstate_mappings_free(r.maps, r.mapsz);
	reqs_clear(&r);
	free(r.reqs);
	batch_reset(&r);
	free(r.ups);
	free(r.logs);
	free(r.strs);
	free(r.first_error);
	am_free(r.am);
	log_set_context("batch", NULL);
	return rc;
}
