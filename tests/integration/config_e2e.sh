#!/bin/sh
# Configuration end to end, for each example: build it (build.sh), render two
# environments with `ecp config render`, hand each rendered file to the layout the
# two ways a release does - ECP_AUTOCONFIG_FILE pointing at it, or written as
# conf/autoconfig.properties of the copy - start app/bin/entrypoint.sh, and check
# that each environment's values reach the running server:
#   hello-jar    the Java service answers with its environment's greeting;
#   hello-site   nginx listens on its environment's port and serves its greeting;
#   hello-tomcat the Tomcat context parameter carries its environment's greeting.
# The greetings come from ecp.yaml (environments.dev/prod.config); the loopback
# address and free ports from --values and --set. An example whose runtime is
# missing is skipped (skip_part); the test skips (125) only when all three are.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
command -v curl >/dev/null 2>&1 || skip "curl is not installed"

pids=""
stop_all() { for p in $pids; do kill "$p" 2>/dev/null || true; done; }
add_cleanup stop_all
chmod 755 "$T"  # nginx workers (user nobody when run as root) must reach the copies

used=""
new_port() {
  port=$(free_port)
  while case " $used " in *" $port "*) true ;; *) false ;; esac; do port=$(free_port); done
  used="$used $port"
}
wait_up() {  # wait_up PID URL LOG
  n=0
  until curl -sf -o /dev/null "$2"; do
    kill -0 "$1" 2>/dev/null || { cat "$3"; die "the server (pid $1) exited before $2 answered"; }
    n=$((n + 1))
    [ "$n" -lt 1500 ] || { cat "$3"; die "$2 did not answer"; }
    sleep 0.2
  done
}
stop() {  # stop PID PORT: SIGTERM, and the port is free again
  kill "$1"
  wait "$1" || true
  ! curl -sf -o /dev/null "http://127.0.0.1:$2/health" || die "port $2 still answers after stop"
}
# The environment must not shadow the rendered file (autoconfig.sh reads variables
# first). Started with env directly, so $! is the server's PID (entrypoint.sh execs it).
unset_vars="-u GREETING -u LISTEN_PORT -u LISTEN_ADDRESS -u NGINX_RUN_DIR -u TOMCAT_WORK_DIR -u LOG_LEVEL"

# prepare NAME: copies examples/NAME to $T/NAME and runs its build.sh if it has one.
prepare() {
  cp -R "$ECP_SOURCE_DIR/examples/$1" "$T/$1"
  if [ -f "$T/$1/build.sh" ]; then
    sh "$T/$1/build.sh" >"$T/$1.build.log" 2>&1 || { cat "$T/$1.build.log"; die "$1: build.sh failed"; }
  fi
}

# render NAME ENV PORT [--set ...]: renders ENV of NAME into $T/NAME-ENV.properties.
# Port and address come from a --values file, the rest of the arguments are --set.
render() {
  name=$1 env=$2 port=$3
  shift 3
  printf 'LISTEN_ADDRESS=127.0.0.1\nLISTEN_PORT=%s\n' "$port" >"$T/$name-$env.values.properties"
  "$ECP" -C "$T/$name" config render --env "$env" --values "$T/$name-$env.values.properties" "$@" \
    --out "$T/$name-$env.properties" >"$T/render.out" 2>&1 || { cat "$T/render.out"; die "$name: render $env failed"; }
  expect_grep "^GREETING=Hello from $env\$" "$T/$name-$env.properties"
  expect_grep "^LISTEN_PORT=$port\$" "$T/$name-$env.properties"
}

# start NAME ENV HOW [VAR=VALUE...]: a fresh copy of the layout in $T/NAME-ENV, given
# the rendered file by HOW (file: ECP_AUTOCONFIG_FILE, conf: conf/autoconfig.properties).
start() {
  name=$1 env=$2 how=$3
  shift 3
  cp -R "$T/$name/app" "$T/$name-$env"
  if [ "$how" = conf ]; then
    cp "$T/$name-$env.properties" "$T/$name-$env/conf/autoconfig.properties"
    # shellcheck disable=SC2086
    env $unset_vars -u ECP_AUTOCONFIG_FILE "$@" sh "$T/$name-$env/bin/entrypoint.sh" >"$T/$name-$env.log" 2>&1 &
  else
    # shellcheck disable=SC2086
    env $unset_vars ECP_AUTOCONFIG_FILE="$T/$name-$env.properties" "$@" \
      sh "$T/$name-$env/bin/entrypoint.sh" >"$T/$name-$env.log" 2>&1 &
  fi
  pid=$!
  pids="$pids $pid"
}

ran=""

