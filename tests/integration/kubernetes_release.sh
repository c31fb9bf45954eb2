#!/bin/sh
# cost: 90
# The kubernetes backend end to end, against the strict fake API server of
# tests/k8s (no real one can run here) and a real registry:
#   a rolling release pushes, applies an immutable config Secret, a Deployment
#   (image by digest, readiness probe, the Secret mounted) and a Service, and
#   watches the rollout; the ledger is in ConfigMaps, readable from another
#   machine; a config change rolls the pods onto a new Secret; a rollout whose
#   pods never become ready, and one whose pods crash-loop, are rolled back by
#   re-applying the previous revision (exit 6, the ledger true); rollback; status;
#   logs; recreate; a watch expired mid-rollout (410) is resumed from a fresh read;
#   scale; top from metrics.k8s.io (and kubectl top against the same server);
#   exec through kubectl (pods/exec over WebSocket); remove --purge leaves nothing.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/registry/lib.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/k8s_lib.inc"

start_k8s_stack
port=8080
make_web_app "$T/web" "$port" k8s 2 rolling
# The deadline is what a never-ready rollout waits out (scenario 4); it also
# bounds each rollback's wait, which a loaded machine's in-test controller can
# stretch past a few seconds: long enough for that, short for scenario 4.
kube_targets "$T/web/ecp-targets.yaml" "$T/admin.kubeconfig" "    namespace: team-a
    progress_deadline: 20"
cd "$T/web"
set_config "$T/web" GREETING "first"

# deployment FIELD-EXPR: a Python expression over the Deployment web-dev (d).
deployment() {
  k get deployment web-dev -n team-a -o json --show-managed-fields >"$T/d.json" || die "kubectl get deployment failed"
  json "$T/d.json" "$1"
}
template_revision() { deployment 'd["spec"]["template"]["metadata"]["labels"]["ecp.io/revision"]'; }
template_secret() { deployment 'd["spec"]["template"]["spec"]["volumes"][0]["secret"]["secretName"]'; }
outcome_of() {
  k get configmap "ecp-web-dev-r$1" -n team-a -o json >"$T/cm.json" || die "no ConfigMap ecp-web-dev-r$1"
  json "$T/cm.json" 'json.loads(d["data"]["value"])["outcome"]'
}

# 1. A rolling release: pushed, applied, watched.
expect_exit 0 "$ECP" release --env dev
cat "$T/out" "$T/err" >"$T/all"
expect_grep "revision 1 of web/dev succeeded" "$T/out"
expect_grep "deployment/web-dev: 2 of 2 available" "$T/all"
expect_grep "^pod web-dev-[a-z0-9]+-[a-z0-9]+: [A-Za-z ]+$" "$T/all"
[ "$(template_revision)" = 1 ] || die "the Deployment does not run revision 1"
deployment 'd["spec"]["template"]["spec"]["containers"][0]["image"]' >"$T/image"
expect_grep "^$R/team/web@sha256:[0-9a-f]{64}$" "$T/image"
[ "$(deployment 'd["spec"]["strategy"]["type"]')" = RollingUpdate ] || die "not a RollingUpdate"
[ "$(deployment 'd["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["path"]')" = /health ] ||
  die "no readiness probe from run.health"
[ "$(deployment 'd["spec"]["template"]["spec"]["containers"][0]["volumeMounts"][0]["mountPath"]')" = \
  /app/conf/autoconfig.properties ] || die "the config is not mounted at /app/conf/autoconfig.properties"
[ "$(deployment 'd["metadata"]["managedFields"][0]["manager"]')" = ecp ] || die "not applied by field manager ecp"
[ "$(deployment 'd["status"]["readyReplicas"]')" = 2 ] || die "not 2 ready replicas"
secret1=$(template_secret)
case $secret1 in web-dev-config-????????) ;; *) die "unexpected Secret name '$secret1'" ;; esac
k get secret "$secret1" -n team-a -o json >"$T/s.json"
[ "$(json "$T/s.json" 'd["immutable"]')" = True ] || die "the config Secret is not immutable"
json "$T/s.json" 'base64.b64decode(d["data"]["autoconfig.properties"]).decode()' 2>/dev/null >"$T/props" ||
  python3 -c 'import base64, json, sys; print(base64.b64decode(json.load(open(sys.argv[1]))["data"]["autoconfig.properties"]).decode())' "$T/s.json" >"$T/props"
