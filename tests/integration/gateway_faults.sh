#!/bin/sh
# Faults during traffic strategies on real SSH hosts behind the nginx gateway:
#  1. a host dies while the blue-green's new slot starts: the release rolls back
#     (exit 6, the dead host named), traffic never moved, and a load loop sees no
#     failed request: nginx leaves the dead host's live instance for the other;
#  2. SIGINT during a canary's pause: traffic goes back to stable, the canary
#     stops, the ledger says failed-rolled-back "interrupted", the lock is free,
#     and ecp exits 130.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/host_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/gateway_lib.inc"

two_hosts_and_gateway
make_web_app "$T/app" "$port" edge 1 "{type: blue-green, keep: 1m}"
set_config "$T/app" LISTEN_ADDRESS 0.0.0.0
gateway_target "$T/app" "$gwport" "$u1" "$u2"
cd "$T/app"
weights=$T/hosts/gw/srv/ecp/web/dev/gateway/weights
expect_exit 0 "$ECP" release --env dev

# 1. h2 dies while slot b starts, under load. Slot b serves only once /srv/gate
# exists on its host (each host has its own /srv): it waits until h2 is gone.
printf '<h1>web v2</h1>\n' >app/html/index.html
set_config . START_GATE /srv/gate
load "$gw" 600 6 "$T/load.json" &
loader=$!
"$ECP" release --env dev >"$T/r.out" 2>"$T/r.err" &
r=$!
wait_for_line "$T/r.err" "starting 2 instance" "$r"
kill_host h2
touch "$T/hosts/h1/srv/gate"
set +e; wait "$r"; code=$?; set -e
wait "$loader"
[ "$code" = 6 ] || { cat "$T/r.err"; die "a host dying mid-rollout: exit $code, expected 6"; }
expect_grep "unreachable: ssh://root@10\\.123\\.[0-9]+\\.2" "$T/r.err"
[ "$(cat "$weights")" = "a=100" ] || die "traffic moved although the new slot never became healthy"
[ "$(json_field "$T/load.json" 'r["failed"]')" = 0 ] || die "requests failed while a host died: $(cat "$T/load.json")"
[ "$(json_field "$T/load.json" 'list(r["bodies"])')" = "['<h1>web v1</h1>']" ] || die "v1 did not serve throughout"
[ "$(sed -n 's/^state=//p' "$T/hosts/h1/srv/ecp/web/dev/instances/b-0/state")" = stopped ] ||
  die "the new slot still runs on the host that lived"
echo "ok: a host dying mid-rollout"

# 2. SIGINT during a canary's pause, on the host that is left.
gateway_target "$T/app" "$gwport" "$u1"
sed -i 's/strategy: {type: blue-green, keep: 1m}/strategy: {type: canary, steps: [50, 100], pause: 30s}/' ecp.yaml
set_config . START_GATE ""
printf '<h1>web v3</h1>\n' >app/html/index.html
"$ECP" release --env dev >"$T/c.out" 2>"$T/c.err" &
c=$!
wait_for_line "$T/c.err" "step 1/2 \\(50%\\)" "$c"
[ "$(cat "$weights")" = "a=50 b=50" ] || die "the canary step did not route 50%"
kill -s INT "$c"
set +e; wait "$c"; code=$?; set -e
[ "$code" = 130 ] || { cat "$T/c.err"; die "SIGINT during the pause: exit $code, expected 130"; }
[ "$(cat "$weights")" = "a=100" ] || die "traffic is not back on stable after SIGINT"
[ "$(sed -n 's/^state=//p' "$T/hosts/h1/srv/ecp/web/dev/instances/b-0/state")" = stopped ] ||
  die "the canary still runs after SIGINT"
for _ in 1 2 3 4 5; do [ "$(curl -sf "$gw")" = "<h1>web v1</h1>" ] || die "stable does not serve after SIGINT"; done
expect_exit 0 "$ECP" status --env dev --output json --no-probe
[ "$(json_field "$T/out" 'r["lock"]')" = None ] || die "the lock is still held"
[ "$(json_field "$T/out" 'r["latest"]["outcome"]')" = failed-rolled-back ] || die "the ledger does not say failed-rolled-back"
[ "$(json_field "$T/out" 'r["latest"]["message"]')" = interrupted ] || die "the ledger does not say interrupted"
echo "ok: SIGINT during a canary"
echo "gateway_faults: ok"
