#!/usr/bin/env python3
"""A minimal token server for docker-registry's `auth: token` (the distribution
token spec), for ecp's integration tests. Python stdlib plus the openssl CLI,
which signs the JWTs (RS256) with the test key; the registry trusts the
certificate in its rootcertbundle, which travels in the JWT's x5c header.

  token_server.py PORT KEY.pem CERT.pem USER PASSWORD LOG

GET /token?service=S&scope=repository:NAME:pull,push[&scope=...] with Basic
USER:PASSWORD grants the requested pull/push actions; anonymous requests get a
token granting nothing; a wrong password gets 401. Each request is logged to
LOG as "token <user or -> <scopes>".
"""
import base64
import http.server
import json
import os
import subprocess
import sys
import time
import urllib.parse

PORT, KEY, CERT, USER, PASSWORD, LOG = sys.argv[1:7]
ISSUER = "ecp-test-issuer"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def cert_der_b64():
    der = subprocess.run(["openssl", "x509", "-in", CERT, "-outform", "DER"],
                         check=True, capture_output=True).stdout
    return base64.b64encode(der).decode()


X5C = cert_der_b64()


def sign(claims):
    header = {"typ": "JWT", "alg": "RS256", "x5c": [X5C]}
    payload = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", KEY], input=payload.encode(),
                         check=True, capture_output=True).stdout
    return payload + "." + b64url(sig)


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body, extra=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(url.query)
        user = None
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            u, _, p = base64.b64decode(auth[6:]).decode().partition(":")
            if u != USER or p != PASSWORD:
                self.log("token REJECTED " + u)
                return self.answer(401, {"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]},
                                   {"WWW-Authenticate": 'Basic realm="ecp-test-token"'})
            user = u
        scopes = q.get("scope", [])
        access = []
        for s in " ".join(scopes).split():
            typ, _, rest = s.partition(":")
            name, _, actions = rest.rpartition(":")
            if user and typ == "repository":
                access.append({"type": typ, "name": name,
                               "actions": [a for a in actions.split(",") if a in ("pull", "push")]})
        now = int(time.time())
        claims = {"iss": ISSUER, "sub": user or "", "aud": q.get("service", [""])[0], "exp": now + 300,
                  "nbf": now - 10, "iat": now, "jti": b64url(os.urandom(12)), "access": access}
        self.log("token %s %s" % (user or "-", " ".join(scopes) or "-"))
        token = sign(claims)
        self.answer(200, {"token": token, "access_token": token, "expires_in": 300})

    def log(self, line):
        with open(LOG, "a") as f:
            f.write(line + "\n")


http.server.ThreadingHTTPServer(("127.0.0.1", int(PORT)), Handler).serve_forever()
