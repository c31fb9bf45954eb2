#!/bin/sh
# Credentials go only to the scheme, host and port they were given for. A
# hostile front (Python, below) asks for credentials in front of a real
# registry and sends ecp elsewhere: upload Locations and blob redirects to a
# second listener on another port, which records every header it gets; a
# Bearer realm on that other port; realms and Locations with file:// and
# gopher://. The registry's Authorization never reaches the other port, the
# token request carries Basic credentials only, and non-http(s) URLs are
# refused (exit 4, naming the registry) without a byte sent.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/registry/lib.sh"

cat > "$T/hostile.py" <<'PY'
# hostile.py front|side PORT UPSTREAM_PORT OTHER_PORT LOG MODE_FILE
# front: asks for Basic or Bearer credentials (MODE_FILE, read per request),
#   forwards to the registry, and sends ecp to OTHER_PORT: upload Locations
#   ("upload_to_side"), blob GETs as 307 redirects ("blob_redirect"), or a
#   Location of its choosing ("location").
# side: records each connection and each request's headers, serves /token
#   (Basic ecp:s3cret -> token "tok-ecp"), answers 401 with a challenge naming
#   its own realm when MODE_FILE says "reject", else forwards to the registry.
import base64, http.client, http.server, json, sys, threading
ROLE, PORT, UPSTREAM, OTHER, LOG, MODE = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
BASIC = "Basic " + base64.b64encode(b"ecp:s3cret").decode()
HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "content-length"}
lock = threading.Lock()

def log(entry):
    with lock, open(LOG, "a") as f:
        f.write(json.dumps(entry) + "\n")

def mode():
    with open(MODE) as f:
        return json.load(f)

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a):
        pass
    def setup(self):
        super().setup()
        if ROLE == "side":
            log({"connect": True})
    def reply(self, status, body=b"", headers=(), length=None):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", length if self.command == "HEAD" and length else str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
    def forward(self, body, host):
        up = http.client.HTTPConnection("127.0.0.1", UPSTREAM, timeout=60)
        up.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        up.putheader("Host", host)
        for k, v in self.headers.items():
            if k.lower() not in HOP and k.lower() not in ("host", "authorization"):
                up.putheader(k, v)
        up.putheader("Content-Length", str(len(body)))
        up.endheaders(body)
        resp = up.getresponse()
        headers = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP]
        return resp.status, headers, resp.read(), resp.getheader("Content-Length")
    def handle_any(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        m = mode()
        auth = self.headers.get("Authorization")
        log({"method": self.command, "path": self.path, "authorization": auth,
             "headers": sorted(k.lower() for k in self.headers.keys())})
        if self.path == "/ready":
            return self.reply(200)
        if ROLE == "side":
            if self.path.startswith("/token"):
                if auth != BASIC:
                    return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}')
                return self.reply(200, b'{"token":"tok-ecp","expires_in":300}', [("Content-Type", "application/json")])
            if m.get("reject"):
                return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"side wants credentials"}]}',
                                  [("WWW-Authenticate", 'Bearer realm="http://127.0.0.1:%d/evil-token"' % PORT)])
            status, headers, data, length = self.forward(body, "127.0.0.1:%d" % OTHER)
            return self.reply(status, data, headers, length)
        # front
        want = BASIC if m["auth"] == "basic" else "Bearer tok-ecp"
        if auth != want:
            challenge = 'Basic realm="hostile"' if m["auth"] == "basic" else \
                'Bearer realm="%s",service="hostile"' % m["realm"]
            return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"credentials"}]}',
                              [("WWW-Authenticate", challenge), ("Content-Type", "application/json")])
        if m.get("blob_redirect") and self.command == "GET" and "/blobs/sha256:" in self.path:
            return self.reply(307, b"", [("Location", "http://127.0.0.1:%d%s" % (OTHER, self.path))])
        status, headers, data, length = self.forward(body, "127.0.0.1:%d" % PORT)
        if self.command == "POST" and status == 202:
            loc = dict((k.lower(), v) for k, v in headers)["location"]
            path = loc[loc.index("/v2/"):]
            new = m.get("location") or ("http://127.0.0.1:%d%s" % (OTHER, path) if m.get("upload_to_side") else loc)
            headers = [(k, new if k.lower() == "location" else v) for k, v in headers]
        self.reply(status, data, headers, length)
    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
