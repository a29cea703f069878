/*
 * test_reconcile: the state machine of SPEC 3, one or more tests per row
 * of the table in reconcile.c, asserting the action kind, the status
 * after, the reason and the alert that would be pushed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "config.h"
#include "reconcile.h"
#include "record.h"
#include "source.h"
#include "syncstate.h"
#include "util.h"
#include "t.h"

#define NOW	((time_t)1700000000)

static char *sev_default[5] = { "warning", "critical", "error", "warning", "info" };
static char *filter_critical[] = { "critical" };

static void
cfg_init(struct config *c)
{
	int	 i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < 5; i++)
		c->severity[i] = sev_default[i];
	c->sync_levels[1] = c->sync_levels[2] = c->sync_levels[3] =
	    c->sync_levels[4] = 1;
	c->sync_history_hours = 24;
	c->sync_heartbeat_interval = 120;
	c->sync_alert_ttl = 600;
	c->label_source = "zmc";
	c->label_cluster = "";
	c->label_datacenter = "";
	c->am_generator_url = "";
	c->silence_use_api = 1;
	c->silence_auto_remove = 1;
}

/* An active alarm raised ten minutes ago. */
static void
row_init(struct zmc_row *r, char state)
{
	memset(r, 0, sizeof(*r));
	r->alarm_id = 4242;
	r->event_id = 900;
	r->state = state;
	r->level = 1;
	r->alarm_code = "1001";
	r->alarm_name = "CPU_Usage_High";
	r->host_name = "app01";
	r->host_ip = "10.1.1.1";
	r->event_time = NOW - 600;
	r->create_date = NOW - 86400 * 100;
	r->detail_info = "cpu at 95%";
}

/*
 * A sync row as the executor leaves it after pushing r (firing) at
 * last_push: same labels, event and startsAt.  Free labels with sync_done.
 */
static void
sync_init(struct sync_row *s, const struct config *c,
    const struct zmc_row *r, enum sync_status st, time_t last_push)
{
	struct alert	*a;

	memset(s, 0, sizeof(*s));
	a = alert_build(c, NULL, 0, r, NOW);
	s->sync_id = 1;
	s->alarm_id = r->alarm_id;
	s->event_id = r->event_id;
	s->status = st;
	s->zmc_state = 'U';
	s->last_push = last_push;
	s->event_time = a->starts_at;
	s->labels = alert_labels_json(a);
	s->push_count = 1;
	alert_free(a);
}

static void
sync_done(struct sync_row *s)
{
	free(s->labels);
	s->labels = NULL;
}

/* Runs reconcile on one pair; returns the number of actions. */
static size_t
run1(const struct config *c, const struct zmc_row *r,
    const struct sync_row *s, struct action_list *out)
{
	struct pair	 p;

	memset(out, 0, sizeof(*out));
	p.row = r;
	p.sync = s;
	reconcile(c, NULL, 0, &p, 1, NOW, NULL, out);
	return out->n;
}

/* Checks kind, status after and reason of the single action in l. */
#define CHECK_ACT(l, k, st, why) do {					\
	CHECK_INT((l).n, 1);						\
	if ((l).n == 1) {						\
		CHECK_STR(action_name((l).v[0].kind), action_name(k));	\
		CHECK_INT((l).v[0].new_status, (st));			\
		CHECK_STR((l).v[0].reason, (why));			\
	}								\
} while (0)

/* The single action's alert, or NULL. */
static const struct alert *
act_alert(const struct action_list *l)
{
	return l->n == 1 ? l->v[0].alert : NULL;
}

static const char *
label_of(const struct alert *a, const char *name)
{
	return a != NULL ? alert_label(a, name) : NULL;
}

/* ---- U, passes, in window, none: FIRE "new" ---- */
TEST(t_new_fires)
{
	struct config		 c;
	struct zmc_row		 r;
	struct action_list	 l;
	const struct alert	*a;

	cfg_init(&c);
	row_init(&r, 'U');
	run1(&c, &r, NULL, &l);
	CHECK_ACT(l, ACT_FIRE, SS_FIRING, "new");
	a = act_alert(&l);
	CHECK(a != NULL);
	CHECK_STR(label_of(a, "alarm_id"), "4242");
	CHECK_STR(label_of(a, "alertname"), "CPU_Usage_High");
	CHECK(a == NULL || a->starts_at == NOW - 600);
	CHECK(a == NULL || a->ends_at == NOW + 600);
	/* the action carries its own copy of the row, not the page's */
	CHECK(l.n != 1 || (l.v[0].row != NULL && l.v[0].row != &r &&
	    l.v[0].row->alarm_id == 4242 && l.v[0].row->event_id == r.event_id &&
	    l.v[0].row->state == 'U' && l.v[0].sync == NULL &&
	    l.v[0].alarm_id == 4242 && l.v[0].old_alert == NULL));
	action_list_free(&l);
	CHECK(l.v == NULL && l.n == 0);
}

/* ---- U outside the window or not passing, none: nothing ---- */
TEST(t_new_outside_window_nothing)
{
	struct config		 c;
	struct zmc_row		 r;
	struct action_list	 l;

	cfg_init(&c);
	row_init(&r, 'U');
	r.event_time = NOW - 25 * 3600;
	CHECK_INT(run1(&c, &r, NULL, &l), 0);
	action_list_free(&l);
	/* Old CDR row without EVENT_TIME: CREATE_DATE decides. */
	r.event_time = 0;
	CHECK_INT(run1(&c, &r, NULL, &l), 0);
	action_list_free(&l);
	r.create_date = NOW - 3600;
	run1(&c, &r, NULL, &l);
	CHECK_ACT(l, ACT_FIRE, SS_FIRING, "new");
	CHECK(act_alert(&l) == NULL || act_alert(&l)->starts_at == NOW - 3600);
	action_list_free(&l);
}

TEST(t_new_not_passing_nothing)
{
	struct config		 c;
	struct zmc_row		 r;
	struct action_list	 l;

	cfg_init(&c);
	row_init(&r, 'U');
	r.level = 0;
	CHECK_INT(run1(&c, &r, NULL, &l), 0);
	action_list_free(&l);
	r.level = -1;
	CHECK_INT(run1(&c, &r, NULL, &l), 0);
	action_list_free(&l);
}

/* ---- U, PENDING: FIRE "retry", window not re-checked ---- */
TEST(t_pending_retry)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;

	cfg_init(&c);
	row_init(&r, 'U');
	sync_init(&s, &c, &r, SS_PENDING, 0);
	r.event_time = NOW - 48 * 3600;	/* out of window now */
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_FIRE, SS_FIRING, "retry");
	CHECK(act_alert(&l) == NULL || act_alert(&l)->ends_at == NOW + 600);
	CHECK(l.n != 1 || (l.v[0].sync != NULL && l.v[0].sync != &s &&
	    l.v[0].sync->status == SS_PENDING && l.v[0].sync->alarm_id == s.alarm_id));
	action_list_free(&l);
	sync_done(&s);
}

/* ---- U, FIRING, heartbeat due: HEARTBEAT ---- */
TEST(t_heartbeat_due)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;
	const struct alert	*a;

	cfg_init(&c);
	row_init(&r, 'U');
	sync_init(&s, &c, &r, SS_FIRING, NOW - 120);
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_HEARTBEAT, SS_FIRING, "heartbeat");
	a = act_alert(&l);
	CHECK(a != NULL && a->ends_at == NOW + 600);
	CHECK(a != NULL && a->starts_at == NOW - 600);
	CHECK_STR(label_of(a, "alarm_id"), "4242");
	action_list_free(&l);
	sync_done(&s);
}

