#pragma once
// The backend interface: the few primitives the strategies drive, the same for a
// host, a container engine, Kubernetes or an external ecp-plugin-<name>:
//
//   prepare(release) -> start(instances) -> health(instances) -> [route(weights)] -> stop(instances)
//
// As in Waypoint, deploying (instances up: the Platform part below) is separate
// from releasing (traffic moved: the Router capability). A backend without a
// traffic gateway returns nullptr from router(); strategies that need one
// (blue-green, canary) refuse such a target. The ledger and the lock live at the
// target too, in its KvStore (state()), so a laptop and CI see the same history.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/backend/types.hpp"
#include "core/util/kv_store.hpp"

namespace ecp::backend {

// Who the target lets ecp act as (access rules and the audit log): the SSH
// user a host authenticated, with the principals of the certificate it
// accepted. `verified` false: only this machine's word ($USER).
struct Identity {
  std::string user;
  std::vector<std::string> principals;
  std::string method;  // "ssh certificate", "ssh user", "unverified"
  bool verified = false;
};

struct Capabilities {
  bool route = false;           // router() works: traffic moved between slots
  bool split = true;            // ... by weight too (canary); false: all of it to one slot (blue-green)
  bool logs = true;             // logs() works
  bool needs_registry = false;  // prepare() pulls the image from a registry: `ecp release` pushes first
  bool keeps_releases = true;   // old revisions stay installed, so a rollback needs no transfer
  bool metrics = false;         // metrics() works (ecp top)
  bool degrade = false;         // hosted(), degrade() and undegrade() work (ecp degrade, ecp restore)
};

// What the gateway saw of one slot's traffic (canary analysis).
struct SlotTraffic {
  int requests = 0;
  int errors = 0;   // answered 5xx (by the instance, or by the gateway for it)
  Duration p95{0};  // 95th percentile of the upstream response time
};

// The traffic capability: a gateway in front of the slots (blue-green, canary).
class Router {
 public:
  virtual ~Router() = default;
  // slot -> percentage (0..100, summing to 100); `preview`: the slot requests
  // carrying the preview header or cookie go to ("" = none). Applies atomically
  // or not at all: a configuration the gateway rejects leaves the old one serving
  // and throws Error(deploy_rolled_back); other failures throw their own kinds.
  // Returns when the new routes took effect by the gateway's own clock (Unix ms;
  // 0 = unknown), the time to give traffic() for what they carried: the clock of
  // the machine running ecp may be off from the gateway's. It returns once the
  // old routes carry no request any more (bounded: a long-lived connection is
  // left to finish on its own), so an instance left out can stop without
  // cutting one off. `leaving`: running instances to leave out all the same (a
  // rolling batch about to stop), unless that would leave their slot with no
  // server at all.
  virtual std::int64_t route(const std::map<std::string, int>& weights, const std::string& preview,
                             const std::vector<InstanceRef>& leaving) = 0;
  // What route() last applied (empty: the gateway was never set up).
  virtual std::map<std::string, int> weights() = 0;
  // Per slot, the requests the gateway logged since `since_ms` (Unix ms).
  virtual std::map<std::string, SlotTraffic> traffic(std::int64_t since_ms) = 0;
  // Where clients reach the gateway: "http://10.0.0.9:80/".
  virtual std::string url() = 0;
  // The servers ("ADDRESS:PORT") the gateway took out of rotation for failing
  // (run.circuit) and sends nothing to now; empty where it cannot tell.
  virtual std::vector<std::string> out_of_rotation() { return {}; }
};

// What a platform that replaces instances itself is asked for: one slot on one
// revision (see Replacer).
struct Replacement {
  std::string slot = "a";
  std::vector<InstanceSpec> instances;  // all of the slot, one revision; empty: the slot runs nothing
  bool recreate = false;                // every old instance goes before a new one starts
  int max_surge = 1;                    // rolling: instances above the count at once
  int max_unavailable = 0;              // rolling: instances below it at once
};

// The capability of a backend whose platform replaces instances itself and can
// be watched doing it (a Kubernetes Deployment's rollout). recreate and rolling
// hand it the whole slot instead of driving start/stop batch by batch, so the
// platform's controller keeps its own guarantees (surge, availability, the
// progress deadline), and the way back is the same call with what ran before.
class Replacer {
 public:
  virtual ~Replacer() = default;
  // Puts the slot on `r` and waits until it serves: "" when it does, else why
  // not, naming the instances and the platform's own words (the pods' last
  // warnings). `progress` gets a line per change; `should_stop` (may be empty)
  // is polled. Throws Error(interrupted) on SIGINT/SIGTERM unless shielded, and
  // Error(deploy_rolled_back) when the platform refused the change as a whole
  // (nothing changed: no way back to take).
  virtual std::string replace(const Replacement& r, const std::function<void(const std::string&)>& progress,
                              const std::function<bool()>& should_stop) = 0;
};

// An instance a start() or stop() could not act on.
struct Failure {
  InstanceRef ref;
  std::string message;       // names the location and the step
  bool unreachable = false;  // the location did not answer at all
  // keep_running(): the instance no longer runs, or its deferred stop had begun
  // and cannot be cancelled; the caller starts it again.
  bool stopped = false;
};

struct LogOptions {
  bool follow = false;
  int lines = 100;                     // the last N lines of each instance first
  std::vector<InstanceRef> instances;  // empty: all
};
// Called from several threads, one line at a time; must be thread-safe.
using LineSink = std::function<void(const InstanceRef&, std::string_view line)>;

class Backend {
 public:
  virtual ~Backend() = default;
  virtual Capabilities capabilities() const = 0;
  // Where instances run: one label per host ("local" for this machine).
  virtual std::vector<std::string> locations() = 0;
  // The address clients reach a location at ("127.0.0.1", "10.0.0.1").
  virtual std::string address(const std::string& location) = 0;

