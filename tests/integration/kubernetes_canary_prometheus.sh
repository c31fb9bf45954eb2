#!/bin/sh
# cost: 40
# canary analysis with PromQL against a real Prometheus (Debian's, with a data
# folder of its own) that scrapes a small exporter the test drives: the
# analysis queries of ecp.yaml run after each step with {{app}} and
# {{revision}} filled in. A canary whose error rate is 1% passes and is
# promoted; one at 20% is rolled back (exit 6, traffic back, the ledger true);
# a Prometheus that does not answer fails the step too (nobody judged it).
# validate refuses queries on a target without prometheus:, and unknown
# placeholders, at their line.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/registry/lib.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/k8s_lib.inc"
command -v prometheus >/dev/null 2>&1 || skip "prometheus is not installed (scripts/setup.sh installs it)"

# The exporter, and Prometheus scraping it every second.
metrics=$T/metrics.txt
: >"$metrics"
eport=$(free_port)
python3 "$ECP_SOURCE_DIR/tests/lib/metrics_exporter.py" --port "$eport" --file "$metrics" >"$T/exporter.log" 2>&1 &
echo $! >>"$T/pids"
pport=$(free_port)
cat >"$T/prometheus.yml" <<EOF2
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: app
    static_configs: [{targets: ["127.0.0.1:$eport"]}]
EOF2
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/prometheus-data" \
  --web.listen-address="127.0.0.1:$pport" --log.level=warn >"$T/prometheus.log" 2>&1 &
echo $! >>"$T/pids"
prom=http://127.0.0.1:$pport
wait_until "prometheus to be ready" curl -fsS "$prom/-/ready"

# set_counters REVISION REQUESTS ERRORS: what the exporter says that revision's pods
# served, and a wait until Prometheus has scraped it.
set_counters() {
  {
    echo "# TYPE app_requests_total counter"
    echo "app_requests_total{app=\"web\",revision=\"$1\"} $2"
    echo "# TYPE app_errors_total counter"
    echo "app_errors_total{app=\"web\",revision=\"$1\"} $3"
  } >"$metrics.new"
  mv "$metrics.new" "$metrics"
  scraped() { curl -fsS "$prom/api/v1/query?query=app_errors_total%7Brevision%3D%22$1%22%7D" | grep -q "\"$2\"\]"; }
  wait_until "prometheus to scrape revision $1's counters" scraped "$1" "$3"
}

start_k8s_stack
query='sum(app_errors_total{app="{{app}}",revision="{{revision}}"}) / sum(app_requests_total{app="{{app}}",revision="{{revision}}"})'
make_web_app "$T/web" 8080 k8s 2 "{type: canary, steps: [50, 100], pause: 1s, analysis: {max_error_rate: 5, queries: {error_rate: '$query'}}}"
kube_targets "$T/web/ecp-targets.yaml" "$T/admin.kubeconfig" "    progress_deadline: 15
    prometheus: $prom"
cd "$T/web"
selected() { k get service web-dev -n team-a -o jsonpath='{.spec.selector.ecp\.io/slot}'; }
next_revision() { echo $(($(k get configmaps -n team-a -l ecp.io/kind=ledger -o name | wc -l) + 1)); }
expect_exit 0 "$ECP" validate

# 1. The first release has nothing to split: all traffic at once, no analysis.
expect_exit 0 "$ECP" release --env dev
live=$(selected)

# 2. 1% errors: the canary passes its analysis and is promoted.
rev=$(next_revision)
set_counters "$rev" 200 2
set_config "$T/web" GREETING "two"
expect_exit 0 "$ECP" release --env dev
expect_grep "step 1/2 \(50%\): passed: .*prometheus error rate 1\.0%" "$T/err"
[ "$(selected)" != "$live" ] || die "the passing canary was not promoted"
live=$(selected)

# 3. 20% errors: rolled back, traffic stays, the ledger says why.
rev=$(next_revision)
set_counters "$rev" 200 40
set_config "$T/web" GREETING "three"
expect_exit 6 "$ECP" release --env dev
expect_grep "analysis failed: prometheus error rate 20\.0% > 5%" "$T/err"
[ "$(selected)" = "$live" ] || die "traffic left slot $live after a failed analysis"
k get configmap "ecp-web-dev-r$rev" -n team-a -o jsonpath='{.data.value}' >"$T/rec.json"
expect_grep '"outcome": ?"failed-rolled-back"' "$T/rec.json"
expect_grep "prometheus error rate 20\.0%" "$T/rec.json"

# 4. A Prometheus that does not answer: the step cannot be judged, so it fails.
kube_targets "$T/web/ecp-targets.yaml" "$T/admin.kubeconfig" "    progress_deadline: 15
    prometheus: http://127.0.0.1:$(free_port)"
set_config "$T/web" GREETING "four"
expect_exit 6 "$ECP" release --env dev
expect_grep "prometheus error_rate query: .*the step cannot be judged" "$T/err"
[ "$(selected)" = "$live" ] || die "traffic left slot $live when Prometheus did not answer"

# 5. validate: queries need the target's prometheus:, and only known placeholders.
kube_targets "$T/web/ecp-targets.yaml" "$T/admin.kubeconfig" "    progress_deadline: 15"
expect_exit 2 "$ECP" validate
expect_grep "ecp.yaml:[0-9]+:[0-9]+: error: environments\.dev\.strategy\.analysis\.queries: target 'k8s' names no prometheus:" "$T/err"
sed -i 's/{{revision}}/{{rev}}/' ecp.yaml
expect_exit 2 "$ECP" validate
expect_grep "environments\.dev\.strategy\.analysis\.queries\.error_rate: unknown placeholder \{\{rev\}\}" "$T/err"
echo "PASS: canary analysis by PromQL against a real Prometheus: 1% promoted, 20% rolled back, no answer rolled back"
