#!/bin/sh
# A registry with Bearer token auth (`auth: token`), its tokens signed by a
# small token server in the test (tests/registry/token_server.py, RS256 with a
# test key the registry trusts through rootcertbundle). Anonymous: exit 5; a
# wrong password: exit 5 naming the registry; after ecp login, push, pull and
# a cross-repository mount work with tokens cached per scope, and skopeo reads
# the same digest.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/registry/lib.sh"
need skopeo
export DOCKER_CONFIG="$T/docker"

start_token_server ecp t0ken-pass
REG_AUTH=token start_registry "$T/reg"
R=127.0.0.1:$REG_PORT
TOKENS=$T/token/requests.log
make_app "$T/app" tokened 1024
digest=$(build_app "$T/app" v1)

# 1. Anonymous: the token grants nothing, the registry says 401: exit 5 with the way out.
expect_exit 5 "$ECP" push tokened:v1 "$R/tokened:v1"
expect_grep "registry $R, repository tokened: .*401.*ecp login $R" "$T/err"
expect_grep '^token - repository:tokened:pull,push' "$TOKENS"

# 2. A wrong password: the token server refuses, exit 5 naming the registry, nothing stored.
expect_exit 5 sh -c 'printf nope | "$1" login -u ecp --password-stdin "$2"' _ "$ECP" "$R"
expect_grep "registry $R: token request" "$T/err"
expect_grep '^token REJECTED ecp' "$TOKENS"
[ ! -e "$DOCKER_CONFIG/config.json" ] || die "a rejected login wrote config.json"

# 3. Login, then push: one token for the repository's scope, reused by every request.
expect_exit 0 sh -c 'printf t0ken-pass | "$1" login -u ecp --password-stdin "$2"' _ "$ECP" "$R"
: > "$TOKENS"
expect_exit 0 "$ECP" -o json push tokened:v1 "$R/tokened:v1"
blobs=$(json_field "$T/out" blobs)
[ "$(json_field "$T/out" uploaded)" = "$blobs" ] || die "the push did not upload every blob"
n=$(grep -c '^token ecp repository:tokened:pull,push$' "$TOKENS")
[ "$n" = 1 ] || { cat "$TOKENS"; die "expected one token for the push scope, the server issued $n"; }
[ "$(skopeo_digest "$R/tokened:v1" --tls-verify=false --creds ecp:t0ken-pass)" = "$digest" ] ||
  die "skopeo sees another digest"
skopeo copy -q --src-tls-verify=false --src-creds ecp:t0ken-pass "docker://$R/tokened:v1" "oci:$T/copied:v1" ||
  die "skopeo copy of the pushed image failed"

# 4. Another repository: a mount, with a token that also grants pull on the source.
expect_exit 0 "$ECP" -o json push tokened:v1 "$R/mirror/tokened:v1"
[ "$(json_field "$T/out" mounted)" = "$blobs" ] || { cat "$T/out"; die "expected every blob mounted"; }
expect_grep '^token ecp repository:mirror/tokened:pull,push repository:tokened:pull$' "$TOKENS"

# 5. Pull into a fresh store (pull scope only).
ECP_HOME=$T/home2 expect_exit 0 "$ECP" -o json pull "$R/mirror/tokened:v1"
[ "$(json_field "$T/out" digest)" = "$digest" ] || die "pull stored another digest"
expect_grep '^token ecp repository:mirror/tokened:pull$' "$TOKENS"
echo "token auth: anonymous and wrong password exit 5, one token per scope, push/mount/pull agree with skopeo"
