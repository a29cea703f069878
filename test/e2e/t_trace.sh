#!/bin/bash
# t_trace.sh: zmcsync trace ALARM_ID against a real Alertmanager and a ZMC
# database: an alarm pushed and active, one filtered out by its level,
# one out of the history window, one muted by a silence, one unknown;
# text and JSON forms; the Alertmanager state read from every member;
# silences with the alarm each is for and the alerts it mutes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zmc.sh"
need jq
am_start
zmc_init "[sync]" "history_hours = 1" "alarm_levels = 1,2,3"

zmc_raise 701 9001 1 901 5
zmc_raise 702 9001 4 901 5
zmc_raise 703 9002 2 902 600
zmc_raise 704 9003 3 902 5
check_rc "run pushes 701 and 704" 0 zrun
zmc_state 704 M
check_rc "704 masked: silenced" 0 zrun

# tr ID: trace --json of ID into $T_TMP/o; sets RC.
tr() { z trace "$@" >"$T_TMP/o" 2>"$T_TMP/e"; RC=$?; }
jq_o() { jq -c "$1" "$T_TMP/o" 2>/dev/null || echo JSON-ERROR; }

tr 701 --json
check_eq "trace 701: exit 0" "$RC" 0
check_eq "trace 701: found in the view" "$(jq_o '.view.found')" true
check_eq "trace 701: every filter passes" "$(jq_o '[.filters[].pass] | all')" true
check_eq "trace 701: labels it would push" "$(jq_o '.labels | [.alarm_id, .source]')" '["701","zmc"]'
check_eq "trace 701: status row FIRING" "$(jq_o '.status.sync_status')" '"FIRING"'
check_eq "trace 701: its log rows" "$(jq_o '[.logs[].operation] | index("PUSH_FIRING") != null')" true
check_eq "trace 701: active in the Alertmanager" "$(jq_o '[.alertmanager[] | .state]')" '["active"]'
check_eq "trace 701: verdict" "$(jq_o '.verdict')" '"in Alertmanager, active"'

tr 702 --json
check_eq "trace 702: level 4 filtered out by alarm_levels" "$(jq_o '[.filters[] | select(.pass | not) | .filter]')" '["alarm_levels"]'
check "trace 702: verdict names the filter" grep -q '"verdict": "filtered out by alarm_levels' "$T_TMP/o"
check_eq "trace 702: no status row" "$(jq_o '.status')" null
check_eq "trace 702: absent from the Alertmanager" "$(jq_o '[.alertmanager[] | .state]')" '["absent"]'

tr 703 --json
check_eq "trace 703: raised 10 h ago, out of the 1 h window" "$(jq_o '[.filters[] | select(.pass | not) | .filter]')" '["history_window"]'

tr 704 --json
check_eq "trace 704: status SILENCED" "$(jq_o '.status.sync_status')" '"SILENCED"'
sid=$(jq -r '.status.silence_id' "$T_TMP/o")
check_eq "trace 704: state M fails the state filter" "$(jq_o '[.filters[] | select(.pass | not) | .filter]')" '["state"]'
# The run resolved and silenced it: Alertmanager may still show it resolved
# (absent from /api/v2/alerts) or muted by our silence.
st=$(jq_o '[.alertmanager[0].alerts[].silenced_by[]] | join(",")')
if [ "$st" = '""' ] || [ "$st" = "\"$sid\"" ]; then ok "trace 704: muted by its silence or gone"; else fail "trace 704: silenced_by $st, want $sid"; fi

# A firing alarm muted by a silence an operator made by hand.
curl -fsS --max-time 5 -H 'Content-Type: application/json' -d "{\"matchers\": [{\"name\":\"alarm_id\",\"value\":\"701\",\"isRegex\":false,\"isEqual\":true}],
    \"startsAt\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\", \"endsAt\": \"$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ)\",
    \"createdBy\": \"operator\", \"comment\": \"test\"}" "$AM_URL/api/v2/silences" > "$T_TMP/sil" || die "silence not created"
