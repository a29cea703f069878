#!/bin/bash
# t_cli.sh: the command line as an operator meets it.  Arguments are
# checked before the configuration and the database (exit 2 without a
# config file), global options work after the command, -o json|wide,
# help lists each option; logs validates operation names and takes
# --since/--until as durations or RFC 3339; interactive commands do not
# retry a dead Alertmanager; tables on an 80-column terminal (a real tmux
# pane) mark a cut cell with an ellipsis, -o wide and check never cut;
# environment names; status run kinds; dry-run summary and JSON; JSON log
# fields; the progress line of a long run; the demo's last lines and colour.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zmc.sh"
need jq
need tmux
am_start
zmc_init "[sync]" "history_hours = 24"

# zc ARGS: zmcsync with no configuration at all (the default path does not exist).
zc() { "$ZMCSYNC" "$@"; }

# --- arguments before the configuration ------------------------------------------
check_rc "alarms --bogus without a config: exit 2" 2 zc -c "$T_TMP/none.conf" alarms --bogus
check "alarms --bogus: names the option" grep -q "bogus" "$T_TMP/last.err"
check "alarms --bogus: no database message" test -z "$(grep -i 'database' "$T_TMP/last.err")"
check_rc "logs --limit x without a config: exit 2" 2 zc -c "$T_TMP/none.conf" logs --limit x
check_rc "config set unknown key without a config: exit 2" 2 zc -c "$T_TMP/none.conf" config set no.key 1
check_rc "run --timeout 0 without a config: exit 2" 2 zc -c "$T_TMP/none.conf" run --timeout 0
check_rc "trace x without a config: exit 2" 2 zc -c "$T_TMP/none.conf" trace x
check_rc "alarms -o yaml: exit 2" 2 zc alarms -o yaml
check "alarms -o yaml: names the formats" grep -q "not one of json, wide, text" "$T_TMP/last.err"

# --- global options after the command -----------------------------------------------
zmc_raise 801 9001 1 901 5
check_rc "a run" 0 zrun
check_rc "alarms -c FILE: the file is read" 0 "$ZMCSYNC" alarms -c "$CONF" --json
check_eq "alarms -c FILE --json: the alarm" "$(jq -c '[.[].alarm_inst_id]' "$T_TMP/last.out")" "[801]"
check_rc "alarms --config=FILE -o json" 0 "$ZMCSYNC" alarms --config="$CONF" -o json
check_eq "alarms -o json is --json" "$(jq -c '[.[].alarm_inst_id]' "$T_TMP/last.out")" "[801]"
check_rc "status -q -c FILE" 0 "$ZMCSYNC" status -q -c "$CONF"

# --- environment names ------------------------------------------------------------------
LOG_LEVEL=verbose "$ZMCSYNC" -c "$CONF" status > "$T_TMP/o" 2> "$T_TMP/e"; rc=$?
check_eq "another program's LOG_LEVEL=verbose: exit 0" "$rc" 0
check "LOG_LEVEL=verbose: a warning naming it" grep -q "env LOG_LEVEL: ignored.*set ZMCSYNC_LOG_LEVEL" "$T_TMP/e"
ZMCSYNC_LOG_LEVEL=verbose "$ZMCSYNC" -c "$CONF" status > "$T_TMP/o" 2> "$T_TMP/e"; rc=$?
check_eq "ZMCSYNC_LOG_LEVEL=verbose: exit 3" "$rc" 3
check "ZMCSYNC_LOG_LEVEL=verbose: names it" grep -q "env ZMCSYNC_LOG_LEVEL: not one of" "$T_TMP/e"
ZMCSYNC_SYNC_BATCH_SIZE=7 SYNC_BATCH_SIZE=9 "$ZMCSYNC" -c "$CONF" config show --json > "$T_TMP/o" 2>/dev/null
check_eq "ZMCSYNC_ name wins over the unprefixed one" "$(jq -c '.[] | select(.key == "sync.batch_size") | [.value, .where]' "$T_TMP/o")" '["7","env ZMCSYNC_SYNC_BATCH_SIZE"]'

