#!/bin/bash
# t_metrics_run.sh: the metrics textfile as real `zmcsync run`s write it,
# served by a real node_exporter: values match what the runs did, counters
# never decrease (also across a run with the database unreachable and a
# disabled run), the file passes promtool, and a reader never sees it
# half-written while runs rewrite it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zmc.sh"
need jq
need promtool
need prometheus-node-exporter
am_start
zmc_init
PROM=$T_TMP/metrics/zmcsync.prom

# val SERIES [FILE]: the sample value of SERIES (exact name and labels).
val() { S=$1 awk 'BEGIN { s = ENVIRON["S"] } index($0, s " ") == 1 { print $2 }' "${2:-$PROM}"; }
# counters FILE: every counter and histogram sample, "series value".
counters() { grep -E '^zmc_[a-z_]+(_total|_bucket|_sum|_count)[{ ]' "$1" | sort; }
# monotonic OLD NEW: every series of OLD is in NEW with a value not smaller.
monotonic() {
	awk 'NR == FNR { old[$1] = $2; next } { new[$1] = $2 }
	     END { for (k in old) if (!(k in new) || new[k] + 0 < old[k] + 0) { print k; bad = 1 } exit bad }' \
	    <(counters "$1") <(counters "$2")
}

zmc_raise 401 9001 1 901 5
zmc_raise 402 9001 1 902 5
zmc_raise 403 9002 2 901 5
zmc_raise 404 9003 3 901 5
check_rc "run 1" 0 zrun
cp "$PROM" "$T_TMP/m1"
check_eq "promtool check metrics is clean" "$(promtool check metrics < "$PROM" 2>&1)" ""
check_eq "mode 0644" "$(stat -c %a "$PROM")" 644
check_eq "zmc_sync_total success" "$(val 'zmc_sync_total{result="success"}')" 1
check_eq "zmc_alarms_processed_total fire" "$(val 'zmc_alarms_processed_total{action="fire"}')" 4
check_eq "zmc_active_alarms critical" "$(val 'zmc_active_alarms{severity="critical"}')" 2
check_eq "zmc_active_alarms error" "$(val 'zmc_active_alarms{severity="error"}')" 1
check_eq "zmc_active_alarms warning (levels 0 and 3)" "$(val 'zmc_active_alarms{severity="warning"}')" 1
check_eq "zmc_sync_service_up" "$(val zmc_sync_service_up)" 1
check_eq "one sync observed" "$(val zmc_sync_duration_seconds_count)" 1
check "db queries observed" test "$(val zmc_db_query_duration_seconds_count)" -ge 2
check_eq "one alertmanager request" "$(val "zmc_alertmanager_requests_total{url=\"$AM_URL\"}")" 1
check "last success is now" test $(( $(date +%s) - $(val zmc_last_success_timestamp_seconds | cut -d. -f1) )) -le 30
check_eq "build info" "$(grep -c '^zmc_build_info{version="' "$PROM")" 1

# --- node_exporter serves the run's file ----------------------------------
port=$(freeport)
prometheus-node-exporter --web.listen-address="127.0.0.1:$port" \
    --collector.disable-defaults --collector.textfile \
    --collector.textfile.directory="$T_TMP/metrics" >"$T_TMP/ne.log" 2>&1 &
T_PIDS="$T_PIDS $!"
NE=http://127.0.0.1:$port/metrics
wait_http "$NE" || { cat "$T_TMP/ne.log" >&2; die "node_exporter did not start on $NE"; }
curl -fsS --max-time 5 "$NE" > "$T_TMP/scrape1" || die "scrape failed"
check_eq "node_textfile_scrape_error" "$(val node_textfile_scrape_error "$T_TMP/scrape1")" 0
check_eq "served: fire count" "$(val 'zmc_alarms_processed_total{action="fire"}' "$T_TMP/scrape1")" 4
check_eq "served: active critical" "$(val 'zmc_active_alarms{severity="critical"}' "$T_TMP/scrape1")" 2

