#!/bin/sh
# Base layers unpack in a container's root, so what real bases carry is accepted,
# while layers ecp unpacks on a host keep being refused when they would escape:
#   1. `ecp build` on a Debian-style base of two layers (a docker-archive made
#      here): /etc/alternatives links with absolute targets, merged /usr (bin ->
#      usr/bin, then files written through it), busybox-style absolute links,
#      device nodes and a fifo, a hard link, "./" and "/" entries, and in the
#      upper layer whiteouts and an opaque folder. The image unpacks (umoci)
#      with the links as they were and the app under /app.
#   2. ecp-image-tool check-layers host (the check hosts run) refuses, across
#      layers: a chain a -> b -> ../../x made by two layers, a write through a
#      link of the layer below, a hard link through a link, ".." through a link
#      made later, an absolute name; each exit 3 naming layer and entry.
#   3. check-layers container refuses a hard link out, ".." names and a whiteout
#      of "..".
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
TOOL="$ECP_BUILD_DIR/ecp-image-tool"
[ -x "$TOOL" ] || die "missing $TOOL"
for tool in python3 umoci; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (python3 umoci)"
done

# layers OUT SPEC...: writes one tar per SPEC (entries separated by ';', each
# TYPE:NAME[:TARGET], TYPE f file, d folder, l symlink, h hard link, c char device,
# p fifo) as OUT.0.tar, OUT.1.tar, ...
layers() {
  python3 - "$@" <<'PY'
import io, sys, tarfile
out = sys.argv[1]
types = {"f": tarfile.REGTYPE, "d": tarfile.DIRTYPE, "l": tarfile.SYMTYPE, "h": tarfile.LNKTYPE,
         "c": tarfile.CHRTYPE, "p": tarfile.FIFOTYPE}
for i, spec in enumerate(sys.argv[2:]):
    with tarfile.open(f"{out}.{i}.tar", "w", format=tarfile.PAX_FORMAT) as t:
        for e in spec.split(";"):
            kind, name, *target = e.split(":", 2)
            info = tarfile.TarInfo(name)
            info.type = types[kind]
            info.mode = 0o755 if kind == "d" else 0o644
            if target: info.linkname = target[0]
            data = b"%s\n" % name.encode() if kind == "f" else b""
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
PY
}

# 1. A Debian-style base as a docker-archive of two layers.
layers "$T/deb" \
  "d:./;d:/;d:usr/;d:usr/bin/;l:bin:usr/bin;f:bin/busybox;l:bin/sh:/bin/busybox;d:etc/;d:etc/alternatives/;\
l:etc/alternatives/java:/usr/lib/jvm/java-17-openjdk-amd64/bin/java;l:usr/bin/java:/etc/alternatives/java;\
d:usr/lib/jvm/java-17-openjdk-amd64/bin/;f:usr/lib/jvm/java-17-openjdk-amd64/bin/java;\
h:usr/bin/java-hard:usr/lib/jvm/java-17-openjdk-amd64/bin/java;d:dev/;c:dev/null;p:run-initctl;\
f:etc/motd;d:var/cache/apt/;f:var/cache/apt/pkgcache.bin;l:usr/lib/deep:../../../../../usr/share" \
  "f:etc/.wh.motd;d:var/cache/;f:var/cache/.wh..wh..opq;f:bin/busybox-extra;l:etc/alternatives/java:/opt/java/bin/java"
python3 - "$T/deb" "$T/debian.tar" <<'PY'
import hashlib, io, json, sys, tarfile
src, out = sys.argv[1:]
names, diffs = [], []
with tarfile.open(out, "w") as t:
    def add(name, data):
        info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
    for i in range(2):
        data = open(f"{src}.{i}.tar", "rb").read()
        names.append(f"l{i}/layer.tar"); diffs.append("sha256:" + hashlib.sha256(data).hexdigest())
        add(names[-1], data)
    config = {"architecture": "amd64", "os": "linux", "config": {"Env": ["PATH=/usr/bin:/bin"]},
              "rootfs": {"type": "layers", "diff_ids": diffs}}
    add("config.json", json.dumps(config).encode())
    add("manifest.json", json.dumps([{"Config": "config.json", "RepoTags": ["debian:like"], "Layers": names}]).encode())
