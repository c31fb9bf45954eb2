# Values with / & \ $ " ' = % newlines, tabs, blanks and placeholder look-alikes
# come through autoconfig.sh byte for byte, from the environment and from the
# properties file (with its escapes). Runs under dash and busybox sh.
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
nl='
'
tab=$(printf '\t')
cr=$(printf '\r')

# From the environment: raw bytes, including a trailing newline and backslash escapes
# that must stay escapes (sed and awk -v would turn \1, & and \n into something else).
env_value="  lead / & \\1 \\n \\\\ \$HOME \${OTHER} \$\${X} \" ' = %s %% ${tab}tab${cr}cr${nl}line 2${nl}${nl}end ;|\`true\`\$(true)${nl}"
# From the file: escapes in, the same kind of bytes out.
cat > "$T/props" <<'PROPS'
FILE_VALUE=\ \ lead / & \\1 \\n \\\\ $HOME ${OTHER} $${X} " ' = %s %% \ttab\rcr\nline 2\n\nend ;|`true`$(true)\n
CONTINUED=first \
   second\\
TRAILING=keeps trailing blanks   
PROPS
file_value="  lead / & \\1 \\n \\\\ \$HOME \${OTHER} \$\${X} \" ' = %s %% ${tab}tab${cr}cr${nl}line 2${nl}${nl}end ;|\`true\`\$(true)${nl}"

for sh_ in $shells; do
  echo "--- $sh_"
  A=$T/$sh_/app
  mkdir -p "$A/conf"
  cp "$T/props" "$A/conf/autoconfig.properties"
  printf '<${ENV_VALUE}>\n<${FILE_VALUE}>\n<${CONTINUED}>\n<${TRAILING}>\n<${OTHER:-d}>' > "$A/conf/out.tmpl"
  expect_exit 0 ac "$sh_" "ENV_VALUE=$env_value" OTHER=other
  printf '<%s>\n<%s>\n<%s>\n<%s>\n<%s>' "$env_value" "$file_value" 'first second\' 'keeps trailing blanks   ' other > "$T/expected"
  if ! cmp "$T/expected" "$A/conf/out"; then
    od -c "$T/expected" > "$T/e.od"; od -c "$A/conf/out" > "$T/o.od"; diff "$T/e.od" "$T/o.od" || true
    die "$sh_: the rendered bytes differ"
  fi

  # The environment wins over the file, also for an empty value.
  expect_exit 0 ac "$sh_" "ENV_VALUE=x" "FILE_VALUE=" OTHER=
  printf '<x>\n<>\n<%s>\n<%s>\n<d>' 'first second\' 'keeps trailing blanks   ' > "$T/expected"
  cmp "$T/expected" "$A/conf/out" || { cat "$A/conf/out"; die "$sh_: environment did not win"; }

  # A very long value (64 KiB) survives too.
  long=$(awk 'BEGIN { for (i = 0; i < 4096; i++) printf "0123456789&\\/$%%" }')
  printf '${LONG}' > "$A/conf/out.tmpl"
  expect_exit 0 ac "$sh_" "LONG=$long"
  [ "$(cat "$A/conf/out")" = "$long" ] || die "$sh_: a long value was changed"
done
[ "$shells" != dash ] || skip "busybox is not installed: only dash was tested"
echo OK