expect_grep "^GREETING=first$" "$T/props"
k get service web-dev -n team-a -o json >"$T/svc.json"
[ "$(json "$T/svc.json" 'd["spec"]["selector"]["ecp.io/slot"]')" = a ] || die "the Service does not select slot a"
[ "$(outcome_of 1)" = succeeded ] || die "the ledger ConfigMap does not say revision 1 succeeded"
expect_exit 1 k get lease ecp-web-dev -n team-a  # released with the release

# 2. The ledger is at the cluster: another machine sees the same history.
expect_exit 0 env ECP_HOME="$T/other-home" "$ECP" history --env dev
expect_grep "succeeded" "$T/out"
expect_exit 0 "$ECP" status --env dev -o json
python3 - "$T/out" <<'PY' || die "status does not show 2 running instances of revision 1"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
doc = [x for x in lines if "instances" in json.dumps(x)][-1]
text = json.dumps(doc)
assert text.count('"revision": 1') >= 2, text
assert '"running"' in text, text
d = doc.get("result", doc)
assert {"name": "deployment/web-dev", "slot": "a", "revision": 1, "replicas": 2, "ready": 2, "updated": 2} in d["workloads"], d
for i in d["instances"]:
    assert i["name"].startswith("pod/web-dev-"), i
    assert i["node"] == "fake-node", i
    assert i["group"].startswith("replicaset/web-dev-"), i
PY
# The pods' replica set is the one the controller made (kubectl's view of it).
rs=$(k get replicasets -n team-a -l ecp.io/revision=1 -o jsonpath='{.items[0].metadata.name}')
expect_exit 0 "$ECP" status --env dev
expect_grep "^deployment/web-dev \(slot a\): revision 1, 2/2 ready, 2 updated$" "$T/out"
expect_grep "pod/web-dev-.* on node fake-node \(replicaset/$rs\)$" "$T/out"

# 3. A config change: new Secret, the pods roll onto it, the old ReplicaSet goes to 0.
set_config "$T/web" GREETING "second"
expect_exit 0 "$ECP" release --env dev
[ "$(template_revision)" = 2 ] || die "the Deployment does not run revision 2"
secret2=$(template_secret)
[ "$secret2" != "$secret1" ] || die "a config change kept the same Secret"
k get rs -n team-a -l ecp.io/slot=a -o json >"$T/rs.json"
[ "$(json "$T/rs.json" 'sorted(r["spec"]["replicas"] for r in d["items"])')" = "[0, 2]" ] ||
  die "the old ReplicaSet was not scaled to 0"

# 4. Pods that never become ready: the progress deadline passes, revision 2 is re-applied.
behave '{"label:ecp.io/revision=3": "never"}'
set_config "$T/web" GREETING "third"
expect_exit 6 "$ECP" release --env dev
expect_grep "made no progress within its deadline" "$T/err"
[ "$(template_revision)" = 2 ] || die "revision 2 was not re-applied"
[ "$(template_secret)" = "$secret2" ] || die "the rollback did not point back at revision 2's Secret"
[ "$(outcome_of 3)" = failed-rolled-back ] || die "the ledger does not say revision 3 was rolled back"
[ "$(deployment 'd["status"]["availableReplicas"]')" = 2 ] || die "revision 2 is not available again"

# 5. Pods that crash-loop fail at once (no deadline to wait out), with the kubelet's words.
behave '{"label:ecp.io/revision=4": "crash"}'
set_config "$T/web" GREETING "fourth"
expect_exit 6 "$ECP" release --env dev
expect_grep "CrashLoopBackOff" "$T/err"
expect_grep "last warning: BackOff" "$T/err"
[ "$(template_revision)" = 2 ] || die "revision 2 was not re-applied after the crash loop"
[ "$(outcome_of 4)" = failed-rolled-back ] || die "the ledger does not say revision 4 was rolled back"

