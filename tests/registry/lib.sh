# Helpers for tests/integration/registry_*.sh, sourced after tests/lib/common.sh.
# Each test starts its own docker-registry (distribution 2.8) on a free loopback
# port inside $T, and stops it by PID at exit.
REG_HELPERS="$ECP_SOURCE_DIR/tests/registry"
: > "$T/pids"
stop_started() { while read -r p; do kill "$p" 2>/dev/null || true; done < "$T/pids"; }
add_cleanup stop_started

need() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
  done
}
need docker-registry curl python3 openssl

# wait_answer URL [CURL_ARGS...]: waits until URL answers with any HTTP status.
wait_answer() {
  url=$1; shift
  n=0
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "$@" "$url" 2>/dev/null)" != "000" ]; do
    n=$((n + 1)); [ "$n" -lt 600 ] || return 1
    sleep 0.05
  done
}

# start_registry DIR [PORT]: writes DIR/config.yml and runs the registry; sets REG_PORT.
# Options through the environment: REG_TLS=1 (a self-signed cert in $T/tls),
# REG_AUTH=htpasswd (user "ecp", password "s3cret") or REG_AUTH=token (needs
# TOKEN_PORT), REG_ROOT (storage folder, default DIR/data).
start_registry() {
  dir=$1; REG_PORT=${2:-$(free_port)}
  mkdir -p "$dir"
  root=${REG_ROOT:-$dir/data}
  mkdir -p "$root"
  {
    echo "version: 0.1"
    echo "log: {level: warn, accesslog: {disabled: true}}"
    echo "storage: {filesystem: {rootdirectory: $root}, delete: {enabled: true}}"
    echo "health: {storagedriver: {enabled: false}}"
    echo "http:"
    echo "  addr: 127.0.0.1:$REG_PORT"
    echo "  secret: ecp-test-upload-secret"
    if [ "${REG_TLS:-}" = 1 ]; then
      make_tls
      echo "  tls: {certificate: $T/tls/server.crt, key: $T/tls/server.key}"
    fi
    case ${REG_AUTH:-} in
      htpasswd)
        need htpasswd
        htpasswd -Bbn ecp s3cret > "$T/htpasswd"
        echo "auth: {htpasswd: {realm: ecp-test, path: $T/htpasswd}}" ;;
      token)
        echo "auth: {token: {realm: 'http://127.0.0.1:$TOKEN_PORT/token', service: ecp-test-registry,"
        echo "  issuer: ecp-test-issuer, rootcertbundle: $T/token/token.crt}}" ;;
    esac
  } > "$dir/config.yml"
  run_registry "$dir"
}

# run_registry DIR: (re)starts the registry of DIR/config.yml on its port.
# (Its variable is reg_run_port: the tests that source this keep their own $port.)
run_registry() {
  docker-registry serve "$1/config.yml" >> "$1/log" 2>&1 &
  echo $! > "$1/pid"; echo $! >> "$T/pids"
  reg_run_port=$(sed -n 's/^  addr: 127.0.0.1:\([0-9]*\)$/\1/p' "$1/config.yml")
  wait_answer "http://127.0.0.1:$reg_run_port/v2/" -k || wait_answer "https://127.0.0.1:$reg_run_port/v2/" -k ||
    { cat "$1/log"; skip "docker-registry did not start"; }
}

stop_registry() { kill "$(cat "$1/pid")" 2>/dev/null || true; wait "$(cat "$1/pid")" 2>/dev/null || true; }

# make_tls: a CA and a server certificate for localhost / 127.0.0.1 it signed.
make_tls() {
  [ -f "$T/tls/server.crt" ] && return 0
  mkdir -p "$T/tls"
  (
    cd "$T/tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=ecp-test-ca -keyout ca.key -out ca.crt \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
    openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout server.key -out server.csr
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > ext.cnf
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile ext.cnf -out server.crt
  ) > "$T/tls.log" 2>&1 || { cat "$T/tls.log"; die "openssl could not make the test certificates"; }
}

