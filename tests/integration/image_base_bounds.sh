#!/bin/sh
# Unbounded reads of a base image are refused with a build error (exit 3)
# naming the blob, and nothing large is written: an OCI layout blob that is a
# symlink to /dev/zero (it would be copied until the disk filled) or a fifo, a
# config that claims 10^15 bytes, and a gzip bomb layer (1 GiB of zeros in
# 1 MB) in an OCI layout and in a docker-archive. ecp runs with its files capped
# at 64 MiB, so a regression fails here instead of filling the disk. A symlink
# inside the layout's blobs/ folder is still followed.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"

p=$T/proj
mkdir -p "$p/app/bin" "$p/app/lib"
printf '#!/bin/sh\nexec java -jar /app/lib/application.jar\n' > "$p/app/bin/entrypoint.sh"
chmod +x "$p/app/bin/entrypoint.sh"
head -c 10000 /dev/urandom > "$p/app/lib/application.jar"
use_base() { printf 'app: bounds\ntype: jar\nbuild: {base: "%s"}\n' "$1" > "$p/ecp.yaml"; }

# capped CMD...: CMD with every file it writes capped at 64 MiB (a write past
# that fails, or SIGXFSZ ends it).
capped() {
  python3 -c 'import os, resource, sys
resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 20, 64 << 20))
os.execvp(sys.argv[1], sys.argv[1:])' "$@"
}

# The gzip bomb: a tar of one 1 GiB file of zeros, as concatenated gzip members.
python3 - "$T/bomb.gz" <<'PY'
import gzip, sys, tarfile
info = tarfile.TarInfo("zeros"); info.size = 1 << 30
block = gzip.compress(bytes(64 << 20), compresslevel=9, mtime=0)
with open(sys.argv[1], "wb") as f:
    f.write(gzip.compress(info.tobuf(format=tarfile.USTAR_FORMAT), mtime=0))
    for _ in range(16):
        f.write(block)
    f.write(gzip.compress(bytes(1024), mtime=0))
PY
[ "$(wc -c < "$T/bomb.gz")" -lt 2000000 ] || die "the bomb is not small"

# layout DIR KIND: an OCI layout with one image tagged "b" and one layer.
# KIND: good, devzero, fifo, inside (the layer blob is a symlink within blobs/),
# huge-config (the manifest says the config has 10^15 bytes), bomb. Prints the layer digest.
layout() {
  rm -rf "$1"
  python3 - "$1" "$2" "$T/bomb.gz" <<'PY'
import gzip, hashlib, io, json, os, platform, sys, tarfile
d, kind, bomb = sys.argv[1:4]
blobs = os.path.join(d, "blobs", "sha256")
os.makedirs(blobs)
def put(data):
    h = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, h), "wb") as f:
        f.write(data)
    return h
if kind == "bomb":
    layer = open(bomb, "rb").read()
    diff = "sha256:" + "0" * 64  # never reached: the layer is refused first
else:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as t:
        info = tarfile.TarInfo("bin/tool"); data = b"tool\n"; info.size = len(data); info.mode = 0o755
        t.addfile(info, io.BytesIO(data))
    raw = raw.getvalue()
    diff = "sha256:" + hashlib.sha256(raw).hexdigest()
    layer = gzip.compress(raw, mtime=0)
lh = put(layer)
arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
config = json.dumps({"architecture": arch, "os": "linux", "rootfs": {"type": "layers", "diff_ids": [diff]}}).encode()
ch = put(config)
manifest = json.dumps({
    "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + ch,
               "size": 10**15 if kind == "huge-config" else len(config)},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:" + lh,
                "size": len(layer)}]}).encode()
mh = put(manifest)
with open(os.path.join(d, "index.json"), "w") as f:
    json.dump({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + mh, "size": len(manifest),
        "annotations": {"org.opencontainers.image.ref.name": "b"}}]}, f)
with open(os.path.join(d, "oci-layout"), "w") as f:
    f.write('{"imageLayoutVersion":"1.0.0"}')
