#!/bin/sh
# The (app, env) lock at the target:
# - a second deploy while one runs fails at once with exit 8, naming the holder
#   and since when; with --lock-wait it waits and then releases;
# - a holder that crashed (kill -9) stops renewing its lease: after the lease the
#   lock can be taken over; the ledger shows the crashed revision in-progress
#   until then, and the release that takes the lock over records it crashed,
#   naming the killed release's pid;
# - `ecp unlock` refuses without --force, removes it with --force, and the ledger
#   records that.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"

port=$(free_port)
make_web_app "$T/web" "$port"
# An instance held by a gate file turns healthy only once the test opens it: the
# health wait is long (10 min), so no window depends on the machine's speed.
sed -i 's/retries: 3}/retries: 600}/' "$T/web/ecp.yaml"
stop_at_exit "$ECP_HOME/targets/local"
cd "$T/web"
expect_exit 0 "$ECP" release --env dev

# 1. A slow deploy holds the lock; a second one is refused with exit 8, a third waits.
set_config . START_GATE "$T/gate-1"
set_config . GREETING slow
"$ECP" deploy --env dev >"$T/a.out" 2>"$T/a.err" &
a=$!
wait_for_line "$T/a.err" "starting 1 instance" "$a"
export ECP_WHO="second deployer"
expect_exit 8 "$ECP" deploy --env dev --force
expect_grep "web/dev is locked by .* since 20[0-9-]+T" "$T/err"
expect_grep "deploy web/dev" "$T/err"
expect_grep "lock-wait" "$T/err"
expect_exit 0 "$ECP" --output json status --env dev
[ "$(json_field "$T/out" 'r["lock"]["operation"]')" = "deploy web/dev" ] || die "status does not show the lock"
"$ECP" deploy --env dev --force --lock-wait 2m >"$T/c.out" 2>"$T/c.err" &
c=$!
wait_for_line "$T/c.err" "waiting" "$c"
touch "$T/gate-1"
wait "$a" || { cat "$T/a.err"; die "the first deploy failed"; }
wait "$c" || { cat "$T/c.err"; die "the waiting deploy failed"; }
expect_grep "waiting" "$T/c.err"
expect_grep "revision 3 of web/dev succeeded" "$T/c.out"
unset ECP_WHO

# 2. A crashed holder: kill -9 mid-deploy with a 2 s lease; the lease runs out and the lock is taken over.
export ECP_LOCK_LEASE=2s
set_config . START_GATE "$T/gate-never-2"
set_config . GREETING crashed
"$ECP" deploy --env dev >"$T/k.out" 2>"$T/k.err" &
k=$!
wait_for_line "$T/k.err" "starting 1 instance" "$k"
kill -9 "$k"
wait "$k" || true
expect_exit 0 "$ECP" status --env dev --no-probe
expect_grep "last attempt: revision 4 in-progress" "$T/out"
expect_grep "^lock: held by " "$T/out"
set_config . START_GATE ""
expect_exit 0 "$ECP" deploy --env dev --lock-wait 30s
expect_grep "took over an expired lock" "$T/err"
expect_grep "revision 5 of web/dev succeeded" "$T/out"
expect_grep "revision 4 was left in progress by a release that is gone: recorded as crashed" "$T/err"
[ "$(curl -sf "http://127.0.0.1:$port/greeting")" = crashed ] || die "the takeover did not deploy"
expect_exit 0 "$ECP" --output json history --env dev
python3 - "$T/out" "$k" <<'PY' || { cat "$T/out"; die "revision 4 is not recorded crashed with its pid"; }
import json, sys
r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
rec = {x["revision"]: x for x in r["records"]}[4]
assert rec["outcome"] == "crashed" and "(pid %s)" % sys.argv[2] in rec["message"], rec
assert rec["holder"].endswith("(pid %s)" % sys.argv[2]) and rec["finished"], rec
PY

# 3. unlock: refused without --force, recorded with it.
export ECP_LOCK_LEASE=10m
set_config . START_GATE "$T/gate-never-3"
set_config . GREETING held
"$ECP" deploy --env dev >"$T/h.out" 2>"$T/h.err" &
h=$!
wait_for_line "$T/h.err" "starting 1 instance" "$h"
kill -9 "$h"
wait "$h" || true
expect_exit 8 "$ECP" deploy --env dev --force
expect_exit 2 "$ECP" unlock --env dev
expect_grep "remove the lock with --force" "$T/err"
ECP_WHO="ops on call" expect_exit 0 "$ECP" unlock --env dev --force
expect_grep "removed the lock of " "$T/out"
expect_exit 0 "$ECP" --output json history --env dev
[ "$(json_field "$T/out" 'r["events"][0]["type"]')" = unlock ] || die "the ledger has no unlock event"
[ "$(json_field "$T/out" 'r["events"][0]["who"]')" = "ops on call" ] || die "the unlock event does not say who"
expect_exit 0 "$ECP" history --env dev
expect_grep "^event .* unlock by ops on call: forced unlock" "$T/out"
expect_exit 0 "$ECP" unlock --env dev
expect_grep "is not locked" "$T/out"
set_config . START_GATE ""
expect_exit 0 "$ECP" deploy --env dev
echo "PASS: lock held (exit 8), --lock-wait, expired lease taken over, forced unlock recorded"
