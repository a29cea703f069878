/*
 * am_driver: a small command-line front end to the Alertmanager client,
 * for the end-to-end tests (test/e2e/t_alertmanager.sh).  Configured by
 * the environment so that no secret ever appears in argv:
 *
 *	AM_URLS			comma-separated member URLs (required)
 *	AM_USERNAME, AM_PASSWORD, AM_BEARER_TOKEN
 *	AM_HEADERS		extra headers "Name: value", separated by ';'
 *	AM_TIMEOUT		seconds (default 5)
 *	AM_RETRY_COUNT		(default 0), AM_RETRY_INTERVAL ms (default 100)
 *	AM_CA_FILE, AM_CERT_FILE, AM_KEY_FILE, AM_INSECURE (0/1)
 *	AM_DEADLINE		seconds from now (default none)
 *	AM_TRACE		file the observer appends one line per request to
 *				(default stderr)
 *
 * Commands:
 *	push FILE		FILE: JSON array of {"labels":{..},
 *				"annotations":{..}, "startsAt", "endsAt"}; a time
 *				is RFC 3339 text or seconds relative to now
 *	push-n N [I,J..]	N alerts AmDriverTest, alarm_id=i; the listed
 *				indexes get alertname BAD
 *	silence-create [--hours H] [--comment C] name=value...
 *	silence-expire ID
 *	silences
 *	status
 *	healthy
 *
 * Exit 0 ok, 1 failure, 2 usage, 5 no member reachable (push).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json.h>

#include "alert.h"
#include "alertmanager.h"
#include "config.h"
#include "util.h"

static FILE *trace;	/* observer output */

/* Writes the requests the client reports back, one line each. */
static void
dump_requests(struct am *am)
{
	const struct am_request *v, *rq;
	size_t n, i;

	n = am_requests(am, &v);
	for (i = 0; i < n; i++) {
		rq = &v[i];
		fprintf(trace, "request %s %s code=%ld alerts=%zu seconds=%.3f "
		    "url=%s error=%s\n", rq->method, rq->endpoint, rq->code,
		    rq->alerts, rq->seconds, rq->url,
		    rq->error != NULL ? rq->error : "-");
	}
	fflush(trace);
	am_requests_clear(am);
}

static const char *
env(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : def;
}

static int
env_int(const char *name, int def)
{
	long long v;

	if (str_to_int(env(name, ""), -1000000, 1000000, &v) == -1)
		return def;
	return (int)v;
}

/* Fills the alertmanager part of cfg from the environment. */
static void
config_from_env(struct config *cfg)
{
	char **hv;
	size_t hn;

	memset(cfg, 0, sizeof(*cfg));
	cfg->am_urls = str_split_list(env("AM_URLS", ""), &cfg->am_urlsz);
	cfg->am_username = xstrdup(env("AM_USERNAME", ""));
	cfg->am_password = xstrdup(env("AM_PASSWORD", ""));
	cfg->am_bearer_token = xstrdup(env("AM_BEARER_TOKEN", ""));
	cfg->am_ca_file = xstrdup(env("AM_CA_FILE", ""));
	cfg->am_cert_file = xstrdup(env("AM_CERT_FILE", ""));
	cfg->am_key_file = xstrdup(env("AM_KEY_FILE", ""));
	cfg->am_insecure = env_int("AM_INSECURE", 0);
	cfg->am_timeout = env_int("AM_TIMEOUT", 5);
	cfg->am_retry_count = env_int("AM_RETRY_COUNT", 0);
	cfg->am_retry_interval = env_int("AM_RETRY_INTERVAL", 100);
	cfg->am_generator_url = xstrdup("");

	/* ';' separates headers; str_split_list splits on commas only */
	{
		char *s = xstrdup(env("AM_HEADERS", "")), *p;

		for (p = s; *p != '\0'; p++)
			if (*p == ';')
				*p = ',';
		hv = str_split_list(s, &hn);
		free(s);
	}
	cfg->am_headers = xcalloc(hn + 1, sizeof(*cfg->am_headers));
	for (size_t i = 0; i < hn; i++) {
		char *c = strchr(hv[i], ':');

		if (c == NULL)
			continue;
		*c++ = '\0';
		while (*c == ' ')
			c++;
		cfg->am_headers[cfg->am_headersz].name = xstrdup(hv[i]);
		cfg->am_headers[cfg->am_headersz].value = xstrdup(c);
		cfg->am_headersz++;
	}
	strv_free(hv, hn);
}

