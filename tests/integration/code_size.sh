#!/bin/sh
# The size rule holds (scripts/code_size.sh: no .cpp/.hpp under core/, cli/,
# plugins/ over 400 lines, no function over 80), and the check is not blind: a
# planted long function and a long file are named FILE:LINE, and the allow-list
# lets a named function through.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
check=$ECP_SOURCE_DIR/scripts/code_size.sh
ctags --version 2>/dev/null | grep -q 'Universal Ctags' ||
  skip "universal-ctags is not installed (scripts/setup.sh installs it)"

# 1. The tree keeps the rule.
sh "$check" "$ECP_SOURCE_DIR" >"$T/tree" 2>&1 || { cat "$T/tree"; die "the tree breaks the size rule"; }

# 2. A copy with a function of 81 lines and a file of 401: both named.
mkdir -p "$T/bad/core/x" "$T/bad/scripts"
{
  echo "int long_one(int a) {"
  i=0; while [ $i -lt 79 ]; do echo "  a += $i;"; i=$((i + 1)); done
  echo "}"
  echo "int short_one(int a) {"
  echo "  return a;"
  echo "}"
} >"$T/bad/core/x/f.cpp"
i=0; while [ $i -lt 401 ]; do echo "// $i"; i=$((i + 1)); done >"$T/bad/core/x/big.hpp"
expect_exit 1 sh "$check" "$T/bad"
expect_grep '^core/x/f\.cpp:1: function long_one is 81 lines, over 80' "$T/out"
expect_grep '^core/x/big\.hpp:1: 401 lines, over 400' "$T/out"
expect_no_grep 'short_one' "$T/out"

# 3. Exactly 80 lines passes; an allow-list entry lets the long one through.
rm "$T/bad/core/x/big.hpp"
printf '%s\n' '# why: a test' 'core/x/f.cpp long_one  # split in the next change' >"$T/bad/scripts/code_size.allow"
expect_exit 0 sh "$check" "$T/bad"
sed -i '2d' "$T/bad/core/x/f.cpp"
rm "$T/bad/scripts/code_size.allow"
expect_exit 0 sh "$check" "$T/bad"
echo "the size rule holds and its check sees a breach"
