/*
 * config: the key table, the five sources and the typed result.
 *
 * Every value is kept as text per source (default, file, table, env,
 * flag); the one in force is the highest source that has it.  Values are
 * checked when they arrive, so a message can name where they came from;
 * cross-key rules and *_file secrets are handled by config_resolve.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iniparser.h>

#include "config.h"
#include "dialect.h"
#include "log.h"
#include "secret.h"
#include "text.h"
#include "util.h"

#define NSRC	(SRC_FLAG + 1)

/*
 * The key table.  Order is the order of "config show", the example file
 * and the man page.  table_ok is 0 for database.* (the table lives in
 * that database: it cannot say how to reach it) and for secrets (the
 * table is readable by every database user and printed by config list).
 */
static const struct cfg_key keys[] = {
	/* [database] */
	{ "database", "dsn", CFGT_STR, "", 0, 0, NULL, 0, NULL,
	    "ODBC data source name from odbc.ini" },
	{ "database", "connection", CFGT_STR, "", 0, 0, NULL, 0, NULL,
	    "full ODBC connection string; wins over dsn and host (PWD= is masked)" },
	{ "database", "username", CFGT_STR, "", 0, 0, NULL, 0,
	    "ZMC_ORACLE_USERNAME", "database user (UID)" },
	{ "database", "password", CFGT_SECRET, "", 0, 0, NULL, 0,
	    "ZMC_ORACLE_PASSWORD", "database password (PWD); prefer password_file" },
	{ "database", "password_file", CFGT_PATH, "", 0, 0, NULL, 0, NULL,
	    "file holding the database password (trailing newline stripped)" },
	{ "database", "dialect", CFGT_ENUM, "auto", 0, 0,
	    "auto|sqlite|postgresql|oracle", 0, NULL,
	    "SQL dialect; auto asks the driver (SQL_DBMS_NAME)" },
	{ "database", "timezone", CFGT_STR, "", 0, 0, NULL, 0, NULL,
	    "IANA time zone of DATE values in the database; empty: system zone" },
	{ "database", "charset", CFGT_STR, "", 0, 0, NULL, 0, NULL,
	    "character set of database text (GBK, ZHS16GBK, ...); empty: UTF-8" },
	{ "database", "timeout", CFGT_INT, "30", 1, 3600, NULL, 0,
	    "ZMC_ORACLE_TIMEOUT", "login and query timeout, seconds" },
	{ "database", "host", CFGT_STR, "", 0, 0, NULL, 0,
	    "ZMC_ORACLE_HOST", "Oracle host for a DSN-less connection" },
	{ "database", "port", CFGT_INT, "1521", 1, 65535, NULL, 0,
	    "ZMC_ORACLE_PORT", "Oracle listener port for a DSN-less connection" },
	{ "database", "service_name", CFGT_STR, "", 0, 0, NULL, 0,
	    "ZMC_ORACLE_SERVICE_NAME", "Oracle service name for a DSN-less connection" },
	{ "database", "driver", CFGT_STR, "Oracle", 0, 0, NULL, 0, NULL,
	    "ODBC driver name (odbcinst.ini) for a DSN-less Oracle connection" },
	{ "database", "pool_min", CFGT_INT, "2", 0, 1000, NULL, 0,
	    "ZMC_ORACLE_POOL_MIN", "accepted for compatibility; a one-shot run uses one connection" },
	{ "database", "pool_max", CFGT_INT, "10", 1, 1000, NULL, 0,
	    "ZMC_ORACLE_POOL_MAX", "accepted for compatibility; a one-shot run uses one connection" },
	/* [zmc] */
	{ "zmc", "source", CFGT_STR, DIALECT_DEFAULT_VIEW, 0, 0, NULL, 1,
	    NULL, "source view with one row per alarm ([schema.]name)" },
	/* [alertmanager] */
	{ "alertmanager", "url", CFGT_LIST, "http://localhost:9093", 0, 0,
	    NULL, 1, NULL, "Alertmanager base URL(s), comma-separated for a cluster" },
	{ "alertmanager", "username", CFGT_STR, "", 0, 0, NULL, 1, NULL,
	    "basic auth user" },
	{ "alertmanager", "password", CFGT_SECRET, "", 0, 0, NULL, 0, NULL,
	    "basic auth password; prefer password_file" },
	{ "alertmanager", "password_file", CFGT_PATH, "", 0, 0, NULL, 0, NULL,
	    "file holding the basic auth password" },
	{ "alertmanager", "bearer_token", CFGT_SECRET, "", 0, 0, NULL, 0, NULL,
	    "bearer token; prefer bearer_token_file" },
	{ "alertmanager", "bearer_token_file", CFGT_PATH, "", 0, 0, NULL, 0,
	    NULL, "file holding a bearer token" },
	{ "alertmanager", "ca_file", CFGT_PATH, "", 0, 0, NULL, 1, NULL,
	    "PEM CA bundle to verify the server; empty: system store" },
	{ "alertmanager", "cert_file", CFGT_PATH, "", 0, 0, NULL, 1, NULL,
	    "PEM client certificate (may also hold the key)" },
	{ "alertmanager", "key_file", CFGT_PATH, "", 0, 0, NULL, 1, NULL,
	    "PEM client key" },
	{ "alertmanager", "insecure_skip_verify", CFGT_BOOL, "false", 0, 0,
	    NULL, 1, NULL, "do not verify the server certificate (testing only)" },
	{ "alertmanager", "headers", CFGT_STR, "", 0, 0, NULL, 1, NULL,
	    "extra request headers \"Name: value; Name2: value2\"" },
	{ "alertmanager", "timeout", CFGT_INT, "30", 1, 3600, NULL, 1, NULL,
	    "seconds per request" },
	{ "alertmanager", "retry_count", CFGT_INT, "3", 0, 100, NULL, 1, NULL,
	    "retries after the first attempt (connection errors, 5xx, 429)" },
	{ "alertmanager", "retry_interval", CFGT_INT, "1000", 0, 600000, NULL,
	    1, NULL, "milliseconds before the first retry, doubled per retry" },
	{ "alertmanager", "generator_url", CFGT_STR, "", 0, 0, NULL, 1, NULL,
	    "generatorURL of every alert (link back to ZMC); empty: none" },
	{ "alertmanager", "api_version", CFGT_ENUM, "v2", 0, 0, "v2", 1, NULL,
	    "accepted for compatibility; only the v2 API exists" },
	{ "alertmanager", "auth_enabled", CFGT_BOOL, "false", 0, 0, NULL, 1,
	    NULL, "accepted for compatibility; credentials are sent whenever set" },
	/* [sync] */
	{ "sync", "enabled", CFGT_BOOL, "true", 0, 0, NULL, 1, NULL,
	    "false: a run does nothing and exits 0" },
	{ "sync", "scan_interval", CFGT_INT, "60", 1, 86400, NULL, 1, NULL,
	    "seconds between runs (the cron period); informational" },
	{ "sync", "heartbeat_interval", CFGT_INT, "120", 1, 86400, NULL, 1,
	    NULL, "seconds after which a firing alert is pushed again" },
	{ "sync", "alert_ttl", CFGT_INT, "600", 1, 604800, NULL, 1, NULL,
	    "endsAt lease of a firing alert, seconds; must exceed heartbeat_interval "
	    "or Alertmanager resolves alerts between heartbeats" },
	{ "sync", "batch_size", CFGT_INT, "100", 1, 10000, NULL, 1, NULL,
	    "rows per database page and alerts per POST" },
	{ "sync", "history_hours", CFGT_INT, "24", 1, 87600, NULL, 1, NULL,
	    "only alarms raised within this many hours are pushed the first time" },
	{ "sync", "alarm_levels", CFGT_LEVELS, "1,2,3,4", 0, 0, NULL, 1, NULL,
	    "ZMC levels (0-4) that are synced" },
	{ "sync", "severity_filter", CFGT_LIST, "", 0, 0, NULL, 1, NULL,
	    "severities that are synced after mapping; empty: all" },
	{ "sync", "sync_on_startup", CFGT_BOOL, "true", 0, 0, NULL, 1, NULL,
	    "accepted for compatibility; every run syncs the history window" },
	/* Empty default: derived from scan_interval (config_resolve). */
	{ "sync", "lease_seconds", CFGT_INT, "", 1, 604800, NULL, 1, NULL,
	    "seconds the lease of the syncing host lasts; empty: 2 x scan_interval" },
	/* Never from the shared table: every host must have its own. */
	{ "sync", "instance_id", CFGT_STR, "", 0, 0, NULL, 0, NULL,
	    "this instance's name in the lease; empty: <hostname>:<state dir>" },
	/* [silence] */
	{ "silence", "use_silence_api", CFGT_BOOL, "true", 0, 0, NULL, 1, NULL,
	    "create a silence for a manually cleared (M) alarm" },
	{ "silence", "default_duration_hours", CFGT_INT, "24", 1, 8760, NULL,
	    1, NULL, "silence length, hours" },
	{ "silence", "start_delay", CFGT_INT, "30", 0, 86400, NULL, 1, NULL,
	    "seconds between the resolve of a masked alarm and its silence" },
	{ "silence", "auto_remove_on_clear", CFGT_BOOL, "true", 0, 0, NULL, 1,
	    NULL, "expire our silence when the alarm recovers or is confirmed" },
	{ "silence", "comment_template", CFGT_STR,
	    "ZMC alarm {alarm_id} cleared by {operator} at {time}: {reason}", 0, 0, NULL, 1,
	    NULL, "silence comment; {time} {operator} {alarm_id} {reason}" },
	{ "silence", "match_labels", CFGT_LIST, "source,alarm_id",
	    0, 0, NULL, 1, NULL, "labels a silence matches on (equality)" },
	/* [severity] */
	{ "severity", "level_0", CFGT_STR, "warning", 0, 0, NULL, 1, NULL,
	    "severity of ZMC level 0 (undefined)" },
	{ "severity", "level_1", CFGT_STR, "critical", 0, 0, NULL, 1, NULL,
	    "severity of ZMC level 1 (critical)" },
	{ "severity", "level_2", CFGT_STR, "error", 0, 0, NULL, 1, NULL,
	    "severity of ZMC level 2 (major)" },
	{ "severity", "level_3", CFGT_STR, "warning", 0, 0, NULL, 1, NULL,
	    "severity of ZMC level 3 (minor)" },
	{ "severity", "level_4", CFGT_STR, "info", 0, 0, NULL, 1, NULL,
	    "severity of ZMC level 4 (warning)" },
	/* [labels] */
	{ "labels", "source", CFGT_STR, "zmc", 0, 0, NULL, 1, "LABEL_SOURCE",
	    "value of the source label" },
	{ "labels", "cluster", CFGT_STR, "", 0, 0, NULL, 1, "LABEL_CLUSTER",
	    "value of the cluster label; empty: no label" },
	{ "labels", "datacenter", CFGT_STR, "", 0, 0, NULL, 1,
	    "LABEL_DATACENTER", "value of the datacenter label; empty: no label" },
	/* [log] */
	{ "log", "level", CFGT_ENUM, "info", 0, 0,
	    "debug|info|warn|warning|error", 1, NULL, "level of the log file" },
	{ "log", "format", CFGT_ENUM, "text", 0, 0, "text|json", 1, NULL,
	    "log file format" },
	{ "log", "file", CFGT_PATH, "", 0, 0, NULL, 1, NULL,
	    "log file, appended to; empty: none" },
	{ "log", "retention_days", CFGT_INT, "30", 1, 36500, NULL, 1, NULL,
	    "default age for cleanup, days" },
	/* [metrics] */
	{ "metrics", "textfile", CFGT_PATH, "", 0, 0, NULL, 1, NULL,
	    "node_exporter textfile (.prom) written after each run; empty: none" },
	/* [state] */
	{ "state", "dir", CFGT_PATH, ZMCSYNC_STATEDIR, 0, 0, NULL, 1, NULL,
	    "directory of state.db and the run lock" },
};
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

