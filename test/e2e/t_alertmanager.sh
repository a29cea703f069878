#!/bin/bash
# t_alertmanager.sh: the Alertmanager client (src/alertmanager.c) through
# test/am_driver, first against a real Alertmanager (push, read back,
# resolve, silences, HA members), then against test/fake_am.py for the
# faults a real one will not produce on demand (503, 429, 400, slowness)
# and for what goes over the wire (auth, headers, path prefix).
. "$(dirname "$0")/lib.sh"

DRV=${AM_DRIVER:-$(dirname "$ZMCSYNC")/am_driver}
[ -x "$DRV" ] || die "missing component: $DRV (make $(basename "$(dirname "$ZMCSYNC")")/am_driver)"
need jq
need python3
need curl

TRACE=$T_TMP/trace
# drv ARGS...: runs the driver with AM_* from the environment; stdout in
# $T_TMP/out, exit status in $RC, observer lines in $TRACE (fresh each call).
drv() {
	: > "$TRACE"
	AM_TRACE=$TRACE "$DRV" "$@" > "$T_TMP/out" 2> "$T_TMP/err"
	RC=$?
	OUT=$(cat "$T_TMP/out")
	# under the sanitizer build, any report is a failure of its own
	if grep -q 'Sanitizer\|runtime error' "$T_TMP/err"; then
		fail "sanitizer report from: am_driver $*"; head -20 "$T_TMP/err" >&2
	fi
}
# rfc TIME: epoch seconds as RFC 3339 UTC
rfc() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
# ms: milliseconds since the epoch
ms() { date +%s%3N; }
# nosub: strips fractional seconds from an RFC 3339 time
nosub() { sed -E 's/\.[0-9]+Z$/Z/'; }

DEAD=$(freeport)	# nothing listens here

# ---------------------------------------------------------------------
# Real Alertmanager
am_start
export AM_URLS=$AM_URL AM_RETRY_COUNT=1 AM_RETRY_INTERVAL=100 AM_TIMEOUT=5

now=$(date +%s)
S1=$(rfc $((now - 300))); E1=$(rfc $((now + 3600)))
S2=$(rfc $((now - 600))); E2=$(rfc $((now + 3600)))
cat > "$T_TMP/a.json" <<EOF
[{"labels":{"alertname":"ZmcTest","alarm_id":"1001","instance":"10.0.0.1","severity":"critical","application":"计费系统"},
  "annotations":{"summary":"数据库连接失败","description":"主机 10.0.0.1 上的\"进程\"异常\n第二行 \\\\ 反斜杠 ✓ 😀","runbook":"重启服务 / restart"},
  "startsAt":"$S1","endsAt":"$E1"},
 {"labels":{"alertname":"ZmcTest","alarm_id":"1002","instance":"10.0.0.2","severity":"warning"},
  "annotations":{"summary":"磁盘空间不足"},"startsAt":"$S2","endsAt":"$E2"}]
EOF
jq -e . "$T_TMP/a.json" >/dev/null || die "test input a.json is not JSON"

drv push "$T_TMP/a.json"
check_eq "real: push returns 0" "$RC" 0
check_eq "real: both alerts accepted" "$(head -1 "$T_TMP/out")" "accepted 2"
check_eq "real: one POST request observed" "$(grep -c '^request POST .*/api/v2/alerts code=200 alerts=2' "$TRACE")" 1

am_alerts 'filter=alarm_id="1001"' > "$T_TMP/got.json"
check_eq "real: alert 1001 read back once" "$(jq length "$T_TMP/got.json")" 1
check_eq "real: labels byte-exact" \
    "$(jq -cS '.[0].labels' "$T_TMP/got.json")" "$(jq -cS '.[0].labels' "$T_TMP/a.json")"
check_eq "real: annotations byte-exact (Chinese, quotes, newline, emoji)" \
    "$(jq -cS '.[0].annotations' "$T_TMP/got.json")" "$(jq -cS '.[0].annotations' "$T_TMP/a.json")"
