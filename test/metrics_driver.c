/*
 * metrics_driver: simulates the metrics side of `zmcsync run` so the
 * textfile can be tested end to end (promtool, a real node_exporter)
 * independently of the database and Alertmanager code.
 *
 *	metrics_driver [-n COUNT] [-d MS] [-r RESULT] [-u URL] STATEDIR TEXTFILE
 *
 * Each of COUNT iterations is one simulated run: open the state file
 * (carrying on without it when unusable, as the real run does), load the
 * persisted series and the previous textfile, record one sync with
 * RESULT (default success), two fires, one heartbeat, one request to
 * each URL (default http://127.0.0.1:9093), durations, gauges, then save
 * and write the textfile atomically.  -d sleeps MS milliseconds between
 * runs (so a concurrent reader overlaps the rewrites).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "metrics.h"
#include "state.h"
#include "util.h"

static void
usage(void)
{
	fprintf(stderr, "usage: metrics_driver [-n count] [-d ms] [-r result] "
	    "[-u url] statedir textfile\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	const char *result = "success", *urls[8];
	struct state *st;
	char *err;
	size_t nurl = 0, u;
	long n = 1, i, delay = 0;
	int ch, rc = 0;
	double now;

	while ((ch = getopt(argc, argv, "d:n:r:u:")) != -1) {
		switch (ch) {
		case 'd':
			delay = strtol(optarg, NULL, 10);
			break;
		case 'n':
			n = strtol(optarg, NULL, 10);
			break;
		case 'r':
			result = optarg;
			break;
		case 'u':
			if (nurl == sizeof(urls) / sizeof(urls[0]))
				usage();
			urls[nurl++] = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2 || n < 1)
		usage();
	if (nurl == 0)
		urls[nurl++] = "http://127.0.0.1:9093";

	for (i = 0; i < n; i++) {
		if (i > 0 && delay > 0)
			nanosleep(&(struct timespec){ delay / 1000,
			    (delay % 1000) * 1000000 }, NULL);
		err = NULL;
		if ((st = state_open(argv[0], &err)) == NULL) {
			log_warn("%s", err);
			free(err);
		}
		metrics_init(st);
		metrics_load_textfile(argv[1]);
		metrics_add(MET_SYNC_TOTAL, result, 1);
		metrics_add(MET_ALARMS_PROCESSED_TOTAL, "fire", 2);
		metrics_add(MET_ALARMS_PROCESSED_TOTAL, "heartbeat", 1);
		for (u = 0; u < nurl; u++) {
			metrics_add(MET_ALERTMANAGER_REQUESTS_TOTAL, urls[u], 1);
			metrics_observe(MET_ALERTMANAGER_REQUEST_DURATION_SECONDS,
			    urls[u], 0.02);
		}
		if (strcmp(result, "success") != 0)
			metrics_add(MET_ERRORS_TOTAL, "alertmanager", 1);
		metrics_observe(MET_DB_QUERY_DURATION_SECONDS, NULL, 0.003);
		metrics_observe(MET_SYNC_DURATION_SECONDS, NULL, 0.4);
		metrics_reset(MET_ACTIVE_ALARMS);
		metrics_set(MET_ACTIVE_ALARMS, "critical", 2);
		metrics_set(MET_ACTIVE_ALARMS, "warning", 1);
		metrics_set(MET_ALARMS_IN_ERROR, NULL, 0);
		metrics_set(MET_SYNC_SERVICE_UP, NULL,
		    strcmp(result, "disabled") != 0 && strcmp(result, "failed") != 0);
		now = (double)time(NULL);
		metrics_set(MET_LAST_SYNC_TIMESTAMP_SECONDS, NULL, now);
		if (strcmp(result, "success") == 0)
			metrics_set(MET_LAST_SUCCESS_TIMESTAMP_SECONDS, NULL, now);
		if (st != NULL && metrics_save(st) == -1)
			metrics_set(MET_STATE_FILE_OK, NULL, 0);
		if (metrics_write(argv[1]) == -1)
			rc = 1;
		metrics_free();
		state_close(st);
	}
	return rc;
}
