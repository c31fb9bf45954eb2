# When placeholders cannot be resolved, autoconfig.sh names every one with its
# template, exits 1 and writes nothing, not even the templates that did resolve.
# A broken properties file fails with 2 and names the line. dash and busybox sh.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
AC=$ECP_SOURCE_DIR/templates/common/app/bin/autoconfig.sh
command -v dash >/dev/null 2>&1 || skip "dash is not installed"
shells=dash
if command -v busybox >/dev/null 2>&1; then shells="dash busybox"; fi
ac() {
  sh_=$1; shift
  if [ "$sh_" = busybox ]; then env -u DB_HOST -u DB_PORT ECP_APP_DIR="$A" "$@" busybox sh "$AC"
  else env -u DB_HOST -u DB_PORT ECP_APP_DIR="$A" "$@" "$sh_" "$AC"; fi
}
snapshot() { (cd "$A" && find . -print | LC_ALL=C sort && find . -type f -exec cksum {} +) > "$1"; }

for sh_ in $shells; do
  echo "--- $sh_"
  A=$T/$sh_/app
  mkdir -p "$A/conf/sub"
  printf 'GOOD=1\n' > "$A/conf/autoconfig.properties"
  printf 'host=${DB_HOST}\nport=${DB_PORT}\nagain=${DB_HOST}\ngood=${GOOD}\n' > "$A/conf/db.conf.tmpl"
  printf 'a=${API.key}\nb=${WITH_DEFAULT:-ok}\n' > "$A/conf/sub/api.conf.tmpl"
  printf 'all=${GOOD}\n' > "$A/conf/fine.conf.tmpl"
  printf 'old output\n' > "$A/conf/fine.conf"
  snapshot "$T/before"

  expect_exit 1 ac "$sh_"
  expect_grep 'db\.conf\.tmpl: unresolved placeholder \$\{DB_HOST\}' "$T/err"
  expect_grep 'db\.conf\.tmpl: unresolved placeholder \$\{DB_PORT\}' "$T/err"
  expect_grep 'sub/api\.conf\.tmpl: unresolved placeholder \$\{API\.key\}' "$T/err"
  expect_no_grep 'WITH_DEFAULT|GOOD' "$T/err"
  [ "$(grep -c 'DB_HOST' "$T/err")" = 1 ] || die "$sh_: DB_HOST is named more than once"
  expect_grep 'Nothing was written' "$T/err"
  snapshot "$T/after"
  cmp "$T/before" "$T/after" || { diff "$T/before" "$T/after"; die "$sh_: files changed although autoconfig failed"; }

  # A dotted key cannot come from the environment; once all are set it renders.
  expect_exit 1 ac "$sh_" DB_HOST=h DB_PORT=5432 API.key=k
  expect_grep 'API\.key' "$T/err"
  expect_no_grep 'DB_HOST' "$T/err"
  printf 'API.key=k\n' >> "$A/conf/autoconfig.properties"
  expect_exit 0 ac "$sh_" DB_HOST=h DB_PORT=5432
  [ "$(cat "$A/conf/fine.conf")" = "all=1" ] || die "$sh_: fine.conf not rendered"
  expect_grep '^host=h$' "$A/conf/db.conf"

  # The entrypoint's contract: a failing autoconfig leaves the last good outputs.
  cp "$A/conf/db.conf" "$T/good"
  expect_exit 1 ac "$sh_" DB_PORT=5432
  cmp "$T/good" "$A/conf/db.conf" || die "$sh_: a failed run replaced db.conf"

  # Broken properties files: exit 2 naming the file and line; nothing written.
  for bad in 'NO_EQUALS_SIGN' 'BAD KEY=1' '1KEY=1' 'K=\u00e9'; do
    printf 'GOOD=1\n# comment\n%s\n' "$bad" > "$A/conf/autoconfig.properties"
    snapshot "$T/before"
    expect_exit 2 ac "$sh_" DB_HOST=h DB_PORT=5432
    expect_grep 'autoconfig\.properties:3: ' "$T/err"
    snapshot "$T/after"
    cmp "$T/before" "$T/after" || die "$sh_: files changed for a bad properties line '$bad'"
  done
  [ -z "$(find "$A" -name '*.autoconfig-*')" ] || die "$sh_: temporary files left behind"
done
[ "$shells" != dash ] || skip "busybox is not installed: only dash was tested"
echo OK
