/*
 * test_alert: building alerts from ZMC rows (SPEC 2): labels, annotations,
 * mapping rows, severity, filters, the history window, UTF-8 hygiene,
 * canonical label JSON and the postableAlert shape.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "alert.h"
#include "config.h"
#include "labelmap.h"
#include "source.h"
#include "syncstate.h"
#include "text.h"
#include "util.h"
#include "t.h"

#define NOW	((time_t)1700000000)	/* 2023-11-14T22:13:20Z */

static char *sev_default[5] = { "warning", "critical", "error", "warning", "info" };
static char *filter_critical[] = { "CRITICAL" };

/* A configuration as config_resolve would leave it with the defaults. */
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

/* A fully populated active row. */
static void
row_init(struct zmc_row *r)
{
	memset(r, 0, sizeof(*r));
	r->alarm_id = 1000123;
	r->event_id = 555;
	r->state = 'U';
	r->level = 1;
	r->alarm_code = "1001";
	r->alarm_name = "CPU_Usage_High";
	r->host_name = "app01";
	r->host_ip = "192.168.1.100";
	r->app_name = "billing";
	r->business_domain = "CRM";
	r->environment = "production";
	r->res_inst_type = "HOST";
	r->event_time = NOW - 600;
	r->create_date = NOW - 86400 * 400;
	r->detail_info = "cpu at 95%";
	r->fault_reason = "runaway process";
	r->deal_suggest = "check top";
}

static const char *
annot(const struct alert *a, const char *name)
{
	size_t	 i;

	for (i = 0; i < a->annotationsz; i++)
		if (strcmp(a->annotations[i].name, name) == 0)
			return a->annotations[i].value;
	return NULL;
}

/* 1 if names are strictly ascending (sorted and unique), no value empty. */
static int
sorted_unique(const struct label *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (v[i].value == NULL || v[i].value[0] == '\0')
			return 0;
		if (i > 0 && strcmp(v[i - 1].name, v[i].name) >= 0)
			return 0;
	}
	return 1;
}

TEST(t_label_set)
{
	struct config	 c;
	struct zmc_row	 r;
	struct alert	*a;

	cfg_init(&c);
	c.label_cluster = "c1";
	c.label_datacenter = "dc-east";
	row_init(&r);
	a = alert_build(&c, NULL, 0, &r, NOW);
	CHECK_STR(alert_label(a, "alertname"), "CPU_Usage_High");
	CHECK_STR(alert_label(a, "severity"), "critical");
	CHECK_STR(alert_label(a, "instance"), "192.168.1.100");
	CHECK_STR(alert_label(a, "host"), "app01");
	CHECK_STR(alert_label(a, "alarm_id"), "1000123");
	CHECK_STR(alert_label(a, "alarm_code"), "1001");
	CHECK_STR(alert_label(a, "application"), "billing");
	CHECK_STR(alert_label(a, "domain"), "CRM");
	CHECK_STR(alert_label(a, "env"), "production");
	CHECK_STR(alert_label(a, "source"), "zmc");
	CHECK_STR(alert_label(a, "cluster"), "c1");
	CHECK_STR(alert_label(a, "datacenter"), "dc-east");
	CHECK_INT(a->labelsz, 12);
	/* The event id identifies a raise, not the alert. */
	CHECK(alert_label(a, "event_id") == NULL);
	CHECK(sorted_unique(a->labels, a->labelsz));
	CHECK(sorted_unique(a->annotations, a->annotationsz));

	CHECK_STR(annot(a, "summary"), "CPU_Usage_High on app01");
	CHECK_STR(annot(a, "description"), "cpu at 95%");
	CHECK_STR(annot(a, "runbook"), "check top");
	CHECK_STR(annot(a, "fault_reason"), "runaway process");
	CHECK_STR(annot(a, "event_id"), "555");
	CHECK_STR(annot(a, "zmc_state"), "U");
	CHECK_STR(annot(a, "zmc_level"), "1");
	CHECK_STR(annot(a, "resource_type"), "HOST");
	CHECK(annot(a, "clear_reason") == NULL);

	CHECK_INT(a->starts_at, NOW - 600);
	CHECK_INT(a->ends_at, NOW + 600);
	CHECK(a->generator_url == NULL);
	alert_free(a);
}

