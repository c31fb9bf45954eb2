#!/bin/sh
# cost: 60
# Blue-green, canary and rolling through the gateway container, against
# podman's Docker-compatible service (own storage in $T): engine_gateway.inc.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/engine_lib.inc"
start_podman_service
. "$ECP_SOURCE_DIR/tests/integration/engine_gateway.inc"
