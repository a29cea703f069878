/*
 * fuzz_oracle_split: dialect_split_script (src/dialect.c), which splits
 * the Oracle ("/" lines), PostgreSQL ($$ bodies) and SQLite init scripts
 * into statements.  Every statement must be non-empty, end without
 * blanks, and hold no "/" terminator line (Oracle).
 * Input: byte 0 picks the dialect, the rest is the script.
 */
#include <ctype.h>

#include "fuzz.h"
#include "dialect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	enum dialect d = (enum dialect)(fz_byte(&f) % DIALECT__COUNT);
	char *script = fz_rest(&f), **v;
	size_t n = 0, len;

	fz_quiet();
	v = dialect_split_script(d, script, &n);
	FUZZ_ASSERT(n == 0 || v != NULL);
	for (size_t i = 0; i < n; i++) {
		FUZZ_ASSERT(v[i] != NULL);
		len = strlen(v[i]);
		FUZZ_ASSERT(len > 0);
		FUZZ_ASSERT(!isspace((unsigned char)v[i][len - 1]));
		if (d == DIALECT_ORACLE)
			for (const char *l = v[i]; l != NULL; ) {
				const char *e = strchr(l, '\n');
				size_t ll = e != NULL ? (size_t)(e - l) : strlen(l);

				while (ll > 0 && isspace((unsigned char)*l)) {
					l++;
					ll--;
				}
				while (ll > 0 && isspace((unsigned char)l[ll - 1]))
					ll--;
				FUZZ_ASSERT(!(ll == 1 && *l == '/'));
				l = e != NULL ? e + 1 : NULL;
			}
	}
	strv_free(v, n);
	free(script);
	return 0;
}