check_eq "real: description raw bytes" \
    "$(jq -r '.[0].annotations.description' "$T_TMP/got.json" | od -An -tx1)" \
    "$(jq -r '.[0].annotations.description' "$T_TMP/a.json" | od -An -tx1)"
check_eq "real: startsAt" "$(jq -r '.[0].startsAt' "$T_TMP/got.json" | nosub)" "$S1"
check_eq "real: endsAt" "$(jq -r '.[0].endsAt' "$T_TMP/got.json" | nosub)" "$E1"

# resolve 1002: same labels, endsAt in the past
R2=$(rfc $((now - 30)))
jq --arg e "$R2" '[.[1] | .endsAt = $e]' "$T_TMP/a.json" > "$T_TMP/r.json"
check_eq "real: 1002 active before resolve" "$(am_alerts 'filter=alarm_id="1002"' | jq length)" 1
drv push "$T_TMP/r.json"
check_eq "real: resolve accepted" "$(head -1 "$T_TMP/out")" "accepted 1"
check_eq "real: resolved alert gone from active" "$(am_alerts 'filter=alarm_id="1002"&active=true' | jq length)" 0
check_eq "real: firing alert still active" "$(am_alerts 'filter=alarm_id="1001"&active=true' | jq length)" 1

# silences: idempotent create, exact matcher sets, expire twice
drv silence-create alertname=ZmcTest instance=10.0.0.1 alarm_code=告警-7 --hours 2 --comment "屏蔽 by test"
check_eq "real: silence created" "$RC" 0
SID1=$(sed -n 's/^silence //p' "$T_TMP/out")
check "real: silence id looks like a uuid" test "${#SID1}" -ge 16
drv silence-create alarm_code=告警-7 alertname=ZmcTest instance=10.0.0.1 --hours 2
SID2=$(sed -n 's/^silence //p' "$T_TMP/out")
check_eq "real: same matchers (any order) reuse the silence" "$SID2" "$SID1"
check_eq "real: reuse posted nothing" "$(grep -c '^request POST' "$TRACE")" 0
check_eq "real: one active zmcsync silence with these matchers" \
    "$(am_silences | jq '[.[] | select(.createdBy=="zmcsync" and .status.state=="active")] | length')" 1
got=$(am_silences | jq -r --arg id "$SID1" '.[] | select(.id==$id) | [.comment, (.matchers|map(.name+"="+.value)|sort|join(","))] | join("|")')
check_eq "real: silence comment and matchers" "$got" "屏蔽 by test|alarm_code=告警-7,alertname=ZmcTest,instance=10.0.0.1"
# values the server-side filter syntax must escape
drv silence-create 'alertname=x "q" \ b, c}=~{' "instance=it's 中文"
SIDQ=$(sed -n 's/^silence //p' "$T_TMP/out")
drv silence-create "instance=it's 中文" 'alertname=x "q" \ b, c}=~{'
check_eq "real: quoted values reuse the silence" "$(sed -n 's/^silence //p' "$T_TMP/out")" "$SIDQ"
check_eq "real: quoted values: one filtered GET, no POST" "$(grep -c '^request GET .*filter=.* code=200' "$TRACE"),$(grep -c '^request POST' "$TRACE")" "1,0"
check_eq "real: quoted values stored byte-exact" \
    "$(am_silences | jq -r --arg id "$SIDQ" '.[] | select(.id==$id) | .matchers | map(.name+"="+.value) | sort | join("|")')" \
    'alertname=x "q" \ b, c}=~{|instance=it'"'"'s 中文'
drv silence-expire "$SIDQ"
drv silence-create alertname=ZmcTest instance=10.0.0.1
SID3=$(sed -n 's/^silence //p' "$T_TMP/out")
check "real: a subset of the matchers is a different silence" test -n "$SID3" -a "$SID3" != "$SID1"
# a silence by someone else with the same matchers is never reused
curl -fsS -o /dev/null -H 'Content-Type: application/json' -X POST "$AM_URL/api/v2/silences" \
    -d "{\"matchers\":[{\"name\":\"alertname\",\"value\":\"Other\",\"isRegex\":false,\"isEqual\":true}],\"startsAt\":\"$(rfc "$now")\",\"endsAt\":\"$E1\",\"createdBy\":\"operator\",\"comment\":\"manual\"}"