# --- help lists every option -----------------------------------------------------------
for c in trace check status alarms logs stats cleanup silences am-status init-db run; do
	"$ZMCSYNC" help "$c" > "$T_TMP/h" 2>&1
	u=$(head -n 1 "$T_TMP/h" | grep -o -- '--[a-z-]*' | sort -u | tr '\n' ' ')
	d=$(sed -n '/^options:/,/^$/p' "$T_TMP/h" | grep -o -- '--[a-z-]*' | sort -u | tr '\n' ' ')
	missing=""
	for o in $u; do case " $d " in *" $o "*) ;; *) missing="$missing $o" ;; esac; done
	check_eq "help $c: each option of the usage described" "$missing" ""
done
for c in trace check status alarms logs stats config cleanup silences am-status init-db run; do
	"$ZMCSYNC" help "$c"
done | sed -n 's/^  \(-[a-zA-Z]\), \(--[a-z-]*\).*/\1 \2/p' | sort -u > "$T_TMP/shorts"
check_eq "a short option means the same in every command" \
    "$(cut -d' ' -f1 "$T_TMP/shorts" | uniq -d | tr '\n' ' ')" ""
check "help alarms: -s is --status" grep -q -- '-s, --status' <("$ZMCSYNC" help alarms)
check "alarms --help: the option lines too" grep -q -- '-o, --output FORMAT' <("$ZMCSYNC" alarms --help)
check "help logs: --since takes durations" grep -q -- '--since WHEN.*30m, 2h, 1d' <("$ZMCSYNC" help logs)

# --- logs: operations and times ----------------------------------------------------------
check_rc "logs --operation FOO: exit 2" 2 z logs --operation FOO
check "logs --operation FOO: names the valid ones" grep -q "not one of PUSH_FIRING, HEARTBEAT, RELABEL, PUSH_RESOLVED, SILENCE, EXPIRE_SILENCE, SILENCE_ENDED" "$T_TMP/last.err"
check_rc "logs --operation push_firing (any case)" 0 z logs --operation push_firing --json
check_eq "logs --operation push_firing: the row" "$(jq -c '[.[].operation]' "$T_TMP/last.out")" '["PUSH_FIRING"]'
sql "UPDATE NM_ALARM_SYNC_LOG SET CREATE_TIME=$(ts_ago 120) WHERE ALARM_INST_ID=801"
zmc_raise 802 9001 1 901 1
check_rc "a second run" 0 zrun
lg() { z logs --operation PUSH_FIRING --json "$@" 2>"$T_TMP/e" | jq -c '[.[].alarm_inst_id]'; }
check_eq "logs --since 30m: the new push only" "$(lg --since 30m)" "[802]"
check_eq "logs --since 3h: both" "$(lg --since 3h)" "[802,801]"
check_eq "logs --since 1d: both" "$(lg --since 1d)" "[802,801]"
check_eq "logs --until 1h: the old push only" "$(lg --until 1h)" "[801]"
check_eq "logs --since 3h --until 30m" "$(lg --since 3h --until 30m)" "[801]"
future=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
check_eq "logs --since RFC 3339 in the future: none" "$(lg --since "$future")" "[]"
check_eq "logs --until RFC 3339 in the future: both" "$(lg --until "$future")" "[802,801]"
check_eq "logs --since 2 (hours, as before)" "$(lg --since 3)" "[802,801]"
check_rc "logs --since 5x: exit 2" 2 z logs --since 5x
check_rc "logs --since yesterday: exit 2" 2 z logs --since yesterday
check_rc "logs --until before --since: exit 2" 2 z logs --since 1h --until 2h

# --- dry run: summary and JSON --------------------------------------------------------------
zmc_raise 805 9001 1 901 1
zmc_state 801 A
z run --dry-run > "$T_TMP/o" 2>"$T_TMP/e"
check_eq "run --dry-run: exit 0" "$?" 0
check "run --dry-run: the action lines" grep -q '^PUSH_FIRING  *alarm 805 (new)' "$T_TMP/o"
check_eq "run --dry-run: a summary per action last" "$(tail -n 1 "$T_TMP/o")" "dry run: 2 actions planned (fire=1 resolve=1); nothing was changed"
z run --dry-run -o json > "$T_TMP/o" 2>"$T_TMP/e"
check_eq "run --dry-run -o json: summary" "$(jq -c '[.dry_run, .planned, .summary.fire, .summary.resolve, .summary.heartbeat]' "$T_TMP/o")" "[true,2,1,1,0]"
check_eq "run --dry-run -o json: the actions" "$(jq -c '[.actions[] | [.alarm_id, .action, .new_status]] | sort' "$T_TMP/o")" '[[801,"resolve","RESOLVED"],[805,"fire","FIRING"]]'
z run --dry-run --json > "$T_TMP/o2" 2>/dev/null
check_eq "run --dry-run --json is -o json" "$(jq -c .summary "$T_TMP/o2")" "$(jq -c .summary "$T_TMP/o")"
check_rc "run --json without --dry-run: exit 2" 2 z run --json
check_eq "the dry runs changed nothing" "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID = 805")" 0
zmc_state 801 U

