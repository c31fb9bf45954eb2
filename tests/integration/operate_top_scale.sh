#!/bin/sh
# Day-2 operations on two SSH hosts (network namespaces) behind the nginx gateway:
#  1. ecp top: an instance the test makes spin on a CPU (its child process, only
#     on h1: each host has its own /srv) heads the instance table, with its host,
#     CPU, RSS and age; both hosts are in the host table with their memory and
#     load; JSON field by field; a host that does not answer is named;
#  2. ecp scale up and down under load through the gateway: 0 failed requests,
#     the instances that ran keep their process, the ledger records kind scale
#     with its count, and the next release warns that it runs ecp.yaml's count.
# cost: 90
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/host_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/gateway_lib.inc"

two_hosts_and_gateway
make_web_app "$T/web" "$port" edge 1 "{type: rolling, batch: 1}"
cd "$T/web"
set_config . LISTEN_ADDRESS 0.0.0.0
set_config . BURN_GATE /srv/burn
gateway_target . "$gwport" "$u1" "$u2"
# h1's instance spins from its start (its own /srv/burn), h2's does not.
touch "$T/hosts/h1/srv/burn"
expect_exit 0 "$ECP" release --env dev
# served_throughout LOAD: no request failed, v1 answered every one.
served_throughout() {
  [ "$(json_field "$1" 'r["failed"] == 0 and r["ok"] == r["sent"] > 0 and r["order"] == ["<h1>web v1</h1>"]')" = True ] ||
    die "requests failed through the gateway: $(cat "$1")"
}
result() { grep '"type":"result"' "$1" | tail -n 1 >"$1.result"; json_field "$1.result" "$2"; }

# 1. top: h1's instance spins (its own /srv/burn), h2's does not. (The hosts
# share this machine's CPUs: the host table cannot tell them apart by load.)
expect_exit 0 "$ECP" --output json top --env dev -n 0
cp "$T/out" "$T/top.json"
[ "$(result "$T/top.json" 'r["instances"][0]["location"]')" = "$u1" ] || die "the spinning instance is not first: $(cat "$T/top.json")"
[ "$(result "$T/top.json" 'r["instances"][0]["instance"] + " " + r["instances"][0]["app"] + " " + r["instances"][0]["env"]')" = "a-0 web dev" ] ||
  die "top names the instance wrongly: $(cat "$T/top.json")"
# (A loaded machine gives the spinner less than a CPU: the figures are compared,
# not held to a share.)
[ "$(result "$T/top.json" 'int(r["instances"][0]["cpu_percent"] >= 5)')" = 1 ] || die "the spinning instance shows under 5% CPU: $(cat "$T/top.json")"
[ "$(result "$T/top.json" 'int(r["instances"][1]["cpu_percent"] * 2 < r["instances"][0]["cpu_percent"])')" = 1 ] ||
  die "the idle instance is not well below the spinning one: $(cat "$T/top.json")"
[ "$(result "$T/top.json" 'r["instances"][1]["location"]')" = "$u2" ] || die "h2's instance is missing"
[ "$(result "$T/top.json" 'int(all(i["rss"] > 100000 and i["pid"] > 0 and i["state"] == "running" and i["since"].endswith("Z") and i["restarts"] == 0 for i in r["instances"]))')" = 1 ] ||
  die "an instance lacks its RSS, pid, state, start or restarts: $(cat "$T/top.json")"
[ "$(result "$T/top.json" 'r["instances_total"]')" = 2 ] || die "top counts the instances wrongly"
# The hosts: both, and the gateway's (a host of the target too).
[ "$(result "$T/top.json" 'sorted(h["location"] for h in r["hosts"]) == sorted(["'"$u1"'", "'"$u2"'", "'"$gw_url"'"])')" = True ] ||
  die "top does not list the three hosts: $(cat "$T/top.json")"
[ "$(result "$T/top.json" 'int(all(h["memory_total"] > h["memory_used"] > 0 and h["cpus"] >= 1 and h["load1"] >= 0 and 0 <= h["cpu_percent"] <= 100 and h["target"] == "edge" for h in r["hosts"]))')" = 1 ] ||
  die "a host lacks its figures: $(cat "$T/top.json")"
# The text tables, -n bounding the rows.
expect_exit 0 "$ECP" top --env dev -n 1
expect_grep '^HOST +TARGET +ADDRESS +CPU% +MEM USED/TOTAL +MEM% +LOAD' "$T/out"
expect_grep "^web/dev/a-0 +$u1 +[0-9.]+ +[0-9.]+ [KMG]iB +0 +[0-9]+[smhd]" "$T/out"
expect_grep '^instances: 1 of 2, busiest first' "$T/out"
expect_no_grep "^web/dev/a-0 +$u2" "$T/out"
# --target: every (app, env) on the target's hosts.
expect_exit 0 "$ECP" --output json top --target edge -n 0
[ "$(result "$T/out" 'r["instances_total"]')" = 2 ] || die "top --target lists $(cat "$T/out")"
rm "$T/hosts/h1/srv/burn"
# --watch: one JSON document per sample, until interrupted (exit 130).
"$ECP" --output json top --env dev --watch 200ms >"$T/watch.out" 2>"$T/watch.err" &
w=$!
wait_until "two samples of top --watch" sh -c '[ "$(grep -c "\"type\":\"top\"" "$1")" -ge 2 ]' sh "$T/watch.out"
kill -INT "$w"
set +e; wait "$w"; code=$?; set -e
[ "$code" = 130 ] || die "top --watch ended with $code, expected 130"
echo "ok: top"

