/*
 * Unit tests for confcheck.c: every value check, table-driven (value,
 * accepted?, the reason when refused).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confcheck.h"
#include "t.h"
#include "util.h"

/* One case: the value, and NULL if it passes or the reason it fails. */
struct tcase {
	const char	*v;
	const char	*why;
};

/* Runs check over the cases; a reason is compared in full. */
static void
table(const char *name, char *(*check)(const char *), const struct tcase *c,
    size_t n)
{
	size_t	 i;
	char	*r;

	for (i = 0; i < n; i++) {
		r = check(c[i].v);
		if (r == NULL ? c[i].why != NULL : c[i].why == NULL ||
		    strcmp(r, c[i].why) != 0) {
			CHECK(!"check result");
			fprintf(stderr, "  %s(\"%s\") = %s%s%s, want %s\n", name,
			    c[i].v, r ? "\"" : "", r ? r : "ok", r ? "\"" : "",
			    c[i].why ? c[i].why : "ok");
		}
		free(r);
	}
}

#define TABLE(check, cases) \
	table(#check, check, cases, sizeof(cases) / sizeof(cases[0]))

static char *
int_1_10(const char *v)
{
	return confcheck_int(v, 1, 10);
}

static char *
enum_abc(const char *v)
{
	return confcheck_enum(v, "auto|sqlite|oracle");
}

static char *
levels(const char *v)
{
	return confcheck_levels(v, NULL);
}

TEST(test_scalars)
{
	static const struct tcase text[] = {
		{ "plain", NULL }, { "", NULL }, { "北京", NULL },
		{ "a\nb", "contains a line break" },
		{ "a\rb", "contains a line break" },
		{ "\xff", "not valid UTF-8" },
	};
	static const struct tcase ints[] = {
		{ "1", NULL }, { "10", NULL }, { "0", "not a number between 1 and 10" },
		{ "11", "not a number between 1 and 10" },
		{ "x", "not a number between 1 and 10" },
		{ "", "not a number between 1 and 10" },
	};
	static const struct tcase bools[] = {
		{ "true", NULL }, { "NO", NULL }, { "On", NULL }, { "0", NULL },
		{ "2", "not a boolean (true/false, yes/no, on/off, 1/0)" },
		{ "", "not a boolean (true/false, yes/no, on/off, 1/0)" },
	};
	static const struct tcase enums[] = {
		{ "auto", NULL }, { "Oracle", NULL },
		{ "mysql", "not one of auto|sqlite|oracle" },
		{ "auto|sqlite", "not one of auto|sqlite|oracle" },
		{ "", "not one of auto|sqlite|oracle" },
	};

	TABLE(confcheck_text, text);
	TABLE(int_1_10, ints);
	TABLE(confcheck_boolean, bools);
	TABLE(enum_abc, enums);
	CHECK_INT(confcheck_bool("YES"), 1);
	CHECK_INT(confcheck_bool("off"), 0);
	CHECK_INT(confcheck_bool("maybe"), -1);
	{
		char *r = confcheck_text(NULL);

		CHECK_STR(r, "no value");
		free(r);
	}
}

TEST(test_lists)
{
	static const struct tcase lv[] = {
		{ "0,1,2,3,4", NULL }, { " 1 , 2 ", NULL },
		{ "", "at least one level (0-4) is needed" },
		{ "1,5", "level 5 is not between 0 and 4" },
		{ "x", "level x is not between 0 and 4" },
	};
	static const struct tcase sev[] = {
		{ "critical", NULL }, { "page_now", NULL }, { "_x1", NULL },
		{ "", "not a severity (lowercase letters, digits and _, e.g. critical)" },
		{ "Critical", "not a severity (lowercase letters, digits and _, e.g. critical)" },
		{ "two words", "not a severity (lowercase letters, digits and _, e.g. critical)" },
		{ "1st", "not a severity (lowercase letters, digits and _, e.g. critical)" },
	};
	static const struct tcase sevs[] = {
		{ "", NULL }, { "critical, error", NULL },
		{ "critical,Error", "Error is not a severity" },
	};
	static const struct tcase labels[] = {
		{ "source,alarm_id", NULL }, { "_a, B9", NULL },
		{ "", "at least one label is needed (an empty matcher list "
		    "would silence everything)" },
		{ "alertname, bad-name", "bad-name is not a label name" },
		{ "9x", "9x is not a label name" },
	};
	int	 l[5] = { 0 };
	char	*r;

	TABLE(levels, lv);
	TABLE(confcheck_severity, sev);
	TABLE(confcheck_severities, sevs);
	TABLE(confcheck_labels, labels);
	r = confcheck_levels("4, 1", l);
	CHECK(r == NULL && !l[0] && l[1] && !l[2] && !l[3] && l[4]);
	free(r);
}

TEST(test_urls)
{
	static const struct tcase urls[] = {
		{ "http://a:9093", NULL }, { "https://b/am/", NULL },
		{ "http://a:9093,https://b/am/", NULL },
		{ "http://[::1]:9093", NULL }, { "HTTP://A.example_1", NULL },
		{ "", "at least one URL is needed" },
		{ "ftp://x:9093", "must start with http:// or https://" },
		{ "http://user:pw@a:9093", "credentials in the URL are not "
		    "allowed, use alertmanager.username and password" },
		{ "http://:9093", "no host" },
		{ "http://a:99999", "bad port" },
		{ "http://a:+80", "bad port" },
		{ "http://a:", "bad port" },
		{ "http://[]:1", "bad IPv6 address" },
		{ "http://[::1", "bad IPv6 address" },
		{ "http://[::1]x", "bad host" },
		{ "http://a b", "bad host name" },
		{ "http://a/x y", "contains blanks" },
		{ "http://a:9093/?x=1", "a query or fragment is not allowed" },
		{ "http://a#f", "a query or fragment is not allowed" },
		{ "http://a,ftp://b", "URL 2: must start with http:// or https://" },
	};
	static const struct tcase gen[] = {
		{ "", NULL }, { "https://zmc.example/alarm?id=1#x", NULL },
		{ "zmc", "must start with http:// or https://" },
	};

	TABLE(confcheck_urls, urls);
	TABLE(confcheck_url_opt, gen);
	CHECK(confcheck_url("http://a?q", 0) == NULL);
	CHECK(confcheck_url("http://a?q", 1) != NULL);
}

TEST(test_headers)
{
	static const struct tcase hs[] = {
		{ "", NULL }, { "X-Scope-OrgID: ops; X-Env:  prod ", NULL },
		{ ";;X-A: 1;", NULL }, { "X-Empty:", NULL },
		{ "NoColon", "header 1: expected \"Name: value\"" },
		{ "X-A: 1; NoColon", "header 2: expected \"Name: value\"" },
		{ "Bad Name: x", "header 1: bad header name" },
		{ ": x", "header 1: bad header name" },
	};
	struct cfg_header	*h = NULL;
	size_t			 n = 0;
	char			*r;

	TABLE(confcheck_header_list, hs);
	r = confcheck_headers("X-Scope-OrgID: ops; X-Env:  prod ", &h, &n);
	CHECK(r == NULL);
	CHECK_INT(n, 2);
	if (r == NULL && n == 2) {
		CHECK_STR(h[0].name, "X-Scope-OrgID");
		CHECK_STR(h[0].value, "ops");
		CHECK_STR(h[1].name, "X-Env");
		CHECK_STR(h[1].value, "prod");
	}
	confcheck_headers_free(h, n);
	free(r);
	/* a refused list hands nothing back */
	h = NULL;
	n = 0;
	r = confcheck_headers("X-A: 1; Bad Name: 2", &h, &n);
	CHECK(r != NULL && h == NULL && n == 0);
	free(r);
	CHECK_INT(confcheck_header_secret("Authorization"), 1);
	CHECK_INT(confcheck_header_secret("X-Api-KEY"), 1);
	CHECK_INT(confcheck_header_secret("Cookie"), 1);
	CHECK_INT(confcheck_header_secret("X-Scope-OrgID"), 0);
}

TEST(test_names)
{
	static const struct tcase views[] = {
		{ "NM_ALARM_SYNC_SOURCE", NULL }, { "zmc.V$X#1", NULL },
		{ "v x", "not a valid view name ([schema.]name of letters, "
		    "digits, _ $ #)" },
		{ "", "not a valid view name ([schema.]name of letters, "
		    "digits, _ $ #)" },
	};
	static const struct tcase tz[] = {
		{ "", NULL }, { "Asia/Shanghai", NULL }, { "UTC", NULL },
		{ "Asia/Shanghia", "unknown time zone Asia/Shanghia (use an "
		    "IANA name such as Asia/Shanghai)" },
	};
	static const struct tcase cs[] = {
		{ "", NULL }, { "GBK", NULL }, { "ZHS16GBK", NULL },
		{ "NOPE-1", "unknown character set NOPE-1" },
	};
	static const struct tcase ne[] = {
		{ "x", NULL }, { " ", NULL }, { "", "must not be empty" },
	};

	TABLE(confcheck_view, views);
	TABLE(confcheck_timezone, tz);
	TABLE(confcheck_charset, cs);
	TABLE(confcheck_nonempty, ne);
}

int
main(void)
{
	RUN(test_scalars);
	RUN(test_lists);
	RUN(test_urls);
	RUN(test_headers);
	RUN(test_names);
	return DONE();
}
