#!/bin/bash
# backend: any
# t_commands.sh: the operator commands (check, status, alarms, logs, stats,
# config, cleanup, enable/disable, am-status) against the ZMC database of
# $ZMC_BACKEND (SQLite through the real sqliteodbc driver, or PostgreSQL
# through psqlODBC) and a real Alertmanager: human and
# --json forms, empty results, every error path with its exit status,
# config-table changes taking effect in the next run, secrets never shown,
# and the man page agreeing with the command table.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zmc.sh"
need jq
need mandoc
am_start
zmc_init "[sync]" "history_hours = 24"

# out CMD...: stdout of a command with the test config into $T_TMP/o, stderr into $T_TMP/e; sets RC.
out() { "$ZMCSYNC" -c "$CONF" "$@" >"$T_TMP/o" 2>"$T_TMP/e"; RC=$?; }
# outc CONF CMD...: the same with another config.
outc() { c=$1; shift; "$ZMCSYNC" -c "$c" "$@" >"$T_TMP/o" 2>"$T_TMP/e"; RC=$?; }
# jq_o FILTER: jq on the last stdout ("JSON-ERROR" if it does not parse).
jq_o() { jq -c "$1" "$T_TMP/o" 2>/dev/null || echo JSON-ERROR; }
# check_usage DESC CMD...: exit 2 with a reason line and the usage on stderr.
check_usage() {
	d=$1; shift
	check_rc "$d: exit 2" 2 z "$@"
	if [ "$(wc -l < "$T_TMP/last.err")" -ge 2 ] && grep -q '^usage: zmcsync' "$T_TMP/last.err" &&
	    head -n 1 "$T_TMP/last.err" | grep -q "^\(zmcsync \)\?$1: "; then ok "$d: reason and usage"
	else fail "$d: reason and usage"; sed 's/^/    /' "$T_TMP/last.err" >&2; fi
}
# count SQL: one number from the database.
count() { sql "$1"; }

# --- empty results -----------------------------------------------------------
out alarms
check_eq "alarms: empty exits 0" "$RC" 0
check_eq "alarms: empty says so" "$(cat "$T_TMP/o")" "no alarms"
out alarms --json
check_eq "alarms --json: empty array" "$(jq_o .)" "[]"
out alarms --status firing
check_eq "alarms --status: empty says so" "$(cat "$T_TMP/o")" "no alarms with that status"
out logs
check_eq "logs: empty says so" "$(cat "$T_TMP/o")" "no log rows"
out logs --json
check_eq "logs --json: empty array" "$(jq_o .)" "[]"
out stats --json
check_eq "stats --json: zeros in the guide's key order, pending appended" "$(jq_o .)" \
    '{"total_synced":0,"firing":0,"resolved":0,"silenced":0,"errors":0,"last_24h_operations":0,"pending":0}'
out config list
check_eq "config list: empty says so" "$(cat "$T_TMP/o")" "no config rows"
out config list --json
check_eq "config list --json: empty array" "$(jq_o .)" "[]"
out status
check_eq "status: exit 0" "$RC" 0
check "status: no runs yet says so" grep -q '^no runs recorded$' "$T_TMP/o"
out status --json
check_eq "status --json: no runs" "$(jq_o .runs)" "[]"
check_eq "status --json: guide keys first, in order" "$(jq_o 'keys_unsorted[:5]')" \
    '["running","enabled","scan_interval","alarm_levels","severity_filter"]'
check_eq "status --json: guide values" "$(jq_o '[.running,.enabled,.scan_interval,.alarm_levels,.severity_filter]')" \
    '[false,true,60,"1,2,3,4",null]'
check_eq "status --json: database without password, connected" \
    "$(jq_o '[.database.dialect,.database.connected,.database.error]')" "[\"$ZMC_BACKEND\",true,null]"
check_eq "status --json: alertmanager urls" "$(jq_o '.alertmanager_urls')" "[\"$AM_URL\"]"
check_eq "status --json: state dir" "$(jq -r .state_dir "$T_TMP/o")" "$T_TMP/state"

# --- a first run, then the listings ------------------------------------------
zmc_raise 101 9001 1 901 5 '主机 10.9.0.1 CPU 使用率超过 90%'
zmc_raise 102 9002 2 902 10
check_rc "first run" 0 zrun

