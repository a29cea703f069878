# lib/proc.sh: process control (sourced by lib.sh): the components a
# script starts go in T_PIDS, and t_cleanup stops them on exit, collects
# what the leak check reads, stops PostgreSQL and removes $T_TMP.
T_PIDS=""

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

need() { command -v "$1" >/dev/null 2>&1 || [ -x "$1" ] || die "missing component: $1 (run scripts/bootstrap)"; }
freeport() { "$FREEPORT" || die "freeport failed"; }

# wait_http URL [CURL-OPTION...]: up to 10 s for a 200 (e.g. -k for a
# test certificate, -K FILE for credentials).
wait_http() {
	u=$1; shift
	i=0
	while [ $i -lt 100 ]; do
		curl -fsS "$@" -o /dev/null --max-time 1 "$u" 2>/dev/null && return 0
		sleep 0.1; i=$((i+1))
	done
	return 1
}
