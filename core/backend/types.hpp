#pragma once
// The plain data every backend is handed and returns. core/ops fills these from
// ecp.yaml and the targets file, so a backend (built in or an ecp-plugin-<name>)
// never reads either file. Each struct has a JSON form: the external plugin
// protocol (docs/plugin-protocol.md) sends exactly that.
#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/backend/settings.hpp"
#include "core/oci/layer_ref.hpp"

namespace ecp::backend {

using Duration = std::chrono::milliseconds;
// A target from the targets file (or the built-in "local"). Only the neutral keys
// are core's; the rest is the plugin's own section, which it reads itself.
struct TargetSpec {
  std::string name;
  std::string plugin;    // host | an external plugin name
  std::string registry;  // a name under registries; empty = none
  Settings settings;
};

struct HealthSpec {
  std::string path;    // HTTP GET path; empty = a TCP connect
  int port_delta = 0;  // the health port minus the main port (a management port beside the main one)
  Duration interval = std::chrono::seconds(10);
  Duration timeout = std::chrono::seconds(2);
  int retries = 3;
  bool liveness = false;  // restart an instance that fails `retries` checks in a row after passing one
};

// run.resources: limits for a runtime that enforces them (0 = none).
struct ResourceSpec {
  std::int64_t cpu_millis = 0;  // 500 = half a CPU
  std::int64_t memory_bytes = 0;
};

// run.circuit, for a gateway in front of the instances: when it takes a failing
// instance out of rotation, for how long, and which failures it retries on
// another instance. -1 (or empty): the gateway's defaults.
struct CircuitSpec {
  int max_fails = -1;                 // default: health.retries
  Duration fail_timeout{-1};          // default: health.interval
  std::vector<std::string> retry_on;  // default: error, timeout
  int tries = -1;                     // default (and 0): every server
  Duration timeout{-1};               // default: none
};

// The application as far as running it is concerned.
struct AppSpec {
  std::string app;
  std::string env;
  std::string type;      // jar | nginx | tomcat
  int base_port = 8080;  // instance i of slot s listens on instance_port() (LISTEN_PORT)
  HealthSpec health;
  ResourceSpec resources;
  CircuitSpec circuit;
  std::string user;  // run.user: NAME, UID or UID:GID to run as ("" = the target's default)
  int keep_releases = 5;
  Duration stop_grace = std::chrono::seconds(10);
  std::string preview_header = "X-Canary";  // gateway: "HEADER: always" reaches the preview slot; "" = off
  std::string priority = "normal";          // core | normal | low: what `ecp degrade` pauses first
};

// low 0, normal 1, core 2; -1 for anything else.
int priority_rank(std::string_view priority);

// One image layer a release needs, with where ecp has its bytes.
struct LayerBlob {
  oci::LayerRef layer;
  std::string path;  // the blob file in ecp's store; may not exist (then hosts must have it)
};

// What prepare() installs: revision N = an image and a rendered configuration.
struct ReleaseSpec {
  int revision = 0;
  std::string image;              // the reference the user named (hello:1a2b3c), for display
  std::string image_digest;       // the manifest digest
  std::vector<LayerBlob> layers;  // the app layers, bottom first (entries under app/)
  std::string config_text;        // rendered autoconfig.properties
  std::string config_digest;
  // The target's keyed fingerprint of the exact configuration (HMAC-SHA256, see
  // ledger::Ledger::fingerprint): differs when a secret behind the same
  // reference changed, which config_digest does not; "" when not known.
  std::string config_fingerprint;
  std::string store;  // the OCI layout holding the blobs (for external plugins)
  // REGISTRY/APP@sha256:... when the target has a registry: where `ecp release`
  // pushed the image, for a backend that pulls it (needs_registry); else empty.
  std::string pull_reference;
};

// Instances are named by where they run, their slot and their index there. Slot
// "a" is the only one recreate and rolling use; blue-green alternates "a" and "b".
struct InstanceRef {
  std::string location;  // a host's label ("local", "ssh://root@10.0.0.1")
  std::string slot = "a";
  int index = 0;
  auto operator<=>(const InstanceRef&) const = default;
  std::string name() const;  // "a-0@local"
};

// An instance to start: which revision, on which port.
struct InstanceSpec {
  InstanceRef ref;
  int revision = 0;
  int port = 0;
};

// base_port + 100 x slot number ("a" = 0, "b" = 1, ...) + index.
int instance_port(const AppSpec& app, const InstanceRef& ref);

// degraded: stopped by `ecp degrade`, until `ecp restore` starts it again.
enum class InstanceState { running, starting, crashed, stopped, degraded, unknown };
// Not running on purpose: stopped, or degraded.
inline bool is_down(InstanceState s) { return s == InstanceState::stopped || s == InstanceState::degraded; }
std::string_view to_string(InstanceState s);
InstanceState instance_state_from(std::string_view s);

struct InstanceStatus {
  InstanceRef ref;
  int revision = 0;
  int port = 0;
  std::int64_t pid = 0;
  InstanceState state = InstanceState::unknown;
  std::string since;     // RFC 3339: when the current process started
  int restarts = 0;      // crashes since the instance was started by ecp
  std::string stops_at;  // RFC 3339: when a deferred stop (stop_after) ends it; "" = none pending
  std::string address;   // where clients reach it ("127.0.0.1", "10.0.0.1")
  // Where the platform says it runs, when it has such names (kubernetes: the pod,
  // its node, "replicaset/NAME"); "" = none.
  std::string name, node, group;
  // What the platform says the instance's release holds (ecp status --drift
  // compares them with the ledger); "" where it cannot tell.
  std::string image_digest, config_digest;
};

// A platform object that runs a slot's instances (kubernetes: a Deployment).
struct WorkloadStatus {
  std::string name;  // "deployment/web-prod-b"
  std::string slot;
  int revision = 0;
  int replicas = 0;  // wanted
  int ready = 0;
  int updated = 0;  // running the workload's own revision
};

struct Probe {
  InstanceRef ref;
  bool healthy = false;
  bool gone = false;   // it will not become healthy: the process exits, the host is unreachable
  std::string detail;  // "HTTP 200", "connection refused", "host unreachable: ..."
};

// What the target runs right now, as the backend sees it.
struct TargetStatus {
  std::vector<InstanceStatus> instances;
  std::vector<std::string> unreachable;  // locations that did not answer, with the reason
  std::vector<std::string> lost;         // ... those locations' labels
  std::map<std::string, int> current;    // location -> the revision its `current` points to (0: none)
  std::vector<WorkloadStatus> workloads;  // none where instances are the only objects
};

// An (app, env) that a release serves at the target (ecp degrade, ecp restore),
// whichever project released it.
struct HostedEnv {
  std::string app, env;
  std::string priority = "normal";  // of the release that serves
  std::string health_path;          // its health check's HTTP path ("" = a TCP connect)
  bool degraded = false;            // paused by ecp degrade, on any location
};

// `ecp top`: how loaded a location is, from one sample over a short interval.
struct LocationMetrics {
  std::string location, address;
  double cpu_percent = -1;  // busy share of all its CPUs, 0..100; -1: unknown
  int cpus = 0;
  std::int64_t memory_used = -1, memory_total = -1;  // bytes; -1: unknown
  double load1 = -1;                                 // the 1-minute load average; -1: unknown
};

// ... and what an instance uses: its process and everything it started.
struct InstanceMetrics {
  std::string app, env;
  InstanceRef ref;
  std::int64_t pid = 0;
  double cpu_percent = -1;  // of one CPU, as top(1) counts (150 = one and a half CPUs); -1: unknown
  std::int64_t rss = -1;    // resident memory, bytes; -1: unknown
  int restarts = 0;
  std::string since;  // RFC 3339: when its current process started
  InstanceState state = InstanceState::unknown;
};

struct Metrics {
  std::vector<LocationMetrics> locations;
  std::vector<InstanceMetrics> instances;
  std::vector<std::string> unreachable;  // locations that did not answer, with the reason
  std::vector<std::string> notes;        // what the platform could not give, and why
};

Json to_json(const TargetSpec& t);
Json to_json(const AppSpec& a);
Json to_json(const ReleaseSpec& r);
Json to_json(const InstanceRef& r);
Json to_json(const InstanceSpec& s);
Json to_json(const InstanceStatus& s);
Json to_json(const WorkloadStatus& w);
WorkloadStatus workload_status_from_json(const Json& j);
InstanceRef instance_ref_from_json(const Json& j);
InstanceStatus instance_status_from_json(const Json& j);
Probe probe_from_json(const Json& j);

}  // namespace ecp::backend