# start_token_server USER PASSWORD: a JWT token server (tests/registry/token_server.py); sets TOKEN_PORT.
start_token_server() {
  mkdir -p "$T/token"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=ecp-test-token -keyout "$T/token/token.key" \
    -out "$T/token/token.crt" > "$T/token/openssl.log" 2>&1 || die "openssl could not make the token key"
  TOKEN_PORT=$(free_port)
  python3 "$REG_HELPERS/token_server.py" "$TOKEN_PORT" "$T/token/token.key" "$T/token/token.crt" "$1" "$2" \
    "$T/token/requests.log" > "$T/token/log" 2>&1 &
  echo $! >> "$T/pids"
  wait_answer "http://127.0.0.1:$TOKEN_PORT/token" || { cat "$T/token/log"; skip "the token server did not start"; }
}

# start_proxy UPSTREAM_PORT [--throttle N] [RULE...]: tests/registry/fault_proxy.py; sets PROXY_PORT, PROXY_LOG.
start_proxy() {
  upstream=$1; shift
  PROXY_PORT=$(free_port)
  PROXY_LOG=$T/proxy-$PROXY_PORT.log
  : > "$PROXY_LOG"
  python3 "$REG_HELPERS/fault_proxy.py" "$PROXY_PORT" "$upstream" "$PROXY_LOG" "$@" > "$T/proxy-$PROXY_PORT.out" 2>&1 &
  echo $! >> "$T/pids"
  wait_answer "http://127.0.0.1:$PROXY_PORT/ecp-proxy-ready" || { cat "$T/proxy-$PROXY_PORT.out"; skip "the proxy did not start"; }
}

# make_app DIR NAME DEPS_KB: a jar-layout project (scratch base) with DEPS_KB of
# random dependency jars in four files and a small application.jar.
make_app() {
  rm -rf "$1"; mkdir -p "$1/app/lib" "$1/app/bin" "$1/app/conf" "$1/app/data"
  printf 'app: %s\ntype: jar\nbuild:\n  base: scratch\n' "$2" > "$1/ecp.yaml"
  for i in 1 2 3 4; do head -c "$(($3 / 4))K" /dev/urandom > "$1/app/lib/dep-$i.jar"; done
  head -c 64K /dev/urandom > "$1/app/lib/application.jar"
  printf '#!/bin/sh\nexec java -jar /app/lib/application.jar\n' > "$1/app/bin/entrypoint.sh"
  printf '#!/bin/sh\n: autoconfig\n' > "$1/app/bin/autoconfig.sh"
  chmod +x "$1/app/bin/"*.sh
  printf 'PORT=8080\n' > "$1/app/conf/autoconfig.properties"
}

# build_app DIR TAG: ecp build; prints the manifest digest.
build_app() {
  SOURCE_DATE_EPOCH=1700000000 "$ECP" -C "$1" -q -o json build -t "$2" > "$T/build.json" 2> "$T/build.err" ||
    { cat "$T/build.err"; die "ecp build failed"; }
  python3 -c 'import json,sys; print([json.loads(l) for l in open(sys.argv[1]) if "\"result\"" in l][-1]["digest"])' "$T/build.json"
}

# json_field FILE KEY: KEY of the last {"type":"result"} line of FILE.
json_field() {
  python3 -c 'import json,sys
r=[json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
r=[x for x in r if x.get("type")=="result"][-1]
print(r[sys.argv[2]])' "$1" "$2"
}

# skopeo_digest REF [ARGS...]: the manifest digest skopeo inspect reports.
skopeo_digest() {
  ref=$1; shift
  skopeo inspect --raw "$@" "docker://$ref" > "$T/skopeo.raw" || die "skopeo inspect --raw docker://$ref failed"
  echo "sha256:$(sha256sum < "$T/skopeo.raw" | cut -d' ' -f1)"
}
