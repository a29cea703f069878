/*
 * config: the effective configuration.  One naming rule everywhere:
 * INI "[sync] heartbeat_interval" = environment SYNC_HEARTBEAT_INTERVAL =
 * config-table row (CONFIG_GROUP 'SYNC', CONFIG_KEY 'HEARTBEAT_INTERVAL').
 * Precedence: default < file < table (not database.*) < environment.
 * Every key is described once, in the key table of confkeys.c: its type,
 * default, check and place in struct config.  That row drives loading,
 * validation, resolving, freeing, "config show", "config set" and the man
 * page test; only the rules that tie keys together are written out by
 * hand (cross_rules in config.c).
 *
 * Two structures, never to be confused: struct config_raw is the loader
 * state (every value as text, per source), named "raw" where it is used;
 * struct config is the typed result, named "conf".
 */
#ifndef ZMCSYNC_CONFIG_H
#define ZMCSYNC_CONFIG_H

#include <stddef.h>

#include "confcheck.h"
#include "confkeys.h"
#include "conftypes.h"

/* Opaque loader state: values as text with their source, for show/set. */
struct config_raw;

/*
 * Loads defaults, then file (path; NULL = CONFIG_DEFAULT_FILE, which may be
 * missing only when not given explicitly), then the environment.  Unknown
 * keys are warned about with file:line.  Returns NULL on error after
 * printing "FILE:LINE: KEY: reason" (exit 3 territory).
 */
struct config_raw *config_load(const char *path, int path_explicit);
/*
 * Applies rows of NM_ALARM_SYNC_CONFIG (group, key, value), below the
 * environment; database.* rows are ignored with a warning.
 * Invalid values: error naming "table GROUP.KEY".  0 ok, -1 invalid.
 */
int	 config_apply_table(struct config_raw *, const char *group, const char *key,
	    const char *value);
/*
 * Validates everything and fills the typed struct (also reads *_file
 * secrets).  Call after every change.  NULL on error (message printed).
 * The returned pointer belongs to raw and changes on the next call.
 */
const struct config *config_resolve(struct config_raw *);
/* Checks value for the key exactly as the loader would; NULL ok, else an allocated reason. */
char	*config_check_value(const struct cfg_key *, const char *value);
/* Value in force as text (secrets masked as SECRET_MASK when mask) and its source, e.g. "file /etc/x.conf:12". */
const char *config_value(const struct config_raw *, const struct cfg_key *, int mask,
	    enum cfg_source *src, const char **where);
/* The file that was loaded, or NULL. */
const char *config_file(const struct config_raw *);
void	 config_free(struct config_raw *);

#endif
