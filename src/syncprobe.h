/*
 * syncprobe: whether the database is usable as a run needs it (the
 * check command).
 */
#ifndef ZMCSYNC_SYNCPROBE_H
#define ZMCSYNC_SYNCPROBE_H

struct db;
struct config;

/*
 * Probes each sync table and the source view (one row), then checks the
 * active mapping rows as syncmap_load does.  fn, if not NULL, gets each
 * object's name, ok flag and detail ("N rows", or the error); a mapping
 * row that would be ignored is a failed "label mapping SRC -> TARGET",
 * else one "label mapping" line passes.  Once a probe finds the
 * database locked, the rest are reported skipped.  0 if all are
 * readable and usable, -1 otherwise.
 */
int	syncprobe_run(struct db *, const struct config *,
	    void (*fn)(void *arg, const char *name, int ok, const char *detail),
	    void *arg);

#endif
