/*
 * test_metrics: exposition format (metrics, expfmt), persistence across
 * runs through the state file and the previous textfile, atomic textfile
 * writes.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "action.h"
#include "expfmt.h"
#include "metrics.h"
#include "state.h"
#include "t.h"
#include "util.h"

static char tmpdir[64];

static void
rm_rf(const char *path)
{
	char *cmd = xasprintf("rm -rf '%s'", path);

	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", path);
	free(cmd);
}

/* 1 if text has line (whole line). */
static int
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return 1;
		p++;
	}
	return 0;
}

/* The value of the sample line starting with "prefix " in text, or -1. */
static double
value_of(const char *text, const char *prefix)
{
	char *want = xasprintf("\n%s ", prefix);
	const char *p = strstr(text, want);
	double v = -1;

	if (p != NULL)
		v = strtod(p + strlen(want), NULL);
	free(want);
	return v;
}

static char *
slurp(const char *path)
{
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return buf_release(&b);
}

TEST(test_families_sorted_and_presets)
{
	static const char *const fams[] = {
		"zmc_active_alarms", "zmc_alarms_in_error",
		"zmc_alarms_processed_total",
		"zmc_alertmanager_request_duration_seconds",
		"zmc_alertmanager_request_errors_total",
		"zmc_alertmanager_requests_total", "zmc_build_info",
		"zmc_db_query_duration_seconds", "zmc_db_statements_total",
		"zmc_errors_total",
		"zmc_last_success_timestamp_seconds",
		"zmc_last_sync_timestamp_seconds", "zmc_lease_held",
		"zmc_state_file_ok",
		"zmc_sync_duration_seconds", "zmc_sync_service_up",
		"zmc_sync_total",
	};
	char *t, *help, *type, *line;
	const char *prev = NULL, *p;
	size_t i;

	/* the table has a row per id, in the order of the ids */
	CHECK_INT(MET__COUNT, sizeof(fams) / sizeof(fams[0]));
	for (i = 0; i < sizeof(fams) / sizeof(fams[0]); i++)
		CHECK_STR(metrics_name((enum metric_id)i), fams[i]);
	CHECK(metrics_name(MET__COUNT) == NULL);
	CHECK(metrics_name((enum metric_id)-1) == NULL);
	metrics_init(NULL);
	t = metrics_render();
	for (i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
		help = xasprintf("# HELP %s ", fams[i]);
		type = xasprintf("# TYPE %s ", fams[i]);
		p = strstr(t, help);
		CHECK(p != NULL);
		CHECK(strstr(t, type) != NULL);
		CHECK(p == NULL || prev == NULL || p > prev);	/* sorted */
		if (p != NULL)
			prev = p;
		free(help);
		free(type);
	}
	CHECK(has_line(t, "# TYPE zmc_sync_total counter"));
	CHECK(has_line(t, "# TYPE zmc_sync_duration_seconds histogram"));
	CHECK(has_line(t, "# TYPE zmc_active_alarms gauge"));
	CHECK(has_line(t, "zmc_sync_total{result=\"success\"} 0"));
	CHECK(has_line(t, "zmc_sync_total{result=\"partial\"} 0"));
	CHECK(has_line(t, "zmc_sync_total{result=\"failed\"} 0"));
	CHECK(!has_line(t, "zmc_sync_total{result=\"skipped\"} 0"));
	CHECK(has_line(t, "zmc_sync_total{result=\"disabled\"} 0"));
	CHECK(has_line(t, "zmc_sync_total{result=\"standby\"} 0"));
	CHECK(has_line(t, "zmc_sync_total{result=\"lease_lost\"} 0"));
	CHECK(has_line(t, "zmc_errors_total{type=\"db\"} 0"));
	CHECK(has_line(t, "zmc_alarms_processed_total{action=\"expire_silence\"} 0"));
	for (i = 0; i < ACT__COUNT; i++) {
		line = xasprintf("zmc_alarms_processed_total{action=\"%s\"} 0",
		    action_name((enum action_kind)i));
		CHECK(has_line(t, line));
		free(line);
	}
	CHECK(has_line(t, "zmc_build_info{version=\"" ZMCSYNC_VERSION "\"} 1"));
	CHECK(has_line(t, "zmc_state_file_ok 0"));
	CHECK(has_line(t, "zmc_sync_duration_seconds_count 0"));
	/* gauges only appear once set */
	CHECK(strstr(t, "\nzmc_sync_service_up ") == NULL);
	CHECK(strstr(t, "\nzmc_last_success_timestamp_seconds ") == NULL);
	/* no timestamps: every sample line has exactly one space */
	for (p = t; *p != '\0'; p = strchr(p, '\n') + 1) {
		const char *e = strchr(p, '\n');
		const char *sp = memchr(p, ' ', (size_t)(e - p));

		if (*p != '#')
			CHECK(sp != NULL && memchr(sp + 1, ' ', (size_t)(e - sp - 1)) == NULL);
	}
	CHECK(t[strlen(t) - 1] == '\n');
	free(t);
	metrics_free();
}

