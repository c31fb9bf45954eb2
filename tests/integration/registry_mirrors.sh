#!/bin/sh
# cost: 20
# registries.conf mirrors (containers-registries.conf(5)), against real
# docker-registry instances, with skopeo reading the same file as the judge:
# a pull goes to the mirror first and falls back to the location when the
# mirror lacks the image or is down (a warning names it); mirror-by-digest-only
# keeps tag pulls off the mirror; blocked refuses; insecure = true reaches a TLS
# registry without its CA, with a warning; a malformed file names its line.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/registry/lib.sh"
need skopeo
export DOCKER_CONFIG="$T/docker"
export CONTAINERS_REGISTRIES_CONF="$T/registries.conf"

start_registry "$T/location"
L=127.0.0.1:$REG_PORT
start_registry "$T/mirror"
M=127.0.0.1:$REG_PORT
make_app "$T/app" peek 128
d1=$(build_app "$T/app" v1)
head -c 64K /dev/urandom >"$T/app/app/lib/application.jar"
d2=$(build_app "$T/app" v2)
"$ECP" -q push peek:v1 "$M/mirror/team/peek:v1" >/dev/null || die "push to the mirror failed"
"$ECP" -q push peek:v2 "$L/team/peek:v2" >/dev/null || die "push to the location failed"

write_conf() { # write_conf EXTRA_REGISTRY_LINE
  cat >"$CONTAINERS_REGISTRIES_CONF" <<CONF
unqualified-search-registries = ["docker.io"]

[[registry]]
prefix = "registry.example.test/team"
location = "$L/team"
insecure = true
$1

[[registry.mirror]]
location = "$M/mirror/team"
insecure = true

[[registry]]
prefix = "blocked.example.test"
location = "blocked.example.test"
blocked = true
CONF
}
write_conf ""

# 1. The mirror has v1: it comes from there; skopeo, reading the same file, agrees.
expect_exit 0 "$ECP" -o json pull registry.example.test/team/peek:v1
[ "$(json_field "$T/out" digest)" = "$d1" ] || die "the mirror's image is not v1"
[ "$(json_field "$T/out" source)" = "$M/mirror/team/peek" ] || die "the pull did not come from the mirror"
# With -o json the warnings are JSON log lines on stdout.
expect_grep "\"level\":\"warning\",\"message\":\"registry $M: insecure = true in $CONTAINERS_REGISTRIES_CONF" "$T/out"
# skopeo, given the same file, pulls the same image through the mirror.
skopeo --registries-conf "$CONTAINERS_REGISTRIES_CONF" copy -q --preserve-digests \
  docker://registry.example.test/team/peek:v1 "oci:$T/skopeo:v1" ||
  die "skopeo could not pull through the mirror"
[ "sha256:$(skopeo inspect --raw "oci:$T/skopeo:v1" | sha256sum | cut -d' ' -f1)" = "$d1" ] ||
  die "skopeo reads the mirror differently"
expect_exit 0 "$ECP" images
expect_grep "^registry.example.test/team/peek:v1 " "$T/out"

# 2. The mirror lacks v2: a warning, then the location.
expect_exit 0 "$ECP" -o json pull registry.example.test/team/peek:v2
[ "$(json_field "$T/out" digest)" = "$d2" ] || die "v2 is not the location's image"
[ "$(json_field "$T/out" source)" = "$L/team/peek" ] || die "v2 did not come from the location"
expect_grep "\"message\":\"mirror $M/mirror/team/peek:v2: .*; trying $L/team" "$T/out"

# 3. The mirror is down: the location serves, and the warning says why.
stop_registry "$T/mirror"
"$ECP" images rm registry.example.test/team/peek:v2 >/dev/null
expect_exit 0 "$ECP" pull --retries 1 registry.example.test/team/peek:v2
expect_grep "warning: mirror $M/mirror/team/peek:v2: .*; trying $L/team" "$T/err"
run_registry "$T/mirror"

# 4. mirror-by-digest-only: a tag goes to the location only (which lacks v1);
# the digest comes from the mirror.
write_conf "mirror-by-digest-only = true"
expect_exit 4 "$ECP" pull registry.example.test/team/peek:v1
expect_no_grep "mirror" "$T/err"
expect_exit 0 "$ECP" -o json pull "registry.example.test/team/peek@$d1"
[ "$(json_field "$T/out" source)" = "$M/mirror/team/peek" ] || die "the digest did not come from the mirror"

# 5. blocked = true refuses, naming the file and line.
expect_exit 2 "$ECP" pull blocked.example.test/x/y:1
expect_grep "registries.conf:[0-9]+: pulls of 'blocked.example.test/x/y' are blocked" "$T/err"

# 6. insecure = true: a TLS registry without its CA.
REG_TLS=1 start_registry "$T/secure"
S=127.0.0.1:$REG_PORT
"$ECP" -q push --ca-file "$T/tls/ca.crt" peek:v1 "$S/peek:v1" >/dev/null || die "push to the TLS registry failed"
expect_exit 4 "$ECP" pull --retries 1 "$S/peek:v1"
expect_grep "certificate|SSL" "$T/err"
printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$S" >"$CONTAINERS_REGISTRIES_CONF"
expect_exit 0 "$ECP" pull "$S/peek:v1"
expect_grep "registry $S: insecure = true in $CONTAINERS_REGISTRIES_CONF: its certificate is not checked" "$T/err"

# 7. A malformed file: its line, exit 2.
printf '[[registry]]\nlocation = "%s"\ninsecure = "yes"\n' "$S" >"$CONTAINERS_REGISTRIES_CONF"
expect_exit 2 "$ECP" pull "$S/peek:v1"
expect_grep "registries.conf:3: 'insecure' must be true or false" "$T/err"
echo ok
