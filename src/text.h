/*
 * text: character sets and UTF-8 hygiene.  Alertmanager replaces every
 * invalid byte with U+FFFD, so zmcsync converts and repairs text itself
 * before it leaves the process, never dropping the alarm.
 */
#ifndef ZMCSYNC_TEXT_H
#define ZMCSYNC_TEXT_H

#include <stddef.h>

/*
 * Converts len bytes of s from charset (iconv name, e.g. "GBK"; NULL, ""
 * or "UTF-8" means already UTF-8; Oracle NLS names such as ZHS16GBK and
 * AL32UTF8 are understood) to valid UTF-8: each invalid or unconvertible
 * byte (sequence), and each NUL byte, becomes U+FFFD and the rest of the
 * text is kept.  The result is cut at a character boundary to
 * at most maxbytes bytes (0: no bound), ending in "..." when cut.
 * Returns a new string (caller frees); NULL only if charset is unknown.
 */
char	*text_to_utf8(const char *s, size_t len, const char *charset,
	    size_t maxbytes);
/* Converts UTF-8 to charset for binding; invalid -> '?'. Caller frees; NULL if unknown charset. */
char	*text_from_utf8(const char *s, const char *charset);
/* 1 if charset is known to iconv (NULL/"" count as UTF-8), else 0. */
int	 text_charset_valid(const char *charset);
/* 1 if s is valid UTF-8, else 0. */
int	 text_utf8_valid(const char *s, size_t len);
/* Display width of UTF-8 s in terminal columns (CJK counts 2). */
size_t	 text_width(const char *s);

#endif