TEST(test_values_and_escaping)
{
	char *t;

	metrics_init(NULL);
	metrics_add(MET_SYNC_TOTAL, "success", 1);
	metrics_add(MET_SYNC_TOTAL, "success", 2);
	metrics_add(MET_ALERTMANAGER_REQUESTS_TOTAL, "http://a\"b\\c\nd", 1);
	metrics_set(MET_LAST_SYNC_TIMESTAMP_SECONDS, NULL, 1700000000.5);
	metrics_set(MET_SYNC_SERVICE_UP, NULL, 1);
	metrics_set(MET_ACTIVE_ALARMS, "critical", 3);
	metrics_set(MET_ACTIVE_ALARMS, "error", 1);
	metrics_reset(MET_ACTIVE_ALARMS);
	metrics_set(MET_ACTIVE_ALARMS, "warning", 2);
	metrics_set(MET_ALARMS_IN_ERROR, NULL, 0.1);
	metrics_set(MET_STATE_FILE_OK, NULL, 1e20);
	metrics_set(MET_LAST_SUCCESS_TIMESTAMP_SECONDS, NULL, 0.1 + 0.2);
	/* programming errors: ignored, no series created */
	metrics_add((enum metric_id)MET__COUNT, NULL, 1);	/* no such family */
	metrics_add((enum metric_id)-1, "x", 1);
	metrics_set((enum metric_id)MET__COUNT, NULL, 1);
	metrics_observe((enum metric_id)MET__COUNT, NULL, 1);
	metrics_reset((enum metric_id)MET__COUNT);
	metrics_add(MET_SYNC_SERVICE_UP, NULL, 1);	/* gauge */
	metrics_add(MET_DB_STATEMENTS_TOTAL, "x", 1);	/* label it lacks */
	metrics_add(MET_SYNC_TOTAL, NULL, 1);		/* label missing */
	metrics_reset(MET_SYNC_TOTAL);			/* not a gauge */
	metrics_add(MET_SYNC_TOTAL, "success", -1);	/* decrease */
	metrics_set(MET_SYNC_TOTAL, "success", 0);	/* counter */
	metrics_observe(MET_SYNC_TOTAL, "success", 1);
	t = metrics_render();
	CHECK(has_line(t, "zmc_sync_total{result=\"success\"} 3"));
	CHECK(has_line(t, "zmc_alertmanager_requests_total{url=\"http://a\\\"b\\\\c\\nd\"} 1"));
	CHECK(has_line(t, "zmc_last_sync_timestamp_seconds 1700000000.5"));
	CHECK(has_line(t, "zmc_sync_service_up 1"));
	CHECK(has_line(t, "zmc_active_alarms{severity=\"warning\"} 2"));
	CHECK(strstr(t, "severity=\"critical\"") == NULL);
	CHECK(has_line(t, "zmc_alarms_in_error 0.1"));
	CHECK(has_line(t, "zmc_state_file_ok 1e+20"));
	/* shortest form that reads back exactly */
	CHECK(has_line(t, "zmc_last_success_timestamp_seconds 0.30000000000000004"));
	CHECK(strstr(t, "zmc_db_statements_total{") == NULL);
	CHECK(has_line(t, "zmc_db_statements_total 0"));
	CHECK(strstr(t, "\nzmc_sync_total ") == NULL);
	free(t);
	metrics_free();
}

