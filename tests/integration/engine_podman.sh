#!/bin/sh
# cost: 105
# The engine backend against podman's Docker-compatible service (own storage in
# $T): the scenario of engine_scenario.inc.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/engine_lib.inc"
start_podman_service
. "$ECP_SOURCE_DIR/tests/integration/engine_scenario.inc"
