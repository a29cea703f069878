/*
 * Unit tests for config.c: the four sources and their precedence, env
 * aliases, diagnostics with file:line, secrets, lists, the example file
 * and the man page's key list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "secret.h"
#include "t.h"
#include "util.h"

/* Everything logged while a test runs, one message per line. */
static struct buf	 logged;
static int		 nwarn, nerr;

static void
capture(void *arg, enum log_level l, const char *msg)
{
	(void)arg;
	if (l == LOGL_WARN)
		nwarn++;
	if (l >= LOGL_ERROR)
		nerr++;
	if (l >= LOGL_WARN) {
		buf_puts(&logged, msg);
		buf_puts(&logged, "\n");
	}
}

static const char *
logtext(void)
{
	return logged.s != NULL ? logged.s : "";
}

/* Unsets every variable the loader reads, so the caller's env can't leak in. */
static void
clear_env(void)
{
	const struct cfg_key	*k;
	size_t			 n, i;
	char			*name, *pre, *p;

	k = config_keys(&n);
	for (i = 0; i < n; i++) {
		name = xasprintf("%s_%s", k[i].group, k[i].name);
		for (p = name; *p != '\0'; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		unsetenv(name);
		pre = xasprintf("ZMCSYNC_%s", name);
		unsetenv(pre);
		free(pre);
		free(name);
		if (k[i].env_alias != NULL)
			unsetenv(k[i].env_alias);
	}
}

static void
reset(void)
{
	clear_env();
	buf_free(&logged);
	nwarn = nerr = 0;
	log_set_hook(capture, NULL);
}

/* Temp files made by a test, removed by cleanup(). */
static char	 tmpf[8][64];
static int	 ntmp;

/* Writes text to a new temp file with mode; returns its path. */
static const char *
tmpfile_with(const char *text, mode_t mode)
{
	char	*p = tmpf[ntmp++ % 8];
	int	 fd;

	snprintf(p, 64, "/tmp/zmcsync-cfg-XXXXXX");
	if ((fd = mkstemp(p)) == -1)
		return "/nonexistent";
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		p[0] = '\0';
	close(fd);
	chmod(p, mode);
	return p;
}

static void
cleanup(void)
{
	int	 i;

	for (i = 0; i < 8; i++)
		if (tmpf[i][0] != '\0')
			unlink(tmpf[i]);
	memset(tmpf, 0, sizeof(tmpf));
	ntmp = 0;
	clear_env();
	log_set_hook(NULL, NULL);
}

/* Value in force of dotted key, and its where. */
static const char *
V(struct config_raw *raw, const char *dotted, const char **where)
{
	const struct cfg_key	*k = config_key_find(dotted);

	if (k == NULL)
		return "(no such key)";
	return config_value(raw, k, 0, NULL, where);
}

TEST(test_defaults)
{
	struct config_raw		*raw;
	const struct config	*f;
	const char		*w;

	reset();
	raw = config_load("/nonexistent/zmcsync.conf", 0);
	CHECK(raw != NULL);
	if (raw == NULL)
		return;
	CHECK(config_file(raw) == NULL);
	f = config_resolve(raw);
	CHECK(f != NULL);
	if (f != NULL) {
		CHECK_INT(f->sync_heartbeat_interval, 120);
		CHECK_INT(f->sync_batch_size, 100);
		CHECK_INT(f->sync_history_hours, 24);
		CHECK_INT(f->sync_alert_ttl, 600);
		CHECK_INT(f->sync_scan_interval, 60);
		CHECK(f->sync_enabled);
		CHECK(!f->sync_levels[0] && f->sync_levels[1] &&
		    f->sync_levels[4]);
		CHECK_INT(f->silence_duration_hours, 24);
		CHECK(f->silence_use_api && f->silence_auto_remove);
		CHECK_STR(f->silence_comment,
		    "ZMC alarm {alarm_id} cleared by {operator} at {time}: {reason}");
		CHECK_INT(f->silence_matchsz, 2);
		CHECK_STR(f->silence_match[0], "source");
		CHECK_STR(f->silence_match[1], "alarm_id");
		CHECK_INT(f->am_retry_count, 3);
		CHECK_INT(f->am_retry_interval, 1000);
		CHECK_INT(f->am_timeout, 30);
		CHECK_INT(f->am_urlsz, 1);
		CHECK_STR(f->am_urls[0], "http://localhost:9093");
		CHECK_STR(f->severity[0], "warning");
		CHECK_STR(f->severity[1], "critical");
		CHECK_STR(f->severity[2], "error");
		CHECK_STR(f->severity[3], "warning");
		CHECK_STR(f->severity[4], "info");
		CHECK_STR(f->label_source, "zmc");
		CHECK_STR(f->label_cluster, "");
		CHECK_STR(f->log_level, "info");
		CHECK_STR(f->log_format, "text");
		CHECK_INT(f->log_retention_days, 30);
		CHECK_STR(f->zmc_source, "NM_ALARM_SYNC_SOURCE");
		CHECK_STR(f->db_dialect, "auto");
		CHECK_INT(f->db_port, 1521);
		CHECK_INT(f->db_timeout, 30);
		CHECK_STR(f->db_driver, "Oracle");
		CHECK_STR(f->db_dsn, "");
		CHECK_STR(f->db_password, "");
		CHECK_STR(f->am_bearer_token, "");
		CHECK_STR(f->metrics_textfile, "");
		CHECK_STR(f->state_dir, ZMCSYNC_STATEDIR);
		CHECK_INT(f->sync_severity_filtersz, 0);
		CHECK_INT(f->am_headersz, 0);
	}
	CHECK_STR(V(raw, "sync.batch_size", &w), "100");
	CHECK_STR(w, "default");
	CHECK_INT(nwarn + nerr, 0);
	config_free(raw);

	/* An explicitly named file must exist. */
	raw = config_load("/nonexistent/zmcsync.conf", 1);
	CHECK(raw == NULL);
	CHECK(strstr(logtext(), "config /nonexistent/zmcsync.conf: No such file") != NULL);
	config_free(raw);
	cleanup();
}

/* default < file < table < env, one key through all four. */
TEST(test_precedence)
{
	struct config_raw		*raw;
	const struct config	*f;
	const char		*path, *w;
	char			*want;
	enum cfg_source		 src;

	reset();
	path = tmpfile_with("# test\n[sync]\nbatch_size = 200\n"
	    "history_hours = 48\nscan_interval = 30\n", 0600);
	raw = config_load(path, 1);
	CHECK(raw != NULL);
	if (raw == NULL)
		return;
	CHECK_STR(config_file(raw), path);
	f = config_resolve(raw);
	CHECK(f != NULL && f->sync_batch_size == 200);
	CHECK_STR(config_value(raw, config_key_find("sync.batch_size"), 0, &src,
	    &w), "200");
	CHECK_INT(src, SRC_FILE);
	want = xasprintf("file %s:3", path);
	CHECK_STR(w, want);
	free(want);

	CHECK_INT(config_apply_table(raw, "SYNC", "BATCH_SIZE", "300"), 0);
	CHECK_INT(config_apply_table(raw, "SYNC", "HISTORY_HOURS", "72"), 0);
	f = config_resolve(raw);
	CHECK(f != NULL && f->sync_batch_size == 300 &&
	    f->sync_history_hours == 72);
	CHECK_STR(V(raw, "sync.batch_size", &w), "300");
	CHECK_STR(w, "table SYNC.BATCH_SIZE");
	config_free(raw);

	/* Env beats the table even when the table is applied later. */
	setenv("SYNC_BATCH_SIZE", "400", 1);
	raw = config_load(path, 1);
	CHECK(raw != NULL);
	if (raw == NULL)
		return;
	CHECK_INT(config_apply_table(raw, "sync", "batch_size", "300"), 0);
	f = config_resolve(raw);
	CHECK(f != NULL && f->sync_batch_size == 400);
	CHECK_STR(V(raw, "sync.batch_size", &w), "400");
	CHECK_STR(w, "env SYNC_BATCH_SIZE");
	/* The table still wins over the file for another key. */
	CHECK_STR(V(raw, "sync.history_hours", &w), "48");
	CHECK_INT(config_apply_table(raw, "Sync", "History_Hours", "72"), 0);
	CHECK_STR(V(raw, "sync.history_hours", &w), "72");

	/* An invalid value leaves the one in force unchanged. */
	CHECK_INT(config_apply_table(raw, "SYNC", "HISTORY_HOURS", "0"), -1);
	CHECK(strstr(logtext(), "table SYNC.HISTORY_HOURS: not a number between 1 and 87600") != NULL);
	CHECK_STR(V(raw, "sync.history_hours", &w), "72");
	CHECK_STR(w, "table SYNC.HISTORY_HOURS");
	config_free(raw);
	cleanup();
}

TEST(test_env_aliases)
{
	struct config_raw		*raw;
	const struct config	*f;
	const char		*w;

	reset();
	setenv("ZMC_ORACLE_HOST", "10.101.1.42", 1);
	setenv("ZMC_ORACLE_PORT", "1522", 1);
	setenv("ZMC_ORACLE_SERVICE_NAME", "rb", 1);
	setenv("ZMC_ORACLE_USERNAME", "zmc", 1);
	setenv("ZMC_ORACLE_PASSWORD", "smart", 1);
	setenv("ZMC_ORACLE_TIMEOUT", "15", 1);
	setenv("ZMC_ORACLE_POOL_MIN", "1", 1);
	setenv("ZMC_ORACLE_POOL_MAX", "4", 1);
	setenv("LABEL_SOURCE", "zmc-prod", 1);
	setenv("LABEL_CLUSTER", "bj", 1);
	setenv("LABEL_DATACENTER", "dc1", 1);
	setenv("SEVERITY_LEVEL_4", "warning", 1);
	setenv("SILENCE_USE_SILENCE_API", "false", 1);
	setenv("ALERTMANAGER_URL", "http://am1:9093/, https://am2:9443/prefix/", 1);
	setenv("SYNC_ALARM_LEVELS", "1,2", 1);
	setenv("LOG_LEVEL", "DEBUG", 1);
	setenv("LOG_FORMAT", "JSON", 1);
	/* Rule name beats the alias; empty variables count as unset. */
	setenv("DATABASE_USERNAME", "zmc_rule", 1);
	setenv("LABELS_CLUSTER", "", 1);
	setenv("SYNC_BATCH_SIZE", "", 1);
	raw = config_load("/nonexistent/zmcsync.conf", 0);
	CHECK(raw != NULL);
	if (raw == NULL)
		return;
	f = config_resolve(raw);
	CHECK(f != NULL);
	if (f != NULL) {
		CHECK_STR(f->db_host, "10.101.1.42");
		CHECK_INT(f->db_port, 1522);
		CHECK_STR(f->db_service_name, "rb");
		CHECK_STR(f->db_username, "zmc_rule");
		CHECK_STR(f->db_password, "smart");
		CHECK_INT(f->db_timeout, 15);
		CHECK_STR(f->label_source, "zmc-prod");
		CHECK_STR(f->label_cluster, "bj");
		CHECK_STR(f->label_datacenter, "dc1");
		CHECK_STR(f->severity[4], "warning");
		CHECK(!f->silence_use_api);
		CHECK_INT(f->am_urlsz, 2);
		if (f->am_urlsz == 2) {
			CHECK_STR(f->am_urls[0], "http://am1:9093");
			CHECK_STR(f->am_urls[1], "https://am2:9443/prefix");
		}
		CHECK(f->sync_levels[1] && f->sync_levels[2] &&
		    !f->sync_levels[3] && !f->sync_levels[4]);
		CHECK_INT(f->sync_batch_size, 100);
		CHECK_STR(f->log_level, "debug");
		CHECK_STR(f->log_format, "json");
	}
	V(raw, "database.host", &w);
	CHECK_STR(w, "env ZMC_ORACLE_HOST");
	V(raw, "database.username", &w);
	CHECK_STR(w, "env DATABASE_USERNAME");
	V(raw, "labels.cluster", &w);
	CHECK_STR(w, "env LABEL_CLUSTER");
	V(raw, "database.pool_max", &w);
	CHECK_STR(w, "env ZMC_ORACLE_POOL_MAX");
	CHECK_INT(nwarn + nerr, 0);
	config_free(raw);

	/*
	 * An invalid value under an unprefixed name (another program's
	 * LOG_LEVEL) is ignored with a warning naming it; the next name in
	 * line still counts.
	 */
	setenv("ZMC_ORACLE_PORT", "99999", 1);
	setenv("DATABASE_PORT", "", 1);
	setenv("SYNC_BATCH_SIZE", "lots", 1);
	setenv("LOG_LEVEL", "verbose", 1);
	raw = config_load("/nonexistent/zmcsync.conf", 0);
	CHECK(raw != NULL);
	CHECK(strstr(logtext(), "env ZMC_ORACLE_PORT: ignored, not a value for database.port (not a number between 1 and 65535); set ZMCSYNC_DATABASE_PORT for zmcsync") != NULL);
	CHECK(strstr(logtext(), "env SYNC_BATCH_SIZE: ignored") != NULL);
	CHECK(strstr(logtext(), "env LOG_LEVEL: ignored") != NULL);
	CHECK(strstr(logtext(), "smart") == NULL);
	if (raw != NULL) {
		V(raw, "log.level", &w);
		CHECK_STR(w, "default");
		CHECK(config_resolve(raw) != NULL);
	}
	config_free(raw);

	/* ZMCSYNC_ names win over the others; an invalid one stops. */
	setenv("ZMCSYNC_LOG_LEVEL", "warn", 1);
	setenv("LOG_LEVEL", "debug", 1);
	raw = config_load("/nonexistent/zmcsync.conf", 0);
	CHECK(raw != NULL);
	if (raw != NULL) {
		CHECK_STR(V(raw, "log.level", &w), "warn");
		CHECK_STR(w, "env ZMCSYNC_LOG_LEVEL");
	}
	config_free(raw);
	setenv("ZMCSYNC_SYNC_BATCH_SIZE", "lots", 1);
	raw = config_load("/nonexistent/zmcsync.conf", 0);
	CHECK(raw == NULL);
	CHECK(strstr(logtext(), "env ZMCSYNC_SYNC_BATCH_SIZE: not a number between 1 and 10000") != NULL);
	config_free(raw);
	cleanup();
}

TEST(test_unknown_and_invalid)
{
	struct config_raw	*raw;
	const char	*path;
	char		*want;

	reset();
	path = tmpfile_with("[sync]\n"
	    "batch_sise = 10\n"			/* 2: typo */
	    "heartbeat_interval = 60\n"
	    "\n"
	    "[alertmanager]\n"
	    "scan_interval = 60\n"		/* 6: wrong section */
	    "[bogus]\n"
	    "x = 1\n"				/* 8: unknown section */
	    "[empty]\n", 0600);
	raw = config_load(path, 1);
	CHECK(raw != NULL);
	want = xasprintf("config %s:2: unknown key sync.batch_sise "
	    "(did you mean sync.batch_size?)\n", path);
	CHECK(strstr(logtext(), want) != NULL);
	free(want);
	want = xasprintf("config %s:6: unknown key alertmanager.scan_interval "
	    "(did you mean sync.scan_interval?)\n", path);
	CHECK(strstr(logtext(), want) != NULL);
	free(want);
	want = xasprintf("config %s:8: unknown key bogus.x\n", path);
	CHECK(strstr(logtext(), want) != NULL);
	free(want);
	want = xasprintf("config %s:9: unknown section [empty]\n", path);
	CHECK(strstr(logtext(), want) != NULL);
	free(want);
	CHECK_INT(nwarn, 4);
	CHECK_INT(nerr, 0);
	CHECK_STR(V(raw, "sync.heartbeat_interval", NULL), "60");
	config_free(raw);

	/* Invalid values: every one reported with file:line, then NULL. */
	buf_free(&logged);
	nwarn = nerr = 0;
	path = tmpfile_with("[sync]\n"
	    "batch_size = 0\n"
	    "enabled = maybe\n"
	    "alarm_levels = 1,5\n"
	    "[database]\n"
	    "timezone = Asia/Shanghia\n"
	    "charset = NOPE-1\n"
	    "dialect = mysql\n"
	    "[zmc]\n"
	    "source = v; drop table x\n"
	    "[alertmanager]\n"
	    "url = ftp://x:9093\n"
	    "[silence]\n"
	    "match_labels = alertname, bad-name\n"
	    "[log]\n"
	    "level = loud\n", 0600);
	raw = config_load(path, 1);
	CHECK(raw == NULL);
#define HAS(line, rest) do { want = xasprintf("config %s:%d: %s\n", path, \
	line, rest); CHECK(strstr(logtext(), want) != NULL); \
	if (strstr(logtext(), want) == NULL) fprintf(stderr, "want %s", want); \
	free(want); } while (0)
	HAS(2, "sync.batch_size: not a number between 1 and 10000");
	HAS(3, "sync.enabled: not a boolean (true/false, yes/no, on/off, 1/0)");
	HAS(4, "sync.alarm_levels: level 5 is not between 0 and 4");
	HAS(6, "database.timezone: unknown time zone Asia/Shanghia (use an IANA name such as Asia/Shanghai)");
	HAS(7, "database.charset: unknown character set NOPE-1");
	HAS(8, "database.dialect: not one of auto|sqlite|postgresql|oracle");
	HAS(12, "alertmanager.url: must start with http:// or https://");
	HAS(14, "silence.match_labels: bad-name is not a label name");
	HAS(16, "log.level: not one of debug|info|warn|warning|error");
	CHECK(nerr >= 9);
	config_free(raw);

	/* The source view: "v; drop table x" is cut at ';' by the INI
	 * syntax, so check the identifier rule directly. */
	CHECK(config_check_value(config_key_find("zmc.source"), "ZMC.NM_ALARM_SYNC_SOURCE") == NULL);
	want = config_check_value(config_key_find("zmc.source"), "v x");
	CHECK(want != NULL);
	free(want);

	/* Syntax errors carry the line too. */
	buf_free(&logged);
	path = tmpfile_with("[sync]\nbatch_size = 5\nthis is not ini\n", 0600);
	raw = config_load(path, 1);
	CHECK(raw == NULL);
	HAS(3, "syntax error, expected [section] or key = value");
	cleanup();
}