drv silence-create alertname=Other
SID4=$(sed -n 's/^silence //p' "$T_TMP/out")
check_eq "real: operator's silence not reused" \
    "$(am_silences | jq -r --arg id "$SID4" '.[] | select(.id==$id) | .createdBy')" "zmcsync"
drv silences
check_eq "real: silences lists only ours" "$(jq -r '[.[].createdBy] | unique | join(",")' "$T_TMP/out")" "zmcsync"
check_eq "real: silences lists all four of ours (any state)" "$(jq length "$T_TMP/out")" 4

drv silence-expire "$SID1"
check_eq "real: expire" "$OUT" "expired"
check_eq "real: silence expired in Alertmanager" \
    "$(am_silences | jq -r --arg id "$SID1" '.[] | select(.id==$id) | .status.state')" "expired"
drv silence-expire "$SID1"
check_eq "real: second expire is fine" "$OUT" "expired"
check_eq "real: second expire not retried" "$(grep -c '^request DELETE' "$TRACE")" 1
drv silence-expire 00000000-0000-0000-0000-000000000000
check_eq "real: expiring an unknown silence is fine" "$OUT" "expired"
check_eq "real: unknown silence not retried" "$(grep -c '^request DELETE' "$TRACE")" 1
drv silence-create alarm_code=告警-7 alertname=ZmcTest instance=10.0.0.1
SID5=$(sed -n 's/^silence //p' "$T_TMP/out")
check "real: an expired silence is not reused" test -n "$SID5" -a "$SID5" != "$SID1"

drv status
check_eq "real: status exit" "$RC" 0
check_eq "real: status version" "$(jq -r .version "$T_TMP/out")" "$(curl -fsS "$AM_URL/api/v2/status" | jq -r .versionInfo.version)"
check_eq "real: status healthy" "$(jq -r .healthy "$T_TMP/out")" true
check_eq "real: status cluster" "$(jq -r .cluster_status "$T_TMP/out")" "$(curl -fsS "$AM_URL/api/v2/status" | jq -r .cluster.status)"
check_eq "real: status active alerts" "$(jq -r .active_alerts "$T_TMP/out")" \
    "$(am_alerts 'active=true&silenced=false&inhibited=false' | jq length)"
check_eq "real: status active silences" "$(jq -r .active_silences "$T_TMP/out")" \
    "$(am_silences | jq '[.[] | select(.status.state=="active")] | length')"
check_eq "real: status url" "$(jq -r .url "$T_TMP/out")" "$AM_URL"
drv healthy
check_eq "real: healthy" "$OUT" "healthy $AM_URL"

# HA: first member down
AM_URLS="http://127.0.0.1:$DEAD,$AM_URL" drv push-n 3
check_eq "ha: push counts with one member down" "$(head -1 "$T_TMP/out")" "accepted 3"
check_eq "ha: exit 0" "$RC" 0
check_eq "ha: dead member tried with retry" "$(grep -c "^request POST http://127.0.0.1:$DEAD/api/v2/alerts code=0" "$TRACE")" 2
check_eq "ha: alerts arrived on the live member" "$(am_alerts 'filter=alertname="AmDriverTest"' | jq length)" 3
AM_URLS="http://127.0.0.1:$DEAD,$AM_URL" drv silence-create alertname=HaTest
SIDH=$(sed -n 's/^silence //p' "$T_TMP/out")
check "ha: silence created past a dead member" test -n "$SIDH"
check_eq "ha: silence is on the live member" "$(am_silences | jq -r --arg id "$SIDH" '.[] | select(.id==$id) | .status.state')" "active"
AM_URLS="http://127.0.0.1:$DEAD,$AM_URL" drv silence-expire "$SIDH"
check_eq "ha: expire past a dead member" "$OUT" "expired"

