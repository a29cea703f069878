#!/bin/bash
# t_install.sh: make install into a DESTDIR (PREFIX=/usr, SYSCONFDIR=
# /etc/zmcsync) puts every file in place with the paths substituted, keeps
# an operator's edited configuration on reinstall, the installed binary
# works with the installed example configuration (init-db --demo and run
# against a demo SQLite database and a real Alertmanager), and make
# uninstall removes what install put.  The systemd units name the installed
# binary and pass systemd-analyze verify; the sysusers.d and tmpfiles.d
# files create the user, its directories and the config's group in a copy
# of the tree; the bash completion offers each command's options and every
# configuration key.
#
# Installing must reuse the tested build, never recompile it with other
# flags: the test installs from a copy of the build directory of
# $ZMCSYNC (so a concurrent build is never disturbed), checks that make
# plans no compilation, and that the installed binary is the tested one.
. "$(dirname "$0")/lib.sh"
need jq
need sqlite3
need mandoc
need make

BUILD_SRC=$(cd "$(dirname "$ZMCSYNC")" && pwd)
[ -x "$BUILD_SRC/zmcsync" ] || die "missing component: $BUILD_SRC/zmcsync (run make)"
cp -a "$BUILD_SRC" "$T_TMP/build" || die "cannot copy $BUILD_SRC"
# the unit tests in it are built with the test secrets they check for
t_secret_file "$T_TMP/build/"
R=$T_TMP/root
MK="make -C $TOP --no-print-directory DESTDIR=$R PREFIX=/usr SYSCONFDIR=/etc/zmcsync BUILD=$T_TMP/build"

# --- install reuses the build -------------------------------------------------
$MK -n install > "$T_TMP/plan" 2>&1
check_rc "make -n install" 0 $MK -n install
check_eq "install plans no compilation or linking" \
    "$(grep -E '(^| )(cc|gcc|clang|\$\(CC\))( |$)| -c -o ' "$T_TMP/plan" | head -n 3)" ""
check_rc "make install" 0 $MK install
check "installed binary is the tested build" cmp -s "$R/usr/bin/zmcsync" "$BUILD_SRC/zmcsync"
check "binary is executable" test -x "$R/usr/bin/zmcsync"

# --- files in place ---------------------------------------------------------------
for f in usr/share/man/man1/zmcsync.1 usr/share/man/man5/zmcsync.conf.5; do
	check "$f installed" test -s "$R/$f"
	check_eq "$f: no @PLACEHOLDER@ left" "$(grep -o '@[A-Z]*@' "$R/$f" | sort -u | tr '\n' ' ')" ""
	check "$f: SYSCONFDIR substituted" grep -q '/etc/zmcsync' "$R/$f"
	check_eq "$f: mandoc -Tlint" "$(mandoc -Tlint -W warning "$R/$f" 2>&1)" ""
