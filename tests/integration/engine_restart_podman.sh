#!/bin/sh
# cost: 40
# podman's Docker-compatible service (own storage in $T) restarted mid-release:
# the scenario of engine_restart.inc.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/engine_lib.inc"
start_podman_service
. "$ECP_SOURCE_DIR/tests/integration/engine_restart.inc"
