/*
 * alert: turns a ZMC row into an Alertmanager alert (SPEC 2).
 *
 * Pure: no I/O, no clock (now is a parameter), no database.  Every value
 * that leaves here is valid UTF-8 and bounded (text_to_utf8), so one bad
 * byte in DETAIL_INFO never makes Alertmanager reject a whole batch.
 *
 * Decisions where SPEC 2 is silent:
 * - alertname is ALARM_NAME, else "ZMC_<ALARM_CODE>", else "ZMC_ALARM",
 *   so an alert always has a name.
 * - Label-mapping rows (NM_ALARM_LABEL_MAPPING) are applied after the
 *   built-in labels and may replace them, except the identity labels
 *   alarm_id and alertname: those would change the alert's fingerprint
 *   behind the sync table's back.  A mapping whose column is NULL or empty
 *   adds nothing (and removes nothing).  Mapped annotations may replace
 *   any built-in annotation (an operator may want their own summary).
 * - summary is "<alertname> on <host>" (HOST_NAME, else HOST_IP), or just
 *   the alertname when the row names no host.
 * - Annotations beyond the SPEC, when present: clear_reason,
 *   total_alarm, resource_type (RES_INST_TYPE), zmc_level.
 * - generatorURL is alertmanager.generator_url with every "{alarm_id}"
 *   replaced by the alarm id; "" sends none.
 * - sync.alert_ttl <= 0 sends no endsAt on a firing alert (Alertmanager
 *   then applies its own resolve_timeout).
 * - sync.history_hours <= 0 disables the history window.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "alert.h"
#include "config.h"
#include "domain.h"
#include "labelmap.h"
#include "text.h"
#include "types.h"
#include "util.h"

/* SPEC 2 severity defaults, used when the configuration leaves a level empty. */
static const char *const severity_default[5] = {
	"warning", "critical", "error", "warning", "info"
};

const char *
alert_severity(const struct config *cfg, int level)
{
	if (level < 0 || level > 4)
		level = 0;
	if (cfg != NULL && cfg->severity[level] != NULL &&
	    cfg->severity[level][0] != '\0')
		return cfg->severity[level];
	return severity_default[level];
}

int
alert_passes_filters(const struct config *cfg, const struct zmc_row *row)
{
	const char	*sev;
	size_t		 i;
	int		 level;

	/* An unknown level is ZMC's "undefined" level 0. */
	level = row->level < 0 || row->level > 4 ? 0 : row->level;
	if (!cfg->sync_levels[level])
		return 0;
	if (cfg->sync_severity_filtersz == 0)
		return 1;
	sev = alert_severity(cfg, row->level);
	for (i = 0; i < cfg->sync_severity_filtersz; i++)
		if (str_eq_ci(cfg->sync_severity_filter[i], sev))
			return 1;
	return 0;
}

int
alert_in_window(const struct config *cfg, const struct zmc_row *row,
    time_t now)
{
	time_t	 t;

	t = row->event_time != 0 ? row->event_time : row->create_date;
	if (t == 0 || cfg->sync_history_hours <= 0)
		return 1;
	/* Future times (clock skew) are in the window. */
	return t >= now - (time_t)cfg->sync_history_hours * 3600;
}

/*
 * Finds name in the sorted array v of n; returns its index, or -1 and the
 * insertion point in *at.
 */
