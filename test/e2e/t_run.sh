#!/bin/bash
# backend: any
# t_run.sh: every row of the SPEC 3 state machine end to end: the ZMC
# database of $ZMC_BACKEND (SQLite through the real sqliteodbc driver, or
# PostgreSQL through psqlODBC), a real Alertmanager, checked against
# Alertmanager's own API and zmcsync's tables.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zmc.sh"
need jq
am_start
zmc_init "[sync]" "history_hours = 24" "heartbeat_interval = 120"

# --- none -> FIRING, and rows that must not be pushed -----------------------
zmc_raise 101 9001 1 901 5 '主机 10.9.0.1 CPU 使用率超过 90%，持续 5 分钟'
zmc_raise 102 9002 2 902 10
zmc_raise 103 9003 3 901 30
zmc_raise 104 9001 1 902 $((48 * 60))		# outside the 24 h window
zmc_raise 105 9002 2 901 5; zmc_state 105 A	# never pushed: A with no status
zmc_raise 106 9002 2 901 5; zmc_state 106 C
zmc_raise 107 9002 2 901 5; zmc_state 107 M

check_rc "dry run exits 0" 0 zrun --dry-run
check "dry run lists the first push of 101" grep -q "PUSH_FIRING.*alarm 101 (new)" "$T_TMP/run.out"
check_eq "dry run wrote no status rows" "$(sql 'SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS')" 0
check_eq "dry run pushed nothing" "$(am_active_ids)" ""
check "dry run wrote no textfile" test ! -e "$T_TMP/metrics/zmcsync.prom"

check_rc "first run exits 0" 0 zrun
check_eq "first run is quiet" "$(cat "$T_TMP/run.out" "$T_TMP/run.err")" ""
check_eq "new U alarms are firing in Alertmanager" "$(am_active_ids)" "101 102 103 "
for id in 101 102 103; do check_eq "status of $id" "$(status $id)" FIRING; done
for id in 104 105 106 107; do check_eq "no status row for $id" "$(status $id)" ""; done

a=$(am_alert 101)
check_eq "alertname is the Chinese alarm name" "$(echo "$a" | jq -r .labels.alertname)" "CPU使用率过高"
check_eq "severity of level 1" "$(echo "$a" | jq -r .labels.severity)" critical
check_eq "instance is the host ip" "$(echo "$a" | jq -r .labels.instance)" 10.9.0.1
check_eq "host label" "$(echo "$a" | jq -r .labels.host)" db-server-01
check_eq "application label" "$(echo "$a" | jq -r .labels.application)" 计费系统
check_eq "source label" "$(echo "$a" | jq -r .labels.source)" zmc
check_eq "event id is not a label" "$(echo "$a" | jq -r '.labels.event_id // "none"')" none
check_eq "event id annotation" "$(echo "$a" | jq -r .annotations.event_id)" 1011
check_eq "Chinese description intact" "$(echo "$a" | jq -r .annotations.description)" \
    '主机 10.9.0.1 CPU 使用率超过 90%，持续 5 分钟'
check_eq "runbook from DEAL_SUGGEST" "$(echo "$a" | jq -r .annotations.runbook)" '检查进程占用，必要时重启服务'
want_start=$(sql "SELECT $(to_utc_rfc3339 EVENT_TIME) FROM NM_ALARM_EVENT WHERE EVENT_INST_ID=1011")
check_eq "startsAt is EVENT_TIME in UTC" "$(echo "$a" | jq -r .startsAt | sed 's/\.[0-9]*Z$/Z/')" "$want_start"
ends=$(date -d "$(echo "$a" | jq -r .endsAt)" +%s)
now=$(date +%s)
check "endsAt is an explicit lease of alert_ttl (600 s)" test $((ends - now)) -gt 500 -a $((ends - now)) -le 601
check_eq "severity of level 3" "$(am_alert 103 | jq -r .labels.severity)" warning
check_eq "one log row per first push" "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG WHERE OPERATION='PUSH_FIRING'")" 3
check "log rows carry a batch id" test "$(sql "SELECT SYNC_BATCH_ID FROM NM_ALARM_SYNC_LOG" | grep -cE '^[0-9]{14}_.{8}$')" = 3
check "textfile written" test -s "$T_TMP/metrics/zmcsync.prom"

