#!/bin/bash
# t_ha.sh: Alertmanager HA for real: three real Alertmanagers clustered by
# gossip on loopback (short gossip intervals), zmcsync configured with
# the three URLs.  Checked through each member's own API: pushes reach
# every member; one member down does not fail the run and is counted in
# zmc_alertmanager_request_errors_total{url}; a silence is created once
# and visible on all; expiry works through any member (the first one
# down); a member that comes back catches up (silences by gossip, alerts
# by the next heartbeat).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zmc.sh"
need jq
need prometheus-alertmanager
need sqlite3

# ha_start I: starts member I (0..2) of the cluster; keeps its data
# unless HA_WIPE=1.  Ports are chosen once, so a restarted member comes
# back where its peers and zmcsync expect it.
ha_start() {
	i=$1 d=$T_TMP/ha$1
	mkdir -p "$d"
	[ -f "$d/port" ] || { freeport > "$d/port"; freeport > "$d/cport"; }
	[ -f "$d/am.yml" ] || printf "route:\n  receiver: 'null'\n  group_wait: 1s\nreceivers:\n  - name: 'null'\n" > "$d/am.yml"
	[ "${HA_WIPE:-0}" = 1 ] && rm -rf "$d/data"
	peers=""
	for j in 0 1 2; do
		[ "$j" = "$i" ] && continue
		[ -f "$T_TMP/ha$j/cport" ] || { mkdir -p "$T_TMP/ha$j"; freeport > "$T_TMP/ha$j/port"; freeport > "$T_TMP/ha$j/cport"; }
		peers="$peers --cluster.peer=127.0.0.1:$(cat "$T_TMP/ha$j/cport")"
	done
	# shellcheck disable=SC2086
	prometheus-alertmanager --config.file="$d/am.yml" --storage.path="$d/data" \
	    --web.listen-address="127.0.0.1:$(cat "$d/port")" \
	    --cluster.listen-address="127.0.0.1:$(cat "$d/cport")" \
	    --cluster.advertise-address="127.0.0.1:$(cat "$d/cport")" $peers \
	    --cluster.gossip-interval=50ms --cluster.pushpull-interval=1s \
	    --cluster.settle-timeout=1s --cluster.peer-timeout=1s \
	    --cluster.reconnect-interval=1s --cluster.probe-interval=200ms \
	    --cluster.probe-timeout=200ms --log.level=warn >>"$d/log" 2>&1 &
	echo $! > "$d/pid"
	T_PIDS="$T_PIDS $!"
	wait_http "$(ha_url "$i")/-/ready" || { cat "$d/log" >&2; die "alertmanager member $i did not start"; }
}
ha_url() { echo "http://127.0.0.1:$(cat "$T_TMP/ha$1/port")"; }
# ha_stop I: stops member I (SIGTERM, bounded, then SIGKILL).
ha_stop() {
	p=$(cat "$T_TMP/ha$1/pid")
	kill "$p" 2>/dev/null
	n=0; while kill -0 "$p" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n+1)); done
	kill -9 "$p" 2>/dev/null; true
}
# ha_peers I: how many peers member I sees (itself included).
ha_peers() { curl -fsS --max-time 2 "$(ha_url "$1")/api/v2/status" 2>/dev/null | jq '.cluster.peers | length' 2>/dev/null || echo 0; }
# ha_wait_peers N: up to 15 s until every running member sees N peers.
ha_wait_peers() {
	n=0
	while [ $n -lt 150 ]; do
		okc=0
		for i in $HA_UP; do [ "$(ha_peers "$i")" = "$1" ] && okc=$((okc+1)); done
		[ "$okc" = "$(echo $HA_UP | wc -w)" ] && return 0
		sleep 0.1; n=$((n+1))
	done
	return 1
}
# ha_ids I: alarm ids of member I's active (unsilenced) alerts, sorted.
ha_ids() { curl -fsS --max-time 5 "$(ha_url "$1")/api/v2/alerts?active=true&silenced=false" | jq -r '.[].labels.alarm_id' | sort -n | tr '\n' ' '; }
# ha_sil I [STATE]: ids of member I's zmcsync silences (in STATE, default any).
ha_sil() {
	curl -fsS --max-time 5 "$(ha_url "$1")/api/v2/silences" |
	    jq -r --arg s "${2:-}" '[.[] | select(.createdBy == "zmcsync") | select($s == "" or .status.state == $s or ($s == "active" and .status.state == "pending")) | .id] | sort | join(" ")'
}
# eventually SECONDS DESC WANT CMD...: CMD's output equals WANT within SECONDS.
eventually() {
	s=$1 d=$2 w=$3; shift 3
	n=0
	while [ $n -lt $((s * 10)) ]; do
		got=$("$@" 2>/dev/null)
		[ "$got" = "$w" ] && { ok "$d"; return 0; }
		sleep 0.1; n=$((n+1))
	done
	fail "$d: got '$got', want '$w'"
}
# errs URL: zmc_alertmanager_request_errors_total of URL in the textfile (0 if absent).
errs() {
	v=$(grep "^zmc_alertmanager_request_errors_total{url=\"$1\"}" "$T_TMP/metrics/zmcsync.prom" | awk '{print $2}')
	echo "${v:-0}"
}

