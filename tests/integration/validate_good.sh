#!/bin/sh
# ecp validate on good projects: exit 0, a summary on stdout, warnings allowed.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
mkdir -p "$T/proj/app/bin" "$T/proj/app/lib"
: >"$T/proj/app/bin/entrypoint.sh"
: >"$T/proj/app/lib/application.jar"  # the layout validate looks at (warnings otherwise)
cat > "$T/proj/ecp.yaml" <<'YAML'
schema: 1
app: hello
group: demo
type: jar
version: 1.0.0
build:
  base: scratch
  labels: {team: web}
run:
  ports: {http: 8080}
  health: {path: /health, port: http, interval: 10s, timeout: 2s, retries: 3}
config:
  GREETING: hello
  DB_PASSWORD: {secret: true, required: true}
environments:
  dev:
    config: {GREETING: hi}
  prod:
    target: lab-vms
    replicas: 3
    strategy: {type: canary, steps: [5, 25, 50, 100], pause: 30s}
YAML
cat > "$T/proj/ecp-targets.yaml" <<'YAML'
targets:
  lab-vms:
    plugin: host
    hosts: ["ssh://root@10.0.0.1"]
    gateway: "ssh://root@10.0.0.9"
    registry: lab
registries:
  lab: {url: "registry.lab:5000"}
YAML

expect_exit 0 "$ECP" -C "$T/proj" validate
expect_grep "^ecp\.yaml: valid: app hello \\(jar\\), 2 environments; targets from ecp-targets\\.yaml$" "$T/out"
[ ! -s "$T/err" ] || { cat "$T/err"; die "stderr should be empty"; }

# -f and an explicit --targets work from anywhere.
cp "$T/proj/ecp-targets.yaml" "$T/other-targets.yaml"
mv "$T/proj/ecp-targets.yaml" "$T/proj/moved.yaml"
expect_exit 2 "$ECP" -f "$T/proj/ecp.yaml" validate
expect_grep "unknown target 'lab-vms'" "$T/err"
expect_exit 0 "$ECP" -f "$T/proj/ecp.yaml" --targets "$T/other-targets.yaml" validate
ECP_TARGETS="$T/other-targets.yaml" expect_exit 0 "$ECP" -f "$T/proj/ecp.yaml" validate
expect_grep "targets from $T/other-targets\\.yaml" "$T/out"

# Warnings are printed but do not fail.
mv "$T/proj/moved.yaml" "$T/proj/ecp-targets.yaml"
sed 's/GREETING: hi/GRETING: hi/' "$T/proj/ecp.yaml" > "$T/proj/w.yaml"
expect_exit 0 "$ECP" -C "$T/proj" -f w.yaml validate
expect_grep "^w\\.yaml:17:14: warning: environments\\.dev\\.config\\.GRETING: 'GRETING' is not declared under config; did you mean 'GREETING'\\?$" "$T/err"
expect_grep "valid.*1 warning" "$T/out"

# A secret whose default is a plain value warns; one whose default is itself a
# secret reference keeps nothing in plain text and does not.
sed 's/DB_PASSWORD: {secret: true, required: true}/DB_PASSWORD: {secret: true, default: "pw-123"}\n  API_TOKEN: {secret: true, default: "secret:env:API_TOKEN"}/' \
  "$T/proj/ecp.yaml" >"$T/proj/s.yaml"
expect_exit 0 "$ECP" -C "$T/proj" -f s.yaml validate
expect_grep "^s\.yaml:[0-9]+:[0-9]+: warning: config\.DB_PASSWORD: a secret with a default keeps that value in plain text" "$T/err"
expect_no_grep "API_TOKEN" "$T/err"
expect_grep "valid.*1 warning" "$T/out"

# A canary needs the gateway: without one it is an error, naming the target.
sed -i '/gateway:/d' "$T/proj/ecp-targets.yaml"
expect_exit 2 "$ECP" -C "$T/proj" validate
expect_grep "^ecp\.yaml:[0-9]+:[0-9]+: error: environments\.prod\.strategy: canary moves traffic through a gateway, and target 'lab-vms' has none" "$T/err"
echo PASS
