/*
 * dialect: the SQL text of every statement zmcsync runs, for SQLite,
 * PostgreSQL and Oracle 11g, and the init scripts of sql/<dialect>/.
 *
 * Statements are templates with tokens expanded per dialect:
 *   {V}      the source view (or table, for PROBE_TABLE), validated
 *   {T}      a time marker: the bound text "YYYY-MM-DD HH:MM:SS" read as
 *            a DATE/TIMESTAMP (sqlite ?, postgresql CAST(? AS TIMESTAMP),
 *            oracle TO_DATE(?, 'YYYY-MM-DD HH24:MI:SS'))
 *   {I} {S}  an integer / text marker that may be NULL and is tested with
 *            IS NULL; psqlODBC needs a type for such a parameter
 *   {IN}     DIALECT_IN_MAX markers separated by commas
 *   {IDC} {IDV} the id column and its value in INSERTs: empty for sqlite
 *            (INTEGER PRIMARY KEY) and postgresql (DEFAULT nextval), the
 *            column and SEQ.NEXTVAL for oracle
 *   {NOW}    the database's own clock, UTC, whole seconds (lease only)
 *   {NOWP}   the same plus an integer marker's seconds (lease only)
 * Paging is appended by page kind (see dialect.h, dialect_page_values).
 * Values are never spliced: only the validated view name is.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dialect.h"
#include "log.h"
#include "sqlfiles.h"
#include "util.h"

enum page_kind {
	PG_NONE = 0,
	PG_KEYSET,	/* one trailing marker: the row limit */
	PG_OFFSET,	/* two trailing markers, see dialect_page_values */
	PG_ONE,		/* at most one row, no marker */
	PG_BULK		/* tmpl is "INSERT INTO t (cols)", row repeated */
};

struct stmt_def {
	const char	*name;		/* for golden files */
	const char	*tmpl;
	enum page_kind	 page;
	const char	*idcol;		/* oracle INSERT: id column */
	const char	*seq;		/* oracle INSERT: its sequence */
	int		 nparams;	/* markers, paging included */
};

#define STATUS_COLS \
	"s.SYNC_ID, s.ALARM_INST_ID, s.EVENT_INST_ID, s.SYNC_STATUS, " \
	"s.ZMC_ALARM_STATE, s.SILENCE_ID, s.SILENCE_END, s.LAST_PUSH_TIME, " \
	"s.LAST_EVENT_TIME, s.ALERT_LABELS, s.ERROR_COUNT, s.LAST_ERROR, " \
	"s.PUSH_COUNT, s.CREATE_TIME, s.UPDATE_TIME"

/* The same, named apart from the view's columns (Oracle's ROWNUM wrapper needs unique names). */
#define STATUS_COLS_AS \
	"s.SYNC_ID AS ZS_SYNC_ID, s.ALARM_INST_ID AS ZS_ALARM_INST_ID, " \
	"s.EVENT_INST_ID AS ZS_EVENT_INST_ID, s.SYNC_STATUS AS ZS_SYNC_STATUS, " \
	"s.ZMC_ALARM_STATE AS ZS_ZMC_ALARM_STATE, s.SILENCE_ID AS ZS_SILENCE_ID, " \
	"s.SILENCE_END AS ZS_SILENCE_END, s.LAST_PUSH_TIME AS ZS_LAST_PUSH_TIME, " \
	"s.LAST_EVENT_TIME AS ZS_LAST_EVENT_TIME, s.ALERT_LABELS AS ZS_ALERT_LABELS, " \
	"s.ERROR_COUNT AS ZS_ERROR_COUNT, s.LAST_ERROR AS ZS_LAST_ERROR, " \
	"s.PUSH_COUNT AS ZS_PUSH_COUNT, s.CREATE_TIME AS ZS_CREATE_TIME, " \
	"s.UPDATE_TIME AS ZS_UPDATE_TIME"

/* The column lists of the one-row and the bulk INSERTs. */
#define STATUS_INSERT_HEAD \
	"INSERT INTO NM_ALARM_SYNC_STATUS ({IDC}EVENT_INST_ID, " \
	"ALARM_INST_ID, SYNC_STATUS, ZMC_ALARM_STATE, SILENCE_ID, " \
	"SILENCE_END, LAST_PUSH_TIME, LAST_EVENT_TIME, ALERT_LABELS, " \
	"PUSH_COUNT, ERROR_COUNT, LAST_ERROR, CREATE_TIME, UPDATE_TIME)"
#define LOG_INSERT_HEAD \
	"INSERT INTO NM_ALARM_SYNC_LOG ({IDC}OPERATION, EVENT_INST_ID, " \
	"ALARM_INST_ID, SYNC_BATCH_ID, OLD_STATUS, NEW_STATUS, REQUEST_URL, " \
	"REQUEST_METHOD, RESPONSE_CODE, DURATION_MS, ALARM_COUNT, " \
	"ERROR_MESSAGE, CREATE_TIME)"

