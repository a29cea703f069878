/*
 * state: the local state file <dir>/state.db (libsqlite3) and the run
 * lock <dir>/zmcsync.lock.
 *
 * Journal mode: the default rollback journal, not WAL.  The file is
 * written once a minute by the one run that holds the lock, in one short
 * transaction; `status` reads it now and then.  WAL would add two more
 * files (-wal, -shm) beside it, needs shared memory (so a read-only
 * `status` needs write access to -shm) and does not work on network file
 * systems, for no gain at this write rate.  The busy timeout covers the
 * rare overlap of a reader and the writer.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"
#include "secret.h"
#include "state.h"
#include "util.h"

/* Busy timeout: long enough for a concurrent reader or writer to finish. */
#define STATE_BUSY_MS	5000

struct state {
	sqlite3	*db;	/* open connection */
	char	*path;	/* dir/state.db, for diagnostics */
};

/*
 * Schema migrations, in order: migrations[i] moves user_version i to i+1.
 * Never edit a shipped entry; append a new one.
 */
static const char *const migrations[] = {
	/* 0 -> 1: metric series and run history */
	"CREATE TABLE metric ("
	"  key TEXT PRIMARY KEY,"	/* family + rendered labels */
	"  value REAL NOT NULL"
	");"
	"CREATE TABLE run ("
	"  id INTEGER PRIMARY KEY,"	/* rowid, increasing: newest = largest */
	"  batch_id TEXT NOT NULL,"
	"  started INTEGER NOT NULL,"	/* epoch seconds */
	"  duration REAL NOT NULL,"	/* seconds */
	"  exit_code INTEGER NOT NULL,"
	"  command TEXT,"
	"  counts TEXT NOT NULL,"	/* JSON array of per-action counts */
	"  errors INTEGER NOT NULL,"
	"  error TEXT"
	");",
	/* 1 -> 2: how each run ended (run_record.result); NULL before */
	"ALTER TABLE run ADD COLUMN result TEXT;",
	/* 2 -> 3: resolves owed to Alertmanager members that missed them */
	"CREATE TABLE owed ("
	"  alarm_id INTEGER NOT NULL,"
	"  labels TEXT NOT NULL,"	/* canonical label-set JSON */
	"  starts INTEGER NOT NULL,"	/* startsAt, endsAt of the resolved alert */
	"  ends INTEGER NOT NULL,"
	"  until INTEGER NOT NULL,"	/* no member holds it after this */
	"  PRIMARY KEY (alarm_id, labels)"
	");",
	/* 3 -> 4: the latest Alertmanager member start each run saw */
	"ALTER TABLE run ADD COLUMN am_started INTEGER;",
};
#define NMIGRATIONS	(sizeof(migrations) / sizeof(migrations[0]))

/* Number of slots of run_record.counts. */
#define NCOUNTS	(sizeof(((struct run_record *)0)->counts) / \
	    sizeof(((struct run_record *)0)->counts[0]))

/*
 * mkdir -p with mode for every component created.  0 ok, -1 with errno
 * (EEXIST for a non-directory in the way becomes ENOTDIR).
 */
static int
mkdirs(const char *dir, mode_t mode)
{
	struct stat sb;
	char *p, *s;
	int rc = 0;

	if (stat(dir, &sb) == 0) {
		if (S_ISDIR(sb.st_mode))
			return 0;
		errno = ENOTDIR;
		return -1;
	}
	s = xstrdup(dir);
	/* Each prefix ending before a '/', then the whole path. */
	for (p = s + 1; rc == 0; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(s, mode) == -1 && (errno != EEXIST ||
		    stat(s, &sb) == -1 || !S_ISDIR(sb.st_mode))) {
			if (errno == EEXIST)
				errno = ENOTDIR;
			rc = -1;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	free(s);
	return rc;
}

/* Runs sql (no results); 0 ok, -1 with *err = "state PATH: reason". */
static int
exec_sql(struct state *st, const char *sql, char **err)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		if (err != NULL)
			*err = xasprintf("state %s: %s", st->path,
			    msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* Reads PRAGMA user_version; 0 ok, -1 with *err (e.g. not a database). */
static int
get_version(struct state *st, int *v, char **err)
{
	sqlite3_stmt *stmt;
	int rc;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &stmt,
	    NULL) != SQLITE_OK) {
		*err = xasprintf("state %s: %s", st->path,
		    sqlite3_errmsg(st->db));
		return -1;
	}
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		*err = xasprintf("state %s: %s", st->path,
		    sqlite3_errmsg(st->db));
		sqlite3_finalize(stmt);
		return -1;
	}
	*v = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return 0;
}

