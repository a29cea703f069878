# test/pkg/lib.sh: shared by the package and container tests (sourced after
# test/e2e/lib.sh).  pkg_setup checks for root, installs the packaging and
# container tools it lacks (scripts/bootstrap package) and provides $BASE: a
# minimal Debian 12 root made by debootstrap, cached in $ZMCSYNC_PKG_CACHE
# (default /var/cache/zmcsync-test) so that only the first run downloads it.

CACHE=${ZMCSYNC_PKG_CACHE:-/var/cache/zmcsync-test}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
BASE=$CACHE/bookworm-minbase
VERSION=$(sed -n 's/^VERSION[[:space:]]*=[[:space:]]*//p' "$TOP/Makefile")

pkg_setup() {
	[ "$(id -u)" -eq 0 ] || die "$(basename "$0"): needs root (chroot, debootstrap, podman)"
	sh "$TOP/scripts/bootstrap" package >"$T_TMP/bootstrap.log" 2>&1 ||
	    { tail -n 20 "$T_TMP/bootstrap.log" >&2; die "missing component: packaging tools (scripts/bootstrap package failed)"; }
	mkdir -p "$CACHE/archives" || die "cannot create $CACHE"
	if [ ! -f "$BASE/.complete" ]; then
		rm -rf "$BASE" "$BASE.new"
		echo "# debootstrap bookworm into $BASE (first run only)"
		timeout 900 debootstrap --variant=minbase bookworm "$BASE.new" "$MIRROR" \
		    >"$T_TMP/debootstrap.log" 2>&1 ||
		    { tail -n 20 "$T_TMP/debootstrap.log" >&2; rm -rf "$BASE.new"
		      die "missing component: debootstrap of bookworm from $MIRROR failed"; }
		touch "$BASE.new/.complete"
		mv "$BASE.new" "$BASE"
	fi
}
