#!/bin/sh
# cost: 40
# The fake Kubernetes API server that ecp's kubernetes backend is tested
# against (tests/k8s/fake_apiserver.py) is checked against the real kubectl:
# TLS with token and client-certificate logins, 401/403 Status answers,
# discovery, server-side apply with field managers and conflicts, Deployment
# rollouts (RollingUpdate and a progress deadline), events, pod logs, watches,
# optimistic concurrency, immutable ConfigMaps, Leases; and with curl, what
# kubectl does not show: BOOKMARK events and the 410 of an expired watch.
# Every wait is on a condition, with a generous bound, never a fixed sleep.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/k8s_lib.inc"
start_apiserver --bookmark-interval 1
kubeconfig bad "    token: not-a-token"
kubeconfig dev "    token: dev-token"
kubeconfig alice "    client-certificate: $tls/alice.crt
    client-key: $tls/alice.key"
kubeconfig rogue "    client-certificate: $tls/rogue.crt
    client-key: $tls/rogue.key"
# bg NAME CMD...: CMD in the background, output in $T/NAME.out, pid in $T/NAME.pid.
bg() {
  name=$1; shift
  "$@" > "$T/$name.out" 2>&1 &
  echo $! > "$T/$name.pid"
  echo $! >> "$T/pids"
}
has() { grep -Eq -- "$2" "$T/$1.out"; }

# --- version, discovery, authentication, authorization
expect_exit 0 k version
expect_grep '^Server Version: v1\.32\.' "$T/out"
expect_exit 0 k get ns
expect_grep '^team-a +Active ' "$T/out"
expect_grep '^default +Active ' "$T/out"
expect_exit 0 k api-resources
expect_grep '^deployments +deploy +apps/v1 +true +Deployment$' "$T/out"
expect_grep '^leases +coordination\.k8s\.io/v1 +true +Lease$' "$T/out"
expect_grep '^ingresses +ing +networking\.k8s\.io/v1 +true +Ingress$' "$T/out"
expect_exit 1 kubectl --kubeconfig "$T/bad.kubeconfig" get ns
expect_grep '^error: You must be logged in to the server \(Unauthorized\)$' "$T/err"
expect_exit 0 kubectl --kubeconfig "$T/dev.kubeconfig" get deploy -n team-a
expect_exit 1 kubectl --kubeconfig "$T/dev.kubeconfig" get deploy -n team-b
expect_grep '^Error from server \(Forbidden\): deployments\.apps is forbidden: User "dev" cannot list resource "deployments" in API group "apps" in the namespace "team-b"$' "$T/err"
expect_exit 1 kubectl --kubeconfig "$T/dev.kubeconfig" get ns
expect_grep 'namespaces is forbidden: User "dev" cannot list resource "namespaces" in API group "" at the cluster scope$' "$T/err"
expect_exit 0 kubectl --kubeconfig "$T/alice.kubeconfig" get ns team-b
expect_grep ' alice GET /api/v1/namespaces/team-b ' "$T/requests.log"
# A certificate from another CA fails the TLS handshake. With TLS 1.3 the client
# may see the alert or only the closed connection, as with a real server.
expect_exit 1 kubectl --kubeconfig "$T/rogue.kubeconfig" get ns
expect_grep '[Cc]ertificate|tls|Unable to connect to the server' "$T/err"
expect_no_grep ' mallory ' "$T/requests.log"

# --- server-side apply of a Secret, a Service and a Deployment; the rollout
cat > "$T/app.yaml" <<'EOF'
apiVersion: v1
kind: Secret
metadata: {name: web-secret}
stringData: {password: s3cret}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 3
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: web:1
        ports: [{containerPort: 8080}]
