#!/bin/sh
# Kubernetes benchmark (never a test): ecp's kubernetes backend against kubectl,
# the same release, in the same run, against the same in-test API server
# (tests/k8s/fake_apiserver.py: no real one can run here), which does the same
# work for both: a Deployment of 4 replicas rolled (maxSurge 1) onto a new
# configuration Secret, and the rollout waited for.
#   ecp:     ecp deploy --env dev           (renders the config, takes the Lease,
#                                            applies Secret + Deployment + Service,
#                                            watches the rollout, writes the ledger)
#   kubectl: kubectl apply -f objects.yaml && kubectl rollout status deployment/...
#            (the same objects, from `ecp plan -o yaml --reveal-secrets`, in a
#            namespace of its own; discovery cached after the first run)
# Each run changes the configuration (a new Secret, a new pod template) for both.
# Prints the median wall times and their ratio through ../shared/bench/paired.sh
# (A B A B ..., RUNS pairs; no verdict above load 0.5), then the API requests
# each tool sent for one release, from the server's request log.
# Targets (issue 18): ecp's requests <= kubectl's, wall time <= 0.5x.
# Usage: ECP=build-bench/ecp tests/bench/kubernetes.sh [RUNS]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ECP_SOURCE_DIR=$(cd "$here/../.." && pwd)
. "$ECP_SOURCE_DIR/tests/bench/optimised_ecp.sh"
: "${ECP_BUILD_DIR:=$(dirname "$ECP")}"
export ECP ECP_SOURCE_DIR ECP_BUILD_DIR
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/registry/lib.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/k8s_lib.inc"
runs=${1:-5}
shared=$ECP_SOURCE_DIR/../shared/bench
[ -f "$shared/paired.sh" ] || skip "$shared/paired.sh is missing"

start_k8s_stack
make_web_app "$T/web" 8080 k8s 4 "{type: rolling, batch: 1, max_unavailable: 1}"
kube_targets "$T/web/ecp-targets.yaml" "$T/admin.kubeconfig" "    namespace: team-a"
# The greeting is a secret from the environment, so that each run's change
# costs both tools the same: no file to edit between runs.
sed -i 's|^  GREETING: {default: "hello"}|  GREETING: {secret: true}|' "$T/web/ecp.yaml"
set_config "$T/web" GREETING "secret:env:BENCH_GREETING"
cd "$T/web"
BENCH_GREETING=first "$ECP" -q release --env dev >"$T/first.out" 2>&1 || { cat "$T/first.out"; die "the first release failed"; }

# kubectl's objects: ecp's own plan, one set per run (a new Secret each), in team-b.
n=0
while [ "$n" -lt $((runs + 3)) ]; do
  BENCH_GREETING="run $n" "$ECP" plan --env dev -o yaml --reveal-secrets >"$T/objects.$n.yaml" ||
    die "ecp plan -o yaml failed"
  sed -i 's/^  namespace: team-a$/  namespace: team-b/' "$T/objects.$n.yaml"
  n=$((n + 1))
done
k apply -f "$T/objects.0.yaml" >/dev/null
k rollout status deployment/web-dev -n team-b --timeout=5m >/dev/null

cat >"$T/ecp.sh" <<EOF
#!/bin/sh
set -eu
n=\$((\$(cat "$T/ecp.n" 2>/dev/null || echo 0) + 1)); echo "\$n" >"$T/ecp.n"
cd "$T/web"
BENCH_GREETING="ecp \$n" exec "$ECP" -q deploy --env dev
EOF
cat >"$T/kubectl.sh" <<EOF
#!/bin/sh
set -eu
n=\$((\$(cat "$T/kubectl.n" 2>/dev/null || echo 0) + 1)); echo "\$n" >"$T/kubectl.n"
kubectl --kubeconfig "$T/admin.kubeconfig" apply -f "$T/objects.\$n.yaml"
exec kubectl --kubeconfig "$T/admin.kubeconfig" rollout status deployment/web-dev -n team-b --timeout=5m
EOF

echo "kubernetes release, 4 replicas rolled onto a new Secret: ecp deploy vs kubectl apply + rollout status"
echo "a_median_s b_median_s ratio_median ratio_min ratio_max load_before load_after verdict"
sh "$shared/paired.sh" -n "$runs" -- sh "$T/ecp.sh" -- sh "$T/kubectl.sh" || { sh -x "$T/ecp.sh"; die "a run failed"; }

# One more release each, its API requests counted in the server's log (a
# streamed watch is logged once when it opens and once when it ends).
requests() { grep -cv '(streaming)$' "$T/requests.log"; }
before=$(requests)
sh "$T/ecp.sh" >/dev/null 2>&1
mid=$(requests)
sh "$T/kubectl.sh" >/dev/null 2>&1
after=$(requests)
echo "API requests for one release: ecp $((mid - before)), kubectl $((after - mid))"
[ -z "${BENCH_SHOW_REQUESTS:-}" ] || { grep -v "(streaming)$" "$T/requests.log" | sed -n "$((before + 1)),$((after))p"; }
