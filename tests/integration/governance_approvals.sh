#!/bin/sh
# cost: 15
# Four-eyes approvals on the local target, where the identity is $USER
# (unverified: governance_access.sh shows SSH-verified identities). prod needs
# one approval from release-managers (alice, carol) of the exact image and
# configuration digests:
#   1. bob's release is refused (exit 9) with the digests to approve, and a
#      `denied` audit entry; nothing is released;
#   2. an approval by carol for another configuration digest does not count;
#      one by dave (not a release manager) is refused at approve time (exit 9);
#   3. alice approves what bob releases: it goes through;
#   4. alice may not approve her own release (four eyes);
#   5. an approval past its ttl does not count;
#   6. the approvals are in the audit log, with who approved.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"

port=$(free_port)
make_web_app "$T/web" "$port" local 1
stop_at_exit "$ECP_HOME/targets/local"
cd "$T/web"
sed -i 's/^    strategy: recreate$/    strategy: recreate\n    approvals: {required: 1, from: [release-managers], ttl: 1h}/' ecp.yaml
printf 'schema: 1\naccess:\n  groups:\n    release-managers: [alice, carol]\n' >ecp-targets.yaml
as() { u=$1; shift; env USER="$u" LOGNAME="$u" "$@"; }
answers() { [ "$(curl -sf "http://127.0.0.1:$port/greeting")" = "$1" ]; }
# digests: the --image and --config a refusal asks to approve.
digests() { sed -n 's/.*approve with: ecp approve --env dev --image \(sha256:[0-9a-f]*\) --config \(sha256:[0-9a-f]*\).*/\1 \2/p' "$T/err"; }
expect_exit 0 "$ECP" validate

# 1. No approval yet.
expect_exit 9 as bob "$ECP" release --env dev
expect_grep "dev needs 1 approval\(s\) from release-managers of image sha256:[0-9a-f]{12} with configuration sha256:[0-9a-f]{12}; has 0" "$T/err"
read -r image config <<EOF
$(digests)
EOF
[ -n "$config" ] || die "the refusal does not name the digests: $(cat "$T/err")"
! answers hello || die "a refused release serves"

# 2. Approvals that do not count, or are refused.
expect_exit 0 as carol "$ECP" approve --env dev --image "$image" \
  --config sha256:0000000000000000000000000000000000000000000000000000000000000000
expect_exit 9 as dave "$ECP" approve --env dev --image "$image" --config "$config"
expect_grep "dave \(unverified\) is not in release-managers, whose approvals dev asks for" "$T/err"
expect_exit 9 as bob "$ECP" release --env dev
expect_grep "has 0 \(not counted: 1 for another configuration\)" "$T/err"

# 3. alice approves; bob releases.
expect_exit 0 as alice "$ECP" approve --env dev --image "$image" --config "$config" --comment "CHG-9 reviewed"
expect_grep "alice approved $image with configuration $config for web/dev until " "$T/out"
expect_exit 0 as bob "$ECP" release --env dev
answers hello || die "the approved release does not serve"

# 4. Four eyes: alice approves a new configuration, and may not release it herself.
set_config . GREETING two
expect_exit 9 as alice "$ECP" release --env dev
read -r image2 config2 <<EOF
$(digests)
EOF
expect_exit 0 as alice "$ECP" approve --env dev --image "$image2" --config "$config2"
expect_exit 9 as alice "$ECP" release --env dev
expect_grep "has 0 \(not counted: .*1 by the releaser\)" "$T/err"
expect_exit 0 as carol "$ECP" release --env dev
answers two || die "carol's release (approved by alice) does not serve"

# 5. Expired: a ttl of 1s, waited past.
sed -i 's/ttl: 1h}/ttl: 1s}/' ecp.yaml
set_config . GREETING three
expect_exit 9 as bob "$ECP" release --env dev
read -r image3 config3 <<EOF
$(digests)
EOF
expect_exit 0 as alice "$ECP" approve --env dev --image "$image3" --config "$config3"
until=$(sed -n 's/.* until \([0-9T:.-]*Z\)$/\1/p' "$T/out")
[ -n "$until" ] && until_s=$(date -d "$until" +%s) || die "no expiry in: $(cat "$T/out")"
expired() { [ "$(date +%s)" -gt "$until_s" ]; }
wait_until "alice's approval to expire" expired
expect_exit 9 as bob "$ECP" release --env dev
expect_grep "not counted: .*1 expired" "$T/err"
answers two || die "a release with an expired approval changed what serves"

# 6. The audit log.
expect_exit 0 "$ECP" -o json audit --env dev --verify
python3 - "$T/out" <<'PY' || die "audit: $(cat "$T/out")"
import json, sys
r = [x for x in (json.loads(l) for l in open(sys.argv[1]) if l.strip()) if x.get("type") == "result"][-1]
approvals = [(e["actor"]["verified"], e["actor"]["method"]) for e in r["entries"] if e["type"] == "approve"]
assert approvals == [("carol", "unverified"), ("alice", "unverified"), ("alice", "unverified"), ("alice", "unverified")], approvals
assert "CHG-9 reviewed" in [e for e in r["entries"] if e["type"] == "approve"][1]["message"], r
denied = [e["actor"]["verified"] for e in r["entries"] if e["type"] == "denied"]
assert denied == ["bob", "dave", "bob", "alice", "alice", "bob", "bob"], denied
PY
echo ok
