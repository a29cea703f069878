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

/* Text in force of group.key (secrets masked); never NULL. */
static const char *
value_of(struct ctx *ctx, const char *dotted)
{
	const struct cfg_key *k;

	if ((k = config_key_find(dotted)) == NULL)
		return "";
	return config_value(ctx->cfg, k, 1, NULL, NULL);
}

/* JSON string, or null for "". */
static struct json_object *
json_nonempty(const char *s)
{
	return s == NULL || *s == '\0' ? NULL : json_object_new_string(s);
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


int
cmd_status(int argc, char **argv, struct ctx *ctx)
{
	static const struct option opts[] = {
		CMD_OUTPUT_LONGOPTS,
		{ "runs", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const head[] = { "STARTED", "BATCH", "RESULT", "EXIT",
	    "SECONDS", "ERRORS", "ACTIONS", "ERROR" };
	const struct config *c = ctx->conf;
	struct run_record *runs = NULL;
	struct json_object *o, *d, *a;
	struct table *t;
	const char *conn, *sev, *cells[8], *dialect;
	char *runs_err = NULL, *acts, tb[32], ex[16], secs[32], errs[24];
	char *lease_err = NULL;
	struct lease lease = { 0 };
	int lease_got = -1, mine;
	long long nruns = 10;
	long holder;
	size_t n = 0, i;
	int ch, json, fmt = OUT_TEXT, runs_ok = 0;

	while ((ch = cmd_opt(ctx, argc, argv, "r:" CMD_OUTPUT_SHORT, opts, &fmt)) > 0) {
		switch (ch) {
		case 'r':
			if (cmd_number(ctx, "--runs", optarg, 0, STATE_RUNS_KEEP, &nruns) != 0)
				return EXIT_USAGE;
			break;
		}
	}
	if (ch == 0 || cmd_noargs(ctx, argc, argv, optind) != EXIT_OK)
		return EXIT_USAGE;
	CMD_PARSED(ctx);
	json = fmt == OUT_JSON;

	holder = state_lock_holder(c->state_dir);
	if (ctx->st != NULL) {
		if (nruns == 0 || state_runs(ctx->st, (size_t)nruns, &runs, &n) == 0)
			runs_ok = 1;
		else
			runs_err = xstrdup("state: cannot read the run history");
	} else
		runs_err = xstrdup(ctx->st_err ? ctx->st_err : "state: not opened");
	conn = value_of(ctx, "database.connection");
	sev = value_of(ctx, "sync.severity_filter");
	dialect = ctx->db != NULL ? dialect_name(db_dialect(ctx->db)) : c->db_dialect;
	/* After a database error (a locked database, say) no second wait. */
	if (ctx->db != NULL && ctx->db_err != NULL)
		lease_err = xstrdup("not read: see the database error");
	else if (ctx->db != NULL && (lease_got = lease_read(ctx->db, &lease)) < 0)
		lease_err = xstrdup(db_error(ctx->db));
	mine = lease_got == 0 && !lease.expired &&
	    strcmp(lease.holder, c->sync_instance_id) == 0;

	if (json) {
		o = json_object_new_object();
		json_object_object_add(o, "running", json_object_new_boolean(holder != 0));
		json_object_object_add(o, "enabled", json_object_new_boolean(c->sync_enabled));
		json_object_object_add(o, "scan_interval",
		    json_object_new_int(c->sync_scan_interval));
		json_object_object_add(o, "alarm_levels",
		    json_object_new_string(value_of(ctx, "sync.alarm_levels")));
		json_object_object_add(o, "severity_filter", json_nonempty(sev));
		/* Extras, after the guide's keys. */
		json_object_object_add(o, "lock_holder_pid",
		    holder ? json_object_new_int64(holder) : NULL);
		json_object_object_add(o, "heartbeat_interval",
		    json_object_new_int(c->sync_heartbeat_interval));
		json_object_object_add(o, "state_dir", json_object_new_string(c->state_dir));
		json_object_object_add(o, "state_error", out_json_str(ctx->st ? NULL : runs_err));
		d = json_object_new_object();
		json_object_object_add(d, "dsn", json_nonempty(c->db_dsn));
		json_object_object_add(d, "connection", json_nonempty(conn));
		json_object_object_add(d, "username", json_nonempty(c->db_username));
		json_object_object_add(d, "dialect", json_nonempty(dialect));
		json_object_object_add(d, "connected", json_object_new_boolean(ctx->db != NULL));
		json_object_object_add(d, "dbms", ctx->db ?
		    json_nonempty(db_dbms_name(ctx->db)) : NULL);
		json_object_object_add(d, "dbms_version", ctx->db ?
		    json_nonempty(db_dbms_version(ctx->db)) : NULL);
		json_object_object_add(d, "error", out_json_str(ctx->db_err));
		json_object_object_add(o, "database", d);
		d = json_object_new_object();
		json_object_object_add(d, "instance_id",
		    json_object_new_string(c->sync_instance_id));
		json_object_object_add(d, "lease_seconds",
		    json_object_new_int(c->sync_lease_seconds));
		json_object_object_add(d, "holder", lease_got == 0 ?
		    json_object_new_string(lease.holder) : NULL);
		json_object_object_add(d, "epoch", lease_got == 0 ?
		    json_object_new_int64(lease.epoch) : NULL);
		json_object_object_add(d, "expires", lease_got == 0 ?
		    out_json_time(lease.expires) : NULL);
		json_object_object_add(d, "expired", lease_got == 0 ?
		    json_object_new_boolean(lease.expired) : NULL);
		json_object_object_add(d, "acquired", lease_got == 0 ?
		    out_json_time(lease.acquired) : NULL);
		json_object_object_add(d, "renewed", lease_got == 0 ?
		    out_json_time(lease.renewed) : NULL);
		json_object_object_add(d, "held_by_this_instance",
		    lease_got < 0 ? NULL : json_object_new_boolean(mine));
		json_object_object_add(d, "error", out_json_str(lease_err));
		json_object_object_add(o, "lease", d);
		a = json_object_new_array();
		for (i = 0; i < c->am_urlsz; i++)
			json_object_array_add(a, json_object_new_string(c->am_urls[i]));
		json_object_object_add(o, "alertmanager_urls", a);
		json_object_object_add(o, "metrics_textfile", json_nonempty(c->metrics_textfile));
		a = json_object_new_array();
		for (i = 0; i < n; i++)
			json_object_array_add(a, shape_run(&runs[i]));
		json_object_object_add(o, "runs", a);
		out_json(o);
	} else {
		printf("%-20s %s\n", "running", holder ? "yes" : "no");
		if (holder)
			printf("%-20s pid %ld\n", "lock holder", holder);
		printf("%-20s %s\n", "enabled", c->sync_enabled ? "yes" : "no");
		printf("%-20s %d\n", "scan_interval", c->sync_scan_interval);
		printf("%-20s %d\n", "heartbeat_interval", c->sync_heartbeat_interval);
		printf("%-20s %s\n", "alarm_levels", value_of(ctx, "sync.alarm_levels"));
		printf("%-20s %s\n", "severity_filter", *sev ? sev : "-");
		printf("%-20s %s\n", "state dir", c->state_dir);
		if (ctx->st == NULL)
			printf("%-20s %s\n", "state file", runs_err);
		if (*c->db_dsn)
			printf("%-20s %s\n", "database dsn", c->db_dsn);
		if (*conn)
			printf("%-20s %s\n", "database connection", conn);
		printf("%-20s %s\n", "database dialect", *dialect ? dialect : "-");
		if (ctx->db != NULL)
			printf("%-20s connected, %s %s\n", "database",
			    db_dbms_name(ctx->db), db_dbms_version(ctx->db));
		if (ctx->db_err != NULL)
			printf("%-20s %s\n", "database error", ctx->db_err);
		printf("%-20s %s\n", "instance id", c->sync_instance_id);
		if (lease_got == 0) {
			printf("%-20s %s (epoch %lld), %s %s\n", "lease holder",
			    lease.holder, (long long)lease.epoch, lease.expired ?
			    "expired" : "until", lease_time(lease.expires, tb));
			printf("%-20s %s\n", "this instance", mine ?
			    "holds the lease: it syncs" : lease.expired ?
			    "the lease is free: its next run takes it" :
			    "standby: another instance syncs");
		} else if (lease_got == 1)
			printf("%-20s %s\n", "lease holder",
			    "none yet: the next run takes the lease");
		else if (lease_err != NULL)
			printf("%-20s %s\n", "lease error", lease_err);
		for (i = 0; i < c->am_urlsz; i++)
			printf("%-20s %s\n", "alertmanager", c->am_urls[i]);
		if (*c->metrics_textfile)
			printf("%-20s %s\n", "metrics textfile", c->metrics_textfile);
		if (runs_ok && nruns > 0) {
			printf("\nlast runs:\n");
			t = table_new(8, head);
			for (i = 0; i < n; i++) {
				snprintf(ex, sizeof(ex), "%d", runs[i].exit_code);
				snprintf(secs, sizeof(secs), "%.2f", runs[i].duration);
				snprintf(errs, sizeof(errs), "%ld", runs[i].errors);
				acts = actions_text(&runs[i]);
				cells[0] = out_time(runs[i].started, tb);
				cells[1] = runs[i].batch_id;
				cells[2] = state_run_result(&runs[i]);
				cells[3] = ex;
				cells[4] = secs;
				cells[5] = errs;
				cells[6] = acts;
				cells[7] = runs[i].error;
				table_add(t, cells);
				free(acts);
			}
			table_print(t, stdout, "no runs recorded");
			table_free(t);
		}
	}
	state_runs_free(runs, n);
	free(runs_err);
	free(lease_err);
	lease_clear(&lease);
	if (ctx->st == NULL && ctx->db == NULL) {
		log_error("status: neither the state file nor the database could be read");
		return EXIT_DB;
	}
	return EXIT_OK;
}