done
check "example config installed" test -s "$R/etc/zmcsync/zmcsync.conf"
check "example config is the shipped one" cmp -s "$R/etc/zmcsync/zmcsync.conf" "$TOP/conf/zmcsync.conf"
check_eq "example config mode 0640 (it may hold a password)" "$(stat -c %a "$R/etc/zmcsync/zmcsync.conf")" 640
D=$R/usr/share/zmcsync
for d in sqlite postgresql oracle; do
	check "sql/$d installed with its scripts" test -n "$(ls "$D/sql/$d/"*.sql 2>/dev/null)"
	for f in "$TOP"/sql/$d/*.sql; do
		[ -e "$f" ] || continue
		check "sql/$d/$(basename "$f") identical" cmp -s "$f" "$D/sql/$d/$(basename "$f")"
	done
done
check "conf/ installed" test -s "$D/conf/zmcsync.conf"
check_eq "conf/ complete" "$(cd "$TOP/conf" && find . -type f | sort | md5sum)" "$(cd "$D/conf" && find . -type f | sort | md5sum)"
check "scripts/zmcsync.logrotate installed" cmp -s "$TOP/scripts/zmcsync.logrotate" "$D/scripts/zmcsync.logrotate"
check "scripts/zmcsync.cron installed" test -s "$D/scripts/zmcsync.cron"
check "cron: sync line names the installed binary" \
    grep -qE '^\* \* \* \* \*[[:space:]]+zmcsync[[:space:]]+/usr/bin/zmcsync -q run$' "$D/scripts/zmcsync.cron"
check "cron: daily cleanup line" \
    grep -qE '^[0-9]+ [0-9]+ \* \* \*[[:space:]]+zmcsync[[:space:]]+/usr/bin/zmcsync -q cleanup' "$D/scripts/zmcsync.cron"
# systemd units, sysusers.d, tmpfiles.d, completion: paths substituted
U=$R/usr/lib/systemd/system
for f in $U/zmcsync.service $U/zmcsync.timer $U/zmcsync-cleanup.service $U/zmcsync-cleanup.timer \
    $R/usr/lib/sysusers.d/zmcsync.conf $R/usr/lib/tmpfiles.d/zmcsync.conf $D/scripts/zmcsync.cron; do
	check "${f#$R/} installed" test -s "$f"
	check_eq "${f#$R/}: no @PLACEHOLDER@ left" "$(grep -o '@[A-Z]*@' "$f" | sort -u | tr '\n' ' ')" ""
done
check_eq "service ExecStart is BINDIR (PREFIX=/usr)" "$(grep '^ExecStart=' "$U/zmcsync.service")" \
    "ExecStart=/usr/bin/zmcsync -q run"
check_eq "cleanup service ExecStart" "$(grep '^ExecStart=' "$U/zmcsync-cleanup.service")" \
    "ExecStart=/usr/bin/zmcsync -q cleanup"
check "service: StateDirectory" grep -qx 'StateDirectory=zmcsync' "$U/zmcsync.service"
check "service: LogsDirectory" grep -qx 'LogsDirectory=zmcsync' "$U/zmcsync.service"
check "timer: every 15 s" grep -qx 'OnCalendar=\*:\*:0/15' "$U/zmcsync.timer"
check "timer: AccuracySec=1s" grep -qx 'AccuracySec=1s' "$U/zmcsync.timer"
check "cleanup timer: daily" grep -qE '^OnCalendar=\*-\*-\* [0-9:]+$' "$U/zmcsync-cleanup.timer"
# systemd-analyze verify needs ExecStart to exist: point it at the DESTDIR binary
need systemd-analyze
mkdir -p "$T_TMP/units"
for u in zmcsync.service zmcsync.timer zmcsync-cleanup.service zmcsync-cleanup.timer; do
	sed "s|=/usr/bin/zmcsync|=$R/usr/bin/zmcsync|" "$U/$u" > "$T_TMP/units/$u"
done
check_rc "systemd-analyze verify" 0 sh -c "cd '$T_TMP/units' && systemd-analyze verify --man=no ./zmcsync.service ./zmcsync.timer ./zmcsync-cleanup.service ./zmcsync-cleanup.timer"
check_eq "systemd-analyze verify: no complaint" "$(cat "$T_TMP/last.err")" ""
# sysusers.d and tmpfiles.d applied to a copy of the tree: user, group,
# directories, the configuration readable by the zmcsync group
need systemd-sysusers
need systemd-tmpfiles
S=$T_TMP/sysroot
mkdir -p "$S/etc"
cp -a "$R/usr" "$R/etc" "$S/" 2>/dev/null
: > "$S/etc/passwd"; : > "$S/etc/group"; : > "$S/etc/shadow"; : > "$S/etc/gshadow"
check_rc "systemd-sysusers --root" 0 systemd-sysusers --root="$S"
check_eq "sysusers: user zmcsync" "$(cut -d: -f1,6,7 "$S/etc/passwd")" "zmcsync:/var/lib/zmcsync:/usr/sbin/nologin"
check "sysusers: group zmcsync" grep -q '^zmcsync:' "$S/etc/group"
check_rc "systemd-tmpfiles --root --create" 0 systemd-tmpfiles --root="$S" --create
zid=$(cut -d: -f3 "$S/etc/passwd")
check_eq "tmpfiles: state directory" "$(stat -c '%u:%g %a' "$S/var/lib/zmcsync")" "$zid:$zid 750"
check_eq "tmpfiles: log directory" "$(stat -c '%u:%g %a' "$S/var/log/zmcsync")" "$zid:$zid 750"
check_eq "tmpfiles: config readable by the zmcsync group" "$(stat -c '%u:%g %a' "$S/etc/zmcsync/zmcsync.conf")" "0:$zid 640"
# bash completion
C=$R/usr/share/bash-completion/completions/zmcsync
check "bash completion installed" test -s "$C"
comp() { PATH=$R/usr/bin:$PATH bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _zmcsync; echo "${COMPREPLY[*]}"' comp "$C" "$@"; }
check_eq "completion: commands" "$(comp zmcsync '')" \
    "run trace check status alarms logs stats config cleanup silences am-status enable disable init-db version help"
check_eq "completion: logs options" "$(comp zmcsync logs --)" \
    "--operation --alarm-id --event-id --errors --since --until --limit --offset --output --json --wide --config --verbose --quiet"
check_eq "completion: output formats" "$(comp zmcsync alarms -o '')" "json wide text"
check_eq "completion: statuses" "$(comp zmcsync alarms --status '')" "PENDING FIRING RESOLVED SILENCED"
check_eq "completion: operations" "$(comp zmcsync logs --operation '')" \
    "PUSH_FIRING HEARTBEAT RELABEL PUSH_RESOLVED SILENCE EXPIRE_SILENCE SILENCE_ENDED"
check_eq "completion: config keys from the binary" "$(comp zmcsync -c x config get log.)" \
    "log.level log.format log.file log.retention_days"
check_eq "completion: every key config show lists" \
    "$(comp zmcsync config set '' | tr ' ' '\n' | sort | tr '\n' ' ')" \
    "$("$R/usr/bin/zmcsync" -c /dev/null config show --json 2>/dev/null | jq -r '.[].key' | sort | tr '\n' ' ')"
check_eq "completion: init-db dialects" "$(comp zmcsync init-db --dialect '')" "sqlite postgresql oracle"
# every long option of each command's usage is offered
for c in run trace check status alarms logs stats cleanup silences am-status init-db; do
	want=$("$R/usr/bin/zmcsync" help "$c" 2>/dev/null | grep -o -- '--[a-z-]*' | sort -u | tr '\n' ' ')
	check_eq "completion: $c options match its usage" "$(comp zmcsync "$c" -- | tr ' ' '\n' | sort -u | tr '\n' ' ')" "$want"
done
find "$R" -type f | sed "s|^$R/||" | sort > "$T_TMP/installed"

# --- reinstall keeps an edited configuration --------------------------------------
echo "# edited by the operator" >> "$R/etc/zmcsync/zmcsync.conf"
sum=$(md5sum < "$R/etc/zmcsync/zmcsync.conf")
check_rc "make install again" 0 $MK install
check_eq "edited config not overwritten" "$(md5sum < "$R/etc/zmcsync/zmcsync.conf")" "$sum"

# --- the installed binary with the installed example config ------------------------
am_start
sqlite_db demo
mkdir -p "$T_TMP/state" "$T_TMP/metrics"
zi() {
	DATABASE_CONNECTION="$DB_CONN" ALERTMANAGER_URL="$AM_URL" STATE_DIR="$T_TMP/state" \
	    METRICS_TEXTFILE="$T_TMP/metrics/zmcsync.prom" \
	    "$R/usr/bin/zmcsync" -c "$R/etc/zmcsync/zmcsync.conf" "$@"
}
check_rc "installed: init-db --demo" 0 zi init-db --demo
check "installed: demo alarms in the database" test "$(sql 'SELECT COUNT(*) FROM NM_ALARM_CDR')" -gt 0
check_rc "installed: run" 0 zi run
check "installed: alerts in Alertmanager" test "$(am_alerts | jq length)" -gt 0
check "installed: status rows written" test "$(sql 'SELECT COUNT(*) FROM NM_ALARM_SYNC_STATUS')" -gt 0
check "installed: metrics textfile" grep -q '^zmc_sync_service_up 1$' "$T_TMP/metrics/zmcsync.prom"
check_rc "installed: check" 0 zi check
zi config show --json > "$T_TMP/show.json" 2>/dev/null
check_eq "installed: the example config is the file in force" \
    "$(jq -r '.[] | select(.key == "state.dir") | .source' "$T_TMP/show.json")" env
check_rc "installed: man page renders" 0 mandoc -Tascii "$R/usr/share/man/man1/zmcsync.1"

# --- uninstall --------------------------------------------------------------------
check_rc "make uninstall" 0 $MK uninstall
find "$R" -type f | sed "s|^$R/||" | sort > "$T_TMP/left"
check_eq "uninstall removes everything but the operator's config" "$(tr '\n' ' ' < "$T_TMP/left")" "etc/zmcsync/zmcsync.conf "
check "install had put more than the config" test "$(wc -l < "$T_TMP/installed")" -gt 10
check "uninstall removed the data directory" test ! -e "$D"

t_done