TEST(t_empty_values_omitted)
{
	struct config	 c;
	struct zmc_row	 r;
	struct alert	*a;

	cfg_init(&c);
	c.label_source = "";
	memset(&r, 0, sizeof(r));
	r.alarm_id = 7;
	r.state = 'U';
	r.level = -1;
	r.alarm_code = "2002";
	r.host_name = "db01";
	r.host_ip = NULL;
	r.app_name = "";
	a = alert_build(&c, NULL, 0, &r, NOW);
	CHECK_STR(alert_label(a, "alertname"), "ZMC_2002");
	CHECK_STR(alert_label(a, "instance"), "db01");
	CHECK_STR(alert_label(a, "host"), "db01");
	CHECK_STR(alert_label(a, "severity"), "warning");
	CHECK(alert_label(a, "application") == NULL);
	CHECK(alert_label(a, "domain") == NULL);
	CHECK(alert_label(a, "env") == NULL);
	CHECK(alert_label(a, "source") == NULL);
	CHECK(alert_label(a, "cluster") == NULL);
	CHECK(alert_label(a, "datacenter") == NULL);
	CHECK(sorted_unique(a->labels, a->labelsz));
	CHECK_INT(a->labelsz, 6);
	CHECK(annot(a, "description") == NULL);
	CHECK(annot(a, "event_id") == NULL);
	CHECK(annot(a, "zmc_level") == NULL);
	CHECK_STR(annot(a, "summary"), "ZMC_2002 on db01");
	/* Neither time: startsAt is now. */
	CHECK_INT(a->starts_at, NOW);
	alert_free(a);

	/* Neither name nor code; no host at all. */
	r.alarm_code = NULL;
	r.alarm_name = "";
	r.host_name = NULL;
	a = alert_build(&c, NULL, 0, &r, NOW);
	CHECK_STR(alert_label(a, "alertname"), "ZMC_ALARM");
	CHECK(alert_label(a, "instance") == NULL);
	CHECK(alert_label(a, "host") == NULL);
	CHECK_STR(annot(a, "summary"), "ZMC_ALARM");
	alert_free(a);
}

TEST(t_mapping_rows)
{
	static const char *const names[] = { "ALARM_INST_ID", "RACK", "OWNER",
	    "TICKET", "EMPTY", "EXTRA_IP" };
	char		*vals[] = { "1000123", "R12", "张三", "INC-1", NULL,
	    "10.0.0.9" };
	struct label_map maps[] = {
		{ "RACK", "rack", 0 },
		{ "owner", "owner", 1 },		/* case-insensitive column */
		{ "TICKET", "alarm_id", 0 },		/* identity: ignored */
		{ "TICKET", "alertname", 0 },		/* identity: ignored */
		{ "TICKET", "bad-name", 0 },		/* invalid name: ignored */
		{ "TICKET", "9lives", 1 },		/* invalid name: ignored */
		{ "EMPTY", "host", 0 },			/* NULL value: keeps host */
		{ "EXTRA_IP", "instance", 0 },		/* may replace a built-in */
		{ "TICKET", "summary", 1 },		/* may replace an annotation */
		{ "NO_SUCH_COLUMN", "ghost", 0 },
	};
	struct config	 c;
	struct zmc_row	 r;
	struct alert	*a;

	cfg_init(&c);
	row_init(&r);
	r.names = names;
	r.vals = vals;
	r.ncols = 6;
	a = alert_build(&c, maps, sizeof(maps) / sizeof(maps[0]), &r, NOW);
	CHECK_STR(alert_label(a, "rack"), "R12");
	CHECK_STR(annot(a, "owner"), "张三");
	CHECK(alert_label(a, "owner") == NULL);
	CHECK_STR(alert_label(a, "alarm_id"), "1000123");
	CHECK_STR(alert_label(a, "alertname"), "CPU_Usage_High");
	CHECK(alert_label(a, "bad-name") == NULL);
	CHECK(annot(a, "9lives") == NULL);
	CHECK_STR(alert_label(a, "host"), "app01");
	CHECK_STR(alert_label(a, "instance"), "10.0.0.9");
	CHECK_STR(annot(a, "summary"), "INC-1");
	CHECK(alert_label(a, "ghost") == NULL);
	CHECK(sorted_unique(a->labels, a->labelsz));
	CHECK(sorted_unique(a->annotations, a->annotationsz));
	CHECK_INT(a->labelsz, 11);	/* 10 built-in + rack */
	alert_free(a);

	/* NULL maps with a size is harmless. */
	a = alert_build(&c, NULL, 3, &r, NOW);
	CHECK(alert_label(a, "rack") == NULL);
	alert_free(a);
}

