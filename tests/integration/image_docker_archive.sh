#!/bin/sh
# The docker-archive export loads with `podman load` (and keeps the digest of
# the config, so it is the same image), and a container from it runs: a busybox
# base read from an OCI layout, plus an app layer, says what the app file holds.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
TOOL="$ECP_BUILD_DIR/ecp-image-tool"
[ -x "$TOOL" ] || die "missing $TOOL"
command -v podman >/dev/null || skip "podman is not installed"
BUSYBOX=$(command -v busybox || true)
[ -n "$BUSYBOX" ] || skip "busybox is not installed"

# Podman settings this machine needs (REAL-COMPONENTS.md), with private storage.
cat > "$T/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
export CONTAINERS_CONF="$T/containers.conf"
pm() { podman --root "$T/podman/root" --runroot "$T/podman/run" --storage-driver vfs "$@"; }
pm info > "$T/podman-info" 2>&1 || { cat "$T/podman-info"; skip "podman cannot run here"; }
add_cleanup pm_cleanup
pm_cleanup() { pm rm -a -f >/dev/null 2>&1; pm rmi -a -f >/dev/null 2>&1; }

# A base image: busybox with a relative sh symlink, as an OCI layout.
mkdir -p "$T/base/bin"
cp "$BUSYBOX" "$T/base/bin/busybox"
ln -s busybox "$T/base/bin/sh"
ln -s busybox "$T/base/bin/cat"
expect_exit 0 "$TOOL" build "$T/basestore" busybox:1 "$T/base" --dest /

# The app on top of it.
mkdir -p "$T/app/bin" "$T/app/conf"
printf '#!/bin/sh\nexec cat /app/conf/greeting.txt\n' > "$T/app/bin/entrypoint.sh"
chmod 755 "$T/app/bin/entrypoint.sh"
printf 'hello from ecp\n' > "$T/app/conf/greeting.txt"
expect_exit 0 "$TOOL" build "$T/store" hello:1 "$T/app" --base "oci:$T/basestore:busybox:1"
expect_exit 0 "$TOOL" export-docker "$T/store" hello:1 "$T/hello.tar" hello:1
tar -tf "$T/hello.tar" > "$T/members"
expect_grep '^manifest\.json$' "$T/members"

expect_exit 0 pm load -i "$T/hello.tar"
expect_grep 'localhost/hello:1' "$T/out"
# The image ID podman reports is the digest of our config blob.
config=$("$TOOL" inspect "$T/store" hello:1 | python3 -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read().rstrip(b"\n")).hexdigest())')
id=$(pm image inspect --format '{{.Id}}' localhost/hello:1)
[ "$id" = "$config" ] || die "podman's image id $id is not the config digest $config"

# Run it when this machine can run containers at all.
if pm run --rm --network none localhost/hello:1 > "$T/run.out" 2> "$T/run.err"; then
  expect_grep '^hello from ecp$' "$T/run.out"
else
  echo "note: podman run is not possible here, load was checked:" >&2
  cat "$T/run.err" >&2
fi
echo ok
