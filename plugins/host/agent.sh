#!/bin/sh
# ecp host agent: the only program ecp runs on a host. ecp copies it to
# ROOT/.ecp/agent-<sha>.sh and calls it as `sh AGENT VERB ARGS...`; every
# argument is one word (ecp quotes each for the remote shell), data arrives on
# stdin. POSIX sh with coreutils-style tools (tar, gzip or zstd, openssl or
# sha256sum or shasum, setsid or nohup); dash and busybox sh run it.
#
# Layout under ROOT (see man ecp-deploy):
#   .ecp/blobs/sha256/HEX           layer blobs (compressed), verified by digest
#   .ecp/tars/sha256/HEX            layer tars (uncompressed), verified by diff_id
#   APP/ENV/releases/REV/           unpacked app files + .ecp/{image,config,layers,config.properties}
#   APP/ENV/current -> releases/REV
#   APP/ENV/instances/SLOT-INDEX/   app/ (links into the release, own conf/), data/, logs/, tmp/, pid files
#   APP/ENV/state/                  the ledger and the lock (key -> file)
#
# Exit status: 0 done; 1 failed (the reason on stderr); 3 absent or conflict
# (state-get, state-cas); 4 a release or instance is missing.
set -eu
umask 022
prog=ecp-agent

die() { printf '%s: %s\n' "$prog" "$*" >&2; exit 1; }
nap() { sleep 0.1 2>/dev/null || sleep 1; }

# OpenSSL first: it uses the CPU's SHA extensions, several times faster than sha256sum.
sha256_stdin() {
  if command -v openssl >/dev/null 2>&1; then openssl dgst -sha256 -r | cut -c1-64
  elif command -v sha256sum >/dev/null 2>&1; then sha256sum | cut -c1-64
  else shasum -a 256 | cut -c1-64
  fi
}
sha256() { sha256_stdin <"$1"; }

check_hex() {
  case $1 in *[!0-9a-f]* | '') die "'$1' is not a sha256 digest" ;; esac
  [ "${#1}" -eq 64 ] || die "'$1' is not a sha256 digest"
}
check_name() {
  case $1 in '' | .* | *[!A-Za-z0-9._-]*) die "'$1' is not a valid name here" ;; esac
}
check_key() {
  case $1 in '' | /* | *..* | *[!a-z0-9._/-]*) die "'$1' is not a valid state key" ;; esac
}

# write_atomic FILE: stdin -> FILE through a temporary file in the same folder.
write_atomic() {
  tmp="$1.tmp.$$"
  if ! cat >"$tmp"; then rm -f "$tmp"; die "writing $1 failed"; fi
  mv -f "$tmp" "$1" || { rm -f "$tmp"; die "writing $1 failed"; }
}

# alive PID: the process runs. A zombie does not count: its parent may be an init
# that reaps late, and waiting for that would hold up every stop.
alive() {
  [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null || return 1
  [ -r "/proc/$1/status" ] || return 0
  ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# is_ours PID DIR: the process was started for instance DIR (guards against reused pids).
is_ours() {
  alive "$1" || return 1
  [ -r "/proc/$1/environ" ] || return 0
  tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null | grep -qxF "ECP_INSTANCE_DIR=$2"
}

# releases DIR: the installed revisions, newest first.
releases() {
  for d in "$1"/*; do
    r=${d##*/}
    case $r in '' | *[!0-9]*) continue ;; esac
    [ -d "$d" ] && printf '%s\n' "$r"
  done | sort -rn
}

# state_dir: the ledger's folder, $E/state, made 0700 with what goes in it 0600:
# private/ holds the exact rendered configurations, secrets included (issue 13 §2).
# (Only state/ itself: the folders above it stay open to an nginx worker that
# runs as another user and serves files from releases/.)
state_dir() {
  mkdir -p "$E" || die "cannot create $E"
  umask 077
  if ! { mkdir -p "$E/state" && chmod 700 "$E/state"; }; then die "cannot create $E/state"; fi
}

env_dir() {
  check_name "$2"; check_name "$3"
  root=$1 app=$2 env=$3
  E="$root/$app/$env"
}

# run_as USER: ru, rg (uid and gid), rgroups (init: the user's groups, clear:
# none) and rname for run.user NAME, UID or UID:GID; all empty for "-". A UID
# that names nobody here runs with group 0 (the OpenShift convention).
run_as() {
  ru='' rg='' rgroups='' rname=''
  [ "$1" != - ] || return 0
  command -v setpriv >/dev/null 2>&1 || die "run.user needs setpriv (util-linux) on this host"
  rname=$1 rgroups=clear
  case $1 in
    *:*) ru=${1%%:*} rg=${1#*:} ;;
    *)
      if ru=$(id -u "$1" 2>/dev/null); then
        rg=$(id -g "$1") rgroups=init
      else
        case $1 in *[!0-9]*) die "run.user '$1': no such user on this host" ;; esac
        ru=$1 rg=0
      fi
      ;;
  esac
  case $ru$rg in '' | *[!0-9]*) die "run.user '$1': give a name, a UID or UID:GID" ;; esac
}

# cgroup_for NAME CPU_MILLIS MEMORY_BYTES: a cgroup of ecp's own per instance
# with those limits (0: none); sets cgs (its folders, comma-separated, which the
# supervisor joins) and how (which mechanism: cgroup v2, or v1's cpu and memory
# controllers). Without limits both are empty.
cgroup_for() {
  cgs='' how='no limits'
  [ "$2$3" != 00 ] || return 0
  c=/sys/fs/cgroup
  if [ -f "$c/cgroup.controllers" ]; then
    for d in "$c" "$c/ecp"; do
      { mkdir -p "$d" && printf '+cpu +memory\n' >"$d/cgroup.subtree_control"; } ||
        die "cannot enable the cpu and memory controllers in $d"
    done
    g="$c/ecp/$1"
    mkdir -p "$g" || die "cannot create the cgroup $g"
    [ "$3" = 0 ] || printf '%s\n' "$3" >"$g/memory.max" || die "cannot limit the memory in $g"
    [ "$2" = 0 ] || printf '%s 100000\n' $(($2 * 100)) >"$g/cpu.max" || die "cannot limit the cpu in $g"
    cgs=$g how="cgroup v2 ($g)"
  elif [ -d "$c/memory" ] && [ -d "$c/cpu" ]; then
    gm="$c/memory/ecp/$1" gc="$c/cpu/ecp/$1"
    mkdir -p "$gm" "$gc" || die "cannot create the cgroups $gm and $gc"
    [ "$3" = 0 ] || printf '%s\n' "$3" >"$gm/memory.limit_in_bytes" || die "cannot limit the memory in $gm"
    [ "$2" = 0 ] || printf '%s\n' $(($2 * 100)) >"$gc/cpu.cfs_quota_us" || die "cannot limit the cpu in $gc"
    cgs="$gm,$gc" how="cgroup v1 ($gm, $gc)"
  else
    die "run.resources: this host has no cgroup file system under $c"
  fi
}

# gw_master DIR: the pid of the gateway nginx of DIR, when it runs.
gw_master() {
  p=$(cat "$1/nginx.pid" 2>/dev/null || true)
  alive "$p" || return 0
  if [ -r "/proc/$p/cmdline" ]; then
    tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF "$1/nginx.conf" || return 0
  fi
  printf '%s\n' "$p"
}

# gw_workers PID: the worker processes of the nginx master PID.
gw_workers() {
  grep -l "^PPid:[[:space:]]*$1\$" /proc/[0-9]*/status 2>/dev/null | sed 's|^/proc/||; s|/status$||' || true
}