# all members down
DEAD2=$(freeport)
AM_URLS="http://127.0.0.1:$DEAD,http://127.0.0.1:$DEAD2" drv push-n 2
check_eq "down: push returns -1" "$(head -1 "$T_TMP/out")" "accepted -1"
check_eq "down: driver exit 5" "$RC" 5
check_eq "down: error names member and reason" "$(sed -n 2p "$T_TMP/out")" \
    "alert 0 error alertmanager http://127.0.0.1:$DEAD: connection refused"
check_eq "down: every member tried (2 attempts each)" "$(grep -c '^request POST' "$TRACE")" 4
AM_URLS="http://127.0.0.1:$DEAD,http://127.0.0.1:$DEAD2" drv silence-create alertname=X
check_eq "down: silence create fails" "$RC" 1
check "down: silence error names a member" grep -q '^error alertmanager http://127.0.0.1:[0-9]*: connection refused$' "$T_TMP/out"
AM_URLS="http://127.0.0.1:$DEAD" drv status
check_eq "down: status reports unhealthy with error" "$(jq -r '[.healthy, .error] | join("|")' "$T_TMP/out")" \
    "false|alertmanager http://127.0.0.1:$DEAD: connection refused"
AM_URLS="http://127.0.0.1:$DEAD" drv healthy
check_eq "down: healthy exit 1" "$RC" 1

# bad configuration
AM_URLS="ftp://127.0.0.1:1" drv healthy
check_eq "config: ftp URL rejected" "$RC" 3
AM_URLS="http://u:s3cr3t-url@127.0.0.1:$DEAD" drv healthy
check "config: URL credentials never printed" sh -c "! grep -q s3cr3t-url '$T_TMP/out' '$TRACE' '$T_TMP/err'"

# ---------------------------------------------------------------------
# Fake Alertmanager with faults
t_secret "pw-Секрет-1" "tok-abc-123" "$(printf "zmc:pw-Секрет-1" | base64 -w0)"
FP=$(freeport)
FLOG=$T_TMP/fake.jsonl
FAKE_AM_USER=zmc FAKE_AM_PASSWORD=pw-Секрет-1 FAKE_AM_TOKEN=tok-abc-123 \
    python3 "$TOP/test/fake_am.py" --port "$FP" --log "$FLOG" --prefix /alertmanager --max-lifetime 120 \
    > "$T_TMP/fake.log" 2>&1 &
T_PIDS="$T_PIDS $!"
FURL=http://127.0.0.1:$FP/alertmanager
wait_http "$FURL/-/healthy" || die "fake_am.py did not start"
ctl() { curl -fsS -o /dev/null -X POST --max-time 5 -d "$1" "http://127.0.0.1:$FP/-/control" || die "fake control failed"; }
nreq() { wc -l < "$FLOG" | tr -d ' '; }
unset AM_USERNAME AM_PASSWORD AM_BEARER_TOKEN AM_HEADERS AM_DEADLINE
export AM_URLS="$FURL/" AM_RETRY_COUNT=3 AM_RETRY_INTERVAL=50 AM_TIMEOUT=5

ctl '{"reset":true}'
drv push-n 3
check_eq "fake: path prefix honoured (trailing slash dropped)" "$(jq -r .path "$FLOG")" "/api/v2/alerts"
check_eq "fake: push ok" "$(head -1 "$T_TMP/out")" "accepted 3"
check "fake: user agent" grep -q '"user_agent": "zmcsync/' "$FLOG"
check_eq "fake: no auth by default" "$(jq -r .auth "$FLOG")" "none"

ctl '{"reset":true}'
AM_URLS=http://127.0.0.1:$FP drv push-n 2
check_eq "fake: wrong prefix gets 404 and is not retried" "$(nreq)" 1
check_eq "fake: 404 counts as answered: accepted 0, not -1" "$(head -1 "$T_TMP/out")" "accepted 0"
check "fake: 404 error text" grep -q "^alert 0 error alertmanager http://127.0.0.1:$FP: 404 not found under prefix$" "$T_TMP/out"

