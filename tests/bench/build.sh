#!/bin/sh
# Benchmark: `ecp build` against `umoci insert` of the same tree, in the same run.
#
#   tests/bench/build.sh [RUNS]        (default 3 runs per measure; the median counts)
#
# Workloads (from ../shared/bench, made fresh in a temporary folder):
#   app:  mkapp.sh DIR 120   - a jar layout, 123 MB of incompressible jars
#   site: mksite.sh DIR 5000 - an nginx layout, 70 MB of text in 5,000 files
# each wrapped as an ecp project (ecp.yaml, type jar / nginx, base scratch).
#
# Measures, for ecp (optimised build) and the peer:
#   cold build        ecp: empty $ECP_HOME;  umoci: `umoci insert DIR/app /app` into
#                     a fresh scratch layout (umoci init + umoci new), untimed setup
#   unchanged rebuild ecp: the same tree again (the layer cache answers)
#   new application   ecp: after replacing only lib/application.jar (3 MB of new
#                     bytes), app workload only
#   peak RSS          max resident set of every ecp run (/usr/bin/time, Debian
#                     package `time`)
# Then the same through paired.sh, which gives the verdict (load average).
# Targets (DESIGN.md): cold <= 0.5x, unchanged <= 0.05x, new application <= 0.1x
# of the peer's cold insert, peak RSS <= 64 MiB. The page cache is warm for both
# tools (the workload was just written); both compress with gzip.
#
# ECP names the binary to measure; without it an optimised one is built in
# build-bench/ (CMAKE_BUILD_TYPE=Release). Not a ctest: timings belong here.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
runs=${1:-3}
bench_dir=${BENCH_DIR:-$repo/../shared/bench}

for tool in umoci python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "build.sh: $tool is not installed" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "build.sh: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
[ -x "$bench_dir/mkapp.sh" ] && [ -x "$bench_dir/mksite.sh" ] ||
  { echo "build.sh: no mkapp.sh / mksite.sh in $bench_dir (set BENCH_DIR)" >&2; exit 1; }
if [ -z "${ECP:-}" ]; then
  cmake -S "$repo" -B "$repo/build-bench" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  ninja -C "$repo/build-bench" -j2 ecp >/dev/null
  ECP=$repo/build-bench/ecp
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/ecp-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
export NO_COLOR=1

# measure NAME CMD...: runs CMD, appends "seconds rss_kib" to $T/NAME.
measure() {
  m_out=$1; shift
  start=$(date +%s%N)
  /usr/bin/time -f '%M' -o "$T/rss" "$@" >"$T/cmd.out" 2>"$T/cmd.err" ||
    { cat "$T/cmd.err" >&2; echo "build.sh: '$*' failed" >&2; exit 1; }
  end=$(date +%s%N)
  echo "$(( (end - start) / 1000 )) $(tail -n 1 "$T/rss")" >>"$T/$m_out"
}
# median NAME: the median seconds of $T/NAME; maxrss NAME: the largest RSS in KiB.
median() { sort -n "$T/$1" | awk '{ v[NR] = $1 } END { printf "%.3f", v[int((NR + 1) / 2)] / 1e6 }'; }
maxrss() { sort -n -k2 "$T/$1" | tail -n 1 | awk '{ print $2 }'; }

# project NAME TYPE MAKER ARG: the workload as an ecp project in $T/NAME.
project() {
  bash "$bench_dir/$3" "$T/$1" "$4" >/dev/null
  printf 'schema: 1\napp: bench-%s\ntype: %s\nversion: "1"\nbuild: {base: scratch}\n' "$1" "$2" >"$T/$1/ecp.yaml"
}

# bench NAME: every measure of one workload.
bench() {
  name=$1
  for i in $(seq 1 "$runs"); do
    # The peer: a fresh scratch layout each run; only the insert is timed.
    rm -rf "$T/umoci"
    umoci init --layout "$T/umoci" && umoci new --image "$T/umoci:bench"
    measure "$name.umoci" umoci insert --image "$T/umoci:bench" "$T/$name/app" /app
    # ecp: cold into an empty store, then unchanged.
    rm -rf "$T/home"
    (cd "$T/$name" && ECP_HOME=$T/home measure "$name.cold" "$ECP" build)
    (cd "$T/$name" && ECP_HOME=$T/home measure "$name.warm" "$ECP" build)
    if [ -f "$T/$name/app/lib/application.jar" ]; then
      head -c 3M /dev/urandom >"$T/$name/app/lib/application.jar"
      (cd "$T/$name" && ECP_HOME=$T/home measure "$name.appjar" "$ECP" build)
      grep -q 'layer application.*bytes$' "$T/cmd.err" || { cat "$T/cmd.err" >&2; echo "application layer not rebuilt" >&2; exit 1; }
    fi
  done
  for f in cold warm appjar; do [ ! -f "$T/$name.$f" ] || cat "$T/$name.$f"; done >"$T/$name.ecp"
}

