/*
 * alertmanager: the Alertmanager v2 HTTP edge (libcurl + json-c).
 *
 * Every configured URL is one member of an HA cluster.  Each member keeps
 * one curl easy handle for the life of the client, so consecutive requests
 * reuse the connection.  A request is retried only when retrying can help:
 * connection errors, 5xx and 429, with exponential backoff, and never
 * starting after the caller's deadline.  Credentials travel only through
 * CURLOPT_USERNAME/PASSWORD or headers, never in a URL or a message.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <json.h>

#include "alert.h"
#include "alertmanager.h"
#include "config.h"
#include "log.h"
#include "util.h"


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
	int		 fresh;		/* next attempts open a new connection */
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

static int curl_users;	/* am clients alive: pairs curl_global_init/cleanup */

static void
resp_init(struct resp *r)
{
	memset(r, 0, sizeof(*r));
	r->retry_after = -1;
}

static void
resp_clear(struct resp *r)
{
	buf_free(&r->body);
	free(r->error);
	resp_init(r);
}

/* 1 if the request reached no usable Alertmanager (worth another member). */
static int
resp_unreachable(const struct resp *r)
{
	return r->code == 0 || r->code >= 500 || r->code == 429;
}

static int
resp_ok(const struct resp *r)
{
	return r->code >= 200 && r->code < 300;
}

/* Body as text ("" when empty); never NULL. */
static const char *
resp_text(const struct resp *r)
{
	return r->body.s != NULL ? r->body.s : "";
}

static size_t
write_cb(char *p, size_t sz, size_t n, void *arg)
{
	struct resp *r = arg;
	size_t len = sz * n;

	if (r->body.len + len > AM_BODY_MAX) {
		r->body_overflow = 1;
		return 0;	/* makes curl fail the transfer */
	}
	buf_add(&r->body, p, len);
	return len;
}

/* Picks the reason phrase and Retry-After out of the response headers. */
static size_t
header_cb(char *p, size_t sz, size_t n, void *arg)
{
	struct resp *r = arg;
	size_t total = sz * n, len = total, i;
	char line[256];

	if (len >= sizeof(line))
		return total;
	memcpy(line, p, len);
	line[len] = '\0';
	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		line[--len] = '\0';
	if (strncmp(line, "HTTP/", 5) == 0) {
		/* a new status line: forget the previous response's headers */
		char *s = strchr(line, ' ');

		r->reason[0] = '\0';
		r->retry_after = -1;
		if (s != NULL && (s = strchr(s + 1, ' ')) != NULL) {
			s++;
			for (i = 0; s[i] != '\0' && i < sizeof(r->reason) - 1; i++)
				r->reason[i] = tolower((unsigned char)s[i]);
			r->reason[i] = '\0';
		}
	} else if (strncasecmp(line, "Date:", 5) == 0) {
		time_t t = curl_getdate(line + 5, NULL);

		r->date = t > 0 ? t : 0;
	} else if (strncasecmp(line, "Retry-After:", 12) == 0) {
		const char *v = line + 12;
		long long secs;

		while (*v == ' ' || *v == '\t')
			v++;
		/* HTTP-date values are ignored: only delta-seconds are used */
		if (str_to_int(v, 0, 86400 * 365, &secs) == 0)
			r->retry_after = (long)secs;
	}
	return total;
}

/*
 * Quotes at most AM_QUOTE_MAX bytes of a response body on one line:
 * control characters become spaces, runs of blanks collapse, the cut
 * falls on a UTF-8 character boundary.  Caller frees.
 */
static char *
quote_body(const char *s)
{
	struct buf b = { 0 };
	size_t n, end;
	int space = 0;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	n = strlen(s);
	end = n > AM_QUOTE_MAX ? AM_QUOTE_MAX : n;
	/* back off continuation bytes so a character is never cut */
	while (end < n && end > 0 && ((unsigned char)s[end] & 0xC0) == 0x80)
		end--;
	for (size_t i = 0; i < end; i++) {
		unsigned char c = s[i];

		if (c < 0x20 || c == 0x7f || c == ' ') {
			space = 1;
			continue;
		}
		if (space && b.len > 0)
			buf_add(&b, " ", 1);
		space = 0;
		buf_add(&b, (const char *)&s[i], 1);
	}
	if (b.s == NULL)
		return xstrdup("");
	return buf_release(&b);
}

/*
 * A TLS failure in words an operator can act on, or NULL if rc is not
 * one.  curl's own text names OpenSSL internals ("error:0A000412:SSL
 * routines::sslv3 alert bad certificate, errno 0"), not the setting to
 * change.  detail is curl's text.  Caller frees.
 */
static char *
tls_reason(const struct member *m, CURLcode rc, const char *detail)
{
	static const char pfx[] = "SSL certificate problem: ";
	const char *a;
	size_t n;

	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
		if (strstr(detail, "subject name") != NULL)
			return xasprintf("TLS: the server certificate is not "
			    "for this host (%s); alertmanager.url must use a "
			    "name or address the certificate lists", detail);
		if (strncmp(detail, pfx, sizeof(pfx) - 1) == 0)
			detail += sizeof(pfx) - 1;
		return xasprintf("TLS: server certificate not trusted (%s); "
		    "alertmanager.ca_file must name the CA that signed it",
		    detail);
	case CURLE_SSL_CACERT_BADFILE:
		return xasprintf("TLS: alertmanager.ca_file not usable (%s)",
		    detail);
	case CURLE_SSL_CERTPROBLEM:
		return xasprintf("TLS: alertmanager.cert_file or key_file not "
		    "usable (%s)", detail);
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
		if (strncmp(m->url, "https:", 6) != 0)
			return NULL;
		/* the server's TLS alert, e.g. "alert bad certificate" */
		if ((a = strstr(detail, "alert ")) != NULL) {
			n = strcspn(a, ",");
			return xasprintf("TLS: the server refused the connection "
			    "(%.*s)%s", (int)n, a, m->client_cert ? "" :
			    "; if it requires a client certificate, set "
			    "alertmanager.cert_file and key_file");
		}
		/*
		 * With TLS 1.3 a server refusing the client (no certificate)
		 * may reset the connection before its alert is read.
		 */
		if (m->client_cert || (strstr(detail, "reset") == NULL &&
		    strstr(detail, "not connected") == NULL))
			return NULL;
		return xasprintf("%s (TLS: if the server requires a client "
		    "certificate, set alertmanager.cert_file and key_file)",
		    detail);
	default:
		return NULL;
	}
}

