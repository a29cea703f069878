/*
 * merge: the read side of a run (see merge.h).  The key space is walked
 * in ranges (lo, hi]: one active page fixes hi (its last key, or the end
 * when the cursor ran dry), then the tracked ids of the same range are
 * merged against it, and what is left of them is read by id lists.  So
 * each query is bounded by the page size and answered from an index, and
 * no cursor stays open across the batch's commit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "dbstmt.h"
#include "dialect.h"
#include "log.h"
#include "merge.h"
#include "query.h"
#include "source.h"
#include "syncstate.h"
#include "util.h"

enum phase {
	PH_ACTIVE = 0,	/* read the next active page */
	PH_TRACKED,	/* emit tracked batches of the range */
	PH_EMIT,	/* emit the active page */
	PH_DONE
};

struct merge {
	struct db		*db;
	const struct config	*c;
	const char		*view;
	size_t			 page;		/* active rows per query */
	size_t			 bs;		/* pairs per batch */
	size_t			 emitted;	/* active rows handed out so far */
	enum phase		 ph;
	int64_t			 lo, hi;	/* the range (lo, hi] */
	int			 full;		/* the active page was full */
	/* Active page: view rows and their status rows (alarm_id 0: none). */
	struct source_page	 ap;
	struct sync_row		*as;
	size_t			 ascap;
	/* Tracked side: next id after bl, and the batch in progress. */
	int64_t			 bl;
	struct source_page	 tp;
	struct sync_row		*ts;
	size_t			 tsz, tscap;
	struct pair		*pairs;
	struct merge_stats	 st;
	/* Prepared once per pass, executed per page. */
	struct db_stmt		*st_active, *st_tracked;
};

struct merge *
merge_new(struct db *db, const struct config *c, size_t page, size_t batch)
{
	struct merge *m = xcalloc(1, sizeof(*m));

	m->db = db;
	m->c = c;
	m->view = source_view(c);
	m->bs = batch > 0 ? batch : 1;
	m->page = page > m->bs ? page : m->bs;
	m->pairs = xcalloc(m->bs, sizeof(*m->pairs));
	return m;
}

/* Counts one query (n statements) that started at t0. */
static void
timed(struct merge *m, double t0, size_t n)
{
	double d = now_monotonic() - t0;
	size_t k = m->st.nrecent < 8 ? m->st.nrecent++ : 7;

	m->st.queries += n;
	m->st.seconds += d;
	m->st.recent[k] += d;
}

static void
active_clear(struct merge *m)
{
	size_t i;

	for (i = 0; i < m->ap.rowsz; i++)
		sync_row_clear(&m->as[i]);
	source_page_free(&m->ap);
}

static void
tracked_clear(struct merge *m)
{
	size_t i;

	for (i = 0; i < m->tsz; i++)
		sync_row_clear(&m->ts[i]);
	m->tsz = 0;
	source_page_free(&m->tp);
}

static int
row_cmp_id(const void *a, const void *b)
{
	const struct zmc_row *x = a, *y = b;

	return x->alarm_id < y->alarm_id ? -1 : x->alarm_id > y->alarm_id;
}