# gw_reloaded "PIDS": waits (10 s at most) until none of the old workers PIDS
# takes new requests: each has exited or is "shutting down", which nginx's
# master asks of them only once the new configuration's workers run.
gw_reloaded() {
  n=0
  while [ "$n" -lt 100 ]; do
    busy=0
    for w in $1; do
      alive "$w" || continue
      tr '\0' ' ' <"/proc/$w/cmdline" 2>/dev/null | grep -q 'shutting down' || busy=1
    done
    [ "$busy" = 1 ] || return 0
    n=$((n + 1))
    nap
  done
  return 1
}

# now_ms: this host's clock, Unix ms.
now_ms() {
  ns=$(date +%s%N 2>/dev/null || true)
  case $ns in '' | *[!0-9]*) ns="$(date +%s)000000000" ;; esac
  printf '%s\n' "${ns%??????}"
}

# gw_drained "PIDS": waits (15 s at most) until the old workers PIDS have
# finished the requests they hold and exited, so that an instance the new
# routes leave out can stop without cutting a response short. A long-lived
# connection (a websocket) is left to finish on its own.
gw_drained() {
  n=0
  while [ "$n" -lt 150 ]; do
    busy=0
    for w in $1; do alive "$w" && busy=1; done
    [ "$busy" = 1 ] || return 0
    n=$((n + 1))
    nap
  done
  return 1
}

