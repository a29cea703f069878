/*
 * metrics: zmcsync's own metrics as a node_exporter textfile (SPEC 6).
 *
 * Every family is declared once in the table below (name, type, help, its
 * one optional label, buckets), which drives validation, rendering and
 * persistence.  A call naming an unknown family, the wrong type or the
 * wrong label is a programming error; it is logged and ignored rather
 * than aborting, because a metrics bug must never stop alarms from being
 * synced.
 *
 * Counters, histograms and the two timestamp gauges are persisted in the
 * state file, so one-shot runs still add up to monotonic series.  The last
 * written textfile is a second source (metrics_load_textfile): the larger
 * value wins, so the counters do not go back to zero when the state file
 * was lost, replaced or unusable for a run.  Gauges describing the current
 * run (zmc_sync_service_up, zmc_active_alarms, ...) are not persisted.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "metrics.h"
#include "state.h"
#include "util.h"


/* Most label values kept per family: bounds the file if a caller goes wrong. */
#define MAX_SERIES	100

enum mtype {
	MT_COUNTER,
	MT_GAUGE,
	MT_HISTOGRAM
};

struct family {
	const char		*name;
	enum mtype		 type;
	const char		*help;
	const char		*lname;		/* the one label, or NULL */
	const double		*buckets;	/* histogram upper bounds, ascending */
	size_t			 nbuckets;
	int			 persist;	/* kept in the state file */
	const char *const	*preset;	/* label values always exported (0 until used) */
};

static const double sync_buckets[] = {
	0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120
};
static const double db_buckets[] = {
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
};
static const double am_buckets[] = {
	0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30
};
#define NB(a)	(sizeof(a) / sizeof((a)[0])), 1

static const char *const results[] = {
	"disabled", "failed", "lease_lost", "partial", "standby", "success", NULL
};
static const char *const actions[] = {
	"expire_silence", "fire", "heartbeat", "relabel", "resolve",
	"silence", "silence_ended", NULL
};
static const char *const error_types[] = {
	"alarm", "alertmanager", "config", "db", "state", NULL
};

/* Sorted by name: the textfile lists families in this order. */
static const struct family families[] = {
	{ "zmc_active_alarms", MT_GAUGE,
	    "Firing alarms pushed by zmcsync, by severity, after the last run.",
	    "severity", NULL, 0, 0, NULL },
	{ "zmc_alarms_in_error", MT_GAUGE,
	    "Synced alarms whose last push or silence operation failed (ERROR_COUNT > 0).",
	    NULL, NULL, 0, 0, NULL },
	{ "zmc_alarms_processed_total", MT_COUNTER,
	    "Alarm operations carried out successfully, by action.",
	    "action", NULL, 0, 1, actions },
	{ "zmc_alertmanager_request_duration_seconds", MT_HISTOGRAM,
	    "Duration of HTTP requests to Alertmanager, by Alertmanager URL.",
	    "url", am_buckets, NB(am_buckets), NULL },
	{ "zmc_alertmanager_request_errors_total", MT_COUNTER,
	    "Failed HTTP requests to Alertmanager (transport error or non-2xx), by Alertmanager URL.",
	    "url", NULL, 0, 1, NULL },
	{ "zmc_alertmanager_requests_total", MT_COUNTER,
	    "HTTP requests sent to Alertmanager, by Alertmanager URL.",
	    "url", NULL, 0, 1, NULL },
	{ "zmc_build_info", MT_GAUGE,
	    "Always 1; the version label names the zmcsync build.",
	    "version", NULL, 0, 0, NULL },
	{ "zmc_db_query_duration_seconds", MT_HISTOGRAM,
	    "Duration of ZMC database queries.",
	    NULL, db_buckets, NB(db_buckets), NULL },
	{ "zmc_db_statements_total", MT_COUNTER,
	    "SQL statements executed on the ZMC database by runs.",
	    NULL, NULL, 0, 1, NULL },
	{ "zmc_errors_total", MT_COUNTER,
	    "Errors, by type.",
	    "type", NULL, 0, 1, error_types },
	{ "zmc_last_success_timestamp_seconds", MT_GAUGE,
	    "Unix time of the end of the last run that completed without errors.",
	    NULL, NULL, 0, 1, NULL },
	{ "zmc_last_sync_timestamp_seconds", MT_GAUGE,
	    "Unix time of the end of the last run, whatever its result.",
	    NULL, NULL, 0, 1, NULL },
	{ "zmc_lease_held", MT_GAUGE,
	    "1 if this instance held the sync lease in its last run (it synced), 0 if another instance held it (standby) or it was lost.",
	    NULL, NULL, 0, 0, NULL },
	{ "zmc_state_file_ok", MT_GAUGE,
	    "1 if the local state file was usable in the last run, else 0 (counters then continue from the previous textfile).",
	    NULL, NULL, 0, 0, NULL },
	{ "zmc_sync_duration_seconds", MT_HISTOGRAM,
	    "Duration of sync runs.",
	    NULL, sync_buckets, NB(sync_buckets), NULL },
	{ "zmc_sync_service_up", MT_GAUGE,
	    "1 if sync is enabled and the last run ran, 0 if disabled or it failed to run.",
	    NULL, NULL, 0, 0, NULL },
	{ "zmc_sync_total", MT_COUNTER,
	    "Sync runs, by result.",
	    "result", NULL, 0, 1, results },
};
#define NFAMILIES	(sizeof(families) / sizeof(families[0]))

