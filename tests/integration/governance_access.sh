#!/bin/sh
# cost: 20
# Who may do what, decided on what the target vouches for, and the audit log at
# the target. A namespace host whose sshd trusts a user CA (AuthorizedPrincipalsFile
# lets principals alice and bob log in as root) and exposes the authentication
# to the session (ExposeAuthInfo). alice and bob each have their own key and
# certificate; the targets file lets release-managers (alice) release and roll
# back, and ops (bob) unlock:
#   1. alice releases: the audit entry names alice, verified by ssh certificate;
#   2. bob, claiming GITHUB_ACTOR=alice, is refused (exit 9) naming the rule's
#      file:line; the audit log at the host has a `denied` entry for bob, with
#      github:alice as the reported actor only; nothing was released;
#   3. a key without a certificate is the SSH user (root), refused too;
#   4. alice may not force an unlock (exit 9), bob may;
#   5. audit --verify passes; a record edited on the host is reported (exit 7);
#      -o csv and -o json list the same entries.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/host_lib.inc"
command -v ssh-keygen >/dev/null 2>&1 || skip "ssh-keygen is not installed"

ssh_client_setup
ssh-keygen -q -t ed25519 -N '' -f "$T/user_ca"
for u in alice bob; do
  ssh-keygen -q -t ed25519 -N '' -f "$T/$u" -C "$u@laptop"
  ssh-keygen -q -s "$T/user_ca" -I "$u-id" -n "$u" "$T/$u.pub"
  sed "s|IdentityFile .*|IdentityFile $T/$u|" "$T/ssh_config" >"$T/$u.ssh_config"
done
printf 'alice\nbob\n' >"$T/principals"
SSHD_EXTRA="TrustedUserCAKeys $T/user_ca.pub
AuthorizedPrincipalsFile $T/principals
ExposeAuthInfo yes"
netns_host h1; u1=$url
unset SSHD_EXTRA
state=$T/hosts/h1/srv/ecp/web/dev/state

make_web_app "$T/web" 8080 lab 1
cd "$T/web"
cat >ecp-targets.yaml <<EOF
schema: 1
targets:
  lab:
    plugin: host
    hosts: ["$u1"]
access:
  groups:
    release-managers: [alice]
    ops: [bob]
  environments:
    dev:
      release: [release-managers]
      rollback: [release-managers]
      unlock: [ops]
EOF
rule_line=$(grep -n '      release: \[release-managers\]' ecp-targets.yaml | cut -d: -f1)
as() { u=$1; shift; ECP_SSH_CONFIG="$T/$u.ssh_config" "$@"; }
expect_exit 0 "$ECP" validate

# 1. alice releases.
expect_exit 0 as alice "$ECP" release --env dev
expect_exit 0 as alice "$ECP" -o json audit --env dev
python3 - "$T/out" <<'PY' || die "the release's audit entry: $(cat "$T/out")"
import json, sys
r = [x for x in (json.loads(l) for l in open(sys.argv[1]) if l.strip()) if x.get("type") == "result"][-1]
(e,) = r["entries"]
assert e["type"] == "release" and e["outcome"] == "succeeded" and e["revision"] == 1, e
assert e["actor"] == {"verified": "alice", "method": "ssh certificate", "reported": ""}, e["actor"]
assert e["seq"] == 1 and e["prev"] == "" and e["hash"].startswith("sha256:"), e
assert r["verified"] is True and r["problems"] == [], r
PY

# 2. bob, claiming to be alice through a CI variable: refused, audited as bob.
set_config . GREETING "from bob"
expect_exit 9 as bob env GITHUB_ACTOR=alice "$ECP" release --env dev
expect_grep "access denied: bob, root \(ssh certificate\) may not release in dev: .*ecp-targets.yaml:$rule_line:[0-9]+ allows release-managers only" "$T/err"
[ "$(curl -sf "http://$(echo "$u1" | sed 's|ssh://root@||'):8080/greeting" 2>/dev/null || true)" != "from bob" ] ||
  die "bob's release went through"
expect_exit 0 as alice "$ECP" -o json audit --env dev
python3 - "$T/out" <<'PY' || die "the denial's audit entry: $(cat "$T/out")"
import json, sys
r = [x for x in (json.loads(l) for l in open(sys.argv[1]) if l.strip()) if x.get("type") == "result"][-1]
d = r["entries"][-1]
assert d["type"] == "denied" and d["message"].startswith("release: bob, root"), d
assert d["actor"] == {"verified": "bob", "method": "ssh certificate", "reported": "github:alice"}, d["actor"]
assert len(r["entries"]) == 2, r["entries"]
PY
expect_exit 0 as alice "$ECP" history --env dev
[ "$(grep -c '^ *[0-9]  ' "$T/out")" = 1 ] || die "a refused release recorded a revision: $(cat "$T/out")"

# 3. A key without a certificate: the SSH user, root, whom no group lists.
expect_exit 9 "$ECP" release --env dev
expect_grep "access denied: root \(ssh user\) may not release in dev" "$T/err"

# 4. Forced unlocks: bob (ops) may, alice may not. A stale lock to remove:
printf '{"holder":"ci on gone (pid 1)","operation":"deploy web/dev","since_ms":1,"expires_ms":2,"token":"x"}' \
  >"$state/lock.json"
chmod 600 "$state/lock.json"
expect_exit 9 as alice "$ECP" unlock --env dev --force
expect_grep "alice, root \(ssh certificate\) may not unlock in dev" "$T/err"
expect_exit 0 as bob "$ECP" unlock --env dev --force
[ ! -e "$state/lock.json" ] || die "bob's unlock left the lock"

# 5. The chain: it verifies; an entry edited at the host is found.
expect_exit 0 as alice "$ECP" audit --env dev --verify
expect_exit 0 as alice "$ECP" -o csv audit --env dev
[ "$(head -n 1 "$T/out" | tr -d '\r')" = "SEQ,WHEN,ENV,TYPE,ACTOR,VERIFIED BY,REPORTED,REV,OUTCOME,CHANGE,IMAGE,MESSAGE" ] ||
  die "csv header: $(head -n 1 "$T/out")"
[ "$(grep -c '^[0-9]' "$T/out")" = 5 ] || die "csv rows: $(cat "$T/out")"
grep -q '^2,.*,dev,denied,bob,ssh certificate,github:alice,' "$T/out" || die "csv denied row: $(cat "$T/out")"
sed -i 's/"outcome":"succeeded"/"outcome":"failed"/' "$state/audit/0000000001.json"
expect_exit 7 as alice "$ECP" audit --env dev --verify
expect_grep "/srv/ecp/web/dev/state/audit/0000000001.json on $u1: its content does not match its hash" "$T/err"
echo ok
