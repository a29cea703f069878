/*
 * shape: the JSON objects several commands share (see shape.h).  A row's
 * members are one switch from member to value; a form is the list of
 * members in the order it prints them.  One loop builds the object of
 * any form, one the array of objects.
 */
#include <stddef.h>
#include <stdint.h>

#include <json.h>

#include "out.h"
#include "reconcile.h"
#include "shape.h"
#include "state.h"
#include "synclog.h"
#include "syncstate.h"

/* Members of a status row's object. */
enum status_member {
	SM_EVENT, SM_ALARM, SM_STATUS, SM_ZMC_STATE, SM_SILENCE_ID,
	SM_SILENCE_END, SM_LAST_PUSH, SM_PUSHES, SM_ERRORS, SM_LAST_ERROR,
	SM_EVENT_TIME, SM_LABELS, SM_CREATE, SM_UPDATE
};

static const char *const status_names[] = {
	[SM_EVENT] = "event_inst_id",
	[SM_ALARM] = "alarm_inst_id",
	[SM_STATUS] = "sync_status",
	[SM_ZMC_STATE] = "zmc_alarm_state",
	[SM_SILENCE_ID] = "silence_id",
	[SM_SILENCE_END] = "silence_end",
	[SM_LAST_PUSH] = "last_push_time",
	[SM_PUSHES] = "push_count",
	[SM_ERRORS] = "error_count",
	[SM_LAST_ERROR] = "last_error",
	[SM_EVENT_TIME] = "last_event_time",
	[SM_LABELS] = "labels",
	[SM_CREATE] = "create_time",
	[SM_UPDATE] = "update_time",
};

/* alarms: the guide's alarm object, then our extras. */
static const int status_full[] = {
	SM_EVENT, SM_ALARM, SM_STATUS, SM_ZMC_STATE, SM_SILENCE_ID,
	SM_LAST_PUSH, SM_ERRORS, SM_LAST_ERROR, SM_PUSHES, SM_SILENCE_END,
	SM_EVENT_TIME, SM_LABELS, SM_CREATE, SM_UPDATE
};
/* trace: the alarm id is the trace's own member. */
static const int status_trace[] = {
	SM_STATUS, SM_EVENT, SM_ZMC_STATE, SM_SILENCE_ID, SM_SILENCE_END,
	SM_LAST_PUSH, SM_PUSHES, SM_ERRORS, SM_LAST_ERROR, SM_UPDATE
};

/* Members of a log row's object. */
enum log_member {
	LM_ID, LM_OPERATION, LM_EVENT, LM_BATCH, LM_OLD, LM_NEW, LM_CODE,
	LM_ERROR, LM_CREATE, LM_ALARM, LM_URL, LM_METHOD, LM_MS, LM_COUNT
};

static const char *const log_names[] = {
	[LM_ID] = "log_id",
	[LM_OPERATION] = "operation",
	[LM_EVENT] = "event_inst_id",
	[LM_BATCH] = "sync_batch_id",
	[LM_OLD] = "old_status",
	[LM_NEW] = "new_status",
	[LM_CODE] = "response_code",
	[LM_ERROR] = "error_message",
	[LM_CREATE] = "create_time",
	[LM_ALARM] = "alarm_inst_id",
	[LM_URL] = "request_url",
	[LM_METHOD] = "request_method",
	[LM_MS] = "duration_ms",
	[LM_COUNT] = "alarm_count",
};