# 6. Logs of every pod, prefixed by instance.
expect_exit 0 "$ECP" logs --env dev --lines 5
expect_grep "a-0" "$T/out"
expect_grep "a-1" "$T/out"

# 7. Rollback: revision 1's image and Secret again.
expect_exit 0 "$ECP" rollback --env dev
[ "$(template_secret)" = "$secret1" ] || die "rollback did not bring revision 1's Secret back"

# 8. A watch broken mid-rollout, and the history compacted meanwhile: ecp's
# resumed watch gets 410 Expired, reads the Deployment again, and goes on.
behave '{"label:ecp.io/revision=6": "slow:4"}'
set_config "$T/web" GREETING "sixth"
watches() { grep -c "GET /apis/apps/v1/namespaces/team-a/deployments?.*watch=1.*(streaming)" "$T/requests.log" || true; }
before=$(watches)
"$ECP" deploy --env dev --strategy recreate >"$T/bg.out" 2>&1 &
bg=$!
echo "$bg" >>"$T/pids"
watching() { [ "$(watches)" -gt "$before" ]; }
wait_until "ecp to watch the rollout" watching
# The first break also compacts the history (ecp's resume gets 410 and lists
# again). ecp closes its watch for a moment each second to look at the pods, so
# that break may fall between two watches: break again (without compacting,
# which would answer every new watch 410 at once) until an open one was broken.
curl -sSf -X POST "http://127.0.0.1:$admin/break-watches?compact=1" >/dev/null
broken() {
  grep -q "watch deployments: connection broken" "$T/requests.log" ||
    { curl -sSf -X POST "http://127.0.0.1:$admin/break-watches" >/dev/null && false; }
}
wait_until "a watch of ecp's to be broken mid-rollout" broken
wait "$bg" || { cat "$T/bg.out"; die "the deploy with a broken watch failed"; }
expect_grep "revision 6 of web/dev succeeded" "$T/bg.out"
expect_grep "watch deployments from [0-9]+: 410 Expired" "$T/requests.log"
[ "$(template_revision)" = 6 ] || die "revision 6 does not run after the broken watch"
[ "$(deployment 'd["spec"]["strategy"]["type"]')" = Recreate ] || die "recreate is not a Recreate Deployment"

# 8b. scale: the Deployment asks for 3 replicas, its pod template stays revision
# 6's (no pod rolls), and the ledger records kind scale.
expect_exit 0 "$ECP" scale --env dev --replicas 3
[ "$(template_revision)" = 6 ] || die "scale changed the pod template"
[ "$(deployment 'd["spec"]["replicas"]')" = 3 ] || die "the Deployment does not ask for 3 replicas"
[ "$(deployment 'd["status"]["readyReplicas"]')" = 3 ] || die "3 replicas are not ready when scale returns"
expect_exit 0 "$ECP" history --env dev
expect_grep '^ *7 +scalex3 +succeeded' "$T/out"

# 8c. top: metrics.k8s.io as metrics-server serves it. Each pod of slot a uses
# 250m and 64Mi (the server's usage table); the node's 4 CPUs carry those 3 and
# 200m of its own. kubectl top reads the same API. Without metrics-server, top
# says so instead of printing figures.
curl -sSf -X POST -d '{"label:ecp.io/slot=a": {"cpu": "250m", "memory": "64Mi"}}' "http://127.0.0.1:$admin/usage" >/dev/null
expect_exit 0 "$ECP" -o json top --env dev -n 0
python3 - "$T/out" <<'PY' || die "top on kubernetes: $(cat "$T/out")"
import json, sys
r = [x for x in (json.loads(l) for l in open(sys.argv[1]) if l.strip()) if x.get("type") == "result"][-1]
inst = r["instances"]
assert len(inst) == 3, inst
assert all((i["app"], i["env"], i["state"], i["cpu_percent"], i["rss"]) == ("web", "dev", "running", 25.0, 64 << 20)
           for i in inst), inst
