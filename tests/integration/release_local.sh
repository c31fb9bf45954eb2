#!/bin/sh
# The README's main job on the built-in `local` target, for real: `ecp release
# --env dev` of examples/hello-jar builds the image, unpacks it under
# $ECP_HOME/targets/local, runs the jar under ecp's supervisor and waits for its
# health check. Then the app changes (its code and its configuration), is released
# again, and `ecp rollback` brings the old version back - image and configuration -
# as a new revision, without any transfer. status, history and logs tell the truth
# along the way, and an unchanged release is a no-op.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
for tool in java javac jar curl; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (openjdk-17-jdk-headless, curl)"
done

port=$(free_port)
cp -R "$ECP_SOURCE_DIR/examples/hello-jar" "$T/app"
rm -rf "$T/app/build" "$T/app/app/lib"/*.jar
sh "$T/app/build.sh" >"$T/build.log" 2>&1 || { cat "$T/build.log"; die "build.sh failed"; }
# A free port for this run: LISTEN_PORT in the environment's configuration sets it.
sed -i "s/config: {GREETING: \"Hello from dev\"}/config: {GREETING: \"Hello from dev\", LISTEN_PORT: \"$port\"}/" \
  "$T/app/ecp.yaml"
grep -q "LISTEN_PORT: \"$port\"" "$T/app/ecp.yaml" || die "could not set the port in ecp.yaml"
cd "$T/app"
# At exit: stop the instances (their supervisors stop the apps), by pid.
stop_instances() {
  for f in "$ECP_HOME"/targets/local/*/*/instances/*/supervisor.pid; do
    [ -f "$f" ] || continue
    p=$(cat "$f")
    kill "$p" 2>/dev/null || continue
    n=0; while kill -0 "$p" 2>/dev/null && [ "$n" -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
  done
}
add_cleanup stop_instances

# 1. The first release: built, deployed, verified, answering.
expect_exit 0 "$ECP" release --env dev
expect_grep "revision 1 of hello-jar/dev succeeded" "$T/out"
expect_grep "http://127.0.0.1:$port/" "$T/out"
curl -sf "http://127.0.0.1:$port/" >"$T/page1"
expect_grep '<h1 id="greeting">Hello from dev</h1>' "$T/page1"
root=$ECP_HOME/targets/local/hello-jar/dev
[ "$(readlink "$root/current")" = releases/1 ] || die "current does not point at releases/1"
[ -f "$root/releases/1/lib/application.jar" ] || die "the release was not unpacked"
[ -f "$root/state/ledger/r000001.json" ] || die "the ledger record is not stored at the target"

# 2. status tells the instance, its revision, pid and health; logs show its output.
expect_exit 0 "$ECP" status --env dev
expect_grep "^a-0 +local +1 +[0-9]+ running +[0-9]+ +healthy" "$T/out"
pid=$(awk '/^a-0/ { print $4 }' "$T/out")
kill -0 "$pid" || die "status names pid $pid, which does not run"
expect_exit 0 "$ECP" logs --env dev
expect_grep "^\[a-0@local\] hello-jar listening on .*:$port" "$T/out"
# status --watch: a status line again and again until SIGINT, then the result and 130.
"$ECP" -o json status --env dev --watch --interval 100ms >"$T/watch.json" 2>"$T/watch.err" &
watcher=$!
wait_until "three rounds of status --watch" sh -c "[ \$(grep -c '\"type\":\"status\"' '$T/watch.json') -ge 3 ]"
kill -INT "$watcher"
rc=0
wait "$watcher" || rc=$?
[ "$rc" = 130 ] || { cat "$T/watch.err"; die "status --watch exited $rc on SIGINT, not 130"; }
python3 - "$T/watch.json" <<'PY' || die "status --watch printed something else than status lines and a result"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert lines[-1] == {"type": "result", "ok": True, "interrupted": True}, lines[-1]
statuses = [l for l in lines[:-1]]
assert all(l["type"] == "status" for l in statuses), statuses
assert all(l["instances"][0]["revision"] == 1 and l["instances"][0]["health"] == "healthy" for l in statuses)
PY
expect_exit 2 "$ECP" status --env dev --watch --interval 0s
expect_grep "interval" "$T/err"

# 3. Releasing the same tree again changes nothing, and says so.
expect_exit 0 "$ECP" release --env dev
expect_grep "unchanged: revision 1" "$T/out"
[ "$(cat "$root/instances/a-0/app.pid")" = "$pid" ] || die "an unchanged release restarted the app"

# 4. The app changes - code and configuration - and is released again.
sed -i 's/Served by <b>/Now served by <b>/' src/app/com/example/hello/HelloServer.java
sh build.sh >"$T/build.log" 2>&1 || { cat "$T/build.log"; die "build.sh failed"; }
sed -i 's/Hello from dev/Howdy from dev/' ecp.yaml
expect_exit 0 "$ECP" deploy --env dev --dry-run
expect_grep "a-0@local +port $port +revision 1 -> 2" "$T/out"
expect_grep "~ GREETING: Hello from dev -> Howdy from dev" "$T/out"
[ ! -e "$root/releases/2" ] || die "--dry-run touched the target"
expect_exit 0 "$ECP" release --env dev --change-id CHG-42
curl -sf "http://127.0.0.1:$port/" >"$T/page2"
expect_grep "Howdy from dev" "$T/page2"
expect_grep "Now served by" "$T/page2"

# 5. Rollback: the old image AND the old configuration, as revision 3, no transfer.
expect_exit 0 "$ECP" rollback --env dev
expect_grep "revision 3 of hello-jar/dev succeeded" "$T/out"
expect_grep "revision 3 ready \(same image as revision 1: no transfer\)" "$T/err"
curl -sf "http://127.0.0.1:$port/" >"$T/page3"
expect_grep '<h1 id="greeting">Hello from dev</h1>' "$T/page3"
expect_no_grep "Now served by" "$T/page3"
[ "$(readlink "$root/current")" = releases/3 ] || die "current does not point at releases/3"

# 6. The ledger, as JSON: three revisions with their outcomes, kinds, who and change id.
expect_exit 0 "$ECP" --output json history --env dev
tail -n 1 "$T/out" >"$T/history.json"
python3 - "$T/history.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
recs = {x["revision"]: x for x in r["records"]}
assert sorted(recs) == [1, 2, 3], recs.keys()
assert all(x["outcome"] == "succeeded" for x in recs.values())
assert recs[3]["kind"] == "rollback" and recs[3]["rollback_to"] == 1 and recs[3]["from_revision"] == 2
assert recs[3]["image_digest"] == recs[1]["image_digest"] != recs[2]["image_digest"]
assert recs[3]["config_digest"] == recs[1]["config_digest"] != recs[2]["config_digest"]
assert recs[2]["change_id"] == "CHG-42"
assert recs[1]["who"], "who is recorded"
PY

# 7. --output json of release: event lines, then one result line.
sed -i 's/Hello from dev/Hi from dev/' ecp.yaml
expect_exit 0 "$ECP" --output json release --env dev
python3 - "$T/out" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert lines[-1]["type"] == "result" and lines[-1]["ok"] is True, lines[-1]
assert lines[-1]["outcome"] == "succeeded" and lines[-1]["revision"] == 4 and lines[-1]["verified"] is True
events = [l.get("event") for l in lines if l["type"] == "deploy"]
for e in ("lock", "prepare", "rollout", "healthy", "done", "verify"):
    assert e in events, (e, events)
# Events carry structured fields, not only a message.
healthy = [l for l in lines if l.get("event") == "healthy"]
for h in healthy:
    assert h["revision"] == 4 and h["health"] == "healthy", h
    assert h["location"] == "local" and h["slot"] == "a" and h["instance"].startswith("a-"), h
    assert h["instances"] == [{"instance": h["instance"], "location": "local", "slot": "a",
                               "index": int(h["instance"][2:].split("@")[0])}], h
assert [l["revision"] for l in lines if l.get("event") in ("prepare", "rollout", "done")] == [4, 4, 4], lines
# Where the time went, by phase: the engine's steps and the rollout's.
t = lines[-1]["timings_ms"]
for phase in ("plan", "lock", "record", "prepare", "start", "health", "conclude"):
    assert phase in t, (phase, t)
assert all(isinstance(v, int) and v >= 0 for v in t.values()), t
PY
# -v prints them on one line.
sed -i 's/Howdy from dev/Hey from dev/' ecp.yaml
expect_exit 0 "$ECP" -v release --env dev
expect_grep "^timings: plan [0-9]+ ms, lock [0-9]+ ms, record [0-9]+ ms, prepare [0-9]+ ms, start [0-9]+ ms, .*health [0-9]+ ms.*conclude [0-9]+ ms" "$T/err"
echo "PASS: release, unchanged release, change, rollback and history on the local target"
