#!/bin/sh
# autoconfig.sh - renders the configuration templates of an ecp application.
#
# Usage: autoconfig.sh [--check | --print-dir]
#   --check      render into temporary files and report, but write nothing
#   --print-dir  render, then print the folder rendered on stdout (entrypoint.sh
#                starts the server on that folder)
#
# Every file under the conf folder whose name ends in ".tmpl" is a template. It is
# rendered to the same name without ".tmpl", next to it (conf/nginx.conf.tmpl ->
# conf/nginx.conf). Templates are never modified, so every start renders again from
# them. Other files under conf/ are left alone.
#
# Placeholders in templates:
#   ${KEY}            the value of KEY; unresolved when KEY is not set anywhere
#   ${KEY:-default}   the value of KEY, or "default" when KEY is unset or empty
#                     (the default runs to the first "}", so it cannot contain one)
#   $${               a literal "${" (e.g. for Tomcat's own ${catalina.base})
# KEY follows ^[A-Za-z_][A-Za-z0-9_.]*$. A "${" that does not start a well-formed
# placeholder is copied as it is, and so is every other "$" (nginx's $uri ...).
# Values are inserted byte for byte: nothing in them is expanded or escaped, so a
# template must quote them as its format needs (XML, YAML ...). A placeholder must
# fit on one line; templates must be text (no NUL bytes).
#
# Where a value comes from, first match wins:
#   1. an environment variable of that name (only for keys without dots)
#   2. the properties file ($ECP_AUTOCONFIG_FILE, default conf/autoconfig.properties;
#      a missing default file counts as empty)
#   3. the placeholder's default
#
# The properties file: one KEY=VALUE per line, split at the first "=", blanks around
# the key and before the value ignored; blank lines and lines starting with # or !
# are comments; the last line for a key wins. A line ending in an odd number of
# backslashes continues on the next line (leading blanks of that line dropped).
# Escapes in values: \n newline, \t tab, \r carriage return, \f form feed, \\ a
# backslash, and \= \: \# \! "\ " for the character itself (e.g. "\ " keeps a leading
# blank). Any other escape is an error. There is no quoting and no $ expansion.
#
# Environment:
#   ECP_APP_DIR          the application folder (default: the folder above bin/)
#   ECP_CONF_DIR         the conf folder (default: $ECP_APP_DIR/conf)
#   ECP_AUTOCONFIG_FILE  the properties file (default: $ECP_CONF_DIR/autoconfig.properties)
#   ECP_RUNTIME_DIR      where to render when the conf folder cannot be written
#                        (default: /tmp/ecp-conf)
#
# A read-only image (Kubernetes' readOnlyRootFilesystem, podman --read-only) or
# an arbitrary UID (OpenShift) cannot write beside the templates. When the conf
# folder is not writable, or ECP_RUNTIME_DIR is set, the conf folder is copied
# afresh to $ECP_RUNTIME_DIR/conf and rendered there. That folder must be this
# user's own (it is made mode 0700; one owned by another user is refused).
#
# Safety: nothing is written unless every placeholder of every template resolves.
# Each output is written to a temporary file in its folder and renamed into place;
# an output whose content did not change is not touched. Only regular files inside
# the conf folder are rendered: a template that is a symlink, an output that is a
# symlink or a folder, and a symlinked folder that leads out of conf/ and holds
# templates are refused. Outputs hold rendered values, secrets among them, so
# they are their owner's alone: 0600 minus the umask (0700 when the template is
# executable).
#
# Exit status: 0 done; 1 a placeholder could not be resolved (every one is named,
# with its template); 2 anything else (usage, bad properties file, unsafe path, I/O).
# POSIX sh and awk only: runs under dash, bash and busybox sh.
set -eu

prog=autoconfig
nl='
'
say() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { say "$*"; exit 2; }

check=0 print_dir=0
case ${1-} in
  '') ;;
  --check) check=1 ;;
  --print-dir) print_dir=1 ;;
  -h | --help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^#//; s/^ //'; exit 0 ;;
  *) die "unknown argument '$1' (usage: autoconfig.sh [--check | --print-dir])" ;;
esac

