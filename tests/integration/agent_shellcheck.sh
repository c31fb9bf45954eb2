#!/bin/sh
# The host agent is the real file plugins/host/agent.sh (ecp embeds it at build
# time): shellcheck passes it as POSIX sh, dash parses it and runs its verbs, and
# the check is not blind (a planted bashism is flagged).
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
agent=$ECP_SOURCE_DIR/plugins/host/agent.sh
command -v shellcheck >/dev/null 2>&1 || skip "shellcheck is not installed (scripts/setup.sh installs it)"
command -v dash >/dev/null 2>&1 || skip "dash is not installed"

# 1. shellcheck, as POSIX sh, every check on.
shellcheck -s sh "$agent" >"$T/sc" 2>&1 || { cat "$T/sc"; die "shellcheck finds problems in plugins/host/agent.sh"; }
dash -n "$agent" || die "dash cannot parse plugins/host/agent.sh"

# 2. The check sees a problem planted in a copy: a bashism and an unquoted variable.
sed 's/^verb=\${1:-}$/verb=${1:-}; [[ -n $verb ]] \&\& echo $verb/' "$agent" >"$T/bad.sh"
cmp -s "$agent" "$T/bad.sh" && die "the planted problem did not go into the copy"
if shellcheck -s sh "$T/bad.sh" >"$T/sc-bad" 2>&1; then die "shellcheck accepted a bashism"; fi
expect_grep 'SC3010' "$T/sc-bad"

# 3. Under dash: the state verbs a ledger and a lock use, with their exit codes.
root=$T/root
run() { dash "$agent" "$@"; }
run hello "$root" >"$T/hello" || die "hello failed under dash"
expect_grep '^agent 1$' "$T/hello"
set +e; run state-get "$root" web dev lock.json >/dev/null; rc=$?; set -e
[ "$rc" = 3 ] || die "state-get of an absent key exited $rc, expected 3"
printf 'one' | run state-cas "$root" web dev lock.json absent put >"$T/cas" || die "state-cas put failed"
expect_grep '^ok$' "$T/cas"
[ "$(run state-get "$root" web dev lock.json)" = one ] || die "state-get does not read back what state-cas wrote"
set +e; printf 'two' | run state-cas "$root" web dev lock.json absent put >"$T/cas"; rc=$?; set -e
[ "$rc" = 3 ] || die "a second state-cas expecting absence exited $rc, expected 3 (conflict)"
printf 'r1' | run state-put "$root" web dev ledger/r000001.json || die "state-put failed"
run state-list "$root" web dev ledger/ >"$T/list"
[ "$(cat "$T/list")" = "$(printf 'ledger/r000001.json 2\nr1')" ] || { cat "$T/list"; die "state-list output is wrong"; }
set +e; run state-get "$root" web dev ../escape >/dev/null 2>"$T/err"; rc=$?; set -e
[ "$rc" = 1 ] || die "a key leaving the state folder exited $rc, expected 1"
set +e; run no-such-verb >/dev/null 2>"$T/err"; rc=$?; set -e
[ "$rc" = 1 ] && expect_grep "unknown verb 'no-such-verb'" "$T/err"
echo "agent.sh passes shellcheck and runs under dash"