for i in 0 1 2; do ha_start $i; done
HA_UP="0 1 2"
check "three members gossip: each sees 3 peers" ha_wait_peers 3
U0=$(ha_url 0) U1=$(ha_url 1) U2=$(ha_url 2)
AM_URL="$U0,$U1,$U2"
zmc_init "[sync]" "heartbeat_interval = 120"

# --- pushes reach every member ---------------------------------------------
zmc_raise 101 9001 1 901 5
zmc_raise 102 9002 2 902 5
check_rc "run with three members: exit 0" 0 zrun
for i in 0 1 2; do check_eq "member $i has both alerts" "$(ha_ids $i)" "101 102 "; done
for i in 0 1 2; do check_eq "member $i: no request error counted" "$(errs "$(ha_url $i)")" 0; done

# --- one member down: the run succeeds, the member is counted ---------------
ha_stop 1
HA_UP="0 2"
zmc_raise 103 9003 3 901 5
check_rc "run with member 1 down: exit 0" 0 zrun
check_eq "103 recorded FIRING" "$(status 103)" FIRING
for i in 0 2; do check_eq "member $i has the new alert" "$(ha_ids $i)" "101 102 103 "; done
e1=$(errs "$U1")
check "the down member's request errors are counted" test "$e1" -ge 1
check_eq "member 0: no request error" "$(errs "$U0")" 0
check_eq "member 2: no request error" "$(errs "$U2")" 0

# --- the member comes back: alerts catch up at the next heartbeat -----------
ha_start 1
HA_UP="0 1 2"
check "member 1 rejoins: 3 peers everywhere" ha_wait_peers 3
check_eq "member 1 restarted without alerts (alerts are not gossiped)" "$(ha_ids 1)" ""
sql "UPDATE NM_ALARM_SYNC_STATUS SET LAST_PUSH_TIME=$(ts_ago 10)"
check_rc "heartbeat run: exit 0" 0 zrun
for i in 0 1 2; do check_eq "member $i has all alerts after the heartbeat" "$(ha_ids $i)" "101 102 103 "; done

# --- a silence is created once and visible on all ---------------------------
# Member 2 is down while the silence is made, and comes back without its
# data: it must learn the silence from its peers.
ha_stop 2
HA_UP="0 1"
zmc_state 102 M
check_rc "masking run with member 2 down: exit 0" 0 zrun
check_eq "102 SILENCED" "$(status 102)" SILENCED
sid=$(sql "SELECT SILENCE_ID FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID=102")
check "silence id recorded" test -n "$sid"
check_eq "one SILENCE operation logged" "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG WHERE OPERATION='SILENCE' AND ALARM_INST_ID=102")" 1
for i in 0 1; do eventually 10 "member $i: exactly our one silence, active" "$sid" ha_sil $i active; done
for i in 0 1; do check_eq "member $i: 102 resolved, others firing" "$(ha_ids $i)" "101 103 "; done
HA_WIPE=1 ha_start 2
HA_UP="0 1 2"
check "member 2 rejoins" ha_wait_peers 3
eventually 15 "member 2 caught up: the same silence, active" "$sid" ha_sil 2 active
check_eq "no member has a second silence" "$(ha_sil 0) | $(ha_sil 1) | $(ha_sil 2)" "$sid | $sid | $sid"
check_rc "a run with nothing to do: exit 0" 0 zrun
check_eq "still one silence on member 0" "$(ha_sil 0)" "$sid"

# --- expiry works through any member: the first URL is down ------------------
ha_stop 0
HA_UP="1 2"
zmc_state 102 A
check_rc "clearing run with member 0 down: exit 0" 0 zrun
check_eq "102 RESOLVED" "$(status 102)" RESOLVED
check_eq "the SILENCED row's expiry logged once" "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG WHERE OPERATION='EXPIRE_SILENCE' AND ALARM_INST_ID=102 AND OLD_STATUS='SILENCED' AND RESPONSE_CODE=200")" 1
for i in 1 2; do eventually 10 "member $i: the silence expired" "$sid" ha_sil $i expired; done
check "member 0's request errors are counted" test "$(errs "$U0")" -ge 1
ha_start 0
HA_UP="0 1 2"
check "member 0 rejoins" ha_wait_peers 3
eventually 15 "member 0 caught up: no active silence" "" ha_sil 0 active
for i in 0 1 2; do check_eq "member $i: no active zmcsync silence" "$(ha_sil $i active)" ""; done

# --- a resolve reaches every member -----------------------------------------
zmc_state 101 C
check_rc "resolving run: exit 0" 0 zrun
sql "UPDATE NM_ALARM_SYNC_STATUS SET LAST_PUSH_TIME=$(ts_ago 10) WHERE SYNC_STATUS='FIRING'"
check_rc "heartbeat run: exit 0" 0 zrun
for i in 0 1 2; do check_eq "member $i: only 103 firing" "$(ha_ids $i)" "103 "; done

