/*
 * confkeys: the key table -- every configuration key once, with its
 * type, default, bounds, check, where it may come from, one line of help
 * and its place in struct config -- and what follows from a row: finding
 * a key, and setting and freeing its field by its type.
 *
 * Adding a key is a row here and its field in struct config (config.h);
 * loading, checking, resolving, freeing, "config show" and "config set"
 * follow from the row.  Then its line in conf/zmcsync.conf and its
 * paragraph in man/zmcsync.conf.5 (the unit tests check both).  Only a
 * rule tying it to other keys is code (cross_rules in config.c).
 */
#include <ctype.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "confcheck.h"
#include "confkeys.h"
#include "dialect.h"
#include "util.h"

/* Where a key's value lands: its field, a list's count, its own check. */
#define F(field)		offsetof(struct config, field)
#define AT(field)		F(field), 0, NULL
#define CHK(field, check)	F(field), 0, check
#define LIST(field, n, check)	F(field), F(n), check

/*
 * Order is the order of "config show", the example file and the man
 * page.  table_ok is 0 for database.* (the table lives in that database:
 * it cannot say how to reach it) and for secrets (the table is readable
 * by every database user and printed by config list).
 */
static const struct cfg_key keys[] = {
	/* [database] */
	{ "database", "dsn", CFGT_STR, "", 0, 0, NULL, 0, NULL,
	    "ODBC data source name from odbc.ini", AT(db_dsn) },
	{ "database", "connection", CFGT_STR, "", 0, 0, NULL, 0, NULL,
	    "full ODBC connection string; wins over dsn and host (PWD= is masked)",
	    AT(db_connection) },
	{ "database", "username", CFGT_STR, "", 0, 0, NULL, 0,
	    "ZMC_ORACLE_USERNAME", "database user (UID)", AT(db_username) },
	{ "database", "password", CFGT_SECRET, "", 0, 0, NULL, 0,
	    "ZMC_ORACLE_PASSWORD", "database password (PWD); prefer password_file",
	    AT(db_password) },
	{ "database", "password_file", CFGT_PATH, "", 0, 0, NULL, 0, NULL,
	    "file holding the database password (trailing newline stripped)",
	    AT(db_password_file) },
	{ "database", "dialect", CFGT_ENUM, "auto", 0, 0,
	    "auto|sqlite|postgresql|oracle", 0, NULL,
	    "SQL dialect; auto asks the driver (SQL_DBMS_NAME)",
	    AT(db_dialect) },
	{ "database", "timezone", CFGT_STR, "", 0, 0, NULL, 0, NULL,
	    "IANA time zone of DATE values in the database; empty: system zone",
	    CHK(db_timezone, confcheck_timezone) },
	{ "database", "charset", CFGT_STR, "", 0, 0, NULL, 0, NULL,
	    "character set of database text (GBK, ZHS16GBK, ...); empty: UTF-8",
	    CHK(db_charset, confcheck_charset) },
	{ "database", "timeout", CFGT_INT, "30", 1, 3600, NULL, 0,
	    "ZMC_ORACLE_TIMEOUT", "login and query timeout, seconds",
	    AT(db_timeout) },
	{ "database", "host", CFGT_STR, "", 0, 0, NULL, 0,
	    "ZMC_ORACLE_HOST", "Oracle host for a DSN-less connection",
	    AT(db_host) },
	{ "database", "port", CFGT_INT, "1521", 1, 65535, NULL, 0,
	    "ZMC_ORACLE_PORT", "Oracle listener port for a DSN-less connection",
	    AT(db_port) },
	{ "database", "service_name", CFGT_STR, "", 0, 0, NULL, 0,
	    "ZMC_ORACLE_SERVICE_NAME", "Oracle service name for a DSN-less connection",
	    AT(db_service_name) },
	{ "database", "driver", CFGT_STR, "Oracle", 0, 0, NULL, 0, NULL,
	    "ODBC driver name (odbcinst.ini) for a DSN-less Oracle connection",
	    CHK(db_driver, confcheck_nonempty) },
	{ "database", "pool_min", CFGT_INT, "2", 0, 1000, NULL, 0,
	    "ZMC_ORACLE_POOL_MIN", "accepted for compatibility; a one-shot run uses one connection",
	    AT(db_pool_min) },
	{ "database", "pool_max", CFGT_INT, "10", 1, 1000, NULL, 0,
	    "ZMC_ORACLE_POOL_MAX", "accepted for compatibility; a one-shot run uses one connection",
	    AT(db_pool_max) },
	/* [zmc] */
	{ "zmc", "source", CFGT_STR, DIALECT_DEFAULT_VIEW, 0, 0, NULL, 1,
	    NULL, "source view with one row per alarm ([schema.]name)",
	    CHK(zmc_source, confcheck_view) },
	/* [alertmanager] */
	{ "alertmanager", "url", CFGT_URLS, "http://localhost:9093", 0, 0,
	    NULL, 1, NULL, "Alertmanager base URL(s), comma-separated for a cluster",
	    LIST(am_urls, am_urlsz, confcheck_urls) },
	{ "alertmanager", "username", CFGT_STR, "", 0, 0, NULL, 1, NULL,
	    "basic auth user", AT(am_username) },
	{ "alertmanager", "password", CFGT_SECRET, "", 0, 0, NULL, 0, NULL,
	    "basic auth password; prefer password_file", AT(am_password) },
	{ "alertmanager", "password_file", CFGT_PATH, "", 0, 0, NULL, 0, NULL,
	    "file holding the basic auth password", AT(am_password_file) },
	{ "alertmanager", "bearer_token", CFGT_SECRET, "", 0, 0, NULL, 0, NULL,
	    "bearer token; prefer bearer_token_file", AT(am_bearer_token) },
	{ "alertmanager", "bearer_token_file", CFGT_PATH, "", 0, 0, NULL, 0,
	    NULL, "file holding a bearer token", AT(am_bearer_token_file) },
	{ "alertmanager", "ca_file", CFGT_PATH, "", 0, 0, NULL, 1, NULL,
	    "PEM CA bundle to verify the server; empty: system store",
	    AT(am_ca_file) },
	{ "alertmanager", "cert_file", CFGT_PATH, "", 0, 0, NULL, 1, NULL,
	    "PEM client certificate (may also hold the key)", AT(am_cert_file) },
	{ "alertmanager", "key_file", CFGT_PATH, "", 0, 0, NULL, 1, NULL,
	    "PEM client key", AT(am_key_file) },
	{ "alertmanager", "insecure_skip_verify", CFGT_BOOL, "false", 0, 0,
	    NULL, 1, NULL, "do not verify the server certificate (testing only)",
	    AT(am_insecure) },
	{ "alertmanager", "headers", CFGT_HEADERS, "", 0, 0, NULL, 1, NULL,
	    "extra request headers \"Name: value; Name2: value2\"",
	    LIST(am_headers, am_headersz, confcheck_header_list) },
	{ "alertmanager", "timeout", CFGT_INT, "30", 1, 3600, NULL, 1, NULL,
	    "seconds per request", AT(am_timeout) },
	{ "alertmanager", "retry_count", CFGT_INT, "3", 0, 100, NULL, 1, NULL,
	    "retries after the first attempt (connection errors, 5xx, 429)",
	    AT(am_retry_count) },
	{ "alertmanager", "retry_interval", CFGT_INT, "1000", 0, 600000, NULL,
	    1, NULL, "milliseconds before the first retry, doubled per retry",
	    AT(am_retry_interval) },
	{ "alertmanager", "generator_url", CFGT_STR, "", 0, 0, NULL, 1, NULL,
	    "generatorURL of every alert (link back to ZMC); empty: none",
	    CHK(am_generator_url, confcheck_url_opt) },
	{ "alertmanager", "api_version", CFGT_ENUM, "v2", 0, 0, "v2", 1, NULL,
	    "accepted for compatibility; only the v2 API exists",
	    AT(am_api_version) },
	{ "alertmanager", "auth_enabled", CFGT_BOOL, "false", 0, 0, NULL, 1,
	    NULL, "accepted for compatibility; credentials are sent whenever set",
	    AT(am_auth_enabled) },
	/* [sync] */
	{ "sync", "enabled", CFGT_BOOL, "true", 0, 0, NULL, 1, NULL,
	    "false: a run does nothing and exits 0", AT(sync_enabled) },
	{ "sync", "scan_interval", CFGT_INT, "60", 1, 86400, NULL, 1, NULL,
	    "seconds between runs (the cron period); informational",
	    AT(sync_scan_interval) },
	{ "sync", "heartbeat_interval", CFGT_INT, "120", 1, 86400, NULL, 1,
	    NULL, "seconds after which a firing alert is pushed again",
	    AT(sync_heartbeat_interval) },
	{ "sync", "alert_ttl", CFGT_INT, "600", 1, 604800, NULL, 1, NULL,
	    "endsAt lease of a firing alert, seconds; must exceed heartbeat_interval "
	    "or Alertmanager resolves alerts between heartbeats",
	    AT(sync_alert_ttl) },
	{ "sync", "batch_size", CFGT_INT, "100", 1, 10000, NULL, 1, NULL,
	    "rows per database page and alerts per POST", AT(sync_batch_size) },
	{ "sync", "history_hours", CFGT_INT, "24", 1, 87600, NULL, 1, NULL,
	    "only alarms raised within this many hours are pushed the first time",
	    AT(sync_history_hours) },
	{ "sync", "alarm_levels", CFGT_LEVELS, "1,2,3,4", 0, 0, NULL, 1, NULL,
	    "ZMC levels (0-4) that are synced", AT(sync_levels) },
	{ "sync", "severity_filter", CFGT_LIST, "", 0, 0, NULL, 1, NULL,
	    "severities that are synced after mapping; empty: all",
	    LIST(sync_severity_filter, sync_severity_filtersz,
	    confcheck_severities) },
	{ "sync", "sync_on_startup", CFGT_BOOL, "true", 0, 0, NULL, 1, NULL,
	    "accepted for compatibility; every run syncs the history window",
	    AT(sync_on_startup) },
	/* Empty default: derived from scan_interval (config_resolve). */
	{ "sync", "lease_seconds", CFGT_INT, "", 1, 604800, NULL, 1, NULL,
	    "seconds the lease of the syncing host lasts; empty: 2 x scan_interval",
	    AT(sync_lease_seconds) },
	/* Never from the shared table: every host must have its own. */
	{ "sync", "instance_id", CFGT_STR, "", 0, 0, NULL, 0, NULL,
	    "this instance's name in the lease; empty: <hostname>:<state dir>",
	    AT(sync_instance_id) },
	/* [silence] */
	{ "silence", "use_silence_api", CFGT_BOOL, "true", 0, 0, NULL, 1, NULL,
	    "create a silence for a manually cleared (M) alarm",
	    AT(silence_use_api) },
	{ "silence", "default_duration_hours", CFGT_INT, "24", 1, 8760, NULL,
	    1, NULL, "silence length, hours", AT(silence_duration_hours) },
	{ "silence", "start_delay", CFGT_INT, "30", 0, 86400, NULL, 1, NULL,
	    "seconds between the resolve of a masked alarm and its silence",
	    AT(silence_start_delay) },
	{ "silence", "auto_remove_on_clear", CFGT_BOOL, "true", 0, 0, NULL, 1,
	    NULL, "expire our silence when the alarm recovers or is confirmed",
	    AT(silence_auto_remove) },
	{ "silence", "comment_template", CFGT_STR,
	    "ZMC alarm {alarm_id} cleared by {operator} at {time}: {reason}", 0, 0, NULL, 1,
	    NULL, "silence comment; {time} {operator} {alarm_id} {reason}",
	    AT(silence_comment) },
	{ "silence", "match_labels", CFGT_LIST, "source,alarm_id",
	    0, 0, NULL, 1, NULL, "labels a silence matches on (equality)",
	    LIST(silence_match, silence_matchsz, confcheck_labels) },
	/* [severity] */
	{ "severity", "level_0", CFGT_STR, "warning", 0, 0, NULL, 1, NULL,
	    "severity of ZMC level 0 (undefined)",
	    CHK(severity[0], confcheck_severity) },
	{ "severity", "level_1", CFGT_STR, "critical", 0, 0, NULL, 1, NULL,
	    "severity of ZMC level 1 (critical)",
	    CHK(severity[1], confcheck_severity) },
	{ "severity", "level_2", CFGT_STR, "error", 0, 0, NULL, 1, NULL,
	    "severity of ZMC level 2 (major)",
	    CHK(severity[2], confcheck_severity) },
	{ "severity", "level_3", CFGT_STR, "warning", 0, 0, NULL, 1, NULL,
	    "severity of ZMC level 3 (minor)",
	    CHK(severity[3], confcheck_severity) },
	{ "severity", "level_4", CFGT_STR, "info", 0, 0, NULL, 1, NULL,
	    "severity of ZMC level 4 (warning)",
	    CHK(severity[4], confcheck_severity) },
	/* [labels] */
	{ "labels", "source", CFGT_STR, "zmc", 0, 0, NULL, 1, "LABEL_SOURCE",
	    "value of the source label", AT(label_source) },
	{ "labels", "cluster", CFGT_STR, "", 0, 0, NULL, 1, "LABEL_CLUSTER",
	    "value of the cluster label; empty: no label", AT(label_cluster) },
	{ "labels", "datacenter", CFGT_STR, "", 0, 0, NULL, 1,
	    "LABEL_DATACENTER", "value of the datacenter label; empty: no label",
	    AT(label_datacenter) },
	/* [log] */
	{ "log", "level", CFGT_ENUM, "info", 0, 0,
	    "debug|info|warn|warning|error", 1, NULL, "level of the log file",
	    AT(log_level) },
	{ "log", "format", CFGT_ENUM, "text", 0, 0, "text|json", 1, NULL,
	    "log file format", AT(log_format) },
	{ "log", "file", CFGT_PATH, "", 0, 0, NULL, 1, NULL,
	    "log file, appended to; empty: none", AT(log_file) },
	{ "log", "retention_days", CFGT_INT, "30", 1, 36500, NULL, 1, NULL,
	    "default age for cleanup, days", AT(log_retention_days) },
	/* [metrics] */
	{ "metrics", "textfile", CFGT_PATH, "", 0, 0, NULL, 1, NULL,
	    "node_exporter textfile (.prom) written after each run; empty: none",
	    AT(metrics_textfile) },
	/* [state] */
	{ "state", "dir", CFGT_PATH, ZMCSYNC_STATEDIR, 0, 0, NULL, 1, NULL,
	    "directory of state.db and the run lock",
	    CHK(state_dir, confcheck_nonempty) },
};
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

