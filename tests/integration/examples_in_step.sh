#!/bin/sh
# The examples' launch scripts are the templates' own: each file `ecp init`
# writes to app/bin (autoconfig.sh from templates/common, entrypoint.sh from
# templates/<type>, {{NAME}} replaced by the app name) is byte-equal, with the
# same executable bit, to examples/<example>/app/bin/<file>. A fix made to a
# template and not to the examples (or the other way round) fails here, naming
# the file. The second half proves the check catches a changed byte.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"

# check_examples ROOT : prints "FILE: why" for each launch script under
# ROOT/examples that is not what ecp init writes; the count checked in $T/count.
check_examples() {
  n=0
  for yaml in "$1"/examples/*/ecp.yaml; do
    ex=$(basename "$(dirname "$yaml")")
    type=$(sed -n 's/^type: *\([a-z]*\).*/\1/p' "$yaml")
    app=$(sed -n 's/^app: *\([a-z0-9-]*\).*/\1/p' "$yaml")
    [ -n "$type" ] && [ -n "$app" ] || die "$yaml: no type: or app: line"
    rm -rf "$T/init/$ex"
    "$ECP" init --type "$type" --name "$app" "$T/init/$ex" >"$T/init.out" 2>&1 ||
      { cat "$T/init.out"; die "ecp init --type $type --name $app failed"; }
    for want in "$T/init/$ex"/app/bin/*; do
      file=examples/$ex/app/bin/$(basename "$want")
      n=$((n + 1))
      if [ ! -f "$1/$file" ]; then
        echo "$file: missing (ecp init --type $type writes it)"
      elif ! cmp -s "$want" "$1/$file"; then
        diff -u "$want" "$1/$file" >&2 || true
        echo "$file: differs from templates/common or templates/$type (app/bin), as ecp init writes it"
      elif [ "$(stat -c %A "$want" | cut -c4)" != "$(stat -c %A "$1/$file" | cut -c4)" ]; then
        echo "$file: its executable bit differs from the template's"
      fi
    done
  done
  echo "$n" >"$T/count"
}

check_examples "$ECP_SOURCE_DIR" >"$T/found"
[ ! -s "$T/found" ] || { cat "$T/found"; die "examples out of step with templates/"; }
[ "$(cat "$T/count")" -ge 6 ] || die "only $(cat "$T/count") launch scripts checked, expected autoconfig.sh and entrypoint.sh for each of 3 examples"

# A copy of the examples with one byte changed in one script: the check names it.
mkdir -p "$T/copy"
cp -R "$ECP_SOURCE_DIR/examples" "$T/copy/"
printf '#' >>"$T/copy/examples/hello-site/app/bin/autoconfig.sh"
check_examples "$T/copy" >"$T/found" 2>/dev/null
expect_grep '^examples/hello-site/app/bin/autoconfig.sh: differs' "$T/found"
[ "$(wc -l <"$T/found")" = 1 ] || { cat "$T/found"; die "an untouched file was reported"; }
echo "PASS: $(cat "$T/count") launch scripts of the examples equal the templates"