#define LOG_COLS \
	"l.LOG_ID, l.OPERATION, l.EVENT_INST_ID, l.ALARM_INST_ID, " \
	"l.SYNC_BATCH_ID, l.OLD_STATUS, l.NEW_STATUS, l.REQUEST_URL, " \
	"l.REQUEST_METHOD, l.RESPONSE_CODE, l.DURATION_MS, l.ALARM_COUNT, " \
	"l.ERROR_MESSAGE, l.CREATE_TIME"

#define CONFIG_COLS \
	"c.CONFIG_ID, c.CONFIG_GROUP, c.CONFIG_KEY, c.CONFIG_VALUE, " \
	"c.DESCRIPTION, c.IS_ACTIVE, c.CREATE_TIME, c.UPDATE_TIME"

static const struct stmt_def defs[SQL__COUNT] = {
	/*
	 * (after ALARM_INST_ID int, limit int) -> STATUS_COLS_AS (NULL when
	 * the alarm has no status row), then every column of the view.  The
	 * active side of a run: one index range per page, the view on the
	 * left of the join so every dialect can merge it into the query.
	 */
	[SQL_ACTIVE_PAGE] = { "ACTIVE_PAGE",
	    "SELECT " STATUS_COLS_AS ", v.* FROM {V} v "
	    "LEFT JOIN NM_ALARM_SYNC_STATUS s ON s.ALARM_INST_ID = v.ALARM_INST_ID "
	    "WHERE v.ALARM_STATE = 'U' AND v.ALARM_INST_ID > ? "
	    "ORDER BY v.ALARM_INST_ID",
	    PG_KEYSET, NULL, NULL, 2 },
	/*
	 * (lo int, hi int, limit int) -> ALARM_INST_ID of status rows that
	 * still stand for something in Alertmanager, lo < id <= hi.
	 */
	[SQL_TRACKED_IDS] = { "TRACKED_IDS",
	    "SELECT s.ALARM_INST_ID FROM NM_ALARM_SYNC_STATUS s "
	    "WHERE s.ALARM_INST_ID > ? AND s.ALARM_INST_ID <= ? AND "
	    "s.SYNC_STATUS <> 'RESOLVED' ORDER BY s.ALARM_INST_ID",
	    PG_KEYSET, NULL, NULL, 3 },
	/*
	 * (from time, to time, limit int) -> STATUS_COLS of the RESOLVED and
	 * SILENCED rows whose resolve was pushed between from and to, the
	 * latest first: what is sent again after an Alertmanager member
	 * started.  Run only then, so no index is kept for it.
	 */
	[SQL_STATUS_RESOLVED_BETWEEN] = { "STATUS_RESOLVED_BETWEEN",
	    "SELECT " STATUS_COLS " FROM NM_ALARM_SYNC_STATUS s "
	    "WHERE s.SYNC_STATUS IN ('RESOLVED', 'SILENCED') AND "
	    "s.LAST_PUSH_TIME >= {T} "
	    "AND s.LAST_PUSH_TIME <= {T} ORDER BY s.LAST_PUSH_TIME DESC, "
	    "s.SYNC_ID",
	    PG_KEYSET, NULL, NULL, 3 },
	/* (DIALECT_IN_MAX ids) -> STATUS_COLS */
	[SQL_STATUS_BY_IDS] = { "STATUS_BY_IDS",
	    "SELECT " STATUS_COLS " FROM NM_ALARM_SYNC_STATUS s "
	    "WHERE s.ALARM_INST_ID IN ({IN})",
	    PG_NONE, NULL, NULL, DIALECT_IN_MAX },
	/* (DIALECT_IN_MAX ids) -> every column of the view */
	[SQL_SOURCE_BY_IDS] = { "SOURCE_BY_IDS",
	    "SELECT v.* FROM {V} v WHERE v.ALARM_INST_ID IN ({IN})",
	    PG_NONE, NULL, NULL, DIALECT_IN_MAX },
	/*
	 * (last_push time, update_time time, DIALECT_IN_MAX ids): the
	 * bookkeeping of accepted heartbeats, and of first pushes whose
	 * PENDING row already holds everything else, one statement per IN
	 * list.
	 */
	[SQL_STATUS_TOUCH] = { "STATUS_TOUCH",
	    "UPDATE NM_ALARM_SYNC_STATUS SET SYNC_STATUS = 'FIRING', "
	    "LAST_PUSH_TIME = {T}, "
	    "PUSH_COUNT = PUSH_COUNT + 1, ERROR_COUNT = 0, LAST_ERROR = NULL, "
	    "UPDATE_TIME = {T} WHERE ALARM_INST_ID IN ({IN})",
	    PG_NONE, NULL, NULL, DIALECT_IN_MAX + 2 },
	/*
	 * (event_id int|NULL, alarm_id int, status text, zmc_state text,
	 * silence_id text, silence_end time, last_push time, event_time
	 * time, labels text, push_count int, error_count int, last_error
	 * text, create_time time, update_time time)
	 */
	[SQL_STATUS_INSERT] = { "STATUS_INSERT",
	    STATUS_INSERT_HEAD " "
	    "VALUES ({IDV}?, ?, ?, ?, ?, {T}, {T}, {T}, ?, ?, ?, ?, {T}, {T})",
	    PG_NONE, "SYNC_ID", "NM_ALARM_SYNC_STATUS_SEQ", 14 },
	/*
	 * (event_id int|NULL keeps, status text, zmc_state text,
	 * silence_id text|NULL, silence_end time|NULL, last_push time|NULL
	 * keeps, event_time time|NULL keeps, labels text|NULL keeps,
	 * push increment int, update_time time, alarm_id int).  A success:
	 * clears ERROR_COUNT and LAST_ERROR.
	 */
	[SQL_STATUS_UPDATE] = { "STATUS_UPDATE",
	    "UPDATE NM_ALARM_SYNC_STATUS SET EVENT_INST_ID = "
	    "COALESCE({I}, EVENT_INST_ID), SYNC_STATUS = ?, "
	    "ZMC_ALARM_STATE = ?, SILENCE_ID = ?, SILENCE_END = {T}, "
	    "LAST_PUSH_TIME = COALESCE({T}, LAST_PUSH_TIME), "
	    "LAST_EVENT_TIME = COALESCE({T}, LAST_EVENT_TIME), "
	    "ALERT_LABELS = COALESCE({S}, ALERT_LABELS), "
	    "PUSH_COUNT = PUSH_COUNT + ?, ERROR_COUNT = 0, LAST_ERROR = NULL, "
	    "UPDATE_TIME = {T} WHERE ALARM_INST_ID = ?",
	    PG_NONE, NULL, NULL, 11 },
	/* (last_error text, update_time time, alarm_id int) */
	[SQL_STATUS_ERROR] = { "STATUS_ERROR",
	    "UPDATE NM_ALARM_SYNC_STATUS SET ERROR_COUNT = ERROR_COUNT + 1, "
	    "LAST_ERROR = ?, UPDATE_TIME = {T} WHERE ALARM_INST_ID = ?",
	    PG_NONE, NULL, NULL, 3 },
	/*
	 * (operation text, event_id int|NULL, alarm_id int|NULL, batch_id
	 * text, old_status text, new_status text, request_url text,
	 * request_method text, response_code int|NULL, duration_ms int,
	 * alarm_count int, error_message text|NULL, create_time time)
	 */
	[SQL_LOG_INSERT] = { "LOG_INSERT",
	    LOG_INSERT_HEAD " "
	    "VALUES ({IDV}?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, {T})",
	    PG_NONE, "LOG_ID", "NM_ALARM_SYNC_LOG_SEQ", 13 },
	/* () -> CONFIG_GROUP, CONFIG_KEY, CONFIG_VALUE */
	[SQL_CONFIG_ACTIVE] = { "CONFIG_ACTIVE",
	    "SELECT c.CONFIG_GROUP, c.CONFIG_KEY, c.CONFIG_VALUE "
	    "FROM NM_ALARM_SYNC_CONFIG c WHERE c.IS_ACTIVE = 1 "
	    "ORDER BY c.CONFIG_GROUP, c.CONFIG_KEY",
	    PG_NONE, NULL, NULL, 0 },
	/* (group text|NULL all, group again; upper case) -> CONFIG_COLS */
	[SQL_CONFIG_LIST] = { "CONFIG_LIST",
	    "SELECT " CONFIG_COLS " FROM NM_ALARM_SYNC_CONFIG c "
	    "WHERE ({S} IS NULL OR UPPER(c.CONFIG_GROUP) = {S}) "
	    "ORDER BY c.CONFIG_GROUP, c.CONFIG_KEY",
	    PG_NONE, NULL, NULL, 2 },
	/* (group text, key text; upper case) -> CONFIG_COLS */
	[SQL_CONFIG_GET] = { "CONFIG_GET",
	    "SELECT " CONFIG_COLS " FROM NM_ALARM_SYNC_CONFIG c "
	    "WHERE UPPER(c.CONFIG_GROUP) = ? AND UPPER(c.CONFIG_KEY) = ?",
	    PG_NONE, NULL, NULL, 2 },
	/*
	 * (group text, key text, value text, description text, create_time
	 * time, update_time time); IS_ACTIVE 1
	 */
	[SQL_CONFIG_INSERT] = { "CONFIG_INSERT",
	    "INSERT INTO NM_ALARM_SYNC_CONFIG ({IDC}CONFIG_GROUP, CONFIG_KEY, "
	    "CONFIG_VALUE, DESCRIPTION, IS_ACTIVE, CREATE_TIME, UPDATE_TIME) "
	    "VALUES ({IDV}?, ?, ?, ?, 1, {T}, {T})",
	    PG_NONE, "CONFIG_ID", "NM_ALARM_SYNC_CONFIG_SEQ", 6 },
	/* (value text, update_time time, group text, key text); reactivates */
	[SQL_CONFIG_UPDATE] = { "CONFIG_UPDATE",
	    "UPDATE NM_ALARM_SYNC_CONFIG SET CONFIG_VALUE = ?, IS_ACTIVE = 1, "
	    "UPDATE_TIME = {T} WHERE UPPER(CONFIG_GROUP) = ? AND "
	    "UPPER(CONFIG_KEY) = ?",
	    PG_NONE, NULL, NULL, 4 },
	/* (group text, key text) */
	[SQL_CONFIG_DELETE] = { "CONFIG_DELETE",
	    "DELETE FROM NM_ALARM_SYNC_CONFIG WHERE UPPER(CONFIG_GROUP) = ? "
	    "AND UPPER(CONFIG_KEY) = ?",
	    PG_NONE, NULL, NULL, 2 },
	/* () -> SOURCE_FIELD, TARGET_NAME, TARGET_TYPE */
	[SQL_MAPPING_ACTIVE] = { "MAPPING_ACTIVE",
	    "SELECT m.SOURCE_FIELD, m.TARGET_NAME, m.TARGET_TYPE "
	    "FROM NM_ALARM_LABEL_MAPPING m WHERE m.IS_ACTIVE = 1 "
	    "ORDER BY m.MAPPING_ID",
	    PG_NONE, NULL, NULL, 0 },
	/*
	 * (status text|NULL all, status again, page, page) -> STATUS_COLS,
	 * newest UPDATE_TIME first
	 */
	[SQL_ALARMS_LIST] = { "ALARMS_LIST",
	    "SELECT " STATUS_COLS " FROM NM_ALARM_SYNC_STATUS s "
	    "WHERE ({S} IS NULL OR s.SYNC_STATUS = {S}) "
	    "ORDER BY s.UPDATE_TIME DESC, s.SYNC_ID DESC",
	    PG_OFFSET, NULL, NULL, 4 },
	/*
	 * (operation text|NULL, again, alarm_id int|NULL, again, event_id
	 * int|NULL, again, errors_only int 0/1, since time|NULL, again,
	 * until time|NULL, again, page, page) -> LOG_COLS, newest first
	 */
	[SQL_LOGS_LIST] = { "LOGS_LIST",
	    "SELECT " LOG_COLS " FROM NM_ALARM_SYNC_LOG l "
	    "WHERE ({S} IS NULL OR l.OPERATION = {S}) "
	    "AND ({I} IS NULL OR l.ALARM_INST_ID = {I}) "
	    "AND ({I} IS NULL OR l.EVENT_INST_ID = {I}) "
	    "AND ({I} = 0 OR l.ERROR_MESSAGE IS NOT NULL) "
	    "AND ({T} IS NULL OR l.CREATE_TIME >= {T}) "
	    "AND ({T} IS NULL OR l.CREATE_TIME < {T}) "
	    "ORDER BY l.CREATE_TIME DESC, l.LOG_ID DESC",
	    PG_OFFSET, NULL, NULL, 13 },
	/* () -> SYNC_STATUS, count */
	[SQL_STATS_BY_STATUS] = { "STATS_BY_STATUS",
	    "SELECT s.SYNC_STATUS, COUNT(*) FROM NM_ALARM_SYNC_STATUS s "
	    "GROUP BY s.SYNC_STATUS ORDER BY s.SYNC_STATUS",
	    PG_NONE, NULL, NULL, 0 },
	/* () -> count of status rows with errors */
	[SQL_STATS_ERRORS] = { "STATS_ERRORS",
	    "SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS s WHERE s.ERROR_COUNT > 0",
	    PG_NONE, NULL, NULL, 0 },
	/* (since time) -> count */
	[SQL_STATS_LOG_SINCE] = { "STATS_LOG_SINCE",
	    "SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG l WHERE l.CREATE_TIME >= {T}",
	    PG_NONE, NULL, NULL, 1 },
	/* () -> ALARM_LEVEL, count of FIRING status rows */
	[SQL_ACTIVE_BY_LEVEL] = { "ACTIVE_BY_LEVEL",
	    "SELECT v.ALARM_LEVEL, COUNT(*) FROM NM_ALARM_SYNC_STATUS s "
	    "JOIN {V} v ON v.ALARM_INST_ID = s.ALARM_INST_ID "
	    "WHERE s.SYNC_STATUS = 'FIRING' GROUP BY v.ALARM_LEVEL "
	    "ORDER BY v.ALARM_LEVEL",
	    PG_NONE, NULL, NULL, 0 },
	/*
	 * (before time, limit int) -> LOG_ID, oldest first: the time index
	 * gives the oldest rows without walking past newer ones.  The caller
	 * deletes CLEANUP_LOG_DELETE(lowest, highest, before): the batch, and
	 * any other old row between.
	 */
	[SQL_CLEANUP_LOG_IDS] = { "CLEANUP_LOG_IDS",
	    "SELECT l.LOG_ID FROM NM_ALARM_SYNC_LOG l "
	    "WHERE l.CREATE_TIME < {T} ORDER BY l.CREATE_TIME, l.LOG_ID",
	    PG_KEYSET, NULL, NULL, 2 },
	/* (first LOG_ID int, last LOG_ID int, before time) */
	[SQL_CLEANUP_LOG_DELETE] = { "CLEANUP_LOG_DELETE",
	    "DELETE FROM NM_ALARM_SYNC_LOG WHERE LOG_ID >= ? AND LOG_ID <= ? "
	    "AND CREATE_TIME < {T}",
	    PG_NONE, NULL, NULL, 3 },
	/* (before time, limit int) -> SYNC_ID ascending, RESOLVED only */
	[SQL_CLEANUP_STATUS_IDS] = { "CLEANUP_STATUS_IDS",
	    "SELECT s.SYNC_ID FROM NM_ALARM_SYNC_STATUS s "
	    "WHERE s.SYNC_STATUS = 'RESOLVED' AND "
	    "COALESCE(s.UPDATE_TIME, s.CREATE_TIME) < {T} ORDER BY s.SYNC_ID",
	    PG_KEYSET, NULL, NULL, 2 },
	/*
	 * (first SYNC_ID int, last SYNC_ID int, before time); the status
	 * is checked again, so a row re-raised meanwhile stays.
	 */
	[SQL_CLEANUP_STATUS_DELETE] = { "CLEANUP_STATUS_DELETE",
	    "DELETE FROM NM_ALARM_SYNC_STATUS WHERE SYNC_ID >= ? AND "
	    "SYNC_ID <= ? AND SYNC_STATUS = 'RESOLVED' AND "
	    "COALESCE(UPDATE_TIME, CREATE_TIME) < {T}",
	    PG_NONE, NULL, NULL, 3 },
	/* (before time) -> count */
	[SQL_CLEANUP_COUNT_LOG] = { "CLEANUP_COUNT_LOG",
	    "SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG l WHERE l.CREATE_TIME < {T}",
	    PG_NONE, NULL, NULL, 1 },
	/* (before time) -> count */
	[SQL_CLEANUP_COUNT_STATUS] = { "CLEANUP_COUNT_STATUS",
	    "SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS s "
	    "WHERE s.SYNC_STATUS = 'RESOLVED' AND "
	    "COALESCE(s.UPDATE_TIME, s.CREATE_TIME) < {T}",
	    PG_NONE, NULL, NULL, 1 },
	/* () -> count; view argument is the table name */
	[SQL_PROBE_TABLE] = { "PROBE_TABLE",
	    "SELECT COUNT(*) FROM {V}",
	    PG_NONE, NULL, NULL, 0 },
	/* () -> at most one row of the view, all columns */
	[SQL_PROBE_SOURCE] = { "PROBE_SOURCE",
	    "SELECT v.* FROM {V} v",
	    PG_ONE, NULL, NULL, 0 },
	/* STATUS_INSERT's parameters, DIALECT_BULK_ROWS times */
	[SQL_STATUS_INSERT_BULK] = { "STATUS_INSERT_BULK",
	    STATUS_INSERT_HEAD,
	    PG_BULK, "SYNC_ID", "NM_ALARM_SYNC_STATUS_SEQ",
	    14 * DIALECT_BULK_ROWS },
	/* LOG_INSERT's parameters, DIALECT_BULK_ROWS times */
	[SQL_LOG_INSERT_BULK] = { "LOG_INSERT_BULK",
	    LOG_INSERT_HEAD,
	    PG_BULK, "LOG_ID", "NM_ALARM_SYNC_LOG_SEQ",
	    13 * DIALECT_BULK_ROWS },
	/* () -> SILENCE_ID; the silences the orphan sweep keeps */
	[SQL_SILENCED_IDS] = { "SILENCED_IDS",
	    "SELECT s.SILENCE_ID FROM NM_ALARM_SYNC_STATUS s "
	    "WHERE s.SYNC_STATUS = 'SILENCED' AND s.SILENCE_ID IS NOT NULL",
	    PG_NONE, NULL, NULL, 0 },
	/*
	 * The lease of NM_ALARM_SYNC_LEASE (lease.c).  Its times are the
	 * database's clock in UTC, never a host's, so hosts with skewed
	 * clocks still agree on when it expires.  In SET, HOLDER on the
	 * right is the old value: the epoch grows only when the holder
	 * changes.
	 * (me text, me text, me text, seconds int, name text, me text)
	 */
	[SQL_LEASE_ACQUIRE] = { "LEASE_ACQUIRE",
	    "UPDATE NM_ALARM_SYNC_LEASE SET "
	    "EPOCH = CASE WHEN HOLDER = ? THEN EPOCH ELSE EPOCH + 1 END, "
	    "ACQUIRED_AT = CASE WHEN HOLDER = ? THEN ACQUIRED_AT ELSE {NOW} END, "
	    "HOLDER = ?, EXPIRES_AT = {NOWP}, RENEWED_AT = {NOW} "
	    "WHERE LEASE_NAME = ? AND (HOLDER = ? OR EXPIRES_AT < {NOW})",
	    PG_NONE, NULL, NULL, 6 },
	/* (name text, me text, seconds int); epoch 1 */
	[SQL_LEASE_INSERT] = { "LEASE_INSERT",
	    "INSERT INTO NM_ALARM_SYNC_LEASE (LEASE_NAME, HOLDER, EPOCH, "
	    "EXPIRES_AT, ACQUIRED_AT, RENEWED_AT) "
	    "VALUES (?, ?, 1, {NOWP}, {NOW}, {NOW})",
	    PG_NONE, NULL, NULL, 3 },
	/*
	 * (name text) -> HOLDER, EPOCH, EXPIRES_AT, ACQUIRED_AT, RENEWED_AT
	 * (UTC), 1 if expired by the database's clock else 0
	 */
	[SQL_LEASE_GET] = { "LEASE_GET",
	    "SELECT l.HOLDER, l.EPOCH, l.EXPIRES_AT, l.ACQUIRED_AT, "
	    "l.RENEWED_AT, CASE WHEN l.EXPIRES_AT < {NOW} THEN 1 ELSE 0 END "
	    "FROM NM_ALARM_SYNC_LEASE l WHERE l.LEASE_NAME = ?",
	    PG_NONE, NULL, NULL, 1 },
	/*
	 * (seconds int, name text, me text, epoch int): the fence, first
	 * statement of each bookkeeping transaction.  No row: taken over.
	 */
	[SQL_LEASE_FENCE] = { "LEASE_FENCE",
	    "UPDATE NM_ALARM_SYNC_LEASE SET EXPIRES_AT = {NOWP}, "
	    "RENEWED_AT = {NOW} WHERE LEASE_NAME = ? AND HOLDER = ? AND "
	    "EPOCH = ?",
	    PG_NONE, NULL, NULL, 4 },
	/*
	 * (seconds int, name text, me text, epoch int): before each batch's
	 * pushes.  No row: taken over, or expired (anyone may take it now).
	 */
	[SQL_LEASE_CHECK] = { "LEASE_CHECK",
	    "UPDATE NM_ALARM_SYNC_LEASE SET EXPIRES_AT = {NOWP}, "
	    "RENEWED_AT = {NOW} WHERE LEASE_NAME = ? AND HOLDER = ? AND "
	    "EPOCH = ? AND EXPIRES_AT >= {NOW}",
	    PG_NONE, NULL, NULL, 4 },
};

