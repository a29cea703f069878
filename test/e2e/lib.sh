# lib.sh: shared harness for the end-to-end tests (sourced by test/e2e/t_*.sh).
# Starts real components on 127.0.0.1, on free ports, in a temporary
# directory, and stops them on exit.  Every wait is bounded.
# Each test script ends with `t_done`, which prints "N passed, N failed".
#
# ZMC_BACKEND (sqlite, the default, or postgresql) picks the ZMC database
# of zmc_db / zmc_init: a SQLite file through the sqliteodbc driver, or a
# real PostgreSQL server this harness starts, through psqlODBC.  A script
# whose first lines say "# backend: any" is run once per backend by
# test/run; "# backend: postgresql" runs it on PostgreSQL only.

set -u
T_PASS=0
T_FAIL=0
TOP=$(cd "$(dirname "$0")/../.." && pwd)
: "${ZMCSYNC:=$TOP/build/zmcsync}"
FREEPORT=$TOP/build/freeport
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/zmcsync-test.XXXXXX")
T_PIDS=""
: "${ZMC_BACKEND:=sqlite}"

t_cleanup() {
	t_rc=$?
	for p in $T_PIDS; do kill "$p" 2>/dev/null; done
	for p in $T_PIDS; do
		i=0; while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
		kill -9 "$p" 2>/dev/null
	done
	leak_collect
	[ -n "${PGDATA_DIR:-}" ] && pg_stop_quiet
	rm -rf "$T_TMP"
	# Run alone (not from test/run): the leak check of this script now.
	if [ -z "${ZMCSYNC_LEAK_DIR:-}" ] && [ -n "${T_LEAK_DIR:-}" ]; then
		if [ -s "$T_LEAK_DIR/secrets" ] && ! sh "$TOP/test/leakcheck" "$T_LEAK_DIR" >"$T_LEAK_DIR.out" 2>&1; then
			cat "$T_LEAK_DIR.out" >&2
			echo "$T_PASS passed, $((T_FAIL + 1)) failed"
			t_rc=1
		fi
		rm -rf "$T_LEAK_DIR" "$T_LEAK_DIR.out"
	fi
	exit "$t_rc"
}
trap t_cleanup EXIT
trap "exit 130" INT TERM

die() { T_FAIL=$((T_FAIL+1)); echo "FATAL: $*" >&2; echo "$T_PASS passed, $T_FAIL failed"; exit 1; }

# --- secrets: the leak check -------------------------------------------------
# Known test secrets (an Alertmanager password and bearer token, a
# database password) for scripts to configure; t_secret registers every
# secret a script uses.  On exit, t_cleanup collects every file of $T_TMP
# but those t_secret_file names, a .dump of every SQLite database in it
# and a pg_dump of every PostgreSQL database of the script, into
# $ZMCSYNC_LEAK_DIR (set by test/run, whose last step, test/leakcheck,
# fails on any file holding a secret or its base64 form).  A script run
# alone is checked the same way when it exits.
T_AM_PASSWORD='amPw-7q/Tz+Secret-1'
T_AM_TOKEN='tok-Qx8/Zr+Secret-2'
T_DB_PASSWORD='dbPw-5k/Wm+Secret-3'
if [ -z "${ZMCSYNC_LEAK_DIR:-}" ]; then
	T_LEAK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/zmcsync-leak.XXXXXX")
	T_LEAK_OUT=$T_LEAK_DIR
else
	T_LEAK_OUT=$ZMCSYNC_LEAK_DIR
