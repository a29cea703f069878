#!/bin/bash
# t_package.sh (make package-test): the Debian package.  Builds it with
# dpkg-buildpackage from a copy of this source tree, holds it to lintian (no
# errors), then installs it with apt into a throw-away minimal Debian 12 root
# (debootstrap --variant=minbase, cached under $ZMCSYNC_PKG_CACHE) and checks
# there: the zmcsync system user, the state and log directories, the
# configuration readable by the zmcsync group and kept as a conffile, the
# units, timers, cron file, man pages and completion; init-db --demo, a run
# and a cleanup as the zmcsync user against a demo SQLite database and a real
# Alertmanager started on the host's loopback; then apt-get purge removes
# all of it, the user included.  Last, make install and its root-only step
# (scripts/postinstall) in the same root, which has no systemd.
#
# Needs root (chroot, debootstrap) and the Debian mirror; installs the build
# tools it lacks itself (scripts/bootstrap package).  Cold cache: about two
# minutes more for debootstrap.
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/lib.sh"

pkg_setup
for c in dpkg-buildpackage lintian chroot systemd-analyze jq curl; do need "$c"; done
need "$FREEPORT"

# in_root CMD...: runs CMD in the throw-away root (no services may start there).
in_root() { LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive chroot "$R" "$@"; }
# as_zmcsync CMD...: runs CMD as the zmcsync user in the root.
as_zmcsync() { in_root runuser -u zmcsync -- "$@"; }

# --- build --------------------------------------------------------------------
SRC=$T_TMP/src/zmcsync-$VERSION
mkdir -p "$SRC"
(cd "$TOP" && tar --exclude=./.git --exclude=./build --exclude=./build-asan \
    --exclude=./debian/zmcsync --exclude=./debian/.debhelper -cf - .) | tar -xf - -C "$SRC" ||
    die "cannot copy the source tree"
# nocheck: the unit tests that debian/rules runs are make check's; here the
# package is under test, and a loaded machine must not fail it on timing.
check_rc "dpkg-buildpackage -us -uc -b" 0 sh -c "cd '$SRC' && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b"
[ "$T_FAIL" -eq 0 ] || { tail -n 30 "$T_TMP/last.out" >&2; die "package build failed"; }
DEB=$(ls "$T_TMP/src"/zmcsync_"$VERSION"_*.deb 2>/dev/null | head -n 1)
[ -n "$DEB" ] || die "no zmcsync_${VERSION}_*.deb built"
CHANGES=$(ls "$T_TMP/src"/zmcsync_"$VERSION"_*.changes | head -n 1)

lintian --info "$CHANGES" > "$T_TMP/lintian.out" 2>&1
check_eq "lintian: no errors" "$(grep -E '^E: ' "$T_TMP/lintian.out" | tr '\n' ' ')" ""
check_eq "lintian: no warnings" "$(grep -E '^W: ' "$T_TMP/lintian.out" | tr '\n' ' ')" ""

dpkg-deb -c "$DEB" | awk '{ print $1, $2, $6 }' | sed 's|\./|/|' > "$T_TMP/contents"
has() { grep -q " $1\$" "$T_TMP/contents"; }
for f in /usr/bin/zmcsync /usr/share/man/man1/zmcsync.1.gz /usr/share/man/man5/zmcsync.conf.5.gz \
    /usr/share/bash-completion/completions/zmcsync /etc/zmcsync/zmcsync.conf /etc/cron.d/zmcsync \
    /etc/logrotate.d/zmcsync /usr/lib/sysusers.d/zmcsync.conf /usr/lib/tmpfiles.d/zmcsync.conf \
    /lib/systemd/system/zmcsync.service /lib/systemd/system/zmcsync.timer \
    /lib/systemd/system/zmcsync-cleanup.service /lib/systemd/system/zmcsync-cleanup.timer \
    /usr/share/zmcsync/conf/prometheus/zmcsync-rules.yml /usr/share/zmcsync/sql/oracle/init.sql \
    /usr/share/doc/zmcsync/copyright; do
	check "package holds $f" has "$f"
