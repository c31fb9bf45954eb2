#!/bin/sh
# Start-up benchmark (never a test): what a command costs before it does any
# work, against a Go peer's own start-up (skopeo --version), in the same run,
# through ../shared/bench/paired.sh (A B A B..., RUNS pairs, no verdict above
# load 0.5). Targets (issue 14): `ecp --version` <= 5 ms, `ecp validate` of an
# example <= 10 ms; the ratio to skopeo is for scale only.
# Also prints what the dynamic loader does for `ecp --version`
# (LD_DEBUG=statistics) and how many shared objects it maps.
# Usage: ECP=build-bench/ecp tests/bench/startup.sh [RUNS]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ECP_SOURCE_DIR=$(cd "$here/../.." && pwd)
. "$ECP_SOURCE_DIR/tests/bench/optimised_ecp.sh"
runs=${1:-21}
paired=${PAIRED:-$ECP_SOURCE_DIR/../shared/bench/paired.sh}
[ -f "$paired" ] || { echo "startup.sh: $paired is missing" >&2; exit 2; }
command -v skopeo >/dev/null || { echo "startup.sh: needs skopeo (the peer)" >&2; exit 2; }

echo "ecp: $ECP ($("$ECP" --version)), $(nproc) cores"
n=$(LD_DEBUG=files "$ECP" --version 2>&1 >/dev/null | grep -c 'generating link map')
echo "shared objects mapped by ecp --version: $n"
LD_DEBUG=statistics "$ECP" --version 2>&1 >/dev/null | sed -n 's/^ *[0-9]*:[[:space:]]*//p' |
  grep -E 'total startup time|final number of relocations:'
echo "a_median_s b_median_s ratio_median ratio_min ratio_max load_before load_after verdict"
printf 'ecp --version vs skopeo --version: '
sh "$paired" -n "$runs" -- "$ECP" --version -- skopeo --version
printf 'ecp validate (hello-site) vs skopeo --version: '
sh "$paired" -n "$runs" -- "$ECP" -C "$ECP_SOURCE_DIR/examples/hello-site" validate -- skopeo --version