out alarms
check_eq "alarms: exit 0" "$RC" 0
check "alarms: header" grep -q '^ALARM  *EVENT  *STATUS  *ZMC  *LAST PUSH  *PUSHES  *ERRORS  *ALERTNAME  *LAST ERROR / SILENCE' "$T_TMP/o"
check "alarms: 101 firing with its Chinese alert name intact" grep -q '^101  *1011  *FIRING  *U  .*CPU使用率过高' "$T_TMP/o"
check "alarms: 102 listed" grep -q '^102  *1021  *FIRING  *U  .*数据库连接池耗尽' "$T_TMP/o"
check_eq "alarms: two rows plus header" "$(wc -l < "$T_TMP/o")" 3
out alarms --json
check_eq "alarms --json: guide keys first, in order" "$(jq_o '.[0] | keys_unsorted[:7]')" \
    '["event_inst_id","alarm_inst_id","sync_status","zmc_alarm_state","silence_id","last_push_time","error_count"]'
check_eq "alarms --json: values of 101" \
    "$(jq_o '.[] | select(.alarm_inst_id == 101) | [.event_inst_id,.sync_status,.zmc_alarm_state,.silence_id,.error_count,.push_count]')" \
    '[1011,"FIRING","U",null,0,1]'
check_eq "alarms --json: Chinese label intact" "$(jq_o '.[] | select(.alarm_inst_id == 101) | .labels.alertname')" '"CPU使用率过高"'
lp=$(jq -r '.[] | select(.alarm_inst_id == 101) | .last_push_time' "$T_TMP/o")
check "alarms --json: RFC 3339 UTC time" expr "$lp" : '[0-9-]*T[0-9:]*Z$'
# Human times are local: compare in a zone far from UTC.
TZ=Asia/Shanghai "$ZMCSYNC" -c "$CONF" alarms --json > "$T_TMP/sh.json"
TZ=Asia/Shanghai "$ZMCSYNC" -c "$CONF" alarms > "$T_TMP/sh.txt"
lp=$(jq -r '.[] | select(.alarm_inst_id == 101) | .last_push_time' "$T_TMP/sh.json")
want=$(TZ=Asia/Shanghai date -d "$lp" '+%Y-%m-%d %H:%M:%S')
check_eq "alarms: last push in local time" "$(awk '$1 == 101 { print $5 " " $6 }' "$T_TMP/sh.txt")" "$want"
out alarms --limit 1
check_eq "alarms --limit 1: one row" "$(wc -l < "$T_TMP/o")" 2
out alarms --json --limit 1 --offset 1
check_eq "alarms --offset: the other row" "$(jq_o 'length')" 1
a0=$(z alarms --json --limit 1 | jq '.[0].alarm_inst_id')
check "alarms --offset skips the first row" test "$a0" != "$(jq_o '.[0].alarm_inst_id')"
out alarms --status RESOLVED --json
check_eq "alarms --status RESOLVED: none" "$(jq_o .)" "[]"
out alarms --status Firing --json
check_eq "alarms --status in any case" "$(jq_o 'length')" 2

out logs
check "logs: header" grep -q '^TIME  *OPERATION  *ALARM  *EVENT  *STATUS  *CODE  *MS  *BATCH  *ERROR' "$T_TMP/o"
check "logs: first push of 101" grep -q ' PUSH_FIRING  *101  *1011  *->FIRING  *200 ' "$T_TMP/o"
out logs --json
check_eq "logs --json: guide keys first, in order" "$(jq_o '.[0] | keys_unsorted[:9]')" \
    '["log_id","operation","event_inst_id","sync_batch_id","old_status","new_status","response_code","error_message","create_time"]'
check_eq "logs --json: alarm_inst_id appended after the guide's keys" "$(jq_o '.[0] | keys_unsorted[9]')" '"alarm_inst_id"'
check_eq "logs --json: values" "$(jq_o '[.[] | select(.alarm_inst_id == 101)][0] | [.operation,.event_inst_id,.old_status,.new_status,.response_code,.error_message]')" \
    '["PUSH_FIRING",1011,null,"FIRING",200,null]'
check_eq "logs --json: batch id as in the table" "$(jq_o '[.[] | select(.alarm_inst_id == 101)][0].sync_batch_id' | tr -d '"')" \
    "$(sql "SELECT SYNC_BATCH_ID FROM NM_ALARM_SYNC_LOG WHERE ALARM_INST_ID=101")"
