#!/bin/sh
# The registry is killed in the middle of an upload and started again: ecp's
# retried push completes, and the image in the registry is whole (skopeo
# copies it, verifying every blob) with the right manifest digest. A
# throttling proxy (tests/registry/fault_proxy.py --throttle) keeps the upload
# slow enough to be caught mid-way: the registry dies after it acknowledged
# two chunks, while the proxy is still reading the third, so the upload resumes
# from the offset the restarted registry reports (its upload state is on disk).
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/registry/lib.sh"
need skopeo

start_registry "$T/reg"
R=127.0.0.1:$REG_PORT
reg_port=$REG_PORT
make_app "$T/app" restart 12288
digest=$(build_app "$T/app" v1)
start_proxy "$reg_port" --throttle 3000000

"$ECP" -o json push --chunk-size 1048576 --retries 8 restart:v1 "127.0.0.1:$PROXY_PORT/restart:v1" \
  > "$T/push.json" 2> "$T/push.err" &
push_pid=$!

# Wait until the registry acknowledged two chunks of the big layer, then kill it hard.
n=0
until [ "$(grep -c '^PATCH /v2/restart/blobs/uploads/.* -> 202$' "$PROXY_LOG")" -ge 2 ]; do
  kill -0 "$push_pid" 2>/dev/null || { cat "$T/push.err"; die "the push ended before two chunks were acknowledged"; }
  n=$((n + 1)); [ "$n" -lt 3000 ] || die "the upload never reached two chunks"
  sleep 0.02
done
kill -9 "$(cat "$T/reg/pid")"
wait "$(cat "$T/reg/pid")" 2>/dev/null || true
sleep 1
kill -0 "$push_pid" 2>/dev/null || { cat "$T/push.err"; die "the push gave up while the registry was down"; }
run_registry "$T/reg"

set +e; wait "$push_pid"; rc=$?; set -e
[ "$rc" = 0 ] || { cat "$T/push.err"; tail -n 30 "$PROXY_LOG"; die "the push did not complete after the restart (exit $rc)"; }
expect_grep '"event":"retry"' "$T/push.json"
expect_grep ' -> 502 upstream' "$PROXY_LOG"
# After the restart the session was asked for its offset and the upload went on from there.
sed -n '/-> 502 upstream/,$p' "$PROXY_LOG" > "$T/after-restart"
expect_grep '^GET /v2/restart/blobs/uploads/[^ ]* -> 204$' "$T/after-restart"
expect_grep '^PATCH /v2/restart/blobs/uploads/[^ ]* -> 202$' "$T/after-restart"
[ "$(json_field "$T/push.json" digest)" = "$digest" ] || die "push reported another digest"
[ "$(skopeo_digest "$R/restart:v1" --tls-verify=false)" = "$digest" ] || die "the registry has another manifest"
skopeo copy -q --src-tls-verify=false "docker://$R/restart:v1" "oci:$T/check:v1" || die "the pushed image is not whole"
echo "registry killed mid-upload and restarted: the push resumed and completed; the image is whole"