/* One series: a family and its label value. */
struct series {
	const struct family	*fam;
	char			*lvalue;	/* NULL when the family has no label */
	double			 value;		/* counter or gauge */
	double			*bucket;	/* histogram: cumulative counts per bound */
	double			 sum;		/* histogram */
	double			 count;		/* histogram, = the +Inf bucket */
	uint64_t		 seen;		/* while loading: parts found (bit per bucket, sum, count) */
};

/* A set of series. */
struct sset {
	struct series	*v;
	size_t		 n;
	size_t		 cap;
};

/* series.seen bits besides one per bucket */
#define SEEN_SUM	(1ULL << 61)
#define SEEN_COUNT	(1ULL << 62)
#define SEEN_ALIEN	(1ULL << 63)	/* a bucket bound not in the table */

/* The metrics of this process. */
static struct sset	M;
static int		M_init;

static const struct family *
family_find(const char *name)
{
	size_t i;

	for (i = 0; i < NFAMILIES; i++)
		if (strcmp(families[i].name, name) == 0)
			return &families[i];
	return NULL;
}

static int
same(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* The series of fam with label value lv; created (zero) if create.  NULL if absent or full. */
static struct series *
series_get(struct sset *s, const struct family *fam, const char *lv, int create)
{
	struct series *r;
	size_t i, nfam = 0;

	for (i = 0; i < s->n; i++) {
		if (s->v[i].fam != fam)
			continue;
		if (same(s->v[i].lvalue, lv))
			return &s->v[i];
		nfam++;
	}
	if (!create)
		return NULL;
	if (nfam >= MAX_SERIES) {
		log_warn("metrics %s: more than %d series, %s=\"%s\" dropped",
		    fam->name, MAX_SERIES, fam->lname, lv);
		return NULL;
	}
	s->v = xreallocarray_grow(s->v, &s->cap, s->n + 1, sizeof(*s->v));
	r = &s->v[s->n++];
	memset(r, 0, sizeof(*r));
	r->fam = fam;
	r->lvalue = xstrdup(lv);
	if (fam->type == MT_HISTOGRAM)
		r->bucket = xcalloc(fam->nbuckets, sizeof(*r->bucket));
	return r;
}

static void
sset_free(struct sset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].lvalue);
		free(s->v[i].bucket);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* Series every file shows: unlabeled counters and histograms, preset label values. */
