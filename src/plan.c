/*
 * plan: the dry run's output (see plan.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include <json.h>

#include "alert.h"
#include "domain.h"
#include "out.h"
#include "plan.h"
#include "reconcile.h"
#include "util.h"

struct plan {
	int			 json;
	char			*batch_id;
	long			 counts[ACT__COUNT];
	long			 total;
	struct json_object	*actions;	/* JSON: one object per action */
};

struct plan *
plan_new(int json, const char *batch_id)
{
	struct plan *p = xcalloc(1, sizeof(*p));

	p->json = json;
	p->batch_id = xstrdup(batch_id);
	if (json)
		p->actions = json_object_new_array();
	return p;
}

/* Label of a's alert, or NULL. */
static const char *
label(const struct action *a, const char *name)
{
	return a->alert != NULL ? alert_label(a->alert, name) : NULL;
}

static const char *
silence_of(const struct action *a)
{
	return a->kind == ACT_EXPIRE_SILENCE && a->sync != NULL ?
	    a->sync->silence_id : NULL;
}

void
plan_add(struct plan *p, const struct action *a)
{
	struct json_object *o;
	const char *n = label(a, "alertname"), *s = label(a, "severity"),
	    *i = label(a, "instance"), *sil = silence_of(a);

	if ((unsigned)a->kind < ACT__COUNT)
		p->counts[a->kind]++;
	p->total++;
	if (p->json) {
		o = json_object_new_object();
		json_object_object_add(o, "action",
		    json_object_new_string(action_name(a->kind)));
		json_object_object_add(o, "operation",
		    json_object_new_string(action_operation(a->kind)));
		json_object_object_add(o, "alarm_id", json_object_new_int64(a->alarm_id));
		json_object_object_add(o, "reason", out_json_str(a->reason));
		json_object_object_add(o, "alertname", out_json_str(n));
		json_object_object_add(o, "severity", out_json_str(s));
		json_object_object_add(o, "instance", out_json_str(i));
		json_object_object_add(o, "silence_id", out_json_str(sil));
		json_object_object_add(o, "new_status",
		    json_object_new_string(sync_status_name(a->new_status)));
		json_object_array_add(p->actions, o);
		return;
	}
	printf("%-14s alarm %lld (%s)", action_operation(a->kind),
	    (long long)a->alarm_id, a->reason);
	if (a->alert != NULL) {
		printf(" %s", n ? n : "");
		if (s)
			printf(" severity=%s", s);
		if (i)
			printf(" instance=%s", i);
	}
	if (sil != NULL)
		printf(" silence=%s", sil);
	printf(" -> %s\n", sync_status_name(a->new_status));
}

void
plan_print(struct plan *p)
{
	struct json_object *o, *c;
	struct buf b = { 0 };
	int k;

	if (p->json) {
		o = json_object_new_object();
		json_object_object_add(o, "dry_run", json_object_new_boolean(1));
		json_object_object_add(o, "batch_id", json_object_new_string(p->batch_id));
		json_object_object_add(o, "planned", json_object_new_int64(p->total));
		c = json_object_new_object();
		for (k = 0; k < ACT__COUNT; k++)
			json_object_object_add(c, action_name((enum action_kind)k),
			    json_object_new_int64(p->counts[k]));
		json_object_object_add(o, "summary", c);
		json_object_object_add(o, "actions", p->actions);
		p->actions = NULL;
		out_json(o);
		return;
	}
	for (k = 0; k < ACT__COUNT; k++)
		if (p->counts[k] != 0)
			buf_printf(&b, "%s%s=%ld", b.len ? " " : "",
			    action_name((enum action_kind)k), p->counts[k]);
	printf("dry run: %ld action%s planned%s%s%s; nothing was changed\n",
	    p->total, p->total == 1 ? "" : "s", b.len ? " (" : "",
	    b.len ? b.s : "", b.len ? ")" : "");
	buf_free(&b);
}

long
plan_count(const struct plan *p)
{
	return p->total;
}

void
plan_free(struct plan *p)
{
	if (p == NULL)
		return;
	json_object_put(p->actions);
	free(p->batch_id);
	free(p);
}
