/*
 * fuzz_charset: src/text.c.  Any bytes in any supported database charset
 * must come out as valid UTF-8, NUL-free and within the byte bound, and
 * survive the way back (text_from_utf8) and text_width.
 * Input: byte 0 picks the charset, byte 1 the bound, the rest is text.
 */
#include "fuzz.h"
#include "text.h"

static const char *const charsets[] = {
	NULL, "", "UTF-8", "AL32UTF8", "ZHS16GBK", "GBK", "GB18030",
	"ZHS32GB18030", "ZHT16BIG5", "JA16SJIS", "JA16EUC", "KO16KSC5601",
	"WE8ISO8859P1", "WE8MSWIN1252", "US7ASCII", "UTF-16", "UTF-16LE",
	"UCS-4", "ISO-2022-JP", "UTF-7", "CP950"
};
#define NCHARSETS (sizeof(charsets) / sizeof(charsets[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	const char *cs = charsets[fz_byte(&f) % NCHARSETS];
	size_t max = fz_byte(&f), len;
	char *u, *back, *again;

	fz_quiet();
	/* 0 (no bound) and small bounds, where the "..." logic lives */
	if (max > 64)
		max = 0;
	u = text_to_utf8((const char *)f.p, f.n, cs, max);
	if (u == NULL)
		return 0;	/* charset unknown to this iconv */
	len = strlen(u);
	FUZZ_ASSERT(text_utf8_valid(u, len));
	FUZZ_ASSERT(max == 0 || len <= max);
	/* valid UTF-8 without a bound converts to itself */
	again = text_to_utf8(u, len, NULL, 0);
	FUZZ_ASSERT(again != NULL && strcmp(again, u) == 0);
	free(again);
	(void)text_width(u);
	if ((back = text_from_utf8(u, cs)) != NULL) {
		/* in the database charset: converts back to valid UTF-8 */
		again = text_to_utf8(back, strlen(back), cs, 0);
		FUZZ_ASSERT(again != NULL && text_utf8_valid(again, strlen(again)));
		free(again);
		free(back);
	}
	(void)text_utf8_valid((const char *)data, size);
	(void)text_charset_valid(cs);
	free(u);
	return 0;
}
