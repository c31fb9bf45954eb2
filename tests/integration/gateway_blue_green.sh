#!/bin/sh
# Blue-green through the nginx gateway on real SSH hosts (issue 7). Two hosts in
# network namespaces run the app; a third SSH host runs the gateway. While a load
# loop sends 200 requests a second to the gateway (loopback), revision 2 starts
# in slot b beside slot a, turns healthy, and takes all the traffic in one reload:
# not one request fails, and the loop sees v1 and then only v2. Slot a keeps
# running for the keep window, so `ecp rollback` inside it starts nothing: it only
# flips the gateway back, and slot b is then on its way out. Status shows the
# gateway, the weights and the pending stops; the window's end stops slot b.
# Nothing here depends on the machine's speed: the load starts before the release
# (a ready file) and ends after it (a stop file), and the keep window (10 min)
# outlasts the steps inside it; the rollback's own window is then made short.
# Last, a rolling release in place under load: not one request fails either.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/host_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/gateway_lib.inc"

two_hosts_and_gateway
make_web_app "$T/app" "$port" edge 1 "{type: blue-green, keep: 10m}"
set_config "$T/app" LISTEN_ADDRESS 0.0.0.0
gateway_target "$T/app" "$gwport" "$u1" "$u2"
cd "$T/app"

# 1. The first release: slot a, and the gateway set up in front of it.
expect_exit 0 "$ECP" release --env dev
expect_grep "traffic: 100% on slot a" "$T/err"
expect_grep "gateway +$gw" "$T/out"
[ "$(curl -sf "$gw")" = "<h1>web v1</h1>" ] || die "the gateway does not serve v1"
gwdir=$T/hosts/gw/srv/ecp/web/dev/gateway
expect_grep "weight=1 max_fails=3" "$gwdir/nginx.conf"
[ "$(cat "$gwdir/weights")" = "a=100" ] || die "the gateway's weights are not a=100"

# 2. Revision 2 under load (200 requests a second, from before the release to
# after it), none may fail.
printf '<h1>web v2</h1>\n' >app/html/index.html
under_load "$gw" 200 "$T/load.json" "$ECP" release --env dev
cat "$T/out" "$T/err" >"$T/release2.out"
[ "$(cat "$T/rc")" = 0 ] || { cat "$T/release2.out"; die "the blue-green release exited $(cat "$T/rc")"; }
no_failures "$T/load.json" '<h1>web v1</h1>' '<h1>web v2</h1>'
[ "$(json_field "$T/load.json" 'r["last"]')" = "<h1>web v2</h1>" ] || die "v2 does not serve at the end"
expect_grep "starting 2 instance\(s\) in slot b" "$T/release2.out"
expect_grep "traffic: 100% on slot b \(was slot a\)" "$T/release2.out"
[ -f "$gwdir/nginx.conf.prev" ] || die "the previous gateway configuration was not kept"
# The same tree again changes nothing, though the old slot still runs.
expect_exit 0 "$ECP" release --env dev
expect_grep "unchanged: revision 2" "$T/out"
expect_grep "b-0@ssh://root@10\.123\.[0-9]+\.2 +http://" "$T/out"
grep -q "weights: a=100" "$gwdir/nginx.conf.prev" || die "nginx.conf.prev is not the configuration before"

# 3. Inside the keep window slot a still runs revision 1, due to stop.
expect_exit 0 "$ECP" status --env dev --output json
python3 - "$T/out" <<'PY' || die "status does not show the keep window"
import json, sys
r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
assert r["weights"] == {"b": 100}, r["weights"]
a = [i for i in r["instances"] if i["slot"] == "a"]
b = [i for i in r["instances"] if i["slot"] == "b"]
assert len(a) == 2 and all(i["state"] == "running" and i["revision"] == 1 and i["stops_at"] for i in a), a
assert len(b) == 2 and all(i["state"] == "running" and i["traffic"] == 100 and not i["stops_at"] for i in b), b
PY
pids_a=$(for h in h1 h2; do cat "$T/hosts/$h/srv/ecp/web/dev/instances/a-0/app.pid"; done)