/* logs: the guide's log object, then our extras. */
static const int log_full[] = {
	LM_ID, LM_OPERATION, LM_EVENT, LM_BATCH, LM_OLD, LM_NEW, LM_CODE,
	LM_ERROR, LM_CREATE, LM_ALARM, LM_URL, LM_METHOD, LM_MS, LM_COUNT
};
/* trace: the newest rows of one alarm, so no alarm id. */
static const int log_trace[] = {
	LM_CREATE, LM_OPERATION, LM_EVENT, LM_OLD, LM_NEW, LM_CODE, LM_BATCH,
	LM_ERROR
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* A form: which members of what kind of row, in order. */
struct form {
	const char *const	*names;		/* by member */
	const int		*members;
	size_t			 n;
	size_t			 rowsz;		/* sizeof the row */
	struct json_object	*(*value)(const void *row, int member);
};

/* JSON number, or null for 0 (a column that was NULL). */
static struct json_object *
json_id(int64_t v)
{
	return v == 0 ? NULL : json_object_new_int64(v);
}

static struct json_object *
status_value(const void *row, int m)
{
	const struct sync_row *r = row;
	char zs[2] = { r->zmc_state, '\0' };

	switch ((enum status_member)m) {
	case SM_EVENT:
		return json_id(r->event_id);
	case SM_ALARM:
		return json_object_new_int64(r->alarm_id);
	case SM_STATUS:
		return json_object_new_string(sync_status_name(r->status));
	case SM_ZMC_STATE:
		return r->zmc_state ? json_object_new_string(zs) : NULL;
	case SM_SILENCE_ID:
		return out_json_str(r->silence_id);
	case SM_SILENCE_END:
		return out_json_time(r->silence_end);
	case SM_LAST_PUSH:
		return out_json_time(r->last_push);
	case SM_PUSHES:
		return json_object_new_int(r->push_count);
	case SM_ERRORS:
		return json_object_new_int(r->error_count);
	case SM_LAST_ERROR:
		return out_json_str(r->last_error);
	case SM_EVENT_TIME:
		return out_json_time(r->event_time);
	case SM_LABELS:
		return r->labels != NULL ? json_tokener_parse(r->labels) : NULL;
	case SM_CREATE:
		return out_json_time(r->create_time);
	case SM_UPDATE:
		return out_json_time(r->update_time);
	}
	return NULL;
}

static struct json_object *
log_value(const void *row, int m)
{
	const struct sync_log_row *l = row;

	switch ((enum log_member)m) {
	case LM_ID:
		return json_object_new_int64(l->log_id);
	case LM_OPERATION:
		return out_json_str(l->operation);
	case LM_EVENT:
		return json_id(l->event_id);
	case LM_BATCH:
		return out_json_str(l->batch_id);
	case LM_OLD:
		return out_json_str(l->old_status);
	case LM_NEW:
		return out_json_str(l->new_status);
	case LM_CODE:
		return json_id(l->response_code);
	case LM_ERROR:
		return out_json_str(l->error);
	case LM_CREATE:
		return out_json_time(l->create_time);
	case LM_ALARM:
		return json_id(l->alarm_id);
	case LM_URL:
		return out_json_str(l->request_url);
	case LM_METHOD:
		return out_json_str(l->request_method);
	case LM_MS:
		return json_object_new_int64(l->duration_ms);
	case LM_COUNT:
		return json_object_new_int64(l->alarm_count);
	}
	return NULL;
}

/* By enum shape_form. */
static const struct form status_forms[] = {
	{ status_names, status_full, NELEM(status_full), sizeof(struct sync_row),
	    status_value },
	{ status_names, status_trace, NELEM(status_trace), sizeof(struct sync_row),
	    status_value },
};
static const struct form log_forms[] = {
	{ log_names, log_full, NELEM(log_full), sizeof(struct sync_log_row),
	    log_value },
	{ log_names, log_trace, NELEM(log_trace), sizeof(struct sync_log_row),
	    log_value },
};

static struct json_object *
object(const struct form *f, const void *row)
{
	struct json_object *o = json_object_new_object();
	size_t i;

	for (i = 0; i < f->n; i++)
		json_object_object_add(o, f->names[f->members[i]],
		    f->value(row, f->members[i]));
	return o;
}

static struct json_object *
array(const struct form *f, const void *rows, size_t n)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, object(f, (const char *)rows + i * f->rowsz));
	return a;
}

struct json_object *
shape_status_row(const struct sync_row *r, enum shape_form form)
{
	return object(&status_forms[form], r);
}

struct json_object *
shape_status_rows(const struct sync_row *r, size_t n, enum shape_form form)
{
	return array(&status_forms[form], r, n);
}

struct json_object *
shape_log_rows(const struct sync_log_row *l, size_t n, enum shape_form form)
{
	return array(&log_forms[form], l, n);
}

const char *
shape_log_transition(const struct sync_log_row *l, char buf[48])
{
	snprintf(buf, 48, "%s>%s", l->old_status ? l->old_status : "-",
	    l->new_status ? l->new_status : "-");
	return buf;
}

struct json_object *
shape_run(const struct run_record *r)
{
	struct json_object *o, *c;
	size_t i;

	o = json_object_new_object();
	json_object_object_add(o, "batch_id", json_object_new_string(r->batch_id));
	json_object_object_add(o, "started", out_json_time(r->started));
	json_object_object_add(o, "duration_seconds", json_object_new_double(r->duration));
	json_object_object_add(o, "exit_code", json_object_new_int(r->exit_code));
	json_object_object_add(o, "command", out_json_str(r->command));
	c = json_object_new_object();
	for (i = 0; i < ACT__COUNT && i < 8; i++)
		json_object_object_add(c, action_name((enum action_kind)i),
		    json_object_new_int64(r->counts[i]));
	json_object_object_add(o, "actions", c);
	json_object_object_add(o, "errors", json_object_new_int64(r->errors));
	json_object_object_add(o, "error", out_json_str(r->error));
	json_object_object_add(o, "result", json_object_new_string(state_run_result(r)));
	return o;
}
