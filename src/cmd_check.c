/*
 * cmd_check: probes each piece separately -- configuration, ODBC
 * connection, each sync table and the source view, the config table,
 * each Alertmanager, the state directory and the metrics directory --
 * and prints one line per probe (the guide's /health as a command).
 *
 * Exit 0 only when every probe passes; otherwise the most specific
 * status: 4 when a database probe failed, else 3 when no Alertmanager URL
 * is usable, else 5 when no Alertmanager is healthy, else 3 for
 * configuration (an unusable label mapping row included), state or
 * metrics directory problems, else 1 when only some Alertmanager members
 * failed.  Statements wait at most CMD_LOCK_WAIT_MS for another session's
 * lock (main.c), so a locked database makes check slow by seconds, not
 * by the driver's timeout per probe.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json.h>

#include "alertmanager.h"
#include "cmd.h"
#include "config.h"
#include "db.h"
#include "dialect.h"
#include "log.h"
#include "out.h"
#include "secret.h"
#include "syncprobe.h"
#include "util.h"


/* What a failed probe says about the exit status. */
enum probe_class {
	PC_CONFIG,	/* configuration, state dir, metrics dir: exit 3 */
	PC_DB,		/* database, tables, view: exit 4 */
	PC_AM		/* one Alertmanager member */
};

struct probe {
	char		*name;		/* component name, e.g. "database" */
	int		 ok;
	char		*detail;	/* "ok" detail or the reason */
	enum probe_class cls;
};

struct probes {
	struct probe	*v;
	size_t		 n, cap;
	int		 stream;	/* text: print each probe as it is recorded */
	size_t		 members;	/* usable Alertmanager URLs */
	size_t		 up;		/* members that passed both probes */
};

/* Width of the CHECK column of the streamed lines (longer names push on). */
#define NAME_WIDTH	22

/*
 * Prints one probe line at once: a person at a terminal sees each probe
 * as it finishes, and the reason is never cut (it may wrap).  No secret
 * and no line break of a driver message reaches the terminal.
 */
static void
print_probe(const struct probe *q)
{
	char *d = secret_redact(q->detail), *c;

	for (c = d; *c != '\0'; c++)
		if (*c == '\n' || *c == '\r' || *c == '\t')
			*c = ' ';
	printf("%-*s  %-6s  %s\n", NAME_WIDTH, q->name, q->ok ? "ok" : "FAIL", d);
	fflush(stdout);
	free(d);
}

/* Records a probe; detail is taken over (allocated). */
static void
add(struct probes *p, const char *name, int ok, char *detail, enum probe_class cls)
{
	struct probe *q;

	p->v = xreallocarray_grow(p->v, &p->cap, p->n + 1, sizeof(*p->v));
	q = &p->v[p->n++];
	q->name = xstrdup(name);
	q->ok = ok;
	q->detail = detail != NULL ? detail : xstrdup("");
	q->cls = cls;
	if (p->stream)
		print_probe(q);
}

/*
 * syncprobe_run callback: one probe per table and the view (database
 * class), and the label mapping lines (configuration class: the rows
 * are readable, only their content is wrong).
 */
static void
table_probe(void *arg, const char *name, int ok, const char *detail)
{
	add(arg, name, ok, xstrdup(detail),
	    strncmp(name, "label mapping", 13) == 0 ? PC_CONFIG : PC_DB);
}

/* Creates and removes a temporary file in the metrics textfile's directory.  NULL ok, else a reason. */
static char *
dir_writable(const char *file)
{
	char *dir, *tmp, *slash, *err = NULL;
	int fd;

	dir = xstrdup(file);
	if ((slash = strrchr(dir, '/')) == NULL) {
		free(dir);
		dir = xstrdup(".");
	} else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	tmp = xasprintf("%s/.zmcsync-check-XXXXXX", dir);
	if ((fd = mkstemp(tmp)) == -1)
		err = xasprintf("metrics directory %s: %s", dir, strerror(errno));
	else {
		close(fd);
		if (unlink(tmp) == -1)
			err = xasprintf("metrics directory %s: %s", dir, strerror(errno));
	}
	free(tmp);
	free(dir);
	return err;
}

/* Text of a JSON member, or NULL. */
static const char *
jstr(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v) || v == NULL)
		return NULL;
	return json_object_get_string(v);
}

/* Probes every Alertmanager; returns how many members passed both probes. */
static size_t
probe_ams(struct probes *p, const struct ctx *ctx, size_t *members)
{
	struct json_object *st, *h;
	struct am *am;
	char *err = NULL, *name;
	size_t i, up = 0;
	int ok;

	*members = 0;
	if ((am = cmd_am(ctx, &err)) == NULL) {
		add(p, "alertmanager", 0, err, PC_CONFIG);
		return 0;
	}
	*members = am_count(am);
	for (i = 0; i < am_count(am); i++) {
		name = xasprintf("alertmanager %s /-/healthy", am_url(am, i));
		err = NULL;
		ok = am_healthy(am, i, &err) == 0;
		add(p, name, ok, ok ? xstrdup("healthy") : err, PC_AM);
		free(name);

		name = xasprintf("alertmanager %s /api/v2/status", am_url(am, i));
		err = NULL;
		if (!ok) {
			/* am_status would ask /-/healthy again: one wait per member is enough */
			add(p, name, 0, xstrdup("skipped: /-/healthy failed"), PC_AM);
			free(name);
			continue;
		}
		if ((st = am_status(am, i, &err)) == NULL) {
			add(p, name, 0, err, PC_AM);
			free(name);
			continue;
		}
		if (json_object_object_get_ex(st, "healthy", &h) &&
		    json_object_get_boolean(h)) {
			add(p, name, 1, xasprintf("version %s, cluster %s, %s alerts, "
			    "%s silences", jstr(st, "version") ? jstr(st, "version") : "?",
			    jstr(st, "cluster_status") ? jstr(st, "cluster_status") : "?",
			    jstr(st, "active_alerts") ? jstr(st, "active_alerts") : "?",
			    jstr(st, "active_silences") ? jstr(st, "active_silences") : "?"),
			    PC_AM);
			if (ok)
				up++;
		} else
			add(p, name, 0, xstrdup(jstr(st, "error") ? jstr(st, "error") :
			    "not healthy"), PC_AM);
		json_object_put(st);
		free(name);
	}
	am_free(am);
	return up;
}