bin_dir=$(CDPATH='' cd -P -- "$(dirname -- "$0")" && pwd) || die "cannot find the folder of $0"
app_dir=${ECP_APP_DIR:-$(dirname -- "$bin_dir")}
conf_dir=${ECP_CONF_DIR:-$app_dir/conf}
[ -d "$conf_dir" ] || die "$conf_dir: no such folder (set ECP_APP_DIR or ECP_CONF_DIR)"
# Whether a file can be made in the conf folder: tried, since test -w reads the
# mode bits (busybox) and cannot know that the file system is read-only.
writable() { probe=$(mktemp "$1/.autoconfig-probe-XXXXXX" 2>/dev/null) && rm -f -- "$probe"; }
if [ "$check" -eq 0 ] && { [ -n "${ECP_RUNTIME_DIR:-}" ] || ! writable "$conf_dir"; }; then
  runtime=${ECP_RUNTIME_DIR:-/tmp/ecp-conf}
  (umask 077 && mkdir -p -- "$runtime") || die "$runtime: cannot create the runtime folder"
  if [ -L "$runtime" ] || [ ! -O "$runtime" ]; then die "$runtime: not this user's own folder; refusing to render there"; fi
  chmod 700 "$runtime" || die "$runtime: chmod failed"
  rm -rf -- "$runtime/conf"
  cp -R -- "$conf_dir" "$runtime/conf" || die "cannot copy $conf_dir to $runtime/conf"
  say "$conf_dir is not writable here: rendering in $runtime/conf"
  conf_dir=$runtime/conf
fi
root=$(CDPATH='' cd -P -- "$conf_dir" && pwd) || die "$conf_dir: cannot enter the folder"

if [ -n "${ECP_AUTOCONFIG_FILE:-}" ]; then
  props=$ECP_AUTOCONFIG_FILE
  [ -f "$props" ] || die "$props: no such file (ECP_AUTOCONFIG_FILE)"
elif [ -f "$root/autoconfig.properties" ]; then
  props=$root/autoconfig.properties
else
  props=/dev/null
fi
# awk treats an operand like "a=b" as an assignment; a path starting with / or ./ is safe.
case $props in /*) ;; *) props=./$props ;; esac

# The renderer. ARGV: properties file, template, output file. Writes the rendered
# template to the output; on stdout prints unresolved keys (exit 3) or a properties
# error (exit 2). Values never pass through -v or the shell, so nothing in them is
# interpreted.
awk_prog='
function perror(msg) {
  if (!perr) printf "%s:%d: %s\n", pf, pline, msg
  perr = 1
  exit 2
}
function unescape(v,    out, i, c) {
  out = ""
  while ((i = index(v, "\\")) > 0) {
    out = out substr(v, 1, i - 1)
    c = substr(v, i + 1, 1)
    v = substr(v, i + 2)
    if (c == "n") out = out "\n"
    else if (c == "t") out = out "\t"
    else if (c == "r") out = out "\r"
    else if (c == "f") out = out "\f"
    else if (c == "\\" || c == "=" || c == ":" || c == "#" || c == "!" || c == " ") out = out c
    else if (c == "") out = out
    else perror("unsupported escape \\" c " (use \\n \\t \\r \\f \\\\ \\= \\: \\# \\! or a backslash before a blank)")
  }
  return out v
}
function property(line,    i, k, v) {
  i = index(line, "=")
  if (i == 0) perror("expected KEY=VALUE")
  k = substr(line, 1, i - 1)
  sub(/[ \t\f]+$/, "", k)
  if (k !~ /^[A-Za-z_][A-Za-z0-9_.]*$/) perror("invalid key \"" k "\" (keys follow [A-Za-z_][A-Za-z0-9_.]*)")
  v = substr(line, i + 1)
  sub(/^[ \t\f]+/, "", v)
  props[k] = unescape(v)
}
function lookup(k) {
  found = 1
  if (k ~ /^[A-Za-z_][A-Za-z0-9_]*$/ && (k in ENVIRON)) return ENVIRON[k]
  if (k in props) return props[k]
  found = 0
  return ""
}
function missing(k) {
  if (!(k in miss)) { miss[k] = 1; order[++nmiss] = k }
}
BEGIN { pf = ARGV[1]; outfile = ARGV[3]; ARGC = 3 }
FILENAME == pf {
  line = $0
  sub(/\r$/, "", line)
  if (!cont) {
    sub(/^[ \t\f]+/, "", line)
    if (line == "" || line ~ /^[#!]/) next
    buf = ""
    pline = FNR
  } else sub(/^[ \t\f]+/, "", line)
  if (match(line, /\\+$/) && RLENGTH % 2 == 1) {
    buf = buf substr(line, 1, length(line) - 1)
    cont = 1
    next
  }
  cont = 0
  property(buf line)
  next
}
{
  if (cont) { cont = 0; property(buf) }
  s = $0
  out = ""
  while ((i = index(s, "${")) > 0) {
    if (i > 1 && substr(s, i - 1, 1) == "$") {
      out = out substr(s, 1, i - 2) "${"
      s = substr(s, i + 2)
      continue
    }
    out = out substr(s, 1, i - 1)
    s = substr(s, i + 2)
    if (!match(s, /^[A-Za-z_][A-Za-z0-9_.]*/)) { out = out "${"; continue }
    k = substr(s, 1, RLENGTH)
    rest = substr(s, RLENGTH + 1)
    if (substr(rest, 1, 1) == "}") {
      v = lookup(k)
      if (!found) missing(k)
      out = out v
      s = substr(rest, 2)
    } else if (substr(rest, 1, 2) == ":-" && (j = index(rest, "}")) > 0) {
      v = lookup(k)
      if (v == "") v = substr(rest, 3, j - 3)
      out = out v
      s = substr(rest, j + 1)
    } else out = out "${"
  }
  if (nlines++) printf "\n" > outfile
  printf "%s", out s > outfile
}
END {
  if (perr) exit 2
  if (cont) property(buf)
  if (perr) exit 2
  if (nmiss) {
    for (n = 1; n <= nmiss; n++) print order[n]
    exit 3
  }
  if (nlines && !nonl) printf "\n" > outfile
  close(outfile)
}'

