#!/bin/sh
# Three SSH hosts, each a network namespace with its own address and its own /srv
# (REAL-COMPONENTS.md). A rolling release goes host by host; then a host dies in
# the middle of the next rollout (its sshd, sessions and apps killed): the rollout
# stops, the hosts it touched go back to the previous revision, the untouched one
# never changed, the ledger (kept on the first host) says failed-rolled-back and
# names the dead host, and ecp exits 6. A host whose disk is full is named too.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/host_lib.inc"

ssh_client_setup
netns_host h1; u1=$url a1=$addr
netns_host h2; u2=$url a2=$addr
netns_host h3; u3=$url a3=$addr
port=8080
make_web_app "$T/web" "$port" lab 1 "{type: rolling, batch: 1}"
cd "$T/web"
set_config . LISTEN_ADDRESS 0.0.0.0
set_config . GREETING one
printf 'schema: 1\ntargets:\n  lab:\n    plugin: host\n    hosts: ["%s", "%s", "%s"]\n' "$u1" "$u2" "$u3" >ecp-targets.yaml
serves() { curl -sf --max-time 5 "http://$1:$port/greeting"; }

# 1. A rolling release across three hosts, each with its own /srv.
expect_exit 0 "$ECP" release --env dev
expect_grep "batch 1/3: a-0@$u1" "$T/err"
expect_grep "batch 3/3: a-0@$u3" "$T/err"
for a in $a1 $a2 $a3; do [ "$(serves "$a")" = one ] || die "$a does not serve 'one'"; done
for h in h1 h2 h3; do
  [ -d "$T/hosts/$h/srv/ecp/web/dev/releases/1" ] || die "$h has no release 1 under its own /srv"
done
[ -f "$T/hosts/h1/srv/ecp/web/dev/state/lock.json" ] && die "the lock was left behind"
[ -f "$T/hosts/h1/srv/ecp/web/dev/state/ledger/r000001.json" ] || die "the ledger is not on the first host"
[ -f "$T/hosts/h3/srv/ecp/web/dev/state/ledger/r000001.json" ] || die "the ledger is not copied to the other hosts"
pid3=$(cat "$T/hosts/h3/srv/ecp/web/dev/instances/a-0/app.pid")

# 2. h2 dies while the next rollout is on it. The new revision serves only once
# /srv/gate exists on its host (each host has its own /srv): h1 and h3 have it,
# h2 never does, so the rollout waits on h2 however slow the machine.
set_config . GREETING two
set_config . START_GATE /srv/gate
touch "$T/hosts/h1/srv/gate" "$T/hosts/h3/srv/gate"
"$ECP" deploy --env dev >"$T/d.out" 2>"$T/d.err" &
d=$!
wait_for_line "$T/d.err" "batch 2/3" "$d"
kill_host h2
set +e; wait "$d"; code=$?; set -e
[ "$code" = 6 ] || { cat "$T/d.err"; die "a host lost mid-rollout exited $code, expected 6"; }
expect_grep "$u2" "$T/d.err"
expect_grep "unreachable" "$T/d.err"
[ "$(serves "$a1")" = one ] || die "h1 was not rolled back"
[ "$(serves "$a3")" = one ] || die "h3 does not serve 'one'"
[ "$(cat "$T/hosts/h3/srv/ecp/web/dev/instances/a-0/app.pid")" = "$pid3" ] || die "h3 was touched"
expect_exit 0 "$ECP" --output json history --env dev
[ "$(json_field "$T/out" 'r["records"][0]["outcome"]')" = failed-rolled-back ] || die "the ledger does not say failed-rolled-back"
json_field "$T/out" 'r["records"][0]["message"]' >"$T/msg"
expect_grep "$u2" "$T/msg"
expect_exit 0 "$ECP" status --env dev
expect_grep "$u2" "$T/err"
expect_grep "^a-0 +$u1 +1 " "$T/out"
expect_grep "^a-0 +$u3 +1 " "$T/out"

set_config . START_GATE ""

# 3. A deploy with a host down is refused before anything changes.
expect_exit 1 "$ECP" deploy --env dev --force
expect_grep "cannot release: .*$u2" "$T/err"

# 4. A host whose disk is full is named in the error.
export NETNS_SRV_TMPFS=600k
netns_host h4; u4=$url
unset NETNS_SRV_TMPFS
printf '  full:\n    plugin: host\n    hosts: ["%s"]\n' "$u4" >>ecp-targets.yaml
sed -i 's/^    target: lab$/    target: full/' ecp.yaml
head -c 2000000 /dev/urandom >app/html/big.bin
expect_exit 6 "$ECP" release --env dev
expect_grep "$u4: .*the disk is full" "$T/err"
echo "PASS: rolling across 3 namespace hosts; a host lost mid-rollout is rolled back around (exit 6)"
