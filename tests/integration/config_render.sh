#!/bin/sh
# ecp config render: the layers in their order (ecp.yaml defaults, the
# environment's overrides, env/<env>.yaml, env/<env>.properties, the target's
# values, --values, --set), --show-origin naming the file and line of each value,
# --out writing the deployable file (mode 0600) whose sha256 is the config digest
# of the JSON output, and values with unicode, "=", newlines, backslashes and
# leading blanks reaching a template intact through the real autoconfig.sh.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
command -v sha256sum >/dev/null 2>&1 || skip "sha256sum is not installed"

p=$T/project
mkdir -p "$p/app/conf" "$p/app/bin" "$p/env"
cat >"$p/ecp.yaml" <<'EOF'
app: demo
type: jar
config:
  A: from-default
  B: from-default
  C: from-default
  D: from-default
  E: from-default
  F: from-default
  G: from-default
  DB_HOST: {required: true}
environments:
  dev:
    target: lab
    config: {B: from-inline, C: from-inline}
  prod:
    target: local
    config: {B: prod-inline, DB_HOST: db.prod}
EOF
cat >"$p/ecp-targets.yaml" <<'EOF'
schema: 1
targets:
  lab:
    plugin: host
    config: {E: from-target, DB_HOST: db.lab, NOT_OURS: other-app}
EOF
printf 'C: from-env-yaml\nD: from-env-yaml\n' >"$p/env/dev.yaml"
printf '# dev overrides\nD=from-env-properties\nE=from-env-properties\n' >"$p/env/dev.properties"
printf 'F: from-values\nG: from-values\n' >"$T/values.yaml"

cd "$p" || exit 1
expect_exit 0 "$ECP" config render --env dev --values "$T/values.yaml" --set G=from-set
cat >"$T/want" <<'EOF'
A=from-default
B=from-inline
C=from-env-yaml
D=from-env-properties
DB_HOST=db.lab
E=from-target
F=from-values
G=from-set
EOF
diff -u "$T/want" "$T/out" || die "dev renders the wrong values"
expect_grep '^config digest sha256:[0-9a-f]{64} \(8 values, demo environment dev\)$' "$T/err"

# --show-origin: a comment with FILE:LINE:COL (layer) before each value.
expect_exit 0 "$ECP" config render --env dev --show-origin --values "$T/values.yaml" --set G=from-set
tr '\n' '|' <"$T/out" >"$T/flat"
expect_grep '# ecp.yaml:4:3 \(default\)\|A=from-default\|' "$T/flat"
expect_grep '# ecp.yaml:15:14 \(environment dev\)\|B=from-inline\|' "$T/flat"
expect_grep '# env/dev.yaml:1:1 \(env/dev.yaml\)\|C=from-env-yaml\|' "$T/flat"
expect_grep '# env/dev.properties:2:1 \(env/dev.properties\)\|D=from-env-properties\|' "$T/flat"
expect_grep '# ecp-targets.yaml:5:14 \(target lab\)\|E=from-target\|' "$T/flat"
expect_grep "# $T/values.yaml:1:1 \\(--values $T/values.yaml\\)\\|F=from-values\\|" "$T/flat"
expect_grep '# --set\|G=from-set\|' "$T/flat"

# Each warning is printed once, also with --show-origin and --values.
cp ecp.yaml "$T/ecp.yaml.saved"
sed -i 's/config: {B: from-inline, C: from-inline}/config: {B: from-inline, C: from-inline, UNDECLARED_ONE: x}/' ecp.yaml
expect_exit 0 "$ECP" config render --env dev --show-origin --values "$T/values.yaml"
[ "$(grep -c "UNDECLARED_ONE' is not declared" "$T/err")" = 1 ] || { cat "$T/err"; die "a warning is not printed exactly once"; }
cp "$T/ecp.yaml.saved" ecp.yaml

# Another environment, another target: nothing from dev's files leaks in.
expect_exit 0 "$ECP" config render --env prod
expect_grep '^B=prod-inline$' "$T/out"
expect_grep '^C=from-default$' "$T/out"
expect_grep '^DB_HOST=db.prod$' "$T/out"
expect_no_grep 'NOT_OURS|from-env|from-target' "$T/out"

# --out: the file to deploy, private, and its sha256 is the digest in the JSON result.
expect_exit 0 "$ECP" -o json config render --env dev --out "$T/rendered.properties"
[ "$(stat -c %a "$T/rendered.properties")" = 600 ] || die "--out did not write mode 0600"
digest=$(sed -n 's/.*"digest":"sha256:\([0-9a-f]*\)".*/\1/p' "$T/out")
[ -n "$digest" ] || { cat "$T/out"; die "no digest in the JSON result"; }
[ "$(sha256sum <"$T/rendered.properties" | cut -d' ' -f1)" = "$digest" ] ||
  die "the config digest is not the sha256 of the rendered file"
# The digest is stable: the same inputs give the same digest, any change another.
expect_exit 0 "$ECP" -o json config render --env dev
expect_grep "\"digest\":\"sha256:$digest\"" "$T/out"
expect_exit 0 "$ECP" -o json config render --env dev --set A=changed
expect_no_grep "\"digest\":\"sha256:$digest\"" "$T/out"

# Round trip through the real autoconfig.sh: what ecp renders is what the app gets.
cp "$ECP_SOURCE_DIR/templates/common/app/bin/autoconfig.sh" "$p/app/bin/autoconfig.sh"
cat >>"$p/ecp.yaml" <<'EOF'
  nasty:
    config:
      A: "Grüße, 世界 🚀 = x=y"
      B: " two\nlines\\with \\n backslashes\tand tab "
      C: "ends with a backslash\\"
      D: "#!=:"
      DB_HOST: "a=b"
EOF
printf 'A[${A}]\nB[${B}]\nC[${C}]\nD[${D}]\nH[${DB_HOST}]\n' >"$p/app/conf/out.txt.tmpl"
expect_exit 0 "$ECP" config render --env nasty --out "$T/nasty.properties"
env -u A -u B -u C -u D -u DB_HOST ECP_AUTOCONFIG_FILE="$T/nasty.properties" sh "$p/app/bin/autoconfig.sh" \
  2>"$T/ac.err" || { cat "$T/ac.err"; die "autoconfig.sh refused the rendered file"; }
printf 'A[Grüße, 世界 🚀 = x=y]\nB[ two\nlines\\with \\n backslashes\tand tab ]\nC[ends with a backslash\\]\nD[#!=:]\nH[a=b]\n' >"$T/want"
cmp "$T/want" "$p/app/conf/out.txt" || { diff "$T/want" "$p/app/conf/out.txt"; die "values did not round-trip"; }

# --set: KEY=VALUE, the value may hold "=" and newlines too.
expect_exit 0 "$ECP" config render --env dev --set "A=x=y
z"
expect_grep '^A=x=y\\nz$' "$T/out"
expect_exit 2 "$ECP" config render --env dev --set "no-equals-sign"
expect_grep 'expected KEY=VALUE' "$T/err"
expect_exit 2 "$ECP" config render --env dev --set "1BAD=x"
expect_grep "'1BAD' is not a valid key" "$T/err"
# --env is required
expect_exit 2 "$ECP" config render
echo "PASS: config render layers, origins, digest and round trip"
