/*
 * conffile: the configuration file, read once by iniparser for its values
 * and scanned line by line for their line numbers; secret files (see
 * conffile.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <iniparser.h>

#include "conffile.h"
#include "log.h"
#include "util.h"

/*
 * Fills line l: section, key and raw (NULL for a [section] line) share
 * one allocation, at l->section, so one free releases the line.
 */
static void
line_set(struct conffile_line *l, const char *section, const char *key,
    const char *raw, int lineno)
{
	size_t	 ls = strlen(section) + 1, lk = key ? strlen(key) + 1 : 0;

	l->section = xmalloc(ls + lk + (raw ? strlen(raw) + 1 : 0));
	memcpy(l->section, section, ls);
	l->key = key ? memcpy(l->section + ls, key, lk) : NULL;
	l->raw = raw ? strcpy(l->section + ls + lk, raw) : NULL;
	l->lineno = lineno;
}

/* Trimmed, lowercased copy of [s, e). */
static char *
lowtrim(const char *s, const char *e)
{
	char	*r, *p;

	while (s < e && isspace((unsigned char)*s))
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	r = xstrndup(s, (size_t)(e - s));
	for (p = r; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return r;
}

/*
 * The longest line iniparser reads (its 1024-byte buffer holds the text,
 * the newline and a NUL); continuation lines count together.
 */
#define INI_LINE_MAX	1022

/*
 * Scans the file the way iniparser reads it, to learn the line of each
 * section and key and to report syntax errors with a line number.
 * Backslash continuation lines are joined.  Returns 0, or -1 after
 * printing the errors; *lp is set either way (conffile_free).
 */
static int
scan_file(FILE *f, const char *path, struct conffile_line **lp, size_t *np)
{
	struct conffile_line *l = NULL;
	size_t		 n = 0, cap = 0, len;
	char		 buf[4096], *s, *e, *eq;
	char		*section = xstrdup(""), *key, *raw;
	struct buf	 acc = { 0 };
	int		 lineno = 0, start = 0, rc = 0;

	while (fgets(buf, sizeof(buf), f) != NULL) {
		lineno++;
		len = strlen(buf);
		if (len > 0 && buf[len - 1] == '\n')
			len--;
		/*
		 * iniparser stops at a line that does not fit its buffer:
		 * one message with the right line, and no scanning of the
		 * rest of it as made-up lines.
		 */
		if (acc.len + len > INI_LINE_MAX ||
		    (buf[len] != '\n' && !feof(f))) {
			log_error("config %s:%d: line too long (more than %d "
			    "bytes)", path, lineno, INI_LINE_MAX);
			rc = -1;
			break;
		}
		buf[len] = '\0';
		while (len > 0 && buf[len - 1] == '\r')
			buf[--len] = '\0';
		if (acc.len == 0)
			start = lineno;
		if (len > 0 && buf[len - 1] == '\\') {
			buf_add(&acc, buf, len - 1);
			continue;
		}
		buf_add(&acc, buf, len);
		s = acc.s;
		while (isspace((unsigned char)*s))
			s++;
		e = s + strlen(s);
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		if (s == e || *s == ';' || *s == '#') {
			buf_free(&acc);
			continue;
		}
		l = xreallocarray_grow(l, &cap, n + 1, sizeof(*l));
		if (*s == '[' && e[-1] == ']') {
			free(section);
			section = lowtrim(s + 1, e - 1);
			line_set(&l[n++], section, NULL, NULL, start);
		} else if ((eq = strchr(s, '=')) != NULL && eq > s) {
			key = lowtrim(s, eq);
			raw = xstrndup(eq + 1, (size_t)(e - eq - 1));
			line_set(&l[n++], section, key, raw, start);
			free(key);
			free(raw);
		} else {
			log_error("config %s:%d: syntax error, expected "
			    "[section] or key = value", path, start);
			rc = -1;
		}
		buf_free(&acc);
	}
	buf_free(&acc);
	free(section);
	*lp = l;
	*np = n;
	return rc;
}

/* iniparser reports syntax errors itself; the scanner already did. */
static int
ini_quiet(const char *fmt, ...)
{
	return 0;
}

int
conffile_read(const char *path, int explicit, struct conffile **out)
{
	struct conffile	*ini;
	struct stat	 st;
	FILE		*f;

	*out = NULL;
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT && !explicit) {
			log_debug("config %s: not found, using defaults and "
			    "environment", path);
			return 0;
		}
		log_error("config %s: %s", path, strerror(errno));
		return -1;
	}
	memset(&st, 0, sizeof(st));
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		log_error("config %s: is a directory", path);
		return -1;
	}
	ini = xcalloc(1, sizeof(*ini));
	ini->world_readable = (st.st_mode & S_IROTH) != 0;
	if (scan_file(f, path, &ini->lines, &ini->n) == -1) {
		fclose(f);
		conffile_free(ini);
		return -1;
	}
	fclose(f);
	iniparser_set_error_callback(ini_quiet);
	ini->dict = iniparser_load(path);
	iniparser_set_error_callback(NULL);
	if (ini->dict == NULL) {
		log_error("config %s: cannot parse", path);
		conffile_free(ini);
		return -1;
	}
	ini->path = xstrdup(path);
	*out = ini;
	return 0;
}

const char *
conffile_value(const struct conffile *ini, const char *section,
    const char *key)
{
	const char	*v;
	char		*ik;

	ik = xasprintf("%s:%s", section, key);
	v = iniparser_getstring(ini->dict, ik, NULL);
	free(ik);
	return v != NULL ? v : "";
}

int
conffile_cut(const char *raw, int strict)
{
	const char	*p;

	while (isspace((unsigned char)*raw))
		raw++;
	if (*raw == '"' || *raw == '\'')
		return 0;
	for (p = raw; *p != '\0'; p++)
		if ((*p == ';' || *p == '#') &&
		    (strict || (p > raw && !isspace((unsigned char)p[-1]))))
			return 1;
	return 0;
}

void
conffile_free(struct conffile *ini)
{
	size_t	 i;

	if (ini == NULL)
		return;
	if (ini->dict != NULL)
		iniparser_freedict(ini->dict);
	for (i = 0; i < ini->n; i++)
		free(ini->lines[i].section);
	free(ini->lines);
	free(ini->path);
	free(ini);
}

char *
conffile_secret(const char *path, char **err, int *world_readable)
{
	struct buf	 b = { 0 };
	struct stat	 st;
	char		 chunk[1024];
	size_t		 n;
	FILE		*f;

	*err = NULL;
	*world_readable = 0;
	if ((f = fopen(path, "r")) == NULL) {
		*err = xstrdup(strerror(errno));
		return NULL;
	}
	memset(&st, 0, sizeof(st));
	if (fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode)) {
		fclose(f);
		*err = xstrdup("not a regular file");
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 &&
	    b.len < 65536)
		buf_add(&b, chunk, n);
	fclose(f);
	if (b.len >= 65536) {
		buf_free(&b);
		*err = xstrdup("larger than 64 KiB");
		return NULL;
	}
	while (b.len > 0 && (b.s[b.len - 1] == '\n' || b.s[b.len - 1] == '\r'))
		b.s[--b.len] = '\0';
	if (b.len == 0 || memchr(b.s, '\0', b.len) != NULL ||
	    strpbrk(b.s, "\r\n") != NULL) {
		buf_free(&b);
		*err = xstrdup("empty, or more than one line");
		return NULL;
	}
	*world_readable = (st.st_mode & S_IROTH) != 0;
	return buf_release(&b);
}