PY

start_registry "$T/reg"
R=127.0.0.1:$REG_PORT
FRONT_PORT=$(free_port)
SIDE_PORT=$(free_port)
F=127.0.0.1:$FRONT_PORT
SIDE=http://127.0.0.1:$SIDE_PORT
FLOG=$T/front.log
SLOG=$T/side.log
: > "$FLOG"; : > "$SLOG"
set_mode() { printf '%s\n' "$1" > "$T/mode.json"; }
set_mode '{"auth":"basic"}'
python3 "$T/hostile.py" front "$FRONT_PORT" "$REG_PORT" "$SIDE_PORT" "$FLOG" "$T/mode.json" > "$T/front.out" 2>&1 &
echo $! >> "$T/pids"
python3 "$T/hostile.py" side "$SIDE_PORT" "$REG_PORT" "$FRONT_PORT" "$SLOG" "$T/mode.json" > "$T/side.out" 2>&1 &
echo $! >> "$T/pids"
wait_answer "http://$F/ready" || { cat "$T/front.out"; skip "the hostile front did not start"; }
wait_answer "$SIDE/ready" || { cat "$T/side.out"; skip "the side listener did not start"; }
: > "$FLOG"; : > "$SLOG"

export DOCKER_CONFIG=$T/docker
mkdir -p "$DOCKER_CONFIG"
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$F" "$(printf ecp:s3cret | base64)" > "$DOCKER_CONFIG/config.json"
BASIC="Basic $(printf ecp:s3cret | base64)"

# side_requests FILTER: the side's request lines (connections left out) that match the python FILTER on `e`.
side_requests() {
  python3 -c 'import json,sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if "method" in e and e["path"] != "/ready" and eval(sys.argv[2]): print(e["method"], e["path"], e["authorization"])' \
    "$SLOG" "$1"
}
connections() { grep -c '"connect"' "$SLOG" || true; }
registry_digest() {
  curl -sI -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$R/v2/$1/manifests/$2" |
    tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p'
}

make_app "$T/app" app 512
digest=$(build_app "$T/app" v1)

# 1. Basic credentials; the upload Location names the other port. The blobs go
#    there without Authorization, the push succeeds, the registry has the image.
set_mode '{"auth":"basic","upload_to_side":true}'
expect_exit 0 "$ECP" -o json push app:v1 "$F/app:v1"
side_requests 'e["method"] == "PUT"' > "$T/side.put"
[ -s "$T/side.put" ] || { cat "$SLOG"; die "no upload reached the other port: the test proves nothing"; }
[ -z "$(side_requests 'e["authorization"]')" ] || { cat "$SLOG"; die "the other port got an Authorization header"; }
expect_grep "\"method\": \"POST\", \"path\": \"/v2/app/blobs/uploads/\", \"authorization\": \"$BASIC\"" "$FLOG"
[ "$(registry_digest app v1)" = "$digest" ] || die "the registry does not hold app:v1 with digest $digest"

# 2. Blob downloads redirected to the other port: followed without the credentials.
set_mode '{"auth":"basic","blob_redirect":true}'
: > "$SLOG"
ECP_HOME=$T/home2 expect_exit 0 "$ECP" -o json pull "$F/app:v1"
[ "$(json_field "$T/out" digest)" = "$digest" ] || die "the redirected pull stored another digest"
[ -n "$(side_requests '"/blobs/sha256:" in e["path"]')" ] || { cat "$SLOG"; die "no blob GET reached the other port"; }
[ -z "$(side_requests 'e["authorization"]')" ] || { cat "$SLOG"; die "a redirect carried Authorization to the other port"; }

# 3. The other port wants credentials and names a realm of its own: ecp sends
#    none there, does not take its challenge, and says which origin answered.
set_mode '{"auth":"basic","upload_to_side":true,"reject":true}'
: > "$SLOG"
make_app "$T/app2" app2 256
build_app "$T/app2" v1 > /dev/null
expect_exit 5 "$ECP" push app2:v1 "$F/app2:v1"
expect_grep "registry $F, repository app2: PUT blob sha256:[0-9a-f]+ .*HTTP 401 .*\($SIDE answered, not the registry: the credentials for $F are not sent to another origin\)" "$T/err"
[ -n "$(side_requests 'e["method"] == "PUT"')" ] || { cat "$SLOG"; die "the rejected upload never reached the other port"; }
[ -z "$(side_requests 'e["authorization"] or "evil-token" in e["path"]')" ] ||
  { cat "$SLOG"; die "credentials or a token request went to the other port"; }
