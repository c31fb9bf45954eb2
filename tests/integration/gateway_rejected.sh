#!/bin/sh
# A gateway configuration nginx rejects changes nothing (issue 7). Ops' extra
# directives for the gateway (targets file, gateway.nginx) go through `nginx -t`
# on the gateway host before they are used: with a typo in them, a blue-green
# release starts its new slot, cannot switch, stops the new slot again and says
# so (exit 6, failed-rolled-back), while the gateway keeps serving the old slot
# with its old configuration. With the typo fixed, the same release goes through.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/host_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/gateway_lib.inc"

ssh_client_setup
netns_host h1; u1=$url
gateway_host gw
port=$(free_port) gwport=$(free_port)
make_web_app "$T/app" "$port" edge 1 "{type: blue-green, keep: 0s}"
set_config "$T/app" LISTEN_ADDRESS 0.0.0.0
gateway_target "$T/app" "$gwport" "$u1" -- "client_max_body_size 8m"
cd "$T/app"
gw="http://127.0.0.1:$gwport/"
gwdir=$T/hosts/gw/srv/ecp/web/dev/gateway

expect_exit 0 "$ECP" release --env dev
[ "$(curl -sf "$gw")" = "<h1>web v1</h1>" ] || die "v1 does not serve"
expect_grep "client_max_body_size 8m;" "$gwdir/nginx.conf"
cp "$gwdir/nginx.conf" "$T/conf.before"
master=$(cat "$gwdir/nginx.pid")

# A typo in ops' directives: nginx -t refuses the new configuration.
gateway_target "$T/app" "$gwport" "$u1" -- "client_max_body_sise 8m"
printf '<h1>web v2</h1>\n' >app/html/index.html
expect_exit 6 "$ECP" release --env dev
expect_grep "nginx rejected the new gateway configuration, the old one still serves: .*unknown directive \"client_max_body_sise\"" "$T/err"
expect_grep "failed and was rolled back" "$T/err"
cmp -s "$gwdir/nginx.conf" "$T/conf.before" || die "the rejected configuration replaced the old one"
[ ! -e "$gwdir/nginx.conf.new" ] || die "the rejected configuration was left behind"
[ "$(cat "$gwdir/nginx.pid")" = "$master" ] && kill -0 "$master" || die "the gateway's nginx did not keep running"
for _ in 1 2 3 4 5; do [ "$(curl -sf "$gw")" = "<h1>web v1</h1>" ] || die "the old slot does not serve"; done
[ "$(sed -n 's/^state=//p' "$T/hosts/h1/srv/ecp/web/dev/instances/b-0/state")" = stopped ] ||
  die "the new slot was not stopped after the failed switch"
expect_exit 0 "$ECP" history --env dev
expect_grep "^ *2 .*failed-rolled-back" "$T/out"

# Fixed: the same release switches.
gateway_target "$T/app" "$gwport" "$u1" -- "client_max_body_size 16m"
expect_exit 0 "$ECP" release --env dev
[ "$(curl -sf "$gw")" = "<h1>web v2</h1>" ] || die "v2 does not serve after the fix"
expect_grep "client_max_body_size 16m;" "$gwdir/nginx.conf"
echo "gateway_rejected: ok"
