/* Unit tests for util.c: buffers, lists, numbers, RFC 3339, time zones. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "t.h"
#include "util.h"

TEST(test_buf)
{
	struct buf	 b = { 0 };
	char		*s;
	int		 i;

	buf_puts(&b, "abc");
	buf_add(&b, "defgh", 2);
	buf_printf(&b, "-%d-%s", 42, "x");
	CHECK_STR(b.s, "abcde-42-x");
	CHECK_INT(b.len, 10);
	for (i = 0; i < 1000; i++)
		buf_puts(&b, "0123456789");
	CHECK_INT(b.len, 10010);
	CHECK_INT(strlen(b.s), 10010);
	s = buf_release(&b);
	CHECK(b.s == NULL && b.len == 0 && b.cap == 0);
	CHECK(strncmp(s, "abcde-42-x0123", 14) == 0);
	free(s);
	s = buf_release(&b);	/* empty buffer releases "" */
	CHECK_STR(s, "");
	free(s);
	buf_free(&b);
}

TEST(test_xalloc)
{
	char	*s;
	int	*v = NULL;
	size_t	 cap = 0;

	CHECK(xstrdup(NULL) == NULL);
	s = xstrndup("hello", 3);
	CHECK_STR(s, "hel");
	free(s);
	s = xstrndup("hi", 10);
	CHECK_STR(s, "hi");
	free(s);
	s = xasprintf("%s=%d", "a", 7);
	CHECK_STR(s, "a=7");
	free(s);
	v = xreallocarray_grow(v, &cap, 3, sizeof(*v));
	CHECK(cap >= 3);
	v[2] = 5;
	v = xreallocarray_grow(v, &cap, 100, sizeof(*v));
	CHECK(cap >= 100);
	CHECK_INT(v[2], 5);
	free(v);
}

TEST(test_str)
{
	char		**v;
	size_t		 n;
	long long	 x;

	CHECK(str_eq_ci("Oracle", "ORACLE"));
	CHECK(!str_eq_ci("Oracle", "Oracl"));
	CHECK(str_eq_ci(NULL, NULL));
	CHECK(!str_eq_ci("a", NULL));

	v = str_split_list(" a, b ,,c ,  ", &n);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(v[0], "a");
		CHECK_STR(v[1], "b");
		CHECK_STR(v[2], "c");
		CHECK(v[3] == NULL);
	}
	strv_free(v, n);
	v = str_split_list("", &n);
	CHECK_INT(n, 0);
	CHECK(v != NULL && v[0] == NULL);
	strv_free(v, n);
	v = str_split_list(NULL, &n);
	CHECK_INT(n, 0);
	strv_free(v, n);
	v = str_split_list("single", &n);
	CHECK_INT(n, 1);
	CHECK_STR(v[0], "single");
	strv_free(v, n);

	CHECK_INT(str_to_int("42", 1, 100, &x), 0);
	CHECK_INT(x, 42);
	CHECK_INT(str_to_int(" 7 ", 1, 100, &x), 0);
	CHECK_INT(x, 7);
	CHECK_INT(str_to_int("-3", -5, 5, &x), 0);
	CHECK_INT(x, -3);
	CHECK_INT(str_to_int("101", 1, 100, &x), -1);
	CHECK_INT(str_to_int("0", 1, 100, &x), -1);
	CHECK_INT(str_to_int("12abc", 1, 100, &x), -1);
	CHECK_INT(str_to_int("", 1, 100, &x), -1);
	CHECK_INT(str_to_int("0x10", 0, 100, &x), -1);
	CHECK_INT(str_to_int("99999999999999999999", 0, 100, &x), -1);
	CHECK_INT(str_to_int(NULL, 0, 100, &x), -1);
}