/* Alarms fired in one run come due spread over the second half of the interval. */
TEST(t_heartbeat_spread)
{
	int64_t		 id;
	int		 t, due[121] = { 0 }, runs = 0, most = 0;

	for (id = 1000; id < 3000; id++) {
		/* Every alarm is due by the full interval, none before half of it. */
		CHECK(reconcile_heartbeat_due(id, NOW - 120, NOW, 120));
		CHECK(!reconcile_heartbeat_due(id, NOW - 59, NOW, 120));
		for (t = 60; t <= 120; t++)
			if (reconcile_heartbeat_due(id, NOW - t, NOW, 120)) {
				due[t]++;
				break;
			}
	}
	/* With a run every 15 s, at least 4 runs share the 2000 heartbeats. */
	for (t = 60; t <= 120; t += 15) {
		int k, sum = 0;

		for (k = t; k < t + 15 && k <= 120; k++)
			sum += due[k];
		runs += sum > 0;
		if (sum > most)
			most = sum;
	}
	CHECK(runs >= 4);
	CHECK(most < 2000 / 3);
	/* Unknown or future push times are due at once. */
	CHECK(reconcile_heartbeat_due(5, 0, NOW, 120));
	CHECK(reconcile_heartbeat_due(5, NOW + 10, NOW, 120));
	CHECK(reconcile_heartbeat_due(5, NOW - 1, NOW, 1));
}

TEST(t_heartbeat_not_yet_due)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;

	cfg_init(&c);
	row_init(&r, 'U');
	/* Never before half the interval, whatever the alarm's offset. */
	sync_init(&s, &c, &r, SS_FIRING, NOW - 59);
	CHECK_INT(run1(&c, &r, &s, &l), 0);
	action_list_free(&l);
	/* Even an out-of-window alarm keeps its heartbeat once firing. */
	r.event_time = NOW - 48 * 3600;
	sync_done(&s);
	sync_init(&s, &c, &r, SS_FIRING, NOW - 3600);
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_HEARTBEAT, SS_FIRING, "heartbeat");
	action_list_free(&l);
	sync_done(&s);
}

TEST(t_heartbeat_last_push_zero_or_future)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;

	cfg_init(&c);
	row_init(&r, 'U');
	sync_init(&s, &c, &r, SS_FIRING, 0);
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_HEARTBEAT, SS_FIRING, "heartbeat");
	action_list_free(&l);
	/* The clock went back: refresh the lease. */
	s.last_push = NOW + 3600;
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_HEARTBEAT, SS_FIRING, "heartbeat");
	action_list_free(&l);
	sync_done(&s);
}

/* ---- U, FIRING, labels changed: RELABEL, wins over heartbeat ---- */
TEST(t_relabel)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;
	const struct alert	*a, *o;
	int			 due;

	cfg_init(&c);
	for (due = 0; due <= 1; due++) {
		row_init(&r, 'U');
		sync_init(&s, &c, &r, SS_FIRING, due ? NOW - 600 : NOW - 10);
		r.host_ip = "10.9.9.9";		/* device moved */
		r.level = 2;			/* and got less severe */
		run1(&c, &r, &s, &l);
		CHECK_ACT(l, ACT_RELABEL, SS_FIRING, "labels changed");
		a = act_alert(&l);
		o = l.n == 1 ? l.v[0].old_alert : NULL;
		CHECK(a != NULL && o != NULL);
		CHECK_STR(label_of(a, "instance"), "10.9.9.9");
		CHECK_STR(label_of(a, "severity"), "error");
		CHECK(a == NULL || a->ends_at == NOW + 600);
		CHECK_STR(label_of(o, "instance"), "10.1.1.1");
		CHECK_STR(label_of(o, "severity"), "critical");
		CHECK_STR(label_of(o, "alarm_id"), "4242");
		CHECK(o == NULL || o->ends_at == NOW);
		CHECK(o == NULL || o->starts_at == NOW - 600);
		action_list_free(&l);
		sync_done(&s);
	}
}

/*
 * A resolve must reach every member of the cluster: one that missed it
 * keeps the alert firing until its lease (last push + alert_ttl) ends.
 * held_until per action kind and status, then the done rule row by row.
 */
/* Resolves sent again after a member's start: once per start, its clock. */
TEST(t_resend_window)
{
	static const struct {
		time_t	 started, skew, prev;
		int	 resend;
		time_t	 from;		/* our clock; to is always NOW + a year */
	} rows[] = {
		{ 0, 0, NOW - 900, 0, 0 },		/* no member's start known */
		{ NOW - 5, 0, NOW - 900, 1, NOW - 5 - 3600 },	/* a later start */
		{ NOW - 900, 0, NOW - 900, 0, 0 },	/* handled by an earlier run */
		{ NOW - 950, 0, NOW - 900, 0, 0 },	/* an older one came back */
		/* no run handled one: only a start within the window counts */
		{ NOW - 5, 0, 0, 1, NOW - 5 - 3600 },
		{ NOW - 3600, 0, 0, 1, NOW - 7200 },
		{ NOW - 3601, 0, 0, 0, 0 },
		/* its clock 20 s ahead of ours */
		{ NOW + 10, 20, NOW - 900, 1, NOW - 10 - 3600 },
		{ NOW - 3590, 20, 0, 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		time_t from = -1, to = -1;
		int got = reconcile_resend_window(rows[i].started, rows[i].skew,
		    rows[i].prev, NOW, &from, &to);

		CHECK_INT(got, rows[i].resend);
		if (got) {
			CHECK_INT(from, rows[i].from);
			CHECK_INT(to, NOW + RECONCILE_RESEND_FUTURE);
		}
	}
}

TEST(t_resolve_every_member)
{
	static const struct {
		char		 state;		/* ZMC state now */
		enum sync_status st;
		int		 relabel;	/* move the device: labels change */
		int		 ttl;		/* sync.alert_ttl */
		enum action_kind kind;
		time_t		 held;		/* expected held_until */
	} kinds[] = {
		{ 'A', SS_FIRING,   0, 600, ACT_RESOLVE, NOW - 30 + 600 },
		{ 'C', SS_PENDING,  0, 600, ACT_RESOLVE, NOW - 30 + 600 },
		{ 'M', SS_FIRING,   0, 600, ACT_SILENCE, NOW - 30 + 600 },
		{ 'U', SS_FIRING,   1, 600, ACT_RELABEL, NOW - 30 + 600 },
		/* no endsAt sent: Alertmanager's resolve_timeout (5 min) */
		{ 'A', SS_FIRING,   0, 0,   ACT_RESOLVE, NOW - 30 + 300 },
		/* the silence of a SILENCED row: its alert was resolved already */
		{ 'U', SS_FIRING,   0, 600, ACT_HEARTBEAT, 0 },
	};
	static const struct {
		int	 took, members;
		time_t	 now;		/* relative to held_until */
		int	 done;
	} rule[] = {
		{ 3, 3, -100, 1 },	/* every member took it */
		{ 1, 1, -100, 1 },	/* a single Alertmanager */
		{ 2, 3, -100, 0 },	/* one missed it and may hold it: retry */
		{ 1, 3, -1,   0 },
		{ 2, 3, 0,    1 },	/* its lease ended: the member resolved it */
		{ 0, 3, 100,  0 },	/* nobody took it: a plain failure */
		{ -1, 3, 100, 0 },	/* refused as invalid */
	};
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;
	struct action		 a;
	size_t			 i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		cfg_init(&c);
		c.sync_alert_ttl = kinds[i].ttl;
		row_init(&r, 'U');
		sync_init(&s, &c, &r, kinds[i].st, NOW - 30);
		r.state = kinds[i].state;
		r.state_time = NOW - 20;
		if (kinds[i].relabel)
			r.host_ip = "10.9.9.9";
		s.last_push = NOW - 30;
		if (kinds[i].kind == ACT_HEARTBEAT)
			s.last_push = NOW - 3600;	/* due */
		run1(&c, &r, &s, &l);
		CHECK_INT(l.n, 1);
		if (l.n == 1) {
			CHECK_STR(action_name(l.v[0].kind),
			    action_name(kinds[i].kind));
			CHECK_INT(l.v[0].held_until, kinds[i].held);
		}
		action_list_free(&l);
		sync_done(&s);
	}
	/* Nothing is held for a SILENCED row whose silence was lost. */
	cfg_init(&c);
	row_init(&r, 'M');
	sync_init(&s, &c, &r, SS_SILENCED, NOW - 30);
	s.silence_id = "gone-silence";
	{
		struct pair p = { &r, &s };
		const char *none[] = { "other" };
		struct silence_set live = { none, 1 };
		struct am_view v = { &live, 0, 0 };

		memset(&l, 0, sizeof(l));
		reconcile(&c, NULL, 0, &p, 1, NOW, &v, &l);
		CHECK_INT(l.n, 1);
		if (l.n == 1) {
			CHECK_INT(l.v[0].kind, ACT_SILENCE);
			CHECK_INT(l.v[0].held_until, 0);
		}
		action_list_free(&l);
	}
	s.silence_id = NULL;
	sync_done(&s);

	memset(&a, 0, sizeof(a));
	a.kind = ACT_RESOLVE;
	a.held_until = NOW;
	for (i = 0; i < sizeof(rule) / sizeof(rule[0]); i++) {
		int done = record_resolve_done(a.held_until, rule[i].took,
		    rule[i].members, NOW + rule[i].now);

		if (done != rule[i].done)
			fprintf(stderr, "rule row %zu: took %d of %d\n", i,
			    rule[i].took, rule[i].members);
		CHECK_INT(done, rule[i].done);
	}
}

