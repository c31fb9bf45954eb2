#!/bin/sh
# Hostile or broken base images are refused when read, with a build error
# (exit 3) naming the layer, and nothing is written outside the store or tagged:
# a layer holding ../../etc/passwd, one with a hard link out of the root, a layer whose
# bytes do not match the config's diff_id, and a corrupt blob in an OCI layout.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
TOOL="$ECP_BUILD_DIR/ecp-image-tool"
[ -x "$TOOL" ] || die "missing $TOOL"

mkdir -p "$T/app/bin"
printf '#!/bin/sh\n' > "$T/app/bin/entrypoint.sh"

# evil_archive FILE KIND: a docker-archive whose one layer is hostile.
evil_archive() {
  python3 - "$1" "$2" <<'PY'
import hashlib, io, json, sys, tarfile
out, kind = sys.argv[1], sys.argv[2]
layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode="w", format=tarfile.PAX_FORMAT) as t:
    info = tarfile.TarInfo("app/ok.txt"); data = b"ok\n"; info.size = len(data); t.addfile(info, io.BytesIO(data))
    if kind == "traversal":
        info = tarfile.TarInfo("../../etc/passwd"); data = b"root::0:0::/:/bin/sh\n"; info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    elif kind == "hardlink":
        info = tarfile.TarInfo("app/shadow"); info.type = tarfile.LNKTYPE; info.linkname = "../../etc/shadow"; t.addfile(info)
layer = layer.getvalue()
diff = hashlib.sha256(layer).hexdigest()
if kind == "mismatch":
    diff = hashlib.sha256(b"something else").hexdigest()
config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": ["sha256:" + diff]}}).encode()
with tarfile.open(out, "w") as t:
    for name, data in (("l1/layer.tar", layer), ("config.json", config),
                       ("manifest.json", json.dumps([{"Config": "config.json", "RepoTags": ["evil:1"], "Layers": ["l1/layer.tar"]}]).encode())):
        info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
PY
}

# A good image first, so we can check the store is left as it was.
expect_exit 0 "$TOOL" build "$T/store" good:1 "$T/app"
"$TOOL" tags "$T/store" > "$T/tags.before"

for kind in traversal hardlink mismatch; do
  evil_archive "$T/$kind.tar" $kind
  expect_exit 3 "$TOOL" build "$T/store" bad:1 "$T/app" --base "docker-archive:$T/$kind.tar"
  expect_grep "base image docker-archive:.*$kind\.tar" "$T/err"
  case $kind in
    traversal) expect_grep "'\.\./\.\./etc/passwd' leaves the image root" "$T/err" ;;
    hardlink) expect_grep "hard link 'app/shadow' points outside the image root \(\.\./\.\./etc/shadow\)" "$T/err" ;;
    mismatch) expect_grep "l1/layer\.tar is corrupt" "$T/err" ;;
  esac
done
[ ! -e "$T/etc/passwd" ] && [ ! -e "$T/store/../etc" ] || die "something was written outside the store"

# A corrupt blob in an OCI layout base (one the store does not have yet): the
# digest mismatch is the error.
mkdir -p "$T/basetree/bin"
printf 'base tool\n' > "$T/basetree/bin/tool"
expect_exit 0 "$TOOL" build "$T/base" base:1 "$T/basetree" --dest /
for blob in "$T"/base/blobs/sha256/*; do
  if gzip -t "$blob" 2>/dev/null; then printf 'X' | dd of="$blob" bs=1 seek=20 conv=notrunc 2>/dev/null; fi
done
expect_exit 3 "$TOOL" build "$T/store" bad:2 "$T/app" --base "oci:$T/base:base:1"
expect_grep 'digest mismatch' "$T/err"

"$TOOL" tags "$T/store" > "$T/tags.after"
cmp -s "$T/tags.before" "$T/tags.after" || die "the store's tags changed"
[ -z "$(ls -A "$T/store/.ecp/tmp")" ] || die "a temporary blob was left behind"
echo ok