TEST(test_rfc3339)
{
	char	 out[32];
	time_t	 t;

	CHECK_STR(time_rfc3339(0, out), "1970-01-01T00:00:00Z");
	CHECK_STR(time_rfc3339(1705314600, out), "2024-01-15T10:30:00Z");
	CHECK_INT(time_parse_rfc3339("2024-01-15T10:30:00Z", &t), 0);
	CHECK_INT(t, 1705314600);
	CHECK_INT(time_parse_rfc3339("2024-01-15T18:30:00+08:00", &t), 0);
	CHECK_INT(t, 1705314600);
	CHECK_INT(time_parse_rfc3339("2024-01-15T05:30:00.123456-05:00", &t), 0);
	CHECK_INT(t, 1705314600);
	CHECK_INT(time_parse_rfc3339("2024-01-15 10:30:00z", &t), 0);
	CHECK_INT(t, 1705314600);
	CHECK_INT(time_parse_rfc3339("2024-01-15T10:30:00", &t), -1);
	CHECK_INT(time_parse_rfc3339("2024-01-15", &t), -1);
	CHECK_INT(time_parse_rfc3339("2024-02-30T10:30:00Z", &t), -1);
	CHECK_INT(time_parse_rfc3339("2024-01-15T25:30:00Z", &t), -1);
	CHECK_INT(time_parse_rfc3339("2024-01-15T10:30:00Zjunk", &t), -1);
	CHECK_INT(time_parse_rfc3339("garbage", &t), -1);
}

TEST(test_tz_valid)
{
	CHECK(tz_valid("Asia/Shanghai"));
	CHECK(tz_valid("America/New_York"));
	CHECK(tz_valid("UTC"));
	CHECK(tz_valid(NULL));
	CHECK(tz_valid(""));
	CHECK(!tz_valid("Asia/Shanghia"));
	CHECK(!tz_valid("Mars/Olympus"));
	CHECK(!tz_valid("../../etc/passwd"));
	CHECK(!tz_valid("/etc/localtime"));
	CHECK(!tz_valid("Asia"));	/* a directory, not a zone */
	CHECK(!tz_valid("CST-8"));	/* POSIX strings are not accepted */
}

TEST(test_tz_convert)
{
	time_t	 t;
	char	 out[32];

	/* Fixed +8, no DST. */
	CHECK_INT(tz_to_utc("Asia/Shanghai", 2024, 1, 15, 18, 30, 0, &t), 0);
	CHECK_INT(t, 1705314600);
	CHECK_INT(tz_to_utc("Asia/Shanghai", 2024, 7, 1, 8, 0, 0, &t), 0);
	CHECK_INT(t, 1719792000);	/* 2024-07-01T00:00:00Z */
	CHECK_INT(tz_from_utc("Asia/Shanghai", 1705314600, out), 0);
	CHECK_STR(out, "2024-01-15 18:30:00");

	/* Europe/Berlin: +1 in winter, +2 in summer. */
	CHECK_INT(tz_to_utc("Europe/Berlin", 2024, 1, 15, 11, 30, 0, &t), 0);
	CHECK_INT(t, 1705314600);
	CHECK_INT(tz_to_utc("Europe/Berlin", 2024, 7, 1, 2, 0, 0, &t), 0);
	CHECK_INT(t, 1719792000);
	/* Berlin gap 2024-03-31 02:30 (02:00 -> 03:00): old offset +1. */
	CHECK_INT(tz_to_utc("Europe/Berlin", 2024, 3, 31, 2, 30, 0, &t), 0);
	CHECK_INT(t, 1711848600);	/* 01:30Z = 03:30 CEST */
	/* Berlin overlap 2024-10-27 02:30 happens twice: earlier (CEST). */
	CHECK_INT(tz_to_utc("Europe/Berlin", 2024, 10, 27, 2, 30, 0, &t), 0);
	CHECK_INT(t, 1729989000);	/* 00:30Z */

	/* New York gap: 2024-03-10 02:30 does not exist -> 07:30Z. */
	CHECK_INT(tz_to_utc("America/New_York", 2024, 3, 10, 2, 30, 0, &t), 0);
	CHECK_INT(t, 1710055800);
	CHECK_INT(tz_from_utc("America/New_York", t, out), 0);
	CHECK_STR(out, "2024-03-10 03:30:00");
	/* Just before and after the gap are exact. */
	CHECK_INT(tz_to_utc("America/New_York", 2024, 3, 10, 1, 59, 59, &t), 0);
	CHECK_INT(t, 1710053999);	/* 06:59:59Z EST */
	CHECK_INT(tz_to_utc("America/New_York", 2024, 3, 10, 3, 0, 0, &t), 0);
	CHECK_INT(t, 1710054000);	/* 07:00Z EDT */
	/* New York overlap: 2024-11-03 01:30 twice -> the EDT one, 05:30Z. */
	CHECK_INT(tz_to_utc("America/New_York", 2024, 11, 3, 1, 30, 0, &t), 0);
	CHECK_INT(t, 1730611800);
	CHECK_INT(tz_to_utc("America/New_York", 2024, 11, 3, 2, 30, 0, &t), 0);
	CHECK_INT(t, 1730619000);	/* 07:30Z EST, unambiguous */

	CHECK_INT(tz_to_utc("UTC", 2024, 1, 15, 10, 30, 0, &t), 0);
	CHECK_INT(t, 1705314600);
	CHECK_INT(tz_to_utc("Nowhere/City", 2024, 1, 15, 10, 30, 0, &t), -1);
	CHECK_INT(tz_to_utc("UTC", 2024, 2, 30, 10, 30, 0, &t), -1);
	CHECK_INT(tz_to_utc("UTC", 2024, 13, 1, 10, 30, 0, &t), -1);
	CHECK_INT(tz_from_utc("Nowhere/City", 0, out), -1);
}

