-- zmc.sql (postgresql): reference copy of the ZMC alarm tables (SPEC 1.1).
--
-- A production ZMC already has these tables (on Oracle); this copy exists
-- for the demo and the tests, and is only run by "zmcsync init-db --demo".
-- Time columns are TIMESTAMP(0), local wall-clock time like Oracle's DATE
-- (no time zone, whole seconds); psqlODBC reports them as
-- SQL_TYPE_TIMESTAMP.  Ids are BIGINT (Oracle NUMBER(13)).
--
-- Statement convention (dialect_split_script): each statement ends with
-- ";" at the end of a line; lines starting with "--" are comments.

CREATE TABLE IF NOT EXISTS SYS_DOMAIN (
    DOMAIN_ID       BIGINT PRIMARY KEY,
    DOMAIN_NAME     VARCHAR(100),
    DOMAIN_TYPE     CHAR(1)                     -- A production, T test, D DR
);

CREATE TABLE IF NOT EXISTS DEVICE (
    DEVICE_ID       BIGINT PRIMARY KEY,
    DEVICE_NAME     VARCHAR(100),
    IP_ADDR         VARCHAR(64),
    DEVICE_MODEL    VARCHAR(100)
);

CREATE TABLE IF NOT EXISTS APP_ENV (
    APP_ENV_ID      BIGINT PRIMARY KEY,
    APP_NAME        VARCHAR(100),
    DEVICE_ID       BIGINT,
    SYS_DOMAIN_ID   BIGINT,
    USERNAME        VARCHAR(60)
);

CREATE TABLE IF NOT EXISTS NM_ALARM_CODE_LIB (
    ALARM_CODE      BIGINT PRIMARY KEY,
    ALARM_NAME      VARCHAR(200),
    WARN_LEVEL      INTEGER,
    FAULT_REASON    VARCHAR(2000),
    DEAL_SUGGEST    VARCHAR(2000),
    ALARM_TYPE      INTEGER                     -- 0 Communication .. 4 Environmental
);

CREATE TABLE IF NOT EXISTS NM_ALARM_CDR (
    ALARM_INST_ID   BIGINT PRIMARY KEY,         -- NUMBER(13)
    ALARM_CODE      BIGINT NOT NULL,
    APP_ENV_ID      BIGINT,
    RES_INST_ID     BIGINT,
    ALARM_STATE     CHAR(1) NOT NULL,           -- U, A, M, C
    ALARM_LEVEL     INTEGER,                    -- 1 critical .. 4 warning
    CREATE_DATE     TIMESTAMP(0),
    RESET_DATE      TIMESTAMP(0),               -- automatic recovery
    CLEAR_DATE      TIMESTAMP(0),               -- manual clear
    CONFIRM_DATE    TIMESTAMP(0),
    TOTAL_ALARM     INTEGER,
    CLEAR_REASON    VARCHAR(1000)
);

CREATE TABLE IF NOT EXISTS NM_ALARM_EVENT (
    EVENT_INST_ID   BIGINT PRIMARY KEY,         -- NUMBER(13)
    ALARM_CODE      BIGINT NOT NULL,
    APP_ENV_ID      BIGINT,
    RES_INST_ID     BIGINT,
    RESET_FLAG      CHAR(1),                    -- '1' alarm, '0' recovery
    EVENT_TIME      TIMESTAMP(0),
    CREATE_DATE     TIMESTAMP(0),
    ALARM_LEVEL     INTEGER,
    DETAIL_INFO     VARCHAR(4000),
    DATA_1          VARCHAR(500),
    DATA_2          VARCHAR(500),
    DATA_3          VARCHAR(500),
    DATA_4          VARCHAR(500),
    DATA_5          VARCHAR(500),
    DATA_6          VARCHAR(500),
    DATA_7          VARCHAR(500),
    DATA_8          VARCHAR(500),
    DATA_9          VARCHAR(500),
    DATA_10         VARCHAR(500),
    TASK_TYPE       VARCHAR(50),
    RES_INST_TYPE   VARCHAR(50)
);

-- The view looks up the latest raise event of each alarm by these columns
-- (an index-only backward scan finds MAX(EVENT_INST_ID) per alarm).
CREATE INDEX IF NOT EXISTS NM_ALARM_EVENT_SRC_IDX
    ON NM_ALARM_EVENT (ALARM_CODE, APP_ENV_ID, RES_INST_ID, RESET_FLAG, EVENT_INST_ID);

-- The page query takes the U rows in ALARM_INST_ID order.
CREATE INDEX IF NOT EXISTS NM_ALARM_CDR_STATE_IDX ON NM_ALARM_CDR (ALARM_STATE, ALARM_INST_ID);
