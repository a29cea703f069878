#!/bin/bash
# t_silences.sh: silences against a real Alertmanager.  A silence targets
# the masked alarm only; one made twice is expired down to the one the
# status row stands for; one no row stands for is expired; one that a
# restart without data lost is back after one run.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zmc.sh"
need jq

ours_active() { am_silences | jq -c '[.[] | select((.status.state == "active" or .status.state == "pending") and .createdBy == "zmcsync")]'; }
# silence_add MATCHERS-JSON: a silence created by "zmcsync" by hand; prints its id.
silence_add() {
	curl -fsS --max-time 5 -H 'Content-Type: application/json' -d "{\"matchers\": $1,
	    \"startsAt\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\", \"endsAt\": \"$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ)\",
	    \"createdBy\": \"zmcsync\", \"comment\": \"test\"}" "$AM_URL/api/v2/silences" | jq -r .silenceID
}
m() { printf '{"name":"%s","value":"%s","isRegex":false,"isEqual":true}' "$1" "$2"; }

am_start
zmc_init
# Two alarms of the same code on the same host.
zmc_raise 501 9001 1 901 5
zmc_raise 502 9001 1 901 5
zmc_raise 503 9002 2 902 5
check_rc "three alarms fire" 0 zrun
zmc_state 501 M
check_rc "501 masked" 0 zrun
check_eq "501 SILENCED" "$(status 501)" SILENCED
check_eq "one silence of ours" "$(ours_active | jq length)" 1
check_eq "it targets alarm 501 only" "$(ours_active | jq -r '.[0].matchers | map(.name + "=" + .value) | sort | join(",")')" "alarm_id=501,source=zmc"
check_eq "502 (same code, same host) is not muted" \
    "$(am_alerts "active=true&silenced=false" | jq -r '[.[].labels.alarm_id] | sort | join(" ")')" "502 503"

# Alertmanager restarted without its data: alerts and the silence come back in one run.
am_stop
rm -rf "$T_TMP/am/data"
am_start
check_eq "restarted empty" "$(am_silences | jq length)" 0
check_rc "one run after the restart" 0 zrun
check_eq "the silence of 501 is back" "$(ours_active | jq -r '.[0].matchers | map(.name + "=" + .value) | sort | join(",")')" "alarm_id=501,source=zmc"
check_eq "the status row names it" "$(sql "SELECT SILENCE_ID FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID=501")" "$(ours_active | jq -r '.[0].id')"
check_eq "the restore is logged" "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG WHERE ALARM_INST_ID=501 AND OPERATION='SILENCE'")" 2
check_eq "firing alerts back too" "$(am_alerts "active=true&silenced=false" | jq -r '[.[].labels.alarm_id] | sort | join(" ")')" "502 503"
check_rc "a second run changes nothing" 0 zrun
check_eq "still one silence" "$(ours_active | jq length)" 1

# A second silence for 501 (a lost answer's duplicate) and one nobody stands for.
dup=$(silence_add "[$(m source zmc), $(m alarm_id 501)]")
orphan=$(silence_add "[$(m source zmc), $(m alarm_id 999)]")
other=$(silence_add "[$(m source zmc-east), $(m alarm_id 999)]")
check_eq "four of ours before the sweep" "$(ours_active | jq length)" 4
check_rc "the sweep run" 0 zrun
check_eq "the duplicate and the orphan expired, another deployment's kept" \
    "$(ours_active | jq -r '[.[].id] | sort | join(" ")')" \
    "$(printf '%s\n' "$(sql "SELECT SILENCE_ID FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID=501")" "$other" | sort | paste -sd' ' -)"
check "the orphan's expiry is logged with its alarm" test "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG WHERE ALARM_INST_ID=999 AND OPERATION='EXPIRE_SILENCE'")" -ge 1
[ -n "$dup" ] && [ -n "$orphan" ] || fail "test silences not created"