static void
sset_presets(struct sset *s)
{
	const struct family *f;
	size_t i, j;

	for (i = 0; i < NFAMILIES; i++) {
		f = &families[i];
		if (f->type == MT_GAUGE)
			continue;
		if (f->lname == NULL)
			series_get(s, f, NULL, 1);
		for (j = 0; f->preset != NULL && f->preset[j] != NULL; j++)
			series_get(s, f, f->preset[j], 1);
	}
}

/*
 * The series a caller names, after checking family, type and label.
 * NULL (logged) on a mismatch: a programming error, see the top comment.
 */
static struct series *
lookup(const char *name, enum mtype type, const char *lname, const char *lv)
{
	static const char *const tn[] = { "counter", "gauge", "histogram" };
	const struct family *f;

	if (!M_init)
		metrics_init(NULL);
	if (name == NULL || (f = family_find(name)) == NULL) {
		log_warn("metrics %s: unknown family", name ? name : "(null)");
		return NULL;
	}
	if (f->type != type) {
		log_warn("metrics %s: is a %s, not a %s", name, tn[f->type],
		    tn[type]);
		return NULL;
	}
	if (!same(f->lname, lname) || (lname != NULL && lv == NULL)) {
		log_warn("metrics %s: wants label %s, got %s", name,
		    f->lname ? f->lname : "(none)", lname ? lname : "(none)");
		return NULL;
	}
	return series_get(&M, f, lv, 1);
}

/* Counter += v (v >= 0; a counter never goes down). */
void
metrics_add(const char *name, const char *lname, const char *lvalue, double v)
{
	struct series *s;

	if (!(v >= 0)) {
		log_warn("metrics %s: negative or invalid increment", name);
		return;
	}
	if ((s = lookup(name, MT_COUNTER, lname, lvalue)) != NULL)
		s->value += v;
}

/* Gauge = v. */
void
metrics_set(const char *name, const char *lname, const char *lvalue, double v)
{
	struct series *s;

	if ((s = lookup(name, MT_GAUGE, lname, lvalue)) != NULL)
		s->value = v;
}

/* Drops every series of a gauge family. */
void
metrics_reset(const char *name)
{
	const struct family *f;
	size_t i, j;

	if (!M_init)
		metrics_init(NULL);
	if ((f = family_find(name)) == NULL || f->type != MT_GAUGE) {
		log_warn("metrics %s: not a gauge family", name);
		return;
	}
	for (i = j = 0; i < M.n; i++) {
		if (M.v[i].fam == f) {
			free(M.v[i].lvalue);
			free(M.v[i].bucket);
		} else
			M.v[j++] = M.v[i];
	}
	M.n = j;
}

/* Histogram observation. */
void
metrics_observe(const char *name, const char *lname, const char *lvalue, double v)
{
	struct series *s;
	size_t i;

	if (v != v) {
		log_warn("metrics %s: NaN observation", name);
		return;
	}
	if ((s = lookup(name, MT_HISTOGRAM, lname, lvalue)) == NULL)
		return;
	for (i = 0; i < s->fam->nbuckets; i++)
		if (v <= s->fam->buckets[i])
			s->bucket[i]++;
	s->sum += v;
	s->count++;
}

/*
 * Formats v the way Prometheus writes numbers: integers without a
 * fraction, otherwise the shortest decimal that reads back exactly;
 * +Inf, -Inf, NaN.
 */
static const char *
fmt_num(double v, char out[40])
{
	int p;

	if (v != v)
		return "NaN";
	if (v > 1.7976931348623157e308)
		return "+Inf";
	if (v < -1.7976931348623157e308)
		return "-Inf";
	if (v > -1e15 && v < 1e15 && (double)(long long)v == v) {
		snprintf(out, 40, "%lld", (long long)v);
		return out;
	}
	/* the shortest %g that reads back exactly, like Go's FormatFloat */
	for (p = 1; p <= 17; p++) {
		snprintf(out, 40, "%.*g", p, v);
		if (strtod(out, NULL) == v)
			break;
	}
	return out;
}

