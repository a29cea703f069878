/*
 * log: stderr for people at a terminal or reading cron mail, and an
 * optional append-only file (text or JSON lines) for the record.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json.h>

#include "log.h"
#include "secret.h"
#include "util.h"

/* One context field added to every line of the file log. */
struct log_field {
	char	*key;
	char	*value;
};

static enum log_level	 stderr_level = LOGL_WARN;
static enum log_level	 file_level = LOGL_INFO;
static int		 file_fd = -1;		/* -1: no file sink */
static int		 file_json;		/* 1: JSON lines, 0: text */
static struct log_field	*fields;		/* context, in insertion order */
static size_t		 fieldsz, fieldcap;
static log_hook		 hook;			/* tests: replaces stderr */
static void		*hook_arg;

static const char *const level_upper[] = { "DEBUG", "INFO", "WARN", "ERROR" };
static const char *const level_lower[] = { "debug", "info", "warn", "error" };

int
log_level_parse(const char *s)
{
	if (s == NULL)
		return -1;
	if (str_eq_ci(s, "debug"))
		return LOGL_DEBUG;
	if (str_eq_ci(s, "info"))
		return LOGL_INFO;
	if (str_eq_ci(s, "warn") || str_eq_ci(s, "warning"))
		return LOGL_WARN;
	if (str_eq_ci(s, "error"))
		return LOGL_ERROR;
	return -1;
}

void
log_set_stderr_level(enum log_level l)
{
	stderr_level = l;
}

void
log_set_hook(log_hook fn, void *arg)
{
	hook = fn;
	hook_arg = arg;
}

int
log_open(const char *file, const char *format, enum log_level level)
{
	int	 fd, saved;

	if (file_fd != -1) {
		close(file_fd);
		file_fd = -1;
	}
	file_level = level;
	file_json = format != NULL && str_eq_ci(format, "json");
	if (file == NULL || *file == '\0')
		return 0;
	fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd == -1) {
		saved = errno;
		log_error("log file %s: %s", file, strerror(saved));
		return -1;
	}
	file_fd = fd;
	return 0;
}

void
log_close(void)
{
	size_t	 i;

	if (file_fd != -1)
		close(file_fd);
	file_fd = -1;
	for (i = 0; i < fieldsz; i++) {
		free(fields[i].key);
		free(fields[i].value);
	}
	free(fields);
	fields = NULL;
	fieldsz = fieldcap = 0;
}

void
log_set_context(const char *key, const char *value)
{
	size_t	 i;

	for (i = 0; i < fieldsz; i++)
		if (strcmp(fields[i].key, key) == 0)
			break;
	if (i < fieldsz) {
		free(fields[i].value);
		if (value != NULL) {
			fields[i].value = xstrdup(value);
			return;
		}
		free(fields[i].key);
		memmove(&fields[i], &fields[i + 1],
		    (fieldsz - i - 1) * sizeof(*fields));
		fieldsz--;
		return;
	}
	if (value == NULL)
		return;
	fields = xreallocarray_grow(fields, &fieldcap, fieldsz + 1,
	    sizeof(*fields));
	fields[fieldsz].key = xstrdup(key);
	fields[fieldsz].value = xstrdup(value);
	fieldsz++;
}

/* JSON of a context value: a number when it is one (alarm_id, code), else a string. */
static struct json_object *
field_json(const char *v)
{
	size_t n = strlen(v);

	if (n > 0 && n <= 18 && strspn(v, "0123456789") == n && (v[0] != '0' || n == 1))
		return json_object_new_int64(strtoll(v, NULL, 10));
	return json_object_new_string(v);
}

/* Text-format value: quoted when it holds blanks, quotes or '='. */
static void
text_value(struct buf *b, const char *v)
{
	const char	*p;

	if (*v != '\0' && strpbrk(v, " \t\"=\n\r") == NULL) {
		buf_puts(b, v);
		return;
	}
	buf_puts(b, "\"");
	for (p = v; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			buf_printf(b, "\\%c", *p);
		else if (*p == '\n')
			buf_puts(b, "\\n");
		else if (*p == '\r')
			buf_puts(b, "\\r");
		else
			buf_add(b, p, 1);
	}
	buf_puts(b, "\"");
}

/* One line per message: newlines inside the message are escaped. */
static void
text_msg(struct buf *b, const char *msg)
{
	const char	*p;

	for (p = msg; *p != '\0'; p++) {
		if (*p == '\n')
			buf_puts(b, "\\n");
		else if (*p == '\r')
			buf_puts(b, "\\r");
		else
			buf_add(b, p, 1);
	}
}

/* Writes one record to the file sink with a single write(2). */
static void
file_write(enum log_level l, const char *msg)
{
	struct buf		 b = { 0 };
	struct json_object	*o;
	char			 ts[32];
	size_t			 i;
	ssize_t			 w;

	time_rfc3339(time(NULL), ts);
	if (file_json) {
		o = json_object_new_object();
		json_object_object_add(o, "time", json_object_new_string(ts));
		json_object_object_add(o, "level",
		    json_object_new_string(level_lower[l]));
		json_object_object_add(o, "msg", json_object_new_string(msg));
		for (i = 0; i < fieldsz; i++)
			if (json_object_object_get_ex(o, fields[i].key,
			    NULL) == 0)
				json_object_object_add(o, fields[i].key,
				    field_json(fields[i].value));
		buf_puts(&b, json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		buf_printf(&b, "%s %s ", ts, level_upper[l]);
		text_msg(&b, msg);
		for (i = 0; i < fieldsz; i++) {
			buf_printf(&b, " %s=", fields[i].key);
			text_value(&b, fields[i].value);
		}
	}
	buf_puts(&b, "\n");
	/* A log that cannot be written must not stop the sync. */
	w = write(file_fd, b.s, b.len);
	(void)w;
	buf_free(&b);
}

static void
vlog(enum log_level l, const char *fmt, va_list ap)
{
	char	*msg, *raw;
	int	 saved = errno, n;
	va_list	 ap2;

	if (l >= LOGL_NONE)
		return;
	if (l < stderr_level && (file_fd == -1 || l < file_level) &&
	    hook == NULL)
		return;
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		errno = saved;
		return;
	}
	raw = xmalloc((size_t)n + 1);
	vsnprintf(raw, (size_t)n + 1, fmt, ap);
	/* Whatever a message quotes (an echoed header, a driver's text), no secret leaves. */
	msg = secret_redact(raw);
	explicit_bzero(raw, (size_t)n);
	free(raw);
	if (hook != NULL)
		hook(hook_arg, l, msg);
	else if (l >= stderr_level) {
		fprintf(stderr, "zmcsync: %s%s\n",
		    l == LOGL_WARN ? "warning: " : "", msg);
		fflush(stderr);
	}
	if (file_fd != -1 && l >= file_level)
		file_write(l, msg);
	free(msg);
	errno = saved;
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOGL_DEBUG, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOGL_INFO, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOGL_WARN, fmt, ap);
	va_end(ap);
}

void
log_error(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOGL_ERROR, fmt, ap);
	va_end(ap);
}
