# zmc.sh: fixtures for the end-to-end tests: a ZMC database with alarms the
# test controls, and helpers to change them the way ZMC and its operators
# do.  The database is $ZMC_BACKEND's (lib.sh): SQLite through the real
# sqliteodbc driver, or a real PostgreSQL server through psqlODBC; the SQL
# below is written once, with the few dialect differences behind the
# helpers ts_ago, ts_now and to_utc_rfc3339.
# Sourced after lib.sh.

# ts_ago MINUTES: SQL expression for the database-local wall-clock time
# MINUTES ago, whole seconds ("YYYY-MM-DD HH:MM:SS" on both backends).
ts_ago() {
	case ${DB_BACKEND:-sqlite} in
	sqlite) echo "datetime('now','localtime','-$1 minutes')" ;;
	postgresql) echo "(date_trunc('second', LOCALTIMESTAMP) - INTERVAL '$1 minutes')" ;;
	esac
}
# ts_now: SQL expression for the database-local wall-clock time now.
ts_now() { ts_ago 0; }
# to_utc_rfc3339 EXPR: SQL expression turning a database-local time into
# UTC "YYYY-MM-DDTHH:MM:SSZ" (the zone of the session, which is the test's).
to_utc_rfc3339() {
	case ${DB_BACKEND:-sqlite} in
	sqlite) echo "strftime('%Y-%m-%dT%H:%M:%SZ', $1, 'utc')" ;;
	postgresql) echo "to_char(($1) AT TIME ZONE current_setting('TimeZone') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')" ;;
	esac
}

# zmc_init [EXTRA-INI-LINES]: fresh database with the reference ZMC
# tables, zmcsync's tables and the source view, emptied of demo alarms;
# conf in $CONF.
zmc_init() {
	zmc_db zmc
	CONF=$T_TMP/zmcsync.conf
	write_conf "$CONF" "$@"
	"$ZMCSYNC" -c "$CONF" init-db --demo >"$T_TMP/init.out" 2>&1 ||
	    { cat "$T_TMP/init.out" >&2; die "init-db --demo failed"; }
	sql "DELETE FROM NM_ALARM_CDR; DELETE FROM NM_ALARM_EVENT;
	     DELETE FROM SYS_DOMAIN WHERE DOMAIN_ID = 901;
	     DELETE FROM DEVICE WHERE DEVICE_ID IN (901, 902);
	     DELETE FROM APP_ENV WHERE APP_ENV_ID IN (901, 902);
	     DELETE FROM NM_ALARM_CODE_LIB WHERE ALARM_CODE IN (9001, 9002, 9003);
	     INSERT INTO SYS_DOMAIN VALUES (901, '核心网', 'A');
	     INSERT INTO DEVICE VALUES (901, 'db-server-01', '10.9.0.1', 'X86');
	     INSERT INTO DEVICE VALUES (902, 'web-server-02', '10.9.0.2', 'X86');
	     INSERT INTO APP_ENV VALUES (901, '计费系统', 901, 901, 'zmc');
	     INSERT INTO APP_ENV VALUES (902, '门户网站', 902, 901, 'zmc');
	     INSERT INTO NM_ALARM_CODE_LIB VALUES (9001, 'CPU使用率过高', 1, 'CPU负载持续超过90%', '检查进程占用，必要时重启服务', 3);
	     INSERT INTO NM_ALARM_CODE_LIB VALUES (9002, '数据库连接池耗尽', 2, '连接泄漏', '重启连接池', 1);
	     INSERT INTO NM_ALARM_CODE_LIB VALUES (9003, '磁盘空间不足', 3, '日志未清理', '清理 /var/log', 3);" ||
	    die "zmc_init: fixture rows not inserted"
}

# zmc_raise ID CODE LEVEL APP [MINUTES_AGO] [DETAIL]: a new alarm in state U
# with its raise event (event id = ID * 10 + n).
zmc_raise() {
	id=$1 code=$2 level=$3 app=$4 ago=${5:-5} detail=${6:-主机 10.9.0.1 CPU 使用率超过 90%}
	t=$(ts_ago "$ago")
	sql "INSERT INTO NM_ALARM_CDR (ALARM_INST_ID, ALARM_CODE, APP_ENV_ID, RES_INST_ID, ALARM_STATE, ALARM_LEVEL, CREATE_DATE, TOTAL_ALARM)
	     VALUES ($id, $code, $app, $id, 'U', $level, $t, 1);
	     INSERT INTO NM_ALARM_EVENT (EVENT_INST_ID, ALARM_CODE, APP_ENV_ID, RES_INST_ID, RESET_FLAG, EVENT_TIME, CREATE_DATE, ALARM_LEVEL, DETAIL_INFO, RES_INST_TYPE)
	     VALUES ($id * 10 + 1, $code, $app, $id, '1', $t, $t, $level, '$detail', 'HOST');"
}

# zmc_state ID STATE: an operator (C, M) or ZMC itself (A) changes the state.
zmc_state() {
	case $2 in
	A) col=RESET_DATE ;;
	C) col=CONFIRM_DATE ;;
	M) col=CLEAR_DATE ;;
	U) col=CREATE_DATE ;;
	esac
	sql "UPDATE NM_ALARM_CDR SET ALARM_STATE='$2', $col=$(ts_now),
	     CLEAR_REASON=CASE WHEN '$2'='M' THEN '计划内维护' ELSE CLEAR_REASON END
	     WHERE ALARM_INST_ID=$1;"
}

# zmc_reraise ID: the alarm comes back with a new raise event, now.
zmc_reraise() {
	sql "UPDATE NM_ALARM_CDR SET ALARM_STATE='U' WHERE ALARM_INST_ID=$1;
	     INSERT INTO NM_ALARM_EVENT (EVENT_INST_ID, ALARM_CODE, APP_ENV_ID, RES_INST_ID, RESET_FLAG, EVENT_TIME, CREATE_DATE, ALARM_LEVEL, DETAIL_INFO, RES_INST_TYPE)
	     SELECT (SELECT MAX(e.EVENT_INST_ID) FROM NM_ALARM_EVENT e) + 1, c.ALARM_CODE, c.APP_ENV_ID, c.RES_INST_ID, '1', $(ts_now), $(ts_now), c.ALARM_LEVEL, '再次告警', 'HOST'
	     FROM NM_ALARM_CDR c WHERE c.ALARM_INST_ID=$1;"
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
