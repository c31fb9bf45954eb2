#!/bin/sh
# Plans: `ecp deploy --dry-run` and `ecp plan --out` show what changes on which
# instance and the configuration diff against what is deployed (secrets masked),
# and touch nothing; `ecp apply` carries a plan out, and refuses one that is stale
# (the ledger moved on), or whose configuration changed since.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"

port=$(free_port)
make_web_app "$T/web" "$port" local 2
stop_at_exit "$ECP_HOME/targets/local"
cd "$T/web"
# A secret: its value never shows in a plan.
sed -i 's/^config:$/config:\n  API_TOKEN: {secret: true, default: "s3cr3t-one"}/' ecp.yaml
"$ECP" validate >/dev/null 2>&1 || { "$ECP" validate; die "the test project does not validate"; }

# Nothing released yet: every instance starts, every key is added.
expect_exit 0 "$ECP" build
expect_exit 0 "$ECP" deploy --env dev --dry-run
expect_grep "plan: deploy web/dev on target local as revision 1" "$T/out"
expect_grep "a-0@local +port $port +start revision 1" "$T/out"
expect_grep "a-1@local +port $((port + 1)) +start revision 1" "$T/out"
expect_grep "^  \+ GREETING=hello" "$T/out"
expect_no_grep "s3cr3t" "$T/out"
[ ! -e "$ECP_HOME/targets/local/web/dev/releases" ] || die "--dry-run installed something"

# plan --out + apply.
expect_exit 0 "$ECP" plan --env dev --out "$T/plan1.json"
[ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["next_revision"])' "$T/plan1.json")" = 1 ] ||
  die "the plan is not for revision 1"
expect_no_grep "s3cr3t" "$T/plan1.json"
expect_exit 0 "$ECP" apply "$T/plan1.json"
expect_grep "revision 1 of web/dev succeeded" "$T/out"

# A change of configuration, secret included: the diff shows it, masked.
set_config . GREETING changed
sed -i 's/s3cr3t-one/s3cr3t-two/' ecp.yaml
expect_exit 0 "$ECP" plan --env dev --out "$T/plan2.json"
expect_grep "a-0@local +port $port +revision 1 -> 2" "$T/out"
expect_grep "~ GREETING: hello -> changed" "$T/out"
expect_grep "~ API_TOKEN: " "$T/out"
expect_no_grep "s3cr3t" "$T/out"
cp "$T/plan2.json" "$T/plan2-again.json"

# Someone releases in between: the plan is stale, apply refuses and changes nothing.
expect_exit 0 "$ECP" deploy --env dev
expect_exit 2 "$ECP" apply "$T/plan2.json"
expect_grep "the plan is stale: it was made when the ledger of web/dev was at revision 1, and it is at revision 2 now" "$T/err"
expect_exit 0 "$ECP" --output json history --env dev
[ "$(json_field "$T/out" 'len(r["records"])')" = 2 ] || die "a stale apply recorded a revision"

# A plan whose configuration changed after it was made is refused too.
expect_exit 0 "$ECP" plan --env dev --out "$T/plan3.json"
set_config . GREETING "changed again"
expect_exit 2 "$ECP" apply "$T/plan3.json"
expect_grep "configuration of dev changed since the plan" "$T/err"
# So is one whose secret changed behind the same reference: the config digest
# (of references) is the same, the target's keyed fingerprint is not.
set_config . GREETING changed
expect_exit 0 "$ECP" plan --env dev --out "$T/plan4.json"
python3 -c 'import json,re,sys; assert re.fullmatch("hmac-sha256:[0-9a-f]{64}", json.load(open(sys.argv[1]))["config_fingerprint"])' \
  "$T/plan4.json" || die "the plan holds no config fingerprint"
sed -i 's/s3cr3t-two/s3cr3t-three/' ecp.yaml
expect_exit 2 "$ECP" apply "$T/plan4.json"
expect_grep "configuration of dev changed since the plan was made \(a secret's value, behind the same reference\)" "$T/err"
sed -i 's/s3cr3t-three/s3cr3t-two/' ecp.yaml

# Nothing to do: the plan says so, and an unchanged deploy is a no-op.
set_config . GREETING changed
expect_exit 0 "$ECP" deploy --env dev --dry-run
expect_grep "nothing changes" "$T/out"
expect_grep "config: no change" "$T/out"
expect_exit 0 "$ECP" deploy --env dev
expect_grep "unchanged: revision 2" "$T/out"
echo "PASS: dry-run and plans touch nothing, apply refuses stale plans"
