#!/bin/sh
# ecp config check: every ${KEY} of the layout's conf templates (any depth under
# app/conf, *.tmpl) has a value or a default in every environment, required keys
# are set, unused keys are warned about. Missing keys are listed per environment
# with the FILE:LINE:COL of each placeholder; errors exit 2. --env narrows the
# check, --all is the default, -o json gives the same facts.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"

p=$T/project
mkdir -p "$p/app/conf/conf.d" "$p/env"
cat >"$p/ecp.yaml" <<'EOF'
app: demo
type: nginx
config:
  LISTEN_PORT: "8080"
  GREETING: {description: "no default"}
  DB_HOST: {required: true}
  LEFTOVER: {default: "nobody uses me"}
environments:
  dev:
    config: {GREETING: hi, DB_HOST: db.dev}
  test:
    config: {DB_HOST: db.test}
  prod: {}
EOF
cat >"$p/app/conf/nginx.conf.tmpl" <<'EOF'
# $uri and nginx's own $variables are left alone; $${literal} too
listen ${LISTEN_PORT};
root ${ROOT_DIR:-html};
EOF
cat >"$p/app/conf/conf.d/site.conf.tmpl" <<'EOF'
server {
    return 200 "${GREETING} from ${DB_HOST}";
}
EOF
# Not a template: autoconfig.sh leaves it alone, ecp says so.
printf 'greeting=${GREETING}\n' >"$p/app/conf/plain.conf"
cd "$p" || exit 1

expect_exit 2 "$ECP" config check
cat >"$T/want" <<'EOF'
dev: ok
test: 1 key without a value
  GREETING                 app/conf/conf.d/site.conf.tmpl:2:17
prod: 2 keys without a value, 1 error above
  DB_HOST                  app/conf/conf.d/site.conf.tmpl:2:34
  GREETING                 app/conf/conf.d/site.conf.tmpl:2:17
EOF
diff -u "$T/want" "$T/out" || die "wrong check report"
expect_grep "^ecp\\.yaml:6:3: error: 'DB_HOST' is required, but environment prod gives it no value" "$T/err"
expect_grep "^ecp\\.yaml:7:3: warning: 'LEFTOVER' is not used" "$T/err"
expect_grep '^app/conf/plain\.conf:1:10: warning: \$\{GREETING\} is in a file autoconfig\.sh does not render' "$T/err"
expect_grep '2 of 3 environments cannot render 2 templates under app/conf' "$T/err"

# One environment at a time; --all and --env exclude each other.
expect_exit 0 "$ECP" config check --env dev
expect_grep '^dev: ok$' "$T/out"
expect_no_grep 'prod' "$T/out"
expect_exit 2 "$ECP" config check --env dev --env test
expect_grep '^test: 1 key' "$T/out"
expect_exit 2 "$ECP" config check --all --env dev
expect_exit 2 "$ECP" config check --env nosuch
expect_grep "no environment 'nosuch'" "$T/err"

# JSON: per environment, each missing key with its uses.
expect_exit 2 "$ECP" -o json config check
expect_grep '"ok":false' "$T/out"
expect_grep '\{"key":"GREETING","uses":\[\{"column":17,"file":"app/conf/conf.d/site.conf.tmpl","line":2\}\]\}' "$T/out"
expect_grep '"name":"dev","ok":true' "$T/out"

# Values from env/<env>.yaml count; a file for an unknown environment is reported.
printf 'GREETING: from the file\n' >"$p/env/test.yaml"
printf 'GREETING: typo\n' >"$p/env/tset.yaml"
expect_exit 0 "$ECP" config check --env test
expect_grep '^env/tset\.yaml: warning: not read: there is no environment .tset.' "$T/err"

# A malformed placeholder fails the check with its position, in every environment.
printf 'x ${GREETING:oops} y\n' >>"$p/app/conf/nginx.conf.tmpl"
expect_exit 2 "$ECP" config check --env dev
expect_grep "^app/conf/nginx\\.conf\\.tmpl:4:3: error: '\\\$\\{GREETING:oops\\}' is not a placeholder" "$T/err"
# What ecp ships passes: the layouts of ecp init and the examples (a comment quoting
# "${" is text, as autoconfig.sh treats it).
for type in jar nginx tomcat; do
  expect_exit 0 "$ECP" init --type "$type" "$T/init-$type"
  expect_exit 0 "$ECP" -C "$T/init-$type" config check
done
for example in hello-jar hello-site hello-tomcat; do
  expect_exit 0 "$ECP" -C "$ECP_SOURCE_DIR/examples/$example" config check
  expect_grep '^prod: ok$' "$T/out"
done
echo "PASS: config check lists missing keys per environment with their placeholders"
