/*
 * batch: the execution of one batch of actions (see batch.h).  Every
 * Alertmanager call's requests are taken back from the client right
 * after the call, counted and logged here, and the one that describes the
 * call goes into the outcome that record_result() turns into rows.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "alertmanager.h"
#include "batch.h"
#include "config.h"
#include "db.h"
#include "domain.h"
#include "log.h"
#include "metrics.h"
#include "record.h"
#include "state.h"
#include "syncstate.h"
#include "util.h"

#define AM_DOWN_ERROR	"alertmanager: no member reachable; retried next run"

/* Per-batch working state: outcomes and the strings they point to. */
struct exec {
	const struct batch_env	*env;
	struct batch_tally	*t;
	struct outcome		*out;	/* one per action */
	char			**strs;	/* owned strings the outcomes and logs point to */
	size_t			 strsz, strcap;
	struct sync_log		*logs;	/* per-request heartbeat rows */
	size_t			 logsz, logcap;
	int			 owing;	/* a state-file transaction is open */
};

/*
 * Adds (o != NULL) or removes (alarm_id, labels) an owed resolve in the
 * state file, all of a batch in one transaction (owe_done commits), so a
 * batch costs at most one sync of the file.  0/-1 (logged).
 */
static int
owe(struct exec *x, const struct owed_resolve *o, int64_t alarm_id,
    const char *labels)
{
	if (!x->owing && state_begin(x->env->st) == 0)
		x->owing = 1;
	return o != NULL ? state_owed_put(x->env->st, o) :
	    state_owed_del(x->env->st, alarm_id, labels);
}

static void
owe_done(struct exec *x)
{
	if (x->owing)
		(void)state_commit(x->env->st);
	x->owing = 0;
}

static void owe_done(struct exec *);

/* Frees what a batch's execution kept (committing what it owes). */
static void
exec_free(struct exec *x)
{
	size_t i;

	owe_done(x);

	for (i = 0; i < x->strsz; i++)
		free(x->strs[i]);
	free(x->strs);
	free(x->logs);
	free(x->out);
}

/* Keeps s until the batch is written; returns s. */
static const char *
keep(struct exec *x, char *s)
{
	if (s == NULL)
		return NULL;
	x->strs = xreallocarray_grow(x->strs, &x->strcap, x->strsz + 1,
	    sizeof(*x->strs));
	x->strs[x->strsz++] = s;
	return s;
}

static void
fail(struct exec *x, struct outcome *o, const char *e)
{
	o->ok = 0;
	if (o->error == NULL)
		o->error = keep(x, xstrdup(e));
}

/*
 * Takes the client's requests since the last call: metrics, a warning per
 * failed attempt, and the request that describes the call (the last
 * success, else the last attempt) into o (if not NULL).  Returns the
 * total milliseconds spent.
 */
/*
 * Structured fields of the log lines about one alarm or request (members
 * of log.format=json lines, key=value in text): set before the line,
 * cleared after.  Any argument may be NULL (the field is left out).
 */
static void
log_fields(const struct action *a, const char *status, const char *url, long code)
{
	char id[24], cs[16];

	if (a != NULL)
		snprintf(id, sizeof(id), "%lld", (long long)a->alarm_id);
	snprintf(cs, sizeof(cs), "%ld", code);
	log_set_context("alarm_id", a != NULL ? id : NULL);
	log_set_context("action", a != NULL ? action_name(a->kind) : NULL);
	log_set_context("status", status);
	log_set_context("url", url);
	log_set_context("code", code != 0 ? cs : NULL);
}

