#!/bin/sh
# Installs every Debian 12 package ecp needs to build and to run all of its
# tests, so that none of them skips. Shared by .ci/run, scripts/test.sh and
# scripts/demo.sh; safe to run again (it only installs what is missing).
# Runs apt-get as root, or through sudo. ECP_EXTRA_PACKAGES adds more packages.
set -eu
packages="
  cmake ninja-build g++ pkg-config
  libcli11-dev libgit2-dev libcurl4-openssl-dev libyaml-cpp-dev nlohmann-json3-dev libfmt-dev
  doctest-dev libarchive-dev libssl-dev zlib1g-dev libisal-dev libzstd-dev
  clang libclang-rt-14-dev
  git curl ca-certificates python3 iproute2
  docker-registry apache2-utils openssl
  skopeo umoci oci-image-tool
  podman runc docker.io mmdebstrap
  openssh-server openssh-client
  nginx busybox-static dash prometheus
  openjdk-17-jdk-headless tomcat10 libtomcat10-java
  mandoc bash zsh fish
  strace zstd time ccache shellcheck universal-ctags
  ${ECP_EXTRA_PACKAGES:-}
"
# node and npm: Debian's, unless a node of its own (NodeSource's) is there already.
command -v npm >/dev/null 2>&1 || packages="$packages nodejs npm"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
as_root=""
if [ "$(id -u)" != 0 ]; then
  as_root=sudo
fi
if [ -z "$missing" ]; then
  echo "setup.sh: every package is installed"
else
  [ -z "$as_root" ] || command -v sudo >/dev/null 2>&1 ||
    { echo "setup.sh: run as root, or install sudo, to install:$missing" >&2; exit 1; }
  echo "setup.sh: installing$missing"
  $as_root env DEBIAN_FRONTEND=noninteractive apt-get update
  # shellcheck disable=SC2086 # the list is split into package names on purpose
  $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y $missing
fi

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
