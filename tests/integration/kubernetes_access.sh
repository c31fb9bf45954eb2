#!/bin/sh
# cost: 60
# How ecp reaches a cluster, and who may release there, against the strict fake
# API server of tests/k8s:
#   a kubeconfig with two contexts (a token user limited to team-a, a client
#   certificate user); a namespace the token may not touch (403, exit 9, named);
#   an exec credential plugin, run once per command while its credential is
#   valid, and again when the server refuses it (a rotated token); a wrong
#   kubeconfig named by file, context and field; another field manager's
#   conflict (an error naming it, unless ECP_FORCE_CONFLICTS=1); the Lease lock:
#   a second release gets exit 8, an orphaned lease is taken over, `ecp unlock`;
#   SIGINT mid-rollout puts the previous revision back (exit 130, ledger true).
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/registry/lib.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/k8s_lib.inc"

start_k8s_stack --bookmark-interval 1
make_web_app "$T/web" 8080 k8s 2 rolling
cd "$T/web"

# The exec plugin: counts its runs, answers the token in $T/exec-token, valid for an hour.
cat >"$T/get-token" <<EOF
#!/bin/sh
echo run >>"$T/exec-runs"
[ -n "\${KUBERNETES_EXEC_INFO:-}" ] || { echo "no KUBERNETES_EXEC_INFO" >&2; exit 1; }
exp=\$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
printf '{"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential", "status": {"token": "%s", "expirationTimestamp": "%s"}}\n' "\$(cat "$T/exec-token")" "\$exp"
EOF
chmod +x "$T/get-token"
cat >"$T/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster: {server: "$api", certificate-authority: "$tls/ca.crt"}
users:
- name: dev
  user: {token: dev-token}
- name: alice
  user: {client-certificate: tls/alice.crt, client-key: tls/alice.key}
- name: ci
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: $T/get-token
      args: ["--cluster", "fake"]
contexts:
- name: dev
  context: {cluster: fake, user: dev, namespace: team-a}
- name: alice
  context: {cluster: fake, user: alice, namespace: team-b}
- name: ci
  context: {cluster: fake, user: ci, namespace: team-a}
current-context: dev
EOF
# next_revision: the revision the next release of web/dev in team-a gets (one ledger ConfigMap each).
next_revision() { echo $(($(k get configmaps -n team-a -l ecp.io/kind=ledger -o name | wc -l) + 1)); }
targets() { kube_targets "$T/web/ecp-targets.yaml" "$T/kubeconfig" "$1"; }

# 1. The current context (dev, a token for team-a): a release goes through.
targets ""
expect_exit 0 "$ECP" release --env dev
grep -q ' dev PATCH /apis/apps/v1/namespaces/team-a/deployments/web-dev' "$T/requests.log" ||
  die "the release was not sent as user dev"

# 2. The same user in a namespace it may not touch: 403, named, exit 9.
targets "    namespace: team-b"
expect_exit 9 "$ECP" release --env dev
expect_grep 'forbidden: User "dev" cannot .* in the namespace "team-b"' "$T/err"

# 3. Another context of the same file: alice's client certificate (relative paths), her namespace.
targets "    context: alice"
expect_exit 0 "$ECP" deploy --env dev
grep -q ' alice PATCH /apis/apps/v1/namespaces/team-b/deployments/web-dev' "$T/requests.log" ||
  die "the release was not sent as alice to team-b"

# 3b. Who releases is whom the API server authenticated (a SelfSubjectReview),
# not what the client says: alice (her certificate), through her cluster group,
# may release to dev; dev's token may not (exit 9, a denied audit entry naming
# the verified user beside the CI variable it claimed).
access_rules() {
  cat >>"$T/web/ecp-targets.yaml" <<'EOF'
access:
  groups:
    releasers: [release-managers]
  environments:
    dev:
      release: [releasers]
EOF
}
targets "    context: alice"
access_rules
set_config "$T/web" GREETING "by alice"
expect_exit 0 "$ECP" release --env dev
grep -q ' alice POST /apis/authentication.k8s.io/v1/selfsubjectreviews 201' "$T/requests.log" ||
  die "ecp did not ask the API server who it is"
expect_exit 0 "$ECP" -o json audit --env dev
python3 - "$T/out" <<'PY' || die "alice's audit entry: $(cat "$T/out")"
import json, sys
r = [x for x in (json.loads(l) for l in open(sys.argv[1]) if l.strip()) if x.get("type") == "result"][-1]
e = r["entries"][-1]
assert e["type"] == "release" and e["outcome"] == "succeeded", e
assert e["actor"]["verified"] == "alice" and e["actor"]["method"] == "kubernetes SelfSubjectReview", e["actor"]
PY
targets ""
access_rules
expect_exit 9 env GITHUB_ACTOR=alice GITHUB_ACTIONS=true "$ECP" release --env dev
expect_grep "access denied: dev, system:authenticated \(kubernetes SelfSubjectReview\) may not release in dev" "$T/err"
expect_exit 0 "$ECP" -o json audit --env dev
python3 - "$T/out" <<'PY' || die "dev's denial: $(cat "$T/out")"
import json, sys
r = [x for x in (json.loads(l) for l in open(sys.argv[1]) if l.strip()) if x.get("type") == "result"][-1]
d = r["entries"][-1]
assert d["type"] == "denied", d
assert d["actor"] == {"verified": "dev", "method": "kubernetes SelfSubjectReview", "reported": "github:alice"}, d["actor"]
PY