# --- a member that missed a resolve gets it when it answers again -----------
# zmcsync reaches member 2 through a forwarding proxy; stopping the proxy
# cuts member 2 off while it keeps its alerts (a partition).  Unlike a
# member that went down, it would keep the old alert firing, and
# notifying, until its lease (alert_ttl) ran out.
need python3
PP=$(freeport)
proxy2() {
	python3 "$(dirname "$0")/../drop_proxy.py" --port "$PP" --upstream "$U2" \
	    --drop 0 --log "$T_TMP/proxy2.log" --max-lifetime 120 &
	PROXY2=$!
	T_PIDS="$T_PIDS $PROXY2"
	wait_http "http://127.0.0.1:$PP/-/ready" || die "drop_proxy did not start"
}
proxy2
sed "s|^url = .*|url = $U0,$U1,http://127.0.0.1:$PP|" "$CONF" > "$T_TMP/p.conf"
CONF=$T_TMP/p.conf
ha_all() { curl -fsS --max-time 5 "$(ha_url "$1")/api/v2/alerts" | jq -r '[.[] | "\(.labels.alarm_id):\(.labels.severity)"] | sort | join(" ")'; }
zmc_raise 104 9001 1 901 5
zmc_raise 105 9002 1 901 5
zmc_raise 106 9003 1 902 5
check_rc "run firing 104-106: exit 0" 0 zrun
for i in 0 1 2; do check_eq "member $i has 103-106" "$(ha_ids $i)" "103 104 105 106 "; done
before=$(ha_all 2)
kill "$PROXY2"; wait "$PROXY2" 2>/dev/null
zmc_state 104 A
zmc_state 105 M
sql "UPDATE NM_ALARM_CDR SET ALARM_LEVEL=3 WHERE ALARM_INST_ID=106"
check_rc "resolve, mask and relabel with member 2 cut off: exit 0" 0 zrun
check "the run says what member 2 missed" grep -q "resolve taken by 2 of 3 members" "$T_TMP/run.err"
check_eq "104's resolve is kept until every member has it" "$(status 104)" FIRING
check "104's LAST_ERROR names the member" test -n "$(sql "SELECT LAST_ERROR FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID=104 AND LAST_ERROR LIKE '%127.0.0.1:$PP%'")"
check_eq "105 SILENCED (the silence is made at once)" "$(status 105)" SILENCED
for i in 0 1; do check_eq "member $i: 104 and 105 resolved, 106 relabelled" "$(ha_all $i)" "103:warning 106:warning"; done
check_eq "106's row moved on to the new label set" "$(sql "SELECT ALERT_LABELS LIKE '%warning%' FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID=106")" 1
# A second relabel while member 2 is still cut off: the row has moved on
# to the second label set, the first one's resolve is owed (state file).
sql "UPDATE NM_ALARM_CDR SET ALARM_LEVEL=2 WHERE ALARM_INST_ID=106"
check_rc "a second relabel with member 2 cut off: exit 0" 0 zrun
for i in 0 1; do check_eq "member $i: 106 relabelled again" "$(ha_all $i)" "103:warning 106:error"; done
# And back to the first label set: the resolve owed for it is forgotten
# (it fires again), so nobody resolves the alert the members now hold.
sql "UPDATE NM_ALARM_CDR SET ALARM_LEVEL=1 WHERE ALARM_INST_ID=106"
check_rc "a relabel back with member 2 cut off: exit 0" 0 zrun
for i in 0 1; do check_eq "member $i: 106 back to critical" "$(ha_all $i)" "103:warning 106:critical"; done
check_eq "member 2 still holds what it missed" "$(ha_all 2)" "$before"
proxy2
check_rc "the run after member 2 answers again: exit 0" 0 zrun
check_eq "member 2 caught up: resolves, the owed sets, its critical 106 kept" "$(ha_all 2)" "103:warning 106:critical"
for i in 0 1; do check_eq "member $i: 106 still critical" "$(ha_all $i)" "103:warning 106:critical"; done
check_eq "nothing is owed any more" "$(sqlite3 "$T_TMP/state/state.db" 'SELECT COUNT(*) FROM owed' 2>&1)" 0
check_eq "104 RESOLVED" "$(status 104)" RESOLVED
check_eq "105 SILENCED, no error left" "$(sql "SELECT SYNC_STATUS || ' ' || ERROR_COUNT FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID=105")" "SILENCED 0"
check_eq "106 relabelled, no error left" "$(sql "SELECT ERROR_COUNT FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID=106")" 0
check_eq "still one silence for 105" "$(ha_sil 0 active | wc -w)" 1
check_rc "a run with nothing left to do: exit 0" 0 zrun
check_eq "nothing is sent again" "$(grep -c 'resolve taken' "$T_TMP/run.err")" 0
t_done
