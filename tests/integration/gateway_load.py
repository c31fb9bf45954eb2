"""A bounded load loop for the gateway tests: COUNT GET requests to URL spread
evenly over SECONDS, each on a new connection, with optional headers. Writes a
JSON summary to OUT: how many answered 200, how many failed (an error status or
no answer at all, with the first few reasons), and how often each body came back,
in the order the bodies were first seen. Loopback and test namespaces only.

Two files, named in the environment, let a test use the loop as a barrier
instead of a time window: LOAD_READY is created once a request was answered
(the loop runs: act now); with LOAD_UNTIL the loop keeps the same pace past
COUNT until that file exists, then sends 20 more requests and ends (the test
decides when the load ends, not the machine's speed). "sent" counts them all."""
import os
import http.client
import json
import sys
import time
import urllib.parse


def main():
    url, count, seconds, out = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    headers = dict(h.split(": ", 1) for h in sys.argv[5:])
    u = urllib.parse.urlsplit(url)
    ok, failed, reasons, bodies, order, statuses, last = 0, 0, [], {}, [], {}, ""
    ready, until = os.environ.get("LOAD_READY", ""), os.environ.get("LOAD_UNTIL", "")
    start = time.monotonic()
    i, extra = 0, None
    while True:
        if until:
            if extra is None and os.path.exists(until):
                extra = 20
            if extra is not None:
                if extra == 0:
                    break
                extra -= 1
            if time.monotonic() - start > 900:  # a generous bound: the test failed to stop it
                reasons.append("LOAD_UNTIL never appeared (15 min)")
                failed += 1
                break
        elif i >= count:
            break
        delay = start + seconds * i / count - time.monotonic()
        i += 1
        if delay > 0:
            time.sleep(delay)
        try:
            c = http.client.HTTPConnection(u.hostname, u.port, timeout=5)
            c.request("GET", u.path or "/", headers=headers)
            r = c.getresponse()
            body = r.read().decode(errors="replace").strip()
            c.close()
            statuses[r.status] = statuses.get(r.status, 0) + 1
            if r.status == 200:
                ok += 1
                if ready and ok == 1:
                    open(ready, "w").close()
                if body not in bodies:
                    order.append(body)
                bodies[body] = bodies.get(body, 0) + 1
                last = body
            else:
                failed += 1
                if len(reasons) < 5:
                    reasons.append("HTTP %d: %s" % (r.status, body[:80]))
        except Exception as e:  # a refused or cut connection is a failed request
            failed += 1
            if len(reasons) < 5:
                reasons.append(repr(e))
    summary = {"sent": i, "ok": ok, "failed": failed, "reasons": reasons, "bodies": bodies, "order": order,
               "statuses": statuses, "last": last}
    with open(out, "w") as f:
        json.dump(summary, f)


main()
