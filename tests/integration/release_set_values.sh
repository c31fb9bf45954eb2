#!/bin/sh
# cost: 15
# --set KEY=VALUE and --values FILE at release time (Helm's habit), on the local
# target: the top layer of the configuration, as for `ecp config render`;
#   1. a release with --set serves that value, and its ledger record names it;
#   2. a deploy with --values FILE (YAML) serves the file's value;
#   3. a rollback to revision 1 serves the --set value again (the record's exact
#      configuration), with no --set given;
#   4. --set on a secret key: served, and masked in the ledger record;
#   5. plan --out with --set, then apply: the plan keeps the --set and apply
#      renders the same configuration; a secret --set is refused in a saved plan.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"

port=$(free_port)
make_web_app "$T/web" "$port"
printf '  TOKEN: {secret: true, default: "none"}\n' >"$T/token.yaml"
sed -i "/^  CRASH:/r $T/token.yaml" "$T/web/ecp.yaml"
grep -q '^  TOKEN: {secret: true' "$T/web/ecp.yaml" || die "could not declare TOKEN"
stop_at_exit "$ECP_HOME/targets/local"
cd "$T/web"
greeting() { curl -sf "http://127.0.0.1:$port/greeting"; }
# record N FIELD: a field of revision N's ledger record, as JSON.
record() {
  "$ECP" -o json history --env dev >"$T/history.json" || die "ecp history failed"
  python3 - "$T/history.json" "$1" "$2" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
recs = [l for l in lines if l.get("type") == "result"][-1]["records"]
r = [x for x in recs if x["revision"] == int(sys.argv[2])][0]
print(json.dumps(r.get(sys.argv[3])))
PY
}

# 1. --set: served and recorded.
expect_exit 0 "$ECP" release --env dev --set "GREETING=from set"
[ "$(greeting)" = "from set" ] || die "the --set value is not served"
[ "$(record 1 overrides)" = '["--set GREETING=from set"]' ] || die "revision 1 does not record its --set: $(record 1 overrides)"

# 2. --values FILE over ecp.yaml.
printf 'GREETING: from values\n' >"$T/values.yaml"
expect_exit 0 "$ECP" deploy --env dev --values "$T/values.yaml"
[ "$(greeting)" = "from values" ] || die "the --values value is not served"
[ "$(record 2 overrides)" = "[\"--values $T/values.yaml\"]" ] || die "revision 2 does not record its --values"

# 3. A rollback restores what revision 1 ran, --set included.
expect_exit 0 "$ECP" rollback --env dev --to 1
[ "$(greeting)" = "from set" ] || die "the rollback did not restore the --set value"

# 4. A secret by --set: served to the app, masked in the record.
expect_exit 0 "$ECP" deploy --env dev --set TOKEN=hunter2-s3cret --set "GREETING=with token"
[ "$(greeting)" = "with token" ] || die "the deploy with a secret --set is not served"
grep -q '^TOKEN=hunter2-s3cret$' "$ECP_HOME"/targets/local/web/dev/instances/*/app/conf/autoconfig.properties 2>/dev/null ||
  grep -rqs 'hunter2-s3cret' "$ECP_HOME/targets/local/web/dev" || die "the secret --set did not reach the target"
rev=$(record 4 overrides)
case $rev in *hunter2*) die "the ledger record shows the secret: $rev" ;; esac
case $rev in *'--set TOKEN='*) ;; *) die "the ledger record does not name the secret --set: $rev" ;; esac
grep -rqs 'hunter2-s3cret' "$ECP_HOME"/targets/local/web/dev/ledger 2>/dev/null &&
  die "the secret is in the ledger"
"$ECP" history --env dev >"$T/history.txt" 2>&1
expect_no_grep 'hunter2' "$T/history.txt"

# 5. plan --out keeps --set for apply; a secret --set cannot be saved.
expect_exit 0 "$ECP" plan --env dev --set "GREETING=from the plan" --out "$T/plan.json"
[ "$(stat -c %a "$T/plan.json")" = 600 ] || die "the plan file is not 0600"
expect_exit 0 "$ECP" apply "$T/plan.json"
[ "$(greeting)" = "from the plan" ] || die "apply did not render the plan's --set"
expect_exit 2 "$ECP" plan --env dev --set TOKEN=other --out "$T/plan2.json"
expect_grep "a secret given with --set cannot be saved in a plan" "$T/err"
[ ! -e "$T/plan2.json" ] || die "a plan with a secret --set was written"
# A malformed --set is a usage error naming it.
expect_exit 2 "$ECP" deploy --env dev --set NOEQUALS
expect_grep "[-]-set NOEQUALS: expected KEY=VALUE" "$T/err"
echo ok
