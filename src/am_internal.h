/*
 * am_internal: what the pieces of the Alertmanager client share.  Only
 * alertmanager.c and the src/am_*.c files include it; every other module
 * includes alertmanager.h, the one public header.
 *
 * The pieces (a piece uses only those listed above it):
 *   alertmanager.c  the client and its members: am_new/am_free, URL,
 *                   header and TLS setup, the request log, clock skew;
 *                   the small JSON and URL helpers of the other pieces
 *   am_http.c       one exchange with one member: response buffers,
 *                   attempts, retries with backoff, curl and TLS reasons
 *   am_push.c       am_push: alerts to every member, 400 halving
 *   am_silence.c    silences: create, expire, list
 *   am_query.c      read-only queries: start time, health, status, alerts
 */
#ifndef ZMCSYNC_AM_INTERNAL_H
#define ZMCSYNC_AM_INTERNAL_H

#include <stddef.h>
#include <time.h>

#include <curl/curl.h>
#include <json.h>

#include "util.h"

struct am_request;

/* Longest backoff sleep between two attempts, milliseconds. */
#define AM_BACKOFF_MAX_MS	30000
/* Largest Retry-After (seconds) we are willing to wait for. */
#define AM_RETRY_AFTER_MAX	30
/* Longest connect timeout, seconds. */
#define AM_CONNECT_MAX		10
/* Bytes of a response body kept; a larger answer is an error. */
#define AM_BODY_MAX		(64u * 1024 * 1024)
/* Bytes of a response body quoted in an error message. */
#define AM_QUOTE_MAX		200
/* Who we are in silences. */
#define AM_CREATED_BY		"zmcsync"

/* One cluster member. */
struct member {
	char	*url;		/* base URL: no credentials, no trailing slash */
	char	*username;	/* basic auth user (config, else URL userinfo); NULL none */
	char	*password;	/* basic auth password; NULL none */
	CURL	*curl;		/* reused easy handle (keep-alive) */
	int	 client_cert;	/* a client certificate is configured (messages) */
	char	 errbuf[CURL_ERROR_SIZE]; /* curl's reason for the last failure */
};

struct am {
	struct member	*members;
	size_t		 membersz;
	struct curl_slist *hdr_get;	/* Accept, bearer token, extra headers */
	struct curl_slist *hdr_post;	/* the same plus Content-Type */
	long		 timeout;	/* seconds per attempt */
	int		 retry_count;	/* attempts after the first */
	long		 retry_interval; /* first backoff, milliseconds */
	time_t		 deadline;	/* epoch seconds; 0 none */
	time_t		 skew;		/* a member's clock minus ours, from its Date header */
	int		 skew_known;
	struct am_request *reqs;	/* requests since am_requests_clear */
	size_t		 reqsz, reqcap;
};

/* The outcome of one request (after its retries). */
struct resp {
	long		 code;		/* HTTP status of the last attempt, 0 none */
	int		 sent;		/* 1 if at least one attempt was made */
	struct buf	 body;		/* body of the last attempt */
	char		*error;		/* NULL on 2xx, else "503 ..." or curl's reason */
	long		 retry_after;	/* Retry-After seconds, -1 absent */
	time_t		 date;		/* the Date header (the member's clock), 0 absent */
	char		 reason[64];	/* reason phrase of the status line */
	int		 body_overflow;	/* body exceeded AM_BODY_MAX */
};

/* ---- alertmanager.c ---- */

/* Member i, or NULL with *err (replaced) when i is out of range. */
struct member	*am_member(struct am *, size_t i, char **err);

/* String member key of JSON object o (o may be NULL), or NULL. */
const char	*am_jstr(struct json_object *o, const char *key);
/* State of a gettable alert or silence (its status.state), or "". */
const char	*am_jstate(struct json_object *o);
/* Replaces *err by msg (frees msg when err is NULL). */
void		 am_set_err(char **err, char *msg);
/* s, or "" for NULL. */
const char	*am_nz(const char *s);
/* URL-encodes s; caller frees. */
char		*am_url_escape(struct member *, const char *s);
/* base + "?filter=name=\"value\"&..." for equality matchers ms; caller frees. */
char		*am_filter_path(struct member *, const char *base,
		    const struct label *ms, size_t n);

/* ---- am_http.c: responses ---- */

/* Makes r empty (no request yet); it holds nothing to free. */
void		 resp_init(struct resp *);
/* Frees what r holds and makes it empty again. */
void		 resp_clear(struct resp *);
/* 1 if the answer is a 2xx, else 0. */
int		 resp_ok(const struct resp *);
/* 1 if the request reached no usable Alertmanager (worth another member). */
int		 resp_unreachable(const struct resp *);
/* Body as text ("" when empty); never NULL. */
const char	*resp_text(const struct resp *);
/*
 * 1 if a DELETE of a silence answered "nothing left to expire" (404, or
 * one of Alertmanager's 500 answers that say so), else 0.
 */
int		 resp_expire_done(const struct resp *);

/*
 * Parses r's body as JSON of the given type: the value (caller puts), or
 * NULL with *err (allocated, replacing an earlier reason).
 */
struct json_object *resp_json(const struct member *, const struct resp *r,
		    json_type, char **err);

/* ---- am_http.c: exchanges ---- */

/*
 * Performs method ("GET", "POST", "DELETE") on m's base URL + path, with
 * retries (see the top of am_http.c); nalerts is what the request log
 * records.  r (caller clears) holds the last attempt's outcome; when no
 * attempt could start because of the deadline, r->error says so and
 * r->code is 0.
 */
void		 http_request(struct am *, struct member *, const char *method,
		    const char *path, const char *body, size_t nalerts,
		    struct resp *r);
/*
 * One POST of body to m's base URL + path on a new connection, never
 * retried (not even by libcurl): for requests that must not happen
 * twice.  r as for http_request.
 */
void		 http_post_once(struct am *, struct member *, const char *path,
		    const char *body, struct resp *r);
/*
 * GETs path on m and parses the answer as JSON of the given type.  The
 * value (caller puts), or NULL with *err (allocated, replacing an earlier
 * reason).  *code (when not NULL) is the last HTTP status, 0 none.
 */
struct json_object *http_get_json(struct am *, struct member *,
		    const char *path, json_type, long *code, char **err);
/*
 * Sleeps ms before another attempt and doubles *wait (up to
 * AM_BACKOFF_MAX_MS).  0, or -1 without sleeping when the sleep would end
 * after the deadline.
 */
int		 http_backoff(struct am *, long ms, long *wait);
/* "alertmanager URL: reason" for a failed request; caller frees. */
char		*http_error(const struct member *, const struct resp *);

#endif
