#!/bin/bash
# t_textfile: the metrics textfile end to end.  Files produced by the
# metrics driver (the metrics side of a run: state file, previous
# textfile, atomic write) must pass `promtool check metrics` and be
# served by a real node_exporter textfile collector; counters stay
# monotonic across runs, also when the state file becomes unusable; a
# reader never sees a partial file while it is rewritten.
. "$(dirname "$0")/lib.sh"

BUILDDIR=$(dirname "$ZMCSYNC")
: "${METRICS_DRIVER:=$BUILDDIR/metrics_driver}"
[ -x "$METRICS_DRIVER" ] || die "missing component: $METRICS_DRIVER (make $METRICS_DRIVER)"
need promtool
need prometheus-node-exporter
need curl
[ -x "$FREEPORT" ] || die "missing component: $FREEPORT (make build/freeport)"

TF=$T_TMP/textfile
ST=$T_TMP/state
PROM=$TF/zmcsync.prom
mkdir -p "$TF"

# run [driver options]: one simulated run (quiet unless it fails)
run() { "$METRICS_DRIVER" "$@" "$ST" "$PROM" 2>"$T_TMP/driver.err"; }
# val FILE SERIES: the value of the sample line "SERIES value" in FILE
val() { S=$2 awk 'BEGIN { s = ENVIRON["S"] } index($0, s " ") == 1 && substr($0, length(s) + 2) !~ / / { print substr($0, length(s) + 2) }' "$1"; }
# counters_of FILE: "series value" for every counter and histogram sample
counters_of() { grep -E '^zmc_[a-z_]+(_total|_bucket|_sum|_count)[{ ]' "$1" | grep -v '^#' | sort; }

# --- one run: the file alone -------------------------------------------
check_rc "first run" 0 run -u http://127.0.0.1:9093 -u 'http://am"2\x:9093'
check "textfile written" test -s "$PROM"
check_eq "mode 0644" "$(stat -c %a "$PROM")" 644
promtool check metrics < "$PROM" > "$T_TMP/lint.out" 2>&1; rc=$?
check_eq "promtool check metrics exit" "$rc" 0
check_eq "promtool check metrics has no findings" "$(cat "$T_TMP/lint.out")" ""
check_eq "no temp files beside it" "$(ls -A "$TF")" "zmcsync.prom"
check_eq "last line is the last family's" "$(tail -n 1 "$PROM")" 'zmc_sync_total{result="success"} 1'
check_eq "escaped label value" "$(val "$PROM" 'zmc_alertmanager_requests_total{url="http://am\"2\\x:9093"}')" 1
check "no timestamps" test -z "$(grep -v '^#' "$PROM" | awk 'NF != 2')"

# every zmc_* metric the shipped rules and dashboard use exists
for m in $(grep -ohE 'zmc_[a-z_]+' "$TOP/conf/prometheus/zmcsync-rules.yml" \
    "$TOP/conf/grafana/zmcsync-dashboard.json" | sed -E 's/_(bucket|sum|count)$//' | sort -u); do
	check "conf metric $m is exported" grep -q "^# TYPE $m " "$PROM"
done

# --- a real node_exporter serves it -------------------------------------
port=$(freeport)
prometheus-node-exporter --web.listen-address="127.0.0.1:$port" \
    --collector.disable-defaults --collector.textfile \
    --collector.textfile.directory="$TF" >"$T_TMP/ne.log" 2>&1 &
NE_PID=$!
T_PIDS="$T_PIDS $NE_PID"
NE=http://127.0.0.1:$port/metrics
wait_http "$NE" || { cat "$T_TMP/ne.log" >&2; die "node_exporter did not start on $NE"; }
scrape() { curl -fsS --max-time 5 "$NE" > "$1"; }