# escaping DIR: prints a symlink below DIR that resolves, through every link on
# its way, outside DIR; nothing when none does. Tar follows a link that an
# earlier layer left when a later entry goes below it, so install checks after
# each layer, before the next can write through one. (Within one layer GNU tar
# itself makes absolute and ".." links only at the end.) Without `realpath -m`
# or `readlink -m` a link cannot be resolved, and counts as escaping.
escaping() {
  base=$(cd -P "$1" && pwd -P) || { printf '%s\n' "$1"; return 0; }
  find "$base" -type l -exec sh -c '
    base=$1; shift
    for l; do
      r=$(realpath -m -- "$l" 2>/dev/null || readlink -m -- "$l" 2>/dev/null) || r=
      case $r in "$base" | "$base"/*) ;; *) printf "%s\n" "${l#"$base"/}"; exit 0 ;; esac
    done' sh "$base" {} + | head -n 1
}

verb=${1:-}
[ "$#" -gt 0 ] && shift

case $verb in
hello)
  # hello ROOT: creates the folders, prints what this host offers.
  root=$1
  mkdir -p "$root/.ecp/blobs/sha256" "$root/.ecp/tars/sha256" || die "cannot create $root/.ecp"
  printf 'agent 1\n'
  for t in tar gzip zstd sha256sum setsid; do
    if command -v "$t" >/dev/null 2>&1; then printf 'tool %s\n' "$t"; fi
  done
  df -Pk "$root" 2>/dev/null | awk 'NR == 2 { print "free_kb " $4 }'
  ;;

blobs-missing)
  # blobs-missing ROOT HEX...: prints the blobs this host lacks.
  root=$1; shift
  for h in "$@"; do
    check_hex "$h"
    [ -f "$root/.ecp/blobs/sha256/$h" ] || printf '%s\n' "$h"
  done
  ;;

blob-put | tar-put)
  # blob-put ROOT HEX SIZE < blob: stores a layer blob (tar-put: an uncompressed
  # layer tar) only if its bytes have that sha256 (hashed while they arrive) and size.
  root=$1 h=$2 size=$3
  check_hex "$h"
  if [ "$verb" = tar-put ]; then dir="$root/.ecp/tars/sha256"; else dir="$root/.ecp/blobs/sha256"; fi
  mkdir -p "$dir"
  tmp="$dir/.tmp-$h-$$"
  got=$(tee "$tmp" | sha256_stdin)
  have=$(wc -c <"$tmp" 2>/dev/null | tr -d ' ') || have=0
  if [ "$have" != "$size" ]; then
    rm -f "$tmp"; die "receiving layer sha256:$h failed (${have:-0} of $size bytes arrived)"
  fi
  if [ "$got" != "$h" ]; then rm -f "$tmp"; die "layer sha256:$h arrived damaged (its sha256 is $got)"; fi
  mv -f "$tmp" "$dir/$h"
  ;;

install-plan)
  # install-plan ROOT APP ENV IMAGE HEX:DIFFHEX...: "have REV" when a release of
  # this image is installed (copied by hard links, no transfer), else "missing HEX"
  # for each layer the host has neither as a blob nor as a tar.
  env_dir "$1" "$2" "$3"; image=$4; shift 4
  for r in $(releases "$E/releases"); do
    if [ "$(cat "$E/releases/$r/.ecp/image" 2>/dev/null)" = "$image" ]; then printf 'have %s\n' "$r"; exit 0; fi
  done
  for l in "$@"; do
    h=${l%%:*} d=${l#*:}
    check_hex "$h"
    [ -f "$root/.ecp/blobs/sha256/$h" ] && continue
    [ -n "$d" ] && [ -f "$root/.ecp/tars/sha256/$d" ] && continue
    printf 'missing %s\n' "$h"
  done
  ;;

install)
  # install ROOT APP ENV REV IMAGE CONFIG_DIGEST USER CPU_MILLIS MEMORY_BYTES
  #   PRIORITY HEALTH_PATH HEX:COMPRESSION:DIFFHEX... < config
  # USER ("-": the agent's own) and the limits (0: none) are the revision's, as
  # an image's user is: each start of it, a rollback's too, runs it so.
  # PRIORITY (core, normal, low) and HEALTH_PATH ("-": a TCP connect) are what
  # degrade and restore read of the revision that serves.
  env_dir "$1" "$2" "$3"; rev=$4 image=$5 cdig=$6 user=$7 cpu=$8 mem=$9; shift 9
  prio=$1 hpath=$2; shift 2
  case $prio in core | normal | low) ;; *) die "'$prio' is not a priority" ;; esac
  case $hpath in - | /*) ;; *) die "'$hpath' is not a health path" ;; esac
  [ "$(printf '%s' "$hpath" | wc -l)" -eq 0 ] || die "a health path is one line"
  case $rev in '' | *[!0-9]*) die "'$rev' is not a revision" ;; esac
  case $cpu$mem in *[!0-9]*) die "'$cpu' and '$mem' are not limits" ;; esac
  case $user in *[!A-Za-z0-9._:-]* | '') die "'$user' is not a user" ;; esac
  rel="$E/releases"
  mkdir -p "$rel" || die "cannot create $rel"
  tmp="$rel/.$rev.tmp.$$"
  rm -rf "$tmp"
  from=''
  for r in $(releases "$rel"); do
    [ "$r" != "$rev" ] || continue
    if [ "$(cat "$rel/$r/.ecp/image" 2>/dev/null)" = "$image" ]; then from=$r; break; fi
  done
  if [ -n "$from" ]; then
    cp -al "$rel/$from" "$tmp" 2>/dev/null || { rm -rf "$tmp"; cp -a "$rel/$from" "$tmp"; } ||
      { rm -rf "$tmp"; die "copying release $from failed"; }
    rm -rf "$tmp/.ecp"
    how="linked $from"
  else
    mkdir "$tmp"
    for l in "$@"; do
      h=${l%%:*} c=${l#*:} d=${l##*:}
      c=${c%%:*}
      check_hex "$h"
      if [ -n "$d" ] && [ -f "$root/.ecp/tars/sha256/$d" ]; then
        src="$root/.ecp/tars/sha256/$d" dec=cat
      else
        src="$root/.ecp/blobs/sha256/$h"
        [ -f "$src" ] || { rm -rf "$tmp"; die "layer sha256:$h is missing"; }
        case $c in
          gzip) dec="gzip -dc" ;;
          zstd) dec="zstd -dcq" ;;
          none) dec="cat" ;;
          *) rm -rf "$tmp"; die "unknown compression '$c'" ;;
        esac
      fi
      # Only entries under app/ are unpacked, app/ itself stripped. ecp checked
      # the layer for unsafe entries before sending it, and the digest proves
      # these are the bytes it checked.
      if ! $dec <"$src" | tar -xf - -C "$tmp" --no-same-owner --strip-components=1 app; then
        rm -rf "$tmp"; die "unpacking layer sha256:$h failed"
      fi
      bad=$(escaping "$tmp")
      if [ -n "$bad" ]; then
        rm -rf "$tmp"
        die "layer sha256:$h leaves symlink '$bad' that resolves outside the release folder: refusing to unpack it"
      fi
    done
    how=unpacked
  fi
  if ! { mkdir -p "$tmp/.ecp" && chmod 700 "$tmp/.ecp"; }; then rm -rf "$tmp"; die "cannot create $tmp/.ecp"; fi
  if ! (umask 077 && cat >"$tmp/.ecp/config.properties"); then rm -rf "$tmp"; die "writing the configuration failed"; fi
  if ! { printf '%s\n' "$image" >"$tmp/.ecp/image" && printf '%s\n' "$cdig" >"$tmp/.ecp/config" &&
    printf '%s\n' "$@" >"$tmp/.ecp/layers" &&
    printf 'user=%s\ncpu=%s\nmemory=%s\npriority=%s\nhealth=%s\n' "$user" "$cpu" "$mem" "$prio" "$hpath" \
      >"$tmp/.ecp/run"; }; then
    rm -rf "$tmp"; die "writing the release metadata failed"
  fi
  if [ -e "$rel/$rev" ]; then rm -rf "$rel/.$rev.old.$$"; mv "$rel/$rev" "$rel/.$rev.old.$$"; fi
  mv "$tmp" "$rel/$rev" || { rm -rf "$tmp"; die "moving release $rev into place failed"; }
  rm -rf "$rel/.$rev.old.$$"
  printf '%s\n' "$how"
  ;;

switch)
  # switch ROOT APP ENV REV: points current at releases/REV (atomic rename of a new link).
  env_dir "$1" "$2" "$3"; rev=$4
  [ -d "$E/releases/$rev" ] || { printf '%s: release %s is not installed\n' "$prog" "$rev" >&2; exit 4; }
  ln -sfn "releases/$rev" "$E/.current.tmp.$$"
  mv -Tf "$E/.current.tmp.$$" "$E/current" 2>/dev/null || {
    rm -f "$E/current"; mv -f "$E/.current.tmp.$$" "$E/current"; }
  ;;

start)
  # start ROOT APP ENV SLOT INDEX REV PORT GRACE_S: (re)starts one instance under
  # the agent's supervisor, as the revision's user within its limits (install),
  # and prints "runs as ..." when it has either, then its supervisor's pid.
  env_dir "$1" "$2" "$3"; slot=$4 index=$5 rev=$6 port=$7 grace=$8
  check_name "$slot"; check_name "$index"
  I="$E/instances/$slot-$index"
  relf="$E/releases/$rev"
  [ -d "$relf" ] || { printf '%s: release %s is not installed on this host\n' "$prog" "$rev" >&2; exit 4; }
  [ -x "$relf/bin/entrypoint.sh" ] || die "release $rev has no executable bin/entrypoint.sh"
  user=$(sed -n 's/^user=//p' "$relf/.ecp/run" 2>/dev/null) cpu=$(sed -n 's/^cpu=//p' "$relf/.ecp/run" 2>/dev/null)
  mem=$(sed -n 's/^memory=//p' "$relf/.ecp/run" 2>/dev/null)
  user=${user:--} cpu=${cpu:-0} mem=${mem:-0}
  mkdir -p "$I/logs" "$I/data" "$I/tmp" "$I/run" "$I/work"
  # A pending retire is cancelled first; one that already claimed its stop
  # (retire-wait) finishes it before this start, or it would stop the new process.
  rm -f "$I/retire"
  n=0
  while [ -e "$I/retiring" ] && [ "$n" -lt $(((grace + 10) * 10)) ]; do n=$((n + 1)); nap; done
  rm -f "$I/retiring"
  sh "$0" stop "$root" "$app" "$env" "$slot" "$index" "$grace" >/dev/null
  # The instance's own app folder: links to the release, its own conf/ (the
  # templates render there, per instance) and its own data/.
  rm -rf "$I/app.new"
  mkdir "$I/app.new"
  for f in "$relf"/*; do
    [ -e "$f" ] || [ -L "$f" ] || continue
    n=${f##*/}
    case $n in
      conf) cp -R "$f" "$I/app.new/conf" ;;
      data) ln -s ../data "$I/app.new/data" ;;
      *) ln -s "$f" "$I/app.new/$n" ;;
    esac
  done
  [ -d "$I/app.new/conf" ] || mkdir "$I/app.new/conf"
  [ -e "$I/app.new/data" ] || ln -s ../data "$I/app.new/data"
  # The release's configuration goes after the image's own defaults: the last
  # line for a key wins in autoconfig.sh.
  { printf '\n# ecp release %s (%s)\n' "$rev" "$(cat "$relf/.ecp/config" 2>/dev/null)"
    cat "$relf/.ecp/config.properties"; } >>"$I/app.new/conf/autoconfig.properties"
  # conf/ holds the rendered values, secrets included, and what autoconfig.sh
  # renders from them: its owner's alone (issue 13 §2).
  if ! { chmod 700 "$I/app.new/conf" && chmod 600 "$I/app.new/conf/autoconfig.properties"; }; then
    die "cannot make $I/app.new/conf private"
  fi
  rm -rf "$I/app"
  mv "$I/app.new" "$I/app"
  run_as "$user"
  cgroup_for "$app.$env.$slot-$index" "$cpu" "$mem"
  if [ -n "$ru" ]; then
    # What the instance writes is its user's: logs, data, tmp, run, work, conf.
    chown -R "$ru:$rg" "$I/logs" "$I/data" "$I/tmp" "$I/run" "$I/work" "$I/app/conf" ||
      die "cannot give $slot-$index's folders to $ru:$rg"
  fi
  printf 'revision=%s\nport=%s\nuid=%s\ngid=%s\ngroups=%s\ncgroups=%s\n' "$rev" "$port" "$ru" "$rg" "$rgroups" \
    "$cgs" | write_atomic "$I/spec"
  printf 'state=starting\nsince=%s\nrestarts=0\n' "$(date +%s)" | write_atomic "$I/state"
  rm -f "$I/supervisor.pid" "$I/app.pid"
  # Its own session: the ssh connection (or ecp) ending never signals it.
  if command -v setsid >/dev/null 2>&1; then
    ECP_INSTANCE_DIR="$I" setsid sh "$0" supervise "$I" </dev/null >>"$I/logs/supervisor.log" 2>&1 &
  else
    ECP_INSTANCE_DIR="$I" nohup sh "$0" supervise "$I" </dev/null >>"$I/logs/supervisor.log" 2>&1 &
  fi
  n=0
  while [ ! -s "$I/supervisor.pid" ]; do
    n=$((n + 1)); [ "$n" -lt 100 ] || die "the supervisor of $slot-$index did not start"
    nap
  done
  [ -n "$rname" ] || rname="the agent's user"
  [ "$user$cpu$mem" = -00 ] || printf 'runs as %s, limited by %s\n' "$rname" "$how"
  cat "$I/supervisor.pid"
  ;;