static long
lset_find(const struct label *v, size_t n, const char *name, size_t *at)
{
	size_t	 lo = 0, hi = n;

	while (lo < hi) {
		size_t	 mid = lo + (hi - lo) / 2;
		int	 c = strcmp(v[mid].name, name);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (at != NULL)
		*at = lo;
	return -1;
}

/* Sets name to value in the sorted array *v, taking ownership of value. */
static void
lset_put(struct label **v, size_t *n, const char *name, char *value)
{
	size_t	 at = 0;
	long	 i;

	if ((i = lset_find(*v, *n, name, &at)) >= 0) {
		free((*v)[i].value);
		(*v)[i].value = value;
		return;
	}
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	memmove(*v + at + 1, *v + at, (*n - at) * sizeof(**v));
	(*v)[at].name = xstrdup(name);
	(*v)[at].value = value;
	(*n)++;
}

/* Removes name from the sorted array *v if present. */
static void
lset_del(struct label **v, size_t *n, const char *name)
{
	long	 i;

	if ((i = lset_find(*v, *n, name, NULL)) < 0)
		return;
	free((*v)[i].name);
	free((*v)[i].value);
	memmove(*v + i, *v + i + 1, (*n - (size_t)i - 1) * sizeof(**v));
	(*n)--;
}

static void
lset_free(struct label *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
}

/*
 * Repairs and bounds value, then sets it in *v; NULL or empty values (also
 * after repair) are left out.  Returns 1 if set, else 0.
 */
static int
lset_set_text(struct label **v, size_t *n, const char *name,
    const char *value, size_t max)
{
	char	*clean;

	if (value == NULL || *value == '\0')
		return 0;
	clean = text_to_utf8(value, strlen(value), NULL, max);
	if (clean == NULL || *clean == '\0') {
		free(clean);
		return 0;
	}
	lset_put(v, n, name, clean);
	return 1;
}

static void
set_label(struct alert *a, const char *name, const char *value)
{
	lset_set_text(&a->labels, &a->labelsz, name, value, ALERT_LABEL_MAX);
}

static void
set_annot(struct alert *a, const char *name, const char *value)
{
	lset_set_text(&a->annotations, &a->annotationsz, name, value,
	    ALERT_TEXT_MAX);
}

/* Replaces every "{alarm_id}" in tmpl; caller frees. */
static char *
generator_url(const char *tmpl, int64_t alarm_id)
{
	static const char	 key[] = "{alarm_id}";
	struct buf		 b = { 0 };
	const char		*p, *q;

	for (p = tmpl; (q = strstr(p, key)) != NULL; p = q + sizeof(key) - 1) {
		buf_add(&b, p, (size_t)(q - p));
		buf_printf(&b, "%lld", (long long)alarm_id);
	}
	buf_puts(&b, p);
	return buf_release(&b);
}


/*
 * The label set is stored as JSON in ALERT_LABELS, a VARCHAR2(4000): an
 * oversized set would fail the whole batch's bookkeeping on Oracle and
 * PostgreSQL, every run.  Halve the longest value until the set fits; the
 * identity labels (alarm_id, a short alertname) are never the longest.
 */
static void
fit_labels(struct alert *a)
{
	char	*js, *cut;
	size_t	 i, longest, len, vl;

	for (;;) {
		js = alert_labels_json(a);
		len = strlen(js);
		free(js);
		if (len <= ALERT_LABELS_JSON_MAX || a->labelsz == 0)
			return;
		longest = 0;
		for (i = 1; i < a->labelsz; i++)
			if (strlen(a->labels[i].value) > strlen(a->labels[longest].value))
				longest = i;
		vl = strlen(a->labels[longest].value);
		if (vl <= 16)
			return;	/* only names are left to blame: nothing sane to cut */
		cut = text_to_utf8(a->labels[longest].value, vl, NULL, vl / 2);
		free(a->labels[longest].value);
		a->labels[longest].value = cut;
	}
}

/* The alert of row; with full 0 only its labels (see alert_build_labels). */
static struct alert *
build(const struct config *cfg, const struct label_map *maps,
    size_t mapsz, const struct zmc_row *row, time_t now, int full)
{
	struct alert	*a;
	const char	*host;
	char		*s, num[32], st[2];
	size_t		 i;

	a = xcalloc(1, sizeof(*a));

	/* Labels: the alert's identity, stable for the life of the alarm. */
	if (row->alarm_name != NULL && row->alarm_name[0] != '\0')
		set_label(a, "alertname", row->alarm_name);
	else if (row->alarm_code != NULL && row->alarm_code[0] != '\0') {
		s = xasprintf("ZMC_%s", row->alarm_code);
		set_label(a, "alertname", s);
		free(s);
	}
	if (alert_label(a, "alertname") == NULL)
		set_label(a, "alertname", "ZMC_ALARM");
	set_label(a, "severity", alert_severity(cfg, row->level));
	if (row->host_ip != NULL && row->host_ip[0] != '\0')
		set_label(a, "instance", row->host_ip);
	else
		set_label(a, "instance", row->host_name);
	set_label(a, "host", row->host_name);
	snprintf(num, sizeof(num), "%lld", (long long)row->alarm_id);
	set_label(a, "alarm_id", num);
	set_label(a, "alarm_code", row->alarm_code);
	set_label(a, "application", row->app_name);
	set_label(a, "domain", row->business_domain);
	set_label(a, "env", row->environment);
	set_label(a, "source", cfg->label_source);
	set_label(a, "cluster", cfg->label_cluster);
	set_label(a, "datacenter", cfg->label_datacenter);

	if (!full)
		goto mapped;

	/* Annotations: everything a human wants that must not be identity. */
	host = row->host_name != NULL && row->host_name[0] != '\0' ?
	    row->host_name : row->host_ip;
	if (host != NULL && host[0] != '\0') {
		s = xasprintf("%s on %s", alert_label(a, "alertname"), host);
		set_annot(a, "summary", s);
		free(s);
	} else
		set_annot(a, "summary", alert_label(a, "alertname"));
	set_annot(a, "description", row->detail_info);
	set_annot(a, "runbook", row->deal_suggest);
	set_annot(a, "fault_reason", row->fault_reason);
	set_annot(a, "clear_reason", row->clear_reason);
	set_annot(a, "total_alarm", row->total_alarm);
	set_annot(a, "resource_type", row->res_inst_type);
	if (row->event_id != 0) {
		snprintf(num, sizeof(num), "%lld", (long long)row->event_id);
		set_annot(a, "event_id", num);
	}
	if (row->state != '\0') {
		st[0] = row->state;
		st[1] = '\0';
		set_annot(a, "zmc_state", st);
	}
	if (row->level >= 0) {
		snprintf(num, sizeof(num), "%d", row->level);
		set_annot(a, "zmc_level", num);
	}

mapped:
	/* NM_ALARM_LABEL_MAPPING rows; identity labels are not theirs. */
	for (i = 0; maps != NULL && i < mapsz; i++) {
		const char *v;

		if (!label_name_valid(maps[i].target_name) ||
		    maps[i].source_field == NULL)
			continue;
		v = zmc_row_field(row, maps[i].source_field);
		if (maps[i].annotation) {
			if (full)
				set_annot(a, maps[i].target_name, v);
		}
		else if (strcmp(maps[i].target_name, "alarm_id") != 0 &&
		    strcmp(maps[i].target_name, "alertname") != 0)
			set_label(a, maps[i].target_name, v);
	}

	fit_labels(a);
	if (!full)
		return a;

	if (row->event_time != 0)
		a->starts_at = row->event_time;
	else if (row->create_date != 0)
		a->starts_at = row->create_date;
	else
		a->starts_at = now;
	if (cfg->sync_alert_ttl > 0) {
		a->ends_at = now + cfg->sync_alert_ttl;
		/*
		 * Alertmanager rejects endsAt before startsAt; a raise time
		 * beyond the lease (clock skew) is sent as now.
		 */
		if (a->starts_at > a->ends_at)
			a->starts_at = now;
	}
	if (cfg->am_generator_url != NULL && cfg->am_generator_url[0] != '\0')
		a->generator_url = generator_url(cfg->am_generator_url,
		    row->alarm_id);
	return a;
}

struct alert *
alert_build(const struct config *cfg, const struct label_map *maps,
    size_t mapsz, const struct zmc_row *row, time_t now)
{
	return build(cfg, maps, mapsz, row, now, 1);
}

struct alert *
alert_build_labels(const struct config *cfg, const struct label_map *maps,
    size_t mapsz, const struct zmc_row *row)
{
	return build(cfg, maps, mapsz, row, 0, 0);
}

/* Object of the name/value pairs, in array (sorted) order. */
static struct json_object *
lset_json(const struct label *v, size_t n)
{
	struct json_object	*o;
	size_t			 i;

	o = json_object_new_object();
	for (i = 0; i < n; i++)
		json_object_object_add(o, v[i].name,
		    json_object_new_string(v[i].value));
	return o;
}

/*
 * Appends s as a JSON string in the canonical stored form: json-c's
 * escapes (quote, backslash, \b \f \n \r \t, other controls as \u00xx,
 * '/' kept) and every non-ASCII character as \uXXXX (a surrogate pair
 * above the BMP).  Stored as ASCII, the set reads back byte for byte
 * whatever the database charset (GBK cannot hold every character a label
 * may carry), so comparing it with the next run's set never sees a
 * phantom change.  s is valid UTF-8 (labels are repaired when built).
 */
static void
json_ascii_str(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *run;
	unsigned long cp;
	char e[13];
	int n, i;

	buf_add(b, "\"", 1);
	while (*p != '\0') {
		/* Plain ASCII goes in runs: labels are mostly that. */
		for (run = p; *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\'; p++)
			;
		if (p > run)
			buf_add(b, (const char *)run, (size_t)(p - run));
		if (*p == '\0')
			break;
		if (*p < 0x80) {
			switch (*p) {
			case '"':  buf_add(b, "\\\"", 2); break;
			case '\\': buf_add(b, "\\\\", 2); break;
			case '\b': buf_add(b, "\\b", 2); break;
			case '\f': buf_add(b, "\\f", 2); break;
			case '\n': buf_add(b, "\\n", 2); break;
			case '\r': buf_add(b, "\\r", 2); break;
			case '\t': buf_add(b, "\\t", 2); break;
			default:
				memcpy(e, "\\u00", 4);
				e[4] = hex[*p >> 4];
				e[5] = hex[*p & 0xf];
				buf_add(b, e, 6);
			}
			p++;
			continue;
		}
		if (*p >= 0xf0) {
			cp = *p & 0x07;
			n = 3;
		} else if (*p >= 0xe0) {
			cp = *p & 0x0f;
			n = 2;
		} else {
			cp = *p & 0x1f;
			n = 1;
		}
		p++;
		for (i = 0; i < n && (*p & 0xc0) == 0x80; i++)
			cp = (cp << 6) | (*p++ & 0x3f);
		if (cp >= 0x10000) {
			unsigned long hi, lo;

			cp -= 0x10000;
			hi = 0xd800 + (cp >> 10);
			lo = 0xdc00 + (cp & 0x3ff);
			e[0] = '\\'; e[1] = 'u';
			for (i = 0; i < 4; i++)
				e[2 + i] = hex[(hi >> (12 - 4 * i)) & 0xf];
			e[6] = '\\'; e[7] = 'u';
			for (i = 0; i < 4; i++)
				e[8 + i] = hex[(lo >> (12 - 4 * i)) & 0xf];
			buf_add(b, e, 12);
		} else {
			e[0] = '\\'; e[1] = 'u';
			for (i = 0; i < 4; i++)
				e[2 + i] = hex[(cp >> (12 - 4 * i)) & 0xf];
			buf_add(b, e, 6);
		}
	}
	buf_add(b, "\"", 1);
}

char *
alert_labels_json(const struct alert *a)
{
	struct buf	 b = { 0 };
	size_t		 i;

	/* Labels are kept sorted and unique: this order is canonical. */
	buf_add(&b, "{", 1);
	for (i = 0; i < a->labelsz; i++) {
		if (i > 0)
			buf_add(&b, ",", 1);
		json_ascii_str(&b, a->labels[i].name);
		buf_add(&b, ":", 1);
		json_ascii_str(&b, a->labels[i].value);
	}
	buf_add(&b, "}", 1);
	return buf_release(&b);
}

/* Value of 4 hex digits at s, or -1. */
static long
hex4(const char *s)
{
	long	 v = 0;
	int	 i, c;

	for (i = 0; i < 4; i++) {
		c = (unsigned char)s[i];
		if (c >= '0' && c <= '9')
			v = v * 16 + (c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = v * 16 + (c - 'A' + 10);
		else
			return -1;
	}
	return v;
}

/*
 * json with every escaped surrogate pair ("\ud8xx\udcxx", as ascii_json
 * writes characters beyond the BMP) replaced by the character's UTF-8
 * bytes.  json-c up to at least 0.16 decodes the pairs of U+xD800 to
 * U+xDFFF in every plane (U+2D800.. are CJK ideographs) as U+FFFD, so
 * such a label would not read back as stored.  A backslash always starts
 * a two-character escape, so "\\u..." is never taken for one.
 * Caller frees.
 */
static char *
utf8_pairs(const char *json)
{
	struct buf	 b = { 0 };
	const char	*p = json;
	long		 hi, lo, cp;
	char		 u[4];

	buf_puts(&b, "");
	while (*p != '\0') {
		if (*p != '\\') {
			buf_add(&b, p++, 1);
			continue;
		}
		if (p[1] == 'u' && (hi = hex4(p + 2)) >= 0xd800 &&
		    hi <= 0xdbff && p[6] == '\\' && p[7] == 'u' &&
		    (lo = hex4(p + 8)) >= 0xdc00 && lo <= 0xdfff) {
			cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
			u[0] = (char)(0xf0 | (cp >> 18));
			u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
			u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
			u[3] = (char)(0x80 | (cp & 0x3f));
			buf_add(&b, u, 4);
			p += 12;
			continue;
		}
		buf_add(&b, p++, 1);
		if (*p != '\0')
			buf_add(&b, p++, 1);
	}
	return buf_release(&b);
}

struct alert *
alert_from_labels_json(const char *stored)
{
	struct json_tokener	*tok;
	struct json_object	*o;
	struct alert		*a;
	char			*json;
	size_t			 len;

	if (stored == NULL)
		return NULL;
	json = utf8_pairs(stored);
	len = strlen(json);
	if ((tok = json_tokener_new()) == NULL) {
		free(json);
		return NULL;
	}
	o = json_tokener_parse_ex(tok, json, (int)len);
	/* Trailing bytes other than blanks mean it is not our JSON. */
	if (o != NULL && json_tokener_get_error(tok) == json_tokener_success) {
		size_t off = json_tokener_get_parse_end(tok);
		while (off < len && strchr(" \t\r\n", json[off]) != NULL)
			off++;
		if (off != len) {
			json_object_put(o);
			o = NULL;
		}
	} else if (o != NULL) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	free(json);
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return NULL;
	}

	a = xcalloc(1, sizeof(*a));
	json_object_object_foreach(o, key, val) {
		const char	*s;

		if (!json_object_is_type(val, json_type_string) ||
		    !label_name_valid(key)) {
			alert_free(a);
			json_object_put(o);
			return NULL;
		}
		s = json_object_get_string(val);
		/* An embedded NUL cannot be a label value of ours. */
		if ((size_t)json_object_get_string_len(val) != strlen(s)) {
			alert_free(a);
			json_object_put(o);
			return NULL;
		}
		if (*s != '\0')
			lset_put(&a->labels, &a->labelsz, key, xstrdup(s));
	}
	json_object_put(o);
	return a;
}

static struct label *
lset_dup(const struct label *v, size_t n)
{
	struct label	*d;
	size_t		 i;

	if (n == 0)
		return NULL;
	d = xcalloc(n, sizeof(*d));
	for (i = 0; i < n; i++) {
		d[i].name = xstrdup(v[i].name);
		d[i].value = xstrdup(v[i].value);
	}
	return d;
}

struct alert *
alert_dup(const struct alert *a)
{
	struct alert	*d;

	d = xcalloc(1, sizeof(*d));
	d->labels = lset_dup(a->labels, a->labelsz);
	d->labelsz = a->labelsz;
	d->annotations = lset_dup(a->annotations, a->annotationsz);
	d->annotationsz = a->annotationsz;
	d->starts_at = a->starts_at;
	d->ends_at = a->ends_at;
	d->generator_url = xstrdup(a->generator_url);
	return d;
}

const char *
alert_label(const struct alert *a, const char *name)
{
	long	 i;

	if ((i = lset_find(a->labels, a->labelsz, name, NULL)) < 0)
		return NULL;
	return a->labels[i].value;
}

/*
 * Sets or replaces an annotation, repaired and bounded like every other;
 * a NULL or empty value removes it.
 */
void
alert_set_annotation(struct alert *a, const char *name, const char *value)
{
	if (!lset_set_text(&a->annotations, &a->annotationsz, name, value,
	    ALERT_TEXT_MAX))
		lset_del(&a->annotations, &a->annotationsz, name);
}

struct json_object *
alert_to_json(const struct alert *a)
{
	struct json_object	*o;
	char			 t[32];

	o = json_object_new_object();
	json_object_object_add(o, "labels", lset_json(a->labels, a->labelsz));
	json_object_object_add(o, "annotations",
	    lset_json(a->annotations, a->annotationsz));
	if (a->starts_at != 0)
		json_object_object_add(o, "startsAt",
		    json_object_new_string(time_rfc3339(a->starts_at, t)));
	if (a->ends_at != 0)
		json_object_object_add(o, "endsAt",
		    json_object_new_string(time_rfc3339(a->ends_at, t)));
	if (a->generator_url != NULL)
		json_object_object_add(o, "generatorURL",
		    json_object_new_string(a->generator_url));
	return o;
}

void
alert_free(struct alert *a)
{
	if (a == NULL)
		return;
	lset_free(a->labels, a->labelsz);
	lset_free(a->annotations, a->annotationsz);
	free(a->generator_url);
	free(a);
}
