/*
 * cmd: the subcommand table (git's cmd_struct) and what commands share.
 * main.c parses the global options, finds the command, and does the
 * shared setup its flags ask for -- configuration, database, config-table
 * overrides, state file, run lock -- once, before calling it with the
 * command in ctx->cmd.  Each command lives in cmd_<name>.c; the helpers
 * below (usage errors, options, the Alertmanager client) in cmd.c.
 */
#ifndef ZMCSYNC_CMD_H
#define ZMCSYNC_CMD_H

#include <getopt.h>
#include <stdio.h>

struct cmd;
struct config_raw;
struct config;
struct db;
struct state;

/* Exit statuses (SPEC 4, man page EXIT STATUS). */
enum {
	EXIT_OK = 0,		/* success, nothing to do, or disabled */
	EXIT_PARTIAL = 1,	/* some operations failed; retried next run */
	EXIT_USAGE = 2,
	EXIT_CONFIG = 3,
	EXIT_DB = 4,
	EXIT_NOAM = 5,		/* no Alertmanager reachable */
	EXIT_LOCKED = 6		/* another run holds the lock */
};

/* Setup a command asks the dispatcher for. */
#define CMD_DB		0x01	/* connect to the ZMC database */
#define CMD_TABLECFG	0x02	/* apply NM_ALARM_SYNC_CONFIG rows (needs CMD_DB) */
#define CMD_STATE	0x04	/* open the local state file (failure tolerated) */
#define CMD_LOCK	0x08	/* take the run lock (exit 6 when held) */
#define CMD_NOCONFIG	0x10	/* runs without a configuration (version, help) */
#define CMD_DBSOFT	0x20	/* with CMD_DB: a connection failure is not fatal (ctx->db NULL) */
#define CMD_BRIEF	0x40	/* with CMD_DB: an interactive look, lock waits bounded by CMD_LOCK_WAIT_MS */
/* How long check and status wait for another session's lock, per statement. */
#define CMD_LOCK_WAIT_MS	1500

/* What the dispatcher hands every command. */
struct ctx {
	const struct cmd	*cmd;		/* the command being run (its name, usage) */
	struct config_raw	*raw;		/* loader state: texts per source (config show/set) */
	const struct config	*conf;		/* values in force */
	struct db		*db;		/* NULL unless CMD_DB */
	char			*db_err;	/* CMD_DBSOFT: why db is NULL */
	struct state		*st;		/* NULL unless CMD_STATE and it opened */
	char			*st_err;	/* why st is NULL */
	int			 lockfd;	/* -1 unless CMD_LOCK */
	int			 verbose;	/* -v count, -1 for -q */
	int			 parse_only;	/* 1: only check the arguments (see below) */
};

/*
 * Every command is called twice: first with ctx->parse_only set and
 * nothing else in ctx but ctx->cmd (no configuration, no database), so
 * a usage error exits 2 before anything is touched; the command parses
 * and checks its arguments, then returns EXIT_OK (CMD_PARSED) without
 * printing anything.  The second call, after the setup its flags ask
 * for, does the work.
 */
#define CMD_PARSED(ctx)	do { if ((ctx)->parse_only) return EXIT_OK; } while (0)

/* Output formats of -o (--json is -o json). */
enum { OUT_TEXT = 0, OUT_JSON = 1, OUT_WIDE = 2 };
/* The output options every listing takes, for its getopt_long table. */
#define CMD_OUTPUT_LONGOPTS \
	{ "json", no_argument, NULL, 'j' }, \
	{ "output", required_argument, NULL, 'o' }, \
	{ "wide", no_argument, NULL, 'w' }
/* Their short letters, for the optstring. */
#define CMD_OUTPUT_SHORT	"jo:w"

struct cmd {
	const char	*name;
	int		(*fn)(int argc, char **argv, struct ctx *);
	int		 flags;		/* CMD_* setup */
	const char	*usage;		/* "run [--dry-run] [--timeout SEC]" */
	const char	*summary;	/* one line for help */
	const char	*options;	/* "  -x, --long ARG  what it does\n" lines, or NULL */
};