# --- nothing due: a second run changes nothing -------------------------------
pc=$(sql "SELECT PUSH_COUNT FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID=101")
check_rc "second run exits 0" 0 zrun
check_eq "no heartbeat before heartbeat_interval" "$(sql "SELECT PUSH_COUNT FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID=101")" "$pc"

# --- heartbeat: FIRING, last push older than heartbeat_interval -------------
sql "UPDATE NM_ALARM_SYNC_STATUS SET LAST_PUSH_TIME=$(ts_ago 10)"
sleep 1
check_rc "heartbeat run exits 0" 0 zrun
check_eq "heartbeat pushed again" "$(sql "SELECT PUSH_COUNT FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID=101")" $((pc + 1))
check_eq "heartbeats logged per request, not per alert" \
    "$(sql "SELECT COUNT(*) || ':' || SUM(ALARM_COUNT) FROM NM_ALARM_SYNC_LOG WHERE OPERATION='HEARTBEAT'")" "1:3"
ends2=$(date -d "$(am_alert 101 | jq -r .endsAt)" +%s)
check "heartbeat renewed the lease" test "$ends2" -ge "$ends"
check_eq "still firing" "$(am_active_ids)" "101 102 103 "

# --- label set changes: resolve old set, fire new --------------------------
sql "UPDATE DEVICE SET DEVICE_NAME='web-server-02b' WHERE DEVICE_ID=902"
check_rc "relabel run exits 0" 0 zrun
n=$(am_alerts "active=true" | jq '[.[] | select(.labels.alarm_id == "102")] | length')
check_eq "one active alert for 102 after relabel" "$n" 1
check_eq "new host label" "$(am_alerts "active=true" | jq -r '.[] | select(.labels.alarm_id == "102") | .labels.host')" web-server-02b
check "ALERT_LABELS holds the new set" test -n "$(sql "SELECT 1 FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID=102 AND ALERT_LABELS LIKE '%web-server-02b%'")"
check_eq "relabel logged" "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG WHERE OPERATION='RELABEL' AND ALARM_INST_ID=102")" 1

# --- A and C: resolved; M: resolved then silenced ---------------------------
zmc_raise 108 9003 3 902 3
zmc_raise 109 9001 1 901 3
zrun
zmc_state 101 A
zmc_state 108 C
zmc_state 109 M
check_rc "resolve run exits 0" 0 zrun
check_eq "A resolved" "$(status 101)" RESOLVED
check_eq "C resolved" "$(status 108)" RESOLVED
check_eq "M silenced" "$(status 109)" SILENCED
check_eq "only 102 103 still active" "$(am_active_ids)" "102 103 "
sil=$(am_silences | jq -c '[.[] | select((.status.state == "active" or .status.state == "pending") and .createdBy == "zmcsync")]')
check_eq "one active zmcsync silence" "$(echo "$sil" | jq length)" 1
check_eq "silence matchers" "$(echo "$sil" | jq -r '.[0].matchers | map(.name + "=" + .value) | sort | join(",")')" \
    "alarm_id=109,source=zmc"
check_eq "silence id recorded" "$(sql "SELECT SILENCE_ID FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID=109")" "$(echo "$sil" | jq -r '.[0].id')"
check "comment names the alarm and carries CLEAR_REASON" sh -c "echo '$sil' | jq -r '.[0].comment' | grep -q '^ZMC alarm 109 cleared by ZMC at .*: 计划内维护$'"
check_rc "repeated run exits 0" 0 zrun
check_eq "no duplicate silence after a repeated run" \
    "$(am_silences | jq '[.[] | select((.status.state == "active" or .status.state == "pending") and .createdBy == "zmcsync")] | length')" 1
check_eq "resolved alarm stays resolved" "$(status 101)" RESOLVED

# --- SILENCED, cleared (A): silence expired --------------------------------
zmc_state 109 A
check_rc "expire run exits 0" 0 zrun
check_eq "SILENCED + A -> RESOLVED" "$(status 109)" RESOLVED
check_eq "silence expired in Alertmanager" \
    "$(am_silences | jq -r --arg id "$(echo "$sil" | jq -r '.[0].id')" '.[] | select(.id == $id) | .status.state')" expired

