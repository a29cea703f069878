#!/bin/bash
# backend: any
# t_run_batches.sh: the run's edges under load and trouble: keyset paging
# and the merge join across page boundaries, at most batch_size alerts per
# POST, one bad alert isolated, --timeout, SIGTERM between batches, and two
# runs at once.  Uses a real Alertmanager and the fault-injecting fake.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zmc.sh"
need jq
need python3

# --- paging and the merge join, against a real Alertmanager -------------------
am_start
zmc_init "[sync]" "batch_size = 4"
sql_defer; for i in $(seq 201 223); do zmc_raise "$i" 9001 $(( (i % 4) + 1 )) 901 5; done; sql_flush
check_rc "23 alarms in pages of 4: exit 0" 0 zrun
check_eq "all 23 firing" "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE SYNC_STATUS='FIRING'")" 23
check_eq "all 23 in alertmanager" "$(am_alerts "active=true" | jq length)" 23
# Gone rows, cleared rows and new rows interleaved across page boundaries.
sql "DELETE FROM NM_ALARM_CDR WHERE ALARM_INST_ID IN (201, 204, 205, 212, 223)"
sql_defer
for i in 207 208 216; do zmc_state $i A; done
for i in 224 225 226; do zmc_raise "$i" 9002 2 902 1; done
sql_flush
check_rc "interleaved changes: exit 0" 0 zrun
check_eq "gone and cleared rows resolved" \
    "$(sql "SELECT ALARM_INST_ID FROM NM_ALARM_SYNC_STATUS WHERE SYNC_STATUS='RESOLVED' ORDER BY 1" | paste -sd, -)" \
    "201,204,205,207,208,212,216,223"
check_eq "the rest still firing, new ones added" "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE SYNC_STATUS='FIRING'")" 18
check_eq "alertmanager agrees" "$(am_alerts "active=true" | jq length)" 18
check_rc "a third run has nothing to do" 0 zrun
check_eq "nothing was logged by it" \
    "$(sql "SELECT COUNT(DISTINCT SYNC_BATCH_ID) FROM NM_ALARM_SYNC_LOG")" 2
am_stop

# --- batch size, 400 isolation, --timeout, SIGTERM, concurrency: the fake -----
fake_start
zmc_init "[sync]" "batch_size = 3" "[alertmanager]" "url = $FAKE_URL"
sql "DELETE FROM NM_ALARM_CODE_LIB WHERE ALARM_CODE = 9099;
     INSERT INTO NM_ALARM_CODE_LIB VALUES (9099, 'BAD', 1, '', '', 0);"
sql_defer
for i in $(seq 301 310); do zmc_raise "$i" 9001 1 901 5; done
zmc_raise 311 9099 1 901 5
sql_flush
check_rc "one alert rejected with 400: exit 1" 1 zrun
check "at most batch_size alerts per POST" test "$(posts | jq '[.[].alerts] | max')" -le 3
check_eq "the others were accepted" "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE SYNC_STATUS='FIRING'")" 10
check_eq "the bad one is PENDING" "$(status 311)" PENDING
check "its error is recorded" grep -q 400 <<<"$(sql "SELECT LAST_ERROR FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID=311")"
check "the failure is logged" test "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG WHERE ALARM_INST_ID=311 AND ERROR_MESSAGE IS NOT NULL")" -ge 1
check_rc "the next run retries it (still rejected): exit 1" 1 zrun
check_eq "error count grows" "$(sql "SELECT ERROR_COUNT FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID=311")" 2
sql "DELETE FROM NM_ALARM_CDR WHERE ALARM_INST_ID=311"
# Gone: its PENDING row (which carries the label set tried) is resolved;
# Alertmanager refuses that alert as invalid, so the row is closed, not
# retried forever.
check_rc "311 gone: exit 0" 0 zrun
check_eq "its row is closed" "$(status 311)" RESOLVED
check "the refusal is said once" grep -q "alarm 311: resolve refused, row closed" "$T_TMP/run.err"
check_rc "and not retried" 0 zrun

