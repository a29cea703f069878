#!/bin/bash
# backend: any
# t_tz_charset.sh: database.timezone and database.charset end to end, on
# $ZMC_BACKEND, against a real Alertmanager.
# Time zones: EVENT_TIME values are wall-clock times of the database zone
# (America/New_York, around both DST changes of last year, and
# Asia/Shanghai); startsAt must be the right UTC instant, whatever zone
# the zmcsync process itself runs in, and the times zmcsync writes back
# must read back as the same instants (no re-push).
# Charset: a GBK database (raw GBK bytes, with invalid bytes in the middle
# of a text) must reach Alertmanager as intact Chinese UTF-8, the invalid
# bytes as U+FFFD, the alarm never dropped; on PostgreSQL also through
# psqlODBC's ANSI driver with the server converting UTF-8 to GBK.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zmc.sh"
need jq
need iconv
am_start

# alert_of ID: the alert of an alarm as JSON.
alert_of() { am_alert "$1"; }
# utc "YYYY-MM-DD HH:MM +HHMM": that instant in UTC, RFC 3339.
utc() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
# starts ID: startsAt of the alarm's alert, seconds dropped to whole.
starts() { alert_of "$1" | jq -r .startsAt | sed 's/\.[0-9]*Z$/Z/'; }
# raise_at ID 'YYYY-MM-DD HH:MM:SS': a U alarm (code 9001, app 901) raised
# at that database-local wall-clock time.
raise_at() {
	sql "INSERT INTO NM_ALARM_CDR (ALARM_INST_ID, ALARM_CODE, APP_ENV_ID, RES_INST_ID, ALARM_STATE, ALARM_LEVEL, CREATE_DATE, TOTAL_ALARM)
	     VALUES ($1, 9001, 901, $1, 'U', 1, '$2', 1);
	     INSERT INTO NM_ALARM_EVENT (EVENT_INST_ID, ALARM_CODE, APP_ENV_ID, RES_INST_ID, RESET_FLAG, EVENT_TIME, CREATE_DATE, ALARM_LEVEL, DETAIL_INFO, RES_INST_TYPE)
	     VALUES ($1 * 10 + 1, 9001, 901, $1, '1', '$2', '$2', 1, 'tz', 'HOST');"
}
# sunday YEAR MONTH NTH: date of the NTH Sunday of the month.
sunday() {
	d1=$(date -u -d "$1-$2-01" +%u)
	date -u -d "$1-$2-01 +$(( (7 - d1) % 7 + 7 * ($3 - 1) )) days" +%F
}

# --- America/New_York across both DST changes of last year ---------------------
Y=$(( $(date +%Y) - 1 ))
spring=$(sunday "$Y" 03 2)	# 02:00 EST -> 03:00 EDT (US rules since 2007)
fall=$(sunday "$Y" 11 1)	# 02:00 EDT -> 01:00 EST
[ "$(TZ=America/New_York date -d "$spring 12:00" +%Z)$(TZ=America/New_York date -d "$spring 00:30" +%Z)" = EDTEST ] &&
[ "$(TZ=America/New_York date -d "$fall 12:00" +%Z)$(TZ=America/New_York date -d "$fall 00:30 -0400" +%Z)" = ESTEDT ] ||
    die "missing component: tzdata with America/New_York's DST rules"
t5=$(( $(date +%s) - 300 ))	# one reading of the clock for both sides
now_ny=$(TZ=America/New_York date -d "@$t5" '+%Y-%m-%d %H:%M:%S')
want_now=$(utc "@$t5")

