#!/bin/sh
# The layer cache, and the store commands around it:
#   - an unchanged rebuild reports every layer cached, gives the same digest,
#     reads no input file and writes nothing (strace, when installed);
#   - replacing only lib/application.jar rebuilds only the application layer;
#   - an older mtime on unchanged bytes misses the cache but gives the same layer
#     (outside git a layer is dated by its newest file, so a newer one dates it anew);
#   - --no-cache rebuilds everything to the same digest;
#   - ecp images lists the tag, ecp gc removes only what no tag reaches (the
#     image left still passes skopeo), ecp images rm of an unknown tag changes
#     nothing (exit 2), and after rm + gc the store holds no blob.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"

p=$T/proj
mkdir -p "$p/app/bin" "$p/app/lib" "$p/app/conf"
printf 'schema: 1\napp: cachey\ntype: jar\nversion: "2.0"\nbuild: {base: scratch}\n' >"$p/ecp.yaml"
printf '#!/bin/sh\nexec java -jar /app/lib/application.jar\n' >"$p/app/bin/entrypoint.sh"
chmod +x "$p/app/bin/entrypoint.sh"
for i in 1 2 3; do head -c 300000 /dev/urandom >"$p/app/lib/dep-$i.jar"; done
head -c 200000 /dev/urandom >"$p/app/lib/application.jar"
printf 'k=v\n' >"$p/app/conf/app.properties"
# Outside git each layer is dated by its newest file: start from one known time.
find "$p" -exec touch -h -d @1700000000 {} +

# build NAME [ARGS...]: ecp build -o json, result in $T/NAME.json
build() {
  n=$1; shift
  (cd "$p" && "$ECP" build -o json "$@") >"$T/$n.json" 2>"$T/err" || { cat "$T/err"; die "build $n failed"; }
}
# layers NAME: "name:digest:cached" per layer; digest NAME: the manifest digest.
layers() {
  python3 -c 'import json,sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])
for l in r["layers"]: print("%s:%s:%s" % (l["name"], l["digest"], "cached" if l["cached"] else "built"))' "$T/$1.json"
}
digest() { python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().splitlines()[-1])["digest"])' "$T/$1.json"; }
# ldigest NAME LAYER / lstate NAME LAYER: a layer's digest, and "cached" or "built".
ldigest() { layers "$1" | grep "^$2:" | cut -d: -f2-3; }
lstate() { layers "$1" | grep "^$2:" | cut -d: -f4; }

build cold
[ "$(layers cold | grep -c ':built$')" = 3 ] || { layers cold; die "a cold build did not build 3 layers"; }

# Unchanged: every layer from the cache, same digest, no input file opened.
if command -v strace >/dev/null 2>&1; then
  (cd "$p" && ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=open,openat -o "$T/trace" "$ECP" build -o json) >"$T/warm.json" 2>"$T/err" ||
    { cat "$T/err"; die "warm build failed"; }
  if grep -E "\"$p/app/[^\"]*\\.(jar|sh|properties)\"" "$T/trace" | grep -v ENOENT >"$T/opened"; then
    cat "$T/opened"; die "an unchanged rebuild opened input files"
  fi
  # ...and writes nothing: no new file in the store, not even index.json.
  if grep "\"$ECP_HOME/[^\"]*\".*O_CREAT" "$T/trace" >"$T/created"; then
    cat "$T/created"; die "an unchanged rebuild wrote to the store"
  fi
else
  skip_part "strace is not installed: the warm build's file opens are not checked"
  build warm
fi
[ "$(layers warm | grep -c ':cached$')" = 3 ] || { layers warm; die "an unchanged rebuild was not fully cached"; }
[ "$(digest warm)" = "$(digest cold)" ] || die "an unchanged rebuild changed the digest"

# Only application.jar replaced: only the application layer is built.
head -c 200000 /dev/urandom >"$p/app/lib/application.jar"
build app
[ "$(lstate app application)" = built ] || die "the application layer was not rebuilt"
[ "$(ldigest app dependencies)" = "$(ldigest cold dependencies)" ] || die "the dependencies layer changed"
[ "$(ldigest app app)" = "$(ldigest cold app)" ] || die "the app layer changed"
[ "$(lstate app dependencies)" = cached ] && [ "$(lstate app app)" = cached ] ||
  { layers app; die "layers other than application were not cached"; }
[ "$(ldigest app application)" != "$(ldigest cold application)" ] || die "new bytes, same layer"
[ "$(digest app)" != "$(digest cold)" ] || die "a new application.jar gave the same image"