[ -z "$(registry_digest app2 v1)" ] || die "app2:v1 was tagged after a failed push"

# 4. A Location with gopher://: refused (exit 4, naming the registry), no connection made.
set_mode "{\"auth\":\"basic\",\"location\":\"gopher://127.0.0.1:$SIDE_PORT/1x\"}"
before=$(connections)
expect_exit 4 "$ECP" push app2:v1 "$F/app2:v1"
expect_grep "registry $F, repository app2: start upload of blob sha256:[0-9a-f]+: its Location 'gopher://127\.0\.0\.1:$SIDE_PORT/1x' is not an http or https URL \(refused: ecp sends nothing there\)" "$T/err"
[ "$(connections)" = "$before" ] || { cat "$SLOG"; die "something connected to the gopher:// Location"; }

# 5. Bearer, the realm on the other port: the token request carries Basic
#    credentials and nothing else; the registry's token goes to the registry only.
set_mode "{\"auth\":\"bearer\",\"realm\":\"$SIDE/token\",\"blob_redirect\":true}"
: > "$SLOG"; : > "$FLOG"
ECP_HOME=$T/home3 expect_exit 0 "$ECP" -o json pull "$F/app:v1"
[ "$(json_field "$T/out" digest)" = "$digest" ] || die "the pull with a token stored another digest"
side_requests 'e["path"].startswith("/token")' > "$T/token.req"
[ -s "$T/token.req" ] || { cat "$SLOG"; die "no token request reached the realm"; }
[ -z "$(side_requests 'e["path"].startswith("/token") and e["authorization"] != "'"$BASIC"'"')" ] ||
  { cat "$SLOG"; die "a token request did not carry exactly the Basic credentials"; }
[ -z "$(side_requests 'e["path"].startswith("/token") and set(e["headers"]) - {"host","user-agent","accept","authorization"}')" ] ||
  { cat "$SLOG"; die "the token request carried another header"; }
[ -n "$(side_requests '"/blobs/sha256:" in e["path"]')" ] || { cat "$SLOG"; die "no blob GET was redirected to the other port"; }
[ -z "$(side_requests 'not e["path"].startswith("/token") and e["authorization"]')" ] ||
  { cat "$SLOG"; die "the registry's token was sent to the other port"; }
expect_grep '"authorization": "Bearer tok-ecp"' "$FLOG"

# 6. Realms with file:// and gopher://: refused, exit 4 naming the registry;
#    the file is not read (its token never reaches the registry), nothing connects.
printf '{"token":"from-file","access_token":"from-file"}\n' > "$T/realm.json"
set_mode "{\"auth\":\"bearer\",\"realm\":\"file://$T/realm.json\"}"
ECP_HOME=$T/home4 expect_exit 4 "$ECP" pull "$F/app:v1"
expect_grep "^ecp: error: registry $F: token request to file://$T/realm\.json for repository:app:pull: 'file://$T/realm\.json\?.*' is not an http or https URL" "$T/err"
expect_no_grep 'from-file' "$FLOG"
set_mode "{\"auth\":\"bearer\",\"realm\":\"gopher://127.0.0.1:$SIDE_PORT/1token\"}"
before=$(connections)
ECP_HOME=$T/home4 expect_exit 4 "$ECP" pull "$F/app:v1"
expect_grep "^ecp: error: registry $F: token request to gopher://127\.0\.0\.1:$SIDE_PORT/1token .*is not an http or https URL" "$T/err"
[ "$(connections)" = "$before" ] || { cat "$SLOG"; die "something connected to the gopher:// realm"; }
[ -z "$(ls "$T/home4/store/blobs/sha256" 2>/dev/null)" ] || die "a refused pull wrote blobs"
echo "credentials: only to their origin (uploads, redirects, foreign challenges); realms get Basic only; file:// and gopher:// refused"
