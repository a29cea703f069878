/*
 * zmcsync: syncs ZMC alarms into Prometheus Alertmanager.
 *
 * main.c is the dispatcher (git's cmd_struct): it parses the global
 * options, finds the command in the table, does the shared setup the
 * command's flags ask for exactly once, calls it, and turns its result
 * into the exit status after checking that stdout was really written.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "state.h"
#include "syncconf.h"
#include "synclog.h"
#include "util.h"

/* Option lines of help COMMAND and COMMAND --help. */
#define O_OUT \
	"  -o, --output FORMAT  json (the reference guide's shapes), wide (no cell cut\n" \
	"                       on a narrow terminal) or text (the default)\n" \
	"  -j, --json           same as -o json\n" \
	"  -w, --wide           same as -o wide\n"
#define O_JSON \
	"  -o, --output FORMAT  json or text (the default)\n" \
	"  -j, --json           same as -o json\n"

static const struct cmd cmds[] = {
	{ "run", cmd_run, CMD_DB | CMD_DBSOFT | CMD_TABLECFG | CMD_STATE | CMD_LOCK,
	    "run [--dry-run [-o json] [--json]] [--timeout SEC]", "one sync cycle (the cron job)",
	    "  -n, --dry-run        read and decide, print each action that would be done\n"
	    "                       and a summary per action; change nothing\n"
	    "  -t, --timeout SEC    stop starting work after SEC seconds (the run is partial)\n"
	    "  -o, --output FORMAT  with --dry-run: json (the plan as one object) or text\n"
	    "  -j, --json           same as -o json\n" },
	{ "trace", cmd_trace, CMD_DB | CMD_DBSOFT | CMD_TABLECFG | CMD_BRIEF,
	    "trace ALARM_ID [-o json|wide] [--json]",
	    "why an alarm is or is not in Alertmanager",
	    O_OUT },
	{ "check", cmd_check, CMD_DB | CMD_DBSOFT | CMD_TABLECFG | CMD_STATE | CMD_BRIEF,
	    "check [-o json] [--json]", "probe the database, the sync tables and each Alertmanager",
	    O_JSON },
	{ "status", cmd_status, CMD_DB | CMD_DBSOFT | CMD_TABLECFG | CMD_STATE | CMD_BRIEF,
	    "status [--runs N] [-o json|wide] [--json]", "settings in force, lock holder, the last runs",
	    "  -r, --runs N         show the last N runs (default 10, 0 none)\n" O_OUT },
	{ "alarms", cmd_alarms, CMD_DB | CMD_TABLECFG,
	    "alarms [--status S] [--limit N] [--offset N] [-o json|wide] [--json]", "synced alarms",
	    "  -s, --status S       only PENDING, FIRING, RESOLVED or SILENCED rows\n"
	    "  -l, --limit N        at most N rows (default 100)\n"
	    "      --offset N       skip the first N rows\n" O_OUT },
	{ "logs", cmd_logs, CMD_DB | CMD_TABLECFG,
	    "logs [--operation OP] [--alarm-id ID] [--event-id ID] [--errors] [--since WHEN] "
	    "[--until WHEN] [--limit N] [--offset N] [-o json|wide] [--json]",
	    "the sync log",
	    "      --operation OP   only rows of operation OP (e.g. PUSH_FIRING)\n"
	    "  -a, --alarm-id ID    only rows of alarm ID\n"
	    "  -e, --event-id ID    only rows of event ID\n"
	    "  -E, --errors         only rows with an error\n"
	    "      --since WHEN     rows from WHEN on: 30m, 2h, 1d ago, or RFC 3339\n"
	    "      --until WHEN     rows before WHEN, same forms\n"
	    "  -l, --limit N        at most N rows (default 100)\n"
	    "      --offset N       skip the first N rows\n" O_OUT },
	{ "stats", cmd_stats, CMD_DB | CMD_DBSOFT | CMD_TABLECFG | CMD_STATE,
	    "stats [-o json] [--json]", "counts of synced alarms by status, errors, last 24h operations",
	    O_JSON },
	{ "config", cmd_config, CMD_DB | CMD_DBSOFT,
	    "config list [--group G] [--json] | get G.KEY [--json] | set G.KEY VALUE [--json] | unset G.KEY | show [--json]",
	    "the NM_ALARM_SYNC_CONFIG table and the effective configuration",
	    "  -g, --group G        list: only group G\n" O_OUT },
	{ "cleanup", cmd_cleanup, CMD_DB | CMD_TABLECFG | CMD_LOCK,
	    "cleanup [--days N] [--dry-run] [-o json] [--json]",
	    "delete old log rows and RESOLVED status rows",
	    "  -d, --days N         older than N days (default log.retention_days)\n"
	    "  -n, --dry-run        count only, delete nothing\n" O_JSON },
	{ "silences", cmd_silences, CMD_DB | CMD_DBSOFT | CMD_TABLECFG,
	    "silences [--all] [-o json|wide] [--json]", "silences created by zmcsync, from Alertmanager",
	    "      --all            expired silences too\n" O_OUT },
	{ "am-status", cmd_am_status, CMD_DB | CMD_DBSOFT | CMD_TABLECFG,
	    "am-status [-o json|wide] [--json]",
	    "version, cluster status, alert and silence counts of each Alertmanager",
	    O_OUT },
	{ "enable", cmd_enable, CMD_DB,
	    "enable", "set sync.enabled to true in the config table", NULL },
	{ "disable", cmd_disable, CMD_DB,
	    "disable", "set sync.enabled to false in the config table", NULL },
	{ "init-db", cmd_init_db, CMD_DB | CMD_DBSOFT,
	    "init-db [--print] [--demo] [--dialect D]",
	    "create the sync tables and the source view",
	    "  -p, --print          print the SQL script instead of running it\n"
	    "      --demo           also the reference ZMC tables with sample alarms\n"
	    "  -D, --dialect D      sqlite, postgresql or oracle (default: the database's)\n" },
	{ "version", cmd_version, CMD_NOCONFIG,
	    "version", "version and library versions", NULL },
	{ "help", cmd_help, CMD_NOCONFIG,
	    "help [COMMAND]", "this list, or one command's usage", NULL },
};