ctl '{"reset":true,"fail503":2}'
drv push-n 3
check_eq "fake: 503 twice then success" "$(head -1 "$T_TMP/out")" "accepted 3"
check_eq "fake: 503 retried: 3 requests" "$(nreq)" 3
check_eq "fake: observer saw every attempt" "$(grep -c '^request POST' "$TRACE")" 3
check_eq "fake: 503 error in observer is one line" "$(grep -c 'code=503 .* error=503 service unavailable down for maintenance$' "$TRACE")" 2

ctl '{"reset":true,"fail503":10}'
AM_RETRY_COUNT=2 drv push-n 2
check_eq "fake: 503 after all retries -> -1" "$(head -1 "$T_TMP/out")" "accepted -1"
check_eq "fake: retry_count 2 means 3 attempts" "$(nreq)" 3
check_eq "fake: 503 error text" "$(sed -n 2p "$T_TMP/out")" \
    "alert 0 error alertmanager $FURL: 503 service unavailable down for maintenance"

ctl '{"reset":true,"status400":true}'
drv push-n 1
check_eq "fake: 400 single alert not retried" "$(nreq)" 1
check_eq "fake: 400 means answered: accepted 0" "$(head -1 "$T_TMP/out")" "accepted 0"
check_eq "fake: 400 exit 0" "$RC" 0
drv push-n 2
check_eq "fake: 400 batch of 2 split once, never retried" "$(nreq)" 4

ctl '{"reset":true}'
drv push-n 7 4
check_eq "fake: split: 6 of 7 accepted" "$(head -1 "$T_TMP/out")" "accepted 6"
check_eq "fake: split: only alert 4 failed" "$(grep -c ' error ' "$T_TMP/out")" 1
check "fake: split: alert 4 carries the 400 body" \
    grep -qxF "alert 4 error alertmanager $FURL: 400 {\"code\": 400, \"message\": \"invalid alert: BAD\\nsecond line\"}" "$T_TMP/out"
check_eq "fake: split: the good six stored" "$(curl -fsS "$FURL/api/v2/alerts" | jq '[.[] | select(.labels.alertname=="AmDriverTest")] | length')" 6
n=$(jq -s '[.[] | select(.method=="POST")] | length' "$FLOG")
check "fake: split bounded ($n POSTs <= 2*7)" test "$n" -le 14
check_eq "fake: split requests reuse one connection" "$(jq -s '[.[] | select(.method=="POST") | .peer_port] | unique | length' "$FLOG")" 1
check_eq "fake: split: a single-alert request isolates BAD" \
    "$(jq -s '[.[] | select(.method=="POST" and .alerts==1)] | length >= 1' "$FLOG")" true
ctl '{"reset":true}'
drv push-n 6 0,5
check_eq "fake: split: two bad alerts isolated" "$(grep -c ' error ' "$T_TMP/out")" 2
check_eq "fake: split: rest accepted" "$(head -1 "$T_TMP/out")" "accepted 4"

ctl '{"reset":true,"fail429":1,"retry_after":1}'
t0=$(ms); drv push-n 2; t1=$(ms)
check_eq "fake: 429 retried" "$(head -1 "$T_TMP/out")" "accepted 2"
check_eq "fake: 429 then success: 2 requests" "$(nreq)" 2
check "fake: Retry-After 1 honoured ($((t1 - t0)) ms)" test $((t1 - t0)) -ge 950
ctl '{"reset":true,"fail429":5,"retry_after":600}'
t0=$(ms); drv push-n 1; t1=$(ms)
check_eq "fake: a long Retry-After stops retrying" "$(nreq)" 1
check_eq "fake: 429 only -> unreachable" "$(head -1 "$T_TMP/out")" "accepted -1"
check "fake: and does not wait ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 2000

