/*
 * am_silence: silences on the cluster (see alertmanager.h).  A silence
 * is created on the first member that answers (the cluster gossips it),
 * after looking for the same silence of ours, which a POST whose answer
 * was lost may have created.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json.h>

#include "alert.h"
#include "alertmanager.h"
#include "am_internal.h"
#include "util.h"

/*
 * Query string "?filter=...&filter=..." narrowing the silence list to
 * those with our matcher values (the server matches by label, not by
 * matcher set or author, so the client filters again).  Caller frees.
 */
static char *
silence_filter(struct member *m, const struct label *ms, size_t n)
{
	return am_filter_path(m, "/api/v2/silences", ms, n);
}

/* 1 if silence o has an equality, non-regex matcher name=value. */
static int
silence_has(struct json_object *ms, const char *name, const char *value)
{
	size_t n = json_object_array_length(ms);

	for (size_t i = 0; i < n; i++) {
		struct json_object *x = json_object_array_get_idx(ms, i), *v;
		const char *nm = am_jstr(x, "name"), *vl = am_jstr(x, "value");
		int regex = 0, equal = 1;

		if (nm == NULL || vl == NULL)
			continue;
		if (json_object_object_get_ex(x, "isRegex", &v))
			regex = json_object_get_boolean(v);
		/* isEqual is absent before Alertmanager 0.22: it meant equal */
		if (json_object_object_get_ex(x, "isEqual", &v))
			equal = json_object_get_boolean(v);
		if (!regex && equal && strcmp(nm, name) == 0 &&
		    strcmp(vl, value) == 0)
			return 1;
	}
	return 0;
}

/* 1 if gettable silence o was created by zmcsync. */
static int
silence_ours(struct json_object *o)
{
	const char *by = am_jstr(o, "createdBy");

	return by != NULL && strcmp(by, AM_CREATED_BY) == 0;
}

/*
 * 1 if o is our active or pending silence whose matchers are exactly ms
 * as a set (all equality, none regex).
 */
static int
silence_same(struct json_object *o, const struct label *ms, size_t n)
{
	struct json_object *jm;
	const char *st = am_jstate(o);
	size_t jn;

	if (!silence_ours(o) || (strcmp(st, "active") != 0 &&
	    strcmp(st, "pending") != 0))
		return 0;
	if (am_jstr(o, "id") == NULL ||
	    !json_object_object_get_ex(o, "matchers", &jm) ||
	    !json_object_is_type(jm, json_type_array))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!silence_has(jm, ms[i].name, ms[i].value))
			return 0;
	/* and every one of theirs is one of ours */
	jn = json_object_array_length(jm);
	for (size_t i = 0; i < jn; i++) {
		struct json_object *x = json_object_array_get_idx(jm, i);
		const char *nm = am_jstr(x, "name"), *vl = am_jstr(x, "value");
		size_t j;

		for (j = 0; j < n; j++)
			if (nm != NULL && vl != NULL &&
			    strcmp(nm, ms[j].name) == 0 &&
			    strcmp(vl, ms[j].value) == 0)
				break;
		if (j == n)
			return 0;
	}
	return 1;
}

/* POST a new silence to m; 0 with *id, else -1 with *err. */
static int
silence_post(struct am *am, struct member *m, const struct label *ms,
    size_t n, time_t starts, time_t ends, const char *comment, char **id,
    char **err, struct resp *r)
{
	struct json_object *o, *jm, *ans;
	char t[32];
	const char *sid;
	int rv = -1;

	o = json_object_new_object();
	jm = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		struct json_object *x = json_object_new_object();

		json_object_object_add(x, "name", json_object_new_string(ms[i].name));
		json_object_object_add(x, "value", json_object_new_string(ms[i].value));
		json_object_object_add(x, "isRegex", json_object_new_boolean(0));
		json_object_object_add(x, "isEqual", json_object_new_boolean(1));
		json_object_array_add(jm, x);
	}
	json_object_object_add(o, "matchers", jm);
	json_object_object_add(o, "startsAt",
	    json_object_new_string(time_rfc3339(starts, t)));
	json_object_object_add(o, "endsAt",
	    json_object_new_string(time_rfc3339(ends, t)));
	json_object_object_add(o, "createdBy", json_object_new_string(AM_CREATED_BY));
	json_object_object_add(o, "comment",
	    json_object_new_string(am_nz(comment)));
	/* One attempt: the caller looks for the silence before any other. */
	http_post_once(am, m, "/api/v2/silences",
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE), r);
	json_object_put(o);
	if (!resp_ok(r)) {
		am_set_err(err, http_error(m, r));
		return -1;
	}
	if ((ans = resp_json(m, r, json_type_object, err)) == NULL)
		return -1;
	if ((sid = am_jstr(ans, "silenceID")) == NULL || *sid == '\0')
		am_set_err(err, xasprintf("alertmanager %s: no silenceID in "
		    "response", m->url));
	else {
		*id = xstrdup(sid);
		rv = 0;
	}
	json_object_put(ans);
	return rv;
}

/*
 * Looks on m for our active silence with exactly matchers; 1 found (*id
 * set), 0 none, -1 m not readable (*err).
 */
