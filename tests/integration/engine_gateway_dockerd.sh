#!/bin/sh
# cost: 55
# Blue-green, canary and rolling through the gateway container, against a
# dockerd of the test's own (data-root in $T): engine_gateway.inc.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/engine_lib.inc"
start_dockerd
. "$ECP_SOURCE_DIR/tests/integration/engine_gateway.inc"