# --- structured fields in JSON log lines ------------------------------------------------
zmc_raise 806 9002 2 902 1
ZMCSYNC_LOG_FILE="$T_TMP/zj.log" ZMCSYNC_LOG_FORMAT=json ZMCSYNC_LOG_LEVEL=debug zrun
check "json log: parses line by line" jq -e . "$T_TMP/zj.log"
check_eq "json log: the alarm's line has its fields" \
    "$(jq -c 'select(.alarm_id == 806) | [.action, .status, .code, (.batch | type), (.url | test("/api/v2/alerts$"))]' "$T_TMP/zj.log" | head -n 1)" \
    '["fire","FIRING",200,"string",true]'
check_eq "json log: request lines carry url and code" \
    "$(jq -c 'select(.msg | test("^alertmanager .*POST")) | [(.url | test("/api/v2/alerts$")), .code]' "$T_TMP/zj.log" | head -n 1)" '[true,200]'
check_eq "json log: fields cleared after the alarm" \
    "$(jq -c 'select(.msg | test("^run .*read")) | .alarm_id' "$T_TMP/zj.log" | head -n 1)" 'null'

# --- status tells run kinds apart ------------------------------------------------------
need flock
check_rc "a run" 0 zrun
SYNC_ENABLED=false zrun
flock "$T_TMP/state/zmcsync.lock" sleep 2 &
FL=$!
T_PIDS="$T_PIDS $FL"
sleep 0.3
check_rc "run while locked exits 6" 6 zrun
wait "$FL"
z status --json --runs 3 > "$T_TMP/o"
check_eq "status --json: skipped, disabled and success told apart" "$(jq -c '[.runs[].result]' "$T_TMP/o")" '["skipped","disabled","success"]'
check_eq "status --json: the skipped run's reason" "$(jq -r '.runs[0].error' "$T_TMP/o" | sed 's/[0-9]*//g')" "another run (pid ) holds the lock"
z status --runs 3 > "$T_TMP/o"
check "status: RESULT column" grep -q '^STARTED  *BATCH  *RESULT  *EXIT' "$T_TMP/o"
for k in skipped disabled success; do
	check "status: a $k run" grep -q "^[0-9-]* [0-9:]*  *[0-9_a-f]*  *$k  " "$T_TMP/o"
done
sed "s|^url = .*|url = http://127.0.0.1:$(freeport)|" "$CONF" > "$T_TMP/down.conf"
"$ZMCSYNC" -c "$T_TMP/down.conf" run >/dev/null 2>&1
zmc_raise 803 9001 1 901 1
"$ZMCSYNC" -c "$T_TMP/down.conf" run >/dev/null 2>&1
z status --json --runs 1 > "$T_TMP/o"
check_eq "status --json: a run with Alertmanager down failed" "$(jq -c '[.runs[] | [.result, .exit_code]]' "$T_TMP/o")" '[["failed",5]]'

# --- interactive commands do not retry --------------------------------------------------
DEAD=http://127.0.0.1:$(freeport)
sed "s|^url = .*|url = $DEAD|; /^\[alertmanager\]/a retry_count = 5\nretry_interval = 2000" "$CONF" > "$T_TMP/dead.conf"
grep -q '^retry_count = 5' "$T_TMP/dead.conf" || die "dead.conf: retry_count not set"
for c in check am-status silences; do
	t0=$(date +%s%N)
	"$ZMCSYNC" -c "$T_TMP/dead.conf" $c >"$T_TMP/o" 2>&1
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	check "$c with Alertmanager down: no retry back-off (${ms} ms < 3000)" test "$ms" -lt 3000
done