# 4. Rollback inside the window: no instance starts, the gateway flips back.
# Its own keep window (for slot b, now the old one) is short, for step 5.
sed -i 's/keep: 10m/keep: 2s/' ecp.yaml
expect_exit 0 "$ECP" rollback --env dev
expect_grep "slot a still runs revision 1: keeping 2 instance" "$T/err"
expect_no_grep "starting .* instance" "$T/err"
expect_grep "traffic: 100% on slot a \(was slot b\)" "$T/err"
[ "$(curl -sf "$gw")" = "<h1>web v1</h1>" ] || die "the rollback did not bring v1 back at the gateway"
now_a=$(for h in h1 h2; do cat "$T/hosts/$h/srv/ecp/web/dev/instances/a-0/app.pid"; done)
[ "$pids_a" = "$now_a" ] || die "the rollback restarted slot a"
expect_exit 0 "$ECP" history --env dev
expect_grep "^ *3 .*rollback.*succeeded" "$T/out"

# 5. The window ends: slot b (now the old one) stops by itself; a keeps serving.
# wait_stopped HOST: waits until HOST's b-0 is stopped (its keep window over).
wait_stopped() {
  n=0
  until [ "$(sed -n 's/^state=//p' "$T/hosts/$1/srv/ecp/web/dev/instances/b-0/state")" = stopped ]; do
    n=$((n + 1)); [ "$n" -lt 3000 ] || die "slot b on $1 was not stopped 5 min after its 2 s keep window"
    sleep 0.1
  done
}
wait_stopped h1
kill -0 "$(cat "$T/hosts/h1/srv/ecp/web/dev/instances/a-0/app.pid")" || die "slot a stopped too"
[ "$(curl -sf "$gw")" = "<h1>web v1</h1>" ] || die "v1 does not serve after the window"

# 6. A stop that has begun is not cancelled: the release starts that instance
# again, as any blue-green would. Slot b (stopped) takes revision 2 again; then,
# while a rollback to 1 runs, h1's a-0 looks as the keep window's end leaves
# it (its stop claimed: instances/a-0/retiring), so keeping it answers "gone".
# The planted claim is lifted once ecp says so (a gate, not a delay).
wait_stopped h2
sed -i 's/keep: 2s/keep: 10m/' ecp.yaml
expect_exit 0 "$ECP" rollback --env dev --to 2
expect_grep "traffic: 100% on slot b \(was slot a\)" "$T/err"
a0=$T/hosts/h1/srv/ecp/web/dev/instances/a-0
pid_h1=$(cat "$a0/app.pid")
pid_h2=$(cat "$T/hosts/h2/srv/ecp/web/dev/instances/a-0/app.pid")
touch "$a0/retiring"
"$ECP" rollback --env dev --to 1 >"$T/k.out" 2>"$T/k.err" &
k=$!
wait_for_line "$T/k.err" "keep window of 1 instance\(s\) in slot a ended meanwhile" "$k"
rm -f "$a0/retiring"
wait "$k" || { cat "$T/k.err"; die "the rollback with a stop under way failed"; }
[ "$(cat "$a0/app.pid")" != "$pid_h1" ] || die "h1's a-0 was not started again"
[ "$(cat "$T/hosts/h2/srv/ecp/web/dev/instances/a-0/app.pid")" = "$pid_h2" ] || die "h2's a-0 was restarted, not kept"
[ "$(curl -sf "$gw")" = "<h1>web v1</h1>" ] || die "v1 does not serve after the rollback"

# 7. Rolling in place behind the gateway, under load: each instance leaves the
# routes, and the requests it holds finish, before it stops; it joins them
# again once healthy. Not one request fails.
printf '<h1>web v3</h1>\n' >app/html/index.html
under_load "$gw" 200 "$T/roll.json" "$ECP" release --env dev --strategy rolling
[ "$(cat "$T/rc")" = 0 ] || { cat "$T/out" "$T/err"; die "the rolling release exited $(cat "$T/rc")"; }
no_failures "$T/roll.json" '<h1>web v1</h1>' '<h1>web v3</h1>'
expect_grep "batch 1/2: out of the gateway, its requests done" "$T/err"
expect_grep "batch 2/2: out of the gateway, its requests done" "$T/err"
[ "$(grep -c "^ *server .*weight=" "$gwdir/nginx.conf")" = 2 ] || die "both instances are not routed to after the rolling release: $(cat "$gwdir/nginx.conf")"
echo "gateway_blue_green: ok"
