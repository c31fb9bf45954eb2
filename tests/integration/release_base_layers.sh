#!/bin/sh
# A host unpacks only the app's layers, found by digest (the build's label
# ecp.layers), never by counting history entries. The bases here are made by the
# test and hostile: they put files under /app (an entrypoint too), which must
# never reach a release folder.
#   1. A jar app on a base WITHOUT history (valid OCI): the release folder holds
#      exactly the app's files; the ledger names exactly the build's three layers.
#   2. On a base whose history has empty_layer entries and an entry that made no
#      layer: the same.
#   3. The image as an older ecp built it (no label; base without history): still
#      exactly the app's files, told by its history counted from the top.
#   4. Images changed after the build (a layer added on top): refused, exit 2,
#      with or without the label, nothing deployed and nothing recorded.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"

# base OUT TAG HISTORY: an OCI layout OUT:TAG of two gzip layers holding files
# under app/ (and bin/). HISTORY: none (no "history" key) | odd (empty_layer
# entries, and one entry without the flag that made no layer).
base() {
  python3 - "$@" <<'PY'
import gzip, hashlib, io, json, os, sys, tarfile
out, tag, history = sys.argv[1:]
blobs = os.path.join(out, "blobs", "sha256")
os.makedirs(blobs, exist_ok=True)
def blob(data):
    h = hashlib.sha256(data).hexdigest()
    open(os.path.join(blobs, h), "wb").write(data)
    return {"digest": "sha256:" + h, "size": len(data)}
def layer(files):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data, mode in files:
            info = tarfile.TarInfo(name)
            info.mode = mode
            if data is None:
                info.type = tarfile.DIRTYPE
                t.addfile(info)
            else:
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
    plain = raw.getvalue()
    d = blob(gzip.compress(plain, mtime=0))
    d["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip"
    return d, "sha256:" + hashlib.sha256(plain).hexdigest()
l0, d0 = layer([("bin/", None, 0o755), ("bin/base-tool", b"base\n", 0o755), ("app/", None, 0o755),
                ("app/BASE-ONLY", b"base\n", 0o644), ("app/lib/", None, 0o755),
                ("app/lib/base.jar", b"base jar\n", 0o644)])
l1, d1 = layer([("app/bin/", None, 0o755), ("app/bin/entrypoint.sh", b"#!/bin/sh\necho the base\n", 0o755),
                ("app/conf/", None, 0o755), ("app/conf/base.properties", b"BASE=1\n", 0o644)])
config = {"architecture": "amd64", "os": "linux", "config": {"Env": ["PATH=/bin"]},
          "rootfs": {"type": "layers", "diff_ids": [d0, d1]}}
if history == "odd":
    config["history"] = [{"created_by": "ADD rootfs"}, {"created_by": "ENV A=1", "empty_layer": True},
                         {"created_by": "LABEL made no layer, yet not flagged"}, {"created_by": "RUN make"},
                         {"created_by": "CMD sh", "empty_layer": True}]
c = blob(json.dumps(config).encode())
c["mediaType"] = "application/vnd.oci.image.config.v1+json"
manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": c,
            "layers": [l0, l1]}
m = blob(json.dumps(manifest).encode())
m["mediaType"] = manifest["mediaType"]
m["annotations"] = {"org.opencontainers.image.ref.name": tag}
json.dump({"schemaVersion": 2, "manifests": [m]}, open(os.path.join(out, "index.json"), "w"))
json.dump({"imageLayoutVersion": "1.0.0"}, open(os.path.join(out, "oci-layout"), "w"))
PY
}
base "$T/nohist" b none
base "$T/odd" b odd

port=$(free_port)
make_web_app "$T/web" "$port"
cd "$T/web"
# The jar layout: a dependency, the application jar and the rest (bin, conf, html).
sed -i 's/^type: nginx/type: jar/' ecp.yaml
mkdir -p app/lib
printf 'dependency\n' >app/lib/dep.jar
printf 'application\n' >app/lib/application.jar
root=$ECP_HOME/targets/local/web/dev
stop_at_exit "$ECP_HOME/targets/local"
# The app's files as the layout has them, and data/ (the build adds it).
(cd app && find . -type f | sed 's|^\./||' | sort) >"$T/app-files"

# same_files REV: releases/REV holds the app's files, byte for byte, and nothing else.
same_files() {
  rel=$root/releases/$1
  (cd "$rel" && find . -path ./.ecp -prune -o \( -type f -o -type l \) -print | sed 's|^\./||' | sort) >"$T/rel-files"
  diff "$T/app-files" "$T/rel-files" >"$T/diff" || { cat "$T/diff"; die "release $1 does not hold exactly the app's files"; }
  while IFS= read -r f; do cmp -s "app/$f" "$rel/$f" || die "release $1: $f is not the app's"; done <"$T/app-files"
  [ -d "$rel/data" ] || die "release $1 has no data/"
}

