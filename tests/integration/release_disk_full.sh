#!/bin/sh
# A target whose disk is full: ecp stops with a clear error that names the host
# and says the disk is full; nothing that ran before is touched (exit 6, ledger
# failed-rolled-back). The target root is a small tmpfs in a private mount
# namespace (unshare -m), so the machine's disks are never filled.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
command -v unshare >/dev/null 2>&1 || skip "unshare is not installed (util-linux)"
unshare -m true 2>/dev/null || skip "mount namespaces are not permitted here"

port=$(free_port)
make_web_app "$T/web" "$port" small
mkdir -p "$T/small"
stop_at_exit "$T/small/root"
cd "$T/web"
printf 'schema: 1\ntargets:\n  small:\n    plugin: host\n    root: %s/small/root\n' "$T" >ecp-targets.yaml
expect_exit 0 "$ECP" build
# 600 KB of tmpfs: the ledger fits, a 2 MB layer does not.
head -c 2000000 /dev/urandom >app/html/big.bin
expect_exit 0 "$ECP" build
cat >"$T/run.sh" <<SH
mount -t tmpfs -o size=600k ecp-test "$T/small" || exit 125
exec "\$@"
SH
set +e
unshare -m sh "$T/run.sh" "$ECP" deploy --env dev >"$T/out" 2>"$T/err"
code=$?
set -e
[ "$code" != 125 ] || skip "cannot mount a tmpfs here"
[ "$code" = 6 ] || { cat "$T/out" "$T/err"; die "a full disk exited $code, expected 6"; }
expect_grep "^ecp: error: .*local: .*the disk is full \(No space left on device\)" "$T/err"
echo "PASS: a full disk is a clear error naming the host"
