# shellcheck shell=sh
# Sourced by tests/bench/*.sh with ECP_SOURCE_DIR set: ECP is the optimised ecp
# to time (build-bench/ or build-rel/, which tests/bench/build.sh makes), unless
# the caller set it. Timing the sanitised debug build of the tests would say
# nothing of ecp, so there is no fallback to it.
if [ -z "${ECP:-}" ]; then
  for b in build-bench build-rel; do
    [ -x "$ECP_SOURCE_DIR/$b/ecp" ] && { ECP=$ECP_SOURCE_DIR/$b/ecp; break; }
  done
  [ -n "${ECP:-}" ] || { echo "no optimised ecp: cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DECP_TESTS=OFF && ninja -C build-bench ecp, or set ECP" >&2; exit 2; }
fi
