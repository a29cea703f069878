#!/bin/bash
# t_tls.sh: TLS and basic auth against a real Alertmanager started with
# --web.config.file: a CA, server and client certificates made here with
# openssl (the server's for the IP 127.0.0.1), basic_auth_users with a
# bcrypt hash from htpasswd.  Verification is on by default; a wrong CA,
# a host name the certificate does not list, a missing client
# certificate and a wrong password each fail with a message naming the
# URL and the setting to fix; insecure_skip_verify works and warns.  The
# password is in a file only: never in argv, never in output.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zmc.sh"
need jq
need curl
need openssl
need htpasswd

PKI=$T_TMP/pki
mkdir -p "$PKI"
# cert NAME CA-NAME EXT-LINES...: an EC key and a certificate for it
# signed by CA-NAME ("" makes a self-signed CA).
cert() {
	n=$1 ca=$2; shift 2
	printf '%s\n' "$@" > "$PKI/$n.ext"
	if [ -z "$ca" ]; then
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		    -keyout "$PKI/$n.key" -out "$PKI/$n.crt" -days 2 -subj "/CN=zmcsync test $n" \
		    -addext basicConstraints=critical,CA:TRUE \
		    -addext keyUsage=critical,keyCertSign,cRLSign 2>"$PKI/$n.log"
	else
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		    -keyout "$PKI/$n.key" -out "$PKI/$n.csr" -subj "/CN=zmcsync test $n" 2>"$PKI/$n.log" &&
		openssl x509 -req -in "$PKI/$n.csr" -CA "$PKI/$ca.crt" -CAkey "$PKI/$ca.key" \
		    -CAcreateserial -days 2 -extfile "$PKI/$n.ext" -out "$PKI/$n.crt" 2>>"$PKI/$n.log"
	fi || { cat "$PKI/$n.log" >&2; die "openssl: cannot make certificate $n"; }
}
cert ca ""
cert other ""	# a CA that signed nothing Alertmanager shows
cert server ca "subjectAltName=IP:127.0.0.1" "extendedKeyUsage=serverAuth" \
    "keyUsage=critical,digitalSignature"
