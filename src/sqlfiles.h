/* sqlfiles: the scripts of sql/<dialect>/, compiled in by scripts/embed-sql. */
#ifndef ZMCSYNC_SQLFILES_H
#define ZMCSYNC_SQLFILES_H

#include <stddef.h>

struct sqlfile {
	const char	*name;	/* "sqlite/init.sql" */
	const char	*text;	/* whole file */
};

extern const struct sqlfile sqlfiles[];
extern const size_t sqlfilesz;

#endif
