/*
 * secret: the registry of secrets in force and the one function that
 * removes them from text (see secret.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "secret.h"
#include "util.h"

static char	**reg;		/* registered strings, longest first */
static size_t	  regsz, regcap;

void
secret_clear(void)
{
	size_t	 i;

	for (i = 0; i < regsz; i++) {
		explicit_bzero(reg[i], strlen(reg[i]));
		free(reg[i]);
	}
	free(reg);
	reg = NULL;
	regsz = regcap = 0;
}

int
secret_count(void)
{
	return (int)regsz;
}

/*
 * Adds one string (taken over) unless short or already there.  Kept
 * longest first, so a secret holding another is masked whole.
 */
static void
reg_put(char *s)
{
	size_t	 i, n = strlen(s);

	if (n < SECRET_MIN) {
		explicit_bzero(s, n);
		free(s);
		return;
	}
	for (i = 0; i < regsz; i++)
		if (strcmp(reg[i], s) == 0) {
			explicit_bzero(s, n);
			free(s);
			return;
		}
	reg = xreallocarray_grow(reg, &regcap, regsz + 1, sizeof(*reg));
	for (i = regsz; i > 0 && strlen(reg[i - 1]) < n; i--)
		reg[i] = reg[i - 1];
	reg[i] = s;
	regsz++;
}

/* Standard base64 (RFC 4648, padded) of n bytes; allocated. */
static char *
base64(const unsigned char *p, size_t n)
{
	static const char	 tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char			*out, *o;
	size_t			 i;
	unsigned		 v;

	o = out = xmalloc((n + 2) / 3 * 4 + 1);
	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		*o++ = tab[v >> 18 & 63];
		*o++ = tab[v >> 12 & 63];
		*o++ = tab[v >> 6 & 63];
		*o++ = tab[v & 63];
	}
	if (i < n) {
		v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0);
		*o++ = tab[v >> 18 & 63];
		*o++ = tab[v >> 12 & 63];
		*o++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

/* s as a JSON string body (json-c escapes '/' as well when slash is set); allocated. */
static char *
json_form(const char *s, int slash)
{
	struct buf	 b = { 0 };
	const char	*p;

	for (p = s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			buf_printf(&b, "\\%c", *p);
		else if (*p == '/' && slash)
			buf_puts(&b, "\\/");
		else if ((unsigned char)*p < 0x20)
			buf_printf(&b, "\\u%04x", (unsigned)(unsigned char)*p);
		else
			buf_add(&b, p, 1);
	}
	return buf_release(&b);
}

/* s percent-encoded as in a URL's userinfo; allocated. */
static char *
pct_form(const char *s)
{
	struct buf	 b = { 0 };
	const char	*p;

	for (p = s; *p != '\0'; p++) {
		if (isalnum((unsigned char)*p) || strchr("-._~", *p) != NULL)
			buf_add(&b, p, 1);
		else
			buf_printf(&b, "%%%02X", (unsigned)(unsigned char)*p);
	}
	return buf_release(&b);
}

void
secret_add(const char *s)
{
	if (s == NULL || strlen(s) < SECRET_MIN)
		return;
	reg_put(xstrdup(s));
	reg_put(base64((const unsigned char *)s, strlen(s)));
	reg_put(json_form(s, 0));
	reg_put(json_form(s, 1));
	reg_put(pct_form(s));
}

void
secret_add_basic(const char *user, const char *password)
{
	char	*up;

	if (password == NULL || *password == '\0')
		return;
	secret_add(password);
	up = xasprintf("%s:%s", user != NULL ? user : "", password);
	reg_put(base64((const unsigned char *)up, strlen(up)));
	explicit_bzero(up, strlen(up));
	free(up);
}

/* 1 if c may be part of an attribute name (so "NEWPWD" is not "PWD"). */
static int
namechar(int c)
{
	return isalnum(c) || c == '_';
}

/*
 * At p: PWD / PASSWORD / UID, blanks, '='?  Returns the position after
 * the '=' and sets *uid for UID, or NULL.
 */
static const char *
attr_at(const char *p, int *uid)
{
	static const char *const keys[] = { "PASSWORD", "PWD", "UID" };
	const char	*q;
	size_t		 i, n;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		n = strlen(keys[i]);
		if (strncasecmp(p, keys[i], n) != 0 ||
		    namechar((unsigned char)p[n]))
			continue;
		for (q = p + n; *q == ' ' || *q == '\t'; q++)
			continue;
		if (*q != '=')
			return NULL;
		*uid = i == 2;
		return q + 1;
	}
	return NULL;
}

/* End of the value starting at v: a {braced} value, else up to ';' or a line end. */
static const char *
value_end(const char *v)
{
	if (*v == '{') {
		/* "}}" inside braces is an escaped '}' */
		for (v++; *v != '\0'; v++) {
			if (v[0] == '}' && v[1] == '}')
				v++;
			else if (v[0] == '}')
				return v + 1;
		}
		return v;
	}
	return v + strcspn(v, ";\r\n");
}