TEST(t_severity_mapping)
{
	struct config	 c;
	char		*custom[5] = { "none", "P1", "", "P3", "P4" };
	int		 i;

	cfg_init(&c);
	CHECK_STR(alert_severity(&c, 0), "warning");
	CHECK_STR(alert_severity(&c, 1), "critical");
	CHECK_STR(alert_severity(&c, 2), "error");
	CHECK_STR(alert_severity(&c, 3), "warning");
	CHECK_STR(alert_severity(&c, 4), "info");
	for (i = 0; i < 5; i++)
		c.severity[i] = custom[i];
	CHECK_STR(alert_severity(&c, 1), "P1");
	CHECK_STR(alert_severity(&c, 4), "P4");
	/* An empty level falls back to the SPEC default. */
	CHECK_STR(alert_severity(&c, 2), "error");
	/* Out of range maps as level 0. */
	CHECK_STR(alert_severity(&c, -1), "none");
	CHECK_STR(alert_severity(&c, 5), "none");
	CHECK_STR(alert_severity(&c, 99), "none");
}

TEST(t_filters)
{
	struct config	 c;
	struct zmc_row	 r;

	cfg_init(&c);
	row_init(&r);
	for (r.level = 1; r.level <= 4; r.level++)
		CHECK(alert_passes_filters(&c, &r));
	r.level = 0;
	CHECK(!alert_passes_filters(&c, &r));
	r.level = -1;	/* unknown level is level 0 */
	CHECK(!alert_passes_filters(&c, &r));
	c.sync_levels[0] = 1;
	CHECK(alert_passes_filters(&c, &r));
	c.sync_levels[0] = 0;

	c.sync_levels[3] = 0;
	r.level = 3;
	CHECK(!alert_passes_filters(&c, &r));
	r.level = 2;
	CHECK(alert_passes_filters(&c, &r));

	/* Severity filter, case-insensitive, on the mapped severity. */
	c.sync_severity_filter = filter_critical;
	c.sync_severity_filtersz = 1;
	r.level = 1;
	CHECK(alert_passes_filters(&c, &r));
	r.level = 2;
	CHECK(!alert_passes_filters(&c, &r));
	/* Both must pass: level 1 disabled. */
	c.sync_levels[1] = 0;
	r.level = 1;
	CHECK(!alert_passes_filters(&c, &r));
}

