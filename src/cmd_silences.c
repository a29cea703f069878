/*
 * cmd_silences: the silences zmcsync created, as Alertmanager has them
 * (active and pending by default; --all adds expired ones), each with the
 * alarm it is for (its alarm_id matcher) and how many alerts it mutes
 * now (the alerts of the first member that answers, by their
 * status.silencedBy).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "alertmanager.h"
#include "cmd.h"
#include "log.h"
#include "out.h"
#include "util.h"

static const char *
jget(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, k, &v) || v == NULL)
		return NULL;
	return json_object_get_string(v);
}

/* "name=value, ..." of a silence's matchers; caller frees. */
static char *
matchers_text(struct json_object *s)
{
	struct json_object *ms, *m, *v;
	struct buf b = { 0 };
	size_t i;

	buf_puts(&b, "");
	if (!json_object_object_get_ex(s, "matchers", &ms) ||
	    !json_object_is_type(ms, json_type_array))
		return buf_release(&b);
	for (i = 0; i < json_object_array_length(ms); i++) {
		m = json_object_array_get_idx(ms, i);
		int eq = !json_object_object_get_ex(m, "isEqual", &v) || json_object_get_boolean(v);
		int re = json_object_object_get_ex(m, "isRegex", &v) && json_object_get_boolean(v);
		buf_printf(&b, "%s%s%s%s%s", i ? ", " : "", jget(m, "name"),
		    eq ? "" : "!", re ? "=~" : "=", jget(m, "value"));
	}
	return buf_release(&b);
}

/* Value of silence s's equality matcher name, or NULL. */
static const char *
matcher_value(struct json_object *s, const char *name)
{
	struct json_object *ms, *m, *v;
	const char *nm;
	size_t i;

	if (!json_object_object_get_ex(s, "matchers", &ms) ||
	    !json_object_is_type(ms, json_type_array))
		return NULL;
	for (i = 0; i < json_object_array_length(ms); i++) {
		m = json_object_array_get_idx(ms, i);
		if ((nm = jget(m, "name")) == NULL || strcmp(nm, name) != 0)
			continue;
		if (json_object_object_get_ex(m, "isRegex", &v) && json_object_get_boolean(v))
			continue;
		if (json_object_object_get_ex(m, "isEqual", &v) && !json_object_get_boolean(v))
			continue;
		return jget(m, "value");
	}
	return NULL;
}

/* How many of the n alerts silence id mutes. */
static long
muted_by(const struct am_alert_info *v, size_t n, const char *id)
{
	size_t i, j;
	long c = 0;

	for (i = 0; id != NULL && i < n; i++)
		for (j = 0; j < v[i].nsilenced; j++)
			if (strcmp(v[i].silenced_by[j], id) == 0) {
				c++;
				break;
			}
	return c;
}

/* Local-time rendering of an RFC 3339 string. */
static const char *
local(const char *rfc, char buf[32])
{
	time_t t;

	if (rfc == NULL || time_parse_rfc3339(rfc, &t) != 0)
		return rfc;
	return out_time(t, buf);
}

/* What silences shows. */
struct silences {
	struct json_object	*list;		/* ours, each with alarm_id and muted_alerts added */
	struct am_alert_info	*alerts;	/* of the first member that answered */
	size_t			 nalerts;
	int			 have_alerts;	/* 0: the muted counts are unknown */
	int			 every;		/* --all: expired ones too */
};

/*
 * Asks Alertmanager for the silences and the alerts they mute.  EXIT_OK,
 * or the exit status after logging why.
 */
static int
silences_gather(struct ctx *ctx, struct silences *sl)
{
	struct json_object *all, *s, *st;
	struct am *am;
	const char *state;
	char *err = NULL;
	size_t i, m;

	if ((am = cmd_am(ctx, &err)) == NULL) {
		log_error("%s", err);
		free(err);
		return EXIT_CONFIG;
	}
	if ((all = am_silences(am, &err)) == NULL) {
		log_error("%s", err);
		free(err);
		am_free(am);
		return EXIT_NOAM;
	}
	/* The alerts of the first member that answers: what each silence mutes now. */
	for (m = 0; m < am_count(am) && !sl->have_alerts; m++) {
		free(err);
		err = NULL;
		sl->have_alerts = am_alerts_find(am, m, NULL, 0, &sl->alerts,
		    &sl->nalerts, &err) == 0;
	}
	if (!sl->have_alerts)
		log_warn("silences: the count of muted alerts is unknown: %s",
		    err ? err : "no Alertmanager answered");
	free(err);
	am_free(am);
	sl->list = json_object_new_array();
	for (i = 0; i < json_object_array_length(all); i++) {
		s = json_object_array_get_idx(all, i);
		state = json_object_object_get_ex(s, "status", &st) ? jget(st, "state") : NULL;
		if (!sl->every && state != NULL && strcmp(state, "expired") == 0)
			continue;
		s = json_object_get(s);
		/* Extras, after Alertmanager's members. */
		json_object_object_add(s, "alarm_id",
		    out_json_str(matcher_value(s, "alarm_id")));
		json_object_object_add(s, "muted_alerts", sl->have_alerts ?
		    json_object_new_int64(muted_by(sl->alerts, sl->nalerts,
		    jget(s, "id"))) : NULL);
		json_object_array_add(sl->list, s);
	}
	json_object_put(all);
	return EXIT_OK;
}

static void
silences_print(const struct silences *sl)
{
	static const char *const head[] = { "ID", "STATE", "ALARM", "MUTES", "ENDS",
	    "MATCHERS", "COMMENT" };
	struct json_object *s, *st;
	struct table *t;
	const char *cells[7];
	char mutes[24], tb[32], *mt;
	size_t i;

	t = table_new(7, head);
	for (i = 0; i < json_object_array_length(sl->list); i++) {
		s = json_object_array_get_idx(sl->list, i);
		mt = matchers_text(s);
		snprintf(mutes, sizeof(mutes), "%ld",
		    muted_by(sl->alerts, sl->nalerts, jget(s, "id")));
		cells[0] = jget(s, "id");
		cells[1] = json_object_object_get_ex(s, "status", &st) ? jget(st, "state") : NULL;
		cells[2] = matcher_value(s, "alarm_id");
		cells[3] = sl->have_alerts ? mutes : "?";
		cells[4] = local(jget(s, "endsAt"), tb);
		cells[5] = mt;
		cells[6] = jget(s, "comment");
		table_add(t, cells);
		free(mt);
	}
	table_print(t, stdout, sl->every ? "no silences created by zmcsync" :
	    "no active silences created by zmcsync");
	table_free(t);
}

int
cmd_silences(int argc, char **argv, struct ctx *ctx)
{
	static const struct option opts[] = {
		CMD_OUTPUT_LONGOPTS,
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 }
	};
	struct silences sl;
	int ch, fmt = OUT_TEXT, rc;

	memset(&sl, 0, sizeof(sl));
	while ((ch = cmd_opt(ctx, argc, argv, CMD_OUTPUT_SHORT, opts, &fmt)) > 0)
		sl.every = 1;	/* --all, the only other option */
	if (ch == 0 || cmd_noargs(ctx, argc, argv, optind) != EXIT_OK)
		return EXIT_USAGE;
	CMD_PARSED(ctx);
	if ((rc = silences_gather(ctx, &sl)) != EXIT_OK)
		return rc;
	/* The JSON form is the list as gathered. */
	if (fmt == OUT_JSON)
		out_json(json_object_get(sl.list));
	else
		silences_print(&sl);
	json_object_put(sl.list);
	am_alert_info_free(sl.alerts, sl.nalerts);
	return EXIT_OK;
}
