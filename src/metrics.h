/*
 * metrics: the node_exporter textfile (SPEC 6).  Counters and histograms
 * are persisted in the local state file so they stay monotonic across
 * one-shot runs; the file is written atomically (temp file in the target
 * directory, fchmod 0644, checked fclose, rename).
 */
#ifndef ZMCSYNC_METRICS_H
#define ZMCSYNC_METRICS_H

#include <stddef.h>

struct state;

/*
 * Loads persisted counters and histograms from st (NULL: start from zero,
 * e.g. when the state file is unusable).  Call once before recording.
 * Also sets zmc_build_info{version} 1 and zmc_state_file_ok (st != NULL).
 * Unknown family names, wrong types or labels in the calls below are
 * logged and ignored (a metrics bug must not stop a sync).
 */
void	metrics_init(struct state *st);
/* Counter += v.  name is a family of SPEC 6; lname/lvalue one label or NULL. */
void	metrics_add(const char *name, const char *lname, const char *lvalue, double v);
/* Gauge = v. */
void	metrics_set(const char *name, const char *lname, const char *lvalue, double v);
/* Clears every series of a gauge family (before setting fresh values, e.g. zmc_active_alarms). */
void	metrics_reset(const char *name);
/* Histogram observation (seconds). */
void	metrics_observe(const char *name, const char *lname, const char *lvalue, double v);
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
