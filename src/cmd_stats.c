/*
 * cmd_stats: counts of synced alarms by status, errors and the log rows
 * of the last 24 hours (the guide's /api/v1/sync/statistics).  When the
 * database is down it says so, shows the last run of the local state
 * file instead, and exits 4.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <json.h>

#include "cmd.h"
#include "db.h"
#include "log.h"
#include "out.h"
#include "reconcile.h"
#include "shape.h"
#include "state.h"
#include "syncstate.h"
#include "util.h"

/* The guide's keys in its order, then ours. */
static const char *const names[] = { "total_synced", "firing", "resolved",
    "silenced", "errors", "last_24h_operations", "pending" };
#define NNAMES	(sizeof(names) / sizeof(names[0]))

/* The database is unusable: report why and the state file's last run.  Returns EXIT_DB. */
static int
fallback(struct ctx *ctx, const char *why, int json)
{
	struct run_record *runs = NULL;
	struct json_object *o;
	size_t n = 0, i;
	char tb[32];

	if (ctx->st == NULL || state_runs(ctx->st, 1, &runs, &n) != 0)
		n = 0;
	if (json) {
		o = json_object_new_object();
		for (i = 0; i < NNAMES; i++)
			json_object_object_add(o, names[i], NULL);
		json_object_object_add(o, "error", json_object_new_string(why));
		json_object_object_add(o, "last_run", n ? shape_run(&runs[0]) : NULL);
		out_json(o);
	} else {
		printf("database unavailable: %s\n", why);
		if (n == 0)
			printf("no run recorded in the state file%s%s\n",
			    ctx->st_err ? ": " : "", ctx->st_err ? ctx->st_err : "");
		else {
			printf("last run from the state file:\n");
			printf("  %-12s %s\n", "batch", runs[0].batch_id);
			printf("  %-12s %s\n", "started", out_time(runs[0].started, tb));
			printf("  %-12s %.2fs\n", "duration", runs[0].duration);
			printf("  %-12s %d\n", "exit", runs[0].exit_code);
			for (i = 0; i < ACT__COUNT && i < 8; i++)
				printf("  %-12s %ld\n", action_name((enum action_kind)i),
				    runs[0].counts[i]);
			printf("  %-12s %ld\n", "errors", runs[0].errors);
			if (runs[0].error != NULL)
				printf("  %-12s %s\n", "error", runs[0].error);
		}
	}
	state_runs_free(runs, n);
	log_error("%s", why);
	return EXIT_DB;
}

int
cmd_stats(int argc, char **argv, struct ctx *ctx)
{
	struct sync_stats s;
	struct json_object *o;
	long v[NNAMES];
	size_t i;
	int json, fmt = OUT_TEXT;

	if (cmd_outonly(ctx, argc, argv, &fmt, 0) != EXIT_OK)
		return EXIT_USAGE;
	CMD_PARSED(ctx);
	json = fmt == OUT_JSON;
	if (ctx->db == NULL)
		return fallback(ctx, ctx->db_err ? ctx->db_err : "database: not connected", json);
	if (syncstate_stats(ctx->db, time(NULL), &s) != 0)
		return fallback(ctx, db_error(ctx->db), json);

	v[0] = s.total;
	v[1] = s.firing;
	v[2] = s.resolved;
	v[3] = s.silenced;
	v[4] = s.errors;
	v[5] = s.last_24h;
	v[6] = s.pending;
	if (json) {
		o = json_object_new_object();
		for (i = 0; i < NNAMES; i++)
			json_object_object_add(o, names[i], json_object_new_int64(v[i]));
		out_json(o);
	} else {
		for (i = 0; i < NNAMES; i++)
			printf("%-20s %ld\n", names[i], v[i]);
		if (s.other)
			printf("%-20s %ld\n", "other_status", s.other);
	}
	return EXIT_OK;
}