TEST(test_tz_parse_local)
{
	time_t	 t;

	CHECK_INT(tz_parse_local("Asia/Shanghai", "2024-01-15 18:30:00", &t), 0);
	CHECK_INT(t, 1705314600);
	CHECK_INT(tz_parse_local("Asia/Shanghai", "2024-01-15T18:30:00.500", &t), 0);
	CHECK_INT(t, 1705314600);
	CHECK_INT(tz_parse_local("Asia/Shanghai", " 2024-01-16 ", &t), 0);
	CHECK_INT(t, 1705334400);	/* 2024-01-15T16:00:00Z */
	CHECK_INT(tz_parse_local("UTC", "2024-01-15 10:30:00 junk", &t), -1);
	CHECK_INT(tz_parse_local("UTC", "2024-01-15 10:30", &t), -1);
	CHECK_INT(tz_parse_local("UTC", "", &t), -1);
}

/* The caller's TZ is what it was before, set or unset. */
TEST(test_tz_restore)
{
	time_t		 t;
	const char	*tz;

	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	CHECK_INT(tz_to_utc("Asia/Shanghai", 2024, 1, 15, 18, 30, 0, &t), 0);
	tz = getenv("TZ");
	CHECK_STR(tz, "Europe/Berlin");
	/* NULL zone = the process zone, Berlin here. */
	CHECK_INT(tz_to_utc(NULL, 2024, 1, 15, 11, 30, 0, &t), 0);
	CHECK_INT(t, 1705314600);
	unsetenv("TZ");
	tzset();
	CHECK_INT(tz_to_utc("Asia/Shanghai", 2024, 1, 15, 18, 30, 0, &t), 0);
	CHECK(getenv("TZ") == NULL);
}

TEST(test_monotonic)
{
	double	 a, b;

	a = now_monotonic();
	usleep(20000);
	b = now_monotonic();
	CHECK(a > 0);
	CHECK(b - a >= 0.015 && b - a < 5.0);
}

int
main(void)
{
	RUN(test_buf);
	RUN(test_xalloc);
	RUN(test_str);
	RUN(test_rfc3339);
	RUN(test_tz_valid);
	RUN(test_tz_convert);
	RUN(test_tz_parse_local);
	RUN(test_tz_restore);
	RUN(test_monotonic);
	return DONE();
}