static const char *const names[DIALECT__COUNT] = {
	"sqlite", "postgresql", "oracle"
};

const char *
dialect_name(enum dialect d)
{
	if ((int)d < 0 || d >= DIALECT__COUNT)
		return "unknown";
	return names[d];
}

int
dialect_parse(const char *s)
{
	int i;

	if (s == NULL)
		return -1;
	for (i = 0; i < DIALECT__COUNT; i++)
		if (str_eq_ci(s, names[i]))
			return i;
	if (str_eq_ci(s, "postgres") || str_eq_ci(s, "pgsql"))
		return DIALECT_POSTGRESQL;
	return -1;
}

/* Case-insensitive substring test for driver-reported names. */
static int
contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return 0;
}

int
dialect_from_dbms(const char *dbms)
{
	if (dbms == NULL)
		return -1;
	if (contains_ci(dbms, "sqlite"))
		return DIALECT_SQLITE;
	if (contains_ci(dbms, "postgres"))
		return DIALECT_POSTGRESQL;
	if (contains_ci(dbms, "oracle"))
		return DIALECT_ORACLE;
	return -1;
}

/* One identifier part: a letter, then letters, digits, _ $ #. */
static int
ident_part(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 128 || !isalpha((unsigned char)s[0]))
		return 0;
	for (i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '$' && s[i] != '#')
			return 0;
	return 1;
}