/* Appends a label value with \\, \" and \n escaped. */
static void
put_escaped(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			buf_puts(b, "\\\\");
		else if (*s == '"')
			buf_puts(b, "\\\"");
		else if (*s == '\n')
			buf_puts(b, "\\n");
		else
			buf_add(b, s, 1);
	}
}

/*
 * Appends "name[suffix]{label="v",le="x"}" (braces only if there are
 * labels): the sample name, also used as the state file key.
 */
static void
put_name(struct buf *b, const struct series *s, const char *suffix,
    const char *le)
{
	int any = 0;

	buf_puts(b, s->fam->name);
	buf_puts(b, suffix);
	if (s->fam->lname != NULL) {
		buf_printf(b, "{%s=\"", s->fam->lname);
		put_escaped(b, s->lvalue);
		buf_puts(b, "\"");
		any = 1;
	}
	if (le != NULL) {
		buf_puts(b, any ? ",le=\"" : "{le=\"");
		buf_puts(b, le);
		buf_puts(b, "\"");
		any = 1;
	}
	if (any)
		buf_puts(b, "}");
}

static void
put_sample(struct buf *b, const struct series *s, const char *suffix,
    const char *le, double v)
{
	char n[40];

	put_name(b, s, suffix, le);
	buf_printf(b, " %s\n", fmt_num(v, n));
}

/* Orders series of one family by label value (NULL first). */
static int
series_cmp(const void *a, const void *b)
{
	const struct series *x = *(const struct series *const *)a;
	const struct series *y = *(const struct series *const *)b;

	if (x->fam != y->fam)
		return x->fam < y->fam ? -1 : 1;
	if (x->lvalue == NULL || y->lvalue == NULL)
		return (x->lvalue != NULL) - (y->lvalue != NULL);
	return strcmp(x->lvalue, y->lvalue);
}

/* The exposition text of every family; caller frees. */
char *
metrics_render(void)
{
	static const char *const tn[] = { "counter", "gauge", "histogram" };
	struct buf b = { 0 };
	struct series **v;
	const struct family *f;
	size_t i, j, k;
	char n[40];

	if (!M_init)
		metrics_init(NULL);
	v = xcalloc(M.n + 1, sizeof(*v));
	for (i = 0; i < M.n; i++)
		v[i] = &M.v[i];
	/* families[] is sorted by name, so pointer order is name order */
	qsort(v, M.n, sizeof(*v), series_cmp);
	for (i = k = 0; i < NFAMILIES; i++) {
		f = &families[i];
		buf_printf(&b, "# HELP %s %s\n# TYPE %s %s\n", f->name,
		    f->help, f->name, tn[f->type]);
		for (; k < M.n && v[k]->fam == f; k++) {
			if (f->type != MT_HISTOGRAM) {
				put_sample(&b, v[k], "", NULL, v[k]->value);
				continue;
			}
			for (j = 0; j < f->nbuckets; j++)
				put_sample(&b, v[k], "_bucket",
				    fmt_num(f->buckets[j], n), v[k]->bucket[j]);
			put_sample(&b, v[k], "_bucket", "+Inf", v[k]->count);
			put_sample(&b, v[k], "_sum", NULL, v[k]->sum);
			put_sample(&b, v[k], "_count", NULL, v[k]->count);
		}
	}
	free(v);
	return buf_release(&b);
}

/*
 * Parses one sample line "name{l="v",...} value [timestamp]" into name,
 * the value of label lname (NULL if absent), le (NULL if absent) and
 * value.  Unescapes label values.  Returns the number of labels, or -1
 * on a syntax error.  Caller frees *name, *lv, *le.
 */
