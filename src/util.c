/*
 * util: allocation, string buffers, lists, numbers, times and time zones.
 * See util.h for the contracts.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* Out of memory is fatal: a cron job retries on its next run anyway. */
void
oom(void)
{
	static const char msg[] = "zmcsync: out of memory\n";

	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) == -1)
		_exit(1);
	exit(1);
}

void *
xmalloc(size_t n)
{
	void	*p;

	if ((p = malloc(n == 0 ? 1 : n)) == NULL)
		oom();
	return p;
}

void *
xcalloc(size_t n, size_t sz)
{
	void	*p;

	if (n == 0 || sz == 0)
		n = sz = 1;
	if ((p = calloc(n, sz)) == NULL)
		oom();
	return p;
}

void *
xrealloc(void *v, size_t n)
{
	void	*p;

	if ((p = realloc(v, n == 0 ? 1 : n)) == NULL)
		oom();
	return p;
}

void *
xreallocarray_grow(void *v, size_t *cap, size_t n, size_t sz)
{
	size_t	 ncap;

	if (n <= *cap && v != NULL)
		return v;
	ncap = *cap < 8 ? 8 : *cap;
	while (ncap < n) {
		if (ncap > SIZE_MAX / 2)
			oom();
		ncap *= 2;
	}
	if (sz != 0 && ncap > SIZE_MAX / sz)
		oom();
	v = xrealloc(v, ncap * sz);
	*cap = ncap;
	return v;
}

char *
xstrdup(const char *s)
{
	if (s == NULL)
		return NULL;
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p;
	size_t	 len;

	for (len = 0; len < n && s[len] != '\0'; len++)
		continue;
	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* vasprintf is not POSIX: measure, then format. */
static char *
xvasprintf(const char *fmt, va_list ap, int *len)
{
	va_list	 ap2;
	char	*p;
	int	 n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		oom();
	p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	*len = n;
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*p;
	int	 n;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap, &n);
	va_end(ap);
	return p;
}

void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 < b->len)
		oom();
	b->s = xreallocarray_grow(b->s, &b->cap, b->len + n + 1, 1);
	if (n > 0)
		memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;
	int	 n;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap, &n);
	va_end(ap);
	buf_add(b, p, (size_t)n);
	free(p);
}