/* A value from one source. */
struct slot {
	char	*v;		/* the text; NULL: not set by this source */
	char	*where;		/* "file /x.conf:12", "env SYNC_X", ... */
	char	*prefix;	/* diagnostics: "config /x.conf:12: sync.x" */
};

struct cfg {
	char		*path;		/* file loaded, NULL if none */
	struct slot	 s[NKEYS][NSRC];
	char		*masked[NKEYS];	/* config_value(mask) results */
	struct config	 conf;		/* typed values of the last resolve */
	int		 conf_set;	/* conf holds allocations */
	char		**warned;	/* resolve warnings already shown */
	size_t		 warnedsz, warnedcap;
};

const struct cfg_key *
config_keys(size_t *n)
{
	*n = NKEYS;
	return keys;
}

/* Index of group.name in the table, or -1. */
static int
key_index(const char *group, const char *name)
{
	size_t	 i;

	for (i = 0; i < NKEYS; i++)
		if (str_eq_ci(keys[i].group, group) &&
		    str_eq_ci(keys[i].name, name))
			return (int)i;
	return -1;
}

/* Index of "group.name", or -1. */
static int
dotted_index(const char *dotted)
{
	const char	*dot;
	char		*g;
	int		 i;

	if (dotted == NULL || (dot = strchr(dotted, '.')) == NULL)
		return -1;
	g = xstrndup(dotted, (size_t)(dot - dotted));
	i = key_index(g, dot + 1);
	free(g);
	return i;
}

const struct cfg_key *
config_key_find(const char *dotted)
{
	int	 i;

	return (i = dotted_index(dotted)) == -1 ? NULL : &keys[i];
}

/* Index of k, which may point into the table or elsewhere. */
static int
kindex(const struct cfg_key *k)
{
	if (k >= keys && k < keys + NKEYS)
		return (int)(k - keys);
	return key_index(k->group, k->name);
}

