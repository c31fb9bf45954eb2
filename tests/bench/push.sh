#!/bin/sh
# Push benchmark: ecp push vs skopeo copy of the same image (the 123 MB jar
# workload of ../shared/bench/mkapp.sh, exported as an OCI layout for skopeo),
# each to a fresh loopback docker-registry, in the same run; then an unchanged
# push, and a push after changing only application.jar.
#   ECP=build/ecp ECP_SOURCE_DIR=. sh tests/bench/push.sh [LIB_MB] [RUNS]
# Prints a table with the ratios against the targets of DESIGN.md, then the
# verdict: cold and unchanged pushes through ../shared/bench/paired.sh (A B A B...,
# median of the pairs' ratios, load average before and after, no verdict above 0.5).
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/registry/lib.sh"
need skopeo bash
mb=${1:-120}
runs=${2:-3}
mkapp=${MKAPP:-$ECP_SOURCE_DIR/../shared/bench/mkapp.sh}
[ -f "$mkapp" ] || skip "the workload generator $mkapp is missing"

now_ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

bash "$mkapp" "$T/app" "$mb" > /dev/null
printf 'app: bench\ntype: jar\nbuild:\n  base: scratch\n' > "$T/app/ecp.yaml"
SOURCE_DATE_EPOCH=1700000000 "$ECP" -C "$T/app" -q build -t v1 --oci-layout "$T/oci:v1" > /dev/null
size=$(du -sm "$T/oci/blobs" | cut -f1)

# Cold: each tool to its own fresh registry, alternating, $runs times.
: > "$T/ecp-cold"; : > "$T/skopeo-cold"
for i in $(seq 1 "$runs"); do
  start_registry "$T/e$i"; e_port=$REG_PORT
  start_registry "$T/s$i"; s_port=$REG_PORT
  rm -rf "$ECP_HOME/registry" /var/lib/containers/cache/blob-info-cache-v1.boltdb "$HOME/.local/share/containers/cache"
  t0=$(now_ms)
  "$ECP" -q push bench:v1 "127.0.0.1:$e_port/bench:v1" > /dev/null || die "ecp push failed"
  echo $(($(now_ms) - t0)) >> "$T/ecp-cold"
  t0=$(now_ms)
  skopeo copy -q --dest-tls-verify=false "oci:$T/oci:v1" "docker://127.0.0.1:$s_port/bench:v1" || die "skopeo copy failed"
  echo $(($(now_ms) - t0)) >> "$T/skopeo-cold"
  [ "$(skopeo_digest "127.0.0.1:$e_port/bench:v1" --tls-verify=false)" = \
    "$(skopeo_digest "127.0.0.1:$s_port/bench:v1" --tls-verify=false)" ] || die "ecp and skopeo pushed different images"
  [ "$i" = "$runs" ] || { stop_registry "$T/e$i"; stop_registry "$T/s$i"; }
done

# Unchanged: the same image again to the last registries.
: > "$T/ecp-same"; : > "$T/skopeo-same"; : > "$T/ecp-same-cpu"
for i in $(seq 1 5); do
  t0=$(now_ms)
  /usr/bin/time -f '%U %S' -o "$T/cpu" "$ECP" -q push bench:v1 "127.0.0.1:$e_port/bench:v1" > /dev/null
  echo $(($(now_ms) - t0)) >> "$T/ecp-same"
  awk '{ printf "%d\n", ($1 + $2) * 1000 }' "$T/cpu" >> "$T/ecp-same-cpu"
  t0=$(now_ms); skopeo copy -q --dest-tls-verify=false "oci:$T/oci:v1" "docker://127.0.0.1:$s_port/bench:v1"
  echo $(($(now_ms) - t0)) >> "$T/skopeo-same"
