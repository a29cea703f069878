/*
 * atomicfile: write a temp file beside the target, make it durable, and
 * rename it over the target.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "util.h"

int
atomicfile_write(const char *path, const char *text, mode_t mode, char **err)
{
	char *tmp, *dir, *slash;
	const char *what = NULL;
	FILE *f = NULL;
	int fd, dfd, saved;

	*err = NULL;
	tmp = xasprintf("%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) == -1) {
		*err = xasprintf("cannot create temp file: %s", strerror(errno));
		free(tmp);
		return -1;
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		what = "fdopen";
		close(fd);
		goto fail;
	}
	if (fputs(text, f) == EOF || fflush(f) == EOF) {
		what = "write";
		goto fail;
	}
	if (fchmod(fd, mode) == -1) {
		what = "fchmod";
		goto fail;
	}
	if (fsync(fd) == -1) {
		what = "fsync";
		goto fail;
	}
	if (fclose(f) == EOF) {
		f = NULL;
		what = "close";
		goto fail;
	}
	f = NULL;
	if (rename(tmp, path) == -1) {
		what = "rename";
		goto fail;
	}
	/* make the rename durable too; best effort */
	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) != NULL) {
		*(slash == dir ? slash + 1 : slash) = '\0';
		if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
			fsync(dfd);
			close(dfd);
		}
	}
	free(dir);
	free(tmp);
	return 0;
 fail:
	saved = errno;
	if (f != NULL)
		fclose(f);
	unlink(tmp);
	*err = xasprintf("%s: %s", what, strerror(saved));
	free(tmp);
	return -1;
}