# 2. scale up under load: the instances that run keep running.
pid1=$(cat "$T/hosts/h1/srv/ecp/web/dev/instances/a-0/app.pid")
under_load "$gw" 20 "$T/load.json" "$ECP" scale --env dev --replicas 2
[ "$(cat "$T/rc")" = 0 ] || { cat "$T/err"; die "scale up exited $(cat "$T/rc")"; }
served_throughout "$T/load.json"
[ "$(cat "$T/hosts/h1/srv/ecp/web/dev/instances/a-0/app.pid")" = "$pid1" ] || die "scale restarted an instance that ran"
for h in h1 h2; do
  [ "$(sed -n 's/^state=//p' "$T/hosts/$h/srv/ecp/web/dev/instances/a-1/state")" = running ] || die "$h has no a-1"
done
grep -c "^    server [0-9]" "$T/hosts/gw/srv/ecp/web/dev/gateway/nginx.conf" | grep -qx 4 || die "the gateway does not send to 4 instances"
expect_exit 0 "$ECP" --output json history --env dev
[ "$(json_field "$T/out" 'r["records"][0]["kind"] + " " + str(r["records"][0]["replicas"]) + " " + r["records"][0]["outcome"]')" = "scale 2 succeeded" ] ||
  die "the ledger does not record the scale: $(cat "$T/out")"
expect_exit 0 "$ECP" history --env dev
expect_grep '^ *2 +scalex2 +succeeded' "$T/out"

# ... and down: a-1 leaves the gateway before it stops.
under_load "$gw" 20 "$T/load.json" "$ECP" scale --env dev --replicas 1
[ "$(cat "$T/rc")" = 0 ] || { cat "$T/err"; die "scale down exited $(cat "$T/rc")"; }
served_throughout "$T/load.json"
for h in h1 h2; do
  [ "$(sed -n 's/^state=//p' "$T/hosts/$h/srv/ecp/web/dev/instances/a-1/state")" = stopped ] || die "$h's a-1 still runs"
done
[ "$(cat "$T/hosts/h1/srv/ecp/web/dev/instances/a-0/app.pid")" = "$pid1" ] || die "scale down restarted a-0"
# The same count again changes nothing.
expect_exit 0 "$ECP" scale --env dev --replicas 1
expect_grep 'unchanged' "$T/out"
# A scale to 3 and then a release: the release warns it runs ecp.yaml's count.
expect_exit 0 "$ECP" scale --env dev --replicas 3
# stop and start after a scale: its instances, on the release they run.
expect_exit 0 "$ECP" stop --env dev
expect_exit 0 "$ECP" start --env dev
cat "$T/out" "$T/err" >"$T/both"
expect_grep "start(ing)? 6 instance\\(s\\) of revision 1" "$T/both"
[ "$(sed -n 's/^state=//p' "$T/hosts/h2/srv/ecp/web/dev/instances/a-2/state")" = running ] || die "start did not bring a-2 back"
printf '<h1>web v2</h1>\n' >app/html/index.html
expect_exit 0 "$ECP" release --env dev
expect_grep "was scaled to 3 per location .*runs ecp.yaml's 1" "$T/err"
[ "$(sed -n 's/^state=//p' "$T/hosts/h2/srv/ecp/web/dev/instances/a-2/state")" = stopped ] || die "the release left a-2"
# A saved plan edited to kind scale (which installs nothing and needs no
# approval) is refused by apply.
expect_exit 0 "$ECP" plan --env dev --out "$T/plan.json"
python3 - "$T/plan.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1])); p["kind"] = "scale"; json.dump(p, open(sys.argv[1], "w"))
PY
expect_exit 2 "$ECP" apply "$T/plan.json"
expect_grep "a plan of kind scale cannot be applied" "$T/err"
# Bad input: a negative count, no environment.
expect_exit 2 "$ECP" scale --env dev --replicas -1
expect_exit 2 "$ECP" scale --replicas 1
# A host that does not answer is named; the other's figures still come.
kill_host h2
expect_exit 0 "$ECP" --output json top --env dev
[ "$(result "$T/out" 'len(r["unreachable"]) == 1 and "'"$u2"'" in r["unreachable"][0] and "'"$u2"'" not in [h["location"] for h in r["hosts"]]')" = True ] ||
  die "top does not name the host that is gone: $(cat "$T/out")"
echo "PASS: top and scale on SSH hosts behind a gateway"