int
dialect_ident_valid(const char *s)
{
	const char *dot;

	if (s == NULL)
		return 0;
	if ((dot = strchr(s, '.')) == NULL)
		return ident_part(s, strlen(s));
	if (strchr(dot + 1, '.') != NULL)
		return 0;
	return ident_part(s, (size_t)(dot - s)) &&
	    ident_part(dot + 1, strlen(dot + 1));
}

const char *
dialect_sql_name(enum sql_id id)
{
	if ((int)id < 0 || id >= SQL__COUNT)
		return "UNKNOWN";
	return defs[id].name;
}

int
dialect_sql_nparams(enum sql_id id)
{
	if ((int)id < 0 || id >= SQL__COUNT)
		return -1;
	return defs[id].nparams;
}

void
dialect_page_values(enum dialect d, long long limit, long long offset,
    long long out[2])
{
	if (d == DIALECT_ORACLE) {
		/* ROWNUM window (offset, limit + offset]; saturates, never wraps. */
		if (limit < 0)
			limit = 0;
		if (offset < 0)
			offset = 0;
		out[0] = limit > LLONG_MAX - offset ? LLONG_MAX : limit + offset;
		out[1] = offset;
	} else {
		out[0] = limit;
		out[1] = offset;
	}
}

/* Appends the expansion of one token (name without braces). */
static void
expand_token(struct buf *b, enum dialect d, const char *tok, size_t n,
    const struct stmt_def *def, const char *view)
{
#define TOK(s) (n == sizeof(s) - 1 && strncmp(tok, s, n) == 0)
	if (TOK("V"))
		buf_puts(b, view);
	else if (TOK("T"))
		buf_puts(b, d == DIALECT_POSTGRESQL ? "CAST(? AS TIMESTAMP)" :
		    d == DIALECT_ORACLE ? "TO_DATE(?, 'YYYY-MM-DD HH24:MI:SS')" :
		    "?");
	else if (TOK("I"))
		buf_puts(b, d == DIALECT_POSTGRESQL ? "CAST(? AS BIGINT)" : "?");
	else if (TOK("S"))
		buf_puts(b, d == DIALECT_POSTGRESQL ? "CAST(? AS TEXT)" : "?");
	else if (TOK("IN")) {
		for (int i = 0; i < DIALECT_IN_MAX; i++)
			buf_puts(b, i ? ", ?" : "?");
	} else if (TOK("IDC")) {
		if (d == DIALECT_ORACLE)
			buf_printf(b, "%s, ", def->idcol);
	} else if (TOK("IDV")) {
		if (d == DIALECT_ORACLE)
			buf_printf(b, "%s.NEXTVAL, ", def->seq);
	} else if (TOK("NOW")) {
		buf_puts(b, d == DIALECT_POSTGRESQL ?
		    "date_trunc('second', CURRENT_TIMESTAMP AT TIME ZONE 'UTC')" :
		    d == DIALECT_ORACLE ? "CAST(SYS_EXTRACT_UTC(SYSTIMESTAMP) AS DATE)" :
		    "datetime('now')");
	} else if (TOK("NOWP")) {
		buf_puts(b, d == DIALECT_POSTGRESQL ?
		    "date_trunc('second', CURRENT_TIMESTAMP AT TIME ZONE 'UTC') + "
		    "CAST(? AS INTEGER) * INTERVAL '1 second'" :
		    d == DIALECT_ORACLE ?
		    "CAST(SYS_EXTRACT_UTC(SYSTIMESTAMP) AS DATE) + ? / 86400" :
		    "datetime('now', ? || ' seconds')");
	}
#undef TOK
}

