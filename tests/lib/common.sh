# Sourced by tests/integration/*.sh (POSIX sh). Gives each test a temporary
# folder $T that is removed at exit, and small assertion helpers.
# ctest sets ECP (the binary), ECP_SOURCE_DIR and ECP_BUILD_DIR.
set -eu
: "${ECP:?ECP must name the ecp binary}"
: "${ECP_SOURCE_DIR:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/ecp-test.XXXXXX")
export ECP_HOME="$T/ecp-home"
export NO_COLOR=1
cleanup_hooks=""
on_exit() { for h in $cleanup_hooks; do $h || true; done; rm -rf "$T"; }
trap on_exit EXIT INT TERM
add_cleanup() { cleanup_hooks="$1 $cleanup_hooks"; }

# skip REASON : this test cannot run here (a component is missing or cannot
# start): exit 125, which ctest reports as skipped. With ECP_NO_SKIP=1 (CI,
# where setup installed everything) a skip hides a broken test, so it fails.
skip() {
  if [ "${ECP_NO_SKIP:-0}" = 1 ]; then
    echo "FAIL: would skip, but ECP_NO_SKIP=1: $*" >&2
    exit 1
  fi
  echo "SKIP: $*" >&2
  exit 125
}
# skip_part REASON : one part of the test cannot run here; the rest goes on.
# With ECP_NO_SKIP=1 it fails like skip.
skip_part() {
  if [ "${ECP_NO_SKIP:-0}" = 1 ]; then
    echo "FAIL: would skip a part, but ECP_NO_SKIP=1: $*" >&2
    exit 1
  fi
  echo "SKIP: $*" >&2
}
die() { echo "FAIL: $*" >&2; exit 1; }

# expect_exit CODE CMD... : runs CMD, fails unless it exits with CODE. Output in $T/out, $T/err.
expect_exit() {
  want=$1; shift
  set +e; "$@" >"$T/out" 2>"$T/err"; got=$?; set -e
  if [ "$got" != "$want" ]; then
    echo "--- stdout"; cat "$T/out"; echo "--- stderr"; cat "$T/err"
    die "'$*' exited $got, expected $want"
  fi
}
# expect_grep PATTERN FILE : fails unless FILE has a line matching the extended regex.
expect_grep() { grep -Eq -- "$1" "$2" || { cat "$2"; die "no line matching '$1' in $2"; }; }
expect_no_grep() { ! grep -Eq -- "$1" "$2" || { cat "$2"; die "unexpected line matching '$1' in $2"; }; }
# wait_until WHAT CMD... : runs CMD (output discarded) until it succeeds: a wait
# on a condition (a gate file, an answer), never on time. Polls every 0.1 s and
# gives up after 5 min, so that a loaded machine only makes it slower.
wait_until() {
  what=$1; shift
  n=0
  until "$@" >/dev/null 2>&1; do
    n=$((n + 1))
    [ "$n" -lt 3000 ] || die "gave up waiting for $what (5 min)"
    sleep 0.1
  done
}

# free_port : prints a TCP port P nobody listens on, nor on the ports ecp gives
# an environment's other instances and its second slot (P+1..P+3, P+100..P+103).
# P is below Linux's ephemeral range (32768-60999), so the client side of another
# test's connection cannot take it between this check and its use.
free_port() {
  python3 -c '
import random, socket
for _ in range(200):
    p = random.randrange(20000, 32000)
    try:
        for q in (p, p + 1, p + 2, p + 3, p + 100, p + 101, p + 102, p + 103):
            with socket.socket() as s:
                s.bind(("0.0.0.0", q))
    except OSError:
        continue
    print(p)
    break
else:
    raise SystemExit("no free port")
'
}