const struct cfg_key *
config_keys(size_t *n)
{
	*n = NKEYS;
	return keys;
}

const struct cfg_key *
config_key_lookup(const char *group, const char *name)
{
	size_t	 i;

	for (i = 0; i < NKEYS; i++)
		if (str_eq_ci(keys[i].group, group) &&
		    (name == NULL || str_eq_ci(keys[i].name, name)))
			return &keys[i];
	return NULL;
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

const struct cfg_key *
config_key_near(const char *group, const char *name)
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
	return bi == -1 || best > 3 ? NULL : &keys[bi];
}

const struct cfg_key *
config_key_find(const char *dotted)
{
	const struct cfg_key	*k;
	const char		*dot;
	char			*g;

	if (dotted == NULL || (dot = strchr(dotted, '.')) == NULL)
		return NULL;
	g = xstrndup(dotted, (size_t)(dot - dotted));
	k = config_key_lookup(g, dot + 1);
	free(g);
	return k;
}

const struct cfg_key *
config_key_at(size_t off)
{
	size_t	 i;

	for (i = 0; i < NKEYS; i++)
		if (keys[i].off == off)
			return &keys[i];
	return NULL;
}

/* The field at off in conf. */
static void *
field(struct config *conf, size_t off)
{
	return (char *)conf + off;
}

