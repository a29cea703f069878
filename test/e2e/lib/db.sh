# lib/db.sh: the ZMC database of a test and zmcsync's configuration
# (sourced by lib.sh): SQLite files, the backend switch (ZMC_BACKEND),
# running SQL on either backend.  The PostgreSQL server is lib/pg.sh's.

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
