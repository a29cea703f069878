#!/bin/bash
# t_fault_short.sh: the short fault campaign of `make check`: a fixed
# seed (FAULT_SEED, default 20261130) and about a minute of runs on
# SQLite against one real Alertmanager behind the fault proxy, every
# fault kind (test/fault/campaign; `make fault` is the long campaign).
# One check per invariant of the oracle, so a failure names it; the
# campaign's summary and its first violations are printed on failure.
. "$(dirname "$0")/lib.sh"
need python3
need prometheus-alertmanager
[ -e /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 ] ||
    die "missing component: libfaketime (Debian package libfaketime)"
seed=${FAULT_SEED:-20261130}
out=$T_TMP/campaign.out
ZMCSYNC=$ZMCSYNC python3 "$TOP/test/fault/campaign" --seed "$seed" --backend sqlite \
    --runs 1000 --max-seconds "${FAULT_SECONDS:-60}" >"$out" 2>&1
rc=$?
[ -n "${T_VERBOSE:-}" ] && cat "$out"
check "campaign finished (exit 0 or 1, not a harness failure)" test "$rc" -le 1
check "campaign made at least 30 runs" test "$(sed -n 's/^runs: \([0-9]*\) .*/\1/p' "$out")" -ge 30
known=0
for inv in "U alarm active" "U alarm active exactly once" "right labels" \
    "U alarm not silenced" "everything else resolved" "one silence per masked alarm" \
    "no orphan silence" "every transition notified" "no stale notification" \
    "run exit status" "a run ends" \
    "last convergence run exits 0" "alertmanager reachable" "sanitizer clean"; do
	n=$(grep -c "^FAIL.*invariant=\"$inv\"" "$out")
	known=$((known + n))
	check_eq "seed $seed: invariant \"$inv\" holds" "$n" 0
done
check_eq "no other invariant failed" "$(grep -c '^FAIL' "$out")" "$known"
if [ "$rc" -ne 0 ]; then
	grep -v '^    ' "$out" | grep -v '^FAIL' >&2
	grep -A8 '^FAIL' "$out" | head -40 >&2
fi
t_done