TEST(t_window)
{
	struct config	 c;
	struct zmc_row	 r;

	cfg_init(&c);
	row_init(&r);
	r.event_time = NOW - 24 * 3600;
	CHECK(alert_in_window(&c, &r, NOW));
	r.event_time = NOW - 24 * 3600 - 1;
	CHECK(!alert_in_window(&c, &r, NOW));
	r.event_time = NOW + 3600;	/* future: in */
	CHECK(alert_in_window(&c, &r, NOW));
	/* No EVENT_TIME: CREATE_DATE decides. */
	r.event_time = 0;
	r.create_date = NOW - 3600;
	CHECK(alert_in_window(&c, &r, NOW));
	r.create_date = NOW - 25 * 3600;
	CHECK(!alert_in_window(&c, &r, NOW));
	/* EVENT_TIME wins over an old CREATE_DATE. */
	r.event_time = NOW - 60;
	CHECK(alert_in_window(&c, &r, NOW));
	/* Neither time: in. */
	r.event_time = r.create_date = 0;
	CHECK(alert_in_window(&c, &r, NOW));
	/* history_hours 0 disables the window. */
	r.event_time = NOW - 86400 * 365;
	c.sync_history_hours = 0;
	CHECK(alert_in_window(&c, &r, NOW));
	c.sync_history_hours = 1;
	CHECK(!alert_in_window(&c, &r, NOW));
}

TEST(t_utf8_chinese_intact)
{
	static const char name[] = "CPU 使用率过高";
	static const char detail[] = "主机 192.168.1.100 CPU 使用率超过 90%";
	static const char host[] = "计费服务器01";
	struct config	 c;
	struct zmc_row	 r;
	struct alert	*a, *b;
	char		*js;

	cfg_init(&c);
	row_init(&r);
	r.alarm_name = (char *)name;
	r.detail_info = (char *)detail;
	r.host_name = (char *)host;
	a = alert_build(&c, NULL, 0, &r, NOW);
	CHECK(memcmp(alert_label(a, "alertname"), name, sizeof(name)) == 0);
	CHECK(memcmp(alert_label(a, "host"), host, sizeof(host)) == 0);
	CHECK(memcmp(annot(a, "description"), detail, sizeof(detail)) == 0);
	CHECK_STR(annot(a, "summary"), "CPU 使用率过高 on 计费服务器01");
	/*
	 * The stored label set is plain ASCII (\u escapes), whatever the
	 * database charset can hold, and reads back equal.
	 */
	js = alert_labels_json(a);
	CHECK(strstr(js, name) == NULL);
	CHECK(strstr(js, "\\u4f7f\\u7528\\u7387") != NULL);	/* 使用率 */
	for (const char *p = js; *p; p++)
		CHECK((unsigned char)*p < 0x80);
	b = alert_from_labels_json(js);
	CHECK(b != NULL);
	if (b != NULL)
		CHECK_STR(alert_label(b, "alertname"), name);
	free(js);
	alert_free(b);
	/* U+FFFD from a repaired byte and a character beyond the BMP survive too. */
	r.alarm_name = "坏\xef\xbf\xbd字\xf0\x9f\x94\xa5";
	alert_free(a);
	a = alert_build(&c, NULL, 0, &r, NOW);
	js = alert_labels_json(a);
	CHECK(strstr(js, "\\ufffd") != NULL && strstr(js, "\\ud83d\\udd25") != NULL);
	b = alert_from_labels_json(js);
	CHECK(b != NULL);
	if (b != NULL)
		CHECK_STR(alert_label(b, "alertname"), r.alarm_name);
	free(js);
	alert_free(a);
	alert_free(b);
	/*
	 * U+2D800 (a CJK ideograph of Extension F), U+1D836 and U+10FFFF:
	 * their \u pairs look like surrogates to json-c 0.16, which reads
	 * them as U+FFFD unless alert_from_labels_json decodes them itself.
	 */
	r.alarm_name = "\xf0\xad\xa0\x80 \xf0\x9d\xa0\xb6 \xf4\x8f\xbf\xbf";
	a = alert_build(&c, NULL, 0, &r, NOW);
	js = alert_labels_json(a);
	CHECK(strstr(js, "\\ud876\\udc00") != NULL);
	b = alert_from_labels_json(js);
	CHECK(b != NULL);
	if (b != NULL)
		CHECK_STR(alert_label(b, "alertname"), r.alarm_name);
	free(js);
	alert_free(a);
	alert_free(b);
	/* an escaped backslash before "u" is no escape of a pair */
	b = alert_from_labels_json("{\"a\":\"\\\\ud876\\udc00\"}");
	CHECK(b != NULL);
	if (b != NULL)
		CHECK_STR(alert_label(b, "a"), "\\ud876\xef\xbf\xbd");
	alert_free(b);
}

