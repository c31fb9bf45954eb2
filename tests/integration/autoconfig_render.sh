# autoconfig.sh renders conf/*.tmpl: plain values, defaults, environment over the
# properties file, literals it must not touch, byte-exact line endings, and a
# second run that changes nothing. Runs the script under dash and busybox sh.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
AC=$ECP_SOURCE_DIR/templates/common/app/bin/autoconfig.sh
command -v dash >/dev/null 2>&1 || skip "dash is not installed"
shells=dash
if command -v busybox >/dev/null 2>&1; then shells="dash busybox"; fi

# ac SHELL [VAR=value...]: runs autoconfig.sh on $A with those variables added.
ac() {
  sh_=$1; shift
  if [ "$sh_" = busybox ]; then env ECP_APP_DIR="$A" "$@" busybox sh "$AC" ${ACARGS:-}
  else env ECP_APP_DIR="$A" "$@" "$sh_" "$AC" ${ACARGS:-}; fi
}

for sh_ in $shells; do
  echo "--- $sh_"
  A=$T/$sh_/app
  mkdir -p "$A/conf/conf.d" "$A/bin"
  cat > "$A/conf/autoconfig.properties" <<'PROPS'
# a comment
! another comment

GREETING = Hello  there
PORT=9090
EMPTY=
dotted.key=from the file
SPLIT=one \
      two
FROM_ENV=file value
PROPS
  # Placeholders, defaults, escapes and things that only look like placeholders.
  cat > "$A/conf/app.yaml.tmpl" <<'TMPL'
greeting: ${GREETING}
port: ${PORT:-8080}
fallback: ${MISSING_WITH_DEFAULT:-dflt/with:colons}
empty: [${EMPTY}]
empty-default: ${EMPTY:-used when empty}
dotted: ${dotted.key}
split: ${SPLIT}
env: ${FROM_ENV}
env-only: ${ONLY_ENV}
literal: $${NOT_A_KEY} $uri $ {x} ${not a key} ${1X} ${OPEN
twice: ${PORT}${PORT}
TMPL
  # A template without a final newline and with CRLF line ends stays that way.
  printf 'a=${PORT}\r\nb=${GREETING}' > "$A/conf/conf.d/site.conf.tmpl"
  printf '#!/bin/sh\necho ${PORT}\n' > "$A/conf/hook.sh.tmpl"
  chmod 755 "$A/conf/hook.sh.tmpl"
  cp "$A/conf/app.yaml.tmpl" "$T/pristine"
  printf 'static ${PORT}\n' > "$A/conf/static.conf"

  expect_exit 0 ac "$sh_" FROM_ENV="env value" ONLY_ENV=only "dotted.key=ignored"
  cat > "$T/expected" <<'EXP'
greeting: Hello  there
port: 9090
fallback: dflt/with:colons
empty: []
empty-default: used when empty
dotted: from the file
split: one two
env: env value
env-only: only
literal: ${NOT_A_KEY} $uri $ {x} ${not a key} ${1X} ${OPEN
twice: 90909090
EXP
  cmp "$T/expected" "$A/conf/app.yaml" || { diff "$T/expected" "$A/conf/app.yaml"; die "$sh_: app.yaml differs"; }
  printf 'a=9090\r\nb=Hello  there' > "$T/expected"
  cmp "$T/expected" "$A/conf/conf.d/site.conf" || die "$sh_: site.conf lost its CRLF or gained a newline"
  # Templates and files that are not templates stay as they were.
  cmp "$T/pristine" "$A/conf/app.yaml.tmpl" || die "$sh_: the template was modified"
  [ "$(cat "$A/conf/static.conf")" = 'static ${PORT}' ] || die "$sh_: a non-template file was rendered"
  # Outputs are their owner's alone (they hold secrets), minus the umask; an
  # executable template gives an executable output.
  [ -x "$A/conf/hook.sh" ] || die "$sh_: hook.sh is not executable"
  [ ! -x "$A/conf/app.yaml" ] || die "$sh_: app.yaml is executable"
  [ "$(ls -ln "$A/conf/app.yaml" | cut -c1-10)" = "-rw-------" ] || die "$sh_: app.yaml mode is not 0600 under umask 022"
  [ "$(ls -ln "$A/conf/hook.sh" | cut -c1-10)" = "-rwx------" ] || die "$sh_: hook.sh mode is not 0700 under umask 022"
  expect_grep 'rendered app.yaml' "$T/err"
  expect_grep 'rendered conf.d/site.conf' "$T/err"

  # A second run renders from the templates again and changes nothing.
  cp "$A/conf/app.yaml" "$T/first"
  touch -t 200001010000 "$A/conf/app.yaml"
  touch -t 200101010000 "$T/ref"
  expect_exit 0 ac "$sh_" FROM_ENV="env value" ONLY_ENV=only
  cmp "$T/first" "$A/conf/app.yaml" || die "$sh_: the second run differs"
  expect_grep 'unchanged app.yaml' "$T/err"
  [ -z "$(find "$A/conf/app.yaml" -newer "$T/ref")" ] || die "$sh_: an unchanged output was rewritten"

  # A new value replaces the old output; the old rendering is not reused.
  expect_exit 0 ac "$sh_" FROM_ENV="second" ONLY_ENV=only PORT=7000
  expect_grep '^env: second$' "$A/conf/app.yaml"
  expect_grep '^port: 7000$' "$A/conf/app.yaml"
  expect_grep '^twice: 70007000$' "$A/conf/app.yaml"

  # --check reports and writes nothing.
  rm "$A/conf/app.yaml"
  ACARGS=--check expect_exit 0 ac "$sh_" ONLY_ENV=only
  [ ! -e "$A/conf/app.yaml" ] || die "$sh_: --check wrote app.yaml"

  # ECP_CONF_DIR and ECP_AUTOCONFIG_FILE point elsewhere.
  mkdir -p "$T/$sh_/other"
  printf 'x=${X}\n' > "$T/$sh_/other/x.tmpl"
  printf 'X=from other\n' > "$T/$sh_/props"
  expect_exit 0 ac "$sh_" ECP_CONF_DIR="$T/$sh_/other" ECP_AUTOCONFIG_FILE="$T/$sh_/props"
  [ "$(cat "$T/$sh_/other/x")" = "x=from other" ] || die "$sh_: ECP_CONF_DIR/ECP_AUTOCONFIG_FILE ignored"
  expect_exit 2 ac "$sh_" ECP_CONF_DIR="$T/$sh_/other" ECP_AUTOCONFIG_FILE="$T/$sh_/missing"
  expect_grep 'missing: no such file' "$T/err"

  # No leftovers: only templates, outputs and the files we made.
  [ -z "$(find "$A" -name '*.autoconfig-*')" ] || die "$sh_: temporary files left behind"
done
[ "$shells" != dash ] || skip "busybox is not installed: only dash was tested"
echo OK
