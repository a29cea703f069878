# lib.sh: shared harness for the end-to-end tests (sourced by test/e2e/t_*.sh).
# Starts real components on 127.0.0.1, on free ports, in a temporary
# directory, and stops them on exit.  Every wait is bounded.
# Each test script ends with `t_done`, which prints "N passed, N failed".

set -u
T_PASS=0
T_FAIL=0
TOP=$(cd "$(dirname "$0")/../.." && pwd)
: "${ZMCSYNC:=$TOP/build/zmcsync}"
FREEPORT=$TOP/build/freeport
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/zmcsync-test.XXXXXX")
T_PIDS=""

t_cleanup() {
	for p in $T_PIDS; do kill "$p" 2>/dev/null; done
	for p in $T_PIDS; do
		i=0; while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
		kill -9 "$p" 2>/dev/null
	done
	[ -n "${PGDATA_DIR:-}" ] && pg_stop_quiet
	rm -rf "$T_TMP"
}
trap t_cleanup EXIT
trap "exit 130" INT TERM

die() { echo "FATAL: $*" >&2; echo "$T_PASS passed, $((T_FAIL+1)) failed"; exit 1; }
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

# sqlite_db NAME: path of a fresh SQLite ZMC database file under $T_TMP.
# Sets DB_CONN (an ODBC connection string through the real sqliteodbc driver).
sqlite_db() {
	DB_FILE="$T_TMP/${1:-zmc}.db"
	rm -f "$DB_FILE"
	DB_CONN="Driver=SQLite3;Database=$DB_FILE;Timeout=5000"
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
	true
}

# sql "STATEMENT": runs SQL on the SQLite test database.
sql() { sqlite3 "$DB_FILE" "$1"; }