TEST(t_utf8_invalid_repaired)
{
	struct config	 c;
	struct zmc_row	 r;
	struct alert	*a;
	const char	*d, *h;

	cfg_init(&c);
	row_init(&r);
	r.detail_info = "bad \xff\xfe byte \xe4\xb8 cut";	/* stray and truncated */
	r.host_name = "h\xc3";
	a = alert_build(&c, NULL, 0, &r, NOW);
	d = annot(a, "description");
	h = alert_label(a, "host");
	CHECK(d != NULL && text_utf8_valid(d, strlen(d)));
	CHECK(h != NULL && text_utf8_valid(h, strlen(h)));
	CHECK(d != NULL && strncmp(d, "bad ", 4) == 0);
	CHECK(d != NULL && strstr(d, "\xef\xbf\xbd") != NULL);
	CHECK(d != NULL && strstr(d, " byte ") != NULL);
	CHECK(d != NULL && strstr(d, " cut") != NULL);
	CHECK(h != NULL && h[0] == 'h' && strstr(h, "\xef\xbf\xbd") != NULL);
	alert_free(a);
}

TEST(t_long_text_bounded)
{
	struct config	 c;
	struct zmc_row	 r;
	struct alert	*a;
	struct buf	 b = { 0 };
	char		*longtxt, *longhost;
	const char	*d, *h;
	size_t		 i, n;

	/* 3-byte characters never line up with the bound. */
	for (i = 0; i < 2000; i++)
		buf_puts(&b, "告");
	longtxt = buf_release(&b);
	for (i = 0; i < 700; i++)
		buf_puts(&b, "机");
	longhost = buf_release(&b);

	cfg_init(&c);
	row_init(&r);
	r.detail_info = longtxt;
	r.host_name = longhost;
	a = alert_build(&c, NULL, 0, &r, NOW);
	d = annot(a, "description");
	h = alert_label(a, "host");
	CHECK(d != NULL && h != NULL);
	if (d != NULL && h != NULL) {
		n = strlen(d);
		CHECK(n <= ALERT_TEXT_MAX);
		CHECK(n > ALERT_TEXT_MAX - 8);
		CHECK(text_utf8_valid(d, n));
		CHECK(n >= 3 && strcmp(d + n - 3, "...") == 0);
		/* Whole characters before the ellipsis. */
		CHECK((n - 3) % 3 == 0);
		CHECK(strncmp(d, longtxt, n - 3) == 0);
		n = strlen(h);
		CHECK(n <= ALERT_LABEL_MAX);
		CHECK(text_utf8_valid(h, n));
		CHECK((n - 3) % 3 == 0);
		CHECK(strncmp(h, longhost, n - 3) == 0);
	}
	alert_free(a);
	free(longtxt);
	free(longhost);
}

/* The stored label set (ALERT_LABELS, VARCHAR2(4000)) always fits its column. */
TEST(t_label_set_fits_column)
{
	struct config	 c;
	struct zmc_row	 r;
	struct alert	*a;
	struct buf	 b = { 0 };
	char		*big, *js;
	size_t		 i;

	for (i = 0; i < 400; i++)
		buf_puts(&b, "机房");	/* 6 bytes each: 2400 bytes, cut to 1024 per label */
	big = buf_release(&b);
	cfg_init(&c);
	row_init(&r);
	r.host_name = r.app_name = r.business_domain = r.environment = big;
	r.host_ip = NULL;	/* instance = host: six long labels */
	a = alert_build(&c, NULL, 0, &r, NOW);
	js = alert_labels_json(a);
	CHECK(strlen(js) <= ALERT_LABELS_JSON_MAX);
	CHECK(text_utf8_valid(js, strlen(js)));
	CHECK_STR(alert_label(a, "alarm_id"), "1000123");
	CHECK_STR(alert_label(a, "alertname"), "CPU_Usage_High");
	CHECK(alert_label(a, "host") != NULL && strlen(alert_label(a, "host")) > 100);
	free(js);
	alert_free(a);
	free(big);
}

