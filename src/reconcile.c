/*
 * reconcile: the state machine of SPEC 3 as a pure function of the ZMC
 * row, the sync row, the configuration and now.  cmd_run.c carries out
 * the actions; a failed action leaves the sync row as it was, so the next
 * run decides the same thing again.
 *
 * The table, top to bottom (first match wins):
 *
 *  SILENCED, silence_end != 0 and <= now   SILENCE_ENDED        RESOLVED
 *  row gone, FIRING or PENDING             RESOLVE "gone"       RESOLVED
 *  row gone, SILENCED                      EXPIRE_SILENCE or
 *                                          SILENCE_ENDED "gone" RESOLVED
 *  U not passing filters, FIRING/PENDING   RESOLVE "filtered"   RESOLVED
 *  U not passing filters, SILENCED         EXPIRE_SILENCE or
 *                                          SILENCE_ENDED "filtered" RESOLVED
 *  U passing, in window, none              FIRE "new"           FIRING
 *  U passing, PENDING                      FIRE "retry"         FIRING
 *  U passing, FIRING, labels changed       RELABEL              FIRING
 *  U passing, FIRING, heartbeat due, or
 *    pushed before a member started        HEARTBEAT            FIRING
 *  U passing, in window, RESOLVED or
 *    SILENCED, newer raise time or a
 *    different non-zero event id           FIRE "re-raised"     FIRING
 *  U passing, in window, RESOLVED with
 *    ZMC state U when resolved             FIRE "back"          FIRING
 *  A/C, FIRING or PENDING                  RESOLVE "state X"    RESOLVED
 *  A/C, SILENCED                           EXPIRE_SILENCE or
 *                                          SILENCE_ENDED        RESOLVED
 *  M, SILENCED, silence not active in
 *    Alertmanager (restart without data)   SILENCE "silence lost" SILENCED
 *  M, SILENCED with an error, within the
 *    lease of its last firing push (a
 *    member missed the resolve)            SILENCE "resolve retry" SILENCED
 *  M, FIRING or PENDING                    SILENCE "state M"    SILENCED
 *                                          (RESOLVE "state M" and RESOLVED
 *                                          when silence.use_silence_api
 *                                          is off)
 *  anything else                           nothing
 *
 * Decisions where SPEC 3 is silent:
 * - A state other than U/A/C/M ('?': NULL, '', 'X') is neither a reason
 *   to fire nor proof that the alarm cleared: a FIRING alarm keeps its
 *   alert alive (heartbeat, relabel) and the table stays FIRING; any
 *   other status does nothing.
 * - A PENDING row (failed first push) is retried without re-checking the
 *   history window: it was in the window when first seen.
 * - A heartbeat is due when now - last_push >= heartbeat_interval, when
 *   last_push is 0, or when last_push lies in the future (the clock went
 *   back, so the lease we sent may be wrong).
 * - A label change wins over the heartbeat.  A FIRING row whose stored
 *   label set is missing or unparsable follows the plain heartbeat rule;
 *   the executor stores the new label set with the push.
 * - Resolved alerts carry the label set last pushed (ALERT_LABELS) and,
 *   when the row is still in the view, the annotations of the row so the
 *   resolve notification reads like the firing one.  startsAt is the
 *   startsAt last pushed (LAST_EVENT_TIME) and never after endsAt, which
 *   Alertmanager would reject.
 * - A resolve whose label set is unknown (row gone and ALERT_LABELS empty
 *   or unparsable) carries no alert: there is nothing we could address
 *   in Alertmanager, so it is bookkeeping only.
 * - An expired or ended silence carries no alert.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "config.h"
#include "domain.h"
#include "reconcile.h"
#include "types.h"
#include "util.h"

/* The view row's part an action needs after its page is gone; NULL for NULL. */
static const struct zmc_row *
row_copy(const struct zmc_row *r)
{
	static const char *const opname[] = { "OPERATOR" };
	struct zmc_row	*c;
	const char	*op;

	if (r == NULL)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	c->alarm_id = r->alarm_id;
	c->event_id = r->event_id;
	c->state = r->state;
	c->level = r->level;
	c->event_time = r->event_time;
	c->state_time = r->state_time;
	c->create_date = r->create_date;
	c->clear_reason = xstrdup(r->clear_reason);
	if ((op = zmc_row_field(r, "OPERATOR")) != NULL) {
		c->vals = xcalloc(1, sizeof(*c->vals));
		c->vals[0] = xstrdup(op);
		c->names = opname;
		c->ncols = 1;
	}
	return c;
}