/*
 * curl's reason, no trailing period, first letter lowercase unless it
 * starts an acronym ("SSL").  Caller frees.
 */
static char *
curl_reason(struct member *m, CURLcode rc, const struct resp *r)
{
	char *s, *t;
	size_t n;
	long oserr = 0;

	if (r->body_overflow)
		return xasprintf("response larger than %u bytes", AM_BODY_MAX);
	/* "connection refused" says more than "couldn't connect to server" */
	if (rc == CURLE_COULDNT_CONNECT &&
	    curl_easy_getinfo(m->curl, CURLINFO_OS_ERRNO, &oserr) == CURLE_OK &&
	    oserr != 0)
		s = xstrdup(strerror((int)oserr));
	else
		s = xstrdup(m->errbuf[0] != '\0' ? m->errbuf : curl_easy_strerror(rc));
	n = strlen(s);
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '.' || s[n - 1] == ' '))
		s[--n] = '\0';
	if (n > 0 && !isupper((unsigned char)s[1]))
		s[0] = tolower((unsigned char)s[0]);
	if ((t = tls_reason(m, rc, s)) != NULL) {
		free(s);
		return t;
	}
	return s;
}

/* 1 if a transport failure is worth another attempt. */
static int
curl_retryable(CURLcode rc)
{
	switch (rc) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_LOGIN_DENIED:
	case CURLE_WRITE_ERROR:		/* body too large: it will stay too large */
		return 0;
	default:
		return 1;
	}
}

static void
sleep_ms(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * 1 if a DELETE of a silence answered "nothing left to expire".  Besides
 * 404, Alertmanager 0.25 answers 500 "silence <id> already expired" and
 * 500 "silence not found": final answers, not transient failures.
 */
static int
expire_done(const struct resp *r)
{
	if (r->code == 404)
		return 1;
	return r->code == 500 &&
	    (strstr(resp_text(r), "already expired") != NULL ||
	    strstr(resp_text(r), "not found") != NULL);
}

/*
 * One attempt: method on endpoint with an optional body.  Fills r (reset
 * first) and reports the attempt to the observer.  Returns 1 if the
 * failure is worth retrying, else 0.
 */
static int
attempt(struct am *am, struct member *m, const char *method,
    const char *endpoint, const char *body, size_t nalerts, struct resp *r)
{
	CURL *c = m->curl;
	CURLcode rc;
	long tmo_ms, conn_ms;
	double t0, secs;
	struct am_request *rq;

	resp_clear(r);
	r->sent = 1;
	m->errbuf[0] = '\0';

	tmo_ms = am->timeout * 1000;
	if (am->deadline != 0) {
		/* an attempt never runs much past the deadline either */
		long left = (long)(am->deadline - time(NULL)) * 1000;

		if (left < 1000)
			left = 1000;
		if (left < tmo_ms)
			tmo_ms = left;
	}
	conn_ms = tmo_ms < AM_CONNECT_MAX * 1000 ? tmo_ms : AM_CONNECT_MAX * 1000;

	curl_easy_setopt(c, CURLOPT_URL, endpoint);
	/*
	 * A POST that must not be repeated goes on a new connection: libcurl
	 * silently resends a request whose reused connection died before the
	 * answer, and a silence created twice is two silences.
	 */
	curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, am->fresh ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, tmo_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, conn_ms);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)strlen(body));
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, am->hdr_post);
	} else {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST,
		    strcmp(method, "GET") == 0 ? NULL : method);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, am->hdr_get);
	}

	t0 = now_monotonic();
	rc = curl_easy_perform(c);
	secs = now_monotonic() - t0;

	if (rc == CURLE_OK && r->date != 0) {
		am->skew = r->date - time(NULL);
		am->skew_known = 1;
	}
	if (rc != CURLE_OK) {
		r->code = 0;
		r->error = curl_reason(m, rc, r);
	} else {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->code);
		if (!resp_ok(r)) {
			char *q = quote_body(resp_text(r));

			/* say which settings a refusal of credentials is about */
			const char *hint = r->code != 401 ? "" :
			    " (check alertmanager.username and password_file, "
			    "or bearer_token_file)";

			if (*q != '\0')
				r->error = xasprintf("%ld %s%s", r->code, q, hint);
			else if (r->reason[0] != '\0')
				r->error = xasprintf("%ld %s%s", r->code, r->reason,
				    hint);
			else
				r->error = xasprintf("%ld%s", r->code, hint);
			free(q);
		}
	}

	am->reqs = xreallocarray_grow(am->reqs, &am->reqcap, am->reqsz + 1,
	    sizeof(*am->reqs));
	rq = &am->reqs[am->reqsz++];
	rq->url = xstrdup(m->url);
	rq->endpoint = xstrdup(endpoint);
	rq->method = strcmp(method, "POST") == 0 ? "POST" :
	    strcmp(method, "DELETE") == 0 ? "DELETE" : "GET";
	rq->code = r->code;
	rq->seconds = secs;
	rq->error = xstrdup(r->error);
	rq->alerts = nalerts;

	if (rc != CURLE_OK)
		return curl_retryable(rc);
	if (r->code >= 500)
		return !(strcmp(method, "DELETE") == 0 && expire_done(r));
	return r->code == 429;
}

/*
 * Performs method on m's base URL + path, with retries (see the top of
 * this file).  r holds the last attempt's outcome; when no attempt could
 * start because of the deadline, r->error says so and r->code is 0.
 */