fi
T_LEAK_NAME=$(basename "$0" .sh)-${ZMC_BACKEND:-sqlite}-$$
# t_secret VALUE...: secrets that must appear in no output, log or dump.
t_secret() {
	for s in "$@"; do printf '%s\n' "$s" >> "$T_TMP/.leak-secrets"; done
}
# t_secret_file PATH...: files that hold a secret on purpose (not checked);
# a PATH ending in "/" names a whole directory.
t_secret_file() {
	for f in "$@"; do printf '%s\n' "$f" >> "$T_TMP/.leak-allowed"; done
}
# leak_allowed PATH: 0 when t_secret_file named it or, with a trailing
# "/", a directory above it.
leak_allowed() {
	[ -f "$T_TMP/.leak-allowed" ] || return 1
	while IFS= read -r la; do
		case $la in
		*/) case $1 in "$la"*) return 0 ;; esac ;;
		*) [ "$1" = "$la" ] && return 0 ;;
		esac
	done < "$T_TMP/.leak-allowed"
	return 1
}
# leak_collect: the copies and dumps described above (called on exit).
leak_collect() {
	[ -d "$T_TMP" ] || return 0
	lc_out=$T_LEAK_OUT/$T_LEAK_NAME
	mkdir -p "$lc_out/files" "$lc_out/dump" || return 0
	[ -f "$T_TMP/.leak-secrets" ] && cat "$T_TMP/.leak-secrets" >> "$T_LEAK_OUT/secrets"
	( cd "$T_TMP" && find . -type f -size -64M ) | while IFS= read -r f; do
		f=${f#./}
		case $f in .leak-secrets|.leak-allowed) continue ;; esac
		leak_allowed "$T_TMP/$f" && continue
		mkdir -p "$lc_out/files/$(dirname "$f")"
		cp "$T_TMP/$f" "$lc_out/files/$f" 2>/dev/null
		if [ "$(head -c 15 "$T_TMP/$f" 2>/dev/null)" = "SQLite format 3" ] && command -v sqlite3 >/dev/null; then
			sqlite3 "$T_TMP/$f" .dump > "$lc_out/dump/$(echo "$f" | tr / _).sql" 2>/dev/null
		fi
	done
	if [ -n "${PGDATA_DIR:-}" ] && [ -x "${PG_BIN:-}/pg_dump" ]; then
		for d in $(echo "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres'" | pg_super 2>/dev/null); do
			"$PG_BIN/pg_dump" -h "$PG_ROOT" -p "$PG_PORT" -U postgres "$d" \
			    > "$lc_out/dump/pg-$d.sql" 2>/dev/null
		done
	fi
	true
}
ok() { T_PASS=$((T_PASS+1)); [ -n "${T_VERBOSE:-}" ] && echo "ok - $*"; return 0; }
fail() { T_FAIL=$((T_FAIL+1)); echo "not ok - $*" >&2; return 0; }
# check DESC CMD...: passes when CMD succeeds.
check() { d=$1; shift; if "$@" >/dev/null 2>&1; then ok "$d"; else fail "$d"; fi; }
# check_eq DESC GOT WANT
check_eq() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: got '$2', want '$3'"; fi; }
# check_rc DESC WANT CMD...: passes when CMD exits with WANT.
check_rc() {
	d=$1; w=$2; shift 2
	"$@" >"$T_TMP/last.out" 2>"$T_TMP/last.err"; r=$?
	if [ "$r" = "$w" ]; then ok "$d"; else
		fail "$d: exit $r, want $w"; sed 's/^/    /' "$T_TMP/last.err" "$T_TMP/last.out" | head -20 >&2; fi
}
t_done() { echo "$T_PASS passed, $T_FAIL failed"; [ "$T_FAIL" -eq 0 ]; }

need() { command -v "$1" >/dev/null 2>&1 || [ -x "$1" ] || die "missing component: $1 (run scripts/bootstrap)"; }
freeport() { "$FREEPORT" || die "freeport failed"; }

# wait_http URL: up to 10 s for a 200.
wait_http() {
	i=0
	while [ $i -lt 100 ]; do
		curl -fsS -o /dev/null --max-time 1 "$1" 2>/dev/null && return 0
		sleep 0.1; i=$((i+1))
	done
	return 1
}

# am_start [NAME]: starts a real Alertmanager; sets AM_URL (and AM_PID).
# Data persists in $T_TMP/NAME so a restart keeps silences.
am_start() {
	need prometheus-alertmanager
	n=${1:-am}
	mkdir -p "$T_TMP/$n"
	[ -f "$T_TMP/$n/am.yml" ] || cat > "$T_TMP/$n/am.yml" <<YML
route:
  receiver: 'null'
  group_wait: 1s
receivers:
  - name: 'null'
YML
	[ -f "$T_TMP/$n/port" ] || freeport > "$T_TMP/$n/port"
	port=$(cat "$T_TMP/$n/port")
	prometheus-alertmanager --config.file="$T_TMP/$n/am.yml" \
	    --storage.path="$T_TMP/$n/data" \
	    --web.listen-address="127.0.0.1:$port" \
	    --cluster.listen-address= --log.level=warn \
	    >"$T_TMP/$n/log" 2>&1 &
	AM_PID=$!
	T_PIDS="$T_PIDS $AM_PID"
	echo "$AM_PID" > "$T_TMP/$n/pid"
	AM_URL="http://127.0.0.1:$port"
	wait_http "$AM_URL/-/ready" || { cat "$T_TMP/$n/log" >&2; die "alertmanager did not start on $AM_URL"; }
	# zmcsync pushes again what it pushed before a member's start, in
	# whole seconds, so a push in the very second Alertmanager started
	# counts as before it: let that second pass, or a test's first run
	# would see one more heartbeat than it counts.
	sleep "0.$(printf '%03d' $(( 1000 - 10#$(date +%N | cut -c1-3) )) | cut -c1-3)"
}
# am_stop [NAME]
am_stop() {
	n=${1:-am}
	p=$(cat "$T_TMP/$n/pid")
	kill "$p" 2>/dev/null
	i=0; while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
	kill -9 "$p" 2>/dev/null; true
}
# am_alerts [FILTER-QUERY]: active+silenced alerts as JSON (GET /api/v2/alerts).
am_alerts() { curl -fsS --max-time 5 "$AM_URL/api/v2/alerts${1:+?$1}"; }
am_silences() { curl -fsS --max-time 5 "$AM_URL/api/v2/silences"; }

