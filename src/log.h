/*
 * log: diagnostics for the operator.  Messages name the object first,
 * lowercase, no trailing period: "alertmanager http://x:9093: 503 ...".
 * A cron job must be quiet on success, so stderr only shows warnings and
 * errors unless -v; the log file (log.file) gets everything at log.level.
 */
#ifndef ZMCSYNC_LOG_H
#define ZMCSYNC_LOG_H

enum log_level {
	LOGL_DEBUG = 0,
	LOGL_INFO,
	LOGL_WARN,
	LOGL_ERROR,
	LOGL_NONE	/* nothing at all */
};

/* Parses "debug"/"info"/"warn"/"warning"/"error" (any case); -1 if unknown. */
int	log_level_parse(const char *);
/*
 * Stderr threshold, set from -v/-q before the config is loaded.
 * Default LOGL_WARN.
 */
void	log_set_stderr_level(enum log_level);
/*
 * Opens the configured sink: file (NULL or "": none), format "text" or
 * "json", level for the file.  May be called again after the config
 * changed.  0 ok, -1 cannot open file (reported on stderr, stderr kept).
 */
int	log_open(const char *file, const char *format, enum log_level level);
void	log_close(void);
/*
 * Adds a key=value field to every following message (e.g. batch id, or
 * alarm_id and action around one alarm's lines); NULL value removes it.
 * In log.format=json lines a value of digits is a JSON number.
 */
void	log_set_context(const char *key, const char *value);

/*
 * Test hook: while fn is set, every message (any level, regardless of
 * the stderr threshold) goes to fn instead of stderr; the file sink is
 * unaffected.  fn(NULL, ...) restores stderr.
 */
typedef void	(*log_hook)(void *arg, enum log_level, const char *msg);
void	log_set_hook(log_hook fn, void *arg);

/*
 * Stderr: "zmcsync: message" ("zmcsync: warning: message" for warnings).
 * File, text: "2026-11-23T05:55:00Z LEVEL message key=value ..." (UTC,
 * LEVEL is DEBUG/INFO/WARN/ERROR, newlines escaped, values quoted when
 * they hold blanks).  File, json: one object per line
 * {"time":..,"level":"info",..,"msg":..,<context keys>}.
 * The file is opened O_APPEND, mode 0640, one write(2) per line.
 * errno is preserved.
 */
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_error(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
