#!/bin/sh
# cost: 15
# run.user and run.resources on a host target (the local target: the same agent
# as over SSH): the app runs as nobody (its process's uid, not the supervisor's),
# in a cgroup of ecp's own whose memory and cpu limits are the descriptor's, and
# ecp says which mechanism it used; the folders it writes are nobody's. A user
# the host does not have fails the release, which is rolled back (exit 6).
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
command -v setpriv >/dev/null 2>&1 || skip "setpriv is not installed (util-linux)"

port=$(free_port)
make_web_app "$T/web" "$port"
cd "$T/web"
python3 - ecp.yaml <<'PY'
import sys
p = sys.argv[1]
t = open(p).read().replace("run:\n", "run:\n  user: nobody\n  resources: {cpu: 500m, memory: 64Mi}\n", 1)
open(p, "w").write(t)
PY
stop_at_exit "$ECP_HOME/targets/local"
# nobody must reach the release under the target's root, as under /srv/ecp on a host.
mkdir -p "$ECP_HOME" && chmod 755 "$T" "$ECP_HOME"
expect_exit 0 "$ECP" validate
expect_exit 0 "$ECP" release --env dev
expect_grep "a-0@local runs as nobody, limited by cgroup v[12] \(" "$T/err"
[ "$(curl -sf "http://127.0.0.1:$port/greeting")" = hello ] || die "the app does not serve"
I=$ECP_HOME/targets/local/web/dev/instances/a-0
app=$(cat "$I/app.pid")
sup=$(cat "$I/supervisor.pid")
# The app's process tree runs as nobody; the supervisor stays the agent's user.
uid_of() { awk '/^Uid:/ { print $2 }' "/proc/$1/status"; }
nobody=$(id -u nobody)
# The app's pid is setpriv's, which execs env, which execs the entrypoint.
[ "$(uid_of "$app")" = "$nobody" ] || die "the app runs as uid $(uid_of "$app"), not nobody ($nobody)"
[ "$(uid_of "$sup")" = "$(id -u)" ] || die "the supervisor changed its user"
[ "$(stat -c %u "$I/data")" = "$nobody" ] || die "data/ is not nobody's"
[ "$(stat -c %u "$I/app/conf")" = "$nobody" ] || die "conf/ is not nobody's"
# The limits, read back from the cgroup the app is in.
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  g=/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$app/cgroup")
  [ "$(cat "$g/memory.max")" = 67108864 ] || die "memory.max of $g: $(cat "$g/memory.max")"
  [ "$(cat "$g/cpu.max")" = "50000 100000" ] || die "cpu.max of $g: $(cat "$g/cpu.max")"
else
  gm=/sys/fs/cgroup/memory$(sed -n 's/^[0-9]*:memory://p' "/proc/$app/cgroup")
  gc=/sys/fs/cgroup/cpu$(sed -n 's/^[0-9]*:cpu\(,cpuacct\)*://p' "/proc/$app/cgroup")
  case $gm in */ecp/web.dev.a-0) ;; *) die "the app is not in ecp's memory cgroup: $gm" ;; esac
  [ "$(cat "$gm/memory.limit_in_bytes")" = 67108864 ] || die "memory limit of $gm: $(cat "$gm/memory.limit_in_bytes")"
  [ "$(cat "$gc/cpu.cfs_quota_us")" = 50000 ] || die "cpu quota of $gc: $(cat "$gc/cpu.cfs_quota_us")"
fi
expect_exit 0 "$ECP" status --env dev
expect_grep "^a-0 +local +1 .* running .* healthy " "$T/out"
# ecp exec runs as the instance's user too.
expect_exit 0 "$ECP" exec --env dev -- id -u
[ "$(cat "$T/out")" = "$nobody" ] || die "exec ran as uid $(cat "$T/out"), not nobody"

# A user this host does not have: the start fails, the release is rolled back.
sed -i 's/user: nobody/user: no-such-user-here/' ecp.yaml
set_config . GREETING two
expect_exit 6 "$ECP" release --env dev
expect_grep "run.user 'no-such-user-here': no such user on this host" "$T/err"
[ "$(curl -sf "http://127.0.0.1:$port/greeting")" = hello ] || die "revision 1 does not serve after the rollback"
echo ok
