/*
 * alert: turns a ZMC row into an Alertmanager alert (SPEC 2).  Pure: no
 * I/O.  Labels are stable for the life of an alarm (alarm_id, never the
 * event id), so a re-raise keeps the alert's identity.
 */
#ifndef ZMCSYNC_ALERT_H
#define ZMCSYNC_ALERT_H

#include <stddef.h>
#include <time.h>

struct config;
struct zmc_row;
struct label_map;
struct json_object;

/* Maximum bytes of one annotation value; longer text is cut with "...". */
#define ALERT_TEXT_MAX	4096
/* Maximum bytes of one label value. */
#define ALERT_LABEL_MAX	1024
/* Maximum bytes of the canonical label-set JSON (the ALERT_LABELS column). */
#define ALERT_LABELS_JSON_MAX	4000

struct label {
	char	*name;
	char	*value;
};

struct alert {
	struct label	*labels;	/* sorted by name, unique, no empty values */
	size_t		 labelsz;
	struct label	*annotations;	/* sorted by name */
	size_t		 annotationsz;
	time_t		 starts_at;	/* 0: not sent */
	time_t		 ends_at;	/* 0: not sent */
	char		*generator_url;	/* NULL: not sent */
};

/* Severity for a ZMC level (config severity.level_N); level out of 0-4 maps as 0. */
const char	*alert_severity(const struct config *, int level);
/* 1 if the row passes sync.alarm_levels and sync.severity_filter. */
int		 alert_passes_filters(const struct config *, const struct zmc_row *);
/*
 * 1 if the row's raise time (EVENT_TIME, else CREATE_DATE) lies within
 * sync.history_hours before now.  A row with neither time is in window.
 */
int		 alert_in_window(const struct config *, const struct zmc_row *, time_t now);
/*
 * Builds the firing alert of row: labels, annotations, startsAt =
 * EVENT_TIME (else CREATE_DATE, else now), endsAt = now + alert_ttl.
 * maps may be NULL; mapped labels never replace alarm_id or alertname
 * (see alert.c for the other rules).  Never fails (allocation aborts).
 * Free with alert_free.
 */
struct alert	*alert_build(const struct config *, const struct label_map *maps,
		    size_t mapsz, const struct zmc_row *, time_t now);
/*
 * Only the labels alert_build would give row (no annotations, no times):
 * what a run needs to see that a firing alarm is unchanged.  Free with
 * alert_free.
 */
struct alert	*alert_build_labels(const struct config *, const struct label_map *maps,
		    size_t mapsz, const struct zmc_row *);
/* Canonical JSON object of the label set (sorted keys, no spaces); caller frees. */
char		*alert_labels_json(const struct alert *);
/*
 * Alert with the labels of a canonical label-set JSON (as stored in
 * ALERT_LABELS) and no annotations; NULL if json is not an object of strings.
 */
struct alert	*alert_from_labels_json(const char *json);
/* Deep copy. */
struct alert	*alert_dup(const struct alert *);
/* Value of a label, or NULL. */
const char	*alert_label(const struct alert *, const char *name);
/* Sets or replaces an annotation (copied, repaired, bounded); NULL or "" removes it. */
void		 alert_set_annotation(struct alert *, const char *name, const char *value);
/* Alertmanager v2 JSON object of the alert (postableAlert); caller puts. */
struct json_object *alert_to_json(const struct alert *);
void		 alert_free(struct alert *);

#endif