TEST(test_cross_checks)
{
	struct config_raw	*raw;
	const char	*path;

	reset();
	path = tmpfile_with("[sync]\nheartbeat_interval = 300\n"
	    "alert_ttl = 300\n", 0600);
	raw = config_load(path, 1);
	CHECK(raw != NULL);
	if (raw == NULL)
		return;
	CHECK(config_resolve(raw) == NULL);
	CHECK(strstr(logtext(), ":3: sync.alert_ttl: 300 must be greater than sync.heartbeat_interval (300)") != NULL);
	/* A higher source can repair it. */
	CHECK_INT(config_apply_table(raw, "SYNC", "ALERT_TTL", "900"), 0);
	CHECK(config_resolve(raw) != NULL);
	config_free(raw);

	/* severity_filter naming an unmapped severity: warning, once. */
	buf_free(&logged);
	nwarn = 0;
	setenv("SYNC_SEVERITY_FILTER", "critical, page", 1);
	raw = config_load(NULL, 0);
	CHECK(raw != NULL);
	if (raw == NULL)
		return;
	CHECK(config_resolve(raw) != NULL);
	CHECK(config_resolve(raw) != NULL);
	CHECK_INT(nwarn, 1);
	CHECK(strstr(logtext(), "env SYNC_SEVERITY_FILTER: no ZMC level maps to severity page") != NULL);
	CHECK_INT(config_apply_table(raw, "SEVERITY", "LEVEL_0", "page"), 0);
	CHECK(config_resolve(raw) != NULL);
	CHECK_INT(nwarn, 1);
	config_free(raw);

	/* pool_min > pool_max */
	unsetenv("SYNC_SEVERITY_FILTER");
	setenv("ZMC_ORACLE_POOL_MIN", "20", 1);
	raw = config_load(NULL, 0);
	CHECK(raw != NULL && config_resolve(raw) == NULL);
	CHECK(strstr(logtext(), "env ZMC_ORACLE_POOL_MIN: greater than database.pool_max") != NULL);
	config_free(raw);
	cleanup();
}