TEST(t_relabel_same_set_other_spacing)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;
	struct alert		*a;
	struct buf		 b = { 0 };
	size_t			 i;

	cfg_init(&c);
	row_init(&r, 'U');
	sync_init(&s, &c, &r, SS_FIRING, NOW - 10);
	/* Same set stored in reverse order with blanks: not a change. */
	a = alert_build(&c, NULL, 0, &r, NOW);
	buf_puts(&b, "{ ");
	for (i = a->labelsz; i-- > 0;)
		buf_printf(&b, "\"%s\" : \"%s\"%s", a->labels[i].name,
		    a->labels[i].value, i > 0 ? ", " : " }");
	free(s.labels);
	s.labels = buf_release(&b);
	alert_free(a);
	CHECK_INT(run1(&c, &r, &s, &l), 0);
	action_list_free(&l);
	sync_done(&s);
}

TEST(t_relabel_unknown_labels_is_heartbeat)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;

	cfg_init(&c);
	row_init(&r, 'U');
	sync_init(&s, &c, &r, SS_FIRING, NOW - 10);
	free(s.labels);
	s.labels = xstrdup("not json");
	CHECK_INT(run1(&c, &r, &s, &l), 0);	/* heartbeat not due */
	action_list_free(&l);
	s.last_push = NOW - 300;
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_HEARTBEAT, SS_FIRING, "heartbeat");
	CHECK(l.n != 1 || l.v[0].old_alert == NULL);
	action_list_free(&l);
	free(s.labels);
	s.labels = NULL;
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_HEARTBEAT, SS_FIRING, "heartbeat");
	action_list_free(&l);
}

/* ---- A or C, FIRING or PENDING: RESOLVE "state X" ---- */
TEST(t_resolve_state_a)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;
	const struct alert	*a;

	cfg_init(&c);
	row_init(&r, 'U');
	sync_init(&s, &c, &r, SS_FIRING, NOW - 30);
	r.state = 'A';
	r.state_time = NOW - 45;
	r.host_ip = "10.2.2.2";	/* the stored label set is what we resolve */
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_RESOLVE, SS_RESOLVED, "state A");
	a = act_alert(&l);
	CHECK(a != NULL);
	CHECK_STR(label_of(a, "instance"), "10.1.1.1");
	CHECK_STR(label_of(a, "alarm_id"), "4242");
	CHECK(a == NULL || a->ends_at == NOW - 45);
	CHECK(a == NULL || a->starts_at == NOW - 600);
	/* The notification keeps its text. */
	CHECK(a == NULL || a->annotationsz > 0);
	action_list_free(&l);
	sync_done(&s);
}

TEST(t_resolve_state_c_pending)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;
	const struct alert	*a;

	cfg_init(&c);
	row_init(&r, 'U');
	sync_init(&s, &c, &r, SS_PENDING, 0);
	r.state = 'C';
	r.state_time = NOW - 5;
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_RESOLVE, SS_RESOLVED, "state C");
	a = act_alert(&l);
	CHECK(a == NULL || a->ends_at == NOW - 5);
	action_list_free(&l);
	/* No stored label set: the row's own labels are resolved. */
	free(s.labels);
	s.labels = NULL;
	s.event_time = 0;
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_RESOLVE, SS_RESOLVED, "state C");
	a = act_alert(&l);
	CHECK_STR(label_of(a, "alertname"), "CPU_Usage_High");
	CHECK(a == NULL || (a->starts_at == NOW - 600 && a->ends_at == NOW - 5));
	action_list_free(&l);
}

TEST(t_resolve_state_time_future_or_unset)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;

	cfg_init(&c);
	row_init(&r, 'U');
	sync_init(&s, &c, &r, SS_FIRING, NOW - 30);
	r.state = 'A';
	r.state_time = NOW + 300;	/* database clock ahead */
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_RESOLVE, SS_RESOLVED, "state A");
	CHECK(act_alert(&l) == NULL || act_alert(&l)->ends_at == NOW);
	action_list_free(&l);
	r.state_time = 0;
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_RESOLVE, SS_RESOLVED, "state A");
	CHECK(act_alert(&l) == NULL || act_alert(&l)->ends_at == NOW);
	action_list_free(&l);
	sync_done(&s);
}

TEST(t_resolve_starts_never_after_ends)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;
	const struct alert	*a;

	cfg_init(&c);
	row_init(&r, 'U');
	sync_init(&s, &c, &r, SS_FIRING, NOW - 30);
	r.state = 'C';
	r.state_time = NOW - 3600;	/* before the startsAt we pushed */
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_RESOLVE, SS_RESOLVED, "state C");
	a = act_alert(&l);
	CHECK(a == NULL || (a->ends_at == NOW - 3600 &&
	    a->starts_at == a->ends_at));
	action_list_free(&l);
	sync_done(&s);
}

/* ---- M, FIRING or PENDING: SILENCE (or RESOLVE without the API) ---- */
TEST(t_silence_state_m)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;
	const struct alert	*a;

	cfg_init(&c);
	row_init(&r, 'U');
	sync_init(&s, &c, &r, SS_FIRING, NOW - 30);
	r.state = 'M';
	r.state_time = NOW - 20;
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_SILENCE, SS_SILENCED, "state M");
	a = act_alert(&l);
	CHECK_STR(label_of(a, "alertname"), "CPU_Usage_High");
	CHECK_STR(label_of(a, "instance"), "10.1.1.1");
	CHECK_STR(label_of(a, "alarm_code"), "1001");
	CHECK(a == NULL || a->ends_at == NOW - 20);
	action_list_free(&l);
	s.status = SS_PENDING;
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_SILENCE, SS_SILENCED, "state M");
	action_list_free(&l);
	sync_done(&s);
}

TEST(t_silence_api_off_resolves)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;

	cfg_init(&c);
	c.silence_use_api = 0;
	row_init(&r, 'U');
	sync_init(&s, &c, &r, SS_FIRING, NOW - 30);
	r.state = 'M';
	r.state_time = NOW - 20;
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_RESOLVE, SS_RESOLVED, "state M");
	CHECK(act_alert(&l) == NULL || act_alert(&l)->ends_at == NOW - 20);
	action_list_free(&l);
	sync_done(&s);
}

