#!/bin/sh
# cost: 60
# ecp promote across registries, on podman's Docker-compatible service and the
# local target. ecp.yaml declares pipeline: [dev, staging, prod]; dev runs on
# the local target (ecp's store, no registry), staging on the engine with
# registry A (no auth), prod on the same engine with registry B (htpasswd):
#   1. dev -> staging: the digest dev runs is pushed from ecp's store to A and
#      released with staging's configuration; recorded as promoted_from;
#   2. staging -> prod: copied from A to B by digest (B has the same manifest
#      digest), prod serves prod's configuration; history shows where it came from;
#   3. refused, exit 2, nothing recorded: dev -> prod (out of pipeline order), a
#      staging revision that failed (rolled back), the same environment twice;
#   4. staging -> a host target with the image gone from ecp's store: its layers
#      are pulled from A by digest first.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/registry/lib.sh"
. "$ECP_SOURCE_DIR/tests/integration/engine_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
need htpasswd
command -v curl >/dev/null 2>&1 || skip "curl is not installed"
start_registry "$T/rega"
A=127.0.0.1:$REG_PORT
REG_AUTH=htpasswd start_registry "$T/regb"
B=127.0.0.1:$REG_PORT
printf '[[registry]]\nlocation = "%s"\ninsecure = true\n\n[[registry]]\nlocation = "%s"\ninsecure = true\n' \
  "$A" "$B" >"$T/registries.conf"
export CONTAINERS_REGISTRIES_CONF="$T/registries.conf"
start_podman_service

make_busybox_base "$T/bb-base"
pd=$(free_port) ps=$(free_port) pp=$(free_port)
make_web_app "$T/web" "$pd" local
generous_health "$T/web"
sed -i "s|^environments:|build:\n  base: \"oci:$T/bb-base:1\"\nenvironments:|" "$T/web/ecp.yaml"
cat >>"$T/web/ecp.yaml" <<EOF
    config: {GREETING: "dev says hi"}
  staging:
    target: stage
    config: {GREETING: "staging says hi", LISTEN_PORT: "$ps", LISTEN_ADDRESS: "0.0.0.0"}
  prod:
    target: live
    config: {GREETING: "prod says hi", LISTEN_PORT: "$pp", LISTEN_ADDRESS: "0.0.0.0"}
pipeline: [dev, staging, prod]
EOF
cat >"$T/web/ecp-targets.yaml" <<EOF
schema: 1
registries:
  a: {url: "$A/team", insecure: true}
  b: {url: "$B/shop", insecure: true}
targets:
  stage: {plugin: engine, socket: "unix://$ENGINE_SOCK", registry: a}
  live: {plugin: engine, socket: "unix://$ENGINE_SOCK", registry: b}
EOF
cd "$T/web"
stop_at_exit "$ECP_HOME/targets/local"
export DOCKER_CONFIG="$T/docker"
printf 's3cret\n' | "$ECP" login -u ecp --password-stdin "$B" >"$T/login.out" 2>&1 || { cat "$T/login.out"; die "ecp login failed"; }
expect_exit 0 "$ECP" validate
greeting() { curl -sf "http://127.0.0.1:$1/greeting"; }
# last_record ENV EXPR: a Python expression over the newest ledger record (r) of ENV.
last_record() {
  "$ECP" history --env "$1" -o json >"$T/h.json" || die "ecp history --env $1 failed"
  python3 - "$T/h.json" "$2" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
recs = [x for x in lines if x.get("type") == "result"][-1]["records"]
r = max(recs, key=lambda x: x["revision"])
print(eval(sys.argv[2]))
PY
}
revisions() { "$ECP" history --env "$1" -o json | python3 -c 'import json,sys; print(len([json.loads(l) for l in sys.stdin if "\"result\"" in l][-1]["records"]))'; }