scrape "$T_TMP/s1" || die "scrape failed"
check_eq "node_textfile_scrape_error" "$(val "$T_TMP/s1" node_textfile_scrape_error)" 0
check_eq "served zmc_sync_total success" "$(val "$T_TMP/s1" 'zmc_sync_total{result="success"}')" 1
check_eq "served zmc_build_info" "$(grep -c '^zmc_build_info{version="[^"]*"} 1$' "$T_TMP/s1")" 1
check_eq "served zmc_sync_service_up" "$(val "$T_TMP/s1" zmc_sync_service_up)" 1
check_eq "served zmc_active_alarms critical" "$(val "$T_TMP/s1" 'zmc_active_alarms{severity="critical"}')" 2
check_eq "served histogram count" "$(val "$T_TMP/s1" zmc_sync_duration_seconds_count)" 1
check_eq "served +Inf bucket = count" "$(val "$T_TMP/s1" 'zmc_sync_duration_seconds_bucket{le="+Inf"}')" 1
check_eq "served escaped label" "$(val "$T_TMP/s1" 'zmc_alertmanager_requests_total{url="http://am\"2\\x:9093"}')" 1
check "served textfile mtime" grep -q '^node_textfile_mtime_seconds{file="[^"]*zmcsync.prom"}' "$T_TMP/s1"
succ1=$(val "$T_TMP/s1" zmc_last_success_timestamp_seconds)
check "last success timestamp set" test -n "$succ1"

# --- three runs: counters only go up ------------------------------------
# compare OLD NEW: every counter/histogram series of OLD is in NEW, not lower
monotonic() {
	counters_of "$1" > "$T_TMP/c.old"
	counters_of "$2" > "$T_TMP/c.new"
	awk 'NR == FNR { old[$1] = $2; next }
	    ($1 in old) { if ($2 + 0 < old[$1] + 0) { print "decreased: " $1; bad = 1 } delete old[$1] }
	    END { for (k in old) { print "vanished: " k; bad = 1 } exit bad }' "$T_TMP/c.old" "$T_TMP/c.new"
}
sleep 1.1	# timestamps have a resolution of one second
check_rc "second run" 0 run -u http://127.0.0.1:9093
scrape "$T_TMP/s2" || die "scrape failed"
check_rc "third run (failed)" 0 run -r failed -u http://127.0.0.1:9093
scrape "$T_TMP/s3" || die "scrape failed"
check_rc "counters monotonic 1->2" 0 monotonic "$T_TMP/s1" "$T_TMP/s2"
check_rc "counters monotonic 2->3" 0 monotonic "$T_TMP/s2" "$T_TMP/s3"
check_eq "success runs" "$(val "$T_TMP/s3" 'zmc_sync_total{result="success"}')" 2
check_eq "failed runs" "$(val "$T_TMP/s3" 'zmc_sync_total{result="failed"}')" 1
check_eq "fire actions summed" "$(val "$T_TMP/s3" 'zmc_alarms_processed_total{action="fire"}')" 6
check_eq "am errors" "$(val "$T_TMP/s3" 'zmc_errors_total{type="alertmanager"}')" 1
check_eq "duration count" "$(val "$T_TMP/s3" zmc_sync_duration_seconds_count)" 3
check_eq "requests per url" "$(val "$T_TMP/s3" 'zmc_alertmanager_requests_total{url="http://127.0.0.1:9093"}')" 3
check_eq "service down after a failed run" "$(val "$T_TMP/s3" zmc_sync_service_up)" 0
succ2=$(val "$T_TMP/s2" zmc_last_success_timestamp_seconds)
check "second success is later ($succ1 < $succ2)" awk -v a="$succ1" -v b="$succ2" 'BEGIN { exit !(b + 0 > a + 0 && a + 0 > 1.6e9) }'
check_eq "failed run keeps the last success" "$(val "$T_TMP/s3" zmc_last_success_timestamp_seconds)" "$succ2"
check_eq "state file ok" "$(val "$T_TMP/s3" zmc_state_file_ok)" 1

