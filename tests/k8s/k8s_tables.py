"""Server-side printing: `kubectl get` asks for
"application/json;as=Table;v=v1;g=meta.k8s.io" and prints the columns the
server returns (pkg/printers/internalversion of the real server). These are
the real columns of each kind, with the real cell formats."""
import time

import k8s_store


def human_duration(seconds):
    """duration.HumanDuration of k8s.io/apimachinery."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return "%ds" % s
    m = s // 60
    if m < 10:
        return "%dm%ds" % (m, s % 60) if s % 60 else "%dm" % m
    if m < 180:
        return "%dm" % m
    h = s // 3600
    if h < 8:
        return "%dh%dm" % (h, m % 60) if m % 60 else "%dh" % h
    if h < 48:
        return "%dh" % h
    if h < 24 * 8:
        return "%dd%dh" % (h // 24, h % 24) if h % 24 else "%dd" % (h // 24)
    return "%dd" % (h // 24)


def age(obj):
    t = k8s_store.parse_time(obj.get("metadata", {}).get("creationTimestamp"))
    return "<unknown>" if t is None else human_duration(time.time() - t)


def since(ts):
    t = k8s_store.parse_time(ts)
    return "<unknown>" if t is None else human_duration(time.time() - t)


NAME = ("Name", "string", "name", "Name must be unique within a namespace.", 0)
AGE = ("Age", "string", "", "CreationTimestamp is a timestamp representing the server time when this object "
       "was created.", 0)


def col(name, typ="string", priority=0, fmt="", desc=""):
    return (name, typ, fmt, desc or name, priority)


def _containers(spec):
    cs = (spec or {}).get("containers") or []
    return ",".join(c.get("name", "") for c in cs), ",".join(c.get("image", "") for c in cs)


def deployment(d):
    spec, st = d.get("spec", {}), d.get("status", {})
    names, images = _containers(spec.get("template", {}).get("spec"))
    return [d["metadata"]["name"], "%d/%d" % (st.get("readyReplicas", 0), spec.get("replicas", 0)),
            st.get("updatedReplicas", 0), st.get("availableReplicas", 0), age(d), names, images,
            k8s_store.selector_string(spec.get("selector"))]


def replicaset(rs):
    spec, st = rs.get("spec", {}), rs.get("status", {})
    names, images = _containers(spec.get("template", {}).get("spec"))
    return [rs["metadata"]["name"], spec.get("replicas", 0), st.get("replicas", 0), st.get("readyReplicas", 0),
            age(rs), names, images, k8s_store.selector_string(spec.get("selector"))]


def pod_status_reason(p):
    """What printPod shows in STATUS."""
    st = p.get("status", {})
    reason = st.get("reason") or st.get("phase", "Pending")
    for c in st.get("containerStatuses") or []:
        state = c.get("state", {})
        if state.get("waiting", {}).get("reason"):
            reason = state["waiting"]["reason"]
        elif state.get("terminated", {}).get("reason"):
            reason = state["terminated"]["reason"]
    if p.get("metadata", {}).get("deletionTimestamp"):
        reason = "Terminating"
    return reason


def pod(p):
    st = p.get("status", {})
    cs = st.get("containerStatuses") or []
    total = len(p.get("spec", {}).get("containers") or [])
    ready = sum(1 for c in cs if c.get("ready"))
    restarts = sum(c.get("restartCount", 0) for c in cs)
    last = [c["lastState"]["terminated"].get("finishedAt") for c in cs
            if c.get("lastState", {}).get("terminated", {}).get("finishedAt")]
    rtext = "%d (%s ago)" % (restarts, since(max(last))) if restarts and last else str(restarts)
    return [p["metadata"]["name"], "%d/%d" % (ready, total), pod_status_reason(p), rtext, age(p),
            st.get("podIP", "<none>"), p.get("spec", {}).get("nodeName", "<none>"), "<none>", "<none>"]


def service(s):
    spec = s.get("spec", {})
    ports = ",".join("%s/%s" % (p.get("port"), p.get("protocol", "TCP")) if not p.get("nodePort") else
                     "%s:%s/%s" % (p.get("port"), p["nodePort"], p.get("protocol", "TCP"))
                     for p in spec.get("ports") or []) or "<none>"
    ext = ",".join(spec.get("externalIPs") or []) or ("<pending>" if spec.get("type") == "LoadBalancer" else "<none>")
    sel = ",".join("%s=%s" % kv for kv in sorted((spec.get("selector") or {}).items())) or "<none>"
    return [s["metadata"]["name"], spec.get("type", "ClusterIP"), spec.get("clusterIP", "<none>"), ext, ports,
            age(s), sel]


def namespace(n):
    return [n["metadata"]["name"], n.get("status", {}).get("phase", "Active"), age(n)]


def configmap(c):
    return [c["metadata"]["name"], len(c.get("data") or {}) + len(c.get("binaryData") or {}), age(c)]


def secret(s):
    return [s["metadata"]["name"], s.get("type", "Opaque"), len(s.get("data") or {}), age(s)]


def event(e):
    io = e.get("involvedObject", {})
    last = e.get("lastTimestamp") or e.get("eventTime") or e["metadata"].get("creationTimestamp")
    first = e.get("firstTimestamp") or last
    count = e.get("count", 1)
    seen = "%s (x%d over %s)" % (since(last), count, since(first)) if count > 1 else since(last)
    return [seen, e.get("type", ""), e.get("reason", ""),
            "%s/%s" % (io.get("kind", "").lower(), io.get("name", "")), io.get("fieldPath", ""),
            "%s, %s" % (e.get("source", {}).get("component", ""), e.get("source", {}).get("host", "")),
            e.get("message", ""), since(first), count, e["metadata"]["name"]]


def lease(lz):
    return [lz["metadata"]["name"], lz.get("spec", {}).get("holderIdentity", ""), age(lz)]


def ingress(i):
    spec = i.get("spec", {})
    hosts = ",".join(r.get("host", "*") for r in spec.get("rules") or []) or "*"
    lbs = (i.get("status", {}).get("loadBalancer") or {}).get("ingress") or []
    addr = ",".join(x.get("ip") or x.get("hostname", "") for x in lbs)
    return [i["metadata"]["name"], spec.get("ingressClassName", "<none>"), hosts, addr,
            "80, 443" if spec.get("tls") else "80", age(i)]


TABLES = {
    "deployments": ([NAME, col("Ready"), col("Up-to-date", "integer"), col("Available", "integer"), AGE,
                     col("Containers", priority=1), col("Images", priority=1), col("Selector", priority=1)],
                    deployment),
    "replicasets": ([NAME, col("Desired", "integer"), col("Current", "integer"), col("Ready", "integer"), AGE,
                     col("Containers", priority=1), col("Images", priority=1), col("Selector", priority=1)],
                    replicaset),
    "pods": ([NAME, col("Ready"), col("Status"), col("Restarts"), AGE, col("IP", priority=1),
              col("Node", priority=1), col("Nominated Node", priority=1), col("Readiness Gates", priority=1)], pod),
    "services": ([NAME, col("Type"), col("Cluster-IP"), col("External-IP"), col("Port(s)"), AGE,
                  col("Selector", priority=1)], service),
    "namespaces": ([NAME, col("Status"), AGE], namespace),
    "configmaps": ([NAME, col("Data", "integer"), AGE], configmap),
    "secrets": ([NAME, col("Type"), col("Data", "integer"), AGE], secret),
    "events": ([col("Last Seen"), col("Type"), col("Reason"), col("Object"), col("Subobject", priority=1),
                col("Source", priority=1), col("Message"), col("First Seen", priority=1),
                col("Count", priority=1), col("Name", priority=1, fmt="name")], event),
    "leases": ([NAME, col("Holder"), AGE], lease),
    "ingresses": ([NAME, col("Class"), col("Hosts"), col("Address"), col("Ports"), AGE], ingress),
}


def partial(obj):
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj["metadata"]}


def table(rt, objs, rv, include="Metadata", list_meta=None, headers=True):
    cols, row = TABLES.get(rt.resource, ([NAME, col("Created At", fmt="date")],
                                         lambda o: [o["metadata"]["name"], o["metadata"].get("creationTimestamp")]))
    rows = []
    for o in objs:
        r = {"cells": row(o)}
        if include == "Object":
            r["object"] = o
        elif include != "None":
            r["object"] = partial(o)
        rows.append(r)
    meta = {"resourceVersion": rv}
    meta.update(list_meta or {})
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": meta,
            "columnDefinitions": [{"name": n, "type": t, "format": f, "description": d, "priority": p}
                                  for n, t, f, d, p in cols] if headers else [],
            "rows": rows}
