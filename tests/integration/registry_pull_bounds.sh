#!/bin/sh
# Sizes a registry's manifest claims are capped before anything is fetched: a
# manifest whose config claims 10^15 bytes, and an index whose manifest claims
# as much, are refused by ecp pull and by a build on that base with a registry
# error (exit 4) naming the registry, the repository and the reference; no
# blob is requested (the proxy in front of the registry logs every request) and
# the store gets nothing.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/registry/lib.sh"

make_app "$T/app" huge 64
digest=$(build_app "$T/app" v1)
start_registry "$T/reg"
R=127.0.0.1:$REG_PORT
expect_exit 0 "$ECP" push huge:v1 "$R/huge:v1"

# The same manifest with the config's size set to 10^15 (the registry checks
# that the blob exists, not its size), and an index whose one manifest claims 10^15 bytes.
curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$R/v2/huge/manifests/v1" > "$T/m.json" ||
  die "cannot read the manifest back"
python3 - "$T/m.json" "$digest" "$T" <<'PY'
import json, platform, sys
m = json.load(open(sys.argv[1]))
m["config"]["size"] = 10**15
open(sys.argv[3] + "/huge.json", "w").write(json.dumps(m))
arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
         "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sys.argv[2],
                        "size": 10**15, "platform": {"architecture": arch, "os": "linux"}}]}
open(sys.argv[3] + "/index.json", "w").write(json.dumps(index))
PY
curl -sf -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary "@$T/huge.json" \
  "http://$R/v2/huge/manifests/huge" > /dev/null || die "the registry refused the manifest claiming 10^15 bytes"
curl -sf -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' --data-binary "@$T/index.json" \
  "http://$R/v2/huge/manifests/multi" > /dev/null || die "the registry refused the index"

start_proxy "$REG_PORT"
P=127.0.0.1:$PROXY_PORT
export ECP_HOME=$T/home
# nothing_fetched WHAT: no blob was requested, the store holds no blob.
nothing_fetched() {
  expect_no_grep "/blobs/" "$PROXY_LOG"
  [ -z "$(ls -A "$ECP_HOME/store/blobs/sha256" 2>/dev/null)" ] || die "$1: the store got a blob"
  : > "$PROXY_LOG"
  echo "ok: $1"
}

expect_exit 4 "$ECP" pull "$P/huge:huge"
expect_grep "registry $P, repository huge: GET manifest huge: invalid image manifest: its config sha256:[0-9a-f]{64} claims 1000000000000000 bytes; ecp reads configs of up to 8 MiB" "$T/err"
nothing_fetched "ecp pull, a config claiming 10^15 bytes"

expect_exit 4 "$ECP" pull "$P/huge:multi"
expect_grep "registry $P, repository huge: GET manifest multi: invalid image index: the manifest $digest claims 1000000000000000 bytes; ecp reads manifests of up to 4 MiB" "$T/err"
expect_no_grep "GET /v2/huge/manifests/sha256" "$PROXY_LOG"
nothing_fetched "ecp pull, an index entry claiming 10^15 bytes"

# A build on that base: the same refusal, the same exit code.
sed "s|base: scratch|base: $P/huge:huge|" "$T/app/ecp.yaml" > "$T/app/ecp.yaml.new"
mv "$T/app/ecp.yaml.new" "$T/app/ecp.yaml"
expect_exit 4 "$ECP" -C "$T/app" build
expect_grep "claims 1000000000000000 bytes" "$T/err"
nothing_fetched "ecp build on a base whose config claims 10^15 bytes"
echo ok
