#!/bin/sh
# examples/hello-jar for real: build it from source (javac + jar), then start two
# copies of its layout through app/bin/entrypoint.sh (autoconfig.sh renders
# conf/application.yaml, then java runs lib/application.jar) with different
# configurations - one from autoconfig.properties, one from environment variables -
# on free loopback ports, and check each serves /health and its own greeting.
# A configuration missing a required key must keep the service from starting.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"

for tool in java javac jar curl; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (openjdk-17-jdk-headless, curl)"
done

pids=""
stop_all() { for p in $pids; do kill "$p" 2>/dev/null || true; done; }
add_cleanup stop_all

# wait_up PID URL LOG: polls URL until it answers 200; fails if PID exits first.
wait_up() {
  n=0
  until curl -sf -o /dev/null "$2"; do
    kill -0 "$1" 2>/dev/null || { cat "$3"; die "the service (pid $1) exited before $2 answered"; }
    n=$((n + 1))
    [ "$n" -lt 1500 ] || { cat "$3"; die "$2 did not answer"; }
    sleep 0.2
  done
}

# Build in a copy so the test never races with a build in the source tree.
cp -R "$ECP_SOURCE_DIR/examples/hello-jar" "$T/src"
rm -rf "$T/src/build" "$T/src/app/lib"/*.jar
sh "$T/src/build.sh" >"$T/build.log" 2>&1 || { cat "$T/build.log"; die "build.sh failed"; }
[ -f "$T/src/app/lib/application.jar" ] || die "build.sh made no app/lib/application.jar"
[ -f "$T/src/app/lib/hello-text.jar" ] || die "build.sh made no dependency jar"

# Instance A: every value from its autoconfig.properties.
port_a=$(free_port)
cp -R "$T/src/app" "$T/a"
cat >>"$T/a/conf/autoconfig.properties" <<PROPS
GREETING=Guten Tag from instance A
LISTEN_ADDRESS=127.0.0.1
LISTEN_PORT=$port_a
PROPS
sh "$T/a/bin/entrypoint.sh" >"$T/a.log" 2>&1 &
pid_a=$!; pids="$pids $pid_a"

# Instance B: the file says one thing, the environment (which wins) another.
port_b=$(free_port)
[ "$port_b" != "$port_a" ] || port_b=$(free_port)
cp -R "$T/src/app" "$T/b"
printf 'GREETING=from the file\nLISTEN_PORT=1\n' >>"$T/b/conf/autoconfig.properties"
shell_b="sh"
command -v dash >/dev/null 2>&1 && shell_b=dash
GREETING="Bonjour from instance B" LISTEN_ADDRESS=127.0.0.1 LISTEN_PORT=$port_b \
  "$shell_b" "$T/b/bin/entrypoint.sh" >"$T/b.log" 2>&1 &
pid_b=$!; pids="$pids $pid_b"

wait_up "$pid_a" "http://127.0.0.1:$port_a/health" "$T/a.log"
wait_up "$pid_b" "http://127.0.0.1:$port_b/health" "$T/b.log"

for x in a b; do
  eval "port=\$port_$x"
  curl -sf "http://127.0.0.1:$port/health" >"$T/$x.health"
  expect_grep '^ok$' "$T/$x.health"
  curl -sf "http://127.0.0.1:$port/" >"$T/$x.page"
  expect_grep "on port $port\." "$T/$x.page"
  # the rendered conf is what the service read
  expect_grep "^  port: $port\$" "$T/$x/conf/application.yaml"
done
expect_grep '<h1 id="greeting">Guten Tag from instance A</h1>' "$T/a.page"
expect_no_grep 'Bonjour' "$T/a.page"
expect_grep '<h1 id="greeting">Bonjour from instance B</h1>' "$T/b.page"
expect_no_grep 'from the file|Guten Tag' "$T/b.page"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port_a/no-such-page")
[ "$code" = 404 ] || die "/no-such-page answered $code, expected 404"

# Stop by PID: entrypoint.sh execs java, so the PID we started is the JVM.
for p in $pid_a $pid_b; do
  kill "$p"
  wait "$p" || true
  ! kill -0 "$p" 2>/dev/null || die "pid $p still runs after SIGTERM"
done
pids=""
! curl -sf -o /dev/null "http://127.0.0.1:$port_a/health" || die "port $port_a still answers after stop"

# A configuration without GREETING (no default in the template) must not start.
cp -R "$T/src/app" "$T/c"
printf 'LISTEN_PORT=%s\nLISTEN_ADDRESS=127.0.0.1\n' "$(free_port)" >"$T/c/conf/autoconfig.properties"
expect_exit 1 env -u GREETING sh "$T/c/bin/entrypoint.sh"
expect_grep 'GREETING' "$T/err"
echo "PASS: hello-jar built, two instances served their own configuration"
