/*
 * confcheck: the checks of configuration values (see confcheck.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "confcheck.h"
#include "dialect.h"
#include "text.h"
#include "util.h"

char *
confcheck_text(const char *v)
{
	if (v == NULL)
		return xstrdup("no value");
	if (!text_utf8_valid(v, strlen(v)))
		return xstrdup("not valid UTF-8");
	if (strpbrk(v, "\r\n") != NULL)
		return xstrdup("contains a line break");
	return NULL;
}

char *
confcheck_int(const char *v, long long min, long long max)
{
	long long	 x;

	if (str_to_int(v, min, max, &x) == -1)
		return xasprintf("not a number between %lld and %lld", min,
		    max);
	return NULL;
}

int
confcheck_bool(const char *v)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	size_t	 i;

	for (i = 0; i < 4; i++) {
		if (str_eq_ci(v, yes[i]))
			return 1;
		if (str_eq_ci(v, no[i]))
			return 0;
	}
	return -1;
}

char *
confcheck_boolean(const char *v)
{
	if (confcheck_bool(v) == -1)
		return xstrdup("not a boolean (true/false, yes/no, on/off, "
		    "1/0)");
	return NULL;
}

char *
confcheck_enum(const char *v, const char *choices)
{
	const char	*c, *e;
	size_t		 len = strlen(v);

	for (c = choices; c != NULL && *c != '\0'; c = *e == '|' ? e + 1 : e) {
		e = c + strcspn(c, "|");
		if ((size_t)(e - c) == len && strncasecmp(c, v, len) == 0)
			return NULL;
	}
	return xasprintf("not one of %s", choices);
}

char *
confcheck_levels(const char *v, int levels[5])
{
	long long	 x;
	char		**l, *err = NULL;
	size_t		 n, i;

	l = str_split_list(v, &n);
	if (n == 0)
		err = xstrdup("at least one level (0-4) is needed");
	for (i = 0; i < n && err == NULL; i++) {
		if (str_to_int(l[i], 0, 4, &x) == -1)
			err = xasprintf("level %s is not between 0 and 4", l[i]);
		else if (levels != NULL)
			levels[x] = 1;
	}
	strv_free(l, n);
	return err;
}

/* Prometheus label name. */
static int
label_name_ok(const char *s)
{
	if (!(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	for (s++; *s != '\0'; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return 0;
	return 1;
}

/* A severity word: [a-z_][a-z0-9_]*. */
static int
severity_ok(const char *s)
{
	if (!(islower((unsigned char)*s) || *s == '_'))
		return 0;
	for (s++; *s != '\0'; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) ||
		    *s == '_'))
			return 0;
	return 1;
}

/* HTTP header field name (RFC 9110 token). */
static int
header_name_ok(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) ||
		    strchr("!#$%&'*+-.^_`|~", s[i]) != NULL) || s[i] == '\0')
			return 0;
	return 1;
}

const char *
confcheck_url(const char *u, int base)
{
	const char	*h, *e, *p;
	long long	 port;
	char		*ps;
	int		 bad;

	if (strncasecmp(u, "http://", 7) == 0)
		h = u + 7;
	else if (strncasecmp(u, "https://", 8) == 0)
		h = u + 8;
	else
		return "must start with http:// or https://";
	e = h + strcspn(h, "/?#");
	if (memchr(h, '@', (size_t)(e - h)) != NULL)
		return "credentials in the URL are not allowed, use "
		    "alertmanager.username and password";
	if (*h == '[') {
		if ((p = memchr(h, ']', (size_t)(e - h))) == NULL || p == h + 1)
			return "bad IPv6 address";
		p++;
	} else {
		for (p = h; p < e && *p != ':'; p++)
			if (!(isalnum((unsigned char)*p) || *p == '-' ||
			    *p == '.' || *p == '_'))
				return "bad host name";
		if (p == h)
			return "no host";
	}
	if (p < e) {
		if (*p != ':')
			return "bad host";
		ps = xstrndup(p + 1, (size_t)(e - p - 1));
		bad = str_to_int(ps, 1, 65535, &port) == -1 ||
		    !isdigit((unsigned char)*ps);
		free(ps);
		if (bad)
			return "bad port";
	}
	if (base && strpbrk(e, "?#") != NULL)
		return "a query or fragment is not allowed";
	for (p = u; *p != '\0'; p++)
		if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
			return "contains blanks";
	return NULL;
}

