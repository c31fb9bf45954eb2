#!/bin/sh
# The test command of the README and of CI: installs what is missing
# (scripts/setup.sh), then a Debug build with AddressSanitizer and
# UndefinedBehaviorSanitizer and warnings as errors, then every test (unit,
# integration, and fuzz once it exists) on two cores.
#   ECP_BUILD_DIR=DIR   build folder (default: build-ci)
#   ECP_SKIP_SETUP=1    do not run scripts/setup.sh
#   ECP_FUZZ=off        skip the fuzz build even when tests/fuzz is set up
#   ECP_NO_SKIP=1       a test that skips (exit 125: a component it needs is
#                       missing or does not start) fails instead. .ci/run sets
#                       it: setup installed everything, so a skip hides a
#                       broken test. Without it, skips pass and are listed at
#                       the end.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ECP_BUILD_DIR:-$root/build-ci}
export ECP_NO_SKIP="${ECP_NO_SKIP:-0}"

[ "${ECP_SKIP_SETUP:-0}" = 1 ] || "$root/scripts/setup.sh"

# run_ctest LOG ARGS... : ctest, its output also kept in LOG. A test that
# skipped is named on one summary line; with ECP_NO_SKIP=1 that fails the run
# (the tests' skip helper already fails then; this also catches a bare exit 125).
run_ctest() {
  log=$1; shift
  { ctest "$@" --output-on-failure -j2 && echo 0 >"$log.rc" || echo $? >"$log.rc"; } | tee "$log"
  skipped=$(sed -n 's/^[[:space:]]*[0-9]* - \([^ ]*\) (Skipped)$/ \1/p' "$log" | tr -d '\n')
  if [ -n "$skipped" ]; then
    echo "test.sh: skipped (a component is missing or did not start):$skipped"
    [ "$ECP_NO_SKIP" != 1 ] || { echo "test.sh: ECP_NO_SKIP=1: a skip is a failure" >&2; exit 1; }
  else
    echo "test.sh: no test skipped"
  fi
  rc=$(cat "$log.rc")
  [ "$rc" = 0 ] || exit "$rc"
}

cmake -S "$root" -B "$build" -G Ninja \
  -DECP_SANITIZE=ON -DECP_DEV=ON -DCMAKE_BUILD_TYPE=Debug
ninja -C "$build" -j2
run_ctest "$build/ctest.log" --test-dir "$build"

# Fuzz hook: tests/fuzz (added with -DECP_FUZZ=ON) needs clang for libFuzzer and
# a build folder of its own, where each fuzz target carries its own sanitizers.
# Every target named fuzz_* is built, and the tests labelled "fuzz" run them for
# a fixed number of inputs. Add a fuzz target there and it runs here too.
if [ -f "$root/tests/fuzz/CMakeLists.txt" ] && [ "${ECP_FUZZ:-on}" != off ]; then
  cmake -S "$root" -B "$build-fuzz" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DECP_FUZZ=ON
  fuzzers=$(ninja -C "$build-fuzz" -t targets all | sed -n 's/^\(fuzz_[A-Za-z0-9_]*\): phony$/\1/p')
  [ -n "$fuzzers" ] || { echo "test.sh: tests/fuzz defines no fuzz_* target" >&2; exit 1; }
  # shellcheck disable=SC2086 # one argument per target
  ninja -C "$build-fuzz" -j2 $fuzzers
  run_ctest "$build-fuzz/ctest.log" --test-dir "$build-fuzz" -L fuzz
fi
echo "test.sh: every test passed"
