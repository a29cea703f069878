/*
 * config: the four sources and the typed result.
 *
 * Every value is kept as text per source (default, file, table, env);
 * the one in force is the highest source that has it.  Values are
 * checked when they arrive, so a message can name where they came from.
 * config_resolve turns the texts into struct config by the key table
 * (confkeys.c), then applies the rules that tie keys together, which are
 * the only per-key code here.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "confcheck.h"
#include "conffile.h"
#include "log.h"
#include "secret.h"
#include "util.h"

#define NSRC	(SRC_ENV + 1)

/* A value from one source. */
struct slot {
	char	*v;		/* the text; NULL: not set by this source */
	char	*where;		/* "file /x.conf:12", "env SYNC_X", ... */
	char	*prefix;	/* diagnostics: "config /x.conf:12: sync.x" */
};

struct config_raw {
	const struct cfg_key *keys;	/* the key table */
	size_t		 nkeys;
	char		*path;		/* file loaded, NULL if none */
	struct slot	(*s)[NSRC];	/* per key, per source */
	char		**masked;	/* per key: config_value(mask) result */
	struct config	 conf;		/* typed values of the last resolve */
	int		 conf_set;	/* conf holds allocations */
	char		**warned;	/* resolve warnings already shown */
	size_t		 warnedsz, warnedcap;
};

/* Index of k, which may point into the table or elsewhere; -1 if unknown. */
static int
kindex(const struct config_raw *raw, const struct cfg_key *k)
{
	if (k >= raw->keys && k < raw->keys + raw->nkeys)
		return (int)(k - raw->keys);
	if ((k = config_key_lookup(k->group, k->name)) == NULL)
		return -1;
	return (int)(k - raw->keys);
}

/* Index of the key whose field is at off in struct config, or -1. */
static int
at(const struct config_raw *raw, size_t off)
{
	const struct cfg_key	*k;

	return (k = config_key_at(off)) == NULL ? -1 : (int)(k - raw->keys);
}

/* The field at off in f. */
static void *
field(struct config *f, size_t off)
{
	return (char *)f + off;
}