static void
request(struct am *am, struct member *m, const char *method, const char *path,
    const char *body, size_t nalerts, struct resp *r)
{
	char *endpoint;
	long wait = am->retry_interval;
	int i;

	resp_init(r);
	endpoint = xasprintf("%s%s", m->url, path);
	for (i = 0; ; i++) {
		long ms;

		if (am->deadline != 0 && time(NULL) >= am->deadline) {
			if (!r->sent) {
				free(r->error);
				r->error = xstrdup("deadline reached, request not sent");
			}
			break;
		}
		if (!attempt(am, m, method, endpoint, body, nalerts, r))
			break;
		if (i >= am->retry_count)
			break;
		ms = wait;
		if ((r->code == 429 || r->code == 503) && r->retry_after >= 0) {
			if (r->retry_after > AM_RETRY_AFTER_MAX)
				break;	/* the server wants a pause longer than a run */
			if (r->retry_after * 1000 > ms)
				ms = r->retry_after * 1000;
		}
		if (am->deadline != 0 &&
		    time(NULL) + (ms + 999) / 1000 > am->deadline)
			break;
		sleep_ms(ms);
		wait = wait * 2 > AM_BACKOFF_MAX_MS ? AM_BACKOFF_MAX_MS : wait * 2;
	}
	free(endpoint);
}

/* "alertmanager URL: reason"; caller frees. */
static char *
member_error(const struct member *m, const struct resp *r)
{
	return xasprintf("alertmanager %s: %s", m->url,
	    r->error != NULL ? r->error : "unexpected answer");
}

/*
 * Parses r's body as JSON of the given type; NULL + *err (allocated,
 * replacing an earlier reason) if not.
 */
static struct json_object *
resp_json(const struct member *m, const struct resp *r, json_type type,
    char **err)
{
	struct json_object *o;
	enum json_tokener_error jerr;

	o = json_tokener_parse_verbose(resp_text(r), &jerr);
	if (o == NULL || !json_object_is_type(o, type)) {
		json_object_put(o);
		/* *err may hold an earlier member's or request's reason */
		free(*err);
		*err = xasprintf("alertmanager %s: invalid JSON in response", m->url);
		return NULL;
	}
	return o;
}

/* String member of a JSON object, or NULL. */
static const char *
jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static void
set_err(char **err, char *msg)
{
	if (err != NULL) {
		free(*err);
		*err = msg;
	} else
		free(msg);
}

/*
 * Validates one configured URL and fills m->url (without credentials or
 * trailing slash) and, from userinfo, m->username/password.  0 ok, -1
 * with *err (which never quotes the URL's credentials).
 */
static int
member_parse(struct member *m, const char *raw, char **err)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	char *user = NULL, *pass = NULL, *query = NULL, *frag = NULL;
	struct buf b = { 0 };
	size_t n;
	int rv = -1;

	if ((u = curl_url()) == NULL) {
		*err = xstrdup("alertmanager: out of memory");
		return -1;
	}
	if (curl_url_set(u, CURLUPART_URL, raw, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    *host == '\0') {
		/* quote only the part before any userinfo */
		*err = xstrdup("alertmanager.url: not a valid http or https URL");
		goto out;
	}
	if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
		*err = xasprintf("alertmanager.url: scheme %s not supported "
		    "(http or https)", scheme);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0) == CURLUE_OK) {
		*err = xasprintf("alertmanager.url %s://%s: query or fragment "
		    "not allowed", scheme, host);
		goto out;
	}
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	curl_url_get(u, CURLUPART_PATH, &path, 0);
	if (curl_url_get(u, CURLUPART_USER, &user, CURLU_URLDECODE) == CURLUE_OK)
		m->username = xstrdup(user);
	if (curl_url_get(u, CURLUPART_PASSWORD, &pass, CURLU_URLDECODE) == CURLUE_OK)
		m->password = xstrdup(pass);

	buf_printf(&b, "%s://%s", scheme, host);
	if (port != NULL)
		buf_printf(&b, ":%s", port);
	if (path != NULL)
		buf_puts(&b, path);
	m->url = buf_release(&b);
	n = strlen(m->url);
	while (n > 0 && m->url[n - 1] == '/')
		m->url[--n] = '\0';
	rv = 0;
 out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	if (pass != NULL) {
		explicit_bzero(pass, strlen(pass));
		curl_free(pass);
	}
	curl_free(user);
	curl_free(query);
	curl_free(frag);
	curl_url_cleanup(u);
	return rv;
}

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

/* Appends "Name: value" to a header list (curl copies the string). */
static struct curl_slist *
hdr_add(struct curl_slist *l, const char *name, const char *value)
{
	struct curl_slist *nl;
	char *h = xasprintf("%s: %s", name, value);

	if ((nl = curl_slist_append(l, h)) == NULL)
		oom();
	explicit_bzero(h, strlen(h));
	free(h);
	return nl;
}

/*
 * Creates a client for cfg's URLs; see alertmanager.h.  The handles are
 * configured once here; each request only sets URL, method and body.
 */
