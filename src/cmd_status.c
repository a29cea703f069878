/*
 * cmd_status: the settings in force, who holds the run lock and the
 * lease (SPEC 3: which host syncs), the database and Alertmanagers in
 * use, and the last runs of the local state file (the guide's /api/v1/sync/status plus what an operator of a
 * cron job needs).  It answers when the database is down: the reason is
 * one line of the report.  Exit 0 when the state file or the database
 * could be read, 4 when neither could.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "cmd.h"
#include "config.h"
#include "db.h"
#include "dialect.h"
#include "lease.h"
#include "log.h"
#include "out.h"
#include "reconcile.h"
#include "shape.h"
#include "state.h"
#include "util.h"

/* Everything status shows, gathered before it is rendered. */
struct status {
	const struct config	*c;
	long			 holder;	/* pid holding the run lock, 0 none */
	const char		*levels;	/* sync.alarm_levels in force */
	const char		*sev;		/* sync.severity_filter in force, "" none */
	const char		*conn;		/* database.connection, secrets masked */
	const char		*dialect;	/* the database's, else the configured one */
	int			 connected;
	const char		*dbms;		/* NULL when not connected */
	const char		*dbms_version;
	const char		*db_err;	/* the context's */
	int			 st_open;	/* the state file opened */
	long long		 want;		/* --runs */
	struct run_record	*runs;
	size_t			 nruns;
	int			 runs_ok;	/* the run history could be read */
	char			*runs_err;
	struct lease		 lease;
	int			 lease_got;	/* lease_read: 0 row, 1 none, -1 not read */
	int			 mine;		/* this instance holds an unexpired lease */
	char			*lease_err;
};

/* Text in force of group.key (secrets masked); never NULL. */
static const char *
value_of(struct ctx *ctx, const char *dotted)
{
	const struct cfg_key *k;

	if ((k = config_key_find(dotted)) == NULL)
		return "";
	return config_value(ctx->raw, k, 1, NULL, NULL);
}

static void
status_gather(struct ctx *ctx, struct status *s)
{
	const struct config *c = ctx->conf;

	s->c = c;
	s->holder = state_lock_holder(c->state_dir);
	s->st_open = ctx->st != NULL;
	if (ctx->st != NULL) {
		if (s->want == 0 ||
		    state_runs(ctx->st, (size_t)s->want, &s->runs, &s->nruns) == 0)
			s->runs_ok = 1;
		else
			s->runs_err = xstrdup("state: cannot read the run history");
	} else
		s->runs_err = xstrdup(ctx->st_err ? ctx->st_err : "state: not opened");
	s->levels = value_of(ctx, "sync.alarm_levels");
	s->conn = value_of(ctx, "database.connection");
	s->sev = value_of(ctx, "sync.severity_filter");
	s->db_err = ctx->db_err;
	s->lease_got = -1;
	s->connected = ctx->db != NULL;
	if (ctx->db != NULL) {
		s->dialect = dialect_name(db_dialect(ctx->db));
		s->dbms = db_dbms_name(ctx->db);
		s->dbms_version = db_dbms_version(ctx->db);
	} else
		s->dialect = c->db_dialect;
	/* After a database error (a locked database, say) no second wait. */
	if (ctx->db != NULL && ctx->db_err != NULL)
		s->lease_err = xstrdup("not read: see the database error");
	else if (ctx->db != NULL && (s->lease_got = lease_read(ctx->db, &s->lease)) < 0)
		s->lease_err = xstrdup(db_error(ctx->db));
	s->mine = s->lease_got == 0 && !s->lease.expired &&
	    strcmp(s->lease.holder, c->sync_instance_id) == 0;
}

static void
status_free(struct status *s)
{
	state_runs_free(s->runs, s->nruns);
	free(s->runs_err);
	free(s->lease_err);
	lease_clear(&s->lease);
}

/* JSON string, or null for "". */
static struct json_object *
json_nonempty(const char *s)
{
	return s == NULL || *s == '\0' ? NULL : json_object_new_string(s);
}

/* Adds key: value when the lease row was read, else key: null. */
static void
lease_add(struct json_object *d, const struct status *s, const char *key,
    struct json_object *v)
{
	if (s->lease_got != 0) {
		json_object_put(v);
		v = NULL;
	}
	json_object_object_add(d, key, v);
}