out logs --json --operation push_firing
check_eq "logs --operation (any case)" "$(jq_o 'map(.operation) | unique')" '["PUSH_FIRING"]'
out logs --json --operation HEARTBEAT
check_eq "logs --operation without rows" "$(jq_o .)" "[]"
out logs --json --alarm-id 102
check_eq "logs --alarm-id" "$(jq_o 'map(.alarm_inst_id) | unique')" '[102]'
out logs --json --event-id 1011
check_eq "logs --event-id" "$(jq_o 'map(.event_inst_id) | unique')" '[1011]'
out logs --errors
check_eq "logs --errors: none yet" "$(cat "$T_TMP/o")" "no log rows"
out logs --json --limit 1
check_eq "logs --limit" "$(jq_o length)" 1
sql "UPDATE NM_ALARM_SYNC_LOG SET CREATE_TIME=$(ts_ago 180) WHERE ALARM_INST_ID=102"
out logs --json --since 2
check_eq "logs --since 2 hours leaves out older rows" "$(jq_o 'map(.alarm_inst_id) | unique')" '[101]'

# --- failures: PENDING rows, error rows --------------------------------------
DEAD=http://127.0.0.1:$(freeport)
sed "s|^url = .*|url = $DEAD|" "$CONF" > "$T_TMP/noam.conf"
zmc_raise 103 9003 3 901 5
outc "$T_TMP/noam.conf" run
check_eq "run with Alertmanager down: exit 5" "$RC" 5
out alarms --status pending
# The PENDING row carries the label set it was about to push: its name shows.
check "alarms --status pending: 103 with its name and error" grep -q '^103  *1031  *PENDING  *U  *-  *0  *1  *磁盘空间不足  *alertmanager http://127.0.0.1:[0-9]*: ' "$T_TMP/o"
out logs --errors --json
check "logs --errors: failed push rows" test "$(jq_o 'length')" -ge 1
check_eq "logs --errors: only rows with an error" "$(jq_o 'map(.error_message != null) | unique')" '[true]'
out stats --json
check_eq "stats --json: counts" "$(jq_o '[.total_synced,.firing,.pending,.errors]')" '[3,2,1,1]'
check_eq "stats: last_24h_operations as in the log table" "$(jq_o .last_24h_operations)" \
    "$(count "SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG WHERE CREATE_TIME >= $(ts_ago 1440)")"
out stats
check "stats: human lines" grep -q '^pending  *1$' "$T_TMP/o"
check "stats: total" grep -q '^total_synced  *3$' "$T_TMP/o"
check_rc "run with Alertmanager back" 0 zrun
check_eq "retried push: 103 firing" "$(status 103)" FIRING

# --- status with run history and the lock ------------------------------------
out status --json --runs 2
check_eq "status --runs 2" "$(jq_o '.runs | length')" 2
check_eq "status: newest run first, exit codes" "$(jq_o '[.runs[].exit_code]')" "[0,5]"
check_eq "status: run keys" "$(jq_o '.runs[0] | keys_unsorted')" \
    '["batch_id","started","duration_seconds","exit_code","command","actions","errors","error","result"]'
check_eq "status: run results" "$(jq_o '[.runs[].result]')" '["success","failed"]'
check_eq "status: this instance holds the lease" "$(jq_o '[.lease.held_by_this_instance, .lease.epoch]')" '[true,1]'
out status
check "status: runs table" grep -q '^STARTED  *BATCH  *RESULT  *EXIT' "$T_TMP/o"
check "status: action counts of a run" grep -q ' fire=1 ' "$T_TMP/o"
check "status: local time of the run" grep -q "^$(date '+%Y-%m-%d') " "$T_TMP/o"
echo 424242 > "$T_TMP/state/zmcsync.lock"
flock -n "$T_TMP/state/zmcsync.lock" sleep 2 &
FL=$!
T_PIDS="$T_PIDS $FL"
sleep 0.3
out status --json
check_eq "status: running while the lock is held, with the holder" "$(jq_o '[.running,.lock_holder_pid]')" "[true,424242]"
out status
check "status: lock holder line" grep -q '^lock holder  *pid 424242$' "$T_TMP/o"
check_rc "run while locked exits 6" 6 zrun
wait "$FL"	# the lock goes with the sleep that inherited it