# --- hello-jar: the Java service answers with its configured greeting.
if command -v java >/dev/null 2>&1 && command -v javac >/dev/null 2>&1 && command -v jar >/dev/null 2>&1; then
  prepare hello-jar
  new_port; port_dev=$port
  new_port; port_prod=$port
  render hello-jar dev "$port_dev"
  render hello-jar prod "$port_prod" --set LOG_LEVEL=WARN
  start hello-jar dev file; pid_dev=$pid
  start hello-jar prod conf; pid_prod=$pid
  for env in dev prod; do
    eval "port=\$port_$env pid=\$pid_$env"
    wait_up "$pid" "http://127.0.0.1:$port/health" "$T/hello-jar-$env.log"
    curl -sf "http://127.0.0.1:$port/" >"$T/jar-$env.page"
    expect_grep "<h1 id=\"greeting\">Hello from $env</h1>" "$T/jar-$env.page"
    expect_grep "on port $port\\." "$T/jar-$env.page"
  done
  expect_no_grep 'Hello from prod' "$T/jar-dev.page"
  expect_grep '^    root: "WARN"$' "$T/hello-jar-prod/conf/application.yaml"
  stop "$pid_dev" "$port_dev"
  stop "$pid_prod" "$port_prod"
  pids=""
  ran="$ran hello-jar"
else
  skip_part "hello-jar needs java, javac and jar"
fi

# --- hello-site: nginx listens on its configured port and serves its greeting.
nginx=$(command -v nginx 2>/dev/null || true)
[ -n "$nginx" ] || { [ ! -x /usr/sbin/nginx ] || nginx=/usr/sbin/nginx; }
if [ -n "$nginx" ] && "$nginx" -v >/dev/null 2>&1; then
  prepare hello-site
  new_port; port_dev=$port
  new_port; port_prod=$port
  mkdir -p "$T/site-run-dev" "$T/site-run-prod"
  render hello-site dev "$port_dev" --set NGINX_RUN_DIR="$T/site-run-dev"
  render hello-site prod "$port_prod" --set NGINX_RUN_DIR="$T/site-run-prod"
  start hello-site dev conf NGINX="$nginx"; pid_dev=$pid
  start hello-site prod file NGINX="$nginx"; pid_prod=$pid
  for env in dev prod; do
    eval "port=\$port_$env pid=\$pid_$env"
    wait_up "$pid" "http://127.0.0.1:$port/health" "$T/hello-site-$env.log"
    expect_grep "listen 127\\.0\\.0\\.1:$port;" "$T/hello-site-$env/conf/conf.d/default.conf"
    curl -sf "http://127.0.0.1:$port/config.json" >"$T/site-$env.json"
    expect_grep "^\\{\"greeting\": \"Hello from $env\"\\}\$" "$T/site-$env.json"
  done
  stop "$pid_dev" "$port_dev"
  stop "$pid_prod" "$port_prod"
  pids=""
  ran="$ran hello-site"
else
  skip_part "hello-site needs nginx"
fi

# --- hello-tomcat: the context parameter carries its configured greeting.
if [ -z "${CATALINA_HOME:-}" ]; then
  for home in /tomcat /usr/local/tomcat /usr/share/tomcat10; do
    if [ -x "$home/bin/catalina.sh" ]; then CATALINA_HOME=$home; break; fi
  done
fi
if command -v java >/dev/null 2>&1 && command -v javac >/dev/null 2>&1 && [ -n "${CATALINA_HOME:-}" ] &&
  [ -f "$CATALINA_HOME/lib/catalina.jar" ]; then
  export CATALINA_HOME
  prepare hello-tomcat
  new_port; port_dev=$port
  new_port; port_prod=$port
  mkdir -p "$T/tc-dev" "$T/tc-prod"
  render hello-tomcat dev "$port_dev" --set TOMCAT_WORK_DIR="$T/tc-dev/work"
  render hello-tomcat prod "$port_prod" --set TOMCAT_WORK_DIR="$T/tc-prod/work"
  start hello-tomcat dev file CATALINA_TMPDIR="$T/tc-dev"; pid_dev=$pid
  start hello-tomcat prod conf CATALINA_TMPDIR="$T/tc-prod"; pid_prod=$pid
  for env in dev prod; do
    eval "port=\$port_$env pid=\$pid_$env"
    wait_up "$pid" "http://127.0.0.1:$port/health" "$T/hello-tomcat-$env.log"
    expect_grep "<Parameter name=\"greeting\" value=\"Hello from $env\"" "$T/hello-tomcat-$env/conf/context.xml"
    curl -sf "http://127.0.0.1:$port/" >"$T/tomcat-$env.page"
    expect_grep "<h1 id=\"greeting\">Hello from $env</h1>" "$T/tomcat-$env.page"
  done
  stop "$pid_dev" "$port_dev"
  stop "$pid_prod" "$port_prod"
  pids=""
  ran="$ran hello-tomcat"
else
  skip_part "hello-tomcat needs java, javac and Tomcat 10 (tomcat10, or set CATALINA_HOME)"
fi

[ -n "$ran" ] || skip "none of java, nginx or Tomcat is installed"
echo "PASS: rendered configurations reached the running servers of:$ran"
