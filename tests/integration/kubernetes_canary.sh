#!/bin/sh
# cost: 60
# canary on a kubernetes target with an ingress-nginx class (the strict fake API
# server of tests/k8s): the Ingress <app>-<env> sends clients to the Service of
# the serving slot; a canary step applies the Service <app>-<env>-canary (the
# new slot) and a canary Ingress with nginx.ingress.kubernetes.io/canary-weight,
# the preview header and cookie; `ecp canary promote` moves everything to the new
# slot and removes the canary objects. A canary whose pods start crash-looping
# while it is paused is caught by the analysis (readiness and restarts) on
# promote: traffic back, the canary slot scaled to 0, exit 6, the ledger true.
# Without an ingress, the canary splits by replica ratio: the Service selects
# both slots, the canary runs the share's replica count; promote and abort.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/registry/lib.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/k8s_lib.inc"

start_k8s_stack
make_web_app "$T/web" 8080 k8s 2 "{type: canary, steps: [25, 100], pause: 1s}"
kube_targets "$T/web/ecp-targets.yaml" "$T/admin.kubeconfig" "    progress_deadline: 15
    ingress: {class: nginx, host: web.test}"
cd "$T/web"
selected() { k get service "$1" -n team-a -o jsonpath='{.spec.selector.ecp\.io/slot}'; }
replicas() { k get deployment "$1" -n team-a -o jsonpath='{.spec.replicas}'; }
deployment_of() { [ "$1" = a ] && echo web-dev || echo web-dev-b; }
annotation() { k get ingress web-dev-canary -n team-a -o jsonpath="{.metadata.annotations.nginx\\.ingress\\.kubernetes\\.io/$1}"; }
next_revision() { echo $(($(k get configmaps -n team-a -l ecp.io/kind=ledger -o name | wc -l) + 1)); }

# 1. The first release goes to 100% at once; the Ingress leads to the Service.
set_config "$T/web" GREETING "one"
expect_exit 0 "$ECP" release --env dev
live=$(selected web-dev)
k get ingress web-dev -n team-a -o json >"$T/ing.json"
[ "$(json "$T/ing.json" 'd["spec"]["ingressClassName"]')" = nginx ] || die "the Ingress has not class nginx"
[ "$(json "$T/ing.json" 'd["spec"]["rules"][0]["host"]')" = web.test ] || die "the Ingress has not host web.test"
[ "$(json "$T/ing.json" 'd["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"]')" = web-dev ] ||
  die "the Ingress does not lead to the Service web-dev"
expect_exit 1 k get ingress web-dev-canary -n team-a

# 2. A canary paused at 25%: its own Service and a weighted canary Ingress.
set_config "$T/web" GREETING "two"
expect_exit 0 "$ECP" release --env dev --manual
expect_grep "paused at 25% of the traffic" "$T/out"
canary=$([ "$live" = a ] && echo b || echo a)
[ "$(selected web-dev)" = "$live" ] || die "the main Service left slot $live during the canary"
[ "$(selected web-dev-canary)" = "$canary" ] || die "the canary Service does not select slot $canary"
[ "$(annotation canary)" = true ] || die "the canary Ingress is not marked canary"
[ "$(annotation canary-weight)" = 25 ] || die "the canary weight is not 25"
[ "$(annotation canary-by-header)" = X-Canary ] || die "the preview header is not on the canary Ingress"
[ "$(annotation canary-by-cookie)" = ecp_preview ] || die "the preview cookie is not on the canary Ingress"
expect_exit 0 "$ECP" status --env dev
expect_grep "paused at 25%" "$T/out"
expect_exit 0 "$ECP" canary promote --env dev
[ "$(selected web-dev)" = "$canary" ] || die "promote did not move the Service to slot $canary"
expect_exit 1 k get ingress web-dev-canary -n team-a
expect_exit 1 k get service web-dev-canary -n team-a
[ "$(replicas "$(deployment_of "$live")")" = 0 ] || die "the old slot still runs after the promote"
live=$canary