TEST(test_table)
{
	struct config_raw		*raw;
	const struct config	*f;
	const char		*w;

	reset();
	raw = config_load(NULL, 0);
	CHECK(raw != NULL);
	if (raw == NULL)
		return;
	CHECK_INT(config_apply_table(raw, "DATABASE", "TIMEOUT", "5"), 0);
	CHECK(strstr(logtext(), "table DATABASE.TIMEOUT: ignored, database settings come only from the file or environment") != NULL);
	CHECK_INT(config_apply_table(raw, "ALERTMANAGER", "PASSWORD", "x"), 0);
	CHECK(strstr(logtext(), "table ALERTMANAGER.PASSWORD: ignored, secrets come only from the file or environment") != NULL);
	CHECK_INT(config_apply_table(raw, "SYNC", "NOPE", "1"), 0);
	CHECK(strstr(logtext(), "table SYNC.NOPE: unknown key, ignored") != NULL);
	CHECK_INT(config_apply_table(raw, "SYNC", "BATCH_SIZE", "x"), -1);
	CHECK(strstr(logtext(), "table SYNC.BATCH_SIZE: not a number between 1 and 10000") != NULL);
	CHECK_INT(config_apply_table(raw, "SYNC", "BATCH_SIZE", NULL), 0);
	CHECK_INT(config_apply_table(raw, "SYNC", "ENABLED", "0"), 0);
	CHECK_INT(config_apply_table(raw, "ALERTMANAGER", "URL", "http://x:1"), 0);
	f = config_resolve(raw);
	CHECK(f != NULL);
	if (f != NULL) {
		CHECK_INT(f->db_timeout, 30);
		CHECK_STR(f->am_password, "");
		CHECK(!f->sync_enabled);
		CHECK_INT(f->sync_batch_size, 100);
		CHECK_STR(f->am_urls[0], "http://x:1");
	}
	V(raw, "database.timeout", &w);
	CHECK_STR(w, "default");
	config_free(raw);
	cleanup();
}

