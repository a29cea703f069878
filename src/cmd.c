/*
 * cmd: what every command shares once its arguments are in hand -- the
 * usage errors (which name the command the dispatcher put in the
 * context, so no command spells its own name), the output options and
 * the Alertmanager client of an interactive command.  It knows nothing
 * of the command table: main.c owns that.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "alertmanager.h"
#include "cmd.h"
#include "config.h"
#include "out.h"
#include "util.h"

int
cmd_usage(const struct ctx *ctx)
{
	if (ctx->cmd != NULL)
		fprintf(stderr, "usage: zmcsync [-c FILE] [-v | -q] %s\n",
		    ctx->cmd->usage);
	return EXIT_USAGE;
}

int
cmd_badarg(const struct ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "zmcsync %s: ", ctx->cmd != NULL ? ctx->cmd->name : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return cmd_usage(ctx);
}

/*
 * Parses the value of -o / --output ("json", "wide", "text") into *fmt
 * and, for wide, lets tables keep every column whole (out_set_wide).  0
 * ok; -1 after printing the reason and the usage.
 */
static int
output_parse(const struct ctx *ctx, const char *arg, int *fmt)
{
	if (strcmp(arg, "json") == 0)
		*fmt = OUT_JSON;
	else if (strcmp(arg, "wide") == 0)
		*fmt = OUT_WIDE;
	else if (strcmp(arg, "text") == 0)
		*fmt = OUT_TEXT;
	else {
		cmd_badarg(ctx, "-o %s: not one of json, wide, text", arg);
		return -1;
	}
	out_set_wide(*fmt == OUT_WIDE);
	return 0;
}

/* 1: ch was an output option (*fmt set), 0: not one, -1: usage error printed. */
static int
outopt(const struct ctx *ctx, int ch, const char *arg, int *fmt)
{
	switch (ch) {
	case 'j':
		*fmt = OUT_JSON;
		return 1;
	case 'w':
		*fmt = OUT_WIDE;
		out_set_wide(1);
		return 1;
	case 'o':
		return output_parse(ctx, arg, fmt) == 0 ? 1 : -1;
	default:
		return 0;
	}
}

const struct option cmd_outopts[] = {
	CMD_OUTPUT_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

int
cmd_opt(const struct ctx *ctx, int argc, char **argv, const char *optstring,
    const struct option *longopts, int *fmt)
{
	int ch;

	while ((ch = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		switch (fmt != NULL ? outopt(ctx, ch, optarg, fmt) : 0) {
		case 1:
			continue;
		case -1:
			return 0;
		}
		if (ch == '?' || ch == ':') {
			cmd_usage(ctx);
			return 0;
		}
		return ch;
	}
	return -1;
}

int
cmd_outonly(const struct ctx *ctx, int argc, char **argv, int *fmt, int operands)
{
	int ch;

	while ((ch = cmd_opt(ctx, argc, argv, CMD_OUTPUT_SHORT, cmd_outopts, fmt)) > 0)
		;
	if (ch == 0)
		return EXIT_USAGE;
	return operands ? EXIT_OK : cmd_noargs(ctx, argc, argv, optind);
}

int
cmd_noargs(const struct ctx *ctx, int argc, char **argv, int first)
{
	if (first < argc)
		return cmd_badarg(ctx, "unexpected argument %s", argv[first]);
	return EXIT_OK;
}

int
cmd_number(const struct ctx *ctx, const char *opt, const char *arg,
    long long min, long long max, long long *out)
{
	if (str_to_int(arg, min, max, out) == 0)
		return 0;
	cmd_badarg(ctx, "%s %s: not a number between %lld and %lld", opt, arg,
	    min, max);
	return -1;
}

int
cmd_pageopt(const struct ctx *ctx, int ch, const char *arg, struct cmd_page *p)
{
	if (ch == 'l')
		return cmd_number(ctx, "--limit", arg, 1, 100000, &p->limit);
	return cmd_number(ctx, "--offset", arg, 0, 1000000000, &p->offset);
}

struct am *
cmd_am(const struct ctx *ctx, char **err)
{
	struct config c = *ctx->conf;	/* shallow: am_new copies what it keeps */
	struct am *am;

	c.am_retry_count = 0;
	if (c.am_timeout <= 0 || c.am_timeout > CMD_AM_TIMEOUT)
		c.am_timeout = CMD_AM_TIMEOUT;
	if ((am = am_new(&c, err)) != NULL)
		am_set_deadline(am, time(NULL) + CMD_AM_DEADLINE);
	return am;
}