TEST(t_canonical_json)
{
	static const char want[] =
	    "{\"alarm_id\":\"42\",\"alertname\":\"a/b \\\"q\\\"\","
	    "\"host\":\"h\",\"severity\":\"critical\"}";
	struct alert	*a, *b, *c2;
	char		*ja, *jb, *jc;

	a = alert_from_labels_json("{\"severity\":\"critical\",\"host\":\"h\","
	    "\"alertname\":\"a/b \\\"q\\\"\",\"alarm_id\":\"42\"}");
	b = alert_from_labels_json(" { \"alarm_id\" : \"42\",\n\"host\":\"h\","
	    "\"alertname\":\"a/b \\\"q\\\"\", \"severity\":\"critical\"} \n");
	CHECK(a != NULL && b != NULL);
	if (a == NULL || b == NULL) {
		alert_free(a);
		alert_free(b);
		return;
	}
	CHECK(sorted_unique(a->labels, a->labelsz));
	CHECK_INT(a->annotationsz, 0);
	ja = alert_labels_json(a);
	jb = alert_labels_json(b);
	CHECK_STR(ja, want);
	CHECK_STR(jb, want);
	/* Round trip. */
	c2 = alert_from_labels_json(ja);
	CHECK(c2 != NULL);
	jc = c2 != NULL ? alert_labels_json(c2) : NULL;
	CHECK_STR(jc, want);
	free(ja);
	free(jb);
	free(jc);
	alert_free(a);
	alert_free(b);
	alert_free(c2);

	/* Not an object of label strings. */
	CHECK(alert_from_labels_json(NULL) == NULL);
	CHECK(alert_from_labels_json("") == NULL);
	CHECK(alert_from_labels_json("garbage") == NULL);
	CHECK(alert_from_labels_json("[\"a\"]") == NULL);
	CHECK(alert_from_labels_json("\"a\"") == NULL);
	CHECK(alert_from_labels_json("{\"a\":1}") == NULL);
	CHECK(alert_from_labels_json("{\"a\":null}") == NULL);
	CHECK(alert_from_labels_json("{\"a\":\"x\"} trailing") == NULL);
	CHECK(alert_from_labels_json("{\"a\":\"x\"") == NULL);
	CHECK(alert_from_labels_json("{\"bad name\":\"x\"}") == NULL);
	CHECK(alert_from_labels_json("{\"a\":\"x\\u0000y\"}") == NULL);
	/* The empty set is an object too. */
	a = alert_from_labels_json("{}");
	CHECK(a != NULL && a->labelsz == 0);
	if (a != NULL) {
		ja = alert_labels_json(a);
		CHECK_STR(ja, "{}");
		free(ja);
	}
	alert_free(a);
}

TEST(t_built_json_round_trip)
{
	struct config	 c;
	struct zmc_row	 r;
	struct alert	*a, *b;
	char		*ja, *jb;
	size_t		 i;

	cfg_init(&c);
	row_init(&r);
	r.alarm_name = "磁盘/分区 \"满\"";
	a = alert_build(&c, NULL, 0, &r, NOW);
	ja = alert_labels_json(a);
	b = alert_from_labels_json(ja);
	CHECK(b != NULL);
	if (b != NULL) {
		CHECK_INT(b->labelsz, a->labelsz);
		for (i = 0; i < a->labelsz && i < b->labelsz; i++) {
			CHECK_STR(b->labels[i].name, a->labels[i].name);
			CHECK_STR(b->labels[i].value, a->labels[i].value);
		}
		jb = alert_labels_json(b);
		CHECK_STR(jb, ja);
		free(jb);
	}
	/* Same row, same text, whatever the time. */
	alert_free(b);
	b = alert_build(&c, NULL, 0, &r, NOW + 3600);
	jb = alert_labels_json(b);
	CHECK_STR(jb, ja);
	free(jb);
	/* A different event id keeps the identity. */
	alert_free(b);
	r.event_id = 556;
	r.event_time = NOW;
	b = alert_build(&c, NULL, 0, &r, NOW);
	jb = alert_labels_json(b);
	CHECK_STR(jb, ja);
	free(jb);
	free(ja);
	alert_free(a);
	alert_free(b);
}

