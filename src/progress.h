/*
 * progress: how far a long run is, for the person watching it.  On a
 * terminal (stderr), a run that takes more than PROGRESS_AFTER seconds
 * shows one line rewritten in place, erased at the end; with -v every
 * page is an info line instead.  Under cron (stderr not a terminal), with
 * -q, or for a quick run, nothing.
 */
#ifndef ZMCSYNC_PROGRESS_H
#define ZMCSYNC_PROGRESS_H

#include <stddef.h>

/* Seconds before the terminal line appears. */
#define PROGRESS_AFTER	2

struct progress;

/* verbose: ctx->verbose (-1 -q, 0, 1+ -v).  Never fails. */
struct progress	*progress_new(int verbose);
/*
 * One page done: rows read so far, and the actions so far as the sum of
 * counts[0..n) and extra.
 */
void		 progress_page(struct progress *, size_t rows, const long *counts,
		    size_t n, long extra);
/* Erases the terminal line, if one was drawn, and frees. */
void		 progress_free(struct progress *);

#endif