# --- config: table rows, validation, effect on the next run ------------------
out config set sync.alarm_levels 1
check_eq "config set: exit 0" "$RC" 0
check_eq "config set: says what it wrote" "$(cat "$T_TMP/o")" "SYNC.ALARM_LEVELS = 1"
check_eq "config set: row stored upper case" "$(sql "SELECT CONFIG_GROUP||'.'||CONFIG_KEY||'='||CONFIG_VALUE||':'||IS_ACTIVE FROM NM_ALARM_SYNC_CONFIG")" "SYNC.ALARM_LEVELS=1:1"
out config get sync.alarm_levels
check_eq "config get" "$(cat "$T_TMP/o")" 1
out config get SYNC.ALARM_LEVELS --json
check_eq "config get --json" "$(jq_o '[.config_key,.config_value,.config_group,.is_active]')" '["ALARM_LEVELS","1","SYNC",true]'
out config list --json
check_eq "config list --json: guide keys first, in order" "$(jq_o '.[0] | keys_unsorted[:5]')" \
    '["config_key","config_value","config_group","description","is_active"]'
check "config list --json: description from the key table" test "$(jq_o '.[0].description')" != null
out config list --group SILENCE
check_eq "config list --group: none in that group" "$(cat "$T_TMP/o")" "no config rows in that group"
out config list --group sync
check "config list: human row" grep -q '^SYNC  *ALARM_LEVELS  *1  *yes ' "$T_TMP/o"
out config show --json
check_eq "config show: level filter comes from the table" \
    "$(jq_o '.[] | select(.key == "sync.alarm_levels") | [.value,.source,.where]')" '["1","table","table SYNC.ALARM_LEVELS"]'
check_eq "config show: one entry per key, key order" "$(jq_o '.[0] | keys_unsorted[:3]')" '["key","value","source"]'
check_eq "config show: file source with line" "$(jq_o '.[] | select(.key == "state.dir") | .where')" "\"file $CONF:11\""
check_eq "config show: defaults" "$(jq_o '.[] | select(.key == "sync.batch_size") | [.value,.source]')" '["100","default"]'
out config show
check "config show: human table" grep -q '^sync.alarm_levels  *1  *table SYNC.ALARM_LEVELS$' "$T_TMP/o"
zmc_raise 104 9003 3 901 5	# level 3: filtered now
zmc_raise 105 9001 1 902 5	# level 1: passes
check_rc "run with alarm_levels 1 from the table" 0 zrun
check_eq "level-3 alarm not pushed" "$(status 104)" ""
check_eq "level-1 alarm pushed" "$(status 105)" FIRING
check "level-3 alarm not in Alertmanager" test -z "$(am_alerts | jq -r '.[] | select(.labels.alarm_id == "104") | .labels.alarm_id')"
out config unset sync.alarm_levels
check_eq "config unset: exit 0" "$RC" 0
check_eq "config unset: row gone" "$(count "SELECT COUNT(*) FROM NM_ALARM_SYNC_CONFIG")" 0
check_rc "config unset of a missing row: exit 1" 1 z config unset sync.alarm_levels
check_rc "config get of a missing row: exit 1" 1 z config get sync.alarm_levels
check "config get of a missing row: says so" grep -q 'no row' "$T_TMP/last.err"
check_rc "run after unset" 0 zrun
check_eq "level-3 alarm pushed after unset" "$(status 104)" FIRING

pc=$(sql "SELECT PUSH_COUNT FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID=101")
out config set --json sync.heartbeat_interval 1
check_eq "config set --json: the guide's keys in order" "$(jq_o 'keys_unsorted[:4]')" '["success","config_key","config_value","message"]'
check_eq "config set --json: values" "$(jq_o '[.success,.config_key,.config_value]')" '[true,"HEARTBEAT_INTERVAL","1"]'
out status --json
check_eq "status shows the table's heartbeat interval" "$(jq_o .heartbeat_interval)" 1
sleep 2
check_rc "run with heartbeat_interval 1 from the table" 0 zrun
check_eq "heartbeat pushed after 1 s" "$(sql "SELECT PUSH_COUNT FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID=101")" $((pc + 1))
SYNC_HEARTBEAT_INTERVAL=300 "$ZMCSYNC" -c "$CONF" config set sync.heartbeat_interval 2 >/dev/null 2>"$T_TMP/e"
check "config set warns when the environment overrides the table" grep -q 'env SYNC_HEARTBEAT_INTERVAL overrides' "$T_TMP/e"
z config unset sync.heartbeat_interval >/dev/null