done
check "package config mode 0640" grep -q '^-rw-r----- root/root /etc/zmcsync/zmcsync.conf$' "$T_TMP/contents"
dpkg-deb -e "$DEB" "$T_TMP/control"
check_eq "conffiles" "$(sort "$T_TMP/control/conffiles" | tr '\n' ' ')" \
    "/etc/cron.d/zmcsync /etc/logrotate.d/zmcsync /etc/zmcsync/zmcsync.conf "
dpkg-deb -x "$DEB" "$T_TMP/x"
check_eq "service ExecStart is the packaged binary" \
    "$(grep '^ExecStart=' "$T_TMP/x/lib/systemd/system/zmcsync.service")" "ExecStart=/usr/bin/zmcsync -q run"
check "service has LogsDirectory" grep -q '^LogsDirectory=zmcsync$' "$T_TMP/x/lib/systemd/system/zmcsync.service"
check "timer every 15 s" grep -q '^OnCalendar=\*:\*:0/15$' "$T_TMP/x/lib/systemd/system/zmcsync.timer"
check "cleanup timer daily" grep -q '^OnCalendar=\*-\*-\* 03:17:00$' "$T_TMP/x/lib/systemd/system/zmcsync-cleanup.timer"
# systemd-analyze verify wants ExecStart to exist: point it at the extracted binary.
mkdir -p "$T_TMP/units"
for u in zmcsync.service zmcsync.timer zmcsync-cleanup.service zmcsync-cleanup.timer; do
	sed "s|=/usr/bin/zmcsync|=$T_TMP/x/usr/bin/zmcsync|" "$T_TMP/x/lib/systemd/system/$u" > "$T_TMP/units/$u"
done
check_rc "systemd-analyze verify (units as packaged)" 0 sh -c "cd '$T_TMP/units' && systemd-analyze verify --man=no ./zmcsync.service ./zmcsync.timer ./zmcsync-cleanup.service ./zmcsync-cleanup.timer"
check_eq "systemd-analyze verify says nothing" "$(cat "$T_TMP/last.err")" ""
check "cron lines commented out in the package" test -z "$(grep -E '^[*0-9]' "$T_TMP/x/etc/cron.d/zmcsync")"
check "cron: a sync line" grep -qE '^# \* \* \* \* \*[[:space:]]+zmcsync[[:space:]]+/usr/bin/zmcsync -q run$' "$T_TMP/x/etc/cron.d/zmcsync"
check "cron: a daily cleanup line" grep -qE '^# [0-9]+ [0-9]+ \* \* \*[[:space:]]+zmcsync[[:space:]]+/usr/bin/zmcsync -q cleanup' "$T_TMP/x/etc/cron.d/zmcsync"

# --- install into a throw-away Debian 12 root -----------------------------
R=$T_TMP/root
cp -a "$BASE" "$R" || die "cannot copy $BASE"
cp /etc/resolv.conf "$R/etc/resolv.conf" 2>/dev/null
printf '#!/bin/sh\nexit 101\n' > "$R/usr/sbin/policy-rc.d"
chmod 0755 "$R/usr/sbin/policy-rc.d"
cp "$CACHE/archives/"*.deb "$R/var/cache/apt/archives/" 2>/dev/null
cp "$DEB" "$R/tmp/"
check_rc "apt-get update in the root" 0 in_root apt-get update -qq
check_rc "apt install ./zmcsync_*.deb (dependencies from the mirror)" 0 \
    in_root apt-get install -y -q --no-install-recommends "/tmp/$(basename "$DEB")" libsqliteodbc
[ "$T_FAIL" -eq 0 ] || die "package did not install"
# Keep the downloaded dependencies for the next run.
cp "$R/var/cache/apt/archives/"*.deb "$CACHE/archives/" 2>/dev/null

