/*
 * alertmanager: the Alertmanager v2 HTTP edge (libcurl + json-c).
 * Configured URLs form one HA cluster: an alert push counts when at least
 * one member accepts it; silences are created on the first member that
 * answers (the cluster gossips them).  Retries with exponential backoff
 * happen on connection errors, 5xx and 429 only.
 */
#ifndef ZMCSYNC_ALERTMANAGER_H
#define ZMCSYNC_ALERTMANAGER_H

#include <stddef.h>
#include <time.h>

struct config;
struct alert;
struct label;
struct json_object;

struct am;

/* One HTTP request (one attempt) as it happened, for logs and metrics. */
struct am_request {
	char		*url;		/* base URL of the member */
	char		*endpoint;	/* full request URL */
	const char	*method;	/* "POST", "GET", "DELETE" (static) */
	long		 code;		/* HTTP status, 0 if no response */
	double		 seconds;	/* duration of the attempt */
	char		*error;		/* NULL on 2xx, else "503 body..." or curl's reason */
	size_t		 alerts;	/* alerts in the body (POST /alerts), else 0 */
};

/*
 * Creates a client for cfg's URLs (validated: http or https, path prefix
 * kept).  Reads no secrets itself: config already did.  NULL + *err.
 */
struct am	*am_new(const struct config *, char **err);
void		 am_free(struct am *);
/*
 * The requests made since the last am_requests_clear (every attempt:
 * retries and split halves included), oldest first.  The client keeps
 * them so its callers can log and count what each call did; they stay
 * valid until am_requests_clear or am_free.
 */
size_t		 am_requests(const struct am *, const struct am_request **out);
void		 am_requests_clear(struct am *);
/*
 * How far a member's clock is ahead of ours (negative: behind), from the
 * Date header of the last answer; 1 if known, else 0 with *skew 0.
 */
int		 am_clock_skew(const struct am *, time_t *skew);
size_t		 am_count(const struct am *);
const char	*am_url(const struct am *, size_t);
/* Overall deadline (epoch seconds, 0 none): no request starts after it. */
void		 am_set_deadline(struct am *, time_t);

/*
 * Posts n alerts (n <= batch_size; the caller batches) to every member.
 * accepted[i] is set to the number of members that accepted alert i, to
 * -1 when none did and some member refused it with 400 (the alert itself
 * is invalid: retrying cannot help), else 0.  While some member lacks
 * alert i (accepted[i] < am_count()), errors[i] is set to an allocated
 * reason of such a member, preferring one that answered (caller frees
 * each; errors may be NULL).  A 400 answer splits the batch in halves
 * until the bad alert stands alone.  Returns the number of alerts some
 * member accepted (SPEC 3: a push counts once one member took it; the
 * caller decides when a resolve must reach every member), or -1 if no
 * member was reachable at all (every member: connection failure, 5xx or
 * 429 after retries, or the deadline passed).
 */
int		 am_push(struct am *, struct alert *const *alerts, size_t n,
		    int *accepted, char **errors);

/*
 * Creates a silence with equality matchers (name=value) from starts to
 * ends, createdBy "zmcsync", comment.  If an active silence created by
 * zmcsync with exactly these matchers exists, its id is reused.  *id is
 * allocated (caller frees); *err on failure.  0 ok, -1 error.
 */
int		 am_silence_create(struct am *, const struct label *matchers,
		    size_t n, time_t starts, time_t ends, const char *comment,
		    char **id, char **err);
/* Expires silence id (a silence already gone or expired counts as done).  0/-1 with *err. */
int		 am_silence_expire(struct am *, const char *id, char **err);
/*
 * Silences created by zmcsync (any state) from the first member that
 * answers, as gettableSilences JSON array; caller puts.  NULL + *err.
 */
struct json_object *am_silences(struct am *, char **err);
/* One silence of ours as a run needs it. */
struct am_silence {
	char	*id;
	char	*alarm_id;	/* value of its alarm_id= matcher, NULL none */
	char	*source;	/* value of its source= matcher, NULL none */
	int	 active;	/* state active or pending */
	time_t	 ends;
};

/*
 * Our silences (createdBy zmcsync, any state) from the first member that
 * answers, as plain rows: *v allocated (am_silence_list_free).  0, or -1
 * with *err when no member answered.
 */
int		 am_silence_list(struct am *, struct am_silence **v, size_t *n,
		    char **err);
void		 am_silence_list_free(struct am_silence *, size_t);

/*
 * When member i started (the "uptime" of GET /api/v2/status): alerts are
 * held in memory only, so a member started after an alert's last push no
 * longer has it.  0 with *out, -1 with *err.
 */
int		 am_started(struct am *, size_t i, time_t *out, char **err);

/* GET /-/healthy of member i: 0 healthy, -1 with *err. */
int		 am_healthy(struct am *, size_t i, char **err);
/*
 * Status of member i: version, cluster status, active alerts and silences
 * counts, as a JSON object shaped like the guide's
 * /api/v1/admin/alertmanager/status {"url","healthy","version",
 * "cluster_status","active_alerts","active_silences"}; caller puts.  An
 * unreachable member still gives an object, with "healthy": false, null
 * counts and "error"; NULL + *err only when i is out of range.
 */
struct json_object *am_status(struct am *, size_t i, char **err);

/* One alert of one member as GET /api/v2/alerts shows it. */
struct am_alert_info {
	char	*fingerprint;
	char	*state;		/* "active", "suppressed", "unprocessed" */
	char	*alarm_id;	/* its alarm_id label, NULL none */
	char	**silenced_by;	/* ids of the silences muting it */
	size_t	 nsilenced;
	char	**inhibited_by;	/* fingerprints of the alerts inhibiting it */
	size_t	 ninhibited;
	time_t	 starts, ends, updated;	/* 0 when absent */
};
/*
 * The alerts member i holds now (active, silenced and inhibited alike;
 * resolved ones are gone) that have every label ms[0..n) (equality; n 0:
 * all of them), as plain rows: *v allocated (am_alert_info_free).  0, or
 * -1 with *err.
 */
int		 am_alerts_find(struct am *, size_t i, const struct label *ms,
		    size_t n, struct am_alert_info **v, size_t *vn, char **err);
void		 am_alert_info_free(struct am_alert_info *, size_t);

#endif