check_rc "config set: invalid value exits 3" 3 z config set sync.heartbeat_interval abc
check "config set: invalid value names the key" grep -q 'HEARTBEAT_INTERVAL: not a number' "$T_TMP/last.err"
check_rc "config set: invalid level list exits 3" 3 z config set sync.alarm_levels 7
check_rc "config set: invalid boolean exits 3" 3 z config set sync.enabled maybe
check_rc "config set: invalid enum exits 3" 3 z config set log.format xml
check_rc "config set: a value that breaks another key's constraint exits 3" 3 z config set sync.heartbeat_interval 700
check "config set: constraint named" grep -q 'alert_ttl' "$T_TMP/last.err"
check_eq "config set: nothing written by refused values" "$(count "SELECT COUNT(*) FROM NM_ALARM_SYNC_CONFIG")" 0
check_usage "config set: unknown key" config set sync.nothing 1
check_usage "config get: unknown key" config get nogroup
check_usage "config set: database key refused" config set database.dsn other
check "config set: database refusal is explained" grep -q 'database settings come only from the file or the environment' "$T_TMP/last.err"
check_usage "config set: secret refused" config set alertmanager.password x
check "config set: secret refusal is explained" grep -q 'secrets come only from the file or the environment' "$T_TMP/last.err"
check_usage "config without sub-command" config
check_usage "config: unknown sub-command" config frob
check_usage "config set: value missing" config set sync.enabled
check_usage "config get: too many arguments" config get sync.enabled x

# --- disable / enable ---------------------------------------------------------
out disable
check_eq "disable: one line" "$(cat "$T_TMP/o")" "sync disabled (SYNC.ENABLED = false in NM_ALARM_SYNC_CONFIG)"
check_eq "disable: row" "$(sql "SELECT CONFIG_VALUE FROM NM_ALARM_SYNC_CONFIG WHERE CONFIG_GROUP='SYNC' AND CONFIG_KEY='ENABLED'")" false
out status --json
check_eq "status: disabled" "$(jq_o .enabled)" false
zmc_raise 106 9001 1 901 2
logs_before=$(count "SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG")
check_rc "disabled run exits 0" 0 zrun
check_eq "disabled run pushed nothing" "$(status 106)" ""
check_eq "disabled run logged nothing" "$(count "SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG")" "$logs_before"
check "disabled run: zmc_sync_service_up 0" grep -q '^zmc_sync_service_up 0$' "$T_TMP/metrics/zmcsync.prom"
out enable
check_eq "enable: one line" "$(cat "$T_TMP/o")" "sync enabled (SYNC.ENABLED = true in NM_ALARM_SYNC_CONFIG)"
check_rc "enabled run exits 0" 0 zrun
check_eq "enabled run pushed the new alarm" "$(status 106)" FIRING
check "enabled run: zmc_sync_service_up 1" grep -q '^zmc_sync_service_up 1$' "$T_TMP/metrics/zmcsync.prom"
check_usage "enable takes no argument" enable now
check_usage "disable takes no argument" disable now

# --- check and am-status ------------------------------------------------------
out check
check_eq "check: all healthy exits 0" "$RC" 0
for p in config database NM_ALARM_SYNC_CONFIG NM_ALARM_SYNC_STATUS NM_ALARM_SYNC_LOG NM_ALARM_LABEL_MAPPING \
    NM_ALARM_SYNC_SOURCE "label mapping" "config table" "alertmanager $AM_URL /-/healthy" "alertmanager $AM_URL /api/v2/status" state metrics; do
	check "check: probe '$p' ok" grep -q "^$p  *ok  " "$T_TMP/o"
done
case $ZMC_BACKEND in sqlite) dbms=SQLite ;; postgresql) dbms=PostgreSQL ;; esac
check "check: dialect and dbms" grep -q "^database  *ok  *connected, $dbms .*dialect $ZMC_BACKEND" "$T_TMP/o"
out check --json
check_eq "check --json: the guide's /health keys" "$(jq_o 'keys_unsorted[:4]')" '["status","timestamp","version","components"]'
check_eq "check --json: healthy" "$(jq_o .status)" '"healthy"'
check_eq "check --json: every component healthy" "$(jq_o '[.components[].status] | unique')" '["healthy"]'
check_eq "check --json: component shape" "$(jq_o '.components.database | keys_unsorted')" '["status","message"]'
check "check --json: timestamp is RFC 3339 UTC" expr "$(jq -r .timestamp "$T_TMP/o")" : '[0-9-]*T[0-9:]*Z$'
check_eq "check --json: version" "$(jq_o .version)" "\"$("$ZMCSYNC" version | head -n 1 | awk '{print $2}')\""

