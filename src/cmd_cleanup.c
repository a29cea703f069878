/*
 * cmd_cleanup: deletes log rows, and RESOLVED status rows, older than N
 * days (default log.retention_days), in short transactions of 1000 rows
 * so a busy ZMC database never waits long on our locks.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <json.h>

#include "cmd.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "out.h"
#include "synclog.h"
#include "util.h"

/* Rows per transaction. */
#define CLEANUP_ROWS	1000

/* What a cleanup did, or would do. */
struct cleanup {
	int			 dry;		/* --dry-run: counted only */
	long long		 days;
	time_t			 before;	/* rows older than this */
	struct cleanup_result	 res;
	const char		*error;		/* NULL: done */
};

static struct json_object *
cleanup_json(const struct cleanup *c)
{
	struct json_object *o;

	o = json_object_new_object();
	json_object_object_add(o, "dry_run", json_object_new_boolean(c->dry));
	json_object_object_add(o, "days", json_object_new_int64(c->days));
	json_object_object_add(o, "before", out_json_time(c->before));
	json_object_object_add(o, "log_rows", json_object_new_int64(c->res.log_rows));
	json_object_object_add(o, "status_rows", json_object_new_int64(c->res.status_rows));
	json_object_object_add(o, "error", out_json_str(c->error));
	return o;
}

static void
cleanup_print(const struct cleanup *c)
{
	char tb[32];

	printf("%s %lld log rows and %lld RESOLVED status rows older than "
	    "%lld days (before %s)\n", c->dry ? "would delete" : "deleted",
	    c->res.log_rows, c->res.status_rows, c->days, out_time(c->before, tb));
}

int
cmd_cleanup(int argc, char **argv, struct ctx *ctx)
{
	static const struct option opts[] = {
		{ "days", required_argument, NULL, 'd' },
		{ "dry-run", no_argument, NULL, 'n' },
		CMD_OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct cleanup c = { .days = -1 };
	char tb[32];
	int ch, fmt = OUT_TEXT;

	while ((ch = cmd_opt(ctx, argc, argv, "d:n" CMD_OUTPUT_SHORT, opts, &fmt)) > 0) {
		switch (ch) {
		case 'd':
			if (cmd_number(ctx, "--days", optarg, 1, 36500, &c.days) != 0)
				return EXIT_USAGE;
			break;
		case 'n':
			c.dry = 1;
			break;
		}
	}
	if (ch == 0 || cmd_noargs(ctx, argc, argv, optind) != EXIT_OK)
		return EXIT_USAGE;
	CMD_PARSED(ctx);
	if (c.days < 0)
		c.days = ctx->conf->log_retention_days;

	c.before = time(NULL) - (time_t)c.days * 86400;
	if (synclog_cleanup(ctx->db, c.before, CLEANUP_ROWS, c.dry, &c.res) != 0)
		c.error = db_error(ctx->db);
	if (fmt == OUT_JSON)
		out_json(cleanup_json(&c));
	else
		cleanup_print(&c);
	if (c.error != NULL) {
		log_error("%s", c.error);
		return EXIT_DB;
	}
	log_info("cleanup: %s %lld log rows, %lld status rows before %s",
	    c.dry ? "would delete" : "deleted", c.res.log_rows, c.res.status_rows,
	    out_time(c.before, tb));
	return EXIT_OK;
}
