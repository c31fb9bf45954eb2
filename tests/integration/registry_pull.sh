#!/bin/sh
# ecp pull from a real registry: the image lands in the store with the same
# digest (and ecp images lists it); from a multi-platform index the requested
# platform is taken; a blob corrupted in the registry's storage is refused and
# the store is left exactly as it was.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/registry/lib.sh"

start_registry "$T/reg"
R=127.0.0.1:$REG_PORT
make_app "$T/app" pulled 1024
digest=$(build_app "$T/app" v1)
expect_exit 0 "$ECP" push pulled:v1 "$R/pulled:v1" "$R/victim:v1"

# 1. A pull into an empty store.
export ECP_HOME=$T/home2
expect_exit 0 "$ECP" -o json pull "$R/pulled:v1"
[ "$(json_field "$T/out" digest)" = "$digest" ] || die "pull stored another digest"
[ "$(json_field "$T/out" reference)" = "$R/pulled:v1" ] || die "pull tagged another name"
"$ECP" -o json images > "$T/images"
expect_grep "\"reference\":\"$R/pulled:v1\"" "$T/images"
# Every blob of the stored image has the bytes of its digest.
for f in "$ECP_HOME"/store/blobs/sha256/*; do
  [ "$(sha256sum < "$f" | cut -d' ' -f1)" = "$(basename "$f")" ] || die "store blob $f does not match its name"
done
# Again: nothing to fetch.
expect_exit 0 "$ECP" -o json pull "$R/pulled:v1"
expect_grep '"downloaded":\[\]' "$T/out"

# 2. A multi-platform index: the platform asked for is taken.
manifest=$(curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$R/v2/pulled/manifests/v1")
size=$(printf '%s' "$manifest" | wc -c)
other=$(printf '%s' "$manifest" | sed 's/}$/,"annotations":{"variant":"riscv"}}/')
curl -sf -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary "$other" \
  "http://$R/v2/pulled/manifests/riscv" > /dev/null || die "cannot put the second manifest"
other_digest=sha256:$(printf '%s' "$other" | sha256sum | cut -d' ' -f1)
other_size=$(printf '%s' "$other" | wc -c)
arch=$(uname -m | sed 's/x86_64/amd64/;s/aarch64/arm64/')
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s,%s]}' \
  "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"$digest\",\"size\":$size,\"platform\":{\"architecture\":\"$arch\",\"os\":\"linux\"}}" \
  "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"$other_digest\",\"size\":$other_size,\"platform\":{\"architecture\":\"riscv64\",\"os\":\"linux\"}}" \
  > "$T/index.json"
curl -sf -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' --data-binary "@$T/index.json" \
  "http://$R/v2/pulled/manifests/multi" > /dev/null || die "cannot put the index"
expect_exit 0 "$ECP" -o json pull "$R/pulled:multi"
[ "$(json_field "$T/out" digest)" = "$digest" ] || die "the host platform's manifest was not picked"
[ "$(json_field "$T/out" index_digest)" = "sha256:$(sha256sum < "$T/index.json" | cut -d' ' -f1)" ] || die "wrong index digest"
expect_exit 0 "$ECP" -o json pull --platform linux/riscv64 "$R/pulled:multi"
[ "$(json_field "$T/out" digest)" = "$other_digest" ] || die "--platform linux/riscv64 was not honoured"
expect_exit 4 "$ECP" pull --platform linux/s390x "$R/pulled:multi"
expect_grep "no image for linux/s390x" "$T/err"

# 3. A corrupt blob in the registry: refused, the store unchanged.
snapshot() { (cd "$ECP_HOME/store" && find . -type f ! -path './.ecp/*' | LC_ALL=C sort | xargs sha256sum); }
export ECP_HOME=$T/home3
expect_exit 0 "$ECP" pull "$R/pulled:v1"  # the store exists and holds something
big=$(find "$T/reg/data/docker/registry/v2/blobs" -name data -size +100k | head -n 1)
[ -n "$big" ] || die "no layer blob found in the registry's storage"
printf 'X' | dd of="$big" bs=1 seek=1000 conv=notrunc 2>/dev/null
"$ECP" images rm "$R/pulled:v1" > /dev/null
"$ECP" gc > /dev/null
snapshot > "$T/before"
expect_exit 4 "$ECP" pull "$R/victim:v1"
expect_grep "registry $R, repository victim: GET blob sha256:[0-9a-f]+: digest mismatch.*refused" "$T/err"
snapshot > "$T/after"
cmp -s "$T/before" "$T/after" || { diff "$T/before" "$T/after"; die "a refused pull changed the store"; }
"$ECP" images > "$T/images"
expect_no_grep "victim" "$T/images"
echo "pull: digests verified, platform picked from an index, a corrupt blob refused with the store unchanged"