struct am *
am_new(const struct config *cfg, char **err)
{
	struct am *am;
	struct curl_slist *l = NULL, *p = NULL;

	*err = NULL;
	if (cfg->am_urlsz == 0) {
		*err = xstrdup("alertmanager.url: not set");
		return NULL;
	}
	if (curl_users++ == 0 && curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		curl_users--;
		*err = xstrdup("alertmanager: cannot initialise libcurl");
		return NULL;
	}
	am = xcalloc(1, sizeof(*am));
	am->timeout = cfg->am_timeout > 0 ? cfg->am_timeout : 30;
	am->retry_count = cfg->am_retry_count > 0 ? cfg->am_retry_count : 0;
	am->retry_interval = cfg->am_retry_interval > 0 ?
	    cfg->am_retry_interval : 0;
	if (am->retry_interval > AM_BACKOFF_MAX_MS)
		am->retry_interval = AM_BACKOFF_MAX_MS;

	l = hdr_add(l, "Accept", "application/json");
	if (*nz(cfg->am_bearer_token) != '\0') {
		char *v = xasprintf("Bearer %s", cfg->am_bearer_token);

		l = hdr_add(l, "Authorization", v);
		explicit_bzero(v, strlen(v));
		free(v);
	}
	for (size_t i = 0; i < cfg->am_headersz; i++)
		l = hdr_add(l, cfg->am_headers[i].name,
		    nz(cfg->am_headers[i].value));
	/* the POST list repeats the GET list: curl lists cannot share tails */
	for (struct curl_slist *s = l; s != NULL; s = s->next)
		if ((p = curl_slist_append(p, s->data)) == NULL)
			oom();
	p = hdr_add(p, "Content-Type", "application/json");
	/* no 100-continue round trip for our small bodies */
	if ((p = curl_slist_append(p, "Expect:")) == NULL)
		oom();
	am->hdr_get = l;
	am->hdr_post = p;

	am->members = xcalloc(cfg->am_urlsz, sizeof(*am->members));
	for (size_t i = 0; i < cfg->am_urlsz; i++) {
		struct member *m = &am->members[i];
		CURL *c;

		am->membersz = i + 1;
		if (member_parse(m, cfg->am_urls[i], err) == -1)
			goto fail;
		for (size_t j = 0; j < i; j++)
			if (strcmp(am->members[j].url, m->url) == 0) {
				*err = xasprintf("alertmanager.url: %s "
				    "listed twice", m->url);
				goto fail;
			}
		if (*nz(cfg->am_username) != '\0') {
			free(m->username);
			free(m->password);
			m->username = xstrdup(cfg->am_username);
			m->password = xstrdup(nz(cfg->am_password));
		}
		if ((m->curl = c = curl_easy_init()) == NULL) {
			*err = xstrdup("alertmanager: cannot create a curl handle");
			goto fail;
		}
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c, CURLOPT_ERRORBUFFER, m->errbuf);
		curl_easy_setopt(c, CURLOPT_USERAGENT, "zmcsync/" ZMCSYNC_VERSION);
		curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
		curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
		if (m->username != NULL) {
			curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
			curl_easy_setopt(c, CURLOPT_USERNAME, m->username);
			curl_easy_setopt(c, CURLOPT_PASSWORD, nz(m->password));
		}
		if (*nz(cfg->am_ca_file) != '\0')
			curl_easy_setopt(c, CURLOPT_CAINFO, cfg->am_ca_file);
		if (*nz(cfg->am_cert_file) != '\0') {
			curl_easy_setopt(c, CURLOPT_SSLCERT, cfg->am_cert_file);
			m->client_cert = 1;
		}
		if (*nz(cfg->am_key_file) != '\0')
			curl_easy_setopt(c, CURLOPT_SSLKEY, cfg->am_key_file);
		if (cfg->am_insecure) {
			if (strncmp(m->url, "https:", 6) == 0)
				log_warn("alertmanager %s: insecure_skip_verify "
				    "is on: the server's certificate is not "
				    "verified", m->url);
			curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
			curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
		}
	}
	return am;
 fail:
	am_free(am);
	return NULL;
}

void
am_free(struct am *am)
{
	if (am == NULL)
		return;
	for (size_t i = 0; i < am->membersz; i++) {
		struct member *m = &am->members[i];

		if (m->curl != NULL)
			curl_easy_cleanup(m->curl);
		free(m->url);
		free(m->username);
		if (m->password != NULL) {
			explicit_bzero(m->password, strlen(m->password));
			free(m->password);
		}
	}
	free(am->members);
	curl_slist_free_all(am->hdr_get);
	curl_slist_free_all(am->hdr_post);
	am_requests_clear(am);
	free(am->reqs);
	free(am);
	if (--curl_users == 0)
		curl_global_cleanup();
}

int
am_clock_skew(const struct am *am, time_t *skew)
{
	*skew = am->skew_known ? am->skew : 0;
	return am->skew_known;
}

size_t
am_requests(const struct am *am, const struct am_request **out)
{
	*out = am->reqs;
	return am->reqsz;
}

void
am_requests_clear(struct am *am)
{
	size_t i;

	for (i = 0; i < am->reqsz; i++) {
		free(am->reqs[i].url);
		free(am->reqs[i].endpoint);
		free(am->reqs[i].error);
	}
	am->reqsz = 0;
}

size_t
am_count(const struct am *am)
{
	return am->membersz;
}

/* Base URL of member i (no credentials); NULL if i is out of range. */
const char *
am_url(const struct am *am, size_t i)
{
	return i < am->membersz ? am->members[i].url : NULL;
}

void
am_set_deadline(struct am *am, time_t deadline)
{
	am->deadline = deadline;
}

/* ---- alerts ---- */

/* Per-member state of one am_push. */
struct push {
	struct am		 *am;
	struct member		 *m;
	struct json_object	**objs;		/* postable alert of each index */
	int			 *ok;		/* this member accepted alert i */
	char			**why;		/* this member's reason for alert i */
	int			  answered;	/* some request got a definite answer */
};

/*
 * Posts alerts [lo, hi) to one member; on 400 splits the range in halves
 * until single alerts, so one bad alert never blocks the others.
 */
