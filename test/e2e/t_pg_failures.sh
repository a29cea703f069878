#!/bin/bash
# backend: postgresql
# t_pg_failures.sh: a real PostgreSQL server (through psqlODBC) failing
# under a run.  The server stopped between batches (fast shutdown, then a
# crash-like immediate stop) and a session killed by the DBA: the run
# exits 4 naming the database, no status row is left inconsistent, at most
# one batch was pushed without being recorded (Alertmanager first,
# bookkeeping second), and the next run converges.  A run with the server
# down from the start exits 4 and still writes its metrics textfile.
ZMC_BACKEND=postgresql
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zmc.sh"
need jq
BS=5		# batch_size: many small batches, so a run takes a while
N=40		# alarms per scenario

fake_start
zmc_init "[sync]" "batch_size = $BS" "[alertmanager]" "url = $FAKE_URL"

# fake_ids: alarm ids of the alerts the fake Alertmanager holds, sorted.
fake_ids() { curl -fsS --max-time 5 "$FAKE_URL/api/v2/alerts" | jq -r '.[].labels.alarm_id' | sort -n; }
# firing_ids FIRST LAST: alarm ids with a FIRING status row, sorted.
firing_ids() { sql "SELECT ALARM_INST_ID FROM NM_ALARM_SYNC_STATUS WHERE SYNC_STATUS='FIRING' AND ALARM_INST_ID BETWEEN $1 AND $2 ORDER BY 1"; }
# metric NAME{LABELS}: its value in the textfile ("" if absent).
metric() { awk -v m="$1" '$1 == m { print $2 }' "$T_TMP/metrics/zmcsync.prom" 2>/dev/null; }
# no_secret FILE...: the role's password appears in none of them (the
# pattern comes from its file: a password never goes into argv).
no_secret() { ! grep -qF -f "$PG_PWFILE" "$@"; }

# interrupted FIRST LAST HOW: raises alarms FIRST..LAST, starts a slow run
# (0.3 s per Alertmanager request), and breaks the database under it after
# the third POST: HOW is "fast" or "immediate" (server stop) or
# "terminate" (the DBA kills zmcsync's session, found by application_name).
interrupted() {
	first=$1 last=$2 how=$3
	ctl '{"reset": true}'
	sql_defer
	for i in $(seq "$first" "$last"); do zmc_raise "$i" 9001 1 901 5; done
	sql_flush
	ctl '{"delay": 0.3}'
	"$ZMCSYNC" -c "$CONF" run >"$T_TMP/run.out" 2>"$T_TMP/run.err" &
	rp=$!
	i=0
	while [ "$(posts | jq length)" -lt 3 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	case $how in
	terminate)
		check_eq "$how: zmcsync's session is visible by application_name" \
		    "$(pg_super -c "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'zmcsync'")" 1 ;;
	*)	pg_stop "$how" || die "postgresql: pg_ctl stop -m $how failed" ;;
	esac
	wait $rp; RC=$?
	ctl '{"delay": 0}'
}

