#!/bin/bash
# backend: any
# t_secrets.sh: secrets stay out of every output, log, table and state
# file, even when an Alertmanager (or a proxy before it) echoes the
# request's Authorization header in its error body; and the other rows of
# the same hardening issue: label mappings onto built-in labels or missing
# columns, a ZMC database locked by another writer, a line too long for
# the configuration parser.  Real Alertmanager, test/fake_am.py for the
# echo, the ZMC database of $ZMC_BACKEND.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zmc.sh"
need jq
need python3
need base64

BASIC=$(printf 'zmc:%s' "$T_AM_PASSWORD" | base64 -w0)
t_secret "$T_AM_PASSWORD" "$T_AM_TOKEN" "$T_DB_PASSWORD" "$BASIC"
mkdir -p "$T_TMP/secrets"
( umask 077
  printf '%s\n' "$T_AM_PASSWORD" > "$T_TMP/secrets/am.password"
  printf '%s\n' "$T_AM_TOKEN" > "$T_TMP/secrets/am.token"
  printf '%s\n' "$T_DB_PASSWORD" > "$T_TMP/secrets/db.password" )
t_secret_file "$T_TMP/secrets/am.password" "$T_TMP/secrets/am.token" "$T_TMP/secrets/db.password"

am_start
fake_start
LOG=$T_TMP/zmcsync.log
zmc_init "[log]" "file = $LOG" "level = debug" "[sync]" "history_hours = 24"
# no_secret FILE...: none of the test secrets (nor the basic-auth
# credential) in any of them; the secrets come from files, never argv.
no_secret() {
	! grep -qaF -e "$T_AM_PASSWORD" -e "$T_AM_TOKEN" -e "$T_DB_PASSWORD" -e "$BASIC" \
	    -e "$(printf '%s' "$T_AM_TOKEN" | base64 -w0)" "$@"
}
# dumps: everything zmcsync stored, as text.
dumps() {
	sql "SELECT ALARM_INST_ID, LAST_ERROR FROM NM_ALARM_SYNC_STATUS" > "$T_TMP/status.rows"
	sql "SELECT OPERATION, REQUEST_URL, ERROR_MESSAGE FROM NM_ALARM_SYNC_LOG" > "$T_TMP/log.rows"
	sqlite3 "$T_TMP/state/state.db" .dump > "$T_TMP/state.dump"
}

# --- an error body echoing the Authorization header ---------------------------
zmc_raise 201 9001 1 901 5
zmc_raise 202 9002 2 902 5
# auth_conf NAME LINES...: the test config pointed at the fake, with auth.
auth_conf() {
	n=$1; shift
	sed "s|^url = .*|url = $FAKE_URL|" "$CONF" > "$T_TMP/$n.conf"
	printf '%s\n' "[alertmanager]" "$@" >> "$T_TMP/$n.conf"
}
auth_conf basic "username = zmc" "password_file = $T_TMP/secrets/am.password"
auth_conf bearer "bearer_token_file = $T_TMP/secrets/am.token"
for how in basic bearer; do
	for code in 400 500; do
		ctl "{\"reset\":true,\"echo_auth\":$code}"
		"$ZMCSYNC" -c "$T_TMP/$how.conf" run >"$T_TMP/echo-$how-$code.out" 2>"$T_TMP/echo-$how-$code.err"
		rc=$?
		check "echo $how $code: the run failed ($rc)" test "$rc" -ne 0
		check_eq "echo $how $code: the fake saw the credential" \
		    "$(jq -r .auth "$FAKE_LOG" | sort -u | tr '\n' ' ')" "$how "
		check "echo $how $code: the failure is reported" test -s "$T_TMP/echo-$how-$code.err"
		check "echo $how $code: no secret on stderr or stdout" \
		    no_secret "$T_TMP/echo-$how-$code.err" "$T_TMP/echo-$how-$code.out"
		"$ZMCSYNC" -c "$T_TMP/$how.conf" -vv run >"$T_TMP/echo-$how-$code-vv.out" 2>&1
		check "echo $how $code: no secret with -vv" no_secret "$T_TMP/echo-$how-$code-vv.out"
		# check and am-status print what the health and status requests got
		for c in check "check --json" am-status "am-status --json"; do
			# shellcheck disable=SC2086
			"$ZMCSYNC" -c "$T_TMP/$how.conf" $c >"$T_TMP/echo-$how-$code-probe.out" 2>&1
			check "echo $how $code: $c shows the masked echo" \
			    grep -q "Authorization: [BasicearB]* \*\*\*\*\*\*\*\*" "$T_TMP/echo-$how-$code-probe.out"
			check "echo $how $code: no secret from $c" no_secret "$T_TMP/echo-$how-$code-probe.out"
		done
	done