static const struct sync_row *
sync_copy(const struct sync_row *s)
{
	struct sync_row	*c;

	if (s == NULL)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	*c = *s;
	c->silence_id = xstrdup(s->silence_id);
	c->labels = xstrdup(s->labels);
	c->last_error = xstrdup(s->last_error);
	return c;
}

static void
row_copy_free(const struct zmc_row *r)
{
	struct zmc_row	*c = (struct zmc_row *)r;

	if (c == NULL)
		return;
	free(c->clear_reason);
	if (c->vals != NULL)
		free(c->vals[0]);
	free(c->vals);
	free(c);
}

/* Appends one action; alert and old_alert pass to the list. */
static void
emit(struct action_list *out, enum action_kind kind, const struct pair *p,
    struct alert *alert, struct alert *old_alert, enum sync_status st,
    const char *reason)
{
	struct action	*a;

	out->v = xreallocarray_grow(out->v, &out->cap, out->n + 1,
	    sizeof(*out->v));
	a = &out->v[out->n++];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->alarm_id = p->row != NULL ? p->row->alarm_id : p->sync->alarm_id;
	a->row = row_copy(p->row);
	a->sync = sync_copy(p->sync);
	a->alert = alert;
	a->old_alert = old_alert;
	a->new_status = st;
	a->reason = reason;
}

/*
 * How long Alertmanager keeps a firing alert that carried no endsAt
 * (sync.alert_ttl <= 0): its resolve_timeout, 5 minutes by default.
 */
#define AM_RESOLVE_TIMEOUT	300

/*
 * The label sets the executor stores, for actions emitted without one;
 * and, for a resolve of an alarm believed firing, until when a member
 * that missed the resolve may still hold the alert (its lease).
 */
static time_t
held_until(const struct config *cfg, const struct sync_row *s)
{
	if (s == NULL || s->last_push == 0)
		return 0;
	/* A SILENCED row with an error: its resolve was deferred. */
	if (s->status == SS_FIRING || s->status == SS_PENDING ||
	    (s->status == SS_SILENCED && s->error_count > 0))
		return reconcile_lease_end(cfg, s->last_push);
	return 0;
}

time_t
reconcile_lease_end(const struct config *cfg, time_t pushed)
{
	return pushed + (cfg->sync_alert_ttl > 0 ? (time_t)cfg->sync_alert_ttl :
	    AM_RESOLVE_TIMEOUT);
}

int
reconcile_resend_window(time_t started, time_t skew, time_t prev,
    time_t now, time_t *from, time_t *to)
{
	if (started == 0)
		return 0;
	if (prev != 0 ? started <= prev :
	    now + skew - started > RECONCILE_RESEND_BEFORE)
		return 0;
	*from = started - skew - RECONCILE_RESEND_BEFORE;
	*to = now + RECONCILE_RESEND_FUTURE;
	return 1;
}

static void
fill_labels(const struct config *cfg, struct action_list *out, size_t from)
{
	size_t	 i;

	for (i = from; i < out->n; i++) {
		struct action *a = &out->v[i];

		if (a->kind == ACT_RESOLVE || a->kind == ACT_SILENCE ||
		    a->kind == ACT_RELABEL)
			a->held_until = held_until(cfg, a->sync);

		if (a->labels == NULL && a->alert != NULL &&
		    (a->kind == ACT_FIRE || a->kind == ACT_HEARTBEAT ||
		    a->kind == ACT_RELABEL))
			a->labels = alert_labels_json(a->alert);
	}
}

/*
 * The resolved alert of an alarm: the label set last pushed (else the
 * labels of built), the annotations of built (if any), endsAt = end and
 * startsAt = the startsAt last pushed, clamped to end.  NULL when neither
 * the stored labels nor built are there.
 */