# 4. An exec credential: run once per command while valid, again when refused.
targets "    context: ci"
echo admin-token >"$T/exec-token"
expect_exit 0 "$ECP" status --env dev
[ "$(wc -l <"$T/exec-runs")" = 1 ] || die "the exec plugin ran $(wc -l <"$T/exec-runs") times for one command"
echo not-valid-any-more >"$T/exec-token"
rm "$T/exec-runs"
# The plugin answers a refused token first; after the 401, ecp asks again.
cat >"$T/rotate" <<EOF
#!/bin/sh
echo admin-token >"$T/exec-token"
EOF
sed -i "s|^exp=|[ -e \"$T/exec-runs-seen\" ] \&\& sh $T/rotate; touch $T/exec-runs-seen\nexp=|" "$T/get-token"
expect_exit 0 "$ECP" status --env dev
[ "$(wc -l <"$T/exec-runs")" = 2 ] || die "after a 401 the exec plugin was not run again"
grep -q ' GET .* 401' "$T/requests.log" || die "the server never refused the old token"

# 5. A kubeconfig that is wrong: the file, the context and the field.
targets "    context: nosuch"
expect_exit 2 "$ECP" status --env dev
expect_grep "$T/kubeconfig: context 'nosuch' is not defined; the contexts are: alice, ci, dev" "$T/err"
sed 's|client-key: tls/alice.key|client-key: tls/missing.key|' "$T/kubeconfig" >"$T/kubeconfig.bad"
targets "    context: alice"
sed -i "s|kubeconfig: $T/kubeconfig$|kubeconfig: $T/kubeconfig.bad|" "$T/web/ecp-targets.yaml"
expect_exit 2 "$ECP" status --env dev
expect_grep "kubeconfig.bad:[0-9]+: context 'alice': user 'alice': client-key: .*missing.key" "$T/err"

# 6. Another field manager took spec.replicas: a conflict that names it, unless forced.
targets ""
k scale deployment web-dev -n team-a --replicas=5 >/dev/null
set_config "$T/web" GREETING "conflict"
expect_exit 6 "$ECP" release --env dev
expect_grep 'conflict with "kubectl".*: \.spec\.replicas' "$T/err"
expect_grep "ECP_FORCE_CONFLICTS=1" "$T/err"
expect_exit 0 env ECP_FORCE_CONFLICTS=1 "$ECP" release --env dev
[ "$(k get deployment web-dev -n team-a -o jsonpath='{.spec.replicas}')" = 2 ] || die "the forced apply did not set 2 replicas"

# 7. The Lease lock: a second release while one runs gets exit 8; its holder is in the Lease.
before=$(($(next_revision) - 1))
behave "{\"label:ecp.io/revision=$((before + 1))\": \"slow:6\"}"
set_config "$T/web" GREETING "slow"
"$ECP" release --env dev >"$T/slow.out" 2>&1 &
slow=$!
echo "$slow" >>"$T/pids"
leased() { k get lease ecp-web-dev -n team-a -o jsonpath='{.spec.holderIdentity}' 2>/dev/null | grep -q pid; }
wait_until "the first release to hold the Lease" leased
expect_exit 8 env ECP_HOME="$T/other-home" "$ECP" release --env dev
expect_grep "web/dev is locked by" "$T/err"
k get lease ecp-web-dev -n team-a -o json >"$T/lease.json"
[ "$(json "$T/lease.json" 'd["spec"]["leaseDurationSeconds"] > 0')" = True ] || die "the Lease has no duration"
[ -n "$(json "$T/lease.json" 'd["spec"]["renewTime"]')" ] || die "the Lease has no renewTime"

# 8. SIGINT mid-rollout: the previous revision is re-applied, exit 130, the ledger says so.
kill -INT "$slow"
set +e
wait "$slow"
rc=$?
set -e
[ "$rc" = 130 ] || { cat "$T/slow.out"; die "SIGINT mid-rollout exited $rc, not 130"; }
[ "$(k get deployment web-dev -n team-a -o jsonpath='{.spec.template.metadata.labels.ecp\.io/revision}')" = "$before" ] ||
  die "revision $before was not re-applied after SIGINT"
k get configmap "ecp-web-dev-r$((before + 1))" -n team-a -o jsonpath='{.data.value}' >"$T/r6.json"
expect_grep '"outcome": ?"(interrupted|failed-rolled-back)' "$T/r6.json"
expect_exit 1 k get lease ecp-web-dev -n team-a

# 9. An orphaned lease (its holder killed) is taken over; `ecp unlock` removes one.
rev=$(next_revision)
behave "{\"label:ecp.io/revision=$rev\": \"slow:30\"}"
set_config "$T/web" GREETING "killed"
ECP_LOCK_LEASE=3s "$ECP" release --env dev >"$T/killed.out" 2>&1 &
killed=$!
echo "$killed" >>"$T/pids"
wait_until "the release to hold the Lease" leased
kill -KILL "$killed"
wait "$killed" 2>/dev/null || true
behave "{\"label:ecp.io/revision=$rev\": null}"
expect_exit 0 "$ECP" deploy --env dev --force
cat "$T/out" "$T/err" >"$T/all"
expect_grep "took over|expired|no longer runs" "$T/all"
set_config "$T/web" GREETING "unlocked"
behave "{\"label:ecp.io/revision=$(next_revision)\": \"slow:30\"}"
ECP_LOCK_LEASE=60s "$ECP" release --env dev >"$T/killed2.out" 2>&1 &
killed=$!
echo "$killed" >>"$T/pids"
wait_until "the release to hold the Lease" leased
kill -KILL "$killed"
wait "$killed" 2>/dev/null || true
expect_exit 0 "$ECP" unlock --env dev --force
expect_exit 1 k get lease ecp-web-dev -n team-a
echo "PASS: kubeconfig contexts, exec credentials, permissions, field conflicts, the Lease lock and SIGINT"
