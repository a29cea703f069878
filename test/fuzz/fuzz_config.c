/*
 * fuzz_config: the configuration loader (src/config*.c, src/conf*.c and
 * iniparser): the INI file, then config-table rows, validation
 * and resolution into struct config, and every key's value as
 * "config show" prints it.
 * Input: the file text up to the first NUL; then NUL-separated
 * (group, key, value) table rows, at most 16.
 * The file lives in a memfd opened by path (/proc/self/fd/N), so
 * nothing is left on disk.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <ctype.h>
#include <unistd.h>

#include "fuzz.h"
#include "config.h"

static int	 cfd = -1;
static char	 cpath[64];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The environment outranks the file: none of ours may leak in. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const struct cfg_key *k;
	size_t n;
	char name[128];

	(void)argc;
	(void)argv;
	k = config_keys(&n);
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;

		for (const char *p = k[i].group; *p != '\0' && j < 60; p++)
			name[j++] = (char)toupper((unsigned char)*p);
		name[j++] = '_';
		for (const char *p = k[i].name; *p != '\0' && j < 120; p++)
			name[j++] = (char)toupper((unsigned char)*p);
		name[j] = '\0';
		unsetenv(name);
		if (k[i].env_alias != NULL)
			unsetenv(k[i].env_alias);
	}
	if ((cfd = memfd_create("zmcsync-fuzz.conf", 0)) == -1) {
		perror("memfd_create");
		exit(1);
	}
	snprintf(cpath, sizeof(cpath), "/proc/self/fd/%d", cfd);
	fz_quiet();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	const struct config *conf;
	const struct cfg_key *keys;
	struct config_raw *raw;
	char *text, *g, *k, *v;
	size_t nkeys;
	int rows;

	text = fz_str(&f, 0);
	if (ftruncate(cfd, 0) == -1 ||
	    pwrite(cfd, text, strlen(text), 0) != (ssize_t)strlen(text))
		abort();
	free(text);
	if ((raw = config_load(cpath, 1)) == NULL)
		return 0;
	for (rows = 0; rows < 16 && f.n > 0; rows++) {
		g = fz_str(&f, 1);
		k = fz_str(&f, 1);
		v = fz_str(&f, 1);
		(void)config_apply_table(raw, g, k, v);
		free(g);
		free(k);
		free(v);
	}
	conf = config_resolve(raw);
	if (conf != NULL) {
		/* what config_resolve promises: strings are never NULL */
		FUZZ_ASSERT(conf->db_dialect != NULL && conf->zmc_source != NULL &&
		    conf->log_level != NULL && conf->state_dir != NULL);
		FUZZ_ASSERT(conf->am_urlsz == 0 || conf->am_urls != NULL);
	}
	keys = config_keys(&nkeys);
	for (size_t i = 0; i < nkeys; i++) {
		enum cfg_source src;
		const char *where = NULL, *val;

		val = config_value(raw, &keys[i], 1, &src, &where);
		FUZZ_ASSERT(val != NULL);
		/* a secret is never shown */
		if (keys[i].type == CFGT_SECRET && *val != '\0')
			FUZZ_ASSERT(strcmp(val, "********") == 0);
	}
	config_free(raw);
	return 0;
}
