/*
 * util: small helpers shared by every module (allocation that aborts on
 * exhaustion, a growable string buffer, time formatting and time zones).
 * Allocation failure is fatal by design: a one-shot cron job has no better
 * recovery than exiting and letting the next run retry.
 */
#ifndef ZMCSYNC_UTIL_H
#define ZMCSYNC_UTIL_H

/* The Makefile defines it; this fallback only serves other build tools. */
#ifndef ZMCSYNC_VERSION
#define ZMCSYNC_VERSION "0.0.0"
#endif

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Allocators: never return NULL (print "out of memory" and exit 1). */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
/* Grows *v (of *cap elements of size sz) to hold at least n; doubles. */
void	*xreallocarray_grow(void *v, size_t *cap, size_t n, size_t sz);
/* xstrdup(NULL) returns NULL. */
char	*xstrdup(const char *);
/* Prints "zmcsync: out of memory" and exits 1 (the allocators' end). */
void	 oom(void) __attribute__((noreturn));
char	*xstrndup(const char *, size_t);
/* Formatted allocation; caller frees. */
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));

/* Growable NUL-terminated buffer; zero-initialise, buf_free when done. */
struct buf {
	char	*s;	/* contents, NUL-terminated once anything was added */
	size_t	 len;	/* bytes used, excluding the NUL */
	size_t	 cap;	/* bytes allocated */
};
void	 buf_add(struct buf *, const char *, size_t);
void	 buf_puts(struct buf *, const char *);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Returns the contents (caller frees) and resets the buffer. */
char	*buf_release(struct buf *);
void	 buf_free(struct buf *);

/* Case-insensitive ASCII comparison helpers. */
int	 str_eq_ci(const char *, const char *);
/* Upper-cases ASCII letters of s in place; returns s (NULL for NULL). */
char	*str_upper(char *s);
/*
 * Splits s on commas, trims blanks, drops empty items; caller frees with
 * strv_free.  Never NULL (NULL s gives n = 0); also NULL-terminated.
 */
char	**str_split_list(const char *s, size_t *n);
void	 strv_free(char **, size_t);
/* Parses a decimal integer in [min,max]; 0 ok, -1 not a number or out of range. */
int	 str_to_int(const char *, long long min, long long max, long long *out);

/* Formats t (UTC) as RFC 3339 "2024-01-15T10:30:00Z" into out (>= 21 bytes). */
char	*time_rfc3339(time_t t, char out[32]);
/* Parses RFC 3339 (Z or +hh:mm, optional fraction); 0 ok, -1 bad. */
int	 time_parse_rfc3339(const char *, time_t *out);
/*
 * Time zone conversion for database DATE values, which carry no zone.
 * tz is an IANA name ("Asia/Shanghai"); NULL or "" means the system zone.
 * tz_to_utc: wall-clock fields in tz -> UTC epoch.  0 ok, -1 unknown zone
 * or impossible fields (month 13, Feb 30).  One rule for both DST edges:
 * the UTC offset in force just before the transition is used.
 *  - overlap (clocks go back, the wall time happens twice): the earlier
 *    instant wins.  America/New_York 2024-11-03 01:30 -> 05:30Z (EDT).
 *  - gap (clocks go forward, the wall time never happens): read with the
 *    old offset, i.e. it lands as far after the gap as it was into it.
 *    America/New_York 2024-03-10 02:30 -> 07:30Z (= 03:30 EDT).
 * This is what Python (fold=0) and java.time do.  The process zone is
 * switched with setenv("TZ") and restored before returning (not
 * thread-safe; zmcsync is single-threaded).
 */
int	 tz_to_utc(const char *tz, int year, int mon, int day, int hour,
	    int min, int sec, time_t *out);
/* tz_from_utc: UTC epoch -> wall-clock in tz, formatted "YYYY-MM-DD HH:MM:SS". 0/-1. */
int	 tz_from_utc(const char *tz, time_t t, char out[32]);
/*
 * Parses "YYYY-MM-DD[ T]HH:MM:SS[.fff]" (or a bare date, meaning midnight;
 * surrounding blanks allowed; the fraction is dropped) as wall-clock time
 * in tz, with tz_to_utc's DST rule; 0/-1.
 */
int	 tz_parse_local(const char *tz, const char *s, time_t *out);
/*
 * 1 if tz names a compiled zone file under $TZDIR or /usr/share/zoneinfo
 * (NULL and "" -- the system zone -- are valid too), else 0.  The C
 * library would silently treat an unknown name as UTC.
 */
int	 tz_valid(const char *tz);
/* CLOCK_MONOTONIC seconds (arbitrary origin) for measuring durations. */
double	 now_monotonic(void);

#endif
