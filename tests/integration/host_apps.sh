#!/bin/sh
# cost: 25
# The three example apps for real on two SSH hosts (network namespaces with their
# own address and /srv): hello-jar on java, hello-site on nginx, hello-tomcat on
# Tomcat 10 - each released with `ecp release` (rolling, one instance per host),
# each answering on both hosts with its environment's greeting, each with real
# HTTP health checks. The jar app is then changed and rolled back over ssh.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/host_lib.inc"
for tool in java javac jar curl nginx; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (openjdk-17-jdk-headless, curl, nginx)"
done
[ -x /usr/share/tomcat10/bin/catalina.sh ] || skip "Tomcat 10 is not installed (tomcat10)"

ssh_client_setup
netns_host h1; u1=$url a1=$addr
netns_host h2; u2=$url a2=$addr
targets="$T/targets.yaml"
printf 'schema: 1\ntargets:\n  lab:\n    plugin: host\n    hosts: ["%s", "%s"]\n' "$u1" "$u2" >"$targets"
export ECP_TARGETS="$targets"

# prepare NAME: a copy of examples/NAME, built from source, released to lab with rolling.
prepare() {
  cp -R "$ECP_SOURCE_DIR/examples/$1" "$T/$1"
  rm -rf "$T/$1/build"
  if [ -f "$T/$1/build.sh" ]; then
    sh "$T/$1/build.sh" >"$T/$1.build.log" 2>&1 || { cat "$T/$1.build.log"; die "$1: build.sh failed"; }
  fi
  python3 - "$T/$1/ecp.yaml" <<'PY'
import re, sys
p = sys.argv[1]
t = open(p).read()
t = re.sub(r"(  dev:\n    target: )local\n    replicas: 1\n    strategy: recreate",
           r"\1lab\n    replicas: 1\n    strategy: {type: rolling, batch: 1}", t)
open(p, "w").write(t)
PY
  grep -q "target: lab" "$T/$1/ecp.yaml" || die "$1: could not point dev at the ssh hosts"
}

for app in hello-jar hello-site hello-tomcat; do
  prepare "$app"
  (cd "$T/$app" && "$ECP" release --env dev) >"$T/$app.out" 2>"$T/$app.err" ||
    { cat "$T/$app.out" "$T/$app.err"; die "$app: release failed"; }
  expect_grep "revision 1 of $app/dev succeeded" "$T/$app.out"
  for a in $a1 $a2; do
    case $app in
      hello-jar) curl -sf "http://$a:8080/" | grep -q '<h1 id="greeting">Hello from dev</h1>' ;;
      hello-site) curl -sf "http://$a:8080/config.json" | grep -q '"greeting": "Hello from dev"' &&
        curl -sf "http://$a:8080/images/logo.png" | cmp -s - "$T/$app/app/html/images/logo.png" ;;
      hello-tomcat) curl -sf "http://$a:8080/" | grep -q "Hello from dev" ;;
    esac || die "$app does not answer with its dev greeting on $a"
  done
  # Stop it (scale to nothing) so the next app gets port 8080.
  sed -i 's/^    replicas: 1$/    replicas: 0/' "$T/$app/ecp.yaml"
  (cd "$T/$app" && "$ECP" deploy --env dev) >"$T/$app.out" 2>"$T/$app.err" ||
    { cat "$T/$app.err"; die "$app: scaling to 0 failed"; }
  ! curl -sf --max-time 5 "http://$a1:8080/" >/dev/null || die "$app still answers after scaling to 0"
done

# The jar app, changed and rolled back over ssh.
cd "$T/hello-jar"
sed -i 's/^    replicas: 0$/    replicas: 1/' ecp.yaml
sed -i 's/Hello from dev/Howdy from dev/' ecp.yaml
expect_exit 0 "$ECP" release --env dev
for a in $a1 $a2; do curl -sf "http://$a:8080/" | grep -q "Howdy from dev" || die "the change does not answer on $a"; done
expect_exit 0 "$ECP" rollback --env dev --to 1
expect_grep "no transfer" "$T/err"
for a in $a1 $a2; do curl -sf "http://$a:8080/" | grep -q "Hello from dev" || die "the rollback does not answer on $a"; done
echo "PASS: java, nginx and Tomcat apps released, checked and rolled back on two ssh hosts"
