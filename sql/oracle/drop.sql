-- drop.sql (oracle): removes everything init.sql created -- the source
-- view, the five sync tables (with their keys, indexes and comments) and
-- their sequences.  No ZMC table is touched.  Not run by zmcsync; for the
-- DBA, as the owner of the sync tables:
--     sqlplus zmc@//db-host:1521/ZMC @drop.sql
--
-- Before: remove the cron job (or systemd timer) so no run starts, and
-- keep what is worth keeping -- the sync history in NM_ALARM_SYNC_LOG,
-- an adapted view's text:
--     SELECT TEXT FROM USER_VIEWS WHERE VIEW_NAME = 'NM_ALARM_SYNC_SOURCE';
-- After: alerts zmcsync left firing in Alertmanager expire by themselves
-- when their lease (sync.alert_ttl) ends; silences it created end at
-- their end time (zmcsync silences lists them).
--
-- The tables go to the recycle bin (FLASHBACK TABLE NM_ALARM_SYNC_LOG TO
-- BEFORE DROP brings one back; PURGE RECYCLEBIN frees the space).  An
-- object that is already gone just reports ORA-00942 (table or view) or
-- ORA-02289 (sequence); the rest still runs in SQL*Plus.  A view
-- configured under another name ([zmc] source) is yours to drop, and so
-- are the optional indexes of zmc_indexes.sql.
--
-- Statement convention: a line holding only "/" ends each statement.

DROP VIEW NM_ALARM_SYNC_SOURCE
/

DROP TABLE NM_ALARM_SYNC_STATUS
/

DROP TABLE NM_ALARM_SYNC_LOG
/

DROP TABLE NM_ALARM_SYNC_CONFIG
/

DROP TABLE NM_ALARM_LABEL_MAPPING
/

DROP TABLE NM_ALARM_SYNC_LEASE
/

DROP SEQUENCE NM_ALARM_SYNC_STATUS_SEQ
/

DROP SEQUENCE NM_ALARM_SYNC_LOG_SEQ
/

DROP SEQUENCE NM_ALARM_SYNC_CONFIG_SEQ
/

DROP SEQUENCE NM_ALARM_SYNC_MAPPING_SEQ
/
