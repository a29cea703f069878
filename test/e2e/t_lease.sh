#!/bin/bash
# backend: any
# t_lease.sh: several zmcsync hosts on one ZMC database (SPEC 3, last
# paragraph).  Three instances, each with its own state directory and
# instance id, are started together every cycle against a real
# Alertmanager, with a lease of 3 s: exactly one syncs per cycle, the
# others stand by quietly (exit 0, nothing printed) and say so in status
# and metrics; the holder SIGKILLed and restarted keeps the lease; the
# holder gone stays silent until the lease expires, then another takes
# over; a holder stalled (SIGSTOP) while its push is in flight, past its
# lease, writes no bookkeeping after the takeover (the epoch fences it).
# Every alarm is pushed once and reaches Alertmanager.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zmc.sh"
need jq
am_start
fake_start
# A push in the second Alertmanager started counts as pushed before its
# start and is repeated: the first push comes a second later.
sleep 1.1
LEASE=3
zmc_init "[sync]" "scan_interval = 2" "lease_seconds = $LEASE" \
    "heartbeat_interval = 3600" "alert_ttl = 7200"

# instance N: its own config, state directory, log file and textfile.
for i in 1 2 3; do
	mkdir -p "$T_TMP/s$i"
	sed -e "s|^dir = .*|dir = $T_TMP/s$i|" \
	    -e "s|^textfile = .*|textfile = $T_TMP/s$i/zmcsync.prom|" "$CONF" > "$T_TMP/c$i.conf"
	printf '[sync]\ninstance_id = zs-%s\n[log]\nfile = %s\n' "$i" "$T_TMP/s$i/log" >> "$T_TMP/c$i.conf"
	: > "$T_TMP/s$i/log"
done

# alive PID: 1 while PID runs or is stopped (not yet exited).
alive() {
	st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ]
}
# reap PID SECONDS: waits at most SECONDS for our child PID; its exit
# status, or 124 after killing it.
reap() {
	k=0
	while alive "$1" && [ $k -lt $(($2 * 10)) ]; do sleep 0.1; k=$((k + 1)); done
	if alive "$1"; then kill -9 "$1" 2>/dev/null; wait "$1" 2>/dev/null; return 124; fi
	wait "$1" 2>/dev/null
}
# start N [ARGS]: zmcsync run of instance N in the background; PID[N].
declare -a PID RC RES LINES
start() {
	n=$1; shift
	LINES[$n]=$(wc -l < "$T_TMP/s$n/log")
	"$ZMCSYNC" -c "$T_TMP/c$n.conf" run "$@" >"$T_TMP/s$n/out" 2>"$T_TMP/s$n/err" &
	PID[$n]=$!
}
# finish N: reaps instance N's run; RC[N] and RES[N], the result its log
# line says ("none" when it wrote none: killed, or skipped by the run lock).
finish() {
	n=$1
	reap "${PID[$n]}" 30; RC[$n]=$?
	RES[$n]=$(tail -n +"$((LINES[$n] + 1))" "$T_TMP/s$n/log" |
	    sed -n 's/.* run [0-9]*_[0-9a-f]*: \([a-z_]*\) in .*/\1/p' | tail -n 1)
	[ -n "${RES[$n]}" ] || RES[$n]=none
}
# cycle KILL N...: one cron tick: starts the listed instances together and
# waits for them; KILL is the instance to SIGKILL 0-40 ms after its start
# (0: none), anywhere from before its first statement to its last.  Sets SYNCED (instances whose run synced) and HOLDER.
CYCLE=0
cycle() {
	kill_n=$1; shift
	CYCLE=$((CYCLE + 1))
	tick=$(date +%s%N)
	for n in "$@"; do start "$n"; done
	if [ "$kill_n" != 0 ]; then
		sleep "0.0$((RANDOM % 5))"
		kill -9 "${PID[$kill_n]}" 2>/dev/null
	fi
	SYNCED=""
	for n in "$@"; do
		finish "$n"
		case ${RES[$n]} in
		success|partial|failed|lease_lost) SYNCED="$SYNCED $n" ;;
		standby)
			[ "${RC[$n]}" = 0 ] || fail "cycle $CYCLE: standby instance $n exits ${RC[$n]}"
			[ -s "$T_TMP/s$n/out" ] || [ -s "$T_TMP/s$n/err" ] &&
			    fail "cycle $CYCLE: standby instance $n printed: $(head -c 300 "$T_TMP/s$n/out" "$T_TMP/s$n/err")"
			;;
		esac
		echo "cycle $CYCLE: instance $n exit ${RC[$n]} ${RES[$n]}" >> "$T_TMP/cycles"
	done
	SYNCED=${SYNCED# }
	case $SYNCED in
	*" "*) fail "cycle $CYCLE: more than one instance synced: $SYNCED" ;;
	"") ;;
	*) HOLDER=$SYNCED; echo "$CYCLE $HOLDER $(date +%s)" >> "$T_TMP/holders" ;;
	esac
	# the next tick one second after this one
	left=$(( (tick + 1000000000 - $(date +%s%N)) / 1000000 ))
	[ "$left" -gt 0 ] && sleep "$(printf '0.%03d' "$left")"
	return 0
}
# lease_col COL: a column of the lease row.
lease_col() { sql "SELECT $1 FROM NM_ALARM_SYNC_LEASE WHERE LEASE_NAME = 'sync'"; }
# pushes ID: PUSH_FIRING log rows of an alarm, and its PUSH_COUNT.
pushes() {
	echo "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG WHERE OPERATION = 'PUSH_FIRING' AND ALARM_INST_ID = $1"):$(sql "SELECT PUSH_COUNT FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID = $1")"
}
prom() { sed -n "s/^$2 //p" "$T_TMP/s$1/zmcsync.prom"; }
others() { for n in 1 2 3; do [ "$n" = "$1" ] || printf '%s ' "$n"; done; }

