#!/bin/sh
# An SSH host for real (sshd on 127.0.0.1): ecp installs its agent there, sends
# the layers the host lacks (verified by digest on the host), runs the app under
# the agent's supervisor, checks its health over HTTP, and keeps the ledger and
# the lock on the host. Every ecp command costs one SSH login (ControlMaster).
# A second release sends only the layer that changed; a configuration change and
# a rollback send nothing. The target root has blanks and quotes in it.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/release_lib.inc"
. "$ECP_SOURCE_DIR/tests/integration/host_lib.inc"

ssh_client_setup
loopback_host h1
port=$(free_port)
make_web_app "$T/web" "$port" lab 2
root="$T/remote root/it's here"
stop_at_exit "$root"
cd "$T/web"
python3 - "$url" "$root" >ecp-targets.yaml <<'PY'
import json, sys
print("schema: 1\ntargets:\n  lab:\n    plugin: host\n    hosts: [%s]\n    root: %s" % (json.dumps(sys.argv[1]), json.dumps(sys.argv[2])))
PY
logins() { grep -c "Accepted publickey" "$T/hosts/h1/sshd.log" || true; }

# 1. The first release: the agent and every layer go over.
before=$(logins)
expect_exit 0 "$ECP" release --env dev
expect_grep "$url: revision 1 ready \(2 layer\(s\) sent" "$T/err"
[ "$(logins)" = $((before + 1)) ] || die "one release made $(($(logins) - before)) ssh logins, expected 1"
for p in $port $((port + 1)); do
  [ "$(curl -sf "http://127.0.0.1:$p/greeting")" = hello ] || die "port $p does not answer over the ssh host"
done
ls "$root"/.ecp/agent-*.sh >/dev/null || die "the agent is not installed on the host"
[ "$(ls "$root/.ecp/blobs/sha256" | wc -l)" = 2 ] || die "the host does not hold the 2 layers"
[ -f "$root/web/dev/state/ledger/r000001.json" ] || die "the ledger is not on the host"
[ "$(readlink "$root/web/dev/current")" = releases/1 ] || die "current is not switched on the host"

# 2. Views over ssh.
expect_exit 0 "$ECP" status --env dev
expect_grep "^a-0 +ssh://root@127.0.0.1:[0-9]+ +1 +[0-9]+ running +[0-9]+ +healthy" "$T/out"
expect_grep "^a-1 +ssh://root@127.0.0.1:[0-9]+ +1 " "$T/out"
expect_exit 0 "$ECP" logs --env dev
expect_grep "^\[a-1@ssh://root@127.0.0.1:[0-9]+\] web serving revision 1 on $((port + 1))" "$T/out"
# exec over ssh: the host's instance folder and environment, the words as given.
expect_exit 0 "$ECP" exec --env dev --instance a-1 -- sh -c 'printf "%s %s|" "$LISTEN_PORT" "$(pwd)"; printf "%s|" "$@"' \
  sh "two words" "it's \$HOME"
[ "$(cat "$T/out")" = "$((port + 1)) $root/web/dev/instances/a-1/app|two words|it's \$HOME|" ] ||
  die "exec over ssh: $(cat "$T/out")"
expect_exit 4 "$ECP" exec --env dev -- sh -c 'exit 4'

# 3. Only the changed layer travels; a configuration change sends nothing.
printf '<h1>web v2</h1>\n' >app/html/index.html
expect_exit 0 "$ECP" release --env dev
expect_grep "revision 2 ready \(1 layer\(s\) sent" "$T/err"
[ "$(curl -sf "http://127.0.0.1:$port/")" = "<h1>web v2</h1>" ] || die "v2 does not answer"
set_config . GREETING changed
expect_exit 0 "$ECP" deploy --env dev
expect_grep "revision 3 ready \(same image as revision 2: no transfer\)" "$T/err"

# 4. A layer damaged on the way is refused by its digest on the host.
hex=$(ls "$root/.ecp/blobs/sha256" | head -n 1)
printf 'garbage' >"$T/garbage"
agent=$(ls "$root"/.ecp/agent-*.sh)
remote=$(python3 -c 'import shlex, sys; print(" ".join(shlex.quote(a) for a in sys.argv[1:]))' \
  sh "$agent" blob-put "$T/fake" "$hex" 7)
if ssh -F "$T/ssh_config" -p "${url##*:}" root@127.0.0.1 "$remote" <"$T/garbage" 2>"$T/err"; then
  die "the host accepted a blob whose bytes do not match its digest"
fi
expect_grep "arrived damaged" "$T/err"

# 5. Rollback over ssh: no transfer, the old image and configuration.
expect_exit 0 "$ECP" rollback --env dev --to 1
expect_grep "revision 4 ready \(same image as revision 1: no transfer\)" "$T/err"
[ "$(curl -sf "http://127.0.0.1:$port/")" = "<h1>web v1</h1>" ] || die "the rollback does not serve v1"
[ "$(curl -sf "http://127.0.0.1:$port/greeting")" = hello ] || die "the rollback did not restore the configuration"
expect_exit 0 "$ECP" --output json history --env dev
[ "$(json_field "$T/out" 'r["records"][0]["kind"]')" = rollback ] || die "the rollback is not in the ledger"

# 6. An unreachable host is an error naming it. (Killing the listener leaves the
#    sessions of a kept connection alive: the next command then gets a new one.)
kill "$(cat "$T/hosts/h1/sshd.pid")"
ECP_SSH_PERSIST=no expect_exit 1 "$ECP" deploy --env dev --force
expect_grep "$url" "$T/err"
echo "PASS: releases over ssh send only missing layers, one login per command"
