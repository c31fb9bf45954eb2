#!/usr/bin/env python3
"""A strict in-test Kubernetes API server, Python 3 stdlib only, for testing
ecp's kubernetes backend and for checking this fake against the real kubectl
(tests/integration/k8s_apiserver_kubectl.sh).

  fake_apiserver.py --port P --cert server.crt --key server.key --ca ca.crt \
      --auth auth.json --ready-file READY --log requests.log \
      [--admin-port A] [--watch-history N] [--bookmark-interval S]

It speaks the real REST protocol over TLS: discovery, v1 Status errors,
resourceVersion, watches (bookmarks, 410 Expired), server-side apply with
managedFields, and runs a Deployment/ReplicaSet controller and a fake kubelet
(k8s_controller.py). Beside this file: the object store and the Status errors
(k8s_store.py), field ownership, server-side apply and patches (k8s_fields.py),
watches and pod logs (k8s_streams.py), pods/exec over WebSocket (k8s_exec.py), discovery and OpenAPI
(k8s_discovery.py), the tables `kubectl get` asks for (k8s_tables.py), and the
protobuf bodies kubectl's typed clients send (k8s_proto.py).

auth.json: {"tokens": {"TOKEN": "user"}, "users": {"user": {"namespaces": ["ns", ...] or ["*"]}},
            "namespaces": ["extra", ...], "behaviours": {"image:tag": "never", ...}}
A client certificate signed by --ca authenticates as its CN. "groups": {"user": [...]}
are the groups a SelfSubjectReview answers (with system:authenticated). "*" may touch
everything; others only the namespaces listed (and get those namespaces).

The admin port (plain HTTP, 127.0.0.1) lets a test steer without kubectl:
  GET/POST /behaviours        {"image or label:k=v": "ready|never|crash|pull|slow:N" or null}
  POST /usage                 {"image or label:k=v": {"cpu": "250m", "memory": "64Mi"} or null} (k8s_metrics.py)
  POST /metrics-server        {"enabled": false}: no metrics.k8s.io, as without metrics-server
  POST /watch-history?size=N  shrink/grow the watch window (to force 410 Gone)
  POST /bookmark-interval?seconds=S
  POST /break-watches[?compact=1]  drop every open watch (and the history before now: 410 on resume)
The ready file gets {"port": P, "admin_port": A, "pid": PID} once both listen.
"""
import argparse
import base64
import hashlib
import http.server
import json
import os
import select
import socketserver
import ssl
import sys
import threading
import time
import traceback
import urllib.parse

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import k8s_controller  # noqa: E402
import k8s_fields  # noqa: E402
import k8s_proto  # noqa: E402
import k8s_store  # noqa: E402
import k8s_tables  # noqa: E402
from k8s_discovery import OPENAPI, VERSION, api_group, resource_list  # noqa: E402
from k8s_store import ApiError, BY_PATH, bad_request, rfc3339  # noqa: E402
from k8s_exec import ExecMixin  # noqa: E402
from k8s_metrics import GROUP as METRICS_GROUP, VERSION as METRICS_VERSION  # noqa: E402
from k8s_metrics import NODE_RT, MetricsMixin, node_object  # noqa: E402
from k8s_streams import StreamsMixin  # noqa: E402

NS_RT = BY_PATH[("", "v1", "namespaces")]


# ---------------------------------------------------------------- the server
class Server:
    def __init__(self, args):
        self.args = args
        with open(args.auth) as f:
            self.auth = json.load(f)
        self.store = k8s_store.Store(history=args.watch_history)
        self.bookmark_interval = args.bookmark_interval
        self.watch_epoch = 0  # the admin port's /break-watches bumps it
        self.controller = k8s_controller.Controller(self.store, self.auth.get("behaviours"))
        self.log_lock = threading.Lock()
        self.log = open(args.log, "a", buffering=1) if args.log else None
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] + self.auth.get("namespaces", []):
            self.store.create(NS_RT, None, {"metadata": {"name": ns}}, "kube-apiserver")
        self.store.create(NODE_RT, None, node_object(), "kubelet", managed=False)
        self.metrics_enabled = True  # metrics-server runs (the admin port's /metrics-server)
        self.usage = {}  # the admin port's /usage table (k8s_metrics.py)

    def note(self, line):
        if self.log:
            with self.log_lock:
                self.log.write(time.strftime("%H:%M:%S ") + line + "\n")