#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

/* The command named name, or NULL. */
static const struct cmd *
cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < NCMDS; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

/* Usage, summary and option lines of one command. */
static void
help_command(FILE *f, const struct cmd *c)
{
	fprintf(f, "usage: zmcsync [-c FILE] [-v | -q] %s\n\n%s\n", c->usage, c->summary);
	if (c->options != NULL)
		fprintf(f, "\noptions:\n%s", c->options);
	fprintf(f, "\nglobal options (before or after the command):\n"
	    "  -c, --config FILE    configuration file (default /etc/zmcsync/zmcsync.conf)\n"
	    "  -v, --verbose        info lines on stderr; -vv debug\n"
	    "  -q, --quiet          errors only on stderr\n");
}

static void
usage_global(FILE *f)
{
	size_t i;

	fprintf(f, "usage: zmcsync [-c FILE] [-v | -q] COMMAND [OPTIONS]\n\ncommands:\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "\nzmcsync help COMMAND shows a command's options; man zmcsync has the rest.\n");
}

int
cmd_help(int argc, char **argv, struct ctx *ctx)
{
	const struct cmd *c;

	if (argc > 2)
		return cmd_badarg(ctx, "too many arguments");
	if (argc == 2) {
		if ((c = cmd_find(argv[1])) == NULL)
			return cmd_badarg(ctx, "unknown command %s", argv[1]);
		help_command(stdout, c);
		return EXIT_OK;
	}
	usage_global(stdout);
	return EXIT_OK;
}

/* Levenshtein distance of two short words, for "did you mean". */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d[32][32];

	if (la > 30 || lb > 30)
		return 99;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			size_t c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < c)
				c = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < c)
				c = d[i][j - 1] + 1;
			d[i][j] = c;
		}
	return d[la][lb];
}

static int
unknown_command(const char *name)
{
	size_t i, best = 99, bi = 0, d;

	for (i = 0; i < NCMDS; i++) {
		d = distance(name, cmds[i].name);
		if (strncmp(name, cmds[i].name, strlen(name)) == 0 && name[0])
			d = 1;
		if (d < best) {
			best = d;
			bi = i;
		}
	}
	fprintf(stderr, "zmcsync: unknown command %s", name);
	if (best <= 2)
		fprintf(stderr, "; did you mean %s?", cmds[bi].name);
	fprintf(stderr, "\n");
	usage_global(stderr);
	return EXIT_USAGE;
}

