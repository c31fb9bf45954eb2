#!/usr/bin/env python3
"""A fault-injecting HTTP proxy for ecp's registry tests (Python stdlib only).
It forwards each request to a registry on loopback, keeping the Host header so
the registry's Location URLs point back at the proxy, and logs one line per
request to LOG: "METHOD PATH -> STATUS" (or "-> drop").

  fault_proxy.py PORT UPSTREAM_PORT LOG [--throttle BYTES_PER_S] [RULE...]

A RULE is METHOD:REGEX:ACTION:COUNT. The first COUNT requests (COUNT '*' =
all) whose method (or '*') and path (re.search) match get ACTION instead of
the registry's answer:
  drop      read half of the request body, then close the connection unanswered
  cut       forward, then send the headers and half of the response body, and close
  503, 429, 500, 502, ...   answer that status with an OCI error body
                            (429 and 503 carry "Retry-After: 1")
When the registry is down, requests get 502.
"""
import http.client
import http.server
import json
import re
import sys
import threading
import time

PORT, UPSTREAM, LOG = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
args = sys.argv[4:]
THROTTLE = 0
if args[:1] == ["--throttle"]:
    THROTTLE = int(args[1])
    args = args[2:]
RULES = []
for r in args:
    method, rest = r.split(":", 1)
    rest, count = rest.rsplit(":", 1)
    regex, action = rest.rsplit(":", 1)
    RULES.append({"method": method, "re": re.compile(regex), "action": action,
                  "left": None if count == "*" else int(count)})
lock = threading.Lock()
HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


def log(line):
    with lock, open(LOG, "a") as f:
        f.write(line + "\n")


def pick_rule(method, path):
    with lock:
        for r in RULES:
            if r["method"] in ("*", method) and r["re"].search(path) and (r["left"] is None or r["left"] > 0):
                if r["left"] is not None:
                    r["left"] -= 1
                return r["action"]
    return None


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def read_body(self, limit=None):
        n = int(self.headers.get("Content-Length") or 0)
        if limit is not None:
            n = min(n, limit)
        chunks, start, got = [], time.time(), 0
        while got < n:
            c = self.rfile.read(min(65536, n - got))
            if not c:
                break
            chunks.append(c)
            got += len(c)
            if THROTTLE:
                ahead = got / THROTTLE - (time.time() - start)
                if ahead > 0:
                    time.sleep(ahead)
        return b"".join(chunks)

    def reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        if self.path == "/ecp-proxy-ready":  # the tests' readiness probe, outside the rules and the log
            return self.reply(200)
        action = pick_rule(self.command, self.path)
        if action == "drop":
            self.read_body(int(self.headers.get("Content-Length") or 0) // 2)
            log("%s %s -> drop" % (self.command, self.path))
            self.close_connection = True
            self.connection.close()
            return
        if action and action != "cut":
            body = self.read_body()
            status = int(action)
            code = {429: "TOOMANYREQUESTS"}.get(status, "UNAVAILABLE")
            err = json.dumps({"errors": [{"code": code, "message": "injected by fault_proxy"}]}).encode()
            hdrs = [("Content-Type", "application/json")]
            if status in (429, 503):
                hdrs.append(("Retry-After", "1"))
            log("%s %s -> %d injected" % (self.command, self.path, status))
            return self.reply(status, err, hdrs)
        body = self.read_body()
        try:
            up = http.client.HTTPConnection("127.0.0.1", UPSTREAM, timeout=120)
            up.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for k, v in self.headers.items():
                if k.lower() not in HOP and k.lower() != "content-length":
                    up.putheader(k, v)
            if body or self.command in ("POST", "PUT", "PATCH"):
                up.putheader("Content-Length", str(len(body)))
            up.endheaders(body)
            resp = up.getresponse()
            data = resp.read()
        except OSError as e:
            log("%s %s -> 502 upstream: %s" % (self.command, self.path, e))
            return self.reply(502, b'{"errors":[{"code":"UNAVAILABLE","message":"registry down"}]}',
                              [("Content-Type", "application/json")])
        log("%s %s -> %d" % (self.command, self.path, resp.status))
        hdrs = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP and k.lower() != "content-length"]
        self.send_response(resp.status)
        for k, v in hdrs:
            self.send_header(k, v)
        if self.command == "HEAD":
            self.send_header("Content-Length", resp.getheader("Content-Length", "0"))
        else:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if action == "cut" and self.command != "HEAD":
            self.wfile.write(data[:len(data) // 2])
            self.wfile.flush()
            log("%s %s -> cut after %d of %d bytes" % (self.command, self.path, len(data) // 2, len(data)))
            self.close_connection = True
            self.connection.close()
        elif self.command != "HEAD":
            self.wfile.write(data)
        up.close()

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Proxy).serve_forever()