/* The guide's /api/v1/sync/status keys first, then ours. */
static struct json_object *
status_json(const struct status *s)
{
	const struct config *c = s->c;
	const struct lease *l = &s->lease;
	struct json_object *o, *d, *a;
	size_t i;

	o = json_object_new_object();
	json_object_object_add(o, "running", json_object_new_boolean(s->holder != 0));
	json_object_object_add(o, "enabled", json_object_new_boolean(c->sync_enabled));
	json_object_object_add(o, "scan_interval",
	    json_object_new_int(c->sync_scan_interval));
	json_object_object_add(o, "alarm_levels", json_object_new_string(s->levels));
	json_object_object_add(o, "severity_filter", json_nonempty(s->sev));
	json_object_object_add(o, "lock_holder_pid",
	    s->holder ? json_object_new_int64(s->holder) : NULL);
	json_object_object_add(o, "heartbeat_interval",
	    json_object_new_int(c->sync_heartbeat_interval));
	json_object_object_add(o, "state_dir", json_object_new_string(c->state_dir));
	json_object_object_add(o, "state_error",
	    out_json_str(s->st_open ? NULL : s->runs_err));
	d = json_object_new_object();
	json_object_object_add(d, "dsn", json_nonempty(c->db_dsn));
	json_object_object_add(d, "connection", json_nonempty(s->conn));
	json_object_object_add(d, "username", json_nonempty(c->db_username));
	json_object_object_add(d, "dialect", json_nonempty(s->dialect));
	json_object_object_add(d, "connected", json_object_new_boolean(s->connected));
	json_object_object_add(d, "dbms", json_nonempty(s->dbms));
	json_object_object_add(d, "dbms_version", json_nonempty(s->dbms_version));
	json_object_object_add(d, "error", out_json_str(s->db_err));
	json_object_object_add(o, "database", d);
	d = json_object_new_object();
	json_object_object_add(d, "instance_id", json_object_new_string(c->sync_instance_id));
	json_object_object_add(d, "lease_seconds", json_object_new_int(c->sync_lease_seconds));
	lease_add(d, s, "holder", json_object_new_string(l->holder ? l->holder : ""));
	lease_add(d, s, "epoch", json_object_new_int64(l->epoch));
	lease_add(d, s, "expires", out_json_time(l->expires));
	lease_add(d, s, "expired", json_object_new_boolean(l->expired));
	lease_add(d, s, "acquired", out_json_time(l->acquired));
	lease_add(d, s, "renewed", out_json_time(l->renewed));
	json_object_object_add(d, "held_by_this_instance",
	    s->lease_got < 0 ? NULL : json_object_new_boolean(s->mine));
	json_object_object_add(d, "error", out_json_str(s->lease_err));
	json_object_object_add(o, "lease", d);
	a = json_object_new_array();
	for (i = 0; i < c->am_urlsz; i++)
		json_object_array_add(a, json_object_new_string(c->am_urls[i]));
	json_object_object_add(o, "alertmanager_urls", a);
	json_object_object_add(o, "metrics_textfile", json_nonempty(c->metrics_textfile));
	a = json_object_new_array();
	for (i = 0; i < s->nruns; i++)
		json_object_array_add(a, shape_run(&s->runs[i]));
	json_object_object_add(o, "runs", a);
	return o;
}

/* "fire=2 resolve=1" of a run's nonzero action counts, or "-"; caller frees. */
static char *
actions_text(const struct run_record *r)
{
	struct buf b = { 0 };
	size_t i;

	for (i = 0; i < ACT__COUNT && i < 8; i++)
		if (r->counts[i] != 0)
			buf_printf(&b, "%s%s=%ld", b.len ? " " : "",
			    action_name((enum action_kind)i), r->counts[i]);
	if (b.len == 0)
		buf_puts(&b, "-");
	return buf_release(&b);
}

