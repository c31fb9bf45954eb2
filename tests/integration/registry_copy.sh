#!/bin/sh
# ecp copy between two real registries: the digest is kept, blobs stream
# through (also in small chunks), an unchanged copy moves nothing, a copy
# inside one registry mounts, and an index is copied with every platform.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/registry/lib.sh"
need skopeo

start_registry "$T/a"; A=127.0.0.1:$REG_PORT
start_registry "$T/b"; B=127.0.0.1:$REG_PORT
make_app "$T/app" promo 3072
digest=$(build_app "$T/app" v1)
expect_exit 0 "$ECP" push promo:v1 "$A/shop/promo:v1"
export ECP_HOME=$T/other-home  # copy needs no store and no record of the push

# 1. A to B, streamed in 512 KiB chunks; the tag defaults to the source's.
expect_exit 0 "$ECP" -o json copy --chunk-size 524288 "$A/shop/promo:v1" "$B/prod/promo"
blobs=$(json_field "$T/out" blobs)
[ "$(json_field "$T/out" copied)" = "$blobs" ] || die "expected every blob copied"
[ "$(json_field "$T/out" digest)" = "$digest" ] || die "copy reported another digest"
[ "$(skopeo_digest "$B/prod/promo:v1" --tls-verify=false)" = "$digest" ] || die "the copy has another digest"
skopeo copy -q --src-tls-verify=false "docker://$B/prod/promo:v1" "oci:$T/check:v1" || die "skopeo cannot read the copy"

# 2. Again: every blob exists, nothing moves.
expect_exit 0 "$ECP" -o json copy "$A/shop/promo:v1" "$B/prod/promo:v1"
[ "$(json_field "$T/out" existing)" = "$blobs" ] || die "an unchanged copy should find every blob"
[ "$(json_field "$T/out" bytes_copied)" = 0 ] || die "an unchanged copy moved bytes"

# 3. Inside one registry: mounted, by digest reference.
expect_exit 0 "$ECP" -o json copy "$B/prod/promo@$digest" "$B/staging/promo:rc1"
[ "$(json_field "$T/out" mounted)" = "$blobs" ] || { cat "$T/out"; die "expected every blob mounted"; }
[ "$(skopeo_digest "$B/staging/promo:rc1" --tls-verify=false)" = "$digest" ] || die "the mounted copy differs"

# 4. An index with two platforms: both manifests and the index arrive, same digests.
manifest=$(curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$A/v2/shop/promo/manifests/v1")
other=$(printf '%s' "$manifest" | sed 's/}$/,"annotations":{"flavour":"arm"}}/')
curl -sf -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary "$other" \
  "http://$A/v2/shop/promo/manifests/arm" > /dev/null || die "cannot put the second manifest"
other_digest=sha256:$(printf '%s' "$other" | sha256sum | cut -d' ' -f1)
entry() { printf '{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"platform":{"architecture":"%s","os":"linux"}}' "$@"; }
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s,%s]}' \
  "$(entry "$digest" "$(printf '%s' "$manifest" | wc -c)" amd64)" \
  "$(entry "$other_digest" "$(printf '%s' "$other" | wc -c)" arm64)" > "$T/index.json"
curl -sf -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' --data-binary "@$T/index.json" \
  "http://$A/v2/shop/promo/manifests/multi" > /dev/null || die "cannot put the index"
index_digest=sha256:$(sha256sum < "$T/index.json" | cut -d' ' -f1)
expect_exit 0 "$ECP" -o json copy "$A/shop/promo:multi" "$B/multi/promo:1"
[ "$(json_field "$T/out" digest)" = "$index_digest" ] || die "copy reported another index digest"
[ "$(skopeo_digest "$B/multi/promo:1" --tls-verify=false)" = "$index_digest" ] || die "the copied index differs"
for d in "$digest" "$other_digest"; do
  [ "$(curl -s -o /dev/null -w '%{http_code}' -I -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://$B/v2/multi/promo/manifests/$d")" = 200 ] || die "platform manifest $d is missing at the destination"
done
skopeo copy -q --all --src-tls-verify=false "docker://$B/multi/promo:1" "oci:$T/all:1" || die "skopeo cannot copy the index"

# 5. A digest as destination is refused (2); a missing source is a registry error (4).
expect_exit 2 "$ECP" copy "$A/shop/promo:v1" "$B/x@$digest"
expect_exit 4 "$ECP" copy "$A/shop/promo:nosuch" "$B/x:1"
expect_grep "registry $A, repository shop/promo: GET manifest nosuch: HTTP 404 MANIFEST_UNKNOWN" "$T/err"
echo "copy: streamed and chunked, unchanged, mounted, and a two-platform index, all with the source's digests"
