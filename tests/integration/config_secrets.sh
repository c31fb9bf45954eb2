#!/bin/sh
# Secrets in ecp config: secret:env:NAME, secret:file:PATH and the
# secret:cmd:NAME hook (ecp-secret-NAME on PATH) are resolved at render time only,
# masked as "••••" plus 6 hex digits of their HMAC-SHA256 under the user's key
# ($ECP_HOME/fingerprint.key, 0600; issue 13 §4) in text, JSON, --show-origin
# and diff output, and shown by --reveal only when standard output is a terminal.
# The deployable file (--out) holds them; the config digest hashes their
# references (--references), not them.
# A key declared secret: true with a plain value is a warning.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"

p=$T/project
mkdir -p "$p/secrets" "$T/bin"
cat >"$p/ecp.yaml" <<'EOF'
app: demo
type: jar
config:
  GREETING: hello
  DB_PASSWORD: {secret: true, required: true}
  API_TOKEN: {secret: true}
  VAULT_KEY: {secret: true}
environments:
  dev:
    config:
      DB_PASSWORD: secret:env:DEMO_DB_PASSWORD
      API_TOKEN: secret:file:secrets/api-token
      VAULT_KEY: secret:cmd:demo-vault:kv/dev/key
  prod:
    config:
      DB_PASSWORD: secret:env:DEMO_DB_PASSWORD
      API_TOKEN: secret:file:secrets/api-token-prod
      VAULT_KEY: "plain text in a file"
EOF
umask 077
printf 'tok-dev-Zq9\n' >"$p/secrets/api-token"
printf 'tok-prod-Xw4\n' >"$p/secrets/api-token-prod"
# The hook: argv only (no shell sees the reference), key and environment in its environment.
cat >"$T/bin/ecp-secret-demo-vault" <<'EOF'
#!/bin/sh
[ "$#" -eq 1 ] || { echo "usage: ecp-secret-demo-vault PATH" >&2; exit 2; }
printf 'vault(%s,%s,%s)\n' "$1" "$ECP_SECRET_KEY" "$ECP_SECRET_ENV"
EOF
chmod 700 "$T/bin/ecp-secret-demo-vault"
export PATH="$T/bin:$PATH"
export DEMO_DB_PASSWORD='pw-Kx7 = with "quotes"'
cd "$p" || exit 1

# The first mask makes the key: 32 random bytes, this user's alone.
expect_exit 0 "$ECP" config render --env dev
key=$ECP_HOME/fingerprint.key
[ "$(stat -c '%a %s' "$key")" = "600 32" ] || die "the fingerprint key is not 32 bytes of mode 600: $(stat -c '%a %s' "$key")"
hmac6() { python3 -c 'import hmac,sys; print(hmac.new(open(sys.argv[1],"rb").read(), sys.argv[2].encode(), "sha256").hexdigest()[:6])' "${2:-$key}" "$1"; }
sha6() { printf '%s' "$1" | sha256sum | cut -c1-6; }
masked_db="••••$(hmac6 "$DEMO_DB_PASSWORD")"
masked_api="••••$(hmac6 tok-dev-Zq9)"
masked_vault="••••$(hmac6 'vault(kv/dev/key,VAULT_KEY,dev)')"
# A guess cannot be checked against the mask without the key: it is not the
# unkeyed SHA-256 (the 10,000-guess PIN attack of issue 13 §4).
expect_no_grep "^DB_PASSWORD=••••$(sha6 "$DEMO_DB_PASSWORD")\$" "$T/out"

# Default output: masked, a changed value visible through the suffix.
expect_exit 0 "$ECP" config render --env dev
expect_grep "^DB_PASSWORD=$masked_db\$" "$T/out"
expect_grep "^API_TOKEN=$masked_api\$" "$T/out"
expect_grep "^VAULT_KEY=$masked_vault\$" "$T/out"
expect_grep '^GREETING=hello$' "$T/out"
for f in out err; do expect_no_grep 'pw-Kx7|tok-dev|vault\(' "$T/$f"; done

# --show-origin names the reference, never the value; JSON masks too.
expect_exit 0 "$ECP" config render --env dev --show-origin
expect_grep '^# ecp\.yaml:11:7 \(environment dev\), from secret:env:DEMO_DB_PASSWORD$' "$T/out"
expect_no_grep 'pw-Kx7|tok-dev|vault\(' "$T/out"
expect_exit 0 "$ECP" -o json config render --env dev
expect_grep '"reference":"secret:file:secrets/api-token"' "$T/out"
expect_grep '"secret":true' "$T/out"
expect_no_grep 'pw-Kx7|tok-dev|vault\(' "$T/out"

# --reveal: refused unless standard output is a terminal.
expect_exit 2 "$ECP" config render --env dev --reveal
expect_grep 'only to a terminal' "$T/err"
expect_no_grep 'pw-Kx7' "$T/out"
if command -v script >/dev/null 2>&1; then
  script -qec "'$ECP' config render --env dev --reveal" /dev/null </dev/null >"$T/tty" 2>&1 ||
    { cat "$T/tty"; die "--reveal failed on a terminal"; }
  tr -d '\r' <"$T/tty" >"$T/tty.txt"
  expect_grep '^DB_PASSWORD=pw-Kx7 = with "quotes"$' "$T/tty.txt"
  expect_grep '^API_TOKEN=tok-dev-Zq9$' "$T/tty.txt"
  expect_grep '^VAULT_KEY=vault\(kv/dev/key,VAULT_KEY,dev\)$' "$T/tty.txt"