EOF
expect_exit 0 k apply --server-side --field-manager=ecp -f "$T/app.yaml"
expect_grep '^deployment\.apps/web serverside-applied$' "$T/out"
expect_grep '^service/web serverside-applied$' "$T/out"
expect_grep '^secret/web-secret serverside-applied$' "$T/out"
expect_grep 'PATCH /apis/apps/v1/namespaces/team-a/deployments/web\?fieldManager=ecp&.* 201$' "$T/requests.log"
expect_exit 0 k rollout status deployment/web --timeout=60s
expect_grep '^deployment "web" successfully rolled out$' "$T/out"
expect_exit 0 k get rs,pods -l app=web
expect_grep '^replicaset\.apps/web-[a-z0-9]+ +3 +3 +3 ' "$T/out"
[ "$(grep -Ec '^pod/web-[a-z0-9]+-[a-z0-9]{5} +1/1 +Running +0 ' "$T/out")" = 3 ] || { cat "$T/out"; die "not 3 running pods"; }
expect_exit 0 k get secret web-secret -o json
[ "$(json "$T/out" 'd["data"]["password"]')" = czNjcmV0 ] || die "stringData did not become data"
expect_exit 0 k get deploy web -o json --show-managed-fields
json "$T/out" '[(m["manager"], m["operation"], m.get("subresource", "")) for m in d["metadata"]["managedFields"]]' > "$T/managers"
expect_grep "\('ecp', 'Apply', ''\)" "$T/managers"
expect_grep "\('kube-controller-manager', 'Update', 'status'\)" "$T/managers"
[ "$(json "$T/out" '[m for m in d["metadata"]["managedFields"] if m["manager"] == "ecp"][0]["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"web\"}"]')" = \
  "{'.': {}, 'f:image': {}, 'f:name': {}, 'f:ports': {'k:{\"containerPort\":8080,\"protocol\":\"TCP\"}': {'.': {}, 'f:containerPort': {}}}}" ] ||
  die "ecp's fieldsV1 for the container is not what the real server records"
[ "$(json "$T/out" 'd["metadata"]["annotations"]["deployment.kubernetes.io/revision"], d["metadata"]["generation"], d["status"]["observedGeneration"]')" = "('1', 1, 1)" ] ||
  die "revision, generation or observedGeneration is wrong"
old_rs=$(k get rs -l app=web -o jsonpath='{.items[0].metadata.name}')

# A watch on deployments, kept open across the rolling update below.
bg watch kubectl --kubeconfig "$T/admin.kubeconfig" get deploy -w
wait_until "kubectl get -w to list" has watch '^web +3/3 +3 +3 '

# A new image whose pods do not turn ready: rollout status keeps waiting (the
# old ReplicaSet cannot shrink below 3 available with maxUnavailable 0) until
# the pods may turn ready.
behave '{"web:2": "never"}'
sed 's/image: web:1/image: web:2/' "$T/app.yaml" > "$T/app2.yaml"
expect_exit 0 k apply --server-side --field-manager=ecp -f "$T/app2.yaml"
bg rollout kubectl --kubeconfig "$T/admin.kubeconfig" rollout status deployment/web --timeout=60s
wait_until "rollout status to wait" has rollout 'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated'
behave '{"web:2": "ready"}'
wait "$(cat "$T/rollout.pid")" || { cat "$T/rollout.out"; die "rollout status failed"; }  # bounded by its --timeout
expect_grep '^deployment "web" successfully rolled out$' "$T/rollout.out"
expect_exit 0 k get rs -l app=web -o jsonpath='{range .items[*]}{.metadata.name} {.spec.replicas} {.status.replicas} {.metadata.annotations.deployment\.kubernetes\.io/revision}{"\n"}{end}'
expect_grep "^$old_rs 0 0 1\$" "$T/out"
expect_grep '^web-[a-z0-9]+ 3 3 2$' "$T/out"
new_rs=$(awk '$4 == 2 {print $1}' "$T/out")
expect_exit 0 k get events --field-selector involvedObject.name=web
# maxSurge 1, maxUnavailable 0: one pod at a time.
for step in "up replica set $new_rs from 0 to 1" "down replica set $old_rs from 3 to 2" \
  "up replica set $new_rs from 2 to 3" "down replica set $old_rs from 1 to 0"; do
  expect_grep "ScalingReplicaSet +deployment/web +Scaled $step\$" "$T/out"
done
# The watch saw the rollout: one new pod not ready yet, later all 3 updated and available.
watch_saw_rollout() { awk '/^web +3\/3 +1 +3 /{s=1} s && /^web +3\/3 +3 +3 /{f=1} END{exit !f}' "$T/watch.out"; }
wait_until "kubectl get -w to see the rollout" watch_saw_rollout
kill "$(cat "$T/watch.pid")"