/* 1 if argv (after the command) asks for help. */
static int
wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return 1;
	}
	return 0;
}

/*
 * Takes the global options out of the command's arguments (before "--"),
 * so "zmcsync alarms -c FILE -v" means what "zmcsync -c FILE -v alarms"
 * does: -c FILE, --config FILE, --config=FILE, -v, -vv, --verbose, -q,
 * --quiet.  No command has a short option of these letters.  Returns
 * EXIT_OK, or EXIT_USAGE when -c has no value.
 */
static int
global_after(int *argc, char **argv, const char **cfgpath, struct ctx *ctx)
{
	int i, j, take;

	for (i = 1; i < *argc; ) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0)
			break;
		take = 0;
		if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
			if (i + 1 >= *argc) {
				fprintf(stderr, "zmcsync %s: %s needs a FILE\n",
				    argv[0], a);
				return EXIT_USAGE;
			}
			*cfgpath = argv[i + 1];
			take = 2;
		} else if (strncmp(a, "--config=", 9) == 0) {
			*cfgpath = a + 9;
			take = 1;
		} else if (strcmp(a, "--verbose") == 0 ||
		    (a[0] == '-' && a[1] == 'v' && strspn(a + 1, "v") == strlen(a + 1))) {
			if (ctx->verbose >= 0)
				ctx->verbose += a[1] == '-' ? 1 : (int)strlen(a + 1);
			take = 1;
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			ctx->verbose = -1;
			take = 1;
		}
		if (take == 0) {
			i++;
			continue;
		}
		for (j = i; j + take <= *argc; j++)
			argv[j] = argv[j + take];
		*argc -= take;
	}
	return EXIT_OK;
}

/*
 * Records a run skipped because the lock is held, so status tells it
 * from a run that found nothing to do.  Failures only warn.
 */
static void
record_skipped(const struct cmd *c, const struct config *conf, long holder)
{
	struct run_record rec;
	struct state *st;
	char *err = NULL;

	if ((st = state_open(conf->state_dir, &err)) == NULL) {
		log_warn("%s", err);
		free(err);
		return;
	}
	memset(&rec, 0, sizeof(rec));
	rec.started = time(NULL);
	synclog_batch_id(rec.started, rec.batch_id);
	rec.exit_code = EXIT_LOCKED;
	rec.command = (char *)c->name;
	rec.result = "skipped";
	rec.error = xasprintf("another run (pid %ld) holds the lock", holder);
	(void)state_run_add(st, &rec);
	free(rec.error);
	state_close(st);
}

/*
 * The shared setup of SPEC 4 by the command's flags.  Returns EXIT_OK or
 * the exit status to stop with (the reason already printed).
 */
