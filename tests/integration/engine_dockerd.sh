#!/bin/sh
# cost: 115
# The engine backend against dockerd (own data-root, exec-root and socket in $T):
# the scenario of engine_scenario.inc.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/engine_lib.inc"
start_dockerd
. "$ECP_SOURCE_DIR/tests/integration/engine_scenario.inc"
