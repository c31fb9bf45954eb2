#!/bin/sh
# cost: 20
# Instances come back after a host reboots. A namespace host with cron gets, at
# its first release, one @reboot line in its crontab (its own crontab folder:
# host_lib.inc) that runs the agent's resume. A "reboot" kills every process of
# the host but its sshd, as a power cut would, leaving the instances' state as
# it was; running the @reboot line then starts the two instances of web on
# their revision and ports, and its gateway-less target serves again, while
# the environment that `ecp stop` stopped stays down. A host without crontab is
# warned about once, at its first release, not at every release. A host where
# systemd runs gets a unit instead, enabled once, whose ExecStart resumes them.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/host_lib.inc"
command -v crontab >/dev/null 2>&1 || skip "crontab is not installed (cron)"
[ -d /var/spool/cron/crontabs ] || skip "no /var/spool/cron/crontabs (cron)"

ssh_client_setup
netns_host h1; u1=$url a1=$addr ns1=$ns
NETNS_HIDE=crontab
netns_host h2; u2=$url
unset NETNS_HIDE
NETNS_SYSTEMD=1
netns_host h3; u3=$url a3=$addr ns3=$ns
unset NETNS_SYSTEMD
on_h1() { ssh -F "$T/ssh_config" -o BatchMode=yes "root@$a1" "$@"; }
answers() { ip netns exec "$ns1" curl -sf --max-time 5 "http://127.0.0.1:$1/greeting" >/dev/null; }
targets() { printf 'schema: 1\ntargets:\n  lab:\n    plugin: host\n    hosts: ["%s"]\n' "$1" >ecp-targets.yaml; }

make_web_app "$T/web" 8080 lab 2
make_web_app "$T/other" 8090 lab 1
sed -i 's/^app: web$/app: other/' "$T/other/ecp.yaml"
cd "$T/other" && targets "$u1"
expect_exit 0 "$ECP" release --env dev
expect_exit 0 "$ECP" stop --env dev
cd "$T/web" && targets "$u1"
expect_exit 0 "$ECP" release --env dev
! grep -q "reboot" "$T/err" || die "a host with cron was warned about reboots: $(cat "$T/err")"
set_config . GREETING two
expect_exit 0 "$ECP" release --env dev
answers 8080 && answers 8081 || die "web does not answer on h1"
! answers 8090 || die "the stopped environment answers"

# One @reboot line however many releases, and it runs the agent's resume.
on_h1 crontab -l >"$T/crontab" || die "h1 has no crontab"
[ "$(grep -c '^@reboot ' "$T/crontab")" = 1 ] || die "h1's crontab: $(cat "$T/crontab")"
boot=$(sed -n 's/^@reboot //p' "$T/crontab")
[ "$boot" = "sh /srv/ecp/.ecp/resume.sh" ] || die "the @reboot line runs '$boot'"
[ ! -s /var/spool/cron/crontabs/root ] || ! grep -q resume.sh /var/spool/cron/crontabs/root ||
  die "the boot hook went to this machine's crontab"

# The power cut: everything of h1 but its sshd dies.
sshd_pid=$(cat "$T/hosts/h1/sshd.pid")
for p in $(ip netns pids "$ns1"); do
  [ "$p" = "$sshd_pid" ] || [ "$(cat "/proc/$p/comm" 2>/dev/null)" = sshd ] || kill -9 "$p" 2>/dev/null || true
done
wait_until "web to be gone from h1" sh -c "! ip netns exec $ns1 curl -sf --max-time 2 http://127.0.0.1:8080/greeting"
! answers 8081 || die "an instance survived the power cut"

