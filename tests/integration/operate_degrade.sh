#!/bin/sh
# cost: 60
# Degradation (issue 17) on two SSH hosts with an nginx gateway host: a core app
# and a low app (ecp.yaml `priority:`) released to the same hosts, each through
# its own gateway port:
#   1. degrade --target edge --below normal --reason: the low app's instances
#      stop as `degraded` and its gateway answers 503 with a page that names the
#      reason; the core app keeps serving under load, 0 failures, its processes
#      untouched; JSON field by field;
#   2. status shows `degraded`, history and the audit log the event with who
#      and why; a release or `ecp start` of the paused app is refused (exit 2);
#      a second degrade pauses nothing;
#   3. restore: a restore that fails (a release that cannot start) pauses the
#      app again (exit 7, still 503); then the low app's instances start again,
#      health-gated, and its gateway routes to them; status `running`, history
#      the restore;
#   4. a priority ecp does not know is refused by validate (file:line, exit 2),
#      and so is --below with one; a target whose plugin cannot pause says so.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/host_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/gateway_lib.inc"

two_hosts_and_gateway
low_gwport=$(free_port)
low_port=$(free_port)
for a in core low; do
  if [ "$a" = core ]; then p=$port; else p=$low_port; fi
  make_py_app "$T/$a" "$p" "{type: rolling, batch: 1}"
  sed -i "s/^app: py$/app: $a/; s/^version: 1.0.0$/version: 1.0.0\npriority: $a/; s/target: edge$/target: edge-$a/" \
    "$T/$a/ecp.yaml"
  printf '%s v1\n' "$a" >"$T/$a/app/html/version.txt"
  cat >"$T/$a/ecp-targets.yaml" <<EOF
schema: 1
targets:
  edge-core:
    plugin: host
    hosts: ["$u1", "$u2"]
    gateway: {host: "$gw_url", port: $gwport}
  edge-low:
    plugin: host
    hosts: ["$u1", "$u2"]
    gateway: {host: "$gw_url", port: $low_gwport}
  engine:
    plugin: engine
    socket: unix://$T/no-such-engine.sock
EOF
done
low_gw="http://127.0.0.1:$low_gwport/"
(cd "$T/core" && expect_exit 0 "$ECP" release --env dev)
(cd "$T/low" && expect_exit 0 "$ECP" release --env dev)
[ "$(curl -sf "$gw")" = "core v1" ] || die "the core app does not answer through its gateway"
[ "$(curl -sf "$low_gw")" = "low v1" ] || die "the low app does not answer through its gateway"
pids() { cat "$T"/hosts/h1/srv/ecp/core/dev/instances/*/app.pid "$T"/hosts/h2/srv/ecp/core/dev/instances/*/app.pid; }
core_pids=$(pids)

# 1. degrade, from the core app's folder (any project with the targets file will
#    do): only the low app pauses, while the core app is under load.
cd "$T/core"
under_load "$gw" 20 "$T/load.json" "$ECP" -o json degrade --target edge-low --below normal --reason "memory pressure on the edge hosts"
[ "$(cat "$T/rc")" = 0 ] || { cat "$T/err"; die "degrade failed"; }
[ "$(json_field "$T/load.json" '(r["failed"], r["ok"] == r["sent"], r["order"])')" = "(0, True, ['core v1'])" ] ||
  die "the core app's load saw failures: $(cat "$T/load.json")"
[ "$(pids)" = "$core_pids" ] || die "degrade touched the core app's processes"
python3 - "$T/out" "$u1" "$u2" <<'PY' || die "degrade's JSON: $(cat "$T/out")"
import json, sys
r = [x for x in (json.loads(l) for l in open(sys.argv[1]) if l.strip()) if x.get("type") == "result"][-1]
assert r["ok"] is True and r["target"] == "edge-low", r
(d,) = r["degraded"]
assert (d["app"], d["env"], d["priority"]) == ("low", "dev", "low"), d
assert sorted(d["instances"]) == sorted([sys.argv[2] + " a-0", sys.argv[3] + " a-0"]), d["instances"]
(u,) = r["untouched"]
assert u == {"app": "core", "env": "dev", "priority": "core", "degraded": False}, u
PY
code=$(curl -s -o "$T/page" -w '%{http_code}' "$low_gw")
[ "$code" = 503 ] || die "the paused app's gateway answered $code, not 503"
expect_grep "low is paused" "$T/page"
expect_grep "memory pressure on the edge hosts" "$T/page"
[ "$(curl -sf "$gw")" = "core v1" ] || die "the core app stopped answering"

