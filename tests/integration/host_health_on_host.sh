#!/bin/sh
# cost: 20
# The HTTP health check of an SSH host runs on the host, through the agent: two
# namespace hosts whose application port a firewall (nftables) closes to
# everyone but the host itself. One checks with curl, the other has no curl and
# checks with wget. The release passes its health gate and status says healthy,
# although ecp's machine cannot reach the port; an app that answers 404 fails
# the gate with the host's answer and is rolled back (exit 6).
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/host_lib.inc"
command -v nft >/dev/null 2>&1 || skip "nft is not installed (nftables)"

ssh_client_setup
netns_host h1; u1=$url a1=$addr ns1=$ns
NETNS_HIDE=curl
netns_host h2; u2=$url a2=$addr ns2=$ns
unset NETNS_HIDE
port=8080
for n in $ns1 $ns2; do
  ip netns exec "$n" nft add table inet ecp_test
  ip netns exec "$n" nft 'add chain inet ecp_test input { type filter hook input priority 0; }'
  ip netns exec "$n" nft add rule inet ecp_test input iifname != lo tcp dport "$port" drop
done
make_web_app "$T/web" "$port" lab 1
cd "$T/web"
set_config . LISTEN_ADDRESS 0.0.0.0
printf 'schema: 1\ntargets:\n  lab:\n    plugin: host\n    hosts: ["%s", "%s"]\n' "$u1" "$u2" >ecp-targets.yaml
# The host itself reaches the port; this machine does not.
on_host() { ip netns exec "$1" curl -sf --max-time 10 "http://$2:$port/greeting"; }

# 1. The release passes its health gate through each host's agent.
expect_exit 0 "$ECP" release --env dev
expect_grep "a-0@$u1 healthy \(HTTP 200 on the host\)" "$T/err"
expect_grep "a-0@$u2 healthy \(HTTP 200 on the host\)" "$T/err"
[ "$(on_host "$ns1" "$a1")" = hello ] || die "h1 does not serve on its own address"
for a in $a1 $a2; do
  ! curl -sf --max-time 3 "http://$a:$port/greeting" >/dev/null || die "the firewall of $a lets this machine in"
done
# h2's sessions (the agent's) see no curl: its check ran with wget.
ssh -F "$T/ssh_config" -o BatchMode=yes "root@$a2" 'curl --version' >/dev/null 2>&1 && die "h2 still runs curl"
ssh -F "$T/ssh_config" -o BatchMode=yes "root@$a2" 'wget --version' >/dev/null 2>&1 || die "h2 has no wget"
expect_exit 0 "$ECP" status --env dev
expect_grep "^a-0 +$u1 +1 .* running .* healthy " "$T/out"
expect_grep "^a-0 +$u2 +1 .* running .* healthy " "$T/out"

# 2. An app that is not healthy (404 on /health) fails the gate with the host's
# answer, and the previous revision comes back.
set_config . HEALTHY no
expect_exit 6 "$ECP" release --env dev
expect_grep "HTTP 404 on the host" "$T/err"
expect_exit 0 "$ECP" status --env dev
expect_grep "^a-0 +$u1 +1 .* healthy " "$T/out"
echo ok
