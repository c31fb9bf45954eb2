#!/bin/sh
# Bad input to ecp config, one case per section; each must exit 2 with a message
# that says what and where: a key defined twice in one file (both lines named),
# a placeholder with invalid syntax, a secret file that is missing or readable by
# everyone, an environment that does not exist, a values file that is a folder.
# And values holding unicode, "=" or newlines round-trip intact through the
# values files, the rendered file and autoconfig.sh.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"

p=$T/project
mkdir -p "$p/app/conf" "$p/app/bin" "$p/env"
cat >"$p/ecp.yaml" <<'EOF'
app: demo
type: jar
config:
  GREETING: hello
  TOKEN: {secret: true}
environments:
  dev: {}
  staging: {}
EOF
printf 'g=${GREETING}\n' >"$p/app/conf/app.conf.tmpl"
cd "$p" || exit 1

# 1. A key defined twice in one file: YAML, properties, and a --values file.
printf 'GREETING: one\nOTHER: x\nGREETING: two\n' >env/dev.yaml
expect_exit 2 "$ECP" config render --env dev
expect_grep "env/dev\\.yaml:3:1: error: 'GREETING' is defined twice in this file: on line 1 and on line 3" "$T/err"
rm env/dev.yaml
printf 'GREETING=one\n# comment\nGREETING = two\n' >env/dev.properties
expect_exit 2 "$ECP" config render --env dev
expect_grep "env/dev\\.properties:3:1: error: 'GREETING' is defined twice in this file: on line 1 and on line 3" "$T/err"
expect_exit 2 "$ECP" config check --env dev  # check reports it too
expect_grep "env/dev\\.properties:3:1: error: 'GREETING' is defined twice" "$T/err"
rm env/dev.properties
printf 'A: 1\nA: 2\n' >"$T/values.yaml"
expect_exit 2 "$ECP" config render --env dev --values "$T/values.yaml"
expect_grep "values\\.yaml:2:1: error: 'A' is defined twice in this file: on line 1 and on line 2" "$T/err"

# 2. A placeholder with invalid syntax.
printf 'ok=${GREETING}\nbad=${GREETING:default}\n' >app/conf/bad.conf.tmpl
expect_exit 2 "$ECP" config check
expect_grep "app/conf/bad\\.conf\\.tmpl:2:5: error: '\\\$\\{GREETING:default\\}' is not a placeholder" "$T/err"
printf 'bad=${9LIVES}\n' >app/conf/bad.conf.tmpl
expect_exit 2 "$ECP" config check
expect_grep "app/conf/bad\\.conf\\.tmpl:1:5: error: .*no key after" "$T/err"
rm app/conf/bad.conf.tmpl
expect_exit 0 "$ECP" config check

# 3. A secret file that is missing, or readable by everyone.
expect_exit 2 "$ECP" config render --env dev --set TOKEN=secret:file:nowhere/token
expect_grep "TOKEN: secret:file:nowhere/token: cannot read the secret file nowhere/token: No such file" "$T/err"
printf 'tok\n' >token
chmod 644 token
expect_exit 2 "$ECP" config render --env dev --set TOKEN=secret:file:token
expect_grep 'the secret file token is readable by everyone \(mode 0644\); run: chmod o-r token' "$T/err"
expect_no_grep '^tok$' "$T/out"
chmod 600 token
expect_exit 0 "$ECP" config render --env dev --set TOKEN=secret:file:token
expect_grep '^TOKEN=••••[0-9a-f]{6}$' "$T/out"
# A malformed reference is an error, not a value.
expect_exit 2 "$ECP" config render --env dev --set TOKEN=secret:vault:x
expect_grep "TOKEN: invalid secret reference: unknown kind 'vault'" "$T/err"

# 4. An environment that does not exist: render, check and diff.
expect_exit 2 "$ECP" config render --env stagign
expect_grep "ecp\\.yaml:7:3: no environment 'stagign'; did you mean 'staging'\\? \\(environments: dev, staging\\)" "$T/err"
expect_exit 2 "$ECP" config check --env prod
expect_grep "no environment 'prod'" "$T/err"
expect_exit 2 "$ECP" config diff dev prod
expect_grep "no environment 'prod'" "$T/err"

# 5. A values file that is a folder, or missing.
mkdir "$T/values.d"
expect_exit 2 "$ECP" config render --env dev --values "$T/values.d"
expect_grep "values\\.d: error: is a folder, not a values file" "$T/err"
expect_exit 2 "$ECP" config render --env dev --values "$T/nope.yaml"
expect_grep "nope\\.yaml: error: no such file" "$T/err"
mkdir env/dev.yaml
expect_exit 2 "$ECP" config render --env dev
expect_grep "env/dev\\.yaml: error: is a folder" "$T/err"
rmdir env/dev.yaml

# 6. Unicode, "=" and newlines round-trip: YAML file -> render -> autoconfig.sh.
cp "$ECP_SOURCE_DIR/templates/common/app/bin/autoconfig.sh" app/bin/autoconfig.sh
cat >env/staging.yaml <<'EOF'
GREETING: "Grüße 🚀 a=b=c\nsecond line \\ and \\n literally"
EOF
expect_exit 0 "$ECP" config render --env staging --out "$T/staging.properties"
env -u GREETING ECP_AUTOCONFIG_FILE="$T/staging.properties" sh app/bin/autoconfig.sh 2>"$T/ac.err" ||
  { cat "$T/ac.err"; die "autoconfig.sh refused the rendered file"; }
printf 'g=Grüße 🚀 a=b=c\nsecond line \\ and \\n literally\n' >"$T/want"
cmp "$T/want" app/conf/app.conf || { diff "$T/want" app/conf/app.conf; die "YAML value did not round-trip"; }
# ... and the rendered file, read back as a values file, renders the same bytes.
expect_exit 0 "$ECP" config render --env dev --values "$T/staging.properties" --out "$T/again.properties"
cmp "$T/staging.properties" "$T/again.properties" || die "a properties values file did not round-trip"
echo "PASS: bad input is reported with file and line; values round-trip"