static void
push_range(struct push *ps, size_t lo, size_t hi)
{
	struct json_object *arr;
	struct resp r;
	const char *body;

	arr = json_object_new_array_ext((int)(hi - lo));
	for (size_t i = lo; i < hi; i++)
		json_object_array_add(arr, json_object_get(ps->objs[i]));
	body = json_object_to_json_string_ext(arr,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	request(ps->am, ps->m, "POST", "/api/v2/alerts", body, hi - lo, &r);
	json_object_put(arr);

	if (!resp_unreachable(&r))
		ps->answered = 1;
	if (resp_ok(&r)) {
		for (size_t i = lo; i < hi; i++)
			ps->ok[i] = 1;
	} else if (r.code == 400 && hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		resp_clear(&r);
		push_range(ps, lo, mid);
		push_range(ps, mid, hi);
		return;
	} else {
		if (r.code == 400)
			ps->ok[lo] = -1;	/* this alert itself was refused */
		for (size_t i = lo; i < hi; i++) {
			free(ps->why[i]);
			ps->why[i] = member_error(ps->m, &r);
		}
	}
	resp_clear(&r);
}

/*
 * Posts n alerts to every member; see alertmanager.h.  errors may be NULL;
 * otherwise every errors[i] is set (NULL for alerts every member took).  A failed
 * alert gets the reason of a member that answered (e.g. its 400 text) in
 * preference to a connection error of another member.
 */
int
am_push(struct am *am, struct alert *const *alerts, size_t n, int *accepted,
    char **errors)
{
	struct json_object **objs;
	struct push ps;
	int *rank, reached = 0, count = 0;

	for (size_t i = 0; i < n; i++) {
		accepted[i] = 0;
		if (errors != NULL)
			errors[i] = NULL;
	}
	if (n == 0)
		return 0;
	objs = xcalloc(n, sizeof(*objs));
	rank = xcalloc(n, sizeof(*rank));
	for (size_t i = 0; i < n; i++)
		objs[i] = alert_to_json(alerts[i]);

	memset(&ps, 0, sizeof(ps));
	ps.am = am;
	ps.objs = objs;
	ps.ok = xcalloc(n, sizeof(*ps.ok));
	ps.why = xcalloc(n, sizeof(*ps.why));
	for (size_t k = 0; k < am->membersz; k++) {
		ps.m = &am->members[k];
		ps.answered = 0;
		memset(ps.ok, 0, n * sizeof(*ps.ok));
		push_range(&ps, 0, n);
		if (ps.answered)
			reached = 1;
		for (size_t i = 0; i < n; i++) {
			/* rank 2: reason from a member that answered; 1: any */
			int rk = ps.answered ? 2 : 1;

			if (ps.ok[i] == 1)
				accepted[i] = accepted[i] < 0 ? 1 : accepted[i] + 1;
			else if (ps.ok[i] < 0 && accepted[i] == 0)
				accepted[i] = -1;
			if (ps.ok[i] != 1 && errors != NULL &&
			    ps.why[i] != NULL && rk > rank[i]) {
				free(errors[i]);
				errors[i] = ps.why[i];
				ps.why[i] = NULL;
				rank[i] = rk;
			}
			free(ps.why[i]);
			ps.why[i] = NULL;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (accepted[i] > 0)
			count++;
		/* A member's reason stays only while some member lacks the alert. */
		if (accepted[i] == (int)am->membersz && errors != NULL) {
			free(errors[i]);
			errors[i] = NULL;
		}
		json_object_put(objs[i]);
	}
	free(ps.ok);
	free(ps.why);
	free(objs);
	free(rank);
	return reached || count > 0 ? count : -1;
}

/* ---- silences ---- */

static char *filter_path(struct member *, const char *, const struct label *, size_t);

/* URL-encodes s; caller frees. */
static char *
url_escape(struct member *m, const char *s)
{
	char *e, *r;

	if ((e = curl_easy_escape(m->curl, s, 0)) == NULL)
		oom();
	r = xstrdup(e);
	curl_free(e);
	return r;
}

/*
 * Query string "?filter=...&filter=..." narrowing the silence list to
 * those with our matcher values (the server matches by label, not by
 * matcher set or author, so the client filters again).  Caller frees.
 */
static char *
silence_filter(struct member *m, const struct label *ms, size_t n)
{
	return filter_path(m, "/api/v2/silences", ms, n);
}

/* base + "?filter=name=\"value\"&..." for equality matchers ms; caller frees. */
static char *
filter_path(struct member *m, const char *base, const struct label *ms, size_t n)
{
	struct buf b = { 0 };

	buf_puts(&b, base);
	for (size_t i = 0; i < n; i++) {
		struct buf mb = { 0 };
		char *e;

		buf_printf(&mb, "%s=\"", ms[i].name);
		for (const char *p = ms[i].value; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				buf_add(&mb, "\\", 1);
			if (*p == '\n')
				buf_puts(&mb, "\\n");
			else
				buf_add(&mb, p, 1);
		}
		buf_add(&mb, "\"", 1);
		e = url_escape(m, mb.s);
		buf_printf(&b, "%cfilter=%s", i == 0 ? '?' : '&', e);
		free(e);
		buf_free(&mb);
	}
	return buf_release(&b);
}

/* 1 if silence o has an equality, non-regex matcher name=value. */
static int
silence_has(struct json_object *ms, const char *name, const char *value)
{
	size_t n = json_object_array_length(ms);

	for (size_t i = 0; i < n; i++) {
		struct json_object *x = json_object_array_get_idx(ms, i), *v;
		const char *nm = jstr(x, "name"), *vl = jstr(x, "value");
		int regex = 0, equal = 1;

		if (nm == NULL || vl == NULL)
			continue;
		if (json_object_object_get_ex(x, "isRegex", &v))
			regex = json_object_get_boolean(v);
		/* isEqual is absent before Alertmanager 0.22: it meant equal */
		if (json_object_object_get_ex(x, "isEqual", &v))
			equal = json_object_get_boolean(v);
		if (!regex && equal && strcmp(nm, name) == 0 &&
		    strcmp(vl, value) == 0)
			return 1;
	}
	return 0;
}

/* 1 if gettable silence o was created by zmcsync. */
static int
silence_ours(struct json_object *o)
{
	const char *by = jstr(o, "createdBy");

	return by != NULL && strcmp(by, AM_CREATED_BY) == 0;
}

/* State of a gettable silence ("active", "pending", "expired"), or "". */
static const char *
silence_state(struct json_object *o)
{
	struct json_object *st;
	const char *s;

	if (!json_object_object_get_ex(o, "status", &st) ||
	    (s = jstr(st, "state")) == NULL)
		return "";
	return s;
}

/*
 * 1 if o is our active or pending silence whose matchers are exactly ms
 * as a set (all equality, none regex).
 */
static int
silence_same(struct json_object *o, const struct label *ms, size_t n)
{
	struct json_object *jm;
	const char *st = silence_state(o);
	size_t jn;

	if (!silence_ours(o) || (strcmp(st, "active") != 0 &&
	    strcmp(st, "pending") != 0))
		return 0;
	if (jstr(o, "id") == NULL ||
	    !json_object_object_get_ex(o, "matchers", &jm) ||
	    !json_object_is_type(jm, json_type_array))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!silence_has(jm, ms[i].name, ms[i].value))
			return 0;
	/* and every one of theirs is one of ours */
	jn = json_object_array_length(jm);
	for (size_t i = 0; i < jn; i++) {
		struct json_object *x = json_object_array_get_idx(jm, i);
		const char *nm = jstr(x, "name"), *vl = jstr(x, "value");
		size_t j;

		for (j = 0; j < n; j++)
			if (nm != NULL && vl != NULL &&
			    strcmp(nm, ms[j].name) == 0 &&
			    strcmp(vl, ms[j].value) == 0)
				break;
		if (j == n)
			return 0;
	}
	return 1;
}

/*
 * GET the silences of member m (path with or without filter).  Returns
 * the array (caller puts) or NULL with r describing the failure and *err
 * set.
 */
static struct json_object *
silence_list(struct am *am, struct member *m, const char *path,
    struct resp *r, char **err)
{
	struct json_object *arr;

	request(am, m, "GET", path, NULL, 0, r);
	if (!resp_ok(r)) {
		set_err(err, member_error(m, r));
		return NULL;
	}
	if ((arr = resp_json(m, r, json_type_array, err)) == NULL)
		return NULL;
	return arr;
}

/* POST a new silence to m; 0 with *id, else -1 with *err. */
static int
silence_post(struct am *am, struct member *m, const struct label *ms,
    size_t n, time_t starts, time_t ends, const char *comment, char **id,
    char **err, struct resp *r)
{
	struct json_object *o, *jm, *ans;
	char t[32];
	const char *sid;
	int rv = -1;

	o = json_object_new_object();
	jm = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		struct json_object *x = json_object_new_object();

		json_object_object_add(x, "name", json_object_new_string(ms[i].name));
		json_object_object_add(x, "value", json_object_new_string(ms[i].value));
		json_object_object_add(x, "isRegex", json_object_new_boolean(0));
		json_object_object_add(x, "isEqual", json_object_new_boolean(1));
		json_object_array_add(jm, x);
	}
	json_object_object_add(o, "matchers", jm);
	json_object_object_add(o, "startsAt",
	    json_object_new_string(time_rfc3339(starts, t)));
	json_object_object_add(o, "endsAt",
	    json_object_new_string(time_rfc3339(ends, t)));
	json_object_object_add(o, "createdBy", json_object_new_string(AM_CREATED_BY));
	json_object_object_add(o, "comment", json_object_new_string(nz(comment)));
	{
		/* One attempt: the caller looks for the silence before any other. */
		char *endpoint = xasprintf("%s/api/v2/silences", m->url);

		resp_init(r);
		if (am->deadline != 0 && time(NULL) >= am->deadline)
			r->error = xstrdup("deadline reached, request not sent");
		else {
			am->fresh = 1;
			(void)attempt(am, m, "POST", endpoint,
			    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
			    JSON_C_TO_STRING_NOSLASHESCAPE), 0, r);
			am->fresh = 0;
		}
		free(endpoint);
	}
	json_object_put(o);
	if (!resp_ok(r)) {
		set_err(err, member_error(m, r));
		return -1;
	}
	if ((ans = resp_json(m, r, json_type_object, err)) == NULL)
		return -1;
	if ((sid = jstr(ans, "silenceID")) == NULL || *sid == '\0')
		set_err(err, xasprintf("alertmanager %s: no silenceID in "
		    "response", m->url));
	else {
		*id = xstrdup(sid);
		rv = 0;
	}
	json_object_put(ans);
	return rv;
}