TEST(test_histogram)
{
	char *t;

	metrics_init(NULL);
	metrics_observe(MET_SYNC_DURATION_SECONDS, NULL, 0.3);
	metrics_observe(MET_SYNC_DURATION_SECONDS, NULL, 0.5);	/* le is inclusive */
	metrics_observe(MET_SYNC_DURATION_SECONDS, NULL, 3);
	metrics_observe(MET_SYNC_DURATION_SECONDS, NULL, 200);
	metrics_observe(MET_ALERTMANAGER_REQUEST_DURATION_SECONDS, "http://am:9093", 0.02);
	t = metrics_render();
	CHECK(has_line(t, "zmc_sync_duration_seconds_bucket{le=\"0.1\"} 0"));
	CHECK(has_line(t, "zmc_sync_duration_seconds_bucket{le=\"0.25\"} 0"));
	CHECK(has_line(t, "zmc_sync_duration_seconds_bucket{le=\"0.5\"} 2"));
	CHECK(has_line(t, "zmc_sync_duration_seconds_bucket{le=\"1\"} 2"));
	CHECK(has_line(t, "zmc_sync_duration_seconds_bucket{le=\"5\"} 3"));
	CHECK(has_line(t, "zmc_sync_duration_seconds_bucket{le=\"120\"} 3"));
	CHECK(has_line(t, "zmc_sync_duration_seconds_bucket{le=\"+Inf\"} 4"));
	CHECK(has_line(t, "zmc_sync_duration_seconds_sum 203.8"));
	CHECK(has_line(t, "zmc_sync_duration_seconds_count 4"));
	CHECK(value_of(t, "zmc_sync_duration_seconds_bucket{le=\"+Inf\"}") ==
	    value_of(t, "zmc_sync_duration_seconds_count"));
	CHECK(has_line(t, "zmc_alertmanager_request_duration_seconds_bucket{url=\"http://am:9093\",le=\"0.01\"} 0"));
	CHECK(has_line(t, "zmc_alertmanager_request_duration_seconds_bucket{url=\"http://am:9093\",le=\"0.025\"} 1"));
	CHECK(has_line(t, "zmc_alertmanager_request_duration_seconds_bucket{url=\"http://am:9093\",le=\"+Inf\"} 1"));
	CHECK(has_line(t, "zmc_alertmanager_request_duration_seconds_count{url=\"http://am:9093\"} 1"));
	CHECK(has_line(t, "zmc_db_query_duration_seconds_bucket{le=\"0.005\"} 0"));
	/* order inside a histogram: buckets ascending, +Inf, _sum, _count */
	CHECK(strstr(t, "seconds_bucket{le=\"60\"}") < strstr(t, "seconds_bucket{le=\"120\"}"));
	CHECK(strstr(t, "zmc_sync_duration_seconds_bucket{le=\"+Inf\"}") <
	    strstr(t, "zmc_sync_duration_seconds_sum"));
	CHECK(strstr(t, "zmc_sync_duration_seconds_sum") <
	    strstr(t, "zmc_sync_duration_seconds_count"));
	free(t);
	metrics_free();
}

TEST(test_expfmt)
{
	struct buf b = { 0 };
	char n[EXPFMT_NUMLEN], *name, *lv, *le;
	double v;

	CHECK_STR(expfmt_num(3, n), "3");
	CHECK_STR(expfmt_num(-0.25, n), "-0.25");
	CHECK_STR(expfmt_num(strtod("inf", NULL), n), "+Inf");
	CHECK_STR(expfmt_num(strtod("nan", NULL), n), "NaN");
	expfmt_sample(&b, "m", "_bucket", "url", "a\"b", "0.5", 2);
	CHECK_STR(b.s, "m_bucket{url=\"a\\\"b\",le=\"0.5\"} 2\n");
	/* reads back what it writes, with the label asked for */
	CHECK_INT(expfmt_parse(b.s, "url", &name, &lv, &le, &v), 2);
	CHECK_STR(name, "m_bucket");
	CHECK_STR(lv, "a\"b");
	CHECK_STR(le, "0.5");
	CHECK(v == 2);
	free(name);
	free(lv);
	free(le);
	buf_free(&b);
	CHECK_INT(expfmt_parse("m 1 1700000000000", NULL, &name, &lv, &le, &v), 0);
	CHECK_STR(name, "m");
	CHECK(lv == NULL && le == NULL && v == 1);
	free(name);
	/* syntax errors leave nothing to free */
	CHECK_INT(expfmt_parse("m{a=\"x} 1", "a", &name, &lv, &le, &v), -1);
	CHECK(name == NULL && lv == NULL && le == NULL);
	CHECK_INT(expfmt_parse("m{a=\"\\q\"} 1", "a", &name, &lv, &le, &v), -1);
	CHECK_INT(expfmt_parse("m x", NULL, &name, &lv, &le, &v), -1);
	CHECK_INT(expfmt_parse("1m 1", NULL, &name, &lv, &le, &v), -1);
}

