#!/bin/sh
# cost: 130
# ecp build on a REAL Debian base: a bookworm root file system made with
# mmdebstrap (--variant=essential, with openjdk-17-jre-headless, nginx and
# tomcat10), so /etc/alternatives and /dev hold absolute symlinks, and
# /usr/share/tomcat10/lib links into /usr/share/java, as in the official images.
# Made once per build folder (bases_lib.inc, flock). Each example (hello-jar,
# hello-site, hello-tomcat) is built on it with build.base oci:PATH:TAG, loaded
# into podman, run with GREETING in its environment, and answers /health "ok"
# and its page with that greeting: entrypoint.sh finds java (PATH), nginx
# (/usr/sbin/nginx) and Tomcat (/usr/share/tomcat10) where Debian puts them.
# Skips (125) when the Debian mirror or podman cannot be reached here.
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
. "$ECP_SOURCE_DIR/tests/integration/bases_lib.inc"
for tool in curl javac jar python3 umoci; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (curl openjdk-17-jdk-headless python3 umoci)"
done
ecp_podman_init || skip "podman does not work here"
rc=0; base=$(ecp_base_debian) || rc=$?
[ "$rc" = 0 ] || { [ "$rc" = 125 ] && skip "cannot make the Debian base here"; die "making the Debian base failed"; }

# The base is what real bases are: absolute links in /etc/alternatives.
oci=${base#oci:}; oci=${oci%:debian}
umoci unpack --rootless --image "$oci:debian" "$T/debian" >"$T/out" 2>&1 || { cat "$T/out"; die "umoci unpack of the base failed"; }
case $(readlink "$T/debian/rootfs/etc/alternatives/java") in /*) ;; *) die "etc/alternatives/java is not an absolute link" ;; esac
rm -rf "$T/debian"

for name in hello-jar hello-site hello-tomcat; do
  ecp_example_build "$name" "$base" "$T/$name.tar"
  ecp_example_run "$name" "$T/$name.tar" "Hello from $name on Debian"
  echo "ok: $name on Debian"
done
echo ok
