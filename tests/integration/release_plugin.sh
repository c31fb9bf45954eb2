#!/bin/sh
# The external plugin protocol end to end: a target with `plugin: shtest` makes
# ecp start tests/plugins/ecp-plugin-shtest (found on PATH) and drive it over
# stdin/stdout (docs/plugin-protocol.md). The plugin, written in sh, prepares
# releases, starts and stops its (file) instances, answers health checks and
# keeps ecp's state - so the ledger and the lock work through it: a release, a
# failed one rolled back (exit 6), history, status (a lost location too), logs, unlock.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
command -v base64 >/dev/null 2>&1 || skip "base64 is not installed (coreutils)"
export PATH="$ECP_SOURCE_DIR/tests/plugins:$PATH"

make_web_app "$T/web" 8080 ext 1
cd "$T/web"
printf 'schema: 1\ntargets:\n  ext:\n    plugin: shtest\n    dir: %s/plugin\n' "$T" >ecp-targets.yaml
expect_exit 0 "$ECP" validate

# 1. A release through the plugin: two locations, ledger stored by the plugin.
expect_exit 0 "$ECP" release --env dev --change-id via-plugin
expect_grep "revision 1 of web/dev succeeded \(recreate, 2 instance" "$T/out"
expect_grep "ecp-plugin-shtest: release 1 prepared" "$T/err"
[ -f "$T/plugin/state/ledger/r000001.json" ] || die "the ledger is not kept by the plugin"
[ -f "$T/plugin/instances/a-0@box1" ] && [ -f "$T/plugin/instances/a-0@box2" ] || die "the plugin has no instances"
[ "$(cat "$T/plugin/current")" = 1 ] || die "activate did not reach the plugin"
grep -q 'GREETING=hello' "$T/plugin/releases/1/config.properties" || die "the configuration did not reach the plugin"
[ ! -e "$T/plugin/state/lock.json" ] || die "the lock was not released through the plugin"

# 2. Views through the plugin.
expect_exit 0 "$ECP" status --env dev
expect_grep "^a-0 +box1 +1 +0 running +[0-9]+ +healthy" "$T/out"
expect_grep "^a-0 +box2 +1 " "$T/out"
expect_exit 0 "$ECP" logs --env dev
expect_grep "started a-0@box2 on revision 1" "$T/out"
# A location the plugin calls lost: status lists its instance as lost.
echo box2 >"$T/plugin/lost"
expect_exit 0 "$ECP" status --env dev --no-probe
expect_grep "^a-0 +box2 +1 .*lost" "$T/out"
expect_grep "box2: no answer" "$T/err"
rm "$T/plugin/lost"

# 3. A release that is not healthy there: rolled back through the plugin, exit 6.
set_config . HEALTHY no
expect_exit 6 "$ECP" deploy --env dev
expect_grep "HEALTHY=no" "$T/err"
grep -q '"revision":1' "$T/plugin/instances/a-0@box1" || die "box1 was not rolled back to revision 1"
expect_exit 0 "$ECP" --output json history --env dev
[ "$(json_field "$T/out" 'r["records"][0]["outcome"]')" = failed-rolled-back ] || die "not failed-rolled-back"
[ "$(json_field "$T/out" 'r["records"][1]["change_id"]')" = via-plugin ] || die "the change id was lost"

# 4. Locks through the plugin's compare-and-swap; capabilities are honoured.
expect_exit 0 "$ECP" unlock --env dev --force
expect_grep "is not locked" "$T/out"
expect_exit 2 "$ECP" deploy --env dev --strategy canary
expect_grep "needs a target with a gateway" "$T/err"

# 5. A plugin that is not on PATH is a clear error.
sed -i 's/plugin: shtest/plugin: nosuch/' ecp-targets.yaml
expect_exit 2 "$ECP" status --env dev
expect_grep "ecp-plugin-nosuch on PATH" "$T/err"
# validate says so first, at the line of the plugin, not a release after a build.
expect_exit 2 "$ECP" validate
expect_grep "ecp-targets.yaml:4:13: error: plugin 'nosuch': it is not built in \(the built-in ones: engine, host, kubernetes\), and there is no executable ecp-plugin-nosuch on PATH" "$T/err"
# A built-in plugin's own settings are checked by validate too, at their line.
sed -i 's/plugin: nosuch/plugin: kubernetes/' ecp-targets.yaml
printf '    progres_deadline: 30\n' >> ecp-targets.yaml
expect_exit 2 "$ECP" validate
expect_grep "progres_deadline" "$T/err"
echo "PASS: the external plugin protocol carries releases, health, state and locks"