# 3. A canary that starts crash-looping while paused: caught on promote, rolled back.
rev=$(next_revision)
set_config "$T/web" GREETING "three"
expect_exit 0 "$ECP" release --env dev --manual
canary=$([ "$live" = a ] && echo b || echo a)
behave "{\"label:ecp.io/revision=$rev\": \"crash\"}"
crashing() { k get pods -n team-a -l "ecp.io/revision=$rev" -o json | grep -q CrashLoopBackOff; }
wait_until "the canary's pods to crash-loop" crashing
expect_exit 6 "$ECP" canary promote --env dev
expect_grep "health check failed" "$T/err"
[ "$(selected web-dev)" = "$live" ] || die "traffic did not stay on slot $live"
expect_exit 1 k get ingress web-dev-canary -n team-a
[ "$(replicas "$(deployment_of "$canary")")" = 0 ] || die "the failed canary slot still runs"
k get configmap "ecp-web-dev-r$rev" -n team-a -o jsonpath='{.data.value}' >"$T/rec.json"
expect_grep '"outcome": ?"failed-rolled-back"' "$T/rec.json"

# 4. An ingress without its class is an error of validate, at its line.
kube_targets "$T/web/ecp-targets.yaml" "$T/admin.kubeconfig" "    ingress: {host: web.test}"
expect_exit 2 "$ECP" validate
expect_grep "ecp-targets.yaml:[0-9]+:[0-9]+: error: targets\.k8s\.ingress: names no class" "$T/err"

# 5. No ingress: the canary splits by replica ratio. The Service selects both
# slots; the canary runs the replica count nearest its share (25% beside 2 pods:
# 1 pod) and gets all of them on promote; an abort puts the selector back.
kube_targets "$T/web/ecp-targets.yaml" "$T/admin.kubeconfig" "    progress_deadline: 15"
svc_annotation() { k get service web-dev -n team-a -o jsonpath="{.metadata.annotations.ecp\\.io/$1}"; }
for end in promote abort; do
  set_config "$T/web" GREETING "ratio-$end"
  expect_exit 0 "$ECP" release --env dev --manual
  expect_grep "paused at 25% of the traffic" "$T/out"
  expect_grep "1 pod\(s\) of slot $canary beside 2 of slot $live \(33% of the pods, 25% asked\)" "$T/err"
  [ -z "$(selected web-dev)" ] || die "the Service still selects one slot during a replica-ratio canary"
  [ "$(svc_annotation stable-slot)" = "$live" ] || die "the Service does not name slot $live stable"
  [ "$(svc_annotation canary-slot)" = "$canary" ] || die "the Service does not name slot $canary the canary"
  [ "$(replicas "$(deployment_of "$canary")")" = 1 ] || die "the canary does not run 1 replica at 25%"
  [ "$(replicas "$(deployment_of "$live")")" = 2 ] || die "the stable slot does not keep its 2 replicas"
  expect_exit 0 "$ECP" status --env dev
  expect_grep "paused at 25%" "$T/out"
  expect_exit 0 "$ECP" canary "$end" --env dev
  if [ "$end" = promote ]; then
    [ "$(selected web-dev)" = "$canary" ] || die "promote did not move the Service to slot $canary"
    [ "$(replicas "$(deployment_of "$canary")")" = 2 ] || die "the promoted slot does not run its 2 replicas"
    [ "$(replicas "$(deployment_of "$live")")" = 0 ] || die "the old slot still runs after the promote"
    [ -z "$(svc_annotation canary-slot)" ] || die "the Service still names a canary after the promote"
    old=$live live=$canary canary=$old
  else
    [ "$(selected web-dev)" = "$live" ] || die "abort did not put the Service back on slot $live"
    [ "$(replicas "$(deployment_of "$canary")")" = 0 ] || die "the aborted canary still runs"
    [ "$(replicas "$(deployment_of "$live")")" = 2 ] || die "the stable slot lost replicas in the abort"
  fi
done
echo "PASS: canary on kubernetes through ingress-nginx canary annotations and by replica ratio, promote, abort, and rollback on crash-loops"