/* "SYNC_BATCH_SIZE" for sync.batch_size; sep "." gives the table form. */
static char *
upper_name(const struct cfg_key *k, const char *sep)
{
	char	*s, *p;

	s = xasprintf("%s%s%s", k->group, sep, k->name);
	for (p = s; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	return s;
}

/* Value in force of key index i (-1: ""), and its source. */
static const char *
val(const struct config_raw *raw, int i, int *src)
{
	int	 s;

	if (src != NULL)
		*src = SRC_DEFAULT;
	if (i == -1)
		return "";
	for (s = SRC_ENV; s > SRC_DEFAULT; s--)
		if (raw->s[i][s].v != NULL) {
			if (src != NULL)
				*src = s;
			return raw->s[i][s].v;
		}
	return raw->keys[i].def;
}

/* Diagnostic prefix for the value in force of key i. */
static const char *
prefix(const struct config_raw *raw, int i)
{
	static char	 buf[128];
	int		 src;

	if (i == -1)
		return "config";
	val(raw, i, &src);
	if (src != SRC_DEFAULT)
		return raw->s[i][src].prefix;
	snprintf(buf, sizeof(buf), "config: %s.%s", raw->keys[i].group,
	    raw->keys[i].name);
	return buf;
}

static void
slot_set(struct config_raw *raw, int i, int src, const char *v, char *where,
    char *pfx)
{
	struct slot	*s = &raw->s[i][src];

	free(s->v);
	free(s->where);
	free(s->prefix);
	s->v = xstrdup(v);
	s->where = where;
	s->prefix = pfx;
}

char *
config_check_value(const struct cfg_key *k, const char *v)
{
	char	*err;

	if ((err = confcheck_text(v)) != NULL)
		return err;
	switch (k->type) {
	case CFGT_INT:
		/* An empty default means "derived from other keys". */
		if (*v == '\0' && *k->def == '\0')
			break;
		if ((err = confcheck_int(v, k->min, k->max)) != NULL)
			return err;
		break;
	case CFGT_BOOL:
		if ((err = confcheck_boolean(v)) != NULL)
			return err;
		break;
	case CFGT_ENUM:
		if ((err = confcheck_enum(v, k->choices)) != NULL)
			return err;
		break;
	case CFGT_LEVELS:
		if ((err = confcheck_levels(v, NULL)) != NULL)
			return err;
		break;
	default:
		break;
	}
	return k->check != NULL ? k->check(v) : NULL;
}

/*
 * Takes the file's values in: warns about unknown sections and keys
 * (with a suggestion), repeated keys and keys outside a section; checks
 * every value.  0 ok, -1 after printing every error.
 */
static int
load_file(struct config_raw *raw, const char *path, int explicit)
{
	struct conffile		*ini;
	struct conffile_line	*l;
	const struct cfg_key	*k;
	const char		*v;
	char			*sug, *err;
	size_t			 n, i, j;
	int			 errors = 0, secret_inline = 0, had, strict;

	if (conffile_read(path, explicit, &ini) == -1)
		return -1;
	if (ini == NULL)
		return 0;
	raw->path = xstrdup(path);
	l = ini->lines;
	n = ini->n;
	for (i = 0; i < n; i++) {
		if (l[i].key == NULL) {
			if (*l[i].section == '\0' ||
			    config_key_lookup(l[i].section, NULL) != NULL)
				continue;
			/* Unknown section: warn here only if it is empty. */
			if (i + 1 == n || l[i + 1].key == NULL)
				log_warn("config %s:%d: unknown section [%s]",
				    path, l[i].lineno, l[i].section);
			continue;
		}
		/* A later line with the same key wins, as in iniparser. */
		for (j = i + 1; j < n; j++)
			if (l[j].key != NULL &&
			    strcmp(l[j].section, l[i].section) == 0 &&
			    strcmp(l[j].key, l[i].key) == 0)
				break;
		if (j < n) {
			log_warn("config %s:%d: %s.%s is set again on line %d, "
			    "the later value wins", path, l[i].lineno,
			    l[i].section, l[i].key, l[j].lineno);
			continue;
		}
		if (*l[i].section == '\0') {
			log_warn("config %s:%d: %s outside any [section], "
			    "ignored", path, l[i].lineno, l[i].key);
			continue;
		}
		if ((k = config_key_lookup(l[i].section, l[i].key)) == NULL) {
			sug = NULL;
			if ((k = config_key_near(l[i].section,
			    l[i].key)) != NULL)
				sug = xasprintf(" (did you mean %s.%s?)",
				    k->group, k->name);
			log_warn("config %s:%d: unknown key %s.%s%s", path,
			    l[i].lineno, l[i].section, l[i].key,
			    sug != NULL ? sug : "");
			free(sug);
			continue;
		}
		v = conffile_value(ini, l[i].section, l[i].key);
		/* A connection string or header list is cut at its first ';'. */
		strict = k->off == offsetof(struct config, db_connection) ||
		    k->type == CFGT_HEADERS;
		if (conffile_cut(l[i].raw, strict)) {
			if (strict) {
				log_error("config %s:%d: %s.%s: ';' and '#' "
				    "start a comment, put the value in double "
				    "quotes", path, l[i].lineno, k->group,
				    k->name);
				errors++;
				continue;
			}
			log_warn("config %s:%d: %s.%s: value cut at ';' or '#' "
			    "(a comment); quote it if that was not meant",
			    path, l[i].lineno, k->group, k->name);
		}
		if ((err = config_check_value(k, v)) != NULL) {
			log_error("config %s:%d: %s.%s: %s", path, l[i].lineno,
			    k->group, k->name, err);
			free(err);
			errors++;
			continue;
		}
		if (k->type == CFGT_SECRET && *v != '\0')
			secret_inline = 1;
		if (k->off == offsetof(struct config, db_connection)) {
			free(secret_mask_connstr(v, &had));
			if (had)
				secret_inline = 1;
		}
		slot_set(raw, kindex(raw, k), SRC_FILE, v,
		    xasprintf("file %s:%d", path, l[i].lineno),
		    xasprintf("config %s:%d: %s.%s", path, l[i].lineno,
		    k->group, k->name));
	}
	if (secret_inline && ini->world_readable)
		log_warn("config %s: holds a password but is readable by "
		    "everyone (chmod o-r)", path);
	conffile_free(ini);
	return errors ? -1 : 0;
}

/*
 * The environment, for each key the first set (non-empty) of:
 * ZMCSYNC_ + the rule name (ZMCSYNC_SYNC_BATCH_SIZE), the rule name
 * (SYNC_BATCH_SIZE), and for some keys the reference guide's name
 * (ZMC_ORACLE_HOST).  Unprefixed names are common words (LOG_LEVEL) that
 * another program's environment may hold with its own meaning: an
 * invalid value there is ignored with a warning naming it, while an
 * invalid ZMCSYNC_ value stops with exit 3 like a bad file value.
 */
static int
load_env(struct config_raw *raw)
{
	const struct cfg_key *keys = raw->keys;
	const char	*v, *cand[3];
	char		*rule, *pref, *err;
	size_t		 i, k;
	int		 j, found, errors = 0;

	for (i = 0; i < raw->nkeys; i++) {
		rule = upper_name(&keys[i], "_");
		pref = xasprintf("ZMCSYNC_%s", rule);
		cand[0] = pref;
		cand[1] = rule;
		cand[2] = keys[i].env_alias;
		found = -1;
		for (j = 0; j < 3; j++) {
			if (cand[j] == NULL || (v = getenv(cand[j])) == NULL ||
			    *v == '\0')
				continue;
			if ((err = config_check_value(&keys[i], v)) == NULL) {
				found = j;
				break;
			}
			if (j == 0) {
				log_error("env %s: %s", cand[j], err);
				errors++;
				free(err);
				break;
			}
			log_warn("env %s: ignored, not a value for %s.%s (%s); "
			    "set %s for zmcsync", cand[j], keys[i].group,
			    keys[i].name, err, pref);
			free(err);
		}
		if (found >= 0) {
			for (k = (size_t)found + 1; k < 3; k++)
				if (cand[k] != NULL && getenv(cand[k]) != NULL &&
				    *getenv(cand[k]) != '\0')
					log_debug("env %s: ignored, %s is set too and wins",
					    cand[k], cand[found]);
			slot_set(raw, (int)i, SRC_ENV, getenv(cand[found]),
			    xasprintf("env %s", cand[found]),
			    xasprintf("env %s", cand[found]));
		}
		free(pref);
		free(rule);
	}
	return errors ? -1 : 0;
}

struct config_raw *
config_load(const char *path, int path_explicit)
{
	struct config_raw *raw;
	int		 rc;

	raw = xcalloc(1, sizeof(*raw));
	raw->keys = config_keys(&raw->nkeys);
	raw->s = xcalloc(raw->nkeys, sizeof(*raw->s));
	raw->masked = xcalloc(raw->nkeys, sizeof(*raw->masked));
	if (path == NULL) {
		path = CONFIG_DEFAULT_FILE;
		path_explicit = 0;
	}
	rc = load_file(raw, path, path_explicit);
	if (load_env(raw) == -1)
		rc = -1;
	if (rc == -1) {
		config_free(raw);
		return NULL;
	}
	return raw;
}

int
config_apply_table(struct config_raw *raw, const char *group, const char *key,
    const char *value)
{
	const struct cfg_key	*k;
	char			*tn, *err;

	if (group == NULL || key == NULL)
		return 0;
	if ((k = config_key_lookup(group, key)) == NULL) {
		log_warn("table %s.%s: unknown key, ignored", group, key);
		return 0;
	}
	tn = upper_name(k, ".");
	if (strcmp(k->group, "database") == 0) {
		log_warn("table %s: ignored, database settings come only from "
		    "the file or environment", tn);
		free(tn);
		return 0;
	}
	if (!k->table_ok) {
		log_warn("table %s: ignored, %s come only from the file "
		    "or environment", tn, k->type == CFGT_SECRET ||
		    k->type == CFGT_PATH ? "secrets" : "per-host settings");
		free(tn);
		return 0;
	}
	/* Oracle stores '' as NULL: an empty row says nothing. */
	if (value == NULL || *value == '\0') {
		free(tn);
		return 0;
	}
	if ((err = config_check_value(k, value)) != NULL) {
		log_error("table %s: %s", tn, err);
		free(err);
		free(tn);
		return -1;
	}
	slot_set(raw, kindex(raw, k), SRC_TABLE, value,
	    xasprintf("table %s", tn), xasprintf("table %s", tn));
	free(tn);
	return 0;
}

const char *
config_value(const struct config_raw *craw, const struct cfg_key *k,
    int mask, enum cfg_source *srcp, const char **where)
{
	struct config_raw *raw = (struct config_raw *)craw; /* the mask cache only */
	const char	*v;
	int		 i, src;

	i = kindex(raw, k);
	v = val(raw, i, &src);
	if (srcp != NULL)
		*srcp = (enum cfg_source)src;
	if (where != NULL)
		*where = i == -1 ? "unknown" : src == SRC_DEFAULT ? "default" :
		    raw->s[i][src].where;
	if (!mask || i == -1)
		return v;
	free(raw->masked[i]);
	raw->masked[i] = NULL;
	if (k->type == CFGT_SECRET)
		return *v == '\0' ? "" : SECRET_MASK;
	/*
	 * PWD= of database.connection, URL userinfo, a credential in
	 * alertmanager.headers: whatever secret_redact knows.
	 */
	raw->masked[i] = secret_redact(v);
	return raw->masked[i];
}

const char *
config_file(const struct config_raw *raw)
{
	return raw->path;
}

/* Shows a resolve-time warning once per raw (resolve runs repeatedly). */
static void
warn_once(struct config_raw *raw, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
warn_once(struct config_raw *raw, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;
	size_t	 i;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	msg = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
	for (i = 0; i < raw->warnedsz; i++)
		if (strcmp(raw->warned[i], msg) == 0) {
			free(msg);
			return;
		}
	log_warn("%s", msg);
	raw->warned = xreallocarray_grow(raw->warned, &raw->warnedcap,
	    raw->warnedsz + 1, sizeof(*raw->warned));
	raw->warned[raw->warnedsz++] = msg;
}

/*
 * Reads the secret file path of key i; messages name the key and the
 * file, never the content.  Allocated, or NULL after an error.
 */
static char *
read_secret(struct config_raw *raw, int i, const char *path)
{
	char	*s, *err;
	int	 world;

	if ((s = conffile_secret(path, &err, &world)) == NULL) {
		log_error("%s: %s: %s", prefix(raw, i), path, err);
		free(err);
		return NULL;
	}
	if (world)
		warn_once(raw, "%s: %s is readable by everyone (chmod o-r)",
		    prefix(raw, i), path);
	return s;
}

/*
 * Cross-key rule: a secret set inline or through a file (the fields at
 * offsets inl and fil): the higher source wins; both from the same
 * source is an error.  The inline field then holds the secret ("" after
 * an error).  0 ok, -1 error.
 */
static int
resolve_secret(struct config_raw *raw, struct config *conf, size_t inl,
    size_t fil)
{
	char		**out = field(conf, inl);
	const char	*path = *(char **)field(conf, fil);
	int		 i = at(raw, inl), f = at(raw, fil), si, sf;

	val(raw, i, &si);
	val(raw, f, &sf);
	if (*path != '\0' && (**out == '\0' || sf > si)) {
		free(*out);
		if ((*out = read_secret(raw, f, path)) == NULL) {
			*out = xstrdup("");
			return -1;
		}
		return 0;
	}
	if (*path != '\0' && **out != '\0' && sf == si) {
		log_error("%s: set only one of %s.%s and %s.%s", prefix(raw, f),
		    raw->keys[i].group, raw->keys[i].name, raw->keys[f].group,
		    raw->keys[f].name);
		free(*out);
		*out = xstrdup("");
		return -1;
	}
	return 0;
}

/*
 * Makes the secrets in force known to secret_redact (every log line and
 * every stored error goes through it), replacing those of the previous
 * resolve.
 */
static void
secrets_register(const struct config *conf)
{
	const char	*v;
	size_t		 i;

	secret_clear();
	secret_add(conf->db_password);
	secret_add_connstr(conf->db_connection);
	secret_add_basic(conf->am_username, conf->am_password);
	secret_add(conf->am_bearer_token);
	for (i = 0; i < conf->am_headersz; i++) {
		if (!confcheck_header_secret(conf->am_headers[i].name))
			continue;
		v = conf->am_headers[i].value;
		secret_add(v);
		/* "Basic xyz", "Bearer xyz": the credential alone, too */
		if ((v = strchr(v, ' ')) != NULL) {
			while (*v == ' ')
				v++;
			secret_add(v);
		}
	}
}

#define AT(field)	at(raw, offsetof(struct config, field))

/*
 * The rules that tie keys together, written out by hand: everything
 * else follows from the key table.  Returns the number of errors
 * (printed); warnings are shown once per raw.
 */
static int
cross_rules(struct config_raw *raw, struct config *f)
{
	char		 host[256];
	size_t		 i, j;
	int		 errors = 0;

	if (resolve_secret(raw, f, offsetof(struct config, db_password),
	    offsetof(struct config, db_password_file)) == -1)
		errors++;
	if (resolve_secret(raw, f, offsetof(struct config, am_password),
	    offsetof(struct config, am_password_file)) == -1)
		errors++;
	if (resolve_secret(raw, f, offsetof(struct config, am_bearer_token),
	    offsetof(struct config, am_bearer_token_file)) == -1)
		errors++;
	if (f->db_pool_min > f->db_pool_max) {
		log_error("%s: greater than database.pool_max",
		    prefix(raw, AT(db_pool_min)));
		errors++;
	}
	if (*f->am_bearer_token != '\0' && *f->am_username != '\0')
		warn_once(raw, "%s: both basic auth and a bearer token are "
		    "set, the bearer token is used",
		    prefix(raw, AT(am_username)));
	if (f->am_auth_enabled && *f->am_username == '\0' &&
	    *f->am_bearer_token == '\0')
		warn_once(raw, "%s: true, but neither alertmanager.username "
		    "nor a bearer token is set",
		    prefix(raw, AT(am_auth_enabled)));
	if (f->sync_alert_ttl <= f->sync_heartbeat_interval) {
		log_error("%s: %d must be greater than sync.heartbeat_interval "
		    "(%d), or alerts expire between heartbeats",
		    prefix(raw, AT(sync_alert_ttl)), f->sync_alert_ttl,
		    f->sync_heartbeat_interval);
		errors++;
	}
	/* Unset (0, below its minimum): twice the cron period. */
	if (f->sync_lease_seconds == 0)
		f->sync_lease_seconds = 2 * f->sync_scan_interval;
	if (f->sync_lease_seconds <= f->sync_scan_interval)
		warn_once(raw, "%s: %d is not more than sync.scan_interval "
		    "(%d): the lease may expire between two runs of its holder "
		    "and move to another host",
		    prefix(raw, AT(sync_lease_seconds)), f->sync_lease_seconds,
		    f->sync_scan_interval);
	for (i = 0; i < f->sync_severity_filtersz; i++) {
		for (j = 0; j < 5; j++)
			if (strcmp(f->sync_severity_filter[i],
			    f->severity[j]) == 0)
				break;
		if (j == 5)
			warn_once(raw, "%s: no ZMC level maps to severity %s "
			    "(see [severity])",
			    prefix(raw, AT(sync_severity_filter)),
			    f->sync_severity_filter[i]);
	}
	if (*f->sync_instance_id == '\0') {
		if (gethostname(host, sizeof(host)) != 0)
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		free(f->sync_instance_id);
		f->sync_instance_id = xasprintf("%s:%s", host, f->state_dir);
	}
	if (strlen(f->sync_instance_id) > 1000) {
		log_error("%s: longer than 1000 bytes (%s); set a shorter one",
		    prefix(raw, AT(sync_instance_id)), f->sync_instance_id);
		errors++;
	}
	return errors;
}

#undef AT

const struct config *
config_resolve(struct config_raw *raw)
{
	struct config	*f = &raw->conf;
	char		*err;
	size_t		 i;
	int		 errors = 0;

	if (raw->conf_set)
		config_fields_free(f);
	raw->conf_set = 1;
	for (i = 0; i < raw->nkeys; i++)
		if ((err = config_field_set(f, &raw->keys[i],
		    val(raw, (int)i, NULL))) != NULL) {
			log_error("%s: %s", prefix(raw, (int)i), err);
			free(err);
			errors++;
		}
	errors += cross_rules(raw, f);
	secrets_register(f);
	return errors ? NULL : f;
}

void
config_free(struct config_raw *raw)
{
	size_t	 i, s;

	if (raw == NULL)
		return;
	for (i = 0; i < raw->nkeys; i++) {
		for (s = 0; s < NSRC; s++) {
			free(raw->s[i][s].v);
			free(raw->s[i][s].where);
			free(raw->s[i][s].prefix);
		}
		free(raw->masked[i]);
	}
	if (raw->conf_set)
		config_fields_free(&raw->conf);
	free(raw->s);
	free(raw->masked);
	strv_free(raw->warned, raw->warnedsz);
	free(raw->path);
	free(raw);
}