TEST(test_secrets)
{
	struct config_raw		*raw;
	const struct config	*f;
	const struct cfg_key	*k;
	const char		*pwfile, *tokfile, *path;
	char			*text, *want;
	enum cfg_source		 src;

	reset();
	pwfile = tmpfile_with("s3cret-db\n", 0600);
	tokfile = tmpfile_with("tok-123\r\n", 0644);	/* world-readable */
	text = xasprintf("[database]\n"
	    "connection = \"DRIVER={Oracle};DBQ=//h:1521/rb;UID=zmc;PWD=smart;\"\n"
	    "password_file = %s\n"
	    "[alertmanager]\n"
	    "username = admin\n"
	    "password = am-pass\n"
	    "bearer_token_file = %s\n", pwfile, tokfile);
	path = tmpfile_with(text, 0600);
	free(text);
	raw = config_load(path, 1);
	CHECK(raw != NULL);
	if (raw == NULL)
		return;
	f = config_resolve(raw);
	CHECK(f != NULL);
	if (f != NULL) {
		CHECK_STR(f->db_password, "s3cret-db");
		CHECK_STR(f->am_password, "am-pass");
		CHECK_STR(f->am_bearer_token, "tok-123");
		CHECK_STR(f->db_connection,
		    "DRIVER={Oracle};DBQ=//h:1521/rb;UID=zmc;PWD=smart;");
	}
	k = config_key_find("alertmanager.password");
	CHECK_STR(config_value(raw, k, 1, &src, NULL), "********");
	CHECK_INT(src, SRC_FILE);
	CHECK_STR(config_value(raw, k, 0, NULL, NULL), "am-pass");
	CHECK_STR(config_value(raw, config_key_find("database.password"), 1,
	    NULL, NULL), "");
	CHECK_STR(config_value(raw, config_key_find("database.connection"), 1,
	    NULL, NULL), "DRIVER={Oracle};DBQ=//h:1521/rb;UID=zmc;PWD=********;");
	CHECK_STR(config_value(raw, config_key_find("database.password_file"),
	    1, NULL, NULL), pwfile);
	/* The world-readable token file is warned about, by name only. */
	want = xasprintf("%s is readable by everyone", tokfile);
	CHECK(strstr(logtext(), want) != NULL);
	free(want);
	/* Both basic auth and token: a warning too. */
	CHECK(strstr(logtext(), "the bearer token is used") != NULL);
	CHECK(strstr(logtext(), "tok-123") == NULL);
	CHECK(strstr(logtext(), "s3cret") == NULL);
	config_free(raw);

	/* Missing secret file: error names the file, resolve fails. */
	buf_free(&logged);
	setenv("DATABASE_PASSWORD_FILE", "/nonexistent/pw", 1);
	raw = config_load(NULL, 0);
	CHECK(raw != NULL && config_resolve(raw) == NULL);
	CHECK(strstr(logtext(), "env DATABASE_PASSWORD_FILE: /nonexistent/pw: No such file or directory") != NULL);
	config_free(raw);
	/* An inline password from a higher source wins over the file. */
	unsetenv("DATABASE_PASSWORD_FILE");
	text = xasprintf("[database]\npassword_file = /nonexistent/pw\n");
	path = tmpfile_with(text, 0600);
	free(text);
	setenv("DATABASE_PASSWORD", "envpw", 1);
	raw = config_load(path, 1);
	CHECK(raw != NULL);
	f = raw != NULL ? config_resolve(raw) : NULL;
	CHECK(f != NULL && strcmp(f->db_password, "envpw") == 0);
	config_free(raw);
	unsetenv("DATABASE_PASSWORD");
	/* Both from the same source: error. */
	buf_free(&logged);
	setenv("DATABASE_PASSWORD_FILE", pwfile, 1);
	setenv("DATABASE_PASSWORD", "x", 1);
	raw = config_load(NULL, 0);
	CHECK(raw != NULL && config_resolve(raw) == NULL);
	CHECK(strstr(logtext(), "set only one of database.password and database.password_file") != NULL);
	config_free(raw);

	/* Connection-string masking forms. */
	unsetenv("DATABASE_PASSWORD_FILE");
	unsetenv("DATABASE_PASSWORD");
	setenv("DATABASE_CONNECTION", "Driver=PostgreSQL;Server=h;password={a;b}}c};Uid=u", 1);
	raw = config_load(NULL, 0);
	CHECK(raw != NULL);
	if (raw != NULL) {
		CHECK_STR(config_value(raw, config_key_find("database.connection"),
		    1, NULL, NULL), "Driver=PostgreSQL;Server=h;password=********;Uid=u");
		config_free(raw);
	}
	/* Blanks around '=' and Oracle's UID=user/password are masked too. */
	setenv("DATABASE_CONNECTION", "DSN=zmc; PWD = Blank5pw ;UID=zmc/Tiger9pw@rb", 1);
	raw = config_load(NULL, 0);
	CHECK(raw != NULL);
	if (raw != NULL) {
		CHECK_STR(config_value(raw, config_key_find("database.connection"),
		    1, NULL, NULL), "DSN=zmc; PWD = ********;UID=zmc/********@rb");
		config_free(raw);
	}
	unsetenv("DATABASE_CONNECTION");
	cleanup();
}

