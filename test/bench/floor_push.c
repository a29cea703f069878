/*
 * floor_push: the floor of pushing alerts, for make bench.
 *
 *	floor_push URL FILE BATCH
 *
 * Reads FILE (one alert JSON object per line), builds every request body
 * ("[a,b,...]" of at most BATCH alerts) in memory, and only then starts
 * the clock: it posts the bodies one after the other to URL/api/v2/alerts
 * through one reused curl handle, so one keep-alive HTTP/1.1 connection
 * carries them all.  BATCH 1 is the naive peer: one POST per alert.
 * Prints one line:
 *
 *	requests=R alerts=A connections=C wall=S cpu=S maxrss_kb=K
 *
 * (C: the TCP connections opened, 1 when keep-alive held throughout);
 * wall and cpu cover the posting only; maxrss_kb is the peak of the whole
 * process (the prebuilt bodies included).  Exit 1 on any error or any
 * answer other than 200.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <curl/curl.h>

struct body {
	char	*buf;
	size_t	 len;
};

/* Discards the answer. */
static size_t
sink(char *p, size_t sz, size_t n, void *arg)
{
	return sz * n;
}

static double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
cpu_self(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/*
 * Reads the lines of path into a malloc'd array *lines (each malloc'd,
 * newline stripped, empty lines skipped) of *n entries; the caller frees
 * them.  0 ok, -1 error (reported).
 */
static int
read_lines(const char *path, char ***lines, size_t *n)
{
	FILE *f;
	char *line = NULL, **v = NULL, **nv;
	size_t cap = 0, vcap = 0, vn = 0;
	ssize_t len;

	if ((f = fopen(path, "r")) == NULL) {
		perror(path);
		return -1;
	}
	while ((len = getline(&line, &cap, f)) != -1) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		if (vn == vcap) {
			vcap = vcap ? vcap * 2 : 1024;
			if ((nv = realloc(v, vcap * sizeof(*v))) == NULL)
				goto oom;
			v = nv;
		}
		if ((v[vn] = strdup(line)) == NULL)
			goto oom;
		vn++;
	}
	free(line);
	if (ferror(f)) {
		perror(path);
		fclose(f);
		return -1;
	}
	fclose(f);
	*lines = v;
	*n = vn;
	return 0;
oom:
	fprintf(stderr, "%s: out of memory\n", path);
	exit(1);
}

int
main(int argc, char **argv)
{
	CURL *c;
	CURLcode cc;
	struct curl_slist *hdr = NULL;
	struct body *bodies;
	struct rusage ru;
	char **lines, *url, *p;
	size_t nlines, nbodies, i, j, k, len;
	long batch, code, nconn, conns = 0;
	double t0, c0, wall, cpu;

	if (argc != 4 || (batch = strtol(argv[3], NULL, 10)) < 1) {
		fprintf(stderr, "usage: floor_push URL FILE BATCH\n");
		return 2;
	}
	if (read_lines(argv[2], &lines, &nlines) != 0)
		return 1;
	len = strlen(argv[1]) + sizeof("/api/v2/alerts");
	if ((url = malloc(len)) == NULL)
		return 1;
	snprintf(url, len, "%s/api/v2/alerts", argv[1]);

	/* Every body is built before the clock starts. */
	nbodies = (nlines + batch - 1) / batch;
	if ((bodies = calloc(nbodies ? nbodies : 1, sizeof(*bodies))) == NULL)
		return 1;
	for (i = 0, k = 0; i < nlines; i += batch, k++) {
		len = 2;
		for (j = i; j < nlines && j < i + batch; j++)
			len += strlen(lines[j]) + 1;
		if ((p = bodies[k].buf = malloc(len + 1)) == NULL)
			return 1;
		*p++ = '[';
		for (j = i; j < nlines && j < i + batch; j++) {
			if (j > i)
				*p++ = ',';
			len = strlen(lines[j]);
			memcpy(p, lines[j], len);
			p += len;
		}
		*p++ = ']';
		*p = '\0';
		bodies[k].len = p - bodies[k].buf;
	}
	for (i = 0; i < nlines; i++)
		free(lines[i]);
	free(lines);

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
	    (c = curl_easy_init()) == NULL) {
		fprintf(stderr, "floor_push: curl init failed\n");
		return 1;
	}
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	/* No 100-continue round trip before large bodies. */
	hdr = curl_slist_append(hdr, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);

	t0 = now_mono();
	c0 = cpu_self();
	for (k = 0; k < nbodies; k++) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, bodies[k].buf);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)bodies[k].len);
		if ((cc = curl_easy_perform(c)) != CURLE_OK) {
			fprintf(stderr, "floor_push %s: %s\n", url,
			    curl_easy_strerror(cc));
			return 1;
		}
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		if (curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &nconn) == CURLE_OK)
			conns += nconn;
		if (code != 200) {
			fprintf(stderr, "floor_push %s: HTTP %ld\n", url, code);
			return 1;
		}
	}
	wall = now_mono() - t0;
	cpu = cpu_self() - c0;
	getrusage(RUSAGE_SELF, &ru);
	printf("requests=%zu alerts=%zu connections=%ld wall=%.6f cpu=%.6f "
	    "maxrss_kb=%ld\n", nbodies, nlines, conns, wall, cpu, ru.ru_maxrss);

	curl_easy_cleanup(c);
	curl_slist_free_all(hdr);
	curl_global_cleanup();
	for (k = 0; k < nbodies; k++)
		free(bodies[k].buf);
	free(bodies);
	free(url);
	return 0;
}