char *
buf_release(struct buf *b)
{
	char	*s;

	s = b->s != NULL ? b->s : xstrdup("");
	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

void
buf_free(struct buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

/* Two NULLs are equal; NULL never equals a string. */
int
str_eq_ci(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
	return *a == *b;
}

char *
str_upper(char *s)
{
	char *p;

	if (s == NULL)
		return NULL;
	for (p = s; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	return s;
}

/* The array is also NULL-terminated, for convenience. */
char **
str_split_list(const char *s, size_t *n)
{
	char		**v = NULL;
	size_t		 cap = 0, len = 0;
	const char	*p, *e, *q;

	*n = 0;
	if (s != NULL) {
		for (p = s;; p = q + 1) {
			if ((q = strchr(p, ',')) == NULL)
				q = p + strlen(p);
			e = q;
			while (p < e && isspace((unsigned char)*p))
				p++;
			while (e > p && isspace((unsigned char)e[-1]))
				e--;
			if (e > p) {
				v = xreallocarray_grow(v, &cap, len + 2,
				    sizeof(*v));
				v[len++] = xstrndup(p, (size_t)(e - p));
			}
			if (*q == '\0')
				break;
		}
	}
	if (v == NULL)
		v = xcalloc(1, sizeof(*v));
	v[len] = NULL;
	*n = len;
	return v;
}

void
strv_free(char **v, size_t n)
{
	size_t	 i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Leading and trailing blanks are allowed; nothing else is. */
int
str_to_int(const char *s, long long min, long long max, long long *out)
{
	char		*end;
	long long	 v;

	if (s == NULL)
		return -1;
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0' || !(isdigit((unsigned char)*s) || *s == '-' ||
	    *s == '+'))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s)
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	if (*end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

char *
time_rfc3339(time_t t, char out[32])
{
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "1970-01-01T00:00:00Z");
	return out;
}

/* Parses exactly n digits; -1 if any is not a digit. */
static int
digits(const char *s, int n)
{
	int	 v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Field range check shared by the parsers; 1 plausible, else 0. */
static int
fields_ok(int year, int mon, int day, int hour, int min, int sec)
{
	return year >= 1 && year <= 9999 && mon >= 1 && mon <= 12 &&
	    day >= 1 && day <= 31 && hour >= 0 && hour <= 23 &&
	    min >= 0 && min <= 59 && sec >= 0 && sec <= 60;
}

/*
 * Parses "YYYY-MM-DD[ Tt]HH:MM:SS[.fff]" (the date alone means midnight)
 * into fields; *rest points after what was consumed.  0 ok, -1 bad.
 */
static int
parse_datetime(const char *s, int f[6], const char **rest)
{
	const char	*p = s;

	if ((f[0] = digits(p, 4)) < 0 || p[4] != '-' ||
	    (f[1] = digits(p + 5, 2)) < 0 || p[7] != '-' ||
	    (f[2] = digits(p + 8, 2)) < 0)
		return -1;
	p += 10;
	f[3] = f[4] = f[5] = 0;
	if ((*p == ' ' || *p == 'T' || *p == 't') &&
	    isdigit((unsigned char)p[1])) {
		p++;
		if ((f[3] = digits(p, 2)) < 0 || p[2] != ':' ||
		    (f[4] = digits(p + 3, 2)) < 0 || p[5] != ':' ||
		    (f[5] = digits(p + 6, 2)) < 0)
			return -1;
		p += 8;
		if (*p == '.' || *p == ',') {
			p++;
			if (!isdigit((unsigned char)*p))
				return -1;
			while (isdigit((unsigned char)*p))
				p++;
		}
	}
	if (!fields_ok(f[0], f[1], f[2], f[3], f[4], f[5]))
		return -1;
	*rest = p;
	return 0;
}

/* UTC fields -> epoch, rejecting dates that do not exist (Feb 30). */
static int
utc_fields(const int f[6], time_t *out)
{
	struct tm	 tm;
	time_t		 t;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = f[0] - 1900;
	tm.tm_mon = f[1] - 1;
	tm.tm_mday = f[2];
	tm.tm_hour = f[3];
	tm.tm_min = f[4];
	tm.tm_sec = f[5] == 60 ? 59 : f[5];	/* leap second: clamp */
	t = timegm(&tm);
	if (tm.tm_mday != f[2] || tm.tm_mon != f[1] - 1)
		return -1;
	*out = t;
	return 0;
}

int
time_parse_rfc3339(const char *s, time_t *out)
{
	const char	*p;
	int		 f[6], oh, om, sign;
	time_t		 t;

	if (s == NULL || parse_datetime(s, f, &p) == -1 || p - s < 19)
		return -1;
	if (*p == 'Z' || *p == 'z') {
		sign = 0;
		oh = om = 0;
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		if ((oh = digits(p + 1, 2)) < 0 || p[3] != ':' ||
		    (om = digits(p + 4, 2)) < 0 || oh > 23 || om > 59)
			return -1;
		p += 6;
	} else
		return -1;
	if (*p != '\0' || utc_fields(f, &t) == -1)
		return -1;
	*out = t - (time_t)sign * (oh * 3600 + om * 60);
	return 0;
}

/* Whether TZDIR-relative zone files exist; the directory to look in. */
static const char *
tz_dir(void)
{
	const char	*d;

	if ((d = getenv("TZDIR")) != NULL && *d != '\0')
		return d;
	return "/usr/share/zoneinfo";
}

/*
 * NULL or "" is the system zone and always valid.  Otherwise the name
 * must be a relative path without ".." naming a compiled zone file
 * (it starts with "TZif"), so a typo is not silently read as UTC, which
 * is what the C library does with an unknown TZ.
 */
int
tz_valid(const char *tz)
{
	static char	 last[256];	/* last name found valid */
	char		*path, magic[4];
	struct stat	 st;
	FILE		*f;
	const char	*p;
	int		 ok = 0;

	if (tz == NULL || *tz == '\0')
		return 1;
	if (strcmp(tz, last) == 0)
		return 1;
	if (*tz == '/' || *tz == ':' || strlen(tz) >= sizeof(last))
		return 0;
	for (p = tz; *p != '\0'; p++)
		if (!(isalnum((unsigned char)*p) || strchr("/_-+.", *p)))
			return 0;
	if (strstr(tz, "..") != NULL)
		return 0;
	path = xasprintf("%s/%s", tz_dir(), tz);
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    (f = fopen(path, "rb")) != NULL) {
		ok = fread(magic, 1, 4, f) == 4 &&
		    memcmp(magic, "TZif", 4) == 0;
		fclose(f);
	}
	free(path);
	if (ok)
		snprintf(last, sizeof(last), "%s", tz);
	return ok;
}

/*
 * Switches the process zone to tz (NULL/"": leave it alone) and returns
 * the previous TZ value to hand to tz_restore (allocated, or NULL when TZ
 * was unset).  *changed tells tz_restore whether to do anything.
 */
static char *
tz_switch(const char *tz, int *changed)
{
	const char	*old;
	char		*saved;

	/*
	 * No tzset() when nothing changes: an explicit tzset() re-reads (or at
	 * least stats) the zone file on every call, and this runs for every
	 * DATE value of every row.  localtime_r and mktime initialise the zone
	 * themselves on first use.
	 */
	*changed = 0;
	if (tz == NULL || *tz == '\0')
		return NULL;
	old = getenv("TZ");
	if (old != NULL && strcmp(old, tz) == 0)
		return NULL;
	saved = xstrdup(old);
	setenv("TZ", tz, 1);
	tzset();
	*changed = 1;
	return saved;
}

static void
tz_restore(char *saved, int changed)
{
	if (!changed)
		return;
	if (saved != NULL)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
}

/* UTC offset in seconds in force at instant t in the current zone. */
static long
offset_at(time_t t)
{
	struct tm	 tm;

	if (localtime_r(&t, &tm) == NULL)
		return 0;
	return tm.tm_gmtoff;
}

/*
 * The wall-clock time w (its fields read as if UTC) happened at
 * w - offset for an offset in force then.  The candidate offsets are
 * those in force a day before, at, and a day after w; a candidate is
 * real when the zone indeed had that offset at that instant.  Two real
 * candidates: an overlap, the earlier instant wins.  None: a gap, the
 * offset from before the transition is used.
 */
static time_t
wall_to_utc(time_t w)
{
	long	 cand[3], o;
	time_t	 best = 0, u;
	int	 found = 0, i;

	cand[0] = offset_at(w - 86400);
	cand[1] = offset_at(w);
	cand[2] = offset_at(w + 86400);
	for (i = 0; i < 3; i++) {
		o = cand[i];
		u = w - o;
		if (offset_at(u) != o)
			continue;
		if (!found || u < best)
			best = u;
		found = 1;
	}
	if (!found)
		best = w - cand[0];
	return best;
}

int
tz_to_utc(const char *tz, int year, int mon, int day, int hour, int min,
    int sec, time_t *out)
{
	int	 f[6] = { year, mon, day, hour, min, sec }, changed;
	char	*saved;
	time_t	 w;

	/*
	 * A run converts tens of thousands of times that cluster in a few
	 * hours: the UTC offset of a wall-clock hour is kept once its start
	 * and its end agree (an hour holding a DST change is never kept).
	 */
	static struct {
		char	 tz[64];
		time_t	 hour;		/* wall seconds of the hour's start, UTC-based */
		time_t	 off;		/* utc - wall */
		int	 used;
	} cache[8];
	static unsigned next;
	time_t h, a, b;
	unsigned i;

	if (!tz_valid(tz) || !fields_ok(year, mon, day, hour, min, sec) ||
	    utc_fields(f, &w) == -1)
		return -1;
	if (tz == NULL)
		tz = "";
	h = w - (w % 3600 + 3600) % 3600;
	for (i = 0; i < 8; i++)
		if (cache[i].used && cache[i].hour == h &&
		    strcmp(cache[i].tz, tz) == 0) {
			*out = w + cache[i].off;
			return 0;
		}
	saved = tz_switch(tz, &changed);
	*out = wall_to_utc(w);
	a = wall_to_utc(h);
	b = wall_to_utc(h + 3599);
	tz_restore(saved, changed);
	if (a - h == b - (h + 3599) && *out - w == a - h && strlen(tz) < 64) {
		i = next++ % 8;
		snprintf(cache[i].tz, sizeof(cache[i].tz), "%s", tz);
		cache[i].hour = h;
		cache[i].off = a - h;
		cache[i].used = 1;
	}
	return 0;
}

int
tz_from_utc(const char *tz, time_t t, char out[32])
{
	struct tm	 tm;
	char		*saved;
	int		 changed, rc = 0;

	if (!tz_valid(tz))
		return -1;
	saved = tz_switch(tz, &changed);
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		rc = -1;
	tz_restore(saved, changed);
	return rc;
}

int
tz_parse_local(const char *tz, const char *s, time_t *out)
{
	const char	*p;
	int		 f[6];

	if (s == NULL)
		return -1;
	while (isspace((unsigned char)*s))
		s++;
	if (parse_datetime(s, f, &p) == -1)
		return -1;
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '\0')
		return -1;
	return tz_to_utc(tz, f[0], f[1], f[2], f[3], f[4], f[5], out);
}

double
now_monotonic(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return 0.0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