else
  skip_part "script is not installed (bsdutils): --reveal on a terminal is not checked"
fi

# --out writes the real values, mode 0600. The digest hashes the references
# (--references prints that text), never a value: an unkeyed hash of a short
# secret could be guessed (issue 13 §4); a release tells a rotation by its keyed
# fingerprint instead (config_diff_deployed.sh).
expect_exit 0 "$ECP" -o json config render --env dev --out "$T/dev.properties"
expect_grep '^API_TOKEN=tok-dev-Zq9$' "$T/dev.properties"
[ "$(stat -c %a "$T/dev.properties")" = 600 ] || die "--out is not mode 0600"
d1=$(sed -n 's/.*"digest":"\(sha256:[0-9a-f]*\)".*/\1/p' "$T/out")
expect_exit 0 "$ECP" config render --env dev --references
expect_grep '^DB_PASSWORD=secret:env:DEMO_DB_PASSWORD$' "$T/out"
expect_grep '^API_TOKEN=secret:file:secrets/api-token$' "$T/out"
expect_grep '^GREETING=hello$' "$T/out"
expect_no_grep 'pw-Kx7|tok-dev|vault\(|••••' "$T/out"
[ "sha256:$(sha256sum <"$T/out" | cut -d' ' -f1)" = "$d1" ] || die "the config digest is not the sha256 of --references"
DEMO_DB_PASSWORD=rotated expect_exit 0 "$ECP" -o json config render --env dev
d2=$(sed -n 's/.*"digest":"\(sha256:[0-9a-f]*\)".*/\1/p' "$T/out")
[ -n "$d1" ] && [ "$d1" = "$d2" ] || die "the config digest follows a secret's value ($d1, $d2)"
sed -i 's|secret:env:DEMO_DB_PASSWORD$|secret:env:DEMO_DB_PASSWORD2|' ecp.yaml
DEMO_DB_PASSWORD2=x expect_exit 0 "$ECP" -o json config render --env dev
d3=$(sed -n 's/.*"digest":"\(sha256:[0-9a-f]*\)".*/\1/p' "$T/out")
[ "$d3" != "$d1" ] || die "another reference did not change the config digest"
sed -i 's|secret:env:DEMO_DB_PASSWORD2$|secret:env:DEMO_DB_PASSWORD|' ecp.yaml
expect_exit 2 "$ECP" config render --env dev --references --reveal

# A key declared secret with a plain value: masked anyway, and a warning.
expect_exit 0 "$ECP" config render --env prod
expect_grep "^VAULT_KEY=••••$(hmac6 'plain text in a file')\$" "$T/out"
expect_grep "warning: ecp\\.yaml:18:7: 'VAULT_KEY' is declared secret" "$T/err"

# diff: secrets stay masked, marked changed or unchanged.
expect_exit 0 "$ECP" config diff dev prod
expect_grep "^= DB_PASSWORD: $masked_db \(secret, unchanged\)\$" "$T/out"
expect_grep "^~ API_TOKEN: $masked_api -> ••••$(hmac6 tok-prod-Xw4) \(secret, changed\)\$" "$T/out"
expect_grep '^= GREETING: "hello"$' "$T/out"
expect_no_grep 'pw-Kx7|tok-dev|tok-prod|vault\(|plain text' "$T/out"
expect_exit 0 "$ECP" -o json config diff dev prod
expect_grep '"key":"DB_PASSWORD","secret":true' "$T/out"
expect_grep '\{"a":"[^"]*","b":"[^"]*","change":"unchanged","key":"DB_PASSWORD","secret":true\}' "$T/out"
expect_grep '"change":"changed","key":"API_TOKEN","secret":true' "$T/out"
expect_no_grep 'pw-Kx7|tok-dev|tok-prod|vault\(' "$T/out"

# Resolution failures name the key, the reference and where it is written.
expect_exit 2 env -u DEMO_DB_PASSWORD "$ECP" config render --env dev
expect_grep 'ecp\.yaml:11:7: DB_PASSWORD: secret:env:DEMO_DB_PASSWORD: the environment variable DEMO_DB_PASSWORD is not set' "$T/err"
chmod 700 "$T/bin"
rm "$T/bin/ecp-secret-demo-vault"
expect_exit 2 "$ECP" config render --env dev
expect_grep 'ecp-secret-demo-vault was not found on PATH' "$T/err"
# The key is the user's: another ECP_HOME masks the same value otherwise (the
# mask is its key's HMAC), and a key that others may read is refused, unchanged.
expect_exit 0 env ECP_HOME="$T/other-home" "$ECP" config render --env prod
expect_grep "^DB_PASSWORD=••••$(hmac6 "$DEMO_DB_PASSWORD" "$T/other-home/fingerprint.key")\$" "$T/out"
cmp -s "$key" "$T/other-home/fingerprint.key" && die "two homes made the same key"
cp "$key" "$T/key-before"
chmod 644 "$key"
expect_exit 9 "$ECP" config render --env prod
expect_grep "fingerprint.key: the key must be this user's and nobody else's \(chmod 600\): it is mode 644" "$T/err"
expect_no_grep 'pw-Kx7' "$T/out"
cmp -s "$key" "$T/key-before" || die "a refused key was changed"
echo "PASS: secrets resolved at render time only, masked everywhere else"
