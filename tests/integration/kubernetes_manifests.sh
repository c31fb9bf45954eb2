#!/bin/sh
# cost: 120
# What ecp sends to a kubernetes target is real Kubernetes:
#   1. `ecp plan -o yaml` prints the Secret, Deployment and Service a release
#      would apply (the config's secrets as references unless --reveal-secrets),
#      and every one of them, and every object ecp put in the cluster in a
#      release (ledger ConfigMaps, Secrets, the Lease while held), passes the
#      real Kubernetes schema (the kubernetes-models npm package); a field of
#      the wrong type fails that check, so the check can fail;
#   2. the manifests run: the hello-jar example, built on a JRE base and pushed
#      to a real registry, planned with its Secret, is fed to `podman kube play`;
#      the app starts and answers with its configured value.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/registry/lib.sh"
. "$ECP_SOURCE_DIR/tests/integration/k8s_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/bases_lib.inc"
. "$ECP_SOURCE_DIR/tests/lib/podman.sh"
for tool in node podman runc javac jar; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
done
schema=${ECP_K8S_SCHEMA_DIR:-/opt/ecp-test/k8s-schema}
[ -f "$schema/node_modules/kubernetes-models/package.json" ] ||
  skip "kubernetes-models is not installed in $schema (scripts/setup.sh installs it)"

start_k8s_stack

# --- hello-jar on the JRE base, its dev environment on the fake cluster
rc=0; base=$(ecp_base_jar) || rc=$?
[ "$rc" = 0 ] || { [ "$rc" = 125 ] && skip "cannot make the jar base here"; die "making the jar base failed"; }
cp -R "$ECP_SOURCE_DIR/examples/hello-jar" "$T/app"
rm -rf "$T/app/build"
sh "$T/app/build.sh" >"$T/build.log" 2>&1 || { cat "$T/build.log"; die "hello-jar/build.sh failed"; }
sed -i -e "s|^  base: scratch|  base: \"$base\"|" -e "s|target: local|target: k8s|" \
  -e 's|config: {GREETING: "Hello from dev"}|config: {GREETING: "Hello from kube play", API_TOKEN: "secret:env:HELLO_API_TOKEN"}|' \
  "$T/app/ecp.yaml"
sed -i 's|^  LOG_LEVEL:|  API_TOKEN: {secret: true, description: "a secret, for the test"}\n  LOG_LEVEL:|' \
  "$T/app/ecp.yaml"
grep -q "Hello from kube play" "$T/app/ecp.yaml" || die "could not set the greeting"
kube_targets "$T/app/ecp-targets.yaml" "$T/admin.kubeconfig"
cd "$T/app"
export HELLO_API_TOKEN=tok-5ecr3t-value

# validate FILE: every document of FILE (YAML or a kubectl JSON List) against its
# kind's schema. ESM resolves packages from the script's folder: it goes beside them.
validator=$schema/validate.$$.mjs
drop_validator() { rm -f "$validator"; }
add_cleanup drop_validator
cat >"$validator" <<'EOF'
import * as fs from 'fs';
import * as yaml from 'js-yaml';
const text = fs.readFileSync(process.argv[2], 'utf8');
let docs = yaml.loadAll(text).filter((d) => d);
if (docs.length === 1 && docs[0].kind === 'List') docs = docs[0].items;
let bad = 0;
for (const doc of docs) {
  const [group, version] = doc.apiVersion.includes('/') ? doc.apiVersion.split('/') : [null, doc.apiVersion];
  const path = group ? `kubernetes-models/${group}/${version}/${doc.kind}` : `kubernetes-models/${version}/${doc.kind}`;
  const mod = await import(path);
  try {
    new mod[doc.kind](doc).validate();
    console.log(`valid ${doc.kind} ${doc.metadata.name}`);
  } catch (e) {
    console.log(`INVALID ${doc.kind} ${doc.metadata.name}: ${e.message}`);
    bad++;
  }
}
process.exit(bad ? 1 : 0);
EOF
validate() { node "$validator" "$1"; }

