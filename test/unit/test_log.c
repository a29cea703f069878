/* Unit tests for log.c: file formats, thresholds, context, reopen, hook. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json.h>

#include "log.h"
#include "t.h"
#include "util.h"

static char	 path[64];

/* Reads the whole temp log file; caller frees. */
static char *
slurp(void)
{
	struct buf	 b = { 0 };
	char		 chunk[512];
	size_t		 n;
	FILE		*f;

	if ((f = fopen(path, "r")) == NULL)
		return xstrdup("");
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return buf_release(&b);
}

static void
fresh(void)
{
	int	 fd;

	snprintf(path, sizeof(path), "/tmp/zmcsync-log-XXXXXX");
	if ((fd = mkstemp(path)) != -1)
		close(fd);
	unlink(path);		/* log_open must create it */
}

TEST(test_text_file)
{
	struct stat	 st;
	char		*s;

	fresh();
	log_set_stderr_level(LOGL_NONE);
	CHECK_INT(log_open(path, "text", LOGL_INFO), 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == (0640 & ~0022 & 0777));
	log_debug("hidden %d", 1);
	log_info("alertmanager %s: up", "http://x:9093");
	log_set_context("batch", "b-1");
	log_set_context("note", "two words");
	log_warn("multi\nline");
	log_set_context("note", NULL);
	log_error("bad");
	log_set_context("batch", NULL);
	s = slurp();
	CHECK(strstr(s, "hidden") == NULL);
	CHECK(strstr(s, "Z INFO alertmanager http://x:9093: up\n") != NULL);
	CHECK(strstr(s, " WARN multi\\nline batch=b-1 note=\"two words\"\n") != NULL);
	CHECK(strstr(s, " ERROR bad batch=b-1\n") != NULL);
	/* Line starts with an RFC 3339 UTC timestamp. */
	CHECK(strlen(s) > 21 && s[4] == '-' && s[10] == 'T' && s[19] == 'Z' &&
	    s[20] == ' ');
	free(s);

	/* Reopen (reconfigure) appends and honours the new level. */
	CHECK_INT(log_open(path, "text", LOGL_DEBUG), 0);
	log_debug("now visible");
	s = slurp();
	CHECK(strstr(s, "INFO alertmanager") != NULL);
	CHECK(strstr(s, "DEBUG now visible\n") != NULL);
	free(s);
	log_close();
	unlink(path);
}

TEST(test_json_file)
{
	struct json_object	*o, *v;
	char			*s, *nl;

	fresh();
	log_set_stderr_level(LOGL_NONE);
	CHECK_INT(log_open(path, "json", LOGL_INFO), 0);
	log_set_context("batch_id", "b-2");
	log_info("alarm %d: 告警 \"quoted\"", 7);
	log_close();
	s = slurp();
	nl = strchr(s, '\n');
	CHECK(nl != NULL && nl[1] == '\0');
	o = json_tokener_parse(s);
	CHECK(o != NULL);
	if (o != NULL) {
		CHECK(json_object_object_get_ex(o, "msg", &v));
		CHECK_STR(json_object_get_string(v), "alarm 7: 告警 \"quoted\"");
		CHECK(json_object_object_get_ex(o, "level", &v));
		CHECK_STR(json_object_get_string(v), "info");
		CHECK(json_object_object_get_ex(o, "batch_id", &v));
		CHECK_STR(json_object_get_string(v), "b-2");
		CHECK(json_object_object_get_ex(o, "time", &v));
		CHECK(strlen(json_object_get_string(v)) == 20);
		json_object_put(o);
	}
	free(s);
	unlink(path);
}

static int	 hooked[LOGL_NONE];
static char	 lastmsg[256];

static void
hookfn(void *arg, enum log_level l, const char *msg)
{
	(void)arg;
	hooked[l]++;
	snprintf(lastmsg, sizeof(lastmsg), "%s", msg);
}

TEST(test_hook_and_stderr)
{
	memset(hooked, 0, sizeof(hooked));
	log_set_stderr_level(LOGL_ERROR);
	log_set_hook(hookfn, NULL);
	log_debug("d");
	log_warn("config x:1: unknown key a.b");
	CHECK_INT(hooked[LOGL_DEBUG], 1);
	CHECK_INT(hooked[LOGL_WARN], 1);
	CHECK_STR(lastmsg, "config x:1: unknown key a.b");
	log_set_hook(NULL, NULL);
	CHECK_INT(log_level_parse("WARNING"), LOGL_WARN);
	CHECK_INT(log_level_parse("Info"), LOGL_INFO);
	CHECK_INT(log_level_parse("debug"), LOGL_DEBUG);
	CHECK_INT(log_level_parse("error"), LOGL_ERROR);
	CHECK_INT(log_level_parse("loud"), -1);
}

TEST(test_open_fail)
{
	memset(hooked, 0, sizeof(hooked));
	log_set_hook(hookfn, NULL);
	CHECK_INT(log_open("/nonexistent-dir/x.log", "text", LOGL_INFO), -1);
	CHECK_INT(hooked[LOGL_ERROR], 1);
	CHECK(strstr(lastmsg, "log file /nonexistent-dir/x.log: ") == lastmsg);
	log_set_hook(NULL, NULL);
	log_close();
}

int
main(void)
{
	umask(022);
	RUN(test_text_file);
	RUN(test_json_file);
	RUN(test_hook_and_stderr);
	RUN(test_open_fail);
	return DONE();
}
