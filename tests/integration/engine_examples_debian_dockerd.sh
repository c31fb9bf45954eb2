#!/bin/sh
# cost: 60
# The three examples built on the real Debian base (mmdebstrap, bases_lib.inc)
# and released to dockerd (own data-root, exec-root and socket in $T): the
# scenario of engine_examples.inc. build_real_base.sh runs the same images in podman.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/engine_lib.inc"
command -v mmdebstrap >/dev/null 2>&1 || skip "mmdebstrap is not installed"
start_dockerd
ENGINE_EXAMPLES_BASE=debian
. "$ECP_SOURCE_DIR/tests/integration/engine_examples.inc"