/* Reads the active page after m->lo and fixes the range's end; 0/-1. */
static int
read_active(struct merge *m)
{
	struct db_stmt *st;
	double t0 = now_monotonic();
	int rc, sorted = 1;

	active_clear(m);
	if (m->st_active == NULL &&
	    (m->st_active = query_prepare(m->db, SQL_ACTIVE_PAGE, m->view)) == NULL)
		return -1;
	st = m->st_active;
	m->ap.notes = &m->st.notes;
	if (db_bind_int64(st, 1, m->lo) != 0 ||
	    db_bind_int64(st, 2, (int64_t)m->page) != 0 || db_execute(st) != 0 ||
	    source_page_begin(&m->ap, m->db, st, DIALECT_STATUS_NCOLS, m->view) != 0)
		return -1;
	while ((rc = db_fetch(st)) == 1) {
		struct zmc_row *r;

		if (source_page_add(&m->ap, st) != 0)
			continue;
		r = &m->ap.rows[m->ap.rowsz - 1];
		if (m->ap.rowsz > 1 && r->alarm_id <= r[-1].alarm_id) {
			if (r->alarm_id == r[-1].alarm_id) {
				log_warn("source %s: alarm %lld: appears twice, later "
				    "row skipped", m->view, (long long)r->alarm_id);
				m->st.duplicates++;
				source_page_drop_last(&m->ap);
				continue;
			}
			sorted = 0;
		}
		m->as = xreallocarray_grow(m->as, &m->ascap, m->ap.rowsz,
		    sizeof(*m->as));
		sync_row_read_at(st, 0, &m->as[m->ap.rowsz - 1]);
	}
	db_stmt_reset(st);
	timed(m, t0, 1);
	if (rc < 0)
		return -1;
	m->st.active_rows += m->ap.fetched;
	m->st.bad_rows += m->ap.bad;
	if (!sorted) {
		/* The view's key is not ordered numerically: keyset paging cannot work. */
		db_set_error(m->db, "source %s: rows not ordered by ALARM_INST_ID "
		    "(is it a number column?)", m->view);
		return -1;
	}
	m->full = m->ap.fetched >= m->page;
	m->emitted = 0;
	if (m->full) {
		if (m->ap.last_key <= m->lo) {
			db_set_error(m->db, "source %s: %zu rows after ALARM_INST_ID %lld "
			    "without a usable ALARM_INST_ID; stopped", m->view,
			    m->ap.fetched, (long long)m->lo);
			return -1;
		}
		m->hi = m->ap.last_key;
	} else
		m->hi = INT64_MAX;
	m->bl = m->lo;
	return 0;
}

/* 1 if id is on the active page (sorted). */
static int
on_active(const struct merge *m, int64_t id)
{
	struct zmc_row key;

	/* bsearch must not see a NULL base, even with no rows (C11 7.22.5) */
	if (m->ap.rowsz == 0)
		return 0;
	key.alarm_id = id;
	return bsearch(&key, m->ap.rows, m->ap.rowsz, sizeof(key),
	    row_cmp_id) != NULL;
}

/* Status rows and view rows of ids[0..n), n <= DIALECT_IN_MAX; 0/-1. */
static int
read_ids(struct merge *m, const int64_t *ids, size_t n)
{
	struct db_stmt *st;
	double t0 = now_monotonic();
	int rc;

	if (syncstate_rows_by_ids(m->db, ids, n, &m->ts, &m->tsz, &m->tscap) != 0)
		return -1;
	if ((st = query_prepare(m->db, SQL_SOURCE_BY_IDS, m->view)) == NULL)
		return -1;
	if (query_bind_ids(st, 1, ids, n) != 0) {
		db_stmt_free(st);
		return -1;
	}
	m->tp.notes = &m->st.notes;
	if (db_execute(st) != 0 || (m->tp.names == NULL &&
	    source_page_begin(&m->tp, m->db, st, 0, m->view) != 0)) {
		db_stmt_free(st);
		return -1;
	}
	while ((rc = db_fetch(st)) == 1)
		source_page_add(&m->tp, st);
	db_stmt_free(st);
	timed(m, t0, 2);
	return rc < 0 ? -1 : 0;
}

static int
sync_cmp_id(const void *a, const void *b)
{
	const struct sync_row *x = a, *y = b;

	return x->alarm_id < y->alarm_id ? -1 : x->alarm_id > y->alarm_id;
}

/*
 * Reads the next tracked ids of the range, keeps those not on the active
 * page, and reads them.  *n pairs; *more 0 when the range is exhausted.
 * 0/-1.
 */
