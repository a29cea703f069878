/*
 * confkeys: the key table (confkeys.c): every configuration key once,
 * with its type, default, check and place in struct config; lookups, and
 * setting or freeing a field by its key's type.
 */
#ifndef ZMCSYNC_CONFKEYS_H
#define ZMCSYNC_CONFKEYS_H

#include "conftypes.h"

/* The key table and its length. */
const struct cfg_key	*config_keys(size_t *n);
/* Looks up "group.key" (case-insensitive); NULL if unknown. */
const struct cfg_key	*config_key_find(const char *dotted);
/* Looks up group and name (case-insensitive; NULL name: the group's first key); NULL if unknown. */
const struct cfg_key	*config_key_lookup(const char *group, const char *name);
/* The key whose field is at off in struct config (offsetof), or NULL. */
const struct cfg_key	*config_key_at(size_t off);
/* The key closest to an unknown group.name (a likely typo), or NULL if none is close. */
const struct cfg_key	*config_key_near(const char *group, const char *name);
/*
 * Sets the field of key k in conf from the text v, by the key's type
 * (checked text: only a header list can still fail).  NULL ok, else an
 * allocated reason.  config_fields_free frees every key's field and
 * zeroes conf.  For config_resolve.
 */
char	*config_field_set(struct config *conf, const struct cfg_key *k,
	    const char *v);
void	 config_fields_free(struct config *conf);

#endif