# --- counters across runs: resolve, database down, disabled ---------------
zmc_state 401 A
check_rc "run 2 resolves one" 0 zrun
cp "$PROM" "$T_TMP/m2"
check "run 2: counters never decrease" monotonic "$T_TMP/m1" "$T_TMP/m2"
check_eq "run 2: resolve counted" "$(val 'zmc_alarms_processed_total{action="resolve"}')" 1
check_eq "run 2: active critical now 1" "$(val 'zmc_active_alarms{severity="critical"}')" 1
success=$(val zmc_last_success_timestamp_seconds)

mv "$DB_FILE" "$DB_FILE.away"
mkdir -p "$T_TMP/notadir"
DATABASE_CONNECTION="Driver=SQLite3;Database=$T_TMP/missing/dir/zmc.db" zrun; rc=$?
check_eq "run 3 with the database unreachable exits 4" "$rc" 4
cp "$PROM" "$T_TMP/m3"
check "run 3: textfile still written" test "$T_TMP/m3" -nt "$T_TMP/m2" -o "$(cmp -s "$T_TMP/m2" "$T_TMP/m3"; echo $?)" = 1
check "run 3: counters never decrease" monotonic "$T_TMP/m2" "$T_TMP/m3"
check_eq "run 3: db error counted" "$(val 'zmc_errors_total{type="db"}')" 1
check_eq "run 3: sync failed counted" "$(val 'zmc_sync_total{result="failed"}')" 1
check_eq "run 3: service down" "$(val zmc_sync_service_up)" 0
check_eq "run 3: last success kept" "$(val zmc_last_success_timestamp_seconds)" "$success"
mv "$DB_FILE.away" "$DB_FILE"

SYNC_ENABLED=false zrun
cp "$PROM" "$T_TMP/m4"
check "run 4 (disabled): counters never decrease" monotonic "$T_TMP/m3" "$T_TMP/m4"
check_eq "run 4: disabled counted" "$(val 'zmc_sync_total{result="disabled"}')" 1
check_eq "run 4: service up 0" "$(val zmc_sync_service_up)" 0

# the state file lost: the last textfile keeps the counters from going back
rm -f "$T_TMP/state/state.db"
check_rc "run 5 after state.db was lost" 0 zrun
cp "$PROM" "$T_TMP/m5"
check "run 5: counters never decrease" monotonic "$T_TMP/m4" "$T_TMP/m5"
check_eq "run 5: success counted on top" "$(val 'zmc_sync_total{result="success"}')" 3

# --- a reader never sees a partial file while runs rewrite it -------------
sql "UPDATE NM_ALARM_SYNC_STATUS SET LAST_PUSH_TIME=NULL"
(
	i=0
	while [ $i -lt 40 ]; do
		"$ZMCSYNC" -c "$CONF" run >/dev/null 2>&1
		sql "UPDATE NM_ALARM_SYNC_STATUS SET LAST_PUSH_TIME=NULL"
		i=$((i + 1))
	done
) &
writer=$!
families=$(grep -c '^# TYPE ' "$PROM")
reads=0 bad=0 deadline=$(( $(date +%s) + 60 ))
while kill -0 $writer 2>/dev/null && [ $reads -lt 2000 ] && [ "$(date +%s)" -lt $deadline ]; do
	cp "$PROM" "$T_TMP/snap" 2>/dev/null || continue
	reads=$((reads + 1))
	# complete: every family, ending with the last one's samples; every
	# tenth snapshot also through promtool's parser
	if [ "$(tail -n 1 "$T_TMP/snap" | cut -d'{' -f1)" != zmc_sync_total ] ||
	    [ "$(grep -c '^# TYPE ' "$T_TMP/snap")" != "$families" ] ||
	    { [ $((reads % 10)) = 0 ] && ! promtool check metrics < "$T_TMP/snap" >/dev/null 2>&1; }; then
		bad=$((bad + 1))
	fi
done
wait $writer
check "reader made enough reads during the runs ($reads)" test $reads -ge 20
check_eq "no partial file seen in $reads reads" "$bad" 0
check_eq "no temp files left" "$(ls -A "$T_TMP/metrics")" zmcsync.prom
t_done