class Handler(StreamsMixin, ExecMixin, MetricsMixin, http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-kube-apiserver"
    S = None  # the Server

    def setup(self):
        # The TLS handshake happens here, in this connection's own thread, so
        # one slow client cannot hold up the accept loop.
        self.request.settimeout(60)
        self.request.do_handshake()
        self.request.settimeout(None)
        super().setup()

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_DELETE(self):
        self.dispatch("DELETE")

    # -- plumbing
    def body(self):
        """The request body, read once (dispatch drains it when an error came first,
        so the next request on this keep-alive connection starts clean)."""
        if self.raw is not None:
            return self.raw
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                n = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if n == 0:
                    self.rfile.readline()
                    break
                data += self.rfile.read(n)
                self.rfile.readline()
            self.raw = data
        else:
            self.raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        return self.raw

    def json_body(self):
        raw = self.body()
        if self.headers.get("Content-Type", "").startswith("application/vnd.kubernetes.protobuf"):
            return k8s_proto.decode(raw)
        try:
            obj = json.loads(raw or b"null")
        except ValueError as e:
            raise bad_request("the body of the request was not valid JSON: %s" % e)
        return obj

    def send(self, code, obj, ctype="application/json"):
        data = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()
        self.wfile.write(data)
        self.code = code

    def stream_start(self, ctype):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()
        self.wfile.flush()
        self.code = 200
        self.close_connection = True
        self.S.note("%s %s %s 200 (streaming)" % (self.user, self.command, self.path))

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def stream_end(self):
        try:
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except OSError:
            pass

    def client_gone(self):
        """True once the client closed its end (checked while a stream is idle)."""
        try:
            if not select.select([self.connection], [], [], 0)[0]:
                return False
            self.connection.setblocking(False)
            return self.connection.recv(1) == b""
        except (ssl.SSLWantReadError, BlockingIOError):
            return False
        except (OSError, ValueError):
            return True
        finally:
            try:
                self.connection.setblocking(True)
            except OSError:
                pass

    # -- auth
    def authenticate(self):
        cert = self.connection.getpeercert()
        if cert:  # verified against --ca by the TLS layer; CN is the user
            for rdn in cert.get("subject", ()):
                for k, v in rdn:
                    if k == "commonName":
                        return v
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer ") and auth[7:].strip() in self.S.auth.get("tokens", {}):
            return self.S.auth["tokens"][auth[7:].strip()]
        raise ApiError(401, "Unauthorized", "Unauthorized")

    def authorize(self, user, verb, rt, ns, name, sub):
        allowed = (self.S.auth.get("users", {}).get(user) or {}).get("namespaces", [])
        if "*" in allowed or (rt.namespaced and ns in allowed) or \
                (rt.resource == "namespaces" and name in allowed and verb == "get"):
            return
        resource = rt.resource + ("/" + sub if sub else "")
        scope_ns = ns if rt.namespaced else (name if rt.resource == "namespaces" and name else None)
        where = 'in the namespace "%s"' % scope_ns if scope_ns else "at the cluster scope"
        why = 'User "%s" cannot %s resource "%s" in API group "%s" %s' % (user, verb, resource, rt.group, where)
        subject = '%s "%s"' % (rt.qualified, name) if name else rt.qualified
        details = {"name": name} if name else {}
        if rt.group:
            details["group"] = rt.group
        details["kind"] = rt.resource
        raise ApiError(403, "Forbidden", "%s is forbidden: %s" % (subject, why), details)

    # -- dispatch
    def dispatch(self, method):
        self.code, self.user, self.raw = 0, "-", None
        url = urllib.parse.urlsplit(self.path)
        self.q = {k: v[0] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        try:
            self.user = self.authenticate()
            self.route(method, url.path)
        except ApiError as e:
            self.send(e.code, e.status)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True
        except Exception as e:
            traceback.print_exc()
            self.send(500, ApiError(500, "InternalError", "Internal error occurred: %s" % e).status)
        finally:
            if not self.close_connection:
                try:
                    self.body()
                except OSError:
                    self.close_connection = True
            self.S.note("%s %s %s %s" % (self.user, method, self.path, self.code))

    def route(self, method, path):
        parts = [p for p in path.split("/") if p]
        if path in ("/healthz", "/readyz", "/livez"):
            return self.send(200, b"ok", "text/plain; charset=utf-8")
        if path == "/version":
            return self.send(200, VERSION)
        if parts and parts[0] == "openapi":
            return self.openapi(parts)
        if parts == ["api"]:
            return self.send(200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:%d" % self.S.args.port}]})
        if parts == ["apis", "authentication.k8s.io", "v1", "selfsubjectreviews"]:
            return self.self_subject_review(method)
        if parts[:2] == ["apis", METRICS_GROUP] and self.S.metrics_enabled:
            if len(parts) == 2:
                return self.send(200, dict(kind="APIGroup", apiVersion="v1", **self.metrics_group()))
            if parts[2] == METRICS_VERSION:
                return self.metrics(method, parts[3:])
        if parts == ["apis"]:
            groups = [api_group(g) for g in dict.fromkeys(g for g, _ in k8s_store.GROUP_VERSIONS) if g]
            if self.S.metrics_enabled:
                groups.append(self.metrics_group())
            return self.send(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
        if len(parts) == 2 and parts[0] == "apis" and any(g == parts[1] for g, _ in k8s_store.GROUP_VERSIONS):
            return self.send(200, dict(kind="APIGroup", apiVersion="v1", **api_group(parts[1])))
        if len(parts) >= 2 and parts[0] == "api":
            group, version, rest = "", parts[1], parts[2:]
        elif len(parts) >= 3 and parts[0] == "apis":
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise ApiError(404, "NotFound", "the server could not find the requested resource", {})
        if (group, version) not in k8s_store.GROUP_VERSIONS:
            raise ApiError(404, "NotFound", "the server could not find the requested resource", {})
        if not rest:
            return self.send(200, resource_list(group, version))
        ns = name = sub = None
        if rest[0] == "namespaces" and len(rest) >= 3 and not (group == "" and rest[2] in ("status", "finalize")):
            ns, res, tail = rest[1], rest[2], rest[3:]
        else:
            res, tail = rest[0], rest[1:]
        rt = BY_PATH.get((group, version, res))
        if rt is None or len(tail) > 2 or (rt.namespaced and ns is None and tail) or (not rt.namespaced and ns):
            raise ApiError(404, "NotFound", "the server could not find the requested resource", {})
        name = tail[0] if tail else None
        sub = tail[1] if len(tail) > 1 else None
        if sub and not ((sub == "status" and rt.status) or (sub == "scale" and rt.scale) or
                        (sub in ("log", "exec") and rt.resource == "pods")):
            raise ApiError(404, "NotFound", "the server could not find the requested resource", {})
        if sub == "exec":  # RBAC asks "create" of pods/exec, whatever the method
            if method not in ("GET", "POST"):
                raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested "
                               "resource", {})
            self.authorize(self.user, "create", rt, ns, name, sub)
            return self.exec_pod(rt, ns, name)
        watch = self.q.get("watch") in ("1", "true")
        verb = {"GET": "watch" if watch else ("get" if name else "list"), "POST": "create", "PUT": "update",
                "PATCH": "patch", "DELETE": "delete" if name else "deletecollection"}[method]
        if verb not in rt.verbs or (method == "POST" and name) or (method in ("PUT", "PATCH") and not name):
            raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource",
                           {})
        self.authorize(self.user, verb, rt, ns, name, sub)
        dry_run = self.q.get("dryRun") == "All"
        if self.q.get("dryRun") not in (None, "All"):
            raise bad_request('dryRun: Unsupported value: "%s": supported values: "All"' % self.q["dryRun"])
        getattr(self, "op_" + verb)(rt, ns, name, sub, dry_run)

    def self_subject_review(self, method):
        """Who the request authenticated as (kubectl auth whoami): any authenticated
        user may ask (RBAC's system:basic-user); nothing is stored. Groups from
        auth.json's "groups": {"user": [...]}, and system:authenticated."""
        if method != "POST":
            raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource",
                           {})
        body = self.json_body()
        if not isinstance(body, dict) or body.get("apiVersion") != "authentication.k8s.io/v1" or \
                body.get("kind") != "SelfSubjectReview":
            raise bad_request("the body is not an authentication.k8s.io/v1 SelfSubjectReview")
        groups = list((self.S.auth.get("groups") or {}).get(self.user, [])) + ["system:authenticated"]
        return self.send(201, {"kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1",
                               "metadata": {"creationTimestamp": rfc3339(time.time())},
                               "status": {"userInfo": {"username": self.user, "groups": groups}}})

    def openapi(self, parts):
        if parts == ["openapi", "v3"]:
            return self.send(200, {"paths": {p: {"serverRelativeURL": "/openapi/v3/%s?hash=%s" % (
                p, hashlib.sha512(doc).hexdigest().upper()[:128])} for p, doc in OPENAPI.items()}})
        doc = OPENAPI.get("/".join(parts[2:])) if parts[:2] == ["openapi", "v3"] else None
        if doc is None:  # no /openapi/v2: kubectl does not need it for what this server offers
            raise ApiError(404, "NotFound", "the server could not find the requested resource", {})
        return self.send(200, doc)

    # -- helpers
    def manager(self):
        return self.q.get("fieldManager") or self.headers.get("User-Agent", "unknown").split("/")[0]

    def wants_table(self):
        return "as=Table" in self.headers.get("Accept", "")

    def present(self, rt, obj):
        if self.wants_table():
            return k8s_tables.table(rt, [obj], obj["metadata"].get("resourceVersion", ""),
                                    self.q.get("includeObject", "Metadata"))
        return obj

    def scale_of(self, rt, obj):
        return {"kind": "Scale", "apiVersion": "autoscaling/v1",
                "metadata": {k: obj["metadata"][k] for k in ("name", "namespace", "uid", "resourceVersion",
                                                             "creationTimestamp")},
                "spec": {"replicas": obj["spec"].get("replicas", 1)},
                "status": {"replicas": (obj.get("status") or {}).get("replicas", 0),
                           "selector": k8s_store.selector_string(obj["spec"].get("selector"))}}

    def check_object(self, rt, obj, name=None):
        if not isinstance(obj, dict):
            raise bad_request("the body of the request must be a JSON object")
        if obj.get("kind") not in (None, rt.kind) or obj.get("apiVersion") not in (None, rt.api_version):
            raise bad_request("the API version in the data (%s) does not match the expected API version (%s)"
                              % (obj.get("apiVersion"), rt.api_version) if obj.get("kind") == rt.kind else
                              "%s in version \"%s\" cannot be handled as a %s: the object provided is unrecognized"
                              % (obj.get("kind"), rt.version, rt.kind))
        obj.setdefault("metadata", {})
        if name and obj["metadata"].get("name") not in (None, name):
            raise bad_request("the name of the object (%s) does not match the name on the URL (%s)"
                              % (obj["metadata"]["name"], name))
        return obj

    # -- verbs
    def op_get(self, rt, ns, name, sub, dry_run):
        if sub == "log":
            return self.logs(rt, ns, name)
        obj = self.S.store.get(rt, ns, name)
        self.send(200, self.scale_of(rt, obj) if sub == "scale" else self.present(rt, obj))

    def selectors(self, rt):
        return (k8s_store.parse_label_selector(self.q.get("labelSelector")),
                k8s_store.parse_field_selector(rt, self.q.get("fieldSelector")))

    def op_list(self, rt, ns, name, sub, dry_run):
        labels, fields = self.selectors(rt)
        items, rv = self.S.store.list(rt, ns, labels, fields)
        meta = {}
        if self.q.get("continue"):
            try:
                after = json.loads(base64.b64decode(self.q["continue"]))
            except ValueError:
                raise ApiError(400, "BadRequest", "continue key is not valid: illegal base64 data")
            items = [o for o in items if [o["metadata"].get("namespace", ""), o["metadata"]["name"]] > after]
        limit = int(self.q.get("limit") or 0)
        if limit and len(items) > limit:
            last = items[limit - 1]["metadata"]
            meta = {"continue": base64.b64encode(json.dumps([last.get("namespace", ""), last["name"]]).encode())
                    .decode(), "remainingItemCount": len(items) - limit}
            items = items[:limit]
        if self.wants_table():
            return self.send(200, k8s_tables.table(rt, items, rv, self.q.get("includeObject", "Metadata"), meta))
        for o in items:  # items of a list carry no kind/apiVersion of their own
            o.pop("kind", None)
            o.pop("apiVersion", None)
        meta["resourceVersion"] = rv
        self.send(200, {"kind": rt.kind + "List", "apiVersion": rt.api_version,
                        "metadata": dict(sorted(meta.items(), key=lambda kv: kv[0] != "resourceVersion")),
                        "items": items})

    def op_create(self, rt, ns, name, sub, dry_run):
        obj = self.check_object(rt, self.json_body())
        self.send(201, self.S.store.create(rt, ns, obj, self.manager(), dry_run))

    def op_update(self, rt, ns, name, sub, dry_run):
        body = self.json_body()
        store = self.S.store
        if sub == "scale":
            with store.lock:
                obj = store.get(rt, ns, name)
                want_rv = (body.get("metadata") or {}).get("resourceVersion")
                if want_rv and want_rv != obj["metadata"]["resourceVersion"]:
                    raise k8s_store.stale_conflict(rt, name)
                obj["spec"]["replicas"] = (body.get("spec") or {}).get("replicas", 0)
                out = store.update(rt, ns, name, obj, self.manager(), "scale", dry_run)
            return self.send(200, self.scale_of(rt, out))
        obj = self.check_object(rt, body, name)
        self.send(200, store.update(rt, ns, name, obj, self.manager(), sub, dry_run))

    def op_patch(self, rt, ns, name, sub, dry_run):
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip()
        store = self.S.store
        if ctype == "application/apply-patch+yaml":
            return self.apply(rt, ns, name, sub, dry_run)
        kinds = {"application/merge-patch+json": k8s_fields.merge_patch,
                 "application/strategic-merge-patch+json": k8s_fields.strategic_merge_patch,
                 "application/json-patch+json": k8s_fields.json_patch}
        if ctype not in kinds:
            raise ApiError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                           "accepted media types include: application/json-patch+json, application/merge-patch+json, "
                           "application/apply-patch+yaml, application/strategic-merge-patch+json", {})
        patch = self.json_body()
        with store.lock:
            obj = store.get(rt, ns, name)
            target = self.scale_of(rt, obj) if sub == "scale" else obj
            try:
                patched = kinds[ctype](target, patch)
            except (ValueError, AttributeError, TypeError) as e:
                raise ApiError(422, "Invalid", str(e), {})
            if not isinstance(patched, dict):
                raise bad_request("the patch made the object something other than a JSON object")
            want_rv = (patched.get("metadata") or {}).get("resourceVersion")
            if want_rv and want_rv != obj["metadata"]["resourceVersion"]:
                raise k8s_store.stale_conflict(rt, name)
            if sub == "scale":
                obj["spec"]["replicas"] = (patched.get("spec") or {}).get("replicas", 0)
                out = store.update(rt, ns, name, obj, self.manager(), "scale", dry_run)
                return self.send(200, self.scale_of(rt, out))
            patched.setdefault("metadata", {})["resourceVersion"] = obj["metadata"]["resourceVersion"]
            self.send(200, store.update(rt, ns, name, self.check_object(rt, patched, name), self.manager(), sub,
                                        dry_run))

    def apply(self, rt, ns, name, sub, dry_run):
        """Server-side apply. The real server takes YAML; this one takes the JSON
        form only (JSON is YAML, and it is what kubectl and client libraries send)."""
        if not self.q.get("fieldManager"):
            raise ApiError(422, "Invalid", 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: '
                           "is required for apply patch", {"kind": "PatchOptions", "group": "meta.k8s.io", "causes": [
                               {"reason": "FieldValueRequired", "message": "Required value: is required for apply patch",
                                "field": "fieldManager"}]})
        raw = self.body()
        try:
            config = json.loads(raw)
        except ValueError:
            raise bad_request("this fake API server takes apply bodies as JSON only (send the YAML as JSON)")
        config = self.check_object(rt, config, name)
        if not config.get("apiVersion") or not config.get("kind"):
            raise bad_request("invalid object type: /, Kind=")
        if "managedFields" in config["metadata"]:
            raise bad_request("metadata.managedFields must be nil")
        force = self.q.get("force") in ("true", "1")
        store = self.S.store
        with store.lock:
            live = store.find(rt, ns, name)
            if live is None and sub:
                raise k8s_store.not_found(rt, name)
            want_rv = config["metadata"].get("resourceVersion")
            if want_rv and (live is None or want_rv != live["metadata"]["resourceVersion"]):
                raise k8s_store.stale_conflict(rt, name)
            merged = k8s_fields.apply(rt, live, config, self.q["fieldManager"], force, sub, rfc3339())
            if live is None:
                merged["metadata"]["name"] = name
                return self.send(201, store.create(rt, ns, merged, None, dry_run, managed=False))
            merged["metadata"]["resourceVersion"] = live["metadata"]["resourceVersion"]
            self.send(200, store.update(rt, ns, name, merged, None, sub, dry_run, managed=False))

    def delete_options(self):
        body = self.json_body() if self.body() else None
        opts = body if isinstance(body, dict) else {}
        return (self.q.get("propagationPolicy") or opts.get("propagationPolicy") or "Background",
                opts.get("preconditions") or {})

    def op_delete(self, rt, ns, name, sub, dry_run):
        policy, pre = self.delete_options()
        store = self.S.store
        with store.lock:
            obj = store.get(rt, ns, name)
            if not dry_run and rt.resource == "namespaces":
                for other in k8s_store.RESOURCES:
                    if other.namespaced:
                        for o in store.list(other, name)[0]:
                            store.delete(other, name, o["metadata"]["name"])
            if not dry_run and policy == "Orphan":
                self.orphan(obj)
            gone = store.delete(rt, ns, name, dry_run, pre.get("uid"), pre.get("resourceVersion"))
        if rt.resource == "pods":
            return self.send(200, gone)
        details = {"name": name}
        if rt.group:
            details["group"] = rt.group
        details.update({"kind": rt.resource, "uid": gone["metadata"]["uid"]})
        self.send(200, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                        "details": details})

    def orphan(self, owner):
        for rt in (k8s_controller.RS, k8s_controller.POD):
            for o in self.S.store.list(rt, owner["metadata"].get("namespace"))[0]:
                refs = o["metadata"].get("ownerReferences") or []
                if any(r.get("uid") == owner["metadata"]["uid"] for r in refs):
                    o["metadata"]["ownerReferences"] = [r for r in refs if r.get("uid") != owner["metadata"]["uid"]]
                    self.S.store.update(rt, o["metadata"]["namespace"], o["metadata"]["name"], o,
                                        "garbage-collector")

    def op_deletecollection(self, rt, ns, name, sub, dry_run):
        labels, fields = self.selectors(rt)
        store = self.S.store
        with store.lock:
            items, _ = store.list(rt, ns, labels, fields)
            gone = [store.delete(rt, o["metadata"].get("namespace"), o["metadata"]["name"], dry_run) for o in items]
        self.send(200, {"kind": rt.kind + "List", "apiVersion": rt.api_version,
                        "metadata": {"resourceVersion": str(store.rv)}, "items": gone})