static int
read_tracked(struct merge *m, size_t *n, int *more)
{
	struct db_stmt *st;
	int64_t *left, v;
	size_t nleft = 0, fetched = 0, i, j, k;
	double t0 = now_monotonic();
	int rc;

	*n = 0;
	tracked_clear(m);
	if (m->st_tracked == NULL &&
	    (m->st_tracked = query_prepare(m->db, SQL_TRACKED_IDS, m->view)) == NULL)
		return -1;
	st = m->st_tracked;
	/*
	 * Most tracked ids of a range are FIRING alarms on the active page:
	 * a page-sized read skips them in one query; at most a batch of the
	 * others is kept, and the next call goes on after the last id used.
	 */
	if (db_bind_int64(st, 1, m->bl) != 0 || db_bind_int64(st, 2, m->hi) != 0 ||
	    db_bind_int64(st, 3, (int64_t)m->page) != 0 || db_execute(st) != 0)
		return -1;
	left = xcalloc(m->bs, sizeof(*left));
	*more = 0;
	while ((rc = db_fetch(st)) == 1) {
		fetched++;
		if (db_col_int64(st, 0, &v) != 0)
			continue;
		if (!on_active(m, v)) {
			if (nleft == m->bs) {
				*more = 1;	/* v is the next call's */
				break;
			}
			left[nleft++] = v;
		}
		m->bl = v;
	}
	db_stmt_reset(st);
	timed(m, t0, 1);
	if (rc < 0) {
		free(left);
		return -1;
	}
	if (fetched >= m->page)
		*more = 1;
	for (i = 0; i < nleft; i += DIALECT_IN_MAX) {
		k = nleft - i < DIALECT_IN_MAX ? nleft - i : DIALECT_IN_MAX;
		if (read_ids(m, left + i, k) != 0) {
			free(left);
			return -1;
		}
	}
	free(left);
	source_page_sort(&m->tp);
	if (m->tsz > 1)
		qsort(m->ts, m->tsz, sizeof(*m->ts), sync_cmp_id);
	m->st.tracked_rows += m->tsz;
	m->st.bad_rows += m->tp.bad;
	/* Pair each status row with its view row (none: gone from the view). */
	for (i = 0, j = 0; i < m->tsz; i++) {
		const struct zmc_row *row = NULL;

		while (j < m->tp.rowsz && m->tp.rows[j].alarm_id < m->ts[i].alarm_id)
			j++;
		if (j < m->tp.rowsz && m->tp.rows[j].alarm_id == m->ts[i].alarm_id) {
			row = &m->tp.rows[j++];
			if (j < m->tp.rowsz && m->tp.rows[j].alarm_id == row->alarm_id) {
				log_warn("source %s: alarm %lld: appears twice, later "
				    "row skipped", m->view, (long long)row->alarm_id);
				m->st.duplicates++;
				while (j < m->tp.rowsz &&
				    m->tp.rows[j].alarm_id == row->alarm_id)
					j++;
			}
		}
		m->pairs[*n].row = row;
		m->pairs[*n].sync = &m->ts[i];
		(*n)++;
	}
	return 0;
}

int
merge_next(struct merge *m, const struct pair **pairs, size_t *n)
{
	size_t i, k;
	int more;

	*pairs = m->pairs;
	*n = 0;
	memset(m->st.recent, 0, sizeof(m->st.recent));
	m->st.nrecent = 0;
	for (;;) {
		switch (m->ph) {
		case PH_ACTIVE:
			if (read_active(m) != 0)
				return -1;
			m->ph = PH_TRACKED;
			break;
		case PH_TRACKED:
			if (read_tracked(m, &k, &more) != 0)
				return -1;
			if (!more)
				m->ph = PH_EMIT;
			if (k > 0) {
				*n = k;
				return 1;
			}
			break;
		case PH_EMIT:
			tracked_clear(m);
			for (i = 0; i < m->bs && m->emitted < m->ap.rowsz; i++) {
				size_t e = m->emitted++;

				m->pairs[i].row = &m->ap.rows[e];
				m->pairs[i].sync = m->as[e].alarm_id != 0 ? &m->as[e] : NULL;
			}
			*n = i;
			if (m->emitted >= m->ap.rowsz) {
				if (m->full) {
					m->lo = m->hi;
					m->ph = PH_ACTIVE;
				} else
					m->ph = PH_DONE;
			}
			if (*n > 0)
				return 1;
			break;
		case PH_DONE:
			return 0;
		}
	}
}

const struct merge_stats *
merge_stats(const struct merge *m)
{
	return &m->st;
}

struct source_notes *
merge_notes(struct merge *m)
{
	return &m->st.notes;
}

void
merge_free(struct merge *m)
{
	if (m == NULL)
		return;
	active_clear(m);
	tracked_clear(m);
	db_stmt_free(m->st_active);
	db_stmt_free(m->st_tracked);
	free(m->as);
	free(m->ts);
	free(m->pairs);
	free(m);
}
