/*
 * alertmanager: the Alertmanager v2 client and its members (libcurl +
 * json-c); the other calls of alertmanager.h live in am_*.c, which share
 * am_internal.h (the pieces and their order are listed there).
 *
 * Every configured URL is one member of an HA cluster.  Each member keeps
 * one curl easy handle for the life of the client, so consecutive requests
 * reuse the connection.  Credentials travel only through
 * CURLOPT_USERNAME/PASSWORD or headers, never in a URL or a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <json.h>

#include "alert.h"
#include "alertmanager.h"
#include "am_internal.h"
#include "config.h"
#include "log.h"
#include "util.h"

static int curl_users;	/* am clients alive: pairs curl_global_init/cleanup */

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

	if ((u = curl_url()) == NULL)
		oom();
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

/* Appends s to a header list (curl copies the string); never NULL. */
static struct curl_slist *
slist_add(struct curl_slist *l, const char *s)
{
	if ((l = curl_slist_append(l, s)) == NULL)
		oom();
	return l;
}

/* Appends "Name: value" to a header list, wiping the copy made here. */
static struct curl_slist *
hdr_add(struct curl_slist *l, const char *name, const char *value)
{
	char *h = xasprintf("%s: %s", name, value);

	l = slist_add(l, h);
	explicit_bzero(h, strlen(h));
	free(h);
	return l;
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
	if (*am_nz(cfg->am_bearer_token) != '\0') {
		char *v = xasprintf("Bearer %s", cfg->am_bearer_token);

		l = hdr_add(l, "Authorization", v);
		explicit_bzero(v, strlen(v));
		free(v);
	}
	for (size_t i = 0; i < cfg->am_headersz; i++)
		l = hdr_add(l, cfg->am_headers[i].name,
		    am_nz(cfg->am_headers[i].value));
	/* the POST list repeats the GET list: curl lists cannot share tails */
	for (struct curl_slist *s = l; s != NULL; s = s->next)
		p = slist_add(p, s->data);
	p = hdr_add(p, "Content-Type", "application/json");
	/* no 100-continue round trip for our small bodies */
	p = slist_add(p, "Expect:");
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
		if (*am_nz(cfg->am_username) != '\0') {
			free(m->username);
			free(m->password);
			m->username = xstrdup(cfg->am_username);
			m->password = xstrdup(am_nz(cfg->am_password));
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
			curl_easy_setopt(c, CURLOPT_PASSWORD,
			    am_nz(m->password));
		}
		if (*am_nz(cfg->am_ca_file) != '\0')
			curl_easy_setopt(c, CURLOPT_CAINFO, cfg->am_ca_file);
		if (*am_nz(cfg->am_cert_file) != '\0') {
			curl_easy_setopt(c, CURLOPT_SSLCERT, cfg->am_cert_file);
			m->client_cert = 1;
		}
		if (*am_nz(cfg->am_key_file) != '\0')
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

struct member *
am_member(struct am *am, size_t i, char **err)
{
	if (i >= am->membersz) {
		am_set_err(err, xstrdup("alertmanager: no such member"));
		return NULL;
	}
	return &am->members[i];
}

const char *
am_jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

const char *
am_jstate(struct json_object *o)
{
	struct json_object *st;
	const char *s;

	if (!json_object_object_get_ex(o, "status", &st) ||
	    (s = am_jstr(st, "state")) == NULL)
		return "";
	return s;
}

void
am_set_err(char **err, char *msg)
{
	if (err != NULL) {
		free(*err);
		*err = msg;
	} else
		free(msg);
}

const char *
am_nz(const char *s)
{
	return s != NULL ? s : "";
}

char *
am_url_escape(struct member *m, const char *s)
{
	char *e, *r;

	if ((e = curl_easy_escape(m->curl, s, 0)) == NULL)
		oom();
	r = xstrdup(e);
	curl_free(e);
	return r;
}

char *
am_filter_path(struct member *m, const char *base, const struct label *ms,
    size_t n)
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
		e = am_url_escape(m, mb.s);
		buf_printf(&b, "%cfilter=%s", i == 0 ? '?' : '&', e);
		free(e);
		buf_free(&mb);
	}
	return buf_release(&b);
}
