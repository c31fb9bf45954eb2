#!/bin/sh
# The size rule of DESIGN.md, checked: no .cpp or .hpp under core/, cli/ or
# plugins/ is over 400 lines, and no function in them over 80. Prints one
# "FILE:LINE: why" per breach and exits 1; exits 0 when the tree keeps the rule.
#   scripts/code_size.sh [ROOT]     (ROOT: the checkout; default: this script's)
# Function extents come from universal-ctags (Debian `universal-ctags`; setup.sh
# installs it): its "end:" field is the line of the closing brace. Lambdas count
# as part of the function that holds them.
# ROOT/scripts/code_size.allow lists the functions that may be longer for now,
# one "FILE FUNCTION" a line (# starts a comment): each entry is a debt with its
# reason beside it, to be paid, not a second rule.
set -eu
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
max_file=400
max_function=80
cd "$root"
ctags --version 2>/dev/null | grep -q 'Universal Ctags' || {
  echo "code_size.sh: needs universal-ctags (Debian package universal-ctags)" >&2
  exit 2
}
dirs=""
for d in core cli plugins; do [ -d "$d" ] && dirs="$dirs $d"; done
[ -n "$dirs" ] || { echo "code_size.sh: no core/, cli/ or plugins/ under $root" >&2; exit 2; }
allow=scripts/code_size.allow
[ -f "$allow" ] || allow=/dev/null
out=$(mktemp "${TMPDIR:-/tmp}/code_size.XXXXXX")
trap 'rm -f "$out"' EXIT INT TERM

# Files. (wc counts newlines; a file without a final one is a line short, which
# clang-format never leaves.)
# shellcheck disable=SC2086 # $dirs is a list of folder names on purpose
find $dirs -type f \( -name '*.cpp' -o -name '*.hpp' \) -exec wc -l {} + |
  awk -v max="$max_file" '$2 != "total" && $1 > max { printf "%s:1: %d lines, over %d: split it\n", $2, $1, max }' \
  | sort >>"$out"

# Functions: ctags' tag lines are NAME<TAB>FILE<TAB>PATTERN;"<TAB>kind<TAB>line:N<TAB>...end:M.
# shellcheck disable=SC2086
ctags -R --languages=C++ --c++-kinds=f --fields=+nes -f - $dirs | awk -F '\t' -v max="$max_function" -v allow="$allow" '
  BEGIN {
    while ((getline a < allow) > 0) {
      sub(/#.*/, "", a)
      if (split(a, w, /[ \t]+/) >= 2) allowed[w[1] " " w[2]] = 1
      else if (a ~ /[^ \t]/) { printf "%s: a line is not \"FILE FUNCTION\": %s\n", allow, a; bad = 1 }
    }
  }
  {
    start = 0; end = 0; scope = ""
    for (i = 4; i <= NF; i++) {
      if ($i ~ /^line:/) start = substr($i, 6) + 0
      else if ($i ~ /^end:/) end = substr($i, 5) + 0
      else if ($i ~ /^(class|struct|namespace):/) { scope = $i; sub(/^[a-z]+:/, "", scope) }
    }
    if (!start || !end) next
    n = end - start + 1
    if (n <= max || (($2 " " $1) in allowed)) next
    name = scope == "" ? $1 : scope "::" $1
    printf "%s:%d: function %s is %d lines, over %d: split it into named steps\n", $2, start, name, n, max
  }
  END { exit bad }' | sort -t: -k1,1 -k2,2n >>"$out"

if [ -s "$out" ]; then
  cat "$out"
  echo "code_size.sh: $(wc -l <"$out") breach(es) of the size rule (files <= $max_file lines, functions <= $max_function)" >&2
  exit 1
fi
echo "code_size.sh: every file is at most $max_file lines and every function at most $max_function"