/* One row's values of each bulk INSERT, repeated DIALECT_BULK_ROWS times. */
static const char *const bulk_row_tmpl[SQL__COUNT] = {
	[SQL_STATUS_INSERT_BULK] =
	    "?, ?, {S}, {S}, {S}, {T}, {T}, {T}, {S}, {I}, {I}, {S}, {T}, {T}",
	[SQL_LOG_INSERT_BULK] =
	    "{S}, {I}, {I}, {S}, {S}, {S}, {S}, {S}, {I}, {I}, {I}, {S}, {T}",
};

/* Appends one row's values template, expanded; with alias, each value named cN. */
static void
bulk_row(struct buf *b, enum dialect d, const struct stmt_def *def,
    const char *view, int alias)
{
	const char *p, *e;
	int col = 1;

	for (p = bulk_row_tmpl[def - defs]; *p != '\0'; p++) {
		if (*p == '{' && (e = strchr(p, '}')) != NULL) {
			expand_token(b, d, p + 1, (size_t)(e - p - 1), def, view);
			p = e;
		} else if (*p == ',' && alias)
			buf_printf(b, " c%d,", col++);
		else
			buf_add(b, p, 1);
	}
	if (alias)
		buf_printf(b, " c%d", col);
}

/*
 * The rows of a bulk INSERT after its column list: VALUES (..), (..) on
 * SQLite and PostgreSQL; on Oracle 11g, which has no multi-row VALUES
 * and draws a sequence once per statement in INSERT ALL, a SELECT of
 * the sequence over a UNION ALL of one-row SELECTs FROM DUAL.
 */
