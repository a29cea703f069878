/*
 * am_http: one exchange of the Alertmanager client with one member
 * (libcurl + json-c); see am_internal.h for the pieces.
 *
 * A request is retried only when retrying can help: connection errors,
 * 5xx and 429, with exponential backoff, and never starting after the
 * caller's deadline.  Every attempt is recorded in the client's request
 * log (am_requests).  Credentials travel only through the handle's
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

#include "alertmanager.h"
#include "am_internal.h"
#include "util.h"

/* Why a request was not sent at all. */
#define AM_DEADLINE_REACHED	"deadline reached, request not sent"

void
resp_init(struct resp *r)
{
	memset(r, 0, sizeof(*r));
	r->retry_after = -1;
}

void
resp_clear(struct resp *r)
{
	buf_free(&r->body);
	free(r->error);
	resp_init(r);
}

int
resp_unreachable(const struct resp *r)
{
	return r->code == 0 || r->code >= 500 || r->code == 429;
}

int
resp_ok(const struct resp *r)
{
	return r->code >= 200 && r->code < 300;
}

const char *
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
 * Besides 404, Alertmanager 0.25 answers 500 "silence <id> already
 * expired" and 500 "silence not found": final answers, not transient
 * failures.
 */
int
resp_expire_done(const struct resp *r)
{
	if (r->code == 404)
		return 1;
	return r->code == 500 &&
	    (strstr(resp_text(r), "already expired") != NULL ||
	    strstr(resp_text(r), "not found") != NULL);
}

/* 1 if no request may start any more. */
static int
deadline_passed(const struct am *am)
{
	return am->deadline != 0 && time(NULL) >= am->deadline;
}

/*
 * One attempt: method on endpoint with an optional body, on a new
 * connection when fresh.  Fills r (reset first) and records the attempt
 * in the request log.  Returns 1 if the failure is worth retrying, else 0.
 */
static int
attempt(struct am *am, struct member *m, const char *method,
    const char *endpoint, const char *body, size_t nalerts, int fresh,
    struct resp *r)
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
	curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, fresh ? 1L : 0L);
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
		return !(strcmp(method, "DELETE") == 0 && resp_expire_done(r));
	return r->code == 429;
}

/* Performs method on m's base URL + path, with retries; see am_internal.h. */
void
http_request(struct am *am, struct member *m, const char *method,
    const char *path, const char *body, size_t nalerts, struct resp *r)
{
	char *endpoint;
	long wait = am->retry_interval;
	int i;

	resp_init(r);
	endpoint = xasprintf("%s%s", m->url, path);
	for (i = 0; ; i++) {
		long ms;

		if (deadline_passed(am)) {
			if (!r->sent) {
				free(r->error);
				r->error = xstrdup(AM_DEADLINE_REACHED);
			}
			break;
		}
		if (!attempt(am, m, method, endpoint, body, nalerts, 0, r))
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
		if (http_backoff(am, ms, &wait) == -1)
			break;
	}
	free(endpoint);
}

/* One POST never repeated; see am_internal.h. */
void
http_post_once(struct am *am, struct member *m, const char *path,
    const char *body, struct resp *r)
{
	char *endpoint = xasprintf("%s%s", m->url, path);

	resp_init(r);
	if (deadline_passed(am))
		r->error = xstrdup(AM_DEADLINE_REACHED);
	else
		(void)attempt(am, m, "POST", endpoint, body, 0, 1, r);
	free(endpoint);
}

int
http_backoff(struct am *am, long ms, long *wait)
{
	if (am->deadline != 0 && time(NULL) + (ms + 999) / 1000 > am->deadline)
		return -1;
	sleep_ms(ms);
	*wait = *wait * 2 > AM_BACKOFF_MAX_MS ? AM_BACKOFF_MAX_MS : *wait * 2;
	return 0;
}

char *
http_error(const struct member *m, const struct resp *r)
{
	return xasprintf("alertmanager %s: %s", m->url,
	    r->error != NULL ? r->error : "unexpected answer");
}

struct json_object *
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

/* GET path on m as JSON of the given type; see am_internal.h. */
struct json_object *
http_get_json(struct am *am, struct member *m, const char *path,
    json_type type, long *code, char **err)
{
	struct json_object *o = NULL;
	struct resp r;

	http_request(am, m, "GET", path, NULL, 0, &r);
	if (code != NULL)
		*code = r.code;
	if (!resp_ok(&r))
		am_set_err(err, http_error(m, &r));
	else
		o = resp_json(m, &r, type, err);
	resp_clear(&r);
	return o;
}