/*
 * Looks on m for our active silence with exactly matchers; 1 found (*id
 * set), 0 none, -1 m not readable (*err).
 */
static int
silence_find(struct am *am, struct member *m, const struct label *matchers,
    size_t n, char **id, char **err)
{
	struct json_object *arr;
	struct resp r;
	char *path;
	size_t len, i;
	int found = 0;

	path = silence_filter(m, matchers, n);
	arr = silence_list(am, m, path, &r, err);
	free(path);
	if (arr == NULL && r.code == 400) {
		/* a server that cannot parse our filter: list everything */
		resp_clear(&r);
		arr = silence_list(am, m, "/api/v2/silences", &r, err);
	}
	resp_clear(&r);
	if (arr == NULL)
		return -1;
	len = json_object_array_length(arr);
	for (i = 0; i < len && !found; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);

		if (silence_same(o, matchers, n)) {
			*id = xstrdup(jstr(o, "id"));
			found = 1;
		}
	}
	json_object_put(arr);
	return found;
}

int
am_silence_create(struct am *am, const struct label *matchers, size_t n,
    time_t starts, time_t ends, const char *comment, char **id, char **err)
{
	*id = NULL;
	*err = NULL;
	if (n == 0) {
		*err = xstrdup("alertmanager: silence without matchers");
		return -1;
	}
	for (size_t k = 0; k < am->membersz; k++) {
		struct member *m = &am->members[k];
		long wait = am->retry_interval;
		struct resp r;
		int i, f, retry;

		/*
		 * Every attempt first looks for the silence: a POST whose
		 * answer was lost may have created it.
		 */
		for (i = 0; ; i++) {
			if ((f = silence_find(am, m, matchers, n, id, err)) < 0)
				break;	/* next member */
			if (f == 1 || silence_post(am, m, matchers, n, starts,
			    ends, comment, id, err, &r) == 0) {
				if (f == 0)
					resp_clear(&r);
				free(*err);
				*err = NULL;
				return 0;
			}
			retry = resp_unreachable(&r);
			resp_clear(&r);
			if (!retry || i >= am->retry_count ||
			    (am->deadline != 0 &&
			    time(NULL) + (wait + 999) / 1000 > am->deadline))
				break;
			sleep_ms(wait);
			wait = wait * 2 > AM_BACKOFF_MAX_MS ? AM_BACKOFF_MAX_MS : wait * 2;
		}
	}
	return -1;
}

