#!/bin/sh
# Installs the Debian 12 packages ecp needs, in one of two sets:
#   setup.sh run    building ecp and releasing the jar example to the local
#                   target (scripts/demo.sh): compilers, libraries, a JDK
#   setup.sh test   (the default) also every server and tool the tests use,
#                   so that none of them skips (.ci/run, scripts/test.sh)
# Safe to run again (it only installs what is missing). Runs apt-get as root,
# or through sudo. ECP_EXTRA_PACKAGES adds more packages.
set -eu
set_name=${1:-test}
run_packages="
  cmake ninja-build g++ pkg-config
  libcli11-dev libgit2-dev libcurl4-openssl-dev libyaml-cpp-dev nlohmann-json3-dev libfmt-dev
  libarchive-dev libssl-dev zlib1g-dev libisal-dev libzstd-dev
  git ca-certificates openjdk-17-jdk-headless
  ${ECP_EXTRA_PACKAGES:-}
"
test_packages="
  doctest-dev clang libclang-rt-14-dev
  curl python3 iproute2 nftables wget cron
  docker-registry apache2-utils openssl
  skopeo umoci oci-image-tool
  podman runc docker.io mmdebstrap
  openssh-server openssh-client
  nginx busybox-static dash prometheus
  tomcat10 libtomcat10-java
  mandoc bash zsh fish
  strace zstd time ccache shellcheck universal-ctags
"
case $set_name in
  run)
    packages=$run_packages
    # Only what is named: recommends of a JDK and a compiler are not needed to build and run.
    apt_options=--no-install-recommends
    ;;
  test)
    packages="$run_packages $test_packages"
    apt_options=
    # node and npm: Debian's, unless a node of its own (NodeSource's) is there already.
    command -v npm >/dev/null 2>&1 || packages="$packages nodejs npm"
    ;;
  *)
    echo "setup.sh: unknown package set '$set_name' (run or test)" >&2
    exit 2
    ;;
esac
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
as_root=""
if [ "$(id -u)" != 0 ]; then
  as_root=sudo
fi
if [ -z "$missing" ]; then
  echo "setup.sh: every package of the $set_name set is installed"
else
  [ -z "$as_root" ] || command -v sudo >/dev/null 2>&1 ||
    { echo "setup.sh: run as root, or install sudo, to install:$missing" >&2; exit 1; }
  echo "setup.sh: installing$missing"
  $as_root env DEBIAN_FRONTEND=noninteractive apt-get update
  # shellcheck disable=SC2086 # the lists are split into words on purpose
  $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y $apt_options $missing
fi
[ "$set_name" = test ] || exit 0

# The real Kubernetes schema, for the tests that check every object ecp sends to
# a cluster (tests/integration/kubernetes_manifests.sh): the kubernetes-models
# npm package and js-yaml, in a folder of their own (ECP_K8S_SCHEMA_DIR).
schema=${ECP_K8S_SCHEMA_DIR:-/opt/ecp-test/k8s-schema}
if [ -f "$schema/node_modules/kubernetes-models/package.json" ] && [ -f "$schema/node_modules/js-yaml/package.json" ]; then
  echo "setup.sh: kubernetes-models is installed in $schema"
else
  echo "setup.sh: installing kubernetes-models and js-yaml in $schema"
  $as_root mkdir -p "$schema"
  (cd "$schema" && $as_root npm install --no-audit --no-fund --loglevel=error kubernetes-models js-yaml)
fi