# --- 80 columns in a real terminal ------------------------------------------------------
TM="tmux -L zmcsync-t$$ -f /dev/null"
# pane CMD: runs CMD in an 80x50 tmux pane; its screen into $T_TMP/pane.
pane() {
	$TM kill-server 2>/dev/null
	$TM new-session -d -x 80 -y 50 "$1; echo __END__; sleep 60" || die "tmux did not start"
	for i in $(seq 1 100); do
		$TM capture-pane -p -J > "$T_TMP/pane" 2>/dev/null
		grep -q '^__END__' "$T_TMP/pane" && break
		sleep 0.1
	done
	$TM capture-pane -p > "$T_TMP/pane"
	$TM kill-server 2>/dev/null
	grep -q '^__END__' "$T_TMP/pane" || fail "tmux: $1 did not finish"
}
# A long error text in the last column of alarms.
sql "UPDATE NM_ALARM_SYNC_STATUS SET LAST_ERROR='alertmanager http://127.0.0.1:9/api/v2/alerts: connection refused after three attempts, the end' WHERE ALARM_INST_ID=801"
pane "'$ZMCSYNC' -c '$CONF' alarms"
check "80 columns: the cut cell ends with an ellipsis" grep -q 'alertma…' <(tr -d '\n' < "$T_TMP/pane")
check "80 columns: the whole error is not shown" test -z "$(tr -d '\n' < "$T_TMP/pane" | grep 'the end')"
pane "'$ZMCSYNC' -c '$CONF' am-status"
check "80 columns: am-status within the width" test "$(awk '{ if (length($0) > m) m = length($0) } END { print m+0 }' "$T_TMP/pane")" -le 80
pane "'$ZMCSYNC' -c '$CONF' alarms -o wide"
check "80 columns, -o wide: the whole text (wrapped)" grep -q 'the end' <(tr -d '\n' < "$T_TMP/pane")
check "80 columns, -o wide: no ellipsis" test -z "$(grep '…' "$T_TMP/pane")"
pane "'$ZMCSYNC' -c '$CONF' alarms --wide"
check "80 columns, --wide: the whole text" grep -q 'the end' <(tr -d '\n' < "$T_TMP/pane")
pane "'$ZMCSYNC' -c '$T_TMP/dead.conf' check"
check "80 columns: check prints the whole reason" grep -q 'connection refused' <(tr -d '\n' < "$T_TMP/pane")
check "80 columns: check has no ellipsis" test -z "$(grep '…' "$T_TMP/pane")"
# --- progress of a long run ---------------------------------------------------------------
# A slow Alertmanager (1 s per push) and one alarm per batch: a run of
# several seconds.
fake_start
ctl '{"post_delay": 1}'
for id in 811 812 813 814; do zmc_raise $id 9001 1 901 1; done
SLOW="ZMCSYNC_ALERTMANAGER_URL=$FAKE_URL ZMCSYNC_SYNC_BATCH_SIZE=1"
$TM kill-server 2>/dev/null
$TM new-session -d -x 80 -y 20 "env $SLOW '$ZMCSYNC' -c '$CONF' run; echo __END__ rc=\$?; sleep 60" || die "tmux did not start"
seen=0
for i in $(seq 1 150); do
	$TM capture-pane -p > "$T_TMP/pane" 2>/dev/null
	grep -q '^zmcsync run: page [0-9]*, [0-9]* alarms read, [0-9]* actions, [0-9]*s' "$T_TMP/pane" && seen=1
	grep -q '^__END__' "$T_TMP/pane" && break
	sleep 0.1
done
$TM kill-server 2>/dev/null
check_eq "terminal: a long run shows its progress line" "$seen" 1
check "terminal: the run ends with exit 0" grep -q '^__END__ rc=0' "$T_TMP/pane"
check "terminal: the progress line is erased at the end" test -z "$(grep 'zmcsync run: page' "$T_TMP/pane")"
for id in 815 816 817; do zmc_raise $id 9001 1 901 1; done
env ZMCSYNC_ALERTMANAGER_URL=$FAKE_URL ZMCSYNC_SYNC_BATCH_SIZE=1 "$ZMCSYNC" -c "$CONF" run > "$T_TMP/o" 2> "$T_TMP/e"
check "not a terminal: no progress line, no escape codes" test -z "$(grep -c "$(printf '\r\|\033')" "$T_TMP/e" | grep -v '^0$')"
for id in 818 819; do zmc_raise $id 9001 1 901 1; done
env ZMCSYNC_ALERTMANAGER_URL=$FAKE_URL ZMCSYNC_SYNC_BATCH_SIZE=1 "$ZMCSYNC" -c "$CONF" -v run > "$T_TMP/o" 2> "$T_TMP/e"
check "-v: an info line per page" grep -q '^zmcsync: run: page 2: [0-9]* alarms read, [0-9]* actions' "$T_TMP/e"