t0=$(date +%s)
# --- all three up: one syncs every cycle, always the same ------------------
zmc_raise 201 9001 1 901 5
cycle 0 1 2 3
check_eq "cycle 1: one instance synced" "$(echo "$SYNCED" | wc -w)" 1
H1=$HOLDER
check_eq "the first holder is in the lease row, epoch 1" "$(lease_col "HOLDER || '/' || EPOCH")" "zs-$H1/1"
check_eq "alarm 201 pushed in the first cycle" "$(am_active_ids)" "201 "
for k in 2 3 4; do
	[ $k = 3 ] && zmc_raise 202 9002 2 902 5
	cycle 0 1 2 3
	check_eq "cycle $CYCLE: the holder syncs again" "$SYNCED" "$H1"
done
check_eq "alarm 202 pushed by the holder" "$(am_active_ids)" "201 202 "
o=$(others "$H1"); S=${o%% *}
check_eq "standby: exit 0" "${RC[$S]}" 0
check_eq "standby: metrics say so" "$(prom "$S" zmc_lease_held):$(prom "$S" 'zmc_sync_total{result="standby"}')" "0:4"
check_eq "holder: zmc_lease_held 1" "$(prom "$H1" zmc_lease_held)" 1
"$ZMCSYNC" -c "$T_TMP/c$S.conf" status --json > "$T_TMP/st.json"
check_eq "status --json of a standby instance: the lease" \
    "$(jq -c '.lease | [.instance_id, .holder, .epoch, .expired, .held_by_this_instance, .lease_seconds]' "$T_TMP/st.json")" \
    "[\"zs-$S\",\"zs-$H1\",1,false,false,$LEASE]"
check_eq "status --json: the last run stood by" "$(jq -c '.runs[0] | [.result, .exit_code]' "$T_TMP/st.json")" '["standby",0]'
"$ZMCSYNC" -c "$T_TMP/c$S.conf" status > "$T_TMP/st.txt"
check "status: lease holder line" grep -q "^lease holder  *zs-$H1 (epoch 1), until " "$T_TMP/st.txt"
check "status: this instance stands by" grep -q '^this instance  *standby: another instance syncs$' "$T_TMP/st.txt"
check "status: runs show the result" grep -q ' standby ' "$T_TMP/st.txt"
"$ZMCSYNC" -c "$T_TMP/c$H1.conf" status --json > "$T_TMP/st.json"
check_eq "status --json of the holder" "$(jq -c '[.lease.held_by_this_instance, .runs[0].result]' "$T_TMP/st.json")" '[true,"success"]'

