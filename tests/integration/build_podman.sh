#!/bin/sh
# ecp's images in a real container engine (podman, with its own storage under $T):
#   1. the docker-archive from `ecp build --tarball` loads with `podman load`,
#      under the build's reference, with the image ID = the config digest;
#   2. hello-jar RUNS: on ecp_base_jar (bases_lib.inc): busybox (static) and a jlink'd JRE with
#      the shared libraries it needs (an OCI layout written with umoci, Env
#      PATH=/jdk/bin:/bin and JAVA_HOME=/jdk), `ecp build` with build.base
#      oci:PATH:tag, podman load, podman run -p 127.0.0.1:PORT:8080, and /health
#      answers "ok"; an environment variable reaches the page through autoconfig.
# Skips (125) when podman cannot run containers here.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/bases_lib.inc"
for tool in podman umoci jlink javac jar curl python3; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (podman runc umoci openjdk-17-jdk-headless curl)"
done

. "$ECP_SOURCE_DIR/tests/lib/podman.sh"
use_own_podman
stop_containers() { podman rm -f -t 0 -a >/dev/null 2>&1 || true; }
add_cleanup stop_containers
podman info >"$T/podman-info" 2>&1 || { cat "$T/podman-info"; skip "podman does not work here"; }

# field FILE KEY: a top-level member of the JSON result (the last line of FILE).
field() { python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().splitlines()[-1])[sys.argv[2]])' "$1" "$2"; }
# config_digest OCI TAG: the config digest of TAG in an OCI layout.
config_digest() {
  python3 - "$1" "$2" <<'PY'
import json, os, sys
oci, tag = sys.argv[1:]
m = [m for m in json.load(open(os.path.join(oci, "index.json")))["manifests"]
     if m["annotations"]["org.opencontainers.image.ref.name"] == tag][0]
print(json.load(open(os.path.join(oci, "blobs", "sha256", m["digest"][7:])))["config"]["digest"])
PY
}

# The example, built from source in a copy.
app=$T/hello-jar
cp -R "$ECP_SOURCE_DIR/examples/hello-jar" "$app"
rm -rf "$app/build" "$app/app/lib"/*.jar
sh "$app/build.sh" >"$T/build.log" 2>&1 || { cat "$T/build.log"; die "hello-jar/build.sh failed"; }

# 1. podman load of the docker-archive (scratch base: it cannot run, only load).
(cd "$app" && "$ECP" build -o json -t scratch --tarball "$T/scratch.tar" --oci-layout "$T/scratch-oci:s") >"$T/s.json" 2>"$T/err" ||
  { cat "$T/err"; die "ecp build --tarball failed"; }
podman load -i "$T/scratch.tar" >"$T/out" 2>&1 || { cat "$T/out"; die "podman load refused the docker-archive"; }
expect_grep 'Loaded image.*hello-jar:scratch' "$T/out"
id=$(podman image inspect --format '{{.Id}}' localhost/hello-jar:scratch)
[ "sha256:$id" = "$(config_digest "$T/scratch-oci" s)" ] || die "podman's image ID $id is not the config digest"
echo "ok: podman load"

# 2. A runnable base (bases_lib.inc: busybox + a jlink'd JRE, made once per build folder).
rc=0; base_spec=$(ecp_base_jar) || rc=$?
[ "$rc" = 0 ] || { [ "$rc" = 125 ] && skip "cannot make the JRE base here"; die "making the JRE base failed"; }

sed "s|^  base: scratch|  base: \"$base_spec\"|" "$ECP_SOURCE_DIR/examples/hello-jar/ecp.yaml" >"$app/ecp.yaml"
grep -q "$base_spec" "$app/ecp.yaml" || die "could not point build.base at the JRE image"
(cd "$app" && "$ECP" build -o json -t run --tarball "$T/run.tar") >"$T/r.json" 2>"$T/err" || { cat "$T/err"; die "ecp build on the JRE base failed"; }
[ "$(field "$T/r.json" base)" = "$base_spec" ] || die "the result names base $(field "$T/r.json" base)"
podman load -i "$T/run.tar" >"$T/out" 2>&1 || { cat "$T/out"; die "podman load of the runnable image failed"; }
# The base's Env survives beside ecp's own.
podman image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' localhost/hello-jar:run >"$T/env"
expect_grep '^JAVA_HOME=/jdk$' "$T/env"
expect_grep '^ECP_APP=hello-jar$' "$T/env"

port=$(free_port)
podman run -d --name ecp-hello -e 'GREETING=Hello from podman' -p "127.0.0.1:$port:8080" localhost/hello-jar:run >"$T/out" 2>&1 ||
  { cat "$T/out"; skip "podman cannot run containers here"; }
n=0
until curl -sf -o "$T/health" "http://127.0.0.1:$port/health"; do
  state=$(podman inspect --format '{{.State.Status}}' ecp-hello 2>/dev/null || echo gone)
  if [ "$state" != running ] && [ "$state" != created ]; then
    podman logs ecp-hello >&2 || true
    die "the container is $state before /health answered"
  fi
  n=$((n + 1))
  [ "$n" -lt 3000 ] || { podman logs ecp-hello >&2; die "/health never answered"; }
  sleep 0.1
done
expect_grep '^ok' "$T/health"
curl -sf "http://127.0.0.1:$port/" >"$T/page" || die "/ did not answer"
expect_grep 'Hello from podman' "$T/page"
echo ok