# --- SILENCED, silence end passed: bookkeeping only -------------------------
zmc_raise 110 9002 2 901 2
zrun
zmc_state 110 M
zrun
check_eq "110 silenced" "$(status 110)" SILENCED
sql "UPDATE NM_ALARM_SYNC_STATUS SET SILENCE_END=$(ts_ago 1) WHERE ALARM_INST_ID=110"
check_rc "silence-ended run exits 0" 0 zrun
check_eq "silence end passed -> RESOLVED" "$(status 110)" RESOLVED
check_eq "silence ended logged" "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG WHERE OPERATION='SILENCE_ENDED' AND ALARM_INST_ID=110")" 1

# --- SILENCED, row gone: silence expired ------------------------------------
zmc_raise 111 9002 2 902 2
zrun
zmc_state 111 M
zrun
sid=$(sql "SELECT SILENCE_ID FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID=111")
sql "DELETE FROM NM_ALARM_CDR WHERE ALARM_INST_ID=111"
check_rc "gone-while-silenced run exits 0" 0 zrun
check_eq "SILENCED + gone -> RESOLVED" "$(status 111)" RESOLVED
check_eq "its silence expired" "$(am_silences | jq -r --arg id "$sid" '.[] | select(.id == $id) | .status.state')" expired

# --- FIRING, row gone -------------------------------------------------------
sql "DELETE FROM NM_ALARM_CDR WHERE ALARM_INST_ID=103"
check_rc "gone run exits 0" 0 zrun
check_eq "FIRING + gone -> RESOLVED" "$(status 103)" RESOLVED
check_eq "103 no longer active" "$(am_active_ids)" "102 "

# --- FIRING, no longer passes the level filter -------------------------------
zmc_raise 112 9003 3 901 2
zrun
check_eq "112 firing" "$(status 112)" FIRING
SYNC_ALARM_LEVELS=1,2 zrun
check_eq "filtered out -> RESOLVED" "$(status 112)" RESOLVED
check_eq "112 no longer active" "$(am_active_ids)" "102 "

# --- re-raise after resolve: new startsAt -----------------------------------
old_start=$(sql "SELECT LAST_EVENT_TIME FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID=101")
sleep 1
zmc_reraise 101
check_rc "re-raise run exits 0" 0 zrun
check_eq "re-raised -> FIRING" "$(status 101)" FIRING
check "newer startsAt recorded" test "$(sql "SELECT LAST_EVENT_TIME FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID=101")" \> "$old_start"
# 112 passes the filter again (the env override is gone) and comes back too.
check_eq "101 active again, 112 back after the filter change was undone" "$(am_active_ids)" "101 102 112 "
check_eq "112 came back with reason back" "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG WHERE ALARM_INST_ID=112 AND OPERATION='PUSH_FIRING'")" 2
check_eq "description of the new event" "$(am_alert 101 | jq -r .annotations.description)" 再次告警

# --- Alertmanager down during a run, then back -------------------------------
zmc_raise 113 9001 1 902 1
zmc_state 102 A
am_stop
check_rc "run with Alertmanager down exits 5" 5 zrun
check "the reason names the alertmanager" grep -q "alertmanager http://127.0.0.1" "$T_TMP/run.err"
# Under -q (cron) a failed run still says why, in one line.
"$ZMCSYNC" -q -c "$CONF" run >"$T_TMP/q.out" 2>"$T_TMP/q.err"; qrc=$?
check_eq "-q run with Alertmanager down: exit 5" "$qrc" 5
check_eq "-q: exactly one line on stderr" "$(wc -l < "$T_TMP/q.err")" 1
check "-q: it names the reason" grep -q "no Alertmanager reachable.*alertmanager http://127.0.0.1" "$T_TMP/q.err"
check "the failed run's reason is in status" sh -c "'$ZMCSYNC' -c '$CONF' status --json | jq -e '[.runs[] | select(.exit_code == 5)][0].error | test(\"alertmanager\")'"
check_eq "first push failed -> PENDING" "$(status 113)" PENDING
check_eq "failed resolve leaves FIRING" "$(status 102)" FIRING
check "error counted on the alarm" test "$(sql "SELECT ERROR_COUNT FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID=113")" -ge 1
check "LAST_ERROR kept" test -n "$(sql "SELECT LAST_ERROR FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID=113")"
am_start
check_rc "next run converges and exits 0" 0 zrun
check_eq "113 firing after restart" "$(status 113)" FIRING
check_eq "102 resolved after restart" "$(status 102)" RESOLVED
# Alertmanager keeps alerts in memory only: the run sees from its uptime
# that it started after the older alerts' pushes and sends them again.
check_eq "alertmanager has every firing alarm at once" "$(am_active_ids)" "101 112 113 "
sql "UPDATE NM_ALARM_SYNC_STATUS SET LAST_PUSH_TIME=$(ts_ago 10) WHERE SYNC_STATUS='FIRING'"
check_rc "heartbeat run after the restart exits 0" 0 zrun
check_eq "every firing alarm is back in alertmanager" "$(am_active_ids)" "101 112 113 "
check_eq "error count cleared on success" "$(sql "SELECT ERROR_COUNT FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID=113")" 0