ctl '{"reset":true,"delay":4}'
t0=$(ms); AM_TIMEOUT=1 AM_RETRY_COUNT=0 drv push-n 1; t1=$(ms)
check "fake: timeout respected ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 2500 -a $((t1 - t0)) -ge 900
check "fake: timeout reported" grep -q "^alert 0 error alertmanager $FURL: operation timed out" "$T_TMP/out"
check_eq "fake: timeout -> unreachable" "$(head -1 "$T_TMP/out")" "accepted -1"
t0=$(ms); AM_TIMEOUT=1 AM_RETRY_COUNT=10 AM_RETRY_INTERVAL=200 AM_DEADLINE=2 drv push-n 1; t1=$(ms)
check "fake: deadline bounds retries ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 4500
ctl '{"reset":true}'
AM_DEADLINE=0 drv push-n 1
check_eq "fake: nothing starts after the deadline" "$(nreq)" 0
check "fake: deadline reason" grep -q "deadline reached" "$T_TMP/out"

ctl '{"reset":true}'
AM_USERNAME=zmc AM_PASSWORD=pw-Секрет-1 drv push-n 1
check_eq "fake: basic auth sent and correct" "$(jq -r '[.auth, .auth_ok] | join(",")' "$FLOG")" "basic,true"
check "fake: password never in output" sh -c "! grep -q 'pw-Секрет-1' '$T_TMP/out' '$TRACE' '$T_TMP/err' '$FLOG'"
ctl '{"reset":true}'
AM_BEARER_TOKEN=tok-abc-123 drv push-n 1
check_eq "fake: bearer token sent and correct" "$(jq -r '[.auth, .auth_ok] | join(",")' "$FLOG")" "bearer,true"
check "fake: token never in output" sh -c "! grep -q 'tok-abc-123' '$T_TMP/out' '$TRACE' '$T_TMP/err' '$FLOG'"
ctl '{"reset":true}'
AM_URLS="http://zmc:pw-%D0%A1%D0%B5%D0%BA%D1%80%D0%B5%D1%82-1@127.0.0.1:$FP/alertmanager" drv push-n 1
check_eq "fake: URL userinfo becomes basic auth" "$(jq -r '[.auth, .auth_ok] | join(",")' "$FLOG")" "basic,true"
check "fake: URL password never in output" sh -c "! grep -q 'pw-' '$T_TMP/out' '$TRACE' '$T_TMP/err'"
ctl '{"reset":true}'
AM_HEADERS="X-Scope-OrgID: tenant-7;X-Zmc-Test: a b" drv push-n 1
check_eq "fake: extra headers sent" "$(jq -cS .headers "$FLOG")" '{"X-Scope-OrgID":"tenant-7","X-Zmc-Test":"a b"}'

ctl '{"reset":true}'
drv silence-create alertname=A instance=h1
SIDF=$(sed -n 's/^silence //p' "$T_TMP/out")
drv silence-expire "$SIDF"
check_eq "fake: expire" "$OUT" "expired"
drv silence-expire "$SIDF"
check_eq "fake: 500 already expired counts as done" "$OUT" "expired"
check_eq "fake: already expired not retried" "$(grep -c '^request DELETE' "$TRACE")" 1
drv silence-create alertname=A instance=h1
SIDF2=$(sed -n 's/^silence //p' "$T_TMP/out")
check "fake: expired silence replaced by a new one" test -n "$SIDF2" -a "$SIDF2" != "$SIDF"
ctl '{"filter400":true}'
drv silence-create alertname=A instance=h1
check_eq "fake: filter refused: falls back to the full list and reuses" "$(sed -n 's/^silence //p' "$T_TMP/out")" "$SIDF2"
check_eq "fake: filter refused: requests" "$(awk '{ f = ($3 ~ /filter=/) ? "filter=" : ""; sub("code=", "", $4); printf "%s %s%s ", $2, f, $4 }' "$TRACE")" \
    "GET filter=400 GET 200 "
