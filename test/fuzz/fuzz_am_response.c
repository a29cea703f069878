/*
 * fuzz_am_response: what src/alertmanager.c makes of Alertmanager's
 * answers: the JSON of /api/v2/status, /api/v2/silences and
 * /api/v2/alerts, silence ids, status codes, reason phrases and error
 * bodies.  The parsing is private to alertmanager.c, so the target goes
 * through the public calls (am_status, am_silences, am_silence_create,
 * am_silence_expire, am_push, am_healthy) against a tiny HTTP server in
 * a thread of this process that answers each request with the next
 * response scripted by the input.
 * Input: byte 0 picks the call; the rest is responses separated by
 * "\n--\n", each a status-code digit ('0' 200, '1' 400, '2' 401,
 * '3' 404, '4' 429, '5' 500, '6' 503, '7' 204, '8' 201, '9' 302) then
 * the body.  Requests beyond the script get 404 with no body.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <unistd.h>

#include <json.h>

#include "fuzz.h"
#include "alert.h"
#include "alertmanager.h"
#include "config.h"

#define SEP	"\n--\n"
#define MAXRESP	16

static const int codes[10] = { 200, 400, 401, 404, 429, 500, 503, 204, 201, 302 };

/* The scripted responses of the current input; the server thread reads them. */
static pthread_mutex_t	 mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
	int		 code;
	const uint8_t	*body;
	size_t		 len;
} script[MAXRESP];
static size_t		 nscript, next;
static struct am	*am;
static int		 lfd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writes all of buf; -1 if the peer went away. */
static int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);

		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Reads one request (headers and a Content-Length body); -1 on EOF or junk. */
static int
read_request(int fd)
{
	static char buf[1 << 20];
	size_t have = 0, need = 0;
	char *end, *cl;

	for (;;) {
		ssize_t r;

		buf[have] = '\0';
		if (need == 0 && (end = strstr(buf, "\r\n\r\n")) != NULL) {
			size_t hlen = (size_t)(end - buf) + 4;
			long long clen = 0;

			if ((cl = strcasestr(buf, "\r\nContent-Length:")) != NULL &&
			    cl < end)
				clen = atoll(cl + 17);
			if (clen < 0 || hlen + (size_t)clen >= sizeof(buf) - 1)
				return -1;
			need = hlen + (size_t)clen;
		}
		if (need != 0 && have >= need)
			return 0;
		if (have >= sizeof(buf) - 1)
			return -1;
		if ((r = recv(fd, buf + have, sizeof(buf) - 1 - have, 0)) <= 0)
			return -1;
		have += (size_t)r;
	}
}

/* The server thread: one connection at a time, one response each. */
static void *
serve(void *arg)
{
	(void)arg;
	for (;;) {
		int fd = accept(lfd, NULL, NULL), code = 404;
		uint8_t *body = NULL;
		size_t len = 0;
		char head[256];

		if (fd == -1)
			continue;
		if (read_request(fd) == 0) {
			pthread_mutex_lock(&mu);
			/* a copy: the input is gone once the call returns */
			if (next < nscript) {
				code = script[next].code;
				len = script[next].len;
				body = xmalloc(len + 1);
				memcpy(body, script[next].body, len);
			}
			next++;
			pthread_mutex_unlock(&mu);
			/* 204 and 304 carry no body */
			if (code == 204)
				len = 0;
			snprintf(head, sizeof(head), "HTTP/1.1 %d Fuzz Reason\r\n"
			    "Content-Type: application/json\r\n"
			    "Content-Length: %zu\r\n%s"
			    "Connection: close\r\n\r\n", code, len,
			    code == 429 || code == 503 ? "Retry-After: 1\r\n" :
			    code == 302 ? "Location: http://127.0.0.1:9/\r\n" : "");
			if (write_all(fd, head, strlen(head)) == 0 && len > 0)
				(void)write_all(fd, body, len);
			free(body);
		}
		shutdown(fd, SHUT_WR);
		close(fd);
	}
	return NULL;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sockaddr_in sa;
	socklen_t salen = sizeof(sa);
	struct config cfg;
	pthread_t th;
	char url[64], *urls[1], *err = NULL;
	int one = 1;

	(void)argc;
	(void)argv;
	fz_quiet();
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(lfd, 16) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &salen) == -1) {
		perror("fuzz_am_response: listen");
		exit(1);
	}
	if (pthread_create(&th, NULL, serve, NULL) != 0) {
		fprintf(stderr, "fuzz_am_response: no server thread\n");
		exit(1);
	}
	pthread_detach(th);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/prefix/", ntohs(sa.sin_port));
	urls[0] = url;
	memset(&cfg, 0, sizeof(cfg));
	cfg.am_urls = urls;
	cfg.am_urlsz = 1;
	cfg.am_timeout = 5;
	cfg.am_retry_count = 0;	/* one attempt: no backoff sleeps */
	cfg.am_username = "zmc";
	cfg.am_password = "fuzz";
	if ((am = am_new(&cfg, &err)) == NULL) {
		fprintf(stderr, "fuzz_am_response: %s\n", err);
		exit(1);
	}
	return 0;
}

