# lib/leak.sh: the test secrets and the leak check (sourced by lib.sh).
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