# --- state file unusable: counters continue from the previous textfile --
head -c 8192 /dev/urandom > "$ST/state.db"
printf 'garbage, not a database' | dd of="$ST/state.db" conv=notrunc status=none
check_rc "run with a corrupt state file" 0 run -u http://127.0.0.1:9093
check "the reason is logged" grep -q "state $ST/state.db: file is not a database" "$T_TMP/driver.err"
scrape "$T_TMP/s4" || die "scrape failed"
check_rc "counters monotonic 3->4 (state unusable)" 0 monotonic "$T_TMP/s3" "$T_TMP/s4"
check_eq "success runs continue" "$(val "$T_TMP/s4" 'zmc_sync_total{result="success"}')" 3
check_eq "zmc_state_file_ok is 0" "$(val "$T_TMP/s4" zmc_state_file_ok)" 0
check_eq "scrape error still 0" "$(val "$T_TMP/s4" node_textfile_scrape_error)" 0
rm -f "$ST/state.db"	# repaired by deleting it: a fresh file, counters still continue
check_rc "run with a fresh state file" 0 run -u http://127.0.0.1:9093
scrape "$T_TMP/s5" || die "scrape failed"
check_rc "counters monotonic 4->5 (state recreated)" 0 monotonic "$T_TMP/s4" "$T_TMP/s5"
check_eq "success runs after recreation" "$(val "$T_TMP/s5" 'zmc_sync_total{result="success"}')" 4
check_eq "state file ok again" "$(val "$T_TMP/s5" zmc_state_file_ok)" 1

# --- concurrent reader while the file is rewritten 50 times -------------
lines=$(wc -l < "$PROM")
last='zmc_sync_total{result="success"} '
"$METRICS_DRIVER" -n 50 -d 50 -u http://127.0.0.1:9093 "$ST" "$PROM" 2>"$T_TMP/writer.err" &
WPID=$!
reads=0 partial=0 scrapes=0 scrape_bad=0
head1='# HELP zmc_active_alarms Firing alarms pushed by zmcsync, by severity, after the last run.'
deadline=$(( $(date +%s) + 20 ))
while kill -0 "$WPID" 2>/dev/null && [ $reads -lt 300 ] && [ "$(date +%s)" -lt $deadline ]; do
	# builtins only, so the read itself is quick
	mapfile -t content < "$PROM"
	reads=$((reads + 1))
	n=${#content[@]}
	if [ "$n" -ne "$lines" ] || [ "${content[n-1]#"$last"}" = "${content[n-1]}" ] ||
	    [ "${content[0]}" != "$head1" ]; then
		partial=$((partial + 1))
		printf '%s\n' "${content[@]}" > "$T_TMP/partial.$partial"
	fi
	if [ $((reads % 10)) -eq 0 ]; then
		scrapes=$((scrapes + 1))
		if ! scrape "$T_TMP/sc" || [ "$(val "$T_TMP/sc" node_textfile_scrape_error)" != 0 ] ||
		    ! grep -q "^$last" "$T_TMP/sc"; then
			scrape_bad=$((scrape_bad + 1))
		fi
	fi
	sleep 0.02
done
wait "$WPID"; wrc=$?
check_eq "writer finished" "$wrc" 0
check "at least 30 reads overlapped the writes ($reads)" test "$reads" -ge 30
check_eq "no partial file seen in $reads reads" "$partial" 0
check "node_exporter scraped during the writes ($scrapes)" test "$scrapes" -ge 3
check_eq "no bad scrape during the writes" "$scrape_bad" 0
check_eq "50 more runs counted" "$(val "$PROM" 'zmc_sync_total{result="success"}')" 54
check_eq "still no temp files" "$(ls -A "$TF")" "zmcsync.prom"
promtool check metrics < "$PROM" > "$T_TMP/lint.out" 2>&1
check_eq "final file lint-clean" "$?:$(cat "$T_TMP/lint.out")" "0:"

t_done
