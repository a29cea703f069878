/*
 * fuzz_alert: a ZMC row to an Alertmanager alert (src/alert.c): every
 * text column, label mappings, severity names, the generator URL
 * template.  Properties: the alert's JSON parses back; every label and
 * annotation is valid UTF-8 within its bound; the canonical label-set
 * JSON (ALERT_LABELS) fits its column and reads back to the same set
 * (alert_from_labels_json), byte for byte.  The raw input is also fed
 * to alert_from_labels_json as a stored label set.
 * Input: NUL-separated strings and 8-byte integers in the order below.
 */
#include <json.h>

#include "fuzz.h"
#include "alert.h"
#include "config.h"
#include "labelmap.h"
#include "source.h"
#include "syncstate.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Checks one label or annotation set. */
static void
check_set(const struct label *v, size_t n, size_t max, int utf8)
{
	for (size_t i = 0; i < n; i++) {
		FUZZ_ASSERT(v[i].name != NULL && v[i].value != NULL);
		FUZZ_ASSERT(*v[i].value != '\0');
		FUZZ_ASSERT(strlen(v[i].value) <= max);
		if (utf8)
			FUZZ_ASSERT(text_utf8_valid(v[i].value,
			    strlen(v[i].value)));
		FUZZ_ASSERT(label_name_valid(v[i].name));
		if (i > 0)	/* sorted, unique */
			FUZZ_ASSERT(strcmp(v[i - 1].name, v[i].name) < 0);
	}
}

/* The stored label set round trip: the same JSON, byte for byte. */
static void
check_labels_json(const struct alert *a)
{
	struct alert *b;
	char *js, *js2;

	js = alert_labels_json(a);
	b = alert_from_labels_json(js);
	FUZZ_ASSERT(b != NULL);
	FUZZ_ASSERT(b->labelsz == a->labelsz);
	for (size_t i = 0; i < a->labelsz; i++)
		FUZZ_ASSERT(strcmp(a->labels[i].name, b->labels[i].name) == 0 &&
		    strcmp(a->labels[i].value, b->labels[i].value) == 0);
	js2 = alert_labels_json(b);
	FUZZ_ASSERT(strcmp(js, js2) == 0);
	/* stored as ASCII so any database charset keeps it */
	for (const char *p = js; *p != '\0'; p++)
		FUZZ_ASSERT((unsigned char)*p < 0x80);
	free(js);
	free(js2);
	alert_free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct config cfg;
	struct zmc_row row;
	struct label_map maps[3];
	char *names[3], *vals[3], *sev[5], *raw;
	struct alert *a, *d;
	struct json_object *o, *back;
	const char *js;
	time_t now = 1700000000;

	fz_quiet();

	/* the input as a stored label set first: any answer, no crash */
	raw = xstrndup((const char *)data, size);
	if ((a = alert_from_labels_json(raw)) != NULL) {
		/* stored text is taken as it is: not repaired here */
		check_set(a->labels, a->labelsz, SIZE_MAX, 0);
		alert_free(a);
	}
	free(raw);

	memset(&cfg, 0, sizeof(cfg));
	memset(&row, 0, sizeof(row));
	memset(maps, 0, sizeof(maps));
	for (int i = 0; i < 5; i++)
		cfg.severity[i] = sev[i] = fz_str(&f, 1);
	cfg.label_source = fz_str(&f, 1);
	cfg.label_cluster = fz_str(&f, 1);
	cfg.label_datacenter = fz_str(&f, 1);
	cfg.am_generator_url = fz_str(&f, 1);
	cfg.sync_alert_ttl = (int)(fz_i64(&f) % 100000);
	cfg.sync_history_hours = (int)(fz_i64(&f) % 1000);
	for (int i = 0; i < 5; i++)
		cfg.sync_levels[i] = 1;

	row.alarm_id = fz_i64(&f);
	row.event_id = fz_i64(&f);
	row.state = (char)fz_byte(&f);
	row.level = (int)(signed char)fz_byte(&f);
	row.event_time = (time_t)(fz_i64(&f) % 10000000000LL);
	row.create_date = (time_t)(fz_i64(&f) % 10000000000LL);
	row.alarm_code = fz_str(&f, 1);
	row.alarm_name = fz_str(&f, 1);
	row.host_name = fz_str(&f, 1);
	row.host_ip = fz_str(&f, 1);
	row.app_name = fz_str(&f, 1);
	row.business_domain = fz_str(&f, 1);
	row.environment = fz_str(&f, 1);
	row.res_inst_type = fz_str(&f, 1);
	row.detail_info = fz_str(&f, 1);
	row.fault_reason = fz_str(&f, 1);
	row.deal_suggest = fz_str(&f, 1);
	row.clear_reason = fz_str(&f, 1);
	row.total_alarm = fz_str(&f, 1);
	for (int i = 0; i < 3; i++) {
		names[i] = fz_str(&f, 0);
		vals[i] = fz_str(&f, 1);
		maps[i].source_field = fz_str(&f, 1);
		maps[i].target_name = fz_str(&f, 1);
		maps[i].annotation = fz_byte(&f) & 1;
	}
	row.names = (const char *const *)names;
	row.vals = vals;
	row.ncols = 3;

	(void)alert_passes_filters(&cfg, &row);
	(void)alert_in_window(&cfg, &row, now);
	a = alert_build(&cfg, maps, 3, &row, now);
	FUZZ_ASSERT(alert_label(a, "alertname") != NULL);
	FUZZ_ASSERT(alert_label(a, "alarm_id") != NULL);
	check_set(a->labels, a->labelsz, ALERT_LABEL_MAX, 1);
	check_set(a->annotations, a->annotationsz, ALERT_TEXT_MAX, 1);
	FUZZ_ASSERT(a->ends_at == 0 || a->starts_at <= a->ends_at);
	check_labels_json(a);

	o = alert_to_json(a);
	js = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	back = json_tokener_parse(js);
	FUZZ_ASSERT(back != NULL && json_object_is_type(back, json_type_object));
	json_object_put(back);
	json_object_put(o);

	d = alert_dup(a);
	alert_set_annotation(d, "summary", row.detail_info);
	alert_set_annotation(d, "description", NULL);
	check_set(d->annotations, d->annotationsz, ALERT_TEXT_MAX, 1);
	alert_free(d);
	alert_free(a);

	for (int i = 0; i < 5; i++)
		free(sev[i]);
	free(cfg.label_source);
	free(cfg.label_cluster);
	free(cfg.label_datacenter);
	free(cfg.am_generator_url);
	free(row.alarm_code);
	free(row.alarm_name);
	free(row.host_name);
	free(row.host_ip);
	free(row.app_name);
	free(row.business_domain);
	free(row.environment);
	free(row.res_inst_type);
	free(row.detail_info);
	free(row.fault_reason);
	free(row.deal_suggest);
	free(row.clear_reason);
	free(row.total_alarm);
	for (int i = 0; i < 3; i++) {
		free(names[i]);
		free(vals[i]);
		free(maps[i].source_field);
		free(maps[i].target_name);
	}
	return 0;
}
