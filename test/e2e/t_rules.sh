#!/bin/bash
# t_rules: the shipped monitoring configuration.  Prometheus rules pass
# `promtool check rules` and their unit tests; a rule that fires too early
# makes those tests fail; the Alertmanager configuration passes `amtool
# check-config` and routes ZMC alarms and zmcsync's own alerts apart; the
# Grafana dashboard is valid JSON whose every query parses as PromQL.
. "$(dirname "$0")/lib.sh"

need promtool
need amtool
need jq
RULES=$TOP/conf/prometheus/zmcsync-rules.yml
RTEST=$TOP/conf/prometheus/zmcsync-rules.test.yml
AMCONF=$TOP/conf/alertmanager/alertmanager.yml
DASH=$TOP/conf/grafana/zmcsync-dashboard.json
for f in "$RULES" "$RTEST" "$AMCONF" "$DASH"; do
	[ -f "$f" ] || die "missing component: $f"
done

# --- Prometheus rules ----------------------------------------------------
check_rc "promtool check rules" 0 promtool check rules "$RULES"
check "9 rules found" grep -q "SUCCESS: 9 rules found" "$T_TMP/last.out"
for a in ZMCSyncServiceDown ZMCSyncErrorRateHigh ZMCSyncLatencyHigh ZMCSyncStale \
    ZMCSyncNotRunning ZMCSyncTextfileError ZMCSyncMetricsAbsent ZMCAlarmsStuckInError \
    ZMCSyncStateFileBroken; do
	check "rule $a present" grep -q "alert: $a\$" "$RULES"
	check "rule $a has a unit test" grep -q "alertname: $a\$" "$RTEST"
done
check_rc "promtool test rules" 0 sh -c "cd '$TOP/conf/prometheus' && promtool test rules zmcsync-rules.test.yml"

# The unit tests must catch a rule that fires too early or not at all.
mkdir -p "$T_TMP/mut"
cp "$RTEST" "$T_TMP/mut/"
sed '/alert: ZMCSyncServiceDown/,/for:/s/for: 5m/for: 1m/' "$RULES" > "$T_TMP/mut/zmcsync-rules.yml"
check "mutation applied (for: 1m)" grep -q "for: 1m" "$T_TMP/mut/zmcsync-rules.yml"
check_rc "promtool test rules catches an early ServiceDown" 1 \
    sh -c "cd '$T_TMP/mut' && promtool test rules zmcsync-rules.test.yml"
sed 's/time() - zmc_last_success_timestamp_seconds > 300/time() - zmc_last_success_timestamp_seconds > 3000/' \
    "$RULES" > "$T_TMP/mut/zmcsync-rules.yml"
check_rc "promtool test rules catches a Stale rule that never fires" 1 \
    sh -c "cd '$T_TMP/mut' && promtool test rules zmcsync-rules.test.yml"
sed 's/increase(zmc_errors_total\[15m\]) >= 5/increase(zmc_errors_total[15m]) >= 1/' \
    "$RULES" > "$T_TMP/mut/zmcsync-rules.yml"
check_rc "promtool test rules catches an over-eager error-rate rule" 1 \
    sh -c "cd '$T_TMP/mut' && promtool test rules zmcsync-rules.test.yml"
printf 'groups:\n  - name: x\n    rules:\n      - alert: Bad\n        expr: rate(zmc_errors_total[5m] > 1\n' \
    > "$T_TMP/mut/bad.yml"
check_rc "promtool check rules rejects a broken rule" 1 promtool check rules "$T_TMP/mut/bad.yml"

# --- Alertmanager --------------------------------------------------------
check_rc "amtool check-config" 0 amtool check-config "$AMCONF"
check "no inline api_key" test -z "$(grep -E '^[[:space:]]*api_key:' "$AMCONF")"
check "api_key_file used" grep -q "api_key_file:" "$AMCONF"
# route: expected receiver and labels
route() { want=$1; shift; check_rc "route $* -> $want" 0 \
    amtool config routes test --config.file="$AMCONF" --verify.receivers="$want" "$@"; }
