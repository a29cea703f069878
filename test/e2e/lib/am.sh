# lib/am.sh: a real Alertmanager and the fault-injecting fake (sourced by
# lib.sh).

# am_launch NAME SCHEME [FLAG...]: launches a real Alertmanager whose data
# and port live in $T_TMP/NAME (so a restart keeps silences and its URL),
# with extra FLAGs; sets AM_PID and AM_URL (SCHEME://127.0.0.1:port).  It
# does not wait: callers check readiness their own way.
am_launch() {
	need prometheus-alertmanager
	n=$1 scheme=$2; shift 2
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
	    --cluster.listen-address= --log.level=warn "$@" \
	    >"$T_TMP/$n/log" 2>&1 &
	AM_PID=$!
	T_PIDS="$T_PIDS $AM_PID"
	echo "$AM_PID" > "$T_TMP/$n/pid"
	AM_URL="$scheme://127.0.0.1:$port"
}
# am_start [NAME]: starts a real Alertmanager (plain HTTP) and waits until
# it is ready; sets AM_URL (and AM_PID).
am_start() {
	n=${1:-am}
	am_launch "$n" http
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
