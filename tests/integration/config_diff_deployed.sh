#!/bin/sh
# `ecp config diff ENV --against deployed` (issue 5): the configuration serving
# at the target, from the ledger there, against what ENV would get now. Nothing
# deployed is a usage error; after a release the two are the same; a changed
# value and a rotated secret show up, the secret masked on both sides.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"

port=$(free_port)
make_web_app "$T/app" "$port"
# A secret the app reads, from the environment of whoever releases.
sed -i 's/^  CRASH: {default: "no"}$/  CRASH: {default: "no"}\n  API_TOKEN: {secret: true, default: "secret:env:WEB_TOKEN"}/' "$T/app/ecp.yaml"
grep -q "API_TOKEN" "$T/app/ecp.yaml" || die "could not add the secret"
stop_at_exit "$ECP_HOME/targets/local"
cd "$T/app"
export WEB_TOKEN=first-token

expect_exit 2 "$ECP" config diff dev --against deployed
expect_grep "nothing of web/dev is deployed on target 'local' yet" "$T/err"
expect_exit 2 "$ECP" config diff dev
expect_grep "or one with what is deployed" "$T/err"
expect_exit 2 "$ECP" config diff dev --against tomorrow

expect_exit 0 "$ECP" release --env dev
expect_exit 0 "$ECP" config diff dev --against deployed --output json
python3 - "$T/out" <<'PY' || die "a fresh release differs from what is deployed"
import json, sys
r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
assert r["same"] and r["a"] == "dev (deployed, revision 1)" and r["b"] == "dev (now)", r
assert all(e["change"] == "unchanged" for e in r["entries"]), r["entries"]
PY

# Change a value and rotate the secret: both show, the secret masked.
set_config "$T/app" GREETING "howdy = partner"
export WEB_TOKEN=second-token
expect_exit 0 "$ECP" config diff dev --against deployed
expect_grep '^--- dev \(deployed, revision 1\) sha256:' "$T/out"
expect_grep '^\+\+\+ dev \(now\) sha256:' "$T/out"
expect_grep '^~ GREETING: "hello" -> "howdy = partner"' "$T/out"
expect_grep '^~ API_TOKEN: •••• ?[0-9a-f]{6} -> •••• ?[0-9a-f]{6} \(secret, changed\)' "$T/out"
expect_no_grep 'first-token|second-token' "$T/out"
expect_no_grep 'first-token|second-token' "$T/err"
expect_grep '^= HEALTHY: "yes"' "$T/out"

# Released: the same again.
expect_exit 0 "$ECP" release --env dev
expect_exit 0 "$ECP" config diff dev --against deployed --output json
[ "$(json_field "$T/out" 'r["same"]')" = True ] || die "after the release the configuration still differs"
[ "$(json_field "$T/out" 'r["a"]')" = "dev (deployed, revision 2)" ] || die "the diff is not against revision 2"
echo "config_diff_deployed: ok"
