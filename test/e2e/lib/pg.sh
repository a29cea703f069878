# lib/pg.sh: the PostgreSQL server of a script (sourced by lib.sh).
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
