/*
 * cmd_alarms: the synced alarms of NM_ALARM_SYNC_STATUS, newest first
 * (the guide's /api/v1/sync/alarms).
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <json.h>

#include "cmd.h"
#include "db.h"
#include "log.h"
#include "out.h"
#include "shape.h"
#include "syncstate.h"
#include "util.h"

/*
 * The alertname of a stored label set (canonical JSON), for the human
 * listing: the status table has no alarm text of its own.  Allocated or
 * NULL.
 */
static char *
alertname(const char *labels)
{
	struct json_object *o, *v;
	char *s = NULL;

	if (labels == NULL || (o = json_tokener_parse(labels)) == NULL)
		return NULL;
	if (json_object_is_type(o, json_type_object) &&
	    json_object_object_get_ex(o, "alertname", &v) &&
	    json_object_is_type(v, json_type_string))
		s = xstrdup(json_object_get_string(v));
	json_object_put(o);
	return s;
}

/* The rows as a table; empty_msg when there are none. */
static void
alarms_print(const struct sync_row *rows, size_t n, const char *empty_msg)
{
	static const char *const head[] = { "ALARM", "EVENT", "STATUS", "ZMC",
	    "LAST PUSH", "PUSHES", "ERRORS", "ALERTNAME", "LAST ERROR / SILENCE" };
	struct table *t;
	const char *cells[9];
	char id[24], ev[24], zs[2], tb[32], pc[16], ec[16], *name;
	size_t i;

	t = table_new(9, head);
	for (i = 0; i < n; i++) {
		const struct sync_row *r = &rows[i];

		snprintf(id, sizeof(id), "%lld", (long long)r->alarm_id);
		zs[0] = r->zmc_state;
		zs[1] = '\0';
		snprintf(pc, sizeof(pc), "%d", r->push_count);
		snprintf(ec, sizeof(ec), "%d", r->error_count);
		name = alertname(r->labels);
		cells[0] = id;
		cells[1] = out_id(r->event_id, ev);
		cells[2] = sync_status_name(r->status);
		cells[3] = r->zmc_state ? zs : NULL;
		cells[4] = out_time(r->last_push, tb);
		cells[5] = pc;
		cells[6] = ec;
		cells[7] = name;
		cells[8] = r->last_error != NULL ? r->last_error : r->silence_id;
		table_add(t, cells);
		free(name);
	}
	table_print(t, stdout, empty_msg);
	table_free(t);
}

int
cmd_alarms(int argc, char **argv, struct ctx *ctx)
{
	static const struct option opts[] = {
		{ "status", required_argument, NULL, 's' },
		CMD_PAGE_LONGOPTS,
		CMD_OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct sync_row *rows = NULL;
	const char *status = NULL;
	struct cmd_page page = CMD_PAGE_INIT;
	size_t n = 0;
	int ch, fmt = OUT_TEXT;

	while ((ch = cmd_opt(ctx, argc, argv, "s:l:" CMD_OUTPUT_SHORT, opts, &fmt)) > 0) {
		switch (ch) {
		case 's':
			if (sync_status_parse(optarg) < 0)
				return cmd_badarg(ctx, "--status %s: not one of "
				    "PENDING, FIRING, RESOLVED, SILENCED", optarg);
			status = optarg;
			break;
		case 'l':
		case 'O':
			if (cmd_pageopt(ctx, ch, optarg, &page) != 0)
				return EXIT_USAGE;
			break;
		}
	}
	if (ch == 0 || cmd_noargs(ctx, argc, argv, optind) != EXIT_OK)
		return EXIT_USAGE;
	CMD_PARSED(ctx);

	if (syncstate_alarms(ctx->db, status, (size_t)page.limit, (size_t)page.offset,
	    &rows, &n) != 0) {
		log_error("%s", db_error(ctx->db));
		return EXIT_DB;
	}
	if (fmt == OUT_JSON)
		out_json(shape_status_rows(rows, n, SHAPE_FULL));
	else
		alarms_print(rows, n, status != NULL ?
		    "no alarms with that status" : "no alarms");
	syncstate_rows_free(rows, n);
	return EXIT_OK;
}
