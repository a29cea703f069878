#!/bin/bash
# t_rules: the shipped monitoring configuration.  Prometheus rules pass
# `promtool check rules` and their unit tests; a rule that fires too early
# makes those tests fail, and so does a ServiceDown that pages for a
# planned `zmcsync disable`; the Alertmanager configuration passes `amtool
# check-config`, routes ZMC alarms and zmcsync's own alerts apart and keeps
# every other alert (a HostDown) away from the ZMC receiver; a real
# Alertmanager running it delivers a new ZMC alarm and its resolve to the
# receiver within the SPEC's 30 s budget less the 15 s timer period; the
# Grafana dashboard is valid JSON whose every query parses as PromQL.
. "$(dirname "$0")/lib.sh"

need promtool
need amtool
need jq
need python3
python3 -c 'import yaml' 2>/dev/null || die "missing component: python3-yaml (run scripts/bootstrap)"
RULES=$TOP/conf/prometheus/zmcsync-rules.yml
RTEST=$TOP/conf/prometheus/zmcsync-rules.test.yml
AMCONF=$TOP/conf/alertmanager/alertmanager.yml
DASH=$TOP/conf/grafana/zmcsync-dashboard.json
for f in "$RULES" "$RTEST" "$AMCONF" "$DASH"; do
	[ -f "$f" ] || die "missing component: $f"
done

# --- Prometheus rules ----------------------------------------------------
check_rc "promtool check rules" 0 promtool check rules "$RULES"
check "10 rules found" grep -q "SUCCESS: 10 rules found" "$T_TMP/last.out"
for a in ZMCSyncServiceDown ZMCSyncDisabled ZMCSyncErrorRateHigh ZMCSyncLatencyHigh ZMCSyncStale \
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
# ServiceDown on zmc_sync_service_up alone pages after a planned disable.
sed 's/^\( *expr: \)'"'"'zmc_sync_service_up == 0 unless .*/\1zmc_sync_service_up == 0/' \
    "$RULES" > "$T_TMP/mut/zmcsync-rules.yml"
check "mutation applied (ServiceDown without unless)" grep -q "^ *expr: zmc_sync_service_up == 0\$" "$T_TMP/mut/zmcsync-rules.yml"
check_rc "promtool test rules catches a ServiceDown that pages when disabled" 1 \
    sh -c "cd '$T_TMP/mut' && promtool test rules zmcsync-rules.test.yml"
sed '/alert: ZMCSyncDisabled/,/for:/s/for: 1h/for: 5m/' "$RULES" > "$T_TMP/mut/zmcsync-rules.yml"
check_rc "promtool test rules catches an early Disabled reminder" 1 \
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
# other alerts of a shared Alertmanager never reach the ZMC receiver
route default alertname=HostDown instance=h1:9100 severity=critical
route default alertname=HostDown instance=h1:9100 severity=critical job=node
route default alertname=Watchdog
check_rc "a HostDown without source=zmc does not reach the zmc receiver" 1 \
    amtool config routes test --config.file="$AMCONF" --verify.receivers=opsgenie-receiver \
    alertname=HostDown instance=h1:9100 severity=critical
check_rc "nor an alert with another source" 1 \
    amtool config routes test --config.file="$AMCONF" --verify.receivers=opsgenie-receiver \
    alertname=DiskFull source=node severity=critical
