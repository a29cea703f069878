/*
 * expfmt: the Prometheus text exposition format (numbers, sample names,
 * sample lines), for writing the textfile and reading it back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expfmt.h"
#include "util.h"

const char *
expfmt_num(double v, char out[EXPFMT_NUMLEN])
{
	int p;

	if (v != v)
		return "NaN";
	if (v > 1.7976931348623157e308)
		return "+Inf";
	if (v < -1.7976931348623157e308)
		return "-Inf";
	if (v > -1e15 && v < 1e15 && (double)(long long)v == v) {
		snprintf(out, EXPFMT_NUMLEN, "%lld", (long long)v);
		return out;
	}
	/* the shortest %g that reads back exactly, like Go's FormatFloat */
	for (p = 1; p <= 17; p++) {
		snprintf(out, EXPFMT_NUMLEN, "%.*g", p, v);
		if (strtod(out, NULL) == v)
			break;
	}
	return out;
}

/* Appends a label value with \\, \" and \n escaped. */
static void
put_escaped(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			buf_puts(b, "\\\\");
		else if (*s == '"')
			buf_puts(b, "\\\"");
		else if (*s == '\n')
			buf_puts(b, "\\n");
		else
			buf_add(b, s, 1);
	}
}

void
expfmt_name(struct buf *b, const char *name, const char *suffix,
    const char *lname, const char *lvalue, const char *le)
{
	int any = 0;

	buf_puts(b, name);
	buf_puts(b, suffix);
	if (lname != NULL) {
		buf_printf(b, "{%s=\"", lname);
		put_escaped(b, lvalue);
		buf_puts(b, "\"");
		any = 1;
	}
	if (le != NULL) {
		buf_puts(b, any ? ",le=\"" : "{le=\"");
		buf_puts(b, le);
		buf_puts(b, "\"");
		any = 1;
	}
	if (any)
		buf_puts(b, "}");
}

void
expfmt_sample(struct buf *b, const char *name, const char *suffix,
    const char *lname, const char *lvalue, const char *le, double v)
{
	char n[EXPFMT_NUMLEN];

	expfmt_name(b, name, suffix, lname, lvalue, le);
	buf_printf(b, " %s\n", expfmt_num(v, n));
}

/* Length of the name (metric name if colon, else label name) at p; 0 if none. */
static size_t
name_len(const char *p, int colon)
{
	const char *q;

	for (q = p; *q == '_' || (colon && *q == ':') ||
	    (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
	    (q > p && *q >= '0' && *q <= '9'); q++)
		;
	return (size_t)(q - p);
}

int
expfmt_parse(const char *p, const char *lname, char **name, char **lv,
    char **le, double *value)
{
	struct buf lab = { 0 }, val = { 0 };
	const char *q;
	char *end;
	int nl = 0;

	*name = *lv = *le = NULL;
	if ((q = p + name_len(p, 1)) == p)
		return -1;
	*name = xstrndup(p, (size_t)(q - p));
	p = q;
	if (*p == '{') {
		p++;
		for (;;) {
			p += strspn(p, " \t");
			if (*p == '}')
				break;
			q = p + name_len(p, 0);
			if (q == p || q[0] != '=' || q[1] != '"')
				goto bad;
			buf_add(&lab, p, (size_t)(q - p));
			buf_add(&val, "", 0);
			for (p = q + 2; *p != '"'; p++) {
				if (*p == '\0')
					goto bad;
				if (*p == '\\') {
					p++;
					if (*p == 'n')
						buf_add(&val, "\n", 1);
					else if (*p == '\\' || *p == '"')
						buf_add(&val, p, 1);
					else
						goto bad;
				} else
					buf_add(&val, p, 1);
			}
			p++;
			if (strcmp(lab.s, "le") == 0 && *le == NULL)
				*le = buf_release(&val);
			else if (lname != NULL && strcmp(lab.s, lname) == 0 &&
			    *lv == NULL)
				*lv = buf_release(&val);
			buf_free(&val);
			buf_free(&lab);
			nl++;
			p += strspn(p, " \t");
			if (*p == ',')
				p++;
			else if (*p != '}')
				goto bad;
		}
		p++;
	}
	if (*p != ' ' && *p != '\t')
		goto bad;
	*value = strtod(p, &end);
	if (end == p || (*end != '\0' && *end != ' ' && *end != '\t' &&
	    *end != '\n'))
		goto bad;
	return nl;
 bad:
	buf_free(&lab);
	buf_free(&val);
	free(*name);
	free(*lv);
	free(*le);
	*name = *lv = *le = NULL;
	return -1;
}
