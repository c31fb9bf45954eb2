#!/bin/sh
# Failover on three SSH hosts (network namespaces) behind the nginx gateway:
#  1. h2's link goes down (what runs there keeps running, nothing reaches it):
#     ecp status names it unreachable and its instance lost (text and JSON);
#  2. ecp failover starts that instance on the host with the fewest, under load
#     through the gateway with 0 failed requests; the ledger records kind
#     failover, nothing is installed, the instances that ran keep their process;
#     a second failover changes nothing;
#  3. h2 comes back with its old instance still running: status calls it stale,
#     and ecp failover stops it, so three instances run, not four;
#  4. ecp status --drift: the stray, then none; a release whose
#     image digest changed on its host behind ecp's back;
#  5. failover: auto: ecp status runs the failover itself, for a host cut off
#     and again when it is back.
# cost: 60
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/host_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/gateway_lib.inc"

ssh_client_setup
netns_host h1; u1=$url
netns_host h2; u2=$url
netns_host h3; u3=$url
gateway_host gw
port=$(free_port)
gwport=$(free_port)
gw="http://127.0.0.1:$gwport/"
make_web_app "$T/web" "$port" edge 1 "{type: rolling, batch: 1}"
cd "$T/web"
set_config . LISTEN_ADDRESS 0.0.0.0
gateway_target . "$gwport" "$u1" "$u2" "$u3"
expect_exit 0 "$ECP" release --env dev
srv() { printf '%s/hosts/%s/srv/ecp/web/dev' "$T" "$1"; }
state() { sed -n 's/^state=//p' "$(srv "$1")/instances/$2/state" 2>/dev/null; }
pid1=$(cat "$(srv h1)/instances/a-0/app.pid")
pid2=$(cat "$(srv h2)/instances/a-0/app.pid")

# 1. h2 is cut off.
partition_host h2
expect_exit 0 "$ECP" status --env dev --no-probe
expect_grep "$u2" "$T/err"
expect_grep "^a-0 +$u2 +1 +0 +lost " "$T/out"
expect_grep "lost: its location does not answer" "$T/out"
expect_exit 0 "$ECP" --output json status --env dev --no-probe
[ "$(json_field "$T/out" '[i["state"] for i in r["instances"] if i["location"] == "'"$u2"'"]')" = "['lost']" ] ||
  die "status does not call h2's instance lost: $(cat "$T/out")"
[ "$(json_field "$T/out" 'len(r["unreachable"]) == 1 and "'"$u2"'" in r["unreachable"][0]')" = True ] ||
  die "status does not name h2 unreachable"
# A release refuses a target with a host down; failover is what works around it.
expect_exit 1 "$ECP" deploy --env dev --force
expect_grep "cannot release: .*$u2" "$T/err"

# 2. failover, under load: h1 (listed first of the two with the fewest) gets a-1.
under_load "$gw" 20 "$T/load.json" "$ECP" failover --env dev
[ "$(cat "$T/rc")" = 0 ] || { cat "$T/err"; die "failover exited $(cat "$T/rc")"; }
[ "$(json_field "$T/load.json" 'r["failed"] == 0 and r["ok"] == r["sent"] > 0')" = True ] ||
  die "requests failed during the failover: $(cat "$T/load.json")"
expect_grep "1 instance\\(s\\) of web/dev ran on $u2: 1 to start" "$T/err"
expect_grep "nothing to install" "$T/err"
[ "$(state h1 a-1)" = running ] || die "h1 does not run a-1"
[ ! -e "$(srv h3)/instances/a-1" ] || die "h3 got an instance too"
[ "$(cat "$(srv h1)/instances/a-0/app.pid")" = "$pid1" ] || die "failover restarted h1's a-0"
[ ! -d "$(srv h1)/releases/2" ] || die "failover installed a release"
[ "$(sed -n 's/^revision=//p' "$(srv h1)/instances/a-1/spec")" = 1 ] || die "a-1 does not run revision 1's release"
grep -c "^    server [0-9]" "$T/hosts/gw/srv/ecp/web/dev/gateway/nginx.conf" | grep -qx 3 ||
  die "the gateway does not send to the three instances that answer: $(cat "$T/hosts/gw/srv/ecp/web/dev/gateway/nginx.conf")"