zmc_init "[database]" "timezone = America/New_York" "[sync]" "history_hours = 87600"
sql_defer
raise_at 601 "$spring 01:30:00"		# EST, half an hour before the change
raise_at 602 "$spring 03:30:00"		# EDT, half an hour after it
raise_at 603 "$spring 02:30:00"		# in the gap: never happened
raise_at 604 "$fall 01:30:00"		# in the overlap: happened twice
raise_at 605 "$fall 02:30:00"		# EST after the overlap
raise_at 606 "$now_ny"			# five minutes ago, New York time
sql_flush
# The process's own zone must not matter: only database.timezone does.
TZ=Australia/Lord_Howe zrun; rc=$?
check_eq "New York: run exits 0" "$rc" 0
check_eq "New York: all six alarms fire" "$(am_active_ids)" "601 602 603 604 605 606 "
check_eq "before the spring change: EST (-05:00)" "$(starts 601)" "$(utc "$spring 01:30 -0500")"
check_eq "after the spring change: EDT (-04:00)" "$(starts 602)" "$(utc "$spring 03:30 -0400")"
check_eq "in the spring gap: read with the offset before it" "$(starts 603)" "$(utc "$spring 02:30 -0500")"
check_eq "in the autumn overlap: the earlier instant" "$(starts 604)" "$(utc "$fall 01:30 -0400")"
check_eq "after the autumn overlap: EST" "$(starts 605)" "$(utc "$fall 02:30 -0500")"
check_eq "five minutes ago in New York is five minutes ago" "$(starts 606)" "$want_now"
# What zmcsync writes back is New York wall-clock time too.
check_eq "LAST_EVENT_TIME written back in New York time" \
    "$(sql "SELECT LAST_EVENT_TIME FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID IN (601, 602, 604, 605, 606) ORDER BY ALARM_INST_ID" | paste -sd, -)" \
    "$spring 01:30:00,$spring 03:30:00,$fall 01:30:00,$fall 02:30:00,$now_ny"
check_eq "the gap time is written back as the instant it stands for" \
    "$(sql "SELECT LAST_EVENT_TIME FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID = 603")" "$spring 03:30:00"
lp=$(sql "SELECT LAST_PUSH_TIME FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID = 606")
lpu=$(TZ=America/New_York date -d "$lp" +%s)
check "LAST_PUSH_TIME is New York wall-clock time of the run" test $(( $(date +%s) - lpu )) -ge 0 -a $(( $(date +%s) - lpu )) -le 60
TZ=Asia/Kolkata zrun; rc=$?
check_eq "second run in another process zone exits 0" "$rc" 0
check_eq "times read back as the same instants: nothing pushed again" \
    "$(sql "SELECT SUM(PUSH_COUNT) FROM NM_ALARM_SYNC_STATUS")" 6
check_eq "no relabel or re-fire logged" "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG WHERE OPERATION <> 'PUSH_FIRING'")" 0

# --- Asia/Shanghai: a fixed +08:00 --------------------------------------------------
t5=$(( $(date +%s) - 300 ))
now_sh=$(TZ=Asia/Shanghai date -d "@$t5" '+%Y-%m-%d %H:%M:%S')
want_now=$(utc "@$t5")
zmc_init "[database]" "timezone = Asia/Shanghai" "[sync]" "history_hours = 87600"
sql_defer
raise_at 611 "$spring 15:30:00"
raise_at 612 "$now_sh"
sql_flush
check_rc "Shanghai: run exits 0" 0 zrun
check_eq "Shanghai wall clock is UTC+8" "$(starts 611)" "$(utc "$spring 15:30 +0800")"
check_eq "five minutes ago in Shanghai is five minutes ago" "$(starts 612)" "$want_now"
check_eq "Shanghai: LAST_EVENT_TIME written back in Shanghai time" \
    "$(sql "SELECT LAST_EVENT_TIME FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID = 611")" "$spring 15:30:00"
# An unknown zone is a configuration error, named.
ZMCSYNC_DATABASE_TIMEZONE=Mars/Olympus_Mons zrun; rc=$?
check_eq "unknown database.timezone: exit 3" "$rc" 3
check "the message names the variable" grep -q "DATABASE_TIMEZONE: unknown time zone" "$T_TMP/run.err"

