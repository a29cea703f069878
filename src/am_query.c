/*
 * am_query: read-only questions to one member (see alertmanager.h):
 * when it started, whether it is healthy, its status, the alerts it
 * holds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json.h>

#include "alert.h"
#include "alertmanager.h"
#include "am_internal.h"
#include "util.h"

int
am_started(struct am *am, size_t i, time_t *out, char **err)
{
	struct json_object *st;
	struct member *m;
	const char *up;
	int rv = -1;

	*err = NULL;
	*out = 0;
	if ((m = am_member(am, i, err)) == NULL ||
	    (st = http_get_json(am, m, "/api/v2/status", json_type_object,
	    NULL, err)) == NULL)
		return -1;
	if ((up = am_jstr(st, "uptime")) != NULL &&
	    time_parse_rfc3339(up, out) == 0)
		rv = 0;
	else
		*err = xasprintf("alertmanager %s: no uptime in /api/v2/status",
		    m->url);
	json_object_put(st);
	return rv;
}

/* ---- health and status ---- */

int
am_healthy(struct am *am, size_t i, char **err)
{
	struct member *m;
	struct resp r;
	int rv = 0;

	*err = NULL;
	if ((m = am_member(am, i, err)) == NULL)
		return -1;
	http_request(am, m, "GET", "/-/healthy", NULL, 0, &r);
	if (!resp_ok(&r)) {
		*err = http_error(m, &r);
		rv = -1;
	}
	resp_clear(&r);
	return rv;
}

/*
 * Number of elements in the JSON array at path on m, counting only
 * silences in state "active" when active_only; -1 with *err on failure.
 */
static int64_t
count_at(struct am *am, struct member *m, const char *path, int active_only,
    char **err)
{
	struct json_object *arr;
	int64_t cnt = 0;
	size_t len;

	if ((arr = http_get_json(am, m, path, json_type_array, NULL,
	    err)) == NULL)
		return -1;
	len = json_object_array_length(arr);
	for (size_t i = 0; i < len; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);

		if (!active_only || strcmp(am_jstate(o), "active") == 0)
			cnt++;
	}
	json_object_put(arr);
	return cnt;
}

/*
 * Status of member i; see alertmanager.h.  An unreachable member still
 * yields an object ("healthy": false and "error"), so a listing can show
 * every member; NULL (with *err) only for an index out of range.
 */
struct json_object *
am_status(struct am *am, size_t i, char **err)
{
	struct json_object *o, *st = NULL, *v, *cl;
	struct member *m;
	char *e = NULL;
	const char *ver = NULL, *cst = NULL;
	int64_t na = -1, ns = -1;
	int healthy;

	*err = NULL;
	if ((m = am_member(am, i, err)) == NULL)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "url", json_object_new_string(m->url));

	healthy = am_healthy(am, i, &e) == 0;
	if (healthy && (st = http_get_json(am, m, "/api/v2/status",
	    json_type_object, NULL, &e)) != NULL) {
		if (json_object_object_get_ex(st, "versionInfo", &v))
			ver = am_jstr(v, "version");
		if (json_object_object_get_ex(st, "cluster", &cl))
			cst = am_jstr(cl, "status");
	}
	if (e == NULL)
		na = count_at(am, m, "/api/v2/alerts?active=true&silenced=false"
		    "&inhibited=false", 0, &e);
	if (e == NULL)
		ns = count_at(am, m, "/api/v2/silences", 1, &e);

	json_object_object_add(o, "healthy", json_object_new_boolean(healthy));
	json_object_object_add(o, "version",
	    ver != NULL ? json_object_new_string(ver) : NULL);
	json_object_object_add(o, "cluster_status",
	    cst != NULL ? json_object_new_string(cst) : NULL);
	json_object_object_add(o, "active_alerts",
	    na >= 0 ? json_object_new_int64(na) : NULL);
	json_object_object_add(o, "active_silences",
	    ns >= 0 ? json_object_new_int64(ns) : NULL);
	if (e != NULL) {
		json_object_object_add(o, "error", json_object_new_string(e));
		free(e);
	}
	json_object_put(st);
	return o;
}

/* Strings of JSON array member key of o, allocated; *n their count. */
static char **
str_array(struct json_object *o, const char *key, size_t *n)
{
	struct json_object *a;
	char **v;
	size_t i, len;

	*n = 0;
	if (o == NULL || !json_object_object_get_ex(o, key, &a) ||
	    !json_object_is_type(a, json_type_array) ||
	    (len = json_object_array_length(a)) == 0)
		return NULL;
	v = xcalloc(len, sizeof(*v));
	for (i = 0; i < len; i++) {
		struct json_object *x = json_object_array_get_idx(a, i);

		if (json_object_is_type(x, json_type_string))
			v[(*n)++] = xstrdup(json_object_get_string(x));
	}
	return v;
}

int
am_alerts_find(struct am *am, size_t i, const struct label *ms, size_t n,
    struct am_alert_info **v, size_t *vn, char **err)
{
	struct json_object *arr, *o, *st, *lb;
	struct member *m;
	struct am_alert_info *x;
	const char *t;
	char *path;
	size_t len, k, cap = 0;

	*v = NULL;
	*vn = 0;
	if ((m = am_member(am, i, err)) == NULL)
		return -1;
	path = am_filter_path(m, "/api/v2/alerts", ms, n);
	arr = http_get_json(am, m, path, json_type_array, NULL, err);
	free(path);
	if (arr == NULL)
		return -1;
	len = json_object_array_length(arr);
	for (k = 0; k < len; k++) {
		o = json_object_array_get_idx(arr, k);
		*v = xreallocarray_grow(*v, &cap, *vn + 1, sizeof(**v));
		x = &(*v)[(*vn)++];
		memset(x, 0, sizeof(*x));
		x->fingerprint = xstrdup(am_jstr(o, "fingerprint"));
		st = NULL;
		(void)json_object_object_get_ex(o, "status", &st);
		x->state = xstrdup((t = am_jstr(st, "state")) != NULL ? t :
		    "unknown");
		x->silenced_by = str_array(st, "silencedBy", &x->nsilenced);
		x->inhibited_by = str_array(st, "inhibitedBy", &x->ninhibited);
		if ((t = am_jstr(o, "startsAt")) != NULL)
			(void)time_parse_rfc3339(t, &x->starts);
		if ((t = am_jstr(o, "endsAt")) != NULL)
			(void)time_parse_rfc3339(t, &x->ends);
		if ((t = am_jstr(o, "updatedAt")) != NULL)
			(void)time_parse_rfc3339(t, &x->updated);
		if (json_object_object_get_ex(o, "labels", &lb) &&
		    (t = am_jstr(lb, "alarm_id")) != NULL)
			x->alarm_id = xstrdup(t);
	}
	json_object_put(arr);
	return 0;
}

void
am_alert_info_free(struct am_alert_info *v, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		free(v[i].fingerprint);
		free(v[i].state);
		free(v[i].alarm_id);
		for (j = 0; j < v[i].nsilenced; j++)
			free(v[i].silenced_by[j]);
		free(v[i].silenced_by);
		for (j = 0; j < v[i].ninhibited; j++)
			free(v[i].inhibited_by[j]);
		free(v[i].inhibited_by);
	}
	free(v);
}