# fake_start: test/fake_am.py (the fault-injecting fake Alertmanager) on
# a free port; sets FAKE_URL, FAKE_LOG (one JSON line per request).
fake_start() {
	need python3
	FP=${1:-$(freeport)} || die "freeport failed"
	FAKE_LOG=$T_TMP/fake.jsonl
	: > "$FAKE_LOG"
	python3 "$TOP/test/fake_am.py" --port "$FP" --log "$FAKE_LOG" --max-lifetime 240 \
	    >"$T_TMP/fake.out" 2>&1 &
	FAKE_PID=$!
	T_PIDS="$T_PIDS $FAKE_PID"
	FAKE_URL="http://127.0.0.1:$FP"
	wait_http "$FAKE_URL/-/healthy" || die "fake_am.py did not start"
}
# ctl JSON: switches the fake's faults (see test/fake_am.py).
ctl() { curl -fsS -o /dev/null -X POST --max-time 5 -d "$1" "$FAKE_URL/-/control" || die "fake control failed"; }
# posts: the fake's POST /api/v2/alerts requests as a JSON array.
posts() { jq -s '[.[] | select(.method == "POST" and (.path | endswith("/api/v2/alerts")))]' "$FAKE_LOG"; }

# sqlite_db NAME: path of a fresh SQLite ZMC database file under $T_TMP.
# Sets DB_CONN (an ODBC connection string through the real sqliteodbc driver).
sqlite_db() {
	DB_BACKEND=sqlite
	DB_FILE="$T_TMP/${1:-zmc}.db"
	rm -f "$DB_FILE"
	DB_CONN="Driver=SQLite3;Database=$DB_FILE;Timeout=5000"
}

