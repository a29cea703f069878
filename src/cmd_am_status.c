/*
 * cmd_am_status: version, cluster status, alert and silence counts of
 * each configured Alertmanager (the guide's /api/v1/admin/alertmanager/status).
 * Exit 0 when every member answered, 5 when none did, 1 when some did.
 */
#include <getopt.h>
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

int
cmd_am_status(int argc, char **argv, struct ctx *ctx)
{
	static const char *const head[] = { "URL", "HEALTHY", "VERSION", "CLUSTER",
	    "ALERTS", "SILENCES", "ERROR" };
	static const char *const keys[] = { "url", "healthy", "version", "cluster_status",
	    "active_alerts", "active_silences", "error" };
	struct json_object *arr, *o, *h;
	struct table *t;
	struct am *am;
	char *err = NULL, bufs[7][256];
	const char *cells[7];
	size_t i, j, up = 0;
	int json, fmt = OUT_TEXT;

	if (cmd_outonly(ctx, argc, argv, &fmt, 0) != EXIT_OK)
		return EXIT_USAGE;
	CMD_PARSED(ctx);
	json = fmt == OUT_JSON;
	if ((am = cmd_am(ctx, &err)) == NULL) {
		log_error("%s", err);
		free(err);
		return EXIT_CONFIG;
	}
	arr = json_object_new_array();
	for (i = 0; i < am_count(am); i++) {
		if ((o = am_status(am, i, &err)) == NULL) {
			log_error("%s", err);
			free(err);
			continue;
		}
		if (json_object_object_get_ex(o, "healthy", &h) && json_object_get_boolean(h))
			up++;
		json_object_array_add(arr, o);
	}
	if (json)
		out_json(json_object_get(arr));
	else {
		t = table_new(7, head);
		for (i = 0; i < json_object_array_length(arr); i++) {
			o = json_object_array_get_idx(arr, i);
			for (j = 0; j < 7; j++)
				cells[j] = jtext(o, keys[j], bufs[j], sizeof(bufs[j]));
			table_add(t, cells);
		}
		table_print(t, stdout, "no alertmanager configured");
		table_free(t);
	}
	json_object_put(arr);
	i = am_count(am);
	am_free(am);
	return up == i ? EXIT_OK : up == 0 ? EXIT_NOAM : EXIT_PARTIAL;
}
