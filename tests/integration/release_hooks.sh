#!/bin/sh
# cost: 15
# hooks: in ecp.yaml (Kamal's), on the local target:
#   1. pre-deploy and post-deploy run as argv (a name with spaces and quotes
#      stays one argument) in the project's folder, with the release's ECP_*
#      variables, and their output reaches the user;
#   2. a failing pre-deploy hook stops the release with exit 7 before anything
#      changed: no new revision, the previous one still serves;
#   3. a pre-deploy hook past its timeout is killed, and is a failure too;
#   4. a failing post-deploy hook warns; the release's outcome stands (exit 0);
#   5. ecp rollback runs post-rollback;
#   6. validate reports a malformed hook with file:line (exit 2).
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"

port=$(free_port)
make_web_app "$T/web" "$port"
mkdir -p "$T/web/scripts"
cat >"$T/web/scripts/hook" <<'SH'
#!/bin/sh
# Appends what it was given to hooks.log (in the folder it runs in) and exits as HOOK_EXIT says.
{
  printf '%s pwd=%s args=' "$ECP_HOOK" "$(pwd)"
  for a in "$@"; do printf '[%s]' "$a"; done
  printf ' app=%s env=%s target=%s kind=%s revision=%s from=%s outcome=%s digest=%s config=%s\n' \
    "$ECP_APP" "$ECP_ENV" "$ECP_TARGET" "$ECP_KIND" "$ECP_REVISION" "$ECP_FROM_REVISION" "$ECP_OUTCOME" \
    "$ECP_IMAGE_DIGEST" "$ECP_CONFIG_DIGEST"
} >>hooks.log
echo "hook says hello"
[ ! -f "fail-$ECP_HOOK" ] || { echo "failing as asked" >&2; exit 3; }
# A hook that never ends: it waits on a FIFO nobody writes to.
[ ! -p "hang-$ECP_HOOK" ] || read -r _ <"hang-$ECP_HOOK"
exit 0
SH
chmod +x "$T/web/scripts/hook"
set_config "$T/web" GREETING hello  # the environment's config line, before hooks: is appended
cat >>"$T/web/ecp.yaml" <<'YAML'
hooks:
  pre-deploy: [./scripts/hook, "two words", "it's \"quoted\""]
  post-deploy: {run: [./scripts/hook, post], timeout: 30s}
  post-rollback: [./scripts/hook, back]
YAML
stop_at_exit "$ECP_HOME/targets/local"
greeting() { curl -sf "http://127.0.0.1:$port/greeting"; }

# 1. Both hooks run around a release, from any folder (-C), with the release's facts.
expect_exit 0 "$ECP" -C "$T/web" release --env dev
expect_grep 'pre-deploy hook: hook says hello' "$T/err"
log=$T/web/hooks.log
[ "$(grep -c . "$log")" = 2 ] || { cat "$log"; die "expected two hook runs"; }
expect_grep "^pre-deploy pwd=$T/web args=\[two words\]\[it's \"quoted\"\] app=web env=dev target=local kind=deploy revision=1 from=0 outcome= digest=sha256:[0-9a-f]{64} config=sha256:" "$log"
expect_grep "^post-deploy pwd=$T/web args=\[post\] .*revision=1 from=0 outcome=succeeded" "$log"

# 2. A failing pre-deploy hook: exit 7, nothing changed.
cd "$T/web"
set_config . GREETING changed
touch fail-pre-deploy
expect_exit 7 "$ECP" deploy --env dev
expect_grep "the pre-deploy hook \(.*/scripts/hook, .*ecp.yaml:[0-9]+\) exited 3: failing as asked; nothing was changed" "$T/err"
[ "$(greeting)" = hello ] || die "a failed pre-deploy hook changed what serves"
expect_exit 0 "$ECP" -o json history --env dev
expect_no_grep '"revision":2' "$T/out"

# 3. A hook past its timeout is killed: a failure.
rm fail-pre-deploy
sed -i 's|^  pre-deploy: .*|  pre-deploy: {run: [./scripts/hook], timeout: 1s}|' ecp.yaml
grep -q 'pre-deploy: {run: \[./scripts/hook\], timeout: 1s}' ecp.yaml || die "could not set the hook's timeout"
mkfifo hang-pre-deploy
expect_exit 7 "$ECP" deploy --env dev
expect_grep "the pre-deploy hook .* did not finish within 1 s; nothing was changed" "$T/err"
rm hang-pre-deploy

# 4. A failing post-deploy hook warns; the release stands.
touch fail-post-deploy
expect_exit 0 "$ECP" deploy --env dev
expect_grep "warning: web/dev: the post-deploy hook .* exited 3: failing as asked; the release's outcome stands" "$T/err"
[ "$(greeting)" = changed ] || die "the release with a failing post-deploy hook is not served"
rm fail-post-deploy

# 5. ecp rollback runs post-rollback.
expect_exit 0 "$ECP" rollback --env dev
expect_grep "^post-rollback pwd=$T/web args=\[back\] .*kind=rollback revision=3 from=2 outcome=succeeded" "$log"
[ "$(greeting)" = hello ] || die "the rollback did not restore revision 1"

# 6. A malformed hook: validate names file, line and field.
printf '  post-deploy: []\n' >bad.yaml
cp ecp.yaml ecp.good
sed -i '/^  post-deploy:/d' ecp.yaml && cat bad.yaml >>ecp.yaml
expect_exit 2 "$ECP" validate
cat "$T/out" "$T/err" >"$T/both"
expect_grep "ecp.yaml:[0-9]+:[0-9]+: error: hooks.post-deploy: the argv list is empty" "$T/both"
echo ok