supervise)
  # supervise DIR: runs the instance, restarts it when it exits (backoff 1 s
  # doubling to 30 s, reset after 30 s of running), stops it on SIGTERM.
  I=$1
  set +e  # the supervisor keeps going whatever fails (a full disk, a bad app)
  # Into the instance's cgroups first: the app inherits them.
  for g in $(sed -n 's/^cgroups=//p' "$I/spec" | tr ',' ' '); do
    echo $$ >"$g/cgroup.procs" || echo "$prog: could not join the cgroup $g: the instance runs without its limits" >&2
  done
  echo $$ >"$I/supervisor.pid.tmp" && mv -f "$I/supervisor.pid.tmp" "$I/supervisor.pid"
  port=$(sed -n 's/^port=//p' "$I/spec")
  ru=$(sed -n 's/^uid=//p' "$I/spec") rg=$(sed -n 's/^gid=//p' "$I/spec")
  rgroups=$(sed -n 's/^groups=//p' "$I/spec")
  rev=$(sed -n 's/^revision=//p' "$I/spec")
  envdir=$(dirname "$(dirname "$I")")
  stopping=0 child='' sleeper='' restarts=0 backoff=1
  trap 'stopping=1; [ -z "$child" ] || kill -TERM "$child" 2>/dev/null; [ -z "$sleeper" ] || kill "$sleeper" 2>/dev/null' TERM INT HUP
  rotate() {
    f="$I/logs/app.log"
    [ -f "$f" ] || return 0
    size=$(wc -c <"$f" 2>/dev/null || echo 0)
    [ "$size" -gt 10485760 ] || return 0
    mv -f "$f.2" "$f.3" 2>/dev/null || true
    mv -f "$f.1" "$f.2" 2>/dev/null || true
    cp "$f" "$f.1" && : >"$f"   # copy and truncate: the app keeps its O_APPEND descriptor
  }
  ( while kill -0 "$$" 2>/dev/null; do sleep 5; rotate; done ) </dev/null >/dev/null 2>&1 &
  state() {
    printf 'state=%s\nsince=%s\nrestarts=%s\nexit=%s\n' "$1" "$2" "$restarts" "${3:-}" | write_atomic "$I/state"
  }
  while [ "$stopping" = 0 ]; do
    [ -f "$I/spec" ] || break  # the instance was removed under us: nothing left to run
    rotate
    # A clean environment: only these pass through, so the deploying user's
    # variables never change the app (autoconfig.sh lets the environment win).
    set --
    for v in PATH HOME USER LOGNAME LANG LC_ALL TZ JAVA_HOME CATALINA_HOME; do
      if eval "[ -n \"\${$v+x}\" ]"; then eval "set -- \"\$@\" \"$v=\${$v}\""; fi
    done
    started=$(date +%s)
    # run.user: the app (not the supervisor) becomes that user.
    if [ -n "$ru" ]; then set -- setpriv --reuid="$ru" --regid="$rg" --"$rgroups"-groups env -i "$@"
    else set -- env -i "$@"; fi
    "$@" LISTEN_PORT="$port" ECP_APP_DIR="$I/app" ECP_INSTANCE_DIR="$I" ECP_REVISION="$rev" \
      ECP_APP="$(basename "$(dirname "$envdir")")" ECP_ENV="$(basename "$envdir")" \
      ECP_INSTANCE="$(basename "$I")" TMPDIR="$I/tmp" CATALINA_TMPDIR="$I/tmp" NGINX_RUN_DIR="$I/run" \
      TOMCAT_WORK_DIR="$I/work" "$I/app/bin/entrypoint.sh" </dev/null >>"$I/logs/app.log" 2>&1 &
    child=$!
    echo "$child" >"$I/app.pid"
    state running "$started"
    rc=0
    wait "$child" || rc=$?
    if [ "$stopping" = 1 ]; then wait "$child" 2>/dev/null || true; break; fi
    restarts=$((restarts + 1))
    now=$(date +%s)
    [ $((now - started)) -lt 30 ] || backoff=1
    state crashed "$now" "$rc"
    printf '%s: exited with status %s; restarting in %s s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$rc" "$backoff" \
      >>"$I/logs/app.log"
    sleep "$backoff" &
    sleeper=$!
    wait "$sleeper" 2>/dev/null || true
    sleeper=''
    backoff=$((backoff * 2)); [ "$backoff" -le 30 ] || backoff=30
  done
  rm -f "$I/app.pid" "$I/supervisor.pid"
  state stopped "$(date +%s)"
  ;;

stop)
  # stop ROOT APP ENV SLOT INDEX GRACE_S: SIGTERM, SIGKILL after GRACE_S seconds.
  env_dir "$1" "$2" "$3"; slot=$4 index=$5 grace=$6
  check_name "$slot"; check_name "$index"
  I="$E/instances/$slot-$index"
  [ -d "$I" ] || exit 0
  sp=$(cat "$I/supervisor.pid" 2>/dev/null || true)
  ap=$(cat "$I/app.pid" 2>/dev/null || true)
  is_ours "$sp" "$I" || sp=''
  is_ours "$ap" "$I" || ap=''
  [ -n "$sp" ] || [ -n "$ap" ] || { rm -f "$I/supervisor.pid" "$I/app.pid"; exit 0; }
  if [ -n "$sp" ]; then kill -TERM "$sp" 2>/dev/null || true; else kill -TERM "$ap" 2>/dev/null || true; fi
  n=0
  while alive "$sp" || alive "$ap"; do
    n=$((n + 1))
    if [ "$n" -gt $((grace * 10)) ]; then
      [ -z "$ap" ] || kill -KILL "$ap" 2>/dev/null || true
      [ -z "$sp" ] || kill -KILL "$sp" 2>/dev/null || true
      [ "$n" -lt $((grace * 10 + 50)) ] || die "instance $slot-$index does not stop"
    fi
    nap
  done
  rm -f "$I/supervisor.pid" "$I/app.pid"
  [ -f "$I/state" ] && ! grep -q '^state=stopped' "$I/state" &&
    printf 'state=stopped\nsince=%s\nrestarts=0\n' "$(date +%s)" | write_atomic "$I/state"
  exit 0
  ;;

status)
  # status ROOT APP ENV: one tab-separated line per instance, then "current REV".
  # An instance's line ends with the image and config digests its release was
  # installed with (ecp status --drift compares them with the ledger).
  env_dir "$1" "$2" "$3"
  for I in "$E"/instances/*; do
    [ -f "$I/spec" ] || continue
    n=${I##*/}
    rev=$(sed -n 's/^revision=//p' "$I/spec") port=$(sed -n 's/^port=//p' "$I/spec")
    st=$(sed -n 's/^state=//p' "$I/state" 2>/dev/null || true)
    since=$(sed -n 's/^since=//p' "$I/state" 2>/dev/null || true)
    restarts=$(sed -n 's/^restarts=//p' "$I/state" 2>/dev/null || true)
    sp=$(cat "$I/supervisor.pid" 2>/dev/null || true)
    ap=$(cat "$I/app.pid" 2>/dev/null || true)
    if is_ours "$sp" "$I"; then
      is_ours "$ap" "$I" || ap=''
    else
      ap=''
      case $st in stopped | degraded) ;; *) st=crashed ;; esac
    fi
    at=$(sed -n 's/^at=//p' "$I/retire" 2>/dev/null || true)
    img=$(head -n 1 "$E/releases/$rev/.ecp/image" 2>/dev/null || true)
    cfg=$(head -n 1 "$E/releases/$rev/.ecp/config" 2>/dev/null || true)
    printf 'instance\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${n%-*}" "${n##*-}" "$rev" "$port" "${ap:-0}" \
      "${st:-unknown}" "${since:-0}" "${restarts:-0}" "${at:-0}" "$img" "$cfg"
  done
  cur=$(readlink "$E/current" 2>/dev/null || true)
  printf 'current\t%s\n' "${cur##*/}"
  ;;