static struct alert *
resolved_alert(const struct sync_row *sync, const struct alert *built,
    time_t end)
{
	struct alert	*a = NULL;
	size_t		 i;

	if (sync != NULL && sync->labels != NULL)
		a = alert_from_labels_json(sync->labels);
	if (a == NULL && built == NULL)
		return NULL;
	if (a == NULL)
		a = alert_dup(built);
	else if (built != NULL) {
		for (i = 0; i < built->annotationsz; i++)
			alert_set_annotation(a, built->annotations[i].name,
			    built->annotations[i].value);
		a->generator_url = xstrdup(built->generator_url);
	}
	if (sync != NULL && sync->event_time != 0)
		a->starts_at = sync->event_time;
	else if (built != NULL)
		a->starts_at = built->starts_at;
	else
		a->starts_at = 0;
	a->ends_at = end;
	if (a->starts_at > a->ends_at)
		a->starts_at = a->ends_at;
	return a;
}

/* Resolve time for a row that left state U: STATE_TIME unless in the future. */
static time_t
resolve_time(const struct zmc_row *row, time_t now)
{
	if (row != NULL && row->state_time != 0 && row->state_time <= now)
		return row->state_time;
	return now;
}

/* Reason text for a state change (static strings). */
static const char *
state_reason(char state)
{
	switch (state) {
	case 'A':
		return "state A";
	case 'C':
		return "state C";
	case 'M':
		return "state M";
	default:
		return "state ?";
	}
}

/* Silence of a cleared alarm: expire it if we may and know it, else just forget it. */
static void
clear_silence(const struct config *cfg, const struct pair *p,
    struct action_list *out, const char *reason)
{
	if (cfg->silence_auto_remove && p->sync->silence_id != NULL &&
	    p->sync->silence_id[0] != '\0')
		emit(out, ACT_EXPIRE_SILENCE, p, NULL, NULL, SS_RESOLVED,
		    reason);
	else
		emit(out, ACT_SILENCE_ENDED, p, NULL, NULL, SS_RESOLVED,
		    reason);
}

/*
 * 1 if the stored label set of sync differs from labels (canonical JSON
 * of the new alert); -1 if unknown.  The stored text is what we wrote, so
 * equal bytes are the common answer; only different bytes are parsed, in
 * case an older version stored another spacing.
 */
static int
labels_changed(const struct sync_row *sync, const char *labels)
{
	struct alert	*old;
	char		*o;
	int		 changed;

	if (sync->labels == NULL)
		return -1;
	if (strcmp(sync->labels, labels) == 0)
		return 0;
	if ((old = alert_from_labels_json(sync->labels)) == NULL)
		return -1;
	o = alert_labels_json(old);
	changed = strcmp(o, labels) != 0;
	free(o);
	alert_free(old);
	return changed;
}

int
reconcile_heartbeat_due(int64_t alarm_id, time_t last_push, time_t now,
    int heartbeat_interval)
{
	uint64_t	 h;
	time_t		 early;

	if (last_push == 0 || last_push > now)
		return 1;
	/* A fixed per-alarm offset in [0, interval / 2): stable across runs. */
	h = (uint64_t)alarm_id * 0x9E3779B97F4A7C15ULL;
	early = heartbeat_interval >= 2 ?
	    (time_t)((h >> 32) % (uint64_t)(heartbeat_interval / 2)) : 0;
	return now - last_push >= (time_t)heartbeat_interval - early;
}

/* 1 if a RESOLVED/SILENCED alarm in state U was raised again since our push. */
static int
reraised(const struct zmc_row *row, const struct sync_row *sync)
{
	time_t	 t;

	t = row->event_time != 0 ? row->event_time : row->create_date;
	if (t != 0 && sync->event_time != 0 && t > sync->event_time)
		return 1;
	if (row->event_id != 0 && row->event_id != sync->event_id)
		return 1;
	return 0;
}