cert client ca "extendedKeyUsage=clientAuth" "keyUsage=critical,digitalSignature"
cert stranger other "extendedKeyUsage=clientAuth" "keyUsage=critical,digitalSignature"
chmod 0600 "$PKI"/*.key

# Basic auth: a random password in a 0600 file; htpasswd reads it on stdin.
AM_USER=zmc
PWFILE=$T_TMP/am.password
BADPW=$T_TMP/am.badpassword
( umask 077
  head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$PWFILE"
  echo "not-the-password" > "$BADPW" )
HASH=$(htpasswd -niBC 10 "$AM_USER" < "$PWFILE" | sed -n "s/^$AM_USER://p")
case $HASH in '$2'*) ;; *) die "htpasswd: no bcrypt hash" ;; esac

# web_config CLIENT-AUTH-TYPE: the Alertmanager's web config (it rereads
# the file on every connection, but the tests restart it anyway).
WEBCONF=$T_TMP/am/web.yml
web_config() {
	mkdir -p "$T_TMP/am"
	cat > "$WEBCONF" <<YML
tls_server_config:
  cert_file: $PKI/server.crt
  key_file: $PKI/server.key
  client_auth_type: $1
$([ "$1" = NoClientCert ] || echo "  client_ca_file: $PKI/ca.crt")
basic_auth_users:
  $AM_USER: '$HASH'
YML
}

# Client side of curl: CA, client certificate and credentials from a
# config file, so the password is never in curl's argv either.
CURLCONF=$T_TMP/curl.conf
( umask 077
  { printf 'cacert = "%s"\ncert = "%s"\nkey = "%s"\n' "$PKI/ca.crt" "$PKI/client.crt" "$PKI/client.key"
    printf 'user = "%s:%s"\n' "$AM_USER" "$(cat "$PWFILE")"; } > "$CURLCONF" )
acurl() { curl -K "$CURLCONF" -fsS --max-time 5 "$@"; }

# tls_am_start CLIENT-AUTH-TYPE: (re)starts the Alertmanager on its port
# with TLS and basic auth; sets AM_URL (https).
tls_am_start() {
	web_config "$1"
	am_launch am https --web.config.file="$WEBCONF"
	wait_http "$AM_URL/-/ready" -K "$CURLCONF" && return 0
	cat "$T_TMP/am/log" >&2
	die "alertmanager did not start on $AM_URL"
}
# The lib's helpers read Alertmanager through plain curl: over TLS here.
am_alerts() { acurl "$AM_URL/api/v2/alerts${1:+?$1}"; }

need prometheus-alertmanager
tls_am_start NoClientCert

# The Alertmanager really demands what the tests rely on.
check "alertmanager refuses plain http" \
    sh -c "! curl -fsS --max-time 5 -o /dev/null http://127.0.0.1:$(cat "$T_TMP/am/port")/api/v2/status"
check_eq "alertmanager answers 401 without credentials" \
    "$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' --cacert "$PKI/ca.crt" "$AM_URL/api/v2/status")" 401

zmc_init "[sync]" "history_hours = 24"
BASE=$CONF
# conf NAME KEY=VALUE...: a config: the base plus [alertmanager] keys.
conf() {
	n=$1; shift
	CONF=$T_TMP/$n.conf
	{ sed "s|^url = .*|url = $AM_URL|" "$BASE"; echo "[alertmanager]"
	  for kv in "$@"; do echo "${kv%%=*} = ${kv#*=}"; done; } > "$CONF"
}
GOOD="username=$AM_USER password_file=$PWFILE"
# shellcheck disable=SC2086
conf good ca_file="$PKI/ca.crt" $GOOD

# no_secret FILE...: fails when the password shows anywhere in FILEs
# (grep reads it from the file: not in argv either).
no_secret() {
	if grep -qFf "$PWFILE" "$@" 2>/dev/null; then fail "$1: password in output"
	else ok "no password in output"; fi
}

# --- right CA, basic auth: alerts arrive ------------------------------------
zmc_raise 101 9001 1 901 5
check_rc "run with the right CA exits 0" 0 zrun
check_eq "run with the right CA is quiet" "$(cat "$T_TMP/run.out" "$T_TMP/run.err")" ""
check_eq "alert 101 is in Alertmanager" "$(am_active_ids)" "101 "
check_eq "status of 101" "$(status 101)" FIRING
check_rc "check passes over TLS" 0 z check
check "check names the https member" grep -q "alertmanager $AM_URL" "$T_TMP/last.out"
check_rc "am-status over TLS" 0 z am-status --json
check_eq "am-status: healthy" "$(jq -r '.[0].healthy' "$T_TMP/last.out")" true
check_eq "am-status: version" "$(jq -r '.[0].version' "$T_TMP/last.out")" \
    "$(acurl "$AM_URL/api/v2/status" | jq -r .versionInfo.version)"
check_eq "am-status: one active alert" "$(jq -r '.[0].active_alerts' "$T_TMP/last.out")" 1
no_secret "$T_TMP/last.out" "$T_TMP/last.err" "$T_TMP/run.out" "$T_TMP/run.err"

# expect_fail DESC WANT-EXIT PATTERN CMD...: CMD exits WANT-EXIT and its
# stderr names the URL and matches the extended regex PATTERN.
expect_fail() {
	d=$1 w=$2 pat=$3; shift 3
	check_rc "$d: exit $w" "$w" "$@"
	if grep -qF "alertmanager $AM_URL" "$T_TMP/last.err" "$T_TMP/last.out" &&
	    grep -qiE "$pat" "$T_TMP/last.err" "$T_TMP/last.out"; then
		ok "$d: message"
	else
		fail "$d: no message naming $AM_URL and /$pat/"
		sed 's/^/    /' "$T_TMP/last.err" "$T_TMP/last.out" | head -10 >&2
	fi
	[ -n "${T_VERBOSE:-}" ] && grep -h "$AM_URL" "$T_TMP/last.err" "$T_TMP/last.out" | head -3 | sed 's/^/    # /'
	no_secret "$T_TMP/last.out" "$T_TMP/last.err"
}

# --- verification is on by default: no ca_file means the system store --------
zmc_raise 102 9002 2 901 5
# shellcheck disable=SC2086
conf sysca $GOOD
expect_fail "system CAs: run" 5 "certificate" z run
check_eq "system CAs: 102 not pushed" "$(am_active_ids)" "101 "
expect_fail "system CAs: check" 5 "certificate" z check
expect_fail "system CAs: am-status" 5 "certificate" z am-status

# --- the wrong CA --------------------------------------------------------------
# shellcheck disable=SC2086
conf wrongca ca_file="$PKI/other.crt" $GOOD
expect_fail "wrong CA: run" 5 "certificate" z run
check_eq "wrong CA: 102 not pushed" "$(am_active_ids)" "101 "
expect_fail "wrong CA: check" 5 "certificate" z check
expect_fail "wrong CA: am-status" 5 "certificate" z am-status
# the right CA, but a host name the certificate does not list
# shellcheck disable=SC2086
conf wrongname ca_file="$PKI/ca.crt" $GOOD
sed -i "s|^url = https://127.0.0.1:|url = https://localhost:|" "$CONF"
AM_URL_IP=$AM_URL
AM_URL=${AM_URL/127.0.0.1/localhost}
expect_fail "host name not in the certificate: check" 5 "not for this host" z check
AM_URL=$AM_URL_IP
# a ca_file that is no CA file at all
# shellcheck disable=SC2086
conf badca ca_file="$T_TMP/missing.crt" $GOOD
expect_fail "missing ca_file: run" 5 "missing.crt|ca" z run

# --- insecure_skip_verify: works, and says so -----------------------------------
# shellcheck disable=SC2086
conf insecure insecure_skip_verify=true $GOOD
check_rc "insecure_skip_verify: run exits 0" 0 zrun
check_eq "insecure_skip_verify: 102 pushed" "$(am_active_ids)" "101 102 "
check "insecure_skip_verify: run warns" grep -qE "warning: .*$AM_URL.*(verif|insecure)" "$T_TMP/run.err"
check_rc "insecure_skip_verify: check exits 0" 0 z check
check "insecure_skip_verify: check warns" grep -qE "warning: .*(verif|insecure)" "$T_TMP/last.err"

# --- wrong password: a clear 401 -----------------------------------------------
zmc_raise 103 9003 3 901 5
conf badpw ca_file="$PKI/ca.crt" username=$AM_USER password_file="$BADPW"
expect_fail "wrong password: run" 1 "401 Unauthorized.*username and password_file" z run
check_eq "wrong password: 103 not pushed" "$(am_active_ids)" "101 102 "
expect_fail "wrong password: check" 5 "401 Unauthorized.*username and password_file" z check
expect_fail "wrong password: am-status" 5 "401" z am-status
conf nouser ca_file="$PKI/ca.crt"
expect_fail "no credentials: check" 5 "401" z check

# --- client certificates required ----------------------------------------------
am_stop am
tls_am_start RequireAndVerifyClientCert
check "alertmanager refuses a client without a certificate" \
    sh -c "! curl -fsS --max-time 5 -o /dev/null --cacert '$PKI/ca.crt' '$AM_URL/-/healthy'"
# shellcheck disable=SC2086
conf mtls ca_file="$PKI/ca.crt" cert_file="$PKI/client.crt" key_file="$PKI/client.key" $GOOD
check_rc "client certificate: run exits 0" 0 zrun
# (Alertmanager keeps alerts in memory; the run sees it restarted and
# pushes every firing alarm again)
check_eq "client certificate: all firing pushed" "$(am_active_ids)" "101 102 103 "
check_rc "client certificate: check" 0 z check
check_rc "client certificate: am-status" 0 z am-status
# shellcheck disable=SC2086
conf nocert ca_file="$PKI/ca.crt" $GOOD
zmc_raise 104 9001 1 901 5
expect_fail "no client certificate: run" 5 "certificate|handshake|alert" z run
check_eq "no client certificate: 104 not pushed" "$(am_active_ids)" "101 102 103 "
expect_fail "no client certificate: check" 5 "certificate|handshake|alert" z check
# shellcheck disable=SC2086
conf strangecert ca_file="$PKI/ca.crt" cert_file="$PKI/stranger.crt" key_file="$PKI/stranger.key" $GOOD
expect_fail "client certificate of another CA: run" 5 "certificate|handshake|alert" z run
# a key that does not belong to the certificate
# shellcheck disable=SC2086
conf mismatch ca_file="$PKI/ca.crt" cert_file="$PKI/client.crt" key_file="$PKI/stranger.key" $GOOD
expect_fail "client key of another certificate: run" 5 "key|certificate" z run
CONF=$T_TMP/mtls.conf
check_rc "client certificate: a later run converges" 0 z run
check_eq "client certificate: 104 pushed" "$(am_active_ids)" "101 102 103 104 "

t_done
