#!/bin/sh
# The (app, env) lock at the target:
# - a second deploy while one runs fails at once with exit 8, naming the holder
#   and since when; with --lock-wait it waits and then releases;
# - a holder killed with -9 on this machine is seen gone (its pid): the lock is
#   taken over at once, and that release records the killed one crashed, naming
#   its pid; one held from another machine (another PID space) holds it until
#   its lease ends;
# - `ecp unlock` refuses without --force (exit 8), removes it with --force, and
#   the ledger records that;
# - a lock file that is not a lease is an error (exit 8), never a free lock.
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

# 2. A holder killed with -9 on this machine (same PID space): its pid is gone,
# so the next deploy takes the lock over at once, lease or not, and records the
# killed release crashed, naming its pid.
export ECP_LOCK_LEASE=10m
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
expect_exit 0 "$ECP" deploy --env dev
expect_grep "took over the lock of .*: its process $k is gone on this machine" "$T/err"
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

# 3. A holder on another machine (another PID space: its pid cannot be checked
# from here) holds the lock until its lease ends; then the lock is taken over.
# Its lease is written as that machine's ecp writes it.
lock=$ECP_HOME/targets/local/web/dev/state/lock.json
plant_lease() {
  python3 - "$lock" "$1" <<'PY'
import json, sys, time
now = int(time.time() * 1000)
json.dump({"holder": "ci on build-7 (pid 4242)", "operation": "deploy web/dev", "since_ms": now,
           "expires_ms": now + int(sys.argv[2]) * 1000, "token": "elsewhere",
           "pid_space": "another-boot/pid:[4026531836]", "pid": 4242}, open(sys.argv[1], "w"))
PY
}
plant_lease 2
expect_exit 0 "$ECP" deploy --env dev --force --lock-wait 2m
expect_grep "web/dev is locked by ci on build-7 \(pid 4242\) since .*; waiting" "$T/err"
expect_grep "took over an expired lock of ci on build-7" "$T/err"

# 4. unlock: refused without --force (exit 8, naming the holder), recorded with it.
plant_lease 600
expect_exit 8 "$ECP" deploy --env dev --force
expect_exit 8 "$ECP" unlock --env dev
expect_grep "web/dev is locked by ci on build-7 \(pid 4242\) .*; if that release is gone, remove the lock with --force" "$T/err"
ECP_WHO="ops on call" expect_exit 0 "$ECP" unlock --env dev --force
expect_grep "removed the lock of " "$T/out"
expect_exit 0 "$ECP" --output json history --env dev
[ "$(json_field "$T/out" 'r["events"][0]["type"]')" = unlock ] || die "the ledger has no unlock event"
[ "$(json_field "$T/out" 'r["events"][0]["who"]')" = "ops on call" ] || die "the unlock event does not say who"
expect_exit 0 "$ECP" history --env dev
expect_grep "^event .* unlock by ops on call: forced unlock" "$T/out"
expect_exit 0 "$ECP" unlock --env dev
expect_grep "is not locked" "$T/out"
set_config . GREETING held
expect_exit 0 "$ECP" deploy --env dev

# 5. A lock file that is not a lease is an error (exit 8, naming it), not a free
# lock: nothing is deployed until a person removes it.
printf '{"holder": "half a lea' >"$lock"
set_config . GREETING "after the corrupt lock"
expect_exit 8 "$ECP" deploy --env dev
expect_grep "the lock of web/dev on target 'local' \(lock.json\) is unreadable" "$T/err"
[ "$(curl -sf "http://127.0.0.1:$port/greeting")" = held ] || die "a deploy went on past a corrupt lock"
[ "$(cat "$lock")" = '{"holder": "half a lea' ] || die "the corrupt lock was changed"
expect_exit 0 "$ECP" unlock --env dev --force
expect_exit 0 "$ECP" deploy --env dev
[ "$(curl -sf "http://127.0.0.1:$port/greeting")" = "after the corrupt lock" ] || die "no deploy after the unlock"
echo "PASS: lock held (exit 8), --lock-wait, a dead holder and an expired lease taken over, unlock (exit 8 / --force recorded), a corrupt lock refused"