# db_conf_lines: [database] lines besides the connection string: the
# PostgreSQL role and its password file.
db_conf_lines() {
	[ "${DB_BACKEND:-sqlite}" = postgresql ] || return 0
	printf '[database]\nusername = zmc\npassword_file = %s\n' "$PG_PWFILE"
}
# write_conf FILE [EXTRA-INI-LINES]: a config for the current DB and AM.
write_conf() {
	f=$1; shift
	mkdir -p "$T_TMP/state"
	cat > "$f" <<INI
[database]
connection = "$DB_CONN"
[alertmanager]
url = ${AM_URL:-http://127.0.0.1:9}
timeout = 5
retry_count = 1
retry_interval = 100
[metrics]
textfile = $T_TMP/metrics/zmcsync.prom
[state]
dir = $T_TMP/state
INI
	mkdir -p "$T_TMP/metrics"
	[ $# -gt 0 ] && printf '%s\n' "$@" >> "$f"
	# Last, so line numbers of the lines above are the same on every backend.
	db_conf_lines >> "$f"
}

# --- PostgreSQL ---------------------------------------------------------------
# One server per script, started on first use: initdb into a private
# directory owned by the unprivileged server user (root runs the server
# tools through runuser), TCP on 127.0.0.1 only, the Unix socket in that
# directory, fsync off for speed (synchronous_commit stays on: a commit
# reaches the kernel before it is acknowledged, so a killed server keeps
# it, as the failure test needs).  zmcsync and psql log in as role "zmc"
# with a random password that is never printed and never in argv: zmcsync
# reads it from database.password_file, psql from $PGPASSFILE.

# pg_bindir: the directory holding initdb and pg_ctl, or fails.
pg_bindir() {
	for d in "${PG_BINDIR:-}" "$(pg_config --bindir 2>/dev/null)" \
	    $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
		[ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
	done
	return 1
}
# pg_as CMD...: runs a server tool as the server user (root may not run them).
pg_as() {
	if [ "$(id -u)" = 0 ]; then runuser -u "$PG_USER" -- "$@"; else "$@"; fi
}
# pg_super: psql as the superuser over the private Unix socket; SQL on stdin.
pg_super() {
	"$PSQL" -h "$PG_ROOT" -p "$PG_PORT" -U postgres -d postgres -qtAX -v ON_ERROR_STOP=1 "$@"
}
# pg_up: starts the initialised server; 0 when it accepts connections.
pg_up() {
	pg_as "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$PG_ROOT/server.log" -w -t 30 start \
	    >"$T_TMP/pg-ctl.out" 2>&1
}
# pg_start: initdb + start, once per script; sets PG_PORT, PGDATA_DIR,
# PGPASSFILE and PG_PWFILE (the zmc role's password, mode 0600).
pg_start() {
	[ -n "${PGDATA_DIR:-}" ] && return 0
	PG_BIN=$(pg_bindir) || die "missing component: PostgreSQL server (initdb and pg_ctl; Debian package postgresql)"
	# The server's own psql: /usr/bin/psql may be a slower wrapper script.
	PSQL=$PG_BIN/psql
	[ -x "$PSQL" ] || { need psql; PSQL=psql; }
	odbcinst -q -d -n "PostgreSQL Unicode" >/dev/null 2>&1 ||
	    die "missing component: psqlODBC (ODBC driver \"PostgreSQL Unicode\" in odbcinst.ini; Debian package odbc-postgresql)"
	# Debian registers psqlODBC with CommLog=1, which leaves a
	# /tmp/psqlodbc_<program>_<user><pid>.log behind every connection: the
	# tests read a copy of the system's driver list with driver logging
	# off (the same drivers), as sql/README.md advises operators.
	sysini=$(odbcinst -j 2>/dev/null | sed -n 's/^DRIVERS\.*: //p')
	[ -r "$sysini" ] || die "missing component: unixODBC driver list (odbcinst -j)"
	mkdir -p "$T_TMP/odbc"
	sed -e 's/^[[:space:]]*\(CommLog\|Debug\)[[:space:]]*=.*/\1=0/' "$sysini" > "$T_TMP/odbc/odbcinst.ini"
	ODBCSYSINI=$T_TMP/odbc
	export ODBCSYSINI
	PG_USER=${ZMC_PG_USER:-postgres}
	if [ "$(id -u)" = 0 ]; then
		id "$PG_USER" >/dev/null 2>&1 || die "missing component: user $PG_USER to run the PostgreSQL server as"
		need runuser
	fi
	# Outside $T_TMP, which stays private to us: only the server's files here.
	PG_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/zmcsync-pg.XXXXXX") || die "postgresql: mktemp failed"
	PGDATA_DIR=$PG_ROOT/data
	[ "$(id -u)" = 0 ] && chown "$PG_USER" "$PG_ROOT"
	pg_as "$PG_BIN/initdb" -D "$PGDATA_DIR" -U postgres --auth-local=trust \
	    --auth-host=scram-sha-256 -E UTF8 --no-locale --no-sync >"$T_TMP/pg-initdb.log" 2>&1 ||
	    { cat "$T_TMP/pg-initdb.log" >&2; die "postgresql: initdb as $PG_USER in $PG_ROOT failed"; }
	PG_PORT=$(freeport) || die "freeport failed"
	cat >> "$PGDATA_DIR/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_ROOT'
fsync = off
full_page_writes = off
max_connections = 30
shared_buffers = 16MB
CONF
	pg_up || { cat "$T_TMP/pg-ctl.out" "$PG_ROOT/server.log" >&2; die "postgresql: server did not start on 127.0.0.1:$PG_PORT"; }
	PG_PASSWORD=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	PG_PWFILE=$T_TMP/pg.password
	PGPASSFILE=$T_TMP/pgpass
	export PGPASSFILE
	t_secret "$PG_PASSWORD"
	t_secret_file "$PG_PWFILE" "$PGPASSFILE"
	( umask 077
	  printf '%s\n' "$PG_PASSWORD" > "$PG_PWFILE"
	  printf '127.0.0.1:%s:*:zmc:%s\n' "$PG_PORT" "$PG_PASSWORD" > "$PGPASSFILE" )
	printf "CREATE ROLE zmc LOGIN PASSWORD '%s';\n" "$PG_PASSWORD" | pg_super ||
	    die "postgresql: cannot create role zmc"
}
# pg_stop [MODE]: stops the server (fast: disconnects clients, clean shutdown).
pg_stop() {
	pg_as "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m "${1:-fast}" -w -t 30 stop >"$T_TMP/pg-ctl.out" 2>&1
}
# pg_restart: starts the stopped server again (same port, same data).
pg_restart() {
	pg_up || { cat "$T_TMP/pg-ctl.out" "$PG_ROOT/server.log" >&2; die "postgresql: server did not restart"; }
}
# pg_stop_quiet: on exit: stop at once and remove the server's directory.
pg_stop_quiet() {
	pg_as "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m immediate -w -t 30 stop >/dev/null 2>&1
	rm -rf "$PG_ROOT"
	PGDATA_DIR=
}
# pg_db NAME [ENCODING]: a fresh database NAME owned by zmc (dropped first);
# sets DB_BACKEND, DB_NAME and DB_CONN (psqlODBC, see sql/README.md).  The
# password is not in DB_CONN: write_conf adds username and password_file.
pg_db() {
	pg_start
	DB_BACKEND=postgresql
	DB_NAME=${1:-zmc}
	pg_super <<SQL || die "postgresql: cannot create database $DB_NAME"
SET client_min_messages = warning;
DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE);
CREATE DATABASE $DB_NAME OWNER zmc ENCODING '${2:-UTF8}' TEMPLATE template0;
SQL
	DB_CONN="Driver=${PG_DRIVER:-PostgreSQL Unicode};Servername=127.0.0.1;Port=$PG_PORT;Database=$DB_NAME;UseDeclareFetch=1;Fetch=1000;KeepaliveTime=30;KeepaliveInterval=10;pqopt={application_name=zmcsync};${PG_CONN_EXTRA:-}"
}

# sql_file FILE: runs a script file on the current test database, as a
# DBA would apply it by hand.
sql_file() {
	case ${DB_BACKEND:-sqlite} in
	sqlite) sqlite3 -bail "$DB_FILE" < "$1" ;;
	postgresql) "$PSQL" -h 127.0.0.1 -p "$PG_PORT" -U zmc -d "$DB_NAME" -qX \
	    -v ON_ERROR_STOP=1 -f "$1" >/dev/null ;;
	esac
}
# sql_defer: collect the next sql calls; sql_flush runs them (0 ok).
sql_defer() { SQL_DEFERRED=; }
sql_flush() {
	q=${SQL_DEFERRED-}
	unset SQL_DEFERRED
	[ -z "$q" ] || sql "$q"
}

