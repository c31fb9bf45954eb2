#!/bin/sh
# ecp validate on broken descriptors: exit 2, FILE:LINE:COL for each problem, no crash.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
cd "$T"

# check NAME LINE:COL PATTERN : ecp.yaml holds the case; expects exit 2 and that diagnostic.
check() {
  expect_exit 2 "$ECP" validate
  expect_grep "^ecp\.yaml:$2: error: .*$3" "$T/err"
  expect_grep "error" "$T/err"
  # never a crash or an internal error
  expect_no_grep "internal error|Assertion|terminate called|Segmentation" "$T/err"
}

: > ecp.yaml
check empty 1:1 "the file is empty"

printf 'app: [hello\ntype: jar\n' > ecp.yaml
check syntax 2:5 "YAML syntax error"

printf 'app: a\ntype: jar\nrun:\n\tuser: x\n' > ecp.yaml
check tabs 4:1 "tab is used for indentation"

printf 'app: a\ntype: jar\napp: b\n' > ecp.yaml
check duplicate 3:1 "duplicate key 'app' on line 3 \\(first defined on line 1\\)"

printf 'app: a\ntype: jar\nrun:\n  - ports\n' > ecp.yaml
check list-for-map 4:3 "run: expected a map"

python3 -c 'import sys; sys.stdout.write("# x\n" * (10 * 1024 * 1024 // 4))' > ecp.yaml
check ten-megabytes 1:1 "10485760 bytes; ecp reads files of up to 1 MiB"

printf 'app: a\ntype: jar\ngroup: caf\351\n' > ecp.yaml
check non-utf8 3:11 "invalid UTF-8"

printf 'app: a\ntype: war\n' > ecp.yaml
check unknown-type 2:7 "unknown type 'war'.*valid types: jar, nginx, tomcat"

printf 'app: my app\ntype: jar\n' > ecp.yaml
check app-spaces 1:6 "must not contain spaces"
printf 'app: MyApp\ntype: jar\n' > ecp.yaml
check app-uppercase 1:6 "must be lowercase"
printf 'app: ../etc\ntype: jar\n' > ecp.yaml
check app-path 1:6 "not a path"

printf 'app: a\ntype: jar\nenvironments:\n  dev:\n    replicas: -1\n' > ecp.yaml
check negative-replicas 5:15 "replicas: must be 0 or more, got -1"

printf 'app: a\ntype: jar\nrun:\n  ports:\n    http: 70000\n' > ecp.yaml
check port 5:11 "run.ports.http: must be between 1 and 65535, got 70000"

printf 'app: a\ntype: jar\nenvironments:\n  prod:\n    target: lab-vm\n' > ecp.yaml
check unknown-target 5:13 "unknown target 'lab-vm'"
printf 'targets:\n  lab-vms: {plugin: host}\n' > ecp-targets.yaml
check unknown-target-suggested 5:13 "unknown target 'lab-vm'; did you mean 'lab-vms'\\?"
rm ecp-targets.yaml

printf 'schema: 2\napp: a\ntype: jar\n' > ecp.yaml
check schema 1:9 "unsupported schema 2"

printf 'app: a\ntype: jar\nenviroments: {}\n' > ecp.yaml
check did-you-mean 3:1 "unknown key 'enviroments'; did you mean 'environments'\\?"

# Instance i listens on LISTEN_PORT + i: the last one must be a port (exit 2 at
# validate, not a health check that fails at release time).
printf 'app: a\ntype: jar\nrun:\n  ports: {http: 65500}\nenvironments:\n  dev: {replicas: 40}\n' > ecp.yaml
check ports-past-65535 6:19 "environments\.dev\.replicas: 40 instance\(s\) from port 65500 would listen up to port 65539, above 65535"
printf 'app: a\ntype: jar\nconfig:\n  LISTEN_PORT: "8080"\nenvironments:\n  dev: {replicas: 2, config: {LISTEN_PORT: "65535"}}\n' > ecp.yaml
check listen-port-past-65535 6:19 "from port 65535 would listen up to port 65536"
printf 'app: a\ntype: jar\nrun:\n  ports: {http: 65500}\nenvironments:\n  dev: {replicas: 36}\n' > ecp.yaml
expect_exit 0 "$ECP" validate

# A targets file named by $ECP_TARGETS or --targets must exist.
printf 'app: a\ntype: jar\n' > ecp.yaml
ECP_TARGETS="$T/none.yaml" expect_exit 2 "$ECP" validate
expect_grep "^$T/none\.yaml: error: no such file \(named by \\\$ECP_TARGETS\)$" "$T/err"
expect_exit 2 "$ECP" validate --targets "$T/none.yaml"
expect_grep "^$T/none\.yaml: error: no such file" "$T/err"

# approvals: a map, from groups the targets file defines. run.user and
# run.resources work on hosts too.
printf 'app: a\ntype: jar\nenvironments:\n  prod: {approvals: [alice]}\n' > ecp.yaml
check approvals 4:21 "environments.prod.approvals: expected a map"
printf 'app: a\ntype: jar\nenvironments:\n  prod: {approvals: {required: 1, from: [nobody]}}\n' > ecp.yaml
expect_exit 2 "$ECP" validate
expect_grep "environments.prod.approvals.from: group 'nobody' is not under access.groups" "$T/err"
printf 'app: a\ntype: jar\nrun:\n  user: "1000:1000"\n  resources: {memory: 512Mi}\nenvironments:\n  dev: {}\n' > ecp.yaml
expect_exit 0 "$ECP" validate

# Every problem at once, in line order, and a summary.
printf 'app: Bad\ntype: war\nrun:\n  ports: {http: 70000}\nenvironments:\n  dev: {replicas: -1}\n' > ecp.yaml
expect_exit 2 "$ECP" validate
[ "$(grep -c ': error: ' "$T/err")" = 4 ] || { cat "$T/err"; die "expected 4 errors"; }
expect_grep "^4 errors and 0 warnings found$" "$T/err"
grep ': error: ' "$T/err" | cut -d: -f2 > lines
sort -n lines | cmp -s - lines || { cat "$T/err"; die "diagnostics not in line order"; }

# A missing descriptor names the path.
rm ecp.yaml
expect_exit 2 "$ECP" validate
expect_grep "^ecp\.yaml: error: no such file \\($T/ecp\.yaml\\)" "$T/err"
expect_exit 2 "$ECP" -f "$T/nope.yaml" validate
expect_grep "nope\.yaml: error: no such file" "$T/err"
echo PASS