# the root receiver is not the ZMC one, and the ZMC route is fast enough
cat > "$T_TMP/amcheck.py" <<'PY'
import re, sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
def secs(d):
    m = re.fullmatch(r"(\d+)(ms|s|m|h)", d)
    return int(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[m.group(2)]
root = c["route"]
zmc = [r for r in root.get("routes", []) if r.get("matchers") == ['source="zmc"']]
print("root=%s" % root["receiver"])
print("zmc_routes=%d" % len(zmc))
for r in zmc:
    print("zmc_receiver=%s" % r["receiver"])
    print("group_wait_ok=%s" % (secs(r.get("group_wait", root.get("group_wait", "30s"))) <= 10))
    print("group_interval_ok=%s" % (secs(r.get("group_interval", root.get("group_interval", "5m"))) <= 15))
    print("continue=%s" % r.get("continue", False))
PY
python3 "$T_TMP/amcheck.py" "$AMCONF" > "$T_TMP/amcheck.out" 2>&1
check_eq "alertmanager.yml: root route, ZMC route (receiver, group_wait <= 10s, group_interval <= 15s)" \
    "$(tr '\n' ' ' < "$T_TMP/amcheck.out")" \
    "root=default zmc_routes=1 zmc_receiver=opsgenie-receiver group_wait_ok=True group_interval_ok=True continue=False "
check "the timer runs every 15 s" grep -qx 'OnCalendar=\*:\*:0/15' "$TOP/scripts/zmcsync.timer"
check "the timer: AccuracySec=1s" grep -qx 'AccuracySec=1s' "$TOP/scripts/zmcsync.timer"
check "the cron file says its floor is one minute" grep -q "cron's floor is" "$TOP/scripts/zmcsync.cron.in"

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

# --- delivery latency through a real Alertmanager ------------------------
# The shipped routes, each receiver turned into a webhook to a local sink:
# a new ZMC alarm must reach the ZMC receiver within group_wait (+ slack),
# its resolve within group_interval, and a HostDown never.
SINK_PORT=$(freeport)
SINK_LOG=$T_TMP/sink.jsonl
: > "$SINK_LOG"
python3 "$TOP/test/webhook_sink.py" --port "$SINK_PORT" --log "$SINK_LOG" --max-lifetime 180 \
    >"$T_TMP/sink.out" 2>&1 &
T_PIDS="$T_PIDS $!"
wait_http "http://127.0.0.1:$SINK_PORT/-/healthy" || die "webhook_sink.py did not start"
mkdir -p "$T_TMP/amlat"
python3 - "$AMCONF" "http://127.0.0.1:$SINK_PORT" > "$T_TMP/amlat/am.yml" <<'PY' || die "cannot rewrite $AMCONF"
import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
c.get("global", {}).pop("opsgenie_api_url", None)
for r in c["receivers"]:
    for k in [k for k in r if k.endswith("_configs")]:
        del r[k]
    r["webhook_configs"] = [{"url": "%s/%s" % (sys.argv[2], r["name"]), "send_resolved": True}]
yaml.safe_dump(c, sys.stdout)
PY
am_start amlat
post_alert() {	# post_alert JSON-LABELS ENDS-AT-OR-EMPTY
	curl -fsS --max-time 5 -o /dev/null -H 'Content-Type: application/json' \
	    -d "[{\"labels\": $1${2:+, \"endsAt\": \"$2\"}}]" "$AM_URL/api/v2/alerts"
}
# wait_sink PATH STATUS SINCE LIMIT: seconds from SINCE until a notification
# for PATH with STATUS arrived, waiting at most LIMIT seconds; empty if none.
wait_sink() {
	i=0
	while [ $i -lt $(($4 * 10)) ]; do
		got=$(jq -r --arg p "/$1" --arg s "$2" --argjson t "$3" \
		    'select(.path == $p and .body.status == $s and .t >= $t) | .t - $t' "$SINK_LOG" | head -n 1)
		[ -n "$got" ] && { printf '%.1f' "$got"; return 0; }
		sleep 0.1; i=$((i + 1))
	done
}
t0=$(date +%s.%N)
check "post a ZMC alarm and a HostDown" sh -c "$(declare -f post_alert); AM_URL=$AM_URL; \
    post_alert '{\"alertname\": \"ZMC_1001\", \"source\": \"zmc\", \"severity\": \"critical\", \"instance\": \"ne1\", \"alarm_code\": \"1001\"}' && \
    post_alert '{\"alertname\": \"HostDown\", \"severity\": \"critical\", \"instance\": \"h1:9100\"}'"
lat=$(wait_sink opsgenie-receiver firing "$t0" 20)
check "new ZMC alarm reached its receiver (${lat:-never}s)" test -n "$lat"
check "... within group_wait 10s + 2s" awk -v l="${lat:-99}" 'BEGIN { exit !(l <= 12) }'
t1=$(date +%s.%N)
check "resolve the ZMC alarm" sh -c "$(declare -f post_alert); AM_URL=$AM_URL; \
    post_alert '{\"alertname\": \"ZMC_1001\", \"source\": \"zmc\", \"severity\": \"critical\", \"instance\": \"ne1\", \"alarm_code\": \"1001\"}' \
    '$(date -u +%Y-%m-%dT%H:%M:%S.000Z)'"
rlat=$(wait_sink opsgenie-receiver resolved "$t1" 25)
check "resolve reached the receiver (${rlat:-never}s)" test -n "$rlat"
check "... within group_interval 15s + 2s" awk -v l="${rlat:-99}" 'BEGIN { exit !(l <= 17) }'
check_eq "the HostDown never reached the ZMC receiver" \
    "$(jq -r 'select(.path == "/opsgenie-receiver") | .body.alerts[].labels.alertname' "$SINK_LOG" | sort -u | tr '\n' ' ')" "ZMC_1001 "

# --- Grafana dashboard ---------------------------------------------------
check_rc "dashboard is valid JSON" 0 jq -e . "$DASH"
check_eq "schemaVersion" "$(jq '.schemaVersion' "$DASH")" 38
check_eq "prometheus datasource variable" \
    "$(jq -r '.templating.list[] | select(.type == "datasource") | .query' "$DASH")" prometheus
check_eq "panel ids unique" "$(jq '[.panels[].id] | length == (unique | length)' "$DASH")" true
for t in "Service up" "State file OK" "Runs by result" "Sync duration p50 / p95" "Pushes by action" \
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
check_eq "panel 'Sync state (disabled vs failing)'" \
    "$(jq '[.panels[] | select(.title == "Sync state (disabled vs failing)")] | length' "$DASH")" 1
check_eq "Service up maps 1/0 to UP/DOWN" \
    "$(jq -c '[.panels[] | select(.title == "Service up") | .fieldConfig.defaults.mappings[].options | to_entries[] | [.key, .value.text]]' "$DASH")" \
    '[["1","UP"],["0","DOWN"]]'
check_eq "Sync state maps UP/DISABLED/FAILING" \
    "$(jq -c '[.panels[] | select(.title | startswith("Sync state")) | .fieldConfig.defaults.mappings[].options | to_entries[] | [.key, .value.text]] | sort' "$DASH")" \
    '[["0","FAILING"],["1","UP"],["2","DISABLED"],["3","UP"]]'
# counters: increase() over the panel interval, at least 5m for a once-a-minute job
check_eq "counter panels use increase over >= 5m" \
    "$(jq -r '.panels[] | select(any(.targets[]; .expr | test("increase\\(zmc_[a-z_]*_total[^]]*\\[\\$__interval\\]"))) | "\(.title)=\(.interval)"' "$DASH" | tr '\n' ' ')" \
    "Runs by result=5m Pushes by action=5m Errors by type=5m "
check_eq "no counter drawn with rate over \$__interval" "$(jq -r '.panels[].targets[].expr | select(test("rate\\([^)]*\\[\\$__"))' "$DASH")" ""
# runbook links: every anchor is a section of docs/RUNBOOK.md
RB=$TOP/docs/RUNBOOK.md
check "runbook shipped" test -s "$RB"
check "stuck-alarms panel links the runbook's logs --errors section" test \
    "$(jq '[.panels[] | select(.title == "Alarms in error") | .links[] | select(.url | endswith("#zmcalarmsstuckinerror"))] | length' "$DASH")" -ge 1
check "stuck-alarms panel names zmcsync logs --errors" sh -c \
    "jq -r '.panels[] | select(.title == \"Alarms in error\") | .description' '$DASH' | grep -q 'zmcsync logs --errors'"
for a in $(jq -r '[.links[].url, .panels[].links[]?.url] | .[] | select(contains("#")) | sub(".*#"; "")' "$DASH" | sort -u); do
	check "runbook anchor #$a exists" grep -qix "## $a" "$RB"
done
check_eq "every link goes to the runbook variable" \
    "$(jq -r '[.links[].url, .panels[].links[]?.url] | map(select(startswith("${runbook_url}") | not)) | length' "$DASH")" 0
for a in $(sed -n 's/^ *- alert: //p' "$RULES"); do
	check "runbook has a section for $a" grep -qx "## $a" "$RB"
done
# the Sync state query tells up, disabled and failing apart on real series
SQ=$(jq -r '.panels[] | select(.title | startswith("Sync state")) | .targets[0].expr' "$DASH" | sed 's/{instance=~"\$instance",/{/; s/{instance=~"\$instance"}//g')
mkdir -p "$T_TMP/sq"
printf 'groups:\n  - name: q\n    rules:\n      - record: sync_state\n        expr: %s\n' "'$SQ'" > "$T_TMP/sq/q.yml"
cat > "$T_TMP/sq/t.yml" <<'YML'
rule_files: [q.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'zmc_sync_service_up{instance="up",job="node"}'
        values: '1x10'
      - series: 'zmc_sync_total{instance="up",job="node",result="disabled"}'
        values: '0x10'
      - series: 'zmc_sync_service_up{instance="off",job="node"}'
        values: '0x10'
      - series: 'zmc_sync_total{instance="off",job="node",result="disabled"}'
        values: '0+1x10'
      - series: 'zmc_sync_service_up{instance="bad",job="node"}'
        values: '0x10'
      - series: 'zmc_sync_total{instance="bad",job="node",result="disabled"}'
        values: '0x10'
    promql_expr_test:
      - expr: sync_state
        eval_time: 10m
        exp_samples:
          - labels: 'sync_state{instance="up"}'
            value: 1
          - labels: 'sync_state{instance="off"}'
            value: 2
          - labels: 'sync_state{instance="bad"}'
            value: 0
YML
check_rc "Sync state query: UP 1, DISABLED 2, FAILING 0 (promtool)" 0 sh -c "cd '$T_TMP/sq' && promtool test rules t.yml"
check "dashboard has queries" test "$(jq '[.panels[].targets[]] | length' "$DASH")" -ge 10
check_rc "every dashboard query parses (promtool)" 0 promtool check rules "$T_TMP/dash-rules.yml"

t_done
