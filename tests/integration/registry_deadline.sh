#!/bin/sh
# cost: 22
# A registry that trickles its answers (2 bytes a second, a Python server
# below) cannot hold ecp forever: every request has an overall deadline, and
# --timeout sets it. `ecp pull --timeout 3` ends with exit 4 and a message
# naming the deadline, after retrying as it retries a lost connection, and
# writes nothing; `ecp build --timeout` gives the base image's pull the same
# deadline. (No time limit here: the test only needs the commands to end.)
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/registry/lib.sh"

cat > "$T/trickle.py" <<'PY'
# trickle.py PORT LOG: /v2/ answers at once (a registry is there); every other
# request is logged and answered 2 bytes a second, status line included.
import http.server, sys, time
PORT, LOG = int(sys.argv[1]), sys.argv[2]

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a):
        pass
    def handle_any(self):
        if self.path == "/v2/":
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")
            return
        with open(LOG, "a") as f:
            f.write("%s %s\n" % (self.command, self.path))
        body = b'{"schemaVersion":2,"layers":[' + b" " * 4000 + b"]}"
        answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\n" + \
            b"Content-Length: %d\r\n\r\n" % len(body) + body
        try:
            for i in range(0, len(answer), 2):
                self.wfile.write(answer[i:i + 2])
                self.wfile.flush()
                time.sleep(1)
        except OSError:
            pass  # ecp gave up
        self.close_connection = True
    do_GET = do_HEAD = handle_any

http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
PY
PORT=$(free_port)
LOG=$T/trickle.log
: > "$LOG"
python3 "$T/trickle.py" "$PORT" "$LOG" > "$T/trickle.out" 2>&1 &
echo $! >> "$T/pids"
wait_answer "http://127.0.0.1:$PORT/v2/" || { cat "$T/trickle.out"; skip "the trickling registry did not start"; }
S=127.0.0.1:$PORT

# 1. ecp pull: each try ends at the 3 s deadline; two tries (--retries 2), then exit 4.
expect_exit 4 "$ECP" pull --timeout 3 --retries 2 "$S/slow:v1"
expect_grep "^ecp: error: registry $S, repository slow: GET manifest v1: no complete answer within the deadline of 3 s \(--timeout\) \(gave up after 2 attempts\)$" "$T/err"
[ "$(grep -c '^GET /v2/slow/manifests/v1$' "$LOG")" = 2 ] || { cat "$LOG"; die "expected the manifest GET tried twice"; }
[ -z "$(ls "$ECP_HOME/store/blobs/sha256" 2>/dev/null)" ] || die "a pull that timed out wrote blobs"
"$ECP" -o json images > "$T/images"
expect_no_grep "slow" "$T/images"

# 2. The flag takes durations too, and refuses what is no deadline (exit 2).
expect_exit 4 "$ECP" pull --timeout 1500ms --retries 1 "$S/slow:v1"
expect_grep "deadline of 1\.5 s \(--timeout\) \(gave up after 1 attempt\)" "$T/err"
expect_exit 2 "$ECP" pull --timeout 0 "$S/slow:v1"
expect_grep "--timeout '0': must be more than 0" "$T/err"
expect_exit 2 "$ECP" pull --timeout soon "$S/slow:v1"
expect_grep "--timeout 'soon'" "$T/err"

# 3. ecp build pulls its registry base with the same deadline (every try of it).
mkdir -p "$T/app/app/lib" "$T/app/app/bin" "$T/app/app/conf" "$T/app/app/data"
printf 'app: based\ntype: jar\nbuild:\n  base: %s/slow:v1\n' "$S" > "$T/app/ecp.yaml"
head -c 4096 /dev/urandom > "$T/app/app/lib/application.jar"
printf '#!/bin/sh\nexec java -jar /app/lib/application.jar\n' > "$T/app/app/bin/entrypoint.sh"
printf '#!/bin/sh\n: autoconfig\n' > "$T/app/app/bin/autoconfig.sh"
chmod +x "$T/app/app/bin/"*.sh
printf 'PORT=8080\n' > "$T/app/app/conf/autoconfig.properties"
: > "$LOG"
expect_exit 4 "$ECP" -C "$T/app" build --timeout 1
expect_grep "registry $S, repository slow: GET manifest v1: no complete answer within the deadline of 1 s \(--timeout\)" "$T/err"
[ "$(grep -c '^GET /v2/slow/manifests/v1$' "$LOG")" -ge 2 ] || { cat "$LOG"; die "the base pull was not retried"; }
echo "deadlines: a trickling registry ends in exit 4 naming the deadline, for pull and for build's base"