static void
bulk_rows(struct buf *b, enum dialect d, const struct stmt_def *def,
    const char *view)
{
	int i;

	if (d == DIALECT_ORACLE) {
		buf_printf(b, " SELECT %s.NEXTVAL, x.* FROM (", def->seq);
		for (i = 0; i < DIALECT_BULK_ROWS; i++) {
			buf_puts(b, i ? " UNION ALL SELECT " : "SELECT ");
			bulk_row(b, d, def, view, i == 0);
			buf_puts(b, " FROM DUAL");
		}
		buf_puts(b, ") x");
		return;
	}
	buf_puts(b, " VALUES ");
	for (i = 0; i < DIALECT_BULK_ROWS; i++) {
		buf_puts(b, i ? ", (" : "(");
		bulk_row(b, d, def, view, 0);
		buf_puts(b, ")");
	}
}

char *
dialect_sql(enum dialect d, enum sql_id id, const char *view)
{
	const struct stmt_def *def;
	struct buf b = { 0 }, core = { 0 };
	const char *p, *e;

	if ((int)id < 0 || id >= SQL__COUNT || (int)d < 0 ||
	    d >= DIALECT__COUNT)
		return NULL;
	if (view == NULL)
		view = DIALECT_DEFAULT_VIEW;
	if (!dialect_ident_valid(view))
		return NULL;
	def = &defs[id];
	for (p = def->tmpl; *p != '\0'; p++) {
		if (*p == '{' && (e = strchr(p, '}')) != NULL) {
			expand_token(&core, d, p + 1, (size_t)(e - p - 1), def, view);
			p = e;
		} else
			buf_add(&core, p, 1);
	}
	switch (def->page) {
	case PG_NONE:
		return buf_release(&core);
	case PG_BULK:
		bulk_rows(&core, d, def, view);
		return buf_release(&core);
	case PG_KEYSET:
		if (d == DIALECT_ORACLE)
			buf_printf(&b, "SELECT * FROM (%s) WHERE ROWNUM <= ?", core.s);
		else
			buf_printf(&b, "%s LIMIT ?", core.s);
		break;
	case PG_OFFSET:
		/* Oracle: (limit + offset, offset), see dialect_page_values. */
		if (d == DIALECT_ORACLE)
			buf_printf(&b, "SELECT * FROM (SELECT q.*, ROWNUM rn FROM "
			    "(%s) q WHERE ROWNUM <= ?) WHERE rn > ?", core.s);
		else
			buf_printf(&b, "%s LIMIT ? OFFSET ?", core.s);
		break;
	case PG_ONE:
		if (d == DIALECT_ORACLE)
			buf_printf(&b, "SELECT * FROM (%s) WHERE ROWNUM <= 1", core.s);
		else
			buf_printf(&b, "%s LIMIT 1", core.s);
		break;
	}
	buf_free(&core);
	return buf_release(&b);
}