int
am_silence_expire(struct am *am, const char *id, char **err)
{
	*err = NULL;
	for (size_t k = 0; k < am->membersz; k++) {
		struct member *m = &am->members[k];
		struct resp r;
		char *e, *path;

		e = url_escape(m, id);
		path = xasprintf("/api/v2/silence/%s", e);
		free(e);
		request(am, m, "DELETE", path, NULL, 0, &r);
		free(path);
		if (resp_ok(&r) || expire_done(&r)) {
			resp_clear(&r);
			free(*err);
			*err = NULL;
			return 0;
		}
		set_err(err, member_error(m, &r));
		if (!resp_unreachable(&r)) {
			/* a definite refusal: another member would say the same */
			resp_clear(&r);
			return -1;
		}
		resp_clear(&r);
	}
	return -1;
}

struct json_object *
am_silences(struct am *am, char **err)
{
	*err = NULL;
	for (size_t k = 0; k < am->membersz; k++) {
		struct member *m = &am->members[k];
		struct json_object *arr, *out;
		struct resp r;
		size_t len;

		arr = silence_list(am, m, "/api/v2/silences", &r, err);
		resp_clear(&r);
		if (arr == NULL)
			continue;
		out = json_object_new_array();
		len = json_object_array_length(arr);
		for (size_t i = 0; i < len; i++) {
			struct json_object *o = json_object_array_get_idx(arr, i);

			if (json_object_is_type(o, json_type_object) &&
			    silence_ours(o))
				json_object_array_add(out, json_object_get(o));
		}
		json_object_put(arr);
		free(*err);
		*err = NULL;
		return out;
	}
	return NULL;
}

/* Value of the equality matcher name of gettable silence o, or NULL. */
static const char *
silence_matcher(struct json_object *o, const char *name)
{
	struct json_object *jm;
	size_t n, i;

	if (!json_object_object_get_ex(o, "matchers", &jm) ||
	    !json_object_is_type(jm, json_type_array))
		return NULL;
	n = json_object_array_length(jm);
	for (i = 0; i < n; i++) {
		struct json_object *x = json_object_array_get_idx(jm, i);
		const char *nm = jstr(x, "name"), *vl = jstr(x, "value");

		if (nm != NULL && vl != NULL && strcmp(nm, name) == 0 &&
		    silence_has(jm, nm, vl))
			return vl;
	}
	return NULL;
}

int
am_silence_list(struct am *am, struct am_silence **v, size_t *n, char **err)
{
	struct json_object *arr;
	size_t len, i, cap = 0;

	*v = NULL;
	*n = 0;
	if ((arr = am_silences(am, err)) == NULL)
		return -1;
	len = json_object_array_length(arr);
	for (i = 0; i < len; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);
		const char *id = jstr(o, "id"), *st = silence_state(o), *e = jstr(o, "endsAt");
		struct am_silence *x;

		if (id == NULL)
			continue;
		*v = xreallocarray_grow(*v, &cap, *n + 1, sizeof(**v));
		x = &(*v)[(*n)++];
		x->id = xstrdup(id);
		x->alarm_id = xstrdup(silence_matcher(o, "alarm_id"));
		x->source = xstrdup(silence_matcher(o, "source"));
		x->active = strcmp(st, "active") == 0 || strcmp(st, "pending") == 0;
		x->ends = 0;
		if (e != NULL)
			(void)time_parse_rfc3339(e, &x->ends);
	}
	json_object_put(arr);
	return 0;
}

void
am_silence_list_free(struct am_silence *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].alarm_id);
		free(v[i].source);
	}
	free(v);
}

int
am_started(struct am *am, size_t i, time_t *out, char **err)
{
	struct json_object *st;
	struct member *m;
	struct resp r;
	const char *up;
	int rv = -1;

	*err = NULL;
	*out = 0;
	if (i >= am->membersz) {
		*err = xstrdup("alertmanager: no such member");
		return -1;
	}
	m = &am->members[i];
	request(am, m, "GET", "/api/v2/status", NULL, 0, &r);
	if (!resp_ok(&r))
		*err = member_error(m, &r);
	else if ((st = resp_json(m, &r, json_type_object, err)) != NULL) {
		if ((up = jstr(st, "uptime")) != NULL &&
		    time_parse_rfc3339(up, out) == 0)
			rv = 0;
		else
			*err = xasprintf("alertmanager %s: no uptime in /api/v2/status",
			    m->url);
		json_object_put(st);
	}
	resp_clear(&r);
	return rv;
}

/* ---- health and status ---- */

int
am_healthy(struct am *am, size_t i, char **err)
{
	struct member *m;
	struct resp r;
	int rv = 0;

	*err = NULL;
	if (i >= am->membersz) {
		*err = xstrdup("alertmanager: no such member");
		return -1;
	}
	m = &am->members[i];
	request(am, m, "GET", "/-/healthy", NULL, 0, &r);
	if (!resp_ok(&r)) {
		*err = member_error(m, &r);
		rv = -1;
	}
	resp_clear(&r);
	return rv;
}

/*
 * Number of elements in the JSON array at path on m, counting only
 * silences in state "active" when active_only; -1 with *err on failure.
 */
static int64_t
count_at(struct am *am, struct member *m, const char *path, int active_only,
    char **err)
{
	struct json_object *arr;
	struct resp r;
	int64_t cnt = 0;
	size_t len;

	arr = silence_list(am, m, path, &r, err);
	resp_clear(&r);
	if (arr == NULL)
		return -1;
	len = json_object_array_length(arr);
	for (size_t i = 0; i < len; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);

		if (!active_only || strcmp(silence_state(o), "active") == 0)
			cnt++;
	}
	json_object_put(arr);
	return cnt;
}