project app jar mkapp.sh 120
project site nginx mksite.sh 5000
bench app
bench site

# row WORKLOAD MEASURE ECP_FILE TARGET: one line of the table.
row() {
  e=$(median "$1.$3") u=$(median "$1.umoci")
  awk -v w="$1" -v m="$2" -v e="$e" -v u="$u" -v t="$4" 'BEGIN {
    r = e / u; printf "| %-5s | %-28s | %8.3f s | %8.3f s | %6.3fx | <= %-5s | %-4s |\n", w, m, e, u, r, t "x", (r <= t ? "yes" : "NO") }'
}
rssrow() {
  e=$(maxrss "$1.ecp") u=$(maxrss "$1.umoci")
  awk -v w="$1" -v e="$e" -v u="$u" 'BEGIN {
    printf "| %-5s | %-28s | %6.1f MiB | %6.1f MiB | %7s | <= %-5s | %-4s |\n", w, "peak RSS", e / 1024, u / 1024, "", "64MiB", (e <= 65536 ? "yes" : "NO") }'
}

echo
echo "ecp build vs umoci insert: median of $runs runs, $(nproc) cores, $(umoci --version | head -n 1)"
echo "| load  | measure                      |     ecp    |   umoci    |  ratio  | target   | met  |"
echo "|-------|------------------------------|------------|------------|---------|----------|------|"
for w in app site; do
  row "$w" "cold build" cold 0.5
  row "$w" "rebuild, nothing changed" warm 0.05
  [ ! -f "$T/$w.appjar" ] || row "$w" "rebuild, new application.jar" appjar 0.1
  rssrow "$w"
done

# The verdict: the same measures through ../shared/bench/paired.sh (A B A B...,
# the median of the pairs' ratios, the load average before and after, and no
# verdict on a busy machine). Each timed command gets a fresh umoci layout
# (untimed setup); a cold ecp build also starts from an empty store.
paired=$bench_dir/paired.sh
if [ -f "$paired" ]; then
  echo
  echo "paired (ecp / umoci insert cold): a_median_s b_median_s ratio_median ratio_min ratio_max load_before load_after verdict"
  fresh_umoci="rm -rf '$T/umoci' && umoci init --layout '$T/umoci' && umoci new --image '$T/umoci:bench'"
  # The runs above load the machine: each measure waits (up to 3 min) for the
  # 1-minute load average to fall under 0.3, so that paired.sh can give a verdict.
  cool() { n=0; while [ "$(awk '{print ($1 < 0.3)}' /proc/loadavg)" != 1 ] && [ "$n" -lt 180 ]; do sleep 1; n=$((n + 1)); done; }
  for w in app site; do
    insert="umoci insert --image $T/umoci:bench $T/$w/app /app"
    cool
    printf '%s cold build: ' "$w"
    sh "$paired" -n "$runs" -s "rm -rf '$T/home' && $fresh_umoci" -- \
      sh -c "cd '$T/$w' && ECP_HOME='$T/home' exec '$ECP' build" -- sh -c "$insert"
    (cd "$T/$w" && ECP_HOME=$T/home "$ECP" build >/dev/null 2>&1)
    cool
    printf '%s rebuild, nothing changed: ' "$w"
    sh "$paired" -n "$runs" -s "$fresh_umoci" -- \
      sh -c "cd '$T/$w' && ECP_HOME='$T/home' exec '$ECP' build" -- sh -c "$insert"
    if [ -f "$T/$w/app/lib/application.jar" ]; then
      cool
      printf '%s rebuild, new application.jar: ' "$w"
      sh "$paired" -n "$runs" -s "head -c 3M /dev/urandom >'$T/$w/app/lib/application.jar' && $fresh_umoci" -- \
        sh -c "cd '$T/$w' && ECP_HOME='$T/home' exec '$ECP' build" -- sh -c "$insert"
    fi
  done
fi