# --- the lock: a concurrent run exits 6 ---------------------------------------
need flock
flock "$T_TMP/state/zmcsync.lock" sleep 3 &
holder=$!
sleep 0.3
check_rc "run while another holds the lock exits 6" 6 zrun
wait $holder
check_rc "run after the lock is free exits 0" 0 zrun

# --- disabled -----------------------------------------------------------------
zmc_raise 114 9001 1 901 1
SYNC_ENABLED=false zrun; rc=$?
check_eq "disabled run exits 0" "$rc" 0
check_eq "disabled run pushes nothing" "$(status 114)" ""
check "disabled run writes service_up 0" grep -qx 'zmc_sync_service_up 0' "$T_TMP/metrics/zmcsync.prom"

# --- configuration and usage errors -----------------------------------------
ZMCSYNC_SYNC_BATCH_SIZE=abc zrun; rc=$?
check_eq "invalid env value exits 3" "$rc" 3
check "message names the variable" grep -q SYNC_BATCH_SIZE "$T_TMP/run.err"
check_rc "unknown option exits 2" 2 z run --bogus
check_rc "bad --timeout exits 2" 2 z run --timeout x

# --- the state-on-event view, and init-db again ------------------------------
# Older ZMC keeps the state on NM_ALARM_EVENT: the shipped alternative view
# (applied by hand, as its header says) drives the same state machine.
check_rc "run before the view change exits 0" 0 zrun
for c in "ALARM_STATE CHAR(1)" "RESET_DATE TIMESTAMP" "CLEAR_DATE TIMESTAMP" \
    "CONFIRM_DATE TIMESTAMP" "CLEAR_REASON VARCHAR(1000)"; do
	sql "ALTER TABLE NM_ALARM_EVENT ADD COLUMN $c" || fail "NM_ALARM_EVENT: cannot add $c"
done
sql "INSERT INTO NM_ALARM_EVENT (EVENT_INST_ID, ALARM_CODE, APP_ENV_ID, RES_INST_ID, RESET_FLAG, EVENT_TIME, CREATE_DATE, ALARM_LEVEL, DETAIL_INFO, RES_INST_TYPE, ALARM_STATE)
     VALUES (9001, 9002, 902, 9001, '1', $(ts_ago 2), $(ts_ago 2), 2, '事件表上的告警', 'HOST', 'U')"
sql_file "$TOP/sql/$DB_BACKEND/view_state_on_event.sql" || fail "view_state_on_event.sql not applied"
check_rc "run on the state-on-event view exits 0" 0 zrun
check_eq "the event's alarm fires, the CDR alarms are gone and resolved" "$(am_active_ids)" "9001 "
check_eq "its description from the event" "$(am_alert 9001 | jq -r .annotations.description)" 事件表上的告警
check_rc "init-db again exits 0" 0 z init-db
check_eq "init-db again keeps the adapted view" "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_SOURCE WHERE ALARM_INST_ID = 9001")" 1
pc=$(sql "SELECT SUM(PUSH_COUNT) FROM NM_ALARM_SYNC_STATUS")
check_rc "run after init-db again exits 0" 0 zrun
check_eq "init-db again changed nothing zmcsync acts on" "$(sql "SELECT SUM(PUSH_COUNT) FROM NM_ALARM_SYNC_STATUS")" "$pc"
sql "UPDATE NM_ALARM_EVENT SET ALARM_STATE='A', RESET_DATE=$(ts_now) WHERE EVENT_INST_ID=9001"
check_rc "state A on the event: run exits 0" 0 zrun
check_eq "resolved from the event's state" "$(status 9001)" RESOLVED
check_eq "nothing active" "$(am_active_ids)" ""
t_done