/* Fills the script from the input after byte 0. */
static void
set_script(const uint8_t *p, size_t n)
{
	pthread_mutex_lock(&mu);
	nscript = next = 0;
	while (n > 0 && nscript < MAXRESP) {
		const uint8_t *s = memmem(p, n, SEP, sizeof(SEP) - 1);
		size_t len = s != NULL ? (size_t)(s - p) : n;

		script[nscript].code = len > 0 ? codes[(p[0] - '0' + 200) % 10] : 200;
		script[nscript].body = len > 0 ? p + 1 : p;
		script[nscript].len = len > 0 ? len - 1 : 0;
		nscript++;
		if (s == NULL)
			break;
		p = s + sizeof(SEP) - 1;
		n -= len + sizeof(SEP) - 1;
	}
	pthread_mutex_unlock(&mu);
}

/* A test alert for am_push. */
static struct alert *
mkalert(const char *id)
{
	static const char *const fmt = "{\"alarm_id\":\"%s\",\"alertname\":\"ZmcFuzz\"}";
	char js[128];
	struct alert *a;

	snprintf(js, sizeof(js), fmt, id);
	a = alert_from_labels_json(js);
	FUZZ_ASSERT(a != NULL);
	a->starts_at = 1700000000;
	return a;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct label ms[2] = {
		{ "alertname", "ZmcTest" }, { "instance", "10.0.0.1" }
	};
	struct json_object *o;
	struct alert *al[3];
	int acc[3];
	char *err = NULL, *id = NULL, *errs[3];
	int op, rc;

	if (size == 0)
		return 0;
	op = data[0] % 6;
	set_script(data + 1, size - 1);
	switch (op) {
	case 0:
		o = am_status(am, 0, &err);
		FUZZ_ASSERT(o != NULL && err == NULL);
		(void)json_object_to_json_string(o);
		json_object_put(o);
		break;
	case 1:
		o = am_silences(am, &err);
		FUZZ_ASSERT((o == NULL) == (err != NULL));
		if (o != NULL)
			FUZZ_ASSERT(json_object_is_type(o, json_type_array));
		json_object_put(o);
		break;
	case 2:
		rc = am_silence_create(am, ms, 2, 1700000000, 1700003600,
		    "fuzz", &id, &err);
		FUZZ_ASSERT(rc == 0 ? id != NULL && *id != '\0' && err == NULL :
		    id == NULL && err != NULL);
		break;
	case 3:
		rc = am_silence_expire(am, "0a1b2c3d-fuzz", &err);
		FUZZ_ASSERT((rc == 0) == (err == NULL));
		break;
	case 4:
		for (int i = 0; i < 3; i++)
			al[i] = mkalert(i == 0 ? "1" : i == 1 ? "2" : "3");
		rc = am_push(am, al, 3, acc, errs);
		FUZZ_ASSERT(rc >= -1 && rc <= 3);
		for (int i = 0; i < 3; i++) {
			/*
			 * 1 accepted by the one member (no reason), -1 refused
			 * as invalid (a reason), 0 not accepted
			 */
			FUZZ_ASSERT(acc[i] >= -1 && acc[i] <= (int)am_count(am));
			FUZZ_ASSERT(acc[i] == (int)am_count(am) ? errs[i] == NULL :
			    acc[i] == -1 ? errs[i] != NULL : rc == -1 || errs[i] != NULL);
			free(errs[i]);
			alert_free(al[i]);
		}
		break;
	default:
		rc = am_healthy(am, 0, &err);
		FUZZ_ASSERT((rc == 0) == (err == NULL));
		break;
	}
	set_script(NULL, 0);
	free(err);
	free(id);
	return 0;
}
