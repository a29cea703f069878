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

#include <json.h>

#include "cmd.h"
#include "db.h"
#include "log.h"
#include "out.h"
#include "reconcile.h"
#include "synclog.h"
#include "util.h"

/* JSON number, or null for 0 (a column that was NULL). */
static struct json_object *
json_num(int64_t v)
{
	return v == 0 ? NULL : json_object_new_int64(v);
}

/* The guide's log object, then our extra members. */
static struct json_object *
row_json(const struct sync_log_row *l)
{
	struct json_object *o;

	o = json_object_new_object();
	json_object_object_add(o, "log_id", json_object_new_int64(l->log_id));
	json_object_object_add(o, "operation", out_json_str(l->operation));
	json_object_object_add(o, "event_inst_id", json_num(l->event_id));
	json_object_object_add(o, "sync_batch_id", out_json_str(l->batch_id));
	json_object_object_add(o, "old_status", out_json_str(l->old_status));
	json_object_object_add(o, "new_status", out_json_str(l->new_status));
	json_object_object_add(o, "response_code", json_num(l->response_code));
	json_object_object_add(o, "error_message", out_json_str(l->error));
	json_object_object_add(o, "create_time", out_json_time(l->create_time));
	/* Extras, after the guide's keys. */
	json_object_object_add(o, "alarm_inst_id", json_num(l->alarm_id));
	json_object_object_add(o, "request_url", out_json_str(l->request_url));
	json_object_object_add(o, "request_method", out_json_str(l->request_method));
	json_object_object_add(o, "duration_ms", json_object_new_int64(l->duration_ms));
	json_object_object_add(o, "alarm_count", json_object_new_int64(l->alarm_count));
	return o;
}

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
		{ "limit", required_argument, NULL, 'l' },
		{ "offset", required_argument, NULL, 'O' },
		CMD_OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	static const char *const head[] = { "TIME", "OPERATION", "ALARM", "EVENT",
	    "STATUS", "CODE", "MS", "BATCH", "ERROR" };
	struct sync_log_filter f;
	struct sync_log_row *rows = NULL;
	struct json_object *arr;
	struct table *t;
	const char *cells[9];
	char tb[32], ids[2][24], st[48], code[16], ms[24];
	long long v, limit = 100, offset = 0;
	size_t n = 0, i;
	int ch, json, fmt = OUT_TEXT;
	time_t now = time(NULL);
	char *ops;

	memset(&f, 0, sizeof(f));
	while ((ch = getopt_long(argc, argv, "a:e:El:" CMD_OUTPUT_SHORT, opts, NULL)) != -1) {
		switch (cmd_outopt("logs", ch, optarg, &fmt)) {
		case 1:
			continue;
		case -1:
			return EXIT_USAGE;
		}
		switch (ch) {
		case 'p':
			if ((f.operation = op_find(optarg)) == NULL) {
				ops = op_list();
				cmd_badarg("logs", "--operation %s: not one of %s",
				    optarg, ops);
				free(ops);
				return EXIT_USAGE;
			}
			break;
		case 'a':
		case 'e':
			if (str_to_int(optarg, 1, INT64_MAX, &v) != 0)
				return cmd_badarg("logs", "%s %s: not a positive id",
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
				return cmd_badarg("logs", "%s %s: not a time: 30m, 2h, "
				    "1d (ago) or RFC 3339 (2026-11-30T08:00:00Z)",
				    ch == 'S' ? "--since" : "--until", optarg);
			break;
		case 'l':
			if (cmd_number("logs", "--limit", optarg, 1, 100000, &limit) != 0)
				return EXIT_USAGE;
			break;
		case 'O':
			if (cmd_number("logs", "--offset", optarg, 0, 1000000000, &offset) != 0)
				return EXIT_USAGE;
			break;
		default:
			return cmd_usage(cmd_find("logs"));
		}
	}
	if (optind < argc)
		return cmd_badarg("logs", "unexpected argument %s", argv[optind]);
	if (f.since != 0 && f.until != 0 && f.until <= f.since)
		return cmd_badarg("logs", "--until is not after --since");
	CMD_PARSED(ctx);
	json = fmt == OUT_JSON;
	f.limit = (size_t)limit;
	f.offset = (size_t)offset;

	if (synclog_list(ctx->db, &f, &rows, &n) != 0) {
		log_error("%s", db_error(ctx->db));
		return EXIT_DB;
	}
	if (json) {
		arr = json_object_new_array();
		for (i = 0; i < n; i++)
			json_object_array_add(arr, row_json(&rows[i]));
		out_json(arr);
	} else {
		t = table_new(9, head);
		for (i = 0; i < n; i++) {
			const struct sync_log_row *l = &rows[i];
			snprintf(ids[0], sizeof(ids[0]), "%lld", (long long)l->alarm_id);
			snprintf(ids[1], sizeof(ids[1]), "%lld", (long long)l->event_id);
			snprintf(st, sizeof(st), "%s>%s", l->old_status ? l->old_status : "-",
			    l->new_status ? l->new_status : "-");
			snprintf(code, sizeof(code), "%ld", l->response_code);
			snprintf(ms, sizeof(ms), "%ld", l->duration_ms);
			cells[0] = out_time(l->create_time, tb);
			cells[1] = l->operation;
			cells[2] = l->alarm_id ? ids[0] : NULL;
			cells[3] = l->event_id ? ids[1] : NULL;
			cells[4] = st;
			cells[5] = l->response_code ? code : NULL;
			cells[6] = ms;
			cells[7] = l->batch_id;
			cells[8] = l->error;
			table_add(t, cells);
		}
		table_print(t, stdout, "no log rows");
		table_free(t);
	}
	synclog_rows_free(rows, n);
	return EXIT_OK;
}
