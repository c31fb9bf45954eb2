#!/bin/sh
# The README's first command: installs what ecp needs (setup.sh's run set),
# builds it, and runs the main job: `ecp release` of the bundled jar example to
# the built-in `local` target (no server needed; java from the setup runs it),
# then shows status and
# history. Safe to run again: a second run records a new revision only when the
# image or the configuration changed.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh" run
cmake -S "$root" -B "$root/build-release" -G Ninja -DCMAKE_BUILD_TYPE=Release -DECP_TESTS=OFF >/dev/null
ninja -C "$root/build-release" ecp
ecp="$root/build-release/ecp"
app="$root/examples/hello-jar"

echo "== $("$ecp" --version)"
echo "== building the example's jars from source"
sh "$app/build.sh"
echo "== ecp validate"
"$ecp" -C "$app" validate
echo "== ecp release --env dev (target: local)"
"$ecp" -C "$app" release --env dev
echo "== ecp status --env dev"
"$ecp" -C "$app" status --env dev
echo "== ecp history --env dev"
"$ecp" -C "$app" history --env dev
echo "== done: the app runs on this machine; 'ecp -C examples/hello-jar logs --env dev' shows its output"
