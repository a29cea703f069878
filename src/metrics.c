/*
 * metrics: zmcsync's own metrics as a node_exporter textfile (SPEC 6).
 *
 * Every family is declared once in the table below, indexed by its id in
 * metrics.h (name, type, help, its one optional label, buckets), which
 * drives validation, rendering and persistence.  Callers name a family by
 * id, so a misspelt family does not compile; a call with the wrong type,
 * or a label value missing or extra, is a programming error that is logged
 * and ignored rather than aborting, because a metrics bug must never stop
 * alarms from being synced.  The text format is expfmt's, the atomic write
 * atomicfile's.
 *
 * Counters, histograms and the two timestamp gauges are persisted in the
 * state file, so one-shot runs still add up to monotonic series.  The last
 * written textfile is a second source (metrics_load_textfile): the larger
 * value wins, so the counters do not go back to zero when the state file
 * was lost, replaced or unusable for a run.  Gauges describing the current
 * run (zmc_sync_service_up, zmc_active_alarms, ...) are not persisted.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "atomicfile.h"
#include "expfmt.h"
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
	/* the i-th label value always exported (0 until used), NULL past the last */
	const char		*(*preset)(size_t i);
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

static const char *
preset_result(size_t i)
{
	static const char *const v[] = {
		"disabled", "failed", "lease_lost", "partial", "standby", "success"
	};

	return i < sizeof(v) / sizeof(v[0]) ? v[i] : NULL;
}

static const char *
preset_action(size_t i)
{
	return i < ACT__COUNT ? action_name((enum action_kind)i) : NULL;
}

static const char *
preset_error_type(size_t i)
{
	static const char *const v[] = {
		"alarm", "alertmanager", "config", "db", "state"
	};

	return i < sizeof(v) / sizeof(v[0]) ? v[i] : NULL;
}

/* By id, so sorted by name: the textfile lists families in this order. */
static const struct family families[MET__COUNT] = {
	[MET_ACTIVE_ALARMS] = { "zmc_active_alarms", MT_GAUGE,
	    "Firing alarms pushed by zmcsync, by severity, after the last run.",
	    "severity", NULL, 0, 0, NULL },
	[MET_ALARMS_IN_ERROR] = { "zmc_alarms_in_error", MT_GAUGE,
	    "Synced alarms whose last push or silence operation failed (ERROR_COUNT > 0).",
	    NULL, NULL, 0, 0, NULL },
	[MET_ALARMS_PROCESSED_TOTAL] = {
	    "zmc_alarms_processed_total", MT_COUNTER,
	    "Alarm operations carried out successfully, by action.",
	    "action", NULL, 0, 1, preset_action },
	[MET_ALERTMANAGER_REQUEST_DURATION_SECONDS] = {
	    "zmc_alertmanager_request_duration_seconds", MT_HISTOGRAM,
	    "Duration of HTTP requests to Alertmanager, by Alertmanager URL.",
	    "url", am_buckets, NB(am_buckets), NULL },
	[MET_ALERTMANAGER_REQUEST_ERRORS_TOTAL] = {
	    "zmc_alertmanager_request_errors_total", MT_COUNTER,
	    "Failed HTTP requests to Alertmanager (transport error or non-2xx), by Alertmanager URL.",
	    "url", NULL, 0, 1, NULL },
	[MET_ALERTMANAGER_REQUESTS_TOTAL] = {
	    "zmc_alertmanager_requests_total", MT_COUNTER,
	    "HTTP requests sent to Alertmanager, by Alertmanager URL.",
	    "url", NULL, 0, 1, NULL },
	[MET_BUILD_INFO] = { "zmc_build_info", MT_GAUGE,
	    "Always 1; the version label names the zmcsync build.",
	    "version", NULL, 0, 0, NULL },
	[MET_DB_QUERY_DURATION_SECONDS] = {
	    "zmc_db_query_duration_seconds", MT_HISTOGRAM,
	    "Duration of ZMC database queries.",
	    NULL, db_buckets, NB(db_buckets), NULL },
	[MET_DB_STATEMENTS_TOTAL] = { "zmc_db_statements_total", MT_COUNTER,
	    "SQL statements executed on the ZMC database by runs.",
	    NULL, NULL, 0, 1, NULL },
	[MET_ERRORS_TOTAL] = { "zmc_errors_total", MT_COUNTER,
	    "Errors, by type.",
	    "type", NULL, 0, 1, preset_error_type },
	[MET_LAST_SUCCESS_TIMESTAMP_SECONDS] = {
	    "zmc_last_success_timestamp_seconds", MT_GAUGE,
	    "Unix time of the end of the last run that completed without errors.",
	    NULL, NULL, 0, 1, NULL },
	[MET_LAST_SYNC_TIMESTAMP_SECONDS] = {
	    "zmc_last_sync_timestamp_seconds", MT_GAUGE,
	    "Unix time of the end of the last run, whatever its result.",
	    NULL, NULL, 0, 1, NULL },
	[MET_LEASE_HELD] = { "zmc_lease_held", MT_GAUGE,
	    "1 if this instance held the sync lease in its last run (it synced), 0 if another instance held it (standby) or it was lost.",
	    NULL, NULL, 0, 0, NULL },
	[MET_STATE_FILE_OK] = { "zmc_state_file_ok", MT_GAUGE,
	    "1 if the local state file was usable in the last run, else 0 (counters then continue from the previous textfile).",
	    NULL, NULL, 0, 0, NULL },
	[MET_SYNC_DURATION_SECONDS] = {
	    "zmc_sync_duration_seconds", MT_HISTOGRAM,
	    "Duration of sync runs.",
	    NULL, sync_buckets, NB(sync_buckets), NULL },
	[MET_SYNC_SERVICE_UP] = { "zmc_sync_service_up", MT_GAUGE,
	    "1 if sync is enabled and the last run ran, 0 if disabled or it failed to run.",
	    NULL, NULL, 0, 0, NULL },
	[MET_SYNC_TOTAL] = { "zmc_sync_total", MT_COUNTER,
	    "Sync runs, by result.",
	    "result", NULL, 0, 1, preset_result },
};
#define NFAMILIES	MET__COUNT

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