/* A line iniparser cannot hold: one error with its line number. */
TEST(test_long_line)
{
	struct buf	 b = { 0 };
	struct config_raw	*raw;
	const char	*path, *p;
	char		*big;
	int		 n = 0;

	reset();
	big = xmalloc(1024 * 1024 + 1);
	memset(big, 'a', 1024 * 1024);
	big[1024 * 1024] = '\0';
	buf_printf(&b, "[sync]\nbatch_size = 10\n# comment\nx = %s\n[log]\nlevel = info\n", big);
	path = tmpfile_with(b.s, 0600);
	raw = config_load(path, 1);
	CHECK(raw == NULL);
	config_free(raw);
	for (p = logtext(); (p = strstr(p, "config ")) != NULL; p++)
		n++;
	CHECK_INT(n, 1);
	CHECK(strstr(logtext(), ":4: line too long (more than 1022 bytes)") != NULL);
	CHECK(strstr(logtext(), "syntax error") == NULL);
	/* 1022 bytes still fit */
	buf_free(&b);
	big[1022 - 4] = '\0';
	buf_printf(&b, "[labels]\n#%s\ncluster = %s\n", big, big + 10);
	path = tmpfile_with(b.s, 0600);
	reset();
	raw = config_load(path, 1);
	CHECK(raw != NULL);
	config_free(raw);
	buf_free(&b);
	free(big);
	cleanup();
}