# Same bytes, an older mtime (not the layer's newest): a cache miss that gives
# back the same layer.
touch -d @1600000000 "$p/app/conf/app.properties"
build touched
[ "$(lstate touched app)" = built ] || die "a new mtime did not miss the cache"
[ "$(ldigest touched app)" = "$(ldigest app app)" ] || die "an older mtime changed the layer"
[ "$(digest touched)" = "$(digest app)" ] || die "an older mtime changed the digest"
# A newer one dates that layer (and the image) anew, outside git; the others stay.
touch -d @1800000000 "$p/app/conf/app.properties"
build newer
[ "$(ldigest newer app)" != "$(ldigest app app)" ] || die "a newer mtime did not date the layer anew"
[ "$(ldigest newer dependencies)" = "$(ldigest app dependencies)" ] || die "a newer mtime changed another layer"
touch -d @1600000000 "$p/app/conf/app.properties"

# --no-cache: everything built, same digest.
build nocache --no-cache
[ "$(layers nocache | grep -c ':built$')" = 3 ] || { layers nocache; die "--no-cache used the cache"; }
[ "$(digest nocache)" = "$(digest app)" ] || die "--no-cache changed the digest"
echo "ok: layer cache"

# ecp images / gc / images rm. The cold image lost its tag (cachey:2.0 moved).
store=$ECP_HOME/store
expect_exit 0 "$ECP" images
expect_grep "^cachey:2\.0 +$(digest app | cut -c1-19) " "$T/out"
# Sizes are human-readable, exact with --bytes; the JSON always has bytes.
expect_grep "^cachey:2\.0 +sha256:[0-9a-f]{12} +[0-9.]+ (B|KiB|MiB) " "$T/out"
expect_exit 0 "$ECP" images --bytes
expect_grep "^cachey:2\.0 +sha256:[0-9a-f]{12} +[0-9]+ +20" "$T/out"
old_app_blob=$store/blobs/sha256/$(ldigest cold application | sed 's/^sha256://')
[ -f "$old_app_blob" ] || die "the first application layer is not in the store"
# A second tag keeps its blobs through gc. Temporary files a crashed ecp left
# (a file and a folder of two files, 3000 bytes) are removed and counted.
build second -t keep
mkdir -p "$store/.ecp/tmp/crashed-build"
head -c 1000 /dev/zero >"$store/.ecp/tmp/upload.part"
head -c 1000 /dev/zero >"$store/.ecp/tmp/crashed-build/a"
head -c 1000 /dev/zero >"$store/.ecp/tmp/crashed-build/b"
expect_exit 0 "$ECP" -o json gc
python3 -c 'import json,sys; r = json.loads(open(sys.argv[1]).read().splitlines()[-1]); sys.exit(0 if r["blobs_removed"] >= 2 and r["temp_removed"] == 4 and r["bytes_freed"] > 3000 else 1)' "$T/out" ||
  { cat "$T/out"; die "gc did not remove and count the blobs and the temporary files"; }
[ -z "$(ls -A "$store/.ecp/tmp")" ] || die "gc left temporary files"
[ ! -e "$old_app_blob" ] || die "gc kept the old application layer"
for n in $(layers app | cut -d: -f2-3 | sed 's/^sha256://'); do
  [ -f "$store/blobs/sha256/$n" ] || die "gc removed $n, which cachey:2.0 uses"
done
if command -v skopeo >/dev/null 2>&1; then
  skopeo inspect "oci:$store:cachey:2.0" >/dev/null 2>"$T/err" || { cat "$T/err"; die "skopeo cannot read the store after gc"; }
else
  skip_part "skopeo is not installed: the store after gc is not read by skopeo"
fi
# An unknown tag: exit 2, nothing removed (not even the known one beside it).
cp "$store/index.json" "$T/index.before"
expect_exit 2 "$ECP" images rm cachey:2.0 cachey:nope
expect_grep 'cachey:nope' "$T/err"
cmp -s "$store/index.json" "$T/index.before" || die "a failed images rm changed index.json"
expect_exit 0 "$ECP" images rm cachey:2.0 cachey:keep
expect_exit 0 "$ECP" images
expect_no_grep 'cachey' "$T/out"
expect_exit 0 "$ECP" gc
[ -z "$(ls -A "$store/blobs/sha256")" ] || { ls -l "$store/blobs/sha256"; die "blobs are left after rm + gc"; }
# The cache forgot the layers gc removed: the next build builds everything again.
build after
[ "$(layers after | grep -c ':built$')" = 3 ] || { layers after; die "the cache answered for removed blobs"; }
[ "$(digest after)" = "$(digest app)" ] || die "the rebuild after gc changed the digest"
echo ok
