#!/bin/sh
# A registry with TLS (a test CA) and Basic auth (htpasswd): TLS is verified
# (no CA: refused, no plain-HTTP fallback), the CA comes from --ca-file, a
# certs.d folder or the targets file; a wrong password is exit 5 naming the
# registry and stores nothing; ecp login stores config.json with mode 0600;
# push and pull then work and skopeo reads the same digest; ecp logout removes
# the credentials.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/registry/lib.sh"
need skopeo
export DOCKER_CONFIG="$T/docker"

REG_TLS=1 REG_AUTH=htpasswd start_registry "$T/reg"
R=127.0.0.1:$REG_PORT
CA=$T/tls/ca.crt
make_app "$T/app" secure 512
digest=$(build_app "$T/app" v1)

# 1. TLS is verified: without the CA the push fails (4) and says how to pass one.
expect_exit 4 "$ECP" push --retries 1 secure:v1 "$R/secure:v1"
expect_grep "registry $R: GET /v2/ \(ping\).*(certificate|SSL)" "$T/err"
expect_grep "ca-file" "$T/err"

# 2. With the CA but no credentials: exit 5, with the way out.
expect_exit 5 "$ECP" push --ca-file "$CA" secure:v1 "$R/secure:v1"
expect_grep "registry $R, repository secure: .*HTTP 401.*ecp login $R" "$T/err"

# 3. A wrong password: exit 5 naming the registry; nothing stored.
printf 'wrong\n' > "$T/pw"
expect_exit 5 sh -c '"$1" login --ca-file "$2" -u ecp --password-stdin "$3" < "$4"' _ "$ECP" "$CA" "$R" "$T/pw"
expect_grep "registry $R" "$T/err"
[ ! -e "$DOCKER_CONFIG/config.json" ] || die "a rejected login wrote config.json"

# 4. The right one: stored in config.json, mode 0600, where docker looks.
printf 's3cret\n' > "$T/pw"
expect_exit 0 sh -c '"$1" login --ca-file "$2" -u ecp --password-stdin "$3" < "$4"' _ "$ECP" "$CA" "$R" "$T/pw"
[ "$(stat -c %a "$DOCKER_CONFIG/config.json")" = 600 ] || die "config.json is not mode 0600"
python3 - "$DOCKER_CONFIG/config.json" "$R" <<'PY' || die "config.json does not hold ecp:s3cret for the registry"
import base64, json, sys
c = json.load(open(sys.argv[1]))
assert base64.b64decode(c["auths"][sys.argv[2]]["auth"]).decode() == "ecp:s3cret"
PY

# 5. Push with the CA from a certs.d folder; skopeo (with the same credentials) agrees.
mkdir -p "$T/certs.d/$R"
cp "$CA" "$T/certs.d/$R/ca.crt"
ECP_CERTS_D=$T/certs.d expect_exit 0 "$ECP" -o json push secure:v1 "$R/secure:v1"
[ "$(json_field "$T/out" digest)" = "$digest" ] || die "push reported another digest"
[ "$(skopeo_digest "$R/secure:v1" --tls-verify=false --creds ecp:s3cret)" = "$digest" ] || die "skopeo sees another digest"
skopeo copy -q --src-tls-verify=false --src-creds ecp:s3cret "docker://$R/secure:v1" "oci:$T/copied:v1" ||
  die "skopeo copy of the pushed image failed"

# 6. Pull into a fresh store with the CA from the targets file.
printf 'schema: 1\nregistries:\n  secure:\n    url: %s\n    ca: %s\n' "$R" "$CA" > "$T/targets.yaml"
ECP_HOME=$T/home2 expect_exit 0 "$ECP" --targets "$T/targets.yaml" -o json pull "$R/secure:v1"
[ "$(json_field "$T/out" digest)" = "$digest" ] || die "pull stored another digest"
ECP_HOME=$T/home2 "$ECP" images > "$T/images"
expect_grep "^$R/secure:v1 +${digest%"${digest#???????????????????}"}" "$T/images"

# 7. Logout: the entry is gone, and the registry wants credentials again.
expect_exit 0 "$ECP" logout "$R"
expect_no_grep "$R" "$DOCKER_CONFIG/config.json"
expect_exit 5 "$ECP" push --ca-file "$CA" secure:v1 "$R/secure:v2"
expect_exit 0 "$ECP" logout "$R"
expect_grep "no credentials" "$T/out"
echo "TLS + Basic: verified TLS, CA from flag/certs.d/targets, login/logout, wrong password exit 5, skopeo agrees"
