#!/bin/bash
# backend: any
# t_am_restart.sh: a resolve that Alertmanager took but had not notified
# yet when it was stopped is notified after it comes back.  zmcsync sends
# again, once, the resolves pushed in the ten minutes before a member's
# start, and Alertmanager's notification log (kept in its data directory
# across the restart) says which of them were notified firing.  A real
# Alertmanager and a webhook sink that records what it notifies.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zmc.sh"
need jq
need prometheus-alertmanager

SINK_PORT=$(freeport)
SINK_LOG=$T_TMP/sink.jsonl
: > "$SINK_LOG"
python3 "$TOP/test/webhook_sink.py" --port "$SINK_PORT" --log "$SINK_LOG" \
    --max-lifetime 180 >"$T_TMP/sink.out" 2>&1 &
T_PIDS="$T_PIDS $!"
wait_http "http://127.0.0.1:$SINK_PORT/-/healthy" || die "webhook_sink.py did not start"
# group_interval 1m: a resolve taken after the first notification waits
# a minute for its own, so stopping Alertmanager now loses it.
mkdir -p "$T_TMP/am"
cat > "$T_TMP/am/am.yml" <<YML
route:
  receiver: hook
  group_by: ['alarm_id']
  group_wait: 1s
  group_interval: 1m
  repeat_interval: 4h
receivers:
  - name: hook
    webhook_configs:
      - url: 'http://127.0.0.1:$SINK_PORT/hook'
        send_resolved: true
YML
am_start
zmc_init

# notified STATUS ID: notifications of alarm ID with STATUS so far.
notified() {
	jq -s --arg s "$1" --arg id "$2" '[.[] | .body.alerts[] |
	    select(.status == $s and .labels.alarm_id == $id)] | length' "$SINK_LOG"
}
# wait_notified STATUS ID N SECONDS: until N such notifications, bounded.
wait_notified() {
	i=0
	while [ "$i" -lt $(($4 * 10)) ]; do
		[ "$(notified "$1" "$2")" -ge "$3" ] && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
vrun() { "$ZMCSYNC" -c "$CONF" -v run >"$T_TMP/run.out" 2>"$T_TMP/run.err"; }

zmc_raise 801 9001 1 901 5
zmc_raise 802 9001 1 901 5
zmc_raise 803 9001 1 901 5
check_rc "fired" 0 zrun
check "firing notified" wait_notified firing 801 1 15
check "firing notified (803)" wait_notified firing 803 1 15
zmc_state 801 A
zmc_state 803 M
check_rc "801 resolved, 803 masked" 0 zrun
check_eq "801 RESOLVED" "$(status 801)" RESOLVED
check_eq "803 SILENCED" "$(status 803)" SILENCED
am_stop
check_eq "Alertmanager stopped before notifying the resolve" "$(notified resolved 801)" 0
check_eq "... nor the masked alarm's" "$(notified resolved 803)" 0
sleep 1
am_start
check_rc "first run after the start" 0 vrun
check "it sends both resolves again" grep -q "a member started at .*: 2 recent resolves sent again" "$T_TMP/run.err"
check "the owed resolve reached Alertmanager" grep -q "alarm 801: an owed resolve reached every member" "$T_TMP/run.err"
check "the resolve is notified after the restart" wait_notified resolved 801 1 15
# its silence starts after silence.start_delay (30 s): not muted yet
check "the masked alarm's resolve too" wait_notified resolved 803 1 15
check_eq "802 still firing, not resolved" "$(notified resolved 802)" 0
check_rc "the next run" 0 vrun
check "... sends nothing again" sh -c "! grep -q 'sent again\|owed resolve' '$T_TMP/run.err'"
sleep 2
check_eq "one resolved notification" "$(notified resolved 801)" 1
check_eq "one for the masked alarm" "$(notified resolved 803)" 1
t_done
