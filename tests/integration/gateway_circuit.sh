#!/bin/sh
# Circuit breaking at the nginx gateway of two SSH hosts (run.circuit): h1's
# instance answers 502 (a file on its own /srv). With retry_on http_502 the
# gateway retries each such request on h2, takes h1 out of rotation after
# max_fails, and sends it nothing for fail_timeout: a load sees 0 failures and
# h1 gets at most one request. Once h1 is healthy again, it gets traffic back by
# itself. Hostile values of run.circuit are refused by validate, naming the field.
# cost: 60
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/host_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/gateway_lib.inc"

two_hosts_and_gateway
a1=${u1#ssh://root@}
a1=${a1%:*}
make_py_app "$T/py" "$port" "{type: rolling, batch: 1}"
cd "$T/py"
python3 - ecp.yaml <<'PY'
import sys
p = sys.argv[1]
s = open(p).read().replace("run:\n", "run:\n  circuit: {max_fails: 1, fail_timeout: 30s, retry_on: [error, timeout, http_502], tries: 2, timeout: 5s}\n", 1)
open(p, "w").write(s)
PY
set_config . FAIL_FILE /srv/fail
gateway_target . "$gwport" "$u1" "$u2"
expect_exit 0 "$ECP" release --env dev
conf=$T/hosts/gw/srv/ecp/py/dev/gateway/nginx.conf
log=$T/hosts/gw/srv/ecp/py/dev/gateway/logs/access.log
expect_grep "server $a1:$port weight=1 max_fails=1 fail_timeout=30s;" "$conf"
expect_grep '^ +proxy_next_upstream error timeout http_502;' "$conf"
expect_grep '^ +proxy_next_upstream_tries 2;' "$conf"
expect_grep '^ +proxy_next_upstream_timeout 5s;' "$conf"

# 1. h1 answers 502: no client sees it, and h1 is out of rotation.
touch "$T/hosts/h1/srv/fail"
before=$(wc -l <"$log")
load "$gw" 30 2 "$T/load.json"
[ "$(json_field "$T/load.json" 'r["failed"]')" = 0 ] || die "a 502 reached a client: $(cat "$T/load.json")"
tail -n +"$((before + 1))" "$log" >"$T/during"
to_h1=$(grep -c "|$a1:$port" "$T/during" || true)
[ "$to_h1" -le 1 ] || { cat "$T/during"; die "the gateway kept sending to the failing instance ($to_h1 requests)"; }
expect_grep "\\|200\\|$a1:$port, [0-9.]+:$port\\|502, 200\\|" "$T/during"
# ecp status shows it out of rotation, in text and JSON. (A few requests first:
# on a machine so slow that fail_timeout passed, one of them finds h1 failing
# again, and it is out again.)
for i in 1 2 3; do curl -sf "$gw" >/dev/null || die "a request through the gateway failed"; done
expect_exit 0 "$ECP" status --env dev --no-probe
expect_grep "^a-0 +$u1 +1 +[0-9]+ running,out " "$T/out"
expect_grep "out of rotation: the gateway took it out" "$T/out"
expect_exit 0 "$ECP" --output json status --env dev --no-probe
[ "$(json_field "$T/out" 'sorted((i["location"], i["out_of_rotation"]) for i in r["instances"]) == sorted([("'"$u1"'", True), ("'"$u2"'", False)])')" = True ] ||
  die "status does not mark h1 out of rotation: $(cat "$T/out")"

# 2. h1 healthy again: it gets traffic back by itself, with no ecp command.
rm "$T/hosts/h1/srv/fail"
wait_until "the gateway sending to h1 again" sh -c 'curl -sf "$1" >/dev/null; tail -n 1 "$2" | grep -q "|200|$3|200|"' sh "$gw" "$log" "$a1:$port"

# 3. Hostile values: named by file, line and field (exit 2).
cp ecp.yaml ecp.yaml.good
sed -i 's/retry_on: \[error, timeout, http_502\]/retry_on: [error, "http_502; return 200"]/' ecp.yaml
expect_exit 2 "$ECP" validate
expect_grep 'ecp.yaml:[0-9]+:[0-9]+: .*run.circuit.retry_on\[1\]' "$T/err"
cp ecp.yaml.good ecp.yaml
sed -i 's/max_fails: 1,/max_fails: many,/' ecp.yaml
expect_exit 2 "$ECP" validate
expect_grep 'run.circuit.max_fails' "$T/err"
echo "PASS: circuit breaking at the gateway: 502s retried elsewhere, the instance out and back"
