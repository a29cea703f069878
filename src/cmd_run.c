/*
 * cmd_run: one sync cycle, the cron job (SPEC 3).
 *
 * This file keeps the options, signals, the deadline and finishing the
 * run.  merge.c reads the pairs of view row and status row in one pass,
 * reconcile.c decides the actions and what to record, batch.c carries
 * them out: Alertmanager first, bookkeeping second, one transaction per
 * batch.  A failure is recorded on the alarm and retried next run.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert.h"
#include "alertmanager.h"
#include "batch.h"
#include "cmd.h"
#include "config.h"
#include "db.h"
#include "lease.h"
#include "log.h"
#include "merge.h"
#include "metrics.h"
#include "plan.h"
#include "progress.h"
#include "reconcile.h"
#include "source.h"
#include "state.h"
#include "synclog.h"
#include "syncmap.h"
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
	struct plan		*plan;		/* dry run: what it would do */
	int			 json;		/* dry run: -o json */
	int			 stopped;	/* deadline or signal */
	struct batch_tally	 t;
	/* The run's one look at our silences (NULL: not had). */
	struct am_silence	*sil;
	size_t			 silsz;
	int			 sil_known;
	struct silence_set	 live;	/* ids of the active ones, sorted */
	struct am_view		 view;	/* what reconcile sees of Alertmanager */
	struct lease_guard	 lease;		/* SPEC 3: the one host that syncs */
	int			 lease_held;	/* 1: this run syncs */
	time_t			 am_seen;	/* member start handled (run history) */
};

/* The latest start of a reachable member: alerts pushed before it are gone. */
static void
members_started(struct run *r)
{
	size_t i;
	time_t t;
	char *err = NULL;

	for (i = 0; i < am_count(r->am); i++) {
		if (am_started(r->am, i, &t, &err) == 0) {
			if (t > r->view.started)
				r->view.started = t;
		} else
			log_debug("%s", err);
		free(err);
		err = NULL;
	}
	/* A second or two is the Date header's own rounding, not a skew. */
	if (am_clock_skew(r->am, &t) && (t > 2 || t < -2)) {
		r->view.skew = t;
		log_warn("alertmanager: its clock is %+lld s from ours; the times "
		    "alerts and silences carry follow its clock",
		    (long long)t);
	}
}

/* Most resolves owed again after one start; the latest go first. */
#define RESEND_MAX	20000

/*
 * After a member's start, the resolves (and masked alarms' resolves)
 * pushed shortly before it are owed again (reconcile_resend_window says
 * why); batch_owed sends them after the pass with the other owed
 * resolves, until every member took each.  r->am_seen becomes the start
 * handled, which the run history keeps for the next run.  Errors are
 * logged and leave the start to the next run.
 */