# 2. What status, history and the audit log say; what is refused.
cd "$T/low"
expect_exit 0 "$ECP" status --env dev --no-probe
expect_grep "^a-0 +$u1 +1 .*degraded" "$T/out"
expect_grep "^a-0 +$u2 +1 .*degraded" "$T/out"
expect_exit 0 "$ECP" history --env dev
expect_grep "degrade.*2 instance\\(s\\) paused by .*\\(priority below normal\\): memory pressure on the edge hosts" "$T/out"
expect_exit 0 "$ECP" -o json audit --env dev
[ "$(json_field "$T/out" '[e["type"] for e in r["entries"]][-1]')" = degrade ] || die "no degrade in the audit log: $(cat "$T/out")"
expect_exit 0 "$ECP" -o json top --target edge-low -n 0
[ "$(json_field "$T/out" 'sorted(i["state"] for i in r["instances"] if i["app"] == "low")')" = "['degraded', 'degraded']" ] ||
  die "top does not show the paused instances as degraded: $(cat "$T/out")"
printf 'low v2\n' >app/html/version.txt
expect_exit 2 "$ECP" release --env dev
expect_grep "low/dev is paused by ecp degrade on target 'edge-low': .ecp restore --target edge-low. brings it back" "$T/err"
expect_exit 2 "$ECP" start --env dev
expect_grep "paused by ecp degrade" "$T/err"
printf 'low v1\n' >app/html/version.txt
expect_exit 0 "$ECP" degrade --target edge-low --below normal
expect_grep "nothing to pause on target edge-low" "$T/out"

# 3. restore: healthy again, then routed. First a restore that fails (h1's
#    release cannot start): the environment is paused again as it was (exit 7),
#    its gateway still answers 503, and the next restore starts it.
ep=$T/hosts/h1/srv/ecp/low/dev/releases/1/bin/entrypoint.sh
ep=$(readlink -f "$ep")
chmod -x "$ep"
expect_exit 7 "$ECP" restore --target edge-low
expect_grep "restore on target 'edge-low' failed: low/dev: " "$T/err"
chmod +x "$ep"
[ "$(curl -s -o "$T/page" -w '%{http_code}' "$low_gw")" = 503 ] || die "a failed restore let the gateway route"
expect_grep "a restore by .* did not bring it back" "$T/page"
expect_no_grep "entrypoint" "$T/page"
expect_exit 0 "$ECP" status --env dev --no-probe
[ "$(grep -c ' degraded' "$T/out")" = 2 ] || die "a failed restore left the app not paused: $(cat "$T/out")"
expect_exit 0 "$ECP" -o json restore --target edge-low
[ "$(json_field "$T/out" '[(d["app"], len(d["instances"])) for d in r["restored"]]')" = "[('low', 2)]" ] ||
  die "restore's JSON: $(cat "$T/out")"
[ "$(curl -sf "$low_gw")" = "low v1" ] || die "the restored app does not answer through its gateway"
expect_exit 0 "$ECP" status --env dev --no-probe
expect_grep "^a-0 +$u1 +1 .*running" "$T/out"
expect_no_grep "degraded" "$T/out"
expect_exit 0 "$ECP" history --env dev
expect_grep "restore.*2 instance\\(s\\) started, healthy" "$T/out"
expect_exit 0 "$ECP" restore --target edge-low
expect_grep "nothing to restore" "$T/out"

# 4. Bad input.
expect_exit 2 "$ECP" degrade --target edge-low --below urgent
expect_grep "expected core, normal or low" "$T/err"
expect_exit 2 "$ECP" degrade --target engine
expect_grep "target 'engine' \\(plugin engine\\) cannot pause apps" "$T/err"
sed -i 's/^priority: low$/priority: urgent/' ecp.yaml
expect_exit 2 "$ECP" validate
expect_grep "ecp.yaml:[0-9]+:[0-9]+: error: priority: unknown priority 'urgent'; valid: core, normal, low" "$T/err"
echo "PASS: degrade and restore by priority through the gateway"