/* After config_resolve, every message is cleared of the secrets in force. */
TEST(test_secret_registry)
{
	struct config_raw	*raw;
	char		*r;

	reset();
	setenv("DATABASE_CONNECTION", "DSN=zmc;PWD = Conn5ecret;UID=zmc/Tiger9pw", 1);
	setenv("ALERTMANAGER_USERNAME", "zmc", 1);
	setenv("ALERTMANAGER_PASSWORD", "pw-Секрет-1", 1);
	setenv("ALERTMANAGER_BEARER_TOKEN", "tok-abc-123", 1);
	setenv("ALERTMANAGER_HEADERS", "X-Api-Key: Key4242; X-Scope-OrgID: tenant-7; "
	    "Authorization: Basic QmFzaWMx", 1);
	raw = config_load(NULL, 0);
	CHECK(raw != NULL && config_resolve(raw) != NULL);
	/* an error body echoing the request's headers */
	log_warn("alertmanager x: 400 Authorization: Basic em1jOnB3LdCh0LXQutGA0LXRgi0x "
	    "Bearer tok-abc-123 pw-Секрет-1 Conn5ecret Tiger9pw "
	    "dG9rLWFiYy0xMjM= Key4242 QmFzaWMx tenant-7");
	CHECK(strstr(logtext(), "tenant-7") != NULL);
	CHECK(strstr(logtext(), "Basic ********") != NULL);
	CHECK(strstr(logtext(), "Bearer ********") != NULL);
	CHECK(strstr(logtext(), "em1j") == NULL);
	CHECK(strstr(logtext(), "dG9rLWFiYy0xMjM=") == NULL);
	CHECK(strstr(logtext(), "tok-abc") == NULL);
	CHECK(strstr(logtext(), "Секрет") == NULL);
	CHECK(strstr(logtext(), "Conn5ecret") == NULL);
	CHECK(strstr(logtext(), "Tiger9pw") == NULL);
	CHECK(strstr(logtext(), "Key4242") == NULL);
	CHECK(strstr(logtext(), "QmFzaWMx") == NULL);
	/* base64 of the basic-auth credential alone */
	r = secret_redact("em1jOnB3LdCh0LXQutGA0LXRgi0x");
	CHECK_STR(r, "********");
	free(r);
	/* config show masks the header credential */
	CHECK(strstr(config_value(raw, config_key_find("alertmanager.headers"), 1,
	    NULL, NULL), "Key4242") == NULL);
	CHECK(strstr(config_value(raw, config_key_find("alertmanager.headers"), 1,
	    NULL, NULL), "tenant-7") != NULL);
	config_free(raw);
	unsetenv("DATABASE_CONNECTION");
	unsetenv("ALERTMANAGER_USERNAME");
	unsetenv("ALERTMANAGER_PASSWORD");
	unsetenv("ALERTMANAGER_BEARER_TOKEN");
	unsetenv("ALERTMANAGER_HEADERS");
	secret_clear();
	cleanup();
}

TEST(test_quoting)
{
	struct config_raw		*raw;
	const struct config	*f;
	const char		*path;

	reset();
	/* Unquoted ';' in a connection string would silently cut it. */
	path = tmpfile_with("[database]\nconnection = DSN=zmc;PWD=x\n", 0600);
	raw = config_load(path, 1);
	CHECK(raw == NULL);
	CHECK(strstr(logtext(), ":2: database.connection: ';' and '#' start a comment, put the value in double quotes") != NULL);
	CHECK(strstr(logtext(), "PWD=x") == NULL);
	buf_free(&logged);
	nwarn = nerr = 0;
	path = tmpfile_with("[alertmanager]\n"
	    "headers = \"X-Scope-OrgID: ops; X-Env:  prod \"\n"
	    "timeout = 10 ; seconds\n"
	    "[sync]\n"
	    "enabled = YES\n"
	    "[silence]\n"
	    "use_silence_api = off\n"
	    "auto_remove_on_clear = 0\n"
	    "[labels]\n"
	    "cluster =\n", 0600);
	raw = config_load(path, 1);
	CHECK(raw != NULL);
	if (raw == NULL)
		return;
	CHECK_INT(nwarn + nerr, 0);
	f = config_resolve(raw);
	CHECK(f != NULL);
	if (f != NULL) {
		CHECK_INT(f->am_headersz, 2);
		if (f->am_headersz == 2) {
			CHECK_STR(f->am_headers[0].name, "X-Scope-OrgID");
			CHECK_STR(f->am_headers[0].value, "ops");
			CHECK_STR(f->am_headers[1].name, "X-Env");
			CHECK_STR(f->am_headers[1].value, "prod");
		}
		CHECK_INT(f->am_timeout, 10);
		CHECK(f->sync_enabled);
		CHECK(!f->silence_use_api);
		CHECK(!f->silence_auto_remove);
		CHECK_STR(f->label_cluster, "");
	}
	config_free(raw);
	cleanup();
}

