/*
 * out: how listings look.  Human output is aligned columns that fit the
 * terminal (CJK text counts two columns) with times in local time; --json
 * output is json-c objects printed with stable key order (insertion order)
 * and UTF-8 left unescaped.
 */
#ifndef ZMCSYNC_OUT_H
#define ZMCSYNC_OUT_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

struct json_object;
struct table;

/* A table of ncols columns with the given headers (copied).  Never NULL. */
struct table	*table_new(size_t ncols, const char *const *headers);
/* Appends a row of ncols cells (copied; NULL prints as "-"). */
void		 table_add(struct table *, const char *const *cells);
/* Rows added so far. */
size_t		 table_rows(const struct table *);
/*
 * Prints the table; when f is a terminal and out_set_wide was not asked
 * for, the last column is cut to fit its width and a cut cell ends with
 * an ellipsis.  With no rows prints empty_msg instead (e.g. "no alarms").
 */
void		 table_print(const struct table *, FILE *f, const char *empty_msg);
void		 table_free(struct table *);
/* 1: tables never cut a cell, whatever the terminal's width (-o wide). */
void		 out_set_wide(int);

/* Decimal text of v in buf, or NULL (a cell's "-") for 0: an id or code that was NULL. */
const char	*out_id(long long v, char buf[24]);
/* Local time "YYYY-MM-DD HH:MM:SS" of t, or "-" for 0. */
char		*out_time(time_t t, char buf[32]);
/* RFC 3339 UTC of t as a JSON string, or JSON null for 0; caller puts. */
struct json_object *out_json_time(time_t t);
/* JSON string, or null for NULL; caller puts. */
struct json_object *out_json_str(const char *s);
/* Prints a JSON value pretty, UTF-8 unescaped, with a newline, and puts it. */
void		 out_json(struct json_object *);

#endif
