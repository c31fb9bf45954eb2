"""Object store of the fake Kubernetes API server (tests/k8s/fake_apiserver.py).

It keeps what etcd and the generic registry keep for a real API server: objects
by (resource, namespace, name), one global resourceVersion counter that every
write bumps, uid / creationTimestamp / generation, a bounded per-resource event
history for watches (with a settable window so a test can force "410 Gone"),
and the API errors as v1 Status objects shaped exactly like the real ones.
Python stdlib only.
"""
import base64
import collections
import copy
import json
import random
import re
import threading
import time
import uuid

import k8s_fields


def rfc3339(t=None):
    """metav1.Time: RFC 3339, seconds precision, UTC."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() if t is None else t))


def micro_time(t=None):
    """metav1.MicroTime (events' eventTime, leases): microseconds."""
    t = time.time() if t is None else t
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%06dZ" % int((t % 1) * 1e6)


def parse_time(s):
    """Seconds since the epoch of a metav1.Time or MicroTime string (None if absent)."""
    if not s:
        return None
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?Z$", s)
    if not m:
        return None
    import calendar
    whole = calendar.timegm(tuple(int(x) for x in m.groups()[:6]) + (0, 0, 0))
    return whole + (float(m.group(7)) if m.group(7) else 0.0)


# Names that kube-controller-manager and the kubelet use for generated names.
SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def random_suffix(n=5):
    return "".join(random.choice(SAFE_ALPHABET) for _ in range(n))


# ---------------------------------------------------------------- errors
class ApiError(Exception):
    """An error answered as a v1 Status object (metav1.Status) with its HTTP code."""

    def __init__(self, code, reason, message, details=None):
        super().__init__(message)
        self.code = code
        self.status = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                       "message": message, "reason": reason}
        if details is not None:
            self.status["details"] = details
        self.status["code"] = code


def _details(rt, name=None, extra=None):
    d = {}
    if name:
        d["name"] = name
    if rt.group:
        d["group"] = rt.group
    d["kind"] = rt.resource
    d.update(extra or {})
    return d


def not_found(rt, name):
    return ApiError(404, "NotFound", '%s "%s" not found' % (rt.qualified, name), _details(rt, name))


def already_exists(rt, name):
    return ApiError(409, "AlreadyExists", '%s "%s" already exists' % (rt.qualified, name), _details(rt, name))


def stale_conflict(rt, name):
    # apierrors.NewConflict(qualifiedResource, name, errors.New(OptimisticLockErrorMsg))
    return ApiError(409, "Conflict",
                    'Operation cannot be fulfilled on %s "%s": the object has been modified; '
                    "please apply your changes to the latest version and try again" % (rt.qualified, name),
                    _details(rt, name))


def invalid(rt, name, causes):
    """apierrors.NewInvalid: causes are (field, reason, detail) with reason a
    metav1.CauseType such as FieldValueForbidden / FieldValueRequired."""
    words = {"FieldValueRequired": "Required value", "FieldValueForbidden": "Forbidden",
             "FieldValueInvalid": "Invalid value", "FieldValueNotSupported": "Unsupported value"}
    msgs, cs = [], []
    for field, reason, detail in causes:
        text = words.get(reason, reason) + (": " + detail if detail else "")
        msgs.append("%s: %s" % (field, text))
        cs.append({"reason": reason, "message": text, "field": field})
    kind = rt.kind + ("." + rt.group if rt.group else "")
    body = msgs[0] if len(msgs) == 1 else "[" + ", ".join(msgs) + "]"
    det = {"name": name, "kind": rt.kind, "causes": cs}
    if rt.group:
        det = {"name": name, "group": rt.group, "kind": rt.kind, "causes": cs}
    return ApiError(422, "Invalid", '%s "%s" is invalid: %s' % (kind, name, body), det)


def bad_request(message):
    return ApiError(400, "BadRequest", message)


# ---------------------------------------------------------------- resource types
ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