# --- charset GBK ----------------------------------------------------------------------
# gbk TEXT: hex of TEXT in GBK.
gbk() { printf '%s' "$1" | iconv -f UTF-8 -t GBK | od -An -tx1 | tr -d ' \n'; }
# raw HEX: SQL expression for a text value holding exactly these bytes.
raw() {
	case $DB_BACKEND in
	sqlite) echo "CAST(X'$1' AS TEXT)" ;;
	postgresql) echo "convert_from(decode('$1', 'hex'), 'SQL_ASCII')" ;;
	esac
}
# hex_of EXPR: SQL for the bytes of a text value as hex.
hex_of() {
	case $DB_BACKEND in
	sqlite) echo "hex($1)" ;;
	postgresql) echo "encode(convert_to($1, 'SQL_ASCII'), 'hex')" ;;
	esac
}
FFFD=$(printf '\357\277\275')

# gbk_fixtures VALUE-FN: the ZMC rows of the charset scenarios; VALUE-FN
# turns UTF-8 text into the SQL value stored (raw GBK bytes, or UTF-8).
# Alarm 701 has invalid GBK in DETAIL_INFO (0xFF) and FAULT_REASON (0x81
# with an invalid trail byte), when the storage can hold such bytes.
gbk_fixtures() {
	v=$1
	sql "DELETE FROM NM_ALARM_CDR; DELETE FROM NM_ALARM_EVENT;
	     DELETE FROM SYS_DOMAIN WHERE DOMAIN_ID = 901;
	     DELETE FROM DEVICE WHERE DEVICE_ID = 901;
	     DELETE FROM APP_ENV WHERE APP_ENV_ID = 901;
	     DELETE FROM NM_ALARM_CODE_LIB WHERE ALARM_CODE = 9701;
	     INSERT INTO SYS_DOMAIN VALUES (901, $($v 核心网), 'A');
	     INSERT INTO DEVICE VALUES (901, $($v 数据库服务器), '10.9.0.1', 'X86');
	     INSERT INTO APP_ENV VALUES (901, $($v 计费系统), 901, 901, 'zmc');
	     INSERT INTO NM_ALARM_CODE_LIB VALUES (9701, $($v CPU使用率过高), 1, $($v 负载 8120 过高), $($v 检查进程，必要时重启服务), 3);
	     INSERT INTO NM_ALARM_CDR (ALARM_INST_ID, ALARM_CODE, APP_ENV_ID, RES_INST_ID, ALARM_STATE, ALARM_LEVEL, CREATE_DATE, TOTAL_ALARM)
	     VALUES (701, 9701, 901, 701, 'U', 1, $(ts_ago 5), 1);
	     INSERT INTO NM_ALARM_EVENT (EVENT_INST_ID, ALARM_CODE, APP_ENV_ID, RES_INST_ID, RESET_FLAG, EVENT_TIME, CREATE_DATE, ALARM_LEVEL, DETAIL_INFO, RES_INST_TYPE)
	     VALUES (7011, 9701, 901, 701, '1', $(ts_ago 5), $(ts_ago 5), 1, $($v '主机 CPU 使用率' ff '超过 90%'), 'HOST');" ||
	    die "charset fixtures not inserted"
}
# v_gbk TEXT [HEX TEXT]: SQL value of TEXT as raw GBK bytes, then the
# bytes HEX (invalid ones) and more TEXT; v_utf8 the same as UTF-8 text,
# leaving the invalid bytes out (a UTF-8 database cannot hold them).
v_gbk() { raw "$(gbk "$1")${2:-}$(gbk "${3:-}")"; }
v_utf8() { printf "'%s'" "$1${3:-}"; }

