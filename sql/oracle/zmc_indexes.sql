-- zmc_indexes.sql (oracle): optional indexes on ZMC's own tables that
-- keep the source view fast.  Not run by init-db (zmcsync never changes
-- a ZMC table); for the DBA to review and apply by hand.
--
-- Every run asks the view for alarms after an ALARM_INST_ID, in state U
-- or still tracked by zmcsync, in pages ordered by ALARM_INST_ID, and
-- looks up the latest raise event of each.  A ZMC that keeps years of
-- CDR rows needs
--   NM_ALARM_CDR (ALARM_STATE, ALARM_INST_ID)   the U alarms without a full scan
--   NM_ALARM_EVENT (ALARM_CODE, APP_ENV_ID, RES_INST_ID, RESET_FLAG,
--                   EVENT_INST_ID)             the latest raise event per alarm
-- Many ZMC releases already have equivalent indexes; look first:
--     SELECT INDEX_NAME, TABLE_NAME, COLUMN_NAME, COLUMN_POSITION
--       FROM USER_IND_COLUMNS
--      WHERE TABLE_NAME IN ('NM_ALARM_CDR', 'NM_ALARM_EVENT')
--      ORDER BY INDEX_NAME, COLUMN_POSITION;
-- An existing index with the same columns in the same order is kept
-- (ORA-01408 is ignored), and so is an existing index of the same name.
--
-- Building an index locks its table against writes for the duration.  On
-- a busy ZMC run this in a quiet period, or on Enterprise Edition add
-- ONLINE after the column list.  Run as the owner of the ZMC tables.
-- To remove: DROP INDEX NM_ALARM_CDR_SYNC_IDX and DROP INDEX
-- NM_ALARM_EVENT_SYNC_IDX.
--
-- Installations using view_state_on_event.sql need instead
--     CREATE INDEX NM_ALARM_EVENT_STATE_IDX
--         ON NM_ALARM_EVENT (ALARM_STATE, EVENT_INST_ID)
--
-- Statement convention: a line holding only "/" ends each statement.

DECLARE
    -- Runs one DDL statement; an index that exists is left as it is.
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
    ddl('CREATE INDEX NM_ALARM_CDR_SYNC_IDX
        ON NM_ALARM_CDR (ALARM_STATE, ALARM_INST_ID)');
    ddl('CREATE INDEX NM_ALARM_EVENT_SYNC_IDX
        ON NM_ALARM_EVENT (ALARM_CODE, APP_ENV_ID, RES_INST_ID, RESET_FLAG, EVENT_INST_ID)');
END;
/
