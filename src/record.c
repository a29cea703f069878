/*
 * record: what each action leaves in the sync tables, before its push
 * (the intent) and after it (the result), and when a resolve counts as
 * done in a cluster.  Pure: decided from the action, its outcome and
 * the time; batch.c writes what it says.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "action.h"
#include "alert.h"
#include "domain.h"
#include "record.h"

int
record_resolve_done(time_t held_until, int took, int members, time_t now)
{
	if (took <= 0)
		return 0;
	return took >= members || now >= held_until;
}

int
record_intent(const struct action *a, struct sync_update *u)
{
	memset(u, 0, sizeof(*u));
	/* A first push, and a re-raise of a RESOLVED or SILENCED alarm. */
	if (a->kind != ACT_FIRE || a->alert == NULL || (a->sync != NULL &&
	    a->sync->status != SS_RESOLVED && a->sync->status != SS_SILENCED))
		return 0;
	u->alarm_id = a->alarm_id;
	u->exists = a->sync != NULL;
	u->status = SS_PENDING;
	u->event_id = a->row != NULL ? a->row->event_id : 0;
	u->zmc_state = a->row != NULL ? a->row->state : 0;
	u->event_time = a->alert->starts_at;
	u->labels = a->labels;
	return 1;
}

int
record_result(const struct action *a, const struct outcome *o, time_t now,
    const char *batch_id, struct sync_update *u, struct sync_log *lg)
{
	const struct sync_row	*s = a->sync;
	int			 push = a->alert != NULL, ok, held;

	memset(u, 0, sizeof(*u));
	memset(lg, 0, sizeof(*lg));
	u->alarm_id = a->alarm_id;
	u->exists = s != NULL || a->intent;
	/*
	 * The resolve of a PENDING row refused as invalid can never succeed,
	 * and Alertmanager never accepted that label set: the row is done.
	 */
	ok = o->ok || (a->kind == ACT_RESOLVE && o->rejected && s != NULL &&
	    s->status == SS_PENDING);
	held = o->ok && o->deferred;
	if (held && a->kind != ACT_SILENCE)
		ok = 0;		/* the row stays: resolve or relabel again */
	u->failed = !ok;
	u->status = ok ? a->new_status : (s != NULL && !a->intent ? s->status :
	    SS_PENDING);
	u->event_id = a->row != NULL ? a->row->event_id :
	    (s != NULL ? s->event_id : 0);
	u->zmc_state = a->row != NULL ? a->row->state :
	    (s != NULL ? s->zmc_state : 0);
	if (a->kind == ACT_SILENCE) {
		/* The silence that now stands for the alarm (created or reused). */
		u->silence_id = o->silence_id;
		u->silence_end = o->silence_end;
	} else if (a->new_status == SS_FIRING || a->new_status == SS_RESOLVED) {
		/* No silence of ours stands for the alarm any more. */
		u->silence_id = NULL;
		u->silence_end = 0;
	} else if (s != NULL) {
		u->silence_id = s->silence_id;
		u->silence_end = s->silence_end;
	}
	/* A deferred resolve keeps the firing push time: the lease it holds. */
	u->last_push = push && !held ? now : 0;
	u->pushed = push && o->ok;
	if (a->kind == ACT_FIRE || a->kind == ACT_HEARTBEAT ||
	    a->kind == ACT_RELABEL) {
		u->event_time = a->alert->starts_at;
		u->labels = a->labels;
	} else
		u->event_time = s != NULL ? s->event_time : 0;
	u->error = ok && !held ? NULL : (o->error != NULL ? o->error : "failed");
	/*
	 * A heartbeat that changes nothing else, and a first push whose
	 * PENDING row (the intent) already holds the rest, are written in
	 * bulk: FIRING, push time and count.
	 */
	u->touch = o->ok && !held && ((a->kind == ACT_HEARTBEAT && s != NULL &&
	    s->status == SS_FIRING && s->event_id == u->event_id &&
	    s->event_time == u->event_time && s->zmc_state == u->zmc_state &&
	    s->silence_id == NULL && s->labels != NULL && a->labels != NULL &&
	    strcmp(s->labels, a->labels) == 0) ||
	    (a->kind == ACT_FIRE && a->intent));

	if (a->kind == ACT_HEARTBEAT && o->ok)
		return 0;
	lg->operation = action_operation(a->kind);
	lg->alarm_id = a->alarm_id;
	lg->event_id = u->event_id;
	lg->batch_id = batch_id;
	lg->old_status = s != NULL ? sync_status_name(s->status) : NULL;
	lg->new_status = sync_status_name(u->status);
	lg->request_url = o->url;
	lg->request_method = o->method;
	lg->response_code = o->code;
	lg->duration_ms = o->ms;
	lg->error = o->ok && !held ? NULL : (o->error != NULL ? o->error :
	    "failed");
	lg->alarm_count = 1;
	return 1;
}