# --timeout: slow Alertmanager (0.7 s a POST), 24 new alarms in batches of
# 3: eight POSTs take 5.6 s, so a 4 s deadline stops the run part way
# with room for a slow start (the sanitizer build, a loaded machine).
ctl '{"reset": true}'
sql_defer; for i in $(seq 390 413); do zmc_raise "$i" 9002 2 902 5; done; sql_flush
ctl '{"post_delay": 0.7}'
start=$(date +%s)
check_rc "--timeout 4 stops early with exit 1" 1 zrun --timeout 4
took=$(( $(date +%s) - start ))
check "--timeout bounds the run ($took s)" test "$took" -le 7
done1=$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID BETWEEN 390 AND 413 AND SYNC_STATUS='FIRING'")
check "some but not all pushed before the deadline ($done1)" test "$done1" -gt 0 -a "$done1" -lt 24
# An answer cut off by the deadline leaves its alarms PENDING, and alarms
# the run did not reach have no row yet: both are pushed next run.
# Recorded FIRING is at most what was posted.
check "what is recorded FIRING was posted" test "$done1" -le "$(posts | jq '[.[] | .alerts] | add // 0')"
check_eq "no alarm is anything but FIRING or PENDING" "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID BETWEEN 390 AND 413 AND SYNC_STATUS NOT IN ('FIRING', 'PENDING')")" 0
ctl '{"post_delay": 0}'
check_rc "the next run finishes the rest" 0 zrun
check_eq "all 24 firing" "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID BETWEEN 390 AND 413 AND SYNC_STATUS='FIRING'")" 24

# SIGTERM: the current batch's bookkeeping is finished, then exit 1.
ctl '{"reset": true}'
sql_defer; for i in $(seq 341 355); do zmc_raise "$i" 9003 3 901 5; done; sql_flush
ctl '{"delay": 0.6}'
"$ZMCSYNC" -c "$CONF" run >"$T_TMP/term.out" 2>"$T_TMP/term.err" &
rp=$!
i=0
while [ "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID BETWEEN 341 AND 355")" = 0 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
kill -TERM $rp
wait $rp; rc=$?
check_eq "SIGTERM: exit 1" "$rc" 1
check "SIGTERM is reported" grep -q "signal" "$T_TMP/term.err"
pushed=$(posts | jq '[.[] | .alerts] | add')
check_eq "SIGTERM: everything pushed is recorded" \
    "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID BETWEEN 341 AND 355 AND SYNC_STATUS='FIRING'")" "$pushed"
check "SIGTERM: the run stopped early" test "$pushed" -lt 15

# Two runs at once: one does the work, the other exits 6.
"$ZMCSYNC" -c "$CONF" run >"$T_TMP/a.out" 2>"$T_TMP/a.err" & pa=$!
sleep 0.3
"$ZMCSYNC" -c "$CONF" run >"$T_TMP/b.out" 2>"$T_TMP/b.err" & pb=$!
wait $pa; ra=$?
wait $pb; rb=$?
check_eq "two concurrent runs: exits" "$ra $rb" "0 6"
check "the skipped run names the lock holder" grep -q "holds" "$T_TMP/b.err"
ctl '{"delay": 0}'
check_eq "all 15 firing after the concurrent runs" \
    "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID BETWEEN 341 AND 355 AND SYNC_STATUS='FIRING'")" 15

# Alertmanager dies in the middle of a run: exit 5, nothing lost, and the
# next run, against the restarted (empty) Alertmanager, converges.
ctl '{"reset": true}'
for i in $(seq 361 380); do zmc_raise "$i" 9001 1 901 5; done
ctl '{"post_delay": 0.5}'
"$ZMCSYNC" -c "$CONF" run >"$T_TMP/die.out" 2>"$T_TMP/die.err" &
rp=$!
# Kill it once the first batch is recorded (bounded wait), not after a guess.
i=0
while [ "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID BETWEEN 361 AND 380 AND SYNC_STATUS='FIRING'")" = 0 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
kill "$FAKE_PID"
wait "$FAKE_PID" 2>/dev/null
wait $rp; rc=$?
check_eq "Alertmanager gone mid-run: exit 5" "$rc" 5
before=$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID BETWEEN 361 AND 380 AND SYNC_STATUS='FIRING'")
check "some were pushed before it died ($before)" test "$before" -gt 0 -a "$before" -lt 20
check_eq "the failed batch is PENDING, the rest untouched" \
    "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID BETWEEN 361 AND 380 AND SYNC_STATUS NOT IN ('FIRING', 'PENDING')")" 0
fake_start "$FP"
check_rc "the next run converges: exit 0" 0 zrun
check_eq "all 20 firing" \
    "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID BETWEEN 361 AND 380 AND SYNC_STATUS='FIRING'")" 20
# It started after every earlier push, so it gets every firing alarm once,
# and once each the resolves (masked alarms' included) pushed before its
# start, which it may have taken without notifying.
firing=$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE SYNC_STATUS='FIRING'")
resolved=$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE SYNC_STATUS IN ('RESOLVED', 'SILENCED') AND ALERT_LABELS IS NOT NULL")
check "some resolves to send again ($resolved)" test "$resolved" -gt 0
check_eq "the restarted Alertmanager got every firing alarm and every recent resolve exactly once" \
    "$(posts | jq '[.[] | .alerts] | add')" "$((firing + resolved))"
t_done