path = os.path.join(blobs, lh)
if kind == "devzero":
    os.remove(path); os.symlink("/dev/zero", path)
elif kind == "fifo":
    os.remove(path); os.mkfifo(path)
elif kind == "inside":
    os.makedirs(os.path.join(d, "blobs", "shared"))
    os.rename(path, os.path.join(d, "blobs", "shared", lh)); os.symlink("../shared/" + lh, path)
print(lh)
PY
}

# ECP_HOME and the disk under $T stay small; nothing is left in the store's tmp.
small() {
  kb=$(du -sk "$ECP_HOME" | cut -f1)
  [ "$kb" -lt 16384 ] || { du -ak "$ECP_HOME" | sort -n | tail -n 5; die "$1: ECP_HOME holds $kb KiB"; }
  [ -z "$(ls -A "$ECP_HOME/store/.ecp/tmp" 2>/dev/null)" ] || die "$1: a temporary file was left behind"
  [ ! -d "$ECP_HOME/tmp" ] || [ -z "$(ls -A "$ECP_HOME/tmp")" ] || die "$1: something was left in ECP_HOME/tmp"
}
# refused KIND PATTERN: a build on that base exits 3 naming PATTERN; no tag, nothing big written.
refused() {
  (cd "$p" && expect_exit 3 capped "$ECP" build)
  expect_grep "$2" "$T/err"
  expect_no_grep "File too large|internal error|AddressSanitizer" "$T/err"
  "$ECP" images > "$T/images"
  expect_no_grep "bounds" "$T/images"
  small "$1"
  echo "ok: $1"
}

# The generator makes a base ecp builds on, as is and with its layer linked within blobs/.
layout "$T/layout" good > /dev/null
use_base "oci:$T/layout:b"
(cd "$p" && expect_exit 0 capped "$ECP" build)
layout "$T/layout" inside > /dev/null
(cd "$p" && expect_exit 0 capped "$ECP" build -t inside)
echo "ok: a layer blob linked within blobs/"
# A fresh store for the hostile cases: none of their blobs may be there already.
rm -rf "$ECP_HOME"

layer=$(layout "$T/layout" devzero)
refused "a layer blob linked to /dev/zero" \
  "base image oci:$T/layout:b: blob $T/layout/blobs/sha256/$layer is a symlink out of the layout's blobs/ folder \(to /dev/zero\); refused"

layer=$(layout "$T/layout" fifo)
refused "a layer blob that is a fifo" "blob $T/layout/blobs/sha256/$layer is not a regular file; refused"

layout "$T/layout" huge-config > /dev/null
refused "a config claiming 10^15 bytes" "invalid image manifest: its config sha256:[0-9a-f]{64} claims 1000000000000000 bytes; ecp reads configs of up to 8 MiB"

layer=$(layout "$T/layout" bomb)
refused "a gzip bomb layer in an OCI layout" \
  "base image oci:$T/layout:b layer sha256:$layer: refused: its [0-9]+ compressed bytes expand to more than 268435456 \(a compression bomb\?\)"

# The same layer in a docker-archive (as `podman save` writes compressed layers).
python3 - "$T/bomb.tar" "$T/bomb.gz" <<'PY'
import io, json, sys, tarfile
out, bomb = sys.argv[1:3]
config = json.dumps({"architecture": "amd64", "os": "linux",
                     "rootfs": {"type": "layers", "diff_ids": ["sha256:" + "0" * 64]}}).encode()
members = [("l1/layer.tar", open(bomb, "rb").read()), ("config.json", config),
           ("manifest.json", json.dumps([{"Config": "config.json", "Layers": ["l1/layer.tar"]}]).encode())]
with tarfile.open(out, "w") as t:
    for name, data in members:
        info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
PY
use_base "docker-archive:$T/bomb.tar"
refused "a gzip bomb layer in a docker-archive" \
  "base image docker-archive:$T/bomb\.tar layer l1/layer\.tar: refused: its [0-9]+ compressed bytes expand to more than 268435456"
echo ok
