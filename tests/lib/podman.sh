# Sourced after tests/lib/common.sh: podman as REAL-COMPONENTS.md says, with
# storage of the test's own (vfs: no mounts to undo) and its own tmp folder.
#   use_own_podman   writes $T/containers.conf and $T/storage.conf and exports
#                    CONTAINERS_CONF and CONTAINERS_STORAGE_CONF for every podman
#                    the test runs (the CLI, or `podman system service`)
use_own_podman() {
  cat >"$T/containers.conf" <<'EOF2'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF2
  cat >"$T/storage.conf" <<EOF2
[storage]
driver = "vfs"
graphroot = "$T/podman/root"
runroot = "$T/podman/run"
EOF2
  mkdir -p "$T/podman/tmp"
  export CONTAINERS_CONF="$T/containers.conf" CONTAINERS_STORAGE_CONF="$T/storage.conf"
}
