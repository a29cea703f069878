#!/bin/bash
# t_install.sh: make install into a DESTDIR (PREFIX=/usr, SYSCONFDIR=
# /etc/zmcsync) puts every file in place with the paths substituted, keeps
# an operator's edited configuration on reinstall, the installed binary
# works with the installed example configuration (init-db --demo and run
# against a demo SQLite database and a real Alertmanager), and make
# uninstall removes what install put.
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
for s in zmcsync.cron zmcsync.service zmcsync.timer zmcsync.logrotate; do
	check "scripts/$s installed" cmp -s "$TOP/scripts/$s" "$D/scripts/$s"
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
