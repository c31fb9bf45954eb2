# The nginx layout from ecp init really serves: entrypoint.sh (under dash) renders
# the conf with the port from the environment and execs nginx, which serves
# app/html and /health as any user, with its pid and temporary files in NGINX_RUN_DIR.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
command -v dash >/dev/null 2>&1 || skip "dash is not installed"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || skip "nginx is not installed"
command -v curl >/dev/null 2>&1 || skip "curl is not installed"
# Run as root, nginx's workers switch to nobody: they must be able to read the site.
chmod 755 "$T"

cd "$T"
expect_exit 0 "$ECP" init --type nginx site
mkdir -p "$T/run"
port=$(free_port)
stop_nginx() { [ -z "${pid:-}" ] || kill "$pid" 2>/dev/null || true; }
add_cleanup stop_nginx
env NGINX="$NGINX" LISTEN_ADDRESS=127.0.0.1 LISTEN_PORT="$port" NGINX_RUN_DIR="$T/run" \
  dash "$T/site/app/bin/entrypoint.sh" >"$T/nginx.out" 2>"$T/nginx.err" &
pid=$!

tries=0
while :; do
  code=$(curl -s -o "$T/health" -w '%{http_code}' "http://127.0.0.1:$port/health" 2>/dev/null || true)
  [ "$code" = 000 ] || [ -z "$code" ] || break
  kill -0 "$pid" 2>/dev/null || { cat "$T/nginx.err"; die "nginx exited before it served"; }
  tries=$((tries + 1))
  [ "$tries" -lt 300 ] || { cat "$T/nginx.err"; skip "nginx did not answer on 127.0.0.1:$port"; }
  sleep 0.1
done
[ "$code" = 200 ] || { tail -30 "$T/nginx.err"; die "/health answered HTTP $code"; }
[ "$(cat "$T/health")" = ok ] || die "/health answered '$(cat "$T/health")'"
curl -sf "http://127.0.0.1:$port/" > "$T/index" || die "GET / failed"
expect_grep '<h1>site</h1>' "$T/index"
curl -s -o /dev/null -w '%{http_code} %{content_type}' "http://127.0.0.1:$port/index.html" > "$T/head"
expect_grep '^200 text/html' "$T/head"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/missing")" = 404 ] || die "a missing page is not 404"
expect_grep 'autoconfig: rendered nginx.conf' "$T/nginx.err"
# The pid file is where the conf says, and it is the process the entrypoint became.
[ "$(cat "$T/run/nginx.pid")" = "$pid" ] || die "nginx.pid does not hold the entrypoint's pid (exec)"
# nginx wrote nothing into the app folder.
[ -z "$(find "$T/site/app" -newer "$T/site/app/conf/nginx.conf" -type f)" ] || die "nginx wrote into the app folder"
kill "$pid"
wait "$pid" 2>/dev/null || true
pid=""
echo OK
