/*
 * metrics: the node_exporter textfile (SPEC 6).  Counters and histograms
 * are persisted in the local state file so they stay monotonic across
 * one-shot runs; the file is written atomically (atomicfile.h).
 */
#ifndef ZMCSYNC_METRICS_H
#define ZMCSYNC_METRICS_H

#include <stddef.h>

struct state;

/*
 * The families of SPEC 6, one id each: the family name without "zmc_",
 * upper-cased.  Kept sorted by name (the textfile lists the families in
 * this order); each id has its row (name, type, help, label) in
 * families[] in metrics.c.
 */
enum metric_id {
	MET_ACTIVE_ALARMS = 0,				/* gauge {severity} */
	MET_ALARMS_IN_ERROR,				/* gauge */
	MET_ALARMS_PROCESSED_TOTAL,			/* counter {action} */
	MET_ALERTMANAGER_REQUEST_DURATION_SECONDS,	/* histogram {url} */
	MET_ALERTMANAGER_REQUEST_ERRORS_TOTAL,		/* counter {url} */
	MET_ALERTMANAGER_REQUESTS_TOTAL,		/* counter {url} */
	MET_BUILD_INFO,					/* gauge {version} */
	MET_DB_QUERY_DURATION_SECONDS,			/* histogram */
	MET_DB_STATEMENTS_TOTAL,			/* counter */
	MET_ERRORS_TOTAL,				/* counter {type} */
	MET_LAST_SUCCESS_TIMESTAMP_SECONDS,		/* gauge */
	MET_LAST_SYNC_TIMESTAMP_SECONDS,		/* gauge */
	MET_LEASE_HELD,					/* gauge */
	MET_STATE_FILE_OK,				/* gauge */
	MET_SYNC_DURATION_SECONDS,			/* histogram */
	MET_SYNC_SERVICE_UP,				/* gauge */
	MET_SYNC_TOTAL,					/* counter {result} */
	MET__COUNT
};

/*
 * Loads persisted counters and histograms from st (NULL: start from zero,
 * e.g. when the state file is unusable).  Call once before recording.
 * Also sets zmc_build_info{version} 1 and zmc_state_file_ok (st != NULL).
 * In the calls below, lvalue is the value of the family's one label (NULL
 * for a family without one).  A wrong type, a missing or extra label
 * value or a bad id is logged and ignored (a metrics bug must not stop a
 * sync).
 */
void	metrics_init(struct state *st);
/* Counter += v (v >= 0). */
void	metrics_add(enum metric_id, const char *lvalue, double v);
/* Gauge = v. */
void	metrics_set(enum metric_id, const char *lvalue, double v);
/* Clears every series of a gauge family (before setting fresh values, e.g. zmc_active_alarms). */
void	metrics_reset(enum metric_id);
/* Histogram observation (seconds). */
void	metrics_observe(enum metric_id, const char *lvalue, double v);
/* The family name ("zmc_sync_total"); NULL for a bad id. */
const char *metrics_name(enum metric_id);
/*
 * Merges the persisted families (counters, histograms, the two timestamp
 * gauges) of a textfile written by an earlier run, the larger value
 * winning.  Call after metrics_init: it keeps counters monotonic when the
 * state file was unusable, lost or replaced.  Missing file: 0; unreadable:
 * -1 (logged).  NULL or "" path: 0.
 */
int	metrics_load_textfile(const char *path);
/* Persists counters, histograms and timestamp gauges to st; 0/-1. */
int	metrics_save(struct state *st);
/* Writes the textfile atomically; 0 ok, -1 with a logged reason. */
int	metrics_write(const char *path);
/* Renders the exposition text (for tests and --dry-run); caller frees. */
char	*metrics_render(void);
void	metrics_free(void);

#endif