static int
parse_sample(const char *p, const char *lname, char **name, char **lv,
    char **le, double *value)
{
	struct buf lab = { 0 }, val = { 0 };
	const char *q;
	char *end;
	int nl = 0;

	*name = *lv = *le = NULL;
	for (q = p; *q == '_' || *q == ':' || (*q >= 'a' && *q <= 'z') ||
	    (*q >= 'A' && *q <= 'Z') || (q > p && *q >= '0' && *q <= '9'); q++)
		;
	if (q == p)
		return -1;
	*name = xstrndup(p, (size_t)(q - p));
	p = q;
	if (*p == '{') {
		p++;
		for (;;) {
			p += strspn(p, " \t");
			if (*p == '}')
				break;
			for (q = p; *q == '_' || (*q >= 'a' && *q <= 'z') ||
			    (*q >= 'A' && *q <= 'Z') || (q > p && *q >= '0' &&
			    *q <= '9'); q++)
				;
			if (q == p || q[0] != '=' || q[1] != '"')
				goto bad;
			buf_add(&lab, p, (size_t)(q - p));
			buf_add(&val, "", 0);
			for (p = q + 2; *p != '"'; p++) {
				if (*p == '\0')
					goto bad;
				if (*p == '\\') {
					p++;
					if (*p == 'n')
						buf_add(&val, "\n", 1);
					else if (*p == '\\' || *p == '"')
						buf_add(&val, p, 1);
					else
						goto bad;
				} else
					buf_add(&val, p, 1);
			}
			p++;
			if (strcmp(lab.s, "le") == 0 && *le == NULL)
				*le = buf_release(&val);
			else if (lname != NULL && strcmp(lab.s, lname) == 0 &&
			    *lv == NULL)
				*lv = buf_release(&val);
			buf_free(&val);
			buf_free(&lab);
			nl++;
			p += strspn(p, " \t");
			if (*p == ',')
				p++;
			else if (*p != '}')
				goto bad;
		}
		p++;
	}
	if (*p != ' ' && *p != '\t')
		goto bad;
	*value = strtod(p, &end);
	if (end == p || (*end != '\0' && *end != ' ' && *end != '\t' &&
	    *end != '\n'))
		goto bad;
	return nl;
 bad:
	buf_free(&lab);
	buf_free(&val);
	free(*name);
	free(*lv);
	free(*le);
	*name = *lv = *le = NULL;
	return -1;
}

/* The persisted family a sample name belongs to, and its suffix; NULL if none. */
static const struct family *
family_of_sample(const char *name, const char **sfx)
{
	size_t i, len;

	for (i = 0; i < NFAMILIES; i++) {
		if (!families[i].persist)
			continue;
		len = strlen(families[i].name);
		if (strncmp(name, families[i].name, len) != 0)
			continue;
		*sfx = name + len;
		if (**sfx == '\0' && families[i].type != MT_HISTOGRAM)
			return &families[i];
		if (families[i].type == MT_HISTOGRAM &&
		    (strcmp(*sfx, "_bucket") == 0 || strcmp(*sfx, "_sum") == 0 ||
		    strcmp(*sfx, "_count") == 0))
			return &families[i];
	}
	return NULL;
}

/*
 * Takes one persisted sample (line "name{labels} ...", value v) into s.
 * Only families that persist, with exactly their labels; anything else is
 * ignored.
 */
static void
load_sample(struct sset *s, const char *line, double v)
{
	const struct family *f;
	struct series *r;
	const char *sfx;
	char *name, *lv, *le;
	double dummy, b;
	size_t i;
	int nl, want;

	if (parse_sample(line, NULL, &name, &lv, &le, &dummy) == -1)
		return;
	f = family_of_sample(name, &sfx);
	free(name);
	free(lv);
	free(le);
	if (f == NULL || !(v >= 0))
		return;
	if ((nl = parse_sample(line, f->lname, &name, &lv, &le, &dummy)) == -1)
		return;
	sfx = name + strlen(f->name);
	want = (f->lname != NULL) + (strcmp(sfx, "_bucket") == 0);
	if (nl != want || (f->lname != NULL) != (lv != NULL) ||
	    (strcmp(sfx, "_bucket") == 0) != (le != NULL))
		goto done;
	if ((r = series_get(s, f, lv, 1)) == NULL)
		goto done;
	if (f->type != MT_HISTOGRAM)
		r->value = v;
	else if (strcmp(sfx, "_sum") == 0) {
		r->sum = v;
		r->seen |= SEEN_SUM;
	} else if (strcmp(sfx, "_count") == 0) {
		r->count = v;
		r->seen |= SEEN_COUNT;
	} else if (strcmp(le, "+Inf") != 0) {
		b = strtod(le, NULL);
		for (i = 0; i < f->nbuckets; i++)
			if (f->buckets[i] == b)
				break;
		if (i < f->nbuckets) {
			r->bucket[i] = v;
			r->seen |= 1ULL << i;
		} else
			r->seen |= SEEN_ALIEN;	/* a bound this version lacks */
	}
 done:
	free(name);
	free(lv);
	free(le);
}

