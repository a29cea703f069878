/*
 * text: iconv conversion and UTF-8 repair.  Alarm text from an Oracle
 * database in ZHS16GBK must reach Alertmanager as valid UTF-8, whole:
 * a bad byte costs one U+FFFD, never the rest of the message.
 */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "util.h"

#define REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD in UTF-8 */

/*
 * Oracle NLS character set names operators copy from NLS_CHARACTERSET,
 * mapped to iconv names.  Anything else goes to iconv as given.
 */
static const struct {
	const char	*oracle;
	const char	*iconv;
} charset_alias[] = {
	{ "AL32UTF8", "UTF-8" },
	{ "UTF8", "UTF-8" },
	{ "ZHS16GBK", "GBK" },
	{ "ZHS32GB18030", "GB18030" },
	{ "ZHT16BIG5", "BIG5" },
	{ "ZHT16MSWIN950", "CP950" },
	{ "JA16SJIS", "SHIFT_JIS" },
	{ "JA16EUC", "EUC-JP" },
	{ "KO16KSC5601", "EUC-KR" },
	{ "WE8ISO8859P1", "ISO-8859-1" },
	{ "WE8MSWIN1252", "CP1252" },
	{ "US7ASCII", "ASCII" },
};

/* The iconv name for charset; NULL means UTF-8 (no conversion needed). */
static const char *
charset_name(const char *cs)
{
	size_t	 i;

	if (cs == NULL || *cs == '\0')
		return NULL;
	for (i = 0; i < sizeof(charset_alias) / sizeof(charset_alias[0]); i++)
		if (str_eq_ci(cs, charset_alias[i].oracle)) {
			cs = charset_alias[i].iconv;
			break;
		}
	if (str_eq_ci(cs, "UTF-8"))
		return NULL;
	return cs;
}

/*
 * Length of the valid UTF-8 sequence at s (at most n bytes), or 0 if
 * none starts there; *prefix gets how many bytes form a valid beginning
 * (at least 1), which is what one U+FFFD replaces (the Unicode
 * "maximal subpart" practice).  Overlongs, surrogates and values above
 * U+10FFFF are invalid.
 */
