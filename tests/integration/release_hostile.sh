#!/bin/sh
# Hostile names never reach a shell: a target root full of quotes, blanks, $( )
# and backquotes, and a change id that tries to run commands, go through the
# agent as plain words and data. The release works, nothing is executed, and the
# ledger keeps the change id byte for byte.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"

port=$(free_port)
make_web_app "$T/web" "$port" odd
cd "$T/web"
odd_root="$T/it's a \"root\" \$(touch $T/pwned-root) \`touch $T/pwned-tick\` ;x & y"
stop_at_exit "$odd_root"
python3 - "$odd_root" >ecp-targets.yaml <<'PY'
import json, sys
print("schema: 1\ntargets:\n  odd:\n    plugin: host\n    root: %s" % json.dumps(sys.argv[1]))
PY
change="CHG-1 \"; touch $T/pwned-change; echo \" \$(touch $T/pwned-dollar) 'q' \\ \$HOME"
expect_exit 0 "$ECP" release --env dev --change-id "$change"
[ "$(curl -sf "http://127.0.0.1:$port/greeting")" = hello ] || die "the release does not answer"
[ -d "$odd_root/web/dev/releases/1/bin" ] || die "the release is not under the hostile root"
for f in pwned-root pwned-tick pwned-change pwned-dollar; do
  [ ! -e "$T/$f" ] || die "a hostile name was executed by a shell ($f exists)"
done
expect_exit 0 "$ECP" --output json history --env dev
python3 - "$T/out" "$change" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])
assert r["records"][0]["change_id"] == sys.argv[2], (r["records"][0]["change_id"], sys.argv[2])
PY
expect_exit 0 "$ECP" status --env dev
expect_grep " running +[0-9]+ +healthy " "$T/out"
expect_exit 0 "$ECP" logs --env dev
expect_grep "web serving revision 1" "$T/out"
# Control characters in free text reach the terminal escaped: a change id that
# would clear the screen, return the carriage and ring the bell is printed as
# \xNN (the JSON keeps it exact).
esc_change=$(printf 'INC-2\033[2J\rforged\007')
expect_exit 0 "$ECP" deploy --env dev --force --change-id "$esc_change"
expect_exit 0 "$ECP" history --env dev
expect_grep 'INC-2\\x1b\[2J\\x0dforged\\x07' "$T/out"
! grep -q "$(printf '\033')" "$T/out" "$T/err" || die "history printed an escape character"
! grep -q "$(printf '\r')" "$T/out" "$T/err" || die "history printed a carriage return"
expect_exit 0 "$ECP" --output json history --env dev
[ "$(json_field "$T/out" 'r["records"][0]["change_id"]')" = "$esc_change" ] || die "the JSON change id is not exact"
echo "PASS: hostile roots and change ids are data, never shell code; control characters are escaped"