static int
silence_find(struct am *am, struct member *m, const struct label *matchers,
    size_t n, char **id, char **err)
{
	struct json_object *arr;
	char *path;
	size_t len, i;
	long code;
	int found = 0;

	path = silence_filter(m, matchers, n);
	arr = http_get_json(am, m, path, json_type_array, &code, err);
	free(path);
	if (arr == NULL && code == 400)
		/* a server that cannot parse our filter: list everything */
		arr = http_get_json(am, m, "/api/v2/silences", json_type_array,
		    NULL, err);
	if (arr == NULL)
		return -1;
	len = json_object_array_length(arr);
	for (i = 0; i < len && !found; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);

		if (silence_same(o, matchers, n)) {
			*id = xstrdup(am_jstr(o, "id"));
			found = 1;
		}
	}
	json_object_put(arr);
	return found;
}

int
am_silence_create(struct am *am, const struct label *matchers, size_t n,
    time_t starts, time_t ends, const char *comment, char **id, char **err)
{
	*id = NULL;
	*err = NULL;
	if (n == 0) {
		*err = xstrdup("alertmanager: silence without matchers");
		return -1;
	}
	for (size_t k = 0; k < am->membersz; k++) {
		struct member *m = &am->members[k];
		long wait = am->retry_interval;
		struct resp r;
		int i, f, retry;

		/*
		 * Every attempt first looks for the silence: a POST whose
		 * answer was lost may have created it.
		 */
		for (i = 0; ; i++) {
			if ((f = silence_find(am, m, matchers, n, id, err)) < 0)
				break;	/* next member */
			if (f == 1 || silence_post(am, m, matchers, n, starts,
			    ends, comment, id, err, &r) == 0) {
				if (f == 0)
					resp_clear(&r);
				free(*err);
				*err = NULL;
				return 0;
			}
			retry = resp_unreachable(&r);
			resp_clear(&r);
			if (!retry || i >= am->retry_count ||
			    http_backoff(am, wait, &wait) == -1)
				break;
		}
	}
	return -1;
}

int
am_silence_expire(struct am *am, const char *id, char **err)
{
	*err = NULL;
	for (size_t k = 0; k < am->membersz; k++) {
		struct member *m = &am->members[k];
		struct resp r;
		char *e, *path;

		e = am_url_escape(m, id);
		path = xasprintf("/api/v2/silence/%s", e);
		free(e);
		http_request(am, m, "DELETE", path, NULL, 0, &r);
		free(path);
		if (resp_ok(&r) || resp_expire_done(&r)) {
			resp_clear(&r);
			free(*err);
			*err = NULL;
			return 0;
		}
		am_set_err(err, http_error(m, &r));
		if (!resp_unreachable(&r)) {
			/* a definite refusal: another member would say the same */
			resp_clear(&r);
			return -1;
		}
		resp_clear(&r);
	}
	return -1;
}

struct json_object *
am_silences(struct am *am, char **err)
{
	*err = NULL;
	for (size_t k = 0; k < am->membersz; k++) {
		struct member *m = &am->members[k];
		struct json_object *arr, *out;
		size_t len;

		arr = http_get_json(am, m, "/api/v2/silences", json_type_array,
		    NULL, err);
		if (arr == NULL)
			continue;
		out = json_object_new_array();
		len = json_object_array_length(arr);
		for (size_t i = 0; i < len; i++) {
			struct json_object *o = json_object_array_get_idx(arr, i);

			if (json_object_is_type(o, json_type_object) &&
			    silence_ours(o))
				json_object_array_add(out, json_object_get(o));
		}
		json_object_put(arr);
		free(*err);
		*err = NULL;
		return out;
	}
	return NULL;
}

/* Value of the equality matcher name of gettable silence o, or NULL. */
static const char *
silence_matcher(struct json_object *o, const char *name)
{
	struct json_object *jm;
	size_t n, i;

	if (!json_object_object_get_ex(o, "matchers", &jm) ||
	    !json_object_is_type(jm, json_type_array))
		return NULL;
	n = json_object_array_length(jm);
	for (i = 0; i < n; i++) {
		struct json_object *x = json_object_array_get_idx(jm, i);
		const char *nm = am_jstr(x, "name"), *vl = am_jstr(x, "value");

		if (nm != NULL && vl != NULL && strcmp(nm, name) == 0 &&
		    silence_has(jm, nm, vl))
			return vl;
	}
	return NULL;
}

int
am_silence_list(struct am *am, struct am_silence **v, size_t *n, char **err)
{
	struct json_object *arr;
	size_t len, i, cap = 0;

	*v = NULL;
	*n = 0;
	if ((arr = am_silences(am, err)) == NULL)
		return -1;
	len = json_object_array_length(arr);
	for (i = 0; i < len; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);
		const char *id = am_jstr(o, "id"), *st = am_jstate(o);
		const char *e = am_jstr(o, "endsAt");
		struct am_silence *x;

		if (id == NULL)
			continue;
		*v = xreallocarray_grow(*v, &cap, *n + 1, sizeof(**v));
		x = &(*v)[(*n)++];
		x->id = xstrdup(id);
		x->alarm_id = xstrdup(silence_matcher(o, "alarm_id"));
		x->source = xstrdup(silence_matcher(o, "source"));
		x->active = strcmp(st, "active") == 0 || strcmp(st, "pending") == 0;
		x->ends = 0;
		if (e != NULL)
			(void)time_parse_rfc3339(e, &x->ends);
	}
	json_object_put(arr);
	return 0;
}

void
am_silence_list_free(struct am_silence *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].alarm_id);
		free(v[i].source);
	}
	free(v);
}
