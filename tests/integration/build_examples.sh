#!/bin/sh
# `ecp build` of each example (hello-jar, hello-site, hello-tomcat), checked by
# tools that share no code with ecp:
#   - skopeo inspect and oci-image-tool validate accept the exported OCI layout;
#   - umoci unpack --rootless gives exactly the source tree under /app: same bytes,
#     normalised modes (0775 folders and executables, 0664 the rest: group 0 as
#     the owner, for arbitrary UIDs), the same
#     symlinks, an empty /app/data, and no rendered conf file that has a .tmpl;
#   - the JSON result names digest, size and, per layer, digest, diff_id, size,
#     media type and files, and these agree with the blobs on disk;
#   - each layout is split into the layers of its type (Jib style);
#   - the image config has the entrypoint, working dir, ports, env, labels, history;
#   - zstd and other gzip levels change the blobs, never the tars (diff_ids).
# Each example is built in a temporary copy, so the repository stays clean.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"

for tool in skopeo oci-image-tool umoci python3 javac jar; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (skopeo umoci oci-image-tool python3 openjdk-17-jdk-headless)"
done
servlet_api=""
for f in /usr/share/java/tomcat10-servlet-api.jar /usr/share/tomcat10/lib/servlet-api.jar; do
  [ -f "$f" ] && servlet_api=$f && break
done
[ -n "$servlet_api" ] || skip "the Jakarta Servlet API jar is missing (apt-get install libtomcat10-java)"

