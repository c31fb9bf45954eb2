#!/bin/sh
# cost: 40
# An engine reached over tcp:// with TLS (issue 16: identity on engines): dockerd
# listens on 127.0.0.1 with --tlsverify and a CA of the test's own; alice and bob
# each hold a client certificate that CA signed (DOCKER_TLS_VERIFY and
# DOCKER_CERT_PATH, as the docker CLI reads them); the targets file lets
# release-managers (alice) release:
#   1. alice releases over TLS: the container answers, and the audit entry names
#      alice, verified by her certificate's CN;
#   2. bob, claiming GITHUB_ACTOR=alice, is refused (exit 9) naming the rule; the
#      audit log at the engine has a `denied` entry for bob, github:alice only
#      reported; nothing was released;
#   3. mallory's certificate (another CA) is refused by dockerd itself: the error
#      names the engine, nothing is recorded;
#   4. a dockerd with --tls but not --tlsverify: alice's CN is recorded as
#      unverified, with a warning.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/engine_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
command -v curl >/dev/null 2>&1 || skip "curl is not installed"
command -v openssl >/dev/null 2>&1 || skip "openssl is not installed"

# The certificates: the engine's (127.0.0.1), alice's and bob's (its CA), mallory's (another CA).
tls=$T/tls
mkdir -p "$tls/engine" "$tls/alice" "$tls/bob" "$tls/mallory"
(
  cd "$tls"
  ca() { openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" -keyout "$1.key" -out "$1.crt" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign; }
  # sign CA NAME EXT: NAME.key and NAME.crt, signed by CA.
  sign() {
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$2" -keyout "$2.key" -out "$2.csr"
    openssl x509 -req -in "$2.csr" -CA "$1.crt" -CAkey "$1.key" -CAcreateserial -days 2 -extfile "$3" -out "$2.crt"
  }
  ca engine-ca
  ca rogue-ca
  printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >server.ext
  printf 'extendedKeyUsage=clientAuth\n' >client.ext
  sign engine-ca server server.ext
  cp engine-ca.crt engine/ca.pem && cp server.crt engine/server-cert.pem && cp server.key engine/server-key.pem
  for u in alice bob; do sign engine-ca "$u" client.ext; done
  sign rogue-ca mallory client.ext
  for u in alice bob mallory; do cp engine-ca.crt "$u/ca.pem" && cp "$u.crt" "$u/cert.pem" && cp "$u.key" "$u/key.pem"; done
) >"$T/openssl.log" 2>&1 || { cat "$T/openssl.log"; die "openssl could not make the test certificates"; }

DOCKERD_TLS_PORT=$(free_port) DOCKERD_TLS_DIR=$tls/engine
start_dockerd
wait_until 30 curl -sf --cacert "$tls/alice/ca.pem" --cert "$tls/alice/cert.pem" --key "$tls/alice/key.pem" \
  "https://127.0.0.1:$DOCKERD_TLS_PORT/_ping" || die "dockerd does not answer over TLS: $(tail -5 "$T/engine.log")"

make_busybox_base "$T/bb-base"
port=$(free_port)
make_web_app "$T/web" "$port" eng
sed -i "s|^environments:|build:\n  base: \"oci:$T/bb-base:1\"\nenvironments:|" "$T/web/ecp.yaml"
set_config "$T/web" LISTEN_ADDRESS 0.0.0.0
generous_health "$T/web"
set_config "$T/web" GREETING "hello over tls"
cat >"$T/web/ecp-targets.yaml" <<EOF
schema: 1
targets:
  eng:
    plugin: engine
    socket: tcp://127.0.0.1:$DOCKERD_TLS_PORT
access:
  groups:
    release-managers: [alice]
  environments:
    dev:
      release: [release-managers]
EOF
rule_line=$(grep -n '      release: \[release-managers\]' "$T/web/ecp-targets.yaml" | cut -d: -f1)
cd "$T/web"
as() { u=$1; shift; DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$tls/$u "$@"; }
last_result() { python3 -c '
import json, sys
print(json.dumps([x for x in (json.loads(l) for l in open(sys.argv[1]) if l.strip()) if x.get("type") == "result"][-1]))' "$T/out"; }
stop_app() { as alice "$ECP" stop --env dev >/dev/null 2>&1 || true; }

# 1. alice releases over TLS; the audit entry is hers, by her certificate.
expect_exit 0 as alice "$ECP" release --env dev
add_cleanup stop_app
expect_grep "revision 1 of web/dev succeeded" "$T/out"
[ "$(curl -sf "http://127.0.0.1:$port/greeting")" = "hello over tls" ] || die "the container does not answer on $port"
expect_exit 0 as alice "$ECP" -o json audit --env dev
last_result | python3 -c '
import json, sys
r = json.load(sys.stdin); (e,) = r["entries"]
assert e["type"] == "release" and e["outcome"] == "succeeded" and e["revision"] == 1, e
assert e["actor"] == {"verified": "alice", "method": "tls certificate", "reported": ""}, e["actor"]
' || die "the release's audit entry: $(cat "$T/out")"

# 2. bob, claiming to be alice: refused, audited as bob.
set_config . GREETING "from bob"
expect_exit 9 as bob env GITHUB_ACTOR=alice "$ECP" release --env dev
expect_grep "access denied: bob \(tls certificate\) may not release in dev: .*ecp-targets.yaml:$rule_line:[0-9]+ allows release-managers only" "$T/err"
[ "$(curl -sf "http://127.0.0.1:$port/greeting")" = "hello over tls" ] || die "bob's release changed what serves"
expect_exit 0 as alice "$ECP" -o json audit --env dev
last_result | python3 -c '
import json, sys
r = json.load(sys.stdin); d = r["entries"][-1]
assert len(r["entries"]) == 2, r["entries"]
assert d["type"] == "denied" and d["message"].startswith("release: bob"), d
assert d["actor"] == {"verified": "bob", "method": "tls certificate", "reported": "github:alice"}, d["actor"]
' || die "the denial's audit entry: $(cat "$T/out")"

# 3. mallory's certificate is not the engine CA's: dockerd ends the handshake.
set +e; as mallory "$ECP" release --env dev >"$T/out" 2>"$T/err"; code=$?; set -e
[ "$code" != 0 ] && [ "$code" != 9 ] || die "mallory's release: exit $code, expected a connection error"
expect_grep "engine tcp://127.0.0.1:$DOCKERD_TLS_PORT: .*client certificate $tls/mallory/cert.pem" "$T/err"
expect_exit 0 as alice "$ECP" history --env dev
[ "$(grep -c '^ *[0-9]  ' "$T/out")" = 1 ] || die "a refused release recorded a revision: $(cat "$T/out")"

# 4. A dockerd with --tls but without --tlsverify takes any client: the CN is
#    then not verified, and ecp says so.
stop_engine
DOCKERD_TLS_VERIFY=false
start_dockerd
wait_until 30 curl -sf --cacert "$tls/alice/ca.pem" "https://127.0.0.1:$DOCKERD_TLS_PORT/_ping" ||
  die "dockerd without --tlsverify does not answer: $(tail -5 "$T/engine.log")"
expect_exit 0 as alice "$ECP" release --env dev
expect_grep "answers clients without a certificate \(dockerd --tls without --tlsverify\): alice, the CN of .*, is not verified" "$T/err"
expect_exit 0 as alice "$ECP" -o json audit --env dev
last_result | python3 -c '
import json, sys
r = json.load(sys.stdin); e = r["entries"][-1]
assert e["type"] == "release" and e["actor"] == {"verified": "alice", "method": "unverified", "reported": ""}, e
' || die "the release's audit entry over an engine that verifies no client: $(cat "$T/out")"
echo "PASS: an engine over tcp:// with TLS, its client certificate's CN as the verified identity"
