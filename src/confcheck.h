/*
 * confcheck: the checks of configuration values, one function per kind
 * of value (numbers, booleans, URLs, request headers, label and severity
 * names, the view name, time zones, character sets).  Pure: no I/O, no
 * state, no messages of their own; each says why a value is wrong.
 *
 * Unless said otherwise a check returns NULL when the value is good, else
 * an allocated reason without the key's name ("not a number between 1
 * and 10"); the caller frees it.  The key table in confkeys.c names the
 * check of each key.
 */
#ifndef ZMCSYNC_CONFCHECK_H
#define ZMCSYNC_CONFCHECK_H

#include <stddef.h>

/* One Alertmanager request header "Name: value" from alertmanager.headers. */
struct cfg_header {
	char	*name;
	char	*value;
};

/* Any value: valid UTF-8 on one line. */
char	*confcheck_text(const char *v);
/* Integer between min and max inclusive. */
char	*confcheck_int(const char *v, long long min, long long max);
/* The boolean forms true/false, yes/no, on/off, 1/0: returns 1, 0, or -1 if none. */
int	 confcheck_bool(const char *v);
/* One of the boolean forms. */
char	*confcheck_boolean(const char *v);
/* One of choices "a|b|c", any case. */
char	*confcheck_enum(const char *v, const char *choices);
/*
 * Comma list of ZMC levels 0-4, at least one; levels (may be NULL) gets
 * levels[L] = 1 for each level listed.
 */
char	*confcheck_levels(const char *v, int levels[5]);
/*
 * An http(s) URL: scheme, host (name, IPv4 or [IPv6]), optional port
 * 1-65535 and path; no credentials; no query or fragment when base.
 * NULL ok, else a static reason (not allocated).
 */
const char *confcheck_url(const char *u, int base);
/* Comma list of one or more Alertmanager base URLs. */
char	*confcheck_urls(const char *v);
/* Empty, or a URL (query and fragment allowed). */
char	*confcheck_url_opt(const char *v);
/*
 * Parses "Name: value; Name2: value2" into a new array *hp of *np
 * headers (confcheck_headers_free); hp NULL only checks.
 */
char	*confcheck_headers(const char *v, struct cfg_header **hp, size_t *np);
/* confcheck_headers(v, NULL, NULL): the form the key table calls. */
char	*confcheck_header_list(const char *v);
void	 confcheck_headers_free(struct cfg_header *, size_t);
/* 1 if a header of this name carries a credential (its value is a secret), else 0. */
int	 confcheck_header_secret(const char *name);
/* A severity word: [a-z_][a-z0-9_]*. */
char	*confcheck_severity(const char *v);
/* Comma list of severity words, possibly empty. */
char	*confcheck_severities(const char *v);
/* Comma list of one or more Prometheus label names. */
char	*confcheck_labels(const char *v);
/* A view name [schema.]name the SQL templates accept. */
char	*confcheck_view(const char *v);
/* Empty (the system zone) or an IANA time zone. */
char	*confcheck_timezone(const char *v);
/* Empty (UTF-8) or a character set iconv knows. */
char	*confcheck_charset(const char *v);
/* Anything but the empty string. */
char	*confcheck_nonempty(const char *v);

#endif