done
dumps
check "echo: the error body reached LAST_ERROR" grep -q 'Authorization' "$T_TMP/status.rows"
check "echo: masked in LAST_ERROR (basic)" grep -q 'Basic \*\*\*\*\*\*\*\*' "$T_TMP/status.rows" "$T_TMP/log.rows"
check "echo: masked (bearer)" grep -q 'Bearer \*\*\*\*\*\*\*\*' "$T_TMP/status.rows" "$T_TMP/log.rows" "$LOG"
check "echo: no secret in NM_ALARM_SYNC_STATUS" no_secret "$T_TMP/status.rows"
check "echo: no secret in NM_ALARM_SYNC_LOG" no_secret "$T_TMP/log.rows"
check "echo: no secret in state.db" no_secret "$T_TMP/state.dump" "$T_TMP/state/state.db"
check "echo: no secret in the log file" no_secret "$LOG"
check "echo: the log file has the debug lines" grep -q ' DEBUG ' "$LOG"
: > "$T_TMP/cmds.out"
for c in "status" "status --json" "alarms" "alarms --json" "logs" "logs --errors --json" "stats" \
    "config show" "config show --json" "check" "check --json"; do
	# shellcheck disable=SC2086
	"$ZMCSYNC" -c "$T_TMP/basic.conf" $c >>"$T_TMP/cmds.out" 2>&1
done
check "echo: the commands show the masked error" grep -q '\*\*\*\*\*\*\*\*' "$T_TMP/cmds.out"
check "echo: no secret in any command's output" no_secret "$T_TMP/cmds.out"

# The real Alertmanager ignores credentials it does not ask for: a normal
# run with both configured, at debug level, prints none of them.
sed "s|^url = .*|url = $AM_URL|" "$T_TMP/bearer.conf" > "$T_TMP/real.conf"
printf '%s\n' "username = zmc" "password_file = $T_TMP/secrets/am.password" >> "$T_TMP/real.conf"
"$ZMCSYNC" -c "$T_TMP/real.conf" -vv run >"$T_TMP/real.out" 2>&1
check_eq "real alertmanager: the run with credentials exits 0" "$?" 0
check_eq "real alertmanager: alarms firing" "$(am_active_ids)" "201 202 "
check "real alertmanager: no secret in -vv output" no_secret "$T_TMP/real.out"
check "real alertmanager: no secret in the log file" no_secret "$LOG"

