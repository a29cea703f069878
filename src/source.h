/*
 * source: reads the source view (SPEC 1.2), the one adapter between ZMC
 * and zmcsync, in keyset pages so memory stays bounded whatever the
 * driver buffers.  Only rows that can matter are read: state U, or rows
 * zmcsync still tracks as FIRING, PENDING or SILENCED.
 */
#ifndef ZMCSYNC_SOURCE_H
#define ZMCSYNC_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "domain.h"
#include "types.h"

struct db;
struct db_stmt;
struct config;

/* Bad values of one kind seen over a run: how many alarms, the first ids. */
enum source_note {
	NOTE_LEVEL = 0,	/* ALARM_LEVEL NULL or not 0-4: treated as level 0 */
	NOTE_STATE,	/* ALARM_STATE NULL or not U/A/C/M */
	NOTE_TIME,	/* a time column that is not a time */
	NOTE__COUNT
};
#define SOURCE_NOTE_IDS	10
struct source_notes {
	size_t	 n[NOTE__COUNT];
	int64_t	 ids[NOTE__COUNT][SOURCE_NOTE_IDS];
};

/*
 * Logs one warning per kind of bad value in notes, naming the view, the
 * count and the first alarm ids; then clears notes.
 */
void	source_notes_report(struct source_notes *notes, const char *view);

/*
 * Rows of the view read from one statement, in the order fetched.  The
 * view's columns start at column off of the statement (the columns
 * before it belong to the caller).
 */
struct source_page {
	struct zmc_row	*rows;
	size_t		 rowsz;
	size_t		 rowcap;
	char		**names;	/* upper-case column names of the view */
	size_t		 ncols;
	int		 off;		/* first view column in the statement */
	int		 ix[24];	/* statement column of each known column, -1 absent */
	const char	*view;		/* for messages (the config's string) */
	size_t		 fetched;	/* rows the cursor gave, parsable or not */
	int64_t		 last_key;	/* highest parsable ALARM_INST_ID so far, 0 none */
	size_t		 bad;		/* rows skipped: ALARM_INST_ID not an integer */
	struct source_notes *notes;	/* set by the caller: bad values are counted
					   there (one warning per run) instead of
					   warned about row by row */
};

/* The view name in force (zmc.source, else NM_ALARM_SYNC_SOURCE). */
const char	*source_view(const struct config *);

/*
 * Starts pg (zeroed by the caller) for executed statement st whose view
 * columns start at off: reads the column names and finds the known ones.
 * A view without ALARM_INST_ID, ALARM_STATE or ALARM_LEVEL fails: a run
 * must not guess what every alarm is.  0 ok, -1 with db_set_error.
 */
int	source_page_begin(struct source_page *pg, struct db *, struct db_stmt *st,
	    int off, const char *view);
/*
 * Parses the statement's current row and appends it to pg.  Counts the
 * row in fetched either way.  A row whose ALARM_INST_ID is not an integer
 * is reported with its raw value and not appended (-1); any other bad
 * value is reported naming the alarm and column and cleared, the row is
 * kept (0).
 */
int	source_page_add(struct source_page *pg, struct db_stmt *st);
/* Removes and frees the last row of pg (a duplicate the caller found). */
void	source_page_drop_last(struct source_page *pg);
/* Sorts the rows by ALARM_INST_ID (rows of an IN list come in any order). */
void	source_page_sort(struct source_page *pg);
void	source_page_free(struct source_page *);

#endif