# invariants FIRST LAST HOW: what must hold after the interrupted run.
invariants() {
	first=$1 last=$2 how=$3
	check_eq "$how: the run exits 4" "$RC" 4
	check "$how: the error names the database" grep -q "database PostgreSQL Unicode: .*connection has been lost" "$T_TMP/run.err"
	check "$how: the lost connection is reported as such" grep -q "database: connection lost" "$T_TMP/run.err"
	check "$how: diagnostics are one line each" test "$(grep -vc '^zmcsync: ' "$T_TMP/run.err")" = 0
	check "$how: no password in the output" no_secret "$T_TMP/run.err" "$T_TMP/run.out"
	check_eq "$how: every status row has a valid state" \
	    "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE SYNC_STATUS NOT IN ('PENDING', 'FIRING', 'RESOLVED', 'SILENCED')")" 0
	check_eq "$how: every FIRING row is complete (labels, push time, count)" \
	    "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE SYNC_STATUS = 'FIRING' AND (ALERT_LABELS IS NULL OR LAST_PUSH_TIME IS NULL OR LAST_EVENT_TIME IS NULL OR PUSH_COUNT < 1)")" 0
	# PENDING rows written before a push (the intent) have no log row yet.
	check_eq "$how: status rows and their log rows were committed together" \
	    "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG WHERE OPERATION = 'PUSH_FIRING' AND ALARM_INST_ID BETWEEN $first AND $last")" \
	    "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID BETWEEN $first AND $last AND SYNC_STATUS <> 'PENDING'")"
	check_eq "$how: every PENDING row carries the label set it was about to push" \
	    "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID BETWEEN $first AND $last AND SYNC_STATUS = 'PENDING' AND ALERT_LABELS IS NULL")" 0
	fired=$(firing_ids "$first" "$last")
	nf=$(echo "$fired" | grep -c .)
	check "$how: the run stopped part way ($nf of $((last - first + 1)) recorded)" test "$nf" -ge 1 -a "$nf" -lt $((last - first + 1))
	fake_ids > "$T_TMP/pushed"
	echo "$fired" | grep . > "$T_TMP/recorded"
	check "$how: every FIRING row was received by Alertmanager" \
	    test -z "$(comm -23 "$T_TMP/recorded" "$T_TMP/pushed")"
	unrec=$(comm -13 "$T_TMP/recorded" "$T_TMP/pushed" | grep -c .)
	check "$how: at most one batch pushed but not recorded ($unrec)" test "$unrec" -le "$BS"
}

# converges FIRST LAST HOW: the next run re-pushes and records everything.
converges() {
	first=$1 last=$2 how=$3
	check_rc "$how: the next run exits 0" 0 zrun
	check_eq "$how: every alarm FIRING after it" "$(firing_ids "$first" "$last" | grep -c .)" $((last - first + 1))
	check_eq "$how: Alertmanager holds each alert once" "$(fake_ids | grep -c .)" $((last - first + 1))
	check_eq "$how: one first push logged per alarm" \
	    "$(sql "SELECT COUNT(*) FROM NM_ALARM_SYNC_LOG WHERE OPERATION = 'PUSH_FIRING' AND ALARM_INST_ID BETWEEN $first AND $last")" \
	    $((last - first + 1))
}

# --- the server stops between batches (fast shutdown), restarts ------------------
interrupted 1001 $((1000 + N)) fast
pg_restart
invariants 1001 $((1000 + N)) fast
converges 1001 $((1000 + N)) fast

# --- the server crashes (immediate stop: no goodbye to the clients) ----------------
sql "DELETE FROM NM_ALARM_CDR"		# earlier alarms resolve in the next run
zrun
interrupted 2001 $((2000 + N)) immediate
pg_restart
invariants 2001 $((2000 + N)) immediate
converges 2001 $((2000 + N)) immediate

# --- the DBA kills zmcsync's session; the server stays up --------------------------
sql "DELETE FROM NM_ALARM_CDR"
zrun
interrupted 3001 $((3000 + N)) terminate
invariants 3001 $((3000 + N)) terminate
converges 3001 $((3000 + N)) terminate

# --- the server is down when the run starts ----------------------------------------
errs0=$(metric 'zmc_errors_total{type="db"}')
failed0=$(metric 'zmc_sync_total{result="failed"}')
pg_stop fast || die "postgresql: pg_ctl stop failed"
check_rc "server down from the start: exit 4" 4 zrun
check "the reason names the database" grep -q "database PostgreSQL Unicode: connect: " "$T_TMP/run.err"
check "no password in the output" no_secret "$T_TMP/run.err" "$T_TMP/run.out"
check "the textfile is still written" test -s "$T_TMP/metrics/zmcsync.prom"
check_eq "db errors counted" "$(metric 'zmc_errors_total{type="db"}')" $((${errs0:-0} + 1))
check_eq "failed runs counted" "$(metric 'zmc_sync_total{result="failed"}')" $((${failed0:-0} + 1))
check_eq "service down in the textfile" "$(metric zmc_sync_service_up)" 0
check "no password in the textfile" no_secret "$T_TMP/metrics/zmcsync.prom"
check_rc "check exits 4 with the server down" 4 z check
pg_restart
check_rc "the run after the restart exits 0" 0 zrun
check_eq "service up again" "$(metric zmc_sync_service_up)" 1
check_eq "db errors unchanged by a good run" "$(metric 'zmc_errors_total{type="db"}')" $((${errs0:-0} + 1))
t_done