# --- a second field manager: a conflict on .spec.replicas, then forced
sed -n '/^kind: Deployment/,$p' "$T/app2.yaml" | sed 's/replicas: 3/replicas: 4/' > "$T/other.body"
{ echo "apiVersion: apps/v1"; cat "$T/other.body"; } > "$T/other.yaml"
expect_exit 1 k apply --server-side --field-manager=other -f "$T/other.yaml"
expect_grep '^error: Apply failed with 1 conflict: conflict with "ecp": \.spec\.replicas$' "$T/err"
# shellcheck disable=SC2016 # backquotes in kubectl's text
expect_grep 'command with the `--force-conflicts` flag' "$T/err"
expect_exit 0 k apply --server-side --field-manager=other --force-conflicts -f "$T/other.yaml"
expect_exit 0 k get deploy web -o json --show-managed-fields
[ "$(json "$T/out" 'd["spec"]["replicas"]')" = 4 ] || die "the forced apply did not set the replicas"
json "$T/out" '{m["manager"]: "f:replicas" in m["fieldsV1"].get("f:spec", {}) for m in d["metadata"]["managedFields"] if m["operation"] == "Apply"}' > "$T/owners"
expect_grep "^\{'ecp': False, 'other': True\}$" "$T/owners"
expect_exit 1 k apply --server-side --field-manager=ecp -f "$T/app2.yaml"
expect_grep 'Apply failed with 1 conflict: conflict with "other": \.spec\.replicas$' "$T/err"
expect_exit 0 k rollout status deployment/web --timeout=60s
expect_exit 0 k get deploy web
expect_grep '^web +4/4 +4 +4 ' "$T/out"

# --- pods that never turn ready, crash, or cannot pull; the progress deadline; events
behave '{"stuck:1": "never", "crash:1": "crash", "nopull:1": "pull"}'
for app in stuck crash nopull; do
  cat > "$T/$app.yaml" <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: $app}
spec:
  replicas: 1
  progressDeadlineSeconds: 2
  selector: {matchLabels: {app: $app}}
  template:
    metadata: {labels: {app: $app}}
    spec:
      containers: [{name: app, image: "$app:1"}]
EOF
  expect_exit 0 k apply --server-side --field-manager=ecp -f "$T/$app.yaml"
done
expect_exit 1 k rollout status deployment/stuck --timeout=60s
expect_grep '^error: deployment "stuck" exceeded its progress deadline$' "$T/err"
expect_exit 0 k get deploy stuck -o jsonpath='{range .status.conditions[*]}{.type}={.status}/{.reason} {end}'
expect_grep 'Available=False/MinimumReplicasUnavailable Progressing=False/ProgressDeadlineExceeded' "$T/out"
expect_exit 0 k get events --field-selector type=Warning
expect_grep 'Warning +Unhealthy +pod/stuck-[a-z0-9]+-[a-z0-9]{5} +Readiness probe failed' "$T/out"
crash_restarted() { k get pods -l app=crash --no-headers | grep -Eq ' 0/1 +CrashLoopBackOff +[2-9]'; }
wait_until "the crashing pod to restart twice" crash_restarted
wait_until "ImagePullBackOff" sh -c "kubectl --kubeconfig '$T/admin.kubeconfig' get pods -l app=nopull | grep -q ImagePullBackOff"
expect_exit 0 k get events --field-selector type=Warning
expect_grep 'Warning +BackOff +pod/crash-.* +Back-off restarting failed container app in pod crash-' "$T/out"
expect_grep 'Warning +Failed +pod/nopull-.* +Failed to pull image "nopull:1"' "$T/out"
expect_exit 1 k logs deploy/nopull
expect_grep 'is waiting to start: trying and failing to pull image$' "$T/err"

# --- logs: a few lines per pod, more while following
expect_exit 0 k logs deploy/web
expect_grep '^fake-app starting: pod=web-[a-z0-9]+-[a-z0-9]{5} container=web image=web:2$' "$T/out"
pod=$(k get pods -l app=web -o jsonpath='{.items[0].metadata.name}')
bg follow kubectl --kubeconfig "$T/admin.kubeconfig" logs -f --timestamps "pod/$pod"
wait_until "the first lines of the log" has follow "fake-app listening: pod=$pod\$"
lines=$(wc -l < "$T/follow.out")
more_lines() { [ "$(wc -l < "$T/follow.out")" -gt "$lines" ]; }
wait_until "lines printed while following" more_lines
kill "$(cat "$T/follow.pid")"
expect_grep "fake-app tick [0-9]+: pod=$pod image=web:2\$" "$T/follow.out"
expect_grep "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z fake-app starting: pod=$pod " "$T/follow.out"

