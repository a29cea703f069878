/*
 * dbconn: the ODBC connection string zmcsync connects with, built from
 * the database.* keys, and the few edits db_open makes to it.  No I/O.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "dbconn.h"
#include "util.h"

/* Appends KEY={value}; always brace-quoted (DRIVER={Oracle 19 ODBC driver}). */
static void
connstr_add_braced(struct buf *b, const char *key, const char *val)
{
	const char *p;

	buf_printf(b, "%s={", key);
	for (p = val; *p != '\0'; p++) {
		if (*p == '}')
			buf_puts(b, "}}");
		else
			buf_add(b, p, 1);
	}
	buf_puts(b, "};");
}

/* Appends KEY=value; to b, brace-quoting values that need it. */
static void
connstr_add(struct buf *b, const char *key, const char *val)
{
	if (val == NULL || *val == '\0')
		return;
	if (strpbrk(val, ";{}= ") == NULL && !isspace((unsigned char)val[0]))
		buf_printf(b, "%s=%s;", key, val);
	else
		connstr_add_braced(b, key, val);
}

char *
dbconn_get(const char *cs, const char *key)
{
	size_t klen = strlen(key);
	const char *p = cs, *e;

	while (*p != '\0') {
		while (*p == ';' || *p == ' ')
			p++;
		if (strncasecmp(p, key, klen) == 0 && p[klen] == '=') {
			p += klen + 1;
			if (*p == '{') {
				p++;
				e = strchr(p, '}');
			} else
				e = strchr(p, ';');
			if (e == NULL)
				e = p + strlen(p);
			return xstrndup(p, (size_t)(e - p));
		}
		if ((e = strchr(p, ';')) == NULL)
			break;
		p = e + 1;
	}
	return NULL;
}

char *
dbconn_build(const struct config *cfg, char **name, char **err)
{
	struct buf b = { 0 };
	char *v;

	*name = NULL;
	if (cfg->db_connection != NULL && cfg->db_connection[0] != '\0') {
		buf_puts(&b, cfg->db_connection);
		if (b.len > 0 && b.s[b.len - 1] != ';')
			buf_puts(&b, ";");
		if ((v = dbconn_get(cfg->db_connection, "DSN")) != NULL)
			*name = v;
		else if ((v = dbconn_get(cfg->db_connection, "DRIVER")) != NULL)
			*name = v;
		else
			*name = xstrdup("odbc");
		if ((v = dbconn_get(cfg->db_connection, "UID")) == NULL)
			connstr_add(&b, "UID", cfg->db_username);
		free(v);
		if ((v = dbconn_get(cfg->db_connection, "PWD")) == NULL)
			connstr_add(&b, "PWD", cfg->db_password);
		free(v);
		return buf_release(&b);
	}
	if (cfg->db_dsn != NULL && cfg->db_dsn[0] != '\0') {
		connstr_add(&b, "DSN", cfg->db_dsn);
		*name = xstrdup(cfg->db_dsn);
	} else if (cfg->db_host != NULL && cfg->db_host[0] != '\0') {
		char *dbq;
		int v6;

		/* Oracle without a DSN: EZConnect //host:port/service_name. */
		if (cfg->db_driver == NULL || cfg->db_driver[0] == '\0') {
			*err = xstrdup("database: database.host is set but "
			    "database.driver (the ODBC driver name) is empty");
			return NULL;
		}
		if (cfg->db_service_name == NULL ||
		    cfg->db_service_name[0] == '\0') {
			*err = xstrdup("database: database.host is set but "
			    "database.service_name (ZMC_ORACLE_SERVICE_NAME) "
			    "is empty");
			return NULL;
		}
		/* An IPv6 address needs brackets before the port. */
		v6 = strchr(cfg->db_host, ':') != NULL && cfg->db_host[0] != '[';
		dbq = xasprintf("//%s%s%s:%d/%s", v6 ? "[" : "", cfg->db_host,
		    v6 ? "]" : "", cfg->db_port > 0 ? cfg->db_port : 1521,
		    cfg->db_service_name);
		connstr_add_braced(&b, "DRIVER", cfg->db_driver);
		connstr_add(&b, "DBQ", dbq);
		*name = xasprintf("%s %s", cfg->db_driver, dbq);
		free(dbq);
	} else {
		*err = xstrdup("database: none configured (set database.dsn, "
		    "database.connection or database.host)");
		return NULL;
	}
	connstr_add(&b, "UID", cfg->db_username);
	connstr_add(&b, "PWD", cfg->db_password);
	return buf_release(&b);
}

int
dbconn_is_sqlite(const struct config *cfg, const char *cs)
{
	char *drv = dbconn_get(cs, "DRIVER"), *p;
	int yes;

	if (cfg->db_dialect != NULL && str_eq_ci(cfg->db_dialect, "sqlite"))
		yes = 1;
	else if (drv == NULL)
		yes = 0;
	else {
		for (p = drv; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		yes = strstr(drv, "sqlite") != NULL;
	}
	free(drv);
	return yes;
}

char *
dbconn_set_timeout(char *cs, int ms)
{
	struct buf b = { 0 };
	const char *p = cs, *e;

	while (*p != '\0') {
		e = p + strcspn(p, ";");
		if (*e == ';')
			e++;
		while (*p == ' ')
			p++;
		if (strncasecmp(p, "Timeout", 7) != 0 ||
		    p[7 + strspn(p + 7, " ")] != '=')
			buf_add(&b, p, (size_t)(e - p));
		p = e;
	}
	if (b.len > 0 && b.s[b.len - 1] != ';')
		buf_puts(&b, ";");
	buf_printf(&b, "Timeout=%d;", ms);
	explicit_bzero(cs, strlen(cs));
	free(cs);
	return buf_release(&b);
}