/* ---- row gone or filtered, FIRING or PENDING: RESOLVE ---- */
TEST(t_gone_firing)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;
	const struct alert	*a;

	cfg_init(&c);
	row_init(&r, 'U');
	sync_init(&s, &c, &r, SS_FIRING, NOW - 30);
	run1(&c, NULL, &s, &l);
	CHECK_ACT(l, ACT_RESOLVE, SS_RESOLVED, "gone");
	a = act_alert(&l);
	CHECK(a != NULL);
	CHECK_STR(label_of(a, "alarm_id"), "4242");
	CHECK_STR(label_of(a, "instance"), "10.1.1.1");
	CHECK(a == NULL || a->ends_at == NOW);
	CHECK(a == NULL || a->starts_at == NOW - 600);
	CHECK(l.n != 1 || (l.v[0].row == NULL && l.v[0].alarm_id == 4242));
	action_list_free(&l);
	sync_done(&s);
}

TEST(t_gone_pending)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;

	cfg_init(&c);
	row_init(&r, 'U');
	sync_init(&s, &c, &r, SS_PENDING, 0);
	run1(&c, NULL, &s, &l);
	CHECK_ACT(l, ACT_RESOLVE, SS_RESOLVED, "gone");
	CHECK_STR(label_of(act_alert(&l), "alarm_id"), "4242");
	action_list_free(&l);
	/* Never stored a label set: bookkeeping only. */
	free(s.labels);
	s.labels = NULL;
	run1(&c, NULL, &s, &l);
	CHECK_ACT(l, ACT_RESOLVE, SS_RESOLVED, "gone");
	CHECK(l.n == 1 && l.v[0].alert == NULL);
	action_list_free(&l);
}

TEST(t_filtered_level_change)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;
	const struct alert	*a;

	cfg_init(&c);
	row_init(&r, 'U');
	r.level = 4;
	sync_init(&s, &c, &r, SS_FIRING, NOW - 30);
	c.sync_levels[4] = 0;	/* operator dropped level 4 */
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_RESOLVE, SS_RESOLVED, "filtered");
	a = act_alert(&l);
	CHECK_STR(label_of(a, "severity"), "info");
	CHECK(a == NULL || a->ends_at == NOW);
	action_list_free(&l);
	s.status = SS_PENDING;
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_RESOLVE, SS_RESOLVED, "filtered");
	action_list_free(&l);
	/* Already resolved: nothing more. */
	s.status = SS_RESOLVED;
	CHECK_INT(run1(&c, &r, &s, &l), 0);
	action_list_free(&l);
	/* Masked, then raised again below the filters: its silence goes. */
	s.status = SS_SILENCED;
	s.silence_id = "sil-9";
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_EXPIRE_SILENCE, SS_RESOLVED, "filtered");
	action_list_free(&l);
	c.silence_auto_remove = 0;
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_SILENCE_ENDED, SS_RESOLVED, "filtered");
	action_list_free(&l);
	s.silence_id = NULL;
	sync_done(&s);
}

TEST(t_severity_filter)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;

	cfg_init(&c);
	c.sync_severity_filter = filter_critical;
	c.sync_severity_filtersz = 1;
	row_init(&r, 'U');
	r.level = 1;
	run1(&c, &r, NULL, &l);
	CHECK_ACT(l, ACT_FIRE, SS_FIRING, "new");
	action_list_free(&l);
	r.level = 3;		/* warning: filtered out */
	CHECK_INT(run1(&c, &r, NULL, &l), 0);
	action_list_free(&l);
	sync_init(&s, &c, &r, SS_FIRING, NOW - 30);
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_RESOLVE, SS_RESOLVED, "filtered");
	action_list_free(&l);
	sync_done(&s);
}

/* ---- A/C or gone, SILENCED: EXPIRE_SILENCE or SILENCE_ENDED ---- */
TEST(t_silenced_cleared_expire)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;

	cfg_init(&c);
	row_init(&r, 'U');
	sync_init(&s, &c, &r, SS_SILENCED, NOW - 300);
	s.zmc_state = 'M';
	s.silence_id = "5e1a-0001";
	s.silence_end = NOW + 3600;
	r.state = 'A';
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_EXPIRE_SILENCE, SS_RESOLVED, "state A");
	CHECK(l.n == 1 && l.v[0].alert == NULL);
	action_list_free(&l);
	r.state = 'C';
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_EXPIRE_SILENCE, SS_RESOLVED, "state C");
	action_list_free(&l);
	s.silence_id = NULL;
	sync_done(&s);
}

TEST(t_silenced_auto_remove_off)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;

	cfg_init(&c);
	c.silence_auto_remove = 0;
	row_init(&r, 'U');
	sync_init(&s, &c, &r, SS_SILENCED, NOW - 300);
	s.silence_id = "5e1a-0001";
	s.silence_end = NOW + 3600;
	r.state = 'A';
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_SILENCE_ENDED, SS_RESOLVED, "state A");
	CHECK(l.n == 1 && l.v[0].alert == NULL);
	action_list_free(&l);
	/* auto_remove on but no silence id known: nothing to expire. */
	c.silence_auto_remove = 1;
	s.silence_id = NULL;
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_SILENCE_ENDED, SS_RESOLVED, "state A");
	action_list_free(&l);
	sync_done(&s);
}

TEST(t_silenced_gone)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;

	cfg_init(&c);
	row_init(&r, 'U');
	sync_init(&s, &c, &r, SS_SILENCED, NOW - 300);
	s.silence_id = "5e1a-0002";
	s.silence_end = NOW + 3600;
	run1(&c, NULL, &s, &l);
	CHECK_ACT(l, ACT_EXPIRE_SILENCE, SS_RESOLVED, "gone");
	action_list_free(&l);
	c.silence_auto_remove = 0;
	run1(&c, NULL, &s, &l);
	CHECK_ACT(l, ACT_SILENCE_ENDED, SS_RESOLVED, "gone");
	action_list_free(&l);
	s.silence_id = NULL;
	sync_done(&s);
}

/* ---- any, SILENCED, silence end passed: SILENCE_ENDED ---- */
TEST(t_silence_end_passed)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;

	cfg_init(&c);
	row_init(&r, 'U');
	sync_init(&s, &c, &r, SS_SILENCED, NOW - 86400);
	s.silence_id = "5e1a-0003";
	s.silence_end = NOW;	/* ends exactly now */
	r.state = 'M';		/* still masked in ZMC */
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_SILENCE_ENDED, SS_RESOLVED, "silence ended");
	CHECK(l.n == 1 && l.v[0].alert == NULL);
	action_list_free(&l);
	/* Checked before the re-raise row. */
	r.state = 'U';
	r.event_time = NOW - 10;
	r.event_id = 901;
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_SILENCE_ENDED, SS_RESOLVED, "silence ended");
	action_list_free(&l);
	/* And before the expire row (no call for an ended silence). */
	r.state = 'A';
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_SILENCE_ENDED, SS_RESOLVED, "silence ended");
	action_list_free(&l);
	run1(&c, NULL, &s, &l);
	CHECK_ACT(l, ACT_SILENCE_ENDED, SS_RESOLVED, "silence ended");
	action_list_free(&l);
	s.silence_id = NULL;
	sync_done(&s);
}

/* ---- M, SILENCED, silence not ended: nothing ---- */
TEST(t_silenced_still_m_nothing)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;

	cfg_init(&c);
	row_init(&r, 'U');
	sync_init(&s, &c, &r, SS_SILENCED, NOW - 300);
	s.silence_id = "5e1a-0004";
	s.silence_end = NOW + 1;
	r.state = 'M';
	CHECK_INT(run1(&c, &r, &s, &l), 0);
	action_list_free(&l);
	/* silence_end unknown (0) never ends by itself. */
	s.silence_end = 0;
	CHECK_INT(run1(&c, &r, &s, &l), 0);
	action_list_free(&l);
	/* Same raise still U under a silence: nothing either. */
	s.silence_end = NOW + 1;
	r.state = 'U';
	CHECK_INT(run1(&c, &r, &s, &l), 0);
	action_list_free(&l);
	s.silence_id = NULL;
	sync_done(&s);
}