class ResourceType:
    def __init__(self, group, version, resource, kind, singular, namespaced=True, short=(),
                 categories=(), status=False, scale=False, generation=False, verbs=ALL_VERBS):
        self.group, self.version, self.resource, self.kind = group, version, resource, kind
        self.singular, self.namespaced, self.short = singular, namespaced, list(short)
        self.categories, self.status, self.scale = list(categories), status, scale
        self.generation, self.verbs = generation, list(verbs)

    @property
    def api_version(self):
        return self.group + "/" + self.version if self.group else self.version

    @property
    def qualified(self):
        """schema.GroupResource.String(): "deployments.apps", "pods"."""
        return self.resource + ("." + self.group if self.group else "")


RESOURCES = [
    ResourceType("", "v1", "namespaces", "Namespace", "namespace", namespaced=False, short=["ns"], status=True,
                 verbs=["create", "delete", "get", "list", "patch", "update", "watch"]),
    ResourceType("", "v1", "secrets", "Secret", "secret"),
    ResourceType("", "v1", "configmaps", "ConfigMap", "configmap", short=["cm"]),
    ResourceType("", "v1", "services", "Service", "service", short=["svc"], categories=["all"], status=True,
                 verbs=["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]),
    ResourceType("", "v1", "pods", "Pod", "pod", short=["po"], categories=["all"], status=True),
    ResourceType("", "v1", "nodes", "Node", "node", namespaced=False, short=["no"], status=True,
                 verbs=["get", "list", "watch"]),
    ResourceType("", "v1", "events", "Event", "event", short=["ev"]),
    ResourceType("apps", "v1", "deployments", "Deployment", "deployment", short=["deploy"], categories=["all"],
                 status=True, scale=True, generation=True),
    ResourceType("apps", "v1", "replicasets", "ReplicaSet", "replicaset", short=["rs"], categories=["all"],
                 status=True, scale=True, generation=True),
    ResourceType("coordination.k8s.io", "v1", "leases", "Lease", "lease"),
    ResourceType("networking.k8s.io", "v1", "ingresses", "Ingress", "ingress", short=["ing"], status=True,
                 generation=True),
]
BY_PATH = {(rt.group, rt.version, rt.resource): rt for rt in RESOURCES}
BY_KIND = {(rt.group, rt.kind): rt for rt in RESOURCES}
GROUP_VERSIONS = []  # [(group, version)] in discovery order
for _rt in RESOURCES:
    if (_rt.group, _rt.version) not in GROUP_VERSIONS:
        GROUP_VERSIONS.append((_rt.group, _rt.version))


# ---------------------------------------------------------------- selectors
LABEL_VALUE = r"[A-Za-z0-9_.\-/]*"


def parse_label_selector(text):
    """labels.Parse: "a=b,c!=d,e in (f,g),h notin (i),j,!k". Returns requirements
    (key, op, values); a syntax error is a 400 like the real server's."""
    reqs = []
    text = (text or "").strip()
    pos = 0
    pat = re.compile(r"\s*(?:(!)\s*([A-Za-z0-9_.\-/]+)|([A-Za-z0-9_.\-/]+)\s*(?:(==|=|!=)\s*(" + LABEL_VALUE +
                     r")|\s+(in|notin)\s*\(([^)]*)\))?)\s*(,|$)")
    while pos < len(text):
        m = pat.match(text, pos)
        if not m or m.end() == pos:
            raise bad_request('unable to parse requirement: found \'%s\', expected: identifier' % text[pos:])
        if m.group(1):
            reqs.append((m.group(2), "!", []))
        elif m.group(4):
            reqs.append((m.group(3), "!=" if m.group(4) == "!=" else "=", [m.group(5)]))
        elif m.group(6):
            vals = [v.strip() for v in m.group(7).split(",") if v.strip()]
            reqs.append((m.group(3), m.group(6), vals))
        else:
            reqs.append((m.group(3), "exists", []))
        pos = m.end()
    return reqs


def labels_match(reqs, labels):
    labels = labels or {}
    for key, op, vals in reqs:
        have = key in labels
        if op == "=" and (not have or labels[key] != vals[0]):
            return False
        if op == "!=" and have and labels[key] == vals[0]:
            return False
        if op == "in" and (not have or labels[key] not in vals):
            return False
        if op == "notin" and have and labels[key] in vals:
            return False
        if op == "exists" and not have:
            return False
        if op == "!" and have:
            return False
    return True


def selector_string(label_selector):
    """metav1.LabelSelectorAsSelector(...).String() for status.selector of /scale."""
    parts = ["%s=%s" % (k, v) for k, v in sorted((label_selector or {}).get("matchLabels", {}).items())]
    for e in (label_selector or {}).get("matchExpressions", []):
        op = e.get("operator", "")
        if op in ("In", "NotIn"):
            parts.append("%s %s (%s)" % (e["key"], op.lower(), ",".join(sorted(e.get("values", [])))))
        elif op == "Exists":
            parts.append(e["key"])
        elif op == "DoesNotExist":
            parts.append("!" + e["key"])
    return ",".join(parts)


def label_selector_matches(label_selector, labels):
    return labels_match(parse_label_selector(selector_string(label_selector)), labels)


# Field selectors each resource supports (the real server refuses the others).
FIELD_LABELS = {
    "pods": {"spec.nodeName", "status.phase", "spec.restartPolicy", "spec.schedulerName", "status.podIP"},
    "events": {"involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
               "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
               "reason", "reportingComponent", "source", "type"},
    "secrets": {"type"},
    "namespaces": {"status.phase"},
}


def parse_field_selector(rt, text):
    reqs = []
    for part in [p.strip() for p in (text or "").split(",") if p.strip()]:
        m = re.match(r"^([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)$", part)
        if not m:
            raise bad_request("invalid selector: '%s'; can't understand '%s'" % (text, part))
        field = m.group(1)
        if field not in ("metadata.name", "metadata.namespace") and field not in FIELD_LABELS.get(rt.resource, ()):
            raise bad_request('field label not supported: %s' % field)
        reqs.append((field, m.group(2) != "!=", m.group(3)))
    return reqs


def fields_match(reqs, obj):
    for field, equal, want in reqs:
        cur = obj
        for p in field.split("."):
            cur = cur.get(p) if isinstance(cur, dict) else None
        have = "" if cur is None else str(cur)
        if (have == want) != equal:
            return False
    return True


# ---------------------------------------------------------------- defaulting and validation
NAME_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
IP_COUNTER = [0]


def apply_defaults(rt, obj):
    """The defaults the real API server fills in (SetObjectDefaults_*), the part a client sees."""
    spec = obj.get("spec")
    if rt.resource in ("deployments", "replicasets") and isinstance(spec, dict):
        spec.setdefault("replicas", 1)
        spec.setdefault("revisionHistoryLimit", 10)
        if rt.resource == "deployments":
            spec.setdefault("progressDeadlineSeconds", 600)
            strat = spec.setdefault("strategy", {})
            strat.setdefault("type", "RollingUpdate")
            if strat["type"] == "RollingUpdate":
                ru = strat.setdefault("rollingUpdate", {})
                ru.setdefault("maxUnavailable", "25%")
                ru.setdefault("maxSurge", "25%")
        tmpl = spec.get("template")
        if isinstance(tmpl, dict):
            tmpl.setdefault("metadata", {}).setdefault("creationTimestamp", None)
            default_pod_spec(tmpl.setdefault("spec", {}))
    elif rt.resource == "pods" and isinstance(spec, dict):
        default_pod_spec(spec)
    elif rt.resource == "services" and isinstance(spec, dict):
        spec.setdefault("type", "ClusterIP")
        spec.setdefault("sessionAffinity", "None")
        for p in spec.get("ports") or []:
            if isinstance(p, dict):
                p.setdefault("protocol", "TCP")
                p.setdefault("targetPort", p.get("port"))
        if "clusterIP" not in spec:
            # Documentation range (RFC 5737): data only, nothing ever connects to it.
            IP_COUNTER[0] += 1
            spec["clusterIP"] = "198.51.100.%d" % (IP_COUNTER[0] % 250 + 1)
            spec["clusterIPs"] = [spec["clusterIP"]]
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
        spec.setdefault("internalTrafficPolicy", "Cluster")
        obj.setdefault("status", {"loadBalancer": {}})
    elif rt.resource == "secrets":
        obj.setdefault("type", "Opaque")
        string_data = obj.pop("stringData", None)
        if isinstance(string_data, dict):
            data = obj.setdefault("data", {})
            for k, v in string_data.items():
                data[k] = base64.b64encode(str(v).encode()).decode()
    elif rt.resource == "namespaces":
        obj.setdefault("spec", {"finalizers": ["kubernetes"]})
        obj["status"] = obj.get("status") or {"phase": "Active"}
        obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = obj["metadata"]["name"]


def default_pod_spec(ps):
    for c in (ps.get("containers") or []) + (ps.get("initContainers") or []):
        if not isinstance(c, dict):
            continue
        image = c.get("image", "")
        tagged = ":" in image.rsplit("/", 1)[-1] and not image.endswith(":latest")
        c.setdefault("imagePullPolicy", "IfNotPresent" if tagged or "@" in image else "Always")
        c.setdefault("terminationMessagePath", "/dev/termination-log")
        c.setdefault("terminationMessagePolicy", "File")
        c.setdefault("resources", {})
        for p in c.get("ports") or []:
            if isinstance(p, dict):
                p.setdefault("protocol", "TCP")
    ps.setdefault("restartPolicy", "Always")
    ps.setdefault("terminationGracePeriodSeconds", 30)
    ps.setdefault("dnsPolicy", "ClusterFirst")
    ps.setdefault("securityContext", {})
    ps.setdefault("schedulerName", "default-scheduler")


def validate(rt, obj, old):
    """A useful part of the real validation (pkg/apis/*/validation): what a client
    most likely gets wrong. Raises 422 Invalid with the real wording."""
    name = obj["metadata"].get("name", "")
    errs = []
    if not NAME_RE.match(name) or len(name) > 253:
        errs.append(("metadata.name", "FieldValueInvalid",
                     '"%s": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '
                     "'-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "
                     "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
                     % name))
    spec = obj.get("spec") or {}
    if rt.resource in ("deployments", "replicasets"):
        sel = spec.get("selector")
        labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
        if not sel:
            errs.append(("spec.selector", "FieldValueRequired", ""))
        elif not label_selector_matches(sel, labels):
            errs.append(("spec.template.metadata.labels", "FieldValueInvalid",
                         "%s: `selector` does not match template `labels`" % go_map(labels)))
        if not ((spec.get("template") or {}).get("spec") or {}).get("containers"):
            errs.append(("spec.template.spec.containers", "FieldValueRequired", ""))
        if isinstance(spec.get("replicas"), int) and spec["replicas"] < 0:
            errs.append(("spec.replicas", "FieldValueInvalid",
                         "%d: must be greater than or equal to 0" % spec["replicas"]))
        if old is not None and sel and old.get("spec", {}).get("selector") != sel:
            errs.append(("spec.selector", "FieldValueInvalid", "%s: field is immutable" % json.dumps(sel)))
    if rt.resource in ("configmaps", "secrets") and old is not None and old.get("immutable") is True:
        if obj.get("immutable") is not True:
            errs.append(("immutable", "FieldValueForbidden", "field is immutable when `immutable` is set"))
        for key in ("data", "binaryData") if rt.resource == "configmaps" else ("data",):
            if (obj.get(key) or {}) != (old.get(key) or {}):
                errs.append((key, "FieldValueForbidden", "field is immutable when `immutable` is set"))
    if rt.resource == "secrets" and old is not None and obj.get("type") != old.get("type"):
        errs.append(("type", "FieldValueInvalid", '"%s": field is immutable' % obj.get("type")))
    if rt.resource == "pods" and old is not None and \
            strip_images(obj.get("spec")) != strip_images(old.get("spec")):
        errs.append(("spec", "FieldValueForbidden", "pod updates may not change fields other than "
                     "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
                     "`spec.tolerations` (only additions to existing tolerations),"
                     "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"))
    if errs:
        raise invalid(rt, name, errs)


def strip_images(spec):
    spec = copy.deepcopy(spec or {})
    for c in spec.get("containers", []) + spec.get("initContainers", []):
        c.pop("image", None)
    return spec


def go_map(d):
    return "map[string]string{%s}" % ", ".join('"%s":"%s"' % kv for kv in sorted(d.items()))


# ---------------------------------------------------------------- the store
Event = collections.namedtuple("Event", "rv type obj prev")


class Store:
    """All objects, behind one re-entrant lock. Handlers hold `lock` around a
    read-modify-write so it is atomic, as etcd's compare-and-swap makes it."""

    def __init__(self, history=1000):
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.rv = 1
        self.objects = {rt.resource: {} for rt in RESOURCES}
        self.history = {rt.resource: collections.deque() for rt in RESOURCES}
        # The newest resourceVersion dropped from each history: a watch from
        # before it cannot be served (410 Gone).
        self.evicted = {rt.resource: 0 for rt in RESOURCES}
        self.history_size = history

    # -- history
    def set_history_size(self, n):
        with self.lock:
            self.history_size = max(1, int(n))
            for res in self.history:
                self._trim(res)

    def _trim(self, res):
        h = self.history[res]
        while len(h) > self.history_size:
            self.evicted[res] = h.popleft().rv

    def _record(self, rt, etype, obj, prev):
        self.history[rt.resource].append(Event(int(obj["metadata"]["resourceVersion"]), etype,
                                               copy.deepcopy(obj), copy.deepcopy(prev)))
        self._trim(rt.resource)
        self.changed.notify_all()

    def _bump(self):
        self.rv += 1
        return str(self.rv)

    # -- reads
    def get(self, rt, ns, name):
        with self.lock:
            obj = self.objects[rt.resource].get((ns or "", name))
            if obj is None:
                raise not_found(rt, name)
            return copy.deepcopy(obj)

    def find(self, rt, ns, name):
        with self.lock:
            obj = self.objects[rt.resource].get((ns or "", name))
            return copy.deepcopy(obj) if obj is not None else None

    def list(self, rt, ns=None, label_reqs=(), field_reqs=()):
        """Objects of rt (in ns, or everywhere when ns is None), sorted like etcd keys."""
        with self.lock:
            out = []
            for (ons, _), obj in sorted(self.objects[rt.resource].items()):
                if ns is not None and ons != ns:
                    continue
                if labels_match(label_reqs, obj["metadata"].get("labels")) and fields_match(field_reqs, obj):
                    out.append(copy.deepcopy(obj))
            return out, str(self.rv)

    # -- writes
    def create(self, rt, ns, obj, manager, dry_run=False, managed=True):
        with self.lock:
            meta = obj.setdefault("metadata", {})
            if rt.namespaced:
                if meta.get("namespace") not in (None, "", ns):
                    raise bad_request("the namespace of the provided object does not match the namespace "
                                      "sent on the request")
                if ns not in [n for (_, n) in self.objects["namespaces"]]:
                    raise not_found(BY_PATH[("", "v1", "namespaces")], ns)
                meta["namespace"] = ns
            if not meta.get("name") and meta.get("generateName"):
                meta["name"] = meta["generateName"] + random_suffix()
            if not meta.get("name"):
                raise invalid(rt, "", [("metadata.name", "FieldValueRequired", "name or generateName is required")])
            if (ns or "", meta["name"]) in self.objects[rt.resource]:
                raise already_exists(rt, meta["name"])
            obj["apiVersion"], obj["kind"] = rt.api_version, rt.kind
            for k in ("resourceVersion", "uid", "selfLink", "deletionTimestamp"):
                meta.pop(k, None)
            apply_defaults(rt, obj)
            if rt.resource == "pods":
                obj["spec"].setdefault("nodeName", "fake-node")  # the scheduler of this one-node cluster binds at once
            validate(rt, obj, None)
            meta["uid"] = str(uuid.uuid4())
            meta["creationTimestamp"] = rfc3339()
            if rt.generation:
                meta["generation"] = 1
            else:
                meta.pop("generation", None)
            if managed:
                k8s_fields.update_managed(rt, None, obj, manager, None, rfc3339())
            if dry_run:
                meta["resourceVersion"] = str(self.rv)
                return obj
            meta["resourceVersion"] = self._bump()
            self.objects[rt.resource][(ns or "", meta["name"])] = copy.deepcopy(obj)
            self._record(rt, "ADDED", obj, None)
            return obj

    def update(self, rt, ns, name, obj, manager, subresource=None, dry_run=False, managed=True, check_rv=True):
        """PUT semantics: a stale metadata.resourceVersion is a 409 Conflict; the
        main resource cannot change status, /status changes only status."""
        with self.lock:
            old = self.get(rt, ns, name)
            meta = obj.setdefault("metadata", {})
            if meta.get("name", name) != name:
                raise bad_request("the name of the object (%s) does not match the name on the URL (%s)"
                                  % (meta.get("name"), name))
            if rt.namespaced and meta.get("namespace") not in (None, "", ns):
                raise bad_request("the namespace of the provided object does not match the namespace "
                                  "sent on the request")
            if check_rv and meta.get("resourceVersion") and meta["resourceVersion"] != old["metadata"]["resourceVersion"]:
                raise stale_conflict(rt, name)
            if subresource == "status":
                new = copy.deepcopy(old)
                new["status"] = obj.get("status")
                if "managedFields" in meta:
                    new["metadata"]["managedFields"] = meta["managedFields"]
            else:
                new = obj
                if rt.status and rt.resource != "namespaces":
                    new["status"] = copy.deepcopy(old.get("status"))
                    if new["status"] is None:
                        new.pop("status")
            new["apiVersion"], new["kind"] = rt.api_version, rt.kind
            nm = new["metadata"]
            nm["name"] = name
            if rt.namespaced:
                nm["namespace"] = ns
            for k in ("uid", "creationTimestamp", "deletionTimestamp"):
                if k in old["metadata"]:
                    nm[k] = old["metadata"][k]
            if rt.generation:
                nm["generation"] = old["metadata"].get("generation", 1)
            if "managedFields" not in nm and "managedFields" in old["metadata"]:
                nm["managedFields"] = old["metadata"]["managedFields"]
            apply_defaults(rt, new)
            validate(rt, new, old)
            if rt.generation and subresource is None and new.get("spec") != old.get("spec"):
                nm["generation"] += 1
            if managed:
                k8s_fields.update_managed(rt, old, new, manager, subresource, rfc3339())
            nm["resourceVersion"] = old["metadata"]["resourceVersion"]
            if new == old or dry_run:
                return new  # a no-op write keeps its resourceVersion, as etcd's guaranteed update does
            nm["resourceVersion"] = self._bump()
            self.objects[rt.resource][(ns or "", name)] = copy.deepcopy(new)
            self._record(rt, "MODIFIED", new, old)
            return new

    def delete(self, rt, ns, name, dry_run=False, precondition_uid=None, precondition_rv=None):
        with self.lock:
            old = self.get(rt, ns, name)
            if precondition_uid and precondition_uid != old["metadata"]["uid"]:
                raise ApiError(409, "Conflict", 'Operation cannot be fulfilled on %s "%s": Precondition failed: '
                               "UID in precondition: %s, UID in object meta: %s"
                               % (rt.qualified, name, precondition_uid, old["metadata"]["uid"]), _details(rt, name))
            if precondition_rv and precondition_rv != old["metadata"]["resourceVersion"]:
                raise stale_conflict(rt, name)
            if dry_run:
                return old
            del self.objects[rt.resource][(ns or "", name)]
            gone = copy.deepcopy(old)
            gone["metadata"]["resourceVersion"] = self._bump()
            self._record(rt, "DELETED", gone, old)
            return gone

    # -- watches
    def events_since(self, rt, rv):
        """Events of rt newer than rv; raises 410 Expired when the history window
        no longer covers rv (the watch cache's "too old resource version")."""
        with self.lock:
            if rv < self.evicted[rt.resource]:
                oldest = self.history[rt.resource][0].rv if self.history[rt.resource] else self.rv
                raise ApiError(410, "Expired", "too old resource version: %d (%d)" % (rv, oldest - 1))
            return [e for e in self.history[rt.resource] if e.rv > rv]