# 1. dev runs from ecp's store; promoted to staging: pushed to A by digest.
expect_exit 0 "$ECP" release --env dev
[ "$(greeting "$pd")" = "dev says hi" ] || die "dev does not serve"
dev_digest=$(last_record dev 'r["image_digest"]')
expect_exit 0 "$ECP" -o json promote --from dev --to staging
python3 - "$T/out" "$dev_digest" <<'PY' || die "promote dev -> staging: $(cat "$T/out")"
import json, sys
r = [x for x in (json.loads(l) for l in open(sys.argv[1]) if l.strip()) if x.get("type") == "result"][-1]
assert r["type"] == "result" and r["ok"] and r["outcome"] == "succeeded", r
assert r["promoted_from"] == {"env": "dev", "revision": 1, "image_digest": sys.argv[2]}, r
assert r["copied"] is True, r
PY
[ "$(greeting "$ps")" = "staging says hi" ] || die "staging does not serve its own configuration"
[ "$(last_record staging 'r["image_digest"]')" = "$dev_digest" ] || die "staging does not run dev's digest"
[ "$(last_record staging 'r["promoted_from"]["env"] + ":" + str(r["promoted_from"]["revision"])')" = "dev:1" ] ||
  die "staging's record does not say where it came from"

# 2. staging -> prod: planned first (nothing copied, nothing recorded), then
# copied from A to B (auth), by digest.
expect_exit 0 "$ECP" promote --from staging --to prod --dry-run
expect_grep "plan: deploy web/prod on target live as revision 1" "$T/out"
expect_grep "image +$B/shop/web:1.0.0 $dev_digest" "$T/out"
! curl -sf -u ecp:s3cret -o /dev/null "http://$B/v2/shop/web/manifests/$dev_digest" || die "--dry-run copied the image"
expect_exit 0 "$ECP" promote --from staging --to prod
cat "$T/out" "$T/err" >"$T/all"
expect_grep "copying $A/team/web@$dev_digest to $B/shop/web:" "$T/all"
expect_grep "revision 1 of web/prod succeeded" "$T/out"
[ "$(greeting "$pp")" = "prod says hi" ] || die "prod does not serve its own configuration"
b_digest=$(curl -sf -u ecp:s3cret -o /dev/null -D - -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
  "http://$B/v2/shop/web/manifests/$dev_digest" | tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p')
[ "$b_digest" = "$dev_digest" ] || die "registry B does not have $dev_digest (got '$b_digest')"
# (The engine has the image already, from staging: it checks by config digest and pulls nothing.)
expect_exit 0 "$ECP" history --env prod
expect_grep "^ *1 +promote<-staging:1 +succeeded" "$T/out"

# 3. Refusals: nothing is recorded.
expect_exit 2 "$ECP" promote --from dev --to prod
expect_grep "pipeline \[dev, staging, prod\] promotes to 'prod' from 'staging' only, not from 'dev'" "$T/err"
expect_exit 2 "$ECP" promote --from prod --to prod
expect_grep "both 'prod'" "$T/err"
sed -i 's/GREETING: "staging says hi"/GREETING: "staging says hi", CRASH: "yes"/' ecp.yaml
expect_exit 6 "$ECP" release --env staging
[ "$(last_record staging 'r["outcome"]')" = failed-rolled-back ] || die "staging's revision 2 did not fail"
expect_exit 2 "$ECP" promote --from staging --to prod --revision 2
expect_grep "revision 2 of web/staging did not succeed \(it failed-rolled-back\)" "$T/err"
[ "$(revisions prod)" = 1 ] || die "a refused promotion recorded a revision"
[ "$(greeting "$pp")" = "prod says hi" ] || die "prod changed after the refusals"

# 4. Into a host target (here the local one) from a registry: with the image
# gone from ecp's store, the layers are pulled from A by digest first. (A copy
# of the project without the pipeline, the same ledgers.)
cp -R "$T/web" "$T/web2"
cd "$T/web2"
pr=$(free_port)
sed -i '/^pipeline:/d' ecp.yaml
printf '  dr:\n    target: local\n    config: {GREETING: "dr says hi", LISTEN_PORT: "%s"}\n' "$pr" >>ecp.yaml
"$ECP" images -o json | python3 -c 'import json,sys; [print(i["reference"]) for l in sys.stdin if l.strip() for i in json.loads(l).get("images", [])]' >"$T/tags"
[ -s "$T/tags" ] || die "no images in the store to remove"
xargs "$ECP" images rm <"$T/tags" >/dev/null || die "images rm failed"
expect_exit 0 "$ECP" gc
expect_exit 0 "$ECP" promote --from staging --to dr
cat "$T/out" "$T/err" >"$T/all"
expect_grep "pulling $A/team/web@$dev_digest" "$T/all"
[ "$(greeting "$pr")" = "dr says hi" ] || die "dr does not serve"
[ "$(last_record dr 'r["image_digest"]')" = "$dev_digest" ] || die "dr does not run staging's digest"
echo ok