static void
config_clear(struct config *cfg)
{
	strv_free(cfg->am_urls, cfg->am_urlsz);
	free(cfg->am_username);
	free(cfg->am_password);
	free(cfg->am_bearer_token);
	free(cfg->am_ca_file);
	free(cfg->am_cert_file);
	free(cfg->am_key_file);
	free(cfg->am_generator_url);
	for (size_t i = 0; i < cfg->am_headersz; i++) {
		free(cfg->am_headers[i].name);
		free(cfg->am_headers[i].value);
	}
	free(cfg->am_headers);
}

static int
label_cmp(const void *a, const void *b)
{
	return strcmp(((const struct label *)a)->name,
	    ((const struct label *)b)->name);
}

/* Copies a JSON object of strings into a sorted label array. */
static struct label *
labels_from(struct json_object *o, size_t *n)
{
	struct label *v;
	size_t i = 0;

	*n = 0;
	if (o == NULL || !json_object_is_type(o, json_type_object))
		return NULL;
	v = xcalloc(json_object_object_length(o) + 1, sizeof(*v));
	json_object_object_foreach(o, k, val) {
		v[i].name = xstrdup(k);
		v[i].value = xstrdup(json_object_get_string(val));
		i++;
	}
	qsort(v, i, sizeof(*v), label_cmp);
	*n = i;
	return v;
}

/* A time from JSON: RFC 3339 text, or seconds relative to now; 0 absent. */
static time_t
time_from(struct json_object *o, time_t now)
{
	time_t t;

	if (o == NULL)
		return 0;
	if (json_object_is_type(o, json_type_int))
		return now + json_object_get_int64(o);
	if (time_parse_rfc3339(json_object_get_string(o), &t) == 0)
		return t;
	return 0;
}

static struct alert **
alerts_from_file(const char *path, size_t *n)
{
	struct json_object *arr, *o, *v;
	struct alert **av;
	time_t now = time(NULL);

	if ((arr = json_object_from_file(path)) == NULL ||
	    !json_object_is_type(arr, json_type_array)) {
		fprintf(stderr, "am_driver: %s: not a JSON array\n", path);
		exit(2);
	}
	*n = json_object_array_length(arr);
	av = xcalloc(*n + 1, sizeof(*av));
	for (size_t i = 0; i < *n; i++) {
		struct alert *a = xcalloc(1, sizeof(*a));

		o = json_object_array_get_idx(arr, i);
		a->labels = labels_from(json_object_object_get_ex(o, "labels",
		    &v) ? v : NULL, &a->labelsz);
		a->annotations = labels_from(json_object_object_get_ex(o,
		    "annotations", &v) ? v : NULL, &a->annotationsz);
		a->starts_at = time_from(json_object_object_get_ex(o,
		    "startsAt", &v) ? v : NULL, now);
		a->ends_at = time_from(json_object_object_get_ex(o, "endsAt",
		    &v) ? v : NULL, now);
		av[i] = a;
	}
	json_object_put(arr);
	return av;
}

static struct alert **
alerts_generated(size_t n, const char *bad)
{
	struct alert **av = xcalloc(n + 1, sizeof(*av));
	size_t badn = 0;
	char **badv = str_split_list(bad != NULL ? bad : "", &badn);
	time_t now = time(NULL);

	for (size_t i = 0; i < n; i++) {
		struct alert *a = xcalloc(1, sizeof(*a));
		const char *name = "AmDriverTest";

		for (size_t j = 0; j < badn; j++)
			if ((size_t)atoi(badv[j]) == i)
				name = "BAD";
		a->labels = xcalloc(2, sizeof(*a->labels));
		a->labelsz = 2;
		a->labels[0].name = xstrdup("alarm_id");
		a->labels[0].value = xasprintf("%zu", i);
		a->labels[1].name = xstrdup("alertname");
		a->labels[1].value = xstrdup(name);
		a->starts_at = now - 60;
		a->ends_at = now + 600;
		av[i] = a;
	}
	strv_free(badv, badn);
	return av;
}

static int
cmd_push(struct am *am, struct alert **av, size_t n)
{
	int *acc = xcalloc(n + 1, sizeof(*acc));
	char **errs = xcalloc(n + 1, sizeof(*errs));
	int rv;

	rv = am_push(am, av, n, acc, errs);
	printf("accepted %d\n", rv);
	for (size_t i = 0; i < n; i++) {
		if (acc[i] == 1)
			printf("alert %zu ok\n", i);
		else
			printf("alert %zu error %s\n", i,
			    errs[i] != NULL ? errs[i] : "(none)");
		free(errs[i]);
		alert_free(av[i]);
	}
	free(av);
	free(acc);
	free(errs);
	return rv == -1 ? 5 : 0;
}

