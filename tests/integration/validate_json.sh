#!/bin/sh
# ecp validate --output json: one result object listing every problem.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
cd "$T"
printf 'app: My App\ntype: war\nrun:\n  ports: {http: 70000}\nenvironments:\n  dev: {config: {NOPE: 1}}\n' > ecp.yaml
expect_exit 2 "$ECP" validate --output json
[ "$(wc -l < "$T/out")" = 1 ] || { cat "$T/out"; die "expected exactly one JSON line"; }
python3 - "$T/out" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read())
assert r["type"] == "result", r
assert r["ok"] is False, r
assert r["errors"] == 3 and r["warnings"] == 1, r
probs = r["problems"]
keys = {"file", "line", "column", "severity", "field", "message"}
assert all(set(p) == keys for p in probs), probs
by_field = {p["field"]: p for p in probs}
app = by_field["app"]
assert (app["file"], app["line"], app["column"], app["severity"]) == ("ecp.yaml", 1, 6, "error"), app
assert "must not contain spaces" in app["message"], app
assert by_field["type"]["line"] == 2 and "valid types" in by_field["type"]["message"]
port = by_field["run.ports.http"]
assert (port["line"], port["column"]) == (4, 17), port
warn = by_field["environments.dev.config.NOPE"]
assert warn["severity"] == "warning" and warn["line"] == 6, warn
PY

# A good file (and its layout): ok true and no problems; nothing on stderr.
printf 'app: hello\ntype: nginx\n' > ecp.yaml
mkdir -p app/bin app/html && : >app/bin/entrypoint.sh
expect_exit 0 "$ECP" validate -o json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["ok"] is True and r["problems"] == [] and r["targets"] is None, r' "$T/out"
[ ! -s "$T/err" ] || { cat "$T/err"; die "stderr should be empty in JSON mode"; }

# Invalid UTF-8 in the file still gives valid JSON, and a missing file is a problem with line 0.
printf 'app: \377\n' > ecp.yaml
expect_exit 2 "$ECP" validate --output json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); p=r["problems"][0]; assert (p["line"], p["column"]) == (1, 6) and "UTF-8" in p["message"], r' "$T/out"
rm ecp.yaml
expect_exit 2 "$ECP" validate --output json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); p=r["problems"][0]; assert p["line"] == 0 and "no such file" in p["message"], r' "$T/out"
echo PASS
