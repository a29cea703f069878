/* Unit tests for text.c: GBK conversion, UTF-8 repair, truncation, width. */
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "text.h"

/* "告警" (alarm) in GBK, checked with iconv(1): B8E6 BEAF. */
static const char gbk_alarm[] = "\xb8\xe6\xbe\xaf";
/* "CPU使用率过高" (CPU usage too high) in GBK. */
static const char gbk_cpu[] = "CPU\xca\xb9\xd3\xc3\xc2\xca\xb9\xfd\xb8\xdf";
#define FFFD "\xef\xbf\xbd"

TEST(test_gbk)
{
	char	*s;

	s = text_to_utf8(gbk_alarm, 4, "GBK", 0);
	CHECK_STR(s, "告警");
	free(s);
	s = text_to_utf8(gbk_cpu, strlen(gbk_cpu), "gbk", 0);
	CHECK_STR(s, "CPU使用率过高");
	free(s);
	/* Oracle's NLS name works too. */
	s = text_to_utf8(gbk_alarm, 4, "ZHS16GBK", 0);
	CHECK_STR(s, "告警");
	free(s);
	s = text_to_utf8(gbk_alarm, 4, "GB18030", 0);
	CHECK_STR(s, "告警");
	free(s);
}

/* The test's own iconv agrees with the hard-coded bytes. */
TEST(test_gbk_bytes)
{
	iconv_t	 cd;
	char	 in[] = "告警", out[16], *ip = in, *op = out;
	size_t	 il = strlen(in), ol = sizeof(out);

	cd = iconv_open("GBK", "UTF-8");
	CHECK(cd != (iconv_t)-1);
	if (cd == (iconv_t)-1)
		return;
	CHECK(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
	iconv_close(cd);
	CHECK_INT(sizeof(out) - ol, 4);
	CHECK(memcmp(out, gbk_alarm, 4) == 0);
}

TEST(test_gbk_invalid)
{
	char	*s;
	/* 告 + 0x81 lead byte with an impossible trail (space) + 警 + 0xFF + "ok". */
	const char in[] = "\xb8\xe6\x81" " A" "\xbe\xaf\xff" "ok";
	/* incomplete multibyte character at the very end */
	const char tail[] = "\xb8\xe6\xbe";

	s = text_to_utf8(in, sizeof(in) - 1, "GBK", 0);
	CHECK_STR(s, "告" FFFD " A警" FFFD "ok");
	free(s);
	s = text_to_utf8(tail, sizeof(tail) - 1, "GBK", 0);
	CHECK_STR(s, "告" FFFD);
	free(s);
	/* Embedded NUL does not end the text. */
	s = text_to_utf8("a\0b", 3, "GBK", 0);
	CHECK_STR(s, "a" FFFD "b");
	free(s);
}

TEST(test_utf8_repair)
{
	char	*s;

	s = text_to_utf8("告警 ok", strlen("告警 ok"), NULL, 0);
	CHECK_STR(s, "告警 ok");
	free(s);
	s = text_to_utf8("a\xffz", 3, "UTF-8", 0);
	CHECK_STR(s, "a" FFFD "z");
	free(s);
	/* Truncated 3-byte sequence in the middle: one U+FFFD, rest kept. */
	s = text_to_utf8("x\xe5\x91y", 4, "", 0);
	CHECK_STR(s, "x" FFFD "y");
	free(s);
	/* Overlong "/" and a UTF-16 surrogate are invalid. */
	s = text_to_utf8("\xc0\xaf|\xed\xa0\x80|", 7, "utf8", 0);
	CHECK_STR(s, FFFD FFFD "|" FFFD FFFD FFFD "|");
	free(s);
	s = text_to_utf8(NULL, 0, NULL, 0);
	CHECK_STR(s, "");
	free(s);
	CHECK(text_to_utf8("x", 1, "NO-SUCH-CHARSET", 0) == NULL);
}

TEST(test_truncate)
{
	char	*s;
	size_t	 max;

	/* "告警告警" is 12 bytes; 10 allows 7 + "...": only 告警 fits (6). */
	s = text_to_utf8("告警告警", 12, NULL, 10);
	CHECK_STR(s, "告警...");
	free(s);
	s = text_to_utf8("告警告警", 12, NULL, 12);
	CHECK_STR(s, "告警告警");
	free(s);
	s = text_to_utf8("abcdef", 6, NULL, 5);
	CHECK_STR(s, "ab...");
	free(s);
	s = text_to_utf8(gbk_cpu, strlen(gbk_cpu), "GBK", 11);
	CHECK_STR(s, "CPU使...");
	free(s);
	/* Every bound gives valid UTF-8 no longer than the bound. */
	for (max = 1; max < 24; max++) {
		s = text_to_utf8(gbk_cpu, strlen(gbk_cpu), "GBK", max);
		CHECK(s != NULL && strlen(s) <= max);
		CHECK(text_utf8_valid(s, strlen(s)));
		free(s);
	}
}

TEST(test_from_utf8)
{
	char	*s;

	s = text_from_utf8("告警", "GBK");
	CHECK_STR(s, gbk_alarm);
	free(s);
	/* U+1F525 (an emoji) has no GBK code -> '?', invalid byte -> '?'. */
	s = text_from_utf8("a\xf0\x9f\x94\xa5" "b\xff" "告", "GBK");
	CHECK_STR(s, "a?b?\xb8\xe6");
	free(s);
	s = text_from_utf8("x\xffy", NULL);
	CHECK_STR(s, "x?y");
	free(s);
	CHECK(text_from_utf8("x", "NO-SUCH-CHARSET") == NULL);
}

TEST(test_charset_valid)
{
	CHECK(text_charset_valid("GBK"));
	CHECK(text_charset_valid("gb18030"));
	CHECK(text_charset_valid("ZHS16GBK"));
	CHECK(text_charset_valid("AL32UTF8"));
	CHECK(text_charset_valid(""));
	CHECK(text_charset_valid(NULL));
	CHECK(!text_charset_valid("GBKK"));
}

TEST(test_utf8_valid)
{
	CHECK(text_utf8_valid("告警", strlen("告警")));
	CHECK(text_utf8_valid("", 0));
	CHECK(!text_utf8_valid("\xe5\x91", 2));
	CHECK(!text_utf8_valid("\xf5\x80\x80\x80", 4));
	CHECK(text_utf8_valid("\xf0\x9f\x94\xa5", 4));
}

TEST(test_width)
{
	CHECK_INT(text_width("abc"), 3);
	CHECK_INT(text_width("告警"), 4);
	CHECK_INT(text_width("CPU使用率"), 9);
	CHECK_INT(text_width("ＡＢ"), 4);	/* fullwidth forms */
	CHECK_INT(text_width("e\xcc\x81"), 1);	/* combining accent */
	CHECK_INT(text_width(""), 0);
	CHECK_INT(text_width("a\xffz"), 3);
}

int
main(void)
{
	RUN(test_gbk);
	RUN(test_gbk_bytes);
	RUN(test_gbk_invalid);
	RUN(test_utf8_repair);
	RUN(test_truncate);
	RUN(test_from_utf8);
	RUN(test_charset_valid);
	RUN(test_utf8_valid);
	RUN(test_width);
	return DONE();
}