TEST(t_to_json_shape)
{
	struct config		 c;
	struct zmc_row		 r;
	struct alert		*a;
	struct json_object	*o, *p, *labels = NULL, *ann = NULL, *v = NULL;
	char			*s;

	cfg_init(&c);
	c.am_generator_url = "https://zmc.example/alarm?id={alarm_id}&x={alarm_id}";
	row_init(&r);
	r.event_time = NOW - 3600;
	a = alert_build(&c, NULL, 0, &r, NOW);
	o = alert_to_json(a);
	s = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	p = json_tokener_parse(s);
	CHECK(p != NULL && json_object_is_type(p, json_type_object));
	CHECK(json_object_object_get_ex(p, "labels", &labels));
	CHECK(json_object_object_get_ex(p, "annotations", &ann));
	if (labels != NULL && ann != NULL) {
		CHECK(json_object_object_length(labels) == (int)a->labelsz);
		CHECK(json_object_object_get_ex(labels, "alertname", &v));
		CHECK_STR(json_object_get_string(v), "CPU_Usage_High");
		CHECK(json_object_object_get_ex(labels, "alarm_id", &v));
		CHECK_STR(json_object_get_string(v), "1000123");
		CHECK(!json_object_object_get_ex(labels, "event_id", NULL));
		CHECK(json_object_object_get_ex(ann, "event_id", &v));
		CHECK_STR(json_object_get_string(v), "555");
		CHECK(json_object_object_get_ex(ann, "summary", &v));
		CHECK_STR(json_object_get_string(v), "CPU_Usage_High on app01");
	}
	CHECK(json_object_object_get_ex(p, "startsAt", &v));
	CHECK_STR(json_object_get_string(v), "2023-11-14T21:13:20Z");
	CHECK(json_object_object_get_ex(p, "endsAt", &v));
	CHECK_STR(json_object_get_string(v), "2023-11-14T22:23:20Z");
	CHECK(json_object_object_get_ex(p, "generatorURL", &v));
	CHECK_STR(json_object_get_string(v),
	    "https://zmc.example/alarm?id=1000123&x=1000123");
	CHECK_INT(json_object_object_length(p), 5);
	json_object_put(p);
	free(s);

	/* No lease, no URL, no start: those keys are left out. */
	a->starts_at = a->ends_at = 0;
	free(a->generator_url);
	a->generator_url = NULL;
	o = alert_to_json(a);
	CHECK(!json_object_object_get_ex(o, "startsAt", NULL));
	CHECK(!json_object_object_get_ex(o, "endsAt", NULL));
	CHECK(!json_object_object_get_ex(o, "generatorURL", NULL));
	CHECK_INT(json_object_object_length(o), 2);
	json_object_put(o);
	alert_free(a);

	/* alert_ttl 0: no endsAt; CREATE_DATE is startsAt without EVENT_TIME. */
	c.sync_alert_ttl = 0;
	r.event_time = 0;
	a = alert_build(&c, NULL, 0, &r, NOW);
	CHECK_INT(a->ends_at, 0);
	CHECK_INT(a->starts_at, r.create_date);
	alert_free(a);
}