/*
 * After loading: a histogram must be complete and cumulative, else (a
 * changed bucket layout, a truncated file) it starts again from zero.
 */
static void
sset_validate(struct sset *s)
{
	struct series *r;
	size_t i, j;
	uint64_t all;

	for (i = 0; i < s->n; i++) {
		r = &s->v[i];
		if (r->fam->type != MT_HISTOGRAM)
			continue;
		all = SEEN_COUNT | SEEN_SUM | ((1ULL << r->fam->nbuckets) - 1);
		for (j = 1; j < r->fam->nbuckets; j++)
			if (r->bucket[j] < r->bucket[j - 1])
				break;
		if (r->seen == all && j == r->fam->nbuckets &&
		    r->bucket[j - 1] <= r->count) {
			r->seen = 0;
			continue;
		}
		if (r->seen != 0)
			log_info("metrics %s: persisted histogram does not "
			    "match this version's buckets, starting from zero",
			    r->fam->name);
		memset(r->bucket, 0, r->fam->nbuckets * sizeof(*r->bucket));
		r->sum = r->count = 0;
		r->seen = 0;
	}
}

/*
 * Merges src into dst: the larger counter or timestamp wins, and the
 * histogram with the larger count wins as a whole (so its buckets, sum
 * and count stay consistent).
 */
static void
sset_merge(struct sset *dst, const struct sset *src)
{
	const struct series *a;
	struct series *r;
	size_t i;

	for (i = 0; i < src->n; i++) {
		a = &src->v[i];
		if ((r = series_get(dst, a->fam, a->lvalue, 1)) == NULL)
			continue;
		if (a->fam->type != MT_HISTOGRAM) {
			if (a->value > r->value)
				r->value = a->value;
		} else if (a->count > r->count) {
			memcpy(r->bucket, a->bucket,
			    a->fam->nbuckets * sizeof(*r->bucket));
			r->sum = a->sum;
			r->count = a->count;
		}
	}
}

/* state_metric_get_all callback: key is the sample name. */
static void
load_key(void *arg, const char *key, double v)
{
	char *line = xasprintf("%s 0", key);

	load_sample(arg, line, v);
	free(line);
}

/*
 * Starts afresh: preset series at zero, then the series persisted in st
 * (NULL: none, e.g. state file unusable), zmc_build_info and
 * zmc_state_file_ok.  Calling it again discards what was recorded.
 */
void
metrics_init(struct state *st)
{
	struct sset tmp = { 0 };

	metrics_free();
	M_init = 1;
	sset_presets(&M);
	if (st != NULL) {
		state_metric_get_all(st, load_key, &tmp);
		sset_validate(&tmp);
		sset_merge(&M, &tmp);
		sset_free(&tmp);
	}
	metrics_set("zmc_build_info", "version", ZMCSYNC_VERSION, 1);
	metrics_set("zmc_state_file_ok", NULL, NULL, st != NULL);
}

/*
 * Merges the persisted families of the textfile at path (written by an
 * earlier run) into the current series, the larger value winning.  A
 * missing file is fine.  0 ok, -1 unreadable (logged).
 */