/* The compiled-in text of sql/<name>, or NULL. */
static const char *
sqlfile_text(const char *name)
{
	size_t i;

	for (i = 0; i < sqlfilesz; i++)
		if (strcmp(sqlfiles[i].name, name) == 0)
			return sqlfiles[i].text;
	return NULL;
}

char *
dialect_init_script(enum dialect d, int demo)
{
	const char *files[3];
	struct buf b = { 0 };
	const char *text;
	char *name;
	size_t i, n = 0;

	if (demo)
		files[n++] = "zmc.sql";
	files[n++] = "init.sql";
	if (demo)
		files[n++] = "demo.sql";
	for (i = 0; i < n; i++) {
		name = xasprintf("%s/%s", dialect_name(d), files[i]);
		if ((text = sqlfile_text(name)) == NULL) {
			log_error("sql %s: not built into this binary "
			    "(no sql/%s in the source tree)", name, name);
			free(name);
			buf_free(&b);
			return NULL;
		}
		free(name);
		buf_puts(&b, text);
		if (b.len > 0 && b.s[b.len - 1] != '\n')
			buf_puts(&b, "\n");
	}
	return buf_release(&b);
}

/* Adds the statement collected in cur to the list, if it holds SQL. */
static void
flush_stmt(struct buf *cur, char ***v, size_t *n, size_t *cap)
{
	char *s;
	size_t len;

	if (cur->s == NULL)
		return;
	s = buf_release(cur);
	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	if (len == 0) {
		free(s);
		return;
	}
	*v = xreallocarray_grow(*v, cap, *n + 1, sizeof(**v));
	(*v)[(*n)++] = s;
}