/* The U branch of the table; built is the row's firing alert (consumed). */
static void
decide_active(const struct config *cfg, const struct pair *p,
    enum sync_status st, struct alert *built, time_t now, time_t at,
    time_t started, struct action_list *out)
{
	const struct sync_row	*sync = p->sync;
	char			*labels;
	int			 changed;

	if (!alert_passes_filters(cfg, p->row)) {
		if (st == SS_FIRING || st == SS_PENDING)
			emit(out, ACT_RESOLVE, p,
			    resolved_alert(sync, built, at), NULL,
			    SS_RESOLVED, "filtered");
		else if (st == SS_SILENCED)
			/* masked, then raised again below the filters: no mute needed */
			clear_silence(cfg, p, out, "filtered");
		alert_free(built);
		return;
	}

	switch (st) {
	case SS_NONE:
		if (alert_in_window(cfg, p->row, now)) {
			emit(out, ACT_FIRE, p, built, NULL, SS_FIRING, "new");
			return;
		}
		break;
	case SS_PENDING:
		emit(out, ACT_FIRE, p, built, NULL, SS_FIRING, "retry");
		return;
	case SS_FIRING:
		labels = alert_labels_json(built);
		changed = labels_changed(sync, labels);
		if (changed == 1) {
			emit(out, ACT_RELABEL, p, built,
			    resolved_alert(sync, built, at), SS_FIRING,
			    "labels changed");
			out->v[out->n - 1].labels = labels;
			return;
		}
		/* A member started since the last push has lost the alert. */
		if (reconcile_heartbeat_due(p->row->alarm_id, sync->last_push,
		    now, cfg->sync_heartbeat_interval) ||
		    (started != 0 && sync->last_push <= started)) {
			emit(out, ACT_HEARTBEAT, p, built, NULL, SS_FIRING,
			    "heartbeat");
			out->v[out->n - 1].labels = labels;
			return;
		}
		free(labels);
		break;
	case SS_RESOLVED:
	case SS_SILENCED:
		if (!alert_in_window(cfg, p->row, now))
			break;
		if (reraised(p->row, sync)) {
			emit(out, ACT_FIRE, p, built, NULL, SS_FIRING,
			    "re-raised");
			return;
		}
		if (st == SS_RESOLVED && sync->zmc_state == 'U') {
			emit(out, ACT_FIRE, p, built, NULL, SS_FIRING, "back");
			return;
		}
		break;
	}
	alert_free(built);
}

int
silence_set_has(const struct silence_set *set, const char *id)
{
	size_t	 lo = 0, hi, mid;
	int	 c;

	if (set == NULL)
		return 1;
	if (id == NULL)
		return 0;
	hi = set->n;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(set->ids[mid], id)) == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

size_t
reconcile_orphans(const struct live_silence *live, size_t n, const char *source,
    const struct silence_set *kept, int *out)
{
	size_t	 i, k = 0;

	for (i = 0; i < n; i++) {
		out[i] = live[i].id != NULL && live[i].source != NULL &&
		    source != NULL && strcmp(live[i].source, source) == 0 &&
		    !silence_set_has(kept, live[i].id);
		k += out[i] != 0;
	}
	return k;
}

/* The A/C/M branch of the table; built is the row's alert (consumed). */
static void
decide_cleared(const struct config *cfg, const struct pair *p,
    enum sync_status st, struct alert *built, time_t now,
    const struct silence_set *live, struct action_list *out)
{
	const char	*reason = state_reason(p->row->state);
	struct alert	*res;

	switch (st) {
	case SS_FIRING:
	case SS_PENDING:
		res = resolved_alert(p->sync, built,
		    resolve_time(p->row, now));
		if (p->row->state == 'M' && cfg->silence_use_api)
			emit(out, ACT_SILENCE, p, res, NULL, SS_SILENCED,
			    reason);
		else
			emit(out, ACT_RESOLVE, p, res, NULL, SS_RESOLVED,
			    reason);
		break;
	case SS_SILENCED:
		/* M keeps its silence until it ends, and gets it back if lost. */
		if (p->row->state != 'M')
			clear_silence(cfg, p, out, reason);
		else if (cfg->silence_use_api && live != NULL &&
		    !silence_set_has(live, p->sync->silence_id))
			emit(out, ACT_SILENCE, p, resolved_alert(p->sync, built,
			    resolve_time(p->row, now)), NULL, SS_SILENCED,
			    "silence lost");
		else if (cfg->silence_use_api && now < held_until(cfg, p->sync))
			/* a member missed the resolve: again (the silence is reused) */
			emit(out, ACT_SILENCE, p, resolved_alert(p->sync, built,
			    resolve_time(p->row, now)), NULL, SS_SILENCED,
			    "resolve retry");
		break;
	default:
		break;
	}
	alert_free(built);
}

