#!/bin/bash
# t_bad_rows.sh: bad rows of an adapted source view stay alone.  One row
# whose ALARM_INST_ID is not an integer, or an id that appears twice, is
# reported and skipped, and every other alarm keeps its state in the
# tables and in a real Alertmanager; a view without a column the run
# needs fails the run before anything is pushed or resolved.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zmc.sh"
need jq

am_start
zmc_init "[zmc]" "source = BAD_SRC"
sql "CREATE VIEW BAD_SRC AS SELECT * FROM NM_ALARM_SYNC_SOURCE;"
base=2024000000000
t=$(ts_ago 5)
sql "INSERT INTO NM_ALARM_CDR (ALARM_INST_ID, ALARM_CODE, APP_ENV_ID, RES_INST_ID, ALARM_STATE, ALARM_LEVEL, CREATE_DATE, TOTAL_ALARM)
     WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
     SELECT $base + i, 9001, 901, $base + i, 'U', 1, $t, 1 FROM n;
     INSERT INTO NM_ALARM_EVENT (EVENT_INST_ID, ALARM_CODE, APP_ENV_ID, RES_INST_ID, RESET_FLAG, EVENT_TIME, CREATE_DATE, ALARM_LEVEL, DETAIL_INFO, RES_INST_TYPE)
     SELECT ALARM_INST_ID * 10 + 1, 9001, 901, ALARM_INST_ID, '1', $t, $t, 1, 'cpu', 'HOST' FROM NM_ALARM_CDR;"
check_rc "300 alarms: exit 0" 0 zrun
check_eq "300 firing" "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE SYNC_STATUS='FIRING'")" 300

# The adapter now also yields a row with id 2024000000004.5 (the default
# batch size is 100, so it sits on the first page).
cols=$(sql "SELECT group_concat(name, ', ') FROM pragma_table_info('NM_ALARM_SYNC_SOURCE') WHERE name <> 'ALARM_INST_ID'")
sql "DROP VIEW BAD_SRC;
     CREATE VIEW BAD_SRC AS SELECT * FROM NM_ALARM_SYNC_SOURCE
     UNION ALL SELECT ALARM_INST_ID + 0.5 AS ALARM_INST_ID, $cols
       FROM NM_ALARM_SYNC_SOURCE WHERE ALARM_INST_ID = $((base + 4));"
check_rc "a run with one unparsable id: exit 0" 0 zrun
check "the bad row is reported with its raw value" grep -q "2024000000004.5" "$T_TMP/run.err"
check_eq "the other 299 (and 300) stay firing" "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE SYNC_STATUS='FIRING'")" 300
check_eq "nothing resolved" "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG WHERE OPERATION='PUSH_RESOLVED'")" 0
check_eq "alertmanager still has 300 active" "$(am_alerts "active=true" | jq length)" 300
# A real change behind the bad row is still seen.
zmc_state $((base + 250)) A
check_rc "a change after the bad row: exit 0" 0 zrun
check_eq "the cleared alarm is resolved" "$(status $((base + 250)))" RESOLVED
check_eq "the rest stay firing" "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE SYNC_STATUS='FIRING'")" 299

# The same id twice: reported, the other alarms of the batch recorded.
sql "DROP VIEW BAD_SRC;
     CREATE VIEW BAD_SRC AS SELECT * FROM NM_ALARM_SYNC_SOURCE
     UNION ALL SELECT * FROM NM_ALARM_SYNC_SOURCE WHERE ALARM_INST_ID = $((base + 7));"
zmc_raise $((base + 301)) 9002 2 902 1
zmc_raise $((base + 302)) 9002 2 902 1
check_rc "a duplicate id: exit 0" 0 zrun
check "the duplicate is reported with its id" grep -q "alarm $((base + 7)): appears twice" "$T_TMP/run.err"
check_eq "new alarms of the batch recorded" "$(status $((base + 301)))$(status $((base + 302)))" FIRINGFIRING
check_eq "one status row for the duplicated alarm" "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID=$((base + 7))")" 1
check_eq "alertmanager: 301 active" "$(am_alerts "active=true" | jq length)" 301

# A view without ALARM_LEVEL: the run fails naming it, nothing resolved.
sql "DROP VIEW BAD_SRC;
     CREATE VIEW BAD_SRC AS SELECT ALARM_INST_ID, EVENT_INST_ID, ALARM_STATE, ALARM_CODE, ALARM_NAME, HOST_NAME, HOST_IP, EVENT_TIME FROM NM_ALARM_SYNC_SOURCE;"
check_rc "a view without ALARM_LEVEL: exit 4" 4 zrun
check "the message names the column" grep -q "no ALARM_LEVEL column" "$T_TMP/run.err"
check_eq "nothing resolved" "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE SYNC_STATUS='FIRING'")" 301
check_eq "alertmanager untouched" "$(am_alerts "active=true" | jq length)" 301
z check >"$T_TMP/chk.out" 2>&1; rc=$?
check "check fails on it too ($rc)" test "$rc" -ne 0
check "check names the column" grep -q "no ALARM_LEVEL column" "$T_TMP/chk.out"
am_stop
t_done