/*
 * Brings the schema up to date, each step in its own transaction together
 * with its user_version, so a crash leaves a consistent version.
 * 0 ok, -1 with *err.
 */
static int
migrate(struct state *st, char **err)
{
	int v;
	size_t i;

	if (get_version(st, &v, err) == -1)
		return -1;
	if (v < 0 || (size_t)v > NMIGRATIONS) {
		*err = xasprintf("state %s: schema version %d is newer than "
		    "this program knows (%zu)", st->path, v, NMIGRATIONS);
		return -1;
	}
	for (i = (size_t)v; i < NMIGRATIONS; i++) {
		char *sql;
		int rc;

		if (exec_sql(st, "BEGIN IMMEDIATE", err) == -1)
			return -1;
		sql = xasprintf("%s PRAGMA user_version = %zu;",
		    migrations[i], i + 1);
		rc = exec_sql(st, sql, err);
		free(sql);
		if (rc == -1 || exec_sql(st, "COMMIT", err) == -1) {
			exec_sql(st, "ROLLBACK", NULL);
			return -1;
		}
		log_debug("state %s: migrated schema to version %zu",
		    st->path, i + 1);
	}
	return 0;
}

/*
 * Opens (creating dir 0750 and the file, migrating the schema)
 * dir/state.db.  Returns the handle (free with state_close), or NULL and
 * *err (caller frees) e.g. "state /x/state.db: file is not a database".
 */
struct state *
state_open(const char *dir, char **err)
{
	struct state *st;

	*err = NULL;
	if (dir == NULL || *dir == '\0') {
		*err = xstrdup("state: no state directory configured");
		return NULL;
	}
	if (mkdirs(dir, 0750) == -1) {
		*err = xasprintf("state %s: %s", dir, strerror(errno));
		return NULL;
	}
	st = xcalloc(1, sizeof(*st));
	st->path = xasprintf("%s/state.db", dir);
	if (sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		*err = xasprintf("state %s: %s", st->path,
		    st->db ? sqlite3_errmsg(st->db) : "out of memory");
		state_close(st);
		return NULL;
	}
	sqlite3_busy_timeout(st->db, STATE_BUSY_MS);
	/* The header is only read on first use: this is where garbage shows. */
	if (migrate(st, err) == -1) {
		state_close(st);
		return NULL;
	}
	return st;
}