static int
setup(const struct cmd *c, struct ctx *ctx, const char *cfgpath)
{
	const struct config *conf;
	long holder = 0;
	char *err = NULL;
	int r;

	if ((ctx->raw = config_load(cfgpath, cfgpath != NULL)) == NULL)
		return EXIT_CONFIG;
	if ((conf = config_resolve(ctx->raw)) == NULL)
		return EXIT_CONFIG;
	ctx->conf = conf;
	log_open(conf->log_file, conf->log_format, log_level_parse(conf->log_level));

	/* The lock comes before the database, so overlapping cron runs never both connect. */
	if (c->flags & CMD_LOCK) {
		ctx->lockfd = state_lock(conf->state_dir, &holder, &err);
		if (ctx->lockfd == -2) {
			log_warn("%s: skipped, another run (pid %ld) holds %s/zmcsync.lock",
			    c->name, holder, conf->state_dir);
			if (c->flags & CMD_STATE)
				record_skipped(c, conf, holder);
			return EXIT_LOCKED;
		}
		if (ctx->lockfd < 0) {
			log_error("%s", err);
			free(err);
			return EXIT_CONFIG;
		}
	}
	if (c->flags & CMD_STATE) {
		if ((ctx->st = state_open(conf->state_dir, &ctx->st_err)) == NULL)
			log_warn("%s", ctx->st_err);
	}
	if (c->flags & CMD_DB) {
		/* A writer holding the database must not stall a quick look. */
		if ((ctx->db = db_open_wait(conf, (c->flags & CMD_BRIEF) ?
		    CMD_LOCK_WAIT_MS : 0, &err)) == NULL) {
			if (c->flags & CMD_DBSOFT) {
				ctx->db_err = err;
				return EXIT_OK;
			}
			log_error("%s", err);
			free(err);
			return EXIT_DB;
		}
	}
	if ((c->flags & CMD_TABLECFG) && ctx->db != NULL) {
		r = syncconf_load(ctx->db, ctx->raw);
		if (r == -2)
			return EXIT_CONFIG;
		if (r == -1 && db_busy(ctx->db))
			err = xasprintf("database: cannot read NM_ALARM_SYNC_CONFIG: "
			    "the database is locked or busy (another session "
			    "holds a lock; try again later): %s",
			    db_error(ctx->db));
		else if (r == -1)
			err = xasprintf("database: cannot read NM_ALARM_SYNC_CONFIG "
			    "(run zmcsync init-db?): %s", db_error(ctx->db));
		if (r == -1) {
			if (c->flags & CMD_DBSOFT) {
				/* The command reports it; keep the connection for probes. */
				ctx->db_err = err;
			} else {
				log_error("%s", err);
				free(err);
				return EXIT_DB;
			}
		}
		if ((conf = config_resolve(ctx->raw)) == NULL)
			return EXIT_CONFIG;
		ctx->conf = conf;
		log_open(conf->log_file, conf->log_format,
		    log_level_parse(conf->log_level));
	}
	return EXIT_OK;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctx ctx;
	const struct cmd *c;
	const char *cfgpath = NULL;
	int ch, rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.lockfd = -1;
	signal(SIGPIPE, SIG_IGN);

	/* "+" stops at the command: its options are its own. */
	while ((ch = getopt_long(argc, argv, "+c:vqh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			cfgpath = optarg;
			break;
		case 'v':
			if (ctx.verbose >= 0)
				ctx.verbose++;
			break;
		case 'q':
			ctx.verbose = -1;
			break;
		case 'h':
			usage_global(stdout);
			return EXIT_OK;
		case 'V':
			ctx.cmd = cmd_find("version");
			return cmd_version(1, argv, &ctx);
		default:
			usage_global(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage_global(stderr);
		return EXIT_USAGE;
	}
	if ((c = cmd_find(argv[0])) == NULL)
		return unknown_command(argv[0]);
	ctx.cmd = c;
	if (wants_help(argc, argv)) {
		help_command(stdout, c);
		return EXIT_OK;
	}
	if ((rc = global_after(&argc, argv, &cfgpath, &ctx)) != EXIT_OK)
		return rc;

	if (ctx.verbose < 0)
		log_set_stderr_level(LOGL_ERROR);
	else if (ctx.verbose == 1)
		log_set_stderr_level(LOGL_INFO);
	else if (ctx.verbose > 1)
		log_set_stderr_level(LOGL_DEBUG);

	rc = EXIT_OK;
	if (!(c->flags & CMD_NOCONFIG)) {
		/* Arguments first: a usage error touches neither config nor database. */
		ctx.parse_only = 1;
		optind = 0;
		rc = c->fn(argc, argv, &ctx);
		ctx.parse_only = 0;
		if (rc == EXIT_OK)
			rc = setup(c, &ctx, cfgpath);
	}
	if (rc == EXIT_OK) {
		optind = 0;	/* glibc: full reinitialisation for the command's getopt */
		rc = c->fn(argc, argv, &ctx);
	}

	if (ctx.db != NULL)
		db_close(ctx.db);
	if (ctx.st != NULL)
		state_close(ctx.st);
	if (ctx.lockfd >= 0)
		state_unlock(ctx.lockfd);
	free(ctx.db_err);
	free(ctx.st_err);
	if (ctx.raw != NULL)
		config_free(ctx.raw);

	/* A listing that did not reach its reader is a failure, not a success. */
	if (fflush(stdout) == EOF || ferror(stdout)) {
		if (errno != EPIPE)
			log_error("stdout: %s", strerror(errno));
		if (rc == EXIT_OK)
			rc = EXIT_PARTIAL;
	}
	log_close();
	return rc;
}
