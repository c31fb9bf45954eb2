#!/bin/sh
# Reproducible builds from git:
#   - two clones of one commit, in different folders, with other mtimes, another
#     umask and another ECP_HOME (no shared cache), built at different times,
#     give the same manifest digest;
#   - the default tag is the commit's short sha, created is the commit time, the
#     revision label is the full sha;
#   - SOURCE_DATE_EPOCH replaces created, and so changes the digest;
#   - a changed or untracked file makes the tag and revision "-dirty";
#   - --git-ref OLD builds OLD from the object database, giving the digest of a
#     checkout of OLD, without touching the work tree.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
command -v git >/dev/null 2>&1 || skip "git is not installed"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"

export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
export GIT_CONFIG_NOSYSTEM=1 HOME="$T/home"
mkdir -p "$HOME"
unset SOURCE_DATE_EPOCH || true

# field FILE KEY: a top-level string of the JSON result (the last line of FILE).
field() { python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().splitlines()[-1])[sys.argv[2]])' "$1" "$2"; }

# build DIR OUT [ARGS...]: ecp build -o json in DIR, result in OUT.
build() {
  d=$1 out=$2; shift 2
  (cd "$d" && "$ECP" build -o json "$@") >"$out" 2>"$T/err" || { cat "$T/err" "$out"; die "ecp build in $d failed"; }
}

# The upstream repository: a jar layout, committed twice.
repo=$T/upstream
mkdir -p "$repo/svc/app/bin" "$repo/svc/app/lib" "$repo/svc/app/conf" "$repo/svc/app/data"
cat >"$repo/svc/ecp.yaml" <<'YAML'
schema: 1
app: repro
type: jar
build: {base: scratch, root: app}
run: {ports: {http: 8080}}
YAML
printf '#!/bin/sh\nexec java -jar /app/lib/application.jar\n' >"$repo/svc/app/bin/entrypoint.sh"
chmod 755 "$repo/svc/app/bin/entrypoint.sh"
ln -s entrypoint.sh "$repo/svc/app/bin/start"
python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 64)' >"$repo/svc/app/lib/application.jar"
printf 'dep\n' >"$repo/svc/app/lib/dep-1.0.jar"
printf 'greeting: ${GREETING:-hi}\n' >"$repo/svc/app/conf/application.yaml.tmpl"
printf 'GREETING=hello\n' >"$repo/svc/app/conf/autoconfig.properties"
: >"$repo/svc/app/data/.keep"
git init -q "$repo"
(cd "$repo" && git add -A && GIT_COMMITTER_DATE='2021-03-04T05:06:07Z' GIT_AUTHOR_DATE='2021-03-04T05:06:07Z' git commit -q -m one)
old=$(git -C "$repo" rev-parse HEAD)
printf 'GREETING=hello again\n' >"$repo/svc/app/conf/autoconfig.properties"
(cd "$repo" && git commit -q -a -m two --date='2022-01-02T03:04:05Z')
# The committer date is what counts; make it known.
(cd "$repo" && GIT_COMMITTER_DATE='2022-01-02T03:04:05Z' git commit -q --amend --no-edit --date='2022-01-02T03:04:05Z' && git tag v2)
head=$(git -C "$repo" rev-parse HEAD)

# Clone one: umask 022, its own ECP_HOME.
(umask 022 && git clone -q "$repo" "$T/one")
ECP_HOME=$T/home-one build "$T/one/svc" "$T/one.json"
sleep 1
# Clone two: another folder depth, umask 077, every mtime moved, another ECP_HOME.
(umask 077 && git clone -q "$repo" "$T/deeper/place/two")
find "$T/deeper/place/two/svc" -exec touch -h -d '2030-01-01 00:00:00' {} +
[ "$(stat -c %a "$T/deeper/place/two/svc/app/lib/application.jar")" = 600 ] || die "umask 077 did not apply"
(umask 077 && ECP_HOME=$T/home-two build "$T/deeper/place/two/svc" "$T/two.json")

d1=$(field "$T/one.json" digest) d2=$(field "$T/two.json" digest)
[ "$d1" = "$d2" ] || die "two clones of one commit gave $d1 and $d2"
short=$(printf %s "$head" | cut -c1-12)
[ "$(field "$T/one.json" reference)" = "repro:$short" ] || die "reference is $(field "$T/one.json" reference), not repro:$short"
[ "$(field "$T/one.json" revision)" = "$head" ] || die "revision is not the full sha $head"
[ "$(field "$T/one.json" created)" = 2022-01-02T03:04:05Z ] || die "created $(field "$T/one.json" created) is not the commit time"
echo "ok: two clones, one digest $d1"

# SOURCE_DATE_EPOCH replaces created and changes the digest.
SOURCE_DATE_EPOCH=1700000000 ECP_HOME=$T/home-one build "$T/one/svc" "$T/sde.json"
[ "$(field "$T/sde.json" created)" = 2023-11-14T22:13:20Z ] || die "SOURCE_DATE_EPOCH did not set created"
[ "$(field "$T/sde.json" digest)" != "$d1" ] || die "SOURCE_DATE_EPOCH did not change the digest"
SOURCE_DATE_EPOCH=1700000000 ECP_HOME=$T/home-two build "$T/deeper/place/two/svc" "$T/sde2.json"
[ "$(field "$T/sde2.json" digest)" = "$(field "$T/sde.json" digest)" ] || die "SOURCE_DATE_EPOCH builds differ"
(cd "$T/one/svc" && SOURCE_DATE_EPOCH=soon expect_exit 2 "$ECP" build)
expect_grep 'SOURCE_DATE_EPOCH' "$T/err"
echo "ok: SOURCE_DATE_EPOCH"

