#!/bin/sh
# SIGTERM and SIGINT during a deploy: ecp puts the previous revision back, records
# failed-rolled-back, releases the lock and exits 130. The old version serves the
# whole time it can (recreate stops it; rolling keeps the untouched instances).
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"

port=$(free_port)
make_web_app "$T/web" "$port" local 2 "{type: rolling, batch: 1}"
# A batch held by a gate file never turns healthy while the signal is on its way:
# the health wait is long (10 min) so only the signal ends it, however slow the machine.
sed -i 's/retries: 3}/retries: 600}/' "$T/web/ecp.yaml"
stop_at_exit "$ECP_HOME/targets/local"
cd "$T/web"
set_config . GREETING old
expect_exit 0 "$ECP" release --env dev

for sig in TERM INT; do
  set_config . GREETING "new-$sig"
  # The new revision's instance waits for a gate file that never appears: the
  # signal lands inside the rollout, with batch 1 started and not healthy.
  set_config . START_GATE "$T/gate-$sig-never"
  "$ECP" deploy --env dev >"$T/d.out" 2>"$T/d.err" &
  d=$!
  wait_for_line "$T/d.err" "batch 1/2" "$d"
  wait_for_line "$ECP_HOME/targets/local/web/dev/instances/a-0/logs/app.log" "web waiting for $T/gate-$sig-never" "$d"
  # The second instance was not touched: it serves the old version right now.
  [ "$(curl -sf "http://127.0.0.1:$((port + 1))/greeting")" = old ] || die "a-1 does not serve the old version"
  kill -s "$sig" "$d"
  set +e; wait "$d"; code=$?; set -e
  [ "$code" = 130 ] || { cat "$T/d.err"; die "SIG$sig: exit $code, expected 130"; }
  expect_grep "rolling back 1 instance" "$T/d.err"
  for p in $port $((port + 1)); do
    [ "$(curl -sf "http://127.0.0.1:$p/greeting")" = old ] || die "SIG$sig: port $p does not serve the old version"
  done
  expect_exit 0 "$ECP" --output json status --env dev --no-probe
  [ "$(json_field "$T/out" 'r["lock"]')" = None ] || die "SIG$sig: the lock is still held"
  [ "$(json_field "$T/out" 'r["latest"]["outcome"]')" = failed-rolled-back ] || die "SIG$sig: not failed-rolled-back"
  [ "$(json_field "$T/out" 'r["latest"]["message"]')" = interrupted ] || die "SIG$sig: the ledger does not say why"
  [ "$(json_field "$T/out" 'r["current"]["revision"]')" = 1 ] || die "SIG$sig: revision 1 should still be current"
done
set_config . START_GATE ""
expect_exit 0 "$ECP" deploy --env dev
echo "PASS: SIGTERM and SIGINT roll back, record, unlock and exit 130"
