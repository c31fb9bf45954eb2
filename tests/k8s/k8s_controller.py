"""The controllers of the fake Kubernetes API server, in one thread: what
kube-controller-manager (deployment, replicaset and garbage collector
controllers), the scheduler and the kubelet of one node ("fake-node") would do.

Pods run nothing. How a pod behaves comes from a table the tests set through
the admin port: a key is an image ("demo:2") or a pod label ("label:app=x"),
a value one of
  ready    the containers start and turn ready (the default)
  never    they run but never turn ready (Warning Unhealthy "Readiness probe failed")
  crash    they keep crashing: restartCount grows, CrashLoopBackOff, Warning BackOff
  pull     the image cannot be pulled: ImagePullBackOff, Warning Failed
  slow:N   they turn ready N seconds after the pod started
Everything is written through the store like a real client would, so every
change has a resourceVersion and reaches the watches.
"""
import copy
import json
import math
import sys
import threading
import time
import traceback

import k8s_store
from k8s_store import ApiError, BY_PATH, rfc3339, parse_time

DEPLOY = BY_PATH[("apps", "v1", "deployments")]
RS = BY_PATH[("apps", "v1", "replicasets")]
POD = BY_PATH[("", "v1", "pods")]
EVENT = BY_PATH[("", "v1", "events")]
NODE = "fake-node"
NODE_IP = "192.0.2.1"  # RFC 5737 documentation range: data only, never connected to
REVISION = "deployment.kubernetes.io/revision"
CM = "kube-controller-manager"


def fnv32a(data):
    h = 0x811C9DC5
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def template_hash(template):
    """controller.ComputeHash: a 32-bit FNV hash of the pod template, written
    with rand.SafeEncodeString's alphabet (no vowels, so no words)."""
    digits = str(fnv32a(json.dumps(template, sort_keys=True).encode()))
    return "".join(k8s_store.SAFE_ALPHABET[ord(c) % len(k8s_store.SAFE_ALPHABET)] for c in digits)


def strip_hash(template):
    t = copy.deepcopy(template)
    (t.get("metadata") or {}).get("labels", {}).pop("pod-template-hash", None)
    return t