check_eq "installed" "$(in_root dpkg-query -W -f='${Status}' zmcsync)" "install ok installed"
pw=$(in_root getent passwd zmcsync)
check "user zmcsync exists" test -n "$pw"
check "user zmcsync: system uid" test "$(echo "$pw" | cut -d: -f3)" -lt 1000
check_eq "user zmcsync: home" "$(echo "$pw" | cut -d: -f6)" /var/lib/zmcsync
check_eq "user zmcsync: no login shell" "$(echo "$pw" | cut -d: -f7)" /usr/sbin/nologin
check "group zmcsync exists" in_root getent group zmcsync
perm() { in_root stat -c '%U:%G %a' "$1"; }
check_eq "/var/lib/zmcsync" "$(perm /var/lib/zmcsync)" "zmcsync:zmcsync 750"
check_eq "/var/log/zmcsync" "$(perm /var/log/zmcsync)" "zmcsync:zmcsync 750"
check_eq "/etc/zmcsync" "$(perm /etc/zmcsync)" "root:zmcsync 750"
check_eq "/etc/zmcsync/zmcsync.conf" "$(perm /etc/zmcsync/zmcsync.conf)" "root:zmcsync 640"
check "conffile registered" grep -qx /etc/zmcsync/zmcsync.conf "$R/var/lib/dpkg/info/zmcsync.conffiles"
check "timer installed, not enabled" test -f "$R/lib/systemd/system/zmcsync.timer" -a \
    ! -e "$R/etc/systemd/system/timers.target.wants/zmcsync.timer"
check "man page installed" test -s "$R/usr/share/man/man1/zmcsync.1.gz"
check_rc "zmcsync version in the root" 0 in_root zmcsync version
check "version names $VERSION" grep -q "$VERSION" "$T_TMP/last.out"
# The zmcsync user reads the shipped configuration.
check_rc "zmcsync user reads /etc/zmcsync/zmcsync.conf" 0 as_zmcsync zmcsync config show
check_rc "another user does not" 3 in_root runuser -u nobody -- zmcsync config show

# Completion: the configuration keys come from the installed binary.
cat > "$R/tmp/comp.sh" <<'EOF'
. /usr/share/bash-completion/completions/zmcsync
COMP_WORDS=(zmcsync config get sync.e); COMP_CWORD=3; _zmcsync; echo "${COMPREPLY[*]}"
COMP_WORDS=(zmcsync logs --operation PUSH_); COMP_CWORD=3; _zmcsync; echo "${COMPREPLY[*]}"
EOF
check_eq "completion in the root" "$(in_root bash /tmp/comp.sh | tr '\n' '|')" "sync.enabled|PUSH_FIRING PUSH_RESOLVED|"

# --- run as the zmcsync user against a real Alertmanager -------------------
# The root shares the host's network: an Alertmanager on 127.0.0.1 serves both.
am_start
cat > "$R/etc/zmcsync/test.conf" <<INI
[database]
connection = "Driver=SQLite3;Database=/var/lib/zmcsync/zmc.db;StepAPI=1;Timeout=5000"
[alertmanager]
url = $AM_URL
timeout = 5
[metrics]
textfile = /var/lib/zmcsync/zmcsync.prom
[log]
file = /var/log/zmcsync/zmcsync.log
INI
in_root chown root:zmcsync /etc/zmcsync/test.conf
chmod 0640 "$R/etc/zmcsync/test.conf"
check_rc "init-db --demo as zmcsync" 0 as_zmcsync zmcsync -c /etc/zmcsync/test.conf init-db --demo
check_rc "run as zmcsync" 0 as_zmcsync zmcsync -c /etc/zmcsync/test.conf -q run
check "alerts reached the Alertmanager" test "$(am_alerts | jq length)" -gt 0
check_eq "state.db owned by zmcsync" "$(in_root stat -c %U /var/lib/zmcsync/state.db 2>&1)" zmcsync
check "log file written" test -s "$R/var/log/zmcsync/zmcsync.log"
check "metrics textfile written" grep -q '^zmc_sync_service_up 1$' "$R/var/lib/zmcsync/zmcsync.prom"
check_rc "second run as zmcsync" 0 as_zmcsync zmcsync -c /etc/zmcsync/test.conf -q run
check_rc "cleanup as zmcsync (the daily job)" 0 as_zmcsync zmcsync -c /etc/zmcsync/test.conf -q cleanup
check_rc "status as zmcsync" 0 as_zmcsync zmcsync -c /etc/zmcsync/test.conf status