/* ---- U re-raised, RESOLVED or SILENCED: FIRE "re-raised" ---- */
TEST(t_reraise_by_event_time)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;
	const struct alert	*a;

	cfg_init(&c);
	row_init(&r, 'U');
	sync_init(&s, &c, &r, SS_RESOLVED, NOW - 3000);
	s.zmc_state = 'A';
	r.event_time = NOW - 60;	/* same event id, newer time */
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_FIRE, SS_FIRING, "re-raised");
	a = act_alert(&l);
	CHECK(a == NULL || a->starts_at == NOW - 60);
	CHECK(a == NULL || a->ends_at == NOW + 600);
	CHECK_STR(label_of(a, "alarm_id"), "4242");
	action_list_free(&l);
	/* From SILENCED too. */
	s.status = SS_SILENCED;
	s.silence_end = NOW + 3600;
	s.silence_id = "5e1a-0005";
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_FIRE, SS_FIRING, "re-raised");
	action_list_free(&l);
	/* An older or equal time is no re-raise. */
	r.event_time = s.event_time;
	s.status = SS_RESOLVED;
	CHECK_INT(run1(&c, &r, &s, &l), 0);
	action_list_free(&l);
	s.silence_id = NULL;
	sync_done(&s);
}

TEST(t_reraise_by_event_id)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;

	cfg_init(&c);
	row_init(&r, 'U');
	sync_init(&s, &c, &r, SS_RESOLVED, NOW - 3000);
	s.zmc_state = 'C';
	r.event_id = 901;		/* same time, new event */
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_FIRE, SS_FIRING, "re-raised");
	action_list_free(&l);
	/* A NULL event id (0) is no evidence. */
	r.event_id = 0;
	CHECK_INT(run1(&c, &r, &s, &l), 0);
	action_list_free(&l);
	sync_done(&s);
}

TEST(t_reraise_outside_window_nothing)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;

	cfg_init(&c);
	row_init(&r, 'U');
	r.event_time = NOW - 30 * 3600;
	sync_init(&s, &c, &r, SS_RESOLVED, NOW - 40 * 3600);
	s.event_time = NOW - 35 * 3600;
	s.zmc_state = 'A';
	r.event_id = 901;
	CHECK_INT(run1(&c, &r, &s, &l), 0);
	action_list_free(&l);
	sync_done(&s);
}

/* ---- U, RESOLVED while ZMC still said U: FIRE "back" ---- */
TEST(t_back_after_gone_or_filtered)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;

	cfg_init(&c);
	row_init(&r, 'U');
	sync_init(&s, &c, &r, SS_RESOLVED, NOW - 300);
	s.zmc_state = 'U';
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_FIRE, SS_FIRING, "back");
	CHECK(act_alert(&l) == NULL || act_alert(&l)->starts_at == NOW - 600);
	action_list_free(&l);
	/* Resolved because ZMC cleared it: the same raise stays resolved. */
	s.zmc_state = 'A';
	CHECK_INT(run1(&c, &r, &s, &l), 0);
	action_list_free(&l);
	/* Back but outside the window: nothing. */
	s.zmc_state = 'U';
	r.event_time = NOW - 30 * 3600;
	s.event_time = r.event_time;
	CHECK_INT(run1(&c, &r, &s, &l), 0);
	action_list_free(&l);
	/* Back but still filtered: nothing. */
	r.event_time = NOW - 600;
	s.event_time = r.event_time;
	r.level = 0;
	CHECK_INT(run1(&c, &r, &s, &l), 0);
	action_list_free(&l);
	sync_done(&s);
}

/* ---- A, C or M with none (or RESOLVED): nothing ---- */
TEST(t_cleared_never_pushed_nothing)
{
	static const char states[] = "ACM";
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;
	size_t			 i;

	cfg_init(&c);
	for (i = 0; i < 3; i++) {
		row_init(&r, states[i]);
		r.state_time = NOW - 10;
		CHECK_INT(run1(&c, &r, NULL, &l), 0);
		action_list_free(&l);
		sync_init(&s, &c, &r, SS_RESOLVED, NOW - 300);
		s.zmc_state = states[i];
		CHECK_INT(run1(&c, &r, &s, &l), 0);
		action_list_free(&l);
		sync_done(&s);
	}
	/* Gone and never pushed, or gone and resolved: nothing. */
	sync_init(&s, &c, &r, SS_RESOLVED, NOW - 300);
	CHECK_INT(run1(&c, NULL, &s, &l), 0);
	action_list_free(&l);
	sync_done(&s);
}

/* ---- unknown ZMC state: no action whatever the sync status ---- */
TEST(t_unknown_state_kept)
{
	static const enum sync_status sts[] = { SS_PENDING, SS_FIRING,
	    SS_RESOLVED, SS_SILENCED };
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;
	size_t			 i;

	cfg_init(&c);
	row_init(&r, '?');
	CHECK_INT(run1(&c, &r, NULL, &l), 0);
	action_list_free(&l);
	for (i = 0; i < 4; i++) {
		sync_init(&s, &c, &r, sts[i], NOW - 3600);
		s.silence_end = NOW + 3600;
		r.event_id = 999;
		if (sts[i] == SS_FIRING) {
			/* a firing alert is kept alive, not resolved, not re-fired */
			run1(&c, &r, &s, &l);
			CHECK_ACT(l, ACT_HEARTBEAT, SS_FIRING, "heartbeat");
		} else
			CHECK_INT(run1(&c, &r, &s, &l), 0);
		action_list_free(&l);
		r.event_id = 900;
		sync_done(&s);
	}
	/* and not before its heartbeat is due */
	sync_init(&s, &c, &r, SS_FIRING, NOW - 30);
	CHECK_INT(run1(&c, &r, &s, &l), 0);
	action_list_free(&l);
	sync_done(&s);
}

TEST(t_many_pairs_in_order)
{
	struct config		 c;
	struct zmc_row		 r[3];
	struct sync_row		 s[3];
	struct pair		 p[5];
	struct action_list	 l = { 0 };

	cfg_init(&c);
	row_init(&r[0], 'U');
	r[0].alarm_id = 1;
	row_init(&r[1], 'U');
	r[1].alarm_id = 2;
	sync_init(&s[1], &c, &r[1], SS_FIRING, NOW - 10);	/* nothing */
	row_init(&r[2], 'A');
	r[2].alarm_id = 3;
	sync_init(&s[2], &c, &r[2], SS_FIRING, NOW - 10);
	sync_init(&s[0], &c, &r[0], SS_FIRING, NOW - 10);
	s[0].alarm_id = 4;					/* gone */
	p[0] = (struct pair){ &r[0], NULL };
	p[1] = (struct pair){ &r[1], &s[1] };
	p[2] = (struct pair){ NULL, NULL };			/* ignored */
	p[3] = (struct pair){ &r[2], &s[2] };
	p[4] = (struct pair){ NULL, &s[0] };
	reconcile(&c, NULL, 0, p, 5, NOW, NULL, &l);
	CHECK_INT(l.n, 3);
	if (l.n == 3) {
		CHECK_INT(l.v[0].alarm_id, 1);
		CHECK_INT(l.v[0].kind, ACT_FIRE);
		CHECK_INT(l.v[1].alarm_id, 3);
		CHECK_INT(l.v[1].kind, ACT_RESOLVE);
		CHECK_INT(l.v[2].alarm_id, 4);
		CHECK_INT(l.v[2].kind, ACT_RESOLVE);
		CHECK_STR(l.v[2].reason, "gone");
	}
	/* Appends to what is there. */
	reconcile(&c, NULL, 0, p, 1, NOW, NULL, &l);
	CHECK_INT(l.n, 4);
	action_list_free(&l);
	sync_done(&s[0]);
	sync_done(&s[1]);
	sync_done(&s[2]);
}