# check_image NAME TYPE: the checks above on $T/NAME (project) and $T/NAME.json (result).
check_image() {
  name=$1 type=$2
  dir=$T/$name oci=$T/$name-oci tag=t-$name
  skopeo inspect "oci:$oci:$tag" >"$T/$name.inspect" 2>"$T/err" || { cat "$T/err"; die "skopeo inspect refused $name"; }
  oci-image-tool validate --type image --ref "name=$tag" "$oci" >"$T/out" 2>&1 || { cat "$T/out"; die "oci-image-tool refused $name"; }
  expect_grep 'Validation succeeded' "$T/out"
  rm -rf "$T/bundle"
  umoci unpack --rootless --image "$oci:$tag" "$T/bundle" >"$T/out" 2>&1 || { cat "$T/out"; die "umoci unpack failed for $name"; }
  python3 - "$dir/app" "$T/bundle/rootfs" "$oci" "$tag" "$T/$name.json" "$T/$name.inspect" "$type" <<'PY' || die "$name: the image differs from what was built (see above)"
import hashlib, json, os, stat, sys, tarfile
src, rootfs, oci, tag, result_file, inspect_file, kind = sys.argv[1:]
problems = []

def tree(top, prefix):
    """path -> (kind, mode, sha or link target) for everything under top."""
    out = {}
    for dirpath, dirs, files in os.walk(top):
        for n in dirs + files:
            p = os.path.join(dirpath, n)
            rel = prefix + os.path.relpath(p, top)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("symlink", None, os.readlink(p))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", stat.S_IMODE(st.st_mode), None)
            else:
                with open(p, "rb") as f:
                    out[rel] = ("file", stat.S_IMODE(st.st_mode), hashlib.sha256(f.read()).hexdigest())
    return out

# Expected: the source, modes normalised, rendered files (NAME beside NAME.tmpl) left out.
want = {}
srctree = tree(src, "app/")
for p, (k, mode, v) in srctree.items():
    if p + ".tmpl" in srctree:
        continue
    if k == "dir":
        mode = 0o775
    elif k == "file":
        mode = 0o775 if mode & 0o111 else 0o664
    want[p] = (k, mode, v)
want["app"] = ("dir", 0o775, None)
want.setdefault("app/data", ("dir", 0o775, None))
got = tree(rootfs, "")
for p in sorted(set(want) | set(got)):
    if p not in got:
        problems.append(f"missing from the image: /{p}")
    elif p not in want:
        problems.append(f"not expected in the image: /{p}")
    elif want[p] != got[p]:
        problems.append(f"/{p}: image has {got[p]}, expected {want[p]}")

# The OCI layout: index -> manifest -> config and layers.
def blob(d):
    with open(os.path.join(oci, "blobs", "sha256", d.split(":")[1]), "rb") as f:
        return f.read()
index = json.load(open(os.path.join(oci, "index.json")))
mdesc = [m for m in index["manifests"] if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag][0]
manifest = json.loads(blob(mdesc["digest"]))
config = json.loads(blob(manifest["config"]["digest"]))

# The JSON result: the last line of stdout, type "result".
lines = [json.loads(l) for l in open(result_file) if l.strip()]
result = lines[-1]
if result.get("type") != "result" or not result.get("ok"):
    problems.append(f"last line is not an ok result: {result}")
if result.get("digest") != mdesc["digest"]:
    problems.append(f"result digest {result.get('digest')} != exported manifest {mdesc['digest']}")
size = mdesc["size"] + manifest["config"]["size"] + sum(l["size"] for l in manifest["layers"])
if result.get("size") != size:
    problems.append(f"result size {result.get('size')} != manifest+config+layers {size}")
layers = result.get("layers", [])
if [l["digest"] for l in layers] != [l["digest"] for l in manifest["layers"]]:
    problems.append("result layers differ from the manifest's layers")
if [l["diff_id"] for l in layers] != config["rootfs"]["diff_ids"]:
    problems.append("result diff_ids differ from the config's")
layer_times = []
for l, m in zip(layers, manifest["layers"]):
    for key in ("digest", "diff_id", "size", "media_type", "files", "name"):
        if key not in l:
            problems.append(f"layer {l.get('name')} has no '{key}'")
    if l.get("size") != m["size"] or l.get("media_type") != m["mediaType"]:
        problems.append(f"layer {l.get('name')}: size/media type differ from the manifest")
    data = blob(l["digest"])
    if "sha256:" + hashlib.sha256(data).hexdigest() != l["digest"]:
        problems.append(f"layer {l['name']}: blob does not match its digest")
    import gzip, io
    raw = gzip.decompress(data)
    if "sha256:" + hashlib.sha256(raw).hexdigest() != l["diff_id"]:
        problems.append(f"layer {l['name']}: diff_id does not match the uncompressed blob")
    with tarfile.open(fileobj=io.BytesIO(raw)) as t:
        members = t.getmembers()
        names = ["/" + m.name.rstrip("/") + ("/" if m.isdir() else "") for m in members]
        if names != sorted(names):
            problems.append(f"layer {l['name']}: entries are not sorted")
        for m in members:
            if (m.uid, m.gid, m.uname, m.gname) != (0, 0, "", ""):
                problems.append(f"layer {l['name']}: {m.name} is owned by {m.uid}:{m.gid} {m.uname}:{m.gname}")
        # Outside git (these copies), a layer's entries all carry its newest file's
        # time, and the image's creation time is the newest of them.
        if len({m.mtime for m in members}) != 1:
            problems.append(f"layer {l['name']}: entries carry different mtimes")
        layer_times.append(members[0].mtime if members else 0)
    if names != l.get("files"):
        problems.append(f"layer {l['name']}: files {l.get('files')} != tar entries {names}")

import datetime
created = datetime.datetime.fromisoformat(config["created"].replace("Z", "+00:00")).timestamp()
if layer_times and created != max(layer_times):
    problems.append(f"created {config['created']} is not the newest layer time {max(layer_times)}")

# The layer split of each type.
def files_of(name):
    return [f for l in layers if l["name"] == name for f in l["files"] if not f.endswith("/")]
names = [l["name"] for l in layers]
if kind == "jar":
    if names != ["dependencies", "application", "app"]:
        problems.append(f"jar layers are {names}")
    if files_of("dependencies") != ["/app/lib/hello-text.jar"]:
        problems.append(f"dependencies layer holds {files_of('dependencies')}")
    if files_of("application") != ["/app/lib/application.jar"]:
        problems.append(f"application layer holds {files_of('application')}")
elif kind == "nginx":
    if names != ["static-assets", "html", "app"]:
        problems.append(f"nginx layers are {names}")
    if not files_of("static-assets") or any(not f.endswith(".png") for f in files_of("static-assets")):
        problems.append(f"static-assets layer holds {files_of('static-assets')}")
    if "/app/html/index.html" not in files_of("html") or "/app/html/css/site.css" not in files_of("html"):
        problems.append(f"html layer holds {files_of('html')}")
else:
    if names != ["webapp-libraries", "webapp", "app"]:
        problems.append(f"tomcat layers are {names}")
    if files_of("webapp-libraries") != ["/app/webapps/ROOT/WEB-INF/lib/extra.jar"]:
        problems.append(f"webapp-libraries layer holds {files_of('webapp-libraries')}")
    if not any(f.endswith("HelloServlet.class") for f in files_of("webapp")):
        problems.append(f"webapp layer holds {files_of('webapp')}")
app_files = files_of("app")
if not any(f.startswith("/app/bin/") for f in app_files) or not any(f.startswith("/app/conf/") for f in app_files):
    problems.append(f"app layer holds {app_files}")
if "/app/data/" not in [f for l in layers if l["name"] == "app" for f in l["files"]]:
    problems.append("/app/data/ is not in the app layer")

# The config.
c = config.get("config", {})
app = os.path.basename(os.path.dirname(src))
expect = {"Entrypoint": ["/app/bin/entrypoint.sh"], "WorkingDir": "/app", "ExposedPorts": {"8080/tcp": {}}}
for k, v in expect.items():
    if c.get(k) != v:
        problems.append(f"config {k} is {c.get(k)}, expected {v}")
env = c.get("Env", [])
for e in (f"ECP_TYPE={kind}", "ECP_VERSION=1.0.0"):
    if e not in env:
        problems.append(f"Env {env} has no {e}")
labels = c.get("Labels", {})
for k in ("org.opencontainers.image.title", "org.opencontainers.image.version", "org.opencontainers.image.created",
          "ecp.app", "ecp.type"):
    if k not in labels:
        problems.append(f"label {k} missing: {labels}")
if labels.get("ecp.type") != kind:
    problems.append(f"label ecp.type is {labels.get('ecp.type')}")
if len([h for h in config.get("history", []) if not h.get("empty_layer")]) != len(layers):
    problems.append(f"history {config.get('history')} does not name each layer")
inspect = json.load(open(inspect_file))
if inspect["Digest"] != result["digest"] or inspect["Layers"] != [l["digest"] for l in layers]:
    problems.append("skopeo sees another digest or other layers")
if problems:
    print("\n".join(problems))
    sys.exit(1)
PY
}

