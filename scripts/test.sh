#!/bin/sh
# The test command of the README and of CI: installs what is missing
# (scripts/setup.sh), then a Debug build with AddressSanitizer and
# UndefinedBehaviorSanitizer and warnings as errors, then every test (unit,
# integration), three at a time; then the unit tests under ThreadSanitizer, and
# the fuzz targets.
#   ECP_BUILD_DIR=DIR   build folder (default: build-ci)
#   ECP_SKIP_SETUP=1    do not run scripts/setup.sh
#   ECP_FUZZ=off        skip the fuzz build even when tests/fuzz is set up
#   ECP_TSAN=off        skip the ThreadSanitizer build of the unit tests
#   ECP_NO_SKIP=1       a test that skips (exit 125: a component it needs is
#                       missing or does not start) fails instead. .ci/run sets
#                       it: setup installed everything, so a skip hides a
#                       broken test. Without it, skips pass and are listed at
#                       the end.
#   ECP_TEST_JOBS=N     tests run at once (default 3: most of them wait on
#                       servers, health checks and containers, not on the CPU;
#                       the long ones start first, see "# cost:" in tests/CMakeLists.txt)
#   ECP_PHASE_TIMES=FILE  append "PHASE SECONDS" for each phase to FILE
#                       (.ci/run prints them); the times are also printed at the end.
# ccache, when installed, serves unchanged files from its cache (CMake picks
# it up; see cmake/settings.cmake); the build's hit rate is printed.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ECP_BUILD_DIR:-$root/build-ci}
export ECP_NO_SKIP="${ECP_NO_SKIP:-0}"

[ "${ECP_SKIP_SETUP:-0}" = 1 ] || "$root/scripts/setup.sh"

# phase NAME CMD... : runs CMD (in a subshell, stopping at its first failure)
# and records its wall time, also when it fails; then fails as CMD did.
times=""
phase() {
  name=$1; shift
  start=$(date +%s)
  set +e
  (set -e; "$@")
  rc=$?
  set -e
  took=$(($(date +%s) - start))
  times="$times $name ${took}s,"
  [ -z "${ECP_PHASE_TIMES:-}" ] || echo "$name $took" >>"$ECP_PHASE_TIMES"
  [ "$rc" = 0 ] || { echo "test.sh: $name failed after ${took}s" >&2; exit "$rc"; }
}
# Each build's own ccache statistics (the shared counters mix every build).
export CCACHE_STATSLOG="$build/ccache-stats.log"
ccache_stats() {
  command -v ccache >/dev/null 2>&1 && [ -f "$CCACHE_STATSLOG" ] || return 0
  echo "test.sh: ccache for $1:"
  ccache --show-log-stats | sed -n 's/^ *\(Hits\|Misses\|Uncacheable\|Errors\).*/  &/p'
  rm -f "$CCACHE_STATSLOG"
}

# run_ctest LOG ARGS... : ctest, its output also kept in LOG. A test that
# skipped is named on one summary line; with ECP_NO_SKIP=1 that fails the run
# (the tests' skip helper already fails then; this also catches a bare exit 125).
run_ctest() {
  log=$1; shift
  { ctest "$@" --output-on-failure -j"${ECP_TEST_JOBS:-3}" && echo 0 >"$log.rc" || echo $? >"$log.rc"; } | tee "$log"
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

build() {
  cmake -S "$root" -B "$build" -G Ninja \
    -DECP_SANITIZE=ON -DECP_DEV=ON -DCMAKE_BUILD_TYPE=Debug
  ninja -C "$build" -j2
}
mkdir -p "$build"
rm -f "$CCACHE_STATSLOG"
phase configure+build build
ccache_stats "the sanitizer build"
phase tests run_ctest "$build/ctest.log" --test-dir "$build"

# ThreadSanitizer over the unit tests, in a build folder of its own (TSan and
# ASan exclude each other): they drive the bounded thread pool, the lock's
# lease renewer and the release engine over a backend called from several
# threads. Only the unit test binary is built (ccache serves it when warm).
#   ECP_TSAN=off        skip this phase
tsan() {
  cmake -S "$root" -B "$build-tsan" -G Ninja -DECP_TSAN=ON -DECP_DEV=ON -DCMAKE_BUILD_TYPE=Debug
  ninja -C "$build-tsan" -j2 ecp_unit_tests
  ccache_stats "the ThreadSanitizer build"
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" run_ctest "$build-tsan/ctest.log" --test-dir "$build-tsan" -L unit
}
if [ "${ECP_TSAN:-on}" != off ]; then
  phase tsan tsan
fi

# Fuzz hook: tests/fuzz (added with -DECP_FUZZ=ON) needs clang for libFuzzer and
# a build folder of its own, where each fuzz target carries its own sanitizers.
# Every target named fuzz_* is built, and the tests labelled "fuzz" run them for
# a fixed number of inputs. Add a fuzz target there and it runs here too.
fuzz() {
  cmake -S "$root" -B "$build-fuzz" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DECP_FUZZ=ON
  fuzzers=$(ninja -C "$build-fuzz" -t targets all | sed -n 's/^\(fuzz_[A-Za-z0-9_]*\): phony$/\1/p')
  [ -n "$fuzzers" ] || { echo "test.sh: tests/fuzz defines no fuzz_* target" >&2; exit 1; }
  # shellcheck disable=SC2086 # one argument per target
  ninja -C "$build-fuzz" -j2 $fuzzers
  ccache_stats "the fuzz build"
  run_ctest "$build-fuzz/ctest.log" --test-dir "$build-fuzz" -L fuzz
}
if [ -f "$root/tests/fuzz/CMakeLists.txt" ] && [ "${ECP_FUZZ:-on}" != off ]; then
  phase fuzz fuzz
fi
echo "test.sh: times:${times%,}"
echo "test.sh: every test passed"
