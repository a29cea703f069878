/*
 * cmd_init_db: creates zmcsync's tables and the source view in the ZMC
 * database, or prints the script for a DBA (--print).  --demo also
 * creates the reference ZMC tables with sample alarms (sqlite and
 * postgresql only: a real ZMC is never touched by it).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "db.h"
#include "dialect.h"
#include "log.h"
#include "util.h"

/* The first line of a statement, for messages. */
static char *
first_line(const char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\n' || *s == '\t')
		s++;
	n = strcspn(s, "\n");
	if (n > 70)
		n = 70;
	return xstrndup(s, n);
}

int
cmd_init_db(int argc, char **argv, struct ctx *ctx)
{
	static const struct option opts[] = {
		{ "print", no_argument, NULL, 'p' },
		{ "demo", no_argument, NULL, 'd' },
		{ "dialect", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 }
	};
	char *script, **stmts, *line;
	size_t n, i;
	int ch, print = 0, demo = 0, d = -1, rc = EXIT_OK;

	while ((ch = cmd_opt(ctx, argc, argv, "pD:", opts, NULL)) > 0) {
		switch (ch) {
		case 'p':
			print = 1;
			break;
		case 'd':
			demo = 1;
			break;
		case 'D':
			if ((d = dialect_parse(optarg)) < 0)
				return cmd_badarg(ctx, "--dialect: %s: not one of "
				    "sqlite, postgresql, oracle", optarg);
			break;
		}
	}
	if (ch == 0 || cmd_noargs(ctx, argc, argv, optind) != EXIT_OK)
		return EXIT_USAGE;
	CMD_PARSED(ctx);

	/* The dialect: flag, else configured, else what the database says it is. */
	if (d < 0 && strcmp(ctx->conf->db_dialect, "auto") != 0)
		d = dialect_parse(ctx->conf->db_dialect);
	if (d < 0 && ctx->db != NULL)
		d = db_dialect(ctx->db);
	if (d < 0) {
		log_error("%s", ctx->db_err ? ctx->db_err :
		    "init-db: no database connection and no dialect given (--dialect)");
		return ctx->db_err ? EXIT_DB : EXIT_USAGE;
	}
	if (demo && d == DIALECT_ORACLE) {
		log_error("init-db: --demo creates sample ZMC tables and is refused on oracle, "
		    "where the real ZMC lives");
		return EXIT_USAGE;
	}
	if ((script = dialect_init_script((enum dialect)d, demo)) == NULL)
		return EXIT_CONFIG;
	if (print) {
		fputs(script, stdout);
		free(script);
		return EXIT_OK;
	}
	if (ctx->db == NULL) {
		log_error("%s", ctx->db_err ? ctx->db_err : "database: not connected");
		free(script);
		return EXIT_DB;
	}
	if (d != (int)db_dialect(ctx->db))
		log_warn("init-db: database reports %s but dialect %s was requested",
		    dialect_name(db_dialect(ctx->db)), dialect_name((enum dialect)d));
	stmts = dialect_split_script((enum dialect)d, script, &n);
	for (i = 0; i < n; i++) {
		if (db_exec(ctx->db, stmts[i]) != 0) {
			line = first_line(stmts[i]);
			log_error("init-db: statement %zu (%s): %s", i + 1, line, db_error(ctx->db));
			free(line);
			rc = EXIT_DB;
			break;
		}
	}
	if (rc == EXIT_OK)
		log_info("init-db: %zu statements applied (%s%s)", n,
		    dialect_name((enum dialect)d), demo ? ", with demo data" : "");
	strv_free(stmts, n);
	free(script);
	return rc;
}