TEST(t_annotations_dup_names)
{
	struct config	 c;
	struct zmc_row	 r;
	struct alert	*a, *d;
	size_t		 i;

	cfg_init(&c);
	row_init(&r);
	a = alert_build(&c, NULL, 0, &r, NOW);
	alert_set_annotation(a, "zz_note", "later");
	alert_set_annotation(a, "aa_note", "first");
	alert_set_annotation(a, "summary", "replaced");
	CHECK_STR(annot(a, "zz_note"), "later");
	CHECK_STR(annot(a, "aa_note"), "first");
	CHECK_STR(annot(a, "summary"), "replaced");
	CHECK(sorted_unique(a->annotations, a->annotationsz));
	alert_set_annotation(a, "aa_note", NULL);
	alert_set_annotation(a, "zz_note", "");
	CHECK(annot(a, "aa_note") == NULL);
	CHECK(annot(a, "zz_note") == NULL);
	alert_set_annotation(a, "missing", NULL);

	d = alert_dup(a);
	CHECK_INT(d->labelsz, a->labelsz);
	CHECK_INT(d->annotationsz, a->annotationsz);
	for (i = 0; i < a->labelsz; i++) {
		CHECK_STR(d->labels[i].name, a->labels[i].name);
		CHECK_STR(d->labels[i].value, a->labels[i].value);
		CHECK(d->labels[i].value != a->labels[i].value);
	}
	CHECK_INT(d->starts_at, a->starts_at);
	CHECK_INT(d->ends_at, a->ends_at);
	alert_free(a);
	alert_free(d);
	alert_free(NULL);

	CHECK(label_name_valid("alertname"));
	CHECK(label_name_valid("_x9"));
	CHECK(label_name_valid("A"));
	CHECK(!label_name_valid(""));
	CHECK(!label_name_valid(NULL));
	CHECK(!label_name_valid("9a"));
	CHECK(!label_name_valid("a-b"));
	CHECK(!label_name_valid("a.b"));
	CHECK(!label_name_valid("标签"));
}

/*
 * The stored label set is what json-c would write (plain, '/' unescaped)
 * for ASCII text, controls and quotes included, so sets stored by earlier
 * versions compare equal byte for byte; beyond ASCII every character is a
 * \u escape.
 */
TEST(t_labels_json_canonical)
{
	static const char *vals[] = {
		"plain", "a \"quoted\" word", "back\\slash", "tab\there",
		"line\nbreak\r\n", "bell\a and \x01\x1f", "slash/kept", "",
		"{json:like}", "\x7f del", "mixed\b\f"
	};
	struct alert	 a;
	struct label	 l[2];
	size_t		 i;

	memset(&a, 0, sizeof(a));
	a.labels = l;
	a.labelsz = 2;
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		struct json_object *o = json_object_new_object();
		char *mine;

		l[0].name = "alertname";
		l[0].value = (char *)vals[i];
		l[1].name = "zz";
		l[1].value = (char *)vals[(i + 3) % (sizeof(vals) / sizeof(vals[0]))];
		json_object_object_add(o, l[0].name, json_object_new_string(l[0].value));
		json_object_object_add(o, l[1].name, json_object_new_string(l[1].value));
		mine = alert_labels_json(&a);
		CHECK_STR(mine, json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		free(mine);
		json_object_put(o);
	}
	l[0].value = "使用率 \xef\xbf\xbd \xf0\x9f\x94\xa5";
	l[1].value = "é";
	{
		char *mine = alert_labels_json(&a);

		CHECK_STR(mine, "{\"alertname\":\"\\u4f7f\\u7528\\u7387 \\ufffd "
		    "\\ud83d\\udd25\",\"zz\":\"\\u00e9\"}");
		free(mine);
	}
}

int
main(void)
{
	RUN(t_label_set);
	RUN(t_empty_values_omitted);
	RUN(t_mapping_rows);
	RUN(t_severity_mapping);
	RUN(t_filters);
	RUN(t_window);
	RUN(t_utf8_chinese_intact);
	RUN(t_utf8_invalid_repaired);
	RUN(t_long_text_bounded);
	RUN(t_label_set_fits_column);
	RUN(t_canonical_json);
	RUN(t_built_json_round_trip);
	RUN(t_to_json_shape);
	RUN(t_annotations_dup_names);
	RUN(t_labels_json_canonical);
	return DONE();
}