static long
take_requests(struct exec *x, struct outcome *o, int heartbeats)
{
	const struct am_request *v, *best = NULL;
	size_t n, i;
	long ms = 0;

	n = am_requests(x->env->am, &v);
	for (i = 0; i < n; i++) {
		const struct am_request *q = &v[i];

		metrics_observe(MET_ALERTMANAGER_REQUEST_DURATION_SECONDS, q->url, q->seconds);
		metrics_add(MET_ALERTMANAGER_REQUESTS_TOTAL, q->url, 1);
		x->t->requests++;
		ms += (long)(q->seconds * 1000 + 0.5);
		log_fields(NULL, NULL, q->endpoint, q->code);
		if (q->error != NULL) {
			metrics_add(MET_ALERTMANAGER_REQUEST_ERRORS_TOTAL, q->url, 1);
			log_warn("alertmanager %s: %s %s: %s", q->url, q->method,
			    q->endpoint, q->error);
		} else
			log_debug("alertmanager %s: %s %s: %ld in %.3fs", q->url,
			    q->method, q->endpoint, q->code, q->seconds);
		log_fields(NULL, NULL, NULL, 0);
		if (q->error == NULL || best == NULL || best->error != NULL)
			best = q;
		if (heartbeats) {
			/* Heartbeats are logged per request, not per alert. */
			struct sync_log *lg;

			x->logs = xreallocarray_grow(x->logs, &x->logcap,
			    x->logsz + 1, sizeof(*x->logs));
			lg = &x->logs[x->logsz++];
			memset(lg, 0, sizeof(*lg));
			lg->operation = action_operation(ACT_HEARTBEAT);
			lg->batch_id = x->env->batch_id;
			lg->old_status = "FIRING";
			lg->new_status = "FIRING";
			lg->request_url = keep(x, xstrdup(q->endpoint));
			lg->request_method = q->method;
			lg->response_code = q->code;
			lg->duration_ms = (long)(q->seconds * 1000 + 0.5);
			lg->error = keep(x, xstrdup(q->error));
			lg->alarm_count = (int)q->alerts;
		}
	}
	if (o != NULL && best != NULL) {
		o->url = keep(x, xstrdup(best->endpoint));
		o->method = best->method;
		o->code = best->code;
	}
	am_requests_clear(x->env->am);
	return ms;
}

/*
 * Pushes the alerts of the heartbeats (heartbeats 1) or of every other
 * action (0) in POSTs of batch_size, and marks each action's outcome.
 */
static void
push(struct exec *x, struct action_list *al, int heartbeats)
{
	struct alert **alerts;
	size_t *owner, n = 0, i, start, chunk, bs;
	int *accepted, *resolve, members = (int)am_count(x->env->am);
	char **errors;
	long ms;

	bs = (size_t)x->env->c->sync_batch_size;
	alerts = xcalloc(al->n * 2 + 1, sizeof(*alerts));
	owner = xcalloc(al->n * 2 + 1, sizeof(*owner));
	resolve = xcalloc(al->n * 2 + 1, sizeof(*resolve));
	for (i = 0; i < al->n; i++) {
		struct action *a = &al->v[i];

		if ((a->kind == ACT_HEARTBEAT) != heartbeats || a->alert == NULL)
			continue;
		if (a->old_alert != NULL) {
			resolve[n] = 1;
			alerts[n] = a->old_alert;
			owner[n++] = i;
		}
		resolve[n] = a->kind == ACT_RESOLVE || a->kind == ACT_SILENCE;
		alerts[n] = a->alert;
		owner[n++] = i;
	}
	for (start = 0; start < n && !x->t->am_down; start += chunk) {
		chunk = n - start < bs ? n - start : bs;
		accepted = xcalloc(chunk, sizeof(*accepted));
		errors = xcalloc(chunk, sizeof(*errors));
		if (am_push(x->env->am, alerts + start, chunk, accepted, errors) < 0) {
			x->t->am_down = 1;
			metrics_add(MET_ERRORS_TOTAL, "alertmanager", 1);
		}
		/* Requests of a chunk describe each of its alerts. */
		{
			struct outcome probe = { 0 };

			ms = take_requests(x, &probe, heartbeats);
			for (i = 0; i < chunk; i++) {
				struct outcome *o = &x->out[owner[start + i]];

				o->url = probe.url;
				o->method = probe.method;
				o->code = probe.code;
				o->ms += ms;
				if (accepted[i] < 1)
					fail(x, o, errors[i] != NULL ? errors[i] :
					    "alertmanager: alert not accepted by any member");
				else if (resolve[start + i] && o->error == NULL &&
				    !record_resolve_done(
				    al->v[owner[start + i]].held_until,
				    accepted[i], members, x->env->now)) {
					o->deferred = 1;
					o->error = keep(x, xasprintf("%s (resolve taken "
					    "by %d of %d members; sent again until "
					    "every member has it)", errors[i] != NULL ?
					    errors[i] : "alertmanager: a member did "
					    "not answer", accepted[i], members));
				}
				if (accepted[i] < 0)
					o->rejected = 1;
				free(errors[i]);
			}
		}
		free(accepted);
		free(errors);
	}
	/* What was not attempted because Alertmanager is down waits for the next run. */
	for (i = start; i < n; i++)
		fail(x, &x->out[owner[i]], AM_DOWN_ERROR);
	free(alerts);
	free(owner);
	free(resolve);
}