/* Closes st (NULL is fine). */
void
state_close(struct state *st)
{
	if (st == NULL)
		return;
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

/* Reads a decimal pid from fd at offset 0; 0 if none. */
static long
read_pid(int fd)
{
	char b[32];
	ssize_t n;
	long long v;

	n = pread(fd, b, sizeof(b) - 1, 0);
	if (n <= 0)
		return 0;
	b[n] = '\0';
	b[strcspn(b, "\n")] = '\0';
	if (str_to_int(b, 1, LONG_MAX, &v) == -1)
		return 0;
	return (long)v;
}

/*
 * Takes the run lock dir/zmcsync.lock (flock, exclusive, non-blocking),
 * creating dir if needed.  Returns the descriptor (release with
 * state_unlock), -1 on error (*err, caller frees), or -2 when another
 * process holds it (*holder = its pid, 0 if unknown).  A few short
 * retries ride out the instant `status` probes the lock.
 */
int
state_lock(const char *dir, long *holder, char **err)
{
	char *path, b[32];
	int fd, i, n;

	*err = NULL;
	*holder = 0;
	if (mkdirs(dir, 0750) == -1) {
		*err = xasprintf("lock %s: %s", dir, strerror(errno));
		return -1;
	}
	path = xasprintf("%s/zmcsync.lock", dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1) {
		*err = xasprintf("lock %s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	for (i = 0; flock(fd, LOCK_EX | LOCK_NB) == -1; i++) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			*err = xasprintf("lock %s: %s", path, strerror(errno));
			free(path);
			close(fd);
			return -1;
		}
		if (errno == EWOULDBLOCK && i >= 5) {
			*holder = read_pid(fd);
			free(path);
			close(fd);
			return -2;
		}
		nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
	}
	n = snprintf(b, sizeof(b), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, b, (size_t)n, 0) != n) {
		/* The lock is ours anyway; only `status` loses the pid. */
		log_warn("lock %s: cannot record pid: %s", path,
		    strerror(errno));
	}
	free(path);
	return fd;
}

/* Pid of the process holding dir/zmcsync.lock, 0 if free or unknown. */
long
state_lock_holder(const char *dir)
{
	char *path;
	long pid = 0;
	int fd;

	path = xasprintf("%s/zmcsync.lock", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd == -1)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			pid = read_pid(fd);
	} else
		flock(fd, LOCK_UN);
	close(fd);
	return pid;
}

/* Releases the lock taken by state_lock (fd < 0 is ignored). */
void
state_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/*
 * Calls fn for every persisted metric series.  0 ok, -1 (logged).
 */
