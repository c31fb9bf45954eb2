#!/bin/sh
# ecp build with build.base a registry reference: the base is pulled into the
# store (digests verified), its layers come first in the new image, and the
# image's annotations record the base's digest. With the registry gone, a
# tagged base falls back to the stored copy (with a warning) and a base pinned
# by digest needs no registry at all.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/registry/lib.sh"

start_registry "$T/reg"
R=127.0.0.1:$REG_PORT
make_app "$T/base" runtime 256
base_digest=$(build_app "$T/base" 1)
expect_exit 0 "$ECP" push runtime:1 "$R/platform/runtime:1"
"$ECP" images rm runtime:1 > /dev/null
"$ECP" gc > /dev/null  # the store no longer holds the base

make_app "$T/app" shop 128
sed -i "s|base: scratch|base: $R/platform/runtime:1|" "$T/app/ecp.yaml"
SOURCE_DATE_EPOCH=1700000000 expect_exit 0 "$ECP" -C "$T/app" -o json build -t v1 --oci-layout "$T/out-oci:v1"
expect_grep "\"base\":\"$R/platform/runtime:1\"" "$T/out"
check() {  # check LAYOUT: base layers first, base digest annotated
  python3 - "$1" "$base_digest" "$T/base-manifest.json" <<'PY'
import json, sys
layout, base_digest, base_manifest = sys.argv[1:4]
blob = lambda d: json.load(open(f"{layout}/blobs/sha256/{d[7:]}"))
m = blob(json.load(open(f"{layout}/index.json"))["manifests"][0]["digest"])
base = json.load(open(base_manifest))
n = len(base["layers"])
assert [l["digest"] for l in m["layers"][:n]] == [l["digest"] for l in base["layers"]], "base layers are not first"
assert len(m["layers"]) > n, "no layers of the app"
assert m["annotations"]["org.opencontainers.image.base.digest"] == base_digest, m.get("annotations")
PY
}
curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$R/v2/platform/runtime/manifests/1" \
  > "$T/base-manifest.json" || die "cannot read the base manifest"
check "$T/out-oci" || die "the image does not stack on the registry base"
"$ECP" images > "$T/images"
expect_grep "^$R/platform/runtime:1 " "$T/images"

# The registry is gone: the tagged base is taken from the store, with a warning.
stop_registry "$T/reg"
SOURCE_DATE_EPOCH=1700000000 expect_exit 0 "$ECP" -C "$T/app" build -t v2 --oci-layout "$T/out2:v2"
expect_grep "base image $R/platform/runtime:1: .*using the copy in the store" "$T/err"
check "$T/out2" || die "the offline build does not stack on the stored base"

# Pinned by digest: the stored content is used, no registry needed, no warning.
sed -i "s|base: .*|base: $R/platform/runtime@$base_digest|" "$T/app/ecp.yaml"
SOURCE_DATE_EPOCH=1700000000 expect_exit 0 "$ECP" -C "$T/app" build -t v3 --oci-layout "$T/out3:v3"
expect_no_grep "warning" "$T/err"
check "$T/out3" || die "the digest-pinned build does not stack on the base"

# A base that was never pulled, with the registry gone: a registry error (4).
sed -i "s|base: .*|base: $R/platform/other:1|" "$T/app/ecp.yaml"
expect_exit 4 "$ECP" -C "$T/app" build -t v4
expect_grep "registry $R" "$T/err"
echo "build on a registry base: pulled, stacked, annotated; offline fallback for tags and digests"
