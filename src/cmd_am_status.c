/*
 * cmd_am_status: version, cluster status, alert and silence counts of
 * each configured Alertmanager (the guide's /api/v1/admin/alertmanager/status).
 * Exit 0 when every member answered, 5 when none did, 1 when some did.
 */
#include <stdio.h>
#include <stdlib.h>

#include <json.h>

#include "alertmanager.h"
#include "cmd.h"
#include "log.h"
#include "out.h"
#include "util.h"

/* Text of a JSON member for a table cell (NULL when missing or null). */
static const char *
jtext(struct json_object *o, const char *k, char *buf, size_t bufsz)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v) || v == NULL)
		return NULL;
	if (json_object_is_type(v, json_type_boolean))
		return json_object_get_boolean(v) ? "yes" : "no";
	snprintf(buf, bufsz, "%s", json_object_get_string(v));
	return buf;
}

/* What am-status shows: one object per member that answered. */
struct am_report {
	struct json_object	*members;	/* array of am_status objects */
	size_t			 count;		/* members configured */
	size_t			 up;		/* members healthy */
};

/* Asks every member for its status.  EXIT_OK, or EXIT_CONFIG after logging why. */
static int
report_gather(struct ctx *ctx, struct am_report *r)
{
	struct json_object *o, *h;
	struct am *am;
	char *err = NULL;
	size_t i;

	if ((am = cmd_am(ctx, &err)) == NULL) {
		log_error("%s", err);
		free(err);
		return EXIT_CONFIG;
	}
	r->members = json_object_new_array();
	r->count = am_count(am);
	for (i = 0; i < r->count; i++) {
		if ((o = am_status(am, i, &err)) == NULL) {
			log_error("%s", err);
			free(err);
			continue;
		}
		if (json_object_object_get_ex(o, "healthy", &h) && json_object_get_boolean(h))
			r->up++;
		json_object_array_add(r->members, o);
	}
	am_free(am);
	return EXIT_OK;
}

static void
report_print(const struct am_report *r)
{
	static const char *const head[] = { "URL", "HEALTHY", "VERSION", "CLUSTER",
	    "ALERTS", "SILENCES", "ERROR" };
	static const char *const keys[] = { "url", "healthy", "version", "cluster_status",
	    "active_alerts", "active_silences", "error" };
	struct json_object *o;
	struct table *t;
	char bufs[7][256];
	const char *cells[7];
	size_t i, j;

	t = table_new(7, head);
	for (i = 0; i < json_object_array_length(r->members); i++) {
		o = json_object_array_get_idx(r->members, i);
		for (j = 0; j < 7; j++)
			cells[j] = jtext(o, keys[j], bufs[j], sizeof(bufs[j]));
		table_add(t, cells);
	}
	table_print(t, stdout, "no alertmanager configured");
	table_free(t);
}

int
cmd_am_status(int argc, char **argv, struct ctx *ctx)
{
	struct am_report r = { 0 };
	int fmt = OUT_TEXT, rc;

	if (cmd_outonly(ctx, argc, argv, &fmt, 0) != EXIT_OK)
		return EXIT_USAGE;
	CMD_PARSED(ctx);
	if ((rc = report_gather(ctx, &r)) != EXIT_OK)
		return rc;
	/* The JSON form is the members' objects as gathered. */
	if (fmt == OUT_JSON)
		out_json(json_object_get(r.members));
	else
		report_print(&r);
	json_object_put(r.members);
	return r.up == r.count ? EXIT_OK : r.up == 0 ? EXIT_NOAM : EXIT_PARTIAL;
}
