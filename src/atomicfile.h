/*
 * atomicfile: replaces a file so that a reader sees the old contents or
 * the new, never a part (node_exporter reads the metrics textfile at any
 * moment).
 */
#ifndef ZMCSYNC_ATOMICFILE_H
#define ZMCSYNC_ATOMICFILE_H

#include <sys/types.h>

/*
 * Writes text to a temp file "<path>.XXXXXX" in the same directory
 * (node_exporter reads only *.prom, so it never sees it), flushed, given
 * mode, fsynced, closed with a check, then renamed over path; the
 * directory is fsynced too (best effort).  The directory must exist.
 * 0 ok; -1 with nothing left behind and *err set to "step: reason"
 * (caller frees; the caller names the file).
 */
int	atomicfile_write(const char *path, const char *text, mode_t mode,
	    char **err);

#endif