/* "SYNC_BATCH_SIZE" for sync.batch_size; sep "." gives the table form. */
static char *
upper_name(const struct cfg_key *k, const char *sep)
{
	char	*s, *p;

	s = xasprintf("%s%s%s", k->group, sep, k->name);
	for (p = s; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	return s;
}

/* Value in force of key index i. */
static const char *
val(const struct cfg *c, int i, int *src)
{
	int	 s;

	for (s = SRC_FLAG; s > SRC_DEFAULT; s--)
		if (c->s[i][s].v != NULL) {
			if (src != NULL)
				*src = s;
			return c->s[i][s].v;
		}
	if (src != NULL)
		*src = SRC_DEFAULT;
	return keys[i].def;
}

/* Diagnostic prefix for the value in force of key i. */
static const char *
prefix(const struct cfg *c, int i)
{
	static char	 buf[128];
	int		 src;

	val(c, i, &src);
	if (src != SRC_DEFAULT)
		return c->s[i][src].prefix;
	snprintf(buf, sizeof(buf), "config: %s.%s", keys[i].group,
	    keys[i].name);
	return buf;
}

static void
slot_set(struct cfg *c, int i, int src, const char *v, char *where,
    char *pfx)
{
	struct slot	*s = &c->s[i][src];

	free(s->v);
	free(s->where);
	free(s->prefix);
	s->v = xstrdup(v);
	s->where = where;
	s->prefix = pfx;
}

/* Boolean forms; 0/1, or -1 if not a boolean. */
static int
parse_bool(const char *v)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	size_t	 i;

	for (i = 0; i < 4; i++) {
		if (str_eq_ci(v, yes[i]))
			return 1;
		if (str_eq_ci(v, no[i]))
			return 0;
	}
	return -1;
}

/* Prometheus label name. */
static int
label_name_ok(const char *s)
{
	if (!(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	for (s++; *s != '\0'; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return 0;
	return 1;
}

/* A severity word: [a-z_][a-z0-9_]*. */
static int
severity_ok(const char *s)
{
	if (!(islower((unsigned char)*s) || *s == '_'))
		return 0;
	for (s++; *s != '\0'; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) ||
		    *s == '_'))
			return 0;
	return 1;
}

/* HTTP header field name (RFC 9110 token). */
static int
header_name_ok(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) ||
		    strchr("!#$%&'*+-.^_`|~", s[i]) != NULL) || s[i] == '\0')
			return 0;
	return 1;
}

/*
 * Checks an http(s) URL: scheme, non-empty host (name, IPv4 or [IPv6]),
 * optional port 1-65535, optional path; no credentials, query or
 * fragment when base is set.  NULL ok, else a static reason.
 */
static const char *
url_check(const char *u, int base)
{
	const char	*h, *e, *p;
	long long	 port;
	char		*ps;
	int		 bad;

	if (strncasecmp(u, "http://", 7) == 0)
		h = u + 7;
	else if (strncasecmp(u, "https://", 8) == 0)
		h = u + 8;
	else
		return "must start with http:// or https://";
	e = h + strcspn(h, "/?#");
	if (memchr(h, '@', (size_t)(e - h)) != NULL)
		return "credentials in the URL are not allowed, use "
		    "alertmanager.username and password";
	if (*h == '[') {
		if ((p = memchr(h, ']', (size_t)(e - h))) == NULL || p == h + 1)
			return "bad IPv6 address";
		p++;
	} else {
		for (p = h; p < e && *p != ':'; p++)
			if (!(isalnum((unsigned char)*p) || *p == '-' ||
			    *p == '.' || *p == '_'))
				return "bad host name";
		if (p == h)
			return "no host";
	}
	if (p < e) {
		if (*p != ':')
			return "bad host";
		ps = xstrndup(p + 1, (size_t)(e - p - 1));
		bad = str_to_int(ps, 1, 65535, &port) == -1 ||
		    !isdigit((unsigned char)*ps);
		free(ps);
		if (bad)
			return "bad port";
	}
	if (base && strpbrk(e, "?#") != NULL)
		return "a query or fragment is not allowed";
	for (p = u; *p != '\0'; p++)
		if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
			return "contains blanks";
	return NULL;
}

/*
 * Parses "Name: value; Name2: value2" into *hp (may be NULL to only
 * check).  NULL ok, else an allocated reason.
 */
static char *
headers_parse(const char *s, struct cfg_header **hp, size_t *np)
{
	struct cfg_header	*h = NULL;
	size_t			 n = 0, cap = 0;
	const char		*p, *end, *colon, *vs, *ve, *ne;
	char			*err = NULL;

	for (p = s; *p != '\0'; p = *end == ';' ? end + 1 : end) {
		end = p + strcspn(p, ";");
		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p == end)
			continue;
		if ((colon = memchr(p, ':', (size_t)(end - p))) == NULL) {
			err = xasprintf("header %zu: expected \"Name: value\"",
			    n + 1);
			break;
		}
		ne = colon;
		while (ne > p && isspace((unsigned char)ne[-1]))
			ne--;
		if (!header_name_ok(p, (size_t)(ne - p))) {
			err = xasprintf("header %zu: bad header name", n + 1);
			break;
		}
		vs = colon + 1;
		ve = end;
		while (vs < ve && isspace((unsigned char)*vs))
			vs++;
		while (ve > vs && isspace((unsigned char)ve[-1]))
			ve--;
		if (hp != NULL) {
			h = xreallocarray_grow(h, &cap, n + 1, sizeof(*h));
			h[n].name = xstrndup(p, (size_t)(ne - p));
			h[n].value = xstrndup(vs, (size_t)(ve - vs));
		}
		n++;
	}
	if (hp == NULL || err != NULL) {
		while (hp != NULL && n-- > 0) {
			free(h[n].name);
			free(h[n].value);
		}
		free(h);
		return err;
	}
	*hp = h;
	*np = n;
	return NULL;
}