prune)
  # prune ROOT APP ENV KEEP...: removes releases not kept and not run by an
  # instance, then blobs no release on this host lists (older than an hour, so
  # a blob another release is being installed from stays).
  env_dir "$1" "$2" "$3"; shift 3
  keep=" $* "
  for I in "$E"/instances/*; do
    [ -f "$I/spec" ] || continue
    keep="$keep$(sed -n 's/^revision=//p' "$I/spec") "
  done
  cur=$(readlink "$E/current" 2>/dev/null || true)
  keep="$keep${cur##*/} "
  for r in $(releases "$E/releases"); do
    case $keep in *" $r "*) ;; *) rm -rf "$E/releases/$r"; printf 'removed %s\n' "$r" ;; esac
  done
  used=$(cat "$root"/*/*/releases/*/.ecp/layers 2>/dev/null | tr ':' '\n' | sort -u)
  find "$root/.ecp/blobs/sha256" "$root/.ecp/tars/sha256" -type f -mmin +60 2>/dev/null | while IFS= read -r b; do
    h=${b##*/}
    printf '%s\n' "$used" | grep -qx "$h" || rm -f "$b"
  done
  ;;

purge)
  # purge ROOT APP ENV: removes what this (app, env) installed here - releases,
  # instances, the current link, its gateway (stopped) - but not state/ (the
  # ledger and the lock, which ecp empties key by key). `ecp remove --purge`
  # stopped the instances first.
  env_dir "$1" "$2" "$3"
  [ -d "$E" ] || exit 0
  if [ -d "$E/gateway" ]; then
    p=$(gw_master "$E/gateway")
    [ -z "$p" ] || kill "$p" 2>/dev/null || true
  fi
  for d in "$E"/*; do
    case ${d##*/} in state | '*') ;; *) rm -rf "$d" ;; esac
  done
  ;;

logs)
  # logs ROOT APP ENV SLOT INDEX LINES FOLLOW(0|1)
  env_dir "$1" "$2" "$3"; slot=$4 index=$5 lines=$6 follow=$7
  check_name "$slot"; check_name "$index"
  f="$E/instances/$slot-$index/logs/app.log"
  [ -f "$f" ] || { printf '%s: no log for %s-%s\n' "$prog" "$slot" "$index" >&2; exit 4; }
  if [ "$follow" = 1 ]; then
    # GNU tail ends by itself once whoever asked (ssh's session, or ecp) is gone.
    if tail --version 2>/dev/null | grep -q GNU; then exec tail -n "$lines" -F --pid="$PPID" "$f" 2>/dev/null; fi
    exec tail -n "$lines" -F "$f" 2>/dev/null
  fi
  exec tail -n "$lines" "$f"
  ;;

top)
  # top ROOT MS [APP ENV]: this host's CPU (busy share of all CPUs over MS
  # milliseconds), memory and load, then each instance's CPU (share of one CPU,
  # for its app process and everything that process started) and resident
  # memory: two samples of /proc, MS apart, and nothing left running after.
  # Without APP ENV, the instances of every (app, env) under ROOT. Lines:
  #   host CPU% NCPU MEM_TOTAL_KB MEM_AVAILABLE_KB LOAD1
  #   instance APP ENV SLOT INDEX PID CPU% RSS_KB RESTARTS SINCE STATE
  root=$1 ms=$2
  case $ms in '' | *[!0-9]*) die "'$ms' is not an interval" ;; esac
  [ -r /proc/stat ] || die "this host has no /proc to read its figures from"
  if [ $# -ge 4 ]; then env_dir "$1" "$3" "$4"; set -- "$E"/instances/*; else set -- "$root"/*/*/instances/*; fi
  list=''
  for I in "$@"; do
    [ -f "$I/spec" ] || continue
    st=$(sed -n 's/^state=//p' "$I/state" 2>/dev/null || true)
    [ "$st" != stopped ] || continue
    e=${I%/instances/*} n=${I##*/}
    ea=${e%/*}
    since=$(sed -n 's/^since=//p' "$I/state" 2>/dev/null || true)
    restarts=$(sed -n 's/^restarts=//p' "$I/state" 2>/dev/null || true)
    sp=$(cat "$I/supervisor.pid" 2>/dev/null || true) ap=$(cat "$I/app.pid" 2>/dev/null || true)
    if is_ours "$sp" "$I"; then is_ours "$ap" "$I" || ap=''; elif [ "$st" != degraded ]; then ap='' st=crashed; fi
    list="${list}i ${ea##*/} ${e##*/} ${n%-*} ${n##*-} ${ap:-0} ${restarts:-0} ${since:-0} ${st:-unknown}
"
  done
  # A process names itself (even with a newline): the sections are told apart
  # by a marker no process can guess, the CPU lines count only before the
  # first process line, and a process line must start "PID (".
  tok=$(od -An -N8 -tx1 /dev/urandom 2>/dev/null | tr -d ' \n')
  tok="@${tok:-$$}"
  sample() { cat /proc/stat; echo "$tok"p; cat /proc/[0-9]*/stat 2>/dev/null || true; }
  s1=$(sample)
  sleep "$(awk -v m="$ms" 'BEGIN { printf "%.3f", m / 1000 }')" 2>/dev/null || sleep 1
  s2=$(sample)
  page=$(getconf PAGESIZE 2>/dev/null || echo 4096)
  { printf '%s' "$list"; echo "$tok"1; printf '%s\n' "$s1"; echo "$tok"2; printf '%s\n' "$s2"
    echo "$tok"m; cat /proc/meminfo 2>/dev/null || true; echo "$tok"l; cat /proc/loadavg 2>/dev/null || true; } |
    awk -v page="${page:-4096}" -v tok="$tok" '
      $1 == tok "1" { part = 1; procs = 0; next }
      $1 == tok "2" { part = 2; procs = 0; next }
      $1 == tok "m" { part = 3; next }
      $1 == tok "l" { part = 4; next }
      $1 == tok "p" { procs = 1; next }
      part == 0 && $1 == "i" { n++; line[n] = $2 "\t" $3 "\t" $4 "\t" $5; pid[n] = $6; rest[n] = $7 "\t" $8 "\t" $9; next }
      (part == 1 || part == 2) && !procs {
        if ($1 == "cpu") { t = 0; for (k = 2; k <= 9 && k <= NF; k++) t += $k; tot[part] = t; idle[part] = $5 + $6; next }
        if ($1 ~ /^cpu[0-9]/ && part == 1) ncpu++
        next
      }
      part == 1 || part == 2 {
        if ($0 !~ /^[0-9]+ \(/) next
        p = $1; s = $0; sub(/^.*\) /, "", s); split(s, f, " ")
        ticks[part, p] = f[12] + f[13]
        if (part == 2) { parent[p] = f[2]; rss[p] = f[22]; pids[++np] = p }
        next
      }
      part == 3 && $1 == "MemTotal:" { mt = $2 }
      part == 3 && $1 == "MemAvailable:" { ma = $2 }
      part == 4 && load == "" { load = $1 }
      END {
        dt = tot[2] - tot[1]
        cpu = dt > 0 ? 100 * (1 - (idle[2] - idle[1]) / dt) : 0
        if (ncpu < 1) ncpu = 1
        printf "host\t%.1f\t%d\t%s\t%s\t%s\n", cpu, ncpu, mt == "" ? "-1" : mt, ma == "" ? "-1" : ma, load == "" ? "-1" : load
        for (i = 1; i <= n; i++) {
          used = 0; mem = 0
          for (j = 1; pid[i] > 0 && j <= np; j++) {
            q = pids[j]; d = 0
            while (q > 1 && q != pid[i] && d++ < 64) q = parent[q]
            if (q != pid[i]) continue
            used += ticks[2, pids[j]] - ticks[1, pids[j]]; mem += rss[pids[j]]
          }
          c = dt > 0 ? 100 * used * ncpu / dt : 0
          printf "instance\t%s\t%d\t%.1f\t%d\t%s\n", line[i], pid[i], c, mem * page / 1024, rest[i]
        }
      }'
  ;;

hosted)
  # hosted ROOT: one line per (app, env) under ROOT with a release that serves:
  # "APP ENV PRIORITY HEALTH_PATH DEGRADED" (PRIORITY and HEALTH_PATH those of the
  # current release, "normal" and "-" for one installed before ecp kept them;
  # DEGRADED 1 while ecp degrade has it paused).
  root=$1
  case $root in /*) ;; *) die "'$root' is not an absolute folder" ;; esac
  for E in "$root"/*/*; do
    [ -L "$E/current" ] || continue
    e=${E##*/} a=${E%/*}
    run="$E/current/.ecp/run"
    prio=$(sed -n 's/^priority=//p' "$run" 2>/dev/null) hpath=$(sed -n 's/^health=//p' "$run" 2>/dev/null)
    d=0; [ ! -f "$E/degraded" ] || d=1
    printf '%s %s %s %s %s\n' "${a##*/}" "$e" "${prio:-normal}" "${hpath:--}" "$d"
  done
  ;;

degrade)
  # degrade ROOT APP ENV < NOTE: pauses the environment for ecp degrade. NOTE
  # (who, when, why) goes to ENV/degraded and, as a page, to the gateway's
  # degraded.html: while that file exists the gateway answers 503 with it. Then
  # every instance that runs stops, its state "degraded": resume (at boot)
  # leaves it down, ecp restore starts it. One line "degraded SLOT-INDEX" each.
  # An instance waiting to retire (a blue-green slot in its keep window) stops
  # for good instead: it was on its way out. A host with nothing of the
  # environment has nothing to pause.
  env_dir "$1" "$2" "$3"
  [ -d "$E" ] || exit 0
  note=$(cat)
  printf '%s\n' "$note" | write_atomic "$E/degraded"
  if [ -d "$E/gateway" ]; then
    { printf '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>%s: paused</title></head><body>\n' "$app"
      printf '<h1>%s is paused</h1>\n<p>It makes room for the core services and comes back soon.</p>\n<pre>' "$app"
      printf '%s\n' "$note" | sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g'
      printf '</pre>\n</body></html>\n'; } | write_atomic "$E/gateway/degraded.html"
  fi
  for I in "$E"/instances/*; do
    [ -f "$I/spec" ] || continue
    case $(sed -n 's/^state=//p' "$I/state" 2>/dev/null) in stopped | degraded) continue ;; esac
    n=${I##*/}
    sh "$0" stop "$root" "$app" "$env" "${n%-*}" "${n##*-}" 10 >/dev/null || die "cannot stop $n"
    [ ! -f "$I/retire" ] || { rm -f "$I/retire"; continue; }
    printf 'state=degraded\nsince=%s\nrestarts=0\n' "$(date +%s)" | write_atomic "$I/state"
    printf 'degraded %s\n' "$n"
  done
  ;;