outc "$T_TMP/noam.conf" check
check_eq "check: no Alertmanager reachable exits 5" "$RC" 5
check "check: names the dead Alertmanager" grep -q "^alertmanager $DEAD /-/healthy  *FAIL" "$T_TMP/o"
outc "$T_TMP/noam.conf" check --json
check_eq "check --json: unhealthy" "$(jq_o .status)" '"unhealthy"'
check_eq "check --json: the database is still healthy" "$(jq_o .components.database.status)" '"healthy"'
outc "$T_TMP/noam.conf" am-status
check_eq "am-status: no Alertmanager reachable exits 5" "$RC" 5
sed "s|^url = .*|url = $AM_URL,$DEAD|" "$CONF" > "$T_TMP/half.conf"
outc "$T_TMP/half.conf" check
check_eq "check: one member of two down exits 1" "$RC" 1
outc "$T_TMP/half.conf" am-status --json
check_eq "am-status: one member down exits 1" "$RC" 1
check_eq "am-status --json: healthy flags" "$(jq_o 'map(.healthy)')" "[true,false]"
check_eq "am-status --json: guide keys" "$(jq_o '.[0] | keys_unsorted[:6]')" \
    '["url","healthy","version","cluster_status","active_alerts","active_silences"]'

mkdir -p "$T_TMP/afile"; : > "$T_TMP/afile/x"
sed "s|^textfile = .*|textfile = $T_TMP/afile/x/zmcsync.prom|" "$CONF" > "$T_TMP/badmetrics.conf"
outc "$T_TMP/badmetrics.conf" check
check_eq "check: metrics directory unusable exits 3" "$RC" 3
check "check: metrics probe fails with the reason" grep -q '^metrics  *FAIL  *metrics directory .*Not a directory' "$T_TMP/o"
sed "s|^dir = .*|dir = $T_TMP/afile/x/state|" "$CONF" > "$T_TMP/badstate.conf"
outc "$T_TMP/badstate.conf" check
check_eq "check: state directory unusable exits 3" "$RC" 3
check "check: state probe fails" grep -q '^state  *FAIL ' "$T_TMP/o"
# A database without zmcsync's tables.
with_db zmc_empty write_conf "$T_TMP/empty.conf"
outc "$T_TMP/empty.conf" check
check_eq "check: tables missing exits 4" "$RC" 4
check "check: config table probe suggests init-db" grep -q '^config table  *FAIL  .*init-db' "$T_TMP/o"
check "check: status table probe fails" grep -q '^NM_ALARM_SYNC_STATUS  *FAIL ' "$T_TMP/o"

# --- database down ------------------------------------------------------------
sed "s|^connection = .*|connection = \"$(dead_db_conn)\"|" "$CONF" > "$T_TMP/nodb.conf"
outc "$T_TMP/nodb.conf" alarms
check_eq "alarms: database down exits 4" "$RC" 4
outc "$T_TMP/nodb.conf" logs --json
check_eq "logs: database down exits 4" "$RC" 4
outc "$T_TMP/nodb.conf" stats
check_eq "stats: database down exits 4" "$RC" 4
check "stats: says the database is unavailable" grep -q '^database unavailable: ' "$T_TMP/o"
check "stats: falls back to the state file's last run" grep -q '^last run from the state file:' "$T_TMP/o"
outc "$T_TMP/nodb.conf" stats --json
check_eq "stats --json: database down still valid JSON with the guide's keys as null" \
    "$(jq_o '[.total_synced,.firing,.resolved,.silenced,.errors,.last_24h_operations]')" '[null,null,null,null,null,null]'