TEST(t_mapping_change_relabels)
{
	static const char *const names[] = { "RACK" };
	char			*vals[] = { "R2" };
	struct label_map	 maps[] = { { "RACK", "rack", 0 } };
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct pair		 p;
	struct action_list	 l = { 0 };

	cfg_init(&c);
	row_init(&r, 'U');
	r.names = names;
	r.vals = vals;
	r.ncols = 1;
	sync_init(&s, &c, &r, SS_FIRING, NOW - 10);	/* pushed without the mapping */
	p.row = &r;
	p.sync = &s;
	reconcile(&c, maps, 1, &p, 1, NOW, NULL, &l);
	CHECK_ACT(l, ACT_RELABEL, SS_FIRING, "labels changed");
	CHECK_STR(label_of(act_alert(&l), "rack"), "R2");
	CHECK(l.n != 1 || label_of(l.v[0].old_alert, "rack") == NULL);
	action_list_free(&l);
	sync_done(&s);
}

TEST(t_action_names)
{
	static const char *const names[] = { "fire", "heartbeat", "relabel",
	    "resolve", "silence", "expire_silence", "silence_ended" };
	static const char *const ops[] = { "PUSH_FIRING", "HEARTBEAT",
	    "RELABEL", "PUSH_RESOLVED", "SILENCE", "EXPIRE_SILENCE",
	    "SILENCE_ENDED" };
	int	 k;

	CHECK_INT(ACT__COUNT, 7);
	for (k = 0; k < ACT__COUNT; k++) {
		CHECK_STR(action_name((enum action_kind)k), names[k]);
		CHECK_STR(action_operation((enum action_kind)k), ops[k]);
	}
	CHECK_STR(action_name(ACT__COUNT), "unknown");
	CHECK_STR(action_operation(ACT__COUNT), "UNKNOWN");
}

/*
 * ---- record_result: what each outcome leaves in the tables ----
 * One row per (status before, ZMC state, outcome): the action reconcile
 * picks, then the status row and log row written after success or failure.
 */
struct rec_case {
	const char	*name;
	int		 before;	/* enum sync_status; SS_NONE: no row */
	char		 state;		/* ZMC state now; 0: gone from the view */
	int		 hb_old;	/* last push this long ago */
	int		 new_event;	/* the view shows another event id */
	int		 ok;		/* outcome */
	const char	*sil;		/* outcome's silence id */
	/* expected */
	int		 kind;		/* enum action_kind */
	int		 exists, failed, status, pushed, touch, logged;
	const char	*log_new;	/* log row NEW_STATUS */
	int		 sil_kept;	/* 1: status row keeps / gets a silence id */
	int		 labels;	/* 1: the label set is stored */
};

static const struct rec_case rec_cases[] = {
	{ "new fired", SS_NONE, 'U', 0, 0, 1, NULL,
	    ACT_FIRE, 0, 0, SS_FIRING, 1, 0, 1, "FIRING", 0, 1 },
	{ "new failed: PENDING row", SS_NONE, 'U', 0, 0, 0, NULL,
	    ACT_FIRE, 0, 1, SS_PENDING, 0, 0, 1, "PENDING", 0, 1 },
	{ "pending retried", SS_PENDING, 'U', 0, 0, 1, NULL,
	    ACT_FIRE, 1, 0, SS_FIRING, 1, 0, 1, "FIRING", 0, 1 },
	{ "pending failed again", SS_PENDING, 'U', 0, 0, 0, NULL,
	    ACT_FIRE, 1, 1, SS_PENDING, 0, 0, 1, "PENDING", 0, 1 },
	{ "heartbeat: bulk touch, logged per request", SS_FIRING, 'U', 500, 0, 1, NULL,
	    ACT_HEARTBEAT, 1, 0, SS_FIRING, 1, 1, 0, NULL, 0, 1 },
	{ "heartbeat with a new event: full update", SS_FIRING, 'U', 500, 1, 1, NULL,
	    ACT_HEARTBEAT, 1, 0, SS_FIRING, 1, 0, 0, NULL, 0, 1 },
	{ "heartbeat failed: error kept on the row", SS_FIRING, 'U', 500, 0, 0, NULL,
	    ACT_HEARTBEAT, 1, 1, SS_FIRING, 0, 0, 1, "FIRING", 0, 1 },
	{ "auto-recovered", SS_FIRING, 'A', 30, 0, 1, NULL,
	    ACT_RESOLVE, 1, 0, SS_RESOLVED, 1, 0, 1, "RESOLVED", 0, 0 },
	{ "resolve failed: stays FIRING", SS_FIRING, 'C', 30, 0, 0, NULL,
	    ACT_RESOLVE, 1, 1, SS_FIRING, 0, 0, 1, "FIRING", 0, 0 },
	{ "masked: silence id from the outcome", SS_FIRING, 'M', 30, 0, 1, "sil-1",
	    ACT_SILENCE, 1, 0, SS_SILENCED, 1, 0, 1, "SILENCED", 1, 0 },
	{ "masked, silence failed: stays FIRING", SS_FIRING, 'M', 30, 0, 0, NULL,
	    ACT_SILENCE, 1, 1, SS_FIRING, 0, 0, 1, "FIRING", 0, 0 },
	{ "silenced then confirmed: expired", SS_SILENCED, 'C', 30, 0, 1, NULL,
	    ACT_EXPIRE_SILENCE, 1, 0, SS_RESOLVED, 0, 0, 1, "RESOLVED", 0, 0 },
	{ "expire failed: stays SILENCED", SS_SILENCED, 'A', 30, 0, 0, NULL,
	    ACT_EXPIRE_SILENCE, 1, 1, SS_SILENCED, 0, 0, 1, "SILENCED", 1, 0 },
	{ "silenced, gone from the view: expired", SS_SILENCED, 0, 30, 0, 1, NULL,
	    ACT_EXPIRE_SILENCE, 1, 0, SS_RESOLVED, 0, 0, 1, "RESOLVED", 0, 0 },
	{ "firing, gone from the view", SS_FIRING, 0, 30, 0, 1, NULL,
	    ACT_RESOLVE, 1, 0, SS_RESOLVED, 1, 0, 1, "RESOLVED", 0, 0 },
	{ "re-raised after resolve", SS_RESOLVED, 'U', 30, 1, 1, NULL,
	    ACT_FIRE, 1, 0, SS_FIRING, 1, 0, 1, "FIRING", 0, 1 },
};

/*
 * A resolve some member missed (deferred): RESOLVE and RELABEL leave the
 * row as it was, with the reason, so they are done again; SILENCE keeps
 * its silence (SILENCED) with the reason and the firing push time.
 */
TEST(t_record_deferred)
{
	static const struct {
		const char	*name;
		char		 state;
		int		 relabel;
		enum action_kind kind;
		int		 failed;
		enum sync_status status;
		int		 silence;
	} rows[] = {
		{ "resolve", 'A', 0, ACT_RESOLVE, 1, SS_FIRING, 0 },
		{ "relabel", 'U', 1, ACT_RELABEL, 1, SS_FIRING, 0 },
		{ "silence", 'M', 0, ACT_SILENCE, 0, SS_SILENCED, 1 },
	};
	struct config		 c;
	size_t			 i;

	cfg_init(&c);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct zmc_row		 r;
		struct sync_row		 s;
		struct action_list	 l;
		struct outcome		 o;
		struct sync_update	 u;
		struct sync_log		 lg;

		row_init(&r, 'U');
		sync_init(&s, &c, &r, SS_FIRING, NOW - 30);
		r.state = rows[i].state;
		if (rows[i].relabel)
			r.host_ip = "10.9.9.9";
		run1(&c, &r, &s, &l);
		CHECK_INT(l.n, 1);
		if (l.n != 1) {
			action_list_free(&l);
			sync_done(&s);
			continue;
		}
		memset(&o, 0, sizeof(o));
		o.ok = 1;
		o.deferred = 1;
		o.error = "alertmanager http://b: connection refused (resolve "
		    "taken by 2 of 3 members)";
		o.silence_id = rows[i].silence ? "sil-1" : NULL;
		o.silence_end = rows[i].silence ? NOW + 86400 : 0;
		o.code = 200;
		CHECK_INT(record_result(&l.v[0], &o, NOW, "B1", &u, &lg), 1);
		if (u.failed != rows[i].failed || u.status != rows[i].status)
			fprintf(stderr, "case %s\n", rows[i].name);
		CHECK_INT(l.v[0].kind, rows[i].kind);
		CHECK_INT(u.failed, rows[i].failed);
		CHECK_INT(u.status, u.failed ? SS_FIRING : rows[i].status);
		CHECK_STR(u.error, o.error);
		CHECK_STR(lg.error, o.error);
		CHECK_INT(u.last_push, 0);	/* the firing lease is kept */
		CHECK_INT(u.touch, 0);
		CHECK_INT(u.silence_id != NULL, rows[i].silence);
		action_list_free(&l);
		sync_done(&s);
	}
}