/* The family of id, or NULL (logged) for a bad id. */
static const struct family *
family_of(enum metric_id id)
{
	if ((unsigned)id >= NFAMILIES) {
		log_warn("metrics: unknown family id %d", (int)id);
		return NULL;
	}
	return &families[id];
}

const char *
metrics_name(enum metric_id id)
{
	return (unsigned)id < NFAMILIES ? families[id].name : NULL;
}

/* The family name of id for a message. */
static const char *
id_name(enum metric_id id)
{
	return metrics_name(id) != NULL ? metrics_name(id) : "(unknown)";
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
		for (j = 0; f->preset != NULL && f->preset(j) != NULL; j++)
			series_get(s, f, f->preset(j), 1);
	}
}

/*
 * The series a caller names, after checking id, type and label value.
 * NULL (logged) on a mismatch: a programming error, see the top comment.
 */
static struct series *
lookup(enum metric_id id, enum mtype type, const char *lv)
{
	static const char *const tn[] = { "counter", "gauge", "histogram" };
	const struct family *f;

	if (!M_init)
		metrics_init(NULL);
	if ((f = family_of(id)) == NULL)
		return NULL;
	if (f->type != type) {
		log_warn("metrics %s: is a %s, not a %s", f->name, tn[f->type],
		    tn[type]);
		return NULL;
	}
	if ((f->lname != NULL) != (lv != NULL)) {
		log_warn("metrics %s: wants label %s, got %s", f->name,
		    f->lname ? f->lname : "(none)", lv ? "a value" : "(none)");
		return NULL;
	}
	return series_get(&M, f, lv, 1);
}

/* Counter += v (v >= 0; a counter never goes down). */
void
metrics_add(enum metric_id id, const char *lvalue, double v)
{
	struct series *s;

	if (!(v >= 0)) {
		log_warn("metrics %s: negative or invalid increment",
		    id_name(id));
		return;
	}
	if ((s = lookup(id, MT_COUNTER, lvalue)) != NULL)
		s->value += v;
}

/* Gauge = v. */
void
metrics_set(enum metric_id id, const char *lvalue, double v)
{
	struct series *s;

	if ((s = lookup(id, MT_GAUGE, lvalue)) != NULL)
		s->value = v;
}

/* Drops every series of a gauge family. */
void
metrics_reset(enum metric_id id)
{
	const struct family *f;
	size_t i, j;

	if (!M_init)
		metrics_init(NULL);
	if ((f = family_of(id)) == NULL)
		return;
	if (f->type != MT_GAUGE) {
		log_warn("metrics %s: not a gauge family", f->name);
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
metrics_observe(enum metric_id id, const char *lvalue, double v)
{
	struct series *s;
	size_t i;

	if (v != v) {
		log_warn("metrics %s: NaN observation", id_name(id));
		return;
	}
	if ((s = lookup(id, MT_HISTOGRAM, lvalue)) == NULL)
		return;
	for (i = 0; i < s->fam->nbuckets; i++)
		if (v <= s->fam->buckets[i])
			s->bucket[i]++;
	s->sum += v;
	s->count++;
}

/* Appends the sample name of s (see expfmt_name). */
static void
put_name(struct buf *b, const struct series *s, const char *suffix,
    const char *le)
{
	expfmt_name(b, s->fam->name, suffix, s->fam->lname, s->lvalue, le);
}

static void
put_sample(struct buf *b, const struct series *s, const char *suffix,
    const char *le, double v)
{
	expfmt_sample(b, s->fam->name, suffix, s->fam->lname, s->lvalue, le, v);
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
	char n[EXPFMT_NUMLEN];

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
				    expfmt_num(f->buckets[j], n), v[k]->bucket[j]);
			put_sample(&b, v[k], "_bucket", "+Inf", v[k]->count);
			put_sample(&b, v[k], "_sum", NULL, v[k]->sum);
			put_sample(&b, v[k], "_count", NULL, v[k]->count);
		}
	}
	free(v);
	return buf_release(&b);
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

	if (expfmt_parse(line, NULL, &name, &lv, &le, &dummy) == -1)
		return;
	f = family_of_sample(name, &sfx);
	free(name);
	free(lv);
	free(le);
	if (f == NULL || !(v >= 0))
		return;
	if ((nl = expfmt_parse(line, f->lname, &name, &lv, &le, &dummy)) == -1)
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
	metrics_set(MET_BUILD_INFO, ZMCSYNC_VERSION, 1);
	metrics_set(MET_STATE_FILE_OK, NULL, st != NULL);
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
		if (expfmt_parse(line, NULL, &name, &lv, &le, &v) == -1)
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
	char n[EXPFMT_NUMLEN];
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
			    expfmt_num(r->fam->buckets[j], n));
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

/* Writes the textfile atomically (atomicfile_write, mode 0644).  0 ok, -1 logged. */
int
metrics_write(const char *path)
{
	char *text, *err;
	int rc;

	text = metrics_render();
	if ((rc = atomicfile_write(path, text, 0644, &err)) != 0) {
		log_error("metrics %s: %s", path, err);
		free(err);
	}
	free(text);
	return rc;
}

/* Forgets every series (metrics_init starts again). */
void
metrics_free(void)
{
	sset_free(&M);
	M_init = 0;
}
