"""metrics.k8s.io/v1beta1 as metrics-server serves it (what `kubectl top` and
`ecp top` read): PodMetrics of the pods that run and NodeMetrics of the one
node, from a usage table the test sets on the admin port (POST /usage:
{"image or label:k=v": {"cpu": "250m", "memory": "64Mi"}}; each container
matched uses that, the others DEFAULT_USAGE), and the Node itself (core v1,
stored) with its capacity. POST /metrics-server {"enabled": false} takes the
API away, as on a cluster without metrics-server: its group leaves discovery
and its paths answer 404."""
import k8s_store
from k8s_store import ApiError, ResourceType, rfc3339

GROUP, VERSION = "metrics.k8s.io", "v1beta1"
POD_METRICS = ResourceType(GROUP, VERSION, "pods", "PodMetrics", "", verbs=["get", "list"])
NODE_METRICS = ResourceType(GROUP, VERSION, "nodes", "NodeMetrics", "", namespaced=False, verbs=["get", "list"])
NODE_RT = k8s_store.BY_PATH[("", "v1", "nodes")]
NODE_CAPACITY = {"cpu": "4", "memory": "8Gi", "pods": "110"}
DEFAULT_USAGE = {"cpu": "5m", "memory": "16Mi"}
NODE_BASE = {"cpu": 200_000_000, "memory": 1 << 30}  # the system's own use: nanocores, bytes
UNITS = {"n": 1e-9, "u": 1e-6, "m": 1e-3, "": 1, "k": 1e3, "M": 1e6, "G": 1e9,
         "Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30}


def quantity(text):
    """A resource.Quantity's value (the suffixes this server writes)."""
    for suffix in sorted(UNITS, key=len, reverse=True):
        if suffix and text.endswith(suffix):
            return float(text[:-len(suffix)]) * UNITS[suffix]
    return float(text)


def node_object():
    return {"metadata": {"name": "fake-node", "labels": {"kubernetes.io/hostname": "fake-node",
                                                          "kubernetes.io/os": "linux"}},
            "status": {"capacity": dict(NODE_CAPACITY), "allocatable": dict(NODE_CAPACITY),
                       "addresses": [{"type": "InternalIP", "address": "127.0.0.1"},
                                     {"type": "Hostname", "address": "fake-node"}],
                       "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}]}}


class MetricsMixin:
    """The handler's part: self.S.metrics_enabled, self.S.usage (the admin port's table)."""

    def metrics_group(self):
        versions = [{"groupVersion": GROUP + "/" + VERSION, "version": VERSION}]
        return {"name": GROUP, "versions": versions, "preferredVersion": versions[0]}

    def metrics(self, method, rest):
        if not self.S.metrics_enabled:
            raise ApiError(404, "NotFound", "the server could not find the requested resource", {})
        if not rest:
            return self.send(200, {"kind": "APIResourceList", "apiVersion": "v1",
                                   "groupVersion": GROUP + "/" + VERSION, "resources": [
                                       {"name": "nodes", "singularName": "", "namespaced": False,
                                        "kind": "NodeMetrics", "verbs": ["get", "list"]},
                                       {"name": "pods", "singularName": "", "namespaced": True,
                                        "kind": "PodMetrics", "verbs": ["get", "list"]}]})
        ns = None
        if rest[0] == "namespaces" and len(rest) >= 3:
            ns, rest = rest[1], rest[2:]
        rt = {"pods": POD_METRICS, "nodes": NODE_METRICS}.get(rest[0])
        if rt is None or len(rest) > 2 or (rt is NODE_METRICS and ns is not None):
            raise ApiError(404, "NotFound", "the server could not find the requested resource", {})
        if method != "GET":
            raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested "
                           "resource", {})
        name = rest[1] if len(rest) > 1 else None
        self.authorize(self.user, "get" if name else "list", rt, ns, name, None)
        labels, _ = self.selectors(k8s_store.BY_PATH[("", "v1", "pods")])
        items = self.pod_metrics(ns, labels) if rt is POD_METRICS else self.node_metrics(labels)
        if name:
            found = [i for i in items if i["metadata"]["name"] == name]
            if not found:
                raise ApiError(404, "NotFound", '%s.%s "%s" not found' % (rt.resource, GROUP, name),
                               {"name": name, "group": GROUP, "kind": rt.resource})
            return self.send(200, dict(found[0], kind=rt.kind, apiVersion=GROUP + "/" + VERSION))
        self.send(200, {"kind": rt.kind + "List", "apiVersion": GROUP + "/" + VERSION, "metadata": {},
                        "items": items})

    def usage_of(self, pod, container):
        labels = pod["metadata"].get("labels") or {}
        table = dict(self.S.usage)  # a snapshot: the admin port's thread changes it
        for key, use in table.items():
            if key == container.get("image") or (key.startswith("label:") and "=" in key and
                                                 labels.get(key[6:].split("=", 1)[0]) == key[6:].split("=", 1)[1]):
                return dict(DEFAULT_USAGE, **use)
        return dict(DEFAULT_USAGE)

    def pod_metrics(self, ns, labels):
        pods, _ = self.S.store.list(k8s_store.BY_PATH[("", "v1", "pods")], ns, labels)
        out = []
        for p in pods:
            if (p.get("status") or {}).get("phase") != "Running" or p["metadata"].get("deletionTimestamp"):
                continue
            containers = [{"name": c["name"], "usage": self.usage_of(p, c)} for c in p["spec"].get("containers", [])]
            out.append({"metadata": {"name": p["metadata"]["name"], "namespace": p["metadata"]["namespace"],
                                     "creationTimestamp": rfc3339(), "labels": p["metadata"].get("labels") or {}},
                        "timestamp": rfc3339(), "window": "15s", "containers": containers})
        return out

    def node_metrics(self, labels):
        cpu, mem = NODE_BASE["cpu"], NODE_BASE["memory"]
        for pm in self.pod_metrics(None, ()):
            for c in pm["containers"]:
                cpu += quantity(c["usage"]["cpu"]) * 1e9
                mem += quantity(c["usage"]["memory"])
        node = node_object()
        if not k8s_store.labels_match(labels, node["metadata"]["labels"]):
            return []
        return [{"metadata": {"name": "fake-node", "creationTimestamp": rfc3339(),
                              "labels": node["metadata"]["labels"]},
                 "timestamp": rfc3339(), "window": "20s",
                 "usage": {"cpu": "%dn" % int(cpu), "memory": "%dKi" % int(mem // 1024)}}]