static void
resolves_owed_after_start(struct run *r)
{
	struct sync_row *rows = NULL;
	size_t n = 0, cap = 0, i, k = 0;
	time_t from, to, prev = 0;
	char tb[32];

	if (r->ctx->st == NULL || r->view.started == 0 ||
	    state_last_am_started(r->ctx->st, &prev) != 0)
		return;
	if (!reconcile_resend_window(r->view.started, r->view.skew, prev,
	    r->now, &from, &to)) {
		r->am_seen = r->view.started > prev ? r->view.started : prev;
		return;
	}
	if (syncstate_resolved_between(r->ctx->db, from, to, RESEND_MAX, &rows,
	    &n, &cap) != 0) {
		log_warn("database: resolves to send again after an Alertmanager "
		    "member started: %s", db_error(r->ctx->db));
		return;
	}
	for (i = 0; i < n; i++) {
		struct owed_resolve o;

		if (rows[i].labels == NULL)
			continue;
		o.alarm_id = rows[i].alarm_id;
		o.labels = rows[i].labels;
		/* Now in its clock: the push time is in ours, then or now. */
		o.ends = r->now + r->view.skew;
		o.starts = rows[i].event_time != 0 &&
		    rows[i].event_time <= o.ends ? rows[i].event_time : o.ends;
		o.until = r->now + RECONCILE_RESEND_HOLD;
		if (state_owed_put(r->ctx->st, &o) != 0)
			break;
		k++;
	}
	syncstate_rows_free(rows, n);
	if (i == n)
		r->am_seen = r->view.started;
	if (k == 0)
		return;
	r->t.owed = 1;
	log_info("alertmanager: a member started at %s: %zu recent resolve%s "
	    "sent again", time_rfc3339(r->view.started, tb), k,
	    k == 1 ? "" : "s");
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * One GET of our silences before the pass: SILENCED rows whose silence a
 * restart lost get it back, and after the pass the ones no row stands
 * for are expired.  Without the list both are skipped this run.
 */
static void
silences_load(struct run *r)
{
	const char **ids;
	char *err = NULL;
	size_t i, n = 0;

	if (!r->c->silence_use_api)
		return;
	if (am_silence_list(r->am, &r->sil, &r->silsz, &err) != 0) {
		log_warn("%s; lost silences are checked next run", err ? err :
		    "alertmanager: silences not listed");
		free(err);
		return;
	}
	ids = xcalloc(r->silsz + 1, sizeof(*ids));
	for (i = 0; i < r->silsz; i++)
		if (r->sil[i].active)
			ids[n++] = r->sil[i].id;
	qsort(ids, n, sizeof(*ids), str_cmp);
	r->live.ids = ids;
	r->live.n = n;
	r->sil_known = 1;
}

/* The orphan sweep after a complete pass; 0, or -1 on a database error. */
static int
silences_sweep(struct run *r, const struct batch_env *env)
{
	struct live_silence *lv;
	struct silence_set kept;
	const char **ids, **aids;
	char **kv;
	size_t kn, i, n = 0, k = 0;
	int *ex, rc;

	if (syncstate_silenced_ids(r->ctx->db, &kv, &kn) != 0) {
		log_error("database: reading silenced rows: %s", db_error(r->ctx->db));
		return -1;
	}
	kept.ids = (const char *const *)kv;
	kept.n = kn;
	lv = xcalloc(r->silsz + 1, sizeof(*lv));
	for (i = 0; i < r->silsz; i++)
		if (r->sil[i].active) {
			lv[n].id = r->sil[i].id;
			lv[n].alarm_id = r->sil[i].alarm_id;
			lv[n].source = r->sil[i].source;
			n++;
		}
	ex = xcalloc(n + 1, sizeof(*ex));
	ids = xcalloc(n + 1, sizeof(*ids));
	aids = xcalloc(n + 1, sizeof(*aids));
	reconcile_orphans(lv, n, r->c->label_source, &kept, ex);
	for (i = 0; i < n; i++)
		if (ex[i]) {
			ids[k] = lv[i].id;
			aids[k++] = lv[i].alarm_id;
		}
	rc = batch_expire_orphans(env, ids, aids, k, &r->t);
	free(ex);
	free(ids);
	free(aids);
	free(lv);
	strv_free(kv, kn);
	return rc;
}

/*
 * 1 when no new batch may start.  Alertmanager being down does not stop
 * the pass: later batches push nothing and record why on each alarm
 * (PENDING rows for new ones), so the tables say what is waiting.
 */
static int
must_stop(struct run *r)
{
	const char *why = NULL;

	if (r->stopped)
		return 1;
	if (stop_requested)
		why = "run: signal received; stopped after the current batch";
	else if (r->deadline && time(NULL) >= r->deadline)
		why = "run: --timeout reached";
	if (why != NULL) {
		log_warn("%s; the rest next run", why);
		if (r->t.first_error == NULL)
			r->t.first_error = xstrdup(why);
		r->stopped = 1;
	}
	return r->stopped || r->t.db_failed || r->lease.lost;
}

/*
 * Carries out the gathered actions and empties l; 0, or -1 (database).
 * Only while the lease is still ours (SPEC 3): a lost lease drops them,
 * the holder decides them again.
 */
static int
flush(struct run *r, const struct batch_env *env, struct action_list *l)
{
	int rc = 0;

	if (l->n > 0 && lease_check(&r->lease) != 0)
		rc = r->lease.lost ? 0 : -1;
	else
		rc = batch_run(env, l, &r->t);
	action_list_free(l);
	return rc;
}

/*
 * The pass: batches of pairs from merge, actions from reconcile, carried
 * out by batch (or printed, dry run).  Returns 0, or -1 on a database
 * error.
 */
static int
run_pass(struct run *r)
{
	struct batch_env env = { r->ctx->db, r->am, r->c, r->now, r->batch_id, 0,
	    r->ctx->st };
	struct merge *m = merge_new(r->ctx->db, r->c, MERGE_PAGE,
	    (size_t)r->c->sync_batch_size);
	struct action_list pend = { 0 };
	const struct merge_stats *ms;
	const struct pair *pairs;
	struct progress *pg = progress_new(r->ctx->verbose);
	size_t n, i, bs = (size_t)r->c->sync_batch_size;
	int rc = 0, got = 1;

	ms = merge_stats(m);
	if (r->dry_run && r->plan == NULL)
		r->plan = plan_new(r->json, r->batch_id);
	if (!r->dry_run) {
		silences_load(r);
		members_started(r);
		r->view.live = r->sil_known ? &r->live : NULL;
		env.skew = r->view.skew;
		/* Resolves owed from earlier runs are sent after the pass. */
		r->t.owed = env.st != NULL && state_owed_count(env.st) > 0;
	}
	while (!must_stop(r) && (got = merge_next(m, &pairs, &n)) != 0) {
		struct action_list al = { 0 };

		for (i = 0; i < ms->nrecent; i++)
			metrics_observe(MET_DB_QUERY_DURATION_SECONDS, NULL, ms->recent[i]);

		if (got < 0) {
			log_error("database: reading %s: %s", source_view(r->c),
			    db_error(r->ctx->db));
			if (r->t.first_error == NULL)
				r->t.first_error = xstrdup(db_error(r->ctx->db));
			metrics_add(MET_ERRORS_TOTAL, "db", 1);
			rc = -1;
			break;
		}
		reconcile(r->c, r->maps, r->mapsz, pairs, n, r->now, &r->view, &al);
		if (r->dry_run) {
			for (i = 0; i < al.n; i++)
				plan_add(r->plan, &al.v[i]);
			action_list_free(&al);
			continue;
		}
		/*
		 * Actions gather over pages until a POST is full, so sparse
		 * changes cost one request per batch_size alerts, not one per
		 * page (actions carry copies of what they need).
		 */
		if (pend.n > 0 &&
		    action_list_alerts(&pend) + action_list_alerts(&al) > bs &&
		    flush(r, &env, &pend) != 0)
			rc = -1;
		action_list_move(&pend, &al);
		if (rc == 0 && (action_list_alerts(&pend) >= bs || pend.n >= 4 * bs) &&
		    flush(r, &env, &pend) != 0)
			rc = -1;
		progress_page(pg, ms->active_rows + ms->tracked_rows, r->t.counts,
		    ACT__COUNT, r->t.failed);
		if (rc != 0)
			break;
	}
	progress_free(pg);
	/* What gathered is carried out, unless the run was told to stop. */
	if (rc == 0 && !r->stopped && !r->lease.lost && flush(r, &env, &pend) != 0)
		rc = -1;
	action_list_free(&pend);
	/* After the pass: a row it fired again is not resent as resolved. */
	if (rc == 0 && !r->dry_run && !r->stopped && !r->lease.lost &&
	    !r->t.am_down)
		resolves_owed_after_start(r);
	/*
	 * After the pass, which took off the list every label set it fired
	 * again (a relabel back must not be resolved by an old debt).
	 */
	if (rc == 0 && !r->dry_run && !r->stopped && !r->lease.lost &&
	    r->t.owed && lease_check(&r->lease) == 0)
		(void)batch_owed(&env, &r->t);
	/*
	 * Only a complete, clean pass knows every row that keeps a silence;
	 * and only the holder expires silences (the lease is checked again).
	 */
	if (rc == 0 && got == 0 && r->sil_known && !r->stopped &&
	    !r->t.am_down && !r->t.db_failed && !r->lease.lost) {
		if (!r->dry_run && lease_check(&r->lease) != 0) {
			if (!r->lease.lost)
				rc = -1;
		} else if (silences_sweep(r, &env) != 0)
			rc = -1;
	}
	log_info("run %s: read %zu active and %zu tracked alarms in %zu queries "
	    "(%.2fs)", r->batch_id, ms->active_rows, ms->tracked_rows,
	    ms->queries, ms->seconds);
	source_notes_report(merge_notes(m), source_view(r->c));
	if (ms->bad_rows > 0 || ms->duplicates > 0)
		log_warn("source %s: %zu row%s without a usable ALARM_INST_ID and "
		    "%zu duplicate%s skipped; every other alarm was synced",
		    source_view(r->c), ms->bad_rows, ms->bad_rows == 1 ? "" : "s",
		    ms->duplicates, ms->duplicates == 1 ? "" : "s");
	merge_free(m);
	return rc;
}

/*
 * Takes or renews the lease (SPEC 3).  Sets r->lease_held, the
 * zmc_lease_held gauge and, when held, the fence of the bookkeeping.
 * A dry run only reads it, and says when a run now would stand by.
 * Returns EXIT_OK (held or standby) or EXIT_DB.
 */
static int
take_lease(struct run *r)
{
	struct lease l = { 0 };
	char tb[32];
	int got;

	if (r->dry_run) {
		if ((got = lease_read(r->ctx->db, &l)) < 0) {
			log_error("database: reading NM_ALARM_SYNC_LEASE (run zmcsync "
			    "init-db to add it): %s", db_error(r->ctx->db));
			return EXIT_DB;
		}
		if (got == 0 && !l.expired &&
		    strcmp(l.holder, r->c->sync_instance_id) != 0)
			printf("dry run: the lease is held by %s until %s; a run "
			    "now would stand by\n", l.holder, lease_time(l.expires, tb));
		lease_clear(&l);
		r->lease_held = 1;
		return EXIT_OK;
	}
	got = lease_take(&r->lease, r->ctx->db, r->c);
	if (got < 0) {
		log_error("database: taking the lease in NM_ALARM_SYNC_LEASE (run "
		    "zmcsync init-db to add it): %s", db_error(r->ctx->db));
		metrics_add(MET_ERRORS_TOTAL, "db", 1);
		return EXIT_DB;
	}
	metrics_set(MET_LEASE_HELD, NULL, got);
	if (got == 0) {
		log_info("lease held by %s (epoch %lld) until %s; this host stands by",
		    r->lease.row.holder, (long long)r->lease.row.epoch,
		    lease_time(r->lease.row.expires, tb));
		return EXIT_OK;
	}
	if (r->lease.row.acquired != 0 && r->lease.row.acquired ==
	    r->lease.row.renewed)
		log_info("lease taken by %s (epoch %lld) until %s",
		    r->c->sync_instance_id, (long long)r->lease.epoch,
		    lease_time(r->lease.row.expires, tb));
	r->lease_held = 1;
	syncstate_set_fence(lease_fence, &r->lease);
	return EXIT_OK;
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
	metrics_reset(MET_ACTIVE_ALARMS);
	for (l = 0; l < 5; l++) {
		const char *sev = r->c->severity[l];
		/* Several levels may share a severity: add them up. */
		long sum = 0;
		int k;
		for (k = 0; k < 5; k++)
			if (strcmp(r->c->severity[k], sev) == 0)
				sum += by_level[k];
		metrics_set(MET_ACTIVE_ALARMS, sev, (double)sum);
	}
	metrics_set(MET_ALARMS_IN_ERROR, NULL, (double)in_error);
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
	metrics_add(MET_SYNC_TOTAL, result, 1);
	metrics_add(MET_DB_STATEMENTS_TOTAL, NULL,
	    (double)db_statements(r->ctx->db));
	metrics_observe(MET_SYNC_DURATION_SECONDS, NULL, dur);
	metrics_set(MET_LAST_SYNC_TIMESTAMP_SECONDS, NULL, (double)end);
	if (rc == EXIT_OK)
		metrics_set(MET_LAST_SUCCESS_TIMESTAMP_SECONDS, NULL, (double)end);
	metrics_set(MET_SYNC_SERVICE_UP, NULL,
	    strcmp(result, "disabled") == 0 || rc == EXIT_DB || rc == EXIT_CONFIG ? 0 : 1);
	if (r->ctx->st != NULL) {
		if (metrics_save(r->ctx->st) != 0)
			metrics_add(MET_ERRORS_TOTAL, "state", 1);
		memset(&rec, 0, sizeof(rec));
		snprintf(rec.batch_id, sizeof(rec.batch_id), "%s", r->batch_id);
		rec.started = r->now;
		rec.duration = dur;
		rec.exit_code = rc;
		rec.command = "run";
		for (i = 0; i < ACT__COUNT && i < 8; i++)
			rec.counts[i] = r->t.counts[i];
		rec.errors = r->t.failed;
		rec.error = r->t.first_error;
		rec.result = (char *)result;
		rec.am_started = r->am_seen;
		if (state_run_add(r->ctx->st, &rec) != 0)
			log_warn("state: run history not recorded");
	}
	if (r->c->metrics_textfile[0] != '\0')
		metrics_write(r->c->metrics_textfile);
	if (strcmp(result, "standby") == 0) {
		log_info("run %s: standby in %.2fs", r->batch_id, dur);
		return rc;
	}
	/*
	 * One error line for every failed run, so cron mails it even under
	 * -q (the database and configuration failures said theirs already).
	 */
	if (rc == EXIT_NOAM)
		log_error("run %s: no Alertmanager reachable, %ld alarm action%s "
		    "wait for the next run: %s", r->batch_id, r->t.failed,
		    r->t.failed == 1 ? "" : "s", r->t.first_error ?
		    r->t.first_error : "unknown");
	else if (rc == EXIT_PARTIAL && r->t.failed > 0)
		log_error("run %s: %ld alarm action%s failed and will be retried "
		    "next run; first error: %s", r->batch_id, r->t.failed,
		    r->t.failed == 1 ? "" : "s", r->t.first_error ?
		    r->t.first_error : "unknown");
	else if (rc == EXIT_PARTIAL)
		log_error("run %s: stopped early (%s); the rest next run",
		    r->batch_id, r->t.first_error ? r->t.first_error :
		    "--timeout or a signal");
	log_info("run %s: %s in %.2fs: fire %ld, heartbeat %ld, relabel %ld, resolve %ld, "
	    "silence %ld, expire %ld, silence ended %ld, failed %ld, not on every "
	    "member %ld", r->batch_id, result, dur,
	    r->t.counts[ACT_FIRE], r->t.counts[ACT_HEARTBEAT], r->t.counts[ACT_RELABEL],
	    r->t.counts[ACT_RESOLVE], r->t.counts[ACT_SILENCE], r->t.counts[ACT_EXPIRE_SILENCE],
	    r->t.counts[ACT_SILENCE_ENDED], r->t.failed, r->t.deferred);
	return rc;
}

int
cmd_run(int argc, char **argv, struct ctx *ctx)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		CMD_OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct run r;
	struct sigaction sa;
	long long timeout = -1;
	char *err = NULL;
	double t0 = now_monotonic();
	int ch, rc = EXIT_OK, fmt = OUT_TEXT;
	const char *result;

	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.c = ctx->conf;
	while ((ch = cmd_opt(ctx, argc, argv, "nt:" CMD_OUTPUT_SHORT, opts, &fmt)) > 0) {
		switch (ch) {
		case 'n':
			r.dry_run = 1;
			break;
		case 't':
			if (cmd_number(ctx, "--timeout", optarg, 1, 86400, &timeout) != 0)
				return EXIT_USAGE;
			break;
		}
	}
	if (ch == 0 || cmd_noargs(ctx, argc, argv, optind) != EXIT_OK)
		return EXIT_USAGE;
	if (fmt != OUT_TEXT && !r.dry_run)
		return cmd_badarg(ctx, "-o %s: only with --dry-run (a run prints "
		    "nothing)", fmt == OUT_JSON ? "json" : "wide");
	CMD_PARSED(ctx);
	r.json = fmt == OUT_JSON;

	r.now = time(NULL);
	synclog_batch_id(r.now, r.batch_id);
	log_set_context("batch", r.batch_id);
	metrics_init(ctx->st);
	/* Counters stay monotonic even when state.db was lost: the last textfile is a floor. */
	if (r.c->metrics_textfile[0] != '\0')
		metrics_load_textfile(r.c->metrics_textfile);
	metrics_set(MET_STATE_FILE_OK, NULL, ctx->st != NULL);
	if (ctx->st == NULL)
		metrics_add(MET_ERRORS_TOTAL, "state", 1);

	if (!r.c->sync_enabled) {
		log_info("run: sync.enabled is false; nothing done");
		rc = finish(&r, EXIT_OK, t0, "disabled");
		goto out;
	}
	if (ctx->db == NULL || ctx->db_err != NULL) {
		log_error("%s", ctx->db_err ? ctx->db_err : "database: not connected");
		r.t.first_error = xstrdup(ctx->db_err ? ctx->db_err :
		    "database: not connected");
		metrics_add(MET_ERRORS_TOTAL, "db", 1);
		rc = finish(&r, EXIT_DB, t0, "failed");
		goto out;
	}
	/* SPEC 3: of several hosts, the one holding the lease syncs. */
	if ((rc = take_lease(&r)) != EXIT_OK || !r.lease_held) {
		rc = finish(&r, rc, t0, rc == EXIT_OK ? "standby" : "failed");
		goto out;
	}
	/* A run must end before cron starts the next one: default deadline is the scan interval. */
	if (timeout < 0)
		timeout = r.c->sync_scan_interval;
	r.deadline = r.now + (time_t)timeout;

	if ((r.am = am_new(r.c, &err)) == NULL) {
		log_error("%s", err);
		r.t.first_error = err;
		metrics_add(MET_ERRORS_TOTAL, "config", 1);
		rc = finish(&r, EXIT_CONFIG, t0, "failed");
		goto out;
	}
	am_set_deadline(r.am, r.deadline);
	if (syncmap_load(ctx->db, r.c, &r.maps, &r.mapsz) != 0) {
		log_error("database: reading NM_ALARM_LABEL_MAPPING: %s", db_error(ctx->db));
		r.t.first_error = xasprintf("database: reading NM_ALARM_LABEL_MAPPING: %s",
		    db_error(ctx->db));
		metrics_add(MET_ERRORS_TOTAL, "db", 1);
		rc = finish(&r, EXIT_DB, t0, "failed");
		goto out;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	if (run_pass(&r) != 0 || r.t.db_failed)
		rc = EXIT_DB;
	else if (r.t.am_down)
		rc = EXIT_NOAM;
	else if (r.t.failed > 0 || r.stopped)
		rc = EXIT_PARTIAL;
	/* Fenced out: stopped; the new holder redoes what was not recorded. */
	if (r.lease.lost) {
		rc = EXIT_PARTIAL;
		if (r.t.first_error == NULL)
			r.t.first_error = xstrdup("lease: ran out or taken over "
			    "during the run; the holder syncs the rest");
	}

	if (r.dry_run) {
		plan_print(r.plan);
		goto out;
	}
	/* The gauges describe the holder's work: a fenced run leaves them to it. */
	if (rc != EXIT_DB && !r.lease.lost)
		gauges_from_db(&r);
	if (rc == EXIT_DB && db_lost(ctx->db))
		log_error("database: connection lost: %s", db_error(ctx->db));
	if (r.lease.lost) {
		metrics_set(MET_LEASE_HELD, NULL, 0);
		rc = finish(&r, rc, t0, "lease_lost");
		goto out;
	}
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
	syncstate_set_fence(NULL, NULL);
	lease_guard_free(&r.lease);
	metrics_free();
	syncmap_free(r.maps, r.mapsz);
	batch_tally_free(&r.t);
	am_silence_list_free(r.sil, r.silsz);
	free((void *)r.live.ids);
	am_free(r.am);
	log_set_context("batch", NULL);
	plan_free(r.plan);
	return rc;
}
