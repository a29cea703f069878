/*
 * dialect: every SQL difference between Oracle 11g, PostgreSQL and SQLite
 * lives here and in sql/<dialect>/.  Callers ask for a statement by id and
 * get text with "?" markers; paging, id generation, upserts, current time
 * and date arithmetic are the dialect's business.  Statements are pure
 * text functions of (dialect, id, view name), so the Oracle set can be
 * golden-tested without an Oracle server.
 */
#ifndef ZMCSYNC_DIALECT_H
#define ZMCSYNC_DIALECT_H

#include <stddef.h>

/*
 * Markers in the IN list of the *_BY_IDS and STATUS_TOUCH statements; a
 * caller with fewer ids repeats one of them (IN ignores duplicates), so
 * every statement text stays fixed and golden-tested.
 */
#define DIALECT_IN_MAX	50

/* The source view when zmc.source does not name another (SPEC 1.2). */
#define DIALECT_DEFAULT_VIEW	"NM_ALARM_SYNC_SOURCE"

/*
 * Rows of the *_INSERT_BULK statements: their markers are those of the
 * one-row statement, repeated per row.  A multi-row VALUES (or, on Oracle
 * 11g, a SELECT of UNION ALL rows with the sequence drawn per row) saves
 * a round trip per row on a server database.
 */
#define DIALECT_BULK_ROWS	20

/* Columns of the status part of ACTIVE_PAGE (before the view's v.*). */
#define DIALECT_STATUS_NCOLS	15

enum dialect {
	DIALECT_SQLITE = 0,
	DIALECT_POSTGRESQL,
	DIALECT_ORACLE,
	DIALECT__COUNT
};

/* Statement ids; parameters are listed in dialect.c above each. */
enum sql_id {
	SQL_ACTIVE_PAGE = 0,	/* status cols + view rows in state U after id, ordered, paged */
	SQL_TRACKED_IDS,	/* ids of status rows not RESOLVED in (lo, hi], ordered, paged */
	SQL_STATUS_BY_IDS,	/* status rows of DIALECT_IN_MAX ids */
	SQL_SOURCE_BY_IDS,	/* view rows of DIALECT_IN_MAX ids */
	SQL_STATUS_TOUCH,	/* heartbeat bookkeeping of DIALECT_IN_MAX ids */
	SQL_STATUS_INSERT,
	SQL_STATUS_UPDATE,
	SQL_STATUS_ERROR,	/* bump ERROR_COUNT, set LAST_ERROR */
	SQL_LOG_INSERT,
	SQL_CONFIG_ACTIVE,	/* active config rows */
	SQL_CONFIG_LIST,	/* config rows, optional group */
	SQL_CONFIG_GET,
	SQL_CONFIG_INSERT,
	SQL_CONFIG_UPDATE,
	SQL_CONFIG_DELETE,
	SQL_MAPPING_ACTIVE,	/* active label mapping rows */
	SQL_ALARMS_LIST,	/* status rows, optional status, limit/offset */
	SQL_LOGS_LIST,		/* log rows with optional filters, limit/offset */
	SQL_STATS_BY_STATUS,	/* count per SYNC_STATUS */
	SQL_STATS_ERRORS,	/* rows with ERROR_COUNT > 0 */
	SQL_STATS_LOG_SINCE,	/* log rows since a time */
	SQL_ACTIVE_BY_LEVEL,	/* firing count per severity source level */
	SQL_CLEANUP_LOG_IDS,	/* ids of old log rows, bounded */
	SQL_CLEANUP_LOG_DELETE,
	SQL_CLEANUP_STATUS_IDS,	/* ids of old RESOLVED status rows, bounded */
	SQL_CLEANUP_STATUS_DELETE,
	SQL_CLEANUP_COUNT_LOG,
	SQL_CLEANUP_COUNT_STATUS,
	SQL_PROBE_TABLE,	/* "SELECT COUNT(*) FROM <table>" per sync table (view name used as table) */
	SQL_PROBE_SOURCE,	/* one row of the view */
	SQL_SILENCED_IDS,	/* SILENCE_ID of every SILENCED status row */
	SQL_STATUS_INSERT_BULK,	/* DIALECT_BULK_ROWS rows of STATUS_INSERT */
	SQL_LOG_INSERT_BULK,	/* DIALECT_BULK_ROWS rows of LOG_INSERT */
	SQL_LEASE_ACQUIRE,	/* take or renew the lease row, if free or ours */
	SQL_LEASE_INSERT,	/* the lease row, when missing */
	SQL_LEASE_GET,		/* the lease row, and whether it expired */
	SQL_LEASE_FENCE,	/* renew if holder and epoch still ours */
	SQL_LEASE_CHECK,	/* the same, and only while unexpired */
	SQL_STATUS_RESOLVED_BETWEEN,	/* resolves pushed in a time range */
	SQL__COUNT
};

/* "sqlite", "postgresql", "oracle". */
const char	*dialect_name(enum dialect);
/* Parses a dialect name; -1 if unknown. */
int		 dialect_parse(const char *);
/* Maps SQL_DBMS_NAME ("SQLite", "PostgreSQL", "Oracle") to a dialect; -1 unknown. */
int		 dialect_from_dbms(const char *);
/* 1 if s is a safe SQL identifier (letters, digits, _ $ #, optional schema.) */
int		 dialect_ident_valid(const char *);
/*
 * Statement text for id, with view (NULL: NM_ALARM_SYNC_SOURCE) substituted
 * for the source view where used.  Returns an allocated string (caller
 * frees); NULL for a bad id or a view name dialect_ident_valid rejects.
 */
char		*dialect_sql(enum dialect, enum sql_id, const char *view);
/* Name of the statement id, for golden files ("SOURCE_PAGE"). */
const char	*dialect_sql_name(enum sql_id);
/*
 * Number of "?" markers of the statement (the same in every dialect);
 * -1 for a bad id.  Ids run from 0 to SQL__COUNT - 1, so golden files can
 * enumerate them all.
 */
int		 dialect_sql_nparams(enum sql_id);
/*
 * Values for the two trailing paging markers of ALARMS_LIST and
 * LOGS_LIST: sqlite/postgresql "LIMIT ? OFFSET ?" take (limit, offset);
 * oracle's ROWNUM window takes (limit + offset, offset).  Keyset pages
 * (ACTIVE_PAGE, TRACKED_IDS, CLEANUP_*_IDS) end with one marker, the limit.
 */
void		 dialect_page_values(enum dialect, long long limit,
		    long long offset, long long out[2]);
/*
 * The init script for init-db, from the scripts compiled in from
 * sql/<dialect>/ (sqlfiles[]): init.sql (sync tables, sequences, indexes,
 * view); with demo, zmc.sql (reference ZMC tables) first and demo.sql
 * (sample alarms) last.  Statements end with ";" at the end of a line
 * (sqlite, postgresql) or are followed by a line holding only "/"
 * (oracle); see sql/README.md.  Allocated (caller frees); NULL if a file
 * is not built in (error logged naming it).
 */
char		*dialect_init_script(enum dialect, int demo);
/* Splits a script into statements for execution; caller frees with strv_free. */
char		**dialect_split_script(enum dialect, const char *script, size_t *n);

#endif
