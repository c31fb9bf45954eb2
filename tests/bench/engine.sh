#!/bin/sh
# Engine benchmark (never a test): ecp's engine backend against Docker's own
# tools, the same image, registry, health check and dockerd, in the same run.
#   rolling, 4 replicas:  ecp deploy (strategy rolling, batch 1)
#                         vs a single-node Swarm: docker service update --image
#                         (--update-parallelism 1, health-gated, --update-monitor 1s)
#   recreate, 1 replica:  ecp deploy (strategy recreate) vs docker-compose up -d
#                         followed by a wait for the container's health
# Scenarios (targets from issue 12):
#   cold       every app layer (123 MB) is new to the engine   <= 0.7 x the faster peer
#   app.jar    only application.jar changed                     <= 0.5 x
#   unchanged  the image that runs                              <= 0.3 s
#   rollback   to an image still on the engine                  <= 0.5 x docker service rollback
# The image: ../shared/bench/mkapp.sh's jar layout (120 MB of incompressible
# dependency jars) made runnable with hello-jar's application jar and scripts, on
# the small jar base of tests/integration/bases_lib.inc; built by ecp (not timed),
# pushed to a loopback registry (not timed) from which every tool's engine pulls
# (ecp's target has `registry:`, so the engine pulls by digest, as the peers'
# engine pulls by tag). Health: GET /health every second, everywhere.
# Each scenario runs through ../shared/bench/paired.sh (A B A B ..., RUNS pairs);
# a row whose load average was above 0.5 gets no verdict.
# Usage: ECP=build/ecp tests/bench/engine.sh [RUNS]   (as root; needs dockerd and
# the docker CLI (docker.io), docker-compose, docker-registry, java, curl, umoci)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ECP_SOURCE_DIR=$(cd "$here/../.." && pwd)
. "$ECP_SOURCE_DIR/tests/bench/optimised_ecp.sh"
: "${ECP_BUILD_DIR:=$(dirname "$ECP")}"
export ECP ECP_SOURCE_DIR ECP_BUILD_DIR
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/registry/lib.sh"
. "$ECP_SOURCE_DIR/tests/integration/engine_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/bases_lib.inc"
runs=${1:-5}
shared=$ECP_SOURCE_DIR/../shared/bench
[ -f "$shared/mkapp.sh" ] && [ -f "$shared/paired.sh" ] || skip "$shared/mkapp.sh or paired.sh is missing"
DOCKER=${DOCKER:-$(command -v /usr/bin/docker docker | head -n 1)}
[ -n "$DOCKER" ] || skip "the docker CLI is not installed (docker.io)"
for tool in dockerd docker-compose docker-registry javac jar curl bash umoci; do
  command -v "$tool" >/dev/null 2>&1 ||
    skip "$tool is not installed (apt-get install docker.io docker-compose docker-registry openjdk-17-jdk-headless curl umoci)"
done
[ "$(id -u)" = 0 ] || skip "dockerd needs root"

# 1. dockerd of its own, on overlay2 (vfs, which the tests use, copies every
#    image for every container and would hide the difference), and a registry.
ENGINE_SOCK=$T/docker.sock
mkdir -p "$T/docker/data" "$T/docker/exec"
cat >"$T/daemon.json" <<EOF
{"data-root": "$T/docker/data", "exec-root": "$T/docker/exec", "pidfile": "$T/docker/docker.pid",
 "hosts": ["unix://$ENGINE_SOCK"], "storage-driver": "${BENCH_STORAGE_DRIVER:-overlay2}",
 "iptables": false, "ip-masq": false,
 "default-ulimits": {"nofile": {"Name": "nofile", "Hard": 20000, "Soft": 20000},
                     "nproc": {"Name": "nproc", "Hard": 32768, "Soft": 32768}}}
EOF
dockerd --config-file "$T/daemon.json" >"$T/engine.log" 2>&1 &
engine_pid=$!
leave_swarm() { "$DOCKER" swarm leave --force >/dev/null 2>&1 || true; }
add_cleanup stop_engine
wait_engine "$engine_pid" "$T/engine.log"
export DOCKER_HOST=unix://$ENGINE_SOCK
add_cleanup leave_swarm
start_registry "$T/reg"
reg=127.0.0.1:$REG_PORT

