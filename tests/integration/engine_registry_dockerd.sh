#!/bin/sh
# cost: 55
# Registry delivery to dockerd (engine_registry.inc): dockerd treats registries
# on 127.0.0.0/8 as insecure by default, so the plain-HTTP test registry needs no
# insecure-registries entry.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/registry/lib.sh"
. "$ECP_SOURCE_DIR/tests/integration/engine_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
need htpasswd
REG_AUTH=htpasswd start_registry "$T/reg"
R=127.0.0.1:$REG_PORT
start_dockerd
. "$ECP_SOURCE_DIR/tests/integration/engine_registry.inc"
