. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zmc.sh"
am_start
zmc_init
t=$(ts_ago 5)
sql "INSERT INTO NM_ALARM_CDR (ALARM_INST_ID, ALARM_CODE, APP_ENV_ID, RES_INST_ID, ALARM_STATE, ALARM_LEVEL, CREATE_DATE, TOTAL_ALARM)
     SELECT 100000 + i, 9001, 901, 100000 + i, 'U', 1, $t, 1 FROM generate_series(1, 20000) i;
     INSERT INTO NM_ALARM_EVENT (EVENT_INST_ID, ALARM_CODE, APP_ENV_ID, RES_INST_ID, RESET_FLAG, EVENT_TIME, CREATE_DATE, ALARM_LEVEL, DETAIL_INFO, RES_INST_TYPE)
     SELECT ALARM_INST_ID * 10 + 1, 9001, 901, ALARM_INST_ID, '1', $t, $t, 1, 'cpu', 'HOST' FROM NM_ALARM_CDR; ANALYZE;"
/usr/bin/time -f "first %e s" "$ZMCSYNC" -c "$CONF" run 2>&1 | tail -1
for i in 1 2 3; do
sql "UPDATE NM_ALARM_SYNC_STATUS SET LAST_PUSH_TIME = $(ts_ago 0)"
/usr/bin/time -f "steady %e s cpu %U" "$ZMCSYNC" -c "$CONF" run 2>&1 | tail -1
done
t_done
