/*
 * conffile: reads the files of the configuration, knowing nothing of its
 * keys.  The INI file: iniparser reads the values; a line scanner that
 * follows iniparser's rules learns the line of each section and key
 * (iniparser keeps none), so every message can name file:line, and
 * reports syntax errors.  A secret file (*_file keys): one line.
 */
#ifndef ZMCSYNC_CONFFILE_H
#define ZMCSYNC_CONFFILE_H

#include <stddef.h>

/* One [section] or key = value line, in file order; its strings are one allocation. */
struct conffile_line {
	char	*section;	/* lowercased, trimmed; "" before any [section] */
	char	*key;		/* lowercased, trimmed; NULL for a [section] */
	char	*raw;		/* value text after '=' as written (trimmed) */
	int	 lineno;	/* first line of a continued line */
};

struct conffile {
	char			*path;
	struct conffile_line	*lines;
	size_t			 n;
	int			 world_readable;	/* o+r on the file */
	void			*dict;		/* iniparser's dictionary */
};

/*
 * Reads path.  0 with *out set; 0 with *out NULL when the file is missing
 * and not explicit; -1 after printing "config PATH[:LINE]: reason".
 * The result is freed with conffile_free.
 */
int	 conffile_read(const char *path, int explicit, struct conffile **out);
/* The value of section.key as iniparser reads it (unquoted, comment cut); "" if none. */
const char *conffile_value(const struct conffile *, const char *section,
	    const char *key);
/*
 * 1 if the value as written is unquoted and holds a comment character
 * (';' or '#') that cut it: anywhere when strict, else inside a word.
 */
int	 conffile_cut(const char *raw, int strict);
void	 conffile_free(struct conffile *);

/*
 * Reads a secret file: its one line, trailing CR/LF stripped.  Returns
 * the secret (allocated), or NULL with *err set to an allocated reason
 * that names neither the file nor the content.  *world_readable is set
 * when the file is readable by everyone.
 */
char	*conffile_secret(const char *path, char **err, int *world_readable);

#endif
