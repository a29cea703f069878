/*
 * cmd_config: the NM_ALARM_SYNC_CONFIG table (list, get, set, unset; the
 * guide's /api/v1/admin/config) and the effective configuration (show).
 *
 * Exit statuses beyond the common ones: an unknown key, or a key that
 * cannot live in the table (database.*, secrets), is a usage error (2);
 * an invalid value is a configuration error (3); get or unset of a key
 * without a row exits 1.  show works without a database: the table is
 * then simply not among the sources.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json.h>

#include "cmd.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "out.h"
#include "secret.h"
#include "syncconf.h"
#include "util.h"

static const char *const source_names[] = { "default", "file", "table", "env", "flag" };

/* Sub-command usage errors go through the one command name. */
static int
badarg(const char *fmt, const char *arg)
{
	return cmd_badarg("config", fmt, arg);
}

/*
 * Splits "group.key" into the key table entry and upper-case table names
 * (allocated into g and k).  Returns EXIT_OK, or EXIT_USAGE after a message.
 */
static int
parse_key(const char *dotted, const struct cfg_key **kp, char **g, char **k)
{
	const struct cfg_key *key;
	char *p;

	if ((key = config_key_find(dotted)) == NULL)
		return badarg("%s: unknown key (config show lists them)", dotted);
	*kp = key;
	*g = xstrdup(key->group);
	*k = xstrdup(key->name);
	for (p = *g; *p; p++)
		*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
	for (p = *k; *p; p++)
		*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
	return EXIT_OK;
}

/* A table row's value as shown: secrets masked even if someone put them in the table. */
static const char *
shown_value(const struct config_row *r)
{
	const struct cfg_key *k;
	char *dotted, *clean;
	int differs;

	if (r->value == NULL)
		return NULL;
	dotted = xasprintf("%s.%s", r->group ? r->group : "", r->key ? r->key : "");
	k = config_key_find(dotted);
	free(dotted);
	if (k != NULL && (k->type == CFGT_SECRET ||
	    (strcmp(k->group, "database") == 0 && strcmp(k->name, "connection") == 0)))
		return SECRET_MASK;
	/* A value holding a secret in force (a header credential): all of it. */
	clean = secret_redact(r->value);
	differs = strcmp(clean, r->value) != 0;
	free(clean);
	return differs ? SECRET_MASK : r->value;
}

/* The guide's admin/config object, then our extras. */
static struct json_object *
row_json(const struct config_row *r)
{
	struct json_object *o;

	o = json_object_new_object();
	json_object_object_add(o, "config_key", out_json_str(r->key));
	json_object_object_add(o, "config_value", out_json_str(shown_value(r)));
	json_object_object_add(o, "config_group", out_json_str(r->group));
	json_object_object_add(o, "description", out_json_str(r->description));
	json_object_object_add(o, "is_active", json_object_new_boolean(r->active));
	json_object_object_add(o, "update_time", out_json_time(r->update_time));
	return o;
}

/* Every command but show needs the table. */
static int
need_db(struct ctx *ctx)
{
	if (ctx->db != NULL)
		return 0;
	log_error("%s", ctx->db_err ? ctx->db_err : "database: not connected");
	return -1;
}

