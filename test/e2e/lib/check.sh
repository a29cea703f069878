# lib/check.sh: assertions and the script's result (sourced by lib.sh).
# Each passing check counts in T_PASS (printed with T_VERBOSE=1), each
# failing one in T_FAIL with a "not ok" line on stderr; t_done prints the
# closing "N passed, N failed" line test/run sums.
T_PASS=0
T_FAIL=0

die() { T_FAIL=$((T_FAIL+1)); echo "FATAL: $*" >&2; echo "$T_PASS passed, $T_FAIL failed"; exit 1; }
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