temps=''
cleanup() {
  [ -n "$temps" ] || return 0
  old_ifs=$IFS; IFS=$nl; set -f
  for t in $temps; do rm -f -- "$t"; done
  set +f; IFS=$old_ifs
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Names with a newline would break the line-based lists below.
odd=$(find "$root" -name "*$nl*" -print | head -n 1)
[ -z "$odd" ] || die "$root: refusing a file name that contains a newline"
bad=$(find "$root" -type l -name '*.tmpl' -print)
[ -z "$bad" ] || die "refusing templates that are symlinks: $(printf '%s' "$bad" | tr '\n' ' ')"
links=$(find "$root" -type l -print)
if [ -n "$links" ]; then
  old_ifs=$IFS; IFS=$nl; set -f
  for link in $links; do
    [ -d "$link" ] || continue
    real=$(CDPATH='' cd -P -- "$link" && pwd) || continue
    case $real/ in "$root"/*) continue ;; esac
    if [ -n "$(find "$link/" -name '*.tmpl' -print | head -n 1)" ]; then
      die "${link#"$root"/}: a symlink to $real, outside $root, holds templates; refusing"
    fi
  done
  set +f; IFS=$old_ifs
fi

templates=$(find "$root" -type f -name '*.tmpl' -print | LC_ALL=C sort)
if [ -z "$templates" ]; then
  say "no templates (*.tmpl) under $root; nothing to do"
  [ "$print_dir" -eq 0 ] || printf '%s\n' "$root"
  exit 0
fi

umask_now=$(umask)
file_mode=$(printf '%o' $((0600 & ~0$umask_now)))
exec_mode=$(printf '%o' $((0700 & ~0$umask_now)))

# Pass 1: render every template into a temporary file beside its output.
unresolved=0
old_ifs=$IFS; IFS=$nl; set -f
for t in $templates; do
  rel=${t#"$root"/}
  out=${t%.tmpl}
  case ${out##*/} in '') die "$rel: a template needs a name before .tmpl" ;; esac
  [ ! -L "$out" ] || die "${out#"$root"/}: the output is a symlink; refusing to write through it"
  [ ! -d "$out" ] || die "${out#"$root"/}: the output is a folder"
  dir=${out%/*}
  base=${out##*/}
  tmp=$(mktemp "$dir/.$base.autoconfig-XXXXXX") || die "$dir: cannot create a temporary file"
  temps=$temps$tmp$nl
  nonl=0
  if [ -s "$t" ] && [ "$(tail -c 1 "$t" | wc -l)" -eq 0 ]; then nonl=1; fi
  rc=0
  result=$(awk -v nonl="$nonl" "$awk_prog" "$props" "$t" "$tmp") || rc=$?
  case $rc in
    0) ;;
    3) for key in $result; do say "$rel: unresolved placeholder \${$key}"; done
       unresolved=$((unresolved + 1)) ;;
    2) die "${result:-$props: cannot read the properties file}" ;;
    *) die "$rel: rendering failed (awk exit status $rc)" ;;
  esac
  mode=$file_mode
  [ ! -x "$t" ] || mode=$exec_mode
  chmod "$mode" "$tmp" || die "$tmp: chmod failed"
done
set +f; IFS=$old_ifs

if [ "$unresolved" -gt 0 ]; then
  say "$unresolved template(s) have unresolved placeholders; set them in ${props#./} or in the environment. Nothing was written."
  exit 1
fi
[ "$check" -eq 0 ] || { say "all templates under $root resolve (--check: nothing written)"; exit 0; }

# Pass 2: move each rendered file into place (rename is atomic within a folder).
old_ifs=$IFS; IFS=$nl; set -f
for tmp in $temps; do
  dir=${tmp%/*}
  base=${tmp##*/}
  base=${base#.}
  out=$dir/${base%.autoconfig-*}
  if [ -f "$out" ] && cmp -s "$tmp" "$out"; then
    rm -f -- "$tmp"
    say "unchanged ${out#"$root"/}"
  else
    mv -f -- "$tmp" "$out" || die "${out#"$root"/}: cannot write"
    say "rendered ${out#"$root"/}"
  fi
done
set +f; IFS=$old_ifs
temps=''
[ "$print_dir" -eq 0 ] || printf '%s\n' "$root"