/* Expands comment_template: {time}, {operator}, {alarm_id}, {reason}. */
static char *
silence_comment(const struct batch_env *env, const struct action *a)
{
	struct buf b = { 0 };
	const char *p;
	char ts[32];

	time_rfc3339(env->now, ts);
	for (p = env->c->silence_comment; *p != '\0'; p++) {
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
			buf_puts(&b, a->row && a->row->clear_reason ?
			    a->row->clear_reason : "");
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
silence(struct exec *x, const struct action *a, struct outcome *o)
{
	const struct config *c = x->env->c;
	struct label *m;
	size_t i, n = 0;
	char *comment, *id = NULL, *err = NULL;
	/*
	 * Alertmanager does not notify the resolve of an alert that a silence
	 * mutes, so the receiver (OpsGenie) would keep the incident open: the
	 * silence starts once the resolve went out (silence.start_delay,
	 * longer than the route's group_interval).
	 */
	time_t start = x->env->now + (time_t)c->silence_start_delay;
	time_t end = start + (time_t)c->silence_duration_hours * 3600;

	m = xcalloc(c->silence_matchsz + 1, sizeof(*m));
	for (i = 0; i < c->silence_matchsz; i++) {
		const char *v = alert_label(a->alert, c->silence_match[i]);

		if (v == NULL)
			continue;	/* an omitted empty label cannot be matched */
		m[n].name = c->silence_match[i];
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
		fail(x, o, "silence: alert has none of silence.match_labels");
		free(m);
		return;
	}
	comment = silence_comment(x->env, a);
	/* Sent in Alertmanager's clock (a silence starting in its future is pending). */
	if (am_silence_create(x->env->am, m, n, start + x->env->skew,
	    end + x->env->skew, comment, &id, &err) == 0) {
		o->silence_id = keep(x, id);
		o->silence_end = end;
	} else {
		fail(x, o, err ? err : "silence: not created");
		metrics_add(MET_ERRORS_TOTAL, "alertmanager", 1);
	}
	o->ms += take_requests(x, o, 0);
	free(err);
	free(comment);
	free(m);
}

static void
expire(struct exec *x, const struct action *a, struct outcome *o)
{
	char *err = NULL;

	if (am_silence_expire(x->env->am, a->sync->silence_id, &err) != 0) {
		fail(x, o, err ? err : "silence: not expired");
		metrics_add(MET_ERRORS_TOTAL, "alertmanager", 1);
	}
	o->ms = take_requests(x, o, 0);
	free(err);
}

static void
note_error(struct batch_tally *t, const char *e)
{
	if (t->first_error == NULL && e != NULL)
		t->first_error = xstrdup(e);
}

/*
 * The owed list's part of one action's bookkeeping (state file; nothing
 * without one).  Before record_result: a relabel whose old set some
 * member missed moves on once that set is owed (o is made plain ok).
 * After it (after 1): a failed push that may still have fired its label
 * set owes it a resolve; a set fired again is owed nothing.
 */
static void
owed_settle(struct exec *x, const struct action *a, struct outcome *o,
    int after)
{
	const struct batch_env *env = x->env;
	struct batch_tally *t = x->t;

	if (env->st == NULL)
		return;
	if (!after) {
		/*
		 * A relabel's row moves on to the new label set once the old
		 * set's resolve is owed (state file) to the members that
		 * missed it; without the state file the row stays as it was.
		 */
		if (a->kind == ACT_RELABEL && o->ok && o->deferred &&
		    a->old_alert != NULL) {
			struct owed_resolve ow = { a->alarm_id,
			    alert_labels_json(a->old_alert),
			    a->old_alert->starts_at, a->old_alert->ends_at,
			    a->held_until };

			if (owe(x, &ow, 0, NULL) == 0) {
				t->owed = 1;
				t->deferred++;
				log_warn("alarm %lld: relabel: the old label set's "
				    "resolve is sent again until every member has "
				    "it: %s", (long long)a->alarm_id, o->error);
				o->deferred = 0;
				o->error = NULL;
			}
			free(ow.labels);
		}
		return;
	}
	/*
	 * A failed relabel, or a failed retry of a PENDING row with
	 * other labels than it holds, may still have fired its label
	 * set (a reply lost after Alertmanager took it): should the
	 * alarm clear before the push is done again, the row resolves
	 * only the set it holds, so this one is owed a resolve.
	 */
	if ((a->kind == ACT_RELABEL || a->kind == ACT_FIRE) && !o->ok &&
	    !o->rejected && !a->intent &&
	    (o->error == NULL || strcmp(o->error, AM_DOWN_ERROR) != 0) &&
	    a->labels != NULL && a->alert != NULL && (a->sync == NULL ||
	    a->sync->labels == NULL ||
	    strcmp(a->sync->labels, a->labels) != 0)) {
		struct owed_resolve ow = { a->alarm_id, a->labels,
		    a->alert->starts_at, env->now + env->skew,
		    reconcile_lease_end(env->c, env->now) };

		if (owe(x, &ow, 0, NULL) == 0)
			t->owed = 1;
	}
	/*
	 * A PENDING row fired with other labels than it holds: an earlier
	 * push of the set it holds may have been taken (its reply lost, or
	 * the run killed before its bookkeeping), and once the row moves on
	 * nothing else remembers that set, so it is owed a resolve.
	 */
	if (a->kind == ACT_FIRE && o->ok && !o->deferred && !a->intent &&
	    a->sync != NULL && a->sync->status == SS_PENDING &&
	    a->sync->labels != NULL && a->labels != NULL &&
	    strcmp(a->sync->labels, a->labels) != 0) {
		struct owed_resolve ow = { a->alarm_id, a->sync->labels,
		    a->sync->event_time, env->now + env->skew,
		    reconcile_lease_end(env->c, env->now) };

		if (ow.starts == 0 || ow.starts > ow.ends)
			ow.starts = ow.ends;
		if (owe(x, &ow, 0, NULL) == 0)
			t->owed = 1;
	}
	/* A label set fired again is no longer owed a resolve. */
	if (t->owed && o->ok && a->labels != NULL &&
	    (a->kind == ACT_FIRE || a->kind == ACT_RELABEL))
		(void)owe(x, NULL, a->alarm_id, a->labels);
}

int
batch_run(const struct batch_env *env, struct action_list *al,
    struct batch_tally *t)
{
	struct exec x;
	struct sync_update *ups;
	struct sync_log *logs;
	size_t i, nlogs = 0;
	int rc = 0;

	if (al->n == 0)
		return 0;
	memset(&x, 0, sizeof(x));
	x.env = env;
	x.t = t;
	x.out = xcalloc(al->n, sizeof(*x.out));
	for (i = 0; i < al->n; i++)
		x.out[i].ok = 1;

	/* The intent first: a row for every first push, so nothing is orphaned ... */
	ups = xcalloc(al->n, sizeof(*ups));
	for (i = 0, nlogs = 0; i < al->n; i++)
		if (record_intent(&al->v[i], &ups[nlogs]))
			nlogs++;
	if (nlogs > 0) {
		if (syncstate_apply(env->db, ups, nlogs, NULL, 0) != 0) {
			log_error("database: PENDING rows not written, batch not "
			    "pushed: %s", db_error(env->db));
			note_error(t, db_error(env->db));
			metrics_add(MET_ERRORS_TOTAL, "db", 1);
			t->db_failed = 1;
			free(ups);
			free(x.out);
			return -1;
		}
		for (i = 0; i < al->n; i++)
			if (record_intent(&al->v[i], &ups[0]))
				al->v[i].intent = 1;
	}
	free(ups);
	nlogs = 0;

	/* ... then Alertmanager ... */
	am_requests_clear(env->am);
	push(&x, al, 0);
	for (i = 0; i < al->n; i++) {
		struct action *a = &al->v[i];

		if (a->kind == ACT_SILENCE && x.out[i].ok)
			silence(&x, a, &x.out[i]);
		else if (a->kind == ACT_EXPIRE_SILENCE) {
			if (t->am_down)
				fail(&x, &x.out[i], AM_DOWN_ERROR);
			else
				expire(&x, a, &x.out[i]);
		}
	}
	push(&x, al, 1);
	/* Tests stop here to show a run killed between push and bookkeeping. */
	if (getenv("ZMCSYNC_TEST_KILL_AFTER_PUSH") != NULL)
		raise(SIGKILL);

	/* ... bookkeeping last, as record_result decides. */
	ups = xcalloc(al->n, sizeof(*ups));
	logs = xcalloc(al->n + x.logsz, sizeof(*logs));
	for (i = 0; i < x.logsz; i++)
		logs[nlogs++] = x.logs[i];
	for (i = 0; i < al->n; i++) {
		struct action *a = &al->v[i];
		struct outcome *o = &x.out[i];

		owed_settle(&x, a, o, 0);
		if (record_result(a, o, env->now, env->batch_id, &ups[i],
		    &logs[nlogs]))
			nlogs++;
		owed_settle(&x, a, o, 1);
		log_fields(a, o->ok ? sync_status_name(a->new_status) : "failed",
		    o->url, o->code);
		if (o->ok && o->deferred) {
			/* Not a failure of the run (SPEC 3: one member suffices). */
			t->deferred++;
			log_warn("alarm %lld: %s: %s", (long long)a->alarm_id,
			    action_name(a->kind), o->error);
		} else if (!o->ok && !ups[i].failed)
			/* refused as invalid, and done with: said once, not retried */
			log_warn("alarm %lld: %s refused, row closed: %s",
			    (long long)a->alarm_id, action_name(a->kind), o->error);
		else if (o->ok) {
			t->counts[a->kind]++;
			metrics_add(MET_ALARMS_PROCESSED_TOTAL, action_name(a->kind), 1);
			if (a->kind == ACT_HEARTBEAT)
				log_debug("alarm %lld: heartbeat", (long long)a->alarm_id);
			else
				log_info("alarm %lld: %s (%s) -> %s",
				    (long long)a->alarm_id, action_name(a->kind),
				    a->reason, sync_status_name(a->new_status));
		} else {
			t->failed++;
			note_error(t, o->error);
			metrics_add(MET_ERRORS_TOTAL, "alarm", 1);
			/* Per alarm to the log file; cron mail gets one summary line. */
			log_info("alarm %lld: %s failed, retried next run: %s",
			    (long long)a->alarm_id, action_name(a->kind), o->error);
		}
		log_fields(NULL, NULL, NULL, 0);
	}
	/* What is owed is kept before the rows move on. */
	owe_done(&x);
	if (syncstate_apply(env->db, ups, al->n, logs, nlogs) != 0) {
		log_error("database: sync bookkeeping not written (alerts will be "
		    "re-pushed next run): %s", db_error(env->db));
		note_error(t, db_error(env->db));
		metrics_add(MET_ERRORS_TOTAL, "db", 1);
		t->db_failed = 1;
		rc = -1;
	}
	free(ups);
	free(logs);
	exec_free(&x);
	return rc;
}

int
batch_expire_orphans(const struct batch_env *env, const char *const *ids,
    const char *const *alarm_ids, size_t n, struct batch_tally *t)
{
	struct exec x;
	struct sync_log *logs;
	size_t i;
	int rc = 0;

	if (n == 0)
		return 0;
	memset(&x, 0, sizeof(x));
	x.env = env;
	x.t = t;
	x.out = xcalloc(n, sizeof(*x.out));
	logs = xcalloc(n, sizeof(*logs));
	am_requests_clear(env->am);
	for (i = 0; i < n; i++) {
		struct outcome *o = &x.out[i];
		char *err = NULL;
		long long aid = 0;

		o->ok = 1;
		if (am_silence_expire(env->am, ids[i], &err) != 0) {
			fail(&x, o, err ? err : "silence: not expired");
			metrics_add(MET_ERRORS_TOTAL, "alertmanager", 1);
			t->failed++;
		} else {
			t->counts[ACT_EXPIRE_SILENCE]++;
			metrics_add(MET_ALARMS_PROCESSED_TOTAL, action_name(ACT_EXPIRE_SILENCE), 1);
		}
		o->ms = take_requests(&x, o, 0);
		free(err);
		if (alarm_ids[i] != NULL)
			aid = strtoll(alarm_ids[i], NULL, 10);
		log_info("silence %s: no status row stands for it (alarm %s); %s",
		    ids[i], alarm_ids[i] ? alarm_ids[i] : "unknown",
		    o->ok ? "expired" : o->error);
		logs[i].operation = action_operation(ACT_EXPIRE_SILENCE);
		logs[i].alarm_id = aid;
		logs[i].batch_id = env->batch_id;
		logs[i].request_url = o->url;
		logs[i].request_method = o->method;
		logs[i].response_code = o->code;
		logs[i].duration_ms = o->ms;
		logs[i].error = o->error;
		logs[i].alarm_count = 1;
	}
	if (syncstate_apply(env->db, NULL, 0, logs, n) != 0) {
		log_error("database: log of the silence sweep not written: %s",
		    db_error(env->db));
		note_error(t, db_error(env->db));
		t->db_failed = 1;
		rc = -1;
	}
	free(logs);
	exec_free(&x);
	return rc;
}

/* Entries of the owed list looked at per run (soonest end first). */
#define OWED_PER_RUN	2000

int
batch_owed(const struct batch_env *env, struct batch_tally *t)
{
	struct owed_resolve *v;
	struct alert **alerts;
	struct exec x;
	size_t n, i, k = 0, *idx, start, chunk, bs;
	int *accepted, members = (int)am_count(env->am), rc = 0;

	if (env->st == NULL || t->am_down || !t->owed)
		return 0;
	if (state_owed_list(env->st, OWED_PER_RUN, &v, &n) != 0)
		return -1;
	memset(&x, 0, sizeof(x));
	x.env = env;
	x.t = t;
	alerts = xcalloc(n + 1, sizeof(*alerts));
	idx = xcalloc(n + 1, sizeof(*idx));
	/* Entries past their end are forgotten unsent: no member holds them. */
	for (i = 0; i < n; i++) {
		struct alert *a = NULL;

		if (env->now < v[i].until &&
		    (a = alert_from_labels_json(v[i].labels)) == NULL)
			log_warn("alarm %lld: owed resolve with unreadable labels "
			    "dropped", (long long)v[i].alarm_id);
		if (a == NULL) {
			if (owe(&x, NULL, v[i].alarm_id, v[i].labels) != 0)
				rc = -1;
			continue;
		}
		/*
		 * A resolve never ends in Alertmanager's future, which would
		 * make it a firing alert (an entry written under a clock that
		 * ran ahead).
		 */
		a->ends_at = v[i].ends < env->now + env->skew ? v[i].ends :
		    env->now + env->skew;
		a->starts_at = v[i].starts < a->ends_at ? v[i].starts :
		    a->ends_at;
		idx[k] = i;
		alerts[k++] = a;
	}
	bs = (size_t)env->c->sync_batch_size;
	for (start = 0; start < k && !t->am_down; start += chunk) {
		chunk = k - start < bs ? k - start : bs;
		accepted = xcalloc(chunk, sizeof(*accepted));
		if (am_push(env->am, alerts + start, chunk, accepted, NULL) < 0)
			t->am_down = 1;
		(void)take_requests(&x, NULL, 0);
		for (i = 0; i < chunk; i++) {
			const struct owed_resolve *o = &v[idx[start + i]];

			if (!record_resolve_done(o->until, accepted[i],
			    members, env->now))
				continue;
			log_info("alarm %lld: an owed resolve reached "
			    "every member", (long long)o->alarm_id);
			if (owe(&x, NULL, o->alarm_id, o->labels) != 0)
				rc = -1;
		}
		free(accepted);
	}
	for (i = 0; i < k; i++)
		alert_free(alerts[i]);
	free(alerts);
	free(idx);
	state_owed_free(v, n);
	exec_free(&x);
	return rc;
}

void
batch_tally_free(struct batch_tally *t)
{
	free(t->first_error);
	t->first_error = NULL;
}