TEST(t_record_table)
{
	struct config		 c;
	size_t			 i;

	cfg_init(&c);
	for (i = 0; i < sizeof(rec_cases) / sizeof(rec_cases[0]); i++) {
		const struct rec_case *k = &rec_cases[i];
		struct zmc_row		 r;
		struct sync_row		 s;
		struct action_list	 l;
		struct outcome		 o;
		struct sync_update	 u;
		struct sync_log		 lg;
		const struct action	*a;
		int			 logged;

		row_init(&r, k->state ? k->state : 'U');
		sync_init(&s, &c, &r, k->before ? k->before : SS_FIRING,
		    NOW - k->hb_old);
		if (k->before == SS_SILENCED) {
			s.silence_id = "sil-0";
			s.silence_end = NOW + 3600;
		}
		if (k->before == SS_RESOLVED)
			s.zmc_state = 'A';
		if (k->new_event) {
			r.event_id = 901;
			r.event_time = NOW - 60;
		}
		run1(&c, k->state ? &r : NULL, k->before ? &s : NULL, &l);
		if (l.n != 1) {
			fprintf(stderr, "case %s: %zu actions\n", k->name, l.n);
			CHECK_INT(l.n, 1);
			action_list_free(&l);
			sync_done(&s);
			continue;
		}
		a = &l.v[0];
		memset(&o, 0, sizeof(o));
		o.ok = k->ok;
		o.error = k->ok ? NULL : "alertmanager http://am: 503";
		o.silence_id = k->sil;
		o.silence_end = k->sil ? NOW + 86400 : 0;
		o.url = "http://am/api/v2/alerts";
		o.method = "POST";
		o.code = k->ok ? 200 : 503;
		logged = record_result(a, &o, NOW, "B1", &u, &lg);
#define RC(cond) do { if (!(cond)) fprintf(stderr, "case %s: %s\n", k->name, #cond); CHECK(cond); } while (0)
		RC(a->kind == (enum action_kind)k->kind);
		RC(u.alarm_id == 4242);
		RC(u.exists == k->exists);
		RC(u.failed == !k->ok);
		RC(u.failed == k->failed);
		RC((int)u.status == k->status);
		RC(u.pushed == k->pushed);
		RC(u.touch == k->touch);
		RC(logged == k->logged);
		RC((u.error != NULL) == !k->ok);
		RC((u.labels != NULL) == k->labels);
		if (k->ok)
			RC((u.silence_id != NULL) == k->sil_kept);
		if (k->sil != NULL && k->ok)
			RC(u.silence_id != NULL && strcmp(u.silence_id, k->sil) == 0);
		if (logged) {
			RC(lg.operation != NULL &&
			    strcmp(lg.operation, action_operation(a->kind)) == 0);
			RC(lg.new_status != NULL && strcmp(lg.new_status, k->log_new) == 0);
			RC(lg.alarm_id == 4242);
			RC(lg.batch_id != NULL && strcmp(lg.batch_id, "B1") == 0);
			RC((lg.error != NULL) == !k->ok);
			RC(lg.old_status != NULL || k->before == SS_NONE);
			RC(lg.response_code == o.code);
		}
		if (k->new_event && k->ok && a->kind != ACT_RESOLVE)
			RC(u.event_id == 901);
#undef RC
		action_list_free(&l);
		sync_done(&s);
	}
}

/* ---- M, SILENCED, silence lost in Alertmanager: SILENCE "silence lost" ---- */
TEST(t_silence_lost_restored)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;
	struct pair		 p;
	const char		*other[] = { "a-other" }, *mine[] = { "a-other", "sil-9" };
	struct silence_set	 none_set = { other, 1 }, present_set = { mine, 2 };
	struct am_view		 none = { &none_set, 0, 0 }, present = { &present_set, 0, 0 };

	cfg_init(&c);
	row_init(&r, 'M');
	sync_init(&s, &c, &r, SS_SILENCED, NOW - 300);
	s.silence_id = "sil-9";
	s.silence_end = NOW + 3600;
	p.row = &r;
	p.sync = &s;
	/* present, or not known this run: nothing */
	memset(&l, 0, sizeof(l));
	reconcile(&c, NULL, 0, &p, 1, NOW, &present, &l);
	CHECK_INT(l.n, 0);
	reconcile(&c, NULL, 0, &p, 1, NOW, NULL, &l);
	CHECK_INT(l.n, 0);
	/* gone from Alertmanager: created again, the row stays SILENCED */
	reconcile(&c, NULL, 0, &p, 1, NOW, &none, &l);
	CHECK_ACT(l, ACT_SILENCE, SS_SILENCED, "silence lost");
	CHECK_STR(label_of(act_alert(&l), "alarm_id"), "4242");
	action_list_free(&l);
	/* its end passed: it ends, whatever Alertmanager says */
	s.silence_end = NOW - 1;
	memset(&l, 0, sizeof(l));
	reconcile(&c, NULL, 0, &p, 1, NOW, &none, &l);
	CHECK_ACT(l, ACT_SILENCE_ENDED, SS_RESOLVED, "silence ended");
	action_list_free(&l);
	/* the silence API off: nothing to restore */
	s.silence_end = NOW + 3600;
	c.silence_use_api = 0;
	memset(&l, 0, sizeof(l));
	reconcile(&c, NULL, 0, &p, 1, NOW, &none, &l);
	CHECK_INT(l.n, 0);
	sync_done(&s);
}

/* ---- FIRING, a member started after the last push: pushed again ---- */
TEST(t_am_restarted_repush)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;
	struct pair		 p;
	struct am_view		 before = { NULL, NOW - 600, 0 }, after = { NULL, NOW - 10, 0 };

	cfg_init(&c);
	row_init(&r, 'U');
	sync_init(&s, &c, &r, SS_FIRING, NOW - 30);
	p.row = &r;
	p.sync = &s;
	memset(&l, 0, sizeof(l));
	reconcile(&c, NULL, 0, &p, 1, NOW, &before, &l);
	CHECK_INT(l.n, 0);
	reconcile(&c, NULL, 0, &p, 1, NOW, &after, &l);
	CHECK_ACT(l, ACT_HEARTBEAT, SS_FIRING, "heartbeat");
	action_list_free(&l);
	sync_done(&s);
}

/* ---- the orphan sweep: ours, active, no row stands for it ---- */
TEST(t_orphan_silences)
{
	const char		*keep[] = { "k1", "k2" };
	struct silence_set	 kept = { keep, 2 };
	struct live_silence	 lv[] = {
		{ "k1", "11", "zmc" },		/* a SILENCED row's: kept */
		{ "o1", "12", "zmc" },		/* nobody's: expired */
		{ "o2", "11", "zmc" },		/* a duplicate for alarm 11: expired */
		{ "x1", "13", "zmc-east" },	/* another deployment's: untouched */
		{ "x2", NULL, NULL },		/* old matchers, no source: untouched */
		{ "k2", "14", "zmc" },
	};
	int			 ex[6];

	CHECK_INT(reconcile_orphans(lv, 6, "zmc", &kept, ex), 2);
	CHECK_INT(ex[0], 0);
	CHECK_INT(ex[1], 1);
	CHECK_INT(ex[2], 1);
	CHECK_INT(ex[3], 0);
	CHECK_INT(ex[4], 0);
	CHECK_INT(ex[5], 0);
	CHECK(silence_set_has(&kept, "k2"));
	CHECK(!silence_set_has(&kept, "k3"));
	CHECK(silence_set_has(NULL, "anything"));
}

