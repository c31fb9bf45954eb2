#!/bin/sh
# Faults injected by a loopback proxy in front of a real registry
# (tests/registry/fault_proxy.py): dropped connections, 503 and 429 (with
# Retry-After) on every kind of request of a push, and a blob download cut in
# the middle. ecp retries and succeeds, and the image is intact; when the
# faults never stop, ecp gives a clear error once its retry budget is spent
# and the tag is not written.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/registry/lib.sh"
need skopeo

start_registry "$T/reg"
R=127.0.0.1:$REG_PORT
make_app "$T/app" faulty 2048
digest=$(build_app "$T/app" v1)

# 1. A push through a storm of faults, in 256 KiB chunks.
start_proxy "$REG_PORT" \
  'GET:^/v2/$:drop:1' 'HEAD:/blobs/:503:2' 'POST:/blobs/uploads/:429:1' 'PATCH:/blobs/uploads/:drop:2' \
  'PATCH:/blobs/uploads/:503:1' 'PUT:/blobs/uploads/:drop:1' 'PUT:/manifests/:503:1'
P=127.0.0.1:$PROXY_PORT
expect_exit 0 "$ECP" -o json push --chunk-size 262144 faulty:v1 "$P/faulty:v1"
cp "$T/out" "$T/push.json"
for fault in '^GET /v2/ -> drop' '^HEAD /v2/faulty/blobs/.* -> 503 injected' '^POST .* -> 429 injected' \
  '^PATCH .* -> drop' '^PATCH .* -> 503 injected' '^PUT /v2/faulty/blobs/uploads/.* -> drop' \
  '^PUT /v2/faulty/manifests/v1 -> 503 injected'; do
  expect_grep "$fault" "$PROXY_LOG"
done
expect_grep '"event":"retry"' "$T/push.json"
# A dropped PATCH is resumed from the offset the registry reports (GET on the session).
expect_grep '^GET /v2/faulty/blobs/uploads/.* -> 204' "$PROXY_LOG"
[ "$(skopeo_digest "$R/faulty:v1" --tls-verify=false)" = "$digest" ] || die "the image pushed through faults differs"
skopeo copy -q --src-tls-verify=false "docker://$R/faulty:v1" "oci:$T/check:v1" || die "skopeo cannot read it back"

# 2. A pull whose blob downloads are cut in the middle: resumed with Range.
start_proxy "$REG_PORT" 'GET:/blobs/sha256:cut:2' 'GET:/manifests/:429:1'
ECP_HOME=$T/home2 expect_exit 0 "$ECP" -o json pull "127.0.0.1:$PROXY_PORT/faulty:v1"
[ "$(json_field "$T/out" digest)" = "$digest" ] || die "the pull through cuts stored another digest"
[ "$(grep -c -- '-> cut after' "$PROXY_LOG")" = 2 ] || { cat "$PROXY_LOG"; die "expected two cut downloads"; }
expect_grep '^GET /v2/faulty/manifests/v1 -> 429 injected' "$PROXY_LOG"

# 3. Faults that never stop: a clear error after --retries tries, and no tag.
start_proxy "$REG_PORT" 'PUT:/manifests/:503:*'
expect_exit 4 "$ECP" push --retries 3 faulty:v1 "127.0.0.1:$PROXY_PORT/never:v1"
expect_grep "registry 127\.0\.0\.1:$PROXY_PORT, repository never: PUT manifest v1: HTTP 503 UNAVAILABLE: injected by fault_proxy \(gave up after 3 attempts\)" "$T/err"
[ "$(grep -c '^PUT /v2/never/manifests/v1' "$PROXY_LOG")" = 3 ] || die "expected exactly 3 manifest PUTs"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$R/v2/never/manifests/v1")" = 404 ] || die "the tag exists after a failed push"

start_proxy "$REG_PORT" 'PATCH:.*:drop:*'
expect_exit 4 "$ECP" push --retries 2 --chunk-size 262144 faulty:v1 "127.0.0.1:$PROXY_PORT/dropped:v1"
expect_grep "repository dropped: PATCH blob sha256:[0-9a-f]+ bytes 0-262144: .*(gave up after [0-9]+ failed attempts)" "$T/err"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$R/v2/dropped/manifests/v1")" = 404 ] || die "the tag exists after a failed push"
echo "faults: drops, 503, 429 and cut downloads are retried to success; endless faults end in a clear error and no tag"
