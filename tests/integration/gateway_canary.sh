#!/bin/sh
# cost: 70
# Canary through the nginx gateway on real SSH hosts (issue 7):
#  - a bad revision (30% of its requests answer 500) is caught by the analysis
#    of the gateway's access log at the first step and aborted: traffic back on
#    stable, the canary stopped, the ledger says failed-rolled-back, exit 6;
#  - a good revision released --manual pauses at 25%: over 1,000 requests the
#    canary's share is within 5 points of 25%, "X-Canary: always" and the cookie
#    ecp_preview=always reach only the canary, other releases are kept out
#    (exit 8), and `ecp canary promote` takes it to 100% and stops the old slot;
#  - `ecp canary abort` of a paused canary puts everything back.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/host_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/gateway_lib.inc"

two_hosts_and_gateway
make_py_app "$T/app" "$port" "{type: canary, steps: [25, 100], pause: 5s, analysis: {max_error_rate: 5, min_requests: 20}}"
gateway_target "$T/app" "$gwport" "$u1" "$u2"
cd "$T/app"
# all_bodies N HEADER...: N requests; prints the distinct bodies, failing on any error.
all_bodies() {
  n=$1; shift
  load "$gw" "$n" 1 "$T/check.json" "$@"
  [ "$(json_field "$T/check.json" 'r["failed"]')" = 0 ] || die "requests failed: $(cat "$T/check.json")"
  json_field "$T/check.json" '" ".join(sorted(r["bodies"]))'
}

# 1. The first release has no stable slot to compare with: all traffic at once.
expect_exit 0 "$ECP" release --env dev
[ "$(all_bodies 20)" = v1 ] || die "v1 does not serve"

# 2. A bad canary, under load: caught at 25% and rolled back automatically.
printf 'v2\n' >app/html/version.txt
sed -i 's/FAIL_PERCENT: {default: "0"}/FAIL_PERCENT: {default: "30"}/' ecp.yaml
load "$gw" 1500 15 "$T/load.json" &
loader=$!
expect_exit 6 "$ECP" release --env dev
wait "$loader"
expect_grep "step 1/2 \(25%\): 25% of the traffic on slot b" "$T/err"
expect_grep "step 1/2 \(25%\): analysis failed: error rate [0-9.]+% > 5%" "$T/err"
expect_grep "traffic back on slot a" "$T/err"
expect_exit 0 "$ECP" history --env dev --output json
python3 - "$T/out" <<'PY' || die "the ledger does not say failed-rolled-back"
import json, sys
r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
recs = {x["revision"]: x for x in r["records"]}
assert recs[2]["outcome"] == "failed-rolled-back", recs[2]
assert "analysis failed" in recs[2]["message"], recs[2]
PY
[ "$(cat "$T/hosts/gw/srv/ecp/py/dev/gateway/weights")" = "a=100" ] || die "traffic is not back on slot a"
[ "$(all_bodies 100)" = v1 ] || die "stable does not take all the traffic after the abort"
for h in h1 h2; do
  [ "$(sed -n 's/^state=//p' "$T/hosts/$h/srv/ecp/py/dev/instances/b-0/state")" = stopped ] ||
    die "the bad canary still runs on $h"
done

# 3. A good canary, step by step: paused at 25%.
sed -i 's/FAIL_PERCENT: {default: "30"}/FAIL_PERCENT: {default: "0"}/' ecp.yaml
printf 'v3\n' >app/html/version.txt
# From here the release's end hooks log what they are told: a canary's release
# ends when it is promoted to 100% (post-deploy) or aborted (post-rollback).
cat >>ecp.yaml <<'YAML'
hooks:
  post-deploy: [sh, -c, 'echo "$ECP_HOOK $ECP_REVISION $ECP_OUTCOME $ECP_STRATEGY" >>hooks.log']
  post-rollback: [sh, -c, 'echo "$ECP_HOOK $ECP_REVISION $ECP_OUTCOME $ECP_STRATEGY" >>hooks.log']
YAML
expect_exit 0 "$ECP" release --env dev --manual
[ ! -s hooks.log ] || die "a paused canary ran an end hook: $(cat hooks.log)"
expect_grep "revision 3 of py/dev paused at 25% of the traffic" "$T/out"
load "$gw" 1000 5 "$T/split.json"
python3 - "$T/split.json" <<'PY' || die "the split at 25% is off: $(cat "$T/split.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["failed"] == 0, r
share = 100.0 * r["bodies"].get("v3", 0) / 1000
print("canary share at 25%%: %.1f%%" % share)
assert 20 <= share <= 30, share
assert r["bodies"].get("v3", 0) + r["bodies"].get("v1", 0) == 1000, r
PY
[ "$(all_bodies 20 'X-Canary: always')" = v3 ] || die "X-Canary: always does not reach only the canary"
[ "$(all_bodies 20 'Cookie: ecp_preview=always')" = v3 ] || die "the preview cookie does not reach only the canary"
expect_exit 0 "$ECP" status --env dev
expect_grep "canary: revision 3 paused at 25%" "$T/out"
expect_grep "gateway: http://127.0.0.1:$gwport/ \(slot a 75%, slot b 25%\)" "$T/out"
expect_exit 8 "$ECP" release --env dev --force
expect_grep "is paused at 25%" "$T/err"
expect_exit 0 "$ECP" canary promote --env dev
expect_grep "step 1/2 \(25%\): passed" "$T/err"
expect_grep "revision 3 of py/dev succeeded" "$T/out"
[ "$(cat hooks.log)" = "post-deploy 3 succeeded canary" ] || die "promote's post-deploy hook: $(cat hooks.log)"
[ "$(all_bodies 50)" = v3 ] || die "v3 does not take all the traffic after promote"
# The old slot stops once the requests in flight to it are done (2 s).
for h in h1 h2; do
  n=0
  until [ "$(sed -n 's/^state=//p' "$T/hosts/$h/srv/ecp/py/dev/instances/a-0/state")" = stopped ]; do
    n=$((n + 1)); [ "$n" -lt 200 ] || die "the old slot still runs on $h"
    sleep 0.1
  done
done
expect_exit 2 "$ECP" canary promote --env dev
expect_grep "no canary of py/dev is paused" "$T/err"

# 4. Abort: a paused canary goes away, the live slot serves everything.
printf 'v4\n' >app/html/version.txt
expect_exit 0 "$ECP" release --env dev --manual
expect_grep "paused at 25%" "$T/out"
expect_exit 0 "$ECP" canary abort --env dev
expect_grep "aborted" "$T/out"
[ "$(tail -n 1 hooks.log)" = "post-rollback 4 failed-rolled-back canary" ] ||
  die "abort's post-rollback hook: $(cat hooks.log)"
[ "$(all_bodies 50)" = v3 ] || die "the abort did not put all traffic back on v3"
expect_exit 0 "$ECP" history --env dev
expect_grep "^ *4 .*failed-rolled-back" "$T/out"
echo "gateway_canary: ok"
