#!/bin/sh
# YAML alias bombs by size: a 1 MB file whose alias names a 500 KB scalar,
# repeated 39,000 times, expands to about 20 GB of text with few nodes. ecp
# validate refuses it (exit 2) at the alias that passes the 64 MiB budget,
# naming the file and its line, with a small peak RSS - in ecp.yaml and in
# ecp-targets.yaml alike. A regression is stopped at 1 GiB of memory (a
# ulimit, or ASan's own RSS limit: ASan needs a vast address space) instead of
# eating the machine.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
[ -x /usr/bin/time ] || skip "no /usr/bin/time (apt-get install time)"
cd "$T"

# bomb FILE HEAD ANCHOR ALIAS: HEAD, then ANCHOR with "%s" for 500,000 x's, then
# ALIAS (with "%d" for its number) 39,000 times; under 1 MiB in all.
bomb() {
  python3 - "$@" <<'PY'
import sys
path, head, anchor, alias = (a.encode().decode("unicode_escape") for a in sys.argv[1:5])
with open(path, "w") as f:
    f.write(head + anchor.replace("%s", "x" * 500000))
    for i in range(39000):
        f.write(alias.replace("%d", str(i)))
PY
  [ "$(wc -c < "$1")" -lt 1048576 ] || die "$1 is not under 1 MiB"
}

asan=0
if ldd "$ECP" 2>/dev/null | grep -q libasan; then asan=1; fi
# run_capped CMD...: CMD under a 1 GiB memory cap; its peak RSS (KiB) in $T/rss.
run_capped() {
  set +e
  if [ $asan = 1 ]; then
    ASAN_OPTIONS="${ASAN_OPTIONS:-}:hard_rss_limit_mb=1024" /usr/bin/time -f %M -o "$T/rss" "$@" >"$T/out" 2>"$T/err"
  else
    (ulimit -v 1048576 && exec /usr/bin/time -f %M -o "$T/rss" "$@") >"$T/out" 2>"$T/err"
  fi
  got=$?
  set -e
}
# ASan's shadow memory and quarantine cost 100-300 MiB whatever the input.
rss_limit=131072
[ $asan = 0 ] || rss_limit=524288
check_refused() {
  [ "$got" = 2 ] || { cat "$T/err"; die "$1: exit $got, expected 2"; }
  expect_grep "$2" "$T/err"
  expect_grep "aliases expand the document to more than 64 MiB of text \(this one repeats 500000 bytes\)" "$T/err"
  expect_no_grep "internal error|AddressSanitizer|out of memory|bad_alloc" "$T/err"
  rss=$(tail -n 1 "$T/rss")
  [ "$rss" -lt "$rss_limit" ] || die "$1: peak RSS $rss KiB, not under $rss_limit KiB"
  echo "ok: $1 (peak RSS $rss KiB)"
}

# ecp.yaml: line 4 anchors, line 5 holds alias 1; 64 MiB / 500,000 bytes is
# 134.2, so alias 135, on line 139, passes the budget (column 9: after "  K134: ").
bomb ecp.yaml 'app: bomb\ntype: jar\nconfig:\n' '  BIG: &a "%s"\n' '  K%d: *a\n'
run_capped "$ECP" validate
check_refused "ecp.yaml" "^ecp\.yaml:139:9: error: aliases expand"

# The targets file is read by the same reader: alias 135 is on line 140.
printf 'app: ok\ntype: jar\nenvironments:\n  dev: {target: lab}\n' > ecp.yaml
bomb ecp-targets.yaml 'targets:\n  lab:\n    plugin: host\n    hosts:\n' '    - &a "%s"\n' '    - *a\n'
run_capped "$ECP" validate
check_refused "ecp-targets.yaml" "^ecp-targets\.yaml:140:7: error: aliases expand"

# The same aliases within the budget are fine: 100 of them are 50 MB.
python3 - <<'PY'
with open("ecp.yaml", "w") as f:
    f.write("app: ok\ntype: jar\nconfig:\n  BIG: &a \"" + "x" * 500000 + "\"\n")
    for i in range(100):
        f.write("  K%d: *a\n" % i)
PY
rm ecp-targets.yaml
run_capped "$ECP" validate
[ "$got" = 0 ] || { cat "$T/err"; die "100 aliases to 500 KB: exit $got, expected 0"; }
echo ok
