#!/bin/sh
# cost: 30
# The small offline bases of bases_lib.inc run ecp's images: each example
# (hello-jar on ecp_base_jar, hello-site on ecp_base_nginx, hello-tomcat on
# ecp_base_tomcat) is built with build.base oci:PATH:TAG, loaded into podman
# (storage of its own), run with GREETING in its environment, and answers
# /health with "ok" and its page with that greeting. Then again as enterprise
# platforms run images: an arbitrary UID in group 0 (OpenShift) on a read-only
# root with a tmpfs /tmp (readOnlyRootFilesystem): autoconfig renders into
# /tmp/ecp-conf and the server starts from there; hello-site also as nobody
# (UID 65534, not in group 0). The bases are made once per
# build folder (flock), so a second call returns the same layout at once.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/bases_lib.inc"
for tool in curl javac jar python3; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (curl openjdk-17-jdk-headless python3)"
done
ecp_podman_init || skip "podman does not work here"

for pair in hello-jar:jar hello-site:nginx hello-tomcat:tomcat; do
  name=${pair%%:*} kind=${pair#*:}
  rc=0; base=$("ecp_base_$kind") || rc=$?
  [ "$rc" = 0 ] || { [ "$rc" = 125 ] && skip "cannot make the $kind base here"; die "making the $kind base failed"; }
  [ "$("ecp_base_$kind")" = "$base" ] || die "a second ecp_base_$kind gave another layout"
  ecp_example_build "$name" "$base" "$T/$name.tar"
  ecp_example_run "$name" "$T/$name.tar" "Hello $kind from a small base"
  echo "ok: $name on $base"
  uid=$((100000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ')))
  ecp_example_run "$name" "$T/$name.tar" "Hello $kind as $uid, read-only" --user "$uid:0" --read-only --tmpfs /tmp
  grep -q "rendering in /tmp/ecp-conf/conf" "$T/$name.log" || { cat "$T/$name.log"; die "$name did not render in /tmp"; }
  echo "ok: $name as UID $uid in group 0 on a read-only root"
  if [ "$name" = hello-site ]; then  # nobody, in a group of its own: conf/ is not its to write
    ecp_example_run "$name" "$T/$name.tar" "Hello $kind as nobody" --user 65534
    grep -q "rendering in /tmp/ecp-conf/conf" "$T/$name.log" || { cat "$T/$name.log"; die "$name as nobody did not render in /tmp"; }
  fi
done
echo ok