static int
config_list(int argc, char **argv, struct ctx *ctx)
{
	static const struct option opts[] = {
		{ "group", required_argument, NULL, 'g' },
		CMD_OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	static const char *const head[] = { "GROUP", "KEY", "VALUE", "ACTIVE",
	    "UPDATED", "DESCRIPTION" };
	struct config_row *rows = NULL;
	struct json_object *arr;
	struct table *t;
	const char *group = NULL, *cells[6];
	char tb[32];
	size_t n = 0, i;
	int ch, json = 0;

	while ((ch = getopt_long(argc, argv, "g:" CMD_OUTPUT_SHORT, opts, NULL)) != -1) {
		switch (cmd_outopt("config", ch, optarg, &json)) {
		case 1:
			continue;
		case -1:
			return EXIT_USAGE;
		}
		if (ch == 'g')
			group = optarg;
		else
			return cmd_usage(cmd_find("config"));
	}
	if (optind < argc)
		return badarg("list: unexpected argument %s", argv[optind]);
	CMD_PARSED(ctx);
	if (need_db(ctx) != 0)
		return EXIT_DB;
	if (syncconf_list(ctx->db, group, &rows, &n) != 0) {
		log_error("%s", db_error(ctx->db));
		return EXIT_DB;
	}
	if (json == OUT_JSON) {
		arr = json_object_new_array();
		for (i = 0; i < n; i++)
			json_object_array_add(arr, row_json(&rows[i]));
		out_json(arr);
	} else {
		t = table_new(6, head);
		for (i = 0; i < n; i++) {
			cells[0] = rows[i].group;
			cells[1] = rows[i].key;
			cells[2] = shown_value(&rows[i]);
			cells[3] = rows[i].active ? "yes" : "no";
			cells[4] = out_time(rows[i].update_time ? rows[i].update_time :
			    rows[i].create_time, tb);
			cells[5] = rows[i].description;
			table_add(t, cells);
		}
		table_print(t, stdout, group ? "no config rows in that group" :
		    "no config rows");
		table_free(t);
	}
	syncconf_rows_free(rows, n);
	return EXIT_OK;
}

static int
config_get(int argc, char **argv, struct ctx *ctx)
{
	static const struct option opts[] = {
		CMD_OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const struct cfg_key *key;
	struct config_row row;
	char *g, *k;
	int ch, json = 0, r;

	while ((ch = getopt_long(argc, argv, CMD_OUTPUT_SHORT, opts, NULL)) != -1) {
		if ((r = cmd_outopt("config", ch, optarg, &json)) == -1)
			return EXIT_USAGE;
		if (r == 0)
			return cmd_usage(cmd_find("config"));
	}
	if (argc - optind != 1)
		return badarg("get: %s", argc - optind < 1 ? "GROUP.KEY missing" :
		    "too many arguments");
	if ((r = parse_key(argv[optind], &key, &g, &k)) != EXIT_OK)
		return r;
	if (ctx->parse_only || need_db(ctx) != 0) {
		free(g);
		free(k);
		return ctx->parse_only ? EXIT_OK : EXIT_DB;
	}
	r = syncconf_get(ctx->db, g, k, &row);
	if (r < 0) {
		log_error("%s", db_error(ctx->db));
		r = EXIT_DB;
	} else if (r == 1) {
		log_error("config %s.%s: no row in NM_ALARM_SYNC_CONFIG", g, k);
		r = EXIT_PARTIAL;
	} else {
		if (json == OUT_JSON)
			out_json(row_json(&row));
		else
			printf("%s\n", row.value ? shown_value(&row) : "");
		if (!row.active)
			log_warn("config %s.%s: the row is not active", g, k);
		syncconf_row_clear(&row);
		r = EXIT_OK;
	}
	free(g);
	free(k);
	return r;
}

/* Says on stderr when a source above the table wins over it for this host. */
static void
note_override(struct ctx *ctx, const struct cfg_key *key, const char *g, const char *k)
{
	enum cfg_source src;
	const char *where = NULL;

	config_value(ctx->cfg, key, 0, &src, &where);
	if (src > SRC_TABLE)
		log_warn("config %s.%s: %s overrides the table on this host", g, k, where);
}

static int
config_set(int argc, char **argv, struct ctx *ctx)
{
	static const struct option opts[] = {
		CMD_OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	static const char msg[] = "Configuration updated; the next run uses it.";
	const struct cfg_key *key;
	struct json_object *o;
	char *g, *k, *err;
	int ch, json = 0, r = EXIT_OK;

	while ((ch = getopt_long(argc, argv, CMD_OUTPUT_SHORT, opts, NULL)) != -1) {
		if ((r = cmd_outopt("config", ch, optarg, &json)) == -1)
			return EXIT_USAGE;
		if (r == 0)
			return cmd_usage(cmd_find("config"));
	}
	if (argc - optind != 2)
		return badarg("set: %s", argc - optind < 2 ? "GROUP.KEY VALUE missing" :
		    "too many arguments");
	if ((r = parse_key(argv[optind], &key, &g, &k)) != EXIT_OK)
		return r;
	if (strcmp(key->group, "database") == 0) {
		r = cmd_badarg("config", "set %s.%s: database settings come only from "
		    "the file or the environment", g, k);
		goto out;
	}
	if (!key->table_ok) {
		r = cmd_badarg("config", "set %s.%s: %s come only from the file "
		    "or the environment", g, k, key->type == CFGT_SECRET ||
		    key->type == CFGT_PATH ? "secrets" : "per-host settings");
		goto out;
	}
	/* Oracle stores '' as NULL, and the loader ignores an empty row. */
	if (argv[optind + 1][0] == '\0') {
		log_error("config %s.%s: empty value (use config unset)", g, k);
		r = EXIT_CONFIG;
		goto out;
	}
	if ((err = config_check_value(key, argv[optind + 1])) != NULL) {
		log_error("config %s.%s: %s", g, k, err);
		free(err);
		r = EXIT_CONFIG;
		goto out;
	}
	if (ctx->parse_only)
		goto out;
	if (need_db(ctx) != 0) {
		r = EXIT_DB;
		goto out;
	}
	/*
	 * The value must also leave the whole configuration valid (e.g.
	 * heartbeat_interval below alert_ttl), or every run would stop with 3:
	 * try it on top of the rows already in the table.
	 */
	if (syncconf_load(ctx->db, ctx->cfg) == -1)
		log_warn("%s", db_error(ctx->db));
	if (config_apply_table(ctx->cfg, g, k, argv[optind + 1]) != 0 ||
	    config_resolve(ctx->cfg) == NULL) {
		log_error("config %s.%s: %s would leave the configuration invalid; "
		    "nothing written", g, k, argv[optind + 1]);
		r = EXIT_CONFIG;
		goto out;
	}
	if (syncconf_set(ctx->db, g, k, argv[optind + 1], key->help,
	    time(NULL)) != 0) {
		log_error("%s", db_error(ctx->db));
		r = EXIT_DB;
		goto out;
	}
	if (json == OUT_JSON) {
		o = json_object_new_object();
		json_object_object_add(o, "success", json_object_new_boolean(1));
		json_object_object_add(o, "config_key", json_object_new_string(k));
		json_object_object_add(o, "config_value",
		    json_object_new_string(argv[optind + 1]));
		json_object_object_add(o, "message", json_object_new_string(msg));
		json_object_object_add(o, "config_group", json_object_new_string(g));
		out_json(o);
	} else
		printf("%s.%s = %s\n", g, k, argv[optind + 1]);
	note_override(ctx, key, g, k);
out:
	free(g);
	free(k);
	return r;
}

static int
config_unset(int argc, char **argv, struct ctx *ctx)
{
	const struct cfg_key *key;
	char *g, *k;
	int r;

	if (argc != 2)
		return badarg("unset: %s", argc < 2 ? "GROUP.KEY missing" :
		    "too many arguments");
	if ((r = parse_key(argv[1], &key, &g, &k)) != EXIT_OK)
		return r;
	if (ctx->parse_only || need_db(ctx) != 0) {
		free(g);
		free(k);
		return ctx->parse_only ? EXIT_OK : EXIT_DB;
	}
	r = syncconf_unset(ctx->db, g, k);
	if (r < 0) {
		log_error("%s", db_error(ctx->db));
		r = EXIT_DB;
	} else if (r == 1) {
		log_error("config %s.%s: no row in NM_ALARM_SYNC_CONFIG", g, k);
		r = EXIT_PARTIAL;
	} else {
		printf("%s.%s removed\n", g, k);
		r = EXIT_OK;
	}
	free(g);
	free(k);
	return r;
}

static int
config_show(int argc, char **argv, struct ctx *ctx)
{
	static const struct option opts[] = {
		CMD_OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	static const char *const head[] = { "KEY", "VALUE", "SOURCE" };
	const struct cfg_key *keys;
	struct json_object *arr, *o;
	struct table *t;
	enum cfg_source src;
	const char *v, *where, *cells[3];
	char *dotted;
	size_t n, i;
	int ch, json = 0, r;

	while ((ch = getopt_long(argc, argv, CMD_OUTPUT_SHORT, opts, NULL)) != -1) {
		if ((r = cmd_outopt("config", ch, optarg, &json)) == -1)
			return EXIT_USAGE;
		if (r == 0)
			return cmd_usage(cmd_find("config"));
	}
	if (optind < argc)
		return badarg("show: unexpected argument %s", argv[optind]);
	CMD_PARSED(ctx);
	/* The dispatcher does not apply the table for config: show does it here. */
	if (ctx->db == NULL)
		fprintf(stderr, "zmcsync config show: note: %s; values of "
		    "NM_ALARM_SYNC_CONFIG not included\n",
		    ctx->db_err ? ctx->db_err : "database: not connected");
	else if ((r = syncconf_load(ctx->db, ctx->cfg)) == -2)
		return EXIT_CONFIG;
	else if (r == -1)
		fprintf(stderr, "zmcsync config show: note: cannot read "
		    "NM_ALARM_SYNC_CONFIG (%s); its values not included\n",
		    db_error(ctx->db));

	keys = config_keys(&n);
	if (json == OUT_JSON) {
		arr = json_object_new_array();
		for (i = 0; i < n; i++) {
			v = config_value(ctx->cfg, &keys[i], 1, &src, &where);
			o = json_object_new_object();
			dotted = xasprintf("%s.%s", keys[i].group, keys[i].name);
			json_object_object_add(o, "key", json_object_new_string(dotted));
			json_object_object_add(o, "value", json_object_new_string(v));
			json_object_object_add(o, "source",
			    json_object_new_string(source_names[src]));
			json_object_object_add(o, "where", out_json_str(where));
			json_object_object_add(o, "secret",
			    json_object_new_boolean(keys[i].type == CFGT_SECRET));
			json_object_object_add(o, "description", out_json_str(keys[i].help));
			json_object_array_add(arr, o);
			free(dotted);
		}
		out_json(arr);
	} else {
		t = table_new(3, head);
		for (i = 0; i < n; i++) {
			v = config_value(ctx->cfg, &keys[i], 1, &src, &where);
			dotted = xasprintf("%s.%s", keys[i].group, keys[i].name);
			cells[0] = dotted;
			cells[1] = *v ? v : "\"\"";
			cells[2] = where;
			table_add(t, cells);
			free(dotted);
		}
		table_print(t, stdout, "no configuration keys");
		table_free(t);
	}
	return EXIT_OK;
}

int
cmd_config(int argc, char **argv, struct ctx *ctx)
{
	const char *sub;

	if (argc < 2)
		return cmd_badarg("config", "list, get, set, unset or show expected");
	sub = argv[1];
	/* The sub-command's getopt starts at its own arguments. */
	argc--;
	argv++;
	optind = 0;
	if (strcmp(sub, "list") == 0)
		return config_list(argc, argv, ctx);
	if (strcmp(sub, "get") == 0)
		return config_get(argc, argv, ctx);
	if (strcmp(sub, "set") == 0)
		return config_set(argc, argv, ctx);
	if (strcmp(sub, "unset") == 0)
		return config_unset(argc, argv, ctx);
	if (strcmp(sub, "show") == 0)
		return config_show(argc, argv, ctx);
	return badarg("%s: unknown sub-command (list, get, set, unset, show)", sub);
}