static size_t
utf8_seq(const unsigned char *s, size_t n, size_t *prefix)
{
	unsigned char	 c = s[0], lo = 0x80, hi = 0xbf;
	size_t		 len, i;

	*prefix = 1;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	for (i = 1; i < len; i++) {
		if (i >= n)
			return 0;
		if (s[i] < lo || s[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
		*prefix = i + 1;
	}
	return len;
}

/*
 * Appends s (n bytes) to b with every invalid sequence and every NUL
 * byte (which would end the C string early) replaced by repl.
 */
static void
utf8_repair(struct buf *b, const char *s, size_t n, const char *repl)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, start = 0, len, prefix;

	while (i < n) {
		len = p[i] == 0 ? 0 : utf8_seq(p + i, n - i, &prefix);
		if (len > 0) {
			i += len;
			continue;
		}
		buf_add(b, s + start, i - start);
		buf_puts(b, repl);
		i += p[i] == 0 ? 1 : prefix;
		start = i;
	}
	buf_add(b, s + start, n - start);
}

int
text_utf8_valid(const char *s, size_t len)
{
	size_t	 i = 0, n, prefix;

	while (i < len) {
		if ((n = utf8_seq((const unsigned char *)s + i, len - i,
		    &prefix)) == 0)
			return 0;
		i += n;
	}
	return 1;
}

/*
 * Converts with cd, replacing what iconv rejects: an invalid or
 * unconvertible input byte becomes repl and conversion resumes at the
 * next byte; an incomplete sequence at the end becomes repl.
 * skipchar: on EILSEQ skip a whole UTF-8 character (input is UTF-8).
 */
static void
convert(iconv_t cd, const char *s, size_t len, const char *repl,
    int skipchar, struct buf *b)
{
	char	 out[1024], *in = (char *)s, *op;
	size_t	 inleft = len, outleft, skip, prefix;

	while (inleft > 0) {
		op = out;
		outleft = sizeof(out);
		if (iconv(cd, &in, &inleft, &op, &outleft) != (size_t)-1) {
			buf_add(b, out, sizeof(out) - outleft);
			break;
		}
		buf_add(b, out, sizeof(out) - outleft);
		if (errno == E2BIG)
			continue;
		buf_puts(b, repl);
		if (errno == EINVAL)	/* truncated at the end */
			break;
		/* EILSEQ (or anything else): step over the bad input. */
		skip = 1;
		if (skipchar && (skip = utf8_seq((unsigned char *)in, inleft,
		    &prefix)) == 0)
			skip = prefix;
		in += skip;
		inleft -= skip;
		iconv(cd, NULL, NULL, NULL, NULL);
	}
	op = out;
	outleft = sizeof(out);
	if (iconv(cd, NULL, NULL, &op, &outleft) != (size_t)-1)
		buf_add(b, out, sizeof(out) - outleft);
}

/* Cuts UTF-8 s at a character boundary to max bytes including "...". */
static void
utf8_cut(char *s, size_t max)
{
	size_t	 len = strlen(s), end;

	if (max == 0 || len <= max)
		return;
	if (max < 3) {
		memcpy(s, "...", max);
		s[max] = '\0';
		return;
	}
	end = max - 3;
	/* Back up over continuation bytes to the start of a character. */
	while (end > 0 && ((unsigned char)s[end] & 0xc0) == 0x80)
		end--;
	memcpy(s + end, "...", 4);
}

char *
text_to_utf8(const char *s, size_t len, const char *charset,
    size_t maxbytes)
{
	struct buf	 conv = { 0 }, fixed = { 0 };
	const char	*cs;
	iconv_t		 cd;
	char		*r;

	if (s == NULL)
		len = 0;
	if ((cs = charset_name(charset)) == NULL) {
		/* Most text is plain ASCII: nothing to convert or repair. */
		size_t i;

		for (i = 0; i < len && (unsigned char)s[i] >= 0x01 &&
		    (unsigned char)s[i] < 0x80; i++)
			;
		if (i == len) {
			r = xstrndup(s != NULL ? s : "", len);
			utf8_cut(r, maxbytes);
			return r;
		}
	}
	if (cs != NULL) {
		if ((cd = iconv_open("UTF-8", cs)) == (iconv_t)-1)
			return NULL;
		convert(cd, s, len, REPLACEMENT, 0, &conv);
		iconv_close(cd);
		s = conv.s;
		len = conv.len;
	}
	/* Also after iconv: NULs and anything a converter let through. */
	utf8_repair(&fixed, s != NULL ? s : "", len, REPLACEMENT);
	buf_free(&conv);
	r = buf_release(&fixed);
	utf8_cut(r, maxbytes);
	return r;
}

char *
text_from_utf8(const char *s, const char *charset)
{
	struct buf	 fixed = { 0 }, conv = { 0 };
	const char	*cs;
	iconv_t		 cd;

	if (s == NULL)
		s = "";
	cs = charset_name(charset);
	if (cs != NULL && (cd = iconv_open(cs, "UTF-8")) == (iconv_t)-1)
		return NULL;
	utf8_repair(&fixed, s, strlen(s), "?");
	if (cs == NULL)
		return buf_release(&fixed);
	convert(cd, fixed.s, fixed.len, "?", 1, &conv);
	iconv_close(cd);
	buf_free(&fixed);
	return buf_release(&conv);
}

int
text_charset_valid(const char *charset)
{
	const char	*cs;
	iconv_t		 cd;

	if ((cs = charset_name(charset)) == NULL)
		return 1;
	if ((cd = iconv_open("UTF-8", cs)) == (iconv_t)-1)
		return 0;
	iconv_close(cd);
	if ((cd = iconv_open(cs, "UTF-8")) == (iconv_t)-1)
		return 0;
	iconv_close(cd);
	return 1;
}

/* East Asian Wide and Fullwidth ranges (a compact approximation). */
static const struct {
	unsigned int	 lo, hi;
} wide[] = {
	{ 0x1100, 0x115f }, { 0x231a, 0x231b }, { 0x2329, 0x232a },
	{ 0x2e80, 0x303e }, { 0x3041, 0x33ff }, { 0x3400, 0x4dbf },
	{ 0x4e00, 0x9fff }, { 0xa000, 0xa4cf }, { 0xa960, 0xa97f },
	{ 0xac00, 0xd7a3 }, { 0xf900, 0xfaff }, { 0xfe10, 0xfe19 },
	{ 0xfe30, 0xfe6f }, { 0xff00, 0xff60 }, { 0xffe0, 0xffe6 },
	{ 0x1f300, 0x1f64f }, { 0x1f900, 0x1f9ff }, { 0x20000, 0x2fffd },
	{ 0x30000, 0x3fffd },
};

/* Columns of code point c: 0 for controls and combining marks. */
static size_t
cp_width(unsigned int c)
{
	size_t	 i;

	if (c < 0x20 || (c >= 0x7f && c < 0xa0))
		return 0;
	if ((c >= 0x300 && c <= 0x36f) || (c >= 0x200b && c <= 0x200f) ||
	    (c >= 0xfe00 && c <= 0xfe0f))
		return 0;
	for (i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if (c >= wide[i].lo && c <= wide[i].hi)
			return 2;
	return 1;
}

size_t
text_width(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 w = 0, n, len, prefix, i;
	unsigned int		 c;

	if (s == NULL)
		return 0;
	len = strlen(s);
	for (i = 0; i < len; i += n) {
		if ((n = utf8_seq(p + i, len - i, &prefix)) == 0) {
			w++;		/* shown as one replacement glyph */
			n = prefix;
			continue;
		}
		if (n == 1)
			c = p[i];
		else if (n == 2)
			c = (p[i] & 0x1fu) << 6 | (p[i + 1] & 0x3fu);
		else if (n == 3)
			c = (p[i] & 0x0fu) << 12 | (p[i + 1] & 0x3fu) << 6 |
			    (p[i + 2] & 0x3fu);
		else
			c = (p[i] & 0x07u) << 18 | (p[i + 1] & 0x3fu) << 12 |
			    (p[i + 2] & 0x3fu) << 6 | (p[i + 3] & 0x3fu);
		w += cp_width(c);
	}
	return w;
}