# --- optimistic concurrency, immutable ConfigMaps, Leases
expect_exit 0 k create configmap settings --from-literal=a=1
expect_exit 0 k get configmap settings -o json
cp "$T/out" "$T/settings.json"
expect_exit 0 k patch configmap settings --type=merge -p '{"data":{"a":"2"}}'
sed 's/"a": "1"/"a": "3"/' "$T/settings.json" > "$T/settings-stale.json"
expect_exit 1 k replace -f "$T/settings-stale.json"
expect_grep 'Operation cannot be fulfilled on configmaps "settings": the object has been modified; please apply your changes to the latest version and try again$' "$T/err"
expect_exit 0 k create configmap frozen --from-literal=k=v
expect_exit 0 k patch configmap frozen --type=merge -p '{"immutable":true}'
expect_exit 1 k patch configmap frozen --type=merge -p '{"data":{"k":"w"}}'
# shellcheck disable=SC2016 # backquotes in the server's text
expect_grep 'The ConfigMap "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set$' "$T/err"
cat > "$T/lease.yaml" <<'EOF'
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: ecp-lock}
spec: {holderIdentity: ecp-a, leaseDurationSeconds: 15}
EOF
expect_exit 0 k create -f "$T/lease.yaml"
expect_exit 0 k patch lease ecp-lock --type=merge -p '{"spec":{"holderIdentity":"ecp-b","leaseTransitions":1}}'
expect_exit 0 k get lease ecp-lock
expect_grep '^ecp-lock +ecp-b +' "$T/out"

# --- with curl: Status bodies, a BOOKMARK, and the 410 of an expired watch
c() { curl -sS --cacert "$tls/ca.crt" -H "Authorization: Bearer admin-token" "$@"; }
curl -sS --cacert "$tls/ca.crt" "$api/api/v1/namespaces" > "$T/anon.json"
[ "$(json "$T/anon.json" 'd')" = "{'kind': 'Status', 'apiVersion': 'v1', 'metadata': {}, 'status': 'Failure', 'message': 'Unauthorized', 'reason': 'Unauthorized', 'code': 401}" ] ||
  { cat "$T/anon.json"; die "the 401 is not a v1 Status"; }
c "$api/apis/apps/v1/namespaces/team-a/deployments/nosuch" > "$T/404.json"
[ "$(json "$T/404.json" '(d["status"], d["reason"], d["code"], d["message"], d["details"])')" = \
  "('Failure', 'NotFound', 404, 'deployments.apps \"nosuch\" not found', {'name': 'nosuch', 'group': 'apps', 'kind': 'deployments'})" ] ||
  { cat "$T/404.json"; die "the 404 is not the real Status"; }
c -X POST -H 'Content-Type: application/json' -d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"}}' \
  "$api/api/v1/namespaces/team-a/configmaps" > "$T/409.json"
[ "$(json "$T/409.json" '(d["reason"], d["code"], d["message"])')" = "('AlreadyExists', 409, 'configmaps \"settings\" already exists')" ] ||
  { cat "$T/409.json"; die "the 409 AlreadyExists is not the real Status"; }
c "$api/api/v1/namespaces/team-a/configmaps" > "$T/cms.json"
rv=$(json "$T/cms.json" 'd["metadata"]["resourceVersion"]')
# sed stops reading at the first BOOKMARK; curl then ends on its next write (exit 23, in bookmark.err).
c -N "$api/api/v1/namespaces/team-a/configmaps?watch=1&allowWatchBookmarks=true&resourceVersion=$rv&timeoutSeconds=120" \
  2> "$T/bookmark.err" | sed -n '/"BOOKMARK"/{p;q;}' > "$T/bookmark.json"
[ "$(json "$T/bookmark.json" '(d["object"]["kind"], int(d["object"]["metadata"]["resourceVersion"]) >= int(sys.argv[3]))' "$rv")" = "('ConfigMap', True)" ] ||
  { cat "$T/bookmark.json"; die "no BOOKMARK event"; }
curl -sSf -X POST "http://127.0.0.1:$admin/watch-history?size=2" > /dev/null
for i in 1 2 3; do expect_exit 0 k create configmap "churn-$i" --from-literal=i="$i"; done
c -N "$api/api/v1/namespaces/team-a/configmaps?watch=1&resourceVersion=$rv&timeoutSeconds=120" > "$T/expired.json"
[ "$(json "$T/expired.json" '(d["type"], d["object"]["kind"], d["object"]["code"], d["object"]["reason"], d["object"]["message"].startswith("too old resource version: " + sys.argv[3] + " ("))' "$rv")" = \
  "('ERROR', 'Status', 410, 'Expired', True)" ] || { cat "$T/expired.json"; die "an expired watch did not get the 410 ERROR event"; }
expect_grep ' admin GET /api/v1/namespaces/team-a/configmaps\?watch=1&resourceVersion=[0-9]+&timeoutSeconds=120 200 \(streaming\)$' "$T/requests.log"