/*
 * The usage errors name ctx->cmd; each returns EXIT_USAGE, so a command
 * writes "return cmd_badarg(ctx, ...)".
 */
/* Prints "usage: zmcsync CMD-USAGE" to stderr. */
int	 cmd_usage(const struct ctx *);
/* Prints "zmcsync CMD: reason" and the usage to stderr. */
int	 cmd_badarg(const struct ctx *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* "unexpected argument X" when argv[first] exists; EXIT_OK otherwise. */
int	 cmd_noargs(const struct ctx *, int argc, char **argv, int first);

/* A getopt_long table of the output options only. */
extern const struct option cmd_outopts[];
/*
 * getopt_long over the command's options that handles the output ones
 * (-o json|wide|text, --json, --wide: into *fmt, -o wide also through
 * out_set_wide) when fmt is not NULL.  Returns the next other option's
 * character, -1 after the last option, or 0 after printing a usage
 * error (an unknown option, a bad -o): the caller returns EXIT_USAGE.
 */
int	 cmd_opt(const struct ctx *, int argc, char **argv, const char *optstring,
	    const struct option *longopts, int *fmt);
/*
 * The options of a command that takes only the output ones, and with
 * operands 0 no operand either (with 1 the caller checks argv[optind]
 * on).  EXIT_OK, or EXIT_USAGE after the usage error.
 */
int	 cmd_outonly(const struct ctx *, int argc, char **argv, int *fmt, int operands);
/* --limit N and --offset N of a listing: at most limit rows after offset. */
struct cmd_page {
	long long	 limit;		/* default 100 */
	long long	 offset;
};
#define CMD_PAGE_INIT		{ 100, 0 }
#define CMD_PAGE_LONGOPTS \
	{ "limit", required_argument, NULL, 'l' }, \
	{ "offset", required_argument, NULL, 'O' }
/*
 * Takes the value of --limit (ch 'l') or --offset ('O'): 0, or -1
 * after the usage error.
 */
int	 cmd_pageopt(const struct ctx *, int ch, const char *arg, struct cmd_page *);

/*
 * Parses the value arg of numeric option opt in [min,max] into *out.
 * 0 ok; -1 after printing "zmcsync CMD: OPT ARG: not a number between MIN
 * and MAX" and the usage (the caller returns EXIT_USAGE).
 */
int	 cmd_number(const struct ctx *, const char *opt, const char *arg,
	    long long min, long long max, long long *out);

struct am;
/*
 * How long an interactive command (check, trace, silences, am-status)
 * waits for one Alertmanager request, and for all of them: it never
 * retries (retries are for the cron job, whose next run is a minute
 * away; a person waits at the screen).
 */
#define CMD_AM_TIMEOUT	5
#define CMD_AM_DEADLINE	20
/*
 * Alertmanager client for an interactive command: the configuration in
 * force with alertmanager.retry_count 0, the request timeout bounded by
 * CMD_AM_TIMEOUT and no request started after CMD_AM_DEADLINE seconds.
 * NULL + *err as am_new.
 */
struct am	*cmd_am(const struct ctx *, char **err);

int	cmd_run(int, char **, struct ctx *);
int	cmd_trace(int, char **, struct ctx *);
int	cmd_check(int, char **, struct ctx *);
int	cmd_status(int, char **, struct ctx *);
int	cmd_alarms(int, char **, struct ctx *);
int	cmd_logs(int, char **, struct ctx *);
int	cmd_stats(int, char **, struct ctx *);
int	cmd_config(int, char **, struct ctx *);
int	cmd_cleanup(int, char **, struct ctx *);
int	cmd_silences(int, char **, struct ctx *);
int	cmd_am_status(int, char **, struct ctx *);
int	cmd_enable(int, char **, struct ctx *);
int	cmd_disable(int, char **, struct ctx *);
int	cmd_init_db(int, char **, struct ctx *);
int	cmd_version(int, char **, struct ctx *);
int	cmd_help(int, char **, struct ctx *);

#endif