/*
 * End of the password of UID=user/password[@tns] that starts at p (after
 * the '/'), the value ending at ve: Oracle quotes a password holding '@'.
 */
static const char *
uid_pw_end(const char *p, const char *ve)
{
	const char	*q, *at;

	if (*p == '"' && (q = memchr(p + 1, '"', (size_t)(ve - p - 1))) != NULL)
		p = q + 1;
	at = memchr(p, '@', (size_t)(ve - p));
	return at != NULL ? at : ve;
}

char *
secret_mask_connstr(const char *s, int *had)
{
	struct buf	 b = { 0 };
	const char	*p = s, *v, *ve, *w, *slash, *at;
	int		 uid;

	if (had != NULL)
		*had = 0;
	while (*p != '\0') {
		if ((p != s && namechar((unsigned char)p[-1])) ||
		    (v = attr_at(p, &uid)) == NULL) {
			buf_add(&b, p, 1);
			p++;
			continue;
		}
		/* Keep "KEY =" and blanks after it, mask what follows. */
		for (w = v; *w == ' ' || *w == '\t'; w++)
			continue;
		buf_add(&b, p, (size_t)(w - p));
		ve = value_end(w);
		if (uid) {
			/* Oracle: UID=user/password[@connect_identifier] */
			slash = memchr(w, '/', (size_t)(ve - w));
			if (slash == NULL) {
				buf_add(&b, w, (size_t)(ve - w));
				p = ve;
				continue;
			}
			buf_add(&b, w, (size_t)(slash - w) + 1);
			/* a braced value keeps its closing brace */
			at = uid_pw_end(slash + 1, *w == '{' && ve[-1] == '}' ?
			    ve - 1 : ve);
			if (at > slash + 1) {
				buf_puts(&b, SECRET_MASK);
				if (had != NULL)
					*had = 1;
			}
			buf_add(&b, at, (size_t)(ve - at));
			p = ve;
			continue;
		}
		/* An empty value hides nothing: keep it as written. */
		if (ve > w && !(ve == w + 2 && w[0] == '{')) {
			buf_puts(&b, SECRET_MASK);
			if (had != NULL)
				*had = 1;
		} else
			buf_add(&b, w, (size_t)(ve - w));
		p = ve;
	}
	if (b.s == NULL)
		return xstrdup("");
	return buf_release(&b);
}

/* s with every needle replaced by SECRET_MASK; s is wiped and freed, the result allocated. */
static char *
replace_all(char *s, const char *needle)
{
	struct buf	 b = { 0 };
	const char	*p;
	char		*hit;
	size_t		 n = strlen(needle);

	if (strstr(s, needle) == NULL)
		return s;
	for (p = s; (hit = strstr(p, needle)) != NULL; p = hit + n) {
		buf_add(&b, p, (size_t)(hit - p));
		buf_puts(&b, SECRET_MASK);
	}
	buf_puts(&b, p);
	explicit_bzero(s, strlen(s));
	free(s);
	return buf_release(&b);
}

char *
secret_redact(const char *msg)
{
	return secret_redact_with(msg, NULL);
}

char *
secret_redact_with(const char *msg, const char *extra)
{
	char	*s;
	size_t	 i;

	if (msg == NULL)
		return NULL;
	s = secret_mask_connstr(msg, NULL);
	for (i = 0; i < regsz; i++)
		s = replace_all(s, reg[i]);
	if (extra != NULL && strlen(extra) >= SECRET_MIN)
		s = replace_all(s, extra);
	return s;
}

void
secret_add_connstr(const char *cs)
{
	const char	*p, *v, *w, *ve, *next, *slash;
	char		*val, *q;
	int		 uid, braced;

	if (cs == NULL)
		return;
	for (p = cs; *p != '\0'; p++) {
		if ((p != cs && namechar((unsigned char)p[-1])) ||
		    (v = attr_at(p, &uid)) == NULL)
			continue;
		for (w = v; *w == ' ' || *w == '\t'; w++)
			continue;
		ve = next = value_end(w);
		braced = *w == '{' && ve > w + 1 && ve[-1] == '}';
		if (braced) {
			w++;
			ve--;
		}
		if (uid) {
			if ((slash = memchr(w, '/', (size_t)(ve - w))) == NULL)
				continue;
			w = slash + 1;
			ve = uid_pw_end(w, ve);
			if (*w == '"' && ve > w + 1 && ve[-1] == '"') {
				w++;	/* the quotes are not the password */
				ve--;
			}
		}
		/* Trailing blanks are not part of the value. */
		while (ve > w && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		val = xstrndup(w, (size_t)(ve - w));
		if (braced)	/* "}}" stands for '}' */
			for (q = val; (q = strstr(q, "}}")) != NULL; q++)
				memmove(q, q + 1, strlen(q + 1) + 1);
		secret_add(val);
		explicit_bzero(val, strlen(val));
		free(val);
		p = next - 1;
	}
}