# --- connection-string passwords: "PWD = x" and Oracle's UID=user/password -----
for form in "PWD = $T_DB_PASSWORD" "PWD=$T_DB_PASSWORD" "UID=zmc/$T_DB_PASSWORD" "Password = {$T_DB_PASSWORD}"; do
	sed "s|^connection = \"\(.*\)\"|connection = \"\1;$form\"|" "$CONF" > "$T_TMP/pwd.conf"
	t_secret_file "$T_TMP/pwd.conf"
	: > "$T_TMP/pwd.out"
	for c in "status" "config show" "config show --json" "check"; do
		# shellcheck disable=SC2086
		"$ZMCSYNC" -c "$T_TMP/pwd.conf" -vv $c >>"$T_TMP/pwd.out" 2>&1
		DATABASE_CONNECTION="$(dead_db_conn);$form" "$ZMCSYNC" -c "$T_TMP/pwd.conf" -vv $c >>"$T_TMP/pwd.out" 2>&1
	done
	check "connection '${form%%=*}=': the masked form is shown" grep -q '\*\*\*\*\*\*\*\*' "$T_TMP/pwd.out"
	check "connection '${form%%=*}=': no password with -vv and log.level=debug" no_secret "$T_TMP/pwd.out" "$LOG"
	cat "$T_TMP/pwd.out" >> "$T_TMP/pwd-all.out"
done
check "connection: the debug line shows the masked string" \
    grep -q 'connecting with .*PWD = \*\*\*\*\*\*\*\*' "$T_TMP/pwd-all.out"
rm -f "$T_TMP/pwd.conf"

# --- label mappings onto built-in labels, or reading a missing column ---------
sql "INSERT INTO NM_ALARM_LABEL_MAPPING (SOURCE_FIELD, TARGET_NAME, TARGET_TYPE, IS_ACTIVE)
     VALUES ('APP_NAME', '__name__', 'label', 1);
     INSERT INTO NM_ALARM_LABEL_MAPPING (SOURCE_FIELD, TARGET_NAME, TARGET_TYPE, IS_ACTIVE)
     VALUES ('APP_NAME', 'alertname', 'label', 1);
     INSERT INTO NM_ALARM_LABEL_MAPPING (SOURCE_FIELD, TARGET_NAME, TARGET_TYPE, IS_ACTIVE)
     VALUES ('HOST_NAME', 'alarm_id', 'label', 1);
     INSERT INTO NM_ALARM_LABEL_MAPPING (SOURCE_FIELD, TARGET_NAME, TARGET_TYPE, IS_ACTIVE)
     VALUES ('NO_SUCH_COLUMN', 'extra', 'label', 1);
     INSERT INTO NM_ALARM_LABEL_MAPPING (SOURCE_FIELD, TARGET_NAME, TARGET_TYPE, IS_ACTIVE)
     VALUES ('RES_INST_TYPE', 'resource_type', 'label', 1)"
zmc_raise 203 9003 3 901 5
check_rc "mapping: the run still exits 0" 0 zrun
for w in "APP_NAME -> __name__ (label): names starting with __ are reserved, row ignored" \
    "APP_NAME -> alertname (label): alertname is a built-in label, row ignored" \
    "HOST_NAME -> alarm_id (label): alarm_id is a built-in label, row ignored" \
    "NO_SUCH_COLUMN -> extra (label): the source view has no column NO_SUCH_COLUMN, row ignored"; do
	check "mapping: run warns '$w'" grep -qF "warning: NM_ALARM_LABEL_MAPPING: $w" "$T_TMP/run.err"
done
a=$(am_alert 203)
check_eq "mapping: alertname kept" "$(echo "$a" | jq -r .labels.alertname)" 磁盘空间不足
check_eq "mapping: alarm_id kept" "$(echo "$a" | jq -r .labels.alarm_id)" 203
check_eq "mapping: the good row applied" "$(echo "$a" | jq -r .labels.resource_type)" HOST
check_eq "mapping: no label from the missing column" "$(echo "$a" | jq -r '.labels.extra // "none"')" none
check_rc "mapping: check fails with the configuration status" 3 z check
for w in "label mapping APP_NAME -> __name__ " "label mapping APP_NAME -> alertname " \
    "label mapping HOST_NAME -> alarm_id " "label mapping NO_SUCH_COLUMN -> extra "; do
	check "mapping: check names '$w'" grep -q "^$w *FAIL" "$T_TMP/last.out"
