# autoconfig.sh writes only inside the conf folder: templates that are symlinks,
# outputs that are symlinks and symlinked folders leading out of conf/ with templates
# in them are refused (exit 2, nothing written); symlinks that stay inside are fine.
# dash and busybox sh.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
AC=$ECP_SOURCE_DIR/templates/common/app/bin/autoconfig.sh
command -v dash >/dev/null 2>&1 || skip "dash is not installed"
shells=dash
if command -v busybox >/dev/null 2>&1; then shells="dash busybox"; fi
ac() {
  sh_=$1; shift
  if [ "$sh_" = busybox ]; then env ECP_APP_DIR="$A" "$@" busybox sh "$AC"
  else env ECP_APP_DIR="$A" "$@" "$sh_" "$AC"; fi
}
snapshot() { (cd "$1" && find . -print | LC_ALL=C sort && find . -type f -exec cksum {} +) > "$2"; }

for sh_ in $shells; do
  echo "--- $sh_"
  A=$T/$sh_/app
  O=$T/$sh_/outside
  mkdir -p "$A/conf" "$A/bin" "$O/dir"
  printf 'K=v\n' > "$A/conf/autoconfig.properties"
  printf 'k=${K}\n' > "$O/evil.tmpl"
  printf 'k=${K}\n' > "$O/dir/a.conf.tmpl"
  printf 'precious\n' > "$O/target"
  printf 'k=${K}\n' > "$A/conf/good.conf.tmpl"
  snapshot "$O" "$T/outside.before"

  # 1. A template that is a symlink.
  ln -s "$O/evil.tmpl" "$A/conf/evil.tmpl"
  expect_exit 2 ac "$sh_"
  expect_grep 'symlink' "$T/err"
  [ ! -e "$A/conf/good.conf" ] || die "$sh_: wrote good.conf despite the refusal"
  rm "$A/conf/evil.tmpl"

  # 2. An output that is a symlink to a file outside.
  printf 'x=${K}\n' > "$A/conf/out.conf.tmpl"
  ln -s "$O/target" "$A/conf/out.conf"
  expect_exit 2 ac "$sh_"
  expect_grep 'out\.conf: the output is a symlink' "$T/err"
  [ "$(cat "$O/target")" = precious ] || die "$sh_: wrote through a symlink"
  rm "$A/conf/out.conf" "$A/conf/out.conf.tmpl"

  # 3. A symlinked folder that leads outside and holds templates.
  ln -s "$O/dir" "$A/conf/ext"
  expect_exit 2 ac "$sh_"
  expect_grep 'ext: a symlink to .*outside.*holds templates' "$T/err"
  rm "$A/conf/ext"

  # 4. A symlinked folder outside without templates is left alone (certificates...).
  ln -s "$O" "$A/conf/certs"
  rm "$O/evil.tmpl" "$O/dir/a.conf.tmpl"
  snapshot "$O" "$T/outside.before"
  expect_exit 0 ac "$sh_"
  [ "$(cat "$A/conf/good.conf")" = "k=v" ] || die "$sh_: good.conf not rendered"

  # 5. Symlinks that stay inside conf/ are fine; a template is rendered once, in
  #    its real folder.
  mkdir -p "$A/conf/real"
  printf 'r=${K}\n' > "$A/conf/real/r.conf.tmpl"
  ln -s real "$A/conf/alias"
  expect_exit 0 ac "$sh_"
  [ "$(cat "$A/conf/real/r.conf")" = "r=v" ] || die "$sh_: real/r.conf not rendered"
  [ "$(grep -c 'rendered.*r\.conf' "$T/err")" = 1 ] || die "$sh_: r.conf rendered more than once"

  # 6. The conf folder itself may be a symlink (a mounted volume); outputs go there.
  mv "$A/conf" "$T/$sh_/realconf"
  ln -s "$T/$sh_/realconf" "$A/conf"
  rm -f "$T/$sh_/realconf/good.conf"
  expect_exit 0 ac "$sh_"
  [ -f "$T/$sh_/realconf/good.conf" ] || die "$sh_: nothing rendered through the conf symlink"

  # Nothing outside conf/ changed, in the folder outside or in the app folder.
  snapshot "$O" "$T/outside.after"
  cmp "$T/outside.before" "$T/outside.after" || { diff "$T/outside.before" "$T/outside.after"; die "$sh_: wrote outside conf"; }
  [ "$(cd "$A" && find . -print | LC_ALL=C sort | tr '\n' ' ')" = ". ./bin ./conf " ] || die "$sh_: wrote in the app folder"
done
[ "$shells" != dash ] || skip "busybox is not installed: only dash was tested"
echo OK