expect_exit 0 "$ECP" --output json history --env dev
[ "$(json_field "$T/out" '(r["records"][0]["kind"], r["records"][0]["outcome"], r["records"][0]["runs"], sorted((i["location"], i["index"]) for i in r["records"][0]["instances"]) == sorted([("'"$u1"'", 0), ("'"$u1"'", 1), ("'"$u3"'", 0)]))')" = "('failover', 'succeeded', 1, True)" ] ||
  die "the ledger does not record the failover: $(cat "$T/out")"
expect_exit 0 "$ECP" failover --env dev
expect_grep 'unchanged' "$T/out"

# 3. h2 comes back, its a-0 still running: stale, then stopped.
heal_host h2
[ "$(cat "$(srv h2)/instances/a-0/app.pid")" = "$pid2" ] || die "h2's instance did not survive the partition"
expect_exit 0 "$ECP" status --env dev --no-probe --drift
expect_grep "^a-0 +$u2 +1 +$pid2 +running,stale " "$T/out"
expect_grep "^drift: stray of a-0@$u2: the ledger says not running, the target has running, revision 1" "$T/out"
expect_exit 0 "$ECP" --output json status --env dev --no-probe --drift
[ "$(json_field "$T/out" '[(d["what"], d["instance"]) for d in r["drift"]]')" = "[('stray', 'a-0@$u2')]" ] ||
  die "the drift report is not the stray: $(cat "$T/out")"
expect_exit 0 "$ECP" failover --env dev
[ "$(state h2 a-0)" = stopped ] || die "h2's stale instance still runs"
running=0
for h in h1 h2 h3; do
  for i in "$(srv $h)"/instances/*; do [ "$(state $h "${i##*/}")" = running ] && running=$((running + 1)); done
done
[ "$running" = 3 ] || die "$running instances run, expected 3"
curl -sf "$gw" | grep -q 'web v1' || die "the gateway does not serve"
expect_exit 0 "$ECP" status --env dev --no-probe --drift
expect_grep "^drift: none \\(revision 3\\)" "$T/out"
# A release reinstalled on h3 behind ecp's back (its image digest changed): drift.
printf 'sha256:%064d\n' 7 >"$(srv h3)/releases/1/.ecp/image"
expect_exit 0 "$ECP" status --env dev --no-probe --drift
expect_grep "^drift: image of a-0@$u3: the ledger says sha256:[0-9a-f]{64}, the target has sha256:0{63}7 \\(as installed there\\)" "$T/out"

# 5. failover: auto: ecp status itself moves the instances of a host cut off,
#    then stops the stale one when the host is back.
#    Scaled to 2 per host first: the failover keeps that count, and a plan
#    after it says a release would go back to ecp.yaml's 1.
expect_exit 0 "$ECP" scale --env dev --replicas 2
sed -i 's/^  dev:$/  dev:\n    failover: auto/' ecp.yaml
grep -q '^    failover: auto$' ecp.yaml || die "could not set failover: auto"
partition_host h3
expect_exit 0 "$ECP" status --env dev --no-probe
expect_grep "^failover: auto recorded revision 5" "$T/out"
expect_no_grep " lost " "$T/out"
[ "$(grep -c "running" "$T/out")" = 6 ] || die "status after the automatic failover: $(cat "$T/out")"
heal_host h3
expect_exit 0 "$ECP" --output json status --env dev --no-probe
[ "$(json_field "$T/out" 'r["failover"].startswith("failover: auto recorded revision 6")')" = True ] ||
  die "status did not stop the stale instances: $(cat "$T/out")"
[ "$(state h3 a-0)" = stopped ] && [ "$(state h3 a-1)" = stopped ] || die "h3's stale instances still run"
expect_exit 0 "$ECP" --output json history --env dev
[ "$(json_field "$T/out" '[(x["kind"], x["replicas"]) for x in r["records"][:3]]')" = "[('failover', 2), ('failover', 2), ('scale', 2)]" ] ||
  die "the failovers do not keep the scaled count: $(cat "$T/out")"
expect_exit 0 "$ECP" plan --env dev
expect_grep "was scaled to 2 per location \(revision 6\); this deploy runs ecp.yaml's 1" "$T/err"
expect_exit 0 "$ECP" status --env dev --no-probe
expect_no_grep "^failover:" "$T/out"
sed -i 's/^    failover: auto$/    failover: sometimes/' ecp.yaml
expect_exit 2 "$ECP" validate
expect_grep "ecp.yaml:[0-9]+:[0-9]+: error: environments.dev.failover: expected auto or manual, got 'sometimes'" "$T/err"
echo "PASS: failover around a lost host, and its stale instance stopped when it came back"
