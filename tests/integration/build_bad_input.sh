#!/bin/sh
# ecp build on bad input: each case gives a clear error, a stable exit code
# (3 build, 2 usage/validation, 1 I/O, 130 SIGINT; see ecp(1) EXIT STATUS) and
# leaves the store as it was: the same index.json, no new blob, no temporary file.
# Cases: no app/ folder, a jar layout without lib/application.jar, an unreadable
# file, a symlink loop, symlinks out of the app folder, a fifo, a socket, a device,
# hostile docker-archive bases (../../etc/passwd, a hard link out), corrupt base
# blobs, bad options, $ECP_HOME on a full tmpfs, SIGINT mid-build. And two inputs
# that must work: a 4 GiB sparse file (streamed, small peak RSS) and file names
# with a newline, unicode and spaces (they round-trip through umoci).
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
skipped=""

p=$T/proj
mkdir -p "$p/app/bin" "$p/app/lib" "$p/app/conf"
printf 'schema: 1\napp: bad\ntype: jar\nversion: "1"\nbuild: {base: scratch}\n' >"$p/ecp.yaml"
printf '#!/bin/sh\nexec java -jar /app/lib/application.jar\n' >"$p/app/bin/entrypoint.sh"
chmod +x "$p/app/bin/entrypoint.sh"
head -c 100000 /dev/urandom >"$p/app/lib/application.jar"
head -c 100000 /dev/urandom >"$p/app/lib/dep-1.0.jar"
printf 'k=v\n' >"$p/app/conf/app.properties"

# ecp in the project folder.
in_proj() { (cd "$p" && "$@"); }
# snapshot / unchanged WHAT: the store's index.json, its blobs and its temp folder.
snapshot() {
  s=${ECP_HOME}/store
  cp "$s/index.json" "$T/index.snap"
  ls -A "$s/blobs/sha256" >"$T/blobs.snap"
  ls -A "$s" >"$T/top.snap"
}
unchanged() {
  s=${ECP_HOME}/store
  cmp -s "$s/index.json" "$T/index.snap" || die "$1: index.json changed"
  ls -A "$s/blobs/sha256" | diff "$T/blobs.snap" - >&2 || die "$1: blobs/ changed (a new or partial blob)"
  ls -A "$s" | diff "$T/top.snap" - >&2 || die "$1: the store folder has new files"
  [ -z "$(ls -A "$s/.ecp/tmp" 2>/dev/null)" ] || { ls -la "$s/.ecp/tmp"; die "$1: a temporary file was left behind"; }
}
# refused CODE PATTERN WHAT: the build exits CODE naming PATTERN, store unchanged.
refused() {
  in_proj expect_exit "$1" "$ECP" build
  expect_grep "$2" "$T/err"
  unchanged "$3"
  echo "ok: $3"
}

in_proj expect_exit 0 "$ECP" build
snapshot

