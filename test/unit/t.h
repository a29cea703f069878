/*
 * t.h: the unit-test harness.  Each test_*.c defines tests with TEST()
 * and lists them in main via RUN(); the binary prints one line per failed
 * check and closes with "N passed, N failed" (the line test/run sums).
 * One file alone: `make check-fast T=test_NAME`, or run build/test_NAME.
 */
#ifndef ZMCSYNC_T_H
#define ZMCSYNC_T_H

#include <stdio.h>
#include <string.h>

/*
 * A TEST() is a static function that only RUN() calls, so one left out
 * of main's RUN() list is never called: the build fails on it ("'NAME'
 * defined but not used"), whatever the warning flags.
 */
#pragma GCC diagnostic error "-Wunused-function"

static int t_passed, t_failed, t_cur_failed;
static const char *t_name;

#define TEST(name) static void name(void)
#define RUN(name) do { t_name = #name; t_cur_failed = 0; name(); \
	if (t_cur_failed) t_failed++; else t_passed++; } while (0)
#define CHECK(cond) do { if (!(cond)) { t_cur_failed = 1; \
	fprintf(stderr, "FAIL %s: %s:%d: %s\n", t_name, __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_STR(a, b) do { const char *t_a = (a), *t_b = (b); \
	if (t_a == NULL || t_b == NULL ? t_a != t_b : strcmp(t_a, t_b) != 0) { t_cur_failed = 1; \
	fprintf(stderr, "FAIL %s: %s:%d: %s == \"%s\", want \"%s\"\n", t_name, __FILE__, __LINE__, \
	    #a, t_a ? t_a : "(null)", t_b ? t_b : "(null)"); } } while (0)
#define CHECK_INT(a, b) do { long long t_a = (long long)(a), t_b = (long long)(b); \
	if (t_a != t_b) { t_cur_failed = 1; \
	fprintf(stderr, "FAIL %s: %s:%d: %s == %lld, want %lld\n", t_name, __FILE__, __LINE__, \
	    #a, t_a, t_b); } } while (0)
#define DONE() (printf("%d passed, %d failed\n", t_passed, t_failed), t_failed ? 1 : 0)

#endif