/* Key-specific rules beyond the type; NULL ok, else allocated reason. */
static char *
check_special(const struct cfg_key *k, const char *v)
{
	char		**l;
	const char	*r;
	char		*err = NULL;
	size_t		 n, i;

	if (strcmp(k->group, "severity") == 0)
		return severity_ok(v) ? NULL : xstrdup("not a severity "
		    "(lowercase letters, digits and _, e.g. critical)");
	if (strcmp(k->group, "zmc") == 0 && strcmp(k->name, "source") == 0)
		return dialect_ident_valid(v) ? NULL : xstrdup("not a valid "
		    "view name ([schema.]name of letters, digits, _ $ #)");
	if (strcmp(k->group, "database") == 0) {
		if (strcmp(k->name, "timezone") == 0 && !tz_valid(v))
			return xasprintf("unknown time zone %s (use an IANA "
			    "name such as Asia/Shanghai)", v);
		if (strcmp(k->name, "charset") == 0 && !text_charset_valid(v))
			return xasprintf("unknown character set %s", v);
		if (strcmp(k->name, "driver") == 0 && *v == '\0')
			return xstrdup("must not be empty");
		return NULL;
	}
	if (strcmp(k->group, "state") == 0 && *v == '\0')
		return xstrdup("must not be empty");
	if (strcmp(k->group, "alertmanager") == 0) {
		if (strcmp(k->name, "headers") == 0)
			return headers_parse(v, NULL, NULL);
		if (strcmp(k->name, "generator_url") == 0 && *v != '\0' &&
		    (r = url_check(v, 0)) != NULL)
			return xasprintf("%s", r);
		if (strcmp(k->name, "url") == 0) {
			l = str_split_list(v, &n);
			if (n == 0)
				err = xstrdup("at least one URL is needed");
			for (i = 0; i < n && err == NULL; i++)
				if ((r = url_check(l[i], 1)) != NULL)
					err = n > 1 ? xasprintf("URL %zu: %s",
					    i + 1, r) : xstrdup(r);
			strv_free(l, n);
			return err;
		}
		return NULL;
	}
	if (strcmp(k->group, "silence") == 0 &&
	    strcmp(k->name, "match_labels") == 0) {
		l = str_split_list(v, &n);
		if (n == 0)
			err = xstrdup("at least one label is needed (an empty "
			    "matcher list would silence everything)");
		for (i = 0; i < n && err == NULL; i++)
			if (!label_name_ok(l[i]))
				err = xasprintf("%s is not a label name", l[i]);
		strv_free(l, n);
		return err;
	}
	if (strcmp(k->group, "sync") == 0 &&
	    strcmp(k->name, "severity_filter") == 0) {
		l = str_split_list(v, &n);
		for (i = 0; i < n && err == NULL; i++)
			if (!severity_ok(l[i]))
				err = xasprintf("%s is not a severity", l[i]);
		strv_free(l, n);
		return err;
	}
	return NULL;
}

char *
config_check_value(const struct cfg_key *k, const char *v)
{
	long long	 x;
	char		**l, *err = NULL;
	const char	*c, *e;
	size_t		 n, i, len;

	if (v == NULL)
		return xstrdup("no value");
	if (!text_utf8_valid(v, strlen(v)))
		return xstrdup("not valid UTF-8");
	if (strpbrk(v, "\r\n") != NULL)
		return xstrdup("contains a line break");
	switch (k->type) {
	case CFGT_INT:
		/* An empty default means "derived from other keys". */
		if (*v == '\0' && *k->def == '\0')
			break;
		if (str_to_int(v, k->min, k->max, &x) == -1)
			return xasprintf("not a number between %lld and %lld",
			    k->min, k->max);
		break;
	case CFGT_BOOL:
		if (parse_bool(v) == -1)
			return xstrdup("not a boolean (true/false, yes/no, "
			    "on/off, 1/0)");
		break;
	case CFGT_ENUM:
		len = strlen(v);
		for (c = k->choices; c != NULL && *c != '\0';
		    c = *e == '|' ? e + 1 : e) {
			e = c + strcspn(c, "|");
			if ((size_t)(e - c) == len &&
			    strncasecmp(c, v, len) == 0)
				return NULL;
		}
		return xasprintf("not one of %s", k->choices);
	case CFGT_LEVELS:
		l = str_split_list(v, &n);
		if (n == 0)
			err = xstrdup("at least one level (0-4) is needed");
		for (i = 0; i < n && err == NULL; i++)
			if (str_to_int(l[i], 0, 4, &x) == -1)
				err = xasprintf("level %s is not between 0 and "
				    "4", l[i]);
		strv_free(l, n);
		return err;
	default:
		break;
	}
	return check_special(k, v);
}

/* Levenshtein distance, for "did you mean". */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t	 la = strlen(a), lb = strlen(b), i, j, *d, r, sub;

	d = xcalloc((la + 1) * (lb + 1), sizeof(*d));
	for (i = 0; i <= la; i++)
		d[i * (lb + 1)] = i;
	for (j = 0; j <= lb; j++)
		d[j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			sub = d[(i - 1) * (lb + 1) + j - 1] +
			    (a[i - 1] != b[j - 1]);
			r = d[(i - 1) * (lb + 1) + j] + 1;
			if (d[i * (lb + 1) + j - 1] + 1 < r)
				r = d[i * (lb + 1) + j - 1] + 1;
			d[i * (lb + 1) + j] = sub < r ? sub : r;
		}
	r = d[la * (lb + 1) + lb];
	free(d);
	return r;
}

/* " (did you mean sync.batch_size?)" or "" -- allocated. */
static char *
suggest(const char *group, const char *name)
{
	char	*want, *have;
	size_t	 i, d, best = (size_t)-1;
	int	 bi = -1;

	want = xasprintf("%s.%s", group, name);
	for (i = 0; i < NKEYS; i++) {
		have = xasprintf("%s.%s", keys[i].group, keys[i].name);
		d = edit_distance(want, have);
		/* Right key name in the wrong section counts as close. */
		if (strcmp(keys[i].name, name) == 0 && d > 2)
			d = 2;
		if (d < best) {
			best = d;
			bi = (int)i;
		}
		free(have);
	}
	free(want);
	if (bi == -1 || best > 3)
		return xstrdup("");
	return xasprintf(" (did you mean %s.%s?)", keys[bi].group,
	    keys[bi].name);
}

/* One line of the file as the scanner saw it. */
struct line {
	char	*section;	/* lowercased, trimmed */
	char	*key;		/* lowercased, trimmed; NULL for a [section] */
	char	*raw;		/* raw value text after '=' (trimmed) */
	int	 lineno;
};

static void
lines_free(struct line *l, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(l[i].section);
		free(l[i].key);
		free(l[i].raw);
	}
	free(l);
}

