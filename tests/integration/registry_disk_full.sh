#!/bin/sh
# The registry's disk is full (its storage on a 2 MB tmpfs): the push fails
# with a clear registry error (exit 4) naming the registry, the repository and
# the failing operation, and no tag appears. Skipped when tmpfs cannot be
# mounted here.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/registry/lib.sh"

mkdir -p "$T/small"
mount -t tmpfs -o size=2m tmpfs "$T/small" 2>/dev/null || skip "cannot mount a tmpfs here (needs root)"
unmount_small() { umount -l "$T/small" 2>/dev/null || true; }
add_cleanup unmount_small

REG_ROOT=$T/small start_registry "$T/reg"
R=127.0.0.1:$REG_PORT
make_app "$T/app" full 4096
build_app "$T/app" v1 > /dev/null

expect_exit 4 "$ECP" push --retries 2 full:v1 "$R/full:v1"
expect_grep "^ecp: error: registry $R, repository full: [^:]*blob sha256:[0-9a-f]+[^:]*: HTTP 5[0-9][0-9] " "$T/err"
expect_grep "\(the registry's storage is full\)" "$T/err"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$R/v2/full/manifests/v1")" = 404 ] || die "a tag exists after the failed push"
echo "disk full: exit 4 with a clear error, no tag"