hand=$(jq -r .silenceID "$T_TMP/sil")
# Alertmanager marks alerts silenced on its next evaluation: bounded wait.
for i in 1 2 3 4 5 6 7 8 9 10; do
	tr 701 --json
	[ "$(jq_o '.alertmanager[0].alerts[0].state')" = '"suppressed"' ] && break
	sleep 0.5
done
check_eq "trace 701 after a hand-made silence: suppressed by it" "$(jq_o '.alertmanager[0].alerts[0].silenced_by')" "[\"$hand\"]"
check_eq "trace 701: verdict names the silence" "$(jq_o '.verdict')" "\"in Alertmanager, muted by silence $hand\""

tr 701
check_eq "trace text: exit 0" "$RC" 0
check "trace text: verdict first" grep -q "^alarm 701: in Alertmanager, muted by silence $hand" "$T_TMP/o"
check "trace text: a line per filter" grep -q '^alarm_levels  *pass  *level 1 is in sync.alarm_levels 1,2,3' "$T_TMP/o"
check "trace text: the Alertmanager line" grep -q "^alertmanager $AM_URL  *silenced  *suppressed by silence $hand" "$T_TMP/o"
check "trace text: log rows" grep -q 'PUSH_FIRING' "$T_TMP/o"

tr 999999 --json
check_eq "trace of an unknown alarm: exit 1" "$RC" 1
check_eq "trace of an unknown alarm: says so" "$(jq_o '.verdict')" "\"alarm 999999 is neither in the view NM_ALARM_SYNC_SOURCE nor in NM_ALARM_SYNC_STATUS\""

check_rc "trace without an id: exit 2" 2 z trace
check_rc "trace abc: exit 2" 2 z trace abc
check_rc "trace -o yaml: exit 2" 2 z trace 701 -o yaml

# silences: which alarm each of ours is for and how many alerts it mutes now.
curl -fsS --max-time 5 -H 'Content-Type: application/json' -d "{\"matchers\": [{\"name\":\"alarm_id\",\"value\":\"701\",\"isRegex\":false,\"isEqual\":true},{\"name\":\"source\",\"value\":\"zmc\",\"isRegex\":false,\"isEqual\":true}],
    \"startsAt\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\", \"endsAt\": \"$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ)\",
    \"createdBy\": \"zmcsync\", \"comment\": \"by hand\"}" "$AM_URL/api/v2/silences" > "$T_TMP/sil" || die "silence not created"
ours=$(jq -r .silenceID "$T_TMP/sil")
for i in 1 2 3 4 5 6 7 8 9 10; do
	z silences --json > "$T_TMP/o" 2>"$T_TMP/e"
	[ "$(jq_o "[.[] | select(.id == \"$ours\") | .muted_alerts][0]")" = 1 ] && break
	sleep 0.5
done
check_eq "silences --json: ours for 701 mutes its alert" "$(jq_o "[.[] | select(.id == \"$ours\") | [.alarm_id, .muted_alerts]][0]")" '["701",1]'
check_eq "silences --json: 704's silence mutes nothing now (resolved)" "$(jq_o "[.[] | select(.id == \"$sid\") | [.alarm_id, .muted_alerts]][0]")" '["704",0]'
check_eq "silences --json: the operator's silence is not listed" "$(jq_o "[.[] | select(.id == \"$hand\")] | length")" 0
z silences > "$T_TMP/o"
check "silences: ALARM and MUTES columns" grep -q '^ID  *STATE  *ALARM  *MUTES  *ENDS  *MATCHERS' "$T_TMP/o"
check "silences: the row of ours" grep -q "^$ours  *active  *701  *1  " "$T_TMP/o"

# Alertmanager down: the answer comes at once, the member's state unknown.
am_stop
t0=$(date +%s)
tr 701 --json
check_eq "trace with Alertmanager down: exit 0" "$RC" 0
check_eq "trace with Alertmanager down: state unknown with the reason" "$(jq_o '[.alertmanager[0].state, (.alertmanager[0].error | type)]')" '["unknown","string"]'
check "trace with Alertmanager down: no retry wait (under 5 s)" test $(( $(date +%s) - t0 )) -lt 5

t_done