assert sorted(i["instance"] for i in inst) == ["a-0", "a-1", "a-2"], inst
(h,) = r["hosts"]
assert h["location"] == "node/fake-node" and h["cpus"] == 4, h
assert abs(h["cpu_percent"] - 23.75) < 0.01, h
assert h["memory_total"] == 8 << 30 and h["memory_used"] == (1 << 30) + 3 * (64 << 20), h
assert r["notes"] == [], r["notes"]
PY
k top pod -n team-a -l app.kubernetes.io/instance=web-dev >"$T/ktop" 2>&1 || { cat "$T/ktop"; die "kubectl top pod failed"; }
[ "$(grep -c ' 250m  *64Mi' "$T/ktop")" = 3 ] || { cat "$T/ktop"; die "kubectl top pod does not see 250m and 64Mi"; }
k top node >"$T/ktop" 2>&1 || { cat "$T/ktop"; die "kubectl top node failed"; }
expect_grep "^fake-node +950m +23% " "$T/ktop"
curl -sSf -X POST -d '{"enabled": false}' "http://127.0.0.1:$admin/metrics-server" >/dev/null
expect_exit 0 "$ECP" top --env dev
expect_grep "serves no metrics API \(metrics.k8s.io\): install metrics-server" "$T/err"
curl -sSf -X POST -d '{"enabled": true}' "http://127.0.0.1:$admin/metrics-server" >/dev/null

# 9. exec: kubectl exec into a running pod (pods/exec over WebSocket), with the
# target's kubeconfig and namespace; the words and the exit status are the command's.
expect_exit 0 "$ECP" exec --env dev -- sh -c 'echo "$LISTEN_PORT $HOSTNAME"' </dev/null
pods=$(k get pods -n team-a -l app.kubernetes.io/instance=web-dev -o name)
read -r p1 _ <"$T/out"
[ "$p1" = "$port" ] && printf '%s\n' "$pods" | grep -qx "pod/$(cut -d' ' -f2 "$T/out")" ||
  die "exec ran elsewhere: $(cat "$T/out") (pods: $pods)"
expect_exit 0 "$ECP" exec --env dev --instance a-1 -- printf '%s|' "two words" "it's \$HOME" </dev/null
[ "$(cat "$T/out")" = "two words|it's \$HOME|" ] || die "exec changed the arguments: $(cat "$T/out")"
expect_exit 3 "$ECP" exec --env dev -- sh -c 'exit 3' </dev/null
expect_grep "exec /api/v1/namespaces/team-a/pods/|/api/v1/namespaces/team-a/pods/[^ ]*/exec\?" "$T/requests.log"

# 10. remove --purge: the Deployments, the Service, the config Secrets and the
# ledger's ConfigMaps go; the namespace has nothing of web/dev left.
expect_exit 0 "$ECP" remove --env dev --purge --yes
# The audit log stays (append-only: it says who purged).
for kind in deployments services secrets configmaps; do
  left=$(k get "$kind" -n team-a -l ecp.io/app=web,ecp.io/env=dev -o name | grep -v '^configmap/ecp-web-dev-audit\.' || true)
  [ -z "$left" ] || die "remove --purge left $kind: $left"
done
expect_exit 0 "$ECP" -o json audit --env dev
python3 - "$T/out" <<'PY2' || die "the audit log after the purge: $(cat "$T/out")"
import json, sys
r = [x for x in (json.loads(l) for l in open(sys.argv[1]) if l.strip()) if x.get("type") == "result"][-1]
types = [e["type"] for e in r["entries"]]
assert types[-1] == "purge" and "release" in types and "rollback" in types, types
assert r["verified"] is True, r["problems"]
PY2
expect_exit 0 "$ECP" history --env dev
! grep -q "succeeded" "$T/out" || die "the ledger is still there: $(cat "$T/out")"
echo "PASS: kubernetes releases, rollouts, rollbacks and the ledger in the cluster"