# release_on BASE REV: builds on BASE (json in $T/build.json), releases it as REV
# and checks the folder and that the ledger names exactly the build's layers.
release_on() {
  sed -i '/^build:/d' ecp.yaml
  printf 'build: {base: "oci:%s:b"}\n' "$1" >>ecp.yaml
  expect_exit 0 "$ECP" build -o json
  cp "$T/out" "$T/build.json"
  expect_exit 0 "$ECP" deploy --env dev
  expect_grep "revision $2 of web/dev succeeded" "$T/out"
  same_files "$2"
  [ "$(curl -sf "http://127.0.0.1:$port/greeting")" = hello ] || die "revision $2 does not serve"
  python3 - "$T/build.json" "$root/state/ledger/r00000$2.json" "$ECP_HOME/store" <<'PY'
import json, os, sys
build = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][-1]
built = [l["digest"] for l in build["layers"]]
assert [l["name"] for l in build["layers"]] == ["dependencies", "application", "app"], build["layers"]
record = json.load(open(sys.argv[2]))
assert [l["digest"] for l in record["layers"]] == built, (record["layers"], built)
# The image config carries the label with the build's diff_ids, bottom first.
store = sys.argv[3]
blob = lambda d: json.load(open(os.path.join(store, "blobs", "sha256", d.split(":")[1])))
config = blob(blob(build["digest"])["config"]["digest"])
assert config["config"]["Labels"]["ecp.layers"] == ",".join(l["diff_id"] for l in build["layers"]), config
PY
}

# 1 and 2.
release_on "$T/nohist" 1
echo "ok: a base without history"
release_on "$T/odd" 2
echo "ok: a base whose history does not count its layers"

# retag FROM TO HOW: a changed copy of image FROM of ecp's store, tagged TO.
# HOW: old (no label, as older ecp versions built) | old+layer | layer (a layer
# with app/EXTRA added on top, history entry "umoci insert").
retag() {
  python3 - "$ECP_HOME/store" "$@" <<'PY'
import gzip, hashlib, io, json, os, sys, tarfile
store, src, dst, how = sys.argv[1:]
blobs = os.path.join(store, "blobs", "sha256")
read = lambda d: open(os.path.join(blobs, d.split(":")[1]), "rb").read()
def put(data):
    h = hashlib.sha256(data).hexdigest()
    open(os.path.join(blobs, h), "wb").write(data)
    return "sha256:" + h
index = json.load(open(os.path.join(store, "index.json")))
entry = next(m for m in index["manifests"] if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == src)
manifest = json.loads(read(entry["digest"]))
config = json.loads(read(manifest["config"]["digest"]))
if how.startswith("old"):
    del config["config"]["Labels"]["ecp.layers"]
if how.endswith("layer"):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as t:
        info = tarfile.TarInfo("app/EXTRA"); info.size = 6; t.addfile(info, io.BytesIO(b"extra\n"))
    z = gzip.compress(raw.getvalue(), mtime=0)
    manifest["layers"].append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": put(z),
                               "size": len(z)})
    config["rootfs"]["diff_ids"].append("sha256:" + hashlib.sha256(raw.getvalue()).hexdigest())
    config["history"].append({"created_by": "umoci insert"})
c = json.dumps(config).encode()
manifest["config"] = dict(manifest["config"], digest=put(c), size=len(c))
m = json.dumps(manifest).encode()
index["manifests"].append({"mediaType": entry["mediaType"], "digest": put(m), "size": len(m),
                           "annotations": {"org.opencontainers.image.ref.name": dst}})
json.dump(index, open(os.path.join(store, "index.json"), "w"))
PY
}

# 3. Built on the base without history, as an older ecp did: told by its history.
sed -i '/^build:/d' ecp.yaml
printf 'build: {base: "oci:%s:b"}\n' "$T/nohist" >>ecp.yaml
expect_exit 0 "$ECP" build -t nohist
retag web:nohist web:older old
expect_exit 0 "$ECP" deploy --env dev --image web:older
expect_grep "revision 3 of web/dev succeeded" "$T/out"
same_files 3
echo "ok: an image of an older ecp version"

# 4. Changed after the build: refused before anything is sent or recorded.
retag web:nohist web:added layer
retag web:nohist web:older-added old+layer
expect_exit 2 "$ECP" deploy --env dev --image web:added
expect_grep "image web:added: layer 4 of 6 is sha256:[0-9a-f]{64}, not the app layer sha256:[0-9a-f]{64} its build recorded \(label ecp.layers\): the image was changed after ecp built it" "$T/err"
expect_exit 2 "$ECP" deploy --env dev --image web:older-added
expect_grep "image web:older-added: ecp built it, but neither a label ecp.layers nor its history tells which layers are the app's" "$T/err"
[ ! -e "$root/state/ledger/r000004.json" ] || die "a refused image was recorded"
[ ! -e "$root/releases/4" ] || die "a refused image was installed"
[ "$(readlink "$root/current")" = releases/3 ] || die "current moved"
[ -z "$(find "$root/releases" -name EXTRA)" ] || die "the added layer reached a release"
expect_exit 0 "$ECP" status --env dev
expect_grep "^a-0 +local +3 +[0-9]+ running +[0-9]+ +healthy" "$T/out"
echo ok