TEST(test_check_value)
{
	const struct cfg_key	*k;
	char			*r;
	size_t			 i;
	static const struct {
		const char	*key, *value;
		int		 ok;
	} cases[] = {
		{ "sync.enabled", "TRUE", 1 }, { "sync.enabled", "no", 1 },
		{ "sync.enabled", "On", 1 }, { "sync.enabled", "2", 0 },
		{ "sync.alarm_levels", "0,1,2,3,4", 1 },
		{ "sync.alarm_levels", " 1 , 2 ", 1 },
		{ "sync.alarm_levels", "", 0 }, { "sync.alarm_levels", "x", 0 },
		{ "sync.severity_filter", "critical,error", 1 },
		{ "sync.severity_filter", "Critical", 0 },
		{ "severity.level_1", "page_now", 1 },
		{ "severity.level_1", "", 0 },
		{ "severity.level_1", "two words", 0 },
		{ "alertmanager.url", "http://a:9093,https://b/am/", 1 },
		{ "alertmanager.url", "http://[::1]:9093", 1 },
		{ "alertmanager.url", "http://user:pw@a:9093", 0 },
		{ "alertmanager.url", "http://:9093", 0 },
		{ "alertmanager.url", "http://a:99999", 0 },
		{ "alertmanager.url", "http://a:9093/?x=1", 0 },
		{ "alertmanager.url", "", 0 },
		{ "alertmanager.generator_url", "https://zmc.example/alarm?id=1", 1 },
		{ "alertmanager.generator_url", "zmc", 0 },
		{ "alertmanager.headers", "Bad Name: x", 0 },
		{ "alertmanager.headers", "NoColon", 0 },
		{ "alertmanager.api_version", "v2", 1 },
		{ "alertmanager.api_version", "V2", 1 },
		{ "alertmanager.api_version", "v1", 0 },
		{ "silence.match_labels", "", 0 },
		{ "database.timezone", "Asia/Shanghai", 1 },
		{ "database.timezone", "", 1 },
		{ "database.charset", "ZHS16GBK", 1 },
		{ "database.dialect", "Oracle", 1 },
		{ "state.dir", "", 0 },
		{ "log.format", "json", 1 }, { "log.format", "xml", 0 },
		{ "labels.cluster", "北京", 1 },
		{ "labels.cluster", "a\nb", 0 },
		{ "labels.cluster", "\xff", 0 },
	};

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		k = config_key_find(cases[i].key);
		CHECK(k != NULL);
		if (k == NULL)
			continue;
		r = config_check_value(k, cases[i].value);
		if ((r == NULL) != cases[i].ok) {
			CHECK(!"config_check_value");
			fprintf(stderr, "  %s = \"%s\": %s\n", cases[i].key,
			    cases[i].value, r != NULL ? r : "accepted");
		}
		free(r);
	}
	CHECK(config_key_find("SYNC.BATCH_SIZE") != NULL);
	CHECK(config_key_find("sync") == NULL);
	CHECK(config_key_find("nope.x") == NULL);
}

/*
 * Every key: default valid, help present, no duplicate names, a field of
 * its own in struct config (lists with their count).
 */
TEST(test_key_table)
{
	const struct cfg_key	*k;
	size_t			 n, i, j;
	char			*r;

	k = config_keys(&n);
	CHECK(n >= 60);
	for (i = 0; i < n; i++) {
		CHECK(k[i].help != NULL && *k[i].help != '\0');
		for (j = i + 1; j < n; j++) {
			CHECK(!(strcmp(k[i].group, k[j].group) == 0 &&
			    strcmp(k[i].name, k[j].name) == 0));
			CHECK(k[i].off != k[j].off);
		}
		CHECK(k[i].off < sizeof(struct config));
		if (k[i].type == CFGT_LIST || k[i].type == CFGT_URLS ||
		    k[i].type == CFGT_HEADERS)
			CHECK(k[i].offn > k[i].off &&
			    k[i].offn < sizeof(struct config));
		else
			CHECK(k[i].offn == 0);
		if (strcmp(k[i].group, "database") == 0)
			CHECK(!k[i].table_ok);
		if (k[i].type == CFGT_SECRET)
			CHECK(!k[i].table_ok);
		/* Every default must itself pass (empty ones included). */
		{
			r = config_check_value(&k[i], k[i].def);
			if (r != NULL)
				fprintf(stderr, "  default of %s.%s: %s\n",
				    k[i].group, k[i].name, r);
			CHECK(r == NULL);
			free(r);
		}
	}
}

/* sync.lease_seconds and sync.instance_id: derived defaults, the table, limits. */
TEST(test_lease_keys)
{
	struct config_raw		*raw;
	const struct config	*f;
	const char		*path;
	char			 host[256], *want;

	reset();
	path = tmpfile_with("[sync]\nscan_interval = 15\n[state]\ndir = /srv/zs\n", 0600);
	raw = config_load(path, 1);
	CHECK(raw != NULL);
	if (raw == NULL)
		return;
	CHECK((f = config_resolve(raw)) != NULL);
	if (f == NULL)
		return;
	CHECK_INT(f->sync_lease_seconds, 30);
	CHECK(gethostname(host, sizeof(host)) == 0);
	want = xasprintf("%s:/srv/zs", host);
	CHECK_STR(f->sync_instance_id, want);
	free(want);
	CHECK_INT(nwarn, 0);
	/* The table may set the lease, never the instance id (each host has its own). */
	CHECK_INT(config_apply_table(raw, "SYNC", "LEASE_SECONDS", "45"), 0);
	CHECK(config_apply_table(raw, "SYNC", "INSTANCE_ID", "shared") == 0);
	CHECK((f = config_resolve(raw)) != NULL);
	CHECK_INT(f->sync_lease_seconds, 45);
	CHECK(strcmp(f->sync_instance_id, "shared") != 0);
	CHECK(strstr(logtext(), "table SYNC.INSTANCE_ID: ignored, per-host settings come only from the file or environment") != NULL);
	nwarn = 0;
	/* A lease no longer than the cron period: warned about. */
	CHECK_INT(config_apply_table(raw, "SYNC", "LEASE_SECONDS", "15"), 0);
	CHECK((f = config_resolve(raw)) != NULL);
	CHECK_INT(nwarn, 1);
	CHECK(strstr(logtext(), "table SYNC.LEASE_SECONDS: 15 is not more than sync.scan_interval (15)") != NULL);
	CHECK(config_apply_table(raw, "SYNC", "LEASE_SECONDS", "0") != 0);
	config_free(raw);
	setenv("SYNC_INSTANCE_ID", "zmc-a", 1);
	raw = config_load(path, 1);
	CHECK(raw != NULL);
	if (raw == NULL)
		return;
	CHECK((f = config_resolve(raw)) != NULL);
	if (f != NULL)
		CHECK_STR(f->sync_instance_id, "zmc-a");
	config_free(raw);
	unsetenv("SYNC_INSTANCE_ID");
}

