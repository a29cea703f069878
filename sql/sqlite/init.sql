-- init.sql (sqlite): zmcsync's own tables (SPEC 1.3) and the source view
-- (SPEC 1.2) over the CDR-based ZMC schema of zmc.sql.
--
-- Run by "zmcsync init-db"; safe to run again (IF NOT EXISTS everywhere).
-- The view is created only if missing, so an adapted view survives a
-- second init-db; drop it first to get this definition back.
--
-- Time columns hold local wall-clock time "YYYY-MM-DD HH:MM:SS" of
-- database.timezone.  zmcsync binds every time it writes itself; the
-- defaults only serve rows a DBA inserts by hand.
--
-- Statement convention (dialect_split_script): each statement ends with
-- ";" at the end of a line; lines starting with "--" are comments.

CREATE TABLE IF NOT EXISTS NM_ALARM_SYNC_CONFIG (
    CONFIG_ID       INTEGER PRIMARY KEY,
    CONFIG_KEY      VARCHAR(100) NOT NULL,
    CONFIG_VALUE    VARCHAR(1000),
    CONFIG_GROUP    VARCHAR(50) NOT NULL,
    DESCRIPTION     VARCHAR(500),
    IS_ACTIVE       INTEGER DEFAULT 1 NOT NULL,
    CREATE_TIME     TIMESTAMP DEFAULT (datetime('now', 'localtime')),
    UPDATE_TIME     TIMESTAMP,
    UNIQUE (CONFIG_GROUP, CONFIG_KEY)
);

CREATE TABLE IF NOT EXISTS NM_ALARM_SYNC_STATUS (
    SYNC_ID         INTEGER PRIMARY KEY,
    EVENT_INST_ID   INTEGER,
    ALARM_INST_ID   INTEGER NOT NULL UNIQUE,
    SYNC_STATUS     VARCHAR(20) NOT NULL,       -- PENDING, FIRING, RESOLVED, SILENCED
    ZMC_ALARM_STATE VARCHAR(10),
    SILENCE_ID      VARCHAR(100),
    SILENCE_END     TIMESTAMP,
    LAST_PUSH_TIME  TIMESTAMP,
    LAST_EVENT_TIME TIMESTAMP,                  -- startsAt last pushed
    ALERT_LABELS    VARCHAR(4000),              -- label set last pushed, canonical JSON
    PUSH_COUNT      INTEGER DEFAULT 0 NOT NULL,
    ERROR_COUNT     INTEGER DEFAULT 0 NOT NULL,
    LAST_ERROR      VARCHAR(1000),
    CREATE_TIME     TIMESTAMP DEFAULT (datetime('now', 'localtime')),
    UPDATE_TIME     TIMESTAMP
);

CREATE INDEX IF NOT EXISTS NM_ALARM_SYNC_STATUS_ST_IDX ON NM_ALARM_SYNC_STATUS (SYNC_STATUS);

CREATE TABLE IF NOT EXISTS NM_ALARM_SYNC_LOG (
    LOG_ID          INTEGER PRIMARY KEY,
    OPERATION       VARCHAR(50) NOT NULL,
    EVENT_INST_ID   INTEGER,
    ALARM_INST_ID   INTEGER,
    SYNC_BATCH_ID   VARCHAR(50),
    OLD_STATUS      VARCHAR(20),
    NEW_STATUS      VARCHAR(20),
    REQUEST_URL     VARCHAR(500),
    REQUEST_METHOD  VARCHAR(10),
    RESPONSE_CODE   INTEGER,
    DURATION_MS     INTEGER,
    ALARM_COUNT     INTEGER,
    ERROR_MESSAGE   VARCHAR(2000),
    CREATE_TIME     TIMESTAMP DEFAULT (datetime('now', 'localtime'))
);

CREATE INDEX IF NOT EXISTS NM_ALARM_SYNC_LOG_TIME_IDX ON NM_ALARM_SYNC_LOG (CREATE_TIME);

CREATE INDEX IF NOT EXISTS NM_ALARM_SYNC_LOG_ALARM_IDX ON NM_ALARM_SYNC_LOG (ALARM_INST_ID);

CREATE INDEX IF NOT EXISTS NM_ALARM_SYNC_LOG_EVENT_IDX ON NM_ALARM_SYNC_LOG (EVENT_INST_ID);

CREATE TABLE IF NOT EXISTS NM_ALARM_LABEL_MAPPING (
    MAPPING_ID      INTEGER PRIMARY KEY,
    SOURCE_FIELD    VARCHAR(100) NOT NULL,      -- column of the source view
    TARGET_NAME     VARCHAR(100) NOT NULL,      -- label or annotation name
    TARGET_TYPE     VARCHAR(20) DEFAULT 'label' NOT NULL, -- 'label' or 'annotation'
    IS_ACTIVE       INTEGER DEFAULT 1 NOT NULL,
    DESCRIPTION     VARCHAR(500),
    CREATE_TIME     TIMESTAMP DEFAULT (datetime('now', 'localtime'))
);

