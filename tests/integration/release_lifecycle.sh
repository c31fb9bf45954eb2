#!/bin/sh
# cost: 20
# ecp stop, start and remove on the local target (the host plugin's agent, as
# on SSH hosts), with two instances:
#   1. stop: both stop, nothing answers, the ledger gains a "stop" event and no
#      revision; status says stopped;
#   2. start: both run again on their revision and ports and pass their health
#      checks (JSON events name each instance);
#   3. remove: every instance stops; the ledger keeps the revision;
#   4. remove --purge: refused without a terminal or --yes; with --yes the
#      releases and the ledger are gone, and start has nothing to start.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"

port=$(free_port)
make_web_app "$T/web" "$port" local 2
stop_at_exit "$ECP_HOME/targets/local"
cd "$T/web"
answers() { curl -sf "http://127.0.0.1:$1/greeting" >/dev/null; }

expect_exit 0 "$ECP" release --env dev
answers "$port" && answers $((port + 1)) || die "the release does not answer"
root=$ECP_HOME/targets/local/web/dev

# 1. stop
expect_exit 0 "$ECP" stop --env dev
expect_grep "^stopped 2 instance\(s\) of web/dev \(revision 1\); recorded in the ledger" "$T/out"
! answers "$port" && ! answers $((port + 1)) || die "an instance still answers after ecp stop"
expect_exit 0 "$ECP" status --env dev
expect_grep "^a-0 +local +1 .* stopped " "$T/out"
expect_grep "^a-1 +local +1 .* stopped " "$T/out"
expect_exit 0 "$ECP" history --env dev
expect_grep "^event .* stop by .*: stop 2 instance\(s\) of revision 1" "$T/out"
[ "$(grep -c '^ *[0-9]  ' "$T/out")" = 1 ] || die "ecp stop recorded a revision"

# 2. start
expect_exit 0 "$ECP" -o json start --env dev
python3 - "$T/out" <<'PY' || die "ecp start's JSON is not what it should be"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
r = lines[-1]
assert r["type"] == "result" and r["ok"] and r["revision"] == 1, r
assert sorted(r["instances"]) == ["a-0@local", "a-1@local"], r
healthy = sorted(l["instance"] for l in lines if l.get("event") == "healthy")
assert healthy == ["a-0@local", "a-1@local"], lines
PY
answers "$port" && answers $((port + 1)) || die "ecp start did not bring the instances back"
expect_exit 0 "$ECP" history --env dev
expect_grep "^event .* start by .*: start 2 instance\(s\) of revision 1" "$T/out"

# exec: a command in an instance's folder and environment; its words and its
# exit status are its own.
expect_exit 0 "$ECP" exec --env dev -- sh -c 'echo "$LISTEN_PORT $ECP_REVISION $ECP_INSTANCE $(pwd -P)"'
[ "$(cat "$T/out")" = "$port 1 a-0 $(cd "$root/instances/a-0/app" && pwd -P)" ] || die "exec: $(cat "$T/out")"
expect_grep "running in a-0@local" "$T/err"
expect_exit 0 "$ECP" exec --env dev --instance a-1 -- printf '%s|' "two words" "it's \$HOME"
[ "$(cat "$T/out")" = "two words|it's \$HOME|" ] || die "exec changed the arguments: $(cat "$T/out")"
expect_exit 3 "$ECP" exec --env dev -- sh -c 'exit 3'
expect_exit 2 "$ECP" exec --env dev --instance b-7 -- true
expect_grep "has no instance 'b-7'" "$T/err"

# 3. remove
expect_exit 0 "$ECP" remove --env dev
! answers "$port" && ! answers $((port + 1)) || die "an instance still answers after ecp remove"
expect_exit 0 "$ECP" history --env dev
expect_grep "^event .* remove by .*: remove 2 instance\(s\) of revision 1" "$T/out"
[ -d "$root/releases/1" ] || die "remove without --purge deleted the release"

# 4. remove --purge
expect_exit 2 "$ECP" remove --env dev --purge </dev/null
expect_grep "confirm with --yes" "$T/err"
[ -d "$root/releases/1" ] || die "an unconfirmed purge deleted the release"
expect_exit 0 "$ECP" remove --env dev --purge --yes
expect_grep "its releases and ledger are deleted" "$T/out"
[ ! -d "$root/releases/1" ] || die "remove --purge left releases/1"
expect_exit 0 "$ECP" history --env dev
expect_grep "web/dev has no releases yet" "$T/out"
expect_exit 2 "$ECP" start --env dev
expect_grep "has no release to start" "$T/err"
echo ok
