#!/bin/sh
# cost: 20
# The three examples on their small bases, released to podman's Docker-compatible service (own storage in $T):
# the scenario of engine_examples.inc.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/engine_lib.inc"
start_podman_service
. "$ECP_SOURCE_DIR/tests/integration/engine_examples.inc"
