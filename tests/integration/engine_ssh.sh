#!/bin/sh
# cost: 30
# One remote engine over ssh:// (issue 12): a network-namespace host of
# host_lib.inc (its own address, sshd inside) runs podman's Docker-compatible
# service with its own storage, and the target names it as
# `hosts: [ssh://root@ADDRESS]` with `remote_socket:`. ecp forwards that socket
# over the host's ControlMaster to a private socket under ECP_HOME/run:
#   release -> the container answers at the namespace's address, not here (so
#   the health probes went there too); status names the ssh:// location;
#   history; exec (the engine's CLI on the host); access rules that see the
#   SSH user (a denied release, audited); a config change (no image
#   transfer); rollback; the ledger lives
#   at the remote engine (a second ECP_HOME sees it); no forwarded socket is
#   left behind; an engine socket that does not answer is named with its host.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/host_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/engine_lib.inc"
command -v curl >/dev/null 2>&1 || skip "curl is not installed"
command -v nsenter >/dev/null 2>&1 || skip "nsenter is not installed (util-linux)"

ssh_client_setup
netns_host h1
u1=$url a1=$addr
ENGINE_NETNS=$ns_of_h1
start_podman_service

make_busybox_base "$T/bb-base"
port=8080  # on the namespace's address: nothing else listens there
make_web_app "$T/web" "$port" remote
generous_health "$T/web"
sed -i "s|^environments:|build:\n  base: \"oci:$T/bb-base:1\"\nenvironments:|" "$T/web/ecp.yaml"
set_config "$T/web" LISTEN_ADDRESS 0.0.0.0
set_config "$T/web" GREETING "hello over ssh"
cat >"$T/web/ecp-targets.yaml" <<EOF
schema: 1
targets:
  remote:
    plugin: engine
    hosts: ["$u1"]
    remote_socket: $ENGINE_SOCK
  nosocket:
    plugin: engine
    hosts: ["$u1/run/ecp-test-no-such-engine.sock"]
EOF
cd "$T/web"
serves() { curl -sf --max-time 10 "http://$a1:$port/greeting"; }
sent_image() { cat "$T/out" "$T/err" | grep -q "sending image"; }
# no_forward_left: the command cancelled its forward and removed its folder.
no_forward_left() {
  left=$(find "$ECP_HOME/run" -mindepth 1 2>/dev/null || true)
  [ -z "$left" ] || die "forwarded sockets left behind: $left"
}

# 1. The first release: the image goes to the remote engine; the container
#    answers at the host's address and not on this machine.
expect_exit 0 "$ECP" release --env dev
expect_grep "revision 1 of web/dev succeeded" "$T/out"
sent_image || die "the first release did not say it sent the image"
expect_grep "engine $u1: sending image" "$T/err"
[ "$(serves)" = "hello over ssh" ] || die "the container does not answer at $a1:$port"
! curl -sf --max-time 5 "http://127.0.0.1:$port/greeting" >/dev/null 2>&1 || die "something answers on this machine's $port"
engine_api "/containers/ecp-web-dev-a-0/json" >"$T/c.json" || die "no container ecp-web-dev-a-0 at the remote engine"
grep -q '"ecp.revision":"1"' "$T/c.json" || die "the remote container is not revision 1"
no_forward_left

# 2. status (the instance at its ssh:// location), history; the ledger is at the engine.
expect_exit 0 "$ECP" status --env dev
expect_grep "^a-0 +$u1 +1 .*running" "$T/out"
expect_exit 0 "$ECP" history --env dev
expect_grep "succeeded" "$T/out"
n=$(engine_api '/containers/json?all=1' | python3 -c 'import json,sys; print(sum(1 for c in json.load(sys.stdin) if "ecp.state" in (c.get("Labels") or {})))')
[ "$n" -gt 0 ] || die "no state containers at the remote engine: where is the ledger?"
no_forward_left
# exec runs the engine's CLI on the host, over ssh: the container's hostname
# and environment, the arguments as given.
expect_exit 0 "$ECP" exec --env dev -- printf '%s|' "two words" "it's \$ECP_INSTANCE" </dev/null
[ "$(cat "$T/out")" = "two words|it's \$ECP_INSTANCE|" ] || die "exec over ssh changed the arguments: $(cat "$T/out")"
expect_exit 0 "$ECP" exec --env dev -- sh -c 'echo "$ECP_INSTANCE $ECP_REVISION"' </dev/null
[ "$(cat "$T/out")" = "a-0 1" ] || die "exec over ssh: $(cat "$T/out") $(cat "$T/err")"
no_forward_left

# 2b. Access rules see the SSH user that the engine's host authenticated (root
#     here, whatever CI reports): refused (exit 9), audited at the engine.
cp ecp-targets.yaml "$T/targets.open"
printf 'access:\n  groups:\n    ops: [alice]\n  environments:\n    dev:\n      release: [ops]\n' >>ecp-targets.yaml
expect_exit 9 env GITHUB_ACTOR=alice "$ECP" release --env dev --force
expect_grep "access denied: root \\(ssh user\\) may not release in dev: .*allows ops only" "$T/err"
expect_exit 0 "$ECP" -o json audit --env dev
python3 - "$T/out" <<'PY' || die "the denial's audit entry: $(cat "$T/out")"
import json, sys
r = [x for x in (json.loads(l) for l in open(sys.argv[1]) if l.strip()) if x.get("type") == "result"][-1]
d = r["entries"][-1]
assert d["type"] == "denied", d
assert d["actor"] == {"verified": "root", "method": "ssh user", "reported": "github:alice"}, d["actor"]
PY
cp "$T/targets.open" ecp-targets.yaml

# 3. A config change: the same image, a new revision, no transfer.
set_config "$T/web" GREETING "changed over ssh"
expect_exit 0 "$ECP" release --env dev
expect_grep "revision 2 of web/dev succeeded" "$T/out"
! sent_image || die "a config change sent the image again"
[ "$(serves)" = "changed over ssh" ] || die "the new configuration does not serve"

# 4. Rollback to revision 1: its configuration again, no transfer.
expect_exit 0 "$ECP" rollback --env dev
! sent_image || die "a rollback sent the image again"
[ "$(serves)" = "hello over ssh" ] || die "the rollback does not serve revision 1's configuration"
no_forward_left

# 5. Another machine (its own ECP_HOME) sees the same history at the remote engine.
ECP_HOME=$T/other-home "$ECP" history --env dev >"$T/h2" 2>&1 || { cat "$T/h2"; die "history from a second home failed"; }
expect_grep "^ *3 " "$T/h2"

# 6. An engine socket that does not answer on the host: the error names the host
#    and the socket, nothing is left behind.
sed -i 's/^    target: remote$/    target: nosocket/' ecp.yaml
grep -q 'target: nosocket' ecp.yaml || die "could not switch the environment's target"
set +e; "$ECP" deploy --env dev >"$T/out" 2>"$T/err"; code=$?; set -e
[ "$code" != 0 ] || die "a release to an engine that does not answer succeeded"
expect_grep "$u1/run/ecp-test-no-such-engine.sock.*no engine answers at /run/ecp-test-no-such-engine.sock" "$T/err"
no_forward_left
echo "PASS: release, status, history, config change and rollback on a podman engine over ssh://"
