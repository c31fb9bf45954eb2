#!/bin/sh
# examples/hello-site for real: two copies of its layout served by nginx through
# app/bin/entrypoint.sh (autoconfig.sh renders nginx.conf and conf.d/default.conf,
# then nginx -p app/ -c conf/nginx.conf runs in the foreground), each on its own
# free loopback port with its own greeting. Checks that the configured port is the
# one listening, that index.html, css, js and images come back byte for byte, and
# that /config.json carries each instance's configured greeting.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"

command -v curl >/dev/null 2>&1 || skip "curl is not installed"
nginx=$(command -v nginx 2>/dev/null || true)
[ -n "$nginx" ] || { [ -x /usr/sbin/nginx ] && nginx=/usr/sbin/nginx; } || skip "nginx is not installed"
"$nginx" -v >/dev/null 2>&1 || skip "$nginx does not run"

pids=""
stop_all() { for p in $pids; do kill "$p" 2>/dev/null || true; done; }
add_cleanup stop_all

wait_up() {
  n=0
  until curl -sf -o /dev/null "$2"; do
    kill -0 "$1" 2>/dev/null || { cat "$3"; die "nginx (pid $1) exited before $2 answered"; }
    n=$((n + 1))
    [ "$n" -lt 1500 ] || { cat "$3"; die "$2 did not answer"; }
    sleep 0.2
  done
}

# nginx started as root serves files from unprivileged workers (user nobody):
# they must be able to reach the copies under $T, which mktemp made private.
chmod 755 "$T"
src="$ECP_SOURCE_DIR/examples/hello-site"

start() { # start NAME GREETING: copies the layout to $T/NAME and starts it
  port=$(free_port)
  while grep -qx "$port" "$T/ports" 2>/dev/null; do port=$(free_port); done
  echo "$port" >>"$T/ports"
  cp -R "$src/app" "$T/$1"
  mkdir -p "$T/$1-run"
  cat >>"$T/$1/conf/autoconfig.properties" <<PROPS
GREETING=$2
LISTEN_ADDRESS=127.0.0.1
LISTEN_PORT=$port
NGINX_RUN_DIR=$T/$1-run
PROPS
  NGINX="$nginx" sh "$T/$1/bin/entrypoint.sh" >"$T/$1.log" 2>&1 &
  pid=$!; pids="$pids $pid"
  eval "port_$1=$port pid_$1=$pid"
}
start one "Hello from site one"
start two "Hej from site two"

for x in one two; do
  eval "port=\$port_$x pid=\$pid_$x"
  wait_up "$pid" "http://127.0.0.1:$port/health" "$T/$x.log"
  # the rendered conf names the configured port, and that port answers
  expect_grep "listen 127\.0\.0\.1:$port;" "$T/$x/conf/conf.d/default.conf"
  curl -sf "http://127.0.0.1:$port/" -o "$T/$x.index"
  cmp -s "$T/$x.index" "$src/app/html/index.html" || die "/ is not index.html on $x"
  for f in css/site.css js/site.js images/logo.png images/tile.png; do
    curl -sf "http://127.0.0.1:$port/$f" -D "$T/$x.headers" -o "$T/$x.file"
    cmp -s "$T/$x.file" "$src/app/html/$f" || die "/$f differs from app/html/$f on $x"
  done
  expect_grep '^[Cc]ontent-[Tt]ype: image/png' "$T/$x.headers"
  curl -sf "http://127.0.0.1:$port/config.json" -o "$T/$x.config"
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/no-such-file.html")
  [ "$code" = 404 ] || die "/no-such-file.html answered $code on $x, expected 404"
done
expect_grep '^\{"greeting": "Hello from site one"\}$' "$T/one.config"
expect_grep '^\{"greeting": "Hej from site two"\}$' "$T/two.config"

# entrypoint.sh execs nginx in the foreground: the PID is nginx's master, and
# SIGTERM (what a runtime sends) stops it and frees the port.
for x in one two; do
  eval "port=\$port_$x pid=\$pid_$x"
  kill "$pid"
  wait "$pid" || true
  ! kill -0 "$pid" 2>/dev/null || die "nginx pid $pid still runs after SIGTERM"
  ! curl -sf -o /dev/null "http://127.0.0.1:$port/health" || die "port $port still answers after stop"
done
pids=""
echo "PASS: hello-site served by nginx on the configured ports"
