/*
 * shape: what more than one command prints -- the JSON objects of a run
 * of the state file's history (status, stats), of a row of
 * NM_ALARM_SYNC_STATUS (alarms, trace) and of NM_ALARM_SYNC_LOG (logs,
 * trace), and the status cell of a log row -- written in one place so
 * the commands cannot drift apart.  Each object is built
 * member by member in a fixed order (json-c keeps insertion order, and
 * the reference guide's members come first).
 */
#ifndef ZMCSYNC_SHAPE_H
#define ZMCSYNC_SHAPE_H

#include <stddef.h>

struct json_object;
struct run_record;
struct sync_row;
struct sync_log_row;

/* Which members, in which order. */
enum shape_form {
	SHAPE_FULL = 0,	/* the guide's object, then our extras (alarms, logs) */
	SHAPE_TRACE = 1	/* what trace shows of the alarm's own rows */
};

/* JSON object of one run of the state file's history; caller puts. */
struct json_object *shape_run(const struct run_record *);
/* JSON object of a status row; caller puts. */
struct json_object *shape_status_row(const struct sync_row *, enum shape_form);
/* JSON array of the objects of n status rows; caller puts. */
struct json_object *shape_status_rows(const struct sync_row *, size_t n,
    enum shape_form);
/* JSON array of the objects of n log rows; caller puts. */
struct json_object *shape_log_rows(const struct sync_log_row *, size_t n,
    enum shape_form);

/* The "OLD>NEW" status cell of a log row ("-" for a NULL side), in buf. */
const char *shape_log_transition(const struct sync_log_row *, char buf[48]);

#endif