def owner_ref(obj, kind, api_version):
    return {"apiVersion": api_version, "kind": kind, "name": obj["metadata"]["name"],
            "uid": obj["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}


def owned_by(obj, owner):
    return any(r.get("uid") == owner["metadata"]["uid"] and r.get("controller")
               for r in obj["metadata"].get("ownerReferences") or [])


def revision(obj):
    try:
        return int((obj["metadata"].get("annotations") or {}).get(REVISION, "0"))
    except ValueError:
        return 0


def int_or_percent(value, total, round_up):
    if isinstance(value, str) and value.endswith("%"):
        x = int(value[:-1]) * total / 100.0
        return int(math.ceil(x) if round_up else math.floor(x))
    return int(value or 0)


def surge_unavailable(d):
    spec = d.get("spec", {})
    replicas = spec.get("replicas", 1)
    if spec.get("strategy", {}).get("type") != "RollingUpdate":
        return 0, 0
    ru = spec["strategy"].get("rollingUpdate") or {}
    surge = int_or_percent(ru.get("maxSurge", "25%"), replicas, True)
    unavail = int_or_percent(ru.get("maxUnavailable", "25%"), replicas, False)
    if surge == 0 and unavail == 0:
        unavail = 1
    return surge, min(unavail, replicas)


def set_condition(conds, ctype, status, reason, message, now, keep_same=True):
    """deploymentutil.SetDeploymentCondition: same status and reason is no change;
    a same status keeps its lastTransitionTime."""
    old = next((c for c in conds if c["type"] == ctype), None)
    if keep_same and old and old["status"] == status and old["reason"] == reason:
        return conds
    new = {"type": ctype, "status": status, "lastUpdateTime": now,
           "lastTransitionTime": old["lastTransitionTime"] if old and old["status"] == status else now,
           "reason": reason, "message": message}
    return [c for c in conds if c["type"] != ctype] + [new]


def nonzero(d):
    return {k: v for k, v in d.items() if v not in (0, None, [])}


class Controller(threading.Thread):
    def __init__(self, store, behaviours=None, tick=0.1, crash_interval=2.0, log_interval=1.0,
                 event_interval=2.0):
        super().__init__(daemon=True, name="controllers")
        self.store = store
        self.behaviours = dict(behaviours or {})
        self.tick, self.crash_interval = tick, crash_interval
        self.log_interval, self.event_interval = log_interval, event_interval
        self.started = {}      # pod uid -> time the kubelet first saw it
        self.recorded = {}     # event key -> (namespace, event name, time last counted)
        self.stop = threading.Event()

    # ------------------------------------------------------------ loop
    def run(self):
        while not self.stop.is_set():
            for step in (self.collect_garbage, self.sync_deployments, self.sync_replicasets, self.run_pods):
                try:
                    step()
                except ApiError as e:
                    if e.code not in (404, 409):  # lost a race with a client: next tick
                        print("controller: %s: %s" % (step.__name__, e), file=sys.stderr)
                except Exception:  # a bug must not stop the controllers of a running test
                    traceback.print_exc()
            self.stop.wait(self.tick)

    def behaviour(self, pod, container):
        table = dict(self.behaviours)  # a snapshot: the admin port's thread changes the table
        for key, value in table.items():
            if key.startswith("label:"):
                k, _, v = key[6:].partition("=")
                if (pod["metadata"].get("labels") or {}).get(k) == v:
                    return value
        return table.get(container.get("image", ""), "ready")

    # ------------------------------------------------------------ events
    def record(self, obj, etype, reason, message, component, field_path=None, repeat=False):
        """An event about obj, counted again (count, lastTimestamp) at most every
        event_interval while repeat is set, as the kubelet's event correlator does."""
        meta = obj["metadata"]
        key = (meta["uid"], etype, reason, message)
        now = time.time()
        seen = self.recorded.get(key)
        if seen and (not repeat or now - seen[2] < self.event_interval):
            return
        ns = meta.get("namespace", "default")
        if seen:
            ev = self.store.find(EVENT, seen[0], seen[1])
            if ev:
                ev["count"] = ev.get("count", 1) + 1
                ev["lastTimestamp"] = rfc3339(now)
                self.store.update(EVENT, seen[0], seen[1], ev, component)
                self.recorded[key] = (seen[0], seen[1], now)
                return
        kind = obj.get("kind", "")
        io = {"kind": kind, "namespace": ns, "name": meta["name"], "uid": meta["uid"],
              "apiVersion": obj.get("apiVersion", ""), "resourceVersion": meta.get("resourceVersion", "")}
        if field_path:
            io["fieldPath"] = field_path
        host = NODE if component == "kubelet" else None
        ev = {"metadata": {"name": "%s.%x" % (meta["name"], time.time_ns()), "namespace": ns},
              "involvedObject": io, "reason": reason, "message": message,
              "source": {"component": component, "host": host} if host else {"component": component},
              "firstTimestamp": rfc3339(now), "lastTimestamp": rfc3339(now), "count": 1, "type": etype,
              "eventTime": None, "reportingComponent": component, "reportingInstance": host or ""}
        created = self.store.create(EVENT, ns, ev, component)
        self.recorded[key] = (ns, created["metadata"]["name"], now)

    # ------------------------------------------------------------ garbage collector
    def collect_garbage(self):
        """Dependents whose controller owner is gone are deleted (background propagation)."""
        owners = {o["metadata"]["uid"] for rt in (DEPLOY, RS) for o in self.store.list(rt)[0]}
        for rt in (RS, POD):
            for obj in self.store.list(rt)[0]:
                refs = [r for r in obj["metadata"].get("ownerReferences") or [] if r.get("controller")]
                if refs and all(r["uid"] not in owners for r in refs):
                    self.store.delete(rt, obj["metadata"]["namespace"], obj["metadata"]["name"])
                    self.started.pop(obj["metadata"]["uid"], None)

    # ------------------------------------------------------------ deployments
    def sync_deployments(self):
        for d in self.store.list(DEPLOY)[0]:
            with self.store.lock:
                self.sync_deployment(d)

    def scale(self, d, rs, replicas, cause=None):
        old = rs["spec"].get("replicas", 0)
        if old == replicas:
            return rs
        rs = copy.deepcopy(rs)
        rs["spec"]["replicas"] = replicas
        ann = rs["metadata"].setdefault("annotations", {})
        ann["deployment.kubernetes.io/desired-replicas"] = str(d["spec"].get("replicas", 1))
        ann["deployment.kubernetes.io/max-replicas"] = str(d["spec"].get("replicas", 1) + surge_unavailable(d)[0])
        rs = self.store.update(RS, rs["metadata"]["namespace"], rs["metadata"]["name"], rs, CM)
        self.record(d, "Normal", "ScalingReplicaSet", "Scaled %s replica set %s from %d to %d"
                    % ("up" if replicas > old else "down", rs["metadata"]["name"], old, replicas),
                    "deployment-controller")
        return rs

    def sync_deployment(self, d):
        ns, name = d["metadata"]["namespace"], d["metadata"]["name"]
        spec = d["spec"]
        replicas = spec.get("replicas", 1)
        now = rfc3339()
        conds = list((d.get("status") or {}).get("conditions") or [])
        all_rs = [rs for rs in self.store.list(RS, ns)[0] if owned_by(rs, d)]
        template = json.dumps(spec["template"], sort_keys=True)
        new_rs = next((rs for rs in all_rs
                       if json.dumps(strip_hash(rs["spec"]["template"]), sort_keys=True) == template), None)
        old_rs = sorted([rs for rs in all_rs if rs is not new_rs], key=revision)
        max_rev = max([revision(rs) for rs in old_rs] or [0])
        surge, unavail = surge_unavailable(d)
        if new_rs is None and not spec.get("paused"):
            new_rs = self.create_rs(d, max_rev + 1, 0)
            conds = set_condition(conds, "Progressing", "True", "NewReplicaSetCreated",
                                  'Created new replica set "%s"' % new_rs["metadata"]["name"], now)
        elif new_rs is not None and revision(new_rs) <= max_rev:
            new_rs = copy.deepcopy(new_rs)  # rolled back to an older template: it is the newest revision again
            new_rs["metadata"].setdefault("annotations", {})[REVISION] = str(max_rev + 1)
            new_rs = self.store.update(RS, ns, new_rs["metadata"]["name"], new_rs, CM)
        if new_rs is not None and (d["metadata"].get("annotations") or {}).get(REVISION) != str(revision(new_rs)):
            d = copy.deepcopy(d)
            d["metadata"].setdefault("annotations", {})[REVISION] = str(revision(new_rs))
            d = self.store.update(DEPLOY, ns, name, d, CM)
        if new_rs is not None and not spec.get("paused"):
            if spec.get("strategy", {}).get("type") == "Recreate":
                self.recreate(d, new_rs, old_rs, replicas)
            else:
                self.rolling_update(d, new_rs, old_rs, replicas, unavail, surge)
            self.cleanup(d, old_rs)
        self.sync_status(d, new_rs, conds, replicas, unavail, now)

    def create_rs(self, d, rev, replicas):
        template = copy.deepcopy(d["spec"]["template"])
        h = template_hash(template)
        template.setdefault("metadata", {}).setdefault("labels", {})["pod-template-hash"] = h
        sel = copy.deepcopy(d["spec"]["selector"])
        sel.setdefault("matchLabels", {})["pod-template-hash"] = h
        rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
              "metadata": {"name": "%s-%s" % (d["metadata"]["name"], h),
                           "labels": dict(template["metadata"]["labels"]),
                           "annotations": {REVISION: str(rev),
                                           "deployment.kubernetes.io/desired-replicas": str(d["spec"]["replicas"]),
                                           "deployment.kubernetes.io/max-replicas":
                                               str(d["spec"]["replicas"] + surge_unavailable(d)[0])},
                           "ownerReferences": [owner_ref(d, "Deployment", "apps/v1")]},
              "spec": {"replicas": replicas, "selector": sel, "template": template}}
        if d["spec"].get("minReadySeconds"):
            rs["spec"]["minReadySeconds"] = d["spec"]["minReadySeconds"]
        rs = self.store.create(RS, d["metadata"]["namespace"], rs, CM)
        return rs

    def recreate(self, d, new_rs, old_rs, replicas):
        active = [rs for rs in old_rs if rs["spec"].get("replicas", 0) > 0]
        for rs in active:
            self.scale(d, rs, 0)
        if active or any(rs.get("status", {}).get("replicas", 0) > 0 for rs in old_rs):
            return  # Recreate: the new pods start once every old pod is gone
        self.scale(d, new_rs, replicas)

    def rolling_update(self, d, new_rs, old_rs, replicas, unavail, surge):
        have = new_rs["spec"].get("replicas", 0)
        if have > replicas:
            self.scale(d, new_rs, replicas)
            return
        if have < replicas:
            current = sum(rs["spec"].get("replicas", 0) for rs in old_rs) + have
            room = replicas + surge - current
            if room > 0:
                self.scale(d, new_rs, have + min(room, replicas - have))
                return  # like the real controller: scale up, then scale down on a later sync
        if not any(rs["spec"].get("replicas", 0) for rs in old_rs):
            return
        all_rs = old_rs + [new_rs]
        total = sum(rs["spec"].get("replicas", 0) for rs in all_rs)
        min_available = replicas - unavail
        new_unavailable = new_rs["spec"].get("replicas", 0) - new_rs.get("status", {}).get("availableReplicas", 0)
        budget = total - min_available - new_unavailable
        if budget <= 0:
            return
        # Unhealthy old replicas go first, or they would block the rollout.
        cleaned = 0
        for i, rs in enumerate(old_rs):
            want, ok = rs["spec"].get("replicas", 0), rs.get("status", {}).get("availableReplicas", 0)
            if cleaned >= budget or want == 0 or want == ok:
                continue
            n = min(budget - cleaned, want - ok)
            old_rs[i] = self.scale(d, rs, want - n)
            cleaned += n
        available = sum(rs.get("status", {}).get("availableReplicas", 0) for rs in old_rs + [new_rs])
        allowed = available - min_available
        for rs in old_rs:
            want = rs["spec"].get("replicas", 0)
            if allowed <= 0:
                break
            if want == 0:
                continue
            n = min(want, allowed)
            self.scale(d, rs, want - n)
            allowed -= n

    def cleanup(self, d, old_rs):
        limit = d["spec"].get("revisionHistoryLimit", 10)
        idle = [rs for rs in old_rs if rs["spec"].get("replicas", 0) == 0 and
                rs.get("status", {}).get("replicas", 0) == 0]
        for rs in idle[:max(0, len(idle) - limit)]:
            self.store.delete(RS, rs["metadata"]["namespace"], rs["metadata"]["name"])

    def sync_status(self, d, new_rs, conds, replicas, unavail, now):
        """DeploymentController.syncRolloutStatus: counts, Available, Progressing."""
        seen = d["metadata"].get("generation", 1)
        d = self.store.find(DEPLOY, d["metadata"]["namespace"], d["metadata"]["name"])
        if d is None:
            return
        # The spec changed while this sync worked from the old one (an apply came
        # in between): the real controller's status update would conflict on the
        # resourceVersion and the next sync would count again. Writing counts of the
        # old template's ReplicaSet under the new generation would claim a finished
        # rollout that has not started.
        if d["metadata"].get("generation", 1) != seen:
            return
        all_rs = [rs for rs in self.store.list(RS, d["metadata"]["namespace"])[0] if owned_by(rs, d)]
        if new_rs is not None:
            new_rs = next((rs for rs in all_rs if rs["metadata"]["uid"] == new_rs["metadata"]["uid"]), None)
        old = d.get("status") or {}
        sums = lambda key, rss: sum(rs.get("status", {}).get(key, 0) for rs in rss)
        available = sums("availableReplicas", all_rs)
        st = {"observedGeneration": d["metadata"].get("generation", 1),
              "replicas": sums("replicas", all_rs),
              "updatedReplicas": sums("replicas", [new_rs] if new_rs else []),
              "readyReplicas": sums("readyReplicas", all_rs),
              "availableReplicas": available,
              "unavailableReplicas": max(0, sum(rs["spec"].get("replicas", 0) for rs in all_rs) - available)}
        if available >= replicas - unavail:
            conds = set_condition(conds, "Available", "True", "MinimumReplicasAvailable",
                                  "Deployment has minimum availability.", now)
        else:
            conds = set_condition(conds, "Available", "False", "MinimumReplicasUnavailable",
                                  "Deployment does not have minimum availability.", now)
        progressing = next((c for c in conds if c["type"] == "Progressing"), None)
        deadline = d["spec"].get("progressDeadlineSeconds")
        complete = progressing and progressing["reason"] == "NewReplicaSetAvailable" and \
            st["replicas"] == st["updatedReplicas"]
        rs_name = new_rs["metadata"]["name"] if new_rs else None
        if deadline is not None and not complete and not d["spec"].get("paused"):
            if st["updatedReplicas"] == replicas and st["replicas"] == replicas and available == replicas:
                conds = set_condition(conds, "Progressing", "True", "NewReplicaSetAvailable",
                                      'ReplicaSet "%s" has successfully progressed.' % rs_name, now)
            elif (st["updatedReplicas"] > old.get("updatedReplicas", 0) or
                  st["replicas"] - st["updatedReplicas"] < old.get("replicas", 0) - old.get("updatedReplicas", 0) or
                  st["readyReplicas"] > old.get("readyReplicas", 0) or available > old.get("availableReplicas", 0)):
                conds = set_condition(conds, "Progressing", "True", "ReplicaSetUpdated",
                                      'ReplicaSet "%s" is progressing.' % rs_name, now, keep_same=False)
            elif progressing and progressing["reason"] != "ProgressDeadlineExceeded" and \
                    (parse_time(progressing["lastUpdateTime"]) or 0) + deadline < time.time():
                conds = set_condition(conds, "Progressing", "False", "ProgressDeadlineExceeded",
                                      'ReplicaSet "%s" has timed out progressing.' % rs_name, now)
        # Available first, then Progressing, as the real status shows them.
        conds = sorted(conds, key=lambda c: c["type"] != "Available")
        status = nonzero(st)
        status["observedGeneration"] = st["observedGeneration"]
        status["conditions"] = conds
        if old.get("collisionCount"):
            status["collisionCount"] = old["collisionCount"]
        if status != old:
            d["status"] = status
            self.store.update(DEPLOY, d["metadata"]["namespace"], d["metadata"]["name"], d, CM, subresource="status")

    # ------------------------------------------------------------ replica sets
    def sync_replicasets(self):
        for rs in self.store.list(RS)[0]:
            with self.store.lock:
                self.sync_replicaset(rs)

    def sync_replicaset(self, rs):
        ns = rs["metadata"]["namespace"]
        pods = [p for p in self.store.list(POD, ns)[0] if owned_by(p, rs)]
        want = rs["spec"].get("replicas", 0)
        for _ in range(want - len(pods)):
            pods.append(self.create_pod(rs))
        if len(pods) > want:
            # ActivePodsWithRanks: not ready before ready, then the newest first.
            newest = sorted(pods, key=lambda p: (p["metadata"]["creationTimestamp"], p["metadata"]["name"]),
                            reverse=True)
            for p in sorted(newest, key=self.pod_ready)[:len(pods) - want]:
                self.store.delete(POD, ns, p["metadata"]["name"])
                self.started.pop(p["metadata"]["uid"], None)
                self.record(rs, "Normal", "SuccessfulDelete", "Deleted pod: " + p["metadata"]["name"],
                            "replicaset-controller")
            pods = [p for p in self.store.list(POD, ns)[0] if owned_by(p, rs)]
        labels = rs["spec"]["template"].get("metadata", {}).get("labels", {})
        min_ready = rs["spec"].get("minReadySeconds", 0)
        st = nonzero({"replicas": len(pods),
                      "fullyLabeledReplicas": sum(1 for p in pods if all(
                          (p["metadata"].get("labels") or {}).get(k) == v for k, v in labels.items())),
                      "readyReplicas": sum(1 for p in pods if self.pod_ready(p)),
                      "availableReplicas": sum(1 for p in pods if self.pod_available(p, min_ready))})
        st["replicas"] = len(pods)
        st["observedGeneration"] = rs["metadata"].get("generation", 1)
        if st != {k: v for k, v in (rs.get("status") or {}).items() if k != "conditions"}:
            rs = self.store.find(RS, ns, rs["metadata"]["name"])
            if rs:
                rs["status"] = st
                self.store.update(RS, ns, rs["metadata"]["name"], rs, CM, subresource="status")

    def create_pod(self, rs):
        t = rs["spec"]["template"]
        name = "%s-%s" % (rs["metadata"]["name"], k8s_store.random_suffix())
        pod = {"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": name, "generateName": rs["metadata"]["name"] + "-",
                            "labels": copy.deepcopy(t.get("metadata", {}).get("labels", {})),
                            "ownerReferences": [owner_ref(rs, "ReplicaSet", "apps/v1")]},
               "spec": copy.deepcopy(t.get("spec", {}))}
        if t.get("metadata", {}).get("annotations"):
            pod["metadata"]["annotations"] = copy.deepcopy(t["metadata"]["annotations"])
        pod = self.store.create(POD, rs["metadata"]["namespace"], pod, CM)
        self.record(rs, "Normal", "SuccessfulCreate", "Created pod: " + name, "replicaset-controller")
        return pod

    @staticmethod
    def pod_ready(p):
        return any(c["type"] == "Ready" and c["status"] == "True" for c in p.get("status", {}).get("conditions") or [])

    def pod_available(self, p, min_ready):
        if not self.pod_ready(p):
            return False
        since = next((parse_time(c.get("lastTransitionTime")) for c in p["status"]["conditions"]
                      if c["type"] == "Ready"), None)
        return min_ready == 0 or (since is not None and since + min_ready <= time.time())

    # ------------------------------------------------------------ kubelet
    def run_pods(self):
        pods = self.store.list(POD)[0]
        for p in pods:
            if p["spec"].get("nodeName") == NODE:
                with self.store.lock:
                    self.run_pod(p)
        alive = {p["metadata"]["uid"] for p in pods}
        for uid in [u for u in self.started if u not in alive]:
            del self.started[uid]

    def run_pod(self, pod):
        uid = pod["metadata"]["uid"]
        now = time.time()
        first = uid not in self.started
        start = self.started.setdefault(uid, now)
        old = pod.get("status") or {}
        if first:
            self.record(pod, "Normal", "Scheduled", "Successfully assigned %s/%s to %s"
                        % (pod["metadata"]["namespace"], pod["metadata"]["name"], NODE), "default-scheduler")
        prev = {c["name"]: c for c in old.get("containerStatuses") or []}
        statuses, pending = [], False
        for c in pod["spec"].get("containers") or []:
            cs, waiting = self.container_status(pod, c, prev.get(c["name"]), start, now, first)
            statuses.append(cs)
            pending = pending or waiting
        all_ready = all(cs["ready"] for cs in statuses)
        unready = [cs["name"] for cs in statuses if not cs["ready"]]

        def cond(ctype, ok, reason=None, message=None):
            was = next((c for c in old.get("conditions") or [] if c["type"] == ctype), None)
            status = "True" if ok else "False"
            c = {"type": ctype, "status": status, "lastProbeTime": None,
                 "lastTransitionTime": was["lastTransitionTime"] if was and was["status"] == status else rfc3339(now)}
            if not ok and reason:
                c["reason"], c["message"] = reason, message
            return c

        msg = "containers with unready status: [%s]" % " ".join(unready)
        status = {"phase": "Pending" if pending else "Running",
                  "conditions": [cond("PodReadyToStartContainers", not first), cond("Initialized", True),
                                 cond("Ready", all_ready, "ContainersNotReady", msg),
                                 cond("ContainersReady", all_ready, "ContainersNotReady", msg),
                                 cond("PodScheduled", True)],
                  "hostIP": NODE_IP, "hostIPs": [{"ip": NODE_IP}],
                  "podIP": old.get("podIP") or "192.0.2.%d" % (fnv32a(uid.encode()) % 250 + 2),
                  "startTime": old.get("startTime") or rfc3339(start),
                  "containerStatuses": statuses, "qosClass": "BestEffort"}
        status["podIPs"] = [{"ip": status["podIP"]}]
        if status != old:
            pod["status"] = status
            self.store.update(POD, pod["metadata"]["namespace"], pod["metadata"]["name"], pod, "kubelet",
                              subresource="status")

    def container_status(self, pod, c, prev, start, now, first):
        """The status of one container, and whether it is still waiting to start."""
        behaviour = self.behaviour(pod, c)
        name, image = c["name"], c.get("image", "")
        field = "spec.containers{%s}" % name
        cs = {"name": name, "image": image, "imageID": "", "ready": False, "restartCount": 0, "started": False}
        running_since = (prev or {}).get("state", {}).get("running", {}).get("startedAt") or rfc3339(start)
        if first:
            cs["state"] = {"waiting": {"reason": "ContainerCreating"}}
            return cs, True
        if behaviour == "pull":
            self.record(pod, "Normal", "Pulling", 'Pulling image "%s"' % image, "kubelet", field)
            self.record(pod, "Warning", "Failed", 'Failed to pull image "%s": rpc error: code = NotFound desc = '
                        'failed to pull and unpack image "%s": not found' % (image, image), "kubelet", field,
                        repeat=True)
            self.record(pod, "Warning", "Failed", "Error: ImagePullBackOff", "kubelet", field, repeat=True)
            cs["state"] = {"waiting": {"reason": "ImagePullBackOff", "message": 'Back-off pulling image "%s"' % image}}
            return cs, True
        cs["imageID"] = "docker.io/library/%s@sha256:%064x" % (image.split(":")[0], fnv32a(image.encode()))
        cs["containerID"] = "containerd://%064x" % fnv32a((pod["metadata"]["uid"] + name).encode())
        if prev is None or prev.get("state", {}).get("waiting", {}).get("reason") == "ContainerCreating":
            self.record(pod, "Normal", "Pulled", 'Container image "%s" already present on machine' % image,
                        "kubelet", field)
            self.record(pod, "Normal", "Created", "Created container: " + name, "kubelet", field)
            self.record(pod, "Normal", "Started", "Started container " + name, "kubelet", field)
        if behaviour == "crash":
            restarts = 1 + int((now - start) / self.crash_interval)
            last_end = start + (restarts - 1) * self.crash_interval
            cs["restartCount"] = restarts
            cs["lastState"] = {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": rfc3339(last_end - 0.5),
                                              "finishedAt": rfc3339(last_end), "containerID": cs["containerID"]}}
            cs["state"] = {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off %ds restarting failed "
                                       "container=%s pod=%s_%s(%s)" % (min(300, 10 * 2 ** min(restarts - 1, 5)), name,
                                                                       pod["metadata"]["name"],
                                                                       pod["metadata"]["namespace"],
                                                                       pod["metadata"]["uid"])}}
            self.record(pod, "Warning", "BackOff", "Back-off restarting failed container %s in pod %s_%s(%s)"
                        % (name, pod["metadata"]["name"], pod["metadata"]["namespace"], pod["metadata"]["uid"]),
                        "kubelet", field, repeat=True)
            return cs, False
        cs["state"] = {"running": {"startedAt": running_since}}
        cs["started"] = True
        if behaviour == "never":
            self.record(pod, "Warning", "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503",
                        "kubelet", field, repeat=True)
        elif behaviour.startswith("slow:"):
            cs["ready"] = now - start >= float(behaviour[5:])
        else:
            cs["ready"] = True
        return cs, False

    # ------------------------------------------------------------ logs
    def log_lines(self, pod, container, previous=False):
        """(time, text) of what the container printed so far: a few lines at start,
        then one every log_interval while it runs."""
        start = self.started.get(pod["metadata"]["uid"], time.time())
        name, image = pod["metadata"]["name"], container.get("image", "")
        head = [(start, "fake-app starting: pod=%s container=%s image=%s" % (name, container["name"], image)),
                (start, "fake-app config loaded: namespace=%s node=%s" % (pod["metadata"]["namespace"], NODE)),
                (start, "fake-app listening: pod=%s" % name)]
        if self.behaviour(pod, container) == "crash":
            return head[:2] + [(start, "fake-app fatal: pod=%s image=%s exits with status 1%s"
                                % (name, image, " (previous run)" if previous else ""))]
        n = int((time.time() - start) / self.log_interval)
        return head + [(start + k * self.log_interval, "fake-app tick %d: pod=%s image=%s" % (k, name, image))
                       for k in range(1, n + 1)]