# zmc_db [NAME]: a fresh ZMC database of $ZMC_BACKEND (see the header);
# on PostgreSQL in the server encoding $ZMC_DB_ENCODING (UTF8).
zmc_db() {
	case $ZMC_BACKEND in
	sqlite) need sqlite3; sqlite_db "$@" ;;
	postgresql) pg_db "${1:-zmc}" "${ZMC_DB_ENCODING:-UTF8}" ;;
	*) die "ZMC_BACKEND=$ZMC_BACKEND: not sqlite or postgresql" ;;
	esac
}

# with_db NAME CMD...: runs CMD with a fresh, empty database NAME of
# $ZMC_BACKEND as the current one (DB_CONN, sql), then makes the previous
# database current again.
with_db() {
	wd_name=$1; shift
	wd_save="${DB_BACKEND:-}|${DB_FILE:-}|${DB_NAME:-}|${DB_CONN:-}"
	zmc_db "$wd_name"
	"$@"; wd_rc=$?
	IFS='|' read -r DB_BACKEND DB_FILE DB_NAME DB_CONN <<<"$wd_save"
	return $wd_rc
}
# dead_db_conn: a connection string of $ZMC_BACKEND's driver to a
# database that cannot be reached (no trailing ";").
dead_db_conn() {
	case $ZMC_BACKEND in
	sqlite) echo "Driver=SQLite3;Database=$T_TMP/missing/dir/zmc.db;Timeout=500" ;;
	postgresql) echo "Driver=PostgreSQL Unicode;Servername=127.0.0.1;Port=$(freeport);Database=zmc" ;;
	esac
}

# sql "STATEMENTS": runs SQL on the current test database (the last
# sqlite_db / pg_db); prints result rows, columns separated by "|", NULL
# as "" on both backends.  Between sql_defer and sql_flush, statements
# are collected and then run in one go (one client start instead of one
# per fixture call: a psql start costs tens of milliseconds).
sql() {
	if [ -n "${SQL_DEFERRED+x}" ]; then
		SQL_DEFERRED="$SQL_DEFERRED$1
;
"
		return 0
	fi
	case ${DB_BACKEND:-sqlite} in
	sqlite) sqlite3 "$DB_FILE" "$1" ;;
	postgresql) "$PSQL" -h 127.0.0.1 -p "$PG_PORT" -U zmc -d "$DB_NAME" -qtAX \
	    -v ON_ERROR_STOP=1 -c "$1" ;;
	esac
}