# The layout itself.
mv "$p/app" "$p/gone"
refused 3 'the layout folder .*does not exist' "no app/ folder"
mv "$p/gone" "$p/app"
mv "$p/app/lib/application.jar" "$T/application.jar"
refused 3 'needs lib/application\.jar' "no lib/application.jar"
mv "$T/application.jar" "$p/app/lib/application.jar"
mkdir "$T/emptylib" && mv "$p/app/lib"/* "$T/emptylib/"
refused 3 'needs lib/application\.jar' "an empty lib/"
mv "$T/emptylib"/* "$p/app/lib/"

# Things that cannot go into an image.
ln -s loop-b "$p/app/conf/loop-a" && ln -s loop-a "$p/app/conf/loop-b"
refused 3 'conf/loop-[ab]: symlink loop' "a symlink loop"
rm "$p/app/conf/loop-a" "$p/app/conf/loop-b"
printf 'secret\n' >"$T/outside.txt"
ln -s ../../../outside.txt "$p/app/conf/escape"
refused 3 'conf/escape: symlink points outside' "a symlink out of the app folder"
rm "$p/app/conf/escape"
ln -s /etc/passwd "$p/app/conf/abs"
refused 3 'conf/abs: symlink to an absolute path' "an absolute symlink"
rm "$p/app/conf/abs"
mkfifo "$p/app/conf/pipe"
refused 3 'conf/pipe: is a fifo' "a fifo"
rm "$p/app/conf/pipe"
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$p/app/conf/sock"
refused 3 'conf/sock: is a socket' "a socket"
rm "$p/app/conf/sock"
if mknod "$p/app/conf/null" c 1 3 2>/dev/null; then
  refused 3 'conf/null: is a character device' "a device"
  rm "$p/app/conf/null"
fi

# Bad options and names: usage errors, before anything is written.
in_proj expect_exit 2 "$ECP" build --level 99
expect_grep 'level' "$T/err"
in_proj expect_exit 2 "$ECP" build --compression lz4
in_proj expect_exit 2 "$ECP" build -t 'not a tag'
expect_grep 'not a valid image tag' "$T/err"
unchanged "bad options"
echo "ok: bad options"

# An unreadable file is exit 9 (permission denied), not a broken build. Root
# reads everything, so as root the build runs as nobody (setpriv), with a store
# of its own.
printf 'secret\n' >"$p/app/conf/secret.properties"
chmod 000 "$p/app/conf/secret.properties"
if [ "$(id -u)" != 0 ]; then
  refused 9 'secret\.properties: cannot read: Permission denied' "an unreadable file"
elif command -v setpriv >/dev/null 2>&1; then
  chmod 711 "$T"
  rm "$p/app/conf/secret.properties"
  saved_home=$ECP_HOME
  ECP_HOME=$T/nobody-home
  mkdir "$ECP_HOME" && chown 65534 "$ECP_HOME"
  as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
  in_proj expect_exit 0 as_nobody "$ECP" build
  snapshot
  printf 'secret\n' >"$p/app/conf/secret.properties"
  chmod 000 "$p/app/conf/secret.properties"
  in_proj expect_exit 9 as_nobody "$ECP" build
  expect_grep 'secret\.properties: cannot read: Permission denied' "$T/err"
  chmod 755 "$p/app/conf/secret.properties"
  chmod 000 "$p/app/conf"
  in_proj expect_exit 9 as_nobody "$ECP" build
  expect_grep 'app/conf: cannot read the folder: Permission denied' "$T/err"
  chmod 755 "$p/app/conf"
  unchanged "an unreadable file"
  echo "ok: an unreadable file (as nobody)"
  ECP_HOME=$saved_home
  snapshot
else
  skipped="$skipped unreadable-file(root without setpriv)"
fi
rm -f "$p/app/conf/secret.properties"

# Hostile and corrupt base images: refused when read, nothing written outside.
# evil_archive FILE KIND: a docker-archive whose one layer is KIND.
evil_archive() {
  python3 - "$1" "$2" <<'PY'
import hashlib, io, json, sys, tarfile
out, kind = sys.argv[1], sys.argv[2]
layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode="w", format=tarfile.PAX_FORMAT) as t:
    def add(name, data=b"", **kw):
        info = tarfile.TarInfo(name); info.size = len(data)
        for k, v in kw.items(): setattr(info, k, v)
        t.addfile(info, io.BytesIO(data))
    add("usr/share/ok.txt", b"ok\n")
    if kind == "traversal":
        add("../../etc/passwd", b"evil::0:0::/:/bin/sh\n")
    elif kind == "hardlink-out":
        add("etc/shadow", type=tarfile.LNKTYPE, linkname="../../etc/shadow")
    elif kind == "absolute-symlink":
        add("etc/shadow", type=tarfile.SYMTYPE, linkname="/etc/shadow")
    elif kind == "through-symlink":
        add("lnk", type=tarfile.SYMTYPE, linkname="usr/share")
        add("lnk/escaped.txt", b"x\n")
layer = layer.getvalue()
diff = hashlib.sha256(layer if kind != "mismatch" else b"other bytes").hexdigest()
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                     "rootfs": {"type": "layers", "diff_ids": ["sha256:" + diff]}}).encode()
manifest = json.dumps([{"Config": "config.json", "RepoTags": ["evil:1"], "Layers": ["l1/layer.tar"]}]).encode()
with tarfile.open(out, "w") as t:
    for name, data in (("l1/layer.tar", layer), ("config.json", config), ("manifest.json", manifest)):
        info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
PY
}
passwd_sum=$(cksum </etc/passwd)
cp "$p/ecp.yaml" "$T/ecp.yaml.good"
for kind in traversal hardlink-out mismatch; do
  evil_archive "$T/$kind.tar" "$kind"
  sed "s|base: scratch|base: \"docker-archive:$T/$kind.tar\"|" "$T/ecp.yaml.good" >"$p/ecp.yaml"
  case $kind in
    traversal) want="'\.\./\.\./etc/passwd' leaves the image root" ;;
    hardlink-out) want="hard link 'etc/shadow' points outside the image root" ;;
    mismatch) want="l1/layer\.tar is corrupt" ;;
  esac
  refused 3 "$want" "a docker-archive base: $kind"
done
# What real bases carry: an absolute symlink (the container's /), a folder
# written through a link. Base layers unpack in a container's root: accepted.
for kind in absolute-symlink through-symlink; do
  evil_archive "$T/$kind.tar" "$kind"
  sed "s|base: scratch|base: \"docker-archive:$T/$kind.tar\"|" "$T/ecp.yaml.good" >"$p/ecp.yaml"
  in_proj expect_exit 0 "$ECP" build
  echo "ok: a docker-archive base with an $kind builds"
done
# Those builds were meant to succeed: they changed the store, so what follows
# compares against the store as they left it.
snapshot
[ "$(cksum </etc/passwd)" = "$passwd_sum" ] || die "/etc/passwd changed"
[ -z "$(find "$T" -name escaped.txt -o -name passwd -o -name shadow)" ] || die "a base layer was extracted"

# A base OCI layout (built by ecp with a store of its own) with a corrupt layer,
# then with a corrupt config.
mkdir -p "$T/base/app/bin"
printf 'schema: 1\napp: base\ntype: nginx\nbuild: {base: scratch}\n' >"$T/base/ecp.yaml"
printf '#!/bin/sh\n' >"$T/base/app/bin/entrypoint.sh"
(cd "$T/base" && ECP_HOME=$T/base-home expect_exit 0 "$ECP" build -o json --oci-layout "$T/base-oci:1")
layer=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().splitlines()[-1])["layers"][-1]["digest"][7:])' "$T/out")
cp "$T/base-oci/blobs/sha256/$layer" "$T/layer.good"
printf 'X' | dd of="$T/base-oci/blobs/sha256/$layer" bs=1 seek=30 conv=notrunc 2>/dev/null
sed "s|base: scratch|base: \"oci:$T/base-oci:1\"|" "$T/ecp.yaml.good" >"$p/ecp.yaml"
refused 3 'digest mismatch' "a corrupt base layer blob"
cp "$T/layer.good" "$T/base-oci/blobs/sha256/$layer"
config=$(python3 - "$T/base-oci" <<'PY'
import json, os, sys
d = json.load(open(os.path.join(sys.argv[1], "index.json")))["manifests"][0]["digest"][7:]
print(json.load(open(os.path.join(sys.argv[1], "blobs", "sha256", d)))["config"]["digest"][7:])
PY
)
sed -i 's/"architecture"/"architecturX"/' "$T/base-oci/blobs/sha256/$config"
refused 3 'is corrupt' "a corrupt base config blob"
cp "$T/ecp.yaml.good" "$p/ecp.yaml"

# File names with a newline, unicode and spaces round-trip through umoci.
nl='
'
printf 'space\n' >"$p/app/conf/with space.txt"
printf 'unicode\n' >"$p/app/conf/ünïcødé-日本語.txt"
printf 'newline\n' >"$p/app/conf/new${nl}line.txt"
in_proj expect_exit 0 "$ECP" build --oci-layout "$T/names-oci:n"
if command -v umoci >/dev/null 2>&1; then
  umoci unpack --rootless --image "$T/names-oci:n" "$T/names-bundle" >"$T/out" 2>&1 || { cat "$T/out"; die "umoci unpack failed"; }
  python3 - "$T/names-bundle/rootfs/app/conf" <<'PY' || die "odd file names did not round-trip"
import os, sys
d = sys.argv[1]
want = {"with space.txt": b"space\n", "ünïcødé-日本語.txt": b"unicode\n", "new\nline.txt": b"newline\n"}
for name, data in want.items():
    got = open(os.path.join(d, name), "rb").read()
    if got != data:
        sys.exit(f"{name!r}: {got!r}")
PY
  echo "ok: names with a newline, unicode and spaces"
else
  skipped="$skipped odd-names(no umoci)"
fi
rm "$p/app/conf/with space.txt" "$p/app/conf/ünïcødé-日本語.txt" "$p/app/conf/new${nl}line.txt"

# A 4 GiB sparse file streams: it builds, with a small peak RSS.
truncate -s 4G "$p/app/lib/huge.jar" 2>/dev/null || die "cannot make a sparse file in $T"
if [ -x /usr/bin/time ]; then
  in_proj expect_exit 0 /usr/bin/time -v "$ECP" build -o json
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$T/err")
  # ASan's shadow memory and quarantine add 100-200 MiB whatever the input (seen
  # at 259 MiB on a loaded machine): a sanitizer build proves streaming (4 GiB
  # in, far less resident), the 64 MiB target applies to the release build that
  # tests/bench/build.sh measures.
  limit=65536
  if ldd "$ECP" 2>/dev/null | grep -q libasan; then limit=524288; fi
  [ -n "$rss" ] && [ "$rss" -lt "$limit" ] || { cat "$T/err"; die "peak RSS ${rss:-?} KiB for a 4 GiB file is not under $limit KiB"; }
  echo "ok: a 4 GiB sparse file (peak RSS $rss KiB)"
else
  in_proj expect_exit 0 "$ECP" build -o json
  skipped="$skipped sparse-rss(no /usr/bin/time: apt-get install time)"
  echo "ok: a 4 GiB sparse file"
fi
python3 -c 'import json,sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])
dep = [l for l in r["layers"] if l["name"] == "dependencies"][0]
assert "/app/lib/huge.jar" in dep["files"], dep["files"]
assert dep["size"] < 64 << 20, dep["size"]' "$T/out" || die "the 4 GiB file is not in the dependencies layer"

# SIGINT mid-build. The sparse file moves to conf/: the app layer takes seconds
# to write while the other layers come from the cache. ecp runs with SIGINT at
# its default (a shell's background job would ignore it).
mv "$p/app/lib/huge.jar" "$p/app/conf/huge.bin"
snapshot
tmpdir=$ECP_HOME/store/.ecp/tmp
[ -z "$(ls -A "$tmpdir" 2>/dev/null)" ] || die "temporary files before the SIGINT case"
(cd "$p" && exec python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])' \
  "$ECP" build) >"$T/int.out" 2>"$T/int.err" &
pid=$!
# The signal goes as soon as the layer's temporary file exists: writing 4 GiB
# takes far longer than noticing the file, on any machine.
until [ -n "$(ls -A "$tmpdir" 2>/dev/null)" ]; do
  kill -0 "$pid" 2>/dev/null || { cat "$T/int.err"; die "the build ended before it wrote a blob"; }
  sleep 0.01
done
kill -INT "$pid"
set +e; wait "$pid"; rc=$?; set -e
[ "$rc" = 130 ] || { cat "$T/int.err"; die "SIGINT: exit status $rc, expected 130"; }
expect_grep 'interrupted' "$T/int.err"
unchanged "SIGINT mid-build"
echo "ok: SIGINT mid-build"
rm "$p/app/conf/huge.bin"

# $ECP_HOME on a 1 MiB tmpfs that fills up: an I/O error naming the cause.
mkdir "$T/small"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=1m ecp-test "$T/small" 2>/dev/null; then
  unmount_small() { umount "$T/small"; }
  add_cleanup unmount_small
  ECP_HOME=$T/small
  in_proj expect_exit 0 "$ECP" build
  snapshot
  head -c 3000000 /dev/urandom >"$p/app/conf/big.bin"
  refused 1 'No space left on device' "a full \$ECP_HOME"
  rm "$p/app/conf/big.bin"
else
  skipped="$skipped full-tmpfs(mount -t tmpfs not permitted)"
fi

[ -z "$skipped" ] || skip "every other case passed; not run:$skipped"
echo ok
