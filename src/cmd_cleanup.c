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

int
cmd_cleanup(int argc, char **argv, struct ctx *ctx)
{
	static const struct option opts[] = {
		{ "days", required_argument, NULL, 'd' },
		{ "dry-run", no_argument, NULL, 'n' },
		CMD_OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct cleanup_result res;
	struct json_object *o;
	long long days = -1;
	time_t before;
	char tb[32];
	int ch, json, fmt = OUT_TEXT, dry = 0, r;

	while ((ch = getopt_long(argc, argv, "d:n" CMD_OUTPUT_SHORT, opts, NULL)) != -1) {
		switch (cmd_outopt("cleanup", ch, optarg, &fmt)) {
		case 1:
			continue;
		case -1:
			return EXIT_USAGE;
		}
		switch (ch) {
		case 'd':
			if (cmd_number("cleanup", "--days", optarg, 1, 36500, &days) != 0)
				return EXIT_USAGE;
			break;
		case 'n':
			dry = 1;
			break;
		default:
			return cmd_usage(cmd_find("cleanup"));
		}
	}
	if (optind < argc)
		return cmd_badarg("cleanup", "unexpected argument %s", argv[optind]);
	CMD_PARSED(ctx);
	json = fmt == OUT_JSON;
	if (days < 0)
		days = ctx->conf->log_retention_days;

	before = time(NULL) - (time_t)days * 86400;
	r = synclog_cleanup(ctx->db, before, CLEANUP_ROWS, dry, &res);
	if (json) {
		o = json_object_new_object();
		json_object_object_add(o, "dry_run", json_object_new_boolean(dry));
		json_object_object_add(o, "days", json_object_new_int64(days));
		json_object_object_add(o, "before", out_json_time(before));
		json_object_object_add(o, "log_rows", json_object_new_int64(res.log_rows));
		json_object_object_add(o, "status_rows",
		    json_object_new_int64(res.status_rows));
		json_object_object_add(o, "error", r != 0 ?
		    json_object_new_string(db_error(ctx->db)) : NULL);
		out_json(o);
	} else
		printf("%s %lld log rows and %lld RESOLVED status rows older than "
		    "%lld days (before %s)\n", dry ? "would delete" : "deleted",
		    res.log_rows, res.status_rows, days, out_time(before, tb));
	if (r != 0) {
		log_error("%s", db_error(ctx->db));
		return EXIT_DB;
	}
	log_info("cleanup: %s %lld log rows, %lld status rows before %s",
	    dry ? "would delete" : "deleted", res.log_rows, res.status_rows,
	    out_time(before, tb));
	return EXIT_OK;
}