int
metrics_load_textfile(const char *path)
{
	struct sset tmp = { 0 };
	char *line = NULL, *name, *lv, *le;
	size_t cap = 0;
	double v;
	FILE *f;

	if (path == NULL || *path == '\0')
		return 0;
	if (!M_init)
		metrics_init(NULL);
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return 0;
		log_warn("metrics %s: %s", path, strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) != -1) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (parse_sample(line, NULL, &name, &lv, &le, &v) == -1)
			continue;
		free(name);
		free(lv);
		free(le);
		load_sample(&tmp, line, v);
	}
	free(line);
	fclose(f);
	sset_validate(&tmp);
	sset_merge(&M, &tmp);
	sset_free(&tmp);
	return 0;
}

/* Persists counters, histograms and timestamp gauges in one transaction.  0/-1 (logged). */
int
metrics_save(struct state *st)
{
	struct buf b = { 0 };
	const struct series *r;
	size_t i, j;
	char n[40];
	int rc = 0;

	if (st == NULL)
		return -1;
	if (state_begin(st) == -1)
		return -1;
	for (i = 0; i < M.n && rc == 0; i++) {
		r = &M.v[i];
		if (!r->fam->persist)
			continue;
		if (r->fam->type != MT_HISTOGRAM) {
			put_name(&b, r, "", NULL);
			rc = state_metric_put(st, b.s, r->value);
			buf_free(&b);
			continue;
		}
		for (j = 0; j < r->fam->nbuckets && rc == 0; j++) {
			put_name(&b, r, "_bucket",
			    fmt_num(r->fam->buckets[j], n));
			rc = state_metric_put(st, b.s, r->bucket[j]);
			buf_free(&b);
		}
		put_name(&b, r, "_sum", NULL);
		if (rc == 0)
			rc = state_metric_put(st, b.s, r->sum);
		buf_free(&b);
		put_name(&b, r, "_count", NULL);
		if (rc == 0)
			rc = state_metric_put(st, b.s, r->count);
		buf_free(&b);
	}
	if (rc != 0) {
		state_rollback(st);
		return -1;
	}
	return state_commit(st);
}

/*
 * Writes the textfile atomically: a temp file "<path>.XXXXXX" in the same
 * directory (node_exporter reads only *.prom, so it never sees it),
 * flushed, mode 0644, fsynced, closed with a check, then renamed over
 * path.  The directory must exist.  0 ok, -1 logged "metrics PATH: reason"
 * and nothing left behind.
 */
int
metrics_write(const char *path)
{
	char *text, *tmp = NULL, *dir, *slash;
	const char *what = NULL;
	FILE *f = NULL;
	int fd, dfd, saved = 0;

	text = metrics_render();
	tmp = xasprintf("%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) == -1) {
		saved = errno;
		log_error("metrics %s: cannot create temp file: %s", path,
		    strerror(saved));
		free(tmp);
		free(text);
		return -1;
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		what = "fdopen";
		close(fd);
		goto fail;
	}
	if (fputs(text, f) == EOF || fflush(f) == EOF) {
		what = "write";
		goto fail;
	}
	if (fchmod(fd, 0644) == -1) {
		what = "fchmod";
		goto fail;
	}
	if (fsync(fd) == -1) {
		what = "fsync";
		goto fail;
	}
	if (fclose(f) == EOF) {
		f = NULL;
		what = "close";
		goto fail;
	}
	f = NULL;
	if (rename(tmp, path) == -1) {
		what = "rename";
		goto fail;
	}
	/* make the rename durable too; best effort */
	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) != NULL) {
		*(slash == dir ? slash + 1 : slash) = '\0';
		if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
			fsync(dfd);
			close(dfd);
		}
	}
	free(dir);
	free(tmp);
	free(text);
	return 0;
 fail:
	saved = errno;
	if (f != NULL)
		fclose(f);
	unlink(tmp);
	log_error("metrics %s: %s: %s", path, what, strerror(saved));
	free(tmp);
	free(text);
	return -1;
}

/* Forgets every series (metrics_init starts again). */
void
metrics_free(void)
{
	sset_free(&M);
	M_init = 0;
}