char *
confcheck_urls(const char *v)
{
	const char	*r;
	char		**l, *err = NULL;
	size_t		 n, i;

	l = str_split_list(v, &n);
	if (n == 0)
		err = xstrdup("at least one URL is needed");
	for (i = 0; i < n && err == NULL; i++)
		if ((r = confcheck_url(l[i], 1)) != NULL)
			err = n > 1 ? xasprintf("URL %zu: %s", i + 1, r) :
			    xstrdup(r);
	strv_free(l, n);
	return err;
}

char *
confcheck_url_opt(const char *v)
{
	const char	*r;

	if (*v == '\0' || (r = confcheck_url(v, 0)) == NULL)
		return NULL;
	return xstrdup(r);
}

char *
confcheck_headers(const char *s, struct cfg_header **hp, size_t *np)
{
	struct cfg_header	*h = NULL;
	size_t			 n = 0, cap = 0;
	const char		*p, *end, *colon, *vs, *ve, *ne;
	char			*err = NULL;

	for (p = s; *p != '\0'; p = *end == ';' ? end + 1 : end) {
		end = p + strcspn(p, ";");
		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p == end)
			continue;
		if ((colon = memchr(p, ':', (size_t)(end - p))) == NULL) {
			err = xasprintf("header %zu: expected \"Name: value\"",
			    n + 1);
			break;
		}
		ne = colon;
		while (ne > p && isspace((unsigned char)ne[-1]))
			ne--;
		if (!header_name_ok(p, (size_t)(ne - p))) {
			err = xasprintf("header %zu: bad header name", n + 1);
			break;
		}
		vs = colon + 1;
		ve = end;
		while (vs < ve && isspace((unsigned char)*vs))
			vs++;
		while (ve > vs && isspace((unsigned char)ve[-1]))
			ve--;
		if (hp != NULL) {
			h = xreallocarray_grow(h, &cap, n + 1, sizeof(*h));
			h[n].name = xstrndup(p, (size_t)(ne - p));
			h[n].value = xstrndup(vs, (size_t)(ve - vs));
		}
		n++;
	}
	if (hp == NULL || err != NULL) {
		confcheck_headers_free(h, hp != NULL ? n : 0);
		return err;
	}
	*hp = h;
	*np = n;
	return NULL;
}

char *
confcheck_header_list(const char *v)
{
	return confcheck_headers(v, NULL, NULL);
}

void
confcheck_headers_free(struct cfg_header *h, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(h[i].name);
		free(h[i].value);
	}
	free(h);
}

int
confcheck_header_secret(const char *name)
{
	static const char *const words[] = { "auth", "token", "key", "secret",
	    "passw", "cookie", "session", "credential", "signature" };
	char	*low, *p;
	size_t	 i;
	int	 hit = 0;

	low = xstrdup(name);
	for (p = low; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	for (i = 0; i < sizeof(words) / sizeof(words[0]) && !hit; i++)
		hit = strstr(low, words[i]) != NULL;
	free(low);
	return hit;
}

char *
confcheck_severity(const char *v)
{
	if (severity_ok(v))
		return NULL;
	return xstrdup("not a severity (lowercase letters, digits and _, "
	    "e.g. critical)");
}

/*
 * Each word of the comma list v passes ok, else "WORD is not a what";
 * with need, an empty list is refused with the reason need.
 */
static char *
check_words(const char *v, int (*ok)(const char *), const char *what,
    const char *need)
{
	char	**l, *err = NULL;
	size_t	 n, i;

	l = str_split_list(v, &n);
	if (n == 0 && need != NULL)
		err = xstrdup(need);
	for (i = 0; i < n && err == NULL; i++)
		if (!ok(l[i]))
			err = xasprintf("%s is not a %s", l[i], what);
	strv_free(l, n);
	return err;
}

char *
confcheck_severities(const char *v)
{
	return check_words(v, severity_ok, "severity", NULL);
}

char *
confcheck_labels(const char *v)
{
	return check_words(v, label_name_ok, "label name", "at least one "
	    "label is needed (an empty matcher list would silence "
	    "everything)");
}

char *
confcheck_view(const char *v)
{
	if (dialect_ident_valid(v))
		return NULL;
	return xstrdup("not a valid view name ([schema.]name of letters, "
	    "digits, _ $ #)");
}

char *
confcheck_timezone(const char *v)
{
	if (tz_valid(v))
		return NULL;
	return xasprintf("unknown time zone %s (use an IANA name such as "
	    "Asia/Shanghai)", v);
}

char *
confcheck_charset(const char *v)
{
	if (text_charset_valid(v))
		return NULL;
	return xasprintf("unknown character set %s", v);
}

char *
confcheck_nonempty(const char *v)
{
	return *v == '\0' ? xstrdup("must not be empty") : NULL;
}