# A silence made with the old matchers is still expired through its row.
old=$(silence_add "[$(m alertname CPU使用率过高), $(m instance 10.9.0.1), $(m alarm_code 9001)]")
expired_new=$(sql "SELECT SILENCE_ID FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID=501")
curl -fsS --max-time 5 -X DELETE "$AM_URL/api/v2/silence/$expired_new" >/dev/null
sql "UPDATE NM_ALARM_SYNC_STATUS SET SILENCE_ID='$old' WHERE ALARM_INST_ID=501"
check_rc "a run with an old-style silence on the row" 0 zrun
check "the old-style silence is kept while 501 is masked" sh -c "curl -fsS '$AM_URL/api/v2/silence/$old' | jq -e '(.status.state == \"active\" or .status.state == \"pending\")'"
zmc_state 501 C
check_rc "501 confirmed" 0 zrun
check_eq "501 RESOLVED" "$(status 501)" RESOLVED
check "the old-style silence is expired" sh -c "curl -fsS '$AM_URL/api/v2/silence/$old' | jq -e '.status.state == \"expired\"'"
check_eq "only the other deployment's silence is left" "$(ours_active | jq -r '[.[].id] | join(" ")')" "$other"

# The answer to POST /api/v2/silences is lost after Alertmanager created
# the silence (a proxy forwards the request, then drops the connection):
# the run looks for the silence before trying again and creates no second.
need python3
PP=$(freeport)
python3 "$(dirname "$0")/../drop_proxy.py" --port "$PP" --upstream "$AM_URL" \
    --drop 2 --log "$T_TMP/proxy.log" --max-lifetime 120 &
T_PIDS="$T_PIDS $!"
wait_http "http://127.0.0.1:$PP/-/ready" || die "drop_proxy did not start"
sed "s|^url = .*|url = http://127.0.0.1:$PP|" "$CONF" > "$T_TMP/proxy.conf"
zmc_raise 521 9003 3 901 5
check_rc "521 fires through the proxy" 0 "$ZMCSYNC" -c "$T_TMP/proxy.conf" run
zmc_state 521 M
"$ZMCSYNC" -c "$T_TMP/proxy.conf" run >"$T_TMP/proxy.out" 2>"$T_TMP/proxy.err"; rc=$?
check_eq "521 masked although the answer was lost: exit 0" "$rc" 0
check "the proxy did drop the answer" grep -q '"dropped": true' "$T_TMP/proxy.log"
check_eq "exactly one silence for 521 in Alertmanager" "$(ours_active | jq '[.[] | select(any(.matchers[]; .name == "alarm_id" and .value == "521"))] | length')" 1
check_eq "the row names it" "$(sql "SELECT SILENCE_ID FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID=521")" \
    "$(ours_active | jq -r '[.[] | select(any(.matchers[]; .name == "alarm_id" and .value == "521"))][0].id')"
zmc_state 521 A
check_rc "521 recovers" 0 "$ZMCSYNC" -c "$T_TMP/proxy.conf" run
check_eq "no silence of ours left for 521" "$(ours_active | jq '[.[] | select(any(.matchers[]; .name == "alarm_id" and .value == "521"))] | length')" 0

# A relabel whose every reply is lost after Alertmanager took it (old set
# resolved, new set fired): the row keeps the old set, so when the alarm
# then clears, the new set is resolved from the owed list (state file).
PR=$(freeport)
python3 "$(dirname "$0")/../drop_proxy.py" --port "$PR" --upstream "$AM_URL" \
    --drop-path /api/v2/alerts --drop 10 --log "$T_TMP/rproxy.log" --max-lifetime 120 &
T_PIDS="$T_PIDS $!"
wait_http "http://127.0.0.1:$PR/-/ready" || die "drop_proxy did not start"
sed "s|^url = .*|url = http://127.0.0.1:$PR|" "$CONF" > "$T_TMP/rproxy.conf"
zmc_raise 531 9001 1 901 5
check_rc "531 fires" 0 zrun
sql "UPDATE NM_ALARM_CDR SET ALARM_LEVEL=3 WHERE ALARM_INST_ID=531"
"$ZMCSYNC" -c "$T_TMP/rproxy.conf" run >"$T_TMP/rproxy.out" 2>"$T_TMP/rproxy.err"; rc=$?
check_eq "a relabel whose replies are all lost: exit 5 (no answer)" "$rc" 5
check_eq "every reply to a push was dropped" "$(jq -s '[.[] | select(.path == "/api/v2/alerts" and .dropped == false)] | length' "$T_TMP/rproxy.log")" 0
check_eq "Alertmanager took it: the new set fires" "$(am_alerts "active=true" | jq -r '[.[] | select(.labels.alarm_id == "531") | .labels.severity] | join(" ")')" warning
zmc_state 531 A
check_rc "531 clears: exit 0" 0 zrun
check_eq "no alert of 531 left, neither label set" "$(am_alerts "active=true" | jq '[.[] | select(.labels.alarm_id == "531")] | length')" 0
am_stop
t_done