void
reconcile(const struct config *cfg, const struct label_map *maps,
    size_t mapsz, const struct pair *pairs, size_t pairsz, time_t now,
    const struct am_view *view, struct action_list *out)
{
	const struct silence_set *live = view != NULL ? view->live : NULL;
	time_t			 started = view != NULL ? view->started : 0;
	/*
	 * Decisions use our clock (push times are ours); the times an alert
	 * carries use Alertmanager's, or a clock ahead of it would send a
	 * resolve whose endsAt lies in its future, which it treats as firing.
	 */
	time_t			 at = now + (view != NULL ? view->skew : 0);
	const struct pair	*p;
	enum sync_status	 st;
	size_t			 i, from = out->n;

	for (i = 0; i < pairsz; i++) {
		p = &pairs[i];
		if (p->row == NULL && p->sync == NULL)
			continue;
		st = p->sync != NULL ? p->sync->status : SS_NONE;

		/* A silence that ran out ends whatever ZMC says now. */
		if (st == SS_SILENCED && p->sync->silence_end != 0 &&
		    p->sync->silence_end <= now) {
			emit(out, ACT_SILENCE_ENDED, p, NULL, NULL,
			    SS_RESOLVED, "silence ended");
			continue;
		}

		if (p->row == NULL) {
			if (st == SS_FIRING || st == SS_PENDING)
				emit(out, ACT_RESOLVE, p,
				    resolved_alert(p->sync, NULL, at), NULL,
				    SS_RESOLVED, "gone");
			else if (st == SS_SILENCED)
				clear_silence(cfg, p, out, "gone");
			continue;
		}

		/*
		 * The common case of a steady run, a firing alarm that is not
		 * due and whose labels did not change, decided from its labels
		 * alone (the rule of decide_active, without its annotations).
		 */
		if (st == SS_FIRING && p->row->state != 'A' &&
		    p->row->state != 'C' && p->row->state != 'M' &&
		    alert_passes_filters(cfg, p->row) &&
		    !reconcile_heartbeat_due(p->row->alarm_id,
		    p->sync->last_push, now, cfg->sync_heartbeat_interval) &&
		    !(started != 0 && p->sync->last_push <= started)) {
			struct alert *lab = alert_build_labels(cfg, maps, mapsz,
			    p->row);
			char *js = alert_labels_json(lab);
			int ch = labels_changed(p->sync, js);

			free(js);
			alert_free(lab);
			if (ch != 1)
				continue;
		}

		switch (p->row->state) {
		case 'U':
			decide_active(cfg, p, st,
			    alert_build(cfg, maps, mapsz, p->row, at), now,
			    at, started, out);
			break;
		case 'A':
		case 'C':
		case 'M':
			if (st == SS_NONE || st == SS_RESOLVED)
				break;
			decide_cleared(cfg, p, st,
			    alert_build(cfg, maps, mapsz, p->row, at), at,
			    live, out);
			break;
		default:
			/*
			 * Unknown state: neither a raise nor proof of a clear.
			 * A firing alert is kept alive as it is (heartbeat,
			 * relabel), so Alertmanager and the table agree; nothing
			 * new is pushed.
			 */
			if (st == SS_FIRING)
				decide_active(cfg, p, st,
				    alert_build(cfg, maps, mapsz, p->row, at), now,
				    at, started, out);
			break;
		}
	}
	fill_labels(cfg, out, from);
}

void
action_list_move(struct action_list *to, struct action_list *from)
{
	size_t	 i;

	for (i = 0; i < from->n; i++) {
		to->v = xreallocarray_grow(to->v, &to->cap, to->n + 1,
		    sizeof(*to->v));
		to->v[to->n++] = from->v[i];
	}
	free(from->v);
	from->v = NULL;
	from->n = from->cap = 0;
}

size_t
action_list_alerts(const struct action_list *l)
{
	size_t	 i, n = 0;

	for (i = 0; i < l->n; i++)
		n += (l->v[i].alert != NULL) + (l->v[i].old_alert != NULL);
	return n;
}

void
action_list_free(struct action_list *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++) {
		alert_free(l->v[i].alert);
		alert_free(l->v[i].old_alert);
		free(l->v[i].labels);
		row_copy_free(l->v[i].row);
		if (l->v[i].sync != NULL) {
			struct sync_row *c = (struct sync_row *)l->v[i].sync;

			free(c->silence_id);
			free(c->labels);
			free(c->last_error);
			free(c);
		}
	}
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}
