# zmc.sh: fixtures for the end-to-end tests: a ZMC database (SQLite
# through the real sqliteodbc driver) with alarms the test controls, and
# helpers to change them the way ZMC and its operators do.
# Sourced after lib.sh.

# zmc_init: fresh database with the reference ZMC tables, zmcsync's tables
# and the source view, emptied of demo alarms; conf in $CONF.
zmc_init() {
	sqlite_db zmc
	CONF=$T_TMP/zmcsync.conf
	write_conf "$CONF" "$@"
	"$ZMCSYNC" -c "$CONF" init-db --demo >"$T_TMP/init.out" 2>&1 ||
	    { cat "$T_TMP/init.out" >&2; die "init-db --demo failed"; }
	sql "DELETE FROM NM_ALARM_CDR; DELETE FROM NM_ALARM_EVENT;
	     INSERT OR REPLACE INTO SYS_DOMAIN VALUES (901, '核心网', 'A');
	     INSERT OR REPLACE INTO DEVICE VALUES (901, 'db-server-01', '10.9.0.1', 'X86');
	     INSERT OR REPLACE INTO DEVICE VALUES (902, 'web-server-02', '10.9.0.2', 'X86');
	     INSERT OR REPLACE INTO APP_ENV VALUES (901, '计费系统', 901, 901, 'zmc');
	     INSERT OR REPLACE INTO APP_ENV VALUES (902, '门户网站', 902, 901, 'zmc');
	     INSERT OR REPLACE INTO NM_ALARM_CODE_LIB VALUES (9001, 'CPU使用率过高', 1, 'CPU负载持续超过90%', '检查进程占用，必要时重启服务', 3);
	     INSERT OR REPLACE INTO NM_ALARM_CODE_LIB VALUES (9002, '数据库连接池耗尽', 2, '连接泄漏', '重启连接池', 1);
	     INSERT OR REPLACE INTO NM_ALARM_CODE_LIB VALUES (9003, '磁盘空间不足', 3, '日志未清理', '清理 /var/log', 3);"
}

# zmc_raise ID CODE LEVEL APP [MINUTES_AGO] [DETAIL]: a new alarm in state U
# with its raise event (event id = ID * 10 + n).
zmc_raise() {
	id=$1 code=$2 level=$3 app=$4 ago=${5:-5} detail=${6:-主机 10.9.0.1 CPU 使用率超过 90%}
	sql "INSERT INTO NM_ALARM_CDR (ALARM_INST_ID, ALARM_CODE, APP_ENV_ID, RES_INST_ID, ALARM_STATE, ALARM_LEVEL, CREATE_DATE, TOTAL_ALARM)
	     VALUES ($id, $code, $app, $id, 'U', $level, datetime('now','localtime','-$ago minutes'), 1);
	     INSERT INTO NM_ALARM_EVENT (EVENT_INST_ID, ALARM_CODE, APP_ENV_ID, RES_INST_ID, RESET_FLAG, EVENT_TIME, CREATE_DATE, ALARM_LEVEL, DETAIL_INFO, RES_INST_TYPE)
	     VALUES ($id * 10 + 1, $code, $app, $id, '1', datetime('now','localtime','-$ago minutes'), datetime('now','localtime','-$ago minutes'), $level, '$detail', 'HOST');"
}

# zmc_state ID STATE: an operator (C, M) or ZMC itself (A) changes the state.
zmc_state() {
	case $2 in
	A) col=RESET_DATE ;;
	C) col=CONFIRM_DATE ;;
	M) col=CLEAR_DATE ;;
	U) col=CREATE_DATE ;;
	esac
	sql "UPDATE NM_ALARM_CDR SET ALARM_STATE='$2', $col=datetime('now','localtime'),
	     CLEAR_REASON=CASE WHEN '$2'='M' THEN '计划内维护' ELSE CLEAR_REASON END
	     WHERE ALARM_INST_ID=$1;"
}

# zmc_reraise ID: the alarm comes back with a new raise event, now.
zmc_reraise() {
	sql "UPDATE NM_ALARM_CDR SET ALARM_STATE='U' WHERE ALARM_INST_ID=$1;
	     INSERT INTO NM_ALARM_EVENT (EVENT_INST_ID, ALARM_CODE, APP_ENV_ID, RES_INST_ID, RESET_FLAG, EVENT_TIME, CREATE_DATE, ALARM_LEVEL, DETAIL_INFO, RES_INST_TYPE)
	     SELECT MAX(e.EVENT_INST_ID) + 1, c.ALARM_CODE, c.APP_ENV_ID, c.RES_INST_ID, '1', datetime('now','localtime'), datetime('now','localtime'), c.ALARM_LEVEL, '再次告警', 'HOST'
	     FROM NM_ALARM_CDR c, NM_ALARM_EVENT e WHERE c.ALARM_INST_ID=$1;"
}

# status ID: SYNC_STATUS of an alarm ("" if none).
status() { sql "SELECT SYNC_STATUS FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID=$1;"; }
# zrun [ARGS]: zmcsync run with the test config; output in $T_TMP/run.out/err.
zrun() { "$ZMCSYNC" -c "$CONF" run "$@" >"$T_TMP/run.out" 2>"$T_TMP/run.err"; }
# z ARGS: any zmcsync command with the test config.
z() { "$ZMCSYNC" -c "$CONF" "$@"; }
# am_active_ids: alarm_id labels of active (firing, unsilenced) alerts, sorted.
am_active_ids() { am_alerts "active=true&silenced=false" | jq -r '.[].labels.alarm_id' | sort -n | tr '\n' ' '; }
# am_alert ID: the alert of an alarm as JSON (any state Alertmanager still shows).
am_alert() { am_alerts | jq -c --arg id "$1" '[.[] | select(.labels.alarm_id == $id)][0]'; }