-- An inactive example: set IS_ACTIVE = 1 to send CDR's clear reason as an annotation.
INSERT INTO NM_ALARM_LABEL_MAPPING (SOURCE_FIELD, TARGET_NAME, TARGET_TYPE, IS_ACTIVE, DESCRIPTION)
SELECT 'CLEAR_REASON', 'clear_reason', 'annotation', 0, 'example: clear reason as an annotation'
WHERE NOT EXISTS (SELECT 1 FROM NM_ALARM_LABEL_MAPPING WHERE SOURCE_FIELD = 'CLEAR_REASON');

-- The lease (SPEC 3): one row, LEASE_NAME 'sync', inserted by the first
-- run.  The instance named in HOLDER syncs; the others stand by until
-- EXPIRES_AT has passed.  EPOCH grows by one at every change of holder
-- and fences a stalled holder out of the bookkeeping.  Its times are
-- UTC from the database's clock (datetime('now')), unlike the other
-- tables.  To hand the lease over at once:
--     UPDATE NM_ALARM_SYNC_LEASE SET EXPIRES_AT = '2000-01-01 00:00:00';
CREATE TABLE IF NOT EXISTS NM_ALARM_SYNC_LEASE (
    LEASE_NAME      VARCHAR(50) NOT NULL PRIMARY KEY,
    HOLDER          VARCHAR(1000) NOT NULL,     -- sync.instance_id of the holder
    EPOCH           INTEGER NOT NULL,
    EXPIRES_AT      TIMESTAMP NOT NULL,         -- UTC
    ACQUIRED_AT     TIMESTAMP NOT NULL,         -- UTC, when this holder took it
    RENEWED_AT      TIMESTAMP NOT NULL          -- UTC
);

-- The source view (SPEC 1.2): one row per alarm.  EVENT_INST_ID is the
-- latest raise event (highest EVENT_INST_ID with RESET_FLAG '1') of the
-- alarm's (ALARM_CODE, APP_ENV_ID, RES_INST_ID).  STATE_TIME is the time
-- of the change into the current state.
CREATE VIEW IF NOT EXISTS NM_ALARM_SYNC_SOURCE AS
SELECT c.ALARM_INST_ID AS ALARM_INST_ID,
       ev.EVENT_INST_ID AS EVENT_INST_ID,
       c.ALARM_STATE AS ALARM_STATE,
       c.ALARM_LEVEL AS ALARM_LEVEL,
       c.ALARM_CODE AS ALARM_CODE,
       lib.ALARM_NAME AS ALARM_NAME,
       d.DEVICE_NAME AS HOST_NAME,
       d.IP_ADDR AS HOST_IP,
       a.APP_NAME AS APP_NAME,
       sd.DOMAIN_NAME AS BUSINESS_DOMAIN,
       CASE sd.DOMAIN_TYPE WHEN 'A' THEN 'production' WHEN 'T' THEN 'test'
            WHEN 'D' THEN 'dr' END AS ENVIRONMENT,
       ev.RES_INST_TYPE AS RES_INST_TYPE,
       ev.EVENT_TIME AS EVENT_TIME,
       CASE c.ALARM_STATE
            WHEN 'A' THEN COALESCE(c.RESET_DATE, c.CLEAR_DATE, c.CONFIRM_DATE)
            WHEN 'C' THEN COALESCE(c.CONFIRM_DATE, c.CLEAR_DATE, c.RESET_DATE)
            WHEN 'M' THEN COALESCE(c.CLEAR_DATE, c.CONFIRM_DATE, c.RESET_DATE)
       END AS STATE_TIME,
       c.CREATE_DATE AS CREATE_DATE,
       ev.DETAIL_INFO AS DETAIL_INFO,
       lib.FAULT_REASON AS FAULT_REASON,
       lib.DEAL_SUGGEST AS DEAL_SUGGEST,
       c.CLEAR_REASON AS CLEAR_REASON,
       c.TOTAL_ALARM AS TOTAL_ALARM
  FROM NM_ALARM_CDR c
  LEFT JOIN NM_ALARM_CODE_LIB lib ON lib.ALARM_CODE = c.ALARM_CODE
  LEFT JOIN APP_ENV a ON a.APP_ENV_ID = c.APP_ENV_ID
  LEFT JOIN DEVICE d ON d.DEVICE_ID = a.DEVICE_ID
  LEFT JOIN SYS_DOMAIN sd ON sd.DOMAIN_ID = a.SYS_DOMAIN_ID
  LEFT JOIN NM_ALARM_EVENT ev ON ev.EVENT_INST_ID = (
       SELECT MAX(e.EVENT_INST_ID) FROM NM_ALARM_EVENT e
        WHERE e.ALARM_CODE = c.ALARM_CODE AND e.APP_ENV_ID = c.APP_ENV_ID
          AND e.RES_INST_ID = c.RES_INST_ID AND e.RESET_FLAG = '1');
