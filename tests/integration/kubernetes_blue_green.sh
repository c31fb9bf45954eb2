#!/bin/sh
# cost: 60
# blue-green on a kubernetes target (the strict fake API server of tests/k8s):
# the new revision comes up in the idle slot's own Deployment, gated on
# readiness, then the Service's selector flips; the old slot keeps its replicas
# for the keep window (recorded at the cluster, shown by `ecp status`), so a
# rollback inside it is only a flip back, with no new pod; once the window has
# passed, the next ecp command scales the old slot to 0. A slot whose pods never
# become ready is never selected.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/registry/lib.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/k8s_lib.inc"

start_k8s_stack
make_web_app "$T/web" 8080 k8s 2 "{type: blue-green, keep: 10m}"
kube_targets "$T/web/ecp-targets.yaml" "$T/admin.kubeconfig" "    progress_deadline: 15"
cd "$T/web"
selected() { k get service web-dev -n team-a -o jsonpath='{.spec.selector.ecp\.io/slot}'; }
replicas() { k get deployment "$1" -n team-a -o jsonpath='{.spec.replicas}'; }
revision_of() { k get deployment "$1" -n team-a -o jsonpath='{.spec.template.metadata.labels.ecp\.io/revision}'; }
pods_of() { k get pods -n team-a -l "ecp.io/slot=$1" -o jsonpath='{.items[*].metadata.name}'; }

# 1. The first release: slot b (the idle one of nothing), selected.
set_config "$T/web" GREETING "one"
expect_exit 0 "$ECP" release --env dev
first=$(selected)
[ "$(replicas "$([ "$first" = a ] && echo web-dev || echo web-dev-b)")" = 2 ] || die "the first slot has not 2 replicas"

# 2. The second: the other slot comes up, the selector flips, the old slot keeps running.
set_config "$T/web" GREETING "two"
expect_exit 0 "$ECP" release --env dev
second=$(selected)
[ "$second" != "$first" ] || die "the Service still selects slot $first"
old=$([ "$first" = a ] && echo web-dev || echo web-dev-b)
[ "$(replicas "$old")" = 2 ] || die "the old slot was scaled down inside its keep window"
expect_exit 0 "$ECP" status --env dev -o json
expect_grep '"stops_at": ?"20[0-9-]+T' "$T/out"
k get configmap ecp-web-dev-kubernetes.retire.json -n team-a -o jsonpath='{.data.value}' >"$T/retire.json"
expect_grep "\"$first\"" "$T/retire.json"

# 3. A rollback inside the window flips back, and starts no pod.
before=$(pods_of "$first")
expect_exit 0 "$ECP" rollback --env dev
[ "$(selected)" = "$first" ] || die "the rollback did not flip the Service back to slot $first"
[ "$(pods_of "$first")" = "$before" ] || die "the rollback replaced slot $first's pods"

# 4. Pods that never become ready: the selector never moves to them.
next=$(($(k get configmaps -n team-a -l ecp.io/kind=ledger -o name | wc -l) + 1))
behave "{\"label:ecp.io/revision=$next\": \"never\"}"
set_config "$T/web" GREETING "never"
expect_exit 6 "$ECP" release --env dev
[ "$(selected)" = "$first" ] || die "the Service moved to a slot that never became ready"

# 5. A short keep window: once it has passed, the next ecp command scales the old slot to 0.
sed -i 's/keep: 10m/keep: 6s/' ecp.yaml
set_config "$T/web" GREETING "five"
expect_exit 0 "$ECP" release --env dev
live=$(selected)
idle=$([ "$live" = a ] && echo web-dev-b || echo web-dev)
[ "$(replicas "$idle")" = 2 ] || die "the old slot was scaled down before its window"
scaled() { "$ECP" status --env dev >/dev/null 2>&1; [ "$(replicas "$idle")" = 0 ]; }
wait_until "ecp status to scale the old slot to 0 after its window" scaled

echo "PASS: blue-green on kubernetes: slots, the selector flip, the keep window, rollback by flip"