/* One simulated run against the state in dir. */
static void
one_run(const char *dir, const char *result, double duration, double now)
{
	struct state *st;
	char *err = NULL;

	st = state_open(dir, &err);
	CHECK(st != NULL);
	free(err);
	metrics_init(st);
	metrics_add(MET_SYNC_TOTAL, result, 1);
	metrics_add(MET_ALARMS_PROCESSED_TOTAL, "fire", 2);
	metrics_add(MET_ALERTMANAGER_REQUESTS_TOTAL, "http://am", 1);
	metrics_observe(MET_SYNC_DURATION_SECONDS, NULL, duration);
	metrics_set(MET_LAST_SYNC_TIMESTAMP_SECONDS, NULL, now);
	if (strcmp(result, "success") == 0)
		metrics_set(MET_LAST_SUCCESS_TIMESTAMP_SECONDS, NULL, now);
	metrics_set(MET_SYNC_SERVICE_UP, NULL, 1);
	CHECK(metrics_save(st) == 0);
	metrics_free();
	state_close(st);
}

TEST(test_persistence)
{
	char *dir = xasprintf("%s/state", tmpdir), *err = NULL, *t;
	struct state *st;

	one_run(dir, "success", 0.3, 1000);
	one_run(dir, "failed", 2, 1060);

	st = state_open(dir, &err);
	CHECK(st != NULL);
	metrics_init(st);
	t = metrics_render();
	CHECK(has_line(t, "zmc_sync_total{result=\"success\"} 1"));
	CHECK(has_line(t, "zmc_sync_total{result=\"failed\"} 1"));
	CHECK(has_line(t, "zmc_alarms_processed_total{action=\"fire\"} 4"));
	CHECK(has_line(t, "zmc_alertmanager_requests_total{url=\"http://am\"} 2"));
	CHECK(has_line(t, "zmc_sync_duration_seconds_bucket{le=\"0.5\"} 1"));
	CHECK(has_line(t, "zmc_sync_duration_seconds_bucket{le=\"2.5\"} 2"));
	CHECK(has_line(t, "zmc_sync_duration_seconds_count 2"));
	CHECK(has_line(t, "zmc_sync_duration_seconds_sum 2.3"));
	/* a failing run keeps the last success */
	CHECK(has_line(t, "zmc_last_success_timestamp_seconds 1000"));
	CHECK(has_line(t, "zmc_last_sync_timestamp_seconds 1060"));
	CHECK(has_line(t, "zmc_state_file_ok 1"));
	/* per-run gauges are not carried over */
	CHECK(strstr(t, "\nzmc_sync_service_up ") == NULL);
	free(t);
	metrics_free();
	state_close(st);
	free(dir);
}

TEST(test_textfile_fallback)
{
	char *dir = xasprintf("%s/fb", tmpdir), *prom, *t, *err = NULL;
	struct state *st;

	prom = xasprintf("%s/zmcsync.prom", tmpdir);
	one_run(dir, "success", 0.3, 1000);
	one_run(dir, "success", 0.3, 1060);
	st = state_open(dir, &err);
	metrics_init(st);
	CHECK(metrics_write(prom) == 0);
	metrics_free();
	state_close(st);

	/* state file unusable: the previous textfile carries the counters */
	metrics_init(NULL);
	CHECK(metrics_load_textfile(prom) == 0);
	metrics_add(MET_SYNC_TOTAL, "success", 1);
	metrics_observe(MET_SYNC_DURATION_SECONDS, NULL, 7);
	t = metrics_render();
	CHECK(has_line(t, "zmc_sync_total{result=\"success\"} 3"));
	CHECK(has_line(t, "zmc_alarms_processed_total{action=\"fire\"} 4"));
	CHECK(has_line(t, "zmc_sync_duration_seconds_count 3"));
	CHECK(has_line(t, "zmc_sync_duration_seconds_bucket{le=\"10\"} 3"));
	CHECK(has_line(t, "zmc_sync_duration_seconds_bucket{le=\"5\"} 2"));
	CHECK(has_line(t, "zmc_last_success_timestamp_seconds 1060"));
	CHECK(has_line(t, "zmc_state_file_ok 0"));
	CHECK(metrics_write(prom) == 0);
	free(t);
	metrics_free();

	/* state file back but older than the textfile: the larger wins */
	st = state_open(dir, &err);
	metrics_init(st);
	CHECK(metrics_load_textfile(prom) == 0);
	t = metrics_render();
	CHECK(has_line(t, "zmc_sync_total{result=\"success\"} 3"));
	CHECK(has_line(t, "zmc_sync_duration_seconds_count 3"));
	CHECK(has_line(t, "zmc_state_file_ok 1"));
	free(t);
	metrics_free();
	state_close(st);

	/* a missing textfile is fine */
	metrics_init(NULL);
	CHECK(metrics_load_textfile("/nonexistent/zmcsync.prom") == 0);
	metrics_free();
	free(prom);
	free(dir);
}