check_eq "stats --json: last run from the state file" "$(jq_o '.last_run.exit_code')" 0
outc "$T_TMP/nodb.conf" status
check_eq "status: database down still exits 0" "$RC" 0
check "status: database error line" grep -q '^database error  ' "$T_TMP/o"
check "status: runs still shown" grep -q '^STARTED ' "$T_TMP/o"
outc "$T_TMP/nodb.conf" status --json
check_eq "status --json: database not connected, with the reason" "$(jq_o '[.database.connected, (.database.error != null)]')" '[false,true]'
outc "$T_TMP/nodb.conf" config show
check_eq "config show: works without the database" "$RC" 0
check "config show: notes the table is not included" grep -q 'NM_ALARM_SYNC_CONFIG not included' "$T_TMP/e"
check "config show: still lists keys" grep -q '^sync.heartbeat_interval ' "$T_TMP/o"
outc "$T_TMP/nodb.conf" config show --json
check "config show --json without the database parses" test "$(jq_o length)" -gt 50
outc "$T_TMP/nodb.conf" config list
check_eq "config list: database down exits 4" "$RC" 4
outc "$T_TMP/nodb.conf" config set sync.heartbeat_interval 30
check_eq "config set: database down exits 4" "$RC" 4
outc "$T_TMP/nodb.conf" enable
check_eq "enable: database down exits 4" "$RC" 4
outc "$T_TMP/nodb.conf" cleanup
check_eq "cleanup: database down exits 4" "$RC" 4
outc "$T_TMP/nodb.conf" check
check_eq "check: database down exits 4" "$RC" 4
check "check: database probe gives the reason" grep -q '^database  *FAIL  *database' "$T_TMP/o"
outc "$T_TMP/nodb.conf" check --json
check_eq "check --json: database unhealthy" "$(jq_o .components.database.status)" '"unhealthy"'

# --- cleanup ------------------------------------------------------------------
zmc_state 102 A
check_rc "resolve 102" 0 zrun
check_eq "102 resolved" "$(status 102)" RESOLVED
sql "UPDATE NM_ALARM_SYNC_STATUS SET UPDATE_TIME=$(ts_ago $((40 * 1440))) WHERE ALARM_INST_ID IN (102, 101);
     UPDATE NM_ALARM_SYNC_LOG SET CREATE_TIME=$(ts_ago $((40 * 1440))) WHERE ALARM_INST_ID=102;
     WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12500)
     INSERT INTO NM_ALARM_SYNC_LOG (OPERATION, ALARM_INST_ID, NEW_STATUS, DURATION_MS, ALARM_COUNT, CREATE_TIME)
     SELECT 'HEARTBEAT', NULL, 'FIRING', 1, 1, $(ts_ago $((50 * 1440))) FROM n;" 2>"$T_TMP/e" ||
    fail "could not age rows: $(cat "$T_TMP/e")"
old_logs=$(count "SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG WHERE CREATE_TIME < $(ts_ago $((30 * 1440)))")
all_logs=$(count "SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG")
check "cleanup: more old rows than one batch" test "$old_logs" -gt 10000
out cleanup --dry-run --json
check_eq "cleanup --dry-run --json" "$(jq_o '[.dry_run,.days,.log_rows,.status_rows]')" "[true,30,$old_logs,1]"
check_eq "cleanup --dry-run deletes nothing" "$(count "SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG")" "$all_logs"
out cleanup
check_eq "cleanup: exit 0" "$RC" 0
check_eq "cleanup: prints the counts" "$(cut -d'(' -f1 "$T_TMP/o")" \
    "deleted $old_logs log rows and 1 RESOLVED status rows older than 30 days "
check_eq "cleanup: log rows gone, in batches of 10,000" "$(count "SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG")" $((all_logs - old_logs))
check_eq "cleanup: the RESOLVED row is gone" "$(status 102)" ""
check_eq "cleanup: an old FIRING row stays" "$(status 101)" FIRING
out cleanup --days 1 --json
check_eq "cleanup --days 1: nothing more" "$(jq_o '[.log_rows,.status_rows,.error]')" "[0,0,null]"
check_usage "cleanup --days 0" cleanup --days 0
check_usage "cleanup --days abc" cleanup --days abc

# --- usage errors ---------------------------------------------------------------
check_usage "alarms: bad status" alarms --status bogus
check_usage "alarms: bad limit" alarms --limit abc
check_usage "alarms: zero limit" alarms --limit 0
check_usage "alarms: negative offset" alarms --offset -1
check_usage "alarms: unexpected argument" alarms extra
check_usage "alarms: unknown option" alarms --bogus
check_usage "logs: bad alarm id" logs --alarm-id x
check_usage "logs: bad event id" logs --event-id 0
check_usage "logs: bad since" logs --since 0
check_usage "logs: bad limit" logs --limit 1x
check_usage "logs: bad operation" logs --operation 'a b'
check_usage "status: bad runs" status --runs many
check_usage "stats: unexpected argument" stats x
check_usage "check: unexpected argument" check x
for c in check status alarms logs stats config cleanup enable disable; do
	check_rc "$c --help exits 0" 0 z "$c" --help
