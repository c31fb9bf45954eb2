#!/bin/sh
# cost: 25
# ecp inspect, digest and tags (crane's and skopeo's verbs) against a real
# docker-registry, checked against skopeo: the digest of a tag and of a
# multi-platform index, the layers and config of the host's platform and of
# another one (--platform), the local store's tag before the registry's, and
# every tag of a repository across pages (Link: rel=next). Then a registry with
# TLS and Basic auth: credentials that only skopeo's REGISTRY_AUTH_FILE holds
# (written by `skopeo login --authfile`) are used after docker's config.json,
# and --tls-verify=false reaches it without its CA, with a warning.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/registry/lib.sh"
need skopeo
export DOCKER_CONFIG="$T/docker"

start_registry "$T/reg"
R=127.0.0.1:$REG_PORT
make_app "$T/app" peek 256
digest=$(build_app "$T/app" v1)
"$ECP" -q push peek:v1 "$R/team/peek:v1" >/dev/null || die "push failed"

# 1. digest and inspect of a tag: skopeo's digest, skopeo's layers.
expect_exit 0 "$ECP" digest "$R/team/peek:v1"
[ "$(cat "$T/out")" = "$(skopeo_digest "$R/team/peek:v1" --tls-verify=false)" ] || die "ecp digest differs from skopeo's"
[ "$(cat "$T/out")" = "$digest" ] || die "the registry's digest is not the built one"
expect_exit 0 "$ECP" -o json inspect "$R/team/peek:v1"
skopeo inspect --tls-verify=false "docker://$R/team/peek:v1" >"$T/skopeo.json"
python3 - "$T/out" "$T/skopeo.json" <<'PY' || die "ecp inspect disagrees with skopeo inspect"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")][-1]
s = json.load(open(sys.argv[2]))
assert r["source"] == r["reference"].split("/")[0], r["source"]
assert r["digest"] == s["Digest"], (r["digest"], s["Digest"])
assert [l["digest"] for l in r["layers"]] == s["Layers"], (r["layers"], s["Layers"])
assert r["config"]["architecture"] == s["Architecture"]
assert r["config"]["config"]["Labels"]["ecp.app"] == "peek"
assert r["platforms"] == []
PY
# The local store's tag comes first; --remote asks the registry.
expect_exit 0 "$ECP" inspect peek:v1
expect_grep '^reference: +peek:v1 \(store\)' "$T/out"
expect_grep "^digest: +$digest" "$T/out"
expect_grep '^entrypoint: +/app/bin/entrypoint.sh' "$T/out"
expect_exit 0 "$ECP" digest peek:v1
[ "$(cat "$T/out")" = "$digest" ] || die "ecp digest of the local tag is not the built digest"

# 2. A multi-platform index (amd64 and arm64 entries for the same manifest).
size=$(skopeo inspect --raw --tls-verify=false "docker://$R/team/peek:v1" | wc -c)
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s,%s]}' \
  "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"$digest\",\"size\":$size,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}" \
  "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"$digest\",\"size\":$size,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}}" \
  >"$T/index.json"
curl -sSf -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' --data-binary "@$T/index.json" \
  "http://$R/v2/team/peek/manifests/multi" >/dev/null || die "could not put the index"
index_digest="sha256:$(sha256sum <"$T/index.json" | cut -d' ' -f1)"
expect_exit 0 "$ECP" digest "$R/team/peek:multi"
[ "$(cat "$T/out")" = "$index_digest" ] || die "ecp digest of an index is not the index's digest"
expect_exit 0 "$ECP" inspect --platform linux/arm64 "$R/team/peek:multi"
expect_grep "^digest: +$index_digest" "$T/out"
expect_grep "platform linux/arm64/v8 +$digest" "$T/out"
expect_grep "platform linux/amd64 +$digest" "$T/out"
expect_grep "^manifest: +$digest" "$T/out"
expect_exit 4 "$ECP" inspect --platform linux/s390x "$R/team/peek:multi"
expect_grep "no image for linux/s390x in its index \(it has: linux/amd64, linux/arm64/v8\)" "$T/err"
# A pulled tag is the store's; --remote asks the registry, whose v1 is now the index.
"$ECP" -q pull "$R/team/peek:v1" >/dev/null || die "pull failed"
curl -sSf -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' --data-binary "@$T/index.json" \
  "http://$R/v2/team/peek/manifests/v1" >/dev/null || die "could not move v1 to the index"
expect_exit 0 "$ECP" digest "$R/team/peek:v1"
[ "$(cat "$T/out")" = "$digest" ] || die "ecp digest did not answer from the store"
expect_exit 0 "$ECP" digest --remote "$R/team/peek:v1"
[ "$(cat "$T/out")" = "$index_digest" ] || die "ecp digest --remote did not ask the registry"

# 3. Tags across pages: ecp asks 100 per page; 105 tags need the Link header.
skopeo inspect --raw --tls-verify=false "docker://$R/team/peek:multi" >"$T/raw.json"
cmp -s "$T/raw.json" "$T/index.json" || die "the registry changed the index"
skopeo inspect --raw --tls-verify=false "docker://$R/team/peek@$digest" >"$T/manifest.json"
i=0
while [ "$i" -lt 103 ]; do
  curl -sSf -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary "@$T/manifest.json" \
    "http://$R/v2/team/peek/manifests/t$i" >/dev/null || die "could not tag t$i"
  i=$((i + 1))
done
expect_exit 0 "$ECP" tags "$R/team/peek"
[ "$(wc -l <"$T/out")" = 105 ] || { cat "$T/out"; die "ecp tags did not list 105 tags"; }
skopeo list-tags --tls-verify=false "docker://$R/team/peek" |
  python3 -c 'import json,sys; print("\n".join(sorted(json.load(sys.stdin)["Tags"])))' >"$T/skopeo.tags"
sort "$T/out" | cmp -s - "$T/skopeo.tags" || die "ecp tags and skopeo list-tags differ"
expect_exit 2 "$ECP" tags "$R/team/peek:v1"
expect_grep "name a repository, without a tag or digest" "$T/err"

# 4. TLS and Basic auth, credentials only in REGISTRY_AUTH_FILE.
REG_TLS=1 REG_AUTH=htpasswd start_registry "$T/secure"
S=127.0.0.1:$REG_PORT
"$ECP" -q push --ca-file "$T/tls/ca.crt" peek:v1 "$S/peek:v1" 2>"$T/err" && die "a push without credentials worked"
skopeo login --tls-verify=false --authfile "$T/auth.json" -u ecp -p s3cret "$S" >/dev/null 2>&1 ||
  die "skopeo login failed"
expect_exit 5 "$ECP" tags --ca-file "$T/tls/ca.crt" "$S/peek"
REGISTRY_AUTH_FILE=$T/auth.json "$ECP" -q push --ca-file "$T/tls/ca.crt" peek:v1 "$S/peek:v1" >/dev/null 2>"$T/err" ||
  { cat "$T/err"; die "push with REGISTRY_AUTH_FILE failed"; }
[ ! -e "$DOCKER_CONFIG/config.json" ] || die "ecp wrote docker's config.json"
# --tls-verify=false: no CA, a warning, and the answer.
REGISTRY_AUTH_FILE=$T/auth.json expect_exit 4 "$ECP" tags --retries 1 "$S/peek"
expect_grep "certificate|SSL" "$T/err"
REGISTRY_AUTH_FILE=$T/auth.json expect_exit 0 "$ECP" tags --tls-verify=false "$S/peek"
expect_grep '^v1$' "$T/out"
expect_grep "warning: registry $S: --tls-verify=false: its certificate is not checked" "$T/err"
echo ok
