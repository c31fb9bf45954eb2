#!/bin/sh
# Day-two operations on the local target:
# - the supervisor restarts an app that dies (status counts the restart);
# - `ecp logs -f` follows new output until SIGINT, and ends with exit 130;
# - old releases are pruned (ECP_KEEP_RELEASES), the one that runs stays;
# - `ecp deploy --revision N` brings back revision N's image with today's
#   configuration;
# - a port taken by another program is reported as such, not as a healthy app;
# - status --output json carries each instance's pid, state and health.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"

port=$(free_port)
make_web_app "$T/web" "$port"
stop_at_exit "$ECP_HOME/targets/local"
root=$ECP_HOME/targets/local/web/dev
cd "$T/web"
expect_exit 0 "$ECP" release --env dev

# 1. The app dies: the supervisor starts it again.
pid=$(cat "$root/instances/a-0/app.pid")
kill -9 "$pid"
n=0
until [ -f "$root/instances/a-0/app.pid" ] && [ "$(cat "$root/instances/a-0/app.pid")" != "$pid" ] &&
  curl -sf "http://127.0.0.1:$port/health" >/dev/null; do
  n=$((n + 1)); [ "$n" -lt 3000 ] || die "the supervisor did not restart the app in 5 min"; sleep 0.1
done
expect_exit 0 "$ECP" --output json status --env dev
[ "$(json_field "$T/out" 'r["instances"][0]["restarts"]')" = 1 ] || die "status does not count the restart"
[ "$(json_field "$T/out" 'r["instances"][0]["state"]')" = running ] || die "the instance is not running"
[ "$(json_field "$T/out" 'r["instances"][0]["health"]')" = healthy ] || die "the instance is not healthy"
[ "$(json_field "$T/out" 'r["instances"][0]["pid"]')" = "$(cat "$root/instances/a-0/app.pid")" ] || die "status names another pid"
expect_grep "exited with status" "$root/instances/a-0/logs/app.log"

# 2. logs -f follows a restart's output, and SIGINT ends it cleanly.
"$ECP" logs --env dev -f -n 0 >"$T/follow.out" 2>"$T/follow.err" &
f=$!
# Ready when it follows: a marker line appended to the log comes out (appended
# again until it does, since -n 0 skips what was there before tail started).
n=0
until grep -q '^\[a-0@local\] logs-follow-ready$' "$T/follow.out"; do
  kill -0 "$f" 2>/dev/null || { cat "$T/follow.err"; die "logs -f ended before it followed"; }
  n=$((n + 1)); [ "$n" -lt 3000 ] || { cat "$T/follow.err"; die "logs -f printed no new line in 5 min"; }
  echo logs-follow-ready >>"$root/instances/a-0/logs/app.log"
  sleep 0.1
done
set_config . GREETING followed
expect_exit 0 "$ECP" deploy --env dev
wait_for_line "$T/follow.out" "^\[a-0@local\] web serving revision 2" "$f"
kill -INT "$f"
set +e; wait "$f"; code=$?; set -e
[ "$code" = 130 ] || { cat "$T/follow.err"; die "logs -f ended with $code after SIGINT, not 130"; }

# 3. Pruning: with 2 kept, old releases go; the serving one stays.
export ECP_KEEP_RELEASES=2
for g in three four five; do
  set_config . GREETING "$g"
  expect_exit 0 "$ECP" deploy --env dev
done
ls "$root/releases" >"$T/releases"
[ "$(wc -l <"$T/releases")" = 2 ] || { cat "$T/releases"; die "expected 2 releases kept"; }
expect_grep '^5$' "$T/releases"
expect_grep '^4$' "$T/releases"
unset ECP_KEEP_RELEASES

# 4. --revision N: revision 1's image (web v1) with today's configuration.
printf '<h1>web v2</h1>\n' >app/html/index.html
expect_exit 0 "$ECP" release --env dev
[ "$(curl -sf "http://127.0.0.1:$port/")" = "<h1>web v2</h1>" ] || die "v2 does not serve"
expect_exit 0 "$ECP" deploy --env dev --revision 1
[ "$(curl -sf "http://127.0.0.1:$port/")" = "<h1>web v1</h1>" ] || die "--revision 1 did not bring v1 back"
[ "$(curl -sf "http://127.0.0.1:$port/greeting")" = five ] || die "--revision kept the old configuration"

# 5. Another program on the port of a second environment's instance.
cat >>ecp.yaml <<'YAML'
  test:
    target: local
    replicas: 1
    strategy: recreate
YAML
expect_exit 6 "$ECP" deploy --env test
expect_grep "port $port is in use by another program" "$T/err"
# The first release of test: nothing served before, so nothing "serves again".
expect_grep "failed and was undone: nothing served before it, nothing serves now" "$T/err"
expect_no_grep "the previous revision serves" "$T/err"
[ "$(curl -sf "http://127.0.0.1:$port/greeting")" = five ] || die "the dev instance was disturbed"
echo "PASS: restarts, logs -f, pruning, --revision, port conflicts"
