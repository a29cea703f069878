/*
 * cmd_enable, cmd_disable: the guide's service control for a cron job.
 * They set SYNC.ENABLED in NM_ALARM_SYNC_CONFIG; a disabled run only
 * writes its metrics (zmc_sync_service_up 0) and exits 0.
 */
#include <stdio.h>
#include <time.h>

#include "cmd.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "syncconf.h"

/* Writes SYNC.ENABLED = value; warns when the file-independent sources above the table override it. */
static int
set_enabled(int argc, char **argv, struct ctx *ctx, const char *name, int on)
{
	const struct cfg_key *k;
	enum cfg_source src;
	const char *where = NULL;

	if (argc > 1)
		return cmd_badarg(ctx, "unexpected argument %s", argv[1]);
	CMD_PARSED(ctx);
	k = config_key_find("sync.enabled");
	if (syncconf_set(ctx->db, "SYNC", "ENABLED", on ? "true" : "false",
	    k ? k->help : NULL, time(NULL)) != 0) {
		log_error("%s", db_error(ctx->db));
		return EXIT_DB;
	}
	printf("sync %s (SYNC.ENABLED = %s in NM_ALARM_SYNC_CONFIG)\n",
	    on ? "enabled" : "disabled", on ? "true" : "false");
	if (k != NULL) {
		config_value(ctx->raw, k, 0, &src, &where);
		if (src > SRC_TABLE)
			log_warn("%s: %s overrides the table for this host",
			    name, where);
	}
	return EXIT_OK;
}

int
cmd_enable(int argc, char **argv, struct ctx *ctx)
{
	return set_enabled(argc, argv, ctx, "enable", 1);
}

int
cmd_disable(int argc, char **argv, struct ctx *ctx)
{
	return set_enabled(argc, argv, ctx, "disable", 0);
}