/*
 * Status of member i; see alertmanager.h.  An unreachable member still
 * yields an object ("healthy": false and "error"), so a listing can show
 * every member; NULL (with *err) only for an index out of range.
 */
struct json_object *
am_status(struct am *am, size_t i, char **err)
{
	struct json_object *o, *st = NULL, *v, *cl;
	struct member *m;
	struct resp r;
	char *e = NULL;
	const char *ver = NULL, *cst = NULL;
	int64_t na = -1, ns = -1;
	int healthy;

	*err = NULL;
	if (i >= am->membersz) {
		*err = xstrdup("alertmanager: no such member");
		return NULL;
	}
	m = &am->members[i];
	o = json_object_new_object();
	json_object_object_add(o, "url", json_object_new_string(m->url));

	healthy = am_healthy(am, i, &e) == 0;
	if (healthy) {
		request(am, m, "GET", "/api/v2/status", NULL, 0, &r);
		if (!resp_ok(&r))
			e = member_error(m, &r);
		else if ((st = resp_json(m, &r, json_type_object, &e)) != NULL) {
			if (json_object_object_get_ex(st, "versionInfo", &v))
				ver = jstr(v, "version");
			if (json_object_object_get_ex(st, "cluster", &cl))
				cst = jstr(cl, "status");
		}
		resp_clear(&r);
	}
	if (e == NULL)
		na = count_at(am, m, "/api/v2/alerts?active=true&silenced=false"
		    "&inhibited=false", 0, &e);
	if (e == NULL)
		ns = count_at(am, m, "/api/v2/silences", 1, &e);

	json_object_object_add(o, "healthy", json_object_new_boolean(healthy));
	json_object_object_add(o, "version",
	    ver != NULL ? json_object_new_string(ver) : NULL);
	json_object_object_add(o, "cluster_status",
	    cst != NULL ? json_object_new_string(cst) : NULL);
	json_object_object_add(o, "active_alerts",
	    na >= 0 ? json_object_new_int64(na) : NULL);
	json_object_object_add(o, "active_silences",
	    ns >= 0 ? json_object_new_int64(ns) : NULL);
	if (e != NULL) {
		json_object_object_add(o, "error", json_object_new_string(e));
		free(e);
	}
	json_object_put(st);
	return o;
}

/* Strings of JSON array member key of o, allocated; *n their count. */
static char **
str_array(struct json_object *o, const char *key, size_t *n)
{
	struct json_object *a;
	char **v;
	size_t i, len;

	*n = 0;
	if (o == NULL || !json_object_object_get_ex(o, key, &a) ||
	    !json_object_is_type(a, json_type_array) ||
	    (len = json_object_array_length(a)) == 0)
		return NULL;
	v = xcalloc(len, sizeof(*v));
	for (i = 0; i < len; i++) {
		struct json_object *x = json_object_array_get_idx(a, i);

		if (json_object_is_type(x, json_type_string))
			v[(*n)++] = xstrdup(json_object_get_string(x));
	}
	return v;
}

int
am_alerts_find(struct am *am, size_t i, const struct label *ms, size_t n,
    struct am_alert_info **v, size_t *vn, char **err)
{
	struct json_object *arr, *o, *st, *lb;
	struct member *m;
	struct resp r;
	struct am_alert_info *x;
	const char *t;
	char *path;
	size_t len, k, cap = 0;

	*v = NULL;
	*vn = 0;
	if (i >= am->membersz) {
		set_err(err, xstrdup("alertmanager: no such member"));
		return -1;
	}
	m = &am->members[i];
	path = filter_path(m, "/api/v2/alerts", ms, n);
	request(am, m, "GET", path, NULL, 0, &r);
	free(path);
	if (!resp_ok(&r)) {
		set_err(err, member_error(m, &r));
		resp_clear(&r);
		return -1;
	}
	arr = resp_json(m, &r, json_type_array, err);
	resp_clear(&r);
	if (arr == NULL)
		return -1;
	len = json_object_array_length(arr);
	for (k = 0; k < len; k++) {
		o = json_object_array_get_idx(arr, k);
		*v = xreallocarray_grow(*v, &cap, *vn + 1, sizeof(**v));
		x = &(*v)[(*vn)++];
		memset(x, 0, sizeof(*x));
		x->fingerprint = xstrdup(jstr(o, "fingerprint"));
		st = NULL;
		(void)json_object_object_get_ex(o, "status", &st);
		x->state = xstrdup((t = jstr(st, "state")) != NULL ? t : "unknown");
		x->silenced_by = str_array(st, "silencedBy", &x->nsilenced);
		x->inhibited_by = str_array(st, "inhibitedBy", &x->ninhibited);
		if ((t = jstr(o, "startsAt")) != NULL)
			(void)time_parse_rfc3339(t, &x->starts);
		if ((t = jstr(o, "endsAt")) != NULL)
			(void)time_parse_rfc3339(t, &x->ends);
		if ((t = jstr(o, "updatedAt")) != NULL)
			(void)time_parse_rfc3339(t, &x->updated);
		if (json_object_object_get_ex(o, "labels", &lb) &&
		    (t = jstr(lb, "alarm_id")) != NULL)
			x->alarm_id = xstrdup(t);
	}
	json_object_put(arr);
	return 0;
}

void
am_alert_info_free(struct am_alert_info *v, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		free(v[i].fingerprint);
		free(v[i].state);
		free(v[i].alarm_id);
		for (j = 0; j < v[i].nsilenced; j++)
			free(v[i].silenced_by[j]);
		free(v[i].silenced_by);
		for (j = 0; j < v[i].ninhibited; j++)
			free(v[i].inhibited_by[j]);
		free(v[i].inhibited_by);
	}
	free(v);
}
