/*
 * test_state: the local state file and the run lock.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "state.h"
#include "t.h"
#include "util.h"

static char tmpdir[64];

/* A fresh directory path (not created) under the test's temp dir. */
static char *
subdir(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static void
rm_rf(const char *path)
{
	char *cmd = xasprintf("rm -rf '%s'", path);

	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", path);
	free(cmd);
}

/* user_version of dir/state.db read with plain sqlite, -1 on error. */
static int
user_version(const char *dir)
{
	char *path = xasprintf("%s/state.db", dir);
	sqlite3 *db;
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	free(path);
	return v;
}

struct kv {
	int	 n;
	double	 a, b;
};

static void
collect(void *arg, const char *key, double v)
{
	struct kv *kv = arg;

	kv->n++;
	if (strcmp(key, "a{x=\"1\"}") == 0)
		kv->a = v;
	else if (strcmp(key, "b") == 0)
		kv->b = v;
}

TEST(test_create_reopen)
{
	char *dir = subdir("st/nested"), *err = NULL, *db;
	struct state *st;
	struct stat sb;
	struct kv kv = { 0 };

	st = state_open(dir, &err);
	CHECK(st != NULL);
	CHECK(err == NULL);
	CHECK(stat(dir, &sb) == 0 && (sb.st_mode & 0777) == 0750);
	db = xasprintf("%s/state.db", dir);
	CHECK(stat(db, &sb) == 0);
	CHECK(state_begin(st) == 0);
	CHECK(state_metric_put(st, "a{x=\"1\"}", 1.5) == 0);
	CHECK(state_metric_put(st, "b", 7) == 0);
	CHECK(state_metric_put(st, "b", 8) == 0);	/* replaces */
	CHECK(state_commit(st) == 0);
	state_close(st);
	CHECK(user_version(dir) >= 1);

	/* reopen: no migration error, data still there */
	st = state_open(dir, &err);
	CHECK(st != NULL);
	CHECK(state_metric_get_all(st, collect, &kv) == 0);
	CHECK_INT(kv.n, 2);
	CHECK(kv.a == 1.5);
	CHECK(kv.b == 8);

	/* a rolled-back transaction leaves nothing */
	CHECK(state_begin(st) == 0);
	CHECK(state_metric_put(st, "b", 99) == 0);
	state_rollback(st);
	memset(&kv, 0, sizeof(kv));
	CHECK(state_metric_get_all(st, collect, &kv) == 0);
	CHECK(kv.b == 8);
	state_close(st);
	free(db);
	free(dir);
}

/* Resolves owed to members: kept per alarm and label set, soonest first. */
TEST(test_owed_resolves)
{
	char *dir = subdir("owed"), *err = NULL;
	struct state *st;
	struct owed_resolve a = { 7, "{\"alarm_id\":\"7\",\"severity\":\"critical\"}", 100, 200, 900 };
	struct owed_resolve b = { 8, "{\"alarm_id\":\"8\"}", 100, 200, 800 };
	struct owed_resolve *v;
	size_t n;

	st = state_open(dir, &err);
	CHECK(st != NULL);
	if (st == NULL)
		return;
	CHECK(state_owed_put(st, &a) == 0);
	CHECK(state_owed_put(st, &b) == 0);
	CHECK(state_owed_put(st, &a) == 0);	/* the same again: one entry */
	CHECK_INT(state_owed_count(st), 2);
	CHECK(state_owed_list(st, 10, &v, &n) == 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_INT(v[0].alarm_id, 8);
		CHECK_INT(v[1].alarm_id, 7);
		CHECK_STR(v[1].labels, a.labels);
		CHECK_INT(v[1].starts, 100);
		CHECK_INT(v[1].ends, 200);
		CHECK_INT(v[1].until, 900);
	}
	state_owed_free(v, n);
	CHECK(state_owed_list(st, 1, &v, &n) == 0);
	CHECK_INT(n, 1);
	state_owed_free(v, n);
	CHECK(state_owed_del(st, 8, b.labels) == 0);
	CHECK(state_owed_del(st, 7, "{}") == 0);	/* another set: kept */
	CHECK(state_owed_list(st, 10, &v, &n) == 0);
	CHECK_INT(n, 1);
	if (n == 1)
		CHECK_INT(v[0].alarm_id, 7);
	state_owed_free(v, n);
	state_close(st);
	free(dir);
}

TEST(test_migrate_from_empty_and_future)
{
	char *dir = subdir("mig"), *err = NULL, *path;
	struct state *st;
	sqlite3 *db;

	/* an empty existing file (version 0) is migrated */
	CHECK(mkdir(dir, 0750) == 0);
	path = xasprintf("%s/state.db", dir);
	close(open(path, O_WRONLY | O_CREAT, 0644));
	st = state_open(dir, &err);
	CHECK(st != NULL);
	state_close(st);
	CHECK_INT(user_version(dir), 4);

	/* a schema from a newer program is refused, not clobbered */
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	st = state_open(dir, &err);
	CHECK(st == NULL);
	CHECK(err != NULL && strstr(err, "schema version 99") != NULL);
	CHECK(err != NULL && strncmp(err, "state ", 6) == 0);
	free(err);
	CHECK_INT(user_version(dir), 99);
	free(path);
	free(dir);
}

TEST(test_run_result)
{
	char *dir = subdir("res"), *err = NULL;
	struct run_record rec, *v = NULL;
	struct state *st;
	size_t n = 0;

	st = state_open(dir, &err);
	CHECK(st != NULL);
	memset(&rec, 0, sizeof(rec));
	snprintf(rec.batch_id, sizeof(rec.batch_id), "b1");
	rec.exit_code = 0;
	rec.result = "disabled";
	CHECK(state_run_add(st, &rec) == 0);
	/* a row without a result (an older program's) is derived from its exit */
	snprintf(rec.batch_id, sizeof(rec.batch_id), "b2");
	rec.exit_code = 6;
	rec.result = NULL;
	CHECK(state_run_add(st, &rec) == 0);
	CHECK(state_runs(st, 10, &v, &n) == 0);
	CHECK(n == 2);
	if (n == 2) {
		CHECK(strcmp(state_run_result(&v[0]), "skipped") == 0);
		CHECK(strcmp(state_run_result(&v[1]), "disabled") == 0);
	}
	state_runs_free(v, n);
	state_close(st);
	free(dir);
}

/* The member start the last run handled: runs that saw none are skipped. */
TEST(test_last_am_started)
{
	char *dir = subdir("amst"), *err = NULL;
	struct run_record rec;
	struct state *st;
	time_t t = -1;

	st = state_open(dir, &err);
	CHECK(st != NULL);
	CHECK(state_last_am_started(st, &t) == 0);
	CHECK_INT(t, 0);
	memset(&rec, 0, sizeof(rec));
	snprintf(rec.batch_id, sizeof(rec.batch_id), "b1");
	rec.am_started = 1700000000;
	CHECK(state_run_add(st, &rec) == 0);
	rec.am_started = 1700000300;
	CHECK(state_run_add(st, &rec) == 0);
	/* a skipped or standby run, or one stopped first, saw no start */
	rec.am_started = 0;
	CHECK(state_run_add(st, &rec) == 0);
	CHECK(state_last_am_started(st, &t) == 0);
	CHECK_INT(t, 1700000300);
	state_close(st);
	free(dir);
}

TEST(test_corrupt)
{
	char *dir = subdir("bad"), *err = NULL, *path, *want;
	struct state *st;
	FILE *f;
	int i;

	CHECK(mkdir(dir, 0750) == 0);
	path = xasprintf("%s/state.db", dir);
	f = fopen(path, "w");
	for (i = 0; i < 200; i++)
		fputs("this is not a sqlite database, just garbage\n", f);
	fclose(f);
	st = state_open(dir, &err);
	CHECK(st == NULL);
	want = xasprintf("state %s: file is not a database", path);
	CHECK_STR(err, want);
	free(err);
	free(want);

	/* a regular file where the directory should be */
	err = NULL;
	st = state_open(path, &err);
	CHECK(st == NULL);
	want = xasprintf("state %s: Not a directory", path);
	CHECK_STR(err, want);
	free(err);
	free(want);
	free(path);
	free(dir);
}

TEST(test_lock)
{
	char *dir = subdir("lock"), *err = NULL, *path;
	long holder = -1;
	int fd, fd2, st;
	pid_t pid;

	CHECK_INT(state_lock_holder(dir), 0);	/* no file yet */
	fd = state_lock(dir, &holder, &err);
	CHECK(fd >= 0);
	CHECK(err == NULL);
	CHECK_INT(state_lock_holder(dir), getpid());

	/* a second open file description in the same process conflicts */
	holder = -1;
	fd2 = state_lock(dir, &holder, &err);
	CHECK_INT(fd2, -2);
	CHECK_INT(holder, getpid());
	CHECK(err == NULL);

	/* and so does another process, which sees our pid */
	pid = fork();
	if (pid == 0) {
		long h = 0;
		char *e = NULL;
		int r = state_lock(dir, &h, &e);

		_exit(r == -2 && h == (long)getppid() ? 0 : 1);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	state_unlock(fd);
	CHECK_INT(state_lock_holder(dir), 0);

	/* free again: taken, and the old pid replaced by ours */
	path = xasprintf("%s/zmcsync.lock", dir);
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(fd >= 0 && write(fd, "999999999999\n", 13) == 13);
	close(fd);
	fd = state_lock(dir, &holder, &err);
	CHECK(fd >= 0);
	CHECK_INT(state_lock_holder(dir), getpid());
	state_unlock(fd);

	/* the lock directory cannot be created */
	fd = state_lock(path, &holder, &err);
	CHECK_INT(fd, -1);
	CHECK(err != NULL && strstr(err, "Not a directory") != NULL);
	free(err);
	free(path);
	free(dir);
}

TEST(test_runs)
{
	char *dir = subdir("runs"), *err = NULL;
	struct state *st;
	struct run_record r, *v;
	size_t n, i;
	int ok = 1;

	st = state_open(dir, &err);
	CHECK(st != NULL);
	if (st == NULL)
		return;
	CHECK(state_begin(st) == 0);
	for (i = 0; i < STATE_RUNS_KEEP + 5; i++) {
		memset(&r, 0, sizeof(r));
		snprintf(r.batch_id, sizeof(r.batch_id), "b%zu", i);
		r.started = 1700000000 + (time_t)i;
		r.duration = 0.25;
		r.exit_code = (int)(i % 2);
		r.command = "run";
		r.counts[0] = (long)i;
		r.counts[7] = 3;
		r.errors = (long)i % 3;
		r.error = i == STATE_RUNS_KEEP + 4 ? "alertmanager x: 503 \"boom\"" : NULL;
		if (state_run_add(st, &r) != 0)
			ok = 0;
	}
	CHECK(ok);
	CHECK(state_commit(st) == 0);

	CHECK(state_runs(st, 0, &v, &n) == 0);
	CHECK_INT(n, STATE_RUNS_KEEP);
	if (n == STATE_RUNS_KEEP) {
		CHECK_STR(v[0].batch_id, "b1004");
		CHECK_STR(v[n - 1].batch_id, "b5");
		CHECK_INT(v[0].started, 1700001004);
		CHECK_INT(v[0].counts[0], 1004);
		CHECK_INT(v[0].counts[7], 3);
		CHECK_INT(v[0].counts[1], 0);
		CHECK_INT(v[0].exit_code, 0);
		CHECK_INT(v[1].exit_code, 1);
		CHECK_INT(v[0].errors, 1004 % 3);
		CHECK(v[0].duration == 0.25);
		CHECK_STR(v[0].command, "run");
		CHECK_STR(v[0].error, "alertmanager x: 503 \"boom\"");
		CHECK(v[1].error == NULL);
	}
	state_runs_free(v, n);

	CHECK(state_runs(st, 3, &v, &n) == 0);
	CHECK_INT(n, 3);
	if (n == 3)
		CHECK_STR(v[2].batch_id, "b1002");
	state_runs_free(v, n);
	state_close(st);
	free(dir);
}

int
main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/zmcsync-tstate.XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_create_reopen);
	RUN(test_owed_resolves);
	RUN(test_migrate_from_empty_and_future);
	RUN(test_corrupt);
	RUN(test_lock);
	RUN(test_runs);
	RUN(test_run_result);
	RUN(test_last_am_started);
	rm_rf(tmpdir);
	return DONE();
}