undegrade)
  # undegrade ROOT APP ENV: the end of ecp restore, once the instances it started
  # are healthy: the gateway routes again, the environment is no longer paused.
  env_dir "$1" "$2" "$3"
  [ -d "$E" ] || exit 0
  rm -f "$E/gateway/degraded.html" "$E/degraded"
  ;;

resume)
  # resume ROOT: what a host runs when it boots (boot-hook). Starts again every
  # instance under ROOT that ran when the host went down: its last state is not
  # "stopped" (ecp stop, remove and retired slots stay down) nor "degraded"
  # (ecp degrade: until ecp restore), and its supervisor
  # is gone. Then the gateways whose nginx is gone. One line per instance.
  root=$1
  case $root in /*) ;; *) die "'$root' is not an absolute folder" ;; esac
  rc=0
  for I in "$root"/*/*/instances/*; do
    [ -f "$I/spec" ] || continue
    case $(sed -n 's/^state=//p' "$I/state" 2>/dev/null) in stopped | degraded) continue ;; esac
    ! is_ours "$(cat "$I/supervisor.pid" 2>/dev/null || true)" "$I" || continue
    n=${I##*/} e=${I%/instances/*}
    rev=$(sed -n 's/^revision=//p' "$I/spec") port=$(sed -n 's/^port=//p' "$I/spec")
    if sh "$0" start "$root" "$(basename "${e%/*}")" "${e##*/}" "${n%-*}" "${n##*-}" "$rev" "$port" 10 >/dev/null; then
      printf 'resumed %s (revision %s)\n' "$I" "$rev"
    else
      printf '%s: could not resume %s\n' "$prog" "$I" >&2; rc=1
    fi
  done
  ngx=$(command -v nginx 2>/dev/null || true)
  [ -n "$ngx" ] || [ ! -x /usr/sbin/nginx ] || ngx=/usr/sbin/nginx
  for G in "$root"/*/*/gateway; do
    if [ ! -f "$G/nginx.conf" ] || [ -z "$ngx" ] || [ -n "$(gw_master "$G")" ]; then continue; fi
    if "$ngx" -p "$G/" -e "$G/logs/error.log" -c "$G/nginx.conf" >/dev/null 2>&1; then
      printf 'resumed %s\n' "$G"
    else
      printf '%s: could not resume the gateway %s\n' "$prog" "$G" >&2; rc=1
    fi
  done
  exit "$rc"
  ;;

boot-hook)
  # boot-hook ROOT: makes this host run `resume ROOT` when it boots: a systemd
  # unit where systemd runs, else an @reboot line in this user's crontab.
  # Prints "systemd", "crontab" or "none: WHY" ("none (known): WHY" when an
  # earlier call said so already, so that ecp warns once, not every release).
  root=$1
  case $root in /*) ;; *) die "'$root' is not an absolute folder" ;; esac
  mkdir -p "$root/.ecp" || die "cannot create $root/.ecp"
  known=$(cat "$root/.ecp/boot-hook" 2>/dev/null || true)
  none() {
    case $known in none*) printf 'none (known): %s\n' "$1" ;; *) printf 'none: %s\n' "$1" ;; esac
    printf 'none\n' | write_atomic "$root/.ecp/boot-hook"
    exit 0
  }
  case $root in *[!A-Za-z0-9._/-]*) none "the root $root has characters a boot hook would need quoted" ;; esac
  # A fixed path that runs whichever agent is newest (the agent's name changes with it).
  # shellcheck disable=SC2016 # $(...) is for resume.sh to expand when it runs
  printf '#!/bin/sh\nexec sh "$(ls -t %s/.ecp/agent-*.sh | head -n 1)" resume %s\n' "$root" "$root" |
    write_atomic "$root/.ecp/resume.sh"
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    unit="ecp-resume-$(printf '%s' "$root" | sha256_stdin | cut -c1-12).service"
    if [ ! -f "/etc/systemd/system/$unit" ]; then
      printf '[Unit]\nDescription=ecp: resume the instances under %s\nAfter=network-online.target\n\n[Service]\nType=oneshot\nExecStart=/bin/sh %s/.ecp/resume.sh\n\n[Install]\nWantedBy=multi-user.target\n' \
        "$root" "$root" 2>/dev/null >"/etc/systemd/system/$unit" || none "cannot write /etc/systemd/system/$unit"
      systemctl enable "$unit" >/dev/null 2>&1 || { rm -f "/etc/systemd/system/$unit"; none "systemctl cannot enable $unit"; }
    fi
    how="systemd"
  elif command -v crontab >/dev/null 2>&1; then
    line="@reboot sh $root/.ecp/resume.sh"
    # crontab's read-modify-write, serialised (two releases to one host at once).
    lock=$root/.ecp/crontab.lock
    # A crontab that cannot be read (other than "no crontab") is left alone:
    # rewriting it from nothing would lose the user's lines.
    if ! cur=$(crontab -l 2>&1); then
      case $cur in *"no crontab"*) cur='' ;; *) none "crontab -l failed: $cur" ;; esac
    fi
    if ! printf '%s\n' "$cur" | grep -qxF "$line"; then
      if command -v flock >/dev/null 2>&1; then
        # shellcheck disable=SC2016 # $1 is for the inner sh
        flock "$lock" sh -c '{ crontab -l 2>/dev/null | grep -vxF "$1"; printf "%s\n" "$1"; } | crontab -' sh "$line" ||
          none "crontab refused the @reboot line"
      else
        { crontab -l 2>/dev/null | grep -vxF "$line"; printf '%s\n' "$line"; } | crontab - ||
          none "crontab refused the @reboot line"
      fi
    fi
    how="crontab"
  else
    none "neither systemd nor crontab on this host"
  fi
  printf '%s\n' "$how" | write_atomic "$root/.ecp/boot-hook"
  printf '%s\n' "$how"
  ;;

exec)
  # exec ROOT APP ENV SLOT INDEX CMD...: CMD in the instance's folder with the
  # environment its app gets (LISTEN_PORT, ECP_*, TMPDIR, ...) and as its user
  # (`ecp exec`); the agent's process becomes it, so its exit status is ecp's.
  env_dir "$1" "$2" "$3"; slot=$4 index=$5; shift 5
  check_name "$slot"; check_name "$index"
  I="$E/instances/$slot-$index"
  [ -f "$I/spec" ] || { printf '%s: no instance %s-%s of %s/%s on this host\n' "$prog" "$slot" "$index" "$app" "$env" >&2; exit 4; }
  [ "$#" -gt 0 ] || die "exec: no command"
  port=$(sed -n 's/^port=//p' "$I/spec") rev=$(sed -n 's/^revision=//p' "$I/spec")
  ru=$(sed -n 's/^uid=//p' "$I/spec") rg=$(sed -n 's/^gid=//p' "$I/spec") rgroups=$(sed -n 's/^groups=//p' "$I/spec")
  cd "$I/app" || die "cannot enter $I/app"
  set -- LISTEN_PORT="$port" ECP_APP_DIR="$I/app" ECP_INSTANCE_DIR="$I" ECP_REVISION="$rev" ECP_APP="$app" \
    ECP_ENV="$env" ECP_INSTANCE="$slot-$index" TMPDIR="$I/tmp" "$@"
  [ -z "$ru" ] || exec setpriv --reuid="$ru" --regid="$rg" --"$rgroups"-groups env "$@"
  exec env "$@"
  ;;

state-get)
  # state-get ROOT APP ENV KEY: the bytes, or exit 3 when absent.
  env_dir "$1" "$2" "$3"; key=$4
  check_key "$key"
  [ -f "$E/state/$key" ] || exit 3
  exec cat "$E/state/$key"
  ;;

state-list)
  # state-list ROOT APP ENV PREFIX: "KEY SIZE" then SIZE bytes, for each key.
  env_dir "$1" "$2" "$3"; prefix=$4
  [ -d "$E/state" ] || exit 0
  cd "$E/state"
  find . -type f ! -name '*.tmp.*' | sed 's|^\./||' | LC_ALL=C sort | while IFS= read -r k; do
    case $k in "$prefix"*) ;; *) continue ;; esac
    printf '%s %s\n' "$k" "$(wc -c <"$k" | tr -d ' ')"
    cat "$k"
  done
  ;;

state-put)
  # state-put ROOT APP ENV KEY < bytes
  env_dir "$1" "$2" "$3"; key=$4
  check_key "$key"
  state_dir
  mkdir -p "$(dirname "$E/state/$key")"
  write_atomic "$E/state/$key"
  ;;

state-cas)
  # state-cas ROOT APP ENV KEY EXPECTED_SHA256|absent put|remove < bytes:
  # compare-and-swap under a mkdir mutex (mkdir is atomic everywhere).
  env_dir "$1" "$2" "$3"; key=$4 expected=$5 op=$6
  check_key "$key"
  state_dir
  f="$E/state/$key"
  mkdir -p "$(dirname "$f")"
  m="$E/state/.mutex"
  n=0
  until mkdir "$m" 2>/dev/null; do
    n=$((n + 1))
    # A holder that died inside this short section leaves the folder: older than a minute is stale.
    if [ -n "$(find "$m" -maxdepth 0 -mmin +1 2>/dev/null)" ]; then rmdir "$m" 2>/dev/null || true; fi
    [ "$n" -lt 600 ] || die "state mutex $m is stuck"
    nap
  done
  trap 'rmdir "$m" 2>/dev/null || true' EXIT
  if [ -f "$f" ]; then cur=$(sha256 "$f"); else cur=absent; fi
  if [ "$cur" != "$expected" ]; then echo conflict; exit 3; fi
  if [ "$op" = remove ]; then rm -f "$f"; else write_atomic "$f"; fi
  echo ok
  ;;

retire)
  # retire ROOT APP ENV SLOT INDEX DELAY_S GRACE_S: stops the instance DELAY_S
  # seconds from now, in the background (the blue-green keep window). A start or
  # keep of the instance before then cancels it.
  env_dir "$1" "$2" "$3"; slot=$4 index=$5 delay=$6 grace=$7
  check_name "$slot"; check_name "$index"
  case $delay in '' | *[!0-9]*) die "'$delay' is not a number of seconds" ;; esac
  I="$E/instances/$slot-$index"
  [ -f "$I/spec" ] || exit 0
  token="$(date +%s).$$"
  printf 'token=%s\nat=%s\n' "$token" "$(($(date +%s) + delay))" | write_atomic "$I/retire"
  if command -v setsid >/dev/null 2>&1; then
    setsid sh "$0" retire-wait "$root" "$app" "$env" "$slot" "$index" "$delay" "$grace" "$token" \
      </dev/null >>"$I/logs/supervisor.log" 2>&1 &
  else
    nohup sh "$0" retire-wait "$root" "$app" "$env" "$slot" "$index" "$delay" "$grace" "$token" \
      </dev/null >>"$I/logs/supervisor.log" 2>&1 &
  fi
  ;;

retire-wait)
  # retire-wait ROOT APP ENV SLOT INDEX DELAY_S GRACE_S TOKEN (started by retire)
  env_dir "$1" "$2" "$3"; slot=$4 index=$5 delay=$6 grace=$7 token=$8
  I="$E/instances/$slot-$index"
  sleep "$delay"
  grep -qxF "token=$token" "$I/retire" 2>/dev/null || exit 0
  # The stop is claimed by a rename, atomic against keep's removal: whichever
  # comes first wins, and keep sees $I/retiring while the stop runs. A retire
  # written anew meanwhile (another token) goes back for its own waiter.
  mv "$I/retire" "$I/retiring" 2>/dev/null || exit 0
  if ! grep -qxF "token=$token" "$I/retiring"; then mv "$I/retiring" "$I/retire"; exit 0; fi
  rc=0
  sh "$0" stop "$root" "$app" "$env" "$slot" "$index" "$grace" || rc=$?
  rm -f "$I/retiring"
  exit "$rc"
  ;;

keep)
  # keep ROOT APP ENV SLOT INDEX: cancels a pending retire; prints "kept". An
  # instance whose stop retire-wait already claimed, or that no longer runs,
  # is "gone" (exit 3): the caller starts it again.
  env_dir "$1" "$2" "$3"; slot=$4 index=$5
  check_name "$slot"; check_name "$index"
  I="$E/instances/$slot-$index"
  rm -f "$I/retire"
  sp=$(cat "$I/supervisor.pid" 2>/dev/null || true)
  if [ -e "$I/retiring" ] || ! is_ours "$sp" "$I"; then echo gone; exit 3; fi
  echo kept
  ;;

gw-apply)
  # gw-apply ROOT APP ENV WEIGHTS < nginx.conf: checks the configuration with
  # `nginx -t`, makes it the gateway's (the one before stays as nginx.conf.prev),
  # then reloads nginx (or starts it) and waits until the new configuration
  # serves. A configuration nginx rejects changes nothing: exit 5, nginx's
  # words on stderr. A reload nginx does not take puts the old one back.
  env_dir "$1" "$2" "$3"; weights=$4
  G="$E/gateway"
  mkdir -p "$G/logs" "$G/tmp" || die "cannot create $G"
  ngx=$(command -v nginx 2>/dev/null || true)
  if [ -z "$ngx" ] && [ -x /usr/sbin/nginx ]; then ngx=/usr/sbin/nginx; fi
  [ -n "$ngx" ] || die "nginx is not installed on the gateway host"
  write_atomic "$G/nginx.conf.new"
  if ! out=$("$ngx" -t -q -p "$G/" -e "$G/logs/error.log" -c "$G/nginx.conf.new" 2>&1); then
    rm -f "$G/nginx.conf.new"
    printf '%s: nginx rejected the new gateway configuration, the old one still serves: %s\n' "$prog" \
      "$(printf '%s' "$out" | tr '\n' ' ')" >&2
    exit 5
  fi
  [ ! -f "$G/nginx.conf" ] || cp -f "$G/nginx.conf" "$G/nginx.conf.prev"
  mv -f "$G/nginx.conf.new" "$G/nginx.conf"
  revert() {
    if [ -f "$G/nginx.conf.prev" ]; then cp -f "$G/nginx.conf.prev" "$G/nginx.conf"; else rm -f "$G/nginx.conf"; fi
    [ -z "${pid:-}" ] || kill -HUP "$pid" 2>/dev/null || true
  }
  pid=$(gw_master "$G")
  if [ -n "$pid" ]; then
    # Past 64 MiB the access log starts anew: the reload reopens it.
    size=$(wc -c <"$G/logs/access.log" 2>/dev/null || echo 0)
    [ "$size" -lt 67108864 ] || mv -f "$G/logs/access.log" "$G/logs/access.log.1"
    old=$(gw_workers "$pid")
    kill -HUP "$pid" || die "cannot signal the gateway's nginx (pid $pid)"
    if ! gw_reloaded "$old"; then
      revert
      die "nginx did not take the new gateway configuration within 10 s; the old one serves (see $G/logs/error.log: $(tail -n 3 "$G/logs/error.log" 2>/dev/null | tr '\n' ' '))"
    fi
    at=$(now_ms)
    gw_drained "$old" || printf 'note: the old routes still serve a request after 15 s; going on\n' >&2
  else
    if ! out=$("$ngx" -p "$G/" -e "$G/logs/error.log" -c "$G/nginx.conf" 2>&1); then
      pid=''
      revert
      die "starting the gateway's nginx failed: $(printf '%s' "$out" | tr '\n' ' ')"
    fi
    n=0
    until [ -n "$(gw_master "$G")" ]; do
      n=$((n + 1)); [ "$n" -lt 100 ] || die "the gateway's nginx did not start (see $G/logs/error.log)"
      nap
    done
    at=$(now_ms)
  fi
  printf '%s\n' "$weights" | write_atomic "$G/weights"
  # When the routes took effect, by this host's clock: the canary analysis reads
  # the access log from then on, whatever the clock of the machine running ecp.
  printf 'applied %s\n' "$at"
  ;;

gw-weights)
  # gw-weights ROOT APP ENV: "SLOT=PERCENT ..." as last applied; nothing when never.
  env_dir "$1" "$2" "$3"
  [ ! -f "$E/gateway/weights" ] || cat "$E/gateway/weights"
  ;;

gw-failed)
  # gw-failed ROOT APP ENV: the gateway host's clock ("now DATE TIME", nginx's
  # format and zone), then each time nginx took a server out of rotation, from
  # the end of its error log: "out DATE TIME ADDRESS:PORT".
  env_dir "$1" "$2" "$3"
  printf 'now %s\n' "$(date '+%Y/%m/%d %H:%M:%S')"
  f="$E/gateway/logs/error.log"
  [ -f "$f" ] || exit 0
  tail -n 5000 "$f" |
    sed -n 's|^\([0-9/]* [0-9:]*\) \[[a-z]*\] .*upstream server temporarily disabled.*upstream: "http://\([^/"]*\).*|out \1 \2|p'
  ;;

gw-log)
  # gw-log ROOT APP ENV SINCE: the access log lines from SINCE (Unix seconds, with
  # a fraction) on, in the format the gateway's configuration sets.
  env_dir "$1" "$2" "$3"; since=$4
  case $since in '' | *[!0-9.]*) die "'$since' is not a time" ;; esac
  for f in "$E/gateway/logs/access.log.1" "$E/gateway/logs/access.log"; do
    [ ! -f "$f" ] || awk -F'|' -v s="$since" '$1 + 0 >= s + 0' "$f"
  done
  ;;

probe)
  # probe TIMEOUT_MS PATH ADDRESS PORT...: an HTTP GET of PATH on each port, from
  # this host, where the application port answers even when a firewall keeps it
  # from everyone else. One line per port: "PORT STATUS DETAIL", STATUS the HTTP
  # status, 0 when there was none (DETAIL says why), -1 when this host has
  # neither curl nor wget (GNU or busybox). ADDRESS first, then 127.0.0.1 when
  # ADDRESS cannot be resolved or reached here (an ssh alias, a NAT address).
  ms=$1 path=$2 addr=$3; shift 3
  case $ms in '' | *[!0-9]*) die "'$ms' is not a timeout" ;; esac
  case $path in /*) ;; *) die "'$path' is not a path" ;; esac
  quiet=-q  # busybox wget: errors still reach stderr
  if command -v curl >/dev/null 2>&1; then tool=curl
  elif command -v wget >/dev/null 2>&1; then
    tool=wget
    ! wget --version >/dev/null 2>&1 || quiet=-nv  # GNU wget: -q would hide why it failed
  elif command -v busybox >/dev/null 2>&1 && busybox wget --help >/dev/null 2>&1; then tool='busybox wget'
  else tool=''
  fi
  secs=$(((ms + 999) / 1000))
  frac="$((ms / 1000)).$(printf %03d $((ms % 1000)))"
  for port in "$@"; do
    case $port in '' | *[!0-9]*) die "'$port' is not a port" ;; esac
    if [ -z "$tool" ]; then printf '%s -1 no curl or wget on this host\n' "$port"; continue; fi
    for a in "$addr" 127.0.0.1; do
      case $a in *:*) url="http://[$a]:$port$path" ;; *) url="http://$a:$port$path" ;; esac
      rc=0
      if [ "$tool" = curl ]; then
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time "$frac" --noproxy '*' -A ecp-health "$url" 2>/dev/null) || rc=$?
        detail="$url: curl exit $rc"
        retry=no; case $rc in 6 | 7) retry=yes ;; esac
      else
        # wget exits non-zero on 4xx/5xx too: the status line it prints is the answer.
        # shellcheck disable=SC2086 # "busybox wget" is two words on purpose
        out=$(env -u http_proxy -u HTTP_PROXY $tool $quiet -S -O /dev/null -T "$secs" "$url" 2>&1) || rc=$?
        code=$(printf '%s\n' "$out" | sed -n 's/.*HTTP\/[0-9.]* \([0-9][0-9][0-9]\).*/\1/p' | tail -n 1)
        detail="$url: $(printf '%s\n' "$out" | grep -v '^ ' | tail -n 1)"
        retry=no; [ -n "$code" ] || retry=yes
      fi
      case ${code:-000} in 000) code=0 ;; esac
      [ "$code" = 0 ] && [ "$retry" = yes ] && [ "$a" != 127.0.0.1 ] && continue
      break
    done
    if [ "$code" = 0 ]; then printf '%s 0 %s\n' "$port" "$detail"; else printf '%s %s HTTP %s\n' "$port" "$code" "$code"; fi
  done
  ;;

*)
  die "unknown verb '$verb'"
  ;;
esac