# The boot: what cron runs at @reboot.
on_h1 "$boot" >"$T/resume" 2>"$T/resume.err" || die "the boot hook failed: $(cat "$T/resume.err")"
grep -q "resumed /srv/ecp/web/dev/instances/a-0 (revision 2)" "$T/resume" || die "resume: $(cat "$T/resume")"
grep -q "resumed /srv/ecp/web/dev/instances/a-1 (revision 2)" "$T/resume" || die "resume: $(cat "$T/resume")"
! grep -q "other" "$T/resume" || die "the stopped environment was resumed: $(cat "$T/resume")"
wait_until "web to answer on h1 after the boot" sh -c "ip netns exec $ns1 curl -sf --max-time 2 http://127.0.0.1:8080/greeting"
wait_until "web's second instance to answer" sh -c "ip netns exec $ns1 curl -sf --max-time 2 http://127.0.0.1:8081/greeting"
[ "$(ip netns exec "$ns1" curl -sf "http://127.0.0.1:8080/greeting")" = two ] || die "revision 2 does not serve"
! answers 8090 || die "the stopped environment came back"
expect_exit 0 "$ECP" status --env dev
expect_grep "^a-0 +$u1 +2 .* running .* healthy " "$T/out"
expect_grep "^a-1 +$u1 +2 .* running .* healthy " "$T/out"
# A second boot hook run finds everything running and starts nothing twice.
on_h1 "$boot" >"$T/resume" 2>"$T/resume.err" || die "the second boot hook failed: $(cat "$T/resume.err")"
[ ! -s "$T/resume" ] || die "resume started what already ran: $(cat "$T/resume")"

# A host without crontab (nor systemd): warned once, at its first release.
cd "$T/web" && targets "$u2"
expect_exit 0 "$ECP" release --env dev
expect_grep "$u2: its instances will not come back after a reboot: neither systemd nor crontab on this host" "$T/err"
set_config . GREETING three
expect_exit 0 "$ECP" release --env dev
! grep -q "reboot" "$T/err" || die "the warning came again: $(cat "$T/err")"

# A host where systemd runs (as the agent sees it: /run/systemd/system and
# systemctl): a unit instead of a crontab line, enabled once, whose ExecStart
# resumes the instances after a power cut.
sys3=$T/hosts/h3/systemd
cd "$T/web" && targets "$u3"
expect_exit 0 "$ECP" release --env dev
! grep -q "reboot" "$T/err" || die "a host with systemd was warned about reboots: $(cat "$T/err")"
set_config . GREETING four
expect_exit 0 "$ECP" release --env dev
set -- "$sys3"/etc/ecp-resume-*.service
[ $# = 1 ] && [ -f "$1" ] || die "no unit, or more than one, in h3's /etc/systemd/system: $*"
unit=${1##*/}
expect_grep '^ExecStart=/bin/sh /srv/ecp/.ecp/resume.sh$' "$1"
expect_grep '^WantedBy=multi-user.target$' "$1"
[ "$(cat "$sys3/calls")" = "enable $unit" ] || die "systemctl was called: $(cat "$sys3/calls")"
on_h3() { ssh -F "$T/ssh_config" -o BatchMode=yes "root@$a3" "$@"; }
[ -z "$(on_h3 crontab -l 2>/dev/null)" ] || die "the host with systemd got a crontab line too"
sshd_pid=$(cat "$T/hosts/h3/sshd.pid")
for p in $(ip netns pids "$ns3"); do
  [ "$p" = "$sshd_pid" ] || [ "$(cat "/proc/$p/comm" 2>/dev/null)" = sshd ] || kill -9 "$p" 2>/dev/null || true
done
wait_until "web to be gone from h3" sh -c "! ip netns exec $ns3 curl -sf --max-time 2 http://127.0.0.1:8080/greeting"
boot=$(sed -n 's/^ExecStart=//p' "$1")
on_h3 "$boot" >"$T/resume" 2>"$T/resume.err" || die "the unit's ExecStart failed: $(cat "$T/resume.err")"
grep -q "resumed /srv/ecp/web/dev/instances/a-1 (revision 2)" "$T/resume" || die "resume on h3: $(cat "$T/resume")"
wait_until "web to answer on h3 after the boot" sh -c "ip netns exec $ns3 curl -sf --max-time 2 http://127.0.0.1:8081/greeting"
[ "$(ip netns exec "$ns3" curl -sf "http://127.0.0.1:8080/greeting")" = four ] || die "revision 2 does not serve on h3"
echo ok