done
start_proxy "$e_port"
"$ECP" -q push bench:v1 "127.0.0.1:$PROXY_PORT/bench:v1" > /dev/null
heads=$(grep -c '^HEAD /v2/bench/blobs/' "$PROXY_LOG")
blobs=$(python3 -c 'import json,sys
m=json.load(open(sys.argv[1] + "/blobs/sha256/" + json.load(open(sys.argv[1] + "/index.json"))["manifests"][0]["digest"][7:]))
print(1 + len(m["layers"]))' "$T/oci")

# Only application.jar changed: what is uploaded.
head -c 3M /dev/urandom > "$T/app/app/lib/application.jar"
SOURCE_DATE_EPOCH=1700000000 "$ECP" -C "$T/app" -q -o json build -t v2 > "$T/build2.json"
app_layer=$(python3 -c 'import json,sys
r=[json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")][-1]
print(sum(l["size"] for l in r["layers"] if not l["cached"]))' "$T/build2.json")
t0=$(now_ms)
"$ECP" -o json push bench:v2 "127.0.0.1:$e_port/bench:v2" > "$T/push2.json"
changed_ms=$(($(now_ms) - t0))
uploaded=$(json_field "$T/push2.json" bytes_uploaded)

ec=$(median < "$T/ecp-cold"); sc=$(median < "$T/skopeo-cold")
es=$(median < "$T/ecp-same"); ss=$(median < "$T/skopeo-same")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
printf '\npush benchmark: %s MB image (%s blobs), %s cold runs each, medians, %s cores, load %s\n\n' "$size" "$blobs" \
  "$runs" "$(nproc)" "$(cut -d' ' -f1 /proc/loadavg)"
printf '| measure | ecp | skopeo copy | ratio | target |\n| --- | --- | --- | --- | --- |\n'
printf '| cold push | %s ms | %s ms | %s× | ≤ 1.0× |\n' "$ec" "$sc" "$(ratio "$ec" "$sc")"
printf '| unchanged push | %s ms | %s ms | %s× | ≤ 30 ms, ≤ 1 HEAD per blob (%s HEADs, %s blobs) |\n' \
  "$es" "$ss" "$(ratio "$es" "$ss")" "$heads" "$blobs"
printf '| unchanged push, CPU (user+sys) | %s ms | | | (wall time suffers on a loaded machine) |\n' \
  "$(median < "$T/ecp-same-cpu")"
printf '| only application.jar changed | %s ms, %s bytes uploaded | | | that layer (%s bytes) + the config |\n' \
  "$changed_ms" "$uploaded" "$app_layer"
printf '\ncold runs (ms): ecp %s; skopeo %s\nunchanged runs (ms): ecp %s\n' "$(tr '\n' ' ' < "$T/ecp-cold")" \
  "$(tr '\n' ' ' < "$T/skopeo-cold")" "$(tr '\n' ' ' < "$T/ecp-same")"

# The verdict through paired.sh. Cold: before each timed push, both registries
# forget the repository (their storage folder) and both tools their blob caches.
# Unchanged: the same image again. Each measure first waits (up to 3 min) for
# the 1-minute load average to fall under 0.3.
paired=${PAIRED:-$ECP_SOURCE_DIR/../shared/bench/paired.sh}
if [ -f "$paired" ]; then
  cool() { n=0; while [ "$(awk '{print ($1 < 0.3)}' /proc/loadavg)" != 1 ] && [ "$n" -lt 180 ]; do sleep 1; n=$((n + 1)); done; }
  pe=$T/e$runs/data s_dir=$T/s$runs/data
  forget="rm -rf '$pe/docker' '$s_dir/docker' '$ECP_HOME/registry' /var/lib/containers/cache/blob-info-cache-v1.boltdb '$HOME/.local/share/containers/cache'"
  ecp_push="$ECP -q push bench:v1 127.0.0.1:$e_port/bench:v1"
  skopeo_copy="skopeo copy -q --dest-tls-verify=false oci:$T/oci:v1 docker://127.0.0.1:$s_port/bench:v1"
  echo
  echo "paired (ecp push / skopeo copy): a_median_s b_median_s ratio_median ratio_min ratio_max load_before load_after verdict"
  cool
  printf 'cold push: '
  # shellcheck disable=SC2086 # the commands are words on purpose
  sh "$paired" -n 5 -s "$forget" -- $ecp_push -- $skopeo_copy
  cool
  printf 'unchanged push: '
  # shellcheck disable=SC2086
  sh "$paired" -n 9 -- $ecp_push -- $skopeo_copy
fi
