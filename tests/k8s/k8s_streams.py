"""The streaming answers of the fake Kubernetes API server: watches
(newline-delimited JSON events over chunked HTTP, BOOKMARK, 410 Expired as an
ERROR event) and pod logs (follow, timestamps, tailLines, sinceSeconds,
previous). A mixin of fake_apiserver.Handler."""
import json
import socket
import ssl
import time

import k8s_store
import k8s_tables
from k8s_store import ApiError, bad_request


class StreamsMixin:
    # -- watch
    def op_watch(self, rt, ns, name, sub, dry_run):
        store = self.S.store
        labels, fields = self.selectors(rt)
        table = self.wants_table()
        bookmarks = self.q.get("allowWatchBookmarks") in ("true", "1")
        initial_events = self.q.get("sendInitialEvents") == "true"
        timeout = float(self.q.get("timeoutSeconds") or 1800)
        rv_param = self.q.get("resourceVersion", "")
        if rv_param and not rv_param.isdigit():
            raise ApiError(400, "BadRequest", 'resourceVersion: Invalid value: "%s": strconv.ParseUint: parsing '
                           '"%s": invalid syntax' % (rv_param, rv_param))
        deadline = time.monotonic() + timeout
        expired = None

        def matches(o):
            return o is not None and (ns is None or o["metadata"].get("namespace") == ns) and \
                k8s_store.labels_match(labels, o["metadata"].get("labels")) and k8s_store.fields_match(fields, o)

        def frame(etype, obj):
            if table and etype not in ("BOOKMARK", "ERROR"):
                obj = k8s_tables.table(rt, [obj], obj["metadata"]["resourceVersion"],
                                       self.q.get("includeObject", "Metadata"))
            return json.dumps({"type": etype, "object": obj}).encode() + b"\n"

        def bookmark(rv, initial_end=False):
            meta = {"resourceVersion": str(rv), "creationTimestamp": None}
            if initial_end:
                meta["annotations"] = {"k8s.io/initial-events-end": "true"}
            return frame("BOOKMARK", {"kind": rt.kind, "apiVersion": rt.api_version, "metadata": meta})

        with store.lock:
            initial = []
            if rv_param in ("", "0") or initial_events:
                # "Get State and Start at Most Recent": every current object as ADDED first.
                initial, current = store.list(rt, ns, labels, fields)
                last = int(current)
            else:
                last = int(rv_param)
                try:
                    store.events_since(rt, last)
                except ApiError as e:
                    expired = e
        self.stream_start("application/json")
        if expired:
            # The real server answers 200 and one ERROR event carrying the 410 Status.
            self.S.note("watch %s from %s: 410 Expired" % (rt.resource, rv_param))
            self.chunk(frame("ERROR", expired.status))
            return self.stream_end()
        epoch = self.S.watch_epoch
        try:
            for o in initial:
                self.chunk(frame("ADDED", o))
            if initial_events and bookmarks:
                self.chunk(bookmark(last, True))
            next_bookmark = time.monotonic() + self.S.bookmark_interval
            while True:
                now = time.monotonic()
                if now >= deadline:
                    break
                error = None
                with store.changed:
                    live = lambda: self.S.watch_epoch == epoch  # noqa: E731
                    try:
                        events = store.events_since(rt, last) if live() else []
                        if not events and live():
                            store.changed.wait(min(1.0, deadline - now, max(0.05, next_bookmark - now)))
                            events = store.events_since(rt, last) if live() else []
                    except ApiError as e:
                        events, error = [], e
                    current = store.rv
                if not live():
                    # The admin port broke every watch: the connection drops mid-stream,
                    # with no final chunk, as when an API server restarts.
                    self.S.note("watch %s: connection broken" % rt.resource)
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if error:  # the window moved past this watch while it was behind
                    self.S.note("watch %s: 410 Expired" % rt.resource)
                    self.chunk(frame("ERROR", error.status))
                    break
                for ev in events:
                    was, now_in = matches(ev.prev), matches(ev.obj)
                    if ev.type == "DELETED":
                        etype = "DELETED" if was else None
                    elif now_in:
                        etype = "MODIFIED" if was else "ADDED"
                    else:
                        etype = "DELETED" if was else None  # left the selection
                    if etype:
                        self.chunk(frame(etype, ev.obj))
                    last = ev.rv
                if bookmarks and time.monotonic() >= next_bookmark:
                    self.chunk(bookmark(max(last, current)))
                    next_bookmark = time.monotonic() + self.S.bookmark_interval
                if not events and self.client_gone():
                    return
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            return
        self.stream_end()

    # -- pod logs
    def logs(self, rt, ns, name):
        ctl = self.S.controller
        pod = self.S.store.get(rt, ns, name)
        containers = pod["spec"].get("containers") or []
        cname = self.q.get("container")
        if not cname:
            if len(containers) != 1:
                raise bad_request("a container name must be specified for pod %s, choose one of: [%s]"
                                  % (name, " ".join(c["name"] for c in containers)))
            cname = containers[0]["name"]
        container = next((c for c in containers if c["name"] == cname), None)
        if container is None:
            raise bad_request("container %s is not valid for pod %s" % (cname, name))
        state = next((cs.get("state", {}) for cs in pod.get("status", {}).get("containerStatuses") or []
                      if cs["name"] == cname), {"waiting": {"reason": "ContainerCreating"}})
        waiting = state.get("waiting", {}).get("reason")
        previous = self.q.get("previous") in ("true", "1")
        crashing = waiting == "CrashLoopBackOff"
        if previous and not crashing:
            raise bad_request('previous terminated container "%s" in pod "%s" not found' % (cname, name))
        if waiting == "ImagePullBackOff":
            raise bad_request('container "%s" in pod "%s" is waiting to start: trying and failing to pull image'
                              % (cname, name))
        if waiting and not crashing:
            raise bad_request('container "%s" in pod "%s" is waiting to start: %s' % (cname, name, waiting))
        uid = pod["metadata"]["uid"]
        stamps = self.q.get("timestamps") in ("true", "1")
        follow = self.q.get("follow") in ("true", "1") and not crashing
        since = float(self.q["sinceSeconds"]) if self.q.get("sinceSeconds") else None
        tail = int(self.q["tailLines"]) if self.q.get("tailLines") else None

        def render(lines):
            out = b""
            for t, text in lines:
                prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%09dZ " % int((t % 1) * 1e9)
                out += ((prefix if stamps else "") + text + "\n").encode()
            return out

        lines = ctl.log_lines(pod, container, previous)
        if since is not None:
            lines = [x for x in lines if x[0] >= time.time() - since]
        if tail is not None:
            lines = lines[-tail:] if tail > 0 else []
        sent = len(ctl.log_lines(pod, container, previous))
        if not follow:
            data = render(lines)
            if self.q.get("limitBytes"):
                data = data[:int(self.q["limitBytes"])]
            return self.send(200, data, "text/plain")
        self.stream_start("text/plain")
        try:
            if lines:
                self.chunk(render(lines))
            while True:  # follow: new lines as the container prints them, until the pod goes
                time.sleep(min(0.2, ctl.log_interval))
                pod = self.S.store.find(rt, ns, name)
                if pod is None or pod["metadata"]["uid"] != uid:
                    break
                now_lines = ctl.log_lines(pod, container)
                if len(now_lines) > sent:
                    self.chunk(render(now_lines[sent:]))
                    sent = len(now_lines)
                elif self.client_gone():
                    return
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            return
        self.stream_end()