/* The last runs as a table. */
static void
runs_print(const struct status *s)
{
	static const char *const head[] = { "STARTED", "BATCH", "RESULT", "EXIT",
	    "SECONDS", "ERRORS", "ACTIONS", "ERROR" };
	const struct run_record *r;
	const char *cells[8];
	char tb[32], ex[16], secs[32], errs[24], *acts;
	struct table *t;
	size_t i;

	t = table_new(8, head);
	for (i = 0; i < s->nruns; i++) {
		r = &s->runs[i];
		snprintf(ex, sizeof(ex), "%d", r->exit_code);
		snprintf(secs, sizeof(secs), "%.2f", r->duration);
		snprintf(errs, sizeof(errs), "%ld", r->errors);
		acts = actions_text(r);
		cells[0] = out_time(r->started, tb);
		cells[1] = r->batch_id;
		cells[2] = state_run_result(r);
		cells[3] = ex;
		cells[4] = secs;
		cells[5] = errs;
		cells[6] = acts;
		cells[7] = r->error;
		table_add(t, cells);
		free(acts);
	}
	table_print(t, stdout, "no runs recorded");
	table_free(t);
}

/* One "name   value" line of the report. */
static void
line(const char *name, const char *value)
{
	printf("%-20s %s\n", name, value);
}

static void
status_print(const struct status *s)
{
	const struct config *c = s->c;
	const struct lease *l = &s->lease;
	char tb[32];
	size_t i;

	line("running", s->holder ? "yes" : "no");
	if (s->holder)
		printf("%-20s pid %ld\n", "lock holder", s->holder);
	line("enabled", c->sync_enabled ? "yes" : "no");
	printf("%-20s %d\n", "scan_interval", c->sync_scan_interval);
	printf("%-20s %d\n", "heartbeat_interval", c->sync_heartbeat_interval);
	line("alarm_levels", s->levels);
	line("severity_filter", *s->sev ? s->sev : "-");
	line("state dir", c->state_dir);
	if (!s->st_open)
		line("state file", s->runs_err);
	if (*c->db_dsn)
		line("database dsn", c->db_dsn);
	if (*s->conn)
		line("database connection", s->conn);
	line("database dialect", *s->dialect ? s->dialect : "-");
	if (s->connected)
		printf("%-20s connected, %s %s\n", "database", s->dbms, s->dbms_version);
	if (s->db_err != NULL)
		line("database error", s->db_err);
	line("instance id", c->sync_instance_id);
	if (s->lease_got == 0) {
		printf("%-20s %s (epoch %lld), %s %s\n", "lease holder", l->holder,
		    (long long)l->epoch, l->expired ? "expired" : "until",
		    lease_time(l->expires, tb));
		line("this instance", s->mine ? "holds the lease: it syncs" :
		    l->expired ? "the lease is free: its next run takes it" :
		    "standby: another instance syncs");
	} else if (s->lease_got == 1)
		line("lease holder", "none yet: the next run takes the lease");
	else if (s->lease_err != NULL)
		line("lease error", s->lease_err);
	for (i = 0; i < c->am_urlsz; i++)
		line("alertmanager", c->am_urls[i]);
	if (*c->metrics_textfile)
		line("metrics textfile", c->metrics_textfile);
	if (s->runs_ok && s->want > 0) {
		printf("\nlast runs:\n");
		runs_print(s);
	}
}

int
cmd_status(int argc, char **argv, struct ctx *ctx)
{
	static const struct option opts[] = {
		CMD_OUTPUT_LONGOPTS,
		{ "runs", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	struct status s;
	int ch, fmt = OUT_TEXT;

	memset(&s, 0, sizeof(s));
	s.want = 10;
	while ((ch = cmd_opt(ctx, argc, argv, "r:" CMD_OUTPUT_SHORT, opts, &fmt)) > 0)
		if (cmd_number(ctx, "--runs", optarg, 0, STATE_RUNS_KEEP, &s.want) != 0)
			return EXIT_USAGE;	/* -r, the only other option */
	if (ch == 0 || cmd_noargs(ctx, argc, argv, optind) != EXIT_OK)
		return EXIT_USAGE;
	CMD_PARSED(ctx);

	status_gather(ctx, &s);
	if (fmt == OUT_JSON)
		out_json(status_json(&s));
	else
		status_print(&s);
	status_free(&s);
	if (ctx->st == NULL && ctx->db == NULL) {
		log_error("status: neither the state file nor the database could be read");
		return EXIT_DB;
	}
	return EXIT_OK;
}
