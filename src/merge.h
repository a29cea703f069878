/*
 * merge: the read side of a run.  Pairs every alarm that can need an
 * action with its status row, in one pass over the data:
 *
 *  - the active side: view rows in state U joined with their status row,
 *    read in keyset pages that each dialect answers from the view's key
 *    order (one index range per page, nothing re-sorted);
 *  - the tracked side: status rows not RESOLVED whose alarm is not on
 *    the active side (cleared, gone, or in an odd state), found by a
 *    merge of their ids with the active page over the same key range and
 *    read with their view rows by id lists.
 *
 * Each alarm is read once per run.  The end of the data is decided by
 * the cursors (rows fetched), never by how many rows could be parsed.
 */
#ifndef ZMCSYNC_MERGE_H
#define ZMCSYNC_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "reconcile.h"
#include "source.h"

struct db;
struct config;
struct merge;

/*
 * Active rows per page query: each query costs a plan (PostgreSQL) or a
 * prepare (sqliteodbc) whatever its size, so pages are larger than the
 * POST batch; about half a megabyte of rows (peak RSS stays under 16 MiB).
 */
#define MERGE_PAGE	500

/* What the pass read, for the run summary and metrics. */
struct merge_stats {
	size_t	active_rows;	/* view rows in state U fetched */
	size_t	tracked_rows;	/* status rows of the tracked side */
	size_t	bad_rows;	/* view rows skipped: ALARM_INST_ID not an integer */
	size_t	duplicates;	/* view rows skipped: ALARM_INST_ID seen already */
	size_t	queries;	/* SELECTs executed */
	double	seconds;	/* time spent in them */
	struct source_notes notes;	/* bad values over the pass (source_notes_report) */
	double	recent[8];	/* durations of the queries of the last merge_next */
	size_t	nrecent;	/* (the eighth holds the rest) */
};

/*
 * A pass over the view of cfg (zmc.source), reading the active side in
 * pages of page rows and handing out batches of at most batch pairs.
 * Never fails.
 */
struct merge	*merge_new(struct db *, const struct config *, size_t page,
		    size_t batch);
/*
 * The next batch of at most batch pairs in *pairs / *n, valid until the
 * next call.  1 a batch, 0 no more, -1 database error (db_error()).
 */
int		 merge_next(struct merge *, const struct pair **pairs, size_t *n);
const struct merge_stats *merge_stats(const struct merge *);
/* The bad values the pass counted, for source_notes_report. */
struct source_notes *merge_notes(struct merge *);
void		 merge_free(struct merge *);

#endif
