#!/bin/sh
# Every #include of our own headers follows the dependency rule of DESIGN.md, and
# the rule lives in one place: the CMake link lists. A module (core/NAME, plugins,
# cli, templates) may include the modules whose ecp_* libraries its CMakeLists.txt
# links (ecp_module(NAME PUBLIC ... PRIVATE ...) or target_link_libraries(ecp_NAME
# ...)), and always its own headers. Today that reads:
#   util, templates -> nothing of ours;  oci -> util
#   image, registry, descriptor, config, backend, ledger -> oci, util (never each
#               other), strategy -> backend too (the strategies drive backends),
#               descriptor -> strategy too (ecp.yaml's strategy: is strategy's
#               vocabulary: its Type and, once parsed, its settings)
#   ops         -> every core module and templates
#   plugins     -> what they include: backend, descriptor, image, ledger, oci, registry, util
#   cli         -> ops, plugins, util
# The checker prints each violation as FILE:LINE and fails; the second half proves
# it catches them.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"

# rule_table ROOT: "MODULE:DEP DEP ...;" for each module, from the ecp_* names in
# the target_link_libraries / ecp_module calls of its CMakeLists.txt.
rule_table() (
  cd "$1" || exit 1
  for f in core/*/CMakeLists.txt plugins/CMakeLists.txt cli/CMakeLists.txt templates/CMakeLists.txt; do
    [ -f "$f" ] || continue
    case $f in core/*) m=${f#core/}; m=${m%%/*} ;; *) m=${f%%/*} ;; esac
    deps=$(sed 's/#.*//' "$f" | tr '\n' ' ' | awk -v self="ecp_$m" '{
      s = $0
      while (match(s, /(ecp_module|target_link_libraries)\([^)]*\)/)) {
        call = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH)
        sub(/^ecp_module\([a-z]+/, "", call)
        n = split(call, w, /[ ()\t]+/)
        for (i = 1; i <= n; i++)
          if (w[i] ~ /^ecp_[a-z]+$/ && w[i] != self && w[i] != "ecp_settings") printf " %s", substr(w[i], 5)
      }
    }')
    printf '%s:%s;' "$m" "$deps"
  done
)

# check_layering ROOT: prints "FILE:LINE: why" for each forbidden include under ROOT.
check_layering() (
  table=$(rule_table "$1")
  cd "$1" || exit 1
  find core plugins cli templates -type f \( -name '*.cpp' -o -name '*.cc' -o -name '*.hpp' -o -name '*.h' \) \
    2>/dev/null | LC_ALL=C sort > "$T/layering-files"
  [ -s "$T/layering-files" ] || { echo "no sources under $1" >&2; exit 1; }
  tr '\n' '\0' < "$T/layering-files" | xargs -0 awk -v table="$table" '
    function module(path,   p) { split(path, p, "/"); return p[1] == "core" ? p[2] : p[1] }
    BEGIN {
      n = split(table, rules, ";")
      for (i = 1; i <= n; i++) {
        if (rules[i] == "") continue
        split(rules[i], r, ":")
        allowed[r[1]] = r[2] " "
      }
      bad = 0
    }
    FNR == 1 {
      from = module(FILENAME)
      if (!(from in allowed)) { printf "%s:1: %s is not a module of the dependency rule\n", FILENAME, from; bad = 1 }
    }
    /^[ \t]*#[ \t]*include[ \t]*["<](core|plugins|cli|templates)\// {
      match($0, /["<][^">]*[">]/)
      inc = substr($0, RSTART + 1, RLENGTH - 2)
      to = module(inc)
      if (to == from || !(from in allowed)) next
      if (!(to in allowed)) {
        printf "%s:%d: includes %s, which is not a module of the dependency rule\n", FILENAME, FNR, inc; bad = 1
      } else if (index(allowed[from], " " to " ") == 0) {
        printf "%s:%d: %s may not include %s (%s -> %s breaks the dependency rule)\n", FILENAME, FNR, from, inc, from, to
        bad = 1
      }
    }
    END { exit bad }'
)

# 1. The real tree is clean.
if ! check_layering "$ECP_SOURCE_DIR" > "$T/real"; then
  cat "$T/real"
  die "forbidden includes (see the rule at the top of tests/integration/layering.sh)"
fi

# 2. A copy of the tree with forbidden includes added: each one is flagged at
#    its FILE:LINE, the allowed ones are not.
mkdir "$T/tree"
for d in core plugins cli templates; do
  [ -d "$ECP_SOURCE_DIR/$d" ] && cp -R "$ECP_SOURCE_DIR/$d" "$T/tree/$d"
done
mkdir -p "$T/tree/plugins/host"
w() { f=$T/tree/$1; shift; printf '%s\n' "$@" > "$f"; }
w core/oci/bad_a.cpp '// oci may use util only' '#include "core/oci/digest.hpp"' '#include "core/image/store.hpp"' \
  '#include <core/ops/build.hpp>' '#include "core/util/error.hpp"' '// #include "core/ops/commented_out.hpp"'
w core/strategy/mixed_b.cpp '#include "core/backend/backend.hpp"' '#include "core/ledger/ledger.hpp"'
w cli/bad_c.cpp '#include "core/descriptor/model.hpp"' '#include "core/ops/build.hpp"' '#include "plugins/host/host.hpp"' \
  '#include "core/util/error.hpp"' '#include "cli/output.hpp"'
w core/util/bad_d.hpp '#pragma once' '  #  include "core/oci/digest.hpp"'
w plugins/host/bad_e.cpp '#include "core/backend/backend.hpp"' '#include "core/ops/deploy.hpp"' '#include "templates/templates.hpp"' \
  '#include "core/strategy/rolling.hpp"'
w templates/bad_f.cpp '#include "core/util/fs.hpp"'
w core/ops/ok_g.cpp '#include "core/image/store.hpp"' '#include "templates/templates.hpp"' '#include "core/nosuch/x.hpp"'
w core/frob.cpp '#include "core/util/error.hpp"'
# An existing file, changed: the forbidden include goes after its last line.
n=$(($(wc -l < "$T/tree/core/util/error.cpp") + 1))
echo '#include "cli/run.hpp"' >> "$T/tree/core/util/error.cpp"

if check_layering "$T/tree" > "$T/flagged"; then
  cat "$T/flagged"; die "the checker accepted a tree with forbidden includes"
fi
cut -d: -f1,2 "$T/flagged" | LC_ALL=C sort > "$T/got"
LC_ALL=C sort > "$T/want" <<WANT
cli/bad_c.cpp:1
core/frob.cpp:1
core/oci/bad_a.cpp:3
core/oci/bad_a.cpp:4
core/ops/ok_g.cpp:3
core/strategy/mixed_b.cpp:2
core/util/bad_d.hpp:2
core/util/error.cpp:$n
plugins/host/bad_e.cpp:2
plugins/host/bad_e.cpp:3
plugins/host/bad_e.cpp:4
templates/bad_f.cpp:1
WANT
if ! cmp -s "$T/want" "$T/got"; then
  echo "--- checker output"; cat "$T/flagged"
  diff "$T/want" "$T/got" || true
  die "the checker did not flag exactly the forbidden includes"
fi
echo "includes follow the dependency rule; the checker flags all $(wc -l < "$T/want") planted violations"