# gbk_checks LABEL INVALID: what Alertmanager and the tables must show;
# INVALID=1 when the stored text had invalid bytes.
gbk_checks() {
	l=$1 inv=$2
	a=$(alert_of 701)
	check_eq "$l: the alarm is not dropped" "$(echo "$a" | jq -r .labels.alarm_id)" 701
	check_eq "$l: Chinese alert name intact" "$(echo "$a" | jq -r .labels.alertname)" CPU使用率过高
	check_eq "$l: Chinese host intact" "$(echo "$a" | jq -r .labels.host)" 数据库服务器
	check_eq "$l: Chinese application intact" "$(echo "$a" | jq -r .labels.application)" 计费系统
	check_eq "$l: Chinese domain intact" "$(echo "$a" | jq -r .labels.domain)" 核心网
	check_eq "$l: Chinese runbook intact (fullwidth comma too)" "$(echo "$a" | jq -r .annotations.runbook)" 检查进程，必要时重启服务
	if [ "$inv" = 1 ]; then
		check_eq "$l: invalid byte in the description is one U+FFFD, the rest intact" \
		    "$(echo "$a" | jq -r .annotations.description)" "主机 CPU 使用率${FFFD}超过 90%"
		check_eq "$l: invalid lead byte is one U+FFFD, the byte after it kept" \
		    "$(echo "$a" | jq -r .annotations.fault_reason)" "负载$FFFD 过高"
	else
		check_eq "$l: description intact" "$(echo "$a" | jq -r .annotations.description)" "主机 CPU 使用率超过 90%"
	fi
	check "$l: everything Alertmanager got is valid UTF-8" iconv -f UTF-8 -t UTF-8 <<<"$a"
	check_rc "$l: second run exits 0" 0 zrun
	sql "UPDATE NM_ALARM_SYNC_STATUS SET LAST_PUSH_TIME = $(ts_ago 10)"
	check_rc "$l: heartbeat run exits 0" 0 zrun
	check_eq "$l: labels read back from the database equal those pushed (no relabel)" \
	    "$(sql "SELECT OPERATION FROM NM_ALARM_SYNC_LOG ORDER BY LOG_ID" | paste -sd, -)" PUSH_FIRING,HEARTBEAT
	check_eq "$l: one alert in Alertmanager" "$(am_alerts "active=true" | jq '[.[] | select(.labels.alarm_id == "701")] | length')" 1
	z alarms > "$T_TMP/alarms.out"
	check "$l: zmcsync alarms shows the Chinese name read back" grep -q '^701 .*CPU使用率过高' "$T_TMP/alarms.out"
}

if [ "$ZMC_BACKEND" = sqlite ]; then
	# The sqliteodbc driver hands stored bytes over as they are: a GBK
	# database as legacy ZMC installations have one.
	zmc_init "[database]" "charset = GBK"
	gbk_fixtures v_gbk
	check_eq "the description is stored as raw GBK with the bad byte" \
	    "$(sql "SELECT lower($(hex_of DETAIL_INFO)) FROM NM_ALARM_EVENT WHERE EVENT_INST_ID = 7011")" \
	    "$(gbk '主机 CPU 使用率')ff$(gbk '超过 90%')"
	check_rc "GBK: run exits 0" 0 zrun
	check_eq "GBK: nothing on stderr" "$(cat "$T_TMP/run.err")" ""
	gbk_checks GBK 1
	# The label set is stored as ASCII JSON (\u escapes): any database
	# charset holds it and it reads back byte for byte.
	check "GBK: ALERT_LABELS stored as ASCII JSON" grep -q '"alertname":"CPU\\u4f7f\\u7528\\u7387\\u8fc7\\u9ad8"' \
	    <<<"$(sql "SELECT ALERT_LABELS FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID = 701")"
	# An invalid byte in a label (the alarm name): pushed as U+FFFD, and
	# the stored set still equals the next run's, so no phantom relabel.
	sql "INSERT INTO NM_ALARM_CODE_LIB VALUES (9702, $(v_gbk 磁盘 ff 不足), 2, NULL, NULL, 3);
	     INSERT INTO NM_ALARM_CDR (ALARM_INST_ID, ALARM_CODE, APP_ENV_ID, RES_INST_ID, ALARM_STATE, ALARM_LEVEL, CREATE_DATE, TOTAL_ALARM)
	     VALUES (702, 9702, 901, 702, 'U', 2, $(ts_ago 5), 1);
	     INSERT INTO NM_ALARM_EVENT (EVENT_INST_ID, ALARM_CODE, APP_ENV_ID, RES_INST_ID, RESET_FLAG, EVENT_TIME, CREATE_DATE, ALARM_LEVEL, DETAIL_INFO, RES_INST_TYPE)
	     VALUES (7021, 9702, 901, 702, '1', $(ts_ago 5), $(ts_ago 5), 2, NULL, 'HOST');"
	check_rc "GBK label with an invalid byte: run exits 0" 0 zrun
	check_eq "GBK label with an invalid byte: name with one U+FFFD" \
	    "$(alert_of 702 | jq -r .labels.alertname)" "磁盘${FFFD}不足"
	sql "UPDATE NM_ALARM_SYNC_STATUS SET LAST_PUSH_TIME = $(ts_ago 10) WHERE ALARM_INST_ID = 702"
	check_rc "GBK label with an invalid byte: heartbeat run exits 0" 0 zrun
	check_eq "GBK label with an invalid byte: heartbeat, not relabel" \
	    "$(sql "SELECT OPERATION FROM NM_ALARM_SYNC_LOG WHERE ALARM_INST_ID = 702 OR (ALARM_INST_ID IS NULL AND LOG_ID > (SELECT MIN(LOG_ID) FROM NM_ALARM_SYNC_LOG WHERE ALARM_INST_ID = 702)) ORDER BY LOG_ID" | paste -sd, -)" \
	    PUSH_FIRING,HEARTBEAT