char *
config_field_set(struct config *conf, const struct cfg_key *k, const char *v)
{
	void		*p = field(conf, k->off);
	size_t		*np = field(conf, k->offn);
	char		**l, *s;
	long long	 x = 0;
	size_t		 i, j;

	switch (k->type) {
	case CFGT_INT:
		/* An empty derived value stays 0 (config_resolve fills it). */
		(void)str_to_int(v, LLONG_MIN, LLONG_MAX, &x);
		*(int *)p = (int)x;
		return NULL;
	case CFGT_BOOL:
		*(int *)p = confcheck_bool(v) == 1;
		return NULL;
	case CFGT_LEVELS:
		memset(p, 0, 5 * sizeof(int));
		return confcheck_levels(v, p);
	case CFGT_LIST:
	case CFGT_URLS:
		*(char ***)p = l = str_split_list(v, np);
		/* A base URL is joined with "/api/v2/...". */
		for (i = 0; k->type == CFGT_URLS && i < *np; i++) {
			j = strlen(l[i]);
			while (j > 0 && l[i][j - 1] == '/')
				l[i][--j] = '\0';
		}
		return NULL;
	case CFGT_HEADERS:
		return confcheck_headers(v, p, np);
	case CFGT_ENUM:
		/* Choices are matched in any case and used in lowercase. */
		*(char **)p = s = xstrdup(v);
		for (; *s != '\0'; s++)
			*s = (char)tolower((unsigned char)*s);
		return NULL;
	default:
		*(char **)p = xstrdup(v);
		return NULL;
	}
}

void
config_fields_free(struct config *conf)
{
	const struct cfg_key	*k;
	size_t			 i;

	for (i = 0; i < NKEYS; i++) {
		k = &keys[i];
		switch (k->type) {
		case CFGT_INT:
		case CFGT_BOOL:
		case CFGT_LEVELS:
			break;
		case CFGT_LIST:
		case CFGT_URLS:
			strv_free(*(char ***)field(conf, k->off),
			    *(size_t *)field(conf, k->offn));
			break;
		case CFGT_HEADERS:
			confcheck_headers_free(*(struct cfg_header **)field(conf,
			    k->off), *(size_t *)field(conf, k->offn));
			break;
		default:
			free(*(char **)field(conf, k->off));
			break;
		}
	}
	memset(conf, 0, sizeof(*conf));
}
