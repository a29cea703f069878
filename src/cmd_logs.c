/*
 * cmd_logs: the sync log NM_ALARM_SYNC_LOG, newest first, with filters
 * (the guide's /api/v1/sync/logs).
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cmd.h"
#include "db.h"
#include "log.h"
#include "out.h"
#include "reconcile.h"
#include "shape.h"
#include "synclog.h"
#include "util.h"

/* The operation a run logs that s names (any case), or NULL. */
static const char *
op_find(const char *s)
{
	int k;

	for (k = 0; k < ACT__COUNT; k++)
		if (strcasecmp(s, action_operation((enum action_kind)k)) == 0)
			return action_operation((enum action_kind)k);
	return NULL;
}

/* "PUSH_FIRING, HEARTBEAT, ..." for the usage error; caller frees. */
static char *
op_list(void)
{
	struct buf b = { 0 };
	int k;

	for (k = 0; k < ACT__COUNT; k++)
		buf_printf(&b, "%s%s", k ? ", " : "",
		    action_operation((enum action_kind)k));
	return buf_release(&b);
}

/*
 * Parses WHEN of --since / --until: a duration before now ("30m", "2h",
 * "1d", "90s", "1w"; a bare number is hours, as before) or an RFC 3339
 * time.  0 with *out, -1 if it is neither.
 */
static int
when_parse(const char *s, time_t now, time_t *out)
{
	long long v;
	size_t n = strlen(s);
	char num[32];
	long mult;

	if (time_parse_rfc3339(s, out) == 0)
		return 0;
	if (n == 0 || n >= sizeof(num))
		return -1;
	mult = 3600;
	memcpy(num, s, n + 1);
	switch (s[n - 1]) {
	case 's': mult = 1; break;
	case 'm': mult = 60; break;
	case 'h': mult = 3600; break;
	case 'd': mult = 86400; break;
	case 'w': mult = 7 * 86400; break;
	default:
		n++;	/* no unit: hours */
		break;
	}
	num[n - 1] = '\0';
	if (str_to_int(num, 1, 100LL * 365 * 86400, &v) != 0 ||
	    v > 100LL * 365 * 86400 / mult)
		return -1;
	*out = now - (time_t)(v * mult);
	return 0;
}

/* The rows as a table. */
static void
logs_print(const struct sync_log_row *rows, size_t n)
{
	static const char *const head[] = { "TIME", "OPERATION", "ALARM", "EVENT",
	    "STATUS", "CODE", "MS", "BATCH", "ERROR" };
	struct table *t;
	const char *cells[9];
	char tb[32], ids[3][24], st[48], ms[24];
	size_t i;

	t = table_new(9, head);
	for (i = 0; i < n; i++) {
		const struct sync_log_row *l = &rows[i];

		snprintf(ms, sizeof(ms), "%ld", l->duration_ms);
		cells[0] = out_time(l->create_time, tb);
		cells[1] = l->operation;
		cells[2] = out_id(l->alarm_id, ids[0]);
		cells[3] = out_id(l->event_id, ids[1]);
		cells[4] = shape_log_transition(l, st);
		cells[5] = out_id(l->response_code, ids[2]);
		cells[6] = ms;
		cells[7] = l->batch_id;
		cells[8] = l->error;
		table_add(t, cells);
	}
	table_print(t, stdout, "no log rows");
	table_free(t);
}

int
cmd_logs(int argc, char **argv, struct ctx *ctx)
{
	static const struct option opts[] = {
		{ "operation", required_argument, NULL, 'p' },
		{ "alarm-id", required_argument, NULL, 'a' },
		{ "event-id", required_argument, NULL, 'e' },
		{ "errors", no_argument, NULL, 'E' },
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		CMD_PAGE_LONGOPTS,
		CMD_OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct sync_log_filter f;
	struct sync_log_row *rows = NULL;
	struct cmd_page page = CMD_PAGE_INIT;
	long long v;
	size_t n = 0;
	int ch, fmt = OUT_TEXT;
	time_t now = time(NULL);
	char *ops;

	memset(&f, 0, sizeof(f));
	while ((ch = cmd_opt(ctx, argc, argv, "a:e:El:" CMD_OUTPUT_SHORT, opts, &fmt)) > 0) {
		switch (ch) {
		case 'l':
		case 'O':
			if (cmd_pageopt(ctx, ch, optarg, &page) != 0)
				return EXIT_USAGE;
			break;
		case 'p':
			if ((f.operation = op_find(optarg)) == NULL) {
				ops = op_list();
				cmd_badarg(ctx, "--operation %s: not one of %s",
				    optarg, ops);
				free(ops);
				return EXIT_USAGE;
			}
			break;
		case 'a':
		case 'e':
			if (str_to_int(optarg, 1, INT64_MAX, &v) != 0)
				return cmd_badarg(ctx, "%s %s: not a positive id",
				    ch == 'a' ? "--alarm-id" : "--event-id", optarg);
			if (ch == 'a')
				f.alarm_id = v;
			else
				f.event_id = v;
			break;
		case 'E':
			f.errors_only = 1;
			break;
		case 'S':
		case 'U':
			if (when_parse(optarg, now, ch == 'S' ? &f.since : &f.until) != 0)
				return cmd_badarg(ctx, "%s %s: not a time: 30m, 2h, "
				    "1d (ago) or RFC 3339 (2026-11-30T08:00:00Z)",
				    ch == 'S' ? "--since" : "--until", optarg);
			break;
		}
	}
	if (ch == 0 || cmd_noargs(ctx, argc, argv, optind) != EXIT_OK)
		return EXIT_USAGE;
	if (f.since != 0 && f.until != 0 && f.until <= f.since)
		return cmd_badarg(ctx, "--until is not after --since");
	CMD_PARSED(ctx);
	f.limit = (size_t)page.limit;
	f.offset = (size_t)page.offset;

	if (synclog_list(ctx->db, &f, &rows, &n) != 0) {
		log_error("%s", db_error(ctx->db));
		return EXIT_DB;
	}
	if (fmt == OUT_JSON)
		out_json(shape_log_rows(rows, n, SHAPE_FULL));
	else
		logs_print(rows, n);
	synclog_rows_free(rows, n);
	return EXIT_OK;
}