ctl '{"filter400":false,"fail503":1}'
drv silence-create alertname=A instance=h1
check "fake: silence create retried past a 503" grep -q '^silence ' "$T_TMP/out"

ctl '{"reset":true,"garbage":true}'
drv silences
check_eq "fake: garbage silences body -> error, no crash" "$RC" 1
check_eq "fake: garbage error text" "$OUT" "error alertmanager $FURL: invalid JSON in response"
drv status
check_eq "fake: garbage status -> object with error" "$(jq -r .error "$T_TMP/out")" "alertmanager $FURL: invalid JSON in response"
drv silence-create alertname=G
check "fake: garbage list -> silence create fails cleanly" grep -q '^error alertmanager .*invalid JSON' "$T_TMP/out"
ctl '{"reset":true}'
drv status
check_eq "fake: status after garbage" "$(jq -c '[.healthy,.version,.cluster_status,.active_alerts,.active_silences]' "$T_TMP/out")" \
    '[true,"0.0.0-fake","ready",0,0]'

# ---------------------------------------------------------------------
# TLS: server verified through ca_file, insecure_skip_verify, client cert
need openssl
P=$T_TMP/pki
mkdir -p "$P"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=test-ca \
    -keyout "$P/ca.key" -out "$P/ca.pem" >/dev/null 2>&1 || die "openssl: CA"
for n in server client; do
	openssl req -newkey rsa:2048 -nodes -subj "/CN=$n" -keyout "$P/$n.key" -out "$P/$n.csr" >/dev/null 2>&1 &&
	printf 'subjectAltName=IP:127.0.0.1\n' > "$P/$n.ext" &&
	openssl x509 -req -in "$P/$n.csr" -CA "$P/ca.pem" -CAkey "$P/ca.key" -CAcreateserial \
	    -days 2 -extfile "$P/$n.ext" -out "$P/$n.pem" >/dev/null 2>&1 || die "openssl: $n cert"
done
TP=$(freeport)
python3 "$TOP/test/fake_am.py" --port "$TP" --log "$T_TMP/tls.jsonl" --max-lifetime 120 \
    --tls-cert "$P/server.pem" --tls-key "$P/server.key" > "$T_TMP/tls.log" 2>&1 &
T_PIDS="$T_PIDS $!"
TP2=$(freeport)
python3 "$TOP/test/fake_am.py" --port "$TP2" --log "$T_TMP/mtls.jsonl" --max-lifetime 120 \
    --tls-cert "$P/server.pem" --tls-key "$P/server.key" --client-ca "$P/ca.pem" > "$T_TMP/mtls.log" 2>&1 &
T_PIDS="$T_PIDS $!"
wait_http "https://127.0.0.1:$TP/-/healthy" -k || die "fake_am.py (TLS) did not start"
export AM_URLS=https://127.0.0.1:$TP AM_RETRY_COUNT=2
drv healthy
check_eq "tls: unknown CA refused" "$RC" 1
check "tls: certificate error reported" grep -qi "certificate" "$T_TMP/out"
check_eq "tls: certificate errors are not retried" "$(grep -c '^request' "$TRACE")" 1
AM_CA_FILE=$P/ca.pem drv push-n 2
check_eq "tls: ca_file verifies the server" "$(head -1 "$T_TMP/out")" "accepted 2"
AM_INSECURE=1 drv healthy
check_eq "tls: insecure_skip_verify" "$OUT" "healthy https://127.0.0.1:$TP"
export AM_URLS=https://127.0.0.1:$TP2 AM_CA_FILE=$P/ca.pem
drv healthy
check_eq "mtls: no client certificate refused" "$RC" 1
AM_CERT_FILE=$P/client.pem AM_KEY_FILE=$P/client.key drv push-n 1
check_eq "mtls: client certificate accepted" "$(head -1 "$T_TMP/out")" "accepted 1"
check_eq "mtls: request recorded" "$(jq -r .path "$T_TMP/mtls.jsonl" | tail -1)" "/api/v2/alerts"

t_done
