"""pods/exec of the fake Kubernetes API server, over WebSocket with the
v5.channel.k8s.io (or v4) subprotocol, as kubectl 1.30+ speaks it: every
message is binary, its first byte the channel (0 stdin, 1 stdout, 2 stderr,
3 the error channel's Status, 4 resize, 255 close a stream, v5 only). The pods
are not real, so the "container" is a process on this machine in a folder of
its own, with the environment the pod's container spec gives it. SPDY (the
older upgrade) is refused with 400, which kubectl answers by falling back; a
client that only has SPDY fails. A mixin of fake_apiserver.Handler."""
import base64
import hashlib
import json
import os
import struct
import subprocess
import tempfile
import threading
import urllib.parse

from k8s_store import ApiError, bad_request

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class ExecMixin:
    def exec_pod(self, rt, ns, name):
        pod = self.S.store.get(rt, ns, name)
        containers = pod["spec"].get("containers") or []
        cname = self.q.get("container") or (containers[0]["name"] if len(containers) == 1 else None)
        container = next((c for c in containers if c["name"] == cname), None)
        if container is None:
            raise bad_request("container %s is not valid for pod %s" % (cname, name))
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query, keep_blank_values=True)
        command = query.get("command") or []
        if not command:
            raise bad_request("you must specify at least 1 command")
        ready = any(cs.get("name") == cname and cs.get("ready")
                    for cs in (pod.get("status") or {}).get("containerStatuses") or [])
        if not ready:
            raise bad_request('unable to upgrade connection: container not found ("%s")' % cname)
        protocols = [p.strip() for p in self.headers.get("Sec-WebSocket-Protocol", "").split(",")]
        proto = next((p for p in ("v5.channel.k8s.io", "v4.channel.k8s.io") if p in protocols), None)
        key = self.headers.get("Sec-WebSocket-Key")
        if self.headers.get("Upgrade", "").lower() != "websocket" or not key or not proto:
            raise ApiError(400, "BadRequest", "this server speaks pods/exec over WebSocket "
                           "(v5.channel.k8s.io, v4.channel.k8s.io) only")
        accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        self.send_response(101, "Switching Protocols")
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.send_header("Sec-WebSocket-Protocol", proto)
        self.end_headers()
        self.wfile.flush()
        self.code, self.close_connection = 101, True
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOSTNAME": name}
        env.update({e["name"]: e.get("value", "") for e in container.get("env") or [] if "name" in e})
        want = lambda k: query.get(k, ["false"])[0] in ("true", "1")  # noqa: E731
        with tempfile.TemporaryDirectory(prefix="fake-pod-") as cwd:
            self.run_exec(command, env, cwd, want("stdin"), want("tty"), proto)

    def ws_send(self, lock, opcode, payload):
        n = len(payload)
        head = bytes([0x80 | opcode]) + (bytes([n]) if n < 126 else bytes([126]) + struct.pack(">H", n)
                                          if n < 65536 else bytes([127]) + struct.pack(">Q", n))
        with lock:
            self.wfile.write(head + payload)
            self.wfile.flush()

    def ws_read(self):
        """One client message (opcode, payload); client frames are masked. None at the end."""
        head = self.rfile.read(2)
        if len(head) < 2:
            return None
        opcode, n = head[0] & 0x0F, head[1] & 0x7F
        if not head[1] & 0x80:
            raise ConnectionResetError("an unmasked client frame")
        if n == 126:
            n = struct.unpack(">H", self.rfile.read(2))[0]
        elif n == 127:
            n = struct.unpack(">Q", self.rfile.read(8))[0]
        mask = self.rfile.read(4)
        data = self.rfile.read(n)
        return opcode, bytes(b ^ mask[i % 4] for i, b in enumerate(data))

    def run_exec(self, command, env, cwd, stdin, tty, proto):
        lock = threading.Lock()
        try:
            proc = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT if tty else subprocess.PIPE)
        except OSError as e:
            status = {"metadata": {}, "status": "Failure", "reason": "InternalError",
                      "message": 'exec: "%s": %s' % (command[0], e.strerror)}
            self.ws_send(lock, 2, b"\x03" + json.dumps(status).encode())
            self.ws_send(lock, 8, struct.pack(">H", 1000))
            return

        def pump(stream, channel):
            for chunk in iter(lambda: stream.read1(65536), b""):
                self.ws_send(lock, 2, bytes([channel]) + chunk)

        def reader():
            try:
                while True:
                    m = self.ws_read()
                    if m is None or m[0] == 8:
                        break
                    if m[0] == 9:  # ping
                        self.ws_send(lock, 10, m[1])
                    elif m[0] in (1, 2) and m[1]:
                        channel, data = m[1][0], m[1][1:]
                        if channel == 0 and proc.stdin and data:
                            proc.stdin.write(data)
                            proc.stdin.flush()
                        elif channel == 255 and proto.startswith("v5") and data[:1] == b"\x00" and proc.stdin:
                            proc.stdin.close()
            except (OSError, ValueError):
                pass
            if proc.stdin and not proc.stdin.closed:
                try:
                    proc.stdin.close()
                except OSError:
                    pass

        pumps = [threading.Thread(target=pump, args=(proc.stdout, 1), daemon=True)]
        if not tty:
            pumps.append(threading.Thread(target=pump, args=(proc.stderr, 2), daemon=True))
        for t in pumps:
            t.start()
        threading.Thread(target=reader, daemon=True).start()
        code = proc.wait()
        for t in pumps:
            t.join()
        if code == 0:
            status = {"metadata": {}, "status": "Success"}
        else:
            status = {"metadata": {}, "status": "Failure", "reason": "NonZeroExitCode",
                      "message": "command terminated with non-zero exit code: exit status %d" % code,
                      "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}}
        self.ws_send(lock, 2, b"\x03" + json.dumps(status).encode())
        self.ws_send(lock, 8, struct.pack(">H", 1000))