# --- the holder SIGKILLed, back next cycle: no gap in the lease ------------
cycle "$H1" 1 2 3
case $SYNCED in
""|"$H1") ok "cycle $CYCLE: holder killed, nobody else syncs (lease not expired)" ;;
*) fail "cycle $CYCLE: instance $SYNCED synced while the killed holder's lease ran" ;;
esac
renewed=$(date +%s)
cycle 0 1 2 3
check_eq "cycle $CYCLE: one instance synced after the kill" "$(echo "$SYNCED" | wc -w)" 1
H=$HOLDER

# --- the holder killed and gone: silence until expiry, then a takeover -----
epoch0=$(lease_col EPOCH)
cycle "$H" 1 2 3
zmc_raise 203 9003 3 901 5
up=$(others "$H")
took=0
for k in 1 2 3 4 5 6; do
	cycle 0 $up
	if [ -n "$SYNCED" ]; then took=$CYCLE; break; fi
done
H2=$HOLDER
check "a takeover happened within 6 cycles" test "$took" -gt 0
check "the new holder is another instance" test "$H2" != "$H"
# H renewed during the cycle that began at $renewed (or later): the lease
# ran at least until then + LEASE - 1 s (whole seconds), and is taken only
# once EXPIRES_AT is in the past.
gap=$(( $(date +%s) - renewed ))
check "no takeover before the lease expired ($gap s >= $LEASE s)" test "$gap" -ge "$LEASE"
check_eq "the takeover raised the epoch by one" "$(lease_col EPOCH)" $((epoch0 + 1))
check_eq "the new holder pushed the alarm raised meanwhile" "$(am_active_ids)" "201 202 203 "
cycle 0 1 2 3
check_eq "cycle $CYCLE: the old holder is back and stands by" "$SYNCED" "$H2"
check_eq "the old holder's run stood by" "${RES[$H]}" standby
cycle 0 1 2 3
check_eq "cycle $CYCLE: the new holder keeps the lease" "$SYNCED" "$H2"

# --- a holder stalled past its lease: fenced out of the bookkeeping --------
# Its Alertmanager answers slowly, so its push is in flight when it stops.
sed -e "s|^url = .*|url = $FAKE_URL|" -e 's|^timeout = 5$|timeout = 60|' \
    -e 's|^retry_count = 1$|retry_count = 0|' "$T_TMP/c$H2.conf" > "$T_TMP/slow.conf"
ctl '{"reset": true, "post_delay": 2}'
zmc_raise 204 9001 1 902 5
LINES[9]=$(wc -l < "$T_TMP/s$H2/log")
"$ZMCSYNC" -c "$T_TMP/slow.conf" run --timeout 120 >"$T_TMP/slow.out" 2>"$T_TMP/slow.err" &
SLOW=$!
k=0
while [ "$(posts | jq length)" = 0 ] && [ $k -lt 100 ]; do sleep 0.05; k=$((k + 1)); done
check_eq "the stalled holder's push is in flight" "$(posts | jq -c '[.[0].alerts]')" '[1]'
kill -STOP "$SLOW"
up=$(others "$H2")
took=0
for k in 1 2 3 4 5 6; do
	cycle 0 1 2 3
	check_eq "cycle $CYCLE: the stalled instance's next run is skipped (run lock)" "${RC[$H2]}" 6
	if [ -n "$SYNCED" ]; then took=$CYCLE; break; fi
done
H3=$HOLDER
check "another instance took over from the stalled one" test "$took" -gt 0 -a "$H3" != "$H2"
check_eq "the taker pushed alarm 204" "$(am_active_ids)" "201 202 203 204 "
kill -CONT "$SLOW"
reap "$SLOW" 30; rc=$?
check_eq "the stalled run, resumed, exits 1" "$rc" 1
slow_batch=$(tail -n +"$((LINES[9] + 1))" "$T_TMP/s$H2/log" |
    sed -n 's/.* run \([0-9]*_[0-9a-f]*\): lease_lost in .*/\1/p')
check "the stalled run's result is lease_lost" test -n "$slow_batch"
check "its log says the lease was taken over" grep -q "lease: taken over while this run stalled (now held by zs-$H3" "$T_TMP/s$H2/log"
check "its error names the fence" grep -q "lease: taken over" "$T_TMP/slow.err"
check_eq "the stalled run wrote no bookkeeping" \
    "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG WHERE SYNC_BATCH_ID = '$slow_batch'")" 0