int
state_metric_get_all(struct state *st,
    void (*fn)(void *arg, const char *key, double v), void *arg)
{
	sqlite3_stmt *stmt;
	int rc;

	if (sqlite3_prepare_v2(st->db, "SELECT key, value FROM metric "
	    "ORDER BY key", -1, &stmt, NULL) != SQLITE_OK) {
		log_warn("state %s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(stmt, 0);

		if (k != NULL)
			fn(arg, k, sqlite3_column_double(stmt, 1));
	}
	if (rc != SQLITE_DONE) {
		log_warn("state %s: %s", st->path, sqlite3_errmsg(st->db));
		sqlite3_finalize(stmt);
		return -1;
	}
	sqlite3_finalize(stmt);
	return 0;
}

/* Stores (replaces) one series.  0 ok, -1 (logged). */
int
state_metric_put(struct state *st, const char *key, double v)
{
	sqlite3_stmt *stmt;
	int rc;

	if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO metric "
	    "(key, value) VALUES (?, ?)", -1, &stmt, NULL) != SQLITE_OK) {
		log_warn("state %s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_double(stmt, 2, v);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		log_warn("state %s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

/* Starts a write transaction (taking the write lock now).  0/-1 (logged). */
int
state_begin(struct state *st)
{
	char *err = NULL;

	if (exec_sql(st, "BEGIN IMMEDIATE", &err) == -1) {
		log_warn("%s", err);
		free(err);
		return -1;
	}
	return 0;
}

/* Commits; on failure rolls back.  0/-1 (logged). */
int
state_commit(struct state *st)
{
	char *err = NULL;

	if (exec_sql(st, "COMMIT", &err) == -1) {
		log_warn("%s", err);
		free(err);
		state_rollback(st);
		return -1;
	}
	return 0;
}

/* Abandons the open transaction, if any. */
void
state_rollback(struct state *st)
{
	if (!sqlite3_get_autocommit(st->db))
		exec_sql(st, "ROLLBACK", NULL);
}

/* Formats counts as a JSON array into b. */
static void
counts_format(const long *c, size_t n, struct buf *b)
{
	size_t i;

	buf_puts(b, "[");
	for (i = 0; i < n; i++)
		buf_printf(b, "%s%ld", i ? "," : "", c[i]);
	buf_puts(b, "]");
}

/* Parses a JSON array of integers into c (missing slots 0). */
static void
counts_parse(const char *s, long *c, size_t n)
{
	size_t i = 0;
	char *end;

	memset(c, 0, n * sizeof(*c));
	if (s == NULL || *s++ != '[')
		return;
	while (i < n && *s != '\0' && *s != ']') {
		c[i++] = strtol(s, &end, 10);
		if (end == s)
			break;
		s = end + strspn(end, " ,");
	}
}

/*
 * Appends a run and deletes all but the newest STATE_RUNS_KEEP.  0 ok, -1
 * (logged).  Runs in the caller's transaction if one is open.
 */
int
state_run_add(struct state *st, const struct run_record *r)
{
	sqlite3_stmt *stmt;
	struct buf b = { 0 };
	char *sql, *clean;
	int rc;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO run (batch_id, started, "
	    "duration, exit_code, command, counts, errors, error, result, "
	    "am_started) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &stmt,
	    NULL) != SQLITE_OK) {
		log_warn("state %s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	counts_format(r->counts, NCOUNTS, &b);
	sqlite3_bind_text(stmt, 1, r->batch_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)r->started);
	sqlite3_bind_double(stmt, 3, r->duration);
	sqlite3_bind_int(stmt, 4, r->exit_code);
	if (r->command != NULL)
		sqlite3_bind_text(stmt, 5, r->command, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, b.s, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 7, r->errors);
	/* A secret echoed in an error never reaches state.db. */
	clean = secret_redact(r->error);
	if (clean != NULL)
		sqlite3_bind_text(stmt, 8, clean, -1, SQLITE_STATIC);
	if (r->result != NULL)
		sqlite3_bind_text(stmt, 9, r->result, -1, SQLITE_STATIC);
	if (r->am_started != 0)
		sqlite3_bind_int64(stmt, 10, (sqlite3_int64)r->am_started);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	buf_free(&b);
	free(clean);
	if (rc != SQLITE_DONE) {
		log_warn("state %s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	sql = xasprintf("DELETE FROM run WHERE id <= (SELECT id FROM run "
	    "ORDER BY id DESC LIMIT 1 OFFSET %d)", STATE_RUNS_KEEP);
	rc = exec_sql(st, sql, NULL);
	free(sql);
	if (rc == -1) {
		log_warn("state %s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

int
state_last_am_started(struct state *st, time_t *out)
{
	sqlite3_stmt *stmt;
	int rc;

	*out = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT am_started FROM run WHERE "
	    "am_started > 0 ORDER BY id DESC LIMIT 1", -1, &stmt, NULL) !=
	    SQLITE_OK) {
		log_warn("state %s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		*out = (time_t)sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		log_warn("state %s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

/*
 * Newest first, at most limit (0: all).  *out (free with
 * state_runs_free) and *n.  0 ok, -1 (logged; *out NULL, *n 0).
 */
int
state_runs(struct state *st, size_t limit, struct run_record **out, size_t *n)
{
	sqlite3_stmt *stmt;
	struct run_record *v = NULL, *r;
	size_t cap = 0, len = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT batch_id, started, duration, "
	    "exit_code, command, counts, errors, error, result FROM run "
	    "ORDER BY id DESC LIMIT ?", -1, &stmt, NULL) != SQLITE_OK) {
		log_warn("state %s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	sqlite3_bind_int64(stmt, 1, limit == 0 || limit > INT64_MAX ?
	    -1 : (sqlite3_int64)limit);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *s;

		v = xreallocarray_grow(v, &cap, len + 1, sizeof(*v));
		r = &v[len++];
		memset(r, 0, sizeof(*r));
		if ((s = (const char *)sqlite3_column_text(stmt, 0)) != NULL)
			snprintf(r->batch_id, sizeof(r->batch_id), "%s", s);
		r->started = (time_t)sqlite3_column_int64(stmt, 1);
		r->duration = sqlite3_column_double(stmt, 2);
		r->exit_code = sqlite3_column_int(stmt, 3);
		r->command = xstrdup((const char *)sqlite3_column_text(stmt, 4));
		counts_parse((const char *)sqlite3_column_text(stmt, 5),
		    r->counts, NCOUNTS);
		r->errors = (long)sqlite3_column_int64(stmt, 6);
		r->error = xstrdup((const char *)sqlite3_column_text(stmt, 7));
		r->result = xstrdup((const char *)sqlite3_column_text(stmt, 8));
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		log_warn("state %s: %s", st->path, sqlite3_errmsg(st->db));
		state_runs_free(v, len);
		return -1;
	}
	*out = v;
	*n = len;
	return 0;
}

/* Frees what state_runs returned. */
void
state_runs_free(struct run_record *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].command);
		free(v[i].error);
		free(v[i].result);
	}
	free(v);
}

const char *
state_run_result(const struct run_record *r)
{
	if (r->result != NULL && *r->result != '\0')
		return r->result;
	/* A run recorded before the result was kept: its exit status says most. */
	switch (r->exit_code) {
	case 0:
		return "success";
	case 1:
		return "partial";
	case 6:
		return "skipped";
	default:
		return "failed";
	}
}

/* Runs one prepared write of the owed table; 0/-1 (logged). */
static int
owed_step(struct state *st, sqlite3_stmt *stmt)
{
	int rc = sqlite3_step(stmt);

	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		log_warn("state %s: owed resolves: %s", st->path,
		    sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

int
state_owed_put(struct state *st, const struct owed_resolve *o)
{
	sqlite3_stmt *stmt;

	if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO owed (alarm_id, "
	    "labels, starts, ends, until) VALUES (?, ?, ?, ?, ?)", -1, &stmt,
	    NULL) != SQLITE_OK) {
		log_warn("state %s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)o->alarm_id);
	sqlite3_bind_text(stmt, 2, o->labels, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)o->starts);
	sqlite3_bind_int64(stmt, 4, (sqlite3_int64)o->ends);
	sqlite3_bind_int64(stmt, 5, (sqlite3_int64)o->until);
	return owed_step(st, stmt);
}

int
state_owed_del(struct state *st, int64_t alarm_id, const char *labels)
{
	sqlite3_stmt *stmt;

	if (sqlite3_prepare_v2(st->db, "DELETE FROM owed WHERE alarm_id = ? "
	    "AND labels = ?", -1, &stmt, NULL) != SQLITE_OK) {
		log_warn("state %s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)alarm_id);
	sqlite3_bind_text(stmt, 2, labels, -1, SQLITE_STATIC);
	return owed_step(st, stmt);
}

int
state_owed_list(struct state *st, size_t limit, struct owed_resolve **out,
    size_t *n)
{
	sqlite3_stmt *stmt;
	struct owed_resolve *v;
	int rc;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT alarm_id, labels, starts, ends, "
	    "until FROM owed ORDER BY until LIMIT ?", -1, &stmt, NULL) !=
	    SQLITE_OK) {
		log_warn("state %s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)limit);
	v = xcalloc(limit + 1, sizeof(*v));
	while (*n < limit && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const unsigned char *l = sqlite3_column_text(stmt, 1);

		v[*n].alarm_id = sqlite3_column_int64(stmt, 0);
		v[*n].labels = xstrdup(l != NULL ? (const char *)l : "{}");
		v[*n].starts = (time_t)sqlite3_column_int64(stmt, 2);
		v[*n].ends = (time_t)sqlite3_column_int64(stmt, 3);
		v[*n].until = (time_t)sqlite3_column_int64(stmt, 4);
		(*n)++;
	}
	sqlite3_finalize(stmt);
	*out = v;
	return 0;
}

void
state_owed_free(struct owed_resolve *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].labels);
	free(v);
}

long
state_owed_count(struct state *st)
{
	sqlite3_stmt *stmt;
	long n = -1;

	if (sqlite3_prepare_v2(st->db, "SELECT COUNT(*) FROM owed", -1, &stmt,
	    NULL) != SQLITE_OK) {
		log_warn("state %s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return n;
}