done

# --- secrets never shown ----------------------------------------------------------
sql "INSERT INTO NM_ALARM_SYNC_CONFIG (CONFIG_GROUP, CONFIG_KEY, CONFIG_VALUE, IS_ACTIVE, CREATE_TIME)
     VALUES ('ALERTMANAGER', 'PASSWORD', 'S3cr3tRowPw', 1, $(ts_now))"
sed "s|^connection = \"\(.*\)\"|connection = \"\1;PWD=S3cr3tConnPw\"|" "$CONF" > "$T_TMP/secret.conf"
sed "s|^connection = .*|connection = \"$(dead_db_conn);PWD=S3cr3tConnPw\"|" "$CONF" > "$T_TMP/secretnodb.conf"
# (S3cr3tRowPw stays in the config table on purpose: not a leak-check secret)
t_secret S3cr3tAmPw S3cr3tDbPw S3cr3tConnPw
t_secret_file "$T_TMP/secret.conf" "$T_TMP/secretnodb.conf"
: > "$T_TMP/all.out"
for cf in "$CONF" "$T_TMP/secret.conf" "$T_TMP/secretnodb.conf"; do
	for c in "status" "status --json" "config show" "config show --json" "config list" "config list --json" \
	    "config get alertmanager.password" "check" "check --json" "alarms" "logs" "stats" "stats --json" "am-status"; do
		# shellcheck disable=SC2086
		ALERTMANAGER_PASSWORD=S3cr3tAmPw DATABASE_PASSWORD=S3cr3tDbPw \
		    "$ZMCSYNC" -c "$cf" $c >>"$T_TMP/all.out" 2>&1
	done
done
check "secret test produced output" test "$(wc -l < "$T_TMP/all.out")" -gt 100
check "secret test: no sanitizer report" test -z "$(grep -l 'Sanitizer\|runtime error' "$T_TMP/all.out")"
check "no secret in any command's output" test -z "$(grep -o 'S3cr3t[A-Za-z]*' "$T_TMP/all.out" | sort -u)"
grep -o 'S3cr3t[A-Za-z]*' "$T_TMP/all.out" | sort -u | sed 's/^/    leaked: /' >&2
# PostgreSQL: the role's real password (from database.password_file) too.
[ "$ZMC_BACKEND" != postgresql ] ||
    check "the database's real password in no output" sh -c '! grep -qF -f "$1" "$2"' - "$PG_PWFILE" "$T_TMP/all.out"
ALERTMANAGER_PASSWORD=S3cr3tAmPw "$ZMCSYNC" -c "$CONF" config show --json > "$T_TMP/o" 2>/dev/null
check_eq "config show: secret masked, source env" \
    "$(jq_o '.[] | select(.key == "alertmanager.password") | [.value,.source,.secret]')" '["********","env",true]'
"$ZMCSYNC" -c "$CONF" config list --json > "$T_TMP/o" 2>/dev/null
check_eq "config list: a secret put into the table is masked" \
    "$(jq_o '.[] | select(.config_key == "PASSWORD") | .config_value')" '"********"'

# --- man page agrees with the command table -------------------------------------
"$ZMCSYNC" help > "$T_TMP/help.out"
awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ && n++ { exit }' "$T_TMP/help.out" | sort > "$T_TMP/cmds"
check "help lists the commands" test "$(wc -l < "$T_TMP/cmds")" -ge 15
# Top-level entries of the command list (nested lists, e.g. run's options, are skipped).
awk '/^The commands are:/ { on = 1; next }
     on && /^\.Bl/ { depth++; next }
     on && /^\.El/ { depth--; if (depth == 0) exit; next }
     on && depth == 1 && /^\.It Cm / {
	for (i = 2; i <= NF; i++) if ($i == "Cm") print $(i + 1)
     }' "$TOP/man/zmcsync.1" | sort -u > "$T_TMP/mancmds"
check_eq "every command is in zmcsync(1) and every entry is a command" "$(diff "$T_TMP/cmds" "$T_TMP/mancmds" | grep '^[<>]' | tr '\n' ' ')" ""
check_eq "mandoc -Tlint: zmcsync.1" "$(mandoc -Tlint -W warning "$TOP/man/zmcsync.1" 2>&1)" ""
check_eq "mandoc -Tlint: zmcsync.conf.5" "$(mandoc -Tlint -W warning "$TOP/man/zmcsync.conf.5" 2>&1)" ""

t_done
