/*
 * fuzz.h: helpers shared by the libFuzzer targets (test/fuzz/fuzz_*.c):
 * a reader that cuts the fuzzer's bytes into the fields a target needs,
 * and a check that aborts (so libFuzzer keeps the input) when a
 * property the code promises does not hold.
 */
#ifndef ZMCSYNC_FUZZ_H
#define ZMCSYNC_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

/* Aborts with the broken property: libFuzzer saves the input as a crash. */
#define FUZZ_ASSERT(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz: %s:%d: property failed: %s\n", __FILE__, \
	    __LINE__, #cond); abort(); } } while (0)

/* The fuzzer's bytes, consumed front to back. */
struct fz {
	const uint8_t	*p;
	size_t		 n;
};

/* Next byte, 0 once the input is used up. */
static inline unsigned
fz_byte(struct fz *f)
{
	if (f->n == 0)
		return 0;
	f->n--;
	return *f->p++;
}

/* Next 8 bytes as a signed integer (missing bytes are 0). */
static inline int64_t
fz_i64(struct fz *f)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | fz_byte(f);
	return (int64_t)v;
}

/*
 * Next string: the bytes up to the next NUL (consumed, not included) or
 * the end.  An empty string gives NULL when empty_null, as SQL NULL.
 * Caller frees.
 */
static inline char *
fz_str(struct fz *f, int empty_null)
{
	const uint8_t *z = memchr(f->p, '\0', f->n);
	size_t len = z != NULL ? (size_t)(z - f->p) : f->n;
	char *s;

	if (len == 0 && empty_null) {
		if (f->n > 0) {
			f->p++;
			f->n--;
		}
		return NULL;
	}
	s = xstrndup((const char *)f->p, len);
	f->p += len;
	f->n -= len;
	if (f->n > 0) {
		f->p++;
		f->n--;
	}
	return s;
}

/* The rest of the input as a NUL-terminated string (cut at a NUL). Caller frees. */
static inline char *
fz_rest(struct fz *f)
{
	char *s = xstrndup((const char *)f->p, f->n);

	f->p += f->n;
	f->n = 0;
	return s;
}

/* Discards every diagnostic: a target must not flood the fuzzer's output. */
static void
fz_log_discard(void *arg, enum log_level l, const char *msg)
{
	(void)arg;
	(void)l;
	(void)msg;
}

static inline void
fz_quiet(void)
{
	log_set_hook(fz_log_discard, NULL);
}

#endif
