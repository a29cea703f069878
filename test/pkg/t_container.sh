#!/bin/bash
# t_container.sh (make package-test): the Containerfile and the Kubernetes
# example.  The image is built for real with podman from this source tree,
# on a Debian 12 base made by debootstrap (no registry is reachable here:
# the cached root is imported as the base image, the Containerfile's
# DEBIAN_IMAGE argument points at it).  The image runs as uid 10001 with
# /var/lib/zmcsync as a volume; run like the CronJob's pod (read-only root,
# the ConfigMap's zmcsync.conf and the Secret's password file mounted) it
# passes init-db --demo and a run against a real Alertmanager on the host's
# loopback.  The manifests parse, and the CronJob keeps concurrencyPolicy
# Forbid, the password from the Secret as password_file, the config from the
# ConfigMap, a non-root read-only pod and the lease settings.
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/lib.sh"

pkg_setup
for c in podman yamllint python3 jq curl; do need "$c"; done
python3 -c 'import yaml' 2>/dev/null || die "missing component: python3-yaml"
need "$FREEPORT"
CF=$TOP/Containerfile
K8S=$TOP/deploy/kubernetes/zmcsync.yaml
for f in "$CF" "$K8S" "$TOP/.dockerignore"; do [ -f "$f" ] || die "missing component: $f"; done

# crun cannot run in this machine's hybrid cgroup setup; runc can.  The
# build and the runs use the host's network (the mirror, the Alertmanager).
PODMAN="podman --runtime runc"
POPTS="--network=host --ulimit nofile=1024:1024 --ulimit nproc=4096:4096"
BASEIMG=localhost/zmcsync-test-base:bookworm
IMG=localhost/zmcsync-test:latest

# --- the Containerfile ---------------------------------------------------------
check "both stages from the Debian 12 image" test "$(grep -c '^FROM \${DEBIAN_IMAGE}' "$CF")" -eq 2
check "DEBIAN_IMAGE defaults to debian:bookworm-slim" grep -qx 'ARG DEBIAN_IMAGE=debian:bookworm-slim' "$CF"
check "built from this source (COPY . /src, make install)" grep -q '^COPY \. /src$' "$CF"
check "non-root numeric USER" grep -qx 'USER 10001:10001' "$CF"
check "state directory is a volume" grep -qx 'VOLUME \["/var/lib/zmcsync"\]' "$CF"

# --- base image: the cached debootstrap root -------------------------------------
stamp=$(stat -c %Y "$BASE/.complete")
if [ "$($PODMAN image inspect --format '{{index .Labels "zmcsync.base"}}' "$BASEIMG" 2>/dev/null)" != "$stamp" ]; then
	tar -C "$BASE" --exclude=./.complete -cf - . |
	    $PODMAN import --change "LABEL zmcsync.base=$stamp" --change 'CMD ["/bin/bash"]' - "$BASEIMG" \
	    >"$T_TMP/import.log" 2>&1 || { cat "$T_TMP/import.log" >&2; die "podman import of $BASE failed"; }
fi

# --- build ------------------------------------------------------------------------
# The build stage is tagged too, so its apt layer stays cached between runs.
build() {
	# shellcheck disable=SC2086
	$PODMAN build $POPTS --pull=never --build-arg DEBIAN_IMAGE="$BASEIMG" -f "$CF" "$@" "$TOP"
}
# The images this test tagged before: removed once the new ones are built.
old_ids=$($PODMAN image inspect --format '{{.Id}}' localhost/zmcsync-test-build:latest "$IMG" 2>/dev/null)
check_rc "podman build --target build" 0 build --target build -t localhost/zmcsync-test-build:latest
check_rc "podman build (the Containerfile's steps, on Debian 12)" 0 build -t "$IMG"
[ "$T_FAIL" -eq 0 ] || { tail -n 40 "$T_TMP/last.out" "$T_TMP/last.err" >&2; die "image build failed"; }
new_ids=$($PODMAN image inspect --format '{{.Id}}' localhost/zmcsync-test-build:latest "$IMG" 2>/dev/null)
for id in $old_ids; do
	case " $(echo $new_ids) " in *" $id "*) ;; *) $PODMAN rmi "$id" >/dev/null 2>&1 ;; esac
done

cfg() { $PODMAN image inspect --format "$1" "$IMG"; }
echo "# image size: $(($(cfg '{{.Size}}') / 1048576)) MiB"
check_eq "image user" "$(cfg '{{.Config.User}}')" "10001:10001"
check_eq "image volume" "$(cfg '{{json .Config.Volumes}}')" '{"/var/lib/zmcsync":{}}'
check_eq "image entrypoint" "$(cfg '{{json .Config.Entrypoint}}')" '["/usr/bin/zmcsync"]'
check_eq "image cmd" "$(cfg '{{json .Config.Cmd}}')" '["-q","run"]'
# shellcheck disable=SC2086
prun() { $PODMAN run --rm $POPTS "$@"; }
check_eq "runs as uid 10001" "$(prun --entrypoint id "$IMG" -u 2>&1)" 10001
check_eq "Debian 12" "$(prun --entrypoint cat "$IMG" /etc/debian_version 2>&1 | cut -d. -f1)" 12
check_rc "zmcsync version in the image" 0 prun "$IMG" version
check_eq "ODBC drivers registered" "$(prun --entrypoint odbcinst "$IMG" -q -d 2>&1 | sort | tr '\n' ' ')" \
    "[PostgreSQL ANSI] [PostgreSQL Unicode] [SQLite3] [SQLite] "