PY
mkdir -p "$T/proj/app/bin" "$T/proj/app/html"
printf 'schema: 1\napp: deb\ntype: nginx\nversion: "1"\nbuild: {base: "docker-archive:%s"}\n' "$T/debian.tar" >"$T/proj/ecp.yaml"
printf '#!/bin/sh\nexec nginx\n' >"$T/proj/app/bin/entrypoint.sh"
chmod +x "$T/proj/app/bin/entrypoint.sh"
printf 'hi\n' >"$T/proj/app/html/index.html"
(cd "$T/proj" && expect_exit 0 "$ECP" build --oci-layout "$T/out-oci:deb")
umoci unpack --rootless --image "$T/out-oci:deb" "$T/bundle" >"$T/out" 2>&1 || { cat "$T/out"; die "umoci unpack failed"; }
r=$T/bundle/rootfs
[ "$(readlink "$r/etc/alternatives/java")" = /opt/java/bin/java ] || die "etc/alternatives/java is $(readlink "$r/etc/alternatives/java")"
[ "$(readlink "$r/usr/bin/java")" = /etc/alternatives/java ] || die "usr/bin/java lost its link"
[ "$(readlink "$r/bin")" = usr/bin ] && [ -f "$r/usr/bin/busybox" ] && [ -f "$r/usr/bin/busybox-extra" ] ||
  die "the merged /usr links are not as the base made them"
[ ! -e "$r/etc/motd" ] && [ ! -e "$r/var/cache/apt" ] || die "a whiteout or the opaque folder was not applied"
[ -f "$r/app/html/index.html" ] || die "the app is not under /app"
echo "ok: a Debian-style base builds"

# 2. What hosts unpack: across layers, resolved, refused.
host_refused() {
  expected_text=$1; shift
  expect_exit 3 "$TOOL" check-layers host "$@"
  expect_grep "$expected_text" "$T/err"
}
layers "$T/chain" "l:app/a:b" "l:app/b:../../x"
host_refused "chain\.1\.tar: symlink 'app/b' points outside the image root \(\.\./\.\./x\)" "$T/chain.0.tar" "$T/chain.1.tar"
layers "$T/through" "l:app/conf:lib" "f:app/conf/x"
host_refused "through\.1\.tar: entry 'app/conf/x' is reached through the symlink 'app/conf'" "$T/through.0.tar" "$T/through.1.tar"
layers "$T/hard" "l:app/lib:conf" "h:app/h:app/lib/x"
host_refused "hard link 'app/h' reaches its target app/lib/x through the symlink 'app/lib'" "$T/hard.0.tar" "$T/hard.1.tar"
layers "$T/later" "d:app/d;l:app/up:d/.." "l:app/d:."
host_refused "symlink 'app/up' resolves outside the image root \(d/\.\.\)" "$T/later.0.tar" "$T/later.1.tar"
layers "$T/abs" "f:/etc/cron.d/x"
host_refused "entry '/etc/cron.d/x' has an absolute path" "$T/abs.0.tar"
# Each of them alone (the lower layer only) passes.
for l in chain through hard later; do expect_exit 0 "$TOOL" check-layers host "$T/$l.0.tar"; done
echo "ok: hosts refuse what escapes across layers"

# 3. Bases: what no extractor confined to the root should ever be asked to do.
layers "$T/b1" "h:etc/x:../../etc/shadow"
expect_exit 3 "$TOOL" check-layers container "$T/b1.0.tar"
expect_grep "hard link 'etc/x' points outside the image root" "$T/err"
layers "$T/b2" "f:usr/../../etc/passwd"
expect_exit 3 "$TOOL" check-layers container "$T/b2.0.tar"
expect_grep "leaves the image root" "$T/err"
layers "$T/b3" "f:etc/.wh.."
expect_exit 3 "$TOOL" check-layers container "$T/b3.0.tar"
expect_grep "whiteout 'etc/\.wh\.\.' names no entry" "$T/err"
expect_exit 0 "$TOOL" check-layers container "$T/chain.0.tar" "$T/chain.1.tar" "$T/through.0.tar" "$T/through.1.tar"
echo ok