route zmcsync-self alertname=ZMCSyncStale severity=critical instance=h1:9100
route zmcsync-self alertname=ZMCAlarmsStuckInError severity=warning
route zmcsync-self alertname=ZMCSyncMetricsAbsent severity=warning
route opsgenie-receiver alertname=ZMC_1001 source=zmc severity=critical alarm_code=1001
route opsgenie-receiver alertname=链路中断 source=zmc severity=error
check_rc "a ZMC alarm is not routed to the self receiver" 1 \
    amtool config routes test --config.file="$AMCONF" --verify.receivers=zmcsync-self \
    alertname=ZMC_1001 source=zmc severity=critical

# the OpsGenie priority template: critical P1, error P2, else P3
check "priority template" grep -qF \
    "priority: '{{ if eq .GroupLabels.severity \"critical\" }}P1{{ else if eq .GroupLabels.severity \"error\" }}P2{{ else }}P3{{ end }}'" "$AMCONF"
check "tags template" grep -qF "tags: 'zmc,{{ .GroupLabels.severity }}'" "$AMCONF"
# severity must be a group label for those templates to see it
check "severity grouped on the ZMC route" test "$(grep -c "group_by: \['alertname', 'severity'" "$AMCONF")" -ge 2

# a real Alertmanager accepts it too (the key file must exist for that)
mkdir -p "$T_TMP/am"
echo "test-key-not-secret" > "$T_TMP/am/key"
sed "s|/etc/alertmanager/opsgenie-api-key|$T_TMP/am/key|" "$AMCONF" > "$T_TMP/am/am.yml"
am_start am
check "alertmanager running the shipped config" curl -fsS --max-time 5 "$AM_URL/api/v2/status"
check "loaded config has the self receiver" sh -c "curl -fsS --max-time 5 '$AM_URL/api/v2/status' | jq -e '.config.original | contains(\"zmcsync-self\")'"

# --- Grafana dashboard ---------------------------------------------------
check_rc "dashboard is valid JSON" 0 jq -e . "$DASH"
check_eq "schemaVersion" "$(jq '.schemaVersion' "$DASH")" 38
check_eq "prometheus datasource variable" \
    "$(jq -r '.templating.list[] | select(.type == "datasource") | .query' "$DASH")" prometheus
check_eq "panel ids unique" "$(jq '[.panels[].id] | length == (unique | length)' "$DASH")" true
for t in "Runs by result" "Sync duration p50 / p95" "Pushes by action" \
    "Active alarms by severity" "Errors by type" "Last success age"; do
	check_eq "panel '$t'" "$(jq --arg t "$t" '[.panels[] | select(.title == $t)] | length' "$DASH")" 1
done
check_eq "every panel uses the datasource variable" \
    "$(jq '[.panels[] | .datasource.uid, .targets[].datasource.uid] | unique' -c "$DASH")" '["${datasource}"]'
# every query parses: wrap them as recording rules with Grafana's variables substituted
{
	echo "groups:"
	echo "  - name: dashboard"
	echo "    rules:"
	jq -r '.panels[].targets[].expr' "$DASH" |
	    sed -e 's/\$__interval/5m/g' -e 's/\$__rate_interval/5m/g' -e 's/\$instance/.*/g' |
	    awk '{ gsub(/\x27/, "\x27\x27"); printf "      - record: dashboard:q%d\n        expr: \x27%s\x27\n", NR, $0 }'
} > "$T_TMP/dash-rules.yml"
check "dashboard has queries" test "$(jq '[.panels[].targets[]] | length' "$DASH")" -ge 10
check_rc "every dashboard query parses (promtool)" 0 promtool check rules "$T_TMP/dash-rules.yml"

t_done
