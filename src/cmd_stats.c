/*
 * cmd_stats: counts of synced alarms by status, errors and the log rows
 * of the last 24 hours (the guide's /api/v1/sync/statistics).  When the
 * database is down it says so, shows the last run of the local state
 * file instead, and exits 4.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* What stats shows: the counts, or why not and the state file's last run. */
struct stats {
	const char		*why;		/* NULL: the counts were read */
	long			 v[NNAMES];	/* in the order of names[] */
	long			 other;		/* rows of an unknown SYNC_STATUS */
	struct run_record	*runs;		/* without the counts: the last run */
	size_t			 nruns;
	const char		*st_err;	/* why the state file did not open */
};

/* 0 with the counts, -1 with s->why and the last run instead. */
static int
stats_gather(struct ctx *ctx, struct stats *s)
{
	struct sync_stats c;

	if (ctx->db == NULL)
		s->why = ctx->db_err ? ctx->db_err : "database: not connected";
	else if (syncstate_stats(ctx->db, time(NULL), &c) != 0)
		s->why = db_error(ctx->db);
	if (s->why == NULL) {
		s->v[0] = c.total;
		s->v[1] = c.firing;
		s->v[2] = c.resolved;
		s->v[3] = c.silenced;
		s->v[4] = c.errors;
		s->v[5] = c.last_24h;
		s->v[6] = c.pending;
		s->other = c.other;
		return 0;
	}
	if (ctx->st == NULL || state_runs(ctx->st, 1, &s->runs, &s->nruns) != 0)
		s->nruns = 0;
	s->st_err = ctx->st_err;
	return -1;
}

/* The counts; without them null counts, the error and the last run. */
static struct json_object *
stats_json(const struct stats *s)
{
	struct json_object *o;
	size_t i;

	o = json_object_new_object();
	for (i = 0; i < NNAMES; i++)
		json_object_object_add(o, names[i],
		    s->why ? NULL : json_object_new_int64(s->v[i]));
	if (s->why != NULL) {
		json_object_object_add(o, "error", json_object_new_string(s->why));
		json_object_object_add(o, "last_run",
		    s->nruns ? shape_run(&s->runs[0]) : NULL);
	}
	return o;
}

/* The database is unusable: why, and the state file's last run. */
static void
fallback_print(const struct stats *s)
{
	const struct run_record *r = s->runs;
	char tb[32];
	size_t i;

	printf("database unavailable: %s\n", s->why);
	if (s->nruns == 0) {
		printf("no run recorded in the state file%s%s\n",
		    s->st_err ? ": " : "", s->st_err ? s->st_err : "");
		return;
	}
	printf("last run from the state file:\n");
	printf("  %-12s %s\n", "batch", r->batch_id);
	printf("  %-12s %s\n", "started", out_time(r->started, tb));
	printf("  %-12s %.2fs\n", "duration", r->duration);
	printf("  %-12s %d\n", "exit", r->exit_code);
	for (i = 0; i < ACT__COUNT && i < 8; i++)
		printf("  %-12s %ld\n", action_name((enum action_kind)i), r->counts[i]);
	printf("  %-12s %ld\n", "errors", r->errors);
	if (r->error != NULL)
		printf("  %-12s %s\n", "error", r->error);
}

static void
stats_print(const struct stats *s)
{
	size_t i;

	if (s->why != NULL) {
		fallback_print(s);
		return;
	}
	for (i = 0; i < NNAMES; i++)
		printf("%-20s %ld\n", names[i], s->v[i]);
	if (s->other)
		printf("%-20s %ld\n", "other_status", s->other);
}

int
cmd_stats(int argc, char **argv, struct ctx *ctx)
{
	struct stats s;
	int fmt = OUT_TEXT, rc;

	if (cmd_outonly(ctx, argc, argv, &fmt, 0) != EXIT_OK)
		return EXIT_USAGE;
	CMD_PARSED(ctx);
	memset(&s, 0, sizeof(s));
	rc = stats_gather(ctx, &s) == 0 ? EXIT_OK : EXIT_DB;
	if (fmt == OUT_JSON)
		out_json(stats_json(&s));
	else
		stats_print(&s);
	if (s.why != NULL)
		log_error("%s", s.why);
	state_runs_free(s.runs, s.nruns);
	return rc;
}