for ex in hello-jar hello-site hello-tomcat; do
  dir=$T/$ex
  cp -R "$ECP_SOURCE_DIR/examples/$ex" "$dir"
  rm -rf "$dir/build" "$dir/app/lib"/*.jar "$dir/app/webapps/ROOT/WEB-INF/classes"
  if [ -f "$dir/build.sh" ]; then
    SERVLET_API_JAR=$servlet_api sh "$dir/build.sh" >"$T/build.log" 2>&1 || { cat "$T/build.log"; die "$ex/build.sh failed"; }
  fi
  # What a developer's tree holds after a local run: rendered conf beside the
  # templates (must stay out), plus a symlink (must stay a symlink).
  ECP_CONF_DIR=$dir/app/conf sh "$dir/app/bin/autoconfig.sh" >"$T/out" 2>&1 || { cat "$T/out"; die "$ex autoconfig.sh failed"; }
  ln -s entrypoint.sh "$dir/app/bin/start"
  type=$(sed -n 's/^type: *//p' "$dir/ecp.yaml")
  if [ "$type" = tomcat ]; then
    mkdir -p "$dir/app/webapps/ROOT/WEB-INF/lib"
    cp "$servlet_api" "$dir/app/webapps/ROOT/WEB-INF/lib/extra.jar"
  fi
  ls "$dir/app/conf" >"$T/conf.list"
  expect_grep '\.tmpl$' "$T/conf.list"
  rendered=$(sed -n 's/\.tmpl$//p' "$T/conf.list" | head -n 1)
  [ -f "$dir/app/conf/$rendered" ] || die "$ex: autoconfig.sh rendered no conf/$rendered"

  (cd "$dir" && "$ECP" build -o json --oci-layout "$T/$ex-oci:t-$ex") >"$T/$ex.json" 2>"$T/err" ||
    { cat "$T/err"; die "ecp build of $ex failed"; }
  check_image "$ex" "$type"
  echo "ok $ex"
