#!/bin/sh
# cost: 15
# Change windows, --emergency and freezes, on the local target (the host
# plugin's agent keeps the freeze with the ledger):
#   1. the targets file's windows: for dev opens two days from now only
#      (Asia/Shanghai): a release is refused (exit 9) naming the file; with
#      --emergency it goes through, and history and the audit log say why;
#   2. a window open now (daily, all day): releases go through;
#   3. ecp freeze --until 2h: refused (exit 9) naming who froze it and why;
#      --emergency overrides it; unfreeze, then a plain release goes through;
#   4. bad windows are validate errors with file:line (unknown zone, bad days).
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
[ -f /usr/share/zoneinfo/Asia/Shanghai ] || skip "no tzdata (Asia/Shanghai)"

port=$(free_port)
make_web_app "$T/web" "$port" local 1
stop_at_exit "$ECP_HOME/targets/local"
cd "$T/web"
# A weekday two days from today in Shanghai: neither today's nor yesterday's window.
day=$(TZ=Asia/Shanghai date -d '+2 days' +%a)
windows() { printf 'schema: 1\nwindows:\n  dev: ["%s"]\n' "$1" >ecp-targets.yaml; }
answers() { [ "$(curl -sf "http://127.0.0.1:$port/greeting")" = "$1" ]; }

# 1. Outside its windows.
windows "$day 10:00-11:00 Asia/Shanghai"
expect_exit 0 "$ECP" validate
expect_exit 9 "$ECP" release --env dev
expect_grep "dev is outside its change windows \(.*ecp-targets.yaml:3: $day 10:00-11:00 Asia/Shanghai\); release anyway with --emergency" "$T/err"
expect_exit 0 "$ECP" history --env dev
expect_grep "has no releases yet" "$T/out"
expect_exit 0 "$ECP" release --env dev --emergency "INC-42 payments down"
answers hello || die "the emergency release does not serve"
expect_exit 0 "$ECP" history --env dev
expect_grep "EMERGENCY: INC-42 payments down" "$T/out"
expect_exit 0 "$ECP" -o json audit --env dev
python3 - "$T/out" <<'PY' || die "the audit log of the emergency: $(cat "$T/out")"
import json, sys
r = [x for x in (json.loads(l) for l in open(sys.argv[1]) if l.strip()) if x.get("type") == "result"][-1]
types = [e["type"] for e in r["entries"]]
assert types == ["emergency", "release"], types
assert r["entries"][0]["message"].startswith("INC-42 payments down (overridden: dev is outside its change windows"), r
PY

# 2. A window open now.
windows "daily 00:00-24:00 UTC"
set_config . GREETING two
expect_exit 0 "$ECP" release --env dev
answers two || die "a release inside the window does not serve"

# 3. A freeze: refused, overridden, lifted.
expect_exit 0 "$ECP" freeze --env dev --until 2h --reason "quarter end"
expect_grep "web/dev is frozen until " "$T/out"
set_config . GREETING three
expect_exit 9 "$ECP" release --env dev
expect_grep "dev is frozen until [0-9T:.-]+Z by [^:]+: quarter end; release anyway with --emergency" "$T/err"
answers two || die "a frozen environment changed"
expect_exit 0 "$ECP" release --env dev --emergency "hotfix CHG-7"
answers three || die "the emergency release during the freeze does not serve"
expect_exit 0 "$ECP" unfreeze --env dev
expect_grep "web/dev is no longer frozen" "$T/out"
set_config . GREETING four
expect_exit 0 "$ECP" release --env dev
answers four || die "a release after unfreeze does not serve"
expect_exit 0 "$ECP" audit --env dev --verify
expect_exit 0 "$ECP" -o csv audit --env dev
[ "$(cut -d, -f4 "$T/out" | tr -d '\r' | tail -n +2 | tr '\n' ' ')" = \
  "emergency release release freeze emergency release unfreeze release " ] || die "audit: $(cat "$T/out")"

# 4. Bad windows are found by validate, with file:line.
printf 'schema: 1\nwindows:\n  dev: ["Mon-Fri 09:00-17:00 Mars/Olympus", "Someday 10:00-11:00"]\n' >ecp-targets.yaml
expect_exit 2 "$ECP" validate
expect_grep "ecp-targets.yaml:3:[0-9]+: error: windows.dev\[0\]: 'Mars/Olympus' is not a time zone" "$T/err"
expect_grep "ecp-targets.yaml:3:[0-9]+: error: windows.dev\[1\]: 'Someday' is not days" "$T/err"
echo ok