static int
cmd_silence_create(struct am *am, int argc, char **argv)
{
	struct label *ms = xcalloc(argc + 1, sizeof(*ms));
	size_t n = 0;
	double hours = 1;
	const char *comment = "am_driver";
	char *id = NULL, *err = NULL;
	time_t now = time(NULL);
	int rv;

	for (int i = 0; i < argc; i++) {
		char *eq;

		if (strcmp(argv[i], "--hours") == 0 && i + 1 < argc)
			hours = atof(argv[++i]);
		else if (strcmp(argv[i], "--comment") == 0 && i + 1 < argc)
			comment = argv[++i];
		else if ((eq = strchr(argv[i], '=')) != NULL) {
			ms[n].name = xstrndup(argv[i], eq - argv[i]);
			ms[n].value = xstrdup(eq + 1);
			n++;
		}
	}
	rv = am_silence_create(am, ms, n, now, now + (time_t)(hours * 3600),
	    comment, &id, &err);
	if (rv == 0)
		printf("silence %s\n", id);
	else
		printf("error %s\n", err);
	for (size_t i = 0; i < n; i++) {
		free(ms[i].name);
		free(ms[i].value);
	}
	free(ms);
	free(id);
	free(err);
	return rv == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct config cfg;
	struct am *am;
	char *err = NULL;
	int rv = 1;
	const char *tf = getenv("AM_TRACE");

	if (argc < 2) {
		fprintf(stderr, "usage: am_driver command [args]\n");
		return 2;
	}
	trace = stderr;
	if (tf != NULL && *tf != '\0' && (trace = fopen(tf, "a")) == NULL) {
		perror(tf);
		return 2;
	}
	config_from_env(&cfg);
	if ((am = am_new(&cfg, &err)) == NULL) {
		printf("error %s\n", err);
		free(err);
		config_clear(&cfg);
		return 3;
	}
	if (env_int("AM_DEADLINE", -1) >= 0)
		am_set_deadline(am, time(NULL) + env_int("AM_DEADLINE", 0));

	if (strcmp(argv[1], "push") == 0 && argc == 3) {
		size_t n;
		struct alert **av = alerts_from_file(argv[2], &n);

		rv = cmd_push(am, av, n);
	} else if (strcmp(argv[1], "push-n") == 0 && argc >= 3) {
		size_t n = (size_t)atoi(argv[2]);

		rv = cmd_push(am, alerts_generated(n, argc > 3 ? argv[3] :
		    NULL), n);
	} else if (strcmp(argv[1], "silence-create") == 0) {
		rv = cmd_silence_create(am, argc - 2, argv + 2);
	} else if (strcmp(argv[1], "silence-expire") == 0 && argc == 3) {
		if (am_silence_expire(am, argv[2], &err) == 0) {
			printf("expired\n");
			rv = 0;
		} else
			printf("error %s\n", err);
	} else if (strcmp(argv[1], "silences") == 0) {
		struct json_object *o = am_silences(am, &err);

		if (o != NULL) {
			printf("%s\n", json_object_to_json_string_ext(o,
			    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(o);
			rv = 0;
		} else
			printf("error %s\n", err);
	} else if (strcmp(argv[1], "status") == 0) {
		rv = 0;
		for (size_t i = 0; i < am_count(am); i++) {
			struct json_object *o = am_status(am, i, &err);

			if (o == NULL) {
				printf("error %s\n", err);
				rv = 1;
				continue;
			}
			printf("%s\n", json_object_to_json_string_ext(o,
			    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(o);
		}
	} else if (strcmp(argv[1], "healthy") == 0) {
		rv = 0;
		for (size_t i = 0; i < am_count(am); i++) {
			if (am_healthy(am, i, &err) == 0)
				printf("healthy %s\n", am_url(am, i));
			else {
				printf("unhealthy %s\n", err);
				free(err);
				err = NULL;
				rv = 1;
			}
		}
	} else {
		fprintf(stderr, "am_driver: unknown command or arguments\n");
		rv = 2;
	}
	free(err);
	dump_requests(am);
	am_free(am);
	config_clear(&cfg);
	if (trace != stderr)
		fclose(trace);
	return rv;
}
