#!/bin/sh
# cost: 20
# A host reached only through a bastion, named by an alias of the target's own
# `ssh_config:` file: `ssh://web-inner` is HostName 127.0.0.1, Port P,
# ProxyJump root@BASTION - an sshd listening on the loopback of the bastion's
# network namespace, which nothing outside it can reach. The release goes
# through the jump, its health check runs on the host (the alias resolves
# nowhere), and status says healthy. A missing ssh_config is refused by
# validate with file:line.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/host_lib.inc"

ssh_client_setup
netns_host bastion; bastion=$addr nsb=$ns
inner=2222
sshd_config inner 127.0.0.1 "$inner"
h=$T/hosts/inner
ip netns exec "$nsb" unshare -m sh "$T/sshd_own_mounts.sh" "$h" || die "the inner sshd does not start"
hosts_made="$hosts_made inner"
wait_until "the inner sshd to take logins" \
  ip netns exec "$nsb" ssh -F "$T/ssh_config" -p "$inner" -o BatchMode=yes root@127.0.0.1 true

port=$(free_port)
make_web_app "$T/web" "$port" lab 1
cd "$T/web"
# Only the target's own file knows the alias; ECP_SSH_CONFIG (the test's keys) does not.
{
  printf 'Host web-inner\n  HostName 127.0.0.1\n  Port %s\n  User root\n  ProxyJump root@%s\n\n' "$inner" "$bastion"
  cat "$T/ssh_config"
} >ssh_config.lab
printf 'schema: 1\ntargets:\n  lab:\n    plugin: host\n    ssh_config: ssh_config.lab\n    hosts: ["ssh://web-inner"]\n' \
  >ecp-targets.yaml
ssh -F "$T/ssh_config" -o BatchMode=yes -o ConnectTimeout=3 -p "$inner" root@127.0.0.1 true 2>/dev/null &&
  die "the inner sshd is reachable without the bastion"

# 1. Released through the bastion, checked on the host.
expect_exit 0 "$ECP" validate
expect_exit 0 "$ECP" release --env dev
expect_grep "a-0@ssh://web-inner healthy \(HTTP 200 on the host\)" "$T/err"
[ -d "$h/srv/ecp/web/dev/releases/1" ] || die "the release is not on the inner host"
[ ! -d "$T/hosts/bastion/srv/ecp/web" ] || die "the release landed on the bastion"
[ "$(ip netns exec "$nsb" curl -sf "http://127.0.0.1:$port/greeting")" = hello ] || die "the app does not serve"
expect_exit 0 "$ECP" status --env dev
expect_grep "^a-0 +ssh://web-inner +1 .* running .* healthy " "$T/out"

# 2. A missing ssh_config file: validate names it.
sed -i 's/ssh_config: ssh_config.lab/ssh_config: nosuch.conf/' ecp-targets.yaml
expect_exit 2 "$ECP" validate
expect_grep "ecp-targets.yaml:5:[0-9]+: .*ssh_config: 'nosuch.conf' is not a file here" "$T/err"
echo ok