TEST(test_bad_persisted_histogram)
{
	char *dir = xasprintf("%s/alien", tmpdir), *err = NULL, *t;
	struct state *st;

	one_run(dir, "success", 0.3, 1000);
	st = state_open(dir, &err);
	/* a bucket bound this version does not have (changed layout) */
	CHECK(state_metric_put(st, "zmc_sync_duration_seconds_bucket{le=\"0.3\"}", 1) == 0);
	/* garbage keys are ignored */
	CHECK(state_metric_put(st, "zmc_sync_total{result=\"success\",x=\"y\"}", 50) == 0);
	CHECK(state_metric_put(st, "zmc_sync_total{result=\"bad", 60) == 0);
	CHECK(state_metric_put(st, "zmc_sync_service_up", 70) == 0);
	metrics_init(st);
	t = metrics_render();
	CHECK(has_line(t, "zmc_sync_duration_seconds_count 0"));
	CHECK(has_line(t, "zmc_sync_duration_seconds_bucket{le=\"0.5\"} 0"));
	CHECK(has_line(t, "zmc_sync_total{result=\"success\"} 1"));
	CHECK(strstr(t, "\nzmc_sync_service_up ") == NULL);
	free(t);
	metrics_free();
	state_close(st);
	free(dir);
}

TEST(test_atomic_write)
{
	char *dir = xasprintf("%s/tf", tmpdir), *prom, *t, *got;
	struct stat sb;
	struct dirent *de;
	DIR *d;
	int n = 0;

	CHECK(mkdir(dir, 0755) == 0);
	prom = xasprintf("%s/zmcsync.prom", dir);
	umask(077);
	metrics_init(NULL);
	metrics_add(MET_SYNC_TOTAL, "success", 5);
	CHECK(metrics_write(prom) == 0);
	metrics_add(MET_SYNC_TOTAL, "success", 1);
	CHECK(metrics_write(prom) == 0);	/* replaces */
	umask(022);
	CHECK(stat(prom, &sb) == 0 && (sb.st_mode & 0777) == 0644);
	t = metrics_render();
	got = slurp(prom);
	CHECK_STR(got, t);
	CHECK(got != NULL && has_line(got, "zmc_sync_total{result=\"success\"} 6"));
	free(got);
	free(t);
	d = opendir(dir);
	while (d != NULL && (de = readdir(d)) != NULL)
		if (de->d_name[0] != '.') {
			n++;
			CHECK_STR(de->d_name, "zmcsync.prom");
		}
	if (d != NULL)
		closedir(d);
	CHECK_INT(n, 1);
	free(prom);

	/* the directory must exist; nothing is created */
	prom = xasprintf("%s/missing/zmcsync.prom", dir);
	CHECK(metrics_write(prom) == -1);
	CHECK(stat(prom, &sb) == -1);
	free(prom);
	metrics_free();
	free(dir);
}

int
main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/zmcsync-tmetrics.XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_families_sorted_and_presets);
	RUN(test_values_and_escaping);
	RUN(test_histogram);
	RUN(test_expfmt);
	RUN(test_persistence);
	RUN(test_textfile_fallback);
	RUN(test_bad_persisted_histogram);
	RUN(test_atomic_write);
	rm_rf(tmpdir);
	return DONE();
}