  // Installs the release on every location (all in parallel), nothing running
  // changes. Throws an Error naming the location and the step that failed.
  virtual void prepare(const ReleaseSpec& release) = 0;
  // Starts each instance on its revision and port, replacing what runs there.
  virtual std::vector<Failure> start(const std::vector<InstanceSpec>& instances) = 0;
  // One probe per instance (HTTP GET of the health path, or a TCP connect).
  virtual std::vector<Probe> health(const std::vector<InstanceSpec>& instances) = 0;
  virtual std::vector<Failure> stop(const std::vector<InstanceRef>& instances) = 0;
  // Stops the instances once `delay` has passed, without ecp waiting for it (the
  // blue-green keep window); a start() or keep_running() of an instance cancels
  // its pending stop. A backend that cannot defer stops at once. keep_running()
  // cancels atomically against the deferred stop: an instance it cannot keep
  // is a Failure with `stopped` set.
  virtual std::vector<Failure> stop_after(const std::vector<InstanceRef>& instances, Duration delay) {
    (void)delay;
    return stop(instances);
  }
  virtual std::vector<Failure> keep_running(const std::vector<InstanceRef>& instances) {
    (void)instances;
    return {};
  }
  // Marks `revision` as the one each location serves (the `current` link).
  virtual void activate(int revision) = 0;
  // Removes installed releases not in `keep` (the ledger decides which stay).
  virtual void cleanup(const std::vector<int>& keep) = 0;
  // `ecp remove --purge`: removes everything installed for the (app, env) but
  // its state() (the ledger and the lock, which the caller empties); its
  // instances are stopped already. By default, cleanup() keeping nothing.
  virtual void purge() { cleanup({}); }
  virtual TargetStatus status() = 0;
  // Sends log lines until done (or, with follow, until interrupted).
  virtual void logs(const LogOptions& options, const LineSink& sink) = 0;

  // The platform's own documents for `release` as a release with `replicas`
  // per location and `strategy` would send them (Kubernetes manifests: what
  // `ecp plan -o yaml` prints, like `helm template`), changing nothing; empty
  // for a backend that has none.
  virtual std::vector<Json> manifests(const ReleaseSpec& release, int replicas, bool recreate) {
    (void)release, (void)replicas, (void)recreate;
    return {};
  }

  // `ecp top`: each location's CPU, memory and load, and each instance's CPU
  // and memory, sampled over about `interval`; `every_app`: the instances of
  // every (app, env) at the target, not only this one's. Throws Error(usage)
  // where the plugin cannot (Capabilities::metrics false).
  virtual Metrics metrics(Duration interval, bool every_app);

  // `ecp degrade` and `ecp restore` (Capabilities::degrade; else each throws
  // Error(usage)). hosted(): every (app, env) a release serves at the target.
  // degrade(): this (app, env) pauses: each running instance stops as
  // InstanceState::degraded (and stays down through a reboot), and its gateway
  // answers 503 with `note`; returns "LOCATION SLOT-INDEX" per instance stopped.
  // undegrade(): the gateway routes again, once restore started the instances.
  virtual std::vector<HostedEnv> hosted();
  virtual std::vector<std::string> degrade(const std::string& note);
  virtual void undegrade();

  // `ecp exec`: the argv that runs `command` in the instance's environment, on
  // its host, which ecp then replaces itself with (`tty`: with a terminal).
  // Throws Error(usage) where the plugin cannot.
  virtual std::vector<std::string> exec_argv(const InstanceRef& instance, const std::vector<std::string>& command,
                                             bool tty);
  // By default this machine's user, unverified (the local target, and backends
  // that cannot ask their platform yet).
  virtual Identity identity();
  virtual KvStore& state() = 0;
  virtual Router* router() { return nullptr; }
  virtual Replacer* replacer() { return nullptr; }
};

using Factory = std::function<std::unique_ptr<Backend>(const TargetSpec&, const AppSpec&)>;
// Checks a target's own section without connecting anywhere (ecp validate, and
// before every command that loads the project); adds every problem to the list.
using Validator = std::function<void(const Settings&, Diagnostics&)>;

// The built-in backends by plugin name. cli/run.cpp registers them once, at
// startup (plugins/builtin.cpp); ecp-plugin-<name> executables on PATH are
// everything else.
class Table {
 public:
  void add(std::string name, Factory factory, Validator validator = {});
  const Factory* find(std::string_view name) const;
  // The plugin's validator; nullptr for plugins without one (and external ones).
  const Validator* validator(std::string_view name) const;
  std::vector<std::string> names() const;

 private:
  struct Entry {
    Factory factory;
    Validator validator;
  };
  std::map<std::string, Entry, std::less<>> entries_;
};

Table& builtin_table();

// The backend for `target`: a built-in one, else the external ecp-plugin-<plugin>
// on PATH. Throws Error(validation) when there is neither.
std::unique_ptr<Backend> open_backend(const TargetSpec& target, const AppSpec& app);

}  // namespace ecp::backend
