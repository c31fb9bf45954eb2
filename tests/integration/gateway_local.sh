#!/bin/sh
# A developer's blue-green on this machine: a host target without hosts (this
# machine) and `gateway: {host: local, port: P}` run the gateway's nginx here,
# under $ECP_HOME. Release, release again, roll back inside the keep window:
# the gateway follows, and `ecp status` tells the slots' shares. A rolling
# release (--strategy) replaces the live slot in place, whichever it is.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || skip "nginx is not installed"
command -v curl >/dev/null 2>&1 || skip "curl is not installed"

port=$(free_port) gwport=$(free_port)
make_web_app "$T/app" "$port" edge 2 "{type: blue-green, keep: 5m}"
cat >"$T/app/ecp-targets.yaml" <<YAML
schema: 1
targets:
  edge: {plugin: host, gateway: {host: local, port: $gwport}}
YAML
root=$ECP_HOME/targets/edge
stop_gateway() { [ ! -f "$root/web/dev/gateway/nginx.pid" ] || kill -QUIT "$(cat "$root/web/dev/gateway/nginx.pid")"; }
add_cleanup stop_gateway
stop_at_exit "$root"
cd "$T/app"
gw="http://127.0.0.1:$gwport/"

expect_exit 0 "$ECP" validate
expect_exit 0 "$ECP" release --env dev
[ "$(curl -sf "$gw")" = "<h1>web v1</h1>" ] || die "the local gateway does not serve v1"
printf '<h1>web v2</h1>\n' >app/html/index.html
expect_exit 0 "$ECP" release --env dev
[ "$(curl -sf "$gw")" = "<h1>web v2</h1>" ] || die "the local gateway does not serve v2"
[ "$(curl -sf -H 'X-Canary: always' "$gw")" = "<h1>web v2</h1>" ] || die "the preview header does not reach slot b"
expect_exit 0 "$ECP" status --env dev
expect_grep "^gateway: http://127.0.0.1:$gwport/ \(slot b 100%\)" "$T/out"
expect_grep "^a-1 +local +1 .* stops at [0-9T:-]+Z" "$T/out"
expect_exit 0 "$ECP" rollback --env dev
expect_grep "keeping 2 instance" "$T/err"
[ "$(curl -sf "$gw")" = "<h1>web v1</h1>" ] || die "the rollback did not flip the local gateway back"

# rolling on a gateway target replaces the live slot in place: the gateway keeps
# sending its traffic there, now to the new revision.
printf '<h1>web v3</h1>\n' >app/html/index.html
expect_exit 0 "$ECP" release --env dev
[ "$(curl -sf "$gw")" = "<h1>web v3</h1>" ] || die "v3 does not serve in slot b"
printf '<h1>web v4</h1>\n' >app/html/index.html
expect_exit 0 "$ECP" release --env dev --strategy rolling
expect_grep "batch 1/2: b-0@local" "$T/err"
[ "$(curl -sf "$gw")" = "<h1>web v4</h1>" ] || die "a rolling release on slot b does not serve v4 at the gateway"
expect_exit 0 "$ECP" release --env dev --strategy rolling
expect_grep "unchanged: revision 5" "$T/out"
echo "gateway_local: ok"
