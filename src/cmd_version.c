/*
 * cmd_version: the program's version and the versions of the libraries
 * it runs with (what an operator pastes into a bug report).
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <json.h>
#include <sql.h>
#include <sqlext.h>
#include <sqlite3.h>

#include "cmd.h"
#include "util.h"


/* The ODBC driver manager's version, asked of an unconnected handle; "" if it won't say. */
static void
odbc_dm_version(char *out, size_t outsz)
{
	SQLHENV env = SQL_NULL_HENV;
	SQLHDBC dbc = SQL_NULL_HDBC;
	SQLSMALLINT len = 0;

	out[0] = '\0';
	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env)))
		return;
	SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
	if (SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc))) {
		if (!SQL_SUCCEEDED(SQLGetInfo(dbc, SQL_DM_VER, out, (SQLSMALLINT)outsz, &len)))
			out[0] = '\0';
		SQLFreeHandle(SQL_HANDLE_DBC, dbc);
	}
	SQLFreeHandle(SQL_HANDLE_ENV, env);
}

int
cmd_version(int argc, char **argv, struct ctx *ctx)
{
	char dm[64];

	(void)ctx;
	if (argc > 1 && strcmp(argv[0], "version") == 0)
		return cmd_badarg(ctx, "unexpected argument %s", argv[1]);
	odbc_dm_version(dm, sizeof(dm));
	printf("zmcsync %s\n", ZMCSYNC_VERSION);
	printf("libcurl %s\n", curl_version_info(CURLVERSION_NOW)->version);
	printf("json-c %s\n", json_c_version());
	printf("sqlite %s\n", sqlite3_libversion());
	printf("odbc driver manager %s\n", dm[0] ? dm : "(unknown)");
	return EXIT_OK;
}