# --- reinstall keeps the edited conffile and its permissions -----------------
echo "# edited by the operator" >> "$R/etc/zmcsync/zmcsync.conf"
sum=$(md5sum < "$R/etc/zmcsync/zmcsync.conf")
check_rc "apt-get install --reinstall" 0 in_root apt-get install -y -q --reinstall "/tmp/$(basename "$DEB")"
check_eq "edited conffile kept" "$(md5sum < "$R/etc/zmcsync/zmcsync.conf")" "$sum"
check_eq "conffile permissions kept" "$(perm /etc/zmcsync/zmcsync.conf)" "root:zmcsync 640"
check "state kept on reinstall" test -s "$R/var/lib/zmcsync/state.db"

# --- remove, then purge --------------------------------------------------------
check_rc "apt-get remove" 0 in_root apt-get remove -y -q zmcsync
check "remove: binary gone" test ! -e "$R/usr/bin/zmcsync"
check "remove: configuration kept" test -f "$R/etc/zmcsync/zmcsync.conf"
rm -f "$R/etc/zmcsync/test.conf"	# not the package's: the operator's to remove
check_rc "apt-get purge" 0 in_root apt-get purge -y -q zmcsync
check_rc "purged: dpkg knows no zmcsync" 1 in_root dpkg-query -W zmcsync
for p in /usr/bin/zmcsync /etc/zmcsync /etc/cron.d/zmcsync /etc/logrotate.d/zmcsync \
    /var/lib/zmcsync /var/log/zmcsync /usr/share/zmcsync /lib/systemd/system/zmcsync.service \
    /usr/share/bash-completion/completions/zmcsync /var/lib/dpkg/info/zmcsync.conffiles; do
	check "purge: $p gone" test ! -e "$R$p"
done
check "purge: user gone" test -z "$(in_root getent passwd zmcsync)"
check "purge: group gone" test -z "$(in_root getent group zmcsync)"

# --- make install as root on a machine without systemd ----------------------------
# The same root after the purge (the libraries stay): make install with
# PREFIX=/usr from the package's build tree, then the step it runs as root
# without DESTDIR (scripts/postinstall), which falls back to useradd and
# install -d where systemd-sysusers and systemd-tmpfiles are missing.
check "no systemd-sysusers in the minimal root" test ! -e "$R/usr/bin/systemd-sysusers" -a ! -e "$R/bin/systemd-sysusers"
check_rc "make install DESTDIR=root PREFIX=/usr" 0 make -C "$SRC" --no-print-directory DESTDIR="$R" \
    PREFIX=/usr SYSCONFDIR=/etc/zmcsync STATEDIR=/var/lib/zmcsync install
cp "$TOP/scripts/postinstall" "$R/tmp/postinstall"
check_rc "postinstall (useradd fallback)" 0 in_root sh /tmp/postinstall /usr/lib/sysusers.d/zmcsync.conf \
    /usr/lib/tmpfiles.d/zmcsync.conf /var/lib/zmcsync /etc/zmcsync
check_rc "postinstall again (idempotent)" 0 in_root sh /tmp/postinstall /usr/lib/sysusers.d/zmcsync.conf \
    /usr/lib/tmpfiles.d/zmcsync.conf /var/lib/zmcsync /etc/zmcsync
pw=$(in_root getent passwd zmcsync)
check_eq "make install: user zmcsync" "$(echo "$pw" | cut -d: -f1,6,7)" "zmcsync:/var/lib/zmcsync:/usr/sbin/nologin"
check_eq "make install: /var/lib/zmcsync" "$(perm /var/lib/zmcsync)" "zmcsync:zmcsync 750"
check_eq "make install: /var/log/zmcsync" "$(perm /var/log/zmcsync)" "zmcsync:zmcsync 750"
check_eq "make install: config readable by the group" "$(perm /etc/zmcsync/zmcsync.conf)" "root:zmcsync 640"
check_rc "make install: config show as zmcsync" 0 as_zmcsync zmcsync config show
sed "s|^url = .*|url = $AM_URL|" > "$R/etc/zmcsync/test.conf" <<INI
[database]
connection = "Driver=SQLite3;Database=/var/lib/zmcsync/zmc.db;StepAPI=1;Timeout=5000"
[alertmanager]
url = x
INI
chmod 0644 "$R/etc/zmcsync/test.conf"
check_rc "make install: init-db --demo and run as zmcsync" 0 \
    as_zmcsync sh -c 'zmcsync -c /etc/zmcsync/test.conf init-db --demo && zmcsync -c /etc/zmcsync/test.conf -q run'

t_done
