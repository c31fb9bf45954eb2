#!/bin/sh
# cost: 22
# The three examples on their small bases, released to dockerd (own data-root, exec-root and socket in $T):
# the scenario of engine_examples.inc.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/engine_lib.inc"
start_dockerd
. "$ECP_SOURCE_DIR/tests/integration/engine_examples.inc"
