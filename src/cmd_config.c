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

/* An upper-case copy of s (ASCII); caller frees. */
static char *
upper(const char *s)
{
	char *u = xstrdup(s), *p;

	for (p = u; *p; p++)
		*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
	return u;
}

/*
 * Splits "group.key" into the key table entry and upper-case table names
 * (allocated into g and k).  Returns EXIT_OK, or EXIT_USAGE after a message.
 */
static int
parse_key(const struct ctx *ctx, const char *dotted, const struct cfg_key **kp,
    char **g, char **k)
{
	const struct cfg_key *key;

	if ((key = config_key_find(dotted)) == NULL)
		return cmd_badarg(ctx, "%s: unknown key (config show lists them)", dotted);
	*kp = key;
	*g = upper(key->group);
	*k = upper(key->name);
	return EXIT_OK;
}

/*
 * The arguments of get (nargs 1: GROUP.KEY) and set (nargs 2: GROUP.KEY
 * VALUE), parsed as parse_key does.  EXIT_OK, or EXIT_USAGE after the
 * message.
 */
static int
key_args(const struct ctx *ctx, int argc, char **argv, int nargs, int *json,
    const struct cfg_key **kp, char **g, char **k)
{
	if (cmd_outonly(ctx, argc, argv, json, 1) != EXIT_OK)
		return EXIT_USAGE;
	if (argc - optind != nargs)
		return cmd_badarg(ctx, "%s: %s", nargs == 1 ? "get" : "set",
		    argc - optind > nargs ? "too many arguments" :
		    nargs == 1 ? "GROUP.KEY missing" : "GROUP.KEY VALUE missing");
	return parse_key(ctx, argv[optind], kp, g, k);
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

/* The table's rows as JSON objects; caller puts. */
static struct json_object *
list_json(const struct config_row *rows, size_t n)
{
	struct json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(arr, row_json(&rows[i]));
	return arr;
}

/* The table's rows as a table; empty_msg when there are none. */
static void
list_print(const struct config_row *rows, size_t n, const char *empty_msg)
{
	static const char *const head[] = { "GROUP", "KEY", "VALUE", "ACTIVE",
	    "UPDATED", "DESCRIPTION" };
	struct table *t;
	const char *cells[6];
	char tb[32];
	size_t i;

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
	table_print(t, stdout, empty_msg);
	table_free(t);
}

static int
config_list(int argc, char **argv, struct ctx *ctx)
{
	static const struct option opts[] = {
		{ "group", required_argument, NULL, 'g' },
		CMD_OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct config_row *rows = NULL;
	const char *group = NULL;
	size_t n = 0;
	int ch, json = 0;

	while ((ch = cmd_opt(ctx, argc, argv, "g:" CMD_OUTPUT_SHORT, opts, &json)) > 0)
		group = optarg;		/* -g, the only other option */
	if (ch == 0)
		return EXIT_USAGE;
	if (optind < argc)
		return cmd_badarg(ctx, "list: unexpected argument %s", argv[optind]);
	CMD_PARSED(ctx);
	if (need_db(ctx) != 0)
		return EXIT_DB;
	if (syncconf_list(ctx->db, group, &rows, &n) != 0) {
		log_error("%s", db_error(ctx->db));
		return EXIT_DB;
	}
	if (json == OUT_JSON)
		out_json(list_json(rows, n));
	else
		list_print(rows, n, group ? "no config rows in that group" :
		    "no config rows");
	syncconf_rows_free(rows, n);
	return EXIT_OK;
}

/*
 * The exit status of a read or removal of row g.k that returned r (1
 * done, 0 no such row, -1 database error), a failure logged.
 */
static int
row_status(struct ctx *ctx, int r, const char *g, const char *k)
{
	if (r < 0) {
		log_error("%s", db_error(ctx->db));
		return EXIT_DB;
	}
	if (r == 0) {
		log_error("config %s.%s: no row in NM_ALARM_SYNC_CONFIG", g, k);
		return EXIT_PARTIAL;
	}
	return EXIT_OK;
}

static int
config_get(int argc, char **argv, struct ctx *ctx)
{
	const struct cfg_key *key;
	struct config_row row;
	char *g = NULL, *k = NULL;
	int json = 0, r;

	if ((r = key_args(ctx, argc, argv, 1, &json, &key, &g, &k)) != EXIT_OK)
		return r;
	if (ctx->parse_only)
		r = EXIT_OK;
	else if (need_db(ctx) != 0)
		r = EXIT_DB;
	else if ((r = row_status(ctx, syncconf_get(ctx->db, g, k, &row),
	    g, k)) == EXIT_OK) {
		if (json == OUT_JSON)
			out_json(row_json(&row));
		else
			printf("%s\n", row.value ? shown_value(&row) : "");
		if (!row.active)
			log_warn("config %s.%s: the row is not active", g, k);
		syncconf_row_clear(&row);
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

	config_value(ctx->raw, key, 0, &src, &where);
	if (src > SRC_TABLE)
		log_warn("config %s.%s: %s overrides the table on this host", g, k, where);
}

static int
config_set(int argc, char **argv, struct ctx *ctx)
{
	static const char msg[] = "Configuration updated; the next run uses it.";
	const struct cfg_key *key;
	struct json_object *o;
	char *g = NULL, *k = NULL, *err;
	int json = 0, r = EXIT_OK;

	if ((r = key_args(ctx, argc, argv, 2, &json, &key, &g, &k)) != EXIT_OK)
		return r;
	if (strcmp(key->group, "database") == 0) {
		r = cmd_badarg(ctx, "set %s.%s: database settings come only from "
		    "the file or the environment", g, k);
		goto out;
	}
	if (!key->table_ok) {
		r = cmd_badarg(ctx, "set %s.%s: %s come only from the file "
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
	if (syncconf_load(ctx->db, ctx->raw) == -1)
		log_warn("%s", db_error(ctx->db));
	if (config_apply_table(ctx->raw, g, k, argv[optind + 1]) != 0 ||
	    config_resolve(ctx->raw) == NULL) {
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
	char *g = NULL, *k = NULL;
	int r;

	if (argc != 2)
		return cmd_badarg(ctx, "unset: %s", argc < 2 ? "GROUP.KEY missing" :
		    "too many arguments");
	if ((r = parse_key(ctx, argv[1], &key, &g, &k)) != EXIT_OK)
		return r;
	if (ctx->parse_only)
		r = EXIT_OK;
	else if (need_db(ctx) != 0)
		r = EXIT_DB;
	else if ((r = row_status(ctx, syncconf_unset(ctx->db, g, k),
	    g, k)) == EXIT_OK)
		printf("%s.%s removed\n", g, k);
	free(g);
	free(k);
	return r;
}

/* One key of config show: its value in force and where it comes from. */
struct shown_key {
	const struct cfg_key	*key;
	char			*dotted;	/* "group.key" */
	const char		*value;		/* secrets masked */
	enum cfg_source		 src;
	const char		*where;		/* "file:12", "env ZMCSYNC_...", ... */
};

/* Every key in force, in the key table's order; caller frees with shown_free. */
static struct shown_key *
show_gather(struct ctx *ctx, size_t *np)
{
	const struct cfg_key *keys;
	struct shown_key *v;
	size_t i;

	keys = config_keys(np);
	v = xcalloc(*np ? *np : 1, sizeof(*v));
	for (i = 0; i < *np; i++) {
		v[i].key = &keys[i];
		v[i].dotted = xasprintf("%s.%s", keys[i].group, keys[i].name);
		v[i].value = config_value(ctx->raw, &keys[i], 1, &v[i].src, &v[i].where);
	}
	return v;
}

static void
shown_free(struct shown_key *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].dotted);
	free(v);
}

static struct json_object *
show_json(const struct shown_key *v, size_t n)
{
	struct json_object *arr, *o;
	size_t i;

	arr = json_object_new_array();
	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "key", json_object_new_string(v[i].dotted));
		json_object_object_add(o, "value", json_object_new_string(v[i].value));
		json_object_object_add(o, "source",
		    json_object_new_string(source_names[v[i].src]));
		json_object_object_add(o, "where", out_json_str(v[i].where));
		json_object_object_add(o, "secret",
		    json_object_new_boolean(v[i].key->type == CFGT_SECRET));
		json_object_object_add(o, "description", out_json_str(v[i].key->help));
		json_object_array_add(arr, o);
	}
	return arr;
}

static void
show_print(const struct shown_key *v, size_t n)
{
	static const char *const head[] = { "KEY", "VALUE", "SOURCE" };
	struct table *t;
	const char *cells[3];
	size_t i;

	t = table_new(3, head);
	for (i = 0; i < n; i++) {
		cells[0] = v[i].dotted;
		cells[1] = *v[i].value ? v[i].value : "\"\"";
		cells[2] = v[i].where;
		table_add(t, cells);
	}
	table_print(t, stdout, "no configuration keys");
	table_free(t);
}

static int
config_show(int argc, char **argv, struct ctx *ctx)
{
	struct shown_key *v;
	size_t n;
	int json = 0, r;

	if (cmd_outonly(ctx, argc, argv, &json, 1) != EXIT_OK)
		return EXIT_USAGE;
	if (optind < argc)
		return cmd_badarg(ctx, "show: unexpected argument %s", argv[optind]);
	CMD_PARSED(ctx);
	/* The dispatcher does not apply the table for config: show does it here. */
	if (ctx->db == NULL)
		fprintf(stderr, "zmcsync config show: note: %s; values of "
		    "NM_ALARM_SYNC_CONFIG not included\n",
		    ctx->db_err ? ctx->db_err : "database: not connected");
	else if ((r = syncconf_load(ctx->db, ctx->raw)) == -2)
		return EXIT_CONFIG;
	else if (r == -1)
		fprintf(stderr, "zmcsync config show: note: cannot read "
		    "NM_ALARM_SYNC_CONFIG (%s); its values not included\n",
		    db_error(ctx->db));

	v = show_gather(ctx, &n);
	if (json == OUT_JSON)
		out_json(show_json(v, n));
	else
		show_print(v, n);
	shown_free(v, n);
	return EXIT_OK;
}

int
cmd_config(int argc, char **argv, struct ctx *ctx)
{
	const char *sub;

	if (argc < 2)
		return cmd_badarg(ctx, "list, get, set, unset or show expected");
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
	return cmd_badarg(ctx, "%s: unknown sub-command (list, get, set, unset, show)", sub);
}
