#!/bin/sh
# `ecp config diff ENV --against deployed` (issue 5): the configuration serving
# at the target, from the ledger there, against what ENV would get now. Nothing
# deployed is a usage error; after a release the two are the same; a changed
# value and a rotated secret show up, the secret masked on both sides; and
# deploy --dry-run shows the same masked changes.
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
# Secrets at rest (issue 13 §2): every file at the target that holds the
# rendered secret is its owner's alone (0600), in a folder of its owner's (0700).
E=$ECP_HOME/targets/local/web/dev
grep -rl first-token "$E" >"$T/holders" || die "the rendered secret is nowhere at the target"
expect_grep '/state/private/configs/' "$T/holders"
# The ledger's copy holds the secret's reference, never its value (issue 13 §2),
# and no ledger record holds it either.
expect_no_grep '/state/configs/|/state/ledger/' "$T/holders"
grep -rl 'API_TOKEN=secret:env:WEB_TOKEN' "$E/state/configs" >/dev/null || die "the ledger's copy does not hold the reference"
expect_grep '/instances/.*/conf/autoconfig.properties$' "$T/holders"
expect_grep '/releases/1/\.ecp/config.properties$' "$T/holders"
while IFS= read -r f; do
  [ "$(stat -c %a "$f")" = 600 ] || die "$f holds a secret and is mode $(stat -c %a "$f"), not 600"
  [ "$(stat -c %a "${f%/*}")" = 700 ] || die "${f%/*} holds a secret and is mode $(stat -c %a "${f%/*}"), not 700"
done <"$T/holders"
[ "$(stat -c %a "$E/state")" = 700 ] || die "the ledger's folder $E/state is not 700"
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
# deploy --dry-run shows the configuration change as config diff --against
# deployed does, masked by the same rule: a rotated secret, and a declared
# secret that this environment no longer sets (shown in clear by the dry run
# before both used config::diff).
sed -i 's/^  API_TOKEN: .*$/&\n  OLD_TOKEN: {secret: true}/' "$T/app/ecp.yaml"
mkdir -p env
printf 'OLD_TOKEN=secret:env:OLD_VALUE\n' >env/dev.properties
export OLD_VALUE=old-secret-value
expect_exit 0 "$ECP" release --env dev
rm env/dev.properties
export WEB_TOKEN=third-token
expect_exit 0 "$ECP" deploy --env dev --dry-run
expect_grep '^  - OLD_TOKEN=•••• ?[0-9a-f]{6}$' "$T/out"
expect_exit 0 "$ECP" deploy --env dev --dry-run --output json
cp "$T/out" "$T/plan.json"
expect_exit 0 "$ECP" config diff dev --against deployed --output json
for f in "$T/plan.json" "$T/out"; do
  expect_no_grep 'old-secret-value|second-token|third-token' "$f"
done
python3 - "$T/plan.json" "$T/out" <<'PY' || die "deploy --dry-run and config diff --against deployed disagree"
import json, sys
last = lambda p: json.loads(open(p).read().strip().splitlines()[-1])
plan = [(c["key"], c["change"], c["before"], c["after"]) for c in last(sys.argv[1])["plan"]["config"]]
diff = [(e["key"], e["change"], e["a"] or "", e["b"] or "") for e in last(sys.argv[2])["entries"]
        if e["change"] != "unchanged"]
assert plan == diff, (plan, diff)
changes = {k: (c, a, b) for k, c, a, b in plan}
assert changes["OLD_TOKEN"][0] == "removed" and changes["OLD_TOKEN"][1].startswith("\u2022"), changes
assert changes["API_TOKEN"][0] == "changed" and all(v.startswith("\u2022") for v in changes["API_TOKEN"][1:]), changes
PY

# A secret rotated behind the same reference: the config digest stays (it
# hashes references), the keyed fingerprint does not: not "unchanged", the
# release deploys the new value, and the ledger still holds no value.
printf 'OLD_TOKEN=secret:env:OLD_VALUE\n' >env/dev.properties
export WEB_TOKEN=second-token
expect_exit 0 "$ECP" release --env dev
expect_grep "unchanged: revision 3" "$T/out"
export WEB_TOKEN=fourth-token
expect_exit 0 "$ECP" config diff dev --against deployed --output json
[ "$(json_field "$T/out" 'r["same"]')" = False ] || die "a rotated secret is reported the same"
expect_exit 0 "$ECP" release --env dev
expect_grep "revision 4 of web/dev succeeded" "$T/out"
digest_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["config_digest"])' "$E/state/ledger/r00000$1.json"; }
[ "$(digest_of 3)" = "$(digest_of 4)" ] || die "the config digest changed with a secret's value"
grep -rl fourth-token "$E/instances" >/dev/null || die "the rotated secret was not deployed"
! grep -rlE 'second-token|fourth-token' "$E/state/ledger" "$E/state/configs" || die "the ledger holds a secret's value"
echo "config_diff_deployed: ok"
