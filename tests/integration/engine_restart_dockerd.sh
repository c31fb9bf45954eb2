#!/bin/sh
# cost: 50
# dockerd (own data-root, exec-root and socket in $T) restarted mid-release:
# the scenario of engine_restart.inc.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/engine_lib.inc"
start_dockerd
. "$ECP_SOURCE_DIR/tests/integration/engine_restart.inc"
