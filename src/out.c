/*
 * out: table and JSON printing shared by the listing commands.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <json.h>

#include "out.h"
#include "secret.h"
#include "text.h"
#include "util.h"

static int wide;	/* out_set_wide */

/* The narrowest a cut last column gets, ellipsis included. */
#define OUT_MIN_CUT	8

void
out_set_wide(int on)
{
	wide = on;
}

struct table {
	size_t	 ncols;
	char	**head;		/* ncols headers */
	char	***rows;	/* rows of ncols cells */
	size_t	 rowsz, rowcap;
};

struct table *
table_new(size_t ncols, const char *const *headers)
{
	struct table *t = xcalloc(1, sizeof(*t));
	size_t i;

	t->ncols = ncols;
	t->head = xcalloc(ncols, sizeof(char *));
	for (i = 0; i < ncols; i++)
		t->head[i] = xstrdup(headers[i]);
	return t;
}

void
table_add(struct table *t, const char *const *cells)
{
	char **row = xcalloc(t->ncols, sizeof(char *));
	size_t i;

	for (i = 0; i < t->ncols; i++) {
		const char *c = cells[i] != NULL && cells[i][0] != '\0' ? cells[i] : "-";
		/*
		 * One line per row: a newline in alarm text would break the
		 * columns.  No secret reaches the terminal (an error text
		 * may quote a request's credentials).
		 */
		char *s = secret_redact(c), *p;
		for (p = s; *p; p++)
			if (*p == '\n' || *p == '\r' || *p == '\t')
				*p = ' ';
		row[i] = s;
	}
	t->rows = xreallocarray_grow(t->rows, &t->rowcap, t->rowsz + 1, sizeof(*t->rows));
	t->rows[t->rowsz++] = row;
}

size_t
table_rows(const struct table *t)
{
	return t->rowsz;
}

/* Display columns and bytes of the UTF-8 character at p. */
static size_t
char_at(const unsigned char *p, size_t *bytes)
{
	char one[8];
	size_t n = 1;

	if (*p >= 0xf0)
		n = 4;
	else if (*p >= 0xe0)
		n = 3;
	else if (*p >= 0xc0)
		n = 2;
	memcpy(one, p, n);
	one[n] = '\0';
	*bytes = n;
	return text_width(one);
}

/*
 * Prints s in at most w display columns; a cell that does not fit ends
 * with an ellipsis, so a cut is never silent.  Returns the columns used.
 */
static size_t
put_cut(FILE *f, const char *s, size_t w)
{
	size_t used = 0, n, cw;
	const unsigned char *p = (const unsigned char *)s;

	if (text_width(s) <= w) {
		fputs(s, f);
		return text_width(s);
	}
	while (*p) {
		cw = char_at(p, &n);
		if (used + cw + 1 > w)
			break;
		used += cw;
		fwrite(p, 1, n, f);
		p += n;
	}
	fputs("\xe2\x80\xa6", f);	/* U+2026 HORIZONTAL ELLIPSIS */
	return used + 1;
}

void
table_print(const struct table *t, FILE *f, const char *empty_msg)
{
	size_t *w, i, j, total = 0, cols = 0;
	struct winsize ws;

	if (t->rowsz == 0) {
		fprintf(f, "%s\n", empty_msg);
		return;
	}
	w = xcalloc(t->ncols, sizeof(size_t));
	for (j = 0; j < t->ncols; j++)
		w[j] = text_width(t->head[j]);
	for (i = 0; i < t->rowsz; i++)
		for (j = 0; j < t->ncols; j++)
			if (text_width(t->rows[i][j]) > w[j])
				w[j] = text_width(t->rows[i][j]);
	if (!wide && isatty(fileno(f)) && ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col > 20)
		cols = ws.ws_col;
	for (j = 0; j + 1 < t->ncols; j++)
		total += w[j] + 2;
	/*
	 * Only the last (free-text) column gives way on a narrow terminal,
	 * down to OUT_MIN_CUT columns; when the others leave less than that,
	 * the terminal wraps the line rather than more being hidden.
	 */
	if (cols && total + w[t->ncols - 1] > cols)
		w[t->ncols - 1] = cols > total + OUT_MIN_CUT ? cols - total : OUT_MIN_CUT;
	for (i = 0; i <= t->rowsz; i++) {
		char **row = i == 0 ? t->head : t->rows[i - 1];
		for (j = 0; j < t->ncols; j++) {
			size_t used = put_cut(f, row[j], w[j]);
			if (j + 1 < t->ncols)
				fprintf(f, "%*s", (int)(w[j] - used + 2), "");
		}
		fputc('\n', f);
	}
	free(w);
}

void
table_free(struct table *t)
{
	size_t i, j;

	if (t == NULL)
		return;
	for (i = 0; i < t->rowsz; i++) {
		for (j = 0; j < t->ncols; j++)
			free(t->rows[i][j]);
		free(t->rows[i]);
	}
	for (j = 0; j < t->ncols; j++)
		free(t->head[j]);
	free(t->rows);
	free(t->head);
	free(t);
}

const char *
out_id(long long v, char buf[24])
{
	if (v == 0)
		return NULL;
	snprintf(buf, 24, "%lld", v);
	return buf;
}

char *
out_time(time_t t, char buf[32])
{
	struct tm tm;

	if (t == 0 || localtime_r(&t, &tm) == NULL) {
		snprintf(buf, 32, "-");
		return buf;
	}
	strftime(buf, 32, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

struct json_object *
out_json_time(time_t t)
{
	char buf[32];

	if (t == 0)
		return NULL;
	return json_object_new_string(time_rfc3339(t, buf));
}

struct json_object *
out_json_str(const char *s)
{
	return s == NULL ? NULL : json_object_new_string(s);
}

/* Every string of o (recursively) with no secret left, in place. */
static void
json_redact(struct json_object *o)
{
	char	*r;
	size_t	 i, n;

	switch (json_object_get_type(o)) {
	case json_type_string:
		r = secret_redact(json_object_get_string(o));
		if (strcmp(r, json_object_get_string(o)) != 0)
			json_object_set_string(o, r);
		free(r);
		break;
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			json_redact(json_object_array_get_idx(o, i));
		break;
	case json_type_object: {
		json_object_object_foreach(o, key, val) {
			(void)key;
			json_redact(val);
		}
		break;
	}
	default:
		break;
	}
}

void
out_json(struct json_object *o)
{
	const char *s;

	json_redact(o);
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
	/* json-c prints a null object as "null", which is valid JSON too. */
	printf("%s\n", s);
	json_object_put(o);
}
