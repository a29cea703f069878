-- init.sql (oracle): zmcsync's own tables (SPEC 1.3) and the source view
-- (SPEC 1.2) over the CDR-based ZMC schema.  Oracle 11g and later.
--
-- Run by "zmcsync init-db", or by a DBA as printed by
-- "zmcsync init-db --print --dialect oracle", e.g.
--     sqlplus zmc@//db-host:1521/ZMC @zmcsync-oracle.sql
-- It creates, in the schema of the connected user:
--     sequences  NM_ALARM_SYNC_CONFIG_SEQ, NM_ALARM_SYNC_STATUS_SEQ,
--                NM_ALARM_SYNC_LOG_SEQ, NM_ALARM_SYNC_MAPPING_SEQ
--     tables     NM_ALARM_SYNC_CONFIG, NM_ALARM_SYNC_STATUS,
--                NM_ALARM_SYNC_LOG, NM_ALARM_LABEL_MAPPING,
--                NM_ALARM_SYNC_LEASE, with their primary keys, unique
--                keys and indexes
--     view       NM_ALARM_SYNC_SOURCE, reading NM_ALARM_CDR, NM_ALARM_EVENT,
--                NM_ALARM_CODE_LIB, APP_ENV, DEVICE and SYS_DOMAIN
-- and one inactive example row in NM_ALARM_LABEL_MAPPING.  No ZMC table
-- is changed.  Privileges: CREATE SESSION, CREATE TABLE, CREATE SEQUENCE,
-- CREATE VIEW, a quota on the default tablespace, and SELECT on the six
-- ZMC tables (granted directly, not through a role, when they belong to
-- another schema).  drop.sql in this directory removes it all again.
--
-- Safe to run again: every object is created only while its name is
-- free (ORA-00955 is ignored); nothing that exists is altered or dropped.
-- An adapted view therefore survives a second run; drop it first to get
-- this definition back.  A table of the same name without a column
-- zmcsync needs (an older layout, such as the Python exporter's) stops the
-- script with ORA-20001 naming it, before anything is created.
--
-- Time columns are DATE, holding local wall-clock time of
-- database.timezone.  zmcsync binds every time it writes, as
-- TO_DATE(?, 'YYYY-MM-DD HH24:MI:SS'), and never uses SYSDATE, so one clock
-- rules; the DEFAULT SYSDATE clauses only serve rows a DBA inserts by hand.
-- The one exception is NM_ALARM_SYNC_LEASE: its times are UTC from the
-- database's own clock (SYS_EXTRACT_UTC of SYSTIMESTAMP), so that hosts
-- whose clocks differ still agree on when the lease expires.
-- Integers are NUMBER, text VARCHAR2 (at most 4000 bytes, no CLOB).
--
-- Statement convention (dialect_split_script, and SQL*Plus): a line
-- holding only "/" ends each statement.  Plain SQL statements carry no
-- trailing ";" and no blank lines; PL/SQL blocks end with "END;".  Lines
-- starting with "--" are comments.  The file is plain ASCII.

-- SQL*Plus stops at the first error, as init-db does (which skips this line).
WHENEVER SQLERROR EXIT FAILURE

-- The five tables, the sequences and indexes.  A table that exists
-- already (an earlier zmcsync, or the Python zmc-alarm-exporter this
-- replaces) must have every column listed in need(); if one is missing the
-- block stops with ORA-20001 naming it, before anything is created.  A
-- sequence created for an existing table starts after its highest id.
DECLARE
    -- Stops when table t exists without one of the comma-separated cols.
    PROCEDURE need(t IN VARCHAR2, cols IN VARCHAR2) IS
        n    NUMBER;
        rest VARCHAR2(1000) := cols || ',';
        c    VARCHAR2(30);
    BEGIN
        SELECT COUNT(*) INTO n FROM USER_TABLES WHERE TABLE_NAME = t;
        IF n = 0 THEN
            RETURN;
        END IF;
        WHILE INSTR(rest, ',') > 0 LOOP
            c := SUBSTR(rest, 1, INSTR(rest, ',') - 1);
            rest := SUBSTR(rest, INSTR(rest, ',') + 1);
            SELECT COUNT(*) INTO n FROM USER_TAB_COLUMNS
             WHERE TABLE_NAME = t AND COLUMN_NAME = c;
            IF n = 0 THEN
                RAISE_APPLICATION_ERROR(-20001, 'zmcsync: table ' || t ||
                    ' exists without column ' || c || ' (an older layout):' ||
                    ' rename or drop it, then run this script again');
            END IF;
        END LOOP;
    END;
    -- Runs one DDL statement.  A name already in use (ORA-00955) or a
    -- column list already indexed (ORA-01408) means the object is there
    -- from an earlier run: it is left as it is.
    PROCEDURE ddl(stmt IN VARCHAR2) IS
    BEGIN
        EXECUTE IMMEDIATE stmt;
    EXCEPTION
        WHEN OTHERS THEN
            IF SQLCODE NOT IN (-955, -1408) THEN
                RAISE;
            END IF;
    END;
    -- Creates sequence s for id column col of table t, unless it exists,
    -- starting after the highest id t already holds.
    PROCEDURE seq(s IN VARCHAR2, t IN VARCHAR2, col IN VARCHAR2) IS
        start_id NUMBER;
    BEGIN
        EXECUTE IMMEDIATE 'SELECT NVL(MAX(' || col || '), 0) + 1 FROM ' || t
            INTO start_id;
        ddl('CREATE SEQUENCE ' || s || ' START WITH ' || start_id ||
            ' INCREMENT BY 1 CACHE 20');
    END;
BEGIN
    need('NM_ALARM_SYNC_CONFIG', 'CONFIG_ID,CONFIG_KEY,CONFIG_VALUE,CONFIG_GROUP,' ||
        'DESCRIPTION,IS_ACTIVE,CREATE_TIME,UPDATE_TIME');
    need('NM_ALARM_SYNC_STATUS', 'SYNC_ID,EVENT_INST_ID,ALARM_INST_ID,SYNC_STATUS,' ||
        'ZMC_ALARM_STATE,SILENCE_ID,SILENCE_END,LAST_PUSH_TIME,LAST_EVENT_TIME,' ||
        'ALERT_LABELS,PUSH_COUNT,ERROR_COUNT,LAST_ERROR,CREATE_TIME,UPDATE_TIME');
    need('NM_ALARM_SYNC_LOG', 'LOG_ID,OPERATION,EVENT_INST_ID,ALARM_INST_ID,' ||
        'SYNC_BATCH_ID,OLD_STATUS,NEW_STATUS,REQUEST_URL,REQUEST_METHOD,' ||
        'RESPONSE_CODE,DURATION_MS,ALARM_COUNT,ERROR_MESSAGE,CREATE_TIME');
    need('NM_ALARM_LABEL_MAPPING', 'MAPPING_ID,SOURCE_FIELD,TARGET_NAME,' ||
        'TARGET_TYPE,IS_ACTIVE,DESCRIPTION,CREATE_TIME');
    need('NM_ALARM_SYNC_LEASE', 'LEASE_NAME,HOLDER,EPOCH,EXPIRES_AT,' ||
        'ACQUIRED_AT,RENEWED_AT');
    --
    -- NM_ALARM_SYNC_CONFIG: runtime configuration rows.  Every run applies
    -- the active rows ("config set" writes them); group and key are stored
    -- upper case, as CONFIG_GROUP 'SYNC', CONFIG_KEY 'HEARTBEAT_INTERVAL'.
    ddl('CREATE TABLE NM_ALARM_SYNC_CONFIG (
        CONFIG_ID       NUMBER NOT NULL,
        CONFIG_KEY      VARCHAR2(100) NOT NULL,
        CONFIG_VALUE    VARCHAR2(1000),
        CONFIG_GROUP    VARCHAR2(50) NOT NULL,
        DESCRIPTION     VARCHAR2(500),
        IS_ACTIVE       NUMBER(1) DEFAULT 1 NOT NULL,
        CREATE_TIME     DATE DEFAULT SYSDATE,
        UPDATE_TIME     DATE,
        CONSTRAINT NM_ALARM_SYNC_CONFIG_PK PRIMARY KEY (CONFIG_ID),
        CONSTRAINT NM_ALARM_SYNC_CONFIG_UK UNIQUE (CONFIG_GROUP, CONFIG_KEY))');
    seq('NM_ALARM_SYNC_CONFIG_SEQ', 'NM_ALARM_SYNC_CONFIG', 'CONFIG_ID');
    --
    -- NM_ALARM_SYNC_STATUS: one row per alarm zmcsync pushed.  The run
    -- pages through it by ALARM_INST_ID (unique key) and updates rows by
    -- ALARM_INST_ID; the (SYNC_STATUS, ALARM_INST_ID) index answers the
    -- run's "alarms still tracked" and "firing" subqueries on its own.
    ddl('CREATE TABLE NM_ALARM_SYNC_STATUS (
        SYNC_ID         NUMBER NOT NULL,
        EVENT_INST_ID   NUMBER,
        ALARM_INST_ID   NUMBER NOT NULL,
        SYNC_STATUS     VARCHAR2(20) NOT NULL,
        ZMC_ALARM_STATE VARCHAR2(10),
        SILENCE_ID      VARCHAR2(100),
        SILENCE_END     DATE,
        LAST_PUSH_TIME  DATE,
        LAST_EVENT_TIME DATE,
        ALERT_LABELS    VARCHAR2(4000),
        PUSH_COUNT      NUMBER DEFAULT 0 NOT NULL,
        ERROR_COUNT     NUMBER DEFAULT 0 NOT NULL,
        LAST_ERROR      VARCHAR2(1000),
        CREATE_TIME     DATE DEFAULT SYSDATE,
        UPDATE_TIME     DATE,
        CONSTRAINT NM_ALARM_SYNC_STATUS_PK PRIMARY KEY (SYNC_ID),
        CONSTRAINT NM_ALARM_SYNC_STATUS_UK UNIQUE (ALARM_INST_ID))');
    seq('NM_ALARM_SYNC_STATUS_SEQ', 'NM_ALARM_SYNC_STATUS', 'SYNC_ID');
    ddl('CREATE INDEX NM_ALARM_SYNC_STATUS_ST_IDX
        ON NM_ALARM_SYNC_STATUS (SYNC_STATUS, ALARM_INST_ID)');
    --
    -- NM_ALARM_SYNC_LOG: one row per operation (zmcsync logs).  The
    -- (CREATE_TIME, LOG_ID) index serves the newest-first listing, the
    -- 24-hour count of zmcsync stats and zmcsync cleanup; --alarm-id and
    -- --event-id have their own.
    ddl('CREATE TABLE NM_ALARM_SYNC_LOG (
        LOG_ID          NUMBER NOT NULL,
        OPERATION       VARCHAR2(50) NOT NULL,
        EVENT_INST_ID   NUMBER,
        ALARM_INST_ID   NUMBER,
        SYNC_BATCH_ID   VARCHAR2(50),
        OLD_STATUS      VARCHAR2(20),
        NEW_STATUS      VARCHAR2(20),
        REQUEST_URL     VARCHAR2(500),
        REQUEST_METHOD  VARCHAR2(10),
        RESPONSE_CODE   NUMBER,
        DURATION_MS     NUMBER,
        ALARM_COUNT     NUMBER,
        ERROR_MESSAGE   VARCHAR2(2000),
        CREATE_TIME     DATE DEFAULT SYSDATE,
        CONSTRAINT NM_ALARM_SYNC_LOG_PK PRIMARY KEY (LOG_ID))');
    seq('NM_ALARM_SYNC_LOG_SEQ', 'NM_ALARM_SYNC_LOG', 'LOG_ID');
    ddl('CREATE INDEX NM_ALARM_SYNC_LOG_TIME_IDX
        ON NM_ALARM_SYNC_LOG (CREATE_TIME, LOG_ID)');
    ddl('CREATE INDEX NM_ALARM_SYNC_LOG_ALARM_IDX
        ON NM_ALARM_SYNC_LOG (ALARM_INST_ID)');
    ddl('CREATE INDEX NM_ALARM_SYNC_LOG_EVENT_IDX
        ON NM_ALARM_SYNC_LOG (EVENT_INST_ID)');
    --
    -- NM_ALARM_LABEL_MAPPING: extra labels or annotations taken from
    -- columns of the source view.  Rows added by hand take their id from
    -- the sequence:
    --     INSERT INTO NM_ALARM_LABEL_MAPPING (MAPPING_ID, SOURCE_FIELD,
    --         TARGET_NAME, TARGET_TYPE)
    --     VALUES (NM_ALARM_SYNC_MAPPING_SEQ.NEXTVAL, 'DATA_1', 'slot', 'label')
    ddl('CREATE TABLE NM_ALARM_LABEL_MAPPING (
        MAPPING_ID      NUMBER NOT NULL,
        SOURCE_FIELD    VARCHAR2(100) NOT NULL,
        TARGET_NAME     VARCHAR2(100) NOT NULL,
        TARGET_TYPE     VARCHAR2(20) DEFAULT ''label'' NOT NULL,
        IS_ACTIVE       NUMBER(1) DEFAULT 1 NOT NULL,
        DESCRIPTION     VARCHAR2(500),
        CREATE_TIME     DATE DEFAULT SYSDATE,
        CONSTRAINT NM_ALARM_LABEL_MAPPING_PK PRIMARY KEY (MAPPING_ID))');
    seq('NM_ALARM_SYNC_MAPPING_SEQ', 'NM_ALARM_LABEL_MAPPING', 'MAPPING_ID');
    --
    -- NM_ALARM_SYNC_LEASE: the lease of SPEC 3, one row (LEASE_NAME
    -- 'sync') inserted by the first run.  The instance in HOLDER syncs,
    -- the others stand by until EXPIRES_AT; EPOCH grows at every change
    -- of holder and fences a stalled holder out of the bookkeeping.
    -- Times are UTC.  To hand the lease over at once:
    --     UPDATE NM_ALARM_SYNC_LEASE SET EXPIRES_AT = DATE '2000-01-01'
    ddl('CREATE TABLE NM_ALARM_SYNC_LEASE (
        LEASE_NAME      VARCHAR2(50) NOT NULL,
        HOLDER          VARCHAR2(1000) NOT NULL,
        EPOCH           NUMBER NOT NULL,
        EXPIRES_AT      DATE NOT NULL,
        ACQUIRED_AT     DATE NOT NULL,
        RENEWED_AT      DATE NOT NULL,
        CONSTRAINT NM_ALARM_SYNC_LEASE_PK PRIMARY KEY (LEASE_NAME))');
END;
/

COMMENT ON TABLE NM_ALARM_SYNC_CONFIG IS 'zmcsync: runtime configuration (zmcsync config list/set/unset); only IS_ACTIVE = 1 rows apply'
/

COMMENT ON TABLE NM_ALARM_SYNC_STATUS IS 'zmcsync: one row per alarm pushed to Alertmanager (zmcsync alarms); RESOLVED rows are removed by zmcsync cleanup'
/

COMMENT ON COLUMN NM_ALARM_SYNC_STATUS.SYNC_STATUS IS 'PENDING (first push failed, retried), FIRING, RESOLVED or SILENCED'
/

COMMENT ON COLUMN NM_ALARM_SYNC_STATUS.ZMC_ALARM_STATE IS 'ZMC state last seen: U active, A auto-recovered, C confirmed, M manually cleared'
/

COMMENT ON COLUMN NM_ALARM_SYNC_STATUS.LAST_EVENT_TIME IS 'startsAt of the alert last pushed (EVENT_TIME of the view)'
/

COMMENT ON COLUMN NM_ALARM_SYNC_STATUS.ALERT_LABELS IS 'exact label set last pushed, canonical JSON; a change resolves the old alert'
/

COMMENT ON TABLE NM_ALARM_SYNC_LOG IS 'zmcsync: one row per operation (zmcsync logs); rows older than log.retention_days are removed by zmcsync cleanup'
/

COMMENT ON COLUMN NM_ALARM_SYNC_LOG.OPERATION IS 'PUSH_FIRING, HEARTBEAT, RELABEL, PUSH_RESOLVED, SILENCE, EXPIRE_SILENCE, SILENCE_ENDED'
/

COMMENT ON COLUMN NM_ALARM_SYNC_LOG.ALARM_COUNT IS 'alerts covered by the row: 1, or the batch size of a HEARTBEAT request row'
/

COMMENT ON COLUMN NM_ALARM_SYNC_LOG.ERROR_MESSAGE IS 'NULL on success'
/

COMMENT ON TABLE NM_ALARM_SYNC_LEASE IS 'zmcsync: which host syncs (zmcsync status); times are UTC from the database clock'
/

COMMENT ON COLUMN NM_ALARM_SYNC_LEASE.EPOCH IS 'grows by one at every change of holder; a holder whose epoch is gone writes nothing'
/

COMMENT ON TABLE NM_ALARM_LABEL_MAPPING IS 'zmcsync: source view column (SOURCE_FIELD) to Alertmanager label or annotation (TARGET_NAME, TARGET_TYPE label or annotation)'
/

-- An inactive example: set IS_ACTIVE = 1 to send CDR's clear reason as an
-- annotation.
INSERT INTO NM_ALARM_LABEL_MAPPING (MAPPING_ID, SOURCE_FIELD, TARGET_NAME,
    TARGET_TYPE, IS_ACTIVE, DESCRIPTION)
SELECT NM_ALARM_SYNC_MAPPING_SEQ.NEXTVAL, 'CLEAR_REASON', 'clear_reason',
       'annotation', 0, 'example: clear reason as an annotation'
  FROM DUAL
 WHERE NOT EXISTS (SELECT 1 FROM NM_ALARM_LABEL_MAPPING m
                    WHERE m.SOURCE_FIELD = 'CLEAR_REASON')
/

COMMIT
/

-- The source view (SPEC 1.2): one row per NM_ALARM_CDR alarm.
-- EVENT_INST_ID is the latest raise event (highest EVENT_INST_ID with
-- RESET_FLAG '1') of the alarm's (ALARM_CODE, APP_ENV_ID, RES_INST_ID);
-- it is looked up in an inline view first, because Oracle 11g cannot
-- outer-join to a subquery (ORA-01799).  STATE_TIME is the time of the
-- change into the current state.  ZMC's DATE columns pass through
-- unconverted: zmcsync reads them in database.timezone.
-- If DETAIL_INFO, FAULT_REASON or DEAL_SUGGEST are CLOBs in your ZMC, wrap
-- them as DBMS_LOB.SUBSTR(col, 1000, 1): the view must stay VARCHAR2.
-- Adapt the view to the installation, never the program: zmcsync only
-- needs the column names.
DECLARE
    -- Runs one DDL statement; an object that exists is left as it is.
    PROCEDURE ddl(stmt IN VARCHAR2) IS
    BEGIN
        EXECUTE IMMEDIATE stmt;
    EXCEPTION
        WHEN OTHERS THEN
            IF SQLCODE NOT IN (-955, -1408) THEN
                RAISE;
            END IF;
    END;
BEGIN
    ddl('CREATE VIEW NM_ALARM_SYNC_SOURCE AS
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
       CASE sd.DOMAIN_TYPE WHEN ''A'' THEN ''production'' WHEN ''T'' THEN ''test''
            WHEN ''D'' THEN ''dr'' END AS ENVIRONMENT,
       ev.RES_INST_TYPE AS RES_INST_TYPE,
       ev.EVENT_TIME AS EVENT_TIME,
       CASE c.ALARM_STATE
            WHEN ''A'' THEN COALESCE(c.RESET_DATE, c.CLEAR_DATE, c.CONFIRM_DATE)
            WHEN ''C'' THEN COALESCE(c.CONFIRM_DATE, c.CLEAR_DATE, c.RESET_DATE)
            WHEN ''M'' THEN COALESCE(c.CLEAR_DATE, c.CONFIRM_DATE, c.RESET_DATE)
       END AS STATE_TIME,
       c.CREATE_DATE AS CREATE_DATE,
       ev.DETAIL_INFO AS DETAIL_INFO,
       lib.FAULT_REASON AS FAULT_REASON,
       lib.DEAL_SUGGEST AS DEAL_SUGGEST,
       c.CLEAR_REASON AS CLEAR_REASON,
       c.TOTAL_ALARM AS TOTAL_ALARM
  FROM (SELECT cdr.ALARM_INST_ID, cdr.ALARM_CODE, cdr.APP_ENV_ID,
               cdr.RES_INST_ID, cdr.ALARM_STATE, cdr.ALARM_LEVEL,
               cdr.CREATE_DATE, cdr.RESET_DATE, cdr.CLEAR_DATE,
               cdr.CONFIRM_DATE, cdr.TOTAL_ALARM, cdr.CLEAR_REASON,
               (SELECT MAX(e.EVENT_INST_ID) FROM NM_ALARM_EVENT e
                 WHERE e.ALARM_CODE = cdr.ALARM_CODE
                   AND e.APP_ENV_ID = cdr.APP_ENV_ID
                   AND e.RES_INST_ID = cdr.RES_INST_ID
                   AND e.RESET_FLAG = ''1'') LAST_EVENT_ID
          FROM NM_ALARM_CDR cdr) c
  LEFT JOIN NM_ALARM_EVENT ev ON ev.EVENT_INST_ID = c.LAST_EVENT_ID
  LEFT JOIN NM_ALARM_CODE_LIB lib ON lib.ALARM_CODE = c.ALARM_CODE
  LEFT JOIN APP_ENV a ON a.APP_ENV_ID = c.APP_ENV_ID
  LEFT JOIN DEVICE d ON d.DEVICE_ID = a.DEVICE_ID
  LEFT JOIN SYS_DOMAIN sd ON sd.DOMAIN_ID = a.SYS_DOMAIN_ID');
END;
/