char **
dialect_split_script(enum dialect d, const char *script, size_t *n)
{
	struct buf cur = { 0 };
	char **v = NULL;
	size_t cap = 0, len, i;
	const char *line, *eol;
	int in_dollar = 0;

	*n = 0;
	for (line = script; line != NULL && *line != '\0'; line = eol) {
		const char *t;

		if ((eol = strchr(line, '\n')) == NULL)
			eol = line + strlen(line);
		len = (size_t)(eol - line);
		if (*eol == '\n')
			eol++;
		/* trim trailing blanks (and a CR) */
		while (len > 0 && isspace((unsigned char)line[len - 1]))
			len--;
		for (t = line; t < line + len && isspace((unsigned char)*t); t++)
			;
		if (!in_dollar && (size_t)(t - line) + 2 <= len &&
		    t[0] == '-' && t[1] == '-')
			continue;	/* whole-line comment */
		if (!in_dollar && t == line + len && cur.s == NULL)
			continue;	/* blank line between statements */
		if (d == DIALECT_ORACLE) {
			if (len - (size_t)(t - line) == 1 && *t == '/') {
				flush_stmt(&cur, &v, n, &cap);
				continue;
			}
			/*
			 * SQL*Plus's own "WHENEVER SQLERROR EXIT ..." between
			 * statements: init-db stops at the first error anyway.
			 */
			if (cur.s == NULL && len - (size_t)(t - line) > 9 &&
			    strncasecmp(t, "WHENEVER", 8) == 0 &&
			    isspace((unsigned char)t[8]))
				continue;
			buf_add(&cur, line, len);
			buf_puts(&cur, "\n");
			continue;
		}
		/* postgresql $$ bodies may hold ";" line ends */
		for (i = 0; i + 1 < len; i++)
			if (line[i] == '$' && line[i + 1] == '$') {
				in_dollar = !in_dollar;
				i++;
			}
		if (!in_dollar && len > 0 && line[len - 1] == ';') {
			buf_add(&cur, line, len - 1);
			flush_stmt(&cur, &v, n, &cap);
			continue;
		}
		buf_add(&cur, line, len);
		buf_puts(&cur, "\n");
	}
	flush_stmt(&cur, &v, n, &cap);
	return v;
}