# --- check against an Alertmanager that never answers: streamed, bounded ---------------
ctl '{"post_delay": 0, "delay": 30}'
$TM kill-server 2>/dev/null
t0=$(date +%s)
$TM new-session -d -x 200 -y 40 "env ZMCSYNC_ALERTMANAGER_URL=$FAKE_URL '$ZMCSYNC' -c '$CONF' check; echo __END__ rc=\$?; sleep 60" || die "tmux did not start"
early=0
for i in $(seq 1 200); do
	$TM capture-pane -p -J > "$T_TMP/pane" 2>/dev/null
	grep -q '^__END__' "$T_TMP/pane" && break
	grep -q '^database  *ok ' "$T_TMP/pane" && early=1
	sleep 0.1
done
secs=$(( $(date +%s) - t0 ))
$TM kill-server 2>/dev/null
check_eq "check: the database line is on the screen while Alertmanager is still awaited" "$early" 1
check "check: a silent Alertmanager costs one bounded wait (${secs}s < 10)" test "$secs" -lt 10
check "check: the member's reason in full" grep -q "^alertmanager $FAKE_URL /-/healthy  *FAIL  *alertmanager $FAKE_URL: .*\(timed out\|[Tt]imeout\)" "$T_TMP/pane"
check "check: its status probe skipped, not waited for again" grep -q "^alertmanager $FAKE_URL /api/v2/status  *FAIL  *skipped: /-/healthy failed" "$T_TMP/pane"
ctl '{"reset": true}'

# --- the demo's last lines and colour ---------------------------------------------------
need prometheus-alertmanager
need amtool
need sqlite3
DEMO_KEEP=1 TMPDIR=$T_TMP sh "$TOP/scripts/demo" > "$T_TMP/demo.out" 2>&1; rc=$?
check_eq "demo (DEMO_KEEP=1, to a file): exit 0" "$rc" 0
check "demo to a file: no escape codes" test -z "$(grep "$(printf '\033')" "$T_TMP/demo.out")"
check "demo: kept line last but two" grep -q '^==> done; kept .* and Alertmanager (pid [0-9]*) at http' <(tail -n 3 "$T_TMP/demo.out")
try=$(sed -n 's/^try:  //p' "$T_TMP/demo.out")
stop=$(sed -n 's/^stop: //p' "$T_TMP/demo.out")
check "demo: the exact -c command" test -n "$try"
check "demo: the -c command works" sh -c "$try"
check "demo: no 'removed' line when kept" test -z "$(grep 'removed' "$T_TMP/demo.out")"
demopid=$(echo "$stop" | sed -n 's/^kill \([0-9]*\);.*/\1/p')
[ -n "$demopid" ] && T_PIDS="$T_PIDS $demopid"
check "demo: the stop command stops Alertmanager" sh -c "$stop"
for i in $(seq 1 50); do kill -0 "$demopid" 2>/dev/null || break; sleep 0.1; done
check "demo: Alertmanager is gone" sh -c "! kill -0 $demopid 2>/dev/null"
# On a terminal (script(1) gives the demo one) headings are bold, not with NO_COLOR.
need script
script -qec "TMPDIR='$T_TMP' sh '$TOP/scripts/demo'" /dev/null > "$T_TMP/demo.tty" 2>&1
check "demo on a terminal: bold headings" grep -q "$(printf '\033')\\[1m==> done; Alertmanager stopped and .* removed (DEMO_KEEP=1 keeps them)" "$T_TMP/demo.tty"
script -qec "NO_COLOR=1 TMPDIR='$T_TMP' sh '$TOP/scripts/demo'" /dev/null > "$T_TMP/demo.tty" 2>&1
check "demo on a terminal with NO_COLOR: no escape codes" test -z "$(grep "$(printf '\033')" "$T_TMP/demo.tty")"
check "demo with NO_COLOR: the same last line" grep -q '^==> done; Alertmanager stopped and .* removed' "$T_TMP/demo.tty"

# A pipe is never cut.
sql "UPDATE NM_ALARM_SYNC_STATUS SET LAST_ERROR='alertmanager http://127.0.0.1:9/api/v2/alerts: connection refused after three attempts, the end' WHERE ALARM_INST_ID=801"
z alarms --limit 1000 > "$T_TMP/o"
check "alarms to a pipe: the whole text" grep -q 'the end$' "$T_TMP/o"

t_done
