#!/bin/bash
# t_bad_values.sh: bad values in an adapted source view, against a real
# Alertmanager.  A NULL or unknown ALARM_LEVEL is level 0 (one warning per
# run naming the alarms); an unknown ALARM_STATE keeps a firing alert
# alive and the table FIRING; an unparsable EVENT_TIME is named.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zmc.sh"
need jq

am_start
zmc_init "[zmc]" "source = BAD_SRC"
# The adapted view reads state 'N' as NULL (the CDR column is NOT NULL).
cols=$(sql "SELECT group_concat(CASE name WHEN 'ALARM_STATE' THEN
    'CASE WHEN ALARM_STATE = ''N'' THEN NULL ELSE ALARM_STATE END AS ALARM_STATE'
    ELSE name END, ', ') FROM pragma_table_info('NM_ALARM_SYNC_SOURCE')")
sql "CREATE VIEW BAD_SRC AS SELECT $cols FROM NM_ALARM_SYNC_SOURCE;"
# Levels: NULL, 9, -1, 'abc', 2.7 on new U alarms; one good alarm.
zmc_raise 801 9001 1 901 5
for i in 802 803 804 805 806; do zmc_raise $i 9001 1 901 5; done
sql "UPDATE NM_ALARM_CDR SET ALARM_LEVEL=NULL WHERE ALARM_INST_ID=802;
     UPDATE NM_ALARM_CDR SET ALARM_LEVEL=9 WHERE ALARM_INST_ID=803;
     UPDATE NM_ALARM_CDR SET ALARM_LEVEL=-1 WHERE ALARM_INST_ID=804;
     UPDATE NM_ALARM_CDR SET ALARM_LEVEL='abc' WHERE ALARM_INST_ID=805;
     UPDATE NM_ALARM_CDR SET ALARM_LEVEL=2.7 WHERE ALARM_INST_ID=806;"
check_rc "a run over bad levels: exit 0" 0 zrun
check_eq "one warning for the levels" "$(grep -c 'ALARM_LEVEL NULL or not 0-4' "$T_TMP/run.err")" 1
check "it names every alarm" grep -q 'ALARM_LEVEL NULL or not 0-4, treated as level 0 on 5 alarms: 802, 803, 804, 805, 806' "$T_TMP/run.err"
check_eq "level 0 is not in the default alarm_levels: only 801 pushed" "$(am_active_ids)" "801 "
# With level 0 allowed they go out with level 0's own severity.
SYNC_ALARM_LEVELS=0,1,2,3,4 SEVERITY_LEVEL_0=undefined zrun
check_eq "with level 0 allowed all six fire" "$(am_active_ids)" "801 802 803 804 805 806 "
check_eq "level 0 has its own severity" "$(am_alert 805 | jq -r .labels.severity)" undefined
check_eq "the good one keeps its own" "$(am_alert 801 | jq -r .labels.severity)" critical

# Unknown states on a firing alarm: NULL, '', 'X'.
sql "DELETE FROM NM_ALARM_CDR WHERE ALARM_INST_ID BETWEEN 802 AND 806"
zrun
zmc_raise 811 9002 2 902 5
zmc_raise 812 9002 2 902 5
zmc_raise 813 9002 2 902 5
check_rc "three more fire" 0 zrun
sql "UPDATE NM_ALARM_CDR SET ALARM_STATE='N' WHERE ALARM_INST_ID=811;
     UPDATE NM_ALARM_CDR SET ALARM_STATE='' WHERE ALARM_INST_ID=812;
     UPDATE NM_ALARM_CDR SET ALARM_STATE='X' WHERE ALARM_INST_ID=813;
     UPDATE NM_ALARM_SYNC_STATUS SET LAST_PUSH_TIME=$(ts_ago 60) WHERE ALARM_INST_ID IN (811, 812, 813);"
ends_before=$(am_alert 813 | jq -r .endsAt)
sleep 1
check_rc "a run over unknown states: exit 0" 0 zrun
check_eq "one warning for the states" "$(grep -c 'ALARM_STATE NULL or not one of U, A, C, M' "$T_TMP/run.err")" 1
check "it names them" grep -q 'on 3 alarms: 811, 812, 813' "$T_TMP/run.err"
check_eq "the table still says FIRING" "$(status 811)$(status 812)$(status 813)" FIRINGFIRINGFIRING
check_eq "Alertmanager still has them" "$(am_active_ids)" "801 811 812 813 "
check "their lease was renewed by a heartbeat" test "$(am_alert 813 | jq -r .endsAt)" \> "$ends_before"
check_eq "nothing was resolved" "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG WHERE OPERATION='PUSH_RESOLVED' AND ALARM_INST_ID IN (811, 812, 813)")" 0
# Once the state reads again, the alarm follows it.
zmc_state 813 A
check_rc "813 recovers" 0 zrun
check_eq "813 resolved" "$(status 813)" RESOLVED

# An EVENT_TIME that is not a time (a word, month 13, year 0) is named.
zmc_raise 821 9001 1 901 5
zmc_raise 822 9001 1 901 5
zmc_raise 823 9001 1 901 5
sql "UPDATE NM_ALARM_EVENT SET EVENT_TIME='yesterday' WHERE RES_INST_ID=821;
     UPDATE NM_ALARM_EVENT SET EVENT_TIME='2024-13-01 00:00:00' WHERE RES_INST_ID=822;
     UPDATE NM_ALARM_EVENT SET EVENT_TIME='0000-01-01 00:00:00' WHERE RES_INST_ID=823;"
check_rc "a run over bad times: exit 0" 0 zrun
check "the bad times are named with their alarms" grep -q 'a time column that is not a time, ignored on 3 alarms: 821, 822, 823' "$T_TMP/run.err"
check_eq "the alarms still fire (CREATE_DATE places them in the window)" "$(status 821)$(status 822)$(status 823)" FIRINGFIRINGFIRING
am_stop
t_done