# 1. The plan's manifests: secrets as references by default, valid for the schema.
expect_exit 0 "$ECP" build
expect_exit 0 "$ECP" plan --env dev -o yaml
cp "$T/out" "$T/plan.yaml"
[ "$(grep -c '^kind: ' "$T/plan.yaml")" = 3 ] || { cat "$T/plan.yaml"; die "the plan does not hold 3 objects"; }
expect_grep '^kind: Deployment$' "$T/plan.yaml"
python3 - "$T/plan.yaml" <<'PY' || die "the plan's Secret does not hold the references"
import base64, re, sys
text = open(sys.argv[1]).read()
data = re.search(r"autoconfig.properties: (\S+)", text).group(1).strip('"')
props = base64.b64decode(data).decode()
assert "API_TOKEN=secret:env:HELLO_API_TOKEN" in props, props
assert "tok-5ecr3t-value" not in props, props
PY
expect_no_grep "tok-5ecr3t-value" "$T/plan.yaml"
validate "$T/plan.yaml" >"$T/valid.out" 2>&1 || { cat "$T/valid.out"; die "the plan's manifests are not valid"; }
[ "$(grep -c '^valid ' "$T/valid.out")" = 3 ] || { cat "$T/valid.out"; die "not 3 valid objects"; }
# The check can fail: replicas as a string is refused.
sed 's/^  replicas: 1$/  replicas: "one"/' "$T/plan.yaml" >"$T/typo.yaml"
grep -q 'replicas: "one"' "$T/typo.yaml" || die "could not plant the typo"
expect_exit 1 validate "$T/typo.yaml"
expect_grep "INVALID Deployment .*replicas must be integer" "$T/out"
# run.health.liveness adds a livenessProbe and a startupProbe (holding it off
# until the first pass), valid too.
cp ecp.yaml "$T/ecp.yaml.saved"
sed -i 's|^    path: /health |    liveness: true\n    path: /health |' ecp.yaml
grep -q "liveness: true" ecp.yaml || die "could not ask for a liveness probe"
expect_exit 0 "$ECP" plan --env dev -o yaml
cp "$T/out" "$T/live.yaml"
expect_grep "^ {10}livenessProbe:$" "$T/live.yaml"
expect_grep "^ {10}startupProbe:$" "$T/live.yaml"
validate "$T/live.yaml" >"$T/valid.out" 2>&1 || { cat "$T/valid.out"; die "the manifests with liveness are not valid"; }
cp "$T/ecp.yaml.saved" ecp.yaml

# 2. Everything a release put in the cluster passes the schema too.
expect_exit 0 "$ECP" release --env dev
k get deployments,services,configmaps,secrets -n team-a -l app.kubernetes.io/managed-by=ecp -o json >"$T/all.json"
[ "$(json "$T/all.json" 'len(d["items"])')" -ge 6 ] || die "fewer objects than a release makes"
validate "$T/all.json" >"$T/valid.out" 2>&1 || { cat "$T/valid.out"; die "an object ecp put in the cluster is not valid"; }
expect_grep "^valid ConfigMap ecp-hello-jar-dev-r1$" "$T/valid.out"
expect_grep "^valid Secret hello-jar-dev-config-" "$T/valid.out"

