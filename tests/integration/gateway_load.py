"""A bounded load loop for the gateway tests: COUNT GET requests to URL spread
evenly over SECONDS, each on a new connection, with optional headers. Writes a
JSON summary to OUT: how many answered 200, how many failed (an error status or
no answer at all, with the first few reasons), and how often each body came back,
in the order the bodies were first seen. Loopback and test namespaces only."""
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
    start = time.monotonic()
    for i in range(count):
        delay = start + seconds * i / count - time.monotonic()
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
    summary = {"ok": ok, "failed": failed, "reasons": reasons, "bodies": bodies, "order": order,
               "statuses": statuses, "last": last}
    with open(out, "w") as f:
        json.dump(summary, f)


main()