# ---------------------------------------------------------------- admin port
class AdminHandler(http.server.BaseHTTPRequestHandler):
    S = None

    def log_message(self, *args):
        pass

    def reply(self, code, obj):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.startswith("/behaviours"):
            return self.reply(200, self.S.controller.behaviours)
        self.reply(200 if self.path == "/healthz" else 404, {"ok": self.path == "/healthz"})

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        q = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if url.path == "/behaviours":
            for k, v in json.loads(body or b"{}").items():
                if v is None:
                    self.S.controller.behaviours.pop(k, None)
                else:
                    self.S.controller.behaviours[k] = v
            self.S.note("admin behaviours %s" % json.dumps(self.S.controller.behaviours))
            return self.reply(200, self.S.controller.behaviours)
        if url.path == "/watch-history":
            self.S.store.set_history_size(int(q["size"]))
            return self.reply(200, {"size": self.S.store.history_size, "resourceVersion": str(self.S.store.rv)})
        if url.path == "/break-watches":
            # Every open watch drops its connection; with compact=1 the history
            # before now is gone too, as after an etcd compaction, so a watch
            # resumed from an older resourceVersion gets 410 Expired.
            with self.S.store.lock:
                if q.get("compact") == "1":
                    # etcd's revision is global: other writes moved it on meanwhile,
                    # and the compaction is at that revision.
                    self.S.store.rv += 1
                    for res in self.S.store.history:
                        self.S.store.history[res].clear()
                        self.S.store.evicted[res] = self.S.store.rv
                self.S.watch_epoch += 1
            self.S.note("admin break-watches %s" % json.dumps(q))
            return self.reply(200, {"resourceVersion": str(self.S.store.rv)})
        if url.path == "/usage":
            for k, v in json.loads(body or b"{}").items():
                if v is None:
                    self.S.usage.pop(k, None)
                else:
                    self.S.usage[k] = v
            return self.reply(200, self.S.usage)
        if url.path == "/metrics-server":
            self.S.metrics_enabled = bool(json.loads(body or b"{}").get("enabled", True))
            return self.reply(200, {"enabled": self.S.metrics_enabled})
        if url.path == "/bookmark-interval":
            self.S.bookmark_interval = float(q["seconds"])
            return self.reply(200, {"seconds": self.S.bookmark_interval})
        self.reply(404, {"error": "unknown admin path " + url.path})


class ThreadedServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        err = sys.exc_info()[1]
        if not isinstance(err, (ssl.SSLError, ConnectionError, TimeoutError, OSError)):
            super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--admin-port", type=int, default=0)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--ca", required=True, help="CA of the client certificates (and of the server's)")
    ap.add_argument("--auth", required=True)
    ap.add_argument("--ready-file", required=True)
    ap.add_argument("--log")
    ap.add_argument("--watch-history", type=int, default=1000, help="events kept per resource for watches")
    ap.add_argument("--bookmark-interval", type=float, default=60.0)
    args = ap.parse_args()

    server = Server(args)
    Handler.S = AdminHandler.S = server
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    ctx.load_verify_locations(args.ca)
    ctx.verify_mode = ssl.CERT_OPTIONAL  # a client certificate is one way to log in, tokens the other
    ctx.set_alpn_protocols(["http/1.1"])
    api = ThreadedServer(("127.0.0.1", args.port), Handler)
    api.socket = ctx.wrap_socket(api.socket, server_side=True, do_handshake_on_connect=False)
    args.port = api.server_address[1]
    admin = ThreadedServer(("127.0.0.1", args.admin_port), AdminHandler)
    server.controller.start()
    threading.Thread(target=admin.serve_forever, daemon=True).start()
    tmp = args.ready_file + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"port": args.port, "admin_port": admin.server_address[1], "pid": os.getpid()}, f)
    os.replace(tmp, args.ready_file)
    server.note("listening on 127.0.0.1:%d (admin %d)" % (args.port, admin.server_address[1]))
    try:
        api.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