done

# --compression zstd --level 19 and gzip --level 3: other bytes, the same tars.
# umoci 0.4 and oci-image-tool 1.0 predate zstd layers, so the zstd image is
# checked with the zstd tool (each layer decompresses to its diff_id) and with
# skopeo, which converts it to gzip for umoci to unpack into the same tree.
if command -v zstd >/dev/null 2>&1; then
  ex=hello-site
  (cd "$T/$ex" && "$ECP" build -o json -t zstd --compression zstd --level 19 --oci-layout "$T/zstd-oci:z") >"$T/zstd.json" 2>"$T/err" ||
    { cat "$T/err"; die "ecp build --compression zstd failed"; }
  (cd "$T/$ex" && "$ECP" build -o json -t gz3 --level 3) >"$T/gz3.json" 2>"$T/err" || { cat "$T/err"; die "ecp build --level 3 failed"; }
  python3 - "$T/$ex.json" "$T/zstd.json" "$T/gz3.json" "$T/zstd-oci" >"$T/zstd.layers" <<'PY' || die "zstd/level results differ from the gzip build"
import json, sys
res = [json.loads(open(f).read().splitlines()[-1]) for f in sys.argv[1:4]]
gz, zs, g3 = ([l["diff_id"] for l in r["layers"]] for r in res)
assert gz == zs == g3, (gz, zs, g3)
assert all(l["media_type"] == "application/vnd.oci.image.layer.v1.tar+zstd" for l in res[1]["layers"]), res[1]["layers"]
assert res[1]["digest"] != res[0]["digest"]
for l in res[1]["layers"]:
    print(l["digest"][7:], l["diff_id"])
PY
  while read -r blob diff; do
    got=$(zstd -dc "$T/zstd-oci/blobs/sha256/$blob" | sha256sum | cut -d' ' -f1)
    [ "sha256:$got" = "$diff" ] || die "zstd layer $blob decompresses to sha256:$got, not its diff_id $diff"
  done <"$T/zstd.layers"
  skopeo inspect "oci:$T/zstd-oci:z" >/dev/null 2>"$T/err" || { cat "$T/err"; die "skopeo refused the zstd image"; }
  skopeo copy --dest-compress-format gzip "oci:$T/zstd-oci:z" "oci:$T/zstd-gz:g" >"$T/out" 2>&1 || { cat "$T/out"; die "skopeo could not read the zstd layers"; }
  rm -rf "$T/bundle" "$T/bundle-gz"
  umoci unpack --rootless --image "$T/zstd-gz:g" "$T/bundle" >"$T/out" 2>&1 || { cat "$T/out"; die "umoci unpack of the converted zstd image failed"; }
  umoci unpack --rootless --image "$T/$ex-oci:t-$ex" "$T/bundle-gz" >"$T/out" 2>&1 || { cat "$T/out"; die "umoci unpack failed"; }
  diff -r "$T/bundle/rootfs" "$T/bundle-gz/rootfs" >&2 || die "the zstd image unpacks to another tree"
  echo "ok zstd and gzip levels"
else
  skip_part "zstd is not installed: zstd layers not checked"
fi

# The store lists all three, by <app>:<version> (the copies are not git work trees).
"$ECP" images >"$T/images"
for ex in hello-jar hello-site hello-tomcat; do expect_grep "^$ex:1\.0\.0 +sha256:" "$T/images"; done
echo ok