/* Actions outlive the page they were decided from, and gather across pages. */
TEST(t_actions_outlive_pages)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l = { 0 }, all = { 0 };
	struct pair		 p;
	const char		*names[] = { "OPERATOR" };
	char			*vals[] = { "张三" }, reason[] = "计划内维护";

	cfg_init(&c);
	row_init(&r, 'M');
	r.clear_reason = reason;
	r.names = names;
	r.vals = vals;
	r.ncols = 1;
	sync_init(&s, &c, &r, SS_FIRING, NOW - 30);
	p.row = &r;
	p.sync = &s;
	reconcile(&c, NULL, 0, &p, 1, NOW, NULL, &l);
	CHECK_ACT(l, ACT_SILENCE, SS_SILENCED, "state M");
	/* the page goes away */
	memset(reason, 'x', sizeof(reason) - 1);
	vals[0] = "someone else";
	sync_done(&s);
	memset(&s, 0, sizeof(s));
	if (l.n == 1) {
		CHECK_STR(l.v[0].row->clear_reason, "计划内维护");
		CHECK_STR(zmc_row_field(l.v[0].row, "operator"), "张三");
		CHECK(l.v[0].sync->status == SS_FIRING);
		CHECK(l.v[0].sync->labels != NULL);
	}
	CHECK_INT(action_list_alerts(&l), 1);
	action_list_move(&all, &l);
	CHECK_INT(l.n, 0);
	CHECK_INT(all.n, 1);
	row_init(&r, 'U');
	p.sync = NULL;
	reconcile(&c, NULL, 0, &p, 1, NOW, NULL, &l);
	action_list_move(&all, &l);
	CHECK_INT(all.n, 2);
	CHECK_INT(action_list_alerts(&all), 2);
	action_list_free(&all);
}

/* The times an alert carries are in Alertmanager's clock, decisions in ours. */
TEST(t_clock_skew)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;
	struct pair		 p;
	struct am_view		 behind = { NULL, 0, -3600 };

	cfg_init(&c);
	row_init(&r, 'U');
	p.row = &r;
	p.sync = NULL;
	memset(&l, 0, sizeof(l));
	/* our clock is an hour ahead of Alertmanager's */
	reconcile(&c, NULL, 0, &p, 1, NOW, &behind, &l);
	CHECK_ACT(l, ACT_FIRE, SS_FIRING, "new");
	CHECK(act_alert(&l) == NULL || act_alert(&l)->ends_at == NOW - 3600 + 600);
	action_list_free(&l);
	/* a gone alarm's resolve ends at Alertmanager's now, not in its future */
	sync_init(&s, &c, &r, SS_FIRING, NOW - 30);
	p.row = NULL;
	p.sync = &s;
	reconcile(&c, NULL, 0, &p, 1, NOW, &behind, &l);
	CHECK_ACT(l, ACT_RESOLVE, SS_RESOLVED, "gone");
	CHECK(act_alert(&l) == NULL || act_alert(&l)->ends_at == NOW - 3600);
	action_list_free(&l);
	/* a heartbeat is still due by our own clock */
	p.row = &r;
	sync_done(&s);
	sync_init(&s, &c, &r, SS_FIRING, NOW - 30);
	reconcile(&c, NULL, 0, &p, 1, NOW, &behind, &l);
	CHECK_INT(l.n, 0);
	action_list_free(&l);
	sync_done(&s);
}

/* A re-raise is preceded by a PENDING row carrying its labels, like a first push. */
TEST(t_reraise_intent)
{
	struct config		 c;
	struct zmc_row		 r;
	struct sync_row		 s;
	struct action_list	 l;
	struct sync_update	 u;
	struct sync_log		 lg;
	struct outcome		 o;

	cfg_init(&c);
	row_init(&r, 'U');
	sync_init(&s, &c, &r, SS_SILENCED, NOW - 3600);
	s.silence_id = "sil-1";
	s.silence_end = NOW + 3600;
	r.event_id = 901;
	r.event_time = NOW - 60;
	run1(&c, &r, &s, &l);
	CHECK_ACT(l, ACT_FIRE, SS_FIRING, "re-raised");
	if (l.n == 1) {
		CHECK_INT(record_intent(&l.v[0], &u), 1);
		CHECK_INT(u.exists, 1);
		CHECK_INT(u.status, SS_PENDING);
		CHECK(u.silence_id == NULL);
		CHECK(u.labels != NULL);
		CHECK_INT(u.event_id, 901);
		l.v[0].intent = 1;
		memset(&o, 0, sizeof(o));
		o.ok = 1;
		record_result(&l.v[0], &o, NOW, "B", &u, &lg);
		CHECK_INT(u.touch, 1);		/* the intent holds the rest */
		CHECK_INT(u.status, SS_FIRING);
		o.ok = 0;
		o.error = "alertmanager: 503";
		record_result(&l.v[0], &o, NOW, "B", &u, &lg);
		CHECK_INT(u.failed, 1);
		CHECK_INT(u.exists, 1);
		CHECK_STR(lg.new_status, "PENDING");	/* what the row now says */
	}
	action_list_free(&l);
	/* a heartbeat needs no intent */
	sync_done(&s);
	sync_init(&s, &c, &r, SS_FIRING, NOW - 500);
	run1(&c, &r, &s, &l);
	CHECK(l.n != 1 || record_intent(&l.v[0], &u) == 0);
	action_list_free(&l);
	sync_done(&s);
}

int
main(void)
{
	RUN(t_new_fires);
	RUN(t_new_outside_window_nothing);
	RUN(t_new_not_passing_nothing);
	RUN(t_pending_retry);
	RUN(t_heartbeat_due);
	RUN(t_heartbeat_spread);
	RUN(t_record_table);
	RUN(t_record_deferred);
	RUN(t_reraise_intent);
	RUN(t_clock_skew);
	RUN(t_actions_outlive_pages);
	RUN(t_silence_lost_restored);
	RUN(t_orphan_silences);
	RUN(t_am_restarted_repush);
	RUN(t_heartbeat_not_yet_due);
	RUN(t_heartbeat_last_push_zero_or_future);
	RUN(t_relabel);
	RUN(t_resolve_every_member);
	RUN(t_resend_window);
	RUN(t_relabel_same_set_other_spacing);
	RUN(t_relabel_unknown_labels_is_heartbeat);
	RUN(t_resolve_state_a);
	RUN(t_resolve_state_c_pending);
	RUN(t_resolve_state_time_future_or_unset);
	RUN(t_resolve_starts_never_after_ends);
	RUN(t_silence_state_m);
	RUN(t_silence_api_off_resolves);
	RUN(t_gone_firing);
	RUN(t_gone_pending);
	RUN(t_filtered_level_change);
	RUN(t_severity_filter);
	RUN(t_silenced_cleared_expire);
	RUN(t_silenced_auto_remove_off);
	RUN(t_silenced_gone);
	RUN(t_silence_end_passed);
	RUN(t_silenced_still_m_nothing);
	RUN(t_reraise_by_event_time);
	RUN(t_reraise_by_event_id);
	RUN(t_reraise_outside_window_nothing);
	RUN(t_back_after_gone_or_filtered);
	RUN(t_cleared_never_pushed_nothing);
	RUN(t_unknown_state_kept);
	RUN(t_many_pairs_in_order);
	RUN(t_mapping_change_relabels);
	RUN(t_action_names);
	return DONE();
}