/* Trimmed, lowercased copy of [s, e). */
static char *
lowtrim(const char *s, const char *e)
{
	char	*r, *p;

	while (s < e && isspace((unsigned char)*s))
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	r = xstrndup(s, (size_t)(e - s));
	for (p = r; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return r;
}

/*
 * The longest line iniparser reads (its 1024-byte buffer holds the text,
 * the newline and a NUL); continuation lines count together.
 */
#define INI_LINE_MAX	1022

/*
 * Scans the file the way iniparser reads it, to learn the line of each
 * section and key (iniparser keeps none) and to report syntax errors
 * with a line number.  Backslash continuation lines are joined.
 * Returns 0, or -1 after printing the errors.
 */
static int
scan_file(FILE *f, const char *path, struct line **lp, size_t *np)
{
	struct line	*l = NULL;
	size_t		 n = 0, cap = 0, len;
	char		 buf[4096], *s, *e, *eq;
	char		*section = xstrdup("");
	struct buf	 acc = { 0 };
	int		 lineno = 0, start = 0, rc = 0;

	while (fgets(buf, sizeof(buf), f) != NULL) {
		lineno++;
		len = strlen(buf);
		if (len > 0 && buf[len - 1] == '\n')
			len--;
		/*
		 * iniparser stops at a line that does not fit its buffer:
		 * one message with the right line, and no scanning of the
		 * rest of it as made-up lines.
		 */
		if (acc.len + len > INI_LINE_MAX ||
		    (buf[len] != '\n' && !feof(f))) {
			log_error("config %s:%d: line too long (more than %d "
			    "bytes)", path, lineno, INI_LINE_MAX);
			rc = -1;
			break;
		}
		buf[len] = '\0';
		while (len > 0 && buf[len - 1] == '\r')
			buf[--len] = '\0';
		if (acc.len == 0)
			start = lineno;
		if (len > 0 && buf[len - 1] == '\\') {
			buf_add(&acc, buf, len - 1);
			continue;
		}
		buf_add(&acc, buf, len);
		s = acc.s;
		while (isspace((unsigned char)*s))
			s++;
		e = s + strlen(s);
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		if (s == e || *s == ';' || *s == '#') {
			buf_free(&acc);
			continue;
		}
		l = xreallocarray_grow(l, &cap, n + 1, sizeof(*l));
		memset(&l[n], 0, sizeof(l[n]));
		l[n].lineno = start;
		if (*s == '[' && e[-1] == ']') {
			free(section);
			section = lowtrim(s + 1, e - 1);
			l[n].section = xstrdup(section);
			n++;
		} else if ((eq = strchr(s, '=')) != NULL && eq > s) {
			l[n].section = xstrdup(section);
			l[n].key = lowtrim(s, eq);
			l[n].raw = xstrndup(eq + 1, (size_t)(e - eq - 1));
			n++;
		} else {
			log_error("config %s:%d: syntax error, expected "
			    "[section] or key = value", path, start);
			rc = -1;
		}
		buf_free(&acc);
	}
	buf_free(&acc);
	free(section);
	*lp = l;
	*np = n;
	return rc;
}

/* iniparser reports syntax errors itself; the scanner already did. */
static int
ini_quiet(const char *fmt, ...)
{
	return 0;
}

/* Raw value: unquoted and holding a comment character inside a word? */
static int
raw_cut(const char *raw, int strict)
{
	const char	*p;

	while (isspace((unsigned char)*raw))
		raw++;
	if (*raw == '"' || *raw == '\'')
		return 0;
	for (p = raw; *p != '\0'; p++)
		if ((*p == ';' || *p == '#') &&
		    (strict || (p > raw && !isspace((unsigned char)p[-1]))))
			return 1;
	return 0;
}

static int
load_file(struct cfg *c, const char *path, int explicit)
{
	FILE		*f;
	struct line	*l = NULL;
	dictionary	*d;
	struct stat	 st;
	size_t		 n = 0, i, j;
	const char	*v;
	char		*ik, *sug, *err;
	int		 k, errors = 0, secret_inline = 0, has_keys, had;

	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT && !explicit) {
			log_debug("config %s: not found, using defaults and "
			    "environment", path);
			return 0;
		}
		log_error("config %s: %s", path, strerror(errno));
		return -1;
	}
	memset(&st, 0, sizeof(st));
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		log_error("config %s: is a directory", path);
		return -1;
	}
	if (scan_file(f, path, &l, &n) == -1) {
		fclose(f);
		lines_free(l, n);
		return -1;
	}
	fclose(f);
	iniparser_set_error_callback(ini_quiet);
	d = iniparser_load(path);
	iniparser_set_error_callback(NULL);
	if (d == NULL) {
		log_error("config %s: cannot parse", path);
		lines_free(l, n);
		return -1;
	}
	c->path = xstrdup(path);
	for (i = 0; i < n; i++) {
		if (l[i].key == NULL) {
			if (strcmp(l[i].section, "") == 0)
				continue;
			for (j = 0, has_keys = 0; j < NKEYS; j++)
				if (strcmp(keys[j].group, l[i].section) == 0)
					has_keys = 1;
			if (has_keys)
				continue;
			/* Unknown section: warn here only if it is empty. */
			for (j = i + 1; j < n && l[j].key != NULL; j++)
				continue;
			if (j == i + 1)
				log_warn("config %s:%d: unknown section [%s]",
				    path, l[i].lineno, l[i].section);
			continue;
		}
		/* A later line with the same key wins, as in iniparser. */
		for (j = i + 1; j < n; j++)
			if (l[j].key != NULL &&
			    strcmp(l[j].section, l[i].section) == 0 &&
			    strcmp(l[j].key, l[i].key) == 0)
				break;
		if (j < n) {
			log_warn("config %s:%d: %s.%s is set again on line %d, "
			    "the later value wins", path, l[i].lineno,
			    l[i].section, l[i].key, l[j].lineno);
			continue;
		}
		if (*l[i].section == '\0') {
			log_warn("config %s:%d: %s outside any [section], "
			    "ignored", path, l[i].lineno, l[i].key);
			continue;
		}
		if ((k = key_index(l[i].section, l[i].key)) == -1) {
			sug = suggest(l[i].section, l[i].key);
			log_warn("config %s:%d: unknown key %s.%s%s", path,
			    l[i].lineno, l[i].section, l[i].key, sug);
			free(sug);
			continue;
		}
		ik = xasprintf("%s:%s", l[i].section, l[i].key);
		v = iniparser_getstring(d, ik, NULL);
		free(ik);
		if (v == NULL)
			v = "";
		if (raw_cut(l[i].raw, strcmp(keys[k].name, "connection") == 0 ||
		    strcmp(keys[k].name, "headers") == 0)) {
			if (strcmp(keys[k].name, "connection") == 0 ||
			    strcmp(keys[k].name, "headers") == 0) {
				log_error("config %s:%d: %s.%s: ';' and '#' "
				    "start a comment, put the value in double "
				    "quotes", path, l[i].lineno, keys[k].group,
				    keys[k].name);
				errors++;
				continue;
			}
			log_warn("config %s:%d: %s.%s: value cut at ';' or '#' "
			    "(a comment); quote it if that was not meant",
			    path, l[i].lineno, keys[k].group, keys[k].name);
		}
		if ((err = config_check_value(&keys[k], v)) != NULL) {
			log_error("config %s:%d: %s.%s: %s", path, l[i].lineno,
			    keys[k].group, keys[k].name, err);
			free(err);
			errors++;
			continue;
		}
		if (keys[k].type == CFGT_SECRET && *v != '\0')
			secret_inline = 1;
		if (strcmp(keys[k].name, "connection") == 0) {
			free(secret_mask_connstr(v, &had));
			if (had)
				secret_inline = 1;
		}
		slot_set(c, k, SRC_FILE, v,
		    xasprintf("file %s:%d", path, l[i].lineno),
		    xasprintf("config %s:%d: %s.%s", path, l[i].lineno,
		    keys[k].group, keys[k].name));
	}
	if (secret_inline && (st.st_mode & S_IROTH))
		log_warn("config %s: holds a password but is readable by "
		    "everyone (chmod o-r)", path);
	iniparser_freedict(d);
	lines_free(l, n);
	return errors ? -1 : 0;
}