/* Finds conf/ or man/ whether run from the top or from build/. */
static FILE *
open_top(const char *rel, char *path, size_t sz)
{
	FILE	*f;

	snprintf(path, sz, "%s", rel);
	if ((f = fopen(path, "r")) != NULL)
		return f;
	snprintf(path, sz, "../%s", rel);
	return fopen(path, "r");
}

TEST(test_example_file)
{
	struct config_raw		*raw;
	const struct config	*f;
	char			 path[256];
	FILE			*fp;

	reset();
	if ((fp = open_top("conf/zmcsync.conf", path, sizeof(path))) == NULL) {
		CHECK(!"conf/zmcsync.conf is missing");
		return;
	}
	fclose(fp);
	raw = config_load(path, 1);
	CHECK(raw != NULL);
	if (raw == NULL) {
		fprintf(stderr, "%s", logtext());
		return;
	}
	f = config_resolve(raw);
	CHECK(f != NULL);
	CHECK_INT(nwarn, 0);
	CHECK_INT(nerr, 0);
	if (nwarn + nerr > 0)
		fprintf(stderr, "%s", logtext());
	config_free(raw);
	cleanup();
}

/*
 * The example file mentions every key: as "key = " or "# key = " under
 * its [group] (commented or not).
 */
TEST(test_example_complete)
{
	const struct cfg_key	*k;
	size_t			 n, i;
	char			 path[256], line[1024], group[64] = "", *p, *e;
	int			 seen[128] = { 0 }, idx;
	FILE			*fp;

	k = config_keys(&n);
	if ((fp = open_top("conf/zmcsync.conf", path, sizeof(path))) == NULL) {
		CHECK(!"conf/zmcsync.conf is missing");
		return;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		p = line;
		if (*p == '#' || *p == ';')
			p++;
		while (*p == ' ')
			p++;
		if (*p == '[' && (e = strchr(p, ']')) != NULL) {
			snprintf(group, sizeof(group), "%.*s", (int)(e - p - 1), p + 1);
			continue;
		}
		if ((e = strstr(p, " =")) == NULL)
			continue;
		for (i = 0; i < n; i++)
			if (strcmp(k[i].group, group) == 0 &&
			    strlen(k[i].name) == (size_t)(e - p) &&
			    strncmp(k[i].name, p, (size_t)(e - p)) == 0)
				seen[i] = 1;
	}
	fclose(fp);
	for (idx = 0; idx < (int)n && idx < 128; idx++)
		if (!seen[idx]) {
			CHECK(!"key missing from conf/zmcsync.conf");
			fprintf(stderr, "  missing %s.%s\n", k[idx].group,
			    k[idx].name);
		}
}

/*
 * The man page documents every key as ".It Cm name" inside the
 * subsection ".Ss [group]", and nothing else there.
 */
TEST(test_man_page)
{
	const struct cfg_key	*k;
	size_t			 n, i;
	char			 path[256], line[1024], group[64] = "", *p;
	int			 seen[128] = { 0 }, idx, found;
	FILE			*fp;

	k = config_keys(&n);
	if ((fp = open_top("man/zmcsync.conf.5", path, sizeof(path))) == NULL) {
		CHECK(!"man/zmcsync.conf.5 is missing");
		return;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, ".Sh ", 4) == 0)
			group[0] = '\0';
		if (strncmp(line, ".Ss [", 5) == 0 &&
		    (p = strchr(line + 5, ']')) != NULL) {
			snprintf(group, sizeof(group), "%.*s",
			    (int)(p - line - 5), line + 5);
			continue;
		}
		if (group[0] == '\0' || strncmp(line, ".It Cm ", 7) != 0)
			continue;
		for (i = 0, found = 0; i < n; i++)
			if (strcmp(k[i].group, group) == 0 &&
			    strcmp(k[i].name, line + 7) == 0) {
				seen[i] = found = 1;
			}
		if (!found) {
			CHECK(!"man page documents an unknown key");
			fprintf(stderr, "  [%s] %s\n", group, line + 7);
		}
	}
	fclose(fp);
	for (idx = 0; idx < (int)n && idx < 128; idx++)
		if (!seen[idx]) {
			CHECK(!"key missing from man/zmcsync.conf.5");
			fprintf(stderr, "  missing %s.%s\n", k[idx].group,
			    k[idx].name);
		}
}

int
main(void)
{
	RUN(test_defaults);
	RUN(test_precedence);
	RUN(test_env_aliases);
	RUN(test_unknown_and_invalid);
	RUN(test_cross_checks);
	RUN(test_table);
	RUN(test_secrets);
	RUN(test_quoting);
	RUN(test_check_value);
	RUN(test_secret_registry);
	RUN(test_long_line);
	RUN(test_key_table);
	RUN(test_lease_keys);
	RUN(test_example_file);
	RUN(test_example_complete);
	RUN(test_man_page);
	buf_free(&logged);
	return DONE();
}
