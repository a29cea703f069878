/*
 * am_push: posting alerts to every member of the cluster (see am_push in
 * alertmanager.h); a batch some member refuses with 400 is split in
 * halves until the bad alert stands alone.
 */
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "alert.h"
#include "alertmanager.h"
#include "am_internal.h"
#include "util.h"

/* Per-member state of one am_push. */
struct push {
	struct am		 *am;
	struct member		 *m;
	struct json_object	**objs;		/* postable alert of each index */
	int			 *ok;		/* this member accepted alert i */
	char			**why;		/* this member's reason for alert i */
	int			  answered;	/* some request got a definite answer */
};

/*
 * Posts alerts [lo, hi) to one member; on 400 splits the range in halves
 * until single alerts, so one bad alert never blocks the others.
 */
static void
push_range(struct push *ps, size_t lo, size_t hi)
{
	struct json_object *arr;
	struct resp r;
	const char *body;

	arr = json_object_new_array_ext((int)(hi - lo));
	for (size_t i = lo; i < hi; i++)
		json_object_array_add(arr, json_object_get(ps->objs[i]));
	body = json_object_to_json_string_ext(arr,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	http_request(ps->am, ps->m, "POST", "/api/v2/alerts", body, hi - lo,
	    &r);
	json_object_put(arr);

	if (!resp_unreachable(&r))
		ps->answered = 1;
	if (resp_ok(&r)) {
		for (size_t i = lo; i < hi; i++)
			ps->ok[i] = 1;
	} else if (r.code == 400 && hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		resp_clear(&r);
		push_range(ps, lo, mid);
		push_range(ps, mid, hi);
		return;
	} else {
		if (r.code == 400)
			ps->ok[lo] = -1;	/* this alert itself was refused */
		for (size_t i = lo; i < hi; i++) {
			free(ps->why[i]);
			ps->why[i] = http_error(ps->m, &r);
		}
	}
	resp_clear(&r);
}

/*
 * Posts n alerts to every member; see alertmanager.h.  errors may be NULL;
 * otherwise every errors[i] is set (NULL for alerts every member took).  A failed
 * alert gets the reason of a member that answered (e.g. its 400 text) in
 * preference to a connection error of another member.
 */
int
am_push(struct am *am, struct alert *const *alerts, size_t n, int *accepted,
    char **errors)
{
	struct json_object **objs;
	struct push ps;
	int *rank, reached = 0, count = 0;

	for (size_t i = 0; i < n; i++) {
		accepted[i] = 0;
		if (errors != NULL)
			errors[i] = NULL;
	}
	if (n == 0)
		return 0;
	objs = xcalloc(n, sizeof(*objs));
	rank = xcalloc(n, sizeof(*rank));
	for (size_t i = 0; i < n; i++)
		objs[i] = alert_to_json(alerts[i]);

	memset(&ps, 0, sizeof(ps));
	ps.am = am;
	ps.objs = objs;
	ps.ok = xcalloc(n, sizeof(*ps.ok));
	ps.why = xcalloc(n, sizeof(*ps.why));
	for (size_t k = 0; k < am->membersz; k++) {
		ps.m = &am->members[k];
		ps.answered = 0;
		memset(ps.ok, 0, n * sizeof(*ps.ok));
		push_range(&ps, 0, n);
		if (ps.answered)
			reached = 1;
		for (size_t i = 0; i < n; i++) {
			/* rank 2: reason from a member that answered; 1: any */
			int rk = ps.answered ? 2 : 1;

			if (ps.ok[i] == 1)
				accepted[i] = accepted[i] < 0 ? 1 : accepted[i] + 1;
			else if (ps.ok[i] < 0 && accepted[i] == 0)
				accepted[i] = -1;
			if (ps.ok[i] != 1 && errors != NULL &&
			    ps.why[i] != NULL && rk > rank[i]) {
				free(errors[i]);
				errors[i] = ps.why[i];
				ps.why[i] = NULL;
				rank[i] = rk;
			}
			free(ps.why[i]);
			ps.why[i] = NULL;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (accepted[i] > 0)
			count++;
		/* A member's reason stays only while some member lacks the alert. */
		if (accepted[i] == (int)am->membersz && errors != NULL) {
			free(errors[i]);
			errors[i] = NULL;
		}
		json_object_put(objs[i]);
	}
	free(ps.ok);
	free(ps.why);
	free(objs);
	free(rank);
	return reached || count > 0 ? count : -1;
}