check_eq "alarm 204: one push recorded, by the taker" "$(pushes 204)" "1:1"
check_eq "the stalled instance records lease_lost" \
    "$("$ZMCSYNC" -c "$T_TMP/c$H2.conf" status --json | jq -c '[.runs[0].result, .runs[0].exit_code, .lease.held_by_this_instance]')" \
    '["lease_lost",1,false]'
check_eq "its metrics: lease_lost counted, lease not held" \
    "$(prom "$H2" 'zmc_sync_total{result="lease_lost"}'):$(prom "$H2" zmc_lease_held)" "1:0"

# --- a recovery is resolved once, by the holder ---------------------------
zmc_state 201 A
cycle 0 1 2 3
check_eq "cycle $CYCLE: one instance synced" "$SYNCED" "$H3"
cycle 0 1 2 3
check_eq "201 resolved" "$(am_active_ids)" "202 203 204 "
check_eq "one PUSH_RESOLVED for 201" "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG WHERE OPERATION = 'PUSH_RESOLVED' AND ALARM_INST_ID = 201")" 1

# --- steady again ----------------------------------------------------------
zmc_raise 205 9002 2 901 5
for k in 1 2 3; do
	cycle 0 1 2 3
	check_eq "cycle $CYCLE: the holder syncs" "$SYNCED" "$H3"
done
check_eq "alarm 205 pushed" "$(am_active_ids)" "202 203 204 205 "

changes=$(awk 'NR > 1 && $2 != prev { n++ } { prev = $2 } END { print n + 0 }' "$T_TMP/holders")
check_eq "the epoch counts the changes of holder" "$(lease_col EPOCH)" $((changes + 1))

# --- dry run: reads the lease, takes nothing --------------------------------
o=$(others "$H3"); S=${o%% *}
epoch1=$(lease_col "HOLDER || '/' || EPOCH || '/' || EXPIRES_AT")
check_rc "dry run of a standby instance exits 0" 0 "$ZMCSYNC" -c "$T_TMP/c$S.conf" run --dry-run
check "dry run says a run now would stand by" \
    grep -q "^dry run: the lease is held by zs-$H3 until .*; a run now would stand by$" "$T_TMP/last.out"
check_eq "dry run left the lease as it was" "$(lease_col "HOLDER || '/' || EPOCH || '/' || EXPIRES_AT")" "$epoch1"

# --- an installation from before the lease: init-db adds the table ----------
sql "DROP TABLE NM_ALARM_SYNC_LEASE"
check_rc "without the lease table a run exits 4" 4 "$ZMCSYNC" -c "$T_TMP/c1.conf" run
check "and names the table and the fix" grep -q "NM_ALARM_SYNC_LEASE (run zmcsync init-db to add it)" "$T_TMP/last.err"
check_rc "init-db on the existing database" 0 "$ZMCSYNC" -c "$CONF" init-db
check_rc "then the run takes a new lease" 0 "$ZMCSYNC" -c "$T_TMP/c1.conf" run
check_eq "held from epoch 1" "$(lease_col "HOLDER || '/' || EPOCH")" "zs-1/1"
check_eq "nothing pushed again" "$(pushes 202)" "1:1"

# --- over the whole test --------------------------------------------------
[ -z "${T_VERBOSE:-}" ] || sql "SELECT ALARM_INST_ID, OPERATION, SYNC_BATCH_ID, NEW_STATUS, ERROR_MESSAGE FROM NM_ALARM_SYNC_LOG ORDER BY LOG_ID" >&2
check_eq "alarm 201 pushed once, resolved once" "$(pushes 201)" "1:2"
for id in 202 203 204 205; do
	check_eq "alarm $id pushed once" "$(pushes "$id")" "1:1"
done
check "no instance ever failed" test -z "$(grep -E 'exit (3|4|5)' "$T_TMP/cycles")"
n=$(grep -c . "$T_TMP/holders")
check "at least 14 cycles synced ($n in $CYCLE)" test "$n" -ge 14
echo "t_lease: $CYCLE cycles in $(( $(date +%s) - t0 )) s" >&2
if [ "$T_FAIL" -ne 0 ] || [ -n "${T_VERBOSE:-}" ]; then sed 's/^/    /' "$T_TMP/cycles" >&2; fi
t_done