/*
 * The environment, for each key the first set (non-empty) of:
 * ZMCSYNC_ + the rule name (ZMCSYNC_SYNC_BATCH_SIZE), the rule name
 * (SYNC_BATCH_SIZE), and for some keys the reference guide's name
 * (ZMC_ORACLE_HOST).  Unprefixed names are common words (LOG_LEVEL) that
 * another program's environment may hold with its own meaning: an
 * invalid value there is ignored with a warning naming it, while an
 * invalid ZMCSYNC_ value stops with exit 3 like a bad file value.
 */
static int
load_env(struct cfg *c)
{
	const char	*v, *cand[3];
	char		*rule, *pref, *err;
	size_t		 i, k;
	int		 j, found, errors = 0;

	for (i = 0; i < NKEYS; i++) {
		rule = upper_name(&keys[i], "_");
		pref = xasprintf("ZMCSYNC_%s", rule);
		cand[0] = pref;
		cand[1] = rule;
		cand[2] = keys[i].env_alias;
		found = -1;
		for (j = 0; j < 3; j++) {
			if (cand[j] == NULL || (v = getenv(cand[j])) == NULL ||
			    *v == '\0')
				continue;
			if ((err = config_check_value(&keys[i], v)) == NULL) {
				found = j;
				break;
			}
			if (j == 0) {
				log_error("env %s: %s", cand[j], err);
				errors++;
				free(err);
				break;
			}
			log_warn("env %s: ignored, not a value for %s.%s (%s); "
			    "set %s for zmcsync", cand[j], keys[i].group,
			    keys[i].name, err, pref);
			free(err);
		}
		if (found >= 0) {
			for (k = (size_t)found + 1; k < 3; k++)
				if (cand[k] != NULL && getenv(cand[k]) != NULL &&
				    *getenv(cand[k]) != '\0')
					log_debug("env %s: ignored, %s is set too and wins",
					    cand[k], cand[found]);
			slot_set(c, (int)i, SRC_ENV, getenv(cand[found]),
			    xasprintf("env %s", cand[found]),
			    xasprintf("env %s", cand[found]));
		}
		free(pref);
		free(rule);
	}
	return errors ? -1 : 0;
}

struct cfg *
config_load(const char *path, int path_explicit)
{
	struct cfg	*c;
	int		 rc;

	c = xcalloc(1, sizeof(*c));
	if (path == NULL) {
		path = CONFIG_DEFAULT_FILE;
		path_explicit = 0;
	}
	rc = load_file(c, path, path_explicit);
	if (load_env(c) == -1)
		rc = -1;
	if (rc == -1) {
		config_free(c);
		return NULL;
	}
	return c;
}

int
config_apply_table(struct cfg *c, const char *group, const char *key,
    const char *value)
{
	const struct cfg_key	*k;
	char			*tn, *err;
	int			 i;

	if (group == NULL || key == NULL)
		return 0;
	if ((i = key_index(group, key)) == -1) {
		log_warn("table %s.%s: unknown key, ignored", group, key);
		return 0;
	}
	k = &keys[i];
	tn = upper_name(k, ".");
	if (strcmp(k->group, "database") == 0) {
		log_warn("table %s: ignored, database settings come only from "
		    "the file or environment", tn);
		free(tn);
		return 0;
	}
	if (!k->table_ok) {
		log_warn("table %s: ignored, %s come only from the file "
		    "or environment", tn, k->type == CFGT_SECRET ||
		    k->type == CFGT_PATH ? "secrets" : "per-host settings");
		free(tn);
		return 0;
	}
	/* Oracle stores '' as NULL: an empty row says nothing. */
	if (value == NULL || *value == '\0') {
		free(tn);
		return 0;
	}
	if ((err = config_check_value(k, value)) != NULL) {
		log_error("table %s: %s", tn, err);
		free(err);
		free(tn);
		return -1;
	}
	slot_set(c, i, SRC_TABLE, value, xasprintf("table %s", tn),
	    xasprintf("table %s", tn));
	free(tn);
	return 0;
}

int
config_set_flag_as(struct cfg *c, const char *dotted, const char *value,
    const char *flag)
{
	char	*err, *f;
	int	 i;

	f = flag != NULL ? xstrdup(flag) : xasprintf("--%s",
	    dotted != NULL ? dotted : "");
	if ((i = dotted_index(dotted)) == -1) {
		log_error("flag %s: unknown key %s", f,
		    dotted != NULL ? dotted : "");
		free(f);
		return -1;
	}
	if ((err = config_check_value(&keys[i], value)) != NULL) {
		log_error("flag %s: %s", f, err);
		free(err);
		free(f);
		return -1;
	}
	slot_set(c, i, SRC_FLAG, value, xasprintf("flag %s", f),
	    xasprintf("flag %s", f));
	free(f);
	return 0;
}

int
config_set_flag(struct cfg *c, const char *dotted, const char *value)
{
	return config_set_flag_as(c, dotted, value, NULL);
}

const char *
config_value(const struct cfg *cc, const struct cfg_key *k, int mask,
    enum cfg_source *srcp, const char **where)
{
	struct cfg	*c = (struct cfg *)cc;	/* the mask cache only */
	const char	*v;
	int		 i, src;

	if ((i = kindex(k)) == -1) {
		if (srcp != NULL)
			*srcp = SRC_DEFAULT;
		if (where != NULL)
			*where = "unknown";
		return "";
	}
	v = val(c, i, &src);
	if (srcp != NULL)
		*srcp = (enum cfg_source)src;
	if (where != NULL)
		*where = src == SRC_DEFAULT ? "default" : c->s[i][src].where;
	if (!mask)
		return v;
	free(c->masked[i]);
	c->masked[i] = NULL;
	if (keys[i].type == CFGT_SECRET)
		return *v == '\0' ? "" : SECRET_MASK;
	/*
	 * PWD= of database.connection, URL userinfo, a credential in
	 * alertmanager.headers: whatever secret_redact knows.
	 */
	c->masked[i] = secret_redact(v);
	return c->masked[i];
}

const char *
config_file(const struct cfg *c)
{
	return c->path;
}