# --- the manifests -----------------------------------------------------------------
check_rc "yamllint (relaxed)" 0 yamllint -d relaxed "$K8S"
cat > "$T_TMP/k8s.py" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
by = {d["kind"]: d for d in docs}
cj = by["CronJob"]
assert cj["apiVersion"] == "batch/v1"
spec = cj["spec"]
pod = spec["jobTemplate"]["spec"]["template"]["spec"]
c = pod["containers"][0]
mounts = {m["name"]: m for m in c["volumeMounts"]}
vols = {v["name"]: v for v in pod["volumes"]}
env = {e["name"]: e.get("value") for e in c.get("env", [])}
conf = by["ConfigMap"]["data"]["zmcsync.conf"]
secret_mount = mounts["db-password"]["mountPath"]
out = {
    "kinds": sorted(by),
    "schedule": spec["schedule"],
    "concurrencyPolicy": spec["concurrencyPolicy"],
    "restartPolicy": pod["restartPolicy"],
    "runAsNonRoot": pod["securityContext"]["runAsNonRoot"],
    "runAsUser": pod["securityContext"]["runAsUser"],
    "readOnlyRootFilesystem": c["securityContext"]["readOnlyRootFilesystem"],
    "config_from_configmap": vols["config"]["configMap"]["name"] == by["ConfigMap"]["metadata"]["name"]
        and mounts["config"]["mountPath"] == "/etc/zmcsync/zmcsync.conf",
    "password_file_from_secret": "secret" in vols["db-password"]
        and ("password_file = %s/" % secret_mount) in conf,
    "secret_mode": oct(vols["db-password"]["secret"]["defaultMode"]),
    "state_volume": mounts["state"]["mountPath"] == "/var/lib/zmcsync"
        and vols["state"]["persistentVolumeClaim"]["claimName"] == by["PersistentVolumeClaim"]["metadata"]["name"],
    "lease": sorted(k for k in env if k in ("SYNC_INSTANCE_ID", "SYNC_LEASE_SECONDS")),
    "no_password_in_configmap": all(not l.strip().startswith("password =") for l in conf.splitlines()),
}
for k, v in out.items():
    print("%s=%s" % (k, v))
open(sys.argv[2], "w").write(conf)
open(sys.argv[3], "w").write(secret_mount + "\n")
PY
check_rc "manifests parse" 0 python3 "$T_TMP/k8s.py" "$K8S" "$T_TMP/zmcsync.conf" "$T_TMP/secret_mount"
check_eq "CronJob" "$(tr '\n' ' ' < "$T_TMP/last.out")" \
    "kinds=['ConfigMap', 'CronJob', 'PersistentVolumeClaim'] schedule=* * * * * concurrencyPolicy=Forbid restartPolicy=Never runAsNonRoot=True runAsUser=10001 readOnlyRootFilesystem=True config_from_configmap=True password_file_from_secret=True secret_mode=0o440 state_volume=True lease=['SYNC_INSTANCE_ID', 'SYNC_LEASE_SECONDS'] no_password_in_configmap=True "

# --- the image run like the CronJob's pod ------------------------------------------------
am_start
SECDIR=$T_TMP/secret
STATE=$T_TMP/state
mkdir -p "$SECDIR" "$STATE"
# the Secret: a random password, group-readable for fsGroup 10001 (mode 0440)
head -c 18 /dev/urandom | base64 > "$SECDIR/db-password"
chown root:10001 "$SECDIR/db-password"
chmod 0440 "$SECDIR/db-password"
chown 10001:10001 "$STATE"
chmod 0750 "$STATE"
chmod 0644 "$T_TMP/zmcsync.conf"
# The ConfigMap's database is not here: the environment points zmcsync at a
# demo SQLite file in the state volume (environment beats the file).
pod() {
	prun --read-only --tmpfs /tmp \
	    -v "$T_TMP/zmcsync.conf:/etc/zmcsync/zmcsync.conf:ro" \
	    -v "$SECDIR:$(cat "$T_TMP/secret_mount"):ro" \
	    -v "$STATE:/var/lib/zmcsync" \
	    -e DATABASE_CONNECTION="Driver=SQLite3;Database=/var/lib/zmcsync/zmc.db;StepAPI=1;Timeout=5000" \
	    -e ALERTMANAGER_URL="$AM_URL" -e SYNC_INSTANCE_ID=cluster-a -e SYNC_LEASE_SECONDS=180 \
	    "$IMG" "$@"
}
check_rc "pod: config show with the ConfigMap's file" 0 pod config show --json
cp "$T_TMP/last.out" "$T_TMP/show.json"
check_eq "pod: labels.cluster from the ConfigMap" \
    "$(jq -r '.[] | select(.key == "labels.cluster") | "\(.value) \(.source)"' "$T_TMP/show.json")" "cluster-a file"
check_eq "pod: password_file is the Secret's file" \
    "$(jq -r '.[] | select(.key == "database.password_file") | .value' "$T_TMP/show.json")" \
    "$(cat "$T_TMP/secret_mount")/db-password"
check "pod: the password is never printed" test -z "$(grep -F "$(cat "$SECDIR/db-password")" "$T_TMP/show.json")"
check_rc "pod: init-db --demo" 0 pod init-db --demo
check_rc "pod: run (the image's default command)" 0 pod
check "pod: alerts reached the Alertmanager" test "$(am_alerts | jq length)" -gt 0
check_eq "pod: state.db in the volume, owned by 10001" "$(stat -c %u "$STATE/state.db" 2>&1)" 10001
check_rc "pod: second run" 0 pod -q run
check_rc "pod: status" 0 pod status

$PODMAN rmi -f "$IMG" >/dev/null 2>&1
t_done
