/*
 * conftypes: the plain types of the configuration (no functions): the
 * typed values in force (struct config), the description of one key
 * (struct cfg_key) and their enums.  config.h and confkeys.h both build
 * on it, so the key table never depends on the loader.
 */
#ifndef ZMCSYNC_CONFTYPES_H
#define ZMCSYNC_CONFTYPES_H

#include <stddef.h>

struct cfg_header;

/* Default configuration file (overridable at build time). */
#ifndef ZMCSYNC_SYSCONFDIR
#define ZMCSYNC_SYSCONFDIR "/etc/zmcsync"
#endif
#ifndef ZMCSYNC_STATEDIR
#define ZMCSYNC_STATEDIR "/var/lib/zmcsync"
#endif
#define CONFIG_DEFAULT_FILE ZMCSYNC_SYSCONFDIR "/zmcsync.conf"

/* Where the value in force came from (config show). */
enum cfg_source {
	SRC_DEFAULT = 0,
	SRC_FILE,
	SRC_TABLE,
	SRC_ENV
};

/* Value types of the key table. */
enum cfg_type {
	CFGT_STR,	/* free text */
	CFGT_INT,	/* integer with min/max */
	CFGT_BOOL,	/* true/false/yes/no/1/0/on/off */
	CFGT_LEVELS,	/* comma list of ZMC levels 0-4 */
	CFGT_LIST,	/* comma list of words */
	CFGT_ENUM,	/* one of a fixed set */
	CFGT_SECRET,	/* text never printed */
	CFGT_PATH,	/* file or directory path */
	CFGT_URLS,	/* comma list of base URLs, trailing '/' dropped */
	CFGT_HEADERS	/* "Name: value; Name2: value2" */
};

/*
 * Typed values in force.  Strings are never NULL after config_resolve
 * ("" if unset).  Each key of the table has its field here; the field's
 * C type follows the key's type: char * for text (CFGT_STR, _SECRET,
 * _PATH, _ENUM lowercased), int for CFGT_INT and _BOOL, int[5] for
 * CFGT_LEVELS, char ** with a size_t count for CFGT_LIST
 * and _URLS, struct cfg_header * with a count for CFGT_HEADERS.
 */
struct config {
	/* [database] */
	char	*db_dsn;		/* ODBC data source name */
	char	*db_connection;		/* full ODBC connection string (wins over dsn) */
	char	*db_username;
	char	*db_password;		/* secret; also from password_file */
	char	*db_password_file;
	char	*db_dialect;		/* "auto", "sqlite", "postgresql", "oracle" */
	char	*db_timezone;		/* IANA zone of DATE values; "" = system zone */
	char	*db_charset;		/* iconv name of the database text; "" = UTF-8 */
	int	 db_timeout;		/* login/query timeout, seconds */
	char	*db_host;		/* Oracle DSN-less: host */
	int	 db_port;		/* Oracle DSN-less: port (1521) */
	char	*db_service_name;	/* Oracle DSN-less: service name */
	char	*db_driver;		/* ODBC driver name for DSN-less Oracle */
	int	 db_pool_min;		/* accepted for compatibility */
	int	 db_pool_max;		/* accepted for compatibility */
	/* [zmc] */
	char	*zmc_source;		/* source view name, validated as identifier */
	/* [alertmanager] */
	char	**am_urls;		/* one or more base URLs (HA cluster) */
	size_t	 am_urlsz;
	char	*am_username;
	char	*am_password;		/* secret; also from password_file */
	char	*am_password_file;
	char	*am_bearer_token;	/* secret; also from bearer_token_file */
	char	*am_bearer_token_file;
	char	*am_ca_file;
	char	*am_cert_file;
	char	*am_key_file;
	int	 am_insecure;		/* insecure_skip_verify */
	struct cfg_header *am_headers;	/* extra headers */
	size_t	 am_headersz;
	int	 am_timeout;		/* seconds per request */
	int	 am_retry_count;	/* retries after the first attempt */
	int	 am_retry_interval;	/* milliseconds, doubled per retry */
	char	*am_generator_url;	/* generatorURL of every alert; "" none */
	char	*am_api_version;	/* accepted for compatibility */
	int	 am_auth_enabled;	/* accepted for compatibility */
	/* [sync] */
	int	 sync_enabled;
	int	 sync_scan_interval;	/* seconds; informational for cron, used in lease checks */
	int	 sync_heartbeat_interval; /* seconds between re-pushes of a firing alert */
	int	 sync_alert_ttl;	/* seconds: endsAt lease of a firing alert */
	int	 sync_batch_size;	/* rows per page and alerts per POST */
	int	 sync_history_hours;	/* only alarms raised within this window are first pushed */
	int	 sync_levels[5];	/* sync_levels[L] != 0: level L passes */
	char	**sync_severity_filter;	/* severities that pass; none = all */
	size_t	 sync_severity_filtersz;
	int	 sync_on_startup;	/* accepted for compatibility */
	int	 sync_lease_seconds;	/* lease of the syncing host (2 x scan_interval) */
	char	*sync_instance_id;	/* holder name in the lease (<hostname>:<state dir>) */
	/* [silence] */
	int	 silence_use_api;
	int	 silence_duration_hours;
	int	 silence_start_delay;	/* seconds: the resolve is notified before the silence starts */
	int	 silence_auto_remove;	/* auto_remove_on_clear */
	char	*silence_comment;	/* comment_template */
	char	**silence_match;	/* match_labels */
	size_t	 silence_matchsz;
	/* [severity] */
	char	*severity[5];		/* level_0 .. level_4 */
	/* [labels] */
	char	*label_source;
	char	*label_cluster;
	char	*label_datacenter;
	/* [log] */
	char	*log_level;
	char	*log_format;		/* "text" or "json" */
	char	*log_file;
	int	 log_retention_days;	/* default for cleanup --days */
	/* [metrics] */
	char	*metrics_textfile;	/* "" disables */
	/* [state] */
	char	*state_dir;
};

/* Static description of one key (the table is in confkeys.c). */
struct cfg_key {
	const char	*group;		/* INI section, lowercase */
	const char	*name;		/* INI key, lowercase */
	enum cfg_type	 type;
	const char	*def;		/* default as text ("" none) */
	long long	 min, max;	/* CFGT_INT bounds */
	const char	*choices;	/* CFGT_ENUM: "a|b|c" */
	int		 table_ok;	/* may come from NM_ALARM_SYNC_CONFIG */
	const char	*env_alias;	/* reference-guide name, e.g. ZMC_ORACLE_HOST, or NULL */
	const char	*help;		/* one line for config show / man test */
	size_t		 off;		/* offsetof(struct config, its field) */
	size_t		 offn;		/* lists, headers: offsetof its count */
	char		*(*check)(const char *); /* key-specific check, or NULL */
};

#endif
