#!/bin/sh
# A rollback deploys a stored configuration only when its bytes are the ones its
# record's fingerprint names (an HMAC under the target's key, checked here with
# Python's hmac). On the local target and on an SSH host (a network namespace
# with its own /srv):
#   1. revisions 1 and 2 with different configurations;
#   2. revision 1's stored exact configuration (state/private/configs/, which a
#      rollback deploys) edited on the target: `ecp rollback` and its --dry-run
#      exit 7, naming the file and both fingerprints; revision 2 still serves,
#      the same process; nothing is recorded or installed, the lock is let go;
#   3. put back, but the release folder's copy of revision 1 edited (a rollback
#      never deploys that one): the rollback succeeds and revision 3 holds the
#      recorded bytes, not the edited ones.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/host_lib.inc"

# fp FILE: the config fingerprint of FILE's bytes under the target's key.
fp() {
  python3 -c 'import hashlib, hmac, sys; print("hmac-sha256:" + hmac.new(open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read(), hashlib.sha256).hexdigest())' \
    "$root/state/private/fingerprint.key" "$1"
}
# record_field ROOT REV FIELD: a field of the ledger record REV under ROOT/state.
record_field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1/state/ledger/r00000$2.json" "$3"; }

# scenario NAME ENV_ROOT SHOWN_ROOT WHERE ADDRESS: ENV_ROOT is web/dev's folder as
# this machine sees it, SHOWN_ROOT as the target names it, WHERE the location.
scenario() {
  name=$1 root=$2 shown=$3 where=$4 address=$5
  serves() { curl -sf --max-time 5 "http://$address:$port/greeting"; }
  # 1. Two revisions, two configurations.
  set_config . GREETING one
  expect_exit 0 "$ECP" release --env dev
  set_config . GREETING two
  expect_exit 0 "$ECP" release --env dev
  expect_grep "revision 2 of web/dev succeeded" "$T/out"
  [ "$(serves)" = two ] || die "$name: revision 2 does not serve"
  pid=$(cat "$root/instances/a-0/app.pid")
  recorded=$(record_field "$root" 1 config_fingerprint)
  stored=$root/state/private/configs/${recorded#hmac-sha256:}.properties
  [ "$(fp "$stored")" = "$recorded" ] || die "$name: the stored configuration is not what the record names"
  # The ledger's own copy, by config digest, is the reference form: here, no secret, the same bytes.
  digest=$(record_field "$root" 1 config_digest)
  cmp -s "$stored" "$root/state/configs/${digest#sha256:}.properties" || die "$name: the ledger's copy differs"

  # 2. The stored configuration of revision 1 edited on the target.
  cp "$stored" "$T/recorded.properties"
  printf 'GREETING=owned\nEXTRA=1\n' >>"$stored"
  edited=$(fp "$stored")
  for dry in --dry-run ""; do
    # shellcheck disable=SC2086 # $dry is one flag or none
    expect_exit 7 "$ECP" rollback --env dev $dry
    expect_grep "the configuration of revision 1 does not match its record: $shown/state/private/configs/${recorded#hmac-sha256:}\.properties on $where holds $edited, the record says $recorded; it was changed after it was released: refusing to deploy it" "$T/err"
  done
  [ "$(serves)" = two ] || die "$name: the refused rollback changed what serves"
  [ "$(cat "$root/instances/a-0/app.pid")" = "$pid" ] || die "$name: the refused rollback restarted the app"
  [ ! -e "$root/state/ledger/r000003.json" ] || die "$name: the refused rollback was recorded"
  [ ! -e "$root/releases/3" ] || die "$name: the refused rollback installed a release"
  [ ! -e "$root/state/lock.json" ] || die "$name: the refused rollback left the lock"
  [ "$(readlink "$root/current")" = releases/2 ] || die "$name: current moved"
  [ "$(fp "$stored")" = "$edited" ] || die "$name: ecp rewrote the edited file"
  expect_exit 0 "$ECP" status --env dev
  expect_grep "^a-0 +[^ ]+ +2 +$pid +running +[0-9]+ +healthy" "$T/out"

  # 3. The recorded bytes back; the release folder's copy of revision 1 edited.
  cp "$T/recorded.properties" "$stored"
  printf 'GREETING=owned\n' >>"$root/releases/1/.ecp/config.properties"
  expect_exit 0 "$ECP" rollback --env dev
  expect_grep "revision 3 of web/dev succeeded" "$T/out"
  [ "$(serves)" = one ] || die "$name: the rollback does not serve revision 1's configuration"
  [ "$(fp "$root/releases/3/.ecp/config.properties")" = "$recorded" ] ||
    die "$name: revision 3 does not hold the recorded configuration"
  [ "$(record_field "$root" 3 config_fingerprint)" = "$recorded" ] || die "$name: revision 3 records another fingerprint"
  [ "$(record_field "$root" 3 config_digest)" = "$digest" ] || die "$name: revision 3 records another digest"
  echo "ok: $name"
}

# The local target.
port=$(free_port)
make_web_app "$T/local" "$port"
stop_at_exit "$ECP_HOME/targets/local"
cd "$T/local"
scenario local "$ECP_HOME/targets/local/web/dev" "$ECP_HOME/targets/local/web/dev" local 127.0.0.1

# An SSH host in a network namespace, its /srv its own.
ssh_client_setup
netns_host h1
port=8080
make_web_app "$T/ssh" "$port" lab
cd "$T/ssh"
set_config . LISTEN_ADDRESS 0.0.0.0
printf 'schema: 1\ntargets:\n  lab:\n    plugin: host\n    hosts: ["%s"]\n' "$url" >ecp-targets.yaml
scenario ssh "$T/hosts/h1/srv/ecp/web/dev" /srv/ecp/web/dev "$url" "$addr"
echo ok
