#!/bin/sh
# ecp push to a real docker-registry over plain HTTP on loopback: the pushed
# image is what skopeo reads back (same manifest digest, copyable to an OCI
# layout); an unchanged push uploads nothing and sends at most one HEAD per
# blob; a push to another repository mounts instead of uploading; chunked
# uploads give the same image; the project forms (--registry NAME from the
# targets file, one DEST argument) work.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/registry/lib.sh"
need skopeo

start_registry "$T/reg"
R=127.0.0.1:$REG_PORT
make_app "$T/app" hello 2048
digest=$(build_app "$T/app" v1)

# 1. A cold push: every blob uploaded; skopeo agrees on the digest and can copy it.
expect_exit 0 "$ECP" -o json push hello:v1 "$R/hello:v1"
cp "$T/out" "$T/push1.json"
[ "$(json_field "$T/push1.json" digest)" = "$digest" ] || die "push reported another digest"
blobs=$(json_field "$T/push1.json" blobs)
[ "$blobs" -ge 3 ] || die "expected config + layers, got $blobs blobs"
[ "$(json_field "$T/push1.json" uploaded)" = "$blobs" ] || die "a cold push should upload every blob"
expect_grep '"event":"done".*"type":"transfer"' "$T/push1.json"
[ "$(skopeo_digest "$R/hello:v1" --tls-verify=false)" = "$digest" ] || die "skopeo sees another manifest digest"
skopeo copy -q --src-tls-verify=false "docker://$R/hello:v1" "oci:$T/copied:v1" || die "skopeo copy from the registry failed"
skopeo inspect --raw "oci:$T/copied:v1" | sha256sum | grep -q "${digest#sha256:}" || die "skopeo's copy has another digest"

# 2. Unchanged: nothing uploaded, one HEAD per blob at most (counted by a proxy), no PUT at all.
start_proxy "$REG_PORT"
expect_exit 0 "$ECP" -o json push hello:v1 "127.0.0.1:$PROXY_PORT/hello:v1"
[ "$(json_field "$T/out" uploaded)" = 0 ] || die "an unchanged push uploaded blobs"
[ "$(json_field "$T/out" existing)" = "$blobs" ] || die "an unchanged push should find every blob"
heads=$(grep -c '^HEAD /v2/hello/blobs/' "$PROXY_LOG")
[ "$heads" = "$blobs" ] || { cat "$PROXY_LOG"; die "expected $blobs blob HEADs, saw $heads"; }
for d in $(grep '^HEAD /v2/hello/blobs/' "$PROXY_LOG" | cut -d' ' -f2 | sort | uniq -d); do die "blob $d was HEADed twice"; done
expect_no_grep '^(PUT|POST|PATCH)' "$PROXY_LOG"

# 3. Another repository of the same registry: blobs are mounted, not uploaded.
expect_exit 0 "$ECP" -o json push hello:v1 "$R/team/hello:prod" "$R/team/hello:v1"
[ "$(json_field "$T/out" mounted)" = "$blobs" ] || { cat "$T/out"; die "expected $blobs mounted blobs"; }
[ "$(json_field "$T/out" uploaded)" = 0 ] || die "the second repository uploaded blobs"
for tag in prod v1; do
  [ "$(skopeo_digest "$R/team/hello:$tag" --tls-verify=false)" = "$digest" ] || die "team/hello:$tag has another digest"
done

# 4. Chunked uploads (PATCHes of 256 KiB) give the same image in a fresh registry.
start_registry "$T/reg2"
R2=127.0.0.1:$REG_PORT
expect_exit 0 "$ECP" push --chunk-size 262144 -j 2 hello:v1 "$R2/chunked:v1"
[ "$(skopeo_digest "$R2/chunked:v1" --tls-verify=false)" = "$digest" ] || die "the chunked push differs"
skopeo copy -q --src-tls-verify=false "docker://$R2/chunked:v1" "oci:$T/chunked:v1" || die "skopeo cannot read the chunked push"

# 5. The project forms: --registry NAME of the targets file, and one DEST argument.
printf 'schema: 1\nregistries:\n  lab:\n    url: %s/apps\n    insecure: true\n' "$R2" > "$T/app/ecp-targets.yaml"
SOURCE_DATE_EPOCH=1700000000 "$ECP" -C "$T/app" -q build > /dev/null || die "ecp build (default tag) failed"
expect_exit 0 "$ECP" -C "$T/app" -o json push --registry lab
expect_grep "\"references\": ?\\[\"$R2/apps/hello:latest\"\\]" "$T/out"
skopeo inspect --tls-verify=false "docker://$R2/apps/hello:latest" > /dev/null || die "--registry lab did not push apps/hello:latest"
expect_exit 0 "$ECP" -C "$T/app" push "$R2/single"
skopeo inspect --tls-verify=false "docker://$R2/single:latest" > /dev/null || die "push DEST did not push single:latest"

# 6. Mistakes: a bad reference (2), an image not in the store (2), a closed port (4).
expect_exit 2 "$ECP" push hello:v1 "$R/Bad_Name"
expect_grep "invalid image reference" "$T/err"
expect_exit 2 "$ECP" push hello:nosuch "$R/hello:x"
expect_grep "no image 'hello:nosuch'" "$T/err"
expect_exit 4 "$ECP" push --retries 1 hello:v1 "127.0.0.1:$(free_port)/hello:v1"
expect_grep "registry 127\.0\.0\.1:[0-9]+: GET /v2/ \(ping\)" "$T/err"
echo "push over plain HTTP: cold, unchanged ($heads HEADs for $blobs blobs), mounted, chunked and project forms agree with skopeo"
