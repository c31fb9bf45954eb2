#!/bin/sh
# The CLI contract every command shares: --version, --help, usage errors
# (exit 2, "ecp: error:"), -C, the JSON result on errors, and colors only on a
# terminal and never with NO_COLOR or --no-color.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"

# --version: the version of CMakeLists.txt and the commit.
version=$(sed -n 's/^project(ecp VERSION \([0-9.]*\).*/\1/p' "$ECP_SOURCE_DIR/CMakeLists.txt")
[ -n "$version" ] || die "no version in CMakeLists.txt"
expect_exit 0 "$ECP" --version
expect_grep "^ecp $version \\(commit [0-9a-z-]+\\)$" "$T/out"

# --help lists the commands; each command has its own --help.
expect_exit 0 "$ECP" --help
for c in validate init completion; do expect_grep "^  $c +[A-Z]" "$T/out"; done
expect_grep '^Usage: ecp ' "$T/out"
expect_exit 0 "$ECP" completion --help
expect_grep '^Usage: ecp completion' "$T/out"
# Every command's --help names the global options (CLI11 lists only its own),
# nested ones too, and they work after the command.
for c in completion push "images rm"; do
  # shellcheck disable=SC2086 # the command path is split on purpose
  expect_exit 0 "$ECP" $c --help
  expect_grep '^Global options, before or after the command: -C DIR, .*-o/--output text\|json\|yaml' "$T/out"
done
expect_exit 0 "$ECP" images -o json
expect_grep '^\{"images":' "$T/out"

# Usage errors: exit 2, one "ecp: error:" line, nothing on stdout.
for args in "frobnicate" "--frobnicate validate" "validate --frobnicate" "--output yaml validate" ""; do
  # shellcheck disable=SC2086 # split the argument lists on purpose
  expect_exit 2 "$ECP" $args
  expect_grep '^ecp: error: ' "$T/err"
  [ ! -s "$T/out" ] || { cat "$T/out"; die "ecp $args printed to stdout"; }
done

# -C to a missing folder is a usage error naming the folder.
expect_exit 2 "$ECP" -C "$T/missing" validate
expect_grep "^ecp: error: .*$T/missing" "$T/err"

# --output json: the error is a final result object with ok false and the exit code.
expect_exit 2 "$ECP" --output json -C "$T/missing" validate
python3 - "$T/out" <<'PY' || die "no JSON result with ok false on stdout"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert lines, "stdout is empty"
objs = [json.loads(l) for l in lines]  # every line is one JSON object
last = objs[-1]
assert last["type"] == "result", last
assert last["ok"] is False, last
assert last["error"]["exit_code"] == 2, last
assert "missing" in last["error"]["message"], last
PY
# Parser errors, an unknown command and --version end with the result line too,
# whichever way -o json is spelled and wherever it stands.
last_result() {
  python3 - "$T/out" "$@" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert lines, "stdout is empty"
last = [json.loads(l) for l in lines][-1]
assert last["type"] == "result", last
want_ok = sys.argv[2] == "ok"
assert last["ok"] is want_ok, last
if want_ok:
    assert last["version"] == sys.argv[3], last
else:
    assert last["error"]["exit_code"] == 2 and sys.argv[3] in last["error"]["message"], last
PY
}
expect_exit 2 "$ECP" -o json frobnicate
last_result error "unknown command 'frobnicate'" || die "an unknown command gave no JSON result"
expect_exit 2 "$ECP" -C "$T" frobnicate
expect_grep "^ecp: error: unknown command 'frobnicate' \(ecp --help" "$T/err"
# A near miss gets the nearest command.
expect_exit 2 "$ECP" -C "$T" statsu --env dev
expect_grep "^ecp: error: unknown command 'statsu'; did you mean 'status'\?" "$T/err"
expect_exit 2 "$ECP" validate --output=json --no-such-flag
last_result error no-such-flag || die "an unknown flag gave no JSON result"
expect_exit 2 "$ECP" -ojson deploy
last_result error env || die "a missing --env gave no JSON result"
expect_exit 0 "$ECP" --output json --version
last_result ok "$version" || die "--version gave no JSON result"
expect_exit 0 "$ECP" -o json completion bash
python3 -c 'import json,sys; o=json.loads(sys.stdin.read()); assert o["type"]=="result" and o["ok"] is True and "_ecp()" in o["script"], o' < "$T/out" ||
  die "completion: bad JSON result"

# Colors: on a terminal, errors are colored unless NO_COLOR or --no-color.
# A pseudo-terminal on stderr shows that the color is really switched off.
on_tty() {
  python3 - "$@" <<'PY'
import os, pty, subprocess, sys
master, slave = pty.openpty()
p = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
os.close(slave)
out = b""
while True:
    try:
        chunk = os.read(master, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
p.wait()
sys.stdout.write(out.decode(errors="replace"))
PY
}
esc=$(printf '\033')
(unset NO_COLOR; on_tty "$ECP" -C "$T/missing" validate) > "$T/tty" || true
grep -q "$esc\\[" "$T/tty" || { cat -v "$T/tty"; die "no color on a terminal: the checks below would prove nothing"; }
(export NO_COLOR=1; on_tty "$ECP" -C "$T/missing" validate) > "$T/tty" || true
expect_grep '^ecp: error:' "$T/tty"
! grep -q "$esc" "$T/tty" || { cat -v "$T/tty"; die "escape codes despite NO_COLOR"; }
(unset NO_COLOR; on_tty "$ECP" --no-color -C "$T/missing" validate) > "$T/tty" || true
expect_grep '^ecp: error:' "$T/tty"
! grep -q "$esc" "$T/tty" || { cat -v "$T/tty"; die "escape codes despite --no-color"; }
# Not a terminal: never colored, whatever the environment.
(unset NO_COLOR; "$ECP" -C "$T/missing" validate) > "$T/out" 2> "$T/err" || true
! grep -q "$esc" "$T/err" || die "escape codes on a pipe"
# -o yaml is ecp plan's (a kubernetes target's objects), and only for such a target.
expect_exit 2 "$ECP" -o yaml validate
expect_grep "\-o yaml is for 'ecp plan'" "$T/err"
expect_exit 0 "$ECP" init --type nginx "$T/yaml-app"
sed -i 's|^  base: .*|  base: scratch|' "$T/yaml-app/ecp.yaml"
expect_exit 0 "$ECP" -C "$T/yaml-app" build
expect_exit 2 "$ECP" -C "$T/yaml-app" plan --env dev -o yaml
expect_grep "has no manifests to show; -o yaml is for kubernetes targets" "$T/err"
echo "CLI basics hold"
