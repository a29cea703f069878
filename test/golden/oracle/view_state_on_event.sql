-- view_state_on_event.sql (oracle): the source view for ZMC installations
-- that keep the alarm state on NM_ALARM_EVENT instead of NM_ALARM_CDR.
--
-- When to use it: older ZMC releases (the ones the original Python
-- exporter was written for) write one NM_ALARM_EVENT row per raised alarm
-- and update ALARM_STATE (U/A/C/M) on that row; NM_ALARM_CDR is missing or
-- not maintained there.  Check with
--     SELECT ALARM_STATE, COUNT(*) FROM NM_ALARM_EVENT GROUP BY ALARM_STATE;
-- If that works and shows U rows, use this file instead of the view in
-- init.sql.  Each raise event is then one alarm: ALARM_INST_ID is the
-- EVENT_INST_ID of the raise row.
--
-- Adapt the column names of NM_ALARM_EVENT below to your installation
-- (ALARM_STATE, RESET_DATE, CLEAR_DATE, CONFIRM_DATE, CLEAR_REASON) if they
-- differ; zmcsync only needs the view's column names (SPEC 1.2) to stay.
-- ZMC's DATE columns pass through unconverted (zmcsync reads them in
-- database.timezone).  A CLOB column must be cut to VARCHAR2, e.g.
-- DBMS_LOB.SUBSTR(e.DETAIL_INFO, 1000, 1).
--
-- Not run by init-db: apply it by hand after init.sql, as the owner of
-- the sync tables (it replaces the view init.sql created), e.g.
--     sqlplus zmc@//db-host:1521/ZMC @view_state_on_event.sql
-- For the run to stay fast, NM_ALARM_EVENT needs an index on
-- (ALARM_STATE, EVENT_INST_ID): the run asks for the U rows.  See
-- zmc_indexes.sql in this directory.
--
-- Statement convention: a line holding only "/" ends each statement;
-- plain SQL carries no trailing ";" and no blank lines.

CREATE OR REPLACE VIEW NM_ALARM_SYNC_SOURCE AS
SELECT e.EVENT_INST_ID AS ALARM_INST_ID,
       e.EVENT_INST_ID AS EVENT_INST_ID,
       e.ALARM_STATE AS ALARM_STATE,
       e.ALARM_LEVEL AS ALARM_LEVEL,
       e.ALARM_CODE AS ALARM_CODE,
       lib.ALARM_NAME AS ALARM_NAME,
       d.DEVICE_NAME AS HOST_NAME,
       d.IP_ADDR AS HOST_IP,
       a.APP_NAME AS APP_NAME,
       sd.DOMAIN_NAME AS BUSINESS_DOMAIN,
       CASE sd.DOMAIN_TYPE WHEN 'A' THEN 'production' WHEN 'T' THEN 'test'
            WHEN 'D' THEN 'dr' END AS ENVIRONMENT,
       e.RES_INST_TYPE AS RES_INST_TYPE,
       e.EVENT_TIME AS EVENT_TIME,
       CASE e.ALARM_STATE
            WHEN 'A' THEN COALESCE(e.RESET_DATE, e.CLEAR_DATE, e.CONFIRM_DATE)
            WHEN 'C' THEN COALESCE(e.CONFIRM_DATE, e.CLEAR_DATE, e.RESET_DATE)
            WHEN 'M' THEN COALESCE(e.CLEAR_DATE, e.CONFIRM_DATE, e.RESET_DATE)
       END AS STATE_TIME,
       e.CREATE_DATE AS CREATE_DATE,
       e.DETAIL_INFO AS DETAIL_INFO,
       lib.FAULT_REASON AS FAULT_REASON,
       lib.DEAL_SUGGEST AS DEAL_SUGGEST,
       e.CLEAR_REASON AS CLEAR_REASON,
       1 AS TOTAL_ALARM
  FROM NM_ALARM_EVENT e
  LEFT JOIN NM_ALARM_CODE_LIB lib ON lib.ALARM_CODE = e.ALARM_CODE
  LEFT JOIN APP_ENV a ON a.APP_ENV_ID = e.APP_ENV_ID
  LEFT JOIN DEVICE d ON d.DEVICE_ID = a.DEVICE_ID
  LEFT JOIN SYS_DOMAIN sd ON sd.DOMAIN_ID = a.SYS_DOMAIN_ID
 WHERE e.RESET_FLAG = '1'
/