done
z check --json > "$T_TMP/o" 2>/dev/null
check_eq "mapping: check --json names the row" \
    "$(jq -r '.components["label mapping NO_SUCH_COLUMN -> extra"].status' "$T_TMP/o")" unhealthy
sql "UPDATE NM_ALARM_LABEL_MAPPING SET IS_ACTIVE = 0 WHERE TARGET_NAME <> 'resource_type'"
check_rc "mapping: check passes again once the rows are off" 0 z check
check "mapping: check says the rows are usable" grep -q "^label mapping  *ok  *1 active rows usable" "$T_TMP/last.out"

# --- the ZMC database locked by another writer --------------------------------
# lock_start: another session holds a lock that blocks readers; LOCK_PID.
lock_start() {
	case $DB_BACKEND in
	sqlite)
		python3 -c 'import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
c.execute("UPDATE NM_ALARM_SYNC_CONFIG SET CONFIG_VALUE = CONFIG_VALUE")
open(sys.argv[2], "w").close()
time.sleep(60)' "$DB_FILE" "$T_TMP/locked" &
		LOCK_PID=$! ;;
	postgresql)
		{ echo "BEGIN; LOCK TABLE NM_ALARM_SYNC_CONFIG IN ACCESS EXCLUSIVE MODE;"
		  echo "\\! touch $T_TMP/locked"
		  echo "SELECT pg_sleep(60);"; } |
		    PGAPPNAME=zmcsync-test-locker "$PSQL" -h 127.0.0.1 -p "$PG_PORT" -U zmc \
		    -d "$DB_NAME" -qX >/dev/null 2>&1 &
		LOCK_PID=$! ;;
	esac
	T_PIDS="$T_PIDS $LOCK_PID"
	i=0; while [ ! -e "$T_TMP/locked" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
	[ -e "$T_TMP/locked" ] || die "lock: the locking session did not start"
}
lock_stop() {
	# the server would hold the lock until its pg_sleep ends, client gone or not
	[ "$DB_BACKEND" = postgresql ] && echo "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
	    WHERE application_name = 'zmcsync-test-locker'" | pg_super >/dev/null
	kill "$LOCK_PID" 2>/dev/null
	i=0; while kill -0 "$LOCK_PID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
	rm -f "$T_TMP/locked"
}
ms() { date +%s%3N; }
lock_start
t0=$(ms); check_rc "locked: check exits 4" 4 z check; t1=$(ms)
check "locked: check bounded ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 8000
check "locked: check says the database is locked or busy" grep -q "the database is locked or busy" "$T_TMP/last.out"
check "locked: check does not suggest init-db" sh -c "! grep -q init-db '$T_TMP/last.out'"
t0=$(ms); z status >"$T_TMP/o" 2>&1; t1=$(ms)
check "locked: status bounded ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 6000
check "locked: status says so" grep -q "locked or busy" "$T_TMP/o"
if [ "$DB_BACKEND" = sqlite ]; then
	# a run waits the driver's Timeout (5 s here), then says why
	check_rc "locked: run exits 4" 4 zrun
	check "locked: run says the database is locked or busy" grep -q "locked or busy" "$T_TMP/run.err"
	check "locked: run does not suggest init-db" sh -c "! grep -q init-db '$T_TMP/run.err'"
fi
lock_stop
check_rc "unlocked: check passes again" 0 z check

# --- a 1 MB line in the configuration file ------------------------------------
{ head -n 3 "$CONF"; printf 'comment = '; head -c 1048576 /dev/zero | tr '\0' x; echo; tail -n +4 "$CONF"; } > "$T_TMP/big.conf"
check_rc "1 MB line: exit 3" 3 "$ZMCSYNC" -c "$T_TMP/big.conf" status
check_eq "1 MB line: one message naming line 4" "$(cat "$T_TMP/last.err")" \
    "zmcsync: config $T_TMP/big.conf:4: line too long (more than 1022 bytes)"
rm -f "$T_TMP/big.conf"

t_done