/* Shows a resolve-time warning once per cfg (resolve runs repeatedly). */
static void
warn_once(struct cfg *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
warn_once(struct cfg *c, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;
	size_t	 i;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	msg = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
	for (i = 0; i < c->warnedsz; i++)
		if (strcmp(c->warned[i], msg) == 0) {
			free(msg);
			return;
		}
	log_warn("%s", msg);
	c->warned = xreallocarray_grow(c->warned, &c->warnedcap,
	    c->warnedsz + 1, sizeof(*c->warned));
	c->warned[c->warnedsz++] = msg;
}

static void
conf_free(struct config *f)
{
	size_t	 i;

	free(f->db_dsn);
	free(f->db_connection);
	free(f->db_username);
	free(f->db_password);
	free(f->db_dialect);
	free(f->db_timezone);
	free(f->db_charset);
	free(f->db_host);
	free(f->db_service_name);
	free(f->db_driver);
	free(f->zmc_source);
	strv_free(f->am_urls, f->am_urlsz);
	free(f->am_username);
	free(f->am_password);
	free(f->am_bearer_token);
	free(f->am_ca_file);
	free(f->am_cert_file);
	free(f->am_key_file);
	for (i = 0; i < f->am_headersz; i++) {
		free(f->am_headers[i].name);
		free(f->am_headers[i].value);
	}
	free(f->am_headers);
	free(f->am_generator_url);
	strv_free(f->sync_severity_filter, f->sync_severity_filtersz);
	free(f->silence_comment);
	strv_free(f->silence_match, f->silence_matchsz);
	for (i = 0; i < 5; i++)
		free(f->severity[i]);
	free(f->label_source);
	free(f->label_cluster);
	free(f->label_datacenter);
	free(f->log_level);
	free(f->log_format);
	free(f->log_file);
	free(f->metrics_textfile);
	free(f->state_dir);
	free(f->sync_instance_id);
	memset(f, 0, sizeof(*f));
}

/* Index of a key the code knows exists. */
static int
K(const char *dotted)
{
	int	 i;

	if ((i = dotted_index(dotted)) == -1) {
		fprintf(stderr, "zmcsync: internal error: no key %s\n", dotted);
		abort();
	}
	return i;
}

static char *
sdup(const struct cfg *c, const char *dotted)
{
	return xstrdup(val(c, K(dotted), NULL));
}

static int
ival(const struct cfg *c, const char *dotted)
{
	long long	 x = 0;

	(void)str_to_int(val(c, K(dotted), NULL), LLONG_MIN, LLONG_MAX, &x);
	return (int)x;
}

static int
bval(const struct cfg *c, const char *dotted)
{
	return parse_bool(val(c, K(dotted), NULL)) == 1;
}

/* Lowercase copy (enum values are case-insensitive). */
static char *
lowdup(const struct cfg *c, const char *dotted)
{
	const char	*v = val(c, K(dotted), NULL);

	return lowtrim(v, v + strlen(v));
}

/*
 * Reads a secret file: whole content, trailing CR/LF stripped.  Messages
 * name the file, never the content.  Allocated, or NULL after an error.
 */
static char *
read_secret(struct cfg *c, int i)
{
	const char	*path = val(c, i, NULL);
	struct buf	 b = { 0 };
	struct stat	 st;
	char		 chunk[1024];
	size_t		 n;
	FILE		*f;

	if ((f = fopen(path, "r")) == NULL) {
		log_error("%s: %s: %s", prefix(c, i), path, strerror(errno));
		return NULL;
	}
	memset(&st, 0, sizeof(st));
	if (fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode)) {
		fclose(f);
		log_error("%s: %s: not a regular file", prefix(c, i), path);
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 &&
	    b.len < 65536)
		buf_add(&b, chunk, n);
	fclose(f);
	if (b.len >= 65536) {
		buf_free(&b);
		log_error("%s: %s: larger than 64 KiB", prefix(c, i), path);
		return NULL;
	}
	while (b.len > 0 && (b.s[b.len - 1] == '\n' || b.s[b.len - 1] == '\r'))
		b.s[--b.len] = '\0';
	if (b.len == 0 || memchr(b.s, '\0', b.len) != NULL ||
	    strpbrk(b.s, "\r\n") != NULL) {
		buf_free(&b);
		log_error("%s: %s: empty, or more than one line", prefix(c, i),
		    path);
		return NULL;
	}
	if (st.st_mode & S_IROTH)
		warn_once(c, "%s: %s is readable by everyone (chmod o-r)",
		    prefix(c, i), path);
	return buf_release(&b);
}

/*
 * A secret set inline (inl) or through a file (fil): the higher source
 * wins; both from the same source is an error.  *out gets the secret
 * ("" if none).  0 ok, -1 error.
 */
static int
resolve_secret(struct cfg *c, const char *inl, const char *fil, char **out)
{
	int	 i = K(inl), f = K(fil), si, sf;
	const char *vi = val(c, i, &si), *vf = val(c, f, &sf);

	*out = NULL;
	if (*vf != '\0' && (*vi == '\0' || sf > si)) {
		if ((*out = read_secret(c, f)) == NULL)
			return -1;
		return 0;
	}
	if (*vf != '\0' && *vi != '\0' && sf == si) {
		log_error("%s: set only one of %s and %s", prefix(c, f), inl,
		    fil);
		return -1;
	}
	*out = xstrdup(vi);
	return 0;
}