# A dirty tree: a changed tracked file, then only an untracked one.
printf 'GREETING=local edit\n' >"$T/one/svc/app/conf/autoconfig.properties"
ECP_HOME=$T/home-one build "$T/one/svc" "$T/dirty.json"
[ "$(field "$T/dirty.json" reference)" = "repro:$short-dirty" ] || die "a modified tree is tagged $(field "$T/dirty.json" reference)"
[ "$(field "$T/dirty.json" revision)" = "$head-dirty" ] || die "a modified tree has revision $(field "$T/dirty.json" revision)"
git -C "$T/one" checkout -q -- svc/app/conf/autoconfig.properties
printf 'new\n' >"$T/one/svc/app/conf/extra.txt"
ECP_HOME=$T/home-one build "$T/one/svc" "$T/untracked.json"
[ "$(field "$T/untracked.json" reference)" = "repro:$short-dirty" ] || die "an untracked file did not make the tree dirty"
rm "$T/one/svc/app/conf/extra.txt"
ECP_HOME=$T/home-one build "$T/one/svc" "$T/clean.json"
[ "$(field "$T/clean.json" digest)" = "$d1" ] || die "the cleaned tree does not give the first digest"
echo "ok: -dirty"

# --git-ref: the old commit from the object database == a checkout of it.
printf 'GREETING=uncommitted\n' >"$T/one/svc/app/conf/autoconfig.properties"
ECP_HOME=$T/home-one build "$T/one/svc" "$T/ref.json" --git-ref "$old"
git clone -q "$repo" "$T/old" && git -C "$T/old" checkout -q "$old"
ECP_HOME=$T/home-old build "$T/old/svc" "$T/checkout.json"
[ "$(field "$T/ref.json" digest)" = "$(field "$T/checkout.json" digest)" ] ||
  die "--git-ref $old gave $(field "$T/ref.json" digest), its checkout $(field "$T/checkout.json" digest)"
[ "$(field "$T/ref.json" digest)" != "$d1" ] || die "--git-ref of the old commit gave HEAD's digest"
oldshort=$(printf %s "$old" | cut -c1-12)
[ "$(field "$T/ref.json" reference)" = "repro:$oldshort" ] || die "--git-ref is tagged $(field "$T/ref.json" reference)"
[ "$(field "$T/ref.json" created)" = 2021-03-04T05:06:07Z ] || die "--git-ref created is not the old commit's time"
# The work tree is untouched: still HEAD, still the uncommitted edit.
[ "$(git -C "$T/one" rev-parse HEAD)" = "$head" ] || die "--git-ref moved HEAD"
grep -q uncommitted "$T/one/svc/app/conf/autoconfig.properties" || die "--git-ref changed the work tree"
# A tag name works, and gives HEAD's clean digest although the tree is dirty.
ECP_HOME=$T/home-one build "$T/one/svc" "$T/tag.json" --git-ref v2
[ "$(field "$T/tag.json" digest)" = "$d1" ] || die "--git-ref v2 did not give the clean build's digest"
(cd "$T/one/svc" && expect_exit 2 "$ECP" build --git-ref no-such-ref)
expect_grep 'no-such-ref' "$T/err"
echo "ok: --git-ref"

# The source label: origin's URL without credentials; none for a local folder
# (it would leak a local path and tie the digest to where the upstream lies).
label() {
  python3 - "$1" <<'PY'
import json, os, sys
oci = sys.argv[1]
blob = lambda d: json.load(open(os.path.join(oci, "blobs", "sha256", d.split(":")[1])))
m = blob(json.load(open(os.path.join(oci, "index.json")))["manifests"][0]["digest"])
print(blob(m["config"]["digest"])["config"]["Labels"].get("org.opencontainers.image.source", "none"))
PY
}
git -C "$T/one" checkout -q -- svc/app/conf/autoconfig.properties
ECP_HOME=$T/home-one build "$T/one/svc" "$T/l1.json" --oci-layout "$T/l1:x"
[ "$(label "$T/l1")" = none ] || die "a clone of a local folder got the source label $(label "$T/l1")"
git -C "$T/one" remote set-url origin 'https://builder:s3cret@git.example.com/team/repro.git'
ECP_HOME=$T/home-one build "$T/one/svc" "$T/l2.json" --oci-layout "$T/l2:x"
[ "$(label "$T/l2")" = https://git.example.com/team/repro.git ] || die "source label is $(label "$T/l2")"
! grep -rqs s3cret "$T/l2/blobs" || die "the origin's credentials reached the image"
git -C "$T/one" remote set-url origin 'git@git.example.com:team/repro.git'
ECP_HOME=$T/home-one build "$T/one/svc" "$T/l3.json" --oci-layout "$T/l3:x"
[ "$(label "$T/l3")" = git@git.example.com:team/repro.git ] || die "scp-style source label is $(label "$T/l3")"
echo ok
