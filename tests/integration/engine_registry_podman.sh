#!/bin/sh
# cost: 50
# Registry delivery to podman's Docker-compatible service (engine_registry.inc):
# the registry (htpasswd auth, plain HTTP) is marked insecure in the service's
# registries.conf.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/registry/lib.sh"
. "$ECP_SOURCE_DIR/tests/integration/engine_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
need htpasswd
REG_AUTH=htpasswd start_registry "$T/reg"
R=127.0.0.1:$REG_PORT
printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$R" >"$T/registries.conf"
export CONTAINERS_REGISTRIES_CONF="$T/registries.conf"
start_podman_service
. "$ECP_SOURCE_DIR/tests/integration/engine_registry.inc"