/* 1 if a header of this name carries a credential: its value is a secret. */
static int
header_secret(const char *name)
{
	static const char *const words[] = { "auth", "token", "key", "secret",
	    "passw", "cookie", "session", "credential", "signature" };
	char	*low, *p;
	size_t	 i;
	int	 hit = 0;

	low = xstrdup(name);
	for (p = low; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	for (i = 0; i < sizeof(words) / sizeof(words[0]) && !hit; i++)
		hit = strstr(low, words[i]) != NULL;
	free(low);
	return hit;
}

/*
 * Makes the secrets in force known to secret_redact (every log line and
 * every stored error goes through it), replacing those of the previous
 * resolve.
 */
static void
secrets_register(const struct config *f)
{
	const char	*v;
	size_t		 i;

	secret_clear();
	secret_add(f->db_password);
	secret_add_connstr(f->db_connection);
	secret_add_basic(f->am_username, f->am_password);
	secret_add(f->am_bearer_token);
	for (i = 0; i < f->am_headersz; i++) {
		if (!header_secret(f->am_headers[i].name))
			continue;
		v = f->am_headers[i].value;
		secret_add(v);
		/* "Basic xyz", "Bearer xyz": the credential alone, too */
		if ((v = strchr(v, ' ')) != NULL) {
			while (*v == ' ')
				v++;
			secret_add(v);
		}
	}
}

const struct config *
config_resolve(struct cfg *c)
{
	struct config	*f = &c->conf;
	char		**l, *err, *hv;
	size_t		 n, i, j;
	long long	 x;
	int		 errors = 0, hb, ttl;

	if (c->conf_set)
		conf_free(f);
	c->conf_set = 1;

	f->db_dsn = sdup(c, "database.dsn");
	f->db_connection = sdup(c, "database.connection");
	f->db_username = sdup(c, "database.username");
	f->db_dialect = lowdup(c, "database.dialect");
	f->db_timezone = sdup(c, "database.timezone");
	f->db_charset = sdup(c, "database.charset");
	f->db_timeout = ival(c, "database.timeout");
	f->db_host = sdup(c, "database.host");
	f->db_port = ival(c, "database.port");
	f->db_service_name = sdup(c, "database.service_name");
	f->db_driver = sdup(c, "database.driver");
	if (resolve_secret(c, "database.password", "database.password_file",
	    &f->db_password) == -1)
		errors++;
	if (ival(c, "database.pool_min") > ival(c, "database.pool_max")) {
		log_error("%s: greater than database.pool_max",
		    prefix(c, K("database.pool_min")));
		errors++;
	}

	f->zmc_source = sdup(c, "zmc.source");

	l = str_split_list(val(c, K("alertmanager.url"), NULL), &n);
	for (i = 0; i < n; i++) {
		j = strlen(l[i]);
		while (j > 0 && l[i][j - 1] == '/')
			l[i][--j] = '\0';
	}
	f->am_urls = l;
	f->am_urlsz = n;
	f->am_username = sdup(c, "alertmanager.username");
	if (resolve_secret(c, "alertmanager.password",
	    "alertmanager.password_file", &f->am_password) == -1)
		errors++;
	if (resolve_secret(c, "alertmanager.bearer_token",
	    "alertmanager.bearer_token_file", &f->am_bearer_token) == -1)
		errors++;
	if (f->am_bearer_token != NULL && *f->am_bearer_token != '\0' &&
	    *f->am_username != '\0')
		warn_once(c, "%s: both basic auth and a bearer token are set, "
		    "the bearer token is used",
		    prefix(c, K("alertmanager.username")));
	f->am_ca_file = sdup(c, "alertmanager.ca_file");
	f->am_cert_file = sdup(c, "alertmanager.cert_file");
	f->am_key_file = sdup(c, "alertmanager.key_file");
	f->am_insecure = bval(c, "alertmanager.insecure_skip_verify");
	if ((err = headers_parse(val(c, K("alertmanager.headers"), NULL),
	    &f->am_headers, &f->am_headersz)) != NULL) {
		log_error("%s: %s", prefix(c, K("alertmanager.headers")), err);
		free(err);
		errors++;
	}
	f->am_timeout = ival(c, "alertmanager.timeout");
	f->am_retry_count = ival(c, "alertmanager.retry_count");
	f->am_retry_interval = ival(c, "alertmanager.retry_interval");
	f->am_generator_url = sdup(c, "alertmanager.generator_url");
	if (bval(c, "alertmanager.auth_enabled") && *f->am_username == '\0' &&
	    (f->am_bearer_token == NULL || *f->am_bearer_token == '\0'))
		warn_once(c, "%s: true, but neither alertmanager.username nor "
		    "a bearer token is set",
		    prefix(c, K("alertmanager.auth_enabled")));

	f->sync_enabled = bval(c, "sync.enabled");
	f->sync_scan_interval = ival(c, "sync.scan_interval");
	f->sync_heartbeat_interval = hb = ival(c, "sync.heartbeat_interval");
	f->sync_alert_ttl = ttl = ival(c, "sync.alert_ttl");
	if (ttl <= hb) {
		log_error("%s: %d must be greater than sync.heartbeat_interval "
		    "(%d), or alerts expire between heartbeats",
		    prefix(c, K("sync.alert_ttl")), ttl, hb);
		errors++;
	}
	if (*val(c, K("sync.lease_seconds"), NULL) == '\0')
		f->sync_lease_seconds = 2 * f->sync_scan_interval;
	else
		f->sync_lease_seconds = ival(c, "sync.lease_seconds");
	if (f->sync_lease_seconds <= f->sync_scan_interval)
		warn_once(c, "%s: %d is not more than sync.scan_interval (%d): "
		    "the lease may expire between two runs of its holder and "
		    "move to another host", prefix(c, K("sync.lease_seconds")),
		    f->sync_lease_seconds, f->sync_scan_interval);
	f->sync_batch_size = ival(c, "sync.batch_size");
	f->sync_history_hours = ival(c, "sync.history_hours");
	l = str_split_list(val(c, K("sync.alarm_levels"), NULL), &n);
	for (i = 0; i < n; i++)
		if (str_to_int(l[i], 0, 4, &x) == 0)
			f->sync_levels[x] = 1;
	strv_free(l, n);
	f->sync_severity_filter = str_split_list(val(c,
	    K("sync.severity_filter"), NULL), &f->sync_severity_filtersz);

	f->silence_use_api = bval(c, "silence.use_silence_api");
	f->silence_duration_hours = ival(c, "silence.default_duration_hours");
	f->silence_start_delay = ival(c, "silence.start_delay");
	f->silence_auto_remove = bval(c, "silence.auto_remove_on_clear");
	f->silence_comment = sdup(c, "silence.comment_template");
	f->silence_match = str_split_list(val(c, K("silence.match_labels"),
	    NULL), &f->silence_matchsz);

	for (i = 0; i < 5; i++) {
		hv = xasprintf("severity.level_%zu", i);
		f->severity[i] = sdup(c, hv);
		free(hv);
	}
	for (i = 0; i < f->sync_severity_filtersz; i++) {
		for (j = 0; j < 5; j++)
			if (strcmp(f->sync_severity_filter[i],
			    f->severity[j]) == 0)
				break;
		if (j == 5)
			warn_once(c, "%s: no ZMC level maps to severity %s "
			    "(see [severity])",
			    prefix(c, K("sync.severity_filter")),
			    f->sync_severity_filter[i]);
	}

	f->label_source = sdup(c, "labels.source");
	f->label_cluster = sdup(c, "labels.cluster");
	f->label_datacenter = sdup(c, "labels.datacenter");
	f->log_level = lowdup(c, "log.level");
	f->log_format = lowdup(c, "log.format");
	f->log_file = sdup(c, "log.file");
	f->log_retention_days = ival(c, "log.retention_days");
	f->metrics_textfile = sdup(c, "metrics.textfile");
	f->state_dir = sdup(c, "state.dir");
	f->sync_instance_id = sdup(c, "sync.instance_id");
	if (*f->sync_instance_id == '\0') {
		char host[256];

		if (gethostname(host, sizeof(host)) != 0)
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		free(f->sync_instance_id);
		f->sync_instance_id = xasprintf("%s:%s", host, f->state_dir);
	}
	if (strlen(f->sync_instance_id) > 1000) {
		log_error("%s: longer than 1000 bytes (%s); set a shorter one",
		    prefix(c, K("sync.instance_id")), f->sync_instance_id);
		errors++;
	}

	/* Never NULL, even after an error above. */
	if (f->db_password == NULL)
		f->db_password = xstrdup("");
	if (f->am_password == NULL)
		f->am_password = xstrdup("");
	if (f->am_bearer_token == NULL)
		f->am_bearer_token = xstrdup("");
	secrets_register(f);
	return errors ? NULL : f;
}

void
config_free(struct cfg *c)
{
	size_t	 i, s;

	if (c == NULL)
		return;
	for (i = 0; i < NKEYS; i++) {
		for (s = 0; s < NSRC; s++) {
			free(c->s[i][s].v);
			free(c->s[i][s].where);
			free(c->s[i][s].prefix);
		}
		free(c->masked[i]);
	}
	if (c->conf_set)
		conf_free(&c->conf);
	strv_free(c->warned, c->warnedsz);
	free(c->path);
	free(c);
}
