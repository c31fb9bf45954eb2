#!/bin/sh
# Regenerates completions/ (bash, zsh, fish) with a built ecp, which generates
# them from its own command tree. Run it after adding or changing a command or
# an option; tests/integration/completions_fresh.sh fails until you do.
#   scripts/update-completions.sh [PATH/TO/ecp]   (default: $ECP, else build/ecp)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
ecp=${1:-${ECP:-$root/build/ecp}}
[ -x "$ecp" ] || { echo "update-completions: no ecp binary at $ecp; build first or pass its path" >&2; exit 2; }
trap 'rm -f "$root"/completions/*.tmp' EXIT
for pair in bash:ecp.bash zsh:_ecp fish:ecp.fish; do
  shell=${pair%%:*}
  file=$root/completions/${pair#*:}
  # Write beside the target, then rename: a failed run leaves the old file.
  "$ecp" completion "$shell" > "$file.tmp"
  mv "$file.tmp" "$file"
  echo "wrote $file"
done
