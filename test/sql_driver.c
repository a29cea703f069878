/*
 * sql_driver: prints SQL exactly as zmcsync would send it, for golden
 * files (test/golden/<dialect>/) and the Oracle subset checker.
 *
 *	sql_driver statements DIALECT [VIEW]
 *		every statement id of DIALECT, in enum order, each as
 *		"-- NAME (N parameters)", the text, and a line holding "/",
 *		with VIEW (default NM_ALARM_SYNC_SOURCE) as the source view
 *	sql_driver file NAME
 *		the script compiled into the binary as NAME
 *		("oracle/view_state_on_event.sql")
 *	sql_driver split DIALECT
 *		the statements dialect_split_script finds in standard input,
 *		each followed by a line holding "/"
 *
 * Exit 0, or 1 (message on stderr) when a statement, the view name or
 * the file is refused; 2 on usage errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialect.h"
#include "sqlfiles.h"
#include "util.h"

static void
usage(void)
{
	fprintf(stderr, "usage: sql_driver statements dialect [view]\n"
	    "       sql_driver file name\n"
	    "       sql_driver split dialect < script\n");
	exit(2);
}

/* Parses a dialect argument or exits with a usage error. */
static enum dialect
dialect_arg(const char *s)
{
	int d;

	if ((d = dialect_parse(s)) < 0) {
		fprintf(stderr, "sql_driver: %s: not one of sqlite, postgresql, "
		    "oracle\n", s);
		exit(2);
	}
	return (enum dialect)d;
}

/* Prints every statement of d for view; 0 ok, 1 if one was refused. */
static int
print_statements(enum dialect d, const char *view)
{
	char *sql;
	int id;

	for (id = 0; id < SQL__COUNT; id++) {
		if ((sql = dialect_sql(d, (enum sql_id)id, view)) == NULL) {
			fprintf(stderr, "sql_driver: %s %s: refused (view %s)\n",
			    dialect_name(d), dialect_sql_name((enum sql_id)id),
			    view ? view : "default");
			return 1;
		}
		printf("%s-- %s (%d parameters)\n%s\n/\n", id ? "\n" : "",
		    dialect_sql_name((enum sql_id)id),
		    dialect_sql_nparams((enum sql_id)id), sql);
		free(sql);
	}
	return 0;
}

/* Prints the compiled-in script name; 0 ok, 1 unknown. */
static int
print_file(const char *name)
{
	size_t i;

	for (i = 0; i < sqlfilesz; i++)
		if (strcmp(sqlfiles[i].name, name) == 0) {
			fputs(sqlfiles[i].text, stdout);
			return 0;
		}
	fprintf(stderr, "sql_driver: %s: not compiled in\n", name);
	return 1;
}

/* Splits standard input as d's script and prints the statements. */
static int
print_split(enum dialect d)
{
	struct buf in = { 0 };
	char chunk[4096], **v;
	size_t n, i, got;

	while ((got = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		buf_add(&in, chunk, got);
	v = dialect_split_script(d, in.s ? in.s : "", &n);
	for (i = 0; i < n; i++)
		printf("%s\n/\n", v[i]);
	strv_free(v, n);
	buf_free(&in);
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc < 2)
		usage();
	if (strcmp(argv[1], "statements") == 0 && (argc == 3 || argc == 4))
		return print_statements(dialect_arg(argv[2]),
		    argc == 4 ? argv[3] : NULL);
	if (strcmp(argv[1], "file") == 0 && argc == 3)
		return print_file(argv[2]);
	if (strcmp(argv[1], "split") == 0 && argc == 3)
		return print_split(dialect_arg(argv[2]));
	usage();
	return 2;
}