# 2. The images: x and y share nothing but the base; x2 is x with another
#    application.jar. All three are built by ecp and pushed to the registry.
base=$(ecp_base_jar) || skip "cannot make the jar base here"
cp -R "$ECP_SOURCE_DIR/examples/hello-jar" "$T/hello"
rm -rf "$T/hello/build" "$T/hello/app/lib"/*.jar
sh "$T/hello/build.sh" >/dev/null
port_roll=$(free_port)
port_one=$(free_port)
port_compose=$(free_port)
make_tree() { # DIR: mkapp's 120 MB of jars with hello-jar's runnable parts
  bash "$shared/mkapp.sh" "$1" 120 >/dev/null
  cp "$T/hello/app/lib/application.jar" "$T/hello/app/lib/hello-text.jar" "$1/app/lib/"
  rm -rf "$1/app/bin" "$1/app/conf"
  cp -R "$T/hello/app/bin" "$T/hello/app/conf" "$1/app/"
  cat >"$1/ecp.yaml" <<YAML
schema: 1
app: bench
type: jar
version: 1.0.0
build: {base: "$base", root: app}
run:
  ports: {http: $port_roll}
  health: {path: /health, port: http, interval: 1s, timeout: 1s, retries: 60}
config:
  LISTEN_ADDRESS: {default: "0.0.0.0"}
  LISTEN_PORT: {default: "$port_roll"}
  GREETING: {default: "bench"}
  LOG_LEVEL: {default: INFO}
environments:
  roll: {target: eng, replicas: 4, strategy: {type: rolling, batch: 1}}
  one: {target: eng, replicas: 1, strategy: recreate, config: {LISTEN_PORT: "$port_one"}}
YAML
  printf 'schema: 1\nregistries:\n  reg: {url: "%s", insecure: true}\ntargets:\n  eng: {plugin: engine, socket: "unix://%s", registry: reg}\n' \
    "$reg" "$ENGINE_SOCK" >"$1/ecp-targets.yaml"
}
make_tree "$T/x"
make_tree "$T/y"
build_push() { # DIR TAG
  "$ECP" -C "$1" -q build -t "$2" >/dev/null || die "ecp build of $2 failed"
  "$ECP" -q push "bench:$2" "$reg/bench:$2" >/dev/null || die "ecp push of $2 failed"
}
build_push "$T/x" x
build_push "$T/y" y
(cd "$T/hello" && SOURCE_DATE_EPOCH=1600000000 sh build.sh >/dev/null)
cp "$T/hello/app/lib/application.jar" "$T/x/app/lib/application.jar"
build_push "$T/x" x2

# 3. Each tool's release as one command that moves to the next image of a
#    scenario: $T/NAME.cur holds what runs, each call deploys the other one.
health='wget -q -O /dev/null http://127.0.0.1:8080/health'
penv="--env LISTEN_ADDRESS=0.0.0.0 --env LISTEN_PORT=8080 --env GREETING=bench --env LOG_LEVEL=INFO"
cat >"$T/next.sh" <<'EOF'
# next.sh NAME A B: prints the one of A, B that does not run now, and records it.
cur=$(cat "$T/$1.cur" 2>/dev/null || echo "$3")
if [ "$cur" = "$2" ]; then n=$3; else n=$2; fi
echo "$n" >"$T/$1.cur"; echo "$n"
EOF
cat >"$T/ecp.sh" <<EOF
#!/bin/sh
# ecp.sh ENV A B: ecp deploy of the next image to ENV
set -eu; T=$T; export T
tag=\$(sh $T/next.sh "ecp-\$1" "\$2" "\$3")
exec "$ECP" -C "$T/x" -q deploy --env "\$1" --image "bench:\$tag"
EOF
cat >"$T/swarm.sh" <<EOF
#!/bin/sh
# swarm.sh A B: docker service update to the next image
set -eu; T=$T; export T
tag=\$(sh $T/next.sh swarm "\$1" "\$2")
exec "$DOCKER" service update -q --image "$reg/bench:\$tag" bench
EOF
cat >"$T/compose.yml" <<EOF
version: "2.4"
services:
  app:
    image: "$reg/bench:\${TAG}"
    ports: ["127.0.0.1:$port_compose:8080"]
    environment: {LISTEN_ADDRESS: 0.0.0.0, LISTEN_PORT: "8080", GREETING: bench, LOG_LEVEL: INFO}
    restart: unless-stopped
    healthcheck: {test: ["CMD-SHELL", "$health"], interval: 1s, timeout: 1s, retries: 60}
EOF
cat >"$T/compose.sh" <<EOF
#!/bin/sh
# compose.sh A B: docker-compose up -d of the next image, then its health
set -eu; T=$T; export T
TAG=\$(sh $T/next.sh compose "\$1" "\$2"); export TAG
docker-compose -p benchc -f "$T/compose.yml" up -d -t 10 >/dev/null 2>&1
until [ "\$("$DOCKER" inspect -f '{{.State.Health.Status}}' benchc_app_1)" = healthy ]; do sleep 0.05; done
EOF
# evict.sh: the engine keeps only what runs (and ecp's state): the next release is cold.
cat >"$T/evict.sh" <<EOF
#!/bin/sh
"$DOCKER" container prune -f --filter label=com.docker.swarm.service.name=bench >/dev/null
"$DOCKER" image prune -a -f >/dev/null
EOF

# 4. The first release of each (not timed): x everywhere.
"$DOCKER" swarm init --advertise-addr 127.0.0.1 >/dev/null
"$DOCKER" swarm update --task-history-limit 0 >/dev/null
# shellcheck disable=SC2086 # $penv holds flags
"$DOCKER" service create -q --name bench --replicas 4 $penv \
  --update-parallelism 1 --update-monitor 1s --update-order stop-first --update-failure-action rollback \
  --rollback-parallelism 1 --rollback-monitor 1s --stop-grace-period 10s \
  --health-cmd "$health" --health-interval 1s --health-timeout 1s --health-retries 60 \
  "$reg/bench:x" >/dev/null || die "docker service create failed"
echo x >"$T/swarm.cur"; echo y >"$T/compose.cur"; echo y >"$T/ecp-roll.cur"; echo y >"$T/ecp-one.cur"
sh "$T/ecp.sh" roll x y >"$T/first.log" 2>&1 || { cat "$T/first.log"; die "the first ecp deploy (roll) failed"; }
sh "$T/ecp.sh" one x y >"$T/first.log" 2>&1 || { cat "$T/first.log"; die "the first ecp deploy (one) failed"; }
sh "$T/compose.sh" x y || die "the first docker-compose up failed"
curl -sf "http://127.0.0.1:$((port_roll + 3))/health" >/dev/null || die "ecp's fourth instance does not answer"
curl -sf "http://127.0.0.1:$port_compose/health" >/dev/null || die "compose's container does not answer"

# 5. The scenarios; each row: ecp median, peer median, ratio median (min-max), load.
printf '%-40s %9s %9s %7s %13s %11s %s\n' scenario ecp peer ratio "min-max" load verdict >"$T/table"
row() { # LABEL TARGET SETUP -- A... -- B...
  label=$1 target=$2 setup=$3; shift 3
  sh "$shared/paired.sh" -n "$runs" -s "$setup" "$@" >"$T/row" 2>"$T/row.err" ||
    { cat "$T/row.err" "$T/row"; die "paired.sh failed for $label"; }
  read -r a b r rmin rmax l0 l1 v <"$T/row"
  [ "$v" = ok ] && v="target $target" || v="busy machine: no verdict"
  printf '%-40s %8ss %8ss %6sx %13s %11s %s\n' "$label" "$a" "$b" "$r" "$rmin-$rmax" "$l0/$l1" "$v" >>"$T/table"
}
row "cold, rolling 4 vs swarm" "<= 0.7x" "sh $T/evict.sh" -- sh "$T/ecp.sh" roll x y -- sh "$T/swarm.sh" x y
row "cold, recreate vs compose" "<= 0.7x" "sh $T/evict.sh" -- sh "$T/ecp.sh" one x y -- sh "$T/compose.sh" x y
# settle TAG: every tool runs TAG (not timed).
settle() {
  for env in roll one; do sh "$T/ecp.sh" "$env" "$1" "$1" >"$T/settle.log" 2>&1 || { cat "$T/settle.log"; die "ecp deploy $1 failed"; }; done
  sh "$T/swarm.sh" "$1" "$1" >/dev/null || die "docker service update to $1 failed"
  sh "$T/compose.sh" "$1" "$1" || die "docker-compose up of $1 failed"
}
settle x
row "app.jar changed, rolling 4 vs swarm" "<= 0.5x" "sh $T/evict.sh" -- sh "$T/ecp.sh" roll x x2 -- sh "$T/swarm.sh" x x2
row "app.jar changed, recreate vs compose" "<= 0.5x" "sh $T/evict.sh" -- sh "$T/ecp.sh" one x x2 -- sh "$T/compose.sh" x x2
settle x
row "unchanged, rolling 4 vs swarm" "<= 0.3 s" : -- sh "$T/ecp.sh" roll x x -- sh "$T/swarm.sh" x x
row "unchanged, recreate vs compose" "<= 0.3 s" : -- sh "$T/ecp.sh" one x x -- sh "$T/compose.sh" x x
# Both images of the rollback on the engine: x2, then x (not timed).
settle x2
settle x
row "rollback, rolling 4 vs service rollback" "<= 0.5x" : -- "$ECP" -C "$T/x" -q rollback --env roll -- "$DOCKER" service rollback -q bench
echo
cat "$T/table"
echo "Every tool's engine pulls the image from the loopback registry (ecp by digest). Builds and"
echo "pushes are not timed. Storage driver: ${BENCH_STORAGE_DRIVER:-overlay2}."