# 3. The manifests run: podman kube play of the planned objects, with the secret's value.
expect_exit 0 "$ECP" plan --env dev -o yaml --reveal-secrets
cp "$T/out" "$T/play.yaml"
expect_grep "^  namespace: team-a$" "$T/play.yaml"
use_own_podman
printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$R" >"$T/registries.conf"
export CONTAINERS_REGISTRIES_CONF="$T/registries.conf" TMPDIR="$T/podman/tmp"
play_down() { podman kube down "$T/deploy.yaml" >/dev/null 2>&1 || true; }
add_cleanup play_down
# Three things podman 4.3 (Debian 12) does differently from Kubernetes, and only
# those, are adapted here: it reads a Secret that a pod mounts from its own
# secret store (where it keeps Kubernetes Secret documents), so the plan's
# Secret goes there; it writes a Secret's base64 `data` into the file without
# decoding it (and ignores stringData), so the copy in its store carries the
# decoded bytes under `data`; and it ignores subPath on secret volumes (it mounts the
# folder over the file), so the one mount ecp asks for, the Secret's
# autoconfig.properties at /app/conf/autoconfig.properties, becomes the folder
# at /run/ecp-config with ECP_AUTOCONFIG_FILE (autoconfig.sh's own setting)
# naming the file in it. Image, command, ports, probes and the rest are ecp's.
python3 - "$T/play.yaml" "$T/secret.yaml" "$T/deploy.yaml" <<'PY'
import json, sys
docs = [d for d in open(sys.argv[1]).read().split("---\n") if d.strip()]
secret = [d for d in docs if "\nkind: Secret\n" in "\n" + d]
assert len(secret) == 1, docs
import base64, re
m = re.search(r"\ndata:\n  autoconfig.properties: (\S+)\n", "\n" + secret[0])
assert m, secret[0]
props = base64.b64decode(m.group(1).strip('"')).decode()
open(sys.argv[2], "w").write(secret[0].replace(m.group(0)[1:], "data:\n  autoconfig.properties: " + json.dumps(props) + "\n"))
rest = "".join("---\n" + d for d in docs if d not in secret)
mount = ("- mountPath: /app/conf/autoconfig.properties\n"
         "              name: config\n"
         "              readOnly: true\n"
         "              subPath: autoconfig.properties\n")
assert mount in rest, rest
rest = rest.replace(mount, "- mountPath: /run/ecp-config\n              name: config\n              readOnly: true\n")
env = "- name: LISTEN_PORT\n"
assert env in rest, rest
rest = rest.replace(env, "- name: ECP_AUTOCONFIG_FILE\n              value: /run/ecp-config/autoconfig.properties\n            " + env)
open(sys.argv[3], "w").write(rest)
PY
secret=$(sed -n 's/^  name: \(hello-jar-dev-config-.*\)$/\1/p' "$T/secret.yaml")
podman secret create "$secret" "$T/secret.yaml" >/dev/null || die "podman secret create failed"
secret_rm() { podman secret rm "$secret" >/dev/null 2>&1 || true; }
add_cleanup secret_rm
podman kube play --tls-verify=false "$T/deploy.yaml" >"$T/play.out" 2>&1 || { cat "$T/play.out"; die "podman kube play failed"; }
pod=$(podman pod ps --format '{{.Name}}' | grep hello-jar-dev | head -1)
[ -n "$pod" ] || { podman pod ps; die "podman made no pod for hello-jar-dev"; }
ctr=$(podman ps -a --filter "pod=$pod" --format '{{.Names}}' | grep -v infra | head -1)
[ -n "$ctr" ] || { podman ps -a; die "the pod $pod has no app container"; }
# The app answers, or its container stopped (then its log says why).
app_settled() {
  podman exec "$ctr" wget -qO- http://127.0.0.1:8080/ >"$T/page" 2>/dev/null && return 0
  [ "$(podman inspect -f '{{.State.Running}}' "$ctr")" != true ] && : >"$T/app-stopped"
}
wait_until "the app in the pod to answer or stop" app_settled
if [ -e "$T/app-stopped" ]; then
  podman ps -a
  podman logs "$ctr"
  die "the app's container stopped"
fi
expect_grep "Hello from kube play" "$T/page"
podman exec "$ctr" cat /run/ecp-config/autoconfig.properties >"$T/props"
expect_grep "^API_TOKEN=tok-5ecr3t-value$" "$T/props"
echo "PASS: ecp's manifests pass the Kubernetes schema, and run in podman kube play"
