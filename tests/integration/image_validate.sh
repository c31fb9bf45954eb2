#!/bin/sh
# An image built by core/image from a small tree on scratch is accepted by the
# independent tools: skopeo inspect, oci-image-tool validate, and umoci unpack
# gives exactly the expected bytes, modes and symlinks. Also for an exported
# layout and for zstd layers (checked with the zstd and tar tools).
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
TOOL="$ECP_BUILD_DIR/ecp-image-tool"
[ -x "$TOOL" ] || die "missing $TOOL"
for t in skopeo umoci oci-image-tool zstd; do command -v $t >/dev/null || skip "$t is not installed"; done

# A tree made with a strict umask and odd modes: the image must normalise them
# (0775 and 0664: group 0 gets the owner's permissions, for arbitrary UIDs).
umask 077
src="$T/src"
mkdir -p "$src/bin" "$src/lib" "$src/conf/conf.d" "$src/data" "$src/html/img"
printf '#!/bin/sh\necho hello\n' > "$src/bin/entrypoint.sh"; chmod 700 "$src/bin/entrypoint.sh"
head -c 200000 /dev/urandom > "$src/lib/application.jar"
printf 'x=1\n' > "$src/conf/with space.conf"
printf 'u\n' > "$src/conf/ünïcødé.txt"
printf 'n\n' > "$src/conf/new
line"
printf 'server {}\n' > "$src/conf/conf.d/site.conf"; chmod 640 "$src/conf/conf.d/site.conf"
printf 'png' > "$src/html/img/logo.png"
ln -s ../lib/application.jar "$src/bin/app.jar"
ln -s conf.d "$src/conf/current"
touch -d '2001-02-03 04:05:06' "$src/lib/application.jar"

expect_exit 0 "$TOOL" build "$T/store" hello:1 "$src" --epoch 1700000000
digest=$(cat "$T/out")

# skopeo reads it and agrees on the digest and config.
skopeo inspect "oci:$T/store:hello:1" > "$T/inspect.json"
expect_grep "\"Digest\": \"$digest\"" "$T/inspect.json"
expect_grep '"Created": "2023-11-14T22:13:20Z"' "$T/inspect.json"
expect_grep '"ECP_APP=demo"' "$T/inspect.json"

# oci-image-tool validates the layout, manifest, config and layer.
oci-image-tool validate --type image --ref name=hello:1 "$T/store" > "$T/validate" 2>&1 || { cat "$T/validate"; die "oci-image-tool refused the image"; }
expect_grep "Validation succeeded" "$T/validate"

# listing TREE: "path|type|mode|link target" for every entry, NUL separated, sorted.
listing() { (cd "$1" && find . -mindepth 1 -printf '%P|%y|%m|%l\0' | LC_ALL=C sort -z); }
expected() {
  for e in "bin|d|775|" "bin/app.jar|l|777|../lib/application.jar" "bin/entrypoint.sh|f|775|" \
    "conf|d|775|" "conf/conf.d|d|775|" "conf/conf.d/site.conf|f|664|" "conf/current|l|777|conf.d" \
    "conf/new
line|f|664|" "conf/with space.conf|f|664|" "conf/ünïcødé.txt|f|664|" "data|d|775|" "html|d|775|" \
    "html/img|d|775|" "html/img/logo.png|f|664|" "lib|d|775|" "lib/application.jar|f|664|"; do
    printf '%s\0' "$e"
  done | LC_ALL=C sort -z
}
expected > "$T/expected"

# check_unpacked ROOTFS: same entries, modes, targets, bytes as the source tree.
check_unpacked() {
  [ "$(ls -A "$1")" = app ] || die "unexpected top level in $1: $(ls -A "$1")"
  listing "$1/app" > "$T/got"
  cmp -s "$T/expected" "$T/got" || { tr '\0' '\n' < "$T/got"; die "entries, modes or symlinks differ in $1"; }
  diff -r --no-dereference "$src" "$1/app" || die "file contents differ in $1"
}

umask 022
umoci unpack --rootless --image "$T/store:hello:1" "$T/bundle" > "$T/umoci.log" 2>&1 || { cat "$T/umoci.log"; die "umoci unpack failed"; }
check_unpacked "$T/bundle/rootfs"
[ "$(stat -c %Y "$T/bundle/rootfs/app/lib/application.jar")" = 1700000000 ] || die "mtime is not the epoch"

# An exported layout is a complete image of its own, under another tag.
expect_exit 0 "$TOOL" export-oci "$T/store" hello:1 "$T/exported" release
[ ! -e "$T/exported/.ecp" ] || die "the export leaked ecp's private folder"
oci-image-tool validate --type image --ref name=release "$T/exported" > "$T/validate2" 2>&1 || { cat "$T/validate2"; die "oci-image-tool refused the export"; }
skopeo inspect "oci:$T/exported:release" | grep -q "\"Digest\": \"$digest\"" || die "export changed the digest"

# zstd layers: skopeo reads them; the layer unpacks (zstd + tar) to the same tree.
expect_exit 0 "$TOOL" build "$T/zstore" hello:z "$src" --compression zstd
skopeo inspect --raw "oci:$T/zstore:hello:z" > "$T/zmanifest"
expect_grep 'tar\+zstd' "$T/zmanifest"
layer=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["layers"][0]["digest"].split(":")[1])' "$T/zmanifest")
mkdir "$T/zroot"
zstd -dc "$T/zstore/blobs/sha256/$layer" | tar -x -C "$T/zroot" -f -
check_unpacked "$T/zroot"
echo "ok"
