#!/bin/sh
# The README's first command: installs what ecp needs, builds it, and runs the
# main job on the bundled examples. Safe to run again.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
cmake -S "$root" -B "$root/build-release" -G Ninja -DCMAKE_BUILD_TYPE=Release -DECP_TESTS=OFF >/dev/null
ninja -C "$root/build-release" ecp
ecp="$root/build-release/ecp"
work=$(mktemp -d "${TMPDIR:-/tmp}/ecp-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
export ECP_HOME="$work/home"

echo "== ecp $("$ecp" --version)"
for type in jar nginx tomcat; do
  echo "== ecp init --type $type demo-$type"
  (cd "$work" && "$ecp" init --type "$type" "demo-$type")
  "$ecp" -C "$work/demo-$type" validate
done
for ex in "$root"/examples/*/; do
  [ -f "$ex/ecp.yaml" ] || continue
  echo "== ecp validate ($ex)"
  "$ecp" -C "$ex" validate
done
echo "== demo done"