/* Runs every probe into p (printing each at once when p->stream). */
static void
check_gather(struct ctx *ctx, struct probes *p)
{
	const struct config *c = ctx->conf;
	const char *file;
	char *err;

	/* The dispatcher stops with 3 before we run when the file is bad. */
	file = config_file(ctx->raw);
	add(p, "config", 1, file ? xasprintf("loaded %s", file) :
	    xstrdup("no file; defaults and environment"), PC_CONFIG);

	if (ctx->db == NULL)
		add(p, "database", 0, xstrdup(ctx->db_err ? ctx->db_err :
		    "database: not connected"), PC_DB);
	else {
		add(p, "database", 1, xasprintf("connected, %s %s, dialect %s",
		    db_dbms_name(ctx->db), db_dbms_version(ctx->db),
		    dialect_name(db_dialect(ctx->db))), PC_DB);
		/*
		 * The config table already waited out another session's
		 * lock: each probe would wait again, so check stays quick.
		 */
		if (ctx->db_err != NULL && db_busy(ctx->db))
			add(p, "sync tables", 0, xstrdup("skipped: the "
			    "database is locked or busy"), PC_DB);
		else
			syncprobe_run(ctx->db, c, table_probe, p);
		/* With a connection, db_err can only be the config table's failure. */
		add(p, "config table", ctx->db_err == NULL, ctx->db_err ?
		    xstrdup(ctx->db_err) : xstrdup("applied"), PC_DB);
	}

	p->up = probe_ams(p, ctx, &p->members);

	if (ctx->st != NULL)
		add(p, "state", 1, xasprintf("%s/state.db writable", c->state_dir),
		    PC_CONFIG);
	else
		add(p, "state", 0, xstrdup(ctx->st_err ? ctx->st_err :
		    "state: not opened"), PC_CONFIG);

	if (c->metrics_textfile[0] != '\0') {
		err = dir_writable(c->metrics_textfile);
		add(p, "metrics", err == NULL, err ? err :
		    xasprintf("%s: directory writable", c->metrics_textfile), PC_CONFIG);
	} else
		add(p, "metrics", 1, xstrdup("no textfile configured"), PC_CONFIG);
}

/* The exit status the probes call for (see the top of the file). */
static int
check_exit(const struct probes *p)
{
	size_t i;
	int db_bad = 0, cfg_bad = 0, am_bad = 0;

	for (i = 0; i < p->n; i++) {
		if (p->v[i].ok)
			continue;
		if (p->v[i].cls == PC_DB)
			db_bad = 1;
		else if (p->v[i].cls == PC_CONFIG)
			cfg_bad = 1;
		else
			am_bad = 1;
	}
	if (db_bad)
		return EXIT_DB;
	if (p->members == 0)
		return EXIT_CONFIG;	/* no usable Alertmanager URL: a config problem */
	if (p->up == 0)
		return EXIT_NOAM;
	if (cfg_bad)
		return EXIT_CONFIG;
	if (am_bad)
		return EXIT_PARTIAL;
	return EXIT_OK;
}

/* The guide's /health object, then the exit status; caller puts. */
static struct json_object *
check_json(const struct probes *p, int rc)
{
	struct json_object *o, *comps, *one;
	char tb[32];
	size_t i;

	o = json_object_new_object();
	json_object_object_add(o, "status", json_object_new_string(rc == EXIT_OK ?
	    "healthy" : "unhealthy"));
	json_object_object_add(o, "timestamp",
	    json_object_new_string(time_rfc3339(time(NULL), tb)));
	json_object_object_add(o, "version", json_object_new_string(ZMCSYNC_VERSION));
	comps = json_object_new_object();
	for (i = 0; i < p->n; i++) {
		one = json_object_new_object();
		json_object_object_add(one, "status", json_object_new_string(
		    p->v[i].ok ? "healthy" : "unhealthy"));
		json_object_object_add(one, "message",
		    json_object_new_string(p->v[i].detail));
		json_object_object_add(comps, p->v[i].name, one);
	}
	json_object_object_add(o, "components", comps);
	json_object_object_add(o, "exit_code", json_object_new_int(rc));
	return o;
}

static void
probes_free(struct probes *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].detail);
	}
	free(p->v);
}

int
cmd_check(int argc, char **argv, struct ctx *ctx)
{
	struct probes p = { 0 };
	int fmt = OUT_TEXT, rc;

	if (cmd_outonly(ctx, argc, argv, &fmt, 0) != EXIT_OK)
		return EXIT_USAGE;
	CMD_PARSED(ctx);
	/* The text form is each probe's line, printed as the probe ends. */
	if (fmt != OUT_JSON) {
		p.stream = 1;
		printf("%-*s  %-6s  %s\n", NAME_WIDTH, "CHECK", "RESULT", "DETAIL");
		fflush(stdout);
	}
	check_gather(ctx, &p);
	rc = check_exit(&p);
	if (fmt == OUT_JSON)
		out_json(check_json(&p, rc));
	probes_free(&p);
	return rc;
}
