#!/bin/sh
# examples/hello-tomcat for real: compile its servlets from source (build.sh), then
# start two copies of its layout on Tomcat 10 through app/bin/entrypoint.sh
# (autoconfig.sh renders conf/server.xml and conf/context.xml, then
# "catalina.sh run" with CATALINA_BASE = the copy). One instance is configured by
# autoconfig.properties, the other by environment variables; each gets a free
# loopback port. Checks the shutdown port is off (-1), that /health answers and
# that / shows each instance's own greeting, read from the Tomcat context.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"

for tool in java javac curl; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (openjdk-17-jdk-headless, curl)"
done
if [ -z "${CATALINA_HOME:-}" ]; then
  for home in /tomcat /usr/local/tomcat /usr/share/tomcat10; do
    if [ -x "$home/bin/catalina.sh" ]; then CATALINA_HOME=$home; break; fi
  done
fi
if [ -z "${CATALINA_HOME:-}" ] || [ ! -f "$CATALINA_HOME/bin/catalina.sh" ]; then
  skip "Tomcat 10 is not installed (tomcat10, or set CATALINA_HOME)"
fi
[ -f "$CATALINA_HOME/lib/catalina.jar" ] || skip "$CATALINA_HOME has no lib/catalina.jar"
export CATALINA_HOME

pids=""
stop_all() { for p in $pids; do kill "$p" 2>/dev/null || true; done; }
add_cleanup stop_all

wait_up() {
  n=0
  until curl -sf -o /dev/null "$2"; do
    kill -0 "$1" 2>/dev/null || { cat "$3"; die "Tomcat (pid $1) exited before $2 answered"; }
    n=$((n + 1))
    [ "$n" -lt 1500 ] || { cat "$3"; die "$2 did not answer"; }
    sleep 0.2
  done
}

cp -R "$ECP_SOURCE_DIR/examples/hello-tomcat" "$T/src"
rm -rf "$T/src/app/webapps/ROOT/WEB-INF/classes"
sh "$T/src/build.sh" >"$T/build.log" 2>&1 || { cat "$T/build.log"; die "build.sh failed"; }
[ -f "$T/src/app/webapps/ROOT/WEB-INF/classes/com/example/hello/HelloServlet.class" ] ||
  die "build.sh made no HelloServlet.class"

used_ports=""
new_port() {
  p=$(free_port)
  while case " $used_ports " in *" $p "*) true ;; *) false ;; esac; do p=$(free_port); done
  used_ports="$used_ports $p"
  echo "$p"
}

# Instance A: all values from autoconfig.properties (XML-escaped, as its comment asks).
port_a=$(new_port)
cp -R "$T/src/app" "$T/a"
mkdir -p "$T/a-tmp"
cat >>"$T/a/conf/autoconfig.properties" <<PROPS
GREETING=Servus from Tomcat A &amp; friends
LISTEN_ADDRESS=127.0.0.1
LISTEN_PORT=$port_a
TOMCAT_WORK_DIR=$T/a-tmp/work
PROPS
CATALINA_TMPDIR="$T/a-tmp" sh "$T/a/bin/entrypoint.sh" >"$T/a.log" 2>&1 &
pid_a=$!; pids="$pids $pid_a"

# Instance B: the environment wins over the file.
port_b=$(new_port)
cp -R "$T/src/app" "$T/b"
mkdir -p "$T/b-tmp"
printf 'GREETING=from the file\n' >>"$T/b/conf/autoconfig.properties"
GREETING="Ciao from Tomcat B" LISTEN_ADDRESS=127.0.0.1 LISTEN_PORT=$port_b \
  TOMCAT_WORK_DIR="$T/b-tmp/work" CATALINA_TMPDIR="$T/b-tmp" \
  sh "$T/b/bin/entrypoint.sh" >"$T/b.log" 2>&1 &
pid_b=$!; pids="$pids $pid_b"

wait_up "$pid_a" "http://127.0.0.1:$port_a/health" "$T/a.log"
wait_up "$pid_b" "http://127.0.0.1:$port_b/health" "$T/b.log"

for x in a b; do
  eval "port=\$port_$x"
  expect_grep "<Server port=\"-1\"" "$T/$x/conf/server.xml"
  expect_grep "<Connector port=\"$port\" address=\"127\.0\.0\.1\"" "$T/$x/conf/server.xml"
  curl -sf "http://127.0.0.1:$port/health" >"$T/$x.health"
  expect_grep '^ok$' "$T/$x.health"
  curl -sf "http://127.0.0.1:$port/" >"$T/$x.page"
  expect_grep 'Apache Tomcat/10\.' "$T/$x.page"
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/no-such-page")
  [ "$code" = 404 ] || die "/no-such-page answered $code on $x, expected 404"
done
# A's "&amp;" became "&" in the context parameter and "&amp;" again in the HTML.
expect_grep '<h1 id="greeting">Servus from Tomcat A &amp; friends</h1>' "$T/a.page"
expect_grep '<h1 id="greeting">Ciao from Tomcat B</h1>' "$T/b.page"
expect_no_grep 'from the file|Servus' "$T/b.page"

# entrypoint.sh execs catalina.sh, which execs java: the PID is the JVM, and
# SIGTERM runs Tomcat's orderly shutdown.
for x in a b; do
  eval "port=\$port_$x pid=\$pid_$x"
  kill "$pid"
  wait "$pid" || true
  ! kill -0 "$pid" 2>/dev/null || die "Tomcat pid $pid still runs after SIGTERM"
  ! curl -sf -o /dev/null "http://127.0.0.1:$port/health" || die "port $port still answers after stop"
done
pids=""
echo "PASS: hello-tomcat built, two Tomcat instances served their own configuration"
