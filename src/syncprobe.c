/*
 * syncprobe: the check command's look at the database: each sync table
 * and the source view readable, the mapping rows usable, as a run would
 * find them.
 */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "dbstmt.h"
#include "dialect.h"
#include "query.h"
#include "source.h"
#include "syncmap.h"
#include "syncprobe.h"
#include "util.h"

#define BUSY_SKIP	"skipped: the database is locked or busy"

/*
 * The reason a probe failed, saying plainly when another session's lock
 * is the cause (*busy then set).  Allocated.
 */
static char *
probe_error(struct db *db, int *busy)
{
	if (!db_busy(db))
		return xstrdup(db_error(db));
	*busy = 1;
	return xasprintf("the database is locked or busy (another session "
	    "holds a lock): %s", db_error(db));
}

/* What syncprobe_run's mapping check reports through. */
struct mapping_probe_ctx {
	void	(*fn)(void *, const char *, int, const char *);
	void	*arg;
	int	 bad;
};

/* syncmap_read callback of a probe: one failed line per unusable row. */
static void
mapping_probe(void *arg, const char *src, const char *name, const char *type,
    const char *why)
{
	struct mapping_probe_ctx *mp = arg;
	char *what, *detail;

	mp->bad++;
	if (mp->fn == NULL)
		return;
	what = xasprintf("label mapping %s -> %s", src, name);
	detail = xasprintf("%s (%s): %s, row ignored", what + 14, type, why);
	mp->fn(mp->arg, what, 0, detail);
	free(detail);
	free(what);
}

int
syncprobe_run(struct db *db, const struct config *cfg,
    void (*fn)(void *, const char *, int, const char *), void *arg)
{
	static const char *const tables[] = {
		"NM_ALARM_SYNC_CONFIG", "NM_ALARM_SYNC_STATUS",
		"NM_ALARM_SYNC_LOG", "NM_ALARM_LABEL_MAPPING"
	};
	const char *view = source_view(cfg);
	struct db_stmt *st;
	struct mapping_probe_ctx mp;
	struct label_map *maps;
	long long n;
	char *detail;
	size_t i, mapsz;
	int ok, all = 0, rc, busy = 0;

	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		if (busy) {
			/* Each probe would wait out the same lock again. */
			if (fn != NULL)
				fn(arg, tables[i], 0, BUSY_SKIP);
			continue;
		}
		ok = query_count(db, SQL_PROBE_TABLE, tables[i], 0, 0, &n) == 0;
		detail = ok ? xasprintf("%lld rows", n) :
		    probe_error(db, &busy);
		if (fn != NULL)
			fn(arg, tables[i], ok, detail);
		free(detail);
		if (!ok)
			all = -1;
	}
	if (busy) {
		if (fn != NULL)
			fn(arg, view, 0, BUSY_SKIP);
		return -1;
	}
	ok = 0;
	if ((st = query_run(db, SQL_PROBE_SOURCE, view)) != NULL) {
		struct source_page pg;

		/* The columns a run needs, checked as a run checks them. */
		memset(&pg, 0, sizeof(pg));
		if (source_page_begin(&pg, db, st, 0, view) == 0 &&
		    (rc = db_fetch(st)) >= 0) {
			ok = 1;
			detail = db_col_count(st) > 0 && rc == 1 ?
			    xasprintf("readable, %d columns", db_col_count(st)) :
			    xstrdup("readable, empty");
		}
		source_page_free(&pg);
		db_stmt_free(st);
	}
	if (!ok)
		detail = probe_error(db, &busy);
	if (fn != NULL)
		fn(arg, view, ok, detail);
	free(detail);
	if (!ok)
		all = -1;
	if (busy)
		return -1;
	/* The mapping rows, checked as a run checks them. */
	memset(&mp, 0, sizeof(mp));
	mp.fn = fn;
	mp.arg = arg;
	if (syncmap_read(db, cfg, &maps, &mapsz, mapping_probe, &mp) == 0) {
		if (mp.bad == 0 && fn != NULL) {
			detail = xasprintf("%zu active rows usable", mapsz);
			fn(arg, "label mapping", 1, detail);
			free(detail);
		}
		syncmap_free(maps, mapsz);
	}
	if (mp.bad > 0)
		all = -1;
	return all;
}
