#!/bin/sh
# The man pages lint clean, and stay in step with the binary and the code:
# every command in `ecp --help` has ecp-<verb>.1 documenting each of its
# options and arguments, ecp(1) documents every global option, its EXIT STATUS
# table matches core/util/error.cpp, cross references name existing pages, and
# the examples of ecp.yaml(5) pass ecp validate.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
command -v mandoc >/dev/null 2>&1 || skip "mandoc is not installed"
man=$ECP_SOURCE_DIR/man

# 1. mandoc -Tlint -W warning prints nothing for any page.
n=0
for f in "$man"/*; do
  n=$((n + 1))
  mandoc -Tlint -W warning "$f" > "$T/lint" 2>&1 || true
  [ ! -s "$T/lint" ] || { cat "$T/lint"; die "mandoc complains about $f"; }
done
for page in ecp.1 ecp.yaml.5; do [ -f "$man/$page" ] || die "man/$page is missing"; done

# A page's text with escapes removed, so ".Fl \-no\-color" reads "Fl -no-color".
plain() { sed 's/\\//g' "$1"; }
# Long options and positionals of a --help text (CLI11 layout: two spaces, then names).
long_options() { awk '/^Options:/ { on = 1; next } /^[A-Z]/ { on = 0 } on && /^  -/ { print $1 }' "$1" |
  tr ',' '\n' | sed -n 's/^--\([a-z0-9-]*\).*/\1/p'; }
positionals() { awk '/^Positionals:/ { on = 1; next } /^[A-Z]/ { on = 0 } on && /^  [A-Za-z]/ { print $1 }' "$1"; }

# 2. Every command has a page, listed in ecp(1). The page documents each option
#    and argument of the command and of its nested commands (`ecp images rm`).
"$ECP" --help > "$T/help"
subcommands() { awk '/^Subcommands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }' "$1"; }
commands=$(subcommands "$T/help")
[ -n "$commands" ] || die "no subcommands in ecp --help"
plain "$man/ecp.1" > "$T/ecp.1"
for verb in $commands; do
  page=$man/ecp-$verb.1
  [ -f "$page" ] || die "ecp $verb has no man page: add man/ecp-$verb.1"
  grep -q "^\\.Xr ecp-$verb 1" "$T/ecp.1" || die "ecp(1) does not refer to ecp-$verb(1)"
  grep -q "^\\.It Cm $verb\$" "$T/ecp.1" || die "ecp(1) COMMANDS does not list $verb"
  plain "$page" > "$T/page"
  grep -q '^\.Sh EXIT STATUS' "$T/page" || die "man/ecp-$verb.1 has no EXIT STATUS"
  grep -q '^\.Sh EXAMPLES' "$T/page" || die "man/ecp-$verb.1 has no EXAMPLES"
  todo=$verb
  while [ -n "$todo" ]; do
    cmd=${todo%%,*}
    case $todo in *,*) todo=${todo#*,} ;; *) todo= ;; esac
    # shellcheck disable=SC2086 # the command path is split into words on purpose
    "$ECP" $cmd --help > "$T/vhelp"
    for opt in $(long_options "$T/vhelp" | grep -vx help); do
      grep -q "Fl -$opt\\b" "$T/page" || die "man/ecp-$verb.1 does not document --$opt of 'ecp $cmd'"
    done
    for arg in $(positionals "$T/vhelp"); do
      grep -q "Ar $arg\\b" "$T/page" || die "man/ecp-$verb.1 does not document the argument $arg of 'ecp $cmd'"
    done
    for sub in $(subcommands "$T/vhelp"); do
      grep -Eq "(Cm|Ic) (ecp )?$cmd $sub\\b" "$T/page" || die "man/ecp-$verb.1 does not document 'ecp $cmd $sub'"
      todo="${todo:+$todo,}$cmd $sub"
    done
  done
done
for opt in $(long_options "$T/help"); do
  grep -q "Fl -$opt\\b" "$T/ecp.1" || die "ecp(1) does not document the global option --$opt"
done

# 3. EXIT STATUS of ecp(1) lists 0 and exactly the codes of core/util/error.cpp;
#    a command page uses no code outside that table.
codes=$( (echo 0; sed -n 's/.*case ErrorKind::[a-z_]*: *return \([0-9][0-9]*\);.*/\1/p' \
  "$ECP_SOURCE_DIR/core/util/error.cpp") | sort -un | tr '\n' ' ')
[ "$codes" != "0 " ] || die "no exit codes found in core/util/error.cpp"
exit_items() { awk '/^\.Sh EXIT STATUS/ { on = 1; next } /^\.Sh/ { on = 0 } on && /^\.It [0-9]+$/ { print $2 }' "$1" |
  sort -un | tr '\n' ' '; }
[ "$(exit_items "$man/ecp.1")" = "$codes" ] ||
  die "ecp(1) EXIT STATUS lists '$(exit_items "$man/ecp.1")', core/util/error.cpp has '$codes'"
for verb in $commands; do
  for code in $(exit_items "$man/ecp-$verb.1"); do
    case " $codes" in *" $code "*) ;; *) die "man/ecp-$verb.1 uses exit status $code, not in ecp(1)" ;; esac
  done
done

# 4. Every ".Xr ecp... N" names a page in man/.
for f in "$man"/*; do
  plain "$f" | sed -n 's/^\.Xr \(ecp[a-z.-]*\) \([0-9]\).*/\1.\2/p' | while read -r ref; do
    [ -f "$man/$ref" ] || die "$(basename "$f") refers to $ref, which is not in man/"
  done
done
# 5. The examples of ecp.yaml(5) are valid: each descriptor, with the targets file
#    of the page beside it.
mkdir "$T/ex"
awk -v dir="$T/ex" '/^\.Bd -literal/ { n++; on = 1; next } /^\.Ed/ { on = 0 } on { print > (dir "/block" n) }' \
  "$man/ecp.yaml.5"
targets=$(grep -l '^targets:' "$T"/ex/block* | head -n 1) || true
[ -n "$targets" ] || die "ecp.yaml(5) has no targets file example"
checked=0
for block in $(grep -l '^app:' "$T"/ex/block*); do
  mkdir "$block.d" && cp "$block" "$block.d/ecp.yaml" && cp "$targets" "$block.d/ecp-targets.yaml"
  if ! "$ECP" -C "$block.d" validate > "$T/out" 2>&1; then
    cat "$T/out"; cat -n "$block"; die "an example of ecp.yaml(5) does not validate"
  fi
  checked=$((checked + 1))
done
[ "$checked" -ge 2 ] || die "expected at least 2 descriptor examples in ecp.yaml(5), found $checked"
echo "$n man pages lint clean and match ecp --help; $checked ecp.yaml(5) examples validate"
