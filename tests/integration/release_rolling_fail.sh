#!/bin/sh
# cost: 30
# Strategies on the local target with an app that never becomes healthy:
# - rolling (2 replicas, batch 1): the first batch fails its health check, the
#   rollout stops, the touched instance goes back to the previous revision, the
#   untouched one was never stopped; exit 6, ledger failed-rolled-back;
# - a crash-looping app fails fast (not after the whole health window);
# - recreate: the same, every instance back on the old revision;
# - when the old revision cannot come back either: exit 7, ledger failed;
# - a first release that fails leaves nothing running (exit 6).
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"

port=$(free_port)
make_web_app "$T/web" "$port" local 2 "{type: rolling, batch: 1, max_unavailable: 1}"
root=$ECP_HOME/targets/local/web/dev
stop_at_exit "$ECP_HOME/targets/local"
cd "$T/web"
p1=$port p2=$((port + 1))

# A first release that never gets healthy: nothing is left running.
set_config . HEALTHY no
expect_exit 6 "$ECP" release --env dev
expect_grep "revision 1 of web/dev failed and was undone: nothing served before it, nothing serves now" "$T/err"
expect_grep "health check failed" "$T/err"
! curl -sf "http://127.0.0.1:$p1/greeting" >/dev/null || die "a failed first release left an instance running"

# A good release.
set_config . HEALTHY yes
set_config . GREETING one
expect_exit 0 "$ECP" release --env dev
for p in $p1 $p2; do [ "$(curl -sf "http://127.0.0.1:$p/greeting")" = one ] || die "port $p does not serve 'one'"; done
pid2=$(cat "$root/instances/a-1/app.pid")

# Rolling to a revision that never gets healthy: batch 1 fails, a-0 goes back, a-1 is never touched.
set_config . GREETING two
set_config . HEALTHY no
expect_exit 6 "$ECP" deploy --env dev
expect_grep "batch 1/2: health check failed: a-0@local" "$T/err"
expect_grep "failed and was rolled back" "$T/err"
for p in $p1 $p2; do [ "$(curl -sf "http://127.0.0.1:$p/greeting")" = one ] || die "port $p does not serve 'one' again"; done
[ "$(cat "$root/instances/a-1/app.pid")" = "$pid2" ] || die "the untouched instance a-1 was restarted"
expect_exit 0 "$ECP" --output json history --env dev
[ "$(json_field "$T/out" 'r["records"][0]["outcome"]')" = failed-rolled-back ] || die "the ledger does not say failed-rolled-back"
[ "$(json_field "$T/out" 'r["records"][0]["from_revision"]')" = 2 ] || die "from_revision is not 2"
expect_exit 0 "$ECP" status --env dev
expect_grep "revision 2 " "$T/out"
expect_grep "last attempt: revision 3 failed-rolled-back" "$T/out"
[ "$(grep -cE ' running +[0-9]+ +healthy ' "$T/out")" = 2 ] || { cat "$T/out"; die "status does not show 2 healthy instances"; }

# A crash loop fails fast: the gate sees the process exit.
set_config . HEALTHY yes
set_config . CRASH yes
expect_exit 6 "$ECP" deploy --env dev
expect_grep "the process exited" "$T/err"
set_config . CRASH no

# recreate: every instance is touched, every instance goes back.
set_config . HEALTHY no
expect_exit 6 "$ECP" deploy --env dev --strategy recreate
for p in $p1 $p2; do [ "$(curl -sf "http://127.0.0.1:$p/greeting")" = one ] || die "recreate did not restore port $p"; done

# The way back fails too (the old release lost its entrypoint; the instances
# still run it): exit 7, ledger 'failed'.
rm -f "$root/releases/2/bin/entrypoint.sh"
expect_exit 7 "$ECP" deploy --env dev
expect_grep "needs attention" "$T/err"
expect_exit 0 "$ECP" --output json history --env dev
[ "$(json_field "$T/out" 'r["records"][0]["outcome"]')" = failed ] || die "the ledger does not say failed"
echo "PASS: failed batches roll back (exit 6), a failed way back needs attention (exit 7)"