else
	# A SQL_ASCII database stores bytes unchecked (a legacy GBK database);
	# psqlODBC's ANSI driver hands them over as they are once the session
	# does not ask the server to check them as UTF-8.
	PG_DRIVER="PostgreSQL ANSI"
	PG_CONN_EXTRA="ConnSettings={SET client_encoding TO 'SQL_ASCII'};"
	# psqlODBC's ANSI driver (13.02) keeps a copy of the client encoding
	# name ("SQL_ASCII", 10 bytes) it never frees: not zmcsync's leak.
	# Only that library is exempted, for the sanitizer build.
	printf 'leak:psqlodbca.so\n' > "$T_TMP/lsan.supp"
	export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$T_TMP/lsan.supp:print_suppressions=0"
	ZMC_DB_ENCODING=SQL_ASCII
	zmc_init "[database]" "charset = GBK"
	gbk_fixtures v_gbk
	check_eq "SQL_ASCII: the description is stored as raw GBK with the bad byte" \
	    "$(sql "SELECT $(hex_of DETAIL_INFO) FROM NM_ALARM_EVENT WHERE EVENT_INST_ID = 7011")" \
	    "$(gbk '主机 CPU 使用率')ff$(gbk '超过 90%')"
	check_rc "ANSI driver, raw GBK: run exits 0" 0 zrun
	check_eq "ANSI driver, raw GBK: nothing on stderr" "$(cat "$T_TMP/run.err")" ""
	gbk_checks "ANSI driver, raw GBK" 1
	check "ANSI driver, raw GBK: ALERT_LABELS stored as ASCII JSON" \
	    grep -q '"alertname":"CPU\\u4f7f\\u7528\\u7387\\u8fc7\\u9ad8"' \
	    <<<"$(sql "SELECT ALERT_LABELS FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID = 701")"

	# A UTF-8 database read as GBK: the server converts (client_encoding
	# set by psqlODBC's ConnSettings), zmcsync converts back.
	ZMC_DB_ENCODING=UTF8
	PG_CONN_EXTRA="ConnSettings={SET client_encoding TO 'GBK'};"
	zmc_init "[database]" "charset = GBK"
	gbk_fixtures v_utf8
	check_rc "ANSI driver, client_encoding GBK: run exits 0" 0 zrun
	check_eq "ANSI driver, client_encoding GBK: nothing on stderr" "$(cat "$T_TMP/run.err")" ""
	gbk_checks "client_encoding GBK" 0
	check "client_encoding GBK: ALERT_LABELS stored as ASCII JSON" \
	    grep -q '"alertname":"CPU\\u4f7f\\u7528\\u7387\\u8fc7\\u9ad8"' \
	    <<<"$(sql "SELECT ALERT_LABELS FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID = 701")"
	unset PG_DRIVER PG_CONN_EXTRA ZMC_DB_ENCODING
fi
t_done
