/*
 * progress: the run's progress line (see progress.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "progress.h"
#include "util.h"

struct progress {
	int	 mode;		/* 0 none, 1 terminal line, 2 info line per page */
	double	 t0;
	size_t	 pages;
	int	 drawn;		/* the terminal line is on the screen */
};

struct progress *
progress_new(int verbose)
{
	struct progress *p = xcalloc(1, sizeof(*p));

	p->t0 = now_monotonic();
	if (verbose > 0)
		p->mode = 2;
	else if (verbose == 0 && isatty(STDERR_FILENO))
		p->mode = 1;
	return p;
}

void
progress_page(struct progress *p, size_t rows, const long *counts, size_t n,
    long extra)
{
	double secs = now_monotonic() - p->t0;
	long actions = extra;
	size_t i;

	for (i = 0; i < n; i++)
		actions += counts[i];

	p->pages++;
	if (p->mode == 2)
		log_info("run: page %zu: %zu alarms read, %ld actions, %.1fs",
		    p->pages, rows, actions, secs);
	else if (p->mode == 1 && secs >= PROGRESS_AFTER) {
		/* \r and erase-line: the next page overwrites it */
		fprintf(stderr, "\rzmcsync run: page %zu, %zu alarms read, "
		    "%ld actions, %.0fs\033[K", p->pages, rows, actions, secs);
		fflush(stderr);
		p->drawn = 1;
	}
}

void
progress_free(struct progress *p)
{
	if (p == NULL)
		return;
	if (p->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	free(p);
}
